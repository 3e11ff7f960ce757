# A startup snapshot file (js_function_snapshot) is checked once, by the
# CRC-32 in its header, before any isolate is made from it: V8's own check
# of its checksum on every isolate creation is off.  These blocks look at
# the whole error log of a block (worker start included), hence
# check_accum_error_log().

use Test::Nginx::Socket 'no_plan';

check_accum_error_log();

# the module's own snapshot file, beside the module (build/shim/)
sub module_snapshot {
    my ($module) = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} // '');
    (my $dir = $module // '') =~ s{/[^/]+$}{};
    open my $fh, '<:raw', "$dir/shim/snapshot.bin"
        or die "cannot open $dir/shim/snapshot.bin: $!";
    local $/;
    return scalar <$fh>;
}

# the same with one byte of V8's blob changed (past the 64-byte header)
sub damaged_snapshot {
    my $s = module_snapshot();
    my $at = 64 + int((length($s) - 64) / 2);
    substr($s, $at, 1) = chr(ord(substr($s, $at, 1)) ^ 0x5a);
    return $s;
}

run_tests();

__DATA__

=== TEST 1: a snapshot file whose bytes were changed is refused by its checksum; isolates build the runtime themselves
--- http_config eval
"js_function_snapshot \$TEST_NGINX_SERVER_ROOT/html/damaged.snap;"
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files eval
[["damaged.snap" => main::damaged_snapshot()],
 ["a.js" => "export default { fetch() { return new Response(typeof URL + ' ' + new Headers({a: 'b'}).get('A')); } };"]]
--- request
GET /a
--- response_body chomp
function b
--- error_log eval
[qr/\[warn\] .*js_function: startup snapshot not used \(the snapshot is damaged \(its checksum does not match\)\): isolates will build the JS runtime themselves/,
 qr/a\.js": isolate created.* \(no snapshot\)/]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: the same snapshot file, intact, is used
--- http_config eval
"js_function_snapshot \$TEST_NGINX_SERVER_ROOT/html/intact.snap;"
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files eval
[["intact.snap" => main::module_snapshot()],
 ["a.js" => "export default { fetch() { return new Response(typeof URL + ' ' + new Headers({a: 'b'}).get('A')); } };"]]
--- request
GET /a
--- response_body chomp
function b
--- error_log eval
qr/a\.js": isolate created.* \(snapshot\)/
--- no_error_log
startup snapshot not used
[error]
[alert]
[crit]
