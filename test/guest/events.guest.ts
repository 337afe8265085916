import { test, assert, run } from './harness.ts';

test('DOMException has name, message, legacy code and is an Error', () => {
  const e = new DOMException('gone', 'AbortError');
  assert.equal(e.name, 'AbortError');
  assert.equal(e.message, 'gone');
  assert.equal(e.code, 20);
  assert.equal(DOMException.ABORT_ERR, 20);
  assert.ok(e instanceof Error);
  assert.equal(new DOMException('x').name, 'Error');
  assert.equal(new DOMException('x', 'NoSuchName').code, 0);
  assert.equal(Object.prototype.toString.call(e), '[object DOMException]');
  const withCause = new DOMException('m', { name: 'DataCloneError', cause: 'why' });
  assert.equal(withCause.name, 'DataCloneError');
  assert.equal((withCause as any).cause, 'why');
});

test('Event: defaults, init, cancelation only when cancelable and not passive', () => {
  const plain = new Event('ping');
  assert.equal(plain.type, 'ping');
  assert.equal(plain.bubbles, false);
  assert.equal(plain.isTrusted, false);
  assert.equal(plain.eventPhase, Event.NONE);
  plain.preventDefault();
  assert.equal(plain.defaultPrevented, false);
  const cancelable = new Event('x', { cancelable: true });
  const target = new EventTarget();
  target.addEventListener('x', (e) => e.preventDefault(), { passive: true });
  assert.equal(target.dispatchEvent(cancelable), true, 'passive listeners cannot cancel');
  target.addEventListener('x', (e) => e.preventDefault());
  assert.equal(target.dispatchEvent(new Event('x', { cancelable: true })), false);
  assert.throws(() => new (Event as any)(), (e) => e instanceof TypeError);
});

test('EventTarget: order, once, duplicates, handleEvent objects, this, removal during dispatch', () => {
  const t = new EventTarget();
  const calls: string[] = [];
  const a = function (this: unknown, e: Event) { calls.push(`a:${this === t}:${e.currentTarget === t}:${e.eventPhase}`); };
  t.addEventListener('go', a);
  t.addEventListener('go', a); // duplicate ignored
  t.addEventListener('go', () => calls.push('once'), { once: true });
  t.addEventListener('go', { handleEvent(e: Event) { calls.push(`obj:${e.type}`); } });
  t.addEventListener('go', () => calls.push('capture'), true);
  const removed = () => calls.push('removed');
  t.addEventListener('go', () => t.removeEventListener('go', removed));
  t.addEventListener('go', removed);
  t.dispatchEvent(new Event('go'));
  t.dispatchEvent(new Event('go'));
  assert.deepEqual(calls, ['capture', 'a:true:true:2', 'once', 'obj:go', 'capture', 'a:true:true:2', 'obj:go']);
});

test('stopImmediatePropagation stops later listeners; a throwing listener does not stop others', () => {
  const t = new EventTarget();
  const calls: number[] = [];
  t.addEventListener('e', () => { calls.push(1); throw new Error('listener failure'); });
  t.addEventListener('e', (e) => { calls.push(2); e.stopImmediatePropagation(); });
  t.addEventListener('e', () => calls.push(3));
  t.dispatchEvent(new Event('e'));
  assert.deepEqual(calls, [1, 2]);
});

test('dispatching an event twice at once is an InvalidStateError; non-events are a TypeError', () => {
  const t = new EventTarget();
  const ev = new Event('re');
  let inner: unknown;
  t.addEventListener('re', () => { try { t.dispatchEvent(ev); } catch (e) { inner = e; } });
  t.dispatchEvent(ev);
  assert.equal((inner as DOMException).name, 'InvalidStateError');
  assert.throws(() => t.dispatchEvent({ type: 're' } as any), (e) => e instanceof TypeError);
  assert.equal(ev.target, t);
  assert.equal(ev.currentTarget, null);
});

test('CustomEvent carries detail; subclassing EventTarget works', () => {
  class Emitter extends EventTarget {}
  const em = new Emitter();
  let detail: unknown;
  em.addEventListener('data', (e) => { detail = (e as CustomEvent).detail; });
  em.dispatchEvent(new CustomEvent('data', { detail: { n: 1 } }));
  assert.deepEqual(detail, { n: 1 });
  assert.equal(new CustomEvent('x').detail, null);
});

test('AbortController: abort once, reason, onabort, default AbortError, throwIfAborted', () => {
  const c = new AbortController();
  const seen: string[] = [];
  c.signal.onabort = (e) => seen.push(`onabort:${e.type}`);
  c.signal.addEventListener('abort', () => seen.push('listener'));
  assert.equal(c.signal.aborted, false);
  c.signal.throwIfAborted();
  c.abort();
  c.abort('again');
  assert.deepEqual(seen, ['onabort:abort', 'listener']);
  assert.equal(c.signal.aborted, true);
  assert.equal((c.signal.reason as DOMException).name, 'AbortError');
  assert.throws(() => c.signal.throwIfAborted(), (e) => e === c.signal.reason);
  const custom = new AbortController();
  custom.abort('mine');
  assert.equal(custom.signal.reason, 'mine');
  assert.throws(() => new (AbortSignal as any)(), (e) => e instanceof TypeError);
});

test('AbortSignal.abort, AbortSignal.any and listener removal through signal', () => {
  assert.equal(AbortSignal.abort('r').reason, 'r');
  const a = new AbortController();
  const b = new AbortController();
  const any = AbortSignal.any([a.signal, b.signal]);
  const nested = AbortSignal.any([any]);
  let fired = 0;
  nested.addEventListener('abort', () => fired++);
  b.abort('from b');
  assert.equal(any.aborted, true);
  assert.equal(any.reason, 'from b');
  assert.equal(nested.reason, 'from b');
  assert.equal(fired, 1);
  assert.equal(AbortSignal.any([AbortSignal.abort('early')]).reason, 'early');
  const t = new EventTarget();
  const stop = new AbortController();
  let count = 0;
  t.addEventListener('tick', () => count++, { signal: stop.signal });
  t.dispatchEvent(new Event('tick'));
  stop.abort();
  t.dispatchEvent(new Event('tick'));
  assert.equal(count, 1);
  t.addEventListener('tick', () => count++, { signal: stop.signal });
  t.dispatchEvent(new Event('tick'));
  assert.equal(count, 1, 'an aborted signal adds no listener');
});

test('AbortSignal.timeout aborts with a TimeoutError', async () => {
  const signal = AbortSignal.timeout(5);
  await new Promise((resolve) => signal.addEventListener('abort', resolve));
  assert.equal((signal.reason as DOMException).name, 'TimeoutError');
});

export default run;
