# Async: timers on nginx's event loop, waitUntil, timeouts, clients leaving.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: a handler awaiting a 100 ms timer answers after it
--- config
    location = /sleep { js_function $TEST_NGINX_SERVER_ROOT/html/sleep.js; }
--- user_files
>>> sleep.js
export default {
    async fetch() {
        const t0 = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 100));
        const dt = Date.now() - t0;
        return new Response(dt >= 95 && dt < 1000 ? 'slept' : 'bad ' + dt);
    }
};
--- request
GET /sleep
--- response_body chomp
slept
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: while requests wait on timers, the worker serves others (same function)
--- config
    location /par { js_function $TEST_NGINX_SERVER_ROOT/html/par.js; }
--- user_files
>>> par.js
let waiting = 0, most = 0;
export default {
    async fetch(r) {
        if (new URL(r.url).searchParams.has('report')) {
            return new Response('waiting=' + waiting + ' most=' + most);
        }
        waiting++;
        most = Math.max(most, waiting);
        await new Promise((resolve) => setTimeout(resolve, 600));
        waiting--;
        return new Response('done');
    }
};
--- init
use IO::Socket::INET;
our @JSFN_BG;
for (1 .. 3) {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984) or die "connect: $!";
    print $s "GET /par/slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    push @JSFN_BG, $s;
}
select(undef, undef, undef, 0.25);
--- request
GET /par?report=1
--- response_body chomp
waiting=3 most=3
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: clearTimeout cancels a timer
--- config
    location = /ct { js_function $TEST_NGINX_SERVER_ROOT/html/ct.js; }
--- user_files
>>> ct.js
export default {
    async fetch() {
        let fired = false;
        const id = setTimeout(() => { fired = true; }, 20);
        clearTimeout(id);
        await new Promise((resolve) => setTimeout(resolve, 60));
        return new Response('fired=' + fired);
    }
};
--- request
GET /ct
--- response_body chomp
fired=false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: setInterval repeats until cleared; timer arguments are passed
--- config
    location = /iv { js_function $TEST_NGINX_SERVER_ROOT/html/iv.js; }
--- user_files
>>> iv.js
export default {
    fetch() {
        return new Promise((resolve) => {
            let n = 0;
            const id = setInterval((step) => {
                n += step;
                if (n === 6) { clearInterval(id); resolve(new Response('n=' + n)); }
            }, 10, 2);
        });
    }
};
--- request
GET /iv
--- response_body chomp
n=6
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: ctx.waitUntil work runs after the response was sent
--- config
    location = /wu { js_function $TEST_NGINX_SERVER_ROOT/html/wu.js; }
--- user_files
>>> wu.js
export default {
    fetch(r, env, ctx) {
        ctx.waitUntil(new Promise((resolve) => setTimeout(() => {
            console.log('background work finished');
            resolve();
        }, 200)));
        return new Response('sent first');
    }
};
--- request
GET /wu
--- response_body chomp
sent first
--- wait: 0.5
--- error_log
background work finished
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: a promise still waiting (on a timer) at js_function_timeout is answered 504
--- config
    location = /never {
        js_function_timeout 200ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/never.js;
    }
--- user_files
>>> never.js
export default { fetch() { return new Promise((resolve) => setTimeout(resolve, 60000)); } };
--- request
GET /never
--- error_code: 504
--- error_log eval
qr/js_function ".*never\.js": no response within 200 ms \(js_function_timeout\)/
--- no_error_log
[alert]
[crit]



=== TEST 7: after a timeout the same isolate serves the next request
--- config
    location /t {
        js_function_timeout 150ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/t.js;
    }
--- user_files
>>> t.js
let calls = 0;
export default {
    fetch(r) {
        calls++;
        if (r.url.endsWith('hang')) return new Promise((resolve) => setTimeout(resolve, 60000));
        return new Response('calls=' + calls);
    }
};
--- request eval
["GET /t/hang", "GET /t/ok"]
--- error_code eval
[504, 200]
--- response_body_like eval
[qr/.*/, qr/^calls=2$/]
--- no_error_log
[alert]
[crit]



=== TEST 8: a client that disconnects mid-call is logged; the worker goes on
--- config
    location = /slow { js_function $TEST_NGINX_SERVER_ROOT/html/slow.js; }
--- user_files
>>> slow.js
export default {
    async fetch() {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return new Response('too late');
    }
};
--- request
GET /slow
--- timeout: 0.1
--- abort
--- ignore_response
--- wait: 0.6
--- error_log
request ended before the function answered
--- no_error_log
[alert]
[crit]



=== TEST 9: a response resolved after the client left is dropped quietly and the next request works
--- config
    location /slow2 { js_function $TEST_NGINX_SERVER_ROOT/html/slow2.js; }
--- user_files
>>> slow2.js
let finished = 0;
export default {
    async fetch(r) {
        if (r.url.endsWith('/count')) return new Response('finished=' + finished);
        await new Promise((resolve) => setTimeout(resolve, 200));
        finished++;
        return new Response('late');
    }
};
--- init
use IO::Socket::INET;
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984) or die "connect: $!";
print $s "GET /slow2/x HTTP/1.1\r\nHost: localhost\r\n\r\n";
select(undef, undef, undef, 0.05);
close $s;
select(undef, undef, undef, 0.4);
--- request
GET /slow2/count
--- response_body chomp
finished=1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: an exception thrown in a timer callback is logged and does not break the isolate
--- config
    location /tt { js_function $TEST_NGINX_SERVER_ROOT/html/tt.js; }
--- user_files
>>> tt.js
export default {
    async fetch() {
        setTimeout(() => { throw new Error('timer boom'); }, 1);
        await new Promise((resolve) => setTimeout(resolve, 30));
        return new Response('still fine');
    }
};
--- request
GET /tt
--- response_body chomp
still fine
--- error_log eval
qr/js_function ".*tt\.js": Uncaught Error: timer boom/
--- no_error_log
[alert]
[crit]



=== TEST 11: queueMicrotask runs before the response settles
--- config
    location = /mt { js_function $TEST_NGINX_SERVER_ROOT/html/mt.js; }
--- user_files
>>> mt.js
export default {
    async fetch() {
        const order = [];
        queueMicrotask(() => order.push('micro'));
        order.push('sync');
        await null;
        await null;
        return new Response(order.join(','));
    }
};
--- request
GET /mt
--- response_body chomp
sync,micro
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: many concurrent timers in one request all fire in order
--- config
    location = /many { js_function $TEST_NGINX_SERVER_ROOT/html/many.js; }
--- user_files
>>> many.js
export default {
    async fetch() {
        const seen = [];
        await Promise.all([50, 10, 30, 0, 20].map((ms) =>
            new Promise((resolve) => setTimeout(() => { seen.push(ms); resolve(); }, ms))));
        return new Response(seen.join(','));
    }
};
--- request
GET /many
--- response_body chomp
0,10,20,30,50
--- no_error_log
[error]
[alert]
[crit]
