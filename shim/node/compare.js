// node/compare.js: deep equality as Node's assert and util.isDeepStrictEqual
// see it. `strict`: primitives by Object.is (NaN is NaN, 0 is not -0),
// same prototypes, enumerable symbol keys count. Loose: primitives by ==,
// prototypes ignored. Both: the same Object.prototype.toString tag, own
// enumerable keys with equal values, Map/Set contents in any order, Date
// times, RegExp source/flags/lastIndex, error name and message, typed array
// and ArrayBuffer bytes, boxed primitives' values, circular structures.

'use strict';

const types = require('types');
const { valueDetails } = binding;

const { hasOwnProperty, propertyIsEnumerable, toString: ObjectToString } = Object.prototype;
const hasOwn = (o, k) => Reflect.apply(hasOwnProperty, o, [k]);
const isEnumerable = (o, k) => Reflect.apply(propertyIsEnumerable, o, [k]);
const tagOf = (o) => Reflect.apply(ObjectToString, o, []);
const DateGetTime = Date.prototype.getTime;
const isIndex = (k) => /^(0|[1-9][0-9]*)$/.test(k) && Number(k) < 2 ** 32 - 1;

const isError = (v) => types.isNativeError(v) || v instanceof Error;

function deepEqual(a, b, strict, memos) {
  if (a === b) return a !== 0 || !strict || Object.is(a, b);
  if (strict) {
    if (typeof a !== 'object') return typeof a === 'number' && Number.isNaN(a) && Number.isNaN(b);
    if (typeof b !== 'object' || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  } else {
    if (a === null || typeof a !== 'object') {
      if (b === null || typeof b !== 'object') {
        // eslint-disable-next-line eqeqeq
        return a == b || (Number.isNaN(a) && Number.isNaN(b));
      }
      return false;
    }
    if (b === null || typeof b !== 'object') return false;
  }
  if (tagOf(a) !== tagOf(b)) return false;

  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    const keysA = namedKeys(a, strict);
    if (keysA.length !== namedKeys(b, strict).length) return false;
    return keyCheck(a, b, strict, memos, 'array', keysA);
  }
  if (tagOf(a) === '[object Object]') return keyCheck(a, b, strict, memos, '');
  if (types.isDate(a)) {
    if (!types.isDate(b) || Reflect.apply(DateGetTime, a, []) !== Reflect.apply(DateGetTime, b, [])) return false;
  } else if (types.isRegExp(a)) {
    if (!types.isRegExp(b) || a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false;
  } else if (isError(a)) {
    // not the stacks: they differ for errors otherwise the same
    if (!isError(b) || a.message !== b.message || a.name !== b.name) return false;
  } else if (types.isArrayBufferView(a)) {
    if (!types.isArrayBufferView(b)) return false;
    if (!strict && (types.isFloat32Array(a) || types.isFloat64Array(a))) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    } else if (!sameBytes(a, b)) {
      return false;
    }
    const keysA = namedKeys(a, strict);
    if (keysA.length !== namedKeys(b, strict).length) return false;
    return keyCheck(a, b, strict, memos, '', keysA);
  } else if (types.isSet(a)) {
    if (!types.isSet(b) || a.size !== b.size) return false;
    return keyCheck(a, b, strict, memos, 'set');
  } else if (types.isMap(a)) {
    if (!types.isMap(b) || a.size !== b.size) return false;
    return keyCheck(a, b, strict, memos, 'map');
  } else if (types.isAnyArrayBuffer(a)) {
    if (!types.isAnyArrayBuffer(b) || !sameBytes(new Uint8Array(a), new Uint8Array(b))) return false;
  } else if (types.isBoxedPrimitive(a)) {
    if (!types.isBoxedPrimitive(b) || !sameBoxed(a, b)) return false;
  } else if (Array.isArray(b) || types.isArrayBufferView(b) || types.isSet(b) || types.isMap(b)
      || types.isDate(b) || types.isRegExp(b) || types.isAnyArrayBuffer(b) || types.isBoxedPrimitive(b)
      || isError(b)) {
    return false;
  }
  return keyCheck(a, b, strict, memos, '');
}

function sameBoxed(a, b) {
  const kind = binding.typeOf(a);
  return kind === binding.typeOf(b) && Object.is(valueDetails(a)[0], valueDetails(b)[0]);
}

function sameBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer || a, a.byteOffset || 0, a.byteLength);
  const y = new Uint8Array(b.buffer || b, b.byteOffset || 0, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// own enumerable keys that are not indexes (symbols too when strict)
function namedKeys(o, strict) {
  const keys = Object.keys(o).filter((k) => !isIndex(k));
  if (strict) for (const s of Object.getOwnPropertySymbols(o)) if (isEnumerable(o, s)) keys.push(s);
  return keys;
}

function enumerableSymbols(o) {
  return Object.getOwnPropertySymbols(o).filter((s) => isEnumerable(o, s));
}

function keyCheck(a, b, strict, memos, kind, keysA) {
  if (keysA === undefined) {
    keysA = Object.keys(a);
    if (keysA.length !== Object.keys(b).length) return false;
    for (const k of keysA) if (!isEnumerable(b, k)) return false;
    if (strict) {
      const symbols = enumerableSymbols(a);
      for (const s of symbols) {
        if (!isEnumerable(b, s)) return false;
        keysA.push(s);
      }
      if (enumerableSymbols(b).length !== symbols.length) return false;
    }
  } else {
    for (const k of keysA) if (!isEnumerable(b, k)) return false;
  }
  if (keysA.length === 0 && (kind === '' || (kind === 'array' && a.length === 0) || a.size === 0)) return true;

  // A pair met again while it is being compared (a cycle): equal as far
  // as it depends on itself, so that structures that unfold the same are.
  if (memos === undefined) memos = new Map();
  let against = memos.get(a);
  if (against === undefined) {
    against = new Set();
    memos.set(a, against);
  } else if (against.has(b)) {
    return true;
  }
  against.add(b);
  const equal = sameContents(a, b, strict, keysA, memos, kind);
  against.delete(b);
  if (against.size === 0) memos.delete(a);
  return equal;
}

function sameContents(a, b, strict, keys, memos, kind) {
  if (kind === 'set') {
    if (!sameSets(a, b, strict, memos)) return false;
  } else if (kind === 'map') {
    if (!sameMaps(a, b, strict, memos)) return false;
  } else if (kind === 'array') {
    for (let i = 0; i < a.length; i++) {
      if (hasOwn(a, i)) {
        if (!hasOwn(b, i) || !deepEqual(a[i], b[i], strict, memos)) return false;
      } else if (hasOwn(b, i)) {
        return false;
      } else {
        // sparse: the elements there are, by their keys
        const keysA = Object.keys(a);
        for (const k of keysA) {
          if (!hasOwn(b, k) || !deepEqual(a[k], b[k], strict, memos)) return false;
        }
        return keysA.length === Object.keys(b).length;
      }
    }
  }
  for (const k of keys) if (!deepEqual(a[k], b[k], strict, memos)) return false;
  return true;
}

const isObject = (v) => typeof v === 'object' && v !== null;

// Sets: what b has outright, then each remaining element of a matched
// with a distinct deep-equal one of b
function sameSets(a, b, strict, memos) {
  const pending = [];
  for (const v of a) {
    if (isObject(v) || !b.has(v)) {
      if (strict && !isObject(v) && !Number.isNaN(v)) return false;
      pending.push(v);
    }
  }
  if (pending.length === 0) return true;
  const candidates = [];
  for (const v of b) if (isObject(v) || !a.has(v)) candidates.push(v);
  return matchAll(pending, candidates, (x, y) => deepEqual(x, y, strict, memos));
}

function sameMaps(a, b, strict, memos) {
  const pending = [];
  for (const [k, v] of a) {
    if (!isObject(k) && b.has(k)) {
      if (deepEqual(v, b.get(k), strict, memos)) continue;
      if (strict) return false;
    } else if (strict && !isObject(k) && !Number.isNaN(k)) {
      return false;
    }
    pending.push([k, v]);
  }
  if (pending.length === 0) return true;
  const candidates = [];
  for (const [k, v] of b) {
    if (isObject(k) || !a.has(k) || !deepEqual(a.get(k), v, strict, memos)) candidates.push([k, v]);
  }
  return matchAll(pending, candidates,
    ([k1, v1], [k2, v2]) => deepEqual(k1, k2, strict, memos) && deepEqual(v1, v2, strict, memos));
}

function matchAll(pending, candidates, equal) {
  if (pending.length !== candidates.length) return false;
  const used = new Array(candidates.length).fill(false);
  for (const x of pending) {
    let found = false;
    for (let i = 0; i < candidates.length; i++) {
      if (!used[i] && equal(x, candidates[i])) {
        used[i] = true;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

module.exports = {
  isDeepEqual: (a, b) => deepEqual(a, b, false),
  isDeepStrictEqual: (a, b) => deepEqual(a, b, true),
};
