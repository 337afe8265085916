/**
 * TextEncoder and TextDecoder (https://encoding.spec.whatwg.org/) for UTF-8, UTF-16LE/BE and
 * windows-1252 (which the spec maps "latin1", "ascii" and "iso-8859-1" to), with `fatal`,
 * `ignoreBOM` and streaming decode.
 */
import {
  ArrayBufferIsView, ArrayPrototypeJoin, ArrayPrototypePush, DataViewPrototypeGetBuffer, DataViewPrototypeGetByteLength,
  DataViewPrototypeGetByteOffset, ObjectDefineProperty, RangeErrorCtor, StringCtor, StringFromCharCode,
  StringPrototypeCharCodeAt, StringPrototypeToLowerCase, StringPrototypeTrim, StringPrototypeToWellFormed, TypeErrorCtor,
  TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetByteLength, TypedArrayPrototypeGetByteOffset, TypedArrayPrototypeGetToStringTag,
  Uint8ArrayCtor, MathMin, ReflectApply, StringPrototypeSlice, ArrayBufferPrototypeGetByteLength, TypedArrayPrototypeGetLength, uncurry,
} from './00-primordials.ts';

/** Whether a value is an ArrayBuffer (brand check: the byteLength getter throws for anything else). */
export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  try {
    ArrayBufferPrototypeGetByteLength(value as ArrayBuffer);
    return true;
  } catch {
    return false;
  }
}

/** The bytes [start, end) of `bytes`, as a view of the same memory (subarray without its species lookup). */
export function bytesView(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8ArrayCtor(TypedArrayPrototypeGetBuffer(bytes), TypedArrayPrototypeGetByteOffset(bytes) + start, end - start);
}

/** Bytes of any BufferSource, as a Uint8Array view (no copy). */
export function bufferSourceBytes(input: unknown, what: string): Uint8Array {
  if (ArrayBufferIsView(input)) {
    if (TypedArrayPrototypeGetToStringTag(input) !== undefined) {
      return new Uint8ArrayCtor(TypedArrayPrototypeGetBuffer(input), TypedArrayPrototypeGetByteOffset(input), TypedArrayPrototypeGetByteLength(input));
    }
    const view = input as DataView;
    return new Uint8ArrayCtor(DataViewPrototypeGetBuffer(view), DataViewPrototypeGetByteOffset(view), DataViewPrototypeGetByteLength(view));
  }
  if (isArrayBuffer(input)) return new Uint8ArrayCtor(input);
  throw new TypeErrorCtor(`${what}: The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.`);
}

/** How many bytes the UTF-8 encoding of a well-formed string takes. */
export function utf8Length(s: string): number {
  let size = 0;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { size += 4; i++; }
    else size += 3;
  }
  return size;
}

/** UTF-8 bytes of a string, lone surrogates replaced by U+FFFD. */
export function utf8Encode(input: string): Uint8Array {
  const s = StringPrototypeToWellFormed(input);
  const out = new Uint8ArrayCtor(utf8Length(s));
  writeUtf8(s, out, s.length);
  return out;
}

/** Writes UTF-8 for s[0..limit) into out; returns [code units read, bytes written], never splitting a code point. */
function writeUtf8(s: string, out: Uint8Array, limit: number): [number, number] {
  const size = TypedArrayPrototypeGetLength(out);
  let j = 0;
  let i = 0;
  for (; i < limit; i++) {
    let c = StringPrototypeCharCodeAt(s, i);
    if (c < 0x80) {
      if (j + 1 > size) break;
      out[j++] = c;
    } else if (c < 0x800) {
      if (j + 2 > size) break;
      out[j++] = 0xc0 | (c >> 6); out[j++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      if (j + 4 > size) break;
      const d = StringPrototypeCharCodeAt(s, i + 1);
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      out[j++] = 0xf0 | (c >> 18); out[j++] = 0x80 | ((c >> 12) & 0x3f); out[j++] = 0x80 | ((c >> 6) & 0x3f); out[j++] = 0x80 | (c & 0x3f);
      i++;
    } else {
      if (j + 3 > size) break;
      out[j++] = 0xe0 | (c >> 12); out[j++] = 0x80 | ((c >> 6) & 0x3f); out[j++] = 0x80 | (c & 0x3f);
    }
  }
  return [i, j];
}

/** https://encoding.spec.whatwg.org/#interface-textencoder */
export class TextEncoder {
  get encoding(): string { return 'utf-8'; }
  encode(input: unknown = ''): Uint8Array { return utf8Encode(StringCtor(input)); }
  encodeInto(source: unknown, destination: Uint8Array): { read: number; written: number } {
    if (TypedArrayPrototypeGetToStringTag(destination) !== 'Uint8Array') {
      throw new TypeErrorCtor("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
    }
    const s = StringPrototypeToWellFormed(StringCtor(source));
    const counts = writeUtf8(s, destination, s.length);
    return { read: counts[0], written: counts[1] };
  }
}
ObjectDefineProperty(TextEncoder.prototype, Symbol.toStringTag, { value: 'TextEncoder', configurable: true });

type EncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

const LABELS: Readonly<Record<string, EncodingName>> = (() => {
  const table: Record<string, EncodingName> = Object.create(null) as Record<string, EncodingName>;
  const add = (name: EncodingName, labels: string[]) => { for (let i = 0; i < labels.length; i++) table[labels[i] as string] = name; };
  add('utf-8', ['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8']);
  add('utf-16le', ['csunicode', 'iso-10646-ucs-2', 'ucs-2', 'unicode', 'unicodefeff', 'utf-16', 'utf-16le']);
  add('utf-16be', ['unicodefffe', 'utf-16be']);
  add('windows-1252', ['ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-8859-1', 'iso-ir-100',
    'iso8859-1', 'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1', 'latin1', 'us-ascii', 'windows-1252', 'x-cp1252']);
  return table;
})();

/** windows-1252 bytes 0x80-0x9F (https://encoding.spec.whatwg.org/index-windows-1252.txt). */
const WINDOWS_1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** https://encoding.spec.whatwg.org/#interface-textdecoder */
export class TextDecoder {
  readonly #encoding: EncodingName;
  readonly #fatal: boolean;
  readonly #ignoreBOM: boolean;
  #pending: number[] = [];
  #bomSeen = false;

  constructor(label: unknown = 'utf-8', options?: { fatal?: boolean; ignoreBOM?: boolean }) {
    const key = StringPrototypeToLowerCase(StringPrototypeTrim(StringCtor(label)));
    const encoding = LABELS[key];
    if (encoding === undefined) throw new RangeErrorCtor(`Failed to construct 'TextDecoder': The encoding label provided ('${StringCtor(label)}') is invalid.`);
    this.#encoding = encoding;
    this.#fatal = !!options?.fatal;
    this.#ignoreBOM = !!options?.ignoreBOM;
  }

  get encoding(): string { return this.#encoding; }
  get fatal(): boolean { return this.#fatal; }
  get ignoreBOM(): boolean { return this.#ignoreBOM; }

  decode(input?: unknown, options?: { stream?: boolean }): string {
    const bytes = input === undefined || input === null ? new Uint8ArrayCtor(0) : bufferSourceBytes(input, "Failed to execute 'decode' on 'TextDecoder'");
    const stream = !!options?.stream;
    let data: ArrayLike<number> = bytes;
    let length = TypedArrayPrototypeGetLength(bytes);
    if (this.#pending.length > 0) {
      const joined: number[] = this.#pending;
      for (let i = 0; i < length; i++) ArrayPrototypePush(joined, bytes[i]);
      data = joined;
      length = joined.length;
      this.#pending = [];
    }
    const parts: string[] = [];
    let consumed: number;
    switch (this.#encoding) {
      case 'utf-8': consumed = this.#utf8(data, length, stream, parts); break;
      case 'utf-16le': consumed = this.#utf16(data, length, stream, parts, true); break;
      case 'utf-16be': consumed = this.#utf16(data, length, stream, parts, false); break;
      default: consumed = this.#single(data, length, parts); break;
    }
    for (let i = consumed; i < length; i++) ArrayPrototypePush(this.#pending, data[i] as number);
    let text = ArrayPrototypeJoin(parts, '');
    if (!this.#ignoreBOM && !this.#bomSeen && text.length > 0) {
      this.#bomSeen = true;
      if (StringPrototypeCharCodeAt(text, 0) === 0xfeff && this.#encoding !== 'windows-1252') text = StringPrototypeSlice(text, 1);
    }
    if (!stream) { this.#bomSeen = false; this.#pending = []; }
    return text;
  }

  #error(parts: string[]): void {
    if (this.#fatal) throw new TypeErrorCtor("Failed to execute 'decode' on 'TextDecoder': The encoded data was not valid.");
    ArrayPrototypePush(parts, '\uFFFD');
  }

  /** https://encoding.spec.whatwg.org/#utf-8-decoder over b[0..n); returns how many bytes were consumed. */
  #utf8(b: ArrayLike<number>, n: number, stream: boolean, parts: string[]): number {
    let chunk: number[] = [];
    const flush = () => { if (chunk.length > 0) { ArrayPrototypePush(parts, fromCodeUnits(chunk)); chunk = []; } };
    let i = 0;
    while (i < n) {
      const c = b[i] as number;
      if (c < 0x80) { ArrayPrototypePush(chunk, c); i++; continue; }
      let needed: number;
      let lower = 0x80;
      let upper = 0xbf;
      let cp: number;
      if (c >= 0xc2 && c <= 0xdf) { needed = 1; cp = c & 0x1f; }
      else if (c >= 0xe0 && c <= 0xef) { needed = 2; cp = c & 0xf; if (c === 0xe0) lower = 0xa0; if (c === 0xed) upper = 0x9f; }
      else if (c >= 0xf0 && c <= 0xf4) { needed = 3; cp = c & 0x7; if (c === 0xf0) lower = 0x90; if (c === 0xf4) upper = 0x8f; }
      else { flush(); this.#error(parts); i++; continue; }
      let j = 1;
      for (; j <= needed; j++) {
        if (i + j >= n) break;
        const d = b[i + j] as number;
        if (d < lower || d > upper) break;
        lower = 0x80; upper = 0xbf;
        cp = (cp << 6) | (d & 0x3f);
      }
      if (j > needed) {
        if (cp >= 0x10000) { cp -= 0x10000; ArrayPrototypePush(chunk, 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)); }
        else ArrayPrototypePush(chunk, cp);
        i += needed + 1;
        continue;
      }
      if (i + j >= n && stream) { flush(); return i; } // an incomplete sequence waits for more bytes
      flush();
      this.#error(parts); // the maximal subpart becomes one U+FFFD
      i += j;
    }
    flush();
    return i;
  }

  #utf16(b: ArrayLike<number>, n: number, stream: boolean, parts: string[], little: boolean): number {
    const units: number[] = [];
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const unit = little ? (b[i] as number) | ((b[i + 1] as number) << 8) : ((b[i] as number) << 8) | (b[i + 1] as number);
      ArrayPrototypePush(units, unit);
    }
    // A trailing high surrogate waits for its pair while streaming.
    let end = units.length;
    if (stream && end > 0) {
      const last = units[end - 1] as number;
      if (last >= 0xd800 && last <= 0xdbff) { end -= 1; i -= 2; }
    }
    let chunk: number[] = [];
    for (let k = 0; k < end; k++) {
      const u = units[k] as number;
      if (u >= 0xd800 && u <= 0xdbff) {
        const next = units[k + 1];
        if (k + 1 < end && next !== undefined && next >= 0xdc00 && next <= 0xdfff) { ArrayPrototypePush(chunk, u, next); k++; continue; }
        ArrayPrototypePush(parts, fromCodeUnits(chunk)); chunk = [];
        this.#error(parts);
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        ArrayPrototypePush(parts, fromCodeUnits(chunk)); chunk = [];
        this.#error(parts);
      } else {
        ArrayPrototypePush(chunk, u);
      }
    }
    ArrayPrototypePush(parts, fromCodeUnits(chunk));
    if (!stream && i < n) { this.#error(parts); return n; }
    return i;
  }

  #single(b: ArrayLike<number>, n: number, parts: string[]): number {
    const units: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = b[i] as number;
      ArrayPrototypePush(units, c >= 0x80 && c <= 0x9f ? (WINDOWS_1252[c - 0x80] as number) : c);
    }
    ArrayPrototypePush(parts, fromCodeUnits(units));
    return n;
  }
}
ObjectDefineProperty(TextDecoder.prototype, Symbol.toStringTag, { value: 'TextDecoder', configurable: true });

const TextDecoderPrototypeDecode = uncurry(TextDecoder.prototype.decode);
const utf8Decoder = new TextDecoder();
/** UTF-8 decode (https://encoding.spec.whatwg.org/#utf-8-decode): a leading BOM dropped, errors as U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string { return TextDecoderPrototypeDecode(utf8Decoder, bytes); }

/** String.fromCharCode over a list, in slices small enough for the argument limit. */
function fromCodeUnits(units: readonly number[]): string {
  let out = '';
  for (let i = 0; i < units.length; i += 8192) {
    const end = MathMin(units.length, i + 8192);
    const slice: number[] = [];
    for (let k = i; k < end; k++) ArrayPrototypePush(slice, units[k]);
    out += ReflectApply(StringFromCharCode, null, slice) as string;
  }
  return out;
}
