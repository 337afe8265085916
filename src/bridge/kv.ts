/**
 * The KV binding's contract (Cloudflare Workers KV compatible): its limits, the messages a guest
 * sees when it passes one, the plain-data request and response for one KV operation, and the
 * host-side check of a request as hostile input.
 *
 * Requests and responses are structured-clonable plain data: they cross from a guest's isolate to
 * the host and from a shard process to the process that owns the store. The guest prelude imports
 * the limits and messages from here as well, so both sides refuse the same things with the same
 * words. This file has no value imports (it is bundled into the prelude).
 */

/** Longest key, in UTF-8 bytes. */
export const KV_MAX_KEY_BYTES = 512;
/** Largest value, in bytes (25 MiB). */
export const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;
/** Largest metadata, as UTF-8 bytes of its JSON. */
export const KV_MAX_METADATA_BYTES = 1024;
/** Shortest expirationTtl, and how far ahead an absolute expiration must be, in seconds. */
export const KV_MIN_TTL_SECONDS = 60;
/** Most keys one list() returns (also its default). */
export const KV_MAX_LIST_LIMIT = 1000;
/** Longest cursor string accepted (cursors are opaque: the store makes them). */
export const KV_MAX_CURSOR_CHARS = 1024;
/** Latest expiration accepted, in unix seconds (year 9999): keeps every expiration a safe integer. */
export const KV_MAX_EXPIRATION = 253_402_300_799;

/** One stored value: its bytes, its metadata (null when none) and when it expires (unix seconds). */
export interface KvEntry { value: Uint8Array; metadata: unknown; expiration: number | null }

/** One key in a list result. */
export interface KvListKey { name: string; expiration?: number; metadata?: unknown }

/** A page of keys, sorted by their UTF-8 bytes; `cursor` fetches the next page when not complete. */
export interface KvListResult { keys: KvListKey[]; list_complete: boolean; cursor?: string }

/** One KV operation on a namespace the host chose (a request never names its namespace). */
export type KvRequest =
  | { op: 'get'; key: string }
  | { op: 'put'; key: string; value: Uint8Array; expiration?: number; expirationTtl?: number; metadata?: unknown }
  | { op: 'delete'; key: string }
  | { op: 'list'; prefix?: string; cursor?: string; limit?: number };

/** The result of one KV operation. */
export type KvResponse =
  | { op: 'get'; entry: KvEntry | null }
  | { op: 'put' }
  | { op: 'delete' }
  | { op: 'list'; result: KvListResult };

/** The operation names Workers KV puts in its error messages. */
export type KvMethod = 'GET' | 'PUT' | 'DELETE' | 'LIST';

/** Why a request is refused: bad arguments are a TypeError in the guest, a passed limit an Error. */
export interface KvProblem { kind: 'invalid' | 'limit'; message: string }

/** The messages guests see (Workers KV's wording where Workers has one). */
export const kvMessages = {
  emptyKey: (): string => 'Key name cannot be empty.',
  dotKey: (key: string): string => `"${key}" is not allowed as a key name.`,
  keyTooLong: (method: KvMethod, bytes: number): string =>
    `KV ${method} failed: 414 UTF-8 encoded length of ${bytes} exceeds key length limit of ${KV_MAX_KEY_BYTES}.`,
  prefixTooLong: (bytes: number): string =>
    `KV LIST failed: 414 UTF-8 encoded length of the prefix, ${bytes}, exceeds key length limit of ${KV_MAX_KEY_BYTES}.`,
  valueType: (): string => 'KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.',
  valueTooLarge: (bytes: number): string => `KV PUT failed: 413 Value length of ${bytes} exceeds limit of ${KV_MAX_VALUE_BYTES}.`,
  metadataTooLarge: (bytes: number): string => `KV PUT failed: 413 Metadata length of ${bytes} exceeds limit of ${KV_MAX_METADATA_BYTES}.`,
  badExpiration: (value: string): string =>
    `KV PUT failed: 400 Invalid expiration of ${value}. Please specify an integer number of seconds since the epoch, at most ${KV_MAX_EXPIRATION}.`,
  expirationTooSoon: (value: number): string =>
    `KV PUT failed: 400 Invalid expiration of ${value}. Expiration times must be at least ${KV_MIN_TTL_SECONDS} seconds in the future.`,
  badTtl: (value: string): string => `KV PUT failed: 400 Invalid expiration_ttl of ${value}. Please specify an integer number of seconds.`,
  ttlTooShort: (value: number): string => `KV PUT failed: 400 Invalid expiration_ttl of ${value}. Expiration TTL must be at least ${KV_MIN_TTL_SECONDS}.`,
  badLimit: (value: string): string => `KV LIST failed: 400 Invalid key_count_limit of ${value}. Please specify an integer from 1 to ${KV_MAX_LIST_LIMIT}.`,
  badCursor: (): string => 'KV LIST failed: 400 Invalid cursor. Pass the cursor of an earlier list() result unchanged.',
  unknownType: (): string => 'Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".',
  bulkGet: (): string => 'KV get() with an array of keys (bulk get) is not supported; get the keys one by one.',
  metadataNotJson: (reason: string): string => `KV PUT failed: the metadata cannot be serialized as JSON: ${reason}`,
} as const;

/** Bytes of a string's UTF-8 encoding (lone surrogates count as U+FFFD, as they are stored). Host only. */
export function utf8ByteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Checks one KV request as hostile input and returns a fresh copy holding only the known fields,
 * or the problem with it. Applies every Workers KV rule: key names and their length, value and
 * metadata sizes, expiration and expirationTtl, list limit and cursor length. `nowSeconds` is the
 * host's clock, for the rule that an absolute expiration is at least 60 seconds ahead.
 */
export function checkKvRequest(raw: unknown, nowSeconds: number): KvRequest | KvProblem {
  if (typeof raw !== 'object' || raw === null) return invalid('KV request must be an object.');
  const r = raw as Record<string, unknown>;
  switch (r['op']) {
    case 'get':
    case 'delete': {
      const key = checkKey(r['key'], r['op'] === 'get' ? 'GET' : 'DELETE');
      if (typeof key !== 'string') return key;
      return { op: r['op'], key };
    }
    case 'put': return checkPut(r, nowSeconds);
    case 'list': {
      const out: KvRequest & { op: 'list' } = { op: 'list' };
      const prefix = r['prefix'];
      if (prefix !== undefined) {
        if (typeof prefix !== 'string') return invalid('KV list() prefix must be a string.');
        const bytes = utf8ByteLength(prefix);
        if (bytes > KV_MAX_KEY_BYTES) return limit(kvMessages.prefixTooLong(bytes));
        if (prefix !== '') out.prefix = prefix.toWellFormed();
      }
      const cursor = r['cursor'];
      if (cursor !== undefined) {
        if (typeof cursor !== 'string' || cursor.length > KV_MAX_CURSOR_CHARS) return invalid(kvMessages.badCursor());
        if (cursor !== '') out.cursor = cursor;
      }
      const count = r['limit'];
      if (count !== undefined) {
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > KV_MAX_LIST_LIMIT) return limit(kvMessages.badLimit(String(count)));
        out.limit = count;
      }
      return out;
    }
    default: return invalid('KV request has an unknown op.');
  }
}

/** Whether checkKvRequest refused the request. */
export function isKvProblem(value: KvRequest | KvProblem): value is KvProblem {
  return 'kind' in value;
}

function checkPut(r: Record<string, unknown>, nowSeconds: number): KvRequest | KvProblem {
  const key = checkKey(r['key'], 'PUT');
  if (typeof key !== 'string') return key;
  const value = r['value'];
  if (!(value instanceof Uint8Array)) return invalid(kvMessages.valueType());
  if (value.byteLength > KV_MAX_VALUE_BYTES) return limit(kvMessages.valueTooLarge(value.byteLength));
  const out: KvRequest & { op: 'put' } = { op: 'put', key, value };
  const expiration = r['expiration'];
  if (expiration !== undefined) {
    if (typeof expiration !== 'number' || !Number.isInteger(expiration) || expiration < 1 || expiration > KV_MAX_EXPIRATION) return limit(kvMessages.badExpiration(String(expiration)));
    if (expiration < nowSeconds + KV_MIN_TTL_SECONDS) return limit(kvMessages.expirationTooSoon(expiration));
    out.expiration = expiration;
  }
  const ttl = r['expirationTtl'];
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > KV_MAX_EXPIRATION) return limit(kvMessages.badTtl(String(ttl)));
    if (ttl < KV_MIN_TTL_SECONDS) return limit(kvMessages.ttlTooShort(ttl));
    out.expirationTtl = ttl;
  }
  const metadata = r['metadata'];
  if (metadata !== undefined && metadata !== null) {
    let json: string | undefined;
    try {
      json = JSON.stringify(metadata);
    } catch (error) {
      return invalid(kvMessages.metadataNotJson(error instanceof Error ? error.message : 'not serializable'));
    }
    if (json !== undefined && json !== 'null') {
      const bytes = utf8ByteLength(json);
      if (bytes > KV_MAX_METADATA_BYTES) return limit(kvMessages.metadataTooLarge(bytes));
      out.metadata = JSON.parse(json) as unknown;
    }
  }
  return out;
}

function checkKey(key: unknown, method: KvMethod): string | KvProblem {
  if (typeof key !== 'string') return invalid('KV key must be a string.');
  if (key === '') return invalid(kvMessages.emptyKey());
  if (key === '.' || key === '..') return invalid(kvMessages.dotKey(key));
  const bytes = utf8ByteLength(key);
  if (bytes > KV_MAX_KEY_BYTES) return limit(kvMessages.keyTooLong(method, bytes));
  return key.toWellFormed();
}

function invalid(message: string): KvProblem { return { kind: 'invalid', message }; }
function limit(message: string): KvProblem { return { kind: 'limit', message }; }
