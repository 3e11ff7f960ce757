// lib/urlpattern.js: the runtime's part of `URLPattern`, compiled with the
// library on first use and not part of the snapshot, so that an isolate that
// never reads `URLPattern` carries none of it. The build appends it to
// urlpattern-polyfill's dist/urlpattern.cjs (pinned in shim/vendor.sh,
// unchanged): the two are the library js/lib/urlpattern, which the engine
// compiles as the body of one function (natives.library, called by
// 11-urlpattern.js). Its parameters shadow the globals the library names:
// `module` and `exports`, and `URL`, `Object`, `RegExp`, `Set`, `Symbol`,
// `TypeError`, `Math` and `parseInt`, the runtime's own, captured when the
// snapshot was made (so a function that replaces `globalThis.URL` does not
// change URLPattern). `$jsfn` holds the other built-ins this part uses,
// captured the same way. What the library reaches through members or
// prototypes (Object.assign, RegExp.prototype.exec,
// String.prototype.replace, ...) stays replaceable: a function that replaces
// those breaks its own patterns only, and nothing of URLPattern reaches
// nginx.
//
// By here the library has run and filled module.exports. This part gives
// back the class, less the polyfill's compareComponent (not in the
// standard), with Web IDL's brand check in test() and exec() and Web IDL's
// property attributes. The isolate's first test() or exec() calls
// `$jsfn[5]`, which has the engine make the library's code cache again.
//
// A pattern's regexp groups run in V8's backtracking engine: a hostile one
// (`/((?:a+)+b)`) can take exponential time, and js_function_cpu_limit stops
// it like any other JS.

return (function () {
  const ReflectApply = $jsfn[0], webIDLClass = $jsfn[1], deleteProperty = $jsfn[2];
  const getOwnPropertyDescriptor = $jsfn[3], RegExpExec = $jsfn[4], used = $jsfn[5];
  const OriginalRegExp = RegExp;
  const OriginalTypeError = TypeError;

  // The library makes each component's regexp with `new RegExp()`, inside
  // its constructor's try, which turns errors into TypeErrors. V8 finds a
  // regexp too large (past about 32 KB) only when it first runs it: run it
  // once there, so that such a pattern fails its constructor as the standard
  // says, not a later test() or exec() with a SyntaxError. (This assigns the
  // parameter the library's functions read.)
  RegExp = function compiledRegExp(source, flags) {
    const re = new OriginalRegExp(source, flags);
    ReflectApply(RegExpExec, re, ['']);
    return re;
  };

  const C = module.exports.URLPattern;
  deleteProperty(C, 'compareComponent');
  // the getters read a private field: they throw for other objects
  const brand = getOwnPropertyDescriptor(C.prototype, 'hasRegExpGroups').get;
  let first = true;
  const call = (method, self, args) => {
    try { ReflectApply(brand, self, []); } catch { throw new OriginalTypeError('Illegal invocation'); }
    const result = ReflectApply(method, self, args);
    if (first) {
      first = false;
      used();
    }
    return result;
  };
  const { test, exec } = C.prototype;
  const checked = {
    test(...args) { return call(test, this, args); },
    exec(...args) { return call(exec, this, args); },
  };
  C.prototype.test = checked.test;
  C.prototype.exec = checked.exec;
  webIDLClass(C, 'URLPattern');

  return C;
})();
