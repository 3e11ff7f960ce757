// js/lib/fetch.js: the global fetch() (Fetch Standard, as workerd has it).
//
// A library (js/README.md, "Libraries"): loaded when a function first reads
// `fetch`; its result is {fetch}. Parameters after natives and internal: the
// built-ins js/31-fetch.js captured when the snapshot was made: PromiseCtor,
// RequestCtor, MapCtor, MapGet, TypeErrorCtor, Uint8ArrayCtor,
// ObjectDefineProperty, addEventListener, removeEventListener.
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

const fetches = new MapCtor();   // hop id -> record

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
    if (!internal.isRequest(input)) {
      // relative URLs are the calling request's server's (its locations)
      const str = toUSV(input);
      const base = callId !== 0 ? natives.fetchBase(callId) : undefined;
      const rec = parseURLRecord(str, typeof base === 'string' ? base : undefined);
      if (rec === null) throw new TypeErrorCtor(`Fetch API cannot load: Invalid URL '${str}'.`);
      request = new RequestCtor(serializeURL(rec), init);
    } else if (!isAbsent(init) || args > 1) {
      request = new RequestCtor(input, init);
    }
    const parts = internal.fetchRequestParts(request);
    const rec = parseURLRecord(parts.url);
    if (rec === null || (rec.scheme !== 'http' && rec.scheme !== 'https')) {
      throw new TypeErrorCtor(`Fetch API cannot load: ${parts.url}`);
    }
    const f = {
      id: 0, callId, resolve, reject, method: parts.method, url: serializeURL(rec, true),
      headers: parts.headers, body: null, redirect: parts.redirect, signal: parts.signal,
      hops: 0, controller: null, done: false, onAbort: null,
    };
    const signal = f.signal;
    if (signal.aborted) throw signal.reason;
    f.onAbort = () => abort(f, signal.reason);
    ReflectApply(addEventListener, signal, ['abort', f.onAbort]);
    const body = parts.body;
    if (body !== null && typeof body === 'object' && !(body instanceof Uint8ArrayCtor)) {
      // a stream, read to its end first
      promiseThen(body, (u8) => { f.body = u8; if (!f.done) hop(f); },
        (e) => finish(f, e));
      return;
    }
    f.body = typeof body === 'string' ? internal.utf8Encode(body) : body;
    hop(f);
  });
}
ObjectDefineProperty(fetch, 'length', { value: 1 });

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
  fetches.set(id, f);
}

// fetch() is over before a head came: reject, forget
function finish(f, error) {
  if (f.done) return;
  f.done = true;
  ReflectApply(removeEventListener, f.signal, ['abort', f.onAbort]);
  if (f.id !== 0) fetches.delete(f.id);
  f.reject(error);
}

function abort(f, reason) {
  if (f.done) return;
  if (f.id !== 0 && fetches.get(f.id) === f) {
    fetches.delete(f.id);
    natives.fetchCtl(f.id, FETCH_ABORT);
  }
  if (f.controller !== null) {
    f.done = true;
    ReflectApply(removeEventListener, f.signal, ['abort', f.onAbort]);
    try { f.controller.error(reason); } catch { /* already closed */ }
    return;
  }
  finish(f, reason);
}

function headerOf(flat, name) {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return flat[i + 1];
  return null;
}

function onHead(id, status, statusText, flat, url) {
  const f = fetches.get(id);
  if (f === undefined) return;
  const location = status >= 300 && status < 400 && status !== 304 ? headerOf(flat, 'location') : null;
  if (location !== null && f.redirect !== 'manual') {
    fetches.delete(id);
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
      const kept = [];
      for (let i = 0; i < f.headers.length; i += 2) {
        if (!REQUEST_BODY_HEADERS.includes(f.headers[i])) kept.push(f.headers[i], f.headers[i + 1]);
      }
      f.headers = kept;
    }
    const next = serializeURL(rec, true);
    const origin = (u) => { const r = parseURLRecord(u); return r === null ? '' : `${r.scheme}://${r.host}:${r.port}`; };
    if (origin(next) !== origin(f.url)) {
      // credentials stay with the origin they were given for
      const kept = [];
      for (let i = 0; i < f.headers.length; i += 2) {
        if (f.headers[i] !== 'authorization') kept.push(f.headers[i], f.headers[i + 1]);
      }
      f.headers = kept;
    }
    f.url = next;
    hop(f);
    return;
  }
  let stream = null;
  if (f.method !== 'HEAD' && !NULL_BODY.includes(status)) {
    stream = internal.newByteStream(() => {
      if (fetches.get(id) === f) natives.fetchCtl(id, FETCH_WANT);
    }, () => {
      // cancelled by the function: the host stops
      if (fetches.get(id) === f) {
        fetches.delete(id);
        natives.fetchCtl(id, FETCH_ABORT);
      }
      f.done = true;
      ReflectApply(removeEventListener, f.signal, ['abort', f.onAbort]);
    }, (controller) => { f.controller = controller; }, HIGH_WATER);
  }
  const response = internal.fetchResponse(status, statusText, flat, stream, url, f.hops > 0);
  if (stream === null) {
    // the host still ends the (empty) body: nothing waits for it
    fetches.delete(id);
    natives.fetchCtl(id, FETCH_ABORT);
    f.done = true;
    ReflectApply(removeEventListener, f.signal, ['abort', f.onAbort]);
  }
  f.resolve(response);
}

// a piece of the body; false: the stream's queue is full (the host waits)
function onData(id, data, flags) {
  const f = fetches.get(id);
  if (f === undefined) return true;
  const c = f.controller;
  if ((flags & DATA_ERROR) !== 0) {
    fetches.delete(id);
    f.done = true;
    ReflectApply(removeEventListener, f.signal, ['abort', f.onAbort]);
    if (c !== null) c.error(new TypeErrorCtor(`${data}`));
    return true;
  }
  if (c === null) return true;
  if (data.length !== 0) c.enqueue(data);
  if ((flags & DATA_LAST) !== 0) {
    fetches.delete(id);
    f.done = true;
    ReflectApply(removeEventListener, f.signal, ['abort', f.onAbort]);
    c.close();
    return true;
  }
  return c.desiredSize > 0;
}

function onFail(id, message) {
  const f = fetches.get(id);
  if (f === undefined) return;
  fetches.delete(id);
  f.id = 0;
  if (f.controller !== null) {
    f.done = true;
    ReflectApply(removeEventListener, f.signal, ['abort', f.onAbort]);
    f.controller.error(new TypeErrorCtor(message));
    return;
  }
  finish(f, new TypeErrorCtor(message));
}

// the engine's hooks, and the call each runs for (its async context)
natives.fetchInit((id, status, statusText, flat, url) => {
  const f = fetches.get(id);
  contextSet(f === undefined ? undefined : f.callId);
  try { onHead(id, status, statusText, flat, url); } finally { contextSet(undefined); }
}, (id, data, flags) => {
  const f = fetches.get(id);
  contextSet(f === undefined ? undefined : f.callId);
  try { return onData(id, data, flags); } finally { contextSet(undefined); }
}, (id, message) => {
  const f = fetches.get(id);
  contextSet(f === undefined ? undefined : f.callId);
  try { onFail(id, message); } finally { contextSet(undefined); }
});

return { fetch };
