// request.js (fuzz_request): reads everything of the request the host
// mapped (method, url, headers, body) through the public API, checks what
// can be checked in JS, and answers with what it read, for
// fuzz_request.cc to compare with what it sent: a list of byte strings,
// each a 4-byte little-endian length and the bytes (char codes <= 0xFF).

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function encode(list) {
  let n = 0;
  for (const s of list) n += 4 + s.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const s of list) {
    out[at] = s.length & 255; out[at + 1] = (s.length >> 8) & 255;
    out[at + 2] = (s.length >> 16) & 255; out[at + 3] = s.length >>> 24;
    at += 4;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) bug(`char code ${c} in ${show(s)}`);
      out[at++] = c;
    }
  }
  return out;
}

function expectTypeError(fn, what) {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof TypeError)) bug(`${what}: ${show(e && e.stack || e)}`);
    return undefined;
  }
}

async function read(request) {
  const out = [request.method, request.url];

  const u = expectTypeError(() => new URL(request.url), 'new URL(request.url)');
  if (u !== undefined) {
    same(new URL(u.href).href, u.href, 'URL href parsed again');
  }

  const h = request.headers;
  const entries = [...h];
  out.push(String(entries.length));
  for (const [n, v] of entries) out.push(n, v);

  const seen = [];
  h.forEach((v, n) => seen.push([n, v]));
  same(JSON.stringify(seen), JSON.stringify(entries), 'forEach and entries');
  same(JSON.stringify([...h.keys()]), JSON.stringify(entries.map((e) => e[0])), 'keys()');
  for (const [n, v] of entries) {
    if (!TOKEN.test(n)) continue;
    check(h.has(n), `has(${show(n)})`);
    if (n === 'set-cookie') check(h.getSetCookie().includes(v), 'getSetCookie');
    else same(h.get(n), v, `get(${show(n)})`);
  }
  expectTypeError(() => { h.append('x-fuzz', '1'); bug('request headers are not immutable'); }, 'append');

  // a copy with the same headers: its own validation may refuse them
  expectTypeError(() => new Request(request.url, { headers: h }), 'new Request');
  expectTypeError(() => new Headers(h), 'new Headers');

  const copy = request.clone();
  const body = await request.text();
  const bytes = await copy.bytes();
  // (a null body is never "used")
  check(bytes.length === 0 || (request.bodyUsed && copy.bodyUsed), 'bodyUsed after reading');
  same(body, new TextDecoder().decode(bytes), 'text() and bytes()');
  out.push(latin1(bytes));
  return out;
}

export default {
  async fetch(request) {
    let out;
    try {
      out = await read(request);
    } catch (e) {
      bug(`unexpected exception: ${show(e && e.stack || e)}`);
    } finally {
      collectCoverage();
    }
    return new Response(encode(out));
  },
};
