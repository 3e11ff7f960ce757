package Test::Nginx::Socket;

# A small re-implementation of OpenResty's Test::Nginx::Socket (CPAN), built on
# Debian's Test::Base. It follows the data format and behaviour described in
# /work/shared/TEST-NGINX.md, with a few deliberate differences (README.md):
# a free random port and a temporary server root per .t file, no 30 s start
# retries, per-request error-log windows, worker-crash detection, and the tail
# of error.log shown when a block fails.
#
# This file: the .t-facing functions, requests, responses, checks and the block
# runner. Test::Nginx::Util: settings, server root, nginx.conf, nginx processes.

use strict;
use warnings;
use v5.10.1;

use Test::Base ();    # __DATA__ parsing, filters, ONLY/SKIP/LAST
use Test::More ();
use Test::LongString ();
use Test::Nginx::Util;
use HTTP::Response ();
use IO::Socket::INET ();
use IO::Select ();
use Time::HiRes qw(sleep time);
use List::Util qw(shuffle min max);
use Scalar::Util qw(looks_like_number);
use Digest::MD5 ();
use Digest::SHA ();

our $VERSION = '0.01';

# Inheriting from Test::Base makes "use Test::Nginx::Socket 'no_plan'" go
# through Test::Base::import (plan arguments, strict+warnings for the .t file)
# and Spiffy's exporter, which exports our @EXPORT plus Test::Base's
# (plan, blocks, is, like, diag, ...).
our @ISA = ('Test::Base');
our @EXPORT = qw(
    env_to_nginx is_str run_tests repeat_each config_preamble
    worker_connections master_process_enabled no_long_string workers
    master_on master_off log_level no_shuffle no_root_location use_hup
    server_name server_addr server_root html_dir server_port
    server_port_for_client timeout no_nginx_manager check_accum_error_log
    add_block_preprocessor bail_out add_cleanup_handler add_response_body_check
);

# Prototypes give scalar context to block accessors passed as arguments (in
# list context a missing section would vanish from the argument list).
sub norm_pats ($$);
sub value_contains ($$);
sub get_indexed_value ($$$$);

#---------------------------------------------------------------------------
# Functions for the .t files

sub env_to_nginx (@) {
    die "env_to_nginx: no arguments specified\n" unless @_;
    for my $v (@_) {
        die "env_to_nginx: bad argument value: $v\n" if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}
sub repeat_each (@)            { $RepeatEach = shift if @_; $RepeatEach }
sub workers (@)                { $Workers = shift if @_; $Workers }
sub worker_connections (@)     { $WorkerConnections = shift if @_; $WorkerConnections }
sub log_level (@)              { $LogLevel = shift if @_; $LogLevel }
sub timeout (@)                { $Timeout = shift if @_; $Timeout }
sub server_name (@)            { $ServerName = shift if @_; $ServerName }
sub server_addr (@)            { $ServerAddr = shift if @_; $ServerAddr }
sub server_port (@)            { $ServerPort = shift if @_; $ServerPort }
sub server_port_for_client (@) { $ServerPortForClient = shift if @_; $ServerPortForClient }
sub master_process_enabled (@) { $MasterProcessEnabled = shift() ? 'on' : 'off' if @_; $MasterProcessEnabled }
sub master_on ()               { $MasterProcessEnabled = 'on' }
sub master_off ()              { $MasterProcessEnabled = 'off' }
sub no_shuffle ()              { $NoShuffle = 1 }
sub no_root_location ()        { $NoRootLocation = 1 }
sub no_long_string ()          { $NoLongString = 1 }
sub check_accum_error_log ()   { $CheckAccumErrLog = 1 }
sub config_preamble ($)        { $ConfigPreamble = shift }
sub html_dir ()                { $HtmlDir }
sub server_root ()             { $ServRoot }
sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }
sub add_cleanup_handler ($)    { unshift @CleanupHandlers, shift }
sub add_response_body_check ($) { push @ResponseBodyChecks, shift }
sub use_hup ()          { warn "WARNING: use_hup() is not supported by this harness; ignored\n" }
sub no_nginx_manager () { warn "WARNING: no_nginx_manager() is not supported by this harness; ignored\n" }

sub is_str (@) {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return Test::More::like($got, $expected, $desc) if ref $expected eq 'Regexp';
    return Test::More::is($got, $expected, $desc) if $NoLongString;
    return Test::LongString::is_string($got, $expected, $desc);
}

#---------------------------------------------------------------------------
# Small helpers

sub n_failed { scalar grep { !$_ } Test::More->builder->summary }

sub fmt_str ($) {
    my $s = shift;
    chomp $s;
    $s =~ s/"/\\"/g; $s =~ s/\r/\\r/g; $s =~ s/\n/\\n/g;
    $s;
}

sub trim ($) {
    my $s = shift;
    return undef unless defined $s;
    $s =~ s/^\s+|\s+$//g; $s =~ s/\n/ /gs; $s =~ s/\s{2,}/ /gs;
    $s;
}

#---------------------------------------------------------------------------
# Requests

sub parse_more_headers {
    my ($out, $chunked) = ('', 0);
    for my $h (split /\n+/, shift) {
        next if $h =~ /^\s*#/;
        my ($key, $val) = split /:\s*/, $h, 2;
        $val //= '';
        $chunked = 1 if lc $key eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }
    return ($out, $chunked);
}

# "METHOD [URI [HTTP/x.y]]\n[body]" given as packets -> the full request (with
# Host, Connection and Content-Length added) split at the same places.
sub build_request {
    my ($name, $hdrs, $chunked, $conn, $packets) = @_;
    my $raw = join '', map { $_ // '' } @$packets;
    my $nl = index $raw, "\n";
    my ($first, $content) = $nl < 0 ? ($raw, '') : (substr($raw, 0, $nl + 1), substr($raw, $nl + 1));
    my ($meth, $url, $ver) = $first =~ m{^\s*(\S+)(?: +(\S+))?(?: +(\S+))?\s*$};
    return fail($raw =~ /\S/ ? "$name - Request line is not valid. Should be 'meth [url [version]]' but got \"$first\"."
                             : "$name - Request line should be non-empty") unless defined $meth;
    my ($len_hdr, $lead) = ('', 0);
    if (!$chunked && $content ne '' && $hdrs !~ /(?:^|\n)Content-Length:/) {
        $lead = length(($content =~ /^(\s*)/)[0]);
        $content =~ s/^\s+|\s+$//gs;    # the body is trimmed, as in the real one
        $len_hdr = "Content-Length: " . length($content) . "\r\n";
    }
    $hdrs =~ s/(?<!\r)\n/\r\n/g;
    my $line = "$meth " . ($url // '/') . ' ' . ($ver // 'HTTP/1.1') . "\r\n";
    my $head = $line;
    $head .= "Host: $ServerName\r\n" if $hdrs !~ /(?:^|\n)Host:/i;
    $head .= "Connection: $conn\r\n" if $hdrs !~ /(?:^|\n)Connection/i;
    $head .= "$hdrs$len_hdr\r\n";
    my $req = $head . $content;
    return [$req] if @$packets <= 1;

    my ($pos, $from, @out) = (0, 0);    # map the packet boundaries onto $req
    for my $p (@$packets[0 .. $#$packets - 1]) {
        $pos += length($p // '');
        my $to = $pos < length $first ? min($pos, length($line) - 2)
               : length($head) + max(0, min($pos - length($first) - $lead, length $content));
        $to = $from if $to < $from;
        push @out, substr($req, $from, $to - $from);
        $from = $to;
    }
    return [@out, substr($req, $from)];
}

# The block's requests: a list of requests, each a list of packets
# {value, delay_before}. Returns undef (after failing) on errors.
sub get_req_from_block {
    my ($block) = @_;
    my $name = $block->name;
    if (defined(my $raw = $block->raw_request)) {
        $raw = expand_deep($raw, $name);
        return [ref $raw eq 'ARRAY' ? [map { { value => $_ } } @$raw] : [{ value => $raw }]];
    }
    my $request;
    if (defined $block->request_eval) {
        Test::More::diag("$name - request_eval DEPRECATED. Use request eval instead.");
        $request = eval $block->request_eval;
        warn $@ if $@;
    } elsif (defined($request = $block->request) && !ref $request) {
        1 while $request =~ s/^\s*\#[^\n]+\s+|^\s+//gs;    # leading comments/blank lines
    }
    $request = expand_deep($request, $name);
    my $more = expand_deep($block->more_headers // '', $name);
    my $hdrs_for = sub {    # more_headers may be an array: one entry per request
        my $m = ref $more eq 'ARRAY' ? $more->[$_[0]] : $more;
        fail("$name - --- more_headers lacks data for request $_[0]") unless defined $m;
        return parse_more_headers($m // '');
    };

    if (my $pl = $block->pipelined_requests) {
        return fail("$name - invalid entries in --- pipelined_requests") if ref $pl ne 'ARRAY';
        $pl = expand_deep($pl, $name);
        my $all = '';
        for my $i (0 .. $#$pl) {
            my $r = build_request($name, $hdrs_for->($i), $i == $#$pl ? 'close' : 'keep-alive', [$pl->[$i]])
                or return undef;
            $all .= $r->[0];
        }
        return [[{ value => $all }]];
    }
    return fail("$name - request empty") unless defined $request;
    return fail("$name - invalid --- request: MUST be string or array of requests")
        if ref $request && ref $request ne 'ARRAY';
    my @reqs;
    my @list = ref $request ? @$request : ($request);
    for my $i (0 .. $#list) {    # each request: a string or an array of packets
        my @packets = ref $list[$i] eq 'ARRAY' ? @{ $list[$i] } : ($list[$i]);
        my $r = build_request($name, $hdrs_for->($i), 'close',
                              [map { ref $_ eq 'HASH' ? $_->{value} : $_ } @packets]) or return undef;
        push @reqs, [map { +{ (ref $packets[$_] eq 'HASH' ? %{ $packets[$_] } : ()), value => $r->[$_] } }
                     0 .. $#$r];
    }
    return \@reqs;
}

# Sends one request (a list of packets) on a fresh connection and reads until
# the server closes it. The timeout applies to each wait on the socket.
sub send_request {
    my ($block, $packets, $timeout) = @_;
    my $name = $block->name;
    my $middle_delay = parse_time($block->raw_request_middle_delay);
    local $SIG{PIPE} = 'IGNORE';
    my $sock;
    for my $try (1 .. 5) {
        last if $sock = IO::Socket::INET->new(PeerAddr => $ServerAddr, PeerPort => $ServerPortForClient,
                                              Proto => 'tcp', Timeout => $timeout);
        sleep 0.05 * $try;
    }
    if (!$sock) {
        fail("$name - Can't connect to $ServerAddr:$ServerPortForClient: $! (aborted)\n");
        return '';
    }
    $sock->blocking(0);
    my @queue = @$packets;
    my ($buf, $off, $resp, $reading, $writing) = ((shift @queue)->{value} // '', 0, '', 1, 1);
    my $sel = IO::Select->new($sock);
    while ($reading) {
        my ($r, $w) = IO::Select->select($sel, $writing ? $sel : undef, undef, $timeout);
        if (!$r && !$w) {
            fail("ERROR: client socket timed out - $name\n") unless defined $block->abort;
            last;
        }
        while ($writing && $w && @$w) {
            if ($off < length $buf) {
                my $n = syswrite($sock, $buf, length($buf) - $off, $off);
                $off += $n, next if defined $n;
                last if $!{EAGAIN} || $!{EWOULDBLOCK};
                warn "WARNING: $name - write failed: $!\n";
                $writing = 0;
            } elsif (my $next = shift @queue) {
                my $delay = parse_time($next->{delay_before}) // $middle_delay;
                sleep $delay if $delay;
                ($buf, $off) = ($next->{value} // '', 0);
            } else {    # all sent
                $writing = 0;
                my $how = $block->shutdown;
                shutdown($sock, $how =~ /^\s*$/ ? 1 : $how) if defined $how;
            }
        }
        while ($r && @$r) {
            my $n = sysread($sock, my $chunk, 65536);
            $resp .= $chunk, next if $n;
            last if !defined $n && ($!{EAGAIN} || $!{EWOULDBLOCK});
            warn "WARNING: $name - HTTP response read failure: $!\n" unless defined $n;
            $reading = 0;
            last;
        }
    }
    close $sock;
    warn "!!! resp: [$resp]\n" if $Verbose;
    return $resp;
}

# Returns (HTTP::Response, raw header block, bytes after this response).
sub parse_response {
    my ($name, $raw, $head_req) = @_;
    my $raw_headers = $raw =~ /^(.*?\r\n)\r\n/s ? $1 : '';
    my $res = HTTP::Response->parse($raw);
    my $code = $res->code;
    if (defined $code && $code !~ /^\d+$/) { $res->code(undef); undef $code }
    return ($res, $raw_headers) if $code && ($code == 304 || $code == 101);
    my $body = $res->content // '';
    if ($head_req || ($code && $code == 204)) {    # no body: the rest is the next response
        $res->content('');
        return ($res, $raw_headers, length $body ? $body : undef);
    }
    my ($enc, $len, $left) = (scalar $res->header('Transfer-Encoding'), scalar $res->header('Content-Length'));
    if (defined $enc && $enc eq 'chunked') {    # de-chunk
        my ($decoded, $err) = ('');
        while (!$err && $body !~ /\G 0 [\ \t]* \r\n \r\n /gcx) {
            if ($body !~ /\G [\ \t]* ([A-Fa-f0-9]+) [\ \t]* \r\n /gcx) {
                $err = $body =~ /\G(.+)/gcs ? "invalid chunked body received: $1" : "no last chunk found - $body";
            } elsif (length($body) - pos($body) < hex $1) {
                $err = "invalid chunked data received (not enought octets for the data section)";
            } else {
                $decoded .= substr($body, pos($body), hex $1);
                pos($body) += hex $1;
                $err = "invalid chunked data received (expected CRLF)." if $body !~ /\G\r\n/gc;
            }
        }
        fail("$name - $err"), return ($res, $raw_headers) if $err;
        $left = $1 if $body =~ /\G(.+)/gcs;
        $res->content($decoded);
    } elsif (defined $len && $len =~ /^\d+$/) {
        if (length $body < $len) {
            warn "WARNING: $name - response body truncated: $len expected, but got ", length $body, "\n";
        } elsif (length $body > $len) {
            $left = substr $body, $len;
            $res->content(substr $body, 0, $len);
        }
    }
    return ($res, $raw_headers, $left);
}

#---------------------------------------------------------------------------
# Response checks

# The expectation for request $idx: arrays are indexed when a block sends
# several requests (eval array, pipelined_requests).
sub get_indexed_value ($$$$) {
    my ($name, $value, $idx, $need_array) = @_;
    return $value->[$need_array ? $idx : 0] if ref $value eq 'ARRAY';
    fail("$name - You asked for many requests, the expected results should be arrays as well.") if $need_array;
    return $value;
}

sub subst_ports {
    my ($v, $name) = @_;
    return $v if !defined $v || ref $v;
    $v =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
    $v =~ s/\$ServerPort\b/$ServerPort/g;
    return expand_env($v, $name);
}

sub parse_headers {    # "Name: value" -> [Name, value]; "!Name" -> [Name, undef]
    my @h;
    for my $line (split /\n/, shift // '') {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '';
        push @h, $line =~ s/^!\s*// ? [$line, undef] : do { my ($k, $v) = split /\s*:\s*/, $line, 2; [$k, $v // ''] };
    }
    return @h;
}

sub check_response {
    my ($block, $res, $raw_headers, $idx, $rep, $need_array) = @_;
    my $name = $block->name;
    my $code = ($res && $res->code) || '';
    $raw_headers //= '';

    if (defined $block->error_code_like) {
        my $re = get_indexed_value($name, $block->error_code_like, $idx, $need_array);
        Test::More::like($code, qr/$re/sm, "$name - status code ok");
    } else {
        my $exp = defined $block->error_code ? get_indexed_value($name, $block->error_code, $idx, $need_array) : 200;
        Test::More::is($code, $exp, "$name - status code ok");
    }

    for my $kind (qw(like unlike)) {
        my $v = $block->${\"raw_response_headers_$kind"};
        next unless defined $v;
        my $re = subst_ports(get_indexed_value($name, $v, $idx, $need_array), $name);
        my $check = $kind eq 'like' ? \&Test::More::like : \&Test::More::unlike;
        $check->($raw_headers, qr/$re/s, "$name - raw resp headers $kind");
    }

    if (defined $block->response_headers) {    # (response_headers_like is then ignored, as in the real one)
        for my $h (parse_headers(get_indexed_value($name, $block->response_headers, $idx, $need_array))) {
            my ($key, $val) = @$h;
            if (defined $val) {
                Test::More::is(($res ? $res->header($key) : undef) // '', subst_ports($val, $name),
                               "$name - header $key ok");
            } else {
                Test::More::unlike($raw_headers, qr/^\s*\Q$key\E\s*:/mi,
                                   "$name - header $key not present in the raw headers");
            }
        }
    } elsif (defined $block->response_headers_like) {
        for my $h (parse_headers(get_indexed_value($name, $block->response_headers_like, $idx, $need_array))) {
            my ($key, $val) = ($h->[0], subst_ports($h->[1] // '', $name));
            Test::More::like(($res ? $res->header($key) : undef) // '', qr/^$val$/, "$name - header $key like ok");
        }
    }

    transform_response_body($block, $res, $idx);
    my $content = $res ? $res->content : undef;

    if (defined $block->response_body || defined $block->response_body_eval) {
        my $expected;
        if ($block->response_body_eval) {
            Test::More::diag("$name - response_body_eval is DEPRECATED. Use response_body eval instead.");
            $expected = eval get_indexed_value($name, $block->response_body_eval, $idx, $need_array);
            warn $@ if $@;
        } else {
            $expected = get_indexed_value($name, $block->response_body, $idx, $need_array);
        }
        $expected = subst_ports($expected, $name);
        if (ref $expected) {
            Test::More::like($content, $expected, "$name - response_body - like (repeated req $rep, req $idx)");
        } else {
            is_str($content, $expected, "$name - response_body - response is expected (repeated req $rep, req $idx)");
        }
    } elsif (defined $block->response_body_like || defined $block->response_body_unlike) {
        my $type = defined $block->response_body_like ? 'like' : 'unlike';
        my $pat = subst_ports(get_indexed_value($name, $block->${\"response_body_$type"}, $idx, $need_array), $name);
        my $check = $type eq 'like' ? \&Test::More::like : \&Test::More::unlike;
        $check->($content, qr/$pat/s, "$name - response_body_$type - response is expected (" . (trim($content) // '') . ")");
    }
    $_->($block, $content, $idx, $rep, 0) for @ResponseBodyChecks;
}

# --- response_body_filters: uc lc ucfirst lcfirst length md5_hex sha1_hex or
# code refs, applied to the body before the body checks.
sub transform_response_body {
    my ($block, $res, $idx) = @_;
    my $filters = $block->response_body_filters;
    return unless defined $filters && $res && defined $res->content;
    $filters = !ref $filters ? [grep { length } split /\s+/, $filters] : ref $filters eq 'ARRAY' ? $filters : [$filters];
    $filters = $filters->[$idx] // [] if ref $filters->[0] eq 'ARRAY';
    my %builtin = (md5_hex => \&Digest::MD5::md5_hex, sha1_hex => \&Digest::SHA::sha1_hex,
                   uc => sub { uc $_[0] }, lc => sub { lc $_[0] }, ucfirst => sub { ucfirst $_[0] },
                   lcfirst => sub { lcfirst $_[0] }, length => sub { length $_[0] });
    my $content = $res->content;
    for my $f (@$filters) {
        my $code = ref $f eq 'CODE' ? $f : $builtin{$f}
            or fail($block->name . " - unknown filter, \"$f\", specified in the --- response_body_filters section"), next;
        $content = $code->($content);
    }
    $res->content($content);
}

#---------------------------------------------------------------------------
# Log checks

# pattern lists: a string (one substring per line), a qr//, or an array of both
sub norm_pats ($$) {
    my ($pats, $name) = @_;
    return [] unless defined $pats;
    return [$pats] if ref $pats eq 'Regexp';
    if (!ref $pats) { chomp $pats; $pats = [split /\n+/, $pats] }
    return [map { expand_env($_, $name) } @$pats];
}

sub line_matches { my ($line, $pat) = @_; ref $pat ? $line =~ $pat : index($line, $pat) >= 0 }

sub value_contains ($$) {
    my ($val, $str) = @_;
    return 0 unless defined $val;
    return index("$val", $str) >= 0 unless ref $val eq 'ARRAY';
    return scalar grep { value_contains($_, $str) } @$val;
}

sub check_must_match {
    my ($name, $lines, $pats, $log, $sfx) = @_;
    for my $pat (grep { defined } @$pats) {
        if (grep { line_matches($_, $pat) } @$lines) {
            Test::More::pass("$name - pattern \"$pat\" matches a line in $log$sfx");
        } else {
            fail("$name - pattern \"$pat\" should match a line in $log$sfx");
        }
    }
}

sub check_must_not_match {
    my ($name, $lines, $pats, $log, $sfx, $no_context) = @_;
    for my $pat (grep { defined } @$pats) {
        my ($i) = grep { line_matches($lines->[$_], $pat) } 0 .. $#$lines;
        my $p = fmt_str($pat);
        if (!defined $i) {
            Test::More::pass("$name - pattern \"$p\" does not match a line in $log$sfx");
            next;
        }
        my $ln = fmt_str($lines->[$i]);
        my $more = $no_context ? '' : "\n" . join '', @$lines[$i + 1 .. min($i + 9, $#$lines)];
        fail("$name - pattern \"$p\" should not match any line in $log but matches line \"$ln\"$sfx$more");
    }
}

sub read_log_from {    # -> (lines from byte offset $pos to the end, end offset)
    my ($file, $pos) = @_;
    open my $in, '<', $file or return ([], $pos);
    seek $in, $pos, 0 if $pos;
    my @lines = <$in>;
    my $end = tell $in;
    close $in;
    return (\@lines, $end);
}

# error.log lines written since the current request was sent (or since the
# previous check of it), or the whole log with check_accum_error_log().
sub error_log_data {
    sleep $LogSleep;
    my ($lines, $end) = read_log_from($ErrLogFile, $CheckAccumErrLog ? 0 : $ErrLogPos);
    $ErrLogPos = $end unless $CheckAccumErrLog;
    return $lines;
}

sub mark_error_log { $ErrLogPos = (-s $ErrLogFile) || 0 unless $CheckAccumErrLog }

sub check_error_log {
    my ($block, $rep) = @_;
    my $name = $block->name;
    my $lines = error_log_data();
    my $sfx = " (req $rep)";

    my ($grep_pat, $grep_out) = (scalar $block->grep_error_log, scalar $block->grep_error_log_out);
    if (defined $grep_pat) {
        $grep_pat = $grep_pat->[$rep] if ref $grep_pat eq 'ARRAY';
        $grep_out = $grep_out->[$rep] if ref $grep_out eq 'ARRAY';
        if (!defined $grep_out) {
            fail("$name - No --- grep_error_log_out defined but --- grep_error_log is defined");
        } else {
            $grep_pat = expand_env($grep_pat, $name);
            my $out = '';
            for my $line (@$lines) {    # every match, one per line
                next unless ref $grep_pat ? $line =~ $grep_pat : $line =~ /\Q$grep_pat\E/;
                my $m = substr($line, $-[0], $+[0] - $-[0]);
                $out .= "$m\n" if $m !~ /\n/;
            }
            is_str($out, expand_env($grep_out, $name), "$name - grep_error_log_out$sfx");
        }
    } elsif (defined $grep_out) {
        fail("$name - No --- grep_error_log defined but --- grep_error_log_out is defined");
    }

    check_must_match($name, $lines, norm_pats($block->error_log, $name), 'error.log', $sfx)
        if defined $block->error_log;
    check_must_not_match($name, $lines, norm_pats($block->no_error_log, $name), 'error.log', $sfx)
        if defined $block->no_error_log;

    for my $lvl (qw(alert crit emerg)) {    # as in the real one: only warnings
        next if value_contains($block->error_log, "[$lvl") || value_contains($block->no_error_log, "[$lvl");
        warn "WARNING: $name - ", fmt_str($_), "\n" for grep { /\[$lvl\]/ } @$lines;
    }
}

sub check_access_log {
    my ($block, $rep) = @_;
    return if !defined $block->access_log && !defined $block->no_access_log;
    my $name = $block->name;
    sleep $LogSleep;
    my ($lines) = read_log_from($AccLogFile, 0);
    check_must_match($name, $lines, norm_pats($block->access_log, $name), 'access.log', " (req $rep)")
        if defined $block->access_log;
    check_must_not_match($name, $lines, norm_pats($block->no_access_log, $name), 'access.log', " (req $rep)")
        if defined $block->no_access_log;
}

# A worker crash ("exited on signal") or a failed assertion must never pass
# silently: fail the block even without a --- no_error_log for it.
sub check_crashes {
    my ($name, $when) = @_;
    (my $lines, $CrashScanPos) = read_log_from($ErrLogFile, $CrashScanPos);
    for my $line (grep { /exited on signal|\bAssertion .*failed/ } @$lines) {
        chomp $line;
        fail("$name - nginx crashed$when: $line");
    }
}

sub diag_error_log_tail {
    my ($name) = @_;
    open my $in, '<', $ErrLogFile or return;
    my @lines = <$in>;
    my $n = min(60, scalar @lines) or return;
    Test::More::diag("$name - last $n lines of $ErrLogFile:\n" . join '', @lines[-$n .. -1]);
}

# Once nginx is stopped: shutdown checks of the last block run against it, and
# crashes while shutting down.
sub after_stop {
    my $block = $LastRunBlock or return;
    undef $LastRunBlock;
    my ($name, $failed) = ($block->name, n_failed());
    if (defined $block->shutdown_error_log || defined $block->no_shutdown_error_log) {
        my $lines = error_log_data();
        check_must_match($name, $lines, norm_pats($block->shutdown_error_log, $name), 'error.log', '')
            if defined $block->shutdown_error_log;
        check_must_not_match($name, $lines, norm_pats($block->no_shutdown_error_log, $name), 'error.log', '', 1)
            if defined $block->no_shutdown_error_log;
    }
    check_crashes($name, ' while shutting down');
    diag_error_log_tail($name) if n_failed() > $failed;
}

#---------------------------------------------------------------------------
# Running the blocks

sub run_tests () {
    $NginxVersion = get_nginx_version();
    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $NoShuffle;
    for my $block (@blocks) {
        $_->($block) for @BlockPreprocessors;
        $block->set_value(name => "$0 " . $block->name);
        run_block($block);
    }
    if (!$NoClean) {
        stop_nginx('END');
        after_stop();
        return;
    }
    if (my $b = $LastRunBlock) {    # shutdown checks are skipped, as in the real one
        my $n = @{ norm_pats($b->shutdown_error_log, '') } + @{ norm_pats($b->no_shutdown_error_log, '') };
        SKIP: { Test::More::skip($b->name . " - shutdown_error_log - tests skipped due to TEST_NGINX_NO_CLEAN", $n) if $n }
    }
    Test::More::diag("TEST_NGINX_NO_CLEAN: nginx left running on port $ServerPort, server root $ServRoot");
}

sub run_block {
    my ($block) = @_;
    my $name = $block->name;
    my $failed = n_failed();
    %RandPorts = ();

    for my $s (qw(tcp_listen udp_listen http2 http3)) {    # fail loudly rather than ignore
        return fail("$name - --- $s is not supported by this harness (see t/lib/README.md)") if defined $block->$s;
    }
    my ($n, $reason, $todo) = skip_spec($block);
    if (defined $n) {    # skip_nginx / skip_eval / todo: N skipped tests per repeat
        for (1 .. $RepeatEach) {
            if ($todo) { TODO: { Test::More::todo_skip("$name - $reason", $n) } }
            else       { SKIP: { Test::More::skip("$name - $reason", $n) } }
        }
        return;
    }

    my $config = expand_env($block->config, $name);
    if (defined $block->must_die) {
        run_must_die($block, $config);
    } elsif (prepare_nginx($block, $config) && run_init($block)) {
        $LastRunBlock = $block;
        for my $rep (0 .. $RepeatEach - 1) {
            write_user_files($block) if $rep > 0;
            run_requests($block, $rep);
        }
        check_crashes($name, '');
        if ($NginxPid && !pid_alive($NginxPid)) {
            fail("$name - nginx (pid $NginxPid) is gone: it crashed or exited");
            undef $NginxPid;
        }
    }
    diag_error_log_tail($name) if n_failed() > $failed;

    if ($ENV{TEST_NGINX_ERROR_LOG} && -s $ErrLogFile && open my $out, '>>', $ENV{TEST_NGINX_ERROR_LOG}) {
        print $out "\n=== $0 $name\n", slurp($ErrLogFile);    # all the blocks' logs in one file
    }
}

# -> (number of tests to skip, reason, todo?) or an empty list
sub skip_spec {
    my ($block) = @_;
    my $name = $block->name;
    if (defined(my $s = $block->skip_nginx)) {
        return (0, fail("$name - Invalid --- skip_nginx spec: $s"))
            if $s !~ /^\s*(\d+)\s*:\s*([<>]=?)\s*(\d+)\.(\d+)\.(\d+)(?:\s*:\s*(.*?))?\s*$/;
        my ($n, $op, $reason, $ver) = ($1, $2, $6 || "nginx version $2 $3.$4.$5", sprintf("%d.%03d%03d", $3, $4, $5));
        return ($n, $reason) if defined $NginxVersion ? eval "$NginxVersion $op $ver" : $op =~ /^</;
    }
    if (defined(my $s = $block->skip_eval)) {
        if ($s =~ /^\s*(\d+)\s*:\s*(.*)/s) {
            my ($n, $code) = ($1, $2);
            my $skip = eval "package main; $code";
            fail("$name - skip_eval - failed to eval the Perl code \"$code\": $@") if $@;
            return ($n, 'skip_eval') if $skip;
        }
    }
    if (defined(my $s = $block->todo)) {
        return ($1, $2, 1) if $s =~ /^\s*(\d+)\s*:\s*(.*)/s;
        fail("$name - Invalid --- todo spec: $s");
    }
    return;
}

# A block with --- config gets a fresh server root and nginx; one without
# reuses the previous block's nginx.
sub prepare_nginx {
    my ($block, $config) = @_;
    my $name = $block->name;
    if (!defined $config) {
        return fail("$name - No '--- config' section specified and could not get previous one")
            unless defined $PrevConfig;
        write_user_files($block);
        return 1 if $NginxPid && pid_alive($NginxPid);
        return fail("$name - no --- config and the previous block's nginx is not running");
    }
    stop_nginx($name);
    after_stop();
    setup_server_root();
    write_user_files($block);
    write_config_file($block, $config);
    $PrevConfig = $config;
    return start_nginx($block);
}

sub run_init {
    my ($block) = @_;
    my $init = $block->init or return 1;
    ref $init eq 'CODE' ? eval { $init->() } : eval "package main; $init";
    return $@ ? fail($block->name . " - init failed: $@") : 1;
}

# --- must_die: nginx must refuse to start; then only the error log is checked.
sub run_must_die {
    my ($block, $config) = @_;
    my ($name, $must_die) = ($block->name, scalar $block->must_die);
    stop_nginx($name);
    after_stop();
    setup_server_root();
    write_user_files($block);
    write_config_file($block, $config // '');
    $PrevConfig = $config // '';
    for my $rep (0 .. $RepeatEach - 1) {
        mark_error_log();
        my ($status, $stderr, $exec_failed) = run_nginx_cmd();
        warn $stderr if $stderr ne '' && !defined $block->suppress_stderr;
        if ($exec_failed) {
            fail("$name - failed to execute the nginx command line");
        } elsif ($status & 127) {
            fail("$name - nginx crashed (" . describe_status($status) . ")");
        } elsif (looks_like_number($must_die)) {
            Test::More::is($status >> 8, $must_die, "$name - die with the expected exit code");
        } else {
            Test::More::isnt($status, 0, "$name - die as expected");
        }
        check_error_log($block, $rep);
        next unless $status == 0;
        warn "WARNING: $name - nginx must die but it does not; killing it (req $rep)\n";
        for (1 .. 100) { last if read_pid_file(); sleep 0.01 }
        stop_nginx($name);
    }
}

sub run_requests {
    my ($block, $rep) = @_;
    my $name = $block->name;
    my $reqs = get_req_from_block($block) or return;
    my $timeout = parse_time($block->timeout) // $Timeout;
    my $pipelined = $block->pipelined_requests;
    my $need_array = $pipelined ? 1 : @$reqs > 1;
    my $wait = parse_time($block->wait);
    my $idx = 0;    # index of the response in the block

    for my $i (0 .. $#$reqs) {
        mark_error_log();
        # which of the responses answer a HEAD request (and so have no body)
        my @head = map { /^\s*HEAD\s+/ ? 1 : 0 }
                   $pipelined ? @$pipelined : join '', map { $_->{value} } @{ $reqs->[$i] };
        my $raw = send_request($block, $reqs->[$i], $timeout);
        for my $k (0 .. $#head) {
            my $left;
            if (!defined $block->ignore_response) {
                my ($res, $raw_headers);
                if (defined $block->http09) {
                    ($res, $raw_headers) = (HTTP::Response->new(200, 'OK', [], $raw), '');
                } else {
                    ($res, $raw_headers, $left) = parse_response($name, $raw, $head[$k]);
                }
                check_response($block, $res, $raw_headers, $idx, $rep, $need_array);
            }
            if (!$pipelined && defined $left && length $left) {
                (my $l = $left) =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
                warn "WARNING: $name - unexpected extra bytes after last chunk in response: \"$l\"\n";
            }
            $raw = $left // '';
            $idx++;
            last if $i == $#$reqs && $k == $#head;    # the last response: checked below
            sleep $wait if $wait;
            check_error_log($block, $rep);
            check_access_log($block, $rep) unless defined $block->ignore_response;
        }
    }
    sleep $wait if $wait;
    check_error_log($block, $rep);
    check_access_log($block, $rep) unless defined $block->ignore_response;
}

1;
