package Test::Nginx::Util;

# The environment side of the Test::Nginx::Socket re-implementation (see
# Socket.pm and README.md): settings from TEST_NGINX_* variables, the port and
# server root of this .t file, nginx.conf and user files, and starting and
# stopping nginx.

use strict;
use warnings;
use v5.10.1;

use Test::More ();
use IO::Socket::INET ();
use POSIX qw(WNOHANG SIGQUIT SIGTERM SIGKILL);
use Time::HiRes qw(sleep time);
use File::Path qw(make_path remove_tree);
use File::Spec ();
use File::Temp ();
use List::Util qw(min);

use base 'Exporter';
our @EXPORT = qw(
    $NginxBinary $LoadModules $NoShuffle $LogLevel $MasterProcessEnabled $Timeout
    $CheckAccumErrLog $Verbose $NoClean $RepeatEach $Workers $WorkerConnections
    $NoRootLocation $NoLongString $ConfigPreamble $ServerName $ServerAddr $LogSleep
    @EnvToNginx @BlockPreprocessors @CleanupHandlers @ResponseBodyChecks
    $ServerPort $ServerPortForClient $ServRoot $LogDir $HtmlDir $ConfDir $ErrLogFile
    $AccLogFile $PidFile $ConfFile $NginxVersion $NginxRawVersion $PrevConfig $NginxPid
    $LastRunBlock $ErrLogPos $CrashScanPos %RandPorts
    slurp fail parse_time expand_env expand_deep get_nginx_version bail_out cleanup
    pid_alive read_pid_file run_nginx_cmd describe_status start_nginx stop_nginx
    setup_server_root write_user_files write_config_file
);

sub expand_env ($$);
sub parse_time ($);

#---------------------------------------------------------------------------
# Settings (the real harness's environment variables)

our $NginxBinary          = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $LoadModules          = $ENV{TEST_NGINX_LOAD_MODULES} // '';
our $NoShuffle            = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $LogLevel             = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $Timeout              = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $CheckAccumErrLog     = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG} || 0;
our $Verbose              = $ENV{TEST_NGINX_VERBOSE};
our $NoClean              = $ENV{TEST_NGINX_NO_CLEAN};
our ($RepeatEach, $Workers, $WorkerConnections) = (1, 1, 64);
our ($NoRootLocation, $NoLongString, $ConfigPreamble) = (0, 0, '');
our ($ServerName, $ServerAddr) = ('localhost', '127.0.0.1');
our $LogSleep = 0.015;    # give nginx a moment to finish writing logs
our (@EnvToNginx, @BlockPreprocessors, @CleanupHandlers, @ResponseBodyChecks);

# A free random port per .t file (so "prove -jN" just works), unless a fixed
# one is given explicitly and TEST_NGINX_RANDOMIZE is not set.
my $fixed = !$ENV{TEST_NGINX_RANDOMIZE};
our $ServerPort = ($fixed && ($ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT}))
    || gen_rand_port({}) || die "Test::Nginx::Socket: cannot find a free port\n";
our $ServerPortForClient = ($fixed && $ENV{TEST_NGINX_CLIENT_PORT}) || $ServerPort;

# A private temporary server root per .t file (removed at the end unless
# TEST_NGINX_NO_CLEAN=1), or TEST_NGINX_SERVROOT if given explicitly.
our ($ServRoot, $OwnServRoot);
if ($fixed && $ENV{TEST_NGINX_SERVROOT}) {
    $ServRoot = File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT});
} else {
    (my $base = $0) =~ s{.*/}{};
    $base =~ s/[^\w.-]+/_/g;
    $ServRoot = File::Temp::tempdir("tnginx-$base-XXXXXX", TMPDIR => 1);
    $OwnServRoot = 1;
}
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;
$ENV{TEST_NGINX_SERVER_PORT} = $ServerPort;

our ($LogDir, $HtmlDir, $ConfDir) = ("$ServRoot/logs", "$ServRoot/html", "$ServRoot/conf");
our ($ErrLogFile, $AccLogFile, $PidFile) = ("$LogDir/error.log", "$LogDir/access.log", "$LogDir/nginx.pid");
our $ConfFile = "$ConfDir/nginx.conf";

# Run-time state
our $MainPid = $$;
our ($NginxVersion, $NginxRawVersion, $PrevConfig, $NginxPid, $LastRunBlock);
our $ErrLogPos    = 0;    # error.log offset where the next error-log check starts
our $CrashScanPos = 0;    # error.log offset up to which crashes were looked for
our %RandPorts;           # $TEST_NGINX_RAND_PORT_N values of the current block

enable_subreaper();
for my $sig (qw(INT TERM HUP)) {    # so that END still stops nginx
    $SIG{$sig} = sub { exit 130 } if !$SIG{$sig} || $SIG{$sig} eq 'DEFAULT';
}

#---------------------------------------------------------------------------
# Helpers

sub slurp { my $f = shift; open my $in, '<', $f or return undef; local $/; scalar <$in> }
sub fail { local $Test::Builder::Level = $Test::Builder::Level + 1; Test::More::fail(shift); 0 }

sub parse_time ($) {    # "1.5", "2s", "50ms" -> seconds
    my $tm = shift;
    return undef unless defined $tm;
    return $1 / 1000 if $tm =~ /^\s*([\d.]+)\s*ms\s*$/;
    return $tm =~ /^\s*([\d.]+)\s*s?\s*$/ ? $1 : $tm;
}

# A free TCP port below the usual ephemeral range (32768+), so that it cannot
# collide with the local end of a client connection.
sub gen_rand_port {
    my ($used) = @_;
    for (1 .. 1000) {
        my $port = 10000 + int rand 22000;
        next if $used->{$port};
        my $s = IO::Socket::INET->new(LocalAddr => '0.0.0.0', LocalPort => $port,
                                      Proto => 'tcp', Listen => 1) or next;
        close $s;
        return $port;
    }
    return undef;
}

# $TEST_NGINX_FOO -> $ENV{TEST_NGINX_FOO}; a missing variable is a bail-out as
# in the real harness. $TEST_NGINX_RAND_PORT_N -> a free port (one value per
# block).
sub expand_env ($$) {
    my ($text, $name) = @_;
    return $text if !defined $text || ref $text;
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        if ($var =~ /^TEST_NGINX_RAND_PORT_\d+$/) {
            if (!defined $RandPorts{$var}) {
                my %used = ($ServerPort => 1, map { $_ => 1 } values %RandPorts);
                $RandPorts{$var} = gen_rand_port(\%used)
                    // bail_out("$name - Cannot find an available listening port number for $var.\n");
            }
            $RandPorts{$var};
        } else {
            bail_out("$name - No environment $var defined.\n") unless defined $ENV{$var};
            $ENV{$var};
        }
    }ge;
    return $text;
}

sub expand_deep {    # expand_env in (nested) arrays and packet hashes; copies
    my ($v, $name) = @_;
    return [map { expand_deep($_, $name) } @$v] if ref $v eq 'ARRAY';
    return { %$v, value => expand_env($v->{value}, $name) } if ref $v eq 'HASH';
    return expand_env($v, $name);
}

sub get_nginx_version {
    (my $bin = $NginxBinary) =~ s/'/'\\''/g;
    local $?;
    my $out = `'$bin' -V 2>&1` // '';
    return undef unless $out =~ m{(?:nginx|openresty)[^/]*/(\d+)\.(\d+)\.(\d+)};
    $NginxRawVersion = "$1.$2.$3";
    return sprintf "%d.%03d%03d", $1, $2, $3;
}

sub bail_out (@) {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}

#---------------------------------------------------------------------------
# nginx processes
#
# nginx daemonizes, so the server is not our child. We make this process a
# "child subreaper" (Linux prctl) so the daemon is re-parented to us and can be
# reaped at once; elsewhere a dead nginx can linger as a zombie until PID 1
# reaps it, which is why zombies count as dead below.

sub enable_subreaper {
    my %prctl = (x86_64 => 157, aarch64 => 167, riscv64 => 167, i686 => 172, i386 => 172);
    my $nr = $prctl{(POSIX::uname())[4]} or return;
    local $!;
    syscall($nr, 36, 1, 0, 0, 0);    # prctl(PR_SET_CHILD_SUBREAPER, 1)
}

sub pid_alive {
    my $pid = shift or return 0;
    local ($?, $!);
    waitpid($pid, WNOHANG);          # reap it if it is our child
    return 0 unless kill 0, $pid;
    my $stat = slurp("/proc/$pid/stat") // '';
    return $stat =~ /\)\s+[ZX]\s/ ? 0 : 1;
}

sub wait_dead {
    my ($pid, $secs) = @_;
    my ($deadline, $step) = (time + $secs, 0.002);
    while (pid_alive($pid)) {
        return 0 if time > $deadline;
        sleep $step;
        $step = min($step * 2, 0.05);
    }
    return 1;
}

sub child_pids {
    my $ppid = shift;
    return grep { defined } map { (slurp($_) // '') =~ /^(\d+) \(.*\) \S+ (\d+) / && $2 == $ppid ? $1 : undef }
        glob '/proc/[0-9]*/stat';
}

sub read_pid_file { (slurp($PidFile) // '') =~ /(\d+)/ ? $1 : undef }

# Is the port in LISTEN state? Read from /proc/net/tcp* rather than by
# connecting, so that no probe connection shows up in error.log.
sub port_listening {
    my $port = shift;
    my ($hex, $have_proc) = (sprintf(':%04X', $port), 0);
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
        open my $fh, '<', $f or next;
        $have_proc = 1;
        while (<$fh>) {
            my @f = split;
            return 1 if @f > 3 && $f[3] eq '0A' && substr($f[1], -5) eq $hex;
        }
    }
    return 0 if $have_proc;
    return IO::Socket::INET->new(PeerAddr => $ServerAddr, PeerPort => $port, Timeout => 0.2) ? 1 : 0;
}

# Runs the nginx command line in the foreground (with "daemon on" it returns
# once the server has forked). Returns (wait status, stderr, exec failed?).
sub run_nginx_cmd {
    my $errfile = "$ServRoot/nginx.stderr";
    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', $ConfFile);
    push @cmd, '-e', $ErrLogFile if !$NginxVersion || $NginxVersion >= 1.019005;
    warn "running: @cmd\n" if $Verbose;
    my $pid = fork;
    return (-1, "fork failed: $!", 1) unless defined $pid;
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', $errfile;
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        print STDERR "exec $cmd[0] failed: $!\n";
        POSIX::_exit(127);
    }
    local $?;
    waitpid($pid, 0);
    my ($status, $stderr) = ($?, slurp($errfile) // '');
    unlink $errfile;
    return ($status, $stderr, ($status == 127 << 8 && $stderr =~ /^exec \S+ failed/) ? 1 : 0);
}

sub describe_status {
    my $st = shift;
    return "killed by signal " . ($st & 127) . ($st & 128 ? ", core dumped" : '') if $st & 127;
    return "exit code " . ($st >> 8);
}

# Starts nginx for a block and waits (up to 5 s) until it is ready.
sub start_nginx {
    my ($block) = @_;
    my $name = $block->name;
    my ($status, $stderr) = run_nginx_cmd();
    if ($status != 0) {
        fail("$name - nginx failed to start (" . describe_status($status) . ")");
        Test::More::diag("nginx stderr:\n$stderr") if $stderr ne '';
        return 0;
    }
    warn $stderr if $stderr ne '' && !defined $block->suppress_stderr;
    # ready: pid file written, port listening and, with a master, the workers forked
    my ($deadline, $pid) = (time + 5);
    my $nworkers = $MasterProcessEnabled eq 'on' && $Workers =~ /^\d+$/ ? $Workers : 0;
    until ($pid && port_listening($ServerPort) && child_pids($pid) >= $nworkers) {
        $pid //= read_pid_file();
        return fail("$name - nginx (pid $pid) exited right after starting") if $pid && !pid_alive($pid);
        if (time > $deadline) {
            ($NginxPid, my $what) = ($pid, $pid ? "listen on port $ServerPort" : "write $PidFile");
            stop_nginx($name);
            return fail("$name - nginx did not $what within 5 s");
        }
        sleep 0.005;
    }
    $NginxPid = $pid;
    return 1;
}

# QUIT (graceful), then TERM, then KILL (with the workers); returns once the
# processes are really gone.
sub stop_nginx {
    my ($name) = @_;
    my $pid = $NginxPid // read_pid_file();
    undef $NginxPid;
    if ($pid && pid_alive($pid)) {
        warn "stopping nginx $pid\n" if $Verbose;
        kill(($ENV{TEST_NGINX_FAST_SHUTDOWN} ? SIGTERM : SIGQUIT), $pid);
        if (!wait_dead($pid, 3)) {
            warn "WARNING: $name - nginx (pid $pid) did not quit within 3 s; sending TERM\n";
            kill SIGTERM, $pid;
            if (!wait_dead($pid, 1)) {
                my @kids = child_pids($pid);
                warn "WARNING: $name - killing nginx (pid $pid @kids) with force\n";
                kill SIGKILL, $pid, @kids;
                wait_dead($_, 2) for $pid, @kids;
            }
        }
    }
    unlink $PidFile;
}

sub cleanup {
    $_->() for @CleanupHandlers;
    stop_nginx('cleanup') unless $NoClean;
}

#---------------------------------------------------------------------------
# Server root, user files, nginx.conf

sub setup_server_root {
    remove_tree($ConfDir, $HtmlDir, $LogDir, glob("$ServRoot/*_temp"), glob("$ServRoot/*_cache"));
    make_path($ServRoot, $LogDir, $HtmlDir, $ConfDir);
    ($ErrLogPos, $CrashScanPos) = (0, 0);    # a new, empty error.log
    open my $out, '>', "$HtmlDir/index.html" or bail_out("Can't write $HtmlDir/index.html: $!\n");
    print $out '<html><head><title>It works!</title></head><body>It works!</body></html>';
    close $out;
}

# --- user_files: ">>> name [mtime]" lines each followed by the content, or an
# eval'ed array of [name, content, mtime]; relative names land in html/.
sub write_user_files {
    my ($block) = @_;
    my $name = $block->name;
    my $files = $block->user_files or return;
    if (!ref $files) {
        my @list;
        for my $line (split /^/m, $files) {
            if ($line =~ /^>>> (\S+)(?:[ \t]+(.+?))?\s*$/) { push @list, [$1, undef, $2] }
            elsif (@list) { $list[-1][1] .= $line }
        }
        $files = \@list;
    }
    return fail("$name - --- user_files: only a string or an ARRAY is accepted") if ref $files ne 'ARRAY';
    for my $file (@$files) {
        my ($fname, $body, $date) = @$file;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        make_path($1) if $path =~ m{(.*)/} && !-d $1;
        open my $out, '>', $path or bail_out("$name - Cannot open $path for writing: $!\n");
        binmode $out;
        print $out expand_env($body // '', $name);
        close $out;
        next unless $date;    # [[CC]YY]MMDDhhmm[.ss] in GMT
        local $ENV{TZ} = 'GMT';
        system('touch', '-t', $date, $path) == 0 or fail("$name - touch -t '$date' $path failed");
    }
}

sub write_config_file {
    my ($block, $config) = @_;
    my $name = $block->name;
    my $http_config = expand_env($block->http_config // '', $name);
    my $main_config = expand_env($block->main_config // '', $name);
    my $post_main   = expand_env($block->post_main_config // '', $name);
    my $load  = join '', map { "load_module $_;\n" } grep { length } split /\s+/, $LoadModules;
    my $level = $block->log_level || $LogLevel;
    (my $server_name = $block->server_name // $ServerName) =~ s/(['\\])/\\$1/g;
    my $env   = join '', map { /\s/ ? "env '$_';\n" : "env $_;\n" }
        qw(MOCKEAGAIN_VERBOSE MOCKEAGAIN MOCKEAGAIN_WRITE_TIMEOUT_PATTERN LD_PRELOAD LD_LIBRARY_PATH
           DYLD_INSERT_LIBRARIES DYLD_FORCE_FLAT_NAMESPACE), @EnvToNginx;
    my $temp  = join '', map { "    ${_}_temp_path $ServRoot/${_}_temp;\n" } qw(client_body proxy fastcgi uwsgi scgi);
    my $root_location = $NoRootLocation ? ''
        : "        location / {\n            root $HtmlDir;\n            index index.html index.htm;\n        }\n";
    my $user = $> == 0 ? "user root;\n" : '';

    open my $out, '>', $ConfFile or bail_out("Can't open $ConfFile for writing: $!\n");
    print $out <<_EOC_;
worker_processes  $Workers;
daemon on;
master_process $MasterProcessEnabled;
error_log $ErrLogFile $level;
pid       $PidFile;
$env
$load$main_config

http {
    access_log $AccLogFile;
$temp
    default_type text/plain;
    keepalive_timeout  68;

$http_config

    server {
        listen          $ServerPort;
        server_name     '$server_name';

        client_max_body_size 30M;

        # Begin preamble config...
$ConfigPreamble
        # End preamble config...

        # Begin test case config...
$config
        # End test case config.

$root_location    }
}

$post_main

events {
    accept_mutex off;
    worker_connections  $WorkerConnections;
}
env ASAN_OPTIONS; env MOCKNOEAGAIN_VERBOSE; env MOCKNOEAGAIN;
$user
_EOC_
    close $out;
}

END {
    if ($$ == $MainPid) {    # not in forked children
        local $?;
        cleanup();
        remove_tree($ServRoot) if $OwnServRoot && !$NoClean && -d $ServRoot;
    }
}

1;
