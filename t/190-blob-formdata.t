# Blob, File and FormData (the File API and XHR standards), bodies made of
# them and read as them (blob(), formData(): multipart/form-data and
# application/x-www-form-urlencoded), the Request attributes of the Fetch
# standard, and hostile inputs: huge multipart bodies, Blobs of a million
# slices, Blobs past the memory limit.
# (master_on: a crashed worker shows as "exited on signal" and fails.)

use Test::Nginx::Socket 'no_plan';

master_on();
workers(1);

# every block's function is html/b.js at /b (5 s of CPU, for the hostile
# inputs), or html/m.js at /m with 16 MB of memory, unless it says otherwise
add_block_preprocessor(sub {
    my $block = shift;
    return if defined $block->config;
    $block->set_value(config => ($block->user_files // '') =~ /^>>> m\.js$/m
        ? "    location /m {\n        js_function_memory 16m;\n"
          . "        js_function \$TEST_NGINX_SERVER_ROOT/html/m.js;\n    }"
        : "    location /b {\n        js_function_cpu_limit 5s;\n"
          . "        js_function \$TEST_NGINX_SERVER_ROOT/html/b.js;\n    }");
});

# a multipart/form-data body as a browser sends it: a text field, a file
# with CR LF, NUL and bytes that are not UTF-8 in it, names to unescape
our $Form = join("\r\n",
    '--AaB03x',
    'Content-Disposition: form-data; name="field 1"',
    '',
    "caf\xc3\xa9\r\nline two",
    '--AaB03x',
    'content-disposition: form-data; name="up%22load"; filename="a%0Ab\\"c.bin"',
    'Content-Type: Application/Octet-Stream',
    'X-Ignored: yes',
    '',
    "\x00\xff\r\n--AaB03\r\n\x01",
    '--AaB03x',
    'Content-Disposition: form-data; name=plain; filename=C:\\dir\\f.txt',
    '',
    'plain text file',
    '--AaB03x--',
    'the epilogue is ignored',
);

# 100,000 small parts (about 6 MB)
our $Many = join('', map { "--XyZ\r\nContent-Disposition: form-data; name=\"n$_\"\r\n\r\nv$_\r\n" } 1..100000)
    . "--XyZ--\r\n";

# --- response_body_filters: "new" for a body of an empty FormData whose
# boundary was not seen before in this file, "seen" or the body otherwise
our %Seen;
sub seen_boundary {
    my ($body) = @_;
    return $body unless $body =~ /\A--(----formdata-[0-9a-f]{32})--\r\n\z/;
    return $Seen{$1}++ ? 'seen' : 'new';
}

run_tests();

__DATA__

=== TEST 1: Blob, File and FormData are globals the Web IDL way: names, lengths, tags, enumerable members, instanceof
--- user_files
>>> b.js
export default { fetch() {
    const out = [];
    for (const [name, C] of [['Blob', Blob], ['File', File], ['FormData', FormData]]) {
        const d = Object.getOwnPropertyDescriptor(globalThis, name);
        out.push(`${name} ${d.value === C} ${d.writable} ${d.enumerable} ${d.configurable} ${C.name} ${C.length}`
            + ` ${Object.prototype.toString.call(C.prototype)}`);
    }
    out.push(Object.keys(Blob.prototype).join(','));
    out.push(Object.keys(File.prototype).join(','));
    out.push(Object.keys(FormData.prototype).join(','));
    const f = new File([], 'f');
    out.push(`${f instanceof Blob} ${f instanceof File} ${Object.getPrototypeOf(File) === Blob}`
        + ` ${String(f)} ${String(new Blob())} ${FormData.prototype[Symbol.iterator] === FormData.prototype.entries}`);
    out.push(`${Object.getOwnPropertyNames(new Blob(['x'])).length} ${Object.getOwnPropertyNames(f).length}`);
    const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name; } };
    out.push([Blob, File, FormData].map((C) => err(() => C())).join(' '));
    out.push([[Blob, 'size'], [File, 'name'], [FormData, 'get']].map(([C, m]) => {
        const d = Object.getOwnPropertyDescriptor(C.prototype, m);
        return err(() => (d.get || d.value).call({}, 'x'));
    }).join(' '));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
Blob true true false true Blob 0 [object Blob]
File true true false true File 2 [object File]
FormData true true false true FormData 0 [object FormData]
size,type,slice,stream,text,arrayBuffer,bytes
name,lastModified,webkitRelativePath
append,delete,get,getAll,has,set,forEach,entries,keys,values
true true true [object File] [object Blob] true
0 0
TypeError TypeError TypeError
TypeError TypeError TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: new Blob(): strings as UTF-8 (lone surrogates replaced), buffers and views copied, Blobs, any iterable, other values as strings, in order
--- user_files
>>> b.js
export default { async fetch() {
    const out = [];
    const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
    const bytes = async (b) => `[${hex(await b.bytes())}]`;
    out.push(await bytes(new Blob()), await bytes(new Blob(undefined)), await bytes(new Blob([])));
    out.push(await bytes(new Blob(['h\u00e9\u20ac\u{1F600}', '\uD800x'])));
    const u8 = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = new Blob([u8.buffer, new Uint16Array(u8.buffer, 2, 1), new DataView(u8.buffer, 6), u8.subarray(7)]);
    u8.fill(0);
    out.push(await bytes(b), b.size);
    const inner = new Blob(['in']);
    out.push(await new Blob([inner, '-', inner, new File(['f'], 'x')]).text());
    out.push(await new Blob([null, undefined, true, 1.5, [1, 2], {}, { toString: () => 'S' }]).text());
    out.push(await new Blob(new String('str')).text(), await new Blob(new Uint8Array([1, 2])).text());
    out.push(await new Blob({ *[Symbol.iterator]() { yield 'gen'; yield new Uint8Array([0x21]); } }).text());
    // the parts are converted before the options are read; later items may change earlier buffers
    const order = [];
    const late = new Uint8Array([0x41]);
    await new Blob([late, { toString() { order.push('part'); late[0] = 0x42; return ''; } }],
        { get endings() { order.push('endings'); return undefined; }, get type() { order.push('type'); return 'T'; } })
        .text().then((t) => out.push(t));
    out.push(order.join(','));
    const err = (f) => { try { f(); return 'made'; } catch (e) { return `${e.constructor.name}${e.message === 'mine' ? ' mine' : ''}`; } };
    out.push([null, 1, 'str', {}, { 0: 'x', length: 1 }, new Date(0), { [Symbol.iterator]: 5 }]
        .map((bad) => err(() => new Blob(bad))).join(' '));
    out.push([[Symbol('s')], [{ toString: null, valueOf: null }], [{ toString() { throw new RangeError('mine'); } }],
        [new Uint8Array(new SharedArrayBuffer(2))]].map((bad) => err(() => new Blob(bad))).join(' '));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
[]
[]
[]
[68c3a9e282acf09f9880efbfbd78]
[01020304050607080304070808]
13
in-inf
nullundefinedtrue1.51,2[object Object]S
str
12
gen!
B
part,endings,type
TypeError TypeError TypeError TypeError TypeError TypeError TypeError
TypeError TypeError RangeError mine TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: Blob options: type lower-cased, empty when not printable ASCII; endings "native" makes CR LF and CR into LF per string; invalid options are TypeErrors
--- user_files
>>> b.js
export default { async fetch() {
    const out = [];
    for (const t of ['', 'A', 'TEXT/Plain;Charset=UTF-8', ' image/gif ', '\timage/gif', 'a\u00e5', 'x\u007f', 'x\u0000']) {
        out.push(JSON.stringify(new Blob([], { type: t }).type));
    }
    const s = 'a\r\nb\rc\nd\r';
    out.push(JSON.stringify(await new Blob([s]).text()), JSON.stringify(await new Blob([s], { endings: 'transparent' }).text()));
    out.push(JSON.stringify(await new Blob([s, '\r', '\nz', new Uint8Array([13, 10])], { endings: 'native' }).text()));
    for (const o of [null, undefined, {}, /re/, () => 1]) out.push((await new Blob(['x'], o).text()) + new Blob([], o).type);
    out.push([1, 'str', true, { endings: 'NATIVE' }, { endings: 'other' }].map((o) => {
        try { new Blob([], o); return 'made'; } catch (e) { return e.constructor.name; }
    }).join(' '));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
""
"a"
"text/plain;charset=utf-8"
" image/gif "
""
""
""
""
"a\r\nb\rc\nd\r"
"a\r\nb\rc\nd\r"
"a\nb\nc\nd\n\n\nz\r\n"
x
x
x
x
x
TypeError TypeError TypeError TypeError TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: slice(): negative and out-of-range indexes, clamped conversions, content types, slices of slices across parts, slices of Files are Blobs
--- user_files
>>> b.js
export default { async fetch() {
    const out = [];
    const b = new Blob(['PASS', new Uint8Array([0x53, 0x54]), new Blob(['RING'])]);
    const cases = [[], [-6], [-100], [4], [12], [100], [0, -6], [0, -100], [0, 4], [7, 4], [3, 7], [-3, -1],
        [1.5, 3.5], [2.5], [NaN, '5'], [-Infinity, Infinity], [2 ** 64, 0], [null, undefined], ['2', {}]];
    for (const c of cases) {
        const s = b.slice(...c);
        out.push(`${JSON.stringify(c)} ${s.size} ${await s.text()}`);
    }
    const s1 = b.slice(1, 9);
    out.push(await s1.slice(2, 5).text(), await s1.slice(-2).slice(1).text(), await s1.slice(3, 3).text() === '');
    for (const t of [undefined, null, 'TEXT/HTML', 'te\u0009xt', 'a\u00ff', 7]) out.push(JSON.stringify(b.slice(0, 1, t).type));
    const f = new File(['file'], 'n', { type: 'a/b' });
    const fs = f.slice(1);
    out.push(`${fs instanceof File} ${fs.type === ''} ${await fs.text()} ${f.slice(0, 2, 'c/d').type}`);
    try { b.slice(Symbol('x')); } catch (e) { out.push(e.constructor.name); }
    try { b.slice(0, 1n); } catch (e) { out.push(e.constructor.name); }
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
[] 10 PASSSTRING
[-6] 6 STRING
[-100] 10 PASSSTRING
[4] 6 STRING
[12] 0 
[100] 0 
[0,-6] 4 PASS
[0,-100] 0 
[0,4] 4 PASS
[7,4] 0 
[3,7] 4 SSTR
[-3,-1] 2 IN
[1.5,3.5] 2 SS
[2.5] 8 SSSTRING
[null,"5"] 5 PASSS
[null,null] 10 PASSSTRING
[18446744073709552000,0] 0 
[null,null] 10 PASSSTRING
["2",{}] 0 
SST
N
true
""
"null"
"text/html"
""
""
"7"
false true ile c/d
TypeError
TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: text(), arrayBuffer(), bytes(): new copies each time, UTF-8 with the BOM dropped; stream(): a byte stream read in 64 KB chunks, BYOB readers, cancel; methods on a foreign object reject
--- user_files
>>> b.js
export default { async fetch() {
    const out = [];
    const b = new Blob([new Uint8Array([0xEF, 0xBB, 0xBF, 0x41, 0xFF, 0x42])]);
    out.push(JSON.stringify(await b.text()));
    const a1 = await b.arrayBuffer(), a2 = await b.arrayBuffer();
    const u1 = await b.bytes();
    out.push(`${a1 instanceof ArrayBuffer} ${a1 !== a2} ${a1.byteLength} ${u1 instanceof Uint8Array} ${u1.byteOffset} ${u1.buffer.byteLength}`);
    u1[3] = 0x5A;
    new Uint8Array(a1)[3] = 0x5A;
    out.push(await b.text() === '\uFEFF'.slice(1) + 'A\uFFFDB');
    const big = new Blob(['x'.repeat(100000), new Uint8Array(50000).fill(0x79), 'z']);
    const chunks = [];
    for await (const c of big.stream()) chunks.push(`${c.constructor.name}:${c.length}`);
    out.push(chunks.join(','));
    const r = new Blob(['abcdefghij']).stream().getReader({ mode: 'byob' });
    const first = await r.read(new Uint8Array(4));
    const second = await r.read(new Uint8Array(100));
    const third = await r.read(new Uint8Array(4));
    out.push(`${new TextDecoder().decode(first.value)} ${new TextDecoder().decode(second.value)} ${third.done}`);
    const s = big.stream();
    const rd = s.getReader();
    await rd.read();
    await rd.cancel('enough');
    out.push(JSON.stringify(await rd.read()));
    // the stream goes on after the Blob is gone, and reads the Blob's bytes as they were
    const st = new Blob(['kept']).stream();
    out.push(await new Response(st).text());
    for (const m of ['text', 'arrayBuffer', 'bytes']) {
        await Blob.prototype[m].call({}).then(() => out.push('resolved'), (e) => out.push(`${m} ${e.constructor.name}`));
    }
    try { Blob.prototype.stream.call(new Response('x')); } catch (e) { out.push(e.constructor.name); }
    out.push(JSON.stringify(await new Blob([]).text()), (await new Blob().arrayBuffer()).byteLength);
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
"A�B"
true true 6 true 0 6
true
Uint8Array:65536,Uint8Array:65536,Uint8Array:18929
abcd efghij true
{"done":true}
kept
text TypeError
arrayBuffer TypeError
bytes TypeError
TypeError
""
0
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: File: name, type, lastModified (default: Date.now(), the frozen clock), webkitRelativePath; bits as for Blob; argument errors
--- user_files
>>> b.js
export default { async fetch() {
    const out = [];
    const f = new File(['ab', new Uint8Array([0x63]), new Blob(['d'])], 'dir/n\u00e9.txt', { type: 'Text/Plain' });
    out.push(`${f.name} ${f.type} ${f.size} ${await f.text()} ${f.lastModified === Date.now()} ${typeof f.lastModified} ${JSON.stringify(f.webkitRelativePath)}`);
    for (const lm of [42, -1, 1.9, '7', NaN, Infinity, null, 2 ** 53]) out.push(new File([], 'x', { lastModified: lm }).lastModified);
    out.push(new File([], null).name, new File([], 1).name, new File(['\r\n'], 'e', { endings: 'native' }).size);
    out.push(new File([], 'x', { name: 'other' }).name, new File([], '\uD800').name === '\uFFFD');
    out.push([[], [[]], ['bits', 'x'], [0, 'x'], [null, 'x'], [[], 'x', 1], [[], 'x', { endings: 'bad' }]].map((args) => {
        try { new File(...args); return 'made'; } catch (e) { return e.constructor.name; }
    }).join(' '));
    const read = [];
    new File([], 'x', { get type() { read.push('type'); }, get lastModified() { read.push('lastModified'); }, get endings() { read.push('endings'); } });
    out.push(read.join(','));
    class MyFile extends File {}
    const mf = new MyFile(['m'], 'm.txt');
    out.push(`${mf instanceof MyFile} ${mf.name} ${await mf.text()}`);
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
dir/né.txt text/plain 4 abcd true number ""
42
-1
1
7
0
0
0
9007199254740992
null
1
1
x
true
TypeError TypeError TypeError TypeError TypeError TypeError TypeError
endings,lastModified,type
true m.txt m
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: FormData: append, set, get, getAll, has, delete; Blobs become Files named "blob" or the filename; a File is kept as is; USV strings
--- user_files
>>> b.js
export default { fetch() {
    const out = [];
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('b', 2);
    fd.append('a', { toString: () => '3' });
    out.push(`${fd.get('a')} ${fd.getAll('a').join('+')} ${fd.has('b')} ${fd.has('c')} ${fd.get('c')} ${fd.getAll('c').length}`);
    fd.set('a', 'x');
    out.push(JSON.stringify([...fd]));
    fd.set('z', 'new');
    fd.delete('b');
    out.push(JSON.stringify([...fd]));
    const blob = new Blob(['data'], { type: 'Text/X' });
    fd.append('blob', blob);
    fd.append('named', blob, 'given.txt');
    const file = new File(['f'], 'orig.bin', { lastModified: 123 });
    fd.append('file', file);
    fd.append('renamed', file, 'other.bin');
    const g = fd.get('blob');
    out.push(`${g instanceof File} ${g.name} ${g.type} ${g.size} ${g.lastModified === Date.now()} ${fd.get('blob') === g}`);
    const n = fd.get('named');
    out.push(`${n.name} ${n.type}`);
    out.push(`${fd.get('file') === file} ${fd.get('renamed') === file} ${fd.get('renamed').name} ${fd.get('renamed').lastModified}`);
    fd.set('file', new Blob(['b']), 'set.txt');
    out.push(fd.get('file').name);
    fd.append('\uD800', '\uDC00');
    out.push(JSON.stringify(fd.get('\uFFFD')));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
1 1+3 true false null 0
[["a","x"],["b","2"]]
[["a","x"],["z","new"]]
true blob text/x 4 true true
given.txt text/x
true false other.bin 123
set.txt
"�"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: FormData: iteration (entries, keys, values, forEach, for-of) sees changes made while iterating; argument errors; no form element constructor
--- user_files
>>> b.js
export default { fetch() {
    const out = [];
    const fd = new FormData();
    for (const [k, v] of [['foo', '0'], ['baz', '1'], ['BAR', '2'], ['quux', '3']]) fd.append(k, v);
    const keys = [];
    for (const [k] of fd) { keys.push(k); if (k === 'baz') { fd.delete('foo'); fd.append('X-yZ', '4'); } }
    out.push(keys.join(','));
    out.push([...fd.keys()].join(','), [...fd.values()].join(','), JSON.stringify(fd.entries().next()));
    out.push(Object.prototype.toString.call(fd.keys()), typeof fd.keys()[Symbol.iterator]);
    const seen = [];
    fd.forEach(function (v, k, p) { seen.push(`${k}=${v}:${p === fd}:${this.t}`); }, { t: 'T' });
    out.push(seen.join(','));
    for (const [what, f] of [
        ['new FormData(null)', () => new FormData(null)],
        ['new FormData({})', () => new FormData({})],
        ['append 1 arg', () => fd.append('a')],
        ['append string with filename', () => fd.append('a', 'b', 'c')],
        ['set string with filename', () => fd.set('a', 'b', undefined)],
        ['get no arg', () => fd.get()],
        ['forEach no function', () => fd.forEach(1)],
        ['append to non-FormData', () => FormData.prototype.append.call({}, 'a', 'b')],
    ]) {
        try { f(); out.push(`${what}: ok`); } catch (e) { out.push(`${what}: ${e.constructor.name}`); }
    }
    out.push([...new FormData(undefined)].length);
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
foo,baz,quux,X-yZ
baz,BAR,quux,X-yZ
1,2,3,4
{"value":["baz","1"],"done":false}
[object FormData Iterator]
function
baz=1:true:T,BAR=2:true:T,quux=3:true:T,X-yZ=4:true:T
new FormData(null): TypeError
new FormData({}): TypeError
append 1 arg: TypeError
append string with filename: TypeError
set string with filename: TypeError
get no arg: TypeError
forEach no function: TypeError
append to non-FormData: TypeError
0
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: a Blob as a response body: its type as Content-Type (the header's when given, none when the type is empty), its bytes on the wire
--- config
    location /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
    location /n { js_function $TEST_NGINX_SERVER_ROOT/html/n.js; }
--- user_files
>>> b.js
const part = new Blob(['x'.repeat(1000)]);
export default { fetch: () => new Response(new Blob(['<', part.slice(0, 600), new Uint8Array([0x3e, 0x0a])], { type: 'Text/HTML' })) };
>>> t.js
export default { fetch: () => new Response(new Blob(['typed']), { headers: { 'content-type': 'a/b' } }) };
>>> n.js
const blob = new Blob(['no type\n']);
export default { fetch: () => new Response(blob) };
--- request eval
["GET /b", "GET /t", "GET /n", "GET /n"]
--- response_headers eval
["Content-Type: text/html", "Content-Type: a/b", "Content-Type:", "Content-Type:"]
--- response_body eval
["<" . ("x" x 600) . ">\n", "typed", "no type\n", "no type\n"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: blob() on Response and Request: bytes as read, type from the Content-Type header (Fetch's MIME type extraction), round trips, the body used
--- user_files
>>> b.js
export default { async fetch(request) {
    const out = [];
    const rb = await request.blob();
    out.push(`${rb.size} ${rb.type} ${await rb.text()} ${request.bodyUsed}`);
    const blob = new Blob(['round', new Uint8Array([0, 1])], { type: 'A/B' });
    const r = new Response(blob);
    const back = await r.blob();
    out.push(`${back !== blob} ${back.size} ${back.type} ${r.bodyUsed} ${JSON.stringify(await back.text())}`);
    await r.blob().then(() => out.push('again'), (e) => out.push(e.constructor.name));
    for (const ct of [null, 'text/plain;charset=UTF-8', 'Mytext/Plain', 'text/plain;charset=gbk, text/html',
        'text/html;charset=gbk;a=b, text/html;x=y', 'text/plain, */*', 'x/y; q="a\\"b"', 'nonsense']) {
        const headers = ct === null ? {} : { 'content-type': ct };
        out.push(JSON.stringify((await new Response(new Uint8Array([1]), { headers }).blob()).type));
    }
    const cloned = new Response(new Blob(['c'], { type: 'x/c' }));
    const copy = cloned.clone();
    out.push(`${(await cloned.blob()).type} ${await (await copy.blob()).text()}`);
    const req = new Request('http://x/', { method: 'POST', body: new Blob(['q'], { type: 'q/r' }) });
    out.push(`${req.headers.get('content-type')} ${(await req.blob()).type}`);
    const fromString = await new Response('s\u00e9').blob();
    out.push(`${fromString.size} ${fromString.type}`);
    const empty = await new Response(null).blob();
    out.push(`${empty.size} ${JSON.stringify(empty.type)}`);
    const streamed = await new Response(new Blob(['st', 'ream']).stream()).blob();
    out.push(await streamed.text());
    return new Response(out.join('\n') + '\n');
} };
--- request
POST /b
posted
--- more_headers
Content-Type: Text/Plain; Charset="utf-8"
--- response_body
6 text/plain;charset=utf-8 posted true
true 7 a/b true "round\u0000\u0001"
TypeError
""
"text/plain;charset=UTF-8"
"mytext/plain"
"text/html"
"text/html;x=y;charset=gbk"
"text/plain"
"x/y;q=\"a\\\"b\""
""
x/c c
q/r q/r
3 text/plain;charset=UTF-8
0 ""
stream
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: a FormData as a response body: multipart/form-data with a fresh random boundary, names and filenames escaped, values with CR LF, File parts with their type
--- user_files
>>> b.js
export default { fetch(request) {
    const fd = new FormData();
    fd.append('a\nb"c\rd', 'line1\nline2\rline3\r\nend');
    fd.append('file', new File(['\u00e9\r\n\x00'], 'f"\n\r.txt', { type: 'Text/Plain' }));
    fd.append('blob', new Blob(['raw']));
    fd.append('empty', '');
    const a = new Response(fd), b = new Response(fd);
    const ba = a.headers.get('content-type').split('boundary=')[1];
    const bb = b.headers.get('content-type').split('boundary=')[1];
    return new Response(a.body, { headers: { 'content-type': a.headers.get('content-type'), 'x-other': `${ba !== bb}` } });
} };
--- request
GET /b
--- response_headers_like
Content-Type: multipart/form-data; boundary=----formdata-[0-9a-f]{32}
X-Other: true
--- response_body_like eval
qr{\A(------formdata-[0-9a-f]{32})\r
Content-Disposition: form-data; name="a%0D%0Ab%22c%0D%0Ad"\r
\r
line1\r\nline2\r\nline3\r\nend\r
\1\r
Content-Disposition: form-data; name="file"; filename="f%22%0A%0D.txt"\r
Content-Type: text/plain\r
\r
\xc3\xa9\r\n\x00\r
\1\r
Content-Disposition: form-data; name="blob"; filename="blob"\r
Content-Type: application/octet-stream\r
\r
raw\r
\1\r
Content-Disposition: form-data; name="empty"\r
\r
\r
\1--\r
\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: a FormData sent as a Response body and read back with formData(), Files included; an empty FormData
--- user_files
>>> b.js
export default { async fetch() {
    const out = [];
    const fd = new FormData();
    fd.append('text', 'caf\u00e9\n2');
    fd.append('file', new File([new Uint8Array([0, 0xff, 13, 10, 45, 45])], 'bin.dat', { type: 'application/x-thing' }));
    fd.append('name"with\nescapes', new Blob(['b']), 'fi\rle');
    const back = await new Response(fd).formData();
    for (const [k, v] of back) {
        out.push(typeof v === 'string' ? `${JSON.stringify(k)}=${JSON.stringify(v)}`
            : `${JSON.stringify(k)}=File(${JSON.stringify(v.name)}, ${v.type}, ${v.size}, ${Array.from(await v.bytes()).join('.')})`);
    }
    out.push([...await new Response(new FormData()).formData()].length);
    const t = await new Response(new FormData()).text();
    out.push(/^------formdata-[0-9a-f]{32}--\r\n$/.test(t));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body_like eval
qr{\A"text"="café\\r\\n2"
"file"=File\("bin.dat", application/x-thing, 6, 0.255.13.10.45.45\)
"name\\"with\\r\\nescapes"=File\("fi\\rle", application/octet-stream, 1, 98\)
0
true
\z}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: the boundaries made by two isolates (two functions) differ, and those of one isolate (random bytes from OpenSSL)
--- config
    location /b { js_function $TEST_NGINX_SERVER_ROOT/html/b.js; }
    location /c { js_function $TEST_NGINX_SERVER_ROOT/html/c.js; }
--- user_files
>>> b.js
export default { fetch: () => new Response(new FormData()) };
>>> c.js
export default { fetch: () => new Response(new FormData()) };
--- request eval
["GET /b", "GET /c", "GET /b"]
--- response_body_filters eval
\&main::seen_boundary
--- response_body eval
["new", "new", "new"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: request.formData() of a multipart body the client sends: fields, a binary file with its type and name, escapes and quoted-strings, a token filename, the epilogue
--- user_files
>>> b.js
export default { async fetch(request) {
    const out = [];
    const fd = await request.formData();
    for (const [k, v] of fd) {
        out.push(typeof v === 'string' ? `${JSON.stringify(k)}=${JSON.stringify(v)}`
            : `${JSON.stringify(k)}=File(${JSON.stringify(v.name)}, ${v.type}, ${v.size}, ${Array.from(await v.bytes()).join('.')}, ${v.lastModified === Date.now()})`);
    }
    out.push(request.bodyUsed);
    await request.formData().then(() => out.push('twice'), (e) => out.push(e.constructor.name));
    return new Response(out.join('\n') + '\n');
} };
--- more_headers
Content-Type: multipart/form-data; boundary=AaB03x
--- request eval
"POST /b\n" . $main::Form
--- response_body
"field 1"="café\r\nline two"
"up\"load"=File("a\nb\"c.bin", application/octet-stream, 14, 0.255.13.10.45.45.65.97.66.48.51.13.10.1, true)
"plain"=File("C:\\dir\\f.txt", text/plain, 15, 112.108.97.105.110.32.116.101.120.116.32.102.105.108.101, true)
true
TypeError
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: formData() of a malformed body is a TypeError saying what is wrong; so is a body that is neither multipart nor urlencoded
--- user_files
>>> b.js
const mp = 'multipart/form-data; boundary=B';
const cases = [
    ['no boundary at all', 'text', mp],
    ['--B--B--', '--B--B--\r\n', mp],
    ['LF after boundary', '--B\n--B--\r\n', mp],
    ['CR after boundary', '--B\r--B--\r\n', mp],
    ['no headers', '--B\r\n\r\n\r\n--B--\r\n', mp],
    ['dash after boundary', '--B- \r\n--B--\r\n', mp],
    ['boundary param itself', '--B--\r\n', 'multipart/form-data; boundary=B--'],
    ['headers never end', '--B\r\nContent-Disposition: form-data; name="a"\r\n', mp],
    ['LF-only header line', '--B\r\nContent-Disposition: form-data; name="a"\n\r\nv\r\n--B--', mp],
    ['no colon', '--B\r\nContent-Disposition form-data\r\n\r\nv\r\n--B--', mp],
    ['not form-data', '--B\r\nContent-Disposition: attachment; name="a"\r\n\r\nv\r\n--B--', mp],
    ['no name', '--B\r\nContent-Disposition: form-data; filename="a"\r\n\r\nv\r\n--B--', mp],
    ['unterminated quote', '--B\r\nContent-Disposition: form-data; name="a\r\n\r\nv\r\n--B--', mp],
    ['junk after quote', '--B\r\nContent-Disposition: form-data; name="a"x\r\n\r\nv\r\n--B--', mp],
    ['part never ends', '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue and no boundary', mp],
    ['epilogue not on a new line', '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--B--x', mp],
    ['no boundary param', '--B--', 'multipart/form-data'],
    ['empty boundary', '----', 'multipart/form-data; boundary=""'],
    ['text/plain', 'a=1', 'text/plain'],
    ['no content type', 'a=1', null],
    ['unparsable type', 'a=1', 'multipart'],
];
export default { async fetch() {
    const out = [];
    for (const [what, body, ct] of cases) {
        const r = new Response(body);
        if (ct === null) r.headers.delete('content-type'); else r.headers.set('content-type', ct);
        await r.formData().then((fd) => out.push(`${what}: ${JSON.stringify([...fd])}`),
            (e) => out.push(`${what}: ${e.constructor.name}: ${e.message}`));
    }
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
no boundary at all: TypeError: Failed to execute 'formData' on 'Response': no multipart/form-data boundary found.
--B--B--: TypeError: Failed to execute 'formData' on 'Response': the closing boundary is not followed by a new line.
LF after boundary: TypeError: Failed to execute 'formData' on 'Response': a boundary is not followed by a new line.
CR after boundary: TypeError: Failed to execute 'formData' on 'Response': a boundary is not followed by a new line.
no headers: TypeError: Failed to execute 'formData' on 'Response': a part has no Content-Disposition with a name.
dash after boundary: TypeError: Failed to execute 'formData' on 'Response': a boundary is not followed by a new line.
boundary param itself: TypeError: Failed to execute 'formData' on 'Response': the headers of a part do not end.
headers never end: TypeError: Failed to execute 'formData' on 'Response': the headers of a part do not end.
LF-only header line: TypeError: Failed to execute 'formData' on 'Response': a header line of a part does not end with CR LF.
no colon: TypeError: Failed to execute 'formData' on 'Response': a header line of a part has no valid name.
not form-data: TypeError: Failed to execute 'formData' on 'Response': a part has an invalid Content-Disposition.
no name: TypeError: Failed to execute 'formData' on 'Response': a part has no Content-Disposition with a name.
unterminated quote: TypeError: Failed to execute 'formData' on 'Response': a part has an invalid Content-Disposition.
junk after quote: TypeError: Failed to execute 'formData' on 'Response': a part has an invalid Content-Disposition.
part never ends: TypeError: Failed to execute 'formData' on 'Response': a part does not end with a boundary.
epilogue not on a new line: TypeError: Failed to execute 'formData' on 'Response': the closing boundary is not followed by a new line.
no boundary param: TypeError: Failed to execute 'formData' on 'Response': multipart/form-data has no boundary parameter.
empty boundary: TypeError: Failed to execute 'formData' on 'Response': invalid multipart/form-data boundary.
text/plain: TypeError: Failed to execute 'formData' on 'Response': the body is not multipart/form-data or application/x-www-form-urlencoded.
no content type: TypeError: Failed to execute 'formData' on 'Response': the body is not multipart/form-data or application/x-www-form-urlencoded.
unparsable type: TypeError: Failed to execute 'formData' on 'Response': the body is not multipart/form-data or application/x-www-form-urlencoded.
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: formData() of well-formed variants: transport padding, no final CR LF, a preamble, parameters in any order and case, token values, escaped quotes, empty values, repeated names, a File without Content-Type is text/plain; urlencoded bodies
--- user_files
>>> b.js
const mp = 'multipart/form-data; boundary="b-1"';
const part = (cd, v, extra = '') => `Content-Disposition: ${cd}\r\n${extra}\r\n${v}\r\n--b-1`;
const cases = [
    ['padding', `--b-1 \t\r\n${part('form-data; name="a"', 'x')} \t\r\n${part('form-data; name="b"', 'y')}-- \t`, mp],
    ['preamble', `ignored\r\n--b-1\r\n${part('form-data; name="a"', 'x')}--\r\n`, mp],
    ['order and case', `--b-1\r\n${part('Form-Data; FILENAME="f.txt"; Name=n', 'data')}--`, mp],
    ['escapes', `--b-1\r\n${part('form-data; name="q\\"u\\\\o\\te"; filename="x%22y%0D%0Az"', 'v')}--`, mp],
    ['empty', `--b-1\r\n${part('form-data; name=""', '')}\r\n${part('form-data; name="e"; filename=""', '', 'Content-Type: \r\n')}--`, mp],
    ['repeated', `--b-1\r\n${part('form-data; name="r"', '1')}\r\n${part('form-data; name="r"', '2\r\n--b-2')}--`, mp],
    ['later disposition wins', `--b-1\r\n${part('form-data; name="first"', 'v', 'Content-Disposition: form-data; name="second"\r\n')}--`, mp],
    ['utf-8 and invalid bytes', new Uint8Array([
        ...new TextEncoder().encode('--b-1\r\nContent-Disposition: form-data; name="n\u00e9"\r\n\r\n\u00e9'),
        0xff, ...new TextEncoder().encode('\r\n--b-1--')]), 'multipart/form-data; boundary=b-1; charset=x'],
    ['urlencoded', 'a=1&b=x+y%20z&&c&=d&a=%E2%82%AC', 'application/x-www-form-urlencoded'],
    ['urlencoded with charset', 'k=v', 'Application/X-WWW-Form-URLEncoded; charset=windows-1252'],
    ['urlencoded empty', '', 'application/x-www-form-urlencoded'],
];
export default { async fetch() {
    const out = [];
    for (const [what, body, ct] of cases) {
        const fd = await new Response(body, { headers: { 'content-type': ct } }).formData();
        const entries = [];
        for (const [k, v] of fd) {
            entries.push(typeof v === 'string' ? [k, v] : [k, `File(${v.name}, ${v.type}, ${await v.text()})`]);
        }
        out.push(`${what}: ${JSON.stringify(entries)}`);
    }
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
padding: [["a","x"],["b","y"]]
preamble: [["a","x"]]
order and case: [["n","File(f.txt, text/plain, data)"]]
escapes: [["q\"u\\o\\te","File(x\"y\r\nz, text/plain, v)"]]
empty: [["",""],["e","File(, , )"]]
repeated: [["r","1"],["r","2\r\n--b-2"]]
later disposition wins: [["second","v"]]
utf-8 and invalid bytes: [["né","é�"]]
urlencoded: [["a","1"],["b","x y z"],["c",""],["","d"],["a","€"]]
urlencoded with charset: [["k","v"]]
urlencoded empty: []
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: request.formData() of a body that is not a form, uncaught: 500 and the TypeError in error_log
--- user_files
>>> b.js
export default { async fetch(request) { return new Response(`${[...await request.formData()].length}`); } };
--- more_headers
Content-Type: text/plain
--- request
POST /b
a=1
--- error_code: 500
--- error_log eval
qr/js_function ".*b\.js": Uncaught TypeError: Failed to execute 'formData' on 'Request': the body is not multipart\/form-data or application\/x-www-form-urlencoded\./
--- no_error_log
[alert]
[crit]



=== TEST 18: request.formData() of an urlencoded body the client sends; a clone reads it too; blob() keeps the request's type
--- user_files
>>> b.js
export default { async fetch(request) {
    const copy = request.clone();
    const other = request.clone();
    const fd = await request.formData();
    const again = await copy.formData();
    const blob = await other.blob();
    return new Response(`${JSON.stringify([...fd])} ${JSON.stringify([...again]) === JSON.stringify([...fd])} ${blob.type} ${blob.size}\n`);
} };
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- request
POST /b
name=J%C3%BCrgen+X&tags=a&tags=b&empty=
--- response_body
[["name","Jürgen X"],["tags","a"],["tags","b"],["empty",""]] true application/x-www-form-urlencoded 39
--- no_error_log
[error]
[alert]
[crit]



=== TEST 19: Request attributes: Fetch's defaults (the handler's request too), values from init, enum and other init errors, carried over by new Request(request), reset by a non-empty init
--- user_files
>>> b.js
const ATTRS = ['cache', 'credentials', 'destination', 'integrity', 'keepalive', 'mode', 'redirect', 'referrer',
    'referrerPolicy', 'isHistoryNavigation', 'isReloadNavigation'];
const show = (r) => ATTRS.map((a) => JSON.stringify(r[a])).join(' ');
export default { fetch(request) {
    const out = [show(request), show(new Request('http://x/'))];
    const r = new Request('http://x/', { cache: 'no-cache', credentials: 'include', integrity: 'sha256-abc',
        keepalive: 1, mode: 'same-origin', redirect: 'manual', referrer: 'https://ref.example/p?q#f',
        referrerPolicy: 'no-referrer', priority: 'high', window: null });
    out.push(show(r), show(new Request(r)), show(r.clone()));
    out.push(show(new Request(r, { method: 'POST' })));
    out.push(show(new Request(r, { referrer: '', referrerPolicy: 'origin', mode: 'no-cors', cache: 'reload' })));
    out.push(show(new Request('http://x/', { referrer: 'about:client' })), show(new Request('http://x/', { cache: 'only-if-cached', mode: 'same-origin' })));
    out.push(show(new Request('http://x/', { referrer: undefined, mode: undefined })));
    for (const init of [{ cache: 'bogus' }, { credentials: 'all' }, { mode: 'navigate' }, { mode: 'CORS' },
        { referrerPolicy: 'never' }, { priority: 'urgent' }, { redirect: 'stop' }, { cache: 'only-if-cached' },
        { referrer: '/relative' }, { referrer: 'http://[bad' }, { mode: 'no-cors', method: 'PUT' }, { window: {} },
        { keepalive: true, method: 'POST', body: new ReadableStream(), duplex: 'half' },
        { mode: 'no-cors', method: 'POST', body: new ReadableStream(), duplex: 'half' }]) {
        try { new Request('http://x/', init); out.push('made'); } catch (e) { out.push(`${e.constructor.name}: ${e.message}`); }
    }
    const read = [];
    const spy = new Proxy({}, { get(t, k) { if (typeof k === 'string') read.push(k); return undefined; } });
    new Request('http://x/', spy);
    out.push(read.join(','));
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
"default" "same-origin" "" "" false "cors" "follow" "about:client" "" false false
"default" "same-origin" "" "" false "cors" "follow" "about:client" "" false false
"no-cache" "include" "" "sha256-abc" true "same-origin" "manual" "https://ref.example/p?q#f" "no-referrer" false false
"no-cache" "include" "" "sha256-abc" true "same-origin" "manual" "https://ref.example/p?q#f" "no-referrer" false false
"no-cache" "include" "" "sha256-abc" true "same-origin" "manual" "https://ref.example/p?q#f" "no-referrer" false false
"no-cache" "include" "" "sha256-abc" true "same-origin" "manual" "about:client" "" false false
"reload" "include" "" "sha256-abc" true "no-cors" "manual" "" "origin" false false
"default" "same-origin" "" "" false "cors" "follow" "about:client" "" false false
"only-if-cached" "same-origin" "" "" false "same-origin" "follow" "about:client" "" false false
"default" "same-origin" "" "" false "cors" "follow" "about:client" "" false false
TypeError: Failed to construct 'Request': The provided value 'bogus' is not a valid enum value of type RequestCache.
TypeError: Failed to construct 'Request': The provided value 'all' is not a valid enum value of type RequestCredentials.
TypeError: Failed to construct 'Request': Cannot construct a Request with a RequestInit whose mode member is set as 'navigate'.
TypeError: Failed to construct 'Request': The provided value 'CORS' is not a valid enum value of type RequestMode.
TypeError: Failed to construct 'Request': The provided value 'never' is not a valid enum value of type ReferrerPolicy.
TypeError: Failed to construct 'Request': The provided value 'urgent' is not a valid enum value of type RequestPriority.
TypeError: Failed to construct 'Request': The provided value 'stop' is not a valid enum value of type RequestRedirect.
TypeError: Failed to construct 'Request': 'only-if-cached' can be set only with 'same-origin' mode.
TypeError: Failed to construct 'Request': Referrer '/relative' is not a valid URL.
TypeError: Failed to construct 'Request': Referrer 'http://[bad' is not a valid URL.
TypeError: Failed to construct 'Request': 'PUT' is unsupported in no-cors mode.
TypeError: Failed to construct 'Request': 'window' must be null.
TypeError: Failed to construct 'Request': keepalive cannot be set with a ReadableStream body.
TypeError: Failed to construct 'Request': A ReadableStream body needs mode 'same-origin' or 'cors'.
body,cache,credentials,duplex,headers,integrity,keepalive,method,mode,priority,redirect,referrer,referrerPolicy,signal,window
--- no_error_log
[error]
[alert]
[crit]



=== TEST 20: Response type, url and redirected: "default", "" and false for constructed responses, "error" for Response.error(), "default" for Response.redirect(); clones keep them
--- user_files
>>> b.js
export default { fetch() {
    const show = (r) => `${r.type} ${JSON.stringify(r.url)} ${r.redirected} ${r.status}`;
    return new Response([new Response('x'), Response.error(), Response.redirect('http://x/y', 301), Response.json(1),
        Response.error().clone()].map(show).join('\n') + '\n');
} };
--- request
GET /b
--- response_body
default "" false 200
error "" false 0
default "" false 301
default "" false 200
error "" false 0
--- no_error_log
[error]
[alert]
[crit]



=== TEST 21: hostile: a multipart body of 100,000 small parts (6 MB) is read in bounded time, part by part
--- user_files
>>> b.js
export default { async fetch(request) {
    const fd = await request.formData();
    let n = 0;
    for (const k of fd.keys()) n++;
    return new Response(`${n} ${fd.get('n1')} ${fd.get('n100000')} ${fd.getAll('n50000').length}\n`);
} };
--- more_headers
Content-Type: multipart/form-data; boundary=XyZ
--- request eval
"POST /b\n" . $main::Many
--- response_body
100000 v1 v100000 1
--- timeout: 30
--- no_error_log
[error]
[alert]
[crit]



=== TEST 22: hostile: a part header line of 1 MB (ignored), a name of 1 MB, a quote that never closes over 1 MB, headers that never end, a boundary that never comes, a value of 500,000 CRs: parsed or a TypeError, in bounded time
--- user_files
>>> b.js
export default { async fetch(request) {
    const kind = new URL(request.url).searchParams.get('k');
    try {
        const fd = await request.formData();
        const [[k, v]] = fd;
        return new Response(`${kind}: ${fd.getAll(k).length} ${k.length} ${v.length}\n`);
    } catch (e) {
        return new Response(`${kind}: ${e.constructor.name}: ${e.message}\n`);
    }
} };
--- more_headers
Content-Type: multipart/form-data; boundary=XyZ
--- request eval
[
"POST /b?k=header\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: " . ("a" x (1 << 20)) . "\r\n\r\nv\r\n--XyZ--",
"POST /b?k=name\n--XyZ\r\nContent-Disposition: form-data; name=\"" . ("n" x (1 << 20)) . "\"\r\n\r\nv\r\n--XyZ--",
"POST /b?k=quote\n--XyZ\r\nContent-Disposition: form-data; name=\"" . ("\\q" x (1 << 19)) . "\r\n\r\nv\r\n--XyZ--",
"POST /b?k=headers\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n" . ("X: y\r\n" x 200000),
"POST /b?k=body\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" . ("\r\n--XyY\r\n" x 100000),
"POST /b?k=crs\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" . ("\r-" x (1 << 19)) . "\r\n--XyZ--",
]
--- response_body eval
[
"header: 1 1 1\n",
"name: 1 1048576 1\n",
"quote: TypeError: Failed to execute 'formData' on 'Request': a part has an invalid Content-Disposition.\n",
"headers: TypeError: Failed to execute 'formData' on 'Request': the headers of a part do not end.\n",
"body: TypeError: Failed to execute 'formData' on 'Request': a part does not end with a boundary.\n",
"crs: 1 1 1048576\n",
]
--- timeout: 30
--- no_error_log
[error]
[alert]
[crit]



=== TEST 23: hostile: a Blob of 1,000,000 slices of another (shared, not copied: 1 GB in a few MB), a Blob of 1,000,000 one-byte slices (copied into one array), a slice taken 1,000,000 times; read back in part
--- config
    location /b {
        js_function_cpu_limit 10s;
        js_function_memory 256m;
        js_function $TEST_NGINX_SERVER_ROOT/html/b.js;
    }
--- user_files
>>> b.js
const abc = new Uint8Array(1 << 20);
for (let i = 0; i < abc.length; i++) abc[i] = 0x61 + (i % 26);
const big = new Blob([abc]);
export default { async fetch() {
    const out = [];
    const many = new Blob({ *[Symbol.iterator]() { for (let i = 0; i < 1e6; i++) yield big.slice(i % 1000, i % 1000 + 1000); } });
    out.push(many.size, await many.slice(999 * 1000 + 998, 999 * 1000 + 1003).text(), await many.slice(-3).text());
    const mid = many.slice(5e8 - 2, 5e8 + 2);
    out.push(mid.size, await mid.text());
    const ones = new Blob({ *[Symbol.iterator]() { for (let i = 0; i < 1e6; i++) yield big.slice(i, i + 1); } });
    out.push(ones.size, (await ones.bytes()).length, await ones.slice(25, 28).text());
    let s = big;
    for (let i = 0; i < 1e6; i++) s = s.slice(1);
    out.push(s.size, await s.slice(0, 3).text());
    let chunks = 0;
    const reader = many.slice(0, 1 << 20).stream().getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks++;
    out.push(chunks);
    return new Response(out.join('\n') + '\n');
} };
--- request
GET /b
--- response_body
1000000000
vwabc
uvw
4
vwab
1000000
1000000
zab
48576
opq
16
--- timeout: 30
--- no_error_log
[error]
[alert]
[crit]



=== TEST 24: a Blob larger than js_function_memory, read whole: 503 at the memory limit, not a crash
--- user_files
>>> m.js
export default { async fetch() {
    const b = new Blob([new Uint8Array(6 << 20)]);
    const huge = new Blob([b, b, b, b]);
    return new Response(`${huge.size} ${(await huge.arrayBuffer()).byteLength}`);
} };
--- request
GET /m
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*m\.js": memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]



=== TEST 25: a Blob built past js_function_memory (its parts copied together), caught by the function: still 503 at the memory limit
--- user_files
>>> m.js
export default { fetch() {
    const parts = [];
    for (let i = 0; i < 20; i++) parts.push(new Uint8Array(1 << 20));
    try { return new Response(`${new Blob(parts).size}`); } catch (e) { return new Response(`caught ${e}`); }
} };
--- request
GET /m
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*m\.js": memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]



=== TEST 26: a Blob of shared parts whose whole is past js_function_memory, as a response body: 503 at the memory limit; the worker goes on
--- user_files
>>> m.js
const b = new Blob([new Uint8Array(1 << 20)]);
export default { fetch: (request) => new Response(new URL(request.url).search === '?small' ? b.slice(0, 5)
    : new Blob(Array.from({ length: 100 }, () => b))) };
--- request
GET /m
--- error_code: 503
--- error_log eval
qr/\[error\] .*js_function ".*m\.js": memory limit of 16 MB exceeded \(js_function_memory\)/
--- no_error_log
[alert]
[crit]



=== TEST 27: the stream() of a Blob of shared parts past js_function_memory, as a response body: streamed out whole, a part at a time (t/220-streaming.t); the isolate serves on
--- user_files
>>> m.js
const mb = new Blob([new Uint8Array(1 << 20).fill(0x2e)]);
export default { fetch(request) {
    const b = new Blob(Array.from({ length: new URL(request.url).search === '?small' ? 1 : 100 }, () => mb));
    return new Response(b.slice(0, b.size > (1 << 20) ? b.size : 5).stream());
} };
--- request eval
["GET /m", "GET /m?small"]
--- response_body_filters eval
sub { my $b = shift; length($b) . ($b =~ /\A\.*\z/ ? ' dots' : ' other') }
--- response_body eval
["104857600 dots", "5 dots"]
--- timeout: 20
--- no_error_log
[alert]
[crit]



=== TEST 28: hostile built-ins: a function that replaced typed array, string, array, object and RegExp members, Math.random and Uint8Array before its first Blob (the library loads then) still gets its Blob and FormData bodies right on the wire, with a random boundary
--- config
    location /blob { js_function $TEST_NGINX_SERVER_ROOT/html/blob.js; }
    location /form { js_function $TEST_NGINX_SERVER_ROOT/html/form.js; }
--- user_files
>>> clobber.js
// the parts are made first (no Blob yet): the function's own arrays and typed arrays use what it replaces
export const parts = ['ab\r\n', new Int8Array([0x63, 0x64]), 'e'.repeat(600), 'f'];
export function clobber() {
    const TA = Object.getPrototypeOf(Uint8Array.prototype);
    for (const name of ['set', 'subarray', 'slice', 'indexOf', 'fill']) TA[name] = () => { throw new Error(`TA.${name}`); };
    for (const name of ['length', 'buffer', 'byteOffset', 'byteLength']) {
        Object.defineProperty(TA, name, { get() { return 3; }, configurable: true });
    }
    for (const name of ['indexOf', 'slice', 'charCodeAt', 'toLowerCase', 'replace', 'split', 'substring']) {
        String.prototype[name] = () => { throw new Error(`String.${name}`); };
    }
    Array.prototype.push = () => { throw new Error('push'); };
    Array.prototype[Symbol.iterator] = function* () { yield 'evil'; };
    Object.prototype.get = function () { return 'evil'; };
    WeakMap.prototype.set = () => { throw new Error('WeakMap.set'); };
    Reflect.ownKeys = () => ['evil'];
    Object.defineProperty = Object.freeze = () => { throw new Error('Object'); };
    RegExp.prototype.exec = () => null;
    Math.random = Math.round = () => 0;
    globalThis.Uint8Array = function () { throw new Error('Uint8Array'); };
}
export function makeBlob() {
    return new Blob({ [Symbol.iterator]: () => { let i = 0; return { next: () => (i < 4 ? { value: parts[i++] } : { done: true }) }; } },
        { type: 'A/B', endings: 'native' });
}
>>> blob.js
import { clobber, makeBlob } from './clobber.js';
export default { fetch() { clobber(); return new Response(makeBlob()); } };
>>> form.js
import { clobber, makeBlob } from './clobber.js';
export default { fetch() {
    clobber();
    const fd = new FormData();
    fd.append('n"1', 'v\n1');
    fd.append('f', makeBlob(), 'x.txt');
    return new Response(fd);
} };
--- request eval
["GET /blob", "GET /form"]
--- response_headers_like eval
["Content-Type: a/b", "Content-Type: multipart/form-data; boundary=----formdata-[0-9a-f]{32}"]
--- response_body_like eval
[qr{\Aab\ncde{600}f\z},
qr{\A(------formdata-(?!0{32})[0-9a-f]{32})\r
Content-Disposition: form-data; name="n%221"\r
\r
v\r
1\r
\1\r
Content-Disposition: form-data; name="f"; filename="x.txt"\r
Content-Type: a/b\r
\r
ab\ncde{600}f\r
\1--\r
\z}]
--- no_error_log
[error]
[alert]
[crit]
