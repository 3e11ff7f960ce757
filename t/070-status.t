# Metrics: js_function_status serves the per-function, per-worker counters
# of the js_function_status_zone as JSON or Prometheus text.
#
# Two workers throughout.  Blocks that check one worker's numbers send their
# requests pipelined on one connection, so one worker serves them all; the
# others check the "totals", which do not depend on the worker.  TEST 14
# reloads nginx (SIGHUP from --- init) and needs the master.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET ();
use JSON::PP ();
use Time::HiRes ();

master_on();
workers(2);

# The exact JSON, with {N} where a number depends on timing (pids, times,
# gauges, cold start times) and {ROOT} for the server root.
sub json_like {
    my $re = quotemeta shift;
    $re =~ s/\\\{N\\\}/\\d+/g;
    $re =~ s/\\\{ROOT\\\}/[^"]*/g;
    return qr/^$re\n$/;
}

# "cold_start_us" of a JSON entry with $n cold starts
sub cold_json {
    my ($n) = @_;
    return '"cold_start_us":{"count":' . $n . ',"sum":{N},"buckets":{'
           . join(',', map { "\"$_\":{N}" }
                       qw(0.0005 0.001 0.002 0.005 0.01 0.025 0.05 0.1 0.25 1))
           . ',"+Inf":' . $n . '}}';
}

# --- response_body_filters: a JSON status becomes one line per function of
# "totals" (the path cut to its file name) with the counters that do not
# depend on which worker served a request; other bodies pass unchanged.
sub status_totals {
    my ($body) = @_;
    my $d = eval { JSON::PP::decode_json($body) };
    return $body unless ref $d eq 'HASH' && ref $d->{totals} eq 'HASH';
    my $out = '';
    for my $f (@{ $d->{totals}{functions} }) {
        (my $name = $f->{function}) =~ s{.*/}{}s;
        $out .= "$name:" . join('', map { " $_=$f->{$_}" }
                     qw(requests errors cpu_limit_kills memory_limit_kills
                        timeouts)) . "\n";
    }
    return $out;
}

# --- response_body_filters: a JSON status becomes the workers seen, each
# worker's functions, and the sums of the workers' counters next to "totals".
sub status_workers {
    my ($body) = @_;
    my $d = eval { JSON::PP::decode_json($body) };
    return $body unless ref $d eq 'HASH' && ref $d->{workers} eq 'ARRAY';
    my (%sum, %pids);
    my $out = '';
    for my $w (@{ $d->{workers} }) {
        $pids{ $w->{pid} } = 1;
        for my $f (@{ $w->{functions} }) {
            (my $name = $f->{function}) =~ s{.*/}{}s;
            $out .= "worker $w->{worker}: $name"
                    . ($f->{requests} > 0 ? " served\n" : " idle\n");
            $sum{$_} += $f->{$_} for qw(requests cold_starts warm_hits);
        }
    }
    my $t = $d->{totals};
    $out .= scalar(keys %pids) . " pids\n";
    $out .= "workers:" . join('', map { " $_=$sum{$_}" }
                                  qw(requests cold_starts warm_hits)) . "\n";
    $out .= "totals:" . join('', map { " $_=$t->{$_}" }
                                 qw(requests cold_starts warm_hits))
            . " cold_start_us.count=$t->{cold_start_us}{count}\n";
    return $out;
}

# --- response_body_filters: Prometheus text with the server root cut from
# the paths, the worker label as W and the values that depend on timing
# (gauges, cold start times) as N.
sub prom_norm {
    my ($s) = @_;
    $s =~ s{function="[^"]*/html/}{function="}g;
    $s =~ s{worker="\d+"}{worker="W"}g;
    $s =~ s{^(js_function_(?:resident_isolates|heap_used_bytes|cold_start_seconds_sum)\{.*\}) \S+$}{$1 N}mg;
    $s =~ s{^(js_function_cold_start_seconds_bucket\{.*le="[^+"]*"\}) \S+$}{$1 N}mg;
    return $s;
}

# TEST 11: a page including the functions f1 .. f$n in turn (SSI, one
# request, so one worker), then the status
sub fill_files {
    my ($n) = @_;
    my $page = join '', map { qq{<!--# include virtual="/v/f$_" wait="yes" -->} }
                            1 .. $n;
    return [["fill.html", $page . '<!--# include virtual="/status" -->'],
            map { ["f$_.js", "export default { fetch() { return new Response('$_ '); } };"] }
                1 .. $n];
}

# every function answered; fewer than $n of them counted in the status
sub fill_expected {
    my ($n) = @_;
    my $all = join '', map { "$_ " } 1 .. $n;
    my $fewer = join '|', 1 .. $n - 1;
    return qr/^\Q$all\E\{"version":1,.*"totals":\{"requests":(?:$fewer),/s;
}

# TEST 14: one request on a new connection, the body or "ERROR ..."
sub status_get {
    my ($uri) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_SERVER_PORT},
                                  Timeout => 3)
        or return "ERROR connect: $!";
    print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
    my $raw = do { local $/; <$s> } // '';
    return $raw =~ /\r\n\r\n(.*)\z/s ? $1 : "ERROR bad response: $raw";
}

# TEST 14: the first workers serve /b 4 times; a reload; once they have
# exited, a new worker serves /b once
sub status_reload {
    my $root = $ENV{TEST_NGINX_SERVER_ROOT};
    status_get('/b') for 1 .. 4;
    my $d = eval { JSON::PP::decode_json(status_get('/status')) } or return;
    my @old = map { $_->{pid} } @{ $d->{workers} };
    open my $in, '<', "$root/logs/nginx.pid" or return;
    chomp(my $master = <$in> // '');
    kill 'HUP', $master;
    for (1 .. 500) {
        last unless grep { kill 0, $_ } @old;
        Time::HiRes::sleep(0.01);
    }
    status_get('/b');
}

run_tests();

__DATA__

=== TEST 1: JSON: two functions hit 3 and 2 times by one worker, each with its cold start, warm hits and histogram
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
    location = /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
    location = /status { js_function_status; }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
>>> b.js
export default { fetch() { return new Response('b'); } };
--- pipelined_requests eval
["GET /a", "GET /b", "GET /a", "GET /a", "GET /b", "GET /status"]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
[qr/^a$/, qr/^b$/, qr/^a$/, qr/^a$/, qr/^b$/,
 main::json_like('{"version":1,"workers":[{"worker":{N},"pid":{N},"functions":['
     . '{"function":"{ROOT}/html/a.js","updated":{N},'
     . '"requests":3,"errors":0,"cold_starts":1,"warm_hits":2,'
     . '"cpu_limit_kills":0,"memory_limit_kills":0,"timeouts":0,'
     . '"resident_isolates":{N},"heap_used_bytes":{N},' . main::cold_json(1)
     . '},{"function":"{ROOT}/html/b.js","updated":{N},'
     . '"requests":2,"errors":0,"cold_starts":1,"warm_hits":1,'
     . '"cpu_limit_kills":0,"memory_limit_kills":0,"timeouts":0,'
     . '"resident_isolates":{N},"heap_used_bytes":{N},' . main::cold_json(1)
     . '}]}],"totals":{'
     . '"requests":5,"errors":0,"cold_starts":2,"warm_hits":3,'
     . '"cpu_limit_kills":0,"memory_limit_kills":0,"timeouts":0,'
     . '"resident_isolates":{N},"heap_used_bytes":{N},' . main::cold_json(2)
     . ',"functions":[{"function":"{ROOT}/html/a.js",'
     . '"requests":3,"errors":0,"cold_starts":1,"warm_hits":2,'
     . '"cpu_limit_kills":0,"memory_limit_kills":0,"timeouts":0,'
     . '"resident_isolates":{N},"heap_used_bytes":{N},' . main::cold_json(1)
     . '},{"function":"{ROOT}/html/b.js",'
     . '"requests":2,"errors":0,"cold_starts":1,"warm_hits":1,'
     . '"cpu_limit_kills":0,"memory_limit_kills":0,"timeouts":0,'
     . '"resident_isolates":{N},"heap_used_bytes":{N},' . main::cold_json(1)
     . '}]}}')]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: Prometheus: the same counts with HELP, TYPE, labels and the histogram
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
    location = /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
    location = /status { js_function_status; }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
>>> b.js
export default { fetch() { return new Response('b'); } };
--- pipelined_requests eval
["GET /a", "GET /b", "GET /a", "GET /a", "GET /b",
 "GET /status?format=prometheus"]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_filters eval
\&main::prom_norm
--- response_body eval
["a", "b", "a", "a", "b", <<'EOF']
# HELP js_function_requests_total Requests that reached a function.
# TYPE js_function_requests_total counter
js_function_requests_total{function="a.js",worker="W"} 3
js_function_requests_total{function="b.js",worker="W"} 2
# HELP js_function_errors_total Requests the module answered with a 5xx status.
# TYPE js_function_errors_total counter
js_function_errors_total{function="a.js",worker="W"} 0
js_function_errors_total{function="b.js",worker="W"} 0
# HELP js_function_cold_starts_total Requests that had to create an isolate.
# TYPE js_function_cold_starts_total counter
js_function_cold_starts_total{function="a.js",worker="W"} 1
js_function_cold_starts_total{function="b.js",worker="W"} 1
# HELP js_function_warm_hits_total Requests served by an isolate already in the pool.
# TYPE js_function_warm_hits_total counter
js_function_warm_hits_total{function="a.js",worker="W"} 2
js_function_warm_hits_total{function="b.js",worker="W"} 1
# HELP js_function_cpu_limit_kills_total Isolates terminated by js_function_cpu_limit.
# TYPE js_function_cpu_limit_kills_total counter
js_function_cpu_limit_kills_total{function="a.js",worker="W"} 0
js_function_cpu_limit_kills_total{function="b.js",worker="W"} 0
# HELP js_function_memory_limit_kills_total Isolates terminated by js_function_memory.
# TYPE js_function_memory_limit_kills_total counter
js_function_memory_limit_kills_total{function="a.js",worker="W"} 0
js_function_memory_limit_kills_total{function="b.js",worker="W"} 0
# HELP js_function_timeouts_total Requests answered 504 after js_function_timeout.
# TYPE js_function_timeouts_total counter
js_function_timeouts_total{function="a.js",worker="W"} 0
js_function_timeouts_total{function="b.js",worker="W"} 0
# HELP js_function_resident_isolates Isolates of the function resident in the worker.
# TYPE js_function_resident_isolates gauge
js_function_resident_isolates{function="a.js",worker="W"} N
js_function_resident_isolates{function="b.js",worker="W"} N
# HELP js_function_heap_used_bytes V8 heap used by the function's isolates in the worker, in bytes.
# TYPE js_function_heap_used_bytes gauge
js_function_heap_used_bytes{function="a.js",worker="W"} N
js_function_heap_used_bytes{function="b.js",worker="W"} N
# HELP js_function_cold_start_seconds Time to create an isolate and load the function into it.
# TYPE js_function_cold_start_seconds histogram
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="0.0005"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="0.001"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="0.002"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="0.005"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="0.01"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="0.025"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="0.05"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="0.1"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="0.25"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="1"} N
js_function_cold_start_seconds_bucket{function="a.js",worker="W",le="+Inf"} 1
js_function_cold_start_seconds_sum{function="a.js",worker="W"} N
js_function_cold_start_seconds_count{function="a.js",worker="W"} 1
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="0.0005"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="0.001"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="0.002"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="0.005"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="0.01"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="0.025"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="0.05"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="0.1"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="0.25"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="1"} N
js_function_cold_start_seconds_bucket{function="b.js",worker="W",le="+Inf"} 1
js_function_cold_start_seconds_sum{function="b.js",worker="W"} N
js_function_cold_start_seconds_count{function="b.js",worker="W"} 1
EOF
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: both workers serve a function: each is shown with its own counts, "totals" sums them
--- http_config
    # a backend port per worker (reuseport): the kernel spreads the
    # proxied connections over both workers
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1 reuseport;
        location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
    }
--- config
    location = /a { proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1; }
    location = /status { js_function_status; }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- request eval
[(map { "GET /a" } 1 .. 20), "GET /status", "GET /status?format=prometheus"]
--- error_code eval
[(map { 200 } 1 .. 22)]
--- response_body_filters eval
\&main::status_workers
--- response_body_like eval
[(map { qr/^a$/ } 1 .. 20),
 qr/^worker 0: a\.js served
worker 1: a\.js served
2 pids
workers: requests=20 cold_starts=2 warm_hits=18
totals: requests=20 cold_starts=2 warm_hits=18 cold_start_us\.count=2
$/,
 qr/^js_function_requests_total\{function="[^"]*\/html\/a\.js",worker="0"\} [1-9]\d*\n.*^js_function_requests_total\{function="[^"]*\/html\/a\.js",worker="1"\} [1-9]\d*$/ms]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: errors count the module's 5xx answers per function: exceptions and load failures
--- config
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
    location = /status { js_function_status; }
--- user_files
>>> flaky.js
export default {
    fetch(r) {
        if (r.url.endsWith('?fail')) throw new Error('requested failure');
        return new Response('ok');
    }
};
>>> ok.js
export default { fetch() { return new Response('ok'); } };
>>> broken.js
export default { fetch() { return new Response('x' } };
--- request eval
["GET /v/flaky", "GET /v/flaky?fail", "GET /v/flaky", "GET /v/flaky?fail",
 "GET /v/flaky", "GET /v/ok", "GET /v/broken", "GET /status"]
--- error_code eval
[200, 500, 200, 500, 200, 200, 500, 200]
--- response_body_filters eval
\&main::status_totals
--- response_body_like eval
[qr/^ok$/, qr/.*/, qr/^ok$/, qr/.*/, qr/^ok$/, qr/^ok$/, qr/.*/,
 qr/^broken\.js: requests=1 errors=1 cpu_limit_kills=0 memory_limit_kills=0 timeouts=0
flaky\.js: requests=5 errors=2 cpu_limit_kills=0 memory_limit_kills=0 timeouts=0
ok\.js: requests=1 errors=0 cpu_limit_kills=0 memory_limit_kills=0 timeouts=0
$/]
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 5: CPU and memory kills and timeouts are counted, each also as an error
--- config
    location = /spin {
        js_function_cpu_limit 50ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/spin.js;
    }
    location = /eat {
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/eat.js;
    }
    location = /never {
        js_function_timeout 100ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/never.js;
    }
    location = /status { js_function_status; }
--- user_files
>>> spin.js
export default { fetch() { for (;;) {} } };
>>> eat.js
export default {
    fetch() {
        const keep = [];
        for (let i = 0; i < 64; i++) keep.push(new Uint8Array(1 << 20));
        return new Response('kept ' + keep.length + ' MB');
    }
};
>>> never.js
export default { fetch() { return new Promise((resolve) => setTimeout(resolve, 60000)); } };
--- request eval
["GET /spin", "GET /eat", "GET /never", "GET /status"]
--- error_code eval
[503, 503, 504, 200]
--- response_body_filters eval
\&main::status_totals
--- response_body_like eval
[qr/.*/, qr/.*/, qr/.*/,
 qr/^eat\.js: requests=1 errors=1 cpu_limit_kills=0 memory_limit_kills=1 timeouts=0
never\.js: requests=1 errors=1 cpu_limit_kills=0 memory_limit_kills=0 timeouts=1
spin\.js: requests=1 errors=1 cpu_limit_kills=1 memory_limit_kills=0 timeouts=0
$/]
--- timeout: 5
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 6: without any request, or any js_function, the status is empty but complete
--- config
    location = /status { js_function_status; }
--- request
GET /status
--- response_headers
Content-Type: application/json
--- response_body
{"version":1,"workers":[],"totals":{"requests":0,"errors":0,"cold_starts":0,"warm_hits":0,"cpu_limit_kills":0,"memory_limit_kills":0,"timeouts":0,"resident_isolates":0,"heap_used_bytes":0,"cold_start_us":{"count":0,"sum":0,"buckets":{"0.0005":0,"0.001":0,"0.002":0,"0.005":0,"0.01":0,"0.025":0,"0.05":0,"0.1":0,"0.25":0,"1":0,"+Inf":0}},"functions":[]}}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: HEAD gets the headers of either format, other methods 405 with Allow
--- config
    location = /status { js_function_status; }
--- request eval
["HEAD /status", "HEAD /status?format=prometheus", "POST /status\nx=1",
 "DELETE /status"]
--- error_code eval
[200, 200, 405, 405]
--- response_headers eval
["Content-Type: application/json",
 "Content-Type: text/plain; version=0.0.4; charset=utf-8",
 "Allow: GET, HEAD", "Allow: GET, HEAD"]
--- response_body_like eval
[qr/^$/, qr/^$/, qr/405 Not Allowed/, qr/405 Not Allowed/]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: an Accept header asking for OpenMetrics or text/plain (what Prometheus sends) gets the text format
--- config
    location = /status { js_function_status; }
--- request
GET /status
--- more_headers
Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1
--- response_headers
Content-Type: text/plain; version=0.0.4; charset=utf-8
--- response_body_like: \A# HELP js_function_requests_total .*\n# TYPE js_function_cold_start_seconds histogram\n\z
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: an unknown format, or format=json, is JSON whatever the Accept header says
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
    location = /status { js_function_status; }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- more_headers
Accept: text/plain
--- request eval
["GET /a", "GET /status?format=yaml", "GET /status?pretty=1&format=json",
 "GET /status?format=prometheus"]
--- response_headers_like eval
["Content-Type: .*",
 "Content-Type: application/json",
 "Content-Type: application/json",
 "Content-Type: text/plain; version=0\\.0\\.4; charset=utf-8"]
--- response_body_filters eval
\&main::status_totals
--- response_body_like eval
[qr/^a$/,
 qr/^a\.js: requests=1 errors=0 cpu_limit_kills=0 memory_limit_kills=0 timeouts=0\n$/,
 qr/^a\.js: requests=1 errors=0 cpu_limit_kills=0 memory_limit_kills=0 timeouts=0\n$/,
 qr/^# HELP js_function_requests_total /]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: names are escaped: JSON strings and Prometheus label values
--- config
    location ~ ^/v/(?<name>[^/]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
    location = /status { js_function_status; }
--- user_files
>>> a"b\c.js
export default { fetch() { return new Response('odd'); } };
--- pipelined_requests eval
["GET /v/a%22b%5Cc", "GET /status", "GET /status?format=prometheus"]
--- response_body_like eval
[qr/^odd$/,
 qr/"functions":\[\{"function":"[^"]*\/html\/a\\"b\\\\c\.js","updated":\d+,"requests":1,/,
 qr/^js_function_requests_total\{function="[^"]*\/html\/a\\"b\\\\c\.js",worker="\d+"\} 1$/m]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: a full zone drops new functions' samples with one warning per worker, requests are served
--- http_config
    js_function_status_zone 32k;
--- config
    location = /fill.html {
        root $TEST_NGINX_SERVER_ROOT/html;
        ssi on;
    }
    location ~ ^/v/(?<name>\w+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$name.js; }
    location = /status { js_function_status; }
--- user_files eval
main::fill_files(60)
--- request
GET /fill.html
--- timeout: 10
--- response_body_like eval
main::fill_expected(60)
--- error_log eval
qr/\[warn\] .*js_function_status_zone is full/
--- grep_error_log: js_function_status_zone is full
--- grep_error_log_out
js_function_status_zone is full
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: a zone too small for the slab allocator fails nginx start with a clear message
--- http_config
    js_function_status_zone 1k;
--- config
    location = /status { js_function_status; }
--- must_die
--- error_log eval
qr/\[emerg\] .*js_function_status_zone of 1024 bytes is too small, the minimum is \d+/



=== TEST 13: js_function_status refuses a location that already has a content handler
--- config
    location = /x {
        js_function $TEST_NGINX_SERVER_ROOT/html/a.js;
        js_function_status;
    }
--- user_files
>>> a.js
export default { fetch() { return new Response('a'); } };
--- must_die
--- error_log eval
qr/\[emerg\] .*"js_function_status" directive conflicts with another content handler in this location/



=== TEST 14: after a reload, workers that exited are not shown and a new worker counts from zero
--- config
    location = /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
    location = /status { js_function_status; }
--- user_files
>>> b.js
export default { fetch() { return new Response('b'); } };
--- init
main::status_reload();
--- request
GET /status
--- response_body_filters eval
\&main::status_totals
--- response_body
b.js: requests=1 errors=0 cpu_limit_kills=0 memory_limit_kills=0 timeouts=0
--- no_error_log
[error]
[alert]
[crit]
