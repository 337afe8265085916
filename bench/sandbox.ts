/**
 * Library benchmark: islet side by side with node:vm and quickjs-emscripten, same snippets, one run.
 *   npm run bench            (or: node --no-node-snapshot bench/sandbox.ts [--quick])
 * Prints p50/p99 per scenario and islet's ratio to each anchor. Timings, never assertions.
 */
import vm from 'node:vm';
import { getQuickJS } from 'quickjs-emscripten';
import { Sandbox } from '../src/index.ts';
import { EngineIsolate } from '../src/engine/isolate.ts';
import { preludeImage } from '../src/engine/snapshot.ts';
import { BOOT_GLOBAL, PRELUDE_BOOT, PRELUDE_FILENAME, preludeSource } from '../src/bridge/prelude.ts';
import { OP_NAMES } from '../src/bridge/protocol.ts';

const quick = process.argv.includes('--quick');
const N = quick ? 200 : 1000;
const IDLE = quick ? 100 : 500;

function stats(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)] ?? NaN, p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? NaN };
}

/** Times `fn` n times after a warm-up of n/4 calls; with `gapMs`, waits that long before each call. */
async function time(n: number, fn: () => unknown, gapMs = 0): Promise<number[]> {
  const out: number[] = [];
  const pause = () => new Promise((r) => setTimeout(r, gapMs));
  for (let i = 0; i < Math.ceil(n / 4); i++) { if (gapMs > 0) await pause(); await fn(); }
  for (let i = 0; i < n; i++) {
    if (gapMs > 0) await pause();
    const t = performance.now();
    await fn();
    out.push((performance.now() - t) * 1000);
  }
  return out;
}

const fmt = (us: number): string => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} us`);
const rows: string[][] = [];
function row(name: string, islet: number[], node: number[], qjs: number[], target: string): void {
  const a = stats(islet); const b = stats(node); const c = stats(qjs);
  rows.push([name, `${fmt(a.p50)} / ${fmt(a.p99)}`, `${fmt(b.p50)} / ${fmt(b.p99)}`, `${fmt(c.p50)} / ${fmt(c.p99)}`,
    `${(a.p50 / b.p50).toFixed(2)}x`, `${(a.p50 / c.p50).toFixed(2)}x`, target]);
}

const QuickJS = await getQuickJS();

// 1. New sandbox to first result.
row('new sandbox -> first result', await time(quick ? 50 : 200, async () => {
  const s = new Sandbox(); await s.eval('1+1'); await s.dispose();
}), await time(quick ? 50 : 200, () => { const c = vm.createContext({}); vm.runInContext('1+1', c); }),
await time(quick ? 50 : 200, () => { const ctx = QuickJS.newContext(); ctx.unwrapResult(ctx.evalCode('1+1')).dispose(); ctx.dispose(); }), '-');

// 1b. A new isolate with the whole standard library ready (snapshot, context, boot): issue 3's start-up figure.
const image = preludeImage(preludeSource(), PRELUDE_FILENAME, PRELUDE_BOOT);
const dummyOps = OP_NAMES.map(() => () => [true, null]);
const bootIsolate = (): EngineIsolate => {
  const iso = new EngineIsolate({ memoryMb: 128, snapshot: image.snapshot });
  const prelude = image.snapshot === undefined ? iso.compileCachedScript(image.source, PRELUDE_FILENAME) : undefined;
  iso.newContext().boot(prelude, BOOT_GLOBAL, dummyOps, { services: [], env: {} }, 1000);
  return iso;
};
// Timed until the context is booted; disposing the isolate happens after the clock stops.
async function timeBoot(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = -Math.ceil(n / 4); i < n; i++) {
    const t = performance.now();
    const iso = bootIsolate();
    const us = (performance.now() - t) * 1000;
    iso.dispose();
    if (i >= 0) out.push(us);
  }
  return out;
}
row('new isolate with the standard library ready', await timeBoot(quick ? 50 : 200),
  await time(quick ? 50 : 200, () => { vm.createContext({}); }),
  await time(quick ? 50 : 200, () => { const r = QuickJS.newRuntime(); const c = r.newContext(); c.dispose(); r.dispose(); }), '<= 3 ms p50');

// 2. Fresh-context run of 1+1 in an existing sandbox.
const fresh = new Sandbox();
await fresh.eval('0');
const rt = QuickJS.newRuntime();
row('fresh-context run of 1+1, back to back', await time(N, () => fresh.eval('1+1')),
  await time(N, () => vm.runInNewContext('1+1', {})),
  await time(N, () => { const ctx = rt.newContext(); ctx.unwrapResult(ctx.evalCode('1+1')).dispose(); ctx.dispose(); }), '<= 0.5 ms p50');
// A host that runs code on demand (requests, events) leaves gaps between runs; islet boots the next
// fresh context in such a gap. 1 ms between runs:
const PACED = quick ? 100 : 400;
row('fresh-context run of 1+1, 1 ms apart', await time(PACED, () => fresh.eval('1+1'), 1),
  await time(PACED, () => vm.runInNewContext('1+1', {}), 1),
  await time(PACED, () => { const ctx = rt.newContext(); ctx.unwrapResult(ctx.evalCode('1+1')).dispose(); ctx.dispose(); }, 1), '<= 0.5 ms p50');

// 3. Persistent run.
const persistent = new Sandbox({ persistent: true });
await persistent.eval('0');
const vmContext = vm.createContext({});
const qctx = QuickJS.newContext();
row('persistent run of 1+1', await time(N, () => persistent.eval('1+1')),
  await time(N, () => vm.runInContext('1+1', vmContext)),
  await time(N, () => { qctx.unwrapResult(qctx.evalCode('1+1')).dispose(); }), '<= 50 us p50');

// 4. Host service round trip, measured inside one run: CALLS awaited calls, per-call time.
const CALLS = quick ? 2000 : 10000;
const svc = new Sandbox({ services: { ping: (x: number) => x + 1 } });
const perCall: number[] = [];
for (let r = -1; r < 5; r++) {
  const t = performance.now();
  await svc.run(`export default async () => { let x = 0; for (let i = 0; i < ${CALLS}; i++) x = await host.ping(x); return x; }`, {});
  if (r >= 0) perCall.push(((performance.now() - t) * 1000) / CALLS); // round -1 warms up

}
const vmSvc = vm.createContext({ ping: (x: number) => x + 1 });
const vmPer: number[] = [];
for (let r = -1; r < 5; r++) {
  const t = performance.now();
  await vm.runInContext(`(async () => { let x = 0; for (let i = 0; i < ${CALLS}; i++) x = await ping(x); return x; })()`, vmSvc);
  if (r >= 0) vmPer.push(((performance.now() - t) * 1000) / CALLS);
}
const qsvc = QuickJS.newContext();
const ping = qsvc.newFunction('ping', (h) => qsvc.newNumber(qsvc.getNumber(h) + 1));
qsvc.setProp(qsvc.global, 'ping', ping); ping.dispose();
const qPer: number[] = [];
for (let r = -1; r < 5; r++) {
  const t = performance.now();
  qsvc.unwrapResult(qsvc.evalCode(`(() => { let x = 0; for (let i = 0; i < ${CALLS}; i++) x = ping(x); return x; })()`)).dispose();
  if (r >= 0) qPer.push(((performance.now() - t) * 1000) / CALLS);
}
row('host service round trip (per call)', perCall, vmPer, qPer, '<= 20 us');

// 5. RSS per idle sandbox.
async function rssPer(count: number, make: () => Promise<unknown> | unknown): Promise<number> {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const keep: unknown[] = [];
  for (let i = 0; i < count; i++) keep.push(await make());
  globalThis.gc?.();
  const after = process.memoryUsage().rss;
  (globalThis as { keep?: unknown }).keep = keep;
  return (after - before) / count;
}
const isletRss = await rssPer(IDLE, async () => { const s = new Sandbox({ persistent: true }); await s.eval('1'); return s; });
const vmRss = await rssPer(IDLE, () => { const c = vm.createContext({}); vm.runInContext('1', c); return c; });
const qRss = await rssPer(IDLE, () => { const c = QuickJS.newContext(); c.unwrapResult(c.evalCode('1')).dispose(); return c; });
const isoRss = await rssPer(IDLE, () => bootIsolate());
const mb = (b: number) => `${(b / 1048576).toFixed(2)} MB`;
rows.push([`RSS per idle sandbox (${IDLE})`, mb(isletRss), mb(vmRss), mb(qRss), `${(isletRss / vmRss).toFixed(2)}x`, `${(isletRss / qRss).toFixed(2)}x`, '<= 2 MB']);
rows.push([`RSS per idle isolate with the standard library (${IDLE})`, mb(isoRss), mb(vmRss), mb(qRss), `${(isoRss / vmRss).toFixed(2)}x`, `${(isoRss / qRss).toFixed(2)}x`, '<= 2 MB']);

const header = ['scenario', 'islet p50 / p99', 'node:vm p50 / p99', 'quickjs p50 / p99', 'islet/vm', 'islet/quickjs', 'target'];
console.log(`islet library benchmark, Node ${process.version}, ${process.arch}, N=${N}, prelude ${image.snapshot === undefined ? `without snapshot (${image.fallbackReason ?? ''})` : 'from snapshot'}`);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
process.exit(0);
