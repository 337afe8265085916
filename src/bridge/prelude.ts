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
    format: 'cjs',
    platform: 'neutral',
    target: 'es2024',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no prelude');
  cached = `(function () {\n"use strict";\nconst module = { exports: {} };\nconst exports = module.exports;\n${code}\nreturn module.exports.boot;\n})()`;
  return cached;
}

/** The file name guest stack frames show for prelude code. */
export const PRELUDE_FILENAME = 'islet:prelude';
