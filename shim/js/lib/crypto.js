// js/lib/crypto.js: Web Crypto's `crypto` (a `Crypto`: getRandomValues(),
// randomUUID(), and `subtle`) and `Crypto`, through OpenSSL in
// shim/crypto.cc.
//
// A library (js/README.md, "Libraries"): compiled in an isolate when a
// function first reads either global (js/40-crypto.js); its result is the
// two. `crypto.subtle` loads js/lib/subtle, the rest of Web Crypto, when first
// read.
//
// Parameters after natives and internal: the built-ins js/40-crypto.js
// captured when the snapshot was made: subtleLibrary (js/lib/subtle's
// loader), ArrayBufferIsView, NumberPrototypeToString, Uint8ArrayCtor,
// typedArrayTag, typedArrayBuffer, typedArrayByteLength, isArrayBuffer.

const { ReflectApply, domException, webIDLClass, libraryUsed } = internal;
const TOKEN = {};

function requireArgs(n, got, what) {
  if (got < n) throw new TypeError(`${what}: ${n} argument${n > 1 ? 's' : ''} required, but only ${got} present.`);
}

const INTEGER_ARRAYS = { __proto__: null };
{
  const names = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
    'BigInt64Array', 'BigUint64Array'];
  for (let i = 0; i < names.length; i++) INTEGER_ARRAYS[names[i]] = true;
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
    return subtleLibrary().subtle;
  }

  getRandomValues(array) {
    void this.#brand;
    requireArgs(1, arguments.length, "Failed to execute 'getRandomValues' on 'Crypto'");
    if (!ArrayBufferIsView(array)) throw new TypeError("getRandomValues: parameter 1 is not of type 'ArrayBufferView'.");
    const tag = ReflectApply(typedArrayTag, array, []);
    if (tag === undefined || INTEGER_ARRAYS[tag] !== true) {
      throw domException('TypeMismatchError', 'getRandomValues: the array must be of an integer type.');
    }
    if (!isArrayBuffer(ReflectApply(typedArrayBuffer, array, []))) throw new TypeError('getRandomValues: the array must not be shared.');
    if (ReflectApply(typedArrayByteLength, array, []) > 65536) {
      throw domException('QuotaExceededError', `getRandomValues: the array of ${ReflectApply(typedArrayByteLength, array, [])}`
        + ' bytes exceeds the limit of 65536 bytes.');
    }
    natives.cryptoRandom(array);
    libraryUsed('crypto');
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
    libraryUsed('crypto');
    return `${HEX[b[i]]}${HEX[b[i + 1]]}${HEX[b[i + 2]]}${HEX[b[i + 3]]}-${HEX[b[i + 4]]}${HEX[b[i + 5]]}-${v}${HEX[b[i + 7]]}-`
      + `${r}${HEX[b[i + 9]]}-${HEX[b[i + 10]]}${HEX[b[i + 11]]}${HEX[b[i + 12]]}${HEX[b[i + 13]]}${HEX[b[i + 14]]}${HEX[b[i + 15]]}`;
  }
}

webIDLClass(Crypto, 'Crypto');

return { Crypto, crypto: new Crypto(TOKEN) };
