# Startup snapshot and code cache.  These blocks look at the whole error log
# of a block (worker start included), hence check_accum_error_log().

use Test::Nginx::Socket 'no_plan';

check_accum_error_log();

run_tests();

__DATA__

=== TEST 1: isolates start from the startup snapshot built into the module
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
export default { fetch() { return new Response(typeof URL + ' ' + typeof Headers + ' ' + new URL('http://x/y?z=1').searchParams.get('z')); } };
--- request
GET /a
--- response_body chomp
function function 1
--- error_log eval
[qr/js function engine: V8 [\d.]+\S*, snapshot: yes/, qr/a\.js": isolate created.* \(snapshot\)/]
--- no_error_log
startup snapshot not used
[error]
[alert]
[crit]



=== TEST 2: a snapshot made by another V8 is refused with a warning; isolates build the runtime themselves
--- http_config
    js_function_snapshot $TEST_NGINX_SERVER_ROOT/html/other-v8.snap;
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files eval
[["other-v8.snap" => "JSFNSNP1" . pack("a32", "9.4.146.24") . pack("Q<Q<", 1, 16) . ("\xff" x 16)],
 ["a.js" => "export default { fetch() { return new Response(typeof URL + ' ' + new Headers({a: 'b'}).get('A')); } };"]]
--- request
GET /a
--- response_body chomp
function b
--- error_log eval
[qr/\[warn\] .*js_function: startup snapshot not used \(built by V8 9\.4\.146\.24, this is V8 10\.[\d.]+\S*\): isolates will build the JS runtime themselves/,
 qr/a\.js": isolate created.* \(no snapshot\)/]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a file that is no snapshot at all is refused the same way
--- http_config
    js_function_snapshot $TEST_NGINX_SERVER_ROOT/html/garbage.snap;
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> garbage.snap
this is not a V8 startup snapshot, but it is long enough to have a header of sorts
>>> a.js
export default { fetch() { return new Response('works'); } };
--- request
GET /a
--- response_body chomp
works
--- error_log
startup snapshot not used (not a js_function snapshot)
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: a missing snapshot file is refused with a warning naming it
--- http_config
    js_function_snapshot /nonexistent/jsfn.snap;
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
export default { fetch() { return new Response('works'); } };
--- request
GET /a
--- response_body chomp
works
--- error_log
startup snapshot not used (cannot open "/nonexistent/jsfn.snap"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: a function whose isolate is created again compiles from the code cache
--- http_config
    js_function_max_isolates 1;
--- config
    location ~ ^/v/(?<n>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$n.js; }
--- user_files
>>> a.js
import { helper } from './lib.js';
export default { fetch() { return new Response('a ' + helper()); } };
>>> lib.js
export function helper() { return 'helped'; }
>>> b.js
export default { fetch() { return new Response('b'); } };
--- init
use IO::Socket::INET;
for my $uri ('/v/a', '/v/b') {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ENV{TEST_NGINX_SERVER_PORT}) or die "connect: $!";
    print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $resp = <$s>;
    die "unexpected: $resp" unless $resp =~ /^HTTP\/1\.\d 200/;
}
--- request
GET /v/a
--- response_body chomp
a helped
--- grep_error_log eval
qr/[ab]\.js": isolate created.*?, \d+ modules from the code cache/
--- grep_error_log_out eval
qr/^a\.js": isolate created.*?, 0 modules from the code cache
b\.js": isolate created.*?, 0 modules from the code cache
a\.js": isolate created.*?, 2 modules from the code cache
$/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: a changed file is compiled again, not taken from a stale code cache
--- http_config
    js_function_max_isolates 1;
    js_function_check_interval 0;
--- config
    location ~ ^/v/(?<n>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$n.js; }
--- user_files
>>> a.js
export default { fetch() { return new Response('version 1'); } };
>>> b.js
export default { fetch() { return new Response('b'); } };
--- init
use IO::Socket::INET;
my $get = sub {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ENV{TEST_NGINX_SERVER_PORT}) or die "connect: $!";
    print $s "GET $_[0] HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $resp = <$s>;
    die "unexpected: $resp" unless $resp =~ /\r\n\r\n\Q$_[1]\E$/;
};
$get->('/v/a', 'version 1');
$get->('/v/b', 'b');
open my $f, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/a.js" or die "a.js: $!";
print $f "export default { fetch() { return new Response('version 2, longer'); } };\n";
close $f;
--- request
GET /v/a
--- response_body chomp
version 2, longer
--- grep_error_log eval
qr/a\.js": isolate created.*?, \d+ modules from the code cache/
--- grep_error_log_out eval
qr/^a\.js": isolate created.*?, 0 modules from the code cache
a\.js": isolate created.*?, 0 modules from the code cache
$/
--- no_error_log
[error]
[alert]
[crit]
