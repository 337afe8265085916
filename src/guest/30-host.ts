/**
 * The guest's `host` object: granted services (promises copied across), opaque host handles,
 * and messaging with the embedding application. All host access goes through the captured ops.
 */
import type { GuestOps, WireArg, WireError } from '../bridge/protocol.ts';
import {
  ArrayIsArray, ArrayPrototypePush, ErrorCtor, MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, ObjectCreate,
  ObjectDefineProperty, ObjectFreeze, PromiseCtor, SafeMap, StringCtor, StringPrototypeSplit, TypeErrorCtor,
  WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas,
} from './00-primordials.ts';

const HANDLE_TOKEN = ObjectFreeze(ObjectCreate(null) as object);
const hostErrors = new WeakSetCtor<object>();

/** An opaque reference to a host object. Only the prelude can make one; the guest can only pass it back. */
export class HostHandle {
  readonly #slot: number;
  readonly #generation: number;
  readonly #kind: string;

  constructor(token: unknown, slot: number, generation: number, kind: string) {
    if (token !== HANDLE_TOKEN) throw new TypeErrorCtor('Illegal constructor: host handles come only from host services');
    this.#slot = slot;
    this.#generation = generation;
    this.#kind = kind;
    ObjectFreeze(this);
  }

  /** The kind of host object this handle refers to, as the host service named it. */
  get kind(): string { return this.#kind; }

  /** Encodes a service argument: branded handles by slot and generation, everything else as data. */
  static encode(value: unknown): WireArg {
    if (typeof value === 'object' && value !== null && #slot in value) {
      const h = value as HostHandle;
      return [1, h.#slot, h.#generation];
    }
    return [0, value];
  }
}
ObjectFreeze(HostHandle.prototype);
ObjectFreeze(HostHandle);

/** Whether an error came from a failed host service call (not from guest code). */
export function isHostError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && WeakSetPrototypeHas(hostErrors, value);
}

interface Pending { resolve(value: unknown): void; reject(reason: unknown): void }

/** The state behind one context's `host` object. */
export class HostLink {
  readonly #ops: GuestOps;
  readonly #pending = new SafeMap<number, Pending>();
  readonly #listeners = new SafeMap<string, ((data: unknown) => void)[]>();
  readonly #reportError: (where: string, error: unknown) => void;

  constructor(ops: GuestOps, reportError: (where: string, error: unknown) => void) {
    this.#ops = ops;
    this.#reportError = reportError;
  }

  /** Builds the frozen `host` object exposing the services at `paths` ("ns.method") and messaging. */
  build(paths: readonly string[]): object {
    const root = ObjectCreate(null) as Record<string, unknown>;
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i] as string;
      const parts = StringPrototypeSplit(path, '.');
      let node = root;
      for (let j = 0; j < parts.length - 1; j++) {
        const key = parts[j] as string;
        let next = node[key] as Record<string, unknown> | undefined;
        if (next === undefined) { next = ObjectCreate(null) as Record<string, unknown>; node[key] = next; }
        node = next;
      }
      const name = parts[parts.length - 1] as string;
      node[name] = this.#serviceFunction(path, name);
    }
    const link = this;
    root['on'] = function on(event: unknown, listener: unknown): void { link.#on(event, listener); };
    root['off'] = function off(event: unknown, listener: unknown): void { link.#off(event, listener); };
    root['emit'] = function emit(event: unknown, data?: unknown): void { link.#emit(event, data); };
    return deepFreeze(root);
  }

  #serviceFunction(path: string, name: string): (...args: unknown[]) => Promise<unknown> {
    const link = this;
    const fn = function (...args: unknown[]): Promise<unknown> {
      const wire: WireArg[] = [];
      for (let i = 0; i < args.length; i++) ArrayPrototypePush(wire, HostHandle.encode(args[i]));
      let started;
      try {
        started = link.#ops.op_service_call(path, wire);
      } catch {
        return rejected(new TypeErrorCtor(`host.${path}: an argument could not be copied to the host (functions, symbols and host objects cannot be cloned)`));
      }
      if (started[0] !== true) return rejected(new TypeErrorCtor(`host.${path}: ${started[1]}`));
      const id = started[1];
      return new PromiseCtor((resolve, reject) => { MapPrototypeSet(link.#pending, id, { resolve, reject }); });
    };
    ObjectDefineProperty(fn, 'name', { value: name });
    return fn;
  }

  /** Settles a pending service call. */
  settle(id: number, ok: boolean, payload: unknown): void {
    const pending = MapPrototypeGet(this.#pending, id) as Pending | undefined;
    if (pending === undefined) return;
    MapPrototypeDelete(this.#pending, id);
    if (ok) {
      const result = payload as readonly unknown[];
      if (result[0] === 1) pending.resolve(new HostHandle(HANDLE_TOKEN, result[1] as number, result[2] as number, StringCtor(result[3])));
      else pending.resolve(result[1]);
      return;
    }
    const info = payload as WireError;
    const error = info.name === 'TypeError' ? new TypeErrorCtor(info.message) : new ErrorCtor(info.message);
    ObjectDefineProperty(error, 'code', { value: info.code ?? 'HOST_SERVICE_ERROR', enumerable: true });
    WeakSetPrototypeAdd(hostErrors, error);
    pending.reject(error);
  }

  /** Delivers a message from the host to this context's listeners. */
  deliver(event: string, data: unknown): void {
    const listeners = MapPrototypeGet(this.#listeners, event) as ((data: unknown) => void)[] | undefined;
    if (listeners === undefined) return;
    const snapshot: ((data: unknown) => void)[] = [];
    for (let i = 0; i < listeners.length; i++) ArrayPrototypePush(snapshot, listeners[i]);
    for (let i = 0; i < snapshot.length; i++) {
      try {
        (snapshot[i] as (data: unknown) => void)(data);
      } catch (error) {
        this.#reportError(`a "${event}" message listener`, error);
      }
    }
  }

  #on(event: unknown, listener: unknown): void {
    if (typeof event !== 'string') throw new TypeErrorCtor('host.on: the event name must be a string');
    if (typeof listener !== 'function') throw new TypeErrorCtor('host.on: the listener must be a function');
    let list = MapPrototypeGet(this.#listeners, event) as unknown[] | undefined;
    if (list === undefined) { list = []; MapPrototypeSet(this.#listeners, event, list); }
    ArrayPrototypePush(list, listener);
  }

  #off(event: unknown, listener: unknown): void {
    const list = MapPrototypeGet(this.#listeners, event) as unknown[] | undefined;
    if (list === undefined) return;
    const kept: unknown[] = [];
    for (let i = 0; i < list.length; i++) if (list[i] !== listener) ArrayPrototypePush(kept, list[i]);
    MapPrototypeSet(this.#listeners, event, kept);
  }

  #emit(event: unknown, data: unknown): void {
    if (typeof event !== 'string') throw new TypeErrorCtor('host.emit: the event name must be a string');
    let result;
    try {
      result = this.#ops.op_message_emit(event, data);
    } catch {
      throw new TypeErrorCtor('host.emit: the data could not be copied to the host (functions, symbols and host objects cannot be cloned)');
    }
    if (result[0] !== true) throw new TypeErrorCtor(`host.emit: ${result[1]}`);
  }
}

function rejected(error: unknown): Promise<never> {
  return new PromiseCtor((_, reject) => { reject(error); });
}

function deepFreeze(node: Record<string, unknown>): object {
  for (const key in node) {
    const value = node[key];
    if (typeof value === 'object' && value !== null && !ArrayIsArray(value)) deepFreeze(value as Record<string, unknown>);
  }
  return ObjectFreeze(node);
}
