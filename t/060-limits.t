# Hostile functions: CPU, memory, wall time, recursion.  Each is stopped,
# answered with an error status, its isolate replaced; the worker survives
# (master_on: a crashed worker would show as "exited on signal").

use Test::Nginx::Socket 'no_plan';

master_on();
workers(1);

run_tests();

__DATA__

=== TEST 1: an endless loop is stopped by js_function_cpu_limit: 503 and a log line naming the function and the limit
--- config
    location /spin {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/spin.js;
    }
--- user_files
>>> spin.js
export default { fetch() { while (true) {} } };
--- request
GET /spin
--- timeout: 2
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*spin\.js": CPU time limit of 50 ms exceeded \(js_function_cpu_limit\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 2: after a CPU kill the next request gets a fresh isolate and succeeds
--- config
    location /spin {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/spin.js;
    }
--- user_files
>>> spin.js
let n = 0;
export default { fetch(r) { n++; if (r.url.endsWith('/loop')) { for (;;) {} } return new Response('n=' + n); } };
--- request eval
["GET /spin/a", "GET /spin/a", "GET /spin/loop", "GET /spin/a"]
--- error_code eval
[200, 200, 503, 200]
--- response_body_like eval
[qr/^n=1$/, qr/^n=2$/, qr/.*/, qr/^n=1$/]
--- timeout: 2
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 3: a loop in a timer callback is stopped too; the waiting request gets 503
--- config
    location /tl {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/tl.js;
    }
--- user_files
>>> tl.js
export default {
    fetch() {
        return new Promise((resolve) => setTimeout(() => { for (;;) {} }, 10));
    }
};
--- request
GET /tl
--- timeout: 2
--- error_code: 503
--- error_log
CPU time limit of 50 ms exceeded
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 4: a loop at module top level is stopped while loading
--- config
    location ~ ^/v/(?<n>\w+)$ {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/$n.js;
    }
--- user_files
>>> top.js
for (;;) {}
export default { fetch() { return new Response('never'); } };
--- request
GET /v/top
--- timeout: 2
--- error_code: 503
--- error_log
CPU time limit of 50 ms exceeded
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 5: a function that allocates past js_function_memory gets 503, its isolate is discarded, the worker lives
--- config
    location /eat {
        js_function_memory 32m;
        js_function $TEST_NGINX_SERVER_ROOT/html/eat.js;
    }
--- user_files
>>> eat.js
let n = 0;
export default {
    fetch(r) {
        n++;
        if (r.url.endsWith('/all')) {
            const hoard = [];
            for (;;) hoard.push({ n, pad: new Array(100).fill(n) });
        }
        return new Response('n=' + n);
    }
};
--- request eval
["GET /eat/x", "GET /eat/all", "GET /eat/x"]
--- error_code eval
[200, 503, 200]
--- response_body_like eval
[qr/^n=1$/, qr/.*/, qr/^n=1$/]
--- timeout: 5
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 6: the memory kill is logged naming the function and the limit
--- config
    location /eat {
        js_function_memory 32m;
        js_function $TEST_NGINX_SERVER_ROOT/html/eat.js;
    }
--- user_files
>>> eat.js
export default {
    fetch() {
        let s = [];
        for (;;) s.push('x'.repeat(1000) + s.length);
    }
};
--- request
GET /eat
--- timeout: 5
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*eat\.js": memory limit of 32 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 7: ArrayBuffer memory counts against js_function_memory
--- config
    location /ab {
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/ab.js;
    }
--- user_files
>>> ab.js
export default {
    fetch() {
        const keep = [];
        for (let i = 0; i < 64; i++) keep.push(new Uint8Array(1 << 20));
        return new Response('kept ' + keep.length + ' MB');
    }
};
--- request
GET /ab
--- error_code: 503
--- response_body_unlike: kept
--- error_log
memory limit of 16 MB exceeded (js_function_memory)
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 8: a function within its memory limit is not disturbed by it
--- config
    location /fit {
        js_function_memory 64m;
        js_function $TEST_NGINX_SERVER_ROOT/html/fit.js;
    }
--- user_files
>>> fit.js
export default {
    fetch() {
        const a = new Uint8Array(8 << 20);
        const objs = Array.from({ length: 100000 }, (_, i) => ({ i }));
        return new Response(a.length + ' ' + objs.length);
    }
};
--- request
GET /fit
--- response_body chomp
8388608 100000
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: a killed function does not disturb a request in flight to another function
--- config
    location /spin {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/spin.js;
    }
    location /slow { js_function $TEST_NGINX_SERVER_ROOT/html/slow.js; }
--- user_files
>>> spin.js
export default { fetch() { for (;;) {} } };
>>> slow.js
let finished = 0;
export default {
    async fetch(r) {
        if (r.url.endsWith('/result')) {
            while (finished === 0) await new Promise((ok) => setTimeout(ok, 20));
            return new Response('slow finished ' + finished);
        }
        await new Promise((ok) => setTimeout(ok, 300));
        finished++;
        return new Response('slow done');
    }
};
--- init
use IO::Socket::INET;
our $JSFN_SLOW = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984) or die "connect: $!";
print $JSFN_SLOW "GET /slow/go HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
select(undef, undef, undef, 0.05);
--- request eval
["GET /spin", "GET /slow/result"]
--- error_code eval
[503, 200]
--- response_body_like eval
[qr/.*/, qr/^slow finished 1$/]
--- timeout: 3
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 10: requests waiting on an isolate that is killed are answered 503 at once
--- config
    location /shared {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/shared.js;
    }
--- user_files
>>> shared.js
export default {
    async fetch(r) {
        if (r.url.endsWith('/spin')) for (;;) {}
        await new Promise((ok) => setTimeout(ok, 5000));
        return new Response('woke');
    }
};
--- init
use IO::Socket::INET;
our $JSFN_WAIT = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984) or die "connect: $!";
print $JSFN_WAIT "GET /shared/wait HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
select(undef, undef, undef, 0.05);
--- request
GET /shared/spin
--- timeout: 3
--- error_code: 503
--- grep_error_log eval
qr/CPU time limit of 50 ms exceeded \(js_function_cpu_limit\), client: \S+, server: \S+, request: "GET \/shared\/\w+/
--- grep_error_log_out
CPU time limit of 50 ms exceeded (js_function_cpu_limit), client: 127.0.0.1, server: localhost, request: "GET /shared/spin
CPU time limit of 50 ms exceeded (js_function_cpu_limit), client: 127.0.0.1, server: localhost, request: "GET /shared/wait
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 11: a function that needs its CPU time gets it below the limit
--- config
    location /work {
        js_function_cpu_limit 2s;
        js_function $TEST_NGINX_SERVER_ROOT/html/work.js;
    }
--- user_files
>>> work.js
export default {
    fetch() {
        let x = 0;
        for (let i = 0; i < 5e6; i++) x = (x + i * i) % 1000003;
        return new Response('x=' + x);
    }
};
--- request
GET /work
--- response_body_like: ^x=\d+$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: a wall-time timeout (504) does not condemn the isolate
--- config
    location /wt {
        js_function_timeout 100ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/wt.js;
    }
--- user_files
>>> wt.js
let n = 0;
export default { fetch(r) { n++; if (r.url.endsWith('/hang')) return new Promise((resolve) => setTimeout(resolve, 60000)); return new Response('n=' + n); } };
--- request eval
["GET /wt/a", "GET /wt/hang", "GET /wt/a"]
--- error_code eval
[200, 504, 200]
--- response_body_like eval
[qr/^n=1$/, qr/.*/, qr/^n=3$/]
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 13: a huge string is a catchable RangeError, not a crash
--- config
    location /str { js_function $TEST_NGINX_SERVER_ROOT/html/str.js; }
--- user_files
>>> str.js
export default {
    fetch() {
        try { 'x'.repeat(2 ** 31); return new Response('made it?'); }
        catch (e) { return new Response('caught ' + e.name); }
    }
};
--- request
GET /str
--- response_body chomp
caught RangeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: after a second without JS the parked watchdog still stops a loop
--- config
    location /spin {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/spin.js;
    }
--- user_files
>>> spin.js
export default { fetch() { for (;;) {} } };
--- init
select(undef, undef, undef, 1.5);
--- request
GET /spin
--- timeout: 2
--- error_code: 503
--- error_log
CPU time limit of 50 ms exceeded (js_function_cpu_limit)
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 15: js_function_cpu_limit 0 sets no limit
--- config
    location /work {
        js_function_cpu_limit 0;
        js_function $TEST_NGINX_SERVER_ROOT/html/work.js;
    }
--- user_files
>>> work.js
export default {
    fetch() {
        let x = 0;
        for (let i = 0; i < 3e7; i++) x = (x + i) % 1000003;
        return new Response('x=' + x);
    }
};
--- request
GET /work
--- timeout: 5
--- response_body_like: ^x=\d+$
--- no_error_log
[error]
[alert]
[crit]
