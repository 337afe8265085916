/**
 * The run core: one isolate (replaced after any limit kill or crash), a context per run (or one
 * kept for persistent sandboxes), the op table the guest reaches, and the accounting that holds a
 * run to its CPU, wall-clock and memory limits across every entry into the isolate.
 *
 * It runs in the embedding process (isolation "isolate") or inside a supervised worker process
 * (isolation "process"); either way it talks to the embedding side only through {@link CoreHost}.
 */
import { EngineContext, EngineIsolate, EngineModule, EngineScript, GuestRef, keepSpareIsolates, primeSpareIsolates, takeIsolate } from '../engine/isolate.ts';
import { EngineFault, faultFrom } from '../engine/faults.ts';
import { containsSharedMemory } from '../engine/shared-memory.ts';
import { IsletError, invalidOption, type ErrorCode, type GuestErrorInfo } from '../errors.ts';
import { OP_NAMES, type GuestInit, type GuestOps, type OpResult, type WireArg, type WireError, type WireResult } from '../bridge/protocol.ts';
import { validateServiceArgs } from '../bridge/validate.ts';
import { randomFill, urlParse, urlSet } from '../bridge/web-ops.ts';
import type { EgressPolicy } from '../bridge/egress/policy.ts';
import { FetchHost } from './fetch-host.ts';
import { SubtleHost } from '../bridge/subtle.ts';
import { BOOT_GLOBAL, PRELUDE_BOOT, PRELUDE_FILENAME, preludeSource } from '../bridge/prelude.ts';
import { preludeImage } from '../engine/snapshot.ts';
import { resolveWith, toJavaScript, type ModuleLoader } from './modules.ts';
import type { Limits } from './limits.ts';
import type { KvRequest, KvResponse } from '../bridge/kv.ts';
import { runKvOp, toKvFailure } from './kv-host.ts';

/** What the core needs from the side that owns services, listeners and output. */
export interface CoreHost {
  /** Calls a granted service; resolves with its encoded result, rejects with a WireError. */
  callService(path: string, args: readonly WireArg[]): Promise<WireResult>;
  /** Delivers a guest message to the host's listeners. */
  emit(event: string, data: unknown): void;
  /** Receives console output as it is written; `label` names the request that wrote it, if any. */
  output(stream: 1 | 2, text: string, label?: string): void;
  /** Loads a module source by root-relative path. */
  loadModule: ModuleLoader;
  /**
   * Runs one operation of the KV binding `binding` (its env name, e.g. "CACHE") on the namespace
   * the host maps it to. Without it, the bindings' methods reject.
   */
  kv?(binding: string, request: KvRequest): Promise<KvResponse>;
}

/** Settings fixed for the core's lifetime. */
export interface CoreSettings {
  limits: Limits;
  persistent: boolean;
  services: readonly string[];
  env: Readonly<Record<string, unknown>>;
  /** The egress policy for fetch(); undefined denies every request. */
  fetch?: EgressPolicy | undefined;
  /** Bindings by env name: each `{ kv }` is a KVNamespace on the guest's env (the namespace stays on the host). */
  bindings?: Readonly<Record<string, { kv: string }>>;
}

/** One run request. */
export interface RunSpec {
  /** "app": a module whose default export is a fetch handler, kept loaded to serve requests. */
  kind: 'module' | 'script' | 'app';
  source: string;
  filename: string;
  args: readonly unknown[];
}

/** Resource use of one run. */
export interface Usage {
  cpuMs: number;
  wallMs: number;
  heapPeakBytes: number;
  hostCalls: number;
}

/** How a run ended, as plain data (it crosses process boundaries). */
export interface RunOutcome {
  ok: boolean;
  value?: unknown;
  error?: { code: ErrorCode; message: string; guest?: GuestErrorInfo };
  usage: Usage;
}

/** A request handed to a loaded app. */
export interface RequestHead {
  method: string;
  url: string;
  headers: [string, string][];
  hasBody: boolean;
}

/** Where a request's body comes from and its response goes. */
export interface RequestIo {
  /** The next request body chunk, or null at its end. */
  readBody(): Promise<Uint8Array | null>;
  head(status: number, statusText: string, headers: [string, string][]): void;
  /** Writes a response body chunk; false means wait for `drained()`. */
  write(chunk: Uint8Array): boolean;
  /** Optional fast path: head, a whole body and the end at once (after head() was called). */
  endWith?(body: Uint8Array | null): void;
  /** Resolves when the response can take more data. */
  drained(): Promise<void>;
  end(): void;
}

/** How a request ended: a run outcome, plus whether the response head went out. */
export interface RequestOutcome extends RunOutcome {
  responded: boolean;
  /**
   * The longest single isolate entry of the request, in ms of CPU: how long it held the event
   * loop at once (a streamed body takes many short entries; a CPU-burning handler one long one).
   */
  longestEntryMs: number;
  /** The shard slot that served it (set by the server's shard pool). */
  shard?: number;
}

const MAX_PENDING_CALLS = 10_000;
const MAX_TIMERS = 10_000;
const WARM_TIMEOUT_MS = 1000;
const HEAP_SAMPLE_AFTER_NS = 250_000n;

/**
 * Splits a batch entry's CPU time among its `n` requests: each is charged the milliseconds its
 * start ran by the guest's clock (`result` begins with those figures, one per request) and the
 * rest is split equally; when the figures add up to more than the entry (the clock counts time
 * the thread was not running), in their proportions. Figures that are not whole milliseconds count 0.
 */
function splitCpu(used: bigint, n: number, result: unknown): bigint[] {
  // Milliseconds as numbers first: most batches are all under a millisecond (every figure 0).
  let totalMs = 0;
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = Array.isArray(result) ? result[i] : undefined;
    const whole = typeof m === 'number' && Number.isInteger(m) && m > 0 && m < 1e7 ? m : 0;
    ms.push(whole);
    totalMs += whole;
  }
  if (totalMs === 0) { const part = used / BigInt(n); return ms.map(() => part); }
  const total = BigInt(totalMs) * 1_000_000n;
  if (total >= used) return ms.map((m) => (used * BigInt(m)) / BigInt(totalMs));
  const rest = (used - total) / BigInt(n);
  return ms.map((m) => BigInt(m) * 1_000_000n + rest);
}

const SCRIPT_CACHE_SIZE = 64;
const SCRIPT_CACHE_MAX_SOURCE = 64 * 1024;

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}
const MAX_ARGS = 64;

/** A run in flight: its budget, its usage and the one way it settles. */
class ActiveRun {
  readonly token: number;
  /** A request scope (serving) rather than a library run. */
  request: { io: RequestIo; headSent: boolean; ended: boolean } | undefined;
  /** A name for logs (a request id). */
  label: string | undefined;
  readonly started = performance.now();
  readonly cpuBudgetNs: bigint;
  readonly wallDeadline: number;
  cpuUsedNs = 0n;
  /** The CPU time of the run's longest single entry. */
  longestEntryNs = 0n;
  heapPeak = 0;
  hostCalls = 0;
  pendingCalls = 0;
  #settled = false;
  readonly done: Promise<RunOutcome>;
  #resolve!: (outcome: RunOutcome) => void;

  readonly #sampleHeap: () => number;

  constructor(token: number, limits: Limits, sampleHeap: () => number, lastHeap: number) {
    this.token = token;
    this.#sampleHeap = sampleHeap;
    this.heapPeak = lastHeap;
    this.cpuBudgetNs = BigInt(Math.round(limits.cpuMs * 1e6));
    this.wallDeadline = this.started + limits.wallMs;
    this.done = new Promise((resolve) => { this.#resolve = resolve; });
  }

  get settled(): boolean { return this.#settled; }

  usage(): Usage {
    if (!this.#settled && (this.cpuUsedNs > HEAP_SAMPLE_AFTER_NS || this.heapPeak === 0)) {
      const heap = this.#sampleHeap();
      if (heap > this.heapPeak) this.heapPeak = heap;
    }
    return {
      cpuMs: Number(this.cpuUsedNs) / 1e6,
      wallMs: performance.now() - this.started,
      heapPeakBytes: this.heapPeak,
      hostCalls: this.hostCalls,
    };
  }

  succeed(value: unknown): void {
    if (this.#settled) return;
    const usage = this.usage();
    this.#settled = true;
    this.#resolve({ ok: true, value, usage });
  }

  fail(error: IsletError): void {
    if (this.#settled) return;
    const usage = this.usage();
    this.#settled = true;
    const info: { code: ErrorCode; message: string; guest?: GuestErrorInfo } = { code: error.code, message: error.message };
    if (error.guest !== undefined) info.guest = error.guest;
    this.#resolve({ ok: false, error: info, usage });
  }
}

/** Owns an isolate and runs guest code in it under limits. */
export class RunCore {
  readonly #settings: CoreSettings;
  readonly #host: CoreHost;
  readonly #granted: ReadonlySet<string>;
  /** The KV binding names the guest may use. */
  readonly #kvBindings: ReadonlySet<string>;
  #isolate: EngineIsolate | undefined;
  #prelude: EngineScript | undefined;
  #context: EngineContext | undefined;
  #dispatch: GuestRef | undefined;
  /** A fresh context booted ahead of time (non-persistent cores), taken by the next run. */
  #warm: { context: EngineContext; dispatch: GuestRef } | undefined;
  #warming = false;
  /** The isolate's heap at its last sample: short runs report it instead of sampling (6 us) again. */
  #lastHeap = 0;
  readonly #scripts = new Map<string, EngineScript>();
  #opList: readonly ((...args: unknown[]) => unknown)[] | undefined;
  /** Host timers of the current run's context, by guest timer id. Cleared when the run ends. */
  readonly #timers = new Map<number, NodeJS.Timeout>();
  readonly #fetch: FetchHost;
  /** Host CryptoKeys of the current context. */
  readonly #subtle = new SubtleHost();
  #subtleIds = 0;
  /** The library run in flight (runs are serialised). */
  #run: ActiveRun | undefined;
  /** The scope whose entry is executing now: ops the guest calls are attributed to it. */
  #current: ActiveRun | undefined;
  /** The scope that started each fetch, by fetch id. */
  readonly #fetchScopes = new Map<number, ActiveRun>();
  /** Request scopes in flight, by token. */
  readonly #requests = new Map<number, ActiveRun>();
  /** The scope that set each timer. */
  readonly #timerScopes = new Map<number, ActiveRun>();
  #tokens = 0;
  #callIds = 0;
  #disposed = false;
  #queue: Promise<unknown> = Promise.resolve();
  /** Called with isolated-vm's message when it reports a catastrophic error. */
  onCatastrophicError: ((message: string) => void) | undefined;

  constructor(settings: CoreSettings, host: CoreHost) {
    this.#settings = settings;
    this.#host = host;
    this.#granted = new Set(settings.services);
    this.#kvBindings = kvBindingNames(settings);
    this.#fetch = new FetchHost(settings.fetch, (id, kind, payload) => this.#deliverFetch(id, kind, payload));
  }

  /** Runs one module or script; runs on one core are serialised. Never rejects. */
  run(spec: RunSpec): Promise<RunOutcome> {
    const next = this.#queue.then(() => this.#runNow(spec));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Delivers a host message to the live context; rejects with INVALID_STATE when there is none. */
  async send(event: string, data: unknown): Promise<void> {
    if (this.#disposed) throw new IsletError('DISPOSED', 'The sandbox is disposed.');
    const context = this.#context;
    const dispatch = this.#dispatch;
    if (context === undefined || dispatch === undefined) {
      throw new IsletError('INVALID_STATE', 'No guest is listening: send() needs a persistent sandbox that has run, or a run in progress.');
    }
    const run = this.#run;
    const timeout = run !== undefined ? this.#remainingMs(run) : this.#settings.limits.cpuMs;
    const before = context.isolate.cpuTimeNs;
    try {
      context.call(dispatch, ['message', event, data], timeout);
    } catch (error) {
      const islet = this.#errorForFault(faultFrom(error, context.isolate), run);
      if (run !== undefined) this.#account(run, before, islet);
      else this.#afterFailure(islet.code);
      throw islet;
    }
    if (run !== undefined) this.#account(run, before);
  }

  /**
   * Hands a request to the loaded app (see a run of kind "app") and resolves when its response
   * and every ctx.waitUntil are done, or it failed. Requests interleave in the app's isolate; each
   * has its own CPU budget and deadline. Never rejects.
   */
  request(head: RequestHead, io: RequestIo, label?: string): { token: number; done: Promise<RequestOutcome> } {
    const scope = new ActiveRun(++this.#tokens, this.#settings.limits, () => this.#sampleHeap(), this.#lastHeap);
    scope.request = { io, headSent: false, ended: false };
    scope.label = label;
    const finish = (outcome: RunOutcome): RequestOutcome => ({ ...outcome, responded: scope.request?.headSent === true, longestEntryMs: Number(scope.longestEntryNs) / 1e6 });
    const context = this.#context;
    const dispatch = this.#dispatch;
    if (this.#disposed || context === undefined || dispatch === undefined) {
      scope.fail(new IsletError(this.#disposed ? 'DISPOSED' : 'INVALID_STATE', 'No app is loaded.'));
      return { token: scope.token, done: scope.done.then(finish) };
    }
    this.#requests.set(scope.token, scope);
    const wallTimer = setTimeout(() => {
      scope.fail(new IsletError('WALL_TIMEOUT', `The request passed its wall-clock limit of ${this.#settings.limits.wallMs} ms.`));
    }, this.#settings.limits.wallMs);
    void scope.done.then((outcome) => {
      clearTimeout(wallTimer);
      this.#requests.delete(scope.token);
      this.#endScope(scope);
      // A failed request: tell the guest to stop it (abort its signal, error its streams).
      if (!outcome.ok && this.#context === context && this.#dispatch === dispatch && !context.isolate.isDisposed) {
        try { this.#applyOutbox(context.call(dispatch, ['http', scope.token, 'abort', null], 50)); } catch { /* the isolate is going away */ }
      }
    });
    // The head travels as one string ("METHOD\nurl\n0|1\nname:value\n..."): a primitive crosses
    // without a structured-clone copy. Header names have no ":" and values no line breaks.
    let packed = `${head.method}\n${head.url}\n${head.hasBody ? '1' : '0'}`;
    for (const [name, value] of head.headers) packed += `\n${name}:${value}`;
    // Starts are batched: the requests that arrive in one turn enter the isolate together (an
    // entry costs more than a small request's own work). A lone request enters as before.
    this.#starting.push({ scope, packed });
    if (this.#starting.length === 1) queueMicrotask(() => { this.#startBatch(); });
    return { token: scope.token, done: scope.done.then(finish) };
  }

  /** Request starts waiting for the end of this turn (see request). */
  #starting: { scope: ActiveRun; packed: string }[] = [];
  /** While a batch of starts is in the isolate: its requests by token. */
  #batch: Map<number, ActiveRun> | undefined;

  /**
   * Enters the isolate once for every request start queued this turn. The entry's timeout is the
   * smallest budget left among them. Its CPU time (the isolate's clock) is split by how long each
   * start ran by the guest's millisecond clock, and what those figures do not cover (starts under
   * a millisecond, the responses made after the starts) equally: a request that burns is charged
   * its loop, light ones a fair part of the rest. A request that calls an op is marked first
   * (op_http_mark), which makes it the current one (its console lines, host calls and timers).
   * When the entry fails (a limit, a crash), the request whose start was running (the guest says,
   * when its isolate lives on) or else the last one marked takes the failure.
   */
  #startBatch(): void {
    const queued = this.#starting;
    this.#starting = [];
    const context = this.#context;
    const dispatch = this.#dispatch;
    const live = queued.filter((q) => this.#requests.has(q.scope.token) && !q.scope.settled);
    if (live.length === 0 || context === undefined || dispatch === undefined) return;
    if (live.length === 1) {
      const { scope, packed } = live[0] as { scope: ActiveRun; packed: string };
      this.#deliverHttp(scope, 'start', packed);
      return;
    }
    const isolate = this.#isolate as EngineIsolate;
    const scopes = new Map(live.map((q) => [q.scope.token, q.scope]));
    let timeoutMs = Infinity;
    for (const q of live) timeoutMs = Math.min(timeoutMs, this.#remainingMs(q.scope));
    const before = isolate.cpuTimeNs;
    const outer = this.#current;
    this.#batch = scopes;
    this.#current = (live[0] as { scope: ActiveRun }).scope;
    let failure: IsletError | undefined;
    let result: unknown;
    try {
      // One string crosses without a copy (see startHttpBatch in 21-serve.ts).
      let batch = '';
      for (const q of live) batch += batch === '' ? `${q.scope.token}\n${q.packed}` : `\n\n${q.scope.token}\n${q.packed}`;
      result = context.call(dispatch, ['https', batch], timeoutMs);
    } catch (error) {
      failure = IsletError.is(error) ? error : this.#errorForFault(faultFrom(error, isolate), this.#current);
    }
    // Outside the try: the host sending responses is not the guest failing.
    if (failure === undefined) this.#applyOutbox(result, live.length);
    let guilty = this.#current;
    this.#batch = undefined;
    this.#current = outer;
    if (failure !== undefined && !isolate.isDisposed) {
      try {
        const running = scopes.get(context.call(dispatch, ['current'], 20) as number);
        if (running !== undefined) guilty = running;
      } catch { /* the isolate cannot answer: keep the last one marked */ }
    }
    const used = !isolate.isDisposed && isolate.cpuTimeNs > before ? isolate.cpuTimeNs - before : 0n;
    const parts = splitCpu(used, live.length, result);
    const heap = used > HEAP_SAMPLE_AFTER_NS ? this.#sampleHeap() : 0;
    for (let i = 0; i < live.length; i++) {
      const scope = (live[i] as { scope: ActiveRun }).scope;
      const part = parts[i] ?? 0n;
      scope.cpuUsedNs += part;
      if (part > scope.longestEntryNs) scope.longestEntryNs = part;
      if (heap > scope.heapPeak) scope.heapPeak = heap;
    }
    if (failure !== undefined && guilty !== undefined && !guilty.settled) {
      guilty.fail(failure);
      this.#afterFailure(failure.code);
      return;
    }
    for (const scope of scopes.values()) {
      if (!scope.settled && scope.cpuUsedNs > scope.cpuBudgetNs) {
        scope.fail(this.#cpuError());
        this.#afterFailure('CPU_LIMIT');
        return;
      }
    }
  }

  /** Whether an app is loaded in a live context (false after a limit kill or crash: load it again). */
  get loaded(): boolean { return this.#context !== undefined && this.#dispatch !== undefined && this.#isolate !== undefined && !this.#isolate.isDisposed; }

  /** Memory the isolate holds, in bytes (0 without one). */
  footprintBytes(): number {
    const isolate = this.#isolate;
    return isolate === undefined || isolate.isDisposed ? 0 : isolate.footprintBytes();
  }

  /** The client went away: abort the request's signal and end it. */
  abortRequest(token: number): void {
    this.#requests.get(token)?.fail(new IsletError('GUEST_EXCEPTION', 'The client closed the connection.'));
  }

  /** Disposes the isolate; a run in flight ends with DISPOSED. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#run?.fail(new IsletError('DISPOSED', 'The sandbox was disposed during the run.'));
    this.#dropIsolate();
  }

  async #runNow(spec: RunSpec): Promise<RunOutcome> {
    const run = new ActiveRun(++this.#tokens, this.#settings.limits, () => this.#sampleHeap(), this.#lastHeap);
    if (this.#disposed) {
      run.fail(new IsletError('DISPOSED', 'The sandbox is disposed; create a new one.'));
      return run.done;
    }
    this.#run = run;
    const wallTimer = setTimeout(() => {
      run.fail(new IsletError('WALL_TIMEOUT', `The run passed its wall-clock limit of ${this.#settings.limits.wallMs} ms.`));
      this.#afterFailure('WALL_TIMEOUT');
    }, this.#settings.limits.wallMs);
    try {
      await this.#start(run, spec);
    } catch (error) {
      const islet = IsletError.is(error) ? error
        : /memory limit/i.test(String(error)) ? new IsletError('MEMORY_LIMIT', `The guest passed its memory limit of ${this.#settings.limits.memoryMb} MiB.`)
        : new IsletError('INTERNAL', `Internal error: ${String(error)}`, { cause: error });
      run.fail(islet);
      this.#afterFailure(islet.code);
    }
    const outcome = await run.done;
    clearTimeout(wallTimer);
    this.#clearTimers();
    this.#fetch.reset();
    this.#fetchScopes.clear();
    this.#run = undefined;
    if (!this.#settings.persistent) {
      this.#dropContext();
      this.#scheduleWarm();
    }
    return outcome;
  }

  async #start(run: ActiveRun, spec: RunSpec): Promise<void> {
    if (spec.kind === 'script') {
      const context = this.#ensureContext(run);
      const script = this.#compileCached(spec.source, spec.filename);
      const completion = this.#enter(run, (ms) => context.runScript(script, ms));
      if (completion === undefined || run.settled) return;
      // A primitive completion value settles here; objects go back in, since they may be thenables.
      const primitive = completion.primitive();
      if (primitive !== undefined) {
        completion.release();
        run.succeed(primitive.value);
        return;
      }
      this.#enter(run, (ms) => context.call(this.#requireDispatch(), ['script', run.token, completion], ms));
      return;
    }
    const isolate = this.#ensureIsolate();
    const modules = new Map<string, EngineModule>();
    const paths = new Map<EngineModule, string>();
    const compile = (path: string, source: string): EngineModule => {
      const module = isolate.compileModule(toJavaScript(source, path), path);
      modules.set(path, module);
      paths.set(module, path);
      return module;
    };
    const entry = compile(spec.filename, spec.source);
    // Load the whole graph first: linking is synchronous, loading may not be.
    const resolved = new Map<string, EngineModule>();
    const pending: EngineModule[] = [entry];
    while (pending.length > 0) {
      const module = pending.pop() as EngineModule;
      const importer = paths.get(module) as string;
      for (const specifier of module.imports) {
        const found = await resolveWith(this.#host.loadModule, specifier, importer);
        if (run.settled) return;
        let dep = modules.get(found.path);
        if (dep === undefined) { dep = compile(found.path, found.source); pending.push(dep); }
        resolved.set(`${importer}\0${specifier}`, dep);
      }
    }
    const context = this.#ensureContext(run);
    const wrapper = isolate.compileModule(`import * as ns from ${JSON.stringify(`./${spec.filename}`)};\n__islet_start(ns);\n`, 'islet:entry');
    context.instantiate(wrapper, (specifier, importer) => {
      if (importer === wrapper) return entry;
      const dep = resolved.get(`${paths.get(importer) ?? ''}\0${specifier}`);
      if (dep === undefined) throw new IsletError('MODULE_NOT_FOUND', `Cannot import "${specifier}".`);
      return dep;
    });
    this.#enter(run, (ms) => context.call(this.#requireDispatch(), ['arm', run.token, spec.args, spec.kind === 'app' ? 'app' : 'main'], ms));
    if (run.settled) return;
    this.#enter(run, (ms) => context.evaluate(wrapper, ms));
  }

  #ensureIsolate(): EngineIsolate {
    if (this.#isolate === undefined || this.#isolate.isDisposed) {
      this.#dropIsolate();
      const image = preludeImage(preludeSource(), PRELUDE_FILENAME, PRELUDE_BOOT);
      this.#isolate = takeIsolate({
        memoryMb: this.#settings.limits.memoryMb,
        snapshot: image.snapshot,
        onCatastrophicError: (message) => { this.onCatastrophicError?.(message); },
      });
      this.#prelude = image.snapshot === undefined ? this.#isolate.compileCachedScript(image.source, PRELUDE_FILENAME) : undefined;
    }
    return this.#isolate;
  }

  #ensureContext(run: ActiveRun): EngineContext {
    const isolate = this.#ensureIsolate();
    if (this.#context !== undefined && this.#dispatch !== undefined) return this.#context;
    const warm = this.#warm;
    this.#warm = undefined;
    if (warm !== undefined && warm.context.isolate === isolate) {
      this.#context = warm.context;
      this.#dispatch = warm.dispatch;
      return warm.context;
    }
    const context = isolate.newContext();
    const dispatch = this.#enter(run, (ms) => context.boot(this.#prelude, BOOT_GLOBAL, this.#bootOps(), this.#init(), ms));
    if (dispatch === undefined) {
      context.release();
      throw new IsletError(run.settled ? 'CPU_LIMIT' : 'INTERNAL', 'The guest prelude did not start.');
    }
    this.#context = context;
    this.#dispatch = dispatch;
    return context;
  }

  /** Boots the next run's fresh context while the host is otherwise idle, off the run's critical path. */
  #scheduleWarm(): void {
    if (this.#warming || this.#warm !== undefined || this.#disposed) return;
    this.#warming = true;
    setImmediate(() => {
      this.#warming = false;
      if (this.#disposed || this.#warm !== undefined || this.#isolate === undefined || this.#isolate.isDisposed) return;
      const isolate = this.#isolate;
      const context = isolate.newContext();
      try {
        const dispatch = context.boot(this.#prelude, BOOT_GLOBAL, this.#bootOps(), this.#init(), WARM_TIMEOUT_MS);
        this.#warm = { context, dispatch };
      } catch {
        context.release();
      }
    }).unref();
  }

  #bootOps(): readonly ((...args: unknown[]) => unknown)[] {
    if (this.#opList === undefined) {
      const ops = this.#ops();
      this.#opList = OP_NAMES.map((name) => ops[name] as (...args: unknown[]) => unknown);
    }
    return this.#opList;
  }

  #init(): GuestInit {
    return { services: this.#settings.services, env: this.#settings.env, kv: [...this.#kvBindings] };
  }

  #compileCached(source: string, filename: string): EngineScript {
    const isolate = this.#ensureIsolate();
    const key = `${filename}\0${source}`;
    const hit = this.#scripts.get(key);
    if (hit !== undefined) return hit;
    const script = isolate.compileScript(toJavaScript(source, filename), filename);
    if (source.length <= SCRIPT_CACHE_MAX_SOURCE) {
      if (this.#scripts.size >= SCRIPT_CACHE_SIZE) this.#scripts.delete(this.#scripts.keys().next().value as string);
      this.#scripts.set(key, script);
    }
    return script;
  }

  #requireDispatch(): GuestRef {
    if (this.#dispatch === undefined) throw new IsletError('INTERNAL', 'No guest context.');
    return this.#dispatch;
  }

  /** Runs one entry into the isolate under the run's remaining budget, and accounts for it. */
  #enter<T>(run: ActiveRun, body: (timeoutMs: number) => T): T | undefined {
    if (run.settled) return undefined;
    const isolate = this.#isolate as EngineIsolate;
    const before = isolate.cpuTimeNs;
    const outer = this.#current;
    this.#current = run;
    let failure: IsletError | undefined;
    try {
      return body(this.#remainingMs(run));
    } catch (error) {
      failure = IsletError.is(error) ? error : this.#errorForFault(faultFrom(error, isolate), run);
      return undefined;
    } finally {
      this.#current = outer;
      this.#account(run, before, failure);
    }
  }

  /** Adds an entry's CPU time and heap to the run; fails the run on `failure` or an exhausted budget. */
  #account(run: ActiveRun, before: bigint, failure?: IsletError): void {
    const isolate = this.#isolate;
    if (isolate !== undefined && !isolate.isDisposed) {
      const after = isolate.cpuTimeNs;
      if (after > before) { run.cpuUsedNs += after - before; if (after - before > run.longestEntryNs) run.longestEntryNs = after - before; }
      // Heap is sampled after entries long enough to allocate much, and when the run settles.
      if (after - before > HEAP_SAMPLE_AFTER_NS) {
        const heap = this.#sampleHeap();
        if (heap > run.heapPeak) run.heapPeak = heap;
      }
    }
    if (failure === undefined && !run.settled && run.cpuUsedNs > run.cpuBudgetNs) failure = this.#cpuError();
    if (failure !== undefined && !run.settled) {
      run.fail(failure);
      this.#afterFailure(failure.code);
    }
  }

  #sampleHeap(): number {
    const isolate = this.#isolate;
    if (isolate === undefined || isolate.isDisposed) return 0;
    this.#lastHeap = isolate.heapBytes();
    return this.#lastHeap;
  }

  #remainingMs(run: ActiveRun): number {
    const cpu = Number(run.cpuBudgetNs - run.cpuUsedNs) / 1e6;
    const wall = run.wallDeadline - performance.now();
    return Math.max(1, Math.min(cpu, wall));
  }

  #cpuError(): IsletError {
    return new IsletError('CPU_LIMIT', `The guest used more than its CPU budget of ${this.#settings.limits.cpuMs} ms.`);
  }

  #errorForFault(fault: EngineFault, run: ActiveRun | undefined): IsletError {
    if (fault.kind === 'timeout') {
      if (run !== undefined && performance.now() >= run.wallDeadline) {
        return new IsletError('WALL_TIMEOUT', `The run passed its wall-clock limit of ${this.#settings.limits.wallMs} ms.`);
      }
      return this.#cpuError();
    }
    if (fault.kind === 'memory') {
      return new IsletError('MEMORY_LIMIT', `The guest passed its memory limit of ${this.#settings.limits.memoryMb} MiB.`);
    }
    if (fault.kind === 'disposed' && this.#disposed) return new IsletError('DISPOSED', 'The sandbox was disposed during the run.');
    if (fault.kind === 'guest' && fault.guest?.code === 'HOST_SERVICE_ERROR') {
      return new IsletError('HOST_SERVICE_ERROR', `Uncaught ${fault.guest.name}: ${fault.guest.message}`, { guest: fault.guest });
    }
    return fault.toIsletError();
  }

  /** After a limit kill or crash the isolate is replaced, never reused. */
  #afterFailure(code: ErrorCode): void {
    if (code === 'CPU_LIMIT' || code === 'WALL_TIMEOUT' || code === 'MEMORY_LIMIT' || code === 'ISOLATE_CRASHED' || code === 'INTERNAL') {
      this.#dropIsolate();
    }
  }

  /** Whether a scope is still in flight (the library run, or a request): late events for others are dropped. */
  #live(scope: ActiveRun): boolean {
    return !scope.settled && (this.#run === scope || this.#requests.has(scope.token));
  }

  /** Sends a response head; shared by op_http_head and op_http_respond. */
  #ops_http_head(id: unknown, status: unknown, statusText: unknown, headers: unknown): OpResult<null> {
    const scope = this.#requests.get(id as number);
    const r = scope?.request;
    if (scope === undefined || r === undefined || r.headSent) return [false, 'no response can start now'];
    if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599 || typeof statusText !== 'string' || typeof headers !== 'string') return [false, 'invalid response head'];
    const pairs: [string, string][] = [];
    if (headers !== '') {
      for (const line of headers.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) return [false, 'invalid response headers'];
        pairs.push([line.slice(0, colon), line.slice(colon + 1)]);
      }
    }
    try {
      r.io.head(status as number, statusText, pairs);
    } catch (error) {
      // A head the server cannot send (Node refuses a control character in a header value).
      queueMicrotask(() => scope.fail(new IsletError('INVALID_RESPONSE', `The app's response head cannot be sent: ${(error as Error).message}`)));
      return [false, 'invalid response head'];
    }
    r.headSent = true;
    return [true, null];
  }

  /** A whole response: head, body and end at once (op_http_respond, or collected from an entry's result). */
  #respond(id: unknown, status: unknown, statusText: unknown, headers: unknown, body: unknown, done: unknown): OpResult<null> {
    const head = this.#ops_http_head(id, status, statusText, headers);
    if (head[0] !== true) return head;
    const scope = this.#requests.get(id as number);
    const r = scope?.request;
    if (scope === undefined || r === undefined) return [true, null];
    r.ended = true;
    const bytes = body instanceof Uint8Array && body.length > 0 ? body : null;
    if (r.io.endWith !== undefined) r.io.endWith(bytes);
    else { if (bytes !== null) r.io.write(bytes); r.io.end(); }
    if (done === true) queueMicrotask(() => scope.succeed(null));
    return [true, null];
  }

  /**
   * Sends the whole responses the guest collected during a request entry instead of calling
   * op_http_respond for each (one crossing per entry, not one per response): six fields each.
   */
  #applyOutbox(result: unknown, skip = 0): void {
    if (!Array.isArray(result)) return;
    for (let i = skip; i + 5 < result.length; i += 6) {
      try {
        this.#respond(result[i], result[i + 1], result[i + 2], result[i + 3], result[i + 4], result[i + 5]);
      } catch (error) {
        // The host failed to send it (a bug, not the guest's doing): that request ends, nothing else.
        const scope = this.#requests.get(result[i] as number);
        if (scope !== undefined) queueMicrotask(() => scope.fail(new IsletError('INTERNAL', `The response could not be sent: ${(error as Error).message}`)));
      }
    }
  }

  #deliverHttp(scope: ActiveRun, kind: string, payload: unknown): void {
    const context = this.#context;
    const dispatch = this.#dispatch;
    if (scope.settled || context === undefined || dispatch === undefined) return;
    this.#enter(scope, (ms) => { this.#applyOutbox(context.call(dispatch, ['http', scope.token, kind, payload], ms)); });
  }

  #deliverFetch(id: number, kind: string, payload: unknown): void {
    const run = this.#fetchScopes.get(id);
    if (kind === 'end' || kind === 'error') this.#fetchScopes.delete(id);
    const context = this.#context;
    const dispatch = this.#dispatch;
    if (run === undefined || run.settled || context === undefined || dispatch === undefined) return;
    this.#enter(run, (ms) => {
      try {
        return context.call(dispatch, ['fetch', id, kind, payload], ms);
      } catch (error) {
        if (kind === 'error' && error instanceof EngineFault && error.kind === 'guest' && this.#fetch.denials.has(error.guest?.message ?? '')) {
          // The guest left a denied fetch's rejection unhandled.
          throw new IsletError('EGRESS_DENIED', `Uncaught TypeError: ${error.guest?.message ?? ''}`, error.guest === undefined ? {} : { guest: error.guest });
        }
        throw error;
      }
    });
  }

  #settleKv(run: ActiveRun, context: EngineContext | undefined, id: number, ok: boolean, payload: unknown): void {
    run.pendingCalls -= 1;
    if (!this.#live(run) || this.#context !== context || context === undefined || this.#dispatch === undefined) return;
    const dispatch = this.#dispatch;
    this.#enter(run, (ms) => context.call(dispatch, ['kv', id, ok, payload], ms));
  }

  #settleSubtle(run: ActiveRun, context: EngineContext | undefined, id: number, ok: boolean, payload: unknown): void {
    if (!this.#live(run) || this.#context !== context || context === undefined || this.#dispatch === undefined) return;
    const dispatch = this.#dispatch;
    this.#enter(run, (ms) => context.call(dispatch, ['subtle', id, ok, payload], ms));
  }

  #clearTimers(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#timerScopes.clear();
  }

  /** Ends one scope's timers and subrequests (a request that finished or failed). */
  #endScope(scope: ActiveRun): void {
    for (const [id, owner] of this.#timerScopes) {
      if (owner !== scope) continue;
      clearTimeout(this.#timers.get(id));
      this.#timers.delete(id);
      this.#timerScopes.delete(id);
    }
    for (const [id, owner] of this.#fetchScopes) {
      if (owner !== scope) continue;
      this.#fetch.cancel(id);
      this.#fetchScopes.delete(id);
    }
  }

  #fireTimer(id: number, run: ActiveRun): void {
    this.#timers.delete(id);
    this.#timerScopes.delete(id);
    if (!this.#live(run)) return;
    const context = this.#context;
    const dispatch = this.#dispatch;
    if (context === undefined || dispatch === undefined) return;
    this.#enter(run, (ms) => context.call(dispatch, ['timer', id], ms));
  }

  #dropContext(): void {
    this.#clearTimers();
    this.#subtle.clear();
    this.#dispatch?.release();
    this.#context?.release();
    this.#context = undefined;
    this.#dispatch = undefined;
  }

  #dropIsolate(): void {
    for (const scope of [...this.#requests.values()]) {
      scope.fail(new IsletError('ISOLATE_CRASHED', 'The app\'s isolate was replaced (another request in it hit a limit or it crashed) while this request was in flight.'));
    }
    this.#dropContext();
    if (this.#warm !== undefined) { this.#warm.dispatch.release(); this.#warm.context.release(); this.#warm = undefined; }
    this.#scripts.clear();
    this.#lastHeap = 0;
    this.#isolate?.dispose();
    this.#isolate = undefined;
    this.#prelude = undefined;
  }

  /** The op table. Each op validates its arguments as hostile input and never throws into the guest. */
  #ops(): GuestOps {
    const core = this;
    return {
      op_console_write(stream, text): OpResult<null> {
        if ((stream !== 1 && stream !== 2) || typeof text !== 'string') return [false, 'invalid console write'];
        core.#host.output(stream, text, core.#current?.label);
        return [true, null];
      },
      op_service_call(path, args): OpResult<number> {
        const run = core.#current;
        if (run === undefined || run.settled) return [false, 'host services can only be called while a run is in progress'];
        if (typeof path !== 'string' || !core.#granted.has(path)) return [false, 'no such host service'];
        const checked = validateServiceArgs(args, MAX_ARGS);
        if (typeof checked === 'string') return [false, checked];
        if (run.pendingCalls >= MAX_PENDING_CALLS) return [false, `too many host calls in flight (limit ${MAX_PENDING_CALLS})`];
        run.hostCalls += 1;
        run.pendingCalls += 1;
        const id = ++core.#callIds;
        // Start the service after this entry returns, so host code never runs inside the isolate's turn.
        queueMicrotask(() => {
          let started: Promise<WireResult>;
          try {
            started = core.#host.callService(path, checked);
          } catch (error) {
            started = Promise.reject(error);
          }
          started.then(
            (result) => core.#settleCall(run, id, true, result),
            (error: unknown) => core.#settleCall(run, id, false, toWireError(error)),
          );
        });
        return [true, id];
      },
      op_message_emit(event, data): OpResult<null> {
        if (typeof event !== 'string' || event.length > 256) return [false, 'the event name must be a string of at most 256 characters'];
        const run = core.#current;
        if (run !== undefined) run.hostCalls += 1;
        queueMicrotask(() => core.#host.emit(event, data));
        return [true, null];
      },
      op_timer_start(id, delay): OpResult<null> {
        const run = core.#current;
        if (run === undefined || run.settled) return [false, 'timers can only be set while a run is in progress'];
        if (!Number.isSafeInteger(id) || typeof delay !== 'number' || !(delay >= 0)) return [false, 'invalid timer'];
        const existing = core.#timers.get(id as number);
        if (existing !== undefined) clearTimeout(existing);
        else if (core.#timers.size >= MAX_TIMERS) return [false, `too many live timers (limit ${MAX_TIMERS})`];
        core.#timers.set(id as number, setTimeout(() => core.#fireTimer(id as number, run), Math.min(delay, 2_147_483_647)));
        core.#timerScopes.set(id as number, run);
        return [true, null];
      },
      op_timer_cancel(id): OpResult<null> {
        const timer = core.#timers.get(id as number);
        if (timer !== undefined) { clearTimeout(timer); core.#timers.delete(id as number); }
        return [true, null];
      },
      op_clone(value): OpResult<unknown> {
        // isolated-vm has already structured-cloned the argument; returning it clones it back.
        if (containsSharedMemory(value)) return [false, 'SharedArrayBuffer cannot be cloned in a sandbox.'];
        return [true, value];
      },
      op_random_fill: randomFill,
      op_fetch_start(method, url, headers, body, redirect): OpResult<number> {
        const run = core.#current;
        if (run === undefined || run.settled) return [false, 'fetch can only be called while a run is in progress'];
        run.hostCalls += 1;
        const started = core.#fetch.start(method, url, headers, body, redirect);
        if (started[0] === true) core.#fetchScopes.set(started[1], run);
        return started;
      },
      op_subtle(operation, args): OpResult<number> {
        const run = core.#current;
        if (run === undefined || run.settled) return [false, 'crypto.subtle can only be used while a run is in progress'];
        run.hostCalls += 1;
        const id = ++core.#subtleIds;
        const context = core.#context;
        queueMicrotask(() => {
          core.#subtle.run(operation, args).then(
            (result) => core.#settleSubtle(run, context, id, true, result),
            (error: unknown) => core.#settleSubtle(run, context, id, false, error),
          );
        });
        return [true, id];
      },
      op_kv(binding, request, text): OpResult<number> {
        const run = core.#current;
        if (run === undefined || run.settled) return [false, 'KV bindings can only be used while a request or run is in progress'];
        if (typeof binding !== 'string' || !core.#kvBindings.has(binding)) return [false, 'no such KV binding'];
        if (run.pendingCalls >= MAX_PENDING_CALLS) return [false, `too many host calls in flight (limit ${MAX_PENDING_CALLS})`];
        run.hostCalls += 1;
        run.pendingCalls += 1;
        const id = ++core.#callIds;
        const context = core.#context;
        const hook = core.#host.kv === undefined ? undefined : core.#host.kv.bind(core.#host);
        queueMicrotask(() => {
          runKvOp(hook, binding, request, text === true).then(
            (payload) => core.#settleKv(run, context, id, true, payload),
            (error: unknown) => core.#settleKv(run, context, id, false, toKvFailure(error, request)),
          );
        });
        return [true, id];
      },
      op_fetch_write: (id, chunk) => core.#fetch.write(id, chunk),
      op_http_read(id): OpResult<null> {
        const scope = core.#requests.get(id as number);
        if (scope?.request === undefined) return [true, null];
        const io = scope.request.io;
        io.readBody().then(
          (chunk) => core.#deliverHttp(scope, chunk === null ? 'end' : 'chunk', chunk),
          () => core.#deliverHttp(scope, 'abort', null),
        );
        return [true, null];
      },
      op_http_head: (id, status, statusText, headers) => core.#ops_http_head(id, status, statusText, headers),
      op_http_write(id, chunk): OpResult<boolean> {
        const r = core.#requests.get(id as number)?.request;
        if (r === undefined || !r.headSent || r.ended) return [true, true];
        if (!(chunk instanceof Uint8Array)) return [false, 'response body chunks must be Uint8Arrays'];
        const scope = core.#requests.get(id as number) as ActiveRun;
        const more = r.io.write(chunk);
        if (!more) r.io.drained().then(() => core.#deliverHttp(scope, 'drain', null), () => undefined);
        return [true, more];
      },
      op_http_end(id): OpResult<null> {
        const r = core.#requests.get(id as number)?.request;
        if (r !== undefined && r.headSent && !r.ended) { r.ended = true; r.io.end(); }
        return [true, null];
      },
      op_http_fail(id, code, error): OpResult<null> {
        const scope = core.#requests.get(id as number);
        if (scope === undefined) return [true, null];
        const guest = toGuestInfo(error);
        const known: ErrorCode = code === 'INVALID_RESPONSE' ? 'INVALID_RESPONSE' : code === 'INTERNAL' ? 'INTERNAL' : 'GUEST_EXCEPTION';
        queueMicrotask(() => scope.fail(new IsletError(known, `${known === 'INVALID_RESPONSE' ? '' : 'Uncaught '}${guest.name}: ${guest.message}`, { guest })));
        return [true, null];
      },
      op_http_respond: (id, status, statusText, headers, body, done) => core.#respond(id, status, statusText, headers, body, done),
      op_http_done(id): OpResult<null> {
        const scope = core.#requests.get(id as number);
        if (scope !== undefined) queueMicrotask(() => scope.succeed(null));
        return [true, null];
      },
      op_http_mark(id): OpResult<null> {
        const scope = core.#batch?.get(id as number);
        if (scope !== undefined) core.#current = scope;
        return [true, null];
      },
      op_fetch_end: (id) => core.#fetch.end(id),
      op_fetch_read: (id) => core.#fetch.read(id),
      op_fetch_cancel: (id) => core.#fetch.cancel(id),
      op_url_parse: urlParse,
      op_url_set: urlSet,
      op_run_settle(token, ok, payload): OpResult<null> {
        const run = core.#current;
        if (run === undefined || token !== run.token || run.settled) return [true, null];
        if (ok === true) { queueMicrotask(() => run.succeed(payload)); return [true, null]; }
        const p = (typeof payload === 'object' && payload !== null ? payload : {}) as { kind?: unknown; error?: unknown };
        const guest = toGuestInfo(p.error);
        const code: ErrorCode = p.kind === 'uncloneable' ? 'UNCLONEABLE_VALUE' : p.kind === 'host' ? 'HOST_SERVICE_ERROR' : p.kind === 'egress' ? 'EGRESS_DENIED' : 'GUEST_EXCEPTION';
        const message = code === 'UNCLONEABLE_VALUE'
          ? `The run's result cannot be structured-cloned to the host: ${guest.message}`
          : `Uncaught ${guest.name}: ${guest.message}`;
        queueMicrotask(() => run.fail(new IsletError(code, message, { guest })));
        return [true, null];
      },
    };
  }

  #settleCall(run: ActiveRun, id: number, ok: boolean, payload: unknown): void {
    run.pendingCalls -= 1;
    // A late completion (run over, or a newer context) releases its result and does nothing else.
    if (!this.#live(run)) return;
    const context = this.#context;
    const dispatch = this.#dispatch;
    if (context === undefined || dispatch === undefined) return;
    this.#enter(run, (ms) => {
      try {
        const result = payload as WireResult;
        if (ok && result[0] === 0 && isPrimitive(result[1]) && result[1] !== undefined) {
          return context.call(dispatch, ['resolve', id, true, 0, result[1]], ms);
        }
        return context.call(dispatch, ['resolve', id, ok, payload], ms);
      } catch (error) {
        if (!ok && error instanceof EngineFault && error.kind === 'guest' && error.guest?.message === (payload as WireError).message) {
          // The guest left this service's rejection unhandled (for example, a top-level await).
          throw new IsletError('HOST_SERVICE_ERROR', `Uncaught ${error.guest.name}: ${error.guest.message}`, { guest: error.guest });
        }
        if (!(error instanceof EngineFault) || error.kind !== 'uncloneable') throw error;
        const refused: WireError = { name: 'TypeError', message: 'The host service returned a value that cannot be structured-cloned.', code: 'UNCLONEABLE_VALUE' };
        return context.call(dispatch, ['resolve', id, false, refused], ms);
      }
    });
  }
}

/** The KV binding names of a core's settings; refuses a name that is also an env key. */
function kvBindingNames(settings: CoreSettings): ReadonlySet<string> {
  const names = new Set<string>();
  for (const [name, spec] of Object.entries(settings.bindings ?? {})) {
    if (name === '' || Object.hasOwn(settings.env, name)) throw invalidOption(`bindings.${name}`, 'a binding name must be non-empty and must not also be an env key');
    if (typeof spec?.kv !== 'string' || spec.kv === '') throw invalidOption(`bindings.${name}.kv`, 'expected a KV namespace name');
    names.add(name);
  }
  return names;
}

/** Copies a host failure into a WireError: message only, host paths redacted, never a stack. */
/**
 * Keeps `count` spare isolates with the standard library ready for cores with this heap limit,
 * made ahead of time (servers: a newly loaded app skips making one); 0 turns spares off. The
 * snapshot is read (or built and verified) now, not on the first request.
 */
export function keepSpares(count: number, memoryMb: number): void {
  keepSpareIsolates(count);
  if (count > 0) primeSpareIsolates({ memoryMb, snapshot: preludeImage(preludeSource(), PRELUDE_FILENAME, PRELUDE_BOOT).snapshot });
}

export function toWireError(error: unknown): WireError {
  if (IsletError.is(error) && error.code === 'HANDLE_INVALID') {
    return { name: 'TypeError', message: error.message, code: 'HANDLE_INVALID' };
  }
  if (typeof error === 'object' && error !== null && 'name' in error && 'message' in error && (error as WireError).code !== undefined && typeof (error as WireError).message === 'string' && !(error instanceof Error)) {
    return error as WireError; // already a WireError (from a worker's parent)
  }
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'host service failed';
  return { name: 'Error', message: redactPaths(message), code: 'HOST_SERVICE_ERROR' };
}

/** Replaces absolute file paths and file URLs in a message with "<path>". */
export function redactPaths(message: string): string {
  return message
    .replace(/file:\/\/\S+/g, '<path>')
    .replace(/(^|[\s'"(=:])(?:[A-Za-z]:)?[\\/](?:[^\s'"():\\/]+[\\/])+[^\s'"():]*/g, '$1<path>');
}

function toGuestInfo(value: unknown): GuestErrorInfo {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const info: GuestErrorInfo = {
    name: typeof v['name'] === 'string' ? v['name'].slice(0, 200) : 'Error',
    message: typeof v['message'] === 'string' ? v['message'].slice(0, 10_000) : '',
  };
  if (typeof v['stack'] === 'string') info.stack = v['stack'].slice(0, 20_000);
  if (typeof v['code'] === 'string') info.code = v['code'].slice(0, 200);
  return info;
}
