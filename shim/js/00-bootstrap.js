/*
 * 00-bootstrap.js: console, timers, and the dispatcher that calls a
 * function's handler for each request (internal.dispatch).
 */

/*
 * Built-ins the runtime relies on where its results reach nginx, captured
 * when the snapshot is made: a function may replace Promise.prototype.then
 * or define Object.prototype.then, and must not steer the runtime with it.
 */
const ReflectApply = Reflect.apply;
const PromisePrototypeThen = Promise.prototype.then;
const PromiseResolve = Promise.resolve.bind(Promise);
const ArrayPrototypeFill = Array.prototype.fill;
const MathMin = Math.min;
const MathMax = Math.max;
const MathTrunc = Math.trunc;

function promiseThen(p, onFulfilled, onRejected) {
    return ReflectApply(PromisePrototypeThen, p, [onFulfilled, onRejected]);
}

internal.ReflectApply = ReflectApply;
internal.promiseThen = promiseThen;

function define(name, value) {
    Object.defineProperty(globalThis, name, {
        value, writable: true, configurable: true, enumerable: false,
    });
}

internal.define = define;


/*
 * Parts of the runtime an isolate compiles only when a function first
 * touches them (js/README.md, "Libraries"): shim/js/lib/NAME.js, built into
 * the engine as the library js/lib/NAME and compiled by natives.library, from
 * the process's code cache once an isolate of the process has compiled it.
 * Each is the body of a function whose result is its exports, and whose
 * parameters are natives, internal and the built-ins its stub here
 * captured when the snapshot was made (by the time it loads, a function
 * may have replaced the globals), given as an object: {name: value}.
 * Without natives.library there are no libraries: their stubs define
 * nothing.
 *
 * (What is kept for a library until it loads is one string of parameter
 * names and an array of values: an object of them would have a map and a
 * descriptor array, and every name would be a string of its own, which
 * every isolate made from the snapshot would deserialize and hash again.
 * The registry of libraries is an array, searched, for the same reason:
 * an object used as a map of names would be a dictionary, rehashed by every
 * isolate.)
 */
const hasLibraries = typeof natives.library === 'function';
const ObjectKeys = Object.keys;

const libraryFns = [];      /* [name, function] of those not yet used */

/* a function giving the exports of js/lib/NAME, which it runs the first time */
function libraryLoader(name, builtins) {
    const keys = ObjectKeys(builtins);
    let params = 'natives internal';
    const args = [natives, internal];
    for (let i = 0; i < keys.length; i++) {
        params += ` ${keys[i]}`;
        args[i + 2] = builtins[keys[i]];
    }
    let exports = null;
    return () => {
        if (exports === null) {
            const fn = natives.library(`js/lib/${name}`, params);
            exports = ReflectApply(fn, undefined, args);
            natives.libraryCache(`js/lib/${name}`, fn, false);
            libraryFns[libraryFns.length] = [name, fn];
        }
        return exports;
    };
}

/*
 * A library has done its work once in this isolate: its code cache is made
 * again with what has been compiled by now (the engine does it for the
 * first few isolates of the process only).
 */
function libraryUsed(name) {
    for (let i = 0; i < libraryFns.length; i++) {
        const entry = libraryFns[i];
        if (entry !== null && entry[0] === name) {
            libraryFns[i] = null;
            natives.libraryCache(`js/lib/${name}`, entry[1], true);
        }
    }
}

/* global data properties whose value loader(name) gives when first read */
function lazyGlobals(names, loader) {
    if (hasLibraries) {
        natives.lazyGlobals(names, loader);
    }
}

/* the library's exports named `names` as lazy globals; its loader */
function lazyLibrary(name, names, builtins) {
    const load = libraryLoader(name, builtins);
    if (names.length !== 0) {
        lazyGlobals(names, (global) => load()[global]);
    }
    return load;
}

internal.hasLibraries = hasLibraries;
internal.libraryLoader = libraryLoader;
internal.libraryUsed = libraryUsed;
internal.lazyGlobals = lazyGlobals;
internal.lazyLibrary = lazyLibrary;


/* console: each call is one error_log line at the matching level */

function show(v, depth) {
    switch (typeof v) {
    case 'string':
        return v;
    case 'function':
        return `[Function: ${v.name || '(anonymous)'}]`;
    case 'symbol':
    case 'bigint':
        return String(v) + (typeof v === 'bigint' ? 'n' : '');
    case 'object':
        if (v === null) {
            return 'null';
        }
        if (v instanceof Error) {
            return v.stack || String(v);
        }
        try {
            const seen = new WeakSet();
            return JSON.stringify(v, (k, x) => {
                if (typeof x === 'bigint') {
                    return `${x}n`;
                }
                if (typeof x === 'object' && x !== null) {
                    if (seen.has(x)) {
                        return '[Circular]';
                    }
                    seen.add(x);
                }
                return x;
            });
        } catch (e) {
            return Object.prototype.toString.call(v);
        }
    default:
        return String(v);
    }
}

function format(args) {
    let out = '';
    for (let i = 0; i < args.length; i++) {
        out += (i ? ' ' : '') + show(args[i], 0);
    }
    return out;
}

const counts = new Map();
const times = new Map();
const console = {};

for (const [name, level] of [['debug', 0], ['log', 1], ['info', 1],
                             ['warn', 2], ['error', 3], ['trace', 0]]) {
    console[name] = { [name](...args) { natives.log(level, format(args)); } }[name];
}

console.assert = function assert(ok, ...args) {
    if (!ok) {
        natives.log(3, 'Assertion failed' + (args.length ? ': ' + format(args) : ''));
    }
};
console.count = function count(label = 'default') {
    const n = (counts.get(label) || 0) + 1;
    counts.set(label, n);
    natives.log(1, `${label}: ${n}`);
};
console.time = function time(label = 'default') {
    times.set(label, Date.now());
};
console.timeEnd = function timeEnd(label = 'default') {
    if (times.has(label)) {
        natives.log(1, `${label}: ${Date.now() - times.get(label)}ms`);
        times.delete(label);
    }
};

define('console', console);


/* timers run on nginx timers through natives.timerStart() */

const timers = new Map();
let nextTimer = 1;

/*
 * Nesting as in HTML: a timer set from a timer callback (or from the
 * microtasks after it) is one level deeper, and past five levels it waits
 * at least 4 ms, so that a chain of zero-delay timers cannot keep the worker
 * busy.  nginx's side never arms a timer of less than 1 ms, which is what
 * lets its event loop turn in between.
 */
let timerLevel = 0;

/* AsyncLocalStorage's frames keep the call id under this key (31-fetch.js) */
internal.callKey = Object.freeze({ __proto__: null });

const contextGet = typeof natives.contextGet === 'function' ? natives.contextGet : () => undefined;
const contextSet = typeof natives.contextSet === 'function' ? natives.contextSet : () => {};

function startTimer(fn, ms, args, repeat) {
    if (typeof fn !== 'function') {
        throw new TypeError('The callback must be a function');
    }
    ms = Number(ms);
    if (!(ms >= 0)) {
        ms = 0;
    }
    const level = timerLevel + 1;
    if (level > 5 && ms < 4) {
        ms = 4;
    }
    const id = nextTimer++;
    if (nextTimer > 0x7fffffff) {
        nextTimer = 1;
    }
    natives.timerStart(id, ms);
    /* the callback runs in the async context (AsyncLocalStorage) it was set in */
    timers.set(id, { fn, ms, args, repeat, level, context: contextGet() });
    return id;
}

function stopTimer(id) {
    id = Number(id);
    if (timers.delete(id)) {
        natives.timerStop(id);
    }
}

internal.fireTimer = function fireTimer(id) {
    const t = timers.get(id);
    if (t === undefined) {
        return;
    }
    timerLevel = t.level;
    if (t.repeat) {
        t.level++;
        if (t.level > 5 && t.ms < 4) {
            t.ms = 4;
        }
        natives.timerStart(id, t.ms);
    } else {
        timers.delete(id);
    }
    contextSet(t.context);
    try {
        ReflectApply(t.fn, undefined, t.args);
    } finally {
        contextSet(undefined);
    }
};

define('setTimeout', function setTimeout(fn, ms = 0, ...args) {
    return startTimer(fn, ms, args, false);
});
define('setInterval', function setInterval(fn, ms = 0, ...args) {
    return startTimer(fn, ms, args, true);
});
define('clearTimeout', function clearTimeout(id) { stopTimer(id); });
define('clearInterval', function clearInterval(id) { stopTimer(id); });
/* an exception from the callback is reported (16-events.js), as from a listener */
define('queueMicrotask', function queueMicrotask(fn) {
    if (typeof fn !== 'function') {
        throw new TypeError('The callback must be a function');
    }
    promiseThen(PromiseResolve(), () => {
        try {
            fn();
        } catch (e) {
            internal.reportException(e);
        }
    });
});
define('self', globalThis);


/* the third argument of a handler */

class ExecutionContext {
    waitUntil(promise) {
        Promise.resolve(promise).catch((e) => {
            natives.log(3, 'ctx.waitUntil() promise rejected: ' + show(e, 0));
        });
    }

    passThroughOnException() {
        /* nothing to pass through to: errors are answered with a 500 */
    }
}

Object.defineProperty(ExecutionContext.prototype, Symbol.toStringTag, {
    value: 'ExecutionContext', configurable: true,
});


function describe(v) {
    if (v === null) {
        return 'null';
    }
    if (typeof v === 'object') {
        const name = v.constructor && v.constructor.name ? v.constructor.name : 'object';
        return (/^[AEIOUaeiou]/.test(name) ? 'an ' : 'a ') + name;
    }
    return typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`;
}


/* one request: build the arguments, call the handler, report the outcome */

internal.dispatch = (function () {
    /*
     * This runs for every request, and with many tenants each isolate sees
     * too few of them for V8 to optimise it: it runs in the interpreter.
     * So no closures unless the handler is async (settle() takes the call
     * id instead of capturing it), and request headers are fetched by call
     * id (makeRequest calls natives.headers(id) only if they are read).
     */
    function settle(id, response) {
        let parts;
        try {
            parts = internal.responseParts(response);
        } catch (e) {
            natives.fail(id, e, false);
            return;
        }
        if (parts === null) {
            natives.fail(id, new TypeError('the handler returned ' + describe(response)
                                           + ', not a Response'), true);
        } else if (parts.body === true) {
            /* a stream body: the head now, its pieces when nginx asks */
            if (parts.pipe !== null) internal.fetchPipe(id, parts.pipe);
            else internal.responseStream(id, parts.stream);
            natives.done(id, parts);
        } else {
            natives.done(id, parts);
        }
    }

    return function dispatch(handler, id, method, url, body, envPairs, kv) {
        /*
         * A synchronous throw is not caught here: it reaches the engine with
         * the location where it was thrown, even for a thrown non-Error value.
         */
        timerLevel = 0;
        /* the async context starts as the call id (fetch() asks it, 31-fetch.js) */
        contextSet(id);
        const request = internal.makeRequest(method, url, id, body);
        /* a fresh env per request: a shared one would carry writes over */
        const env = {};
        for (let i = 0; i < envPairs.length; i += 2) {
            env[envPairs[i]] = envPairs[i + 1];
        }
        if (kv !== undefined) {
            internal.kvBind(env, kv);   /* js_function_kv: 60-kv.js */
        }
        const ctx = new ExecutionContext();
        const result = typeof handler === 'function'
            ? handler(request, env, ctx)
            : handler.fetch(request, env, ctx);

        if (internal.isResponse(result)) {
            settle(id, result);
        } else if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
            /* a thenable of the function's own is its business; a promise
               is awaited with the then() captured at start */
            promiseThen(PromiseResolve(result), (r) => settle(id, r), (e) => natives.fail(id, e, false));
        } else {
            settle(id, result);
        }
    };
})();


/*
 * Array.prototype.fill on a sparse array runs in V8's C++, index by index,
 * without looking for termination: new Array(34e6).fill(0) would hold the
 * worker for many seconds past the CPU and memory limits.  Large fills go
 * in slices, and between slices this loop lets V8 stop the function.
 */
const FILL_SLICE = 65536;

function toRelativeIndex(v, len, dflt) {
    if (v === undefined) {
        return dflt;
    }
    let n = MathTrunc(Number(v));
    if (n !== n) {
        n = 0;
    }
    return n < 0 ? MathMax(len + n, 0) : MathMin(n, len);
}

const fill = {
    fill(value, start, end) {
        if (this === null || this === undefined) {
            throw new TypeError('Array.prototype.fill called on null or undefined');
        }
        const o = Object(this);
        const len = MathMin(MathMax(MathTrunc(Number(o.length)) || 0, 0), Number.MAX_SAFE_INTEGER);
        const k = toRelativeIndex(start, len, 0);
        const final = toRelativeIndex(end, len, len);
        if (final - k <= FILL_SLICE) {
            return ReflectApply(ArrayPrototypeFill, o, [value, k, final]);
        }
        for (let i = k; i < final; i += FILL_SLICE) {
            ReflectApply(ArrayPrototypeFill, o, [value, i, MathMin(i + FILL_SLICE, final)]);
        }
        return o;
    },
}.fill;

Object.defineProperty(fill, 'length', { value: 1 });
Object.defineProperty(Array.prototype, 'fill', {
    value: fill, writable: true, configurable: true, enumerable: false,
});


/*
 * WebAssembly.compile() and instantiate() from bytes compile on V8's
 * background threads and finish through a platform task, which nginx's
 * event loop does not wait for: here they compile on the spot (within the
 * CPU limit) and settle their promise as usual.  A module given to
 * instantiate() is instantiated as V8 does it.  V8 makes the WebAssembly
 * object anew for each context, even one from the snapshot, so this runs
 * when an isolate is created (internal.contextInit).
 */
const wasmMethods = {
    compile(bytes) {
        const W = wasmMethods.W;
        return new Promise((resolve) => resolve(new W.Module(bytes)));
    },
    instantiate(source, imports) {
        const W = wasmMethods.W;
        if (source instanceof W.Module) {
            return ReflectApply(wasmMethods.instantiateModule, W, [source, imports]);
        }
        return new Promise((resolve) => {
            const module = new W.Module(source);
            resolve({ module, instance: new W.Instance(module, imports) });
        });
    },
    W: null,
    instantiateModule: null,
};

Object.defineProperty(wasmMethods.compile, 'length', { value: 1 });
Object.defineProperty(wasmMethods.instantiate, 'length', { value: 1 });

/* gives the engine its per-isolate hooks: [node: module lookup, abortRequest] */
internal.contextInit = function contextInit() {
    const hooks = [internal.nodeModule, internal.abortRequest];
    const W = globalThis.WebAssembly;
    if (typeof W !== 'object' || W === null || W.compile === wasmMethods.compile) {
        return hooks;
    }
    wasmMethods.W = W;
    wasmMethods.instantiateModule = W.instantiate;
    for (const name of ['compile', 'instantiate']) {
        Object.defineProperty(W, name, {
            value: wasmMethods[name], writable: true, configurable: true, enumerable: true,
        });
    }
    return hooks;
};


/*
 * Clocks: Date and performance.now() do not advance while JS runs; they
 * move only between entries (a request, a timer), as on other isolate
 * edge runtimes, so that timing side channels learn nothing.
 */

const RealDate = Date;

function FrozenDate(...args) {
    if (new.target === undefined) {
        return new RealDate(natives.now()).toString();
    }
    return Reflect.construct(RealDate, args.length ? args : [natives.now()], new.target);
}

Object.defineProperty(FrozenDate, 'name', { value: 'Date' });
Object.defineProperty(FrozenDate, 'length', { value: 7 });
Object.defineProperty(FrozenDate, 'prototype', { value: RealDate.prototype });
for (const key of ['parse', 'UTC']) {
    Object.defineProperty(FrozenDate, key, {
        value: RealDate[key], writable: true, configurable: true, enumerable: false,
    });
}
Object.defineProperty(FrozenDate, 'now', {
    value: function now() { return natives.now(); },
    writable: true, configurable: true, enumerable: false,
});
Object.defineProperty(RealDate.prototype, 'constructor', {
    value: FrozenDate, writable: true, configurable: true, enumerable: false,
});
define('Date', FrozenDate);

/* fixed on first look: Date.now() is whole ms and would make it jitter */
let timeOrigin;

class Performance {
    now() {
        return natives.hrnow();
    }

    get timeOrigin() {
        if (timeOrigin === undefined) {
            timeOrigin = natives.now() - natives.hrnow();
        }
        return timeOrigin;
    }

    toJSON() {
        return { timeOrigin: this.timeOrigin };
    }
}

Object.defineProperty(Performance.prototype, Symbol.toStringTag, {
    value: 'Performance', configurable: true,
});
define('performance', new Performance());
