# Streamed bodies (ngx_http_jsfn_body.c, shim/body.cc): a Response whose
# body is a ReadableStream goes out as it is produced, at the client's pace
# (chunked for HTTP/1.1), and a request body nginx has not read whole is a
# stream fed as the function reads it.  Blocks that talk to nginx through
# a raw socket do it in --- init (Perl below), write what they saw to
# html/result.txt, and the block's request reads that file back.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use POSIX ();
use IO::Uncompress::Gunzip qw(gunzip);
use Time::HiRes qw(time sleep);

master_on();
workers(1);
check_accum_error_log();
no_shuffle();

our $Port = $ENV{TEST_NGINX_SERVER_PORT} || 1984;

# a function that records how reading its request body ended, for a GET
our $SeenJs = <<'JS';
let seen = 'nothing';
export default {
    async fetch(r) {
        if (r.method === 'GET') return new Response(`seen: ${seen}`);
        try {
            await r.text();
            seen = 'the whole body';
        } catch (e) {
            seen = `${e.name}: ${e.message}`;
        }
        return new Response('unreachable');
    },
};
JS

sub conn {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $Port,
                                  Timeout => 5)
        or die "connect: $!";
    binmode $s;
    return $s;
}

# what the raw exchange saw, for the block's request to read back
sub result {
    my ($text) = @_;
    open my $f, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/result.txt" or die "result: $!";
    print $f $text;
    close $f;
}

# reads from $s until $re matches what was read (or the code returns
# true for it), or $secs pass
sub read_until {
    my ($s, $re, $secs) = @_;
    my ($buf, $end) = ('', time + $secs);
    while (time < $end && (ref $re eq 'CODE' ? !$re->($buf) : $buf !~ $re)) {
        my $rin = '';
        vec($rin, fileno($s), 1) = 1;
        last unless select($rin, undef, undef, $end - time);
        my $n = sysread($s, $buf, 65536, length $buf);
        last unless $n;
    }
    return $buf;
}

# everything until the server closes (or $secs pass)
sub read_all {
    my ($s, $secs) = @_;
    return read_until($s, qr/(?!)/, $secs);
}

# the one worker's pid and its resident memory (VmRSS, VmHWM) in KB
sub worker_pid {
    open my $f, '<', "$ENV{TEST_NGINX_SERVER_ROOT}/logs/nginx.pid" or die "pid: $!";
    chomp(my $master = <$f>);
    for my $status (glob '/proc/[0-9]*/status') {
        open my $st, '<', $status or next;
        my $text = do { local $/; <$st> };
        return $1 if $text =~ /^PPid:\s*$master$/m && $status =~ m{/proc/(\d+)/};
    }
    die "no worker of $master";
}

sub rss {
    my ($pid, $field) = @_;
    open my $st, '<', "/proc/$pid/status" or die "status: $!";
    my $text = do { local $/; <$st> };
    return $text =~ /^$field:\s*(\d+)/m ? $1 : -1;
}

# GET $uri; what came of a response cut short: its body so far, de-chunked,
# and whether it had its last chunk
sub cut_short {
    my ($uri) = @_;
    my $s = conn();
    print $s "GET $uri HTTP/1.1\r\nHost: localhost\r\n\r\n";
    my (undef, $body) = split /\r\n\r\n/, read_all($s, 5), 2;
    $body //= '';
    return (dechunk($body), $body =~ /\r\n0\r\n\r\n$/ ? 'yes' : 'no');
}

sub dechunk {
    my ($body) = @_;
    my $out = '';
    while ($body =~ s/^([0-9a-fA-F]+)\r\n//) {
        my $n = hex $1;
        last if $n == 0 || length($body) < $n + 2;
        $out .= substr($body, 0, $n);
        substr($body, 0, $n + 2) = '';
    }
    return $out;
}

run_tests();

__DATA__

=== TEST 1: a stream body goes out as it is produced: the first chunk arrives while the function still waits on a timer for the second; chunked, no Content-Length
--- config
    location = /early { js_function $TEST_NGINX_SERVER_ROOT/html/early.js; }
--- user_files
>>> early.js
export default {
    fetch() {
        let n = 0;
        return new Response(new ReadableStream({
            async pull(c) {
                if (n === 1) await new Promise((ok) => setTimeout(ok, 700));
                if (n === 2) { c.close(); return; }
                c.enqueue(new TextEncoder().encode(n++ === 0 ? 'first\n' : 'second\n'));
            },
        }, { highWaterMark: 0 }), { headers: { 'content-type': 'text/plain' } });
    },
};
--- init
my $s = main::conn();
my $t0 = time;
print $s "GET /early HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
my $got = main::read_until($s, qr/first\n/, 3);
my $t1 = time - $t0;
my $head = $got =~ /\r\n\r\n/ ? $` : '';
my $rest = main::read_all($s, 3);
main::result(join '',
    "first within 0.5 s: ", ($t1 < 0.5 ? 'yes' : "no ($t1 s)"), "\n",
    "second with it: ", ($got =~ /second/ ? 'yes' : 'no'), "\n",
    "chunked: ", ($head =~ /^Transfer-Encoding: chunked\r?$/mi ? 'yes' : 'no'), "\n",
    "content-length: ", ($head =~ /^Content-Length:/mi ? 'yes' : 'no'), "\n",
    "body: ", main::dechunk(($got =~ /\r\n\r\n(.*)/s)[0] . $rest) =~ s/\n/|/gr, "\n");
--- request
GET /result.txt
--- response_body
first within 0.5 s: yes
second with it: no
chunked: yes
content-length: no
body: first|second|
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: 100 MB streamed with a flat worker memory (the function's pull() runs as the client reads)
--- config
    location = /big {
        js_function_memory 64m;
        js_function $TEST_NGINX_SERVER_ROOT/html/big.js;
    }
--- user_files
>>> big.js
export default {
    fetch(r) {
        const total = Number(new URL(r.url).searchParams.get('n'));
        const chunk = new Uint8Array(65536).fill(97);
        let sent = 0;
        return new Response(new ReadableStream({
            pull(c) {
                if (sent >= total) { c.close(); return; }
                const n = Math.min(65536, total - sent);
                c.enqueue(chunk.slice(0, n));   // a new buffer each time: garbage
                sent += n;
            },
        }, { highWaterMark: 0 }));
    },
};
--- init
my $pid = main::worker_pid();
my $s = main::conn();
print $s "GET /big?n=1000 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
main::read_all($s, 3);
my $before = main::rss($pid, 'VmRSS');
$s = main::conn();
print $s "GET /big?n=100000000 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
my ($n, $buf, $tail) = (0, '', '');
while (my $r = sysread($s, $buf, 1 << 20)) { $n += $r; $tail = substr($tail . $buf, -16); }
my $growth = main::rss($pid, 'VmHWM') - $before;
# (ASan keeps up to 256 MB of freed memory in quarantine: make check-asan)
my $bound = ($ENV{TEST_NGINX_BINARY} // '') =~ /asan/ ? 300 : 24;
diag("peak RSS growth for 100 MB streamed: $growth KB");
main::result(join '',
    "bytes over 1e8: ", ($n > 100_000_000 ? 'yes' : "no ($n)"), "\n",
    "ends with the last chunk: ", ($tail =~ /\r\n0\r\n\r\n$/ ? 'yes' : 'no'), "\n",
    "peak RSS growth under 24 MB: ", ($growth < $bound * 1024 ? 'yes' : "no ($growth KB)"), "\n");
--- request
GET /result.txt
--- response_body
bytes over 1e8: yes
ends with the last chunk: yes
peak RSS growth under 24 MB: yes
--- timeout: 30
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: backpressure: a client that does not read holds the function's pull() back (a few pulls, not the whole 1 GB), and its going away cancels the stream
--- config
    location = /slow { js_function $TEST_NGINX_SERVER_ROOT/html/slow.js; }
--- user_files
>>> slow.js
let pulls = 0;
let cancelled = 'no';
export default {
    fetch(r) {
        if (new URL(r.url).searchParams.has('report')) {
            return new Response(`pulls under 200: ${pulls < 200 ? 'yes' : pulls}\ncancelled: ${cancelled}\n`);
        }
        const chunk = new Uint8Array(65536);
        let sent = 0;
        return new Response(new ReadableStream({
            pull(c) {
                pulls++;
                if (sent >= 1e9) { c.close(); return; }
                c.enqueue(chunk.slice());
                sent += 65536;
            },
            cancel(reason) { cancelled = `${reason.name}: ${reason.message}`; },
        }, { highWaterMark: 0 }));
    },
};
--- init
my $s = main::conn();
setsockopt($s, Socket::SOL_SOCKET(), Socket::SO_RCVBUF(), 65536);
print $s "GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
main::read_until($s, qr/\r\n\r\n/, 3);
sleep 1;
close $s;
sleep 0.3;
--- request
GET /slow?report
--- response_body
pulls under 200: yes
cancelled: AbortError: The response was not read to its end (the client went away or the request ended).
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: a stream that errors mid-body: the head and the pieces so far are sent, then the connection is closed without the last chunk, with a log line; the worker goes on
--- config
    location = /midway { js_function $TEST_NGINX_SERVER_ROOT/html/midway.js; }
--- user_files
>>> midway.js
export default {
    fetch(r) {
        if (new URL(r.url).searchParams.has('again')) return new Response('fine');
        let n = 0;
        return new Response(new ReadableStream({
            pull(c) {
                if (n++ < 2) c.enqueue(new TextEncoder().encode('part '));
                else c.error(new Error('the source broke'));
            },
        }));
    },
};
--- init
my ($body, $last) = main::cut_short('/midway');
main::result("body so far: $body\nlast chunk: $last\n");
--- request eval
["GET /result.txt", "GET /midway?again"]
--- response_body eval
["body so far: part part \nlast chunk: no\n", "fine"]
--- error_log eval
qr/\[error\] .*js_function ".*midway\.js": response body aborted: Error: the source broke/
--- no_error_log
[alert]
[crit]



=== TEST 5: a chunk that is not a Uint8Array (a string) aborts the response as workerd does: a TypeError in the log, the stream cancelled with it
--- config
    location = /str { js_function $TEST_NGINX_SERVER_ROOT/html/str.js; }
--- user_files
>>> str.js
let reason = 'none';
export default {
    fetch(r) {
        if (new URL(r.url).searchParams.has('report')) return new Response(`cancelled: ${reason}`);
        let n = 0;
        return new Response(new ReadableStream({
            pull(c) { c.enqueue(n++ ? 'text' : new Uint8Array([65, 66])); },
            cancel(e) { reason = `${e.name}`; },
        }));
    },
};
--- init
my ($body, $last) = main::cut_short('/str');
main::result("body so far: $body\nlast chunk: $last\n");
--- request eval
["GET /result.txt", "GET /str?report"]
--- response_body eval
["body so far: AB\nlast chunk: no\n", "cancelled: TypeError"]
--- error_log eval
qr/\[error\] .*js_function ".*str\.js": response body aborted: TypeError: This ReadableStream did not return bytes: a response body chunk must be a Uint8Array, not a string\./
--- no_error_log
[alert]
[crit]



=== TEST 6: a CPU limit kill mid-body: the response is cut short, the isolate replaced, the worker fine
--- config
    location = /spin {
        js_function_cpu_limit 100ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/spin.js;
    }
--- user_files
>>> spin.js
export default {
    fetch(r) {
        if (new URL(r.url).searchParams.has('again')) return new Response('fine');
        let n = 0;
        return new Response(new ReadableStream({
            pull(c) {
                if (n++ === 0) { c.enqueue(new Uint8Array([65])); return; }
                for (;;) {}
            },
        }, { highWaterMark: 0 }));
    },
};
--- init
my ($body, $last) = main::cut_short('/spin');
main::result("body so far: $body\nlast chunk: $last\n");
--- request eval
["GET /result.txt", "GET /spin?again"]
--- response_body eval
["body so far: A\nlast chunk: no\n", "fine"]
--- error_log eval
qr/\[error\] .*js_function ".*spin\.js": response body aborted: CPU time limit of 100 ms exceeded \(js_function_cpu_limit\)/
--- no_error_log
[alert]
[crit]



=== TEST 7: a memory limit kill mid-body: the response is cut short, the worker fine
--- config
    location = /hog {
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/hog.js;
    }
--- user_files
>>> hog.js
const keep = [];
export default {
    fetch(r) {
        if (new URL(r.url).searchParams.has('again')) return new Response('fine');
        let n = 0;
        return new Response(new ReadableStream({
            pull(c) {
                if (n++ === 0) { c.enqueue(new Uint8Array([66])); return; }
                for (;;) keep.push(new Array(1e5).fill(n));
            },
        }, { highWaterMark: 0 }));
    },
};
--- init
my ($body, $last) = main::cut_short('/hog');
main::result("body so far: $body\nlast chunk: $last\n");
--- request eval
["GET /result.txt", "GET /hog?again"]
--- response_body eval
["body so far: B\nlast chunk: no\n", "fine"]
--- timeout: 10
--- error_log eval
qr/\[error\] .*js_function ".*hog\.js": response body aborted: memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]



=== TEST 8: js_function_timeout while streaming is the longest wait for the next piece: a stream slower than that in total but steady finishes, one that stalls is cut short
--- config
    location = /tick {
        js_function_timeout 400ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/tick.js;
    }
--- user_files
>>> tick.js
export default {
    fetch(r) {
        const stall = new URL(r.url).searchParams.has('stall');
        let n = 0;
        return new Response(new ReadableStream({
            async pull(c) {
                if (n === 6) { c.close(); return; }
                // a timer keeps the isolate busy: not a hung stream
                await new Promise((ok) => setTimeout(ok, stall && n === 2 ? 3000 : 150));
                c.enqueue(new TextEncoder().encode(`${n++}`));
            },
        }, { highWaterMark: 0 }));
    },
};
--- init
my ($body, $last) = main::cut_short('/tick?stall');
main::result("stalled: $body\nlast chunk: $last\n");
--- request eval
["GET /result.txt", "GET /tick"]
--- response_body eval
["stalled: 01\nlast chunk: no\n", "012345"]
--- error_log eval
qr/\[error\] .*js_function ".*tick\.js": response body aborted: no data within 400 ms \(js_function_timeout\)/
--- no_error_log
[alert]
[crit]



=== TEST 9: a stream longer than the Content-Length the function set: the connection is closed before the excess, with a log line
--- config
    location = /long { js_function $TEST_NGINX_SERVER_ROOT/html/long.js; }
--- user_files
>>> long.js
export default {
    fetch() {
        const parts = ['abc', 'def', 'ghi'];
        return new Response(new ReadableStream({
            pull(c) { if (parts.length) c.enqueue(new TextEncoder().encode(parts.shift())); else c.close(); },
        }), { headers: { 'content-length': '5' } });
    },
};
--- init
my $s = main::conn();
print $s "GET /long HTTP/1.1\r\nHost: localhost\r\n\r\n";
my $got = main::read_all($s, 3);
my ($head, $body) = split /\r\n\r\n/, $got, 2;
main::result("content-length: " . ($head =~ /^Content-Length: (\d+)/mi ? $1 : 'none') . "\nbody: $body\n");
--- request
GET /result.txt
--- response_body
content-length: 5
body: abc
--- error_log eval
qr/\[error\] .*js_function ".*long\.js": response body aborted: the stream is longer than the 5 bytes its Content-Length declares/
--- no_error_log
[alert]
[crit]



=== TEST 10: a stream shorter than its Content-Length: the connection is closed at its end, with a log line; an exact one is sent as declared
--- config
    location = /short { js_function $TEST_NGINX_SERVER_ROOT/html/short.js; }
--- user_files
>>> short.js
export default {
    fetch(r) {
        const len = new URL(r.url).searchParams.get('len');
        const parts = ['abc', 'def'];
        return new Response(new ReadableStream({
            pull(c) { if (parts.length) c.enqueue(new TextEncoder().encode(parts.shift())); else c.close(); },
        }), { headers: { 'content-length': len } });
    },
};
--- init
my $s = main::conn();
print $s "GET /short?len=10 HTTP/1.1\r\nHost: localhost\r\n\r\n";
my $got = main::read_all($s, 3);
my ($head, $body) = split /\r\n\r\n/, $got, 2;
main::result("body: $body\n");
--- request eval
["GET /result.txt", "GET /short?len=6"]
--- response_headers eval
["", "Content-Length: 6"]
--- response_body eval
["body: abcdef\n", "abcdef"]
--- error_log eval
qr/\[error\] .*js_function ".*short\.js": response body aborted: the stream ended after 6 bytes of the 10 its Content-Length declares/
--- no_error_log
[alert]
[crit]



=== TEST 11: HEAD: the head only, and the stream is cancelled
--- config
    location = /head { js_function $TEST_NGINX_SERVER_ROOT/html/head.js; }
--- user_files
>>> head.js
let cancelled = 'no';
let pulls = 0;
export default {
    fetch(r) {
        if (new URL(r.url).searchParams.has('report')) return new Response(`cancelled: ${cancelled}, pulls: ${pulls}`);
        return new Response(new ReadableStream({
            pull(c) { pulls++; c.enqueue(new Uint8Array(10)); },
            cancel(e) { cancelled = e.name; },
        }, { highWaterMark: 0 }));
    },
};
--- request eval
["HEAD /head", "GET /head?report"]
--- response_body eval
["", "cancelled: AbortError, pulls: 0"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: nginx's gzip filter compresses a streamed response (here 10 MB from a function with 8 MB of memory: it could not be held whole)
--- config
    location = /gz {
        gzip on;
        gzip_types text/plain;
        gzip_min_length 1;
        js_function_memory 8m;
        js_function $TEST_NGINX_SERVER_ROOT/html/gz.js;
    }
--- user_files
>>> gz.js
export default {
    fetch() {
        const line = new TextEncoder().encode('streamed and gzipped by nginx\n'.repeat(1000));
        let sent = 0;
        return new Response(new ReadableStream({
            pull(c) {
                if (sent >= 1e7) { c.close(); return; }
                c.enqueue(line.slice());
                sent += line.length;
            },
        }, { highWaterMark: 0 }), { headers: { 'content-type': 'text/plain' } });
    },
};
--- more_headers
Accept-Encoding: gzip
--- request
GET /gz
--- response_headers
Content-Encoding: gzip
--- response_body_filters eval
sub { my ($in, $out) = (shift); IO::Uncompress::Gunzip::gunzip(\$in => \$out) or return 'not gzip'; length($out) . ' ' . ($out =~ /^(streamed and gzipped by nginx\n)+$/ ? 'lines' : 'other') }
--- response_body chomp
10020000 lines
--- timeout: 20
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: a TransformStream's readable side piped through TextEncoderStream streams to the client (chunked, no Content-Length)
--- config
    location = /ts { js_function $TEST_NGINX_SERVER_ROOT/html/ts.js; }
--- user_files
>>> ts.js
export default {
    fetch() {
        const { readable, writable } = new TransformStream({
            transform(chunk, ctl) { ctl.enqueue(chunk.toUpperCase()); },
        });
        const w = writable.getWriter();
        (async () => {
            for (const word of ['one ', 'two ', 'three ', 'h\u00e9']) {
                await new Promise((ok) => setTimeout(ok, 5));
                await w.write(word);
            }
            await w.close();
        })();
        return new Response(readable.pipeThrough(new TextEncoderStream()), {
            headers: { 'content-type': 'text/plain; charset=utf-8' },
        });
    },
};
--- request
GET /ts
--- response_headers
Transfer-Encoding: chunked
!Content-Length
--- response_body chomp
ONE TWO THREE HÉ
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: an HTTP/1.0 client gets the body until the connection closes (no chunked encoding, no Content-Length)
--- config
    location = /old { js_function $TEST_NGINX_SERVER_ROOT/html/old.js; }
--- user_files
>>> old.js
export default {
    fetch() {
        const parts = ['ab', 'cd'];
        return new Response(new ReadableStream({
            pull(c) { if (parts.length) c.enqueue(new TextEncoder().encode(parts.shift())); else c.close(); },
        }));
    },
};
--- request
GET /old HTTP/1.0
--- response_headers
!Content-Length
!Transfer-Encoding
--- response_body chomp
abcd
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: a request body streams through: the function echoes request.body, and the client reads the first half back before it sends the second
--- config
    location = /echo { js_function $TEST_NGINX_SERVER_ROOT/html/echo.js; }
--- user_files
>>> echo.js
export default { fetch: (r) => new Response(r.body) };
--- init
my $half = 'x' x 100000;
my $s = main::conn();
print $s "POST /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 200000\r\n\r\n";
print $s $half;
my $got = main::read_until($s, sub { $_[0] =~ tr/x// >= 100000 }, 3);
my ($head, $body) = split /\r\n\r\n/, $got, 2;
my $early = ($body =~ tr/x//);
print $s 'y' x 100000;
my $rest = main::read_all($s, 3);
my $all = main::dechunk($body . $rest);
main::result(join '',
    "first half echoed before the second was sent: ", ($early >= 100000 ? 'yes' : "no ($early)"), "\n",
    "echoed: ", length($all), " bytes, ", ($all eq ('x' x 100000) . ('y' x 100000) ? 'the same' : 'different'), "\n");
--- request
GET /result.txt
--- response_body
first half echoed before the second was sent: yes
echoed: 200000 bytes, the same
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: a 50 MB upload read chunk by chunk under js_function_memory 16m: every byte seen, memory flat
--- config
    location = /count {
        client_max_body_size 100m;
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/count.js;
    }
--- user_files
>>> count.js
export default {
    async fetch(r) {
        const reader = r.body.getReader();
        let bytes = 0, chunks = 0, sum = 0;
        for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            bytes += value.length;
            chunks++;
            sum = (sum + value[0] + value[value.length - 1]) % 1000;
        }
        return new Response(`bytes: ${bytes}, in pieces: ${chunks > 1}`);
    },
};
--- request eval
"POST /count\n" . ('z' x 50_000_000)
--- response_body chomp
bytes: 50000000, in pieces: true
--- timeout: 30
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: a chunked upload is streamed too: the function answers from its first piece while the client has not sent the rest
--- config
    location = /firstpiece { js_function $TEST_NGINX_SERVER_ROOT/html/firstpiece.js; }
--- user_files
>>> firstpiece.js
export default {
    async fetch(r) {
        const { value } = await r.body.getReader().read();
        return new Response(`first: ${new TextDecoder().decode(value)}`);
    },
};
--- init
my $s = main::conn();
print $s "POST /firstpiece HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
my $got = main::read_until($s, qr/first: hello/, 3);
main::result(($got =~ /first: hello/ ? "answered before the body ended" : "no answer") . "\n");
print $s "5\r\nworld\r\n0\r\n\r\n";
close $s;
--- request
GET /result.txt
--- response_body
answered before the body ended
--- no_error_log
[error]
[alert]
[crit]



=== TEST 18: a chunked upload read whole with text(); Content-Length bodies with json() and arrayBuffer(), gathered in one buffer (12 MB read under js_function_memory 16m): the call starts before a big body has arrived
--- config
    location /whole {
        client_max_body_size 100m;
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/whole.js;
    }
--- user_files
>>> whole.js
let started = 0;
export default {
    async fetch(r) {
        const what = new URL(r.url).pathname.slice(7);
        if (what === 'started') return new Response(`started: ${started}`);
        started++;
        if (what === 'text') return new Response(`text: ${(await r.text()).length}`);
        if (what === 'json') return new Response(`json: ${(await r.json()).list.length}`);
        return new Response(`arrayBuffer: ${(await r.arrayBuffer()).byteLength}`);
    },
};
--- init
my $json = '{"list":[' . join(',', (1) x 500000) . ']}';
my $s = main::conn();
print $s "POST /whole/json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: " . length($json) . "\r\n\r\n";
print $s substr($json, 0, 100000);
sleep 0.3;
my $r = main::conn();
print $r "GET /whole/started HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
my $started = main::read_all($r, 3) =~ /started: (\d+)/ ? $1 : '?';
print $s substr($json, 100000);
my $got = main::read_all($s, 5);
my $c = main::conn();
print $c "POST /whole/text HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n";
print $c sprintf("%x\r\n%s\r\n", 300000, 'c' x 300000) for 1 .. 10;
print $c "0\r\n\r\n";
my $text = main::read_all($c, 5);
my $j = $got =~ /(json: \d+)/ ? $1 : 'json: ?';
my $t = $text =~ /(text: \d+)/ ? $1 : 'text: ?';
main::result("started before the body ended: $started\n$j\n$t\n");
--- request eval
["GET /result.txt", "POST /whole/ab\n" . ('q' x 12_000_000)]
--- response_body eval
["started before the body ended: 1\njson: 500000\ntext: 3000000\n", "arrayBuffer: 12000000"]
--- timeout: 20
--- no_error_log
[error]
[alert]
[crit]



=== TEST 19: a client that aborts its upload mid-body errors the function's stream (a TypeError it can catch)
--- config
    location = /abort { js_function $TEST_NGINX_SERVER_ROOT/html/abort.js; }
--- user_files eval
[["abort.js", $main::SeenJs]]
--- init
my $s = main::conn();
print $s "POST /abort HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n" . ('a' x 20000);
sleep 0.2;
close $s;
sleep 0.2;
--- request
GET /abort
--- response_body chomp
seen: TypeError: The client closed the connection or sent an invalid body before the request body ended.
--- no_error_log
[error]
[alert]
[crit]



=== TEST 20: a body over js_function_memory: 413; read whole (arrayBuffer) it is refused at once for its Content-Length, read as a stream when a piece no longer fits; the function's read fails with a RangeError, the isolate goes on
--- config
    location = /fat {
        client_max_body_size 100m;
        js_function_memory 8m;
        js_function $TEST_NGINX_SERVER_ROOT/html/fat.js;
    }
--- user_files
>>> fat.js
const seen = [];
export default {
    async fetch(r) {
        if (r.method === 'GET') return new Response(`seen: ${seen.join(', ')}`);
        try {
            if (new URL(r.url).search === '?whole') {
                await r.arrayBuffer();
            } else {
                const keep = [];
                for await (const chunk of r.body) keep.push(chunk);
            }
        } catch (e) {
            seen.push(`${e.name}`);
        }
        return new Response('unreachable');
    },
};
--- request eval
["POST /fat?whole\n" . ('f' x 20_000_000), "POST /fat\n" . ('f' x 20_000_000), "GET /fat"]
--- error_code eval
[413, 413, 200]
--- response_body_like eval
[".*", ".*", "seen: RangeError, RangeError"]
--- timeout: 20
--- error_log eval
qr/\[error\] .*js_function ".*fat\.js": the request body of 20000000 bytes does not fit the function's memory of 8 MB \(js_function_memory\)/
--- no_error_log
[alert]
[crit]



=== TEST 21: client_max_body_size passed by a chunked body as it streams: nginx answers 413 and the function's stream errors (not a truncated body)
--- config
    location = /max {
        client_max_body_size 1k;
        js_function $TEST_NGINX_SERVER_ROOT/html/max.js;
    }
--- user_files
>>> max.js
let seen = 'nothing';
export default {
    async fetch(r) {
        if (r.method === 'GET') return new Response(`seen: ${seen}`);
        try {
            seen = `${(await r.text()).length} bytes`;
        } catch (e) {
            seen = `${e.name}: ${e.message}`;
        }
        return new Response('unreachable');
    },
};
--- init
my $s = main::conn();
print $s "POST /max HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" . ('m' x 1024) . "\r\n";
sleep 0.2;
print $s "400\r\n" . ('m' x 1024) . "\r\n0\r\n\r\n";
my $got = main::read_all($s, 3);
main::result("status: " . ($got =~ m{^HTTP/1.1 (\d+)} ? $1 : '?') . "\n");
--- request eval
["GET /result.txt", "GET /max"]
--- response_body eval
["status: 413\n", "seen: TypeError: The request body is larger than the server accepts (client_max_body_size)."]
--- no_error_log
[alert]
[crit]



=== TEST 22: the head goes out at once, before a first piece that takes long (server-sent events)
--- config
    location = /events { js_function $TEST_NGINX_SERVER_ROOT/html/events.js; }
--- user_files
>>> events.js
export default {
    fetch() {
        let n = 0;
        return new Response(new ReadableStream({
            async pull(c) {
                await new Promise((ok) => setTimeout(ok, 800));
                if (n++ === 1) { c.close(); return; }
                c.enqueue(new TextEncoder().encode('data: tick\n\n'));
            },
        }, { highWaterMark: 0 }), { headers: { 'content-type': 'text/event-stream' } });
    },
};
--- init
my $s = main::conn();
my $t0 = time;
print $s "GET /events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
my $head = main::read_until($s, qr/\r\n\r\n/, 3);
my $t1 = time - $t0;
my $rest = main::read_all($s, 3);
my $type = $head =~ /^Content-Type: (\S+)/mi ? $1 : 'none';
main::result(join '',
    "head within 0.5 s: ", ($t1 < 0.5 ? 'yes' : "no ($t1 s)"), "\n",
    "content-type: $type\n",
    "events: ", main::dechunk(($head =~ /\r\n\r\n(.*)/s)[0] . $rest) =~ s/\n/|/gr, "\n");
--- request
GET /result.txt
--- response_body
head within 0.5 s: yes
content-type: text/event-stream
events: data: tick||
--- no_error_log
[error]
[alert]
[crit]



=== TEST 23: a function that replaces Map's and the streams' methods and globals still has its bodies streamed both ways by the runtime
--- config
    location = /hostile { js_function $TEST_NGINX_SERVER_ROOT/html/hostile.js; }
--- user_files
>>> hostile.js
export default {
    fetch(r) {
        const body = r.body;
        const out = new ReadableStream({
            start(c) { c.enqueue(new TextEncoder().encode('head ')); },
            async pull(c) {
                const { value, done } = await read();
                if (done) c.close(); else c.enqueue(value);
            },
        });
        const reader = body.getReader();
        const read = reader.read.bind(reader);   // its own, kept
        Map.prototype.get = () => { throw new Error('hijacked Map.get'); };
        Map.prototype.set = () => { throw new Error('hijacked Map.set'); };
        Map.prototype.delete = () => { throw new Error('hijacked Map.delete'); };
        ReadableStreamDefaultReader.prototype.read = () => Promise.resolve({ done: true });
        ReadableStream.prototype.getReader = () => { throw new Error('hijacked getReader'); };
        ReadableByteStreamController.prototype.enqueue = () => { throw new Error('hijacked enqueue'); };
        ReadableByteStreamController.prototype.close = () => { throw new Error('hijacked close'); };
        globalThis.Uint8Array = function Fake() {};
        globalThis.TypeError = function Fake() {};
        return new Response(out);
    },
};
--- init
my $s = main::conn();
print $s "POST /hostile HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 100000\r\n\r\n" . ('h' x 100000);
my $got = main::read_all($s, 3);
my ($head, $body) = split /\r\n\r\n/, $got, 2;
my $all = main::dechunk($body);
main::result("chunked: " . ($head =~ /^Transfer-Encoding: chunked\r?$/mi ? 'yes' : 'no')
    . "\nbody: " . substr($all, 0, 5) . ', ' . ($all =~ tr/h//) . " h\n");
--- request
GET /result.txt
--- response_body
chunked: yes
body: head , 100001 h
--- no_error_log
[error]
[alert]
[crit]



=== TEST 24: nginx's sub_filter rewrites a streamed response, matches split across chunks included (10 MB from a function with 8 MB of memory)
--- config
    location = /sub {
        sub_filter_types text/plain;
        sub_filter 'needle' 'NEEDLE';
        sub_filter_once off;
        js_function_memory 8m;
        js_function $TEST_NGINX_SERVER_ROOT/html/sub.js;
    }
--- user_files
>>> sub.js
export default {
    fetch() {
        // 'needle' split across every two chunks
        const a = new TextEncoder().encode('x'.repeat(65530) + 'nee');
        const b = new TextEncoder().encode('dle' + 'y'.repeat(65530));
        let n = 0;
        return new Response(new ReadableStream({
            pull(c) {
                if (n === 152) { c.close(); return; }
                c.enqueue((n++ & 1 ? b : a).slice());
            },
        }, { highWaterMark: 0 }), { headers: { 'content-type': 'text/plain' } });
    },
};
--- request
GET /sub
--- response_body_filters eval
sub { my $b = shift; my $n = () = $b =~ /NEEDLE/g; my $m = () = $b =~ /needle/g; length($b) . " bytes, $n NEEDLE, $m needle" }
--- response_body chomp
9961016 bytes, 76 NEEDLE, 0 needle
--- timeout: 20
--- no_error_log
[error]
[alert]
[crit]



=== TEST 25: a stream returned after the request has ended (js_function_timeout) is cancelled, not read
--- config
    location = /late {
        js_function_timeout 200ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/late.js;
    }
--- user_files
>>> late.js
let cancelled = 'no';
let pulls = 0;
export default {
    async fetch(r) {
        if (new URL(r.url).searchParams.has('report')) return new Response(`cancelled: ${cancelled}, pulls: ${pulls}`);
        await new Promise((ok) => setTimeout(ok, 400));
        return new Response(new ReadableStream({
            pull(c) { pulls++; c.enqueue(new Uint8Array(1)); },
            cancel(e) { cancelled = `${e.name}: ${e.message}`; },
        }, { highWaterMark: 0 }));
    },
};
--- init
my $s = main::conn();
print $s "GET /late HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
my $got = main::read_all($s, 3);
main::result("status: " . ($got =~ m{^HTTP/1.1 (\d+)} ? $1 : '?') . "\n");
sleep 0.4;
--- request eval
["GET /result.txt", "GET /late?report"]
--- response_body eval
["status: 504\n", "cancelled: AbortError: The request ended before its response was ready., pulls: 0"]
--- error_log eval
qr/\[error\] .*js_function ".*late\.js": no response within 200 ms \(js_function_timeout\)/
--- no_error_log
[alert]
[crit]



=== TEST 26: a client that stalls mid-upload past client_body_timeout errors the function's stream; nginx closes the connection (408)
--- config
    location = /stalled {
        client_body_timeout 300ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/stalled.js;
    }
--- user_files eval
[["stalled.js", $main::SeenJs]]
--- init
my $s = main::conn();
print $s "POST /stalled HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n" . ('s' x 20000);
my $got = main::read_all($s, 3);
main::result("status: " . ($got =~ m{^HTTP/1.1 (\d+)} ? $1 : 'none (closed)') . "\n");
--- request eval
["GET /result.txt", "GET /stalled"]
--- response_body eval
["status: none (closed)\n", "seen: TypeError: The client timed out sending the request body."]
--- no_error_log
[alert]
[crit]



=== TEST 27: keep-alive after streamed request bodies: two uploads on one connection are both answered; a body the function ignores still gets its response
--- config
    location = /sum {
        js_function $TEST_NGINX_SERVER_ROOT/html/sum.js;
    }
--- user_files
>>> sum.js
export default {
    async fetch(r) {
        if (new URL(r.url).searchParams.has('ignore')) return new Response('ignored');
        let n = 0, pieces = 0;
        for await (const chunk of r.body) { n += chunk.length; pieces++; }
        return new Response(`read ${n}${pieces > 1 ? ' in pieces' : ''}`);
    },
};
--- init
my $s = main::conn();
my $body = 'k' x 300000;
my @out;
for my $i (1, 2) {
    print $s "POST /sum HTTP/1.1\r\nHost: localhost\r\nContent-Length: 300000\r\n\r\n$body";
    my $got = main::read_until($s, qr/read \d+( in pieces)?$/, 3);
    push @out, ($got =~ /(read \d+( in pieces)?)$/ ? $1 : 'none');
}
print $s "POST /sum?ignore HTTP/1.1\r\nHost: localhost\r\nContent-Length: 300000\r\n\r\n" . substr($body, 0, 100000);
my $got = main::read_until($s, qr/ignored/, 3);
push @out, ($got =~ /(ignored)/ ? $1 : 'none');
main::result(join("\n", @out) . "\n");
--- request
GET /result.txt
--- response_body
read 300000 in pieces
read 300000 in pieces
ignored
--- no_error_log
[error]
[alert]
[crit]



=== TEST 28: HTTP/2 (h2c, through curl): a streamed upload echoed back as a streamed response, Content-Length and chunked
--- http_config eval
"server {
    listen 127.0.0.1:" . ($ENV{TEST_NGINX_SERVER_PORT} + 1) . " http2;
    client_max_body_size 100m;
    location = /h2echo { js_function $ENV{TEST_NGINX_SERVER_ROOT}/html/h2echo.js; }
}"
--- config
--- user_files
>>> h2echo.js
export default {
    async fetch(r) {
        let pieces = 0;
        const counted = r.body.pipeThrough(new TransformStream({
            transform(c, ctl) { pieces++; ctl.enqueue(c); },
            flush(ctl) { ctl.enqueue(new TextEncoder().encode(pieces > 1 ? '|in pieces' : '|whole')); },
        }));
        return new Response(counted);
    },
};
--- init
my $file = "$ENV{TEST_NGINX_SERVER_ROOT}/html/upload.bin";
open my $f, '>', $file or die;
print $f join('', map { chr(65 + $_ % 26) } 0 .. 2_999_999);
close $f;
my $url = 'http://127.0.0.1:' . ($main::Port + 1) . '/h2echo';
my @out;
for my $te ('', '-H "Transfer-Encoding: chunked"') {
    my $got = qx(curl -s --http2-prior-knowledge $te --data-binary \@$file $url);
    my $same = substr($got, 0, 3_000_000) eq join('', map { chr(65 + $_ % 26) } 0 .. 2_999_999);
    push @out, length($got) . ' bytes, ' . ($same ? 'the same' : 'different') . substr($got, 3_000_000);
}
main::result(join("\n", @out) . "\n");
--- request
GET /result.txt
--- response_body
3000010 bytes, the same|in pieces
3000010 bytes, the same|in pieces
--- timeout: 10
--- no_error_log
[error]
[alert]
[crit]



=== TEST 29: return fetch(url): a fetched body streams through to the client, 40 MB of a static file through a 16 MB isolate, and a streamed function's chunks arrive as it produces them
--- config
    location = /proxy { js_function $TEST_NGINX_SERVER_ROOT/html/proxy.js; js_function_memory 16m; }
    location /files/ { alias $TEST_NGINX_SERVER_ROOT/html/; }
    location = /slowsrc { js_function $TEST_NGINX_SERVER_ROOT/html/slowsrc.js; }
--- user_files eval
[["proxy.js", <<'JS'], ["slowsrc.js", <<'JS2'], ["big.bin", "z" x 40_000_000]]
export default { fetch: (r) => fetch(new URL(r.url).searchParams.get('to')) };
JS
export default {
    fetch() {
        let n = 0;
        return new Response(new ReadableStream({
            async pull(c) {
                if (n === 1) await new Promise((ok) => setTimeout(ok, 700));
                if (n === 2) { c.close(); return; }
                c.enqueue(new TextEncoder().encode(n++ === 0 ? 'first\n' : 'second\n'));
            },
        }, { highWaterMark: 0 }));
    },
};
JS2
--- init
my $s = main::conn();
print $s "GET /proxy?to=/files/big.bin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
my ($n, $buf, $all) = (0, '', '');
while (my $r = sysread($s, $buf, 1 << 20)) { $n += $r; $all .= substr($buf, 0, 200) if length($all) < 400; }
my $len = $all =~ /^Content-Length: (\d+)/mi ? $1 : 'none';
$s = main::conn();
my $t0 = time;
print $s "GET /proxy?to=/slowsrc HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
my $got = main::read_until($s, qr/first\n/, 3);
my $t1 = time - $t0;
my $rest = main::read_all($s, 3);
my $body = main::dechunk(($got =~ /\r\n\r\n(.*)/s)[0] . $rest);
main::result(join '',
    "static: content-length $len, ", ($n > 40_000_000 ? 'all received' : "$n received"), "\n",
    "first within 0.5 s: ", ($t1 < 0.5 ? 'yes' : "no ($t1 s)"), "\n",
    "second with it: ", ($got =~ /second/ ? 'yes' : 'no'), "\n",
    "body: ", $body =~ s/\n/|/gr, "\n");
--- request
GET /result.txt
--- response_body
static: content-length 40000000, all received
first within 0.5 s: yes
second with it: no
body: first|second|
--- timeout: 20
--- no_error_log
[error]
[alert]
[crit]



=== TEST 30: js_function_timeout counts from the last piece of the request body the function read: a slow upload read as it comes is not cut by it
--- config
    location = /slowup {
        js_function_timeout 500ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/slowup.js;
    }
--- user_files
>>> slowup.js
export default {
    async fetch(r) {
        let n = 0, pieces = 0;
        for await (const chunk of r.body) { n += chunk.length; pieces++; }
        return new Response(`read ${n}${pieces > 1 ? ' in pieces' : ''}`);
    },
};
--- init
my $s = main::conn();
print $s "POST /slowup HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 5000\r\n\r\n";
for (1 .. 5) { print $s 'u' x 1000; sleep 0.3; }
my $got = main::read_all($s, 3);
my $status = $got =~ m{^HTTP/1.1 (\d+)} ? $1 : '?';
my $read = $got =~ /(read \d+( in pieces)?)$/ ? $1 : 'none';
main::result("$status $read\n");
--- request
GET /result.txt
--- response_body
200 read 5000 in pieces
--- timeout: 10
--- no_error_log
[error]
[alert]
[crit]



=== TEST 31: a stream that always has its next chunk, to a client that always takes it, does not hold the worker: other requests are answered meanwhile
--- config
    location = /endless { js_function $TEST_NGINX_SERVER_ROOT/html/endless.js; }
    location = /other { return 200 "other\n"; }
--- user_files
>>> endless.js
const chunk = new Uint8Array(65536);
export default {
    fetch() {
        return new Response(new ReadableStream({ pull(c) { c.enqueue(chunk.slice()); } }));
    },
};
--- init
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
    my $s = main::conn();
    print $s "GET /endless HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    my $end = time + 2;
    while (time < $end && sysread($s, my $buf, 1 << 20)) { }
    POSIX::_exit(0);
}
sleep 0.3;
my ($max, $ok) = (0, 0);
for (1 .. 15) {
    my $t0 = time;
    my $s = main::conn();
    print $s "GET /other HTTP/1.0\r\n\r\n";
    $ok++ if main::read_all($s, 3) =~ /other/;
    my $t = time - $t0;
    $max = $t if $t > $max;
    sleep 0.05;
}
waitpid($pid, 0);
main::result(join '',
    "answered: $ok of 15\n",
    "slowest under 0.25 s: ", ($max < 0.25 ? 'yes' : sprintf("no (%.3f s)", $max)), "\n");
--- request
GET /result.txt
--- response_body
answered: 15 of 15
slowest under 0.25 s: yes
--- no_error_log
[alert]
[crit]
