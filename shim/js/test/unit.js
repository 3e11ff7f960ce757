// Own assertions for the shim/js runtime files. run-node.js evaluates this
// inside the same vm context as the runtime (so TypeError, Uint8Array, ...
// are that realm's), with helpers set on the global object:
//   __report(name, ok, message), __internal (the runtime's `internal`) and
//   __natives (the natives object: {} or the JS stand-ins).
'use strict';

(async () => {
  const tests = [];
  const test = (name, fn) => tests.push([name, fn]);
  const internal = __internal;

  const fmt = (v) => {
    if (v instanceof Uint8Array) return `Uint8Array[${Array.from(v).join(',')}]`;
    try { return JSON.stringify(v); } catch { return String(v); }
  };
  const same = (a, b) => {
    if (a instanceof Uint8Array || b instanceof Uint8Array || Array.isArray(a) || Array.isArray(b)) {
      if (a === null || b === null || a === undefined || b === undefined || a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
      return true;
    }
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      const ka = Object.keys(a), kb = Object.keys(b);
      return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
    }
    return Object.is(a, b);
  };
  const eq = (got, want, what = '') => {
    if (!same(got, want)) throw new Error(`${what} got ${fmt(got)}, want ${fmt(want)}`);
  };
  const ok = (v, what = 'expected true') => { if (!v) throw new Error(what); };
  const throws = (fn, name, what = '') => {
    try { fn(); } catch (e) {
      if (e.name !== name) throw new Error(`${what} threw ${e.name} (${e.message}), want ${name}`);
      return e;
    }
    throw new Error(`${what} did not throw, want ${name}`);
  };
  const rejects = async (p, name, what = '') => {
    try { await p; } catch (e) {
      if (e.name !== name) throw new Error(`${what} rejected with ${e.name} (${e.message}), want ${name}`);
      return e;
    }
    throw new Error(`${what} did not reject, want ${name}`);
  };
  const bytes = (...b) => new Uint8Array(b);

  // ------------------------------------------------------------ globals

  test('globals are installed like Web IDL (non-enumerable, writable)', () => {
    for (const name of ['URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'atob', 'btoa',
      'DOMException', 'Headers', 'Request', 'Response']) {
      const d = Object.getOwnPropertyDescriptor(globalThis, name);
      ok(d, `${name} missing`);
      eq([d.enumerable, d.writable, d.configurable], [false, true, true], name);
    }
    ok(typeof globalThis.Buffer === 'undefined' && typeof globalThis.require === 'undefined', 'Node globals leaked');
  });

  test('Web IDL shape: toStringTag, enumerable members, brand checks', () => {
    for (const [C, tag] of [[URL, 'URL'], [URLSearchParams, 'URLSearchParams'], [Headers, 'Headers'],
      [Request, 'Request'], [Response, 'Response'], [TextEncoder, 'TextEncoder'], [TextDecoder, 'TextDecoder']]) {
      const d = Object.getOwnPropertyDescriptor(C.prototype, Symbol.toStringTag);
      eq([d.value, d.writable, d.enumerable, d.configurable], [tag, false, false, true], `${tag} toStringTag`);
    }
    eq(Object.prototype.toString.call(new Headers()), '[object Headers]');
    ok(Object.keys(URL.prototype).includes('href'), 'URL.prototype.href enumerable');
    ok(Object.keys(Headers.prototype).includes('append'), 'Headers.prototype.append enumerable');
    ok(!Object.keys(Headers.prototype).includes('constructor'), 'constructor not enumerable');
    throws(() => Headers.prototype.get.call({}, 'a'), 'TypeError', 'Headers brand');
    throws(() => Object.getOwnPropertyDescriptor(URL.prototype, 'href').get.call({}), 'TypeError', 'URL brand');
    throws(() => Object.getOwnPropertyDescriptor(Response.prototype, 'status').get.call(new Request('http://a/')), 'TypeError', 'Response brand');
    eq(URL.length, 1); eq(Headers.length, 0); eq(Request.length, 1); eq(Response.length, 0);
    eq(Object.getOwnPropertyNames(new Response()), [], 'no own properties on instances');
  });

  // ------------------------------------------------------------ URL extras

  test('URL basics, canParse, parse, toJSON', () => {
    const u = new URL('/a/../b?x=1 2#f', 'https://User:Pw@EXAMPLE.com:443/base/');
    eq(u.href, 'https://User:Pw@example.com/b?x=1%202#f');
    eq(u.origin, 'https://example.com');
    eq(JSON.stringify({ u }), '{"u":"https://User:Pw@example.com/b?x=1%202#f"}');
    eq(String(u), u.href);
    eq(URL.canParse('nope'), false);
    eq(URL.canParse('/x', 'http://a'), true);
    eq(URL.parse('nope'), null);
    eq(URL.parse('x', 'http://a/').href, 'http://a/x');
    throws(() => new URL('/x'), 'TypeError');
    throws(() => new URL('/x', 'nope'), 'TypeError');
    throws(() => new URL(), 'TypeError');
    eq(new URL('http://\u00FC.example/').host, 'xn--tda.example');
    eq(new URL('http://[::ffff:1.2.3.4]:8080/').host, '[::ffff:102:304]:8080');
    eq(new URL('http://0x7f.1/').hostname, '127.0.0.1');
  });

  test('URL searchParams is live-linked both ways', () => {
    const u = new URL('http://h/p?a=1&b=2#frag');
    const sp = u.searchParams;
    ok(sp === u.searchParams, 'same object');
    sp.append('c', 'x y');
    eq(u.href, 'http://h/p?a=1&b=2&c=x+y#frag');
    u.search = '?z=9';
    eq(sp.get('z'), '9'); eq(sp.size, 1);
    sp.delete('z');
    eq(u.href, 'http://h/p#frag');
    eq(u.search, '');
    u.href = 'http://other/?q=%F0%9F%98%80';
    eq(sp.get('q'), '\u{1F600}');
    u.search = '';
    eq(sp.size, 0);
  });

  test('URLSearchParams constructors, methods, iteration', () => {
    eq([...new URLSearchParams('?a=1&a=2&b=%zz&c+d=e+f&&=')], [['a', '1'], ['a', '2'], ['b', '%zz'], ['c d', 'e f'], ['', '']]);
    eq([...new URLSearchParams([['x', 1], ['y', 'z']])], [['x', '1'], ['y', 'z']]);
    eq([...new URLSearchParams({ k: 'v', n: 2 })], [['k', 'v'], ['n', '2']]);
    const copy = new URLSearchParams(new URLSearchParams('a=b'));
    eq(copy.toString(), 'a=b');
    throws(() => new URLSearchParams([['a', 'b', 'c']]), 'TypeError');
    throws(() => new URLSearchParams([1]), 'TypeError');
    const sp = new URLSearchParams('z=1&a=2&z=0&b=3&a=1');
    eq(sp.has('z'), true); eq(sp.has('z', '0'), true); eq(sp.has('z', '5'), false);
    eq(sp.get('a'), '2'); eq(sp.getAll('z'), ['1', '0']); eq(sp.get('nope'), null);
    sp.sort();
    eq(sp.toString(), 'a=2&a=1&b=3&z=1&z=0');
    sp.set('a', 'X');
    eq(sp.toString(), 'a=X&b=3&z=1&z=0');
    sp.delete('z', '1');
    eq(sp.toString(), 'a=X&b=3&z=0');
    eq(sp.size, 3);
    eq([...sp.keys()], ['a', 'b', 'z']); eq([...sp.values()], ['X', '3', '0']);
    const seen = [];
    sp.forEach((v, k, o) => { seen.push(k + v); ok(o === sp); });
    eq(seen, ['aX', 'b3', 'z0']);
    const enc = new URLSearchParams();
    enc.append('a b&c', '\u00E9~*!\'()\uD800');
    eq(enc.toString(), 'a+b%26c=%C3%A9%7E*%21%27%28%29%EF%BF%BD');
    const it = sp.entries();
    eq(Object.prototype.toString.call(it), '[object URLSearchParams Iterator]');
    eq(it.next(), { value: ['a', 'X'], done: false });
    ok(typeof it[Symbol.iterator] === 'function' && it[Symbol.iterator]() === it, 'iterator is iterable');
    throws(() => sp.append('only-one'), 'TypeError');
  });

  // ------------------------------------------------------------ encoding

  test('TextEncoder encode / encodeInto', () => {
    const te = new TextEncoder();
    eq(te.encoding, 'utf-8');
    eq(te.encode(), bytes());
    eq(te.encode('a\u00E9\u20AC\u{1F600}'), bytes(0x61, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80));
    eq(te.encode('\uD800x\uDC00'), bytes(0xEF, 0xBF, 0xBD, 0x78, 0xEF, 0xBF, 0xBD));
    ok(te.encode('x') instanceof Uint8Array, 'Uint8Array of this realm');
    const buf = new Uint8Array(5);
    eq(te.encodeInto('a\u20AC\u{1F600}', buf), { read: 2, written: 4 });
    eq(buf, bytes(0x61, 0xE2, 0x82, 0xAC, 0));
    eq(te.encodeInto('\u{1F600}', new Uint8Array(3)), { read: 0, written: 0 });
    eq(te.encodeInto('xyz', new Uint8Array(8).subarray(2, 4)), { read: 2, written: 2 });
    throws(() => te.encodeInto('x', new ArrayBuffer(4)), 'TypeError');
  });

  test('TextDecoder: labels, BOM, fatal, replacement', () => {
    for (const l of ['utf-8', 'UTF8', ' unicode-1-1-utf-8\n', 'unicode20utf8']) eq(new TextDecoder(l).encoding, 'utf-8', l);
    throws(() => new TextDecoder('latin-1'), 'RangeError');
    const td = new TextDecoder();
    eq([td.fatal, td.ignoreBOM], [false, false]);
    eq(td.decode(), '');
    eq(td.decode(bytes(0xEF, 0xBB, 0xBF, 0x41)), 'A');
    eq(td.decode(bytes(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF)), '\uFEFF', 'only one BOM is dropped');
    eq(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes(0xEF, 0xBB, 0xBF, 0x41)), '\uFEFFA');
    eq(td.decode(bytes(0xF0, 0x80, 0x80)), '\uFFFD\uFFFD\uFFFD');
    eq(td.decode(bytes(0xE2, 0x82)), '\uFFFD');
    eq(td.decode(bytes(0xED, 0xA0, 0x80, 0x41)), '\uFFFD\uFFFD\uFFFDA');
    eq(td.decode(bytes(0xC0, 0xAF, 0xFF, 0xF4, 0x90)), '\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD');
    eq(td.decode(bytes(0xF0, 0x9F, 0x98, 0x80).buffer), '\u{1F600}', 'ArrayBuffer input');
    eq(td.decode(new DataView(bytes(0, 0x68, 0x69, 0).buffer, 1, 2)), 'hi', 'DataView input');
    throws(() => td.decode('str'), 'TypeError');
    const fatal = new TextDecoder('utf-8', { fatal: true });
    eq(fatal.fatal, true);
    throws(() => fatal.decode(bytes(0x41, 0xFF)), 'TypeError');
    eq(fatal.decode(bytes(0x41)), 'A', 'usable after an error');
  });

  test('TextDecoder: streaming', () => {
    const td = new TextDecoder();
    const s = [bytes(0xEF), bytes(0xBB), bytes(0xBF, 0xE2), bytes(0x82), bytes(0xAC, 0xF0, 0x9F), bytes(0x98, 0x80, 0x41)];
    let out = '';
    for (const c of s) out += td.decode(c, { stream: true });
    out += td.decode();
    eq(out, '\u20AC\u{1F600}A');
    eq(td.decode(bytes(0xE2), { stream: true }) + td.decode(bytes(0x41), { stream: true }) + td.decode(), '\uFFFDA');
    eq(td.decode(bytes(0xE2, 0x82), { stream: true }) + td.decode(), '\uFFFD', 'flush of an unfinished sequence');
    eq(td.decode(bytes(0x41), { stream: true }) + td.decode(bytes(0xEF, 0xBB, 0xBF)), 'A\uFEFF', 'BOM only at the start');
    const fatal = new TextDecoder('utf-8', { fatal: true });
    eq(fatal.decode(bytes(0xE2, 0x82), { stream: true }), '');
    throws(() => fatal.decode(), 'TypeError', 'unfinished at end');
  });

  test('TextDecoder: labels of every encoding, JS-only decoders', () => {
    const name = internal.encodingForLabel;
    eq(name('latin1'), 'windows-1252'); eq(name(' \t\n\f\rSJIS\r'), 'shift_jis'); eq(name('UCS-2'), 'utf-16le');
    eq(name('unicodefffe'), 'utf-16be'); eq(name('koi8-ru'), 'koi8-u'); eq(name('ms932'), 'shift_jis');
    eq(name('x-unicode20utf8'), 'utf-8'); eq(name('hz-gb-2312'), 'replacement'); eq(name('GB_2312-80'), 'gbk');
    for (const bad of ['\u00A0utf-8', 'utf-8\u000B', 'utf-8\u0000', '\u212Aoi8-r', 'utf-16\u2028', '', 'toString', '__proto__', 'x'.repeat(1e5)]) {
      eq(name(bad), null, JSON.stringify(bad.slice(0, 20)));
    }
    throws(() => new TextDecoder('iso-2022-kr'), 'RangeError', 'replacement');
    throws(() => new TextDecoder('\u212Aoi8-r'), 'RangeError', 'no Unicode case folding');
    const xud = new TextDecoder('x-user-defined');
    eq(xud.encoding, 'x-user-defined');
    eq(xud.decode(bytes(0x41, 0x80, 0xFF)), 'A\uF780\uF7FF');
    const l16 = new TextDecoder('ISO-8859-16', { fatal: true });
    eq(l16.encoding, 'iso-8859-16');
    eq(l16.decode(bytes(0x41, 0xA4, 0xAA, 0xFF, 0x80)), 'A\u20AC\u0218\u00FF\u0080');
    eq(l16.decode(new Uint8Array(20000).fill(0xA4)).length, 20000, 'more than one 8192 chunk');
    if (typeof __natives.decoderOpen !== 'function') {
      throws(() => new TextDecoder('shift_jis'), 'RangeError', 'no native decoder');
    }
  });

  test('atob / btoa / DOMException', () => {
    eq(btoa(''), ''); eq(btoa('f'), 'Zg=='); eq(btoa('fo'), 'Zm8='); eq(btoa('foo'), 'Zm9v');
    eq(btoa('\u00FF\u00FE\u0000'), '//4A');
    eq(atob(btoa('\u0000\u00FF hello')), '\u0000\u00FF hello');
    eq(atob(' Zm9v YmFy\n'), 'foobar');
    eq(atob(null), '\u009E\u00E9e', 'null is "null"');
    throws(() => atob(undefined), 'InvalidCharacterError', '"undefined" has 9 characters');
    throws(() => atob(), 'TypeError');
    const e = throws(() => btoa('\u0100'), 'InvalidCharacterError');
    ok(e instanceof DOMException && e instanceof Error, 'DOMException extends Error');
    eq(e.code, 5); eq(DOMException.INVALID_CHARACTER_ERR, 5);
    const e2 = throws(() => atob('a'), 'InvalidCharacterError');
    eq(e2.code, 5);
    const d = new DOMException('msg', 'AbortError');
    eq([d.name, d.message, d.code, String(d)], ['AbortError', 'msg', 20, 'AbortError: msg']);
    eq([new DOMException().name, new DOMException().message, new DOMException().code], ['Error', '', 0]);
    let big = ''; for (let i = 0; i < 70000; i++) big += String.fromCharCode(i & 255);
    eq(atob(btoa(big)) === big, true, 'large round trip');
  });

  // ------------------------------------------------------------ Headers

  test('Headers: case-insensitive, combining, set-cookie', () => {
    const h = new Headers({ 'Content-Type': 'text/html', 'X-B': ' 1 ' });
    h.append('x-b', '2');
    h.append('Set-Cookie', 'a=1');
    h.append('set-cookie', 'b=2');
    h.append('A-First', '\tz\t');
    eq(h.get('X-B'), '1, 2');
    eq(h.get('set-cookie'), 'a=1, b=2');
    eq(h.getSetCookie(), ['a=1', 'b=2']);
    eq(h.get('nope'), null);
    eq(h.has('CONTENT-TYPE'), true);
    eq([...h], [['a-first', 'z'], ['content-type', 'text/html'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-b', '1, 2']]);
    eq([...h.keys()], ['a-first', 'content-type', 'set-cookie', 'set-cookie', 'x-b']);
    eq([...h.values()].length, 5);
    h.set('X-b', 'only');
    eq(h.get('x-b'), 'only');
    h.delete('SET-COOKIE');
    eq(h.getSetCookie(), []);
    const seen = [];
    h.forEach(function (v, k, o) { seen.push(`${k}=${v}`); ok(o === h && this === seen); }, seen);
    eq(seen, ['a-first=z', 'content-type=text/html', 'x-b=only']);
    eq(Object.prototype.toString.call(h.entries()), '[object Headers Iterator]');
  });

  test('Headers: constructors and validation', () => {
    eq([...new Headers([['a', '1'], ['A', '2']])], [['a', '1, 2']]);
    const src = new Headers({ b: '2', a: '1' });
    src.append('set-cookie', 'x'); src.append('set-cookie', 'y');
    const copy = new Headers(src);
    eq(copy.getSetCookie(), ['x', 'y']);
    copy.set('a', 'changed');
    eq(src.get('a'), '1', 'copy is independent');
    eq([...new Headers(new Map([['m', 'v']]))], [['m', 'v']]);
    throws(() => new Headers([['a']]), 'TypeError');
    throws(() => new Headers([['a', 'b', 'c']]), 'TypeError');
    throws(() => new Headers('a: b'), 'TypeError');
    throws(() => new Headers({ 'bad name': 'x' }), 'TypeError');
    const h = new Headers();
    throws(() => h.append('', 'x'), 'TypeError', 'empty name');
    throws(() => h.append('a:b', 'x'), 'TypeError', 'colon');
    throws(() => h.append('\u00E9', 'x'), 'TypeError', 'non-token');
    throws(() => h.append('a', 'x\r\ny: z'), 'TypeError', 'CRLF');
    throws(() => h.append('a', 'x\0'), 'TypeError', 'NUL');
    throws(() => h.append('a', '\u20AC'), 'TypeError', 'not a ByteString');
    throws(() => h.get('bad name'), 'TypeError');
    throws(() => h.set('a'), 'TypeError', 'argument count');
    h.append('a', ' \t \u00E9 \r\n');
    eq(h.get('a'), '\u00E9', 'trimmed, latin1 allowed');
    h.append('empty', '');
    eq(h.get('empty'), '');
  });

  test('Headers: iteration sees changes', () => {
    const h = new Headers({ a: '1', c: '3' });
    const it = h.keys();
    eq(it.next().value, 'a');
    h.append('b', '2');
    eq(it.next().value, 'b');
    eq(it.next().value, 'c');
    eq(it.next().done, true);
  });

  // ------------------------------------------------------------ Request

  test('Request: url, method normalisation, validation', () => {
    const r = new Request('HTTPS://Example.com/a/../b?q#frag');
    eq([r.url, r.method, r.bodyUsed, r.body, r.redirect], ['https://example.com/b?q#frag', 'GET', false, null, 'follow']);
    ok(r instanceof Request && r.headers instanceof Headers);
    eq(new Request('http://a/', { method: 'post' }).method, 'POST');
    eq(new Request('http://a/', { method: 'delete' }).method, 'DELETE');
    eq(new Request('http://a/', { method: 'patch' }).method, 'patch', 'PATCH is not normalised');
    eq(new Request('http://a/', { method: 'PROPFIND' }).method, 'PROPFIND');
    throws(() => new Request('http://a/', { method: 'bad method' }), 'TypeError');
    throws(() => new Request('http://a/', { method: 'connect' }), 'TypeError');
    throws(() => new Request('/relative'), 'TypeError');
    throws(() => new Request('http://user:pw@a/'), 'TypeError');
    throws(() => new Request('http://a/', { body: 'x' }), 'TypeError', 'GET with body');
    throws(() => new Request('http://a/', { method: 'HEAD', body: 'x' }), 'TypeError', 'HEAD with body');
    throws(() => new Request('http://a/', { redirect: 'nope' }), 'TypeError');
    throws(() => new Request('http://a/', 5), 'TypeError');
    eq(new Request('http://a/', { method: 'GET', body: null }).method, 'GET', 'null body is fine');
    eq(new Request(new URL('http://u/x')).url, 'http://u/x', 'stringifies objects');
  });

  test('Request: bodies, bodyUsed, clone, copy', async () => {
    const r = new Request('http://a/', { method: 'POST', body: 'h\u00E9llo', headers: { 'X-A': '1' } });
    eq(r.headers.get('content-type'), 'text/plain;charset=UTF-8');
    eq(r.headers.get('x-a'), '1');
    const c = r.clone();
    ok(c !== r && c.headers !== r.headers);
    eq(await r.text(), 'h\u00E9llo');
    eq(r.bodyUsed, true);
    await rejects(r.text(), 'TypeError', 'second read');
    throws(() => r.clone(), 'TypeError', 'clone after use');
    eq(await c.arrayBuffer().then((ab) => new Uint8Array(ab)), bytes(0x68, 0xC3, 0xA9, 0x6C, 0x6C, 0x6F));

    const j = new Request('http://a/', { method: 'PUT', body: '{"a":[1]}', headers: { 'content-type': 'application/json' } });
    eq(j.headers.get('content-type'), 'application/json', 'explicit content-type kept');
    eq(await j.json(), { a: [1] });
    await rejects(new Request('http://a/', { method: 'POST', body: '{' }).json(), 'SyntaxError');

    const src = new Uint8Array([1, 2, 3, 4]);
    const b = new Request('http://a/', { method: 'POST', body: src.subarray(1, 3) });
    src[1] = 99;
    eq(b.headers.get('content-type'), null);
    eq(await b.bytes(), bytes(2, 3), 'copied at construction');

    const form = new Request('http://a/', { method: 'POST', body: new URLSearchParams({ a: 'b c' }) });
    eq(form.headers.get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8');
    eq(await form.text(), 'a=b+c');

    // new Request(request) takes the body over.
    const orig = new Request('http://a/x', { method: 'POST', body: 'data', headers: { h: 'v' } });
    const moved = new Request(orig);
    eq([moved.method, moved.url, moved.headers.get('h')], ['POST', 'http://a/x', 'v']);
    eq(orig.bodyUsed, true);
    eq(await moved.text(), 'data');
    throws(() => new Request(orig), 'TypeError', 'used input');
    const over = new Request(new Request('http://a/', { headers: { a: '1' } }), { headers: { b: '2' }, method: 'post', body: 'z' });
    eq([over.headers.get('a'), over.headers.get('b'), over.method], [null, '2', 'POST']);

    const empty = new Request('http://a/');
    eq(await empty.text(), '');
    eq(empty.bodyUsed, false, 'null body never becomes used');
    eq((await empty.arrayBuffer()).byteLength, 0);
  });

  // ------------------------------------------------------------ Response

  test('Response: defaults and body types', async () => {
    const r = new Response();
    eq([r.status, r.ok, r.statusText, r.type, r.url, r.redirected, r.body, r.bodyUsed], [200, true, '', 'default', '', false, null, false]);
    eq([...r.headers], []);
    const s = new Response('hi \u{1F600}', { status: 201, statusText: 'Made', headers: [['X-Y', 'z']] });
    eq([s.status, s.ok, s.statusText, s.headers.get('x-y')], [201, true, 'Made', 'z']);
    eq(s.headers.get('content-type'), 'text/plain;charset=UTF-8');
    eq(await s.text(), 'hi \u{1F600}');
    await rejects(s.text(), 'TypeError');
    await rejects(s.arrayBuffer(), 'TypeError');
    eq(s.bodyUsed, true);

    const ab = new Uint8Array([104, 105]).buffer;
    const a = new Response(ab);
    new Uint8Array(ab)[0] = 0;
    eq(await a.text(), 'hi', 'ArrayBuffer copied');
    eq(new Response(new URLSearchParams('x=1')).headers.get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8');
    eq(await new Response(new Uint16Array([0x6968])).text(), 'hi', 'any view');
    eq(await new Response(bytes(0xEF, 0xBB, 0xBF, 0x41, 0xFF)).text(), 'A\uFFFD', 'BOM dropped, replacement');
    eq(await new Response({}).text(), '[object Object]', 'other objects stringify');
    eq(await new Response(null, { status: 204 }).text(), '');
    eq(new Response('x', { status: 404 }).ok, false);
    eq(await new Response('[1,2]').json(), [1, 2]);
    const buf = await new Response('abc').arrayBuffer();
    ok(buf instanceof ArrayBuffer && buf.byteLength === 3, 'arrayBuffer');
    const u8 = await new Response('abc').bytes();
    ok(u8 instanceof Uint8Array && u8.length === 3, 'bytes');
  });

  test('Response: validation', () => {
    throws(() => new Response('', { status: 199 }), 'RangeError');
    throws(() => new Response('', { status: 600 }), 'RangeError');
    throws(() => new Response(null, { status: 0 }), 'RangeError');
    eq(new Response(null, { status: 599 }).status, 599);
    eq(new Response(null, { status: 200.9 }).status, 200, 'unsigned short conversion');
    for (const st of [204, 205, 304]) throws(() => new Response('x', { status: st }), 'TypeError', `${st} with body`);
    eq(new Response(undefined, { status: 204 }).status, 204);
    throws(() => new Response('', { statusText: 'a\nb' }), 'TypeError');
    throws(() => new Response('', { statusText: '\u0100' }), 'TypeError');
    throws(() => new Response('', { headers: { 'a b': 'c' } }), 'TypeError');
    throws(() => new Response('', 'init'), 'TypeError');
  });

  test('Response statics: json, redirect, error', async () => {
    const j = Response.json({ a: 1 }, { status: 202, headers: { 'x-h': 'v' } });
    eq([j.status, j.headers.get('content-type'), j.headers.get('x-h')], [202, 'application/json', 'v']);
    eq(await j.json(), { a: 1 });
    eq(Response.json('x', { headers: { 'Content-Type': 'application/vnd.x+json' } }).headers.get('content-type'), 'application/vnd.x+json');
    throws(() => Response.json(undefined), 'TypeError');
    throws(() => Response.json(1n), 'TypeError');
    throws(() => Response.json({}, { status: 204 }), 'TypeError');

    const r = Response.redirect('HTTP://Example.com/a b');
    eq([r.status, r.headers.get('location'), r.body], [302, 'http://example.com/a%20b', null]);
    throws(() => r.headers.set('x', 'y'), 'TypeError', 'immutable');
    throws(() => r.headers.delete('location'), 'TypeError', 'immutable');
    for (const st of [301, 303, 307, 308]) eq(Response.redirect('http://a/', st).status, st);
    throws(() => Response.redirect('http://a/', 300), 'RangeError');
    throws(() => Response.redirect('http://a/', 200), 'RangeError');
    throws(() => Response.redirect('/relative'), 'TypeError');
    throws(() => r.clone().headers.append('a', 'b'), 'TypeError', 'clone keeps the guard');

    const e = Response.error();
    eq([e.type, e.status, e.ok, e.statusText, e.body], ['error', 0, false, '', null]);
    throws(() => e.headers.set('a', 'b'), 'TypeError');
    eq(e.clone().type, 'error');
  });

  test('Response: clone', async () => {
    const r = new Response('body', { status: 203, headers: { a: '1' } });
    const c = r.clone();
    c.headers.set('a', '2');
    eq(r.headers.get('a'), '1');
    eq([c.status, await c.text(), await r.text()], [203, 'body', 'body']);
    throws(() => r.clone(), 'TypeError');
    const b = new Response(bytes(1, 2));
    const bc = b.clone();
    const got = await b.bytes();
    got[0] = 42;
    eq(await bc.bytes(), bytes(1, 2), 'clones do not share mutable bytes');
  });

  // ------------------------------------------------------------ runtime hooks

  test('internal.makeRequest', async () => {
    const body = new TextEncoder().encode('{"x":1}');
    const r = internal.makeRequest('POST', 'http://host.example/p?q=1', ['Host', 'host.example', 'X-A', '1', 'x-a', '2', 'Cookie', 'c=1'], body);
    ok(r instanceof Request, 'is a Request');
    eq([r.method, r.url, r.bodyUsed, r.redirect], ['POST', 'http://host.example/p?q=1', false, 'follow']);
    const c = r.clone();
    eq(r.headers.get('x-a'), '1, 2');
    eq(r.headers.get('HOST'), 'host.example');
    eq([...r.headers.keys()], ['cookie', 'host', 'x-a']);
    eq(await r.json(), { x: 1 });
    eq(r.bodyUsed, true);
    eq(c.headers.get('cookie'), 'c=1', 'clone of a lazy request has the headers');
    eq(await c.text(), '{"x":1}');
    const g = internal.makeRequest('GET', 'http://h/', [], null);
    eq([g.body, await g.text(), g.bodyUsed], [null, '', false]);
    eq(internal.makeRequest('GET', 'http://h/', [], new Uint8Array(0)).body, null);
    throws(() => r.headers.set('x-a', '3'), 'TypeError', 'incoming headers are immutable');
    throws(() => c.headers.append('x-b', '3'), 'TypeError', 'and so are a clone\'s');
    const copy = new Request(r.url, { headers: r.headers });
    eq(copy.headers.get('x-a'), '1, 2');
    copy.headers.set('x-a', '3');
    const lazy = internal.makeRequest('GET', 'http://h/', ['X-A', '1'], null);
    const copy2 = new Request(lazy);
    copy2.headers.set('x-a', '4');
    eq([copy.headers.get('x-a'), copy2.headers.get('x-a'), lazy.headers.get('x-a')], ['3', '4', '1'], 'new Request(req) copies are mutable');
  });

  test('internal.responseParts', async () => {
    eq(internal.responseParts({ status: 200 }), null);
    eq(internal.responseParts(null), null);
    eq(internal.responseParts(new Request('http://a/')), null);
    eq(internal.responseParts(new Response('hi')),
      { status: 200, statusText: '', headers: ['content-type', 'text/plain;charset=UTF-8'], body: 'hi', stream: null, pipe: null });
    const h = new Headers({ 'X-One': '1' });
    h.append('Set-Cookie', 'a=1'); h.append('Set-Cookie', 'b=2'); h.append('x-one', '2');
    const p = internal.responseParts(new Response(bytes(1, 2, 3), { status: 404, statusText: 'Nope', headers: h }));
    eq(p, { status: 404, statusText: 'Nope', headers: ['x-one', '1', 'x-one', '2', 'set-cookie', 'a=1', 'set-cookie', 'b=2'], body: bytes(1, 2, 3), stream: null, pipe: null });
    eq(internal.responseParts(new Response(null, { status: 204 })).body, null);
    eq(internal.responseParts(Response.redirect('http://a/b', 301)).headers, ['location', 'http://a/b']);
    eq(internal.responseParts(Response.json([1])).headers, ['content-type', 'application/json']);
    eq(internal.responseParts(Response.error()).status, 0);
    const sent = new Response('again');
    eq(internal.responseParts(sent).body, 'again');
    eq(internal.responseParts(sent).body, 'again', 'an unread Response can be returned twice');
    const used = new Response('x');
    await used.text();
    throws(() => internal.responseParts(used), 'TypeError', 'used body');
  });

  test('internal.dispatch (00-bootstrap.js) with makeRequest/responseParts', async () => {
    if (typeof internal.dispatch !== 'function' || !Array.isArray(__natives.calls)) return; // needs both
    const calls = __natives.calls;
    const handler = {
      async fetch(request, env, ctx) {
        if (request.method === 'POST') return new Response(await request.text() + env.SUFFIX, { status: 201 });
        if (request.url.endsWith('/json')) return Response.json({ ua: request.headers.get('user-agent') });
        if (request.url.endsWith('/bad')) return 'not a response';
        throw new Error('boom');
      },
    };
    const flush = () => new Promise((resolve) => { let n = 0; const spin = () => (++n < 20 ? Promise.resolve().then(spin) : resolve()); spin(); });
    __natives.requestHeaders.set(1, ['Content-Type', 'text/plain']);
    __natives.requestHeaders.set(2, ['User-Agent', 'ua/1']);
    internal.dispatch(handler, 1, 'POST', 'http://h/echo', new TextEncoder().encode('hi'), ['SUFFIX', '!']);
    internal.dispatch(handler, 2, 'GET', 'http://h/json', null, []);
    internal.dispatch(handler, 3, 'GET', 'http://h/bad', null, []);
    internal.dispatch(handler, 4, 'GET', 'http://h/throw', null, []);
    await flush();
    const byId = (id) => calls.find((c) => c.id === id);
    eq(byId(1).parts, { status: 201, statusText: '', headers: ['content-type', 'text/plain;charset=UTF-8'], body: 'hi!', stream: null, pipe: null });
    eq(byId(2).parts, { status: 200, statusText: '', headers: ['content-type', 'application/json'], body: '{"ua":"ua/1"}', stream: null, pipe: null });
    ok(byId(3).error instanceof TypeError, 'non-Response is a TypeError');
    eq(byId(4).error.message, 'boom');
  });

  // ------------------------------------------------------------ fast paths (30-fetch.js)
  //
  // A Response keeps a flat header list until .headers is read, and
  // responseParts sends that list as is. Each case here is checked both
  // ways: parts of a fresh Response, and parts after .headers was read (the
  // Headers path), which must agree.

  const bothWays = (make, want, what) => {
    const fast = internal.responseParts(make());
    const r = make();
    void r.headers;
    const slow = internal.responseParts(r);
    eq(fast.headers, want, `${what} (flat)`);
    eq(slow.headers, want, `${what} (after .headers)`);
    eq([fast.status, fast.statusText, fast.body], [slow.status, slow.statusText, slow.body], what);
    return fast;
  };

  test('fast path: header lists, flat and materialised, agree', () => {
    const T = 'text/plain;charset=UTF-8';
    bothWays(() => new Response('t'), ['content-type', T], 'string body');
    bothWays(() => new Response(), [], 'no body');
    bothWays(() => new Response(null, { status: 201 }), [], 'null body, init');
    bothWays(() => new Response(bytes(1)), [], 'bytes: no content-type');
    bothWays(() => new Response(new URLSearchParams('a=1')), ['content-type', 'application/x-www-form-urlencoded;charset=UTF-8'], 'form');
    bothWays(() => new Response('t', { headers: { 'X-A': ' 1 ', b: '2' } }), ['x-a', '1', 'b', '2', 'content-type', T], 'record');
    bothWays(() => new Response('t', { headers: { 'Content-Type': 'text/html' } }), ['content-type', 'text/html'], 'record content-type kept');
    bothWays(() => new Response('t', { headers: { A: '1', b: '2', a: '3' } }), ['a', '1', 'a', '3', 'b', '2', 'content-type', T], 'record names differing in case are grouped');
    bothWays(() => new Response('t', { headers: [['x', '1'], ['y', '2'], ['X', '3']] }), ['x', '1', 'x', '3', 'y', '2', 'content-type', T], 'sequence, grouped');
    bothWays(() => new Response('t', { headers: [['x', '1'], ['x', '2']] }), ['x', '1', 'x', '2', 'content-type', T], 'sequence, adjacent');
    bothWays(() => new Response('t', { headers: new Map([['m', 'v']]) }), ['m', 'v', 'content-type', T], 'Map');
    const h = new Headers([['set-cookie', 'a=1'], ['x', '1']]);
    h.append('Set-Cookie', 'b=2');
    bothWays(() => new Response('t', { headers: h }), ['set-cookie', 'a=1', 'set-cookie', 'b=2', 'x', '1', 'content-type', T], 'Headers init');
    bothWays(() => new Response(null, { headers: [['Set-Cookie', 'a=1'], ['set-cookie', 'b=2']] }), ['set-cookie', 'a=1', 'set-cookie', 'b=2'], 'set-cookie pairs stay apart');
    bothWays(() => Response.json({ a: 1 }), ['content-type', 'application/json'], 'json');
    bothWays(() => Response.json([1], { status: 201, statusText: 'C', headers: { 'x-j': 'v', 'CONTENT-TYPE': 'application/x+json' } }), ['x-j', 'v', 'content-type', 'application/x+json'], 'json with init headers');
    bothWays(() => Response.json(null, { headers: [['x', '1']] }), ['x', '1', 'content-type', 'application/json'], 'json with sequence headers');
    const many = {}, manyList = [];
    for (let i = 0; i < 40; i++) { many[`h${i}`] = `${i}`; manyList.push(`h${i}`, `${i}`); }
    bothWays(() => new Response('t', { headers: many }), [...manyList, 'content-type', T], 'long record');
    many.H0 = 'dup';
    manyList.splice(2, 0, 'h0', 'dup');
    bothWays(() => new Response('t', { headers: many }), [...manyList, 'content-type', T], 'long record with a name repeated');
  });

  test('fast path: headers read after construction', () => {
    const r = new Response('text');
    eq(r.headers.get('content-type'), 'text/plain;charset=UTF-8');
    ok(r.headers === r.headers, 'same Headers each time');
    eq([...r.headers], [['content-type', 'text/plain;charset=UTF-8']]);
    r.headers.set('Content-Type', 'text/html');
    r.headers.append('x-b', '1');
    eq(internal.responseParts(r).headers, ['content-type', 'text/html', 'x-b', '1'], 'changes reach responseParts');
    eq(internal.responseParts(new Response('other')).headers, ['content-type', 'text/plain;charset=UTF-8'], 'shared default list untouched');
    const j = Response.json(1);
    j.headers.delete('content-type');
    eq(internal.responseParts(j).headers, []);
    eq(internal.responseParts(Response.json(2)).headers, ['content-type', 'application/json'], 'shared json list untouched');
    const o = new Response('t', { headers: { a: '1' } });
    o.headers.append('a', '2');
    eq(internal.responseParts(o).headers, ['a', '1', 'a', '2', 'content-type', 'text/plain;charset=UTF-8']);
    const again = new Response('x');
    eq(internal.responseParts(again).headers, ['content-type', 'text/plain;charset=UTF-8']);
    again.headers.append('y', '1');
    eq(internal.responseParts(again).headers, ['content-type', 'text/plain;charset=UTF-8', 'y', '1'], 'returned again after a change');
    ok(Object.isFrozen(internal.responseParts(new Response('z')).headers), 'a shared list cannot be changed by mistake');
  });

  test('fast path: clone', async () => {
    const r = new Response('body', { status: 201, statusText: 'Yes', headers: { a: '1' } });
    const c = r.clone();
    eq(internal.responseParts(c), internal.responseParts(r), 'clone before .headers');
    c.headers.set('a', '2');
    eq(r.headers.get('a'), '1', 'the original is not affected');
    eq(internal.responseParts(r).headers, ['a', '1', 'content-type', 'text/plain;charset=UTF-8']);
    eq(internal.responseParts(c).headers, ['a', '2', 'content-type', 'text/plain;charset=UTF-8']);
    const c2 = r.clone();
    r.headers.append('b', '3');
    eq(c2.headers.get('b'), null, 'clone after .headers is a copy');
    eq([await c.text(), await c2.text(), await r.text()], ['body', 'body', 'body']);
    const j = Response.json({ k: 1 }).clone();
    eq([j.headers.get('content-type'), await j.json()], ['application/json', { k: 1 }]);
  });

  test('fast path: init dictionary and errors', () => {
    const order = [];
    const init = {};
    for (const k of ['statusText', 'status', 'headers']) {
      Object.defineProperty(init, k, { get() { order.push(k); return undefined; }, enumerable: true });
    }
    new Response('x', init);
    eq(order, ['headers', 'status', 'statusText'], 'members read once each, in order');
    throws(() => new Response('x', { headers: { a: 'x\ny' } }), 'TypeError', 'bad value');
    throws(() => new Response('x', { headers: { 'a b': 'x' } }), 'TypeError', 'bad name');
    throws(() => new Response('x', { headers: { a: '\u0100' } }), 'TypeError', 'not a ByteString');
    throws(() => new Response('x', { headers: { [Symbol('s')]: 'x' } }), 'TypeError', 'symbol key');
    eq(internal.responseParts(new Response('x', { headers: Object.defineProperty({}, 'hidden', { value: '1' }) })).headers,
      ['content-type', 'text/plain;charset=UTF-8'], 'non-enumerable keys skipped');
    throws(() => Response.json({}, { headers: 5 }), 'TypeError');
    throws(() => Response.json(), 'TypeError');
    throws(() => new Response('x', { status: 204, headers: { a: '1' } }), 'TypeError');
    eq([Response.json.length, Response.redirect.length, Response.length, Request.length, Headers.length], [1, 1, 0, 1, 0]);
    eq(Response.redirect('http://a/').status, 302, 'default redirect status');
    eq(new Response('\uD800x').headers.get('content-type'), 'text/plain;charset=UTF-8');
    eq(internal.responseParts(new Response('\uD800x')).body, '\uFFFDx', 'USV conversion');
  });

  test('fast path: makeRequest header sources', async () => {
    const r = internal.makeRequest('GET', 'http://h/', ['A', '1'], null);
    eq(r.headers.get('a'), '1', 'array');
    let calls = 0;
    const f = internal.makeRequest('GET', 'http://h/', () => { calls++; return ['B', '2']; }, null);
    const fc = f.clone();
    eq(calls, 0, 'not fetched until read');
    eq([f.headers.get('b'), f.headers.get('b'), calls], ['2', '2', 1], 'function, called once');
    eq(fc.headers.get('b'), '2', 'clone fetches its own');
    eq(internal.makeRequest('GET', 'http://h/', null, null).headers.get('a'), null, 'none');
    if (typeof __natives.headers === 'function') {
      __natives.requestHeaders.set(77, ['X-Id', '77']);
      __natives.requestHeaders.set(0, ['X-Id', '0']);
      eq(internal.makeRequest('GET', 'http://h/', 77, null).headers.get('x-id'), '77', 'call id');
      eq(internal.makeRequest('GET', 'http://h/', 0, null).headers.get('x-id'), '0', 'call id 0');
    }
  });

  test('dispatch: env and ctx are fresh per request', async () => {
    if (typeof internal.dispatch !== 'function' || !Array.isArray(__natives.calls)) return;
    const seen = [];
    const handler = (request, env, ctx) => {
      seen.push([env.X, env.leak, ctx.leak, Object.keys(env)]);
      env.leak = 1;
      ctx.leak = 1;
      return new Response('ok');
    };
    internal.dispatch(handler, 101, 'GET', 'http://h/', null, []);
    internal.dispatch(handler, 102, 'GET', 'http://h/', null, ['X', 'y']);
    internal.dispatch(handler, 103, 'GET', 'http://h/', null, []);
    eq(seen, [[undefined, undefined, undefined, []], ['y', undefined, undefined, ['X']], [undefined, undefined, undefined, []]]);
    const byId = (id) => __natives.calls.find((c) => c.id === id);
    eq(byId(103).parts, { status: 200, statusText: '', headers: ['content-type', 'text/plain;charset=UTF-8'], body: 'ok', stream: null, pipe: null });
    internal.dispatch(async () => { const r = Response.json(1); void r.headers; return r; }, 104, 'GET', 'http://h/', null, []);
    internal.dispatch(() => Promise.resolve(new Response('a', { headers: { z: '1' } })), 105, 'GET', 'http://h/', null, []);
    await new Promise((resolve) => { let n = 0; const spin = () => (++n < 20 ? Promise.resolve().then(spin) : resolve()); spin(); });
    eq(byId(104).parts.headers, ['content-type', 'application/json']);
    eq(byId(105).parts.headers, ['z', '1', 'content-type', 'text/plain;charset=UTF-8']);
  });

  // ------------------------------------------------------------ events (16-events.js)

  test('internal.abortRequest: the signal of a handler request aborts, made before or after', () => {
    if (typeof internal.abortRequest !== 'function') return;
    const r1 = internal.makeRequest('GET', 'http://h/', 201, null);
    const s1 = r1.signal;
    let fired = 0;
    s1.onabort = () => fired++;
    eq([s1.aborted, r1.signal === s1], [false, true]);
    internal.abortRequest(201);
    internal.abortRequest(201);
    eq([s1.aborted, s1.reason.name, s1.reason.code, fired], [true, 'AbortError', 20, 1]);
    const r2 = internal.makeRequest('GET', 'http://h/', 202, null);
    internal.abortRequest(202, 'gone');
    eq([r2.signal.aborted, r2.signal.reason], [true, 'gone']);
    const r3 = internal.makeRequest('GET', 'http://h/', 203, null);
    const copy = new Request(r3, { headers: { a: 'b' } });
    const clone = r3.clone();
    eq(copy.signal.aborted, false);
    internal.abortRequest(203, 'late');
    eq([copy.signal.reason, clone.signal.reason, r3.signal.reason], ['late', 'late', 'late']);
    const other = internal.makeRequest('GET', 'http://h/', 204, null);
    eq(other.signal.aborted, false, 'another call');
    eq(internal.makeRequest('GET', 'http://h/', ['a', 'b'], null).signal.aborted, false, 'no call id');
  });

  test('AbortSignal.any: a dependent made of a dependent of a handler request follows the call', () => {
    if (typeof internal.abortRequest !== 'function') return;
    const r = internal.makeRequest('GET', 'http://h/', 205, null);
    const t = new EventTarget();
    let n = 0;
    t.addEventListener('x', () => n++, { signal: AbortSignal.any([r.signal]) });
    internal.abortRequest(205);
    t.dispatchEvent(new Event('x'));
    eq(n, 0);
  });

  test('URL: the fast path for serialized http(s) URLs gives what the full parser gives', () => {
    const parts = [
      ['http', 'https', 'HTTP', 'ftp', 'h', 'ws'],
      ['localhost', 'a.b', '127.0.0.1', '1.2.3.256', '01.2.3.4', '0x7f.1', 'a.0x', 'a.1', '1.2.3', 'xn--a.com',
        'a.xn--b', 'xn--nxasmq6b.com', 'a..b', 'A.com', 'a-.b', 'a%41', 'a_b', '[::1]', 'u@h', ''],
      ['', ':80', ':443', ':8080', ':0', ':08', ':65535', ':65536', ':', ':1x'],
      ['', '/', '/a/b', '/a/./b', '/a/../b', '/./', '/..', '/%2e/', '/%2E%2e', '/.a', '/a.', '/a b', '/a\\b',
        '/a^b', "/a'b", '/a|b[]', "/~!$&()*+,;=:@'", '/\u00e9', '/a%zz', '//x', '/a"b', '/a`b', '/a{b}'],
      ['', '?', '?a=b', "?a'b", '?a^b`{}|\\', '?a b', '?a"b', '?\u00e9', '??/..'],
      ['', '#', '#x'],
    ];
    const bases = [undefined, 'http://b.example:8080/x/y?q', 'https://127.0.0.1/', 'file:///c/', 'about:blank'];
    let seed = 12345;
    const pick = (a) => { seed = (seed * 1103515245 + 12345) % 2147483648; return a[seed % a.length]; };
    const parse = (fast, input, base) => {
      internal.urlFastPath(fast);
      try {
        const u = new URL(input, base);
        return [u.href, u.protocol, u.host, u.port, u.pathname, u.search, u.origin];
      } catch (e) {
        return e.name;
      } finally {
        internal.urlFastPath(true);
      }
    };
    for (let i = 0; i < 6000; i++) {
      const [scheme, host, port, path, query, frag] = parts.map(pick);
      const rel = i % 3 === 0;
      const input = rel ? path + query + frag : `${scheme}://${host}${port}${path}${query}${frag}`;
      const base = rel ? pick(bases) : (i % 5 === 0 ? pick(bases) : undefined);
      if (base === undefined && rel) continue;
      eq(parse(true, input, base), parse(false, input, base), `${input} against ${base}:`);
    }
  });

  // ------------------------------------------------------------ run

  for (const [name, fn] of tests) {
    try {
      await fn();
      __report(name, true, '');
    } catch (e) {
      __report(name, false, e && e.message ? e.message : String(e));
    }
  }
})();
