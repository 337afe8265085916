/**
 * The apps a server serves, and how they change while it runs: deploys (validated, compiled and
 * checked in an isolate before they take traffic, then switched in atomically while the old
 * version drains), rollbacks, removals with drain, and the config file's apps reconciled with the
 * app store at start and on reload. Changes to one app are applied one at a time, in order.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IsletError } from '../errors.ts';
import type { RequestHead, RequestIo, RequestOutcome } from '../sandbox/core.ts';
import { verifyPlan } from '../build/plan.ts';
import { AppStore, type StoredVersion, type VersionSource } from './app-store.ts';
import { ConfigError, routeKey, validateAppSpec, type AppConfig, type ConfigProblem } from './config.ts';
import type { Logger } from './log.ts';
import { Router } from './router.ts';

/** Where app versions run (an AppPool in this process, or the shards). */
export interface AppBackend {
  define(app: AppConfig): void;
  remove(id: string): void;
  load(id: string): Promise<void>;
  handle(id: string, head: RequestHead, io: RequestIo, requestId: string, onAbort: (abort: () => void) => void): Promise<RequestOutcome>;
  close(): void | Promise<void>;
}

/** An app as the router sees it: the version it serves now, and whether it is being removed. */
export interface LiveApp {
  readonly name: string;
  config: AppConfig;
  source: VersionSource;
  state: 'serving' | 'removing';
  requests: number;
  errors: number;
}

/** What a deploy or rollback answers. */
export interface DeployResult {
  name: string;
  version: number;
  routes: string[];
  status: 'serving';
}

/** How a stored spec is kept: the admin API body, or a config file entry with the folder it was read from. */
type StoredSpec =
  | { kind: 'api'; app: unknown }
  | { kind: 'config'; baseDir: string; app: unknown; entrySha256: string };

/** Options for {@link Deployments}. */
export interface DeploymentsOptions {
  store: AppStore;
  backend: AppBackend;
  log: Logger;
  /** Where secrets named by `fromEnv` are read. */
  environment: Record<string, string | undefined>;
  /** How long a replaced or removed version may finish its requests before it is disposed. */
  drainTimeoutMs: number;
  /** Serve requests no route matches with this app (`islet serve app.ts`). */
  catchAll?: string;
  /** Called with the apps served (and the catch-all one) whenever routing changes. */
  onRoutes?: (apps: readonly LiveApp[], catchAll: LiveApp | undefined) => void | Promise<void>;
}

/** The apps of one server. */
export class Deployments {
  readonly #o: DeploymentsOptions;
  readonly #live = new Map<string, LiveApp>();
  #router = new Router<LiveApp>();
  readonly #inFlight = new Map<string, number>();
  readonly #drained = new Map<string, (() => void)[]>();
  /** Versions replaced or removed that are still finishing requests. */
  readonly #retiring = new Map<string, AppConfig>();
  /** The tail of each app's queue of changes. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: DeploymentsOptions) {
    this.#o = options;
  }

  /** The apps being served, by name. */
  get apps(): ReadonlyMap<string, LiveApp> { return this.#live; }

  /** The store. */
  get store(): AppStore { return this.#o.store; }

  /**
   * Start-up: serves what the store holds, with the config file's apps reconciled in. A config app
   * whose definition (or entry file) changed since the store last saw it becomes a new version; a
   * stored app that came from the config file and has left it is removed. Returns the apps served.
   */
  start(configApps: readonly AppConfig[], baseDir: string): LiveApp[] {
    // One transaction for the whole start: a server with many apps writes the store once.
    this.#o.store.batch(() => { this.#startIn(configApps, baseDir); });
    void this.#reroute();
    return [...this.#live.values()];
  }

  #startIn(configApps: readonly AppConfig[], baseDir: string): void {
    const { store, log } = this.#o;
    const inConfig = new Set(configApps.map((a) => a.name));
    for (const stored of store.apps()) {
      if (stored.source === 'config' && !inConfig.has(stored.name)) { store.remove(stored.name); log.log({ type: 'deploy', event: 'removed', app: stored.name, reason: 'no longer in the config file' }); }
    }
    for (const app of configApps) {
      const spec = configSpec(app, baseDir);
      const sha256 = specHash(spec);
      const stored = store.app(app.name);
      const latest = store.latestFrom(app.name, 'config');
      if (stored === undefined || latest?.sha256 !== sha256) {
        const version = store.nextVersion(app.name);
        store.deploy(app.name, version, spec, 'config', sha256);
        this.#add(withVersion(app, version), 'config');
      } else if (stored.current === latest.version) {
        this.#add(withVersion(app, latest.version), 'config');
      }
      // Otherwise the app serves a version deployed later through the admin API (or a rollback):
      // the loop below restores it from the store.
    }
    for (const stored of store.apps()) {
      if (this.#live.has(stored.name)) continue;
      const version = store.version(stored.name, stored.current);
      if (version === undefined) continue;
      try {
        this.#add(this.#restore(version), stored.source);
      } catch (error) {
        log.log({ type: 'error', app: stored.name, code: IsletError.is(error) ? error.code : 'INTERNAL', message: `the stored version ${stored.current} cannot be served: ${(error as Error).message}` });
      }
    }
  }

  /** The app routed at a request, or undefined. */
  match(host: string | undefined, path: string): LiveApp | undefined {
    return this.#router.match(host, path);
  }

  /** Counts a request into an app version (call right after `match`, before any await). */
  enter(id: string): void {
    this.#inFlight.set(id, (this.#inFlight.get(id) ?? 0) + 1);
  }

  /** Counts a request out of an app version, by the version's id alone (the app may be gone). */
  leaveVersion(id: string, ok: boolean): void {
    const live = this.#live.get(versionApp(id));
    if (live !== undefined) this.leave(live, id, ok);
    else this.#countOut(id);
  }

  /** Counts a request out of an app version. */
  leave(live: LiveApp, id: string, ok: boolean): void {
    live.requests += 1;
    if (!ok) live.errors += 1;
    this.#countOut(id);
  }

  #countOut(id: string): void {
    const n = (this.#inFlight.get(id) ?? 1) - 1;
    if (n > 0) { this.#inFlight.set(id, n); return; }
    this.#inFlight.delete(id);
    const waiting = this.#drained.get(id);
    if (waiting !== undefined) { this.#drained.delete(id); for (const fn of waiting) fn(); }
  }

  /** Requests in flight in an app version. */
  inFlight(id: string): number { return this.#inFlight.get(id) ?? 0; }

  /**
   * Deploys a new version from an admin API body: validated (ConfigError with JSON paths),
   * loaded in an isolate (its syntax or top-level error), stored, then routed to; the old version
   * drains. `ifMatch` is the version the caller last saw (VERSION_CONFLICT when it is not current).
   */
  deploy(name: string, body: unknown, options: { ifMatch?: number; actor?: string } = {}): Promise<DeployResult> {
    return this.#queue(name, async () => {
      const problems: ConfigProblem[] = [];
      const version = this.#o.store.nextVersion(name);
      body = withPlanDefaults(body);
      const app = validateAppSpec(body, { path: '$', baseDir: '', environment: this.#o.environment, problems, name, inline: true, version, routeOwners: this.#routeOwners(name) });
      if (problems.length > 0 || app === undefined) throw new ConfigError(problems, `for app "${name}"`);
      this.#checkIfMatch(name, options.ifMatch);
      const spec: StoredSpec = { kind: 'api', app: body };
      return this.#switchTo(app, 'api', () => this.#o.store.deploy(name, version, spec, 'api', specHash(spec)), options.actor);
    });
  }

  /** Serves the version before the current one again. */
  rollback(name: string, options: { actor?: string } = {}): Promise<DeployResult> {
    return this.#queue(name, async () => {
      const live = this.#live.get(name);
      if (live === undefined || live.state === 'removing') throw new IsletError('NO_APP', `No app is named "${name}".`);
      const previous = this.#o.store.previous(name, live.config.version);
      const stored = previous === undefined ? undefined : this.#o.store.version(name, previous);
      if (stored === undefined) throw new IsletError('VERSION_CONFLICT', `App "${name}" has no version before ${live.config.version} to roll back to.`);
      const app = this.#restore(stored);
      const conflicts = this.#routeConflicts(app);
      if (conflicts.length > 0) throw new ConfigError(conflicts, `for the rollback of "${name}" to version ${stored.version}`);
      return this.#switchTo(app, stored.source, () => { this.#o.store.activate(name, stored.version); }, options.actor);
    });
  }

  /** Stops routing to an app, lets its requests finish (up to the drain timeout), then disposes it. */
  remove(name: string, options: { actor?: string; reason?: string } = {}): Promise<{ name: string; removed: true }> {
    return this.#queue(name, async () => {
      const live = this.#live.get(name);
      if (live === undefined || live.state === 'removing') throw new IsletError('NO_APP', `No app is named "${name}".`);
      this.#o.store.remove(name);
      live.state = 'removing';
      await this.#reroute();
      this.#o.log.log({ type: 'deploy', event: 'removing', app: name, version: live.config.version, inFlight: this.inFlight(live.config.id), ...(options.actor === undefined ? {} : { actor: options.actor }), ...(options.reason === undefined ? {} : { reason: options.reason }) });
      await this.#retire(live.config);
      this.#live.delete(name);
      await this.#reroute();
      this.#o.log.log({ type: 'deploy', event: 'removed', app: name, version: live.config.version });
      return { name, removed: true as const };
    });
  }

  /**
   * Applies a changed config file: apps whose definition changed become new versions (like a
   * deploy), apps that left the file and were deployed from it are removed. Problems in one app
   * are logged and leave that app as it was.
   */
  async reconcile(configApps: readonly AppConfig[], baseDir: string): Promise<{ deployed: string[]; removed: string[]; failed: string[] }> {
    const result = { deployed: [] as string[], removed: [] as string[], failed: [] as string[] };
    const names = new Set(configApps.map((a) => a.name));
    const work: Promise<void>[] = [];
    for (const live of this.#live.values()) {
      if (live.source === 'config' && !names.has(live.name) && live.state === 'serving') {
        work.push(this.remove(live.name, { actor: 'config', reason: 'no longer in the config file' }).then(() => { result.removed.push(live.name); }, () => {}));
      }
    }
    for (const app of configApps) {
      const spec = configSpec(app, baseDir);
      const sha256 = specHash(spec);
      if (this.#o.store.latestFrom(app.name, 'config')?.sha256 === sha256 && this.#live.has(app.name)) continue;
      work.push(this.#queue(app.name, async () => {
        const version = this.#o.store.nextVersion(app.name);
        const versioned = withVersion(app, version);
        const conflicts = this.#routeConflicts(versioned);
        if (conflicts.length > 0) throw new ConfigError(conflicts, `for app "${app.name}"`);
        return this.#switchTo(versioned, 'config', () => this.#o.store.deploy(app.name, version, spec, 'config', sha256), 'config');
      }).then(() => { result.deployed.push(app.name); }, (error: unknown) => {
        result.failed.push(app.name);
        this.#o.log.log({ type: 'error', app: app.name, code: IsletError.is(error) ? error.code : 'INTERNAL', message: `the config file's new definition was not applied: ${(error as Error).message}` });
      }));
    }
    await Promise.all(work);
    return result;
  }

  /** Every version still defined (served or draining), for shutdown and secret redaction. */
  versions(): AppConfig[] {
    return [...[...this.#live.values()].map((l) => l.config), ...this.#retiring.values()];
  }

  async #switchTo(app: AppConfig, source: VersionSource, commit: () => void, actor: string | undefined): Promise<DeployResult> {
    const { backend, log } = this.#o;
    this.#resetSecrets([app]);
    backend.define(app);
    try {
      await backend.load(app.id);
    } catch (error) {
      backend.remove(app.id);
      this.#resetSecrets([]);
      log.log({ type: 'deploy', event: 'refused', app: app.name, version: app.version, code: IsletError.is(error) ? error.code : 'INTERNAL', message: (error as Error).message, ...(actor === undefined ? {} : { actor }) });
      throw error;
    }
    // The store is written only after the new version loaded: a crash before this line leaves the
    // old version in the store, and a crash after it leaves the new one, whole.
    try {
      commit();
    } catch (error) {
      backend.remove(app.id);
      throw error;
    }
    // One LiveApp per app, its config swapped: requests already routed hold the old config.
    const live = this.#live.get(app.name);
    const previous = live?.config;
    if (live === undefined) this.#live.set(app.name, { name: app.name, config: app, source, state: 'serving', requests: 0, errors: 0 });
    else { live.config = app; live.source = source; }
    // Shards route by their own copy of the table: the deploy answers once they all have it, and
    // the old version drains only after no shard can route to it.
    await this.#reroute();
    log.log({ type: 'deploy', event: 'serving', app: app.name, version: app.version, previous: previous?.version ?? null, routes: app.routes.map((r) => r.pattern), ...(actor === undefined ? {} : { actor }) });
    if (previous !== undefined) void this.#retire(previous);
    return { name: app.name, version: app.version, routes: app.routes.map((r) => r.pattern), status: 'serving' };
  }

  /** Waits for a version's requests to finish (up to the drain timeout), then disposes it. */
  async #retire(config: AppConfig): Promise<void> {
    this.#retiring.set(config.id, config);
    if (this.inFlight(config.id) > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#o.drainTimeoutMs);
        timer.unref();
        const list = this.#drained.get(config.id) ?? [];
        list.push(() => { clearTimeout(timer); resolve(); });
        this.#drained.set(config.id, list);
      });
    }
    this.#retiring.delete(config.id);
    this.#o.backend.remove(config.id);
    this.#resetSecrets([]);
  }

  #queue<T>(name: string, task: () => Promise<T>): Promise<T> {
    const tail = this.#queues.get(name) ?? Promise.resolve();
    const run = tail.then(task, task);
    const settled = run.then(() => {}, () => {});
    this.#queues.set(name, settled);
    void settled.then(() => { if (this.#queues.get(name) === settled) this.#queues.delete(name); });
    return run;
  }

  #checkIfMatch(name: string, ifMatch: number | undefined): void {
    if (ifMatch === undefined) return;
    const current = this.#live.get(name)?.config.version;
    if (current !== ifMatch) {
      throw new IsletError('VERSION_CONFLICT', current === undefined
        ? `If-Match names version ${ifMatch} of "${name}", but the app does not exist; deploy without If-Match to create it.`
        : `If-Match names version ${ifMatch} of "${name}", but it serves version ${current} now; fetch the app, check what changed and deploy again.`);
    }
  }

  /** Routes of the other apps, so a deploy cannot take one (key to a description of its owner). */
  #routeOwners(except: string): Map<string, string> {
    const owners = new Map<string, string>();
    for (const live of this.#live.values()) {
      if (live.name === except) continue;
      for (const route of live.config.routes) owners.set(routeKey(route), `app "${live.name}"`);
    }
    return owners;
  }

  #routeConflicts(app: AppConfig): ConfigProblem[] {
    const owners = this.#routeOwners(app.name);
    const problems: ConfigProblem[] = [];
    app.routes.forEach((route, i) => {
      const owner = owners.get(routeKey(route));
      if (owner !== undefined) problems.push({ path: `$.routes[${i}]`, message: `"${route.pattern}" is already routed to ${owner}` });
    });
    return problems;
  }

  /** Rebuilds an app version from the store. */
  #restore(stored: StoredVersion): AppConfig {
    const spec = stored.spec as StoredSpec;
    const appSpec = spec.kind === 'api' ? withPlanDefaults(spec.app) : spec.app;
    const problems: ConfigProblem[] = [];
    const app = validateAppSpec(appSpec, {
      path: '$', baseDir: spec.kind === 'config' ? spec.baseDir : '', environment: this.#o.environment, problems,
      name: stored.app, inline: spec.kind === 'api', version: stored.version,
    });
    if (problems.length > 0 || app === undefined) throw new ConfigError(problems, `for version ${stored.version} of "${stored.app}"`);
    return app;
  }

  #add(app: AppConfig, source: VersionSource): void {
    this.#live.set(app.name, { name: app.name, config: app, source, state: 'serving', requests: 0, errors: 0 });
    this.#o.backend.define(app);
    this.#resetSecrets([]);
  }

  /** Swaps in a routing table built from the apps served now (one assignment: atomic for requests). */
  #reroute(): Promise<void> {
    const router = new Router<LiveApp>();
    for (const live of this.#live.values()) for (const route of live.config.routes) router.add(route, live);
    const catchAll = this.#o.catchAll === undefined ? undefined : this.#live.get(this.#o.catchAll);
    if (catchAll !== undefined) router.setCatchAll(catchAll);
    this.#router = router;
    return Promise.resolve(this.#o.onRoutes?.([...this.#live.values()], catchAll));
  }

  #resetSecrets(extra: readonly AppConfig[]): void {
    this.#o.log.setSecrets([...this.versions(), ...extra].flatMap((a) => a.secretValues));
  }
}

/**
 * A deploy body that carries a build plan: the plan and its artifacts are verified first
 * (PlanError, PLAN_INVALID, before any isolate exists); the plan's entry, routes and limits fill
 * in what the body leaves out. Other bodies pass through.
 */
function withPlanDefaults(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('plan' in body)) return body;
  const b = body as Record<string, unknown>;
  const modules = typeof b['modules'] === 'object' && b['modules'] !== null ? b['modules'] as Record<string, string> : {};
  const plan = verifyPlan(b['plan'], modules);
  return { entry: plan.entry, routes: plan.routes, limits: plan.limits, ...(plan.capabilities.fetch === undefined ? {} : { fetch: plan.capabilities.fetch }), bindings: plan.capabilities.bindings, ...b };
}

/** The app name in a version id (`name@version`). */
export function versionApp(id: string): string {
  return id.slice(0, id.lastIndexOf('@'));
}

/** The app with a version number (and the id that goes with it). */
function withVersion(app: AppConfig, version: number): AppConfig {
  return { ...app, version, id: `${app.name}@${version}` };
}

function configSpec(app: AppConfig, baseDir: string): StoredSpec {
  let entrySha256 = '';
  try { entrySha256 = createHash('sha256').update(readFileSync(app.entry)).digest('hex'); } catch { /* validated to exist; a race leaves it empty */ }
  return { kind: 'config', baseDir, app: app.spec, entrySha256 };
}

/** sha256 of a spec's canonical JSON (keys sorted), so equal specs hash alike. */
export function specHash(spec: unknown): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
