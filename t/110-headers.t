# Response headers: checked in C whatever the engine lets through, then
# mapped onto nginx's own fields so that nginx's filters work on them.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: a status text smuggled past the JS checks is refused in C
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
// the runtime's checks call RegExp.prototype.test: make every "is it
// valid" (anchored) pattern say yes and every "find a bad byte" say no
RegExp.prototype.test = function () { return this.source.endsWith('$'); };
export default {
    fetch() { return new Response('x', { statusText: 'OK\r\nX-Injected: yes' }); }
};
--- request
GET /h
--- error_code: 500
--- raw_response_headers_unlike: (?i)X-Injected
--- error_log eval
qr/js_function "[^"]*\/html\/h\.js": invalid response status text,/



=== TEST 2: a header name smuggled past the JS checks is refused in C
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
RegExp.prototype.test = function () { return this.source.endsWith('$'); };
export default {
    fetch() { return new Response('x', { headers: [['bad name', 'v']] }); }
};
--- request
GET /h
--- error_code: 500
--- raw_response_headers_unlike: (?i)bad name
--- error_log eval
qr/js_function "[^"]*\/html\/h\.js": invalid response header name "bad%20name",/



=== TEST 3: a name with a colon cannot start a header of its own
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
RegExp.prototype.test = function () { return this.source.endsWith('$'); };
export default {
    fetch() { return new Response('x', { headers: [['x-injected:yes', 'v']] }); }
};
--- request
GET /h
--- error_code: 500
--- raw_response_headers_unlike: (?i)X-Injected
--- error_log eval
qr/js_function "[^"]*\/html\/h\.js": invalid response header name "x-injected:yes",/



=== TEST 4: an empty header name is refused
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
RegExp.prototype.test = function () { return this.source.endsWith('$'); };
export default {
    fetch() { return new Response('x', { headers: [['', 'v']] }); }
};
--- request
GET /h
--- error_code: 500
--- error_log eval
qr/js_function "[^"]*\/html\/h\.js": invalid response header name "",/



=== TEST 5: a header value with CR LF smuggled past the JS checks never reaches the wire
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
RegExp.prototype.test = function () { return this.source.endsWith('$'); };
export default {
    fetch() { return new Response('x', { headers: { 'x-a': 'v\r\nX-Injected: yes' } }); }
};
--- request
GET /h
--- error_code: 500
--- raw_response_headers_unlike: (?i)X-Injected
--- error_log eval
qr/js_function "[^"]*\/html\/h\.js": response header contains CR, LF or NUL,/



=== TEST 6: more than 1000 response headers
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch() {
        const h = new Headers();
        for (let i = 0; i <= 1000; i++) h.set('x-h' + i, 'v');
        return new Response('x', { headers: h });
    }
};
--- request
GET /h
--- error_code: 500
--- raw_response_headers_unlike: (?i)x-h1
--- error_log eval
qr/js_function "[^"]*\/html\/h\.js": too many response headers \(more than 1000\),/



=== TEST 7: 1000 response headers are fine
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch() {
        const h = new Headers();
        for (let i = 0; i < 999; i++) h.set('x-h' + i, 'v');
        return new Response('x', { headers: h });
    }
};
--- request
GET /h
--- response_headers
x-h998: v
--- response_body chomp
x
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: 70 KB of response headers
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch() { return new Response('x', { headers: { 'x-big': 'b'.repeat(70 * 1024) } }); }
};
--- request
GET /h
--- error_code: 500
--- raw_response_headers_unlike: (?i)x-big
--- error_log eval
qr/js_function "[^"]*\/html\/h\.js": response headers larger than 64 KB,/
