/**
 * One app's block of an `islet serve` configuration file, read for `islet build` and
 * `islet deploy --config FILE --app NAME`. Only the shape needed here is checked; the server
 * validates the rest when the app is deployed.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { IsletError } from '../errors.ts';

/** An app's definition from a configuration file, as written (secrets as references, never read here). */
export interface AppDefinition {
  name: string;
  /** The entry module, resolved from the config file's folder. */
  entry?: string;
  routes?: string[];
  limits?: Record<string, number>;
  /** The "fetch" block as written (allow, allowCidrs, ...). */
  fetch?: Record<string, unknown>;
  bindings?: Record<string, { kv: string }>;
  env?: Record<string, unknown>;
  /** Secret references as written: { "NAME": { "fromEnv": "VAR" } }. */
  secrets?: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads the app named `name` from the configuration file `file`; throws INVALID_CONFIG naming what is wrong. */
export async function readAppDefinition(file: string, name: string): Promise<AppDefinition> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new IsletError('INVALID_CONFIG', `Cannot read the configuration "${file}" as JSON: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  const apps = isRecord(raw) ? raw['apps'] : undefined;
  if (!Array.isArray(apps)) throw new IsletError('INVALID_CONFIG', `The configuration "${file}" has no "apps" array.`);
  const index = apps.findIndex((a: unknown) => isRecord(a) && a['name'] === name);
  const app: unknown = apps[index];
  if (!isRecord(app)) {
    const names = apps.map((a: unknown) => (isRecord(a) ? String(a['name']) : '?'));
    throw new IsletError('INVALID_CONFIG', `The configuration "${file}" has no app named "${name}"${names.length > 0 ? ` (its apps: ${names.join(', ')})` : ''}.`);
  }
  const path = `$.apps[${index}]`;
  const fail = (field: string, what: string): never => { throw new IsletError('INVALID_CONFIG', `The configuration "${file}" is invalid: ${path}.${field}: expected ${what}.`); };
  const def: AppDefinition = { name };
  if (app['entry'] !== undefined) {
    if (typeof app['entry'] !== 'string' || app['entry'] === '') fail('entry', 'the path of the entry module');
    else def.entry = resolve(dirname(resolve(file)), app['entry']);
  }
  if (app['routes'] !== undefined) {
    if (!Array.isArray(app['routes']) || !app['routes'].every((r: unknown) => typeof r === 'string')) fail('routes', 'an array of route strings');
    else def.routes = [...(app['routes'] as string[])];
  }
  if (app['limits'] !== undefined) {
    if (!isRecord(app['limits']) || !Object.values(app['limits']).every((v) => typeof v === 'number')) fail('limits', 'an object of limit names to numbers');
    else def.limits = { ...(app['limits'] as Record<string, number>) };
  }
  if (app['fetch'] !== undefined) {
    if (!isRecord(app['fetch'])) fail('fetch', 'an object like { "allow": ["api.example.com"] }');
    else def.fetch = { ...app['fetch'] };
  }
  if (app['bindings'] !== undefined) {
    if (!isRecord(app['bindings']) || !Object.values(app['bindings']).every((b) => isRecord(b) && typeof b['kv'] === 'string')) fail('bindings', 'an object like { "CACHE": { "kv": "cache" } }');
    else def.bindings = structuredClone(app['bindings'] as Record<string, { kv: string }>);
  }
  if (app['env'] !== undefined) {
    if (!isRecord(app['env'])) fail('env', 'an object of names to JSON values');
    else def.env = { ...app['env'] };
  }
  if (app['secrets'] !== undefined) {
    if (!isRecord(app['secrets'])) fail('secrets', 'an object like { "API_KEY": { "fromEnv": "MY_API_KEY" } }');
    else def.secrets = { ...app['secrets'] };
  }
  return def;
}

/** The "allow" list of a fetch block, when it is a list of strings. */
export function allowList(fetch: Record<string, unknown> | undefined): string[] | undefined {
  const allow = fetch?.['allow'];
  return Array.isArray(allow) && allow.every((a: unknown) => typeof a === 'string') ? [...(allow as string[])] : undefined;
}
