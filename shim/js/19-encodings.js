/*
 * 19-encodings.js: the encodings of TextDecoder (20-encoding.js) other than
 * UTF-8, and the table of every label, in the library js/lib/encodings
 * (shim/js/lib/encodings.js), loaded by the first TextDecoder of another label
 * than "utf-8" or "utf8":
 *
 *   internal.encodingForLabel(string) -> the encoding's name ('shift_jis',
 *       'utf-16le', 'replacement', ...) or null for an unknown label
 *   internal.newDecoder(name) -> { decode(u8, flush, fatal), reset() }, a
 *       RangeError when this build cannot decode that encoding
 *
 * Captured here, when the snapshot is made: the built-ins it uses.
 */

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const load = internal.lazyLibrary('encodings', [], {
  StringPrototypeCharCodeAt: String.prototype.charCodeAt,
  StringFromCharCode: String.fromCharCode,
  Uint8ArrayCtor: Uint8Array,
  Uint16ArrayCtor: Uint16Array,
  TypedArrayPrototypeSubarray: TypedArrayPrototype.subarray,
  TypedArrayLength: Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'length').get,
  RangeErrorCtor: RangeError,
});

internal.encodingForLabel = (label) => (label === 'utf-8' || label === 'utf8' ? 'utf-8' : load().encodingForLabel(label));
internal.newDecoder = (name) => load().newDecoder(name);
