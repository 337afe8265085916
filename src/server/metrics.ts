/**
 * Prometheus metrics of `islet serve` (prom-client, text exposition format): requests by app and
 * status, latency and CPU-time histograms per app, limit kills by code, and gauges read when
 * scraped (live isolates, evictions, shard restarts, log drops).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LIMIT_CODES, type ErrorCode } from '../errors.ts';

/** What the metrics read from the rest of the server when scraped. */
export interface MetricsSources {
  /** Per shard (or one entry for the in-process pool): loaded isolates and evictions so far. */
  pools(): { shard: string; loaded: number; evictions: number; replaced: number }[];
  /** Shard replacements after a crash and recycles past the RSS budget. */
  shardRestarts(): { crash: number; rss: number };
  logDrops(): number;
  apps(): number;
  inFlight(): number;
}

interface AppSeries {
  duration: ReturnType<Histogram<'app'>['labels']>;
  cpu: ReturnType<Histogram<'app'>['labels']>;
  byStatus: Map<number, ReturnType<Counter<'app' | 'status'>['labels']>>;
}

/** The server's metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'app' | 'status'>;
  readonly #duration: Histogram<'app'>;
  readonly #cpu: Histogram<'app'>;
  readonly #kills: Counter<'app' | 'code'>;
  readonly #series = new Map<string, AppSeries>();

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.#requests = new Counter({ name: 'islet_requests_total', help: 'Requests answered, by app and HTTP status.', labelNames: ['app', 'status'], registers });
    this.#duration = new Histogram({
      name: 'islet_request_duration_seconds', help: 'Time from request to the end of the response, by app.', labelNames: ['app'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.#cpu = new Histogram({
      name: 'islet_request_cpu_seconds', help: 'CPU time the app used per request (including its async work), by app.', labelNames: ['app'], registers,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    });
    this.#kills = new Counter({ name: 'islet_limit_kills_total', help: 'Requests stopped by a limit or an isolate crash, by app and error code.', labelNames: ['app', 'code'], registers });
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
    const name = app ?? '(none)';
    let series = this.#series.get(name);
    if (series === undefined) {
      series = { duration: this.#duration.labels(name), cpu: this.#cpu.labels(name), byStatus: new Map() };
      this.#series.set(name, series);
    }
    let counter = series.byStatus.get(status);
    if (counter === undefined) { counter = this.#requests.labels(name, String(status)); series.byStatus.set(status, counter); }
    counter.inc();
    series.duration.observe(durationMs / 1000);
    if (app !== undefined) series.cpu.observe(cpuMs / 1000);
    if (code !== undefined && (LIMIT_CODES.has(code as ErrorCode) || code === 'ISOLATE_CRASHED')) this.#kills.inc({ app: name, code });
  }

  /** The exposition text. */
  text(): Promise<string> { return this.registry.metrics(); }

  /** The content type of {@link text}. */
  get contentType(): string { return this.registry.contentType; }
}
