/**
 * Bundles an app with esbuild under the sandbox's import rules: relative imports inside the
 * entry's folder only; packages, `node:*` built-ins, URLs and absolute paths are refused with the
 * same MODULE_NOT_FOUND errors a run gives.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build, type Message, type Plugin } from 'esbuild';
import { IsletError } from '../errors.ts';
import { candidates, notFound } from '../sandbox/modules.ts';

/** The bundle of an app: ES module code and its source map (sources relative to the app's folder). */
export interface Bundle {
  code: string;
  map: string;
}

/** esbuild's target for the V8 that isolated-vm runs guests in (this process's own V8). */
export function v8Target(): string {
  const [major = '13', minor = '6'] = process.versions.v8.split('.');
  return `chrome${Number(major) * 10 + Number(minor)}`;
}

/**
 * Bundles `entry` (an absolute path) into one ES module named `outName` in `outDir`, whose
 * sourceMappingURL comment names `<outName>.map`. Throws MODULE_NOT_FOUND for a refused import
 * and SYNTAX_ERROR for code that does not parse, each naming the file and line.
 */
export async function bundle(entry: string, options: { outDir: string; outName: string; minify?: boolean }): Promise<Bundle> {
  if (!(await stat(entry).then((s) => s.isFile(), () => false))) {
    throw new IsletError('INVALID_OPTIONS', `Cannot read the entry "${entry}": no such file.`, { option: 'entry' });
  }
  const root = await realpath(dirname(entry));
  const entryPath = join(root, relative(dirname(entry), entry));
  const refused: IsletError[] = [];
  const rootRelative = (path: string): string => relative(root, path).split(sep).join('/');

  const relativeOnly: Plugin = {
    name: 'islet-relative-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point') return { path: entryPath };
        const importer = rootRelative(args.importer);
        try {
          for (const candidate of candidates(args.path, importer)) {
            const found = await fileInside(root, candidate);
            if (found !== undefined) return { path: found };
          }
          throw notFound(args.path, importer, 'no such file in the app\'s folder');
        } catch (error) {
          if (!IsletError.is(error)) throw error;
          refused.push(error);
          return { errors: [{ text: error.message }] };
        }
      });
    },
  };

  const outfile = join(resolve(options.outDir), options.outName);
  let result;
  try {
    result = await build({
      entryPoints: [entryPath],
      absWorkingDir: root,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: v8Target(),
      minify: options.minify === true,
      sourcemap: 'linked',
      sourcesContent: true,
      outfile,
      charset: 'utf8',
      logLevel: 'silent',
      plugins: [relativeOnly],
    });
  } catch (error) {
    const first = refused[0];
    if (first !== undefined) throw first;
    const messages = (error as { errors?: Message[] }).errors ?? [];
    const m = messages[0];
    if (m === undefined) throw error;
    const where = m.location === null ? '' : `${rootRelative(resolve(root, m.location.file))}:${m.location.line}:${m.location.column + 1}: `;
    throw new IsletError('SYNTAX_ERROR', `SyntaxError: ${where}${m.text}${messages.length > 1 ? ` (and ${messages.length - 1} more)` : ''}`, { cause: error });
  }
  const code = result.outputFiles.find((f) => f.path === outfile)?.text;
  const rawMap = result.outputFiles.find((f) => f.path === `${outfile}.map`)?.text;
  if (code === undefined || rawMap === undefined) throw new IsletError('INTERNAL', 'esbuild produced no bundle or no source map.');
  // esbuild names sources relative to the output folder; name them from the app's folder instead,
  // so mapped stacks show "lib/x.ts" and never a host path.
  const map = JSON.parse(rawMap) as { sources: string[] };
  map.sources = map.sources.map((s) => rootRelative(resolve(dirname(outfile), s)));
  return { code, map: JSON.stringify(map) };
}

/** The real path of the file `path` under `root`, or undefined (missing, a folder, or leaving the root). */
async function fileInside(root: string, path: string): Promise<string | undefined> {
  try {
    const real = await realpath(join(root, path));
    if (real !== root && !real.startsWith(root + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
