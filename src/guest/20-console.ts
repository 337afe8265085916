/** The guest's `console`: log/info/debug go to stdout, warn/error/trace to stderr, through the host. */
import { ArrayPrototypeSlice, MapPrototypeGet, MapPrototypeSet, ObjectFreeze, SafeMap, StringCtor, StringPrototypeRepeat } from './00-primordials.ts';
import { formatArgs, inspect } from './10-inspect.ts';

/** Writes a line to a stream: 1 stdout, 2 stderr. */
export type Write = (stream: 1 | 2, text: string) => void;

/** Builds a console whose methods format their arguments and write through `write`. */
export function createConsole(write: Write): Console {
  let indent = '';
  const counts = new SafeMap<string, number>();
  const timers = new SafeMap<string, number>();
  const line = (stream: 1 | 2, args: readonly unknown[]): void => {
    const text = formatArgs(args);
    write(stream, indent === '' ? `${text}\n` : `${indent}${text.split('\n').join(`\n${indent}`)}\n`);
  };
  const methods = {
    log(...args: unknown[]) { line(1, args); },
    info(...args: unknown[]) { line(1, args); },
    debug(...args: unknown[]) { line(1, args); },
    warn(...args: unknown[]) { line(2, args); },
    error(...args: unknown[]) { line(2, args); },
    trace(...args: unknown[]) {
      const stack = StringCtor(new Error().stack ?? '').split('\n').slice(2).join('\n');
      line(2, [`Trace${args.length > 0 ? `: ${formatArgs(args)}` : ''}\n${stack}`]);
    },
    dir(value: unknown) { line(1, [inspect(value)]); },
    dirxml(...args: unknown[]) { line(1, args); },
    table(data: unknown) { line(1, [data]); },
    assert(condition: unknown, ...args: unknown[]) {
      if (!condition) line(2, args.length === 0 ? ['Assertion failed'] : ['Assertion failed:', ...ArrayPrototypeSlice(args)]);
    },
    count(label: unknown = 'default') {
      const key = StringCtor(label);
      const n = ((MapPrototypeGet(counts, key) as number | undefined) ?? 0) + 1;
      MapPrototypeSet(counts, key, n);
      line(1, [`${key}: ${n}`]);
    },
    countReset(label: unknown = 'default') { MapPrototypeSet(counts, StringCtor(label), 0); },
    group(...args: unknown[]) { if (args.length > 0) line(1, args); indent += '  '; },
    groupCollapsed(...args: unknown[]) { if (args.length > 0) line(1, args); indent += '  '; },
    groupEnd() { indent = StringPrototypeRepeat(' ', Math.max(0, indent.length - 2)); },
    time(label: unknown = 'default') { MapPrototypeSet(timers, StringCtor(label), Date.now()); },
    timeLog(label: unknown = 'default', ...args: unknown[]) { elapsed(label, args); },
    timeEnd(label: unknown = 'default') { elapsed(label, []); },
  };
  function elapsed(label: unknown, extra: unknown[]): void {
    const key = StringCtor(label);
    const start = MapPrototypeGet(timers, key) as number | undefined;
    if (start === undefined) { line(2, [`Warning: No such label '${key}' for console.timeEnd()`]); return; }
    line(1, [`${key}: ${Date.now() - start}ms`, ...extra]);
  }
  return ObjectFreeze(methods) as unknown as Console;
}
