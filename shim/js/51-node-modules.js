// 51-node-modules.js: node:buffer, node:events, node:util (and
// node:util/types), node:assert (and node:assert/strict).
//
// Their code is not part of the runtime: it is in shim/node/NAME.js, built
// into the engine as the library node/NAME (gen_libraries.sh), and compiled
// the first time a function imports one of them (natives.library, from the
// process's code cache once an isolate has compiled it). An isolate that
// never imports them pays nothing for them: not even their source is in its
// heap. Each file is the body of a function of (exports, module, require,
// binding), CommonJS-like: `require(name)` gives another of them (the shared
// errors, inspect, compare and types too), `binding` what they need from
// the runtime, captured here when the snapshot is made.

if (typeof natives.library === 'function') {
  const { ReflectApply } = internal;
  const nodeModules = internal.nodeModules;
  const MapGet = Map.prototype.get;
  const MapSet = Map.prototype.set;
  const MapDelete = Map.prototype.delete;
  const { keys: ObjectKeys } = Object;

  const asyncHooks = nodeModules.get('async_hooks');
  const binding = Object.freeze({
    __proto__: null,
    typeOf: natives.typeOf,
    valueDetails: natives.valueDetails,
    stringBytes: natives.stringBytes,
    bytesString: natives.bytesString,
    utf8Length: natives.utf8Length,
    utf8Encode: natives.utf8Encode,
    utf8Decode: natives.utf8Decode,
    TextEncoder: globalThis.TextEncoder,
    TextDecoder: globalThis.TextDecoder,
    atob: globalThis.atob,
    btoa: globalThis.btoa,
    AsyncResource: asyncHooks && asyncHooks.AsyncResource,
  });

  const PARAMS = ['exports', 'module', 'require', 'binding'];
  const loaded = new Map();   // name -> its module, once it began loading

  const requireLibrary = (name) => {
    let module = ReflectApply(MapGet, loaded, [name]);
    if (module !== undefined) return module.exports;
    module = { exports: {} };
    ReflectApply(MapSet, loaded, [name, module]);
    const library = `node/${name}`;
    try {
      const fn = natives.library(library, PARAMS);
      ReflectApply(fn, undefined, [module.exports, module, requireLibrary, binding]);
      natives.libraryCache(library, fn, false);
    } catch (e) {
      ReflectApply(MapDelete, loaded, [name]);
      throw e;
    }
    return module.exports;
  };

  // the ES module's exports: `default` and each own enumerable key
  const namespace = (exports) => {
    const ns = { default: exports };
    for (const key of ObjectKeys(exports)) if (key !== 'default') ns[key] = exports[key];
    return ns;
  };

  for (const [name, library, pick] of [
    ['buffer', 'buffer'], ['events', 'events'], ['util', 'util'], ['util/types', 'types'],
    ['assert', 'assert'], ['assert/strict', 'assert', (assert) => assert.strict],
  ]) {
    nodeModules.set(name, () => {
      const exports = requireLibrary(library);
      return namespace(pick ? pick(exports) : exports);
    });
  }
}
