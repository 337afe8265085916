/**
 * Shards end to end on a real port: a killed or crashing shard costs only its in-flight requests
 * (502 ISOLATE_CRASHED) and is replaced; a shard past its RSS budget is recycled without failing
 * requests; CPU-heavy apps run on the CPU shard, so other apps never wait behind them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'node:http';
import { IsletServer } from '../src/server/server.ts';
import { validateConfig } from '../src/server/config.ts';
import { Logger } from '../src/server/log.ts';
import { ShardPool } from '../src/server/shards.ts';
import { connect, createServer, type Socket } from 'node:net';

const APPS: Record<string, string> = {
  'slow.js': `export default { async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/slow') await new Promise((r) => setTimeout(r, 2000));
    return new Response('ok ' + url.pathname);
  } }`,
  // new Array(1e8).fill(0) makes V8 abort the whole process (see test/limits.test.ts).
  'crash.js': `export default { fetch(request) {
    if (new URL(request.url).pathname === '/crash') { const a = new Array(1e8).fill(0); return new Response(String(a.length)); }
    return new Response('alive');
  } }`,
  'hog.js': `export default { fetch(request) {
    const ms = Number(new URL(request.url).searchParams.get('ms') ?? '20');
    const end = Date.now() + ms; while (Date.now() < end) {}
    return new Response('burnt ' + ms);
  } }`,
  'light.js': `export default { fetch() { return new Response('light'); } }`,
};

let dir: string;
let server: IsletServer;
let port = 0;
const records: Record<string, unknown>[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'islet-shards-'));
  for (const [name, source] of Object.entries(APPS)) await writeFile(join(dir, name), source);
  const config = validateConfig({
    listen: { host: '127.0.0.1', port: 0 },
    server: { shards: 2 },
    apps: [
      { name: 'slow', entry: 'slow.js', routes: ['slow.localhost'] },
      { name: 'crash', entry: 'crash.js', routes: ['crash.localhost'], limits: { memoryMb: 32 } },
      { name: 'hog', entry: 'hog.js', routes: ['hog.localhost'], limits: { cpuMs: 5000 } },
      { name: 'light', entry: 'light.js', routes: ['light.localhost'] },
      { name: 'spiky', entry: 'hog.js', routes: ['spiky.localhost'], limits: { cpuMs: 5000 } },
    ],
  }, { baseDir: dir, environment: {}, source: 'test' });
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l !== '') records.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
  server = new IsletServer(config, { logger: new Logger({ stream: sink }), drainTimeoutMs: 3000 });
  await server.loadAll();
  port = (await server.listen()).port;
});

after(async () => { await server.close(); });

function call(host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const code = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;
const waitFor = async (what: string, check: () => boolean, ms = 15_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const requestLog = (path: string): Record<string, unknown>[] => records.filter((r) => r['type'] === 'request' && r['path'] === path);

test('a killed shard costs only its in-flight requests (502 ISOLATE_CRASHED); it is replaced and the server keeps serving', async () => {
  const pool = server.shards;
  assert.ok(pool !== undefined);
  await pool.ready();
  const before = pool.pids;
  assert.equal(before.length, 2);
  const inFlight = Array.from({ length: 5 }, () => call('slow.localhost', '/slow'));
  await waitFor('the slow requests to reach a shard', () => pool.stats().reduce((n, s) => n + s.inFlight, 0) === 5);
  const victim = pool.stats().find((s) => s.inFlight > 0);
  assert.ok(victim !== undefined);
  const lost = victim.inFlight;
  pool.kill(victim.slot);
  const results = await Promise.all(inFlight);
  // Each connection is served by one shard: the killed shard's requests end with 502 (answered by
  // the front on its copy of the connection), the other shard's finish.
  const crashed = results.filter((r) => r.status === 502);
  assert.equal(crashed.length, lost);
  for (const r of crashed) {
    assert.equal(code(r.body), 'ISOLATE_CRASHED');
    assert.match((JSON.parse(r.body) as { error: { requestId: string } }).error.requestId, /^[0-9a-f]{16}$/);
    assert.doesNotMatch(r.body, /SIGKILL|\/tmp\/|at /, 'no host detail reaches the client');
  }
  for (const r of results.filter((x) => x.status !== 502)) assert.deepEqual(r, { status: 200, body: 'ok /slow' });
  await waitFor('the lost requests in the request log', () => requestLog('/slow').filter((r) => r['code'] === 'ISOLATE_CRASHED' && r['status'] === 502).length === lost);
  assert.equal((await call('light.localhost', '/')).body, 'light', 'the other apps keep serving');
  await waitFor('a replacement shard', () => pool.pids.every((p) => p !== undefined) && pool.pids[victim.slot] !== before[victim.slot]);
  assert.equal((await call('slow.localhost', '/fast')).body, 'ok /fast', 'the app serves again from the new shard');
  assert.ok(records.some((r) => r['type'] === 'shard' && r['event'] === 'crashed' && r['lostRequests'] === lost));
});

test('an isolate that aborts its process takes down only its shard: 502, then the app and its neighbours serve again', async () => {
  const pool = server.shards;
  assert.ok(pool !== undefined);
  const crashes = pool.crashes;
  const r = await call('crash.localhost', '/crash');
  // V8 aborts the process (502); if a future V8 survives it, the limit error is just as good.
  assert.ok(r.status === 502 || r.status === 503, `status ${r.status}`);
  assert.ok(['ISOLATE_CRASHED', 'MEMORY_LIMIT'].includes(code(r.body)));
  if (r.status === 502) assert.equal(pool.crashes, crashes + 1);
  assert.equal((await call('light.localhost', '/')).body, 'light');
  await pool.ready();
  assert.equal((await call('crash.localhost', '/')).body, 'alive');
});

test('one slow request does not make an app CPU-heavy: its next requests stay on the serving shards', async () => {
  // 12 ms: well under the 25 ms that makes an app heavy at once, even with a cold isolate on a
  // busy machine; over the 5 ms threshold, so an average that started at its first figure fails.
  assert.equal((await call('spiky.localhost', '/?ms=12')).body, 'burnt 12');
  for (let i = 0; i < 5; i++) assert.equal((await call('spiky.localhost', '/?ms=0')).body, 'burnt 0');
  await waitFor('the request lines', () => records.filter((r) => r['type'] === 'request' && r['app'] === 'spiky').length >= 6);
  for (const line of records.filter((r) => r['type'] === 'request' && r['app'] === 'spiky')) assert.notEqual(line['shard'], server.shards?.cpuSlot);
});

test('CPU-heavy apps run on the CPU shard; other apps, even on the same connections, never wait behind them', async () => {
  // Teach the pool that hog is heavy (its average CPU per request passes the threshold).
  for (let i = 0; i < 4; i++) assert.equal((await call('hog.localhost', '/?ms=30')).body, 'burnt 30');
  // Long enough that the light requests below finish while both are still running, even on a loaded machine.
  const busy = [call('hog.localhost', '/?ms=2000'), call('hog.localhost', '/?ms=2000')];
  await new Promise((r) => setTimeout(r, 50));
  const light = await Promise.all(Array.from({ length: 20 }, () => call('light.localhost', '/')));
  for (const r of light) assert.equal(r.body, 'light');
  await Promise.all(busy);
  // Shards log their requests; the lines reach the server's log a moment after the responses.
  await waitFor('the request lines', () => requestLog('/').filter((r) => r['app'] === 'light').length >= 20 && requestLog('/').filter((r) => r['app'] === 'hog').length >= 6);
  const hogLines = requestLog('/').filter((r) => r['app'] === 'hog');
  const hogShard = hogLines.at(-1)?.['shard'];
  assert.equal(new Set(hogLines.slice(-2).map((r) => r['shard'])).size, 1, 'both heavy requests went to one shard');
  assert.equal(hogShard, server.shards?.cpuSlot, 'the CPU shard, which serves no connections');
  const lightLines = requestLog('/').filter((r) => r['app'] === 'light').slice(-20);
  assert.equal(lightLines.length, 20);
  for (const line of lightLines) assert.notEqual(line['shard'], hogShard, 'no light request waited behind the hog');
});

test('a shard past its RSS budget is recycled after draining, without failing requests', async () => {
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l !== '') local.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
  const local: Record<string, unknown>[] = [];
  await writeFile(join(dir, 'grow.js'), `const kept = [];
    export default { fetch(request) {
      if (new URL(request.url).pathname === '/grow') { for (let i = 0; i < 20; i++) kept.push(new Uint8Array(10 * 1024 * 1024).fill(1)); }
      return new Response('held ' + kept.length);
    } }`);
  const config = validateConfig({
    listen: { host: '127.0.0.1', port: 0 },
    server: { shards: 1, shardRssMb: 128 },
    apps: [{ name: 'grow', entry: 'grow.js', routes: ['grow.localhost'], limits: { memoryMb: 512, cpuMs: 10000 } }],
  }, { baseDir: dir, environment: {}, source: 'test' });
  const grow = new IsletServer(config, { logger: new Logger({ stream: sink }), drainTimeoutMs: 3000 });
  try {
    await grow.loadAll();
    const growPort = (await grow.listen()).port;
    const get = (path: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: growPort, path, headers: { host: 'grow.localhost' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject).end();
    });
    const pool = grow.shards;
    assert.ok(pool !== undefined);
    const first = pool.pids[0];
    assert.equal((await get('/grow')).body, 'held 20');
    // Keep asking while the shard reports its RSS (once a second) and is replaced: nothing fails.
    const deadline = Date.now() + 10_000;
    while (!local.some((r) => r['type'] === 'shard' && r['event'] === 'recycle') && Date.now() < deadline) {
      const r = await get('/');
      assert.equal(r.status, 200);
      await new Promise((res) => setTimeout(res, 50));
    }
    const recycle = local.find((r) => r['type'] === 'shard' && r['event'] === 'recycle');
    assert.ok(recycle !== undefined, 'the shard was recycled');
    assert.ok(Number(recycle['rssBytes']) > 128 * 1024 * 1024);
    await pool.ready();
    await waitFor('the new shard', () => pool.pids[0] !== undefined && pool.pids[0] !== first);
    // A keep-alive connection of the old shard may carry one more request while it drains (its
    // response closes the connection); the next ones reach the new shard, which loaded the app afresh.
    let after = await get('/');
    for (let i = 0; i < 5 && after.body !== 'held 0'; i++) {
      assert.deepEqual(after, { status: 200, body: 'held 20' });
      after = await get('/');
    }
    assert.deepEqual(after, { status: 200, body: 'held 0' }, 'the new shard loaded the app afresh');
  } finally {
    await grow.close();
  }
});

test('with preload off the server starts without loading apps; each loads on its first request, and a broken one fails alone', async () => {
  await writeFile(join(dir, 'broken.js'), 'export default { fetch() { return new Response("never") }');
  const config = validateConfig({
    listen: { host: '127.0.0.1', port: 0 },
    server: { shards: 1, preload: false },
    apps: [{ name: 'light', entry: 'light.js', routes: ['light.localhost'] }, { name: 'broken', entry: 'broken.js', routes: ['broken.localhost'] }],
  }, { baseDir: dir, environment: {}, source: 'test' });
  const lazy = new IsletServer(config, { logger: new Logger({ stream: new Writable({ write(_c, _e, cb) { cb(); } }) }), drainTimeoutMs: 1000 });
  try {
    await lazy.loadAll(); // would reject with SYNTAX_ERROR if it loaded the broken app
    const lazyPort = (await lazy.listen()).port;
    const get = (host: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: lazyPort, path: '/', headers: { host } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject).end();
    });
    assert.equal((await get('light.localhost')).body, 'light');
    const broken = await get('broken.localhost');
    assert.equal(broken.status, 500);
    assert.equal(code(broken.body), 'SYNTAX_ERROR');
    assert.equal((await get('light.localhost')).body, 'light');
  } finally {
    await lazy.close();
  }
});

test('connections that arrive before any shard is up wait for one and are served', async () => {
  const config = validateConfig({
    listen: { host: '127.0.0.1', port: 0 },
    server: { shards: 1 },
    apps: [{ name: 'light', entry: 'light.js', routes: ['light.localhost'] }],
  }, { baseDir: dir, environment: {}, source: 'test' });
  const early = new IsletServer(config, { logger: new Logger({ stream: new Writable({ write(_c, _e, cb) { cb(); } }) }), drainTimeoutMs: 3000 });
  try {
    // Listening before the shard is ready (loadAll not awaited): the connections are accepted and
    // held by the server process until the shard comes up.
    const earlyPort = (await early.listen()).port;
    const pool = early.shards;
    assert.ok(pool !== undefined);
    assert.equal(await Promise.race([pool.ready().then(() => true), Promise.resolve(false)]), false, 'no shard is up yet');
    const replies = await Promise.all(Array.from({ length: 5 }, () => new Promise<{ status: number; body: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port: earlyPort, path: '/', headers: { host: 'light.localhost' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject).end();
    })));
    assert.deepEqual(replies, Array.from({ length: 5 }, () => ({ status: 200, body: 'light' })));
  } finally {
    await early.close();
  }
});

test('a flood of connections while no shard is up: a bounded number wait (and are served later), the rest are closed at once', async () => {
  const pool = new ShardPool({
    shards: 1, apps: [], log: new Logger({ stream: new Writable({ write(_c, _e, cb) { cb(); } }) }),
    memoryBudgetBytes: 64 * 1024 * 1024, rssBudgetBytes: 1024 * 1024 * 1024, drainTimeoutMs: 1000, maxWaitingConnections: 3,
  });
  const listener = createServer({ pauseOnConnect: true }, (socket) => { pool.adopt(socket); });
  const clients: Socket[] = [];
  try {
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const floodPort = (listener.address() as { port: number }).port;
    const closed = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const socket = connect(floodPort, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('close', () => closed.add(i));
      clients.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    }
    assert.equal(await Promise.race([pool.ready().then(() => true), Promise.resolve(false)]), false, 'no shard is up yet');
    await waitFor('the connections past the cap to close', () => closed.size >= 3);
    assert.equal(closed.size, 3, 'three wait, three are closed');
    // The waiting ones reach the shard once it is up (no app is routed: 404 NO_ROUTE is its answer).
    await pool.ready();
    const waiting = clients.find((_, i) => !closed.has(i));
    assert.ok(waiting !== undefined);
    const reply = await new Promise<string>((resolve) => {
      let out = '';
      waiting.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('NO_ROUTE')) resolve(out); });
      waiting.write('GET / HTTP/1.1\r\nHost: nothing.localhost\r\n\r\n');
    });
    assert.match(reply, /^HTTP\/1\.1 404 /);
  } finally {
    for (const c of clients) c.destroy();
    listener.close();
    await pool.close();
  }
});
