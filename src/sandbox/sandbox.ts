/** `Sandbox`: the library face of islet. */
import { IsletError, invalidOption } from '../errors.ts';
import { containsSharedMemory } from '../engine/shared-memory.ts';
import type { WireArg, WireResult } from '../bridge/protocol.ts';
import { resolveOptions, type ResolvedOptions, type SandboxOptions } from './options.ts';
import { ServiceDispatcher } from './services.ts';
import { InProcessBackend } from './in-process.ts';
import { ProcessBackend } from './process-backend.ts';
import { OutputCapture } from './output.ts';
import { errorFromReceipt, makeReceipt, type Receipt } from './receipt.ts';
import { mapLoader, normalizeFilename, type ModuleLoader } from './modules.ts';
import { mapOutcomeStack } from './stack-maps.ts';
import type { Backend, SandboxLink } from './backend.ts';
import type { RunSpec } from './core.ts';

/** Options for one run. */
export interface RunOptions {
  /** The entry's file name, relative to the run's root (default "main.ts" for run, "script.js" for eval). */
  filename?: string;
  /** Arguments passed to the module's default export (or `main`). Structured-cloned. */
  args?: readonly unknown[];
  /** Other modules the entry may import, by root-relative path. */
  modules?: Readonly<Record<string, string>>;
}

/** @internal Options only the CLI uses: loading modules from disk. */
export interface InternalRunOptions extends RunOptions {
  loader?: ModuleLoader;
}

type Listener = (data: unknown) => void;

/** Runs untrusted code in V8 isolates with hard limits; only what the host grants is reachable. */
export class Sandbox {
  readonly #options: ResolvedOptions;
  readonly #services: ServiceDispatcher;
  readonly #listeners = new Map<string, Set<Listener>>();
  #backend: Backend | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  constructor(options?: SandboxOptions) {
    this.#options = resolveOptions(options);
    this.#services = new ServiceDispatcher(this.#options.services);
  }

  /** The limits in force (defaults applied). */
  get limits(): Readonly<ResolvedOptions['limits']> { return { ...this.#options.limits }; }

  /** Whether {@link dispose} was called. */
  get disposed(): boolean { return this.#disposed; }

  /**
   * Runs an ES module (TypeScript accepted). Top-level code runs; a default-exported function (or
   * `main`) is called with `args` and awaited; its result is the receipt's `value`. Rejects with an
   * IsletError carrying the receipt when the run fails.
   */
  run(source: string, options: RunOptions = {}): Promise<Receipt> {
    return this.#submit('module', source, options, 'main.ts');
  }

  /** Runs a classic script and returns its completion value (awaited when it is a promise). */
  eval(source: string, options: Omit<RunOptions, 'args' | 'modules'> = {}): Promise<Receipt> {
    return this.#submit('script', source, options, 'script.js');
  }

  /** Registers a listener for messages the guest sends with `host.emit(event, data)`. */
  on(event: string, listener: Listener): this {
    if (typeof event !== 'string') throw invalidOption('event', 'expected a string');
    if (typeof listener !== 'function') throw invalidOption('listener', 'expected a function');
    let set = this.#listeners.get(event);
    if (set === undefined) { set = new Set(); this.#listeners.set(event, set); }
    set.add(listener);
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off(event: string, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  /** Sends a message to the guest's `host.on(event, ...)` listeners (data is copied). */
  async send(event: string, data?: unknown): Promise<void> {
    if (this.#disposed) throw new IsletError('DISPOSED', 'The sandbox is disposed; create a new one.');
    if (typeof event !== 'string') throw invalidOption('event', 'expected a string');
    const backend = this.#backend;
    if (backend === undefined) {
      throw new IsletError('INVALID_STATE', 'No guest is listening: send() needs a persistent sandbox that has run, or a run in progress.');
    }
    await backend.send(event, data);
  }

  /** Disposes the sandbox's isolates (and worker process). Idempotent; runs in flight end with DISPOSED. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#backend?.dispose();
    this.#backend = undefined;
    this.#services.handles.closeAll();
  }

  async [Symbol.asyncDispose](): Promise<void> { await this.dispose(); }

  #submit(kind: RunSpec['kind'], source: string, options: InternalRunOptions, defaultName: string): Promise<Receipt> {
    const next = this.#queue.then(() => this.#execute(kind, source, options, defaultName));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #execute(kind: RunSpec['kind'], source: string, options: InternalRunOptions, defaultName: string): Promise<Receipt> {
    const stdout = new OutputCapture(this.#options.limits.stdoutBytes);
    const stderr = new OutputCapture(this.#options.limits.stderrBytes);
    if (this.#disposed) {
      const outcome = { ok: false, error: { code: 'DISPOSED' as const, message: 'The sandbox is disposed; create a new one.' }, usage: { cpuMs: 0, wallMs: 0, heapPeakBytes: 0, hostCalls: 0 } };
      throw errorFromReceipt(outcome, makeReceipt(outcome, stdout, stderr));
    }
    const spec = validateRun(kind, source, options, defaultName);
    const loader = options.loader ?? mapLoader(options.modules ?? {});
    // The sources the run loaded, so a failure's stack can be mapped to original lines.
    const sources = new Map<string, string>([[spec.filename, spec.source]]);
    const recordingLoader: ModuleLoader = async (path) => {
      const source = await loader(path);
      if (source !== undefined) sources.set(path, source);
      return source;
    };
    const outcome = await mapOutcomeStack(await this.#ensureBackend().run(spec, {
      output: (stream, text) => (stream === 1 ? stdout : stderr).write(text),
      loadModule: recordingLoader,
    }), sources, loader);
    this.#services.handles.closeAll();
    const receipt = makeReceipt(outcome, stdout, stderr);
    if (!outcome.ok) throw errorFromReceipt(outcome, receipt);
    return receipt;
  }

  #ensureBackend(): Backend {
    if (this.#backend !== undefined) return this.#backend;
    const settings = {
      limits: this.#options.limits,
      persistent: this.#options.persistent,
      services: this.#services.names,
      env: this.#options.env,
      fetch: this.#options.fetch,
    };
    const link: SandboxLink = {
      callService: (path: string, args: readonly WireArg[]): Promise<WireResult> => this.#services.call(path, args),
      emit: (event, data) => this.#emit(event, data),
    };
    this.#backend = this.#options.isolation === 'process' ? new ProcessBackend(settings, link) : new InProcessBackend(settings, link);
    return this.#backend;
  }

  #emit(event: string, data: unknown): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(data);
      } catch (error) {
        process.emitWarning(`A sandbox "${event}" listener threw: ${String(error)}`, { code: 'ISLET_LISTENER_ERROR' });
      }
    }
  }
}

function validateRun(kind: RunSpec['kind'], source: unknown, options: unknown, defaultName: string): RunSpec {
  if (typeof source !== 'string') throw invalidOption('source', 'expected a string of code');
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'expected an object');
  const o = options as InternalRunOptions;
  for (const key of Object.keys(o)) {
    if (!['filename', 'args', 'modules', 'loader'].includes(key)) throw invalidOption(key, 'unknown run option; known options are filename, args, modules');
  }
  if (o.filename !== undefined && typeof o.filename !== 'string') throw invalidOption('filename', 'expected a string');
  if (o.args !== undefined && !Array.isArray(o.args)) throw invalidOption('args', 'expected an array');
  if (o.modules !== undefined) {
    if (typeof o.modules !== 'object' || o.modules === null) throw invalidOption('modules', 'expected an object of path to source');
    for (const [name, text] of Object.entries(o.modules)) {
      if (typeof text !== 'string') throw invalidOption(`modules.${name}`, 'expected source text');
    }
  }
  let args: unknown[] = [];
  try {
    if (o.args !== undefined && o.args.length > 0) {
      if (containsSharedMemory(o.args)) throw new Error('shared memory');
      args = structuredClone([...o.args]);
    }
  } catch {
    throw invalidOption('args', 'the arguments cannot be structured-cloned');
  }
  return { kind, source, filename: normalizeFilename(o.filename ?? defaultName), args };
}
