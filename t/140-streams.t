# Streams: ReadableStream, WritableStream, TransformStream and friends
# (web-streams-polyfill), TextEncoderStream/TextDecoderStream,
# CompressionStream/DecompressionStream (zlib), and bodies as streams: read by
# a function, returned by it and sent to the client, their errors and limits.

use Test::Nginx::Socket 'no_plan';
use IO::Compress::Gzip qw(gzip);
use IO::Compress::Deflate qw(deflate);
use IO::Compress::RawDeflate qw(rawdeflate);
use IO::Uncompress::Gunzip qw(gunzip);
use IO::Uncompress::Inflate qw(inflate);
use IO::Uncompress::RawInflate qw(rawinflate);
use MIME::Base64 qw(decode_base64);

master_on();
workers(1);

our $Text = "streamed through zlib, " x 40;

# zlib's bytes for $Text, as a request body (the harness trims a body's
# whitespace: these have none at either end)
sub zbytes {
    my ($f) = @_;
    my $out;
    ($f eq 'gzip' ? \&gzip : $f eq 'deflate' ? \&deflate : \&rawdeflate)
        ->(\$Text => \$out) or die "$f failed";
    die "$f output starts or ends with whitespace" if $out =~ /^\s|\s$/;
    return $out;
}

# "format base64" lines of the function's output, decompressed by Perl
sub unzip_lines {
    my ($body) = @_;
    my $res = '';
    for my $line (split /\n/, $body) {
        my ($f, $b64) = split / /, $line;
        my ($in, $out) = (decode_base64($b64), undef);
        ($f eq 'gzip' ? \&gunzip : $f eq 'deflate' ? \&inflate : \&rawinflate)
            ->(\$in => \$out) or return "$f: not $f data";
        $res .= "$f " . ($out eq $Text ? 'same' : 'differs') . "\n";
    }
    return $res;
}

# A gzip bomb: 1 GiB of zeros gzipped, then gzipped again (zlib level 9,
# windowBits 31, both times): 1827 bytes.
our $Bomb = decode_base64(<<'B64');
H4sIAAAAAAACA+3coW5TcRyG4XataCY2JqYQ4yZIZkiKAYvYFGIhmZlAottkoDDcCRguABR3AHO7
gGViWVALpe1NLDnv85j/0T/55eQ9+jwbbexMbn6Mx+uP5Zd/X29nuyMAAABg4JZXl5PNGDB6tvr9
6s0pAAAAMHTv9vem21Hg4ezpS+cAAACAwfv04vjJ9g+Bu8X7qXMAAADA4B3+vZ5vt4Bfq+8HJ+4B
AAAAg/dHMAAAAABSBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAg
RjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAA
AFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMA
AACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUw
AAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABa
BAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAA
IEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAA
AABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQD
AAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBF
MAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAA
WgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAA
ACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAA
AAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoE
AwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACg
RTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAA
AFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMA
AAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYw
AAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABa
BAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAA
oEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAA
AABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQD
AAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBG
MAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAA
WgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAA
AKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAA
AAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWgQDAAAAoEUwAAAAAFoE
AwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAAAFoEAwAAAKBFMAAAAABaBAMAAAAg
RjAAAAAAWgQDAAAAoEUwAAAAAFoEAwAAACBGMAAAAABaBAMAAACgRTAAAAAAWgQDAAAAIEYwAAAA
AFoEAwAAAKBFMAAAAABaBAMAAAAgRjAAAAAAWi7292abLeDj/eLD69Eje/7t5/nb9Tv/D9RnhczI
7A8A
B64

# a function file that has inflated(): the bomb's 1 GiB as a stream
sub bomb_js {
    my ($name, $body) = @_;
    return [[$name, "const BOMB = '" . MIME::Base64::encode_base64($Bomb, '') . "';\n" . <<'JS' . $body]];
const inflated = () => new Response(Uint8Array.from(atob(BOMB), (c) => c.charCodeAt(0))).body
    .pipeThrough(new DecompressionStream('gzip'))
    .pipeThrough(new DecompressionStream('gzip'));
JS
}

run_tests();

__DATA__

=== TEST 1: the stream classes are globals the Web IDL way, with their names, lengths and tags; controllers, readers and requests cannot be made directly
--- config
    location = /g { js_function $TEST_NGINX_SERVER_ROOT/html/g.js; }
--- user_files
>>> g.js
const NAMES = ['ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader',
    'ReadableStreamDefaultController', 'ReadableByteStreamController', 'ReadableStreamBYOBRequest',
    'WritableStream', 'WritableStreamDefaultWriter', 'WritableStreamDefaultController',
    'TransformStream', 'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
    'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream',
    'DecompressionStream'];
export default {
    fetch() {
        const out = [];
        for (const n of NAMES) {
            const d = Object.getOwnPropertyDescriptor(globalThis, n);
            const C = d.value;
            let made;
            try { new C(); made = 'made'; } catch (e) { made = e.constructor.name; }
            out.push(`${n} ${typeof C} ${C.name === n} ${C.length} ${d.enumerable}`
                + ` ${d.writable} ${d.configurable} ${Object.prototype.toString.call(C.prototype)} ${made}`);
        }
        out.push('enumerable: ' + Object.keys(globalThis).filter((k) => /Stream|Strategy/.test(k)).length);
        return new Response(out.join('\n') + '\n');
    },
};
--- request
GET /g
--- response_body
ReadableStream function true 0 false true true [object ReadableStream] made
ReadableStreamDefaultReader function true 1 false true true [object ReadableStreamDefaultReader] TypeError
ReadableStreamBYOBReader function true 1 false true true [object ReadableStreamBYOBReader] TypeError
ReadableStreamDefaultController function true 0 false true true [object ReadableStreamDefaultController] TypeError
ReadableByteStreamController function true 0 false true true [object ReadableByteStreamController] TypeError
ReadableStreamBYOBRequest function true 0 false true true [object ReadableStreamBYOBRequest] TypeError
WritableStream function true 0 false true true [object WritableStream] made
WritableStreamDefaultWriter function true 1 false true true [object WritableStreamDefaultWriter] TypeError
WritableStreamDefaultController function true 0 false true true [object WritableStreamDefaultController] TypeError
TransformStream function true 0 false true true [object TransformStream] made
TransformStreamDefaultController function true 0 false true true [object TransformStreamDefaultController] TypeError
ByteLengthQueuingStrategy function true 1 false true true [object ByteLengthQueuingStrategy] TypeError
CountQueuingStrategy function true 1 false true true [object CountQueuingStrategy] TypeError
TextEncoderStream function true 0 false true true [object TextEncoderStream] made
TextDecoderStream function true 0 false true true [object TextDecoderStream] made
CompressionStream function true 1 false true true [object CompressionStream] TypeError
DecompressionStream function true 1 false true true [object DecompressionStream] TypeError
enumerable: 0
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: the library is loaded on first use: a global assigned or deleted before any stream was made stays so, the others still work
--- config
    location = /lazy { js_function $TEST_NGINX_SERVER_ROOT/html/lazy.js; }
--- user_files
>>> lazy.js
globalThis.WritableStream = 'mine';
delete globalThis.CountQueuingStrategy;
const before = Object.getOwnPropertyDescriptor(globalThis, 'ReadableStream');
export default {
    async fetch() {
        const ts = new TransformStream();
        const w = ts.writable.getWriter();
        w.write('x');
        w.close();
        const got = [];
        for await (const c of ts.readable) got.push(c);
        return new Response(`${WritableStream} ${typeof globalThis.CountQueuingStrategy} `
            + `${typeof before.value} ${before.writable} ${before.enumerable} ${got}`
            + ` ${new Response('b').body instanceof ReadableStream}\n`);
    },
};
--- request
GET /lazy
--- response_body
mine undefined function true false x true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: ReadableStream: readers, async iteration, tee, pipeTo, pipeThrough, ReadableStream.from, cancel, and the errors of misuse
--- config
    location = /rs { js_function $TEST_NGINX_SERVER_ROOT/html/rs.js; }
--- user_files
>>> rs.js
const from = (list) => new ReadableStream({
    start(c) { for (const x of list) c.enqueue(x); c.close(); },
});
async function all(rs) { const got = []; for await (const x of rs) got.push(x); return got.join(','); }
const name = (e) => (e ? e.constructor.name : 'none');
export default {
    async fetch() {
        const out = [];
        const r = from(['a', 'b']).getReader();
        out.push(`read: ${JSON.stringify(await r.read())} ${JSON.stringify(await r.read())}`
            + ` ${JSON.stringify(await r.read())}`);
        out.push(`iterate: ${await all(from([1, 2, 3]))}`);
        const [t1, t2] = from(['x', 'y']).tee();
        out.push(`tee: ${await all(t1)} ${await all(t2)}`);
        const got = [];
        await from(['p', 'q']).pipeTo(new WritableStream({ write(c) { got.push(c); } }));
        out.push(`pipeTo: ${got.join(',')}`);
        const up = new TransformStream({ transform(c, ctl) { ctl.enqueue(c.toUpperCase()); } });
        out.push(`pipeThrough: ${await all(from(['m', 'n']).pipeThrough(up))}`);
        async function* gen() { yield 'g1'; await new Promise((ok) => setTimeout(ok, 1)); yield 'g2'; }
        out.push(`from: ${await all(ReadableStream.from(gen()))} ${await all(ReadableStream.from(['i', 'j']))}`);
        let reason;
        const rc = new ReadableStream({ cancel(why) { reason = why; } });
        await rc.cancel('enough');
        out.push(`cancel: ${reason}`);
        const locked = from([]);
        locked.getReader();
        let e1, e2, e3, e4;
        try { locked.getReader(); } catch (e) { e1 = e; }
        try { await locked.pipeTo(new WritableStream()); } catch (e) { e2 = e; }
        try { new ReadableStream({ type: 'nope' }); } catch (e) { e3 = e; }
        try { ReadableStream.from(42); } catch (e) { e4 = e; }
        out.push(`locked: ${locked.locked} ${name(e1)} ${name(e2)}; bad type: ${name(e3)}; from(42): ${name(e4)}`);
        const ac = new AbortController();
        const endless = new ReadableStream({ pull(c) { c.enqueue('x'); } });
        const piped = endless.pipeTo(new WritableStream(), { signal: ac.signal });
        ac.abort('enough of that');
        try { await piped; } catch (e) { out.push(`pipeTo aborted: ${e}`); }
        const failing = new ReadableStream({ pull() { throw new RangeError('source failed'); } });
        try { await failing.getReader().read(); } catch (e) { out.push(`errored: ${name(e)} ${e.message}`); }
        return new Response(out.join('\n') + '\n');
    },
};
--- request
GET /rs
--- response_body
read: {"value":"a","done":false} {"value":"b","done":false} {"done":true}
iterate: 1,2,3
tee: x,y x,y
pipeTo: p,q
pipeThrough: M,N
from: g1,g2 i,j
cancel: enough
locked: true TypeError TypeError; bad type: TypeError; from(42): TypeError
pipeTo aborted: enough of that
errored: RangeError source failed
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: byte streams: BYOB readers fill the caller's view, the stream takes over (detaches) enqueued chunks and the views it fills, byobRequest.respond()
--- config
    location = /bytes { js_function $TEST_NGINX_SERVER_ROOT/html/bytes.js; }
--- user_files
>>> bytes.js
export default {
    async fetch() {
        const out = [];
        const chunk = new Uint8Array([1, 2, 3, 4, 5]);
        const rs = new ReadableStream({ type: 'bytes', start(c) { c.enqueue(chunk); c.close(); } });
        out.push(`enqueued chunk detached: ${chunk.byteLength === 0 && chunk.buffer.byteLength === 0}`);
        const r = rs.getReader({ mode: 'byob' });
        const mine = new Uint8Array(3);
        const a = await r.read(mine);
        out.push(`byob read: ${a.value} (${a.value.constructor.name}), given view detached: ${mine.byteLength === 0}`);
        const b = await r.read(new Uint8Array(8));
        out.push(`then: ${b.value}`);
        const c = await r.read(new Uint8Array(8));
        out.push(`end: ${c.done} ${c.value.byteLength}`);
        const pulled = new ReadableStream({
            type: 'bytes',
            pull(ctl) {
                const v = ctl.byobRequest.view;
                v[0] = 42; v[1] = 43;
                ctl.byobRequest.respond(2);
                ctl.close();
            },
        });
        const r2 = pulled.getReader({ mode: 'byob' });
        const d = await r2.read(new Uint16Array(4));
        out.push(`respond: ${d.value.constructor.name} ${d.value.byteLength} ${new Uint8Array(d.value.buffer, 0, 2)}`);
        let e1;
        try { new ReadableStream().getReader({ mode: 'byob' }); } catch (e) { e1 = e; }
        out.push(`byob reader of a default stream: ${e1 && e1.constructor.name}`);
        let e2;
        try { await new ReadableStream({ type: 'bytes' }).getReader({ mode: 'byob' }).read(new Uint8Array(0)); } catch (e) { e2 = e; }
        out.push(`empty view: ${e2 && e2.constructor.name}`);
        return new Response(out.join('\n') + '\n');
    },
};
--- request
GET /bytes
--- response_body
enqueued chunk detached: true
byob read: 1,2,3 (Uint8Array), given view detached: true
then: 4,5
end: true 0
respond: Uint16Array 2 42,43
byob reader of a default stream: TypeError
empty view: TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: WritableStream and the queuing strategies: backpressure, close, abort, a sink that fails
--- config
    location = /ws { js_function $TEST_NGINX_SERVER_ROOT/html/ws.js; }
--- user_files
>>> ws.js
export default {
    async fetch() {
        const out = [];
        const seen = [];
        let release;
        const ws = new WritableStream({
            write(c) { seen.push(c); return new Promise((ok) => { release = ok; }); },
            close() { seen.push('closed'); },
        }, new CountQueuingStrategy({ highWaterMark: 2 }));
        const w = ws.getWriter();
        out.push(`desiredSize: ${w.desiredSize}`);
        const p1 = w.write('a'); w.write('b'); w.write('c');
        out.push(`after 3 writes: ${w.desiredSize}`);
        await Promise.resolve();
        release(); await p1;
        await new Promise((ok) => setTimeout(ok, 1)); release();
        await new Promise((ok) => setTimeout(ok, 1)); release();
        await w.close();
        out.push(`sink saw: ${seen.join(',')}`);
        const bl = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
        out.push(`byte length strategy: ${bl.highWaterMark} ${bl.size(new Uint8Array(5))}`);
        let reason, ctl;
        const wa = new WritableStream({ start(c) { ctl = c; }, abort(why) { reason = why; } });
        const signal = ctl.signal;
        await wa.getWriter().abort('stop');
        out.push(`abort: ${reason}, controller.signal: ${signal instanceof AbortSignal} ${signal.aborted} ${signal.reason}`);
        const wf = new WritableStream({ write() { throw new TypeError('sink failed'); } });
        const wfw = wf.getWriter();
        let e1, e2;
        try { await wfw.write('x'); } catch (e) { e1 = e; }
        try { await wfw.write('y'); } catch (e) { e2 = e; }
        out.push(`failing sink: ${e1.message} / ${e2 === e1}`);
        let e3;
        try { ws.getWriter(); ws.getWriter(); } catch (e) { e3 = e; }
        out.push(`second writer: ${e3 && e3.constructor.name}`);
        let e4;
        try { new CountQueuingStrategy(); } catch (e) { e4 = e; }
        out.push(`strategy without init: ${e4 && e4.constructor.name}`);
        return new Response(out.join('\n') + '\n');
    },
};
--- request
GET /ws
--- response_body
desiredSize: 2
after 3 writes: -1
sink saw: a,b,c,closed
byte length strategy: 16 5
abort: stop, controller.signal: true true stop
failing sink: sink failed / true
second writer: TypeError
strategy without init: TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: TransformStream: transform and flush, terminate(), error() errors both sides
--- config
    location = /ts { js_function $TEST_NGINX_SERVER_ROOT/html/ts.js; }
--- user_files
>>> ts.js
async function all(rs) { const got = []; for await (const x of rs) got.push(x); return got.join(','); }
export default {
    async fetch() {
        const out = [];
        const ts = new TransformStream({
            transform(c, ctl) { ctl.enqueue(c * 2); },
            flush(ctl) { ctl.enqueue('end'); },
        });
        const w = ts.writable.getWriter();
        w.write(1); w.write(2); w.close();
        out.push(`doubled: ${await all(ts.readable)}`);
        const tt = new TransformStream({ start(ctl) { ctl.enqueue('only'); ctl.terminate(); } });
        out.push(`terminate: ${await all(tt.readable)}`);
        let e1;
        try { await tt.writable.getWriter().write('late'); } catch (e) { e1 = e; }
        out.push(`write after terminate: ${e1 && e1.constructor.name}`);
        const te = new TransformStream({ transform(c, ctl) { ctl.error(new SyntaxError('bad chunk')); } });
        const tw = te.writable.getWriter();
        const rd = te.readable.getReader();
        tw.write('x').catch(() => {});
        let e2, e3;
        try { await rd.read(); } catch (e) { e2 = e; }
        try { await tw.ready; } catch (e) { e3 = e; }
        out.push(`error: ${e2.name} ${e2.message}, writable: ${e3 === e2}`);
        return new Response(out.join('\n') + '\n');
    },
};
--- request
GET /ts
--- response_body
doubled: 2,4,end
terminate: only
write after terminate: TypeError
error: SyntaxError bad chunk, writable: true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: TextEncoderStream: UTF-8 chunks, surrogate pairs split across chunks put together, lone surrogates as U+FFFD
--- config
    location = /tes { js_function $TEST_NGINX_SERVER_ROOT/html/tes.js; }
--- user_files
>>> tes.js
const from = (list) => new ReadableStream({
    start(c) { for (const x of list) c.enqueue(x); c.close(); },
});
const L = '\u{1F499}'[0], T = '\u{1F499}'[1];
async function enc(chunks) {
    const out = [];
    for await (const u of from(chunks).pipeThrough(new TextEncoderStream())) {
        out.push(`${u.constructor.name}[${Array.from(u, (b) => b.toString(16)).join(' ')}]`);
    }
    return out.join(' ') || '(none)';
}
export default {
    async fetch() {
        const out = [];
        out.push(`ascii and latin1: ${await enc(['A', '\xff'])}`);
        out.push(`split pair: ${await enc([L, T])}`);
        out.push(`pair split, then one whole: ${await enc([L, T + '\u{1F499}'])}`);
        out.push(`lead, empty, trail: ${await enc([L, '', T])}`);
        out.push(`lead, lead: ${await enc([L, L])}`);
        out.push(`lead at the end: ${await enc([L])}`);
        out.push(`trail first: ${await enc([T, 'A'])}`);
        out.push(`empty: ${await enc([''])}`);
        out.push(`numbers: ${await enc([12])}`);
        const s = new TextEncoderStream();
        out.push(`encoding: ${s.encoding}`);
        const w = s.writable.getWriter();
        const rd = s.readable.getReader();
        const wp = w.write(Symbol('x'));
        const rp = rd.read();
        let e1, e2;
        try { await wp; } catch (e) { e1 = e; }
        try { await rp; } catch (e) { e2 = e; }
        out.push(`symbol chunk: ${e1.constructor.name} ${e2 === e1}`);
        return new Response(out.join('\n') + '\n');
    },
};
--- request
GET /tes
--- response_body
ascii and latin1: Uint8Array[41] Uint8Array[c3 bf]
split pair: Uint8Array[f0 9f 92 99]
pair split, then one whole: Uint8Array[f0 9f 92 99 f0 9f 92 99]
lead, empty, trail: Uint8Array[f0 9f 92 99]
lead, lead: Uint8Array[ef bf bd] Uint8Array[ef bf bd]
lead at the end: Uint8Array[ef bf bd]
trail first: Uint8Array[ef bf bd] Uint8Array[41]
empty: (none)
numbers: Uint8Array[31 32]
encoding: utf-8
symbol chunk: TypeError true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: TextDecoderStream: characters split across chunks (UTF-8, UTF-16), the BOM, ignoreBOM, fatal, other encodings, and chunks that are not BufferSources
--- config
    location = /tds { js_function $TEST_NGINX_SERVER_ROOT/html/tds.js; }
--- user_files
>>> tds.js
const from = (list) => new ReadableStream({
    start(c) { for (const x of list) c.enqueue(x); c.close(); },
});
const u8 = (...b) => new Uint8Array(b);
async function dec(chunks, opts, label = 'utf-8') {
    const out = [];
    try {
        for await (const s of from(chunks).pipeThrough(new TextDecoderStream(label, opts))) {
            out.push(JSON.stringify(s));
        }
    } catch (e) {
        out.push(`${e.constructor.name}`);
    }
    return out.join(' ') || '(none)';
}
export default {
    async fetch() {
        const out = [];
        out.push(`split 4-byte: ${await dec([u8(0x49, 0x20, 0xf0, 0x9f), u8(0x92), u8(0x99, 0x21)])}`);
        out.push(`BOM split: ${await dec([u8(0xef, 0xbb), u8(0xbf, 0x41)])}`);
        out.push(`ignoreBOM: ${await dec([u8(0xef, 0xbb, 0xbf, 0x41)], { ignoreBOM: true })}`);
        out.push(`cut at the end: ${await dec([u8(0x41, 0xe2, 0x82)])}`);
        out.push(`invalid: ${await dec([u8(0x41, 0xff, 0x42)])}`);
        out.push(`fatal invalid: ${await dec([u8(0x41), u8(0xff)], { fatal: true })}`);
        out.push(`fatal cut at the end: ${await dec([u8(0x41, 0xe2, 0x82)], { fatal: true })}`);
        const ab = u8(0x68, 0x69).buffer;
        out.push(`ArrayBuffer, DataView, Int16Array: ${await dec([ab, new DataView(u8(0x6a).buffer), new Int16Array(u8(0x6b, 0x6c).buffer)])}`);
        const gone = new ArrayBuffer(4);
        new ReadableStream({ type: 'bytes', start(c) { c.enqueue(new Uint8Array(gone)); } });
        out.push(`detached: ${await dec([gone, u8(0x6d)])}`);
        out.push(`empty chunks: ${await dec([u8(), u8(0x6e), u8()])}`);
        for (const [what, v] of [['string', 'abc'], ['null', null], ['array', [65]],
                                 ['SharedArrayBuffer', new SharedArrayBuffer(2)],
                                 ['shared view', new Uint8Array(new SharedArrayBuffer(2))]]) {
            out.push(`${what}: ${await dec([v])}`);
        }
        const d = new TextDecoderStream('UTF8', { fatal: true });
        out.push(`attributes: ${d.encoding} ${d.fatal} ${d.ignoreBOM} ${new TextDecoderStream('latin2').encoding}`);
        out.push(`UTF-16LE pair split: ${await dec([u8(0x3d), u8(0xd8, 0x99), u8(0xdc)], undefined, 'utf-16le')}`);
        out.push(`windows-1252: ${await dec([u8(0x80, 0x41)], undefined, 'ascii')}`);
        let e1;
        try { new TextDecoderStream('nope'); } catch (e) { e1 = e; }
        out.push(`unknown label: ${e1 && e1.constructor.name}`);
        return new Response(out.join('\n') + '\n');
    },
};
--- request
GET /tds
--- response_body
split 4-byte: "I " "💙!"
BOM split: "A"
ignoreBOM: "﻿A"
cut at the end: "A" "�"
invalid: "A�B"
fatal invalid: "A" TypeError
fatal cut at the end: "A" TypeError
ArrayBuffer, DataView, Int16Array: "hi" "j" "kl"
detached: "m"
empty chunks: "n"
string: TypeError
null: TypeError
array: TypeError
SharedArrayBuffer: TypeError
shared view: TypeError
attributes: utf-8 true false iso-8859-2
UTF-16LE pair split: "💙"
windows-1252: "€A"
unknown label: RangeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: CompressionStream: gzip, deflate and deflate-raw that Perl's zlib decompresses to the input, with the output in chunks of at most 64 KB
--- config
    location = /cs { js_function $TEST_NGINX_SERVER_ROOT/html/cs.js; }
--- user_files
>>> cs.js
const TEXT = 'streamed through zlib, '.repeat(40);
async function compress(format, pieces) {
    const cs = new CompressionStream(format);
    const w = cs.writable.getWriter();
    for (const p of pieces) w.write(p);
    w.close();
    const parts = [];
    for await (const c of cs.readable) parts.push(c);
    return parts;
}
const join = (parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let n = 0;
    for (const p of parts) { out.set(p, n); n += p.length; }
    return out;
};
const b64 = (u) => btoa(String.fromCharCode(...u));
export default {
    async fetch() {
        const out = [];
        const bytes = new TextEncoder().encode(TEXT);
        for (const f of ['gzip', 'deflate', 'deflate-raw']) {
            // in three pieces, the middle one an ArrayBuffer
            const parts = await compress(f, [bytes.subarray(0, 100), bytes.slice(100, 500).buffer, bytes.subarray(500)]);
            out.push(`${f === 'deflate-raw' ? 'raw' : f} ${b64(join(parts))}`);
        }
        // 4 MB of random bytes compress to more than 4 MB
        const big = new Uint8Array(4 << 20);
        let x = 1;
        for (let i = 0; i < big.length; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; big[i] = x >>> 24; }
        const parts = await compress('gzip', [big]);
        const largest = Math.max(...parts.map((p) => p.length));
        out.push(`random ${parts.length > 64} ${largest <= 65536} ${join(parts).length > big.length}`);
        return new Response(out.join('\n') + '\n');
    },
};
--- request
GET /cs
--- timeout: 10
--- response_body_filters eval
sub { my $b = shift; my ($last) = $b =~ /^(random .*)$/m; main::unzip_lines(CORE::join "\n", grep { !/^random/ } split /\n/, $b) . "$last\n" }
--- response_body
gzip same
deflate same
raw same
random true true true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: DecompressionStream: Perl's gzip, deflate and deflate-raw request bodies, decompressed from request.body
--- config
    location = /ds { js_function $TEST_NGINX_SERVER_ROOT/html/ds.js; }
--- user_files
>>> ds.js
export default {
    async fetch(req) {
        const format = new URL(req.url).searchParams.get('f');
        const text = req.body.pipeThrough(new DecompressionStream(format)).pipeThrough(new TextDecoderStream());
        let s = '';
        for await (const t of text) s += t;
        return new Response(`${format} ${s.length} ${s === 'streamed through zlib, '.repeat(40)}\n`);
    },
};
--- request eval
["POST /ds?f=gzip\n" . main::zbytes('gzip'),
 "POST /ds?f=deflate\n" . main::zbytes('deflate'),
 "POST /ds?f=deflate-raw\n" . main::zbytes('raw')]
--- response_body eval
["gzip 920 true\n", "deflate 920 true\n", "deflate-raw 920 true\n"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: DecompressionStream errors as the Compression Standard says: corrupt data, a stream cut short (after the output so far), junk after the end, a preset dictionary are TypeErrors; input split anywhere decompresses
--- config
    location = /dserr { js_function $TEST_NGINX_SERVER_ROOT/html/dserr.js; }
--- user_files
>>> dserr.js
// "expected output", as in the web-platform-tests' compression tests
const DEFLATE = [120, 156, 75, 173, 40, 72, 77, 46, 73, 77, 81, 200, 47, 45, 41, 40, 45, 1, 0, 48, 173, 6, 36];
const GZIP = [31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 75, 173, 40, 72, 77, 46, 73, 77, 81, 200, 47, 45, 41, 40,
    45, 1, 0, 176, 1, 57, 179, 15, 0, 0, 0];
const RAW = DEFLATE.slice(2, -4);
const INPUT = { gzip: GZIP, deflate: DEFLATE, 'deflate-raw': RAW };
async function run(format, chunks) {
    const ds = new DecompressionStream(format);
    const w = ds.writable.getWriter();
    for (const c of chunks) w.write(new Uint8Array(c)).catch(() => {});
    w.close().catch(() => {});
    let s = '';
    try {
        for await (const u of ds.readable) s += new TextDecoder().decode(u);
    } catch (e) {
        return `${s ? `"${s}" then ` : ''}${e.constructor.name}`;
    }
    return s === 'expected output' ? 'ok' : s === '' ? 'empty' : `corrupt "${s}"`;
}
const set = (input, at, n, v) => {
    const c = input.slice();
    const from = at < 0 ? c.length + at : at;
    c.fill(v, from, from + n);
    return c;
};
export default {
    async fetch() {
        const out = [];
        for (const f of ['gzip', 'deflate', 'deflate-raw']) {
            const input = INPUT[f];
            out.push(`${f}: ${await run(f, [input])}, cut: ${await run(f, [input.slice(0, -1)])}, `
                + `junk: ${await run(f, [[...input, 0]])}, junk chunk: ${await run(f, [input, [0]])}, `
                + `empty chunk after: ${await run(f, [input, []])}, nothing: ${await run(f, [])}`);
            const split = [];
            for (let n = 1; n < 16; n++) {
                const pieces = [];
                for (let i = 0; i < input.length; i += n) pieces.push(input.slice(i, i + n));
                split.push(await run(f, pieces));
            }
            out.push(`${f} split 1..15: ${[...new Set(split)].join(',')}`);
        }
        out.push(`deflate CMF 0: ${await run('deflate', [set(DEFLATE, 0, 1, 0)])}, FLG 94: ${await run('deflate', [set(DEFLATE, 1, 1, 94)])}, `
            + `FLG 157: ${await run('deflate', [set(DEFLATE, 1, 1, 157)])}, ADLER: ${await run('deflate', [set(DEFLATE, -4, 4, 255)])}`);
        out.push(`gzip ID: ${await run('gzip', [set(GZIP, 0, 2, 255)])}, FHCRC: ${await run('gzip', [set(GZIP, 3, 1, 2)])}, `
            + `MTIME: ${await run('gzip', [set(GZIP, 4, 4, 255)])}, CRC: ${await run('gzip', [set(GZIP, -8, 4, 0)])}, `
            + `ISIZE: ${await run('gzip', [set(GZIP, -4, 4, 1)])}`);
        out.push(`dictionary: ${await run('deflate', [[0x78, 0xbb, 0x74, 0xee, 0x09, 0x59, 0x2b, 0xc1, 0x2e, 0x0c, 0x00, 0x74, 0xee, 0x09, 0x59]])}`);
        out.push(`empty streams: ${await run('gzip', [[31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]])} `
            + `${await run('deflate', [[120, 156, 3, 0, 0, 0, 0, 1]])} ${await run('deflate-raw', [[1, 0, 0, 255, 255]])}`);
        return new Response(out.join('\n').replace(/"expected output"/g, 'output') + '\n');
    },
};
--- request
GET /dserr
--- response_body
gzip: ok, cut: output then TypeError, junk: output then TypeError, junk chunk: output then TypeError, empty chunk after: ok, nothing: TypeError
gzip split 1..15: ok
deflate: ok, cut: output then TypeError, junk: output then TypeError, junk chunk: output then TypeError, empty chunk after: ok, nothing: TypeError
deflate split 1..15: ok
deflate-raw: ok, cut: output then TypeError, junk: output then TypeError, junk chunk: output then TypeError, empty chunk after: ok, nothing: TypeError
deflate-raw split 1..15: ok
deflate CMF 0: TypeError, FLG 94: ok, FLG 157: TypeError, ADLER: TypeError
gzip ID: TypeError, FHCRC: TypeError, MTIME: ok, CRC: TypeError, ISIZE: TypeError
dictionary: TypeError
empty streams: empty empty empty
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: CompressionStream and DecompressionStream reject what is not a format or a BufferSource with a TypeError
--- config
    location = /cserr { js_function $TEST_NGINX_SERVER_ROOT/html/cserr.js; }
--- user_files
>>> cserr.js
const name = (e) => (e ? e.constructor.name : 'none');
export default {
    async fetch() {
        const out = [];
        for (const C of [CompressionStream, DecompressionStream]) {
            const errs = [];
            for (const args of [[], ['zip'], ['GZIP'], ['brotli'], [{ toString() { return 'gzip'; } }]]) {
                try { new C(...args); errs.push('made'); } catch (e) { errs.push(name(e)); }
            }
            try { C('gzip'); } catch (e) { errs.push(`call: ${name(e)}`); }
            out.push(`${C.name}: ${errs.join(' ')}`);
            const chunks = [];
            for (const v of [undefined, null, 3.14, {}, [65], 'text', new SharedArrayBuffer(4),
                             new Uint8Array(new SharedArrayBuffer(4))]) {
                const s = new C('deflate');
                const w = s.writable.getWriter();
                const wp = w.write(v);
                const rp = s.readable.getReader().read();
                let e1, e2;
                try { await wp; } catch (e) { e1 = e; }
                try { await rp; } catch (e) { e2 = e; }
                chunks.push(`${name(e1)}/${name(e2)}`);
            }
            out.push(`${C.name} chunks: ${chunks.join(' ')}`);
            const ro = Object.getOwnPropertyDescriptor(C.prototype, 'readable');
            let e3;
            try { ro.get.call({}); } catch (e) { e3 = e; }
            out.push(`${C.name}.readable on another object: ${name(e3)}`);
        }
        return new Response(out.join('\n') + '\n');
    },
};
--- request
GET /cserr
--- response_body
CompressionStream: TypeError TypeError TypeError TypeError made call: TypeError
CompressionStream chunks: TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError
CompressionStream.readable on another object: TypeError
DecompressionStream: TypeError TypeError TypeError TypeError made call: TypeError
DecompressionStream chunks: TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError TypeError/TypeError
DecompressionStream.readable on another object: TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: request.body is a byte stream (BYOB reads), bodyUsed and locking as Fetch says, clone() tees, read methods read streams, a stream body needs duplex 'half'
--- config
    location = /body { js_function $TEST_NGINX_SERVER_ROOT/html/body.js; }
--- user_files
>>> body.js
const name = (e) => (e ? e.constructor.name : 'none');
const enc = (s) => new TextEncoder().encode(s);
const stream = (...parts) => new ReadableStream({
    start(c) { for (const p of parts) c.enqueue(typeof p === 'string' ? enc(p) : p); c.close(); },
});
export default {
    async fetch(req) {
        const out = [];
        const copy = req.clone();
        const body = req.body;
        out.push(`request.body: ${Object.prototype.toString.call(body)} same: ${req.body === body} used: ${req.bodyUsed}`);
        const r = body.getReader({ mode: 'byob' });
        const got = await r.read(new Uint8Array(4));
        out.push(`byob: ${new TextDecoder().decode(got.value)} used: ${req.bodyUsed}`);
        let e1;
        try { await req.text(); } catch (e) { e1 = e; }
        out.push(`text() of a locked body: ${name(e1)}; the clone: ${await copy.text()}`);

        const s = stream('ab', 'cd');
        const res = new Response(s);
        out.push(`Response(stream).body: ${res.body === s} used: ${res.bodyUsed}`);
        const twin = res.clone();
        out.push(`text: ${await res.text()} used: ${res.bodyUsed} locked: ${s.locked}; clone: ${await twin.text()}`);
        let e2, e3, e4;
        try { await res.arrayBuffer(); } catch (e) { e2 = e; }
        try { res.clone(); } catch (e) { e3 = e; }
        try { new Response(s); } catch (e) { e4 = e; }
        out.push(`used body: ${name(e2)} ${name(e3)} ${name(e4)}`);

        out.push(`json: ${(await new Response(stream('{"a":', '1}')).json()).a}`
            + ` arrayBuffer: ${(await new Response(stream('xyz')).arrayBuffer()).byteLength}`
            + ` bytes: ${(await new Response(stream('x', 'y')).bytes()).join(',')}`);
        const half = stream('p');
        const rd = half.getReader();
        await rd.read();
        rd.releaseLock();
        let e5;
        try { new Response(half); } catch (e) { e5 = e; }
        out.push(`disturbed stream as a body: ${name(e5)}`);
        const cancelled = new Response('abc');
        await cancelled.body.cancel();
        out.push(`cancelled: used ${cancelled.bodyUsed}`);
        let e6;
        try { await new Response(stream('a', 'b').pipeThrough(new TransformStream({ transform(c, ctl) { ctl.enqueue('text'); } }))).text(); } catch (e) { e6 = e; }
        out.push(`a string chunk: ${name(e6)} ${e6.message}`);

        let e7, e8;
        try { new Request('http://x/', { method: 'POST', body: stream('q') }); } catch (e) { e7 = e; }
        try { new Request('http://x/', { method: 'POST', body: stream('q'), duplex: 'full' }); } catch (e) { e8 = e; }
        const rq = new Request('http://x/', { method: 'POST', body: stream('q', 'r'), duplex: 'half' });
        out.push(`Request: no duplex ${name(e7)}, duplex full ${name(e8)}, half: ${rq.duplex} ${await rq.text()}`);
        const again = new Request(new Request('http://x/', { method: 'PUT', body: stream('s'), duplex: 'half' }));
        out.push(`from a Request: ${await again.text()}`);
        let n = 0;
        for await (const c of new Response('hello').body) n += c.length;
        out.push(`iterating a Response's body: ${n}`);
        const byob = new Response('abcdef').body.getReader({ mode: 'byob' });
        const part = await byob.read(new Uint8Array(4));
        out.push(`BYOB of a Response's body: ${new TextDecoder().decode(part.value)}`);
        return new Response(out.join('\n') + '\n');
    },
};
--- request
POST /body
hello body
--- response_body
request.body: [object ReadableStream] same: true used: false
byob: hell used: true
text() of a locked body: TypeError; the clone: hello body
Response(stream).body: true used: false
text: abcd used: true locked: true; clone: abcd
used body: TypeError TypeError TypeError
json: 1 arrayBuffer: 3 bytes: 120,121
disturbed stream as a body: TypeError
cancelled: used true
a string chunk: TypeError Body stream chunks must be Uint8Array, not string.
Request: no duplex TypeError, duplex full TypeError, half: half qr
from a Request: s
iterating a Response's body: 5
BYOB of a Response's body: abcd
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: a Response of a TransformStream's readable side reaches the client (streamed: chunked, t/220-streaming.t)
--- config
    location = /tsout { js_function $TEST_NGINX_SERVER_ROOT/html/tsout.js; }
--- user_files
>>> tsout.js
export default {
    fetch() {
        const { readable, writable } = new TransformStream({
            transform(chunk, ctl) { ctl.enqueue(new TextEncoder().encode(chunk.toUpperCase())); },
        });
        const w = writable.getWriter();
        (async () => {
            for (const word of ['one ', 'two ', 'three']) {
                await new Promise((ok) => setTimeout(ok, 5));
                await w.write(word);
            }
            await w.close();
        })();
        return new Response(readable, { headers: { 'content-type': 'text/plain' } });
    },
};
--- request
GET /tsout
--- response_headers
Content-Type: text/plain
Transfer-Encoding: chunked
--- response_body chomp
ONE TWO THREE
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: a body piped through a CompressionStream is sent gzipped: the client's gunzip gives it back
--- config
    location = /gz { js_function $TEST_NGINX_SERVER_ROOT/html/gz.js; }
--- user_files
>>> gz.js
export default {
    fetch() {
        const text = new Response('streamed through zlib, '.repeat(40)).body;
        return new Response(text.pipeThrough(new CompressionStream('gzip')), {
            headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
        });
    },
};
--- request
GET /gz
--- response_headers
Content-Encoding: gzip
--- response_body_filters eval
sub { my ($in, $out) = (shift); IO::Uncompress::Gunzip::gunzip(\$in => \$out) or return 'not gzip'; $out }
--- response_body eval
$main::Text
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: a Response of ReadableStream.from(an async generator) reaches the client
--- config
    location = /gen { js_function $TEST_NGINX_SERVER_ROOT/html/gen.js; }
--- user_files
>>> gen.js
async function* lines() {
    for (let i = 1; i <= 3; i++) {
        await new Promise((ok) => setTimeout(ok, 2));
        yield new TextEncoder().encode(`line ${i}\n`);
    }
}
export default { fetch: () => new Response(ReadableStream.from(lines())) };
--- request
GET /gen
--- response_body
line 1
line 2
line 3
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: a body stream that errors mid-way: the response is cut short (after its head: t/220-streaming.t) and the error is in error_log
--- config
    location = /midway { js_function $TEST_NGINX_SERVER_ROOT/html/midway.js; }
--- user_files
>>> midway.js
export default {
    fetch() {
        let n = 0;
        return new Response(new ReadableStream({
            pull(c) {
                if (n++ < 2) c.enqueue(new TextEncoder().encode('part '));
                else c.error(new Error('the source broke'));
            },
        }));
    },
};
--- request
GET /midway
--- ignore_response
--- error_log eval
qr/\[error\] .*js_function ".*midway\.js": response body aborted: Error: the source broke/
--- no_error_log
[alert]
[crit]



=== TEST 18: a body chunk that is not a Uint8Array: the response is cut short, a TypeError in error_log
--- config
    location = /notbytes { js_function $TEST_NGINX_SERVER_ROOT/html/notbytes.js; }
--- user_files
>>> notbytes.js
export default {
    fetch() {
        return new Response(new ReadableStream({
            start(c) { c.enqueue(new Uint8Array([65])); c.enqueue([66]); c.close(); },
        }));
    },
};
--- request
GET /notbytes
--- ignore_response
--- error_log eval
qr/\[error\] .*js_function ".*notbytes\.js": response body aborted: TypeError: This ReadableStream did not return bytes: a response body chunk must be a Uint8Array, not an object that is not a Uint8Array\./
--- no_error_log
[alert]
[crit]



=== TEST 19: a body stream that never ends while nothing could end it: cut short at once, not a hang
--- config
    location = /stall { js_function $TEST_NGINX_SERVER_ROOT/html/stall.js; }
--- user_files
>>> stall.js
export default {
    fetch() {
        // a source that never answers a pull, through a transform
        const never = new ReadableStream({ pull() { return new Promise(() => {}); } });
        return new Response(never.pipeThrough(new TransformStream()));
    },
};
--- request
GET /stall
--- timeout: 2
--- ignore_response
--- error_log eval
qr/\[error\] .*js_function ".*stall\.js": response body aborted: the response body stream will never produce more/
--- no_error_log
[alert]
[crit]



=== TEST 20: a gzip bomb (1.8 KB expanding to 1 GiB) under js_function_memory 16m: cut short at the memory limit, the worker goes on
--- config
    location = /bomb {
        js_function_memory 16m;
        js_function_cpu_limit 2s;
        js_function $TEST_NGINX_SERVER_ROOT/html/bomb.js;
    }
--- user_files eval
main::bomb_js('bomb.js', <<'JS');
export default { fetch: () => new Response(inflated()) };
JS
--- request
GET /bomb
--- timeout: 10
--- ignore_response
--- error_log eval
qr/\[error\] .*js_function ".*bomb\.js": response body aborted: memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]



=== TEST 21: the same bomb counted as it streams, under js_function_cpu_limit: 503 at the CPU limit
--- config
    location = /bombcpu {
        js_function_memory 256m;
        js_function_cpu_limit 100ms;
        js_function $TEST_NGINX_SERVER_ROOT/html/bombcpu.js;
    }
--- user_files eval
main::bomb_js('bombcpu.js', <<'JS');
export default {
    async fetch() {
        let n = 0;
        for await (const c of inflated()) n += c.length;
        return new Response(`${n}`);
    },
};
JS
--- request
GET /bombcpu
--- timeout: 10
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*bombcpu\.js": CPU time limit of 100 ms exceeded \(js_function_cpu_limit\)/
--- no_error_log
[alert]
[crit]



=== TEST 22: a function that spent its whole memory budget, then writes a small chunk to a CompressionStream: 503, not a crash
--- config
    location = /full {
        js_function_memory 16m;
        js_function $TEST_NGINX_SERVER_ROOT/html/full.js;
    }
--- user_files
>>> full.js
export default {
    async fetch() {
        const keep = [];
        for (let size = 1 << 20; size >= 1;) {
            try { keep.push(new ArrayBuffer(size)); } catch (e) { size >>= 1; }
        }
        const cs = new CompressionStream('gzip');
        cs.writable.getWriter().write(new Uint8Array(10)).catch(() => {});
        await cs.readable.getReader().read().catch(() => {});
        return new Response(`kept ${keep.length}`);
    },
};
--- request
GET /full
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*full\.js": memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]



=== TEST 23: a function that replaces the built-ins and the streams' methods still has its Response(stream) read by the runtime
--- config
    location = /hostile { js_function $TEST_NGINX_SERVER_ROOT/html/hostile.js; }
--- user_files
>>> hostile.js
export default {
    fetch() {
        const enc = new TextEncoder();
        const body = new ReadableStream({
            start(c) { c.enqueue(enc.encode('still ')); c.enqueue(enc.encode('whole')); c.close(); },
        });
        ReadableStream.prototype.getReader = () => { throw new Error('hijacked getReader'); };
        ReadableStreamDefaultReader.prototype.read = () => Promise.resolve({ done: true });
        Object.defineProperty(ReadableStream.prototype, 'locked', { get() { return true; } });
        globalThis.Uint8Array = function Fake() {};
        globalThis.queueMicrotask = () => { throw new Error('hijacked queueMicrotask'); };
        globalThis.Promise = function Fake() {};
        return new Response(body);
    },
};
--- request
GET /hostile
--- response_body chomp
still whole
--- no_error_log
[error]
[alert]
[crit]



=== TEST 24: globals replaced before the streams library first loads do not steer it: a Response piped through transforms and zlib still arrives whole
--- config
    location = /early { js_function $TEST_NGINX_SERVER_ROOT/html/early.js; }
--- user_files
>>> early.js
// before any stream exists in this isolate (Promise.prototype.then is left
// alone: resolving a promise with a promise looks it up, on any engine)
for (const name of ['resolve', 'reject', 'all']) {
    Promise[name] = () => { throw new Error(`hijacked Promise.${name}`); };
}
globalThis.Promise = function Fake() {};
globalThis.queueMicrotask = () => { throw new Error('hijacked queueMicrotask'); };
globalThis.structuredClone = () => { throw new Error('hijacked structuredClone'); };
globalThis.Uint8Array = function Fake() {};
globalThis.TypeError = function Fake() {};
const Bytes = Object.getPrototypeOf(new TextEncoder().encode('')).constructor;
export default {
    fetch() {
        // a byte stream: it takes over (transfers) the chunks
        const src = new Response('through everything').body;
        const upper = new TransformStream({
            transform(chunk, ctl) { ctl.enqueue(Bytes.from(chunk, (b) => (b >= 97 ? b - 32 : b))); },
        });
        return new Response(src.pipeThrough(upper)
            .pipeThrough(new CompressionStream('deflate'))
            .pipeThrough(new DecompressionStream('deflate')));
    },
};
--- request
GET /early
--- response_body chomp
THROUGH EVERYTHING
--- no_error_log
[error]
[alert]
[crit]
