/**
 * The `islet serve` configuration: parsed and validated before anything starts. Every problem is
 * collected with its JSON path ("$.apps[0].routes[1]") so one run of the validator reports them all.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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

/** A validated server configuration. */
export interface ServerConfig {
  listen: { host: string; port: number };
  server: ServerSettings;
  apps: AppConfig[];
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
  unknownKeys(input, '$', ['listen', 'server', 'apps']);

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

  const apps: AppConfig[] = [];
  const rawApps = input['apps'];
  if (!Array.isArray(rawApps) || rawApps.length === 0) {
    bad('$.apps', 'expected a non-empty array of apps');
  } else {
    const names = new Map<string, string>();
    const routeOwners = new Map<string, string>();
    rawApps.forEach((raw: unknown, i: number) => {
      const path = `$.apps[${i}]`;
      if (!isRecord(raw)) { bad(path, 'expected an object with "name", "entry" and "routes"'); return; }
      unknownKeys(raw, path, ['name', 'entry', 'routes', 'env', 'secrets', 'limits', 'fetch']);
      const name = raw['name'];
      if (typeof name !== 'string' || !NAME.test(name)) bad(`${path}.name`, 'expected 1-63 lowercase letters, digits or "-", starting with a letter or digit');
      else if (names.has(name)) bad(`${path}.name`, `"${name}" is already the name of ${names.get(name) ?? 'another app'}`);
      else names.set(name, path);

      let entry = '';
      if (typeof raw['entry'] !== 'string' || raw['entry'] === '') bad(`${path}.entry`, 'expected the path of the app\'s entry module');
      else {
        entry = resolve(options.baseDir, raw['entry']);
        if (!existsSync(entry) || !statSync(entry).isFile()) bad(`${path}.entry`, `no such file: ${raw['entry']} (relative paths are resolved from the config file's folder)`);
      }

      const routes: Route[] = [];
      if (!Array.isArray(raw['routes']) || raw['routes'].length === 0) bad(`${path}.routes`, 'expected a non-empty array like ["app.example.com", "example.com/api"]');
      else raw['routes'].forEach((r: unknown, j: number) => {
        if (typeof r !== 'string') { bad(`${path}.routes[${j}]`, 'expected a string'); return; }
        const parsed = parseRoute(r);
        if (typeof parsed === 'string') { bad(`${path}.routes[${j}]`, parsed); return; }
        const key = `${parsed.wildcard ? '*.' : ''}${parsed.host}${parsed.prefix}`;
        const owner = routeOwners.get(key);
        if (owner !== undefined) bad(`${path}.routes[${j}]`, `"${r}" is already routed to ${owner}`);
        else routeOwners.set(key, `${typeof name === 'string' ? `app "${name}" ` : ''}(${path})`);
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
        if (!isRecord(raw['secrets'])) bad(`${path}.secrets`, 'expected an object like { "API_KEY": { "fromEnv": "MY_API_KEY" } }');
        else for (const [key, spec] of Object.entries(raw['secrets'])) {
          const sp = `${path}.secrets.${key}`;
          if (!ENV_KEY.test(key)) { bad(sp, 'secret names are letters, digits and "_", not starting with a digit'); continue; }
          if (key in env) { bad(sp, `"${key}" is also in env; a name can be one or the other`); continue; }
          if (!isRecord(spec) || typeof spec['fromEnv'] !== 'string' || Object.keys(spec).length !== 1) { bad(sp, 'expected { "fromEnv": "ENV_VAR_NAME" }'); continue; }
          const value = options.environment[spec['fromEnv']];
          if (value === undefined) { bad(`${sp}.fromEnv`, `the environment variable ${spec['fromEnv']} is not set`); continue; }
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
      apps.push({ name: typeof name === 'string' ? name : '', entry, routes, env, secretValues, limits, fetch });
    });
  }
  if (problems.length > 0) throw new ConfigError(problems, options.source);
  return { listen, server, apps };
}

/** The folder relative entries in a config file are resolved from. */
export function configBaseDir(configPath: string): string {
  return dirname(resolve(configPath));
}
