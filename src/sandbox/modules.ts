/**
 * Guest module sources: specifier resolution (relative only, inside the run's root), TypeScript
 * stripping, and loading a whole import graph before it is linked.
 */
import { createRequire } from 'node:module';
import { readFile, realpath } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { IsletError } from '../errors.ts';

// amaro is the TypeScript stripper Node itself uses (swc); the package avoids Node's experimental warning.
const amaro = createRequire(import.meta.url)('amaro') as {
  transformSync(source: string, options: { mode: 'strip-only' | 'transform'; filename?: string; sourceMap?: boolean }): { code: string; map?: string };
};

/** Loads a module's source by its root-relative path, or undefined when there is none. */
export type ModuleLoader = (path: string) => Promise<string | undefined> | string | undefined;

const TRY_SUFFIXES = ['', '.ts', '.js', '.mts', '.mjs', '/index.ts', '/index.js'];

/** Normalises a root-relative file name ("./a/b.ts" -> "a/b.ts"); rejects paths leaving the root. */
export function normalizeFilename(filename: string): string {
  const normal = posix.normalize(filename.replaceAll('\\', '/')).replace(/^\/+/, '');
  if (normal === '' || normal === '.' || normal.startsWith('../') || normal === '..') {
    throw new IsletError('INVALID_OPTIONS', `Invalid option "filename": "${filename}" must name a file inside the run's root.`, { option: 'filename' });
  }
  return normal;
}

/** The candidate paths for `specifier` imported from `importer`, or a MODULE_NOT_FOUND error. */
export function candidates(specifier: string, importer: string): string[] {
  if (specifier.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'net', 'http', 'process'].includes(specifier)) {
    throw notFound(specifier, importer, 'Node built-in modules are not available in the sandbox; ask the host for a service instead');
  }
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
    if (/^[a-z][a-z\d+.-]*:/i.test(specifier) || specifier.startsWith('/')) {
      throw notFound(specifier, importer, 'only relative imports ("./x.ts") are allowed');
    }
    throw notFound(specifier, importer, 'packages are not available in the sandbox; bundle them into your code or pass them in "modules"');
  }
  const joined = posix.normalize(posix.join(posix.dirname(importer), specifier));
  if (joined.startsWith('../') || joined === '..') {
    throw notFound(specifier, importer, 'the path leaves the run\'s root directory');
  }
  return TRY_SUFFIXES.map((suffix) => joined + suffix);
}

/** A MODULE_NOT_FOUND error for `specifier` imported by `importer`. */
export function notFound(specifier: string, importer: string, why: string): IsletError {
  return new IsletError('MODULE_NOT_FOUND', `Cannot import "${specifier}" from "${importer}": ${why}.`);
}

/** Turns TypeScript into JavaScript (keeping line and column positions where the syntax allows). */
export function toJavaScript(source: string, filename: string): string {
  if (!/\.(ts|mts|cts|tsx)$/.test(filename)) return source;
  try {
    return amaro.transformSync(source, { mode: 'strip-only', filename }).code;
  } catch (error) {
    if (!isUnsupportedSyntax(error)) throw tsSyntaxError(error, filename);
  }
  // Enums, namespaces and parameter properties need a real transform; positions may shift.
  try {
    return amaro.transformSync(source, { mode: 'transform', filename }).code;
  } catch (error) {
    throw tsSyntaxError(error, filename);
  }
}

/**
 * The source map of {@link toJavaScript}'s output for a TypeScript file whose positions it shifts
 * (enums, namespaces, parameter properties need amaro's "transform" mode), as JSON whose one
 * source is the file's base name; undefined when positions are kept or the file is not TypeScript.
 */
export function typeScriptSourceMap(source: string, filename: string): string | undefined {
  if (!/\.(ts|mts|cts|tsx)$/.test(filename)) return undefined;
  try {
    amaro.transformSync(source, { mode: 'strip-only', filename });
    return undefined;
  } catch (error) {
    if (!isUnsupportedSyntax(error)) return undefined;
  }
  try {
    const { map } = amaro.transformSync(source, { mode: 'transform', filename, sourceMap: true });
    if (typeof map !== 'string') return undefined;
    return JSON.stringify({ ...(JSON.parse(map) as object), sources: [posix.basename(filename)], sourcesContent: undefined });
  } catch {
    return undefined;
  }
}

function isUnsupportedSyntax(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'UnsupportedSyntax';
}

function tsSyntaxError(error: unknown, filename: string): IsletError {
  const raw = typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
    ? (error as { message: string }).message : String(error);
  const message = raw.split('\n')[0] ?? raw;
  return new IsletError('SYNTAX_ERROR', `SyntaxError: ${message} [${filename}]`, {
    guest: { name: 'SyntaxError', message, stack: `SyntaxError: ${message}\n    at ${filename}` },
  });
}

/** Resolves `specifier` from `importer` with `loader`; returns the path found and its source. */
export async function resolveWith(loader: ModuleLoader, specifier: string, importer: string): Promise<{ path: string; source: string }> {
  for (const path of candidates(specifier, importer)) {
    const source = await loader(path);
    if (source !== undefined) return { path, source };
  }
  throw notFound(specifier, importer, 'no such module was provided');
}

/** A loader over a `modules` map keyed by root-relative paths. */
export function mapLoader(modules: Readonly<Record<string, string>>): ModuleLoader {
  const normalized = new Map<string, string>();
  for (const [name, source] of Object.entries(modules)) normalized.set(normalizeFilename(name), source);
  return (path) => normalized.get(path);
}

/** A loader over the files under `root` (a real path); symlinks that leave the root are refused. */
export function diskLoader(root: string): ModuleLoader {
  return async (path) => {
    try {
      const real = await realpath(join(root, path));
      if (real !== root && !real.startsWith(root + sep)) return undefined;
      return await readFile(real, 'utf8');
    } catch {
      return undefined;
    }
  };
}
