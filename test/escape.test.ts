import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from '../src/index.ts';

// Probes run inside the guest; each returns what it found. Nothing host-side may be reachable.
const PROBE = `
const found = [];
const hostish = (v) => {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  try {
    const s = Function.prototype.toString.call(v);
    if (/Reference|ExternalCopy|Callback|isolated-vm|process\\.binding/.test(s)) return true;
  } catch {}
  try { if (typeof v.require === 'function' || typeof v.process === 'object' || typeof v.derefInto === 'function' || typeof v.applySync === 'function' || typeof v.copyInto === 'function') return true; } catch {}
  return false;
};
const check = (label, v) => { if (hostish(v)) found.push(label); };
`;

test('no process, require, Node globals, shared memory or WebAssembly in the guest', async () => {
  await using sandbox = new Sandbox({ services: { ping: () => 'pong' } });
  const receipt = await sandbox.run(`export default () => ['process', 'require', 'module', 'Buffer', 'global', 'SharedArrayBuffer', 'Atomics', 'WebAssembly', '__islet_ops', 'ivm', '_ivm'].filter((n) => typeof globalThis[n] !== 'undefined')`);
  assert.deepEqual(receipt.value, []);
});

test('constructor chains from every value the guest can get stay inside the isolate', async () => {
  await using sandbox = new Sandbox({ services: { ping: () => 'pong', obj: () => ({ a: [1] }) } });
  const receipt = await sandbox.run(`${PROBE}
  export default async () => {
    const values = [host, host.ping, host.on, env, console, console.log, await host.ping(), await host.obj(), globalThis, new Error('x'), Promise.resolve(1), host.ping(), async () => {}, function* g() {}];
    for (const [i, v] of values.entries()) {
      check('value' + i, v);
      try { const F = v.constructor.constructor; const g = F('return this')(); check('global' + i, g); if (typeof g.process !== 'undefined') found.push('process via ' + i); } catch {}
      try { const p = Object.getPrototypeOf(v); check('proto' + i, p); check('protoctor' + i, p && p.constructor); } catch {}
    }
    try { await host.ping(...[1, 2, 3]).then((r) => check('then', r)); } catch {}
    return found;
  }`);
  assert.deepEqual(receipt.value, []);
});

test('Error.prepareStackTrace call sites expose no host function, receiver or file', async () => {
  await using sandbox = new Sandbox({ services: { echo: (x: unknown) => x, boom() { throw new Error('host side'); } } });
  const receipt = await sandbox.run(`${PROBE}
  export default async () => {
    const frames = [];
    Error.prepareStackTrace = (err, sites) => {
      for (const s of sites) {
        frames.push(String(s.getFileName()));
        try { check('fn', s.getFunction()); if (s.getFunction()) found.push('function exposed: ' + s.getFunctionName()); } catch {}
        try { check('this', s.getThis()); } catch {}
      }
      return 'custom';
    };
    // Trigger stack capture inside a host call's argument copy (a getter run while cloning).
    try { await host.echo({ get x() { new Error('inner').stack; return 1; } }); } catch {}
    try { await host.boom(); } catch (e) { e.stack; }
    try { console.log({ get y() { return new Error('in console').stack; } }); } catch {}
    new Error('top').stack;
    return { found, files: [...new Set(frames)] };
  }`);
  const value = receipt.value as { found: string[]; files: string[] };
  assert.deepEqual(value.found, []);
  for (const file of value.files) assert.match(file, /^(main\.ts|islet:prelude|islet:entry|undefined|null)$/, file);
});

test('a guest that patches built-in prototypes cannot break console, services or results', async () => {
  await using sandbox = new Sandbox({ services: { add: (a: number, b: number) => a + b } });
  const receipt = await sandbox.run(`
    Array.prototype.push = function () { throw new Error('hijacked push'); };
    Array.prototype[Symbol.iterator] = function () { throw new Error('hijacked iterator'); };
    Promise.prototype.then = function () { throw new Error('hijacked then'); };
    Object.prototype.toString = () => 'hijacked';
    Object.defineProperty(Object.prototype, 'code', { get() { return 'FAKE'; }, configurable: true });
    Function.prototype.call = function () { throw new Error('hijacked call'); };
    Function.prototype.apply = function () { throw new Error('hijacked apply'); };
    Map.prototype.get = function () { throw new Error('hijacked map'); };
    JSON.stringify = () => 'hijacked';
    console.log('still', { ok: [1, 2] });
    export default async () => await host.add(2, 3);
  `);
  assert.equal(receipt.stdout, 'still { ok: [ 1, 2 ] }\n');
  assert.equal(receipt.value, 5);
});

test('proxies handed to the host are cloned or refused, never trusted', async () => {
  const got: unknown[] = [];
  await using sandbox = new Sandbox({ services: { take: (x: unknown) => { got.push(x); return 'ok'; } } });
  const receipt = await sandbox.run(`export default async () => {
    const out = [];
    const trap = new Proxy({}, { get() { throw new Error('trap ran'); }, ownKeys() { throw new Error('keys trap'); } });
    try { out.push(await host.take(trap)); } catch (e) { out.push(e.name); }
    try { out.push(await host.take([new Proxy([], {})])); } catch (e) { out.push(e.name); }
    return out;
  }`);
  assert.deepEqual(receipt.value, ['TypeError', 'TypeError']);
  assert.deepEqual(got, []);
});

test("clocks, eval and Function are the isolate's own; the guest cannot reach the host through them", async () => {
  await using sandbox = new Sandbox();
  const receipt = await sandbox.run(`export default () => [typeof eval('typeof process'), eval('typeof process'), new Function('return typeof require')(), typeof globalThis.host.on]`);
  assert.deepEqual(receipt.value, ['string', 'undefined', 'undefined', 'function']);
});
