import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from '../src/index.ts';
import type { Receipt } from '../src/index.ts';
import { failure } from './helpers.ts';

const CPU_CASES = {
  'a synchronous loop': 'while (true) {}',
  'a microtask loop': 'for (;;) await null;',
  'a promise fan-out': '(async function f() { await 0; f(); f(); })()',
  'a loop after a host call': 'await host.tick(); while (true) {}',
  'microtasks after many host calls': 'for (;;) { await host.tick(); for (let i = 0; i < 1e5; i++); }',
};

for (const [name, source] of Object.entries(CPU_CASES)) {
  test(`CPU_LIMIT stops ${name}`, async () => {
    await using sandbox = new Sandbox({ limits: { cpuMs: 100, wallMs: 20_000 }, services: { tick: async () => 1 } });
    const error = await failure(sandbox.run(source));
    assert.equal(error.code, 'CPU_LIMIT');
    const receipt = error.receipt as Receipt;
    assert.equal(receipt.ok, false);
    assert.equal(receipt.error?.code, 'CPU_LIMIT');
    // isolated-vm's timeout runs on the wall clock within an entry, so a thread descheduled during
    // the last entry (a loaded machine) is stopped a little short of the budget in CPU time: one
    // full-suite run saw 99.96 ms. A kill well short of the budget still fails here.
    assert.ok(receipt.usage.cpuMs >= 95, `used ${receipt.usage.cpuMs} ms`);
    // The sandbox is usable again after the kill.
    const next = await sandbox.run('export default () => 7');
    assert.equal(next.value, 7);
  });
}

test('WALL_TIMEOUT ends a guest awaiting a promise that never settles', async () => {
  await using sandbox = new Sandbox({ limits: { wallMs: 300 } });
  const error = await failure(sandbox.run('await new Promise(() => {}); console.log("never")'));
  assert.equal(error.code, 'WALL_TIMEOUT');
  assert.ok((error.receipt as Receipt).usage.wallMs >= 300);
  assert.equal((error.receipt as Receipt).stdout, '');
});

test('WALL_TIMEOUT also ends a guest waiting on a host service that hangs', async () => {
  await using sandbox = new Sandbox({ limits: { wallMs: 200 }, services: { hang: () => new Promise(() => {}) } });
  const error = await failure(sandbox.run('console.log("before"); await host.hang();'));
  assert.equal(error.code, 'WALL_TIMEOUT');
  assert.equal((error.receipt as Receipt).stdout, 'before\n');
});

const MEMORY_CASES = {
  'an allocation loop': 'const a = []; for (;;) a.push({ n: Math.random(), s: "x" + Math.random() });',
  'a huge string build': 'const parts = []; for (let i = 0; ; i++) parts.push("y".repeat(1024) + i);',
  'a giant array built in steps': 'const a = []; for (let i = 0; ; i++) a[i] = i + 0.5;',
  'an ArrayBuffer bomb': 'const keep = []; for (;;) keep.push(new ArrayBuffer(8 * 1024 * 1024));',
};

for (const [name, source] of Object.entries(MEMORY_CASES)) {
  test(`MEMORY_LIMIT (or a catchable RangeError) stops ${name}`, async () => {
    await using sandbox = new Sandbox({ limits: { memoryMb: 32, cpuMs: 20_000, wallMs: 30_000 } });
    const error = await failure(sandbox.run(source));
    const rangeError = error.code === 'GUEST_EXCEPTION' && error.guest?.name === 'RangeError';
    assert.ok(error.code === 'MEMORY_LIMIT' || rangeError, `got ${error.code}: ${error.message}`);
    const next = await sandbox.run('export default () => "still works"');
    assert.equal(next.value, 'still works');
  });
}

test('a single giant allocation, which V8 answers by killing its process, costs only the worker in isolation "process"', async () => {
  // new Array(1e8).fill(0) asks V8 for ~800 MB at once; V8 aborts the whole process (measured:
  // SIGSEGV with isolated-vm 7.0.1 on Node 24). In isolation "process" that is the worker, not us.
  await using sandbox = new Sandbox({ isolation: 'process', limits: { memoryMb: 32 } });
  const error = await failure(sandbox.run('const a = new Array(1e8).fill(0); console.log(a.length);'));
  assert.ok(error.code === 'MEMORY_LIMIT' || error.code === 'ISOLATE_CRASHED', `got ${error.code}: ${error.message}`);
  const next = await sandbox.run('export default () => "a new worker"');
  assert.equal(next.value, 'a new worker');
});

test('an ArrayBuffer bomb is a RangeError the guest can catch', async () => {
  await using sandbox = new Sandbox({ limits: { memoryMb: 32 } });
  const receipt = await sandbox.run('export default () => { try { new ArrayBuffer(2 ** 40); return "allocated"; } catch (e) { return e.name; } }');
  assert.equal(receipt.value, 'RangeError');
});

test('heapPeakBytes reflects what the guest allocated', async () => {
  await using sandbox = new Sandbox();
  const small = await sandbox.run('export default () => 1');
  const big = await sandbox.run('globalThis.keep = new Array(1e6).fill(1.5); export default () => keep.length');
  assert.equal(big.value, 1e6);
  assert.ok(big.usage.heapPeakBytes > small.usage.heapPeakBytes + 4_000_000, `${big.usage.heapPeakBytes} vs ${small.usage.heapPeakBytes}`);
});

test('output past the cap is dropped and flagged, not an error', async () => {
  await using sandbox = new Sandbox({ limits: { stdoutBytes: 10, stderrBytes: 5 } });
  const receipt = await sandbox.run('console.log("0123456789abcdef"); console.error("é".repeat(10)); export default () => "done"');
  assert.equal(receipt.stdout, '0123456789');
  assert.equal(receipt.stdoutTruncated, true);
  assert.equal(receipt.stderr, 'éé');
  assert.equal(receipt.stderrTruncated, true);
  assert.equal(receipt.value, 'done');
});
