// The admin API clients (islet deploy, apps, rm, logs) against a real IsletServer with its admin
// listener on loopback port 0: no mock server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { IsletServer } from '../src/server/server.ts';
import { validateConfig } from '../src/server/config.ts';
import { Logger } from '../src/server/log.ts';
import { main } from '../src/cli/main.ts';
import { project as makeProject } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/islet.js', import.meta.url));
const TOKEN = 'deploy-test-token-0123456789abcdef';

interface Started { server: IsletServer; port: number; adminUrl: string }

const started: Started[] = [];
after(async () => { for (const s of started) await s.server.close(); });

async function start(): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), 'islet-deploy-data-'));
  const config = validateConfig({ listen: { host: '127.0.0.1', port: 0 }, server: { shards: 0 }, admin: { port: 0 }, dataDir }, { baseDir: dataDir, environment: {}, source: 'test' });
  const sink = new Writable({ write(_chunk: Buffer, _e, cb) { cb(); } });
  const server = new IsletServer(config, { logger: new Logger({ stream: sink }), drainTimeoutMs: 2000, environment: { ISLET_ADMIN_TOKEN: TOKEN, SERVER_SIDE_KEY: 'value-only-the-server-has' } });
  await server.loadAll();
  const port = (await server.listen()).port;
  const s = { server, port, adminUrl: `http://127.0.0.1:${server.admin?.port ?? 0}` };
  started.push(s);
  return s;
}

/** Runs the CLI in this process; resolves with its exit code and output. */
async function islet(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => { stdout += t; }, err: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

const project = (files: Record<string, string>): Promise<string> => makeProject(files, 'islet-deploy-');

/** A request to the apps' listener with a Host header (node:http: fetch may not send the one given). */
function get(s: Started, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: s.port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

const SHOP_TS = `import { label } from './lib/label.ts';
export default {
  fetch(request: Request, env: Record<string, unknown>): Response {
    return new Response(label(String(env['GREETING'] ?? 'none'), env['API_KEY'] === undefined ? 'no-key' : 'has-key'));
  },
};
`;
const LABEL_TS = (v: string): string => `export function label(greeting: string, key: string): string {\n  return '${v} ' + greeting + ' ' + key;\n}\n`;

test('islet deploy builds a TypeScript app, deploys it, waits until it serves and prints its routes; apps lists it', async () => {
  const s = await start();
  const dir = await project({ 'shop.ts': SHOP_TS, 'lib/label.ts': LABEL_TS('v1') });
  const first = await islet(['deploy', join(dir, 'shop.ts'), '--admin', s.adminUrl, '--token', TOKEN, '--routes', 'shop.localhost,localhost/shop']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'islet: deployed "shop" version 1; serving at:\n  shop.localhost\n  localhost/shop\n');
  assert.equal((await get(s, 'shop.localhost')).body, 'v1 none no-key');
  assert.ok(JSON.parse(await readFile(join(dir, 'dist', 'app.plan.json'), 'utf8')), 'the build is left in dist/');

  // A rebuilt plan deploys as the next version; the routes come from the plan.
  await writeFile(join(dir, 'lib', 'label.ts'), LABEL_TS('v2'));
  assert.equal((await islet(['build', join(dir, 'shop.ts'), '--routes', 'shop.localhost'])).code, 0);
  const second = await islet(['deploy', join(dir, 'dist', 'app.plan.json'), '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /deployed "shop" version 2; serving at:\n {2}shop\.localhost\n$/);
  assert.equal((await get(s, 'shop.localhost')).body, 'v2 none no-key');

  const apps = await islet(['apps', '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(apps.code, 0, apps.stderr);
  const [head, row] = apps.stdout.trimEnd().split('\n');
  assert.match(head ?? '', /^NAME\s+VERSION\s+STATUS\s+REQUESTS\s+ERRORS\s+ROUTES$/);
  assert.match(row ?? '', /^shop\s+2\s+serving\s+\d+\s+0\s+shop\.localhost$/);
  const json = await islet(['apps', '--admin', s.adminUrl, '--token', TOKEN, '--json']);
  assert.equal((JSON.parse(json.stdout) as { apps: { name: string }[] }).apps[0]?.name, 'shop');

  // --if-version with a version the app no longer serves is refused (409).
  const stale = await islet(['deploy', join(dir, 'dist', 'app.plan.json'), '--admin', s.adminUrl, '--token', TOKEN, '--if-version', '1']);
  assert.equal(stale.code, 2);
  assert.match(stale.stderr, /409 VERSION_CONFLICT/);
  assert.equal((await islet(['deploy', join(dir, 'dist', 'app.plan.json'), '--admin', s.adminUrl, '--token', TOKEN, '--if-version', '2'])).code, 0);
});

test('islet deploy --config --app sends env values and secret references; the server resolves the secret', async () => {
  const s = await start();
  const dir = await project({
    'src/shop.ts': SHOP_TS, 'src/lib/label.ts': LABEL_TS('cfg'),
    'islet.config.json': JSON.stringify({ apps: [{
      name: 'store', entry: 'src/shop.ts', routes: ['store.localhost'], env: { GREETING: 'hi' },
      secrets: { API_KEY: { fromEnv: 'SERVER_SIDE_KEY' } }, limits: { cpuMs: 100 },
    }] }),
  });
  const r = await islet(['deploy', '--config', join(dir, 'islet.config.json'), '--app', 'store', '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployed "store" version 1; serving at:\n {2}store\.localhost\n/);
  assert.equal((await get(s, 'store.localhost')).body, 'cfg hi has-key');
  const plan = await readFile(join(dir, 'src', 'dist', 'app.plan.json'), 'utf8');
  assert.match(plan, /"secrets": \[\s*"API_KEY"\s*\]/);
  assert.doesNotMatch(plan, /value-only-the-server-has/);
});

test('islet deploy --env KEY=VALUE and --secret NAME[=VAR] deploy values from the command line; the secret is never printed', async () => {
  const s = await start();
  const dir = await project({ 'src/shop.ts': SHOP_TS, 'src/lib/label.ts': LABEL_TS('flags') });
  const secretValue = 'cli-side-secret-value-42';
  process.env['ISLET_TEST_DEPLOY_SECRET'] = secretValue;
  try {
    const r = await islet(['deploy', join(dir, 'src', 'shop.ts'), '--routes', 'flags.localhost', '--env', 'GREETING=hey=there', '--secret', 'API_KEY=ISLET_TEST_DEPLOY_SECRET', '--admin', s.adminUrl, '--token', TOKEN]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await get(s, 'flags.localhost')).body, 'flags hey=there has-key');
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secretValue));
    const apps = await islet(['apps', '--admin', s.adminUrl, '--token', TOKEN, '--json']);
    assert.equal(apps.code, 0, apps.stderr);
    assert.doesNotMatch(apps.stdout, new RegExp(secretValue));

    // Bad flags and a missing variable: usage errors that name the flag, before anything is sent.
    for (const [flags, message] of [
      [['--env', 'GREETING'], /--env expects KEY=VALUE/],
      [['--env', '1X=y'], /--env expects KEY=VALUE.*"1X"/],
      [['--secret', 'API_KEY=NOT_SET_ANYWHERE_ISLET'], /environment variable NOT_SET_ANYWHERE_ISLET is not set here/],
      [['--secret', 'bad-name'], /--secret expects NAME or NAME=VAR/],
    ] as const) {
      const bad = await islet(['deploy', join(dir, 'src', 'shop.ts'), '--routes', 'flags.localhost', ...flags, '--admin', s.adminUrl, '--token', TOKEN]);
      assert.equal(bad.code, 2, `${flags.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, message);
    }
    const still = await islet(['apps', '--admin', s.adminUrl, '--token', TOKEN, '--json']);
    assert.match(still.stdout, /"version": ?1\b/, 'no bad deploy reached the server');
  } finally {
    delete process.env['ISLET_TEST_DEPLOY_SECRET'];
  }
});

test('a wrong or missing token, an unreachable admin URL and a refused deploy print what to do', async () => {
  const s = await start();
  const dir = await project({ 'app.ts': SHOP_TS, 'lib/label.ts': LABEL_TS('x'), 'throws.ts': 'const n: number = 1;\nthrow new Error("top-level failure " + n);\nexport default { fetch: () => new Response("") };' });

  const wrong = await islet(['apps', '--admin', s.adminUrl, '--token', 'not-the-token-at-all']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /401 UNAUTHORIZED/);
  assert.match(wrong.stderr, /token read from --token is not the server's/);
  assert.match(wrong.stderr, /ISLET_ADMIN_TOKEN/);
  const missing = await islet(['apps', '--admin', s.adminUrl]);
  if (process.env['ISLET_ADMIN_TOKEN'] === undefined) {
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No token was sent: pass --token TOKEN or set ISLET_ADMIN_TOKEN/);
  }

  const closed = await start();
  const closedUrl = closed.adminUrl;
  await closed.server.close();
  const refused = await islet(['deploy', join(dir, 'app.ts'), '--admin', closedUrl, '--token', TOKEN, '--routes', 'a.localhost']);
  assert.equal(refused.code, 2);
  assert.ok(refused.stderr.includes(`cannot reach the admin API at ${closedUrl} (ECONNREFUSED)`), refused.stderr);
  assert.match(refused.stderr, /"islet serve" is running with an admin listener/);

  const invalid = await islet(['deploy', join(dir, 'app.ts'), '--admin', s.adminUrl, '--token', TOKEN, '--routes', 'a.localhost', '--config', await configWith(dir, { limits: { cpuMs: 0, memoryMb: 1 } }), '--app', 'app']);
  assert.equal(invalid.code, 2, invalid.stderr);
  assert.match(invalid.stderr, /400 INVALID_CONFIG/);
  assert.match(invalid.stderr, /\n {2}\$[^\n]*limits\.cpuMs: /);
  assert.match(invalid.stderr, /\n {2}\$[^\n]*limits\.memoryMb: /);
  assert.equal(invalid.stderr.match(/limits\.cpuMs: /g)?.length, 1, 'each problem once');

  const failing = await islet(['deploy', join(dir, 'throws.ts'), '--admin', s.adminUrl, '--token', TOKEN, '--routes', 'b.localhost']);
  assert.equal(failing.code, 1, failing.stderr);
  assert.match(failing.stderr, /400 GUEST_EXCEPTION/);
  assert.match(failing.stderr, /top-level failure 1/);

  const public_ = await islet(['apps', '--admin', `http://127.0.0.1:${s.port}`, '--token', TOKEN]);
  assert.equal(public_.code, 2);
  assert.ok(public_.stderr.length > 0);
});

async function configWith(dir: string, extra: Record<string, unknown>): Promise<string> {
  const file = join(dir, 'islet.config.json');
  await writeFile(file, JSON.stringify({ apps: [{ name: 'app', entry: 'app.ts', routes: ['a.localhost'], ...extra }] }));
  return file;
}

test('a tampered plan is refused before anything is sent', async () => {
  const s = await start();
  const dir = await project({ 'app.ts': SHOP_TS, 'lib/label.ts': LABEL_TS('t') });
  assert.equal((await islet(['build', join(dir, 'app.ts'), '--routes', 't.localhost'])).code, 0);
  await writeFile(join(dir, 'dist', 'app.js'), (await readFile(join(dir, 'dist', 'app.js'), 'utf8')).replace("'t '", "'T '").replace('"t "', '"T "'));
  const r = await islet(['deploy', join(dir, 'dist', 'app.plan.json'), '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /PLAN_INVALID[\s\S]*app\.js.*does not match its sha256/);
  const apps = await islet(['apps', '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(apps.stdout, 'No apps are deployed.\n');
});

test('islet rm removes an app; a second rm is NO_APP', async () => {
  const s = await start();
  const dir = await project({ 'app.ts': SHOP_TS, 'lib/label.ts': LABEL_TS('rm') });
  assert.equal((await islet(['deploy', join(dir, 'app.ts'), '--admin', s.adminUrl, '--token', TOKEN, '--routes', 'rm.localhost', '--name', 'gone'])).code, 0);
  assert.equal((await get(s, 'rm.localhost')).status, 200);
  const rm = await islet(['rm', 'gone', '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, 'islet: removed "gone"\n');
  assert.notEqual((await get(s, 'rm.localhost')).status, 200);
  const again = await islet(['rm', 'gone', '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /404 NO_APP.*"islet apps" lists the deployed apps/);
  assert.equal((await islet(['rm', '--admin', s.adminUrl])).code, 2);
});

test('islet rollback serves the previous version again; with none left it is VERSION_CONFLICT', async () => {
  const s = await start();
  const first = await project({ 'app.ts': SHOP_TS, 'lib/label.ts': LABEL_TS('one') });
  const second = await project({ 'app.ts': SHOP_TS, 'lib/label.ts': LABEL_TS('two') });
  for (const dir of [first, second]) assert.equal((await islet(['deploy', join(dir, 'app.ts'), '--admin', s.adminUrl, '--token', TOKEN, '--routes', 'rb.localhost', '--name', 'rb'])).code, 0);
  const before = (await get(s, 'rb.localhost')).body;
  const back = await islet(['rollback', 'rb', '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(back.stdout, 'islet: "rb" serves version 1 again\n');
  const after = (await get(s, 'rb.localhost')).body;
  assert.notEqual(after, before, 'the answer changed back');
  const none = await islet(['rollback', 'rb', '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /VERSION_CONFLICT/);
  assert.equal((await islet(['rollback', '--admin', s.adminUrl])).code, 2);
});

test('islet logs prints an app\'s recent lines, and --follow streams new ones (token from ISLET_ADMIN_TOKEN)', async () => {
  const s = await start();
  const dir = await project({ 'app.ts': SHOP_TS, 'lib/label.ts': LABEL_TS('log') });
  assert.equal((await islet(['deploy', join(dir, 'app.ts'), '--admin', s.adminUrl, '--token', TOKEN, '--routes', 'log.localhost', '--name', 'logged'])).code, 0);
  await get(s, 'log.localhost', '/first');
  const recent = await islet(['logs', 'logged', '--admin', s.adminUrl, '--token', TOKEN]);
  assert.equal(recent.code, 0, recent.stderr);
  const lines = recent.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(lines.length > 0 && lines.every((l) => l['app'] === 'logged'), recent.stdout);
  assert.ok(lines.some((l) => JSON.stringify(l).includes('/first')), recent.stdout);

  const child = spawn(process.execPath, [BIN, 'logs', 'logged', '--follow', '--admin', s.adminUrl], { env: { ...process.env, ISLET_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  try {
    await waitFor(() => out.includes('/first'), () => `no recent lines: ${out} ${err}`);
    await get(s, 'log.localhost', '/second-live');
    await waitFor(() => out.includes('/second-live'), () => `no live line: ${out} ${err}`);
  } finally {
    child.kill();
  }
});

async function waitFor(condition: () => boolean, message: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(message());
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('every admin command has --help, and usage errors exit 2', async () => {
  for (const [command, words] of [['deploy', ['--admin', '--token', '--routes', '--config', '--if-version', 'Exit codes']], ['apps', ['--admin', '--json']], ['rm', ['--admin', '<name>']], ['rollback', ['--admin', '<name>', 'VERSION_CONFLICT']], ['logs', ['--follow', '--admin']]] as const) {
    const r = await islet([command, '--help']);
    assert.equal(r.code, 0, command);
    for (const word of words) assert.ok(r.stdout.includes(word), `${command}: ${word}`);
  }
  const top = await islet(['--help']);
  for (const command of ['build', 'deploy', 'apps', 'rm', 'rollback', 'logs']) assert.match(top.stdout, new RegExp(`islet ${command}`));
  for (const args of [['deploy'], ['deploy', 'x.ts', '--bogus'], ['apps', 'extra'], ['logs', 'a', 'b'], ['apps', '--admin', 'not a url'], ['deploy', 'x.ts', '--wait-ms', 'soon'], ['deploy', 'x.ts', '--if-version', 'v1']]) {
    const r = await islet(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
});
