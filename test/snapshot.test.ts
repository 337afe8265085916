import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sandbox } from '../src/index.ts';
import { preludeImage, pruneCache } from '../src/engine/snapshot.ts';
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

test('the cache keeps the most recently used prelude files of each kind and deletes older ones with their verdicts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'islet-prune-'));
  const day = 86_400;
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < 7; i += 1) {
    for (const file of [`prelude-k${i}.snapshot`, `prelude-k${i}.snapshot.ok`, `prelude-k${i}.js`]) {
      await writeFile(join(dir, file), 'x');
      await utimes(join(dir, file), now - i * day, now - i * day);
    }
  }
  await writeFile(join(dir, 'prelude-k9.snapshot.123.tmp'), 'x'); // left by a process that died while writing
  await utimes(join(dir, 'prelude-k9.snapshot.123.tmp'), now - day, now - day);
  await writeFile(join(dir, 'prelude-k8.snapshot.456.tmp'), 'x'); // being written right now
  await writeFile(join(dir, 'unrelated.txt'), 'x');
  pruneCache(dir, '.snapshot');
  pruneCache(dir, '.js');
  const left = (await readdir(dir)).sort();
  assert.deepEqual(left, [
    'prelude-k0.js', 'prelude-k0.snapshot', 'prelude-k0.snapshot.ok', 'prelude-k1.js', 'prelude-k1.snapshot', 'prelude-k1.snapshot.ok',
    'prelude-k2.js', 'prelude-k2.snapshot', 'prelude-k2.snapshot.ok', 'prelude-k3.js', 'prelude-k3.snapshot', 'prelude-k3.snapshot.ok',
    'prelude-k8.snapshot.456.tmp', 'unrelated.txt',
  ]);
});

test('the prelude is minified with its Web names kept, ASCII only', () => {
  const source = preludeSource();
  assert.ok(/^[\x00-\x7f]*$/.test(source), 'a non-ASCII character would make V8 hold the source as two-byte');
  for (const name of ['Headers=class', 'class ReadableStream', 'function fetch(', 'Response=class']) assert.ok(source.includes(name), name);
  assert.ok(source.length < 160_000, `prelude is ${source.length} characters`);
});
