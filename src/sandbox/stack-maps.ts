/**
 * Maps a failed run's guest stack to original sources: TypeScript that amaro had to transform
 * (positions shift), and JavaScript that names its source map (`//# sourceMappingURL=`), such as a
 * bundle from `islet build`. Maps are read with the run's own module loader, so from inside the
 * run's root only.
 */
import { posix } from 'node:path';
import { mapGuestStack, stackFiles } from '../build/source-map.ts';
import { typeScriptSourceMap, type ModuleLoader } from './modules.ts';
import type { RunOutcome } from './core.ts';

const MAP_URL = /\/\/[#@] sourceMappingURL=(\S+)\s*$/;
const MAX_MAP_BYTES = 50 * 1024 * 1024;

/** `outcome` with its guest stack mapped, given the sources the run loaded (by root-relative path). */
export async function mapOutcomeStack(outcome: RunOutcome, sources: ReadonlyMap<string, string>, loader: ModuleLoader): Promise<RunOutcome> {
  const guest = outcome.error?.guest;
  if (outcome.error === undefined || guest?.stack === undefined) return outcome;
  const maps = await sourceMapsFor(guest.stack, sources, loader);
  if (Object.keys(maps).length === 0) return outcome;
  return { ...outcome, error: { ...outcome.error, guest: { ...guest, stack: mapGuestStack(guest.stack, maps) } } };
}

/**
 * The source maps for the files of `stack` that need one, for {@link mapGuestStack}: given the
 * sources of the modules (by the names the stack uses) and a loader for maps beside them.
 */
export async function sourceMapsFor(stack: string, sources: ReadonlyMap<string, string>, loader: ModuleLoader): Promise<Record<string, string>> {
  const maps: Record<string, string> = {};
  for (const file of stackFiles(stack)) {
    const source = sources.get(file);
    if (source === undefined) continue;
    const map = typeScriptSourceMap(source, file) ?? await linkedSourceMap(source, file, loader);
    if (map !== undefined) maps[file] = map;
  }
  return maps;
}

/** The map a JavaScript file names in its last `sourceMappingURL` comment (a data: URL or a path beside it). */
async function linkedSourceMap(source: string, file: string, loader: ModuleLoader): Promise<string | undefined> {
  if (!/\.(js|mjs|cjs)$/.test(file)) return undefined;
  const url = MAP_URL.exec(source.slice(-4096))?.[1];
  if (url === undefined) return undefined;
  try {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const payload = url.slice(comma + 1);
      return url.slice(0, comma).endsWith(';base64') ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
    }
    if (/^[a-z][a-z\d+.-]*:/i.test(url) || url.startsWith('/')) return undefined;
    const path = posix.normalize(posix.join(posix.dirname(file), decodeURIComponent(url)));
    if (path.startsWith('../') || path === '..') return undefined;
    const map = await loader(path);
    return typeof map === 'string' && map.length <= MAX_MAP_BYTES ? map : undefined;
  } catch {
    return undefined;
  }
}
