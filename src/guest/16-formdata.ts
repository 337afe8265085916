/**
 * FormData (https://xhr.spec.whatwg.org/#interface-formdata) and its multipart/form-data encoding
 * and parsing (https://andreubotella.github.io/multipart-form-data/).
 */
import {
  ArrayPrototypePush, ObjectDefineProperty, RegExpPrototypeExec, ReflectApply, StringCtor, StringPrototypeCharCodeAt,
  StringPrototypeIndexOf, StringPrototypeSlice, StringPrototypeToLowerCase, StringPrototypeToWellFormed, StringPrototypeTrim,
  TypeErrorCtor, TypedArrayPrototypeGetLength,
} from './00-primordials.ts';
import { bytesView, utf8Decode, utf8Encode } from './06-encoding.ts';
import { listDelete, listGet, listGetAll, listHas, listSet } from './02-entry-list.ts';
import { File, blobBytes, blobType, concat, fileLastModified, fileName, isBlob, isFile, makeFile } from './14-blob.ts';

type Entry = [string, string | File];

let entriesOf: (form: FormData) => readonly Entry[];
/** Appends an entry, as `form.append(name, value)` does for a string value (without the patchable method). */
export function appendFormEntry(form: FormData, name: string, value: string): void { appendEntry(form, name, value); }
/** Whether a value is a FormData (brand check, not instanceof). */
export let isFormData: (value: unknown) => value is FormData;
let appendEntry: (form: FormData, name: string, value: string | File) => void;

/** https://xhr.spec.whatwg.org/#create-an-entry */
function toEntryValue(value: unknown, filename: unknown): string | File {
  if (!isBlob(value)) return StringPrototypeToWellFormed(StringCtor(value));
  const file = isFile(value);
  if (file && filename === undefined) return value;
  const name = filename !== undefined ? StringCtor(filename) : file ? fileName(value) : 'blob';
  return makeFile(blobBytes(value), name, blobType(value), file ? fileLastModified(value) : undefined);
}

/** https://xhr.spec.whatwg.org/#interface-formdata */
export class FormData {
  #entries: Entry[] = [];

  constructor(form?: unknown) {
    if (form !== undefined) throw new TypeErrorCtor("Failed to construct 'FormData': there are no HTML forms here; construct it empty.");
  }

  append(name: string, value: unknown, filename?: string): void {
    if (arguments.length === 3 && !isBlob(value)) throw new TypeErrorCtor("Failed to execute 'append' on 'FormData': parameter 2 is not of type 'Blob'.");
    ArrayPrototypePush(this.#entries, [StringPrototypeToWellFormed(StringCtor(name)), toEntryValue(value, filename)]);
  }
  delete(name: string): void { listDelete(this.#entries, StringCtor(name)); }
  get(name: string): string | File | null { return listGet(this.#entries, StringCtor(name)); }
  getAll(name: string): (string | File)[] { return listGetAll(this.#entries, StringCtor(name)); }
  has(name: string): boolean { return listHas(this.#entries, StringCtor(name)); }
  set(name: string, value: unknown, filename?: string): void {
    if (arguments.length === 3 && !isBlob(value)) throw new TypeErrorCtor("Failed to execute 'set' on 'FormData': parameter 2 is not of type 'Blob'.");
    listSet(this.#entries, [StringPrototypeToWellFormed(StringCtor(name)), toEntryValue(value, filename)]);
  }
  forEach(callback: (value: string | File, key: string, parent: FormData) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.#entries.length; i++) {
      const e = this.#entries[i] as Entry;
      ReflectApply(callback, thisArg, [e[1], e[0], this]);
    }
  }
  *entries(): IterableIterator<[string, string | File]> { for (let i = 0; i < this.#entries.length; i++) { const e = this.#entries[i] as Entry; yield [e[0], e[1]]; } }
  *keys(): IterableIterator<string> { for (let i = 0; i < this.#entries.length; i++) yield (this.#entries[i] as Entry)[0]; }
  *values(): IterableIterator<string | File> { for (let i = 0; i < this.#entries.length; i++) yield (this.#entries[i] as Entry)[1]; }
  [Symbol.iterator](): IterableIterator<[string, string | File]> { return this.entries(); }

  static {
    entriesOf = (form) => form.#entries;
    isFormData = (value): value is FormData => typeof value === 'object' && value !== null && #entries in value;
    appendEntry = (form, name, value) => { ArrayPrototypePush(form.#entries, [name, value]); };
  }
}
ObjectDefineProperty(FormData.prototype, Symbol.toStringTag, { value: 'FormData', configurable: true });

/** `s` with each `from` character code replaced by `to` (a loop: RegExp and String methods are patchable). */
function replaceChars(s: string, from: number, to: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (StringPrototypeCharCodeAt(s, i) !== from) continue;
    out += StringPrototypeSlice(s, start, i) + to;
    start = i + 1;
  }
  return start === 0 ? s : out + StringPrototypeSlice(s, start);
}

/** Every CR, LF and CRLF as CRLF. */
function crlf(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c !== 0x0a && c !== 0x0d) continue;
    out += `${StringPrototypeSlice(s, start, i)}\r\n`;
    if (c === 0x0d && StringPrototypeCharCodeAt(s, i + 1) === 0x0a) i++;
    start = i + 1;
  }
  return start === 0 ? s : out + StringPrototypeSlice(s, start);
}

/** A name or filename in a Content-Disposition header: newlines normalised, then LF, CR and '"' percent-encoded. */
function escapeName(s: string): string {
  return replaceChars(replaceChars(replaceChars(crlf(s), 0x0a, '%0A'), 0x0d, '%0D'), 0x22, '%22');
}

/** Serializes FormData as multipart/form-data (https://andreubotella.github.io/multipart-form-data/#multipart-form-data-serializer). */
export function encodeMultipart(form: FormData, boundary: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  const entries = entriesOf(form);
  for (let i = 0; i < entries.length; i++) {
    const name = (entries[i] as Entry)[0];
    const value = (entries[i] as Entry)[1];
    if (typeof value === 'string') {
      ArrayPrototypePush(chunks, utf8Encode(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${crlf(value)}\r\n`));
    } else {
      const type = blobType(value);
      ArrayPrototypePush(chunks, utf8Encode(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"; filename="${escapeName(fileName(value))}"\r\nContent-Type: ${type === '' ? 'application/octet-stream' : type}\r\n\r\n`));
      ArrayPrototypePush(chunks, blobBytes(value));
      ArrayPrototypePush(chunks, utf8Encode('\r\n'));
    }
  }
  ArrayPrototypePush(chunks, utf8Encode(`--${boundary}--\r\n`));
  return concat(chunks);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const last = TypedArrayPrototypeGetLength(haystack) - TypedArrayPrototypeGetLength(needle);
  const n = TypedArrayPrototypeGetLength(needle);
  outer: for (let i = from; i <= last; i++) {
    for (let j = 0; j < n; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The lines of a part's header block (split on CRLF, without String.prototype.split). */
function lines(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const end = StringPrototypeIndexOf(s, '\r\n', start);
    if (end === -1) { ArrayPrototypePush(out, StringPrototypeSlice(s, start)); return out; }
    ArrayPrototypePush(out, StringPrototypeSlice(s, start, end));
    start = end + 2;
  }
}

/** "%0A", "%0D" and "%22" in a parsed name back to LF, CR and '"'. */
function unescapeName(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i + 2 < s.length; i++) {
    if (StringPrototypeCharCodeAt(s, i) !== 0x25) continue;
    const code = StringPrototypeSlice(s, i + 1, i + 3);
    const c = code === '0A' ? '\n' : code === '0D' ? '\r' : code === '22' ? '"' : undefined;
    if (c === undefined) continue;
    out += StringPrototypeSlice(s, start, i) + c;
    start = i + 3;
    i += 2;
  }
  return start === 0 ? s : out + StringPrototypeSlice(s, start);
}

/** Parses a multipart/form-data body; throws TypeError when it is malformed. */
export function parseMultipart(body: Uint8Array, boundary: string): FormData {
  const form = new FormData();
  const delimiter = utf8Encode(`--${boundary}`);
  const delimiterLength = TypedArrayPrototypeGetLength(delimiter);
  const headerTerminator = utf8Encode('\r\n\r\n');
  const nextDelimiter = utf8Encode(`\r\n--${boundary}`);
  let pos = indexOf(body, delimiter, 0);
  if (pos === -1) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data: no boundary found.');
  for (;;) {
    pos += delimiterLength;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return form; // closing delimiter
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data.');
    pos += 2;
    const headerEnd = indexOf(body, headerTerminator, pos);
    if (headerEnd === -1) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data: unterminated part headers.');
    const headers = lines(utf8Decode(bytesView(body, pos, headerEnd)));
    const next = indexOf(body, nextDelimiter, headerEnd + 4);
    if (next === -1) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data: missing closing boundary.');
    const content = bytesView(body, headerEnd + 4, next);
    let name: string | undefined;
    let filename: string | undefined;
    let type = 'text/plain';
    for (let i = 0; i < headers.length; i++) {
      const line = headers[i] as string;
      const colon = StringPrototypeIndexOf(line, ':');
      const key = StringPrototypeToLowerCase(StringPrototypeTrim(StringPrototypeSlice(line, 0, colon)));
      const value = StringPrototypeTrim(StringPrototypeSlice(line, colon + 1));
      if (key === 'content-disposition') {
        name = RegExpPrototypeExec(/(?:^|;)\s*name="([^"]*)"/i, value)?.[1];
        filename = RegExpPrototypeExec(/;\s*filename="([^"]*)"/i, value)?.[1];
      } else if (key === 'content-type') {
        type = value;
      }
    }
    if (name === undefined) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data: a part has no name.');
    if (filename !== undefined) appendEntry(form, unescapeName(name), makeFile(content, unescapeName(filename), type));
    else appendEntry(form, unescapeName(name), utf8Decode(content));
    pos = next + 2;
  }
}
