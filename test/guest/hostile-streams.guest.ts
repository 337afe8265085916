// The Streams API under a guest that patched built-ins (test/guest/traps.ts): results must be
// right, and no trap reached. While traps are in, this code uses only captured built-ins, index
// loops, and awaits through `wait` (see traps.ts).
import { test, run } from './harness.ts';
import { check, list, saved, seq, u8, type Tools } from './traps.ts';

const { Error: SavedError, Uint8Array: U8 } = saved;
// Globals are trapped too: everything the bodies use is captured here.
const RS = ReadableStream;
const WS = WritableStream;
const TS = TransformStream;
const Count = CountQueuingStrategy;
const ByteLength = ByteLengthQueuingStrategy;
const Encoder = TextEncoderStream;
const Decoder = TextDecoderStream;
const Controller = AbortController;
const DOMError = DOMException;
const asyncIterator = Symbol.asyncIterator;

/** Reads a stream's default reader to its end. */
function readAll<T>(t: Tools, reader: ReadableStreamDefaultReader<T>): Promise<T[]> {
  return t.wait((async () => {
    const got: T[] = [];
    for (;;) {
      const r = await t.wait(reader.read());
      if (r.done) return t.mine(got);
      got[got.length] = r.value;
    }
  })());
}

test('default streams: start, pull with backpressure, read, cancel, errors, async iteration, from()', () => check(async (t) => {
  let pulls = 0;
  const counted = new RS<string>({
    start(c) { c.enqueue('a'); },
    pull(c) { pulls++; if (pulls === 3) c.close(); else c.enqueue(`p${pulls}`); },
  }, new Count({ highWaterMark: 1 }));
  const chunks = await readAll(t, counted.getReader());

  let reason: unknown;
  const cancelled = new RS({ cancel(r) { reason = r; } });
  await t.wait(cancelled.cancel('why'));

  const broken = new RS({ start(c) { c.error(new SavedError('broken')); } });
  let message = '';
  try { await t.wait(broken.getReader().read()); } catch (e) { message = (e as Error).message; }

  // An async pull: the stream resolves with the guest's own promise, not through its then().
  let n = 0;
  const asyncPull = new RS<number>({ pull(c) { return t.mine((async () => { n++; if (n === 3) c.close(); else c.enqueue(n); })()); } });
  const iterated: number[] = [];
  const it = asyncPull[asyncIterator]();
  for (;;) {
    const r = await t.wait(it.next());
    if (r.done) break;
    iterated[iterated.length] = r.value;
  }
  const early = new RS<string>({ pull(c) { c.enqueue('x'); } }).values();
  const first = await t.wait(early.next());
  const returned = await t.wait(early.return?.('stop') as Promise<IteratorResult<string>>);

  const fromSync = await readAll(t, RS.from(seq(['s1', 's2'])).getReader());
  let i = 0;
  const source = {
    [asyncIterator]() {
      return { next: () => { const r = t.mine(i < 2 ? { value: `a${i++}`, done: false } : { value: undefined, done: true }); return t.mine((async () => r)()); } };
    },
  };
  const fromAsync = await readAll(t, RS.from(source as AsyncIterable<string>).getReader());
  return t.mine({ chunks, reason, message, iterated, first: first.value, returned: returned.done, fromSync, fromAsync });
}, {
  chunks: ['a', 'p1', 'p2'], reason: 'why', message: 'broken', iterated: [1, 2], first: 'x', returned: true,
  fromSync: ['s1', 's2'], fromAsync: ['a0', 'a1'],
}));

test('byte streams: enqueue, BYOB reads with min, byobRequest.respond, autoAllocateChunkSize, tee', () => check(async (t) => {
  const enqueued = new RS({ type: 'bytes', start(c) { c.enqueue(u8([1, 2, 3, 4])); c.enqueue(u8([5])); c.close(); } });
  const byob = enqueued.getReader({ mode: 'byob' });
  const r1 = await t.wait(byob.read(new U8(3)));
  const r2 = await t.wait(byob.read(new U8(4), { min: 2 }));
  const r3 = await t.wait(byob.read(new U8(1)));

  let next = 10;
  const responded = new RS({
    type: 'bytes',
    pull(c) {
      const request = c.byobRequest;
      if (request === null) return;
      const view = request.view as Uint8Array;
      view[0] = next++;
      request.respond(1);
      if (next === 12) c.close();
    },
  });
  const viaByob = responded.getReader({ mode: 'byob' });
  const b1 = await t.wait(viaByob.read(new U8(2)));
  const b2 = await t.wait(viaByob.read(new U8(2)));

  let auto = 20;
  const allocated = new RS({
    type: 'bytes', autoAllocateChunkSize: 8,
    pull(c) { const request = c.byobRequest; if (request === null) return; (request.view as Uint8Array)[0] = auto++; request.respond(1); if (auto === 22) c.close(); },
  });
  const autoChunks = await readAll(t, allocated.getReader());

  const teed = new RS({ type: 'bytes', start(c) { c.enqueue(u8([7, 8])); c.close(); } }).tee();
  const left = await readAll(t, (teed[0] as ReadableStream<Uint8Array>).getReader());
  const right = await readAll(t, (teed[1] as ReadableStream<Uint8Array>).getReader());
  const flat = (chunks: Uint8Array[]): number[] => { const out: number[] = []; for (let k = 0; k < chunks.length; k++) { const l = list(chunks[k] as Uint8Array); for (let j = 0; j < l.length; j++) out[out.length] = l[j] as number; } return out; };
  return t.mine({
    r1: list(r1.value as Uint8Array), r2: list(r2.value as Uint8Array), r3: [r3.done, r3.value === undefined ? -1 : list(r3.value).length],
    b1: list(b1.value as Uint8Array), b2: [b2.done, list(b2.value as Uint8Array)],
    auto: flat(autoChunks), left: flat(left), right: flat(right),
  });
}, { r1: [1, 2, 3], r2: [4, 5], r3: [true, 0], b1: [10], b2: [false, [11]], auto: [20, 21], left: [7, 8], right: [7, 8] }));

test('tee, pipeTo (with an aborting signal), pipeThrough, WritableStream, TransformStream backpressure', () => check(async (t) => {
  const branches = new RS<string>({ start(c) { c.enqueue('t1'); c.enqueue('t2'); c.close(); } }).tee();
  const a = branches[0] as ReadableStream<string>;
  const b = branches[1] as ReadableStream<string>;
  const teeA = await readAll(t, a.getReader());
  const teeB = await readAll(t, b.getReader());

  const written: string[] = [];
  let closed = false;
  const sink = new WS<string>({
    write(chunk) { return t.mine((async () => { written[written.length] = chunk; })()); },
    close() { closed = true; },
  }, new Count({ highWaterMark: 2 }));
  await t.wait(RS.from(seq(['w1', 'w2', 'w3'])).pipeTo(sink));

  const controller = new Controller();
  const endless = new RS<string>({ pull(c) { c.enqueue('e'); } });
  const aborted = endless.pipeTo(new WS({ write() { controller.abort(); } }), { signal: controller.signal });
  let abortError = '';
  try { await t.wait(aborted); } catch (e) { abortError = `${e instanceof DOMError}:${(e as DOMException).name}`; }

  const upper = new TS<string, string>({
    start() { return t.mine((async () => undefined)()); },
    transform(chunk, c) { c.enqueue(`<${chunk}>`); },
    flush(c) { c.enqueue('end'); },
  });
  const piped = await readAll(t, RS.from(seq(['x', 'y'])).pipeThrough(upper).getReader());

  const direct = new TS<string, string>({ transform(chunk, c) { c.enqueue(`${chunk}!`); } });
  const writer = direct.writable.getWriter();
  const pending = writer.write('bp');
  const desired = writer.desiredSize;
  const reader = direct.readable.getReader();
  const out = await t.wait(reader.read());
  await t.wait(pending);
  await t.wait(writer.close());
  const end = await t.wait(reader.read());

  const aborts: unknown[] = [];
  const abortable = new WS({ abort(r) { aborts[aborts.length] = r; } });
  await t.wait(abortable.abort('stop'));
  const errored = new WS({ start(c) { c.error(new SavedError('sink broke')); } });
  let writeError = '';
  try { await t.wait(errored.getWriter().write('z')); } catch (e) { writeError = (e as Error).message; }
  return t.mine({ teeA, teeB, written, closed, abortError, piped, desired, out: out.value, end: end.done, aborts, writeError });
}, {
  teeA: ['t1', 't2'], teeB: ['t1', 't2'], written: ['w1', 'w2', 'w3'], closed: true, abortError: 'true:AbortError',
  piped: ['<x>', '<y>', 'end'], desired: 0, out: 'bp!', end: true, aborts: ['stop'], writeError: 'sink broke',
}));

test('TextEncoderStream, TextDecoderStream and the queuing strategies', () => check(async (t) => {
  const decoded = await readAll(t, RS.from(seq(['h\uD83D', '\uDE00i'])).pipeThrough(new Encoder()).pipeThrough(new Decoder()).getReader());
  let text = '';
  for (let i = 0; i < decoded.length; i++) text += decoded[i];
  const bytes = await readAll(t, RS.from(seq(['é'])).pipeThrough(new Encoder()).getReader());
  return t.mine({
    text, bytes: list(bytes[0] as Uint8Array),
    byteLength: new ByteLength({ highWaterMark: 16 }).size({ byteLength: 5 } as ArrayBufferView),
    count: new Count({ highWaterMark: 1 }).size(),
  });
}, { text: 'h😀i', bytes: [0xc3, 0xa9], byteLength: 5, count: 1 }));

export default run;
