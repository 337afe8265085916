/**
 * Verifies a prelude snapshot in a throwaway process: isolates and contexts start from it, the
 * prelude boots, the standard library works (including the Streams module, which a context makes
 * on first use, compiling code the snapshot holds uncompiled), and nothing crashes. Prints "canary ok" on success.
 *   node --no-node-snapshot snapshot-canary.ts <snapshot file> <boot global> <number of host functions boot takes before its init record>
 */
import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';

const file = process.argv[2];
const bootGlobal = process.argv[3];
const bootArgs = Number(process.argv[4]);
if (file === undefined || bootGlobal === undefined || !Number.isInteger(bootArgs)) process.exit(2);
const bytes = readFileSync(file);
const snapshot = new ivm.ExternalCopy(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const results: string[] = [];
for (let i = 0; i < 2; i++) {
  const isolate = new ivm.Isolate({ memoryLimit: 64, snapshot });
  for (let j = 0; j < 2; j++) {
    const context = isolate.createContextSync();
    const boot = context.global.getSync(bootGlobal, { reference: true }) as ivm.Reference<(...args: unknown[]) => unknown>;
    const op = () => [true, null];
    const ops = Array.from({ length: bootArgs }, () => new ivm.Callback(op));
    boot.applySync(undefined, [...ops, new ivm.ExternalCopy({ services: [], env: {} }).copyInto()], { result: { reference: true } });
    results.push(String(context.evalSync(`[typeof globalThis[${JSON.stringify(bootGlobal)}], typeof host, new TextDecoder().decode(new TextEncoder().encode('ok')), new URLSearchParams('a=1').get('a'), typeof Math.random(), typeof new ReadableStream().getReader, new Response('x').body instanceof ReadableStream].join(',')`, { timeout: 5000 })));
    context.release();
  }
  isolate.dispose();
}
if (results.every((r) => r === 'undefined,object,ok,1,number,function,true')) console.log('canary ok');
else console.log(`canary failed: ${results.join(' | ')}`);
