/** `islet run <file>`: program mode, one script and one receipt. */
import { readFile, realpath } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { inspect } from 'node:util';
import { parseCommandArgs } from './args.ts';
import { IsletError } from '../errors.ts';
import { Sandbox } from '../sandbox/sandbox.ts';
import type { Receipt } from '../sandbox/receipt.ts';
import { DEFAULT_LIMITS, type Limits } from '../sandbox/limits.ts';
import { diskLoader, mapLoader, type ModuleLoader } from '../sandbox/modules.ts';
import { loadPlan } from '../build/plan.ts';
import { EXIT, exitCodeFor } from './exit.ts';
import type { CliIo } from './main.ts';

/** Help for `islet run`. */
export const RUN_HELP = `Usage: islet run <file | app.plan.json> [options] [-- args...]

Runs a .js or .ts ES module in a fresh V8 isolate inside a supervised worker process. Top-level
code runs; if the module exports a default function (or "main"), it is called with the args after
"--" (as strings) and awaited, and its result is printed. Relative imports are read from the
file's directory (and below); "node:*" modules and packages are not available. Given a build plan
(from "islet build"), its artifacts are checked against their sha256 first, then its bundle runs.
Guest stack traces show the original TypeScript files and lines.

Options:
  --memory-mb N      heap limit in MiB                      (default ${DEFAULT_LIMITS.memoryMb})
  --cpu-ms N         CPU time budget, async work included   (default ${DEFAULT_LIMITS.cpuMs})
  --wall-ms N        wall-clock deadline                    (default ${DEFAULT_LIMITS.wallMs})
  --stdout-bytes N   stdout kept; the rest is dropped       (default ${DEFAULT_LIMITS.stdoutBytes})
  --stderr-bytes N   stderr kept; the rest is dropped       (default ${DEFAULT_LIMITS.stderrBytes})
  --allow-net HOSTS  hosts the guest may fetch, comma-separated ("api.example.com,*.cdn.net:8443");
                     private and loopback addresses stay refused
  --isolation MODE   "process" (default) or "isolate" (in this process; needs --no-node-snapshot)
  --json             print the receipt as one JSON object instead of replaying output
  -h, --help         show this help

Exit codes: 0 success, 1 guest exception or syntax error, 2 bad usage, 3 a limit
(CPU_LIMIT, WALL_TIMEOUT, MEMORY_LIMIT), 4 internal failure.
`;

const LIMIT_FLAGS: Readonly<Record<string, keyof Limits>> = {
  'memory-mb': 'memoryMb', 'cpu-ms': 'cpuMs', 'wall-ms': 'wallMs', 'stdout-bytes': 'stdoutBytes', 'stderr-bytes': 'stderrBytes',
};

/** Runs `islet run` and resolves with the exit code. */
export async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('run', argv, {
        'memory-mb': { type: 'string' }, 'cpu-ms': { type: 'string' }, 'wall-ms': { type: 'string' },
        'stdout-bytes': { type: 'string' }, 'stderr-bytes': { type: 'string' },
        isolation: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        'allow-net': { type: 'string', multiple: true },
      }, io);
  if (parsed === undefined) return EXIT.USAGE;
  const { values, positionals } = parsed;
  if (values.help === true) { io.out(RUN_HELP); return EXIT.OK; }
  const dashdash = argv.indexOf('--');
  const fileArgs = dashdash === -1 ? positionals : positionals.slice(0, positionals.length - (argv.length - dashdash - 1));
  const guestArgs = dashdash === -1 ? [] : argv.slice(dashdash + 1);
  const file = fileArgs[0];
  if (file === undefined || fileArgs.length > 1) {
    io.err(`islet run: ${file === undefined ? 'name the file to run' : `unexpected argument "${fileArgs[1] ?? ''}" (pass guest arguments after "--")`}.\nRun "islet run --help" for usage.\n`);
    return EXIT.USAGE;
  }
  const limits: Partial<Limits> = {};
  for (const [flag, key] of Object.entries(LIMIT_FLAGS)) {
    const raw = (values as Record<string, unknown>)[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) {
      io.err(`islet run: --${flag} expects a number, got "${String(raw)}".\n`);
      return EXIT.USAGE;
    }
    limits[key] = n;
  }
  const isolation = values.isolation ?? 'process';
  if (isolation !== 'process' && isolation !== 'isolate') {
    io.err(`islet run: --isolation expects "process" or "isolate", got "${isolation}".\n`);
    return EXIT.USAGE;
  }
  const path = resolve(file);
  let source: string;
  let filename = basename(path);
  let loader: ModuleLoader;
  if (path.endsWith('.json')) {
    // A build plan: verified (shape and hashes) before anything runs; its bundle runs with its map.
    try {
      const { plan, modules } = await loadPlan(path);
      source = modules[plan.entry] ?? '';
      filename = plan.entry;
      loader = mapLoader(modules);
    } catch (error) {
      if (!IsletError.is(error)) throw error;
      io.err(`islet run: ${error.code}: ${error.message}\n`);
      return exitCodeFor(error.code);
    }
  } else {
    try {
      source = await readFile(path, 'utf8');
      loader = diskLoader(await realpath(dirname(path)));
    } catch {
      io.err(`islet run: cannot read "${file}": no such file, or not readable.\n`);
      return EXIT.USAGE;
    }
  }
  let sandbox: Sandbox;
  try {
    const allowNet = (values['allow-net'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
    sandbox = new Sandbox({ limits, isolation, ...(allowNet.length > 0 ? { fetch: { allow: allowNet } } : {}) });
  } catch (error) {
    if (IsletError.is(error)) {
      io.err(`islet run: ${flagNameIn(error.message)}\n`);
      return error.code === 'INVALID_OPTIONS' ? EXIT.USAGE : EXIT.INTERNAL;
    }
    throw error;
  }
  try {
    let receipt: Receipt;
    try {
      receipt = await sandbox.run(source, { filename, args: guestArgs, loader } as Parameters<Sandbox['run']>[1]);
    } catch (error) {
      if (!IsletError.is(error) || error.receipt === undefined) throw error;
      receipt = error.receipt as Receipt;
    }
    return report(receipt, values.json === true, io);
  } finally {
    await sandbox.dispose();
  }
}

function report(receipt: Receipt, json: boolean, io: CliIo): number {
  const code = receipt.ok ? EXIT.OK : exitCodeFor(receipt.error?.code ?? 'INTERNAL');
  if (json) {
    io.out(`${JSON.stringify(receipt, jsonSafe)}\n`);
    return code;
  }
  io.out(receipt.stdout);
  io.err(receipt.stderr);
  if (receipt.stdoutTruncated) io.err('islet: stdout passed --stdout-bytes; the rest was dropped.\n');
  if (receipt.stderrTruncated) io.err('islet: stderr passed --stderr-bytes; the rest was dropped.\n');
  if (receipt.ok) {
    if (receipt.value !== undefined) io.out(`${typeof receipt.value === 'string' ? receipt.value : inspect(receipt.value, { depth: 4, colors: false })}\n`);
  } else if (receipt.error !== undefined) {
    const e = receipt.error;
    const detail = e.stack !== undefined && e.stack !== '' ? e.stack : `${e.name}: ${e.message}`;
    io.err(e.name === 'IsletError' ? `islet: ${e.code}: ${e.message}\n` : `islet: ${e.code}: ${detail}\n`);
  }
  return code;
}

/** JSON for receipts: bigint and other non-JSON values print as strings rather than failing. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return [...value];
  return value;
}

function flagNameIn(message: string): string {
  return message.replace(/Invalid option "fetch\.allow\[\d+\]"/, 'Invalid value for --allow-net').replace(/Invalid option "limits\.(\w+)"/, (_m, key: string) => {
    const flag = Object.entries(LIMIT_FLAGS).find(([, k]) => k === key)?.[0] ?? key;
    return `Invalid value for --${flag}`;
  });
}
