// natives.js (fuzz_natives): TextDecoder, TextEncoder, atob/btoa, URL and
// its setters, URLSearchParams, each checked against a reference written
// here from the standards (Encoding, Infra's forgiving-base64, URL) or
// against itself (a serialization parsed again gives itself).
//
// Input: the request body.  Byte 0: the operation (low 3 bits) and flags
// (bit 3: fields are UTF-16LE, not UTF-8; bit 4: with the isolate's
// ArrayBuffer budget used up, see opSqueezed); then the operation's
// fields.

// ------------------------------------------------------------ references

// Encoding Standard, UTF-8 decoder with replacement; counts the errors.
function refDecode(u8) {
  let out = '';
  let errors = 0;
  let needed = 0, seen = 0, cp = 0, lower = 0x80, upper = 0xbf;
  const emit = (c) => { out += String.fromCodePoint(c); };
  for (let i = 0; i < u8.length; i++) {
    const b = u8[i];
    if (needed === 0) {
      if (b <= 0x7f) emit(b);
      else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2; cp = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3; cp = b & 0x7;
      } else { errors++; emit(0xfffd); }
      continue;
    }
    if (b < lower || b > upper) {
      needed = seen = cp = 0; lower = 0x80; upper = 0xbf;
      errors++; emit(0xfffd);
      i--;            // the byte is read again
      continue;
    }
    lower = 0x80; upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    if (++seen === needed) { emit(cp); needed = seen = cp = 0; }
  }
  if (needed !== 0) { errors++; emit(0xfffd); }
  return { out, errors };
}

// USVString conversion: lone surrogates become U+FFFD.
function refUSV(s) {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { out += s[i] + s[i + 1]; i++; continue; }
    }
    out += c >= 0xd800 && c <= 0xdfff ? '\ufffd' : s[i];
  }
  return out;
}

// UTF-8 bytes of the USVString of s, as an array.
function refEncode(s) {
  const out = [];
  for (const ch of refUSV(s)) {
    const c = ch.codePointAt(0);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Infra, forgiving-base64 decode: a binary string, or null for failure.
function refAtob(s) {
  let data = '';
  for (const ch of s) if (!'\t\n\f\r '.includes(ch)) data += ch;
  let len = [...data].length;
  if (len % 4 === 0) {
    if (data.endsWith('==')) data = data.slice(0, -2);
    else if (data.endsWith('=')) data = data.slice(0, -1);
    len = [...data].length;
  }
  if (len % 4 === 1) return null;
  for (const ch of data) if (!B64.includes(ch)) return null;
  let out = '', buffer = 0, bits = 0;
  for (const ch of data) {
    buffer = (buffer << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits === 24) {
      out += String.fromCharCode(buffer >> 16, (buffer >> 8) & 255, buffer & 255);
      buffer = 0; bits = 0;
    }
  }
  if (bits === 12) out += String.fromCharCode(buffer >> 4);
  else if (bits === 18) out += String.fromCharCode(buffer >> 10, (buffer >> 2) & 255);
  return out;
}

// Base64 with padding of a binary string (all char codes <= 0xFF).
function refBtoa(s) {
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const n = s.length - i;
    const v = (s.charCodeAt(i) << 16) | ((n > 1 ? s.charCodeAt(i + 1) : 0) << 8)
      | (n > 2 ? s.charCodeAt(i + 2) : 0);
    out += B64[v >> 18] + B64[(v >> 12) & 63]
      + (n > 1 ? B64[(v >> 6) & 63] : '=') + (n > 2 ? B64[v & 63] : '=');
  }
  return out;
}

// ------------------------------------------------------------ helpers

function expectThrow(fn, kind, what) {
  try {
    fn();
  } catch (e) {
    if (kind === 'TypeError' ? !(e instanceof TypeError)
        : !(e instanceof DOMException) || e.name !== kind) {
      bug(`${what}: threw ${show(e && e.stack || e)}, not a ${kind}`);
    }
    return;
  }
  bug(`${what}: did not throw a ${kind}`);
}

// Returns fn()'s value, or `failed` for an error of the expected kind.
const failed = Symbol('failed');
function attempt(fn, kind, what) {
  try {
    return fn();
  } catch (e) {
    if (kind === 'TypeError' ? !(e instanceof TypeError)
        : !(e instanceof DOMException) || e.name !== kind) {
      bug(`${what}: threw ${show(e && e.stack || e)}, not a ${kind}`);
    }
    return failed;
  }
}

function sameBytes(a, b, what) {
  const x = Array.from(a).join(','), y = Array.from(b).join(',');
  same(x, y, what);
}

// ------------------------------------------------------------ TextDecoder

function opDecode(r) {
  const flags = r.byte();
  const bytes = r.rest();
  const ref = refDecode(bytes);
  const noBom = ref.out.charCodeAt(0) === 0xfeff ? ref.out.slice(1) : ref.out;
  const label = ['utf-8', 'utf8', ' UTF-8\n', 'unicode-1-1-utf-8'][flags & 3];

  same(new TextDecoder(label).decode(bytes), noBom, 'TextDecoder().decode');
  same(new TextDecoder(label, { ignoreBOM: true }).decode(bytes), ref.out,
    'TextDecoder({ignoreBOM}).decode');
  same(new TextDecoder(label).decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
    noBom, 'TextDecoder().decode(ArrayBuffer)');
  same(new TextDecoder(label).decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.length)),
    noBom, 'TextDecoder().decode(DataView)');

  const fatal = new TextDecoder(label, { fatal: true });
  const got = attempt(() => fatal.decode(bytes), 'TypeError', 'fatal decode');
  if (ref.errors === 0) same(got, noBom, 'TextDecoder({fatal}).decode of valid UTF-8');
  else check(got === failed, `TextDecoder({fatal}) accepted ${ref.errors} errors: ${show(got)}`);

  // the decoder is usable again after an error
  same(fatal.decode(Uint8Array.of(0x41)), 'A', 'fatal decoder after an error');
}

function opDecodeStream(r) {
  const flags = r.byte();
  const ncuts = flags & 7;
  const cuts = [];
  for (let i = 0; i < ncuts; i++) cuts.push(r.byte());
  const bytes = r.rest();
  const chunks = [];
  let at = 0;
  for (const c of cuts.sort((a, b) => a - b)) {
    const end = Math.min(c, bytes.length);
    chunks.push(bytes.subarray(at, Math.max(at, end)));
    at = Math.max(at, end);
  }
  chunks.push(bytes.subarray(at));

  const ref = refDecode(bytes);
  const ignoreBOM = (flags & 8) !== 0;
  const whole = !ignoreBOM && ref.out.charCodeAt(0) === 0xfeff ? ref.out.slice(1) : ref.out;

  const d = new TextDecoder('utf-8', { ignoreBOM });
  let out = '';
  for (let i = 0; i < chunks.length; i++) {
    out += d.decode(chunks[i], { stream: i + 1 < chunks.length || (flags & 16) !== 0 });
  }
  if (flags & 16) out += d.decode();
  same(out, whole, `streaming decode in ${chunks.length} chunks`);

  // again with the same decoder: a finished stream leaves no state
  same(d.decode(bytes), whole, 'decode after a finished stream');

  const f = new TextDecoder('utf-8', { fatal: true, ignoreBOM });
  let fout = '', threw = false;
  for (let i = 0; i < chunks.length && !threw; i++) {
    const got = attempt(() => f.decode(chunks[i], { stream: i + 1 < chunks.length }),
      'TypeError', 'fatal streaming decode');
    if (got === failed) threw = true;
    else fout += got;
  }
  if (ref.errors === 0) {
    check(!threw, 'fatal streaming decode threw on valid UTF-8');
    same(fout, whole, 'fatal streaming decode');
  } else {
    check(threw, `fatal streaming decode accepted ${ref.errors} errors`);
  }
}

// ------------------------------------------------------------ TextEncoder

function opEncode(r, wide) {
  const cap = r.byte();
  const s = text(r.rest(), wide);
  const want = refEncode(s);
  const enc = new TextEncoder();
  const got = enc.encode(s);

  check(got instanceof Uint8Array, 'encode() did not give a Uint8Array');
  sameBytes(got, want, 'TextEncoder.encode');
  same(new TextDecoder('utf-8', { ignoreBOM: true }).decode(got), refUSV(s), 'decode(encode(s))');

  // encodeInto: whole code points only, as many as fit
  const dst = new Uint8Array(cap + 4).fill(0xee);
  const view = dst.subarray(2, 2 + cap);
  const { read, written } = enc.encodeInto(s, view);
  check(written <= cap, `encodeInto wrote ${written} > ${cap}`);
  check(dst[0] === 0xee && dst[1] === 0xee && dst[cap + 2] === 0xee && dst[cap + 3] === 0xee,
    'encodeInto wrote outside its view');
  const head = s.slice(0, read);
  const headBytes = refEncode(head);
  same(headBytes.length, written, `encodeInto: bytes of the ${read} units read`);
  sameBytes(view.subarray(0, written), headBytes, 'encodeInto bytes');
  const c = s.charCodeAt(read - 1);
  check(read === 0 || !(c >= 0xd800 && c <= 0xdbff && read < s.length
                        && s.charCodeAt(read) >= 0xdc00 && s.charCodeAt(read) <= 0xdfff),
    'encodeInto split a surrogate pair');
  if (read < s.length) {
    const next = refEncode(String.fromCodePoint(s.codePointAt(read))).length;
    check(written + next > cap, `encodeInto stopped at ${read} with room for the next code point`);
  }
}

// ------------------------------------------------------------ base64

function opBase64(r, wide) {
  const s = wide ? utf16(r.rest()) : latin1(r.rest());
  const want = refAtob(s);
  const got = attempt(() => atob(s), 'InvalidCharacterError', 'atob');

  if (want === null) {
    check(got === failed, `atob accepted ${show(s)}: ${show(got)}`);
  } else {
    check(got !== failed, `atob refused ${show(s)}`);
    same(got, want, 'atob');
    // round trips: btoa gives the canonical form, which decodes the same
    const b = btoa(got);
    same(b, refBtoa(got), 'btoa(atob(x))');
    same(atob(b), got, 'atob(btoa(atob(x)))');
  }

  // btoa on the input itself
  if (/^[\x00-\xff]*$/.test(s)) {
    const b = btoa(s);
    same(b, refBtoa(s), 'btoa');
    same(atob(b), s, 'atob(btoa(x))');
  } else {
    expectThrow(() => btoa(s), 'InvalidCharacterError', 'btoa of a non-Latin1 string');
  }
}

// ------------------------------------------------------------ URL

const PARTS = ['href', 'origin', 'protocol', 'username', 'password', 'host',
  'hostname', 'port', 'pathname', 'search', 'hash'];
const SETTERS = ['href', 'protocol', 'username', 'password', 'host',
  'hostname', 'port', 'pathname', 'search', 'hash'];
const BASES = [
  'http://user:pass@example.com:8080/a/b?c=d#e', 'https://example.org/',
  'file:///C:/x/y', 'file://host/share/f', 'mailto:a@b', 'data:text/plain,hi there',
  'non-spec:/p/q', 'non-spec://h/p', 'sc:', 'sc:/', 'javascript:alert(1)',
  'blob:https://a/b', 'ws://[::1]:1/', 'http://1.2.3.4/', 'wss://xn--nxasmq6b.example/',
  'ftp://h:21/', 'sc://h', 'sc://h/..', 'web+demo:/.//not-a-host/',
];

// What every URL must satisfy: an ASCII serialization that parses again
// to itself, with the same parts, and search params that agree.
function checkURL(u, what) {
  const href = u.href;
  check(/^[\x20-\x7e]*$/.test(href), `${what}: href not printable ASCII: ${show(href)}`);
  same(String(u), href, `${what}: toString()`);
  same(u.toJSON(), href, `${what}: toJSON()`);

  let again;
  try {
    again = new URL(href);
  } catch (e) {
    bug(`${what}: href ${show(href)} does not parse again: ${e}`);
  }
  for (const p of PARTS) same(again[p], u[p], `${what}: ${p} of ${show(href)} parsed again`);
  check(URL.canParse(href), `${what}: URL.canParse(href) is false for ${show(href)}`);

  const q = u.search;
  same(u.searchParams.toString(), new URLSearchParams(q).toString(), `${what}: searchParams`);
  if (u.host !== '') {
    same(u.host, u.hostname + (u.port === '' ? '' : ':' + u.port), `${what}: host`);
  }
}

function opParse(r, wide, withBase) {
  const input = text(r.field(), wide);
  const base = withBase ? text(r.field(), wide) : undefined;
  const u = attempt(() => (withBase ? new URL(input, base) : new URL(input)), 'TypeError', 'new URL');
  same(withBase ? URL.canParse(input, base) : URL.canParse(input), u !== failed, `URL.canParse(${show(input)})`);
  if (u === failed) {
    same(withBase ? URL.parse(input, base) : URL.parse(input), null, 'URL.parse of an invalid URL');
    return;
  }
  checkURL(u, `new URL(${show(input)}${withBase ? ', ' + show(base) : ''})`);
}

function opSetters(r, wide) {
  const which = r.byte();
  let u;
  if (which & 0x80) {
    u = attempt(() => new URL(text(r.field(), wide)), 'TypeError', 'new URL');
    if (u === failed) return;
  } else {
    u = new URL(BASES[which % BASES.length]);
  }
  const steps = [];
  while (r.left > 0 && steps.length < 6) {
    const setter = SETTERS[r.byte() % SETTERS.length];
    const value = text(r.field(), wide);
    steps.push(`${setter}=${show(value)}`);
    if (setter === 'href') {
      attempt(() => { u.href = value; }, 'TypeError', 'href setter');
    } else {
      u[setter] = value;
    }
    checkURL(u, `after ${steps.join(', ')}`);
  }
}

// ------------------------------------------------------------ URLSearchParams

function pairs(sp) {
  return JSON.stringify([...sp]);
}

function checkParams(sp, what) {
  const s = sp.toString();
  const again = new URLSearchParams(s);
  same(pairs(again), pairs(sp), `${what}: pairs after toString ${show(s)} and parsing again`);
  same(again.toString(), s, `${what}: toString after parsing again`);
  same(sp.size, [...sp].length, `${what}: size`);
  for (const [k, v] of sp) {
    check(sp.has(k), `${what}: has(${show(k)})`);
    check(sp.has(k, v), `${what}: has(${show(k)}, ${show(v)})`);
    same(sp.getAll(k).includes(v), true, `${what}: getAll(${show(k)})`);
  }
}

function opParams(r, wide) {
  const init = text(r.field(), wide);
  const sp = new URLSearchParams(init);
  checkParams(sp, `URLSearchParams(${show(init)})`);

  // the URL's copy (the URL parser would drop tabs and newlines: give it
  // the serialized form)
  const u = new URL('http://h/p');
  u.search = sp.toString();
  checkURL(u, `search=${show(sp.toString())}`);
  same(pairs(u.searchParams), pairs(sp), 'url.searchParams');

  // the init as a URL's query
  const v = new URL('http://h/p');
  v.search = init;
  checkURL(v, `search=${show(init)}`);

  const steps = [];
  while (r.left > 0 && steps.length < 8) {
    const op = r.byte() % 5;
    const k = text(r.field(), wide), v = text(r.field(), wide);
    steps.push(`${['append', 'set', 'delete', 'sort', 'delete2'][op]}(${show(k)}, ${show(v)})`);
    for (const p of [sp, u.searchParams]) {
      if (op === 0) p.append(k, v);
      else if (op === 1) p.set(k, v);
      else if (op === 2) p.delete(k);
      else if (op === 3) p.sort();
      else p.delete(k, v);
    }
    const what = `after ${steps.join(', ')}`;
    checkParams(sp, what);
    same(pairs(u.searchParams), pairs(sp), `${what}: url.searchParams`);
    checkURL(u, what);
    if (op === 1) same(sp.get(refUSV(k)), refUSV(v), `${what}: get`);
    if (op === 2) check(!sp.has(k), `${what}: has after delete`);
  }
}

// ------------------------------------------------------------ memory

// Uses up the isolate's ArrayBuffer budget (js_function_memory), then
// calls what allocates buffers in the engine's C++.  Each may throw a
// RangeError, and a refused allocation condemns the isolate (JSFN_ERR_HEAP
// is fine here); none may end the process (DESIGN.md: "Memory that
// JavaScript cannot make fatal").  Mode bit 0 unset: fill the budget
// until an allocation fails; set: take all but a few KB of it in one
// buffer (env.HEAP_MAX is the budget), so that nothing fails until the
// engine's own allocations.  Mode bit 1: skip the calls.  The buffers stay held for a second call with a body
// (FUZZ-AGAIN: the harness makes it), whose bytes the engine must also
// put in a buffer.
function opSqueezed(r, wide, env) {
  consoleLog('FUZZ-SQUEEZE');
  const mode = r.byte();
  const hold = [];
  if ((mode & 1) === 0) {
    for (let chunk = 1 << 24; chunk >= 1024;) {
      try {
        hold.push(new ArrayBuffer(chunk));
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        chunk >>= 1;
      }
    }
  } else {
    try {
      hold.push(new ArrayBuffer(Number(env.HEAP_MAX) - r.byte() * 1024));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  globalThis.fuzzHold = hold;
  if (mode & 2) {
    consoleLog('FUZZ-AGAIN');
    return;
  }
  const s = text(r.rest(), wide);
  const tryRange = (fn) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof RangeError) && !(e instanceof TypeError)
          && !(e instanceof DOMException)) {
        throw e;
      }
    }
  };
  tryRange(() => new TextEncoder().encode(s));
  tryRange(() => new TextEncoder().encodeInto(s, new Uint8Array(16)));
  tryRange(() => new TextDecoder().decode(new TextEncoder().encode(s)));
  tryRange(() => atob(s));
  tryRange(() => btoa(s));
  tryRange(() => new URL(s, 'http://h/').searchParams.toString());
  tryRange(() => new Response(s).headers.get('content-type'));
  consoleLog('FUZZ-AGAIN');
}

// ------------------------------------------------------------ dispatch

function run(u8, env) {
  const r = new Reader(u8);
  const op = r.byte();
  const wide = (op & 8) !== 0;
  if (op & 16) {
    if (!skipped(env, 'squeeze')) opSqueezed(r, wide, env);
    return;
  }
  switch (op & 7) {
  case 0: opDecode(r); break;
  case 1: opDecodeStream(r); break;
  case 2: opEncode(r, wide); break;
  case 3: opBase64(r, wide); break;
  case 4: opParse(r, wide, false); break;
  case 5: opParse(r, wide, true); break;
  case 6: opSetters(r, wide); break;
  case 7: opParams(r, wide); break;
  }
}

export default {
  async fetch(request, env) {
    const input = await request.bytes();
    if (globalThis.fuzzHold !== undefined) {
      // the second call after opSqueezed
      globalThis.fuzzHold = undefined;
      collectCoverage();
      return new Response(null, { status: 204 });
    }
    try {
      run(input, env);
    } catch (e) {
      bug(`unexpected exception: ${show(e && e.stack || e)}`);
    } finally {
      collectCoverage();
    }
    return new Response(null, { status: 204 });
  },
};
