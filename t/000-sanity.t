# The basics: a location becomes a function endpoint.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: an object default export with fetch() answers
--- config
    location = /hello {
        js_function $TEST_NGINX_SERVER_ROOT/html/hello.js;
    }
--- user_files
>>> hello.js
export default {
    fetch(request, env, ctx) {
        return new Response('hello, world');
    }
};
--- request
GET /hello
--- response_body chomp
hello, world
--- error_code: 200
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: an async function default export answers
--- config
    location = /fn {
        js_function $TEST_NGINX_SERVER_ROOT/html/fn.js;
    }
--- user_files
>>> fn.js
export default async function (request, env, ctx) {
    await null;
    return new Response('from an async function');
}
--- request
GET /fn
--- response_body chomp
from an async function
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a fetch() returning a promise of a Response answers
--- config
    location = /fn {
        js_function $TEST_NGINX_SERVER_ROOT/html/fn.js;
    }
--- user_files
>>> fn.js
export default {
    fetch() {
        return Promise.resolve().then(() => new Response('later'));
    }
};
--- request
GET /fn
--- response_body chomp
later
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: a path relative to nginx's prefix works
--- config
    location = /rel {
        js_function html/rel.js;
    }
--- user_files
>>> rel.js
export default { fetch() { return new Response('relative'); } };
--- request
GET /rel
--- response_body chomp
relative
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: relative imports between a function's own files
--- config
    location = /imp {
        js_function $TEST_NGINX_SERVER_ROOT/html/app/main.js;
    }
--- user_files
>>> app/main.js
import { greet } from './lib/greet.js';
import shout from './shared/shout.js';
export default { fetch() { return new Response(shout(greet('nginx'))); } };
>>> app/lib/greet.js
import { punct } from './punct.js';
export function greet(who) { return 'hello ' + who + punct; }
>>> app/lib/punct.js
export const punct = '!';
>>> app/shared/shout.js
import { up } from '../lib/up.js';
export default (s) => up(s);
>>> app/lib/up.js
export const up = (s) => s.toUpperCase();
--- request
GET /imp
--- response_body chomp
HELLO NGINX!
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: globals persist across requests in the same isolate
--- config
    location = /count {
        js_function $TEST_NGINX_SERVER_ROOT/html/count.js;
    }
--- user_files
>>> count.js
let n = 0;
export default { fetch() { n++; return new Response(String(n)); } };
--- request eval
["GET /count", "GET /count", "GET /count"]
--- response_body eval
["1", "2", "3"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: two functions never see each other's globals
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
    location = /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
--- user_files
>>> a.js
globalThis.secret = 'from a';
Array.prototype.evil = () => 'patched by a';
export default { fetch() { return new Response('a set it'); } };
>>> b.js
export default {
    fetch() {
        return new Response(typeof globalThis.secret + ' ' + typeof [].evil);
    }
};
--- request eval
["GET /a", "GET /b"]
--- response_body eval
["a set it", "undefined undefined"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: HEAD gets the headers and no body
--- config
    location = /head {
        js_function $TEST_NGINX_SERVER_ROOT/html/head.js;
    }
--- user_files
>>> head.js
export default {
    fetch(request) {
        return new Response('body for ' + request.method, {
            headers: { 'x-method': request.method },
        });
    }
};
--- request
HEAD /head
--- response_headers
x-method: HEAD
Content-Length: 13
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: the same function serves several locations with one isolate
--- config
    location = /one { js_function $TEST_NGINX_SERVER_ROOT/html/shared.js; }
    location = /two { js_function $TEST_NGINX_SERVER_ROOT/html/shared.js; }
--- user_files
>>> shared.js
let n = 0;
export default { fetch(r) { n++; return new Response(new URL(r.url).pathname + ' ' + n); } };
--- request eval
["GET /one", "GET /two"]
--- response_body eval
["/one 1", "/two 2"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: js_function inside "if" in a location
--- config
    location /maybe {
        if ($arg_js) {
            js_function $TEST_NGINX_SERVER_ROOT/html/if.js;
        }
    }
--- user_files
>>> if.js
export default { fetch() { return new Response('from js\n'); } };
>>> maybe
static
--- request eval
["GET /maybe?js=1", "GET /maybe"]
--- response_body eval
["from js\n", "static\n"]
--- no_error_log
[error]
[alert]
[crit]
