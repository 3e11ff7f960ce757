# js_function_kv: KV namespaces in a shared memory zone (env.NAME), with
# the shapes and errors of Cloudflare Workers KV's binding.  A master and
# two workers (the zone is shared by them; a reload keeps it), so blocks
# that need one state run their requests on one nginx.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();

master_on();
workers(2);
no_shuffle();

# by default a block's function is /fn with the namespace KV (zone kv1),
# asked once, and logs nothing at error level or above
add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value(config => "    js_function_kv KV zone=kv1:1m;\n"
        . "    location = /fn { js_function \$TEST_NGINX_SERVER_ROOT/html/fn.js; }")
        unless defined $block->config;
    $block->set_value(request => "GET /fn")
        unless defined $block->request || defined $block->pipelined_requests
               || defined $block->must_die;
    $block->set_value(no_error_log => "[error]\n[alert]\n[crit]\n")
        unless defined $block->no_error_log || defined $block->must_die;
});

# One request on a new connection: "STATUS BODY", or "ERROR ...".
sub kv_http {
    my ($uri) = @_;
    my $raw = '';
    my $ok = eval {
        local $SIG{ALRM} = sub { die "timed out\n" };
        alarm 10;
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

sub kv_write {
    my ($file, $text) = @_;
    open my $out, '>', $file or return;
    print $out $text;
    close $out;
}

sub kv_master {
    my $root = $ENV{TEST_NGINX_SERVER_ROOT};
    open my $in, '<', "$root/logs/nginx.pid" or return;
    chomp(my $master = <$in> // '');
    return $master;
}

# the pids of the master's workers (children whose parent is the master)
sub kv_workers {
    my ($master) = @_;
    my @pids;
    for my $d (glob '/proc/[0-9]*') {
        open my $in, '<', "$d/stat" or next;
        my $stat = <$in> // '';
        push @pids, $1 if $stat =~ /^(\d+) \(.*?\) \S+ (\d+)/ && $2 == $master;
    }
    return @pids;
}

# SIGHUP to the master, then wait until the old workers have gone and
# new ones are there
sub kv_reload {
    my $master = kv_master() or return 0;
    my @old = kv_workers($master);
    kill 'HUP', $master;
    for (1 .. 1000) {
        my %now = map { $_ => 1 } kv_workers($master);
        return 1 if %now && !grep { $now{$_} } @old;
        Time::HiRes::sleep(0.01);
    }
    return 0;
}

# TESTs 10 and 11: /put writes 100 keys; /get answers how many keys are
# listed and how many read back right
our $ReloadFiles = [
    ['put.js', <<'JS'],
export default {
    async fetch(r, env) {
        for (let i = 0; i < 100; i++) await env.KV.put(`k${i}`, `v${i}`, { metadata: i });
        return new Response('put');
    }
};
JS
    ['get.js', <<'JS'],
export default {
    async fetch(r, env) {
        let ok = 0;
        for (let i = 0; i < 100; i++) {
            const { value, metadata } = await env.KV.getWithMetadata(`k${i}`);
            if (metadata === i && value === `v${i}`) ok++;
        }
        return new Response(`${(await env.KV.list()).keys.length} ${ok}`);
    }
};
JS
];

# TEST: a put, a reload, the result of a get goes to html/result.txt;
# with $conf_edit, the configuration file is changed before the reload
sub kv_put_reload_get {
    my ($conf_edit) = @_;
    my $root = $ENV{TEST_NGINX_SERVER_ROOT};
    my $put = kv_http('/put');
    if ($conf_edit) {
        my $conf = do { local $/; open my $in, '<', "$root/conf/nginx.conf"; <$in> };
        $conf = $conf_edit->($conf);
        kv_write("$root/conf/nginx.conf", $conf);
    }
    my $reloaded = kv_reload();
    my $get = kv_http('/get');
    kv_write("$root/html/result.txt", "put: $put\nreloaded: $reloaded\nget: $get\n");
}

# TEST: $n sequential requests to /inc on new connections: each reads a
# counter and writes it plus one, and answers "PID COUNT"; both workers
# serve some (accept_mutex off, new connections)
sub kv_counter {
    my ($n) = @_;
    my $root = $ENV{TEST_NGINX_SERVER_ROOT};
    my (%pids, @bad);
    for my $i (1 .. $n) {
        my $got = kv_http('/inc');
        if ($got =~ /^200 (\d+) (\d+)$/ && $2 == $i) {
            $pids{$1}++;
        } else {
            push @bad, "request $i: $got" if @bad < 3;
        }
    }
    kv_write("$root/html/result.txt",
             join "\n", "workers=" . scalar(keys %pids), "bad=" . scalar(@bad), @bad);
}

# TEST: $children processes each send $n requests at once that write and
# read back values of their own keys, then check every value; the counts
# go to html/result.txt
sub kv_concurrent {
    my ($children, $n) = @_;
    my $root = $ENV{TEST_NGINX_SERVER_ROOT};
    my @kids;
    for my $c (1 .. $children) {
        my $pid = fork;
        next unless defined $pid;
        if ($pid == 0) {
            my ($ok, $bad) = (0, 0);
            for my $i (1 .. $n) {
                my $got = kv_http("/rw?c=$c&i=$i");
                if ($got eq "200 ok") { $ok++ } else { $bad++ }
            }
            kv_write("$root/html/part$c.txt", "$ok $bad");
            POSIX::_exit(0);
        }
        push @kids, $pid;
    }
    waitpid $_, 0 for @kids;
    my ($ok, $bad) = (0, 0);
    for my $c (1 .. $children) {
        my $t = do { local $/; open my $in, '<', "$root/html/part$c.txt"; $in ? <$in> : '0 1' };
        my ($o, $b) = split ' ', $t;
        $ok += $o;
        $bad += $b;
    }
    kv_write("$root/html/result.txt", "ok=$ok bad=$bad");
}

run_tests();

__DATA__

=== TEST 1: put and get: every value type, every read type, missing keys are null
--- user_files
>>> fn.js
export default {
    async fetch(r, env) {
        const KV = env.KV;
        const out = [];
        const bytes = (ab) => Array.from(new Uint8Array(ab)).join(',');
        out.push(Object.prototype.toString.call(KV), typeof KV.get, env.KV === KV);
        out.push(await KV.get('none'), JSON.stringify(await KV.getWithMetadata('none')));
        out.push(await KV.put('s', 'h\u00e9llo \u{1F600}'), await KV.get('s'), await KV.get('s', 'text'));
        out.push(bytes(await KV.get('s', 'arrayBuffer')));
        out.push(await KV.get('s', { type: 'text' }), await KV.get('s', {}));
        const ab = new Uint8Array([0, 1, 2, 255]).buffer;
        await KV.put('ab', ab);
        out.push(bytes(await KV.get('ab', 'arrayBuffer')), (await KV.get('ab', 'arrayBuffer')) instanceof ArrayBuffer);
        await KV.put('view', new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 4));
        out.push(bytes(await KV.get('view', 'arrayBuffer')));
        await KV.put('dv', new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 2));
        out.push(bytes(await KV.get('dv', 'arrayBuffer')));
        await KV.put('u16', new Uint16Array([0x0102]));
        out.push(bytes(await KV.get('u16', 'arrayBuffer')));
        await KV.put('stream', new ReadableStream({
            start(c) { c.enqueue(new TextEncoder().encode('str')); c.enqueue(new Uint8Array([101, 97, 109])); c.close(); },
        }));
        out.push(await KV.get('stream'));
        await KV.put('num', 42);
        out.push(await KV.get('num'), typeof await KV.get('num'));
        await KV.put('empty', '');
        out.push(JSON.stringify(await KV.get('empty')), bytes(await KV.get('empty', 'arrayBuffer')).length);
        await KV.put('nul', 'a\0b');
        out.push((await KV.get('nul')).length);
        await KV.put('j', '{"a":[1,{"b":null}]}');
        out.push(JSON.stringify(await KV.get('j', 'json')), JSON.stringify(await KV.get('j', { type: 'json' })));
        const s = await KV.get('s', 'stream');
        out.push(s instanceof ReadableStream, await new Response(s).text());
        out.push(await KV.get('none', 'stream'), await KV.get('none', 'json'), await KV.get('none', 'arrayBuffer'));
        await KV.put('bad-utf8', new Uint8Array([0x61, 0xff, 0x62]));
        out.push(encodeURIComponent(await KV.get('bad-utf8')));
        await KV.put('s', 'again');
        out.push(await KV.get('s'));
        await KV.put('s', 'a longer value that needs a new entry in the zone');
        out.push(await KV.get('s'));
        const p = KV.get('s');
        out.push(p instanceof Promise);
        return new Response(out.join('|'));
    }
};
--- response_body chomp
[object KvNamespace]|function|true||{"value":null,"metadata":null,"cacheStatus":null}||héllo 😀|héllo 😀|104,195,169,108,108,111,32,240,159,152,128|héllo 😀|héllo 😀|0,1,2,255|true|8,7,6|3,4|2,1|stream|42|string|""|0|3|{"a":[1,{"b":null}]}|{"a":[1,{"b":null}]}|true|héllo 😀||||a%EF%BF%BDb|again|a longer value that needs a new entry in the zone|true



=== TEST 2: metadata: kept as JSON, returned by getWithMetadata and list, null when absent
--- user_files
>>> fn.js
export default {
    async fetch(r, env) {
        const KV = env.KV;
        const out = [];
        await KV.put('a', 'A', { metadata: { n: 1, s: 'x', l: [true, null] } });
        out.push(JSON.stringify(await KV.getWithMetadata('a')));
        out.push(JSON.stringify(await KV.getWithMetadata('a', 'arrayBuffer').then((r) => [r.value.byteLength, r.metadata])));
        await KV.put('b', 'B', { metadata: null });
        out.push(JSON.stringify(await KV.getWithMetadata('b')));
        await KV.put('c', 'C', { metadata: 'str' });
        await KV.put('d', 'D', { metadata: 0 });
        await KV.put('e', 'E', { metadata: { toJSON() { return [1, 2]; } } });
        await KV.put('f', 'F', { metadata: { big: 'x'.repeat(1013) } });
        out.push(JSON.stringify(await KV.list()));
        await KV.put('a', 'A2');
        out.push(JSON.stringify(await KV.getWithMetadata('a')));
        return new Response(out.join('\n'));
    }
};
--- response_body eval
'{"value":"A","metadata":{"n":1,"s":"x","l":[true,null]},"cacheStatus":null}
[1,{"n":1,"s":"x","l":[true,null]}]
{"value":"B","metadata":null,"cacheStatus":null}
{"keys":[{"name":"a","metadata":{"n":1,"s":"x","l":[true,null]}},{"name":"b"},{"name":"c","metadata":"str"},{"name":"d","metadata":0},{"name":"e","metadata":[1,2]},{"name":"f","metadata":{"big":"' . ('x' x 1013) . '"}}],"list_complete":true,"cacheStatus":null}
{"value":"A2","metadata":null,"cacheStatus":null}'



=== TEST 3: bad keys, values and options reject with workerd's errors; nothing is written
--- user_files
>>> fn.js
export default {
    async fetch(r, env) {
        const KV = env.KV;
        const out = [];
        const t = async (what, p) => {
            try {
                const v = await p;
                out.push(`${what}: ok ${JSON.stringify(v)}`);
            } catch (e) {
                out.push(`${what}: ${e.name}: ${e.message}`);
            }
        };
        await t('empty', KV.get(''));
        await t('dot', KV.put('.', 'x'));
        await t('dotdot', KV.delete('..'));
        await t('513', KV.get('k'.repeat(513)));
        await t('512', KV.put('k'.repeat(512), 'x'));
        await t('euro', KV.put('\u20ac'.repeat(171), 'x'));
        await t('delete 513', KV.delete('k'.repeat(513)));
        await t('symbol', KV.get(Symbol('s')));
        await t('type', KV.get('k', 'blob'));
        await t('type obj', KV.get('k', { type: 'Text' }));
        await t('cacheTtl', KV.get('k', { cacheTtl: 10 }));
        await t('cacheTtl ok', KV.get('k', { cacheTtl: 60 }));
        await t('object', KV.put('k', {}));
        await t('array', KV.put('k', [1]));
        await t('function', KV.put('k', () => 1));
        await t('string object', KV.put('k', new String('s')));
        await t('options', KV.put('k', 'v', 5));
        await t('metadata big', KV.put('k', 'v', { metadata: 'x'.repeat(1023) }));
        await t('metadata cycle', KV.put('k', 'v', { metadata: (() => { const o = {}; o.o = o; return o; })() }));
        await t('metadata bigint', KV.put('k', 'v', { metadata: 1n }));
        await t('metadata function', KV.put('k', 'v', { metadata: () => 1 }));
        await t('metadata undefined', KV.put('k', 'v', { metadata: { toJSON() {} } }));
        await t('ttl 0', KV.put('k', 'v', { expirationTtl: 0 }));
        await t('ttl NaN', KV.put('k', 'v', { expirationTtl: 'soon' }));
        await t('expiration past', KV.put('k', 'v', { expiration: 1000 }));
        await t('expiration -1', KV.put('k', 'v', { expiration: -1 }));
        await t('value big', KV.put('k', new Uint8Array(25 * 1024 * 1024 + 1)));
        await t('string big', KV.put('k', '\u00e9'.repeat(13 * 1024 * 1024)));
        await t('key big', KV.get('k'.repeat(1e6)));
        let rope = 'x'.repeat(1 << 20);
        for (let i = 0; i < 8; i++) rope += rope;
        await t('rope value', KV.put('k', rope));
        await t('rope key', KV.delete(rope));
        await t('stream big', KV.put('k', new ReadableStream({
            pull(c) { c.enqueue(new Uint8Array(1 << 20)); },
        })));
        const unread = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(1)); } });
        await t('stream key', KV.put('', unread));
        out.push(`locked: ${unread.locked}`);
        await t('stream chunk', KV.put('k', new ReadableStream({ start(c) { c.enqueue('text'); c.close(); } })));
        await t('limit', KV.list({ limit: 1001 }));
        await t('list options', KV.list('p'));
        await t('cursor bad', KV.list({ cursor: '!!!' }));
        await t('cursor long', KV.list({ cursor: 'A'.repeat(5000) }));
        await t('cursor wide', KV.list({ cursor: '\u20ac' }));
        await t('this', KV.get.call({}, 'k'));
        await t('this null', KV.list.call(null));
        try { new KV.constructor(); } catch (e) { out.push(`new: ${e.name}: ${e.message}`); }
        out.push(JSON.stringify(await KV.list(), (k, v) => (k === 'name' ? v.length : v)));
        return new Response(out.join('\n'));
    }
};
--- response_body chomp
empty: TypeError: Key name cannot be empty.
dot: TypeError: "." is not allowed as a key name.
dotdot: TypeError: ".." is not allowed as a key name.
513: Error: KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.
512: ok undefined
euro: Error: KV PUT failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.
delete 513: Error: KV DELETE failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.
symbol: TypeError: Cannot convert a Symbol value to a string
type: TypeError: Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".
type obj: TypeError: Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".
cacheTtl: Error: KV GET failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 60.
cacheTtl ok: ok null
object: TypeError: KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.
array: TypeError: KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.
function: TypeError: KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.
string object: TypeError: KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.
options: TypeError: Failed to execute 'put' on 'KvNamespace': parameter 3 is not of type 'KvPutOptions'.
metadata big: Error: KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024.
metadata cycle: TypeError: Converting circular structure to JSON
    --> starting at object with constructor 'Object'
    --- property 'o' closes the circle
metadata bigint: TypeError: Do not know how to serialize a BigInt
metadata function: TypeError: KV put(): the metadata is not serializable to JSON
metadata undefined: TypeError: KV put(): the metadata is not serializable to JSON
ttl 0: Error: KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0.
ttl NaN: Error: KV PUT failed: 400 Invalid expiration_ttl of NaN. Please specify integer greater than 0.
expiration past: Error: KV PUT failed: 400 Invalid expiration of 1000. Please specify integer greater than the current number of seconds since the UNIX epoch.
expiration -1: Error: KV PUT failed: 400 Invalid expiration of -1. Please specify integer greater than the current number of seconds since the UNIX epoch.
value big: Error: KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.
string big: Error: KV PUT failed: 413 Value length of 27262976 exceeds limit of 26214400.
key big: Error: KV GET failed: 414 UTF-8 encoded length of 1000000 exceeds key length limit of 512.
rope value: RangeError: the string does not fit the function's memory
rope key: RangeError: the string does not fit the function's memory
stream big: Error: KV PUT failed: 413 Value length of at least 27262976 exceeds limit of 26214400.
stream key: TypeError: Key name cannot be empty.
locked: false
stream chunk: TypeError: KV put(): a ReadableStream value must give ArrayBuffers or ArrayBufferViews.
limit: Error: KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer of at most 1000.
list options: TypeError: Failed to execute 'list' on 'KvNamespace': parameter 1 is not of type 'KvListOptions'.
cursor bad: Error: KV GET failed: 400 Invalid cursor.
cursor long: Error: KV GET failed: 400 Invalid cursor.
cursor wide: Error: KV GET failed: 400 Invalid cursor.
this: TypeError: Illegal invocation
this null: TypeError: Illegal invocation
new: TypeError: Illegal constructor
{"keys":[{"name":512}],"list_complete":true,"cacheStatus":null}



=== TEST 4: keys are the UTF-8 of the string (lone surrogates as U+FFFD), NUL bytes kept; list is sorted by those bytes
--- user_files
>>> fn.js
export default {
    async fetch(r, env) {
        const KV = env.KV;
        const keys = ['b', 'a', 'a\0', 'a\0b', '\u00e9', '\uffff', '\u{10000}', 'A', 'aa', '~'];
        for (const k of keys) await KV.put(k, 'v:' + encodeURIComponent(k));
        const out = [];
        out.push((await KV.list()).keys.map((k) => encodeURIComponent(k.name)).join(' '));
        out.push(await KV.get('a\0'), await KV.get('a\0b'), await KV.get('a'));
        await KV.put('\ud800x', 'lone');
        out.push(await KV.get('\ufffdx'), await KV.get('\udc00x'));
        out.push((await KV.list({ prefix: '\ufffd' })).keys.map((k) => encodeURIComponent(k.name)).join(' '));
        // past the first 8 bytes, which the tree compares as a number first
        for (const k of ['abcdefgh1', 'abcdefgh', 'abcdefghi', 'abcdefgh\0', 'abcdefgh0', 'abcdefg', 'abcdefgh\u00ff', 'abcdefgh~']) {
            await KV.put(k, k);
        }
        const l = (await KV.list({ prefix: 'abcdefg' })).keys.map((k) => encodeURIComponent(k.name));
        out.push(l.join(' '), (await KV.list({ prefix: 'abcdefgh', limit: 3, cursor: btoa('abcdefgh0').replace(/=+$/, '') })).keys.map((k) => k.name).join(' '));
        let found = 0;
        for (const k of ['abcdefgh1', 'abcdefgh', 'abcdefghi', 'abcdefgh\0', 'abcdefgh0', 'abcdefg', 'abcdefgh\u00ff', 'abcdefgh~']) if (await KV.get(k) === k) found++;
        out.push(found);
        await KV.delete('\ud800x');
        out.push(await KV.get('\ufffdx'));
        out.push(await KV.get({ toString() { return 'b'; } }), await KV.get(undefined));
        return new Response(out.join('\n'));
    }
};
--- response_body eval
"A a a%00 a%00b aa b ~ %C3%A9 %EF%BF%BF %F0%90%80%80
v:a%00
v:a%00b
v:a
lone
lone
%EF%BF%BDx
abcdefg abcdefgh abcdefgh%00 abcdefgh0 abcdefgh1 abcdefghi abcdefgh~ abcdefgh%C3%BF
abcdefgh1 abcdefghi abcdefgh~
8

v:b
"



=== TEST 5: list: prefix, limit and cursor page over 2500 keys; limit 0 is the default (1000)
--- user_files
>>> fn.js
export default {
    async fetch(r, env) {
        const KV = env.KV;
        const out = [];
        const pad = (n) => String(n).padStart(4, '0');
        for (let i = 0; i < 2500; i++) await KV.put(`k:${pad(i)}`, String(i));
        for (let i = 0; i < 30; i++) await KV.put(`other:${i}`, 'x');
        let cursor;
        let pages = [];
        let names = [];
        do {
            const l = await KV.list({ prefix: 'k:', cursor });
            pages.push(l.keys.length + (l.list_complete ? '.' : ''));
            for (const k of l.keys) names.push(k.name);
            cursor = l.cursor;
            if (l.list_complete && 'cursor' in l) out.push('cursor on a complete list');
        } while (cursor !== undefined);
        out.push(pages.join(' '));
        let ok = names.length === 2500;
        for (let i = 0; i < names.length; i++) if (names[i] !== `k:${pad(i)}`) ok = false;
        out.push(ok);
        pages = [];
        names = [];
        cursor = undefined;
        do {
            const l = await KV.list({ prefix: 'k:00', limit: 7, cursor });
            pages.push(l.keys.length);
            for (const k of l.keys) names.push(k.name);
            cursor = l.cursor;
        } while (cursor !== undefined);
        out.push(pages.join(' '), names.length, names[0], names[99]);
        const all = await KV.list({ limit: 0 });
        out.push(all.keys.length, all.list_complete, typeof all.cursor);
        const l3 = await KV.list({ limit: 3, prefix: 'other:' });
        out.push(l3.keys.map((k) => k.name).join(','), l3.list_complete);
        out.push((await KV.list({ limit: 2.9, prefix: 'other:' })).keys.length);
        out.push((await KV.list({ prefix: 'k:2499' })).keys.map((k) => k.name).join());
        out.push((await KV.list({ prefix: 'nothing' })).keys.length);
        out.push((await KV.list({ prefix: 'x'.repeat(600) })).keys.length);
        // a cursor from elsewhere: a key's bytes in base64url; before the prefix it starts at the prefix
        const c = btoa('k:2497').replace(/=+$/, '');
        out.push((await KV.list({ prefix: 'k:', cursor: c })).keys.map((k) => k.name).join());
        out.push((await KV.list({ prefix: 'other:9', cursor: btoa('a') })).keys.map((k) => k.name).join());
        out.push((await KV.list({ prefix: 'k:', cursor: 'AAAA' })).keys.length);
        await KV.delete('k:0000');
        out.push((await KV.list({ prefix: 'k:', limit: 1 })).keys[0].name);
        return new Response(out.join('\n'));
    }
};
--- response_body chomp
1000 1000 500.
true
7 7 7 7 7 7 7 7 7 7 7 7 7 7 2
100
k:0000
k:0099
1000
false
string
other:0,other:1,other:10
false
2
k:2499
0
0
k:2498,k:2499
other:9
1000
k:0001
--- timeout: 20



=== TEST 6: expiration: expirationTtl and expiration (seconds); an expired key reads as null and leaves list()
--- user_files
>>> fn.js
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
    async fetch(r, env) {
        const KV = env.KV;
        const out = [];
        const now = Math.floor(Date.now() / 1000);
        await KV.put('ttl', 'T', { expirationTtl: 1, metadata: 'm' });
        await KV.put('abs', 'A', { expiration: now + 2 });
        await KV.put('both', 'B', { expiration: now + 1000, expirationTtl: 1000 });
        await KV.put('long', 'L', { expirationTtl: 3600 });
        await KV.put('never', 'N');
        const l = await KV.list();
        out.push(l.keys.map((k) => `${k.name}:${k.expiration === undefined ? '-' : k.expiration - now}`).join(' '));
        out.push(await KV.get('ttl'), await KV.get('abs'));
        await sleep(2100);
        out.push(await KV.get('ttl'), JSON.stringify(await KV.getWithMetadata('ttl')));
        await sleep(1000);
        out.push(await KV.get('abs'), await KV.get('long'), await KV.get('never'));
        out.push((await KV.list()).keys.map((k) => k.name).join());
        await KV.put('never', 'N2', { expirationTtl: 1 });
        await KV.put('never', 'N3');
        await sleep(1100);
        out.push(await KV.get('never'));
        return new Response(out.join('\n'));
    }
};
--- response_body_like chomp
^abs:[12] both:(?:999|1000) long:(?:3599|3600) never:- ttl:[012]
T
A

\{"value":null,"metadata":null,"cacheStatus":null\}

L
N
both,long,never
N3$
--- timeout: 10



=== TEST 7: a full zone: put() fails with a clear error, every key put before reads back intact; expired keys make room; a value no larger replaces in place
--- config
    js_function_kv KV zone=small:64k;
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
--- user_files
>>> fn.js
const value = (i, n) => {
    let s = `${i}:`;
    while (s.length < n) s += String.fromCharCode(97 + (s.length * 7 + i) % 26);
    return s;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
    async fetch(r, env) {
        const KV = env.KV;
        const out = [];
        let stored = 0;
        let error = '';
        for (let i = 0; i < 1000; i++) {
            try {
                await KV.put(`key${i}`, value(i, 300 + (i % 5) * 100), { metadata: { i } });
                stored++;
            } catch (e) {
                error = `${e.name}: ${e.message}`;
                break;
            }
        }
        out.push(stored > 20 && stored < 200, error.replace(/\d+ bytes/, 'N bytes'));
        let intact = 0;
        for (let i = 0; i < stored; i++) {
            const r = await KV.getWithMetadata(`key${i}`);
            if (r.value === value(i, 300 + (i % 5) * 100) && r.metadata.i === i) intact++;
        }
        out.push(intact === stored, (await KV.list()).keys.length === stored);
        // same size: in place, even now
        await KV.put('key0', value(0, 300));
        out.push(await KV.get('key0') === value(0, 300));
        try { await KV.put('key1', value(1, 4000)); } catch (e) { out.push(e.message.replace(/\d+ bytes/, 'N bytes')); }
        out.push(await KV.get('key1') === value(1, 400));
        // expired entries go when room is needed
        for (let i = 0; i < 10; i++) await KV.put(`key${i}`, value(i, 300 + (i % 5) * 100), { expirationTtl: 1 });
        await sleep(1100);
        let added = 0;
        for (let i = 0; i < 5; i++) {
            try { await KV.put(`new${i}`, value(i, 500)); added++; } catch (e) { out.push(e.message); }
        }
        out.push(added);
        let still = 0;
        for (let i = 10; i < stored; i++) if (await KV.get(`key${i}`) === value(i, 300 + (i % 5) * 100)) still++;
        out.push(still === stored - 10);
        return new Response(out.join('\n'));
    }
};
--- response_body chomp
true
Error: KV PUT failed: 507 no room for N bytes in the js_function_kv zone "small"
true
true
true
KV PUT failed: 507 no room for N bytes in the js_function_kv zone "small"
true
5
true
--- timeout: 10



=== TEST 8: evict: a full zone drops its least recently used keys (a get counts as a use); the rest read back intact
--- config
    js_function_kv KV zone=cache:64k evict;
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
--- user_files
>>> fn.js
const value = (i) => `${i}:` + 'v'.repeat(400 + (i % 3) * 50);
export default {
    async fetch(r, env) {
        const KV = env.KV;
        const out = [];
        for (let i = 0; i < 400; i++) {
            await KV.put(`key${i}`, value(i));
            if (i > 0) await KV.get('key0');      // key0 stays recently used
        }
        const names = (await KV.list()).keys.map((k) => k.name);
        out.push(names.length > 20 && names.length < 200, names.includes('key0'), names.includes('key399'), names.includes('key1'));
        let intact = 0;
        for (const n of names) if (await KV.get(n) === value(Number(n.slice(3)))) intact++;
        out.push(intact === names.length);
        // the newest keys are those kept
        const nums = names.map((n) => Number(n.slice(3))).filter((n) => n !== 0).sort((a, b) => a - b);
        out.push(nums[nums.length - 1] === 399 && nums[nums.length - 1] - nums[0] === nums.length - 1);
        // a value larger than the whole zone fails and evicts nothing
        try { await KV.put('huge', 'x'.repeat(200000)); } catch (e) { out.push(e.message.replace(/\d+ bytes/, 'N bytes')); }
        out.push(await KV.get('huge'), (await KV.list()).keys.length === names.length);
        return new Response(out.join('\n'));
    }
};
--- response_body chomp
true
true
true
false
true
true
KV PUT failed: 507 no room for N bytes in the js_function_kv zone "cache"

true




=== TEST 9: bulk reads: get() and getWithMetadata() of an array of keys give a Map (null for missing keys), text or json, at most 100 keys
--- user_files
>>> fn.js
export default {
    async fetch(r, env) {
        const KV = env.KV;
        const out = [];
        await KV.put('a', '{"n":1}', { metadata: 'ma' });
        await KV.put('b', '"two"');
        const show = (m) => `${m instanceof Map} ` + JSON.stringify([...m]);
        out.push(show(await KV.get(['a', 'b', 'none'])));
        out.push(show(await KV.get(['b', 'a'], 'json')));
        out.push(show(await KV.get(['a', 'a'], { type: 'json' })));
        out.push(show(await KV.getWithMetadata(['a', 'b', 'none'])));
        out.push(show(await KV.getWithMetadata(['a'], 'json')));
        const keys = [];
        for (let i = 0; i < 100; i++) keys.push(i % 2 ? 'a' : `k${i}`);
        out.push((await KV.get(keys)).size);
        for (const [what, p] of [['101', KV.get([...keys, 'x'])], ['empty', KV.get([])],
                                 ['type', KV.get(['a'], 'arrayBuffer')], ['stream', KV.getWithMetadata(['a'], 'stream')],
                                 ['bad key', KV.get(['a', ''])]]) {
            try { await p; out.push(`${what}: ok`); } catch (e) { out.push(`${what}: ${e.name}: ${e.message}`); }
        }
        return new Response(out.join('\n'));
    }
};
--- response_body chomp
true [["a","{\"n\":1}"],["b","\"two\""],["none",null]]
true [["b","two"],["a",{"n":1}]]
true [["a",{"n":1}]]
true [["a",{"value":"{\"n\":1}","metadata":"ma","cacheStatus":null}],["b",{"value":"\"two\"","metadata":null,"cacheStatus":null}],["none",null]]
true [["a",{"value":{"n":1},"metadata":"ma","cacheStatus":null}]]
51
101: Error: KV GET_BULK failed: 400 Between 1 and 100 keys may be read at once, not 101.
empty: Error: KV GET_BULK failed: 400 Between 1 and 100 keys may be read at once, not 0.
type: TypeError: Unknown response type. Possible types for a bulk get are "text" and "json".
stream: TypeError: Unknown response type. Possible types for a bulk get are "text" and "json".
bad key: TypeError: Key name cannot be empty.



=== TEST 10: the zone survives nginx -s reload (same name and size): new workers read what old ones wrote
--- config
    js_function_kv KV zone=kept:1m;
    location = /put { js_function $TEST_NGINX_SERVER_ROOT/html/put.js; }
    location = /get { js_function $TEST_NGINX_SERVER_ROOT/html/get.js; }
--- user_files eval
$::ReloadFiles
--- init
main::kv_put_reload_get();
--- request
GET /result.txt
--- response_body
put: 200 put
reloaded: 1
get: 200 100 100



=== TEST 11: a reload that changes the zone's size makes a new, empty zone
--- config
    js_function_kv KV zone=resized:1m;
    location = /put { js_function $TEST_NGINX_SERVER_ROOT/html/put.js; }
    location = /get { js_function $TEST_NGINX_SERVER_ROOT/html/get.js; }
--- user_files eval
$::ReloadFiles
--- init
main::kv_put_reload_get(sub { my ($c) = @_; $c =~ s/zone=resized:1m/zone=resized:2m/; $c });
--- request
GET /result.txt
--- response_body
put: 200 put
reloaded: 1
get: 200 0 0



=== TEST 12: one zone in two locations (declared once with its size), two namespaces in one location, bindings inherited from http and server levels and overridden
--- http_config
    js_function_kv TOP zone=top:64k;
--- config
    js_function_kv SHARED zone=shared:1m;
    location = /a {
        js_function_kv OTHER zone=other:64k;
        js_function $TEST_NGINX_SERVER_ROOT/html/fn.js;
    }
    location = /b {
        js_function_kv OTHER zone=shared;
        js_function $TEST_NGINX_SERVER_ROOT/html/fn.js;
    }
    location = /c {
        js_function_env OTHER plain;
        js_function $TEST_NGINX_SERVER_ROOT/html/fn.js;
    }
--- user_files
>>> fn.js
export default {
    async fetch(r, env) {
        const path = new URL(r.url).pathname;
        const names = Object.keys(env).sort().map((k) => `${k}=${typeof env[k] === 'string' ? env[k] : 'kv'}`).join(',');
        await env.SHARED.put('from', path);
        if (typeof env.OTHER === 'object') await env.OTHER.put('other', path);
        await env.TOP.put('top', (await env.TOP.get('top') || '') + path);
        const o = typeof env.OTHER === 'object' ? await env.OTHER.get('other') : '-';
        return new Response(`${names} ${await env.SHARED.get('from')} ${await env.SHARED.get('other')} ${o} ${await env.TOP.get('top')}`);
    }
};
--- request eval
["GET /a", "GET /b", "GET /a", "GET /c"]
--- response_body eval
["OTHER=kv,SHARED=kv,TOP=kv /a null /a /a",
 "OTHER=kv,SHARED=kv,TOP=kv /b /b /b /a/b",
 "OTHER=kv,SHARED=kv,TOP=kv /a /b /a /a/b/a",
 "OTHER=plain,SHARED=kv,TOP=kv /c /b - /a/b/a/c"]



=== TEST 13: one zone in two servers
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name other;
        js_function_kv KV zone=servers:1m;
        location = /x { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
    }
--- config
    js_function_kv KV zone=servers;
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
    location = /other {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/x;
        proxy_set_header Host other;
    }
--- user_files
>>> fn.js
export default {
    async fetch(r, env) {
        const host = r.headers.get('host');
        const seen = await env.KV.get('last');
        await env.KV.put('last', host);
        return new Response(`${host} saw ${seen}`);
    }
};
--- request eval
["GET /fn", "GET /other", "GET /fn"]
--- response_body eval
["localhost saw null", "other saw localhost", "localhost saw other"]



=== TEST 14: a zone named but never given a size fails nginx -t
--- config
    location = /a {
        js_function_kv KV zone=nosize;
        js_function $TEST_NGINX_SERVER_ROOT/html/fn.js;
    }
--- user_files
>>> fn.js
export default { fetch() { return new Response('x'); } };
--- must_die
--- error_log
zero size shared memory zone "nosize"



=== TEST 15: two sizes for one zone fail
--- config
    js_function_kv A zone=twice:1m;
    js_function_kv B zone=twice:2m;
--- must_die
--- error_log
the size 2097152 of shared memory zone "twice" conflicts with already declared size 1048576



=== TEST 16: a zone of another module's name fails
--- http_config
    limit_req_zone $binary_remote_addr zone=lr:1m rate=1r/s;
--- config
    js_function_kv KV zone=lr:1m;
--- must_die
--- error_log
the shared memory zone "lr" is already declared for a different use



=== TEST 17: bad parameters fail
--- config
    js_function_kv KV zone=z:1m lru;
--- must_die
--- error_log
js_function_kv: invalid parameter "lru"



=== TEST 18: a zone too small fails
--- config
    js_function_kv KV zone=z:8k;
--- must_die
--- error_log
js_function_kv: zone "z" is too small (at least 32k)



=== TEST 19: one binding name twice in a level fails
--- config
    js_function_kv KV zone=z:1m;
    js_function_kv KV zone=y:1m;
--- must_die
--- error_log
js_function_kv: "KV" is duplicate



=== TEST 20: no zone= fails
--- config
    js_function_kv KV evict;
--- must_die
--- error_log
js_function_kv: "KV" needs zone=NAME:SIZE



=== TEST 21: two workers share the zone: sequential read-increment-write requests on new connections, served by both, count every one
--- config
    js_function_kv KV zone=count:1m;
    location = /inc { js_function $TEST_NGINX_SERVER_ROOT/html/inc.js; }
--- user_files
>>> inc.js
export default {
    async fetch(r, env) {
        const n = Number(await env.KV.get('n') || 0) + 1;
        await env.KV.put('n', String(n));
        return new Response(`${r.headers.get('x-pid') || ''}${globalThis.pid ??= String(Math.random()).slice(2, 10)} ${n}`);
    }
};
--- init
main::kv_counter(120);
--- request
GET /result.txt
--- response_body chomp
workers=2
bad=0



=== TEST 22: many connections at once put and read back values of many sizes: none is corrupted
--- config
    js_function_kv KV zone=busy:8m;
    location = /rw { js_function $TEST_NGINX_SERVER_ROOT/html/rw.js; }
--- user_files
>>> rw.js
const value = (key, n) => {
    const u8 = new Uint8Array(n);
    let x = 0;
    for (let i = 0; i < key.length; i++) x = (x * 31 + key.charCodeAt(i)) >>> 0;
    for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; u8[i] = x >>> 24; }
    return u8;
};
const same = (a, b) => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
};
export default {
    async fetch(r, env) {
        const q = new URL(r.url).searchParams;
        const c = q.get('c');
        const i = Number(q.get('i'));
        // each client has its keys; every client also writes the shared key
        const key = `c${c}:${i % 7}`;
        const n = 1 + ((i * 7919 + Number(c) * 104729) % 20000);
        await env.KV.put(key, value(key, n), { metadata: { n } });
        await env.KV.put('shared', value('shared' + c, 1000 + Number(c)), { metadata: { c } });
        const mine = await env.KV.getWithMetadata(key, 'arrayBuffer');
        const shared = await env.KV.getWithMetadata('shared', 'arrayBuffer');
        const sc = shared.metadata.c;
        const ok = mine.metadata.n === n && same(new Uint8Array(mine.value), value(key, n))
            && same(new Uint8Array(shared.value), value('shared' + sc, 1000 + Number(sc)));
        return new Response(ok ? 'ok' : 'corrupt');
    }
};
--- init
main::kv_concurrent(6, 60);
--- request
GET /result.txt
--- response_body chomp
ok=360 bad=0
--- timeout: 30



=== TEST 23: env.NAME works in timers and ctx.waitUntil() after the response; a later request (any worker) reads what they wrote
--- config
    js_function_kv KV zone=later:1m;
    location = /w { js_function $TEST_NGINX_SERVER_ROOT/html/w.js; }
    location = /r { js_function $TEST_NGINX_SERVER_ROOT/html/r.js; }
--- user_files
>>> w.js
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
    async fetch(r, env, ctx) {
        const KV = env.KV;
        setTimeout(() => { KV.put('timer', 'from a timer'); }, 20);
        ctx.waitUntil((async () => {
            await sleep(50);
            await env.KV.put('wait', 'from waitUntil', { metadata: await KV.get('timer') });
        })());
        return new Response('sent');
    }
};
>>> r.js
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
    async fetch(r, env) {
        for (let i = 0; i < 100 && await env.KV.get('wait') === null; i++) await sleep(20);
        return new Response(JSON.stringify(await env.KV.getWithMetadata('wait')));
    }
};
--- request eval
["GET /w", "GET /r"]
--- response_body eval
["sent", '{"value":"from waitUntil","metadata":"from a timer","cacheStatus":null}']



=== TEST 24: replaced built-ins (JSON, Promise.prototype.then, Array.prototype.push, String, setters on Object.prototype) do not steer the namespace
--- config
    js_function_kv KV zone=hostile:1m;
    location = /fn { js_function $TEST_NGINX_SERVER_ROOT/html/fn.js; }
--- user_files
>>> fn.js
const realStringify = JSON.stringify;
const log = [];
export default {
    async fetch(r, env) {
        const KV = env.KV;
        // (the streams polyfill's own queues use Array.prototype.push)
        const stream = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([67])); c.enqueue(new Uint8Array([68])); c.close(); } });
        JSON.stringify = () => '"forged"';
        JSON.parse = () => 'forged';
        String = function () { return 'forged'; };
        Array.prototype.push = function () { throw new Error('push'); };
        Uint8Array.prototype.set = function () { throw new Error('set'); };
        Object.defineProperty(Object.prototype, 'name', { set(v) { log[log.length] = v; }, configurable: true });
        Object.defineProperty(Object.prototype, 'metadata', { set(v) { log[log.length] = v; }, configurable: true });
        Object.defineProperty(Object.prototype, 'keys', { set(v) { log[log.length] = v; }, configurable: true });
        const then = Promise.prototype.then;
        Promise.prototype.then = function (f, g) { return then.call(this, f, g); };
        await KV.put('a', 'A', { metadata: { m: [1] } });
        await KV.put(12, { length: 1, 0: 1 }.length === 1 ? new Uint8Array([65, 66]) : 'x');
        await KV.put('s', stream);
        await KV.put('j', '{"x":2}');
        const g = await KV.getWithMetadata('a', 'arrayBuffer');
        const l = await KV.list();
        const out = realStringify([await KV.get('a'), await KV.get('12'), await KV.get('s'), (await KV.getWithMetadata('a')).metadata, g.metadata, await KV.get('j', 'json'), l]);
        delete Object.prototype.name;
        delete Object.prototype.metadata;
        delete Object.prototype.keys;
        return new Response(out + ' ' + log.length);
    }
};
--- response_body chomp
["A","AB","CD",{"m":[1]},{"m":[1]},{"x":2},{"keys":[{"name":"12"},{"name":"a","metadata":{"m":[1]}},{"name":"j"},{"name":"s"}],"list_complete":true,"cacheStatus":null}] 0



=== TEST 25: a value bigger than the function's memory is a RangeError for that get; the isolate goes on
--- config
    js_function_kv KV zone=big:64m;
    location = /put { js_function $TEST_NGINX_SERVER_ROOT/html/put.js; }
    location = /get {
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/get.js;
    }
--- user_files
>>> put.js
export default {
    async fetch(r, env) {
        await env.KV.put('big', new Uint8Array(24 * 1024 * 1024).fill(7));
        await env.KV.put('small', 'ok');
        return new Response('put');
    }
};
>>> get.js
export default {
    async fetch(r, env) {
        const out = [];
        for (const type of ['arrayBuffer', 'text', 'stream']) {
            try {
                await env.KV.get('big', type);
                out.push('got it');
            } catch (e) {
                out.push(`${e.name}: ${e.message}`);
            }
        }
        out.push(await env.KV.get('small'));
        return new Response(out.join('\n'));
    }
};
--- request eval
["GET /put", "GET /get", "GET /get"]
--- response_body eval
["put",
"RangeError: KV GET failed: the value does not fit the function's memory (js_function_memory)
RangeError: KV GET failed: the value does not fit the function's memory (js_function_memory)
RangeError: KV GET failed: the value does not fit the function's memory (js_function_memory)
ok",
"RangeError: KV GET failed: the value does not fit the function's memory (js_function_memory)
RangeError: KV GET failed: the value does not fit the function's memory (js_function_memory)
RangeError: KV GET failed: the value does not fit the function's memory (js_function_memory)
ok"]
--- timeout: 10



=== TEST 26: a location without bindings has a plain env and no KvNamespace global; a namespace object is made once per isolate and per zone
--- config
    location = /fn {
        js_function_kv KV zone=once:1m;
        js_function_kv KV2 zone=once;
        js_function $TEST_NGINX_SERVER_ROOT/html/fn.js;
    }
    location = /plain { js_function $TEST_NGINX_SERVER_ROOT/html/plain.js; }
--- user_files
>>> fn.js
let first = null;
export default {
    async fetch(r, env) {
        const same = first === null ? 'first' : String(first === env.KV);
        first ??= env.KV;
        return new Response(`${same} ${env.KV === env.KV2} ${typeof globalThis.KvNamespace} ${Object.keys(env)}`);
    }
};
>>> plain.js
export default {
    fetch(r, env) {
        return new Response(`${JSON.stringify(env)} ${typeof globalThis.KvNamespace}`);
    }
};
--- pipelined_requests eval
["GET /fn", "GET /fn", "GET /plain"]
--- response_body eval
["first true undefined KV,KV2", "true true undefined KV,KV2", "{} undefined"]



=== TEST 27: an unknown parameter fails
--- config
    js_function_kv KV off;
--- must_die
--- error_log
js_function_kv: invalid parameter "off"
