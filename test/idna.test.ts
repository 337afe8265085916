import { test } from 'node:test';
import assert from 'node:assert/strict';
import { punycodeDecode, validPunycodeLabels } from '../src/bridge/idna.ts';

test('punycode decodes RFC 3492 vectors and rejects malformed input', () => {
  assert.equal(punycodeDecode('mnchen-3ya'), 'münchen');
  assert.equal(punycodeDecode('ihqwcrb4cv8a8dqg056pqjye'), '他们为什么不说中文');
  assert.equal(punycodeDecode('abc-'), 'abc');
  assert.equal(punycodeDecode('é-x'), null, 'non-ASCII basic code points');
  assert.equal(punycodeDecode('99999999999'), null, 'overflow');
  assert.equal(punycodeDecode('a!'), null, 'not a base-36 digit');
});

test('xn-- labels must decode to valid, non-ASCII, normalized labels', () => {
  assert.equal(validPunycodeLabels('www.xn--mnchen-3ya.de'), true);
  assert.equal(validPunycodeLabels('example.com'), true);
  assert.equal(validPunycodeLabels('a.b.c.xn--pokxncvks'), false, 'decodes to compatibility characters');
  assert.equal(validPunycodeLabels('xn--'), false, 'empty');
  assert.equal(validPunycodeLabels('xn--abc-'), false, 'all ASCII');
});
