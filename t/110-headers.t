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



=== TEST 3: a name with a colon cannot start a header of its own, an empty name is refused
--- config
    location /n/ { js_function $TEST_NGINX_SERVER_ROOT/html/n.js; }
--- user_files
>>> n.js
RegExp.prototype.test = function () { return this.source.endsWith('$'); };
export default {
    fetch(request) {
        const name = request.url.endsWith('/colon') ? 'x-injected:yes' : '';
        return new Response('x', { headers: [[name, 'v']] });
    }
};
--- request eval
["GET /n/colon", "GET /n/empty"]
--- error_code eval
[500, 500]
--- raw_response_headers_unlike eval
[qr/X-Injected/i, qr/X-Injected/i]
--- error_log eval
qr/js_function "[^"]*\/html\/n\.js": invalid response header name "(?:x-injected:yes|)",/



=== TEST 4: a header value with CR LF smuggled past the JS checks never reaches the wire
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



=== TEST 5: more than 1000 response headers
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



=== TEST 6: 1000 response headers are fine
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



=== TEST 7: 70 KB of response headers
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



=== TEST 8: the function's Server and Date are sent once, nginx adds none
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch() {
        return new Response('x', {
            headers: { server: 'fn/1', date: 'Tue, 01 Dec 2026 00:00:00 GMT' },
        });
    }
};
--- request
GET /h
--- response_headers
Server: fn/1
Date: Tue, 01 Dec 2026 00:00:00 GMT
--- raw_response_headers_unlike eval
qr/\nserver:.*\nserver:|\ndate:.*\ndate:|nginx/is
--- response_body chomp
x
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: the function's ETag answers If-None-Match with 304
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch() { return new Response('body', { headers: { etag: '"v1"' } }); }
};
--- request
GET /h
--- more_headers
If-None-Match: "v1"
--- error_code: 304
--- response_headers
ETag: "v1"
!Content-Length
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: the function's Last-Modified answers If-Modified-Since with 304
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch() {
        return new Response('body', {
            headers: { 'last-modified': 'Mon, 02 Nov 2026 10:00:00 GMT' },
        });
    }
};
--- request
GET /h
--- more_headers
If-Modified-Since: Mon, 02 Nov 2026 10:00:00 GMT
--- error_code: 304
--- response_headers
Last-Modified: Mon, 02 Nov 2026 10:00:00 GMT
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: gzip compresses a function's text/plain;charset=UTF-8 body (its ETag made weak) but not one the function encoded itself
--- config
    gzip on;
    gzip_types text/plain;
    gzip_min_length 1;
    location = /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
    location = /e { js_function $TEST_NGINX_SERVER_ROOT/html/e.js; }
--- user_files
>>> t.js
export default {
    fetch() { return new Response('hello '.repeat(100), { headers: { etag: '"v1"' } }); }
};
>>> e.js
export default {
    fetch() {
        return new Response('already encoded, says the function', {
            headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
        });
    }
};
--- request eval
["GET /t", "GET /e"]
--- more_headers
Accept-Encoding: gzip
--- response_headers eval
["Content-Encoding: gzip\nContent-Type: text/plain;charset=UTF-8\nETag: W/\"v1\"",
 "Content-Encoding: gzip\nContent-Length: 34"]
--- response_body eval
[qr/^\x1f\x8b/, "already encoded, says the function"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: expires replaces the function's Cache-Control and Expires; add_header adds
--- config
    location = /h {
        expires 1h;
        add_header X-A b;
        js_function $TEST_NGINX_SERVER_ROOT/html/h.js;
    }
--- user_files
>>> h.js
export default {
    fetch() {
        return new Response('x', {
            headers: [
                ['cache-control', 'no-store'],
                ['expires', 'Thu, 01 Jan 1970 00:00:00 GMT'],
            ],
        });
    }
};
--- request
GET /h
--- response_headers
Cache-Control: max-age=3600
X-A: b
--- raw_response_headers_unlike: (?i)no-store|1970
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: charset adds a charset to a type without one, keeps the function's, recodes from it with override_charset
--- http_config
    charset_map koi8-r utf-8 { C1 D0B0; }
--- config
    charset utf-8;
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
    location = /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
    location = /c {
        override_charset on;
        js_function $TEST_NGINX_SERVER_ROOT/html/c.js;
    }
--- user_files
>>> a.js
export default {
    fetch() { return new Response('x', { headers: { 'content-type': 'text/html' } }); }
};
>>> b.js
export default {
    fetch() {
        return new Response('x', {
            headers: { 'content-type': 'text/html; charset=iso-8859-1' },
        });
    }
};
>>> c.js
export default {
    fetch() {
        return new Response(new Uint8Array([0x3c, 0xc1, 0x3e]), {
            headers: { 'content-type': 'text/html; charset=koi8-r' },
        });
    }
};
--- request eval
["GET /a", "GET /b", "GET /c"]
--- response_headers eval
["Content-Type: text/html; charset=utf-8",
 "Content-Type: text/html; charset=iso-8859-1",
 "Content-Type: text/html; charset=utf-8"]
--- response_body eval
["x", "x", "<\xd0\xb0>"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: Accept-Ranges: bytes lets nginx answer ranges, If-Range against the ETag; without it, no ranges
--- config
    location = /r { js_function $TEST_NGINX_SERVER_ROOT/html/r.js; }
    location = /p { js_function $TEST_NGINX_SERVER_ROOT/html/p.js; }
--- user_files
>>> r.js
export default {
    fetch() {
        return new Response('0123456789', {
            headers: { 'accept-ranges': 'bytes', etag: '"v1"' },
        });
    }
};
>>> p.js
export default { fetch() { return new Response('0123456789'); } };
--- request eval
["GET /r", "GET /p", "GET /r"]
--- more_headers eval
["Range: bytes=2-4", "Range: bytes=2-4", "Range: bytes=2-4\nIf-Range: \"v0\""]
--- error_code eval
[206, 200, 200]
--- response_headers eval
["Content-Range: bytes 2-4/10\n!Accept-Ranges", "!Accept-Ranges", "Accept-Ranges: bytes"]
--- response_body eval
["234", "0123456789", "0123456789"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: a relative Location is made absolute as nginx's own, unless absolute_redirect off
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/l.js; }
    location = /b {
        absolute_redirect off;
        js_function $TEST_NGINX_SERVER_ROOT/html/l.js;
    }
--- user_files
>>> l.js
export default {
    fetch() { return new Response(null, { status: 302, headers: { location: '/there' } }); }
};
--- request eval
["GET /a", "GET /b"]
--- error_code eval
[302, 302]
--- response_headers_like eval
["Location: http://localhost:\\d+/there", "Location: /there"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: sub_filter rewrites a function's text/html body and drops its validators
--- config
    location = /h {
        sub_filter world nginx;
        js_function $TEST_NGINX_SERVER_ROOT/html/h.js;
    }
--- user_files
>>> h.js
export default {
    fetch() {
        return new Response('<p>hello world</p>', {
            headers: {
                'content-type': 'text/html; charset=utf-8',
                etag: '"v1"',
                'last-modified': 'Mon, 02 Nov 2026 10:00:00 GMT',
            },
        });
    }
};
--- request
GET /h
--- response_headers
!ETag
!Last-Modified
--- response_body chomp
<p>hello nginx</p>
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: a function's 401 reaches the client through auth_request with its WWW-Authenticate
--- config
    location = /private { auth_request /auth; }
    location = /auth { js_function $TEST_NGINX_SERVER_ROOT/html/auth.js; }
--- user_files
>>> auth.js
export default {
    fetch() {
        return new Response(null, {
            status: 401,
            headers: { 'www-authenticate': 'Bearer realm="fn"' },
        });
    }
};
--- request
GET /private
--- error_code: 401
--- response_headers
WWW-Authenticate: Bearer realm="fn"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 18: a record HeadersInit keeps the standard's semantics (the native walk of plain objects falls back wherever JS could tell)
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
const list = (init) => {
    try { return [...new Headers(init)].map((p) => p.join('=')).join(' '); }
    catch (e) { return e.constructor.name + ': ' + e.message; }
};
export default {
    fetch() {
        const log = [];
        const o = { get a() { log.push('get a'); delete o.b; return '1'; }, b: '2', c: '3' };
        const p = new Proxy({ A: 'x', b: 'y' }, {
            ownKeys(t) { log.push('ownKeys'); return Reflect.ownKeys(t); },
            getOwnPropertyDescriptor(t, k) { log.push('gOPD ' + k); return Reflect.getOwnPropertyDescriptor(t, k); },
            get(t, k) { log.push('get ' + String(k)); return t[k]; },
        });
        const hidden = { shown: 's' };
        Object.defineProperty(hidden, 'hidden', { value: 'h', enumerable: false });
        const tricky = { toString() { log.push('toString'); return 'v'; } };
        const out = [
            list({ 'X-Up': '  spaced\t', 'content-type': 'text/plain' }),
            list({ 'a b': 'x' }),
            list({ a: 'x\ny' }),
            list({ a: 'x\0y' }),
            list({ a: '\u0100' }),
            list({ '\u00e9': 'x' }),
            list({ '': 'x' }),
            list({ [Symbol('s')]: 'x', a: 'y' }),
            list(o),
            list(p),
            list(hidden),
            list(Object.create({ inherited: 'i' }, { own: { value: 'o', enumerable: true } })),
            list({ 2: 'two', 1: 'one', z: 'last' }),
            list({ n: 42, u: undefined, t: tricky }),
            list({ big: 'b'.repeat(9000) }).length,
            list({ latin: 'caf\u00e9' }),
            log.join(','),
        ];
        const r = new Response('x', { headers: { 'X-Fn': ' made ', 'Cache-Control': 'no-store' } });
        out.push([...r.headers].map((q) => q.join('=')).join(' '));
        return new Response(out.join('\n') + '\n', {
            headers: { 'X-Fn': ' made ', 'Cache-Control': 'no-store' },
        });
    }
};
--- request
GET /h
--- response_headers
X-Fn: made
Cache-Control: no-store
--- response_body
content-type=text/plain x-up=spaced
TypeError: Failed to construct 'Headers': Invalid header name 'a b'.
TypeError: Failed to construct 'Headers': Invalid header value.
TypeError: Failed to construct 'Headers': Invalid header value.
TypeError: Failed to construct 'Headers': Value is not a valid ByteString.
TypeError: Failed to construct 'Headers': Invalid header name 'é'.
TypeError: Failed to construct 'Headers': Invalid header name ''.
TypeError: Cannot convert a Symbol value to a string
a=1 c=3
a=x b=y
shown=s
own=o
1=one 2=two z=last
n=42 t=v u=undefined
9004
latin=café
get a,get Symbol(Symbol.iterator),ownKeys,gOPD A,get A,gOPD b,get b,toString
cache-control=no-store content-type=text/plain;charset=UTF-8 x-fn=made
--- no_error_log
[error]
[alert]
[crit]
