/** Messages between a sandbox and its worker process (structured-clone IPC). */
import type { WireArg } from '../bridge/protocol.ts';
import type { CoreSettings, RunOutcome, RunSpec } from './core.ts';

/** Parent to worker. */
export type ParentMessage =
  | { t: 'init'; settings: CoreSettings }
  | { t: 'run'; id: number; spec: RunSpec }
  | { t: 'send'; id: number; event: string; data: unknown }
  | { t: 'svc-result'; id: number; ok: boolean; payload: unknown }
  | { t: 'loaded'; id: number; source: string | undefined };

/** Worker to parent. */
export type WorkerMessage =
  | { t: 'ready' }
  | { t: 'outcome'; id: number; outcome: RunOutcome }
  | { t: 'sent'; id: number; error?: { code: string; message: string } }
  | { t: 'svc'; id: number; path: string; args: readonly WireArg[] }
  | { t: 'emit'; event: string; data: unknown }
  | { t: 'out'; stream: 1 | 2; text: string }
  | { t: 'load'; id: number; path: string };
