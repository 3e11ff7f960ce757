// 29-formdata.js: XHR's `FormData`, its multipart/form-data encoding (HTML's
// algorithm) and parsing (Fetch's, as RFC 7578 frames it), and MIME types
// (the MIME Sniffing Standard's parser and Fetch's "extract a MIME type"),
// for the bodies of 30-fetch.js.
//
// Parsing only moves forward through the bytes (searches are
// TypedArray.prototype.indexOf), so a hostile body costs time linear in its
// size: 100,000 parts, a header line of a megabyte, a boundary that never
// comes. Files parsed out of a body share its bytes (it is the runtime's own
// copy, never changed).

const {
  ReflectApply, toUSV, utf8Decode, webIDLClass, makeIteratorClass, requireArgs,
  isBlob, blobType, toFile, fileName, joinBytes, newFile, newlines,
} = internal;

const defineGlobal = (name, value) => Object.defineProperty(globalThis, name, {
  value, writable: true, configurable: true, enumerable: false,
});

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const taIndexOf = TypedArrayPrototype.indexOf;
const taLength = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'length').get;
const taBuffer = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer').get;
const taByteOffset = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'byteOffset').get;
const Uint8ArrayCtor = Uint8Array;
const StringCharCodeAt = String.prototype.charCodeAt;
const StringSlice = String.prototype.slice;
const MathRandom = Math.random;
// OpenSSL's RAND_bytes (crypto.cc); Math.random without the engine
const cryptoRandom = typeof natives.cryptoRandom === 'function' ? natives.cryptoRandom : null;

const codeAt = (s, i) => ReflectApply(StringCharCodeAt, s, [i]);
const sliceOf = (s, a, b) => ReflectApply(StringSlice, s, [a, b]);
const byteIndex = (u8, b, from) => ReflectApply(taIndexOf, u8, [b, from]);
const subView = (u8, off, len) => new Uint8ArrayCtor(ReflectApply(taBuffer, u8, []),
  ReflectApply(taByteOffset, u8, []) + off, len);

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
Object.defineProperty(FormData, 'length', { value: 0 });
webIDLClass(FormData, 'FormData');
Object.defineProperty(FormData.prototype, Symbol.iterator, {
  value: FormData.prototype.entries, writable: true, enumerable: false, configurable: true,
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

// ---------------------------------------------------------------- hooks

internal.isFormData = (v) => isFormData(v);
// extract a body from a FormData: {data, type}
internal.formDataBody = (fd) => encodeMultipart(formDataList(fd));
// The FormData of a body (null, a string or a Uint8Array the runtime owns
// and no one changes) of the given Content-Type value (or null); `what`
// names the method in a TypeError.
internal.parseFormData = (data, contentType, what) => {
  const mime = extractMIME(contentType);
  const essence = mime === null ? '' : `${mime.type}/${mime.subtype}`;
  if (essence === 'multipart/form-data') {
    const boundary = mime.params.get('boundary');
    if (boundary === undefined) throw new TypeError(`${what}: multipart/form-data has no boundary parameter.`);
    const u8 = data === null ? new Uint8ArrayCtor(0) : typeof data === 'string' ? internal.utf8Encode(data) : data;
    return formDataCreate(parseMultipart(u8, boundary, what));
  }
  if (essence === 'application/x-www-form-urlencoded') {
    const text = data === null ? '' : typeof data === 'string' ? data
      : ReflectApply(taLength, data, []) === 0 ? '' : utf8Decode(data, false);
    return formDataCreate(internal.formParse(text));
  }
  throw new TypeError(`${what}: the body is not multipart/form-data or application/x-www-form-urlencoded.`);
};
// The serialized MIME type of a Content-Type value (or null), '' if none.
internal.mimeTypeOf = (contentType) => {
  const mime = extractMIME(contentType);
  return mime === null ? '' : serializeMIME(mime);
};

defineGlobal('FormData', FormData);
