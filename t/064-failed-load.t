# A function that fails to load is remembered as failed until one of its
# files changes: it is not compiled and evaluated again on every request.
# (The whole error.log is checked, so that counts span the requests.)

use Test::Nginx::Socket 'no_plan';

check_accum_error_log();

run_tests();

__DATA__

=== TEST 1: a top-level failure is evaluated once, then answered from memory
--- config
    location /broken { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_f.js; }
--- user_files
>>> broken.js
console.log('evaluating broken.js');
throw new Error('top-level failure');
export default { fetch() { return new Response('never'); } };
--- request eval
["GET /broken?f=broken", "GET /broken?f=broken", "GET /broken?f=broken"]
--- error_code eval
[500, 500, 500]
--- grep_error_log: evaluating broken.js
--- grep_error_log_out
evaluating broken.js
--- error_log eval
qr/js_function ".*broken\.js": cannot load: .*top-level failure/
--- no_error_log
[alert]
[crit]
