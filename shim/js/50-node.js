// 50-node.js: the Node.js compatibility subset, as edge runtimes offer it
// for code written against Node: modules importable as `node:NAME` (and the
// bare NAME). Each is registered with internal.nodeModules.set(NAME,
// exports) where `exports` has a `default` and the named exports; the
// engine makes an ES module of it on the first import (isolate.cc).
// Nothing here reaches the host: there is no fs, net, child_process or
// process.env.

const { ReflectApply } = internal;
const nodeModules = internal.nodeModules || (internal.nodeModules = new Map());
const MapGet = Map.prototype.get;
const MapHas = Map.prototype.has;

// C++ asks for a module by name; undefined: no such module here. (A
// function is asked for the module of that name.)
internal.nodeModule = function nodeModule(name) {
  if (!ReflectApply(MapHas, nodeModules, [name])) return undefined;
  const m = ReflectApply(MapGet, nodeModules, [name]);
  return typeof m === 'function' ? m(name) : m;
};

// ---------------------------------------------------------------- async_hooks

// The library js/lib/async-hooks, loaded on first use.
const asyncHooks = internal.lazyLibrary('async-hooks', [], {
  MapCtor: Map,
  ObjectDefineProperty: Object.defineProperty,
});
internal.asyncHooks = asyncHooks;
nodeModules.set('async_hooks', () => {
  const exports = asyncHooks();
  return { default: exports, ...exports };
});
