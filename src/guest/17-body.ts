/** The Fetch standard's body mixin (https://fetch.spec.whatwg.org/#body-mixin): extraction, reading, cloning. */
import { ArrayBufferIsView, ArrayPrototypePush, ObjectDefineProperty, ObjectPrototypeToString, StringCtor, TypeErrorCtor, TypedArrayPrototypeSet, Uint8ArrayCtor, MathMin, TypedArrayPrototypeSubarray } from './00-primordials.ts';
import { TextDecoder, bufferSourceBytes, utf8Encode } from './06-encoding.ts';
import { URLSearchParams, parseUrlencoded } from './08-url.ts';
import { ReadableStream } from './vendor/web-streams-polyfill.mjs';
import { blobBytes, isBlob, makeBlob, type Blob } from './14-blob.ts';
import { FormData, encodeMultipart, parseMultipart } from './16-formdata.ts';
import { createCrypto } from './11-crypto.ts';

const localCrypto = createCrypto();

/** A body: bytes we hold (the common case, no stream made until asked), or a stream. */
export interface InnerBody {
  bytes: Uint8Array | null;
  stream: ReadableStream<Uint8Array> | null;
  used: boolean;
}

/** What a body init extracts to. */
export interface Extracted { body: InnerBody; type: string | null }

const isStream = (v: unknown): v is ReadableStream => ObjectPrototypeToString(v) === '[object ReadableStream]';

/** https://fetch.spec.whatwg.org/#concept-bodyinit-extract */
export function extractBody(init: unknown): Extracted {
  if (typeof init === 'string') return { body: bytesBody(utf8Encode(init)), type: 'text/plain;charset=UTF-8' };
  if (isBlob(init)) return { body: bytesBody(blobBytes(init)), type: init.type === '' ? null : init.type };
  if (ArrayBufferIsView(init) || ObjectPrototypeToString(init) === '[object ArrayBuffer]') {
    const src = bufferSourceBytes(init, 'body');
    const copy = new Uint8ArrayCtor(src.length);
    TypedArrayPrototypeSet(copy, src);
    return { body: bytesBody(copy), type: null };
  }
  if (init instanceof URLSearchParams) return { body: bytesBody(utf8Encode(init.toString())), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (init instanceof FormData) {
    const boundary = `----islet-form-${randomBoundary()}`;
    return { body: bytesBody(encodeMultipart(init, boundary)), type: `multipart/form-data; boundary=${boundary}` };
  }
  if (isStream(init)) {
    if (init.locked || (init as unknown as { _disturbed?: boolean })._disturbed === true) throw new TypeErrorCtor('The body stream is locked or has already been read.');
    return { body: { bytes: null, stream: init as ReadableStream<Uint8Array>, used: false }, type: null };
  }
  return { body: bytesBody(utf8Encode(StringCtor(init))), type: 'text/plain;charset=UTF-8' };
}

let boundaryCounter = 0;
function randomBoundary(): string {
  const bytes = localCrypto.getRandomValues(new Uint8ArrayCtor(12));
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += ((bytes[i] as number) % 36).toString(36);
  return `${s}${(boundaryCounter++).toString(36)}`;
}

function bytesBody(bytes: Uint8Array): InnerBody { return { bytes, stream: null, used: false }; }

/** The body as a stream (made on first access for byte bodies). */
export function bodyStream(body: InnerBody): ReadableStream<Uint8Array> {
  if (body.stream === null) {
    const bytes = body.bytes ?? new Uint8ArrayCtor(0);
    let offset = 0;
    body.stream = new ReadableStream<Uint8Array>({
      type: 'bytes',
      pull(controller: { enqueue(c: Uint8Array): void; close(): void }) {
        if (offset >= bytes.length) { controller.close(); return; }
        const end = MathMin(bytes.length, offset + 65536);
        const chunk = new Uint8ArrayCtor(end - offset);
        TypedArrayPrototypeSet(chunk, TypedArrayPrototypeSubarray(bytes, offset, end));
        controller.enqueue(chunk);
        offset = end;
      },
    } as never);
  }
  return body.stream;
}

/** https://fetch.spec.whatwg.org/#dom-body-bodyused */
export function isUsed(body: InnerBody | null): boolean {
  if (body === null) return false;
  return body.used || (body.stream !== null && (body.stream as unknown as { _disturbed?: boolean })._disturbed === true);
}

/** Reads the whole body once (https://fetch.spec.whatwg.org/#concept-body-consume-body). */
export async function consume(body: InnerBody | null): Promise<Uint8Array> {
  if (body === null) return new Uint8ArrayCtor(0);
  if (isUsed(body)) throw new TypeErrorCtor('Body is unusable: Body has already been read');
  if (body.stream !== null && body.stream.locked) throw new TypeErrorCtor('Body is unusable: Body stream is locked');
  body.used = true;
  if (body.stream === null) return body.bytes ?? new Uint8ArrayCtor(0);
  const reader = body.stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (!ArrayBufferIsView(value)) throw new TypeErrorCtor('Body stream chunks must be Uint8Arrays.');
    const bytes = bufferSourceBytes(value, 'body');
    ArrayPrototypePush(chunks, bytes);
    size += bytes.length;
  }
  const out = new Uint8ArrayCtor(size);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) { TypedArrayPrototypeSet(out, chunks[i] as Uint8Array, offset); offset += (chunks[i] as Uint8Array).length; }
  return out;
}

/** https://fetch.spec.whatwg.org/#concept-body-clone: byte bodies are shared, streams are teed. */
export function cloneBody(body: InnerBody | null): InnerBody | null {
  if (body === null) return null;
  if (isUsed(body)) throw new TypeErrorCtor('Failed to clone: Body has already been used');
  if (body.stream === null) return { bytes: body.bytes, stream: null, used: false };
  const [a, b] = body.stream.tee();
  body.stream = a;
  return { bytes: null, stream: b, used: false };
}

/** The body-reading methods shared by Request and Response. */
export const bodyMethods = {
  async text(body: InnerBody | null): Promise<string> { return new TextDecoder().decode(await consume(body)); },
  async json(body: InnerBody | null): Promise<unknown> { return JSON.parse(new TextDecoder().decode(await consume(body))); },
  async arrayBuffer(body: InnerBody | null): Promise<ArrayBuffer> { const b = await consume(body); return copy(b).buffer as ArrayBuffer; },
  async bytes(body: InnerBody | null): Promise<Uint8Array> { return copy(await consume(body)); },
  async blob(body: InnerBody | null, type: string | null): Promise<Blob> { return makeBlob(await consume(body), type ?? ''); },
  async formData(body: InnerBody | null, type: string | null): Promise<FormData> {
    const bytes = await consume(body);
    const mime = (type ?? '').toLowerCase();
    if (mime.startsWith('multipart/form-data')) {
      const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type ?? '');
      const value = boundary?.[1] ?? boundary?.[2];
      if (value === undefined) throw new TypeErrorCtor('Failed to parse the body as FormData: no multipart boundary.');
      return parseMultipart(bytes, value);
    }
    if (mime.startsWith('application/x-www-form-urlencoded')) {
      const form = new FormData();
      const pairs = parseUrlencoded(new TextDecoder().decode(bytes));
      for (let i = 0; i < pairs.length; i++) form.append((pairs[i] as [string, string])[0], (pairs[i] as [string, string])[1]);
      return form;
    }
    throw new TypeErrorCtor(`Failed to parse the body as FormData: unsupported content type '${type ?? ''}'.`);
  },
};

/** The body members Request and Response share (https://fetch.spec.whatwg.org/#body-mixin). */
export interface Body {
  readonly body: ReadableStream<Uint8Array> | null;
  readonly bodyUsed: boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  blob(): Promise<Blob>;
  formData(): Promise<FormData>;
}

/**
 * Installs the body mixin on a class's prototype, as Web IDL mixins are: `inner` reads the
 * receiver's body (and throws a TypeError for any other receiver), `type` its content type.
 */
export function installBodyMixin<T extends object>(proto: T, inner: (self: T) => InnerBody | null, type: (self: T) => string | null): void {
  const methods: Record<string, (this: T) => unknown> = {
    text() { return bodyMethods.text(inner(this)); },
    json() { return bodyMethods.json(inner(this)); },
    arrayBuffer() { return bodyMethods.arrayBuffer(inner(this)); },
    bytes() { return bodyMethods.bytes(inner(this)); },
    blob() { return bodyMethods.blob(inner(this), type(this)); },
    formData() { return bodyMethods.formData(inner(this), type(this)); },
  };
  for (const name of ['text', 'json', 'arrayBuffer', 'bytes', 'blob', 'formData']) {
    ObjectDefineProperty(proto, name, { value: methods[name], writable: true, configurable: true, enumerable: true });
  }
  ObjectDefineProperty(proto, 'body', {
    get(this: T) { const b = inner(this); return b === null ? null : bodyStream(b); },
    configurable: true, enumerable: true,
  });
  ObjectDefineProperty(proto, 'bodyUsed', { get(this: T) { return isUsed(inner(this)); }, configurable: true, enumerable: true });
}

function copy(src: Uint8Array): Uint8Array {
  const out = new Uint8ArrayCtor(src.length);
  TypedArrayPrototypeSet(out, src);
  return out;
}
