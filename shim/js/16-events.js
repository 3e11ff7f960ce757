// 16-events.js: the DOM Standard's events and aborting, and the small
// globals around them: `Event`, `CustomEvent`, `ErrorEvent`, `EventTarget`,
// `AbortController`, `AbortSignal`, `reportError`, `structuredClone`,
// `navigator`.
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

const { webIDLClass, domException, ReflectApply, define } = internal;

const GLOBAL = globalThis;
const ObjectDefineProperty = Object.defineProperty;
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
const nativeClone = typeof natives.structuredClone === 'function' ? natives.structuredClone : null;

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

const NONE = 0;
const CAPTURING_PHASE = 1;
const AT_TARGET = 2;
const BUBBLING_PHASE = 3;

let eventState;   // (event) -> its state; TypeError for anything else
let isEvent;

// An event's state: the DOM Standard's flags and attributes.
const newEventState = (type, bubbles, cancelable, composed) => ({
  type, bubbles, cancelable, composed,
  target: null, currentTarget: null, phase: NONE,
  stop: false, stopImmediate: false, canceled: false, passive: false,
  dispatching: false, initialized: true, trusted: false, timeStamp: hrnow(),
});

function setCanceled(s) {
  if (s.cancelable && !s.passive) s.canceled = true;
}

// isTrusted is [LegacyUnforgeable]: an own accessor on every event, the
// same getter each time.
const ISTRUSTED = {
  get: Object.getOwnPropertyDescriptor({ get isTrusted() { return eventState(this).trusted; } }, 'isTrusted').get,
  set: undefined, enumerable: true, configurable: false,
};

class Event {
  #s;

  constructor(type, eventInitDict = undefined) {
    const what = "Failed to construct 'Event'";
    requireArgs(1, arguments.length, what);
    type = `${type}`;
    const init = toDict(eventInitDict, what);
    // EventInit members, in lexicographic order
    const bubbles = !!init.bubbles;
    const cancelable = !!init.cancelable;
    const composed = !!init.composed;
    this.#s = newEventState(type, bubbles, cancelable, composed);
    ObjectDefineProperty(this, 'isTrusted', ISTRUSTED);
  }

  static {
    eventState = (e) => e.#s;
    isEvent = (v) => isObject(v) && #s in v;
  }

  get type() { return this.#s.type; }
  get target() { return this.#s.target; }
  get srcElement() { return this.#s.target; }
  get currentTarget() { return this.#s.currentTarget; }

  composedPath() {
    // The path is the target alone, while the event is dispatched.
    const t = this.#s.currentTarget;
    return t === null ? [] : [t];
  }

  get eventPhase() { return this.#s.phase; }

  stopPropagation() { this.#s.stop = true; }

  get cancelBubble() { return this.#s.stop; }

  set cancelBubble(value) {
    if (value) this.#s.stop = true;
  }

  stopImmediatePropagation() {
    const s = this.#s;
    s.stop = true;
    s.stopImmediate = true;
  }

  get bubbles() { return this.#s.bubbles; }
  get cancelable() { return this.#s.cancelable; }

  get returnValue() { return !this.#s.canceled; }

  set returnValue(value) {
    if (!value) setCanceled(this.#s);
  }

  preventDefault() { setCanceled(this.#s); }

  get defaultPrevented() { return this.#s.canceled; }
  get composed() { return this.#s.composed; }
  get timeStamp() { return this.#s.timeStamp; }

  initEvent(type, bubbles = false, cancelable = false) {
    const s = this.#s;
    requireArgs(1, arguments.length, "Failed to execute 'initEvent' on 'Event'");
    initEventState(s, `${type}`, !!bubbles, !!cancelable);
  }
}

// The legacy initEvent(): nothing while the event is dispatched.
function initEventState(s, type, bubbles, cancelable) {
  if (s.dispatching) return false;
  s.initialized = true;
  s.stop = false;
  s.stopImmediate = false;
  s.canceled = false;
  s.trusted = false;
  s.target = null;
  s.type = type;
  s.bubbles = bubbles;
  s.cancelable = cancelable;
  return true;
}

for (const [name, value] of [['NONE', NONE], ['CAPTURING_PHASE', CAPTURING_PHASE],
  ['AT_TARGET', AT_TARGET], ['BUBBLING_PHASE', BUBBLING_PHASE]]) {
  ObjectDefineProperty(Event, name, { value, enumerable: true });
  ObjectDefineProperty(Event.prototype, name, { value, enumerable: true });
}
webIDLClass(Event, 'Event');

class CustomEvent extends Event {
  #detail;

  constructor(type, eventInitDict = undefined) {
    requireArgs(1, arguments.length, "Failed to construct 'CustomEvent'");
    super(type, eventInitDict);
    const init = toDict(eventInitDict, "Failed to construct 'CustomEvent'");
    const detail = init.detail;
    this.#detail = detail === undefined ? null : detail;
  }

  get detail() { return this.#detail; }

  initCustomEvent(type, bubbles = false, cancelable = false, detail = null) {
    const s = eventState(this);
    requireArgs(1, arguments.length, "Failed to execute 'initCustomEvent' on 'CustomEvent'");
    if (initEventState(s, `${type}`, !!bubbles, !!cancelable)) this.#detail = detail;
  }
}
webIDLClass(CustomEvent, 'CustomEvent');

// HTML's ErrorEvent, which reportError() and listener exceptions fire at
// the global object.
class ErrorEvent extends Event {
  #e;

  constructor(type, eventInitDict = undefined) {
    const what = "Failed to construct 'ErrorEvent'";
    requireArgs(1, arguments.length, what);
    super(type, eventInitDict);
    const init = toDict(eventInitDict, what);
    // ErrorEventInit members, in lexicographic order
    const colno = init.colno;
    const error = init.error;
    const filename = init.filename;
    const lineno = init.lineno;
    const message = init.message;
    this.#e = {
      colno: colno === undefined ? 0 : Number(colno) >>> 0,
      error: error === undefined ? null : error,
      filename: filename === undefined ? '' : `${filename}`,
      lineno: lineno === undefined ? 0 : Number(lineno) >>> 0,
      message: message === undefined ? '' : `${message}`,
    };
  }

  get message() { return this.#e.message; }
  get filename() { return this.#e.filename; }
  get lineno() { return this.#e.lineno; }
  get colno() { return this.#e.colno; }
  get error() { return this.#e.error; }
}
webIDLClass(ErrorEvent, 'ErrorEvent');

// An event the runtime fires ("fire an event"): isTrusted is true.
function trustedEvent(type, C = Event, init = undefined) {
  const e = new C(type, init);
  eventState(e).trusted = true;
  return e;
}

// ---------------------------------------------------------------- EventTarget

// A listener: the DOM Standard's "event listener" struct. `signal`/`algo`:
// the AbortSignal of {signal} and the abort algorithm that removes it.
const newListener = (type, callback, capture, passive, once) => ({
  type, callback, capture, passive, once, signal: null, algo: null, removed: false,
});

let listenerMap;     // (target, make) -> Map type -> [listener], or null
let signalListens;   // (signal, delta): a signal's abort listeners changed

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
    if (!isEvent(event)) {
      throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    }
    const s = eventState(event);
    if (s.dispatching || !s.initialized) {
      throw domException('InvalidStateError', "Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.");
    }
    s.trusted = false;
    return dispatch(target, event);
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

// The DOM Standard's dispatch, for a path that is the target alone.
function dispatch(target, event) {
  const s = eventState(event);
  s.dispatching = true;
  s.target = target;
  s.phase = AT_TARGET;
  invoke(target, event, s, true);
  invoke(target, event, s, false);
  s.phase = NONE;
  s.currentTarget = null;
  s.dispatching = false;
  s.stop = false;
  s.stopImmediate = false;
  return !s.canceled;
}

function invoke(target, event, s, capture) {
  if (s.stop) return;
  s.currentTarget = target;
  const map = listenerMap(target, false);
  const list = map === null ? undefined : map.get(s.type);
  if (list === undefined) return;
  // Listeners added from now on are not called; removed ones are skipped.
  const listeners = list.slice();
  for (let i = 0; i < listeners.length; i++) {
    const l = listeners[i];
    if (l.removed || l.capture !== capture) continue;
    // a {signal} that aborted unseen (a timeout, a dependent) removes it now
    if (l.signal !== null) signalAborted(l.signal);
    if (l.removed) continue;
    if (l.once) removeListener(target, l);
    if (l.passive) s.passive = true;
    callListener(l.callback, target, event);
    s.passive = false;
    if (s.stopImmediate) break;
  }
}

function callListener(callback, target, event) {
  try {
    if (typeof callback === 'function') {
      ReflectApply(callback, target, [event]);
    } else {
      const f = callback.handleEvent;
      if (typeof f !== 'function') throw new TypeError("The listener's 'handleEvent' is not a function.");
      ReflectApply(f, callback, [event]);
    }
  } catch (e) {
    reportException(e);
  }
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
// reporting (a throwing `error` listener) is only logged.
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
      const ev = trustedEvent('error', ErrorEvent, { cancelable: true, error: e, message });
      if (!dispatch(GLOBAL, ev)) return;
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

// A signal's state, private to this file (#a):
//   aborted, reason
//   at, seq:   when it aborted (performance.now(); a timeout signal: its
//              deadline) and the abort's rank: which of a dependent's
//              sources aborted first
//   algos:     Map of abort algorithms (to whether they see it, see
//              addAlgorithm), or null
//   handler:   the onabort attribute ({value, listener}), or null
//   listens:   abort listeners + abort algorithms: what can see it abort
//   dependent: made by AbortSignal.any() (or for a Request)
//   sources:   a dependent's source signals (never dependent themselves)
//   clocks:    a dependent's sources that are timeout signals, or null
//   held:      a source's dependents that listen, or null
//   deadline:  a timeout signal's deadline (performance.now() ms), else -1
//   timer:     its armed timer, or 0
//   seen:      a timeout signal's dependents that listen (counted)
//   callId:    the call of a handler's request signal, else 0
//
// Dependents: the spec links each source to its dependents weakly. Here a
// source holds only the dependents that listen (a listener or an algorithm
// will see the abort event, and the spec keeps those alive): they abort
// with it, at once. One nobody listens to holds its sources and is not
// held by them: its state is worked out when looked at (aborted if a
// source is, with the reason of the source that aborted first). So
// AbortSignal.any() makes no weak reference, and a long-lived source does
// not collect dependents.
//
// Timeout signals and timers: a timer keeps a request waiting (a handler
// whose promise nothing else can settle gets its answer only when the
// timers are done), so a timeout signal arms its timer only while some
// listener or algorithm would see it fire: its own, or a dependent's. An
// unobserved one is aborted lazily, when its state is looked at after the
// deadline.

let creatingSignal = false;
let signalState;    // (signal) -> its state
let abortSeq = 0;

const newSignalState = () => ({
  aborted: false, reason: undefined, at: 0, seq: 0, algos: null, handler: null, listens: 0,
  dependent: false, sources: null, clocks: null, held: null,
  deadline: -1, timer: 0, seen: 0, callId: 0,
});

function newSignal() {
  creatingSignal = true;
  return new AbortSignal();
}

const isAbortSignal = (v) => isObject(v) && signalState(v) !== undefined;

// Brings a signal's state up to date: a timeout signal past its deadline
// aborts; a dependent nobody listens to takes its sources' state.
function settle(signal, a) {
  if (a.aborted) return;
  if (a.deadline >= 0) {
    if (hrnow() > a.deadline) timedOut(signal, a);
    return;
  }
  if (!a.dependent) return;
  const clocks = a.clocks;
  if (clocks !== null) {
    // expired ones abort in the order of their deadlines
    for (;;) {
      let first = null;
      for (let i = 0; i < clocks.length; i++) {
        const c = signalState(clocks[i]);
        if (!c.aborted && hrnow() > c.deadline && (first === null || c.deadline < signalState(first).deadline)) first = clocks[i];
      }
      if (first === null) break;
      settle(first, signalState(first));
    }
  }
  // (one that listens was told already)
  if (a.aborted || a.listens > 0) return;
  let first = null;
  const sources = a.sources;
  for (let i = 0; i < sources.length; i++) {
    const b = signalState(sources[i]);
    if (b.aborted && (first === null || b.at < first.at || (b.at === first.at && b.seq < first.seq))) first = b;
  }
  if (first !== null) {
    takeAbort(a, first);
    // (no listener to tell, but maybe {signal} listeners to remove)
    abortSteps(signal, a);
  }
}

// A dependent aborts as its source `from` did (abortSteps tell it after).
function takeAbort(a, from) {
  a.aborted = true;
  a.reason = from.reason;
  a.at = from.at;
  a.seq = from.seq;
  a.sources = null;
  a.clocks = null;
}

function signalAborted(signal) {
  const a = signalState(signal);
  settle(signal, a);
  return a.aborted;
}

function timedOut(signal, a) {
  a.timer = 0;
  signalAbort(signal, a, domException('TimeoutError', 'The operation timed out.'), a.deadline);
}

function fireTimeout(signal, a) {
  a.timer = 0;
  // (nginx timers fire at most 24.8 days ahead: a later deadline re-arms)
  if (hrnow() < a.deadline - 1) {
    armTimer(signal, a);
  } else {
    timedOut(signal, a);
  }
}

function armTimer(signal, a) {
  const want = !a.aborted && (a.listens > 0 || a.seen > 0);
  if (want && a.timer === 0) {
    a.timer = startTimer(fireTimeout, MathMax(0, a.deadline - hrnow()), signal, a);
  } else if (!want && a.timer !== 0) {
    stopTimer(a.timer);
    a.timer = 0;
  }
}

// A dependent that starts or stops listening joins or leaves its sources.
function hold(signal, a, on) {
  for (const src of a.sources) {
    const b = signalState(src);
    if (b.aborted) continue;
    if (on) {
      if (b.held === null) b.held = new Set();
      b.held.add(signal);
    } else if (b.held !== null) {
      b.held.delete(signal);
    }
    if (b.deadline >= 0) {
      b.seen += on ? 1 : -1;
      armTimer(src, b);
    }
  }
}

// A signal gained its first or lost its last listener or algorithm.
function listens(signal, a, delta) {
  if (delta > 0 && a.listens === 0) settle(signal, a);
  if (a.aborted) return;
  const before = a.listens > 0;
  a.listens += delta;
  const now = a.listens > 0;
  if (before === now) return;
  if (a.deadline >= 0) armTimer(signal, a);
  if (a.callId !== 0) holdCallSignal(a.callId, now ? signal : null);
  if (a.dependent) hold(signal, a, now);
}

signalListens = (signal, delta) => listens(signal, signalState(signal), delta);

// `sees`: the algorithm would make its abort seen. The one that removes an
// addEventListener() {signal} listener does not: the removal shows only
// when the event target dispatches, and dispatch brings the signal up to
// date first (see invoke).
function addAlgorithm(signal, f, sees) {
  const a = signalState(signal);
  settle(signal, a);
  if (a.aborted) return;
  if (a.algos === null) a.algos = new Map();
  a.algos.set(f, sees);
  if (sees) listens(signal, a, 1);
}

function removeAlgorithm(signal, f) {
  const a = signalState(signal);
  const sees = a.algos === null ? undefined : a.algos.get(f);
  if (sees === undefined) return;
  a.algos.delete(f);
  if (sees) listens(signal, a, -1);
}

// "Signal abort": the dependents that listen are marked aborted before any
// abort event; the others see it when they look.
function signalAbort(signal, a, reason, at = hrnow()) {
  if (a.aborted) return;
  a.aborted = true;
  a.reason = reason === undefined ? domException('AbortError', 'This operation was aborted.') : reason;
  a.at = at;
  a.seq = ++abortSeq;
  if (a.timer !== 0) {
    stopTimer(a.timer);
    a.timer = 0;
  }
  if (a.callId !== 0) holdCallSignal(a.callId, null);
  const held = a.held;
  a.held = null;
  const toAbort = [];
  if (held !== null) {
    for (const d of held) {
      const b = signalState(d);
      if (b.aborted) continue;
      hold(d, b, false);
      takeAbort(b, a);
      toAbort.push(d);
    }
  }
  abortSteps(signal, a);
  for (let i = 0; i < toAbort.length; i++) abortSteps(toAbort[i], signalState(toAbort[i]));
}

function abortSteps(signal, a) {
  const algos = a.algos;
  a.algos = null;
  if (algos !== null) {
    for (const f of algos.keys()) {
      try {
        f();
      } catch (e) {
        reportException(e);
      }
    }
  }
  dispatch(signal, trustedEvent('abort'));
}

// "Create a dependent abort signal" from a list of signals.
function dependentSignal(signals) {
  const result = newSignal();
  const r = signalState(result);
  for (let i = 0; i < signals.length; i++) {
    const a = signalState(signals[i]);
    settle(signals[i], a);
    if (a.aborted) {
      takeAbort(r, a);
      return result;
    }
  }
  r.dependent = true;
  r.sources = [];
  // (a short list of sources is searched, a long one gets a set)
  let seen = null;
  const add = (src, a) => {
    if (seen !== null) {
      if (seen.has(src)) return;
      seen.add(src);
    } else if (r.sources.includes(src)) {
      return;
    } else if (r.sources.length === 16) {
      seen = new Set(r.sources);
      seen.add(src);
    }
    r.sources.push(src);
    if (a.deadline >= 0) {
      if (r.clocks === null) r.clocks = [];
      r.clocks.push(src);
    }
  };
  for (let i = 0; i < signals.length; i++) {
    const a = signalState(signals[i]);
    if (!a.dependent) {
      add(signals[i], a);
    } else {
      for (const src of a.sources) add(src, signalState(src));
    }
  }
  return result;
}

// Web IDL sequence<AbortSignal>.
function toSignals(v, what) {
  if (!isObject(v) || typeof v[Symbol.iterator] !== 'function') {
    throw new TypeError(`${what}: The provided value cannot be converted to a sequence.`);
  }
  const list = [];
  for (const s of v) {
    if (!isAbortSignal(s)) throw new TypeError(`${what}: Failed to convert value to 'AbortSignal'.`);
    list.push(s);
  }
  return list;
}

// Web IDL [EnforceRange] unsigned long long.
function toMilliseconds(v, what) {
  let n = Number(v);
  if (!NumberIsFinite(n)) throw new TypeError(`${what}: Value is not a finite number.`);
  n = MathTrunc(n);
  if (n < 0 || n > Number.MAX_SAFE_INTEGER) throw new TypeError(`${what}: Value is outside the 'unsigned long long' value range.`);
  return n;
}

class AbortSignal extends EventTarget {
  #a;

  constructor() {
    if (!creatingSignal) throw new TypeError('Illegal constructor');
    creatingSignal = false;
    super();
    this.#a = newSignalState();
  }

  static {
    signalState = (s) => (#a in s ? s.#a : undefined);
  }

  static abort(reason = undefined) {
    const signal = newSignal();
    signalAbort(signal, signal.#a, reason);
    return signal;
  }

  static timeout(milliseconds) {
    const what = "Failed to execute 'timeout' on 'AbortSignal'";
    requireArgs(1, arguments.length, what);
    const ms = toMilliseconds(milliseconds, what);
    const signal = newSignal();
    signal.#a.deadline = hrnow() + ms;
    return signal;
  }

  static any(signals) {
    const what = "Failed to execute 'any' on 'AbortSignal'";
    requireArgs(1, arguments.length, what);
    return dependentSignal(toSignals(signals, what));
  }

  get aborted() {
    const a = this.#a;
    settle(this, a);
    return a.aborted;
  }

  get reason() {
    const a = this.#a;
    settle(this, a);
    return a.reason;
  }

  throwIfAborted() {
    const a = this.#a;
    settle(this, a);
    if (a.aborted) throw a.reason;
  }

  get onabort() {
    const h = this.#a.handler;
    return h === null ? null : h.value;
  }

  set onabort(value) {
    const a = this.#a;
    if (a.handler === null) a.handler = { value: null, listener: null };
    setHandler(this, a.handler, 'abort', value);
  }
}
webIDLClass(AbortSignal, 'AbortSignal');

class AbortController {
  #signal;

  constructor() {
    this.#signal = newSignal();
  }

  get signal() { return this.#signal; }

  abort(reason = undefined) {
    const signal = this.#signal;
    signalAbort(signal, signalState(signal), reason);
  }
}
webIDLClass(AbortController, 'AbortController');

internal.isAbortSignal = isAbortSignal;

// ---------------------------------------------------------------- Request signals

// A Request's signal is made when `request.signal` is first read. Until
// then the request keeps its source: null (a signal that never aborts), a
// call id (the request a handler received: its signal aborts when the
// client goes away), or {follow} (a dependent of that signal or call id:
// `new Request(input, {signal})` and `clone()`). Made later, a dependent
// is what it would have been if made at once: aborted with the same reason
// if its source aborted in between.
internal.requestSignal = (src) => {
  if (src === null) return newSignal();
  if (typeof src === 'number') return callSignal(src);
  const from = src.follow;
  return dependentSignal([typeof from === 'number' ? callSignal(from) : from]);
};

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

// The signal of each handler request, by call id, made once: WeakRefs (a
// signal nobody holds cannot be seen to abort), held strongly while it has
// listeners. Copies of the request hold it as their source. Nothing says
// here when a call is over, so the strong holds are bounded: the most
// recent ones (older calls have long timed out).
const callSignals = new Map();
const heldCallSignals = new Map();
const HELD_CALLS_MAX = 1024;
let callSignalsPrune = 64;

// Calls whose client went away: the most recent few, for signals made
// after that (a handler reads request.signal early if at all).
const abortedCalls = new Map();
const ABORTED_CALLS_MAX = 1024;

function callSignal(id) {
  const ref = callSignals.get(id);
  let signal = ref === undefined ? undefined : ref.deref();
  if (signal !== undefined) return signal;
  signal = newSignal();
  const a = signalState(signal);
  const reason = abortedCalls.get(id);
  if (reason !== undefined) signalAbort(signal, a, reason);
  else a.callId = id;
  callSignals.set(id, new WeakRefCtor(signal));
  if (callSignals.size >= callSignalsPrune) {
    for (const [k, r] of callSignals) {
      if (r.deref() === undefined) callSignals.delete(k);
    }
    callSignalsPrune = MathMax(64, 2 * callSignals.size);
  }
  return signal;
}

function holdCallSignal(id, signal) {
  heldCallSignals.delete(id);
  if (signal === null) return;
  if (heldCallSignals.size >= HELD_CALLS_MAX) heldCallSignals.delete(heldCallSignals.keys().next().value);
  heldCallSignals.set(id, signal);
}

// The engine: the client of call `id` went away (or the call was given up)
// before its response was complete. Aborts the signal of the request the
// handler received, now or when it is made.
internal.abortRequest = function abortRequest(id, reason = undefined) {
  if (reason === undefined) reason = domException('AbortError', 'The client went away before the response was complete.');
  if (abortedCalls.has(id)) return;
  if (abortedCalls.size >= ABORTED_CALLS_MAX) abortedCalls.delete(abortedCalls.keys().next().value);
  abortedCalls.set(id, reason);
  const ref = callSignals.get(id);
  const signal = ref === undefined ? undefined : ref.deref();
  if (signal !== undefined) signalAbort(signal, signalState(signal), reason);
};

// ---------------------------------------------------------------- structuredClone

const dataCloneError = (message) => domException('DataCloneError', message);

// StructuredSerializeOptions' transfer: sequence<object>.
function toTransferList(options, what) {
  const init = toDict(options, what);
  const transfer = init.transfer;
  const list = [];
  if (transfer === undefined) return list;
  if (!isObject(transfer) || typeof transfer[Symbol.iterator] !== 'function') {
    throw new TypeError(`${what}: The provided value cannot be converted to a sequence.`);
  }
  for (const t of transfer) {
    if (!isObject(t)) throw new TypeError(`${what}: Failed to convert value to 'object'.`);
    list.push(t);
  }
  return list;
}

// DOMExceptions: V8's serializer writes an Error subclass as a plain Error
// (its message and stack, its cause), and a DOMException has no own
// message. So while a clone is written, the `name` getter (which V8 reads
// from each error it writes) tags each DOMException met: its stack becomes
// a marker, put back once written. The errors of the copy that carry a
// marker are then made DOMExceptions again, with the original's name,
// message and stack, as a browser's clone would be.
const DOMExceptionCtor = GLOBAL.DOMException;
const DOMExceptionProto = DOMExceptionCtor.prototype;
const nameDesc = Object.getOwnPropertyDescriptor(DOMExceptionProto, 'name');
const nameGet = nameDesc.get;
const messageGet = Object.getOwnPropertyDescriptor(DOMExceptionProto, 'message').get;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectSetPrototypeOf = Object.setPrototypeOf;
const ObjectKeys = Object.keys;
const ArrayIsArray = Array.isArray;
const ReflectDefineProperty = Reflect.defineProperty;
const ReflectDeleteProperty = Reflect.deleteProperty;
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const ReflectConstruct = Reflect.construct;
const MapForEach = Map.prototype.forEach;
const SetForEach = Set.prototype.forEach;
const MapProto = Map.prototype;
const SetProto = Set.prototype;
const ObjectProto = Object.prototype;
const ERROR_PROTOS = new Set([Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]
  .map((C) => C.prototype));
const CLONE_TAG = '\u0000structuredClone DOMException ';

let cloneRecords = null;   // during a clone: DOMException -> record
let cloneTags = 0;

nameDesc.get = Object.getOwnPropertyDescriptor({
  get name() {
    const name = ReflectApply(nameGet, this, []);
    if (cloneRecords !== null && !cloneRecords.has(this)) tagForClone(this, name);
    return name;
  },
}, 'name').get;
ObjectDefineProperty(DOMExceptionProto, 'name', nameDesc);

function tagForClone(e, name) {
  const r = { tag: '', name, message: ReflectApply(messageGet, e, []), stack: undefined, saved: undefined };
  cloneRecords.set(e, r);
  // (reading the stack may format it, which reads the name again)
  const d = ReflectGetOwnPropertyDescriptor(e, 'stack');
  if (d !== undefined && !d.configurable) return;
  r.saved = d;
  r.stack = d !== undefined && 'value' in d ? d.value : undefined;
  r.tag = `${CLONE_TAG}${++cloneTags}`;
  if (!ReflectDefineProperty(e, 'stack', { value: r.tag, writable: true, enumerable: false, configurable: true })) r.tag = '';
}

function untag(records) {
  ReflectApply(MapForEach, records, [(r, e) => {
    if (r.tag === '') return;
    if (r.saved === undefined) ReflectDeleteProperty(e, 'stack');
    else ReflectDefineProperty(e, 'stack', r.saved);
  }]);
}

// The DOMException's own constructor run on an existing object (its
// private fields need it): for that one call, its parent constructor
// returns the object instead of making an Error.
let reviving = null;
function Reviver() { return reviving; }

function revive(root, records) {
  const byTag = new Map();
  ReflectApply(MapForEach, records, [(r) => { if (r.tag !== '') byTag.set(r.tag, r); }]);
  const seen = new Set();
  const todo = [root];
  const push = (v) => { if (isObject(v) && !seen.has(v)) todo.push(v); };
  while (todo.length !== 0) {
    const v = todo.pop();
    if (seen.has(v)) continue;
    seen.add(v);
    const proto = ObjectGetPrototypeOf(v);
    if (ERROR_PROTOS.has(proto)) {
      const d = ReflectGetOwnPropertyDescriptor(v, 'stack');
      const r = d !== undefined && typeof d.value === 'string' ? byTag.get(d.value) : undefined;
      const cause = ReflectGetOwnPropertyDescriptor(v, 'cause');
      if (cause !== undefined) push(cause.value);
      if (r !== undefined) becomeDOMException(v, r);
    } else if (proto === MapProto) {
      ReflectApply(MapForEach, v, [(value, key) => { push(key); push(value); }]);
    } else if (proto === SetProto) {
      ReflectApply(SetForEach, v, [push]);
    } else if (proto === ObjectProto || ArrayIsArray(v)) {
      const keys = ObjectKeys(v);
      for (let i = 0; i < keys.length; i++) push(v[keys[i]]);
    }
  }
}

function becomeDOMException(err, r) {
  const parent = ObjectGetPrototypeOf(DOMExceptionCtor);
  reviving = err;
  ObjectSetPrototypeOf(DOMExceptionCtor, Reviver);
  try {
    ReflectConstruct(DOMExceptionCtor, [r.message, r.name]);
  } finally {
    ObjectSetPrototypeOf(DOMExceptionCtor, parent);
    reviving = null;
  }
  ObjectSetPrototypeOf(err, DOMExceptionProto);
  if (r.stack === undefined) ReflectDeleteProperty(err, 'stack');
  else ReflectDefineProperty(err, 'stack', { value: r.stack, writable: true, enumerable: false, configurable: true });
}

define('structuredClone', function structuredClone(value, options = undefined) {
  const what = "Failed to execute 'structuredClone'";
  requireArgs(1, arguments.length, what);
  const transfer = toTransferList(options, what);
  if (nativeClone === null) throw domException('NotSupportedError', 'structuredClone is not available here.');
  const outer = cloneRecords;
  const records = new Map();
  cloneRecords = records;
  let copy;
  try {
    copy = nativeClone(value, transfer, dataCloneError);
  } finally {
    cloneRecords = outer;
    untag(records);
  }
  if (records.size !== 0) revive(copy, records);
  return copy;
});

// ---------------------------------------------------------------- navigator

// What workerd's Navigator has (userAgent), and hardwareConcurrency: one
// thread runs a function's isolate, whatever the machine.
const USER_AGENT = 'js_function';
let creatingNavigator = false;

class Navigator {
  constructor() {
    if (!creatingNavigator) throw new TypeError('Illegal constructor');
    creatingNavigator = false;
  }

  get userAgent() { return USER_AGENT; }
  get hardwareConcurrency() { return 1; }
}
webIDLClass(Navigator, 'Navigator');

creatingNavigator = true;
const navigator = new Navigator();

// ---------------------------------------------------------------- globals

define('Event', Event);
define('CustomEvent', CustomEvent);
define('ErrorEvent', ErrorEvent);
define('EventTarget', EventTarget);
define('AbortController', AbortController);
define('AbortSignal', AbortSignal);
define('Navigator', Navigator);
define('navigator', navigator);
