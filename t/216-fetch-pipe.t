# `return fetch(url)`: a fetched Response whose body JS never touched is
# handed to nginx by the engine, piece by piece at the client's pace,
# without JS per piece (shim/fetch.cc, NativeFetchPipe): no per-request I/O
# CPU is spent on it, so even a very low js_function_cpu_limit lets a long
# body through.  Errors mid-body cut the response short; a client that goes
# away aborts the fetch; a body JS has touched goes the JS way.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use Socket qw(SOL_SOCKET SO_LINGER);
use POSIX ();
use File::Temp qw(tempdir);
use Digest::SHA qw(sha1_hex);
use Time::HiRes qw(sleep);

master_on();
workers(1);
no_shuffle();
check_accum_error_log();

our $Parent = $$;
our @Children;
our $Rec = tempdir(CLEANUP => 1);

# 20 MB, every 4 bytes a counter
our $Big = join '', map { pack 'N', $_ } 0 .. 5242879;
our $BigSha = sha1_hex($Big);

sub send_all {
    my ($c, $data) = @_;
    while (length $data) {
        my $n = syswrite($c, $data);
        return 0 unless $n;
        substr($data, 0, $n) = '';
    }
    return 1;
}

# a Perl backend: /reset sends 1 MB of a 10 MB body and resets; /endless
# sends until the connection is closed, then writes what it saw to
# $Rec/gone.txt
sub start_backend {
    my $listen = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1',
                                       LocalPort => 0, ReuseAddr => 1)
        or die "backend: $!";
    my $port = $listen->sockport;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if ($pid) {
        push @Children, $pid;
        close $listen;
        return $port;
    }
    $SIG{PIPE} = 'IGNORE';
    $SIG{CHLD} = 'IGNORE';
    while (1) {
        my $c = $listen->accept or next;
        my $kid = fork;
        if (defined $kid && $kid == 0) {
            my $req = '';
            while ($req !~ /\r\n\r\n/) {
                my $n = sysread($c, $req, 4096, length $req);
                POSIX::_exit(0) unless $n;
            }
            if ($req =~ m{^GET /reset}) {
                send_all($c, "HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n"
                             . ('r' x 1048576));
                sleep 0.2;
                setsockopt($c, SOL_SOCKET, SO_LINGER, pack('II', 1, 0));
                close $c;
            } elsif ($req =~ m{^GET /endless}) {
                send_all($c, "HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n");
                my $sent = 0;
                while (send_all($c, 'e' x 65536)) {
                    $sent += 65536;
                    last if $sent >= 1000000000;
                }
                open my $f, '>', "$Rec/gone.txt";
                print $f $sent < 1000000000 ? "closed\n" : "sent all\n";
                close $f;
            }
            POSIX::_exit(0);
        }
        close $c;
    }
}

$ENV{TEST_NGINX_BACKEND_PORT} = start_backend();
$ENV{TEST_NGINX_REC_DIR} = $Rec;
{
    my $l = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1) or die "port: $!";
    $ENV{TEST_NGINX_UP_PORT} = $l->sockport;
}

# 800000 bytes of lines
our $Lines = join '', map { sprintf "%07d\n", $_ } 0 .. 99999;

END { kill 'TERM', @Children if $$ == $Parent && @Children; }

sub result {
    my ($text) = @_;
    open my $f, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/result.txt" or die "result: $!";
    print $f $text;
    close $f;
}

# GET $uri, read $n bytes of the body, go away; then wait for the backend
sub read_and_leave {
    my ($uri, $n) = @_;
    unlink "$Rec/gone.txt";
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984)
        or die "connect: $!";
    binmode $s;
    print $s "GET $uri HTTP/1.1\r\nHost: localhost\r\n\r\n";
    my $buf = '';
    while (length $buf < $n) {
        my $r = sysread($s, $buf, 65536, length $buf);
        last unless $r;
    }
    close $s;
    for (1 .. 50) {
        last if -e "$Rec/gone.txt";
        sleep 0.1;
    }
    open my $f, '<', "$Rec/gone.txt" or return "backend still sending\n";
    local $/;
    return <$f>;
}

run_tests();

__DATA__

=== TEST 1: `return fetch()` of a 20 MB same-origin static file under a 1 ms CPU limit: byte-exact, and no JS runs per piece (the JS path spends more than ten times the limit on the body's pieces and is cut short)
--- config
    location = /p {
        js_function_cpu_limit 1ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/p.js;
    }
    location = /big { alias $TEST_NGINX_SERVER_ROOT/html/big.bin; }
--- user_files eval
[["p.js", "export default { fetch() { return fetch('/big'); } };\n"],
 ["big.bin", $main::Big]]
--- request
GET /p
--- response_body_filters: sha1_hex
--- response_body eval
$main::BigSha
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: `return fetch()` of a 20 MB body from another origin (nginx's own HTTP client) under a 1 ms CPU limit: byte-exact
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_UP_PORT;
        location = /big { alias $TEST_NGINX_SERVER_ROOT/html/big.bin; }
    }
--- config
    location = /p {
        js_function_cpu_limit 1ms;
        js_function_fetch_allow 127.0.0.1;
        js_function $TEST_NGINX_SERVER_ROOT/html/p.js;
    }
--- user_files eval
[["p.js", "export default { fetch() { return fetch('http://127.0.0.1:$ENV{TEST_NGINX_UP_PORT}/big'); } };\n"],
 ["big.bin", $main::Big]]
--- request
GET /p
--- response_body_filters: sha1_hex
--- response_body eval
$main::BigSha
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: the backend resets the connection mid-body: the response is cut short (no last chunk), with a log line
--- config
    location = /p {
        js_function_fetch_allow 127.0.0.1;
        js_function $TEST_NGINX_SERVER_ROOT/html/p.js;
    }
--- user_files eval
[["p.js", "export default { fetch() { return fetch('http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/reset'); } };\n"]]
--- init
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984)
    or die "connect: $!";
binmode $s;
print $s "GET /p HTTP/1.1\r\nHost: localhost\r\n\r\n";
my $buf = '';
while (1) { my $r = sysread($s, $buf, 65536, length $buf); last unless $r; }
my ($head, $body) = split /\r\n\r\n/, $buf, 2;
main::result(($head =~ m{^HTTP/1\.1 200 } ? "200" : "status?")
             . (length($body // '') >= 1048576 ? " 1 MB" : " short")
             . (length($body // '') < 10000000 ? " cut" : " whole")
             . ($body =~ /\r\n0\r\n\r\n\z/ ? " last chunk" : "") . "\n");
--- request
GET /result.txt
--- response_body
200 1 MB cut
--- error_log eval
qr/\[error\] .*js_function ".*p\.js": response body aborted: TypeError: 127\.0\.0\.1:\d+ reset the connection before the end of the response body/
--- no_error_log
[alert]
[crit]



=== TEST 4: the client goes away mid-body: the fetch is aborted (the backend sees its connection closed)
--- config
    location = /p {
        js_function_fetch_allow 127.0.0.1;
        js_function $TEST_NGINX_SERVER_ROOT/html/p.js;
    }
--- user_files eval
[["p.js", "export default { fetch() { return fetch('http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/endless'); } };\n"]]
--- init
main::result(main::read_and_leave('/p', 1048576));
--- request
GET /result.txt
--- response_body
closed
--- no_error_log
[alert]
[crit]



=== TEST 5: a fetched body partly read (one piece), then handed on through a TransformStream, read whole, cloned, or made a stream (`new Response(r.body, r)`): each goes out the JS way, byte-exact; untouched, the native way
--- config
    location = /p { js_function $TEST_NGINX_SERVER_ROOT/html/p.js; }
    location = /big { alias $TEST_NGINX_SERVER_ROOT/html/big.bin; }
--- user_files eval
[["p.js", <<'JS'],
export default {
    async fetch(req) {
        const how = new URL(req.url).searchParams.get('how');
        const r = await fetch('/big');
        if (how === 'part') {
            // (a disturbed stream is no body for a new Response: through a
            // TransformStream, the piece read first)
            const reader = r.body.getReader();
            const first = await reader.read();
            reader.releaseLock();
            const { readable, writable } = new TransformStream();
            const w = writable.getWriter();
            w.write(first.value);
            w.releaseLock();
            r.body.pipeTo(writable);
            return new Response(readable, r);
        }
        if (how === 'whole') return new Response(await r.arrayBuffer());
        if (how === 'clone') { const c = r.clone(); await c.text(); return r; }
        if (how === 'body') return new Response(r.body, r);
        return r;
    }
};
JS
 ["big.bin", $main::Lines]]
--- request eval
["GET /p?how=part", "GET /p?how=whole", "GET /p?how=clone", "GET /p?how=body", "GET /p"]
--- response_body_filters: sha1_hex
--- response_body eval
[(Digest::SHA::sha1_hex($main::Lines)) x 5]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: nothing a function can set makes a body that is not a fetch's go the native way: Object.prototype.pipe, a look-alike object, a user stream in the response, all answer as before
--- config
    location = /p { js_function $TEST_NGINX_SERVER_ROOT/html/p.js; }
    location = /small { return 200 "small"; }
--- user_files
>>> p.js
export default {
    async fetch(req) {
        const how = new URL(req.url).searchParams.get('how');
        const r = await fetch('/small');
        Object.defineProperty(Object.prototype, 'pipe', { get() { return { id: 1, chunks: [new Uint8Array([88])] }; }, configurable: true });
        Object.defineProperty(Object.prototype, 'src', { get() { return { id: 1 }; }, configurable: true });
        if (how === 'stream') {
            return new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('user')); c.close(); } }));
        }
        if (how === 'text') return new Response('text');
        return r;
    }
};
--- request eval
["GET /p?how=stream", "GET /p?how=text", "GET /p"]
--- response_body eval
["user", "text", "small"]
--- no_error_log
[error]
[alert]
[crit]
