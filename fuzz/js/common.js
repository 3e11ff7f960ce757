// common.js: the start of every target's module (fuzz/Makefile puts it
// before fuzz/js/<target>.js).  The harness (fuzz/harness.cc) reads these
// console lines:
//   FUZZ-BUG <text>     a check failed: the harness reports it and aborts
//   FUZZ-EXPECT <text>  what the host should receive (fuzz_response)
//   FUZZ-COV            collect this input's JS coverage (fuzz/jscov.cc)

const consoleLog = console.log;

function bug(what) {
  consoleLog('FUZZ-BUG ' + what);
  // not reached: the harness aborts
  throw new Error('FUZZ-BUG ' + what);
}

function collectCoverage() {
  consoleLog('FUZZ-COV');
}

// the first one in an isolate turns block coverage on, before the
// functions below (and most of the runtime) are compiled
collectCoverage();

// FUZZ_SKIP (the harness hands it over as env.FUZZ_SKIP, ",a,b,")
function skipped(env, name) {
  return typeof env.FUZZ_SKIP === 'string' && env.FUZZ_SKIP.includes(`,${name},`);
}

// A short printable form of a value, for messages.
function show(v) {
  let s;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  } catch (e) {
    s = '<unprintable>';
  }
  return s.length > 300 ? s.slice(0, 300) + '...' : s;
}

function check(ok, what) {
  if (!ok) bug(what);
}

function same(a, b, what) {
  if (a !== b) bug(`${what}: ${show(a)} !== ${show(b)}`);
}

// One char per byte.
function latin1(u8) {
  let s = '';
  for (let i = 0; i < u8.length; i++) s += String.fromCharCode(u8[i]);
  return s;
}

// UTF-16LE code units: reaches lone surrogates and any code point.
function utf16(u8) {
  let s = '';
  for (let i = 0; i + 1 < u8.length; i += 2) s += String.fromCharCode(u8[i] | (u8[i + 1] << 8));
  return s;
}

// Lowercase hex of a string of char codes <= 0xFF ("-" when empty).
function hexOf(s) {
  if (s.length === 0) return '-';
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) bug(`hexOf: char code ${c} in ${show(s)}`);
    out += (c < 16 ? '0' : '') + c.toString(16);
  }
  return out;
}

function hexOfBytes(u8) {
  return hexOf(latin1(u8));
}

// Reads fields from the input bytes as libFuzzer's FuzzedDataProvider does
// with ConsumeRandomLengthString: a field ends at "\" followed by any byte
// but "\"; "\\" stands for one backslash.  Seeds stay readable text.
class Reader {
  constructor(u8) {
    this.u8 = u8;
    this.pos = 0;
  }

  get left() { return this.u8.length - this.pos; }

  byte() { return this.pos < this.u8.length ? this.u8[this.pos++] : 0; }

  field(max = 1 << 20) {
    const out = [];
    while (this.pos < this.u8.length && out.length < max) {
      const c = this.u8[this.pos++];
      if (c === 0x5c && this.pos < this.u8.length) {
        const next = this.u8[this.pos++];
        if (next !== 0x5c) break;
      }
      out.push(c);
    }
    return Uint8Array.from(out);
  }

  rest() {
    const out = this.u8.subarray(this.pos);
    this.pos = this.u8.length;
    return out;
  }
}

// A field as a string: UTF-8 (with replacement) or UTF-16LE code units.
const anyDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
function text(bytes, wide) {
  return wide ? utf16(bytes) : anyDecoder.decode(bytes);
}
