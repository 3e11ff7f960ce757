# Functions ready before their first request (js_function_preload) and the
# code cache shared by the workers (js_function_code_cache): a master and a
# worker, so that a reload can start a worker with nothing in its memory.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET ();

master_on();
workers(1);
no_shuffle();

# One request on a new connection, HTTP/1.0: the body, or "ERROR ...".
sub jsfn_get {
    my ($uri) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || 1984,
                                  Timeout => 5)
        or return "ERROR connect: $!";
    print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
    my $raw = do { local $/; <$s> } // '';
    close $s;
    # the code cache is written just after the response has gone out
    select undef, undef, undef, 0.1;
    return $raw =~ /\r\n\r\n(.*)\z/s ? $1 : "ERROR $raw";
}

# nginx -s reload, then time for the new worker to start and the old to go
sub jsfn_reload {
    my $root = $ENV{TEST_NGINX_SERVER_ROOT};
    open my $in, '<', "$root/logs/nginx.pid" or return;
    my $master = <$in>;
    chomp $master;
    kill 'HUP', $master;
    select(undef, undef, undef, 1.5);
}

# the code cache's entries in a directory of the server root
sub jsfn_entries {
    my ($dir) = @_;
    opendir my $d, "$ENV{TEST_NGINX_SERVER_ROOT}/$dir" or return ();
    return map { "$ENV{TEST_NGINX_SERVER_ROOT}/$dir/$_" }
           grep { /^[0-9a-f]{16}\.jsc\z/ } readdir $d;
}

sub jsfn_result {
    my ($text) = @_;
    open my $out, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/result.txt" or return;
    print $out $text;
    close $out;
}

# a module that answers "NAME true" when its top-level code ran at least
# 400 ms before the request (it was preloaded), "NAME false" otherwise
sub jsfn_stamped {
    my ($name) = @_;
    return ["$name.js", "const loaded = Date.now();\n"
                        . "export default { fetch() { return new Response("
                        . "'$name ' + (Date.now() - loaded >= 400)); } };\n"];
}

# a module of about 20 KB (the disk's threshold is 16 KB) whose answer
# depends on a string constant of its compiled code: "big HITS true C"
sub jsfn_big {
    my ($name, $n, $c) = @_;
    $n //= 20000;
    $c //= 'x';
    return [$name, "const pad = '" . ($c x $n) . "';\n"
                   . "let hits = 0;\n"
                   . "export default { fetch() { hits++; return new Response("
                   . "'big ' + hits + ' ' + (pad === '$c'.repeat($n)) + ' '"
                   . " + pad[0]); } };\n"];
}

run_tests();

__DATA__

=== TEST 1: a fixed-path function is loaded at worker start: its top-level code ran before its first request
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
--- user_files eval
[main::jsfn_stamped("f")]
--- init
select(undef, undef, undef, 0.8);
--- request
GET /f
--- response_body chomp
f true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: js_function_preload off: the function is loaded by its first request
--- http_config
    js_function_preload off;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
--- user_files eval
[main::jsfn_stamped("f")]
--- init
select(undef, undef, undef, 0.8);
--- request
GET /f
--- response_body chomp
f false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: a preload never evicts: with js_function_max_isolates 1 only the first fixed function is loaded ahead
--- http_config
    js_function_max_isolates 1;
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
    location = /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
--- user_files eval
[main::jsfn_stamped("a"), main::jsfn_stamped("b")]
--- init
select(undef, undef, undef, 0.8);
--- request eval
["GET /a", "GET /b"]
--- response_body eval
["a true", "b false"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: a preloaded function counts one cold start, at its first request, and warm hits after
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
    location = /status { js_function_status; }
--- user_files
>>> f.js
export default { fetch() { return new Response('f'); } };
--- init
select(undef, undef, undef, 0.8);
main::jsfn_get("/f");
main::jsfn_get("/f");
--- request
GET /status
--- response_body_like eval
qr/"requests":2,"errors":0,"cold_starts":1,"warm_hits":1,/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: a fixed function whose top-level code throws: the preload logs it, the worker goes on, its request answers 500 at once
--- config
    location = /bad { js_function $TEST_NGINX_SERVER_ROOT/html/bad.js; }
    location = /good { js_function $TEST_NGINX_SERVER_ROOT/html/good.js; }
--- user_files eval
[["bad.js", "throw new Error('no config');\n"
            . "export default { fetch() { return new Response('never'); } };\n"],
 main::jsfn_stamped("good")]
--- init
select(undef, undef, undef, 0.8);
--- request eval
["GET /bad", "GET /good"]
--- error_code eval
[500, 200]
--- response_body_like eval
["500 Internal Server Error", "good true"]
--- no_error_log
[alert]
[crit]



=== TEST 6: a fixed function broken on disk after its preload is loaded again and fails with the syntax error
--- http_config
    js_function_check_interval 0;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
--- user_files
>>> f.js
export default { fetch() { return new Response('fine'); } };
--- init
select(undef, undef, undef, 0.8);
open my $out, '>', "$ENV{TEST_NGINX_SERVER_ROOT}/html/f.js.new" or die;
print $out "export default { fetch() { return new Response('broken' }; };\n";
close $out;
rename "$ENV{TEST_NGINX_SERVER_ROOT}/html/f.js.new",
       "$ENV{TEST_NGINX_SERVER_ROOT}/html/f.js";
--- request
GET /f
--- error_code: 500
--- error_log eval
qr/js_function "[^"]*\/f\.js": cannot load: SyntaxError: missing \) after argument list/
--- no_error_log
[alert]
[crit]



=== TEST 7: the code cache is written to js_function_code_cache once the first request has been answered
--- http_config
    js_function_code_cache $TEST_NGINX_SERVER_ROOT/cc7;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_fn.js; }
--- user_files eval
[main::jsfn_big("big.js")]
--- init
my @before = main::jsfn_entries("cc7");
my $got = main::jsfn_get("/f?fn=big");
my @after = main::jsfn_entries("cc7");
main::jsfn_result(sprintf "%s before=%d after=%d", $got, scalar @before,
                  scalar @after);
--- request
GET /result.txt
--- response_body chomp
big 1 true x before=0 after=1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: a new worker (after a reload) compiles a big function from the cache the old worker wrote, by default beside client_body_temp_path
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_fn.js; }
--- user_files eval
[main::jsfn_big("big.js")]
--- init
main::jsfn_get("/f?fn=big");
main::jsfn_reload();
--- request
GET /f?fn=big
--- response_body chomp
big 1 true x
--- error_log eval
qr/js function "[^"]*\/big\.js": isolate created.*, 1 modules from the code cache/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: js_function_code_cache off: the new worker compiles it again
--- http_config
    js_function_code_cache off;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_fn.js; }
--- user_files eval
[main::jsfn_big("big.js")]
--- init
main::jsfn_get("/f?fn=big");
main::jsfn_reload();
--- request
GET /f?fn=big
--- response_body chomp
big 1 true x
--- error_log eval
qr/js function "[^"]*\/big\.js": isolate created.*, 0 modules from the code cache/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: a damaged entry (one byte of its payload changed) is refused: the function compiles anew, the worker unharmed
--- http_config
    js_function_code_cache $TEST_NGINX_SERVER_ROOT/cc11;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_fn.js; }
--- user_files eval
[main::jsfn_big("big.js")]
--- init
main::jsfn_get("/f?fn=big");
for my $file (main::jsfn_entries("cc11")) {
    open my $fh, '+<', $file or die "$file: $!";
    binmode $fh;
    my $size = -s $file;
    # the middle of the entry: V8's data, mostly the string constant
    seek $fh, int($size / 2), 0;
    read $fh, my $byte, 1;
    seek $fh, int($size / 2), 0;
    print $fh chr(ord($byte) ^ 0x01);
    close $fh;
}
main::jsfn_reload();
--- request
GET /f?fn=big
--- response_body chomp
big 1 true x
--- error_log eval
qr/js function "[^"]*\/big\.js": isolate created.*, 0 modules from the code cache/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: a truncated entry, and the entry of another file of the same length, are ignored too
--- http_config
    js_function_code_cache $TEST_NGINX_SERVER_ROOT/cc12;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_fn.js; }
--- user_files eval
[main::jsfn_big("one.js"), main::jsfn_big("two.js", 20000, "y")]
--- init
main::jsfn_get("/f?fn=one");
my ($one) = main::jsfn_entries("cc12");
main::jsfn_get("/f?fn=two");
my ($two) = grep { $_ ne $one } main::jsfn_entries("cc12");
# two's entry replaced by one's, one's cut in half
system("cp", $one, $two) == 0 or die;
truncate $one, int((-s $one) / 2) or die;
main::jsfn_reload();
main::jsfn_result(main::jsfn_get("/f?fn=one") . "\n" . main::jsfn_get("/f?fn=two"));
--- request
GET /result.txt
--- response_body eval
"big 1 true x\nbig 1 true y"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: a full cache drops its oldest entries; an entry over max_size is not written, its function served all the same
--- http_config
    js_function_code_cache $TEST_NGINX_SERVER_ROOT/cc13 max_size=1m;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_fn.js; }
--- user_files eval
[main::jsfn_big("a.js", 600000), main::jsfn_big("b.js", 600001),
 main::jsfn_big("huge.js", 1500000)]
--- init
my @got = map { main::jsfn_get("/f?fn=$_") } qw(a);
my $n1 = () = main::jsfn_entries("cc13");
push @got, main::jsfn_get("/f?fn=b");
my $n2 = () = main::jsfn_entries("cc13");
push @got, main::jsfn_get("/f?fn=huge");
my $n3 = () = main::jsfn_entries("cc13");
main::jsfn_result(join(", ", @got) . " entries=$n1,$n2,$n3");
--- request
GET /result.txt
--- response_body chomp
big 1 true x, big 1 true x, big 1 true x entries=1,1,1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: a directory the workers cannot write: the cache of a big function is kept in the worker's memory
--- http_config
    js_function_code_cache $TEST_NGINX_SERVER_ROOT/cc14;
    js_function_max_isolates 1;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_fn.js; }
--- user_files eval
[main::jsfn_big("big.js"), ["small.js", "export default { fetch() { return new Response('small'); } };\n"]]
--- init
chown 0, 0, "$ENV{TEST_NGINX_SERVER_ROOT}/cc14";
chmod 0555, "$ENV{TEST_NGINX_SERVER_ROOT}/cc14";
main::jsfn_get("/f?fn=big");
main::jsfn_get("/f?fn=small");
--- request
GET /f?fn=big
--- response_body chomp
big 1 true x
--- error_log eval
qr/js function "[^"]*\/big\.js": isolate created.*, 1 modules from the code cache/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: js_function_code_cache refuses a max_size below 1m
--- http_config
    js_function_code_cache $TEST_NGINX_SERVER_ROOT/cc15 max_size=100k;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
--- user_files
>>> f.js
export default { fetch() { return new Response('f'); } };
--- must_die
--- error_log eval
qr/js_function_code_cache: invalid "max_size=100k" \(at least 1m\)/



=== TEST 15: js_function_preload takes on or off only
--- http_config
    js_function_preload maybe;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/f.js; }
--- user_files
>>> f.js
export default { fetch() { return new Response('f'); } };
--- must_die
--- error_log eval
qr/invalid value "maybe" in "js_function_preload" directive, it must be "on" or "off"/



=== TEST 16: an entry others may write (group or world writable) is not given to V8: the function compiles anew
--- http_config
    js_function_code_cache $TEST_NGINX_SERVER_ROOT/cc16;
--- config
    location = /f { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_fn.js; }
--- user_files eval
[main::jsfn_big("big.js")]
--- init
main::jsfn_get("/f?fn=big");
my @entries = main::jsfn_entries("cc16");
die "no entry written" unless @entries;
chmod 0666, @entries;
main::jsfn_reload();
--- request
GET /f?fn=big
--- response_body chomp
big 1 true x
--- error_log eval
qr/js function "[^"]*\/big\.js": isolate created.*, 0 modules from the code cache/
--- no_error_log
[error]
[alert]
[crit]
