/** `islet serve`: the multi-tenant HTTP server. */
import { basename, dirname, join, resolve } from 'node:path';
import { parseCommandArgs } from './args.ts';
import { IsletError } from '../errors.ts';
import { ConfigError, validateConfig, type ServerConfig } from '../server/config.ts';
import { readConfigFile, watchConfig } from '../server/config-watch.ts';
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
  --admin-port N  serve the admin API on 127.0.0.1:N (deploys, rollbacks, metrics, logs; see
                  docs/admin-api.md); the config's "admin" block sets it too
  --data-dir DIR  where deployed apps, versions and KV data are kept (default: .islet next to the
                  config file; with a single app file, in memory unless this is given)
  --no-watch      do not watch the config file (by default a valid change is applied like a
                  deploy, and an invalid one is logged and ignored)
  -h, --help      show this help

Logs are JSON lines on stdout: one per request, one per guest console call. GET /healthz and
/readyz answer on every host. SIGTERM or SIGINT drains and exits 0; a second signal exits at once.
`;

/** Runs `islet serve` until a signal stops it; resolves with the exit code. */
export async function serveCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('serve', argv, { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'drain-ms': { type: 'string' }, shards: { type: 'string' }, 'admin-port': { type: 'string' }, 'data-dir': { type: 'string' }, 'no-watch': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, io);
  if (parsed === undefined) return EXIT.USAGE;
  const { values, positionals } = parsed;
  if (values.help === true) { io.out(SERVE_HELP); return EXIT.OK; }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) { io.err(`islet serve: --port expects 0-65535, got "${values.port ?? ''}".\n`); return EXIT.USAGE; }
  const drainMs = values['drain-ms'] === undefined ? 30_000 : Number(values['drain-ms']);
  if (!Number.isInteger(drainMs) || drainMs < 0) { io.err(`islet serve: --drain-ms expects a whole number of milliseconds.\n`); return EXIT.USAGE; }
  const shards = values.shards === undefined ? undefined : Number(values.shards);
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 0 || shards > 64)) { io.err(`islet serve: --shards expects 0-64, got "${values.shards ?? ''}".\n`); return EXIT.USAGE; }
  const adminPort = values['admin-port'] === undefined ? undefined : Number(values['admin-port']);
  if (adminPort !== undefined && (!Number.isInteger(adminPort) || adminPort < 0 || adminPort > 65535)) { io.err(`islet serve: --admin-port expects 0-65535, got "${values['admin-port'] ?? ''}".\n`); return EXIT.USAGE; }
  if ((values.config === undefined) === (positionals.length === 0) || positionals.length > 1) {
    io.err('islet serve: name one app file, or --config FILE (not both).\nRun "islet serve --help" for usage.\n');
    return EXIT.USAGE;
  }

  let config: ServerConfig;
  let catchAll: string | undefined;
  try {
    if (values.config !== undefined) {
      config = await readConfigFile(values.config, process.env);
      config.dataDir ??= join(config.baseDir, '.islet');
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
  if (values['data-dir'] !== undefined) config.dataDir = resolve(values['data-dir']);
  if (adminPort !== undefined) config.admin = { host: '127.0.0.1', tokenEnv: 'ISLET_ADMIN_TOKEN', ...config.admin, port: adminPort };

  let server: IsletServer;
  try {
    server = new IsletServer(config, { drainTimeoutMs: drainMs, ...(catchAll === undefined ? {} : { catchAll }) });
  } catch (error) {
    io.err(`islet serve: ${IsletError.is(error) ? `${error.code}: ${error.message}` : `cannot open the data directory ${config.dataDir ?? ''}: ${(error as Error).message}`}\n`);
    return EXIT.USAGE;
  }
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
  const apps = server.deployments.apps.size;
  io.err(`islet: serving ${apps} app${apps === 1 ? '' : 's'} on http://${address.host}:${address.port}\n`);
  const admin = server.admin;
  if (admin !== undefined) {
    const generated = admin.token.generatedFile === undefined ? ''
      : `islet: generated an admin token; it is in ${admin.token.generatedFile} (readable only by you). Set ${config.admin?.tokenEnv ?? 'ISLET_ADMIN_TOKEN'} to use your own.\n`;
    io.err(`${generated}islet: admin API on http://${admin.host}:${admin.port} (token id ${admin.token.id})\n`);
  }
  const stopWatching = values.config !== undefined && values['no-watch'] !== true
    ? watchConfig({ path: values.config, running: config, deployments: server.deployments, log: server.log, environment: process.env })
    : () => {};
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) { io.err(`islet: ${signal} again, exiting now\n`); process.exit(EXIT.GUEST); }
      stopping = true;
      stopWatching();
      io.err(`islet: ${signal}, draining in-flight requests (up to ${drainMs} ms)\n`);
      server.close().then(() => done(EXIT.OK), () => done(EXIT.INTERNAL));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
