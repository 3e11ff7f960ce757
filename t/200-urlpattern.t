# URLPattern (URL Pattern Standard, urlpattern-polyfill on the runtime's own
# URL): routing, string patterns with a base URL, ignoreCase, regexp
# groups, the result's shape, TypeErrors, and hostile patterns and inputs.
# (master_on: a crashed worker shows as "exited on signal" and fails.)

use Test::Nginx::Socket 'no_plan';

master_on();
workers(1);

# every block's function is html/u.js, at /u and, with a CPU limit of 50 ms,
# at /limited, unless the block says otherwise
our $Config = <<'CONF';
    location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
    location /limited {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/u.js;
    }
CONF

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value(config => $Config) unless defined $block->config;
});

run_tests();

__DATA__

=== TEST 1: routing: exec(request.url) picks the route and its named groups; no match is null
--- config
    location ~ ^/(books|static|search) { js_function $TEST_NGINX_SERVER_ROOT/html/router.js; }
--- user_files
>>> router.js
const routes = [
    [new URLPattern({ pathname: '/books/:id' }), (m) => `book ${m.pathname.groups.id}`],
    [new URLPattern({ pathname: '/books/:id/reviews/:review' }),
        (m) => `review ${m.pathname.groups.review} of book ${m.pathname.groups.id}`],
    [new URLPattern({ pathname: '/static/*' }), (m) => `file ${m.pathname.groups[0]}`],
    [new URLPattern({ pathname: '/search', search: 'q=:q' }), (m) => `search ${m.search.groups.q}`],
];
export default { fetch(request) {
    for (const [pattern, handle] of routes) {
        const m = pattern.exec(request.url);
        if (m !== null) return new Response(handle(m) + '\n');
    }
    return new Response('no route\n', { status: 404 });
} };
--- request eval
["GET /books/42", "GET /books/42/reviews/7", "GET /static/css/site.css", "GET /search?q=nginx",
 "GET /search?q=a&x=1", "GET /books/caf%C3%A9", "GET /books/42/", "GET /books/", "GET /search", "GET /bookshelf"]
--- error_code eval
[200, 200, 200, 200, 200, 200, 404, 404, 404, 404]
--- response_body eval
["book 42\n", "review 7 of book 42\n", "file css/site.css\n", "search nginx\n", "search a&x=1\n",
 "book caf%C3%A9\n", "no route\n", "no route\n", "no route\n", "no route\n"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: a string pattern with a base URL: component getters, test(), and exec()'s whole result
--- user_files
>>> u.js
export default { fetch() {
    const p = new URLPattern('/api/:version/*', 'https://example.com');
    const out = [p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search,
        p.hash, p.hasRegExpGroups].join('|');
    const input = 'https://example.com/api/v1/users/7?x=1';
    const m = p.exec(input);
    return new Response([out,
        p.test(input), p.test('https://example.org/api/v1/users/7'), p.test('/api/v2/x', 'https://example.com'),
        String(p.exec('http://example.com/api/v1/x')),
        m.inputs.length, m.inputs[0] === input, JSON.stringify(m)].join('\n'));
} };
--- request
GET /u
--- response_body chomp
https|*|*|example.com||/api/:version/*|*|*|false
true
false
true
null
1
true
{"inputs":["https://example.com/api/v1/users/7?x=1"],"protocol":{"input":"https","groups":{}},"username":{"input":"","groups":{"0":""}},"password":{"input":"","groups":{"0":""}},"hostname":{"input":"example.com","groups":{}},"port":{"input":"","groups":{}},"pathname":{"input":"/api/v1/users/7","groups":{"0":"users/7","version":"v1"}},"search":{"input":"x=1","groups":{"0":"x=1"}},"hash":{"input":"","groups":{"0":""}}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: URLPatternInit: several components, the defaults of the others, inputs as a dictionary and with a base URL
--- user_files
>>> u.js
export default { fetch() {
    const p = new URLPattern({ protocol: 'http{s}?', hostname: ':tenant.example.com', pathname: '/v:n/*' });
    const out = [p.protocol, p.hostname, p.port, p.pathname, p.search, p.hash];
    const m = p.exec('https://acme.example.com/v2/orders?x#y');
    out.push(m.hostname.groups.tenant, m.pathname.groups.n, m.pathname.groups[0], m.protocol.input);
    out.push(p.test('ftp://acme.example.com/v2/x'), p.test('http://example.com/v2/x'));
    const d = p.exec({ hostname: 'shop.example.com', pathname: '/v1/a/b', protocol: 'http' });
    out.push(d.hostname.groups.tenant, d.pathname.groups[0], d.inputs[0].hostname);
    const b = p.exec({ pathname: '/v3/z', baseURL: 'https://b.example.com/old/path' });
    out.push(b.hostname.groups.tenant, b.pathname.input);
    const empty = new URLPattern();
    out.push(empty.pathname, empty.test('https://anything.test/at/all?q#h'), empty.test({}));
    return new Response(out.join('|'));
} };
--- request
GET /u
--- response_body: http{s}?|:tenant.example.com|*|/v:n/*|*|*|acme|2|orders|https|false|false|shop|a/b|shop.example.com|b|/v3/z|*|true|true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: ignoreCase: in a dictionary pattern and a string pattern with a base URL; off by default
--- user_files
>>> u.js
export default { fetch() {
    const p = new URLPattern({ pathname: '/Books/:id' }, { ignoreCase: true });
    const q = new URLPattern('/Books/list?sort=:order', 'https://a.test', { ignoreCase: true });
    const strict = new URLPattern({ pathname: '/Books/:id' });
    return new Response([
        p.test({ pathname: '/BOOKS/1' }), p.exec({ pathname: '/bOoKs/Ab' }).pathname.groups.id,
        q.test('https://a.test/books/LIST?SORT=Up'), q.exec('https://a.test/BOOKS/list?sort=Up').search.groups.order,
        strict.test({ pathname: '/BOOKS/1' }), strict.test({ pathname: '/Books/1' }),
    ].join('|'));
} };
--- request
GET /u
--- response_body: true|Ab|true|Up|false|true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: regexp groups: a named group's regexp, an anonymous group, modifiers, hasRegExpGroups
--- user_files
>>> u.js
export default { fetch() {
    const id = new URLPattern({ pathname: '/books/:id(\\d+)' });
    const anon = new URLPattern({ pathname: '/files/(.*)\\.:ext(png|jpg)' });
    const opt = new URLPattern({ pathname: '/docs/:section?' });
    const many = new URLPattern({ pathname: '/tags/:tag+' });
    const m = anon.exec({ pathname: '/files/a/b.png' });
    const o = opt.exec({ pathname: '/docs' });
    return new Response([
        id.pathname, id.hasRegExpGroups, anon.hasRegExpGroups, opt.hasRegExpGroups,
        id.test({ pathname: '/books/12' }), id.test({ pathname: '/books/x' }),
        JSON.stringify(m.pathname.groups), anon.test({ pathname: '/files/a.gif' }),
        'section' in o.pathname.groups, o.pathname.groups.section,
        many.exec({ pathname: '/tags/a/b/c' }).pathname.groups.tag, many.test({ pathname: '/tags' }),
    ].join('|'));
} };
--- request
GET /u
--- response_body: /books/:id(\d+)|true|true|false|true|false|{"0":"a/b","ext":"png"}|false|true||a/b/c|false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: errors are TypeErrors: invalid patterns, a relative string without a base, a bad base URL, wrong arguments, no new, another this
--- user_files
>>> u.js
export default { fetch() {
    const out = [];
    for (const f of [
        () => new URLPattern({ pathname: '/:id(' }),
        () => new URLPattern({ pathname: '/(a' }),
        () => new URLPattern({ pathname: '/((a))' }),
        () => new URLPattern({ pathname: '/:' }),
        () => new URLPattern({ protocol: 'ht tp' }),
        () => new URLPattern({ hostname: 'bad host' }),
        () => new URLPattern('('),
        () => new URLPattern('/books/:id'),
        () => new URLPattern('/books/:id', 'not a url'),
        () => new URLPattern({ pathname: '/x' }, 'https://a.test'),
        () => new URLPattern(Symbol('x')),
        () => URLPattern({}),
        () => new URLPattern({ pathname: '/x' }).exec({ pathname: '/x' }, 'https://a.test'),
        () => URLPattern.prototype.test.call({}, '/'),
        () => URLPattern.prototype.exec.call(null, '/'),
        () => Object.getOwnPropertyDescriptor(URLPattern.prototype, 'pathname').get.call({}),
    ]) {
        try { f(); out.push('no error'); } catch (e) { out.push(e instanceof TypeError ? 'TypeError' : `${e.name}: ${e.message}`); }
    }
    // a string that is no URL neither matches nor throws
    const p = new URLPattern({ pathname: '/x' });
    out.push(p.test('not a url'), p.exec('not a url'), p.test('/x', 'also not a url'));
    return new Response(out.join('|'));
} };
--- request
GET /u
--- response_body: TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|TypeError|false||false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: an invalid pattern left uncaught is the function's error: 500 and the TypeError in error_log
--- user_files
>>> u.js
export default { fetch() { return new Response(String(new URLPattern({ pathname: '/:id(' }))); } };
--- request
GET /u
--- error_code: 500
--- error_log eval
qr/\[error\] .*u\.js.*TypeError: Failed to construct 'URLPattern': invalid pathname pattern/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 8: the global and the class as Web IDL has them: not enumerable, replaceable, toStringTag, no compareComponent
--- user_files
>>> u.js
export default { fetch() {
    const d = Object.getOwnPropertyDescriptor(globalThis, 'URLPattern');
    const p = new URLPattern();
    const t = Object.getOwnPropertyDescriptor(URLPattern.prototype, Symbol.toStringTag);
    const out = [typeof URLPattern, URLPattern.name, URLPattern.length, d.enumerable, d.writable, d.configurable,
        Object.keys(globalThis).includes('URLPattern'), Object.prototype.toString.call(p), t.value, t.writable,
        'compareComponent' in URLPattern, Object.keys(URLPattern.prototype).join(),
        p instanceof URLPattern, typeof URLPattern.prototype.exec];
    globalThis.URLPattern = 1;
    out.push(URLPattern);
    return new Response(out.join('|'));
} };
--- request
GET /u
--- response_body: function|URLPattern|0|false|true|true|false|[object URLPattern]|URLPattern|false|false|test,exec,protocol,username,password,hostname,port,pathname,search,hash,hasRegExpGroups|true|function|1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: URLPattern uses the runtime's own URL, RegExp and TypeError: replacing the globals first changes nothing
--- user_files
>>> u.js
globalThis.URL = function () { throw new Error('the fake URL'); };
globalThis.RegExp = function () { throw new Error('the fake RegExp'); };
globalThis.TypeError = function () { return {}; };
export default { fetch() {
    const p = new URLPattern('https://a.test/x/:y');
    let err;
    try { new URLPattern('/relative'); } catch (e) { err = e; }
    return new Response([p.test('https://a.test/x/1'), p.exec('https://A.test/x/%7e').pathname.groups.y,
        Object.getPrototypeOf(err).name].join('|'));
} };
--- request
GET /u
--- response_body: true|%7e|TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: two functions use URLPattern: the second isolate starts from the process's code cache
--- config
    location /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
    location /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
--- user_files
>>> a.js
export default { fetch(r) { return new Response(new URLPattern({ pathname: '/:who' }).exec(r.url).pathname.groups.who); } };
>>> b.js
export default { fetch(r) {
    const p = new URLPattern('/:who(b+)', 'http://h.test', { ignoreCase: true });
    return new Response(String(p.exec(new URL(r.url).pathname, 'http://h.test').pathname.groups.who));
} };
--- request eval
["GET /a", "GET /b", "GET /bbB", "GET /a"]
--- response_body eval
["a", "b", "bbB", "a"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: a function that broke the built-ins the library uses breaks its own patterns only; the next isolate is fine
--- config
    location /broken { js_function $TEST_NGINX_SERVER_ROOT/html/broken.js; }
    location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
--- user_files
>>> broken.js
Object.assign = () => { throw new Error('no assign'); };
String.prototype.replace = () => { throw new Error('no replace'); };
export default { fetch() {
    try { new URLPattern({ pathname: '/x/:y' }); return new Response('constructed'); }
    catch (e) { return new Response(`${e.name}`); }
} };
>>> u.js
export default { fetch() { return new Response(String(new URLPattern({ pathname: '/x/:y' }).test({ pathname: '/x/1' }))); } };
--- request eval
["GET /broken", "GET /u", "GET /broken"]
--- response_body eval
["TypeError", "true", "TypeError"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: a catastrophic-backtracking regexp group is stopped by js_function_cpu_limit: 503, and the worker goes on
--- user_files
>>> u.js
const p = new URLPattern({ pathname: '/((?:a+)+b)' });
export default { fetch() { return new Response(String(p.test({ pathname: '/' + 'a'.repeat(40) + 'c' }))); } };
--- request
GET /limited
--- timeout: 5
--- error_code: 503
--- error_log eval
qr/\[error\] .*u\.js": CPU time limit of 50 ms exceeded \(js_function_cpu_limit\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 13: after the backtracking kill, the same function's next isolate answers a short input
--- user_files
>>> u.js
const p = new URLPattern({ pathname: '/((?:a+)+b)' });
export default { fetch(r) {
    const n = Number(new URL(r.url).searchParams.get('n'));
    return new Response(String(p.test({ pathname: '/' + 'a'.repeat(n) + 'c' })));
} };
--- request eval
["GET /limited?n=3", "GET /limited?n=40", "GET /limited?n=3"]
--- error_code eval
[200, 503, 200]
--- response_body eval
["false", qr/.*/, "false"]
--- timeout: 5
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 14: a pattern string of 1 MB is stopped by js_function_cpu_limit: 503, and the next request is served
--- user_files
>>> u.js
export default { fetch(r) {
    if (r.url.endsWith('?big')) new URLPattern('https://h.test/' + 'abcd'.repeat(1 << 18));
    return new Response('small ' + new URLPattern({ pathname: '/:x' }).test(r.url));
} };
--- request eval
["GET /limited?big", "GET /limited?small"]
--- error_code eval
[503, 200]
--- response_body eval
[qr/.*/, "small true"]
--- timeout: 5
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 15: a pattern of 1 MB under a small js_function_memory is stopped by the memory limit: 503
--- config
    location /u {
        js_function_memory 16m;
        js_function_cpu_limit 10s;
        js_function $TEST_NGINX_SERVER_ROOT/html/u.js;
    }
--- user_files
>>> u.js
export default { fetch() { return new Response(new URLPattern({ pathname: '/' + 'abcd'.repeat(1 << 18) }).pathname); } };
--- request
GET /u
--- timeout: 20
--- error_code: 503
--- error_log eval
qr/\[error\] .*u\.js": memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 16: a 1 MB input against a small pattern is matched; a component of 16 KB of text works, one of 64 KB (past V8's regexp size) is a TypeError from the constructor
--- user_files
>>> u.js
export default { fetch() {
    const long = 'x'.repeat(1 << 20);
    const m = new URLPattern({ pathname: '/files/*' }).exec({ pathname: '/files/' + long });
    const text = 'abcd'.repeat(1 << 12);
    const big = new URLPattern({ pathname: '/' + text });
    let err;
    try { new URLPattern({ pathname: '/' + text.repeat(4) }); } catch (e) { err = e; }
    return new Response([m.pathname.groups[0].length, big.pathname.length,
        big.test({ pathname: '/' + text }), big.test({ pathname: '/x' }),
        err instanceof TypeError, err.message.includes('invalid pathname pattern')].join('|'));
} };
--- request
GET /u
--- response_body: 1048576|16385|true|false|true|true
--- no_error_log
[error]
[alert]
[crit]
