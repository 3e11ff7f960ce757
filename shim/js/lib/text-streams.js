// js/lib/text-streams.js: the Encoding Standard's streams, `TextEncoderStream`
// (UTF-8) and `TextDecoderStream` (every encoding TextDecoder knows), over
// 20-encoding.js's encoder and decoder: a character split across chunks is
// put together again, a lone surrogate or an invalid sequence becomes U+FFFD
// (or, with `fatal`, errors the stream with a TypeError), and the decoder
// drops a leading BOM unless `ignoreBOM`.
//
// A library (js/README.md, "Libraries"), loaded when a function first reads
// either global (js/26-text-streams.js), with the built-ins captured there.

const { ReflectApply, utf8Encode, webIDLClass } = internal;
const { bufferSource } = internal;
const { newTransform, enqueue } = internal.streams();
// Parameters after natives and internal: the built-ins js/26-text-streams.js
// captured when the snapshot was made: TextDecoder, decode, encodingOf,
// fatalOf, ignoreBOMOf, ObjectDefineProperty, Uint8ArrayCtor.
const STREAM = { __proto__: null, stream: true };
const REPLACEMENT = [0xEF, 0xBF, 0xBD];

class TextEncoderStream {
  #ts;

  constructor() {
    // A leading surrogate that ended the last chunk: the next chunk may
    // start with its pair.
    let pending = '';
    this.#ts = newTransform((chunk, controller) => {
      let s = pending + `${chunk}`;
      pending = '';
      const last = s.charCodeAt(s.length - 1);
      if (last >= 0xD800 && last <= 0xDBFF) {
        pending = s[s.length - 1];
        s = s.slice(0, -1);
      }
      if (s.length !== 0) enqueue(controller, utf8Encode(s));
    }, (controller) => {
      if (pending !== '') enqueue(controller, new Uint8ArrayCtor(REPLACEMENT));
    });
  }

  get encoding() { void this.#ts; return 'utf-8'; }
  get readable() { return this.#ts.readable; }
  get writable() { return this.#ts.writable; }
}
webIDLClass(TextEncoderStream, 'TextEncoderStream');

class TextDecoderStream {
  #decoder;
  #ts;

  constructor(label = 'utf-8', options = undefined) {
    // The label and options are checked as TextDecoder checks them.
    const decoder = new TextDecoder(label, options);
    this.#decoder = decoder;
    this.#ts = newTransform((chunk, controller) => {
      const bytes = bufferSource(chunk);
      if (bytes === null) {
        throw new TypeError("Failed to execute 'transform' on 'TextDecoderStream': The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.");
      }
      const s = ReflectApply(decode, decoder, [bytes, STREAM]);
      if (s.length !== 0) enqueue(controller, s);
    }, (controller) => {
      const s = ReflectApply(decode, decoder, []);
      if (s.length !== 0) enqueue(controller, s);
    });
  }

  get encoding() { return ReflectApply(encodingOf, this.#decoder, []); }
  get fatal() { return ReflectApply(fatalOf, this.#decoder, []); }
  get ignoreBOM() { return ReflectApply(ignoreBOMOf, this.#decoder, []); }
  get readable() { return this.#ts.readable; }
  get writable() { return this.#ts.writable; }
}
ObjectDefineProperty(TextDecoderStream, 'length', { value: 0 });
webIDLClass(TextDecoderStream, 'TextDecoderStream');

return { TextEncoderStream, TextDecoderStream };
