/** Builds the guest prelude (src/guest/, bundled) into one script whose completion value is its boot function. */
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';

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
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text;
  // ESM output hoists every module into one scope (no per-module export objects to build in each
  // context); its one export statement becomes the script's completion value.
  const exported = code === undefined ? null : /export\s*\{\s*(\w+)(?:\s+as\s+boot)?\s*\};?\s*$/.exec(code);
  if (code === undefined || exported === null) throw new Error('esbuild produced no prelude with a boot export');
  cached = `(function () {\n"use strict";\n${code.slice(0, exported.index)}\nreturn ${exported[1] ?? 'boot'};\n})()`;
  return cached;
}

/** The file name guest stack frames show for prelude code. */
export const PRELUDE_FILENAME = 'islet:prelude';
