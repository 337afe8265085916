/** Event, CustomEvent and EventTarget (https://dom.spec.whatwg.org/#events), for targets without a tree. */
import {
  ArrayPrototypePush, DateNow, MapPrototypeGet, MapPrototypeSet,
  ObjectDefineProperty, ReflectApply, SafeMap, StringCtor, TypeErrorCtor,
} from './00-primordials.ts';
import { DOMException } from './01-dom-exception.ts';
import { timeOrigin } from './02-clock.ts';
import { removeAt } from './02-entry-list.ts';


/** Reports an exception thrown by a listener (set by the prelude's boot to write to stderr). */
export let reportException: (error: unknown) => void = () => {};
/** Sets where listener exceptions are reported. */
export function setReportException(fn: (error: unknown) => void): void { reportException = fn; }

interface EventInit { bubbles?: boolean; cancelable?: boolean; composed?: boolean }

let setDispatchState: (event: Event, target: EventTarget | null, phase: number, dispatching: boolean) => void;
let setPassive: (event: Event, passive: boolean) => void;
let isStoppedImmediately: (event: Event) => boolean;
let isEvent: (value: unknown) => value is Event;
let isDispatching: (event: Event) => boolean;

/** https://dom.spec.whatwg.org/#interface-event */
export class Event {
  static readonly NONE = 0;
  static readonly CAPTURING_PHASE = 1;
  static readonly AT_TARGET = 2;
  static readonly BUBBLING_PHASE = 3;

  #type: string;
  #bubbles: boolean;
  #cancelable: boolean;
  #composed: boolean;
  #canceled = false;
  #stopPropagation = false;
  #stopImmediate = false;
  #target: EventTarget | null = null;
  #currentTarget: EventTarget | null = null;
  #phase = 0;
  #dispatching = false;
  #inPassive = false;
  #timeStamp = DateNow() - timeOrigin();

  constructor(type: string, init?: EventInit) {
    if (arguments.length === 0) throw new TypeErrorCtor("Failed to construct 'Event': 1 argument required, but only 0 present.");
    this.#type = StringCtor(type);
    const options = init ?? {};
    if (typeof options !== 'object') throw new TypeErrorCtor("Failed to construct 'Event': the options must be an object.");
    this.#bubbles = !!options.bubbles;
    this.#cancelable = !!options.cancelable;
    this.#composed = !!options.composed;
  }

  static {
    setDispatchState = (event, target, phase, dispatching) => {
      if (target !== null && event.#target === null) event.#target = target;
      event.#currentTarget = phase === 0 ? null : target;
      event.#phase = phase;
      event.#dispatching = dispatching;
      if (!dispatching) { event.#stopPropagation = false; event.#stopImmediate = false; }
    };
    setPassive = (event, passive) => { event.#inPassive = passive; };
    isStoppedImmediately = (event) => event.#stopImmediate;
    isEvent = (value): value is Event => typeof value === 'object' && value !== null && #type in value;
    isDispatching = (event) => event.#dispatching;
  }

  get type(): string { return this.#type; }
  get target(): EventTarget | null { return this.#target; }
  get srcElement(): EventTarget | null { return this.#target; }
  get currentTarget(): EventTarget | null { return this.#currentTarget; }
  get eventPhase(): number { return this.#phase; }
  get bubbles(): boolean { return this.#bubbles; }
  get cancelable(): boolean { return this.#cancelable; }
  get composed(): boolean { return this.#composed; }
  get defaultPrevented(): boolean { return this.#canceled; }
  get isTrusted(): boolean { return false; }
  get timeStamp(): number { return this.#timeStamp; }
  get cancelBubble(): boolean { return this.#stopPropagation; }
  set cancelBubble(value: boolean) { if (value) this.#stopPropagation = true; }
  get returnValue(): boolean { return !this.#canceled; }
  set returnValue(value: boolean) { if (!value) this.preventDefault(); }
  /** Dispatched outside a tree, the path is just the current target. */
  composedPath(): EventTarget[] { return this.#currentTarget === null ? [] : [this.#currentTarget]; }
  stopPropagation(): void { this.#stopPropagation = true; }
  stopImmediatePropagation(): void { this.#stopPropagation = true; this.#stopImmediate = true; }
  preventDefault(): void { if (this.#cancelable && !this.#inPassive) this.#canceled = true; }
  initEvent(type: string, bubbles = false, cancelable = false): void {
    if (this.#dispatching) return;
    this.#type = StringCtor(type);
    this.#bubbles = !!bubbles;
    this.#cancelable = !!cancelable;
    this.#canceled = false;
    this.#stopPropagation = false;
    this.#stopImmediate = false;
    this.#target = null;
  }
}
for (const [name, value] of [['NONE', 0], ['CAPTURING_PHASE', 1], ['AT_TARGET', 2], ['BUBBLING_PHASE', 3]] as const) {
  ObjectDefineProperty(Event.prototype, name, { value, enumerable: true });
}
ObjectDefineProperty(Event.prototype, Symbol.toStringTag, { value: 'Event', configurable: true });

/** https://dom.spec.whatwg.org/#interface-customevent */
export class CustomEvent<T = unknown> extends Event {
  #detail: T | null;
  constructor(type: string, init?: EventInit & { detail?: T }) {
    if (arguments.length === 0) throw new TypeErrorCtor("Failed to construct 'CustomEvent': 1 argument required, but only 0 present.");
    super(type, init);
    this.#detail = init?.detail ?? null;
  }
  get detail(): T | null { return this.#detail; }
  initCustomEvent(type: string, bubbles?: boolean, cancelable?: boolean, detail?: T): void {
    if (isDispatching(this)) return;
    this.initEvent(type, bubbles, cancelable);
    this.#detail = detail ?? null;
  }
}
ObjectDefineProperty(CustomEvent.prototype, Symbol.toStringTag, { value: 'CustomEvent', configurable: true });

type Callback = ((event: Event) => unknown) | { handleEvent(event: Event): unknown };
interface Listener { callback: Callback; capture: boolean; once: boolean; passive: boolean; removed: boolean }

function flattenCapture(options: unknown): boolean {
  if (typeof options === 'boolean') return options;
  if (typeof options === 'object' && options !== null) return !!(options as { capture?: unknown }).capture;
  return false;
}

/** https://dom.spec.whatwg.org/#interface-eventtarget */
export class EventTarget {
  #listeners = new SafeMap<string, Listener[]>();

  addEventListener(type: string, callback: Callback | null, options?: boolean | { capture?: boolean; once?: boolean; passive?: boolean; signal?: AbortSignalLike }): void {
    if (arguments.length < 2) throw new TypeErrorCtor("Failed to execute 'addEventListener' on 'EventTarget': 2 arguments required.");
    const capture = flattenCapture(options);
    let once = false;
    let passive = false;
    let signal: AbortSignalLike | undefined;
    if (typeof options === 'object' && options !== null) {
      once = !!options.once;
      passive = !!options.passive;
      signal = options.signal;
      if (signal !== undefined && !isAbortSignal(signal)) throw new TypeErrorCtor("Failed to execute 'addEventListener': member signal is not of type AbortSignal.");
    }
    if (signal?.aborted === true) return;
    if (callback === null || callback === undefined) return;
    if (typeof callback !== 'function' && typeof callback !== 'object') throw new TypeErrorCtor("Failed to execute 'addEventListener': the callback provided as parameter 2 is not an object.");
    const key = StringCtor(type);
    let list = MapPrototypeGet(this.#listeners, key) as Listener[] | undefined;
    if (list === undefined) { list = []; MapPrototypeSet(this.#listeners, key, list); }
    for (let i = 0; i < list.length; i++) {
      const l = list[i] as Listener;
      if (l.callback === callback && l.capture === capture) return;
    }
    const listener: Listener = { callback, capture, once, passive, removed: false };
    ArrayPrototypePush(list, listener);
    if (signal !== undefined) {
      addAbortAlgorithm(signal, () => { this.removeEventListener(key, callback, { capture }); });
    }
  }

  removeEventListener(type: string, callback: Callback | null, options?: boolean | { capture?: boolean }): void {
    const capture = flattenCapture(options);
    const list = MapPrototypeGet(this.#listeners, StringCtor(type)) as Listener[] | undefined;
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      const l = list[i] as Listener;
      if (l.callback === callback && l.capture === capture) {
        l.removed = true;
        removeAt(list, i);
        return;
      }
    }
  }

  dispatchEvent(event: Event): boolean {
    if (!isEvent(event)) throw new TypeErrorCtor("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    if (isDispatching(event)) throw new DOMException("Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.", 'InvalidStateError');
    setDispatchState(event, this, Event.AT_TARGET, true);
    try {
      const list = MapPrototypeGet(this.#listeners, event.type) as Listener[] | undefined;
      if (list !== undefined) {
        const snapshot: Listener[] = [];
        for (let i = 0; i < list.length; i++) ArrayPrototypePush(snapshot, list[i] as Listener);
        // At the target, capture listeners run in the capturing pass, then the others.
        for (let pass = 0; pass < 2; pass++) {
          const capturePass = pass === 0;
          for (let i = 0; i < snapshot.length; i++) {
            const l = snapshot[i] as Listener;
            if (l.removed || l.capture !== capturePass) continue;
            if (l.once) this.removeEventListener(event.type, l.callback, { capture: l.capture });
            setPassive(event, l.passive);
            try {
              const cb = l.callback;
              if (typeof cb === 'function') ReflectApply(cb, this, [event]);
              else {
                const handle = (cb as { handleEvent?: unknown }).handleEvent;
                if (typeof handle !== 'function') throw new TypeErrorCtor("The listener's handleEvent is not a function.");
                ReflectApply(handle, cb, [event]);
              }
            } catch (error) {
              reportException(error);
            }
            setPassive(event, false);
            if (isStoppedImmediately(event)) break;
          }
          if (isStoppedImmediately(event)) break;
        }
      }
    } finally {
      setDispatchState(event, null, Event.NONE, false);
    }
    return !event.defaultPrevented;
  }
}
ObjectDefineProperty(EventTarget.prototype, Symbol.toStringTag, { value: 'EventTarget', configurable: true });

/** The parts of AbortSignal that EventTarget needs (05-abort registers them, avoiding a cycle). */
export interface AbortSignalLike { readonly aborted: boolean }
let isAbortSignal: (value: unknown) => value is AbortSignalLike = (_v): _v is AbortSignalLike => false;
let addAbortAlgorithm: (signal: AbortSignalLike, algorithm: () => void) => void = () => {};
/** Called by 05-abort to connect `signal` options to AbortSignal. */
export function registerAbortSignal(check: typeof isAbortSignal, add: typeof addAbortAlgorithm): void {
  isAbortSignal = check;
  addAbortAlgorithm = add;
}
