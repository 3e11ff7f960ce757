# The per-worker isolate pool: many tenants behind one location, LRU
# eviction past js_function_max_isolates, never an isolate in use,
# js_function_idle_timeout, js_function_prewarm spares, and the defaults.
#
# Functions count their requests in a module-level "let n": the counter
# starts again at 1 when a new isolate is created, which shows evictions.

use Test::Nginx::Socket 'no_plan';

# Pipelined responses read with --- http09, one line per response:
# "STATUS BODY".  Checking them as one body keeps a block of thousands of
# requests down to a few tests: both harnesses read error.log after each
# response of a block (the CPAN one sleeps 45 ms each time).
sub jsfn_responses {
    my ($raw) = @_;
    my $out = '';

    pos($raw) = 0;

    while ($raw =~ m{\G HTTP/1\.[01] \s+ (\d{3}) [^\r\n]* \r\n
                      ((?: [^\r\n]+ \r\n)*) \r\n}gcx)
    {
        my ($status, $headers, $body) = ($1, $2, '');

        if ($headers =~ /^Content-Length:\s*(\d+)\r$/mi) {
            $body = substr $raw, pos($raw), $1;
            pos($raw) = pos($raw) + $1;

        } elsif ($headers =~ /^Transfer-Encoding:\s*chunked\r$/mi) {
            while ($raw =~ /\G([0-9a-fA-F]+)\r\n/gc) {
                my $len = hex $1;
                $body .= substr $raw, pos($raw), $len;
                pos($raw) = pos($raw) + $len + 2;
                last if $len == 0;
            }
        }

        $out .= "$status $body\n";
    }

    my $left = length($raw) - (pos($raw) // 0);
    $out .= "$left unparsed bytes\n" if $left > 0;

    return $out;
}

sub jsfn_get_request {
    my ($uri, $last) = @_;
    return "GET $uri HTTP/1.1\r\nHost: localhost\r\n"
           . ($last ? "Connection: close\r\n" : '') . "\r\n";
}

run_tests();

__DATA__

=== TEST 1: 2,000 tenants behind one variable location, 50 isolates at most, every answer right
--- http_config
    js_function_max_isolates 50;
--- config
    # one connection carries all 4,051 requests (the default is 1000)
    keepalive_requests 10000;
    location ~ ^/t/(?<fn>\w+)$ {
        js_function $TEST_NGINX_SERVER_ROOT/html/t/$fn.js;
    }
--- user_files eval
[map {
    my $name = sprintf 'f%04d', $_;
    ["t/$name.js",
     "let n = 0;\nexport default { fetch() { n++; return new Response('$name ' + n); } };\n"]
} 1 .. 2000]
--- raw_request eval
my @uris = map { sprintf '/t/f%04d', $_ } (1 .. 2000, 1 .. 2000, 1951 .. 2000, 1950);
CORE::join '', map { main::jsfn_get_request($uris[$_], $_ == $#uris) } 0 .. $#uris;
--- http09
--- timeout: 30
--- log_level: info
--- response_body_filters eval
\&main::jsfn_responses
--- response_body eval
# two passes: the second starts cold again (only 50 stay resident);
# then the last 50 of it are still warm, and the 51st from the end is not
CORE::join '', (map { sprintf "200 f%04d 1\n", $_ } 1 .. 2000, 1 .. 2000),
         (map { sprintf "200 f%04d 2\n", $_ } 1951 .. 2000),
         "200 f1950 1\n";
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: past js_function_max_isolates the least recently used isolate goes
--- http_config
    js_function_max_isolates 2;
--- config
    location ~ ^/lru/(?<fn>[abc])$ {
        js_function $TEST_NGINX_SERVER_ROOT/html/lru/$fn.js;
    }
--- user_files
>>> lru/a.js
let n = 0;
export default { fetch() { n++; return new Response('a' + n); } };
>>> lru/b.js
let n = 0;
export default { fetch() { n++; return new Response('b' + n); } };
>>> lru/c.js
let n = 0;
export default { fetch() { n++; return new Response('c' + n); } };
--- request eval
["GET /lru/a", "GET /lru/b", "GET /lru/a", "GET /lru/c", "GET /lru/b", "GET /lru/a"]
--- response_body eval
# pool after each: [a] [b a] [a b] [c a] (b evicted) [b c] (a evicted)
# [a b] (c evicted); evicting the oldest created instead would give b2
["a1", "b1", "a2", "c1", "b1", "a1"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: an isolate with a request in flight is never evicted
--- http_config
    js_function_max_isolates 1;
--- config
    location ~ ^/busy/(?<fn>[ab])$ {
        js_function $TEST_NGINX_SERVER_ROOT/html/busy/$fn.js;
    }
--- user_files
>>> busy/a.js
let n = 0, waited = 0;
export default {
    async fetch(r) {
        const me = ++n;
        if (new URL(r.url).searchParams.has('wait')) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            waited++;
        }
        return new Response('a' + me + ' waited=' + waited);
    }
};
>>> busy/b.js
let n = 0;
export default { fetch() { n++; return new Response('b' + n); } };
--- init
use IO::Socket::INET;
our $JSFN_SLOW = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984) or die "connect: $!";
print $JSFN_SLOW "GET /busy/a?wait=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
select(undef, undef, undef, 0.3);
--- request eval
["GET /busy/b", "GET /busy/a", "GET /busy/a?wait=1"]
--- response_body eval
# b needs room while a waits: a is kept (a2, not a1), and the request that
# was in flight finished on it (waited=2 once a3 has waited too)
["b1", "a2 waited=0", "a3 waited=2"]
--- timeout: 5
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: eviction takes an idle isolate without pending timers before one with them
--- http_config
    js_function_max_isolates 2;
--- config
    location ~ ^/p/(?<fn>[abc])$ {
        js_function $TEST_NGINX_SERVER_ROOT/html/p/$fn.js;
    }
--- user_files
>>> p/a.js
let n = 0;
export default {
    fetch(r, env, ctx) {
        n++;
        ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 3000)));
        return new Response('a' + n);
    }
};
>>> p/b.js
let n = 0;
export default { fetch() { n++; return new Response('b' + n); } };
>>> p/c.js
let n = 0;
export default { fetch() { n++; return new Response('c' + n); } };
--- request eval
["GET /p/a", "GET /p/b", "GET /p/c", "GET /p/a", "GET /p/b"]
--- response_body eval
# c evicts b, not a (least recently used, but its waitUntil timer is
# pending); b then evicts c, the least recently used
["a1", "b1", "c1", "a2", "b1"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: js_function_idle_timeout disposes of an isolate left unused
--- http_config
    js_function_idle_timeout 1s;
--- config
    location = /idle/count { js_function $TEST_NGINX_SERVER_ROOT/html/count.js; }
    location = /idle/sleep { js_function $TEST_NGINX_SERVER_ROOT/html/sleep.js; }
--- user_files
>>> count.js
let n = 0;
export default { fetch() { n++; return new Response('count ' + n); } };
>>> sleep.js
export default {
    async fetch() {
        await new Promise((resolve) => setTimeout(resolve, 2500));
        return new Response('slept');
    }
};
--- request eval
["GET /idle/count", "GET /idle/count", "GET /idle/sleep", "GET /idle/count"]
--- response_body eval
["count 1", "count 2", "slept", "count 1"]
--- timeout: 6
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: an isolate idle for less than js_function_idle_timeout stays
--- http_config
    js_function_idle_timeout 10s;
--- config
    location = /idle/count { js_function $TEST_NGINX_SERVER_ROOT/html/count.js; }
    location = /idle/sleep { js_function $TEST_NGINX_SERVER_ROOT/html/sleep.js; }
--- user_files
>>> count.js
let n = 0;
export default { fetch() { n++; return new Response('count ' + n); } };
>>> sleep.js
export default {
    async fetch() {
        await new Promise((resolve) => setTimeout(resolve, 2500));
        return new Response('slept');
    }
};
--- request eval
["GET /idle/count", "GET /idle/count", "GET /idle/sleep", "GET /idle/count"]
--- response_body eval
["count 1", "count 2", "slept", "count 3"]
--- timeout: 6
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: with js_function_prewarm 2 a cold start takes a spare isolate
--- http_config
    js_function_prewarm 2;
    js_function_preload off;
--- config
    location = /warm { js_function $TEST_NGINX_SERVER_ROOT/html/warm.js; }
--- user_files
>>> warm.js
export default { fetch() { return new Response('warm'); } };
--- init
# the spares are made on the engine's background thread once the worker starts
select(undef, undef, undef, 0.3);
--- request
GET /warm
--- response_body chomp
warm
--- log_level: debug
--- error_log eval
qr/js function "[^"]*\/warm\.js": isolate created from a spare/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: the default (js_function_prewarm 2) also keeps a spare ready
--- http_config
    js_function_preload off;
--- config
    location = /warm { js_function $TEST_NGINX_SERVER_ROOT/html/warm.js; }
--- user_files
>>> warm.js
export default { fetch() { return new Response('warm'); } };
--- init
select(undef, undef, undef, 0.3);
--- request
GET /warm
--- response_body chomp
warm
--- log_level: debug
--- error_log eval
qr/js function "[^"]*\/warm\.js": isolate created from a spare/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: with js_function_prewarm 0 a cold start creates its isolate
--- http_config
    js_function_prewarm 0;
    js_function_preload off;
--- config
    location = /cold { js_function $TEST_NGINX_SERVER_ROOT/html/cold.js; }
--- user_files
>>> cold.js
export default { fetch() { return new Response('cold'); } };
--- init
select(undef, undef, undef, 0.3);
--- request
GET /cold
--- response_body chomp
cold
--- log_level: debug
--- error_log eval
qr/js function "[^"]*\/cold\.js": isolate created(?! from a spare)/
--- no_error_log
from a spare
[error]
[alert]
[crit]



=== TEST 10: a location with its own limits does not take a spare made with the defaults
--- http_config
    js_function_prewarm 2;
    js_function_preload off;
--- config
    location = /own {
        js_function_memory 64m;
        js_function $TEST_NGINX_SERVER_ROOT/html/own.js;
    }
--- user_files
>>> own.js
export default { fetch() { return new Response('own limits'); } };
--- init
select(undef, undef, undef, 0.3);
--- request
GET /own
--- response_body chomp
own limits
--- log_level: debug
--- error_log eval
qr/js function "[^"]*\/own\.js": isolate created(?! from a spare)/
--- no_error_log
from a spare
[error]
[alert]
[crit]



=== TEST 11: with the defaults, 20 functions all stay warm
--- config
    location ~ ^/d/(?<fn>\w+)$ {
        js_function $TEST_NGINX_SERVER_ROOT/html/d/$fn.js;
    }
--- user_files eval
[map {
    my $name = sprintf 'g%02d', $_;
    ["d/$name.js",
     "let n = 0;\nexport default { fetch() { n++; return new Response('$name ' + n); } };\n"]
} 1 .. 20]
--- pipelined_requests eval
[map { sprintf 'GET /d/g%02d', $_ } 1 .. 20, 1 .. 20]
--- response_body eval
[(map { sprintf 'g%02d 1', $_ } 1 .. 20), (map { sprintf 'g%02d 2', $_ } 1 .. 20)]
--- no_error_log
[error]
[alert]
[crit]
