/**
 * One app in `islet serve`: its isolate (a persistent run core with the app module loaded),
 * reloaded after a limit kill or crash, and the bridge between Node's HTTP request/response and
 * the guest's Request/Response, streaming both ways with backpressure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, basename } from 'node:path';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { IsletError } from '../errors.ts';
import { RunCore, type RequestIo, type RequestOutcome } from '../sandbox/core.ts';
import { diskLoader } from '../sandbox/modules.ts';
import type { AppConfig } from './config.ts';
import type { Logger } from './log.ts';

/** How the server watches one request. */
export interface HandleHooks {
  /** Receives the function that aborts the request (client gone, body too large). */
  onAbort(abort: () => void): void;
  /** The largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Called once when the body passes bodyLimit. */
  onTooLarge(): void;
  /** The request's absolute URL, as the server parsed it from the target and Host header. */
  url: string;
}

/** An app ready to take requests. */
export class AppHost {
  readonly config: AppConfig;
  readonly #log: Logger;
  #core: RunCore | undefined;
  #loading: Promise<RunCore> | undefined;
  #inFlight = 0;
  requests = 0;
  errors = 0;

  constructor(config: AppConfig, log: Logger) {
    this.config = config;
    this.#log = log;
  }

  /** Requests being handled now. */
  get inFlight(): number { return this.#inFlight; }

  /** Loads (or reloads) the app module; rejects with its IsletError (SYNTAX_ERROR, MODULE_NOT_FOUND, ...). */
  load(): Promise<RunCore> {
    if (this.#core?.loaded === true) return Promise.resolve(this.#core);
    this.#loading ??= this.#load().finally(() => { this.#loading = undefined; });
    return this.#loading;
  }

  async #load(): Promise<RunCore> {
    this.#core?.dispose();
    const root = realpathSync(dirname(this.config.entry));
    const source = await readFile(this.config.entry, 'utf8');
    const { memoryMb, cpuMs, wallMs } = this.config.limits;
    const core = new RunCore({
      limits: { memoryMb, cpuMs, wallMs, stdoutBytes: 0, stderrBytes: 0 },
      persistent: true,
      services: [],
      env: this.config.env,
      fetch: this.config.fetch,
    }, {
      callService: () => Promise.reject(new Error('no services are bound to this app')),
      emit: () => {},
      output: (stream, text, label) => {
        this.#log.log({ type: 'console', app: this.config.name, requestId: label ?? null, stream: stream === 1 ? 'stdout' : 'stderr', message: text.endsWith('\n') ? text.slice(0, -1) : text });
      },
      loadModule: diskLoader(root),
    });
    // Loading runs top-level code under a generous budget: apps often build tables at start-up.
    const outcome = await core.run({ kind: 'app', source, filename: basename(this.config.entry), args: [] });
    if (!outcome.ok) {
      core.dispose();
      const e = outcome.error;
      throw new IsletError(e?.code ?? 'INTERNAL', `The app "${this.config.name}" failed to load: ${e?.message ?? 'unknown error'}`, e?.guest === undefined ? {} : { guest: e.guest });
    }
    this.#core = core;
    return core;
  }

  /** Handles one HTTP request; resolves with how it ended (the response is written or destroyed). */
  async handle(req: IncomingMessage, res: ServerResponse, requestId: string, hooks: HandleHooks): Promise<RequestOutcome> {
    this.#inFlight += 1;
    this.requests += 1;
    try {
      const core = await this.load();
      const headers: [string, string][] = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([(req.rawHeaders[i] as string).toLowerCase(), req.rawHeaders[i + 1] as string]);
      const method = req.method ?? 'GET';
      const hasBody = method !== 'GET' && method !== 'HEAD' && (req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined);
      const { token, done } = core.request({ method, url: hooks.url, headers, hasBody }, nodeIo(req, res, hooks), requestId);
      hooks.onAbort(() => core.abortRequest(token));
      const outcome = await done;
      if (!outcome.ok) this.errors += 1;
      return outcome;
    } catch (error) {
      this.errors += 1;
      const e = IsletError.is(error) ? error : new IsletError('INTERNAL', String(error));
      return { ok: false, error: { code: e.code, message: e.message, ...(e.guest === undefined ? {} : { guest: e.guest }) }, usage: { cpuMs: 0, wallMs: 0, heapPeakBytes: 0, hostCalls: 0 }, responded: false };
    } finally {
      this.#inFlight -= 1;
    }
  }

  /** Disposes the app's isolate. */
  dispose(): void {
    this.#core?.dispose();
    this.#core = undefined;
  }
}

/** Bridges Node's request and response to the guest with backpressure on both sides. */
function nodeIo(req: IncomingMessage, res: ServerResponse, hooks: HandleHooks): RequestIo {
  let ended = false;
  let received = 0;
  let failed: Error | undefined;
  req.on('end', () => { ended = true; });
  req.on('error', (e) => { failed = e; });
  return {
    readBody(): Promise<Uint8Array | null> {
      return new Promise((resolve, reject) => {
        const attempt = (): void => {
          if (failed !== undefined) { reject(failed); return; }
          const chunk = req.read() as Buffer | null;
          if (chunk !== null) {
            cleanup();
            received += chunk.length;
            if (received > hooks.bodyLimit) { hooks.onTooLarge(); reject(new Error('the request body is too large')); return; }
            resolve(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
            return;
          }
          if (ended || req.readableEnded) { cleanup(); resolve(null); return; }
        };
        const onError = (e: Error): void => { cleanup(); reject(e); };
        const cleanup = (): void => { req.off('readable', attempt); req.off('end', attempt); req.off('error', onError); req.off('close', onClose); };
        const onClose = (): void => { if (!req.readableEnded) { cleanup(); reject(new Error('the client closed the connection')); } };
        req.on('readable', attempt);
        req.on('end', attempt);
        req.on('error', onError);
        req.on('close', onClose);
        attempt();
      });
    },
    head(status, statusText, headers): void {
      res.statusCode = status;
      if (statusText !== '') res.statusMessage = statusText;
      for (const [name, value] of headers) {
        const existing = res.getHeader(name);
        if (existing === undefined) res.setHeader(name, value);
        else res.setHeader(name, Array.isArray(existing) ? [...existing, value] : [String(existing), value]);
      }
    },
    endWith(body): void {
      // A whole body: send it with its length in one write (no chunked encoding, no second packet).
      if (body !== null && !res.hasHeader('content-length') && !res.hasHeader('transfer-encoding')) res.setHeader('content-length', body.length);
      if (body === null) res.end(); else res.end(body);
    },
    write: (chunk) => res.write(chunk),
    drained: () => new Promise((resolve) => { if (!res.writableNeedDrain) resolve(); else res.once('drain', () => resolve()); }),
    end: () => { res.end(); },
  };
}
