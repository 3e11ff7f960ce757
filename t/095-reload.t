# nginx -s reload (SIGHUP to the master) under continuous load loses no
# request: the new workers start V8 and their pools, the old ones finish
# what they hold.  A master and two workers, so in a file of its own.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();

master_on();
workers(2);

# One request on a new connection: "STATUS BODY", or "ERROR ...".
sub jsfn_http {
    my ($uri) = @_;
    my $raw = '';
    my $ok = eval {
        local $SIG{ALRM} = sub { die "timed out\n" };
        alarm 5;
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984)
            or die "connect: $!\n";
        print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
        $raw = do { local $/; <$s> } // '';
        close $s;
        alarm 0;
        1;
    };
    alarm 0;
    return "ERROR $@" unless $ok;
    return $raw =~ m{^HTTP/1\.[01] (\d{3})[^\r\n]*\r\n.*?\r\n\r\n(.*)\z}s
           ? "$1 $2" : "ERROR bad response: $raw";
}

# A child sends $n sequential requests over $seconds while this process
# sends SIGHUP to the master at each of @hups (seconds from the start).
# The outcome goes to html/result.txt for the block's request to check:
# "ok=N bad=N reloads=N errors_logged=N" (error.log lines at error level
# and above, the whole run), then the first failures if any.
sub jsfn_reload_under_load {
    my ($n, $seconds, @hups) = @_;
    my $root = $ENV{TEST_NGINX_SERVER_ROOT};
    my $result = "$root/html/result.txt";
    my $t0 = Time::HiRes::time();

    unlink $result;

    my $pid = fork;

    if (!defined $pid) {
        jsfn_write($result, "ERROR fork: $!\n");
        return;
    }

    if ($pid == 0) {
        my ($ok, $bad, @why) = (0, 0);

        for my $i (1 .. $n) {
            my $got = jsfn_http("/fn?i=$i");

            if ($got eq "200 hello $i") {
                $ok++;

            } else {
                $bad++;
                push @why, "request $i: $got" if @why < 3;
            }

            my $next = $t0 + $i * $seconds / $n - Time::HiRes::time();
            Time::HiRes::sleep($next) if $next > 0;
        }

        jsfn_write("$result.part", join "\n", "ok=$ok bad=$bad", @why);
        POSIX::_exit(0);
    }

    my $master = do {
        open my $in, '<', "$root/logs/nginx.pid";
        $in ? <$in> : undef;
    };
    chomp $master if defined $master;

    for my $at (@hups) {
        my $wait = $t0 + $at - Time::HiRes::time();
        Time::HiRes::sleep($wait) if $wait > 0;
        kill 'HUP', $master if $master;
    }

    waitpid $pid, 0;

    my $out = do { local $/; open my $in, '<', "$result.part"; $in ? <$in> : '' };
    my $log = do { local $/; open my $in, '<', "$root/logs/error.log"; $in ? <$in> : '' };
    my $reloads = () = $log =~ /\(SIGHUP\) received.*reconfiguring/g;
    my $errors = () = $log =~ /\[(?:error|alert|crit|emerg)\]/g;
    my ($counts, @why) = split /\n/, $out;

    jsfn_write($result, $counts
                        ? join "\n", "$counts reloads=$reloads errors_logged=$errors", @why
                        : "ERROR no result from the client");
}

sub jsfn_write {
    my ($file, $text) = @_;
    open my $out, '>', $file or return;
    print $out $text;
    close $out;
}

run_tests();

__DATA__

=== TEST 1: three reloads during 300 sequential requests: every one is answered by the function
--- config
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
--- user_files
>>> fn.js
export default {
    fetch(r) {
        return new Response('hello ' + new URL(r.url).searchParams.get('i'));
    }
};
--- init
main::jsfn_reload_under_load(300, 3, 0.5, 1.5, 2.5);
--- request eval
["GET /result.txt", "GET /fn?i=0"]
--- response_body eval
["ok=300 bad=0 reloads=3 errors_logged=0", "hello 0"]
--- no_error_log
[error]
[alert]
[crit]
