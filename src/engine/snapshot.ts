/**
 * The prelude image: a V8 heap snapshot with the guest standard library already evaluated, so a
 * new context starts with it instead of running it. Built once per (prelude source, isolated-vm
 * version, Node version, platform), cached on disk, and verified in a canary *process* before first
 * use (isolated-vm has had snapshots that crash isolates). When a snapshot cannot be built or fails
 * its canary, contexts run the prelude script instead, compiled with a V8 code cache.
 *
 * The prelude must not bake in a random seed, a key, the time or a tenant's value: per-context
 * state is set at boot. Set ISLET_SNAPSHOT=0 to turn snapshots off.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type IvmTypes from 'isolated-vm';
import { ivmVersion, loadIvm } from './ivm.ts';

/** How contexts get the prelude. */
export interface PreludeImage {
  /** The snapshot isolates start from, when one is in use. */
  readonly snapshot: IvmTypes.ExternalCopy<ArrayBuffer> | undefined;
  /** The prelude script source (run per context when there is no snapshot). */
  readonly source: string;
  /** Why there is no snapshot, when there is none. */
  readonly fallbackReason: string | undefined;
}

const CANARY = fileURLToPath(new URL('./snapshot-canary.ts', import.meta.url));
const images = new Map<string, PreludeImage>();

/** Where snapshots are cached: $ISLET_CACHE_DIR, else ~/.cache/islet, else the temp directory. */
export function cacheDir(): string {
  const configured = process.env['ISLET_CACHE_DIR'];
  if (configured !== undefined && configured !== '') return configured;
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'islet');
}

/** The directories tried for the cache, in order: cacheDir(), then a per-user one in the temp directory. */
export function cacheDirs(): string[] {
  return [cacheDir(), join(tmpdir(), `islet-cache-${process.getuid?.() ?? 'user'}`)];
}

/** Writes a cache file whole or not at all (a temporary file renamed into place); throws when `dir` is unwritable. */
export function writeCacheFile(dir: string, file: string, data: string | Uint8Array): void {
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Cached prelude files of each kind kept per directory: older versions' files are deleted. */
const CACHE_KEEP = 4;

/** Marks a cache file as used now (pruning keeps the most recently used). */
export function touch(file: string): void {
  try { const now = new Date(); utimesSync(file, now, now); } catch { /* read-only cache: fine */ }
}

/**
 * Deletes all but the CACHE_KEEP most recently used `prelude-*<suffix>` files in `dir` (with their
 * `.ok`/`.failed` verdicts), and temporary files left by processes that died while writing. Each
 * prelude change leaves files behind (a snapshot is ~1 MB); another islet version sharing the
 * directory whose file is deleted builds it again on its next start.
 */
export function pruneCache(dir: string, suffix: string): void {
  try {
    const names = readdirSync(dir).filter((n) => n.startsWith('prelude-'));
    const now = Date.now();
    for (const name of names) {
      if (name.endsWith('.tmp') && now - statSync(join(dir, name)).mtimeMs > 3_600_000) rmSync(join(dir, name), { force: true });
    }
    const primary = names.filter((n) => n.endsWith(suffix))
      .map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { n } of primary.slice(CACHE_KEEP)) {
      for (const file of [n, `${n}.ok`, `${n}.failed`]) rmSync(join(dir, file), { force: true });
    }
  } catch { /* pruning is best effort: a file another process removed first, a read-only directory */ }
}

/** Bumped when the canary's checks change, so old verdicts are not reused. */
const CANARY_VERSION = '5';

/**
 * Run once while the snapshot is made, so the functions a context's boot and a request touch are
 * compiled into it (V8 keeps their bytecode): a new isolate skips compiling them. It runs in a
 * throwaway context (its state is not in the snapshot): it boots that context with dummy ops
 * (the URL parser's answers one fixed URL), loads a small app and serves it a few requests, then
 * exercises the other common constructors; whatever needs a real host fails and is ignored.
 * Streams are left out on purpose: their module is made on first use (src/guest/13-streams.ts),
 * and its bytecode in the snapshot would cost every new isolate ~0.35 ms to deserialize (the
 * snapshot is 707 KB without it, 779 KB with it), while compiling it costs ~1.7 ms once, in the
 * isolates that use a stream.
 */
function warmup(boot: PreludeBoot): string {
  const urlOp = boot.ops.indexOf('op_url_parse');
  return `(() => {
  const tryIt = (fn) => { try { fn(); } catch {} };
  const op = () => [true, null];
  const WARM_URL = 'http://localhost/warm';
  const parseUrl = (input) => input === WARM_URL ? [true, [WARM_URL, 'http://localhost', 'http:', '', '', 'localhost', 'localhost', '', '/warm', '', '']] : [true, null];
  tryIt(() => {
    const dispatch = globalThis[${JSON.stringify(boot.global)}]((index, ...args) => index === ${urlOp} ? parseUrl(...args) : op(), { services: ['warm.up'], env: { WARM: 'up' }, kv: ['WARM_KV'] });
    dispatch('arm', 1, [], 'app');
    globalThis.__islet_start({ default: { async fetch(request) {
      const url = new URL(request.url);
      if (request.headers.get('accept') === 'application/json') return Response.json({ path: url.pathname });
      return new Response('warm ' + url.pathname, { headers: { 'content-type': 'text/plain' } });
    } } });
    for (let i = 0; i < 4; i++) dispatch('http', 10 + i, 'start', 'GET\\n' + WARM_URL + '\\n0\\nhost:localhost\\naccept:' + (i % 2 ? 'application/json' : '*/*'));
  });
  for (let i = 0; i < 3; i++) {
    tryIt(() => new Headers([['content-type', 'text/plain'], ['x-a', 'b']]).get('content-type'));
    tryIt(() => new Response('hello', { status: 200, headers: { 'content-type': 'text/plain' } }));
    tryIt(() => Response.json({ a: [1, 2, 3] }));
    tryIt(() => new TextEncoder().encode('hello'));
    tryIt(() => new TextDecoder().decode(new Uint8Array([104, 105])));
    tryIt(() => new Request(WARM_URL, { method: 'POST', body: 'x' }));
    tryIt(() => new URL(WARM_URL).searchParams.get('q'));
    tryIt(() => JSON.stringify({ a: 1 }));
  }
})();`;
}

/** How the prelude boots: the global its boot function is on, and the ops boot takes (in order) before the init record. */
export interface PreludeBoot {
  readonly global: string;
  readonly ops: readonly string[];
}

/**
 * The image for `source` (built, loaded or refused once per process). `boot` says how the prelude
 * boots (the snapshot's warm-up and the canary boot it with dummy ops).
 */
export function preludeImage(source: string, filename: string, boot: PreludeBoot): PreludeImage {
  const found = images.get(source);
  if (found !== undefined) return found;
  const image = makeImage(source, filename, boot);
  images.set(source, image);
  if (image.fallbackReason !== undefined && process.env['ISLET_SNAPSHOT'] !== '0') {
    process.emitWarning(`islet runs without its standard-library snapshot (slower start-up): ${image.fallbackReason}`, { code: 'ISLET_NO_SNAPSHOT' });
  }
  return image;
}

function makeImage(source: string, filename: string, boot: PreludeBoot): PreludeImage {
  if (process.env['ISLET_SNAPSHOT'] === '0') return { snapshot: undefined, source, fallbackReason: 'ISLET_SNAPSHOT=0' };
  const ivm = loadIvm();
  const warm = warmup(boot);
  const key = createHash('sha256')
    .update(source).update('\0').update(ivmVersion()).update('\0').update(process.version).update('\0').update(`${process.platform}-${process.arch}`).update('\0').update(`${CANARY_VERSION}:${boot.global}:${boot.ops.join()}`).update(warm)
    .digest('hex').slice(0, 32);
  for (const dir of cacheDirs()) {
    const file = join(dir, `prelude-${key}.snapshot`);
    try {
      if (existsSync(`${file}.failed`)) return { snapshot: undefined, source, fallbackReason: `the snapshot failed its canary before (${file}.failed)` };
      if (!existsSync(`${file}.ok`)) {
        const blob = ivm.Isolate.createSnapshot([{ code: source, filename }], warm);
        const bytes = Buffer.from(blob.copy());
        blob.release();
        writeCacheFile(dir, file, bytes);
        const canary = spawnSync(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', CANARY, file, boot.global, '1'], { encoding: 'utf8', timeout: 30_000 });
        if (canary.status !== 0 || !canary.stdout.includes('canary ok')) {
          writeFileSync(`${file}.failed`, `${canary.status ?? canary.signal ?? 'unknown'}\n${canary.stderr.slice(-2000)}`);
          return { snapshot: undefined, source, fallbackReason: 'the snapshot failed its canary' };
        }
        writeFileSync(`${file}.ok`, 'verified\n');
        pruneCache(dir, '.snapshot');
      } else {
        touch(file);
      }
      const bytes = readFileSync(file);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return { snapshot: new ivm.ExternalCopy(buffer), source, fallbackReason: undefined };
    } catch {
      // An unwritable cache directory: try the next one, then run without a snapshot.
    }
  }
  return { snapshot: undefined, source, fallbackReason: 'no writable cache directory for the snapshot' };
}
