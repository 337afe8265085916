/** atob and btoa (https://html.spec.whatwg.org/multipage/webappapis.html#atob), forgiving-base64. */
import { ArrayPrototypeJoin, ArrayPrototypePush, StringCtor, StringFromCharCode, StringPrototypeCharCodeAt, TypeErrorCtor } from './00-primordials.ts';
import { DOMException } from './01-dom-exception.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[StringPrototypeCharCodeAt(ALPHABET, i)] = i;
  return table;
})();

/** Encodes a string of code points <= 0xFF as base64. */
export function btoa(data: unknown): string {
  if (arguments.length === 0) throw new TypeErrorCtor("Failed to execute 'btoa': 1 argument required, but only 0 present.");
  const s = StringCtor(data);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += 3) {
    const a = StringPrototypeCharCodeAt(s, i);
    const b = i + 1 < s.length ? StringPrototypeCharCodeAt(s, i + 1) : 0;
    const c = i + 2 < s.length ? StringPrototypeCharCodeAt(s, i + 2) : 0;
    if (a > 0xff || b > 0xff || c > 0xff) {
      throw new DOMException("Failed to execute 'btoa': The string to be encoded contains characters outside of the Latin1 range.", 'InvalidCharacterError');
    }
    const n = (a << 16) | (b << 8) | c;
    ArrayPrototypePush(out, ALPHABET[n >> 18] as string, ALPHABET[(n >> 12) & 63] as string,
      i + 1 < s.length ? ALPHABET[(n >> 6) & 63] as string : '=', i + 2 < s.length ? ALPHABET[n & 63] as string : '=');
  }
  return ArrayPrototypeJoin(out, '');
}

/** Decodes base64 (ASCII whitespace ignored, padding optional) to a string of code points <= 0xFF. */
export function atob(data: unknown): string {
  if (arguments.length === 0) throw new TypeErrorCtor("Failed to execute 'atob': 1 argument required, but only 0 present.");
  const input = StringCtor(data);
  const codes: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const c = StringPrototypeCharCodeAt(input, i);
    if (c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20) continue;
    ArrayPrototypePush(codes, c);
  }
  let length = codes.length;
  if (length % 4 === 0 && length > 0 && codes[length - 1] === 0x3d) {
    length -= 1;
    if (codes[length - 1] === 0x3d) length -= 1;
  }
  const fail = () => new DOMException("Failed to execute 'atob': The string to be decoded is not correctly encoded.", 'InvalidCharacterError');
  if (length % 4 === 1) throw fail();
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < length; i++) {
    const c = codes[i] as number;
    const v = c < 128 ? (DECODE[c] as number) : -1;
    if (v < 0) throw fail();
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += StringFromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}
