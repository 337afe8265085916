// Traps for hostile-guest tests. `hostile(body)` replaces built-ins with functions and accessors
// that record their name (and throw), runs `body` against the platform's Web APIs, restores the
// built-ins and returns what `body` returned with `trapped`: the traps that were reached, '' when
// none was. It installs after the platform loaded, as a guest would.
//
// Trapped: Array.prototype methods and [Symbol.iterator], the array and generator iterators' next,
// Array statics and species; Promise.prototype then/catch/finally, Promise statics and species;
// Object statics and Object.prototype methods; accessors on Object.prototype that
// Object.defineProperty would read from a descriptor (get, set, value, writable, enumerable,
// configurable) and accessors named like the streams' internal fields (`_state`, `_reader`...);
// Function.prototype call/apply/bind/toString; Reflect; typed-array, ArrayBuffer and DataView
// methods and getters and the `constructor` lookups of species creation; String, RegExp, Number,
// Map, Set, WeakMap, WeakSet, JSON, Math and Date methods; and every configurable global
// (constructors, namespaces, queueMicrotask, structuredClone, the Web API classes...) as a getter.
//
// Two lookups are allowed on values the test itself handles, because the standards make them there:
// `then` (read when a promise is resolved with an object) and a promise's `constructor` (read by
// `await`). Object.prototype.then and Promise.prototype.constructor are recording getters; a
// lookup on a value the test did not mark with `mine` (or get through `wait`) counts as trapped.
//
// While traps are in, `body` may use only what was captured before (`saved`), index loops, and
// `await` on promises passed through `wait`.
import { assert } from './harness.ts';

const apply = Reflect.apply;
const construct = Reflect.construct;
const ownKeys = Reflect.ownKeys;
const getOwn = Object.getOwnPropertyDescriptor;
const define = Object.defineProperty;
const setProto = Object.setPrototypeOf;
const getProto = Object.getPrototypeOf;
const objectToString = Object.prototype.toString;
const SavedError = Error;
const SavedPromise = Promise;
const SavedUint8Array = Uint8Array;
const symbolIterator = Symbol.iterator;
const symbolSpecies = Symbol.species;
const symbolToStringTag = Symbol.toStringTag;
const regExpMethods = ['exec', 'test', 'toString', Symbol.match, Symbol.matchAll, Symbol.replace, Symbol.search, Symbol.split];
const G = globalThis as unknown as Record<PropertyKey, unknown>;
const TypedArray = getProto(Uint8Array) as object;
const TypedArrayPrototype = getProto(Uint8Array.prototype) as object;
const ArrayIteratorPrototype = getProto([][Symbol.iterator]()) as object;
const GeneratorPrototype = getProto(getProto((function* () { /* a generator */ })())) as object;

/** Built-ins the test code may use while traps are in. */
export const saved = {
  apply, Error: SavedError, Promise: SavedPromise, Uint8Array, ArrayBuffer, DataView, Symbol,
  lengthOf: (getOwn(TypedArrayPrototype, 'length') as PropertyDescriptor).get as (this: unknown) => number,
  generatorNext: (GeneratorPrototype as { next: (this: unknown) => IteratorResult<unknown> }).next,
};

/**
 * The `_`-prefixed own property names of the objects reachable from `roots` through such
 * properties: the stream polyfill's internal fields. A guest could define accessors with these
 * names on Object.prototype; the traps do.
 */
function internalNames(roots: readonly object[]): string[] {
  const names: string[] = [];
  const seen: object[] = [];
  const visit = (value: unknown, depth: number): void => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || depth > 8 || seen.includes(value)) return;
    seen.push(value);
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key !== 'string' || key[0] !== '_') continue;
      if (!names.includes(key)) names.push(key);
      visit((value as Record<string, unknown>)[key], depth + 1);
    }
  };
  for (const root of roots) visit(root, 0);
  return names.sort();
}

/** Streams of every kind, with readers, writers, a BYOB request and an async iterator. */
function streamSamples(): object[] {
  const readable = new ReadableStream({ start(c) { c.enqueue(1); } });
  const reader = readable.getReader();
  void reader.read();
  let controller: ReadableByteStreamController | undefined;
  const bytes = new ReadableStream({ type: 'bytes', start(c) { controller = c; } });
  const byob = bytes.getReader({ mode: 'byob' });
  void byob.read(new Uint8Array(1));
  const request = controller?.byobRequest;
  const writable = new WritableStream();
  const writer = writable.getWriter();
  void writer.write(1);
  const transform = new TransformStream();
  const iterator = new ReadableStream().values();
  return [readable, reader, bytes, byob, request ?? {}, writable, writer, transform, iterator,
    new CountQueuingStrategy({ highWaterMark: 1 }), new ByteLengthQueuingStrategy({ highWaterMark: 1 })];
}
const INTERNAL_NAMES = internalNames(streamSamples());

type Key = string | symbol;
const symbolDescription = (getOwn(Symbol.prototype, 'description') as PropertyDescriptor).get as (this: symbol) => string;
const keyName = (key: Key): string => typeof key === 'symbol' ? `[${apply(symbolDescription, key, [])}]` : `.${key}`;

/** What a hostile body gets: `mine` marks a value as the test's own, `wait` awaits an API promise. */
export interface Tools {
  mine<T>(value: T): T;
  wait<T>(promise: Promise<T>): Promise<T>;
}

/**
 * Runs `body` under the traps; returns its result and the traps it (or the platform) reached.
 * With `passThrough`, a trap records its name and then behaves as the built-in it replaced, so one
 * run lists every trap reached (a diagnostic: the tests use traps that throw).
 */
export async function hostile<T>(body: (tools: Tools) => Promise<T>, options: { passThrough?: boolean } = {}): Promise<{ trapped: string; result: T | undefined; error: unknown }> {
  const passThrough = options.passThrough === true;
  const hits: string[] = [];
  /** Records a trap reached (each name once, in the order first reached). */
  const hit = (name: string): void => {
    for (let i = 0; i < hits.length; i++) if (hits[i] === name) return;
    hits[hits.length] = name;
  };
  const restores: (() => void)[] = [];
  const mineList: unknown[] = [];
  const thenSeen: unknown[] = [];
  const constructorSeen: unknown[] = [];
  const keep = (fn: () => void): void => { restores[restores.length] = fn; };
  const savedOf = (owner: object, key: Key): PropertyDescriptor | undefined => {
    const d = getOwn(owner, key);
    if (d !== undefined) setProto(d, null);
    return d;
  };
  const replace = (owner: object, key: Key, descriptor: PropertyDescriptor): void => {
    const before = savedOf(owner, key);
    if (before !== undefined && before.configurable !== true) return;
    define(owner, key, descriptor);
    keep(() => { if (before === undefined) delete (owner as Record<Key, unknown>)[key]; else define(owner, key, before); });
  };
  const methods = (owner: object, label: string, keys: readonly Key[]): void => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as Key;
      if (getOwn(owner, key) === undefined) continue;
      const name = `${label}${keyName(key)}`;
      const original = (getOwn(owner, key) as PropertyDescriptor).value as (...args: unknown[]) => unknown;
      const trap = function (this: unknown, ...args: unknown[]): unknown {
        hit(name);
        if (passThrough) return new.target === undefined ? apply(original, this, args) : construct(original, args, new.target);
        throw new SavedError(`trap ${name}`);
      };
      replace(owner, key, { __proto__: null, value: trap, writable: true, configurable: true } as PropertyDescriptor);
    }
  };
  const accessors = (owner: object, label: string, keys: readonly Key[]): void => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as Key;
      const name = `${label}${keyName(key)}`;
      const before = savedOf(owner, key);
      const get = function (this: unknown): unknown {
        hit(`get ${name}`);
        if (!passThrough) throw new SavedError(`trap ${name}`);
        if (before === undefined) return undefined;
        return 'value' in before ? before.value : before.get === undefined ? undefined : apply(before.get, this, []);
      };
      const set = function (this: unknown, value: unknown): void {
        hit(`set ${name}`);
        if (!passThrough) throw new SavedError(`trap ${name}`);
        if (before !== undefined && before.set !== undefined) apply(before.set, this, [value]);
        else define(this as object, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
      };
      replace(owner, key, { __proto__: null, get, set, configurable: true } as PropertyDescriptor);
    }
  };
  const mine = <V>(value: V): V => { mineList[mineList.length] = value; return value; };
  const isMine = (value: unknown): boolean => {
    for (let i = 0; i < mineList.length; i++) if (mineList[i] === value) return true;
    return false;
  };
  const wait = <V>(promise: Promise<V>): Promise<V> => {
    mine(promise);
    return mine((async () => mine(await promise))());
  };

  // The caller awaits this function's promise before the traps go in.
  await undefined;
  // Recording getters: the lookups the standards make on values the test handles.
  replace(Object.prototype, 'then', {
    __proto__: null, configurable: true,
    get(this: unknown) { thenSeen[thenSeen.length] = this; return undefined; },
  } as PropertyDescriptor);
  replace(SavedPromise.prototype, 'constructor', {
    __proto__: null, configurable: true,
    get(this: unknown) { constructorSeen[constructorSeen.length] = this; return SavedPromise; },
  } as PropertyDescriptor);
  methods(SavedPromise.prototype, 'Promise.prototype', ['then', 'catch', 'finally']);
  methods(SavedPromise, 'Promise', ['resolve', 'reject', 'all', 'allSettled', 'any', 'race', 'withResolvers', 'try']);
  methods(Reflect, 'Reflect', ['apply', 'construct', 'defineProperty', 'deleteProperty', 'get', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'has', 'ownKeys', 'set', 'setPrototypeOf']);
  methods(Object, 'Object', ['assign', 'create', 'defineProperties', 'defineProperty', 'entries', 'freeze', 'fromEntries', 'getOwnPropertyDescriptor', 'getOwnPropertyDescriptors', 'getOwnPropertyNames', 'getOwnPropertySymbols', 'getPrototypeOf', 'groupBy', 'hasOwn', 'is', 'isFrozen', 'keys', 'seal', 'setPrototypeOf', 'values']);
  methods(Object.prototype, 'Object.prototype', ['hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'toString', 'valueOf']);
  methods(Function.prototype, 'Function.prototype', ['apply', 'bind', 'call', 'toString']);
  methods(TypedArrayPrototype, '%TypedArray%.prototype', ['entries', 'fill', 'filter', 'forEach', 'includes', 'indexOf', 'join', 'keys', 'map', 'set', 'slice', 'subarray', 'values', symbolIterator]);
  accessors(TypedArrayPrototype, '%TypedArray%.prototype', ['buffer', 'byteLength', 'byteOffset', 'length', symbolToStringTag]);
  accessors(TypedArray, '%TypedArray%', [symbolSpecies]);
  accessors(Uint8Array.prototype, 'Uint8Array.prototype', ['constructor']);
  methods(ArrayBuffer.prototype, 'ArrayBuffer.prototype', ['resize', 'slice', 'transfer', 'transferToFixedLength']);
  accessors(ArrayBuffer.prototype, 'ArrayBuffer.prototype', ['byteLength', 'constructor', 'detached', 'maxByteLength', 'resizable']);
  accessors(ArrayBuffer, 'ArrayBuffer', [symbolSpecies]);
  accessors(DataView.prototype, 'DataView.prototype', ['buffer', 'byteLength', 'byteOffset']);
  accessors(SavedPromise, 'Promise', [symbolSpecies]);
  methods(GeneratorPrototype, '%GeneratorPrototype%', ['next', 'return', 'throw']);
  methods(String.prototype, 'String.prototype', [
    'at', 'charAt', 'charCodeAt', 'codePointAt', 'concat', 'endsWith', 'includes', 'indexOf', 'lastIndexOf', 'match', 'matchAll',
    'normalize', 'padEnd', 'padStart', 'repeat', 'replace', 'replaceAll', 'search', 'slice', 'split', 'startsWith', 'substring',
    'toLowerCase', 'toString', 'toUpperCase', 'toWellFormed', 'trim', 'trimEnd', 'trimStart', 'valueOf', symbolIterator,
  ]);
  methods(RegExp.prototype, 'RegExp.prototype', regExpMethods);
  accessors(RegExp.prototype, 'RegExp.prototype', ['flags', 'global', 'source']);
  methods(Number.prototype, 'Number.prototype', ['toString', 'toFixed', 'valueOf']);
  methods(Map.prototype, 'Map.prototype', ['clear', 'delete', 'entries', 'forEach', 'get', 'has', 'keys', 'set', 'values', symbolIterator]);
  methods(Set.prototype, 'Set.prototype', ['add', 'clear', 'delete', 'entries', 'forEach', 'has', 'keys', 'values', symbolIterator]);
  methods(WeakMap.prototype, 'WeakMap.prototype', ['delete', 'get', 'has', 'set']);
  methods(WeakSet.prototype, 'WeakSet.prototype', ['add', 'delete', 'has']);
  methods(JSON, 'JSON', ['parse', 'stringify']);
  methods(Math, 'Math', ['floor', 'max', 'min', 'trunc']);
  methods(Date, 'Date', ['now']);
  methods(ArrayIteratorPrototype, '%ArrayIteratorPrototype%', ['next']);
  // Read by Object.defineProperty from a descriptor that inherits from Object.prototype.
  accessors(Object.prototype, 'Object.prototype', ['get', 'set', 'value', 'writable', 'enumerable', 'configurable']);
  // Named like the streams' internal fields.
  accessors(Object.prototype, 'Object.prototype', INTERNAL_NAMES);
  methods(Array, 'Array', ['from', 'isArray', 'of']);
  accessors(Array, 'Array', [symbolSpecies]);
  accessors(Array.prototype, 'Array.prototype', ['constructor']);
  // Array.prototype last but one: the loops above iterate arrays by index only.
  methods(Array.prototype, 'Array.prototype', [
    'at', 'concat', 'entries', 'every', 'fill', 'filter', 'find', 'findIndex', 'findLast', 'flat', 'flatMap', 'forEach',
    'includes', 'indexOf', 'join', 'keys', 'lastIndexOf', 'map', 'pop', 'push', 'reduce', 'reverse', 'shift', 'slice',
    'some', 'sort', 'splice', 'toString', 'unshift', 'values', symbolIterator,
  ]);
  // Every global the platform could look up by name: constructors, namespaces, functions, Web APIs.
  const globals = ownKeys(G);
  const globalNames: string[] = [];
  for (let i = 0; i < globals.length; i++) if (typeof globals[i] === 'string') globalNames[globalNames.length] = globals[i] as string;
  accessors(G, 'globalThis', globalNames);

  let result: T | undefined;
  let error: unknown;
  try {
    result = await wait(body({ mine, wait }));
  } catch (e) {
    error = e;
  } finally {
    for (let i = restores.length - 1; i >= 0; i--) (restores[i] as () => void)();
  }
  const describe = (value: unknown): string => typeof value === 'object' && value !== null ? apply(objectToString, value, []) as string : typeof value;
  for (let i = 0; i < thenSeen.length; i++) if (!isMine(thenSeen[i])) hit(`get Object.prototype.then on ${describe(thenSeen[i])}`);
  for (let i = 0; i < constructorSeen.length; i++) if (!isMine(constructorSeen[i])) hit(`get Promise.prototype.constructor on ${describe(constructorSeen[i])}`);
  return { trapped: hits.join('; '), result, error };
}

/** Runs `body` under the traps (throwing ones) and asserts that it reached none and returned `expected`. */
export async function check(body: (t: Tools) => Promise<unknown>, expected: unknown): Promise<void> {
  const { trapped, result, error } = await hostile(body);
  if (error !== undefined) throw new Error(`the body threw ${String(error)}; trapped: ${trapped}`);
  assert.equal(trapped, '', 'traps reached');
  assert.deepEqual(result, expected);
}

/** An iterable with its own iterator (an array would use the trapped array iterator). */
export function seq<T>(items: readonly T[]): Iterable<T> {
  return { [symbolIterator]() { let i = 0; return { next: () => (i < items.length ? { value: items[i++] as T, done: false } : { value: undefined as never, done: true }) }; } };
}

/** A byte array from numbers (`new Uint8Array([...])` would use the trapped array iterator). */
export function u8(items: readonly number[]): Uint8Array {
  const out = new SavedUint8Array(items.length);
  for (let i = 0; i < items.length; i++) out[i] = items[i] as number;
  return out;
}

/** The values of a typed array, as a plain array (read without the trapped `length` getter). */
export function list(view: Uint8Array): number[] {
  const out: number[] = [];
  const n = apply(saved.lengthOf, view, []) as number;
  for (let i = 0; i < n; i++) out[i] = view[i] as number;
  return out;
}
