// 26-text-streams.js: `TextEncoderStream` and `TextDecoderStream`, made
// when a function first reads one of them: the library js/lib/text-streams
// (shim/js/lib/text-streams.js), given TextDecoder and its members as they are
// when the snapshot is made.

if (internal.hasStreams === true) {
  const TextDecoder = globalThis.TextDecoder;
  const get = (name) => Object.getOwnPropertyDescriptor(TextDecoder.prototype, name).get;

  internal.lazyLibrary('text-streams', ['TextEncoderStream', 'TextDecoderStream'], {
    TextDecoder,
    decode: TextDecoder.prototype.decode,
    encodingOf: get('encoding'),
    fatalOf: get('fatal'),
    ignoreBOMOf: get('ignoreBOM'),
    ObjectDefineProperty: Object.defineProperty,
    Uint8ArrayCtor: Uint8Array,
  });
}
