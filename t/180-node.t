# The Node.js compatibility subset: node: modules (and their bare names),
# AsyncLocalStorage across awaits and timers; nothing that reaches the host.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: AsyncLocalStorage keeps each request's store across awaits and timers
--- config
    location /als { js_function $TEST_NGINX_SERVER_ROOT/html/als.js; }
--- user_files
>>> als.js
import { AsyncLocalStorage } from 'node:async_hooks';
import hooks from 'async_hooks';
const als = new AsyncLocalStorage();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function inner() { await sleep(5); return als.getStore().id; }
export default { async fetch(r) {
    const id = new URL(r.url).searchParams.get('id');
    return als.run({ id }, async () => {
        const seen = [als.getStore().id];
        await null;
        seen.push(als.getStore().id);
        seen.push(await inner());
        const fromTimer = await new Promise((res) => setTimeout(() => res(als.getStore().id), 1));
        seen.push(fromTimer);
        seen.push(await new Promise((res) => queueMicrotask(() => res(als.getStore().id))));
        const outside = als.exit(() => als.getStore());
        const bound = AsyncLocalStorage.bind(() => als.getStore().id);
        const other = new AsyncLocalStorage();
        seen.push(String(outside), bound(), String(other.getStore()), hooks.AsyncLocalStorage === AsyncLocalStorage);
        return new Response(seen.join(' '));
    });
} };
--- request eval
["GET /als?id=a", "GET /als?id=b"]
--- response_body eval
["a a a a a undefined a undefined true", "b b b b b undefined b undefined true"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: a store does not leak into the next request or a later timer outside run()
--- config
    location /als { js_function $TEST_NGINX_SERVER_ROOT/html/als.js; }
--- user_files
>>> als.js
import { AsyncLocalStorage } from 'node:async_hooks';
const als = new AsyncLocalStorage();
let n = 0;
export default { async fetch() {
    n++;
    const before = String(als.getStore());
    if (n === 1) als.enterWith('entered');
    const after = String(als.getStore());
    return new Response(before + ' ' + after);
} };
--- request eval
["GET /als", "GET /als"]
--- response_body eval
["undefined entered", "undefined undefined"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: host modules do not exist; a bare name that is not a runtime module is refused
--- config
    location /m { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_f.js; }
--- user_files
>>> fs.js
import fs from 'node:fs';
export default { fetch() { return new Response('never'); } };
>>> pkg.js
import x from 'left-pad';
export default { fetch() { return new Response('never'); } };
--- request eval
["GET /m?f=fs", "GET /m?f=pkg"]
--- error_code eval
[500, 500]
--- error_log eval
qr/cannot load: .*Cannot find module '(node:fs|left-pad)' imported from .*: only relative imports of the function's own files and the runtime's node: modules are allowed/
--- no_error_log
[alert]
[crit]
