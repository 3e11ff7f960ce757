// 16-events.js: the DOM Standard's events and aborting, and the small
// globals around them: `Event`, `CustomEvent`, `ErrorEvent`, `EventTarget`,
// `AbortController`, `AbortSignal`, `reportError`, `structuredClone`,
// `navigator`. The events themselves (`Event`, `CustomEvent`, `ErrorEvent`,
// dispatch), aborting (`AbortController`, `AbortSignal`, a Request's
// signal), `structuredClone` and `navigator` are the libraries js/lib/event,
// js/lib/abort, js/lib/clone and js/lib/navigator (shim/js/lib/), which an isolate
// compiles when a function first touches them; here is what the global
// object is made of (it is an EventTarget: its listeners), reporting, and
// the hooks.
//
// There is no DOM tree: an event is dispatched to its target only (at
// target: capturing listeners first, then the others). The global object is
// an EventTarget, as workerd's ServiceWorkerGlobalScope is: `reportError()`
// and exceptions thrown by listeners fire an `error` ErrorEvent at it, and
// are logged ("Uncaught ...", at error level) unless a listener cancels it.
//
// Hooks for the other runtime files and the engine (see README.md):
//   internal.reportException(e)  report an exception (the `error` event, the log)
//   internal.isAbortSignal(v)
//   internal.requestSignal(src), internal.signalFollow(src),
//   internal.signalFromInit(v, what)  a Request's signal, made lazily
//   internal.abortRequest(callId, reason)  the client of a call went away
//   internal.AbortController  a constructor that loads js/lib/abort when used

const { webIDLClass, domException, ReflectApply, define } = internal;

const GLOBAL = globalThis;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const MathMax = Math.max;
const MathTrunc = Math.trunc;
const NumberIsFinite = Number.isFinite;
const WeakRefCtor = WeakRef;

// Captured before user code runs: a function may replace these globals.
const startTimer = globalThis.setTimeout;
const stopTimer = globalThis.clearTimeout;
const consoleError = globalThis.console.error;

// performance.now(): the clock of event time stamps and timeout signals
// (frozen while JS runs, like Date.now()). Without natives (tests under
// Node) there is no clock: time stands still.
const hrnow = typeof natives.hrnow === 'function' ? natives.hrnow : () => 0;

function requireArgs(n, got, what) {
  if (got < n) throw new TypeError(`${what}: ${n} argument${n > 1 ? 's' : ''} required, but only ${got} present.`);
}

// Web IDL dictionary: undefined/null mean "empty", other non-objects throw.
function toDict(v, what) {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError(`${what}: The provided value is not an object.`);
  return v;
}
internal.requireArgs = requireArgs;
internal.toDict = toDict;

const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

// ---------------------------------------------------------------- Event

// Events, once js/lib/event is loaded: no Event exists before. (Its loader is
// made at the end of this file, given this file's pieces.)
let events = null;
let eventLoad = null;

function eventLibrary() {
  if (events === null) events = eventLoad();
  return events;
}

internal.lazyGlobals(['Event', 'CustomEvent', 'ErrorEvent'], (name) => eventLibrary()[name]);

// ---------------------------------------------------------------- EventTarget

// A listener: the DOM Standard's "event listener" struct. `signal`/`algo`:
// the AbortSignal of {signal} and the abort algorithm that removes it.
const newListener = (type, callback, capture, passive, once) => ({
  type, callback, capture, passive, once, signal: null, algo: null, removed: false,
});

let listenerMap;     // (target, make) -> Map type -> [listener], or null

// Aborting, once js/lib/abort is loaded: no AbortSignal exists before.
let abort = null;
const isAbortSignal = (v) => abort !== null && abort.isAbortSignal(v);
const signalAborted = (signal) => abort.signalAborted(signal);
const signalListens = (signal, delta) => abort.signalListens(signal, delta);
const addAlgorithm = (signal, f, sees) => abort.addAlgorithm(signal, f, sees);
const removeAlgorithm = (signal, f) => abort.removeAlgorithm(signal, f);

// The global object's listeners (it cannot hold a private field).
let globalMap = null;

class EventTarget {
  #l = null;

  static {
    listenerMap = (t, make) => {
      if (t === GLOBAL) {
        if (globalMap === null && make) globalMap = new Map();
        return globalMap;
      }
      if (!isObject(t) || !(#l in t)) throw new TypeError('Illegal invocation');
      if (t.#l === null && make) t.#l = new Map();
      return t.#l;
    };
  }

  addEventListener(type, callback, options = undefined) {
    const target = targetOf(this, 2, arguments.length, 'addEventListener');
    type = `${type}`;
    callback = toCallback(callback, 'addEventListener');
    let capture = false;
    let once = false;
    let passive = false;
    let signal = null;
    if (isObject(options)) {
      // AddEventListenerOptions: EventListenerOptions' capture first, then
      // its own members in lexicographic order
      capture = !!options.capture;
      once = !!options.once;
      passive = !!options.passive;
      const s = options.signal;
      if (s !== undefined) {
        if (!isAbortSignal(s)) {
          throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': member signal is not of type AbortSignal.");
        }
        signal = s;
      }
    } else {
      capture = !!options;
    }
    if (signal !== null && signalAborted(signal)) return;
    if (callback === null) return;
    const map = listenerMap(target, true);
    for (;;) {
      const found = findListener(map, type, callback, capture);
      if (found === null) break;
      // (unless its signal has aborted meanwhile, unseen)
      if (found.signal !== null) signalAborted(found.signal);
      if (!found.removed) return;
    }
    const l = newListener(type, callback, capture, passive, once);
    addListener(target, map, l);
    if (signal !== null) {
      // (a duplicate is not added at all: its abort algorithm would have
      // nothing to remove)
      l.signal = signal;
      l.algo = () => removeListener(target, l);
      addAlgorithm(signal, l.algo, false);
    }
  }

  removeEventListener(type, callback, options = undefined) {
    const target = targetOf(this, 2, arguments.length, 'removeEventListener');
    type = `${type}`;
    callback = toCallback(callback, 'removeEventListener');
    const capture = isObject(options) ? !!options.capture : !!options;
    const map = listenerMap(target, false);
    const found = map === null || callback === null ? null : findListener(map, type, callback, capture);
    if (found !== null) removeListener(target, found);
  }

  dispatchEvent(event) {
    const target = targetOf(this, 1, arguments.length, 'dispatchEvent');
    if (events === null || !events.isEvent(event)) {
      throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    }
    const s = events.eventState(event);
    if (s.dispatching || !s.initialized) {
      throw domException('InvalidStateError', "Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.");
    }
    s.trusted = false;
    return events.dispatch(target, event);
  }
}
webIDLClass(EventTarget, 'EventTarget');

// The target of a method: its this, checked, or the global object when
// there is none (a bare addEventListener() in a module), as Web IDL says.
function targetOf(self, n, got, what) {
  const target = self === undefined || self === null ? GLOBAL : self;
  listenerMap(target, false);
  requireArgs(n, got, `Failed to execute '${what}' on 'EventTarget'`);
  return target;
}

// Web IDL EventListener? (a callback interface): null, or any object.
function toCallback(v, what) {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) {
    throw new TypeError(`Failed to execute '${what}' on 'EventTarget': parameter 2 is not of type 'Object'.`);
  }
  return v;
}

function findListener(map, type, callback, capture) {
  const list = map.get(type);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      if (list[i].callback === callback && list[i].capture === capture) return list[i];
    }
  }
  return null;
}

function addListener(target, map, l) {
  const list = map.get(l.type);
  if (list === undefined) map.set(l.type, [l]);
  else list.push(l);
  if (l.type === 'abort' && isAbortSignal(target)) signalListens(target, 1);
}

// "Remove an event listener": also the way once, {signal} and the onabort
// attribute remove theirs.
function removeListener(target, l) {
  if (l.removed) return;
  l.removed = true;
  const map = listenerMap(target, false);
  const list = map === null ? undefined : map.get(l.type);
  if (list !== undefined) {
    const i = list.indexOf(l);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) map.delete(l.type);
  }
  if (l.algo !== null) removeAlgorithm(l.signal, l.algo);
  if (l.type === 'abort' && isAbortSignal(target)) signalListens(target, -1);
}

// An event handler attribute (onabort): one listener in the list, added
// when the attribute is first set to an object, that calls its current
// value; false from it cancels the event.
function setHandler(target, h, type, value) {
  value = isObject(value) ? value : null;
  h.value = value;
  if (value === null) {
    if (h.listener !== null) removeListener(target, h.listener);
    h.listener = null;
  } else if (h.listener === null) {
    const callback = function (event) {
      const f = h.value;
      if (typeof f === 'function' && ReflectApply(f, this, [event]) === false) event.preventDefault();
    };
    h.listener = newListener(type, callback, false, false, false);
    addListener(target, listenerMap(target, true), h.listener);
  }
}

// The global object: an EventTarget (workerd's ServiceWorkerGlobalScope is
// one). Its prototype chain goes through EventTarget.prototype.
Object.setPrototypeOf(GLOBAL, Object.create(EventTarget.prototype, {
  [Symbol.toStringTag]: { value: 'ServiceWorkerGlobalScope', configurable: true },
}));

// ---------------------------------------------------------------- reporting

// HTML's "report an exception": an `error` event at the global object,
// then the log line unless a listener canceled it. An exception while
// reporting (a throwing `error` listener) is only logged. (The event is
// made only when the global object has `error` listeners: nobody else could
// see it.)
let reporting = false;

function reportException(e) {
  if (!reporting) {
    reporting = true;
    try {
      let message = '';
      try {
        message = isObject(e) && typeof e.message === 'string' ? `Uncaught ${e.name}: ${e.message}` : `Uncaught ${String(e)}`;
      } catch {
        message = 'Uncaught exception';
      }
      if (globalMap !== null && globalMap.get('error') !== undefined) {
        const { dispatch, trustedEvent, ErrorEvent } = eventLibrary();
        const ev = trustedEvent('error', ErrorEvent, { cancelable: true, error: e, message });
        if (!dispatch(GLOBAL, ev)) return;
      }
    } finally {
      reporting = false;
    }
  }
  try {
    consoleError('Uncaught', e);
  } catch {
    // nothing can be said (no natives under Node, an unprintable value)
  }
}

internal.reportException = reportException;

define('reportError', function reportError(e) {
  requireArgs(1, arguments.length, "Failed to execute 'reportError'");
  reportException(e);
});

// ---------------------------------------------------------------- AbortSignal

// The calls whose client went away: the most recent few, for signals made
// after that (a handler reads request.signal early if at all). Kept here:
// the engine may say so before anything loads lib/abort.
const abortedCalls = new Map();
const ABORTED_CALLS_MAX = 1024;

const abortBuiltins = {
  EventTarget, events: eventLibrary, setHandler, reportException, requireArgs, isObject, hrnow,
  startTimer, stopTimer, MathMax, MathTrunc, NumberIsFinite, WeakRefCtor, MapCtor: Map, abortedCalls,
};

const abortLoad = internal.libraryLoader('abort', abortBuiltins);

function abortLibrary() {
  if (abort === null) abort = abortLoad();
  return abort;
}

internal.lazyGlobals(['AbortController', 'AbortSignal'], (name) => abortLibrary()[name]);

internal.isAbortSignal = isAbortSignal;

// For the streams library (a WritableStream's controller has a signal): a
// constructor that loads js/lib/abort when first used, not now.
internal.AbortController = function AbortController() {
  return new (abortLibrary().AbortController)();
};

// ---------------------------------------------------------------- Request signals

// A Request's signal is made when `request.signal` is first read (by
// js/lib/abort). Until then the request keeps its source: null (a signal that
// never aborts), a call id (the request a handler received: its signal
// aborts when the client goes away), or {follow} (a dependent of that
// signal or call id: `new Request(input, {signal})` and `clone()`).
internal.requestSignal = (src) => abortLibrary().requestSignal(src);

// What a copy of a request with signal source `src` follows.
internal.signalFollow = (src) => {
  if (src === null || (typeof src === 'object' && 'follow' in src)) return src;
  return { follow: src };
};

// RequestInit's `signal` (AbortSignal?): null, or a source to follow.
internal.signalFromInit = (v, what) => {
  if (v === null) return null;
  if (!isAbortSignal(v)) throw new TypeError(`${what}: member signal is not of type AbortSignal.`);
  return { follow: v };
};

// The engine: the client of call `id` went away (or the call was given up)
// before its response was complete. Aborts the signal of the request the
// handler received, now or when it is made.
internal.abortRequest = function abortRequest(id, reason = undefined) {
  if (reason === undefined) reason = domException('AbortError', 'The client went away before the response was complete.');
  if (abortedCalls.has(id)) return;
  if (abortedCalls.size >= ABORTED_CALLS_MAX) abortedCalls.delete(abortedCalls.keys().next().value);
  abortedCalls.set(id, reason);
  if (abort !== null) abort.abortCall(id, reason);
};

// ---------------------------------------------------------------- structuredClone

// lib/clone. DOMExceptions: V8's serializer reads the `name` of each error
// it writes, and js/lib/clone must see which are DOMExceptions (a clone makes
// them plain Errors, which it makes DOMExceptions again): the getter is
// replaced here, once and for all, by one that tells js/lib/clone's hook.
const DOMExceptionCtor = GLOBAL.DOMException;
const DOMExceptionProto = DOMExceptionCtor.prototype;
const nameDesc = Object.getOwnPropertyDescriptor(DOMExceptionProto, 'name');
const nameGet = nameDesc.get;
let cloneHook = null;

nameDesc.get = Object.getOwnPropertyDescriptor({
  get name() {
    const name = ReflectApply(nameGet, this, []);
    if (cloneHook !== null) cloneHook(this, name);
    return name;
  },
}, 'name').get;
ObjectDefineProperty(DOMExceptionProto, 'name', nameDesc);

internal.lazyLibrary('clone', ['structuredClone'], {
  requireArgs, toDict, isObject, DOMExceptionCtor, DOMExceptionProto,
  setCloneHook: (f) => { cloneHook = f; },
  messageGet: Object.getOwnPropertyDescriptor(DOMExceptionProto, 'message').get,
  ObjectGetPrototypeOf: Object.getPrototypeOf,
  ObjectSetPrototypeOf: Object.setPrototypeOf,
  ObjectKeys: Object.keys,
  ArrayIsArray: Array.isArray,
  ReflectDefineProperty: Reflect.defineProperty,
  ReflectDeleteProperty: Reflect.deleteProperty,
  ReflectGetOwnPropertyDescriptor: Reflect.getOwnPropertyDescriptor,
  ReflectConstruct: Reflect.construct,
  MapForEach: Map.prototype.forEach,
  SetForEach: Set.prototype.forEach,
  MapProto: Map.prototype,
  SetProto: Set.prototype,
  ObjectProto: Object.prototype,
  ERROR_PROTOS: new Set([Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]
    .map((C) => C.prototype)),
  MapCtor: Map,
});

// ---------------------------------------------------------------- navigator

// `navigator` and `Navigator`: the library lib/navigator.
internal.lazyLibrary('navigator', ['navigator', 'Navigator'], {});

// ---------------------------------------------------------------- globals

eventLoad = internal.libraryLoader('event', {
  requireArgs, toDict, isObject, hrnow, ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, listenerMap,
  removeListener, signalAborted, reportException,
});

define('EventTarget', EventTarget);
