// js/lib/node-modules.js: the loader of node:buffer, node:events, node:util
// (and node:util/types), node:assert (and node:assert/strict), whose code
// is in shim/node/NAME.js, the libraries node/NAME: each is the body of a
// function of (exports, module, require, binding), CommonJS-like:
// `require(name)` gives another of them (the shared errors, inspect,
// compare and types too), `binding` what they need from the runtime.
//
// A library (js/README.md, "Libraries"), loaded by the first import of one
// of them (js/51-node-modules.js); its result is a function giving the
// module namespace of such a name.
//
// Parameters after natives and internal: the built-ins js/51-node-modules.js
// captured when the snapshot was made: MapCtor, MapGet, MapSet, MapDelete,
// ObjectKeys, ObjectFreeze, ObjectSetPrototypeOf, TextEncoder, TextDecoder,
// atob, btoa.

const { ReflectApply } = internal;

// (no prototype: what Object.prototype may have gained is no part of it)
const binding = ObjectFreeze(ObjectSetPrototypeOf({
  typeOf: natives.typeOf,
  valueDetails: natives.valueDetails,
  stringBytes: natives.stringBytes,
  bytesString: natives.bytesString,
  utf8Length: natives.utf8Length,
  utf8Encode: natives.utf8Encode,
  utf8Decode: natives.utf8Decode,
  TextEncoder,
  TextDecoder,
  atob,
  btoa,
  // (js/lib/async-hooks, loaded when an EventEmitterAsyncResource is made)
  get AsyncResource() { return internal.asyncHooks().AsyncResource; },
}, null));

const PARAMS = ['exports', 'module', 'require', 'binding'];
const loaded = new MapCtor();   // name -> its module, once it began loading

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
  const keys = ObjectKeys(exports);
  for (let i = 0; i < keys.length; i++) if (keys[i] !== 'default') ns[keys[i]] = exports[keys[i]];
  return ns;
};

return (name) => {
  switch (name) {
  case 'util/types': return namespace(requireLibrary('types'));
  case 'assert/strict': return namespace(requireLibrary('assert').strict);
  default: return namespace(requireLibrary(name));
  }
};
