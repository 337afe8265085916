/** The Sandbox's options and their validation: every bad value throws INVALID_OPTIONS naming it. */
import { invalidOption } from '../errors.ts';
import { containsSharedMemory } from '../engine/shared-memory.ts';
import { DEFAULT_LIMITS, MAX_LIMITS, MIN_LIMITS, type Limits } from './limits.ts';
import { resolveFetchOptions, type EgressPolicy, type FetchOptions } from '../bridge/egress/policy.ts';

/** A host service: a function, or a namespace of them (nested at most three deep). */
export type ServiceFunction = (...args: never[]) => unknown;
/** The `services` option: names the guest sees under `host`. */
export interface Services { [name: string]: ServiceFunction | Services }

/** Where a sandbox's isolates live. */
export type Isolation = 'isolate' | 'process';

/** Options for `new Sandbox(options)`. */
export interface SandboxOptions {
  /** Run limits; each defaults to DEFAULT_LIMITS. */
  limits?: Partial<Limits>;
  /** Host services the guest may call as `host.<name>(...)`. */
  services?: Services;
  /** A record the guest sees as a frozen, null-prototype `env` (values are structured-cloned). */
  env?: Readonly<Record<string, unknown>>;
  /** Keep one global scope across runs (REPL use) instead of a fresh one per run. */
  persistent?: boolean;
  /** "isolate" (default): isolates in this process. "process": in a supervised worker process. */
  isolation?: Isolation;
  /** Network access for the guest's fetch(); without it every fetch is denied. */
  fetch?: FetchOptions;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  limits: Limits;
  services: ReadonlyMap<string, { fn: ServiceFunction; self: object }>;
  env: Readonly<Record<string, unknown>>;
  persistent: boolean;
  isolation: Isolation;
  fetch: EgressPolicy | undefined;
}

const OPTION_KEYS = new Set(['limits', 'services', 'env', 'persistent', 'isolation', 'fetch']);
const NAME = /^[A-Za-z_$][\w$]{0,63}$/;
const RESERVED_TOP = new Set(['on', 'off', 'emit']);
const RESERVED_ANY = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_SERVICE_DEPTH = 3;

/** Validates options and applies defaults. */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (input === undefined) input = {};
  if (!isPlainObject(input)) throw invalidOption('options', 'expected an object');
  for (const key of Object.keys(input)) {
    if (!OPTION_KEYS.has(key)) throw invalidOption(key, `unknown option; known options are ${[...OPTION_KEYS].join(', ')}`);
  }
  const o = input as SandboxOptions;
  return {
    limits: resolveLimits(o.limits),
    services: resolveServices(o.services),
    env: resolveEnv(o.env),
    persistent: resolveBoolean('persistent', o.persistent, false),
    isolation: resolveIsolation(o.isolation),
    fetch: resolveFetchOptions(o.fetch),
  };
}

/** Validates a partial limits record against the bounds. */
export function resolveLimits(input: unknown): Limits {
  if (input === undefined) return { ...DEFAULT_LIMITS };
  if (!isPlainObject(input)) throw invalidOption('limits', 'expected an object');
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, key)) {
      throw invalidOption(`limits.${key}`, `unknown limit; known limits are ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    }
    const name = key as keyof Limits;
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalidOption(`limits.${name}`, `expected a finite number, got ${describe(value)}`);
    }
    if (value < MIN_LIMITS[name] || value > MAX_LIMITS[name]) {
      throw invalidOption(`limits.${name}`, `${value} is out of range; use ${MIN_LIMITS[name]} to ${MAX_LIMITS[name]}`);
    }
    if ((name === 'stdoutBytes' || name === 'stderrBytes' || name === 'memoryMb') && !Number.isInteger(value)) {
      throw invalidOption(`limits.${name}`, `expected a whole number, got ${value}`);
    }
    limits[name] = value;
  }
  return limits;
}

function resolveServices(input: unknown): ResolvedOptions['services'] {
  const out = new Map<string, { fn: ServiceFunction; self: object }>();
  if (input === undefined) return out;
  const walk = (node: unknown, prefix: string, depth: number): void => {
    if (!isPlainObject(node) && !(typeof node === 'object' && node !== null)) {
      throw invalidOption(prefix === '' ? 'services' : `services.${prefix}`, 'expected an object of functions');
    }
    for (const [key, value] of Object.entries(node)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (!NAME.test(key) || RESERVED_ANY.has(key) || (prefix === '' && RESERVED_TOP.has(key))) {
        throw invalidOption(`services.${path}`, `"${key}" is not a valid service name (use letters, digits, _ and $; "on", "off" and "emit" are reserved)`);
      }
      if (typeof value === 'function') out.set(path, { fn: value as ServiceFunction, self: node });
      else if (typeof value === 'object' && value !== null && depth < MAX_SERVICE_DEPTH) walk(value, path, depth + 1);
      else throw invalidOption(`services.${path}`, `expected a function or a namespace of functions (at most ${MAX_SERVICE_DEPTH} deep), got ${describe(value)}`);
    }
  };
  walk(input, '', 1);
  return out;
}

function resolveEnv(input: unknown): Readonly<Record<string, unknown>> {
  if (input === undefined) return Object.freeze(Object.create(null) as Record<string, unknown>);
  if (!isPlainObject(input)) throw invalidOption('env', 'expected a plain object');
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    try {
      if (containsSharedMemory(value)) throw new Error('shared memory');
      out[key] = structuredClone(value);
    } catch {
      throw invalidOption(`env.${key}`, 'the value cannot be structured-cloned into a sandbox (functions, symbols, shared memory and class instances with private state cannot cross)');
    }
  }
  return Object.freeze(out);
}

function resolveBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(name, `expected true or false, got ${describe(value)}`);
  return value;
}

function resolveIsolation(value: unknown): Isolation {
  if (value === undefined) return 'isolate';
  if (value !== 'isolate' && value !== 'process') throw invalidOption('isolation', `expected "isolate" or "process", got ${describe(value)}`);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
