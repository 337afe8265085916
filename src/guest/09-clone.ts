/** structuredClone (https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone). */
import type { GuestOps } from '../bridge/protocol.ts';
import { ArrayPrototypeIndexOf, ArrayPrototypePush, ObjectPrototypeToString, ReflectApply } from './00-primordials.ts';
import { DOMException } from './01-dom-exception.ts';

let op: GuestOps['op_clone'];
/** Connects structuredClone to the host's V8 serializer round trip (called by boot). */
export function setCloneOp(fn: GuestOps['op_clone']): void { op = fn; }

const transfer = (ArrayBuffer.prototype as { transfer?: (this: ArrayBuffer) => ArrayBuffer }).transfer;
const detached = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'detached')?.get;

/** Deep-copies `value` with V8's serializer (the one browsers use); `transfer` detaches ArrayBuffers. */
export function structuredClone(value: unknown, options?: { transfer?: Iterable<unknown> }): unknown {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'structuredClone': 1 argument required, but only 0 present.");
  const buffers: ArrayBuffer[] = [];
  if (options !== undefined && options !== null && options.transfer !== undefined) {
    for (const item of options.transfer) {
      if (ObjectPrototypeToString(item) !== '[object ArrayBuffer]') {
        throw new DOMException("Failed to execute 'structuredClone': Value at index 0 does not have a transferable type.", 'DataCloneError');
      }
      if (ArrayPrototypeIndexOf(buffers, item) !== -1) throw new DOMException('ArrayBuffer at index 1 is a duplicate of an earlier ArrayBuffer.', 'DataCloneError');
      if (detached !== undefined && ReflectApply(detached, item, []) === true) throw new DOMException('An ArrayBuffer is detached and could not be cloned.', 'DataCloneError');
      ArrayPrototypePush(buffers, item as ArrayBuffer);
    }
  }
  let result;
  try {
    result = op(value);
  } catch (error) {
    const message = typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
      ? (error as { message: string }).message : 'The value could not be cloned.';
    throw new DOMException(message, 'DataCloneError');
  }
  if (result[0] !== true) throw new DOMException(result[1], 'DataCloneError');
  if (transfer !== undefined) for (let i = 0; i < buffers.length; i++) ReflectApply(transfer, buffers[i], []);
  return result[1];
}
