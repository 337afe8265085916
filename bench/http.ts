/**
 * HTTP benchmark: the same worker source on islet (`islet serve`), on Cloudflare's workerd (npm
 * package, generated config), and the same handler on raw node:http, side by side in one run.
 * Load comes from wrk (installed from Debian packages if missing) on loopback, bounded in time.
 *   npm run bench:http            (or: node bench/http.ts [--quick])
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWrk, freePort, stop, waitFor, wrk as runWrk, wrkAsync, type WrkResult } from './load.ts';

const quick = process.argv.includes('--quick');
/** `--only=hello,noisy,cold,idle` runs a subset (default: everything). */
const only = new Set((process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? 'hello,noisy,cold,idle,deploy,kv').split(','));
const DURATION = quick ? '3s' : '8s';
/**
 * Throughput rows run in rounds: every server is up at once, and each round measures each of them
 * in turn (the order rotating), for ROUND_DURATION; a row shows each server's median round. A
 * noisy machine then shifts all servers alike instead of whichever was measured at a bad moment.
 */
const ROUNDS = quick ? 1 : 3;
const ROUND_DURATION = quick ? '3s' : '4s';
const ROOT = fileURLToPath(new URL('../', import.meta.url));

const WORKER = `
const json = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: 'item ' + i, tags: ['a', 'b', 'c'], price: i * 1.5, description: 'x'.repeat(40) })) });
const chunk = new Uint8Array(64 * 1024).fill(120);
export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === '/json') return new Response(json, { headers: { 'content-type': 'application/json' } });
    if (path === '/10mb') {
      let sent = 0;
      return new Response(new ReadableStream({ pull(c) { if (sent >= 10 * 1024 * 1024) { c.close(); return; } c.enqueue(chunk.slice()); sent += chunk.length; } }));
    }
    if (path === '/burn') { const end = Date.now() + 40; while (Date.now() < end) {} return new Response('burnt'); }
    return new Response('Hello World\\n');
  },
};
`;

const NODE_SERVER = `
import { createServer } from 'node:http';
const json = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: 'item ' + i, tags: ['a', 'b', 'c'], price: i * 1.5, description: 'x'.repeat(40) })) });
const chunk = Buffer.alloc(64 * 1024, 120);
createServer((req, res) => {
  if (req.url === '/json') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(json); return; }
  if (req.url === '/10mb') {
    let sent = 0;
    const write = () => { while (sent < 10 * 1024 * 1024) { sent += chunk.length; if (!res.write(chunk)) { res.once('drain', write); return; } } res.end(); };
    write();
    return;
  }
  res.end('Hello World\\n');
}).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('ready'));
`;

/** workerd from the npm registry (its binary ships inside the package), installed for the bench only. */
const WORKERD_VERSION = '1.20261117.1';
function ensureWorkerd(): string {
  const prefix = join(ROOT, '.cache', 'bench-tools');
  const bin = join(prefix, 'node_modules', '.bin', 'workerd');
  if (spawnSync(bin, ['--version']).status === 0) return bin;
  console.error(`bench: installing workerd@${WORKERD_VERSION} into .cache/bench-tools`);
  mkdirSync(prefix, { recursive: true });
  if (!existsSync(join(prefix, 'package.json'))) writeFileSync(join(prefix, 'package.json'), '{ "private": true }\n');
  spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--loglevel=error', '--prefix', prefix, `workerd@${WORKERD_VERSION}`], { stdio: 'inherit' });
  return bin;
}

const wrk = (port: number, path: string, connections = 64, host?: string): WrkResult => runWrk(port, path, connections, host, DURATION);

ensureWrk();
const WORKERD = ensureWorkerd();
const dir = await mkdtemp(join(tmpdir(), 'islet-http-bench-'));
await writeFile(join(dir, 'worker.js'), WORKER);
await writeFile(join(dir, 'node-server.mjs'), NODE_SERVER);

const ISLET = (...args: string[]): ChildProcess => spawn(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', join(ROOT, 'src/cli/main-entry.ts'), 'serve', ...args], { stdio: 'ignore' });

/** A workerd config serving each named worker file on its own port. */
function workerdConfig(workers: { name: string; file: string; port: number }[]): string {
  const capnp = join(dir, `workerd-${workers[0]?.port ?? 0}-${workers.length}.capnp`);
  writeFileSync(capnp, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ ${workers.map((w) => `(name = "${w.name}", worker = (modules = [ (name = "worker.js", esModule = embed "${w.file}") ], compatibilityDate = "2024-09-01"))`).join(',\n    ')} ],
  sockets = [ ${workers.map((w) => `(name = "s-${w.name}", address = "127.0.0.1:${w.port}", http = (), service = "${w.name}")`).join(',\n    ')} ],
);
`);
  return capnp;
}

/** RSS of a process and all its descendants, in bytes (Linux /proc via ps). */
function treeRss(pid: number): number {
  const rows = spawnSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const pids = new Set([pid]);
  let grew = true;
  while (grew) { grew = false; for (const [p, pp] of rows) if (pp !== undefined && p !== undefined && pids.has(pp) && !pids.has(p)) { pids.add(p); grew = true; } }
  return rows.reduce((sum, [p, , rss]) => sum + (p !== undefined && pids.has(p) ? (rss ?? 0) * 1024 : 0), 0);
}

/** A latency client in its own process: `conns` keep-alive loops of sequential GETs, each request timed. */
const LATENCY_CLIENT = `
import { Agent, request } from 'node:http';
const [port, host, ms, conns] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: Number(conns) });
const lat = [];
const end = Date.now() + Number(ms);
const get = () => new Promise((resolve, reject) => {
  const headers = host === '-' ? {} : { host };
  request({ host: '127.0.0.1', port: Number(port), path: '/', headers, agent }, (r) => { r.resume(); r.on('end', resolve); }).on('error', reject).end();
});
let errors = 0;
let firstError = '';
async function loop() {
  while (Date.now() < end) {
    const t = performance.now();
    try { await get(); lat.push(performance.now() - t); } catch (e) { errors += 1; firstError ||= String(e); await new Promise((r) => setTimeout(r, 10)); }
  }
}
await Promise.all(Array.from({ length: Number(conns) }, loop));
lat.sort((a, b) => a - b);
console.log(JSON.stringify({ n: lat.length, p50: lat[lat.length >> 1], p99: lat[Math.floor(lat.length * 0.99)], errors, firstError }));
agent.destroy();
`;
function latency(port: number, host: string | undefined, ms: number, conns = 4): WrkResult {
  const out = spawnSync(process.execPath, [join(dir, 'latency-client.mjs'), String(port), host ?? '-', String(ms), String(conns)], { encoding: 'utf8' }).stdout;
  const r = JSON.parse(out) as { n: number; p50: number; p99: number; errors: number; firstError: string };
  // A failed request is reported, not hidden: the row is only as good as its error count.
  if (r.errors > 0) console.error(`bench: ${r.errors} failed request(s) on port ${port} (${host ?? 'no host'}): ${r.firstError}`);
  return { rps: (r.n / ms) * 1000, p50: r.p50, p99: r.p99, transferMBs: NaN };
}

await writeFile(join(dir, 'latency-client.mjs'), LATENCY_CLIENT);

const percentile = (values: number[], p: number): number => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN; };

const servers: { name: string; start(port: number): ChildProcess }[] = [
  { name: 'node:http', start: (port) => spawn(process.execPath, [join(dir, 'node-server.mjs'), String(port)], { stdio: 'ignore' }) },
  { name: 'islet', start: (port) => ISLET(join(dir, 'worker.js'), '--port', String(port)) },
  { name: 'islet-1p', start: (port) => ISLET(join(dir, 'worker.js'), '--port', String(port), '--shards', '0') },
  { name: 'workerd', start: (port) => spawn(WORKERD, ['serve', workerdConfig([{ name: 'main', file: 'worker.js', port }])], { stdio: 'ignore', cwd: dir }) },
];

const results = new Map<string, Record<string, WrkResult>>();
if (only.has('hello')) {
  const running: { name: string; port: number; child: ChildProcess }[] = [];
  try {
    for (const server of servers) {
      const port = await freePort();
      running.push({ name: server.name, port, child: server.start(port) });
    }
    for (const r of running) { await waitFor(r.port); runWrk(r.port, '/', 16, undefined, '2s'); } // warm-up
    const rounds = new Map<string, Record<string, WrkResult[]>>(running.map((r) => [r.name, { hello: [], json: [], '10mb': [] }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < running.length; k++) {
        const r = running[(k + round) % running.length] as (typeof running)[number];
        const got = rounds.get(r.name) as Record<string, WrkResult[]>;
        got['hello']?.push(runWrk(r.port, '/', 64, undefined, ROUND_DURATION));
        if (r.name !== 'islet-1p') {
          got['json']?.push(runWrk(r.port, '/json', 64, undefined, ROUND_DURATION));
          got['10mb']?.push(runWrk(r.port, '/10mb', 4, undefined, ROUND_DURATION));
        }
      }
    }
    for (const [name, got] of rounds) {
      const r: Record<string, WrkResult> = {};
      for (const [key, list] of Object.entries(got)) if (list.length > 0) r[key] = medianRound(list);
      results.set(name, r);
    }
  } finally {
    for (const r of running) await stop(r.child);
  }
}

/** The round with the median throughput (its latency figures come with it). */
function medianRound(list: WrkResult[]): WrkResult {
  const sorted = [...list].sort((a, b) => (Number.isNaN(a.rps) ? a.transferMBs - b.transferMBs : a.rps - b.rps));
  return sorted[(sorted.length - 1) >> 1] as WrkResult;
}

// Noisy neighbour: app B (hello) alone, then while app A burns 40 ms of CPU on every request.
// B's latency from a Node client timing each request (4 keep-alive connections; wrk's own latency
// figures proved unreliable while a second wrk ran); A's load is wrk with 4 more connections.
const NOISE = quick ? '3s' : '6s';
const NOISE_MS = Number.parseInt(NOISE) * 1000;
const noisy = new Map<string, { solo: WrkResult; noisy: WrkResult }>();
if (only.has('noisy')) {
  const port = await freePort();
  writeFileSync(join(dir, 'noisy.json'), JSON.stringify({ listen: { port }, apps: [
    { name: 'burn', entry: 'worker.js', routes: ['burn.localhost'], limits: { cpuMs: 50 } },
    { name: 'hello', entry: 'worker.js', routes: ['hello.localhost'] },
  ] }));
  const child = ISLET('--config', join(dir, 'noisy.json'));
  try {
    await waitFor(port, '/healthz');
    latency(port, 'hello.localhost', 1000);
    const solo = latency(port, 'hello.localhost', NOISE_MS);
    const load = wrkAsync(port, '/burn', 4, 'burn.localhost', `${Number.parseInt(NOISE) + 2}s`);
    await new Promise((r) => setTimeout(r, 1000));
    const during = latency(port, 'hello.localhost', NOISE_MS);
    await load;
    noisy.set('islet', { solo, noisy: during });
  } finally {
    await stop(child);
  }
}
if (only.has('noisy')) {
  const hello = await freePort();
  const burn = await freePort();
  const child = spawn(WORKERD, ['serve', workerdConfig([{ name: 'hello', file: 'worker.js', port: hello }, { name: 'burn', file: 'worker.js', port: burn }])], { stdio: 'ignore', cwd: dir });
  try {
    await waitFor(hello);
    latency(hello, undefined, 1000);
    const solo = latency(hello, undefined, NOISE_MS);
    const load = wrkAsync(burn, '/burn', 4, undefined, `${Number.parseInt(NOISE) + 2}s`);
    await new Promise((r) => setTimeout(r, 1000));
    const during = latency(hello, undefined, NOISE_MS);
    await load;
    noisy.set('workerd', { solo, noisy: during });
  } finally {
    await stop(child);
  }
}

// Cold start: 200 apps, none loaded at start (server.preload false); the first request to each.
const COLD_APPS = quick ? 50 : 200;
const cold: number[] = [];
const warm: number[] = [];
{
  const port = await freePort();
  const apps = [];
  for (let i = 0; i < COLD_APPS; i++) {
    writeFileSync(join(dir, `cold-${i}.js`), `// app ${i}\n${WORKER}`);
    apps.push({ name: `cold-${i}`, entry: `cold-${i}.js`, routes: [`cold-${i}.localhost`] });
  }
  writeFileSync(join(dir, 'cold.json'), JSON.stringify({ listen: { port }, server: { preload: false }, apps }));
  const child = ISLET('--config', join(dir, 'cold.json'));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = (host: string): Promise<number> => new Promise((resolve, reject) => {
    const started = performance.now();
    request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent }, (res) => { res.resume(); res.on('end', () => resolve(performance.now() - started)); }).on('error', reject).end();
  });
  try {
    await waitFor(port, '/healthz');
    // New apps arrive 20 ms apart (a deploy, a first visitor), not back to back: the gap is when
    // a shard makes its next spare isolate.
    for (let i = 0; i < COLD_APPS && only.has('cold'); i++) {
      cold.push(await get(`cold-${i}.localhost`));
      warm.push(await get(`cold-${i}.localhost`));
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    agent.destroy();
    await stop(child);
  }
}

// RSS per idle app: 1,000 apps loaded (islet preloads them; workerd loads every worker at start),
// minus the same server with one app, divided by 999.
const IDLE_APPS = quick ? 200 : 1000;
const idle = new Map<string, { one: number; many: number }>();
{
  const apps = (n: number): unknown[] => Array.from({ length: n }, (_, i) => ({ name: `idle-${i}`, entry: `cold-${i % COLD_APPS}.js`, routes: [`idle-${i}.localhost`] }));
  const measure = async (n: number): Promise<number> => {
    const port = await freePort();
    writeFileSync(join(dir, `idle-${n}.json`), JSON.stringify({ listen: { port }, apps: apps(n) }));
    const child = ISLET('--config', join(dir, `idle-${n}.json`));
    try {
      await waitFor(port, '/healthz');
      await new Promise((r) => setTimeout(r, 1500));
      return treeRss(child.pid as number);
    } finally {
      await stop(child);
    }
  };
  if (only.has('idle')) idle.set('islet', { one: await measure(1), many: await measure(IDLE_APPS) });
  const measureWorkerd = async (n: number): Promise<number> => {
    const base = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(WORKERD, ['serve', workerdConfig(Array.from({ length: n }, (_, i) => ({ name: `w${i}`, file: `cold-${i % COLD_APPS}.js`, port: base + i })))], { stdio: 'ignore', cwd: dir });
    try {
      await waitFor(base + n - 1);
      await new Promise((r) => setTimeout(r, 1500));
      return treeRss(child.pid as number);
    } finally {
      await stop(child);
    }
  };
  if (only.has('idle')) idle.set('workerd', { one: await measureWorkerd(1), many: await measureWorkerd(IDLE_APPS) });
}

// Deploying a new version: islet's admin API (PUT until the new version answers), against what
// workerd needs for the same (a restart with the new code, until its first response).
const DEPLOYS = quick ? 10 : 40;
const deployIslet: number[] = [];
const deployWorkerd: number[] = [];
if (only.has('deploy')) {
  const port = await freePort();
  const adminPort = await freePort();
  const token = 'bench-admin-token-0123456789';
  writeFileSync(join(dir, 'deploy.json'), JSON.stringify({ listen: { port }, admin: { port: adminPort }, dataDir: join(dir, 'deploy-data') }));
  const child = spawn(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', join(ROOT, 'src/cli/main-entry.ts'), 'serve', '--config', join(dir, 'deploy.json'), '--no-watch'], { stdio: 'ignore', env: { ...process.env, ISLET_ADMIN_TOKEN: token } });
  try {
    await waitFor(port, '/healthz');
    for (let v = 0; v < DEPLOYS; v += 1) {
      const source = `export default { fetch() { return new Response('version ${v}'); } };`;
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${adminPort}/apps/shop`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ entry: 'index.js', modules: { 'index.js': source }, routes: ['localhost'] }) });
      if (res.status !== 200) throw new Error(`deploy answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/', headers: { host: 'localhost' } }, (r) => { let b = ''; r.on('data', (c: Buffer) => { b += c.toString(); }); r.on('end', () => resolve(b)); }).on('error', reject).end();
      });
      deployIslet.push(performance.now() - t);
      if (body !== `version ${v}`) throw new Error(`after deploy ${v} the app answered ${body}`);
    }
  } finally {
    await stop(child);
  }
  for (let v = 0; v < Math.min(DEPLOYS, 8); v += 1) {
    const wport = await freePort();
    writeFileSync(join(dir, `deploy-${v}.js`), `export default { fetch() { return new Response('version ${v}'); } };`);
    const t = performance.now();
    const w = spawn(WORKERD, ['serve', workerdConfig([{ name: `d${v}`, file: `deploy-${v}.js`, port: wport }])], { stdio: 'ignore', cwd: dir });
    try {
      await waitFor(wport);
      deployWorkerd.push(performance.now() - t);
    } finally {
      await stop(w);
    }
  }
}

// KV: requests that read one key from the app's KV namespace (SQLite in the server process; the
// shards ask for it over IPC), against the same server's plain hello world.
const kvResults: Record<string, WrkResult> = {};
if (only.has('kv')) {
  const port = await freePort();
  writeFileSync(join(dir, 'kv-app.js'), `export default { async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/put') { await env.CACHE.put('greeting', 'hello from kv'); return new Response('ok'); }
    if (url.pathname === '/kv') return new Response(await env.CACHE.get('greeting'));
    return new Response('hello');
  } };`);
  writeFileSync(join(dir, 'kv.json'), JSON.stringify({ listen: { port }, dataDir: join(dir, 'kv-data'), apps: [{ name: 'kv', entry: 'kv-app.js', routes: ['localhost', '127.0.0.1'], bindings: { CACHE: { kv: 'cache' } } }] }));
  const child = ISLET('--config', join(dir, 'kv.json'), '--no-watch');
  try {
    await waitFor(port, '/put');
    wrk(port, '/kv', 16);
    kvResults['plain'] = wrk(port, '/');
    kvResults['get'] = wrk(port, '/kv');
  } finally {
    await stop(child);
  }
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const node = results.get('node:http');
const islet = results.get('islet');
const workerd = results.get('workerd');
console.log(`islet HTTP benchmark, Node ${process.version}, ${availableParallelism()} cores; wrk -t1 -c64 on loopback; throughput rows: the median of ${ROUNDS} interleaved round(s) of ${ROUND_DURATION} per server; islet with its default shards (one per core)`);
console.log('| scenario | islet | workerd | node:http | islet/workerd | islet/node:http | target |');
console.log('|---|---|---|---|---|---|---|');
for (const [key, label, target] of [['hello', 'hello world (req/s)', '>= 2x workerd, >= 60% node:http'], ['json', '2 KB JSON API (req/s)', '-']] as const) {
  const i = islet?.[key]; const w = workerd?.[key]; const n = node?.[key];
  console.log(`| ${label} | ${fmt(i?.rps ?? NaN)} (p99 ${fmt(i?.p99 ?? NaN, 2)} ms) | ${fmt(w?.rps ?? NaN)} (p99 ${fmt(w?.p99 ?? NaN, 2)} ms) | ${fmt(n?.rps ?? NaN)} (p99 ${fmt(n?.p99 ?? NaN, 2)} ms) | ${fmt((i?.rps ?? NaN) / (w?.rps ?? NaN), 2)}x | ${fmt(((i?.rps ?? NaN) / (n?.rps ?? NaN)) * 100, 0)}% | ${target} |`);
}
{
  const i = results.get('islet-1p')?.['hello']; const w = workerd?.['hello']; const n = node?.['hello'];
  console.log(`| hello world, islet in one process (--shards 0) | ${fmt(i?.rps ?? NaN)} (p99 ${fmt(i?.p99 ?? NaN, 2)} ms) | ${fmt(w?.rps ?? NaN)} | ${fmt(n?.rps ?? NaN)} | ${fmt((i?.rps ?? NaN) / (w?.rps ?? NaN), 2)}x | ${fmt(((i?.rps ?? NaN) / (n?.rps ?? NaN)) * 100, 0)}% | - |`);
}
{
  const i = islet?.['10mb']; const w = workerd?.['10mb']; const n = node?.['10mb'];
  console.log(`| 10 MB streamed response (MB/s) | ${fmt(i?.transferMBs ?? NaN)} | ${fmt(w?.transferMBs ?? NaN)} | ${fmt(n?.transferMBs ?? NaN)} | ${fmt((i?.transferMBs ?? NaN) / (w?.transferMBs ?? NaN), 2)}x | ${fmt(((i?.transferMBs ?? NaN) / (n?.transferMBs ?? NaN)) * 100, 0)}% | - |`);
}
{
  const i = noisy.get('islet'); const w = noisy.get('workerd');
  const ratio = (x: { solo: WrkResult; noisy: WrkResult } | undefined): number => (x?.noisy.p99 ?? NaN) / (x?.solo.p99 ?? NaN);
  console.log(`| noisy neighbour: B's p99 solo -> while A burns 40 ms CPU per request (4 connections each) | ${fmt(i?.solo.p99 ?? NaN, 2)} -> ${fmt(i?.noisy.p99 ?? NaN, 2)} ms (${fmt(ratio(i), 2)}x) | ${fmt(w?.solo.p99 ?? NaN, 2)} -> ${fmt(w?.noisy.p99 ?? NaN, 2)} ms (${fmt(ratio(w), 2)}x) | - | - | - | islet <= 2x solo |`);
}
if (cold.length > 0) console.log(`cold start, slowest first requests (ms): ${[...cold].sort((a, b) => b - a).slice(0, 5).map((v) => v.toFixed(1)).join(', ')}`);
console.log(`| cold start: first request to a newly loaded app, p50 / p99 over ${COLD_APPS} apps | ${fmt(percentile(cold, 50), 2)} / ${fmt(percentile(cold, 99), 2)} ms (warm: ${fmt(percentile(warm, 50), 2)} / ${fmt(percentile(warm, 99), 2)} ms) | - | - | - | - | <= 5 ms p50 |`);
{
  const i = idle.get('islet'); const w = idle.get('workerd');
  const per = (x: { one: number; many: number } | undefined): number => ((x?.many ?? NaN) - (x?.one ?? NaN)) / (IDLE_APPS - 1) / 1024 / 1024;
  console.log(`| RSS per idle app, ${IDLE_APPS} apps loaded (whole process tree) | ${fmt(per(i), 2)} MB (${fmt((i?.many ?? NaN) / 1048576)} MB total) | ${fmt(per(w), 2)} MB (${fmt((w?.many ?? NaN) / 1048576)} MB total) | - | ${fmt(per(i) / per(w), 2)}x | - | <= 2 MB |`);
}
if (kvResults['get'] !== undefined) {
  const g = kvResults['get']; const p = kvResults['plain'];
  console.log(`| KV get per request (req/s), against the same server's hello world | ${fmt(g.rps)} (p99 ${fmt(g.p99, 2)} ms) vs ${fmt(p?.rps ?? NaN)} | - (workerd has no local KV store) | - | - | ${fmt((g.rps / (p?.rps ?? NaN)) * 100, 0)}% of hello | - |`);
}
if (deployIslet.length > 0) {
  console.log(`| deploy a new version until it answers, p50 / p99 over ${deployIslet.length} (islet: admin API, 2 shards; workerd: restart with the new code) | ${fmt(percentile(deployIslet, 50), 1)} / ${fmt(percentile(deployIslet, 99), 1)} ms | ${fmt(percentile(deployWorkerd, 50), 1)} / ${fmt(percentile(deployWorkerd, 99), 1)} ms (restart) | - | ${fmt(percentile(deployIslet, 50) / percentile(deployWorkerd, 50), 2)}x | - | no restart, no dropped request |`);
}
process.exit(0);
