/**
 * The messages between the server (front) and its shard processes. They travel over the worker's
 * structured-clone IPC channel, batched: everything one side has to say in one event-loop turn
 * goes in one message (an array), so a burst of requests costs one crossing, not one per request.
 */
import type { RequestHead, RequestOutcome } from '../sandbox/core.ts';
import type { AppConfig } from './config.ts';
import type { PoolStats } from './app-host.ts';
import type { KvRequest, KvResponse } from '../bridge/kv.ts';

/** Response bytes a shard may have in flight per request before it waits for the front's ack. */
export const WRITE_WINDOW = 1024 * 1024;

/** Front to shard. */
export type ToShard =
  | { t: 'init'; apps: AppConfig[]; memoryBudgetBytes: number; secrets: string[] }
  | { t: 'define'; app: AppConfig }
  | { t: 'remove'; app: string }
  | { t: 'load'; id: number; app: string }
  | { t: 'req'; id: number; app: string; head: RequestHead; rid: string }
  | { t: 'body'; id: number; chunk: Uint8Array | null; error?: string }
  | { t: 'ack'; id: number; bytes: number }
  | { t: 'abort'; id: number }
  | { t: 'kvr'; id: number; response?: KvResponse; error?: { code: string; message: string } }
  | { t: 'stop' };

/** Shard to front. */
export type FromShard =
  | { t: 'ready'; pid: number }
  | { t: 'loaded'; id: number; error?: { code: string; message: string } }
  | { t: 'read'; id: number }
  | { t: 'head'; id: number; status: number; statusText: string; headers: [string, string][] }
  | { t: 'write'; id: number; chunk: Uint8Array }
  | { t: 'endWith'; id: number; body: Uint8Array | null }
  | { t: 'end'; id: number }
  | { t: 'done'; id: number; outcome: RequestOutcome }
  | { t: 'kv'; id: number; ns: string; request: KvRequest }
  | { t: 'logs'; text: string; count: number }
  | { t: 'stats'; rss: number; pool: PoolStats };

/** Collects messages and sends them as one batch at the end of the event-loop turn. */
export class Batcher<M> {
  readonly #send: (batch: M[]) => void;
  #batch: M[] = [];
  #scheduled = false;

  constructor(send: (batch: M[]) => void) {
    this.#send = send;
  }

  push(message: M): void {
    this.#batch.push(message);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => { this.flush(); });
    }
  }

  /** Sends what is queued now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#send(batch);
  }
}
