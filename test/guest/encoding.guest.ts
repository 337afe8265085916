import { test, assert, run } from './harness.ts';

const bytes = (...b: number[]) => new Uint8Array(b);

test('TextEncoder: UTF-8, lone surrogates become U+FFFD, encodeInto never splits a code point', () => {
  const enc = new TextEncoder();
  assert.equal(enc.encoding, 'utf-8');
  assert.deepEqual(enc.encode('aé€😀'), bytes(0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80));
  assert.deepEqual(enc.encode('\uD800x'), bytes(0xef, 0xbf, 0xbd, 0x78));
  assert.deepEqual(enc.encode(), bytes());
  assert.deepEqual(enc.encodeInto('a😀b', new Uint8Array(4)), { read: 1, written: 1 }, 'no room for the whole emoji');
  assert.deepEqual(enc.encodeInto('a😀b', new Uint8Array(5)), { read: 3, written: 5 });
  const big = new Uint8Array(8);
  assert.deepEqual(enc.encodeInto('a😀b', big), { read: 4, written: 6 });
});

test('TextDecoder utf-8: BOM stripped unless ignoreBOM, replacement of maximal subparts, fatal mode', () => {
  const dec = new TextDecoder();
  assert.equal(dec.encoding, 'utf-8');
  assert.equal(dec.decode(bytes(0xef, 0xbb, 0xbf, 0x68, 0x69)), 'hi');
  assert.equal(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes(0xef, 0xbb, 0xbf, 0x68)), '\uFEFFh');
  assert.equal(dec.decode(bytes(0x61, 0xf0, 0x9f, 0x62)), 'a\uFFFDb');
  assert.equal(dec.decode(bytes(0xc0, 0x80)), '\uFFFD\uFFFD', 'overlong');
  assert.equal(dec.decode(bytes(0xed, 0xa0, 0x80)), '\uFFFD\uFFFD\uFFFD', 'surrogate code point');
  assert.equal(dec.decode(bytes(0xf0, 0x9f, 0x98, 0x80)), '😀');
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes(0xff)), (e) => e instanceof TypeError);
  assert.equal(dec.decode(new Uint16Array([0x6968]).buffer), 'hi', 'ArrayBuffer input');
  assert.equal(dec.decode(new DataView(bytes(0x20, 0x6f, 0x6b).buffer, 1)), 'ok', 'DataView input');
  assert.equal(dec.decode(), '');
});

test('TextDecoder streaming keeps partial sequences between calls', () => {
  const dec = new TextDecoder();
  const euro = [0xe2, 0x82, 0xac];
  let out = '';
  for (const b of euro) out += dec.decode(bytes(b), { stream: true });
  out += dec.decode();
  assert.equal(out, '€');
  const bom = new TextDecoder();
  assert.equal(bom.decode(bytes(0xef, 0xbb), { stream: true }) + bom.decode(bytes(0xbf, 0x41)), 'A', 'BOM split across chunks');
  const cut = new TextDecoder();
  assert.equal(cut.decode(bytes(0xe2, 0x82), { stream: true }) + cut.decode(), '\uFFFD', 'unfinished sequence at the end');
});

test('TextDecoder utf-16le/be with surrogate pairs and lone surrogates', () => {
  const le = new TextDecoder('utf-16le');
  assert.equal(le.encoding, 'utf-16le');
  assert.equal(le.decode(bytes(0xff, 0xfe, 0x68, 0x00, 0x3d, 0xd8, 0x00, 0xde)), 'h😀');
  assert.equal(le.decode(bytes(0x00, 0xd8, 0x41, 0x00)), '\uFFFDA');
  assert.equal(new TextDecoder('utf-16be').decode(bytes(0x00, 0x68)), 'h');
  const s = new TextDecoder('utf-16');
  assert.equal(s.decode(bytes(0x3d, 0xd8), { stream: true }) + s.decode(bytes(0x00, 0xde)), '😀');
  assert.equal(new TextDecoder('utf-16le').decode(bytes(0x41)), '\uFFFD', 'odd trailing byte');
});

test('TextDecoder latin1 labels decode windows-1252; unknown labels are RangeError', () => {
  const d = new TextDecoder(' Latin1 ');
  assert.equal(d.encoding, 'windows-1252');
  assert.equal(d.decode(bytes(0x41, 0x80, 0x9f, 0xe9, 0xff)), 'A€Ÿéÿ');
  assert.equal(new TextDecoder('ascii').encoding, 'windows-1252');
  assert.throws(() => new TextDecoder('klingon'), (e) => e instanceof RangeError);
  assert.throws(() => new TextDecoder().decode('text' as any), (e) => e instanceof TypeError);
});

test('atob/btoa: forgiving base64, whitespace, padding, Latin-1 only', () => {
  assert.equal(btoa('hello'), 'aGVsbG8=');
  assert.equal(btoa(''), '');
  assert.equal(btoa('\xff\xfe'), '//4=');
  assert.equal(atob('aGVsbG8='), 'hello');
  assert.equal(atob(' aGVs bG8 '), 'hello');
  assert.equal(atob('aGVsbG8'), 'hello', 'missing padding');
  assert.equal(atob('//4='), '\xff\xfe');
  for (const bad of ['a', 'aGVsbG8==', 'a===', '*a==', 'aGV=sbG8']) {
    assert.throws(() => atob(bad), (e) => e instanceof DOMException && e.name === 'InvalidCharacterError', bad);
  }
  assert.throws(() => btoa('€'), (e) => e.name === 'InvalidCharacterError');
});

export default run;
