// js/lib/compression.js: the Compression Standard's `CompressionStream` and
// `DecompressionStream` ("gzip", "deflate", "deflate-raw"), TransformStreams
// over zlib (natives.zlibNew / zlibRun, shim/compress.cc).
//
// zlib's state is made on the first chunk, not by the constructor, and goes
// with the stream when the stream is collected. Each zlibRun call gives at
// most 64 KB of output and takes at most 256 KB of input, and this loop runs
// in JS between calls, so the CPU limit can stop a long one; every output
// chunk is counted against js_function_memory as it is made, so a
// decompression bomb ends at the memory limit.
//
// Decompression errors are TypeErrors, as the standard says: corrupt data,
// a stream cut short (checked when the writable side closes), and any byte
// after the end of the compressed stream (the output before it is enqueued
// first).
//
// A library (js/README.md, "Libraries"), loaded when a function first reads
// either global (js/27-compression.js).

const { webIDLClass } = internal;
const { bufferSource } = internal;
const { newTransform, enqueue } = internal.streams();
const { zlibNew, zlibRun } = natives;

// zlibRun's flags
const MORE = 1;   // the output was cut at 64 KB, or input is left: call again
const ENDED = 2;  // the end of the compressed stream was reached

function formatOf(format, what) {
  if (format === undefined) throw new TypeError(`${what}: 1 argument required, but only 0 present.`);
  const f = `${format}`;
  const n = f === 'deflate' ? 0 : f === 'deflate-raw' ? 1 : f === 'gzip' ? 2 : -1;
  if (n < 0) throw new TypeError(`${what}: The provided value '${f}' is not a valid enum value of type CompressionFormat.`);
  return n;
}

// Runs `bytes` (or the end, when bytes is null) through the zlib stream and
// enqueues the output; returns zlibRun's last flags, and the input bytes it
// took in `taken`.
let taken = 0;
function pump(z, bytes, controller) {
  let offset = 0;
  for (;;) {
    const r = zlibRun(z, bytes, offset);
    if (r[0] !== null) enqueue(controller, r[0]);
    offset = r[1];
    if ((r[2] & MORE) === 0) {
      taken = offset;
      return r[2];
    }
  }
}

function chunkOf(chunk, what) {
  const bytes = bufferSource(chunk);
  if (bytes === null) {
    throw new TypeError(`${what}: The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.`);
  }
  return bytes;
}

class CompressionStream {
  #ts;

  constructor(format) {
    const fmt = formatOf(format, "Failed to construct 'CompressionStream'");
    let z = null;
    this.#ts = newTransform((chunk, controller) => {
      const bytes = chunkOf(chunk, "Failed to execute 'transform' on 'CompressionStream'");
      if (bytes.length === 0) return;
      if (z === null) z = zlibNew(fmt, false);
      pump(z, bytes, controller);
    }, (controller) => {
      if (z === null) z = zlibNew(fmt, false);
      pump(z, null, controller);
      z = null;
    });
  }

  get readable() { return this.#ts.readable; }
  get writable() { return this.#ts.writable; }
}
webIDLClass(CompressionStream, 'CompressionStream');

class DecompressionStream {
  #ts;

  constructor(format) {
    const fmt = formatOf(format, "Failed to construct 'DecompressionStream'");
    let z = null;
    let ended = false;
    this.#ts = newTransform((chunk, controller) => {
      const bytes = chunkOf(chunk, "Failed to execute 'transform' on 'DecompressionStream'");
      if (bytes.length === 0) return;
      if (ended) throw new TypeError('DecompressionStream: junk found after the end of the compressed data.');
      if (z === null) z = zlibNew(fmt, true);
      if (pump(z, bytes, controller) & ENDED) {
        ended = true;
        z = null;
        if (taken < bytes.length) throw new TypeError('DecompressionStream: junk found after the end of the compressed data.');
      }
    }, () => {
      if (!ended) throw new TypeError('DecompressionStream: the compressed data ended before the end of the stream.');
    });
  }

  get readable() { return this.#ts.readable; }
  get writable() { return this.#ts.writable; }
}
webIDLClass(DecompressionStream, 'DecompressionStream');

return { CompressionStream, DecompressionStream };
