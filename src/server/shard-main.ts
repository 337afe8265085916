/**
 * A shard: a worker process of `islet serve` that holds app isolates and serves HTTP on the
 * connections the front hands it. It routes each request itself and runs it here, unless the app
 * is CPU-heavy: those requests are relayed through the front to the CPU shard, so that no serving
 * shard's event loop (and the connections on it) waits behind a CPU-burning request. It reports
 * every request it starts before the request reaches an isolate, and when its response begins,
 * so that if an isolate takes the process down (isolated-vm's out-of-memory or a catastrophic error), the front, which keeps a
 * copy of every connection, can answer the lost requests with 502 and replace the shard.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { IsletError } from '../errors.ts';
import type { RequestHead, RequestIo, RequestOutcome } from '../sandbox/core.ts';
import { AppPool, type KvCall } from './app-host.ts';
import type { KvResponse } from '../bridge/kv.ts';
import { HttpHandler, type RoutedApp } from './http-handler.ts';
import { Logger } from './log.ts';
import { Router } from './router.ts';
import { RequestTally } from './tally.ts';
import { applyIo, Batcher, RemoteIo, Report, type ReportItem, type ConnMessage, type FromShard, type RouteEntry, type ToShard } from './wire.ts';

if (process.send === undefined) {
  process.stderr.write('islet: the shard entry runs only as a child of `islet serve`\n');
  process.exit(2);
}

const out = new Batcher<FromShard>((batch) => {
  reports = undefined;
  const written = logsWritten;
  logsWritten = [];
  if (written.length === 0) process.send?.(batch);
  else process.send?.(batch, undefined, {}, () => { for (const callback of written) callback(); });
}, reportEntries);
/** The log sink's callbacks for lines in the batch being made: called once it is sent (backpressure). */
let logsWritten: (() => void)[] = [];
/** This turn's reports (see Report in wire.ts): one flat array in the batch, cheap to clone. */
let reports: ReportItem[] | undefined;
/** Request figures for metrics, sent every second and when the front asks (before a scrape). */
const tally = new RequestTally();
/** This batch's answered requests per app: how many, and the sum of their longest isolate entries. */
const entries = new Map<string, { n: number; sum: number }>();
function reportEntries(): void {
  if (entries.size === 0) return;
  for (const [app, e] of entries) report(Report.entries, app, e.n, e.sum / e.n);
  entries.clear();
}
function report(...items: ReportItem[]): void {
  if (reports === undefined) { reports = []; out.push({ t: 'reports', d: reports }); }
  for (const item of items) reports.push(item);
}

/**
 * Console and request lines travel to the front, which writes them with its own bounded queue.
 * They go in the turn's batch, after the reports of the same turn, so the front reads both in
 * the order they happened with one wakeup; the logger writes more once the batch is sent.
 */
const logSink = new Writable({
  write(chunk: Buffer | string, _encoding, callback): void {
    const text = String(chunk).replace(/\n$/, '');
    let count = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count += 1;
    out.push({ t: 'logs', text, count });
    logsWritten.push(() => { callback(); });
  },
});
const log = new Logger({ stream: logSink });

let pool: AppPool | undefined;
let slot = 0;
let shardCount = 1;
let router = new Router<RoutedApp>();
/** CPU-heavy apps (by name), as the front last said. */
let heavy = new Set<string>();
/** Requests routed here to each app version, and versions whose removal waits for them. */
const versionInFlight = new Map<string, number>();
const removeWhenIdle = new Set<string>();
let stopping = false;

/** KV requests waiting for the server process (which owns the store), by id. */
const kvCalls = new Map<number, { resolve: (response: KvResponse) => void; reject: (error: Error) => void }>();
let kvIds = 0;
const kv: KvCall = (ns, request) => new Promise((resolve, reject) => {
  const id = ++kvIds;
  kvCalls.set(id, { resolve, reject });
  out.push({ t: 'kv', id, ns, request });
});

/** Requests the front routed here from another shard (relayed), by the front's id. */
const exchanges = new Map<number, { remote: RemoteIo; abort: (() => void) | undefined; aborted: boolean }>();
/** Requests of this shard's clients that run on another shard, by relay id. */
const relays = new Map<number, { io: RequestIo; resolve: (outcome: RequestOutcome) => void }>();
let relayIds = 0;

/** Connections handed here, by the front's id. */
const connIds = new WeakMap<Socket, number>();
/**
 * The connections here and the responses each has not finished. Node's closeIdleConnections
 * tracks only connections a server accepted itself (this one never listens), so a stopping shard
 * closes its idle ones from here.
 */
const sockets = new Set<Socket>();
const busy = new WeakMap<Socket, number>();
function closeIdle(): void {
  for (const socket of sockets) if ((busy.get(socket) ?? 0) === 0) socket.destroy();
}
const connOf = (req: IncomingMessage): number | undefined => connIds.get(req.socket);

function defineRoutes(routes: RouteEntry[], catchAll: string | null): void {
  const next = new Router<RoutedApp>();
  const apps = pool?.apps;
  for (const entry of routes) {
    const config = apps?.get(entry.id)?.config;
    if (config === undefined) continue;
    const target: RoutedApp = { config, state: entry.state };
    for (const route of config.routes) next.add(route, target);
    if (entry.id === catchAll) next.setCatchAll(target);
  }
  router = next;
}

/** Runs a request here, or relays it when it belongs on another shard. */
function run(id: string, head: RequestHead, io: RequestIo, rid: string, onAbort: (abort: () => void) => void): Promise<RequestOutcome> {
  const p = pool as AppPool;
  const name = p.apps.get(id)?.config.name;
  const isHeavy = name !== undefined && heavy.has(name);
  // CPU-heavy apps run on the CPU shard (slot `shardCount`, which takes no connections), so a
  // serving shard's event loop is never held by one.
  const here = !isHeavy || slot === shardCount;
  if (here) return p.handle(id, head, io, rid, onAbort).then((outcome) => ({ ...outcome, shard: slot }));
  return new Promise((resolve) => {
    const relayId = ++relayIds;
    relays.set(relayId, { io, resolve });
    out.push({ t: 'relay', id: relayId, app: id, head, rid });
    onAbort(() => { if (relays.has(relayId)) out.push({ t: 'relayIo', id: relayId, m: { t: 'abort' } }); });
  });
}

const http = new HttpHandler<RoutedApp>({
  log,
  backend: { handle: run },
  match: (host, path) => router.match(host, path),
  enter: (id, req, requestId) => {
    versionInFlight.set(id, (versionInFlight.get(id) ?? 0) + 1);
    const conn = connOf(req);
    if (conn !== undefined) report(Report.start, conn, requestId, id, req.method ?? '', req.url ?? '/');
  },
  leave: (_app, id, ok, req) => {
    const n = (versionInFlight.get(id) ?? 1) - 1;
    if (n > 0) versionInFlight.set(id, n);
    else { versionInFlight.delete(id); if (removeWhenIdle.delete(id)) { pool?.remove(id); resetSecrets(); } }
    const conn = connOf(req);
    if (conn !== undefined) report(Report.finish, conn, id, ok ? 1 : 0);
    if (stopping) maybeExit();
  },
  observe: (app, status, durationMs, cpuMs, code, longestEntryMs) => {
    tally.observe(app, status, durationMs, cpuMs, code);
    if (app === undefined) return;
    const e = entries.get(app);
    if (e === undefined) entries.set(app, { n: 1, sum: longestEntryMs });
    else { e.n += 1; e.sum += longestEntryMs; }
  },
  // The front learns that a response began before its first byte goes out (at once for bytes
  // written now; held responses go out after beforeTurn has sent the batch).
  answering: (req, now) => {
    const conn = connOf(req);
    if (conn === undefined) return;
    report(Report.answer, conn);
    if (now) out.flush();
  },
  // Starts are reported before any of them enters an isolate.
  beforeTurn: () => { out.flush(); },
  holdToTurnEnd: true,
});

// The front set the listening socket's protections; these are the per-connection ones.
// A connection is busy from a request's head to the end of its response (its 'close').
const server = createServer({ noDelay: true, maxHeaderSize: 16_384, requestTimeout: 300_000, headersTimeout: 20_000, keepAliveTimeout: 5_000 }, (req, res) => {
  const socket = req.socket;
  busy.set(socket, (busy.get(socket) ?? 0) + 1);
  res.once('close', () => {
    busy.set(socket, (busy.get(socket) ?? 1) - 1);
    if (stopping) maybeExit();
  });
  http.listener(req, res);
});
server.maxHeadersCount = 200;
server.maxRequestsPerSocket = 10_000;

function adopt(id: number, socket: Socket): void {
  if (stopping) { socket.destroy(); report(Report.closed, id); return; }
  connIds.set(socket, id);
  sockets.add(socket);
  socket.once('close', () => {
    sockets.delete(socket);
    report(Report.closed, id);
    if (stopping) maybeExit();
  });
  server.emit('connection', socket);
}

/** Redacts the secret values of every app this shard holds. */
function resetSecrets(): void {
  if (pool !== undefined) log.setSecrets([...pool.apps.values()].flatMap((a) => a.config.secretValues));
}

function handle(message: ToShard): void {
  switch (message.t) {
    case 'init': {
      log.setSecrets(message.secrets);
      slot = message.slot;
      shardCount = message.shards;
      pool = new AppPool({ log, memoryBudgetBytes: message.memoryBudgetBytes, kv });
      for (const app of message.apps) pool.define(app);
      defineRoutes(message.routes, message.catchAll);
      out.push({ t: 'ready', pid: process.pid });
      return;
    }
    case 'define':
      pool?.define(message.app);
      resetSecrets();
      return;
    case 'remove':
      // A request routed here just before the new routes came may still be on its way in.
      if ((versionInFlight.get(message.app) ?? 0) > 0) { removeWhenIdle.add(message.app); return; }
      pool?.remove(message.app);
      resetSecrets();
      return;
    case 'routes':
      defineRoutes(message.routes, message.catchAll);
      out.push({ t: 'routed', seq: message.seq });
      return;
    case 'heavy':
      heavy = new Set(message.apps);
      return;
    case 'tally':
      out.push({ t: 'tally', d: tally.take(), asked: true });
      return;
    case 'load': {
      const { id } = message;
      (pool?.load(message.app) ?? Promise.reject(new IsletError('INTERNAL', 'the shard has no configuration'))).then(
        () => { out.push({ t: 'loaded', id }); },
        (error: unknown) => { out.push({ t: 'loaded', id, error: { code: IsletError.is(error) ? error.code : 'INTERNAL', message: (error as Error).message } }); },
      );
      return;
    }
    case 'req': {
      const { id } = message;
      const remote = new RemoteIo((m) => { out.push({ ...m, id }); });
      const ex = { remote, abort: undefined as (() => void) | undefined, aborted: false };
      exchanges.set(id, ex);
      void (pool as AppPool).handle(message.app, message.head, remote.io, message.rid, (abort) => {
        ex.abort = abort;
        if (ex.aborted) abort();
      }).then((outcome) => {
        exchanges.delete(id);
        out.push({ t: 'done', id, outcome });
        if (stopping) maybeExit();
      });
      return;
    }
    case 'body':
    case 'ack':
      exchanges.get(message.id)?.remote.receive(message);
      return;
    case 'abort': {
      const ex = exchanges.get(message.id);
      if (ex === undefined) return;
      ex.aborted = true;
      ex.abort?.();
      return;
    }
    case 'relayed': {
      const relay = relays.get(message.id);
      if (relay === undefined) return;
      const { id, m } = message;
      if (m.t === 'done') { relays.delete(id); relay.resolve(m.outcome); return; }
      applyIo(relay.io, m, (r) => { out.push({ t: 'relayIo', id, m: r }); }, () => relays.has(id));
      return;
    }
    case 'kvr': {
      const call = kvCalls.get(message.id);
      if (call === undefined) return;
      kvCalls.delete(message.id);
      if (message.response !== undefined) call.resolve(message.response);
      else call.reject(new IsletError((message.error?.code ?? 'INTERNAL') as IsletError['code'], message.error?.message ?? 'the KV store failed'));
      return;
    }
    case 'stop':
      // Drain: idle connections close now, busy ones after their response (Connection: close).
      stopping = true;
      http.draining = true;
      closeIdle();
      maybeExit();
      return;
  }
}

let exiting = false;
/** While stopping: exits once no request runs here and every connection has closed. */
function maybeExit(): void {
  if (exiting || http.inFlight > 0 || exchanges.size > 0) return;
  closeIdle();
  if (sockets.size > 0) return;
  exiting = true;
  void exit();
}

async function exit(): Promise<void> {
  await http.whenIdle(0);
  pool?.close();
  if (!tally.empty) out.push({ t: 'tally', d: tally.take(), asked: false });
  out.flush();
  await log.drain();
  out.flush(); // the last lines are in a batch now
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (message: ToShard[] | ConnMessage, socket?: Socket) => {
  if (!Array.isArray(message)) { if (message.t === 'conn' && socket !== undefined) adopt(message.id, socket); return; }
  for (const m of message) handle(m);
});
// The front went away (it crashed or was killed): nothing is left to serve.
process.on('disconnect', () => { if (!stopping) process.exit(0); });

const stats = setInterval(() => {
  if (pool !== undefined) out.push({ t: 'stats', rss: process.memoryUsage.rss(), pool: pool.stats() });
  if (!tally.empty) out.push({ t: 'tally', d: tally.take(), asked: false });
}, 1000);
stats.unref();
