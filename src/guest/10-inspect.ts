/**
 * A readable, cyclic-safe formatter for console output, in the spirit of Node's util.inspect.
 * It never calls guest getters (accessors print as [Getter]/[Setter]) and bounds depth and width.
 */
import {
  ArrayBufferIsView, ArrayIsArray, ArrayPrototypeIndexOf, ArrayPrototypeJoin, ArrayPrototypePush,
  DatePrototypeGetTime, DatePrototypeToISOString, FunctionPrototypeToString, JSONStringify,
  MapIteratorNext, MapPrototypeEntries, MapPrototypeGetSize, MathMin, NumberIsInteger, ObjectGetOwnPropertyDescriptor,
  MathTrunc, NumberCtor, ObjectGetPrototypeOf, ObjectIs, StringPrototypeIncludes, StringPrototypeRepeat, ObjectPrototypeToString, ReflectOwnKeys, StringPrototypeCharCodeAt, SetIteratorNext,
  SetPrototypeGetSize, SetPrototypeValues, StringCtor, StringPrototypeSlice, SymbolPrototypeToString,
  TypedArrayPrototypeGetLength, TypedArrayPrototypeGetToStringTag, ObjectHasOwn,
} from './00-primordials.ts';

// Brand checks with the captured methods, which throw for any other object: a guest's
// Symbol.toStringTag (on a prototype or on Object.prototype) cannot make one kind pass for another.
function isDate(value: object): boolean { try { DatePrototypeGetTime(value as Date); return true; } catch { return false; } }
function isMap(value: object): boolean { try { MapPrototypeGetSize(value as Map<unknown, unknown>); return true; } catch { return false; } }
function isSet(value: object): boolean { try { SetPrototypeGetSize(value as Set<unknown>); return true; } catch { return false; } }
function isTypedArray(value: object): boolean { return ArrayBufferIsView(value) && TypedArrayPrototypeGetToStringTag(value) !== undefined; }

const MAX_DEPTH = 2;
const MAX_ITEMS = 100;
const MAX_STRING = 10_000;

/** Formats any guest value for display. */
export function inspect(value: unknown): string {
  return formatValue(value, 0, []);
}

/** Formats console arguments: strings print raw, %s %d %i %f %j %o %O %c substitute, the rest are inspected. */
export function formatArgs(args: readonly unknown[]): string {
  const parts: string[] = [];
  let start = 0;
  const first = args[0];
  if (typeof first === 'string' && args.length > 1) {
    start = 1;
    let out = '';
    let i = 0;
    while (i < first.length) {
      const ch = first[i];
      const next = first[i + 1];
      if (ch === '%' && next !== undefined) {
        if (next === '%') { out += '%'; i += 2; continue; }
        if (StringPrototypeIncludes('sdifjoOc', next) && start < args.length) {
          const arg = args[start++];
          out += substitute(next, arg);
          i += 2;
          continue;
        }
      }
      out += ch;
      i += 1;
    }
    ArrayPrototypePush(parts, out);
  }
  for (let i = start; i < args.length; i++) {
    const arg = args[i];
    ArrayPrototypePush(parts, typeof arg === 'string' ? arg : inspect(arg));
  }
  return ArrayPrototypeJoin(parts, ' ');
}

function substitute(spec: string, arg: unknown): string {
  switch (spec) {
    case 's': return typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null ? formatValue(arg, 1, []) : primitive(arg);
    case 'd': case 'i': {
      if (typeof arg === 'bigint') return `${StringCtor(arg)}n`;
      if (typeof arg === 'symbol') return 'NaN';
      const n = NumberCtor(arg);
      return StringCtor(spec === 'i' ? MathTrunc(n) : n);
    }
    case 'f': return typeof arg === 'symbol' ? 'NaN' : StringCtor(NumberCtor(arg));
    case 'j': try { return JSONStringify(arg) ?? 'undefined'; } catch { return '[Circular]'; }
    case 'c': return '';
    default: return inspect(arg);
  }
}

function primitive(value: unknown): string {
  switch (typeof value) {
    case 'string': return value;
    case 'bigint': return `${StringCtor(value)}n`;
    case 'symbol': return SymbolPrototypeToString(value);
    case 'number': return ObjectIs(value, -0) ? '-0' : StringCtor(value);
    default: return StringCtor(value);
  }
}

function quote(s: string): string {
  const limit = MathMin(s.length, MAX_STRING);
  let out = "'";
  for (let i = 0; i < limit; i++) {
    const ch = s[i];
    out += ch === "'" ? "\\'" : ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch;
  }
  if (s.length > MAX_STRING) out += `... ${s.length - MAX_STRING} more characters`;
  return `${out}'`;
}

/** Whether `key` can print unquoted; a char loop, because RegExp methods are patchable by the guest. */
function isIdentifier(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = StringPrototypeCharCodeAt(key, i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

function formatKey(key: string | symbol): string {
  if (typeof key === 'symbol') return `[${SymbolPrototypeToString(key)}]`;
  return isIdentifier(key) ? key : quote(key);
}

function formatValue(value: unknown, depth: number, seen: unknown[]): string {
  if (typeof value === 'string') return depth === 0 ? value : quote(value);
  if (typeof value === 'function') return formatFunction(value as (...a: unknown[]) => unknown);
  if (typeof value !== 'object' || value === null) return primitive(value);
  if (ArrayPrototypeIndexOf(seen, value) !== -1) return '[Circular]';
  // Typed arrays first: their toStringTag is a getter a guest may have replaced.
  const tag = isTypedArray(value) ? '[object TypedArray]' : ObjectPrototypeToString(value);
  if (tag === '[object Error]') return formatError(value);
  if (isDate(value)) {
    const time = DatePrototypeGetTime(value as Date);
    return time === time ? DatePrototypeToISOString(value as Date) : 'Invalid Date';
  }
  if (tag === '[object RegExp]') return StringCtor(value);
  if (depth > MAX_DEPTH) return ArrayIsArray(value) ? '[Array]' : `[${constructorName(value) ?? 'Object'}]`;
  ArrayPrototypePush(seen, value);
  try {
    return formatContainer(value, tag, depth, seen);
  } finally {
    seen.length -= 1;
  }
}

function formatContainer(value: object, tag: string, depth: number, seen: unknown[]): string {
  const items: string[] = [];
  let prefix = '';
  let open = '{';
  let close = '}';
  const skip: (string | symbol)[] = [];
  if (ArrayIsArray(value)) {
    open = '['; close = ']';
    const length = value.length;
    for (let i = 0; i < MathMin(length, MAX_ITEMS); i++) {
      ArrayPrototypePush(items, formatProperty(value, StringCtor(i), depth, seen, false));
    }
    if (length > MAX_ITEMS) ArrayPrototypePush(items, `... ${length - MAX_ITEMS} more items`);
    ArrayPrototypePush(skip, 'length');
  } else if (isTypedArray(value)) {
    const length = TypedArrayPrototypeGetLength(value);
    prefix = `${TypedArrayPrototypeGetToStringTag(value) ?? ''}(${length}) `;
    open = '['; close = ']';
    const view = value as unknown as ArrayLike<unknown>;
    for (let i = 0; i < MathMin(length, MAX_ITEMS); i++) ArrayPrototypePush(items, primitive(view[i]));
    if (length > MAX_ITEMS) ArrayPrototypePush(items, `... ${length - MAX_ITEMS} more items`);
    return `${prefix}${open} ${ArrayPrototypeJoin(items, ', ')} ${close}`;
  } else if (isMap(value)) {
    prefix = `Map(${MapPrototypeGetSize(value as Map<unknown, unknown>)}) `;
    const it = MapPrototypeEntries(value as Map<unknown, unknown>);
    for (let step = MapIteratorNext(it), n = 0; !step.done; step = MapIteratorNext(it), n++) {
      if (n === MAX_ITEMS) { ArrayPrototypePush(items, '...'); break; }
      const entry = step.value as [unknown, unknown];
      ArrayPrototypePush(items, `${formatValue(entry[0], depth + 1, seen)} => ${formatValue(entry[1], depth + 1, seen)}`);
    }
  } else if (isSet(value)) {
    prefix = `Set(${SetPrototypeGetSize(value as Set<unknown>)}) `;
    const it = SetPrototypeValues(value as Set<unknown>);
    for (let step = SetIteratorNext(it), n = 0; !step.done; step = SetIteratorNext(it), n++) {
      if (n === MAX_ITEMS) { ArrayPrototypePush(items, '...'); break; }
      ArrayPrototypePush(items, formatValue(step.value, depth + 1, seen));
    }
  } else if (tag === '[object Promise]') {
    return 'Promise { <opaque> }';
  } else {
    const name = constructorName(value);
    if (name === undefined) prefix = '[Object: null prototype] ';
    else if (name !== 'Object') prefix = `${name} `;
  }
  const keys = ReflectOwnKeys(value);
  let shown = 0;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string | symbol;
    if (ArrayIsArray(value) && typeof key === 'string' && isIndex(key)) continue;
    if (ArrayPrototypeIndexOf(skip, key) !== -1) continue;
    const desc = ObjectGetOwnPropertyDescriptor(value, key);
    if (desc === undefined || !desc.enumerable) continue;
    if (shown++ === MAX_ITEMS) { ArrayPrototypePush(items, '...'); break; }
    ArrayPrototypePush(items, formatProperty(value, key, depth, seen, true));
  }
  if (items.length === 0) return `${prefix}${open}${close}`;
  const single = `${prefix}${open} ${ArrayPrototypeJoin(items, ', ')} ${close}`;
  if (single.length <= 80 - depth * 2) return single;
  const indent = StringPrototypeRepeat('  ', depth + 1);
  return `${prefix}${open}\n${indent}${ArrayPrototypeJoin(items, `,\n${indent}`)}\n${StringPrototypeRepeat('  ', depth)}${close}`;
}

function isIndex(key: string): boolean {
  const n = NumberCtor(key);
  return NumberIsInteger(n) && n >= 0 && StringCtor(n) === key;
}

function formatProperty(obj: object, key: string | symbol, depth: number, seen: unknown[], named: boolean): string {
  const desc = ObjectGetOwnPropertyDescriptor(obj, key);
  let shown: string;
  if (desc === undefined) shown = '<empty item>';
  else if (ObjectHasOwn(desc, 'value')) shown = formatValue(desc.value, depth + 1, seen);
  else shown = desc.get !== undefined ? (desc.set !== undefined ? '[Getter/Setter]' : '[Getter]') : '[Setter]';
  return named ? `${formatKey(key)}: ${shown}` : shown;
}

function constructorName(value: object): string | undefined {
  let proto: unknown;
  try { proto = ObjectGetPrototypeOf(value); } catch { return 'Object'; }
  if (proto === null) return undefined;
  try {
    const desc = ObjectGetOwnPropertyDescriptor(proto as object, 'constructor');
    const ctor = desc !== undefined && ObjectHasOwn(desc, 'value') ? desc.value : undefined;
    if (typeof ctor === 'function') {
      const nameDesc = ObjectGetOwnPropertyDescriptor(ctor, 'name');
      if (nameDesc !== undefined && typeof nameDesc.value === 'string' && nameDesc.value !== '') return nameDesc.value;
    }
  } catch { /* a hostile proxy: fall through */ }
  return 'Object';
}

function formatFunction(fn: (...a: unknown[]) => unknown): string {
  const desc = ObjectGetOwnPropertyDescriptor(fn, 'name');
  const name = desc !== undefined && typeof desc.value === 'string' && desc.value !== '' ? desc.value : '';
  let source = '';
  try { source = FunctionPrototypeToString(fn); } catch { /* revoked proxy */ }
  const kind = StringPrototypeSlice(source, 0, 5) === 'class' ? 'class' : 'Function';
  return name === '' ? `[${kind} (anonymous)]` : `[${kind}: ${name}]`;
}

function formatError(error: object): string {
  let stack: unknown;
  try { stack = (error as { stack?: unknown }).stack; } catch { /* a throwing accessor */ }
  if (typeof stack === 'string') return stack;
  const name = ObjectGetOwnPropertyDescriptor(error, 'name') ?? ObjectGetOwnPropertyDescriptor(ObjectGetPrototypeOf(error) as object, 'name');
  const message = ObjectGetOwnPropertyDescriptor(error, 'message');
  const n = name !== undefined && ObjectHasOwn(name, 'value') ? StringCtor(name.value) : 'Error';
  const m = message !== undefined && ObjectHasOwn(message, 'value') ? StringCtor(message.value) : '';
  return m === '' ? `[${n}]` : `${n}: ${m}`;
}
