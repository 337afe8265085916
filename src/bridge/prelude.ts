/** Builds the guest prelude (src/guest/, bundled) into one script that installs the guest globals and the boot function. */
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDirs, pruneCache, touch, writeCacheFile } from '../engine/snapshot.ts';
import { OP_NAMES } from './protocol.ts';

const ENTRY = fileURLToPath(new URL('../guest/90-boot.ts', import.meta.url));
let cached: string | undefined;

/** The prelude script source (built once per process). */
export function preludeSource(): string {
  if (cached !== undefined) return cached;
  const result = buildSync({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2024',
    write: false,
    legalComments: 'none',
    // Whitespace and syntax here; local names are shortened below (see mangle).
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text;
  // ESM output hoists every module into one scope (no per-module export objects to build in each
  // context). The prelude installs its globals and the boot function (BOOT_GLOBAL); its export
  // statement is dropped.
  const exported = code === undefined ? null : /export\s*\{[^}]*\};?\s*$/.exec(code);
  if (code === undefined || exported === null) throw new Error('esbuild produced no prelude');
  cached = mangle(`(function () {\n"use strict";\n${code.slice(0, exported.index)}\n})();`);
  return cached;
}

const requireHere = createRequire(import.meta.url);
const TERSER_VERSION = (requireHere('terser/package.json') as { version: string }).version;

/**
 * Shortens the prelude's local names (variables, parameters, internal bindings) with terser.
 * Every isolate holds the prelude's source (V8 keeps it for lazy compilation and toString), so
 * the shorter source is ~80 KB less per isolate. Class and function names are kept, and so are
 * capitalised bindings: they are observable (Headers.name, console output, stack frames). The
 * output is ASCII only (a non-Latin-1 character would make V8 store the whole source as two-byte). Mangling takes about
 * half a second, so its result is cached on disk beside the snapshots, keyed by the input.
 */
function mangle(source: string): string {
  const key = createHash('sha256').update(source).update('\0').update(TERSER_VERSION).update('\0').update(mangleNow.toString()).digest('hex').slice(0, 32);
  const dirs = cacheDirs();
  for (const dir of dirs) {
    const file = join(dir, `prelude-${key}.js`);
    try {
      const hit = readFileSync(file, 'utf8');
      touch(file);
      return hit;
    } catch { /* not cached here */ }
  }
  const out = mangleNow(source);
  for (const dir of dirs) {
    const file = join(dir, `prelude-${key}.js`);
    try {
      writeCacheFile(dir, file, out);
      pruneCache(dir, '.js');
      break;
    } catch { /* an unwritable directory: try the next one */ }
  }
  return out;
}

function mangleNow(source: string): string {
  // Capitalised bindings (the classes: esbuild turns \`class Headers\` into \`var Headers = class\`,
  // whose name comes from the binding) keep their names too.
  const reserved = [...new Set(Array.from(source.matchAll(/\b(?:var|let|const|class|function)\s+([A-Z][\w$]*)/g), (m) => m[1] as string))];
  // Loaded only on a cache miss: a process that finds the result cached never loads terser.
  const { minify_sync: terserMinify } = requireHere('terser') as typeof import('terser');
  const result = terserMinify(source, {
    compress: false,
    mangle: { keep_classnames: true, keep_fnames: true, reserved },
    format: { ascii_only: true, comments: false },
  });
  if (result.code === undefined) throw new Error('terser produced no prelude');
  return result.code;
}

/** The global the prelude leaves its boot function on (boot deletes it). */
export const BOOT_GLOBAL = '__islet_boot';

/** How the prelude boots: the global its boot function is on and the ops boot takes (in order) before the init record. */
export const PRELUDE_BOOT = { global: BOOT_GLOBAL, ops: OP_NAMES } as const;

/** The file name guest stack frames show for prelude code. */
export const PRELUDE_FILENAME = 'islet:prelude';
