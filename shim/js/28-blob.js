// 28-blob.js: `Blob`, `File` and `FormData`, loaded on first use. Their code
// (js/lib/blob.js, the built-in library js/lib/blob) is not in the startup
// snapshot: an
// isolate that never touches them never compiles or holds it (in the
// snapshot it cost every isolate about 100 KB of RSS). The globals are lazy
// data properties (internal.lazyGlobals), and the hooks 30-fetch.js uses load
// the library only when a Blob or a FormData is made or read: none can
// exist before it is loaded.
//
// The library runs when a function may have replaced built-ins: it is given
// the ones its byte paths use (what reaches nginx), captured now.

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (o, name) => Object.getOwnPropertyDescriptor(o, name).get;
const load = internal.libraryLoader('blob', {
  Uint8ArrayCtor: Uint8Array, TypeError, Map,
  isView: ArrayBuffer.isView,
  SymbolIterator: Symbol.iterator,
  ObjectDefineProperty: Object.defineProperty,
  ObjectFreeze: Object.freeze,
  taSet: TypedArrayPrototype.set,
  taIndexOf: TypedArrayPrototype.indexOf,
  taLength: getter(TypedArrayPrototype, 'length'),
  taBuffer: getter(TypedArrayPrototype, 'buffer'),
  taByteOffset: getter(TypedArrayPrototype, 'byteOffset'),
  StringIndexOf: String.prototype.indexOf,
  StringSlice: String.prototype.slice,
  StringCharCodeAt: String.prototype.charCodeAt,
  StringToLowerCase: String.prototype.toLowerCase,
  MathRound: Math.round,
  MathTrunc: Math.trunc,
  MathRandom: Math.random,
});
let lib = null;   // the library, once loaded
const blob = () => (lib === null ? (lib = load()) : lib);

// A body was made or read: more of the library is compiled by now, for the
// code cache of the isolates to come (asked once per isolate; the engine
// makes it for the first few).
function used(v) {
  internal.libraryUsed('blob');
  return v;
}

if (internal.hasLibraries) {
  internal.lazyGlobals(['Blob', 'File', 'FormData'], (name) => blob()[name]);
  internal.isBlob = (v) => lib !== null && lib.isBlob(v);
  internal.isFormData = (v) => lib !== null && lib.isFormData(v);
  // (these take a Blob or a FormData: the library is loaded)
  internal.blobBytes = (b) => lib.blobBytes(b);
  internal.blobType = (b) => lib.blobType(b);
  internal.formDataBody = (fd) => used(lib.formDataBody(fd));
  // blob() and formData() of a body
  internal.newBlob = (u8, type) => blob().newBlob(u8, type);
  internal.parseFormData = (data, contentType, what) => used(blob().parseFormData(data, contentType, what));
  internal.mimeTypeOf = (contentType) => blob().mimeTypeOf(contentType);
} else {
  // without the engine (unit tests under Node without the natives) there
  // is no Blob or FormData
  internal.isBlob = internal.isFormData = () => false;
}
