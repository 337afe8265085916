import { test, assert, run } from './harness.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

test('digest: SHA-1/256/384/512 match known vectors', async () => {
  assert.equal(hex(await crypto.subtle.digest('SHA-256', enc('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(hex(await crypto.subtle.digest({ name: 'SHA-1' }, enc('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal((await crypto.subtle.digest('SHA-384', enc(''))).byteLength, 48);
  assert.equal((await crypto.subtle.digest('SHA-512', new Uint8Array(3).buffer)).byteLength, 64);
  await assert.rejects(crypto.subtle.digest('MD5', enc('x')), (e) => e instanceof DOMException && e.name === 'NotSupportedError');
});

test('HMAC: generate, sign, verify, export raw/jwk, import', async () => {
  const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']) as CryptoKey;
  assert.ok(key instanceof CryptoKey);
  assert.equal(key.type, 'secret');
  assert.deepEqual(key.usages, ['sign', 'verify']);
  assert.equal((key.algorithm as any).name, 'HMAC');
  const sig = await crypto.subtle.sign('HMAC', key, enc('data'));
  assert.equal(await crypto.subtle.verify('HMAC', key, sig, enc('data')), true);
  assert.equal(await crypto.subtle.verify('HMAC', key, sig, enc('other')), false);
  const raw = await crypto.subtle.exportKey('raw', key) as ArrayBuffer;
  const again = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  assert.equal(await crypto.subtle.verify('HMAC', again, sig, enc('data')), true);
  const jwk = await crypto.subtle.exportKey('jwk', key) as JsonWebKey;
  assert.equal(jwk.kty, 'oct');
  await assert.rejects(crypto.subtle.exportKey('raw', again), (e) => e.name === 'InvalidAccessError', 'not extractable');
  assert.throws(() => new (CryptoKey as any)(), (e) => e instanceof TypeError);
});

test('AES-GCM and AES-CBC round trips; tampering fails with OperationError', async () => {
  const gcm = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) as CryptoKey;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, gcm, enc('secret'));
  assert.equal(new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, gcm, ct)), 'secret');
  const bad = new Uint8Array(ct); bad[0] ^= 1;
  await assert.rejects(crypto.subtle.decrypt({ name: 'AES-GCM', iv }, gcm, bad), (e) => e instanceof DOMException && e.name === 'OperationError');
  const cbc = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-CBC', false, ['encrypt', 'decrypt']);
  const iv2 = new Uint8Array(16);
  const c2 = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: iv2 }, cbc, enc('block'));
  assert.equal(new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: iv2 }, cbc, c2)), 'block');
});

test('ECDSA P-256/P-384 and Ed25519 sign/verify; spki/pkcs8 export and import', async () => {
  for (const namedCurve of ['P-256', 'P-384']) {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve }, true, ['sign', 'verify']) as CryptoKeyPair;
    const alg = { name: 'ECDSA', hash: 'SHA-256' };
    const sig = await crypto.subtle.sign(alg, pair.privateKey, enc('m'));
    assert.equal(await crypto.subtle.verify(alg, pair.publicKey, sig, enc('m')), true, namedCurve);
    const spki = await crypto.subtle.exportKey('spki', pair.publicKey) as ArrayBuffer;
    const pub = await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve }, true, ['verify']);
    assert.equal(await crypto.subtle.verify(alg, pub, sig, enc('m')), true);
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', pair.privateKey) as ArrayBuffer;
    assert.ok(pkcs8.byteLength > 30);
  }
  const ed = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']) as CryptoKeyPair;
  const sig = await crypto.subtle.sign('Ed25519', ed.privateKey, enc('x'));
  assert.equal(await crypto.subtle.verify('Ed25519', ed.publicKey, sig, enc('x')), true);
});

test('RSA-PSS and RSA-OAEP', async () => {
  const params = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  const pss = await crypto.subtle.generateKey({ name: 'RSA-PSS', ...params }, false, ['sign', 'verify']) as CryptoKeyPair;
  const sig = await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, pss.privateKey, enc('m'));
  assert.equal(await crypto.subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, pss.publicKey, sig, enc('m')), true);
  const oaep = await crypto.subtle.generateKey({ name: 'RSA-OAEP', ...params }, false, ['encrypt', 'decrypt']) as CryptoKeyPair;
  const ct = await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, oaep.publicKey, enc('hi'));
  assert.equal(new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, oaep.privateKey, ct)), 'hi');
});

test('HKDF and PBKDF2: deriveBits and deriveKey', async () => {
  const ikm = await crypto.subtle.importKey('raw', enc('input key'), 'HKDF', false, ['deriveBits', 'deriveKey']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: enc('salt'), info: enc('info') }, ikm, 256);
  assert.equal(bits.byteLength, 32);
  const pw = await crypto.subtle.importKey('raw', enc('password'), 'PBKDF2', false, ['deriveKey']);
  const aes = await crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: enc('s'), iterations: 1000 }, pw, { name: 'AES-GCM', length: 128 }, true, ['encrypt']);
  assert.equal((aes.algorithm as any).length, 128);
  assert.equal(((await crypto.subtle.exportKey('raw', aes)) as ArrayBuffer).byteLength, 16);
  const known = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt: enc('salt'), iterations: 1 }, await crypto.subtle.importKey('raw', enc('password'), 'PBKDF2', false, ['deriveBits']), 160);
  assert.equal(hex(known), '0c60c80f961f0e71f3a9b524af6012062fe037a6', 'RFC 6070 vector');
});

test('forged key references are refused: only real CryptoKeys cross as keys', async () => {
  const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) as CryptoKey;
  await crypto.subtle.sign('HMAC', key, enc('x'));
  for (const forged of [{ type: 'secret' }, { $key: 1 }, Object.create(Object.getPrototypeOf(key))]) {
    await assert.rejects(crypto.subtle.sign('HMAC', forged as any, enc('x')), (e) => e instanceof TypeError, JSON.stringify(forged));
  }
});

export default run;
