# fetch() to other origins: nginx's own HTTP/1.1 client (ngx_http_jsfn_client.c)
# against servers on the loopback: a second nginx server (plain and TLS, with
# a certificate made here), a misbehaving Perl server, a Perl DNS responder.
# Keepalive, framing (length, chunked, to close, HEAD/204/304, 1xx), body
# backpressure and cancel, retries, the allow list, limits, and the errors.

use Test::Nginx::Socket 'no_plan';
use File::Temp qw(tempdir);

master_on();
workers(1);
no_shuffle();

our $Parent = $$;

use IO::Socket::INET;
use Socket qw(SOL_SOCKET SO_LINGER);
use POSIX ();
use Time::HiRes ();

our @Children;

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1)
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

sub start_child {
    my ($code) = @_;
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        $SIG{TERM} = sub { POSIX::_exit(0) };
        eval { $code->() };
        POSIX::_exit(0);
    }
    push @Children, $pid;
    return $pid;
}

END {
    # only the test's own process: the harness forks too
    return unless $$ == $Parent;
    local $?;
    kill 'KILL', @Children if @Children;
    waitpid($_, 0) for @Children;
}

# --- the HTTP server: what it does depends on the path ---

sub read_request {
    my ($c) = @_;
    my $head = '';
    while ($head !~ /\r\n\r\n/) {
        my $n = sysread($c, my $buf, 4096);
        return undef unless $n;
        $head .= $buf;
    }
    my ($h, $rest) = split /\r\n\r\n/, $head, 2;
    my ($method, $path) = $h =~ m{^(\S+) (\S+)};
    my ($len) = $h =~ /\r\ncontent-length: *(\d+)/i;
    $len //= 0;
    while (length($rest) < $len) {
        my $n = sysread($c, my $buf, 4096);
        last unless $n;
        $rest .= $buf;
    }
    return { method => $method, path => $path, head => $h, body => $rest };
}

sub send_all {
    my ($c, $data) = @_;
    while (length $data) {
        my $n = syswrite($c, $data);
        return 0 unless $n;
        substr($data, 0, $n) = '';
    }
    return 1;
}

sub reset_close {
    my ($c) = @_;
    setsockopt($c, SOL_SOCKET, SO_LINGER, pack('II', 1, 0));
    close $c;
}

sub serve_connection {
    my ($c, $conn) = @_;
    my $nreq = 0;
    while (my $req = read_request($c)) {
        $nreq++;
        my $p = $req->{path};

        if ($p =~ m{^/count}) {
            my $b = "conn=$conn req=$nreq\n";
            send_all($c, "HTTP/1.1 200 OK\r\nContent-Length: "
                         . length($b) . "\r\n\r\n$b") or return;

        } elsif ($p =~ m{^/smuggle/(\d+)}) {
            # no body (a 204, or a length of 0), then a response nobody
            # asked for
            send_all($c, "HTTP/1.1 $1 X\r\nContent-Length: 0\r\n\r\n"
                         . "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nsmuggled\n")
                or return;

        } elsif ($p =~ m{^/kacount}) {
            my $b = "conn=$conn req=$nreq\n";
            send_all($c, "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1, max=9\r\n"
                         . "Content-Length: " . length($b) . "\r\n\r\n$b")
                or return;

        } elsif ($p =~ m{^/once}) {
            # answers the first request of a connection; on the next one,
            # closes as if its keepalive timeout had just expired
            if ($nreq > 1) { close $c; return; }
            my $b = "conn=$conn\n";
            send_all($c, "HTTP/1.1 200 OK\r\nContent-Length: "
                         . length($b) . "\r\n\r\n$b") or return;

        } elsif ($p =~ m{^/chunked}) {
            send_all($c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         . "X-Kind: chunked\r\n\r\n"
                         . "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n"
                         . "0\r\nX-Trailer: t\r\n\r\n") or return;

        } elsif ($p =~ m{^/bigchunked/(\d+)}) {
            my $n = $1;
            send_all($c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         . "\r\n") or return;
            my $chunk = 'x' x 1000;
            for (1 .. $n) {
                send_all($c, sprintf("%x\r\n%s\r\n", length $chunk, $chunk))
                    or return;
            }
            send_all($c, "0\r\n\r\n") or return;

        } elsif ($p =~ m{^/badchunk}) {
            send_all($c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         . "\r\n5\r\nhello\r\nzz\r\n");
            close $c;
            return;

        } elsif ($p =~ m{^/close}) {
            send_all($c, "HTTP/1.1 200 OK\r\nX-Kind: close\r\n\r\n"
                         . "body until close\n");
            close $c;
            return;

        } elsif ($p =~ m{^/http10}) {
            send_all($c, "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nold\r\n");
            close $c;
            return;

        } elsif ($p =~ m{^/connclose}) {
            my $b = "conn=$conn closing\n";
            send_all($c, "HTTP/1.1 200 OK\r\nConnection: close\r\n"
                         . "Content-Length: " . length($b) . "\r\n\r\n$b");
            close $c;
            return;

        } elsif ($p =~ m{^/continue}) {
            send_all($c, "HTTP/1.1 100 Continue\r\n\r\n"
                         . "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                         . "HTTP/1.1 201 Made\r\nContent-Length: 2\r\n\r\nok")
                or return;

        } elsif ($p =~ m{^/slow}) {
            send_all($c, "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n")
                or return;
            for my $piece ('slow ', 'slow ', 'slow!') {
                Time::HiRes::sleep(0.3);
                send_all($c, $piece) or return;
            }

        } elsif ($p =~ m{^/stall}) {
            # a head, a piece of body, then nothing
            send_all($c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                         . "some");
            sleep 30;
            return;

        } elsif ($p =~ m{^/reset}) {
            send_all($c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
                         . ('r' x 1000));
            Time::HiRes::sleep(0.2);
            reset_close($c);
            return;

        } elsif ($p =~ m{^/shortbody}) {
            send_all($c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                         . "only this");
            close $c;
            return;

        } elsif ($p =~ m{^/hugehead}) {
            my $h = "HTTP/1.1 200 OK\r\n";
            $h .= "X-Big-$_: " . ('h' x 100) . "\r\n" for 1 .. 400;
            send_all($c, "$h\r\n");
            close $c;
            return;

        } elsif ($p =~ m{^/never}) {
            sleep 30;
            return;

        } elsif ($p =~ m{^/garbage}) {
            send_all($c, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
            close $c;
            return;

        } elsif ($p =~ m{^/echo}) {
            my $b = "$req->{method} $req->{path}\n$req->{head}\n\n"
                    . "body=$req->{body}\n";
            send_all($c, "HTTP/1.1 200 OK\r\nContent-Length: "
                         . length($b) . "\r\n\r\n$b") or return;

        } else {
            send_all($c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                or return;
        }
    }
}

sub start_http_backend {
    my $listen = IO::Socket::INET->new(Listen => 64, LocalAddr => '127.0.0.1',
                                       LocalPort => 0, ReuseAddr => 1)
        or die "backend: $!";
    my $port = $listen->sockport;
    start_child(sub {
        $SIG{CHLD} = 'IGNORE';
        my $conn = 0;
        while (1) {
            my $c = $listen->accept or next;
            $conn++;
            my $pid = fork();
            if (defined $pid && $pid == 0) {
                close $listen;
                serve_connection($c, $conn);
                POSIX::_exit(0);
            }
            close $c;
        }
    });
    close $listen;
    return $port;
}

# --- the DNS responder: A records for a few names, NXDOMAIN for others,
#     silence for "silent.test" (a resolver timeout) ---

sub start_dns {
    my $sock = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
                                     LocalPort => 0)
        or die "dns: $!";
    my $port = $sock->sockport;
    my %a = ('test.example' => '127.0.0.1', 'other.example' => '127.0.0.1',
             'public.example' => '127.0.0.1', 'www.test.example' => '127.0.0.1');
    start_child(sub {
        while (1) {
            my $from = $sock->recv(my $q, 512) // next;
            next if length($q) < 12;
            my ($id, $flags, $qd) = unpack('n n n', $q);
            my $pos = 12;
            my @labels;
            while ($pos < length $q) {
                my $len = ord substr($q, $pos, 1);
                $pos++;
                last if $len == 0;
                push @labels, substr($q, $pos, $len);
                $pos += $len;
            }
            my ($qtype) = unpack('n', substr($q, $pos, 2));
            my $question = substr($q, 12, $pos + 4 - 12);
            my $name = lc join '.', @labels;
            next if $name eq 'silent.test';
            my ($rcode, $answer, $an) = (0, '', 0);
            if (!exists $a{$name}) {
                $rcode = 3;
            } elsif ($qtype == 1) {
                $an = 1;
                $answer = pack('n n n N n', 0xc00c, 1, 1, 60, 4)
                          . pack('C4', split /\./, $a{$name});
            }
            my $r = pack('n n n n n n', $id, 0x8180 | $rcode, 1, $an, 0, 0)
                    . $question . $answer;
            $sock->send($r, 0, $from);
        }
    });
    close $sock;
    return $port;
}


# the servers, and a self-signed certificate for test.example
our $CertDir = tempdir(CLEANUP => 1);
system("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
       . " -nodes -keyout $CertDir/test.key -out $CertDir/test.crt -days 2"
       . " -subj /CN=test.example -addext subjectAltName=DNS:test.example"
       . " >/dev/null 2>&1") == 0 or die "openssl req failed";

$ENV{TEST_NGINX_CERT_DIR} = $CertDir;
$ENV{TEST_NGINX_BACKEND_PORT} = start_http_backend();
$ENV{TEST_NGINX_DNS_PORT} = start_dns();
$ENV{TEST_NGINX_NGX_PORT} = free_port();
$ENV{TEST_NGINX_TLS_PORT} = free_port();
$ENV{TEST_NGINX_CLOSED_PORT} = free_port();

# a listener whose backlog is full: a connect() to it hangs
our $Full = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die "listen: $!";
$ENV{TEST_NGINX_FULL_PORT} = $Full->sockport;
our @Fill = map {
    IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ENV{TEST_NGINX_FULL_PORT}",
                          Blocking => 0)
} 1 .. 8;

# 30000 lines, 330000 bytes
our $Big = join '', map { sprintf "line %05d\n", $_ } 1 .. 30000;

our $Probe = <<'JS';
// Fetches each "url" of the query in turn (or all at once with "par") and
// says what came of each.  A url may be preceded by words: a METHOD, a mode
// (cancel: read one piece and cancel 50 ms later; cancelnow: at once;
// slow: read piece by piece, 20 ms
// apart; len: count the bytes), abort=MS (an AbortSignal), body=TEXT,
// wait=MS (a pause before the fetch).
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function one(spec, q) {
  const words = spec.split(' ');
  const url = words.pop();
  const init = { headers: { 'x-test': 'yes', host: 'function.example' } };
  let mode = 'text';
  for (const w of words) {
    if (/^[A-Z]+$/.test(w)) init.method = w;
    else if (w.startsWith('abort=')) {
      const c = new AbortController();
      setTimeout(() => c.abort(), Number(w.slice(6)));
      init.signal = c.signal;
    } else if (w.startsWith('body=')) init.body = w.slice(5);
    else if (w.startsWith('wait=')) await sleep(Number(w.slice(5)));
    else mode = w;
  }
  let r;
  try {
    r = await fetch(url, init);
  } catch (e) {
    return `REJECT ${e.name}: ${e.message}`;
  }
  let out = `${r.status} ${r.statusText}`;
  for (const h of q.getAll('h')) out += ` ${h}=${r.headers.get(h)}`;
  try {
    if (mode === 'cancel' || mode === 'cancelnow') {
      const reader = r.body.getReader();
      await reader.read();
      if (mode === 'cancel') await sleep(50);
      await reader.cancel();
      return `${out}|cancelled`;
    }
    if (mode === 'slow' || mode === 'len') {
      const reader = r.body.getReader();
      let n = 0, last = new Uint8Array(0);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.length;
        last = value;
        if (mode === 'slow') await sleep(20);
      }
      const tail = new TextDecoder().decode(last.subarray(last.length - 11));
      return `${out}|${n} bytes, ends ${JSON.stringify(tail)}`;
    }
    return `${out}|${await r.text()}`;
  } catch (e) {
    return `${out}|BODY ${e.name}: ${e.message}`;
  }
}

export default {
  async fetch(request, env, ctx) {
    const q = new URL(request.url).searchParams;
    const urls = q.getAll('url');
    if (q.has('wait')) {
      ctx.waitUntil(fetch(urls[0]).then((r) => r.text()));
      return new Response('sent\n');
    }
    if (q.has('delay')) await sleep(Number(q.get('delay')));
    let res = [];
    if (q.has('par')) {
      res = await Promise.all(urls.map((u) => one(u, q)));
    } else {
      for (let i = 0; i < Number(q.get('times') || 1); i++) {
        for (const u of urls) res.push(await one(u, q));
      }
    }
    return new Response(res.join('\n') + '\n');
  }
};
JS

# the backends in every block's http {}, the probe and big.txt in its files
our $Backends = <<'CONF';
    server {
        listen 127.0.0.1:$TEST_NGINX_NGX_PORT;
        root $TEST_NGINX_SERVER_ROOT/html;
        location /echo {
            add_header X-Backend yes;
            return 200 "host=$http_host x-test=$http_x_test conn=$http_connection\n";
        }
        location /conn { return 200 "c=$connection r=$connection_requests\n"; }
        location /204 { return 204; }
        location /304 { return 304; }
        location /chunked/ { alias $TEST_NGINX_SERVER_ROOT/html/; ssi on; ssi_types *; }
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_TLS_PORT ssl;
        ssl_certificate $TEST_NGINX_CERT_DIR/test.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/test.key;
        location / { return 200 "tls sni=$ssl_server_name c=$connection r=$connection_requests s=$ssl_session_reused\n"; }
    }
CONF

add_block_preprocessor(sub {
    my $block = shift;
    # the default: /t runs the probe, allowed to reach 127.0.0.1
    $block->set_value(config => <<'CONF') unless defined $block->config;
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
    }
CONF
    my $files = $block->user_files // '';
    $files .= "\n" if length $files && $files !~ /\n\z/;
    $block->set_value(user_files => "$files>>> probe.js\n$Probe>>> big.txt\n$Big");
    $block->set_value(http_config => $Backends . ($block->http_config // ''));
});

run_tests();

__DATA__
=== TEST 1: a GET through nginx's client: status, statusText, headers as received, body; the Host of the URL, not the function's
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/echo&h=content-type&h=x-backend
--- response_body eval
"200 OK content-type=text/plain x-backend=yes|host=127.0.0.1:$ENV{TEST_NGINX_NGX_PORT} x-test=yes conn=keep-alive\n\n"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: the request as sent: HTTP/1.1, Host, the function's headers, Content-Length of a body, Connection: keep-alive
--- request
GET /t?url=POST%20body=hello%20http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/echo?a=1
--- response_body_like eval
qr{^200 OK\|POST /echo\?a=1\nPOST /echo\?a=1 HTTP/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n(?:[a-z-]+: [^\r]*\r\n)*Content-Length: 5\r\nConnection: keep-alive\n\nbody=hello\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: one connection serves fetch after fetch, within a request and across requests of the worker
--- request eval
["GET /t?times=5&url=http://127.0.0.1:$ENV{TEST_NGINX_NGX_PORT}/conn",
 "GET /t?times=2&url=http://127.0.0.1:$ENV{TEST_NGINX_NGX_PORT}/conn"]
--- response_body_like eval
[qr{^200 OK\|c=(\d+) r=1\n\n200 OK\|c=\1 r=2\n\n200 OK\|c=\1 r=3\n\n200 OK\|c=\1 r=4\n\n200 OK\|c=\1 r=5\n\n\z},
 qr{^200 OK\|c=(\d+) r=6\n\n200 OK\|c=\1 r=7\n\n\z}]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: a kept-alive connection to a server that is not nginx, across requests
--- request eval
["GET /t?url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count",
 "GET /t?url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count"]
--- response_body_like eval
[qr{^200 OK\|conn=\d+ req=1\n\n\z},
 qr{^200 OK\|conn=\d+ req=2\n\n\z}]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: js_function_fetch_keepalive 0: a connection per fetch
--- http_config
    js_function_fetch_keepalive 0;
--- request
GET /t?times=2&url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn
--- response_body_like eval
qr{^200 OK\|c=(\d+) r=1\n\n200 OK\|c=(?!\1)\d+ r=1\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: Connection: close, HTTP/1.0 and a body without a length (read to the close): whole bodies, connections not kept
--- request eval
"GET /t?url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count"
. "&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/connclose"
. "&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count"
. "&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/http10"
. "&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count"
. "&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/close&h=x-kind"
. "&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count"
--- response_body_like eval
qr{^200 OK x-kind=null\|conn=(\d+) req=\d+
\n200 OK x-kind=null\|conn=\1 closing
\n200 OK x-kind=null\|conn=\d+ req=1
\n200 OK x-kind=null\|old\r
\n200 OK x-kind=null\|conn=\d+ req=1
\n200 OK x-kind=close\|body until close
\n200 OK x-kind=null\|conn=\d+ req=1
\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: chunked bodies decoded: with chunk extensions and trailers, and nginx's own (ssi) for 330000 bytes
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/chunked&url=len%20http://127.0.0.1:$TEST_NGINX_NGX_PORT/chunked/big.txt&h=transfer-encoding&h=content-length
--- response_body
200 OK transfer-encoding=chunked content-length=null|hello world!
200 OK transfer-encoding=chunked content-length=null|330000 bytes, ends "line 30000\n"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: HEAD, 204 and 304 have no body, and the connection goes on serving
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn&url=HEAD%20http://127.0.0.1:$TEST_NGINX_NGX_PORT/big.txt&url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/204&url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/304&url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn&h=content-length
--- response_body_like eval
qr{^200 OK content-length=\d+\|c=(\d+) r=1\n
200 OK content-length=330000\|
204 No Content content-length=null\|
304 Not Modified content-length=\d*\|
200 OK content-length=\d+\|c=\1 r=5\n
\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: 1xx responses (100 Continue, 103 Early Hints) are skipped
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/continue&h=link
--- response_body
201 Made link=null|ok

--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: a body read slowly comes whole (reading waits for the reader), as does a body the server sends slowly
--- request
GET /t?url=slow%20http://127.0.0.1:$TEST_NGINX_NGX_PORT/big.txt&url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/slow
--- response_body
200 OK|330000 bytes, ends "line 30000\n"
200 OK|slow slow slow!
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: a body cancelled half-way closes its connection (not kept); the next fetch gets a new one
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn&url=cancel%20http://127.0.0.1:$TEST_NGINX_NGX_PORT/big.txt&url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn
--- response_body_like eval
qr{^200 OK\|c=(\d+) r=1\n\n200 OK\|cancelled\n200 OK\|c=(?!\1)\d+ r=1\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: an AbortSignal ends a fetch that waits for a server that never answers; the worker goes on
--- request
GET /t?url=abort=200%20http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/never&url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn
--- response_body_like eval
qr{^REJECT AbortError: [^\n]+\n200 OK\|c=\d+ r=1\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: a fetch in ctx.waitUntil() runs after the response; its connection is kept for the next request
--- request eval
["GET /t?wait=1&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count",
 "GET /t?delay=300&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count"]
--- response_body_like eval
[qr{^sent\n\z}, qr{^200 OK\|conn=\d+ req=2\n\n\z}]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: a kept-alive connection that the server closed is retried once on a new one for GET, not for POST
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/once&url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/once&url=POST%20http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/once
--- response_body_like eval
qr{^200 OK\|conn=(\d+)\n\n200 OK\|conn=(?!\1)\d+\n\nREJECT TypeError: 127\.0\.0\.1:\d+ closed the connection before sending a complete response head\n\z}
--- error_log eval
qr/\[error\] .* fetch failed: 127\.0\.0\.1:\d+ closed the connection before sending a complete response head while reading the response head, fetch: "http:\/\/127\.0\.0\.1:\d+\/once", function: ".*\/probe\.js"/



=== TEST 15: TLS: the certificate is verified against the system's CAs by default
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow test.example;
        resolver 127.0.0.1:$TEST_NGINX_DNS_PORT ipv6=off;
    }
--- request
GET /t?url=https://test.example:$TEST_NGINX_TLS_PORT/
--- response_body_like eval
qr{^REJECT TypeError: TLS certificate of test\.example:\d+ failed verification: self[- ]signed certificate\n\z}
--- error_log eval
qr/\[error\] .* fetch failed: TLS certificate of test\.example:\d+ failed verification: self[- ]signed certificate while TLS handshaking, fetch: "https:\/\/test\.example:\d+\/", function: ".*\/probe\.js"/



=== TEST 16: TLS with js_function_fetch_trusted_certificate: SNI sent, connection kept
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow test.example;
        js_function_fetch_trusted_certificate $TEST_NGINX_CERT_DIR/test.crt;
        resolver 127.0.0.1:$TEST_NGINX_DNS_PORT ipv6=off;
    }
--- request
GET /t?times=2&url=https://test.example:$TEST_NGINX_TLS_PORT/
--- response_body_like eval
qr{^200 OK\|tls sni=test\.example c=(\d+) r=1 s=\.\n\n200 OK\|tls sni=test\.example c=\1 r=2 s=\.\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: TLS: a trusted certificate for another name fails the host name check, by name and by IP address; js_function_fetch_verify off lets it through
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow www.test.example 127.0.0.1;
        js_function_fetch_trusted_certificate $TEST_NGINX_CERT_DIR/test.crt;
        resolver 127.0.0.1:$TEST_NGINX_DNS_PORT ipv6=off;
    }
    location /off {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_verify off;
    }
--- request eval
["GET /t?url=https://www.test.example:$ENV{TEST_NGINX_TLS_PORT}/&url=https://127.0.0.1:$ENV{TEST_NGINX_TLS_PORT}/",
 "GET /off?url=https://127.0.0.1:$ENV{TEST_NGINX_TLS_PORT}/"]
--- response_body_like eval
[qr{^REJECT TypeError: TLS certificate of www\.test\.example:\d+ is not valid for www\.test\.example\nREJECT TypeError: TLS certificate of 127\.0\.0\.1:\d+ is not valid for 127\.0\.0\.1\n\z},
 qr{^200 OK\|tls sni= c=\d+ r=1 s=\.\n\n\z}]



=== TEST 18: connection refused
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_CLOSED_PORT/x
--- response_body
REJECT TypeError: connect to 127.0.0.1:$TEST_NGINX_CLOSED_PORT failed: Connection refused
--- error_log eval
qr/\[error\] .* fetch failed: connect to 127\.0\.0\.1:\d+ failed: Connection refused while connecting, fetch: "http:\/\/127\.0\.0\.1:\d+\/x", function: ".*\/probe\.js"/



=== TEST 19: DNS: a name that does not exist, a resolver that does not answer (resolver_timeout)
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow nope.example silent.test;
        resolver 127.0.0.1:$TEST_NGINX_DNS_PORT ipv6=off;
        resolver_timeout 1s;
    }
--- request
GET /t?url=http://nope.example/&url=http://silent.test/
--- response_body
REJECT TypeError: cannot resolve nope.example: Host not found
REJECT TypeError: cannot resolve silent.test: Operation timed out
--- error_log
fetch failed: cannot resolve nope.example: Host not found while resolving, fetch: "http://nope.example/"
fetch failed: cannot resolve silent.test: Operation timed out while resolving, fetch: "http://silent.test/"



=== TEST 20: DNS: a name and no resolver directive is an error, not a hang; a name resolved fetches
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow test.example;
    }
    location /r {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow test.example;
        resolver 127.0.0.1:$TEST_NGINX_DNS_PORT ipv6=off;
    }
--- request eval
["GET /t?url=http://test.example:$ENV{TEST_NGINX_NGX_PORT}/conn",
 "GET /r?url=http://test.example:$ENV{TEST_NGINX_NGX_PORT}/conn"]
--- response_body_like eval
["^REJECT TypeError: cannot resolve test.example: no resolver defined \\(the resolver directive\\)\n\\z",
 "^200 OK\\|c=\\d+ r=1\n\n\\z"]



=== TEST 21: js_function_fetch_timeout: a server that never answers, and one that stops half-way through a body
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_timeout 500ms;
    }
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/never&url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/stall
--- response_body
REJECT TypeError: reading the response from 127.0.0.1:$TEST_NGINX_BACKEND_PORT timed out
200 OK|BODY TypeError: reading the response from 127.0.0.1:$TEST_NGINX_BACKEND_PORT timed out
--- error_log
fetch failed: reading the response from 127.0.0.1:$TEST_NGINX_BACKEND_PORT timed out while reading the response head
fetch failed: reading the response from 127.0.0.1:$TEST_NGINX_BACKEND_PORT timed out while reading the response body



=== TEST 22: a connection reset or closed half-way through a body: the body stream errors
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_max_response_size 1m;
    }
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/reset&url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/shortbody
--- response_body
200 OK|BODY TypeError: 127.0.0.1:$TEST_NGINX_BACKEND_PORT reset the connection before the end of the response body
200 OK|BODY TypeError: 127.0.0.1:$TEST_NGINX_BACKEND_PORT closed the connection before the end of the response body
--- error_log
fetch failed: 127.0.0.1:$TEST_NGINX_BACKEND_PORT reset the connection before the end of the response body while reading the response body
fetch failed: 127.0.0.1:$TEST_NGINX_BACKEND_PORT closed the connection before the end of the response body while reading the response body



=== TEST 23: js_function_fetch_max_response_size: a Content-Length past it rejects, a chunked body past it errors
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_max_response_size 100k;
    }
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/big.txt&url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/bigchunked/200
--- response_body
REJECT TypeError: the response body from 127.0.0.1:$TEST_NGINX_NGX_PORT (330000 bytes) is larger than js_function_fetch_max_response_size (102400 bytes)
200 OK|BODY TypeError: the response body from 127.0.0.1:$TEST_NGINX_BACKEND_PORT is larger than js_function_fetch_max_response_size (102400 bytes)
--- error_log
fetch failed: the response body from 127.0.0.1:$TEST_NGINX_NGX_PORT (330000 bytes) is larger than js_function_fetch_max_response_size (102400 bytes)
fetch failed: the response body from 127.0.0.1:$TEST_NGINX_BACKEND_PORT is larger than js_function_fetch_max_response_size (102400 bytes)



=== TEST 24: js_function_fetch_max_header_size: a 44k head fails by default (16k), and fits in 64k
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
    }
    location /big {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_max_header_size 64k;
    }
--- request eval
["GET /t?url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/hugehead",
 "GET /big?url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/hugehead&h=x-big-400"]
--- response_body eval
["REJECT TypeError: the response head from 127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT} is larger than js_function_fetch_max_header_size (16384 bytes)\n",
 "200 OK x-big-400=" . ('h' x 100) . "|\n"]



=== TEST 25: a server that does not speak HTTP, and a broken chunked body
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/garbage&url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/badchunk
--- response_body
REJECT TypeError: 127.0.0.1:$TEST_NGINX_BACKEND_PORT sent an invalid status line
200 OK|BODY TypeError: 127.0.0.1:$TEST_NGINX_BACKEND_PORT sent an invalid chunked body
--- error_log
fetch failed: 127.0.0.1:$TEST_NGINX_BACKEND_PORT sent an invalid status line
fetch failed: 127.0.0.1:$TEST_NGINX_BACKEND_PORT sent an invalid chunked body



=== TEST 26: nothing is allowed without js_function_fetch_allow; error_log names the function
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
    }
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn
--- response_body
REJECT TypeError: fetch to http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn is not allowed (js_function_fetch_allow)
--- error_log eval
qr/\[error\] .* fetch to 127\.0\.0\.1:\d+ denied by js_function_fetch_allow, fetch: "http:\/\/127\.0\.0\.1:\d+\/conn", function: ".*\/html\/probe\.js"/



=== TEST 27: the allow list: host:port, "*" (never the machine's own or private addresses), localhost only when named
--- config
    location /port {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1:$TEST_NGINX_NGX_PORT;
    }
    location /any {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow *;
    }
    location /local {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow localhost:$TEST_NGINX_NGX_PORT;
    }
--- request eval
["GET /port?url=http://127.0.0.1:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count",
 "GET /any?url=http://127.0.0.1:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://localhost:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://[::1]:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://10.1.2.3/&url=http://192.168.1.1/",
 "GET /local?url=http://localhost:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://127.0.0.1:$ENV{TEST_NGINX_NGX_PORT}/conn"]
--- response_body_like eval
["^200 OK\\|c=\\d+ r=1\n\nREJECT TypeError: fetch to http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/count is not allowed \\(js_function_fetch_allow\\)\n\\z",
 "^REJECT TypeError: fetch to http://127.0.0.1:\\d+/conn is not allowed \\(js_function_fetch_allow\\)
REJECT TypeError: fetch to http://localhost:\\d+/conn is not allowed \\(js_function_fetch_allow\\)
REJECT TypeError: fetch to http://\\[::1\\]:\\d+/conn is not allowed \\(js_function_fetch_allow\\)
REJECT TypeError: fetch to http://10.1.2.3/ is not allowed \\(js_function_fetch_allow\\)
REJECT TypeError: fetch to http://192.168.1.1/ is not allowed \\(js_function_fetch_allow\\)\n\\z",
 "^200 OK\\|c=\\d+ r=1\n\nREJECT TypeError: fetch to http://127.0.0.1:\\d+/conn is not allowed \\(js_function_fetch_allow\\)\n\\z"]



=== TEST 28: the allow list: a pattern "*.example" matches names under it, checked again on the address they resolve to (connections kept per host)
--- config
    location /pattern {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow *.example;
        resolver 127.0.0.1:$TEST_NGINX_DNS_PORT ipv6=off;
    }
    location /pattern-ip {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow *.example:$TEST_NGINX_NGX_PORT 127.0.0.1:$TEST_NGINX_NGX_PORT;
        resolver 127.0.0.1:$TEST_NGINX_DNS_PORT ipv6=off;
    }
--- request eval
["GET /pattern?url=http://public.example:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://example:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://public.example.com/",
 "GET /pattern-ip?url=http://public.example:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://www.test.example:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://public.example:$ENV{TEST_NGINX_NGX_PORT}/conn&url=http://public.example:$ENV{TEST_NGINX_BACKEND_PORT}/count"]
--- response_body_like eval
["^REJECT TypeError: fetch to http://public.example:\\d+/conn is not allowed: public.example resolves to an internal address \\(js_function_fetch_allow\\)
REJECT TypeError: fetch to http://example:\\d+/conn is not allowed \\(js_function_fetch_allow\\)
REJECT TypeError: fetch to http://public.example.com/ is not allowed \\(js_function_fetch_allow\\)\n\\z",
 "^200 OK\\|c=(\\d+) r=1\n\n200 OK\\|c=(?!\\1)\\d+ r=1\n\n200 OK\\|c=\\1 r=2\n\nREJECT TypeError: fetch to http://public.example:\\d+/count is not allowed \\(js_function_fetch_allow\\)\n\\z"]



=== TEST 29: js_function_fetch_max: fetches in flight per request
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_max 2;
    }
--- request eval
"GET /t?par=1&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/slow"
. "&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/slow"
. "&url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/slow"
--- response_body
200 OK|slow slow slow!
200 OK|slow slow slow!
REJECT TypeError: too many fetches in flight for one request (js_function_fetch_max 2)
--- no_error_log
[alert]
[crit]



=== TEST 30: an invalid js_function_fetch_allow pattern fails the configuration
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow *foo.example;
    }
--- request
GET /t
--- must_die
--- error_log
invalid js_function_fetch_allow pattern "*foo.example"



=== TEST 31: bodies cancelled at once (inside the engine's report) or later, and an aborted fetch, give their place back under js_function_fetch_max
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_max 1;
    }
--- request
GET /t?url=cancelnow%20http://127.0.0.1:$TEST_NGINX_NGX_PORT/big.txt&url=cancel%20http://127.0.0.1:$TEST_NGINX_NGX_PORT/big.txt&url=abort=100%20http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/never&url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn
--- response_body_like eval
qr{^200 OK\|cancelled\n200 OK\|cancelled\nREJECT AbortError: [^\n]+\n200 OK\|c=\d+ r=1\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 32: js_function_fetch_timeout bounds connecting (a server whose backlog is full)
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_timeout 300ms;
    }
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_FULL_PORT/
--- response_body
REJECT TypeError: connect to 127.0.0.1:$TEST_NGINX_FULL_PORT timed out
--- error_log
fetch failed: connect to 127.0.0.1:$TEST_NGINX_FULL_PORT timed out while connecting



=== TEST 33: js_function_fetch_keepalive_timeout closes idle connections; js_function_fetch_keepalive caps them (the least recently used goes)
--- http_config
    js_function_fetch_keepalive 1;
    js_function_fetch_keepalive_timeout 200ms;
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow 127.0.0.1 localhost;
    }
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn&url=wait=50%20http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn&url=wait=400%20http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn&url=http://localhost:$TEST_NGINX_NGX_PORT/conn&url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/conn
--- response_body_like eval
qr{^200 OK\|c=(\d+) r=1\n\n200 OK\|c=\1 r=2\n\n200 OK\|c=(?!\1)(\d+) r=1\n\n200 OK\|c=(?!\2)\d+ r=1\n\n200 OK\|c=(?!\2)\d+ r=1\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 34: TLS to a server that does not speak it: the handshake fails (OpenSSL's reason in error_log)
--- request
GET /t?url=https://127.0.0.1:$TEST_NGINX_NGX_PORT/conn
--- response_body
REJECT TypeError: TLS handshake with 127.0.0.1:$TEST_NGINX_NGX_PORT failed
--- error_log eval
[qr/\[error\] .* SSL_do_handshake\(\) failed .* while TLS handshaking, fetch: "https:\/\/127\.0\.0\.1:\d+\/conn"/,
 "fetch failed: TLS handshake with 127.0.0.1:$ENV{TEST_NGINX_NGX_PORT} failed while TLS handshaking"]



=== TEST 35: a server's "Keep-Alive: timeout=1" closes the idle connection before the server would
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/kacount&url=wait=100%20http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/kacount&url=wait=700%20http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/kacount
--- response_body_like eval
qr{^200 OK\|conn=(\d+) req=1\n\n200 OK\|conn=\1 req=2\n\n200 OK\|conn=(?!\1)\d+ req=1\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 36: TLS sessions are kept per origin: a new connection resumes the last one's session
--- http_config
    js_function_fetch_keepalive 0;
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_allow test.example;
        js_function_fetch_trusted_certificate $TEST_NGINX_CERT_DIR/test.crt;
        resolver 127.0.0.1:$TEST_NGINX_DNS_PORT ipv6=off;
    }
--- request
GET /t?times=3&url=https://test.example:$TEST_NGINX_TLS_PORT/
--- response_body_like eval
qr{^200 OK\|tls sni=test\.example c=(\d+) r=1 s=\.\n\n200 OK\|tls sni=test\.example c=(?!\1)\d+ r=1 s=r\n\n200 OK\|tls sni=test\.example c=\d+ r=1 s=r\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 37: js_function_fetch_max also bounds fetches that ctx.waitUntil() work starts after the response (counted per isolate)
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/later.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_max 1;
    }
--- user_files
>>> later.js
let results = 'none';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const one = (url) => fetch(url).then((r) => r.text(), (e) => `${e.name}: ${e.message}\n`);
export default {
    async fetch(request, env, ctx) {
        const url = new URL(request.url).searchParams.get('url');
        if (url) {
            ctx.waitUntil(sleep(100).then(() => Promise.all([one(url), one(url)]))
                .then((v) => { results = v.join(''); }));
            return new Response('started\n');
        }
        await sleep(2500);
        return new Response(results);
    }
};
--- request eval
["GET /t?url=http://127.0.0.1:$ENV{TEST_NGINX_BACKEND_PORT}/slow", "GET /t"]
--- response_body eval
["started\n", "slow slow slow!TypeError: too many fetches in flight for the function's work after its responses (js_function_fetch_max 1)\n"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 38: bytes after a response without a body (a 204, a length of 0) end the connection: they never answer the next fetch
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/smuggle/204&url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/count&url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/smuggle/200&url=http://127.0.0.1:$TEST_NGINX_BACKEND_PORT/count
--- response_body_like eval
qr{^204 X\|\n200 OK\|conn=\d+ req=1\n\n200 X\|\n200 OK\|conn=\d+ req=1\n\n\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 39: a body left unread for js_function_fetch_timeout fails and lets its connection go
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/unread.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_timeout 300ms;
    }
--- user_files
>>> unread.js
export default {
    async fetch(request) {
        const url = new URL(request.url).searchParams.get('url');
        const r = await fetch(url);
        await new Promise((resolve) => setTimeout(resolve, 700));
        return new Response(`${r.status}, body unread\n`);
    }
};
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/big.txt
--- response_body
200, body unread
--- error_log eval
qr/\[error\] .* fetch failed: the response body from 127\.0\.0\.1:\d+ was not read for 300 ms \(js_function_fetch_timeout\) while reading the response body, fetch: "http:\/\/127\.0\.0\.1:\d+\/big\.txt"/



=== TEST 40: a js_function_fetch_trusted_certificate that cannot be loaded fails the configuration
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/probe.js;
        js_function_fetch_trusted_certificate $TEST_NGINX_SERVER_ROOT/html/none.crt;
    }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*SSL_CTX_load_verify_locations\(".*\/none\.crt"\) failed/



=== TEST 41: the default js_function_fetch_max_response_size (1g) lets a 24 MB body stream through a function that reads it as it comes
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/count.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_memory 16m;
    }
--- user_files
>>> count.js
export default {
    async fetch(request) {
        const url = new URL(request.url).searchParams.get('url');
        const r = await fetch(url);
        let n = 0;
        for await (const chunk of r.body) n += chunk.length;
        return new Response(`${r.status} ${r.headers.get('content-length')} ${n}\n`);
    }
};
--- init
open(my $f, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/24m.bin") or die $!;
print $f ('x' x 1048576) for 1 .. 24;
close $f;
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/24m.bin
--- response_body
200 25165824 25165824
--- no_error_log
[error]
[alert]
[crit]



=== TEST 42: js_function_fetch_max_response_size 0: no bound
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/count.js;
        js_function_fetch_allow 127.0.0.1;
        js_function_fetch_max_response_size 0;
    }
--- user_files
>>> count.js
export default {
    async fetch(request) {
        const r = await fetch(new URL(request.url).searchParams.get('url'));
        let n = 0;
        for await (const chunk of r.body) n += chunk.length;
        return new Response(`${r.status} ${n}\n`);
    }
};
--- request
GET /t?url=http://127.0.0.1:$TEST_NGINX_NGX_PORT/big.txt
--- response_body
200 330000
--- no_error_log
[error]
[alert]
[crit]



=== TEST 43: a body larger than the head's buffer comes in pieces of up to 64 KB, not of js_function_fetch_max_header_size; chunked the same; bytes and order intact
--- config
    location /t {
        js_function $TEST_NGINX_SERVER_ROOT/html/pieces.js;
        js_function_fetch_allow 127.0.0.1;
    }
--- user_files
>>> pieces.js
export default {
    async fetch(request) {
        const url = new URL(request.url).searchParams.get('url');
        const r = await fetch(url);
        let n = 0, max = 0, sum = 0;
        for await (const chunk of r.body) {
            // every 61st byte of the body, wherever the pieces begin
            for (let i = (61 - n % 61) % 61; i < chunk.length; i += 61) sum = (sum * 31 + chunk[i]) % 1000003;
            n += chunk.length;
            if (chunk.length > max) max = chunk.length;
        }
        return new Response(`${r.headers.get('transfer-encoding') ?? 'length'} ${n} ${sum} ${max > 16384} ${max <= 65536}\n`);
    }
};
--- init
open(my $f, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/1m.bin") or die $!;
srand(7);
print $f join('', map { chr(int(rand(256))) } 1 .. 65536) for 1 .. 16;
close $f;
--- request eval
["GET /t?url=http://127.0.0.1:$ENV{TEST_NGINX_NGX_PORT}/1m.bin",
 "GET /t?url=http://127.0.0.1:$ENV{TEST_NGINX_NGX_PORT}/chunked/1m.bin"]
--- response_body eval
# the file --- init writes, made again here (this runs first)
srand(7);
my $data = join('', map { join('', map { chr(int(rand(256))) } 1 .. 65536) } 1 .. 16);
my $sum = 0;
for (my $i = 0; $i < length $data; $i += 61) { $sum = ($sum * 31 + ord(substr($data, $i, 1))) % 1000003; }
["length 1048576 $sum true true\n", "chunked 1048576 $sum true true\n"]
--- no_error_log
[error]
[alert]
[crit]
