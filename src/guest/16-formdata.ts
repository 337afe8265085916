/**
 * FormData (https://xhr.spec.whatwg.org/#interface-formdata) and its multipart/form-data encoding
 * and parsing (https://andreubotella.github.io/multipart-form-data/).
 */
import {
  ArrayPrototypePush, ObjectDefineProperty, ReflectApply, StringCtor, StringPrototypeToWellFormed,
  TypeErrorCtor, Uint8ArrayCtor, TypedArrayPrototypeSet, TypedArrayPrototypeSubarray,
} from './00-primordials.ts';
import { TextDecoder, utf8Encode } from './06-encoding.ts';
import { listDelete, listGet, listGetAll, listHas, listSet } from './02-entry-list.ts';
import { File, blobBytes, isBlob } from './14-blob.ts';

type Entry = [string, string | File];

function toEntryValue(value: unknown, filename: unknown): string | File {
  if (!isBlob(value)) return StringPrototypeToWellFormed(StringCtor(value));
  const isFile = value instanceof File;
  if (isFile && filename === undefined) return value as File;
  const name = filename !== undefined ? StringCtor(filename) : isFile ? (value as File).name : 'blob';
  return new File([value], name, { type: value.type, ...(isFile ? { lastModified: (value as File).lastModified } : {}) });
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
}
ObjectDefineProperty(FormData.prototype, Symbol.toStringTag, { value: 'FormData', configurable: true });

function escapeName(s: string): string {
  return s.replace(/\r\n|\r|\n/g, '\r\n').replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
}

/** Serializes FormData as multipart/form-data; returns the body and its boundary. */
export function encodeMultipart(form: FormData, boundary: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      ArrayPrototypePush(chunks, utf8Encode(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${value.replace(/\r\n|\r|\n/g, '\r\n')}\r\n`));
    } else {
      ArrayPrototypePush(chunks, utf8Encode(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"; filename="${escapeName(value.name)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`));
      ArrayPrototypePush(chunks, blobBytes(value));
      ArrayPrototypePush(chunks, utf8Encode('\r\n'));
    }
  }
  ArrayPrototypePush(chunks, utf8Encode(`--${boundary}--\r\n`));
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8ArrayCtor(size);
  let offset = 0;
  for (const c of chunks) { TypedArrayPrototypeSet(out, c, offset); offset += c.length; }
  return out;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Parses a multipart/form-data body; throws TypeError when it is malformed. */
export function parseMultipart(body: Uint8Array, boundary: string): FormData {
  const form = new FormData();
  const decoder = new TextDecoder();
  const delimiter = utf8Encode(`--${boundary}`);
  const crlf = utf8Encode('\r\n\r\n');
  let pos = indexOf(body, delimiter, 0);
  if (pos === -1) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data: no boundary found.');
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return form; // closing delimiter
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data.');
    pos += 2;
    const headerEnd = indexOf(body, crlf, pos);
    if (headerEnd === -1) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data: unterminated part headers.');
    const headers = decoder.decode(TypedArrayPrototypeSubarray(body, pos, headerEnd)).split('\r\n');
    const next = indexOf(body, utf8Encode(`\r\n--${boundary}`), headerEnd + 4);
    if (next === -1) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data: missing closing boundary.');
    const content = TypedArrayPrototypeSubarray(body, headerEnd + 4, next);
    let name: string | undefined;
    let filename: string | undefined;
    let type = 'text/plain';
    for (const line of headers) {
      const colon = line.indexOf(':');
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'content-disposition') {
        name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1];
        filename = /;\s*filename="([^"]*)"/i.exec(value)?.[1];
      } else if (key === 'content-type') {
        type = value;
      }
    }
    if (name === undefined) throw new TypeErrorCtor('Failed to parse the body as multipart/form-data: a part has no name.');
    const unescape = (s: string) => s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%22/g, '"');
    if (filename !== undefined) form.append(unescape(name), new File([content], unescape(filename), { type }));
    else form.append(unescape(name), decoder.decode(content));
    pos = next + 2;
  }
}
