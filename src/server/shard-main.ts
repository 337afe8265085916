/**
 * A shard: a worker process of `islet serve` that holds app isolates and answers the requests the
 * front routes to it. If an isolate takes the process down (isolated-vm's out-of-memory or a
 * catastrophic error), only this shard's in-flight requests are lost; the front replaces it.
 */
import { Writable } from 'node:stream';
import { IsletError } from '../errors.ts';
import type { RequestIo } from '../sandbox/core.ts';
import { AppPool, type KvCall } from './app-host.ts';
import type { KvResponse } from '../bridge/kv.ts';
import { Logger } from './log.ts';
import { Batcher, WRITE_WINDOW, type FromShard, type ToShard } from './wire.ts';

if (process.send === undefined) {
  process.stderr.write('islet: the shard entry runs only as a child of `islet serve`\n');
  process.exit(2);
}

const out = new Batcher<FromShard>((batch) => { process.send?.(batch); });

/** Console lines travel to the front, which writes them with its own bounded queue. */
const logSink = new Writable({
  write(chunk: Buffer | string, _encoding, callback): void {
    const text = String(chunk).replace(/\n$/, '');
    let count = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count += 1;
    out.flush();
    process.send?.([{ t: 'logs', text, count } satisfies FromShard], undefined, {}, () => callback());
  },
});
const log = new Logger({ stream: logSink });

interface Exchange {
  abort: (() => void) | undefined;
  aborted: boolean;
  /** Pending readBody. */
  reading: { resolve: (chunk: Uint8Array | null) => void; reject: (error: Error) => void } | undefined;
  unacked: number;
  drained: (() => void)[];
}

let pool: AppPool | undefined;
/** KV requests waiting for the server process (which owns the store), by id. */
const kvCalls = new Map<number, { resolve: (response: KvResponse) => void; reject: (error: Error) => void }>();
let kvIds = 0;
const kv: KvCall = (ns, request) => new Promise((resolve, reject) => {
  const id = ++kvIds;
  kvCalls.set(id, { resolve, reject });
  out.push({ t: 'kv', id, ns, request });
});
const exchanges = new Map<number, Exchange>();
let stopping = false;

function wireIo(id: number, ex: Exchange): RequestIo {
  return {
    readBody: () => new Promise((resolve, reject) => {
      ex.reading = { resolve, reject };
      out.push({ t: 'read', id });
    }),
    head: (status, statusText, headers) => { out.push({ t: 'head', id, status, statusText, headers }); },
    endWith: (body) => { out.push({ t: 'endWith', id, body }); },
    write: (chunk) => {
      ex.unacked += chunk.byteLength;
      out.push({ t: 'write', id, chunk });
      return ex.unacked < WRITE_WINDOW;
    },
    drained: () => new Promise((resolve) => { if (ex.unacked < WRITE_WINDOW) resolve(); else ex.drained.push(resolve); }),
    end: () => { out.push({ t: 'end', id }); },
  };
}

/** Redacts the secret values of every app this shard holds. */
function resetSecrets(): void {
  if (pool !== undefined) log.setSecrets([...pool.apps.values()].flatMap((a) => a.config.secretValues));
}

function handle(message: ToShard): void {
  switch (message.t) {
    case 'init': {
      log.setSecrets(message.secrets);
      pool = new AppPool({ log, memoryBudgetBytes: message.memoryBudgetBytes, kv });
      for (const app of message.apps) pool.define(app);
      out.push({ t: 'ready', pid: process.pid });
      return;
    }
    case 'define':
      pool?.define(message.app);
      resetSecrets();
      return;
    case 'remove':
      pool?.remove(message.app);
      resetSecrets();
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
      const ex: Exchange = { abort: undefined, aborted: false, reading: undefined, unacked: 0, drained: [] };
      exchanges.set(id, ex);
      void (pool as AppPool).handle(message.app, message.head, wireIo(id, ex), message.rid, (abort) => {
        ex.abort = abort;
        if (ex.aborted) abort();
      }).then((outcome) => {
        exchanges.delete(id);
        out.push({ t: 'done', id, outcome });
        if (stopping && exchanges.size === 0) void exit();
      });
      return;
    }
    case 'body': {
      const reading = exchanges.get(message.id)?.reading;
      if (reading === undefined) return;
      (exchanges.get(message.id) as Exchange).reading = undefined;
      if (message.error !== undefined) reading.reject(new Error(message.error));
      else reading.resolve(message.chunk);
      return;
    }
    case 'ack': {
      const ex = exchanges.get(message.id);
      if (ex === undefined) return;
      ex.unacked -= message.bytes;
      if (ex.unacked < WRITE_WINDOW && ex.drained.length > 0) { const waiting = ex.drained; ex.drained = []; for (const fn of waiting) fn(); }
      return;
    }
    case 'abort': {
      const ex = exchanges.get(message.id);
      if (ex === undefined) return;
      ex.aborted = true;
      ex.abort?.();
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
      stopping = true;
      if (exchanges.size === 0) void exit();
      return;
  }
}

async function exit(): Promise<void> {
  pool?.close();
  out.flush();
  await log.drain();
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (batch: ToShard[]) => {
  for (const message of batch) handle(message);
});
// The front went away (it crashed or was killed): nothing is left to serve.
process.on('disconnect', () => { if (!stopping) process.exit(0); });

const stats = setInterval(() => {
  if (pool !== undefined) out.push({ t: 'stats', rss: process.memoryUsage.rss(), pool: pool.stats() });
}, 1000);
stats.unref();
