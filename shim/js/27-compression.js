// 27-compression.js: `CompressionStream` and `DecompressionStream`, made
// when a function first reads one of them: the library js/lib/compression
// (shim/js/lib/compression.js), over zlib (natives.zlibNew / zlibRun).

if (internal.hasStreams === true && typeof natives.zlibNew === 'function') {
  internal.lazyLibrary('compression', ['CompressionStream', 'DecompressionStream'], {});
}
