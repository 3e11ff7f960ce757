// 40-crypto.js: Web Crypto's globals, `crypto`, `Crypto`, `SubtleCrypto`
// and `CryptoKey`, made when a function first reads one of them: they are
// the library lib/crypto (shim/lib/crypto.js), which an isolate that never
// touches Web Crypto never compiles. Here, when the snapshot is made, the
// built-ins it uses are captured: a function may have replaced the globals
// by the time it loads.

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (o, name) => Object.getOwnPropertyDescriptor(o, name).get;

internal.lazyLibrary('crypto', ['crypto', 'Crypto', 'SubtleCrypto', 'CryptoKey'], {
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
  typedArrayTag: getter(TypedArrayPrototype, Symbol.toStringTag),
  typedArrayBuffer: getter(TypedArrayPrototype, 'buffer'),
  typedArrayByteLength: getter(TypedArrayPrototype, 'byteLength'),
  abByteLength: getter(ArrayBuffer.prototype, 'byteLength'),
  dataViewByteLength: getter(DataView.prototype, 'byteLength'),
  dataViewBuffer: getter(DataView.prototype, 'buffer'),
});
