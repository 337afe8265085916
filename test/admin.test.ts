// The admin API end to end, over real HTTP on loopback: auth, validation, deploys with drain,
// If-Match, rollback, removal with drain, persistence across restarts, metrics and logs.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request, type IncomingHttpHeaders } from 'node:http';
import { IsletServer } from '../src/server/server.ts';
import { validateConfig } from '../src/server/config.ts';
import { Logger } from '../src/server/log.ts';

const TOKEN = 'test-admin-token-0123456789abcdef';

/** An app module whose responses name its version; /slow waits `ms` before answering. */
function appSource(label: string): string {
  return `export default { async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/slow') { await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? '400'))); }
    if (url.pathname === '/secret') return new Response(env.TOKEN === undefined ? 'none' : 'has-secret');
    return new Response(${JSON.stringify(label)} + ' ' + (env.GREETING ?? ''));
  } }`;
}

interface Started { server: IsletServer; port: number; admin: number; lines: string[]; dataDir: string }

async function start(options: { shards?: number; dataDir?: string; apps?: unknown[]; token?: string | null } = {}): Promise<Started> {
  const dataDir = options.dataDir ?? await mkdtemp(join(tmpdir(), 'islet-admin-'));
  const lines: string[] = [];
  const config = validateConfig({
    listen: { host: '127.0.0.1', port: 0 },
    server: { shards: options.shards ?? 0 },
    admin: { port: 0 },
    dataDir,
    ...(options.apps === undefined ? {} : { apps: options.apps }),
  }, { baseDir: dataDir, environment: {}, source: 'test' });
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(...chunk.toString().split('\n').filter(Boolean)); cb(); } });
  const environment: Record<string, string> = options.token === null ? {} : { ISLET_ADMIN_TOKEN: options.token ?? TOKEN, FROM_HOST: 'host-secret-value' };
  const server = new IsletServer(config, { logger: new Logger({ stream: sink }), drainTimeoutMs: 3000, environment });
  await server.loadAll();
  const port = (await server.listen()).port;
  return { server, port, admin: server.admin?.port ?? 0, lines, dataDir };
}

async function api(s: Started, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const res = await fetch(`http://127.0.0.1:${s.admin}${path}`, {
    method, headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

/** A request to the app listener with a Host header (fetch may not set Host). */
function get(s: Started, host: string, path = '/'): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function deployBody(label: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { entry: 'index.js', modules: { 'index.js': appSource(label) }, routes: ['shop.localhost'], ...extra };
}

const started: Started[] = [];
after(async () => { for (const s of started) await s.server.close(); });

describe('admin API (in-process isolates)', () => {
  test('every call needs the bearer token; a missing or wrong one gets 401 and nothing else', async () => {
    const s = await start();
    started.push(s);
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token-wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, 'Bearer ']) {
      for (const [method, path] of [['GET', '/apps'], ['PUT', '/apps/x'], ['GET', '/metrics'], ['DELETE', '/apps/x'], ['GET', '/nothing']]) {
        const res = await fetch(`http://127.0.0.1:${s.admin}${path}`, { method: method as string, headers: authorization === undefined ? {} : { authorization }, ...(method === 'PUT' ? { body: JSON.stringify(deployBody('x')) } : {}) });
        const body = await res.json() as { error: { code: string; message: string } };
        assert.equal(res.status, 401, `${method} ${path} with ${authorization ?? 'no token'}`);
        assert.equal(body.error.code, 'UNAUTHORIZED');
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="islet-admin"');
      }
    }
    assert.equal((await api(s, 'GET', '/apps')).json.apps.length, 0, 'nothing was deployed by the refused calls');
    assert.ok(!s.lines.join('\n').includes(TOKEN), 'the token never reaches the log');
  });

  test('a deploy is validated like the config file: 400 with every problem and its JSON path', async () => {
    const s = await start();
    started.push(s);
    const bad = await api(s, 'PUT', '/apps/shop', { entry: 'missing.js', modules: { 'index.js': 'x', '../up.js': 'y' }, routes: ['bad route!'], limits: { cpuMs: -1, bogus: 1 }, secrets: { K: { nope: 1 } }, extra: true });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'INVALID_CONFIG');
    const paths = (bad.json.error.problems as { path: string }[]).map((p) => p.path).sort();
    assert.deepEqual(paths, ['$.entry', '$.extra', '$.limits.bogus', '$.limits.cpuMs', '$.modules.../up.js', '$.routes[0]', '$.secrets.K'].sort());
    assert.equal((await api(s, 'PUT', '/apps/Bad_Name', deployBody('x'))).json.error.problems[0].path, '$(name)');
    const notJson = await api(s, 'PUT', '/apps/shop', '{ not json');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json.error.code, 'BAD_REQUEST');
    assert.equal((await get(s, 'shop.localhost')).status, 404, 'nothing was deployed');
  });

  test('code that does not compile is refused with the guest\'s syntax error and line, before it takes traffic', async () => {
    const s = await start();
    started.push(s);
    assert.equal((await api(s, 'PUT', '/apps/shop', deployBody('v1'))).status, 200);
    const broken = await api(s, 'PUT', '/apps/shop', { entry: 'index.js', modules: { 'index.js': 'export default {\n  fetch() {\n    return new Response(1;\n  }\n}' }, routes: ['shop.localhost'] });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error.code, 'SYNTAX_ERROR');
    assert.match(broken.json.error.message, /SyntaxError/);
    assert.match(JSON.stringify(broken.json.error), /index\.js:3/, 'the line of the error is named');
    const throws = await api(s, 'PUT', '/apps/shop', { entry: 'index.js', modules: { 'index.js': 'throw new Error("top-level boom");\nexport default {}' }, routes: ['shop.localhost'] });
    assert.equal(throws.status, 400);
    assert.match(throws.json.error.message, /top-level boom/);
    const noFetch = await api(s, 'PUT', '/apps/shop', { entry: 'index.js', modules: { 'index.js': 'export default { hello: 1 }' }, routes: ['shop.localhost'] });
    assert.equal(noFetch.status, 400);
    const missingImport = await api(s, 'PUT', '/apps/shop', { entry: 'index.js', modules: { 'index.js': 'import x from "./nope.js"; export default { fetch() { return new Response(x) } }' }, routes: ['shop.localhost'] });
    assert.equal(missingImport.status, 400);
    assert.equal(missingImport.json.error.code, 'MODULE_NOT_FOUND');
    assert.equal((await get(s, 'shop.localhost')).body, 'v1 ', 'the old version still serves');
    assert.equal((await api(s, 'GET', '/apps/shop')).json.version, 1);
  });

  test('deploy switches new requests to the new version at once while slow requests on the old one finish', async () => {
    const s = await start();
    started.push(s);
    const first = await api(s, 'PUT', '/apps/shop', deployBody('v1', { env: { GREETING: 'hi' }, modules: { 'index.js': appSource('v1'), 'lib/util.js': 'export const x = 1;' } }));
    assert.equal(first.status, 200);
    assert.deepEqual(first.json, { name: 'shop', version: 1, routes: ['shop.localhost'], status: 'serving' });
    assert.equal(first.headers.get('etag'), '"1"');
    assert.equal((await get(s, 'shop.localhost')).body, 'v1 hi');

    const slow = Array.from({ length: 5 }, () => get(s, 'shop.localhost', '/slow?ms=600'));
    await new Promise((r) => setTimeout(r, 150));
    const second = await api(s, 'PUT', '/apps/shop', deployBody('v2', { env: { GREETING: 'yo' } }));
    assert.equal(second.json.version, 2);
    assert.equal((await get(s, 'shop.localhost')).body, 'v2 yo', 'the next request reaches the new version');
    for (const r of await Promise.all(slow)) assert.deepEqual([r.status, r.body], [200, 'v1 hi'], 'in-flight requests finish on the old version');
    const info = await api(s, 'GET', '/apps/shop');
    assert.equal(info.json.version, 2);
    assert.deepEqual(info.json.versions.map((v: { version: number }) => v.version), [1, 2]);
    assert.equal(info.json.requests, 7);
    assert.ok(s.lines.some((l) => l.includes('"type":"deploy"') && l.includes('"event":"serving"') && l.includes('"version":2') && l.includes('"previous":1')));
  });

  test('If-Match prevents lost updates; concurrent deploys of one app are applied in order', async () => {
    const s = await start();
    started.push(s);
    await api(s, 'PUT', '/apps/shop', deployBody('v1'));
    const stale = await api(s, 'PUT', '/apps/shop', deployBody('v2'), { 'if-match': '"0"' });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.error.code, 'VERSION_CONFLICT');
    assert.equal((await api(s, 'PUT', '/apps/shop', deployBody('v2'), { 'if-match': '"1"' })).status, 200);
    assert.equal((await api(s, 'PUT', '/apps/shop', deployBody('v3'), { 'if-match': '"1"' })).status, 409, 'version 1 is no longer current');
    assert.equal((await api(s, 'PUT', '/apps/shop', deployBody('x'), { 'if-match': 'garbage' })).status, 400);
    // Three at once, each expecting the version before it: all succeed, in order.
    const results = await Promise.all([3, 4, 5].map((v) => api(s, 'PUT', '/apps/shop', deployBody(`v${v}`), { 'if-match': `"${v - 1}"` })));
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
    assert.deepEqual(results.map((r) => r.json.version), [3, 4, 5]);
    assert.equal((await get(s, 'shop.localhost')).body, 'v5 ');
  });

  test('rollback serves the previous version; with none left it is a conflict', async () => {
    const s = await start();
    started.push(s);
    await api(s, 'PUT', '/apps/shop', deployBody('v1'));
    await api(s, 'PUT', '/apps/shop', deployBody('v2', { routes: ['shop.localhost', 'shop2.localhost'] }));
    assert.equal((await get(s, 'shop2.localhost')).body, 'v2 ');
    const back = await api(s, 'POST', '/apps/shop/rollback');
    assert.equal(back.status, 200);
    assert.equal(back.json.version, 1);
    assert.equal((await get(s, 'shop.localhost')).body, 'v1 ');
    assert.equal((await get(s, 'shop2.localhost')).status, 404, 'routes follow the version');
    const none = await api(s, 'POST', '/apps/shop/rollback');
    assert.equal(none.status, 409);
    assert.equal((await api(s, 'POST', '/apps/ghost/rollback')).json.error.code, 'NO_APP');
  });

  test('a deploy cannot take another app\'s route', async () => {
    const s = await start();
    started.push(s);
    await api(s, 'PUT', '/apps/shop', deployBody('v1'));
    const clash = await api(s, 'PUT', '/apps/blog', deployBody('b', { routes: ['blog.localhost', 'shop.localhost'] }));
    assert.equal(clash.status, 400);
    assert.deepEqual(clash.json.error.problems, [{ path: '$.routes[1]', message: '"shop.localhost" is already routed to app "shop"' }]);
  });

  test('delete stops routing: new requests get 503 with Retry-After while in-flight ones finish, then 404', async () => {
    const s = await start();
    started.push(s);
    await api(s, 'PUT', '/apps/shop', deployBody('v1'));
    const slow = get(s, 'shop.localhost', '/slow?ms=700');
    await new Promise((r) => setTimeout(r, 150));
    const removal = api(s, 'DELETE', '/apps/shop');
    await new Promise((r) => setTimeout(r, 100));
    const during = await get(s, 'shop.localhost');
    assert.equal(during.status, 503);
    assert.equal(during.headers['retry-after'], '5');
    assert.equal((JSON.parse(during.body) as { error: { code: string } }).error.code, 'APP_UNAVAILABLE');
    assert.deepEqual(await slow.then((r) => [r.status, r.body]), [200, 'v1 ']);
    const removed = await removal;
    assert.deepEqual(removed.json, { name: 'shop', removed: true });
    assert.equal((await get(s, 'shop.localhost')).status, 404);
    assert.equal((await api(s, 'GET', '/apps/shop')).status, 404);
    assert.equal((await api(s, 'DELETE', '/apps/shop')).json.error.code, 'NO_APP');
    assert.ok(s.lines.some((l) => l.includes('"type":"admin"') && l.includes('"action":"remove"') && l.includes('"actor":"token:')));
  });

  test('secrets reach the guest, never the admin API\'s answers or the logs', async () => {
    const s = await start();
    started.push(s);
    const res = await api(s, 'PUT', '/apps/shop', deployBody('v1', { secrets: { TOKEN: { value: 'super-secret-value-42' }, HOSTED: { fromEnv: 'FROM_HOST' } } }));
    assert.equal(res.status, 200);
    assert.equal((await get(s, 'shop.localhost', '/secret')).body, 'has-secret');
    const info = await api(s, 'GET', '/apps/shop');
    assert.ok(!info.text.includes('super-secret-value-42'));
    assert.deepEqual(info.json.env.sort(), ['HOSTED', 'TOKEN']);
    const unset = await api(s, 'PUT', '/apps/shop', deployBody('v2', { secrets: { X: { fromEnv: 'NOT_SET_ANYWHERE' } } }));
    assert.deepEqual(unset.json.error.problems, [{ path: '$.secrets.X.fromEnv', message: 'the environment variable NOT_SET_ANYWHERE is not set' }]);
    await s.server.log.drain();
    assert.ok(!s.lines.join('\n').includes('super-secret-value-42'));
  });

  test('metrics are in Prometheus text format and move with traffic', async () => {
    const s = await start();
    started.push(s);
    await api(s, 'PUT', '/apps/shop', deployBody('v1'));
    const count = async (): Promise<number> => {
      const text = (await api(s, 'GET', '/metrics')).text;
      const m = /^islet_requests_total\{app="shop",status="200"\} (\d+)$/m.exec(text);
      return m === null ? 0 : Number(m[1]);
    };
    const before = await count();
    for (let i = 0; i < 3; i += 1) await get(s, 'shop.localhost');
    assert.equal(await count(), before + 3);
    const text = (await api(s, 'GET', '/metrics')).text;
    for (const name of ['islet_request_duration_seconds_bucket', 'islet_request_cpu_seconds_count', 'islet_live_isolates', 'islet_evictions_total', 'islet_shard_restarts_total', 'islet_log_dropped_total', 'islet_apps 1']) {
      assert.ok(text.includes(name), name);
    }
    assert.match(text, /^# TYPE islet_requests_total counter$/m);
    assert.match(text, /^islet_request_duration_seconds_count\{app="shop"\} 3$/m);
  });

  test('GET /logs returns the recent lines of one app as JSON lines', async () => {
    const s = await start();
    started.push(s);
    await api(s, 'PUT', '/apps/shop', deployBody('v1'));
    await get(s, 'shop.localhost', '/hello-logs');
    await new Promise((r) => setTimeout(r, 50));
    const logs = await api(s, 'GET', '/logs?app=shop');
    const records = logs.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(records.some((r) => r['type'] === 'request' && r['path'] === '/hello-logs'));
    assert.ok(records.every((r) => r['app'] === 'shop'));
  });

  test('a restart serves the same apps and versions from the data directory', async () => {
    const s = await start();
    await api(s, 'PUT', '/apps/shop', deployBody('v1'));
    await api(s, 'PUT', '/apps/shop', deployBody('v2', { env: { GREETING: 'again' } }));
    await api(s, 'PUT', '/apps/blog', deployBody('blog', { routes: ['blog.localhost'] }));
    await s.server.close();
    const again = await start({ dataDir: s.dataDir });
    started.push(again);
    assert.equal((await get(again, 'shop.localhost')).body, 'v2 again');
    assert.equal((await get(again, 'blog.localhost')).body, 'blog ');
    const info = await api(again, 'GET', '/apps/shop');
    assert.equal(info.json.version, 2);
    assert.deepEqual(info.json.versions.map((v: { version: number }) => v.version), [1, 2]);
    assert.equal((await api(again, 'PUT', '/apps/shop', deployBody('v3'))).json.version, 3, 'version numbers continue');
    const mode = (await stat(join(s.dataDir, 'apps.db'))).mode & 0o777;
    assert.equal(mode, 0o600, 'the store (it holds secrets) is readable only by its owner');
  });

  test('without a configured token one is generated into the data directory, owner-only, and reused', async () => {
    const s = await start({ token: null });
    const file = join(s.dataDir, 'admin-token');
    assert.equal(s.server.admin?.token.generatedFile, file);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const token = (await readFile(file, 'utf8')).trim();
    const res = await fetch(`http://127.0.0.1:${s.admin}/apps`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    await s.server.close();
    const again = await start({ dataDir: s.dataDir, token: null });
    started.push(again);
    assert.equal(again.server.admin?.token.generatedFile, undefined, 'the second start reads the file and prints nothing');
    assert.equal(again.server.admin?.token.token, token);
  });
});

describe('admin API with shard processes', () => {
  test('deploys, rollbacks and removals reach the shards', async () => {
    const s = await start({ shards: 2 });
    started.push(s);
    await api(s, 'PUT', '/apps/shop', deployBody('v1'));
    assert.equal((await get(s, 'shop.localhost')).body, 'v1 ');
    const slow = get(s, 'shop.localhost', '/slow?ms=500');
    await new Promise((r) => setTimeout(r, 100));
    await api(s, 'PUT', '/apps/shop', deployBody('v2'));
    assert.equal((await get(s, 'shop.localhost')).body, 'v2 ');
    assert.equal((await slow).body, 'v1 ');
    const broken = await api(s, 'PUT', '/apps/shop', { entry: 'index.js', modules: { 'index.js': 'export default {' }, routes: ['shop.localhost'] });
    assert.equal(broken.json.error.code, 'SYNTAX_ERROR');
    assert.equal((await api(s, 'POST', '/apps/shop/rollback')).json.version, 1);
    assert.equal((await get(s, 'shop.localhost')).body, 'v1 ');
    await api(s, 'DELETE', '/apps/shop');
    assert.equal((await get(s, 'shop.localhost')).status, 404);
  });
});

test('config-file apps are versioned in the store: unchanged at restart, a new version when their file changes', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'islet-admin-config-'));
  await writeFile(join(dataDir, 'app.js'), appSource('file-v1'));
  const apps = [{ name: 'site', entry: 'app.js', routes: ['site.localhost'] }];
  const a = await start({ dataDir, apps });
  assert.equal((await get(a, 'site.localhost')).body, 'file-v1 ');
  assert.equal((await api(a, 'GET', '/apps/site')).json.source, 'config');
  await a.server.close();
  const b = await start({ dataDir, apps });
  assert.equal((await api(b, 'GET', '/apps/site')).json.version, 1, 'an unchanged app keeps its version');
  await b.server.close();
  await writeFile(join(dataDir, 'app.js'), appSource('file-v2'));
  const c = await start({ dataDir, apps });
  started.push(c);
  assert.equal((await get(c, 'site.localhost')).body, 'file-v2 ');
  assert.equal((await api(c, 'GET', '/apps/site')).json.version, 2);
});
