/**
 * The `islet serve` configuration: parsed and validated before anything starts. Every problem is
 * collected with its JSON path ("$.apps[0].routes[1]") so one run of the validator reports them all.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, posix, resolve } from 'node:path';
import { loadPlanSync, PlanError } from '../build/plan.ts';
import { availableParallelism, totalmem } from 'node:os';
import { IsletError } from '../errors.ts';
import { resolveFetchOptions, type EgressPolicy } from '../bridge/egress/policy.ts';
import { parseRoute, type Route } from './router.ts';

/** Per-app limits. */
export interface AppLimits {
  memoryMb: number;
  cpuMs: number;
  wallMs: number;
  requestBodyBytes: number;
  subrequests: number;
}

/** The default app limits, documented in docs/config.md. */
export const APP_LIMIT_DEFAULTS: Readonly<AppLimits> = Object.freeze({
  memoryMb: 128, cpuMs: 50, wallMs: 30_000, requestBodyBytes: 1_048_576, subrequests: 50,
});

const LIMIT_RANGES: Readonly<Record<keyof AppLimits, readonly [number, number]>> = {
  memoryMb: [8, 16_384], cpuMs: [1, 600_000], wallMs: [1, 86_400_000], requestBodyBytes: [0, 2 ** 40], subrequests: [0, 100_000],
};

/** One validated app. */
export interface AppConfig {
  name: string;
  /** Absolute path of the entry module. */
  entry: string;
  routes: Route[];
  /** env plus resolved secrets, as the guest sees it. */
  env: Record<string, unknown>;
  /** The secret values, so logs can redact them. */
  secretValues: string[];
  limits: AppLimits;
  fetch: EgressPolicy | undefined;
  /** The version this definition is (1, 2, ...; numbered by the app store). */
  version: number;
  /** `name@version`: the key of this version in the isolate pools. */
  id: string;
  /** Inline module sources (apps deployed through the admin API); `entry` is then one of the keys. */
  modules?: Record<string, string>;
  /** KV namespaces by env name. */
  bindings: Record<string, { kv: string }>;
  /** The app as written (secrets as references or values): what the app store keeps. */
  spec: unknown;
}

/** How the server runs its isolates. */
export interface ServerSettings {
  /** Shard processes holding the isolates; 0 runs them in the server process itself. */
  shards: number;
  /** Memory all loaded isolates may hold together before idle apps are evicted (LRU), in MiB. */
  memoryBudgetMb: number;
  /** A shard whose RSS passes this is recycled after draining, in MiB (default: twice its share of the budget, plus 512). */
  shardRssMb?: number;
  /** Load every app at start, so a broken one stops the server (default); false loads each on its first request. */
  preload: boolean;
}

/** The server defaults: one shard per core, a quarter of the machine's memory for isolates. */
export function serverDefaults(): ServerSettings {
  const shards = Math.max(1, Math.min(64, availableParallelism()));
  const memoryBudgetMb = Math.max(256, Math.floor(totalmem() / 1024 / 1024 / 4));
  return { shards, memoryBudgetMb, preload: true };
}

/** The RSS past which a shard is recycled: the configured one, or twice its share of the memory budget plus 512 MiB. */
export function shardRssBudgetMb(server: ServerSettings): number {
  return server.shardRssMb ?? Math.ceil(server.memoryBudgetMb / Math.max(1, server.shards)) * 2 + 512;
}

const SERVER_RANGES: Readonly<Record<'shards' | 'memoryBudgetMb' | 'shardRssMb', readonly [number, number]>> = {
  shards: [0, 64], memoryBudgetMb: [16, 1_048_576], shardRssMb: [128, 1_048_576],
};

/** The admin API's listener. */
export interface AdminSettings {
  host: string;
  port: number;
  /** The environment variable holding the bearer token (default ISLET_ADMIN_TOKEN). */
  tokenEnv: string;
}

/** A validated server configuration. */
export interface ServerConfig {
  listen: { host: string; port: number };
  server: ServerSettings;
  apps: AppConfig[];
  /** The admin API, when configured (config "admin" block or --admin-port). */
  admin?: AdminSettings;
  /** Where deployed apps, versions and KV data are kept (absolute); undefined keeps them in memory. */
  dataDir?: string;
  /** The folder the config file's relative paths were resolved from. */
  baseDir: string;
}

/** One problem in a configuration. */
export interface ConfigProblem { path: string; message: string }

/** Thrown when a configuration is invalid; `problems` lists every one. */
export class ConfigError extends IsletError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], source: string) {
    super('INVALID_CONFIG', `The configuration ${source} is invalid:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a parsed JSON configuration. `baseDir` resolves relative entries; `environment`
 * supplies secrets named by `fromEnv`. Throws ConfigError listing every problem.
 */
export function validateConfig(input: unknown, options: { baseDir: string; environment: Record<string, string | undefined>; source: string }): ServerConfig {
  const problems: ConfigProblem[] = [];
  const bad = (path: string, message: string): void => { problems.push({ path, message }); };
  const unknownKeys = (value: Record<string, unknown>, path: string, known: readonly string[]): void => {
    for (const key of Object.keys(value)) if (!known.includes(key)) bad(`${path}.${key}`, `unknown key; known keys are ${known.join(', ')}`);
  };

  if (!isRecord(input)) throw new ConfigError([{ path: '$', message: 'expected a JSON object with "apps"' }], options.source);
  unknownKeys(input, '$', ['listen', 'server', 'apps', 'admin', 'dataDir']);

  const listen = { host: '127.0.0.1', port: 8080 };
  if (input['listen'] !== undefined) {
    const l = input['listen'];
    if (!isRecord(l)) bad('$.listen', 'expected an object like { "host": "127.0.0.1", "port": 8080 }');
    else {
      unknownKeys(l, '$.listen', ['host', 'port']);
      if (l['host'] !== undefined) {
        if (typeof l['host'] !== 'string' || l['host'].trim() === '') bad('$.listen.host', 'expected a host name or IP address');
        else listen.host = l['host'];
      }
      if (l['port'] !== undefined) {
        if (typeof l['port'] !== 'number' || !Number.isInteger(l['port']) || l['port'] < 0 || l['port'] > 65535) bad('$.listen.port', `expected a port from 0 to 65535, got ${JSON.stringify(l['port'])}`);
        else listen.port = l['port'];
      }
    }
  }

  const server = serverDefaults();
  if (input['server'] !== undefined) {
    const raw = input['server'];
    if (!isRecord(raw)) bad('$.server', 'expected an object like { "shards": 2, "memoryBudgetMb": 1024 }');
    else {
      for (const [key, value] of Object.entries(raw)) {
        if (key === 'preload') {
          if (typeof value !== 'boolean') bad('$.server.preload', `expected true or false, got ${JSON.stringify(value)}`);
          else server.preload = value;
          continue;
        }
        if (!(key in SERVER_RANGES)) { bad(`$.server.${key}`, `unknown key; known keys are ${[...Object.keys(SERVER_RANGES), 'preload'].join(', ')}`); continue; }
        const [min, max] = SERVER_RANGES[key as keyof typeof SERVER_RANGES];
        if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) bad(`$.server.${key}`, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
        else server[key as keyof typeof SERVER_RANGES] = value;
      }
    }
  }

  let admin: AdminSettings | undefined;
  if (input['admin'] !== undefined) {
    const a = input['admin'];
    if (!isRecord(a)) bad('$.admin', 'expected an object like { "host": "127.0.0.1", "port": 8081, "token": { "fromEnv": "ISLET_ADMIN_TOKEN" } }');
    else {
      unknownKeys(a, '$.admin', ['host', 'port', 'token']);
      admin = { host: '127.0.0.1', port: 8081, tokenEnv: 'ISLET_ADMIN_TOKEN' };
      if (a['host'] !== undefined) {
        if (typeof a['host'] !== 'string' || a['host'].trim() === '') bad('$.admin.host', 'expected a host name or IP address (loopback, like 127.0.0.1, unless the admin API must be reachable from elsewhere)');
        else admin.host = a['host'];
      }
      if (a['port'] !== undefined) {
        if (typeof a['port'] !== 'number' || !Number.isInteger(a['port']) || a['port'] < 0 || a['port'] > 65535) bad('$.admin.port', `expected a port from 0 to 65535, got ${JSON.stringify(a['port'])}`);
        else admin.port = a['port'];
      }
      if (a['token'] !== undefined) {
        const t = a['token'];
        if (!isRecord(t) || Object.keys(t).length !== 1 || typeof t['fromEnv'] !== 'string' || !ENV_KEY.test(t['fromEnv'])) bad('$.admin.token', 'expected { "fromEnv": "ENV_VAR_NAME" } (the token itself never goes in the file)');
        else admin.tokenEnv = t['fromEnv'];
      }
    }
  }

  let dataDir: string | undefined;
  if (input['dataDir'] !== undefined) {
    if (typeof input['dataDir'] !== 'string' || input['dataDir'].trim() === '') bad('$.dataDir', 'expected a folder path (relative paths are resolved from the config file\'s folder)');
    else dataDir = resolve(options.baseDir, input['dataDir']);
  }

  const apps: AppConfig[] = [];
  const rawApps = input['apps'] ?? (admin !== undefined ? [] : undefined);
  if (!Array.isArray(rawApps) || (rawApps.length === 0 && admin === undefined)) {
    bad('$.apps', 'expected a non-empty array of apps (or an "admin" block, to deploy apps through the admin API)');
  } else {
    const names = new Map<string, string>();
    const routeOwners = new Map<string, string>();
    rawApps.forEach((raw: unknown, i: number) => {
      const path = `$.apps[${i}]`;
      const app = validateAppSpec(raw, { path, baseDir: options.baseDir, environment: options.environment, problems, routeOwners });
      if (app === undefined) return;
      if (app.name !== '' && names.has(app.name)) bad(`${path}.name`, `"${app.name}" is already the name of ${names.get(app.name) ?? 'another app'}`);
      else names.set(app.name, path);
      apps.push(app);
    });
  }
  if (problems.length > 0) throw new ConfigError(problems, options.source);
  return { listen, server, apps, baseDir: options.baseDir, ...(admin === undefined ? {} : { admin }), ...(dataDir === undefined ? {} : { dataDir }) };
}

/** The folder relative entries in a config file are resolved from. */
export function configBaseDir(configPath: string): string {
  return dirname(resolve(configPath));
}

/** Where a spec is validated: its JSON path, how to find files and secrets, and where problems go. */
export interface SpecContext {
  /** The JSON path of the app ("$.apps[0]", or "$" for a deploy body). */
  path: string;
  /** Resolves relative entries of apps read from disk; unused when the spec carries "modules". */
  baseDir: string;
  environment: Record<string, string | undefined>;
  problems: ConfigProblem[];
  /** Routes taken so far ("host/prefix" to a description of the owner), to refuse duplicates. */
  routeOwners?: Map<string, string>;
  /** The app name when it comes from elsewhere (the admin API's URL); the spec may omit it. */
  name?: string;
  /** Accept "modules" (inline sources) and secrets given as { "value": ... } (the admin API). */
  inline?: boolean;
  /** The version this spec becomes (default 1). */
  version?: number;
}

const APP_KEYS = ['name', 'entry', 'routes', 'env', 'secrets', 'limits', 'fetch', 'bindings'];
const INLINE_KEYS = [...APP_KEYS, 'modules', 'plan'];
const NAMESPACE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The key a route takes in the routing table (two apps may not share one). */
export function routeKey(route: Route): string {
  return `${route.wildcard ? '*.' : ''}${route.host}${route.prefix}`;
}

/**
 * Validates one app: an entry of the config file's "apps", or the body of an admin API deploy
 * (with `inline`: sources in "modules", secrets by value). Problems go to `ctx.problems` with their
 * JSON paths; returns the app (possibly incomplete when there were problems).
 */
export function validateAppSpec(raw: unknown, ctx: SpecContext): AppConfig | undefined {
  const { path } = ctx;
  const bad = (p: string, message: string): void => { ctx.problems.push({ path: p, message }); };
  if (!isRecord(raw)) { bad(path, 'expected an object with "name", "entry" and "routes"'); return undefined; }
  const known = ctx.inline === true ? INLINE_KEYS : APP_KEYS;
  for (const key of Object.keys(raw)) if (!known.includes(key)) bad(`${path}.${key}`, `unknown key; known keys are ${known.join(', ')}`);

  const rawName = ctx.name ?? raw['name'];
  let name = rawName;
  if (ctx.name !== undefined && raw['name'] !== undefined && raw['name'] !== ctx.name) bad(`${path}.name`, `the body names "${String(raw['name'])}" but the URL names "${ctx.name}"; leave "name" out or make them match`);
  if (typeof name !== 'string' || !NAME.test(name)) { bad(ctx.name !== undefined ? `${path}(name)` : `${path}.name`, 'expected 1-63 lowercase letters, digits or "-", starting with a letter or digit'); name = ''; }

  let entry = '';
  let modules: Record<string, string> | undefined;
  if (ctx.inline === true) {
    const rawModules = raw['modules'];
    if (!isRecord(rawModules) || Object.keys(rawModules).length === 0) bad(`${path}.modules`, 'expected an object of module paths to source text, like { "index.js": "export default { fetch() { ... } }" }');
    else {
      modules = {};
      let total = 0;
      for (const [file, source] of Object.entries(rawModules)) {
        if (typeof source !== 'string') { bad(`${path}.modules.${file}`, 'expected the module\'s source text (a string)'); continue; }
        const normal = posix.normalize(file.replaceAll('\\', '/')).replace(/^\/+/, '');
        if (normal === '' || normal === '.' || normal === '..' || normal.startsWith('../') || normal !== file) { bad(`${path}.modules.${file}`, 'module paths are relative and normalised, like "index.js" or "lib/util.ts"'); continue; }
        total += Buffer.byteLength(source);
        modules[file] = source;
      }
      if (total > MAX_INLINE_BYTES) bad(`${path}.modules`, `the modules hold ${total} bytes; an app may hold at most ${MAX_INLINE_BYTES}`);
    }
    if (typeof raw['entry'] !== 'string' || raw['entry'] === '') bad(`${path}.entry`, 'expected the path of the entry module, one of the keys of "modules"');
    else if (modules !== undefined && !Object.hasOwn(modules, raw['entry'])) bad(`${path}.entry`, `"${raw['entry']}" is not one of the modules (${Object.keys(modules).slice(0, 5).join(', ')})`);
    else entry = raw['entry'];
  } else if (typeof raw['entry'] !== 'string' || raw['entry'] === '') bad(`${path}.entry`, 'expected the path of the app\'s entry module, or of a build plan (app.plan.json)');
  else {
    entry = resolve(ctx.baseDir, raw['entry']);
    if (!existsSync(entry) || !statSync(entry).isFile()) bad(`${path}.entry`, `no such file: ${raw['entry']} (relative paths are resolved from the config file's folder)`);
    else if (entry.endsWith('.plan.json')) {
      // A build plan: verified (shape and every artifact's sha256) before any isolate exists.
      try {
        const loaded = loadPlanSync(entry);
        modules = loaded.modules;
        entry = loaded.plan.entry;
      } catch (error) {
        if (error instanceof PlanError) for (const p of error.problems) bad(`${path}.entry(${raw['entry']})${p.path.slice(1)}`, p.message);
        else bad(`${path}.entry`, (error as Error).message);
      }
    }
  }

  const routes: Route[] = [];
  if (!Array.isArray(raw['routes']) || raw['routes'].length === 0) bad(`${path}.routes`, 'expected a non-empty array like ["app.example.com", "example.com/api"]');
  else raw['routes'].forEach((r: unknown, j: number) => {
    if (typeof r !== 'string') { bad(`${path}.routes[${j}]`, 'expected a string'); return; }
    const parsed = parseRoute(r);
    if (typeof parsed === 'string') { bad(`${path}.routes[${j}]`, parsed); return; }
    const key = routeKey(parsed);
    const owner = ctx.routeOwners?.get(key);
    if (owner !== undefined) bad(`${path}.routes[${j}]`, `"${r}" is already routed to ${owner}`);
    else ctx.routeOwners?.set(key, `${typeof rawName === 'string' ? `app "${rawName}" ` : ''}(${path})`);
    routes.push(parsed);
  });

  const env: Record<string, unknown> = {};
  if (raw['env'] !== undefined) {
    if (!isRecord(raw['env'])) bad(`${path}.env`, 'expected an object of names to JSON values');
    else for (const [key, value] of Object.entries(raw['env'])) {
      if (!ENV_KEY.test(key)) bad(`${path}.env.${key}`, 'env names are letters, digits and "_", not starting with a digit');
      else env[key] = value;
    }
  }
  const secretValues: string[] = [];
  if (raw['secrets'] !== undefined) {
    const shape = ctx.inline === true ? '{ "value": "..." } or { "fromEnv": "ENV_VAR_NAME" }' : '{ "fromEnv": "ENV_VAR_NAME" }';
    if (!isRecord(raw['secrets'])) bad(`${path}.secrets`, `expected an object like { "API_KEY": ${shape} }`);
    else for (const [key, spec] of Object.entries(raw['secrets'])) {
      const sp = `${path}.secrets.${key}`;
      if (!ENV_KEY.test(key)) { bad(sp, 'secret names are letters, digits and "_", not starting with a digit'); continue; }
      if (key in env) { bad(sp, `"${key}" is also in env; a name can be one or the other`); continue; }
      let value: string | undefined;
      if (isRecord(spec) && Object.keys(spec).length === 1 && typeof spec['fromEnv'] === 'string') {
        value = ctx.environment[spec['fromEnv']];
        if (value === undefined) { bad(`${sp}.fromEnv`, `the environment variable ${spec['fromEnv']} is not set`); continue; }
      } else if (ctx.inline === true && isRecord(spec) && Object.keys(spec).length === 1 && typeof spec['value'] === 'string') {
        value = spec['value'];
      } else { bad(sp, `expected ${shape}`); continue; }
      env[key] = value;
      if (value !== '') secretValues.push(value);
    }
  }

  const limits: AppLimits = { ...APP_LIMIT_DEFAULTS };
  if (raw['limits'] !== undefined) {
    if (!isRecord(raw['limits'])) bad(`${path}.limits`, 'expected an object');
    else for (const [key, value] of Object.entries(raw['limits'])) {
      if (!(key in LIMIT_RANGES)) { bad(`${path}.limits.${key}`, `unknown limit; known limits are ${Object.keys(LIMIT_RANGES).join(', ')}`); continue; }
      const [min, max] = LIMIT_RANGES[key as keyof AppLimits];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) bad(`${path}.limits.${key}`, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
      else limits[key as keyof AppLimits] = value;
    }
  }

  let fetch: EgressPolicy | undefined;
  if (raw['fetch'] !== undefined) {
    try {
      fetch = resolveFetchOptions({ maxSubrequests: limits.subrequests, ...(isRecord(raw['fetch']) ? raw['fetch'] : {}) }, `${path}.fetch`);
      if (!isRecord(raw['fetch'])) bad(`${path}.fetch`, 'expected an object like { "allow": ["api.example.com"] }');
    } catch (error) {
      const e = error as IsletError;
      bad(e.option ?? `${path}.fetch`, e.message.replace(/^Invalid option "[^"]*": /, ''));
    }
  }

  const bindings: Record<string, { kv: string }> = {};
  if (raw['bindings'] !== undefined) {
    if (!isRecord(raw['bindings'])) bad(`${path}.bindings`, 'expected an object like { "CACHE": { "kv": "cache" } }');
    else for (const [key, spec] of Object.entries(raw['bindings'])) {
      const bp = `${path}.bindings.${key}`;
      if (!ENV_KEY.test(key)) { bad(bp, 'binding names are letters, digits and "_", not starting with a digit'); continue; }
      if (key in env) { bad(bp, `"${key}" is also in env or secrets; a name can be only one of them`); continue; }
      if (!isRecord(spec) || Object.keys(spec).length !== 1 || typeof spec['kv'] !== 'string') { bad(bp, 'expected { "kv": "namespace" } (a KV namespace private to this app)'); continue; }
      if (!NAMESPACE.test(spec['kv'])) { bad(`${bp}.kv`, 'namespace names are 1-63 lowercase letters, digits, "_" or "-"'); continue; }
      bindings[key] = { kv: spec['kv'] };
    }
  }

  const version = ctx.version ?? 1;
  const appName = typeof name === 'string' ? name : '';
  return {
    name: appName, version, id: `${appName}@${version}`, entry, ...(modules === undefined ? {} : { modules }),
    routes, env, secretValues, limits, fetch, bindings, spec: raw,
  };
}

/** The most source text an app deployed through the admin API may carry. */
export const MAX_INLINE_BYTES = 64 * 1024 * 1024;
