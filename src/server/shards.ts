/**
 * The front's side of the shards: worker processes that hold the isolates (default: one per
 * core) and serve HTTP on the connections the front accepts and hands them (least busy first).
 * The front keeps a copy of every connection and hears of each request a shard starts and of its
 * response beginning: a shard that dies costs only its in-flight requests (the front answers
 * those 502 ISOLATE_CRASHED on its copy) and is replaced. A shard whose RSS passes its budget is
 * recycled: a replacement takes new connections while the old one drains and exits.
 *
 * Placement: a new connection goes to the serving shard with the fewest. Apps that burn CPU (a
 * high average per request) run on the CPU shard, one more process that takes no connections:
 * serving shards relay those requests through the front (`handle`), so a noisy neighbour never
 * holds the event loop other apps' connections are on. Loads (deploy checks, preload) go to an
 * app's home shard (rendezvous hashing on its name).
 */
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { RequestHead, RequestIo, RequestOutcome } from '../sandbox/core.ts';
import { WorkerProcess, type WorkerExit } from '../supervisor/worker-process.ts';
import { failedOutcome, type KvCall, type PoolStats } from './app-host.ts';
import type { AppConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { TallyEntry } from './tally.ts';
import { applyIo, Batcher, homeSlot, RemoteIo, Report, type FromShard, type ReportItem, type IoMessage, type RouteEntry, type ToShard } from './wire.ts';
import { IsletError } from '../errors.ts';
import { errorResponse } from './http-handler.ts';

const SHARD_ENTRY = fileURLToPath(new URL('./shard-main.ts', import.meta.url));
/** Requests more in flight on the home shard than elsewhere before a request spills over. */
const SPILL = 4;
/** Average of each request's longest isolate entry (ms of CPU) above which an app counts as CPU-heavy. */
const HEAVY_CPU_MS = 5;
/** Weight of one CPU-heavy request in flight when other apps pick a shard. */
const HEAVY_WEIGHT = 1000;
const RESTART_BACKOFF_MS = [50, 200, 1000, 5000];
/** How long a request waits for a shard when none is up (all crashed and restarting). */
const SHARD_WAIT_MS = 10_000;
/** The longest a routing change waits for the shards to take it. */
const ROUTES_ACK_MS = 5_000;

export { homeSlot };

/** A request a shard started on a connection, as the front knows it. */
export interface ShardRequest {
  rid: string;
  /** The app version's id. */
  app: string;
  method: string;
  path: string;
  started: number;
  answered: boolean;
}

/** What the shard pool tells the server about the requests shards serve. */
export interface ShardRequestHooks {
  /** A request started in an app version (deploys drain on these counts). */
  enter(id: string): void;
  /** It ended (ok: it succeeded). */
  leave(id: string, ok: boolean): void;
  /** Request figures a shard gathered (see RequestTally), for metrics. */
  tally(entries: TallyEntry[]): void;
  /** A request lost with its shard, answered 502 by the front (for the request log and metrics). */
  lost(request: ShardRequest, slot: number): void;
}

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
  /** Where requests that shards serve are counted, logged when lost, and measured. */
  requests?: ShardRequestHooks;
  /** Most connections that may wait for a shard while none is up (default 10,000); past it they are closed. */
  maxWaitingConnections?: number;
}

/** A connection handed to a shard: the front's copy of the socket, and the request on it. */
interface Connection {
  socket: Socket;
  request: ShardRequest | undefined;
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
  /** Connections handed to this shard, by id. */
  readonly conns = new Map<number, Connection>();
  /** Requests of this shard's clients relayed through the front, by the shard's relay id. */
  readonly relays = new Map<number, { remote: RemoteIo; abort: (() => void) | undefined }>();
  /** Requests the shard serves on its connections now (started, not finished). */
  serving = 0;
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
  #connIds = 0;
  #routeSeq = 0;
  /** Asks made of the shards (a routing table to take, a tally to send), waiting for each to answer. */
  readonly #asks = new Set<{ kind: 'routes' | 'tally'; seq: number; pending: Set<Shard>; resolve: () => void }>();
  #closing = false;
  #routes: RouteEntry[] = [];
  #catchAll: string | null = null;
  /** Apps whose average CPU per request makes them heavy (by name). */
  readonly #heavy = new Set<string>();
  /** Connections accepted while no shard was up, waiting for one. */
  #waitingConns = 0;
  #waitingForShard: (() => void)[] = [];
  crashes = 0;
  recycles = 0;

  constructor(options: ShardPoolOptions) {
    this.#options = options;
    this.#log = options.log;
    for (const app of options.apps) this.#apps.set(app.id, app);
    // Slots 0..shards-1 serve connections; the last slot is the CPU shard, started when an app
    // first turns CPU-heavy.
    this.#slots = Array.from({ length: options.shards + 1 }, () => undefined);
    this.#crashes = Array.from({ length: options.shards + 1 }, () => 0);
    for (let slot = 0; slot < options.shards; slot += 1) this.#start(slot);
  }

  /** The slot of the CPU shard, which takes no connections and runs the CPU-heavy apps' requests. */
  get cpuSlot(): number { return this.#options.shards; }

  /**
   * The shards' process ids, by slot (undefined while one is being replaced): the serving shards,
   * then the CPU shard once it runs.
   */
  get pids(): (number | undefined)[] {
    const cpu = this.#slots[this.cpuSlot];
    return [...this.#slots.slice(0, this.cpuSlot), ...(cpu === undefined ? [] : [cpu])].map((s) => (s?.ready === true ? s.worker.pid : undefined));
  }

  /** Per-shard figures: pid, RSS, requests in flight, pool counters. */
  stats(): { slot: number; pid: number | undefined; rss: number; inFlight: number; pool: PoolStats | undefined }[] {
    return this.#slots.flatMap((s, slot) => (s === undefined ? [] : [{ slot, pid: s.worker.pid, rss: s.rss, inFlight: s.pending.size + s.serving, pool: s.pool }]));
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

  /**
   * Sets the routing table every shard routes by (app versions served, and the catch-all one);
   * resolves once every running shard routes by it (a deploy answers only then).
   */
  setRoutes(routes: RouteEntry[], catchAll: string | null): Promise<void> {
    this.#routes = routes;
    this.#catchAll = catchAll;
    const seq = ++this.#routeSeq;
    const shards = this.#live();
    for (const shard of shards) shard.out.push({ t: 'routes', seq, routes, catchAll });
    // A shard that does not answer in time (stuck, or about to be replaced) does not hold a deploy.
    return this.#ask('routes', seq, shards, ROUTES_ACK_MS);
  }

  /** Resolves once every one of `shards` has answered an ask (or exited), or after `timeoutMs`. */
  #ask(kind: 'routes' | 'tally', seq: number, shards: Shard[], timeoutMs: number): Promise<void> {
    if (shards.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const ask = { kind, seq, pending: new Set(shards), resolve: (): void => { clearTimeout(timer); this.#asks.delete(ask); resolve(); } };
      const timer = setTimeout(ask.resolve, timeoutMs);
      timer.unref();
      this.#asks.add(ask);
    });
  }

  /** A shard answered asks of `kind` up to `seq` (routes by that table, sent its tally), or is gone (kind undefined). */
  #answered(shard: Shard, kind?: 'routes' | 'tally', seq = Infinity): void {
    for (const ask of [...this.#asks]) {
      if (kind !== undefined && (ask.kind !== kind || ask.seq > seq)) continue;
      ask.pending.delete(shard);
      if (ask.pending.size === 0) ask.resolve();
    }
  }

  /**
   * Hands an accepted connection (paused, unread) to the least busy shard; this process keeps its
   * copy to answer for the shard if it dies. Waits for a shard when none is up.
   */
  adopt(socket: Socket): void {
    socket.on('error', () => { /* the shard's copy reports; this one only writes a last 502 */ });
    const shard = this.#leastBusy();
    if (shard === undefined) {
      // A flood while no shard is up costs a bounded number of held sockets, each for a bounded time.
      if (this.#closing || this.#waitingConns >= (this.#options.maxWaitingConnections ?? 10_000)) { socket.destroy(); return; }
      this.#waitingConns += 1;
      const timer = setTimeout(() => { done(); socket.destroy(); }, SHARD_WAIT_MS);
      const done = (): void => { this.#waitingConns -= 1; clearTimeout(timer); };
      this.#waitingForShard.push(() => { done(); if (!socket.destroyed) this.adopt(socket); });
      return;
    }
    const id = ++this.#connIds;
    shard.conns.set(id, { socket, request: undefined });
    if (!shard.worker.sendSocket({ t: 'conn', id }, socket)) { shard.conns.delete(id); socket.destroy(); }
  }

  #leastBusy(): Shard | undefined {
    let best: Shard | undefined;
    let bestScore = Infinity;
    for (const shard of this.#slots) {
      if (shard === undefined || !shard.ready || shard.retiring || shard.slot === this.cpuSlot) continue;
      const score = shard.conns.size + shard.heavyInFlight * HEAVY_WEIGHT;
      if (score < bestScore) { best = shard; bestScore = score; }
    }
    return best;
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
    const heavy = this.#heavy.has(name);
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
    return outcome;
  }

  /**
   * Asks every shard for the request figures it gathered since it last sent them, and resolves
   * when all have answered (or exited, or after a second): a scrape then counts every request
   * answered before it.
   */
  tallies(): Promise<void> {
    const shards = this.#live();
    for (const shard of shards) shard.out.push({ t: 'tally' });
    return this.#ask('tally', 0, shards, 1000);
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
    shard.out.push({
      t: 'init', apps: [...this.#apps.values()], memoryBudgetBytes: this.#options.memoryBudgetBytes, secrets: [...this.#apps.values()].flatMap((a) => a.secretValues),
      slot, shards: this.#options.shards, routes: this.#routes, catchAll: this.#catchAll,
    });
    if (this.#heavy.size > 0) shard.out.push({ t: 'heavy', apps: [...this.#heavy] });
    return shard;
  }

  /** Shards that take messages: serving ones and ones draining after a recycle. */
  #live(): Shard[] {
    return [...this.#slots.filter((s): s is Shard => s !== undefined), ...this.#retiring];
  }

  /**
   * The shard a request or load of an app goes to: a CPU-heavy app's go to the CPU shard (started
   * now if it is not running); other apps' to their home shard (`pinned`), or the least busy one.
   */
  async #shardFor(app: string, pinned: boolean): Promise<Shard> {
    const started = performance.now();
    if (this.#heavy.has(app) && !this.#closing) {
      const cpu = this.#slots[this.cpuSlot] ?? this.#start(this.cpuSlot);
      await cpu.whenReady();
      if (cpu.ready && !cpu.retiring) return cpu;
    }
    for (;;) {
      let home = this.#home.get(app);
      if (home === undefined) { home = homeSlot(app, this.#options.shards); this.#home.set(app, home); }
      let best: Shard | undefined;
      let bestScore = Infinity;
      for (const shard of this.#slots) {
        if (shard === undefined || !shard.ready || shard.retiring || shard.slot === this.cpuSlot) continue;
        const isHome = shard.slot === home;
        if (pinned && !isHome) continue;
        const score = shard.pending.size + shard.serving + shard.heavyInFlight * HEAVY_WEIGHT + (isHome ? 0 : SPILL);
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
      case 'read':
      case 'head':
      case 'endWith':
      case 'write':
      case 'end': {
        const p = shard.pending.get(m.id);
        if (p === undefined) return;
        if (m.t === 'head') p.responded = true;
        const { id, ...io } = m;
        applyIo(p.io, io, (r) => { shard.out.push({ ...r, id }); }, () => shard.pending.has(id));
        return;
      }
      case 'reports':
        this.#reports(shard, m.d);
        return;
      case 'routed':
        this.#answered(shard, 'routes', m.seq);
        return;
      case 'relay': {
        const { id } = m;
        const remote = new RemoteIo((io: IoMessage) => { shard.out.push({ t: 'relayed', id, m: io }); });
        const relay = { remote, abort: undefined as (() => void) | undefined };
        shard.relays.set(id, relay);
        void this.handle(m.app, m.head, remote.io, m.rid, (abort) => { relay.abort = abort; }).then((outcome) => {
          if (shard.relays.delete(id)) shard.out.push({ t: 'relayed', id, m: { t: 'done', outcome } });
        });
        return;
      }
      case 'relayIo': {
        const relay = shard.relays.get(m.id);
        if (relay === undefined) return;
        if (m.m.t === 'abort') relay.abort?.();
        else relay.remote.receive(m.m);
        return;
      }
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
      case 'tally': {
        this.#options.requests?.tally(m.d);
        if (m.asked) this.#answered(shard, 'tally', 0);
        return;
      }
      case 'stats': {
        shard.rss = m.rss;
        shard.pool = m.pool;
        if (m.rss > this.#options.rssBudgetBytes && !shard.retiring && !this.#closing) this.#recycle(shard);
        return;
      }
    }
  }

  /** Takes a shard's reports on the requests of its connections (see Report in wire.ts). */
  #reports(shard: Shard, d: ReportItem[]): void {
    const hooks = this.#options.requests;
    for (let i = 0; i < d.length;) {
      switch (d[i]) {
        case Report.start: {
          const conn = shard.conns.get(d[i + 1] as number);
          const app = d[i + 3] as string;
          i += 6;
          if (conn === undefined) break;
          conn.request = { rid: d[i - 4] as string, app, method: d[i - 2] as string, path: d[i - 1] as string, started: performance.now(), answered: false };
          shard.serving += 1;
          hooks?.enter(app);
          break;
        }
        case Report.answer: {
          const request = shard.conns.get(d[i + 1] as number)?.request;
          i += 2;
          if (request !== undefined) request.answered = true;
          break;
        }
        case Report.finish: {
          const conn = shard.conns.get(d[i + 1] as number);
          const ok = d[i + 3] === 1;
          i += 4;
          if (conn !== undefined) this.#endRequest(shard, conn, ok);
          break;
        }
        case Report.entries: {
          const app = d[i + 1];
          const n = d[i + 2];
          const mean = d[i + 3];
          i += 4;
          if (typeof app === 'string' && typeof n === 'number' && n >= 1 && typeof mean === 'number') this.#learnCpu(app, mean, n);
          break;
        }
        case Report.closed: {
          const id = d[i + 1] as number;
          i += 2;
          const conn = shard.conns.get(id);
          if (conn === undefined) break;
          shard.conns.delete(id);
          this.#endRequest(shard, conn, false);
          conn.socket.destroy();
          break;
        }
        default:
          return; // not a report this version knows: stop reading rather than misread the rest
      }
    }
  }

  /** The request on a connection ended (finished, or its connection closed first). */
  #endRequest(shard: Shard, conn: Connection, ok: boolean): ShardRequest | undefined {
    const request = conn.request;
    if (request === undefined) return undefined;
    conn.request = undefined;
    shard.serving -= 1;
    this.#options.requests?.leave(request.app, ok);
    return request;
  }

  /**
   * Keeps a moving average of how long each app's requests hold their isolate at once (their
   * longest entry); tells the shards when the set of heavy apps changes.
   */
  #learnCpu(name: string, cpu: number, requests: number): void {
    // The average starts at 0, not at the first figure: one slow first request (a fresh isolate on a
    // busy machine) does not make an app heavy; an app that burns 25 ms or more does at once.
    // `requests` answered with a mean of `cpu` weigh as many single steps of 0.2 would.
    const keep = 0.8 ** Math.min(requests, 100);
    const average = (this.#cpu.get(name) ?? 0) * keep + cpu * (1 - keep);
    this.#cpu.set(name, average);
    const heavy = average >= HEAVY_CPU_MS;
    if (heavy === this.#heavy.has(name)) return;
    if (heavy) this.#heavy.add(name); else this.#heavy.delete(name);
    if (heavy && this.#slots[this.cpuSlot] === undefined && !this.#closing) this.#start(this.cpuSlot);
    const apps = [...this.#heavy];
    for (const shard of this.#live()) shard.out.push({ t: 'heavy', apps });
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
    void this.#stop(shard);
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
    this.#answered(shard);
    const planned = shard.retiring || this.#closing;
    let lost = shard.pending.size;
    // The front's copies of the shard's connections: a request that had not begun its response
    // gets a 502 here; everything else just closes.
    for (const conn of shard.conns.values()) {
      const request = this.#endRequest(shard, conn, false);
      if (request !== undefined && !request.answered && !conn.socket.destroyed) conn.socket.end(crashResponse(request.rid));
      else conn.socket.destroy();
      if (request === undefined) continue;
      lost += 1;
      this.#options.requests?.lost(request, shard.slot);
    }
    shard.conns.clear();
    for (const relay of shard.relays.values()) relay.abort?.();
    shard.relays.clear();
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

/** The raw HTTP response the front writes for a request lost with its shard (as HttpHandler would answer ISOLATE_CRASHED). */
function crashResponse(requestId: string): string {
  const { status, body } = errorResponse('ISOLATE_CRASHED', requestId);
  return `HTTP/1.1 ${status} Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`;
}
