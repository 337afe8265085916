import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, parseRoute, normalizeHost, type Route } from '../src/server/router.ts';

function router(routes: Record<string, string>): Router<string> {
  const r = new Router<string>();
  for (const [pattern, app] of Object.entries(routes)) {
    const parsed = parseRoute(pattern);
    assert.equal(typeof parsed, 'object', String(parsed));
    r.add(parsed as Route, app);
  }
  return r;
}

test('the most specific route wins: exact over wildcard, longer wildcard, longer prefix', () => {
  const r = router({
    'example.com': 'root', 'example.com/api': 'api', 'example.com/api/v2': 'v2',
    '*.example.com': 'any-sub', '*.eu.example.com': 'eu', 'shop.example.com': 'shop',
  });
  assert.equal(r.match('example.com', '/'), 'root');
  assert.equal(r.match('example.com', '/api'), 'api');
  assert.equal(r.match('example.com', '/api/users'), 'api');
  assert.equal(r.match('example.com', '/api/v2/x'), 'v2');
  assert.equal(r.match('example.com', '/apix'), 'root', 'prefixes match whole segments');
  assert.equal(r.match('example.com', '/api?x=1'), 'api');
  assert.equal(r.match('shop.example.com', '/'), 'shop', 'exact host beats wildcard');
  assert.equal(r.match('blog.example.com', '/'), 'any-sub');
  assert.equal(r.match('a.b.example.com', '/'), 'any-sub', 'wildcards cover deeper subdomains');
  assert.equal(r.match('paris.eu.example.com', '/'), 'eu', 'a longer wildcard beats a shorter');
  assert.equal(r.match('other.org', '/'), undefined);
  assert.equal(r.match(undefined, '/'), undefined);
});

test('Host headers are matched without port, case or trailing dot', () => {
  const r = router({ 'localhost/api': 'api', 'hello.localhost': 'hello' });
  assert.equal(r.match('LOCALHOST:8080', '/api/x'), 'api');
  assert.equal(r.match('hello.localhost.', '/'), 'hello');
  assert.equal(normalizeHost('[::1]:80'), '[::1]');
  assert.equal(r.match('localhost', '/'), undefined);
});

test('a wildcard does not match its bare domain; a catch-all takes the rest', () => {
  const r = router({ '*.example.com': 'sub' });
  assert.equal(r.match('example.com', '/'), undefined);
  r.setCatchAll('all');
  assert.equal(r.match('example.com', '/'), 'all');
  assert.equal(r.match('x.example.com', '/'), 'sub');
});

test('invalid route patterns say why', () => {
  for (const bad of ['', 'http://example.com', 'exa mple.com', '*example.com', 'a.*.com', 'example.com/a*b', 'example.com/a?b', '-bad.com']) {
    const parsed = parseRoute(bad);
    assert.equal(typeof parsed, 'string', bad);
  }
  assert.deepEqual(parseRoute('Example.com/api/'), { pattern: 'Example.com/api/', host: 'example.com', wildcard: false, prefix: '/api' });
});
