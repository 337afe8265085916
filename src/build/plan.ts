/**
 * Build plans: `islet build` bundles an app into `app.js` + `app.js.map` and writes
 * `app.plan.json`, which names the artifacts with their sha256 and declares the app's routes,
 * limits and capabilities (names only, never secret values). Plans are verified before any
 * isolate exists: shape first, then every artifact against its hash.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { IsletError } from '../errors.ts';
import { bundle } from './bundle.ts';

/** The plan format `islet build` writes and islet reads (schema 1). */
export interface BuildPlan {
  schema: 1;
  name: string;
  /** The artifact that is the app's entry module. */
  entry: string;
  compatibilityDate: string;
  artifacts: Record<string, { sha256: string; bytes: number }>;
  routes: string[];
  limits: Record<string, number>;
  capabilities: {
    fetch?: { allow: string[] };
    bindings: Record<string, { kv: string }>;
    env: string[];
    secrets: string[];
  };
}

/** What `buildApp` puts in a plan besides the bundle; every field is optional. */
export interface BuildOptions {
  /** Output folder (default `dist/` beside the entry). */
  out?: string;
  /** The app's name (default: from the entry's file name). */
  name?: string;
  /** YYYY-MM-DD (default: today, UTC). */
  compatibilityDate?: string;
  routes?: readonly string[];
  limits?: Readonly<Record<string, number>>;
  fetch?: { allow: readonly string[] };
  bindings?: Readonly<Record<string, { kv: string }>>;
  /** Names of env variables the app reads. */
  env?: readonly string[];
  /** Names of secrets the app reads (never their values). */
  secrets?: readonly string[];
  minify?: boolean;
}

/** One problem in a plan, with its JSON path ("$.artifacts[\"app.js\"].sha256"). */
export interface PlanProblem { path: string; message: string }

/** Thrown when a plan is invalid (code PLAN_INVALID); `problems` lists every one. */
export class PlanError extends IsletError {
  readonly problems: readonly PlanProblem[];
  constructor(problems: readonly PlanProblem[], source = 'The build plan') {
    super('PLAN_INVALID', `${source} is invalid; rebuild it with "islet build":\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

/** The plan file, bundle and map names `islet build` writes. */
export const PLAN_FILE = 'app.plan.json';
const ENTRY_FILE = 'app.js';

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

/** Bundles `entry` and writes `app.js`, `app.js.map` and `app.plan.json` to the output folder. */
export async function buildApp(entry: string, options: BuildOptions = {}): Promise<{ plan: BuildPlan; planPath: string; code: string; map: string }> {
  const entryPath = resolve(entry);
  const outDir = resolve(options.out ?? join(dirname(entryPath), 'dist'));
  const { code, map } = await bundle(entryPath, { outDir, outName: ENTRY_FILE, ...(options.minify === undefined ? {} : { minify: options.minify }) });
  const capabilities: BuildPlan['capabilities'] = {
    bindings: { ...options.bindings },
    env: [...(options.env ?? [])],
    secrets: [...(options.secrets ?? [])],
  };
  if (options.fetch !== undefined) capabilities.fetch = { allow: [...options.fetch.allow] };
  const draft = {
    schema: 1,
    name: options.name ?? nameFromEntry(entryPath),
    entry: ENTRY_FILE,
    compatibilityDate: options.compatibilityDate ?? new Date().toISOString().slice(0, 10),
    artifacts: { [ENTRY_FILE]: digest(code), [`${ENTRY_FILE}.map`]: digest(map) },
    routes: [...(options.routes ?? [])],
    limits: { ...options.limits },
    capabilities,
  };
  // The options become the plan only if they make a valid one.
  const problems = planProblems(draft);
  if (problems.length > 0) throw new IsletError('INVALID_OPTIONS', `Cannot build "${entry}":\n${problems.map((p) => `  ${p.path.replace(/^\$\.(capabilities\.)?/, '')}: ${p.message}`).join('\n')}`);
  const plan = draft as BuildPlan;
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, ENTRY_FILE), code);
  await writeFile(join(outDir, `${ENTRY_FILE}.map`), map);
  const planPath = join(outDir, PLAN_FILE);
  await writeFile(planPath, `${JSON.stringify(plan, null, 2)}\n`);
  return { plan, planPath, code, map };
}

/** An app name from an entry file name: "My_App.ts" -> "my-app". */
export function nameFromEntry(entry: string): string {
  return basename(entry).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'app';
}

/**
 * Validates a plan's shape and that every artifact's bytes match its sha256; throws IsletError
 * code 'PLAN_INVALID' naming the artifact or field and what to do (rebuild). Never creates an isolate.
 */
export function verifyPlan(plan: unknown, artifacts: Readonly<Record<string, string | Uint8Array>>): BuildPlan {
  const problems = planProblems(plan);
  if (problems.length > 0) throw new PlanError(problems);
  const valid = plan as BuildPlan;
  for (const [name, expected] of Object.entries(valid.artifacts)) {
    const path = `$.artifacts[${JSON.stringify(name)}]`;
    const content = Object.hasOwn(artifacts, name) ? artifacts[name] : undefined;
    if (content === undefined) { problems.push({ path, message: `the artifact "${name}" is missing; ship it with the plan` }); continue; }
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    if (!(bytes instanceof Uint8Array)) { problems.push({ path, message: `the artifact "${name}" must be text or bytes` }); continue; }
    if (bytes.byteLength !== expected.bytes) problems.push({ path: `${path}.bytes`, message: `the artifact "${name}" has ${bytes.byteLength} bytes, the plan says ${expected.bytes}: it was changed after the build` });
    else if (createHash('sha256').update(bytes).digest('hex') !== expected.sha256) problems.push({ path: `${path}.sha256`, message: `the artifact "${name}" does not match its sha256: it was changed after the build` });
  }
  for (const name of Object.keys(artifacts)) {
    if (!Object.hasOwn(valid.artifacts, name)) problems.push({ path: `$.artifacts[${JSON.stringify(name)}]`, message: `"${name}" is not an artifact of the plan; send exactly the plan's artifacts` });
  }
  if (problems.length > 0) throw new PlanError(problems);
  return structuredClone(valid);
}

/**
 * Reads a plan file and its artifacts from disk (artifact names must stay inside the plan's
 * folder), then {@link verifyPlan}. Modules are the artifacts as text, by name.
 */
export async function loadPlan(planPath: string): Promise<{ plan: BuildPlan; modules: Record<string, string> }> {
  return loadPlanSync(planPath);
}

/** {@link loadPlan}, synchronously (the server's config validation is synchronous). */
export function loadPlanSync(planPath: string): { plan: BuildPlan; modules: Record<string, string> } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(planPath, 'utf8'));
  } catch (error) {
    throw new PlanError([{ path: '$', message: `cannot read "${planPath}" as JSON (${(error as Error).message.split('\n')[0] ?? ''})` }], `The plan "${planPath}"`);
  }
  const problems = planProblems(raw);
  if (problems.length > 0) throw new PlanError(problems, `The plan "${planPath}"`);
  const folder = realpathSync(dirname(resolve(planPath)));
  const files: Record<string, Buffer> = {};
  for (const name of Object.keys((raw as BuildPlan).artifacts)) {
    const path = `$.artifacts[${JSON.stringify(name)}]`;
    let real: string;
    try {
      real = realpathSync(join(folder, name));
    } catch {
      problems.push({ path, message: `the artifact "${name}" is missing from ${folder}` });
      continue;
    }
    if (!real.startsWith(folder + sep)) { problems.push({ path, message: `the artifact "${name}" leads outside the plan's folder` }); continue; }
    try {
      files[name] = readFileSync(real);
      if ((files[name]?.byteLength ?? 0) > MAX_ARTIFACT_BYTES) problems.push({ path, message: `the artifact "${name}" is larger than ${MAX_ARTIFACT_BYTES} bytes` });
    } catch {
      problems.push({ path, message: `the artifact "${name}" cannot be read` });
    }
  }
  if (problems.length > 0) throw new PlanError(problems, `The plan "${planPath}"`);
  let plan: BuildPlan;
  try {
    plan = verifyPlan(raw, files);
  } catch (error) {
    if (error instanceof PlanError) throw new PlanError(error.problems, `The plan "${planPath}"`);
    throw error;
  }
  const modules: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) modules[name] = bytes.toString('utf8');
  return { plan, modules };
}

function digest(text: string): { sha256: string; bytes: number } {
  const bytes = Buffer.from(text, 'utf8');
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every shape problem of a plan (artifact contents are not looked at). */
function planProblems(plan: unknown): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const bad = (path: string, message: string): void => { problems.push({ path, message }); };
  const unknownKeys = (value: Record<string, unknown>, path: string, known: readonly string[]): void => {
    for (const key of Object.keys(value)) if (!known.includes(key)) bad(`${path}.${key}`, `unknown field; known fields are ${known.join(', ')}`);
  };
  const strings = (value: unknown, path: string, check?: (s: string) => string | undefined): void => {
    if (!Array.isArray(value)) { bad(path, 'expected an array of strings'); return; }
    value.forEach((s: unknown, i) => {
      if (typeof s !== 'string' || s === '') { bad(`${path}[${i}]`, 'expected a non-empty string'); return; }
      const why = check?.(s);
      if (why !== undefined) bad(`${path}[${i}]`, why);
    });
  };
  if (!isRecord(plan)) return [{ path: '$', message: 'expected a JSON object (an app.plan.json written by islet build)' }];
  unknownKeys(plan, '$', ['schema', 'name', 'entry', 'compatibilityDate', 'artifacts', 'routes', 'limits', 'capabilities']);
  if (plan['schema'] !== 1) bad('$.schema', `expected 1, got ${JSON.stringify(plan['schema']) ?? 'nothing'}; this islet reads schema 1 plans`);
  if (typeof plan['name'] !== 'string' || !NAME.test(plan['name'])) bad('$.name', 'expected 1-63 lowercase letters, digits or "-", starting with a letter or digit');
  const date = plan['compatibilityDate'];
  if (typeof date !== 'string' || !DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    bad('$.compatibilityDate', `expected a date as YYYY-MM-DD, got ${JSON.stringify(date) ?? 'nothing'}`);
  }
  const artifacts = plan['artifacts'];
  if (!isRecord(artifacts) || Object.keys(artifacts).length === 0) bad('$.artifacts', 'expected an object of artifact names to { "sha256", "bytes" }');
  else for (const [name, spec] of Object.entries(artifacts)) {
    const path = `$.artifacts[${JSON.stringify(name)}]`;
    if (!isSafeArtifactName(name)) bad(path, `"${name}" must be a relative path inside the plan's folder (no "..", no leading "/", no "\\")`);
    if (!isRecord(spec)) { bad(path, 'expected { "sha256": "<64 hex digits>", "bytes": N }'); continue; }
    unknownKeys(spec, path, ['sha256', 'bytes']);
    if (typeof spec['sha256'] !== 'string' || !SHA256.test(spec['sha256'])) bad(`${path}.sha256`, 'expected 64 lowercase hex digits');
    if (typeof spec['bytes'] !== 'number' || !Number.isInteger(spec['bytes']) || spec['bytes'] < 0 || spec['bytes'] > MAX_ARTIFACT_BYTES) bad(`${path}.bytes`, `expected a whole number of bytes up to ${MAX_ARTIFACT_BYTES}`);
  }
  if (typeof plan['entry'] !== 'string' || plan['entry'] === '') bad('$.entry', 'expected the name of the entry artifact ("app.js")');
  else if (isRecord(artifacts) && !Object.hasOwn(artifacts, plan['entry'])) bad('$.entry', `"${plan['entry']}" is not one of the artifacts`);
  strings(plan['routes'], '$.routes', (s) => (/\s/.test(s) ? `"${s}" may not contain spaces` : undefined));
  const limits = plan['limits'];
  if (!isRecord(limits)) bad('$.limits', 'expected an object of limit names to numbers');
  else for (const [key, value] of Object.entries(limits)) {
    if (!IDENT.test(key)) bad(`$.limits.${key}`, 'limit names are letters, digits and "_"');
    else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) bad(`$.limits.${key}`, `expected a non-negative number, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  const caps = plan['capabilities'];
  if (!isRecord(caps)) { bad('$.capabilities', 'expected { "bindings", "env", "secrets" } and optionally "fetch"'); return problems; }
  unknownKeys(caps, '$.capabilities', ['fetch', 'bindings', 'env', 'secrets']);
  if (caps['fetch'] !== undefined) {
    if (!isRecord(caps['fetch'])) bad('$.capabilities.fetch', 'expected { "allow": ["host", ...] }');
    else {
      unknownKeys(caps['fetch'], '$.capabilities.fetch', ['allow']);
      strings(caps['fetch']['allow'], '$.capabilities.fetch.allow');
    }
  }
  const bindings = caps['bindings'];
  if (!isRecord(bindings)) bad('$.capabilities.bindings', 'expected an object like { "CACHE": { "kv": "cache" } }');
  else for (const [key, spec] of Object.entries(bindings)) {
    const path = `$.capabilities.bindings.${key}`;
    if (!IDENT.test(key)) bad(path, 'binding names are letters, digits and "_", not starting with a digit');
    else if (!isRecord(spec) || typeof spec['kv'] !== 'string' || spec['kv'] === '' || Object.keys(spec).length !== 1) bad(path, 'expected { "kv": "namespace" }');
  }
  const identifier = (s: string): string | undefined => (IDENT.test(s) ? undefined : `"${s}" is not a name of letters, digits and "_"`);
  strings(caps['env'], '$.capabilities.env', identifier);
  strings(caps['secrets'], '$.capabilities.secrets', identifier);
  return problems;
}

function isSafeArtifactName(name: string): boolean {
  if (name === '' || name.length > 255 || name.includes('\\') || name.includes('\0') || name.startsWith('/') || /^[a-z]:/i.test(name)) return false;
  return name.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
