// 11-urlpattern.js: the URL Pattern Standard's `URLPattern`: a pattern
// built from a string (with an optional base URL) or a URLPatternInit
// dictionary, `{ignoreCase}`, test(), exec() with per-component groups, the
// component getters and hasRegExpGroups; errors are TypeErrors.
//
// The class is urlpattern-polyfill's (kept with the spec and tested against
// the web-platform-tests' urlpatterntestdata.json), pinned in shim/vendor.sh
// and built into the engine unchanged: its CommonJS build,
// dist/urlpattern.cjs, which defines everything inside one function and
// touches no global. It canonicalizes through the runtime's own `URL`
// (10-url.js), handed to it as a parameter captured when the snapshot is
// made, so a function that replaces `globalThis.URL` does not change it.
// Not the polyfill's static compareComponent (not in the standard); test()
// and exec() get the brand check Web IDL gives them.
//
// Loaded on first use: `URLPattern` is a lazy data property
// (natives.lazyGlobals) and the library runs (natives.urlPatternLibrary)
// the first time it is read. An isolate that never reads it never pays for
// it. The first isolate of the process that loads it compiles it, runs one
// pattern through it so that the functions a pattern needs are compiled,
// and leaves a code cache (natives.urlPatternCache) for the isolates to
// come.
//
// Built-ins: the library is given, as parameters that shadow the globals,
// the constructors and functions it names, captured now. What it reaches
// through their members (Object.assign, ...) or through prototypes
// (RegExp.prototype.exec, String.prototype.replace, ...) stays replaceable:
// a function that replaces those breaks its own patterns only; nothing of
// URLPattern reaches nginx.
//
// Regular expressions: a pattern's regexp groups (`/(a+)+b`) run in V8's
// backtracking engine, so a hostile pattern can take exponential time; the
// CPU limit (js_function_cpu_limit) stops it like any other JS.

if (typeof natives.urlPatternLibrary === 'function') {
  const { ReflectApply, webIDLClass } = internal;
  // load() runs when a function may have replaced these globals
  const { keys: ObjectKeys, values: ObjectValues, getOwnPropertyDescriptor } = Object;
  const ReflectDeleteProperty = Reflect.deleteProperty;
  const TypeErrorCtor = TypeError;

  // The library makes a component's regular expression with `new
  // RegExp()`, inside the constructor's try, which turns errors into
  // TypeErrors. V8 compiles a regexp when it first runs, and only then finds
  // one too large (past about 32 KB of pattern): run it once here, so that
  // such a pattern fails its constructor as the standard says, not a later
  // test() or exec().
  const RegExpCtor = RegExp;
  const RegExpExec = RegExp.prototype.exec;
  function compiledRegExp(source, flags) {
    const re = new RegExpCtor(source, flags);
    ReflectApply(RegExpExec, re, ['']);
    return re;
  }

  // The library's environment: names it looks up at run time, bound to the
  // runtime's own values (captured now, when the snapshot is made).
  const ENV = { module: null, exports: null, RegExp: compiledRegExp };
  for (const name of ['URL', 'Object', 'Set', 'Symbol', 'TypeError', 'Math', 'parseInt']) {
    ENV[name] = globalThis[name];
  }

  let URLPattern = null;

  // Runs one pattern of each kind through a new library, so that the code
  // cache made next holds what patterns run. False when a function replaced
  // a built-in the library uses: no cache from this isolate then.
  function warm(C) {
    try {
      return new C('https://h.test/a/:b(\\d+)/c?q=*#*').test('https://h.test/a/1/c?q=x#y')
        && new C({ pathname: '/a/:b' }, { ignoreCase: true }).exec('/A/b', 'https://h.test') !== null;
    } catch {
      return false;
    }
  }

  function load() {
    if (URLPattern !== null) return URLPattern;
    const module = { __proto__: null, exports: {} };
    ENV.module = module;
    ENV.exports = module.exports;
    const [fn, cached] = natives.urlPatternLibrary(ObjectKeys(ENV));
    ReflectApply(fn, undefined, ObjectValues(ENV));
    ENV.module = ENV.exports = null;

    const C = module.exports.URLPattern;
    ReflectDeleteProperty(C, 'compareComponent');
    // Web IDL's brand check, which the library's test() and exec() lack:
    // its getters read a private field, so they throw for other objects.
    const brand = getOwnPropertyDescriptor(C.prototype, 'hasRegExpGroups').get;
    for (const name of ['test', 'exec']) {
      const method = C.prototype[name];
      C.prototype[name] = {
        [name](...args) {
          try { ReflectApply(brand, this, []); } catch { throw new TypeErrorCtor('Illegal invocation'); }
          return ReflectApply(method, this, args);
        },
      }[name];
    }
    webIDLClass(C, 'URLPattern');
    if (!cached && warm(C)) natives.urlPatternCache(fn);
    URLPattern = C;
    return C;
  }

  natives.lazyGlobals(['URLPattern'], load);
}
