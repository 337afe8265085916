import { test, assert, run } from './harness.ts';

async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of stream as any) out.push(chunk);
  return out;
}

test('ReadableStream: enqueue, close, read, async iteration, locking', async () => {
  const rs = new ReadableStream<number>({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
  const reader = rs.getReader();
  assert.equal(rs.locked, true);
  assert.throws(() => rs.getReader(), (e) => e instanceof TypeError);
  assert.deepEqual(await reader.read(), { value: 1, done: false });
  reader.releaseLock();
  assert.deepEqual(await collect(rs), [2]);
});

test('pull-based streams respect highWaterMark (backpressure)', async () => {
  let pulls = 0;
  const rs = new ReadableStream<number>({ pull(c) { pulls++; c.enqueue(pulls); if (pulls === 10) c.close(); } }, new CountQueuingStrategy({ highWaterMark: 2 }));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(pulls, 2, 'the source is pulled only up to the high-water mark');
  assert.deepEqual(await collect(rs), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('WritableStream: writes in order, desiredSize, close and abort', async () => {
  const written: string[] = [];
  const ws = new WritableStream<string>({ write(chunk) { written.push(chunk); } }, { highWaterMark: 3 });
  const writer = ws.getWriter();
  assert.equal(writer.desiredSize, 3);
  await writer.write('a');
  await writer.write('b');
  await writer.close();
  assert.deepEqual(written, ['a', 'b']);
  const aborted = new WritableStream({ abort(reason) { written.push(`abort:${reason}`); } });
  await aborted.abort('why');
  assert.equal(written[2], 'abort:why');
});

test('pipeThrough a TransformStream and pipeTo a WritableStream', async () => {
  const upper = new TransformStream<string, string>({ transform(chunk, c) { c.enqueue(chunk.toUpperCase()); } });
  const out: string[] = [];
  await ReadableStream.from(['a', 'b']).pipeThrough(upper).pipeTo(new WritableStream({ write(c) { out.push(c); } }));
  assert.deepEqual(out, ['A', 'B']);
});

test('pipeTo with an AbortSignal stops the pipe', async () => {
  const ac = new AbortController();
  const rs = new ReadableStream({ pull(c) { c.enqueue('x'); } });
  const p = rs.pipeTo(new WritableStream({ write() { ac.abort(new Error('stop')); } }), { signal: ac.signal });
  await p.then(() => assert.ok(false, 'should reject'), (e) => assert.equal(e.message, 'stop'));
});

test('tee gives both branches every chunk', async () => {
  const [a, b] = ReadableStream.from([1, 2, 3]).tee();
  const [x, y] = await Promise.all([collect(a), collect(b)]);
  assert.deepEqual(x, [1, 2, 3]);
  assert.deepEqual(y, [1, 2, 3]);
});

test('byte streams and BYOB readers', async () => {
  const rs = new ReadableStream({
    type: 'bytes',
    start(c) { c.enqueue(new Uint8Array([1, 2, 3, 4])); c.close(); },
  });
  const reader = rs.getReader({ mode: 'byob' });
  const first = await reader.read(new Uint8Array(3));
  assert.deepEqual(first.value, new Uint8Array([1, 2, 3]));
  const second = await reader.read(new Uint8Array(3));
  assert.deepEqual(second.value, new Uint8Array([4]));
  assert.equal((await reader.read(new Uint8Array(1))).done, true);
});

test('errors and cancel propagate', async () => {
  const rs = new ReadableStream({ start(c) { c.error(new TypeError('broken')); } });
  await rs.getReader().read().then(() => assert.ok(false), (e) => assert.equal(e.message, 'broken'));
  let reason: unknown;
  const cancelable = new ReadableStream({ cancel(r) { reason = r; } });
  await cancelable.cancel('done');
  assert.equal(reason, 'done');
});

test('TextEncoderStream and TextDecoderStream, including split code points and surrogates', async () => {
  const encoded = await collect(ReadableStream.from(['a\uD83D', '\uDE00b']).pipeThrough(new TextEncoderStream()));
  const bytes = encoded.flatMap((c) => [...c]);
  assert.deepEqual(bytes, [0x61, 0xf0, 0x9f, 0x98, 0x80, 0x62]);
  const parts = [new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac, 0x21])];
  const text = (await collect(ReadableStream.from(parts).pipeThrough(new TextDecoderStream()))).join('');
  assert.equal(text, '€!');
  assert.equal(new TextDecoderStream('latin1').encoding, 'windows-1252');
});

test('queuing strategies measure chunks', () => {
  assert.equal(new ByteLengthQueuingStrategy({ highWaterMark: 16 }).size(new Uint8Array(5)), 5);
  assert.equal(new CountQueuingStrategy({ highWaterMark: 1 }).size(), 1);
});

export default run;
