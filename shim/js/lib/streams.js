// js/lib/streams.js: what puts web-streams-polyfill into the runtime, loaded
// with it (js/25-streams.js): the polyfill's environment, its classes (the
// globals), and the hooks of the other runtime files. Its result is
//   { classes, isReadableStream, streamLocked, streamDisturbed,
//     newByteStream, newTransform, enqueue, newFedStream, feed }
// and it sets internal.streamReader, streamRead, streamCancel, streamTee
// and streamsUsed, which 30-fetch.js calls on streams only (so never
// before this has run).
//
// Parameters after natives and internal: built-ins js/25-streams.js
// captured when the snapshot was made: OriginalPromise, PromiseThen,
// PromiseResolve, PromiseReject, PromiseAll, resolved (a resolved promise),
// ObjectKeys, ObjectValues,
// getOwnPropertyDescriptor, ObjectSetPrototypeOf, ObjectFreeze, ErrorCtor,
// GLOBALS (the constructors and namespaces the polyfill names, by name).

const { ReflectApply, promiseThen } = internal;
const LIBRARY = 'web-streams-polyfill';

// The polyfill's environment: names it looks up at run time, bound to the
// runtime's own values. `new LibPromise(f)` is `new Promise(f)`; the members
// the library reads are the original ones, bound as the library binds them.
function LibPromise(executor) { return new OriginalPromise(executor); }
LibPromise.prototype = ObjectSetPrototypeOf({ then: PromiseThen }, null);
LibPromise.resolve = (v) => ReflectApply(PromiseResolve, OriginalPromise, [v]);
LibPromise.reject = (v) => ReflectApply(PromiseReject, OriginalPromise, [v]);
LibPromise.all = (v) => ReflectApply(PromiseAll, OriginalPromise, [v]);

const exports = {};
const ENV = {
  Promise: LibPromise,
  // the UMD build fills `exports` when there is one
  exports,
  module: { exports },
  // queued through a then() the function cannot replace
  queueMicrotask: (fn) => { promiseThen(resolved, () => fn()); },
  // The library "transfers" buffers (byte streams detach the chunks they
  // take over) with structuredClone(buf, {transfer: [buf]}) when there is
  // one: natives.transfer does exactly that part.
  structuredClone: typeof natives.transfer === 'function' ? (buf) => natives.transfer(buf) : undefined,
  // WritableStreamDefaultController.signal: loads js/lib/abort when first used
  AbortController: internal.AbortController,
};
for (let i = 0; i < GLOBALS.length; i += 2) ENV[GLOBALS[i]] = GLOBALS[i + 1];

const fn = natives.library(LIBRARY, ObjectKeys(ENV));
ReflectApply(fn, undefined, ObjectValues(ENV));
const classes = ENV.module.exports;

const { ReadableStream, ReadableStreamDefaultReader, TransformStream, TransformStreamDefaultController } = classes;
const getter = (C, name) => getOwnPropertyDescriptor(C.prototype, name).get;
const lockedOf = getter(ReadableStream, 'locked');
const getReader = ReadableStream.prototype.getReader;
const read = ReadableStreamDefaultReader.prototype.read;
const cancel = ReadableStreamDefaultReader.prototype.cancel;
const tee = ReadableStream.prototype.tee;
const readableOf = getter(TransformStream, 'readable');
const writableOf = getter(TransformStream, 'writable');
const enqueueChunk = TransformStreamDefaultController.prototype.enqueue;
const { ReadableByteStreamController } = classes;
const byteEnqueue = ReadableByteStreamController.prototype.enqueue;
const byteClose = ReadableByteStreamController.prototype.close;
const byteError = ReadableByteStreamController.prototype.error;

// Fetch's "disturbed" (read from or cancelled) has no public API: it is the
// library's `_disturbed`, checked here so that a library upgrade that
// renames it fails loudly rather than bodyUsed.
const probe = new ReadableStream();
probe.cancel();
if (probe._disturbed !== true) throw new ErrorCtor('js/lib/streams.js: web-streams-polyfill has no _disturbed');
natives.libraryCache(LIBRARY, fn, false);

// A strategy or an underlying source without a prototype: nothing the
// function adds to Object.prototype (a `highWaterMark`, a `type`) applies.
const NO_STRATEGY = ObjectFreeze(ObjectSetPrototypeOf({}, null));

internal.streamReader = (s) => ReflectApply(getReader, s, []);
internal.streamRead = (reader) => ReflectApply(read, reader, []);
internal.streamCancel = (reader, reason) => ReflectApply(cancel, reader, [reason]);
internal.streamTee = (s) => ReflectApply(tee, s, []);

// A stream body was read whole: more of what streams run is compiled by
// now, for the code cache of the isolates to come (asked once per isolate;
// the engine makes it for the first few).
let libFn = fn;
internal.streamsUsed = () => {
  if (libFn !== null) {
    natives.libraryCache(LIBRARY, libFn, true);
    libFn = null;
  }
};

return {
  classes,
  isReadableStream: (v) => {
    try { ReflectApply(lockedOf, v, []); return true; } catch { return false; }
  },
  streamLocked: (s) => ReflectApply(lockedOf, s, []),
  streamDisturbed: (s) => s._disturbed === true,
  // A byte stream of the given pull and cancel, pulled only when read (a
  // body's stream).
  // (start and a high-water mark in bytes for fetch()'s response bodies)
  newByteStream: (pull, cancel, start, hwm) => new ReadableStream(
    { __proto__: null, type: 'bytes', pull, cancel, start },
    hwm === undefined ? NO_STRATEGY : { __proto__: null, highWaterMark: hwm }),
  // A TransformStream's two sides, for the classes of the other stream
  // libraries: `transform` and `flush` get the controller;
  // enqueue(controller, v).
  newTransform: (transform, flush) => {
    const ts = new TransformStream({ __proto__: null, transform, flush }, NO_STRATEGY, NO_STRATEGY);
    return { readable: ReflectApply(readableOf, ts, []), writable: ReflectApply(writableOf, ts, []) };
  },
  enqueue: (controller, v) => { ReflectApply(enqueueChunk, controller, [v]); },
  // A byte stream fed from outside (a request body, js/31-bodies.js):
  // start(controller) keeps the controller, pull() when a read waits, and
  // feed(controller, op, v): op 0 enqueue v, 1 close, 2 error with v.
  newFedStream: (start, pull, cancel) =>
    new ReadableStream({ __proto__: null, type: 'bytes', start, pull, cancel }, NO_STRATEGY),
  feed: (controller, op, v) => {
    if (op === 0) ReflectApply(byteEnqueue, controller, [v]);
    else if (op === 1) ReflectApply(byteClose, controller, []);
    else ReflectApply(byteError, controller, [v]);
  },
};
