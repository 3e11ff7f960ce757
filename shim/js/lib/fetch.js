// js/lib/fetch.js: the global fetch() (Fetch Standard, as workerd has it).
//
// A library (js/README.md, "Libraries"): loaded when a function first reads
// `fetch`; its result is {fetch}. Parameters after natives and internal: the
// built-ins js/31-fetch.js captured when the snapshot was made: PromiseCtor,
// RequestCtor, MapCtor, MapGet, MapSet, MapDelete, TypeErrorCtor,
// Uint8ArrayCtor, ObjectDefineProperty, addEventListener,
// removeEventListener.
//
// One fetch() is one or more hops (redirects are followed here, each hop a
// natives.fetchStart(), which the engine hands to the host: a subrequest for
// a URL of the calling request's origin, nginx's HTTP client otherwise). The
// engine reports each hop through the hooks given to natives.fetchInit():
// onHead (status, text, headers, url), onData (a Uint8Array piece, or the
// end, or an error message) and onFail (a message: fetch() rejects with a
// TypeError of it). The request body is read whole before the first hop (a
// stream to its end): uploads are not streamed.

const { ReflectApply, promiseThen, parseURLRecord, serializeURL, toUSV, callKey } = internal;

const FETCH_WANT = 1;
const FETCH_ABORT = 2;
const DATA_LAST = 1;
const DATA_ERROR = 2;
const MAX_REDIRECTS = 20;
// bytes queued in a body stream before the host is asked to wait
const HIGH_WATER = 65536;
const NULL_BODY = [101, 103, 204, 205, 304];
const REQUEST_BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type',
  'content-length'];
const AUTHORIZATION = ['authorization'];

// hop id -> record: a Map through the built-ins captured at snapshot time
// (a function may replace Map.prototype.get); an object with ids as keys
// went through V8's runtime for each store and delete
const fetches = new MapCtor();
const live = (id) => ReflectApply(MapGet, fetches, [id]);
const forget = (id) => { ReflectApply(MapDelete, fetches, [id]); };

const contextGet = natives.contextGet;
const contextSet = natives.contextSet;

// the call whose handler (or a continuation of it) runs now, or 0
function currentCall() {
  const c = contextGet();
  if (typeof c === 'number') return c;
  if (c instanceof MapCtor) {
    const id = ReflectApply(MapGet, c, [callKey]);
    if (typeof id === 'number') return id;
  }
  return 0;
}

const isAbsent = (v) => v === undefined || v === null;

function fetch(input, init) {
  // a promise always: no argument error is thrown synchronously
  const args = arguments.length;
  const callId = currentCall();
  return new PromiseCtor((resolve, reject) => {
    if (args < 1) {
      throw new TypeErrorCtor("Failed to execute 'fetch': 1 argument required, but only 0 present.");
    }
    let request = input;
    let parts = null;
    let rec;
    if (!internal.isRequest(input)) {
      // relative URLs are the calling request's server's (its locations)
      const str = toUSV(input);
      const base = callId !== 0 ? natives.fetchBase(callId) : undefined;
      rec = parseURLRecord(str, typeof base === 'string' ? base : undefined);
      if (rec === null) {
        // (relative URLs are the request's: once it has ended, none is)
        if (callId !== 0 && base === undefined && parseURLRecord(str, 'http://h/') !== null) {
          throw new TypeErrorCtor(`fetch(): the request that made this fetch() has ended: no base for '${str}'.`);
        }
        throw new TypeErrorCtor(`Fetch API cannot load: Invalid URL '${str}'.`);
      }
      if (isAbsent(init) && rec.username === '' && rec.password === '') {
        // what new Request(url) would hold, without making it: nothing can
        // see that Request (nor its signal, which would never abort)
        // (url: serialized only for an error)
        parts = { method: 'GET', url: null, headers: [], body: null, redirect: 'follow',
          signal: null };
      } else {
        request = new RequestCtor(serializeURL(rec), init);
      }
    } else if (!isAbsent(init) || args > 1) {
      request = new RequestCtor(input, init);
    }
    if (parts === null) {
      parts = internal.fetchRequestParts(request);
      rec = parseURLRecord(parts.url);
    }
    if (rec === null || (rec.scheme !== 'http' && rec.scheme !== 'https')) {
      throw new TypeErrorCtor(`Fetch API cannot load: ${parts.url !== null ? parts.url : serializeURL(rec)}`);
    }
    const f = {
      id: 0, callId, resolve, reject, method: parts.method, url: serializeURL(rec, true),
      headers: parts.headers, body: null, redirect: parts.redirect, signal: parts.signal,
      hops: 0, controller: null, done: false, onAbort: null, reader: null,
      // the response body before it is a stream (see bodyStream): pieces
      // kept, and a whole read waiting for the end
      buffering: false, chunks: null, total: 0, ended: false, failed: false, error: null, wres: null, wrej: null,
    };
    const signal = f.signal;
    const body = parts.body;
    const stream = body !== null && typeof body === 'object' && !(body instanceof Uint8ArrayCtor);
    if (stream) f.reader = internal.streamReader(body);
    if (signal !== null) {
      if (signal.aborted) {
        // a stream body is cancelled with the same reason, at once
        if (stream) promiseThen(internal.streamCancel(f.reader, signal.reason), undefined, () => {});
        throw signal.reason;
      }
      f.onAbort = () => abort(f, signal.reason);
      ReflectApply(addEventListener, signal, ['abort', f.onAbort]);
    }
    if (stream) {
      // read to its end first: uploads are not streamed
      promiseThen(readBody(f), (u8) => { if (!f.done) { f.reader = null; f.body = u8; hop(f); } },
        (e) => finish(f, e));
      return;
    }
    f.body = typeof body === 'string' ? internal.utf8Encode(body) : body;
    hop(f);
  });
}
ObjectDefineProperty(fetch, 'length', { value: 1 });

// the request's stream body, whole
async function readBody(f) {
  const chunks = [];
  let total = 0;
  for (;;) {
    const { value, done } = await internal.streamRead(f.reader);
    if (f.done || done) break;
    if (!(value instanceof Uint8ArrayCtor)) {
      const e = new TypeErrorCtor('fetch(): the body stream gave a chunk that is not a Uint8Array.');
      promiseThen(internal.streamCancel(f.reader, e), undefined, () => {});
      throw e;
    }
    chunks[chunks.length] = value;
    total += value.length;
  }
  const out = new Uint8ArrayCtor(total);
  let n = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i], n);
    n += chunks[i].length;
  }
  return out;
}

// start the next hop of f; a refusal rejects
function hop(f) {
  let id;
  try {
    id = natives.fetchStart(f.callId, f.method, f.url, f.headers, f.body);
  } catch (e) {
    finish(f, e);
    return;
  }
  f.id = id;
  ReflectApply(MapSet, fetches, [id, f]);
}

// f's signal no longer aborts it
function unlisten(f) {
  if (f.signal !== null) ReflectApply(removeEventListener, f.signal, ['abort', f.onAbort]);
}

// fetch() is over before a head came: reject, forget
function finish(f, error) {
  if (f.done) return;
  f.done = true;
  unlisten(f);
  if (f.id !== 0) forget(f.id);
  f.reject(error);
}

function abort(f, reason) {
  if (f.done) return;
  if (f.id !== 0 && live(f.id) === f) {
    forget(f.id);
    natives.fetchCtl(f.id, FETCH_ABORT);
  }
  if (f.controller !== null) {
    f.done = true;
    unlisten(f);
    try { f.controller.error(reason); } catch { /* already closed */ }
    return;
  }
  if (f.buffering) {
    f.done = true;
    unlisten(f);
    if (!f.ended) bodyFail(f, reason);
    return;
  }
  if (f.reader !== null) {
    // the request's body stream, still being read
    promiseThen(internal.streamCancel(f.reader, reason), undefined, () => {});
  }
  finish(f, reason);
}

function has(list, v) {
  for (let i = 0; i < list.length; i++) if (list[i] === v) return true;
  return false;
}

// the header list without the names in `drop`
function without(flat, drop) {
  const kept = [];
  let n = 0;
  for (let i = 0; i < flat.length; i += 2) {
    if (!has(drop, flat[i])) { kept[n++] = flat[i]; kept[n++] = flat[i + 1]; }
  }
  return kept;
}

function headerOf(flat, name) {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return flat[i + 1];
  return null;
}

function onHead(id, status, statusText, flat, url) {
  const f = live(id);
  if (f === undefined) return;
  const location = status >= 300 && status < 400 && status !== 304 ? headerOf(flat, 'location') : null;
  if (location !== null && f.redirect !== 'manual') {
    forget(id);
    natives.fetchCtl(id, FETCH_ABORT);
    f.id = 0;
    if (f.redirect === 'error') {
      finish(f, new TypeErrorCtor(`Fetch API cannot load: ${f.url}: redirect mode is 'error'.`));
      return;
    }
    const rec = parseURLRecord(location, f.url);
    if (rec === null) {
      finish(f, new TypeErrorCtor(`Fetch API cannot load: invalid redirect URL '${location}'.`));
      return;
    }
    if (rec.scheme !== 'http' && rec.scheme !== 'https') {
      finish(f, new TypeErrorCtor(`Fetch API cannot load: redirect to ${serializeURL(rec)}.`));
      return;
    }
    if (++f.hops > MAX_REDIRECTS) {
      finish(f, new TypeErrorCtor('Fetch API cannot load: too many redirects (more than 20).'));
      return;
    }
    if (((status === 301 || status === 302) && f.method === 'POST')
        || (status === 303 && f.method !== 'GET' && f.method !== 'HEAD')) {
      f.method = 'GET';
      f.body = null;
      f.headers = without(f.headers, REQUEST_BODY_HEADERS);
    }
    const next = serializeURL(rec, true);
    const origin = (u) => { const r = parseURLRecord(u); return r === null ? '' : `${r.scheme}://${r.host}:${r.port}`; };
    if (origin(next) !== origin(f.url)) {
      // credentials stay with the origin they were given for
      f.headers = without(f.headers, AUTHORIZATION);
    }
    f.url = next;
    hop(f);
    return;
  }
  let src = null;
  if (f.method !== 'HEAD' && !has(NULL_BODY, status)) {
    f.buffering = true;
    f.chunks = [];
    src = f;
  }
  const response = internal.fetchResponse(status, statusText, flat, src, url, f.hops > 0);
  if (src === null) {
    // the host still ends the (empty) body: nothing waits for it
    forget(id);
    natives.fetchCtl(id, FETCH_ABORT);
    f.done = true;
    unlisten(f);
  }
  f.resolve(response);
}

// a piece of the body; false: the stream's queue is full (the host waits)
function onData(id, data, flags) {
  const f = live(id);
  if (f === undefined) return true;
  const c = f.controller;
  if ((flags & DATA_ERROR) !== 0) {
    forget(id);
    f.done = true;
    unlisten(f);
    if (c !== null) c.error(new TypeErrorCtor(`${data}`));
    else if (f.buffering) bodyFail(f, new TypeErrorCtor(`${data}`));
    return true;
  }
  if (c === null) {
    if (!f.buffering) return true;
    if (data.length !== 0) {
      f.chunks[f.chunks.length] = data;
      f.total += data.length;
    }
    if ((flags & DATA_LAST) !== 0) {
      forget(id);
      f.done = true;
      f.ended = true;
      unlisten(f);
      if (f.wres !== null) {
        const resolve = f.wres;
        f.wres = f.wrej = null;
        resolve(bodyBytes(f));
      }
      return true;
    }
    // read whole: all of it; else as much as a stream would queue
    return f.wres !== null || f.total < HIGH_WATER;
  }
  if (data.length !== 0) c.enqueue(data);
  if ((flags & DATA_LAST) !== 0) {
    forget(id);
    f.done = true;
    unlisten(f);
    c.close();
    // a BYOB read waiting on the end is answered with it
    const byob = c.byobRequest;
    if (byob !== null && byob !== undefined) byob.respond(0);
    return true;
  }
  return c.desiredSize > 0;
}

function onFail(id, message) {
  const f = live(id);
  if (f === undefined) return;
  forget(id);
  f.id = 0;
  if (f.controller !== null) {
    f.done = true;
    unlisten(f);
    f.controller.error(new TypeErrorCtor(message));
    return;
  }
  if (f.buffering) {
    f.done = true;
    unlisten(f);
    bodyFail(f, new TypeErrorCtor(message));
    return;
  }
  finish(f, new TypeErrorCtor(message));
}

// the body kept so far, in one array (a piece is the body's own: the engine
// made it for this fetch)
function bodyBytes(f) {
  const chunks = f.chunks;
  f.chunks = null;
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8ArrayCtor(f.total);
  let n = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i], n);
    n += chunks[i].length;
  }
  return out;
}

function bodyFail(f, e) {
  f.failed = true;
  f.error = e;
  f.chunks = null;
  if (f.wrej !== null) {
    const reject = f.wrej;
    f.wres = f.wrej = null;
    reject(e);
  }
}

// 30-fetch.js: the body read whole (once), or made a stream (once), which
// takes over the pieces kept
internal.fetchBodyWhole = (f) => new PromiseCtor((resolve, reject) => {
  f.buffering = false;
  if (f.failed) { reject(f.error); return; }
  if (f.ended) { resolve(bodyBytes(f)); return; }
  f.buffering = true;
  f.wres = resolve;
  f.wrej = reject;
  if (live(f.id) === f) natives.fetchCtl(f.id, FETCH_WANT);
});

internal.fetchBodyStream = (f) => {
  const id = f.id;
  const stream = internal.newByteStream(() => {
    if (live(id) === f) natives.fetchCtl(id, FETCH_WANT);
  }, () => {
    // cancelled by the function: the host stops
    if (live(id) === f) {
      forget(id);
      natives.fetchCtl(id, FETCH_ABORT);
    }
    f.done = true;
    unlisten(f);
  }, (controller) => { f.controller = controller; }, HIGH_WATER);
  const c = f.controller;
  const chunks = f.chunks;
  f.buffering = false;
  f.chunks = null;
  for (let i = 0; chunks !== null && i < chunks.length; i++) c.enqueue(chunks[i]);
  if (f.failed) c.error(f.error);
  else if (f.ended) c.close();
  return stream;
};

// 30-fetch.js, via the dispatcher: the body, untouched, is the response of
// call `callId`: the engine hands its pieces to nginx without JS (fetch.cc,
// NativeFetchPipe); the pieces kept so far go first. Not piped (the request
// ended): the fetch stops.
internal.fetchPipe = (callId, f) => {
  const id = f.id;
  const piping = live(id) === f;
  const chunks = f.chunks;
  f.buffering = false;
  f.chunks = null;
  if (piping) forget(id);
  f.done = true;
  unlisten(f);
  const end = f.failed ? f.error : f.ended;
  if (!natives.fetchPipe(callId, piping ? id : 0, chunks === null ? [] : chunks, end) && piping) {
    natives.fetchCtl(id, FETCH_ABORT);
  }
};

// the engine's hooks, and the call each runs for (its async context)
natives.fetchInit((id, status, statusText, flat, url) => {
  const f = live(id);
  contextSet(f === undefined ? undefined : f.callId);
  try { onHead(id, status, statusText, flat, url); } finally { contextSet(undefined); }
}, (id, data, flags) => {
  const f = live(id);
  contextSet(f === undefined ? undefined : f.callId);
  try { return onData(id, data, flags); } finally { contextSet(undefined); }
}, (id, message) => {
  const f = live(id);
  contextSet(f === undefined ? undefined : f.callId);
  try { onFail(id, message); } finally { contextSet(undefined); }
});

return { fetch };
