# DOMException, as WebIDL defines it (names, legacy codes and constants).

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: name, message, legacy code, constants, Error in the chain
--- config
    location /d { js_function $TEST_NGINX_SERVER_ROOT/html/d.js; }
--- user_files
>>> d.js
export default { fetch() {
    const e = new DOMException('bad key', 'DataError');
    const q = new DOMException('full', 'QuotaExceededError');
    const d = new DOMException();
    const c = new DOMException('m', { name: 'AbortError', cause: 42 });
    const out = [
        e.name, e.message, e.code, q.code, DOMException.QUOTA_EXCEEDED_ERR, q.DATA_CLONE_ERR,
        d.name, JSON.stringify(d.message), d.code, e instanceof Error, String(e),
        Object.prototype.toString.call(e), c.name, c.code, c.cause,
        Object.keys(e).length, DOMException.length, typeof e.stack,
    ];
    return new Response(out.join('|'));
} };
--- request
GET /d
--- response_body: DataError|bad key|0|22|22|25|Error|""|0|true|DataError: bad key|[object DOMException]|AbortError|20|42|0|0|string
--- no_error_log
[error]
[alert]
[crit]
