# Response: status, headers and body reach the client exactly.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: status and statusText
--- config
    location = /s { js_function $TEST_NGINX_SERVER_ROOT/html/s.js; }
--- user_files
>>> s.js
export default { fetch() { return new Response('made', { status: 201, statusText: 'Made It' }); } };
--- request
GET /s
--- error_code: 201
--- raw_response_headers_like: ^HTTP/1.1 201 Made It\r\n
--- response_body chomp
made
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: an error status chosen by the function is not an nginx error page
--- config
    location = /s { js_function $TEST_NGINX_SERVER_ROOT/html/s.js; }
--- user_files
>>> s.js
export default { fetch() { return new Response('nope, said the function', { status: 404 }); } };
--- request
GET /s
--- error_code: 404
--- response_body chomp
nope, said the function
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: every header, several Set-Cookie included
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch() {
        const h = new Headers();
        h.set('X-One', '1');
        h.append('x-list', 'a');
        h.append('X-List', 'b');
        h.append('Set-Cookie', 'a=1; Path=/');
        h.append('Set-Cookie', 'b=2; HttpOnly');
        h.set('content-type', 'application/x-custom');
        return new Response('ok', { headers: h });
    }
};
--- request
GET /h
--- response_headers
x-one: 1
x-list: a, b
Content-Type: application/x-custom
--- raw_response_headers_like: set-cookie: a=1; Path=/\r\nset-cookie: b=2; HttpOnly\r\n
--- response_body chomp
ok
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: a string body gets text/plain;charset=UTF-8 and its UTF-8 length
--- config
    location = /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
--- user_files
>>> u.js
export default { fetch() { return new Response('h\u00e9llo \u{1F600}'); } };
--- request
GET /u
--- response_headers
Content-Type: text/plain;charset=UTF-8
Content-Length: 11
--- response_body_like: ^h\xc3\xa9llo \xf0\x9f\x98\x80$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: an ArrayBuffer body is sent byte for byte
--- config
    location = /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
--- user_files
>>> b.js
export default {
    fetch() {
        const ab = new ArrayBuffer(4);
        new Uint8Array(ab).set([0x41, 0x00, 0xff, 0x42]);
        return new Response(ab, { headers: { 'content-type': 'application/octet-stream' } });
    }
};
--- request
GET /b
--- response_headers
Content-Length: 4
Content-Type: application/octet-stream
--- response_body eval
"A\x00\xffB"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: a typed array view body sends only the view's bytes
--- config
    location = /v { js_function $TEST_NGINX_SERVER_ROOT/html/v.js; }
--- user_files
>>> v.js
export default {
    fetch() {
        const all = new TextEncoder().encode('xxinsidexx');
        return new Response(all.subarray(2, 8));
    }
};
--- request
GET /v
--- response_body chomp
inside
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: a null body is an empty response
--- config
    location = /n { js_function $TEST_NGINX_SERVER_ROOT/html/n.js; }
--- user_files
>>> n.js
export default { fetch() { return new Response(null, { status: 204, headers: { 'x-empty': 'yes' } }); } };
--- request
GET /n
--- error_code: 204
--- response_headers
x-empty: yes
--- response_body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: Response.json sets the content type and serialises
--- config
    location = /j { js_function $TEST_NGINX_SERVER_ROOT/html/j.js; }
--- user_files
>>> j.js
export default { fetch() { return Response.json({ a: [1, 2], b: 'c' }, { status: 202, headers: { 'x-j': '1' } }); } };
--- request
GET /j
--- error_code: 202
--- response_headers
Content-Type: application/json
x-j: 1
--- response_body chomp
{"a":[1,2],"b":"c"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: Response.redirect sends the status and Location
--- config
    location = /r { js_function $TEST_NGINX_SERVER_ROOT/html/r.js; }
--- user_files
>>> r.js
export default { fetch() { return Response.redirect('https://example.com/next?x=1', 301); } };
--- request
GET /r
--- error_code: 301
--- response_headers
Location: https://example.com/next?x=1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: Response.redirect defaults to 302
--- config
    location = /r { js_function $TEST_NGINX_SERVER_ROOT/html/r.js; }
--- user_files
>>> r.js
export default { fetch(req) { return Response.redirect(new URL('/elsewhere', req.url)); } };
--- request
GET /r
--- error_code: 302
--- response_headers_like
Location: http://localhost(:\d+)?/elsewhere
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: hop-by-hop and length headers from the function do not break framing
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
--- user_files
>>> f.js
export default {
    fetch() {
        return new Response('12345', { headers: { 'content-length': '999', 'connection': 'upgrade', 'transfer-encoding': 'chunked' } });
    }
};
--- request
GET /f
--- response_headers
Content-Length: 5
!Transfer-Encoding
--- response_body chomp
12345
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: returning something that is not a Response is a 500 with a clear log line
--- config
    location = /x { js_function $TEST_NGINX_SERVER_ROOT/html/x.js; }
--- user_files
>>> x.js
export default { fetch() { return { status: 200, body: 'plain object' }; } };
--- request
GET /x
--- error_code: 500
--- response_body_unlike: plain object
--- error_log eval
qr/js_function ".*x\.js": TypeError: the handler returned an Object, not a Response, client/
--- no_error_log
[alert]
[crit]



=== TEST 13: returning undefined is a 500
--- config
    location = /x { js_function $TEST_NGINX_SERVER_ROOT/html/x.js; }
--- user_files
>>> x.js
export default { async fetch() { } };
--- request
GET /x
--- error_code: 500
--- error_log
the handler returned undefined, not a Response
--- no_error_log
[alert]
[crit]



=== TEST 14: a large body (1 MiB) is sent whole
--- config
    location = /big { js_function $TEST_NGINX_SERVER_ROOT/html/big.js; }
--- user_files
>>> big.js
export default { fetch() { return new Response('x'.repeat(1 << 20)); } };
--- request
GET /big
--- response_headers
Content-Length: 1048576
--- response_body eval
"x" x 1048576
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: a header value with CR/LF cannot inject headers
--- config
    location = /inj { js_function $TEST_NGINX_SERVER_ROOT/html/inj.js; }
--- user_files
>>> inj.js
export default {
    fetch() {
        try {
            return new Response('x', { headers: { 'x-a': 'ok\r\nx-injected: 1' } });
        } catch (e) {
            return new Response(e.name);
        }
    }
};
--- request
GET /inj
--- response_headers
!x-injected
--- response_body chomp
TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: USVString and ByteString conversions: lone surrogates become U+FFFD (one-byte, two-byte, concatenated and sliced strings alike); Latin-1 header values pass and a code unit above 0xFF throws
--- config
    location = /usv { js_function $TEST_NGINX_SERVER_ROOT/html/usv.js; }
--- user_files
>>> usv.js
export default {
    async fetch() {
        const hex = (s) => Array.from(s, (c) => c.codePointAt(0).toString(16)).join(' ');
        const lone = 'a\uD800b';
        const out = [];
        for (const s of ['plain', 'caf\u00e9', 'pi \u03c0', '\u{1F600}', lone, '\uDC00', 'x' + lone.slice(1),
                         ('y'.repeat(20) + '\uDFFF').slice(19), String.fromCharCode(0xD83D, 0xDE00, 0xD83D)]) {
            out.push(hex(await new Response(s).text()));
        }
        out.push(new URL('http://h/p?q=' + lone + '#\uDC00').href);
        out.push(new URLSearchParams('a=' + lone).get('a') === 'a\uFFFDb');
        const h = new Headers();
        h.set('x-latin', 'caf\u00e9 \u00ff');
        out.push(hex(h.get('x-latin')));
        for (const v of ['\u0100', 'ok' + '\u0101'.slice(0, 1), 'a\uD800']) {
            try { h.set('x-wide', v); out.push('accepted'); } catch (e) { out.push(`${e.name}: ${e.message}`); }
        }
        try { new Headers({ ['x-\u0100']: 'v' }); out.push('accepted'); } catch (e) { out.push(e.name); }
        return new Response(out.join('\n') + '\n');
    }
};
--- request
GET /usv
--- response_body
70 6c 61 69 6e
63 61 66 e9
70 69 20 3c0
1f600
61 fffd 62
fffd
78 fffd 62
79 fffd
1f600 fffd
http://h/p?q=a%EF%BF%BDb#%EF%BF%BD
true
63 61 66 e9 20 ff
TypeError: Failed to execute 'set' on 'Headers': Value is not a valid ByteString.
TypeError: Failed to execute 'set' on 'Headers': Value is not a valid ByteString.
TypeError: Failed to execute 'set' on 'Headers': Value is not a valid ByteString.
TypeError
--- no_error_log
[error]
[alert]
[crit]
