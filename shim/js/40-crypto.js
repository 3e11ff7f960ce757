// 40-crypto.js: Web Crypto: `crypto` (a `Crypto`), `Crypto`, `SubtleCrypto`
// and `CryptoKey`, through OpenSSL in shim/crypto.cc.
//
// This file does what the Web Crypto spec does in JS terms: algorithm
// normalization (WebIDL dictionaries, read in their order), usages, JWK,
// the order of the checks and the DOMException each one throws, and the
// promises. The natives do the cryptography and hold the keys: a CryptoKey
// keeps only an opaque handle in a private field, and a non-extractable
// key's bytes never reach JS (crypto.cc checks that itself).
//
// Every operation runs at once, on the worker's thread, and its promise
// settles in a microtask: errors of normalization reject at once (as WPT
// checks), those of the operation itself one microtask later. Inputs are
// copied before any code of the caller's can run (a getter on the
// algorithm), as the spec copies them.

const { ReflectApply, promiseThen, domException, webIDLClass, utf8Encode, utf8Decode } = internal;

const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseReject = Promise.reject.bind(Promise);
const ObjectCreate = Object.create;
const ObjectDefineProperty = Object.defineProperty;
const ObjectFreeze = Object.freeze;
const hasOwn = Object.prototype.hasOwnProperty;
const ArrayBufferIsView = ArrayBuffer.isView;
const NumberIsFinite = Number.isFinite;
const MathTrunc = Math.trunc;
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;
const StringFromCharCode = String.fromCharCode;
const StringPrototypeCharCodeAt = String.prototype.charCodeAt;
const NumberPrototypeToString = Number.prototype.toString;
const Uint8ArrayCtor = Uint8Array;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = Object.getOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag).get;
const typedArrayBuffer = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer').get;
const typedArrayByteLength = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'byteLength').get;
const abByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
const dataViewByteLength = Object.getOwnPropertyDescriptor(DataView.prototype, 'byteLength').get;
const dataViewBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, 'buffer').get;

const charCodeAt = (s, i) => ReflectApply(StringPrototypeCharCodeAt, s, [i]);
const own = (o, k) => ReflectApply(hasOwn, o, [k]);
const record = () => ObjectCreate(null);

// an own data property, as an object literal makes it (no setter of
// Object.prototype's is called)
const put = (o, k, value) => ObjectDefineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });

function requireArgs(n, got, what) {
  if (got < n) throw new TypeError(`${what}: ${n} argument${n > 1 ? 's' : ''} required, but only ${got} present.`);
}

const TypeErr = (msg) => new TypeError(msg);
const NotSupported = (msg) => domException('NotSupportedError', msg);
const Syntax = (msg) => domException('SyntaxError', msg);
const DataErr = (msg) => domException('DataError', msg);
const Access = (msg) => domException('InvalidAccessError', msg);
const Operation = (msg) => domException('OperationError', msg);

// An exception from a native: crypto.cc marks its failures with an own
// "domName", the DOMException to throw; anything else (TypeError,
// RangeError) goes as it is.
function fromNative(e) {
  if (e !== null && typeof e === 'object' && own(e, 'domName')) return domException(e.domName, e.message);
  return e;
}

// Runs `fn` now; the returned promise settles with its outcome in a microtask.
function later(fn) {
  let ok = true, value;
  try {
    value = fn();
  } catch (e) {
    ok = false;
    value = fromNative(e);
  }
  return promiseThen(PromiseResolve(undefined), ok ? () => value : () => { throw value; });
}

// ---------------------------------------------------------------- usages

const USAGES = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'];
const ENCRYPT = 1, DECRYPT = 2, SIGN = 4, VERIFY = 8, DERIVE_KEY = 16, DERIVE_BITS = 32, WRAP = 64, UNWRAP = 128;
const USAGE_BIT = record();
for (let i = 0; i < USAGES.length; i++) USAGE_BIT[USAGES[i]] = 1 << i;

// WebIDL sequence<KeyUsage> to a mask.
function toUsages(v, what) {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) {
    throw TypeErr(`${what}: The provided value cannot be converted to a sequence.`);
  }
  let mask = 0;
  for (const u of v) {
    const s = toStr(u);
    const bit = USAGE_BIT[s];
    if (bit === undefined) throw TypeErr(`${what}: '${s}' is not a valid enum value of type KeyUsage.`);
    mask |= bit;
  }
  return mask;
}

function usageList(mask) {
  const list = [];
  let n = 0;
  for (let i = 0; i < USAGES.length; i++) if (mask & (1 << i)) list[n++] = USAGES[i];
  return list;
}

function checkUsages(mask, allowed, name) {
  if (mask & ~allowed) throw Syntax(`Cannot create a key using the specified key usages for ${name}.`);
}

// ---------------------------------------------------------------- WebIDL conversions

function toStr(v) {
  if (typeof v === 'symbol') throw TypeErr('Cannot convert a Symbol value to a string');
  return `${v}`;
}

// [EnforceRange] integer of at most `max`
function toEnforced(v, max, what) {
  let n = +v;
  if (!NumberIsFinite(n)) throw TypeErr(`${what}: Value is not a finite number.`);
  n = MathTrunc(n);
  if (n < 0 || n > max) throw TypeErr(`${what}: Value is outside the accepted range.`);
  return n + 0;
}

// plain unsigned long (modulo 2^32)
function toULong(v) {
  let n = +v;
  if (!NumberIsFinite(n)) return 0;
  n = MathTrunc(n) % 4294967296;
  return n < 0 ? n + 4294967296 : n + 0;
}

// WebIDL's BufferSource: an ArrayBuffer or a view, not shared memory
function isBufferSource(v) {
  if (ArrayBufferIsView(v)) {
    const buffer = ReflectApply(typedArrayTag, v, []) === undefined ? ReflectApply(dataViewBuffer, v, [])
      : ReflectApply(typedArrayBuffer, v, []);
    return isArrayBuffer(buffer);
  }
  return isArrayBuffer(v);
}

// an ArrayBuffer, as its byteLength getter says (SharedArrayBuffer may
// not exist yet when the snapshot is made, so only this side is asked)
function isArrayBuffer(v) {
  try {
    ReflectApply(abByteLength, v, []);
    return true;
  } catch {
    return false;
  }
}

// A BufferSource argument: TypeError unless it is one. Copied (through the
// native, out of reach of replaced built-ins) when code of the caller's may
// run before it is used; else the view itself, read at once by the native.
function bufferSource(v, what, copy) {
  if (!isBufferSource(v)) throw TypeErr(`${what}: The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.`);
  return copy ? natives.cryptoCopy(v) : v;
}


// ---------------------------------------------------------------- algorithms

// WebIDL dictionaries: members in the order WebIDL reads them (inherited
// ones first, then by name), with their type and whether required.
const DICTS = {
  Algorithm: [],
  RsaPssParams: [['saltLength', 'ulong', true]],
  EcdsaParams: [['hash', 'hash', true]],
  RsaHashedKeyGenParams: [['modulusLength', 'ulong', true], ['publicExponent', 'bigint', true], ['hash', 'hash', true]],
  EcKeyGenParams: [['namedCurve', 'string', true]],
  AesKeyGenParams: [['length', 'ushort', true]],
  HmacKeyGenParams: [['hash', 'hash', true], ['length', 'ulong', false]],
  RsaHashedImportParams: [['hash', 'hash', true]],
  EcKeyImportParams: [['namedCurve', 'string', true]],
  HmacImportParams: [['hash', 'hash', true], ['length', 'ulong', false]],
  RsaOaepParams: [['label', 'buffer', false]],
  AesCtrParams: [['counter', 'buffer', true], ['length', 'octet', true]],
  AesCbcParams: [['iv', 'buffer', true]],
  AesGcmParams: [['additionalData', 'buffer', false], ['iv', 'buffer', true], ['tagLength', 'octet', false]],
  EcdhKeyDeriveParams: [['public', 'key', true]],
  HkdfParams: [['hash', 'hash', true], ['info', 'buffer', true], ['salt', 'buffer', true]],
  Pbkdf2Params: [['hash', 'hash', true], ['iterations', 'ulong', true], ['salt', 'buffer', true]],
  AesDerivedKeyParams: [['length', 'ushort', true]],
};

const SIGNING = {
  'RSASSA-PKCS1-v1_5': 'Algorithm', 'RSA-PSS': 'RsaPssParams', ECDSA: 'EcdsaParams', HMAC: 'Algorithm',
  Ed25519: 'Algorithm', 'NODE-ED25519': 'Algorithm',
};
const CIPHERS = { 'RSA-OAEP': 'RsaOaepParams', 'AES-CTR': 'AesCtrParams', 'AES-CBC': 'AesCbcParams', 'AES-GCM': 'AesGcmParams' };
const REGISTRY = {
  digest: { 'SHA-1': 'Algorithm', 'SHA-256': 'Algorithm', 'SHA-384': 'Algorithm', 'SHA-512': 'Algorithm' },
  sign: SIGNING,
  verify: SIGNING,
  encrypt: CIPHERS,
  decrypt: CIPHERS,
  generateKey: {
    'RSASSA-PKCS1-v1_5': 'RsaHashedKeyGenParams', 'RSA-PSS': 'RsaHashedKeyGenParams', 'RSA-OAEP': 'RsaHashedKeyGenParams',
    ECDSA: 'EcKeyGenParams', ECDH: 'EcKeyGenParams',
    'AES-CTR': 'AesKeyGenParams', 'AES-CBC': 'AesKeyGenParams', 'AES-GCM': 'AesKeyGenParams', 'AES-KW': 'AesKeyGenParams',
    HMAC: 'HmacKeyGenParams', Ed25519: 'Algorithm', X25519: 'Algorithm', 'NODE-ED25519': 'EcKeyGenParams',
  },
  importKey: {
    'RSASSA-PKCS1-v1_5': 'RsaHashedImportParams', 'RSA-PSS': 'RsaHashedImportParams', 'RSA-OAEP': 'RsaHashedImportParams',
    ECDSA: 'EcKeyImportParams', ECDH: 'EcKeyImportParams',
    'AES-CTR': 'Algorithm', 'AES-CBC': 'Algorithm', 'AES-GCM': 'Algorithm', 'AES-KW': 'Algorithm',
    HMAC: 'HmacImportParams', PBKDF2: 'Algorithm', HKDF: 'Algorithm',
    Ed25519: 'Algorithm', X25519: 'Algorithm', 'NODE-ED25519': 'EcKeyImportParams',
  },
  deriveBits: { ECDH: 'EcdhKeyDeriveParams', X25519: 'EcdhKeyDeriveParams', HKDF: 'HkdfParams', PBKDF2: 'Pbkdf2Params' },
  'get key length': {
    'AES-CTR': 'AesDerivedKeyParams', 'AES-CBC': 'AesDerivedKeyParams', 'AES-GCM': 'AesDerivedKeyParams',
    'AES-KW': 'AesDerivedKeyParams', HMAC: 'HmacImportParams', HKDF: 'Algorithm', PBKDF2: 'Algorithm',
  },
  wrapKey: { 'AES-KW': 'Algorithm' },
  unwrapKey: { 'AES-KW': 'Algorithm' },
};

// ASCII upper case, as the spec matches names (toUpperCase would also map
// non-ASCII letters, e.g. U+017F to S).
function asciiUpper(s) {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = charCodeAt(s, i);
    out += StringFromCharCode(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
  }
  return out;
}

// op -> upper-case name -> [registered name, dictionary]
const LOOKUP = record();
for (const op in REGISTRY) {
  const m = record();
  for (const name in REGISTRY[op]) m[asciiUpper(name)] = [name, REGISTRY[op][name]];
  LOOKUP[op] = m;
}

function lookup(op, name) {
  return name.length > 32 ? undefined : LOOKUP[op][asciiUpper(name)];
}

// the error of the last unknown algorithm name (see normalizeWrap)
let unknownAlgorithm = null;

// "Normalize an algorithm" (WebCrypto 18.4.4): a record with the
// registered name and the dictionary's members, converted and copied.
function normalize(op, alg) {
  if (alg === null || (typeof alg !== 'object' && typeof alg !== 'function')) {
    const o = record();
    o.name = toStr(alg);
    alg = o;
  }
  const name = alg.name;
  if (name === undefined) throw TypeErr('Algorithm: name is required.');
  const nameStr = toStr(name);
  const entry = lookup(op, nameStr);
  if (entry === undefined) {
    unknownAlgorithm = NotSupported(`Unrecognized algorithm name '${nameStr}' for ${op}.`);
    throw unknownAlgorithm;
  }
  const dict = entry[1];
  const members = DICTS[dict];
  const out = record();
  out.name = entry[0];
  // the dictionary conversion reads every member (name again) first ...
  const v2 = alg.name;
  if (v2 === undefined) throw TypeErr('Algorithm: name is required.');
  toStr(v2);
  const raw = record();
  for (let i = 0; i < members.length; i++) {
    const key = members[i][0], type = members[i][1];
    const v = alg[key];
    if (v === undefined) {
      if (members[i][2]) throw TypeErr(`${dict}: ${key} is required.`);
      raw[i] = undefined;
      continue;
    }
    const what = `${dict}.${key}`;
    switch (type) {
    case 'string': raw[i] = toStr(v); break;
    case 'ulong': raw[i] = toEnforced(v, 4294967295, what); break;
    case 'ushort': raw[i] = toEnforced(v, 65535, what); break;
    case 'octet': raw[i] = toEnforced(v, 255, what); break;
    case 'bigint':
      if (!ArrayBufferIsView(v) || ReflectApply(typedArrayTag, v, []) !== 'Uint8Array') throw TypeErr(`${what}: not a Uint8Array.`);
      raw[i] = v;
      break;
    case 'buffer':
      if (!isBufferSource(v)) throw TypeErr(`${what}: not an ArrayBuffer or ArrayBufferView.`);
      raw[i] = v;
      break;
    case 'hash':
      raw[i] = typeof v === 'object' || typeof v === 'function' ? v : toStr(v);
      break;
    case 'key':
      if (!isKey(v)) throw TypeErr(`${what}: not a CryptoKey.`);
      raw[i] = v;
      break;
    }
  }
  // ... then hashes are normalized and buffers copied, in the same order
  for (let i = 0; i < members.length; i++) {
    const key = members[i][0], type = members[i][1];
    let v = raw[i];
    if (v === undefined) continue;
    if (type === 'hash') v = normalize('digest', v).name;
    else if (type === 'buffer' || type === 'bigint') v = natives.cryptoCopy(v);
    out[key] = v;
  }
  return out;
}

// normalize() for wrapKey/unwrapKey: the op itself, else encrypt/decrypt
function normalizeWrap(op, fallback, alg) {
  unknownAlgorithm = null;
  try {
    return normalize(op, alg);
  } catch (e) {
    if (e !== unknownAlgorithm) throw e;
  }
  return normalize(fallback, alg);
}

// ---------------------------------------------------------------- base64url

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[charCodeAt(B64, i)] = i;

function b64urlEncode(u8) {
  let out = '';
  const n = u8.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (u8[i] << 16) | (u8[i + 1] << 8) | u8[i + 2];
    out += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
  }
  if (n - i === 1) {
    out += B64[u8[i] >> 2] + B64[(u8[i] & 3) << 4];
  } else if (n - i === 2) {
    const v = (u8[i] << 8) | u8[i + 1];
    out += B64[v >> 10] + B64[(v >> 4) & 63] + B64[(v & 15) << 2];
  }
  return out;
}

function b64urlDecode(s, member) {
  let n = s.length;
  while (n > 0 && charCodeAt(s, n - 1) === 0x3d) n--;    // padding, tolerated
  if (n % 4 === 1 || s.length - n > 2) throw DataErr(`The JWK member "${member}" is not base64url.`);
  const out = new Uint8ArrayCtor((n * 3) >> 2);
  let acc = 0, bits = 0, j = 0;
  for (let i = 0; i < n; i++) {
    const c = charCodeAt(s, i);
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) throw DataErr(`The JWK member "${member}" is not base64url.`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 255;
    }
  }
  return out;
}

// ---------------------------------------------------------------- JWK

const JWK_MEMBERS = [
  ['alg', 's'], ['crv', 's'], ['d', 's'], ['dp', 's'], ['dq', 's'], ['e', 's'], ['ext', 'b'], ['k', 's'],
  ['key_ops', 'list'], ['kty', 's'], ['n', 's'], ['oth', 'oth'], ['p', 's'], ['q', 's'], ['qi', 's'],
  ['use', 's'], ['x', 's'], ['y', 's'],
];

// WebIDL JsonWebKey dictionary to a record (undefined when absent)
function toJwk(v) {
  const jwk = record();
  if (v === undefined || v === null) v = record();
  for (let i = 0; i < JWK_MEMBERS.length; i++) {
    const key = JWK_MEMBERS[i][0], type = JWK_MEMBERS[i][1];
    const x = v[key];
    if (x === undefined) {
      jwk[key] = undefined;
      continue;
    }
    if (type === 's') {
      jwk[key] = toStr(x);
    } else if (type === 'b') {
      jwk[key] = !!x;
    } else {
      if (x === null || (typeof x !== 'object' && typeof x !== 'function')) {
        throw TypeErr(`JsonWebKey.${key}: The provided value cannot be converted to a sequence.`);
      }
      const list = [];
      let n = 0;
      for (const item of x) {
        if (type === 'list') {
          list[n++] = toStr(item);
        } else {
          if (item !== undefined && item !== null && typeof item !== 'object' && typeof item !== 'function') {
            throw TypeErr('RsaOtherPrimesInfo: not an object.');
          }
          const o = item || record();
          list[n++] = [o.d, o.r, o.t];
        }
      }
      jwk[key] = list;
    }
  }
  return jwk;
}

// the checks every JWK import makes: kty, use, key_ops, ext
function checkJwk(jwk, kty, use, usages, extractable) {
  if (jwk.kty !== kty) throw DataErr(`The JWK "kty" member must be "${kty}".`);
  if (usages !== 0 && jwk.use !== undefined && jwk.use !== use) throw DataErr(`The JWK "use" member must be "${use}".`);
  if (jwk.key_ops !== undefined) {
    let seen = 0;
    const ops = jwk.key_ops;
    for (let i = 0; i < ops.length; i++) {
      const bit = USAGE_BIT[ops[i]];
      if (bit !== undefined) {
        if (seen & bit) throw DataErr('The JWK "key_ops" member has a duplicate.');
        seen |= bit;
      }
    }
    if (usages & ~seen) throw DataErr('The JWK "key_ops" member does not allow the requested usages.');
  }
  if (jwk.ext === false && extractable) throw DataErr('The JWK is not extractable ("ext": false).');
}

function jwkBytes(jwk, member) {
  return jwk[member] === undefined ? undefined : b64urlDecode(jwk[member], member);
}

const HASH_SUFFIX = record();
HASH_SUFFIX['SHA-1'] = '1';
HASH_SUFFIX['SHA-256'] = '256';
HASH_SUFFIX['SHA-384'] = '384';
HASH_SUFFIX['SHA-512'] = '512';

const AES_SUFFIX = record();
AES_SUFFIX['AES-CTR'] = 'CTR';
AES_SUFFIX['AES-CBC'] = 'CBC';
AES_SUFFIX['AES-GCM'] = 'GCM';
AES_SUFFIX['AES-KW'] = 'KW';

const RSA_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'];

// the JWK "alg" of a key's algorithm
function jwkAlgFor(alg) {
  switch (alg.name) {
  case 'HMAC': return `HS${HASH_SUFFIX[alg.hash]}`;
  case 'RSASSA-PKCS1-v1_5': return `RS${HASH_SUFFIX[alg.hash]}`;
  case 'RSA-PSS': return `PS${HASH_SUFFIX[alg.hash]}`;
  case 'RSA-OAEP': return alg.hash === 'SHA-1' ? 'RSA-OAEP' : `RSA-OAEP-${HASH_SUFFIX[alg.hash]}`;
  case 'AES-CTR': case 'AES-CBC': case 'AES-GCM': case 'AES-KW':
    return `A${alg.length}${AES_SUFFIX[alg.name]}`;
  case 'ECDSA': return alg.namedCurve === 'P-256' ? 'ES256' : alg.namedCurve === 'P-384' ? 'ES384' : 'ES512';
  case 'Ed25519': case 'NODE-ED25519': return 'Ed25519';
  }
  return undefined;
}

// what exportKey puts in "alg": the spec gives none for EC keys
const exportAlgFor = (alg) => (alg.name === 'ECDSA' ? undefined : jwkAlgFor(alg));

// ---------------------------------------------------------------- CryptoKey

const TOKEN = Symbol('internal');
let keyOf;          // (key) -> its record, or undefined for anything else

class CryptoKey {
  // {handle, type, extractable, usages (a mask), alg (a record)}
  #k;
  #algorithm = null;
  #usages = null;

  constructor(token, k) {
    if (token !== TOKEN) throw new TypeError('Illegal constructor');
    this.#k = k;
  }

  get type() { return this.#k.type; }
  get extractable() { return this.#k.extractable; }

  get algorithm() {
    if (this.#algorithm === null) this.#algorithm = algorithmObject(this.#k.alg);
    return this.#algorithm;
  }

  get usages() {
    if (this.#usages === null) this.#usages = usageList(this.#k.usages);
    return this.#usages;
  }

  static {
    keyOf = (v) => (v !== null && typeof v === 'object' && #k in v ? v.#k : undefined);
  }
}

webIDLClass(CryptoKey, 'CryptoKey');

function isKey(v) {
  return keyOf(v) !== undefined;
}

function requireKey(v, what) {
  const k = keyOf(v);
  if (k === undefined) throw TypeErr(`${what}: parameter is not of type 'CryptoKey'.`);
  return k;
}

// the KeyAlgorithm dictionary a CryptoKey shows (a copy of the record)
function algorithmObject(alg) {
  const o = { name: alg.name };
  if (alg.modulusLength !== undefined) {
    put(o, 'modulusLength', alg.modulusLength);
    put(o, 'publicExponent', new Uint8ArrayCtor(alg.publicExponent));
  }
  if (alg.namedCurve !== undefined) put(o, 'namedCurve', alg.namedCurve);
  if (alg.length !== undefined) put(o, 'length', alg.length);
  if (alg.hash !== undefined) put(o, 'hash', { name: alg.hash });
  return o;
}

function makeKey(handle, type, extractable, usages, alg) {
  const k = record();
  k.handle = handle;
  k.type = type;
  k.extractable = extractable;
  k.usages = usages;
  k.alg = alg;
  return new CryptoKey(TOKEN, k);
}

function keyAlg(name, fields) {
  const a = record();
  a.name = name;
  if (fields !== undefined) for (const f in fields) if (own(fields, f)) a[f] = fields[f];
  return a;
}

// the family each algorithm's keys belong to
const FAMILY = {
  'AES-CTR': 'aes', 'AES-CBC': 'aes', 'AES-GCM': 'aes', 'AES-KW': 'aes', HMAC: 'hmac', PBKDF2: 'kdf', HKDF: 'kdf',
  'RSASSA-PKCS1-v1_5': 'rsa', 'RSA-PSS': 'rsa', 'RSA-OAEP': 'rsa', ECDSA: 'ec', ECDH: 'ec',
  Ed25519: 'okp', X25519: 'okp', 'NODE-ED25519': 'okp',
};
ObjectFreeze(FAMILY);

// usages of [public, private] keys, and of secret keys (as [0, usages])
const KEY_USAGES = {
  'AES-CTR': [0, ENCRYPT | DECRYPT | WRAP | UNWRAP], 'AES-CBC': [0, ENCRYPT | DECRYPT | WRAP | UNWRAP],
  'AES-GCM': [0, ENCRYPT | DECRYPT | WRAP | UNWRAP], 'AES-KW': [0, WRAP | UNWRAP],
  HMAC: [0, SIGN | VERIFY], PBKDF2: [0, DERIVE_KEY | DERIVE_BITS], HKDF: [0, DERIVE_KEY | DERIVE_BITS],
  'RSASSA-PKCS1-v1_5': [VERIFY, SIGN], 'RSA-PSS': [VERIFY, SIGN], 'RSA-OAEP': [ENCRYPT | WRAP, DECRYPT | UNWRAP],
  ECDSA: [VERIFY, SIGN], ECDH: [0, DERIVE_KEY | DERIVE_BITS],
  Ed25519: [VERIFY, SIGN], 'NODE-ED25519': [VERIFY, SIGN], X25519: [0, DERIVE_KEY | DERIVE_BITS],
};

const CURVES = record();
CURVES['P-256'] = true;
CURVES['P-384'] = true;
CURVES['P-521'] = true;

const HMAC_BLOCK = record();
HMAC_BLOCK['SHA-1'] = 512;
HMAC_BLOCK['SHA-256'] = 512;
HMAC_BLOCK['SHA-384'] = 1024;
HMAC_BLOCK['SHA-512'] = 1024;

// the curve an OKP algorithm names, for the natives and for JWK's "crv"
const okpCurve = (name) => (name === 'X25519' ? 'X25519' : 'Ed25519');

// ---------------------------------------------------------------- generateKey

// What WPT wants rejected at once: parameters of the algorithm.
function checkGenerateParams(alg) {
  switch (FAMILY[alg.name]) {
  case 'aes':
    if (alg.length !== 128 && alg.length !== 192 && alg.length !== 256) throw Operation('AES key length must be 128, 192 or 256 bits.');
    break;
  case 'hmac':
    if (alg.length === 0) throw Operation('HMAC key length must not be zero.');
    break;
  case 'rsa': {
    const m = alg.modulusLength;
    if (m < 1024 || m > 4096 || m % 8 !== 0) throw Operation('RSA modulusLength must be a multiple of 8 from 1024 to 4096.');
    const e = alg.publicExponent;
    let start = 0;
    while (start < e.length && e[start] === 0) start++;
    if (e.length - start > 4 || start === e.length || (e[e.length - 1] & 1) === 0
        || (e.length - start === 1 && e[start] < 3)) {
      throw Operation('RSA publicExponent must be odd, from 3 to 2^32 - 1.');
    }
    break;
  }
  case 'ec':
    if (CURVES[alg.namedCurve] !== true) throw NotSupported(`Unsupported curve '${alg.namedCurve}'.`);
    break;
  case 'okp':
    if (alg.name === 'NODE-ED25519' && alg.namedCurve !== 'NODE-ED25519') throw NotSupported(`Unsupported curve '${alg.namedCurve}'.`);
    break;
  }
}

function generate(alg, extractable, usages) {
  const name = alg.name;
  const family = FAMILY[name];
  const pubAllowed = KEY_USAGES[name][0], allowed = KEY_USAGES[name][1];
  checkUsages(usages, pubAllowed | allowed, name);

  if (family === 'aes' || family === 'hmac') {
    if (usages === 0) throw Syntax('Usages cannot be empty when creating a key.');
    let bits, ka;
    if (family === 'aes') {
      bits = alg.length;
      ka = keyAlg(name, { length: bits });
    } else {
      bits = alg.length !== undefined ? alg.length : HMAC_BLOCK[alg.hash];
      ka = keyAlg(name, { hash: alg.hash, length: bits });
    }
    const handle = natives.cryptoSecret(MathTrunc((bits + 7) / 8), extractable, usages);
    return makeKey(handle, 'secret', extractable, usages, ka);
  }

  // a pair: the private key must have some usage (checked before the
  // work, which for RSA is long)
  if ((usages & allowed) === 0) throw Syntax('Usages cannot be empty when creating a key.');
  let pair, ka;
  if (family === 'rsa') {
    pair = natives.cryptoGenerate('RSA', alg.modulusLength, alg.publicExponent, extractable, usages & allowed, usages & pubAllowed);
    ka = keyAlg(name, { modulusLength: alg.modulusLength, publicExponent: alg.publicExponent, hash: alg.hash });
  } else if (family === 'ec') {
    pair = natives.cryptoGenerate('EC', alg.namedCurve, undefined, extractable, usages & allowed, usages & pubAllowed);
    ka = keyAlg(name, { namedCurve: alg.namedCurve });
  } else {
    pair = natives.cryptoGenerate(okpCurve(name), undefined, undefined, extractable, usages & allowed, usages & pubAllowed);
    ka = name === 'NODE-ED25519' ? keyAlg(name, { namedCurve: 'NODE-ED25519' }) : keyAlg(name);
  }
  return {
    publicKey: makeKey(pair[0], 'public', true, usages & pubAllowed, ka),
    privateKey: makeKey(pair[1], 'private', extractable, usages & allowed, ka),
  };
}

// ---------------------------------------------------------------- importKey

const FORMATS = record();
FORMATS.raw = true;
FORMATS.spki = true;
FORMATS.pkcs8 = true;
FORMATS.jwk = true;

function toFormat(v, what) {
  const s = toStr(v);
  if (FORMATS[s] !== true) throw TypeErr(`${what}: '${s}' is not a valid enum value of type KeyFormat.`);
  return s;
}

// key data: {bytes} for raw, spki and pkcs8, {jwk} for jwk
function importKey(format, data, alg, extractable, usages) {
  const name = alg.name;
  let key;
  switch (FAMILY[name]) {
  case 'aes': key = importAes(format, data, alg, extractable, usages); break;
  case 'hmac': key = importHmac(format, data, alg, extractable, usages); break;
  case 'kdf': key = importKdf(format, data, alg, extractable, usages); break;
  default: key = importAsymmetric(format, data, alg, extractable, usages); break;
  }
  const k = keyOf(key);
  if ((k.type === 'secret' || k.type === 'private') && k.usages === 0) {
    throw Syntax('Usages cannot be empty when creating a key.');
  }
  return key;
}

// A secret key's bytes: raw, or the "k" of an oct JWK after the checks
// every JWK gets, and its "alg" against what `algFor(bits)` says.
function secretBytes(format, data, alg, use, usages, extractable, algFor) {
  if (format === 'raw') return data.bytes;
  if (format !== 'jwk') throw NotSupported(`Unsupported key format '${format}' for ${alg.name}.`);
  const jwk = data.jwk;
  checkJwk(jwk, 'oct', use, usages, extractable);
  const bytes = jwkBytes(jwk, 'k');
  if (bytes === undefined) throw DataErr('The JWK has no "k" member.');
  if (jwk.alg !== undefined && jwk.alg !== algFor(bytes.length * 8)) throw DataErr(`The JWK "alg" member does not match ${alg.name}.`);
  return bytes;
}

function importAes(format, data, alg, extractable, usages) {
  checkUsages(usages, KEY_USAGES[alg.name][1], alg.name);
  const bytes = secretBytes(format, data, alg, 'enc', usages, extractable, (bits) => `A${bits}${AES_SUFFIX[alg.name]}`);
  const bits = byteLength(bytes) * 8;
  if (bits !== 128 && bits !== 192 && bits !== 256) throw DataErr('AES key data must be 128, 192 or 256 bits.');
  const handle = natives.cryptoSecret(bytes, extractable, usages);
  return makeKey(handle, 'secret', extractable, usages, keyAlg(alg.name, { length: bits }));
}

// of a BufferSource; a DataView's through its own getter
function byteLength(v) {
  if (!ArrayBufferIsView(v)) return ReflectApply(abByteLength, v, []);
  return ReflectApply(typedArrayTag, v, []) === undefined ? ReflectApply(dataViewByteLength, v, [])
    : ReflectApply(typedArrayByteLength, v, []);
}

function importHmac(format, data, alg, extractable, usages) {
  checkUsages(usages, SIGN | VERIFY, 'HMAC');
  const bytes = secretBytes(format, data, alg, 'sig', usages, extractable, () => `HS${HASH_SUFFIX[alg.hash]}`);
  const dataBits = byteLength(bytes) * 8;
  if (dataBits === 0) throw DataErr('HMAC key data must not be empty.');
  let length = dataBits;
  if (alg.length !== undefined) {
    if (alg.length > dataBits || alg.length <= dataBits - 8) throw DataErr('HMAC length does not match the key data.');
    length = alg.length;
  }
  const handle = natives.cryptoSecret(bytes, extractable, usages);
  return makeKey(handle, 'secret', extractable, usages, keyAlg('HMAC', { hash: alg.hash, length }));
}

function importKdf(format, data, alg, extractable, usages) {
  if (format !== 'raw') throw NotSupported(`Unsupported key format '${format}' for ${alg.name}.`);
  checkUsages(usages, DERIVE_KEY | DERIVE_BITS, alg.name);
  if (extractable) throw Syntax(`${alg.name} keys cannot be extractable.`);
  const handle = natives.cryptoSecret(data.bytes, false, usages);
  return makeKey(handle, 'secret', false, usages, keyAlg(alg.name));
}

function importAsymmetric(format, data, alg, extractable, usages) {
  const name = alg.name;
  const family = FAMILY[name];
  const pubAllowed = KEY_USAGES[name][0], privAllowed = KEY_USAGES[name][1];
  let kind;
  if (family === 'rsa') {
    kind = 'RSA';
  } else if (family === 'ec') {
    kind = alg.namedCurve;
  } else {
    if (name === 'NODE-ED25519' && alg.namedCurve !== 'NODE-ED25519') throw NotSupported(`Unsupported curve '${alg.namedCurve}'.`);
    kind = okpCurve(name);
  }
  // usages, by the type of key the format (or the JWK's "d") gives
  let priv;
  if (format === 'raw') {
    if (family === 'rsa') throw NotSupported(`Unsupported key format 'raw' for ${name}.`);
    priv = false;
  } else if (format === 'jwk') {
    priv = data.jwk.d !== undefined;
  } else {
    priv = format === 'pkcs8';
  }
  checkUsages(usages, priv ? privAllowed : pubAllowed, name);

  let input = format === 'jwk' ? undefined : data.bytes;
  if (format === 'jwk') {
    const jwk = data.jwk;
    const use = name === 'RSA-OAEP' || name === 'ECDH' || name === 'X25519' ? 'enc' : 'sig';
    checkJwk(jwk, family === 'rsa' ? 'RSA' : family === 'ec' ? 'EC' : 'OKP', use, usages, extractable);
    input = record();
    if (family === 'rsa') {
      if (jwk.alg !== undefined && jwk.alg !== jwkAlgFor(alg)) throw DataErr(`The JWK "alg" member does not match ${name} with ${alg.hash}.`);
      if (jwk.oth !== undefined) throw NotSupported('RSA keys of more than two primes are not supported.');
      for (let i = 0; i < RSA_MEMBERS.length; i++) input[RSA_MEMBERS[i]] = jwkBytes(jwk, RSA_MEMBERS[i]);
    } else {
      const crv = family === 'ec' ? alg.namedCurve : okpCurve(name);
      if (jwk.crv !== crv) throw DataErr(`The JWK "crv" member must be "${crv}".`);
      if (name === 'ECDSA' && jwk.alg !== undefined && jwk.alg !== jwkAlgFor(alg)) throw DataErr('The JWK "alg" member does not match the curve.');
      if (family === 'okp' && name !== 'X25519' && jwk.alg !== undefined && jwk.alg !== 'Ed25519' && jwk.alg !== 'EdDSA') {
        throw DataErr('The JWK "alg" member must be "Ed25519" or "EdDSA".');
      }
      input.x = jwkBytes(jwk, 'x');
      if (family === 'ec') input.y = jwkBytes(jwk, 'y');
      input.d = jwkBytes(jwk, 'd');
    }
  } else if (family === 'ec' && CURVES[kind] !== true) {
    throw DataErr(`Unsupported curve '${kind}'.`);
  }
  if (family === 'ec' && CURVES[kind] !== true) throw DataErr(`Unsupported curve '${kind}'.`);

  const r = natives.cryptoImport(kind, format, input, extractable, usages);
  let ka;
  if (family === 'rsa') {
    ka = keyAlg(name, { modulusLength: r[2], publicExponent: r[3], hash: alg.hash });
  } else if (family === 'ec') {
    ka = keyAlg(name, { namedCurve: alg.namedCurve });
  } else {
    ka = name === 'NODE-ED25519' ? keyAlg(name, { namedCurve: 'NODE-ED25519' }) : keyAlg(name);
  }
  const type = r[1];
  return makeKey(r[0], type, type === 'public' ? true : extractable, usages, ka);
}

// ---------------------------------------------------------------- exportKey

function exportKey(format, k) {
  const name = k.alg.name;
  const family = FAMILY[name];
  if (family === 'kdf') throw NotSupported(`${name} keys cannot be exported.`);
  if (!k.extractable) throw Access('The key is not extractable.');
  if (format === 'jwk') return exportJwk(k);
  if (family === 'aes' || family === 'hmac') {
    if (format !== 'raw') throw NotSupported(`Unsupported key format '${format}' for ${name}.`);
  } else if (format === 'raw') {
    if (family === 'rsa') throw NotSupported(`Unsupported key format 'raw' for ${name}.`);
    if (k.type !== 'public') throw Access('Only public keys can be exported as raw.');
  } else if (format === 'spki' && k.type !== 'public') {
    throw Access('Only public keys can be exported as spki.');
  } else if (format === 'pkcs8' && k.type !== 'private') {
    throw Access('Only private keys can be exported as pkcs8.');
  }
  return natives.cryptoExport(k.handle, format);
}

function exportJwk(k) {
  const alg = k.alg;
  const family = FAMILY[alg.name];
  const parts = natives.cryptoExport(k.handle, 'jwk');
  const jwk = {};
  if (family === 'aes' || family === 'hmac') {
    put(jwk, 'kty', 'oct');
    put(jwk, 'k', b64urlEncode(parts.k));
  } else if (family === 'rsa') {
    put(jwk, 'kty', 'RSA');
    for (let i = 0; i < RSA_MEMBERS.length; i++) {
      const m = RSA_MEMBERS[i];
      if (parts[m] !== undefined) put(jwk, m, b64urlEncode(parts[m]));
    }
  } else {
    put(jwk, 'kty', family === 'ec' ? 'EC' : 'OKP');
    put(jwk, 'crv', family === 'ec' ? alg.namedCurve : okpCurve(alg.name));
    put(jwk, 'x', b64urlEncode(parts.x));
    if (family === 'ec') put(jwk, 'y', b64urlEncode(parts.y));
    if (parts.d !== undefined) put(jwk, 'd', b64urlEncode(parts.d));
  }
  const a = exportAlgFor(alg);
  if (a !== undefined) put(jwk, 'alg', a);
  put(jwk, 'key_ops', usageList(k.usages));
  put(jwk, 'ext', k.extractable);
  return jwk;
}

// ---------------------------------------------------------------- operations

function checkKeyFor(norm, k, usage, what) {
  if (norm.name !== k.alg.name) throw Access(`The key is for ${k.alg.name}, not ${norm.name}.`);
  if ((k.usages & usage) === 0) throw Access(`The key does not allow ${what}.`);
}

// the native's name for a signing algorithm
const signAlg = (name) => (name === 'NODE-ED25519' ? 'Ed25519' : name);

function sign(norm, k, data) {
  checkKeyFor(norm, k, SIGN, 'sign');
  if (k.type !== (norm.name === 'HMAC' ? 'secret' : 'private')) throw Access('The key cannot sign.');
  const hash = norm.name === 'ECDSA' ? norm.hash : k.alg.hash;
  return natives.cryptoSign(signAlg(norm.name), k.handle, hash, norm.saltLength, data);
}

function verify(norm, k, signature, data) {
  checkKeyFor(norm, k, VERIFY, 'verify');
  if (k.type !== (norm.name === 'HMAC' ? 'secret' : 'public')) throw Access('The key cannot verify.');
  const hash = norm.name === 'ECDSA' ? norm.hash : k.alg.hash;
  return natives.cryptoVerify(signAlg(norm.name), k.handle, hash, norm.saltLength, signature, data);
}

const GCM_TAGS = [32, 64, 96, 104, 112, 120, 128];

// encrypt, decrypt, and the wrapping and unwrapping done by encryption
function cipher(norm, k, usage, data) {
  const name = norm.name;
  switch (name) {
  case 'AES-CBC':
    if (byteLength(norm.iv) !== 16) throw Operation('AES-CBC iv must be 16 bytes.');
    return natives.cryptoCipher(name, usage, k.handle, data, norm.iv, undefined, undefined);
  case 'AES-CTR':
    if (byteLength(norm.counter) !== 16) throw Operation('AES-CTR counter must be 16 bytes.');
    if (norm.length === 0 || norm.length > 128) throw Operation('AES-CTR length must be from 1 to 128.');
    return natives.cryptoCipher(name, usage, k.handle, data, norm.counter, undefined, norm.length);
  case 'AES-GCM': {
    const tag = norm.tagLength === undefined ? 128 : norm.tagLength;
    let ok = false;
    for (let i = 0; i < GCM_TAGS.length; i++) if (GCM_TAGS[i] === tag) ok = true;
    if (!ok) throw Operation('AES-GCM tagLength must be 32, 64, 96, 104, 112, 120 or 128.');
    if ((usage === DECRYPT || usage === UNWRAP) && byteLength(data) < tag / 8) throw Operation('AES-GCM data is shorter than its tag.');
    return natives.cryptoCipher(name, usage, k.handle, data, norm.iv, norm.additionalData, tag);
  }
  case 'AES-KW':
    return natives.cryptoCipher(name, usage, k.handle, data, undefined, undefined, undefined);
  case 'RSA-OAEP':
    if (k.type !== (usage === ENCRYPT || usage === WRAP ? 'public' : 'private')) throw Access('The key cannot do that.');
    return natives.cryptoCipher(name, usage, k.handle, data, k.alg.hash, norm.label, undefined);
  }
  throw NotSupported(`${name} cannot encrypt.`);
}

function deriveBits(norm, k, length, usage) {
  const name = norm.name;
  if (name === 'ECDH' || name === 'X25519') {
    if (k.type !== 'private') throw Access('The base key must be a private key.');
    const pub = keyOf(norm.public);
    if (pub.type !== 'public') throw Access('The public key must be a public key.');
    if (pub.alg.name !== k.alg.name) throw Access('The public key is not for the same algorithm.');
    if (name === 'ECDH' && pub.alg.namedCurve !== k.alg.namedCurve) throw Access('The public key is on another curve.');
    return natives.cryptoDerive(name, usage, k.handle, pub.handle, undefined, undefined, length);
  }
  if (length === null) throw Operation(`${name} needs a length.`);
  if (length % 8 !== 0) throw Operation(`${name} length must be a multiple of 8.`);
  if (name === 'PBKDF2') {
    if (length === 0) throw Operation('PBKDF2 length must not be zero.');
    if (norm.iterations === 0) throw Operation('PBKDF2 iterations must not be zero.');
    return natives.cryptoDerive(name, usage, k.handle, norm.hash, norm.salt, norm.iterations, length);
  }
  return natives.cryptoDerive(name, usage, k.handle, norm.hash, norm.salt, norm.info, length);
}

// "get key length" of a derived key's algorithm
function keyLength(alg) {
  switch (FAMILY[alg.name]) {
  case 'aes':
    if (alg.length !== 128 && alg.length !== 192 && alg.length !== 256) throw Operation('AES key length must be 128, 192 or 256 bits.');
    return alg.length;
  case 'hmac':
    if (alg.length === undefined) return HMAC_BLOCK[alg.hash];
    if (alg.length === 0) throw TypeErr('HMAC key length must not be zero.');
    return alg.length;
  }
  return null;
}

function rawData(bytes) {
  const d = record();
  d.bytes = bytes;
  return d;
}

function jwkData(jwk) {
  const d = record();
  d.jwk = jwk;
  return d;
}

// ---------------------------------------------------------------- SubtleCrypto

let subtle;
let isSubtle;

// a method called on anything but a SubtleCrypto: WebIDL's TypeError
function checkThis(self, what) {
  if (!isSubtle(self)) throw TypeErr(`Failed to execute '${what}' on 'SubtleCrypto': Illegal invocation`);
}

// The frame of every method that returns a promise: WebIDL's checks of
// `this` and of the number of arguments, then `steps`; whatever throws
// rejects the promise instead.
function promised(self, op, argc, got, steps) {
  try {
    checkThis(self, op);
    requireArgs(argc, got, `Failed to execute '${op}' on 'SubtleCrypto'`);
    return steps();
  } catch (e) {
    return PromiseReject(e);
  }
}

class SubtleCrypto {
  #brand = true;

  constructor(token) {
    if (token !== TOKEN) throw new TypeError('Illegal constructor');
  }

  static {
    isSubtle = (v) => v !== null && typeof v === 'object' && #brand in v;
  }

  digest(algorithm, data) {
    return promised(this, 'digest', 2, arguments.length, () => {
      const bytes = bufferSource(data, 'digest', typeof algorithm !== 'string');
      const norm = normalize('digest', algorithm);
      return later(() => natives.cryptoDigest(norm.name, bytes));
    });
  }

  encrypt(algorithm, key, data) {
    return crypt(this, arguments.length, algorithm, key, data, 'encrypt', ENCRYPT);
  }

  decrypt(algorithm, key, data) {
    return crypt(this, arguments.length, algorithm, key, data, 'decrypt', DECRYPT);
  }

  sign(algorithm, key, data) {
    return promised(this, 'sign', 3, arguments.length, () => {
      const k = requireKey(key, 'sign');
      const bytes = bufferSource(data, 'sign', typeof algorithm !== 'string');
      const norm = normalize('sign', algorithm);
      return later(() => sign(norm, k, bytes));
    });
  }

  verify(algorithm, key, signature, data) {
    return promised(this, 'verify', 4, arguments.length, () => {
      const k = requireKey(key, 'verify');
      const copy = typeof algorithm !== 'string';
      const sig = bufferSource(signature, 'verify', copy);
      const bytes = bufferSource(data, 'verify', copy);
      const norm = normalize('verify', algorithm);
      return later(() => verify(norm, k, sig, bytes));
    });
  }

  generateKey(algorithm, extractable, keyUsages) {
    return promised(this, 'generateKey', 3, arguments.length, () => {
      extractable = !!extractable;
      const usages = toUsages(keyUsages, 'generateKey');
      const norm = normalize('generateKey', algorithm);
      checkGenerateParams(norm);
      return later(() => generate(norm, extractable, usages));
    });
  }

  deriveKey(algorithm, baseKey, derivedKeyType, extractable, keyUsages) {
    return promised(this, 'deriveKey', 5, arguments.length, () => {
      const k = requireKey(baseKey, 'deriveKey');
      extractable = !!extractable;
      const usages = toUsages(keyUsages, 'deriveKey');
      const norm = normalize('deriveBits', algorithm);
      const importAlg = normalize('importKey', derivedKeyType);
      const lengthAlg = normalize('get key length', derivedKeyType);
      return later(() => {
        checkKeyFor(norm, k, DERIVE_KEY, 'deriveKey');
        const length = keyLength(lengthAlg);
        const bits = deriveBits(norm, k, length, DERIVE_KEY);
        return importKey('raw', rawData(bits), importAlg, extractable, usages);
      });
    });
  }

  deriveBits(algorithm, baseKey, length = null) {
    return promised(this, 'deriveBits', 2, arguments.length, () => {
      const k = requireKey(baseKey, 'deriveBits');
      const len = length === null || length === undefined ? null : toULong(length);
      const norm = normalize('deriveBits', algorithm);
      return later(() => {
        checkKeyFor(norm, k, DERIVE_BITS, 'deriveBits');
        return deriveBits(norm, k, len, DERIVE_BITS);
      });
    });
  }

  importKey(format, keyData, algorithm, extractable, keyUsages) {
    return promised(this, 'importKey', 5, arguments.length, () => {
      format = toFormat(format, 'importKey');
      let data;
      if (isBufferSource(keyData)) {
        data = rawData(keyData);
      } else if (keyData === null || keyData === undefined || typeof keyData === 'object' || typeof keyData === 'function') {
        data = jwkData(toJwk(keyData));
      } else {
        throw TypeErr("importKey: The provided value is not of type '(ArrayBuffer or ArrayBufferView or JsonWebKey)'.");
      }
      extractable = !!extractable;
      const usages = toUsages(keyUsages, 'importKey');
      const norm = normalize('importKey', algorithm);
      if (format === 'jwk' ? data.jwk === undefined : data.bytes === undefined) {
        throw TypeErr(`importKey: key data of the wrong type for the '${format}' format.`);
      }
      return later(() => importKey(format, data, norm, extractable, usages));
    });
  }

  exportKey(format, key) {
    return promised(this, 'exportKey', 2, arguments.length, () => {
      format = toFormat(format, 'exportKey');
      const k = requireKey(key, 'exportKey');
      return later(() => exportKey(format, k));
    });
  }

  wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    return promised(this, 'wrapKey', 4, arguments.length, () => {
      format = toFormat(format, 'wrapKey');
      const k = requireKey(key, 'wrapKey');
      const wk = requireKey(wrappingKey, 'wrapKey');
      const norm = normalizeWrap('wrapKey', 'encrypt', wrapAlgorithm);
      return later(() => {
        checkKeyFor(norm, wk, WRAP, 'wrapKey');
        let bytes = exportKey(format, k);
        if (format === 'jwk') bytes = utf8Encode(JSONStringify(bytes));
        return cipher(norm, wk, WRAP, bytes);
      });
    });
  }

  unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, keyUsages) {
    return promised(this, 'unwrapKey', 7, arguments.length, () => {
      format = toFormat(format, 'unwrapKey');
      const wrapped = bufferSource(wrappedKey, 'unwrapKey', true);
      const uk = requireKey(unwrappingKey, 'unwrapKey');
      extractable = !!extractable;
      const usages = toUsages(keyUsages, 'unwrapKey');
      const norm = normalizeWrap('unwrapKey', 'decrypt', unwrapAlgorithm);
      const importAlg = normalize('importKey', unwrappedKeyAlgorithm);
      return later(() => {
        checkKeyFor(norm, uk, UNWRAP, 'unwrapKey');
        const bytes = cipher(norm, uk, UNWRAP, wrapped);
        let data;
        if (format === 'jwk') {
          let parsed;
          try {
            parsed = JSONParse(utf8Decode(new Uint8ArrayCtor(bytes), true));
          } catch {
            throw DataErr('The unwrapped key is not a JWK.');
          }
          if (parsed === null || typeof parsed !== 'object') throw DataErr('The unwrapped key is not a JWK.');
          data = jwkData(toJwk(parsed));
        } else {
          data = rawData(bytes);
        }
        return importKey(format, data, importAlg, extractable, usages);
      });
    });
  }

  // workerd's extension: constant-time comparison, synchronous
  timingSafeEqual(a, b) {
    checkThis(this, 'timingSafeEqual');
    requireArgs(2, arguments.length, "Failed to execute 'timingSafeEqual' on 'SubtleCrypto'");
    if (!isBufferSource(a) || !isBufferSource(b)) throw TypeErr('timingSafeEqual: arguments must be ArrayBuffers or ArrayBufferViews.');
    if (byteLength(a) !== byteLength(b)) throw TypeErr('Input buffers must have the same byte length');
    return natives.cryptoEqual(a, b);
  }
}

function crypt(self, argc, algorithm, key, data, op, usage) {
  return promised(self, op, 3, argc, () => {
    const k = requireKey(key, op);
    const bytes = bufferSource(data, op, typeof algorithm !== 'string');
    const norm = normalize(op, algorithm);
    return later(() => {
      checkKeyFor(norm, k, usage, op);
      return cipher(norm, k, usage, bytes);
    });
  });
}

ObjectDefineProperty(SubtleCrypto.prototype.deriveBits, 'length', { value: 2 });
webIDLClass(SubtleCrypto, 'SubtleCrypto');
subtle = new SubtleCrypto(TOKEN);

// ---------------------------------------------------------------- Crypto

const INTEGER_ARRAYS = record();
for (const t of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'BigInt64Array', 'BigUint64Array']) {
  INTEGER_ARRAYS[t] = true;
}

// randomUUID() takes its bytes from a pool refilled 4 KB at a time, as
// Node does: one call into OpenSSL per 256 UUIDs. Pool and hex table are
// made on first use, not in every isolate.
let HEX = null;
let uuidPool = null;
let uuidNext = 4096;

function uuidStart() {
  HEX = [];
  for (let i = 0; i < 256; i++) HEX[i] = (i < 16 ? '0' : '') + ReflectApply(NumberPrototypeToString, i, [16]);
  uuidPool = new Uint8ArrayCtor(4096);
}

class Crypto {
  #brand = true;

  constructor(token) {
    if (token !== TOKEN) throw new TypeError('Illegal constructor');
  }

  get subtle() {
    void this.#brand;
    return subtle;
  }

  getRandomValues(array) {
    void this.#brand;
    requireArgs(1, arguments.length, "Failed to execute 'getRandomValues' on 'Crypto'");
    if (!ArrayBufferIsView(array)) throw TypeErr("getRandomValues: parameter 1 is not of type 'ArrayBufferView'.");
    const tag = ReflectApply(typedArrayTag, array, []);
    if (tag === undefined || INTEGER_ARRAYS[tag] !== true) {
      throw domException('TypeMismatchError', 'getRandomValues: the array must be of an integer type.');
    }
    if (!isArrayBuffer(ReflectApply(typedArrayBuffer, array, []))) throw TypeErr('getRandomValues: the array must not be shared.');
    if (ReflectApply(typedArrayByteLength, array, []) > 65536) {
      throw domException('QuotaExceededError', `getRandomValues: the array of ${ReflectApply(typedArrayByteLength, array, [])}`
        + ' bytes exceeds the limit of 65536 bytes.');
    }
    natives.cryptoRandom(array);
    return array;
  }

  randomUUID() {
    void this.#brand;
    if (uuidNext === 4096) {
      if (uuidPool === null) uuidStart();
      natives.cryptoRandom(uuidPool);
      uuidNext = 0;
    }
    const b = uuidPool, i = uuidNext;
    uuidNext += 16;
    const v = HEX[(b[i + 6] & 0x0f) | 0x40], r = HEX[(b[i + 8] & 0x3f) | 0x80];
    return `${HEX[b[i]]}${HEX[b[i + 1]]}${HEX[b[i + 2]]}${HEX[b[i + 3]]}-${HEX[b[i + 4]]}${HEX[b[i + 5]]}-${v}${HEX[b[i + 7]]}-`
      + `${r}${HEX[b[i + 9]]}-${HEX[b[i + 10]]}${HEX[b[i + 11]]}${HEX[b[i + 12]]}${HEX[b[i + 13]]}${HEX[b[i + 14]]}${HEX[b[i + 15]]}`;
  }
}

webIDLClass(Crypto, 'Crypto');

for (const [name, value] of [['Crypto', Crypto], ['SubtleCrypto', SubtleCrypto], ['CryptoKey', CryptoKey],
  ['crypto', new Crypto(TOKEN)]]) {
  ObjectDefineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}
