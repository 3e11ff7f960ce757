# Spare isolates: the stock follows the cold starts (js_function_prewarm
# NUMBER max=NUMBER), and js_function_prewarm 0 keeps none.
#
# "js function spares" debug lines: one per cold start that may take a
# spare, with the stock after it.  The harness checks error.log after each
# response of a pipelined block (the first check sees them all), so a burst
# is one pipelined block and what the stock became is checked by the next
# block, without --- config, against the same nginx.

use Test::Nginx::Socket 'no_plan';

no_shuffle();

# function files f/PREFIX1.js .. f/PREFIXn.js, each answering its name
sub functions {
    my ($prefix, $n) = @_;
    return map { ["f/$prefix$_.js",
                  "export default { fetch() { return new Response('$prefix$_'); } };"] }
           1 .. $n;
}

# f/pause.js: a cold start too, answering "paused" after $ms, meanwhile
# the spares thread makes the stock for the target the burst set
sub pause {
    my ($ms) = @_;
    return ["f/pause.js", "export default { async fetch() {\n"
                          . "  await new Promise((resolve) => setTimeout(resolve, $ms));\n"
                          . "  return new Response('paused');\n} };"];
}

run_tests();

__DATA__

=== TEST 1: a burst of 7 cold starts within a second (6 functions, then one that waits 1.5 s) raises the stock's target to 7
--- http_config
    js_function_prewarm 1 max=8;
--- config
    location ~ ^/f/(?<fn>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/f/$fn.js; }
--- user_files eval
[main::functions('a', 6), main::functions('b', 5), main::pause(1500)]
--- init
select(undef, undef, undef, 0.3);
--- pipelined_requests eval
[(map { "GET /f/a$_" } 1 .. 6), "GET /f/pause"]
--- response_body eval
[(map { "a$_" } 1 .. 6), "paused"]
--- timeout: 6
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: after the pause, the stock made for that target serves a burst of 5 new functions, each from a spare
--- pipelined_requests eval
[map { "GET /f/b$_" } 1 .. 5]
--- response_body eval
[map { "b$_" } 1 .. 5]
--- no_error_log eval
[qr/b\d\.js": isolate created \(/,
 qr/js function spares: none ready/,
 "[error]", "[alert]", "[crit]"]



=== TEST 3: the same burst again, in a new nginx
--- http_config
    js_function_prewarm 1 max=8;
--- config
    location ~ ^/f/(?<fn>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/f/$fn.js; }
--- user_files eval
[main::functions('c', 7), main::pause(1500)]
--- init
select(undef, undef, undef, 0.3);
--- pipelined_requests eval
[(map { "GET /f/c$_" } 1 .. 6), "GET /f/pause"]
--- response_body eval
[(map { "c$_" } 1 .. 6), "paused"]
--- timeout: 6
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: the next cold start sees the raised target and its stock
--- request
GET /f/c7
--- response_body chomp
c7
--- error_log eval
qr/js function spares: one taken, 6 in stock, target 7, /
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: the target stops at max: 6 cold starts within a second with max=4
--- http_config
    js_function_prewarm 1 max=4;
--- config
    location ~ ^/f/(?<fn>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/f/$fn.js; }
--- user_files eval
[main::functions('d', 6), main::pause(1500)]
--- init
select(undef, undef, undef, 0.3);
--- pipelined_requests eval
[(map { "GET /f/d$_" } 1 .. 5), "GET /f/pause"]
--- response_body eval
[(map { "d$_" } 1 .. 5), "paused"]
--- timeout: 6
--- no_error_log
target 5
[error]
[alert]
[crit]



=== TEST 6: the next cold start sees the target at max and its stock
--- request
GET /f/d6
--- response_body chomp
d6
--- error_log eval
qr/js function spares: one taken, 3 in stock, target 4, /
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: js_function_prewarm 0 keeps no spare, whatever the cold starts
--- http_config
    js_function_prewarm 0;
--- config
    location ~ ^/f/(?<fn>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/f/$fn.js; }
--- user_files eval
[main::functions('e', 6), main::pause(500)]
--- init
select(undef, undef, undef, 0.3);
--- pipelined_requests eval
[(map { "GET /f/e$_" } 1 .. 5), "GET /f/pause", "GET /f/e6"]
--- response_body eval
[(map { "e$_" } 1 .. 5), "paused", "e6"]
--- timeout: 6
--- no_error_log
from a spare
js function spares:
[error]
[alert]
[crit]



=== TEST 8: max= below the number kept is refused at start
--- http_config
    js_function_prewarm 4 max=2;
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- must_die
--- error_log
invalid "max=2": the most spare isolates must be at least the 4 kept and at most 1024



=== TEST 9: an unknown parameter is refused at start
--- http_config
    js_function_prewarm 2 most=8;
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- must_die
--- error_log
invalid parameter "most=8"
