/** Host halves of the guest's Web APIs that need the host: URL parsing and random bytes. */
import { randomFillSync } from 'node:crypto';
import type { OpResult, UrlParts } from './protocol.ts';
import { validPunycodeLabels } from './idna.ts';

/** Longest URL string the parser ops accept (browsers cap URLs at about 2 MB). */
export const MAX_URL_LENGTH = 8 * 1024 * 1024;
const URL_FIELDS = new Set(['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']);

/** Schemes whose hosts are domains (the URL standard's special schemes). */
const SPECIAL = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

/** Node's parser, plus the IDNA label checks it leaves out. */
function parseChecked(input: string, base?: string): URL | null {
  const url = URL.parse(input, base);
  if (url === null) return null;
  if (SPECIAL.has(url.protocol) && url.hostname.includes('xn--') && !validPunycodeLabels(url.hostname)) return null;
  return url;
}

function parts(url: URL): UrlParts {
  return [url.href, url.origin, url.protocol, url.username, url.password, url.host, url.hostname, url.port, url.pathname, url.search, url.hash];
}

/** op_url_parse: the WHATWG URL parser (Node's, ada) over plain strings. */
export function urlParse(input: unknown, base: unknown): OpResult<UrlParts | null> {
  if (typeof input !== 'string' || (base !== undefined && typeof base !== 'string')) return [false, 'URL input must be a string'];
  if (input.length > MAX_URL_LENGTH || (base?.length ?? 0) > MAX_URL_LENGTH) return [false, `URL longer than ${MAX_URL_LENGTH} characters`];
  const url = parseChecked(input, base);
  return [true, url === null ? null : parts(url)];
}

/** op_url_set: applies one URL setter with the spec's semantics (invalid values are ignored, except href). */
export function urlSet(href: unknown, field: unknown, value: unknown): OpResult<UrlParts | null> {
  if (typeof href !== 'string' || typeof field !== 'string' || typeof value !== 'string' || !URL_FIELDS.has(field)) return [false, 'invalid URL update'];
  if (value.length > MAX_URL_LENGTH) return [false, `URL longer than ${MAX_URL_LENGTH} characters`];
  if (field === 'href') {
    const url = parseChecked(value);
    return [true, url === null ? null : parts(url)];
  }
  const url = URL.parse(href);
  if (url === null) return [true, null];
  const before = parts(url);
  (url as unknown as Record<string, string>)[field] = value;
  // A host setter that produced an invalid IDNA label is ignored, as invalid host input is.
  if (SPECIAL.has(url.protocol) && !validPunycodeLabels(url.hostname)) return [true, before];
  return [true, parts(url)];
}

/** op_random_fill: up to 65536 bytes from the CSPRNG. */
export function randomFill(length: unknown): OpResult<Uint8Array> {
  if (!Number.isSafeInteger(length) || (length as number) < 0 || (length as number) > 65536) return [false, 'invalid length'];
  return [true, randomFillSync(new Uint8Array(length as number))];
}
