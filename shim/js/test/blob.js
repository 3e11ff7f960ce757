// Blob, File, FormData, blob()/formData() and the Request attributes,
// checked against the assertions of the web-platform-tests they come from
// (FileAPI/blob, FileAPI/file, xhr/formdata, fetch/api/response/
// response-form-data, response-consume-empty, fetch/api/body/mime-type).
// run-node.js evaluates this like unit.js: __report(name, ok, message).
'use strict';

(async () => {
  // (Blob and FormData come from a library the natives load)
  if (typeof Blob === 'undefined') return;
  let n = 0;
  const check = (name, got, want) => {
    const g = JSON.stringify(got), w = JSON.stringify(want);
    __report(`${name} #${++n}`, g === w, `got ${g}, want ${w}`);
  };
  const throwsT = (name, f, type = 'TypeError') => {
    let msg = 'no throw';
    try { f(); } catch (e) { msg = e && e.name === type ? null : `threw ${e && e.name}: ${e && e.message}`; }
    __report(`${name} #${++n}`, msg === null, msg);
  };
  const te = async (b) => await b.text();
  check('Blob.length', Blob.length, 0);
  check('File.length', File.length, 2);
  check('tag', String(new Blob()), '[object Blob]');
  throwsT('no new', () => Blob());
  for (const a of [null, true, false, 0, 1, 1.5, 'FAIL', new Date(0), /x/, {}, { 0: 'FAIL', length: 1 }]) throwsT('bad parts ' + String(a), () => new Blob(a));
  check('iter obj', await te(new Blob({ [Symbol.iterator]: Array.prototype[Symbol.iterator], 0: 'PASS', length: 1 })), 'PASS');
  check('String obj', await te(new Blob(new String('xyz'))), 'xyz');
  check('u8 seq', await te(new Blob(new Uint8Array([1, 2, 3]))), '123');
  check('tostring', await te(new Blob([null, undefined, true, false, 0, 1, new String('stringobject'), [], ['x', 'y'], {}, { 0: 'FAIL', length: 1 }, { toString() { return 'stringA'; } }, { toString: undefined, valueOf() { return 'stringB'; } }])),
    'nullundefinedtruefalse01stringobjectx,y[object Object][object Object]stringAstringB');
  throwsT('null tostring', () => new Blob([{ toString: null, valueOf: null }]));
  {
    const arr = [{ toString() { arr.pop(); return 'PASS'; } }, { toString() { throw 1; } }];
    check('pop', await te(new Blob(arr)), 'PASS');
  }
  check('typed', await te(new Blob([new Uint8Array([0x50, 0x41, 0x53, 0x53]), new Int8Array([0x50, 0x41, 0x53, 0x53]), new Uint16Array([0x4150, 0x5353]), new Int16Array([0x4150, 0x5353]), new Uint32Array([0x53534150]), new Int32Array([0x53534150]), new Float32Array([0xD341500000])])), 'PASS'.repeat(7));
  check('bigint', await te(new Blob([new BigInt64Array([BigInt('0x5353415053534150')])])), 'PASSPASS');
  { const v = new Uint8Array([0, 255, 0, 4]); const b = new Blob([v, v]); check('views size', b.size, 8); const v1 = new Uint16Array(v.buffer, 2); check('views', [...new Uint8Array(await new Blob([v1, v.buffer, v1]).arrayBuffer())], [0, 4, 0, 255, 0, 4, 0, 4]); }
  check('mixed', await te(new Blob([new Uint8Array([0]).buffer, new Blob(['fo']), 'foo'])), '\0fofoo');
  {
    const accessed = [], stringified = [];
    new Blob([], { get type() { accessed.push('type'); }, get endings() { accessed.push('endings'); } });
    new Blob([], { type: { toString: () => { stringified.push('type'); return ''; } }, endings: { toString: () => { stringified.push('endings'); return 'transparent'; } } });
    check('order', [accessed, stringified], [['endings', 'type'], ['endings', 'type']]);
  }
  for (const a of [null, undefined, {}, { unrecognized: true }, /regex/, function () {}]) check('opts ok', await te(new Blob(['\na\r\nb\n\rc\r'], a)), '\na\r\nb\n\rc\r');
  for (const a of [123, 123.4, true, 'abc']) throwsT('opts bad', () => new Blob([], a));
  throwsT('endings bad', () => new Blob([], { endings: 'bogus' }));
  check('native', await te(new Blob(['\na\r\nb\n\rc\r'], { endings: 'native' })), '\na\nb\n\nc\n');
  check('native split', await te(new Blob(['a\r', '\nb'], { endings: 'native' })), 'a\n\nb');
  for (const [t, e] of [['', ''], ['a', 'a'], ['A', 'a'], ['TEXT/HTML', 'text/html'], ['\u00E5', ''], [' image/gif ', ' image/gif '], ['\timage/gif\t', ''], ['image/gif;\u007f', ''], ['\u0130mage/gif', ''], ['image/gif\u0000', '']]) check('type ' + JSON.stringify(t), new Blob([], { type: t }).type, e);
  // slice
  const b1 = new Blob(['squiggle']), b2 = new Blob(['steak'], { type: 'content/type' });
  check('slice null type', new Blob().slice(0, 0, null).type, 'null');
  const ab = new ArrayBuffer(16); const i8 = new Int8Array(ab); for (let i = 0; i < 16; i++) i8[i] = i + 65;
  const data = [
    [['PASSSTRING'], [[-6, undefined, 'STRING'], [-12, undefined, 'PASSSTRING'], [4, undefined, 'STRING'], [12, undefined, ''], [0, -6, 'PASS'], [0, -12, ''], [0, 4, 'PASS'], [0, 12, 'PASSSTRING'], [7, 4, '']]],
    [['foo', 'bar', 'baz'], [[0, 9, 'foobarbaz'], [0, 3, 'foo'], [3, 9, 'barbaz'], [6, 9, 'baz'], [6, 12, 'baz'], [0, 11, 'foobarbaz'], [10, 15, '']]],
    [['foo', b1, 'baz'], [[0, 3, 'foo'], [3, 11, 'squiggle'], [2, 4, 'os'], [10, 12, 'eb']]],
    [[b1, 'foo', b1], [[0, 8, 'squiggle'], [7, 9, 'ef'], [10, 12, 'os'], [1, 4, 'qui'], [12, 15, 'qui'], [40, 60, '']]],
    [[b2, b1, b2], [[0, 5, 'steak'], [5, 13, 'squiggle'], [13, 18, 'steak'], [1, 3, 'te'], [6, 10, 'quig']]],
    [[i8, b1, 'foo'], [[0, 8, 'ABCDEFGH'], [8, 18, 'IJKLMNOPsq'], [17, 20, 'qui'], [4, 12, 'EFGHIJKL']]],
    [[new Uint8Array(ab, 3, 5), b1, 'foo'], [[0, 8, 'DEFGHsqu'], [8, 18, 'igglefoo'], [4, 12, 'Hsquiggl']]],
    [[3, i8, 'foo'], [[0, 8, '3ABCDEFG'], [8, 18, 'HIJKLMNOPf'], [17, 21, 'foo'], [4, 12, 'DEFGHIJK']]],
    [[(new Uint8Array([0, 255, 0])).buffer, new Blob(['abcd']), 'efgh', 'ijklmnopqrstuvwxyz'], [[1, 4, '\uFFFD\u0000a'], [4, 8, 'bcde'], [8, 12, 'fghi'], [1, 12, '\uFFFD\u0000abcdefghi']]],
  ];
  for (const [parts, cases] of data) { const b = new Blob(parts); for (const [s, e, want] of cases) { const sl = e === undefined ? b.slice(s) : b.slice(s, e); check(`slice ${s},${e}`, [await te(sl), sl.type], [want, '']); } }
  for (const t of ['\xFF', 'te\x09xt/plain', 'te\x00xt/plain', 'te\x1Fxt/plain', 'te\x7Fxt/plain']) check('slice bad type', new Blob(['PASS']).slice(0, 4, t).type, '');
  check('slice valid type', new Blob(['PASS']).slice(0, 4, 'TEXT/PLAIN;charset = UTF-8').type, 'text/plain;charset = utf-8');
  const big = new Blob(['A'.repeat(2000)]);
  check('overflow', [big.slice(-1, 2000).size, big.slice(2001, 2000).size, big.slice(1998, -1).size, big.slice(1998, 2999).size, big.slice(-Infinity, Infinity).size, big.slice(NaN, 5).size], [1, 0, 1, 2, 2000, 5]);
  // text / bytes / arrayBuffer
  check('text bom', await te(new Blob([new Uint8Array([0xEF, 0xBB, 0xBF, 0x41])])), 'A');
  check('bytes', [...await new Blob(['ab']).bytes()], [97, 98]);
  check('ab type', Object.prototype.toString.call(await new Blob(['ab']).arrayBuffer()), '[object ArrayBuffer]');
  { const bb = new Blob(['x'.repeat(1000)]); const a1 = await bb.bytes(); a1[0] = 0; check('bytes copy', (await bb.text())[0], 'x'); }
  // File
  throwsT('File()', () => new File());
  throwsT('File([])', () => new File([]));
  for (const [bits, size] of [[[], 0], [['bits'], 4], [['𝓽𝓮𝔁𝓽'], 16], [[new String('string object')], 13], [[new Blob()], 0], [[new File(['bits'], 'w')], 4], [[new ArrayBuffer(8)], 8], [[12], 2], [[[1, 2, 3]], 5], [[{}], 15]]) {
    const f = new File(bits, 'dummy'); check('file size', [f instanceof File, f instanceof Blob, f.name, f.size, f.type], [true, true, 'dummy', size, '']);
  }
  for (const a of ['hello', 0, null]) throwsT('file bits ' + a, () => new File(a, 'world.html'));
  check('file names', [new File(['bits'], null).name, new File(['bits'], 1).name, new File(['bits'], 'dummy/foo').name], ['null', '1', 'dummy/foo']);
  check('file types', ['text/plain', 'TEXT/PLAIN', 'ascii/nonprintable\u001F', 'nonparsable'].map((t) => new File(['b'], 'd', { type: t }).type), ['text/plain', 'text/plain', '', 'nonparsable']);
  check('lastModified', new File(['b'], 'd', { lastModified: 42 }).lastModified, 42);
  check('name misuse', new File(['b'], 'd', { name: 'foo' }).name, 'd');
  for (const a of [123, 123.4, true, 'abc']) throwsT('file bag', () => new File(['bits'], 'name.txt', a));
  for (const a of [null, undefined, [1, 2, 3], /regex/, function () {}]) check('file bag ok', new File(['bits'], 'name.txt', a).size, 4);
  check('file tag', String(new File([], 'x')), '[object File]');
  check('file slice is blob', new File(['abc'], 'x').slice(1) instanceof File, false);
  check('webkitRelativePath', new File([], 'x').webkitRelativePath, '');
  // FormData: set-blob
  const fd = new FormData();
  fd.set('blob-1', new Blob()); const bl1 = fd.get('blob-1');
  check('set blob', [bl1.constructor.name, bl1.name, bl1.type, fd.get('blob-1') === fd.get('blob-1')], ['File', 'blob', '', true]);
  fd.set('blob-2', new Blob([], { type: 'text/plain' })); check('set blob type', [fd.get('blob-2').name, fd.get('blob-2').type], ['blob', 'text/plain']);
  fd.set('blob-3', new Blob(), 'custom name'); check('custom', fd.get('blob-3').name, 'custom name');
  const file1 = new File([], 'name'); fd.set('file-1', file1); check('same file', fd.get('file-1') === file1, true);
  fd.set('file-2', new File([], 'name', { lastModified: 123 }), 'custom name'); check('file2', [fd.get('file-2').name, fd.get('file-2').lastModified], ['custom name', 123]);
  throwsT('append 3 args string', () => fd.append('a', 'b', 'c'));
  throwsT('append 1 arg', () => fd.append('a'));
  throwsT('FormData(null)', () => new FormData(null));
  throwsT('FormData({})', () => new FormData({}));
  check('FormData(undefined)', [...new FormData(undefined)].length, 0);
  // iteration
  const mk = (l) => { const f = new FormData(); for (const [k, v] of l) f.append(k, v); return f; };
  { const f = mk([['foo', '0'], ['baz', '1'], ['BAR', '2']]); const ks = []; for (const [k] of f) { ks.push(k); f.delete('baz'); } check('iter del', ks, ['foo', 'BAR']); }
  { const f = mk([['foo', '0'], ['baz', '1'], ['BAR', '2'], ['quux', '3']]); const ks = []; for (const [k] of f) { ks.push(k); if (k === 'baz') f.delete('foo'); } check('iter del2', ks, ['foo', 'baz', 'quux']); }
  { const f = mk([['foo', '0'], ['baz', '1'], ['BAR', '2'], ['quux', '3']]); const ks = []; for (const [k] of f) { ks.push(k); if (k === 'baz') f.append('X-yZ', '4'); } check('iter app', ks, ['foo', 'baz', 'BAR', 'quux', 'X-yZ']); }
  { const f = mk([['a', '1'], ['b', '2'], ['a', '3']]); f.set('a', '9'); check('set', [...f], [['a', '9'], ['b', '2']]); check('getAll', f.getAll('b'), ['2']); check('has', [f.has('a'), f.has('z')], [true, false]); check('get null', f.get('z'), null);
    const seen = []; f.forEach(function (v, k, p) { seen.push([v, k, p === f, this.x]); }, { x: 1 }); check('forEach', seen, [['9', 'a', true, 1], ['2', 'b', true, 1]]);
    check('keys/values', [[...f.keys()], [...f.values()]], [['a', 'b'], ['9', '2']]); check('fd tag', [String(f), Object.prototype.toString.call(f.entries())], ['[object FormData]', '[object FormData Iterator]']); }
  check('usv', mk([['\uD800', '\uDC00x']]).get('\uFFFD'), '\uFFFDx');
  // response-form-data
  const R = (v, b = 'boundary') => new Response(decodeURIComponent(v), { headers: [['Content-Type', 'multipart/form-data; boundary=' + b]] });
  const valid = [
    ['--boundary%0D%0AContent-Disposition%3A%20form-data%3B%20name%3D%22username%22%0D%0A%0D%0Afoo%0D%0A--boundary--%0D%0A', [['username', 'foo']]],
    ['--boundary%20%09%0D%0AContent-Disposition%3A%20form-data%3B%20name%3D%22username%22%0D%0A%0D%0Afoo%0D%0A--boundary--%0D%0A', [['username', 'foo']]],
    ['--boundary%0D%0AContent-Disposition%3A%20form-data%3B%20name%3D%22username%22%0D%0A%0D%0Afoo%0D%0A--boundary--', [['username', 'foo']]],
    ['--boundary%0D%0AContent-Disposition%3A%20form-data%3B%20name%3D%22username%22%0D%0A%0D%0Afoo%0D%0A--boundary%0D%0AContent-Disposition%3A%20form-data%3B%20name%3D%22account%22%0D%0A%0D%0Agoo%0D%0A--boundary--%0D%0A', [['username', 'foo'], ['account', 'goo']]],
    ['--boundary%0D%0AContent-Disposition%3A%20form-data%3B%20name%3D%22username%22%0D%0A%0D%0Afoo%0D%0A--boundary%09%20%0D%0AContent-Disposition%3A%20form-data%3B%20name%3D%22account%22%0D%0A%0D%0Agoo%0D%0A--boundary--', [['username', 'foo'], ['account', 'goo']]],
  ];
  for (const [v, want] of valid) check('valid mp', [...await R(v).formData()], want);
  for (const [v, b] of [['--boundary--boundary--%0D%0A'], ['--boundary%0A--boundary--%0D%0A'], ['--boundary%0D--boundary--%0D%0A'], ['--boundary%0D%0A%0D%0A%0D%0A--boundary--%0D%0A'], ['--boundary%0A_--boundary--%0D%0A'], ['--boundary-%20---boundary--%0D%0A'], ['--boundary--%0D%0A', 'boundary--']]) {
    try { await R(v, b).formData(); check('invalid mp ' + v, 'no error', 'TypeError'); } catch (e) { check('invalid mp', e.name, 'TypeError'); }
  }
  { const r1 = new Response(new FormData()); const t = await r1.text(); const bd = t.substring(2).trim().slice(0, -2); check('empty fd', [t.startsWith('--'), t.trim().endsWith('--'), [...await new Response(t, { headers: [['Content-Type', 'multipart/form-data; boundary=' + bd]] }).formData()]], [true, true, []]); }
  const RB = (body, ct = 'multipart/form-data; boundary=boundary') => new Response(body, { headers: [['Content-Type', ct]] });
  { const f = (await RB('--boundary\r\nContent-Disposition: form-data; name="file1"; filename="hello.txt"\r\n\r\nfile contents\r\n--boundary--\r\n').formData()).get('file1'); check('file part', [f instanceof File, f.name, f.type, await f.text()], [true, 'hello.txt', 'text/plain', 'file contents']); }
  { const f = (await RB('--boundary\r\nContent-Disposition: form-data; name="file1"; filename="image.png"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--boundary--\r\n').formData()).get('file1'); check('file png', [f.name, f.type, await f.text()], ['image.png', 'image/png', 'PNG']); }
  for (const [esc, ch] of [['%0A', '\n'], ['%0D', '\r'], ['%22', '"']]) check('name esc ' + esc, (await RB(`--boundary\r\nContent-Disposition: form-data; name="a${esc}b"\r\n\r\nvalue\r\n--boundary--\r\n`).formData()).get(`a${ch}b`), 'value');
  check('unknown hdr', (await RB('--boundary\r\nContent-Disposition: form-data; name="field"\r\nX-Custom: ignored\r\n\r\nvalue\r\n--boundary--\r\n').formData()).get('field'), 'value');
  try { await RB('--boundary\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n--boundary--\r\n', 'multipart/form-data').formData(); check('no boundary', 1, 0); } catch (e) { check('no boundary', e.name, 'TypeError'); }
  check('pad close', (await RB('--boundary\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n--boundary-- \t\r\n').formData()).get('field'), 'value');
  { const f = new FormData(); f.append('field', 'a\nb\rc\r\nd'); check('crlf', (await new Response(f).formData()).get('field'), 'a\r\nb\r\nc\r\nd'); }
  { const f = new FormData(); f.append('myfile', new File(['content'], 'test.txt', { type: 'text/plain' })); const g = (await new Response(f).formData()).get('myfile'); check('rt file', [g.name, g.type, await g.text()], ['test.txt', 'text/plain', 'content']); }
  // consume-empty
  { const r = new Response(undefined, { headers: [['Content-Type', 'application/x-www-form-urlencoded;charset=UTF-8']] }); check('empty urlenc', [[...await r.formData()], r.bodyUsed], [[], false]); }
  try { await new Response().formData(); check('no type', 1, 0); } catch (e) { check('no type', e.name, 'TypeError'); }
  try { await new Response(undefined, { headers: [['Content-Type', 'multipart/form-data; boundary="boundary"']] }).formData(); check('empty mp', 1, 0); } catch (e) { check('empty mp', e.name, 'TypeError'); }
  check('urlenc', [...await new Response('a=1&b=%20x+y&a=', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData()], [['a', '1'], ['b', ' x y'], ['a', '']]);
  check('urlsp', [...await new Response(new URLSearchParams('q=1')).formData()], [['q', '1']]);
  // blob(): mime types
  { const r = new Response('', { headers: { 'Content-Type': 'text/plain' } }); r.headers.set('Content-Type', 'test/test'); check('blob ct', (await r.blob()).type, 'test/test'); }
  { const r = new Response(new URLSearchParams()); r.headers.delete('Content-Type'); check('blob no ct', (await r.blob()).type, ''); }
  check('blob empty', (await new Response().blob()).type, '');
  check('Mytext', (await new Response('', { headers: [['Content-Type', 'Mytext/Plain']] }).blob()).type, 'mytext/plain');
  { const r = new Response(new Blob([''])); check('blob body no type', [(await r.blob()).type, r.headers.get('Content-Type')], ['', null]); }
  { const r = new Response(new Blob([''], { type: 'Text/Plain' })); check('blob body type', [r.headers.get('Content-Type'), (await r.blob()).type], ['text/plain', 'text/plain']); }
  { const r = new Response(new Blob([''], { type: 'Text/Plain' }), { headers: [['Content-Type', 'Text/Html']] }); const c = r.clone(); check('clone ct', [(await r.blob()).type, (await c.blob()).type], ['text/html', 'text/html']); }
  for (const [ct, want] of [['text/plain;charset=gbk,text/html', 'text/html'], ['text/html;charset=gbk;a=b,text/html;x=y', 'text/html;x=y;charset=gbk'], ['text/html,*/*', 'text/html'], ['text/plain;charset=gbk, text/plain', 'text/plain;charset=gbk'], ['TEXT/PLAIN;CHARSET="a\\"b"', 'text/plain;charset="a\\"b"'], ['bad', '']]) {
    check('extract ' + ct, (await new Response('', { headers: { 'content-type': ct } }).blob()).type, want);
  }
  { const r = new Request('http://a/', { method: 'POST', body: new Blob(['xyz'], { type: 'a/b' }) }); const b = await r.blob(); check('req blob', [b.type, await b.text(), r.bodyUsed], ['a/b', 'xyz', true]); }
  check('consume blob', await (await new Response(new Blob(['"x"'], { type: 'text/plain' })).blob()).text(), '"x"');
  check('blob json', await new Response(new Blob(['{"a":1}'])).json(), { a: 1 });
  { const r = new Response(new FormData()); check('fd bodyUsed', [r.bodyUsed, (await r.formData()) instanceof FormData, r.bodyUsed], [false, true, true]); }
  // Request attributes
  { const r = new Request('http://a/'); check('defaults', [r.cache, r.credentials, r.destination, r.integrity, r.keepalive, r.mode, r.referrer, r.referrerPolicy, r.isHistoryNavigation, r.isReloadNavigation, r.redirect], ['default', 'same-origin', '', '', false, 'cors', 'about:client', '', false, false, 'follow']); }
  { const r = new Request('http://a/', { cache: 'no-store', credentials: 'include', integrity: 'sha256-x', keepalive: 1, mode: 'same-origin', referrer: 'http://b/c?d', referrerPolicy: 'origin' }); const r2 = new Request(r); check('carried', [r2.cache, r2.credentials, r2.integrity, r2.keepalive, r2.mode, r2.referrer, r2.referrerPolicy], ['no-store', 'include', 'sha256-x', true, 'same-origin', 'http://b/c?d', 'origin']);
    const r3 = new Request(r, { method: 'POST' }); check('reset', [r3.referrer, r3.referrerPolicy, r3.cache, r3.mode], ['about:client', '', 'no-store', 'same-origin']); }
  check('referrer empty', new Request('http://a/', { referrer: '' }).referrer, '');
  check('referrer client', new Request('http://a/', { referrer: 'about:client' }).referrer, 'about:client');
  throwsT('referrer relative', () => new Request('http://a/', { referrer: '/x' }));
  throwsT('navigate', () => new Request('http://a/', { mode: 'navigate' }));
  for (const k of ['cache', 'credentials', 'mode', 'referrerPolicy', 'priority', 'redirect']) throwsT('enum ' + k, () => new Request('http://a/', { [k]: 'bogus' }));
  throwsT('only-if-cached', () => new Request('http://a/', { cache: 'only-if-cached' }));
  check('only-if-cached ok', new Request('http://a/', { cache: 'only-if-cached', mode: 'same-origin' }).cache, 'only-if-cached');
  throwsT('no-cors PUT', () => new Request('http://a/', { mode: 'no-cors', method: 'PUT' }));
  check('no-cors POST', new Request('http://a/', { mode: 'no-cors', method: 'POST' }).mode, 'no-cors');
  throwsT('window', () => new Request('http://a/', { window: {} }));
  check('window null', new Request('http://a/', { window: null }).mode, 'cors');
  check('response error', [Response.error().type, Response.error().status, Response.redirect('http://a/').type, new Response().type, new Response().url, new Response().redirected], ['error', 0, 'default', 'default', '', false]);
})().catch((e) => __report('blob.js', false, e && e.stack));
