/**
 * The host half of crypto.subtle: the guest's calls run on Node's WebCrypto, and keys stay on the
 * host. A guest CryptoKey is an opaque id into this table plus copied metadata (type, algorithm,
 * extractable, usages); key material crosses only through exportKey of an extractable key.
 */
import { webcrypto } from 'node:crypto';

type HostKey = webcrypto.CryptoKey;

/** A key as the guest sees it. */
export interface WireKey { $key: number; type: string; extractable: boolean; algorithm: unknown; usages: string[] }

const OPERATIONS = new Set(['digest', 'generateKey', 'importKey', 'exportKey', 'sign', 'verify', 'encrypt', 'decrypt', 'deriveBits', 'deriveKey', 'wrapKey', 'unwrapKey']);
const MAX_KEYS = 10_000;

/** A WebCrypto failure as the guest sees it: a DOMException (or TypeError) name and a message. */
export interface SubtleError { name: string; message: string }

/** Keys and operations for one context. */
export class SubtleHost {
  readonly #keys = new Map<number, HostKey>();
  #next = 0;

  /** Runs one SubtleCrypto operation with guest arguments (keys as { $key: id }). */
  async run(operation: unknown, args: unknown): Promise<unknown> {
    if (typeof operation !== 'string' || !OPERATIONS.has(operation) || !Array.isArray(args) || args.length > 8) {
      throw { name: 'TypeError', message: 'invalid crypto.subtle call' } satisfies SubtleError;
    }
    const decoded = args.map((a) => this.#decode(a));
    const subtle = webcrypto.subtle as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const fn = subtle[operation];
    if (fn === undefined) throw { name: 'NotSupportedError', message: `crypto.subtle.${operation} is not supported` } satisfies SubtleError;
    let result: unknown;
    try {
      result = await Reflect.apply(fn, webcrypto.subtle, decoded);
    } catch (error) {
      const e = error as { name?: unknown; message?: unknown };
      throw { name: typeof e.name === 'string' ? e.name : 'OperationError', message: typeof e.message === 'string' ? e.message : 'The operation failed' } satisfies SubtleError;
    }
    return this.#encode(result);
  }

  /** Forgets every key (the context is gone). */
  clear(): void { this.#keys.clear(); }

  #decode(value: unknown, depth = 0): unknown {
    if (depth > 4 || value === null || typeof value !== 'object') return value;
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
    if (Array.isArray(value)) return value.map((v) => this.#decode(v, depth + 1));
    const record = value as Record<string, unknown>;
    if (typeof record['$key'] === 'number' && Object.keys(record).length === 1) {
      const key = this.#keys.get(record['$key']);
      if (key === undefined) throw { name: 'InvalidAccessError', message: 'The CryptoKey is not valid in this sandbox' } satisfies SubtleError;
      return key;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) out[k] = this.#decode(v, depth + 1);
    return out;
  }

  #encode(value: unknown): unknown {
    if (value instanceof globalThis.CryptoKey) return this.#wrap(value as HostKey);
    if (value !== null && typeof value === 'object' && 'privateKey' in value && 'publicKey' in value) {
      const pair = value as webcrypto.CryptoKeyPair;
      return { privateKey: this.#wrap(pair.privateKey), publicKey: this.#wrap(pair.publicKey) };
    }
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    return value; // booleans (verify), JWK objects (exportKey "jwk")
  }

  #wrap(key: HostKey): WireKey {
    if (this.#keys.size >= MAX_KEYS) throw { name: 'QuotaExceededError', message: `More than ${MAX_KEYS} CryptoKeys in one sandbox context` } satisfies SubtleError;
    const id = ++this.#next;
    this.#keys.set(id, key);
    return { $key: id, type: key.type, extractable: key.extractable, algorithm: structuredClone(key.algorithm), usages: [...key.usages] };
  }
}
