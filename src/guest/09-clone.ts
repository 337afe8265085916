/** structuredClone (https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone). */
import type { GuestOps } from '../bridge/protocol.ts';
import { ArrayBufferPrototypeGetDetached, ArrayBufferPrototypeTransfer, ArrayPrototypeIndexOf, ArrayPrototypePush, TypeErrorCtor } from './00-primordials.ts';
import { DOMException } from './01-dom-exception.ts';
import { isArrayBuffer } from './06-encoding.ts';

let op: GuestOps['op_clone'];
/** Connects structuredClone to the host's V8 serializer round trip (called by boot). */
export function setCloneOp(fn: GuestOps['op_clone']): void { op = fn; }

/** Deep-copies `value` with V8's serializer (the one browsers use); `transfer` detaches ArrayBuffers. */
export function structuredClone(value: unknown, options?: { transfer?: Iterable<unknown> }): unknown {
  if (arguments.length === 0) throw new TypeErrorCtor("Failed to execute 'structuredClone': 1 argument required, but only 0 present.");
  const buffers: ArrayBuffer[] = [];
  if (options !== undefined && options !== null && options.transfer !== undefined) {
    for (const item of options.transfer) {
      if (!isArrayBuffer(item)) {
        throw new DOMException("Failed to execute 'structuredClone': Value at index 0 does not have a transferable type.", 'DataCloneError');
      }
      if (ArrayPrototypeIndexOf(buffers, item) !== -1) throw new DOMException('ArrayBuffer at index 1 is a duplicate of an earlier ArrayBuffer.', 'DataCloneError');
      if (ArrayBufferPrototypeGetDetached(item)) throw new DOMException('An ArrayBuffer is detached and could not be cloned.', 'DataCloneError');
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
  for (let i = 0; i < buffers.length; i++) ArrayBufferPrototypeTransfer(buffers[i] as ArrayBuffer);
  return result[1];
}
