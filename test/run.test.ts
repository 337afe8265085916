import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from '../src/index.ts';
import { failure } from './helpers.ts';

test('a module runs top-level code and returns its default export called with args', async () => {
  await using sandbox = new Sandbox();
  const receipt = await sandbox.run('console.log("top"); export default async (a: number, b: number) => a * b;', { args: [6, 7] });
  assert.equal(receipt.ok, true);
  assert.equal(receipt.value, 42);
  assert.equal(receipt.stdout, 'top\n');
});

test('a module without a default export runs "main"', async () => {
  await using sandbox = new Sandbox();
  assert.equal((await sandbox.run('export function main(x: string) { return x + "!" }', { args: ['hi'] })).value, 'hi!');
  assert.equal((await sandbox.run('const x = 1;')).value, undefined);
});

test('top-level await and structured-cloned results', async () => {
  await using sandbox = new Sandbox();
  const receipt = await sandbox.run('const v = await Promise.resolve(new Map([[1, new Date(0)]])); export default () => ({ v, bytes: new Uint8Array([1, 2]) })');
  const value = receipt.value as { v: Map<number, Date>; bytes: Uint8Array };
  assert.ok(value.v instanceof Map);
  assert.equal(value.v.get(1)?.getTime(), 0);
  assert.deepEqual([...value.bytes], [1, 2]);
});

test('eval returns the completion value, awaiting promises', async () => {
  await using sandbox = new Sandbox();
  assert.equal((await sandbox.eval('1 + 1')).value, 2);
  assert.equal((await sandbox.eval('Promise.resolve("later")')).value, 'later');
  const error = await failure(sandbox.eval('throw new RangeError("nope")', { filename: 'snippet.js' }));
  assert.equal(error.code, 'GUEST_EXCEPTION');
  assert.equal(error.guest?.name, 'RangeError');
  assert.match(error.guest?.stack ?? '', /snippet\.js:1:7/);
});

test('each run starts from a clean global scope unless persistent', async () => {
  await using fresh = new Sandbox();
  await fresh.eval('globalThis.counter = 1');
  assert.equal((await fresh.eval('typeof counter')).value, 'undefined');
  await using repl = new Sandbox({ persistent: true });
  await repl.eval('globalThis.counter = 1; let kept = 10;');
  await repl.eval('counter += 1');
  assert.equal((await repl.eval('counter + kept')).value, 12);
});

test('TypeScript is accepted, including enums, and relative imports come from the modules map', async () => {
  await using sandbox = new Sandbox();
  const receipt = await sandbox.run(
    'import { Color } from "./lib/color.ts"; import twice from "./lib/twice"; export default (): number => twice(Color.Blue);',
    { modules: { 'lib/color.ts': 'export enum Color { Red, Green, Blue }', 'lib/twice.ts': 'export default (n: number): number => n * 2;' } },
  );
  assert.equal(receipt.value, 4);
});

test('imports of node:*, packages, absolute paths, URLs and missing files fail with MODULE_NOT_FOUND', async () => {
  await using sandbox = new Sandbox();
  for (const spec of ['node:fs', 'fs', 'lodash', '/etc/passwd', 'https://example.com/x.js', './missing.ts', '../outside.ts']) {
    const error = await failure(sandbox.run(`import x from ${JSON.stringify(spec)}; export default () => x`));
    assert.equal(error.code, 'MODULE_NOT_FOUND', spec);
    assert.ok(error.message.includes(spec), error.message);
  }
});

test('syntax errors are SYNTAX_ERROR with the file name', async () => {
  await using sandbox = new Sandbox();
  const js = await failure(sandbox.run('export const = 1;', { filename: 'bad.js' }));
  assert.equal(js.code, 'SYNTAX_ERROR');
  assert.match(js.message, /bad\.js/);
  const ts = await failure(sandbox.run('let x: = 1;', { filename: 'bad.ts' }));
  assert.equal(ts.code, 'SYNTAX_ERROR');
});

test('guest exceptions carry the guest name, message and a guest-only stack', async () => {
  await using sandbox = new Sandbox();
  const error = await failure(sandbox.run('function f() { throw new TypeError("bad thing") }\nexport default () => f()', { filename: 'app.ts' }));
  assert.equal(error.code, 'GUEST_EXCEPTION');
  assert.equal(error.guest?.name, 'TypeError');
  assert.equal(error.guest?.message, 'bad thing');
  assert.match(error.guest?.stack ?? '', /app\.ts:1:/);
  assert.doesNotMatch(error.guest?.stack ?? '', /node_modules|\/src\/|isolated-vm|file:/);
  const receipt = error.receipt;
  assert.equal(receipt?.error?.code, 'GUEST_EXCEPTION');
  const thrown = await failure(sandbox.run('throw 42'));
  assert.equal(thrown.code, 'GUEST_EXCEPTION');
  assert.match(thrown.message, /42/);
});

test('an unhandled rejection fails the run as a guest exception', async () => {
  await using sandbox = new Sandbox();
  const error = await failure(sandbox.run('Promise.reject(new Error("dropped")); export default () => 1'));
  assert.equal(error.code, 'GUEST_EXCEPTION');
});

test('uncloneable results are UNCLONEABLE_VALUE', async () => {
  await using sandbox = new Sandbox();
  const error = await failure(sandbox.run('export default () => ({ f() {} })'));
  assert.equal(error.code, 'UNCLONEABLE_VALUE');
});

test('console formats objects readably, is safe with cycles, and splits stdout from stderr', async () => {
  await using sandbox = new Sandbox();
  const receipt = await sandbox.run(`
    const a: any = { list: [1, 'two', { three: 3n }], m: new Map([['k', 1]]) };
    a.self = a;
    console.log(a);
    console.log({ long: 'x'.repeat(70), n: 1 });
    console.info('%s has %d items', 'list', 3);
    console.debug(null, undefined, Symbol('s'));
    console.warn('careful');
    console.error(new Error('shown'));
    console.log(Object.create(null), [], function named() {}, { get g() { throw new Error('getter ran') } });
  `);
  const lines = receipt.stdout.split('\n');
  assert.equal(lines[0], "{ list: [ 1, 'two', { three: 3n } ], m: Map(1) { 'k' => 1 }, self: [Circular] }");
  assert.equal(lines[1], '{');
  assert.equal(lines[2], `  long: '${'x'.repeat(70)}',`);
  assert.equal(lines[3], '  n: 1');
  assert.equal(lines[4], '}');
  assert.equal(lines[5], 'list has 3 items');
  assert.equal(lines[6], 'null undefined Symbol(s)');
  assert.equal(lines[7], '[Object: null prototype] {} [] [Function: named] { g: [Getter] }');
  assert.match(receipt.stderr, /^careful\nError: shown\n {4}at main\.ts:/);
});

test('env is a frozen, null-prototype object with the given values', async () => {
  await using sandbox = new Sandbox({ env: { GREETING: 'hi', NESTED: { a: 1 } } });
  const receipt = await sandbox.run(`export default () => {
    'use strict';
    let assigned = 'no';
    try { (env as any).GREETING = 'changed'; } catch { assigned = 'threw'; }
    try { (env as any).NESTED.a = 2; } catch {}
    return [env.GREETING, Object.getPrototypeOf(env), Object.isFrozen(env), assigned, (env as any).NESTED.a];
  }`);
  assert.deepEqual(receipt.value, ['hi', null, true, 'threw', 1]);
});

test('a disposed sandbox refuses runs with DISPOSED; dispose is idempotent; a run in flight ends DISPOSED', async () => {
  const sandbox = new Sandbox({ limits: { wallMs: 5000 } });
  const pending = sandbox.run('await new Promise(() => {})');
  setTimeout(() => { void sandbox.dispose(); }, 50);
  assert.equal((await failure(pending)).code, 'DISPOSED');
  await sandbox.dispose();
  assert.equal((await failure(sandbox.run('1'))).code, 'DISPOSED');
  assert.equal(sandbox.disposed, true);
});

test('a hundred sandboxes running concurrently, some hitting limits, all get correct receipts', async () => {
  const kinds = ['ok', 'cpu', 'throw', 'memory', 'wall'] as const;
  const jobs = Array.from({ length: 100 }, async (_, i) => {
    const kind = kinds[i % kinds.length] as (typeof kinds)[number];
    const cpuMs = kind === 'memory' ? 10_000 : 50;
    await using sandbox = new Sandbox({ limits: { cpuMs, wallMs: kind === 'memory' ? 20_000 : 2000, memoryMb: 32 }, services: { id: async (n: number) => n } });
    const source = {
      ok: `console.log('run ${i}'); export default async () => await host.id(${i});`,
      cpu: 'for (;;) await null;',
      throw: `throw new Error('job ${i}')`,
      memory: 'const a = []; for (;;) a.push("x".repeat(64) + Math.random());',
      wall: 'await new Promise(() => {})',
    }[kind];
    try {
      const receipt = await sandbox.run(source);
      return { i, kind, code: 'OK', value: receipt.value, stdout: receipt.stdout };
    } catch (error) {
      const e = error as { code: string; message: string };
      return { i, kind, code: e.code, value: e.message, stdout: '' };
    }
  });
  const results = await Promise.all(jobs);
  const expected = { ok: 'OK', cpu: 'CPU_LIMIT', throw: 'GUEST_EXCEPTION', memory: 'MEMORY_LIMIT', wall: 'WALL_TIMEOUT' };
  for (const r of results) {
    assert.equal(r.code, expected[r.kind], `job ${r.i} (${r.kind}): ${String(r.value)}`);
    if (r.kind === 'ok') { assert.equal(r.value, r.i); assert.equal(r.stdout, `run ${r.i}\n`); }
    if (r.kind === 'throw') assert.match(String(r.value), new RegExp(`job ${r.i}$`));
  }
});
