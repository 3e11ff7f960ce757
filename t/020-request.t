# Request and env: what a function sees of the request and its bindings.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: method and absolute url with the query
--- config
    location /echo { js_function $TEST_NGINX_SERVER_ROOT/html/echo.js; }
--- user_files
>>> echo.js
export default { fetch(r) { return new Response(r.method + ' ' + r.url); } };
--- request
GET /echo/a%20b?x=1&y=%C3%A9
--- response_body_like: ^GET http://localhost(:\d+)?/echo/a%20b\?x=1&y=%C3%A9$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: new URL(request.url) parses the parts
--- config
    location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
--- user_files
>>> u.js
export default {
    fetch(r) {
        const u = new URL(r.url);
        return new Response([u.protocol, u.hostname, u.pathname, u.searchParams.get('q'), u.searchParams.getAll('t').join('+')].join('|'));
    }
};
--- request
GET /u/path?q=hello%20world&t=1&t=2
--- response_body chomp
http:|localhost|/u/path|hello world|1+2
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: headers are case-insensitive
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch(r) {
        return new Response([r.headers.get('x-token'), r.headers.get('X-TOKEN'), r.headers.has('x-Token'), r.headers.get('x-missing')].join(','));
    }
};
--- request
GET /h
--- more_headers
X-Token: s3cret
--- response_body chomp
s3cret,s3cret,true,
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: headers iterate sorted and lower-cased, repeated ones combined
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch(r) {
        const out = [];
        for (const [k, v] of r.headers) {
            if (k.startsWith('x-')) out.push(k + '=' + v);
        }
        r.headers.forEach((v, k) => { if (k === 'x-b') out.push('forEach:' + v); });
        out.push([...r.headers.keys()].filter((k) => k.startsWith('x-')).length);
        return new Response(out.join(';'));
    }
};
--- request
GET /h
--- more_headers
X-B: 2
x-a: 1
X-B: 3
--- response_body chomp
x-a=1;x-b=2, 3;forEach:2, 3;2
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: a request's headers can be changed by the function
--- config
    location = /h { js_function $TEST_NGINX_SERVER_ROOT/html/h.js; }
--- user_files
>>> h.js
export default {
    fetch(r) {
        const h = new Headers(r.headers);
        h.set('x-a', 'replaced');
        h.append('x-new', 'n');
        h.delete('x-gone');
        return new Response([h.get('x-a'), h.get('x-new'), h.has('x-gone')].join(','));
    }
};
--- request
GET /h
--- more_headers
X-A: original
X-Gone: bye
--- response_body chomp
replaced,n,false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: request.text() reads the body
--- config
    location = /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
export default { async fetch(r) { const t = await r.text(); return new Response('got ' + t.length + ': ' + t); } };
--- request
POST /t
hello body
--- response_body chomp
got 10: hello body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: request.json() parses the body
--- config
    location = /j { js_function $TEST_NGINX_SERVER_ROOT/html/j.js; }
--- user_files
>>> j.js
export default {
    async fetch(r) {
        const o = await r.json();
        return Response.json({ sum: o.items.reduce((a, b) => a + b, 0), name: o.name });
    }
};
--- request
POST /j
{"items": [1, 2, 3.5], "name": "caf\u00e9"}
--- response_body chomp
{"sum":6.5,"name":"café"}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: request.arrayBuffer() gives the raw bytes
--- config
    location = /ab { js_function $TEST_NGINX_SERVER_ROOT/html/ab.js; }
--- user_files
>>> ab.js
export default {
    async fetch(r) {
        const b = new Uint8Array(await r.arrayBuffer());
        return new Response(b.length + ':' + Array.from(b).join(','));
    }
};
--- request eval
"POST /ab\n\x01\x02\xff"
--- response_body chomp
3:1,2,255
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: invalid JSON in the body rejects request.json() with a SyntaxError
--- config
    location = /j { js_function $TEST_NGINX_SERVER_ROOT/html/j.js; }
--- user_files
>>> j.js
export default {
    async fetch(r) {
        try { await r.json(); return new Response('parsed?'); }
        catch (e) { return new Response(e.name, { status: 400 }); }
    }
};
--- request
POST /j
{not json
--- error_code: 400
--- response_body chomp
SyntaxError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: the body can be read only once
--- config
    location = /once { js_function $TEST_NGINX_SERVER_ROOT/html/once.js; }
--- user_files
>>> once.js
export default {
    async fetch(r) {
        await r.text();
        try { await r.text(); return new Response('twice?'); }
        catch (e) { return new Response(e.name + ' ' + r.bodyUsed); }
    }
};
--- request
POST /once
abc
--- response_body chomp
TypeError true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: a body larger than client_body_buffer_size (kept in a file) is read whole
--- config
    client_body_buffer_size 1k;
    location = /big { js_function $TEST_NGINX_SERVER_ROOT/html/big.js; }
--- user_files
>>> big.js
export default {
    async fetch(r) {
        const t = await r.text();
        return new Response(t.length + ' ' + t.slice(0, 3) + ' ' + t.slice(-3));
    }
};
--- request eval
"POST /big\n" . ("abc" x 100000)
--- response_body chomp
300000 abc abc
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: client_max_body_size is honoured (413 before the function runs)
--- config
    location = /small {
        client_max_body_size 10;
        js_function $TEST_NGINX_SERVER_ROOT/html/small.js;
    }
--- user_files
>>> small.js
export default { fetch() { return new Response('should not run'); } };
--- request
POST /small
this body is longer than ten bytes
--- error_code: 413
--- response_body_unlike: should not run
--- error_log
client intended to send too large body
--- no_error_log
[alert]
[crit]



=== TEST 13: a GET has no body: text() is empty
--- config
    location = /g { js_function $TEST_NGINX_SERVER_ROOT/html/g.js; }
--- user_files
>>> g.js
export default { async fetch(r) { return new Response('[' + await r.text() + '] ' + r.bodyUsed); } };
--- request
GET /g
--- response_body_like: ^\[\] (true|false)$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: env bindings merge from http, server and location levels
--- http_config
    js_function_env LEVEL http;
    js_function_env FROM_HTTP yes;
--- config
    js_function_env LEVEL server;
    js_function_env FROM_SERVER yes;
    location = /env {
        js_function_env LEVEL location;
        js_function $TEST_NGINX_SERVER_ROOT/html/env.js;
    }
--- user_files
>>> env.js
export default {
    fetch(r, env) {
        return new Response([env.LEVEL, env.FROM_HTTP, env.FROM_SERVER, Object.keys(env).sort().join('+')].join(','));
    }
};
--- request
GET /env
--- response_body chomp
location,yes,yes,FROM_HTTP+FROM_SERVER+LEVEL
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: env values may contain nginx variables
--- config
    location /env {
        js_function_env ARG "id=$arg_id";
        js_function_env URI $uri;
        js_function $TEST_NGINX_SERVER_ROOT/html/env.js;
    }
--- user_files
>>> env.js
export default { fetch(r, env) { return new Response(env.ARG + ' ' + env.URI); } };
--- request
GET /env/x?id=42
--- response_body chomp
id=42 /env/x
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: a location without js_function_env gets an empty env
--- config
    location = /env { js_function $TEST_NGINX_SERVER_ROOT/html/env.js; }
--- user_files
>>> env.js
export default { fetch(r, env) { return new Response(typeof env + ' ' + Object.keys(env).length); } };
--- request
GET /env
--- response_body chomp
object 0
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: a Request can be built by the function and read
--- config
    location = /mk { js_function $TEST_NGINX_SERVER_ROOT/html/mk.js; }
--- user_files
>>> mk.js
export default {
    async fetch(r) {
        const q = new Request('https://api.example/x?y=1', { method: 'post', headers: { a: 'b' }, body: 'payload' });
        return new Response([q.method, q.url, q.headers.get('A'), await q.text()].join(' '));
    }
};
--- request
GET /mk
--- response_body chomp
POST https://api.example/x?y=1 b payload
--- no_error_log
[error]
[alert]
[crit]



=== TEST 18: an HTTP/1.0 request without Host still gets an absolute url (the server's name)
--- config
    location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
--- user_files
>>> u.js
export default { fetch(r) { const u = new URL(r.url); return new Response(u.host + ' ' + u.pathname + u.search); } };
--- raw_request eval
"GET /u/x?y=1 HTTP/1.0\r\n\r\n"
--- response_body_like: ^localhost /u/x\?y=1$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 19: without Host and without a server_name, the url carries the server's address
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
    }
--- config
    location /u {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        proxy_http_version 1.0;
        proxy_set_header Host "";
    }
--- user_files
>>> u.js
export default { fetch(r) { const u = new URL(r.url); return new Response(u.host + ' ' + u.pathname + u.search); } };
--- request
GET /u/x?y=1
--- response_body_like: ^127\.0\.0\.1:\d+ /u/x\?y=1$
--- no_error_log
[error]
[alert]
[crit]



=== TEST 20: a Host header that is not a URL host falls back to the server's name; the path stays nginx's
--- config
    location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
--- user_files
>>> u.js
export default { fetch(r) {
    const u = new URL(r.url);
    return new Response(u.host + ' ' + u.pathname + ' ' + u.search);
} };
--- raw_request eval
["GET /u/echo?q=1 HTTP/1.0\r\nHost: a?b\r\n\r\n",
 "GET /u/echo?q=1 HTTP/1.0\r\nHost: a#b\r\n\r\n",
 "GET /u/echo?q=1 HTTP/1.0\r\nHost: a\\b\r\n\r\n",
 "GET /u/echo?q=1 HTTP/1.0\r\nHost: a^b\r\n\r\n",
 "GET /u/echo?q=1 HTTP/1.0\r\nHost: [::1\r\n\r\n",
 "GET /u/echo?q=1 HTTP/1.0\r\nHost: a:99999\r\n\r\n",
 "GET /u/echo?q=1 HTTP/1.0\r\nHost: 1.2.3.999\r\n\r\n",
 "GET /u/echo?q=1 HTTP/1.0\r\nHost: a|b\r\n\r\n",
 "GET /u/echo?q=1 HTTP/1.0\r\nHost: a%41\r\n\r\n",
 "GET /u/echo?q=1 HTTP/1.0\r\nHost: xn--a\r\n\r\n"]
--- response_body eval
["localhost /u/echo ?q=1", "localhost /u/echo ?q=1", "localhost /u/echo ?q=1",
 "localhost /u/echo ?q=1", "localhost /u/echo ?q=1", "localhost /u/echo ?q=1",
 "localhost /u/echo ?q=1", "localhost /u/echo ?q=1", "localhost /u/echo ?q=1",
 "localhost /u/echo ?q=1"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 21: valid hosts are kept: names, ports, IPv4 and IPv6 addresses
--- config
    location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
--- user_files
>>> u.js
export default { fetch(r) { return new Response(new URL(r.url).host); } };
--- raw_request eval
["GET /u HTTP/1.0\r\nHost: Example.COM:8080\r\n\r\n",
 "GET /u HTTP/1.0\r\nHost: 10.1.2.3\r\n\r\n",
 "GET /u HTTP/1.0\r\nHost: [::1]:81\r\n\r\n",
 "GET /u HTTP/1.0\r\nHost: under_score.example.\r\n\r\n"]
--- response_body eval
["example.com:8080", "10.1.2.3", "[::1]:81", "under_score.example."]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 22: "#", "\" and raw bytes in the request target cannot change the path a function sees
--- config
    location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
--- user_files
>>> u.js
export default { fetch(r) {
    const u = new URL(r.url);
    return new Response(u.pathname + ' ' + u.search + ' ' + u.hash + '|');
} };
--- raw_request eval
["GET /u/a#b HTTP/1.0\r\nHost: h\r\n\r\n",
 "GET /u/a\\..\\b HTTP/1.0\r\nHost: h\r\n\r\n",
 "GET /u/caf\xe9?x=\xe9#f HTTP/1.0\r\nHost: h\r\n\r\n"]
--- response_body eval
["/u/a%23b  |", "/u/a%5C..%5Cb  |", "/u/caf%E9 ?x=%E9%23f |"]
--- no_error_log
[error]
[alert]
[crit]
