import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'node:http';
import { connect } from 'node:net';
import { IsletServer } from '../src/server/server.ts';
import { validateConfig } from '../src/server/config.ts';
import { Logger } from '../src/server/log.ts';

const APPS: Record<string, string> = {
  'hello.ts': `export default { async fetch(request: Request, env: any) {
    const url = new URL(request.url);
    if (url.pathname === '/env') return Response.json({ greeting: env.GREETING, key: env.API_KEY ?? null });
    if (url.pathname === '/throw') throw new Error('boom with ' + env.API_KEY + ' at /srv/secret/path.ts');
    if (url.pathname === '/string') return 'not a response' as any;
    if (url.pathname === '/spin') { for (;;) {} }
    if (url.pathname === '/hang') return new Promise(() => {});
    if (url.pathname === '/later') { await new Promise((r) => setTimeout(r, 100)); return new Response('later'); }
    if (url.pathname === '/echo') return new Response(request.body, { headers: { 'x-method': request.method } });
    if (url.pathname === '/length') return new Response(String((await request.text()).length));
    if (url.pathname === '/abortable') {
      const tag = url.searchParams.get('tag');
      return new Promise((resolve) => request.signal.addEventListener('abort', () => { console.log('aborted', tag); resolve(new Response('late')); }));
    }
    if (url.pathname === '/log') { console.log('hello from', url.pathname, env.API_KEY); return new Response('logged'); }
    if (url.pathname === '/framing') return new Response('hello world', { headers: { 'content-length': '3', connection: 'close', 'transfer-encoding': 'chunked', 'keep-alive': 'timeout=1', 'x-kept': 'yes' } });
    if (url.pathname === '/framing-stream') {
      const body = new TextEncoder().encode('hello world, and more');
      return new Response(new ReadableStream({ start(c) { c.enqueue(body); c.close(); } }), { headers: { 'content-length': '3' } });
    }
    if (url.pathname === '/bytes') return new Response(Uint8Array.from({ length: 256 }, (_, i) => i));
    if (url.pathname === '/big') return new Response('é'.repeat(10_000));
    if (url.pathname === '/bad-header') return new Response('x', { headers: { 'x-bad': 'a\\u0001b' } });
    if (url.pathname === '/inspect') {
      request.headers.set('x-added', 'by the app');
      let guarded = 'no';
      try { request.headers.set('cookie', 'x'); } catch { guarded = 'threw'; }
      const { url: u, method, mode, cache, credentials, redirect, integrity, keepalive } = request;
      return Response.json({ url: u, method, mode, cache, credentials, redirect, integrity, keepalive, aborted: request.signal.aborted,
        mixed: request.headers.get('X-Mixed-Case'), added: request.headers.get('x-added'), names: [...request.headers.keys()], isRequest: request instanceof Request,
        hasBody: request.body !== null, cookieSet: guarded });
    }
    if (url.pathname === '/stream') {
      let i = 0;
      return new Response(new ReadableStream({ pull(c) { if (i === 50) { c.close(); return; } c.enqueue(new TextEncoder().encode('chunk ' + i++ + '\\n')); } }));
    }
    return new Response('hello ' + env.GREETING);
  } }`,
  'other.js': `export default { fetch(request, env) { return new Response('other ' + env.GREETING + ' ' + new URL(request.url).pathname); } }`,
};

let dir: string;
let server: IsletServer;
let port = 0;
const lines: string[] = [];

for (const shards of [0, 2]) describe(`serving with shards: ${shards}`, () => {
before(async () => {
  lines.length = 0;
  dir = await mkdtemp(join(tmpdir(), 'islet-server-'));
  for (const [name, source] of Object.entries(APPS)) await writeFile(join(dir, name), source);
  const config = validateConfig({
    listen: { host: '127.0.0.1', port: 0 },
    server: { shards },
    apps: [
      { name: 'hello', entry: 'hello.ts', routes: ['hello.localhost', 'localhost/api'], env: { GREETING: 'hi' }, secrets: { API_KEY: { fromEnv: 'TEST_KEY' } }, limits: { cpuMs: 100, wallMs: 1000, requestBodyBytes: 1000 } },
      { name: 'other', entry: 'other.js', routes: ['localhost', '*.localhost'], env: { GREETING: 'howdy' } },
    ],
  }, { baseDir: dir, environment: { TEST_KEY: 'very-secret-key' }, source: 'test' });
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(...chunk.toString().split('\n').filter(Boolean)); cb(); } });
  server = new IsletServer(config, { logger: new Logger({ stream: sink }), drainTimeoutMs: 2000 });
  await server.loadAll();
  port = (await server.listen()).port;
});

after(async () => { await server.close(); });

function call(host: string, path: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

test('routing by host and path, most specific route first', async () => {
  assert.equal((await call('hello.localhost', '/')).body, 'hello hi');
  assert.equal((await call('localhost:8080', '/api/x')).body, 'hello hi', 'localhost/api beats localhost');
  assert.equal((await call('localhost', '/apix')).body, 'other howdy /apix');
  assert.equal((await call('sub.localhost', '/')).body, 'other howdy /');
  const none = await call('example.org', '/');
  assert.equal(none.status, 404);
  assert.equal((JSON.parse(none.body) as { error: { code: string } }).error.code, 'NO_ROUTE');
});

test('env and secrets are per app', async () => {
  assert.deepEqual(JSON.parse((await call('hello.localhost', '/env')).body), { greeting: 'hi', key: 'very-secret-key' });
  assert.equal((await call('localhost', '/env')).body, 'other howdy /env');
});

test('errors reach the client as JSON with fitting statuses, never a stack, path or secret', async () => {
  const cases: [string, number, string][] = [['/throw', 500, 'GUEST_EXCEPTION'], ['/string', 500, 'INVALID_RESPONSE'], ['/bad-header', 500, 'INVALID_RESPONSE'], ['/spin', 503, 'CPU_LIMIT'], ['/hang', 504, 'WALL_TIMEOUT']];
  for (const [path, status, code] of cases) {
    const r = await call('hello.localhost', path);
    assert.equal(r.status, status, path);
    const body = JSON.parse(r.body) as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, code, path);
    assert.match(body.error.requestId, /^[0-9a-f]{16}$/);
    assert.doesNotMatch(r.body, /very-secret-key|\/srv\/|at |\.ts:/, path);
  }
  assert.equal((await call('hello.localhost', '/')).body, 'hello hi', 'the app serves again after a CPU kill');
});

test('request bodies stream in and response bodies stream out', async () => {
  const echo = await call('hello.localhost', '/echo', { method: 'POST', body: 'ping-pong' });
  assert.equal(echo.body, 'ping-pong');
  assert.equal(echo.headers['x-method'], 'POST');
  const stream = await call('hello.localhost', '/stream');
  assert.equal(stream.body.split('\n').filter(Boolean).length, 50);
  assert.equal(stream.headers['transfer-encoding'], 'chunked');
});

test('a body over requestBodyBytes is refused with 413', async () => {
  const r = await call('hello.localhost', '/echo', { method: 'POST', body: 'x'.repeat(2000) });
  assert.equal(r.status, 413);
  assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'BODY_TOO_LARGE');
});

test('a streamed (chunked) body over the limit is cut off with 413 (when the app reads it before answering)', async () => {
  assert.equal((await call('hello.localhost', '/length', { method: 'POST', body: 'z'.repeat(900) })).body, '900');
  const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/length', method: 'POST', headers: { host: 'hello.localhost', 'transfer-encoding': 'chunked' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (let i = 0; i < 5; i++) req.write('y'.repeat(400));
    req.end();
  });
  assert.equal(r.status, 413);
});

test('a client that disconnects aborts the guest request.signal', async () => {
  // The guest logs when its signal aborts (the request may run in any shard's isolate).
  const tag = `t${Date.now()}`;
  await new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: `/abortable?tag=${tag}`, headers: { host: 'hello.localhost' } });
    req.on('error', () => resolve());
    req.end();
    setTimeout(() => { req.destroy(); resolve(); }, 100);
  });
  const aborted = (): number => lines.filter((l) => l.includes(`aborted ${tag}`)).length;
  const deadline = Date.now() + 5000;
  while (aborted() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(aborted(), 1);
});

function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // write, not end: Node's server treats a half-closed socket as a client that left.
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (c: Buffer) => { out += c.toString(); });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

test('hostile request targets and Host headers get 400 BAD_REQUEST; absolute-form targets are routed', async () => {
  for (const bad of ['OPTIONS * HTTP/1.1\r\nHost: hello.localhost\r\n\r\n', 'GET / HTTP/1.0\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n', 'GET / HTTP/1.1\r\nHost: user@hello.localhost\r\n\r\n', 'GET http://user:pw@hello.localhost/ HTTP/1.1\r\nHost: hello.localhost\r\n\r\n']) {
    const reply = await raw(bad);
    assert.match(reply, /^HTTP\/1\.1 400 /, JSON.stringify(bad));
    assert.match(reply, /"code":"BAD_REQUEST"/);
  }
  const absolute = await raw('GET http://hello.localhost/ HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n');
  assert.match(absolute, /^HTTP\/1\.1 200 /);
  assert.match(absolute, /hello hi$/);
  assert.equal((await call('hello.localhost', '/')).body, 'hello hi', 'the server keeps serving');
});

test('an incoming request is a Request as Workers make it: URL, method, lowercased headers the app can add to, default members', async () => {
  const r = await call('hello.localhost', '/inspect?q=1', { headers: { 'X-Mixed-Case': 'Some Value', cookie: 'a=b' } });
  assert.equal(r.status, 200, r.body);
  const got = JSON.parse(r.body) as Record<string, unknown>;
  assert.deepEqual({ ...got, names: undefined }, {
    url: 'http://hello.localhost/inspect?q=1', method: 'GET', mode: 'cors', cache: 'default', credentials: 'same-origin', redirect: 'follow', integrity: '',
    keepalive: false, aborted: false, mixed: 'Some Value', added: 'by the app', names: undefined, isRequest: true, hasBody: false, cookieSet: 'no',
  });
  assert.ok((got['names'] as string[]).includes('x-mixed-case') && (got['names'] as string[]).includes('cookie'), String(got['names']));
  // A POST with a body: its method and body reach the app.
  const echoed = await call('hello.localhost', '/echo', { method: 'post', body: 'sent' });
  assert.equal(echoed.body, 'sent');
  assert.equal(echoed.headers['x-method'], 'POST');
});

test('the connection\'s framing is the server\'s: an app cannot end its response early or run it into the next one', async () => {
  // Two requests on one kept-alive connection: the first response's own Content-Length and
  // hop-by-hop headers are dropped; the second request gets its own response.
  const reply = await raw('GET /framing HTTP/1.1\r\nHost: hello.localhost\r\n\r\nGET / HTTP/1.1\r\nHost: hello.localhost\r\nConnection: close\r\n\r\n');
  const responses = reply.split(/(?=HTTP\/1\.1 )/);
  assert.equal(responses.length, 2, reply);
  const first = responses[0] ?? '';
  assert.match(first, /^HTTP\/1\.1 200 /);
  assert.match(first, /\r\ncontent-length: 11\r\n/i);
  assert.match(first, /\r\nx-kept: yes\r\n/i);
  assert.doesNotMatch(first, /transfer-encoding|keep-alive: timeout=1|connection: close/i);
  assert.ok(first.endsWith('\r\n\r\nhello world'), first);
  assert.match(responses[1] ?? '', /^HTTP\/1\.1 200 [\s\S]*hello hi$/);
  // A streamed body longer than the Content-Length the app gave: the client never reads past the
  // length as if it were a next response; the connection is cut instead.
  const cut = await raw('GET /framing-stream HTTP/1.1\r\nHost: hello.localhost\r\n\r\nGET / HTTP/1.1\r\nHost: hello.localhost\r\nConnection: close\r\n\r\n');
  assert.doesNotMatch(cut, /and more/, cut);
  assert.equal((await call('hello.localhost', '/')).body, 'hello hi', 'the server keeps serving');
});

test('a response body arrives byte for byte (every byte value, and a body past the small-body path)', async () => {
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/bytes', headers: { host: 'hello.localhost' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject).end();
  });
  assert.deepEqual([...bytes], Array.from({ length: 256 }, (_, i) => i));
  const big = await call('hello.localhost', '/big'); // 20,000 UTF-8 bytes
  assert.equal(big.body, 'é'.repeat(10_000));
  assert.equal(big.headers['content-length'], '20000');
});

test('health endpoints', async () => {
  assert.equal((await call('anything', '/healthz')).status, 200);
  assert.equal((await call('anything', '/readyz')).status, 200);
});

test('a burst of requests that arrive together each gets its own response', async () => {
  const paths = Array.from({ length: 60 }, (_, i) => `/burst/${i}`);
  const replies = await Promise.all(paths.map((path) => call('x.localhost', path)));
  assert.deepEqual(replies.map((r) => r.body), paths.map((path) => `other howdy ${path}`));
});

test('logs: one line per request, console lines tagged, secrets redacted', async () => {
  await call('hello.localhost', '/log');
  await new Promise((r) => setTimeout(r, 20));
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const consoleLine = records.find((r) => r['type'] === 'console' && String(r['message']).startsWith('hello from /log'));
  assert.ok(consoleLine !== undefined);
  assert.equal(consoleLine['app'], 'hello');
  assert.match(String(consoleLine['requestId']), /^[0-9a-f]{16}$/);
  assert.equal(consoleLine['message'], 'hello from /log [REDACTED]');
  const requestLine = records.find((r) => r['type'] === 'request' && r['path'] === '/log');
  assert.ok(requestLine !== undefined);
  assert.equal(requestLine['requestId'], consoleLine['requestId']);
  assert.equal(requestLine['status'], 200);
  assert.equal(typeof requestLine['cpuMs'], 'number');
  assert.ok(!lines.some((l) => l.includes('very-secret-key')), 'no log line carries the secret');
});
});

test('in one process, a response held to the end of the turn still goes out when shutdown closes the connections', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'islet-server-drain-'));
  await writeFile(join(folder, 'hello.ts'), APPS['hello.ts'] as string);
  const config = validateConfig({
    listen: { host: '127.0.0.1', port: 0 }, server: { shards: 0 },
    apps: [{ name: 'hello', entry: 'hello.ts', routes: ['hello.localhost'], env: { GREETING: 'hi' } }],
  }, { baseDir: folder, environment: {}, source: 'test' });
  const own = new IsletServer(config, { logger: new Logger({ stream: new Writable({ write(_c, _e, cb) { cb(); } }) }), drainTimeoutMs: 2000 });
  await own.loadAll();
  const address = await own.listen();
  const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: address.port, path: '/later', headers: { host: 'hello.localhost' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  await new Promise((r) => setTimeout(r, 30));
  await own.close();
  assert.deepEqual(await reply, { status: 200, body: 'later' });
});
