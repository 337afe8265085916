/**
 * crypto.subtle (https://w3c.github.io/webcrypto/#subtlecrypto-interface) on the host's WebCrypto.
 * A CryptoKey here is an opaque reference to a key that stays on the host.
 */
import type { GuestOps } from '../bridge/protocol.ts';
import {
  ArrayBufferIsView, ArrayIsArray, MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, ObjectDefineProperty, ObjectFreeze,
  PromiseCtor, ReflectOwnKeys, SafeMap, TypeErrorCtor, TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetLength, TypedArrayPrototypeGetToStringTag,
  TypedArrayPrototypeSet, Uint8ArrayCtor,
} from './00-primordials.ts';
import { DOMException } from './01-dom-exception.ts';
import { bufferSourceBytes, isArrayBuffer } from './06-encoding.ts';
import { setSubtle } from './11-crypto.ts';

let ops: GuestOps;
/** Connects crypto.subtle to the host op (called at boot). */
export function setSubtleOps(o: GuestOps): void { ops = o; }

interface WireKey { $key: number; type: string; extractable: boolean; algorithm: unknown; usages: string[] }
const CONSTRUCT = {};
let keyId: (key: CryptoKey) => number;
let isKey: (value: unknown) => value is CryptoKey;

/** https://w3c.github.io/webcrypto/#cryptokey-interface */
export class CryptoKey {
  readonly #id: number;
  readonly #type: string;
  readonly #extractable: boolean;
  readonly #algorithm: unknown;
  readonly #usages: string[];
  constructor(token: unknown, wire?: WireKey) {
    if (token !== CONSTRUCT || wire === undefined) throw new TypeErrorCtor('Illegal constructor');
    this.#id = wire.$key;
    this.#type = wire.type;
    this.#extractable = wire.extractable;
    this.#algorithm = ObjectFreeze(wire.algorithm as object);
    this.#usages = ObjectFreeze(wire.usages) as string[];
  }
  static {
    keyId = (key) => key.#id;
    isKey = (value): value is CryptoKey => typeof value === 'object' && value !== null && #id in value;
  }
  get type(): string { return this.#type; }
  get extractable(): boolean { return this.#extractable; }
  get algorithm(): unknown { return this.#algorithm; }
  get usages(): string[] { return this.#usages; }
}
ObjectDefineProperty(CryptoKey.prototype, Symbol.toStringTag, { value: 'CryptoKey', configurable: true });

function copyBytes(value: unknown): Uint8Array {
  const src = bufferSourceBytes(value, 'crypto.subtle');
  const out = new Uint8ArrayCtor(TypedArrayPrototypeGetLength(src));
  TypedArrayPrototypeSet(out, src);
  return out;
}

/** Encodes an argument: keys by id, buffers as bytes, dictionaries member by member. */
function encode(value: unknown, depth = 0): unknown {
  if (isKey(value)) return { $key: keyId(value) };
  if (ArrayBufferIsView(value) || isArrayBuffer(value)) return copyBytes(value);
  if (typeof value !== 'object' || value === null || depth > 3) return value;
  if (ArrayIsArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out[i] = encode(value[i], depth + 1);
    return out;
  }
  const out: Record<string, unknown> = {};
  const keys = ReflectOwnKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (typeof k === 'string' && k !== '$key') out[k] = encode((value as Record<string, unknown>)[k], depth + 1);
  }
  return out;
}

function decode(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const v = value as Record<string, unknown>;
  if (typeof v['$key'] === 'number') return new CryptoKey(CONSTRUCT, v as unknown as WireKey);
  if (TypedArrayPrototypeGetToStringTag(value) === 'Uint8Array') return TypedArrayPrototypeGetBuffer(value);
  if (v['privateKey'] !== undefined && v['publicKey'] !== undefined) return { privateKey: decode(v['privateKey']), publicKey: decode(v['publicKey']) };
  return value;
}

interface Pending { resolve(v: unknown): void; reject(e: unknown): void }
const pending = new SafeMap<number, Pending>();

function call(operation: string, args: unknown[]): Promise<unknown> {
  let encoded: unknown[];
  try {
    encoded = [];
    for (let i = 0; i < args.length; i++) encoded[i] = encode(args[i]);
  } catch (error) {
    return PromiseCtor.reject(error);
  }
  let started;
  try {
    started = ops.op_subtle(operation, encoded);
  } catch {
    return PromiseCtor.reject(new TypeErrorCtor(`crypto.subtle.${operation}: an argument could not be copied`));
  }
  if (started[0] !== true) return PromiseCtor.reject(new TypeErrorCtor(`crypto.subtle.${operation}: ${started[1]}`));
  const id = started[1];
  return new PromiseCtor((resolve, reject) => { MapPrototypeSet(pending, id, { resolve, reject }); });
}

/** Settles a subtle call (called by the dispatcher). */
export function onSubtleResult(id: number, ok: boolean, payload: unknown): void {
  const p = MapPrototypeGet(pending, id) as Pending | undefined;
  if (p === undefined) return;
  MapPrototypeDelete(pending, id);
  if (ok) { p.resolve(decode(payload)); return; }
  const e = payload as { name: string; message: string };
  p.reject(e.name === 'TypeError' ? new TypeErrorCtor(e.message) : new DOMException(e.message, e.name));
}

/** https://w3c.github.io/webcrypto/#subtlecrypto-interface */
export class SubtleCrypto {
  constructor(token?: unknown) { if (token !== CONSTRUCT) throw new TypeErrorCtor('Illegal constructor'); }
  digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> { return call('digest', [algorithm, data]) as Promise<ArrayBuffer>; }
  generateKey(algorithm: unknown, extractable: boolean, usages: string[]): Promise<unknown> { return call('generateKey', [algorithm, !!extractable, usages]); }
  importKey(format: string, keyData: unknown, algorithm: unknown, extractable: boolean, usages: string[]): Promise<CryptoKey> { return call('importKey', [format, keyData, algorithm, !!extractable, usages]) as Promise<CryptoKey>; }
  exportKey(format: string, key: CryptoKey): Promise<unknown> { return call('exportKey', [format, key]); }
  sign(algorithm: unknown, key: CryptoKey, data: unknown): Promise<ArrayBuffer> { return call('sign', [algorithm, key, data]) as Promise<ArrayBuffer>; }
  verify(algorithm: unknown, key: CryptoKey, signature: unknown, data: unknown): Promise<boolean> { return call('verify', [algorithm, key, signature, data]) as Promise<boolean>; }
  encrypt(algorithm: unknown, key: CryptoKey, data: unknown): Promise<ArrayBuffer> { return call('encrypt', [algorithm, key, data]) as Promise<ArrayBuffer>; }
  decrypt(algorithm: unknown, key: CryptoKey, data: unknown): Promise<ArrayBuffer> { return call('decrypt', [algorithm, key, data]) as Promise<ArrayBuffer>; }
  deriveBits(algorithm: unknown, baseKey: CryptoKey, length?: number | null): Promise<ArrayBuffer> { return call('deriveBits', [algorithm, baseKey, length ?? null]) as Promise<ArrayBuffer>; }
  deriveKey(algorithm: unknown, baseKey: CryptoKey, derivedKeyType: unknown, extractable: boolean, usages: string[]): Promise<CryptoKey> {
    return call('deriveKey', [algorithm, baseKey, derivedKeyType, !!extractable, usages]) as Promise<CryptoKey>;
  }
  wrapKey(format: string, key: CryptoKey, wrappingKey: CryptoKey, algorithm: unknown): Promise<ArrayBuffer> { return call('wrapKey', [format, key, wrappingKey, algorithm]) as Promise<ArrayBuffer>; }
  unwrapKey(format: string, wrapped: unknown, unwrappingKey: CryptoKey, unwrapAlgorithm: unknown, unwrappedKeyAlgorithm: unknown, extractable: boolean, usages: string[]): Promise<CryptoKey> {
    return call('unwrapKey', [format, wrapped, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, !!extractable, usages]) as Promise<CryptoKey>;
  }
}
ObjectDefineProperty(SubtleCrypto.prototype, Symbol.toStringTag, { value: 'SubtleCrypto', configurable: true });

setSubtle(new SubtleCrypto(CONSTRUCT));
