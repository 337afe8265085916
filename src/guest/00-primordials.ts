/**
 * Built-ins captured before any guest code runs, so a guest that patches prototypes or globals
 * cannot break or hijack the prelude. Every prelude module uses these, never the live globals.
 */
const uncurry = <T, A extends unknown[], R>(fn: (this: T, ...args: A) => R) =>
  (self: T, ...args: A): R => Reflect.apply(fn, self, args);

export const ReflectApply = Reflect.apply;
export const ReflectOwnKeys = Reflect.ownKeys;
export const ObjectFreeze = Object.freeze;
export const ObjectCreate = Object.create;
export const ObjectDefineProperty = Object.defineProperty;
export const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const ObjectGetPrototypeOf = Object.getPrototypeOf;
export const ObjectIs = Object.is;
export const ObjectPrototypeToString = uncurry(Object.prototype.toString as (this: unknown) => string);
export const ArrayIsArray = Array.isArray;
export const ArrayPrototypePush = uncurry(Array.prototype.push as (this: unknown[], ...items: unknown[]) => number);
export const ArrayPrototypeJoin = uncurry(Array.prototype.join as (this: unknown[], sep?: string) => string);
export const ArrayPrototypeIndexOf = uncurry(Array.prototype.indexOf as (this: unknown[], item: unknown) => number);
export const ArrayPrototypeSlice = uncurry(Array.prototype.slice as (this: unknown[], start?: number, end?: number) => unknown[]);
export const StringCtor = String;
export const StringPrototypeSlice = uncurry(String.prototype.slice);
export const StringPrototypeSplit = uncurry(String.prototype.split as (this: string, sep: string) => string[]);
export const StringPrototypeReplace = uncurry(String.prototype.replace as (this: string, re: RegExp, to: string) => string);
export const StringPrototypeIncludes = uncurry(String.prototype.includes);
export const StringPrototypeCharCodeAt = uncurry(String.prototype.charCodeAt);
export const RegExpPrototypeTest = uncurry(RegExp.prototype.test);
export const JSONStringify = JSON.stringify;
export const NumberIsInteger = Number.isInteger;
export const SymbolPrototypeToString = uncurry(Symbol.prototype.toString);
export const SymbolToStringTag = Symbol.toStringTag;
export const FunctionPrototypeToString = uncurry(Function.prototype.toString);
export const DatePrototypeToISOString = uncurry(Date.prototype.toISOString);
export const DatePrototypeGetTime = uncurry(Date.prototype.getTime);
export const ErrorCtor = Error;
export const TypeErrorCtor = TypeError;
export const PromiseCtor = Promise;
export const PromiseResolve = Promise.resolve.bind(Promise);
export const PromisePrototypeThen = uncurry(Promise.prototype.then as (this: Promise<unknown>, ok?: (v: unknown) => unknown, err?: (e: unknown) => unknown) => Promise<unknown>);
export const SafeMap = Map;
export const MapPrototypeGet = uncurry(Map.prototype.get as (this: Map<unknown, unknown>, k: unknown) => unknown);
export const MapPrototypeSet = uncurry(Map.prototype.set as (this: Map<unknown, unknown>, k: unknown, v: unknown) => Map<unknown, unknown>);
export const MapPrototypeHas = uncurry(Map.prototype.has as (this: Map<unknown, unknown>, k: unknown) => boolean);
export const MapPrototypeDelete = uncurry(Map.prototype.delete as (this: Map<unknown, unknown>, k: unknown) => boolean);
export const MapPrototypeEntries = uncurry(Map.prototype.entries as (this: Map<unknown, unknown>) => IterableIterator<[unknown, unknown]>);
export const MapPrototypeGetSize = uncurry(ObjectGetOwnPropertyDescriptor(Map.prototype, 'size')?.get as (this: Map<unknown, unknown>) => number);
export const SetPrototypeValues = uncurry(Set.prototype.values as (this: Set<unknown>) => IterableIterator<unknown>);
export const SetPrototypeGetSize = uncurry(ObjectGetOwnPropertyDescriptor(Set.prototype, 'size')?.get as (this: Set<unknown>) => number);
export const MapIteratorNext = uncurry(ObjectGetPrototypeOf(new Map().entries()).next as (this: Iterator<unknown>) => IteratorResult<unknown>);
export const SetIteratorNext = uncurry(ObjectGetPrototypeOf(new Set().values()).next as (this: Iterator<unknown>) => IteratorResult<unknown>);
export const WeakSetCtor = WeakSet;
export const WeakSetPrototypeAdd = uncurry(WeakSet.prototype.add as (this: WeakSet<object>, v: object) => WeakSet<object>);
export const WeakSetPrototypeHas = uncurry(WeakSet.prototype.has as (this: WeakSet<object>, v: object) => boolean);
export const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype) as object;
export const TypedArrayPrototypeGetLength = uncurry(ObjectGetOwnPropertyDescriptor(TypedArrayPrototype, 'length')?.get as (this: unknown) => number);
export const TypedArrayPrototypeGetToStringTag = uncurry(ObjectGetOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag)?.get as (this: unknown) => string | undefined);
export const ArrayBufferIsView = ArrayBuffer.isView;
export const MathMin = Math.min;
export const MathTrunc = Math.trunc;
export const NumberCtor = Number;
export const StringPrototypeRepeat = uncurry(String.prototype.repeat);
export const globalObject = globalThis;
