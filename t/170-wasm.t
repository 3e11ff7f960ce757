# WebAssembly: a function imports a .wasm file next to it (a
# WebAssembly.Module, as on other edge runtimes); compiling bytes made at run
# time follows js_function_allow_eval; Wasm memory counts against
# js_function_memory; the CPU limit stops a looping Wasm function.
# t.wasm exports add(a, b), spin() (an endless loop), grow(pages) and mem.

use Test::Nginx::Socket 'no_plan';

master_on();
workers(1);

our $Wasm = "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x0f\x03\x60\x02\x7f\x7f\x01\x7f\x60\x00\x00\x60\x01\x7f\x01\x7f\x03\x04\x03\x00\x01\x02\x05\x03\x01\x00\x01\x07\x1b\x04\x03\x6d\x65\x6d\x02\x00\x03\x61\x64\x64\x00\x00\x04\x73\x70\x69\x6e\x00\x01\x04\x67\x72\x6f\x77\x00\x02\x0a\x18\x03\x07\x00\x20\x00\x20\x01\x6a\x0b\x07\x00\x03\x40\x0c\x00\x0b\x0b\x06\x00\x20\x00\x40\x00\x0b";

run_tests();

__DATA__

=== TEST 1: import a .wasm file and call it
--- config
    location /w { js_function $TEST_NGINX_SERVER_ROOT/html/w.js; }
--- user_files eval
[["t.wasm", $::Wasm], ["w.js", <<'JS']]
import mod from './t.wasm';
const { exports } = new WebAssembly.Instance(mod);
export default { fetch() {
    return new Response([mod instanceof WebAssembly.Module, exports.add(40, 2),
                         exports.mem.buffer.byteLength,
                         WebAssembly.Module.exports(mod).map((e) => e.name).join()].join(' '));
} };
JS
--- request
GET /w
--- response_body: true 42 65536 mem,add,spin,grow
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: compiling bytes made at run time is refused unless js_function_allow_eval
--- config
    location /w { js_function $TEST_NGINX_SERVER_ROOT/html/w.js; }
    location /e {
        js_function_allow_eval on;
        js_function $TEST_NGINX_SERVER_ROOT/html/e.js;
    }
--- user_files eval
my $js = <<'JS';
import mod from './t.wasm';
const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
export default { async fetch() {
    const out = [];
    try { new WebAssembly.Module(bytes); out.push('sync ok'); } catch (e) { out.push(e.name); }
    try { await WebAssembly.compile(bytes); out.push('async ok'); } catch (e) { out.push(e.name); }
    try { await WebAssembly.instantiate(mod); out.push('module ok'); } catch (e) { out.push(e.name); }
    return new Response(out.join(' '));
} };
JS
[["t.wasm", $::Wasm], ["w.js", $js], ["e.js", $js]]
--- request eval
["GET /w", "GET /e"]
--- response_body eval
["CompileError CompileError module ok", "sync ok async ok module ok"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a Wasm loop is stopped by js_function_cpu_limit
--- config
    location /w {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/w.js;
    }
--- user_files eval
[["t.wasm", $::Wasm], ["w.js", <<'JS']]
import mod from './t.wasm';
export default { fetch() { new WebAssembly.Instance(mod).exports.spin(); return new Response('never'); } };
JS
--- request
GET /w
--- error_code: 503
--- timeout: 3
--- error_log eval
qr/\[error\] .*js_function ".*w\.js": CPU time limit of 50 ms exceeded \(js_function_cpu_limit\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 4: Wasm memory counts against js_function_memory (memory.grow inside Wasm)
--- config
    location /w {
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/w.js;
    }
--- user_files eval
[["t.wasm", $::Wasm], ["w.js", <<'JS']]
import mod from './t.wasm';
export default { fetch() {
    const x = new WebAssembly.Instance(mod).exports;
    return new Response(String(x.grow(1000)));
} };
JS
--- request
GET /w
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*w\.js": memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 5: a WebAssembly.Memory made from JS counts too
--- config
    location /w {
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/w.js;
    }
--- user_files
>>> w.js
export default { fetch() { return new Response(String(new WebAssembly.Memory({ initial: 1000 }).buffer.byteLength)); } };
--- request
GET /w
--- error_code: 503
--- error_log eval
qr/memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]



=== TEST 6: an invalid .wasm file fails the load with its path
--- config
    location /w { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_f.js; }
--- user_files
>>> bad.wasm
this is not wasm
>>> w.js
import mod from './bad.wasm';
export default { fetch() { return new Response('never'); } };
--- request
GET /w?f=w
--- error_code: 500
--- error_log eval
qr/js_function ".*w\.js": cannot load: .*cannot compile ".*bad\.wasm": CompileError/
--- no_error_log
[alert]
[crit]



=== TEST 7: one WebAssembly memory cannot pass 1 GiB, whatever js_function_memory allows
--- config
    location /w {
        js_function_memory 4096m;
        js_function $TEST_NGINX_SERVER_ROOT/html/w.js;
    }
--- user_files
>>> w.js
export default { fetch() {
    const m = new WebAssembly.Memory({ initial: 1 });
    const out = [];
    try { m.grow(16383); out.push(m.buffer.byteLength); } catch (e) { out.push(e.name); }
    try { m.grow(1); out.push('grew past 1 GiB'); } catch (e) { out.push(e.name); }
    return new Response(out.join(' '));
} };
--- request
GET /w
--- response_body: 1073741824 RangeError
--- no_error_log
[error]
[alert]
[crit]
