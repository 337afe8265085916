/**
 * Prometheus metrics of `islet serve` (prom-client, text exposition format): requests by app and
 * status, latency and CPU-time histograms per app, limit kills by code, and gauges read when
 * scraped (live isolates, evictions, shard restarts, log drops).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CPU_BUCKETS, DURATION_BUCKETS, RequestTally, type AppFigures } from './tally.ts';

/** What the metrics read from the rest of the server when scraped. */
export interface MetricsSources {
  /** Per shard (or one entry for the in-process pool): loaded isolates and evictions so far. */
  pools(): { shard: string; loaded: number; evictions: number; replaced: number }[];
  /** Shard replacements after a crash and recycles past the RSS budget. */
  shardRestarts(): { crash: number; rss: number };
  logDrops(): number;
  apps(): number;
  inFlight(): number;
  /** Brings in the shards' request figures gathered since they last sent them (before a scrape). */
  refresh?(): Promise<void>;
}

/**
 * A histogram per app read from a tally when scraped, registered with prom-client (which writes
 * the exposition text from `get`): prom-client's own Histogram takes one observation at a time,
 * and the server adds shards' figures in bulk.
 */
function tallyHistogram(name: string, help: string, bounds: readonly number[], read: (f: AppFigures) => { counts: number[]; sum: number; count: number } | undefined, tally: RequestTally): Histogram<'app'> {
  const get = async (): Promise<unknown> => {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const [app, f] of tally.apps()) {
      const h = read(f);
      if (h === undefined) continue;
      let cumulative = 0;
      for (let i = 0; i < bounds.length; i++) {
        cumulative += h.counts[i] as number;
        values.push({ metricName: `${name}_bucket`, labels: { le: bounds[i] as number, app }, value: cumulative });
      }
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', app }, value: h.count });
      values.push({ metricName: `${name}_sum`, labels: { app }, value: h.sum });
      values.push({ metricName: `${name}_count`, labels: { app }, value: h.count });
    }
    return { name, help, type: 'histogram', values, aggregator: 'sum' };
  };
  // Registry.registerMetric takes any object with a name and get(); its type names only its own classes.
  return { name, help, type: 'histogram', aggregator: 'sum', get } as unknown as Histogram<'app'>;
}

/** The server's metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly #tally = new RequestTally();
  readonly #refresh: (() => Promise<void>) | undefined;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    const tally = this.#tally;
    this.#refresh = sources.refresh;
    new Counter({
      name: 'islet_requests_total', help: 'Requests answered, by app and HTTP status.', labelNames: ['app', 'status'], registers,
      collect() { this.reset(); for (const [app, f] of tally.apps()) for (const [status, n] of f.statuses) this.inc({ app, status: String(status) }, n); },
    });
    this.registry.registerMetric(tallyHistogram('islet_request_duration_seconds', 'Time from request to the end of the response, by app.', DURATION_BUCKETS,
      (f) => ({ counts: f.duration, sum: f.durationSum, count: f.count }), tally));
    this.registry.registerMetric(tallyHistogram('islet_request_cpu_seconds', 'CPU time the app used per request (including its async work), by app.', CPU_BUCKETS,
      (f) => (f.cpuCount === 0 ? undefined : { counts: f.cpu, sum: f.cpuSum, count: f.cpuCount }), tally));
    new Counter({
      name: 'islet_limit_kills_total', help: 'Requests stopped by a limit or an isolate crash, by app and error code.', labelNames: ['app', 'code'], registers,
      collect() { this.reset(); for (const [app, f] of tally.apps()) for (const [code, n] of f.kills) this.inc({ app, code }, n); },
    });
    new Gauge({
      name: 'islet_live_isolates', help: 'App isolates loaded now, by shard.', labelNames: ['shard'], registers,
      collect() { this.reset(); for (const p of sources.pools()) this.set({ shard: p.shard }, p.loaded); },
    });
    new Counter({
      name: 'islet_evictions_total', help: 'Idle apps evicted under the memory budget, by shard (resets when a shard is replaced).', labelNames: ['shard'], registers,
      collect() { this.reset(); for (const p of sources.pools()) this.inc({ shard: p.shard }, p.evictions); },
    });
    new Counter({
      name: 'islet_isolate_replacements_total', help: 'Isolates replaced after a limit kill or crash, by shard (resets when a shard is replaced).', labelNames: ['shard'], registers,
      collect() { this.reset(); for (const p of sources.pools()) this.inc({ shard: p.shard }, p.replaced); },
    });
    new Counter({
      name: 'islet_shard_restarts_total', help: 'Shard processes replaced, by reason: crash, or rss (recycled past the RSS budget).', labelNames: ['reason'], registers,
      collect() { this.reset(); const r = sources.shardRestarts(); this.inc({ reason: 'crash' }, r.crash); this.inc({ reason: 'rss' }, r.rss); },
    });
    new Counter({
      name: 'islet_log_dropped_total', help: 'Log records dropped because the log queue was full.', registers,
      collect() { this.reset(); this.inc(sources.logDrops()); },
    });
    new Gauge({ name: 'islet_apps', help: 'Apps being served.', registers, collect() { this.set(sources.apps()); } });
    new Gauge({ name: 'islet_requests_in_flight', help: 'Requests being handled now.', registers, collect() { this.set(sources.inFlight()); } });
  }

  /** Records one answered request. `app` is undefined when no app was routed. */
  observe(app: string | undefined, status: number, durationMs: number, cpuMs: number, code: string | undefined): void {
    this.#tally.observe(app, status, durationMs, cpuMs, code);
  }

  /** Adds the figures a shard's tally took. */
  merge(entries: unknown): void { this.#tally.merge(entries); }

  /** The exposition text (after the shards have sent what they gathered). */
  async text(): Promise<string> {
    await this.#refresh?.();
    return this.registry.metrics();
  }

  /** The content type of {@link text}. */
  get contentType(): string { return this.registry.contentType; }
}
