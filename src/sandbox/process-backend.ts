/**
 * The "process" isolation mode: the run core lives in a supervised worker process. A run that
 * misses its wall-clock deadline plus a grace period, or whose worker dies, ends with WALL_TIMEOUT
 * or ISOLATE_CRASHED; the worker is replaced and the embedding process keeps running.
 */
import { fileURLToPath } from 'node:url';
import { IsletError, type ErrorCode } from '../errors.ts';
import { WorkerProcess, type WorkerExit } from '../supervisor/worker-process.ts';
import type { CoreSettings, RunOutcome, RunSpec } from './core.ts';
import type { Backend, RunHooks, SandboxLink } from './backend.ts';
import type { ParentMessage, WorkerMessage } from './worker-protocol.ts';

const WORKER_ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Extra time past the wall deadline before a worker is killed (the core normally reports first). */
export const KILL_GRACE_MS = 500;

/** What V8 prints when it aborts a process for lack of memory. */
const OUT_OF_MEMORY = /out of memory|Allocation failed|OOM error/i;

interface InFlightRun {
  worker: WorkerProcess;
  hooks: RunHooks;
  started: number;
  timer: NodeJS.Timeout;
  resolve(outcome: RunOutcome): void;
}

/** Runs guest code in isolates inside a worker process it supervises. */
export class ProcessBackend implements Backend {
  readonly #settings: CoreSettings;
  readonly #link: SandboxLink;
  #worker: WorkerProcess | undefined;
  #runs = new Map<number, InFlightRun>();
  #sends = new Map<number, { worker: WorkerProcess; resolve(): void; reject(e: unknown): void }>();
  #ids = 0;
  #disposed = false;

  constructor(settings: CoreSettings, link: SandboxLink) {
    this.#settings = settings;
    this.#link = link;
  }

  /** The current worker's process id (for tests and operators). */
  get workerPid(): number | undefined { return this.#worker?.pid; }

  run(spec: RunSpec, hooks: RunHooks): Promise<RunOutcome> {
    const worker = this.#ensureWorker();
    const id = ++this.#ids;
    return new Promise((resolve) => {
      const started = performance.now();
      const timer = setTimeout(() => {
        this.#finish(id, failed('WALL_TIMEOUT', `The run passed its wall-clock limit of ${this.#settings.limits.wallMs} ms and its worker process was killed.`, started));
        worker.kill();
      }, this.#settings.limits.wallMs + KILL_GRACE_MS);
      this.#runs.set(id, { worker, hooks, started, timer, resolve });
      worker.hold();
      if (!worker.send({ t: 'run', id, spec } satisfies ParentMessage)) {
        this.#finish(id, failed('ISOLATE_CRASHED', 'The worker process is gone.', started));
      }
    });
  }

  send(event: string, data: unknown): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined || !worker.alive) {
      return Promise.reject(new IsletError('INVALID_STATE', 'No guest is listening: send() needs a persistent sandbox that has run, or a run in progress.'));
    }
    const id = ++this.#ids;
    return new Promise((resolve, reject) => {
      this.#sends.set(id, { worker, resolve, reject });
      if (!worker.send({ t: 'send', id, event, data } satisfies ParentMessage)) {
        this.#sends.delete(id);
        reject(new IsletError('ISOLATE_CRASHED', 'The worker process is gone.'));
      }
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const id of [...this.#runs.keys()]) {
      const run = this.#runs.get(id);
      if (run !== undefined) this.#finish(id, failed('DISPOSED', 'The sandbox was disposed during the run.', run.started));
    }
    this.#worker?.kill();
    this.#worker = undefined;
  }

  #ensureWorker(): WorkerProcess {
    if (this.#worker !== undefined && this.#worker.alive) return this.#worker;
    const worker: WorkerProcess = new WorkerProcess({
      entry: WORKER_ENTRY,
      onMessage: (message) => this.#onMessage(worker, message as WorkerMessage),
      onExit: (exit) => this.#onExit(worker, exit),
    });
    worker.send({ t: 'init', settings: this.#settings } satisfies ParentMessage);
    this.#worker = worker;
    return worker;
  }

  #onMessage(worker: WorkerProcess, message: WorkerMessage): void {
    switch (message.t) {
      case 'ready': return;
      case 'outcome': this.#finish(message.id, message.outcome); return;
      case 'sent': {
        const pending = this.#sends.get(message.id);
        this.#sends.delete(message.id);
        if (message.error === undefined) pending?.resolve();
        else pending?.reject(new IsletError(message.error.code as ErrorCode, message.error.message));
        return;
      }
      case 'out': this.#current()?.hooks.output(message.stream, message.text); return;
      case 'emit': this.#link.emit(message.event, message.data); return;
      case 'svc':
        this.#link.callService(message.path, message.args).then(
          (payload) => worker.send({ t: 'svc-result', id: message.id, ok: true, payload } satisfies ParentMessage),
          (payload: unknown) => worker.send({ t: 'svc-result', id: message.id, ok: false, payload } satisfies ParentMessage),
        );
        return;
      case 'load': {
        const hooks = this.#current()?.hooks;
        Promise.resolve(hooks?.loadModule(message.path)).then(
          (source) => worker.send({ t: 'loaded', id: message.id, source } satisfies ParentMessage),
          () => worker.send({ t: 'loaded', id: message.id, source: undefined } satisfies ParentMessage),
        );
        return;
      }
    }
  }

  #onExit(worker: WorkerProcess, exit: WorkerExit): void {
    if (this.#worker === worker) this.#worker = undefined;
    for (const [id, run] of [...this.#runs]) {
      if (run.worker !== worker) continue;
      const why = exit.signal !== null ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
      if (OUT_OF_MEMORY.test(exit.stderrTail)) {
        this.#finish(id, failed('MEMORY_LIMIT', `The guest ran its worker process out of memory (${why}).`, run.started));
      } else {
        this.#finish(id, failed('ISOLATE_CRASHED', `The worker process hosting the isolate died (${why}).`, run.started));
      }
    }
    for (const [id, pending] of [...this.#sends]) {
      if (pending.worker !== worker) continue;
      this.#sends.delete(id);
      pending.reject(new IsletError('ISOLATE_CRASHED', 'The worker process hosting the isolate died.'));
    }
  }

  #current(): InFlightRun | undefined {
    for (const run of this.#runs.values()) return run;
    return undefined;
  }

  #finish(id: number, outcome: RunOutcome): void {
    const run = this.#runs.get(id);
    if (run === undefined) return;
    this.#runs.delete(id);
    clearTimeout(run.timer);
    run.worker.release();
    run.resolve(outcome);
  }
}

function failed(code: ErrorCode, message: string, started: number): RunOutcome {
  return { ok: false, error: { code, message }, usage: { cpuMs: 0, wallMs: performance.now() - started, heapPeakBytes: 0, hostCalls: 0 } };
}
