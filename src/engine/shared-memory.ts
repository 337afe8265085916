/**
 * Guests get no shared memory: a SharedArrayBuffer copied in would share its bytes with the host
 * and hand the guest the SharedArrayBuffer constructor the prelude removed. isolated-vm copies
 * them as shared, so every value is checked before it is copied into an isolate.
 */

/** Whether `value` holds a SharedArrayBuffer anywhere (own data properties, arrays, maps, sets, views). */
export function containsSharedMemory(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const seen = new Set<object>();
  const stack: object[] = [value];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node instanceof SharedArrayBuffer) return true;
    if (ArrayBuffer.isView(node)) {
      if (node.buffer instanceof SharedArrayBuffer) return true;
      continue;
    }
    if (node instanceof ArrayBuffer) continue;
    if (node instanceof Map) {
      for (const [k, v] of node) { push(stack, k); push(stack, v); }
      continue;
    }
    if (node instanceof Set) {
      for (const v of node) push(stack, v);
      continue;
    }
    for (const key of Object.keys(node)) {
      const desc = Object.getOwnPropertyDescriptor(node, key);
      if (desc !== undefined && 'value' in desc) push(stack, desc.value);
    }
  }
  return false;
}

function push(stack: object[], value: unknown): void {
  if (value !== null && typeof value === 'object') stack.push(value);
}
