import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, handle, type Handle } from '../src/index.ts';
import { failure } from './helpers.ts';

test('services are promises in the guest; arguments and results are copied', async () => {
  const seen: unknown[] = [];
  await using sandbox = new Sandbox({
    services: { kv: { async get(key: string) { return { key, at: new Date(5) }; }, put(value: { n: number[] }) { seen.push(value); value.n.push(99); return 'stored'; } } },
  });
  const receipt = await sandbox.run(`export default async () => {
    const arg = { n: [1, 2] };
    const put = await host.kv.put(arg);
    const got = await host.kv.get('a');
    return [put, arg.n.length, got.key, got.at instanceof Date, typeof host.kv.nope];
  }`);
  assert.deepEqual(receipt.value, ['stored', 2, 'a', true, 'undefined']);
  assert.deepEqual(seen, [{ n: [1, 2, 99] }]);
  assert.equal(receipt.usage.hostCalls, 2);
});

test('a service that throws or rejects becomes a guest Error with code HOST_SERVICE_ERROR, no host stack or paths', async () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => { rejections.push(reason); };
  process.on('unhandledRejection', onRejection);
  try {
    await using sandbox = new Sandbox({
      services: {
        throws() { throw new Error(`ENOENT: no such file, open '/srv/app/secret.json' at ${import.meta.url}`); },
        rejects() { return Promise.reject(new TypeError('bad input in C:\\\\app\\\\x.js')); },
        throwsString() { throw 'plain string'; },
      },
    });
    const receipt = await sandbox.run(`export default async () => {
      const out = [];
      for (const name of ['throws', 'rejects', 'throwsString']) {
        try { await host[name](); } catch (e) { out.push([e instanceof Error, e.code, e.message, String(e.stack)]); }
      }
      return out;
    }`);
    const out = receipt.value as [boolean, string, string, string][];
    for (const [isError, code, message, stack] of out) {
      assert.equal(isError, true);
      assert.equal(code, 'HOST_SERVICE_ERROR');
      assert.doesNotMatch(message + stack, /\/srv\/app|file:|\/work\/|node_modules|services\.test/);
    }
    assert.match(out[0]?.[2] ?? '', /ENOENT: no such file, open '<path>'/);
    // Uncaught, it fails the run with HOST_SERVICE_ERROR.
    const error = await failure(sandbox.run('await host.throws()'));
    assert.equal(error.code, 'HOST_SERVICE_ERROR');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(rejections, []);
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});

test('service results that cannot be cloned reject in the guest instead of failing the host', async () => {
  await using sandbox = new Sandbox({
    services: {
      fn: () => () => 1,
      sab: () => new SharedArrayBuffer(8),
      nestedSab: () => ({ list: [new Map([['k', new Int32Array(new SharedArrayBuffer(8))]])] }),
    },
  });
  const receipt = await sandbox.run(`export default async () => {
    const out = [];
    for (const n of ['fn', 'sab', 'nestedSab']) { try { await host[n](); out.push('resolved'); } catch (e) { out.push(e.name + ':' + e.code); } }
    return [out, typeof SharedArrayBuffer];
  }`);
  assert.deepEqual(receipt.value, [['TypeError:UNCLONEABLE_VALUE', 'TypeError:UNCLONEABLE_VALUE', 'TypeError:UNCLONEABLE_VALUE'], 'undefined']);
});

test('guest arguments that cannot be cloned are a TypeError in the guest', async () => {
  await using sandbox = new Sandbox({ services: { echo: (x: unknown) => x } });
  const receipt = await sandbox.run('export default async () => { try { await host.echo(() => 1) } catch (e) { return e.name } }');
  assert.equal(receipt.value, 'TypeError');
});

function fileServices(log: string[]) {
  return {
    files: {
      open(path: string) { return handle('file', { path }); },
      read(h: Handle<{ path: string }>) { return h.get('file').path; },
      close(h: Handle) { h.close(); log.push('closed'); return true; },
    },
    dirs: { open() { return handle('dir', { entries: 3 }); } },
  };
}

test('handles: returned opaque, resolve to the same host object, kind visible', async () => {
  await using sandbox = new Sandbox({ services: fileServices([]) });
  const receipt = await sandbox.run(`export default async () => {
    const h = await host.files.open('/data/a.txt');
    return [h.kind, Object.keys(h).length, JSON.stringify(h), await host.files.read(h), Object.isFrozen(h)];
  }`);
  assert.deepEqual(receipt.value, ['file', 0, '{}', '/data/a.txt', true]);
});

test('handles: forged, closed, stale and wrong-kind handles are rejected', async () => {
  await using sandbox = new Sandbox({ persistent: true, services: fileServices([]) });
  const receipt = await sandbox.run(`export default async () => {
    const out = {};
    const attempt = async (name, fn) => { try { await fn(); out[name] = 'accepted'; } catch (e) { out[name] = e.name + ':' + (e.code ?? ''); } };
    const h = await host.files.open('/a');
    await attempt('forgedPlain', () => host.files.read({ slot: 0, generation: 1 }));
    await attempt('forgedCtor', () => new h.constructor({}, 0, 1, 'file'));
    await attempt('forgedProto', () => host.files.read(Object.create(Object.getPrototypeOf(h))));
    const d = await host.dirs.open();
    await attempt('wrongKind', () => host.files.read(d));
    await host.files.close(h);
    await attempt('closed', () => host.files.read(h));
    globalThis.saved = await host.files.open('/b');
    return out;
  }`);
  assert.deepEqual(receipt.value, {
    forgedPlain: 'Error:HOST_SERVICE_ERROR',
    forgedCtor: 'TypeError:',
    forgedProto: 'Error:HOST_SERVICE_ERROR',
    wrongKind: 'TypeError:HANDLE_INVALID',
    closed: 'TypeError:HANDLE_INVALID',
  });
  const stale = await sandbox.run('export default async () => { try { await host.files.read(saved); return "accepted"; } catch (e) { return e.code; } }');
  assert.equal(stale.value, 'HANDLE_INVALID');
});

test('shared memory cannot reach the guest through env, args or messages', async () => {
  assert.throws(() => new Sandbox({ env: { deep: { buf: new SharedArrayBuffer(4) } } }), { code: 'INVALID_OPTIONS', option: 'env.deep' });
  await using sandbox = new Sandbox({ persistent: true });
  await assert.rejects(sandbox.run('export default (x) => x', { args: [[new SharedArrayBuffer(4)]] }), { code: 'INVALID_OPTIONS', option: 'args' });
  await sandbox.run('host.on("m", () => {})');
  await assert.rejects(sandbox.send('m', { b: new SharedArrayBuffer(4) }), { code: 'UNCLONEABLE_VALUE' });
});

test('messaging: host and persistent guest exchange copied messages', async () => {
  await using sandbox = new Sandbox({ persistent: true });
  const got: unknown[] = [];
  sandbox.on('pong', (data) => got.push(data));
  await sandbox.run('host.on("ping", (d) => { d.n += 1; host.emit("pong", d); }); host.emit("ready", null);');
  const data = { n: 1 };
  await sandbox.send('ping', data);
  await sandbox.send('ping', { n: 10 });
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(got, [{ n: 2 }, { n: 11 }]);
  assert.deepEqual(data, { n: 1 });
  await assert.rejects(new Sandbox().send('x'), { code: 'INVALID_STATE' });
});
