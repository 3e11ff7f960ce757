// node:events: EventEmitter as Node's (listeners kept in `_events` by
// event name, one function or an array; 'newListener' and
// 'removeListener' events; an 'error' without a listener throws;
// errorMonitor; captureRejections; the max-listeners warning, once per
// event name, through console.warn), and the module's functions: once (a
// promise, with a signal), on (an async iterator of events), listenerCount,
// getEventListeners, getMaxListeners, setMaxListeners, addAbortListener.
//
// A plain function rather than a class: code written for Node calls
// `EventEmitter.call(this)` from its own constructors.

'use strict';

const {
  error, warn, AbortError, validateFunction, validateObject, validateAbortSignal, validateBoolean,
  validateInteger, validateNumber, validateString,
} = require('errors');

const kCapture = Symbol('kCapture');
const kErrorMonitor = Symbol('events.errorMonitor');
const kRejection = Symbol.for('nodejs.rejection');
const kDispose = Symbol.dispose || Symbol.for('nodejs.dispose');

let defaultMaxListeners = 10;

function EventEmitter(opts) {
  EventEmitter.init.call(this, opts);
}

EventEmitter.prototype._events = undefined;
EventEmitter.prototype._eventsCount = 0;
EventEmitter.prototype._maxListeners = undefined;
EventEmitter.prototype[kCapture] = false;

EventEmitter.init = function init(opts) {
  if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
    this._events = { __proto__: null };
    this._eventsCount = 0;
  }
  this._maxListeners = this._maxListeners || undefined;
  if (opts && opts.captureRejections) {
    validateBoolean(opts.captureRejections, 'options.captureRejections');
    this[kCapture] = Boolean(opts.captureRejections);
  } else {
    this[kCapture] = EventEmitter.prototype[kCapture];
  }
};

Object.defineProperties(EventEmitter, {
  captureRejections: {
    enumerable: true,
    get() { return EventEmitter.prototype[kCapture]; },
    set(value) {
      validateBoolean(value, 'EventEmitter.captureRejections');
      EventEmitter.prototype[kCapture] = value;
    },
  },
  defaultMaxListeners: {
    enumerable: true,
    get() { return defaultMaxListeners; },
    set(n) {
      validateNumber(n, 'defaultMaxListeners', 0);
      defaultMaxListeners = n;
    },
  },
});

EventEmitter.EventEmitter = EventEmitter;
EventEmitter.usingDomains = false;
EventEmitter.captureRejectionSymbol = kRejection;
EventEmitter.errorMonitor = kErrorMonitor;

const proto = EventEmitter.prototype;

proto.setMaxListeners = function setMaxListeners(n) {
  validateNumber(n, 'setMaxListeners', 0);
  this._maxListeners = n;
  return this;
};

function maxListenersOf(that) {
  return that._maxListeners === undefined ? defaultMaxListeners : that._maxListeners;
}

proto.getMaxListeners = function getMaxListeners() {
  return maxListenersOf(this);
};

// a listener's promise that rejects: an 'error' event (or the emitter's
// Symbol.for('nodejs.rejection') method), with captureRejections
function catchRejection(that, promise, type, args) {
  if (!that[kCapture]) return;
  try {
    const then = promise.then;
    if (typeof then !== 'function') return;
    Reflect.apply(then, promise, [undefined, (err) => {
      queueMicrotask(() => {
        if (typeof that[kRejection] === 'function') {
          Reflect.apply(that[kRejection], that, [err, type, ...args]);
          return;
        }
        const before = that[kCapture];
        try {
          that[kCapture] = false;
          that.emit('error', err);
        } finally {
          that[kCapture] = before;
        }
      });
    }]);
  } catch (err) {
    that.emit('error', err);
  }
}

proto.emit = function emit(type, ...args) {
  let doError = type === 'error';
  const events = this._events;
  if (events !== undefined) {
    if (doError && events[kErrorMonitor] !== undefined) this.emit(kErrorMonitor, ...args);
    doError = doError && events.error === undefined;
  } else if (!doError) {
    return false;
  }
  if (doError) {
    const er = args.length > 0 ? args[0] : undefined;
    if (er instanceof Error) throw er; // Unhandled 'error' event
    let shown;
    try {
      shown = require('inspect').inspect(er);
    } catch {
      shown = er;
    }
    const err = error('ERR_UNHANDLED_ERROR', shown);
    err.context = er;
    throw err; // Unhandled 'error' event
  }
  const handler = events[type];
  if (handler === undefined) return false;
  if (typeof handler === 'function') {
    const result = Reflect.apply(handler, this, args);
    if (result !== undefined && result !== null) catchRejection(this, result, type, args);
  } else {
    // the listeners as they were: those added or removed meanwhile wait
    const listeners = handler.slice();
    for (const listener of listeners) {
      const result = Reflect.apply(listener, this, args);
      if (result !== undefined && result !== null) catchRejection(this, result, type, args);
    }
  }
  return true;
};

function checkListener(listener) {
  validateFunction(listener, 'listener');
}

function add(target, type, listener, prepend) {
  checkListener(listener);
  let events = target._events;
  let existing;
  if (events === undefined) {
    events = target._events = { __proto__: null };
    target._eventsCount = 0;
  } else {
    if (events.newListener !== undefined) {
      target.emit('newListener', type, listener.listener ?? listener);
      // a 'newListener' listener may have replaced _events
      events = target._events;
    }
    existing = events[type];
  }
  if (existing === undefined) {
    events[type] = listener;
    ++target._eventsCount;
    return target;
  }
  if (typeof existing === 'function') {
    existing = events[type] = prepend ? [listener, existing] : [existing, listener];
  } else if (prepend) {
    existing.unshift(listener);
  } else {
    existing.push(listener);
  }
  const m = maxListenersOf(target);
  if (m > 0 && existing.length > m && !existing.warned) {
    existing.warned = true;
    const shown = require('inspect').inspect(target, { depth: -1 });
    warn(`Possible EventEmitter memory leak detected. ${existing.length} ${String(type)} listeners added to ${shown}. `
      + `MaxListeners is ${m}. Use emitter.setMaxListeners() to increase limit`, 'MaxListenersExceededWarning');
  }
  return target;
}

proto.addListener = function addListener(type, listener) {
  return add(this, type, listener, false);
};
proto.on = proto.addListener;

proto.prependListener = function prependListener(type, listener) {
  return add(this, type, listener, true);
};

// a listener that removes itself before it runs
function onceWrap(target, type, listener) {
  const state = { fired: false, wrapFn: undefined, target, type, listener };
  function wrapped(...args) {
    if (state.fired) return undefined;
    state.target.removeListener(state.type, state.wrapFn);
    state.fired = true;
    return Reflect.apply(state.listener, state.target, args);
  }
  wrapped.listener = listener;
  state.wrapFn = wrapped;
  return wrapped;
}

proto.once = function once(type, listener) {
  checkListener(listener);
  this.on(type, onceWrap(this, type, listener));
  return this;
};

proto.prependOnceListener = function prependOnceListener(type, listener) {
  checkListener(listener);
  this.prependListener(type, onceWrap(this, type, listener));
  return this;
};

proto.removeListener = function removeListener(type, listener) {
  checkListener(listener);
  const events = this._events;
  if (events === undefined) return this;
  const list = events[type];
  if (list === undefined) return this;
  if (list === listener || list.listener === listener) {
    this._eventsCount -= 1;
    if (this._eventsCount === 0) {
      this._events = { __proto__: null };
    } else {
      delete events[type];
      if (events.removeListener) this.emit('removeListener', type, list.listener || listener);
    }
  } else if (typeof list !== 'function') {
    let position = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i] === listener || list[i].listener === listener) {
        position = i;
        break;
      }
    }
    if (position < 0) return this;
    list.splice(position, 1);
    if (list.length === 1) events[type] = list[0];
    if (events.removeListener !== undefined) this.emit('removeListener', type, listener);
  }
  return this;
};
proto.off = proto.removeListener;

proto.removeAllListeners = function removeAllListeners(type) {
  const events = this._events;
  if (events === undefined) return this;
  if (events.removeListener === undefined) {
    if (arguments.length === 0) {
      this._events = { __proto__: null };
      this._eventsCount = 0;
    } else if (events[type] !== undefined) {
      if (--this._eventsCount === 0) this._events = { __proto__: null };
      else delete events[type];
    }
    return this;
  }
  if (arguments.length === 0) {
    for (const key of Reflect.ownKeys(events)) {
      if (key !== 'removeListener') this.removeAllListeners(key);
    }
    this.removeAllListeners('removeListener');
    this._events = { __proto__: null };
    this._eventsCount = 0;
    return this;
  }
  const listeners = events[type];
  if (typeof listeners === 'function') {
    this.removeListener(type, listeners);
  } else if (listeners !== undefined) {
    for (let i = listeners.length - 1; i >= 0; i--) this.removeListener(type, listeners[i]);
  }
  return this;
};

function listenersOf(target, type, unwrap) {
  const events = target._events;
  if (events === undefined) return [];
  const l = events[type];
  if (l === undefined) return [];
  if (typeof l === 'function') return unwrap ? [l.listener || l] : [l];
  return unwrap ? l.map((f) => f.listener || f) : l.slice();
}

proto.listeners = function listeners(type) {
  return listenersOf(this, type, true);
};

proto.rawListeners = function rawListeners(type) {
  return listenersOf(this, type, false);
};

function listenerCount(type, listener) {
  const events = this._events;
  if (events === undefined) return 0;
  const l = events[type];
  if (typeof l === 'function') {
    if (listener != null) return listener === l || listener === l.listener ? 1 : 0;
    return 1;
  }
  if (l === undefined) return 0;
  if (listener != null) return l.filter((f) => f === listener || f.listener === listener).length;
  return l.length;
}
proto.listenerCount = listenerCount;

proto.eventNames = function eventNames() {
  return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
};

// ---------------------------------------------------------------- module functions

EventEmitter.listenerCount = function (emitter, type) {
  if (typeof emitter.listenerCount === 'function') return emitter.listenerCount(type);
  return Reflect.apply(listenerCount, emitter, [type]);
};

function addAgnostic(emitter, name, listener, once) {
  if (typeof emitter.on === 'function') {
    if (once) emitter.once(name, listener);
    else emitter.on(name, listener);
  } else if (typeof emitter.addEventListener === 'function') {
    emitter.addEventListener(name, listener, { once });
  } else {
    throw error('ERR_INVALID_ARG_TYPE', 'emitter', 'EventEmitter', emitter);
  }
}

function removeAgnostic(emitter, name, listener) {
  if (typeof emitter.removeListener === 'function') emitter.removeListener(name, listener);
  else if (typeof emitter.removeEventListener === 'function') emitter.removeEventListener(name, listener);
  else throw error('ERR_INVALID_ARG_TYPE', 'emitter', 'EventEmitter', emitter);
}

const abortError = (signal) => new AbortError(undefined, { cause: signal && signal.reason });

async function once(emitter, name, options = {}) {
  validateObject(options, 'options');
  const signal = options.signal;
  validateAbortSignal(signal, 'options.signal');
  if (signal && signal.aborted) throw abortError(signal);
  return new Promise((resolve, reject) => {
    const onError = (err) => {
      removeAgnostic(emitter, name, resolver);
      if (signal != null) removeAgnostic(signal, 'abort', onAbort);
      reject(err);
    };
    const resolver = (...args) => {
      if (typeof emitter.removeListener === 'function') emitter.removeListener('error', onError);
      if (signal != null) removeAgnostic(signal, 'abort', onAbort);
      resolve(args);
    };
    function onAbort() {
      removeAgnostic(emitter, name, resolver);
      if (typeof emitter.removeListener === 'function') emitter.removeListener('error', onError);
      reject(abortError(signal));
    }
    addAgnostic(emitter, name, resolver, true);
    // EventTargets have no 'error' semantics; emitters do
    if (name !== 'error' && typeof emitter.once === 'function') emitter.once('error', onError);
    if (signal != null) addAgnostic(signal, 'abort', onAbort, true);
  });
}

// the events as an async iterator; an 'error' event (or the signal) ends it
// with that error, the `close` events end it
function on(emitter, event, options = {}) {
  validateObject(options, 'options');
  const signal = options.signal;
  validateAbortSignal(signal, 'options.signal');
  if (signal && signal.aborted) throw abortError(signal);
  validateInteger(options.highWaterMark ?? options.highWatermark ?? Number.MAX_SAFE_INTEGER, 'options.highWaterMark', 1);
  validateInteger(options.lowWaterMark ?? options.lowWatermark ?? 1, 'options.lowWaterMark', 1);

  const events = [];
  const waiting = [];
  let failure = null;
  let finished = false;
  const added = [];
  const listen = (name, fn) => {
    addAgnostic(emitter, name, fn, false);
    added.push([name, fn]);
  };
  const done = () => ({ value: undefined, done: true });

  function onEvent(...args) {
    if (waiting.length > 0) waiting.shift().resolve({ value: args, done: false });
    else events.push(args);
  }
  function onError(err) {
    if (waiting.length > 0) waiting.shift().reject(err);
    else failure = err;
    close();
  }
  function onAbort() {
    onError(abortError(signal));
  }
  function close() {
    if (signal) signal.removeEventListener('abort', onAbort);
    for (const [name, fn] of added.splice(0)) removeAgnostic(emitter, name, fn);
    finished = true;
    while (waiting.length > 0) waiting.shift().resolve(done());
    return Promise.resolve(done());
  }

  const iterator = Object.setPrototypeOf({
    next() {
      if (events.length > 0) return Promise.resolve({ value: events.shift(), done: false });
      if (failure) {
        const p = Promise.reject(failure);
        failure = null;
        return p;
      }
      if (finished) return close();
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      return close();
    },
    throw(err) {
      if (!err || !(err instanceof Error)) throw error('ERR_INVALID_ARG_TYPE', 'EventEmitter.AsyncIterator', 'Error', err);
      onError(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  }, Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype));

  listen(event, onEvent);
  if (event !== 'error' && typeof emitter.on === 'function') listen('error', onError);
  const closeEvents = options.close;
  if (closeEvents && closeEvents.length) for (const name of closeEvents) listen(name, close);
  if (signal) signal.addEventListener('abort', onAbort, { once: true });
  return iterator;
}

function getEventListeners(emitter, type) {
  if (typeof emitter.listeners === 'function') return emitter.listeners(type);
  throw error('ERR_INVALID_ARG_TYPE', 'emitter', ['EventEmitter', 'EventTarget'], emitter);
}

function getMaxListeners(emitter) {
  if (typeof emitter.getMaxListeners === 'function') return maxListenersOf(emitter);
  throw error('ERR_INVALID_ARG_TYPE', 'emitter', ['EventEmitter', 'EventTarget'], emitter);
}

function setMaxListeners(n = defaultMaxListeners, ...targets) {
  validateNumber(n, 'setMaxListeners', 0);
  if (targets.length === 0) {
    defaultMaxListeners = n;
    return;
  }
  for (const target of targets) {
    if (typeof target.setMaxListeners === 'function') target.setMaxListeners(n);
    else if (typeof target.addEventListener !== 'function') {
      throw error('ERR_INVALID_ARG_TYPE', 'eventTargets', ['EventEmitter', 'EventTarget'], target);
    }
  }
}

function addAbortListener(signal, listener) {
  if (signal === undefined) throw error('ERR_INVALID_ARG_TYPE', 'signal', 'AbortSignal', signal);
  validateAbortSignal(signal, 'signal');
  validateFunction(listener, 'listener');
  let removed = false;
  if (signal.aborted) queueMicrotask(() => listener());
  else signal.addEventListener('abort', listener, { once: true });
  return {
    [kDispose]() {
      if (removed) return;
      removed = true;
      signal.removeEventListener('abort', listener);
    },
  };
}

// an EventEmitter whose listeners run in the async context it was made in
class EventEmitterAsyncResource extends EventEmitter {
  #resource;

  constructor(options = undefined) {
    let name;
    if (typeof options === 'string') {
      name = options;
      options = undefined;
    } else {
      if (new.target === EventEmitterAsyncResource) validateString(options && options.name, 'options.name');
      name = (options && options.name) || new.target.name;
    }
    super(options);
    this.#resource = new binding.AsyncResource(name);
  }

  emit(event, ...args) {
    return this.#resource.runInAsyncScope(super.emit, this, event, ...args);
  }

  emitDestroy() {
    this.#resource.emitDestroy();
  }

  get asyncId() {
    return this.#resource.asyncId();
  }

  get triggerAsyncId() {
    return this.#resource.triggerAsyncId();
  }

  get asyncResource() {
    return this.#resource;
  }
}

Object.assign(EventEmitter, {
  once, on, getEventListeners, getMaxListeners, setMaxListeners, addAbortListener, EventEmitterAsyncResource,
});

module.exports = EventEmitter;
