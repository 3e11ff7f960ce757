// js/lib/event.js: the DOM Standard's events: `Event`, `CustomEvent`, HTML's
// `ErrorEvent`, and dispatch.
//
// A library (js/README.md, "Libraries"): loaded when a function first reads
// one of the three globals, dispatches an event, reports an exception the
// global object listens for, or when an AbortSignal aborts (js/16-events.js,
// where EventTarget and the listeners are kept). Its result is the classes
// and {isEvent, eventState, trustedEvent, dispatch}: no event exists before.

const { webIDLClass, ReflectApply, libraryUsed } = internal;
// Parameters after natives and internal: built-ins and pieces of
// js/16-events.js, captured when the snapshot was made: requireArgs, toDict,
// isObject, hrnow, ObjectDefineProperty, ObjectGetOwnPropertyDescriptor,
// listenerMap, removeListener, signalAborted, reportException.

// the phases: NONE 0, CAPTURING_PHASE 1, AT_TARGET 2, BUBBLING_PHASE 3
const NONE = 0;
const AT_TARGET = 2;

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
  get: ObjectGetOwnPropertyDescriptor({ get isTrusted() { return eventState(this).trusted; } }, 'isTrusted').get,
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

{
  // (no iteration protocol: this runs when a function may have replaced it)
  const names = ['NONE', 'CAPTURING_PHASE', 'AT_TARGET', 'BUBBLING_PHASE'];   // by value
  for (let value = 0; value < names.length; value++) {
    ObjectDefineProperty(Event, names[value], { value, enumerable: true });
    ObjectDefineProperty(Event.prototype, names[value], { value, enumerable: true });
  }
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

// ---------------------------------------------------------------- dispatch

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
  libraryUsed('event');
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

return { Event, CustomEvent, ErrorEvent, isEvent, eventState, trustedEvent, dispatch };
