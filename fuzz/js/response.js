// response.js (fuzz_response): a Response built from the input (the
// request body) through the runtime's public API.  Invalid parts throw
// (TypeError, RangeError): then a plain fallback Response is returned.
// Before returning, the JS logs what the host should receive
// (FUZZ-EXPECT); fuzz_response.cc compares it with the jsfn_response_t.
//
// Input: byte 0: how to build (bits 0-2), fields in UTF-16LE (bit 3),
// tamper with the built-ins first (bit 4), body kind (bits 5-7); bytes 1
// and 2: what to tamper with (indexes in TAMPER, which only grows at its
// end, so that saved inputs keep their meaning); bytes 3-4: the status; then fields (see
// Reader in common.js): status text, header count byte and name/value
// fields, body; then operations on response.headers.

const SPECIAL_STATUS = [undefined, NaN, -1, 1e10, '204', 65736, 200.9,
  { valueOf() { return 201; } }, null, true, 0, 599, 600, 199, 204, 304,
  101, 103, 65535, -65336, Infinity, '0x12c', 2 ** 32 + 200, 418];

// What a function may do to the built-ins the runtime's own JS relies on.
// Each is ordinary code any function may run; the engine must not send
// what the runtime's validation would have refused.
const TAMPER = [
  () => { RegExp.prototype.test = function () { return true; }; },
  () => { RegExp.prototype.test = function () { return false; }; },
  () => { RegExp.prototype.exec = function () { return null; }; },
  () => { String.prototype.toLowerCase = function () { return `${this} x`; }; },
  () => { String.prototype.replace = function () { return String(this); }; },
  () => { Math.trunc = function () { return NaN; }; },
  () => { globalThis.Number = Object.assign(function () { return NaN; }, { isFinite() { return true; } }); },
  () => {
    const push = Array.prototype.push;
    Array.prototype.push = function (...args) {
      return push.apply(this, args.map((a) => (typeof a === 'string' ? `${a}\r\nx: y` : a)));
    };
  },
  () => {
    const push = Array.prototype.push;
    Array.prototype.push = function (...args) {
      return push.apply(this, args.map((a) => (typeof a === 'string' ? `(${a}) :` : a)));
    };
  },
  () => {
    const set = Map.prototype.set;
    Map.prototype.set = function (k, v) { return set.call(this, typeof k === 'string' ? `${k} :` : k, v); };
  },
  () => {
    const get = Map.prototype.get;
    Map.prototype.get = function (k) { const v = get.call(this, k); return Array.isArray(v) ? v.map((x) => `${x}\u0000`) : v; };
  },
  () => { Object.defineProperty(Array.prototype, 'length', { get() { return 0; } }); },
  () => { Object.freeze(Array.prototype); },
  () => { Object.defineProperty(Object.prototype, 'status', { get() { return 700; }, configurable: true }); },
  () => { Object.defineProperty(Object.prototype, 'body', { get() { return 'x'; }, configurable: true }); },
  () => { Array.prototype.join = function () { return 'a\nb'; }; },
  () => { String.prototype.slice = function () { return ' \u0000 '; }; },
  // lies told only to some checks: anchored patterns always match,
  // others never do
  () => { RegExp.prototype.test = function () { return this.source[0] === '^' && this.source.endsWith('$'); }; },
  () => { RegExp.prototype[Symbol.replace] = function (s) { return String(s); }; },
  // a header list of objects whose string conversion throws
  () => {
    const push = Array.prototype.push;
    Array.prototype.push = function (...args) {
      return push.apply(this, args.map((a) => (typeof a === 'string' ? { toString() { throw new Error('no'); } } : a)));
    };
  },
  // the dispatcher takes the response's parts for a thenable: whatever
  // this `then` gives is what the engine converts, unchecked by any JS
  (spec) => {
    defineProperty(Object.prototype, 'then', {
      configurable: true,
      get() {
        if (this === null || typeof this !== 'object' || !('statusText' in this)
            || !Array.isArray(this.headers) || this instanceof Response) {
          return undefined;
        }
        return function (ok) {
          ok({
            status: spec.status, statusText: spec.statusText,
            headers: spec.list.flat(), body: text(spec.bodyBytes, false),
          });
        };
      },
    });
  },
];

// What TAMPER changes, as it was: put back by a timer after the host has
// the response (the harness fires timers last), so the isolate can serve
// the next input.  What cannot be put back (a frozen prototype) makes the
// harness use a new isolate: it does that unless FUZZ-RESTORED comes.
const { defineProperty, getOwnPropertyDescriptor, isFrozen } = Object;
const { deleteProperty } = Reflect;
const SAVED = [
  [RegExp.prototype, 'test'], [RegExp.prototype, 'exec'],
  [String.prototype, 'toLowerCase'], [String.prototype, 'replace'],
  [String.prototype, 'slice'], [Math, 'trunc'], [globalThis, 'Number'],
  [Array.prototype, 'push'], [Array.prototype, 'join'],
  [Map.prototype, 'set'], [Map.prototype, 'get'],
  [Object.prototype, 'status'], [Object.prototype, 'body'],
  [RegExp.prototype, Symbol.replace], [Object.prototype, 'then'],
].map(([o, k]) => [o, k, getOwnPropertyDescriptor(o, k)]);

function restore() {
  for (const [o, k, d] of SAVED) {
    if (d === undefined) deleteProperty(o, k);
    else defineProperty(o, k, d);
  }
  for (const [o, k, d] of SAVED) {
    const now = getOwnPropertyDescriptor(o, k);
    if (d === undefined ? now !== undefined : now === undefined || now.value !== d.value) return;
  }
  if (isFrozen(Array.prototype)) return;
  consoleLog('FUZZ-RESTORED');
}

function field(r, wide) {
  return text(r.field(), wide);
}

function makeBody(kind, bytes, wide) {
  switch (kind) {
  case 0: return undefined;
  case 1: return text(bytes, wide);
  case 2: return bytes.slice();
  case 3: return bytes.slice().buffer;
  case 4: {
    const b = new Uint8Array(bytes.length + 4);
    b.set(bytes, 2);
    return new DataView(b.buffer, 2, bytes.length);
  }
  case 5: return new URLSearchParams(text(bytes, wide));
  case 6: return null;
  default: return new Uint16Array(bytes.slice(0, bytes.length & ~1).buffer);
  }
}

function headersInit(how, list) {
  if (how === 5) {
    const h = new Headers();
    for (const [n, v] of list) h.append(n, v);
    return h;
  }
  if (how === 7) {
    const o = {};
    for (const [n, v] of list) o[n] = v;
    return o;
  }
  return list;
}

// The input, read before any built-in is changed.
function parse(r, wide) {
  const hi = r.byte(), lo = r.byte();
  const s = (hi << 8) | lo;
  const spec = {
    status: s & 0x8000 ? SPECIAL_STATUS[s % SPECIAL_STATUS.length] : s % 1000,
    statusText: field(r, wide),
    list: [],
    bodyBytes: null,
    ops: [],
  };
  const nheaders = r.byte() % 16;
  for (let i = 0; i < nheaders; i++) spec.list.push([field(r, wide), field(r, wide)]);
  spec.bodyBytes = r.field();
  for (let n = 0; n < 8 && r.left > 0; n++) {
    spec.ops.push([r.byte() % 6, field(r, wide), field(r, wide)]);
  }
  return spec;
}

function build(spec, how, wide, bodyKind) {
  const { status, statusText, list, bodyBytes } = spec;
  const body = makeBody(bodyKind, bodyBytes, wide);
  const init = { status };
  if (statusText !== '') init.statusText = statusText;
  if (list.length) init.headers = headersInit(how, list);

  switch (how) {
  case 1: {
    let data;
    try { data = JSON.parse(text(bodyBytes, wide)); } catch (e) { data = text(bodyBytes, wide); }
    return Response.json(data, init);
  }
  case 2: return Response.redirect(text(bodyBytes, wide), status);
  case 3: return Response.error();
  case 4: return new Response(body, init).clone();
  default: return new Response(body, init);
  }
}

function postOps(spec, resp) {
  for (const [op, name, value] of spec.ops) {
    try {
      if (op === 0) resp.headers.append(name, value);
      else if (op === 1) resp.headers.set(name, value);
      else if (op === 2) resp.headers.delete(name);
      else if (op === 3) resp = resp.clone();
      else if (op === 4) void [...resp.headers];
      else void resp.headers.get(name);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
    }
  }
  return resp;
}

async function expectation(resp, tampered) {
  if (tampered) return resp.type === 'error' ? '1 E' : '1 -';
  // from a clone: reading the original's headers would change the path it
  // takes to the host
  const c = resp.clone();
  const parts = ['0', resp.type === 'error' ? 'E' : '-', String(c.status), hexOf(c.statusText)];
  const entries = [...c.headers];
  parts.push(String(entries.length));
  for (const [n, v] of entries) parts.push(hexOf(n), hexOf(v));
  parts.push(hexOfBytes(new Uint8Array(await c.arrayBuffer())));
  return parts.join(' ');
}

export default {
  async fetch(request, env) {
    const r = new Reader(await request.bytes());
    const b0 = r.byte();
    const how = b0 & 7, wide = (b0 & 8) !== 0;
    const tamper = (b0 & 16) !== 0 && !skipped(env, 'tamper');
    const which = [r.byte(), r.byte()];
    const spec = parse(r, wide);
    let resp;

    // after the host has the response (the harness fires timers last)
    setTimeout(collectCoverage, 0);

    if (tamper) {
      consoleLog('FUZZ-TAMPER');
      setTimeout(restore, 0);
      for (const w of which) {
        try {
          TAMPER[w]?.(spec);           // past the end: none
        } catch (e) {
          // some do not apply
        }
      }
    }

    try {
      resp = build(spec, how, wide, b0 >> 5);
      resp = postOps(spec, resp);
    } catch (e) {
      if (!tamper && !(e instanceof TypeError) && !(e instanceof RangeError)) {
        bug(`unexpected exception: ${show(e && e.stack || e)}`);
      }
      resp = new Response('invalid', { status: 299 });
    }

    try {
      consoleLog('FUZZ-EXPECT ' + await expectation(resp, tamper));
    } catch (e) {
      if (!tamper) bug(`expectation: ${show(e && e.stack || e)}`);
    }
    return resp;
  },
};
