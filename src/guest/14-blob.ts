/** Blob and File (https://w3c.github.io/FileAPI/). Blobs hold their bytes in one immutable buffer. */
import {
  ArrayBufferIsView, ArrayPrototypePush, DateNow, ObjectDefineProperty, ObjectPrototypeToString, StringCtor,
  StringPrototypeCharCodeAt, StringPrototypeToLowerCase, TypeErrorCtor, Uint8ArrayCtor, MathMax, MathMin, NumberCtor,
  TypedArrayPrototypeSet, TypedArrayPrototypeSubarray,
} from './00-primordials.ts';
import { TextDecoder, bufferSourceBytes, utf8Encode } from './06-encoding.ts';
import { ReadableStream } from './vendor/web-streams-polyfill.mjs';

let bytesOf: (blob: Blob) => Uint8Array;
/** The bytes of a Blob (shared, never to be modified). */
export function blobBytes(blob: Blob): Uint8Array { return bytesOf(blob); }
/** Whether a value is a Blob (brand check, not instanceof). */
export let isBlob: (value: unknown) => value is Blob;

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (let i = 0; i < chunks.length; i++) size += (chunks[i] as Uint8Array).length;
  const out = new Uint8ArrayCtor(size);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) { TypedArrayPrototypeSet(out, chunks[i] as Uint8Array, offset); offset += (chunks[i] as Uint8Array).length; }
  return out;
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
  n = n !== n ? 0 : n < 0 ? MathMax(size + Math.trunc(n), 0) : MathMin(Math.trunc(n), size);
  return n;
}

/** https://w3c.github.io/FileAPI/#blob-section */
export class Blob {
  readonly #bytes: Uint8Array;
  readonly #type: string;

  constructor(blobParts?: Iterable<unknown>, options?: { type?: string; endings?: 'transparent' | 'native' }) {
    const chunks: Uint8Array[] = [];
    if (blobParts !== undefined && blobParts !== null) {
      if (typeof blobParts !== 'object' || typeof (blobParts as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
        throw new TypeErrorCtor("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
      }
      for (const part of blobParts) {
        if (isBlob(part)) ArrayPrototypePush(chunks, bytesOf(part));
        else if (ArrayBufferIsView(part) || ObjectPrototypeToString(part) === '[object ArrayBuffer]') {
          const src = bufferSourceBytes(part, "Failed to construct 'Blob'");
          const copy = new Uint8ArrayCtor(src.length);
          TypedArrayPrototypeSet(copy, src);
          ArrayPrototypePush(chunks, copy);
        } else {
          let s = StringCtor(part);
          if (options?.endings === 'native') s = s.replace(/\r\n|\r/g, '\n');
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
    isBlob = (value): value is Blob => typeof value === 'object' && value !== null && #bytes in value;
  }

  get size(): number { return this.#bytes.length; }
  get type(): string { return this.#type; }

  slice(start?: number, end?: number, contentType?: string): Blob {
    const size = this.#bytes.length;
    const from = relative(start, size, 0);
    const to = relative(end, size, size);
    return new Blob([TypedArrayPrototypeSubarray(this.#bytes, from, MathMax(from, to))], { type: contentType === undefined ? '' : contentType });
  }

  text(): Promise<string> { return Promise.resolve(new TextDecoder().decode(this.#bytes)); }
  arrayBuffer(): Promise<ArrayBuffer> { return Promise.resolve(copyBytes(this.#bytes).buffer as ArrayBuffer); }
  bytes(): Promise<Uint8Array> { return Promise.resolve(copyBytes(this.#bytes)); }
  stream(): ReadableStream<Uint8Array> {
    const bytes = this.#bytes;
    let offset = 0;
    return new ReadableStream<Uint8Array>({
      type: 'bytes',
      pull(controller: { enqueue(c: Uint8Array): void; close(): void }) {
        if (offset >= bytes.length) { controller.close(); return; }
        const end = MathMin(bytes.length, offset + 65536);
        controller.enqueue(copyBytes(TypedArrayPrototypeSubarray(bytes, offset, end)));
        offset = end;
      },
    } as never);
  }
}
ObjectDefineProperty(Blob.prototype, Symbol.toStringTag, { value: 'Blob', configurable: true });

/** A Blob holding a copy of `bytes`. */
export function makeBlob(bytes: Uint8Array, type: string): Blob { return new Blob([bytes], { type }); }

function copyBytes(src: Uint8Array): Uint8Array {
  const out = new Uint8ArrayCtor(src.length);
  TypedArrayPrototypeSet(out, src);
  return out;
}

/** https://w3c.github.io/FileAPI/#file-section */
export class File extends Blob {
  readonly #name: string;
  readonly #lastModified: number;

  constructor(fileBits: Iterable<unknown>, fileName: string, options?: { type?: string; endings?: 'transparent' | 'native'; lastModified?: number }) {
    if (arguments.length < 2) throw new TypeErrorCtor(`Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`);
    super(fileBits, options);
    this.#name = StringCtor(fileName);
    this.#lastModified = options?.lastModified === undefined ? DateNow() : NumberCtor(options.lastModified);
  }

  get name(): string { return this.#name; }
  get lastModified(): number { return this.#lastModified; }
  get webkitRelativePath(): string { return ''; }
}
ObjectDefineProperty(File.prototype, Symbol.toStringTag, { value: 'File', configurable: true });
