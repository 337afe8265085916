/** AbortController and AbortSignal (https://dom.spec.whatwg.org/#aborting-ongoing-activities). */
import { ArrayPrototypePush, ObjectDefineProperty, TypeErrorCtor, NumberCtor } from './00-primordials.ts';
import { DOMException } from './01-dom-exception.ts';
import { Event, EventTarget, registerAbortSignal, reportException } from './04-event.ts';

let createSignal: () => AbortSignal;
let signalAbort: (signal: AbortSignal, reason: unknown) => void;
let isSignal: (value: unknown) => value is AbortSignal;
let addAlgorithm: (signal: AbortSignal, algorithm: () => void) => void;
let removeAlgorithm: (signal: AbortSignal, algorithm: () => void) => void;
/** Whether a value is an AbortSignal (brand check, not instanceof). */
export function isAbortSignal(value: unknown): value is AbortSignal { return isSignal(value); }
/** Adds an abort algorithm (https://dom.spec.whatwg.org/#abortsignal-add): run when the signal aborts, before its abort event. */
export function addAbortAlgorithm(signal: AbortSignal, algorithm: () => void): void { addAlgorithm(signal, algorithm); }
/** Removes an abort algorithm (https://dom.spec.whatwg.org/#abortsignal-remove). */
export function removeAbortAlgorithm(signal: AbortSignal, algorithm: () => void): void { removeAlgorithm(signal, algorithm); }
/** A new AbortSignal that is not aborted (what `new AbortController().signal` gives). */
export function newAbortSignal(): AbortSignal { return createSignal(); }
/** A signal that follows `signal` (https://dom.spec.whatwg.org/#create-a-dependent-abort-signal, with one source). */
export function dependentSignal(signal: AbortSignal): AbortSignal { return createDependent([signal]); }
let createDependent: (signals: readonly AbortSignal[]) => AbortSignal;
/** Set by boot: starts a host timer that calls `fn` (used by AbortSignal.timeout). */
let startTimer: (fn: () => void, ms: number) => void = () => { throw new TypeErrorCtor('timers are not available'); };
/** Connects AbortSignal.timeout to the context's timers. */
export function setAbortTimer(fn: typeof startTimer): void { startTimer = fn; }

const CONSTRUCT = {};

/** https://dom.spec.whatwg.org/#interface-AbortSignal */
export class AbortSignal extends EventTarget {
  #aborted = false;
  #reason: unknown = undefined;
  #algorithms: (() => void)[] = [];
  #onabort: ((event: Event) => unknown) | null = null;
  #dependent = false;
  #sources: AbortSignal[] = [];
  #dependents: AbortSignal[] = [];

  constructor(token?: unknown) {
    if (token !== CONSTRUCT) throw new TypeErrorCtor('Illegal constructor');
    super();
  }

  static {
    createSignal = () => new AbortSignal(CONSTRUCT);
    signalAbort = (signal, reason) => {
      // https://dom.spec.whatwg.org/#abortsignal-signal-abort
      if (signal.#aborted) return;
      signal.#aborted = true;
      signal.#reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
      const toAbort: AbortSignal[] = [];
      for (let i = 0; i < signal.#dependents.length; i++) {
        const dep = signal.#dependents[i] as AbortSignal;
        if (!dep.#aborted) { dep.#aborted = true; dep.#reason = signal.#reason; ArrayPrototypePush(toAbort, dep); }
      }
      signal.#runAbortSteps();
      for (let i = 0; i < toAbort.length; i++) (toAbort[i] as AbortSignal).#runAbortSteps();
    };
    isSignal = (value): value is AbortSignal => typeof value === 'object' && value !== null && #aborted in value;
    addAlgorithm = (signal, algorithm) => { signal.#addAlgorithm(algorithm); };
    removeAlgorithm = (signal, algorithm) => {
      const list = signal.#algorithms;
      for (let i = 0; i < list.length; i++) {
        if (list[i] !== algorithm) continue;
        for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j] as () => void;
        list.length -= 1;
        return;
      }
    };
    registerAbortSignal(isSignal, (signal, algorithm) => { (signal as AbortSignal).#addAlgorithm(algorithm); });
  }

  #runAbortSteps(): void {
    const algorithms = this.#algorithms;
    this.#algorithms = [];
    for (let i = 0; i < algorithms.length; i++) {
      try { (algorithms[i] as () => void)(); } catch (error) { reportException(error); }
    }
    this.dispatchEvent(new Event('abort'));
  }

  #addAlgorithm(algorithm: () => void): void {
    if (!this.#aborted) ArrayPrototypePush(this.#algorithms, algorithm);
  }

  get aborted(): boolean { return this.#aborted; }
  get reason(): unknown { return this.#reason; }
  throwIfAborted(): void { if (this.#aborted) throw this.#reason; }

  get onabort(): ((event: Event) => unknown) | null { return this.#onabort; }
  set onabort(handler: ((event: Event) => unknown) | null) {
    if (this.#onabort !== null) this.removeEventListener('abort', this.#onabort);
    this.#onabort = typeof handler === 'function' ? handler : null;
    if (this.#onabort !== null) this.addEventListener('abort', this.#onabort);
  }

  /** A signal that is already aborted. */
  static abort(reason?: unknown): AbortSignal {
    const signal = createSignal();
    signal.#aborted = true;
    signal.#reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    return signal;
  }

  /** A signal that aborts with a TimeoutError after `milliseconds`. */
  static timeout(milliseconds: number): AbortSignal {
    const ms = NumberCtor(milliseconds);
    if (!(ms >= 0) || ms > 9007199254740991) throw new TypeErrorCtor("Failed to execute 'timeout' on 'AbortSignal': Value is outside the 'unsigned long long' value range.");
    const signal = createSignal();
    startTimer(() => { signalAbort(signal, new DOMException('The operation was aborted due to timeout', 'TimeoutError')); }, ms);
    return signal;
  }

  /** A signal that aborts when any of `signals` does (https://dom.spec.whatwg.org/#create-a-dependent-abort-signal). */
  static any(signals: Iterable<AbortSignal>): AbortSignal {
    const list: AbortSignal[] = [];
    for (const s of signals) {
      if (typeof s !== 'object' || s === null || !(#aborted in s)) throw new TypeErrorCtor("Failed to execute 'any' on 'AbortSignal': an element is not of type AbortSignal.");
      ArrayPrototypePush(list, s);
    }
    return createDependent(list);
  }

  static {
    createDependent = (list) => {
      const result = createSignal();
      for (let i = 0; i < list.length; i++) {
        const s = list[i] as AbortSignal;
        if (s.#aborted) { result.#aborted = true; result.#reason = s.#reason; return result; }
      }
      result.#dependent = true;
      for (let i = 0; i < list.length; i++) {
        const s = list[i] as AbortSignal;
        const sources = s.#dependent ? s.#sources : [s];
        for (let j = 0; j < sources.length; j++) {
          const source = sources[j] as AbortSignal;
          ArrayPrototypePush(result.#sources, source);
          ArrayPrototypePush(source.#dependents, result);
        }
      }
      return result;
    };
  }
}
ObjectDefineProperty(AbortSignal.prototype, Symbol.toStringTag, { value: 'AbortSignal', configurable: true });

/** https://dom.spec.whatwg.org/#interface-abortcontroller */
export class AbortController {
  readonly #signal = createSignal();
  get signal(): AbortSignal { return this.#signal; }
  abort(reason?: unknown): void { signalAbort(this.#signal, reason); }
}
ObjectDefineProperty(AbortController.prototype, Symbol.toStringTag, { value: 'AbortController', configurable: true });
