/**
 * A supervised worker process: a Node child started with the flags isolated-vm needs, talking
 * structured-clone IPC, that its owner can kill at any moment (a missed deadline, an RSS budget)
 * and start again. Sandboxes with isolation "process" use it; the platform's shards will too.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** Node flags every worker gets: isolated-vm needs --no-node-snapshot. */
export const WORKER_EXEC_ARGV: readonly string[] = ['--no-node-snapshot', '--disable-warning=ExperimentalWarning'];

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the owner killed it (deadline, recycle, dispose) rather than it dying on its own. */
  killed: boolean;
  /** The last few KiB the worker wrote to stderr, for diagnosis (may hold host paths: log, never show guests). */
  stderrTail: string;
}

/** Options for a {@link WorkerProcess}. */
export interface WorkerProcessOptions {
  /** Absolute path of the module the worker runs. */
  entry: string;
  /** Called with each message the worker sends. */
  onMessage: (message: unknown) => void;
  /** Called once when the worker process has exited, for any reason. */
  onExit: (exit: WorkerExit) => void;
}

const STDERR_TAIL = 4096;

/** One worker process. Start it, send it messages, kill it; make a new one after it exits. */
export class WorkerProcess {
  readonly #child: ChildProcess;
  #killed = false;
  #exited = false;
  #stderr = '';
  #refs = 0;

  constructor(options: WorkerProcessOptions) {
    this.#child = fork(options.entry, [], {
      execArgv: [...WORKER_EXEC_ARGV],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    this.#child.on('message', options.onMessage);
    this.#child.on('error', () => { /* reported through exit */ });
    this.#child.once('exit', (code, signal) => {
      this.#exited = true;
      options.onExit({ code, signal, killed: this.#killed, stderrTail: this.#stderr });
    });
    this.#updateRef();
  }

  /** The worker's process id. */
  get pid(): number | undefined { return this.#child.pid; }

  /** Whether the process is still running. */
  get alive(): boolean { return !this.#exited && !this.#killed; }

  /** Sends a message; returns false when the worker is gone. */
  send(message: unknown): boolean {
    if (this.#exited || !this.#child.connected) return false;
    try {
      this.#child.send(message as never);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends a message with a socket the worker takes over; this process keeps its copy open. Returns false when the worker is gone. */
  sendSocket(message: unknown, socket: import('node:net').Socket): boolean {
    if (this.#exited || !this.#child.connected) return false;
    try {
      this.#child.send(message as never, socket, { keepOpen: true });
      return true;
    } catch {
      return false;
    }
  }

  /** Keeps the embedding process alive while work is in flight (call `release` when it ends). */
  hold(): void { this.#refs += 1; this.#updateRef(); }

  /** Undoes one {@link hold}. */
  release(): void { this.#refs = Math.max(0, this.#refs - 1); this.#updateRef(); }

  /** Kills the process at once (SIGKILL: a stuck isolate ignores anything gentler). */
  kill(): void {
    if (this.#exited) return;
    this.#killed = true;
    this.#child.kill('SIGKILL');
  }

  #updateRef(): void {
    const channel = this.#child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (this.#refs > 0) { this.#child.ref(); channel?.ref?.(); } else { this.#child.unref(); channel?.unref?.(); }
  }
}
