/** The "isolate" isolation mode: the run core lives in this process. */
import { RunCore, type CoreSettings, type RunOutcome, type RunSpec } from './core.ts';
import type { Backend, RunHooks, SandboxLink } from './backend.ts';

/** Runs guest code in isolates inside the embedding process. */
export class InProcessBackend implements Backend {
  readonly #core: RunCore;
  #hooks: RunHooks | undefined;

  constructor(settings: CoreSettings, link: SandboxLink) {
    this.#core = new RunCore(settings, {
      callService: (path, args) => link.callService(path, args),
      emit: (event, data) => link.emit(event, data),
      output: (stream, text) => this.#hooks?.output(stream, text),
      loadModule: (path) => this.#hooks?.loadModule(path),
    });
    this.#core.onCatastrophicError = (message) => {
      process.emitWarning(`isolated-vm reported a catastrophic error: ${message}`, { code: 'ISLET_ISOLATE_CRASHED' });
    };
  }

  async run(spec: RunSpec, hooks: RunHooks): Promise<RunOutcome> {
    this.#hooks = hooks;
    try {
      return await this.#core.run(spec);
    } finally {
      this.#hooks = undefined;
    }
  }

  send(event: string, data: unknown): Promise<void> { return this.#core.send(event, data); }

  dispose(): void { this.#core.dispose(); }
}
