// 60-kv.js: KV namespaces (js_function_kv). A request of a location with
// KV bindings gets env.NAME, a KvNamespace over a shared memory zone of
// nginx; the class and its methods are the library js/lib/kv
// (shim/js/lib/kv.js, natives.kv in shim/kv.cc), loaded by the first such
// request. An isolate whose function has no KV binding never loads it: the
// dispatcher calls internal.kvBind only when the request has bindings.
// Here, when the snapshot is made, the built-ins it uses are captured.

if (internal.hasLibraries) {
  const load = internal.libraryLoader('kv', {
    PromiseResolve: Promise.resolve.bind(Promise),
    PromiseReject: Promise.reject.bind(Promise),
    StringCtor: String,
    NumberCtor: Number,
    MathTrunc: Math.trunc,
    TypeErrorCtor: TypeError,
    ErrorCtor: Error,
    Uint8ArrayCtor: Uint8Array,
    ObjectDefineProperty: Object.defineProperty,
    SymbolToStringTag: Symbol.toStringTag,
    TypedArraySet: Object.getPrototypeOf(Uint8Array.prototype).set,
    ArrayBufferCtor: ArrayBuffer,
    MathMin: Math.min,
    MathMax: Math.max,
    ArrayIsArray: Array.isArray,
    MapCtor: Map,
    MapSet: Map.prototype.set,
  });
  let lib = null;

  // env gets each binding's namespace (one object per namespace, made once)
  internal.kvBind = (env, bindings) => {
    if (lib === null) lib = load();
    lib.bind(env, bindings);
  };
}
