import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, IsletError, DEFAULT_LIMITS } from '../src/index.ts';

const BAD: [string, unknown, string][] = [
  ['negative cpu', { limits: { cpuMs: -1 } }, 'limits.cpuMs'],
  ['NaN wall', { limits: { wallMs: NaN } }, 'limits.wallMs'],
  ['Infinity memory', { limits: { memoryMb: Infinity } }, 'limits.memoryMb'],
  ['string memory', { limits: { memoryMb: '64' } }, 'limits.memoryMb'],
  ['fractional bytes', { limits: { stdoutBytes: 1.5 } }, 'limits.stdoutBytes'],
  ['too small memory', { limits: { memoryMb: 1 } }, 'limits.memoryMb'],
  ['unknown limit', { limits: { cpu: 5 } }, 'limits.cpu'],
  ['limits not an object', { limits: 5 }, 'limits'],
  ['unknown key', { timeout: 5 }, 'timeout'],
  ['persistent not boolean', { persistent: 'yes' }, 'persistent'],
  ['bad isolation', { isolation: 'thread' }, 'isolation'],
  ['service not a function', { services: { kv: { get: 5 } } }, 'services.kv.get'],
  ['reserved service name', { services: { emit: () => 1 } }, 'services.emit'],
  ['bad service name', { services: { 'a-b': () => 1 } }, 'services.a-b'],
  ['services too deep', { services: { a: { b: { c: { d: () => 1 } } } } }, 'services.a.b.c'],
  ['env not an object', { env: [1] }, 'env'],
  ['env value uncloneable', { env: { F: () => 1 } }, 'env.F'],
  ['options not an object', 7, 'options'],
];

for (const [name, options, option] of BAD) {
  test(`INVALID_OPTIONS at construction: ${name}`, () => {
    assert.throws(() => new Sandbox(options as never), (error: unknown) => {
      assert.ok(error instanceof IsletError);
      assert.equal(error.code, 'INVALID_OPTIONS');
      assert.equal(error.option, option);
      assert.ok(error.message.includes(`"${option}"`), error.message);
      return true;
    });
  });
}

test('defaults are applied and documented values', () => {
  const sandbox = new Sandbox();
  assert.deepEqual(sandbox.limits, DEFAULT_LIMITS);
  assert.deepEqual(new Sandbox({ limits: { cpuMs: 5 } }).limits, { ...DEFAULT_LIMITS, cpuMs: 5 });
});

test('bad run options are INVALID_OPTIONS', async () => {
  await using sandbox = new Sandbox();
  await assert.rejects(sandbox.run(42 as never), { code: 'INVALID_OPTIONS', option: 'source' });
  await assert.rejects(sandbox.run('1', { args: 'x' as never }), { code: 'INVALID_OPTIONS', option: 'args' });
  await assert.rejects(sandbox.run('1', { filename: '../escape.ts' }), { code: 'INVALID_OPTIONS', option: 'filename' });
  await assert.rejects(sandbox.run('1', { args: [() => 1] }), { code: 'INVALID_OPTIONS', option: 'args' });
  await assert.rejects(sandbox.run('1', { nope: 1 } as never), { code: 'INVALID_OPTIONS', option: 'nope' });
});
