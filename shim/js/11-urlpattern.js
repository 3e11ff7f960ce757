// 11-urlpattern.js: the `URLPattern` global, a lazy one: the library and the
// rest of the runtime's part (lazy-urlpattern.js) are compiled and run when it
// is first read, from a per-process code cache after the first time.
// Only the built-ins they are given are captured here.

if (typeof natives.library === 'function') {
  const { library, libraryCache } = natives;
  const { ReflectApply } = internal;
  const ENV = {
    module: null, exports: null, URL, Object, RegExp, Set, Symbol, TypeError, Math, parseInt,
    $jsfn: [ReflectApply, internal.webIDLClass, Reflect.deleteProperty, Object.getOwnPropertyDescriptor,
      RegExp.prototype.exec],
  };
  const NAMES = Object.keys(ENV);
  const VALUES = Object.values(ENV);
  let URLPattern = null;

  natives.lazyGlobals(['URLPattern'], () => {
    if (URLPattern === null) {
      // indexed, not destructured: a function may replace the array iterator
      const compiled = library('urlpattern-polyfill', NAMES);
      const fn = compiled[0];
      const module = { __proto__: null, exports: {} };
      VALUES[0] = module;
      VALUES[1] = module.exports;
      const made = ReflectApply(fn, undefined, VALUES);
      VALUES[0] = VALUES[1] = null;
      if (!compiled[1] && made[1]()) libraryCache('urlpattern-polyfill', fn, false);
      URLPattern = made[0];
    }
    return URLPattern;
  });
}
