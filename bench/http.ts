/**
 * HTTP benchmark: the same worker source on islet (`islet serve`), on Cloudflare's workerd (npm
 * package, generated config), and the same handler on raw node:http, side by side in one run.
 * Load comes from wrk (installed from Debian packages if missing) on loopback, bounded in time.
 *   npm run bench:http            (or: node bench/http.ts [--quick])
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const quick = process.argv.includes('--quick');
const DURATION = quick ? '3s' : '8s';
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

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

async function waitFor(port: number, path = '/'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try { const r = await fetch(`http://127.0.0.1:${port}${path}`); await r.arrayBuffer(); return; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  throw new Error(`nothing answered on port ${port}`);
}

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

function ensureWrk(): void {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  console.error('bench: installing wrk from Debian packages');
  spawnSync('sh', ['-c', 'apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null)'], { stdio: 'inherit' });
}

interface WrkResult { rps: number; p50: number; p99: number; transferMBs: number }

function wrk(port: number, path: string, connections = 64): WrkResult {
  const out = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${DURATION}`, '--latency', `http://127.0.0.1:${port}${path}`], { encoding: 'utf8' }).stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 'NaN');
  const ms = (label: string): number => {
    const m = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (m === null) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const t = /Transfer\/sec:\s+([\d.]+)(KB|MB|GB)/.exec(out);
  const transferMBs = t === null ? NaN : Number(t[1]) * (t[2] === 'GB' ? 1024 : t[2] === 'KB' ? 1 / 1024 : 1);
  return { rps, p50: ms('50%'), p99: ms('99%'), transferMBs };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => { if (child.exitCode !== null) { resolve(); return; } child.once('exit', () => resolve()); child.kill('SIGKILL'); });
}

ensureWrk();
const WORKERD = ensureWorkerd();
const dir = await mkdtemp(join(tmpdir(), 'islet-http-bench-'));
await writeFile(join(dir, 'worker.js'), WORKER);
await writeFile(join(dir, 'node-server.mjs'), NODE_SERVER);

const servers: { name: string; start(port: number): ChildProcess }[] = [
  { name: 'node:http', start: (port) => spawn(process.execPath, [join(dir, 'node-server.mjs'), String(port)], { stdio: 'ignore' }) },
  { name: 'islet', start: (port) => spawn(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', join(ROOT, 'src/cli/main-entry.ts'), 'serve', join(dir, 'worker.js'), '--port', String(port)], { stdio: 'ignore' }) },
  {
    name: 'workerd',
    start: (port) => {
      const capnp = join(dir, `workerd-${port}.capnp`);
      spawnSync('sh', ['-c', `cat > ${capnp} <<'EOF'
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2024-09-01",
);
EOF`]);
      return spawn(WORKERD, ['serve', capnp], { stdio: 'ignore', cwd: dir });
    },
  },
];

const results = new Map<string, Record<string, WrkResult>>();
for (const server of servers) {
  const port = await freePort();
  const child = server.start(port);
  try {
    await waitFor(port);
    const r: Record<string, WrkResult> = {};
    wrk(port, '/', 16); // warm-up
    r['hello'] = wrk(port, '/');
    r['json'] = wrk(port, '/json');
    r['10mb'] = wrk(port, '/10mb', 4);
    results.set(server.name, r);
  } finally {
    await stop(child);
  }
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const node = results.get('node:http');
const islet = results.get('islet');
const workerd = results.get('workerd');
console.log(`islet HTTP benchmark, Node ${process.version}, wrk -t1 -c64 -d${DURATION} on loopback; islet is one process (no shards yet)`);
console.log('| scenario | islet | workerd | node:http | islet/workerd | islet/node:http | target |');
console.log('|---|---|---|---|---|---|---|');
for (const [key, label, target] of [['hello', 'hello world (req/s)', '>= 2x workerd, >= 60% node:http'], ['json', '2 KB JSON API (req/s)', '-']] as const) {
  const i = islet?.[key]; const w = workerd?.[key]; const n = node?.[key];
  console.log(`| ${label} | ${fmt(i?.rps ?? NaN)} (p99 ${fmt(i?.p99 ?? NaN, 2)} ms) | ${fmt(w?.rps ?? NaN)} (p99 ${fmt(w?.p99 ?? NaN, 2)} ms) | ${fmt(n?.rps ?? NaN)} (p99 ${fmt(n?.p99 ?? NaN, 2)} ms) | ${fmt((i?.rps ?? NaN) / (w?.rps ?? NaN), 2)}x | ${fmt(((i?.rps ?? NaN) / (n?.rps ?? NaN)) * 100, 0)}% | ${target} |`);
}
{
  const i = islet?.['10mb']; const w = workerd?.['10mb']; const n = node?.['10mb'];
  console.log(`| 10 MB streamed response (MB/s) | ${fmt(i?.transferMBs ?? NaN)} | ${fmt(w?.transferMBs ?? NaN)} | ${fmt(n?.transferMBs ?? NaN)} | ${fmt((i?.transferMBs ?? NaN) / (w?.transferMBs ?? NaN), 2)}x | ${fmt(((i?.transferMBs ?? NaN) / (n?.transferMBs ?? NaN)) * 100, 0)}% | - |`);
}
process.exit(0);
