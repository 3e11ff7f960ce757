// 31-bodies.js: bodies that cross to nginx a piece at a time (shim/body.cc).
//
// Response: a Response whose body is a ReadableStream (not our own lazy view
// of in-memory data) is sent as a stream. The dispatcher hands its stream to
// internal.responseStream(id, stream) before reporting the head; then each
// time nginx can send more, the engine asks the hook for ONE chunk (op
// read): the function's pull() runs at the client's pace, and what the
// stream holds is what its queuing strategy allows, nothing more. A chunk
// must be a Uint8Array, as Fetch says (workerd errors too: "This
// ReadableStream did not return bytes"); anything else cancels the stream
// and aborts the response. When nginx gives up on the response (the client
// went away, an error, a HEAD request) the stream is cancelled (op cancel):
// its source's cancel(reason) runs.
//
// Request: a body nginx has not read whole when the call starts is a byte
// stream (highWaterMark 0) fed by the engine (op feed): each pull() tells
// the engine that a read waits (natives.bodyWant), and only then does nginx
// read more from the client.
//
// Nothing here runs for an isolate that never streams: the maps are made,
// and the hook given to the engine, on first use. The built-ins used are
// captured when the snapshot is made.

const { ReflectApply, promiseThen } = internal;
const MapCtor = Map;
const MapGet = Map.prototype.get;
const MapSet = Map.prototype.set;
const MapDelete = Map.prototype.delete;
const WeakMapCtor = WeakMap;
const WeakMapGet = WeakMap.prototype.get;
const WeakMapSet = WeakMap.prototype.set;
const PromiseCtor = Promise;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;

let readers = null;       // call id -> the reader of its response body
let controllers = null;   // call id -> the controller of its request body
let fed = null;           // a request body's stream -> its call id
let wholes = null;        // call id -> [resolve, reject] of a body read whole

const mapGet = (m, id) => (m === null ? undefined : ReflectApply(MapGet, m, [id]));
const mapDelete = (m, id) => { if (m !== null) ReflectApply(MapDelete, m, [id]); };

function kindOf(v) {
  if (v === null) return 'null';
  if (typeof v !== 'object') return `a ${typeof v}`;
  return 'an object that is not a Uint8Array';
}

// one chunk of the response stream of call `id`, for the engine
function read(id) {
  const reader = mapGet(readers, id);
  if (reader === undefined) {
    natives.bodyChunk(id, new TypeErrorCtor('The response body stream is gone.'), 2);
    return;
  }
  promiseThen(internal.streamRead(reader), (result) => {
    if (result.done) {
      mapDelete(readers, id);
      natives.bodyChunk(id, undefined, 1);
      return;
    }
    const chunk = result.value;
    const rc = natives.bodyChunk(id, chunk, 0);
    if (rc === 1) {
      read(id);     // an empty chunk: the next one
    } else if (rc === 2) {
      const e = new TypeErrorCtor(`This ReadableStream did not return bytes: a response body chunk must be a Uint8Array, not ${kindOf(chunk)}.`);
      mapDelete(readers, id);
      promiseThen(internal.streamCancel(reader, e), undefined, () => {});
      natives.bodyChunk(id, e, 2);
    }
  }, (e) => {
    mapDelete(readers, id);
    natives.bodyChunk(id, e, 2);
  });
}

function cancel(id, message) {
  const reader = mapGet(readers, id);
  if (reader === undefined) return;
  mapDelete(readers, id);
  promiseThen(internal.streamCancel(reader, internal.domException('AbortError', message)), undefined, () => {});
}

// kind: 0 a piece, 1 the last piece, 2 an error (a message), 3 over the
// memory budget (a message), 4 the whole body (read whole)
function feed(id, v, kind) {
  const whole = mapGet(wholes, id);
  if (whole !== undefined) {
    mapDelete(wholes, id);
    if (kind === 4) whole[0](v);
    else whole[1](kind === 3 ? new RangeErrorCtor(v) : new TypeErrorCtor(v));
    return;
  }
  const controller = mapGet(controllers, id);
  if (controller === undefined) return;
  const f = internal.streams().feed;
  try {
    if (kind <= 1) {
      if (v.length !== 0) f(controller, 0, v);
      if (kind === 1) {
        mapDelete(controllers, id);
        f(controller, 1);
      }
    } else {
      mapDelete(controllers, id);
      f(controller, 2, kind === 3 ? new RangeErrorCtor(v) : new TypeErrorCtor(v));
    }
  } catch {
    // the function cancelled the stream meanwhile: nothing to feed
  }
}

function hook(op, id, v, kind) {
  if (op === 0) read(id);
  else if (op === 1) cancel(id, v);
  else feed(id, v, kind);
}

let hooked = false;
function init() {
  if (!hooked) {
    hooked = true;
    natives.bodyInit(hook);
  }
}

// The dispatcher's: the response of call `id` streams `stream` (its body,
// not used yet). Called before natives.done(id, parts).
internal.responseStream = (id, stream) => {
  init();
  if (readers === null) readers = new MapCtor();
  const reader = internal.streamReader(stream);
  if (natives.bodyStream(id)) {
    ReflectApply(MapSet, readers, [id, reader]);
  } else {
    // the request ended before its response was ready: nobody will read
    promiseThen(internal.streamCancel(reader, internal.domException('AbortError',
      'The request ended before its response was ready.')), undefined, () => {});
  }
};

// makeRequest's: the body of call `id`, a stream the engine feeds.
internal.requestBody = (id) => {
  init();
  if (controllers === null) {
    controllers = new MapCtor();
    wholes = new MapCtor();
    fed = new WeakMapCtor();
  }
  const lib = internal.streams();
  const stream = lib.newFedStream((controller) => {
    ReflectApply(MapSet, controllers, [id, controller]);
  }, () => {
    natives.bodyWant(id, false);
  }, () => {
    mapDelete(controllers, id);
    natives.bodyWant(id, true);
  });
  ReflectApply(WeakMapSet, fed, [stream, id]);
  return stream;
};

// The body methods' (text(), json(), ...): a Promise of the whole body of
// a request whose stream nobody has read yet, gathered by the engine in one
// buffer (half the memory of reading the stream and joining its chunks),
// or null: read the stream. The stream is locked from then on.
internal.requestBodyWhole = (stream) => {
  if (fed === null) return null;
  const id = ReflectApply(WeakMapGet, fed, [stream]);
  if (id === undefined || !natives.bodyWhole(id)) return null;
  ReflectApply(WeakMapSet, fed, [stream, undefined]);
  mapDelete(controllers, id);
  internal.streamReader(stream);
  return new PromiseCtor((resolve, reject) => {
    ReflectApply(MapSet, wholes, [id, [resolve, reject]]);
  });
};
