// A guest that goes looking for the host. Everything it finds is the isolate's own.
const found = {
  process: typeof process,
  require: typeof require,
  SharedArrayBuffer: typeof SharedArrayBuffer,
  fnCtorProcess: (() => { try { return typeof Function('return process')(); } catch (e) { return e.name; } })(),
  importFs: await import('node:fs').then(() => 'loaded', (e) => e.name),
};
console.log(found);
throw new Error('guests that throw get exit code 1 and a guest-only stack');
