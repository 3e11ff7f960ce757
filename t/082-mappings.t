# The worker's memory mappings: every 256 KB page of an isolate's heap is a
# mapping of its own, and V8 aborts the worker when the kernel refuses one
# (vm.max_map_count).  The pool lowers js_function_max_isolates to what
# fits, evicts idle isolates when heaps grow, and answers 503 rather than
# create an isolate past the budget.
#
# JSFN_MAX_MAP_COUNT (from nginx's env directive) lowers the kernel's
# figure, so that a test needs neither root nor a sysctl change.  Functions
# count their requests in a module-level "let n": the counter starts again
# at 1 in a new isolate, which shows evictions.

use Test::Nginx::Socket 'no_plan';

# the warning of TEST 1 is written at start, before the request
check_accum_error_log();
no_shuffle();
run_tests();

__DATA__

=== TEST 1: js_function_max_isolates far above what vm.max_map_count allows is lowered, with a warning that says how to raise it
--- http_config
    js_function_max_isolates 100000000;
--- config
    location = /a { js_function html/a.js; }
--- user_files
>>> a.js
let n = 0;
export default { fetch() { n++; return new Response('a ' + n); } };
--- request
GET /a
--- response_body chomp
a 1
--- error_log eval
qr/\[warn\] .*js_function_max_isolates 100000000 lowered to \d+ in this worker: an isolate takes about 14 memory mappings, more as its heap grows, and vm.max_map_count is \d+ \("sysctl -w vm.max_map_count=\d+" raises it\)/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: a grown heap counts its pages: the next new isolate evicts it (idle, least recently used) to stay within the mappings
--- main_config
    env JSFN_MAX_MAP_COUNT=700;
--- http_config
    js_function_memory 512m;
    js_function_max_isolates 20;
--- config
    location = /big { js_function html/big.js; }
    location = /sleep { js_function html/sleep.js; }
    location = /a { js_function html/a.js; }
--- user_files
>>> big.js
let n = 0;
let keep = [];
export default {
    fetch() {
        n++;
        /* 1,200 arrays of 96 KB: 115 MB, about 460 heap pages */
        for (let i = 0; i < 1200; i++) {
            keep.push(new Array(12000).fill(i + 0.5));
        }
        return new Response('big ' + n);
    }
};
>>> sleep.js
export default {
    async fetch() {
        /* the pool's sweep (every second) measures the heaps meanwhile */
        await new Promise(resolve => setTimeout(resolve, 1500));
        return new Response('slept');
    }
};
>>> a.js
let n = 0;
export default { fetch() { n++; return new Response('a ' + n); } };
--- request eval
["GET /big", "GET /sleep", "GET /a", "GET /big"]
--- response_body eval
["big 1", "slept", "a 1", "big 1"]
--- timeout: 10
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: no idle isolate to evict and no room for another: 503 and an error line, the worker goes on
--- main_config
    env JSFN_MAX_MAP_COUNT=700;
--- http_config
    js_function_memory 512m;
    # /a must need an isolate of its own when /hold asks for it
    js_function_preload off;
--- config
    location = /hold { js_function html/hold.js; }
    location = /a { js_function html/a.js; }
--- user_files
>>> hold.js
let keep = [];
export default {
    async fetch() {
        for (let i = 0; i < 1200; i++) {
            keep.push(new Array(12000).fill(i + 0.5));
        }
        await new Promise(resolve => setTimeout(resolve, 1500));
        /* this isolate is busy, and holds the mappings /a would need */
        const r = await fetch('/a');
        return new Response('hold ' + r.status);
    }
};
>>> a.js
export default { fetch() { return new Response('a'); } };
--- request
GET /hold
--- response_body chomp
hold 503
--- timeout: 10
--- error_log eval
qr/\[error\] .*js_function "[^"]*\/a\.js": no isolate created: the worker's memory mappings would pass \d+ \(vm.max_map_count 700 less a tenth\) and no idle isolate is left to evict \(sysctl -w vm.max_map_count raises it\)/
--- no_error_log
[alert]
[crit]



=== TEST 4: an isolate idle for 10 s has its heap shrunk (a full GC) by the pool's sweep, and keeps its globals
--- config
    location = /a { js_function html/a.js; }
    location = /sleep { js_function html/sleep.js; }
--- user_files
>>> a.js
let n = 0;
const keep = [];
export default {
    fetch() {
        n++;
        keep.push(new Array(1000).fill(n));
        let garbage = [];
        for (let i = 0; i < 100; i++) {
            garbage.push(new Array(12000).fill(i + 0.5));
        }
        return new Response('a ' + n + ' ' + keep.length + ' '
                            + keep[0][999] + ' ' + garbage.length);
    }
};
>>> sleep.js
export default {
    async fetch() {
        await new Promise(resolve => setTimeout(resolve, 11500));
        /* the same isolate of a.js, shrunk meanwhile */
        const r = await fetch('/a');
        return new Response('slept, then ' + await r.text());
    }
};
--- init
use IO::Socket::INET ();
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984,
                              Timeout => 5) or die "connect: $!";
print $s "GET /a HTTP/1.0\r\nHost: localhost\r\n\r\n";
my $raw = do { local $/; <$s> } // '';
die "first request: $raw" unless $raw =~ /\r\n\r\na 1 1 1 100\z/;
--- request
GET /sleep
--- response_body chomp
slept, then a 2 2 1 100
--- error_log eval
qr/js function "[^"]*\/a\.js": idle, heap shrunk/
--- timeout: 20
--- no_error_log
[error]
[alert]
[crit]
