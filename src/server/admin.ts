/**
 * The admin API of `islet serve`: its own listener (loopback by default), a bearer token on every
 * call (compared in constant time), deploys, rollbacks and removals through {@link Deployments},
 * Prometheus metrics and the recent logs. Every call that changes something is logged with the
 * token's id (never the token), what it did and how it ended.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsletError, type ErrorCode } from '../errors.ts';
import { PlanError } from '../build/plan.ts';
import { ConfigError, MAX_INLINE_BYTES, type AdminSettings } from './config.ts';
import type { Deployments, LiveApp } from './deployments.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

/** Where the admin token came from. */
export interface AdminToken {
  token: string;
  /** A short, non-secret id of the token for logs: the first 12 hex digits of its sha256. */
  id: string;
  /** When the token was generated on this start: the file it was written to. */
  generatedFile?: string;
  /** The file the token was read from or written to, when there is one. */
  file?: string;
}

/**
 * The admin token: the environment variable the config names (default ISLET_ADMIN_TOKEN); else
 * the token file in the data directory; else a new random token, written to that file (mode 0600).
 */
export function resolveAdminToken(settings: AdminSettings, environment: Record<string, string | undefined>, dataDir: string | undefined): AdminToken {
  const fromEnv = environment[settings.tokenEnv];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 16) throw new IsletError('INVALID_CONFIG', `The admin token in ${settings.tokenEnv} is ${fromEnv.length} characters long; use at least 16 (for example: openssl rand -hex 32).`);
    return { token: fromEnv, id: tokenId(fromEnv) };
  }
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'islet-admin-'));
  const file = join(dir, 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return { token, id: tokenId(token), file };
  }
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, id: tokenId(token), generatedFile: file, file };
}

function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

/** HTTP statuses of the admin API's errors. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400, INVALID_CONFIG: 400, SYNTAX_ERROR: 400, MODULE_NOT_FOUND: 400, GUEST_EXCEPTION: 400, INVALID_RESPONSE: 400,
  CPU_LIMIT: 400, WALL_TIMEOUT: 400, MEMORY_LIMIT: 400, ISOLATE_CRASHED: 400, PLAN_INVALID: 400, BODY_TOO_LARGE: 413,
  UNAUTHORIZED: 401, NO_APP: 404, NO_ROUTE: 404, VERSION_CONFLICT: 409, DISPOSED: 503,
} as Partial<Record<ErrorCode, number>>;

/** Options for an {@link AdminServer}. */
export interface AdminOptions {
  settings: AdminSettings;
  token: AdminToken;
  deployments: Deployments;
  metrics: Metrics;
  log: Logger;
}

/** The admin API listener. */
export class AdminServer {
  readonly #o: AdminOptions;
  readonly #server: Server;
  readonly #expected: Buffer;
  readonly #follows = new Set<ServerResponse>();

  constructor(options: AdminOptions) {
    this.#o = options;
    this.#expected = createHash('sha256').update(options.token.token).digest();
    this.#server = createServer({ maxHeaderSize: 16_384, requestTimeout: 120_000, headersTimeout: 20_000, keepAliveTimeout: 5_000 }, (req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#o.log.log({ type: 'error', code: 'INTERNAL', message: `admin API: ${(error as Error).message}` });
        if (!res.headersSent) this.#error(res, new IsletError('INTERNAL', 'The admin API failed; see the server log.'));
        else res.destroy();
      });
    });
    options.log.keepRecent(1000);
  }

  /** Starts listening; resolves with the address. */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#o.settings.port, this.#o.settings.host, () => {
        const address = this.#server.address();
        const port = typeof address === 'object' && address !== null ? address.port : this.#o.settings.port;
        this.#o.log.log({ type: 'admin', event: 'listening', host: this.#o.settings.host, port });
        resolve({ host: this.#o.settings.host, port });
      });
    });
  }

  /** Stops the listener (and any log follower). */
  close(): Promise<void> {
    for (const res of this.#follows) res.end();
    return new Promise((resolve) => { this.#server.close(() => resolve()); this.#server.closeAllConnections(); });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    if (!this.#authorized(req.headers.authorization)) {
      req.resume();
      res.setHeader('www-authenticate', 'Bearer realm="islet-admin"');
      this.#error(res, new IsletError('UNAUTHORIZED', 'A valid bearer token is required.'));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://admin');
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
    } catch {
      req.resume();
      this.#error(res, new IsletError('BAD_REQUEST', 'The path is not valid percent-encoding; app names are lowercase letters, digits and "-".'));
      return;
    }
    const method = req.method ?? 'GET';
    const actor = this.#o.token.id;
    const audit = (action: string, app: string | undefined, result: Record<string, unknown>): void => {
      this.#o.log.log({ type: 'admin', actor: `token:${actor}`, action, ...(app === undefined ? {} : { app }), ...result });
    };

    if (parts[0] === 'metrics' && parts.length === 1 && method === 'GET') {
      res.writeHead(200, { 'content-type': this.#o.metrics.contentType }).end(await this.#o.metrics.text());
      return;
    }
    if (parts[0] === 'logs' && parts.length === 1 && method === 'GET') { this.#logs(url, res); return; }
    if (parts[0] !== 'apps') { req.resume(); this.#error(res, new IsletError('NO_ROUTE', `No admin endpoint at ${method} ${url.pathname}; see docs/admin-api.md.`)); return; }

    if (parts.length === 1) {
      if (method !== 'GET') { this.#methodNotAllowed(req, res, 'GET'); return; }
      this.#json(res, 200, { apps: [...this.#o.deployments.apps.values()].map((a) => this.#summary(a)) });
      return;
    }
    const name = parts[1] as string;
    if (parts.length === 2) {
      if (method === 'GET') {
        const live = this.#o.deployments.apps.get(name);
        if (live === undefined) { this.#error(res, noApp(name)); return; }
        const versions = this.#o.deployments.store.versions(name).map((v) => ({ version: v.version, source: v.source, sha256: v.sha256, createdAt: v.createdAt }));
        res.setHeader('etag', `"${live.config.version}"`);
        this.#json(res, 200, { ...this.#summary(live), versions, inFlight: this.#o.deployments.inFlight(live.config.id), limits: live.config.limits, bindings: live.config.bindings, env: Object.keys(live.config.env) });
        return;
      }
      if (method === 'PUT') {
        let body: unknown;
        try {
          body = JSON.parse((await readBody(req, MAX_INLINE_BYTES + 4 * 1024 * 1024)).toString('utf8'));
        } catch (error) {
          const e = IsletError.is(error) ? error : new IsletError('BAD_REQUEST', `The body is not valid JSON: ${(error as Error).message}.`);
          audit('deploy', name, { ok: false, code: e.code });
          this.#error(res, e);
          return;
        }
        const ifMatch = parseIfMatch(req.headers['if-match']);
        if (ifMatch === null) { this.#error(res, new IsletError('BAD_REQUEST', 'If-Match must be a version in quotes, like If-Match: "3".')); return; }
        await this.#act(res, 'deploy', name, audit, () => this.#o.deployments.deploy(name, body, { actor: `token:${actor}`, ...(ifMatch === undefined ? {} : { ifMatch }) }));
        return;
      }
      if (method === 'DELETE') {
        await this.#act(res, 'remove', name, audit, () => this.#o.deployments.remove(name, { actor: `token:${actor}` }));
        return;
      }
      this.#methodNotAllowed(req, res, 'GET, PUT, DELETE');
      return;
    }
    if (parts.length === 3 && parts[2] === 'rollback') {
      if (method !== 'POST') { this.#methodNotAllowed(req, res, 'POST'); return; }
      req.resume();
      await this.#act(res, 'rollback', name, audit, () => this.#o.deployments.rollback(name, { actor: `token:${actor}` }));
      return;
    }
    req.resume();
    this.#error(res, new IsletError('NO_ROUTE', `No admin endpoint at ${method} ${url.pathname}; see docs/admin-api.md.`));
  }

  /** Runs one change to an app, logs it (who, what, how it ended) and answers with its result (ETag: the version it serves). */
  async #act(res: ServerResponse, action: string, name: string, audit: (action: string, app: string, result: Record<string, unknown>) => void, fn: () => Promise<object>): Promise<void> {
    try {
      const result = await fn();
      const version = (result as { version?: unknown }).version;
      audit(action, name, { ok: true, ...(typeof version === 'number' ? { version } : {}) });
      if (typeof version === 'number') res.setHeader('etag', `"${version}"`);
      this.#json(res, 200, result);
    } catch (error) {
      audit(action, name, { ok: false, code: IsletError.is(error) ? error.code : 'INTERNAL' });
      this.#error(res, error);
    }
  }

  /** GET /logs?app=NAME&follow=1: recent lines (newline-delimited JSON), then live ones when following. */
  #logs(url: URL, res: ServerResponse): void {
    const app = url.searchParams.get('app');
    const follow = url.searchParams.get('follow') === '1' || url.searchParams.get('follow') === 'true';
    const tail = Math.min(1000, Math.max(0, Number(url.searchParams.get('tail') ?? '100') || 0));
    const wanted = (line: string): boolean => line !== '' && (app === null || line.includes(`"app":${JSON.stringify(app)}`));
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const recent = this.#o.log.recent().filter(wanted).slice(-tail);
    if (recent.length > 0) res.write(`${recent.join('\n')}\n`);
    if (!follow) { res.end(); return; }
    this.#follows.add(res);
    const stop = this.#o.log.follow((entry) => {
      const lines = entry.split('\n').filter(wanted);
      if (lines.length > 0 && !res.writableNeedDrain) res.write(`${lines.join('\n')}\n`);
    });
    res.on('close', () => { stop(); this.#follows.delete(res); });
  }

  #summary(live: LiveApp): Record<string, unknown> {
    return { name: live.name, version: live.config.version, routes: live.config.routes.map((r) => r.pattern), status: live.state, source: live.source, requests: live.requests, errors: live.errors };
  }

  #authorized(header: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    // Compare digests (equal lengths) in constant time: the token's length leaks nothing either.
    const given = createHash('sha256').update(m?.[1] ?? '').digest();
    return timingSafeEqual(given, this.#expected) && m !== null;
  }

  #methodNotAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
    req.resume();
    res.setHeader('allow', allow);
    this.#json(res, 405, { error: { code: 'BAD_REQUEST', message: `Use ${allow} here.` } });
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  #error(res: ServerResponse, error: unknown): void {
    const e = IsletError.is(error) ? error : new IsletError('INTERNAL', 'The admin API failed; see the server log.');
    if (!IsletError.is(error)) this.#o.log.log({ type: 'error', code: 'INTERNAL', message: `admin API: ${String((error as Error)?.message ?? error)}` });
    const status = STATUS[e.code] ?? 500;
    const body: Record<string, unknown> = { code: e.code, message: e.message };
    if (error instanceof ConfigError || error instanceof PlanError) body['problems'] = error.problems;
    if (e.guest !== undefined) body['guest'] = { name: e.guest.name, message: e.guest.message, ...(e.guest.stack === undefined ? {} : { stack: e.guest.stack }) };
    this.#json(res, status, { error: body });
  }
}

function noApp(name: string): IsletError {
  return new IsletError('NO_APP', `No app is named "${name}"; GET /apps lists the apps.`);
}

/** The version in an If-Match header: undefined when absent, null when malformed. */
function parseIfMatch(header: string | undefined): number | undefined | null {
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  return m === null ? null : Number(m[1]);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) { req.resume(); reject(new IsletError('BODY_TOO_LARGE', `The deploy body is ${declared} bytes; the most the admin API takes is ${limit}.`)); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) { req.destroy(); reject(new IsletError('BODY_TOO_LARGE', `The deploy body passed ${limit} bytes, the most the admin API takes.`)); return; }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
