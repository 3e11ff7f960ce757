# Configuration: nginx -t catches what it can; variable paths stay inside
# their directory.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: a syntax error in a fixed-path function fails nginx start with file:line
--- config
    location = /bad { js_function $TEST_NGINX_SERVER_ROOT/html/bad.js; }
--- user_files
>>> bad.js
export default {
    fetch() {
        return new Response('x';
    }
};
--- must_die
--- error_log eval
qr/\[emerg\] .*js_function: SyntaxError: .* at .*bad\.js:3/



=== TEST 2: a missing fixed-path function fails nginx start with a clear message
--- config
    location = /none { js_function $TEST_NGINX_SERVER_ROOT/html/does-not-exist.js; }
--- must_die
--- error_log eval
qr/\[emerg\] .*js_function: cannot open ".*does-not-exist\.js" \(2: No such file or directory\)/



=== TEST 3: a fixed-path function with a missing import fails nginx start
--- config
    location = /imp { js_function $TEST_NGINX_SERVER_ROOT/html/imp.js; }
--- user_files
>>> imp.js
import { nothing } from './missing.js';
export default { fetch() { return new Response('x'); } };
--- must_die
--- error_log eval
qr/\[emerg\] .*js_function: .*Cannot find module '\.\/missing\.js' imported from .*imp\.js/



=== TEST 4: js_function twice in one location is refused
--- config
    location = /dup {
        js_function $TEST_NGINX_SERVER_ROOT/html/a.js;
        js_function $TEST_NGINX_SERVER_ROOT/html/a.js;
    }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- must_die
--- error_log
"js_function" directive is duplicate



=== TEST 5: js_function at server level is refused
--- config
    js_function $TEST_NGINX_SERVER_ROOT/html/a.js;
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- must_die
--- error_log
"js_function" directive is not allowed here



=== TEST 6: a duplicate js_function_env name is refused
--- config
    location = /e {
        js_function_env A 1;
        js_function_env A 2;
        js_function $TEST_NGINX_SERVER_ROOT/html/a.js;
    }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- must_die
--- error_log
js_function_env: "A" is duplicate



=== TEST 7: an invalid js_function_timeout is refused
--- config
    location = /t {
        js_function_timeout forever;
        js_function $TEST_NGINX_SERVER_ROOT/html/a.js;
    }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- must_die
--- error_log
"js_function_timeout" directive invalid value



=== TEST 8: a variable path serves the file it names
--- config
    location ~ ^/fn/(?<fn>[^/]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/fns/$fn.js; }
--- user_files
>>> fns/alpha.js
export default { fetch() { return new Response('alpha'); } };
>>> fns/beta.js
export default { fetch() { return new Response('beta'); } };
--- request eval
["GET /fn/alpha", "GET /fn/beta", "GET /fn/alpha"]
--- response_body eval
["alpha", "beta", "alpha"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: a variable path naming a missing file is a 404 with a log line
--- config
    location ~ ^/fn/(?<fn>[^/]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/fns/$fn.js; }
--- user_files
>>> fns/alpha.js
export default { fetch() { return new Response('alpha'); } };
--- request
GET /fn/gamma
--- error_code: 404
--- error_log eval
qr/\[error\] .*js_function: ".*fns\/gamma\.js" not found/
--- no_error_log
[alert]
[crit]



=== TEST 10: ".." in a variable path cannot leave the directory
--- config
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fns/$arg_f.js; }
--- user_files
>>> fns/alpha.js
export default { fetch() { return new Response('alpha'); } };
>>> secret.js
export default { fetch() { return new Response('the secret'); } };
--- request
GET /fn?f=../secret
--- error_code: 404
--- response_body_unlike: the secret
--- error_log eval
qr/js_function: ".*secret\.js" is outside ".*fns\/"/
--- no_error_log
[alert]
[crit]



=== TEST 11: a symlink out of the directory is refused
--- config
    location ~ ^/fn/(?<fn>[^/]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/fns/$fn.js; }
--- user_files
>>> fns/alpha.js
export default { fetch() { return new Response('alpha'); } };
>>> outside.js
export default { fetch() { return new Response('outside'); } };
--- init
symlink("$ENV{TEST_NGINX_SERVER_ROOT}/html/outside.js", "$ENV{TEST_NGINX_SERVER_ROOT}/html/fns/link.js");
--- request
GET /fn/link
--- error_code: 404
--- response_body_unlike: outside
--- error_log
is outside
--- no_error_log
[alert]
[crit]



=== TEST 12: a NUL byte in a variable path is refused
--- config
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fns/$request_body; }
--- user_files
>>> fns/alpha.js
export default { fetch() { return new Response('alpha'); } };
--- request eval
"POST /fn\nalpha.js\x00.txt"
--- error_code: 404
--- response_body_unlike: alpha
--- error_log
contains a NUL byte
--- no_error_log
[alert]
[crit]



=== TEST 13: a directory named by a variable path is a 404
--- config
    location ~ ^/fn/(?<fn>.+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/fns/$fn; }
--- user_files
>>> fns/sub/alpha.js
export default { fetch() { return new Response('alpha'); } };
--- request
GET /fn/sub
--- error_code: 404
--- error_log
not a regular file
--- no_error_log
[alert]
[crit]



=== TEST 14: a variable path needs a fixed directory before its first variable
--- config
    location ~ ^/fn/(?<fn>.+)$ { js_function $fn; }
--- must_die
--- error_log
must start with a fixed directory before its first variable



=== TEST 15: a broken function file does not stop nginx when its path has variables
--- config
    location ~ ^/fn/(?<fn>[^/]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/fns/$fn.js; }
    location = /static { return 200 "nginx is up\n"; }
--- user_files
>>> fns/broken.js
export default {{{
--- request
GET /static
--- response_body
nginx is up
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: js_function in a location that already has a content handler is refused
--- config
    location = /both {
        proxy_pass http://127.0.0.1:1;
        js_function $TEST_NGINX_SERVER_ROOT/html/a.js;
    }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- must_die
--- error_log
js_function: the location already has a content handler



=== TEST 17: a variable path is resolved again after js_function_check_interval: a symlink turned outward is refused
--- http_config
    js_function_check_interval 100ms;
--- config
    location ~ ^/fn/(?<fn>[^/]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/fns/$fn.js; }
--- user_files
>>> fns/inside.js
export default { fetch() { return new Response('inside'); } };
>>> outside.js
export default { fetch() { return new Response('outside'); } };
--- init
use IO::Socket::INET;
my $root = "$ENV{TEST_NGINX_SERVER_ROOT}/html";
symlink("$root/fns/inside.js", "$root/fns/link.js") or die "symlink: $!";
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ENV{TEST_NGINX_SERVER_PORT}) or die "connect: $!";
print $s "GET /fn/link HTTP/1.0\r\nHost: localhost\r\n\r\n";
local $/;
my $resp = <$s>;
die "unexpected: $resp" unless $resp =~ /\r\n\r\ninside$/;
unlink("$root/fns/link.js");
symlink("$root/outside.js", "$root/fns/link.js") or die "symlink: $!";
select(undef, undef, undef, 0.3);
--- request
GET /fn/link
--- error_code: 404
--- response_body_unlike: outside
--- error_log
is outside
--- no_error_log
[alert]
[crit]



=== TEST 18: js_function_memory below 1m is refused
--- config
    location = /m {
        js_function_memory 512k;
        js_function $TEST_NGINX_SERVER_ROOT/html/a.js;
    }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- must_die
--- error_log
"js_function_memory" directive must be at least 1m
