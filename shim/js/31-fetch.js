// 31-fetch.js: the global `fetch()`, made when a function first reads it:
// its code is the library js/lib/fetch (shim/js/lib/fetch.js), which an
// isolate that never fetches never compiles. Here, when the snapshot is
// made, the built-ins it uses are captured (a function may have replaced
// the globals by the time it loads).
//
// Which call a fetch belongs to: dispatch() sets the call id as the async
// context (V8's continuation-preserved embedder data, natives.contextSet),
// which awaits, then() and timers carry on; AsyncLocalStorage keeps it in
// its frames under internal.callKey (js/lib/async-hooks.js).

internal.lazyLibrary('fetch', ['fetch'], {
  PromiseCtor: Promise,
  RequestCtor: Request,
  MapCtor: Map,
  MapGet: Map.prototype.get,
  MapSet: Map.prototype.set,
  MapDelete: Map.prototype.delete,
  TypeErrorCtor: TypeError,
  Uint8ArrayCtor: Uint8Array,
  ObjectDefineProperty: Object.defineProperty,
  addEventListener: EventTarget.prototype.addEventListener,
  removeEventListener: EventTarget.prototype.removeEventListener,
});
