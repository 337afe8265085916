/**
 * The front's side of the shards: worker processes that hold the isolates (default: one per
 * core). Each request is routed to a shard; a shard that dies costs only its in-flight requests
 * (they end with ISOLATE_CRASHED, 502) and is replaced. A shard whose RSS passes its budget is
 * recycled: a replacement takes new requests while the old one drains and exits.
 *
 * Placement: each app has a home shard (rendezvous hashing on its name), so an app's isolate
 * usually lives in one place. Requests spill to a less busy shard when the home one is loaded,
 * and apps that burn CPU (a high average per request) stay on their home shard while other apps
 * avoid shards busy with them: a noisy neighbour slows only the shard it lives on.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { RequestHead, RequestIo, RequestOutcome } from '../sandbox/core.ts';
import { WorkerProcess, type WorkerExit } from '../supervisor/worker-process.ts';
import { failedOutcome, type KvCall, type PoolStats } from './app-host.ts';
import type { AppConfig } from './config.ts';
import type { Logger } from './log.ts';
import { Batcher, type FromShard, type ToShard } from './wire.ts';
import { IsletError } from '../errors.ts';

const SHARD_ENTRY = fileURLToPath(new URL('./shard-main.ts', import.meta.url));
/** Requests more in flight on the home shard than elsewhere before a request spills over. */
const SPILL = 4;
/** Average CPU per request (ms) above which an app counts as CPU-heavy. */
const HEAVY_CPU_MS = 5;
/** Weight of one CPU-heavy request in flight when other apps pick a shard. */
const HEAVY_WEIGHT = 1000;
const RESTART_BACKOFF_MS = [50, 200, 1000, 5000];
/** How long a request waits for a shard when none is up (all crashed and restarting). */
const SHARD_WAIT_MS = 10_000;

/** Options for a {@link ShardPool}. */
export interface ShardPoolOptions {
  shards: number;
  apps: AppConfig[];
  log: Logger;
  /** Isolate memory budget of each shard (LRU eviction past it). */
  memoryBudgetBytes: number;
  /** A shard whose RSS passes this is recycled after draining. */
  rssBudgetBytes: number;
  /** How long a recycled shard may take to finish its requests before it is killed. */
  drainTimeoutMs: number;
  /** Runs the shards' KV requests (the store lives in the server process). */
  kv?: KvCall;
}

interface Pending {
  io: RequestIo;
  app: string;
  heavy: boolean;
  responded: boolean;
  resolve: (outcome: RequestOutcome) => void;
}

/** One shard process. */
class Shard {
  readonly slot: number;
  readonly worker: WorkerProcess;
  readonly out: Batcher<ToShard>;
  readonly pending = new Map<number, Pending>();
  readonly loads = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  ready = false;
  retiring = false;
  heavyInFlight = 0;
  rss = 0;
  pool: PoolStats | undefined;
  readonly started = performance.now();
  readonly exited: Promise<void>;
  #exited!: () => void;
  #onReady: (() => void)[] = [];

  constructor(slot: number, onMessage: (shard: Shard, batch: FromShard[]) => void, onExit: (shard: Shard, exit: WorkerExit) => void) {
    this.slot = slot;
    this.worker = new WorkerProcess({
      entry: SHARD_ENTRY,
      onMessage: (batch) => { onMessage(this, batch as FromShard[]); },
      onExit: (exit) => { onExit(this, exit); },
    });
    this.worker.hold();
    this.out = new Batcher<ToShard>((batch) => { this.worker.send(batch); });
    this.exited = new Promise((resolve) => { this.#exited = resolve; });
  }

  /** The process is gone: wake everything waiting for it to become ready (they look elsewhere). */
  gone(): void {
    this.ready = false;
    this.#exited();
    const waiting = this.#onReady;
    this.#onReady = [];
    for (const fn of waiting) fn();
  }

  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => { this.#onReady.push(resolve); });
  }

  markReady(): void {
    this.ready = true;
    const waiting = this.#onReady;
    this.#onReady = [];
    for (const fn of waiting) fn();
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

/** The shards of one server. */
export class ShardPool {
  readonly #options: ShardPoolOptions;
  readonly #log: Logger;
  readonly #slots: (Shard | undefined)[];
  readonly #retiring = new Set<Shard>();
  readonly #apps = new Map<string, AppConfig>();
  readonly #home = new Map<string, number>();
  /** Average CPU ms per request, by app (exponentially weighted). */
  readonly #cpu = new Map<string, number>();
  readonly #crashes: number[];
  #ids = 0;
  #closing = false;
  #waitingForShard: (() => void)[] = [];
  crashes = 0;
  recycles = 0;

  constructor(options: ShardPoolOptions) {
    this.#options = options;
    this.#log = options.log;
    for (const app of options.apps) this.#apps.set(app.id, app);
    this.#slots = Array.from({ length: options.shards }, () => undefined);
    this.#crashes = Array.from({ length: options.shards }, () => 0);
    for (let slot = 0; slot < options.shards; slot += 1) this.#start(slot);
  }

  /** The shards' process ids, by slot (undefined while one is being replaced). */
  get pids(): (number | undefined)[] { return this.#slots.map((s) => (s?.ready === true ? s.worker.pid : undefined)); }

  /** Per-shard figures: pid, RSS, requests in flight, pool counters. */
  stats(): { slot: number; pid: number | undefined; rss: number; inFlight: number; pool: PoolStats | undefined }[] {
    return this.#slots.flatMap((s, slot) => (s === undefined ? [] : [{ slot, pid: s.worker.pid, rss: s.rss, inFlight: s.pending.size, pool: s.pool }]));
  }

  /** Resolves when every slot has a ready shard. */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s?.whenReady()));
  }

  /** Adds an app version (keyed by its id, `name@version`) on every shard. */
  define(app: AppConfig): void {
    this.#apps.set(app.id, app);
    for (const shard of this.#live()) shard.out.push({ t: 'define', app });
  }

  /** Disposes an app version on every shard. */
  remove(id: string): void {
    if (!this.#apps.delete(id)) return;
    for (const shard of this.#live()) shard.out.push({ t: 'remove', app: id });
  }

  /** Loads an app version on its home shard (so a broken app fails before it serves); rejects with its IsletError. */
  async load(appId: string): Promise<void> {
    const app = this.#apps.get(appId);
    if (app === undefined) throw new IsletError('NO_ROUTE', `No app is named "${appId}".`);
    const shard = await this.#shardFor(app.name, true);
    const id = ++this.#ids;
    await new Promise<void>((resolve, reject) => {
      shard.loads.set(id, { resolve, reject });
      shard.out.push({ t: 'load', id, app: appId });
    });
  }

  /** Routes one request to a shard. Never rejects. */
  async handle(appId: string, head: RequestHead, io: RequestIo, requestId: string, onAbort: (abort: () => void) => void): Promise<RequestOutcome> {
    const app = this.#apps.get(appId);
    if (app === undefined) return failedOutcome('NO_ROUTE', `No app is named "${appId}".`);
    if (this.#closing) return failedOutcome('DISPOSED', 'The server is shutting down.');
    const name = app.name;
    const heavy = (this.#cpu.get(name) ?? 0) >= HEAVY_CPU_MS;
    let shard: Shard;
    try {
      shard = await this.#shardFor(name, heavy);
    } catch (error) {
      const e = error as IsletError;
      return failedOutcome(e.code, e.message);
    }
    const id = ++this.#ids;
    const outcome = await new Promise<RequestOutcome>((resolve) => {
      shard.pending.set(id, { io, app: name, heavy, responded: false, resolve });
      if (heavy) shard.heavyInFlight += 1;
      shard.out.push({ t: 'req', id, app: appId, head, rid: requestId });
      onAbort(() => { if (shard.pending.has(id)) shard.out.push({ t: 'abort', id }); });
    });
    const cpu = outcome.usage.cpuMs;
    this.#cpu.set(name, (this.#cpu.get(name) ?? cpu) * 0.8 + cpu * 0.2);
    return outcome;
  }

  /** Stops every shard: they finish what they hold, then exit (killed after the drain timeout). */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#live().map((s) => this.#stop(s)));
  }

  /** Kills a shard as a crash would (tests and operators use it to check recovery). */
  kill(slot: number): void {
    const shard = this.#slots[slot];
    if (shard !== undefined) process.kill(shard.worker.pid as number, 'SIGKILL');
  }

  #start(slot: number): Shard {
    const shard = new Shard(slot, (s, batch) => { for (const m of batch) this.#onMessage(s, m); }, (s, exit) => { this.#onExit(s, exit); });
    this.#slots[slot] = shard;
    shard.out.push({ t: 'init', apps: [...this.#apps.values()], memoryBudgetBytes: this.#options.memoryBudgetBytes, secrets: [...this.#apps.values()].flatMap((a) => a.secretValues) });
    return shard;
  }

  /** Shards that take messages: serving ones and ones draining after a recycle. */
  #live(): Shard[] {
    return [...this.#slots.filter((s): s is Shard => s !== undefined), ...this.#retiring];
  }

  async #shardFor(app: string, pinned: boolean): Promise<Shard> {
    const started = performance.now();
    for (;;) {
      let home = this.#home.get(app);
      if (home === undefined) { home = homeSlot(app, this.#options.shards); this.#home.set(app, home); }
      let best: Shard | undefined;
      let bestScore = Infinity;
      for (const shard of this.#slots) {
        if (shard === undefined || !shard.ready || shard.retiring) continue;
        const isHome = shard.slot === home;
        if (pinned && !isHome) continue;
        const score = shard.pending.size + shard.heavyInFlight * HEAVY_WEIGHT + (isHome ? 0 : SPILL);
        if (score < bestScore) { best = shard; bestScore = score; }
      }
      if (best !== undefined) return best;
      if (pinned) {
        // The home shard is starting or being replaced: wait for it (or any shard if it stays down).
        const homeShard = this.#slots[home];
        if (homeShard !== undefined) { await homeShard.whenReady(); if (homeShard.ready && !homeShard.retiring) return homeShard; }
        pinned = false;
        continue;
      }
      if (this.#closing) throw new IsletError('DISPOSED', 'The server is shutting down.');
      if (performance.now() - started > SHARD_WAIT_MS) throw new IsletError('ISOLATE_CRASHED', `No shard came up within ${SHARD_WAIT_MS} ms.`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SHARD_WAIT_MS);
        this.#waitingForShard.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  #onMessage(shard: Shard, m: FromShard): void {
    switch (m.t) {
      case 'ready': {
        shard.markReady();
        this.#crashes[shard.slot] = 0;
        this.#log.log({ type: 'shard', event: 'ready', slot: shard.slot, pid: m.pid, startMs: Math.round(performance.now() - shard.started) });
        const waiting = this.#waitingForShard;
        this.#waitingForShard = [];
        for (const fn of waiting) fn();
        return;
      }
      case 'loaded': {
        const load = shard.loads.get(m.id);
        shard.loads.delete(m.id);
        if (m.error === undefined) load?.resolve();
        else load?.reject(new IsletError(m.error.code as IsletError['code'], m.error.message));
        return;
      }
      case 'read': {
        const p = shard.pending.get(m.id);
        if (p === undefined) return;
        p.io.readBody().then(
          (chunk) => { if (shard.pending.has(m.id)) shard.out.push({ t: 'body', id: m.id, chunk }); },
          (error: unknown) => { if (shard.pending.has(m.id)) shard.out.push({ t: 'body', id: m.id, chunk: null, error: (error as Error).message }); },
        );
        return;
      }
      case 'head': {
        const p = shard.pending.get(m.id);
        if (p === undefined) return;
        p.responded = true;
        p.io.head(m.status, m.statusText, m.headers);
        return;
      }
      case 'endWith': {
        const p = shard.pending.get(m.id);
        if (p?.io.endWith !== undefined) p.io.endWith(m.body);
        else if (p !== undefined) { if (m.body !== null) p.io.write(m.body); p.io.end(); }
        return;
      }
      case 'write': {
        const p = shard.pending.get(m.id);
        if (p === undefined) return;
        const bytes = m.chunk.byteLength;
        if (p.io.write(m.chunk)) shard.out.push({ t: 'ack', id: m.id, bytes });
        else void p.io.drained().then(() => { if (shard.pending.has(m.id)) shard.out.push({ t: 'ack', id: m.id, bytes }); });
        return;
      }
      case 'end':
        shard.pending.get(m.id)?.io.end();
        return;
      case 'done': {
        const p = shard.pending.get(m.id);
        if (p === undefined) return;
        this.#settle(shard, m.id, p, m.outcome);
        if (shard.retiring && shard.pending.size === 0) void this.#stop(shard);
        return;
      }
      case 'kv': {
        const run = this.#options.kv;
        if (run === undefined) { shard.out.push({ t: 'kvr', id: m.id, error: { code: 'KV_INVALID', message: 'No KV store is connected to this server.' } }); return; }
        run(m.ns, m.request).then(
          (response) => { shard.out.push({ t: 'kvr', id: m.id, response }); },
          (error: unknown) => { shard.out.push({ t: 'kvr', id: m.id, error: { code: IsletError.is(error) ? error.code : 'INTERNAL', message: (error as Error).message } }); },
        );
        return;
      }
      case 'logs':
        this.#log.lines(m.text, m.count);
        return;
      case 'stats': {
        shard.rss = m.rss;
        shard.pool = m.pool;
        if (m.rss > this.#options.rssBudgetBytes && !shard.retiring && !this.#closing) this.#recycle(shard);
        return;
      }
    }
  }

  #settle(shard: Shard, id: number, p: Pending, outcome: RequestOutcome): void {
    shard.pending.delete(id);
    if (p.heavy) shard.heavyInFlight -= 1;
    p.resolve({ ...outcome, responded: outcome.responded || p.responded, shard: shard.slot });
  }

  /** Replaces a shard whose RSS passed the budget: new requests go to the replacement; the old one drains. */
  #recycle(shard: Shard): void {
    this.recycles += 1;
    shard.retiring = true;
    this.#retiring.add(shard);
    this.#log.log({ type: 'shard', event: 'recycle', slot: shard.slot, pid: shard.worker.pid, rssBytes: shard.rss, budgetBytes: this.#options.rssBudgetBytes });
    this.#start(shard.slot);
    if (shard.pending.size === 0) void this.#stop(shard);
    else setTimeout(() => { if (shard.worker.alive) shard.worker.kill(); }, this.#options.drainTimeoutMs).unref();
  }

  /** Asks a shard to finish its requests and exit; kills it if it has not exited by the drain timeout. */
  #stop(shard: Shard): Promise<void> {
    if (!shard.worker.alive) return shard.exited;
    shard.retiring = true;
    shard.out.push({ t: 'stop' });
    const timer = setTimeout(() => { shard.worker.kill(); }, Math.max(1000, this.#options.drainTimeoutMs));
    timer.unref();
    return shard.exited.then(() => { clearTimeout(timer); });
  }

  #onExit(shard: Shard, exit: WorkerExit): void {
    shard.worker.release();
    shard.gone();
    const planned = shard.retiring || this.#closing;
    const lost = shard.pending.size;
    for (const [id, p] of [...shard.pending]) {
      this.#settle(shard, id, p, failedOutcome('ISOLATE_CRASHED', `The shard running the app exited (${exit.signal ?? `code ${exit.code ?? '?'}`}).`));
    }
    for (const load of shard.loads.values()) load.reject(new IsletError('ISOLATE_CRASHED', `The shard exited while loading the app (${exit.signal ?? `code ${exit.code ?? '?'}`}).`));
    shard.loads.clear();
    this.#retiring.delete(shard);
    if (planned) {
      if (this.#slots[shard.slot] === shard) this.#slots[shard.slot] = undefined;
      return;
    }
    // A crash: the slot gets a new shard (after a pause that grows if it keeps crashing).
    this.crashes += 1;
    this.#log.log({ type: 'shard', event: 'crashed', slot: shard.slot, pid: shard.worker.pid, code: exit.code, signal: exit.signal, lostRequests: lost, stderr: exit.stderrTail.slice(-1000) });
    this.#slots[shard.slot] = undefined;
    const attempt = this.#crashes[shard.slot] ?? 0;
    this.#crashes[shard.slot] = attempt + 1;
    const delay = RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)] as number;
    setTimeout(() => { if (!this.#closing && this.#slots[shard.slot] === undefined) this.#start(shard.slot); }, attempt === 0 ? 0 : delay).unref();
  }
}
