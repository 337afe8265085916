/**
 * The prelude's entry: captures the ops, removes what guests must not have, installs `console`,
 * `host` and `env`, and returns the dispatcher the host drives the context with.
 */
import { OP_NAMES, type GuestInit, type GuestOps, type WireError } from '../bridge/protocol.ts';
import {
  ObjectCreate, ObjectDefineProperty, ObjectFreeze, ObjectGetOwnPropertyDescriptor, PromisePrototypeThen,
  PromiseResolve, ReflectApply, ReflectOwnKeys, StringCtor, globalObject,
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
import { Crypto, setRandomOp } from './11-crypto.ts';
import { Performance } from './12-performance.ts';

/** Globals a fresh isolate has that guests must not: shared memory, and WebAssembly (not granted yet). */
const REMOVED_GLOBALS = ['SharedArrayBuffer', 'Atomics', 'WebAssembly'] as const;

/** The host's commands, as the dispatcher receives them. */
export type Command = 'arm' | 'script' | 'resolve' | 'message' | 'timer';

/**
 * Boots the prelude in the current context and returns the dispatcher. The host calls this once,
 * before any guest code, with the ops (in OP_NAMES order) and the context's init record; the ops
 * live on only in these closures.
 */
export function boot(...args: unknown[]): (command: Command, a?: unknown, b?: unknown, c?: unknown, d?: unknown) => unknown {
  const global = globalObject as unknown as Record<string, unknown>;
  const ops = ObjectCreate(null) as Record<string, unknown>;
  for (let i = 0; i < OP_NAMES.length; i++) ops[OP_NAMES[i] as string] = args[i];
  const op = ops as unknown as GuestOps;
  const init = args[OP_NAMES.length] as GuestInit;
  for (let i = 0; i < REMOVED_GLOBALS.length; i++) delete global[REMOVED_GLOBALS[i] as string];

  const write = (stream: 1 | 2, text: string): void => { op.op_console_write(stream, text); };
  const reportError = (where: string, error: unknown): void => {
    write(2, `Uncaught error in ${where}: ${formatArgs([error])}\n`);
  };
  const link = new HostLink(op, reportError);
  const timers = createTimers(op);
  setReportException((error) => { reportError('an event listener', error); });
  setAbortTimer((fn, ms) => { timers.setTimeout(fn, ms); });
  setUrlOps(op);
  setCloneOp(op.op_clone);
  setRandomOp(op.op_random_fill);
  const globals: Record<string, unknown> = {
    console: createConsole(write),
    host: link.build(init.services),
    env: freezeRecord(init.env),
    DOMException, Event, EventTarget, CustomEvent, AbortController, AbortSignal, TextEncoder, TextDecoder,
    URL, URLSearchParams, Crypto, Performance, atob, btoa, structuredClone,
    crypto: Crypto.create(),
    performance: Performance.create(),
    setTimeout: timers.setTimeout, setInterval: timers.setInterval,
    clearTimeout: timers.clearTimeout, clearInterval: timers.clearInterval,
    queueMicrotask(callback: unknown): void {
      if (typeof callback !== 'function') throw new TypeError("Failed to execute 'queueMicrotask': The callback provided as parameter 1 is not a function.");
      PromisePrototypeThen(PromiseResolve(undefined), () => { ReflectApply(callback, undefined, []); });
    },
    self: globalObject,
  };
  const names = ReflectOwnKeys(globals);
  for (let i = 0; i < names.length; i++) defineGlobal(names[i] as string, globals[names[i] as string]);

  let armed: { token: number; args: readonly unknown[] } | undefined;

  const settle = (token: number, value: unknown): void => {
    PromisePrototypeThen(PromiseResolve(value), (result) => {
      let sent;
      try {
        sent = op.op_run_settle(token, true, result);
      } catch (error) {
        op.op_run_settle(token, false, { kind: 'uncloneable', error: errorInfo(error) });
        return;
      }
      if (sent[0] !== true) op.op_run_settle(token, false, { kind: 'uncloneable', error: { name: 'TypeError', message: sent[1] } });
    }, (error) => {
      const info = errorInfo(error);
      op.op_run_settle(token, false, { kind: isHostError(error) ? 'host' : 'thrown', error: info });
    });
  };

  // A module run ends in this call, made by the host's wrapper module once the entry module
  // (including its top-level await) has evaluated. Calling it early only ends one's own run.
  ObjectDefineProperty(globalObject, '__islet_start', {
    value: function start(namespace: unknown): void {
      const run = armed;
      if (run === undefined) return;
      armed = undefined;
      let main: unknown;
      try {
        const ns = namespace as Record<string, unknown>;
        main = typeof ns['default'] === 'function' ? ns['default'] : ns['main'];
        settle(run.token, typeof main === 'function' ? ReflectApply(main as (...a: unknown[]) => unknown, undefined, run.args as unknown[]) : undefined);
      } catch (error) {
        settle(run.token, PromiseRejected(error));
      }
    },
    enumerable: false, writable: false, configurable: false,
  });

  return function dispatch(command: Command, a?: unknown, b?: unknown, c?: unknown, d?: unknown): unknown {
    switch (command) {
      case 'arm': armed = { token: a as number, args: b as readonly unknown[] }; return undefined;
      case 'script': settle(a as number, b); return undefined;
      // A primitive result arrives as (id, true, 0, value) to skip a copy; anything else as (id, ok, payload).
      case 'resolve': link.settle(a as number, b === true, d === undefined ? c : [c, d]); return undefined;
      case 'message': link.deliver(StringCtor(a), b); return undefined;
      case 'timer': timers.fire(a as number); return undefined;
      default: return undefined;
    }
  };
}

function PromiseRejected(error: unknown): Promise<never> {
  return PromisePrototypeThen(PromiseResolve(undefined), () => { throw error; }) as Promise<never>;
}

function defineGlobal(name: string, value: unknown): void {
  ObjectDefineProperty(globalObject, name, { value, writable: true, configurable: true, enumerable: false });
}

function freezeRecord(record: Readonly<Record<string, unknown>>): object {
  const out = ObjectCreate(null) as Record<string, unknown>;
  const keys = ReflectOwnKeys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out[key] = deepFreezeValue(record[key]);
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
