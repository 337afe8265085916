// The KV binding: the SQLite store, the host-side request checks (executeKv), and the guest's
// KVNamespace inside real isolates (a run core with KV bindings backed by SqliteKvStore).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteKvStore, executeKv, type KvRequest, type KvResponse, type KvStore } from '../src/store/kv.ts';
import { RunCore, type CoreHost, type RequestIo, type RunOutcome } from '../src/sandbox/core.ts';
import { runKvOp } from '../src/sandbox/kv-host.ts';
import { IsletError } from '../src/errors.ts';

const MiB = 1024 * 1024;
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const seconds = (): number => Math.floor(Date.now() / 1000);

/** A store whose clock the test moves. */
function clockedStore(path = ':memory:'): { store: SqliteKvStore; clock: { offsetMs: number } } {
  const clock = { offsetMs: 0 };
  return { store: new SqliteKvStore(path, { now: () => Date.now() + clock.offsetMs }), clock };
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (error: unknown) => {
    assert.ok(error instanceof IsletError, `an IsletError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

describe('SqliteKvStore', () => {
  test('get, put, delete: values as bytes, metadata null when none, put replaces value, metadata and expiration', async () => {
    const store = new SqliteKvStore(':memory:');
    assert.equal(await store.get('ns', 'k'), null);
    const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
    await store.put('ns', 'k', binary, {});
    const entry = await store.get('ns', 'k');
    assert.deepEqual(entry, { value: binary, metadata: null, expiration: null });
    const later = seconds() + 1000;
    await store.put('ns', 'k', utf8('v2'), { metadata: { a: [1, { b: null }] }, expiration: later });
    assert.deepEqual(await store.get('ns', 'k'), { value: utf8('v2'), metadata: { a: [1, { b: null }] }, expiration: later });
    await store.put('ns', 'k', new Uint8Array(0), {});
    assert.deepEqual(await store.get('ns', 'k'), { value: new Uint8Array(0), metadata: null, expiration: null });
    await store.delete('ns', 'k');
    assert.equal(await store.get('ns', 'k'), null);
    await store.delete('ns', 'never');
    store.close();
    store.close();
  });

  test('namespaces are separate: same key, different values; delete and list stay in their namespace', async () => {
    const store = new SqliteKvStore(':memory:');
    await store.put('a', 'k', utf8('in a'), {});
    await store.put('b', 'k', utf8('in b'), {});
    await store.put('b', 'only-b', utf8(''), {});
    assert.equal(text((await store.get('a', 'k'))?.value), 'in a');
    assert.equal(text((await store.get('b', 'k'))?.value), 'in b');
    assert.deepEqual((await store.list('a', {})).keys, [{ name: 'k' }]);
    await store.delete('a', 'k');
    assert.equal(text((await store.get('b', 'k'))?.value), 'in b');
    store.close();
  });

  test('list: UTF-8 byte order (not UTF-16 order), prefix bounds, metadata and expiration per key', async () => {
    const store = new SqliteKvStore(':memory:');
    const names = ['b', 'a', 'é', '\uffff', '😀', 'a:1', 'A', 'a;', 'user:1', 'user:2', 'user;x', 'use'];
    for (const name of names) await store.put('ns', name, utf8(name), {});
    const listed = (await store.list('ns', {})).keys.map((k) => k.name);
    assert.deepEqual(listed, ['A', 'a', 'a:1', 'a;', 'b', 'use', 'user:1', 'user:2', 'user;x', 'é', '\uffff', '😀']);
    assert.notDeepEqual(listed, [...names].sort(), 'JavaScript string order differs for U+FFFF and the emoji');
    assert.deepEqual((await store.list('ns', { prefix: 'user:' })).keys.map((k) => k.name), ['user:1', 'user:2']);
    assert.deepEqual((await store.list('ns', { prefix: 'a' })).keys.map((k) => k.name), ['a', 'a:1', 'a;']);
    assert.deepEqual((await store.list('ns', { prefix: '\uffff' })).keys.map((k) => k.name), ['\uffff']);
    assert.deepEqual((await store.list('ns', { prefix: 'zz' })).keys, []);
    const exp = seconds() + 500;
    await store.put('ns', 'a', utf8('x'), { metadata: 'just a string', expiration: exp });
    const first = await store.list('ns', { limit: 2 });
    assert.deepEqual(first.keys, [{ name: 'A' }, { name: 'a', expiration: exp, metadata: 'just a string' }]);
    store.close();
  });

  test('list pages with an opaque cursor: default and maximum 1000, every key exactly once', async () => {
    const store = new SqliteKvStore(':memory:');
    const all = Array.from({ length: 2345 }, (_, i) => `key-${String(i).padStart(5, '0')}`);
    for (const name of [...all].reverse()) await store.put('ns', name, new Uint8Array(1), {});
    const pages: number[] = [];
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.list('ns', cursor === undefined ? {} : { cursor });
      pages.push(page.keys.length);
      seen.push(...page.keys.map((k) => k.name));
      if (page.list_complete) { assert.equal(page.cursor, undefined); break; }
      assert.equal(typeof page.cursor, 'string');
      cursor = page.cursor;
    }
    assert.deepEqual(pages, [1000, 1000, 345]);
    assert.deepEqual(seen, all);
    assert.equal((await store.list('ns', { limit: 5000 })).keys.length, 1000, 'the store caps a limit it is given at 1000');
    // Small pages with a prefix, and exactly one full page ends complete only when nothing follows.
    const small: string[] = [];
    cursor = undefined;
    for (;;) {
      const page = await store.list('ns', { prefix: 'key-0001', limit: 7, ...(cursor === undefined ? {} : { cursor }) });
      small.push(...page.keys.map((k) => k.name));
      if (page.list_complete) break;
      cursor = page.cursor;
    }
    assert.deepEqual(small, all.filter((n) => n.startsWith('key-0001')));
    const exact = await store.list('ns', { prefix: 'key-0000', limit: 10 });
    assert.equal(exact.keys.length, 10);
    assert.equal(exact.list_complete, true);
    await rejectsWith(store.list('ns', { cursor: 'not base64url!' }), 'KV_INVALID', /Invalid cursor/);
    store.close();
  });

  test('expired entries are never returned, and are purged when read or listed', async () => {
    const { store, clock } = clockedStore();
    const now = seconds();
    await store.put('ns', 'short', utf8('s'), { expiration: now + 100 });
    await store.put('ns', 'listed', utf8('l'), { expiration: now + 100 });
    await store.put('ns', 'long', utf8('l'), { expiration: now + 10_000 });
    await store.put('ns', 'forever', utf8('f'), {});
    assert.equal(text((await store.get('ns', 'short'))?.value), 's');
    assert.equal((await store.list('ns', {})).keys.length, 4);
    clock.offsetMs = 100_000; // the expiration second itself counts as expired
    assert.equal(await store.get('ns', 'short'), null);
    assert.deepEqual((await store.list('ns', {})).keys.map((k) => k.name), ['forever', 'long']);
    // Back in time: purged rows do not come back, so they were deleted, not just hidden.
    clock.offsetMs = 0;
    assert.equal(await store.get('ns', 'short'), null, 'purged by the read');
    assert.equal(await store.get('ns', 'listed'), null, 'purged by the list');
    assert.equal(text((await store.get('ns', 'long'))?.value), 'l');
    store.close();
  });

  test('data persists across closing and reopening a file; the file is in WAL mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'islet-kv-'));
    try {
      const file = join(dir, 'kv.db');
      const first = new SqliteKvStore(file);
      const exp = seconds() + 3600;
      await first.put('app', 'greeting', utf8('hello'), { metadata: { lang: 'en' }, expiration: exp });
      await first.put('app', 'other', utf8('x'), {});
      await first.delete('app', 'other');
      first.close();
      const second = new SqliteKvStore(file);
      assert.deepEqual(await second.get('app', 'greeting'), { value: utf8('hello'), metadata: { lang: 'en' }, expiration: exp });
      assert.equal(await second.get('app', 'other'), null);
      // A second connection to the same file (another process, say) sees the writes.
      const peer = new SqliteKvStore(file);
      await second.put('app', 'shared', utf8('seen'), {});
      assert.equal(text((await peer.get('app', 'shared'))?.value), 'seen');
      peer.close();
      second.close();
      const db = new DatabaseSync(file);
      assert.equal(db.prepare('PRAGMA journal_mode').get()?.['journal_mode'], 'wal');
      db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('executeKv (host-side checks)', () => {
  const store = new SqliteKvStore(':memory:');
  after(() => store.close());
  const put = (key: string, value: Uint8Array, extra: Partial<KvRequest & { op: 'put' }> = {}): Promise<KvResponse> =>
    executeKv(store, 'ns', { op: 'put', key, value, ...extra } as KvRequest);

  test('runs each op and answers with plain, structured-clonable data', async () => {
    const requests: KvRequest[] = [
      { op: 'put', key: 'k', value: utf8('v'), metadata: { m: 1 } },
      { op: 'get', key: 'k' },
      { op: 'list', prefix: 'k', limit: 10 },
      { op: 'delete', key: 'k' },
      { op: 'get', key: 'k' },
    ];
    const responses: KvResponse[] = [];
    for (const request of requests) {
      assert.deepEqual(structuredClone(request), request);
      const response = await executeKv(store, 'ns', structuredClone(request));
      assert.deepEqual(structuredClone(response), response);
      responses.push(response);
    }
    assert.deepEqual(responses, [
      { op: 'put' },
      { op: 'get', entry: { value: utf8('v'), metadata: { m: 1 }, expiration: null } },
      { op: 'list', result: { keys: [{ name: 'k', metadata: { m: 1 } }], list_complete: true } },
      { op: 'delete' },
      { op: 'get', entry: null },
    ]);
  });

  test('keys: empty, "." and ".." are KV_INVALID; more than 512 UTF-8 bytes is KV_LIMIT', async () => {
    await rejectsWith(executeKv(store, 'ns', { op: 'get', key: '' }), 'KV_INVALID', 'Key name cannot be empty.');
    await rejectsWith(executeKv(store, 'ns', { op: 'delete', key: '.' }), 'KV_INVALID', '"." is not allowed as a key name.');
    await rejectsWith(put('..', utf8('v')), 'KV_INVALID', '".." is not allowed as a key name.');
    await rejectsWith(put('k'.repeat(513), utf8('v')), 'KV_LIMIT', 'KV PUT failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.');
    await rejectsWith(executeKv(store, 'ns', { op: 'get', key: 'é'.repeat(257) }), 'KV_LIMIT', 'KV GET failed: 414 UTF-8 encoded length of 514 exceeds key length limit of 512.');
    await put('é'.repeat(256), utf8('v'));
    assert.equal(text((await store.get('ns', 'é'.repeat(256)))?.value), 'v');
  });

  test('values over 25 MiB, metadata over 1024 bytes of JSON and unserializable metadata are refused', async () => {
    await rejectsWith(put('big', new Uint8Array(25 * MiB + 1)), 'KV_LIMIT', 'KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.');
    await put('big', new Uint8Array(25 * MiB));
    assert.equal((await store.get('ns', 'big'))?.value.byteLength, 25 * MiB);
    await store.delete('ns', 'big');
    const pad = (n: number) => ({ m: 'x'.repeat(n - '{"m":""}'.length) });
    await rejectsWith(put('md', utf8('v'), { metadata: pad(1025) }), 'KV_LIMIT', 'KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024.');
    await put('md', utf8('v'), { metadata: pad(1024) });
    assert.deepEqual((await store.get('ns', 'md'))?.metadata, pad(1024));
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await rejectsWith(put('md', utf8('v'), { metadata: cyclic }), 'KV_INVALID', /cannot be serialized as JSON/);
    // Metadata is normalised through JSON before it is stored.
    await put('md2', utf8('v'), { metadata: new Map([[1, 2]]) });
    assert.deepEqual((await store.get('ns', 'md2'))?.metadata, {});
  });

  test('expirationTtl under 60 and expiration under 60 s ahead are KV_LIMIT; a ttl becomes an absolute expiration', async () => {
    await rejectsWith(put('e', utf8('v'), { expirationTtl: 59 }), 'KV_LIMIT', 'KV PUT failed: 400 Invalid expiration_ttl of 59. Expiration TTL must be at least 60.');
    await rejectsWith(put('e', utf8('v'), { expirationTtl: 60.5 }), 'KV_LIMIT', /Invalid expiration_ttl of 60.5/);
    const soon = seconds() + 59;
    await rejectsWith(put('e', utf8('v'), { expiration: soon }), 'KV_LIMIT', `KV PUT failed: 400 Invalid expiration of ${soon}. Expiration times must be at least 60 seconds in the future.`);
    await rejectsWith(put('e', utf8('v'), { expiration: 1e300 }), 'KV_LIMIT', /Invalid expiration of 1e\+300/);
    const before = seconds();
    await put('e', utf8('v'), { expirationTtl: 60 });
    const expiration = (await store.get('ns', 'e'))?.expiration ?? 0;
    assert.ok(expiration >= before + 60 && expiration <= seconds() + 60, `${expiration} is now + 60`);
    await put('e2', utf8('v'), { expiration: before + 120, expirationTtl: 3600 });
    assert.ok(((await store.get('ns', 'e2'))?.expiration ?? 0) >= before + 3600, 'expirationTtl wins when both are given');
  });

  test('list: limit outside 1..1000 is KV_LIMIT, a non-string or overlong cursor KV_INVALID', async () => {
    for (const limit of [0, 1001, 1.5, Number.NaN]) await rejectsWith(executeKv(store, 'ns', { op: 'list', limit }), 'KV_LIMIT', /Invalid key_count_limit/);
    await rejectsWith(executeKv(store, 'ns', { op: 'list', cursor: 'x'.repeat(1025) }), 'KV_INVALID', /Invalid cursor/);
    await rejectsWith(executeKv(store, 'ns', { op: 'list', cursor: 7 } as unknown as KvRequest), 'KV_INVALID');
    await rejectsWith(executeKv(store, 'ns', { op: 'list', prefix: 'p'.repeat(513) }), 'KV_LIMIT', /prefix/);
  });

  test('hostile shapes are KV_INVALID, and a request cannot name another namespace', async () => {
    const bad: unknown[] = [null, 'get', [], { op: 'drop', key: 'k' }, { op: 'get', key: 1 }, { op: 'get' },
      { op: 'put', key: 'k', value: 'a string' }, { op: 'put', key: 'k', value: [1, 2] }, { op: 'put', key: 'k' }, { op: 'list', prefix: 5 }];
    for (const request of bad) await rejectsWith(executeKv(store, 'ns', request as KvRequest), 'KV_INVALID');
    await rejectsWith(executeKv(store, '', { op: 'get', key: 'k' }), 'KV_INVALID');
    await store.put('theirs', 'secret', utf8('s'), {});
    const sneaky = { op: 'get', key: 'secret', namespace: 'theirs' } as unknown as KvRequest;
    assert.deepEqual(await executeKv(store, 'mine', sneaky), { op: 'get', entry: null });
    await executeKv(store, 'mine', { op: 'put', key: 'x', value: utf8('v'), namespace: 'theirs' } as unknown as KvRequest);
    assert.equal(await store.get('theirs', 'x'), null);
  });
});

// ---- The guest's KVNamespace inside real isolates ----

const LIMITS = { memoryMb: 256, cpuMs: 60_000, wallMs: 120_000, stdoutBytes: 1_000_000, stderrBytes: 1_000_000 };
const guestDir = new URL('./guest/', import.meta.url);
const harness = await readFile(new URL('harness.ts', guestDir), 'utf8');

interface CoreOptions {
  bindings?: Record<string, { kv: string }>;
  env?: Record<string, unknown>;
  kv?: CoreHost['kv'];
  modules?: Record<string, string>;
  persistent?: boolean;
}

/** A run core whose KV hook maps each binding to its namespace in `store`, as a server would. */
function kvCore(store: KvStore, options: CoreOptions = {}): { core: RunCore; stderr: string[] } {
  const bindings = options.bindings ?? { CACHE: { kv: 'cache' }, OTHER: { kv: 'other' } };
  const stderr: string[] = [];
  const host: CoreHost = {
    callService: () => Promise.reject(new Error('no services')),
    emit: () => {},
    output: (stream, chunk) => { if (stream === 2) stderr.push(chunk); },
    loadModule: (path) => options.modules?.[path],
  };
  const hook = 'kv' in options ? options.kv : (binding: string, request: KvRequest) => executeKv(store, bindings[binding]?.kv ?? '', request);
  if (hook !== undefined) host.kv = hook;
  const core = new RunCore({ limits: LIMITS, persistent: options.persistent ?? false, services: [], env: options.env ?? {}, bindings }, host);
  return { core, stderr };
}

function value(outcome: RunOutcome, stderr: string[]): unknown {
  assert.ok(outcome.ok, `the run failed: ${outcome.error?.code} ${outcome.error?.message}\n${outcome.error?.guest?.stack ?? ''}\n${stderr.join('')}`);
  return outcome.value;
}

describe('KVNamespace in the guest', () => {
  test('every method, type and limit, inside an isolate (test/guest/kv-binding.ts)', async (t) => {
    const store = new SqliteKvStore(':memory:');
    const { core, stderr } = kvCore(store, { modules: { 'harness.ts': harness } });
    try {
      const source = await readFile(new URL('kv-binding.ts', guestDir), 'utf8');
      const results = value(await core.run({ kind: 'module', source, filename: 'kv-binding.ts', args: [] }), stderr) as { name: string; ok: boolean; error?: string }[];
      assert.ok(results.length >= 10, 'the guest file registered its tests');
      for (const r of results) await t.test(r.name, () => { if (!r.ok) assert.fail(r.error ?? 'failed'); });
      // Seen from the host: the two bindings wrote to their own namespaces only.
      assert.equal(text((await store.get('cache', 'shared-name'))?.value), 'in cache');
      assert.equal(await store.get('other', 'shared-name'), null);
      assert.equal(text((await store.get('other', 'only-other'))?.value), 'x');
      assert.equal(await store.get('cache', 'only-other'), null);
      assert.deepEqual((await store.get('cache', 'meta:a'))?.metadata, null);
    } finally {
      core.dispose();
      store.close();
    }
  });

  test('a guest that patches Array, Object, Promise, Function, Reflect, JSON, ... neither breaks nor hijacks the binding', async () => {
    const store = new SqliteKvStore(':memory:');
    const { core, stderr } = kvCore(store);
    try {
      const source = await readFile(new URL('kv-hostile.ts', guestDir), 'utf8');
      const all = value(await core.run({ kind: 'module', source, filename: 'kv-hostile.ts', args: ['all'] }), stderr) as { trapped: string; results: unknown[] };
      assert.equal(all.trapped, '', 'the binding called none of the patched built-ins');
      const [put, putBytes, got, json, buffer, withMeta, page1, page2, deleted, gone, errors] = all.results;
      assert.deepEqual([put, putBytes, got, json, buffer], ['resolved', 'resolved', 'héllo', { n: [1, 2] }, [1, 2, 3]]);
      assert.deepEqual(withMeta, { value: 'héllo', metadata: { m: 1 }, cacheStatus: null });
      const p1 = page1 as { keys: { name: string; expiration?: number }[]; list_complete: boolean; cursor: string };
      assert.deepEqual(p1.keys.map((k) => k.name), ['h:a', 'h:b']);
      assert.ok(typeof p1.keys[0]?.expiration === 'number');
      assert.equal(p1.list_complete, false);
      assert.deepEqual(page2, { keys: [{ name: 'h:json' }], list_complete: true, cacheStatus: null });
      assert.deepEqual([deleted, gone], ['resolved', null]);
      assert.deepEqual(errors, [
        'TypeError: Key name cannot be empty.',
        'Error: KV PUT failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.',
        'Error: KV PUT failed: 413 Metadata length of 1028 exceeds limit of 1024.',
        'Error: KV PUT failed: 400 Invalid expiration_ttl of 59. Expiration TTL must be at least 60.',
        'TypeError: KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.',
        'Error: KV LIST failed: 400 Invalid key_count_limit of 1001. Please specify an integer from 1 to 1000.',
        'TypeError: Illegal invocation',
      ]);
      const streams = value(await core.run({ kind: 'module', source, filename: 'kv-hostile.ts', args: ['streams'] }), stderr);
      assert.deepEqual(streams, { trapped: '', put: 'resolved', stored: 'a!b!', streamed: [...utf8('text')] });
    } finally {
      core.dispose();
      store.close();
    }
  });

  test('expired entries vanish for the guest too (get, getWithMetadata, list)', async () => {
    const { store, clock } = clockedStore();
    const { core, stderr } = kvCore(store, { persistent: true });
    const run = async (source: string): Promise<unknown> => value(await core.run({ kind: 'module', source, filename: 'main.js', args: [] }), stderr);
    try {
      await run(`export default async () => { await env.CACHE.put('t', 'v', { expirationTtl: 60 }); await env.CACHE.put('keep', 'k'); }`);
      const read = `export default async () => [await env.CACHE.get('t'), (await env.CACHE.getWithMetadata('t')).value, (await env.CACHE.list()).keys.map((k) => k.name)]`;
      assert.deepEqual(await run(read), ['v', 'v', ['keep', 't']]);
      clock.offsetMs = 61_000;
      assert.deepEqual(await run(read), [null, null, ['keep']]);
    } finally {
      core.dispose();
      store.close();
    }
  });

  test('an app\'s fetch handler gets the bindings on env, per request', async () => {
    const store = new SqliteKvStore(':memory:');
    const { core, stderr } = kvCore(store, { persistent: true, env: { GREETING: 'hi' } });
    try {
      const app = `export default { async fetch(request, env) {
        const url = new URL(request.url);
        const n = Number(await env.CACHE.get('count') ?? '0') + 1;
        await env.CACHE.put('count', String(n), { metadata: { path: url.pathname } });
        return Response.json({ n, greeting: env.GREETING, keys: Object.keys(env), other: await env.OTHER.get('count') });
      } }`;
      value(await core.run({ kind: 'app', source: app, filename: 'app.js', args: [] }), stderr);
      const bodies: unknown[] = [];
      for (const path of ['/a', '/b']) {
        const chunks: Uint8Array[] = [];
        const io: RequestIo = {
          readBody: async () => null,
          head: () => {},
          write: (chunk) => { chunks.push(chunk); return true; },
          endWith: (body) => { if (body !== null) chunks.push(body); },
          drained: async () => {},
          end: () => {},
        };
        const outcome = await core.request({ method: 'GET', url: `http://app.test${path}`, headers: [], hasBody: false }, io).done;
        assert.ok(outcome.ok && outcome.responded, outcome.error?.message);
        bodies.push(JSON.parse(text(Buffer.concat(chunks))));
      }
      assert.deepEqual(bodies, [
        { n: 1, greeting: 'hi', keys: ['GREETING', 'CACHE', 'OTHER'], other: null },
        { n: 2, greeting: 'hi', keys: ['GREETING', 'CACHE', 'OTHER'], other: null },
      ]);
      assert.deepEqual((await store.get('cache', 'count'))?.metadata, { path: '/b' });
    } finally {
      core.dispose();
      store.close();
    }
  });

  test('without a kv hook the methods reject with a clear Error; store failures reach the guest without host detail', async () => {
    const store = new SqliteKvStore(':memory:');
    const probe = `export default async () => {
      const out = [];
      for (const call of [() => env.CACHE.get('k'), () => env.CACHE.put('k', 'v'), () => env.CACHE.list()]) {
        try { await call(); out.push('resolved'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
      }
      return out;
    }`;
    const unwired = kvCore(store, { kv: undefined });
    const failing = kvCore(store, { kv: () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error at /var/lib/islet/kv.db')) });
    try {
      assert.deepEqual(value(await unwired.core.run({ kind: 'module', source: probe, filename: 'main.js', args: [] }), unwired.stderr), [
        'Error: KV GET failed: the binding "CACHE" is not connected to a KV store on this host.',
        'Error: KV PUT failed: the binding "CACHE" is not connected to a KV store on this host.',
        'Error: KV LIST failed: the binding "CACHE" is not connected to a KV store on this host.',
      ]);
      assert.deepEqual(value(await failing.core.run({ kind: 'module', source: probe, filename: 'main.js', args: [] }), failing.stderr), [
        'Error: KV GET failed: 500 the KV store is unavailable; try again.',
        'Error: KV PUT failed: 500 the KV store is unavailable; try again.',
        'Error: KV LIST failed: 500 the KV store is unavailable; try again.',
      ]);
    } finally {
      unwired.core.dispose();
      failing.core.dispose();
      store.close();
    }
  });

  test('an unhandled KV rejection fails the run as a guest exception', async () => {
    const store = new SqliteKvStore(':memory:');
    const { core } = kvCore(store);
    try {
      const outcome = await core.run({ kind: 'module', source: `export default async () => { await env.CACHE.put('k', 'v', { expirationTtl: 1 }); }`, filename: 'main.js', args: [] });
      assert.equal(outcome.ok, false);
      assert.equal(outcome.error?.code, 'GUEST_EXCEPTION');
      assert.match(outcome.error?.message ?? '', /Invalid expiration_ttl of 1/);
    } finally {
      core.dispose();
      store.close();
    }
  });

  test('bindings are checked when the core is made: a name that is also an env key is refused', () => {
    const store = new SqliteKvStore(':memory:');
    assert.throws(() => kvCore(store, { env: { CACHE: 'x' } }), (e: unknown) => IsletError.is(e) && e.code === 'INVALID_OPTIONS' && e.option === 'bindings.CACHE');
    assert.throws(() => kvCore(store, { bindings: { CACHE: { kv: '' } } }), (e: unknown) => IsletError.is(e) && e.code === 'INVALID_OPTIONS');
    store.close();
  });
});

describe('the run core\'s KV op (host side of the guest boundary)', () => {
  test('checks what the guest sent again before the hook sees it, and decodes text on the host', async () => {
    const seen: KvRequest[] = [];
    const hook = async (_binding: string, request: KvRequest): Promise<KvResponse> => {
      seen.push(request);
      if (request.op === 'get') return { op: 'get', entry: { value: utf8('héllo'), metadata: null, expiration: null } };
      return { op: 'put' };
    };
    const refused = async (raw: unknown, name: string, message: RegExp): Promise<void> => {
      await assert.rejects(runKvOp(hook, 'CACHE', raw, false), (e: { name: string; message: string }) => e.name === name && message.test(e.message));
    };
    await refused({ op: 'put', key: 'k', value: new Uint8Array(25 * MiB + 1) }, 'Error', /Value length of 26214401/);
    await refused({ op: 'put', key: 'k', value: 'x'.repeat(25 * MiB + 1) }, 'Error', /Value length of 26214401/);
    await refused({ op: 'put', key: 'k'.repeat(513), value: 'v' }, 'Error', /key length limit of 512/);
    await refused({ op: 'put', key: 'k', value: 'v', metadata: { m: 'x'.repeat(1100) } }, 'Error', /Metadata length/);
    await refused({ op: 'put', key: 'k', value: 'v', expirationTtl: 59 }, 'Error', /Expiration TTL must be at least 60/);
    await refused({ op: 'get', key: '' }, 'TypeError', /cannot be empty/);
    assert.equal(seen.length, 0, 'nothing refused reached the hook');
    assert.deepEqual(await runKvOp(hook, 'CACHE', { op: 'get', key: 'k', namespace: 'x' }, true), ['héllo', null]);
    assert.deepEqual(seen, [{ op: 'get', key: 'k' }], 'the hook got a fresh request without the extra field');
    const bytes = await runKvOp(hook, 'CACHE', { op: 'get', key: 'k' }, false) as [Uint8Array, unknown];
    assert.deepEqual(bytes[0], utf8('héllo'));
    assert.deepEqual(await runKvOp(hook, 'CACHE', { op: 'put', key: 'k', value: 'héllo' }, false), null);
    const last = seen[seen.length - 1];
    assert.ok(last?.op === 'put' && last.value instanceof Uint8Array && text(last.value) === 'héllo', 'a string value is encoded as UTF-8 on the host');
  });
});
