// 11-urlpattern.js: the `URLPattern` global, a lazy one: urlpattern-polyfill
// and the runtime's part (lib/urlpattern.js), built in as the library
// js/lib/urlpattern, are compiled and run when it is first read, from the
// process's code cache once an isolate has made one.
// Only the built-ins they are given are captured here.

if (typeof natives.library === 'function') {
  const { library, libraryCache } = natives;
  const { ReflectApply } = internal;
  const NAME = 'js/lib/urlpattern';
  const ENV = {
    module: null, exports: null, URL, Object, RegExp, Set, Symbol, TypeError, Math, parseInt,
    $jsfn: [ReflectApply, internal.webIDLClass, Reflect.deleteProperty, Object.getOwnPropertyDescriptor,
      RegExp.prototype.exec, null],
  };
  const NAMES = Object.keys(ENV);
  const VALUES = Object.values(ENV);
  let URLPattern = null;

  natives.lazyGlobals(['URLPattern'], () => {
    if (URLPattern === null) {
      const fn = library(NAME, NAMES);
      const module = { __proto__: null, exports: {} };
      VALUES[0] = module;
      VALUES[1] = module.exports;
      // after the isolate's first test() or exec(): a code cache made then
      // holds what patterns run (made again for the first few isolates)
      ENV.$jsfn[5] = () => libraryCache(NAME, fn, true);
      URLPattern = ReflectApply(fn, undefined, VALUES);
      VALUES[0] = VALUES[1] = null;
      libraryCache(NAME, fn, false);
    }
    return URLPattern;
  });
}
