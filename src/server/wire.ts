/**
 * The messages between the server (front) and its shard processes. They travel over the worker's
 * structured-clone IPC channel, batched: everything one side has to say in one event-loop turn
 * goes in one message (an array), so a burst of requests costs one crossing, not one per request.
 *
 * Shards accept connections themselves: the front hands each accepted socket to a shard (`conn`,
 * sent with the socket) and keeps its own copy, and the shard reports each request it starts, when
 * its response begins, and when the connection closes. A shard that dies leaves the front the
 * sockets and the knowledge to answer 502 for the requests it lost. A request that belongs on
 * another shard (a CPU-heavy app's home, or away from one) is relayed through the front: the
 * request side (`RequestIo`) of a request crosses the channel as the `IoMessage`s below.
 */
import { createHash } from 'node:crypto';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { RequestHead, RequestIo, RequestOutcome } from '../sandbox/core.ts';
import type { AppConfig } from './config.ts';
import type { PoolStats } from './app-host.ts';
import type { KvRequest, KvResponse } from '../bridge/kv.ts';
import type { TallyEntry } from './tally.ts';

/** Response bytes a side may have in flight per request before it waits for the other's ack. */
export const WRITE_WINDOW = 1024 * 1024;

/** What the side running a request asks of the side holding its client (a `RequestIo` call). */
export type IoMessage =
  | { t: 'read' }
  | { t: 'head'; status: number; statusText: string; headers: [string, string][] }
  | { t: 'write'; chunk: Uint8Array }
  | { t: 'endWith'; body: Uint8Array | null }
  | { t: 'end' };

/** What the side holding the client answers: a body chunk, an ack of written bytes, an abort. */
export type IoReply =
  | { t: 'body'; chunk: Uint8Array | null; error?: string }
  | { t: 'ack'; bytes: number }
  | { t: 'abort' };

/**
 * What a shard reports of the requests on its connections, as a flat list (a kind, then its
 * fields), one list per batch: structured clone copies a list of numbers and strings far more
 * cheaply than one object per report, and there are three reports per request.
 *   start:   conn, requestId, app version id, method, path (before the request enters an isolate)
 *   answer:  conn (before the response's first byte is written)
 *   finish:  conn, app version id, ok (1 or 0)
 *   entries: app name, requests, their mean longest isolate entry in ms (once per app and batch,
 *            for placing CPU-heavy apps)
 *   closed:  conn
 * Request counts and histograms for metrics travel apart, as tallies (see RequestTally).
 */
export const Report = { start: 1, answer: 2, finish: 3, entries: 4, closed: 5 } as const;
export type ReportItem = string | number | null;

/** One app as the shards route to it. */
export interface RouteEntry { id: string; state: 'serving' | 'removing' }

/** Front to shard. */
export type ToShard =
  | { t: 'init'; apps: AppConfig[]; memoryBudgetBytes: number; secrets: string[]; slot: number; shards: number; routes: RouteEntry[]; catchAll: string | null }
  | { t: 'define'; app: AppConfig }
  | { t: 'remove'; app: string }
  | { t: 'routes'; seq: number; routes: RouteEntry[]; catchAll: string | null }
  | { t: 'heavy'; apps: string[] }
  | { t: 'tally' }
  | { t: 'load'; id: number; app: string }
  | { t: 'req'; id: number; app: string; head: RequestHead; rid: string }
  | ({ id: number } & Exclude<IoReply, { t: 'abort' }>)
  | { t: 'abort'; id: number }
  | { t: 'relayed'; id: number; m: IoMessage | { t: 'done'; outcome: RequestOutcome } }
  | { t: 'kvr'; id: number; response?: KvResponse; error?: { code: string; message: string } }
  | { t: 'stop' };

/** The message that hands a shard a connection (sent alone, with the socket). */
export interface ConnMessage { t: 'conn'; id: number }

/** Shard to front. */
export type FromShard =
  | { t: 'ready'; pid: number }
  | { t: 'loaded'; id: number; error?: { code: string; message: string } }
  | ({ id: number } & IoMessage)
  | { t: 'done'; id: number; outcome: RequestOutcome }
  | { t: 'reports'; d: ReportItem[] }
  | { t: 'routed'; seq: number }
  | { t: 'relay'; id: number; app: string; head: RequestHead; rid: string }
  | { t: 'relayIo'; id: number; m: IoReply }
  | { t: 'kv'; id: number; ns: string; request: KvRequest }
  | { t: 'logs'; text: string; count: number }
  | { t: 'stats'; rss: number; pool: PoolStats }
  /** Request figures gathered since the last tally (every second when there are some, and when asked). */
  | { t: 'tally'; d: TallyEntry[]; asked: boolean };

/** Collects messages and sends them as one batch at the end of the event-loop turn. */
export class Batcher<M> {
  readonly #send: (batch: M[]) => void;
  readonly #beforeSend: (() => void) | undefined;
  #batch: M[] = [];
  #scheduled = false;

  /** `beforeSend` may push the last messages of a batch (figures gathered over the turn). */
  constructor(send: (batch: M[]) => void, beforeSend?: () => void) {
    this.#send = send;
    this.#beforeSend = beforeSend;
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
    this.#beforeSend?.();
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#send(batch);
  }
}

/** Rendezvous (highest random weight) hashing: the slot an app calls home, stable for a shard count. */
export function homeSlot(app: string, slots: number): number {
  let best = 0;
  let bestWeight = -1;
  for (let slot = 0; slot < slots; slot += 1) {
    const weight = createHash('sha1').update(`${app}\0${slot}`).digest().readUInt32BE(0);
    if (weight > bestWeight) { bestWeight = weight; best = slot; }
  }
  return best;
}

/**
 * The running side of a request whose client is on the other side of the channel: a `RequestIo`
 * made of messages. Body chunks are pulled one at a time; written bytes past WRITE_WINDOW wait for
 * the other side's ack, so a slow client holds at most that much in flight.
 */
export class RemoteIo {
  readonly #send: (m: IoMessage) => void;
  #reading: { resolve: (chunk: Uint8Array | null) => void; reject: (error: Error) => void } | undefined;
  #unacked = 0;
  #drained: (() => void)[] = [];
  readonly io: RequestIo;

  constructor(send: (m: IoMessage) => void) {
    this.#send = send;
    this.io = {
      readBody: () => new Promise((resolve, reject) => {
        this.#reading = { resolve, reject };
        send({ t: 'read' });
      }),
      head: (status, statusText, headers) => {
        // Checked here, as the client's side will: a head it cannot send fails the request where it runs.
        for (const [name, value] of headers) { validateHeaderName(name); validateHeaderValue(name, value); }
        send({ t: 'head', status, statusText, headers });
      },
      endWith: (body) => { send({ t: 'endWith', body }); },
      write: (chunk) => {
        this.#unacked += chunk.byteLength;
        send({ t: 'write', chunk });
        return this.#unacked < WRITE_WINDOW;
      },
      drained: () => new Promise((resolve) => { if (this.#unacked < WRITE_WINDOW) resolve(); else this.#drained.push(resolve); }),
      end: () => { send({ t: 'end' }); },
    };
  }

  /** Takes the other side's answer to a read, or its ack of written bytes. */
  receive(reply: Exclude<IoReply, { t: 'abort' }>): void {
    if (reply.t === 'body') {
      const reading = this.#reading;
      this.#reading = undefined;
      if (reading === undefined) return;
      if (reply.error !== undefined) reading.reject(new Error(reply.error));
      else reading.resolve(reply.chunk);
      return;
    }
    this.#unacked -= reply.bytes;
    if (this.#unacked < WRITE_WINDOW && this.#drained.length > 0) { const waiting = this.#drained; this.#drained = []; for (const fn of waiting) fn(); }
  }
}

/**
 * The client's side of a request that runs across the channel: carries out one of its messages on
 * the local RequestIo and sends back body chunks and acks (while `alive()` says the request is
 * still there).
 */
export function applyIo(io: RequestIo, m: IoMessage, reply: (r: Exclude<IoReply, { t: 'abort' }>) => void, alive: () => boolean): void {
  switch (m.t) {
    case 'read':
      io.readBody().then(
        (chunk) => { if (alive()) reply({ t: 'body', chunk }); },
        (error: unknown) => { if (alive()) reply({ t: 'body', chunk: null, error: (error as Error).message }); },
      );
      return;
    case 'head':
      try { io.head(m.status, m.statusText, m.headers); } catch { /* unreachable: RemoteIo.head checked it the same way */ }
      return;
    case 'endWith':
      if (io.endWith !== undefined) io.endWith(m.body);
      else { if (m.body !== null) io.write(m.body); io.end(); }
      return;
    case 'write': {
      const bytes = m.chunk.byteLength;
      if (io.write(m.chunk)) reply({ t: 'ack', bytes });
      else void io.drained().then(() => { if (alive()) reply({ t: 'ack', bytes }); });
      return;
    }
    case 'end':
      io.end();
      return;
  }
}
