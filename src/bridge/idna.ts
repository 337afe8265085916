/**
 * Checks Node's URL parser (ada) leaves out: a host label written as "xn--..." must decode (RFC 3492
 * Punycode) to a label that UTS #46 would accept: not empty, not all ASCII, in NFC, not starting
 * with a combining mark, and made of code points IDNA maps to themselves (approximated by NFKC +
 * lower case). https://url.spec.whatwg.org/#concept-domain-to-ascii, https://www.unicode.org/reports/tr46/
 */

const BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, INITIAL_BIAS = 72, INITIAL_N = 128;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - TMIN) * TMAX) >> 1) { d = Math.floor(d / (BASE - TMIN)); k += BASE; }
  return k + Math.floor(((BASE - TMIN + 1) * d) / (d + SKEW));
}

function digit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 22;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61;
  return -1;
}

/** Decodes a Punycode string (without "xn--"); null when it is malformed. */
export function punycodeDecode(input: string): string | null {
  const out: number[] = [];
  const lastDash = input.lastIndexOf('-');
  for (let i = 0; i < Math.max(0, lastDash); i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x80) return null;
    out.push(c);
  }
  let n = INITIAL_N, bias = INITIAL_BIAS, i = 0;
  for (let pos = lastDash > 0 ? lastDash + 1 : 0; pos < input.length;) {
    const oldi = i;
    for (let w = 1, k = BASE; ; k += BASE) {
      if (pos >= input.length) return null;
      const d = digit(input.charCodeAt(pos++));
      if (d < 0 || d > Math.floor((0x7fffffff - i) / w)) return null;
      i += d * w;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (d < t) break;
      if (w > Math.floor(0x7fffffff / (BASE - t))) return null;
      w *= BASE - t;
    }
    bias = adapt(i - oldi, out.length + 1, oldi === 0);
    if (Math.floor(i / (out.length + 1)) > 0x10ffff - n) return null;
    n += Math.floor(i / (out.length + 1));
    i %= out.length + 1;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    out.splice(i++, 0, n);
  }
  return String.fromCodePoint(...out);
}

/** Whether every "xn--" label of a domain decodes to a label UTS #46 accepts. */
export function validPunycodeLabels(hostname: string): boolean {
  for (const label of hostname.split('.')) {
    if (!label.toLowerCase().startsWith('xn--')) continue;
    const decoded = punycodeDecode(label.slice(4));
    if (decoded === null || decoded === '' || /^[\x00-\x7f]*$/.test(decoded)) return false;
    if (decoded.normalize('NFC') !== decoded || /^\p{M}/u.test(decoded)) return false;
    if (decoded.normalize('NFKC').toLowerCase() !== decoded) return false;
  }
  return true;
}
