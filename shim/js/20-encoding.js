// 20-encoding.js: Encoding Standard and forgiving base64:
// `TextEncoder`, `TextDecoder`, `atob`, `btoa`, and a minimal `DOMException`.
//
// The heavy lifting uses natives.utf8Encode / utf8Decode / latin1Decode when
// the engine provides them; each has a pure JS fallback so the file also runs
// without them (tests under Node, or a build without the natives).

const nUtf8Encode = natives && typeof natives.utf8Encode === 'function' ? natives.utf8Encode : null;
const nUtf8Decode = natives && typeof natives.utf8Decode === 'function' ? natives.utf8Decode : null;
const nLatin1Decode = natives && typeof natives.latin1Decode === 'function' ? natives.latin1Decode : null;

const defineGlobal = (name, value) => Object.defineProperty(globalThis, name, {
  value, writable: true, configurable: true, enumerable: false,
});
const webIDLClass = internal.webIDLClass || ((C, tag) => Object.defineProperty(C.prototype, Symbol.toStringTag, { value: tag, configurable: true }));

// ---------------------------------------------------------------- DOMException

// Defined by 15-dom.js.
const DOMExceptionClass = globalThis.DOMException;
internal.DOMException = DOMExceptionClass;

// ---------------------------------------------------------------- byte helpers

// String from an array-like of byte values, one char per byte.
function latin1FromBytes(u8) {
  if (nLatin1Decode) return nLatin1Decode(u8);
  let s = '';
  for (let i = 0; i < u8.length; i += 8192) {
    s += String.fromCharCode.apply(null, u8.subarray(i, i + 8192));
  }
  return s;
}

// UTF-8 encode with lone surrogates as U+FFFD.
function utf8EncodeJS(s) {
  // Worst case 3 bytes per UTF-16 unit.
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) { out[n++] = c; continue; }
    if (c < 0x800) { out[n++] = 0xC0 | (c >> 6); out[n++] = 0x80 | (c & 0x3F); continue; }
    if (c >= 0xD800 && c <= 0xDFFF) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xDBFF && d >= 0xDC00 && d <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
        i++;
        out[n++] = 0xF0 | (c >> 18); out[n++] = 0x80 | ((c >> 12) & 0x3F);
        out[n++] = 0x80 | ((c >> 6) & 0x3F); out[n++] = 0x80 | (c & 0x3F);
        continue;
      }
      c = 0xFFFD;
    }
    out[n++] = 0xE0 | (c >> 12); out[n++] = 0x80 | ((c >> 6) & 0x3F); out[n++] = 0x80 | (c & 0x3F);
  }
  return out.slice(0, n);
}
const utf8Encode = (s) => (nUtf8Encode ? nUtf8Encode(s) : utf8EncodeJS(s));

// UTF-8 decode of a whole Uint8Array (the Encoding Standard decoder, no BOM
// handling): invalid sequences become U+FFFD, or a TypeError when fatal.
function utf8DecodeJS(u8, fatal) {
  let out = '';
  const units = [];
  let needed = 0, seen = 0, cp = 0, lower = 0x80, upper = 0xBF;
  const error = () => {
    if (fatal) throw new TypeError('The encoded data was not valid for encoding utf-8');
    units.push(0xFFFD);
  };
  for (let i = 0; i < u8.length; i++) {
    const b = u8[i];
    if (needed === 0) {
      if (b <= 0x7F) units.push(b);
      else if (b >= 0xC2 && b <= 0xDF) { needed = 1; cp = b & 0x1F; }
      else if (b >= 0xE0 && b <= 0xEF) {
        if (b === 0xE0) lower = 0xA0; else if (b === 0xED) upper = 0x9F;
        needed = 2; cp = b & 0xF;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b === 0xF0) lower = 0x90; else if (b === 0xF4) upper = 0x8F;
        needed = 3; cp = b & 0x7;
      } else error();
    } else if (b < lower || b > upper) {
      // Replace the incomplete sequence, then look at this byte again.
      needed = seen = cp = 0; lower = 0x80; upper = 0xBF;
      error();
      i--;
    } else {
      lower = 0x80; upper = 0xBF;
      cp = (cp << 6) | (b & 0x3F);
      if (++seen === needed) {
        if (cp > 0xFFFF) { cp -= 0x10000; units.push(0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)); }
        else units.push(cp);
        needed = seen = cp = 0;
      }
    }
    if (units.length >= 8192) { out += String.fromCharCode.apply(null, units); units.length = 0; }
  }
  if (needed !== 0) error();
  return out + String.fromCharCode.apply(null, units);
}
const utf8Decode = (u8, fatal) => (nUtf8Decode ? nUtf8Decode(u8, fatal) : utf8DecodeJS(u8, fatal));

// How many bytes at the end of u8 are a valid but unfinished UTF-8 sequence
// (0..3). Those are held back between streaming decode() calls; everything
// else decodes the same whether or not it is split, so a whole-buffer decoder
// (the native) can serve streaming too.
function incompleteTail(u8) {
  const n = u8.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const lead = u8[n - back];
    if (lead >= 0x80 && lead <= 0xBF) continue; // continuation byte: look further back
    let need, lower = 0x80, upper = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) need = 1;
    else if (lead >= 0xE0 && lead <= 0xEF) { need = 2; if (lead === 0xE0) lower = 0xA0; if (lead === 0xED) upper = 0x9F; }
    else if (lead >= 0xF0 && lead <= 0xF4) { need = 3; if (lead === 0xF0) lower = 0x90; if (lead === 0xF4) upper = 0x8F; }
    else return 0;
    if (back - 1 >= need) return 0; // complete (or over-long run): nothing pending
    // The bytes after the lead must be acceptable continuations.
    for (let j = n - back + 1; j < n; j++) {
      const b = u8[j];
      if (b < lower || b > upper) return 0;
      lower = 0x80; upper = 0xBF;
    }
    return back;
  }
  return 0;
}

// BufferSource (ArrayBuffer, SharedArrayBuffer or a view) to a Uint8Array
// over the same memory; TypeError otherwise. Brand checks via the
// byteLength getters work across realms and cannot be faked by a subclass.
const Uint8ArrayCtor = Uint8Array;  // captured: a function may replace the global
const ArrayBufferIsView = ArrayBuffer.isView;
const abByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
const sabByteLength = typeof SharedArrayBuffer === 'function'
  ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength').get : null;
function isArrayBuffer(v) {
  if (v === null || typeof v !== 'object') return false;
  try { abByteLength.call(v); return true; } catch { /* not an ArrayBuffer */ }
  if (sabByteLength) { try { sabByteLength.call(v); return true; } catch { /* nor shared */ } }
  return false;
}
function toBytes(v, what) {
  if (ArrayBufferIsView(v)) return new Uint8ArrayCtor(v.buffer, v.byteOffset, v.byteLength);
  if (isArrayBuffer(v)) return new Uint8ArrayCtor(v);
  throw new TypeError(`${what}: The provided value is not of type '(ArrayBuffer or ArrayBufferView)'`);
}
internal.toBytes = toBytes;
internal.isArrayBuffer = isArrayBuffer;
internal.utf8Encode = utf8Encode;
internal.utf8Decode = utf8Decode;
internal.latin1FromBytes = latin1FromBytes;

// ---------------------------------------------------------------- TextEncoder

class TextEncoder {
  // A private field gives the brand check (TypeError on a foreign `this`).
  #brand = true;

  get encoding() { void this.#brand; return 'utf-8'; }

  encode(input = '') {
    void this.#brand;
    return utf8Encode(`${input}`);
  }

  encodeInto(source, destination) {
    void this.#brand;
    if (arguments.length < 2) throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': 2 arguments required");
    source = `${source}`;
    if (!(destination instanceof Uint8Array)) {
      throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'");
    }
    // Writes whole code points only; `read` counts UTF-16 code units.
    const dst = destination, cap = dst.length;
    let read = 0, written = 0;
    while (read < source.length) {
      let c = source.charCodeAt(read), units = 1;
      if (c >= 0xD800 && c <= 0xDFFF) {
        const d = source.charCodeAt(read + 1);
        if (c <= 0xDBFF && d >= 0xDC00 && d <= 0xDFFF) { c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00); units = 2; }
        else c = 0xFFFD;
      }
      if (c < 0x80) {
        if (written + 1 > cap) break;
        dst[written++] = c;
      } else if (c < 0x800) {
        if (written + 2 > cap) break;
        dst[written++] = 0xC0 | (c >> 6); dst[written++] = 0x80 | (c & 0x3F);
      } else if (c < 0x10000) {
        if (written + 3 > cap) break;
        dst[written++] = 0xE0 | (c >> 12); dst[written++] = 0x80 | ((c >> 6) & 0x3F); dst[written++] = 0x80 | (c & 0x3F);
      } else {
        if (written + 4 > cap) break;
        dst[written++] = 0xF0 | (c >> 18); dst[written++] = 0x80 | ((c >> 12) & 0x3F);
        dst[written++] = 0x80 | ((c >> 6) & 0x3F); dst[written++] = 0x80 | (c & 0x3F);
      }
      read += units;
    }
    return { read, written };
  }
}
webIDLClass(TextEncoder, 'TextEncoder');

// ---------------------------------------------------------------- TextDecoder

// Labels and the decoders of the other encodings: 19-encodings.js.
const encodingForLabel = internal.encodingForLabel;
const newDecoder = internal.newDecoder;

class TextDecoder {
  #encoding;         // the encoding's name, as `encoding` gives it
  #decoder = null;   // null for UTF-8 (the native fast path below)
  #fatal;
  #ignoreBOM;
  #pending = null;   // held-back bytes of an unfinished sequence (streaming)
  #bomSeen = false;  // BOM handling is done for the current stream
  #doNotFlush = false;

  constructor(label = 'utf-8', options = undefined) {
    const name = encodingForLabel(`${label}`);
    if (name === null || name === 'replacement') {
      throw new RangeError(`Failed to construct 'TextDecoder': The encoding label provided ('${label}') is invalid or unsupported.`);
    }
    if (options !== undefined && options !== null && typeof options !== 'object' && typeof options !== 'function') {
      throw new TypeError("Failed to construct 'TextDecoder': The provided value is not of type 'TextDecoderOptions'.");
    }
    this.#fatal = Boolean(options?.fatal);
    this.#ignoreBOM = Boolean(options?.ignoreBOM);
    this.#encoding = name;
    if (name !== 'utf-8') this.#decoder = newDecoder(name);
  }

  get encoding() { void this.#fatal; return this.#encoding; }
  get fatal() { return this.#fatal; }
  get ignoreBOM() { return this.#ignoreBOM; }

  decode(input = undefined, options = undefined) {
    void this.#fatal;
    let bytes = input === undefined ? new Uint8ArrayCtor(0) : toBytes(input, "Failed to execute 'decode' on 'TextDecoder'");
    if (options !== undefined && options !== null && typeof options !== 'object' && typeof options !== 'function') {
      throw new TypeError("Failed to execute 'decode' on 'TextDecoder': The provided value is not of type 'TextDecodeOptions'.");
    }
    const stream = Boolean(options?.stream);
    if (this.#decoder !== null) return this.#decodeOther(bytes, stream);
    if (this.#pending !== null) {
      const joined = new Uint8Array(this.#pending.length + bytes.length);
      joined.set(this.#pending, 0);
      joined.set(bytes, this.#pending.length);
      bytes = joined;
      this.#pending = null;
    }
    if (stream) {
      const tail = incompleteTail(bytes);
      if (tail > 0) {
        this.#pending = bytes.slice(bytes.length - tail);
        bytes = bytes.subarray(0, bytes.length - tail);
      }
    }
    let out;
    try {
      out = bytes.length === 0 ? '' : utf8Decode(bytes, this.#fatal);
    } catch (e) {
      this.#pending = null;
      this.#bomSeen = false;
      // The native may throw its own error; the spec wants a TypeError.
      throw e instanceof TypeError ? e : new TypeError('The encoded data was not valid for encoding utf-8');
    }
    if (!this.#bomSeen && out.length > 0) {
      this.#bomSeen = true;
      if (!this.#ignoreBOM && out.charCodeAt(0) === 0xFEFF) out = out.slice(1);
    }
    if (!stream) { this.#pending = null; this.#bomSeen = false; }
    return out;
  }

  // The encodings other than UTF-8; only UTF-16 has a BOM to drop.
  #decodeOther(bytes, stream) {
    const decoder = this.#decoder;
    if (!this.#doNotFlush) { decoder.reset(); this.#bomSeen = false; }
    this.#doNotFlush = stream;
    let out;
    try {
      out = decoder.decode(bytes, !stream, this.#fatal);
    } catch (e) {
      decoder.reset();
      this.#doNotFlush = false;
      throw e;
    }
    if (!this.#bomSeen && out.length > 0 && (this.#encoding === 'utf-16le' || this.#encoding === 'utf-16be')) {
      this.#bomSeen = true;
      if (!this.#ignoreBOM && out.charCodeAt(0) === 0xFEFF) out = out.slice(1);
    }
    return out;
  }
}
webIDLClass(TextDecoder, 'TextDecoder');

// ---------------------------------------------------------------- base64

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VAL = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_VAL[B64.charCodeAt(i)] = i;

const invalidChar = (msg) => new DOMExceptionClass(msg, 'InvalidCharacterError');

// Forgiving-base64 decode (https://infra.spec.whatwg.org/#forgiving-base64-decode)
// to a "binary string" (one char per byte).
function atob(data) {
  if (arguments.length < 1) throw new TypeError("Failed to execute 'atob': 1 argument required, but only 0 present.");
  let s = `${data}`;
  if (/[\t\n\f\r ]/.test(s)) s = s.replace(/[\t\n\f\r ]+/g, '');
  if (s.length % 4 === 0) {
    if (s.endsWith('==')) s = s.slice(0, -2);
    else if (s.endsWith('=')) s = s.slice(0, -1);
  }
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) {
    throw invalidChar("Failed to execute 'atob': The string to be decoded is not correctly encoded.");
  }
  const out = new Uint8Array((s.length * 3) >> 2);
  let n = 0, i = 0;
  for (; i + 4 <= s.length; i += 4) {
    const v = (B64_VAL[s.charCodeAt(i)] << 18) | (B64_VAL[s.charCodeAt(i + 1)] << 12)
      | (B64_VAL[s.charCodeAt(i + 2)] << 6) | B64_VAL[s.charCodeAt(i + 3)];
    out[n++] = v >> 16; out[n++] = (v >> 8) & 255; out[n++] = v & 255;
  }
  const rest = s.length - i; // 0, 2 or 3: the leftover bits must be dropped
  if (rest === 2) {
    out[n++] = (B64_VAL[s.charCodeAt(i)] << 2) | (B64_VAL[s.charCodeAt(i + 1)] >> 4);
  } else if (rest === 3) {
    const v = (B64_VAL[s.charCodeAt(i)] << 10) | (B64_VAL[s.charCodeAt(i + 1)] << 4) | (B64_VAL[s.charCodeAt(i + 2)] >> 2);
    out[n++] = v >> 8; out[n++] = v & 255;
  }
  return latin1FromBytes(out.subarray(0, n));
}

function btoa(data) {
  if (arguments.length < 1) throw new TypeError("Failed to execute 'btoa': 1 argument required, but only 0 present.");
  const s = `${data}`;
  if (/[^\x00-\xFF]/.test(s)) {
    throw invalidChar("Failed to execute 'btoa': The string to be encoded contains characters outside of the Latin1 range.");
  }
  const parts = [];
  let chunk = '';
  let i = 0;
  for (; i + 3 <= s.length; i += 3) {
    const v = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
    chunk += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
    if (chunk.length >= 8192) { parts.push(chunk); chunk = ''; }
  }
  if (s.length - i === 1) {
    const v = s.charCodeAt(i);
    chunk += B64[v >> 2] + B64[(v & 3) << 4] + '==';
  } else if (s.length - i === 2) {
    const v = (s.charCodeAt(i) << 8) | s.charCodeAt(i + 1);
    chunk += B64[v >> 10] + B64[(v >> 4) & 63] + B64[(v & 15) << 2] + '=';
  }
  parts.push(chunk);
  return parts.join('');
}

defineGlobal('TextEncoder', TextEncoder);
defineGlobal('TextDecoder', TextDecoder);
defineGlobal('atob', atob);
defineGlobal('btoa', btoa);
