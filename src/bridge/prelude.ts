/** Builds the guest prelude (src/guest/, bundled) into one script that installs the guest globals and the boot function. */
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
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
    // Whitespace and syntax only: every isolate holds the prelude's source (V8 keeps it for lazy
    // compilation and toString), so a smaller one is ~50 KB less per isolate. Identifiers keep
    // their names: classes and functions are observable by name (Headers.name, stack frames).
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
  cached = `(function () {\n"use strict";\n${code.slice(0, exported.index)}\n})();`;
  return cached;
}

/** The global the prelude leaves its boot function on (boot deletes it). */
export const BOOT_GLOBAL = '__islet_boot';

/** How the prelude boots: the global its boot function is on and the ops boot takes (in order) before the init record. */
export const PRELUDE_BOOT = { global: BOOT_GLOBAL, ops: OP_NAMES } as const;

/** The file name guest stack frames show for prelude code. */
export const PRELUDE_FILENAME = 'islet:prelude';
