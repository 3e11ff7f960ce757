# Hostile functions and inputs that once stopped or froze a worker: each is
# now answered for that request alone, and the worker goes on serving
# (master_on: a crashed worker shows as "exited on signal" and fails).

use Test::Nginx::Socket 'no_plan';

master_on();
workers(1);

our $Big = 'x' x (30 * 1024 * 1024);
our $Mid = 'y' x (6 * 1024 * 1024);

run_tests();

__DATA__

=== TEST 1: a request body past js_function_memory is refused with 413, not an abort; the next request is served
--- http_config
    client_max_body_size 100m;
    client_body_buffer_size 64m;
--- config
    location /ab {
        js_function_memory 8m;
        js_function $TEST_NGINX_SERVER_ROOT/html/ab.js;
    }
--- user_files
>>> ab.js
export default { async fetch(r) { const b = await r.arrayBuffer(); return new Response('len=' + b.byteLength); } };
--- request eval
"POST /ab\n$::Big"
--- error_code: 413
--- timeout: 10
--- error_log eval
qr/\[error\] .*js_function ".*ab\.js": the request body of 31457280 bytes does not fit the function's memory of 8 MB \(js_function_memory\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 2: a body within js_function_memory is read, and the isolate serves on after a refused one (which ran the function: a body nginx is still reading streams to it, t/220-streaming.t)
--- http_config
    client_max_body_size 100m;
    client_body_buffer_size 64m;
--- config
    location /ab {
        js_function_memory 8m;
        js_function $TEST_NGINX_SERVER_ROOT/html/ab.js;
    }
--- user_files
>>> ab.js
let n = 0;
export default { async fetch(r) { n++; const b = await r.arrayBuffer(); return new Response(n + ' len=' + b.byteLength); } };
--- request eval
["POST /ab\n$::Mid", "POST /ab\n$::Big", "POST /ab\n$::Mid"]
--- error_code eval
[200, 413, 200]
--- response_body_like eval
[qr/^1 len=6291456$/, qr/413/, qr/^3 len=6291456$/]
--- timeout: 10
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 3: TextEncoder past the budget is a memory limit kill (503), not an abort
--- config
    location /enc {
        js_function_memory 8m;
        js_function $TEST_NGINX_SERVER_ROOT/html/enc.js;
    }
--- user_files
>>> enc.js
export default { fetch(r) {
    if (r.url.endsWith('/ok')) return new Response('ok');
    const s = 'x'.repeat(20 * 1024 * 1024);
    return new Response(String(new TextEncoder().encode(s).length));
} };
--- request
GET /enc/big
--- error_code: 503
--- timeout: 5
--- error_log eval
qr/\[error\] .*js_function ".*enc\.js": memory limit of 8 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 4: a huge string response (a 512 MB concatenation) is a memory limit kill, not an abort
--- config
    location /big {
        js_function $TEST_NGINX_SERVER_ROOT/html/big.js;
    }
--- user_files
>>> big.js
export default { fetch(r) {
    if (r.url.endsWith('/ok')) return new Response('ok');
    let s = '\u0800'.repeat(1 << 20);
    for (let i = 0; i < 8; i++) s += s;
    return new Response(s);
} };
--- request
GET /big/s
--- error_code: 503
--- timeout: 10
--- error_log eval
qr/\[error\] .*js_function ".*big\.js": memory limit of 128 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 5: logging a huge concatenated string logs its size, not an abort
--- config
    location /flat {
        js_function_memory 32m;
        js_function $TEST_NGINX_SERVER_ROOT/html/flat.js;
    }
--- user_files
>>> flat.js
export default { fetch(r) {
    let s = 'ab'.repeat(1 << 20);
    for (let i = 0; i < 6; i++) s += s;
    console.log(s);
    return new Response('logged');
} };
--- request
GET /flat
--- response_body: logged
--- timeout: 10
--- error_log eval
qr/\[info\] .*js_function ".*flat\.js": <a string of 134217728 characters>/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 6: one huge allocation inside a builtin (toUpperCase of 128 MB) stops the function, not the worker
--- config
    location /upper {
        js_function_memory 32m;
        js_function $TEST_NGINX_SERVER_ROOT/html/upper.js;
    }
--- user_files
>>> upper.js
export default { fetch(r) {
    let s = 'ab'.repeat(1 << 20);
    for (let i = 0; i < 6; i++) s += s;
    return new Response(String(s.toUpperCase().length));
} };
--- request
GET /upper
--- error_code: 503
--- timeout: 10
--- error_log eval
qr/\[error\] .*js_function ".*upper\.js": memory limit of 32 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 7: setInterval(f, 0) does not freeze the worker: other requests are served
--- config
    location /spin { js_function $TEST_NGINX_SERVER_ROOT/html/spin.js; }
    location /hello { js_function $TEST_NGINX_SERVER_ROOT/html/hello.js; }
--- user_files
>>> spin.js
let n = 0;
export default { fetch() { if (n === 0) { n = 1; setInterval(() => { n++; }, 0); } return new Response('started'); } };
>>> hello.js
export default { fetch() { return new Response('hello'); } };
--- request eval
["GET /spin", "GET /hello", "GET /hello"]
--- response_body eval
["started", "hello", "hello"]
--- timeout: 3
--- no_error_log
[error]
[alert]
[crit]
exited on signal



=== TEST 8: a setTimeout(f, 0) chain does not freeze the worker, and runs
--- config
    location /chain { js_function $TEST_NGINX_SERVER_ROOT/html/chain.js; }
    location /hello { js_function $TEST_NGINX_SERVER_ROOT/html/hello.js; }
--- user_files
>>> chain.js
let n = 0;
function f() { n++; setTimeout(f, 0); }
export default { async fetch(r) {
    if (n === 0) f();
    await new Promise((resolve) => setTimeout(resolve, 200));
    return new Response(n >= 3 ? 'ran' : 'stuck at ' + n);
} };
>>> hello.js
export default { fetch() { return new Response('hello'); } };
--- request eval
["GET /chain", "GET /hello"]
--- response_body eval
["ran", "hello"]
--- timeout: 3
--- no_error_log
[error]
[alert]
[crit]
exited on signal



=== TEST 9: timer callbacks that keep re-entering JavaScript are stopped like one long call
--- config
    location /busy {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/busy.js;
    }
--- user_files
>>> busy.js
let n = 0;
function f() { n++; let x = 0; for (let i = 0; i < 3e6; i++) x += i; setTimeout(f, 0); }
export default { async fetch(r) {
    f();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return new Response('never');
} };
--- request
GET /busy
--- error_code: 503
--- timeout: 3
--- error_log eval
qr/\[error\] .*js_function ".*busy\.js": CPU time limit of 50 ms exceeded by timer callbacks within 500 ms \(js_function_cpu_limit\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 10: Atomics.wait throws instead of blocking the worker
--- config
    location /wait { js_function $TEST_NGINX_SERVER_ROOT/html/wait.js; }
--- user_files
>>> wait.js
export default { fetch() {
    const a = new Int32Array(new SharedArrayBuffer(4));
    try { Atomics.wait(a, 0, 0, 3000); return new Response('waited'); }
    catch (e) { return new Response(e.name); }
} };
--- request
GET /wait
--- response_body: TypeError
--- timeout: 2
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: new Array(34e6).fill(0) is stopped within the limits, not after seconds
--- config
    location /fill {
        js_function_cpu_limit 200ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/fill.js;
    }
--- user_files
>>> fill.js
export default { fetch(r) {
    if (r.url.endsWith('/small')) return new Response([1, 2, 3, 4, 5].fill(0, 1, -1).join());
    return new Response(String(new Array(34e6).fill(0).length));
} };
--- request
GET /fill/big
--- error_code: 503
--- timeout: 4
--- error_log eval
qr/js_function ".*fill\.js": (CPU time limit of 200 ms|memory limit of 128 MB) exceeded/



=== TEST 12: Array.prototype.fill keeps its meaning, small and sliced
--- config
    location /fill { js_function $TEST_NGINX_SERVER_ROOT/html/fill.js; }
--- user_files
>>> fill.js
export default { fetch() {
    const a = [1, 2, 3, 4, 5].fill(0, 1, -1).join();
    const b = new Array(200000).fill(7, -100000);
    const c = Array.prototype.fill.call({ length: 3 }, 'x');
    return new Response([a, b.length, String(b[99999]), b[100000], b[199999], JSON.stringify(c),
                         Array.prototype.fill.length, Array.prototype.fill.name].join(' '));
} };
--- request
GET /fill
--- response_body: 1,0,0,0,5 200000 undefined 7 7 {"0":"x","1":"x","2":"x","length":3} 1 fill
--- no_error_log
[error]
[alert]
[crit]
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 13: a handler whose promise nothing can settle is answered 500 at once, not after js_function_timeout
--- config
    location /hang {
        js_function_timeout 20s;
        js_function $TEST_NGINX_SERVER_ROOT/html/hang.js;
    }
--- user_files
>>> hang.js
export default { async fetch(r) {
    if (r.url.endsWith('/later')) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise(() => {});
} };
--- request
GET /hang/later
--- error_code: 500
--- timeout: 2
--- error_log eval
qr/\[error\] .*js_function ".*hang\.js": the function will never produce a response: its promise is pending and nothing is left that could settle it/
--- no_error_log
[alert]
[crit]



=== TEST 14: a promise kept pending by a timer is not taken for a hung one
--- config
    location /wait { js_function $TEST_NGINX_SERVER_ROOT/html/wait.js; }
--- user_files
>>> wait.js
let resolveLater;
export default { async fetch() {
    const p = new Promise((resolve) => { resolveLater = resolve; });
    setTimeout(() => resolveLater('late'), 50);
    return new Response(await p);
} };
--- request
GET /wait
--- response_body: late
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: a FIFO named like a function is refused at once, it does not block the worker
--- init
use POSIX ();
my $dir = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
system("mkdir", "-p", $dir);
unlink "$dir/fifo.js";
POSIX::mkfifo("$dir/fifo.js", 0644) or die "mkfifo: $!";
--- config
    location /fn { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_f.js; }
--- user_files
>>> hello.js
export default { fetch() { return new Response('hello'); } };
--- request
GET /fn?f=fifo
--- error_code: 404
--- timeout: 3
--- error_log eval
qr/js_function ".*fifo\.js": cannot open ".*fifo\.js": not a regular file/
--- no_error_log
[alert]
[crit]



=== TEST 16: Object.prototype.then does not let a function forge what the runtime hands nginx
--- config
    location /then { js_function $TEST_NGINX_SERVER_ROOT/html/then.js; }
--- user_files
>>> then.js
Object.prototype.then = function (resolve) {
    delete Object.prototype.then;
    resolve({ status: 200, statusText: 'OK', headers: ['x-forged', '1'], body: 'forged', wait: null });
};
export default { fetch() { return new Response('real', { headers: { 'x-real': '1' } }); } };
--- request
GET /then
--- response_body: real
--- response_headers
x-real: 1
!x-forged
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: a replaced Promise.prototype.then does not keep an async handler's response from nginx
--- config
    location /then { js_function $TEST_NGINX_SERVER_ROOT/html/then.js; }
--- user_files
>>> then.js
Promise.prototype.then = function () {};
export default { async fetch() { return new Response('real'); } };
--- request
GET /then
--- response_body: real
--- no_error_log
[error]
[alert]
[crit]
