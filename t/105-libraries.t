# Parts of the runtime compiled on first use (shim/js/lib/, the libraries):
# their globals are there before they load, with the same shape, and they
# work with the built-ins of the snapshot whatever a function did to the
# globals before touching them.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: every global of a library is a non-enumerable, writable, configurable data property before and after it loads
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
const NAMES = ['crypto', 'Crypto', 'SubtleCrypto', 'CryptoKey', 'Event', 'CustomEvent', 'ErrorEvent',
  'AbortController', 'AbortSignal', 'structuredClone', 'navigator', 'Navigator', 'TextEncoderStream',
  'TextDecoderStream', 'CompressionStream', 'DecompressionStream', 'ReadableStream', 'WritableStream',
  'TransformStream'];
const shape = (name) => {
  const d = Object.getOwnPropertyDescriptor(globalThis, name);
  return `${'value' in d}${d.writable}${d.enumerable}${d.configurable}${typeof d.value}`;
};
export default { fetch() {
  const listed = Object.keys(globalThis).filter((k) => NAMES.includes(k));
  const all = Object.getOwnPropertyNames(globalThis);
  const out = NAMES.map((n) => `${n} ${all.includes(n)} ${shape(n)} ${shape(n) === shape(n)}`);
  out.push(`same: ${crypto === globalThis.crypto} ${AbortSignal === globalThis.AbortSignal}`);
  out.push(`listed: ${listed.length}`);
  return new Response(out.join('\n'));
} };
--- request
GET /a
--- response_body chomp
crypto true truetruefalsetrueobject true
Crypto true truetruefalsetruefunction true
SubtleCrypto true truetruefalsetruefunction true
CryptoKey true truetruefalsetruefunction true
Event true truetruefalsetruefunction true
CustomEvent true truetruefalsetruefunction true
ErrorEvent true truetruefalsetruefunction true
AbortController true truetruefalsetruefunction true
AbortSignal true truetruefalsetruefunction true
structuredClone true truetruefalsetruefunction true
navigator true truetruefalsetrueobject true
Navigator true truetruefalsetruefunction true
TextEncoderStream true truetruefalsetruefunction true
TextDecoderStream true truetruefalsetruefunction true
CompressionStream true truetruefalsetruefunction true
DecompressionStream true truetruefalsetruefunction true
ReadableStream true truetruefalsetruefunction true
WritableStream true truetruefalsetruefunction true
TransformStream true truetruefalsetruefunction true
same: true true
listed: 0
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: a global of a library assigned or deleted before it was read stays so; the library's other globals still load
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
globalThis.structuredClone = undefined;
globalThis.crypto = 'mine';
delete globalThis.AbortController;
export default { fetch() {
  const signal = AbortSignal.abort('why');
  return new Response([crypto, typeof AbortController, 'AbortController' in globalThis, structuredClone,
    typeof SubtleCrypto, signal.aborted, signal.reason].join(' '));
} };
--- request
GET /a
--- response_body: mine undefined false  function true why
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: the libraries use the built-ins of the snapshot: replacing the globals' members before the first touch changes nothing (but web-streams-polyfill's, see 25-streams.js)
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
// what this file itself needs, taken before everything is replaced
const hex = (b) => Array.prototype.map.call(new Uint8Array(b), (x) => (x < 16 ? '0' : '') + x.toString(16)).join('');
const bytes = new TextEncoder().encode('abc');
const RealPromise = Promise;
const RealDecoder = TextDecoder;
const boom = () => { throw new Error('a replaced built-in was called'); };
for (const [o, keys] of [
  [Object, ['create', 'defineProperty', 'freeze', 'getOwnPropertyDescriptor', 'getPrototypeOf',
    'setPrototypeOf', 'keys', 'values']],
  [Reflect, ['apply', 'defineProperty', 'ownKeys', 'getOwnPropertyDescriptor', 'construct', 'deleteProperty']],
  [JSON, ['parse', 'stringify']],
  [Promise, ['resolve', 'reject', 'all']],
  [String, ['fromCharCode']],
  [String.prototype, ['charCodeAt']],
  [Number, ['isFinite']],
  [Math, ['trunc', 'max']],
  [ArrayBuffer, ['isView']],
  [Map.prototype, ['forEach']],
]) {
  for (const k of keys) o[k] = boom;
}
for (const k of ['Int16Array', 'Uint16Array', 'Symbol', 'RangeError', 'TextDecoder']) {
  globalThis[k] = boom;
}
export default { async fetch() {
  const out = [];
  out.push(hex(await crypto.subtle.digest('SHA-256', bytes)));
  const key = await crypto.subtle.importKey('jwk', { kty: 'oct', k: 'AAECAwQFBgcICQoLDA0ODw', alg: 'HS256' },
    { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
  const jwk = await crypto.subtle.exportKey('jwk', key);
  out.push(`${jwk.k} ${key.algorithm.name} ${key.usages}`);
  out.push(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
  out.push(encodeURIComponent(new RealDecoder('latin1').decode(new Uint8Array([0xe9]))));
  const clone = structuredClone({ e: new DOMException('gone', 'AbortError') });
  out.push(`${clone.e instanceof DOMException} ${clone.e.name} ${clone.e.message}`);
  const signal = AbortSignal.timeout(0);
  out.push(`${signal.aborted} ${new AbortController().signal.aborted}`);
  const t = new EventTarget();
  let seen = '';
  t.addEventListener('x', (e) => { seen = `${e.type} ${e instanceof Event} ${e.detail}`; });
  t.dispatchEvent(new CustomEvent('x', { detail: 7 }));
  out.push(seen, navigator.userAgent, RealPromise === Promise);
  return new Response(out.join('\n'));
} };
--- request
GET /a
--- response_body chomp
ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
AAECAwQFBgcICQoLDA0ODw HMAC sign
true
%C3%A9
true AbortError gone
false false
x true 7
js_function
true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: the source text of the runtime and of its libraries is there for Function.prototype.toString
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
const head = (f) => String(f).split('{')[0].trim();
export default { fetch() {
  return new Response([head(Response), head(Headers.prototype.get), head(structuredClone),
    head(crypto.getRandomValues), head(Object.getOwnPropertyDescriptor(Event.prototype, 'type').get),
    head(setTimeout)].join('\n'));
} };
--- request
GET /a
--- response_body chomp
class Response
get(name)
function structuredClone(value, options = undefined)
getRandomValues(array)
get type()
function setTimeout(fn, ms = 0, ...args)
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: an exception from a listener, with no error listener on the global object, is logged without an event
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
export default { fetch() {
  const t = new EventTarget();
  t.addEventListener('x', () => { throw new TypeError('from a listener'); });
  t.dispatchEvent(new Event('x'));
  reportError(new RangeError('reported'));
  return new Response('served');
} };
--- request
GET /a
--- response_body: served
--- error_log eval
[qr/\[error\] .*Uncaught TypeError: from a listener/, qr/\[error\] .*Uncaught RangeError: reported/]
--- no_error_log
[alert]
[crit]



=== TEST 6: an error listener on the global object gets the ErrorEvent, and cancelling it keeps the log quiet
--- config
    location = /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
let seen = [];
addEventListener('error', (e) => {
  seen.push(`${e.constructor.name} ${e.message} ${e.error instanceof TypeError} ${e.cancelable}`);
  e.preventDefault();
});
export default { fetch() {
  reportError(new TypeError('reported'));
  return new Response(seen.join('\n'));
} };
--- request
GET /a
--- response_body: ErrorEvent Uncaught TypeError: reported true true
--- no_error_log
[error]
[alert]
[crit]
