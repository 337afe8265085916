// The admin API end to end, over real HTTP on loopback: auth, validation, deploys with drain,
// If-Match, rollback, removal with drain, persistence across restarts, metrics and logs.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, stat, writeFile, readFile } from 'node:fs/promises';
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
  try {
    await server.loadAll();
  } catch (error) {
    await server.close();
    throw error;
  }
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

  test('hostile requests to the admin API get coded errors and the server keeps serving', async () => {
    const s = await start();
    started.push(s);
    const badPath = await api(s, 'GET', '/apps/%E0%A4%A');
    assert.deepEqual([badPath.status, badPath.json.error.code], [400, 'BAD_REQUEST']);
    const notAnObject = await api(s, 'PUT', '/apps/shop', '[1, 2, 3]');
    assert.deepEqual([notAnObject.status, notAnObject.json.error.code], [400, 'INVALID_CONFIG']);
    assert.equal((await api(s, 'POST', '/apps')).status, 405);
    assert.equal((await api(s, 'GET', '/nothing/here')).json.error.code, 'NO_ROUTE');
    // A body declared larger than the admin API takes is refused before it is read.
    const tooLarge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s.admin, path: '/apps/shop', method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-length': String(200 * 1024 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{');
    });
    assert.equal(tooLarge.status, 413);
    assert.equal((JSON.parse(tooLarge.body) as { error: { code: string } }).error.code, 'BODY_TOO_LARGE');
    assert.equal((await api(s, 'PUT', '/apps/shop', deployBody('still'))).status, 200, 'the admin API still serves');
    assert.equal((await get(s, 'shop.localhost')).body, 'still ');
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

  for (const shards of [0, 2]) test(`metrics are in Prometheus text format and move with traffic (shards: ${shards})`, async () => {
    // With shards, the figures are gathered in the shards and brought in when /metrics is read.
    const s = await start({ shards });
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
    const files = (await readdir(s.dataDir)).filter((f) => /\.db(-wal|-shm)?$/.test(f));
    assert.ok(files.includes('apps.db') && files.includes('kv.db') && files.includes('apps.db-wal'), files.join(', '));
    for (const f of files) assert.equal((await stat(join(s.dataDir, f))).mode & 0o777, 0o600, `${f} (the stores hold secrets) is readable only by its owner`);
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
  test('a deploy answers once every shard routes to the new version', async () => {
    const s = await start({ shards: 2 });
    started.push(s);
    for (let v = 1; v <= 6; v++) {
      await api(s, 'PUT', '/apps/shop', deployBody(`v${v}`));
      // At once, on kept-alive connections (held by either shard): the new version answers.
      const replies = await Promise.all(Array.from({ length: 4 }, () => get(s, 'shop.localhost')));
      assert.deepEqual(replies.map((r) => r.body), Array.from({ length: 4 }, () => `v${v} `));
    }
  });

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
  assert.equal((await get(c, 'site.localhost')).body, 'file-v2 ');
  assert.equal((await api(c, 'GET', '/apps/site')).json.version, 2);
  // An operator deploys over the config's app through the API: an unchanged config file keeps it.
  assert.equal((await api(c, 'PUT', '/apps/site', deployBody('api-v3', { routes: ['site.localhost'] }))).json.version, 3);
  await c.server.close();
  const d = await start({ dataDir, apps });
  started.push(d);
  assert.equal((await get(d, 'site.localhost')).body, 'api-v3 ');
  assert.equal((await api(d, 'GET', '/apps/site')).json.source, 'api');
});

describe('build plans', () => {
  const TS_APP = `enum Kind { A = 'a', B = 'b' }
function fail(kind: Kind): never {
  throw new Error('failed for ' + kind);
}
export default {
  fetch(request: Request): Response {
    if (new URL(request.url).pathname === '/fail') fail(Kind.B);
    return new Response('plan ' + Kind.A);
  },
};
`;
  async function built(): Promise<{ plan: unknown; modules: Record<string, string>; planPath: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'islet-plan-'));
    await writeFile(join(dir, 'index.ts'), TS_APP);
    const { buildApp } = await import('../src/build/plan.ts');
    const { plan, planPath, code, map } = await buildApp(join(dir, 'index.ts'), { name: 'planned', routes: ['planned.localhost'] });
    return { plan, planPath, modules: { 'app.js': code, 'app.js.map': map } };
  }

  test('a plan deploys through the admin API; its guest errors name the original TypeScript line', async () => {
    const s = await start();
    started.push(s);
    const { plan, modules } = await built();
    const res = await api(s, 'PUT', '/apps/planned', { plan, modules });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.routes, ['planned.localhost'], 'routes come from the plan');
    assert.equal((await get(s, 'planned.localhost')).body, 'plan a');
    assert.equal((await get(s, 'planned.localhost', '/fail')).status, 500);
    await s.server.log.drain();
    const error = s.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r['type'] === 'error' && r['app'] === 'planned');
    assert.match(String(error?.['stack']), /index\.ts:3:\d+/, `the stack names index.ts line 3: ${String(error?.['stack'])}`);
  });

  test('a tampered artifact is refused (PLAN_INVALID) before any isolate is made', async () => {
    const s = await start();
    started.push(s);
    const { plan, modules } = await built();
    const tampered = { ...modules, 'app.js': (modules['app.js'] as string).replace(/plan /, 'evil ') };
    const res = await api(s, 'PUT', '/apps/planned', { plan, modules: tampered });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'PLAN_INVALID');
    assert.match(JSON.stringify(res.json.error.problems), /app\.js/);
    assert.equal((await get(s, 'planned.localhost')).status, 404);
    assert.equal((await api(s, 'GET', '/apps')).json.apps.length, 0);
  });

  test('a config file may name a plan as an app\'s entry; a tampered one stops the server from starting', async () => {
    const { planPath } = await built();
    const s = await start({ apps: [{ name: 'planned', entry: planPath, routes: ['planned.localhost'] }] });
    started.push(s);
    assert.equal((await get(s, 'planned.localhost')).body, 'plan a');
    const js = join(planPath, '..', 'app.js');
    const original = await readFile(js, 'utf8');
    await writeFile(js, original.replace(/plan /, 'evil '));
    assert.notEqual(await readFile(js, 'utf8'), original);
    await assert.rejects(start({ apps: [{ name: 'planned', entry: planPath, routes: ['planned.localhost'] }] }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'INVALID_CONFIG');
      assert.match(error.message, /app\.js.*changed after the build|does not match its sha256/);
      return true;
    });
  });
});

describe('the watched config file', () => {
  test('a valid change is applied like a deploy; an invalid one is logged and the running apps are kept', async () => {
    const { readConfigFile, watchConfig } = await import('../src/server/config-watch.ts');
    const dir = await mkdtemp(join(tmpdir(), 'islet-watch-'));
    await writeFile(join(dir, 'app.js'), appSource('watched'));
    const file = join(dir, 'islet.config.json');
    const write = (config: unknown): Promise<void> => writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
    const app = (name: string, greeting: string): unknown => ({ name, entry: 'app.js', routes: [`${name}.localhost`], env: { GREETING: greeting } });
    await write({ listen: { port: 0 }, server: { shards: 0 }, apps: [app('one', 'first'), app('two', 'x')] });
    const config = await readConfigFile(file, {});
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(...chunk.toString().split('\n').filter(Boolean)); cb(); } });
    const server = new IsletServer(config, { logger: new Logger({ stream: sink }), drainTimeoutMs: 1000, environment: {} });
    await server.loadAll();
    const s: Started = { server, port: (await server.listen()).port, admin: 0, lines, dataDir: dir };
    started.push(s);
    const applied: { ok: boolean; deployed: string[]; removed: string[] }[] = [];
    let wake: (() => void) | undefined;
    const next = (): Promise<void> => new Promise((resolve) => { wake = resolve; });
    const stop = watchConfig({ path: file, running: config, deployments: server.deployments, log: server.log, environment: {}, intervalMs: 20, onApplied: (r) => { applied.push(r); wake?.(); } });
    try {
      assert.equal((await get(s, 'one.localhost')).body, 'watched first');

      let change = next();
      await write('{ "apps": [ oops');
      await change;
      assert.equal(applied.at(-1)?.ok, false);
      assert.equal((await get(s, 'one.localhost')).body, 'watched first', 'unparseable: nothing changes');
      await server.log.drain();
      assert.ok(lines.some((l) => l.includes('"type":"config"') && l.includes('"event":"invalid"')));

      change = next();
      await write({ apps: [app('one', 'first'), { name: 'two', entry: 'missing.js', routes: ['two.localhost'] }] });
      await change;
      assert.equal(applied.at(-1)?.ok, false);
      assert.equal((await get(s, 'two.localhost')).body, 'watched x', 'invalid: nothing changes');
      await server.log.drain();
      assert.ok(lines.some((l) => l.includes('"event":"invalid"') && l.includes('$.apps[1].entry')), 'the problem is logged with its JSON path');

      change = next();
      await write({ listen: { port: 0 }, server: { shards: 0 }, apps: [app('one', 'second'), app('three', 'new')] });
      await change;
      assert.deepEqual({ ...applied.at(-1), deployed: applied.at(-1)?.deployed.sort() }, { ok: true, deployed: ['one', 'three'], removed: ['two'], failed: [] });
      assert.equal((await get(s, 'one.localhost')).body, 'watched second');
      assert.equal((await get(s, 'three.localhost')).body, 'watched new');
      assert.equal((await get(s, 'two.localhost')).status, 404);
      assert.equal(server.deployments.apps.get('one')?.config.version, 2);
    } finally {
      stop();
    }
  });
});

describe('crash safety', () => {
  test('kill -9 in the middle of a deploy, then restart: the old version serves, whole', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const bin = fileURLToPath(new URL('../bin/islet.js', import.meta.url));
    const dir = await mkdtemp(join(tmpdir(), 'islet-kill-'));
    const file = join(dir, 'islet.config.json');
    await writeFile(file, JSON.stringify({ listen: { port: 0 }, server: { shards: 0 }, admin: { port: 0 } }));
    const launch = (): Promise<{ child: ReturnType<typeof spawn>; s: Started }> => new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', bin, 'serve', '--config', file, '--no-watch'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ISLET_ADMIN_TOKEN: TOKEN } });
      let buffer = '';
      let admin = 0;
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const r = JSON.parse(line) as { type?: string; event?: string; port?: number };
          if (r.type === 'admin' && r.event === 'listening') admin = r.port ?? 0;
          if (r.type === 'server' && r.event === 'listening') resolve({ child, s: { server: undefined as unknown as IsletServer, port: r.port ?? 0, admin, lines: [], dataDir: dir } });
        }
      });
      child.on('exit', (code) => reject(new Error(`serve exited early with ${String(code)}`)));
    });
    const first = await launch();
    try {
      assert.equal((await api(first.s, 'PUT', '/apps/shop', deployBody('v1'))).status, 200);
      assert.equal((await get(first.s, 'shop.localhost')).body, 'v1 ');
      // v2 spins at the top level for 3 s, so the deploy is in progress when the process dies.
      const slowLoad = `const end = Date.now() + 3000; while (Date.now() < end) {}\n${appSource('v2')}`;
      const pending = api(first.s, 'PUT', '/apps/shop', { entry: 'index.js', modules: { 'index.js': slowLoad }, routes: ['shop.localhost'], limits: { cpuMs: 10_000 } }).then(() => 'answered', () => 'connection lost');
      await new Promise((r) => setTimeout(r, 700));
      const exited = new Promise((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGKILL');
      await exited;
      assert.equal(await pending, 'connection lost');
    } finally {
      first.child.kill('SIGKILL');
    }
    const second = await launch();
    try {
      assert.equal((await get(second.s, 'shop.localhost')).body, 'v1 ');
      const info = await api(second.s, 'GET', '/apps/shop');
      assert.equal(info.json.version, 1);
      assert.deepEqual(info.json.versions.map((v: { version: number }) => v.version), [1], 'no half-written version 2');
      assert.equal((await api(second.s, 'PUT', '/apps/shop', deployBody('v2'))).json.version, 2, 'the next deploy works');
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});

describe('KV bindings through the server', () => {
  const KV_APP = `export default { async fetch(request, env) {
    const url = new URL(request.url);
    const key = url.searchParams.get('key') ?? 'k';
    try {
      if (request.method === 'PUT') { await env.CACHE.put(key, await request.text(), { metadata: { by: env.WHO } }); return new Response('stored'); }
      if (url.pathname === '/list') return Response.json((await env.CACHE.list()).keys.map((k) => k.name));
      const { value, metadata } = await env.CACHE.getWithMetadata(key);
      return Response.json({ value, metadata });
    } catch (error) {
      return new Response(error.name + ': ' + error.message, { status: 400 });
    }
  } }`;
  const kvApp = (who: string): Record<string, unknown> => ({ entry: 'index.js', modules: { 'index.js': KV_APP }, routes: [`${who}.localhost`], env: { WHO: who }, bindings: { CACHE: { kv: 'cache' } } });
  async function send(s: Started, host: string, path: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s.port, path, method, headers: { host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  for (const shards of [0, 2]) {
    test(`two apps binding the same namespace name each see only their own data; limits hold; data survives a restart (shards: ${shards})`, async () => {
      const s = await start({ shards });
      assert.equal((await api(s, 'PUT', '/apps/alpha', kvApp('alpha'))).status, 200);
      assert.equal((await api(s, 'PUT', '/apps/beta', kvApp('beta'))).status, 200);
      assert.equal((await send(s, 'alpha.localhost', '/?key=shared', 'PUT', 'alpha-value')).body, 'stored');
      assert.deepEqual(JSON.parse((await send(s, 'alpha.localhost', '/?key=shared')).body), { value: 'alpha-value', metadata: { by: 'alpha' } });
      assert.deepEqual(JSON.parse((await send(s, 'beta.localhost', '/?key=shared')).body), { value: null, metadata: null }, 'beta cannot read alpha\'s namespace');
      assert.equal((await send(s, 'beta.localhost', '/?key=shared', 'PUT', 'beta-value')).body, 'stored');
      assert.deepEqual(JSON.parse((await send(s, 'alpha.localhost', '/list')).body), ['shared']);
      assert.equal(JSON.parse((await send(s, 'alpha.localhost', '/?key=shared')).body).value, 'alpha-value', 'beta\'s write did not touch alpha\'s key');
      const tooLong = await send(s, 'alpha.localhost', `/?key=${'k'.repeat(513)}`, 'PUT', 'x');
      assert.equal(tooLong.status, 400);
      assert.match(tooLong.body, /512/);
      await s.server.close();
      const again = await start({ shards, dataDir: s.dataDir });
      started.push(again);
      assert.equal(JSON.parse((await send(again, 'alpha.localhost', '/?key=shared')).body).value, 'alpha-value', 'KV data is kept in the data directory');
      assert.equal(JSON.parse((await send(again, 'beta.localhost', '/?key=shared')).body).value, 'beta-value');
    });
  }
});
