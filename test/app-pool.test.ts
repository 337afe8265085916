/**
 * The per-process app pool: apps load on demand, idle ones are evicted least-recently-used first
 * when the loaded isolates pass the memory budget, evicted apps come back on their next request,
 * and an isolate killed by a limit is replaced at once instead of reused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AppPool } from '../src/server/app-host.ts';
import { validateConfig } from '../src/server/config.ts';
import { Logger } from '../src/server/log.ts';
import type { RequestIo } from '../src/sandbox/core.ts';

const APP = `let count = 0;
export default { fetch(request) {
  if (new URL(request.url).pathname === '/spin') { for (;;) {} }
  count += 1;
  return new Response(String(count));
} }`;

/** A response collector standing in for the HTTP side. */
function collect(): { io: RequestIo; body: () => string; status: () => number } {
  let status = 0;
  const chunks: Uint8Array[] = [];
  return {
    io: {
      readBody: () => Promise.resolve(null),
      head: (s) => { status = s; },
      write: (c) => { chunks.push(c); return true; },
      endWith: (b) => { if (b !== null) chunks.push(b); },
      drained: () => Promise.resolve(),
      end: () => {},
    },
    body: () => Buffer.concat(chunks).toString(),
    status: () => status,
  };
}

async function setup(names: string[], budgetBytes: number, source = APP): Promise<{ pool: AppPool; get: (app: string, path?: string) => Promise<{ status: number; body: string; code: string | undefined }>; records: Record<string, unknown>[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'islet-pool-'));
  await writeFile(join(dir, 'app.js'), source);
  const config = validateConfig({ apps: names.map((name) => ({ name, entry: 'app.js', routes: [`${name}.localhost`], limits: { cpuMs: 50 } })) }, { baseDir: dir, environment: {}, source: 'test' });
  const records: Record<string, unknown>[] = [];
  const log = new Logger({ stream: new Writable({ write(c: Buffer, _e, cb) { for (const l of c.toString().split('\n')) if (l !== '') records.push(JSON.parse(l) as Record<string, unknown>); cb(); } }) });
  const pool = new AppPool({ log, memoryBudgetBytes: budgetBytes, checkIntervalMs: 60_000 });
  for (const app of config.apps) pool.define(app);
  const get = async (app: string, path = '/'): Promise<{ status: number; body: string; code: string | undefined }> => {
    const c = collect();
    const outcome = await pool.handle(`${app}@1`, { method: 'GET', url: `http://${app}.localhost${path}`, headers: [], hasBody: false }, c.io, 'r', () => {});
    return { status: c.status(), body: c.body(), code: outcome.error?.code };
  };
  return { pool, get, records };
}

test('idle apps are evicted least-recently-used first under the memory budget, and come back on their next request', async () => {
  // Measure one loaded app, then allow about two and a half of them.
  const probe = await setup(['probe'], 1024 ** 3);
  await probe.get('probe');
  const one = probe.pool.stats().footprintBytes;
  probe.pool.close();
  assert.ok(one > 100_000, `an app's isolate holds memory (${one} bytes)`);

  const { pool, get, records } = await setup(['a', 'b', 'c', 'd'], Math.floor(one * 2.5));
  try {
    assert.equal((await get('a')).body, '1');
    assert.equal((await get('a')).body, '2');
    assert.equal((await get('b')).body, '1');
    assert.equal((await get('a')).body, '3', 'a is now more recently used than b');
    assert.equal((await get('c')).body, '1');
    assert.equal(pool.apps.get('b@1')?.loaded, false, 'b, the least recently used, was evicted');
    assert.equal(pool.apps.get('a@1')?.loaded, true);
    assert.equal((await get('d')).body, '1');
    const stats = pool.stats();
    assert.ok(stats.loaded <= 2, `at most two apps stay loaded (${stats.loaded})`);
    assert.ok(stats.footprintBytes <= one * 2.5);
    assert.ok(stats.evictions >= 2);
    assert.ok(records.some((r) => r['type'] === 'evict' && r['app'] === 'b'));
    // An evicted app loads again on its next request, from a fresh isolate.
    assert.equal((await get('b')).body, '1');
  } finally {
    pool.close();
  }
});

test('an isolate killed by a limit is replaced, not reused, and the replacement is loaded before the next request', async () => {
  const { pool, get } = await setup(['a'], 1024 ** 3);
  try {
    assert.equal((await get('a')).body, '1');
    assert.equal((await get('a')).body, '2');
    const spin = await get('a', '/spin');
    assert.equal(spin.code, 'CPU_LIMIT');
    const host = pool.apps.get('a@1');
    assert.equal(host?.replaced, 1);
    // The replacement starts loading at once; wait for it without sending a request.
    for (let i = 0; i < 200 && host?.loaded !== true; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(host?.loaded, true, 'the replacement was loaded ahead of the next request');
    assert.equal((await get('a')).body, '1', 'the new isolate starts from scratch');
  } finally {
    pool.close();
  }
});

test('serving checks a Response by its brand and reads its internal slots: an app that patched Response or its prototype is served right', async () => {
  const { pool, get } = await setup(['brand'], 1024 ** 3, `export default { async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === '/says-no') {
      Object.defineProperty(Response, Symbol.hasInstance, { value: () => false, configurable: true });
      return new Response('real');
    }
    if (path === '/says-yes') {
      Object.defineProperty(Response, Symbol.hasInstance, { value: () => true, configurable: true });
      return { status: 200, headers: new Headers(), body: null };
    }
    if (path === '/getters') {
      for (const key of ['status', 'statusText', 'headers', 'body']) Object.defineProperty(Response.prototype, key, { get() { throw new Error('patched ' + key); }, configurable: true });
      Object.defineProperty(ReadableStream.prototype, 'getReader', { value() { throw new Error('patched getReader'); }, configurable: true });
      const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('streamed')); c.close(); } });
      return new Response(stream, { status: 201, headers: { 'x-kept': 'yes' } });
    }
    return new Response('plain');
  } }`);
  try {
    assert.deepEqual(await get('brand', '/says-no'), { status: 200, body: 'real', code: undefined });
    const fake = await get('brand', '/says-yes');
    assert.equal(fake.code, 'INVALID_RESPONSE');
    const patched = await get('brand', '/getters');
    assert.deepEqual(patched, { status: 201, body: 'streamed', code: undefined });
  } finally {
    pool.close();
  }
});

test('request bodies reach an app that patched the stream controllers: the platform feeds them with its own captured methods', async () => {
  const { pool } = await setup(['feed'], 1024 ** 3, `export default { async fetch(request) {
    for (const key of ['enqueue', 'close', 'error']) {
      Object.defineProperty(ReadableByteStreamController.prototype, key, { value() { throw new Error('patched ' + key); }, configurable: true });
    }
    return new Response('got ' + await request.text());
  } }`);
  try {
    const chunks = [new TextEncoder().encode('hello '), new TextEncoder().encode('body')];
    const out: Uint8Array[] = [];
    let status = 0;
    const io: RequestIo = {
      readBody: () => Promise.resolve(chunks.shift() ?? null),
      head: (s) => { status = s; },
      write: (c) => { out.push(c); return true; },
      endWith: (b) => { if (b !== null) out.push(b); },
      drained: () => Promise.resolve(),
      end: () => {},
    };
    const outcome = await pool.handle('feed@1', { method: 'POST', url: 'http://feed.localhost/', headers: [], hasBody: true }, io, 'r', () => {});
    assert.equal(outcome.error?.code, undefined, outcome.error?.message);
    assert.equal(status, 200);
    assert.equal(Buffer.concat(out).toString(), 'got hello body');
  } finally {
    pool.close();
  }
});

const BATCH_APP = `export default { fetch(request) {
  if (request.headers.has('x-spin')) { for (;;) {} }
  const path = new URL(request.url).pathname;
  console.log('start ' + path);
  if (path === '/spin') { for (;;) {} }
  if (path === '/burn') { const end = Date.now() + 30; while (Date.now() < end) {} }
  return new Response(path);
} }`;

test('requests that start in the same turn share one isolate entry, and each is charged its own CPU time and tagged in its own console lines', async () => {
  const { pool, records } = await setup(['a'], 1024 ** 3, BATCH_APP);
  const send = async (path: string, id: string, headers: [string, string][] = []): Promise<{ body: string; code: string | undefined; cpuMs: number }> => {
    const c = collect();
    const outcome = await pool.handle('a@1', { method: 'GET', url: `http://a.localhost${path}`, headers, hasBody: false }, c.io, id, () => {});
    return { body: c.body(), code: outcome.error?.code, cpuMs: outcome.usage.cpuMs };
  };
  try {
    await send('/warm', 'w');
    const [light1, burn, light2] = await Promise.all([send('/light1', 'l1'), send('/burn', 'b'), send('/light2', 'l2')]);
    assert.deepEqual([light1.body, burn.body, light2.body], ['/light1', '/burn', '/light2']);
    assert.ok(burn.cpuMs >= 20, `the burning request is charged its loop (${burn.cpuMs} ms)`);
    assert.ok(light1.cpuMs < 10 && light2.cpuMs < 10, `the light ones are not charged for it (${light1.cpuMs}, ${light2.cpuMs} ms)`);
    // Log lines are written in batches: wait for the three.
    for (let i = 0; i < 100 && records.filter((r) => r['type'] === 'console').length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    const tag = (message: string): unknown => records.find((r) => r['type'] === 'console' && r['message'] === message)?.['requestId'];
    assert.deepEqual([tag('start /light1'), tag('start /burn'), tag('start /light2')], ['l1', 'b', 'l2']);

    // A request that never stops, started between two others: it takes CPU_LIMIT; the others
    // lose the isolate it was killed in and say so.
    const [before, spin, after] = await Promise.all([send('/light1', 'x1'), send('/spin', 's'), send('/light2', 'x2')]);
    assert.equal(spin.code, 'CPU_LIMIT');
    assert.equal(before.code, 'ISOLATE_CRASHED');
    assert.equal(after.code, 'ISOLATE_CRASHED');

    // The same with a request that calls no op before it spins (its URL was parsed before, so the
    // host never learns it is running): the guest names it after the timeout.
    await send('/warm', 'w2');
    const [logged, quiet] = await Promise.all([send('/light1', 'y1'), send('/warm', 'q', [['x-spin', '1']])]);
    assert.equal(quiet.code, 'CPU_LIMIT');
    assert.equal(logged.code, 'ISOLATE_CRASHED');
  } finally {
    pool.close();
  }
});
