/** Blob and File (https://w3c.github.io/FileAPI/). Blobs hold their bytes in one immutable buffer. */
import {
  ArrayBufferIsView, ArrayPrototypePush, DateNow, ObjectDefineProperty, StringCtor, StringPrototypeCharCodeAt,
  StringPrototypeSlice, StringPrototypeToLowerCase, SymbolIterator, TypeErrorCtor, TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetLength, TypedArrayPrototypeSet, Uint8ArrayCtor, MathMax, MathMin, MathTrunc, NumberCtor,
} from './00-primordials.ts';
import { promiseResolve } from './01-promise.ts';
import { bufferSourceBytes, bytesView, isArrayBuffer, utf8Decode, utf8Encode } from './06-encoding.ts';
import type { ReadableByteStreamController, ReadableStream, UnderlyingByteSource } from './vendor/web-streams-polyfill.mjs';
import { streams } from './13-streams.ts';

/** A readable byte stream of `bytes` (copied out in chunks of 64 KiB), from a source no guest can reach. */
export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  const size = TypedArrayPrototypeGetLength(bytes);
  let offset = 0;
  const { ReadableStream, byteControllerEnqueue: ByteControllerEnqueue, byteControllerClose: ByteControllerClose } = streams();
  return new ReadableStream({
    __proto__: null,
    type: 'bytes',
    pull(controller: ReadableByteStreamController) {
      if (offset >= size) { ByteControllerClose(controller); return; }
      const end = MathMin(size, offset + 65536);
      ByteControllerEnqueue(controller, copyBytes(bytesView(bytes, offset, end)));
      offset = end;
    },
  } as UnderlyingByteSource) as ReadableStream<Uint8Array>;
}

let bytesOf: (blob: Blob) => Uint8Array;
/** Makes a Blob of `bytes` (shared, never to be modified) with an already normalised `type`. */
let blobOf: (bytes: Uint8Array, type: string) => Blob;
let setBlobBytes: (blob: Blob, bytes: Uint8Array, type: string) => void;
/** A Blob's type (what its `type` getter returns). */
export let blobType: (blob: Blob) => string;
/** Whether a value is a File (brand check, not instanceof). */
export let isFile: (value: unknown) => value is File;
/** A File's name. */
export let fileName: (file: File) => string;
/** A File's last modification time. */
export let fileLastModified: (file: File) => number;
let fileOf: (bytes: Uint8Array, name: string, type: string, lastModified: number) => File;
/** The bytes of a Blob (shared, never to be modified). */
export function blobBytes(blob: Blob): Uint8Array { return bytesOf(blob); }
/** Whether a value is a Blob (brand check, not instanceof). */
export let isBlob: (value: unknown) => value is Blob;

/** The bytes of `chunks`, one after the other, in a new array. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (let i = 0; i < chunks.length; i++) size += TypedArrayPrototypeGetLength(chunks[i] as Uint8Array);
  const out = new Uint8ArrayCtor(size);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    TypedArrayPrototypeSet(out, chunks[i] as Uint8Array, offset);
    offset += TypedArrayPrototypeGetLength(chunks[i] as Uint8Array);
  }
  return out;
}

/** Native line endings (https://w3c.github.io/FileAPI/#convert-line-endings-to-native): CRLF and CR become LF. */
function nativeEndings(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (StringPrototypeCharCodeAt(s, i) !== 0x0d) continue;
    out += `${StringPrototypeSlice(s, start, i)}\n`;
    if (StringPrototypeCharCodeAt(s, i + 1) === 0x0a) i++;
    start = i + 1;
  }
  return start === 0 ? s : out + StringPrototypeSlice(s, start);
}

/** A Blob `type`: lowercased, or empty when it has characters outside U+0020-U+007E. */
function normalizeType(type: unknown): string {
  const t = StringCtor(type);
  for (let i = 0; i < t.length; i++) {
    const c = StringPrototypeCharCodeAt(t, i);
    if (c < 0x20 || c > 0x7e) return '';
  }
  return StringPrototypeToLowerCase(t);
}

function relative(value: unknown, size: number, fallback: number): number {
  if (value === undefined) return fallback;
  let n = NumberCtor(value);
  n = n !== n ? 0 : n < 0 ? MathMax(size + MathTrunc(n), 0) : MathMin(MathTrunc(n), size);
  return n;
}

/** https://w3c.github.io/FileAPI/#blob-section */
export class Blob {
  #bytes: Uint8Array;
  #type: string;

  constructor(blobParts?: Iterable<unknown>, options?: { type?: string; endings?: 'transparent' | 'native' }) {
    const chunks: Uint8Array[] = [];
    if (blobParts !== undefined && blobParts !== null) {
      if (typeof blobParts !== 'object' || typeof (blobParts as { [Symbol.iterator]?: unknown })[SymbolIterator] !== 'function') {
        throw new TypeErrorCtor("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
      }
      for (const part of blobParts) {
        if (isBlob(part)) ArrayPrototypePush(chunks, bytesOf(part));
        else if (ArrayBufferIsView(part) || isArrayBuffer(part)) {
          ArrayPrototypePush(chunks, copyBytes(bufferSourceBytes(part, "Failed to construct 'Blob'")));
        } else {
          let s = StringCtor(part);
          if (options?.endings === 'native') s = nativeEndings(s);
          ArrayPrototypePush(chunks, utf8Encode(s));
        }
      }
    }
    const endings = options?.endings;
    if (endings !== undefined && endings !== 'transparent' && endings !== 'native') {
      throw new TypeErrorCtor(`Failed to construct 'Blob': The provided value '${StringCtor(endings)}' is not a valid enum value of type EndingType.`);
    }
    this.#bytes = chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks);
    this.#type = options?.type === undefined ? '' : normalizeType(options.type);
  }

  static {
    bytesOf = (blob) => blob.#bytes;
    blobType = (blob) => blob.#type;
    isBlob = (value): value is Blob => typeof value === 'object' && value !== null && #bytes in value;
    setBlobBytes = (blob, bytes, type) => { blob.#bytes = bytes; blob.#type = type; };
    blobOf = (bytes, type) => {
      const blob = new Blob();
      setBlobBytes(blob, bytes, type);
      return blob;
    };
  }

  get size(): number { return TypedArrayPrototypeGetLength(this.#bytes); }
  get type(): string { return this.#type; }

  slice(start?: number, end?: number, contentType?: string): Blob {
    const size = TypedArrayPrototypeGetLength(this.#bytes);
    const from = relative(start, size, 0);
    const to = relative(end, size, size);
    return blobOf(bytesView(this.#bytes, from, MathMax(from, to)), contentType === undefined ? '' : normalizeType(contentType));
  }

  text(): Promise<string> { return promiseResolve(utf8Decode(this.#bytes)); }
  arrayBuffer(): Promise<ArrayBuffer> { return promiseResolve(TypedArrayPrototypeGetBuffer(copyBytes(this.#bytes)) as ArrayBuffer); }
  bytes(): Promise<Uint8Array> { return promiseResolve(copyBytes(this.#bytes)); }
  stream(): ReadableStream<Uint8Array> { return bytesStream(this.#bytes); }
}
ObjectDefineProperty(Blob.prototype, Symbol.toStringTag, { value: 'Blob', configurable: true });

/** A Blob holding a copy of `bytes`; `type` is normalised. */
export function makeBlob(bytes: Uint8Array, type: string): Blob { return blobOf(copyBytes(bytes), normalizeType(type)); }

/** A copy of `src`. */
export function copyBytes(src: Uint8Array): Uint8Array {
  const out = new Uint8ArrayCtor(TypedArrayPrototypeGetLength(src));
  TypedArrayPrototypeSet(out, src);
  return out;
}

/** https://w3c.github.io/FileAPI/#file-section */
export class File extends Blob {
  #name: string;
  #lastModified: number;

  constructor(fileBits: Iterable<unknown>, fileName: string, options?: { type?: string; endings?: 'transparent' | 'native'; lastModified?: number }) {
    if (arguments.length < 2) throw new TypeErrorCtor(`Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`);
    super(fileBits, options);
    this.#name = StringCtor(fileName);
    this.#lastModified = options?.lastModified === undefined ? DateNow() : NumberCtor(options.lastModified);
  }

  static {
    isFile = (value): value is File => typeof value === 'object' && value !== null && #name in value;
    fileName = (file) => file.#name;
    fileLastModified = (file) => file.#lastModified;
    fileOf = (bytes, name, type, lastModified) => {
      const file = new File(NO_PARTS, name, NO_OPTIONS);
      setBlobBytes(file, bytes, type);
      file.#lastModified = lastModified;
      return file;
    };
  }

  get name(): string { return this.#name; }
  get lastModified(): number { return this.#lastModified; }
  get webkitRelativePath(): string { return ''; }
}
ObjectDefineProperty(File.prototype, Symbol.toStringTag, { value: 'File', configurable: true });

/** An iterable of no parts, and File options with no members, that no guest can reach. */
const NO_PARTS = { __proto__: null, [SymbolIterator]: () => ({ __proto__: null, next: () => DONE }) } as unknown as Iterable<unknown>;
const DONE = { __proto__: null, done: true, value: undefined };
const NO_OPTIONS = { __proto__: null } as { lastModified?: number };
/** A File holding a copy of `bytes`; `type` is normalised. */
export function makeFile(bytes: Uint8Array, name: string, type: string, lastModified: number = DateNow()): File {
  return fileOf(copyBytes(bytes), name, normalizeType(type), lastModified);
}
