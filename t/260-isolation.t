# js_function_isolation context: functions of one location share a V8
# isolate per worker, each in a context of its own.  One worker: the
# functions of a block meet in it.

use Test::Nginx::Socket 'no_plan';
use JSON::PP ();
use IO::Socket::INET ();

master_on();
workers(1);

# --- response_body_filters: js_function_status as "v8_isolates=N" and,
# per function (its file name), its resident isolates and "isolation" mode
sub sharing {
    my ($body) = @_;
    my $d = eval { JSON::PP::decode_json($body) };
    return $body unless ref $d eq 'HASH' && ref $d->{workers} eq 'ARRAY';
    my $out = '';
    for my $w (@{ $d->{workers} }) {
        my %groups;
        for my $f (sort { $a->{function} cmp $b->{function} } @{ $w->{functions} }) {
            (my $name = $f->{function}) =~ s{.*/}{}s;
            $groups{ $f->{shared_isolate} } = 1 if $f->{shared_isolate};
            $out .= "$name: resident=$f->{resident_isolates} "
                    . ($f->{isolation} // 'isolate') . "\n";
        }
        $out .= 'v8_isolates=' . ($w->{v8_isolates} // 'none')
                . ' groups=' . scalar(keys %groups) . "\n";
    }
    return $out;
}

# one request on a new connection, HTTP/1.0: the body, or "ERROR ..."
sub get {
    my ($uri) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984,
                                  Timeout => 5)
        or return "ERROR connect: $!";
    print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
    my $raw = do { local $/; <$s> } // '';
    close $s;
    # the code cache is written just after the response has gone out
    select undef, undef, undef, 0.1;
    return $raw =~ /\r\n\r\n(.*)\z/s ? $1 : "ERROR $raw";
}

# nginx -s reload, then time for the new worker to start and the old to go
sub reload {
    open my $in, '<', "$ENV{TEST_NGINX_SERVER_ROOT}/logs/nginx.pid" or return;
    chomp(my $master = <$in> // '');
    kill 'HUP', $master;
    select undef, undef, undef, 1.5;
}

# a module of about 20 KB, big enough for the code cache on disk
sub big {
    my ($name) = @_;
    return [$name, "const pad = '" . ('x' x 20000) . "';\n"
                   . "let hits = 0;\nexport default { fetch() { hits++;"
                   . " return new Response('big ' + hits + ' ' + pad.length); } };\n"];
}

# a.js, b.js, c.js: each answers its name
sub abc {
    return [map { ["$_.js", "export default { fetch() { return new Response('$_'); } };\n"] }
            qw(a b c)];
}

# x.js loads a.js, b.js, c.js and a.js again (fetch), each keeping 6 MB
# of heap from its top-level code: in a 16 MB group, c.js does not fit
sub heap_files {
    my $keep = sub {
        my ($n) = @_;
        return ["$n.js", "globalThis.keep = '$n'.repeat(6 << 20) + '!';\n"
                         . "globalThis.keep.at(-1);\n"
                         . "export default { fetch() { return new Response("
                         . "String(globalThis.keep.length)); } };\n"];
    };
    return [["x.js", <<'JS'], map { $keep->($_) } qw(a b c)];
export default {
    async fetch() {
        const out = [];
        for (const f of ['a', 'b', 'c', 'a']) {
            const r = await fetch('/g/' + f);
            out.push(f + ':' + r.status);
        }
        return new Response(out.join(' '));
    }
};
JS
}

run_tests();

__DATA__

=== TEST 1: two functions in one group have their own globals, built-ins and fetch
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files
>>> a.js
globalThis.mine = 'a';
export default {
    fetch() {
        Array.prototype.push = () => 'hijacked';
        Object.prototype.then = (ok) => ok('hijacked');
        globalThis.fetch = () => 'hijacked';
        String.prototype.toUpperCase = () => 'hijacked';
        return new Response('a: ' + [].push(1) + ' ' + typeof globalThis.mine);
    }
};
>>> b.js
export default {
    async fetch() {
        const a = [];
        a.push(1, 2);
        const v = await Promise.resolve(7);
        return new Response(['b', typeof globalThis.mine, a.length, v,
                             typeof fetch === 'function' && fetch.name, 'x'.toUpperCase(),
                             ({}).then === undefined].join(' '));
    }
};
--- request eval
["GET /g/a", "GET /g/b", "GET /g/a", "GET /g/b"]
--- response_body eval
["a: hijacked string", "b undefined 2 7 fetch X true", "a: hijacked string", "b undefined 2 7 fetch X true"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: js_function_status: three functions in context mode share one V8 isolate
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
    location = /status { js_function_status; }
--- user_files eval
main::abc()
--- pipelined_requests eval
["GET /g/a", "GET /g/b", "GET /g/c", "GET /status"]
--- response_body_filters eval
\&main::sharing
--- response_body eval
["a", "b", "c", "a.js: resident=1 context
b.js: resident=1 context
c.js: resident=1 context
v8_isolates=1 groups=1
"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: js_function_status: in isolate mode (the default) three functions are three isolates
--- config
    location ~ ^/g/(\w+)$ {
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
    location = /status { js_function_status; }
--- user_files eval
main::abc()
--- pipelined_requests eval
["GET /g/a", "GET /g/b", "GET /g/c", "GET /status"]
--- response_body_filters eval
\&main::sharing
--- response_body eval
["a", "b", "c", "a.js: resident=1 isolate
b.js: resident=1 isolate
c.js: resident=1 isolate
v8_isolates=none groups=0
"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: functions=2: three functions make two groups; another location never joins them
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context functions=2;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
    location ~ ^/h/(\w+)$ {
        js_function_isolation context functions=2;
        js_function $TEST_NGINX_SERVER_ROOT/html/h/$1.js;
    }
    location = /status { js_function_status; }
--- user_files eval
[@{ main::abc() },
 ["h/d.js", "export default { fetch() { return new Response('d'); } };\n"]]
--- pipelined_requests eval
["GET /g/a", "GET /g/b", "GET /g/c", "GET /h/d", "GET /status"]
--- response_body_filters eval
\&main::sharing
--- response_body eval
["a", "b", "c", "d", "a.js: resident=1 context
b.js: resident=1 context
c.js: resident=1 context
d.js: resident=1 context
v8_isolates=3 groups=3
"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: a CPU-limit kill of one function condemns its group: one line says so, the other function's request in flight fails (a 200 ms limit: in a loaded CI run a first request was once answered 503 at 50 ms, see TEST 6)
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function_cpu_limit 200ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files
>>> a.js
export default {
    async fetch() {
        const b = fetch('/g/b');
        await new Promise((ok) => setTimeout(ok, 100));
        for (;;) {}
    }
};
>>> b.js
export default {
    async fetch() {
        await new Promise((ok) => setTimeout(ok, 1500));
        return new Response('b late');
    }
};
--- request
GET /g/a
--- timeout: 3
--- error_code: 503
--- error_log eval
[qr/\[error\] .*js_function ".*\/a\.js": CPU time limit of 200 ms exceeded \(js_function_cpu_limit\)/,
 qr/\[error\] .*js_function ".*\/a\.js": killed the isolate it shared with 1 other functions \(js_function_isolation context\): all are retired/,
 qr/\[error\] .*js_function ".*\/b\.js": the V8 isolate shared with ".*\/a\.js" \(js_function_isolation context\) was stopped: CPU time limit of 200 ms exceeded/]
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 6: after a CPU-limit kill of its group, a function's next request gets a fresh context in a new group (a 200 ms limit: in a loaded CI run the first request, b's cold load in a new group, was once answered 503 at 50 ms; a busy VM's thread CPU clocks count steal time)
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function_cpu_limit 200ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
    location = /status { js_function_status; }
--- user_files
>>> a.js
export default { fetch() { for (;;) {} } };
>>> b.js
let calls = 0;
export default { fetch() { return new Response('b ' + ++calls); } };
--- pipelined_requests eval
["GET /g/b", "GET /g/b", "GET /g/a", "GET /g/b", "GET /status"]
--- timeout: 3
--- error_code eval
[200, 200, 503, 200, 200]
--- response_body_filters eval
\&main::sharing
--- response_body_like eval
[qr/^b 1$/, qr/^b 2$/, qr/503/, qr/^b 1$/, qr/^a\.js: resident=0 isolate
b\.js: resident=1 context
v8_isolates=1 groups=1
$/]
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 7: a heap-limit kill of one function condemns its group; the other function's next request is served by a fresh one
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function_memory 32m;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files
>>> a.js
export default {
    fetch() {
        let s = [];
        for (;;) s.push('x'.repeat(1000) + s.length);
    }
};
>>> b.js
let calls = 0;
export default { fetch() { return new Response('b ' + ++calls); } };
--- pipelined_requests eval
["GET /g/b", "GET /g/b", "GET /g/a", "GET /g/b"]
--- timeout: 5
--- error_code eval
[200, 200, 503, 200]
--- response_body_like eval
[qr/^b 1$/, qr/^b 2$/, qr/503/, qr/^b 1$/]
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 8: the heap-limit kill is logged naming the function, the group's end too
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function_memory 32m;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files
>>> a.js
export default {
    async fetch() {
        await (await fetch('/g/b')).text();
        let s = [];
        for (;;) s.push('x'.repeat(1000) + s.length);
    }
};
>>> b.js
export default { fetch() { return new Response('b'); } };
--- request
GET /g/a
--- timeout: 5
--- error_code: 503
--- error_log eval
[qr/\[error\] .*js_function ".*\/a\.js": memory limit of 32 MB exceeded \(js_function_memory\)/,
 qr/\[error\] .*js_function ".*\/a\.js": killed the isolate it shared with 1 other functions \(js_function_isolation context\): all are retired/]
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 9: interleaved: A awaits a timer while B is served (B replaces built-ins); A's timers and microtasks run in A's context
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files
>>> a.js
globalThis.tag = 'A';
export default {
    async fetch() {
        const later = new Promise((ok) => setTimeout(() => ok(globalThis.tag), 100));
        const b = await (await fetch('/g/b')).text();
        const seen = await later;
        const after = await Promise.resolve('then-ok');
        return new Response([seen, b, globalThis.tag, after, [1].map((x) => x + 1)[0]].join(' '));
    }
};
>>> b.js
globalThis.tag = 'B';
export default {
    async fetch() {
        await new Promise((ok) => setTimeout(ok, 10));
        Promise.prototype.then = function () { throw new Error('hijacked'); };
        Array.prototype.map = () => ['hijacked'];
        globalThis.setTimeout = () => { throw new Error('hijacked'); };
        return new Response('b:' + globalThis.tag);
    }
};
--- request
GET /g/a
--- response_body chomp
A b:B A then-ok 2
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: fetch() into another function of the group and back (A -> B -> A), each call in its own context
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files
>>> a.js
let calls = 0;
export default {
    async fetch(request) {
        calls++;
        if (new URL(request.url).searchParams.has('inner')) {
            return new Response('inner a' + calls);
        }
        const b = await (await fetch('/g/b')).text();
        return new Response('outer a' + calls + ' [' + b + ']');
    }
};
>>> b.js
export default {
    async fetch() {
        const a = await fetch('/g/a?inner');
        return new Response('b got ' + await a.text());
    }
};
--- request
GET /g/a
--- response_body chomp
outer a2 [b got inner a2]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: KV, crypto.subtle, crypto keys, TextEncoder, streams and structuredClone work in context mode, each function with its own bindings
--- config
    js_function_kv KV zone=iso_kv:1m;
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function_env NAME $1;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files
>>> a.js
export default {
    async fetch(request, env) {
        await env.KV.put('who', env.NAME);
        const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('k-' + env.NAME),
            { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
        globalThis.key = key;
        const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('m')));
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc')));
        const stream = new ReadableStream({
            start(c) { c.enqueue(new TextEncoder().encode(env.NAME + ' ')); c.enqueue(new TextEncoder().encode(String(sig.length))); c.close(); }
        });
        const text = await new Response(stream).text();
        const clone = structuredClone({ d: digest[0] });
        const b = await (await fetch('/g/b')).text();
        return new Response([text, clone.d, await env.KV.get('who'), typeof globalThis.key, b].join(' '));
    }
};
>>> b.js
export default {
    async fetch(request, env) {
        const seen = await env.KV.get('who');
        const { readable, writable } = new TransformStream({
            transform(chunk, c) { c.enqueue(chunk.toUpperCase()); }
        });
        const w = writable.getWriter();
        w.write('env=' + env.NAME + ' kv=' + seen + ' key=' + typeof globalThis.key);
        w.close();
        const out = [];
        for await (const piece of readable) out.push(piece);
        return new Response(out.join(''));
    }
};
--- request
GET /g/a
--- response_body chomp
a 32 186 a object ENV=B KV=A KEY=UNDEFINED
--- no_error_log
[error]
[alert]
[crit]




=== TEST 12: a changed function file is loaded again in context mode; the group keeps serving the others
--- http_config
    js_function_check_interval 100ms;
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
    location = /status { js_function_status; }
--- user_files
>>> fn.js
export default { fetch() { return new Response('v1 ' + typeof globalThis.v2); } };
>>> next/fn.js
globalThis.v2 = true;
export default { fetch() { return new Response('v2 ' + typeof globalThis.v2); } };
>>> sleep.js
export default {
    async fetch() {
        await new Promise((ok) => setTimeout(ok, 800));
        return new Response('slept');
    }
};
--- init
my $html = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
system("sh -c 'sleep 0.4; cp $html/next/fn.js $html/fn.js' &");
--- pipelined_requests eval
["GET /g/fn", "GET /g/sleep", "GET /g/fn", "GET /status"]
--- response_body_filters eval
\&main::sharing
--- response_body eval
["v1 undefined", "slept", "v2 boolean", "fn.js: resident=1 context
sleep.js: resident=1 context
v8_isolates=1 groups=1
"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: js_function_preload: a fixed-path function of a context-mode location is loaded at worker start
--- config
    location = /f {
        js_function_isolation context;
        js_function $TEST_NGINX_SERVER_ROOT/html/f.js;
    }
--- user_files
>>> f.js
const loaded = Date.now();
export default { fetch() { return new Response('f ' + (Date.now() - loaded >= 400)); } };
--- init
select(undef, undef, undef, 0.8);
--- request
GET /f
--- response_body chomp
f true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: js_function_code_cache: a context-mode function writes its code cache, and a new worker compiles from it
--- http_config
    js_function_code_cache $TEST_NGINX_SERVER_ROOT/cc14;
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files eval
[main::big("big.js")]
--- init
main::get("/g/big");
opendir my $d, "$ENV{TEST_NGINX_SERVER_ROOT}/cc14";
my $n = grep { /\.jsc\z/ } readdir $d;
die "no code cache written\n" unless $n == 1;
main::reload();
--- request
GET /g/big
--- response_body chomp
big 1 20000
--- error_log eval
qr/js function "[^"]*\/big\.js": isolate created.*, 1 modules from the code cache/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: js_function_isolation refuses an unknown mode
--- config
    location / { js_function_isolation shared; }
--- must_die
--- error_log
invalid value "shared": "isolate" or "context"



=== TEST 16: js_function_isolation refuses functions=0
--- config
    location / { js_function_isolation context functions=0; }
--- must_die
--- error_log
invalid "functions=0": the functions sharing an isolate must number from 1 to 10000



=== TEST 17: js_function_isolation refuses functions above 10000
--- config
    location / { js_function_isolation context functions=10001; }
--- must_die
--- error_log
invalid "functions=10001": the functions sharing an isolate must number from 1 to 10000



=== TEST 18: js_function_isolation refuses functions that are not a number
--- config
    location / { js_function_isolation context functions=many; }
--- must_die
--- error_log
invalid "functions=many": the functions sharing an isolate must number from 1 to 10000



=== TEST 19: functions= belongs to context mode only; a parameter other than functions= is refused
--- config
    location / { js_function_isolation isolate functions=5; }
--- must_die
--- error_log
invalid parameter "functions=5"



=== TEST 20: js_function_isolation is not given twice at one level
--- config
    location / {
        js_function_isolation context;
        js_function_isolation isolate;
    }
--- must_die
--- error_log
"js_function_isolation" directive is duplicate



=== TEST 21: the group's heap is js_function_memory for all its functions: a function whose load fills it condemns the group, logged
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files eval
main::heap_files()
--- request
GET /g/x
--- timeout: 5
--- error_code: 503
--- error_log eval
[qr/\[error\] .*js_function ".*\/c\.js": memory limit of 16 MB exceeded \(js_function_memory\)/,
 qr/\[error\] .*js_function ".*\/c\.js": killed the isolate it shared with 3 other functions \(js_function_isolation context\): all are retired/]
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 22: after a load filled the group's heap, the next load gets a new group
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context;
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
--- user_files eval
main::heap_files()
--- pipelined_requests eval
["GET /g/x", "GET /g/b"]
--- timeout: 5
--- error_code eval
[503, 200]
--- response_body_like eval
[qr/503/, qr/^6291457$/]
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 23: Prometheus: js_function_shared_isolate gives each shared function its group's number
--- config
    location ~ ^/g/(\w+)$ {
        js_function_isolation context functions=2;
        js_function $TEST_NGINX_SERVER_ROOT/html/$1.js;
    }
    location = /status { js_function_status; }
--- user_files eval
main::abc()
--- pipelined_requests eval
["GET /g/a", "GET /g/b", "GET /g/c", "GET /status?format=prometheus"]
--- response_body_filters eval
sub { my $b = shift; return $b unless $b =~ /^# HELP/;
      $b =~ s{function="[^"]*/}{function="}g; $b =~ s{worker="\d+"}{worker="W"}g;
      join '', grep { /shared_isolate/ } split /^/, $b }
--- response_body eval
["a", "b", "c", "# HELP js_function_shared_isolate The worker's number of the V8 isolate the function shares with others (js_function_isolation context).
# TYPE js_function_shared_isolate gauge
js_function_shared_isolate{function=\"a.js\",worker=\"W\"} 1
js_function_shared_isolate{function=\"b.js\",worker=\"W\"} 1
js_function_shared_isolate{function=\"c.js\",worker=\"W\"} 2
"]
--- no_error_log
[error]
[alert]
[crit]
