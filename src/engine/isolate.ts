/**
 * Isolates and contexts: creation with a heap limit, measurement, entry with a timeout, disposal.
 * The only module besides ./ivm.ts that touches isolated-vm; every isolated-vm failure is turned
 * into an {@link EngineFault} or an IsletError here, so no layer above sees an isolated-vm object.
 */
import type IvmTypes from 'isolated-vm';
import { IsletError } from '../errors.ts';
import { loadIvm } from './ivm.ts';
import { EngineFault, faultFrom } from './faults.ts';
import { containsSharedMemory } from './shared-memory.ts';

/** A host function the guest prelude may call synchronously. It receives and returns copies. */
export type HostOp = (...args: unknown[]) => unknown;

/** Options for a new isolate. */
export interface IsolateOptions {
  memoryMb: number;
  /** A snapshot to start from (see snapshot.ts). */
  snapshot?: IvmTypes.ExternalCopy<ArrayBuffer> | undefined;
  /** Called when isolated-vm reports a catastrophic error (the process may be unsound after it). */
  onCatastrophicError?: (message: string) => void;
}

/** V8 code caches for trusted scripts, by source. */
const codeCaches = new Map<string, IvmTypes.ExternalCopy<ArrayBuffer>>();

/** A compiled script or module, owned by one isolate. */
export class EngineScript {
  readonly #script: IvmTypes.Script;
  constructor(script: IvmTypes.Script) { this.#script = script; }
  /** @internal */ static unwrap(s: EngineScript): IvmTypes.Script { return s.#script; }
}

/** A reference to a value inside an isolate. Host side only; it can be passed back in as an argument. */
export class GuestRef {
  readonly #ref: IvmTypes.Reference;
  constructor(ref: IvmTypes.Reference) { this.#ref = ref; }
  /** @internal */ static unwrap(r: GuestRef): IvmTypes.Reference { return r.#ref; }
  /** The value's primitive form when it is not an object or function (no entry into the isolate). */
  primitive(): { value: unknown } | undefined {
    const type = this.#ref.typeof;
    if (type === 'object' || type === 'function') return undefined;
    if (type === 'undefined') return { value: undefined };
    try { return { value: this.#ref.copySync() }; } catch { return undefined; }
  }

  /** Lets the isolate collect the value. Idempotent. */
  release(): void { try { this.#ref.release(); } catch { /* already released */ } }
}

/** A V8 isolate with a heap limit. */
export class EngineIsolate {
  readonly #ivm: typeof IvmTypes;
  readonly #isolate: IvmTypes.Isolate;
  #crashed: string | undefined;
  #spareContext: EngineContext | undefined;
  /** Receives isolated-vm's catastrophic-error reports (replaceable: spare isolates change owners). */
  onCatastrophicError: ((message: string) => void) | undefined;
  /** The options it was made with (a spare is handed out only for the same ones). */
  readonly memoryMb: number;
  readonly snapshot: IvmTypes.ExternalCopy<ArrayBuffer> | undefined;

  constructor(options: IsolateOptions) {
    this.#ivm = loadIvm();
    this.memoryMb = options.memoryMb;
    this.snapshot = options.snapshot;
    this.onCatastrophicError = options.onCatastrophicError;
    this.#isolate = new this.#ivm.Isolate({
      memoryLimit: Math.max(8, options.memoryMb),
      ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }),
      onCatastrophicError: (message: string) => {
        this.#crashed = message;
        this.onCatastrophicError?.(message);
      },
    });
  }

  /** Makes a context ahead of time; the next {@link newContext} takes it. */
  prepareContext(): void {
    this.#spareContext ??= new EngineContext(this.#ivm, this.#isolate.createContextSync(), this);
  }

  /** CPU time the isolate has used, in nanoseconds. */
  get cpuTimeNs(): bigint { return this.#isolate.isDisposed ? 0n : this.#isolate.cpuTime; }

  /** Whether the isolate is gone (disposed by us, by a memory kill or by a crash). */
  get isDisposed(): boolean { return this.#isolate.isDisposed; }

  /** The catastrophic error isolated-vm reported, if any. */
  get crashed(): string | undefined { return this.#crashed; }

  /** Heap plus ArrayBuffer memory in use, in bytes. */
  heapBytes(): number {
    if (this.#isolate.isDisposed) return 0;
    const stats = this.#isolate.getHeapStatisticsSync();
    return stats.used_heap_size + stats.externally_allocated_size;
  }

  /** Memory the isolate holds (heap pages, malloc and ArrayBuffers), in bytes: what it costs to keep. */
  footprintBytes(): number {
    if (this.#isolate.isDisposed) return 0;
    const stats = this.#isolate.getHeapStatisticsSync();
    return stats.total_physical_size + stats.malloced_memory + stats.externally_allocated_size;
  }

  /** Compiles a classic script; a parse error throws SYNTAX_ERROR. */
  compileScript(code: string, filename: string): EngineScript {
    try {
      return new EngineScript(this.#isolate.compileScriptSync(code, { filename }));
    } catch (error) {
      throw faultFrom(error, this).toIsletError();
    }
  }

  /**
   * Compiles a trusted script (the prelude) with a V8 code cache shared by all isolates of this
   * process: the first compile produces it, later ones consume it.
   */
  compileCachedScript(code: string, filename: string): EngineScript {
    const cache = codeCaches.get(code);
    try {
      const script = this.#isolate.compileScriptSync(code, cache === undefined ? { filename, produceCachedData: true } : { filename, cachedData: cache }) as IvmTypes.Script & IvmTypes.CachedDataResult;
      if (cache === undefined && script.cachedData !== undefined) codeCaches.set(code, script.cachedData);
      return new EngineScript(script);
    } catch (error) {
      throw faultFrom(error, this).toIsletError();
    }
  }

  /** Compiles an ES module; a parse error throws SYNTAX_ERROR. */
  compileModule(code: string, filename: string): EngineModule {
    try {
      return new EngineModule(this.#isolate.compileModuleSync(code, { filename }));
    } catch (error) {
      throw faultFrom(error, this).toIsletError();
    }
  }

  /** A new, empty context (a fresh global scope) in this isolate. */
  newContext(): EngineContext {
    const spare = this.#spareContext;
    this.#spareContext = undefined;
    return spare ?? new EngineContext(this.#ivm, this.#isolate.createContextSync(), this);
  }

  /** Disposes the isolate, ending anything running in it. Idempotent. */
  dispose(): void {
    if (!this.#isolate.isDisposed) {
      try { this.#isolate.dispose(); } catch { /* already going away */ }
    }
  }
}

/** An ES module compiled in an isolate. */
export class EngineModule {
  readonly #module: IvmTypes.Module;
  constructor(module: IvmTypes.Module) { this.#module = module; }
  /** The specifiers this module imports, in source order. */
  get imports(): readonly string[] { return this.#module.dependencySpecifiers; }
  /** @internal */ static unwrap(m: EngineModule): IvmTypes.Module { return m.#module; }
}

/** A global scope inside an isolate. */
export class EngineContext {
  readonly #ivm: typeof IvmTypes;
  readonly #context: IvmTypes.Context;
  readonly isolate: EngineIsolate;

  constructor(ivm: typeof IvmTypes, context: IvmTypes.Context, isolate: EngineIsolate) {
    this.#ivm = ivm;
    this.#context = context;
    this.isolate = isolate;
  }

  /**
   * Boots the context: runs `prelude` first when given (contexts from a snapshot already have it),
   * takes the boot function the prelude left on the global `bootGlobal`, and calls it with one
   * synchronous host function that runs `ops[index](...args)` (arguments and results copied),
   * then `extra` (copied). Returns a reference to what boot returns. Boot deletes its global, so no
   * isolated-vm object is left reachable: the ops live only in the prelude's closures.
   */
  boot(prelude: EngineScript | undefined, bootGlobal: string, ops: readonly HostOp[], extra: unknown, timeoutMs: number): GuestRef {
    const ivm = this.#ivm;
    let bootFn: IvmTypes.Reference | undefined;
    try {
      if (prelude !== undefined) EngineScript.unwrap(prelude).runSync(this.#context, { timeout: wholeMs(timeoutMs) });
      bootFn = this.#context.global.getSync(bootGlobal, { reference: true }) as IvmTypes.Reference;
      if (bootFn.typeof !== 'function') throw new EngineFault('crashed', 'The prelude did not install its boot function.');
      // One host function per context for all ops (each isolated-vm Callback costs ~1 KB of the
      // isolate's memory): the prelude calls it with the op's index first.
      const call = (index: unknown, ...rest: unknown[]): unknown => {
        const op = typeof index === 'number' ? ops[index] : undefined;
        if (op === undefined) throw new TypeError('unknown host op');
        return op(...rest);
      };
      const args = [new ivm.Callback(call, { sync: true }), copyIn(ivm, extra)];
      const ref = bootFn.applySync(undefined, args, { timeout: wholeMs(timeoutMs), result: { reference: true } }) as IvmTypes.Reference;
      return new GuestRef(ref);
    } catch (error) {
      throw faultFrom(error, this.isolate);
    } finally {
      bootFn?.release();
    }
  }

  /** Runs a compiled script; returns a reference to its completion value. */
  runScript(script: EngineScript, timeoutMs: number): GuestRef {
    try {
      const ref = EngineScript.unwrap(script).runSync(this.#context, { timeout: wholeMs(timeoutMs), reference: true });
      return new GuestRef(ref);
    } catch (error) {
      throw faultFrom(error, this.isolate);
    }
  }

  /** Links a module graph; `resolve` maps (specifier, importer) to a compiled module or throws. */
  instantiate(module: EngineModule, resolve: (specifier: string, importer: EngineModule) => EngineModule): void {
    const byIvm = new Map<IvmTypes.Module, EngineModule>();
    byIvm.set(EngineModule.unwrap(module), module);
    try {
      EngineModule.unwrap(module).instantiateSync(this.#context, (specifier, referrer) => {
        const importer = byIvm.get(referrer) ?? module;
        const found = resolve(specifier, importer);
        const raw = EngineModule.unwrap(found);
        byIvm.set(raw, found);
        return raw;
      });
    } catch (error) {
      if (error instanceof IsletError) throw error;
      throw faultFrom(error, this.isolate).toIsletError();
    }
  }

  /** Evaluates a linked module (top-level code up to its first pending await). */
  evaluate(module: EngineModule, timeoutMs: number): void {
    try {
      EngineModule.unwrap(module).evaluateSync({ timeout: wholeMs(timeoutMs) });
    } catch (error) {
      throw faultFrom(error, this.isolate);
    }
  }

  /**
   * Calls a guest function with copied arguments (GuestRef arguments are passed through as the
   * values they refer to) and returns a copy of its result.
   */
  call(fn: GuestRef, args: readonly unknown[], timeoutMs: number): unknown {
    const ivm = this.#ivm;
    try {
      const passed = args.map((arg) => {
        if (arg instanceof GuestRef) return GuestRef.unwrap(arg).derefInto({ release: true });
        if (arg === null || typeof arg !== 'object') return arg;
        return copyIn(ivm, arg);
      });
      return GuestRef.unwrap(fn).applySync(undefined, passed as IvmTypes.Transferable[], {
        timeout: wholeMs(timeoutMs),
        result: { copy: true },
      });
    } catch (error) {
      throw faultFrom(error, this.isolate);
    }
  }

  /** Releases the context so V8 can collect it. Idempotent. */
  release(): void {
    try { this.#context.release(); } catch { /* isolate already disposed */ }
  }
}

/** Copies a host value into an isolate, refusing shared memory. */
function copyIn(ivm: typeof IvmTypes, value: unknown): IvmTypes.Copy<unknown> {
  if (containsSharedMemory(value)) throw new EngineFault('uncloneable', 'Shared memory (SharedArrayBuffer) cannot be copied into a sandbox.');
  return new ivm.ExternalCopy(value).copyInto({ release: true });
}

/** isolated-vm takes whole milliseconds, at least 1. */
function wholeMs(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/** Spare isolates, by heap limit: made ahead of time so a newly loaded app does not wait for one. */
const spares = new Map<number, EngineIsolate[]>();
let sparesWanted = 0;
let refilling = false;

/**
 * Keeps `count` spare isolates (each with a context made) per heap limit in use, refilled off the
 * critical path after one is taken. Servers turn it on; 0 (the default) turns it off.
 */
export function keepSpareIsolates(count: number): void {
  sparesWanted = count;
  if (count === 0) { for (const list of spares.values()) for (const isolate of list) isolate.dispose(); spares.clear(); }
}

/** An isolate for these options: a spare if one matches, otherwise a new one. */
export function takeIsolate(options: IsolateOptions): EngineIsolate {
  if (sparesWanted === 0) return new EngineIsolate(options);
  let list = spares.get(options.memoryMb);
  if (list === undefined) { list = []; spares.set(options.memoryMb, list); }
  let taken: EngineIsolate | undefined;
  while (taken === undefined && list.length > 0) {
    const candidate = list.pop() as EngineIsolate;
    if (!candidate.isDisposed && candidate.snapshot === options.snapshot) taken = candidate;
    else candidate.dispose();
  }
  scheduleRefill(options);
  if (taken === undefined) return new EngineIsolate(options);
  taken.onCatastrophicError = options.onCatastrophicError;
  return taken;
}

/** Starts making spares for these options now (a server does this before it takes requests). */
export function primeSpareIsolates(options: IsolateOptions): void {
  if (sparesWanted === 0) return;
  if (!spares.has(options.memoryMb)) spares.set(options.memoryMb, []);
  scheduleRefill(options);
}

function scheduleRefill(options: IsolateOptions): void {
  if (refilling) return;
  refilling = true;
  // A timer, not setImmediate: the reply to the request that took the spare, and the next few
  // requests, go first (making an isolate holds the event loop for ~3 ms).
  setTimeout(() => {
    refilling = false;
    const list = spares.get(options.memoryMb);
    if (list === undefined || list.length >= sparesWanted) return;
    try {
      const isolate = new EngineIsolate({ memoryMb: options.memoryMb, snapshot: options.snapshot });
      isolate.prepareContext();
      list.push(isolate);
    } catch {
      return; // out of memory for spares: make them on demand
    }
    if (list.length < sparesWanted) scheduleRefill(options);
  }, 10).unref();
}
