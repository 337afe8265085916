// The in-guest test harness: guest test files import it, register tests, and export `run`.
// It runs inside the sandbox, so it relies only on what guests get.
type Fn = () => unknown;
const tests: [string, Fn][] = [];

export function test(name: string, fn: Fn): void { tests.push([name, fn]); }

export interface Result { name: string; ok: boolean; error?: string }

export async function run(): Promise<Result[]> {
  const results: Result[] = [];
  for (const [name, fn] of tests) {
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (error) {
      const e = error as { stack?: unknown };
      results.push({ name, ok: false, error: typeof e?.stack === 'string' ? e.stack : String(error) });
    }
  }
  return results;
}

function show(v: unknown): string {
  try { return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? String(v); } catch { return String(v); }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, v]) => b.has(k) && deepEqual(v, b.get(k)));
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((v) => b.has(v));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export const assert = {
  ok(value: unknown, message = 'expected a truthy value'): void { if (!value) throw new Error(message); },
  equal(actual: unknown, expected: unknown, message = ''): void {
    if (!Object.is(actual, expected)) throw new Error(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  },
  deepEqual(actual: unknown, expected: unknown, message = ''): void {
    if (!deepEqual(actual, expected)) throw new Error(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  },
  throws(fn: () => unknown, check: (e: any) => boolean, message = ''): void {
    try { fn(); } catch (e) { if (!check(e)) throw new Error(`${message} threw the wrong error: ${String(e)}`); return; }
    throw new Error(`${message} did not throw`);
  },
  async rejects(p: Promise<unknown> | (() => Promise<unknown>), check: (e: any) => boolean, message = ''): Promise<void> {
    try { await (typeof p === 'function' ? p() : p); } catch (e) { if (!check(e)) throw new Error(`${message} rejected with the wrong error: ${String(e)}`); return; }
    throw new Error(`${message} did not reject`);
  },
};
