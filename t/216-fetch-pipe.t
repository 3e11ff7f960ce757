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
