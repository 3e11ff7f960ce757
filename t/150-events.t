# Events and aborting (Event, EventTarget, AbortController, AbortSignal),
# reportError, queueMicrotask's errors, structuredClone, navigator,
# performance.timeOrigin and Request.signal, as the DOM, HTML and Fetch
# standards (and their web-platform-tests) have them; hostile uses included.
# (master_on: a crashed worker shows as "exited on signal" and fails.)

use Test::Nginx::Socket 'no_plan';

master_on();
workers(1);

# every block's function is html/e.js, at /e, unless it says otherwise
add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value(config => '    location /e { js_function $TEST_NGINX_SERVER_ROOT/html/e.js; }')
        unless defined $block->config;
});

run_tests();

__DATA__

=== TEST 1: Event: constructor, defaults, EventInit read in order, isTrusted an own accessor, constants, CustomEvent
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const ev = new Event('');
    out.push(ev.type === '', ev.target, ev.srcElement, ev.currentTarget, ev.eventPhase, ev.bubbles,
        ev.cancelable, ev.defaultPrevented, ev.returnValue, ev.isTrusted, ev.composed,
        typeof ev.timeStamp, ev.timeStamp > 0, ev.composedPath().length);
    const read = [];
    const e2 = new Event('Xx', {
        get cancelable() { read.push('cancelable'); return 1; },
        get bubbles() { read.push('bubbles'); return 'yes'; },
        get sweet() { read.push('sweet'); return 1; },
    });
    out.push(read.join(','), e2.bubbles, e2.cancelable, e2.sweet);
    const d1 = Object.getOwnPropertyDescriptor(new Event('a'), 'isTrusted');
    const d2 = Object.getOwnPropertyDescriptor(new Event('b'), 'isTrusted');
    out.push(typeof d1.get, d1.get === d2.get, d1.configurable);
    out.push(Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE, ev.AT_TARGET,
        Object.prototype.toString.call(ev));
    const ce = new CustomEvent('$', { detail: 54, cancelable: true });
    out.push(ce.detail, ce.cancelable, new CustomEvent('x').detail, ce instanceof Event);
    ce.initCustomEvent('re', true, false, 'd');
    out.push(ce.type, ce.bubbles, ce.cancelable, ce.detail);
    ev.initEvent('init', true, true);
    out.push(ev.type, ev.bubbles, ev.cancelable);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: true||||0|false|false|false|true|false|false|number|true|0|bubbles,cancelable|true|true||function|true|false|0|1|2|3|2|[object Event]|54|true||true|re|true|false|d|init|true|true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: Event: wrong arguments are TypeErrors, a throwing type conversion propagates
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const name = (f) => { try { f(); return 'no error'; } catch (e) { return e === mine ? 'mine' : e.name; } };
    const mine = { name: 'test' };
    out.push(name(() => Event('x')), name(() => new Event()), name(() => new Event(Symbol('s'))),
        name(() => new Event('x', 5)), name(() => new Event({ toString() { throw mine; } })),
        name(() => new CustomEvent()), name(() => new ErrorEvent()),
        name(() => Object.getOwnPropertyDescriptor(Event.prototype, 'type').get.call({})),
        name(() => new Event('x').initEvent()));
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: TypeError|TypeError|TypeError|TypeError|mine|TypeError|TypeError|TypeError|TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: EventTarget: capturing listeners first, this, handleEvent looked up each time, phase and path during dispatch, the result
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const t = new EventTarget();
    const order = [];
    t.addEventListener('x', () => order.push(1), true);
    t.addEventListener('x', () => order.push(2), false);
    t.addEventListener('x', () => order.push(3), { capture: true });
    const ev = new Event('x', { cancelable: true });
    t.addEventListener('x', function (e) {
        out.push(this === t, e.target === t, e.currentTarget === t, e.eventPhase,
            e.composedPath().length, e.composedPath()[0] === t, e.srcElement === t);
        e.preventDefault();
    });
    out.push(t.dispatchEvent(ev), order.join(','), ev.defaultPrevented, ev.eventPhase,
        ev.currentTarget, ev.target === t, ev.composedPath().length);
    let gets = 0, self;
    const obj = { get handleEvent() { gets++; return function () { self = this; }; } };
    t.addEventListener('h', obj);
    t.dispatchEvent(new Event('h'));
    t.dispatchEvent(new Event('h'));
    out.push(gets, self === obj);
    let calls = 0;
    const fn = function () { calls++; };
    fn.handleEvent = () => { throw new Error('not called'); };
    t.addEventListener('f', fn);
    t.dispatchEvent(new Event('f'));
    out.push(calls);
    class Nicer extends EventTarget { on(...a) { this.addEventListener(...a); } }
    const n = new Nicer();
    let detail;
    n.on('c', (e) => { detail = e.detail; });
    n.dispatchEvent(new CustomEvent('c', { detail: 7 }));
    out.push(detail, Object.prototype.toString.call(n));
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: true|true|true|2|1|true|true|false|1,3,2|true|0||true|0|2|true|1|7|[object EventTarget]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: Event flags: preventDefault only when cancelable, returnValue, cancelBubble and stopPropagation, stopImmediatePropagation
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const t = new EventTarget();
    const seen = [];
    t.addEventListener('x', (e) => { seen.push('a'); e.preventDefault(); });
    t.addEventListener('x', (e) => { seen.push('b'); e.stopImmediatePropagation(); });
    t.addEventListener('x', () => seen.push('c'));
    const plain = new Event('x');
    out.push(t.dispatchEvent(plain), plain.defaultPrevented, seen.join(''));
    const c = new Event('x', { cancelable: true });
    out.push(t.dispatchEvent(c), c.defaultPrevented, c.returnValue, t.dispatchEvent(c));
    const r = new Event('y', { cancelable: true });
    r.returnValue = false;
    out.push(r.defaultPrevented, r.returnValue);
    const cb = new Event('y');
    cb.cancelBubble = true;
    cb.cancelBubble = false;
    out.push(cb.cancelBubble);
    let n = 0;
    t.addEventListener('z', () => n++);
    const stopped = new Event('z');
    stopped.stopPropagation();
    t.dispatchEvent(stopped);
    out.push(n, stopped.cancelBubble);
    t.dispatchEvent(stopped);
    out.push(n);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: true|false|ab|false|true|false|false|true|false|true|0|false|1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: once, passive, dedupe by (type, callback, capture), null listeners, removeEventListener reads only capture
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const t = new EventTarget();
    let once = 0, normal = 0;
    const h = () => normal++;
    t.addEventListener('x', () => once++, { once: true });
    t.addEventListener('x', h);
    t.addEventListener('x', h);
    t.addEventListener('x', h, { passive: true, once: true });
    t.dispatchEvent(new Event('x'));
    t.dispatchEvent(new Event('x'));
    out.push(once, normal);
    t.addEventListener('x', h, true);
    t.dispatchEvent(new Event('x'));
    t.removeEventListener('x', h);
    t.dispatchEvent(new Event('x'));
    out.push(normal);
    const passive = (opts) => {
        const p = new EventTarget();
        let dp;
        p.addEventListener('p', (e) => { e.preventDefault(); dp = e.defaultPrevented; }, opts);
        return [dp, p.dispatchEvent(new Event('p', { cancelable: true })), dp].slice(1).join('/');
    };
    out.push(passive(undefined), passive({ passive: true }), passive({ passive: 0 }), passive({ passive: 1 }));
    let read = false;
    const q = { get passive() { read = true; return false; } };
    out.push(t.addEventListener('n', null, q), read);
    read = false;
    t.removeEventListener('n', null, q);
    out.push(read);
    let k = 0;
    for (let i = 0; i < 4; i++) t.addEventListener('s', (e) => { k++; e.stopImmediatePropagation(); }, { once: true });
    for (let i = 0; i < 4; i++) t.dispatchEvent(new Event('s'));
    out.push(k);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: 1|2|5|false/true|true/false|false/true|true/false||true|false|4
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: EventTarget errors: missing arguments, non-object listeners, a null signal, foreign this, events being dispatched (InvalidStateError)
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const name = (f) => { try { f(); return 'no error'; } catch (e) { return `${e.name}${e.code ? ' ' + e.code : ''}`; } };
    const t = new EventTarget();
    out.push(name(() => t.addEventListener('x')), name(() => t.addEventListener('x', 5)),
        name(() => t.addEventListener('x', 'str')), name(() => t.addEventListener('x', () => {}, { signal: null })),
        name(() => t.addEventListener('x', null, { signal: {} })),
        name(() => t.removeEventListener('x')), name(() => t.dispatchEvent()), name(() => t.dispatchEvent(null)),
        name(() => t.dispatchEvent({ type: 'x' })),
        name(() => EventTarget.prototype.addEventListener.call({}, 'x', null)),
        name(() => EventTarget.prototype.dispatchEvent.call(5, new Event('x'))), name(() => EventTarget()));
    const ev = new Event('d');
    t.addEventListener('d', () => { out.push(name(() => t.dispatchEvent(ev)), name(() => new EventTarget().dispatchEvent(ev))); });
    out.push(t.dispatchEvent(ev));
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|InvalidStateError 11|InvalidStateError 11|true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: hostile dispatch: a listener removes itself and others, adds more, dispatches again; added ones wait for the next dispatch
--- user_files
>>> e.js
export default { fetch() {
    const t = new EventTarget();
    const seen = [];
    const b = () => seen.push('b');
    const c = () => seen.push('c');
    let depth = 0;
    const a = () => {
        seen.push('a');
        t.removeEventListener('x', a);
        t.removeEventListener('x', b);
        t.addEventListener('x', () => seen.push('new'));
        if (depth++ < 3) t.dispatchEvent(new Event('x'));
    };
    t.addEventListener('x', a);
    t.addEventListener('x', b);
    t.addEventListener('x', c);
    t.dispatchEvent(new Event('x'));
    seen.push('|');
    t.dispatchEvent(new Event('x'));
    let n = 0;
    const h = () => { n++; if (n === 1) t.addEventListener('o', h, { once: true }); if (n <= 2) t.dispatchEvent(new Event('o')); };
    t.addEventListener('o', h, { once: true });
    t.dispatchEvent(new Event('o'));
    let flood = 0;
    const grow = () => { flood++; for (let i = 0; i < 1000; i++) t.addEventListener('g', () => {}); };
    t.addEventListener('g', grow);
    t.dispatchEvent(new Event('g'));
    return new Response(seen.join(' ') + ' ' + n + ' ' + flood);
} };
--- request
GET /e
--- response_body: a c new c | c new 2 1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: an exception in a listener is reported (Uncaught ..., error level) and the other listeners still run; so is a handleEvent that is not callable
--- user_files
>>> e.js
export default { fetch() {
    const t = new EventTarget();
    const called = [];
    t.addEventListener('x', () => { called.push(1); throw new Error('boom in listener'); });
    t.addEventListener('x', { handleEvent: 42 });
    t.addEventListener('x', () => called.push(2));
    const r = t.dispatchEvent(new Event('x'));
    return new Response(`${r} ${called.join(',')}`);
} };
--- request
GET /e
--- response_body: true 1,2
--- error_log eval
[qr/\[error\] .*js_function ".*e\.js": Uncaught Error: boom in listener/, qr/\[error\] .*Uncaught TypeError: The listener's 'handleEvent' is not a function/]
--- no_error_log
[alert]
[crit]



=== TEST 9: reportError logs at error level and returns; any value; no argument is a TypeError
--- user_files
>>> e.js
export default { fetch() {
    const out = [reportError(new TypeError('reported')), reportError('plain string'), reportError({ a: 1 })];
    try { reportError(); } catch (e) { out.push(e.name); }
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: |||TypeError
--- error_log eval
[qr/\[error\] .*js_function ".*e\.js": Uncaught TypeError: reported/, qr/\[error\] .*Uncaught plain string/, qr/\[error\] .*Uncaught \{"a":1\}/]
--- no_error_log
[alert]
[crit]



=== TEST 10: the global object is an EventTarget: an `error` listener sees reported errors (ErrorEvent), and cancelling it keeps the log quiet
--- user_files
>>> e.js
export default { fetch() {
    const out = [globalThis instanceof EventTarget, self === globalThis, Object.prototype.toString.call(globalThis)];
    const err = new Error('quiet');
    const h = (ev) => {
        out.push(ev instanceof ErrorEvent, ev.error === err, ev.message, ev.isTrusted, ev.cancelable, ev.target === globalThis);
        ev.preventDefault();
    };
    addEventListener('error', h);
    reportError(err);
    const t = new EventTarget();
    t.addEventListener('x', () => { throw err; });
    t.dispatchEvent(new Event('x'));
    removeEventListener('error', h);
    let bare;
    addEventListener('custom', (e) => { bare = e.type; });
    dispatchEvent(new Event('custom'));
    try { dispatchEvent(null); } catch (e) { out.push(e.name); }
    out.push(bare);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: true|true|[object ServiceWorkerGlobalScope]|true|true|Uncaught Error: quiet|true|true|true|true|true|Uncaught Error: quiet|true|true|true|TypeError|custom
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: an `error` listener that throws: both errors are logged, nothing loops
--- user_files
>>> e.js
export default { fetch() {
    const h = () => { throw new Error('in the error listener'); };
    addEventListener('error', h);
    reportError(new Error('outer'));
    removeEventListener('error', h);
    return new Response('ok');
} };
--- request
GET /e
--- response_body: ok
--- error_log eval
[qr/\[error\] .*Uncaught Error: in the error listener/, qr/\[error\] .*Uncaught Error: outer/]
--- no_error_log
[alert]
[crit]



=== TEST 12: queueMicrotask: an exception is reported (an error event, then "Uncaught", not an unhandled rejection); no arguments; order with promises
--- user_files
>>> e.js
export default { async fetch() {
    const out = [];
    const err = new Error('thrown in a microtask');
    let got;
    addEventListener('error', (ev) => { got = ev; }, { once: true });
    queueMicrotask(() => { throw err; });
    const order = [];
    Promise.resolve().then(() => order.push('a'));
    queueMicrotask(function () { order.push('b' + arguments.length); });
    Promise.reject().catch(() => order.push('c'));
    await null; await null; await null;
    out.push(got.error === err, got.message, order.join(','));
    try { queueMicrotask({ handleEvent() {} }); } catch (e) { out.push(e.name); }
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: true|Uncaught Error: thrown in a microtask|a,b0,c|TypeError
--- error_log eval
qr/\[error\] .*js_function ".*e\.js": Uncaught Error: thrown in a microtask/
--- no_error_log
in promise
[alert]
[crit]



=== TEST 13: AbortController: abort() fires a trusted abort event at once and only once; the default reason is an AbortError; throwIfAborted; onabort
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const c = new AbortController();
    const s = c.signal;
    let state = 'begin';
    s.addEventListener('abort', (e) => {
        out.push(state, e.type, e.target === s, e.isTrusted, e.bubbles, e.cancelable, s.aborted);
        state = 'aborted';
    });
    let handler = 0;
    s.onabort = () => handler++;
    out.push(s.aborted, s.reason, typeof s.onabort);
    c.abort();
    out.push(state, handler);
    c.abort('again');
    out.push(handler, c.signal === s, s.reason instanceof DOMException, s.reason.name, s.reason.code);
    try { s.throwIfAborted(); } catch (e) { out.push(e === s.reason); }
    const r = new AbortController();
    r.abort('why');
    r.signal.onabort = () => out.push('late handler called');
    out.push(r.signal.reason, AbortSignal.abort().reason.name, AbortSignal.abort(0).reason, AbortSignal.abort().aborted);
    new AbortController().signal.throwIfAborted();
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: false||function|begin|abort|true|true|false|false|true|aborted|1|1|true|true|AbortError|20|true|why|AbortError|0|true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: AbortController and AbortSignal: brand checks and constructors
--- user_files
>>> e.js
export default { fetch() {
    const name = (f) => { try { f(); return 'no error'; } catch (e) { return e.name; } };
    const signalGet = Object.getOwnPropertyDescriptor(AbortController.prototype, 'signal').get;
    const abortedGet = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted').get;
    const out = [];
    for (const bad of [null, undefined, 0, 'AbortController', Object.create(AbortController.prototype)]) {
        out.push(name(() => signalGet.call(bad)) + '/' + name(() => AbortController.prototype.abort.call(bad)));
    }
    for (const bad of [null, {}, Object.create(AbortSignal.prototype), new EventTarget()]) out.push(name(() => abortedGet.call(bad)));
    out.push(name(() => new AbortSignal()), name(() => AbortController()),
        name(() => { class S extends AbortSignal {} new S(); }),
        new AbortController().signal instanceof EventTarget, Object.prototype.toString.call(new AbortController().signal));
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: TypeError/TypeError|TypeError/TypeError|TypeError/TypeError|TypeError/TypeError|TypeError/TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|true|[object AbortSignal]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: AbortSignal.any: follows its signals, takes the first reason, composes, dependents are aborted before any abort event, events in order
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const c = new AbortController();
    const one = AbortSignal.any([c.signal]);
    out.push(one !== c.signal, one.aborted, 'reason' in one, one.reason);
    let target;
    one.onabort = (e) => { target = e.target; };
    c.abort('reason string');
    out.push(one.aborted, one.reason, target === one);
    const cs = [new AbortController(), new AbortController(), new AbortController()];
    cs[1].abort('r1');
    cs[2].abort('r2');
    out.push(AbortSignal.any(cs.map((x) => x.signal)).reason);
    const twice = new AbortController();
    const t2 = AbortSignal.any([twice.signal, twice.signal]);
    twice.abort('r');
    out.push(t2.reason);
    const deep = new AbortController();
    let combined = AbortSignal.any([deep.signal]);
    for (let i = 0; i < 3; i++) combined = AbortSignal.any([combined]);
    let fired = 0;
    combined.addEventListener('abort', () => fired++);
    deep.abort('the reason');
    out.push(fired, combined.reason);
    const o = new AbortController();
    const signals = [o.signal];
    signals.push(AbortSignal.any([o.signal]), AbortSignal.any([o.signal]));
    signals.push(AbortSignal.any([signals[0]]), AbortSignal.any([signals[1]]));
    let order = '';
    signals.forEach((s, i) => s.addEventListener('abort', () => { order += i; }));
    const quiet = AbortSignal.any([o.signal]);
    let early;
    o.signal.addEventListener('abort', () => { early = [signals[4].aborted, signals[4].reason, quiet.aborted, quiet.reason]; });
    o.abort('o');
    out.push(order, early.join('/'), AbortSignal.any([]).aborted);
    const a1 = new AbortController(), a2 = new AbortController();
    const later = AbortSignal.any([a1.signal, a2.signal]);
    a2.abort('second first');
    a1.abort('first second');
    out.push(later.reason);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: true|false|true||true|reason string|true|r1|r|1|the reason|01234|true/o/true/o|false|second first
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: AbortSignal.any and timeout: wrong arguments are TypeErrors; a timeout signal is never aborted synchronously
--- user_files
>>> e.js
export default { fetch() {
    const name = (f) => { try { f(); return 'no error'; } catch (e) { return e.name; } };
    const out = [name(() => AbortSignal.any()), name(() => AbortSignal.any(5)), name(() => AbortSignal.any([1])),
        name(() => AbortSignal.any([new AbortController().signal, {}])), name(() => AbortSignal.any({ length: 1, 0: AbortSignal.abort() }))];
    for (const v of [undefined, -1, NaN, Infinity, 2 ** 60, 'x']) out.push(name(() => AbortSignal.timeout(v)));
    out.push(name(() => AbortSignal.timeout()), AbortSignal.timeout(0).aborted, AbortSignal.timeout(0.9).aborted,
        AbortSignal.any([AbortSignal.timeout(0)]).aborted, AbortSignal.any(new Set([AbortSignal.abort('set')])).reason);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|false|false|false|set
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: hostile AbortSignal.any: a million copies of one signal, 100000 signals, 200000 dependents of one long-lived signal, within 64m
--- config
    location /e { js_function_memory 64m; js_function $TEST_NGINX_SERVER_ROOT/html/e.js; }
--- user_files
>>> e.js
const forever = new AbortController();
export default { fetch() {
    const out = [];
    const c = new AbortController();
    const d = AbortSignal.any(new Array(1e6).fill(c.signal));
    c.abort('one');
    out.push(d.reason);
    const many = [];
    for (let i = 0; i < 1e5; i++) many.push(new AbortController());
    const d2 = AbortSignal.any(many.map((x) => x.signal));
    let n = 0;
    d2.onabort = () => n++;
    many[99999].abort('last');
    out.push(d2.reason, n);
    for (let i = 0; i < 2e5; i++) AbortSignal.any([forever.signal]);
    const watched = AbortSignal.any([forever.signal]);
    watched.onabort = () => n++;
    forever.abort();
    out.push(n);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: one|last|1|2
--- no_error_log
[error]
[alert]
[crit]



=== TEST 18: AbortSignal.timeout fires a TimeoutError after its delay, at a listener, an onabort and a dependent, in order; AbortSignal.abort() fires nothing
--- user_files
>>> e.js
export default { async fetch() {
    const out = [];
    const t0 = Date.now();
    const s = AbortSignal.timeout(30);
    const ev = await new Promise((r) => s.addEventListener('abort', r));
    out.push(ev.type, ev.isTrusted, s.reason instanceof DOMException, s.reason.name, s.reason.code, Date.now() - t0 >= 29);
    const h = AbortSignal.timeout(10);
    await new Promise((r) => { h.onabort = r; });
    out.push(h.aborted);
    const d = AbortSignal.any([new AbortController().signal, AbortSignal.timeout(10)]);
    await new Promise((r) => { d.onabort = r; });
    out.push(d.reason.name);
    let order = '';
    for (const v of ['1', '2', '3']) AbortSignal.timeout(5).onabort = () => { order += v; };
    const last = AbortSignal.timeout(5);
    await new Promise((r) => { last.onabort = r; });
    const done = AbortSignal.abort();
    let fired = 0;
    done.addEventListener('abort', () => fired++);
    done.onabort = () => fired++;
    await new Promise((r) => setTimeout(r, 10));
    out.push(order, fired);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: abort|true|true|TimeoutError|23|true|true|TimeoutError|123|0
--- no_error_log
[error]
[alert]
[crit]



=== TEST 19: an AbortSignal.timeout nobody listens to does not hold a request: a promise nothing else can settle is answered at once
--- user_files
>>> e.js
export default { fetch() {
    AbortSignal.timeout(1e6);
    const s = AbortSignal.timeout(1e6);
    const l = () => {};
    s.addEventListener('abort', l);
    s.removeEventListener('abort', l);
    const d = AbortSignal.any([AbortSignal.timeout(1e6)]);
    d.onabort = () => {};
    d.onabort = null;
    new EventTarget().addEventListener('x', l, { signal: AbortSignal.timeout(1e6), once: true });
    return new Promise(() => {});
} };
--- request
GET /e
--- timeout: 2
--- error_code: 500
--- error_log eval
qr/\[error\] .*js_function ".*e\.js": the function will never produce a response/
--- no_error_log
[alert]
[crit]



=== TEST 20: a timeout signal nobody listened to is aborted when looked at after its delay, and so are its dependents; its {signal} listener is gone
--- user_files
>>> e.js
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export default { async fetch() {
    const out = [];
    const s = AbortSignal.timeout(10);
    const d = AbortSignal.any([s, new AbortController().signal]);
    const t = new EventTarget();
    let n = 0;
    t.addEventListener('x', () => n++, { signal: AbortSignal.timeout(10) });
    out.push(s.aborted, d.aborted);
    await sleep(40);
    out.push(d.aborted, d.reason.name, s.aborted, s.reason === d.reason);
    t.dispatchEvent(new Event('x'));
    out.push(n);
    const a = AbortSignal.timeout(20), b = AbortSignal.timeout(10);
    const both = AbortSignal.any([a, b]);
    await sleep(40);
    out.push(both.reason === b.reason);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: false|false|true|TimeoutError|true|true|0|true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 21: addEventListener's signal: abort removes the listener, an aborted signal adds none, aborting from a listener stops the others
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    let count = 0;
    const h = () => count++;
    const t = new EventTarget();
    const c = new AbortController();
    t.addEventListener('test', h, { signal: c.signal });
    t.dispatchEvent(new Event('test'));
    t.dispatchEvent(new Event('test'));
    c.abort();
    t.dispatchEvent(new Event('test'));
    t.addEventListener('test', h, { signal: c.signal });
    t.dispatchEvent(new Event('test'));
    out.push(count);
    count = 0;
    const c2 = new AbortController();
    t.addEventListener('a', () => c2.abort(), { signal: c2.signal });
    t.addEventListener('a', h, { signal: c2.signal });
    t.addEventListener('a', () => count++, { signal: c2.signal, once: true });
    t.dispatchEvent(new Event('a'));
    const c3 = new AbortController();
    t.addEventListener('b', () => { t.addEventListener('b', h, { signal: c3.signal }); c3.abort(); }, { signal: c3.signal });
    t.dispatchEvent(new Event('b'));
    t.dispatchEvent(new Event('b'));
    out.push(count);
    const c4 = new AbortController();
    let nested = 0;
    t.addEventListener('foo', () => {
        t.addEventListener('foo', () => { nested++; if (nested > 5) c4.abort(); t.dispatchEvent(new Event('foo')); }, { signal: c4.signal });
        t.dispatchEvent(new Event('foo'));
    }, { once: true });
    t.dispatchEvent(new Event('foo'));
    out.push(nested);
    const c5 = new AbortController();
    t.addEventListener('r', h, { signal: c5.signal });
    t.removeEventListener('r', h);
    c5.abort();
    t.addEventListener('r', h);
    t.dispatchEvent(new Event('r'));
    out.push(count);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: 2|0|6|1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 22: Request.signal: a new request's never aborts; {signal} and the input request are followed, by copies and clones too; a wrong signal is a TypeError
--- user_files
>>> e.js
export default { fetch(request) {
    const out = [];
    const r = new Request('http://a.test/');
    out.push(r.signal instanceof AbortSignal, r.signal.aborted, r.signal === r.signal);
    const c = new AbortController();
    const r2 = new Request('http://a.test/', { signal: c.signal });
    const r3 = new Request(r2);
    const r4 = r2.clone();
    const s2 = r2.signal;
    let fired = 0;
    s2.onabort = () => fired++;
    out.push(s2 !== c.signal, s2.aborted);
    c.abort('why');
    out.push(s2.aborted, s2.reason, fired, r3.signal.reason, r4.signal.reason, r3.signal !== s2);
    out.push(new Request(r2, { signal: null }).signal.aborted, new Request('http://a.test/', { signal: AbortSignal.abort('z') }).signal.reason);
    try { new Request('http://a.test/', { signal: 5 }); } catch (e) { out.push(e.name); }
    try { new Request('http://a.test/', { signal: new EventTarget() }); } catch (e) { out.push(e.name); }
    const mine = request.signal;
    const copy = new Request(request, { headers: { a: 'b' } });
    out.push(mine instanceof AbortSignal, mine.aborted, mine === request.signal, copy.signal.aborted, copy.signal !== mine,
        request.clone().signal.aborted);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: true|false|true|true|false|true|why|1|why|why|true|false|z|TypeError|TypeError|true|false|true|false|true|false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 23: structuredClone copies what V8's serializer knows: graphs with cycles, Map, Set, Date, RegExp, BigInt, typed arrays, errors with cause
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const o = { a: 1, d: new Date(5), r: /x/gi, m: new Map([[1, { z: 2 }]]), s: new Set(['v']), b: 10n,
        u: new Uint16Array([1, 2]), n: -0, e: new RangeError('re', { cause: 'c' }), str: 'lone \ud800', x: undefined };
    o.self = o;
    o.again = o.m;
    const c = structuredClone(o);
    out.push(c !== o, c.self === c, c.again === c.m, c.d.getTime(), c.r.source + c.r.flags, c.m.get(1).z, c.s.has('v'),
        c.b, c.u instanceof Uint16Array, c.u[1], Object.is(c.n, -0), c.e instanceof RangeError, c.e.message, c.e.cause,
        c.str === o.str, 'x' in c, structuredClone(4), structuredClone(null));
    class MyArray extends Array {}
    out.push(Object.getPrototypeOf(structuredClone(new MyArray())) === Array.prototype);
    const thrown = { name: 'mine' };
    try { structuredClone({ get g() { throw thrown; } }); } catch (e) { out.push(e === thrown); }
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: true|true|true|5|xgi|2|true|10|true|2|true|true|re|c|true|true|4||true|true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 24: structuredClone errors: functions, symbols, WeakMaps, promises are DataCloneErrors (code 25); wrong arguments and transfer lists are TypeErrors
--- user_files
>>> e.js
export default { fetch() {
    const name = (f) => { try { f(); return 'no error'; } catch (e) { return `${e.name}${e.code ? ' ' + e.code : ''}${e instanceof DOMException ? ' D' : ''}`; } };
    const out = [];
    for (const bad of [function f() {}, Symbol('s'), new WeakMap(), new WeakSet(), Promise.resolve(), { m() {} }]) {
        out.push(name(() => structuredClone(bad)));
    }
    out.push(name(() => structuredClone()), name(() => structuredClone(1, 5)), name(() => structuredClone(1, { transfer: 5 })),
        name(() => structuredClone(1, { transfer: [1] })), name(() => structuredClone(1, { transfer: [{}] })),
        name(() => structuredClone(1, { transfer: [new SharedArrayBuffer(1)] })),
        name(() => structuredClone(1, { transfer: [new Uint8Array(1)] })));
    try { structuredClone(() => 1); } catch (e) { out.push(e.message); }
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: DataCloneError 25 D|DataCloneError 25 D|DataCloneError 25 D|DataCloneError 25 D|DataCloneError 25 D|DataCloneError 25 D|TypeError|TypeError|TypeError|TypeError|DataCloneError 25 D|DataCloneError 25 D|DataCloneError 25 D|() => 1 could not be cloned.
--- no_error_log
[error]
[alert]
[crit]



=== TEST 25: structuredClone transfer: the ArrayBuffer moves (the source is detached), a detached or repeated one is a DataCloneError and nothing moves
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const u = new Uint8Array([1, 2, 3]);
    const copy = structuredClone({ view: u, buf: u.buffer }, { transfer: [u.buffer] });
    out.push(u.byteLength, u.buffer.byteLength, copy.buf.byteLength, copy.view[2], copy.view.buffer === copy.buf);
    try { structuredClone(u.buffer, { transfer: [u.buffer] }); } catch (e) { out.push(e.name); }
    const a = new ArrayBuffer(4), b = new ArrayBuffer(2);
    try { structuredClone([a, b], { transfer: [a, b, a] }); } catch (e) { out.push(e.name); }
    out.push(a.byteLength, b.byteLength);
    const kept = new ArrayBuffer(8);
    const plain = structuredClone(kept);
    out.push(kept.byteLength, plain.byteLength, plain !== kept);
    const sab = new SharedArrayBuffer(4);
    const shared = structuredClone({ sab });
    new Uint8Array(shared.sab)[0] = 9;
    out.push(new Uint8Array(sab)[0], shared.sab !== sab, shared.sab instanceof SharedArrayBuffer);
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: 0|0|3|3|true|DataCloneError|DataCloneError|4|2|8|8|true|9|true|true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 26: hostile transfer lists: 100000 ArrayBuffers move at once; a repeat at the end of a long list moves none
--- user_files
>>> e.js
export default { fetch() {
    const list = [];
    for (let i = 0; i < 1e5; i++) list.push(new ArrayBuffer(1));
    const copy = structuredClone(list, { transfer: list });
    const more = [];
    for (let i = 0; i < 1e5; i++) more.push(new ArrayBuffer(1));
    more.push(more[0]);
    let name;
    try { structuredClone(more, { transfer: more }); } catch (e) { name = e.name; }
    return new Response([copy.length, list[99999].byteLength, copy[99999].byteLength, name, more[7].byteLength].join('|'));
} };
--- request
GET /e
--- response_body: 100000|0|1|DataCloneError|1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 27: structuredClone of a DOMException gives a DOMException (name, message, code, stack), wherever it sits; the original is untouched
--- user_files
>>> e.js
export default { fetch() {
    const out = [];
    const e = new DOMException('msg', 'DataCloneError');
    const syn = new DOMException('bad', 'SyntaxError');
    const stack = e.stack;
    const c = structuredClone({ e, list: [e, syn], m: new Map([[e, syn]]), err: new Error('x', { cause: e }) });
    out.push(c.e instanceof DOMException, c.e.name, c.e.message, c.e.code, c.e !== e, c.list[0] === c.e,
        c.list[1].name, c.list[1].code, c.m.get(c.e) === c.list[1], c.err.cause === c.e, c.e.stack === stack);
    const root = structuredClone(e);
    out.push(root instanceof DOMException, String(root), Object.prototype.toString.call(root),
        e.stack === stack, Object.getOwnPropertyNames(e).join(','));
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: true|DataCloneError|msg|25|true|true|SyntaxError|12|true|true|true|true|DataCloneError: msg|[object DOMException]|true|stack
--- no_error_log
[error]
[alert]
[crit]



=== TEST 28: a 100 MB clone under js_function_memory 32m is a memory limit kill (503), not a crash
--- config
    location /e { js_function_memory 32m; js_function $TEST_NGINX_SERVER_ROOT/html/e.js; }
--- user_files
>>> e.js
export default { fetch() {
    const mb = 'x'.repeat(1 << 20);
    try {
        structuredClone(new Array(100).fill(mb));
    } catch (e) {
        return new Response('caught ' + e.name);
    }
    return new Response('cloned');
} };
--- request
GET /e
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*e\.js": memory limit of 32 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 29: hostile clones (100 MB of copies, a 256 MB string, deep nesting) end in 503 or a RangeError; the worker serves on
--- config
    location /e { js_function_memory 32m; js_function $TEST_NGINX_SERVER_ROOT/html/e.js; }
--- user_files
>>> e.js
export default { fetch(request) {
    const what = new URL(request.url).searchParams.get('what');
    try {
        if (what === 'copies') {
            structuredClone(new Array(100).fill('y'.repeat(1 << 20)));
        } else if (what === 'gigabyte') {
            let s = 'z'.repeat(1 << 20);
            for (let i = 0; i < 8; i++) s += s;
            structuredClone([s]);
        } else if (what === 'deep') {
            let o = {};
            for (let i = 0; i < 2e5; i++) o = { o };
            structuredClone(o);
        }
    } catch (e) {
        return new Response(e.name + ': ' + e.message);
    }
    return new Response('ok');
} };
--- request eval
["GET /e?what=copies", "GET /e?what=ok", "GET /e?what=gigabyte", "GET /e?what=deep", "GET /e?what=ok"]
--- error_code eval
[503, 200, 503, 200, 200]
--- response_body_like eval
[qr/503/, qr/^ok$/, qr/503/, qr/^RangeError: Maximum call stack size exceeded$/, qr/^ok$/]
--- timeout: 10
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 30: navigator: userAgent, hardwareConcurrency 1, an interface that cannot be constructed; the new globals are installed as Web IDL does
--- user_files
>>> e.js
export default { fetch() {
    const out = [navigator.userAgent, navigator.hardwareConcurrency, navigator instanceof Navigator,
        Object.prototype.toString.call(navigator)];
    try { new Navigator(); } catch (e) { out.push(e.name); }
    for (const name of ['Event', 'CustomEvent', 'ErrorEvent', 'EventTarget', 'AbortController', 'AbortSignal',
        'reportError', 'structuredClone', 'navigator', 'Navigator', 'queueMicrotask']) {
        const d = Object.getOwnPropertyDescriptor(globalThis, name);
        out.push(`${name}:${d.enumerable}${d.writable}${d.configurable}`);
    }
    return new Response(out.join('|'));
} };
--- request
GET /e
--- response_body: js_function|1|true|[object Navigator]|TypeError|Event:falsetruetrue|CustomEvent:falsetruetrue|ErrorEvent:falsetruetrue|EventTarget:falsetruetrue|AbortController:falsetruetrue|AbortSignal:falsetruetrue|reportError:falsetruetrue|structuredClone:falsetruetrue|navigator:falsetruetrue|Navigator:falsetruetrue|queueMicrotask:falsetruetrue
--- no_error_log
[error]
[alert]
[crit]



=== TEST 31: performance.timeOrigin stays the same for the isolate's life, and timeOrigin + now() is Date.now()
--- user_files
>>> e.js
let first;
export default { async fetch() {
    await new Promise((r) => setTimeout(r, 5));
    const o = performance.timeOrigin;
    if (first === undefined) first = o;
    return new Response(`${o === first} ${Math.abs(o + performance.now() - Date.now()) < 1}`);
} };
--- request eval
["GET /e", "GET /e", "GET /e"]
--- response_body eval
["true true", "true true", "true true"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 32: request.signal aborts when the client goes away before the response: its listener runs, and a fetch() that follows the request's signal is aborted with it
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/gone.js; }
    location /slow { js_function $TEST_NGINX_SERVER_ROOT/html/slow.js; }
--- user_files
>>> gone.js
let seen = 'nothing';
export default {
    async fetch(request) {
        if (new URL(request.url).pathname === '/t/check') return new Response(seen + '\n');
        request.signal.addEventListener('abort', () => {
            const r = request.signal.reason;
            seen = `abort event: ${r.name}: ${r.message}`;
        });
        try {
            await fetch('/slow', { signal: request.signal });
        } catch (e) {
            seen += ` | fetch rejected: ${e.name}`;
        }
        return new Response('late\n');
    }
};
>>> slow.js
export default {
    async fetch() {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        return new Response('slow\n');
    }
};
--- init
use IO::Socket::INET;
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984)
    or die "connect: $!";
print $s "GET /t/wait HTTP/1.0\r\n\r\n";
select(undef, undef, undef, 0.4);
close $s;
select(undef, undef, undef, 0.4);
--- request
GET /t/check
--- response_body
abort event: AbortError: The client went away before the response was complete. | fetch rejected: AbortError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 33: an abort listener of request.signal that never returns, run when the client goes away, is stopped by js_function_cpu_limit: the isolate is replaced, the worker serves on
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/spin.js;
        js_function_cpu_limit 50ms;
    }
--- user_files
>>> spin.js
let served = 0;
export default {
    async fetch(request) {
        served++;
        if (new URL(request.url).pathname === '/t/check') return new Response(`served ${served}\n`);
        request.signal.addEventListener('abort', () => { for (;;) {} });
        await new Promise((resolve) => setTimeout(resolve, 3000));
        return new Response('late\n');
    }
};
--- init
use IO::Socket::INET;
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984)
    or die "connect: $!";
print $s "GET /t/wait HTTP/1.0\r\n\r\n";
select(undef, undef, undef, 0.4);
close $s;
select(undef, undef, undef, 0.5);
# (written before the block's request marks the log: looked for here)
open(my $log, '<', "$ENV{TEST_NGINX_SERVER_ROOT}/logs/error.log") or die $!;
grep { /\[error\] .*spin\.js": CPU time limit of 50 ms exceeded \(js_function_cpu_limit\) \(request\.signal's abort listeners\)/ } <$log>
    or die "no error_log line for the CPU limit";
--- request
GET /t/check
--- response_body
served 1
--- no_error_log
[alert]
[crit]
exited on signal
