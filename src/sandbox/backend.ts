/** What a Sandbox needs from where its isolates live (this process, or a worker process). */
import type { WireArg, WireResult } from '../bridge/protocol.ts';
import type { RunOutcome, RunSpec } from './core.ts';
import type { ModuleLoader } from './modules.ts';

/** Per-run hooks the sandbox gives a backend. */
export interface RunHooks {
  output(stream: 1 | 2, text: string): void;
  loadModule: ModuleLoader;
}

/** The sandbox-lifetime links a backend calls back through. */
export interface SandboxLink {
  callService(path: string, args: readonly WireArg[]): Promise<WireResult>;
  emit(event: string, data: unknown): void;
}

/** Runs guest code somewhere, under limits. */
export interface Backend {
  run(spec: RunSpec, hooks: RunHooks): Promise<RunOutcome>;
  send(event: string, data: unknown): Promise<void>;
  dispose(): void;
}
