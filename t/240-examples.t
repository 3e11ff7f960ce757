# The example functions in conf/functions, run as conf/nginx.conf runs them.

use Test::Nginx::Socket 'no_plan';
use Cwd ();

$ENV{TEST_NGINX_EXAMPLES} = Cwd::abs_path('conf');

no_shuffle();
run_tests();

__DATA__

=== TEST 1: proxy-rewrite.js: a backend's file streamed back with every "nginx" rewritten, by subrequest and by absolute URL; status and headers pass, not Content-Length and ETag
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        root $TEST_NGINX_SERVER_ROOT/html/backend;
        log_not_found off;
    }
--- config
    location /proxy/ {
        js_function $TEST_NGINX_EXAMPLES/functions/proxy-rewrite.js;
        js_function_env BACKEND "http://127.0.0.1:$TEST_NGINX_RAND_PORT_1";
        js_function_fetch_allow 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
    location /backend/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }
--- init
mkdir "$ENV{TEST_NGINX_SERVER_ROOT}/html/backend";
open(my $f, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/backend/big.txt") or die $!;
# "nginx" falls across the edges of the pieces that arrive, somewhere
print $f "ab nginx cd nginxnginx ngin" . "x\n" for 1 .. 40000;
close $f;
--- request eval
["GET /proxy/big.txt", "GET /proxy/big.txt?origin=remote", "GET /proxy/none.txt"]
--- response_body_like eval
my $want = "ab NGINX cd NGINXNGINX NGINX\n" x 40000;
[qr/\A\Q$want\E\z/, qr/\A\Q$want\E\z/, qr/404 Not Found.*<center>NGINX/s]
--- error_code eval
[200, 200, 404]
--- response_headers eval
[("X-Rewritten-By: js_function\nContent-Length:\nETag:\n") x 3]
--- no_error_log
[error]
[alert]
[crit]
