// 30-fetch.js: the Fetch Standard's `Headers`, `Request` and `Response`, and
// the runtime hooks `internal.makeRequest` / `internal.responseParts`.
//
// Bodies live in memory: a body is null, a string (from a string or
// URLSearchParams init: encoded lazily, often never) or a Uint8Array. A
// ReadableStream body is supported only if some runtime file provides a
// `ReadableStream` global; otherwise `.body` is null and the read methods
// (`text()`, `json()`, `arrayBuffer()`, `bytes()`) are the way in.
//
// Header guards: only "immutable" is enforced. Like other server-side
// runtimes there are no forbidden request/response header names.

const {
  toUSV, parseURLRecord, serializeURL, isURLSearchParams, urlSearchParamsToString,
  utf8Encode, utf8Decode, isArrayBuffer, makeIteratorClass, webIDLClass,
} = internal;

const defineGlobal = (name, value) => Object.defineProperty(globalThis, name, {
  value, writable: true, configurable: true, enumerable: false,
});

function requireArgs(n, got, what) {
  if (got < n) throw new TypeError(`${what}: ${n} argument${n > 1 ? 's' : ''} required, but only ${got} present.`);
}

// Web IDL ByteString: a string of code units <= 0xFF.
function toByteString(v, what) {
  const s = typeof v === 'string' ? v : `${v}`;
  if (/[^\x00-\xFF]/.test(s)) throw new TypeError(`${what}: Value is not a valid ByteString.`);
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
let headersFill;     // (headers, init) -> fill from a HeadersInit (validated)
let headersFlat;     // (headers) -> [name, value, ...] in insertion order, names lowercase
let headersHasCT;    // (headers) -> has content-type
let headersSetRaw;   // (headers, name, value) -> append without validation or guard

class Headers {
  // lowercase name -> array of values. A Map keeps the names in first-insertion
  // order, which is the order responseParts() hands to nginx.
  #map = new Map();
  #guard = 'none';
  #sorted = null;  // cached "sort and combine" result, reset on every change

  constructor(init = undefined) {
    if (init !== undefined) headersFill(this, init);
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
    headersCopy = (src, guard = src.#guard) => {
      const h = new Headers();
      h.#guard = guard;
      for (const [name, values] of src.#map) h.#map.set(name, values.slice());
      return h;
    };
    headersFill = (h, init) => {
      const what = "Failed to construct 'Headers'";
      if (init === null || (typeof init !== 'object' && typeof init !== 'function')) {
        throw new TypeError(`${what}: The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.`);
      }
      if (#map in init) {
        // Another Headers: copy its list directly (same result as iterating it).
        for (const [name, values] of init.#map) for (const v of values) h.#append(name, v);
        return;
      }
      const iter = init[Symbol.iterator];
      if (iter !== undefined && iter !== null) {
        if (typeof iter !== 'function') throw new TypeError(`${what}: The object must have a callable @@iterator property.`);
        const pairs = [];
        for (const pair of init) {
          if (pair === null || (typeof pair !== 'object' && typeof pair !== 'function')) {
            throw new TypeError(`${what}: The provided value cannot be converted to a sequence.`);
          }
          const items = Array.from(pair);
          if (items.length !== 2) throw new TypeError(`${what}: Invalid value: a header pair must have exactly two items.`);
          pairs.push([toByteString(items[0], what), toByteString(items[1], what)]);
        }
        for (const [n, v] of pairs) h.#validatedAppend(n, v, what);
      } else {
        const rec = [];
        for (const key of Reflect.ownKeys(init)) {
          const d = Reflect.getOwnPropertyDescriptor(init, key);
          if (d === undefined || !d.enumerable) continue;
          rec.push([toByteString(key, what), toByteString(init[key], what)]);
        }
        for (const [n, v] of rec) h.#validatedAppend(n, v, what);
      }
    };
    headersFlat = (h) => {
      const out = [];
      for (const [name, values] of h.#map) for (const v of values) out.push(name, v);
      return out;
    };
    headersHasCT = (h) => h.#map.has('content-type');
    headersSetRaw = (h, name, value) => { h.#append(name, value); };
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
    for (const name of [...this.#map.keys()].sort()) {
      const values = this.#map.get(name);
      if (name === 'set-cookie') for (const v of values) out.push([name, v]);
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
    return values === undefined ? null : values.join(', ');
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
webIDLClass(Headers, 'Headers');
Object.defineProperty(Headers.prototype, Symbol.iterator, {
  value: Headers.prototype.entries, writable: true, enumerable: false, configurable: true,
});

// ---------------------------------------------------------------- bodies

// A body is a small state object shared by the Request/Response that owns it:
//   data:   null | string | Uint8Array (in-memory source)
//   stream: null | ReadableStream (only with a ReadableStream global)
//   lazy:   stream is our own view of `data`, made by the `body` getter
//   used:   the body was read (bodyUsed)
//   shared: data is also referenced by a clone, so hand out copies only
const hasStreams = () => typeof globalThis.ReadableStream === 'function';
const newBody = (data) => ({ data, stream: null, lazy: false, used: false, shared: false });
const isNullBody = (b) => b.data === null && b.stream === null;

const TEXT_TYPE = 'text/plain;charset=UTF-8';
const FORM_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

// "Extract a body": returns [body, content type or null].
function extractBody(init) {
  if (typeof init === 'string') return [newBody(toUSV(init)), TEXT_TYPE];
  if (init !== null && typeof init === 'object') {
    if (ArrayBuffer.isView(init)) {
      return [newBody(new Uint8Array(init.buffer.slice(init.byteOffset, init.byteOffset + init.byteLength))), null];
    }
    if (isArrayBuffer(init)) return [newBody(new Uint8Array(init.slice(0))), null];
    if (isURLSearchParams(init)) return [newBody(urlSearchParamsToString(init)), FORM_TYPE];
    if (hasStreams() && init instanceof globalThis.ReadableStream) {
      if (init.locked) throw new TypeError('ReadableStream is locked.');
      const b = newBody(null);
      b.stream = init;
      return [b, null];
    }
  }
  // Anything else is a USVString per the BodyInit union.
  return [newBody(toUSV(init)), TEXT_TYPE];
}

// Reads a whole ReadableStream of Uint8Array chunks.
async function readAll(stream) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new TypeError('Body stream chunks must be Uint8Array.');
    chunks.push(value);
    total += value.length;
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let n = 0;
  for (const c of chunks) { out.set(c, n); n += c.length; }
  return out;
}

// The body's bytes or string, marking it used; rejects if already used.
async function takeBody(b) {
  if (b.used || (b.stream !== null && b.stream.locked)) throw new TypeError('Body has already been used.');
  if (isNullBody(b)) return null;
  b.used = true;
  if (b.stream !== null && !b.lazy) return readAll(b.stream);
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
// in-memory body the stream is made on first access and only reads `data`
// when pulled, so text()/clone() keep working on the data until then.
function bodyStream(b) {
  if (isNullBody(b)) return null;
  if (b.stream !== null) return b.stream;
  if (!hasStreams()) return null;
  b.lazy = true;
  b.stream = new globalThis.ReadableStream({
    pull(controller) {
      if (b.used) { controller.error(new TypeError('Body has already been used.')); return; }
      b.used = true;
      const data = b.data;
      const u8 = typeof data === 'string' ? utf8Encode(data) : (b.shared ? data.slice() : data);
      if (u8.length) controller.enqueue(u8);
      controller.close();
    },
  }, { highWaterMark: 0 });
  return b.stream;
}

// A body for a clone: the same in-memory data (then treated as shared), or a
// tee of a user stream.
function cloneBody(b) {
  if (b.used || (b.stream !== null && b.stream.locked)) throw new TypeError('Body has already been used.');
  const c = newBody(b.data);
  if (b.stream !== null && !b.lazy) {
    const [s1, s2] = b.stream.tee();
    b.stream = s1;
    c.stream = s2;
  }
  b.shared = c.shared = true;
  return c;
}

// ---------------------------------------------------------------- Request

const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const REDIRECT_MODES = new Set(['follow', 'error', 'manual']);

// Set just before `new Request()` / `new Response()` by trusted runtime code
// to build an object from already-valid parts (never while user code runs).
let pendingRequest = null;
let pendingResponse = null;

let isRequest;       // brand checks
let isResponse;
let responseGetParts;

class Request {
  #method;
  #url;
  #headers = null;
  #headersFlat = null; // from makeRequest: turned into #headers on first access
  #body;
  #redirect = 'follow';

  constructor(input, init = undefined) {
    if (pendingRequest !== null) {
      const p = pendingRequest;
      pendingRequest = null;
      this.#method = p.method;
      this.#url = p.url;
      this.#headers = p.headers;
      this.#headersFlat = p.headersFlat;
      this.#body = p.body;
      this.#redirect = p.redirect;
      return;
    }
    const what = "Failed to construct 'Request'";
    requireArgs(1, arguments.length, what);
    init = toDict(init, what);

    let inputReq = null;
    if (isRequest(input)) {
      inputReq = input;
      this.#url = input.#url;
      this.#method = input.#method;
      this.#redirect = input.#redirect;
    } else {
      const str = toUSV(input);
      // There is no document base URL here, so relative URLs fail.
      const rec = parseURLRecord(str);
      if (rec === null) throw new TypeError(`${what}: Invalid URL '${str}'.`);
      if (rec.username !== '' || rec.password !== '') {
        throw new TypeError(`${what}: Request cannot be constructed from a URL that includes credentials: ${str}`);
      }
      this.#url = serializeURL(rec);
      this.#method = 'GET';
    }

    // Dictionary members are read in lexicographic order, like Web IDL.
    const initBody = init.body;
    const initHeaders = init.headers;
    const initMethod = init.method;
    const initRedirect = init.redirect;

    if (initMethod !== undefined) {
      let m = toByteString(initMethod, what);
      if (!TOKEN_RE.test(m)) throw new TypeError(`${what}: '${m}' is not a valid HTTP method.`);
      const upper = m.toUpperCase();
      if (FORBIDDEN_METHODS.has(upper)) throw new TypeError(`${what}: '${m}' HTTP method is unsupported.`);
      if (NORMALIZED_METHODS.has(upper)) m = upper;
      this.#method = m;
    }
    if (initRedirect !== undefined) {
      const r = `${initRedirect}`;
      if (!REDIRECT_MODES.has(r)) throw new TypeError(`${what}: The provided value '${r}' is not a valid enum value of type RequestRedirect.`);
      this.#redirect = r;
    }

    if (initHeaders !== undefined) {
      this.#headers = headersCreate('request', null);
      headersFill(this.#headers, initHeaders);
    } else if (inputReq !== null) {
      this.#headers = headersCopy(inputReq.#getHeaders(), 'request');
    } else {
      this.#headers = headersCreate('request', null);
    }

    const inputBody = inputReq !== null ? inputReq.#body : null;
    const hasInitBody = initBody !== undefined && initBody !== null;
    if ((hasInitBody || (inputBody !== null && !isNullBody(inputBody)))
        && (this.#method === 'GET' || this.#method === 'HEAD')) {
      throw new TypeError(`${what}: Request with GET/HEAD method cannot have body.`);
    }
    if (hasInitBody) {
      const [body, type] = extractBody(initBody);
      this.#body = body;
      if (type !== null && !headersHasCT(this.#headers)) headersSetRaw(this.#headers, 'content-type', type);
    } else if (inputBody !== null && !isNullBody(inputBody)) {
      // The new request takes over the input's body; the input becomes used.
      if (inputBody.used || (inputBody.stream !== null && inputBody.stream.locked)) {
        throw new TypeError(`${what}: Cannot construct a Request with a Request object that has already been used.`);
      }
      this.#body = inputBody.lazy
        ? { ...newBody(inputBody.data), shared: inputBody.shared }
        : { ...inputBody, used: false };
      inputBody.used = true;
    } else {
      this.#body = newBody(null);
    }
  }

  static {
    isRequest = (v) => v !== null && typeof v === 'object' && #method in v;
  }

  get method() { return this.#method; }
  get url() { return this.#url; }
  #getHeaders() {
    if (this.#headers === null) {
      // Only requests from makeRequest (and their clones) are lazy: as for a
      // Service Worker's FetchEvent.request (and in Cloudflare Workers) their
      // headers are immutable; `new Request(request, {headers})` makes a
      // mutable copy.
      // makeRequest may hand a function that fetches them from nginx
      const flat = typeof this.#headersFlat === 'function' ? this.#headersFlat() : this.#headersFlat;
      this.#headers = headersCreate('immutable', flat);
      this.#headersFlat = null;
    }
    return this.#headers;
  }

  get headers() { return this.#getHeaders(); }
  get redirect() { return this.#redirect; }
  get body() { return bodyStream(this.#body); }
  get bodyUsed() { return this.#body.used; }

  clone() {
    const body = cloneBody(this.#body);
    // A request from makeRequest that never had its headers looked at can
    // share the (never mutated) flat list instead.
    pendingRequest = {
      method: this.#method, url: this.#url,
      headers: this.#headers === null ? null : headersCopy(this.#headers),
      headersFlat: this.#headersFlat, body, redirect: this.#redirect,
    };
    return new Request();
  }

  async arrayBuffer() { const b = this.#body; return bodyArrayBuffer(await takeBody(b), b); }
  async bytes() { const b = this.#body; return bodyBytes(await takeBody(b), b); }
  async text() { return bodyText(await takeBody(this.#body)); }
  async json() { return JSON.parse(bodyText(await takeBody(this.#body))); }
}
webIDLClass(Request, 'Request');

// ---------------------------------------------------------------- Response

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const REASON_PHRASE_RE = /^[\t\x20-\x7E\x80-\xFF]*$/;

// Web IDL unsigned short.
function toUnsignedShort(v) {
  let n = Number(v);
  if (!Number.isFinite(n)) return 0;
  n = Math.trunc(n) % 65536;
  return n < 0 ? n + 65536 : n;
}

// "Initialize a response" for the constructor and Response.json().
function initResponseParts(init, bodyAndType, what) {
  init = toDict(init, what);
  const initHeaders = init.headers;
  const status = init.status === undefined ? 200 : toUnsignedShort(init.status);
  const statusText = init.statusText === undefined ? '' : toByteString(init.statusText, what);
  if (status < 200 || status > 599) {
    throw new RangeError(`${what}: The status provided (${status}) is outside the range [200, 599].`);
  }
  if (!REASON_PHRASE_RE.test(statusText)) throw new TypeError(`${what}: Invalid statusText.`);
  const headers = headersCreate('response', null);
  if (initHeaders !== undefined) headersFill(headers, initHeaders);
  let body = newBody(null);
  if (bodyAndType !== null) {
    if (NULL_BODY_STATUS.has(status)) throw new TypeError(`${what}: Response with null body status cannot have body.`);
    body = bodyAndType[0];
    if (bodyAndType[1] !== null && !headersHasCT(headers)) headersSetRaw(headers, 'content-type', bodyAndType[1]);
  }
  return { status, statusText, headers, body, type: 'default', url: '' };
}

class Response {
  #status;
  #statusText;
  #headers;
  #body;
  #type;
  #url;

  constructor(body = null, init = undefined) {
    let p = pendingResponse;
    if (p !== null) pendingResponse = null;
    else {
      const what = "Failed to construct 'Response'";
      p = initResponseParts(init, body === null || body === undefined ? null : extractBody(body), what);
    }
    this.#status = p.status;
    this.#statusText = p.statusText;
    this.#headers = p.headers;
    this.#body = p.body;
    this.#type = p.type;
    this.#url = p.url;
  }

  static {
    isResponse = (v) => v !== null && typeof v === 'object' && #status in v;
    responseGetParts = (r) => {
      const b = r.#body;
      const parts = { status: r.#status, statusText: r.#statusText, headers: headersFlat(r.#headers), body: null };
      if (b.used || (b.stream !== null && b.stream.locked)) {
        return Promise.reject(new TypeError('Response body has already been used.'));
      }
      if (b.stream !== null && !b.lazy) {
        b.used = true;
        return readAll(b.stream).then((u8) => { parts.body = u8; return parts; });
      }
      // In-memory bodies are not marked used: returning the same Response
      // object from several requests keeps working.
      parts.body = b.data;
      return parts;
    };
  }

  static error() {
    pendingResponse = {
      status: 0, statusText: '', headers: headersCreate('immutable', null), body: newBody(null), type: 'error', url: '',
    };
    return new Response();
  }

  static redirect(url, status = 302) {
    const what = "Failed to execute 'redirect' on 'Response'";
    requireArgs(1, arguments.length, what);
    const str = toUSV(url);
    const rec = parseURLRecord(str);
    if (rec === null) throw new TypeError(`${what}: Invalid URL '${str}'.`);
    status = toUnsignedShort(status);
    if (!REDIRECT_STATUS.has(status)) throw new RangeError(`${what}: Invalid status code ${status}.`);
    const headers = headersCreate('immutable', ['location', serializeURL(rec)]);
    pendingResponse = { status, statusText: '', headers, body: newBody(null), type: 'default', url: '' };
    return new Response();
  }

  static json(data, init = undefined) {
    const what = "Failed to execute 'json' on 'Response'";
    requireArgs(1, arguments.length, what);
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError(`${what}: The data is not JSON serializable.`);
    const p = initResponseParts(init, [newBody(text), 'application/json'], what);
    pendingResponse = p;
    return new Response();
  }

  get type() { return this.#type; }
  get url() { return this.#url; }
  get redirected() { void this.#type; return false; }
  get status() { return this.#status; }
  get ok() { return this.#status >= 200 && this.#status <= 299; }
  get statusText() { return this.#statusText; }
  get headers() { return this.#headers; }
  get body() { return bodyStream(this.#body); }
  get bodyUsed() { return this.#body.used; }

  clone() {
    const body = cloneBody(this.#body);
    // The copy keeps the guard (the headers of a redirect stay immutable).
    pendingResponse = {
      status: this.#status, statusText: this.#statusText, headers: headersCopy(this.#headers),
      body, type: this.#type, url: this.#url,
    };
    return new Response();
  }

  async arrayBuffer() { const b = this.#body; return bodyArrayBuffer(await takeBody(b), b); }
  async bytes() { const b = this.#body; return bodyBytes(await takeBody(b), b); }
  async text() { return bodyText(await takeBody(this.#body)); }
  async json() { return JSON.parse(bodyText(await takeBody(this.#body))); }
}
webIDLClass(Response, 'Response');

// ---------------------------------------------------------------- runtime hooks

// Builds the Request a handler receives. nginx already parsed and validated
// everything, so nothing is checked again, and the Headers object (immutable)
// is only built if the handler looks at request.headers. headersFlat may be
// an array or a function returning one (called at most once).
internal.makeRequest = (method, url, headersFlat, body) => {
  let data = null;
  if (body !== null && body !== undefined) {
    data = body instanceof Uint8Array ? body : internal.toBytes(body, 'makeRequest');
    if (data.length === 0 && (method === 'GET' || method === 'HEAD')) data = null;
  }
  pendingRequest = {
    method, url, headers: null, headersFlat: headersFlat || [], body: newBody(data), redirect: 'follow',
  };
  return new Request();
};

// What the dispatcher sends for a handler's return value: null if it is not
// a Response, else {status, statusText, headers: [n0, v0, ...], body} with
// lowercase header names and body a string, a Uint8Array or null; a Promise
// of that when the body is a stream, a rejected Promise when the body was
// already read. Response.error() gives status 0.
internal.responseParts = (response) => (isResponse(response) ? responseGetParts(response) : null);
internal.isRequest = (v) => isRequest(v);
internal.isResponse = (v) => isResponse(v);

defineGlobal('Headers', Headers);
defineGlobal('Request', Request);
defineGlobal('Response', Response);
