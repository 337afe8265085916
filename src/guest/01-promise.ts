/**
 * Promise steps that read nothing a guest can replace. `Promise.prototype.then` looks up the
 * promise's `constructor` and `Promise[Symbol.species]` (SpeciesConstructor), `await` looks up
 * `constructor`, and resolving a promise with an object looks up its `then`. So the prelude chains
 * promises with `promiseThen`, never awaits its own promises, and resolves them only with values
 * that cannot be thenables (primitives, or objects without a prototype).
 */
import {
  ObjectGetOwnPropertyDescriptor, ObjectHasOwn, PromiseCtor, PromisePrototypeThen, PromiseReject, PromiseResolve, ReflectDefineProperty,
  ReflectDeleteProperty,
} from './00-primordials.ts';

const PromisePrototype = PromiseCtor.prototype;
const SymbolSpecies: typeof Symbol.species = Symbol.species;
const speciesGetter = ObjectGetOwnPropertyDescriptor(PromiseCtor, SymbolSpecies)?.get;
/** An own `constructor` of undefined makes SpeciesConstructor return %Promise% without a lookup. */
const DEFAULT_SPECIES = { __proto__: null, value: undefined, configurable: true } as PropertyDescriptor;

/**
 * Whether `then` on a promise without an own `constructor` would find Promise.prototype.constructor
 * and Promise[Symbol.species] as the platform made them (so it reads nothing a guest wrote).
 * Reading the descriptors runs no guest code.
 */
function speciesIntact(): boolean {
  const ctor = ObjectGetOwnPropertyDescriptor(PromisePrototype, 'constructor');
  if (ctor === undefined || !ObjectHasOwn(ctor, 'value') || ctor.value !== PromiseCtor) return false;
  const species = ObjectGetOwnPropertyDescriptor(PromiseCtor, SymbolSpecies);
  return species !== undefined && ObjectHasOwn(species, 'get') && species.get === speciesGetter;
}

/**
 * `promise.then(onFulfilled, onRejected)`, whose new promise is a %Promise% whatever a guest did
 * to Promise.prototype.constructor or Promise[Symbol.species]: when either was changed, a
 * temporary own `constructor` hides them from `then`. A promise that has an own `constructor`
 * already (the guest set it on its own promise) or is frozen gets a plain `then`.
 */
export function promiseThen<T, R = unknown>(promise: Promise<T>, onFulfilled?: ((value: T) => R) | undefined, onRejected?: ((reason: unknown) => R) | undefined): Promise<R> {
  const then = PromisePrototypeThen as (p: Promise<T>, f?: (value: T) => R, r?: (reason: unknown) => R) => Promise<R>;
  if (ObjectHasOwn(promise, 'constructor') || speciesIntact() || !ReflectDefineProperty(promise, 'constructor', DEFAULT_SPECIES)) {
    return then(promise, onFulfilled, onRejected);
  }
  try {
    return then(promise, onFulfilled, onRejected);
  } finally {
    ReflectDeleteProperty(promise, 'constructor');
  }
}

/** `new Promise(executor)`, with the captured constructor. */
export function newPromise<T>(executor: (resolve: (value: T) => void, reject: (reason: unknown) => void) => void): Promise<T> {
  return new PromiseCtor<T>(executor);
}

/**
 * A promise resolved with `value` (https://webidl.spec.whatwg.org/#a-promise-resolved-with): the
 * value itself when it is a %Promise% (which reads its `constructor`, as the standard does), else
 * a new promise resolved with it (which reads `then` when it is an object).
 */
export const promiseResolve = PromiseResolve as <T>(value: T) => Promise<Awaited<T>>;

/** A promise rejected with `reason`. */
export const promiseReject = PromiseReject as <T = never>(reason: unknown) => Promise<T>;

/** Marks a promise as handled, so its rejection is not reported as unhandled. */
export function markHandled(promise: Promise<unknown>): void {
  promiseThen(promise, undefined, () => undefined);
}

const resolved = PromiseResolve(undefined);
ReflectDefineProperty(resolved, 'constructor', { __proto__: null, value: undefined } as PropertyDescriptor);
/** Queues `fn` as a microtask (an exception in it is an unhandled rejection, as in queueMicrotask). */
export function queueMicrotaskSafely(fn: () => void): void {
  promiseThen(resolved, fn);
}
