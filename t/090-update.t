# Live code updates: a changed function file (or one of its imports) is
# used by new requests within js_function_check_interval, while requests in
# flight finish on the old code; a broken new version answers 500 until the
# file is fixed.
#
# Files change while nginx runs: --- init (run once the block's nginx is up,
# unlike "eval" sections, which Test::Base runs for every block before the
# first one starts) starts a background shell that replaces a file while a
# request to /sleep?ms=N waits server-side.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET ();

# One request on a new connection: "STATUS BODY", or "ERROR ..." (an init
# that dies is a bail-out of the whole run under the real harness).
sub jsfn_http {
    my ($uri) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984,
                                  Timeout => 5)
        or return "ERROR connect: $!";
    print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
    return jsfn_read($s);
}

# The whole response (HTTP/1.0: nginx closes), 5 s at most.
sub jsfn_read {
    my ($s) = @_;
    my $raw = eval {
        local $SIG{ALRM} = sub { die "timed out\n" };
        alarm 5;
        my $r = do { local $/; <$s> } // '';
        alarm 0;
        $r;
    };
    alarm 0;
    close $s;
    return "ERROR read: $@" unless defined $raw;
    return $raw =~ m{^HTTP/1\.[01] (\d{3})[^\r\n]*\r\n.*?\r\n\r\n(.*)\z}s
           ? "$1 $2" : "ERROR bad response: $raw";
}

run_tests();

__DATA__

=== TEST 1: a changed function file serves new requests within js_function_check_interval
--- http_config
    js_function_check_interval 100ms;
--- config
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
    location = /sleep { js_function $TEST_NGINX_SERVER_ROOT/html/sleep.js; }
--- user_files
>>> fn.js
export default { fetch() { return new Response('v1'); } };
>>> next/fn.js
export default { fetch() { return new Response('v2'); } };
>>> sleep.js
export default {
    async fetch(r) {
        const ms = Number(new URL(r.url).searchParams.get('ms'));
        await new Promise((resolve) => setTimeout(resolve, ms));
        return new Response('slept ' + ms);
    }
};
--- init
my $html = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
system("sh -c 'sleep 0.5; cp $html/next/fn.js $html/fn.js' &");
--- request eval
["GET /fn", "GET /sleep?ms=1000", "GET /fn"]
--- response_body eval
["v1", "slept 1000", "v2"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: within js_function_check_interval the file is not looked at again
--- http_config
    js_function_check_interval 1h;
--- config
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
    location = /sleep { js_function $TEST_NGINX_SERVER_ROOT/html/sleep.js; }
--- user_files
>>> fn.js
export default { fetch() { return new Response('v1'); } };
>>> next/fn.js
export default { fetch() { return new Response('v2'); } };
>>> sleep.js
export default {
    async fetch(r) {
        const ms = Number(new URL(r.url).searchParams.get('ms'));
        await new Promise((resolve) => setTimeout(resolve, ms));
        return new Response('slept ' + ms);
    }
};
--- init
my $html = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
system("sh -c 'sleep 0.5; cp $html/next/fn.js $html/fn.js' &");
--- request eval
["GET /fn", "GET /sleep?ms=1000", "GET /fn"]
--- response_body eval
["v1", "slept 1000", "v1"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a request in flight when the file changes finishes on the old code
--- http_config
    js_function_check_interval 100ms;
--- config
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
--- user_files
>>> fn.js
export default {
    async fetch(r) {
        const ms = Number(new URL(r.url).searchParams.get('wait') || 0);
        await new Promise((resolve) => setTimeout(resolve, ms));
        return new Response('v1' + (ms ? ' after waiting' : ''));
    }
};
>>> next/fn.js
export default { fetch() { return new Response('v2'); } };
--- init
# an old request waits 800 ms on v1; the file changes under it; a new
# request is answered (by v2) before the old one, then the old one by v1
use IO::Socket::INET;
my $html = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
my $old = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984);
print $old "GET /fn?wait=800 HTTP/1.0\r\nHost: localhost\r\n\r\n" if $old;
select(undef, undef, undef, 0.2);
rename "$html/next/fn.js", "$html/fn.js";
select(undef, undef, undef, 0.2);
my $new = main::jsfn_http('/fn');
my $in_flight = $old ? main::jsfn_read($old) : "ERROR connect: $!";
open my $out, '>', "$html/result.txt";
print $out "new request: $new\nin flight: $in_flight\n";
close $out;
--- request eval
["GET /result.txt", "GET /fn"]
--- response_body eval
["new request: 200 v2\nin flight: 200 v1 after waiting\n", "v2"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: a broken new version is a 500 with the SyntaxError and file:line logged
--- http_config
    js_function_check_interval 100ms;
--- config
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
--- user_files
>>> fn.js
export default { fetch() { return new Response('v1'); } };
>>> next/fn.js
export default {
    fetch() {
        return new Response('v2';
    }
};
--- init
my $html = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
my $v1 = main::jsfn_http('/fn');
warn "TEST 4: expected v1 before the change, got $v1\n" if $v1 ne '200 v1';
rename "$html/next/fn.js", "$html/fn.js";
select(undef, undef, undef, 0.2);
--- request
GET /fn
--- error_code: 500
--- response_body_unlike: (SyntaxError|fn\.js)
--- error_log eval
[qr/js_function ".*\/fn\.js": changed on disk, loading it again/,
 qr/js_function ".*\/fn\.js": cannot load: SyntaxError: .*fn\.js:3/]
--- no_error_log
[alert]
[crit]



=== TEST 5: a broken version answers 500 until the file is fixed
--- http_config
    js_function_check_interval 100ms;
--- config
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
    location = /sleep { js_function $TEST_NGINX_SERVER_ROOT/html/sleep.js; }
--- user_files
>>> fn.js
export default { fetch() { return new Response('v1'); } };
>>> next/broken.js
export default { fetch() { return new Response('v2' } };
>>> next/fixed.js
export default { fetch() { return new Response('v3'); } };
>>> sleep.js
export default {
    async fetch(r) {
        const ms = Number(new URL(r.url).searchParams.get('ms'));
        await new Promise((resolve) => setTimeout(resolve, ms));
        return new Response('slept ' + ms);
    }
};
--- init
# broken at 0.5 s, fixed at 1.5 s; the requests to /fn come at about
# 0, 1 and 2 s
my $html = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
system("sh -c 'sleep 0.5; cp $html/next/broken.js $html/fn.js;"
       . " sleep 1; cp $html/next/fixed.js $html/fn.js' &");
--- request eval
["GET /fn", "GET /sleep?ms=1000", "GET /fn", "GET /sleep?ms=1000", "GET /fn"]
--- error_code eval
[200, 200, 500, 200, 200]
--- response_body_like eval
[qr/^v1$/, qr/^slept 1000$/, qr/500 Internal Server Error/, qr/^slept 1000$/, qr/^v3$/]
--- no_error_log
[alert]
[crit]



=== TEST 6: a changed imported file is picked up too
--- http_config
    js_function_check_interval 100ms;
--- config
    location = /imp { js_function $TEST_NGINX_SERVER_ROOT/html/imp/main.js; }
    location = /sleep { js_function $TEST_NGINX_SERVER_ROOT/html/sleep.js; }
--- user_files
>>> imp/main.js
import { msg } from './lib/msg.js';
export default { fetch() { return new Response('main says ' + msg); } };
>>> imp/lib/msg.js
export const msg = 'v1';
>>> next/msg.js
export const msg = 'v2 of the import';
>>> sleep.js
export default {
    async fetch(r) {
        const ms = Number(new URL(r.url).searchParams.get('ms'));
        await new Promise((resolve) => setTimeout(resolve, ms));
        return new Response('slept ' + ms);
    }
};
--- init
my $html = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
system("sh -c 'sleep 0.5; cp $html/next/msg.js $html/imp/lib/msg.js' &");
--- request eval
["GET /imp", "GET /sleep?ms=1000", "GET /imp"]
--- response_body eval
["main says v1", "slept 1000", "main says v2 of the import"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: a changed file behind a variable path is picked up too
--- http_config
    js_function_check_interval 100ms;
--- config
    location ~ ^/v/(?<fn>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/v/$fn.js; }
    location = /sleep { js_function $TEST_NGINX_SERVER_ROOT/html/sleep.js; }
--- user_files
>>> v/tenant.js
let n = 0;
export default { fetch() { n++; return new Response('old ' + n); } };
>>> next/tenant.js
let n = 0;
export default { fetch() { n++; return new Response('new ' + n); } };
>>> sleep.js
export default {
    async fetch(r) {
        const ms = Number(new URL(r.url).searchParams.get('ms'));
        await new Promise((resolve) => setTimeout(resolve, ms));
        return new Response('slept ' + ms);
    }
};
--- init
my $html = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
system("sh -c 'sleep 0.5; mv $html/next/tenant.js $html/v/tenant.js' &");
--- request eval
["GET /v/tenant", "GET /v/tenant", "GET /sleep?ms=1000", "GET /v/tenant", "GET /v/tenant"]
--- response_body eval
["old 1", "old 2", "slept 1000", "new 1", "new 2"]
--- no_error_log
[error]
[alert]
[crit]
