// 28-blob.js: the File API's `Blob` and `File`, and the hooks the other
// runtime files use to make and read them (bodies, FormData).
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
// The bytes reach nginx (a Blob as a response body): the paths that build
// and copy them use built-ins captured when the snapshot is made.

const {
  ReflectApply, toUSV, utf8Encode, utf8Decode, bufferSource, webIDLClass, requireArgs, toDict,
} = internal;

const defineGlobal = (name, value) => Object.defineProperty(globalThis, name, {
  value, writable: true, configurable: true, enumerable: false,
});

const Uint8ArrayCtor = Uint8Array;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const taSet = TypedArrayPrototype.set;
const taLength = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'length').get;
const isView = ArrayBuffer.isView;
const SymbolIterator = Symbol.iterator;
const StringIndexOf = String.prototype.indexOf;
const StringSlice = String.prototype.slice;
const StringCharCodeAt = String.prototype.charCodeAt;
const StringToLowerCase = String.prototype.toLowerCase;
const MathRound = Math.round;
const MathTrunc = Math.trunc;
// Date.now(): the clock frozen for the entry into JS (0 without the native)
const nowMs = typeof natives.now === 'function' ? natives.now : () => 0;

const taBuffer = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer').get;
const taByteOffset = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'byteOffset').get;
const u8Length = (u8) => ReflectApply(taLength, u8, []);
// bytes [off, off + len) of u8, without a copy
const subView = (u8, off, len) => new Uint8ArrayCtor(ReflectApply(taBuffer, u8, []),
  ReflectApply(taByteOffset, u8, []) + off, len);
const u8Copy = (dst, src, at) => { ReflectApply(taSet, dst, [src, at]); };
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

const EMPTY = Object.freeze([]);
const EMPTY_U8 = new Uint8Array(0);
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
      const u8 = str === '' ? EMPTY_U8 : utf8Encode(str);
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
Object.defineProperty(Blob, 'length', { value: 0 });
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
Object.defineProperty(File, 'length', { value: 2 });
webIDLClass(File, 'File');
// (webIDLClass passes over members called `name`, as it must for the class's own)
Object.defineProperty(File.prototype, 'name', { enumerable: true });

// ---------------------------------------------------------------- hooks

internal.isBlob = (v) => isBlob(v);
// A Blob's bytes as one array that must not be changed or handed out (it
// may be the Blob's own), and its type.
internal.blobBytes = (b) => wholeBytes(blobState(b));
internal.blobType = (b) => blobState(b).type;
// A Blob of the bytes of u8, which no one may change any more.
internal.newBlob = (u8, type) => {
  const len = u8Length(u8);
  return blobCreate({ p: len === 0 ? EMPTY : [u8, 0, len, 0], size: len, type });
};
// A File of bytes [off, off + len) of u8 (which no one may change any more)
internal.newFile = (u8, off, len, name, type) =>
  fileCreate({ p: len === 0 ? EMPTY : [u8, off, len, 0], size: len, type: normalizeType(type) }, name, nowMs());
// FormData's "create an entry" for a Blob value: a File (the same one when
// it is a File and no filename is given), named `filename` or "blob".
internal.toFile = (b, filename) => {
  const f = fileOf(b);
  if (f !== null && filename === undefined) return b;
  return fileCreate(blobState(b), filename === undefined ? 'blob' : filename,
    f !== null ? f.lastModified : nowMs());
};
internal.fileName = (f) => fileOf(f).name;
// The bytes of a list of strings (as UTF-8) and Blobs, one after the other,
// as one array that must not be changed or handed out.
internal.joinBytes = (pieces) => {
  const bd = newBuilder();
  for (let i = 0; i < pieces.length; i++) {
    const v = pieces[i];
    if (typeof v === 'string') addText(bd, v); else addBlob(bd, blobState(v));
  }
  return wholeBytes(finish(bd, '', false));
};
internal.newlines = newlines;
internal.normalizeType = normalizeType;

defineGlobal('Blob', Blob);
defineGlobal('File', File);
