// node:buffer: Buffer as Node's (a Uint8Array subclass: Buffer.from,
// alloc, allocUnsafe, concat, compare, byteLength, isEncoding; toString,
// write, fill, indexOf, copy, compare, equals, slice/subarray sharing
// memory, swap16/32/64, the read/write methods of every width), with Node's
// errors and their codes; constants, kMaxLength, atob, btoa, isUtf8,
// isAscii.
//
// Written for this runtime rather than taken from the npm `buffer`
// package: that one encodes and decodes strings in JS through arrays of
// numbers (a 10 MB string would need some 160 MB of heap), and throws
// errors without Node's codes. Here strings cross through the runtime's
// natives (UTF-8 and the other encodings in C++, against the isolate's
// memory budget) and the checks are Node's.
//
// allocUnsafe hands out zeroed memory from no shared pool: nothing of one
// request's data can show in another's buffer.

'use strict';

const { stringBytes, bytesString, utf8Length, utf8Encode, utf8Decode } = binding;
const { error, warn, validateNumber, validateString } = require('errors');
const types = require('types');

const kMaxLength = 2 ** 32;
const kStringMaxLength = 2 ** 29 - 24;

class FastBuffer extends Uint8Array {
  // eslint-disable-next-line no-useless-constructor
  constructor(bufferOrLength, byteOffset, length) {
    super(bufferOrLength, byteOffset, length);
  }
}

let warnedConstructor = false;

function Buffer(arg, encodingOrOffset, length) {
  if (!warnedConstructor) {
    warnedConstructor = true;
    warn('Buffer() is deprecated due to security and usability issues. Please use the Buffer.alloc(), '
      + 'Buffer.allocUnsafe(), or Buffer.from() methods instead.', 'DeprecationWarning', 'DEP0005');
  }
  if (typeof arg === 'number') {
    if (typeof encodingOrOffset === 'string') throw error('ERR_INVALID_ARG_TYPE', 'string', 'string', arg);
    return Buffer.alloc(arg);
  }
  return Buffer.from(arg, encodingOrOffset, length);
}

Object.defineProperty(Buffer, Symbol.species, { get() { return FastBuffer; }, configurable: true });
Buffer.prototype = FastBuffer.prototype;
Object.defineProperty(Buffer.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });
Object.setPrototypeOf(Buffer, Uint8Array);

const asBuffer = (u8) => new FastBuffer(u8.buffer, u8.byteOffset, u8.length);
const isUint8Array = types.isUint8Array;

// ---------------------------------------------------------------- encodings

// the view of `buf` bytes start..end as a Uint8Array
const bytesOf = (buf, start, end) => new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);

function base64Length(str) {
  let n = str.length;
  if (str.charCodeAt(n - 1) === 0x3d) n--;
  if (n > 1 && str.charCodeAt(n - 1) === 0x3d) n--;
  return (n * 3) >>> 2;
}

// Each encoding: its byte length for a string, its bytes, its string of
// bytes start..end (made in C++ by bytesString's encoding `code`, at most
// chars(n) characters for n bytes), and how to cut its bytes to fit `n`
// (whole characters).
function encoding(byteLength, encode, code, chars, fit = (bytes, n) => n) {
  return {
    byteLength,
    encode,
    decode: (buf, start, end) => {
      if (chars(end - start) > kStringMaxLength) throw error('ERR_STRING_TOO_LONG');
      return code === 0 ? utf8Decode(bytesOf(buf, start, end), false) : bytesString(buf, code, start, end);
    },
    fit,
  };
}

const sameLength = (s) => s.length;
const asMany = (n) => n;
const base64Chars = (n) => Math.ceil(n / 3) * 4;
const ENCODINGS = {
  __proto__: null,
  // no character cut in the middle
  utf8: encoding((s) => utf8Length(s), (s) => utf8Encode(s), 0, asMany, (bytes, n) => {
    if (n < bytes.length) while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--;
    return n;
  }),
  utf16le: encoding((s) => s.length * 2, (s) => stringBytes(s, 2), 2, (n) => n >>> 1, (bytes, n) => n & ~1),
  latin1: encoding(sameLength, (s) => stringBytes(s, 1), 1, asMany),
  ascii: encoding(sameLength, (s) => stringBytes(s, 1), 6, asMany),
  base64: encoding(base64Length, (s) => stringBytes(s, 4), 4, base64Chars),
  base64url: encoding(base64Length, (s) => stringBytes(s, 4), 5, base64Chars),
  hex: encoding((s) => s.length >>> 1, (s) => stringBytes(s, 3), 3, (n) => n * 2),
};

function normalizeEncoding(enc) {
  switch (`${enc}`.toLowerCase()) {
    case 'utf8': case 'utf-8': return 'utf8';
    case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
    case 'latin1': case 'binary': return 'latin1';
    case 'ascii': return 'ascii';
    case 'base64': return 'base64';
    case 'base64url': return 'base64url';
    case 'hex': return 'hex';
    default: return undefined;
  }
}

// the encoding's operations, or undefined
const opsOf = (enc) => ENCODINGS[normalizeEncoding(enc)];

// ---------------------------------------------------------------- checks

function boundsError(value, length, type) {
  if (Math.floor(value) !== value) {
    validateNumber(value, type || 'offset');
    throw error('ERR_OUT_OF_RANGE', type || 'offset', 'an integer', value);
  }
  if (length < 0) throw error('ERR_BUFFER_OUT_OF_BOUNDS');
  throw error('ERR_OUT_OF_RANGE', type || 'offset', `>= ${type ? 1 : 0} and <= ${length}`, value);
}

// offset..offset+size within buf
function checkBounds(buf, offset, size) {
  validateNumber(offset, 'offset');
  if (buf[offset] === undefined || buf[offset + size - 1] === undefined) boundsError(offset, buf.length - size);
}

function validateOffset(value, name, min = 0, max = kMaxLength) {
  if (typeof value !== 'number') throw error('ERR_INVALID_ARG_TYPE', name, 'number', value);
  if (!Number.isInteger(value)) throw error('ERR_OUT_OF_RANGE', name, 'an integer', value);
  if (value < min || value > max) throw error('ERR_OUT_OF_RANGE', name, `>= ${min} && <= ${max}`, value);
}

function checkSize(size) {
  validateNumber(size, 'size', 0, kMaxLength);
}

const notBuffer = (name, value) => error('ERR_INVALID_ARG_TYPE', name, ['Buffer', 'Uint8Array'], value);

// ---------------------------------------------------------------- statics

function fromString(string, encoding) {
  let ops;
  if (typeof encoding !== 'string' || encoding.length === 0) {
    if (string.length === 0) return new FastBuffer();
    ops = ENCODINGS.utf8;
  } else {
    ops = opsOf(encoding);
    if (ops === undefined) throw error('ERR_UNKNOWN_ENCODING', encoding);
  }
  return asBuffer(ops.encode(string));
}

function fromArrayBuffer(ab, byteOffset, length) {
  if (byteOffset === undefined) {
    byteOffset = 0;
  } else {
    byteOffset = +byteOffset;
    if (Number.isNaN(byteOffset)) byteOffset = 0;
  }
  const maxLength = ab.byteLength - byteOffset;
  if (maxLength < 0) throw error('ERR_BUFFER_OUT_OF_BOUNDS', 'offset');
  if (length === undefined) {
    length = maxLength;
  } else {
    length = +length;
    if (length > 0) {
      if (length > maxLength) throw error('ERR_BUFFER_OUT_OF_BOUNDS', 'length');
    } else {
      length = 0;
    }
  }
  return new FastBuffer(ab, byteOffset, length);
}

function fromArrayLike(obj) {
  if (obj.length <= 0) return new FastBuffer();
  const b = new FastBuffer(obj.length);
  Uint8Array.prototype.set.call(b, obj, 0);
  return b;
}

function fromObject(obj) {
  if (obj.length !== undefined || types.isAnyArrayBuffer(obj.buffer)) {
    if (typeof obj.length !== 'number') return new FastBuffer();
    return fromArrayLike(obj);
  }
  if (obj.type === 'Buffer' && Array.isArray(obj.data)) return fromArrayLike(obj.data);
  return undefined;
}

Buffer.from = function from(value, encodingOrOffset, length) {
  if (typeof value === 'string') return fromString(value, encodingOrOffset);
  if (typeof value === 'object' && value !== null) {
    if (types.isAnyArrayBuffer(value)) return fromArrayBuffer(value, encodingOrOffset, length);
    const valueOf = value.valueOf && value.valueOf();
    if (valueOf != null && valueOf !== value && (typeof valueOf === 'string' || typeof valueOf === 'object')) {
      return from(valueOf, encodingOrOffset, length);
    }
    const b = fromObject(value);
    if (b) return b;
    if (typeof value[Symbol.toPrimitive] === 'function') {
      const primitive = value[Symbol.toPrimitive]('string');
      if (typeof primitive === 'string') return fromString(primitive, encodingOrOffset);
    }
  }
  throw error('ERR_INVALID_ARG_TYPE', 'first argument',
    ['string', 'Buffer', 'ArrayBuffer', 'Array', 'Array-like Object'], value);
};

Buffer.of = function of(...items) {
  const b = new FastBuffer(items.length);
  for (let i = 0; i < items.length; i++) b[i] = items[i];
  return b;
};

Buffer.copyBytesFrom = function copyBytesFrom(view, offset, length) {
  if (!types.isTypedArray(view)) throw error('ERR_INVALID_ARG_TYPE', 'view', ['TypedArray'], view);
  const count = view.length;
  if (count === 0) return new FastBuffer();
  if (offset !== undefined || length !== undefined) {
    if (offset !== undefined) {
      validateOffset(offset, 'offset', 0);
      if (offset >= count) return new FastBuffer();
    } else {
      offset = 0;
    }
    let end;
    if (length !== undefined) {
      validateOffset(length, 'length', 0);
      end = Math.min(offset + length, count);
    } else {
      end = count;
    }
    view = view.subarray(offset, end);
  }
  return asBuffer(new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)));
};

Buffer.alloc = function alloc(size, fill, encoding) {
  checkSize(size);
  if (fill !== undefined && fill !== 0 && size > 0) return fillBuffer(new FastBuffer(size), fill, 0, size, encoding);
  return new FastBuffer(size);
};

// zeroed too: no memory is handed out that held anything before
Buffer.allocUnsafe = function allocUnsafe(size) {
  checkSize(size);
  return new FastBuffer(size);
};

Buffer.allocUnsafeSlow = function allocUnsafeSlow(size) {
  checkSize(size);
  return new FastBuffer(size);
};

Buffer.isBuffer = function isBuffer(b) {
  return b instanceof Buffer;
};

function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

Buffer.compare = function compare(buf1, buf2) {
  if (!isUint8Array(buf1)) throw notBuffer('buf1', buf1);
  if (!isUint8Array(buf2)) throw notBuffer('buf2', buf2);
  if (buf1 === buf2) return 0;
  return compareBytes(buf1, buf2);
};

Buffer.isEncoding = function isEncoding(encoding) {
  return typeof encoding === 'string' && encoding.length !== 0 && normalizeEncoding(encoding) !== undefined;
};

Buffer.concat = function concat(list, length) {
  if (!Array.isArray(list)) throw error('ERR_INVALID_ARG_TYPE', 'list', 'Array', list);
  if (list.length === 0) return new FastBuffer();
  if (length === undefined) {
    length = 0;
    for (const b of list) if (b.length) length += b.length;
  } else {
    validateOffset(length, 'length');
  }
  const out = new FastBuffer(length);
  let pos = 0;
  for (let i = 0; i < list.length; i++) {
    const b = list[i];
    if (!isUint8Array(b)) throw error('ERR_INVALID_ARG_TYPE', `list[${i}]`, ['Buffer', 'Uint8Array'], b);
    pos += copyBytes(b, out, pos, 0, b.length);
  }
  return out;
};

Buffer.byteLength = function byteLength(string, encoding) {
  if (typeof string !== 'string') {
    if (types.isArrayBufferView(string) || types.isAnyArrayBuffer(string)) return string.byteLength;
    throw error('ERR_INVALID_ARG_TYPE', 'string', ['string', 'Buffer', 'ArrayBuffer'], string);
  }
  if (string.length === 0) return 0;
  const ops = encoding ? opsOf(encoding) : undefined;
  return (ops || ENCODINGS.utf8).byteLength(string);
};

Buffer.poolSize = 8 * 1024;

// ---------------------------------------------------------------- prototype

const proto = Buffer.prototype;

for (const name of ['parent', 'offset']) {
  Object.defineProperty(proto, name, {
    enumerable: true,
    configurable: true,
    get() {
      if (!(this instanceof Buffer)) return undefined;
      return name === 'parent' ? this.buffer : this.byteOffset;
    },
  });
}

// source[sourceStart..sourceEnd] into target at targetStart, as much as fits
function copyBytes(source, target, targetStart, sourceStart, sourceEnd) {
  if (sourceEnd - sourceStart > target.byteLength - targetStart) sourceEnd = sourceStart + target.byteLength - targetStart;
  let n = sourceEnd - sourceStart;
  if (n > source.byteLength - sourceStart) n = source.byteLength - sourceStart;
  if (n <= 0) return 0;
  new Uint8Array(target.buffer, target.byteOffset, target.byteLength)
    .set(new Uint8Array(source.buffer, source.byteOffset + sourceStart, n), targetStart);
  return n;
}

function toInteger(n, fallback) {
  n = +n;
  if (!Number.isNaN(n) && n >= Number.MIN_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER) return n % 1 === 0 ? n : Math.floor(n);
  return fallback;
}

proto.copy = function copy(target, targetStart, sourceStart, sourceEnd) {
  if (!ArrayBuffer.isView(this)) throw error('ERR_INVALID_ARG_TYPE', 'source', ['Buffer', 'Uint8Array'], this);
  if (!ArrayBuffer.isView(target)) throw notBuffer('target', target);
  if (targetStart === undefined) {
    targetStart = 0;
  } else {
    targetStart = Number.isInteger(targetStart) ? targetStart : toInteger(targetStart, 0);
    if (targetStart < 0) throw error('ERR_OUT_OF_RANGE', 'targetStart', '>= 0', targetStart);
  }
  if (sourceStart === undefined) {
    sourceStart = 0;
  } else {
    sourceStart = Number.isInteger(sourceStart) ? sourceStart : toInteger(sourceStart, 0);
    if (sourceStart < 0 || sourceStart > this.byteLength) {
      throw error('ERR_OUT_OF_RANGE', 'sourceStart', `>= 0 && <= ${this.byteLength}`, sourceStart);
    }
  }
  if (sourceEnd === undefined) {
    sourceEnd = this.byteLength;
  } else {
    sourceEnd = Number.isInteger(sourceEnd) ? sourceEnd : toInteger(sourceEnd, 0);
    if (sourceEnd < 0) throw error('ERR_OUT_OF_RANGE', 'sourceEnd', '>= 0', sourceEnd);
  }
  if (targetStart >= target.byteLength || sourceStart >= sourceEnd) return 0;
  return copyBytes(this, target, targetStart, sourceStart, sourceEnd);
};

proto.toString = function toString(encoding, start, end) {
  if (arguments.length === 0) return ENCODINGS.utf8.decode(this, 0, this.length);
  const len = this.length;
  if (start <= 0) start = 0;
  else if (start >= len) return '';
  else start = Math.trunc(start) || 0;
  if (end === undefined || end > len) end = len;
  else end = Math.trunc(end) || 0;
  if (end <= start) return '';
  if (encoding === undefined) return ENCODINGS.utf8.decode(this, start, end);
  const ops = opsOf(encoding);
  if (ops === undefined) throw error('ERR_UNKNOWN_ENCODING', encoding);
  return ops.decode(this, start, end);
};
proto.toLocaleString = proto.toString;

proto.equals = function equals(otherBuffer) {
  if (!isUint8Array(otherBuffer)) throw notBuffer('otherBuffer', otherBuffer);
  if (this === otherBuffer) return true;
  return this.byteLength === otherBuffer.byteLength && compareBytes(this, otherBuffer) === 0;
};

proto.compare = function compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
  if (!isUint8Array(target)) throw notBuffer('target', target);
  if (arguments.length === 1) return compareBytes(this, target);
  if (targetStart === undefined) targetStart = 0;
  else validateOffset(targetStart, 'targetStart');
  if (targetEnd === undefined) targetEnd = target.length;
  else validateOffset(targetEnd, 'targetEnd', 0, target.length);
  if (sourceStart === undefined) sourceStart = 0;
  else validateOffset(sourceStart, 'sourceStart');
  if (sourceEnd === undefined) sourceEnd = this.length;
  else validateOffset(sourceEnd, 'sourceEnd', 0, this.length);
  if (sourceStart >= sourceEnd) return targetStart >= targetEnd ? 0 : -1;
  if (targetStart >= targetEnd) return 1;
  if (sourceStart > this.length) throw error('ERR_OUT_OF_RANGE', 'sourceStart', `>= 0 && <= ${this.length}`, sourceStart);
  if (targetStart > target.length) throw error('ERR_OUT_OF_RANGE', 'targetStart', `>= 0 && <= ${target.length}`, targetStart);
  return compareBytes(this.subarray(sourceStart, sourceEnd), target.subarray(targetStart, targetEnd));
};

// where a search of `size` bytes starts, or -1 (Node's offset rules)
function searchStart(length, offset, size, forward) {
  if (offset < 0) {
    if (offset + length >= 0) return length + offset;
    return forward || size === 0 ? 0 : -1;
  }
  if (offset + size <= length) return offset;
  if (size === 0) return length;
  return forward ? -1 : length - 1;
}

// needle in hay from `at`, forward or backward; `step` 2 for UTF-16 units
function search(hay, needle, at, forward, step) {
  const n = needle.length;
  const last = hay.length - n;
  const matches = (i) => {
    for (let k = 1; k < n; k++) if (hay[i + k] !== needle[k]) return false;
    return true;
  };
  if (forward) {
    for (let i = at; i <= last; i++) {
      i = Uint8Array.prototype.indexOf.call(hay, needle[0], i);
      if (i === -1 || i > last) return -1;
      if (i % step === 0 && matches(i)) return i;
    }
  } else {
    for (let i = Math.min(at, last); i >= 0; i--) {
      i = Uint8Array.prototype.lastIndexOf.call(hay, needle[0], i);
      if (i === -1) return -1;
      if (i % step === 0 && matches(i)) return i;
    }
  }
  return -1;
}

// `length`: how much of buf counts (a UTF-16 string is sought in whole
// units: an even length)
function indexOfBytes(buf, needle, offset, forward, utf16, length = buf.length) {
  const at = searchStart(length, Math.trunc(offset), needle.length, forward);
  if (needle.length === 0) return at;
  if (length === 0 || at <= -1) return -1;
  if ((forward && needle.length + at > length) || needle.length > length) return -1;
  if (utf16) {
    if (buf.length < 2 || needle.length < 2) return -1;
    return search(buf, needle.subarray(0, needle.length & ~1), at - (at % 2), forward, 2);
  }
  return search(buf, needle, at, forward, 1);
}

function searchBuffer(buf, val, byteOffset, encoding, forward) {
  if (typeof byteOffset === 'string') {
    encoding = byteOffset;
    byteOffset = undefined;
  } else if (byteOffset > 0x7fffffff) {
    byteOffset = 0x7fffffff;
  } else if (byteOffset < -0x80000000) {
    byteOffset = -0x80000000;
  }
  byteOffset = +byteOffset;
  if (Number.isNaN(byteOffset)) byteOffset = forward ? 0 : buf.length;
  if (typeof val === 'number') {
    const at = searchStart(buf.length, Math.trunc(byteOffset), 1, forward);
    if (at <= -1 || buf.length === 0) return -1;
    const byte = (val >>> 0) & 255;
    return forward ? Uint8Array.prototype.indexOf.call(buf, byte, at)
      : Uint8Array.prototype.lastIndexOf.call(buf, byte, at);
  }
  const name = encoding === undefined ? 'utf8' : normalizeEncoding(encoding);
  if (typeof val === 'string') {
    if (name === undefined) throw error('ERR_UNKNOWN_ENCODING', encoding);
    const utf16 = name === 'utf16le';
    return indexOfBytes(buf, ENCODINGS[name].encode(val), byteOffset, forward, utf16, utf16 ? buf.length & ~1 : buf.length);
  }
  if (isUint8Array(val)) return indexOfBytes(buf, val, byteOffset, forward, name === 'utf16le');
  throw error('ERR_INVALID_ARG_TYPE', 'value', ['number', 'string', 'Buffer', 'Uint8Array'], val);
}

proto.indexOf = function indexOf(val, byteOffset, encoding) {
  return searchBuffer(this, val, byteOffset, encoding, true);
};
proto.lastIndexOf = function lastIndexOf(val, byteOffset, encoding) {
  return searchBuffer(this, val, byteOffset, encoding, false);
};
proto.includes = function includes(val, byteOffset, encoding) {
  return this.indexOf(val, byteOffset, encoding) !== -1;
};

function fillBuffer(buf, value, offset, end, encoding) {
  let name;
  if (typeof value === 'string') {
    if (offset === undefined || typeof offset === 'string') {
      encoding = offset;
      offset = 0;
      end = buf.length;
    } else if (typeof end === 'string') {
      encoding = end;
      end = buf.length;
    }
    name = encoding === undefined || encoding === null ? 'utf8' : normalizeEncoding(encoding);
    if (name === undefined) {
      validateString(encoding, 'encoding');
      throw error('ERR_UNKNOWN_ENCODING', encoding);
    }
    if (value.length === 0) {
      value = 0;
    } else if (value.length === 1) {
      const code = value.charCodeAt(0);
      if ((name === 'utf8' && code < 128) || name === 'latin1') value = code;
    }
  }
  if (offset === undefined) {
    offset = 0;
    end = buf.length;
  } else {
    validateOffset(offset, 'offset');
    if (end === undefined) end = buf.length;
    else validateOffset(end, 'end', 0, buf.length);
    if (offset >= end) return buf;
  }
  if (typeof value === 'string' || ArrayBuffer.isView(value)) {
    const bytes = typeof value === 'string' ? ENCODINGS[name].encode(value)
      : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (bytes.length === 0) throw error('ERR_INVALID_ARG_VALUE', 'value', value);
    if (offset > end || end > buf.byteLength) throw error('ERR_BUFFER_OUT_OF_BOUNDS');
    const target = new Uint8Array(buf.buffer, buf.byteOffset + offset, end - offset);
    // the pattern once, then doubled in place
    let done = Math.min(bytes.length, target.length);
    target.set(bytes.subarray(0, done));
    while (done < target.length) {
      const n = Math.min(done, target.length - done);
      target.copyWithin(done, 0, n);
      done += n;
    }
  } else {
    if (offset > end || end > buf.byteLength) throw error('ERR_BUFFER_OUT_OF_BOUNDS');
    Uint8Array.prototype.fill.call(buf, typeof value === 'number' ? value : value >>> 0, offset, end);
  }
  return buf;
}

proto.fill = function fill(value, offset, end, encoding) {
  return fillBuffer(this, value, offset, end, encoding);
};

function writeString(buf, ops, string, offset, length) {
  if (typeof string !== 'string') {
    const e = new TypeError('argument must be a string');
    e.code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
  if (length === 0 || string.length === 0) return 0;
  const bytes = ops.encode(string);
  const n = ops.fit(bytes, Math.min(bytes.length, length, buf.length - offset));
  new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).set(bytes.subarray(0, n), offset);
  return n;
}

proto.write = function write(string, offset, length, encoding) {
  if (offset === undefined) return writeString(this, ENCODINGS.utf8, string, 0, this.length);
  if (length === undefined && typeof offset === 'string') {
    encoding = offset;
    length = this.length;
    offset = 0;
  } else {
    validateOffset(offset, 'offset', 0, this.length);
    const remaining = this.length - offset;
    if (length === undefined) {
      length = remaining;
    } else if (typeof length === 'string') {
      encoding = length;
      length = remaining;
    } else {
      validateOffset(length, 'length', 0, this.length);
      if (length > remaining) length = remaining;
    }
  }
  if (!encoding) return writeString(this, ENCODINGS.utf8, string, offset, length);
  const ops = opsOf(encoding);
  if (ops === undefined) throw error('ERR_UNKNOWN_ENCODING', encoding);
  return writeString(this, ops, string, offset, length);
};

// buf.utf8Slice(start, end), buf.hexWrite(string, offset, length), ...
for (const [name, enc] of [['utf8', 'utf8'], ['ucs2', 'utf16le'], ['latin1', 'latin1'], ['ascii', 'ascii'],
  ['base64', 'base64'], ['base64url', 'base64url'], ['hex', 'hex']]) {
  const ops = ENCODINGS[enc];
  method(`${name}Slice`, function (start = 0, end = this.length) {
    start = Math.max(0, Math.min(this.length, Math.trunc(start) || 0));
    end = Math.max(start, Math.min(this.length, Math.trunc(end) || 0));
    return ops.decode(this, start, end);
  });
  method(`${name}Write`, function (string, offset = 0, length = this.length - offset) {
    if (offset < 0 || offset > this.length) throw error('ERR_BUFFER_OUT_OF_BOUNDS', 'offset');
    return writeString(this, ops, string, offset, Math.max(0, length));
  });
}

proto.toJSON = function toJSON() {
  const data = new Array(this.length);
  for (let i = 0; i < this.length; i++) data[i] = this[i];
  return { type: 'Buffer', data };
};

function adjustOffset(offset, length) {
  offset = Math.trunc(offset);
  if (offset === 0) return 0;
  if (offset < 0) {
    offset += length;
    return offset > 0 ? offset : 0;
  }
  if (offset < length) return offset;
  return Number.isNaN(offset) ? 0 : length;
}

proto.subarray = function subarray(start, end) {
  const length = this.length;
  start = adjustOffset(start, length);
  end = end !== undefined ? adjustOffset(end, length) : length;
  return new FastBuffer(this.buffer, this.byteOffset + start, end > start ? end - start : 0);
};
proto.slice = function slice(start, end) {
  return this.subarray(start, end);
};

function swapper(size) {
  return function swap() {
    const len = this.length;
    if (len % size !== 0) throw error('ERR_INVALID_BUFFER_SIZE', `${size * 8}-bits`);
    for (let i = 0; i < len; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) {
        const t = this[a];
        this[a] = this[b];
        this[b] = t;
      }
    }
    return this;
  };
}
proto.swap16 = swapper(2);
proto.swap32 = swapper(4);
proto.swap64 = swapper(8);

proto.inspect = function inspect(recurseTimes, ctx) {
  const max = module.exports.INSPECT_MAX_BYTES;
  const shown = Math.min(max, this.length);
  const rest = this.length - max;
  let str = ENCODINGS.hex.decode(this, 0, shown).replace(/(.{2})/g, '$1 ').trim();
  if (rest > 0) str += ` ... ${rest} more byte${rest > 1 ? 's' : ''}`;
  if (ctx) {
    const extra = { __proto__: null };
    let any = false;
    const keys = ctx.showHidden ? Object.getOwnPropertyNames(this) : Object.keys(this);
    for (const key of keys) {
      if (/^(0|[1-9][0-9]*)$/.test(key)) continue;
      extra[key] = this[key];
      any = true;
    }
    if (any) {
      if (this.length !== 0) str += ', ';
      // "[Object: null prototype] {" and " }" cut off
      str += require('inspect').inspect(extra, { ...ctx, breakLength: Infinity, compact: true }).slice(27, -2);
    }
  }
  return `<${this.constructor.name} ${str}>`;
};
proto[Symbol.for('nodejs.util.inspect.custom')] = proto.inspect;

// ---------------------------------------------------------------- numbers

function readInt(buf, offset, size, le, signed) {
  checkBounds(buf, offset, size);
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + buf[offset + (le ? size - 1 - i : i)];
  if (signed && v >= 2 ** (size * 8 - 1)) v -= 2 ** (size * 8);
  return v;
}

function rangeOf(size, min, max, n = '') {
  if (size <= 4) return `>= ${min}${n} and <= ${max}${n}`;
  const bits = size * 8;
  return min === 0 || min === 0n
    ? `>= 0${n} and < 2${n} ** ${bits}${n}`
    : `>= -(2${n} ** ${bits - 1}${n}) and < 2${n} ** ${bits - 1}${n}`;
}

function writeInt(buf, value, offset, size, le, signed) {
  value = +value;
  const min = signed ? -(2 ** (size * 8 - 1)) : 0;
  const max = signed ? 2 ** (size * 8 - 1) - 1 : 2 ** (size * 8) - 1;
  // one byte: the offset's type is checked first, as in Node
  if (size === 1) validateNumber(offset, 'offset');
  if (value > max || value < min) throw error('ERR_OUT_OF_RANGE', 'value', rangeOf(size, min, max), value);
  checkBounds(buf, offset, size);
  let v = Math.trunc(value);
  if (v < 0) v += 2 ** (size * 8);
  for (let i = 0; i < size; i++) {
    buf[offset + (le ? i : size - 1 - i)] = v % 256;
    v = Math.floor(v / 256);
  }
  return offset + size;
}

function byteLengthOf(size) {
  if (size >= 1 && size <= 6 && Number.isInteger(size)) return size;
  return boundsError(size, 6, 'byteLength');
}

// a method of Buffer.prototype, named as Node's
function method(name, fn) {
  Object.defineProperty(fn, 'name', { value: name });
  proto[name] = fn;
}

for (const [bits, size] of [['8', 1], ['16', 2], ['32', 4]]) {
  for (const [end, le] of size === 1 ? [['', true]] : [['LE', true], ['BE', false]]) {
    method(`readUInt${bits}${end}`, function (offset = 0) { return readInt(this, offset, size, le, false); });
    method(`readInt${bits}${end}`, function (offset = 0) { return readInt(this, offset, size, le, true); });
    method(`writeUInt${bits}${end}`, function (value, offset = 0) { return writeInt(this, value, offset, size, le, false); });
    method(`writeInt${bits}${end}`, function (value, offset = 0) { return writeInt(this, value, offset, size, le, true); });
  }
}

for (const [end, le] of [['LE', true], ['BE', false]]) {
  method(`readUInt${end}`, function (offset, byteLength) {
    if (offset === undefined) throw error('ERR_INVALID_ARG_TYPE', 'offset', 'number', offset);
    return readInt(this, offset, byteLengthOf(byteLength), le, false);
  });
  method(`readInt${end}`, function (offset, byteLength) {
    if (offset === undefined) throw error('ERR_INVALID_ARG_TYPE', 'offset', 'number', offset);
    return readInt(this, offset, byteLengthOf(byteLength), le, true);
  });
  method(`writeUInt${end}`, function (value, offset, byteLength) {
    return writeInt(this, value, offset, byteLengthOf(byteLength), le, false);
  });
  method(`writeInt${end}`, function (value, offset, byteLength) {
    return writeInt(this, value, offset, byteLengthOf(byteLength), le, true);
  });

  method(`readBigUInt64${end}`, function (offset = 0) { return readBig(this, offset, le, false); });
  method(`readBigInt64${end}`, function (offset = 0) { return readBig(this, offset, le, true); });
  method(`writeBigUInt64${end}`, function (value, offset = 0) { return writeBig(this, value, offset, le, false); });
  method(`writeBigInt64${end}`, function (value, offset = 0) { return writeBig(this, value, offset, le, true); });

  method(`readFloat${end}`, function (offset = 0) { return readFloat(this, offset, 4, le); });
  method(`readDouble${end}`, function (offset = 0) { return readFloat(this, offset, 8, le); });
  method(`writeFloat${end}`, function (value, offset = 0) { return writeFloat(this, value, offset, 4, le); });
  method(`writeDouble${end}`, function (value, offset = 0) { return writeFloat(this, value, offset, 8, le); });
}

function readBig(buf, offset, le, signed) {
  checkBounds(buf, offset, 8);
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(buf[offset + (le ? 7 - i : i)]);
  return signed ? BigInt.asIntN(64, v) : v;
}

function writeBig(buf, value, offset, le, signed) {
  const min = signed ? -(2n ** 63n) : 0n;
  const max = signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
  if (value > max || value < min) throw error('ERR_OUT_OF_RANGE', 'value', rangeOf(8, min, max, 'n'), value);
  checkBounds(buf, offset, 8);
  // a Number here is the TypeError of mixing it with a BigInt, as in Node
  let v = BigInt.asUintN(64, value & 0xffffffffffffffffn);
  for (let i = 0; i < 8; i++) {
    buf[offset + (le ? i : 7 - i)] = Number(v & 0xffn);
    v >>= 8n;
  }
  return offset + 8;
}

// the bytes of a float in this machine's order (little-endian)
const float32 = new Float32Array(1);
const float64 = new Float64Array(1);
const bytes32 = new Uint8Array(float32.buffer);
const bytes64 = new Uint8Array(float64.buffer);

function readFloat(buf, offset, size, le) {
  checkBounds(buf, offset, size);
  const bytes = size === 4 ? bytes32 : bytes64;
  for (let i = 0; i < size; i++) bytes[le ? i : size - 1 - i] = buf[offset + i];
  return size === 4 ? float32[0] : float64[0];
}

function writeFloat(buf, value, offset, size, le) {
  value = +value;
  checkBounds(buf, offset, size);
  const bytes = size === 4 ? bytes32 : bytes64;
  if (size === 4) float32[0] = value;
  else float64[0] = value;
  for (let i = 0; i < size; i++) buf[offset + i] = bytes[le ? i : size - 1 - i];
  return offset + size;
}

// the Uint spellings Node has too: readUint8, writeBigUint64LE, ...
for (const name of Object.getOwnPropertyNames(proto)) {
  if (/^(read|write)(Big)?UInt/.test(name)) proto[name.replace('UInt', 'Uint')] = proto[name];
}

// ---------------------------------------------------------------- module

function bytesOfInput(input) {
  if (types.isAnyArrayBuffer(input)) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw error('ERR_INVALID_ARG_TYPE', 'input', ['ArrayBuffer', 'Buffer', 'TypedArray'], input);
}

function isAscii(input) {
  const b = bytesOfInput(input);
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return false;
  return true;
}

// strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF
function isUtf8(input) {
  const b = bytesOfInput(input);
  for (let i = 0; i < b.length;) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < lo || d > hi) return false;
      lo = 0x80;
      hi = 0xbf;
    }
    i += n + 1;
  }
  return true;
}

module.exports = {
  Buffer,
  kMaxLength,
  kStringMaxLength,
  constants: { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength },
  INSPECT_MAX_BYTES: 50,
  atob: binding.atob,
  btoa: binding.btoa,
  isAscii,
  isUtf8,
};
if (typeof binding.Blob === 'function') module.exports.Blob = binding.Blob;
