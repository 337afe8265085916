/**
 * The `islet serve` server process: the HTTP listener (each request answered by an HttpHandler),
 * the apps and their deployments, where they run (in this process or in shards), the KV store,
 * the admin API and metrics, and the graceful drain.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { AppPool } from './app-host.ts';
import { AppStore } from './app-store.ts';
import { executeKv, SqliteKvStore, type KvStore } from '../store/kv.ts';
import type { KvRequest, KvResponse } from '../bridge/kv.ts';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { shardRssBudgetMb, type ServerConfig } from './config.ts';
import { Deployments, versionApp, type AppBackend, type LiveApp } from './deployments.ts';
import { Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import { AdminServer, resolveAdminToken, type AdminToken } from './admin.ts';
import { ShardPool } from './shards.ts';
import { HttpHandler, logRequestLine } from './http-handler.ts';


/** Options for {@link IsletServer}. */
export interface ServerOptions {
  logger?: Logger;
  /** How long a graceful shutdown waits for in-flight requests (default 30 s). */
  drainTimeoutMs?: number;
  /** Serve every request that matches no route with this app (`islet serve app.ts`). */
  catchAll?: string;
  /** Where secrets named by `fromEnv` are read (default process.env). */
  environment?: Record<string, string | undefined>;
}

/** A running (or stopped) islet server. */
export class IsletServer {
  /** The listener: HTTP when the isolates run here; with shards, accepted sockets go to them. */
  readonly #server: Server | NetServer;
  #closing = false;
  readonly #backend: AppBackend;
  readonly #store: AppStore;
  readonly #kvStore: KvStore;
  readonly #deployments: Deployments;
  readonly #metrics: Metrics;
  readonly #admin: AdminServer | undefined;
  readonly #adminToken: AdminToken | undefined;
  #adminAddress: { host: string; port: number } | undefined;
  readonly #log: Logger;
  readonly #drainTimeoutMs: number;
  readonly #config: ServerConfig;
  readonly #http: HttpHandler<LiveApp>;

  constructor(config: ServerConfig, options: ServerOptions = {}) {
    this.#config = config;
    this.#log = options.logger ?? new Logger();
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
    const { shards, memoryBudgetMb } = config.server;
    // The KV store lives in this process; shards send their apps' KV requests here.
    if (config.dataDir !== undefined) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    // The file is made owner-only before SQLite opens it, so its -wal and -shm files are too.
    if (config.dataDir !== undefined) { closeSync(openSync(join(config.dataDir, 'kv.db'), 'a', 0o600)); chmodSync(join(config.dataDir, 'kv.db'), 0o600); }
    const kvStore = new SqliteKvStore(config.dataDir === undefined ? ':memory:' : join(config.dataDir, 'kv.db'));
    this.#kvStore = kvStore;
    const kv = (namespace: string, request: KvRequest): Promise<KvResponse> => executeKv(kvStore, namespace, request);
    if (shards === 0) {
      this.#backend = new AppPool({ log: this.#log, memoryBudgetBytes: memoryBudgetMb * 1024 * 1024, kv });
    } else {
      this.#backend = this.#shards = new ShardPool({
        shards, apps: [], log: this.#log, drainTimeoutMs: this.#drainTimeoutMs, kv,
        memoryBudgetBytes: Math.floor(memoryBudgetMb / shards) * 1024 * 1024, rssBudgetBytes: shardRssBudgetMb(config.server) * 1024 * 1024,
        requests: {
          enter: (id) => { this.#deployments.enter(id); },
          leave: (id, ok) => { this.#deployments.leaveVersion(id, ok); },
          tally: (entries) => { this.#metrics.merge(entries); },
          lost: (request, slot) => {
            const name = versionApp(request.app);
            const durationMs = performance.now() - request.started;
            this.#metrics.observe(name, 502, durationMs, 0, 'ISOLATE_CRASHED');
            logRequestLine(this.#log, { app: name, requestId: request.rid, method: request.method, url: request.path, status: 502, durationMs, cpuMs: 0, code: 'ISOLATE_CRASHED', shard: slot });
          },
        },
      });
    }
    this.#store = new AppStore(config.dataDir);
    this.#deployments = new Deployments({
      store: this.#store, backend: this.#backend, log: this.#log, environment: options.environment ?? process.env,
      drainTimeoutMs: this.#drainTimeoutMs, ...(options.catchAll === undefined ? {} : { catchAll: options.catchAll }),
      onRoutes: (apps, catchAll) => this.#shards?.setRoutes(apps.map((a) => ({ id: a.config.id, state: a.state })), catchAll?.config.id ?? null),
    });
    this.#deployments.start(config.apps, config.baseDir);
    this.#metrics = new Metrics({
      pools: () => (this.#shards !== undefined
        ? this.#shards.stats().map((s) => ({ shard: String(s.slot), loaded: s.pool?.loaded ?? 0, evictions: s.pool?.evictions ?? 0, replaced: s.pool?.replaced ?? 0 }))
        : [{ shard: 'main', ...(this.#backend as AppPool).stats() }]),
      shardRestarts: () => ({ crash: this.#shards?.crashes ?? 0, rss: this.#shards?.recycles ?? 0 }),
      logDrops: () => this.#log.dropped,
      apps: () => this.#deployments.apps.size,
      inFlight: () => this.#inFlight(),
      refresh: () => this.#shards?.tallies() ?? Promise.resolve(),
    });
    if (config.admin !== undefined) {
      this.#adminToken = resolveAdminToken(config.admin, options.environment ?? process.env, config.dataDir);
      this.#admin = new AdminServer({ settings: config.admin, token: this.#adminToken, deployments: this.#deployments, metrics: this.#metrics, log: this.#log });
    }
    // Node's HTTP protections, set deliberately.
    this.#http = new HttpHandler<LiveApp>({
      log: this.#log,
      backend: this.#backend,
      match: (host, path) => this.#deployments.match(host, path),
      enter: (id) => { this.#deployments.enter(id); },
      leave: (live, id, ok) => { this.#deployments.leave(live, id, ok); },
      observe: (app, status, durationMs, cpuMs, code) => { this.#metrics.observe(app, status, durationMs, cpuMs, code); },
      // In one process the isolates share this event loop with HTTP: see TurnQueue.
      holdToTurnEnd: shards === 0,
    });
    if (this.#shards !== undefined) {
      // Shards serve HTTP themselves (with the same protections, see shard-main.ts); this process
      // accepts, hands each connection over unread and keeps a copy.
      const pool = this.#shards;
      this.#server = createNetServer({ pauseOnConnect: true, noDelay: true }, (socket) => { pool.adopt(socket); });
    } else {
      const server = createServer({ noDelay: true, maxHeaderSize: 16_384, requestTimeout: 300_000, headersTimeout: 20_000, keepAliveTimeout: 5_000 }, this.#http.listener);
      server.maxHeadersCount = 200;
      server.maxRequestsPerSocket = 10_000;
      this.#server = server;
    }
  }

  #inFlight(): number {
    return this.#shards === undefined ? this.#http.inFlight : this.#shards.stats().reduce((n, s) => n + s.inFlight, 0);
  }


  readonly #shards: ShardPool | undefined;

  /** The shard processes, when the isolates run in shards. */
  get shards(): ShardPool | undefined { return this.#shards; }

  /** The admin API's address and token, once it listens (undefined without an admin API). */
  get admin(): { host: string; port: number; token: AdminToken } | undefined {
    return this.#adminAddress === undefined || this.#adminToken === undefined ? undefined : { ...this.#adminAddress, token: this.#adminToken };
  }

  /** The server's logger. */
  get log(): Logger { return this.#log; }

  /** The server's metrics. */
  get metrics(): Metrics { return this.#metrics; }

  /** The apps served, and the way to change them (deploy, rollback, remove). */
  get deployments(): Deployments { return this.#deployments; }

  /**
   * Loads every app (so a broken app fails at start, not on its first request); with
   * `server.preload: false` it only waits for the shards, and apps load on their first request.
   */
  async loadAll(): Promise<void> {
    await this.#shards?.ready();
    if (!this.#config.server.preload) return;
    const apps = [...this.#deployments.apps.values()].map((a) => a.config);
    // A few at a time: shards load in parallel, and a server with many apps starts quickly.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < apps.length) await this.#backend.load((apps[next++] as (typeof apps)[number]).id);
    };
    await Promise.all(Array.from({ length: Math.min(8, apps.length) }, worker));
  }

  /** Starts listening (and the admin API, when configured); resolves with the address. */
  async listen(): Promise<{ host: string; port: number }> {
    if (this.#admin !== undefined) this.#adminAddress = await this.#admin.listen();
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#config.listen.port, this.#config.listen.host, () => {
        const address = this.#server.address();
        const port = typeof address === 'object' && address !== null ? address.port : this.#config.listen.port;
        this.#log.log({ type: 'server', event: 'listening', host: this.#config.listen.host, port, apps: this.#deployments.apps.size, shards: this.#config.server.shards });
        resolve({ host: this.#config.listen.host, port });
      });
    });
  }

  /**
   * Graceful shutdown: stop accepting, let in-flight requests finish (up to the drain timeout),
   * then close every connection, dispose the isolates and flush the logs.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#http.draining = true;
    this.#log.log({ type: 'server', event: 'draining', inFlight: this.#inFlight() });
    const server = this.#server;
    const closed = new Promise<void>((resolve) => { server.close(() => resolve()); });
    if (this.#shards !== undefined) {
      // The shards drain their connections and exit (killed after the drain timeout); the
      // copies here close with them.
      await this.#backend.close();
    } else {
      (server as Server).closeIdleConnections();
      await this.#http.whenIdle(this.#drainTimeoutMs);
      (server as Server).closeAllConnections();
    }
    await closed;
    await this.#admin?.close();
    await this.#backend.close();
    this.#store.close();
    this.#kvStore.close();
    this.#log.log({ type: 'server', event: 'stopped', logDrops: this.#log.dropped });
    await this.#log.drain();
  }
}
