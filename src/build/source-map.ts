/**
 * Guest stack traces through source maps: frames in generated JavaScript (a bundle, or TypeScript
 * that amaro had to transform) are rewritten to the original file, line and column.
 */
import { LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';

// "    at name (file:line:col)" or "    at file:line:col"; V8 prints one frame per line.
const FRAME_WITH_NAME = /^(\s*at .*\()(.+):(\d+):(\d+)\)$/;
const FRAME_BARE = /^(\s*at )(.+):(\d+):(\d+)$/;
const MAX_STACK = 100_000;

/**
 * Rewrites the `at ... (file:line:col)` and `at file:line:col` frames of `stack` whose file has a
 * map in `maps` (raw source map JSON, keyed by the file name as it appears in the stack) to the
 * original `source:line:col`. Map sources resolve relative to the mapped file's folder. Other
 * lines are left as they are; malformed maps and frames are skipped, never thrown on.
 */
export function mapGuestStack(stack: string, maps: Readonly<Record<string, string>>): string {
  if (typeof stack !== 'string' || stack.length > MAX_STACK || typeof maps !== 'object' || maps === null) return stack;
  const traced = new Map<string, TraceMap | undefined>();
  const traceFor = (file: string): TraceMap | undefined => {
    if (traced.has(file)) return traced.get(file);
    let map: TraceMap | undefined;
    const raw = Object.hasOwn(maps, file) ? maps[file] : undefined;
    if (typeof raw === 'string') {
      try { map = new TraceMap(raw, file); } catch { map = undefined; }
    }
    traced.set(file, map);
    return map;
  };
  return stack.split('\n').map((line) => {
    const m = FRAME_WITH_NAME.exec(line) ?? FRAME_BARE.exec(line);
    if (m === null) return line;
    const [, head, file, lineText, columnText] = m as unknown as [string, string, string, string, string];
    const map = traceFor(file);
    if (map === undefined) return line;
    try {
      const needle = { line: Number(lineText), column: Math.max(0, Number(columnText) - 1) };
      // The nearest mapping at or before the column, else the first one after it on the same line.
      let original = originalPositionFor(map, needle);
      if (original.source === null) original = originalPositionFor(map, { ...needle, bias: LEAST_UPPER_BOUND });
      const { source, line: at, column } = original as { source: unknown; line: unknown; column: unknown };
      if (typeof source !== 'string' || source === '' || !Number.isInteger(at) || !Number.isInteger(column)) return line;
      const tail = line.endsWith(')') ? ')' : '';
      return `${head}${source}:${String(at)}:${Number(column) + 1}${tail}`;
    } catch {
      return line;
    }
  }).join('\n');
}

/** The distinct file names of the `at ...` frames of `stack`, in order of appearance. */
export function stackFiles(stack: string): string[] {
  if (typeof stack !== 'string' || stack.length > MAX_STACK) return [];
  const files = new Set<string>();
  for (const line of stack.split('\n')) {
    const m = FRAME_WITH_NAME.exec(line) ?? FRAME_BARE.exec(line);
    if (m?.[2] !== undefined) files.add(m[2]);
  }
  return [...files];
}
