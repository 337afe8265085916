/**
 * Routing for `islet serve`: routes are `host[/path-prefix]`, where the host may start with `*.`.
 * The most specific route wins: an exact host over a wildcard (a longer wildcard over a shorter),
 * then a longer path prefix over a shorter. Prefixes match whole path segments ("/api" matches
 * "/api" and "/api/x", not "/apix").
 */

/** A parsed route. */
export interface Route {
  /** The route as written. */
  pattern: string;
  /** Lowercase host without port; for wildcards, the part after "*.". */
  host: string;
  wildcard: boolean;
  /** "" or a prefix starting with "/" and not ending with "/". */
  prefix: string;
}

const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/;

/** Parses a route pattern, or returns why it is invalid. */
export function parseRoute(pattern: string): Route | string {
  const trimmed = pattern.trim();
  const slash = trimmed.indexOf('/');
  const hostPart = (slash === -1 ? trimmed : trimmed.slice(0, slash)).toLowerCase().replace(/\.$/, '');
  let prefix = slash === -1 ? '' : trimmed.slice(slash);
  const m = HOST.exec(hostPart);
  if (m === null) return `"${pattern}" is not host[/path-prefix]: the host must be a name like "app.example.com" or "*.example.com"`;
  if (/[?#\s]/.test(prefix)) return `"${pattern}": the path prefix may not contain "?", "#" or spaces`;
  prefix = prefix.replace(/\/+$/, '');
  if (prefix.includes('*')) return `"${pattern}": use a plain path prefix ("/api"), not a pattern with "*"`;
  return { pattern: trimmed, host: m[2] as string, wildcard: m[1] !== undefined, prefix };
}

/** The host of a Host header: lowercase, without port or trailing dot. */
export function normalizeHost(header: string | undefined): string {
  if (header === undefined) return '';
  let host = header.trim().toLowerCase();
  if (host.startsWith('[')) host = host.slice(0, host.indexOf(']') + 1);
  else if (host.includes(':')) host = host.slice(0, host.indexOf(':'));
  return host.replace(/\.$/, '');
}

function pathMatches(prefix: string, path: string): boolean {
  if (prefix === '') return true;
  return path === prefix || path.startsWith(`${prefix}/`) || (path.startsWith(prefix) && path[prefix.length] === '?');
}

/** Maps (host, path) to the target of the most specific route. */
export class Router<T> {
  readonly #exact = new Map<string, { route: Route; target: T }[]>();
  readonly #wildcards: { route: Route; target: T }[] = [];
  #catchAll: T | undefined;

  /** Adds a route. */
  add(route: Route, target: T): void {
    if (route.wildcard) {
      this.#wildcards.push({ route, target });
      // Longer (more specific) wildcard suffixes first, then longer prefixes.
      this.#wildcards.sort((a, b) => b.route.host.length - a.route.host.length || b.route.prefix.length - a.route.prefix.length);
      return;
    }
    const list = this.#exact.get(route.host) ?? [];
    list.push({ route, target });
    list.sort((a, b) => b.route.prefix.length - a.route.prefix.length);
    this.#exact.set(route.host, list);
  }

  /** Sends every request that no route matches to `target` (the quick-start mode). */
  setCatchAll(target: T | undefined): void { this.#catchAll = target; }

  /** The target for a request, or undefined when no route matches. */
  match(hostHeader: string | undefined, path: string): T | undefined {
    const host = normalizeHost(hostHeader);
    for (const entry of this.#exact.get(host) ?? []) {
      if (pathMatches(entry.route.prefix, path)) return entry.target;
    }
    for (const entry of this.#wildcards) {
      if (host.endsWith(`.${entry.route.host}`) && pathMatches(entry.route.prefix, path)) return entry.target;
    }
    return this.#catchAll;
  }
}
