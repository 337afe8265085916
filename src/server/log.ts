/**
 * Structured logs for `islet serve`: one JSON line per event, written to a stream (stdout by
 * default) through a bounded queue. Under a flood, records past the queue's bound are dropped and
 * counted, never buffered without limit. Secret values and credential headers are redacted
 * wherever they would appear.
 */
import type { Writable } from 'node:stream';

/** A log record: plain JSON-serialisable fields. */
export type LogRecord = Record<string, unknown>;

/** Options for a {@link Logger}. */
export interface LoggerOptions {
  /** Where lines go (default process.stdout). */
  stream?: Writable;
  /** Most records waiting to be written (default 10,000). */
  maxQueue?: number;
  /** Longest string field kept, in characters (default 8 KiB); longer ones are cut and marked. */
  maxFieldLength?: number;
}

/** A request record's fields (see {@link Logger.request}). */
export interface RequestRecord {
  app: string | null;
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  cpuMs: number;
  code: string | null;
  shard?: number | undefined;
}

/** Headers whose values never reach a log. */
export const REDACTED_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);
const REDACTED = '[REDACTED]';

/** Writes JSON lines with backpressure-aware batching and a bounded queue. */
export class Logger {
  readonly #stream: Writable;
  readonly #maxQueue: number;
  readonly #maxField: number;
  #queue: string[] = [];
  /** Secret values as they appear inside a JSON string (escaped), longest first. */
  #secrets: string[] = [];
  #clockMs = -1;
  #clockIso = '';
  #waiting = false;
  #scheduled = false;
  #dropped = 0;
  #written = 0;
  #idle: (() => void)[] = [];
  /** The most recent entries (each one or more lines), for the admin API's /logs; off when 0. */
  #recent: string[] = [];
  #recentMax = 0;
  readonly #followers = new Set<(entry: string) => void>();

  constructor(options: LoggerOptions = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.#maxQueue = options.maxQueue ?? 10_000;
    this.#maxField = options.maxFieldLength ?? 8192;
  }

  /** Records dropped because the queue was full. */
  get dropped(): number { return this.#dropped; }
  /** Records written. */
  get written(): number { return this.#written; }

  /** Sets the secret values to redact (replaces the previous set). */
  setSecrets(values: Iterable<string>): void {
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets = [...new Set([...values].filter((v) => v.length >= 4))].sort((a, b) => b.length - a.length).map((v) => JSON.stringify(v).slice(1, -1));
  }

  /** Keeps the last `entries` log entries in memory for {@link recent} and {@link follow}. */
  keepRecent(entries: number): void { this.#recentMax = entries; }

  /** The lines kept by keepRecent, oldest first. */
  recent(): string[] {
    return this.#recent.slice(-this.#recentMax).flatMap((entry) => entry.split('\n'));
  }

  /** Calls `fn` with each entry (one or more lines) as it is written; returns the unsubscribe function. */
  follow(fn: (entry: string) => void): () => void {
    this.#followers.add(fn);
    return () => { this.#followers.delete(fn); };
  }

  /** Queues a record; drops it (and counts) when the queue is full. */
  log(record: LogRecord): void {
    if (this.#queue.length >= this.#maxQueue) { this.#dropped += 1; return; }
    this.#queue.push(this.#redact(JSON.stringify({ time: this.#now(), ...record }, (key, value) => this.#field(key, value))));
    this.#schedule();
  }

  /**
   * Queues a request record, the hot path (one per request): the line `log({ type: 'request',
   * ...record })` would write (same keys, order, cuts and redaction), formatted without a replacer.
   */
  request(record: RequestRecord): void {
    if (this.#queue.length >= this.#maxQueue) { this.#dropped += 1; return; }
    const shard = record.shard === undefined ? '' : `,"shard":${jsonNumber(record.shard)}`;
    this.#queue.push(this.#redact(`{"time":"${this.#now()}","type":"request","app":${this.#jsonString(record.app)},"requestId":${this.#jsonString(record.requestId)},"method":${this.#jsonString(record.method)},"path":${this.#jsonString(record.path)},"status":${jsonNumber(record.status)},"durationMs":${jsonNumber(record.durationMs)},"cpuMs":${jsonNumber(record.cpuMs)},"code":${this.#jsonString(record.code)}${shard}}`));
    this.#schedule();
  }

  /**
   * Queues lines another logger already formatted and redacted (a shard's), `count` records in
   * one string; dropped (and counted) when the queue is full.
   */
  lines(text: string, count: number): void {
    if (this.#queue.length >= this.#maxQueue) { this.#dropped += count; return; }
    this.#queue.push(this.#redact(text));
    this.#schedule();
  }

  /** Resolves when everything queued has been handed to the stream. */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && !this.#waiting) return Promise.resolve();
    return new Promise((resolve) => { this.#idle.push(resolve); if (!this.#waiting) this.#flush(); });
  }

  /** Redacts credential headers in a header list or record. */
  static redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
    const out: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(headers)) out[name] = REDACTED_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
    return out;
  }

  #field(key: string, value: unknown): unknown {
    if (key !== '' && REDACTED_HEADERS.has(key.toLowerCase())) return REDACTED;
    if (typeof value === 'string' && value.length > this.#maxField) return `${value.slice(0, this.#maxField)}... [${value.length - this.#maxField} more characters]`;
    return value;
  }

  #jsonString(value: string | null): string {
    return value === null ? 'null' : JSON.stringify(this.#field('', value));
  }

  /** The time as an ISO string (made once per millisecond). */
  #now(): string {
    const ms = Date.now();
    if (ms !== this.#clockMs) { this.#clockMs = ms; this.#clockIso = new Date(ms).toISOString(); }
    return this.#clockIso;
  }

  #redact(line: string): string {
    let out = line;
    for (const encoded of this.#secrets) {
      if (out.includes(encoded)) out = out.split(encoded).join(REDACTED);
    }
    return out;
  }

  /** Flushes at the end of this event-loop turn, unless a flush is due or the stream is full. */
  #schedule(): void {
    if (this.#scheduled || this.#waiting) return;
    this.#scheduled = true;
    setImmediate(() => { this.#scheduled = false; this.#flush(); });
  }

  #flush(): void {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, 512);
      this.#written += batch.length;
      if (this.#recentMax > 0) {
        for (const entry of batch) this.#recent.push(entry);
        if (this.#recent.length > this.#recentMax * 2) this.#recent = this.#recent.slice(-this.#recentMax);
        for (const fn of this.#followers) for (const entry of batch) fn(entry);
      }
      const ok = this.#stream.write(`${batch.join('\n')}\n`);
      if (!ok) {
        this.#waiting = true;
        this.#stream.once('drain', () => { this.#waiting = false; this.#flush(); });
        return;
      }
    }
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}

/** A number as JSON writes it (null when not finite). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
