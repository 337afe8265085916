import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from '../src/server/metrics.ts';
import { RequestTally } from '../src/server/tally.ts';

const sources = { pools: () => [], shardRestarts: () => ({ crash: 0, rss: 0 }), logDrops: () => 0, apps: () => 1, inFlight: () => 0 };

test('figures gathered in several tallies add up in the exposition, as if observed in one place', async () => {
  const shardA = new RequestTally();
  const shardB = new RequestTally();
  shardA.observe('shop', 200, 3, 0.2, undefined);
  shardA.observe('shop', 503, 60, 55, 'CPU_LIMIT');
  shardB.observe('shop', 200, 0.5, 0.1, undefined);
  shardB.observe(undefined, 404, 0.2, 0, 'NO_ROUTE');
  const metrics = new Metrics(sources);
  metrics.merge(shardA.take());
  metrics.merge(shardB.take());
  metrics.observe('shop', 200, 7, 1, undefined);
  const text = await metrics.text();
  assert.match(text, /^islet_requests_total\{app="shop",status="200"\} 3$/m);
  assert.match(text, /^islet_requests_total\{app="shop",status="503"\} 1$/m);
  assert.match(text, /^islet_requests_total\{app="\(none\)",status="404"\} 1$/m);
  assert.match(text, /^# TYPE islet_request_duration_seconds histogram$/m);
  // Buckets are cumulative: 0.5 ms and 3 ms and 7 ms are at or under 10 ms; 60 ms is not.
  assert.match(text, /^islet_request_duration_seconds_bucket\{le="0.001",app="shop"\} 1$/m);
  assert.match(text, /^islet_request_duration_seconds_bucket\{le="0.01",app="shop"\} 3$/m);
  assert.match(text, /^islet_request_duration_seconds_bucket\{le="\+Inf",app="shop"\} 4$/m);
  assert.match(text, /^islet_request_duration_seconds_count\{app="shop"\} 4$/m);
  const sum = Number(/^islet_request_duration_seconds_sum\{app="shop"\} (\S+)$/m.exec(text)?.[1]);
  assert.ok(Math.abs(sum - 0.0705) < 1e-9, `duration sum ${sum}`);
  assert.match(text, /^islet_request_cpu_seconds_count\{app="shop"\} 4$/m);
  // No CPU figure for a request no app took.
  assert.doesNotMatch(text, /islet_request_cpu_seconds_count\{app="\(none\)"\}/);
  assert.match(text, /^islet_limit_kills_total\{app="shop",code="CPU_LIMIT"\} 1$/m);
  // A take starts again from nothing.
  assert.equal(shardA.empty, true);
  assert.deepEqual(shardA.take(), []);
});

test('a tally ignores entries that are not well formed (a shard is not trusted to send sense)', async () => {
  const metrics = new Metrics(sources);
  const good = new RequestTally();
  good.observe('ok', 200, 1, 1, undefined);
  const [entry] = good.take();
  assert.ok(entry !== undefined);
  const bad: unknown[] = [
    null, 'x', [], [1, ...entry.slice(1)], ['neg', -1, ...entry.slice(2)], ['nan', Number.NaN, ...entry.slice(2)],
    ['short', 1, [200, 1], [1], 0, 0, entry[6], 0, []], ['kills', ...entry.slice(1, 8), [1, 'CPU_LIMIT']],
  ];
  metrics.merge([...bad, entry]);
  metrics.merge({ not: 'a list' });
  const text = await metrics.text();
  assert.match(text, /^islet_requests_total\{app="ok",status="200"\} 1$/m);
  for (const app of ['neg', 'nan', 'short', 'kills']) assert.ok(!text.includes(`app="${app}"`), app);
});
