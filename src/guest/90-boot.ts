/**
 * The prelude's entry: captures the ops, removes what guests must not have, installs `console`,
 * `host` and `env`, and returns the dispatcher the host drives the context with.
 */
import { OP_NAMES, type GuestInit, type GuestOps, type WireError } from '../bridge/protocol.ts';
import {
  ArrayPrototypeIndexOf, ObjectCreate, ObjectDefineProperty, ObjectFreeze, ObjectGetOwnPropertyDescriptor, PromisePrototypeThen,
  PromiseResolve, ReflectApply, ReflectOwnKeys, StringCtor, TypeErrorCtor, globalObject,
} from './00-primordials.ts';
import { createConsole } from './20-console.ts';
import { HostLink, isHostError } from './30-host.ts';
import { formatArgs, inspect } from './10-inspect.ts';
import { DOMException } from './01-dom-exception.ts';
import { createTimers } from './03-timers.ts';
import { CustomEvent, Event, EventTarget, setReportException } from './04-event.ts';
import { AbortController, AbortSignal, setAbortTimer } from './05-abort.ts';
import { TextDecoder, TextEncoder } from './06-encoding.ts';
import { atob, btoa } from './07-base64.ts';
import { URL, URLSearchParams, setUrlOps } from './08-url.ts';
import { setCloneOp, structuredClone } from './09-clone.ts';
import { Crypto, createCrypto, setRandomOp } from './11-crypto.ts';
import { Performance, createPerformance } from './12-performance.ts';
import { resetClock } from './02-clock.ts';
import { STREAM_GLOBAL_NAMES, TextDecoderStream, TextEncoderStream, streams } from './13-streams.ts';
import { Blob, File } from './14-blob.ts';
import { Headers } from './15-headers.ts';
import { FormData } from './16-formdata.ts';
import { Request, Response } from './18-request-response.ts';
import { fetch, isEgressDenied, onFetchEvent, setFetchOps } from './19-fetch.ts';
import { CryptoKey, SubtleCrypto, onSubtleResult, setSubtleOps } from './20-subtle.ts';
import { closeOutbox, onHttpEvent, pendingMark, registerApp, setServeOps, startHttpBatch, startingRequest } from './21-serve.ts';
import { kvNamespace, onKvResult, setKvOps } from './22-kv.ts';

/** Globals a fresh isolate has that guests must not: shared memory, and WebAssembly (not granted yet). */
const REMOVED_GLOBALS = ['SharedArrayBuffer', 'Atomics', 'WebAssembly'] as const;

/** The host's commands, as the dispatcher receives them. */
export type Command = 'arm' | 'script' | 'resolve' | 'message' | 'timer' | 'fetch' | 'subtle' | 'http' | 'https' | 'kv' | 'current';

/** The global the host reads the boot function from (and boot deletes) before any guest code runs. */
export const BOOT_GLOBAL = '__islet_boot';

// Everything below up to boot() runs once per prelude evaluation: in the snapshot, or in each new
// context when there is no snapshot. Nothing here may depend on time, randomness or the tenant.
// The ops arrive later, at boot; until then `ops` is empty and nothing calls it.
const ops = ObjectCreate(null) as GuestOps;
const global = globalObject as unknown as Record<string, unknown>;

const write = (stream: 1 | 2, text: string): void => { ops.op_console_write(stream, text); };
const reportError = (where: string, error: unknown): void => {
  write(2, `Uncaught error in ${where}: ${formatArgs([error])}\n`);
};
const timers = createTimers(ops);
setReportException((error) => { reportError('an event listener', error); });
setAbortTimer((fn, ms) => { timers.setTimeout(fn, ms); });
setUrlOps(ops);
setFetchOps(ops);
setSubtleOps(ops);
setKvOps(ops);

const staticGlobals: Record<string, unknown> = {
  console: createConsole(write),
  DOMException, Event, EventTarget, CustomEvent, AbortController, AbortSignal, TextEncoder, TextDecoder,
  URL, URLSearchParams, Crypto, Performance, atob, btoa, structuredClone,
  crypto: createCrypto(),
  performance: createPerformance(),
  setTimeout: timers.setTimeout, setInterval: timers.setInterval,
  clearTimeout: timers.clearTimeout, clearInterval: timers.clearInterval,
  queueMicrotask(callback: unknown): void {
    if (typeof callback !== 'function') throw new TypeError("Failed to execute 'queueMicrotask': The callback provided as parameter 1 is not a function.");
    PromisePrototypeThen(PromiseResolve(undefined), () => { ReflectApply(callback, undefined, []); });
  },
  self: globalObject,
  TextEncoderStream, TextDecoderStream,
  Blob, File, FormData, Headers, Request, Response, fetch, CryptoKey, SubtleCrypto,
};
const staticNames = ReflectOwnKeys(staticGlobals);
for (let i = 0; i < staticNames.length; i++) defineGlobal(staticNames[i] as string, staticGlobals[staticNames[i] as string]);
for (let i = 0; i < STREAM_GLOBAL_NAMES.length; i++) defineStreamGlobal(STREAM_GLOBAL_NAMES[i] as (typeof STREAM_GLOBAL_NAMES)[number]);

let booted = false;
let armed: { token: number; args: readonly unknown[]; mode: 'main' | 'app' } | undefined;

ObjectDefineProperty(globalObject, BOOT_GLOBAL, { value: boot, writable: true, configurable: true, enumerable: false });

/** The host's one op entry: the op's index in OP_NAMES, then its arguments. */
type HostCall = (index: number, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown) => unknown;

/**
 * An op as guest modules call it, through the host's single entry (one host function per context,
 * not one per op). In a batch of request starts, the running request is marked first (see pendingMark).
 */
function opCaller(call: HostCall, index: number, markIndex: number): (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown) => unknown {
  return (a, b, c, d, e, f) => {
    const mark = pendingMark();
    if (mark !== 0) call(markIndex, mark);
    return call(index, a, b, c, d, e, f);
  };
}

/**
 * Boots the context and returns the dispatcher. The host calls this once, before any guest code,
 * with its op entry (ops by their index in OP_NAMES) and the context's init record; boot deletes
 * its own global, so the entry lives on only in the prelude's closures.
 */
export function boot(call: unknown, initRecord: unknown): (command: Command, a?: unknown, b?: unknown, c?: unknown, d?: unknown) => unknown {
  delete global[BOOT_GLOBAL];
  if (booted) throw new TypeError('The prelude is already booted.');
  booted = true;
  // Removed at boot, not in the snapshot: V8 re-installs some of these when it makes a context.
  for (let i = 0; i < REMOVED_GLOBALS.length; i++) delete global[REMOVED_GLOBALS[i] as string];
  const opTable = ops as unknown as Record<string, unknown>;
  const markIndex = ArrayPrototypeIndexOf(OP_NAMES as unknown as unknown[], 'op_http_mark');
  for (let i = 0; i < OP_NAMES.length; i++) opTable[OP_NAMES[i] as string] = opCaller(call as HostCall, i, markIndex);
  const init = initRecord as GuestInit;
  resetClock();
  setCloneOp(ops.op_clone);
  setRandomOp(ops.op_random_fill);
  const link = new HostLink(ops, reportError);
  defineGlobal('host', link.build(init.services));
  const frozenEnv = freezeRecord(init.env, init.kv ?? []);
  defineGlobal('env', frozenEnv);
  setServeOps(ops, frozenEnv, reportError);

  const settle = (token: number, value: unknown): void => {
    PromisePrototypeThen(PromiseResolve(value), (result) => {
      let sent;
      try {
        sent = ops.op_run_settle(token, true, result);
      } catch (error) {
        ops.op_run_settle(token, false, { kind: 'uncloneable', error: errorInfo(error) });
        return;
      }
      if (sent[0] !== true) ops.op_run_settle(token, false, { kind: 'uncloneable', error: { name: 'TypeError', message: sent[1] } });
    }, (error) => {
      const info = errorInfo(error);
      ops.op_run_settle(token, false, { kind: isHostError(error) ? 'host' : isEgressDenied(error) ? 'egress' : 'thrown', error: info });
    });
  };

  // A module run ends in this call, made by the host's wrapper module once the entry module
  // (including its top-level await) has evaluated. Calling it early only ends one's own run.
  ObjectDefineProperty(globalObject, '__islet_start', {
    value: function start(namespace: unknown): void {
      closeOutbox();
      const run = armed;
      if (run === undefined) return;
      armed = undefined;
      let main: unknown;
      try {
        const ns = namespace as Record<string, unknown>;
        if (run.mode === 'app') {
          registerApp(ns['default']);
          settle(run.token, null);
          return;
        }
        main = typeof ns['default'] === 'function' ? ns['default'] : ns['main'];
        settle(run.token, typeof main === 'function' ? ReflectApply(main as (...a: unknown[]) => unknown, undefined, run.args as unknown[]) : undefined);
      } catch (error) {
        settle(run.token, PromiseRejected(error));
      }
    },
    enumerable: false, writable: false, configurable: false,
  });

  return function dispatch(command: Command, a?: unknown, b?: unknown, c?: unknown, d?: unknown): unknown {
    // After an entry failed (a timeout), the host asks which request's start was running.
    if (command === 'current') return startingRequest();
    closeOutbox();
    switch (command) {
      case 'arm': armed = { token: a as number, args: b as readonly unknown[], mode: c === 'app' ? 'app' : 'main' }; return undefined;
      case 'script': settle(a as number, b); return undefined;
      // A primitive result arrives as (id, true, 0, value) to skip a copy; anything else as (id, ok, payload).
      case 'resolve': link.settle(a as number, b === true, d === undefined ? c : [c, d]); return undefined;
      case 'message': link.deliver(StringCtor(a), b); return undefined;
      case 'timer': timers.fire(a as number); return undefined;
      case 'fetch': onFetchEvent(a as number, StringCtor(b), c); return undefined;
      case 'subtle': onSubtleResult(a as number, b === true, c); return undefined;
      // Request events and starts return the whole responses made meanwhile (see outbox in 21-serve.ts).
      case 'http': return onHttpEvent(a as number, StringCtor(b), c);
      case 'https': return startHttpBatch(StringCtor(a));
      case 'kv': onKvResult(a as number, b === true, c); return undefined;
      default: return undefined;
    }
  };
}

function PromiseRejected(error: unknown): Promise<never> {
  return PromisePrototypeThen(PromiseResolve(undefined), () => { throw error; }) as Promise<never>;
}

function defineGlobal(name: string, value: unknown): void {
  // A function's name is its global's (Web IDL), whatever the bundler named the binding (Blob's
  // class is \`_Blob\` in the bundle, a method-shorthand function is named after its key).
  // Null-prototype descriptors: the stream globals are defined here on first read, after guest code
  // may have put a \`get\` or \`value\` on Object.prototype.
  if (typeof value === 'function' && value.name !== name) ObjectDefineProperty(value, 'name', { __proto__: null, value: name, writable: false, enumerable: false, configurable: true } as PropertyDescriptor);
  ObjectDefineProperty(globalObject, name, { __proto__: null, value, writable: true, configurable: true, enumerable: false } as PropertyDescriptor);
}

/**
 * A Streams class as a global that makes the Streams module on first read (13-streams.ts): an
 * accessor until then, which turns itself into the data property Web IDL defines (writable,
 * configurable, not enumerable) when it is read or assigned. The accessor's functions are made
 * once, here, and take the global object's property only (a guest calling them on another
 * object gets a TypeError).
 */
function defineStreamGlobal(name: (typeof STREAM_GLOBAL_NAMES)[number]): void {
  ObjectDefineProperty(globalObject, name, {
    __proto__: null,
    get(this: unknown): unknown {
      if (this !== globalObject) throw new TypeErrorCtor('Illegal invocation');
      const value = streams()[name];
      defineGlobal(name, value);
      return value;
    },
    set(this: unknown, value: unknown): void {
      if (this !== globalObject) throw new TypeErrorCtor('Illegal invocation');
      ObjectDefineProperty(globalObject, name, { __proto__: null, value, writable: true, configurable: true, enumerable: false } as PropertyDescriptor);
    },
    configurable: true,
    enumerable: false,
  } as PropertyDescriptor);
}

/** The frozen, null-prototype `env`: the record's values (deeply frozen) and a KVNamespace per KV binding. */
function freezeRecord(record: Readonly<Record<string, unknown>>, kv: readonly string[]): object {
  const out = ObjectCreate(null) as Record<string, unknown>;
  const keys = ReflectOwnKeys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out[key] = deepFreezeValue(record[key]);
  }
  for (let i = 0; i < kv.length; i++) {
    const name = kv[i] as string;
    out[name] = kvNamespace(name);
  }
  return ObjectFreeze(out);
}

function deepFreezeValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const keys = ReflectOwnKeys(value);
  for (let i = 0; i < keys.length; i++) deepFreezeValue((value as Record<PropertyKey, unknown>)[keys[i] as PropertyKey]);
  return ObjectFreeze(value);
}

/** Reads name, message, stack and code from a thrown value without trusting it. */
function errorInfo(error: unknown): WireError {
  if (typeof error !== 'object' || error === null) {
    return { name: 'Error', message: `Uncaught ${typeof error === 'string' ? `'${error}'` : inspect(error)}` };
  }
  const read = (key: string): string | undefined => {
    try {
      const desc = ObjectGetOwnPropertyDescriptor(error, key);
      const value = desc !== undefined && 'value' in desc ? desc.value : (error as Record<string, unknown>)[key];
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const info: WireError = { name: read('name') ?? 'Error', message: read('message') ?? inspect(error) };
  const stack = read('stack');
  const code = read('code');
  if (stack !== undefined) info.stack = stack;
  if (code !== undefined) info.code = code;
  return info;
}
