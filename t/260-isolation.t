# js_function_isolation context: functions of one location share a V8
# isolate per worker, each in a context of its own.  One worker: the
# functions of a block meet in it.

use Test::Nginx::Socket 'no_plan';
use JSON::PP ();

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
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
>>> b.js
export default { fetch() { return new Response('b'); } };
>>> c.js
export default { fetch() { return new Response('c'); } };
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
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
>>> b.js
export default { fetch() { return new Response('b'); } };
>>> c.js
export default { fetch() { return new Response('c'); } };
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
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
>>> b.js
export default { fetch() { return new Response('b'); } };
>>> c.js
export default { fetch() { return new Response('c'); } };
>>> h/d.js
export default { fetch() { return new Response('d'); } };
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
