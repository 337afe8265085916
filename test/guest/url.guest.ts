import { test, assert, run } from './harness.ts';

test('URL parses, resolves against a base, and exposes every component', () => {
  const u = new URL('../b/c?x=1#frag', 'https://user:pw@Example.COM:8443/a/d');
  assert.equal(u.href, 'https://user:pw@example.com:8443/b/c?x=1#frag');
  assert.equal(u.origin, 'https://example.com:8443');
  assert.equal(u.protocol, 'https:');
  assert.equal(u.username, 'user');
  assert.equal(u.password, 'pw');
  assert.equal(u.host, 'example.com:8443');
  assert.equal(u.hostname, 'example.com');
  assert.equal(u.port, '8443');
  assert.equal(u.pathname, '/b/c');
  assert.equal(u.search, '?x=1');
  assert.equal(u.hash, '#frag');
  assert.equal(String(u), u.href);
  assert.equal(JSON.stringify({ u }), `{"u":"${u.href}"}`);
});

test('invalid URLs throw TypeError; URL.parse and URL.canParse do not', () => {
  assert.throws(() => new URL('not a url'), (e) => e instanceof TypeError);
  assert.throws(() => new URL('/path', 'also not'), (e) => e instanceof TypeError);
  assert.equal(URL.parse('nope'), null);
  assert.equal(URL.parse('/p', 'http://h')?.href, 'http://h/p');
  assert.equal(URL.canParse('http://h'), true);
  assert.equal(URL.canParse('::'), false);
});

test('setters follow the spec (invalid values ignored, href throws)', () => {
  const u = new URL('http://example.com/path?q#h');
  u.protocol = 'https';
  u.port = '8080';
  u.pathname = '/a b';
  u.hash = '';
  u.port = 'not-a-port';
  assert.equal(u.href, 'https://example.com:8080/a%20b?q');
  u.search = '?x=1&y=2';
  assert.equal(u.searchParams.get('y'), '2');
  assert.throws(() => { u.href = 'bad'; }, (e) => e instanceof TypeError);
  u.host = 'other.org';
  assert.equal(u.host, 'other.org:8080');
  u.username = 'me';
  assert.equal(u.href, 'https://me@other.org:8080/a%20b?x=1&y=2');
});

test('IDNA, IPv4/IPv6 hosts and percent-encoding', () => {
  assert.equal(new URL('http://münchen.de/').hostname, 'xn--mnchen-3ya.de');
  assert.equal(new URL('http://0x7f.1/').hostname, '127.0.0.1');
  assert.equal(new URL('http://[::1]:80/').host, '[::1]');
  assert.equal(new URL('http://h/é?é#é').href, 'http://h/%C3%A9?%C3%A9#%C3%A9');
  assert.equal(new URL('http://h/\uD800').pathname, '/%EF%BF%BD', 'lone surrogates become U+FFFD');
});

test('URLSearchParams: parse, +/%, order, duplicates, delete/has with value, sort, size', () => {
  const p = new URLSearchParams('?a=1&b=x+y&a=2&c=%E2%82%AC&d&=e&&');
  assert.deepEqual([...p], [['a', '1'], ['b', 'x y'], ['a', '2'], ['c', '€'], ['d', ''], ['', 'e']]);
  assert.equal(p.size, 6);
  assert.deepEqual(p.getAll('a'), ['1', '2']);
  assert.equal(p.get('zzz'), null);
  assert.equal(p.has('a', '2'), true);
  p.delete('a', '1');
  assert.deepEqual(p.getAll('a'), ['2']);
  p.set('b', 'new');
  p.append('z', 'a&b=c é');
  assert.equal(p.toString(), 'b=new&a=2&c=%E2%82%AC&d=&=e&z=a%26b%3Dc+%C3%A9');
  const s = new URLSearchParams([['b', '2'], ['a', '1'], ['b', '1']]);
  s.sort();
  assert.equal(s.toString(), 'a=1&b=2&b=1');
  assert.equal(new URLSearchParams({ x: '1', y: 2 as any }).toString(), 'x=1&y=2');
  assert.throws(() => new URLSearchParams([['only-one']] as any), (e) => e instanceof TypeError);
  const seen: string[] = [];
  new URLSearchParams('k=v').forEach((v, k) => seen.push(`${k}=${v}`));
  assert.deepEqual(seen, ['k=v']);
});

test('URL.searchParams stays in sync with the URL both ways', () => {
  const u = new URL('https://h/p?x=1');
  const params = u.searchParams;
  params.append('y', 'a b');
  assert.equal(u.search, '?x=1&y=a+b');
  params.delete('x');
  params.delete('y');
  assert.equal(u.href, 'https://h/p');
  u.search = 'k=v';
  assert.equal(params.get('k'), 'v');
  assert.equal(u.searchParams, params);
});

export default run;
