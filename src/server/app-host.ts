/**
 * Apps inside one process (a shard, or the server itself with `shards: 0`): each app's isolate (a
 * persistent run core with the app module loaded), replaced at once after a limit kill or crash,
 * and the pool that keeps the loaded apps within a memory budget by evicting the least recently
 * used idle ones. A request names its app; an evicted app is loaded again on its next request.
 */
import { dirname, basename } from 'node:path';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { IsletError } from '../errors.ts';
import type { KvRequest, KvResponse } from '../bridge/kv.ts';
import { RunCore, keepSpares, type RequestHead, type RequestIo, type RequestOutcome } from '../sandbox/core.ts';
import { diskLoader, mapLoader, type ModuleLoader } from '../sandbox/modules.ts';
import { mapOutcomeStack } from '../sandbox/stack-maps.ts';
import { APP_LIMIT_DEFAULTS, type AppConfig } from './config.ts';
import type { Logger } from './log.ts';

/** A request's outcome before the app was reached (load failure, unknown app, ...). */
export function failedOutcome(code: IsletError['code'], message: string, guest?: IsletError['guest']): RequestOutcome {
  return { ok: false, error: { code, message, ...(guest === undefined ? {} : { guest }) }, usage: { cpuMs: 0, wallMs: 0, heapPeakBytes: 0, hostCalls: 0 }, responded: false, longestEntryMs: 0 };
}

/** Runs one KV request on a namespace (in this process, or over IPC to the server process that owns the store). */
export type KvCall = (namespace: string, request: KvRequest) => Promise<KvResponse>;

/** One app: its loaded isolate, if any. */
export class AppHost {
  readonly config: AppConfig;
  readonly #log: Logger;
  #core: RunCore | undefined;
  #loading: Promise<RunCore> | undefined;
  #inFlight = 0;
  #footprint = 0;
  #stackSources: { sources: Map<string, string>; loader: ModuleLoader } | undefined;
  /** When the app last took a request (or was loaded), for LRU eviction. */
  lastUsed = 0;
  requests = 0;
  errors = 0;
  /** Isolates replaced after a limit kill or crash. */
  replaced = 0;

  readonly #kv: KvCall | undefined;

  constructor(config: AppConfig, log: Logger, kv?: KvCall) {
    this.config = config;
    this.#log = log;
    this.#kv = kv;
  }

  /** Requests being handled now. */
  get inFlight(): number { return this.#inFlight; }

  /** Whether the app's isolate is loaded and alive. */
  get loaded(): boolean { return this.#core?.loaded === true; }

  /** The isolate's memory at its last sample, in bytes (0 when not loaded). */
  get footprint(): number { return this.loaded ? this.#footprint : 0; }

  /** Samples the isolate's memory (heap, malloc and ArrayBuffers); 0 when not loaded. */
  sampleFootprint(): number {
    this.#footprint = this.#core?.loaded === true ? this.#core.footprintBytes() : 0;
    return this.#footprint;
  }

  /** Loads the app module if it is not loaded; rejects with its IsletError (SYNTAX_ERROR, MODULE_NOT_FOUND, ...). */
  load(): Promise<RunCore> {
    if (this.#core?.loaded === true) return Promise.resolve(this.#core);
    this.#loading ??= this.#load().finally(() => { this.#loading = undefined; });
    return this.#loading;
  }

  async #load(): Promise<RunCore> {
    if (this.#core !== undefined) { this.#core.dispose(); this.#core = undefined; }
    const { modules, entry } = this.config;
    const loader = modules !== undefined ? mapLoader(modules) : diskLoader(realpathSync(dirname(entry)));
    // The sources the isolate loaded, so guest stacks can be mapped to the original files.
    const sources = new Map<string, string>();
    this.#stackSources = { sources, loader };
    const loadModule: ModuleLoader = async (path) => {
      const source = await loader(path);
      if (source !== undefined) sources.set(path, source);
      return source;
    };
    const source = modules !== undefined ? (modules[entry] as string) : await readFile(entry, 'utf8');
    const { memoryMb, cpuMs, wallMs } = this.config.limits;
    const core = new RunCore({
      limits: { memoryMb, cpuMs, wallMs, stdoutBytes: 0, stderrBytes: 0 },
      persistent: true,
      services: [],
      env: this.config.env,
      fetch: this.config.fetch,
      bindings: this.config.bindings,
    }, {
      callService: () => Promise.reject(new Error('no services are bound to this app')),
      emit: () => {},
      output: (stream, text, label) => {
        this.#log.log({ type: 'console', app: this.config.name, requestId: label ?? null, stream: stream === 1 ? 'stdout' : 'stderr', message: text.endsWith('\n') ? text.slice(0, -1) : text });
      },
      loadModule,
      // A binding's namespace is the app's own: "<app>:<namespace>". The guest only names the binding.
      ...(this.#kv === undefined ? {} : {
        kv: (binding: string, request: KvRequest) => {
          const ns = this.config.bindings[binding]?.kv;
          if (ns === undefined || this.#kv === undefined) return Promise.reject(new IsletError('KV_INVALID', `No KV binding is named "${binding}".`));
          return this.#kv(`${this.config.name}:${ns}`, request);
        },
      }),
    });
    core.onCatastrophicError = (message) => {
      this.#log.log({ type: 'error', app: this.config.name, code: 'ISOLATE_CRASHED', message: `isolated-vm reported a catastrophic error: ${message}` });
    };
    const filename = modules !== undefined ? entry : basename(entry);
    sources.set(filename, source);
    const outcome = await mapOutcomeStack(await core.run({ kind: 'app', source, filename, args: [] }), sources, loader);
    if (!outcome.ok) {
      core.dispose();
      const e = outcome.error;
      throw new IsletError(e?.code ?? 'INTERNAL', `The app "${this.config.name}" failed to load: ${e?.message ?? 'unknown error'}`, e?.guest === undefined ? {} : { guest: e.guest });
    }
    this.#core = core;
    this.lastUsed = performance.now();
    this.sampleFootprint();
    return core;
  }

  /**
   * Handles one request; resolves with how it ended (never rejects). `onAbort` receives the
   * function that ends the request early (client gone, body too large).
   */
  async handle(head: RequestHead, io: RequestIo, requestId: string, onAbort: (abort: () => void) => void): Promise<RequestOutcome> {
    this.#inFlight += 1;
    this.requests += 1;
    this.lastUsed = performance.now();
    try {
      const core = await this.load();
      const { token, done } = core.request(head, io, requestId);
      onAbort(() => core.abortRequest(token));
      let outcome = await done;
      if (!outcome.ok) {
        if (outcome.error?.guest?.stack !== undefined && this.#stackSources !== undefined) {
          outcome = await mapOutcomeStack(outcome, this.#stackSources.sources, this.#stackSources.loader) as RequestOutcome;
        }
        this.errors += 1;
        // An isolate that hit a limit or crashed is not reused: load its replacement now, so the
        // next request finds it warm.
        if (!core.loaded && this.#core === core) {
          this.replaced += 1;
          this.load().catch((error: unknown) => {
            this.#log.log({ type: 'error', app: this.config.name, code: IsletError.is(error) ? error.code : 'INTERNAL', message: `reloading after ${outcome.error?.code ?? 'a failure'}: ${String((error as Error).message)}` });
          });
        }
      }
      return outcome;
    } catch (error) {
      this.errors += 1;
      const e = IsletError.is(error) ? error : new IsletError('INTERNAL', String(error));
      return failedOutcome(e.code, e.message, e.guest);
    } finally {
      this.#inFlight -= 1;
    }
  }

  /** Disposes the app's isolate (it loads again on the next request). */
  unload(): void {
    this.#core?.dispose();
    this.#core = undefined;
    this.#footprint = 0;
  }
}

/** Options for an {@link AppPool}. */
export interface AppPoolOptions {
  log: Logger;
  /** The most memory the loaded apps' isolates may hold together before idle ones are evicted. */
  memoryBudgetBytes: number;
  /** How often footprints are sampled and the budget enforced (default 1000 ms). */
  checkIntervalMs?: number;
  /** Where the apps' KV bindings go; without it, KV calls fail with a clear error. */
  kv?: KvCall;
}

/** Counters a pool reports. */
export interface PoolStats {
  apps: number;
  loaded: number;
  footprintBytes: number;
  evictions: number;
  replaced: number;
}

/** The apps of one process, loaded on demand and evicted (LRU) under a memory budget. */
export class AppPool {
  readonly #apps = new Map<string, AppHost>();
  readonly #log: Logger;
  readonly #budget: number;
  readonly #kv: KvCall | undefined;
  readonly #timer: NodeJS.Timeout;
  #evictions = 0;
  #closed = false;

  constructor(options: AppPoolOptions) {
    this.#log = options.log;
    this.#budget = options.memoryBudgetBytes;
    this.#kv = options.kv;
    this.#timer = setInterval(() => { this.enforceBudget(true); }, options.checkIntervalMs ?? 1000);
    this.#timer.unref();
    // A spare isolate (with a context) waits for the next app to load: cold starts skip making one.
    keepSpares(1, APP_LIMIT_DEFAULTS.memoryMb);
  }

  /** Adds an app version (keyed by its id, `name@version`); an existing definition of that id is replaced. */
  define(config: AppConfig): void {
    this.#apps.get(config.id)?.unload();
    this.#apps.set(config.id, new AppHost(config, this.#log, this.#kv));
  }

  /** Disposes an app version and forgets it (requests still running in it end as DISPOSED). */
  remove(id: string): void {
    this.#apps.get(id)?.unload();
    this.#apps.delete(id);
  }

  /** The app versions, by id. */
  get apps(): ReadonlyMap<string, AppHost> { return this.#apps; }

  /** Loads an app now (so a broken app fails at start); rejects with its IsletError. */
  async load(id: string): Promise<void> {
    const app = this.#apps.get(id);
    if (app === undefined) throw new IsletError('NO_ROUTE', `No app is named "${id}".`);
    await app.load();
    this.enforceBudget(false);
  }

  /** Handles a request for the named app. Never rejects. */
  async handle(id: string, head: RequestHead, io: RequestIo, requestId: string, onAbort: (abort: () => void) => void): Promise<RequestOutcome> {
    const app = this.#apps.get(id);
    if (app === undefined || this.#closed) return failedOutcome(this.#closed ? 'DISPOSED' : 'NO_ROUTE', this.#closed ? 'The server is shutting down.' : `No app is named "${id}".`);
    const cold = !app.loaded;
    const outcome = await app.handle(head, io, requestId, onAbort);
    if (cold) this.enforceBudget(false);
    return outcome;
  }

  /**
   * Evicts the least recently used idle apps while the loaded isolates hold more than the budget.
   * `sample` re-measures every loaded app first (the periodic check); otherwise the last samples are used.
   */
  enforceBudget(sample: boolean): void {
    let total = 0;
    const loaded: AppHost[] = [];
    for (const app of this.#apps.values()) {
      if (!app.loaded) continue;
      total += sample ? app.sampleFootprint() : app.footprint;
      loaded.push(app);
    }
    if (total <= this.#budget) return;
    loaded.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const app of loaded) {
      if (total <= this.#budget) break;
      if (app.inFlight > 0) continue;
      total -= app.footprint;
      app.unload();
      this.#evictions += 1;
      this.#log.log({ type: 'evict', app: app.config.name, reason: 'memory budget', budgetBytes: this.#budget });
    }
  }

  /** Counters for health and metrics. */
  stats(): PoolStats {
    let loaded = 0;
    let footprintBytes = 0;
    let replaced = 0;
    for (const app of this.#apps.values()) {
      if (app.loaded) { loaded += 1; footprintBytes += app.footprint; }
      replaced += app.replaced;
    }
    return { apps: this.#apps.size, loaded, footprintBytes, evictions: this.#evictions, replaced };
  }

  /** Disposes every isolate. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    keepSpares(0, 0);
    for (const app of this.#apps.values()) app.unload();
  }
}
