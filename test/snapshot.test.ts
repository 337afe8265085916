import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sandbox } from '../src/index.ts';
import { preludeImage } from '../src/engine/snapshot.ts';
import { preludeSource, PRELUDE_BOOT, PRELUDE_FILENAME } from '../src/bridge/prelude.ts';

test('the standard library comes from a verified snapshot', () => {
  const image = preludeImage(preludeSource(), PRELUDE_FILENAME, PRELUDE_BOOT);
  assert.equal(image.fallbackReason, undefined);
  assert.ok(image.snapshot !== undefined);
});

test("the snapshot's warm-up boot leaves nothing behind: each context boots once, with its own env and services", async () => {
  // The snapshot is made after booting a throwaway context with env WARM, service warm.up and KV
  // binding WARM_KV; none of that may reach a guest, and boot must still be callable once.
  await using sandbox = new Sandbox({ env: { MINE: 'yes' }, services: { real: { ping: () => 'pong' } } });
  const seen = (await sandbox.run('export default async () => [Object.keys(env).join(), Object.keys(host).join(), typeof host.warm, typeof globalThis.__islet_boot, await host.real.ping()]')).value;
  assert.deepEqual(seen, ['MINE', 'real,on,off,emit', 'undefined', 'undefined', 'pong']);
});

test('isolates from one snapshot get their own randomness and clock', async () => {
  const values: unknown[][] = [];
  for (let i = 0; i < 2; i++) {
    await using sandbox = new Sandbox();
    values.push((await sandbox.eval('[Math.random(), crypto.randomUUID(), crypto.getRandomValues(new Uint32Array(2)).join()]')).value as unknown[]);
    await new Promise((r) => setTimeout(r, 5));
  }
  const [a, b] = values as [unknown[], unknown[]];
  assert.notEqual(a[0], b[0], 'Math.random');
  assert.notEqual(a[1], b[1], 'randomUUID');
  assert.notEqual(a[2], b[2], 'getRandomValues');
});

test('a snapshot that crashes contexts is caught by the canary process, and islet falls back to the script', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'islet-snap-'));
  const saved = process.env['ISLET_CACHE_DIR'];
  process.env['ISLET_CACHE_DIR'] = dir;
  try {
    // Deleting these globals inside a snapshot makes V8 abort when it makes a context from it
    // (isolated-vm 7.0.1, Node 24): the kind of snapshot the canary exists for.
    const crashing = `${preludeSource()}\ndelete globalThis.SharedArrayBuffer; delete globalThis.Atomics; delete globalThis.WebAssembly;\n// variant ${Date.now()}`;
    const image = preludeImage(crashing, PRELUDE_FILENAME, PRELUDE_BOOT);
    assert.equal(image.snapshot, undefined);
    assert.match(image.fallbackReason ?? '', /canary/);
    assert.ok((await readdir(dir)).some((f) => f.endsWith('.failed')));
  } finally {
    if (saved === undefined) delete process.env['ISLET_CACHE_DIR']; else process.env['ISLET_CACHE_DIR'] = saved;
  }
});

test('with snapshots off (ISLET_SNAPSHOT=0) the prelude script runs per context and everything works', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'islet-nosnap-'));
  const file = join(dir, 'main.js');
  await writeFile(file, 'export default () => [new URL("https://h/?a=1").searchParams.get("a"), new TextDecoder().decode(new TextEncoder().encode("é")), typeof SharedArrayBuffer]');
  const bin = fileURLToPath(new URL('../bin/islet.js', import.meta.url));
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [bin, 'run', file, '--json'], { env: { ...process.env, ISLET_SNAPSHOT: '0' } }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
  assert.deepEqual((JSON.parse(out) as { value: unknown }).value, ['1', 'é', 'undefined']);
});
