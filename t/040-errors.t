# Errors are clear and contained: 500 to the client, the cause in error_log,
# and the worker goes on serving.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: a thrown exception is a 500 without a stack; the stack with file:line is logged
--- config
    location = /throw { js_function $TEST_NGINX_SERVER_ROOT/html/throw.js; }
--- user_files
>>> throw.js
export default {
    fetch() {
        throw new Error('boom');
    }
};
--- request
GET /throw
--- error_code: 500
--- response_body_unlike: (boom|throw\.js)
--- error_log eval
[qr/js_function ".*throw\.js": Uncaught Error: boom/, qr/at Object\.fetch \(.*throw\.js:3:15\)/]
--- no_error_log
[alert]
[crit]



=== TEST 2: a rejected promise is a 500 with the error logged
--- config
    location = /rej { js_function $TEST_NGINX_SERVER_ROOT/html/rej.js; }
--- user_files
>>> rej.js
export default {
    async fetch() {
        await null;
        throw new TypeError('async failure');
    }
};
--- request
GET /rej
--- error_code: 500
--- response_body_unlike: async failure
--- error_log eval
[qr/Uncaught TypeError: async failure/, qr/rej\.js:4:/]
--- no_error_log
[alert]
[crit]



=== TEST 3: throwing a non-Error value is logged with its location
--- config
    location = /str { js_function $TEST_NGINX_SERVER_ROOT/html/str.js; }
--- user_files
>>> str.js
export default {
    fetch() {
        throw 'just a string';
    }
};
--- request
GET /str
--- error_code: 500
--- error_log eval
qr/Uncaught just a string at .*str\.js:3/
--- no_error_log
[alert]
[crit]



=== TEST 4: after an exception the next request is served by the same isolate
--- config
    location /flaky { js_function $TEST_NGINX_SERVER_ROOT/html/flaky.js; }
--- user_files
>>> flaky.js
let n = 0;
export default {
    fetch(r) {
        n++;
        if (r.url.endsWith('/fail')) throw new Error('requested failure');
        return new Response('n=' + n);
    }
};
--- request eval
["GET /flaky/fail", "GET /flaky/ok"]
--- error_code eval
[500, 200]
--- response_body_like eval
[qr/.*/, qr/^n=2$/]
--- no_error_log
[alert]
[crit]



=== TEST 5: a syntax error in a variable-path function is a 500 with file:line in the log
--- config
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
--- user_files
>>> broken.js
export default {
    fetch() {
        return new Response('x'
    }
};
--- request
GET /v/broken
--- error_code: 500
--- error_log eval
qr/js_function ".*broken\.js": cannot load: SyntaxError: missing \) after argument list at .*broken\.js:3/
--- no_error_log
[alert]
[crit]



=== TEST 6: a missing import is a 500 naming the module and the importer
--- config
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
--- user_files
>>> imp.js
import { x } from './nowhere.js';
export default { fetch() { return new Response(x); } };
--- request
GET /v/imp
--- error_code: 500
--- error_log eval
qr/cannot load: Error: Cannot find module '\.\/nowhere\.js' imported from .*imp\.js/
--- no_error_log
[alert]
[crit]



=== TEST 7: bare specifiers (node/npm style) are refused with a clear message
--- config
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
--- user_files
>>> bare.js
import fs from 'fs';
export default { fetch() { return new Response('x'); } };
--- request
GET /v/bare
--- error_code: 500
--- error_log
Cannot find module 'fs'
only relative imports of the function's own files and the runtime's node: modules are allowed
--- no_error_log
[alert]
[crit]



=== TEST 8: an import that climbs out of the function's directory is refused
--- config
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/fns/$name.js; }
--- user_files
>>> fns/climb.js
import s from '../outside.js';
export default { fetch() { return new Response(s); } };
>>> outside.js
export default 'secret outside';
--- request
GET /v/climb
--- error_code: 500
--- response_body_unlike: secret
--- error_log
outside the function's directory
--- no_error_log
[alert]
[crit]



=== TEST 9: a module without a default export is a 500 that says so
--- config
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
--- user_files
>>> nodefault.js
export function fetch() { return new Response('x'); }
--- request
GET /v/nodefault
--- error_code: 500
--- error_log
the module has no default export
--- no_error_log
[alert]
[crit]



=== TEST 10: a default export without fetch() is a 500 that says so
--- config
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
--- user_files
>>> nofetch.js
export default { handle() { return new Response('x'); } };
--- request
GET /v/nofetch
--- error_code: 500
--- error_log
the default export has no fetch() handler
--- no_error_log
[alert]
[crit]



=== TEST 11: an exception at module top level is a 500 with the stack
--- config
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
--- user_files
>>> top.js
const config = JSON.parse('{oops');
export default { fetch() { return new Response('x'); } };
--- request
GET /v/top
--- error_code: 500
--- error_log eval
[qr/cannot load: SyntaxError: .*JSON/, qr/top\.js:1/]
--- no_error_log
[alert]
[crit]



=== TEST 12: a broken function does not affect a healthy one in the same worker
--- config
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
--- user_files
>>> bad.js
export default { fetch() { null.boom(); } };
>>> good.js
export default { fetch() { return new Response('good'); } };
--- request eval
["GET /v/bad", "GET /v/good", "GET /v/bad", "GET /v/good"]
--- error_code eval
[500, 200, 500, 200]
--- response_body_like eval
[qr/.*/, qr/^good$/, qr/.*/, qr/^good$/]
--- no_error_log
[alert]
[crit]



=== TEST 13: console methods write to error_log at matching levels, naming the function
--- config
    location = /con { js_function $TEST_NGINX_SERVER_ROOT/html/con.js; }
--- user_files
>>> con.js
export default {
    fetch() {
        console.log('log line', 42, { a: 1 });
        console.info('info line');
        console.warn('warn line');
        console.error('error line', new Error('shown'));
        console.debug('debug line');
        return new Response('logged');
    }
};
--- request
GET /con
--- response_body chomp
logged
--- error_log eval
[qr/\[info\] .*js_function ".*con\.js": log line 42 \{"a":1\}/,
 qr/\[info\] .*js_function ".*con\.js": info line/,
 qr/\[warn\] .*js_function ".*con\.js": warn line/,
 qr/\[error\] .*js_function ".*con\.js": error line Error: shown/,
 qr/\[debug\] .*js_function ".*con\.js": debug line/]
--- no_error_log
[alert]
[crit]



=== TEST 14: an unhandled rejection in background work is logged
--- config
    location = /unh { js_function $TEST_NGINX_SERVER_ROOT/html/unh.js; }
--- user_files
>>> unh.js
export default {
    fetch() {
        Promise.reject(new RangeError('nobody listens'));
        return new Response('ok');
    }
};
--- request
GET /unh
--- response_body chomp
ok
--- error_log
Uncaught (in promise) RangeError: nobody listens
--- no_error_log
[alert]
[crit]



=== TEST 15: deep recursion is a catchable RangeError, not a crash
--- config
    location = /deep { js_function $TEST_NGINX_SERVER_ROOT/html/deep.js; }
--- user_files
>>> deep.js
function f(n) { return f(n + 1) + 1; }
export default {
    fetch() {
        try { f(0); } catch (e) { return new Response('caught ' + e.name); }
    }
};
--- request
GET /deep
--- response_body chomp
caught RangeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: uncaught deep recursion is a 500 and the worker lives on
--- config
    location /deep2 { js_function $TEST_NGINX_SERVER_ROOT/html/deep2.js; }
--- user_files
>>> deep2.js
function f(n) { return f(n + 1) + 1; }
export default { fetch(r) { if (r.url.endsWith('go')) f(0); return new Response('alive'); } };
--- request eval
["GET /deep2/go", "GET /deep2/x"]
--- error_code eval
[500, 200]
--- response_body_like eval
[qr/.*/, qr/^alive$/]
--- no_error_log
[alert]
[crit]



=== TEST 17: uncaught deep recursion is logged as a RangeError
--- config
    location /deep2 { js_function $TEST_NGINX_SERVER_ROOT/html/deep2.js; }
--- user_files
>>> deep2.js
function f(n) { return f(n + 1) + 1; }
export default { fetch(r) { f(0); } };
--- request
GET /deep2/go
--- error_code: 500
--- error_log eval
qr/js_function ".*deep2\.js": Uncaught RangeError: Maximum call stack size exceeded/
--- no_error_log
[alert]
[crit]
