/**
 * The egress policy of a sandbox's fetch: which hosts and ports a guest may reach, and which
 * addresses are never reachable (loopback, private, link-local, unique-local, CGNAT, cloud
 * metadata, multicast, unspecified) unless an explicit CIDR allows them. The address check runs
 * on the address actually connected to, so a name that resolves (or re-resolves) to a forbidden
 * address is refused: DNS rebinding cannot bypass it.
 */
import { BlockList, isIP } from 'node:net';
import { invalidOption } from '../../errors.ts';

/** The `fetch` option of a Sandbox. */
export interface FetchOptions {
  /** Host patterns the guest may fetch: "api.example.com", "*.example.com", optionally ":port". */
  allow?: readonly string[];
  /** CIDRs that are reachable even though they are private ("127.0.0.1/32", "10.0.0.0/8"). */
  allowCidrs?: readonly string[];
  /** Subrequests per run (default 50). */
  maxSubrequests?: number;
  /** Request body bytes per subrequest (default 10 MiB). */
  maxRequestBytes?: number;
  /** Response body bytes per subrequest (default 100 MiB). */
  maxResponseBytes?: number;
  /** Time for one subrequest, connect to last byte (default 30 s). */
  timeoutMs?: number;
}

/** A validated fetch policy (plain data: it crosses into worker processes). */
export interface EgressPolicy {
  allow: { host: string; wildcard: boolean; port: number | null }[];
  allowCidrs: string[];
  maxSubrequests: number;
  maxRequestBytes: number;
  maxResponseBytes: number;
  timeoutMs: number;
}

/** The defaults, documented in README.md. */
export const FETCH_DEFAULTS = { maxSubrequests: 50, maxRequestBytes: 10 * 1024 * 1024, maxResponseBytes: 100 * 1024 * 1024, timeoutMs: 30_000 } as const;

const FETCH_KEYS = new Set(['allow', 'allowCidrs', 'maxSubrequests', 'maxRequestBytes', 'maxResponseBytes', 'timeoutMs']);
const HOST_PATTERN = /^(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\]|\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/;

/** Validates the `fetch` option; undefined means no egress at all. */
export function resolveFetchOptions(input: unknown, name = 'fetch'): EgressPolicy | undefined {
  if (input === undefined) return undefined;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalidOption(name, 'expected an object like { allow: ["api.example.com"] }');
  for (const key of Object.keys(input)) {
    if (!FETCH_KEYS.has(key)) throw invalidOption(`${name}.${key}`, `unknown option; known options are ${[...FETCH_KEYS].join(', ')}`);
  }
  const o = input as FetchOptions;
  const allow: EgressPolicy['allow'] = [];
  if (o.allow !== undefined) {
    if (!Array.isArray(o.allow)) throw invalidOption(`${name}.allow`, 'expected an array of host patterns');
    o.allow.forEach((raw: unknown, i: number) => {
      const pattern = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      const m = HOST_PATTERN.exec(pattern);
      const port = m?.[3] === undefined ? null : Number(m[3]);
      if (m === null || (port !== null && (port < 1 || port > 65535))) {
        throw invalidOption(`${name}.allow[${i}]`, `"${String(raw)}" is not a host pattern; use "api.example.com", "*.example.com" or "api.example.com:8443"`);
      }
      allow.push({ host: (m[2] as string).replace(/^\[|\]$/g, ''), wildcard: m[1] !== undefined, port });
    });
  }
  const allowCidrs: string[] = [];
  if (o.allowCidrs !== undefined) {
    if (!Array.isArray(o.allowCidrs)) throw invalidOption(`${name}.allowCidrs`, 'expected an array of CIDRs');
    o.allowCidrs.forEach((raw: unknown, i: number) => {
      if (typeof raw !== 'string' || parseCidr(raw) === null) throw invalidOption(`${name}.allowCidrs[${i}]`, `"${String(raw)}" is not a CIDR like "10.0.0.0/8" or "fd00::/8"`);
      allowCidrs.push(raw);
    });
  }
  const num = (key: keyof typeof FETCH_DEFAULTS, max: number): number => {
    const v = o[key];
    if (v === undefined) return FETCH_DEFAULTS[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw invalidOption(`${name}.${key}`, `expected a whole number from 0 to ${max}, got ${String(v)}`);
    return v;
  };
  return {
    allow,
    allowCidrs,
    maxSubrequests: num('maxSubrequests', 100_000),
    maxRequestBytes: num('maxRequestBytes', 2 ** 40),
    maxResponseBytes: num('maxResponseBytes', 2 ** 40),
    timeoutMs: num('timeoutMs', 86_400_000),
  };
}

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address, bits] = cidr.split('/');
  const family = isIP(address ?? '');
  const prefix = Number(bits);
  if (address === undefined || family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return null;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Ranges a guest never reaches unless a CIDR in allowCidrs covers the address. */
const FORBIDDEN: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
  '::/128', '::1/128', '64:ff9b::/96', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8',
];

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const c = parseCidr(cidr);
    if (c !== null) list.addSubnet(c.address, c.prefix, c.family);
  }
  return list;
}

const forbidden = blockList(FORBIDDEN);

/** Why an address may not be connected to, or null when it may. */
export function addressDenied(policy: EgressPolicy, address: string): string | null {
  let ip = address;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is checked as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) ip = mapped[1] as string;
  const family = isIP(ip);
  if (family === 0) return `"${address}" is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (!forbidden.check(ip, type)) return null;
  if (policy.allowCidrs.length > 0 && blockList(policy.allowCidrs).check(ip, type)) return null;
  return `the address ${address} is private, loopback, link-local or reserved (allow it with an explicit CIDR in fetch.allowCidrs)`;
}

/** Why a URL's host and port may not be fetched, or null when they may. */
export function hostDenied(policy: EgressPolicy, url: URL): string | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http: and https: URLs can be fetched, not ${url.protocol}`;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  for (const rule of policy.allow) {
    const hostMatches = rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host;
    if (hostMatches && (rule.port === null || rule.port === port)) return null;
  }
  return policy.allow.length === 0
    ? 'this sandbox may not make network requests (no fetch.allow list)'
    : `${host}:${port} is not in this sandbox's fetch allow list`;
}
