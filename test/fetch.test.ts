import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { Sandbox } from '../src/index.ts';
import { failure } from './helpers.ts';
import { addressDenied, hostDenied, resolveFetchOptions } from '../src/bridge/egress/policy.ts';

let server: Server;
let port = 0;
const seen: { method: string; url: string; headers: Record<string, unknown>; body: string; closedEarly: boolean }[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers as Record<string, unknown>, body: '', closedEarly: false };
    seen.push(record);
    res.on('close', () => { if (!res.writableFinished) record.closedEarly = true; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      record.body = Buffer.concat(chunks).toString();
      const url = new URL(req.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/json': res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] }).end(JSON.stringify({ hello: 'world' })); return;
        case '/echo': res.writeHead(201, { 'content-type': req.headers['content-type'] ?? 'none' }).end(record.body); return;
        case '/redirect': res.writeHead(302, { location: `http://localhost:${port}/json` }).end(); return;
        case '/redirect-away': res.writeHead(302, { location: 'http://forbidden.example/' }).end(); return;
        case '/big': {
          const size = Number(url.searchParams.get('mb') ?? '1') * 1024 * 1024;
          res.writeHead(200, { 'content-length': String(size) });
          const block = Buffer.alloc(64 * 1024, 120);
          let sent = 0;
          const write = (): void => {
            while (sent < size) { sent += block.length; if (!res.write(block)) { res.once('drain', write); return; } }
            res.end();
          };
          write();
          return;
        }
        case '/gzip': res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('decoded text')); return;
        case '/hang': return; // never answers
        default: res.writeHead(404).end('no');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(() => { server.closeAllConnections(); server.close(); });

const allowLocal = () => ({ fetch: { allow: [`localhost:${port}`], allowCidrs: ['127.0.0.0/8'] } });

test('fetch: GET with headers, status, multiple set-cookie, JSON body, final URL after redirects', async () => {
  await using sandbox = new Sandbox(allowLocal());
  const receipt = await sandbox.run(`export default async (port) => {
    const r = await fetch('http://localhost:' + port + '/redirect', { headers: { 'x-test': 'yes' } });
    return [r.status, r.ok, r.redirected, r.url, r.headers.get('content-type'), r.headers.getSetCookie(), await r.json()];
  }`, { args: [port] });
  assert.deepEqual(receipt.value, [200, true, true, `http://localhost:${port}/json`, 'application/json', ['a=1', 'b=2'], { hello: 'world' }]);
  assert.equal(seen.at(-1)?.headers['x-test'], 'yes');
  assert.equal(receipt.usage.hostCalls, 1);
});

test('fetch: POST bodies (bytes and a stream with duplex) reach the server; gzip is decoded', async () => {
  await using sandbox = new Sandbox(allowLocal());
  const receipt = await sandbox.run(`export default async (port) => {
    const base = 'http://localhost:' + port;
    const a = await (await fetch(base + '/echo', { method: 'POST', body: JSON.stringify({ n: 1 }), headers: { 'content-type': 'application/json' } })).text();
    const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('part1-')); c.enqueue(new TextEncoder().encode('part2')); c.close(); } });
    const b = await fetch(base + '/echo', { method: 'PUT', body: stream, duplex: 'half' });
    const g = await (await fetch(base + '/gzip')).text();
    return [a, b.status, await b.text(), g];
  }`, { args: [port] });
  assert.deepEqual(receipt.value, ['{"n":1}', 201, 'part1-part2', 'decoded text']);
});

test('fetch: a 20 MB response streams through the body in chunks', async () => {
  await using sandbox = new Sandbox({ ...allowLocal(), limits: { memoryMb: 64 } });
  const receipt = await sandbox.run(`export default async (port) => {
    const r = await fetch('http://localhost:' + port + '/big?mb=20');
    let total = 0, chunks = 0;
    for await (const chunk of r.body) { total += chunk.length; chunks++; }
    return [total, chunks > 10];
  }`, { args: [port] });
  assert.deepEqual(receipt.value, [20 * 1024 * 1024, true]);
});

test('fetch is denied without a fetch option, for unlisted hosts, other schemes and private addresses', async () => {
  await using none = new Sandbox();
  const denied = await none.run(`export default async () => { try { await fetch('https://example.com/'); } catch (e) { return [e.name, e.code, e.message]; } }`);
  assert.deepEqual((denied.value as string[]).slice(0, 2), ['TypeError', 'EGRESS_DENIED']);
  assert.match((denied.value as string[])[2] ?? '', /example\.com.*no fetch option/);
  await using some = new Sandbox({ fetch: { allow: ['localhost', `localhost:${port}`] } });
  const r = await some.run(`export default async (port) => {
    const out = [];
    for (const url of ['https://other.example/', 'ftp://localhost/', 'http://localhost:' + port + '/json', 'http://127.0.0.1:' + port + '/json', 'http://[::1]:' + port + '/']) {
      try { await fetch(url); out.push('allowed'); } catch (e) { out.push(e.code + ': ' + e.message); }
    }
    return out;
  }`, { args: [port] });
  const out = r.value as string[];
  assert.match(out[0] ?? '', /^EGRESS_DENIED: .*not in this sandbox's fetch allow list/);
  assert.match(out[1] ?? '', /^EGRESS_DENIED: .*only http: and https:/);
  assert.match(out[2] ?? '', /^EGRESS_DENIED: .*resolves to (127\.0\.0\.1|::1).*private, loopback/, 'an allowed name that resolves to loopback is refused (no DNS rebinding)');
  assert.match(out[3] ?? '', /^EGRESS_DENIED/);
  assert.match(out[4] ?? '', /^EGRESS_DENIED/);
});

test('an uncaught denied fetch ends the run with EGRESS_DENIED', async () => {
  await using sandbox = new Sandbox();
  const error = await failure(sandbox.run(`await fetch('https://example.com/')`));
  assert.equal(error.code, 'EGRESS_DENIED');
  const inMain = await failure(sandbox.run(`export default async () => { await fetch('https://example.com/'); }`));
  assert.equal(inMain.code, 'EGRESS_DENIED');
});

test('each redirect hop is checked against the policy', async () => {
  await using sandbox = new Sandbox(allowLocal());
  const r = await sandbox.run(`export default async (port) => { try { await fetch('http://localhost:' + port + '/redirect-away'); return 'followed'; } catch (e) { return e.code + ': ' + e.message; } }`, { args: [port] });
  assert.match(String(r.value), /^EGRESS_DENIED: fetch to http:\/\/forbidden\.example denied/);
});

test('caps: response bytes, request bytes, subrequest count, time', async () => {
  await using sandbox = new Sandbox({ fetch: { allow: [`localhost:${port}`], allowCidrs: ['127.0.0.0/8'], maxResponseBytes: 1024 * 1024, maxRequestBytes: 10, maxSubrequests: 3, timeoutMs: 300 } });
  const r = await sandbox.run(`export default async (port) => {
    const base = 'http://localhost:' + port;
    const out = [];
    try { await (await fetch(base + '/big?mb=2')).arrayBuffer(); out.push('read'); } catch (e) { out.push(e.message); }
    try { await fetch(base + '/echo', { method: 'POST', body: 'more than ten bytes' }); out.push('sent'); } catch (e) { out.push(e.message); }
    try { await fetch(base + '/hang'); out.push('answered'); } catch (e) { out.push(e.message); }
    try { await fetch(base + '/json'); out.push('fourth'); } catch (e) { out.push(e.message); }
    return out;
  }`, { args: [port] });
  const out = r.value as string[];
  assert.match(out[0] ?? '', /larger than fetch\.maxResponseBytes/);
  assert.match(out[1] ?? '', /larger than fetch\.maxRequestBytes/);
  assert.match(out[2] ?? '', /longer than 300 ms/);
  assert.match(out[3] ?? '', /more than fetch\.maxSubrequests \(3\)/);
});

test('aborting the signal cancels the host request', async () => {
  await using sandbox = new Sandbox(allowLocal());
  const before = seen.length;
  const r = await sandbox.run(`export default async (port) => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('user stop')), 50);
    try { await fetch('http://localhost:' + port + '/hang', { signal: ac.signal }); return 'answered'; } catch (e) { return e.message; }
  }`, { args: [port] });
  assert.equal(r.value, 'user stop');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(seen.length, before + 1);
  assert.equal(seen.at(-1)?.closedEarly, true, 'the server saw the connection close');
});

test('fetch works from a worker process too', async () => {
  await using sandbox = new Sandbox({ ...allowLocal(), isolation: 'process' });
  const r = await sandbox.run(`export default async (port) => (await fetch('http://localhost:' + port + '/json')).json()`, { args: [port] });
  assert.deepEqual(r.value, { hello: 'world' });
});

test('policy: patterns, ports, CIDRs and forbidden ranges', () => {
  const p = resolveFetchOptions({ allow: ['api.example.com', '*.cdn.example.com:8443'], allowCidrs: ['10.1.0.0/16'] });
  assert.ok(p !== undefined);
  assert.equal(hostDenied(p, new URL('https://api.example.com/')), null);
  assert.notEqual(hostDenied(p, new URL('https://evil-api.example.com/')), null);
  assert.equal(hostDenied(p, new URL('https://a.cdn.example.com:8443/')), null);
  assert.notEqual(hostDenied(p, new URL('https://a.cdn.example.com/')), null, 'wrong port');
  assert.notEqual(hostDenied(p, new URL('https://cdn.example.com:8443/')), null, 'the wildcard needs a subdomain');
  for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.5', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '224.0.0.1']) {
    assert.notEqual(addressDenied(p, ip), null, ip);
  }
  assert.equal(addressDenied(p, '10.1.2.3'), null, 'allowed by CIDR');
  assert.equal(addressDenied(p, '93.184.216.34'), null);
  assert.throws(() => resolveFetchOptions({ allow: ['http://x.com'] }), { code: 'INVALID_OPTIONS', option: 'fetch.allow[0]' });
  assert.throws(() => resolveFetchOptions({ allowCidrs: ['10.0.0.0/99'] }), { code: 'INVALID_OPTIONS', option: 'fetch.allowCidrs[0]' });
  assert.throws(() => resolveFetchOptions({ nope: 1 }), { code: 'INVALID_OPTIONS', option: 'fetch.nope' });
});
