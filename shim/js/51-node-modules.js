// 51-node-modules.js: node:buffer, node:events, node:util (and
// node:util/types), node:assert (and node:assert/strict).
//
// Their code is not part of the runtime: it is in shim/node/NAME.js, built
// into the engine as the library node/NAME (gen_libraries.sh), and compiled
// the first time a function imports one of them (natives.library, from the
// process's code cache once an isolate has compiled it), by the library
// js/lib/node-modules (shim/js/lib/node-modules.js). An isolate that never
// imports them pays nothing for them: not even their source is in its
// heap. Here: the names, and the built-ins they are given, captured when
// the snapshot is made.

if (internal.hasLibraries) {
  const load = internal.libraryLoader('node-modules', {
    MapCtor: Map,
    MapGet: Map.prototype.get,
    MapSet: Map.prototype.set,
    MapDelete: Map.prototype.delete,
    ObjectKeys: Object.keys,
    ObjectFreeze: Object.freeze,
    ObjectSetPrototypeOf: Object.setPrototypeOf,
    TextEncoder: globalThis.TextEncoder,
    TextDecoder: globalThis.TextDecoder,
    atob: globalThis.atob,
    btoa: globalThis.btoa,
  });
  const nodeModule = (name) => load()(name);
  for (const name of ['buffer', 'events', 'util', 'util/types', 'assert', 'assert/strict']) {
    internal.nodeModules.set(name, nodeModule);
  }
}
