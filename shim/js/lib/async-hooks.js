// js/lib/async-hooks.js: node:async_hooks (AsyncLocalStorage, AsyncResource).
//
// A library (js/README.md, "Libraries"): loaded on the first import of
// node:async_hooks, or by node:events' EventEmitterAsyncResource
// (js/50-node.js); its result is {AsyncLocalStorage, AsyncResource}.

const { ReflectApply } = internal;
// Parameters after natives and internal: the built-ins js/50-node.js captured
// when the snapshot was made: MapCtor, ObjectDefineProperty.

// The async context is a frame: a Map from AsyncLocalStorage to its store,
// carried by V8 along promise reactions (and by the runtime's timers).
// Frames are never changed once made, so a continuation keeps what it saw.
const contextGet = natives.contextGet || (() => undefined);
const contextSet = natives.contextSet || (() => {});
const EMPTY = new MapCtor();
// (a call id, as dispatch() sets it, is a frame with only that: fetch() reads it)
const frame = () => {
  const f = contextGet();
  return f instanceof MapCtor ? f : typeof f === 'number' ? new MapCtor([[internal.callKey, f]]) : EMPTY;
};
const withStore = (f, als, store) => { const n = new MapCtor(f); n.set(als, store); return n; };
const withoutStore = (f, als) => { const n = new MapCtor(f); n.delete(als); return n; };

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
    ObjectDefineProperty(bound, 'length', { value: fn.length });
    return bound;
  }

  runInAsyncScope(fn, thisArg, ...args) {
    return runIn(this.#frame, fn, thisArg, args);
  }

  emitDestroy() { return this; }
  asyncId() { return 0; }
  triggerAsyncId() { return 0; }
}

return { AsyncLocalStorage, AsyncResource };
