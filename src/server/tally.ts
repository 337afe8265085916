/**
 * Request figures per app (counts by status, latency and CPU-time histograms, limit kills) as
 * plain numbers, cheap to record per request and to send between processes: each shard keeps a
 * tally and sends what it gathered to the server process, whose metrics expose the sums.
 */
import { LIMIT_CODES, type ErrorCode } from '../errors.ts';

/** Upper bounds of the latency histogram's buckets, in seconds. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Upper bounds of the CPU-time histogram's buckets, in seconds. */
export const CPU_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * What a tally holds of one app's requests, flat, as it crosses from a shard: the app's name,
 * requests answered, then `[status, count, ...]`, the duration histogram (a count per bucket, the
 * last past every bound) and its sum in seconds, requests with a CPU figure, the CPU histogram
 * and its sum, then `[code, count, ...]` of limit kills.
 */
export type TallyEntry = [string, number, number[], number[], number, number, number[], number, (string | number)[]];

/** One app's figures in a {@link RequestTally}. */
export class AppFigures {
  count = 0;
  readonly statuses = new Map<number, number>();
  readonly duration: number[] = new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
  durationSum = 0;
  cpuCount = 0;
  readonly cpu: number[] = new Array<number>(CPU_BUCKETS.length + 1).fill(0);
  cpuSum = 0;
  readonly kills = new Map<string, number>();
}

/** The bucket a value falls in (the last one past every bound). */
function bucketOf(bounds: readonly number[], value: number): number {
  let i = 0;
  while (i < bounds.length && value > (bounds[i] as number)) i += 1;
  return i;
}

/**
 * Counts of answered requests per app (by status), latency and CPU-time histograms, and limit
 * kills: plain numbers, cheap per request. Shards keep one each and send what it gathered (take)
 * to the server process, which adds it to its own (merge) and exposes the sums.
 */
export class RequestTally {
  #apps = new Map<string, AppFigures>();

  /** Records one answered request. `app` is undefined when no app was routed. */
  observe(app: string | undefined, status: number, durationMs: number, cpuMs: number, code: string | undefined): void {
    const f = this.#figures(app ?? '(none)');
    f.count += 1;
    f.statuses.set(status, (f.statuses.get(status) ?? 0) + 1);
    const seconds = durationMs / 1000;
    const d = bucketOf(DURATION_BUCKETS, seconds);
    f.duration[d] = (f.duration[d] as number) + 1;
    f.durationSum += seconds;
    if (app !== undefined) {
      const cpu = cpuMs / 1000;
      const c = bucketOf(CPU_BUCKETS, cpu);
      f.cpu[c] = (f.cpu[c] as number) + 1;
      f.cpuSum += cpu;
      f.cpuCount += 1;
    }
    if (code !== undefined && (LIMIT_CODES.has(code as ErrorCode) || code === 'ISOLATE_CRASHED')) f.kills.set(code, (f.kills.get(code) ?? 0) + 1);
  }

  /** Whether nothing was recorded since the last take. */
  get empty(): boolean { return this.#apps.size === 0; }

  /** What was recorded since the last take, and starts again from nothing. */
  take(): TallyEntry[] {
    const out: TallyEntry[] = [];
    for (const [app, f] of this.#apps) {
      out.push([app, f.count, [...f.statuses].flat(), f.duration, f.durationSum, f.cpuCount, f.cpu, f.cpuSum, [...f.kills].flat()]);
    }
    this.#apps = new Map();
    return out;
  }

  /** Adds what another tally took (a shard's); ignores entries that are not well formed. */
  merge(entries: unknown): void {
    if (!Array.isArray(entries)) return;
    for (const entry of entries as unknown[]) {
      if (!isTallyEntry(entry)) continue;
      const [app, count, statuses, duration, durationSum, cpuCount, cpu, cpuSum, kills] = entry;
      const f = this.#figures(app);
      f.count += count;
      for (let i = 0; i + 1 < statuses.length; i += 2) f.statuses.set(statuses[i] as number, (f.statuses.get(statuses[i] as number) ?? 0) + (statuses[i + 1] as number));
      for (let i = 0; i < f.duration.length; i++) f.duration[i] = (f.duration[i] as number) + (duration[i] as number);
      f.durationSum += durationSum;
      f.cpuCount += cpuCount;
      for (let i = 0; i < f.cpu.length; i++) f.cpu[i] = (f.cpu[i] as number) + (cpu[i] as number);
      f.cpuSum += cpuSum;
      for (let i = 0; i + 1 < kills.length; i += 2) f.kills.set(kills[i] as string, (f.kills.get(kills[i] as string) ?? 0) + (kills[i + 1] as number));
    }
  }

  /** Each app's figures (read when metrics are scraped). */
  apps(): IterableIterator<[string, AppFigures]> { return this.#apps.entries(); }

  #figures(app: string): AppFigures {
    let f = this.#apps.get(app);
    if (f === undefined) { f = new AppFigures(); this.#apps.set(app, f); }
    return f;
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isCounts = (v: unknown, length?: number): v is number[] => Array.isArray(v) && (length === undefined || v.length === length) && v.every(isCount);

function isTallyEntry(e: unknown): e is TallyEntry {
  if (!Array.isArray(e) || e.length !== 9 || typeof e[0] !== 'string') return false;
  const kills = e[8] as unknown;
  return isCount(e[1]) && isCounts(e[2]) && isCounts(e[3], DURATION_BUCKETS.length + 1) && isCount(e[4]) && isCount(e[5])
    && isCounts(e[6], CPU_BUCKETS.length + 1) && isCount(e[7])
    && Array.isArray(kills) && kills.every((v, i) => (i % 2 === 0 ? typeof v === 'string' : isCount(v)));
}
