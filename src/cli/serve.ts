/** `islet serve`: the multi-tenant HTTP server. */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IsletError } from '../errors.ts';
import { ConfigError, configBaseDir, validateConfig, type ServerConfig } from '../server/config.ts';
import { IsletServer } from '../server/server.ts';
import { EXIT } from './exit.ts';
import type { CliIo } from './main.ts';

/** Help for `islet serve`. */
export const SERVE_HELP = `Usage:
  islet serve <app.ts> [--port N] [--host H]       serve one app on every route (quick start)
  islet serve --config islet.config.json [--port N] serve the apps of a configuration file

An app is an ES module (JS or TS; relative imports are read from its folder) whose default export
has fetch(request, env, ctx), as on Cloudflare Workers. Each app runs in its own V8 isolate with
the limits of its configuration; see docs/config.md for the file format, routes and limits.

Options:
  --config FILE   the configuration file (JSON); every problem is reported with its JSON path
  --port N        port to listen on (overrides the configuration; 0 picks a free port)
  --host H        address to listen on (default 127.0.0.1)
  --drain-ms N    how long shutdown waits for in-flight requests (default 30000)
  --shards N      worker processes holding the isolates (default: one per core; 0 runs them in
                  the server process, where an isolate that aborts the process stops the server)
  -h, --help      show this help

Logs are JSON lines on stdout: one per request, one per guest console call. GET /healthz and
/readyz answer on every host. SIGTERM or SIGINT drains and exits 0; a second signal exits at once.
`;

/** Runs `islet serve` until a signal stops it; resolves with the exit code. */
export async function serveCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'drain-ms': { type: 'string' }, shards: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    io.err(`islet serve: ${(error as Error).message.split('\n')[0] ?? ''}\nRun "islet serve --help" for the options.\n`);
    return EXIT.USAGE;
  }
  if (values.help === true) { io.out(SERVE_HELP); return EXIT.OK; }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) { io.err(`islet serve: --port expects 0-65535, got "${values.port ?? ''}".\n`); return EXIT.USAGE; }
  const drainMs = values['drain-ms'] === undefined ? 30_000 : Number(values['drain-ms']);
  if (!Number.isInteger(drainMs) || drainMs < 0) { io.err(`islet serve: --drain-ms expects a whole number of milliseconds.\n`); return EXIT.USAGE; }
  const shards = values.shards === undefined ? undefined : Number(values.shards);
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 0 || shards > 64)) { io.err(`islet serve: --shards expects 0-64, got "${values.shards ?? ''}".\n`); return EXIT.USAGE; }
  if ((values.config === undefined) === (positionals.length === 0) || positionals.length > 1) {
    io.err('islet serve: name one app file, or --config FILE (not both).\nRun "islet serve --help" for usage.\n');
    return EXIT.USAGE;
  }

  let config: ServerConfig;
  let catchAll: string | undefined;
  try {
    if (values.config !== undefined) {
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(values.config, 'utf8'));
      } catch (error) {
        throw new ConfigError([{ path: '$', message: `cannot read the file as JSON: ${(error as Error).message}` }], values.config);
      }
      config = validateConfig(raw, { baseDir: configBaseDir(values.config), environment: process.env, source: values.config });
    } else {
      const entry = resolve(positionals[0] as string);
      const name = basename(entry).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'app';
      config = validateConfig({ apps: [{ name, entry: basename(entry), routes: ['localhost'] }] }, { baseDir: dirname(entry), environment: process.env, source: entry });
      catchAll = name;
    }
  } catch (error) {
    if (error instanceof ConfigError) { io.err(`islet serve: ${error.message}\n`); return EXIT.USAGE; }
    throw error;
  }
  if (port !== undefined) config.listen.port = port;
  if (values.host !== undefined) config.listen.host = values.host;
  if (shards !== undefined) config.server.shards = shards;

  const server = new IsletServer(config, { drainTimeoutMs: drainMs, ...(catchAll === undefined ? {} : { catchAll }) });
  try {
    await server.loadAll();
  } catch (error) {
    io.err(`islet serve: ${IsletError.is(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
    await server.close();
    return EXIT.GUEST;
  }
  let address;
  try {
    address = await server.listen();
  } catch (error) {
    io.err(`islet serve: cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}\n`);
    await server.close();
    return EXIT.USAGE;
  }
  io.err(`islet: serving ${config.apps.length} app${config.apps.length === 1 ? '' : 's'} on http://${address.host}:${address.port}\n`);
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) { io.err(`islet: ${signal} again, exiting now\n`); process.exit(EXIT.GUEST); }
      stopping = true;
      io.err(`islet: ${signal}, draining in-flight requests (up to ${drainMs} ms)\n`);
      server.close().then(() => done(EXIT.OK), () => done(EXIT.INTERNAL));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
