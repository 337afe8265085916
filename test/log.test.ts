import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Logger } from '../src/server/log.ts';

function sink(options: { highWaterMark?: number; slow?: boolean } = {}) {
  const lines: string[] = [];
  let release: (() => void) | undefined;
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16384,
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      if (options.slow === true) release = cb; else cb();
    },
  });
  return { stream, lines, release: () => { const r = release; release = undefined; r?.(); } };
}

test('one JSON line per record, with a time', async () => {
  const s = sink();
  const log = new Logger({ stream: s.stream });
  log.log({ app: 'a', status: 200 });
  log.log({ app: 'b', status: 500, code: 'GUEST_EXCEPTION' });
  await log.drain();
  assert.equal(s.lines.length, 2);
  const first = JSON.parse(s.lines[0] ?? '') as Record<string, unknown>;
  assert.equal(first['app'], 'a');
  assert.match(String(first['time']), /^\d{4}-\d\d-\d\dT/);
});

test('secret values and credential headers are redacted wherever they appear', async () => {
  const s = sink();
  const log = new Logger({ stream: s.stream });
  log.setSecrets(['hunter2-token', 'abc']);
  log.log({ message: 'calling with hunter2-token now (abc)', headers: { Authorization: 'Bearer x', cookie: 'sid=1', 'x-ok': 'fine' }, nested: { deep: ['hunter2-token'] } });
  await log.drain();
  const line = s.lines[0] ?? '';
  assert.doesNotMatch(line, /hunter2-token|Bearer x|sid=1/);
  assert.match(line, /calling with \[REDACTED\] now \(abc\)/);
  assert.match(line, /"x-ok":"fine"/);
  assert.match(line, /abc/, 'secrets shorter than 4 characters are not redacted (they would garble every line)');
});

test('under a flood the queue stays bounded: extra records are dropped and counted', async () => {
  const s = sink({ slow: true, highWaterMark: 1 });
  const log = new Logger({ stream: s.stream, maxQueue: 100 });
  log.log({ n: 0 });
  await new Promise((r) => setImmediate(r));
  for (let i = 1; i <= 10_000; i++) log.log({ n: i });
  assert.ok(log.dropped >= 9_900, `dropped ${log.dropped}`);
  s.release();
  for (let i = 0; i < 200 && log.written < 101; i++) { await new Promise((r) => setImmediate(r)); s.release(); }
  assert.ok(log.written <= 101, `written ${log.written}`);
});

test('long fields are cut and marked', async () => {
  const s = sink();
  const log = new Logger({ stream: s.stream, maxFieldLength: 10 });
  log.log({ message: 'x'.repeat(50) });
  await log.drain();
  assert.match(s.lines[0] ?? '', /"xxxxxxxxxx\.\.\. \[40 more characters\]"/);
});

test('a request record is the line the general path writes: same keys and order, cuts, redaction, dropping', async () => {
  const s = sink();
  const log = new Logger({ stream: s.stream, maxFieldLength: 40, maxQueue: 4 });
  log.setSecrets(['s3cret-"value"']);
  const records = [
    { app: 'hello', requestId: 'r1', method: 'GET', path: '/', status: 200, durationMs: 1.25, cpuMs: 0.5, code: null, shard: 1 },
    { app: null, requestId: 'r2', method: 'POST', path: `/x/s3cret-"value"/${'y'.repeat(60)}`, status: 404, durationMs: 0, cpuMs: 0, code: 'NO_ROUTE' },
    { app: 'a\u2028"b', requestId: 'r3', method: 'PUT', path: '/\u00e9\n', status: 500, durationMs: Number.NaN, cpuMs: 3, code: 'GUEST_EXCEPTION', shard: 0 },
  ];
  for (const r of records) { log.request(r); log.log({ type: 'request', ...r }); }
  await log.drain();
  assert.equal(s.lines.length, 4, 'the fifth and sixth records were dropped (queue of 4)');
  assert.equal(log.dropped, 2);
  const withoutTime = (line: string): string => line.replace(/^\{"time":"[^"]+",/, '{');
  for (let i = 0; i < 4; i += 2) assert.equal(withoutTime(s.lines[i] ?? ''), withoutTime(s.lines[i + 1] ?? ''));
  assert.match(s.lines[0] ?? '', /^\{"time":"\d{4}-\d\d-\d\dT[^"]+","type":"request","app":"hello","requestId":"r1","method":"GET","path":"\/","status":200,"durationMs":1.25,"cpuMs":0.5,"code":null,"shard":1\}$/);
  assert.doesNotMatch(s.lines[2] ?? '', /s3cret/);
  assert.match(s.lines[2] ?? '', /\[REDACTED\]/);
  assert.match(s.lines[2] ?? '', /more characters\]/);
  const third = new Logger({ stream: s.stream });
  third.request(records[2] as (typeof records)[number]);
  third.log({ type: 'request', ...records[2] });
  await third.drain();
  assert.equal(withoutTime(s.lines[4] ?? ''), withoutTime(s.lines[5] ?? ''));
  assert.equal((JSON.parse(s.lines[4] ?? '') as { durationMs: unknown }).durationMs, null);
});
