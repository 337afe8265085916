/** The Fetch standard's body mixin (https://fetch.spec.whatwg.org/#body-mixin): extraction, reading, cloning. */
import {
  ArrayBufferIsView, ArrayPrototypePush, JSONParse, NumberPrototypeToString, ObjectDefineProperty, RegExpPrototypeExec, StringCtor,
  StringPrototypeSlice, StringPrototypeToLowerCase, TypeErrorCtor, TypedArrayPrototypeGetBuffer, Uint8ArrayCtor,
} from './00-primordials.ts';
import { newPromise } from './01-promise.ts';
import { bufferSourceBytes, isArrayBuffer, utf8Decode, utf8Encode } from './06-encoding.ts';
import { isSearchParams, parseUrlencoded, serializeSearchParams } from './08-url.ts';
import type { ReadableStream } from './vendor/web-streams-polyfill.mjs';
import { isReadableStream, streams } from './13-streams.ts';
import { blobBytes, blobType, bytesStream, concat, copyBytes, isBlob, makeBlob, type Blob } from './14-blob.ts';
import { FormData, appendFormEntry, encodeMultipart, isFormData, parseMultipart } from './16-formdata.ts';
import { getRandomBytes } from './11-crypto.ts';

/** A body: bytes we hold (the common case, no stream made until asked), or a stream. */
export interface InnerBody {
  bytes: Uint8Array | null;
  stream: ReadableStream<Uint8Array> | null;
  used: boolean;
}

/** What a body init extracts to. */
export interface Extracted { body: InnerBody; type: string | null }

/** https://fetch.spec.whatwg.org/#concept-bodyinit-extract */
export function extractBody(init: unknown): Extracted {
  if (typeof init === 'string') return { body: bytesBody(utf8Encode(init)), type: 'text/plain;charset=UTF-8' };
  if (isBlob(init)) {
    const type = blobType(init);
    return { body: bytesBody(blobBytes(init)), type: type === '' ? null : type };
  }
  if (ArrayBufferIsView(init) || isArrayBuffer(init)) return { body: bytesBody(copyBytes(bufferSourceBytes(init, 'body'))), type: null };
  if (isSearchParams(init)) return { body: bytesBody(utf8Encode(serializeSearchParams(init))), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (isFormData(init)) {
    const boundary = `----islet-form-${randomBoundary()}`;
    return { body: bytesBody(encodeMultipart(init, boundary)), type: `multipart/form-data; boundary=${boundary}` };
  }
  if (isReadableStream(init)) {
    if (streams().isStreamLocked(init) || streams().isStreamDisturbed(init)) throw new TypeErrorCtor('The body stream is locked or has already been read.');
    return { body: { bytes: null, stream: init as ReadableStream<Uint8Array>, used: false }, type: null };
  }
  return { body: bytesBody(utf8Encode(StringCtor(init))), type: 'text/plain;charset=UTF-8' };
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
let boundaryCounter = 0;
function randomBoundary(): string {
  const bytes = getRandomBytes(12);
  let s = '';
  for (let i = 0; i < 12; i++) s += BASE36[(bytes[i] as number) % 36] as string;
  return `${s}${NumberPrototypeToString(boundaryCounter++, 36)}`;
}

function bytesBody(bytes: Uint8Array): InnerBody { return { bytes, stream: null, used: false }; }

/** The body as a stream (made on first access for byte bodies). */
export function bodyStream(body: InnerBody): ReadableStream<Uint8Array> {
  if (body.stream === null) body.stream = bytesStream(body.bytes ?? new Uint8ArrayCtor(0));
  return body.stream;
}

/** https://fetch.spec.whatwg.org/#dom-body-bodyused */
export function isUsed(body: InnerBody | null): boolean {
  if (body === null) return false;
  return body.used || (body.stream !== null && streams().isStreamDisturbed(body.stream));
}

/**
 * Reads the whole body once (https://fetch.spec.whatwg.org/#body-fully-read), then calls `done`
 * with its bytes or `fail` with the error. Stream bodies are read with read requests, not
 * promises, so a guest's `then` on Object.prototype or Promise.prototype sees none of it.
 */
function fullyRead(body: InnerBody | null, done: (bytes: Uint8Array) => void, fail: (error: unknown) => void): void {
  if (body === null) { done(new Uint8ArrayCtor(0)); return; }
  if (isUsed(body)) { fail(new TypeErrorCtor('Body is unusable: Body has already been read')); return; }
  if (body.stream !== null && streams().isStreamLocked(body.stream)) { fail(new TypeErrorCtor('Body is unusable: Body stream is locked')); return; }
  body.used = true;
  if (body.stream === null) { done(body.bytes ?? new Uint8ArrayCtor(0)); return; }
  const { acquireReader, readChunk } = streams();
  const reader = acquireReader(body.stream);
  const chunks: Uint8Array[] = [];
  // A read's steps may run before readChunk returns (the chunk was queued): loop, don't recurse.
  let inRead = false;
  let readAgain = false;
  const onChunk = (chunk: Uint8Array): void => {
    if (!ArrayBufferIsView(chunk)) { fail(new TypeErrorCtor('Body stream chunks must be Uint8Arrays.')); return; }
    ArrayPrototypePush(chunks, bufferSourceBytes(chunk, 'body'));
    if (inRead) readAgain = true;
    else next();
  };
  const next = (): void => {
    do {
      readAgain = false;
      inRead = true;
      readChunk(reader, onChunk, () => { done(concat(chunks)); }, fail);
      inRead = false;
    } while (readAgain);
  };
  next();
}

/** A promise for `consume(bytes)` over the fully read body; an exception in `consume` rejects it. */
function consumeBody<T>(body: InnerBody | null, consume: (bytes: Uint8Array) => T): Promise<T> {
  return newPromise<T>((resolve, reject) => {
    fullyRead(body, (bytes) => {
      let value: T;
      try { value = consume(bytes); } catch (error) { reject(error); return; }
      resolve(value);
    }, reject);
  });
}

/** https://fetch.spec.whatwg.org/#concept-body-clone: byte bodies are shared, streams are teed. */
export function cloneBody(body: InnerBody | null): InnerBody | null {
  if (body === null) return null;
  if (isUsed(body)) throw new TypeErrorCtor('Failed to clone: Body has already been used');
  if (body.stream === null) return { bytes: body.bytes, stream: null, used: false };
  const branches = streams().teeStream(body.stream);
  body.stream = branches[0];
  return { bytes: null, stream: branches[1], used: false };
}

/** https://fetch.spec.whatwg.org/#dom-body-formdata, from the fully read bytes. */
function formDataOf(bytes: Uint8Array, type: string | null): FormData {
  const mime = StringPrototypeToLowerCase(type ?? '');
  if (StringPrototypeSlice(mime, 0, 19) === 'multipart/form-data') {
    const boundary = RegExpPrototypeExec(/boundary=(?:"([^"]+)"|([^;\s]+))/i, type ?? '');
    const value = boundary?.[1] ?? boundary?.[2];
    if (value === undefined) throw new TypeErrorCtor('Failed to parse the body as FormData: no multipart boundary.');
    return parseMultipart(bytes, value);
  }
  if (StringPrototypeSlice(mime, 0, 33) === 'application/x-www-form-urlencoded') {
    const form = new FormData();
    const pairs = parseUrlencoded(utf8Decode(bytes));
    for (let i = 0; i < pairs.length; i++) appendFormEntry(form, (pairs[i] as [string, string])[0], (pairs[i] as [string, string])[1]);
    return form;
  }
  throw new TypeErrorCtor(`Failed to parse the body as FormData: unsupported content type '${type ?? ''}'.`);
}

/** The body-reading methods shared by Request and Response. */
export const bodyMethods = {
  text(body: InnerBody | null): Promise<string> { return consumeBody(body, utf8Decode); },
  json(body: InnerBody | null): Promise<unknown> { return consumeBody(body, (bytes) => JSONParse(utf8Decode(bytes)) as unknown); },
  arrayBuffer(body: InnerBody | null): Promise<ArrayBuffer> { return consumeBody(body, (bytes) => TypedArrayPrototypeGetBuffer(copyBytes(bytes)) as ArrayBuffer); },
  bytes(body: InnerBody | null): Promise<Uint8Array> { return consumeBody(body, copyBytes); },
  blob(body: InnerBody | null, type: string | null): Promise<Blob> { return consumeBody(body, (bytes) => makeBlob(bytes, type ?? '')); },
  formData(body: InnerBody | null, type: string | null): Promise<FormData> { return consumeBody(body, (bytes) => formDataOf(bytes, type)); },
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
