import { test, assert, run } from './harness.ts';

test('setTimeout runs once with arguments, in delay order', async () => {
  const order: string[] = [];
  await new Promise<void>((resolve) => {
    setTimeout((a: string, b: string) => order.push(a + b), 20, 'late', '!');
    setTimeout(() => order.push('early'), 1);
    setTimeout(resolve, 40);
  });
  assert.deepEqual(order, ['early', 'late!']);
});

test('clearTimeout cancels; ids are positive integers', async () => {
  let ran = false;
  const id = setTimeout(() => { ran = true; }, 5);
  assert.ok(Number.isInteger(id) && id > 0);
  clearTimeout(id);
  clearTimeout(123456);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(ran, false);
});

test('setInterval repeats until cleared', async () => {
  let n = 0;
  await new Promise<void>((resolve) => {
    const id = setInterval(() => { n++; if (n === 3) { clearInterval(id); resolve(); } }, 1);
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(n, 3);
});

test('timers refuse code strings; negative and NaN delays are zero', async () => {
  assert.throws(() => setTimeout('globalThis.x = 1' as any, 0), (e) => e instanceof TypeError);
  let hits = 0;
  await new Promise<void>((resolve) => { setTimeout(() => hits++, -5); setTimeout(() => { hits++; resolve(); }, NaN); });
  assert.equal(hits, 2);
});

test('queueMicrotask runs before timers and after the current task', async () => {
  const order: string[] = [];
  await new Promise<void>((resolve) => {
    setTimeout(() => { order.push('timer'); resolve(); }, 0);
    queueMicrotask(() => order.push('micro'));
    order.push('sync');
  });
  assert.deepEqual(order, ['sync', 'micro', 'timer']);
  assert.throws(() => queueMicrotask(1 as any), (e) => e instanceof TypeError);
});

test('performance.now is coarse (whole milliseconds) and monotonic; timeOrigin is a time', () => {
  const a = performance.now();
  let b = a;
  for (let i = 0; i < 1e5; i++) b = performance.now();
  assert.ok(Number.isInteger(a) && Number.isInteger(b) && b >= a);
  assert.ok(Math.abs(performance.timeOrigin + a - Date.now()) < 1000);
});

export default run;
