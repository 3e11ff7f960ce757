// 25-streams.js: WHATWG Streams. `ReadableStream` (default and byte
// streams, default and BYOB readers, tee, pipeTo, pipeThrough, async
// iteration, ReadableStream.from), `WritableStream`, `TransformStream`, their
// readers, writers and controllers, and the two queuing strategies.
//
// The classes are web-streams-polyfill's (a port of the WHATWG reference
// implementation that passes the web-platform-tests streams suite), pinned in
// shim/vendor.sh and included below unchanged: its ES2018 UMD build,
// dist/ponyfill.js, which defines everything inside one function and touches
// no global. This file only gives it the runtime's own built-ins, installs
// its classes as globals and hands 30-fetch.js the hooks bodies need.
//
// The library runs when the snapshot is made: what it creates then is part of
// every isolate for free; it creates nothing per isolate until a function
// makes a stream.
//
// Built-ins: the library captures Promise, Promise.prototype.then and
// Promise.resolve/reject when it loads. The bindings below shadow the globals
// it would otherwise look up later, when a function may have replaced them.
// What remains replaceable is what it reaches through prototypes
// (Function.prototype.call/apply, Object.prototype.hasOwnProperty,
// Array.prototype.push/shift on its queues, the streams' own prototype
// methods): a function that replaces those breaks its own streams only. A
// response body reaches nginx through 30-fetch.js's readAll, and C++ checks
// what that gives (a byte view) before nginx sends it.

const { ReflectApply, promiseThen } = internal;

const exports = {};
const module = { exports };
const {
  Object, Symbol, TypeError, RangeError, Error, Number, Math, Uint8Array,
  ArrayBuffer, DataView, Array, Reflect, Function, WeakMap,
} = globalThis;
// The library queues microtasks through this; the global one could be the
// function's own by the time a stream first needs it.
const resolved = Promise.resolve();
const queueMicrotask = (fn) => { promiseThen(resolved, () => fn()); };
// The library "transfers" buffers (the Streams spec detaches the chunks a
// byte stream takes over) with structuredClone(buf, {transfer: [buf]}) when
// there is one; V8 10.2 has no ArrayBuffer.prototype.transfer, so the
// engine's natives.transfer does it: the same memory under a new
// ArrayBuffer, the old one detached.
const structuredClone = typeof natives.transfer === 'function'
  ? (buf) => natives.transfer(buf) : undefined;
// WritableStreamDefaultController.signal, when the runtime has one.
const AbortController = internal.AbortController || globalThis.AbortController;

//#include web-streams-polyfill/dist/ponyfill.js

const lib = module.exports;

// Present only when the build included the library (under `node
// shim/js/test/run-node.js` without a build, there are no streams).
if (typeof lib.ReadableStream === 'function') {
  const {
    ReadableStream, ReadableStreamDefaultReader, ReadableStreamBYOBReader,
    TransformStream, TransformStreamDefaultController,
  } = lib;

  for (const name of [
    'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader',
    'ReadableStreamDefaultController', 'ReadableByteStreamController',
    'ReadableStreamBYOBRequest', 'WritableStream', 'WritableStreamDefaultWriter',
    'WritableStreamDefaultController', 'TransformStream',
    'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
    'CountQueuingStrategy',
  ]) {
    internal.define(name, lib[name]);
  }

  const getter = (C, name) => Object.getOwnPropertyDescriptor(C.prototype, name).get;
  const lockedOf = getter(ReadableStream, 'locked');
  const getReader = ReadableStream.prototype.getReader;
  const read = ReadableStreamDefaultReader.prototype.read;
  const releaseLock = ReadableStreamDefaultReader.prototype.releaseLock;
  const tee = ReadableStream.prototype.tee;
  const readableOf = getter(TransformStream, 'readable');
  const writableOf = getter(TransformStream, 'writable');
  const enqueue = TransformStreamDefaultController.prototype.enqueue;

  // Fetch's "disturbed" (read from or cancelled) has no public API: it is the
  // library's `_disturbed`, checked once here so that a library upgrade that
  // renames it fails the build rather than bodyUsed.
  const probe = new ReadableStream();
  probe.cancel();
  if (probe._disturbed !== true) throw new Error('25-streams.js: web-streams-polyfill has no _disturbed');

  // A strategy or an underlying source without a prototype: nothing the
  // function adds to Object.prototype (a `highWaterMark`, a `type`) applies.
  const NO_STRATEGY = Object.freeze({ __proto__: null });

  internal.ReadableStream = ReadableStream;
  internal.isReadableStream = (v) => {
    try { ReflectApply(lockedOf, v, []); return true; } catch { return false; }
  };
  internal.streamLocked = (s) => ReflectApply(lockedOf, s, []);
  internal.streamDisturbed = (s) => s._disturbed === true;
  internal.streamReader = (s) => ReflectApply(getReader, s, []);
  internal.streamRead = (reader) => ReflectApply(read, reader, []);
  internal.streamReleaseLock = (reader) => ReflectApply(releaseLock, reader, []);
  internal.streamTee = (s) => ReflectApply(tee, s, []);

  // A byte stream of the given pull and cancel, pulled only when read (a
  // body's stream).
  internal.newByteStream = (pull, cancel) => new ReadableStream(
    { __proto__: null, type: 'bytes', pull, cancel }, NO_STRATEGY);

  // TransformStream for the classes of the other stream files: `transform`
  // and `flush` are called with the controller; `enqueue(controller, v)`.
  internal.newTransform = (transform, flush) => {
    const ts = new TransformStream({ __proto__: null, transform, flush }, NO_STRATEGY, NO_STRATEGY);
    return { readable: ReflectApply(readableOf, ts, []), writable: ReflectApply(writableOf, ts, []) };
  };
  internal.enqueue = (controller, v) => { ReflectApply(enqueue, controller, [v]); };
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
  const isBuffer = (v) => {
    try { ReflectApply(abLength, v, []); return true; } catch { return false; }
  };

  internal.bufferSource = (v) => {
    if (isBuffer(v)) {
      return ReflectApply(abLength, v, []) === 0 ? new Uint8Array(0) : new Uint8Array(v);
    }
    if (!isView(v)) return null;
    const ta = ReflectApply(taTag, v, []) !== undefined;
    const buffer = ReflectApply(ta ? taBuffer : dvBuffer, v, []);
    if (!isBuffer(buffer)) return null;
    const length = ReflectApply(ta ? taLength : dvLength, v, []);
    if (length === 0) return new Uint8Array(0);
    return new Uint8Array(buffer, ReflectApply(ta ? taOffset : dvOffset, v, []), length);
  };
}
