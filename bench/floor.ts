/**
 * The floor under islet's HTTP throughput on this machine: how many requests per second a server
 * can answer when every request enters a V8 isolate through isolated-vm, with nothing else of
 * islet's (no routing, no Request or Response objects, no logging), side by side with raw
 * node:http and with `islet serve` itself, in one run. Load from wrk (-t1 -c64) on loopback.
 *   npm run bench:floor            (or: node bench/floor.ts [--quick])
 *
 * CPU per request is the servers' user+system time (every process of the server) over the run,
 * divided by the requests answered; wrk's own share is not in it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWrk, freePort, stop, waitFor, wrk, type WrkResult } from './load.ts';

const quick = process.argv.includes('--quick');
const DURATION = quick ? '3s' : '6s';
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const IVM = join(ROOT, 'node_modules', 'isolated-vm', 'isolated-vm.js');

/**
 * One server script, by mode:
 *   plain   - node:http answering "Hello World" (the anchor);
 *   entry   - plus one isolated-vm call into a guest function per request;
 *   timeout - the same call with a timeout, which every entry needs to enforce a CPU limit;
 *   batched - one call (with a timeout) per event-loop turn for every request that arrived in it.
 */
const SERVER = `
import { createServer } from 'node:http';
import ivm from ${JSON.stringify(IVM)};
const [mode, port] = [process.argv[2], Number(process.argv[3])];
const isolate = new ivm.Isolate({ memoryLimit: 128 });
const context = isolate.createContextSync();
const one = context.evalSync('(function (url) { return "Hello World " + url.length; })', { reference: true });
const many = context.evalSync('(function (urls) { return urls.map((url) => "Hello World " + url.length); })', { reference: true });
let queue = [];
function flush() {
  const batch = queue;
  queue = [];
  const bodies = many.applySync(undefined, [new ivm.ExternalCopy(batch.map((r) => r[0])).copyInto()], { timeout: 50, result: { copy: true } });
  for (let i = 0; i < batch.length; i++) batch[i][1].end(bodies[i]);
}
createServer((req, res) => {
  if (mode === 'plain') res.end('Hello World');
  else if (mode === 'entry') res.end(one.applySync(undefined, [req.url], { result: { copy: true } }));
  else if (mode === 'timeout') res.end(one.applySync(undefined, [req.url], { timeout: 50, result: { copy: true } }));
  else { if (queue.length === 0) setImmediate(flush); queue.push([req.url, res]); }
}).listen({ port, host: '127.0.0.1', reusePort: true });
`;

const ISLET_APP = `export default { fetch() { return new Response('Hello World'); } };\n`;

/** CPU ticks (user + system, 1/100 s) of a process and every descendant, from /proc. */
function treeTicks(root: number): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
      ticks.set(Number(name), Number(fields[11]) + Number(fields[12]));
    } catch { /* the process ended */ }
  }
  const inTree = (pid: number): boolean => { for (let p = pid; p > 1; p = parents.get(p) ?? 0) if (p === root) return true; return false; };
  let total = 0;
  for (const [pid, t] of ticks) if (inTree(pid)) total += t;
  return total;
}

interface Row { name: string; rps: number; cpuUs: number; p99: number }

/** Starts the processes, warms up, then measures throughput and CPU per request under wrk. */
async function measure(name: string, start: (port: number) => ChildProcess[]): Promise<Row> {
  const port = await freePort();
  const children = start(port);
  try {
    await waitFor(port);
    wrk(port, '/', 64, undefined, '2s');
    const before = children.reduce((sum, c) => sum + treeTicks(c.pid as number), 0);
    const r: WrkResult = wrk(port, '/', 64, undefined, DURATION);
    const after = children.reduce((sum, c) => sum + treeTicks(c.pid as number), 0);
    const seconds = Number.parseFloat(DURATION);
    return { name, rps: r.rps, cpuUs: ((after - before) / 100 / (r.rps * seconds)) * 1e6, p99: r.p99 };
  } finally {
    await Promise.all(children.map(stop));
  }
}

ensureWrk();
const dir = await mkdtemp(join(tmpdir(), 'islet-floor-'));
await writeFile(join(dir, 'server.mjs'), SERVER);
await writeFile(join(dir, 'app.js'), ISLET_APP);
const node = (mode: string, port: number): ChildProcess => spawn(process.execPath, ['--no-node-snapshot', join(dir, 'server.mjs'), mode, String(port)], { stdio: 'ignore' });

const rows: Row[] = [];
rows.push(await measure('raw node:http', (port) => [node('plain', port)]));
rows.push(await measure('+ one isolate entry per request', (port) => [node('entry', port)]));
rows.push(await measure('+ one isolate entry per request, with a timeout', (port) => [node('timeout', port)]));
rows.push(await measure('  same, 2 processes (SO_REUSEPORT)', (port) => [node('timeout', port), node('timeout', port)]));
rows.push(await measure('+ one isolate entry per event-loop turn, with a timeout', (port) => [node('batched', port)]));
rows.push(await measure('islet serve (default shards), hello world', (port) => [spawn(process.execPath, [
  '--no-node-snapshot', '--disable-warning=ExperimentalWarning', join(ROOT, 'src/cli/main-entry.ts'), 'serve', join(dir, 'app.js'), '--port', String(port), '--no-watch',
], { stdio: 'ignore' })]));

const anchor = rows[0] as Row;
console.log(`islet throughput floor, Node ${process.version}, ${availableParallelism()} cores; wrk -t1 -c64 -d${DURATION} on loopback`);
console.log('| server | req/s | vs node:http | server CPU per request | p99 |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${Math.round(r.rps).toLocaleString('en-US')} | ${(r.rps / anchor.rps * 100).toFixed(0)}% | ${r.cpuUs.toFixed(1)} us | ${r.p99.toFixed(2)} ms |`);
}
console.log('Issue 4 asks for >= 60% of raw node:http and >= 2x workerd (bench/http.ts measures workerd).');
