# Isolation: functions cannot see each other or the host.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: A cannot change B's built-in prototypes, globals or env in the same worker
--- config
    location = /a {
        js_function_env SECRET a-secret;
        js_function $TEST_NGINX_SERVER_ROOT/html/a.js;
    }
    location = /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
--- user_files
>>> a.js
export default {
    fetch(r, env) {
        Object.prototype.polluted = 'yes';
        JSON.parse = () => 'hijacked';
        globalThis.shared = env.SECRET;
        Response.prototype.text = () => 'hijacked';
        return new Response('a did it: ' + ({}).polluted);
    }
};
>>> b.js
export default {
    async fetch(r, env) {
        const seen = [({}).polluted, JSON.parse('1'), globalThis.shared, env.SECRET, await new Response('own').text()];
        return new Response(seen.map(String).join(','));
    }
};
--- request eval
["GET /a", "GET /b"]
--- response_body eval
["a did it: yes", "undefined,1,undefined,undefined,own"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: no host access: no require, process, Deno or module loaders (WebAssembly is there: t/170-wasm.t)
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch() {
        return new Response([typeof require, typeof process, typeof Deno, typeof Bun,
                             typeof module, typeof WebAssembly, typeof fetch === 'function' ? 'fetch' : 'no-fetch'].join(','));
    }
};
--- request
GET /h
--- response_body chomp
undefined,undefined,undefined,undefined,undefined,object,fetch
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: dynamic import() cannot reach outside the function's files
--- config
    location = /d { js_function $TEST_NGINX_SERVER_ROOT/html/fn/d.js; }
--- user_files
>>> fn/d.js
export default {
    async fetch() {
        const out = [];
        for (const spec of ['fs', '/etc/passwd', '../secret.js', 'node:fs']) {
            try { await import(spec); out.push(spec + ' loaded'); }
            catch (e) { out.push(spec + ' refused'); }
        }
        return new Response(out.join(','));
    }
};
>>> secret.js
export default 'secret';
--- request
GET /d
--- response_body chomp
fs refused,/etc/passwd refused,../secret.js refused,node:fs refused
--- no_error_log
[alert]
[crit]



=== TEST 4: eval and new Function are off by default
--- config
    location = /e { js_function $TEST_NGINX_SERVER_ROOT/html/e.js; }
--- user_files
>>> e.js
export default {
    fetch() {
        const out = [];
        try { eval('1 + 1'); out.push('eval ran'); } catch (e) { out.push(e.name); }
        try { new Function('return 1')(); out.push('Function ran'); } catch (e) { out.push(e.name); }
        try { setTimeout('1', 0); out.push('string timer'); } catch (e) { out.push(e.name); }
        return new Response(out.join(','));
    }
};
--- request
GET /e
--- response_body chomp
EvalError,EvalError,TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: js_function_allow_eval on enables code generation from strings
--- config
    location = /e {
        js_function_allow_eval on;
        js_function $TEST_NGINX_SERVER_ROOT/html/e.js;
    }
--- user_files
>>> e.js
export default { fetch() { return new Response(String(eval('20 + 22')) + ' ' + new Function('return 7')()); } };
--- request
GET /e
--- response_body chomp
42 7
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: Date.now() and performance.now() do not advance during synchronous execution
--- config
    location = /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
export default {
    fetch() {
        const d0 = Date.now(), p0 = performance.now(), n0 = new Date().getTime();
        let x = 0;
        for (let i = 0; i < 2e7; i++) x += i % 7;
        const same = Date.now() === d0 && performance.now() === p0 && new Date().getTime() === n0 && n0 === d0;
        return new Response('frozen=' + same + ' int=' + Number.isInteger(d0) + ' ' + (x > 0));
    }
};
--- request
GET /t
--- response_body chomp
frozen=true int=true true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: the clocks move between entries: after awaiting a timer they have advanced
--- config
    location = /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
export default {
    async fetch() {
        const d0 = Date.now(), p0 = performance.now();
        await new Promise((ok) => setTimeout(ok, 50));
        const dd = Date.now() - d0, dp = performance.now() - p0;
        return new Response((dd >= 45 && dd < 2000) + ' ' + (dp >= 45 && dp < 2000));
    }
};
--- request
GET /t
--- response_body chomp
true true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: Date still behaves as Date
--- config
    location = /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
export default {
    fetch() {
        const d = new Date(Date.UTC(2020, 1, 29, 12, 0, 0));
        return new Response([d.toISOString(), d instanceof Date, Date.name, Date.length,
                             typeof Date(), new Date('2021-01-01T00:00:00Z').getTime(),
                             Date.parse('2000-01-01T00:00:00Z'), Object.prototype.toString.call(new Date())].join(' '));
    }
};
--- request
GET /t
--- response_body chomp
2020-02-29T12:00:00.000Z true Date 7 string 1609459200000 946684800000 [object Date]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: two tenants of one variable location are isolated from each other
--- config
    location ~ ^/t/(?<fn>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/t/$fn.js; }
--- user_files
>>> t/a.js
globalThis.counter = 100;
export default { fetch() { return new Response(String(++globalThis.counter)); } };
>>> t/b.js
export default { fetch() { return new Response(String(globalThis.counter)); } };
--- request eval
["GET /t/a", "GET /t/b", "GET /t/a"]
--- response_body eval
["101", "undefined", "102"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: a timer counts from when setTimeout() was called, not from the start of nginx's event-loop turn (the handler ran for a while before calling it)
--- http_config
    js_function_cpu_limit 5s;
--- config
    location = /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
// CPU work that the frozen clocks cannot see from inside the entry
function spin() {
    let x = 0;
    for (let i = 0; i < 2e8; i++) x = (x + i) | 0;
    return x;
}
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
export default {
    async fetch() {
        // the loop's turn began before spin(); a 1 ms timer wakes it
        // soon after the handler returns, and says when that was
        const d0 = Date.now();
        spin();
        let woke = -1;
        const due = sleep(50);
        setTimeout(() => { woke = Date.now() - d0; }, 1);
        await due;
        const dd = Date.now() - d0;
        return new Response(woke >= 0 && dd >= woke + 45 ? 'on time'
                            : `woken at ${woke} ms, the 50 ms timer fired at ${dd} ms`);
    }
};
--- request
GET /t
--- response_body chomp
on time
--- timeout: 20
--- no_error_log
[error]
[alert]
[crit]
