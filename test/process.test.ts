import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, handle, type Handle } from '../src/index.ts';
import { failure } from './helpers.ts';

test('isolation "process": runs, services, handles, output and messaging work through the worker', async () => {
  await using sandbox = new Sandbox({
    isolation: 'process', persistent: true,
    services: { kv: { get: async (k: string) => `v:${k}` }, box: { make: () => handle('box', { n: 7 }), open: (h: Handle<{ n: number }>) => h.get('box').n } },
  });
  const receipt = await sandbox.run('console.log("from worker"); export default async () => [await host.kv.get("a"), await host.box.open(await host.box.make())]');
  assert.deepEqual(receipt.value, ['v:a', 7]);
  assert.equal(receipt.stdout, 'from worker\n');
  const got: unknown[] = [];
  sandbox.on('pong', (d) => got.push(d));
  await sandbox.run('host.on("ping", (d) => host.emit("pong", d * 2))');
  await sandbox.send('ping', 21);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(got, [42]);
});

test('isolation "process": code that ignores termination is killed at the deadline and the embedder keeps running', async () => {
  await using sandbox = new Sandbox({ isolation: 'process', limits: { cpuMs: 200, wallMs: 1000, memoryMb: 512 } });
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 50);
  try {
    // JSON.parse of deeply nested arrays ignores TerminateExecution for a long time.
    const error = await failure(sandbox.run('const n = 30_000_000; JSON.parse("[".repeat(n) + "]".repeat(n));'));
    assert.ok(error.code === 'WALL_TIMEOUT' || error.code === 'ISOLATE_CRASHED' || error.code === 'CPU_LIMIT' || error.code === 'MEMORY_LIMIT', `${error.code}: ${error.message}`);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 5, 'the embedding process kept its event loop running');
  assert.equal((await sandbox.run('export default () => "replaced worker"')).value, 'replaced worker');
});

test('isolation "process": a worker that dies mid-run ends the run with ISOLATE_CRASHED, and the next run gets a new worker', async () => {
  await using sandbox = new Sandbox({ isolation: 'process', services: { die: () => { process.kill(workerPid(sandbox), 'SIGKILL'); return new Promise(() => {}); } } });
  const error = await failure(sandbox.run('await host.die()'));
  assert.equal(error.code, 'ISOLATE_CRASHED');
  assert.equal((await sandbox.run('export default () => 1')).value, 1);
});

function workerPid(sandbox: Sandbox): number {
  // The backend is private; find the newest child of this process instead.
  void sandbox;
  const children = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()
    .filter((h): h is { pid: number; spawnfile: string } => typeof (h as { pid?: unknown }).pid === 'number');
  const last = children.at(-1);
  if (last === undefined) throw new Error('no worker process found');
  return last.pid;
}
