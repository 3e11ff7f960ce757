// 25-streams.js: WHATWG Streams. `ReadableStream` (default and byte
// streams, default and BYOB readers, tee, pipeTo, pipeThrough, async
// iteration, ReadableStream.from), `WritableStream`, `TransformStream`, their
// readers, writers and controllers, and the two queuing strategies.
//
// The classes are web-streams-polyfill's (a port of the WHATWG reference
// implementation that passes the web-platform-tests streams suite), pinned in
// shim/vendor.sh and built into the engine unchanged: its ES2018 UMD build,
// dist/ponyfill.js, which defines everything inside one function and touches
// no global. The runtime only gives it its own built-ins, installs its
// classes as globals and hands the other runtime files the hooks they need.
//
// Loaded on first use: the globals are lazy data properties
// (internal.lazyGlobals), and the library runs, with js/lib/streams (the glue:
// shim/js/lib/streams.js), the first time one is read, or a body or an
// encoding or compression stream needs a stream. An isolate that never
// touches streams never pays for them (several hundred KB of heap once
// loaded and used); here are only the built-ins they are given, captured
// when the snapshot is made, and the hooks that may be asked before any
// stream exists.
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

if (internal.hasLibraries) {
  // the constructors and namespaces the polyfill names, as [name, value, ...]
  const GLOBALS = [];
  for (const name of ['Object', 'Symbol', 'TypeError', 'RangeError', 'Error', 'Number', 'Math',
    'Uint8Array', 'ArrayBuffer', 'DataView', 'Array', 'Reflect', 'Function', 'WeakMap']) {
    GLOBALS.push(name, globalThis[name]);
  }

  const load = internal.libraryLoader('streams', {
    OriginalPromise: Promise,
    PromiseThen: Promise.prototype.then,
    PromiseResolve: Promise.resolve,
    PromiseReject: Promise.reject,
    PromiseAll: Promise.all,
    resolved: Promise.resolve(),
    ObjectKeys: Object.keys,
    ObjectValues: Object.values,
    getOwnPropertyDescriptor: Object.getOwnPropertyDescriptor,
    ObjectSetPrototypeOf: Object.setPrototypeOf,
    ObjectFreeze: Object.freeze,
    ErrorCtor: Error,
    GLOBALS,
  });
  let lib = null;
  const streams = () => (lib === null ? (lib = load()) : lib);

  internal.lazyGlobals([
    'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader',
    'ReadableStreamDefaultController', 'ReadableByteStreamController',
    'ReadableStreamBYOBRequest', 'WritableStream', 'WritableStreamDefaultWriter',
    'WritableStreamDefaultController', 'TransformStream',
    'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
    'CountQueuingStrategy',
  ], (name) => streams().classes[name]);

  internal.hasStreams = true;
  // js/lib/streams, loaded: {newTransform, enqueue, ...}, for
  // js/lib/text-streams and js/lib/compression
  internal.streams = streams;
  // No stream can exist before the library is loaded: nothing to load then.
  internal.isReadableStream = (v) => lib !== null && lib.isReadableStream(v);
  // These take streams, so the library is loaded.
  internal.streamLocked = (s) => lib.streamLocked(s);
  internal.streamDisturbed = (s) => lib.streamDisturbed(s);
  // A byte stream of the given pull and cancel (a body's stream); the
  // library sets internal.streamReader, streamRead, streamCancel, streamTee
  // and streamsUsed when it loads.
  internal.newByteStream = (pull, cancel, start, hwm) => streams().newByteStream(pull, cancel, start, hwm);
}

// Web IDL BufferSource (no SharedArrayBuffer), for the chunks of the encoding
// and compression streams and the parts of a Blob: a Uint8Array over the
// same bytes (empty for a detached buffer), or null. Brand checks through
// the built-in getters, which a function can neither fake nor replace.
{
  const { ReflectApply } = internal;
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
