import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig, ConfigError, APP_LIMIT_DEFAULTS } from '../src/server/config.ts';

const dir = await mkdtemp(join(tmpdir(), 'islet-config-'));
await writeFile(join(dir, 'hello.ts'), 'export default { fetch() { return new Response("hi") } }');
await writeFile(join(dir, 'other.js'), 'export default { fetch() { return new Response("o") } }');
const options = { baseDir: dir, environment: { HELLO_API_KEY: 's3cret' }, source: 'test.json' };

function problems(config: unknown): Record<string, string> {
  try {
    validateConfig(config, options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.code, 'INVALID_CONFIG');
    return Object.fromEntries(error.problems.map((p) => [p.path, p.message]));
  }
  assert.fail('the configuration should be invalid');
}

test('a valid configuration: defaults, resolved entry, routes, env with secrets', () => {
  const config = validateConfig({
    listen: { port: 9000 },
    apps: [{ name: 'hello', entry: 'hello.ts', routes: ['hello.localhost', 'localhost/api'], env: { GREETING: 'hi' }, secrets: { API_KEY: { fromEnv: 'HELLO_API_KEY' } }, limits: { cpuMs: 20 }, fetch: { allow: ['api.example.com'] } }],
  }, options);
  assert.deepEqual(config.listen, { host: '127.0.0.1', port: 9000 });
  const app = config.apps[0];
  assert.ok(app !== undefined);
  assert.equal(app.entry, join(dir, 'hello.ts'));
  assert.deepEqual(app.routes.map((r) => r.pattern), ['hello.localhost', 'localhost/api']);
  assert.deepEqual(app.env, { GREETING: 'hi', API_KEY: 's3cret' });
  assert.deepEqual(app.secretValues, ['s3cret']);
  assert.deepEqual(app.limits, { ...APP_LIMIT_DEFAULTS, cpuMs: 20 });
  assert.equal(app.fetch?.allow[0]?.host, 'api.example.com');
  assert.equal(app.fetch?.maxSubrequests, APP_LIMIT_DEFAULTS.subrequests, 'limits.subrequests caps fetch');
});

test('every problem is reported with its JSON path, in one pass', () => {
  const found = problems({
    listen: { port: 70000, tls: true },
    apps: [
      { name: 'Bad Name', entry: 'missing.ts', routes: ['http://x', 'ok.localhost'], env: { '1X': 1 }, secrets: { K: { fromEnv: 'NOT_SET' } }, limits: { cpuMs: -1, gpu: 1 }, fetch: { allow: ['https://x'] }, extra: 1 },
      { name: 'dup', entry: 'other.js', routes: ['ok.localhost'] },
      { name: 'dup', entry: 'other.js', routes: [] },
      'not an app',
    ],
  });
  assert.deepEqual(Object.keys(found).sort(), [
    '$.apps[0].entry', '$.apps[0].env.1X', '$.apps[0].extra', '$.apps[0].fetch.allow[0]', '$.apps[0].limits.cpuMs', '$.apps[0].limits.gpu',
    '$.apps[0].name', '$.apps[0].routes[0]', '$.apps[0].secrets.K.fromEnv', '$.apps[1].routes[0]', '$.apps[2].name', '$.apps[2].routes',
    '$.apps[3]', '$.listen.port', '$.listen.tls',
  ].sort());
  assert.match(found['$.apps[1].routes[0]'] ?? '', /already routed to app "Bad Name" \(\$\.apps\[0\]\)/);
  assert.match(found['$.apps[0].secrets.K.fromEnv'] ?? '', /NOT_SET is not set/);
  assert.match(found['$.apps[0].entry'] ?? '', /no such file: missing\.ts/);
});

test('top-level shape errors', () => {
  assert.deepEqual(Object.keys(problems(null)), ['$']);
  assert.deepEqual(Object.keys(problems({ apps: [] })), ['$.apps']);
  assert.deepEqual(Object.keys(problems({ apps: [{ name: 'a', entry: 'hello.ts', routes: ['a.localhost'], env: { X: 1 }, secrets: { X: { fromEnv: 'HELLO_API_KEY' } } }] })), ['$.apps[0].secrets.X']);
});

test('the message lists every problem for people', () => {
  try {
    validateConfig({ apps: [{ name: 'a', entry: 'hello.ts', routes: ['bad route!'] }] }, options);
    assert.fail('should throw');
  } catch (error) {
    assert.match((error as Error).message, /test\.json is invalid:\n {2}\$\.apps\[0\]\.routes\[0\]: "bad route!"/);
  }
});

test('the server block: defaults from the machine, overrides, and each bad value named by its path', async () => {
  const { availableParallelism } = await import('node:os');
  const { shardRssBudgetMb } = await import('../src/server/config.ts');
  const app = { name: 'a', entry: 'hello.ts', routes: ['a.localhost'] };
  const defaults = validateConfig({ apps: [app] }, options).server;
  assert.equal(defaults.shards, Math.min(64, availableParallelism()));
  assert.equal(defaults.preload, true);
  assert.ok(defaults.memoryBudgetMb >= 256);
  assert.equal(shardRssBudgetMb(defaults), Math.ceil(defaults.memoryBudgetMb / defaults.shards) * 2 + 512);
  const set = validateConfig({ server: { shards: 0, memoryBudgetMb: 512, shardRssMb: 300, preload: false }, apps: [app] }, options).server;
  assert.deepEqual(set, { shards: 0, memoryBudgetMb: 512, shardRssMb: 300, preload: false });
  assert.deepEqual(problems({ server: { shards: -1, memoryBudgetMb: 1.5, shardRssMb: 64, preload: 'yes', threads: 4 }, apps: [app] }), {
    '$.server.shards': 'expected a whole number from 0 to 64, got -1',
    '$.server.memoryBudgetMb': 'expected a whole number from 16 to 1048576, got 1.5',
    '$.server.shardRssMb': 'expected a whole number from 128 to 1048576, got 64',
    '$.server.preload': 'expected true or false, got "yes"',
    '$.server.threads': 'unknown key; known keys are shards, memoryBudgetMb, shardRssMb, preload',
  });
  assert.deepEqual(Object.keys(problems({ server: [], apps: [app] })), ['$.server']);
});
