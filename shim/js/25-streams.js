// 25-streams.js: WHATWG Streams. `ReadableStream` (default and byte
// streams, default and BYOB readers, tee, pipeTo, pipeThrough, async
// iteration, ReadableStream.from), `WritableStream`, `TransformStream`, their
// readers, writers and controllers, and the two queuing strategies.
//
// The classes are web-streams-polyfill's (a port of the WHATWG reference
// implementation that passes the web-platform-tests streams suite), pinned in
// shim/vendor.sh and built into the engine unchanged: its ES2018 UMD build,
// dist/ponyfill.js, which defines everything inside one function and touches
// no global. This file only gives it the runtime's own built-ins, installs
// its classes as globals and hands the other runtime files the hooks they
// need.
//
// Loaded on first use: the globals are lazy data properties
// (natives.lazyGlobals) and the library runs (natives.library) the
// first time one is read, or a body or an encoding or compression stream
// needs a stream. An isolate that never touches streams never pays for them
// (several hundred KB of heap once loaded and used).
//
// Built-ins: the library runs when a function may have replaced globals and
// their members. It is given, as parameters that shadow the globals, the
// runtime's own values captured when the snapshot was made: a Promise whose
// then/resolve/reject/all are the original ones (what it captures when it
// loads), queueMicrotask, and the constructors and namespaces it names.
// What remains replaceable is what it reaches through members of those
// (Math.trunc, Number.isFinite, Object.defineProperty, ... read when it
// loads) or through prototypes (Function.prototype.call/apply,
// Object.prototype.hasOwnProperty, Array.prototype.push/shift on its queues,
// the streams' own prototype methods): a function that replaces those
// breaks its own streams only. The runtime reads bodies through the
// library's methods captured when it loads, and C++ checks what reaches
// nginx (a byte view) before nginx sends it.

const { ReflectApply, promiseThen } = internal;
// load() runs when a function may have replaced these globals
const { keys: ObjectKeys, values: ObjectValues, getOwnPropertyDescriptor } = Object;
const ErrorCtor = Error;

const LIBRARY = 'web-streams-polyfill';
const NAMES = [
  'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader',
  'ReadableStreamDefaultController', 'ReadableByteStreamController',
  'ReadableStreamBYOBRequest', 'WritableStream', 'WritableStreamDefaultWriter',
  'WritableStreamDefaultController', 'TransformStream',
  'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
  'CountQueuingStrategy',
];

// The library's environment: names it looks up at run time, bound to the
// runtime's own values (captured now, when the snapshot is made).
const resolved = Promise.resolve();
const OriginalPromise = Promise;
// `new LibPromise(f)` is `new Promise(f)`; the members the library reads
// are the original ones, bound as the library binds them.
function LibPromise(executor) { return new OriginalPromise(executor); }
LibPromise.prototype = { __proto__: null, then: OriginalPromise.prototype.then };
LibPromise.resolve = OriginalPromise.resolve.bind(OriginalPromise);
LibPromise.reject = OriginalPromise.reject.bind(OriginalPromise);
LibPromise.all = OriginalPromise.all.bind(OriginalPromise);
const ENV = {
  Promise: LibPromise,
  // the UMD build fills `exports` when there is one
  exports: null,
  module: null,
  // queued through a then() the function cannot replace
  queueMicrotask: (fn) => { promiseThen(resolved, () => fn()); },
  // The library "transfers" buffers (byte streams detach the chunks they
  // take over) with structuredClone(buf, {transfer: [buf]}) when there is
  // one: natives.transfer does exactly that part.
  structuredClone: typeof natives.transfer === 'function' ? (buf) => natives.transfer(buf) : undefined,
  // WritableStreamDefaultController.signal, when the runtime has one
  AbortController: internal.AbortController || globalThis.AbortController,
};
for (const name of ['Object', 'Symbol', 'TypeError', 'RangeError', 'Error', 'Number', 'Math',
  'Uint8Array', 'ArrayBuffer', 'DataView', 'Array', 'Reflect', 'Function', 'WeakMap']) {
  ENV[name] = globalThis[name];
}

// A strategy or an underlying source without a prototype: nothing the
// function adds to Object.prototype (a `highWaterMark`, a `type`) applies.
const NO_STRATEGY = Object.freeze({ __proto__: null });

let lib = null;
let libFn = null;  // the compiled library, for natives.libraryCache
let lockedOf, getReader, read, cancel, tee, readableOf, writableOf, enqueue;

function load() {
  if (lib !== null) return lib;
  const exports = {};
  ENV.exports = exports;
  ENV.module = { exports };
  const fn = natives.library(LIBRARY, ObjectKeys(ENV));
  ReflectApply(fn, undefined, ObjectValues(ENV));
  const got = ENV.module.exports;
  ENV.exports = ENV.module = null;

  const { ReadableStream, ReadableStreamDefaultReader, TransformStream, TransformStreamDefaultController } = got;
  const getter = (C, name) => getOwnPropertyDescriptor(C.prototype, name).get;
  lockedOf = getter(ReadableStream, 'locked');
  getReader = ReadableStream.prototype.getReader;
  read = ReadableStreamDefaultReader.prototype.read;
  cancel = ReadableStreamDefaultReader.prototype.cancel;
  tee = ReadableStream.prototype.tee;
  readableOf = getter(TransformStream, 'readable');
  writableOf = getter(TransformStream, 'writable');
  enqueue = TransformStreamDefaultController.prototype.enqueue;

  // Fetch's "disturbed" (read from or cancelled) has no public API: it is the
  // library's `_disturbed`, checked here so that a library upgrade that
  // renames it fails loudly rather than bodyUsed.
  const probe = new ReadableStream();
  probe.cancel();
  if (probe._disturbed !== true) throw new ErrorCtor('25-streams.js: web-streams-polyfill has no _disturbed');
  lib = got;
  libFn = fn;
  natives.libraryCache(LIBRARY, fn, false);
  return lib;
}

if (typeof natives.library === 'function') {
  natives.lazyGlobals(NAMES, (name) => load()[name]);

  internal.hasStreams = true;
  // No stream can exist before the library is loaded: nothing to load then.
  internal.isReadableStream = (v) => {
    if (lib === null) return false;
    try { ReflectApply(lockedOf, v, []); return true; } catch { return false; }
  };
  // These take streams, so the library is loaded.
  internal.streamLocked = (s) => ReflectApply(lockedOf, s, []);
  internal.streamDisturbed = (s) => s._disturbed === true;
  internal.streamReader = (s) => ReflectApply(getReader, s, []);
  internal.streamRead = (reader) => ReflectApply(read, reader, []);
  internal.streamCancel = (reader, reason) => ReflectApply(cancel, reader, [reason]);
  internal.streamTee = (s) => ReflectApply(tee, s, []);

  // A byte stream of the given pull and cancel, pulled only when read (a
  // body's stream).
  internal.newByteStream = (pull, cancel) => new (load().ReadableStream)(
    { __proto__: null, type: 'bytes', pull, cancel }, NO_STRATEGY);

  // A TransformStream's two sides, for the classes of the other stream
  // files: `transform` and `flush` get the controller; enqueue(controller, v).
  internal.newTransform = (transform, flush) => {
    const ts = new (load().TransformStream)({ __proto__: null, transform, flush }, NO_STRATEGY, NO_STRATEGY);
    return { readable: ReflectApply(readableOf, ts, []), writable: ReflectApply(writableOf, ts, []) };
  };
  internal.enqueue = (controller, v) => { ReflectApply(enqueue, controller, [v]); };

  // A stream body was read whole: more of what streams run is compiled by
  // now, for the code cache of the isolates to come (asked once per
  // isolate; the engine makes it for the first few).
  internal.streamsUsed = () => {
    if (libFn !== null) {
      natives.libraryCache(LIBRARY, libFn, true);
      libFn = null;
    }
  };
}

// Web IDL BufferSource (no SharedArrayBuffer), for the chunks of the encoding
// and compression streams: a Uint8Array over the same bytes (empty for a
// detached buffer), or null. Brand checks through the built-in getters,
// which a function can neither fake nor replace.
{
  const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
  const get = (o, name) => Object.getOwnPropertyDescriptor(o, name).get;
  const abLength = get(ArrayBuffer.prototype, 'byteLength');
  const taTag = get(TypedArrayPrototype, Symbol.toStringTag);
  const taBuffer = get(TypedArrayPrototype, 'buffer');
  const taOffset = get(TypedArrayPrototype, 'byteOffset');
  const taLength = get(TypedArrayPrototype, 'byteLength');
  const dvBuffer = get(DataView.prototype, 'buffer');
  const dvOffset = get(DataView.prototype, 'byteOffset');
  const dvLength = get(DataView.prototype, 'byteLength');
  const isView = ArrayBuffer.isView;
  const Uint8ArrayCtor = Uint8Array;
  const isBuffer = (v) => {
    try { ReflectApply(abLength, v, []); return true; } catch { return false; }
  };

  internal.bufferSource = (v) => {
    if (isBuffer(v)) {
      return ReflectApply(abLength, v, []) === 0 ? new Uint8ArrayCtor(0) : new Uint8ArrayCtor(v);
    }
    if (!isView(v)) return null;
    const ta = ReflectApply(taTag, v, []) !== undefined;
    const buffer = ReflectApply(ta ? taBuffer : dvBuffer, v, []);
    if (!isBuffer(buffer)) return null;
    const length = ReflectApply(ta ? taLength : dvLength, v, []);
    if (length === 0) return new Uint8ArrayCtor(0);
    return new Uint8ArrayCtor(buffer, ReflectApply(ta ? taOffset : dvOffset, v, []), length);
  };
}
