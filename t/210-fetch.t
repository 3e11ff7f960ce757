# fetch(): same-origin URLs through nginx subrequests, the engine side
# (bodies, redirects, aborts, limits).

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: a fetch to a "return" location: status, reason, headers, body, url, type
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /ret { add_header X-Ignored 1; return 200 "hello from return"; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const p = fetch('/ret');
        const r = await p;
        const out = [p instanceof Promise, r instanceof Response, r.status, r.statusText, r.ok,
            r.url, r.type, r.redirected, r.headers.get('content-type'), r.headers.get('content-length'),
            r.headers.has('x-ignored'), r.bodyUsed];
        out.push(await r.text(), r.bodyUsed);
        try { r.headers.set('x', '1'); out.push('mutable'); } catch (e) { out.push(e.name); }
        return new Response(out.join('|'));
    }
};
--- request
GET /f
--- response_body chomp
true|true|200|OK|true|http://localhost/ret|default|false|text/plain|17|false|false|hello from return|true|TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: a static file, by a relative URL and by the request's absolute URL
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location /files/ { alias $TEST_NGINX_SERVER_ROOT/html/; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const a = await fetch('files/hello.txt');
        const b = await fetch(new URL('/files/hello.txt?x=1', request.url));
        return new Response([a.status, await a.text(), a.headers.get('content-length'),
            a.headers.has('etag'), a.headers.has('last-modified'), b.url, await b.text()].join('|'));
    }
};
>>> hello.txt
static file
--- request
GET /f
--- response_body
200|static file
|12|true|true|http://localhost/files/hello.txt?x=1|static file

--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a proxy_pass location: method, headers and body arrive at the backend
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / { js_function $TEST_NGINX_SERVER_ROOT/html/echo.js; }
    }
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location /up/ { proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const r = await fetch('/up/echo?a=b', { method: 'PUT', body: 'the body',
            headers: { 'X-One': 'one', 'content-type': 'text/x-test' } });
        return new Response(r.status + ' ' + r.headers.get('x-echo') + '\n' + await r.text());
    }
};
>>> echo.js
export default {
    async fetch(request) {
        const h = request.headers;
        return new Response(`${request.method} ${new URL(request.url).pathname}${new URL(request.url).search}`
            + ` ${h.get('x-one')} ${h.get('content-type')} ${h.get('content-length')} ${await request.text()}`,
            { headers: { 'x-echo': 'yes' } });
    }
};
--- request
GET /f
--- response_body chomp
200 yes
PUT /echo?a=b one text/x-test 8 the body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: a function fetches another function's location (a subrequest into a js_function location)
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /inner { js_function $TEST_NGINX_SERVER_ROOT/html/inner.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const r = await fetch('/inner?q=1', { method: 'POST', body: 'ping', headers: { 'x-a': 'b' } });
        return new Response(`${r.status} ${r.headers.get('x-inner')} ${await r.text()}`);
    }
};
>>> inner.js
export default {
    async fetch(request) {
        return new Response(`${request.method} ${request.url} ${request.headers.get('x-a')}`
            + ` ${request.headers.get('host')} ${await request.text()}`, { status: 201, headers: { 'x-inner': '1' } });
    }
};
--- request
GET /f
--- response_body chomp
201 1 POST http://localhost/inner?q=1 b localhost ping
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: POST with each body type: bytes, Content-Type default and length at the backend
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /echo { js_function $TEST_NGINX_SERVER_ROOT/html/echo.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const form = new FormData();
        form.append('a', '1');
        const bodies = {
            string: 'str\u00e9',
            arraybuffer: new Uint8Array([65, 66]).buffer,
            uint8array: new Uint8Array([67, 68, 69]),
            dataview: new DataView(new Uint8Array([70, 71, 72, 73]).buffer, 1, 2),
            blob: new Blob(['blob'], { type: 'x/y' }),
            urlsearchparams: new URLSearchParams('q=1&r=2'),
            stream: new ReadableStream({ start(c) { c.enqueue(new Uint8Array([83, 84])); c.enqueue(new Uint8Array([85])); c.close(); } }),
            empty: '',
        };
        let out = '';
        for (const [name, body] of Object.entries(bodies)) {
            const r = await fetch('/echo', { method: 'POST', body, duplex: 'half' });
            out += `${name}: ${await r.text()}\n`;
        }
        const r = await fetch('/echo', { method: 'POST', body: form });
        const t = await r.text();
        out += `formdata: ${/^multipart\/form-data; boundary=/.test(t)} ${t.includes('name="a"\r\n\r\n1\r\n')}\n`;
        return new Response(out);
    }
};
>>> echo.js
export default {
    async fetch(request) {
        const h = request.headers;
        if (h.get('content-type') && h.get('content-type').startsWith('multipart/')) {
            return new Response(h.get('content-type') + ' ' + await request.text());
        }
        return new Response(`${h.get('content-type')} ${h.get('content-length')} ${await request.text()}`);
    }
};
--- request
GET /f
--- response_body
string: text/plain;charset=UTF-8 5 stré
arraybuffer: null 2 AB
uint8array: null 3 CDE
dataview: null 2 GH
blob: x/y 4 blob
urlsearchparams: application/x-www-form-urlencoded;charset=UTF-8 7 q=1&r=2
stream: null 3 STU
empty: text/plain;charset=UTF-8 0 
formdata: true true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: the response body read as json(), arrayBuffer(), bytes(), blob() and as a byte stream
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /j { default_type application/json; return 200 '{"a":[1,2]}'; }
    location = /files/data.txt { js_function $TEST_NGINX_SERVER_ROOT/html/data.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const out = [];
        out.push(JSON.stringify(await (await fetch('/j')).json()));
        out.push((await (await fetch('/j')).arrayBuffer()).byteLength);
        out.push((await (await fetch('/j')).bytes())[0]);
        const b = await (await fetch('/j')).blob();
        out.push(b.type + ' ' + b.size);
        const r = await fetch('/files/data.txt');
        const reader = r.body.getReader({ mode: 'byob' });
        let total = 0;
        for (;;) {
            const { done, value } = await reader.read(new Uint8Array(1000));
            if (done) break;
            total += value.length;
        }
        out.push(total, r.bodyUsed);
        try { await r.text(); } catch (e) { out.push(e.name); }
        return new Response(out.join('|'));
    }
};
>>> data.js
export default { fetch() { return new Response('x'.repeat(200000)); } };
--- request
GET /f
--- response_body chomp
{"a":[1,2]}|11|123|application/json 11|200000|true|TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: returning the fetched Response itself
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /ret { default_type text/x-fetched; return 202 "fetched body"; }
--- user_files
>>> f.js
export default {
    fetch(request) {
        return fetch(request.url.replace(/\/f$/, '/ret'));
    }
};
--- request
GET /f
--- error_code: 202
--- response_headers
Content-Type: text/x-fetched
--- response_body chomp
fetched body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: redirects followed: url and redirected; 301/302 POST and 303 become GET without the body; 307 keeps both (after a 302: GET)
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /echo { js_function $TEST_NGINX_SERVER_ROOT/html/echo.js; }
    location = /r301 { return 301 /echo?from=301; }
    location = /r302 { return 302 /echo?from=302; }
    location = /r303 { return 303 /echo?from=303; }
    location = /r307 { return 307 /echo?from=307; }
    location = /chain { return 302 /r307; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        let out = '';
        for (const path of ['/r301', '/r302', '/r303', '/r307', '/chain']) {
            const r = await fetch(path, { method: 'POST', body: 'data', headers: { 'x-keep': 'k' } });
            out += `${path} ${r.status} ${r.redirected} ${r.url} ${await r.text()}\n`;
        }
        const put = await fetch('/r303', { method: 'PUT', body: 'x' });
        out += `PUT /r303 ${await put.text()}\n`;
        const r = await fetch('/r301');
        const c = r.clone();
        out += `GET /r301 ${r.redirected} ${c.redirected} ${c.url} ${await r.text()}\n`;
        return new Response(out);
    }
};
>>> echo.js
export default {
    async fetch(request) {
        return new Response(`${request.method} ${request.headers.get('x-keep')} ${request.headers.get('content-type')} [${await request.text()}]`);
    }
};
--- request
GET /f
--- response_body
/r301 200 true http://localhost/echo?from=301 GET k null []
/r302 200 true http://localhost/echo?from=302 GET k null []
/r303 200 true http://localhost/echo?from=303 GET k null []
/r307 200 true http://localhost/echo?from=307 POST k text/plain;charset=UTF-8 [data]
/chain 200 true http://localhost/echo?from=307 GET k null []
PUT /r303 GET null null []
GET /r301 true true http://localhost/echo?from=301 GET null null []
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: redirect "manual" gives the 3xx itself, "error" rejects, a loop rejects after 20
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /r301 { return 301 /elsewhere; }
    location = /loop { return 302 /loop; }
    location = /count { js_function $TEST_NGINX_SERVER_ROOT/html/count.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const out = [];
        const m = await fetch('/r301', { redirect: 'manual' });
        out.push(m.status, m.redirected, m.headers.get('location'), m.url);
        await fetch('/r301', { redirect: 'error' }).catch((e) => out.push(e.name, e.message));
        await fetch('/loop').catch((e) => out.push(e.name, e.message));
        await fetch('/count').catch((e) => out.push(e.name, e.message));
        return new Response(out.join('\n'));
    }
};
>>> count.js
let n = 0;
export default {
    fetch(request) {
        n++;
        return n > 100 ? new Response('n=' + n) : Response.redirect(new URL('/count', request.url), 302);
    }
};
--- request
GET /f
--- response_body chomp
301
false
/elsewhere
http://localhost/r301
TypeError
Fetch API cannot load: http://localhost/r301: redirect mode is 'error'.
TypeError
Fetch API cannot load: too many redirects (more than 20).
TypeError
Fetch API cannot load: too many redirects (more than 20).
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: aborted before the head: an AbortController's reason, AbortSignal.timeout(), a signal aborted already
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /slow { js_function $TEST_NGINX_SERVER_ROOT/html/slow.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const out = [];
        const c = new AbortController();
        const p = fetch('/slow', { signal: c.signal });
        c.abort(new Error('my reason'));
        await p.catch((e) => out.push(e.message));
        await fetch('/slow', { signal: AbortSignal.timeout(50) }).catch((e) => out.push(e.name));
        await fetch('/slow', { signal: AbortSignal.abort() }).catch((e) => out.push(e.name));
        const c2 = new AbortController();
        const req = new Request(new URL('/slow', request.url), { signal: c2.signal });
        const p2 = fetch(req);
        c2.abort('plain reason');
        await p2.catch((e) => out.push(e));
        return new Response(out.join('|'));
    }
};
>>> slow.js
export default {
    async fetch() {
        await new Promise((r) => setTimeout(r, 300));
        return new Response('slow');
    }
};
--- request
GET /f
--- response_body chomp
my reason|TimeoutError|AbortError|plain reason
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: aborted after the head: reading the body rejects with the signal's reason; a cancelled body
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /files/big.txt { js_function $TEST_NGINX_SERVER_ROOT/html/big.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const out = [];
        const c = new AbortController();
        const r = await fetch('/files/big.txt', { signal: c.signal });
        c.abort(new Error('stopped'));
        await r.text().catch((e) => out.push(e.message));
        const r2 = await fetch('/files/big.txt');
        const reader = r2.body.getReader();
        const first = await reader.read();
        await reader.cancel('enough');
        out.push(first.value.length > 0, r2.bodyUsed);
        const r3 = await fetch('/files/big.txt');
        out.push((await r3.arrayBuffer()).byteLength);
        return new Response(out.join('|'));
    }
};
>>> big.js
export default { fetch() { return new Response('y'.repeat(300000)); } };
--- request
GET /f
--- response_body chomp
stopped|true|true|300000
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: invalid input rejects with a TypeError, never throws synchronously
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /ret { return 200 "ok"; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const out = [];
        const tries = [
            () => fetch(),
            () => fetch('http://[bad'),
            () => fetch('ftp://example.com/'),
            () => fetch('data:text/plain,x'),
            () => fetch('/ret', { headers: { 'bad name': 'x' } }),
            () => fetch('/ret', { headers: { 'x-a': 'a\u0100' } }),
            () => fetch('/ret', { method: 'GET', body: 'x' }),
            () => fetch('/ret', { method: 'bad method' }),
            () => fetch('/ret', { redirect: 'nope' }),
            () => fetch('http://user:pw@localhost/ret'),
        ];
        for (const t of tries) {
            let p;
            try { p = t(); } catch (e) { out.push('threw ' + e); continue; }
            await p.then(() => out.push('resolved'), (e) => out.push(e.name));
        }
        const used = new Request(new URL('/ret', request.url), { method: 'POST', body: 'once' });
        await fetch(used);
        await fetch(used).then(() => out.push('resolved'), (e) => out.push('used: ' + e.name));
        return new Response(out.join('|'));
    }
};
--- request
GET /f
--- response_body chomp
TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|used: TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: a location denied by "deny all" answers 403 (nginx's access checks apply to a fetch)
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location /denied/ { deny all; alias $TEST_NGINX_SERVER_ROOT/html/; }
    location /open/ { allow all; alias $TEST_NGINX_SERVER_ROOT/html/; }
--- user_files
>>> secret.txt
secret
>>> f.js
export default {
    async fetch(request) {
        const d = await fetch('/denied/secret.txt');
        const o = await fetch('/open/secret.txt');
        return new Response(`${d.status} ${d.statusText} ${(await d.text()).includes('403 Forbidden')} ${o.status} ${await o.text()}`);
    }
};
--- request
GET /f
--- response_body
403 Forbidden true 200 secret

--- error_log
access forbidden by rule
--- no_error_log
[alert]
[crit]



=== TEST 14: a fetch in ctx.waitUntil: one started while the request lives completes; one after it ended rejects
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /ret { return 200 "late"; }
--- user_files
>>> f.js
export default {
    async fetch(request, env, ctx) {
        ctx.waitUntil(fetch('/ret').then((r) => r.text()).then((t) => console.log('during: ' + t)));
        ctx.waitUntil(new Promise((r) => setTimeout(r, 300)).then(() => fetch('/ret'))
            .then(() => console.log('after: resolved'), (e) => console.log('after: ' + e)));
        return new Response('sent');
    }
};
--- request
GET /f
--- response_body chomp
sent
--- wait: 0.5
--- error_log
during: late
after: TypeError: fetch(): the request that made this fetch() has ended
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: a huge local response read whole hits the memory limit: 503, that isolate killed, the worker fine
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /mem { js_function $TEST_NGINX_SERVER_ROOT/html/mem.js; js_function_memory 16m; }
    location = /files/big.bin { js_function $TEST_NGINX_SERVER_ROOT/html/big.js; }
    location /files/ { alias $TEST_NGINX_SERVER_ROOT/html/; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const r = await fetch('/mem');
        const again = await fetch('/files/small.txt');
        return new Response(`${r.status} ${await again.text()}`);
    }
};
>>> mem.js
export default {
    async fetch(request) {
        const r = await fetch('/files/big.bin');
        const b = await r.arrayBuffer();
        return new Response('read ' + b.byteLength);
    }
};
>>> small.txt
still here
>>> big.js
export default { fetch() { return new Response(new Uint8Array(40000000)); } };
--- request
GET /f
--- response_body
503 still here
--- error_log
mem.js": memory limit of 16 MB exceeded (js_function_memory)
--- no_error_log
[alert]
[crit]



=== TEST 16: recursion is bounded by nginx's subrequest depth: a TypeError, not a hang
--- config
    location = /rec { js_function $TEST_NGINX_SERVER_ROOT/html/rec.js; }
--- user_files
>>> rec.js
export default {
    async fetch(request) {
        const n = Number(new URL(request.url).searchParams.get('n') || 0);
        try {
            const r = await fetch('/rec?n=' + (n + 1));
            const t = await r.text();
            return new Response(n === 0 ? t : t);
        } catch (e) {
            return new Response(`depth ${n}: ${e.name}: ${e.message}`);
        }
    }
};
--- request
GET /rec
--- response_body chomp
depth 51: TypeError: fetch(): nginx refused the subrequest to "/rec" (too deep a recursion of subrequests, or too many)
--- error_log
subrequests cycle while processing "/rec"
--- no_error_log
[alert]
[crit]



=== TEST 17: many concurrent fetches from one request
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / { return 200 "n=$arg_n"; }
    }
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location /up/ { proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/; }
    location = /local { return 200 "local=$arg_n"; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const ps = [];
        for (let i = 0; i < 150; i++) {
            ps.push(fetch((i % 5 ? '/local?n=' : '/up/x?n=') + i).then((r) => r.text()));
        }
        const all = await Promise.all(ps);
        let ok = 0;
        for (let i = 0; i < all.length; i++) if (all[i] === (i % 5 ? 'local=' : 'n=') + i) ok++;
        return new Response('ok ' + ok);
    }
};
--- request
GET /f
--- response_body chomp
ok 150
--- no_error_log
[error]
[alert]
[crit]



=== TEST 18: a fetch still pending when js_function_timeout fires: 504
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; js_function_timeout 200ms; }
    location = /slow { js_function $TEST_NGINX_SERVER_ROOT/html/slow.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const r = await fetch('/slow');
        return new Response('too late ' + await r.text());
    }
};
>>> slow.js
export default {
    async fetch() {
        await new Promise((r) => setTimeout(r, 600));
        return new Response('slow');
    }
};
--- request
GET /f
--- error_code: 504
--- error_log
f.js": no response within 200 ms (js_function_timeout)
--- no_error_log
[alert]
[crit]



=== TEST 19: a handler awaiting only a fetch is not judged hung; one awaiting nothing after its fetch is
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /slow { js_function $TEST_NGINX_SERVER_ROOT/html/slow.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const r = await fetch('/slow');
        const t = await r.text();
        if (new URL(request.url).searchParams.has('hang')) await new Promise(() => {});
        return new Response('waited for ' + t);
    }
};
>>> slow.js
export default {
    async fetch() {
        await new Promise((r) => setTimeout(r, 200));
        return new Response('slow');
    }
};
--- request eval
["GET /f", "GET /f?hang=1"]
--- error_code eval
[200, 500]
--- response_body_like eval
["^waited for slow\$", "500 Internal Server Error"]



=== TEST 20: a fetch from a timer callback and from AsyncLocalStorage.run() belongs to the request (relative URLs resolve)
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /ret { return 200 "ret"; }
--- user_files
>>> f.js
import { AsyncLocalStorage } from 'node:async_hooks';
const als = new AsyncLocalStorage();
export default {
    async fetch(request) {
        const a = await new Promise((resolve, reject) => setTimeout(() => fetch('/ret').then(resolve, reject), 10));
        const b = await als.run('store', async () => {
            await null;
            const r = await fetch('/ret');
            return (await r.text()) + ' ' + als.getStore();
        });
        return new Response(await a.text() + ' ' + b);
    }
};
--- request
GET /f
--- response_body chomp
ret ret store
--- no_error_log
[error]
[alert]
[crit]



=== TEST 21: null-body responses: 204, HEAD; a Request object as input
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /empty { return 204; }
    location = /echo { js_function $TEST_NGINX_SERVER_ROOT/html/echo.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const a = await fetch('/empty');
        const b = await fetch('/echo', { method: 'HEAD' });
        const c = await fetch(new Request(new URL('/echo', request.url), { method: 'PATCH', body: 'req body' }));
        return new Response(`${a.status} ${a.body} ${b.status} ${b.body} ${await c.text()}`);
    }
};
>>> echo.js
export default {
    async fetch(request) {
        return new Response(`${request.method} ${await request.text()}`);
    }
};
--- request
GET /f
--- response_body chomp
204 null 200 null PATCH req body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 22: a function that replaced built-ins still fetches, and its request is checked again in C++
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /echo { js_function $TEST_NGINX_SERVER_ROOT/html/echo.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const f = globalThis.fetch;
        Promise.prototype.then = function () { throw new Error('replaced then'); };
        Array.prototype.includes = function () { throw new Error('replaced includes'); };
        Map.prototype.get = function () { return undefined; };
        EventTarget.prototype.addEventListener = function () { throw new Error('replaced addEventListener'); };
        const r = await f('/echo', { method: 'POST', body: 'x', headers: { 'x-a': 'b' } });
        // (Headers objects use the Map methods of the time: the function's own business)
        Map.prototype.set = function () { throw new Error('replaced set'); };
        Map.prototype.delete = function () { throw new Error('replaced delete'); };
        EventTarget.prototype.removeEventListener = function () { throw new Error('replaced removeEventListener'); };
        const r2 = await f('/echo');
        return new Response(await r.text() + ' ' + await r2.text());
    }
};
>>> echo.js
export default {
    async fetch(request) {
        return new Response(`${request.method} ${request.headers.get('x-a')} ${await request.text()}`);
    }
};
--- request
GET /f
--- response_body chomp
POST b x GET null 
--- no_error_log
[error]
[alert]
[crit]



=== TEST 23: the client leaves while a fetch runs: the fetch rejects, the subrequest goes with the request
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /slow { js_function $TEST_NGINX_SERVER_ROOT/html/slow.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        try {
            await fetch('/slow');
            console.log('fetch: resolved');
        } catch (e) {
            console.log('fetch: ' + e);
        }
        return new Response('too late');
    }
};
>>> slow.js
export default {
    async fetch() {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return new Response('slow');
    }
};
--- request
GET /f
--- timeout: 0.1
--- abort
--- ignore_response
--- wait: 0.6
--- error_log
fetch: TypeError: the request that made this fetch() has ended
--- no_error_log
[alert]
[crit]



=== TEST 24: a stream body: cancelled at once with the reason of a signal aborted already; a chunk not bytes rejects; the request is used
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /echo { js_function $TEST_NGINX_SERVER_ROOT/html/echo.js; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const out = [];
        let cancelReason;
        const body = new ReadableStream({
            pull(c) { c.enqueue(new Uint8Array([42])); },
            cancel(reason) { cancelReason = reason; },
        });
        const c = new AbortController();
        c.abort();
        const p = fetch('/echo', { method: 'POST', body, duplex: 'half', signal: c.signal });
        out.push(cancelReason && cancelReason.name);
        const e = await p.catch((x) => x);
        out.push(e === cancelReason);
        const bad = new ReadableStream({ start(c) { c.enqueue('not bytes'); c.close(); } });
        await fetch('/echo', { method: 'POST', body: bad, duplex: 'half' }).catch((x) => out.push(x.name));
        const req = new Request(new URL('/echo', request.url), { method: 'POST', body: 'b' });
        const c2 = new AbortController();
        c2.abort();
        await fetch(req, { signal: c2.signal }).catch(() => {});
        out.push(req.bodyUsed);
        return new Response(out.join('|'));
    }
};
>>> echo.js
export default {
    async fetch(request) {
        return new Response(await request.text());
    }
};
--- request
GET /f
--- response_body chomp
AbortError|true|TypeError|true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 25: auth_basic and auth_request of the target location apply to a fetch; satisfy any; an internal location is not found
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location /basic/ { auth_basic "fn"; auth_basic_user_file $TEST_NGINX_SERVER_ROOT/html/htpasswd; alias $TEST_NGINX_SERVER_ROOT/html/; }
    location /checked/ { auth_request /auth; alias $TEST_NGINX_SERVER_ROOT/html/; }
    location = /auth { internal; js_function $TEST_NGINX_SERVER_ROOT/html/auth.js; }
    location /any/ { satisfy any; deny all; auth_basic "fn"; auth_basic_user_file $TEST_NGINX_SERVER_ROOT/html/htpasswd; alias $TEST_NGINX_SERVER_ROOT/html/; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const out = [];
        const basic = 'Basic ' + btoa('user:pass');
        for (const [path, headers] of [['/basic/secret.txt', {}], ['/basic/secret.txt', { authorization: basic }],
                                       ['/checked/secret.txt', {}], ['/checked/secret.txt', { 'x-token': 'good' }],
                                       ['/any/secret.txt', {}], ['/any/secret.txt', { authorization: basic }]]) {
            const r = await fetch(path, { headers });
            out.push(`${path} ${r.status} ${r.status === 200 ? await r.text() : r.headers.get('www-authenticate')}`);
        }
        const internal = await fetch('/auth', { headers: { 'x-token': 'good' } });
        out.push(`/auth ${internal.status}\n`);
        return new Response(out.join('\n'));
    }
};
>>> auth.js
export default {
    fetch(request) {
        return new Response(null, { status: request.headers.get('x-token') === 'good' ? 204 : 403 });
    }
};
>>> htpasswd
user:{PLAIN}pass
>>> secret.txt
secret
--- request
GET /f
--- response_body
/basic/secret.txt 401 Basic realm="fn"
/basic/secret.txt 200 secret

/checked/secret.txt 403 null
/checked/secret.txt 200 secret

/any/secret.txt 401 Basic realm="fn"
/any/secret.txt 200 secret

/auth 404
--- no_error_log
[alert]
[crit]



=== TEST 26: a big static file is handed on as the function reads it (backpressure): 40 MB through a 16 MB isolate
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; js_function_memory 16m; }
    location /files/ { alias $TEST_NGINX_SERVER_ROOT/html/; }
--- user_files eval
[["f.js", <<'JS'], ["big.bin", "z" x 40_000_000]]
export default {
    async fetch(request) {
        const r = await fetch('/files/big.bin');
        const reader = r.body.getReader();
        let total = 0, chunks = 0, z = 0;
        // a pause: what the host would push meanwhile would not fit
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            total += value.length;
            chunks++;
            if (value[0] === 122) z++;
        }
        return new Response(`${r.headers.get('content-length')} ${total} ${chunks > 100} ${z === chunks}`);
    }
};
JS
--- request
GET /f
--- response_body chomp
40000000 40000000 true true
--- timeout: 20
--- no_error_log
[error]
[alert]
[crit]



=== TEST 27: fetch() as a global (Web IDL attributes) and at module evaluation, where no request gives relative URLs a base
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
--- user_files
>>> f.js
const early = fetch('/ret').then(() => 'resolved', (e) => e.name + ': ' + e.message);
export default {
    async fetch(request) {
        const d = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
        return new Response([typeof fetch, fetch.name, fetch.length, d.writable, d.enumerable, d.configurable,
            Object.keys(globalThis).includes('fetch'), await early].join('|'));
    }
};
--- request
GET /f
--- response_body chomp
function|fetch|1|true|false|true|false|TypeError: Fetch API cannot load: Invalid URL '/ret'.
--- no_error_log
[error]
[alert]
[crit]



=== TEST 28: limit_req of the target location counts each fetch
--- http_config
    limit_req_zone $binary_remote_addr zone=fetchzone:1m rate=1r/m;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location /limited/ { limit_req zone=fetchzone nodelay; alias $TEST_NGINX_SERVER_ROOT/html/; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const a = await fetch('/limited/data.txt');
        const b = await fetch('/limited/data.txt');
        return new Response(`${a.status} ${await a.text()} ${b.status}`);
    }
};
>>> data.txt
data
--- request
GET /f
--- response_body chomp
200 data
 503
--- error_log
limiting requests, excess: 1.000 by zone "fetchzone"
--- no_error_log
[alert]
[crit]



=== TEST 29: a function that reads a large same-origin static file as fast as it comes does not hold the worker: other requests are answered meanwhile
--- config
    location = /count { js_function $TEST_NGINX_SERVER_ROOT/html/count.js; }
    location = /other { return 200 "other\n"; }
--- user_files
>>> count.js
export default {
    async fetch() {
        const r = await fetch('/big.bin');
        let n = 0;
        for await (const chunk of r.body) n += chunk.length;
        return new Response(`${n}\n`);
    },
};
--- init
use IO::Socket::INET;
use Time::HiRes ();
{
    # 512 MB of zeros, sparse: read from the page cache at memory speed
    open(my $f, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/big.bin") or die $!;
    truncate($f, 1 << 29) or die $!;
    close $f;
}
my $port = $ENV{TEST_NGINX_SERVER_PORT} || 1984;
my $conn = sub {
    IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 10)
        or die "connect: $!";
};
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
    my $s = $conn->();
    print $s "GET /count HTTP/1.0\r\n\r\n";
    1 while sysread($s, my $buf, 65536);
    require POSIX;
    POSIX::_exit(0);
}
Time::HiRes::sleep(0.3);
my ($max, $ok) = (0, 0);
for (1 .. 15) {
    my $t0 = Time::HiRes::time();
    my $s = $conn->();
    print $s "GET /other HTTP/1.0\r\n\r\n";
    my $got = '';
    $got .= $_ while <$s>;
    $ok++ if $got =~ /other/;
    my $t = Time::HiRes::time() - $t0;
    $max = $t if $t > $max;
    Time::HiRes::sleep(0.05);
}
waitpid($pid, 0);
open(my $r, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/result.txt") or die $!;
print $r "answered: $ok of 15\n",
    "slowest under 0.25 s: ", ($max < 0.25 ? 'yes' : sprintf("no (%.3f s)", $max)), "\n";
close $r;
--- request
GET /result.txt
--- response_body
answered: 15 of 15
slowest under 0.25 s: yes
--- no_error_log
[alert]
[crit]



=== TEST 30: fetch(url) and fetch(url, undefined or null) go out as new Request(url) would: GET, no body, the URL without its fragment; a URL with credentials rejects with the TypeError of Request's constructor, with or without init
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / { js_function $TEST_NGINX_SERVER_ROOT/html/echo.js; }
    }
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location /up/ { proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/; }
--- user_files
>>> f.js
export default {
    async fetch(request) {
        const out = [];
        for (const u of ['http://u:p@127.0.0.1:1/x', 'http://:p@127.0.0.1:1/x', new URL('http://u@127.0.0.1:1/x')]) {
            for (const init of [undefined, null, {}]) {
                try {
                    await fetch(u, init);
                    out.push('resolved');
                } catch (e) {
                    out.push(`${e.constructor.name} ${e.message.includes('includes credentials')}`);
                }
            }
        }
        const a = await fetch('/up/echo?q#frag');
        const b = await fetch(new URL('/up/echo?b', request.url), null);
        const c = await fetch('/up/echo?c', undefined);
        out.push(await a.text(), a.url.endsWith('/up/echo?q'), a.redirected, await b.text(), await c.text());
        for (const u of ['ftp://example.com/x#f', 'data:text/plain,x']) {
            await fetch(u).then(() => out.push('resolved'), (e) => out.push(`${e.name}: ${e.message}`));
        }
        return new Response(out.join('\n') + '\n');
    }
};
>>> echo.js
export default {
    async fetch(request) {
        const u = new URL(request.url);
        return new Response(`${request.method} ${u.pathname}${u.search} ${request.headers.get('content-length')}`
            + ` ${request.headers.get('content-type')} [${await request.text()}]`);
    }
};
--- request
GET /f
--- response_body
TypeError true
TypeError true
TypeError true
TypeError true
TypeError true
TypeError true
TypeError true
TypeError true
TypeError true
GET /echo?q null null []
true
false
GET /echo?b null null []
GET /echo?c null null []
TypeError: Fetch API cannot load: ftp://example.com/x#f
TypeError: Fetch API cannot load: data:text/plain,x
--- no_error_log
[error]
[alert]
[crit]
