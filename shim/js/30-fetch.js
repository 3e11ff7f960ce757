// 30-fetch.js: the Fetch Standard's `Headers`, `Request` and `Response`, and
// the runtime hooks `internal.makeRequest` / `internal.responseParts`.
//
// A body is null, a string (from a string or URLSearchParams init: encoded
// lazily, often never), a Uint8Array (a Blob's or a FormData's bytes are
// shared: see `shared`), or a ReadableStream (25-streams.js).
// `.body` is a byte stream; for an in-memory body it is made only if asked
// for. Without 25-streams.js (the node unit tests), `.body` is null and the
// read methods (`text()`, `json()`, `arrayBuffer()`, `bytes()`) are the way
// in.
//
// Header guards: only "immutable" is enforced. Like other server-side
// runtimes there are no forbidden request/response header names.

const {
  toUSV, parseURLRecord, serializeURL, isURLSearchParams, urlSearchParamsToString,
  utf8Encode, utf8Decode, isArrayBuffer, makeIteratorClass, webIDLClass,
  isAbortSignal, requestSignal, signalFollow, signalFromInit,
  isBlob, blobBytes, blobType, newBlob, isFormData, formDataBody, parseFormData, mimeTypeOf,
} = internal;

const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;

const defineGlobal = (name, value) => Object.defineProperty(globalThis, name, {
  value, writable: true, configurable: true, enumerable: false,
});

function requireArgs(n, got, what) {
  if (got < n) throw new TypeError(`${what}: ${n} argument${n > 1 ? 's' : ''} required, but only ${got} present.`);
}

// Web IDL ByteString: a string of code units <= 0xFF (one V8 holds in one
// byte a character is one: natives.cc looks that up, no regexp to run)
const isOneByte = natives.isOneByte || (() => false);
function toByteString(v, what) {
  const s = typeof v === 'string' ? v : `${v}`;
  if (!isOneByte(s) && /[^\x00-\xFF]/.test(s)) throw new TypeError(`${what}: Value is not a valid ByteString.`);
  return s;
}

// Web IDL dictionary: undefined/null mean "empty", other non-objects throw.
function toDict(v, what) {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError(`${what}: The provided value is not an object.`);
  return v;
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HTTP_WS_TRIM_RE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

// natives.cc's walk of a plain-object HeadersInit (undefined: walk it here);
// absent when the runtime runs without natives (the unit tests under Node)
const headersRecord = natives.headersRecord || (() => undefined);

function checkName(name, what) {
  name = toByteString(name, what);
  if (!TOKEN_RE.test(name)) throw new TypeError(`${what}: Invalid header name '${name}'.`);
  return name.toLowerCase();
}
function normalizeValue(value, what) {
  value = toByteString(value, what);
  // Trim HTTP whitespace; the rest must not contain NUL, CR or LF.
  if (/^[\t\n\r ]|[\t\n\r ]$/.test(value)) value = value.replace(HTTP_WS_TRIM_RE, '');
  if (/[\0\r\n]/.test(value)) throw new TypeError(`${what}: Invalid header value.`);
  return value;
}

// ---------------------------------------------------------------- Headers

const newHeadersIterator = makeIteratorClass('Headers Iterator');

// Access to Headers internals for Request/Response (set in the static block).
let headersCreate;   // (guard, flat|null) -> Headers without validation (flat names any case)
let headersCopy;     // (headers, guard = same) -> a copy
let headersInitFlat; // (init) -> a HeadersInit as a validated flat list (names lowercase)
let headersFlat;     // (headers) -> [name, value, ...] in insertion order, names lowercase
let headersHasCT;    // (headers) -> has content-type
let headersSetRaw;   // (headers, name, value) -> append without validation or guard
let headersGetRaw;   // (headers, name) -> the combined value or null (name lowercase)

class Headers {
  // lowercase name -> array of values. A Map keeps the names in first-insertion
  // order, which is the order responseParts() hands to nginx.
  #map = new Map();
  #guard = 'none';
  #sorted = null;  // cached "sort and combine" result, reset on every change

  // No default parameter values in constructors and hot methods: in Ignition
  // they cost about as much as a call; `length` is fixed up after the class.
  constructor(init) {
    if (init !== undefined) {
      const flat = headersInitFlat(init);
      for (let i = 0; i < flat.length; i += 2) this.#append(flat[i], flat[i + 1]);
    }
  }

  static {
    headersCreate = (guard, flat) => {
      const h = new Headers();
      h.#guard = guard;
      if (flat) {
        const map = h.#map;
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const name = `${flat[i]}`.toLowerCase();
          const list = map.get(name);
          if (list === undefined) map.set(name, [`${flat[i + 1]}`]);
          else list.push(`${flat[i + 1]}`);
        }
      }
      return h;
    };
    headersCopy = (src, guard) => {
      const h = new Headers();
      h.#guard = guard === undefined ? src.#guard : guard;
      for (const e of src.#map) h.#map.set(e[0], e[1].slice());
      return h;
    };
    // The "fill" algorithm's conversions and checks, without the appending:
    // every pair is converted to ByteStrings first, then each name and value
    // is validated in order (so the first error is the same as when filling
    // a Headers directly). A Headers init is copied as is (already valid).
    headersInitFlat = (init) => {
      const what = "Failed to construct 'Headers'";
      if (init === null || (typeof init !== 'object' && typeof init !== 'function')) {
        throw new TypeError(`${what}: The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.`);
      }
      if (#map in init) return headersFlat(init);
      const flat = [];
      const iter = init[Symbol.iterator];
      if (iter !== undefined && iter !== null) {
        if (typeof iter !== 'function') throw new TypeError(`${what}: The object must have a callable @@iterator property.`);
        for (const pair of init) {
          if (pair === null || (typeof pair !== 'object' && typeof pair !== 'function')) {
            throw new TypeError(`${what}: The provided value cannot be converted to a sequence.`);
          }
          const items = Array.from(pair);
          if (items.length !== 2) throw new TypeError(`${what}: Invalid value: a header pair must have exactly two items.`);
          flat.push(toByteString(items[0], what), toByteString(items[1], what));
        }
      } else {
        // record<ByteString, ByteString>: own enumerable keys, in order.
        // A plain object of strings is walked natively (natives.cc), the
        // rest, and every error, here.
        const fast = headersRecord(init);
        if (fast !== undefined) return fast;
        const keys = Reflect.ownKeys(init);
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i];
          if (!propertyIsEnumerable.call(init, key)) continue;
          flat.push(toByteString(key, what), toByteString(init[key], what));
        }
      }
      for (let i = 0; i < flat.length; i += 2) {
        flat[i] = checkName(flat[i], what);
        flat[i + 1] = normalizeValue(flat[i + 1], what);
      }
      return flat;
    };
    headersFlat = (h) => {
      const out = [];
      for (const e of h.#map) {
        const name = e[0], values = e[1];
        for (let i = 0; i < values.length; i++) out.push(name, values[i]);
      }
      return out;
    };
    headersHasCT = (h) => h.#map.has('content-type');
    headersSetRaw = (h, name, value) => { h.#append(name, value); };
    headersGetRaw = (h, name) => {
      const values = h.#map.get(name);
      return values === undefined ? null : values.join(', ');
    };
  }

  #append(name, value) {
    const list = this.#map.get(name);
    if (list === undefined) this.#map.set(name, [value]);
    else list.push(value);
    this.#sorted = null;
  }

  #validatedAppend(name, value, what) {
    const lname = checkName(name, what);
    value = normalizeValue(value, what);
    if (this.#guard === 'immutable') throw new TypeError(`${what}: Headers are immutable.`);
    this.#append(lname, value);
  }

  // The spec's "sort and combine": names sorted, values joined with ", ",
  // except that each Set-Cookie value is its own entry.
  #sortAndCombine() {
    if (this.#sorted !== null) return this.#sorted;
    const out = [];
    const names = Array.from(this.#map.keys());
    if (names.length > 1) names.sort();
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const values = this.#map.get(name);
      if (name === 'set-cookie') for (let j = 0; j < values.length; j++) out.push([name, values[j]]);
      else out.push([name, values.join(', ')]);
    }
    return (this.#sorted = out);
  }

  append(name, value) {
    const what = "Failed to execute 'append' on 'Headers'";
    requireArgs(2, arguments.length, what);
    this.#validatedAppend(name, value, what);
  }

  delete(name) {
    const what = "Failed to execute 'delete' on 'Headers'";
    requireArgs(1, arguments.length, what);
    const lname = checkName(name, what);
    if (this.#guard === 'immutable') throw new TypeError(`${what}: Headers are immutable.`);
    if (this.#map.delete(lname)) this.#sorted = null;
  }

  get(name) {
    const what = "Failed to execute 'get' on 'Headers'";
    requireArgs(1, arguments.length, what);
    const values = this.#map.get(checkName(name, what));
    return values === undefined ? null : values.length === 1 ? values[0] : values.join(', ');
  }

  getSetCookie() {
    const values = this.#map.get('set-cookie');
    return values === undefined ? [] : values.slice();
  }

  has(name) {
    const what = "Failed to execute 'has' on 'Headers'";
    requireArgs(1, arguments.length, what);
    return this.#map.has(checkName(name, what));
  }

  set(name, value) {
    const what = "Failed to execute 'set' on 'Headers'";
    requireArgs(2, arguments.length, what);
    const lname = checkName(name, what);
    value = normalizeValue(value, what);
    if (this.#guard === 'immutable') throw new TypeError(`${what}: Headers are immutable.`);
    // Replacing keeps the name's original position (Map.set on an existing key).
    this.#map.set(lname, [value]);
    this.#sorted = null;
  }

  forEach(callback, thisArg = undefined) {
    requireArgs(1, arguments.length, "Failed to execute 'forEach' on 'Headers'");
    if (typeof callback !== 'function') throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not a function.");
    // Recomputed each step, so changes made by the callback are seen (as in Web IDL).
    for (let i = 0; i < this.#sortAndCombine().length; i++) {
      const [name, value] = this.#sortAndCombine()[i];
      callback.call(thisArg, value, name, this);
    }
  }

  entries() { return newHeadersIterator(() => this.#sortAndCombine(), 'key+value'); }
  keys() { return newHeadersIterator(() => this.#sortAndCombine(), 'key'); }
  values() { return newHeadersIterator(() => this.#sortAndCombine(), 'value'); }
}
Object.defineProperty(Headers, 'length', { value: 0 });
webIDLClass(Headers, 'Headers');
Object.defineProperty(Headers.prototype, Symbol.iterator, {
  value: Headers.prototype.entries, writable: true, enumerable: false, configurable: true,
});

// ---------------------------------------------------------------- bodies

// A body is a small state object shared by the Request/Response that owns it:
//   data:   null | string | Uint8Array (in-memory source)
//   stream: null | ReadableStream
//   lazy:   stream is our own view of `data`, made by the `body` getter
//   used:   the runtime read the body (bodyUsed is this, or the stream
//           disturbed: read or cancelled by the function)
//   shared: data is also referenced by a clone or a Blob, so hand out
//           copies only
//
// Streams are handled through the hooks of 25-streams.js, which call the
// library's own methods: the function's replacements of ReadableStream's
// prototype do not apply to the bodies the runtime reads.
const hasStreams = internal.hasStreams === true;
const { isReadableStream, streamLocked, streamDisturbed } = internal;
// A body that can no longer be read: read before, or its stream locked or
// disturbed by the function.
const isUnusable = (b) => b.used || (b.stream !== null && (streamLocked(b.stream) || streamDisturbed(b.stream)));
const isUsed = (b) => b.used || (b.stream !== null && streamDisturbed(b.stream));
// Uint8Array brand check that the function cannot fake (instanceof can be).
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
const isUint8Array = (v) => internal.ReflectApply(typedArrayTag, v, []) === 'Uint8Array';
const Uint8ArrayCtor = Uint8Array;
// (The per-request paths write this literal out in place, marked `newBody`:
// keep the same properties in the same order, so all bodies share one shape.)
const newBody = (data) => ({ data, stream: null, lazy: false, used: false, shared: false, src: null });
const isNullBody = (b) => b.data === null && b.stream === null && b.src === null;

// A fetch()'s response body (js/lib/fetch.js) is a source, `src`, that keeps
// the pieces as they come until the function asks for them: read whole
// (text(), arrayBuffer(), ...) they never go through a stream; `.body`,
// clone() or handing the Response on make the stream then (bodyStream),
// which takes over what the source has.
function srcStream(b) {
  if (b.src !== null && b.stream === null) {
    if (b.used) {
      // read whole already: a stream as that read would have left it
      const s = internal.newByteStream(undefined, undefined, (c) => { c.close(); });
      internal.promiseThen(internal.streamRead(internal.streamReader(s)), undefined, () => {});
      b.stream = s;
    } else {
      b.stream = internal.fetchBodyStream(b.src);
    }
    b.src = null;
  }
}

const TEXT_TYPE = 'text/plain;charset=UTF-8';
const FORM_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

// "Extract a body": returns the body and leaves its content type (or null)
// in `extractedType` (an out-parameter rather than a [body, type] pair: no
// array to allocate and destructure for every Response).
let extractedType = null;
function extractBody(init) {
  extractedType = null;
  if (typeof init === 'string') { extractedType = TEXT_TYPE; return newBody(toUSV(init)); }
  if (init !== null && typeof init === 'object') {
    if (ArrayBuffer.isView(init)) {
      return newBody(new Uint8Array(init.buffer.slice(init.byteOffset, init.byteOffset + init.byteLength)));
    }
    if (isArrayBuffer(init)) return newBody(new Uint8Array(init.slice(0)));
    if (isURLSearchParams(init)) { extractedType = FORM_TYPE; return newBody(urlSearchParamsToString(init)); }
    if (isBlob(init)) {
      const type = blobType(init);
      if (type !== '') extractedType = type;
      const b = newBody(blobBytes(init));
      b.shared = true;
      return b;
    }
    if (isFormData(init)) {
      const form = formDataBody(init);
      extractedType = form.type;
      const b = newBody(form.data);
      b.shared = true;
      return b;
    }
    if (hasStreams && isReadableStream(init)) {
      if (streamLocked(init) || streamDisturbed(init)) throw new TypeError('ReadableStream is locked or disturbed.');
      const b = newBody(null);
      b.stream = init;
      return b;
    }
  }
  // Anything else is a USVString per the BodyInit union.
  const b = newBody(toUSV(init));
  extractedType = TEXT_TYPE;
  return b;
}

// Reads a whole ReadableStream of Uint8Array chunks.
async function readAll(stream) {
  const reader = internal.streamReader(stream);
  const chunks = [];
  let total = 0;
  for (;;) {
    const { value, done } = await internal.streamRead(reader);
    if (done) break;
    if (!isUint8Array(value)) {
      const e = new TypeError(`Body stream chunks must be Uint8Array, not ${value === null ? 'null' : typeof value}.`);
      internal.promiseThen(internal.streamCancel(reader, e), undefined, () => {});
      throw e;
    }
    chunks.push(value);
    total += value.length;
  }
  internal.streamsUsed();
  // Always a new array, even for one chunk: the stream's source may still
  // hold that chunk, and nginx now sends response bytes from the JS buffer
  // in place (no copy) after the handler has returned.
  if (chunks.length === 1) return chunks[0].slice();
  const out = new Uint8ArrayCtor(total);
  let n = 0;
  for (const c of chunks) { out.set(c, n); n += c.length; }
  return out;
}

// The body's bytes or string (or a Promise of the bytes of a stream),
// marking it used; throws if already used. Not async itself: the read
// methods are, and an in-memory body needs no extra promise per read.
function takeBody(b) {
  if (isUnusable(b)) throw new TypeError('Body has already been used.');
  if (isNullBody(b)) return null;
  b.used = true;
  if (b.src !== null && b.stream === null) return internal.fetchBodyWhole(b.src);
  if (b.stream !== null && !b.lazy) {
    // a request body nginx is still reading comes whole from the engine
    const whole = internal.requestBodyWhole(b.stream);
    return whole !== null ? whole : readAll(b.stream);
  }
  return b.data;
}

function bodyText(data) {
  if (data === null) return '';
  if (typeof data === 'string') return data.charCodeAt(0) === 0xFEFF ? data.slice(1) : data;
  // UTF-8 decode (replacement), dropping a BOM.
  const s = data.length === 0 ? '' : utf8Decode(data, false);
  return s.charCodeAt(0) === 0xFEFF ? s.slice(1) : s;
}
function bodyBytes(data, b) {
  if (data === null) return new Uint8Array(0);
  if (typeof data === 'string') return utf8Encode(data);
  // Hand out our own array only if no clone can see it.
  return b.shared ? data.slice() : data;
}
function bodyArrayBuffer(data, b) {
  const u8 = bodyBytes(data, b);
  return u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength ? u8.buffer
    : u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength);
}

// `.body`: a ReadableStream when the runtime has them, else null. For an
// in-memory body the stream is made on first access, a byte stream (Fetch's
// "with byte reading support": BYOB readers work) that reads `data` only
// when pulled, so text()/clone() keep working on the data until then. Its
// one chunk is our own array: the stream takes it over (detaches it).
function bodyStream(b) {
  if (isNullBody(b)) return null;
  srcStream(b);
  if (b.stream !== null) return b.stream;
  if (!hasStreams) return null;
  b.lazy = true;
  b.stream = internal.newByteStream((controller) => {
    if (b.used) { controller.error(new TypeError('Body has already been used.')); return; }
    b.used = true;
    const data = b.data;
    const u8 = typeof data === 'string' ? utf8Encode(data) : (b.shared ? data.slice() : data);
    b.data = null;
    if (u8.length) controller.enqueue(u8);
    controller.close();
  }, () => { b.used = true; b.data = null; });
  return b.stream;
}

// A body for a clone: the same in-memory data (then treated as shared), or a
// tee of a user stream.
function cloneBody(b) {
  if (isUnusable(b)) throw new TypeError('Body has already been used.');
  srcStream(b);
  const c = newBody(b.data);
  if (b.stream !== null && !b.lazy) {
    const [s1, s2] = internal.streamTee(b.stream);
    b.stream = s1;
    c.stream = s2;
  }
  b.shared = c.shared = true;
  return c;
}

// blob(): `ctype` is the Content-Type header's value (or null), read once
// the body is. The Blob takes the bytes over: a body's array is either the
// body's own (now used) or shared, which no one changes.
function bodyBlob(data, ctype) {
  return newBlob(data === null ? new Uint8ArrayCtor(0) : typeof data === 'string' ? utf8Encode(data) : data,
    mimeTypeOf(ctype));
}

// ---------------------------------------------------------------- Request and Response state
//
// Most isolates see too few requests for V8 to optimise the runtime, so the
// per-request path (makeRequest, `new Response(...)`, Response.json,
// responseParts) is written for Ignition, the interpreter:
//  - each instance has ONE private field, `#s`, holding a plain state
//    object: every private field costs a define (and the fields initializer
//    a call) per construction, several times more than one object literal;
//  - runtime code builds instances through requestCreate/responseCreate:
//    a flag makes the constructor return at once, and the state is set
//    directly (no pending-parts object, no validation of trusted parts);
//  - a Response keeps its header list as a flat [name, value, ...] array
//    (`flat`) until `.headers` is read: `new Response('text')` and
//    `Response.json(x)` share a constant list, and responseParts hands the
//    list to nginx as is. No Headers (Map, validation) is made unless asked.
//  - no default parameter values, destructuring, spread or per-request
//    closures on those paths (each costs calls or allocations in Ignition).

// A Response's header list before any `.headers` read. These are shared by
// many responses, so a flat list is never changed once the Response is made:
// reading `.headers` copies it into a Headers, which then replaces it.
const EMPTY_FLAT = Object.freeze([]);
const TEXT_FLAT = Object.freeze(['content-type', TEXT_TYPE]);
const JSON_TYPE = 'application/json';
const JSON_FLAT = Object.freeze(['content-type', JSON_TYPE]);

// True if equal names in a flat list are adjacent, the way headersFlat()
// lists a Headers: then the list is exactly what the equivalent Headers
// would give nginx, and can stand in for it. (A record init with names that
// differ only in case, e.g. {A: '1', b: '2', a: '3'}, is not.)
function flatIsGrouped(flat) {
  const n = flat.length;
  if (n > 64) return false; // long lists are rare; let a Headers group them
  for (let i = 2; i < n; i += 2) {
    const name = flat[i];
    if (name === flat[i - 2]) continue;
    for (let j = 0; j < i - 2; j += 2) if (flat[j] === name) return false;
  }
  return true;
}

function flatHas(flat, name) {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}

// The value of a header in a flat list (its values joined), or null.
function flatGet(flat, name) {
  let value = null;
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === name) value = value === null ? flat[i + 1] : `${value}, ${flat[i + 1]}`;
  }
  return value;
}

// ---------------------------------------------------------------- Request

const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const REDIRECT_MODES = new Set(['follow', 'error', 'manual']);
const CACHE_MODES = new Set(['default', 'no-store', 'reload', 'no-cache', 'force-cache', 'only-if-cached']);
const CREDENTIALS = new Set(['omit', 'same-origin', 'include']);
const MODES = new Set(['same-origin', 'no-cors', 'cors', 'navigate']);
const PRIORITIES = new Set(['high', 'low', 'auto']);
const REFERRER_POLICIES = new Set(['', 'no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin',
  'strict-origin', 'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url']);

// A Request's attributes that only describe it (nothing here fetches), as
// Fetch's defaults give them; `referrer` is "client", "no-referrer" or a URL.
const DEFAULT_OPTS = Object.freeze({
  cache: 'default', credentials: 'same-origin', integrity: '', keepalive: false,
  mode: 'cors', referrer: 'client', referrerPolicy: '',
});

function toEnum(v, set, type, what) {
  const s = `${v}`;
  if (!set.has(s)) throw new TypeError(`${what}: The provided value '${s}' is not a valid enum value of type ${type}.`);
  return s;
}

// The Request constructor's steps for those attributes: `m` holds those
// members of the init (as read), `base` the input request's attributes (or
// the defaults), `nonEmpty` whether the init has any member at all.
function requestOptions(m, base, nonEmpty, what) {
  // Web IDL conversions, in the dictionary's order
  const cache = m.cache === undefined ? undefined : toEnum(m.cache, CACHE_MODES, 'RequestCache', what);
  const credentials = m.credentials === undefined ? undefined
    : toEnum(m.credentials, CREDENTIALS, 'RequestCredentials', what);
  const integrity = m.integrity === undefined ? undefined : `${m.integrity}`;
  const keepalive = m.keepalive === undefined ? undefined : !!m.keepalive;
  const mode = m.mode === undefined ? undefined : toEnum(m.mode, MODES, 'RequestMode', what);
  if (m.priority !== undefined) toEnum(m.priority, PRIORITIES, 'RequestPriority', what);
  const referrer = m.referrer === undefined ? undefined : toUSV(m.referrer);
  const referrerPolicy = m.referrerPolicy === undefined ? undefined
    : toEnum(m.referrerPolicy, REFERRER_POLICIES, 'ReferrerPolicy', what);
  if (m.window !== undefined && m.window !== null) throw new TypeError(`${what}: 'window' must be null.`);
  if (!nonEmpty) return base;

  const o = { ...base };
  if (o.mode === 'navigate') o.mode = 'same-origin';
  o.referrer = 'client';
  o.referrerPolicy = '';
  if (referrer !== undefined && referrer !== '') {
    // There is no document base URL here, so relative URLs fail.
    const rec = parseURLRecord(referrer);
    if (rec === null) throw new TypeError(`${what}: Referrer '${referrer}' is not a valid URL.`);
    o.referrer = rec.scheme === 'about' && rec.path === 'client' ? 'client' : serializeURL(rec);
  } else if (referrer === '') {
    o.referrer = 'no-referrer';
  }
  if (referrerPolicy !== undefined) o.referrerPolicy = referrerPolicy;
  if (mode === 'navigate') {
    throw new TypeError(`${what}: Cannot construct a Request with a RequestInit whose mode member is set as 'navigate'.`);
  }
  if (mode !== undefined) o.mode = mode;
  if (credentials !== undefined) o.credentials = credentials;
  if (cache !== undefined) o.cache = cache;
  if (o.cache === 'only-if-cached' && o.mode !== 'same-origin') {
    throw new TypeError(`${what}: 'only-if-cached' can be set only with 'same-origin' mode.`);
  }
  if (integrity !== undefined) o.integrity = integrity;
  if (keepalive !== undefined) o.keepalive = keepalive;
  return o;
}

// Set by requestCreate()/responseCreate() just before `new Request()` /
// `new Response()` (never while user code runs): the constructor returns at
// once and the caller sets the state.
let buildingRequest = false;
let buildingResponse = false;

let isRequest;       // brand checks
let isResponse;
let requestCreate;   // (method, url, headers, headersFlat, body, redirect, signal, opts) -> Request

// A Request's state:
//   method, url, redirect: strings
//   headers:     Headers | null (null: not made yet, see requestHeaders)
//   headersFlat: for a request from makeRequest whose headers were not looked
//                at yet: the flat list, a function returning it, or the call
//                id to ask natives.headers() for; null once `headers` is made
//   body:        the body state (see newBody)
//   signal:      the AbortSignal once `signal` was read; until then its
//                source (see internal.requestSignal in 16-events.js)
//   opts:        cache, credentials, ... (see DEFAULT_OPTS), never changed
// (Built with object literals in place, in this order, rather than through
// a helper: one call less per request in the interpreter.)

// Only requests from makeRequest (and their clones) are lazy: as for a
// Service Worker's FetchEvent.request (and in Cloudflare Workers) their
// headers are immutable; `new Request(request, {headers})` makes a mutable
// copy.
function requestHeaders(s) {
  if (s.headers === null) {
    const src = s.headersFlat;
    const flat = typeof src === 'function' ? src()
      : typeof src === 'number' ? natives.headers(src) : src;
    s.headers = headersCreate('immutable', flat);
    s.headersFlat = null;
  }
  return s.headers;
}

class Request {
  #s;

  constructor(input, init) {
    if (buildingRequest) { buildingRequest = false; return; }
    const what = "Failed to construct 'Request'";
    requireArgs(1, arguments.length, what);
    init = toDict(init, what);

    let inputReq = null;
    let url, method, redirect = 'follow';
    if (isRequest(input)) {
      inputReq = input.#s;
      url = inputReq.url;
      method = inputReq.method;
      redirect = inputReq.redirect;
    } else {
      const str = toUSV(input);
      // There is no document base URL here, so relative URLs fail.
      const rec = parseURLRecord(str);
      if (rec === null) throw new TypeError(`${what}: Invalid URL '${str}'.`);
      if (rec.username !== '' || rec.password !== '') {
        throw new TypeError(`${what}: Request cannot be constructed from a URL that includes credentials: ${str}`);
      }
      url = serializeURL(rec);
      method = 'GET';
    }

    // Dictionary members are read in lexicographic order, like Web IDL.
    const initBody = init.body;
    const attrs = { cache: init.cache, credentials: init.credentials, integrity: undefined, keepalive: undefined,
      mode: undefined, priority: undefined, referrer: undefined, referrerPolicy: undefined, window: undefined };
    const initDuplex = init.duplex;
    const initHeaders = init.headers;
    attrs.integrity = init.integrity;
    attrs.keepalive = init.keepalive;
    const initMethod = init.method;
    attrs.mode = init.mode;
    attrs.priority = init.priority;
    const initRedirect = init.redirect;
    attrs.referrer = init.referrer;
    attrs.referrerPolicy = init.referrerPolicy;
    const initSignal = init.signal;
    attrs.window = init.window;
    const nonEmpty = initBody !== undefined || initDuplex !== undefined || initHeaders !== undefined
      || initMethod !== undefined || initRedirect !== undefined || initSignal !== undefined
      || attrs.cache !== undefined || attrs.credentials !== undefined || attrs.integrity !== undefined
      || attrs.keepalive !== undefined || attrs.mode !== undefined || attrs.priority !== undefined
      || attrs.referrer !== undefined || attrs.referrerPolicy !== undefined || attrs.window !== undefined;
    const opts = requestOptions(attrs, inputReq !== null ? inputReq.opts : DEFAULT_OPTS, nonEmpty, what);
    let signal = inputReq !== null ? signalFollow(inputReq.signal) : null;
    if (initSignal !== undefined) signal = signalFromInit(initSignal, what);

    if (initDuplex !== undefined && `${initDuplex}` !== 'half') {
      throw new TypeError(`${what}: The provided value '${initDuplex}' is not a valid enum value of type RequestDuplex.`);
    }
    if (initMethod !== undefined) {
      let m = toByteString(initMethod, what);
      if (!TOKEN_RE.test(m)) throw new TypeError(`${what}: '${m}' is not a valid HTTP method.`);
      const upper = m.toUpperCase();
      if (FORBIDDEN_METHODS.has(upper)) throw new TypeError(`${what}: '${m}' HTTP method is unsupported.`);
      if (NORMALIZED_METHODS.has(upper)) m = upper;
      method = m;
    }
    if (opts.mode === 'no-cors' && method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      throw new TypeError(`${what}: '${method}' is unsupported in no-cors mode.`);
    }
    if (initRedirect !== undefined) {
      const r = `${initRedirect}`;
      if (!REDIRECT_MODES.has(r)) throw new TypeError(`${what}: The provided value '${r}' is not a valid enum value of type RequestRedirect.`);
      redirect = r;
    }

    let headers;
    if (initHeaders !== undefined) {
      headers = headersCreate('request', headersInitFlat(initHeaders));
    } else if (inputReq !== null) {
      headers = headersCopy(requestHeaders(inputReq), 'request');
    } else {
      headers = headersCreate('request', null);
    }

    const inputBody = inputReq !== null ? inputReq.body : null;
    const hasInitBody = initBody !== undefined && initBody !== null;
    if ((hasInitBody || (inputBody !== null && !isNullBody(inputBody)))
        && (method === 'GET' || method === 'HEAD')) {
      throw new TypeError(`${what}: Request with GET/HEAD method cannot have body.`);
    }
    let body;
    if (hasInitBody) {
      body = extractBody(initBody);
      // A stream body goes out as it is produced: Fetch wants that said.
      if (body.stream !== null && initDuplex === undefined) {
        throw new TypeError(`${what}: The duplex member must be 'half' when the body is a ReadableStream.`);
      }
      if (body.stream !== null && opts.keepalive) {
        throw new TypeError(`${what}: keepalive cannot be set with a ReadableStream body.`);
      }
      const type = extractedType;
      if (type !== null && !headersHasCT(headers)) headersSetRaw(headers, 'content-type', type);
    } else if (inputBody !== null && !isNullBody(inputBody)) {
      // The new request takes over the input's body; the input becomes used.
      if (isUnusable(inputBody)) {
        throw new TypeError(`${what}: Cannot construct a Request with a Request object that has already been used.`);
      }
      body = inputBody.lazy
        ? { ...newBody(inputBody.data), shared: inputBody.shared }
        : { ...inputBody, used: false };
      inputBody.used = true;
    } else {
      body = newBody(null);
    }
    if (body.stream !== null && !body.lazy && opts.mode !== 'same-origin' && opts.mode !== 'cors') {
      throw new TypeError(`${what}: A ReadableStream body needs mode 'same-origin' or 'cors'.`);
    }
    this.#s = { method, url, headers, headersFlat: null, body, redirect, signal, opts };
  }

  static {
    isRequest = (v) => v !== null && typeof v === 'object' && #s in v;
    // For fetch() (js/lib/fetch.js): what goes out, the body taken (marked
    // used; throws if it was). body: null, a string, bytes, or the
    // function's ReadableStream (fetch() reads it).
    internal.fetchRequestParts = (r) => {
      const s = r.#s;
      const b = s.body;
      let body;
      if (b.stream !== null && !b.lazy) {
        if (isUnusable(b)) throw new TypeError('Body has already been used.');
        b.used = true;
        body = b.stream;
      } else {
        body = takeBody(b);
      }
      return { method: s.method, url: s.url, headers: headersFlat(requestHeaders(s)),
        body, redirect: s.redirect, signal: r.signal };
    };
    requestCreate = (method, url, headers, headersFlat, body, redirect, signal, opts) => {
      buildingRequest = true;
      const r = new Request();
      r.#s = { method, url, headers, headersFlat, body, redirect, signal, opts };
      return r;
    };
  }

  get method() { return this.#s.method; }
  get url() { return this.#s.url; }
  get headers() { return requestHeaders(this.#s); }
  get redirect() { return this.#s.redirect; }
  get signal() {
    const s = this.#s;
    return isAbortSignal(s.signal) ? s.signal : (s.signal = requestSignal(s.signal));
  }
  get duplex() { void this.#s; return 'half'; }
  get cache() { return this.#s.opts.cache; }
  get credentials() { return this.#s.opts.credentials; }
  get destination() { void this.#s; return ''; }
  get integrity() { return this.#s.opts.integrity; }
  get keepalive() { return this.#s.opts.keepalive; }
  get mode() { return this.#s.opts.mode; }
  get referrer() {
    const r = this.#s.opts.referrer;
    return r === 'client' ? 'about:client' : r === 'no-referrer' ? '' : r;
  }
  get referrerPolicy() { return this.#s.opts.referrerPolicy; }
  // (no request here comes from a navigation)
  get isHistoryNavigation() { void this.#s; return false; }
  get isReloadNavigation() { void this.#s; return false; }
  get body() { return bodyStream(this.#s.body); }
  get bodyUsed() { return isUsed(this.#s.body); }

  clone() {
    const s = this.#s;
    const body = cloneBody(s.body);
    // A request from makeRequest that never had its headers looked at can
    // share the (never mutated) flat list, or its source, instead.
    return requestCreate(s.method, s.url, s.headers === null ? null : headersCopy(s.headers),
      s.headersFlat, body, s.redirect, signalFollow(s.signal), s.opts);
  }

  async arrayBuffer() { const b = this.#s.body; return bodyArrayBuffer(await takeBody(b), b); }
  async bytes() { const b = this.#s.body; return bodyBytes(await takeBody(b), b); }
  async text() { return bodyText(await takeBody(this.#s.body)); }
  async json() { return JSON.parse(bodyText(await takeBody(this.#s.body))); }
  async blob() {
    const s = this.#s;
    const data = await takeBody(s.body);
    return bodyBlob(data, headersGetRaw(requestHeaders(s), 'content-type'));
  }
  async formData() {
    const s = this.#s;
    const data = await takeBody(s.body);
    return parseFormData(data, headersGetRaw(requestHeaders(s), 'content-type'), "Failed to execute 'formData' on 'Request'");
  }
}
webIDLClass(Request, 'Request');

// ---------------------------------------------------------------- Response

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const REASON_PHRASE_RE = /^[\t\x20-\x7E\x80-\xFF]*$/;

// Web IDL unsigned short.
function toUnsignedShort(v) {
  let n = Number(v);
  if (!Number.isFinite(n)) return 0;
  n = Math.trunc(n) % 65536;
  return n < 0 ? n + 65536 : n;
}

let responseCreate;  // (status, statusText, headers, flat, body, type, url) -> Response
let responseFromState; // (state) -> Response

// A Response's state:
//   status, statusText, type, url
//   headers: Headers | null, flat: array | null -- exactly one is set: the
//            header list is `flat` (names lowercase, grouped, never changed;
//            maybe shared) until `.headers` is read, then a Headers
//   body:    the body state (see newBody)
const newResponseState = (status, statusText, headers, flat, body, type, url) => ({
  status, statusText, headers, flat, body, type, url,
});

// "Initialize a response" for the constructor and Response.json(): `body` is
// an extracted body or null, `ctype` its content type or null.
function initResponseState(body, ctype, init, what) {
  let status = 200;
  let statusText = '';
  let headers = null;
  let flat = EMPTY_FLAT;
  if (init !== undefined && init !== null) {
    if (typeof init !== 'object' && typeof init !== 'function') throw new TypeError(`${what}: The provided value is not an object.`);
    // Dictionary members are read once each, in lexicographic order.
    const initHeaders = init.headers;
    const initStatus = init.status;
    if (initStatus !== undefined) status = toUnsignedShort(initStatus);
    const initStatusText = init.statusText;
    if (initStatusText !== undefined) statusText = toByteString(initStatusText, what);
    if (status < 200 || status > 599) {
      throw new RangeError(`${what}: The status provided (${status}) is outside the range [200, 599].`);
    }
    if (statusText !== '' && !REASON_PHRASE_RE.test(statusText)) throw new TypeError(`${what}: Invalid statusText.`);
    if (initHeaders !== undefined) {
      // The common {headers: {...}} stays a flat list; a list with a name
      // repeated apart goes through a Headers to be grouped.
      flat = headersInitFlat(initHeaders);
      if (!flatIsGrouped(flat)) {
        headers = headersCreate('response', flat);
        flat = null;
      }
    }
  }
  if (body === null) {
    body = { data: null, stream: null, lazy: false, used: false, shared: false, src: null }; // newBody(null)
  } else {
    // Null body statuses in [200, 599] (101 and 103 are out of range).
    if (status === 204 || status === 205 || status === 304) {
      throw new TypeError(`${what}: Response with null body status cannot have body.`);
    }
    if (ctype !== null) {
      if (headers !== null) {
        if (!headersHasCT(headers)) headersSetRaw(headers, 'content-type', ctype);
      } else if (flat.length === 0) {
        flat = ctype === TEXT_TYPE ? TEXT_FLAT : ctype === JSON_TYPE ? JSON_FLAT : ['content-type', ctype];
      } else if (!flatHas(flat, 'content-type')) {
        flat.push('content-type', ctype); // a fresh list from headersInitFlat
      }
    }
  }
  // (the literal is newResponseState's, in place: one call less per Response)
  return { status, statusText, headers, flat, body, type: 'default', url: '' };
}

const responseContentType = (s) => (s.headers === null ? flatGet(s.flat, 'content-type')
  : headersGetRaw(s.headers, 'content-type'));

class Response {
  #s;

  constructor(body, init) {
    if (buildingResponse) { buildingResponse = false; return; }
    const what = "Failed to construct 'Response'";
    if (body === undefined || body === null) {
      this.#s = initResponseState(null, null, init, what);
    } else if (typeof body === 'string') {
      const b = { data: toUSV(body), stream: null, lazy: false, used: false, shared: false, src: null }; // newBody()
      this.#s = initResponseState(b, TEXT_TYPE, init, what);
    } else {
      const b = extractBody(body);
      this.#s = initResponseState(b, extractedType, init, what);
    }
  }

  static {
    isResponse = (v) => v !== null && typeof v === 'object' && #s in v;
    responseFromState = (s) => {
      buildingResponse = true;
      const r = new Response();
      r.#s = s;
      return r;
    };
    responseCreate = (status, statusText, headers, flat, body, type, url) =>
      responseFromState(newResponseState(status, statusText, headers, flat, body, type, url));
    // fetch()'s response (js/lib/fetch.js): headers as received, immutable;
    // the body a source (see srcStream), or null.
    internal.fetchResponse = (status, statusText, flat, src, url, redirected) => {
      const b = newBody(null);
      b.src = src;
      // the list as received until `.headers` is read (then an immutable
      // Headers), unless it has a name repeated apart: a Headers groups it
      const grouped = flatIsGrouped(flat);
      const s = newResponseState(status, statusText, grouped ? null : headersCreate('immutable', flat),
        grouped ? flat : null, b, 'default', url);
      s.redirected = redirected;
      s.immutable = true;
      return responseFromState(s);
    };
    // See internal.responseParts below.
    internal.responseParts = function responseParts(r) {
      if (r === null || typeof r !== 'object' || !(#s in r)) return null;
      const s = r.#s;
      const b = s.body;
      // The flat list goes out as is: nginx only reads it (it is shared and
      // must not be changed, see EMPTY_FLAT).
      const parts = {
        status: s.status, statusText: s.statusText,
        headers: s.headers === null ? s.flat : headersFlat(s.headers), body: null, stream: null, pipe: null,
      };
      if (isUnusable(b)) {
        throw new TypeError('Response body has already been used.');
      }
      if (b.src !== null && b.stream === null) {
        // a fetch()'s body JS never touched: the engine hands its pieces on
        // (internal.fetchPipe), no stream; used as a stream would be
        b.used = true;
        parts.body = true;
        parts.pipe = b.src;
        return parts;
      }
      srcStream(b);
      if (b.stream !== null && !b.lazy) {
        // A stream goes out as nginx asks for it (31-bodies.js): body true.
        b.used = true;
        parts.body = true;
        parts.stream = b.stream;
        return parts;
      }
      // In-memory bodies are not marked used: returning the same Response
      // object from several requests keeps working.
      parts.body = b.data;
      return parts;
    };
  }

  static error() {
    return responseCreate(0, '', headersCreate('immutable', null), null, newBody(null), 'error', '');
  }

  static redirect(url, status) {
    const what = "Failed to execute 'redirect' on 'Response'";
    requireArgs(1, arguments.length, what);
    const str = toUSV(url);
    const rec = parseURLRecord(str);
    if (rec === null) throw new TypeError(`${what}: Invalid URL '${str}'.`);
    status = status === undefined ? 302 : toUnsignedShort(status);
    if (!REDIRECT_STATUS.has(status)) throw new RangeError(`${what}: Invalid status code ${status}.`);
    const headers = headersCreate('immutable', ['location', serializeURL(rec)]);
    return responseCreate(status, '', headers, null, newBody(null), 'default', '');
  }

  static json(data, init) {
    const what = "Failed to execute 'json' on 'Response'";
    requireArgs(1, arguments.length, what);
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError(`${what}: The data is not JSON serializable.`);
    // JSON.stringify never yields lone surrogates: no USV conversion needed.
    const b = { data: text, stream: null, lazy: false, used: false, shared: false, src: null }; // newBody()
    return responseFromState(initResponseState(b, JSON_TYPE, init, what));
  }

  get type() { return this.#s.type; }
  get url() { return this.#s.url; }
  get redirected() { return this.#s.redirected === true; }
  get status() { return this.#s.status; }
  get ok() { const st = this.#s.status; return st >= 200 && st <= 299; }
  get statusText() { return this.#s.statusText; }
  get headers() {
    const s = this.#s;
    if (s.headers === null) {
      s.headers = headersCreate(s.immutable === true ? 'immutable' : 'response', s.flat);
      s.flat = null;
    }
    return s.headers;
  }
  get body() { return bodyStream(this.#s.body); }
  get bodyUsed() { return isUsed(this.#s.body); }

  clone() {
    const s = this.#s;
    const body = cloneBody(s.body);
    // The copy keeps the guard (the headers of a redirect stay immutable);
    // a flat list is never changed, so both can share it.
    const r = responseCreate(s.status, s.statusText, s.headers === null ? null : headersCopy(s.headers),
      s.flat, body, s.type, s.url);
    if (s.redirected === true) r.#s.redirected = true;
    if (s.immutable === true) r.#s.immutable = true;
    return r;
  }

  async arrayBuffer() { const b = this.#s.body; return bodyArrayBuffer(await takeBody(b), b); }
  async bytes() { const b = this.#s.body; return bodyBytes(await takeBody(b), b); }
  async text() { return bodyText(await takeBody(this.#s.body)); }
  async json() { return JSON.parse(bodyText(await takeBody(this.#s.body))); }
  async blob() {
    const s = this.#s;
    const data = await takeBody(s.body);
    return bodyBlob(data, responseContentType(s));
  }
  async formData() {
    const s = this.#s;
    const data = await takeBody(s.body);
    return parseFormData(data, responseContentType(s), "Failed to execute 'formData' on 'Response'");
  }
}
// Without default parameter values the lengths would be 2: keep Web IDL's.
Object.defineProperty(Request, 'length', { value: 1 });
Object.defineProperty(Response, 'length', { value: 0 });
Object.defineProperty(Response.redirect, 'length', { value: 1 });
Object.defineProperty(Response.json, 'length', { value: 1 });
webIDLClass(Response, 'Response');

// ---------------------------------------------------------------- runtime hooks

// Builds the Request a handler receives. nginx already parsed and validated
// everything, so nothing is checked again, and the Headers object (immutable)
// is only built if the handler looks at request.headers. headersFlat may be
// an array, a function returning one (called at most once), or a call id
// (a number): then natives.headers(id) gives the list, at most once, which
// spares the dispatcher a closure per request.
internal.makeRequest = function makeRequest(method, url, headersFlat, body) {
  let data = null;
  let stream = null;
  if (body === true) {
    // pieces the engine feeds as nginx reads them (31-bodies.js)
    stream = internal.requestBody(headersFlat);
  } else if (body !== null && body !== undefined) {
    data = body instanceof Uint8Array ? body : internal.toBytes(body, 'makeRequest');
    if (data.length === 0 && (method === 'GET' || method === 'HEAD')) data = null;
  }
  if (headersFlat === null || headersFlat === undefined) headersFlat = EMPTY_FLAT;
  const b = { data, stream, lazy: false, used: false, shared: false, src: null }; // newBody(data)
  // (the call id, when there is one, is also the source of its signal)
  return requestCreate(method, url, null, headersFlat, b, 'follow', typeof headersFlat === 'number' ? headersFlat : null,
    DEFAULT_OPTS);
};

// internal.responseParts(response), set in Response's static block: what the
// dispatcher sends for a handler's return value: null if it is not a
// Response, else {status, statusText, headers: [n0, v0, ...], body, stream}
// with lowercase header names and body a string, a Uint8Array or null, or
// true when the body is a stream (then `stream`, sent as nginx asks for it:
// 31-bodies.js); throws a TypeError when the body was already read.
// Response.error() gives status 0.
internal.isRequest = (v) => isRequest(v);
internal.isResponse = (v) => isResponse(v);

defineGlobal('Headers', Headers);
defineGlobal('Request', Request);
defineGlobal('Response', Response);
