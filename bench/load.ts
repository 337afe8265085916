/**
 * Load helpers shared by the HTTP benchmarks: free loopback ports, waiting for a server, and wrk
 * (installed from Debian packages when missing), always one thread, on loopback, bounded in time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

export async function waitFor(port: number, path = '/'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try { const r = await fetch(`http://127.0.0.1:${port}${path}`); await r.arrayBuffer(); return; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  throw new Error(`nothing answered on port ${port}`);
}

export function ensureWrk(): void {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  console.error('bench: installing wrk from Debian packages');
  spawnSync('sh', ['-c', 'apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null)'], { stdio: 'inherit' });
}

export interface WrkResult { rps: number; p50: number; p99: number; transferMBs: number }

/** wrk -t1 against a loopback port, for `duration` ("3s"); its figures parsed. */
export function wrk(port: number, path: string, connections: number, host: string | undefined, duration: string): WrkResult {
  return parseWrk(spawnSync('wrk', wrkArgs(port, path, connections, host, duration), { encoding: 'utf8' }).stdout);
}

function wrkArgs(port: number, path: string, connections: number, host: string | undefined, duration: string): string[] {
  return ['-t1', `-c${connections}`, `-d${duration}`, '--latency', ...(host === undefined ? [] : ['-H', `Host: ${host}`]), `http://127.0.0.1:${port}${path}`];
}

/** wrk in the background (the noisy neighbour's load), resolved with its output when it ends. */
export function wrkAsync(port: number, path: string, connections: number, host: string | undefined, duration: string): Promise<WrkResult> {
  return new Promise((resolve) => {
    const child = spawn('wrk', wrkArgs(port, path, connections, host, duration), { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.on('exit', () => resolve(parseWrk(out)));
  });
}

export function parseWrk(out: string): WrkResult {
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

/** Kills a server process (SIGKILL) and resolves when it has exited. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => { if (child.exitCode !== null) { resolve(); return; } child.once('exit', () => resolve()); child.kill('SIGKILL'); });
}
