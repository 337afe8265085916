/** The guest's `console`: log/info/debug go to stdout, warn/error/trace to stderr, through the host. */
import {
  ArrayPrototypePush, DateNow, ErrorCtor, MapPrototypeGet, MapPrototypeSet, MathMax, ObjectFreeze, SafeMap, StringCtor,
  StringPrototypeCharCodeAt, StringPrototypeIndexOf, StringPrototypeRepeat, StringPrototypeSlice,
} from './00-primordials.ts';
import { formatArgs, inspect } from './10-inspect.ts';

/** Writes a line to a stream: 1 stdout, 2 stderr. */
export type Write = (stream: 1 | 2, text: string) => void;

/** `s` with `indent` after each line break. */
function indentLines(s: string, indent: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (StringPrototypeCharCodeAt(s, i) !== 0x0a) continue;
    out += `${StringPrototypeSlice(s, start, i + 1)}${indent}`;
    start = i + 1;
  }
  return out + StringPrototypeSlice(s, start);
}

/** `first` followed by the items of `rest` (array spread would use the patchable array iterator). */
function prepend(first: unknown, rest: readonly unknown[]): unknown[] {
  const out: unknown[] = [first];
  for (let i = 0; i < rest.length; i++) ArrayPrototypePush(out, rest[i]);
  return out;
}

/** A stack without its first two lines (the message and the console.trace frame). */
function stackFrames(stack: string): string {
  let start = 0;
  for (let n = 0; n < 2; n++) {
    const end = StringPrototypeIndexOf(stack, '\n', start);
    if (end === -1) return '';
    start = end + 1;
  }
  return StringPrototypeSlice(stack, start);
}

/** Builds a console whose methods format their arguments and write through `write`. */
export function createConsole(write: Write): Console {
  let indent = '';
  const counts = new SafeMap<string, number>();
  const timers = new SafeMap<string, number>();
  const line = (stream: 1 | 2, args: readonly unknown[]): void => {
    const text = formatArgs(args);
    write(stream, indent === '' ? `${text}\n` : `${indent}${indentLines(text, indent)}\n`);
  };
  const methods = {
    log(...args: unknown[]) { line(1, args); },
    info(...args: unknown[]) { line(1, args); },
    debug(...args: unknown[]) { line(1, args); },
    warn(...args: unknown[]) { line(2, args); },
    error(...args: unknown[]) { line(2, args); },
    trace(...args: unknown[]) {
      const stack = stackFrames(StringCtor(new ErrorCtor().stack ?? ''));
      line(2, [`Trace${args.length > 0 ? `: ${formatArgs(args)}` : ''}\n${stack}`]);
    },
    dir(value: unknown) { line(1, [inspect(value)]); },
    dirxml(...args: unknown[]) { line(1, args); },
    table(data: unknown) { line(1, [data]); },
    assert(condition: unknown, ...args: unknown[]) {
      if (!condition) line(2, args.length === 0 ? ['Assertion failed'] : prepend('Assertion failed:', args));
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
    groupEnd() { indent = StringPrototypeRepeat(' ', MathMax(0, indent.length - 2)); },
    time(label: unknown = 'default') { MapPrototypeSet(timers, StringCtor(label), DateNow()); },
    timeLog(label: unknown = 'default', ...args: unknown[]) { elapsed(label, args); },
    timeEnd(label: unknown = 'default') { elapsed(label, []); },
  };
  function elapsed(label: unknown, extra: unknown[]): void {
    const key = StringCtor(label);
    const start = MapPrototypeGet(timers, key) as number | undefined;
    if (start === undefined) { line(2, [`Warning: No such label '${key}' for console.timeEnd()`]); return; }
    line(1, prepend(`${key}: ${DateNow() - start}ms`, extra));
  }
  return ObjectFreeze(methods) as unknown as Console;
}
