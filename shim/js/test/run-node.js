#!/usr/bin/env node
// Runs the shim/js runtime files under Node, the way the engine does, and
// checks them against the wpt vectors in shared/wpt plus our own asserts.
//
//   node shim/js/test/run-node.js [--verbose] [--wpt DIR]
//
// The runtime files (every NN-*.js, 00-bootstrap.js included) are evaluated
// in a fresh `vm` context (so nothing from Node, no Buffer, no require, is
// visible to them), wrapped exactly like the build does. Everything is run twice: once with no natives at all (the pure
// JS fallbacks) and once with JS stand-ins for the C++ natives.
'use strict';

const fs = require('fs');
const path = require('path');
const vm = require('vm');

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const wptArg = args.indexOf('--wpt');
const shimDir = path.resolve(__dirname, '..');
const wptDir = wptArg !== -1 ? args[wptArg + 1]
  : [path.resolve(shimDir, '../../../shared/wpt'), '/work/shared/wpt'].find((d) => fs.existsSync(d));

// ------------------------------------------------------------ loading

// Stand-ins for the C++ natives, evaluated inside the context so that they
// return that realm's Uint8Arrays and throw its TypeErrors, like V8 would.
const FAKE_NATIVES_SRC = `(function () {
  function utf8Encode(s) {
    s = String(s);
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xDC00 && d <= 0xDFFF) { c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00); i++; }
      }
      if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xC0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xE0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xF0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }
  // Decoder with the Encoding Standard's error handling (maximal subparts).
  function utf8Decode(u8, fatal) {
    if (!(u8 instanceof Uint8Array)) u8 = new Uint8Array(u8.buffer || u8, u8.byteOffset || 0, u8.byteLength);
    let s = '';
    for (let i = 0; i < u8.length;) {
      const b = u8[i];
      let need = 0, cp = 0, lo = 0x80, hi = 0xBF;
      if (b < 0x80) { s += String.fromCharCode(b); i++; continue; }
      if (b >= 0xC2 && b <= 0xDF) { need = 1; cp = b & 31; }
      else if (b >= 0xE0 && b <= 0xEF) { need = 2; cp = b & 15; if (b === 0xE0) lo = 0xA0; if (b === 0xED) hi = 0x9F; }
      else if (b >= 0xF0 && b <= 0xF4) { need = 3; cp = b & 7; if (b === 0xF0) lo = 0x90; if (b === 0xF4) hi = 0x8F; }
      else { if (fatal) throw new TypeError('invalid utf-8'); s += '\\uFFFD'; i++; continue; }
      let j = i + 1, ok = true;
      for (let k = 0; k < need; k++, j++) {
        const c = u8[j];
        if (j >= u8.length || c < lo || c > hi) { ok = false; break; }
        lo = 0x80; hi = 0xBF;
        cp = (cp << 6) | (c & 63);
      }
      if (!ok) { if (fatal) throw new TypeError('invalid utf-8'); s += '\\uFFFD'; i = j; continue; }
      s += String.fromCodePoint(cp);
      i = j;
    }
    return s;
  }
  function latin1Decode(u8) {
    let s = '';
    for (let i = 0; i < u8.length; i++) s += String.fromCharCode(u8[i]);
    return s;
  }
  // done/fail record what the dispatcher reports, for the dispatch test.
  const calls = [];
  return {
    utf8Encode, utf8Decode, latin1Decode, log() {}, timerStart() {}, timerStop() {},
    requestHeaders: new Map(),
    headers(id) { return this.requestHeaders.get(id) || []; },
    done(id, parts) { calls.push({ id, parts }); },
    fail(id, error) { calls.push({ id, error }); },
    calls,
  };
})()`;

// Stand-ins for streams.cc's natives, when the build fetched the library
// (shim/vendor.sh): the globals are made on first read, as in the engine.
const STREAMS_LIB = path.resolve(shimDir, '../../build/vendor/web-streams-polyfill/dist/ponyfill.js');
function addStreamsNatives(ctx, natives) {
  const src = fs.readFileSync(STREAMS_LIB, 'utf8');
  const read = (name) => (name === 'web-streams-polyfill' ? src
    : fs.readFileSync(path.join(shimDir, '..', `${name}.js`), 'utf8'));
  natives.library = (name, names) => vm.compileFunction(read(name), names, { parsingContext: ctx });
  natives.libraryCache = () => {};
  natives.lazyGlobals = vm.runInContext(`(names, loader) => {
    for (const name of names) {
      const set = (value) => Object.defineProperty(globalThis, name,
        { value, writable: true, enumerable: false, configurable: true });
      Object.defineProperty(globalThis, name, {
        get() { const v = loader(name); set(v); return v; }, set, enumerable: false, configurable: true,
      });
    }
  }`, ctx);
}

// `dir` defaults to shim/js; bench.js passes another copy to compare versions.
function loadRuntime(withNatives, dir = shimDir) {
  const files = fs.readdirSync(dir)
    .filter((f) => /^\d\d-.*\.js$/.test(f))
    .sort();
  let src = '(function (natives, internal) { \'use strict\';\n';
  for (const f of files) src += `(function () {\n${fs.readFileSync(path.join(dir, f), 'utf8')}\n})();\n`;
  src += '})';
  const ctx = vm.createContext({});
  const fn = vm.runInContext(src, ctx, { filename: 'shim-bundle.js' });
  const natives = withNatives ? vm.runInContext(FAKE_NATIVES_SRC, ctx) : vm.runInContext('({})', ctx);
  if (withNatives && fs.existsSync(STREAMS_LIB)) addStreamsNatives(ctx, natives);
  const internal = vm.runInContext('({})', ctx);
  fn(natives, internal);
  return { ctx, internal, natives, files };
}

// ------------------------------------------------------------ reporting

let totalFail = 0;
function section(name) { console.log(`\n== ${name}`); }
function report(name, pass, fail, failures) {
  totalFail += fail;
  console.log(`${name}: ${pass}/${pass + fail} passed${fail ? `, ${fail} failed` : ''}`);
  const show = verbose ? failures : failures.slice(0, 8);
  for (const f of show) console.log('   FAIL', f);
  if (failures.length > show.length) console.log(`   ... ${failures.length - show.length} more (--verbose)`);
}

const readJSON = (f) => JSON.parse(fs.readFileSync(path.join(wptDir, f), 'utf8'));
const show = (s) => JSON.stringify(s);

// ------------------------------------------------------------ wpt: URL

const URL_ATTRS = ['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'];

function runURLTestData(rt, file) {
  const { URL } = rt.ctx;
  let pass = 0, fail = 0;
  const failures = [];
  for (const t of readJSON(file)) {
    if (typeof t !== 'object') continue;
    const base = t.base !== null ? t.base : undefined;
    let why = null;
    try {
      let url = null, err = null;
      try { url = new URL(t.input, base); } catch (e) { err = e; }
      if (t.failure) {
        if (url) why = `parsed to ${url.href}`;
        else if (err.name !== 'TypeError') why = `threw ${err.name}`;
        else if (URL.canParse(t.input, base)) why = 'canParse true';
      } else if (!url) {
        why = `threw ${err && err.message}`;
      } else {
        for (const a of URL_ATTRS) if (url[a] !== t[a]) { why = `${a}: got ${show(url[a])} want ${show(t[a])}`; break; }
        if (!why && t.origin !== undefined && url.origin !== t.origin) why = `origin: got ${show(url.origin)} want ${show(t.origin)}`;
        if (!why && t.searchParams !== undefined && url.searchParams.toString() !== t.searchParams) why = 'searchParams';
        if (!why && !URL.canParse(t.input, base)) why = 'canParse false';
      }
    } catch (e) { why = `exception ${e && e.stack}`; }
    if (why) { fail++; failures.push(`${show(t.input)} base ${show(t.base)}: ${why}`); } else pass++;
  }
  report(file, pass, fail, failures);
}

function runSetters(rt) {
  const { URL } = rt.ctx;
  const data = readJSON('setters_tests.json');
  let pass = 0, fail = 0;
  const failures = [];
  for (const attr of Object.keys(data)) {
    if (attr === 'comment') continue;
    for (const t of data[attr]) {
      let why = null;
      try {
        const url = new URL(t.href);
        url[attr] = t.new_value;
        for (const [k, v] of Object.entries(t.expected)) if (url[k] !== v) { why = `${k}: got ${show(url[k])} want ${show(v)}`; break; }
      } catch (e) { why = `exception ${e && e.message}`; }
      if (why) { fail++; failures.push(`${attr} ${show(t.href)} = ${show(t.new_value)}: ${why}`); } else pass++;
    }
  }
  report('setters_tests.json', pass, fail, failures);
}

function runToASCII(rt) {
  const { URL } = rt.ctx;
  let pass = 0, fail = 0;
  const failures = [];
  for (const t of readJSON('toascii.json')) {
    if (typeof t !== 'object') continue;
    let got;
    try { got = new URL(`https://${t.input}/x`).host; } catch { got = null; }
    if (got === t.output) pass++;
    else { fail++; failures.push(`${show(t.input)}: got ${show(got)} want ${show(t.output)}`); }
  }
  report('toascii.json', pass, fail, failures);
}

// IdnaTestV2 is informational only (full UTS #46 is not a goal), so its
// failures are not counted in the exit status.
function runIdna(rt) {
  const { URL } = rt.ctx;
  let pass = 0, fail = 0;
  for (const t of readJSON('IdnaTestV2.json')) {
    if (typeof t !== 'object') continue;
    let got;
    try { got = new URL(`https://${t.input}/x`).host; } catch { got = null; }
    if (got === t.output || (t.output === null && got === null)) pass++; else fail++;
  }
  console.log(`IdnaTestV2.json (informational): ${pass}/${pass + fail} passed`);
}

// ------------------------------------------------------------ wpt: base64

function runBase64(rt) {
  const { atob } = rt.ctx;
  let pass = 0, fail = 0;
  const failures = [];
  for (const [input, bytes] of readJSON('base64.json')) {
    let got;
    try { got = atob(input); } catch (e) { got = e.name === 'InvalidCharacterError' ? null : `threw ${e.name}`; }
    const want = bytes === null ? null : String.fromCharCode(...bytes);
    if (got === want) pass++;
    else { fail++; failures.push(`${show(input)}: got ${show(got)} want ${show(want)}`); }
  }
  report('base64.json', pass, fail, failures);
}

// ------------------------------------------------------------ own asserts

// Assertions live in unit.js (and blob.js) and run inside the context (so instanceof,
// TypeError and friends are that realm's). They report through `__report`.
function runUnit(rt, file) {
  const src = fs.readFileSync(path.join(__dirname, file), 'utf8');
  const results = [];
  rt.ctx.__report = (name, ok, msg) => results.push({ name, ok, msg });
  rt.ctx.__internal = rt.internal;
  rt.ctx.__natives = rt.natives;
  const done = vm.runInContext(src, rt.ctx, { filename: file });
  return Promise.resolve(done).then(() => {
    const failures = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.msg}`);
    report(file, results.length - failures.length, failures.length, failures);
  });
}

// ------------------------------------------------------------ main

module.exports = { loadRuntime, FAKE_NATIVES_SRC };

if (require.main === module) (async () => {
  for (const withNatives of [false, true]) {
    const rt = loadRuntime(withNatives);
    section(`${withNatives ? 'with fake natives' : 'no natives (pure JS)'}: ${rt.files.join(', ')}`);
    if (!wptDir) console.log('wpt data not found: skipping wpt vectors');
    else {
      if (rt.ctx.URL) {
        runURLTestData(rt, 'urltestdata.json');
        runURLTestData(rt, 'urltestdata-javascript-only.json');
        runSetters(rt);
        runToASCII(rt);
        runIdna(rt);
      }
      if (rt.ctx.atob) runBase64(rt);
    }
    for (const file of ['unit.js', 'blob.js']) if (fs.existsSync(path.join(__dirname, file))) await runUnit(rt, file);
  }
  console.log(totalFail ? `\n${totalFail} failure(s)` : '\nall passed');
  process.exitCode = totalFail ? 1 : 0;
})();
