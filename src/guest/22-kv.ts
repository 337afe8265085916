/**
 * The KV binding: Cloudflare Workers KV's KVNamespace (https://developers.cloudflare.com/kv/api/).
 * Each KV binding is one KVNamespace on `env` that knows only its binding name; the host maps the
 * name to a namespace and checks every limit again. Each operation is one op (op_kv), settled by a
 * `kv` command. Arguments are checked here first, with Workers KV's error classes and messages.
 *
 * Internals never resolve a promise with a promise or an object the guest could make thenable,
 * and use only captured built-ins, so a guest that patches prototypes cannot break or hijack it.
 */
import type { GuestOps } from '../bridge/protocol.ts';
import {
  KV_MAX_CURSOR_CHARS, KV_MAX_EXPIRATION, KV_MAX_KEY_BYTES, KV_MAX_LIST_LIMIT, KV_MAX_METADATA_BYTES, KV_MAX_VALUE_BYTES,
  KV_MIN_TTL_SECONDS, kvMessages, type KvMethod,
} from '../bridge/kv.ts';
import {
  ArrayBufferIsView, ArrayIsArray, DateNow, ErrorCtor, JSONParse, JSONStringify, MapPrototypeDelete, MapPrototypeGet,
  MapPrototypeSet, MathFloor, MathTrunc, NumberCtor, NumberIsFinite, NumberIsInteger, ObjectCreate, ObjectDefineProperty,
  ObjectFreeze, ObjectPrototypeToString, PromiseCtor, PromisePrototypeThen, SafeMap, StringCtor, StringPrototypeToWellFormed,
  TypeErrorCtor, TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetByteLength, TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeGetLength, TypedArrayPrototypeSet, Uint8ArrayCtor, ArrayBufferPrototypeGetByteLength,
} from './00-primordials.ts';
import type { ReadableStream, ReadableStreamDefaultReader } from './vendor/web-streams-polyfill.mjs';
import { streams } from './13-streams.ts';
import { bufferSourceBytes, utf8Length } from './06-encoding.ts';
import { bodyStream } from './17-body.ts';

let ops: GuestOps;
/** Connects the KV binding to its op (called at boot). */
export function setKvOps(o: GuestOps): void { ops = o; }

type Reader = ReadableStreamDefaultReader<unknown>;

const CONSTRUCT = ObjectFreeze(ObjectCreate(null) as object);
type ValueType = 'text' | 'json' | 'arrayBuffer' | 'stream';
type Resolve = (value: unknown) => void;
type Reject = (reason: unknown) => void;
interface Pending { finish(payload: unknown): unknown; resolve: Resolve; reject: Reject }
const pending = new SafeMap<number, Pending>();
let bindingOf: (value: unknown) => string;

/** https://developers.cloudflare.com/kv/api/ : one KV namespace, reachable only through its binding. */
export class KVNamespace {
  readonly #binding: string;

  constructor(token: unknown, binding?: unknown) {
    if (token !== CONSTRUCT || typeof binding !== 'string') throw new TypeErrorCtor('Illegal constructor');
    this.#binding = binding;
  }

  static {
    bindingOf = (value) => {
      if (typeof value !== 'object' || value === null || !(#binding in value)) throw new TypeErrorCtor('Illegal invocation');
      return (value as KVNamespace).#binding;
    };
  }

  /** The value at `key` as text (default), parsed JSON, an ArrayBuffer or a ReadableStream; null when missing. */
  get(key: unknown, options?: unknown): Promise<unknown> {
    return operation((resolve, reject) => {
      const binding = bindingOf(this);
      const name = checkKey(key, 'GET');
      const type = valueType(options);
      send(binding, { op: 'get', key: name }, type, (payload) => (payload === null ? null : decode((payload as unknown[])[0], type)), resolve, reject);
    });
  }

  /** `{ value, metadata, cacheStatus }`; value and metadata are null when the key is missing. */
  getWithMetadata(key: unknown, options?: unknown): Promise<unknown> {
    return operation((resolve, reject) => {
      const binding = bindingOf(this);
      const name = checkKey(key, 'GET');
      const type = valueType(options);
      send(binding, { op: 'get', key: name }, type, (payload) => {
        if (payload === null) return { value: null, metadata: null, cacheStatus: null };
        const entry = payload as unknown[];
        return { value: decode(entry[0], type), metadata: entry[1] ?? null, cacheStatus: null };
      }, resolve, reject);
    });
  }

  /** Stores a string, ArrayBuffer, ArrayBufferView or ReadableStream at `key`. */
  put(key: unknown, value: unknown, options?: unknown): Promise<undefined> {
    return operation((resolve, reject) => {
      const binding = bindingOf(this);
      const name = checkKey(key, 'PUT');
      const opts = putOptions(options);
      const store = (body: string | Uint8Array): void => {
        send(binding, { op: 'put', key: name, value: body, expiration: opts.expiration, expirationTtl: opts.expirationTtl, metadata: opts.metadata }, 'none', () => undefined, resolve, reject);
      };
      if (typeof value === 'string') {
        const text = StringPrototypeToWellFormed(value);
        if (text.length * 3 > KV_MAX_VALUE_BYTES) {
          const bytes = utf8Length(text);
          if (bytes > KV_MAX_VALUE_BYTES) throw new ErrorCtor(kvMessages.valueTooLarge(bytes));
        }
        store(text);
      } else if (ObjectPrototypeToString(value) === '[object ReadableStream]') {
        readAll(value, store, reject);
      } else if (ArrayBufferIsView(value) || ObjectPrototypeToString(value) === '[object ArrayBuffer]') {
        const view = bufferSourceBytes(value, 'KV put()');
        const size = TypedArrayPrototypeGetLength(view);
        if (size > KV_MAX_VALUE_BYTES) throw new ErrorCtor(kvMessages.valueTooLarge(size));
        store(copyBytes(view));
      } else {
        throw new TypeErrorCtor(kvMessages.valueType());
      }
    }) as Promise<undefined>;
  }

  /** Removes `key` (resolves whether or not it existed). */
  delete(key: unknown): Promise<undefined> {
    return operation((resolve, reject) => {
      const binding = bindingOf(this);
      const name = checkKey(key, 'DELETE');
      send(binding, { op: 'delete', key: name }, 'none', () => undefined, resolve, reject);
    }) as Promise<undefined>;
  }

  /** `{ keys, list_complete, cursor?, cacheStatus }`: keys in UTF-8 byte order, at most `limit` (1000). */
  list(options?: unknown): Promise<unknown> {
    return operation((resolve, reject) => {
      const binding = bindingOf(this);
      const o = listOptions(options);
      send(binding, { op: 'list', prefix: o.prefix, cursor: o.cursor, limit: o.limit }, 'none', listResult, resolve, reject);
    });
  }
}
ObjectDefineProperty(KVNamespace.prototype, Symbol.toStringTag, { value: 'KVNamespace', configurable: true });
ObjectFreeze(KVNamespace.prototype);
ObjectFreeze(KVNamespace);

/** The KVNamespace for one binding name (called at boot, once per binding). */
export function kvNamespace(binding: string): KVNamespace {
  const namespace = new KVNamespace(CONSTRUCT, binding);
  ObjectFreeze(namespace);
  return namespace;
}

/** Settles a KV operation (called by the dispatcher with the host's `kv` command). */
export function onKvResult(id: number, ok: boolean, payload: unknown): void {
  const p = MapPrototypeGet(pending, id) as Pending | undefined;
  if (p === undefined) return;
  MapPrototypeDelete(pending, id);
  if (!ok) {
    const e = payload as { name?: unknown; message?: unknown };
    const message = StringCtor(e.message);
    p.reject(e.name === 'TypeError' ? new TypeErrorCtor(message) : new ErrorCtor(message));
    return;
  }
  let value: unknown;
  try {
    value = p.finish(payload);
  } catch (error) {
    p.reject(error);
    return;
  }
  p.resolve(value);
}

/** A new promise running `body`; whatever `body` throws rejects it (KV methods never throw). */
function operation(body: (resolve: Resolve, reject: Reject) => void): Promise<unknown> {
  return new PromiseCtor(body);
}

function send(binding: string, request: object, type: ValueType | 'none', finish: (payload: unknown) => unknown, resolve: Resolve, reject: Reject): void {
  let started;
  try {
    started = ops.op_kv(binding, request, type === 'text' || type === 'json');
  } catch {
    reject(new TypeErrorCtor('KV: the request could not be copied to the host.'));
    return;
  }
  if (started[0] !== true) { reject(new ErrorCtor(`KV: ${started[1]}`)); return; }
  MapPrototypeSet(pending, started[1], { finish, resolve, reject });
}

function checkKey(key: unknown, method: KvMethod): string {
  if (method === 'GET' && ArrayIsArray(key)) throw new TypeErrorCtor(kvMessages.bulkGet());
  if (key === undefined || typeof key === 'symbol') throw new TypeErrorCtor(`KV ${method === 'DELETE' ? 'delete' : method === 'PUT' ? 'put' : 'get'}() requires a key (a string).`);
  const name = StringPrototypeToWellFormed(StringCtor(key));
  if (name === '') throw new TypeErrorCtor(kvMessages.emptyKey());
  if (name === '.' || name === '..') throw new TypeErrorCtor(kvMessages.dotKey(name));
  const bytes = utf8Length(name);
  if (bytes > KV_MAX_KEY_BYTES) throw new ErrorCtor(kvMessages.keyTooLong(method, bytes));
  return name;
}

function valueType(options: unknown): ValueType {
  let type: unknown;
  if (options === undefined || options === null) type = undefined;
  else if (typeof options === 'object') type = (options as { type?: unknown }).type; // cacheTtl is accepted and ignored
  else type = StringCtor(options);
  if (type === undefined) return 'text';
  if (type === 'text' || type === 'json' || type === 'arrayBuffer' || type === 'stream') return type;
  throw new TypeErrorCtor(kvMessages.unknownType());
}

function decode(value: unknown, type: ValueType): unknown {
  switch (type) {
    case 'text': return value;
    case 'json': return JSONParse(value as string);
    case 'arrayBuffer': {
      const bytes = value as Uint8Array;
      const buffer = TypedArrayPrototypeGetBuffer(bytes);
      if (TypedArrayPrototypeGetByteOffset(bytes) === 0 && TypedArrayPrototypeGetByteLength(bytes) === ArrayBufferPrototypeGetByteLength(buffer)) return buffer;
      return TypedArrayPrototypeGetBuffer(copyBytes(bytes));
    }
    case 'stream': return bodyStream({ bytes: value as Uint8Array, stream: null, used: false });
  }
}

interface PutOptions { expiration: number | undefined; expirationTtl: number | undefined; metadata: unknown }

function putOptions(options: unknown): PutOptions {
  const out: PutOptions = { expiration: undefined, expirationTtl: undefined, metadata: undefined };
  if (options === undefined || options === null) return out;
  if (typeof options !== 'object') throw new TypeErrorCtor('KV put() options must be an object.');
  const o = options as { expiration?: unknown; expirationTtl?: unknown; metadata?: unknown };
  const expiration = o.expiration;
  const ttl = o.expirationTtl;
  const metadata = o.metadata;
  if (expiration !== undefined && expiration !== null) {
    const seconds = wholeSeconds(expiration);
    if (seconds === undefined) throw new ErrorCtor(kvMessages.badExpiration(StringCtor(expiration)));
    if (seconds < MathFloor(DateNow() / 1000) + KV_MIN_TTL_SECONDS) throw new ErrorCtor(kvMessages.expirationTooSoon(seconds));
    out.expiration = seconds;
  }
  if (ttl !== undefined && ttl !== null) {
    const seconds = wholeSeconds(ttl);
    if (seconds === undefined) throw new ErrorCtor(kvMessages.badTtl(StringCtor(ttl)));
    if (seconds < KV_MIN_TTL_SECONDS) throw new ErrorCtor(kvMessages.ttlTooShort(seconds));
    out.expirationTtl = seconds;
  }
  if (metadata !== undefined && metadata !== null) {
    const json = JSONStringify(metadata) as string | undefined;
    if (json !== undefined && json !== 'null') {
      const bytes = utf8Length(StringPrototypeToWellFormed(json));
      if (bytes > KV_MAX_METADATA_BYTES) throw new ErrorCtor(kvMessages.metadataTooLarge(bytes));
      out.metadata = JSONParse(json);
    }
  }
  return out;
}

/** A positive whole number of seconds (fractions dropped), or undefined. */
function wholeSeconds(value: unknown): number | undefined {
  const n = MathTrunc(NumberCtor(value));
  return NumberIsFinite(n) && n >= 1 && n <= KV_MAX_EXPIRATION ? n : undefined;
}

interface ListOptions { prefix: string | undefined; cursor: string | undefined; limit: number | undefined }

function listOptions(options: unknown): ListOptions {
  const out: ListOptions = { prefix: undefined, cursor: undefined, limit: undefined };
  if (options === undefined || options === null) return out;
  if (typeof options !== 'object') throw new TypeErrorCtor('KV list() options must be an object.');
  const o = options as { prefix?: unknown; cursor?: unknown; limit?: unknown };
  const prefix = o.prefix;
  const cursor = o.cursor;
  const limit = o.limit;
  if (prefix !== undefined && prefix !== null) {
    const p = StringPrototypeToWellFormed(StringCtor(prefix));
    const bytes = utf8Length(p);
    if (bytes > KV_MAX_KEY_BYTES) throw new ErrorCtor(kvMessages.prefixTooLong(bytes));
    if (p !== '') out.prefix = p;
  }
  if (cursor !== undefined && cursor !== null) {
    const c = StringCtor(cursor);
    if (c.length > KV_MAX_CURSOR_CHARS) throw new TypeErrorCtor(kvMessages.badCursor());
    if (c !== '') out.cursor = c;
  }
  if (limit !== undefined && limit !== null) {
    const n = NumberCtor(limit);
    if (!NumberIsInteger(n) || n < 1 || n > KV_MAX_LIST_LIMIT) throw new ErrorCtor(kvMessages.badLimit(StringCtor(limit)));
    out.limit = n;
  }
  return out;
}

/** The host sends a list as [keys, complete, cursor | null], each key as [name, expiration | null, metadata | null]. */
function listResult(payload: unknown): unknown {
  const p = payload as [unknown[], boolean, string | null];
  const raw = p[0];
  const keys: unknown[] = [];
  for (let i = 0; i < raw.length; i++) {
    const k = raw[i] as [string, number | null, unknown];
    const key: Record<string, unknown> = { name: k[0] };
    if (k[1] !== null) define(key, 'expiration', k[1]);
    if (k[2] !== null) define(key, 'metadata', k[2]);
    define(keys, i, key);
  }
  const result: Record<string, unknown> = { keys, list_complete: p[1] === true };
  if (p[2] !== null) define(result, 'cursor', p[2]);
  define(result, 'cacheStatus', null);
  return result;
}

/**
 * Adds a data property without [[Set]], so no setter a guest put on a prototype runs; the
 * descriptor has no prototype, so no `get` or `set` a guest put on Object.prototype is read.
 */
function define(target: object, key: string | number, value: unknown): void {
  ObjectDefineProperty(target, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
}

function copyBytes(src: Uint8Array): Uint8Array {
  const out = new Uint8ArrayCtor(TypedArrayPrototypeGetLength(src));
  TypedArrayPrototypeSet(out, src);
  return out;
}

function cancel(reader: Reader): void {
  PromisePrototypeThen(streams().readerCancel(reader), undefined, () => undefined);
}

/** Reads a put's stream to the end (at most 25 MiB), then hands its bytes to `done`. */
function readAll(stream: unknown, done: (bytes: Uint8Array) => void, fail: Reject): void {
  const { streamGetReader, readerRead } = streams();
  const reader = streamGetReader(stream as ReadableStream);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const step = (): void => {
    PromisePrototypeThen(readerRead(reader), (result) => {
      const r = result as { done: boolean; value: unknown };
      if (r.done) {
        const out = new Uint8ArrayCtor(total);
        let offset = 0;
        for (let i = 0; i < chunks.length; i++) {
          const chunk = chunks[i] as Uint8Array;
          TypedArrayPrototypeSet(out, chunk, offset);
          offset += TypedArrayPrototypeGetLength(chunk);
        }
        done(out);
        return;
      }
      let bytes: Uint8Array;
      try {
        bytes = bufferSourceBytes(r.value, 'KV put()');
      } catch {
        cancel(reader);
        fail(new TypeErrorCtor('KV put() stream chunks must be ArrayBuffers or ArrayBufferViews.'));
        return;
      }
      total += TypedArrayPrototypeGetLength(bytes);
      if (total > KV_MAX_VALUE_BYTES) {
        cancel(reader);
        fail(new ErrorCtor(kvMessages.valueTooLarge(total)));
        return;
      }
      define(chunks, chunks.length, copyBytes(bytes));
      step();
    }, fail);
  };
  step();
}
