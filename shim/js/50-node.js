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

// C++ asks for a module by name; undefined: no such module here.
internal.nodeModule = function nodeModule(name) {
  if (!ReflectApply(MapHas, nodeModules, [name])) return undefined;
  const m = ReflectApply(MapGet, nodeModules, [name]);
  return typeof m === 'function' ? m() : m;
};

// ---------------------------------------------------------------- async_hooks

// The async context is a frame: a Map from AsyncLocalStorage to its store,
// carried by V8 along promise reactions (and by the runtime's timers).
// Frames are never changed once made, so a continuation keeps what it saw.
const contextGet = natives.contextGet || (() => undefined);
const contextSet = natives.contextSet || (() => {});
const EMPTY = new Map();
const frame = () => { const f = contextGet(); return f instanceof Map ? f : EMPTY; };
const withStore = (f, als, store) => { const n = new Map(f); n.set(als, store); return n; };
const withoutStore = (f, als) => { const n = new Map(f); n.delete(als); return n; };

function runIn(f, fn, thisArg, args) {
  const saved = contextGet();
  contextSet(f);
  try {
    return ReflectApply(fn, thisArg, args);
  } finally {
    contextSet(saved);
  }
}

class AsyncLocalStorage {
  #enabled = true;

  static bind(fn) {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    const f = frame();
    return function bound(...args) { return runIn(f, fn, this, args); };
  }

  static snapshot() {
    const f = frame();
    return (fn, ...args) => runIn(f, fn, undefined, args);
  }

  run(store, fn, ...args) {
    this.#enabled = true;
    return runIn(withStore(frame(), this, store), fn, undefined, args);
  }

  exit(fn, ...args) {
    return runIn(withoutStore(frame(), this), fn, undefined, args);
  }

  enterWith(store) {
    this.#enabled = true;
    contextSet(withStore(frame(), this, store));
  }

  getStore() {
    if (!this.#enabled) return undefined;
    return frame().get(this);
  }

  disable() {
    this.#enabled = false;
    contextSet(withoutStore(frame(), this));
  }
}

class AsyncResource {
  #frame;
  #type;

  constructor(type) {
    this.#type = `${type}`;
    this.#frame = frame();
  }

  static bind(fn, type, thisArg) {
    return new AsyncResource(type || fn.name || 'bound-anonymous-fn').bind(fn, thisArg);
  }

  bind(fn, thisArg) {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    const f = this.#frame;
    const bound = thisArg === undefined
      ? function (...args) { return runIn(f, fn, this, args); }
      : function (...args) { return runIn(f, fn, thisArg, args); };
    Object.defineProperty(bound, 'length', { value: fn.length });
    return bound;
  }

  runInAsyncScope(fn, thisArg, ...args) {
    return runIn(this.#frame, fn, thisArg, args);
  }

  emitDestroy() { return this; }
  asyncId() { return 0; }
  triggerAsyncId() { return 0; }
}

const asyncHooks = { AsyncLocalStorage, AsyncResource };
nodeModules.set('async_hooks', { default: asyncHooks, ...asyncHooks });
