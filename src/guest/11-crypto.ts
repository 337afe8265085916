/** crypto.getRandomValues and crypto.randomUUID (https://w3c.github.io/webcrypto/#crypto-interface), from the host's CSPRNG. */
import type { GuestOps } from '../bridge/protocol.ts';
import { ArrayPrototypeIndexOf, ObjectDefineProperty, StringPrototypeSlice, TypedArrayPrototypeGetLength, TypedArrayPrototypeGetToStringTag, TypedArrayPrototypeSet, TypeErrorCtor } from './00-primordials.ts';
import { DOMException } from './01-dom-exception.ts';
import { bufferSourceBytes } from './06-encoding.ts';

let op: GuestOps['op_random_fill'];
/** Connects crypto to the host's random source (called by boot). */
export function setRandomOp(fn: GuestOps['op_random_fill']): void { op = fn; }

const INTEGER_ARRAYS = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];
const HEX = '0123456789abcdef';
const CONSTRUCT = {};
let subtleInstance: unknown;
/** Sets the object crypto.subtle returns (20-subtle registers it; it imports this module). */
export function setSubtle(subtle: unknown): void { subtleInstance = subtle; }

/** `length` bytes from the host's CSPRNG (what getRandomValues fills arrays with). */
export function getRandomBytes(length: number): Uint8Array { return randomBytes(length); }

function randomBytes(length: number): Uint8Array {
  const result = op(length);
  if (result[0] !== true) throw new DOMException(result[1], 'OperationError');
  return result[1];
}

/** https://w3c.github.io/webcrypto/#crypto-interface */
export class Crypto {
  constructor(token?: unknown) { if (token !== CONSTRUCT) throw new TypeErrorCtor('Illegal constructor'); }

  getRandomValues<T extends ArrayBufferView | null>(array: T): T {
    const tag = array === null ? undefined : TypedArrayPrototypeGetToStringTag(array);
    if (tag === undefined || ArrayPrototypeIndexOf(INTEGER_ARRAYS, tag) === -1) {
      throw new DOMException("Failed to execute 'getRandomValues' on 'Crypto': The provided ArrayBufferView is of type '" + (tag ?? typeof array) + "', which is not an integer array type.", 'TypeMismatchError');
    }
    const view = bufferSourceBytes(array, "Failed to execute 'getRandomValues' on 'Crypto'");
    const size = TypedArrayPrototypeGetLength(view);
    if (size > 65536) {
      throw new DOMException(`Failed to execute 'getRandomValues' on 'Crypto': The ArrayBufferView's byte length (${size}) exceeds the number of bytes of entropy available via this API (65536).`, 'QuotaExceededError');
    }
    TypedArrayPrototypeSet(view, randomBytes(size));
    return array;
  }

  /** https://w3c.github.io/webcrypto/#dom-crypto-subtle */
  get subtle(): unknown { return subtleInstance; }

  randomUUID(): string {
    const b = randomBytes(16);
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    let hex = '';
    for (let i = 0; i < 16; i++) hex += (HEX[(b[i] as number) >> 4] as string) + (HEX[(b[i] as number) & 15] as string);
    return `${StringPrototypeSlice(hex, 0, 8)}-${StringPrototypeSlice(hex, 8, 12)}-${StringPrototypeSlice(hex, 12, 16)}-${StringPrototypeSlice(hex, 16, 20)}-${StringPrototypeSlice(hex, 20)}`;
  }

}
ObjectDefineProperty(Crypto.prototype, Symbol.toStringTag, { value: 'Crypto', configurable: true });

/** A Crypto instance (the global `crypto`, and one the body code uses for boundaries). */
export function createCrypto(): Crypto { return new Crypto(CONSTRUCT); }
