// js/lib/blob.js: the File API's `Blob` and `File`, XHR's `FormData`, its
// multipart/form-data encoding (HTML's algorithm) and parsing (Fetch's, as
// RFC 7578 frames it), and MIME types (the MIME Sniffing Standard's parser,
// Fetch's "extract a MIME type"), for the bodies of 30-fetch.js.
//
// Not part of the startup snapshot: built in as the library js/lib/blob and
// compiled by an isolate the first time it needs a Blob, a File or a
// FormData (28-blob.js), as the body of a function of natives, internal and
// the built-ins below; it returns the classes and the hooks 28-blob.js hands
// to 30-fetch.js. It runs when a function may have replaced built-ins: the
// byte paths (what reaches nginx: a Blob's bytes, the multipart encoding)
// use those parameters, captured when the snapshot was made. ASCII only
// (V8 reads it as Latin-1 in place).
//
// A Blob's bytes are a list of parts, each a range (offset, length) of a
// Uint8Array that no one changes any more: one the runtime made itself (a
// copy of the function's buffers, encoded strings, a body it read). Blobs
// share those arrays freely, so slice() and `new Blob([blob])` copy no bytes.
// Small pieces are copied together instead of being listed (a Blob of a
// million one-byte slices is one array of a million bytes), and a Blob whose
// bytes are asked for whole (text(), a body) copies them into a new array,
// counted against the isolate's memory like any ArrayBuffer.
//
// Parsing only moves forward through the bytes (searches are
// TypedArray.prototype.indexOf), so a hostile body costs time linear in its
// size: 100,000 parts, a header line of a megabyte, a boundary that never
// comes. Files parsed out of a body share its bytes (it is the runtime's own
// copy, never changed).
'use strict';

const {
  ReflectApply, toUSV, utf8Encode, utf8Decode, bufferSource, webIDLClass, makeIteratorClass,
  requireArgs, toDict, formParse,
} = internal;
// Parameters after natives and internal: the built-ins 28-blob.js captured
// when the snapshot was made: Uint8ArrayCtor, TypeError, Map, isView,
// SymbolIterator, ObjectDefineProperty, ObjectFreeze, taSet, taIndexOf,
// taLength, taBuffer, taByteOffset, StringIndexOf, StringSlice,
// StringCharCodeAt, StringToLowerCase, MathRound, MathTrunc, MathRandom.
// Date.now(): the clock frozen for the entry into JS (0 without the native)
const nowMs = typeof natives.now === 'function' ? natives.now : () => 0;
// OpenSSL's RAND_bytes (crypto.cc); Math.random without the engine
const cryptoRandom = typeof natives.cryptoRandom === 'function' ? natives.cryptoRandom : null;

const u8Length = (u8) => ReflectApply(taLength, u8, []);
// bytes [off, off + len) of u8, without a copy
const subView = (u8, off, len) => new Uint8ArrayCtor(ReflectApply(taBuffer, u8, []),
  ReflectApply(taByteOffset, u8, []) + off, len);
const u8Copy = (dst, src, at) => { ReflectApply(taSet, dst, [src, at]); };
const byteIndex = (u8, b, from) => ReflectApply(taIndexOf, u8, [b, from]);
const indexOf = (s, c, from) => ReflectApply(StringIndexOf, s, [c, from]);
const sliceOf = (s, a, b) => ReflectApply(StringSlice, s, [a, b]);
const codeAt = (s, i) => ReflectApply(StringCharCodeAt, s, [i]);

// Every CR LF, lone CR and lone LF of s replaced by nl.
function newlines(s, nl) {
  let cr = indexOf(s, '\r', 0);
  let lf = indexOf(s, '\n', 0);
  if (cr === -1 && (lf === -1 || nl === '\n')) return s;
  let out = '';
  let from = 0;
  while (cr !== -1 || lf !== -1) {
    const at = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
    out += sliceOf(s, from, at) + nl;
    from = at + (at === cr && lf === at + 1 ? 2 : 1);
    if (cr !== -1 && cr < from) cr = indexOf(s, '\r', from);
    if (lf !== -1 && lf < from) lf = indexOf(s, '\n', from);
  }
  return out + sliceOf(s, from, s.length);
}

// A Blob's type: lower case, or '' if any character is outside U+0020-U+007E.
function normalizeType(t) {
  for (let i = 0; i < t.length; i++) {
    const c = codeAt(t, i);
    if (c < 0x20 || c > 0x7E) return '';
  }
  return ReflectApply(StringToLowerCase, t, []);
}

// ---------------------------------------------------------------- parts
//
// A Blob's state: {p, size, type}. `p` is a flat, never changed list of
// parts, four entries each: [u8, offset, length, position in the Blob]; no
// part is empty. Lists are shared between Blobs.

const EMPTY = ObjectFreeze([]);
const SMALL = 512;         // parts shorter than this are copied, not shared
const CHUNK = 65536;       // stream() chunk size

// The index (a multiple of 4) of the part that holds byte `pos` (< size).
function findPart(p, pos) {
  let lo = 0, hi = p.length / 4 - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (p[mid * 4 + 3] <= pos) lo = mid; else hi = mid - 1;
  }
  return lo * 4;
}

// Bytes [start, end) of a Blob copied into dst at `at`.
function copyRange(p, start, end, dst, at) {
  if (start >= end) return;
  for (let i = findPart(p, start); i < p.length && p[i + 3] < end; i += 4) {
    const u8 = p[i], pos = p[i + 3];
    const a = start > pos ? start : pos;
    const b = end < pos + p[i + 2] ? end : pos + p[i + 2];
    const off = p[i + 1] + a - pos;
    u8Copy(dst, subView(u8, off, b - a), at);
    at += b - a;
  }
}

// The parts of [start, end) (0 <= start < end <= size) as a new list.
function sliceParts(p, size, start, end) {
  if (start === 0 && end === size) return p;
  const out = [];
  let n = 0, at = 0;
  for (let i = findPart(p, start); i < p.length && p[i + 3] < end; i += 4) {
    const pos = p[i + 3];
    const a = start > pos ? start : pos;
    const b = end < pos + p[i + 2] ? end : pos + p[i + 2];
    out[n++] = p[i]; out[n++] = p[i + 1] + a - pos; out[n++] = b - a; out[n++] = at;
    at += b - a;
  }
  return out;
}

// A Blob's whole content as one Uint8Array that nobody may change: the
// array of a single part when it covers it, else a new copy.
function wholeBytes(s) {
  const p = s.p;
  if (p.length === 0) return new Uint8ArrayCtor(0);
  if (p.length === 4 && p[1] === 0 && p[2] === u8Length(p[0])) return p[0];
  const out = new Uint8ArrayCtor(s.size);
  copyRange(p, 0, s.size, out, 0);
  return out;
}

// A new array of a Blob's bytes, for the function to keep.
function copyBytes(s) {
  const out = new Uint8ArrayCtor(s.size);
  copyRange(s.p, 0, s.size, out, 0);
  return out;
}

// ---------------------------------------------------------------- building
//
// A builder collects pieces in order: strings, views of the function's
// buffers, and the parts of Blobs (shared). Strings and views are only
// turned into bytes by finish(): converting later items runs the function's
// code (toString(), getters of the options), which may still change a
// buffer, and the line endings are known only once the options are read.
// finish() copies each run of small pieces into one new array.

const SHARED = 0, OWN = 1, COPY = 2, TEXT = 3;

// segs: flat [u8 (or for TEXT, an array of strings), offset, length, kind]
const newBuilder = () => ({ segs: [], n: 0, texts: null, nt: 0, blob: null });

function addSeg(bd, u8, off, len, kind) {
  const segs = bd.segs;
  const n = bd.n;
  segs[n] = u8; segs[n + 1] = off; segs[n + 2] = len; segs[n + 3] = kind;
  bd.n = n + 4;
}

function addText(bd, s) {
  bd.blob = undefined;
  if (bd.texts === null) {
    bd.texts = [];
    bd.nt = 0;
    addSeg(bd, bd.texts, 0, 0, TEXT);
  }
  bd.texts[bd.nt++] = s;
}

function addView(bd, u8) {
  bd.blob = undefined;
  bd.texts = null;
  addSeg(bd, u8, 0, 0, COPY); // its length is read when it is copied
}

function addBlob(bd, s) {
  // a Blob alone is taken over as it is (its list is never changed)
  bd.blob = bd.blob === null ? s : undefined;
  bd.texts = null;
  const p = s.p;
  for (let i = 0; i < p.length; i += 4) addSeg(bd, p[i], p[i + 1], p[i + 2], SHARED);
}

// The builder's bytes, as a Blob state of the given type; `native`: strings
// get LF line endings.
function finish(bd, type, native) {
  if (bd.blob) return { p: bd.blob.p, size: bd.blob.size, type };
  const segs = bd.segs, n = bd.n;
  for (let i = 0; i < n; i += 4) {
    const kind = segs[i + 3];
    if (kind === COPY) {
      segs[i + 2] = u8Length(segs[i]);
    } else if (kind === TEXT) {
      const texts = segs[i];
      let str = '';
      for (let j = 0; j < texts.length; j++) str += native ? newlines(texts[j], '\n') : texts[j];
      const u8 = utf8Encode(str);
      segs[i] = u8; segs[i + 2] = u8Length(u8); segs[i + 3] = OWN;
    }
  }
  const p = [];
  let np = 0, size = 0;
  // a run of pieces to copy together: segs [first, last), runLen bytes
  let first = 0, runLen = 0;
  const flushRun = (last) => {
    if (runLen !== 0) {
      let u8, off = 0;
      if (last - first === 4 && segs[first + 3] !== COPY) {
        u8 = segs[first];
        off = segs[first + 1];
      } else {
        u8 = new Uint8ArrayCtor(runLen);
        let at = 0;
        for (let j = first; j < last; j += 4) {
          const src = segs[j], len = segs[j + 2];
          if (len === 0) continue;
          u8Copy(u8, segs[j + 1] === 0 && len === u8Length(src) ? src : subView(src, segs[j + 1], len), at);
          at += len;
        }
      }
      p[np++] = u8; p[np++] = off; p[np++] = runLen; p[np++] = size;
      size += runLen;
      runLen = 0;
    }
    first = last;
  };
  for (let i = 0; i < n; i += 4) {
    const len = segs[i + 2];
    if (len >= SMALL && segs[i + 3] !== COPY) {
      flushRun(i);
      p[np++] = segs[i]; p[np++] = segs[i + 1]; p[np++] = len; p[np++] = size;
      size += len;
      first = i + 4;
    } else {
      runLen += len;
    }
  }
  flushRun(n);
  return { p: np === 0 ? EMPTY : p, size, type };
}

// Web IDL sequence<BlobPart> (BlobPart = BufferSource or Blob or USVString),
// each item added to the builder as it is converted.
function addParts(bd, parts, what) {
  if (parts === null || (typeof parts !== 'object' && typeof parts !== 'function')) {
    throw new TypeError(`${what}: The provided value cannot be converted to a sequence.`);
  }
  const method = parts[SymbolIterator];
  if (typeof method !== 'function') {
    throw new TypeError(`${what}: The object must have a callable @@iterator property.`);
  }
  const it = ReflectApply(method, parts, []);
  if (it === null || (typeof it !== 'object' && typeof it !== 'function')) {
    throw new TypeError(`${what}: The iterator is not an object.`);
  }
  const next = it.next;
  for (;;) {
    const r = ReflectApply(next, it, []);
    if (r === null || (typeof r !== 'object' && typeof r !== 'function')) {
      throw new TypeError(`${what}: The iterator result is not an object.`);
    }
    if (r.done) return;
    const v = r.value;
    if (v !== null && typeof v === 'object') {
      if (isBlob(v)) { addBlob(bd, blobState(v)); continue; }
      const u8 = bufferSource(v);
      if (u8 !== null) { addView(bd, u8); continue; }
      if (isView(v)) throw new TypeError(`${what}: The provided ArrayBufferView value must not be shared.`);
    }
    addText(bd, toUSV(`${v}`));
  }
}

// The `endings` member of BlobPropertyBag: true for "native".
function toEndings(v, what) {
  if (v === undefined) return false;
  const e = `${v}`;
  if (e === 'native') return true;
  if (e === 'transparent') return false;
  throw new TypeError(`${what}: The provided value '${e}' is not a valid enum value of type EndingType.`);
}

// Web IDL [Clamp] long long, for slice().
function toClampedInteger(v) {
  const n = +v;
  if (n !== n) return 0;
  if (n >= 9223372036854775807) return 9223372036854775807;
  if (n <= -9223372036854775808) return -9223372036854775808;
  let r = MathRound(n);
  if (r - n === 0.5 && r % 2 !== 0) r -= 1; // ties to even
  return r === 0 ? 0 : r;
}

// ---------------------------------------------------------------- Blob

let isBlob;        // brand check
let blobState;     // (blob) -> its state
let blobCreate;    // (state) -> Blob
let blobInit;      // (object, state): a File's Blob half
let building = false;

class Blob {
  #s;

  constructor(blobParts, options) {
    if (building) { building = false; return; }
    const what = "Failed to construct 'Blob'";
    // Arguments in order: the parts, then the options (endings, type).
    const bd = newBuilder();
    if (blobParts !== undefined) addParts(bd, blobParts, what);
    const opts = toDict(options, what);
    const native = toEndings(opts.endings, what);
    const t = opts.type;
    const type = t === undefined ? '' : normalizeType(`${t}`);
    this.#s = finish(bd, type, native);
  }

  static {
    isBlob = (v) => v !== null && typeof v === 'object' && #s in v;
    blobState = (b) => b.#s;
    blobCreate = (state) => {
      building = true;
      const b = new Blob();
      b.#s = state;
      return b;
    };
    blobInit = (b, state) => { b.#s = state; };
  }

  get size() { return this.#s.size; }
  get type() { return this.#s.type; }

  slice(start, end, contentType) {
    const s = this.#s;
    const size = s.size;
    let a = start === undefined ? 0 : toClampedInteger(start);
    let b = end === undefined ? size : toClampedInteger(end);
    const type = contentType === undefined ? '' : normalizeType(`${contentType}`);
    a = a < 0 ? (size + a > 0 ? size + a : 0) : (a < size ? a : size);
    b = b < 0 ? (size + b > 0 ? size + b : 0) : (b < size ? b : size);
    if (a >= b) return blobCreate({ p: EMPTY, size: 0, type });
    return blobCreate({ p: sliceParts(s.p, size, a, b), size: b - a, type });
  }

  stream() {
    const s = this.#s;
    if (typeof internal.newByteStream !== 'function') throw new TypeError('Blob.stream(): streams are not available.');
    return blobStream(s);
  }

  async text() {
    const s = this.#s;
    if (s.size === 0) return '';
    const str = utf8Decode(wholeBytes(s), false);
    return codeAt(str, 0) === 0xFEFF ? sliceOf(str, 1, str.length) : str;
  }

  async arrayBuffer() { return copyBytes(this.#s).buffer; }
  async bytes() { return copyBytes(this.#s); }
}
ObjectDefineProperty(Blob, 'length', { __proto__: null, value: 0 });
webIDLClass(Blob, 'Blob');

// A byte stream over a Blob's bytes, read CHUNK bytes at a time as it is
// pulled (each chunk a new array: the stream takes it over).
function blobStream(s) {
  let pos = 0;
  return internal.newByteStream((controller) => {
    const end = s.size - pos > CHUNK ? pos + CHUNK : s.size;
    if (end > pos) {
      const chunk = new Uint8ArrayCtor(end - pos);
      copyRange(s.p, pos, end, chunk, 0);
      pos = end;
      controller.enqueue(chunk);
    }
    if (pos >= s.size) {
      controller.close();
      s = null;
    }
  }, () => { s = null; });
}

// ---------------------------------------------------------------- File

let fileCreate;     // (state, name, lastModified) -> File
let fileOf;         // (v) -> {name, lastModified} if v is a File, else null
let buildingFile = false;

// Web IDL long long (the values a Date can hold are all exact).
function toLongLong(v) {
  const n = +v;
  if (n !== n || n === Infinity || n === -Infinity) return 0;
  const r = MathTrunc(n);
  return r === 0 ? 0 : r;
}

class File extends Blob {
  #f;

  constructor(fileBits, fileName, options) {
    if (buildingFile) {
      buildingFile = false;
      building = true;
      super();
      building = false;
      return;
    }
    const what = "Failed to construct 'File'";
    requireArgs(2, arguments.length, what);
    const bd = newBuilder();
    addParts(bd, fileBits, what);
    const name = toUSV(`${fileName}`);
    const opts = toDict(options, what);
    const native = toEndings(opts.endings, what);
    const lm = opts.lastModified;
    const lastModified = lm === undefined ? nowMs() : toLongLong(lm);
    const t = opts.type;
    const type = t === undefined ? '' : normalizeType(`${t}`);
    const state = finish(bd, type, native);
    // (if the function gave File another prototype, super() may not be
    // Blob's constructor: the flag is cleared whoever it was)
    building = true;
    super();
    building = false;
    blobInit(this, state);
    this.#f = { name, lastModified };
  }

  static {
    fileCreate = (state, name, lastModified) => {
      buildingFile = true;
      const f = new File();
      blobInit(f, state);
      f.#f = { name, lastModified };
      return f;
    };
    fileOf = (v) => (v !== null && typeof v === 'object' && #f in v ? v.#f : null);
  }

  get name() { return this.#f.name; }
  get lastModified() { return this.#f.lastModified; }
  get webkitRelativePath() { void this.#f; return ''; }
}
ObjectDefineProperty(File, 'length', { __proto__: null, value: 2 });
webIDLClass(File, 'File');
// (webIDLClass passes over members called `name`, as it must for the class's own)
ObjectDefineProperty(File.prototype, 'name', { __proto__: null, enumerable: true });

// ---------------------------------------------------------------- for FormData

// A File of bytes [off, off + len) of u8 (which no one may change any more)
const newFile = (u8, off, len, name, type) =>
  fileCreate({ p: len === 0 ? EMPTY : [u8, off, len, 0], size: len, type: normalizeType(type) }, name, nowMs());
// FormData's "create an entry" for a Blob value: a File (the same one when
// it is a File and no filename is given), named `filename` or "blob".
function toFile(b, filename) {
  const f = fileOf(b);
  if (f !== null && filename === undefined) return b;
  return fileCreate(blobState(b), filename === undefined ? 'blob' : filename,
    f !== null ? f.lastModified : nowMs());
}

const fileName = (f) => fileOf(f).name;
const blobType = (b) => blobState(b).type;

// The bytes of a list of strings (as UTF-8) and Blobs, one after the other,
// as one array that must not be changed or handed out.
function joinBytes(pieces) {
  const bd = newBuilder();
  for (let i = 0; i < pieces.length; i++) {
    const v = pieces[i];
    if (typeof v === 'string') addText(bd, v); else addBlob(bd, blobState(v));
  }
  return wholeBytes(finish(bd, '', false));
}

// ---------------------------------------------------------------- MIME types

const isTokenCode = (c) => (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
  || (c >= 0x23 && c <= 0x27 && c !== 0x22) || c === 0x21 || c === 0x2A || c === 0x2B || c === 0x2D
  || c === 0x2E || c === 0x5E || c === 0x5F || c === 0x60 || c === 0x7C || c === 0x7E;
const isHttpWs = (c) => c === 0x20 || c === 0x09 || c === 0x0A || c === 0x0D;
const isSpTab = (c) => c === 0x20 || c === 0x09;

function isToken(s) {
  if (s === '') return false;
  for (let i = 0; i < s.length; i++) if (!isTokenCode(codeAt(s, i))) return false;
  return true;
}

// Position of the first code unit at or after i that `stop` accepts (or the end).
function scan(s, i, stop) {
  while (i < s.length && !stop(codeAt(s, i))) i++;
  return i;
}

// Fetch's "collect an HTTP quoted string" at s[i] === '"': [value, end];
// `extract` gives the value without quotes and escapes, else the raw text.
function quotedString(s, i, extract) {
  const start = i;
  let value = '';
  i++;
  for (;;) {
    const j = scan(s, i, (c) => c === 0x22 || c === 0x5C);
    value += s.slice(i, j);
    if (j >= s.length) { i = j; break; }
    if (codeAt(s, j) === 0x5C) {
      if (j + 1 >= s.length) { value += '\\'; i = j + 1; break; }
      value += s[j + 1];
      i = j + 2;
    } else {
      i = j + 1;
      break;
    }
  }
  return [extract ? value : s.slice(start, i), i];
}

// The MIME Sniffing Standard's "parse a MIME type": {type, subtype, params}
// (a Map, names lower case) or null.
function parseMIME(input) {
  let a = 0, b = input.length;
  while (a < b && isHttpWs(codeAt(input, a))) a++;
  while (b > a && isHttpWs(codeAt(input, b - 1))) b--;
  const s = input.slice(a, b);
  let i = scan(s, 0, (c) => c === 0x2F);
  const type = s.slice(0, i);
  if (!isToken(type) || i >= s.length) return null;
  let j = scan(s, ++i, (c) => c === 0x3B);
  let e = j;
  while (e > i && isHttpWs(codeAt(s, e - 1))) e--;
  const subtype = s.slice(i, e);
  if (!isToken(subtype)) return null;
  const mime = { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params: new Map() };
  i = j;
  while (i < s.length) {
    i = scan(s, i + 1, (c) => !isHttpWs(c));
    j = scan(s, i, (c) => c === 0x3B || c === 0x3D);
    const name = s.slice(i, j).toLowerCase();
    i = j;
    if (i < s.length) {
      if (codeAt(s, i) === 0x3B) continue;
      i++;
    }
    if (i >= s.length) break;
    let value;
    if (codeAt(s, i) === 0x22) {
      [value, i] = quotedString(s, i, true);
      i = scan(s, i, (c) => c === 0x3B);
    } else {
      j = scan(s, i, (c) => c === 0x3B);
      e = j;
      while (e > i && isHttpWs(codeAt(s, e - 1))) e--;
      value = s.slice(i, e);
      i = j;
      if (value === '') continue;
    }
    if (isToken(name) && !/[^\t\x20-\x7E\x80-\xFF]/.test(value) && !mime.params.has(name)) {
      mime.params.set(name, value);
    }
  }
  return mime;
}

function serializeMIME(mime) {
  let out = `${mime.type}/${mime.subtype}`;
  for (const [name, value] of mime.params) {
    out += `;${name}=${isToken(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`}`;
  }
  return out;
}

// Fetch's "extract a MIME type" from the value of a Content-Type header list
// (`get` combines the values with ", "); null when there is none or failure.
function extractMIME(value) {
  if (value === null) return null;
  // "getting, decoding, and splitting": commas outside quoted strings
  const values = [];
  let temp = '';
  for (let i = 0; ;) {
    const j = scan(value, i, (c) => c === 0x22 || c === 0x2C);
    temp += value.slice(i, j);
    i = j;
    if (i < value.length) {
      if (codeAt(value, i) === 0x22) {
        let q;
        [q, i] = quotedString(value, i, false);
        temp += q;
        if (i < value.length) continue;
      } else {
        i++;
      }
    }
    let a = 0, b = temp.length;
    while (a < b && isSpTab(codeAt(temp, a))) a++;
    while (b > a && isSpTab(codeAt(temp, b - 1))) b--;
    values.push(temp.slice(a, b));
    temp = '';
    if (i >= value.length) break;
  }
  let charset = null, essence = null, mime = null;
  for (const v of values) {
    const m = parseMIME(v);
    if (m === null || (m.type === '*' && m.subtype === '*')) continue;
    mime = m;
    const ess = `${m.type}/${m.subtype}`;
    if (ess !== essence) {
      charset = m.params.has('charset') ? m.params.get('charset') : null;
      essence = ess;
    } else if (!m.params.has('charset') && charset !== null) {
      m.params.set('charset', charset);
    }
  }
  return mime;
}

// ---------------------------------------------------------------- FormData

const newFormDataIterator = makeIteratorClass('FormData Iterator');

let isFormData;
let formDataList;    // (fd) -> its entry list, [[name, value], ...]
let formDataCreate;  // (list) -> FormData

// An entry's value: a USVString, or a File (a Blob becomes one).
function entryValue(args, what) {
  const value = args[1];
  if (args.length > 2) {
    if (!isBlob(value)) throw new TypeError(`${what}: parameter 2 is not of type 'Blob'.`);
    return toFile(value, args[2] === undefined ? undefined : toUSV(`${args[2]}`));
  }
  return isBlob(value) ? toFile(value, undefined) : toUSV(`${value}`);
}

class FormData {
  #list = [];

  constructor(form) {
    if (form !== undefined) {
      throw new TypeError("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
    }
  }

  static {
    isFormData = (v) => v !== null && typeof v === 'object' && #list in v;
    formDataList = (fd) => fd.#list;
    formDataCreate = (list) => {
      const fd = new FormData();
      fd.#list = list;
      return fd;
    };
  }

  append(name, value) {
    const what = "Failed to execute 'append' on 'FormData'";
    requireArgs(2, arguments.length, what);
    const list = this.#list;
    name = toUSV(`${name}`);
    list[list.length] = [name, entryValue(arguments, what)];
  }

  delete(name) {
    const what = "Failed to execute 'delete' on 'FormData'";
    requireArgs(1, arguments.length, what);
    const list = this.#list;
    name = toUSV(`${name}`);
    let n = 0;
    for (let i = 0; i < list.length; i++) if (list[i][0] !== name) list[n++] = list[i];
    list.length = n;
  }

  get(name) {
    const what = "Failed to execute 'get' on 'FormData'";
    requireArgs(1, arguments.length, what);
    const list = this.#list;
    name = toUSV(`${name}`);
    for (let i = 0; i < list.length; i++) if (list[i][0] === name) return list[i][1];
    return null;
  }

  getAll(name) {
    const what = "Failed to execute 'getAll' on 'FormData'";
    requireArgs(1, arguments.length, what);
    const list = this.#list;
    name = toUSV(`${name}`);
    const out = [];
    for (let i = 0; i < list.length; i++) if (list[i][0] === name) out[out.length] = list[i][1];
    return out;
  }

  has(name) {
    const what = "Failed to execute 'has' on 'FormData'";
    requireArgs(1, arguments.length, what);
    const list = this.#list;
    name = toUSV(`${name}`);
    for (let i = 0; i < list.length; i++) if (list[i][0] === name) return true;
    return false;
  }

  set(name, value) {
    const what = "Failed to execute 'set' on 'FormData'";
    requireArgs(2, arguments.length, what);
    const list = this.#list;
    name = toUSV(`${name}`);
    const entry = [name, entryValue(arguments, what)];
    // the first entry of that name is replaced, the others removed
    let n = 0, found = false;
    for (let i = 0; i < list.length; i++) {
      if (list[i][0] !== name) list[n++] = list[i];
      else if (!found) { list[n++] = entry; found = true; }
    }
    list.length = n;
    if (!found) list[n] = entry;
  }

  forEach(callback, thisArg = undefined) {
    const what = "Failed to execute 'forEach' on 'FormData'";
    requireArgs(1, arguments.length, what);
    if (typeof callback !== 'function') throw new TypeError(`${what}: parameter 1 is not a function.`);
    const list = this.#list;
    // the list as it is at each step, as Web IDL iterates it
    for (let i = 0; i < list.length; i++) ReflectApply(callback, thisArg, [list[i][1], list[i][0], this]);
  }

  entries() { const list = this.#list; return newFormDataIterator(() => list, 'key+value'); }
  keys() { const list = this.#list; return newFormDataIterator(() => list, 'key'); }
  values() { const list = this.#list; return newFormDataIterator(() => list, 'value'); }
}
ObjectDefineProperty(FormData, 'length', { __proto__: null, value: 0 });
webIDLClass(FormData, 'FormData');
ObjectDefineProperty(FormData.prototype, SymbolIterator, {
  __proto__: null, value: FormData.prototype.entries, writable: true, enumerable: false, configurable: true,
});

// ---------------------------------------------------------------- multipart/form-data: encoding

// HTML: names and filenames with LF, CR and '"' percent-encoded, nothing else.
// (The encoding reaches nginx: captured built-ins only.)
function escapeName(s) {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = codeAt(s, i);
    if (c === 0x0A || c === 0x0D || c === 0x22) {
      out += sliceOf(s, from, i) + (c === 0x0A ? '%0A' : c === 0x0D ? '%0D' : '%22');
      from = i + 1;
    }
  }
  return from === 0 ? s : out + sliceOf(s, from, s.length);
}

const HEX = '0123456789abcdef';

// "----formdata-" and 128 random bits in hex
function newBoundary() {
  const bytes = new Uint8ArrayCtor(16);
  if (cryptoRandom !== null) cryptoRandom(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = (MathRandom() * 256) | 0;
  let boundary = '----formdata-';
  for (let i = 0; i < 16; i++) boundary += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return boundary;
}

// HTML's multipart/form-data encoding algorithm (UTF-8), with a new random
// boundary: {data (an array that must not be changed), type}.
function encodeMultipart(list) {
  const boundary = newBoundary();
  const pieces = [];
  let head = '';
  for (let i = 0; i < list.length; i++) {
    const name = list[i][0], value = list[i][1];
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(newlines(name, '\r\n'))}"`;
    if (typeof value === 'string') {
      head += `\r\n\r\n${newlines(value, '\r\n')}\r\n`;
    } else {
      const type = blobType(value);
      head += `; filename="${escapeName(fileName(value))}"\r\n`
        + `Content-Type: ${type === '' ? 'application/octet-stream' : type}\r\n\r\n`;
      pieces[pieces.length] = head;
      pieces[pieces.length] = value;
      head = '\r\n';
    }
  }
  pieces[pieces.length] = `${head}--${boundary}--\r\n`;
  return { data: joinBytes(pieces), type: `multipart/form-data; boundary=${boundary}` };
}

// ---------------------------------------------------------------- multipart/form-data: parsing

// name and filename: a token, or a quoted-string in which a backslash
// escapes only '"' and '\' (Windows paths keep theirs), then %0A, %0D and
// %22 decoded (HTML's escapes).
function unescapeName(s) {
  if (s.indexOf('%') === -1) return s;
  return s.replace(/%0A|%0D|%22/g, (m) => (m === '%0A' ? '\n' : m === '%0D' ? '\r' : '"'));
}

// What browsers send (quick to match, and linear: no nested repeats).
const DISPOSITION_RE = /^form-data; name="([^"\\]*)"(?:; filename="([^"\\]*)")?$/;

// Content-Disposition: "form-data" then parameters; {name, filename}
// (either null when absent), or null when it is not form-data or is broken.
function parseDisposition(v) {
  const m = DISPOSITION_RE.exec(v);
  if (m !== null) return { name: unescapeName(m[1]), filename: m[2] === undefined ? null : unescapeName(m[2]) };
  let i = scan(v, 0, (c) => c === 0x3B);
  if (v.slice(0, i).trim().toLowerCase() !== 'form-data') return null;
  let name = null, filename = null;
  while (i < v.length) {
    // at ';'
    i = scan(v, i + 1, (c) => !isSpTab(c));
    let j = scan(v, i, (c) => c === 0x3D || c === 0x3B);
    const pname = v.slice(i, j).trim().toLowerCase();
    i = j;
    if (i >= v.length || codeAt(v, i) === 0x3B) continue;
    i = scan(v, i + 1, (c) => !isSpTab(c));
    let value;
    if (codeAt(v, i) === 0x22) {
      value = '';
      i++;
      for (;;) {
        j = scan(v, i, (c) => c === 0x22 || c === 0x5C);
        if (j >= v.length) return null;  // no closing quote
        value += v.slice(i, j);
        const next = codeAt(v, j + 1);
        if (codeAt(v, j) === 0x5C) {
          if (next === 0x22 || next === 0x5C) { value += v[j + 1]; i = j + 2; } else { value += '\\'; i = j + 1; }
        } else {
          i = j + 1;
          break;
        }
      }
      i = scan(v, i, (c) => !isSpTab(c));
      if (i < v.length && codeAt(v, i) !== 0x3B) return null;
    } else {
      j = scan(v, i, (c) => c === 0x3B);
      value = v.slice(i, j).trim();
      i = j;
    }
    if (pname === 'name' && name === null) name = unescapeName(value);
    else if (pname === 'filename' && filename === null) filename = unescapeName(value);
  }
  return { name, filename };
}

// a header line: its name (a token, spaces and tabs around it) and value
// (without leading spaces and tabs; trailing ones are dropped apart)
const HEADER_RE = /^[\t ]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[\t ]*:[\t ]*(.*)$/s;

function trimEnd(s) {
  let e = s.length;
  while (e > 0 && isSpTab(codeAt(s, e - 1))) e--;
  return e === s.length ? s : s.slice(0, e);
}

// RFC 7578 (and 2046's framing) as Fetch's multipart/form-data parser reads
// it: a delimiter is CRLF "--" boundary, optionally followed by spaces and
// tabs; a preamble before the first one and an epilogue after the closing
// one (on its own line) are ignored. Each part has CRLF-ended header lines,
// a Content-Disposition of form-data with a name, and a File when it has a
// filename (of its Content-Type, text/plain without one). The entry list,
// or a TypeError.
function parseMultipart(u8, boundary, what) {
  const fail = (why) => { throw new TypeError(`${what}: ${why}`); };
  if (boundary === '' || /[^\x20-\x7E]/.test(boundary)) fail('invalid multipart/form-data boundary.');
  const len = ReflectApply(taLength, u8, []);
  const dash = [];
  for (let i = 0; i < boundary.length + 2; i++) dash[i] = i < 2 ? 0x2D : codeAt(boundary, i - 2);
  const dl = dash.length;
  const matches = (at) => {
    if (at + dl > len) return false;
    for (let k = 0; k < dl; k++) if (u8[at + k] !== dash[k]) return false;
    return true;
  };
  // the first CR LF "--" boundary at or after `from` (its CR), or -1
  const delimiter = (from) => {
    for (;;) {
      const cr = byteIndex(u8, 0x0D, from);
      if (cr === -1) return -1;
      if (u8[cr + 1] === 0x0A && matches(cr + 2)) return cr;
      from = cr + 1;
    }
  };
  const crlf = (at) => u8[at] === 0x0D && u8[at + 1] === 0x0A;
  const padding = (at) => { while (at < len && (u8[at] === 0x20 || u8[at] === 0x09)) at++; return at; };

  let pos;
  if (matches(0)) {
    pos = dl;
  } else {
    const d = delimiter(0);
    if (d === -1) fail('no multipart/form-data boundary found.');
    pos = d + 2 + dl;
  }
  const list = [];
  for (;;) {
    if (u8[pos] === 0x2D && u8[pos + 1] === 0x2D) {
      pos = padding(pos + 2);
      if (pos === len || crlf(pos)) return list;
      fail('the closing boundary is not followed by a new line.');
    }
    pos = padding(pos);
    if (!crlf(pos)) fail('a boundary is not followed by a new line.');
    pos += 2;
    let name = null, filename = null, type = null;
    while (!crlf(pos)) {
      const lf = byteIndex(u8, 0x0A, pos);
      if (lf === -1) fail('the headers of a part do not end.');
      const cr = byteIndex(u8, 0x0D, pos);
      if (cr !== lf - 1) fail('a header line of a part does not end with CR LF.');
      const m = HEADER_RE.exec(utf8Decode(subView(u8, pos, cr - pos), false));
      pos = lf + 1;
      if (m === null) fail('a header line of a part has no valid name.');
      const lname = m[1].toLowerCase();
      if (lname === 'content-disposition') {
        const d = parseDisposition(trimEnd(m[2]));
        if (d === null) fail('a part has an invalid Content-Disposition.');
        name = d.name;
        filename = d.filename;
      } else if (lname === 'content-type') {
        type = trimEnd(m[2]);
      }
    }
    pos += 2;
    if (name === null) fail('a part has no Content-Disposition with a name.');
    const end = delimiter(pos);
    if (end === -1) fail('a part does not end with a boundary.');
    list[list.length] = [name, filename !== null
      ? newFile(u8, pos, end - pos, filename, type === null ? 'text/plain' : type)
      : (end === pos ? '' : utf8Decode(subView(u8, pos, end - pos), false))];
    pos = end + 2 + dl;
  }
}

// The FormData of a body (null, a string or a Uint8Array the runtime owns
// and no one changes) of the given Content-Type value (or null); `what`
// names the method in a TypeError.
function parseFormData(data, contentType, what) {
  const mime = extractMIME(contentType);
  const essence = mime === null ? '' : `${mime.type}/${mime.subtype}`;
  if (essence === 'multipart/form-data') {
    const boundary = mime.params.get('boundary');
    if (boundary === undefined) throw new TypeError(`${what}: multipart/form-data has no boundary parameter.`);
    const u8 = data === null ? new Uint8ArrayCtor(0) : typeof data === 'string' ? utf8Encode(data) : data;
    return formDataCreate(parseMultipart(u8, boundary, what));
  }
  if (essence === 'application/x-www-form-urlencoded') {
    const text = data === null ? '' : typeof data === 'string' ? data
      : ReflectApply(taLength, data, []) === 0 ? '' : utf8Decode(data, false);
    return formDataCreate(formParse(text));
  }
  throw new TypeError(`${what}: the body is not multipart/form-data or application/x-www-form-urlencoded.`);
}

// ---------------------------------------------------------------- exports

return {
  Blob, File, FormData,
  isBlob,
  // A Blob's bytes as one array that must not be changed or handed out (it
  // may be the Blob's own), and its type.
  blobBytes: (b) => wholeBytes(blobState(b)),
  blobType,
  // A Blob of the bytes of u8, which no one may change any more.
  newBlob: (u8, type) => {
    const len = u8Length(u8);
    return blobCreate({ p: len === 0 ? EMPTY : [u8, 0, len, 0], size: len, type });
  },
  isFormData,
  // extract a body from a FormData: {data, type}
  formDataBody: (fd) => encodeMultipart(formDataList(fd)),
  parseFormData,
  // The serialized MIME type of a Content-Type value (or null), '' if none.
  mimeTypeOf: (contentType) => {
    const mime = extractMIME(contentType);
    return mime === null ? '' : serializeMIME(mime);
  },
};
