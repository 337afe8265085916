/** The host half of the guest's fetch(): subrequests of the current run, keyed by guest-visible ids. */
import type { OpResult } from '../bridge/protocol.ts';
import type { EgressPolicy } from '../bridge/egress/policy.ts';
import { Subrequest, type SubrequestSpec } from '../bridge/egress/subrequest.ts';

/** What a subrequest reports to the guest: head, chunk, end, error or drain, with its payload. */
export type FetchDelivery = (id: number, kind: 'head' | 'chunk' | 'end' | 'error' | 'drain', payload: unknown) => void;

const MAX_HEADERS = 256;
const MAX_URL = 64 * 1024;

/** Subrequests for one sandbox; reset for each run. */
export class FetchHost {
  readonly #policy: EgressPolicy | undefined;
  readonly #deliver: FetchDelivery;
  readonly #subrequests = new Map<number, Subrequest>();
  #ids = 0;
  #count = 0;
  /** Messages of the denials this run saw (to name an uncaught one EGRESS_DENIED). */
  readonly denials = new Set<string>();

  constructor(policy: EgressPolicy | undefined, deliver: FetchDelivery) {
    this.#policy = policy;
    this.#deliver = deliver;
  }

  /** Validates and starts a subrequest. Events arrive later, never inside this call. */
  start(method: unknown, url: unknown, headers: unknown, body: unknown, redirect: unknown): OpResult<number> {
    if (typeof method !== 'string' || typeof url !== 'string' || url.length > MAX_URL || !Array.isArray(headers) || headers.length > MAX_HEADERS) return [false, 'invalid fetch request'];
    for (const h of headers) if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== 'string' || typeof h[1] !== 'string') return [false, 'invalid fetch headers'];
    if (!(body === null || body === 'stream' || body instanceof Uint8Array)) return [false, 'invalid fetch body'];
    if (redirect !== 'follow' && redirect !== 'error' && redirect !== 'manual') return [false, 'invalid redirect mode'];
    const id = ++this.#ids;
    const deliver = (kind: Parameters<FetchDelivery>[1], payload: unknown): void => {
      if (kind === 'end' || kind === 'error') this.#subrequests.delete(id);
      if (kind === 'error') {
        const e = payload as { code: string; message: string };
        if (e.code === 'EGRESS_DENIED') this.denials.add(e.message);
      }
      // Never re-enter the isolate from inside an op: deliver on a later microtask.
      queueMicrotask(() => this.#deliver(id, kind, payload));
    };
    const policy = this.#policy;
    if (policy === undefined) {
      deliver('error', { name: 'TypeError', message: `fetch to ${url} denied: this sandbox may not make network requests (no fetch option)`, code: 'EGRESS_DENIED' });
      return [true, id];
    }
    if (++this.#count > policy.maxSubrequests) {
      deliver('error', { name: 'TypeError', message: `fetch to ${url} refused: more than fetch.maxSubrequests (${policy.maxSubrequests}) subrequests in one run`, code: 'FETCH_FAILED' });
      return [true, id];
    }
    const spec: SubrequestSpec = { method, url, headers: headers as [string, string][], body: body as SubrequestSpec['body'], redirect };
    const sub = new Subrequest(policy, spec, {
      head: (head) => deliver('head', head),
      chunk: (bytes) => deliver('chunk', bytes),
      end: () => deliver('end', null),
      error: (error) => deliver('error', error),
      drain: () => deliver('drain', null),
    });
    this.#subrequests.set(id, sub);
    return [true, id];
  }

  write(id: unknown, chunk: unknown): OpResult<boolean> {
    const sub = this.#subrequests.get(id as number);
    if (sub === undefined) return [true, true];
    if (!(chunk instanceof Uint8Array)) return [false, 'request body chunks must be Uint8Arrays'];
    return [true, sub.write(chunk)];
  }

  end(id: unknown): OpResult<null> { this.#subrequests.get(id as number)?.endBody(); return [true, null]; }
  read(id: unknown): OpResult<null> { this.#subrequests.get(id as number)?.read(); return [true, null]; }

  cancel(id: unknown): OpResult<null> {
    const sub = this.#subrequests.get(id as number);
    if (sub !== undefined) { sub.cancel(); this.#subrequests.delete(id as number); }
    return [true, null];
  }

  /** Cancels every subrequest and resets the per-run count (end of a run). */
  reset(): void {
    for (const sub of this.#subrequests.values()) sub.cancel();
    this.#subrequests.clear();
    this.#count = 0;
    this.denials.clear();
  }
}
