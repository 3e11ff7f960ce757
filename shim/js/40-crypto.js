// 40-crypto.js: Web Crypto's globals, made when a function first reads one
// of them: `crypto` and `Crypto` are the library js/lib/crypto
// (shim/js/lib/crypto.js: getRandomValues(), randomUUID()), `crypto.subtle`,
// `SubtleCrypto` and `CryptoKey` the library js/lib/subtle
// (shim/js/lib/subtle.js: the rest). An isolate that never touches Web Crypto
// never compiles either, one that only makes UUIDs only the first. Here,
// when the snapshot is made, the built-ins they use are captured: a
// function may have replaced the globals by the time they load.

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (o, name) => Object.getOwnPropertyDescriptor(o, name).get;
const typedArrayTag = getter(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayBuffer = getter(TypedArrayPrototype, 'buffer');
const typedArrayByteLength = getter(TypedArrayPrototype, 'byteLength');
const abByteLength = getter(ArrayBuffer.prototype, 'byteLength');
const { ReflectApply } = internal;

// an ArrayBuffer, as its byteLength getter says (SharedArrayBuffer may
// not exist yet when the snapshot is made, so only this side is asked)
function isArrayBuffer(v) {
  try {
    ReflectApply(abByteLength, v, []);
    return true;
  } catch {
    return false;
  }
}

const subtleLibrary = internal.lazyLibrary('subtle', ['SubtleCrypto', 'CryptoKey'], {
  PromiseResolve: Promise.resolve.bind(Promise),
  PromiseReject: Promise.reject.bind(Promise),
  ObjectCreate: Object.create,
  ObjectDefineProperty: Object.defineProperty,
  ObjectFreeze: Object.freeze,
  hasOwn: Object.prototype.hasOwnProperty,
  ArrayBufferIsView: ArrayBuffer.isView,
  NumberIsFinite: Number.isFinite,
  MathTrunc: Math.trunc,
  JSONStringify: JSON.stringify,
  JSONParse: JSON.parse,
  StringFromCharCode: String.fromCharCode,
  StringPrototypeCharCodeAt: String.prototype.charCodeAt,
  NumberPrototypeToString: Number.prototype.toString,
  Uint8ArrayCtor: Uint8Array,
  Int16ArrayCtor: Int16Array,
  typedArrayTag,
  typedArrayBuffer,
  typedArrayByteLength,
  abByteLength,
  isArrayBuffer,
  dataViewByteLength: getter(DataView.prototype, 'byteLength'),
  dataViewBuffer: getter(DataView.prototype, 'buffer'),
});

internal.lazyLibrary('crypto', ['crypto', 'Crypto'], {
  subtleLibrary,
  ArrayBufferIsView: ArrayBuffer.isView,
  NumberPrototypeToString: Number.prototype.toString,
  Uint8ArrayCtor: Uint8Array,
  typedArrayTag,
  typedArrayBuffer,
  typedArrayByteLength,
  isArrayBuffer,
});
