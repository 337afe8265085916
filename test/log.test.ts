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
