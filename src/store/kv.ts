/**
 * KV storage for the KV binding: the narrow store interface, its embedded implementation on
 * Node's built-in node:sqlite, and `executeKv`, which checks one request against every Workers KV
 * rule and runs it on a namespace the host chose.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { IsletError } from '../errors.ts';
import { checkKvRequest, isKvProblem, kvMessages, type KvEntry, type KvListResult, type KvRequest, type KvResponse } from '../bridge/kv.ts';

export type { KvEntry, KvListKey, KvListResult, KvRequest, KvResponse } from '../bridge/kv.ts';

/** Narrow and asynchronous on purpose: a multi-node deployment will back it with a distributed store. */
export interface KvStore {
  /** The live entry at `key`, or null (expired entries are never returned). */
  get(namespace: string, key: string): Promise<KvEntry | null>;
  /** Stores `value` at `key`, replacing any entry; `expiration` is in unix seconds. */
  put(namespace: string, key: string, value: Uint8Array, options: { expiration?: number; metadata?: unknown }): Promise<void>;
  delete(namespace: string, key: string): Promise<void>;
  /** Live keys in UTF-8 byte order, at most `limit` (default and maximum 1000), after `cursor`. */
  list(namespace: string, options: { prefix?: string; cursor?: string; limit?: number }): Promise<KvListResult>;
  close(): void;
}

/** Options for {@link SqliteKvStore}. */
export interface SqliteKvStoreOptions {
  /** The clock, in milliseconds since the epoch (tests move it); default Date.now. */
  now?: () => number;
}

const SCHEMA_VERSION = 1;
/** Expired entries are purged lazily: when read, when listed, and every this many puts. */
const PURGE_EVERY_PUTS = 1000;
const MAX_LIST = 1000;

/**
 * A KvStore in one SQLite database (a file, or ':memory:'): one table keyed by (namespace, key),
 * keys stored as their UTF-8 bytes so they sort as Workers KV sorts them. WAL mode lets shard
 * processes and the server read while one writes; every operation is one statement, so each is
 * atomic on its own.
 */
export class SqliteKvStore implements KvStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #get: StatementSync;
  readonly #dropExpiredKey: StatementSync;
  readonly #put: StatementSync;
  readonly #delete: StatementSync;
  readonly #anyExpired: StatementSync;
  readonly #purge: StatementSync;
  #puts = 0;

  constructor(path: string, options: SqliteKvStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#db = new DatabaseSync(path, { timeout: 5000 });
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS kv_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS kv_entries (
        namespace TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL, metadata TEXT, expiration INTEGER,
        PRIMARY KEY (namespace, key));
      CREATE INDEX IF NOT EXISTS kv_entries_expiration ON kv_entries (expiration) WHERE expiration IS NOT NULL;
    `);
    const row = this.#db.prepare('SELECT value FROM kv_meta WHERE key = ?').get('schema') as { value: string } | undefined;
    if (row === undefined) this.#db.prepare('INSERT INTO kv_meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA_VERSION));
    else if (Number(row.value) > SCHEMA_VERSION) {
      this.#db.close();
      throw new Error(`the KV store in ${path} has schema ${row.value}, newer than this islet understands (${SCHEMA_VERSION}); upgrade islet`);
    }
    this.#get = this.#db.prepare('SELECT value, metadata, expiration FROM kv_entries WHERE namespace = ? AND key = ?');
    this.#dropExpiredKey = this.#db.prepare('DELETE FROM kv_entries WHERE namespace = ? AND key = ? AND expiration <= ?');
    this.#put = this.#db.prepare(`INSERT INTO kv_entries (namespace, key, value, metadata, expiration) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata, expiration = excluded.expiration`);
    this.#delete = this.#db.prepare('DELETE FROM kv_entries WHERE namespace = ? AND key = ?');
    this.#anyExpired = this.#db.prepare('SELECT 1 AS found FROM kv_entries WHERE expiration IS NOT NULL AND expiration <= ? LIMIT 1');
    this.#purge = this.#db.prepare('DELETE FROM kv_entries WHERE expiration IS NOT NULL AND expiration <= ?');
  }

  async get(namespace: string, key: string): Promise<KvEntry | null> {
    const keyBytes = Buffer.from(key, 'utf8');
    const row = this.#get.get(namespace, keyBytes) as { value: Uint8Array; metadata: string | null; expiration: number | null } | undefined;
    if (row === undefined) return null;
    const now = this.#seconds();
    if (row.expiration !== null && row.expiration <= now) {
      this.#dropExpiredKey.run(namespace, keyBytes, now);
      return null;
    }
    return { value: row.value, metadata: parseMetadata(row.metadata), expiration: row.expiration };
  }

  async put(namespace: string, key: string, value: Uint8Array, options: { expiration?: number; metadata?: unknown }): Promise<void> {
    const metadata = options.metadata === undefined || options.metadata === null ? null : JSON.stringify(options.metadata) ?? null;
    this.#put.run(namespace, Buffer.from(key, 'utf8'), value, metadata, options.expiration ?? null);
    if (++this.#puts % PURGE_EVERY_PUTS === 0) this.#purgeExpired(this.#seconds());
  }

  async delete(namespace: string, key: string): Promise<void> {
    this.#delete.run(namespace, Buffer.from(key, 'utf8'));
  }

  async list(namespace: string, options: { prefix?: string; cursor?: string; limit?: number }): Promise<KvListResult> {
    const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? MAX_LIST)), MAX_LIST);
    const now = this.#seconds();
    const where = ['namespace = ?', '(expiration IS NULL OR expiration > ?)'];
    const params: (string | number | Uint8Array)[] = [namespace, now];
    const prefix = options.prefix === undefined ? undefined : Buffer.from(options.prefix, 'utf8');
    if (prefix !== undefined && prefix.length > 0) {
      where.push('key >= ?');
      params.push(prefix);
      const end = prefixEnd(prefix);
      if (end !== undefined) { where.push('key < ?'); params.push(end); }
    }
    if (options.cursor !== undefined && options.cursor !== '') {
      where.push('key > ?');
      params.push(decodeCursor(options.cursor));
    }
    params.push(limit + 1);
    const rows = this.#db.prepare(`SELECT key, metadata, expiration FROM kv_entries WHERE ${where.join(' AND ')} ORDER BY key LIMIT ?`)
      .all(...params) as { key: Uint8Array; metadata: string | null; expiration: number | null }[];
    this.#purgeExpired(now);
    const complete = rows.length <= limit;
    const page = complete ? rows : rows.slice(0, limit);
    const keys = page.map((row) => {
      const key: KvListResult['keys'][number] = { name: Buffer.from(row.key).toString('utf8') };
      if (row.expiration !== null) key.expiration = row.expiration;
      if (row.metadata !== null) key.metadata = parseMetadata(row.metadata);
      return key;
    });
    const last = page[page.length - 1];
    if (complete || last === undefined) return { keys, list_complete: true };
    return { keys, list_complete: false, cursor: Buffer.from(last.key).toString('base64url') };
  }

  /** Closes the database. Idempotent. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #seconds(): number { return Math.floor(this.#now() / 1000); }

  /** Deletes every expired entry; looks first (a read, on the expiration index) so a clean store takes no write lock. */
  #purgeExpired(now: number): void {
    if (this.#anyExpired.get(now) !== undefined) this.#purge.run(now);
  }
}

/** The smallest byte string greater than every string that starts with `prefix`; undefined if none. */
function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

function decodeCursor(cursor: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new IsletError('KV_INVALID', kvMessages.badCursor());
  return Buffer.from(cursor, 'base64url');
}

function parseMetadata(json: string | null): unknown {
  return json === null ? null : JSON.parse(json) as unknown;
}

/**
 * Runs one KV request on `namespace`: checks it against every Workers KV rule first (the request
 * may come from a hostile guest, or over IPC from a shard), turns expirationTtl into an absolute
 * expiration on the host's clock, then calls the store. Throws IsletError KV_INVALID (malformed
 * arguments) or KV_LIMIT (a Workers KV limit) with the message the guest sees.
 */
export async function executeKv(store: KvStore, namespace: string, request: KvRequest): Promise<KvResponse> {
  if (typeof namespace !== 'string' || namespace === '') throw new IsletError('KV_INVALID', 'The KV namespace must be a non-empty string.');
  const nowSeconds = Math.floor(Date.now() / 1000);
  const checked = checkKvRequest(request, nowSeconds);
  if (isKvProblem(checked)) throw new IsletError(checked.kind === 'invalid' ? 'KV_INVALID' : 'KV_LIMIT', checked.message);
  switch (checked.op) {
    case 'get': return { op: 'get', entry: await store.get(namespace, checked.key) };
    case 'put': {
      const options: { expiration?: number; metadata?: unknown } = {};
      // When both are given, expirationTtl wins (Workers KV does not document an order).
      const expiration = checked.expirationTtl !== undefined ? nowSeconds + checked.expirationTtl : checked.expiration;
      if (expiration !== undefined) options.expiration = expiration;
      if (checked.metadata !== undefined) options.metadata = checked.metadata;
      await store.put(namespace, checked.key, checked.value, options);
      return { op: 'put' };
    }
    case 'delete':
      await store.delete(namespace, checked.key);
      return { op: 'delete' };
    case 'list': {
      const options: { prefix?: string; cursor?: string; limit?: number } = {};
      if (checked.prefix !== undefined) options.prefix = checked.prefix;
      if (checked.cursor !== undefined) options.cursor = checked.cursor;
      if (checked.limit !== undefined) options.limit = checked.limit;
      return { op: 'list', result: await store.list(namespace, options) };
    }
  }
}
