#!/usr/bin/env node
// Micro-benchmark of the per-request JS path: internal.dispatch ->
// makeRequest -> handler -> responseParts -> natives.done.
//
//   node [--no-opt --no-sparkplug --max-lazy] shim/js/test/bench.js [--dir DIR] [--n N] [--contexts K] [--shapes a,b]
//
// With `--no-opt --no-sparkplug --max-lazy` everything runs in Ignition, the
// way the runtime's JS mostly runs when many tenants each have an isolate
// that sees few requests. Default flags show the hot, optimised case.
// `--dir` loads another copy of the runtime files (e.g. the previous
// version) to compare; `--contexts K` spreads the requests round-robin over K
// runtime instances (separate feedback, less warm than one hot context).
'use strict';

const path = require('path');
const vm = require('vm');
const { loadRuntime } = require('./run-node.js');

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i === -1 ? def : argv[i + 1]; };
const dir = path.resolve(opt('--dir', path.resolve(__dirname, '..')));
const N = Number(opt('--n', 200000));
const K = Number(opt('--contexts', 1));
const shapes = opt('--shapes', 'text,json,url,post').split(',');

// Stub natives, in the runtime's realm: done/fail keep the last outcome,
// headers() returns a fresh list per call as the C++ Pairs() does.
const STUBS = `(function (natives) {
  const out = { parts: null, error: null, done: 0, failed: 0 };
  natives.done = function done(id, parts) { out.parts = parts; out.done++; };
  natives.fail = function fail(id, error) { out.error = error; out.failed++; };
  natives.headers = function headers(id) {
    return ['Host', 'example.com', 'User-Agent', 'bench/1.0', 'Accept', '*/*',
            'Accept-Encoding', 'gzip, br', 'X-Forwarded-For', '10.0.0.1'];
  };
  natives.log = function log() {};
  natives.now = function now() { return 0; };
  natives.hrnow = function hrnow() { return 0; };
  return out;
})`;

// User code, compiled in the runtime's realm like a function's script.
const HANDLERS = `({
  text: { fetch(request, env, ctx) { return new Response('Hello, world!'); } },
  json: { fetch(request, env, ctx) { return Response.json({ ok: true, n: 1, who: 'bench' }); } },
  url: { fetch(request, env, ctx) {
    const ua = request.headers.get('user-agent');
    const q = new URL(request.url).searchParams.get('q');
    return new Response('q=' + q + ' ua=' + ua);
  } },
  post: { async fetch(request, env, ctx) {
    const o = await request.json();
    return Response.json({ got: o.a, k: env.K });
  } },
})`;

const RUNNER = `(function (dispatch, handler, n, id0, method, url, body, env) {
  for (let i = 0; i < n; i++) dispatch(handler, id0 + i, method, url, body, env);
})`;

const SHAPES = {
  text: { method: 'GET', url: 'http://example.com/', body: null, env: [],
    want: '{"status":200,"statusText":"","headers":["content-type","text/plain;charset=UTF-8"],"body":"Hello, world!"}' },
  json: { method: 'GET', url: 'http://example.com/api', body: null, env: [],
    want: '{"status":200,"statusText":"","headers":["content-type","application/json"],"body":"{\\"ok\\":true,\\"n\\":1,\\"who\\":\\"bench\\"}"}' },
  url: { method: 'GET', url: 'http://example.com/search?q=edge&page=2', body: null, env: [],
    want: '{"status":200,"statusText":"","headers":["content-type","text/plain;charset=UTF-8"],"body":"q=edge ua=bench/1.0"}' },
  post: { method: 'POST', url: 'http://example.com/in', body: 'utf8', env: ['K', 'v'],
    want: '{"status":200,"statusText":"","headers":["content-type","application/json"],"body":"{\\"got\\":1,\\"k\\":\\"v\\"}"}' },
};

const instances = [];
for (let k = 0; k < K; k++) {
  const rt = loadRuntime(true, dir);
  const out = vm.runInContext(STUBS, rt.ctx)(rt.natives);
  const handlers = vm.runInContext(HANDLERS, rt.ctx);
  const run = vm.runInContext(RUNNER, rt.ctx);
  const body = vm.runInContext('new TextEncoder().encode(\'{"a":1}\')', rt.ctx);
  instances.push({ rt, out, handlers, run, body });
}

const tick = () => new Promise(setImmediate);
const BATCH = 100;

// n requests of one shape, BATCH at a time per instance (round-robin), with
// the microtask queue drained between batches as the engine does per request.
async function runShape(name, n) {
  const s = SHAPES[name];
  let id = 1;
  for (let done = 0; done < n;) {
    for (const inst of instances) {
      const body = s.body === null ? null : inst.body;
      inst.run(inst.rt.internal.dispatch, inst.handlers[name], BATCH, id, s.method, s.url, body, s.env);
      id += BATCH;
      done += BATCH;
    }
    await tick();
  }
}

(async () => {
  const flags = process.execArgv.join(' ') || '(default flags)';
  console.log(`# ${dir}  contexts=${K}  n=${N}  ${flags}`);
  for (const name of shapes) {
    await runShape(name, Math.max(2000, BATCH * K * 4)); // warm-up: bytecode + feedback, like the snapshot's
    for (const inst of instances) {
      const got = JSON.stringify(inst.out.parts);
      if (inst.out.failed || got !== SHAPES[name].want) {
        throw new Error(`${name}: wrong outcome ${got} ${inst.out.error && inst.out.error.stack}`);
      }
    }
    const times = [];
    for (let rep = 0; rep < 3; rep++) {
      const t0 = process.hrtime.bigint();
      await runShape(name, N);
      times.push(Number(process.hrtime.bigint() - t0) / N);
      if (process.env.BENCH_MEM) console.log(`  heap ${process.memoryUsage().heapUsed >> 20} MB`);
    }
    times.sort((a, b) => a - b);
    console.log(`${name.padEnd(5)} ${times[0].toFixed(0).padStart(6)} ns/req (best of 3; runs ${times.map((t) => t.toFixed(0)).join(' ')})`);
  }
})().catch((e) => { console.error(e); process.exitCode = 1; });
