// js/lib/abort.js: the DOM Standard's aborting: `AbortController`,
// `AbortSignal` (abort(), timeout(), any()), and the signals of Requests.
//
// A library (js/README.md, "Libraries"): loaded when a function first reads
// either global or a Request's signal (js/16-events.js). Its result is the
// two classes and the hooks 16-events.js forwards to: no signal exists
// before it is loaded.

const { domException, webIDLClass, libraryUsed } = internal;
// Parameters after natives and internal: built-ins and pieces of
// js/16-events.js, captured when the snapshot was made: EventTarget, events
// (js/lib/event's loader), setHandler, reportException, requireArgs,
// isObject, hrnow, startTimer, stopTimer, MathMax, MathTrunc,
// NumberIsFinite, WeakRefCtor, MapCtor, abortedCalls.

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
  const signal = new AbortSignal();
  libraryUsed('abort');
  return signal;
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

const signalListens = (signal, delta) => listens(signal, signalState(signal), delta);

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
  // (js/lib/event, loaded by the first signal that aborts)
  const { dispatch, trustedEvent } = events();
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

// ---------------------------------------------------------------- Request signals

// A Request's signal is made when `request.signal` is first read. Until
// then the request keeps its source: null (a signal that never aborts), a
// call id (the request a handler received: its signal aborts when the
// client goes away), or {follow} (a dependent of that signal or call id:
// `new Request(input, {signal})` and `clone()`). Made later, a dependent
// is what it would have been if made at once: aborted with the same reason
// if its source aborted in between.
const requestSignal = (src) => {
  if (src === null) return newSignal();
  if (typeof src === 'number') return callSignal(src);
  const from = src.follow;
  return dependentSignal([typeof from === 'number' ? callSignal(from) : from]);
};

// The signal of each handler request, by call id, made once: WeakRefs (a
// signal nobody holds cannot be seen to abort), held strongly while it has
// listeners. Copies of the request hold it as their source. Nothing says
// here when a call is over, so the strong holds are bounded: the most
// recent ones (older calls have long timed out).
const callSignals = new MapCtor();
const heldCallSignals = new MapCtor();
const HELD_CALLS_MAX = 1024;
let callSignalsPrune = 64;

// A handler request's signal; aborted at once if its client went away
// before (abortedCalls, kept by 16-events.js).
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

// The client of call `id` went away: its signal, if made, aborts.
function abortCall(id, reason) {
  const ref = callSignals.get(id);
  const signal = ref === undefined ? undefined : ref.deref();
  if (signal !== undefined) signalAbort(signal, signalState(signal), reason);
}

return {
  AbortSignal, AbortController, isAbortSignal, signalAborted, signalListens, addAlgorithm, removeAlgorithm,
  requestSignal, abortCall,
};
