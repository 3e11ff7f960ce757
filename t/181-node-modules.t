# The Node.js compatibility subset: node:buffer, node:events, node:util,
# node:util/types, node:assert, node:assert/strict (shim/node/*.js).
#
# The response bodies of TEST 1 to 14 are what Node 20 prints for the same
# function file, run under Node as
#   node --input-type=module -e "const m = await import('./F.js');
#     process.stdout.write(await (await m.default.fetch()).text())"
# except where this runtime differs on purpose:
#  - assert.ok(falsy) says `${value} == true`: Node quotes the call's source
#    code, which the runtime does not read (Node's own fallback);
#  - Buffer.allocUnsafe is zeroed memory of its own, where Node hands out
#    uninitialised memory from a pool shared by the process.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: node:X and the bare X, default and named exports, one module for both spellings
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> imports.js
import bufferDefault, { Buffer, kMaxLength, constants, atob as batob } from 'node:buffer';
import { Buffer as BareBuffer } from 'buffer';
import EventEmitter, { once, on, errorMonitor, EventEmitter as Named } from 'node:events';
import BareEvents from 'events';
import util, { inspect, format, promisify, types } from 'node:util';
import bareUtil from 'util';
import typesDefault, { isProxy } from 'node:util/types';
import assert, { strictEqual, AssertionError } from 'node:assert';
import strict, { equal as strictModuleEqual } from 'node:assert/strict';
import bareStrict from 'assert/strict';
export default { fetch() {
  const lines = [
    bufferDefault.Buffer === Buffer, BareBuffer === Buffer, kMaxLength === constants.MAX_LENGTH, typeof batob,
    EventEmitter === Named, BareEvents === EventEmitter, typeof once, typeof on, typeof errorMonitor,
    util === bareUtil, util.inspect === inspect, typeof format, typeof promisify, types === typesDefault, isProxy === types.isProxy,
    assert.strictEqual === strictEqual, assert.AssertionError === AssertionError, strict === assert.strict, bareStrict === strict,
    strictModuleEqual === assert.strictEqual, strict.strict === strict, typeof assert,
    Object.getPrototypeOf(Buffer.prototype) === Uint8Array.prototype, Buffer.from('x') instanceof Uint8Array,
  ];
  return new Response(lines.join(' '));
} };
--- request
GET /n/imports
--- response_body chomp
true true true function true true function function symbol true true function function true true true true true true true true function true true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: Buffer.from and toString in every encoding, byteLength, isEncoding, write, toJSON, inspect, concat, compare, equals
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> buf-strings.js
import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
export default { fetch() {
  const s = 'héllo wörld €𝄞';
  for (const enc of ['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii', 'ucs2', 'utf16le', 'UTF-16LE']) {
    const b = Buffer.from(s, enc);
    out(enc, b, b.toString(enc), Buffer.byteLength(s, enc), Buffer.isEncoding(enc));
  }
  out(Buffer.from('aGVsbG8=', 'base64').toString(), Buffer.from('aGVsbG8', 'base64url').toString(), Buffer.from('a-_b', 'base64'), Buffer.from(' aG\nVs bG8= junk', 'base64'));
  out(Buffer.from('48656c6c6f', 'hex').toString(), Buffer.from('48656x6c', 'hex'), Buffer.from('486', 'hex'));
  out(Buffer.from('QUJD\u0141RA==', 'base64'), Buffer.from('QUJD\u013dRA', 'base64'), Buffer.from('\u0141\u0141', 'hex'), Buffer.from('ab\u0100cd', 'base64'));
  out(Buffer.from('\ud800x'), Buffer.from([0xff, 0xc3, 0x28]).toString(), Buffer.from([0xe9, 0x80]).toString('ascii'));
  const b = Buffer.from('hello world');
  out(b.toString('utf8', 6), b.toString('hex', 0, 5), b.toString(undefined, -5, 100), b.toString('utf8', 8, 2), b.toLocaleString());
  out(b.toJSON(), JSON.stringify(Buffer.from([1, 2])), Buffer.from({ type: 'Buffer', data: [104, 105] }).toString());
  out(Buffer.from([1, 2, 3]), Buffer.from([257, -1, 3.9]), Buffer.from(new Uint16Array([258, 3])), Buffer.from(new String('str')));
  out(Buffer.byteLength(new ArrayBuffer(7)), Buffer.byteLength(new Uint32Array(2)), Buffer.byteLength('abc', 'nope'));
  out(Buffer.isEncoding('UCS-2'), Buffer.isEncoding('nope'), Buffer.isEncoding(''), Buffer.isEncoding(null));
  const w = Buffer.alloc(8);
  out(w.write('héllo'), w, w.write('€€€', 5), w.write('ab', 1, 1), w.write('6869', 6, 'hex'), w, w.write('x', 'latin1'));
  out(Buffer.alloc(60), Buffer.alloc(0), Object.assign(Buffer.from('a'), { tag: 1 }), { nested: Buffer.from('hi') });
  out(Buffer.concat([Buffer.from('ab'), new Uint8Array([99])]).toString(), Buffer.concat([Buffer.from('abc')], 2).toString(), Buffer.concat([Buffer.from('a')], 3), Buffer.concat([]));
  out(Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.compare(Buffer.from('b'), Buffer.from('a')), Buffer.compare(Buffer.from('a'), Buffer.from('a')));
  out([Buffer.from('c'), Buffer.from('a'), Buffer.from('b')].sort(Buffer.compare).map(String));
  out(Buffer.from('abc').equals(new Uint8Array([97, 98, 99])), Buffer.from('abc').equals(Buffer.from('abd')));
  out(Buffer.from('abcd').compare(Buffer.from('bc'), 0, 2, 1, 3), Buffer.from('abc').compare(Buffer.from('abcd')));
  return new Response(lines.join('\n'));
} };
--- request
GET /n/buf-strings
--- response_body chomp
"utf8" <Buffer 68 c3 a9 6c 6c 6f 20 77 c3 b6 72 6c 64 20 e2 82 ac f0 9d 84 9e> "héllo wörld €𝄞" 21 true
"utf-8" <Buffer 68 c3 a9 6c 6c 6f 20 77 c3 b6 72 6c 64 20 e2 82 ac f0 9d 84 9e> "héllo wörld €𝄞" 21 true
"hex" <Buffer > "" 7 true
"base64" <Buffer 86 59 68 c2 b9 5d> "hllowrld" 11 true
"base64url" <Buffer 86 59 68 c2 b9 5d> "hllowrld" 11 true
"latin1" <Buffer 68 e9 6c 6c 6f 20 77 f6 72 6c 64 20 ac 34 1e> "héllo wörld ¬4\u001e" 15 true
"binary" <Buffer 68 e9 6c 6c 6f 20 77 f6 72 6c 64 20 ac 34 1e> "héllo wörld ¬4\u001e" 15 true
"ascii" <Buffer 68 e9 6c 6c 6f 20 77 f6 72 6c 64 20 ac 34 1e> "hillo wvrld ,4\u001e" 15 true
"ucs2" <Buffer 68 00 e9 00 6c 00 6c 00 6f 00 20 00 77 00 f6 00 72 00 6c 00 64 00 20 00 ac 20 34 d8 1e dd> "héllo wörld €𝄞" 30 true
"utf16le" <Buffer 68 00 e9 00 6c 00 6c 00 6f 00 20 00 77 00 f6 00 72 00 6c 00 64 00 20 00 ac 20 34 d8 1e dd> "héllo wörld €𝄞" 30 true
"UTF-16LE" <Buffer 68 00 e9 00 6c 00 6c 00 6f 00 20 00 77 00 f6 00 72 00 6c 00 64 00 20 00 ac 20 34 d8 1e dd> "héllo wörld €𝄞" 30 true
"hello" "hello" <Buffer 6b ef db> <Buffer 68 65 6c 6c 6f>
"Hello" <Buffer 48 65> <Buffer 48>
<Buffer 41 42 43 01 10> <Buffer 41 42 43> <Buffer aa> <Buffer 69 b7 1d>
<Buffer ef bf bd 78> "��(" "i\u0000"
"world" "68656c6c6f" "hello world" "" "hello world"
{
  type: 'Buffer',
  data: [
    104, 101, 108, 108,
    111,  32, 119, 111,
    114, 108, 100
  ]
} "{\"type\":\"Buffer\",\"data\":[1,2]}" "hi"
<Buffer 01 02 03> <Buffer 01 ff 03> <Buffer 02 03> <Buffer 73 74 72>
7 8 3
true false false false
6 <Buffer 78 61 a9 6c 6c e2 68 69> 3 1 2 <Buffer 78 61 a9 6c 6c e2 68 69> 1
<Buffer 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ... 10 more bytes> <Buffer > <Buffer 61, tag: 1> { nested: <Buffer 68 69> }
"abc" "ab" <Buffer 61 00 00> <Buffer >
-1 1 0
[ 'a', 'b', 'c' ]
true false
0 -1
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: Buffers share memory with their ArrayBuffer, slices and subarrays; copies do not; allocUnsafe is zeroed and pooled with nothing
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> buf-memory.js
import { Buffer, kMaxLength, kStringMaxLength, constants, INSPECT_MAX_BYTES } from 'node:buffer';
import { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
export default { fetch() {
  const ab = new ArrayBuffer(8);
  const view = Buffer.from(ab, 2, 4);
  view[0] = 7;
  out(new Uint8Array(ab)[2], view.length, view.byteOffset, view.buffer === ab, Buffer.from(ab).length, Buffer.from(ab, 6).length);
  const u8 = new Uint8Array([1, 2, 3]);
  const copy = Buffer.from(u8);
  copy[0] = 9;
  const copy2 = Buffer.from(copy);
  copy2[1] = 9;
  out(u8[0], copy[1], copy.buffer === u8.buffer);
  const b = Buffer.from('hello');
  const s = b.slice(1, 3);
  const sub = b.subarray(-2);
  s[0] = 69;
  sub[1] = 79;
  out(b.toString(), s.toString(), sub.toString(), s.buffer === b.buffer, b.slice(3, 1).length, b.subarray('1', '3').toString());
  out(b.map((x) => x + 1) instanceof Buffer, Buffer.isBuffer(b.subarray(1)), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('x'));
  const u = Buffer.allocUnsafe(100);
  const us = Buffer.allocUnsafeSlow(100);
  out(u.every((x) => x === 0), u.byteOffset, u.buffer.byteLength, us.every((x) => x === 0), us.buffer.byteLength);
  out(Buffer.alloc(5, 'ab'), Buffer.alloc(4, 'aGk=', 'base64'), Buffer.alloc(3, 0x101), Buffer.alloc(2, 'é', 'latin1'), Buffer.alloc(1.5));
  out(kMaxLength, kStringMaxLength, constants, INSPECT_MAX_BYTES, Buffer.poolSize);
  out(Buffer.of(1, 2, 300), Buffer.from([1, 2, 3, 4]).swap16(), Buffer.from([1, 2, 3, 4]).swap32(), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]).swap64());
  const target = Buffer.alloc(6);
  out(Buffer.from('abcdef').copy(target, 1, 2, 4), target, Buffer.from('xy').copy(target, 5), target, Buffer.from('z').copy(target, 10));
  const overlap = Buffer.from('abcdef');
  overlap.copy(overlap, 2, 0, 4);
  out(overlap.toString());
  return new Response(lines.join('\n'));
} };
--- request
GET /n/buf-memory
--- response_body chomp
7 4 2 true 8 2
1 2 false
"hEllO" "El" "lO" true 0 "El"
true true false false
true 0 100 true 100
<Buffer 61 62 61 62 61> <Buffer 68 69 68 69> <Buffer 01 01 01> <Buffer e9 e9> <Buffer 00>
4294967296 536870888 { MAX_LENGTH: 4294967296, MAX_STRING_LENGTH: 536870888 } 50 8192
<Buffer 01 02 2c> <Buffer 02 01 04 03> <Buffer 04 03 02 01> <Buffer 08 07 06 05 04 03 02 01>
2 <Buffer 00 63 64 00 00 78> 1 <Buffer 00 63 64 00 00 78> 0
"ababcd"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: Buffer reads and writes of every width: (U)Int8/16/32, (U)IntLE/BE of 1 to 6 bytes, BigInt64, Float, Double, both byte orders
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> buf-numbers.js
import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
export default { fetch() {
  const b = Buffer.alloc(16);
  out(b.writeUInt8(255, 0), b.writeInt8(-2, 1), b.writeUInt16LE(0x1234, 2), b.writeUInt16BE(0x1234, 4), b.writeInt16LE(-2, 6), b.writeInt16BE(-3, 8), b);
  out(b.readUInt8(0), b.readInt8(1), b.readUInt16LE(2), b.readUInt16BE(4), b.readInt16LE(6), b.readInt16BE(8), b.readUint16LE(2));
  out(b.writeUInt32LE(0xdeadbeef, 0), b.writeUInt32BE(0xdeadbeef, 4), b.writeInt32LE(-5, 8), b.writeInt32BE(-6, 12), b);
  out(b.readUInt32LE(0), b.readUInt32BE(4), b.readInt32LE(8), b.readInt32BE(12), b.readUint32BE(4));
  for (let n = 1; n <= 6; n++) {
    const v = 2 ** (8 * n - 1) - 3;
    const c = Buffer.alloc(8);
    out(n, c.writeUIntLE(v, 0, n), c.readUIntLE(0, n), c.writeUIntBE(v, 1, n), c.readUIntBE(1, n), c.writeIntLE(-v, 0, n), c.readIntLE(0, n), c.writeIntBE(-v, 2, n), c.readIntBE(2, n), c);
  }
  const big = Buffer.alloc(16);
  out(big.writeBigInt64LE(-2n, 0), big.writeBigUInt64BE(2n ** 64n - 1n, 8), big, big.readBigInt64LE(0), big.readBigUInt64LE(0), big.readBigUInt64BE(8), big.readBigInt64BE(8), big.readBigUint64LE(0));
  const f = Buffer.alloc(12);
  out(f.writeFloatLE(1.5, 0), f.writeFloatBE(-0.1, 4), f.writeDoubleLE(Math.PI, 4), f, f.readFloatLE(0), f.readDoubleLE(4), f.readFloatBE(0), f.readDoubleBE(4));
  out(f.writeDoubleBE('x', 0), f.readDoubleBE(0), f.writeFloatLE(Infinity, 8), f.readFloatLE(8));
  const h = Buffer.alloc(6);
  h.writeIntBE(-1.5, 0, 6);
  out(h, h.writeUInt16LE(1.9), h, h.writeUInt8('7'), h);
  out(Buffer.from([0x80, 0]).readInt16LE(), Buffer.alloc(6, 0xff).readIntBE(0, 6), Buffer.alloc(6, 0xff).readUIntLE(0, 6), Buffer.from('ab').readUInt16LE());
  return new Response(lines.join('\n'));
} };
--- request
GET /n/buf-numbers
--- response_body chomp
1 2 4 6 8 10 <Buffer ff fe 34 12 12 34 fe ff ff fd 00 00 00 00 00 00>
255 -2 4660 4660 -2 -3 4660
4 8 12 16 <Buffer ef be ad de de ad be ef fb ff ff ff ff ff ff fa>
3735928559 3735928559 -5 -6 3735928559
1 1 125 2 125 1 -125 3 -125 <Buffer 83 7d 83 00 00 00 00 00>
2 2 32765 3 32765 2 -32765 4 -32765 <Buffer 03 80 80 03 00 00 00 00>
3 3 8388605 4 8388605 3 -8388605 5 -8388605 <Buffer 03 00 80 00 03 00 00 00>
4 4 2147483645 5 2147483645 4 -2147483645 6 -2147483645 <Buffer 03 00 80 00 00 03 00 00>
5 5 549755813885 6 549755813885 5 -549755813885 7 -549755813885 <Buffer 03 00 80 00 00 00 03 00>
6 6 140737488355325 7 140737488355325 6 -140737488355325 8 -140737488355325 <Buffer 03 00 80 00 00 00 00 03>
8 16 <Buffer fe ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff> -2n 18446744073709551614n 18446744073709551615n -1n 18446744073709551614n
4 8 12 <Buffer 00 00 c0 3f 18 2d 44 54 fb 21 09 40> 1.5 3.141592653589793 6.896490392174587e-41 3.207375630676366e-192
8 NaN 12 Infinity
<Buffer 07 00 ff ff ff ff> 2 <Buffer 07 00 ff ff ff ff> 1 <Buffer 07 00 ff ff ff ff>
128 -1 281474976710655 25185
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: Buffer indexOf, lastIndexOf, includes (offsets, encodings, UTF-16 alignment) and fill (strings, buffers, numbers, ranges)
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> buf-search.js
import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
export default { fetch() {
  const b = Buffer.from('abcabc€');
  out(b.indexOf('bc'), b.indexOf('bc', 2), b.indexOf('bc', -3), b.indexOf('€'), b.indexOf(Buffer.from('ca')), b.indexOf(99), b.indexOf(99 + 256), b.indexOf('zz'));
  out(b.lastIndexOf('bc'), b.lastIndexOf('bc', 3), b.lastIndexOf('bc', -6), b.lastIndexOf(97), b.lastIndexOf(97, -7), b.lastIndexOf(''), b.indexOf(''), b.indexOf('', 100));
  out(b.includes('cab'), b.includes('cab', 3), b.includes(Buffer.from('€')), b.indexOf('6263', 'hex'), b.indexOf('YmM=', 'base64'), b.indexOf('b', 'latin1'), b.indexOf('bc', 1.9));
  t('offset string is an encoding', () => b.indexOf('bc', '2'));
  const u = Buffer.from('xa\u0000b\u0000', 'latin1');
  const odd = Buffer.from('abcde');
  out(odd.indexOf('', 5, 'ucs2'), odd.lastIndexOf('', -1, 'ucs2'), odd.indexOf(Buffer.alloc(0), 5, 'ucs2'), odd.lastIndexOf(''), odd.indexOf('', -2));
  out(Buffer.from('a\u0000b\u0000', 'latin1').indexOf('b', 0, 'ucs2'), u.indexOf('b', 0, 'ucs2'), Buffer.from('abab', 'ucs2').lastIndexOf('b', undefined, 'ucs2'));
  out(Buffer.alloc(6).fill('abc', 1), Buffer.alloc(5).fill('\u0101'), Buffer.alloc(5).fill('aGk=', 'base64'), Buffer.alloc(5).fill(Buffer.from([1, 2])), Buffer.alloc(3).fill(true));
  out(Buffer.alloc(4).fill(-1), Buffer.alloc(4).fill(1.7), Buffer.alloc(4).fill('ab', 1, 3), Buffer.alloc(4).fill('é', 'latin1'), Buffer.alloc(5).fill('\u20ac'), Buffer.alloc(4).fill(''), Buffer.alloc(4).fill(300));
  out(Buffer.alloc(3).fill(new Uint16Array([0x0102])), Buffer.alloc(6).fill('ab', 'ucs2'), Buffer.alloc(4).fill('x', 4), Buffer.alloc(4).fill('x', 2, 2));
  return new Response(lines.join('\n'));
} };
--- request
GET /n/buf-search
--- response_body chomp
1 4 -1 6 2 2 2 -1
4 1 1 3 0 9 0 9
true false true 1 1 1 1
"offset string is an encoding" "threw" "TypeError" "ERR_UNKNOWN_ENCODING" "Unknown encoding: 2"
4 3 5 5 3
2 -1 6
<Buffer 00 61 62 63 61 62> <Buffer c4 81 c4 81 c4> <Buffer 68 69 68 69 68> <Buffer 01 02 01 02 01> <Buffer 01 01 01>
<Buffer ff ff ff ff> <Buffer 01 01 01 01> <Buffer 00 61 62 00> <Buffer e9 e9 e9 e9> <Buffer e2 82 ac e2 82> <Buffer 00 00 00 00> <Buffer 2c 2c 2c 2c>
<Buffer 02 01 02> <Buffer 61 00 62 00 61 00> <Buffer 00 00 00 00> <Buffer 00 00 00 00>
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: Buffer errors: wrong types are TypeErrors, bad offsets and values RangeErrors, each with Node's code and message
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> buf-errors.js
import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
export default { fetch() {
  t('from number', () => Buffer.from(5));
  t('from null', () => Buffer.from(null));
  t('from object', () => Buffer.from({}));
  t('from symbol', () => Buffer.from(Symbol('s')));
  t('unknown encoding', () => Buffer.from('abc', 'nope'));
  t('toString encoding', () => Buffer.from('abc').toString('nope'));
  t('toString null', () => Buffer.from('abc').toString(null));
  t('alloc string', () => Buffer.alloc('1'));
  t('alloc negative', () => Buffer.alloc(-1));
  t('alloc NaN', () => Buffer.alloc(NaN));
  t('alloc huge', () => Buffer.alloc(2 ** 33));
  t('allocUnsafe huge', () => Buffer.allocUnsafe(2 ** 32 + 1));
  t('offset outside', () => Buffer.from(new ArrayBuffer(4), 5));
  t('length outside', () => Buffer.from(new ArrayBuffer(4), 1, 4));
  t('read past end', () => Buffer.alloc(3).readUInt8(3));
  t('read negative', () => Buffer.alloc(3).readUInt16LE(-1));
  t('read fraction', () => Buffer.alloc(3).readUInt8(1.5));
  t('read string offset', () => Buffer.alloc(3).readUInt8('1'));
  t('read too small', () => Buffer.alloc(3).readUInt32LE(0));
  t('read empty', () => Buffer.alloc(0).readInt8(0));
  t('read big past end', () => Buffer.alloc(8).readBigUInt64LE(1));
  t('read byteLength', () => Buffer.alloc(8).readUIntLE(0, 7));
  t('read no byteLength', () => Buffer.alloc(8).readIntBE(0));
  t('read no offset', () => Buffer.alloc(8).readUIntLE());
  t('write uint8 range', () => Buffer.alloc(3).writeUInt8(256));
  t('write int8 range', () => Buffer.alloc(3).writeInt8(-129));
  t('write uint32 range', () => Buffer.alloc(8).writeUInt32LE(2 ** 32));
  t('write int40 range', () => Buffer.alloc(8).writeIntLE(2 ** 40, 0, 5));
  t('write uint48 range', () => Buffer.alloc(8).writeUIntBE(-1, 0, 6));
  t('write past end', () => Buffer.alloc(3).writeUInt16BE(1, 2));
  t('write float past end', () => Buffer.alloc(8).writeFloatLE(1, 5));
  t('write bigint range', () => Buffer.alloc(8).writeBigInt64LE(2n ** 63n));
  t('write biguint range', () => Buffer.alloc(8).writeBigUInt64BE(-1n));
  t('write bigint number', () => Buffer.alloc(8).writeBigInt64LE(1));
  t('write offset type', () => Buffer.alloc(8).writeUInt8(1, 'x'));
  t('swap16', () => Buffer.alloc(3).swap16());
  t('swap64', () => Buffer.alloc(4).swap64());
  t('write number', () => Buffer.alloc(3).write(5));
  t('write offset', () => Buffer.alloc(3).write('abc', 4));
  t('write length', () => Buffer.alloc(3).write('abc', 1, 10));
  t('write encoding', () => Buffer.alloc(3).write('abc', 'nope'));
  t('concat list', () => Buffer.concat('x'));
  t('concat item', () => Buffer.concat([Buffer.alloc(1), 'x']));
  t('concat length', () => Buffer.concat([Buffer.alloc(1)], -1));
  t('compare', () => Buffer.compare(1, Buffer.alloc(1)));
  t('compare target', () => Buffer.alloc(1).compare('x'));
  t('compare range', () => Buffer.alloc(1).compare(Buffer.alloc(1), 0, 5));
  t('equals', () => Buffer.alloc(1).equals([0]));
  t('copy target', () => Buffer.alloc(1).copy(1));
  t('copy targetStart', () => Buffer.alloc(1).copy(Buffer.alloc(1), -1));
  t('copy sourceStart', () => Buffer.alloc(2).copy(Buffer.alloc(1), 0, 5));
  t('fill hex', () => Buffer.alloc(4).fill('zz', 'hex'));
  t('fill empty buffer', () => Buffer.alloc(4).fill(Buffer.alloc(0)));
  t('fill end', () => Buffer.alloc(4).fill('a', 0, 5));
  t('fill offset', () => Buffer.alloc(4).fill(1, -1));
  t('fill encoding type', () => Buffer.alloc(4).fill('a', 0, 2, 5));
  t('fill encoding', () => Buffer.alloc(4).fill('a', 'nope'));
  t('indexOf value', () => Buffer.alloc(4).indexOf({}));
  t('indexOf encoding', () => Buffer.alloc(4).indexOf('a', 0, 'nope'));
  t('byteLength', () => Buffer.byteLength(5));
  t('copyBytesFrom', () => Buffer.copyBytesFrom([1, 2]));
  return new Response(lines.join('\n'));
} };
--- request
GET /n/buf-errors
--- response_body chomp
"from number" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received type number (5)"
"from null" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received null"
"from object" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received an instance of Object"
"from symbol" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received type symbol (Symbol(s))"
"unknown encoding" "threw" "TypeError" "ERR_UNKNOWN_ENCODING" "Unknown encoding: nope"
"toString encoding" "threw" "TypeError" "ERR_UNKNOWN_ENCODING" "Unknown encoding: nope"
"toString null" "threw" "TypeError" "ERR_UNKNOWN_ENCODING" "Unknown encoding: null"
"alloc string" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"size\" argument must be of type number. Received type string ('1')"
"alloc negative" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"size\" is out of range. It must be >= 0 && <= 4294967296. Received -1"
"alloc NaN" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"size\" is out of range. It must be >= 0 && <= 4294967296. Received NaN"
"alloc huge" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"size\" is out of range. It must be >= 0 && <= 4294967296. Received 8_589_934_592"
"allocUnsafe huge" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"size\" is out of range. It must be >= 0 && <= 4294967296. Received 4_294_967_297"
"offset outside" "threw" "RangeError" "ERR_BUFFER_OUT_OF_BOUNDS" "\"offset\" is outside of buffer bounds"
"length outside" "threw" "RangeError" "ERR_BUFFER_OUT_OF_BOUNDS" "\"length\" is outside of buffer bounds"
"read past end" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"offset\" is out of range. It must be >= 0 and <= 2. Received 3"
"read negative" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"offset\" is out of range. It must be >= 0 and <= 1. Received -1"
"read fraction" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"offset\" is out of range. It must be an integer. Received 1.5"
"read string offset" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"offset\" argument must be of type number. Received type string ('1')"
"read too small" "threw" "RangeError" "ERR_BUFFER_OUT_OF_BOUNDS" "Attempt to access memory outside buffer bounds"
"read empty" "threw" "RangeError" "ERR_BUFFER_OUT_OF_BOUNDS" "Attempt to access memory outside buffer bounds"
"read big past end" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"offset\" is out of range. It must be >= 0 and <= 0. Received 1"
"read byteLength" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"byteLength\" is out of range. It must be >= 1 and <= 6. Received 7"
"read no byteLength" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"byteLength\" argument must be of type number. Received undefined"
"read no offset" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"offset\" argument must be of type number. Received undefined"
"write uint8 range" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"value\" is out of range. It must be >= 0 and <= 255. Received 256"
"write int8 range" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"value\" is out of range. It must be >= -128 and <= 127. Received -129"
"write uint32 range" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"value\" is out of range. It must be >= 0 and <= 4294967295. Received 4294967296"
"write int40 range" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"value\" is out of range. It must be >= -(2 ** 39) and < 2 ** 39. Received 1_099_511_627_776"
"write uint48 range" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"value\" is out of range. It must be >= 0 and < 2 ** 48. Received -1"
"write past end" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"offset\" is out of range. It must be >= 0 and <= 1. Received 2"
"write float past end" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"offset\" is out of range. It must be >= 0 and <= 4. Received 5"
"write bigint range" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"value\" is out of range. It must be >= -(2n ** 63n) and < 2n ** 63n. Received 9_223_372_036_854_775_808n"
"write biguint range" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"value\" is out of range. It must be >= 0n and < 2n ** 64n. Received -1n"
"write bigint number" "threw" "TypeError" undefined "Cannot mix BigInt and other types, use explicit conversions"
"write offset type" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"offset\" argument must be of type number. Received type string ('x')"
"swap16" "threw" "RangeError" "ERR_INVALID_BUFFER_SIZE" "Buffer size must be a multiple of 16-bits"
"swap64" "threw" "RangeError" "ERR_INVALID_BUFFER_SIZE" "Buffer size must be a multiple of 64-bits"
"write number" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "argument must be a string"
"write offset" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"offset\" is out of range. It must be >= 0 && <= 3. Received 4"
"write length" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"length\" is out of range. It must be >= 0 && <= 3. Received 10"
"write encoding" "threw" "TypeError" "ERR_UNKNOWN_ENCODING" "Unknown encoding: nope"
"concat list" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"list\" argument must be an instance of Array. Received type string ('x')"
"concat item" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"list[1]\" argument must be an instance of Buffer or Uint8Array. Received type string ('x')"
"concat length" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"length\" is out of range. It must be >= 0 && <= 4294967296. Received -1"
"compare" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"buf1\" argument must be an instance of Buffer or Uint8Array. Received type number (1)"
"compare target" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"target\" argument must be an instance of Buffer or Uint8Array. Received type string ('x')"
"compare range" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"targetEnd\" is out of range. It must be >= 0 && <= 1. Received 5"
"equals" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"otherBuffer\" argument must be an instance of Buffer or Uint8Array. Received an instance of Array"
"copy target" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"target\" argument must be an instance of Buffer or Uint8Array. Received type number (1)"
"copy targetStart" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"targetStart\" is out of range. It must be >= 0. Received -1"
"copy sourceStart" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"sourceStart\" is out of range. It must be >= 0 && <= 2. Received 5"
"fill hex" "threw" "TypeError" "ERR_INVALID_ARG_VALUE" "The argument 'value' is invalid. Received 'zz'"
"fill empty buffer" "threw" "TypeError" "ERR_INVALID_ARG_VALUE" "The argument 'value' is invalid. Received <Buffer >"
"fill end" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"end\" is out of range. It must be >= 0 && <= 4. Received 5"
"fill offset" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"offset\" is out of range. It must be >= 0 && <= 4294967296. Received -1"
"fill encoding type" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"encoding\" argument must be of type string. Received type number (5)"
"fill encoding" "threw" "TypeError" "ERR_UNKNOWN_ENCODING" "Unknown encoding: nope"
"indexOf value" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"value\" argument must be one of type number or string or an instance of Buffer or Uint8Array. Received an instance of Object"
"indexOf encoding" "threw" "TypeError" "ERR_UNKNOWN_ENCODING" "Unknown encoding: nope"
"byteLength" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"string\" argument must be of type string or an instance of Buffer or ArrayBuffer. Received type number (5)"
"copyBytesFrom" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"view\" argument must be an instance of TypedArray. Received an instance of Array"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: EventEmitter: listener order, once, prepend, removal, newListener/removeListener, counts; an 'error' without listener throws, errorMonitor; wrong types
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> ev-basic.js
import EventEmitter from 'node:events';
import { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
export default { fetch() {
  const e = new EventEmitter();
  const log = [];
  e.on('newListener', (name, l) => log.push(`new ${String(name)} ${typeof l}`));
  e.on('removeListener', (name) => log.push(`rm ${String(name)}`));
  const a = () => log.push('a');
  const b = () => log.push('b');
  e.on('x', a);
  e.addListener('x', b);
  e.prependListener('x', () => log.push('first'));
  e.once('x', (...args) => log.push(`once ${args}`));
  e.prependOnceListener('x', () => log.push('ponce'));
  out(e.listenerCount('x'), e.listeners('x').length, e.rawListeners('x').map((f) => typeof f.listener), e.eventNames());
  out(e.emit('x', 1, 2), e.emit('x'), e.emit('nothing'), e.listenerCount('x'), e.listenerCount('x', a));
  e.off('x', a);
  e.removeListener('x', () => {});
  out(e.listenerCount('x'), e.listeners('x').length);
  e.removeAllListeners('x');
  out(e.listenerCount('x'), e.eventNames());
  e.removeAllListeners();
  out(e.eventNames(), log);
  const order = new EventEmitter();
  const seen = [];
  order.on('o', () => { seen.push(1); order.on('o', () => seen.push(3)); });
  order.on('o', function () { seen.push(this === order ? 2 : 'this?'); });
  order.emit('o');
  order.emit('o');
  out(seen);
  const sym = Symbol('s');
  const es = new EventEmitter();
  es.on(sym, (v) => out('symbol event', v));
  out(es.emit(sym, 5), es.eventNames());
  function Legacy() { EventEmitter.call(this); }
  Object.setPrototypeOf(Legacy.prototype, EventEmitter.prototype);
  const legacy = new Legacy();
  legacy.on('q', (v) => out('legacy', v));
  legacy.emit('q', 7);
  class Sub extends EventEmitter {}
  out(new Sub() instanceof EventEmitter, EventEmitter.listenerCount(legacy, 'q'), inspect(new Sub(), { depth: -1 }));
  out(new EventEmitter().getMaxListeners(), EventEmitter.defaultMaxListeners, new EventEmitter().setMaxListeners(3).getMaxListeners(), EventEmitter.getMaxListeners(new Sub()));
  out(EventEmitter.getEventListeners(legacy, 'q').length, typeof EventEmitter.captureRejectionSymbol, EventEmitter.errorMonitor.toString(), EventEmitter.captureRejections);
  t('on non-function', () => e.on('x', 1));
  t('once string', () => e.once('x', 'f'));
  t('off null', () => e.off('x', null));
  t('prependListener missing', () => e.prependListener('x'));
  t('setMaxListeners negative', () => e.setMaxListeners(-1));
  t('setMaxListeners string', () => e.setMaxListeners('1'));
  t('defaultMaxListeners', () => { EventEmitter.defaultMaxListeners = -1; });
  t('captureRejections option', () => new EventEmitter({ captureRejections: 1 }));
  t('captureRejections static', () => { EventEmitter.captureRejections = 'yes'; });
  t('error Error', () => new EventEmitter().emit('error', new TypeError('boom')));
  t('error string', () => new EventEmitter().emit('error', 'str'));
  t('error object', () => new EventEmitter().emit('error', { a: 1 }));
  t('error nothing', () => new EventEmitter().emit('error'));
  try { new EventEmitter().emit('error', 'ctx'); } catch (err) { out('context', err.context, String(err)); }
  const mon = new EventEmitter();
  mon.on(EventEmitter.errorMonitor, (err) => out('monitor saw', err));
  t('monitored', () => mon.emit('error', 'watched'));
  mon.on('error', (err) => out('handled', err));
  t('handled', () => mon.emit('error', 'caught'));
  return new Response(lines.join('\n'));
} };
--- request
GET /n/ev-basic
--- response_body chomp
5 5 [ 'function', 'undefined', 'undefined', 'undefined', 'function' ] [ 'newListener', 'removeListener', 'x' ]
true true false 3 1
2 2
0 [ 'newListener', 'removeListener' ]
[] [
  'new removeListener function',
  'new x function',
  'new x function',
  'new x function',
  'new x function',
  'new x function',
  'rm x',
  'ponce',
  'first',
  'a',
  'b',
  'rm x',
  'once 1,2',
  'first',
  'a',
  'b',
  'rm x',
  'rm x',
  'rm x',
  'rm newListener'
]
[ 1, 2, 1, 2, 3 ]
"symbol event" 5
true [ Symbol(s) ]
"legacy" 7
true 1 "[Sub]"
10 10 3 10
1 "symbol" "Symbol(events.errorMonitor)" false
"on non-function" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"listener\" argument must be of type function. Received type number (1)"
"once string" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"listener\" argument must be of type function. Received type string ('f')"
"off null" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"listener\" argument must be of type function. Received null"
"prependListener missing" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"listener\" argument must be of type function. Received undefined"
"setMaxListeners negative" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"setMaxListeners\" is out of range. It must be >= 0. Received -1"
"setMaxListeners string" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"setMaxListeners\" argument must be of type number. Received type string ('1')"
"defaultMaxListeners" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"defaultMaxListeners\" is out of range. It must be >= 0. Received -1"
"captureRejections option" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"options.captureRejections\" property must be of type boolean. Received type number (1)"
"captureRejections static" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"EventEmitter.captureRejections\" property must be of type boolean. Received type string ('yes')"
"error Error" "threw" "TypeError" undefined "boom"
"error string" "threw" "Error" "ERR_UNHANDLED_ERROR" "Unhandled error. ('str')"
"error object" "threw" "Error" "ERR_UNHANDLED_ERROR" "Unhandled error. ({ a: 1 })"
"error nothing" "threw" "Error" "ERR_UNHANDLED_ERROR" "Unhandled error. (undefined)"
"context" "ctx" "Error [ERR_UNHANDLED_ERROR]: Unhandled error. ('ctx')"
"monitor saw" "watched"
"monitored" "threw" "Error" "ERR_UNHANDLED_ERROR" "Unhandled error. ('watched')"
"monitor saw" "caught"
"handled" "caught"
"handled" true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: events: captureRejections, once() as a promise with a signal, on() as an async iterator, EventTarget, addAbortListener
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> ev-async.js
import EventEmitter, { once, on, addAbortListener } from 'node:events';
import { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
const tick = () => new Promise((r) => setTimeout(r, 1));
export default { async fetch() {
  const cap = new EventEmitter({ captureRejections: true });
  cap.on('error', (err) => out('captured', err.message));
  cap.on('evt', async () => { throw new Error('async boom'); });
  cap.emit('evt');
  const cap2 = new EventEmitter({ captureRejections: true });
  cap2[Symbol.for('nodejs.rejection')] = (err, type, ...args) => out('rejection method', err.message, type, args);
  cap2.on('evt', async () => { throw new Error('boom2'); });
  cap2.emit('evt', 7);
  await tick();
  const ee = new EventEmitter();
  setTimeout(() => ee.emit('ready', 1, 2), 1);
  out('once', await once(ee, 'ready'));
  const ee2 = new EventEmitter();
  setTimeout(() => ee2.emit('error', new Error('failed')), 1);
  try { await once(ee2, 'ready'); } catch (err) { out('once rejected', err.message, ee2.listenerCount('error'), ee2.listenerCount('ready')); }
  const ac = new AbortController();
  const pending = once(new EventEmitter(), 'never', { signal: ac.signal });
  ac.abort();
  try { await pending; } catch (err) { out('aborted', err.name, err.code, err.message); }
  try { await once(new EventEmitter(), 'x', { signal: ac.signal }); } catch (err) { out('already aborted', err.name, err.code); }
  try { await once(new EventEmitter(), 'x', { signal: 5 }); } catch (err) { out('bad signal', err.code, err.message); }
  const et = new EventTarget();
  setTimeout(() => et.dispatchEvent(new Event('ping')), 1);
  const [ev] = await once(et, 'ping');
  out('event target', ev.type);
  const it = new EventEmitter();
  setTimeout(() => { it.emit('data', 1); it.emit('data', 2, 3); it.emit('end'); }, 1);
  const got = [];
  for await (const v of on(it, 'data', { close: ['end'] })) got.push(v);
  out('on', got, it.listenerCount('data'), it.listenerCount('error'));
  const it2 = new EventEmitter();
  setTimeout(() => { it2.emit('data', 'a'); it2.emit('error', new Error('stream failed')); }, 1);
  const got2 = [];
  try { for await (const v of on(it2, 'data')) got2.push(v); } catch (err) { out('on error', got2, err.message); }
  const it3 = new EventEmitter();
  const ac3 = new AbortController();
  setTimeout(() => { it3.emit('data', 'x'); ac3.abort(); }, 1);
  try { for await (const v of on(it3, 'data', { signal: ac3.signal })) out('on3', v); } catch (err) { out('on abort', err.name, it3.listenerCount('data')); }
  const it4 = new EventEmitter();
  const iter = on(it4, 'data');
  it4.emit('data', 1);
  out(await iter.next(), await iter.return(), await iter.next(), it4.listenerCount('data'));
  const aal = new AbortController();
  addAbortListener(aal.signal, () => out('abort listener'));
  aal.abort();
  t('addAbortListener', () => addAbortListener(aal.signal, 1));
  t('on highWaterMark', () => on(new EventEmitter(), 'x', { highWaterMark: 0 }));
  return new Response(lines.join('\n'));
} };
--- request
GET /n/ev-async
--- response_body chomp
"captured" "async boom"
"rejection method" "boom2" "evt" [ 7 ]
"once" [ 1, 2 ]
"once rejected" "failed" 0 0
"aborted" "AbortError" "ABORT_ERR" "The operation was aborted"
"already aborted" "AbortError" "ABORT_ERR"
"bad signal" "ERR_INVALID_ARG_TYPE" "The \"options.signal\" property must be an instance of AbortSignal. Received type number (5)"
"event target" "ping"
"on" [ [ 1 ], [ 2, 3 ] ] 0 0
"on error" [ [ 'a' ] ] "stream failed"
"on3" [ 'x' ]
"on abort" "AbortError" 0
{ value: [ 1 ], done: false } { value: undefined, done: true } { value: undefined, done: true } 0
"abort listener"
"addAbortListener" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"listener\" argument must be of type function. Received type number (1)"
"on highWaterMark" "threw" "RangeError" "ERR_OUT_OF_RANGE" "The value of \"options.highWaterMark\" is out of range. It must be >= 1 && <= 9007199254740991. Received 0"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: EventEmitterAsyncResource: listeners run in the async context the emitter was made in (AsyncLocalStorage)
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> ev-resource.js
import { EventEmitterAsyncResource, EventEmitter } from 'node:events';
import { AsyncLocalStorage } from 'node:async_hooks';
export default { async fetch() {
  const als = new AsyncLocalStorage();
  const out = [];
  const emitter = als.run('made-here', () => new EventEmitterAsyncResource({ name: 'Feed' }));
  const plain = als.run('made-here', () => new EventEmitter());
  emitter.on('x', () => out.push(`resource sees ${als.getStore()}`));
  plain.on('x', () => out.push(`plain sees ${als.getStore()}`));
  als.run('emitted-here', () => { emitter.emit('x'); plain.emit('x'); });
  out.push(emitter instanceof EventEmitter, typeof emitter.asyncResource.runInAsyncScope);
  try { new EventEmitterAsyncResource({}); } catch (e) { out.push(e.code); }
  return new Response(out.join('\n'));
} };
--- request
GET /n/ev-resource
--- response_body chomp
resource sees made-here
plain sees emitted-here
true
function
ERR_INVALID_ARG_TYPE
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: util.inspect: primitives, objects, arrays in columns, Map/Set, errors, functions, classes, proxies, getters, circular references, options, inspect.custom
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> util-inspect.js
import util, { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
export default { fetch() {
  const show2 = (v, o) => lines.push(inspect(v, o));
  show2('a\'b'); show2('a"b\'c'); show2('a"b\'c`'); show2('\x00\x07\b\t\n\x0b\f\r\x1b\x7f\x85\x9f\xa0\ud800x\udc00');
  show2({ 'a-b': 1, $x: 2, _y: 3, '1a': 4, 12: 5, [Symbol('s')]: 6, [Symbol()]: 7 });
  show2([1, 2, 3, 4, 5, 6, 7]); show2(Array.from({ length: 30 }, (_, i) => i)); show2(Array.from({ length: 120 }, (_, i) => i * 3));
  show2(['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff', 'g']); show2({ a: { b: { c: { d: { e: 1 } } } } }); show2({ a: [1, [2, [3, [4]]]] });
  const c = { name: 'x' }; c.self = c; c.arr = [c]; show2(c);
  const d = { a: {} }; d.a.b = d.a; show2(d);
  show2(new Map([['a', 1], [{ x: 1 }, [2]]])); show2(new Set([1, 'a'])); show2(new Map()); show2(new Set());
  show2(new Date(0)); show2(new Date(NaN)); show2(/a\/b/gi); show2(Object.assign(/x/, { y: 1 }));
  show2(function foo() {}); show2(() => {}); show2(class A {}); show2(class B extends Array {}); show2(async function af() {}); show2(function* g() {}); show2(async function* ag() {});
  show2(Object.assign(function ff() {}, { x: 1 }));
  const e = new Error('boom'); e.stack = 'Error: boom\n    at foo (x.js:1:1)'; e.code = 'E1'; show2(e); show2({ e });
  const e2 = new TypeError('t'); e2.stack = 'TypeError: t'; show2(e2); show2([e2]);
  const e3 = new Error('c', { cause: 'why' }); e3.stack = 'Error: c\n    at foo (x.js:1:1)'; show2(e3);
  class MyError extends Error {} const e4 = new MyError('y'); e4.stack = 'Error: y\n    at foo'; show2(e4);
  show2(Object.create(null)); show2(Object.assign(Object.create(null), { a: 1 }));
  class Foo { constructor() { this.a = 1; } } show2(new Foo()); show2(new (class {})());
  class Bar { get [Symbol.toStringTag]() { return 'T'; } } show2(new Bar());
  show2({ get a() { return 1; }, set b(v) {}, get c() { return 1; }, set c(v) {} });
  show2({ get a() { return { x: 1 }; } }, { getters: true });
  show2([1, , 3]); show2([, ,]); show2(new Array(5)); const sp = [1]; sp[10] = 2; show2(sp);
  show2(new Uint8Array([1, 2, 3])); show2(new Float64Array(2)); show2(new BigInt64Array(2)); show2(new ArrayBuffer(3)); show2(new DataView(new ArrayBuffer(2)));
  show2(Promise.resolve(4)); show2(new Promise(() => {})); const rej = Promise.reject(new TypeError('no')); rej.catch(() => {}); rej.stack = 1;
  show2(new WeakMap()); show2(new WeakSet());
  show2(new Number(3)); show2(new String('ab')); show2(new Boolean(false)); show2(Object(Symbol('q'))); show2(Object(10n)); show2(Object.assign(new Number(-0), { p: 1 }));
  show2(new Proxy({ a: 1 }, { get() { return 5; } })); show2(new Proxy([1, 2], {})); show2(new Proxy({ a: 1 }, {}), { showProxy: true });
  const r = Proxy.revocable({}, {}); r.revoke(); show2(r.proxy);
  show2(Symbol('x')); show2(10n); show2(-0); show2([-0]); show2(1e21); show2(null); show2(undefined); show2(NaN);
  show2(new Map([[1, 2]]).entries()); show2(new Map([[1, 2]]).keys()); show2(new Set([1]).values());
  show2((function () { return arguments; })(1, 2));
  show2({ a: 'x'.repeat(100) }); show2({ s: 'line1\nline2\n'.repeat(4) });
  show2({ [inspect.custom](depth, opts, insp) { return { custom: depth, t: typeof insp, same: insp === inspect }; } });
  show2({ inner: { [inspect.custom](depth, opts) { return `CUSTOM ${depth} ${opts.depth}`; } } });
  show2({ a: 1 }, { depth: 0 }); show2({ a: { b: 1 } }, { depth: 0 }); show2([[1]], { depth: 0 }); show2(new Map([[1, { a: 1 }]]), { depth: 0 });
  show2('x'.repeat(20), { maxStringLength: 5 }); show2([1, 2, 3], { maxArrayLength: 1 }); show2(new Set([1, 2, 3]), { maxArrayLength: 0 });
  show2({ a: 1, b: { c: 2 } }, { compact: false }); show2({ b: 1, a: 2, c: { z: 1, y: 2 } }, { sorted: true });
  show2(1234567.891, { numericSeparator: true }); show2(-1234567n, { numericSeparator: true });
  show2({ a: 1, b: 'two', c: [3] }, { breakLength: 10 }); show2({ a: [1, 2] }, { compact: true });
  show2(Object.defineProperty({ v: 1 }, 'hidden', { value: 2, enumerable: false }), { showHidden: true });
  show2(inspect(new Map([[{ a: [1, { b: 2 }] }, new Set([[1, 2]])]])));
  show2(util.inspect({ a: 1 }, false, 0)); show2(Math); show2(globalThis.undefinedThing);
  show2(Array.from({ length: 10 }, (_, i) => ({ id: i, name: `n${i}` })));
  show2(Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i).repeat((i % 5) + 1)));
  show2(new Map(Array.from({ length: 10 }, (_, i) => [i, 'v'.repeat(i)])));
  show2(Object.assign(new (class Q extends Map {})([[1, 2]]), { extra: true }));
  lines.push(typeof inspect.custom, inspect.custom === Symbol.for('nodejs.util.inspect.custom'), JSON.stringify(inspect.defaultOptions));
  return new Response(lines.join('\n'));
} };
--- request
GET /n/util-inspect
--- response_body chomp
"a'b"
`a"b'c`
'a"b\'c`'
'\x00\x07\b\t\n\x0B\f\r\x1B\x7F\x85\x9F \ud800x\udc00'
{
  '12': 5,
  'a-b': 1,
  '$x': 2,
  _y: 3,
  '1a': 4,
  [Symbol(s)]: 6,
  [Symbol()]: 7
}
[
  1, 2, 3, 4,
  5, 6, 7
]
[
   0,  1,  2,  3,  4,  5,  6,  7,  8,
   9, 10, 11, 12, 13, 14, 15, 16, 17,
  18, 19, 20, 21, 22, 23, 24, 25, 26,
  27, 28, 29
]
[
    0,   3,   6,   9,  12,  15,  18,  21,  24,  27,  30,  33,
   36,  39,  42,  45,  48,  51,  54,  57,  60,  63,  66,  69,
   72,  75,  78,  81,  84,  87,  90,  93,  96,  99, 102, 105,
  108, 111, 114, 117, 120, 123, 126, 129, 132, 135, 138, 141,
  144, 147, 150, 153, 156, 159, 162, 165, 168, 171, 174, 177,
  180, 183, 186, 189, 192, 195, 198, 201, 204, 207, 210, 213,
  216, 219, 222, 225, 228, 231, 234, 237, 240, 243, 246, 249,
  252, 255, 258, 261, 264, 267, 270, 273, 276, 279, 282, 285,
  288, 291, 294, 297,
  ... 20 more items
]
[ 'a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff', 'g' ]
{ a: { b: { c: [Object] } } }
{ a: [ 1, [ 2, [Array] ] ] }
<ref *1> { name: 'x', self: [Circular *1], arr: [ [Circular *1] ] }
{ a: <ref *1> { b: [Circular *1] } }
Map(2) { 'a' => 1, { x: 1 } => [ 2 ] }
Set(2) { 1, 'a' }
Map(0) {}
Set(0) {}
1970-01-01T00:00:00.000Z
Invalid Date
/a\/b/gi
/x/ { y: 1 }
[Function: foo]
[Function (anonymous)]
[class A]
[class B extends Array]
[AsyncFunction: af]
[GeneratorFunction: g]
[AsyncGeneratorFunction: ag]
[Function: ff] { x: 1 }
Error: boom
    at foo (x.js:1:1) {
  code: 'E1'
}
{
  e: Error: boom
      at foo (x.js:1:1) {
    code: 'E1'
  }
}
[TypeError: t]
[ [TypeError: t] ]
Error: c
    at foo (x.js:1:1) {
  [cause]: 'why'
}
MyError: y
    at foo
[Object: null prototype] {}
[Object: null prototype] { a: 1 }
Foo { a: 1 }
{}
Bar [T] {}
{ a: [Getter], b: [Setter], c: [Getter/Setter] }
{ a: [Getter] { x: 1 } }
[ 1, <1 empty item>, 3 ]
[ <2 empty items> ]
[ <5 empty items> ]
[ 1, <9 empty items>, 2 ]
Uint8Array(3) [ 1, 2, 3 ]
Float64Array(2) [ 0, 0 ]
BigInt64Array(2) [ 0n, 0n ]
ArrayBuffer { [Uint8Contents]: <00 00 00>, byteLength: 3 }
DataView {
  byteLength: 2,
  byteOffset: 0,
  buffer: ArrayBuffer { [Uint8Contents]: <00 00>, byteLength: 2 }
}
Promise { 4 }
Promise { <pending> }
WeakMap { <items unknown> }
WeakSet { <items unknown> }
[Number: 3]
[String: 'ab']
[Boolean: false]
[Symbol: Symbol(q)]
[BigInt: 10n]
[Number: -0] { p: 1 }
{ a: 1 }
[ 1, 2 ]
Proxy [ { a: 1 }, {} ]
<Revoked Proxy>
Symbol(x)
10n
-0
[ -0 ]
1e+21
null
undefined
NaN
[Map Entries] { [ 1, 2 ] }
[Map Iterator] { 1 }
[Set Iterator] { 1 }
[Arguments] { '0': 1, '1': 2 }
{
  a: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
}
{ s: 'line1\nline2\nline1\nline2\nline1\nline2\nline1\nline2\n' }
{ custom: 2, t: 'function', same: true }
{ inner: CUSTOM 1 2 }
{ a: 1 }
{ a: [Object] }
[ [Array] ]
Map(1) { 1 => [Object] }
'xxxxx'... 15 more characters
[ 1, ... 2 more items ]
Set(3) { ... 3 more items }
{
  a: 1,
  b: {
    c: 2
  }
}
{ a: 2, b: 1, c: { y: 2, z: 1 } }
1_234_567.891
-1_234_567n
{
  a: 1,
  b: 'two',
  c: [
    3
  ]
}
{ a: [ 1, 2 ] }
{ v: 1, [hidden]: 2 }
'Map(1) { { a: [ 1, [Object] ] } => Set(1) { [ 1, 2 ] } }'
'{ a: 1 }'
Object [Math] {}
undefined
[
  { id: 0, name: 'n0' },
  { id: 1, name: 'n1' },
  { id: 2, name: 'n2' },
  { id: 3, name: 'n3' },
  { id: 4, name: 'n4' },
  { id: 5, name: 'n5' },
  { id: 6, name: 'n6' },
  { id: 7, name: 'n7' },
  { id: 8, name: 'n8' },
  { id: 9, name: 'n9' }
]
[
  'a',     'bb',    'ccc',   'dddd',
  'eeeee', 'f',     'gg',    'hhh',
  'iiii',  'jjjjj', 'k',     'll',
  'mmm',   'nnnn',  'ooooo', 'p',
  'qq',    'rrr',   'ssss',  'ttttt',
  'u',     'vv',    'www',   'xxxx',
  'yyyyy', 'z'
]
Map(10) {
  0 => '',
  1 => 'v',
  2 => 'vv',
  3 => 'vvv',
  4 => 'vvvv',
  5 => 'vvvvv',
  6 => 'vvvvvv',
  7 => 'vvvvvvv',
  8 => 'vvvvvvvv',
  9 => 'vvvvvvvvv'
}
Q(1) [Map] { 1 => 2, extra: true }
symbol
true
{"showHidden":false,"depth":2,"colors":false,"customInspect":true,"showProxy":false,"maxArrayLength":100,"maxStringLength":10000,"breakLength":80,"compact":3,"sorted":false,"getters":false,"numericSeparator":false}
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: util.format, formatWithOptions, promisify (custom too), callbackify, inherits, deprecate, isDeepStrictEqual, TextEncoder/TextDecoder, legacy checks
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> util-misc.js
import util, { format, formatWithOptions, promisify, callbackify, inherits, deprecate, isDeepStrictEqual, types, inspect, TextEncoder, TextDecoder } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
export default { async fetch() {
  out(format('%s %d %i %f %j %o %O %% %c|', 'str', 42.5, 42.5, '1.5', { a: 1 }, { b: [1] }, { c: 2 }, 'css'));
  out(format('%s', { a: { b: { c: 1 } } }), format('%s', [1, [2, [3]]]), format('%s', 5n), format('%d', 5n), format('%d', '0x10'), format('%i', '42.9px'));
  out(format('%s', Symbol('s')), format('%d', Symbol('s')), format('a', 'b', 1, { c: 1 }), format(1, 2), format('%s'), format('%s %s', 'a'), format('%x', 1));
  const circ = {}; circ.o = circ;
  out(format('%j', circ), format('%s', { toString() { return 'TS'; } }), format('%s', new (class X { toString() { return 'XX'; } })()), format('%s', new Date(0)));
  out(format('%s', null), format('%s', -0), format('%o', [1]), format('%O', 'str'), format('%j', undefined), format('%%s', 1), format('100%'), format());
  out(formatWithOptions({ depth: 0 }, '%O', { a: { b: 1 } }), formatWithOptions({ compact: false }, { a: 1 }));
  t('formatWithOptions', () => formatWithOptions(1, 'x'));
  const add = (a, b, cb) => setTimeout(() => (a < 0 ? cb(new RangeError('negative')) : cb(null, a + b)), 1);
  const padd = promisify(add);
  out(await padd(1, 2), padd.name, padd.length, padd[promisify.custom] === padd, promisify(padd) === padd);
  try { await padd(-1, 2); } catch (err) { out('promisify rejected', err.name, err.message); }
  const custom = () => {};
  custom[promisify.custom] = () => Promise.resolve('custom!');
  out(await promisify(custom)(), promisify.custom === Symbol.for('nodejs.util.promisify.custom'));
  function Counter() { this.n = 41; }
  Counter.prototype.get = function (cb) { cb(null, this.n + 1); };
  const counter = new Counter();
  out(await promisify(counter.get).call(counter));
  t('promisify number', () => promisify(1));
  t('promisify bad custom', () => { const f = () => {}; f[promisify.custom] = 5; return promisify(f); });
  const cbAsync = callbackify(async function twice(x) { if (x < 0) throw new TypeError('neg'); return x * 2; });
  out(cbAsync.name, cbAsync.length);
  const results = await new Promise((resolve) => {
    const got = [];
    cbAsync(21, (err, v) => {
      got.push([err, v]);
      cbAsync(-1, (err2) => {
        got.push(err2.message);
        callbackify(() => Promise.reject(null))((err3) => { got.push([err3.code, err3.message, err3.reason]); resolve(got); });
      });
    });
  });
  out(results);
  t('callbackify no callback', () => cbAsync(1));
  t('callbackify number', () => callbackify(1));
  function Animal(name) { this.name = name; }
  Animal.prototype.hello = function () { return `hi ${this.name}`; };
  function Dog(name) { Animal.call(this, name); }
  inherits(Dog, Animal);
  out(new Dog('rex').hello(), Dog.super_ === Animal, new Dog('x') instanceof Animal);
  t('inherits null ctor', () => inherits(null, Animal));
  t('inherits no prototype', () => inherits(function () {}, {}));
  const old = deprecate((x) => x + 1, 'old() is deprecated', 'DEP_TEST1');
  const old2 = deprecate(() => 0, 'old2() is deprecated', 'DEP_TEST1');
  const plain = deprecate(() => 0, 'plain is deprecated');
  out(old(1), old(2), old2(), plain(), plain());
  t('deprecate number', () => deprecate(1, 'x'));
  out(isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), isDeepStrictEqual({ a: 1 }, { a: '1' }), isDeepStrictEqual(NaN, NaN), isDeepStrictEqual(0, -0));
  out(isDeepStrictEqual(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]])), isDeepStrictEqual(new Set([[1]]), new Set([[2]])), isDeepStrictEqual([1, , 3], [1, undefined, 3]));
  out(TextEncoder === globalThis.TextEncoder, TextDecoder === globalThis.TextDecoder, types === util.types);
  out(util.isArray([]), util.isDate(new Date()), util.isError(new TypeError()), util.isRegExp(/x/), util.isPrimitive(1), util.isPrimitive({}), util.isBuffer(new Uint8Array(1)));
  out(util.stripVTControlCharacters('\u001b[31mred\u001b[0m'), util.toUSVString('a\ud800b'), util.debuglog('x').enabled);
  return new Response(lines.join('\n'));
} };
--- request
GET /n/util-misc
--- response_body chomp
"str 42.5 42 1.5 {\"a\":1} { b: [ 1, [length]: 1 ] } { c: 2 } % |"
"{ a: [Object] }" "[ 1, [Array] ]" "5n" "5n" "16" "42"
"Symbol(s)" "NaN" "a b 1 { c: 1 }" "1 2" "%s" "a %s" "%x 1"
"[Circular]" "TS" "XX" "1970-01-01T00:00:00.000Z"
"null" "-0" "[ 1, [length]: 1 ]" "'str'" "undefined" "%s 1" "100%" ""
"{ a: [Object] }" "{\n  a: 1\n}"
"formatWithOptions" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"inspectOptions\" argument must be of type object. Received type number (1)"
3 "add" 3 true true
"promisify rejected" "RangeError" "negative"
"custom!" true
42
"promisify number" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"original\" argument must be of type function. Received type number (1)"
"promisify bad custom" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"util.promisify.custom\" property must be of type function. Received type number (5)"
"twiceCallbackified" 2
[
  [ null, 42 ],
  'neg',
  [
    'ERR_FALSY_VALUE_REJECTION',
    'Promise was rejected with falsy value',
    null
  ]
]
"callbackify no callback" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The last argument must be of type function. Received type number (1)"
"callbackify number" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"original\" argument must be of type function. Received type number (1)"
"hi rex" true true
"inherits null ctor" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"ctor\" argument must be of type function. Received null"
"inherits no prototype" "threw" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"superCtor.prototype\" property must be of type object. Received undefined"
2 3 0 0 0
"deprecate number" "threw" "TypeError" undefined "Object prototype may only be an Object or null: 1"
true false true false
true false false
true true true
true true true true true false false
"red" "a�b" false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: util.types tells each kind of value V8 knows, a Proxy and boxed primitives too
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> util-types.js
import { types } from 'node:util';
import * as typesNamespace from 'node:util/types';
const lines = [];
const vals = {
  num: 1, str: 's', nul: null, undef: undefined, obj: {}, arr: [], fn() {}, afn: async () => {}, gfn: function* () {}, agfn: async function* () {},
  gobj: (function* () {})(), agobj: (async function* () {})(), prom: Promise.resolve(), re: /x/, date: new Date(), map: new Map(), set: new Set(),
  wm: new WeakMap(), ws: new WeakSet(), mi: new Map().keys(), si: new Set().values(), ab: new ArrayBuffer(1), sab: new SharedArrayBuffer(1),
  dv: new DataView(new ArrayBuffer(1)), u8: new Uint8Array(1), u8c: new Uint8ClampedArray(1), i16: new Int16Array(1), f32: new Float32Array(1), b64: new BigInt64Array(1), bu64: new BigUint64Array(1),
  no: new Number(1), so: new String('x'), bo: new Boolean(true), bio: Object(1n), syo: Object(Symbol()), err: new TypeError('x'), fakeErr: Object.create(Error.prototype),
  proxy: new Proxy({}, {}), proxyMap: new Proxy(new Map(), {}), args: (function () { return arguments; })(), ns: typesNamespace,
};
const names = Object.keys(types).filter((k) => k !== 'isKeyObject' && k !== 'isCryptoKey' && k !== 'isExternal').sort();
for (const [k, v] of Object.entries(vals)) lines.push(`${k}:${names.filter((n) => types[n](v)).map((n) => ` ${n}`).join("")}`);
export default { fetch() { return new Response(lines.join('\n')); } };
--- request
GET /n/util-types
--- response_body chomp
num:
str:
nul:
undef:
obj:
arr:
fn:
afn: isAsyncFunction
gfn: isGeneratorFunction
agfn: isAsyncFunction isGeneratorFunction
gobj: isGeneratorObject
agobj: isGeneratorObject
prom: isPromise
re: isRegExp
date: isDate
map: isMap
set: isSet
wm: isWeakMap
ws: isWeakSet
mi: isMapIterator
si: isSetIterator
ab: isAnyArrayBuffer isArrayBuffer
sab: isAnyArrayBuffer isSharedArrayBuffer
dv: isArrayBufferView isDataView
u8: isArrayBufferView isTypedArray isUint8Array
u8c: isArrayBufferView isTypedArray isUint8ClampedArray
i16: isArrayBufferView isInt16Array isTypedArray
f32: isArrayBufferView isFloat32Array isTypedArray
b64: isArrayBufferView isBigInt64Array isTypedArray
bu64: isArrayBufferView isBigUint64Array isTypedArray
no: isBoxedPrimitive isNumberObject
so: isBoxedPrimitive isStringObject
bo: isBooleanObject isBoxedPrimitive
bio: isBigIntObject isBoxedPrimitive
syo: isBoxedPrimitive isSymbolObject
err: isNativeError
fakeErr:
proxy: isProxy
proxyMap: isProxy
args: isArgumentsObject
ns: isModuleNamespaceObject
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: assert: ok, equal, strictEqual, deepEqual, deepStrictEqual and their negations, match, fail, ifError; AssertionError and its messages
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> assert-basic.js
import assert, { AssertionError } from 'node:assert';
import { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
const m = (label, f) => {
  try { f(); out(label, 'pass'); } catch (x) { out(label, x.name, x.code, x.message, x.generatedMessage, x.operator, x instanceof AssertionError); }
};
export default { fetch() {
  m('ok', () => assert.ok(1)); m('assert()', () => assert('x')); m('ok false', () => assert.ok(false)); m('ok 0', () => assert(0));
  m('ok no args', () => assert.ok()); m('ok message', () => assert.ok(null, 'custom')); m('ok error', () => assert.ok(false, new TypeError('own')));
  m('equal', () => assert.equal(1, '1')); m('equal NaN', () => assert.equal(NaN, NaN)); m('equal fail', () => assert.equal(1, 2)); m('equal message', () => assert.equal(1, 2, 'mine'));
  m('notEqual', () => assert.notEqual(1, 2)); m('notEqual fail', () => assert.notEqual(1, '1'));
  m('strictEqual', () => assert.strictEqual(NaN, NaN)); m('strictEqual fail', () => assert.strictEqual(1, '1')); m('strictEqual -0', () => assert.strictEqual(0, -0));
  m('strictEqual strings', () => assert.strictEqual('hello world', 'hello there')); m('strictEqual objects', () => assert.strictEqual({ a: 1 }, { a: 1 }));
  m('strictEqual arrays', () => assert.strictEqual([1], [2])); m('strictEqual message', () => assert.strictEqual(1, 2, 'mine')); m('strictEqual error', () => assert.strictEqual(1, 2, new RangeError('own2')));
  m('notStrictEqual', () => assert.notStrictEqual(1, '1')); m('notStrictEqual fail', () => assert.notStrictEqual(1, 1));
  const o = { x: 1 }; m('notStrictEqual object', () => assert.notStrictEqual(o, o)); m('notStrictEqual long', () => assert.notStrictEqual('abcdefgh', 'abcdefgh'));
  m('deepEqual', () => assert.deepEqual({ a: [1, '2'] }, { a: ['1', 2] })); m('deepEqual fail', () => assert.deepEqual({ a: 1 }, { a: 2 })); m('deepEqual prim', () => assert.deepEqual(1, 2));
  m('notDeepEqual', () => assert.notDeepEqual({ a: 1 }, { a: 2 })); m('notDeepEqual fail', () => assert.notDeepEqual({ a: 1 }, { a: 1 })); m('notDeepEqual unequal', () => assert.notDeepEqual([1], ['1']));
  m('deepStrictEqual', () => assert.deepStrictEqual(new Map([[1, { a: [1] }]]), new Map([[1, { a: [1] }]])));
  m('deepStrictEqual fail', () => assert.deepStrictEqual({ a: 1 }, { a: 2 })); m('deepStrictEqual type', () => assert.deepStrictEqual({ a: 1 }, { a: '1' }));
  m('deepStrictEqual long', () => assert.deepStrictEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 11]));
  m('deepStrictEqual keys', () => assert.deepStrictEqual({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 }, { a: 0, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 }));
  m('deepStrictEqual extra', () => assert.deepStrictEqual([1, 2], [1, 2, 3])); m('deepStrictEqual fewer', () => assert.deepStrictEqual([1, 2, 3], [1, 2]));
  m('deepStrictEqual symbols', () => assert.deepStrictEqual({ a: Symbol() }, { a: Symbol() })); m('deepStrictEqual prim', () => assert.deepStrictEqual(1, '1'));
  m('deepStrictEqual -0', () => assert.deepStrictEqual(0, -0)); m('deepStrictEqual errors', () => assert.deepStrictEqual(new Error('e1'), new Error('e2')));
  m('deepStrictEqual nested', () => assert.deepStrictEqual([1, [2, 3]], [1, [2, 4]])); m('deepStrictEqual map', () => assert.deepStrictEqual(new Map([[1, 2]]), new Map([[1, 3]])));
  m('deepStrictEqual set', () => assert.deepStrictEqual(new Set([1]), new Set([2]))); m('deepStrictEqual proto', () => assert.deepStrictEqual({ a: 1 }, Object.assign(Object.create(null), { a: 1 })));
  m('deepStrictEqual message', () => assert.deepStrictEqual({ a: 1 }, { a: 2 }, 'mine'));
  m('notDeepStrictEqual', () => assert.notDeepStrictEqual({ a: 1 }, { a: '1' })); m('notDeepStrictEqual fail', () => assert.notDeepStrictEqual({ a: 1 }, { a: 1 }));
  const c1 = { a: 1 }; c1.self = c1; const c2 = { a: 1 }; c2.self = c2; m('circular', () => assert.deepStrictEqual(c1, c2));
  const c3 = { a: 1 }; c3.self = { a: 2, self: c3 }; m('circular fail', () => assert.notDeepStrictEqual(c1, c3));
  m('boxed', () => assert.deepStrictEqual(new Number(1), new Number(1))); m('boxed fail', () => assert.notDeepStrictEqual(new String('a'), new String('b')));
  m('dates', () => assert.notDeepStrictEqual(new Date(1), new Date(2))); m('regexps', () => assert.notDeepStrictEqual(/a/g, /a/i));
  m('typed arrays', () => assert.notDeepStrictEqual(new Uint8Array([1]), new Int8Array([1]))); m('NaN', () => assert.deepStrictEqual([NaN], [NaN]));
  m('match', () => assert.match('abc', /b/)); m('match fail', () => assert.match('abc', /x/)); m('match type', () => assert.match(1, /x/)); m('match regexp', () => assert.match('abc', 'b'));
  m('doesNotMatch', () => assert.doesNotMatch('abc', /x/)); m('doesNotMatch fail', () => assert.doesNotMatch('abc', /b/));
  m('fail', () => assert.fail()); m('fail message', () => assert.fail('boom')); m('fail error', () => assert.fail(new TypeError('failerr')));
  m('ifError null', () => assert.ifError(null)); m('ifError undefined', () => assert.ifError(undefined)); m('ifError error', () => assert.ifError(new Error('e1')));
  m('ifError string', () => assert.ifError('s')); m('ifError 0', () => assert.ifError(0));
  m('missing args', () => assert.strictEqual(1)); m('missing args deep', () => assert.deepEqual());
  const ae = new AssertionError({ actual: 1, expected: 2, operator: 'strictEqual' });
  out(ae.name, ae.code, String(ae).split('\n')[0], ae instanceof Error, Object.keys(ae), ae.actual, ae.expected, ae.operator, ae.generatedMessage);
  const ae2 = new AssertionError({ message: 'custom', actual: 'a', expected: 'b', operator: 'fancy' });
  out(ae2.message, ae2.generatedMessage, ae2.operator);
  m('AssertionError options', () => new AssertionError(5));
  return new Response(lines.join('\n'));
} };
--- request
GET /n/assert-basic
--- response_body chomp
"ok" "pass"
"assert()" "pass"
"ok false" "AssertionError" "ERR_ASSERTION" "false == true" true "==" true
"ok 0" "AssertionError" "ERR_ASSERTION" "0 == true" true "==" true
"ok no args" "AssertionError" "ERR_ASSERTION" "No value argument passed to `assert.ok()`" true "==" true
"ok message" "AssertionError" "ERR_ASSERTION" "custom" false "==" true
"ok error" "TypeError" undefined "own" undefined undefined false
"equal" "pass"
"equal NaN" "pass"
"equal fail" "AssertionError" "ERR_ASSERTION" "1 == 2" true "==" true
"equal message" "AssertionError" "ERR_ASSERTION" "mine" false "==" true
"notEqual" "pass"
"notEqual fail" "AssertionError" "ERR_ASSERTION" "1 != '1'" true "!=" true
"strictEqual" "pass"
"strictEqual fail" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly equal:\n\n1 !== '1'\n" true "strictEqual" true
"strictEqual -0" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly equal:\n+ actual - expected\n\n+ 0\n- -0" true "strictEqual" true
"strictEqual strings" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly equal:\n+ actual - expected\n\n+ 'hello world'\n- 'hello there'\n         ^" true "strictEqual" true
"strictEqual objects" "AssertionError" "ERR_ASSERTION" "Values have same structure but are not reference-equal:\n\n{\n  a: 1\n}\n" true "strictEqual" true
"strictEqual arrays" "AssertionError" "ERR_ASSERTION" "Expected \"actual\" to be reference-equal to \"expected\":\n+ actual - expected\n\n  [\n+   1\n-   2\n  ]" true "strictEqual" true
"strictEqual message" "AssertionError" "ERR_ASSERTION" "mine\n\n1 !== 2\n" false "strictEqual" true
"strictEqual error" "RangeError" undefined "own2" undefined undefined false
"notStrictEqual" "pass"
"notStrictEqual fail" "AssertionError" "ERR_ASSERTION" "Expected \"actual\" to be strictly unequal to: 1" true "notStrictEqual" true
"notStrictEqual object" "AssertionError" "ERR_ASSERTION" "Expected \"actual\" not to be reference-equal to \"expected\":\n\n{\n  x: 1\n}\n" true "notStrictEqual" true
"notStrictEqual long" "AssertionError" "ERR_ASSERTION" "Expected \"actual\" to be strictly unequal to:\n\n'abcdefgh'" true "notStrictEqual" true
"deepEqual" "pass"
"deepEqual fail" "AssertionError" "ERR_ASSERTION" "Expected values to be loosely deep-equal:\n\n{\n  a: 1\n}\n\nshould loosely deep-equal\n\n{\n  a: 2\n}" true "deepEqual" true
"deepEqual prim" "AssertionError" "ERR_ASSERTION" "Expected values to be loosely deep-equal:\n\n1\n\nshould loosely deep-equal\n\n2" true "deepEqual" true
"notDeepEqual" "pass"
"notDeepEqual fail" "AssertionError" "ERR_ASSERTION" "Expected \"actual\" not to be loosely deep-equal to:\n\n{\n  a: 1\n}" true "notDeepEqual" true
"notDeepEqual unequal" "AssertionError" "ERR_ASSERTION" "Expected values not to be loosely deep-equal:\n\n[\n  1\n]\n\nshould not loosely deep-equal\n\n[\n  '1'\n]" true "notDeepEqual" true
"deepStrictEqual" "pass"
"deepStrictEqual fail" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 1\n-   a: 2\n  }" true "deepStrictEqual" true
"deepStrictEqual type" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  {\n+   a: 1\n-   a: '1'\n  }" true "deepStrictEqual" true
"deepStrictEqual long" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  [\n    1,\n...\n    8,\n    9,\n+   10\n-   11\n  ]" true "deepStrictEqual" true
"deepStrictEqual keys" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected ... Lines skipped\n\n  {\n+   a: 1,\n-   a: 0,\n    b: 2,\n...\n    g: 7,\n    h: 8\n  }" true "deepStrictEqual" true
"deepStrictEqual extra" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    2,\n-   3\n  ]" true "deepStrictEqual" true
"deepStrictEqual fewer" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    2,\n+   3\n  ]" true "deepStrictEqual" true
"deepStrictEqual symbols" "AssertionError" "ERR_ASSERTION" "Values have same structure but are not reference-equal:\n\n{\n  a: Symbol()\n}\n" true "deepStrictEqual" true
"deepStrictEqual prim" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n\n1 !== '1'\n" true "deepStrictEqual" true
"deepStrictEqual -0" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ 0\n- -0" true "deepStrictEqual" true
"deepStrictEqual errors" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ [Error: e1]\n- [Error: e2]\n           ^" true "deepStrictEqual" true
"deepStrictEqual nested" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n    [\n      2,\n+     3\n-     4\n    ]\n  ]" true "deepStrictEqual" true
"deepStrictEqual map" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Map(1) {\n+   1 => 2\n-   1 => 3\n  }" true "deepStrictEqual" true
"deepStrictEqual set" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Set(1) {\n+   1\n-   2\n  }" true "deepStrictEqual" true
"deepStrictEqual proto" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ {\n- [Object: null prototype] {\n    a: 1\n  }" true "deepStrictEqual" true
"deepStrictEqual message" "AssertionError" "ERR_ASSERTION" "mine\n+ actual - expected\n\n  {\n+   a: 1\n-   a: 2\n  }" false "deepStrictEqual" true
"notDeepStrictEqual" "pass"
"notDeepStrictEqual fail" "AssertionError" "ERR_ASSERTION" "Expected \"actual\" not to be strictly deep-equal to:\n\n{\n  a: 1\n}\n" true "notDeepStrictEqual" true
"circular" "pass"
"circular fail" "pass"
"boxed" "pass"
"boxed fail" "pass"
"dates" "pass"
"regexps" "pass"
"typed arrays" "pass"
"NaN" "pass"
"match" "pass"
"match fail" "AssertionError" "ERR_ASSERTION" "The input did not match the regular expression /x/. Input:\n\n'abc'\n" true "match" true
"match type" "AssertionError" "ERR_ASSERTION" "The \"string\" argument must be of type string. Received type number (1)" true "match" true
"match regexp" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"regexp\" argument must be an instance of RegExp. Received type string ('b')" undefined undefined false
"doesNotMatch" "pass"
"doesNotMatch fail" "AssertionError" "ERR_ASSERTION" "The input was expected to not match the regular expression /b/. Input:\n\n'abc'\n" true "doesNotMatch" true
"fail" "AssertionError" "ERR_ASSERTION" "Failed" true "fail" true
"fail message" "AssertionError" "ERR_ASSERTION" "boom" false "fail" true
"fail error" "TypeError" undefined "failerr" undefined undefined false
"ifError null" "pass"
"ifError undefined" "pass"
"ifError error" "AssertionError" "ERR_ASSERTION" "ifError got unwanted exception: e1" false "ifError" true
"ifError string" "AssertionError" "ERR_ASSERTION" "ifError got unwanted exception: 's'" false "ifError" true
"ifError 0" "AssertionError" "ERR_ASSERTION" "ifError got unwanted exception: 0" false "ifError" true
"missing args" "TypeError" "ERR_MISSING_ARGS" "The \"actual\" and \"expected\" arguments must be specified" undefined undefined false
"missing args deep" "TypeError" "ERR_MISSING_ARGS" "The \"actual\" and \"expected\" arguments must be specified" undefined undefined false
"AssertionError" "ERR_ASSERTION" "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:" true [ 'generatedMessage', 'code', 'actual', 'expected', 'operator' ] 1 2 "strictEqual" true
"custom" false "fancy"
"AssertionError options" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"options\" argument must be of type object. Received type number (5)" undefined undefined false
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: assert: throws and doesNotThrow against classes, regexps, functions and objects; rejects and doesNotReject; assert/strict
--- config
    location ~ ^/n/(?<fn>[a-z-]+)$ { js_function $TEST_NGINX_SERVER_ROOT/html/$fn.js; }
--- user_files
>>> assert-throws.js
import assert from 'node:assert';
import strict from 'node:assert/strict';
import { inspect } from 'node:util';
const lines = [];
const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : inspect(v));
const out = (...a) => lines.push(a.map(show).join(' '));
const t = (label, f) => {
  try { out(label, f()); } catch (e) { out(label, 'threw', e.name, e.code, e.message); }
};
const m = (label, f) => {
  try { f(); out(label, 'pass'); } catch (x) { out(label, x.name, x.code, x.message, x.generatedMessage, x.operator); }
};
const boom = () => { throw new TypeError('boom'); };
export default { async fetch() {
  m('throws', () => assert.throws(boom)); m('throws class', () => assert.throws(boom, TypeError)); m('throws Error', () => assert.throws(boom, Error));
  m('throws other class', () => assert.throws(boom, RangeError)); m('throws regexp', () => assert.throws(boom, /boom/)); m('throws regexp fail', () => assert.throws(boom, /nope/));
  m('throws fn', () => assert.throws(boom, (e) => e.message === 'boom')); m('throws fn fail', () => assert.throws(boom, (e) => false));
  m('throws object', () => assert.throws(boom, { name: 'TypeError', message: 'boom' })); m('throws object regexp', () => assert.throws(boom, { message: /bo/ }));
  m('throws object fail', () => assert.throws(boom, { message: 'other' })); m('throws error object', () => assert.throws(boom, new TypeError('boom')));
  m('throws empty object', () => assert.throws(boom, {})); m('throws nothing', () => assert.throws(() => {})); m('throws nothing message', () => assert.throws(() => {}, 'msg'));
  m('throws nothing class', () => assert.throws(() => {}, TypeError)); m('throws nothing class message', () => assert.throws(() => {}, Error, 'msg2'));
  m('throws ambiguous', () => assert.throws(boom, 'boom')); m('throws primitive', () => assert.throws(() => { throw 'str'; }, 'x'));
  m('throws bad fn', () => assert.throws(1)); m('throws bad error', () => assert.throws(boom, 5));
  m('doesNotThrow', () => assert.doesNotThrow(() => {})); m('doesNotThrow fail', () => assert.doesNotThrow(boom)); m('doesNotThrow message', () => assert.doesNotThrow(boom, 'nope'));
  m('doesNotThrow other class', () => assert.doesNotThrow(boom, RangeError)); m('doesNotThrow class', () => assert.doesNotThrow(boom, TypeError, 'why'));
  const am = async (label, f) => {
    try { await f(); out(label, 'pass'); } catch (x) { out(label, x.name, x.code, x.message, x.generatedMessage, x.operator); }
  };
  await am('rejects', () => assert.rejects(Promise.reject(new Error('r')), /r/));
  await am('rejects fn', () => assert.rejects(async () => { throw new Error('q'); }, { message: 'q' }));
  await am('rejects fail', () => assert.rejects(Promise.resolve(1)));
  await am('rejects mismatch', () => assert.rejects(async () => { throw new Error('q'); }, { message: 'z' }));
  await am('rejects not promise', () => assert.rejects(() => 5)); await am('rejects bad arg', () => assert.rejects(5));
  await am('rejects message', () => assert.rejects(Promise.resolve(), Error, 'm'));
  await am('doesNotReject', () => assert.doesNotReject(Promise.resolve(1))); await am('doesNotReject fail', () => assert.doesNotReject(async () => { throw new Error('w'); }));
  await am('doesNotReject not promise', () => assert.doesNotReject(() => 5));
  m('strict equal', () => strict.equal(1, '1')); m('strict deepEqual', () => strict.deepEqual([1], ['1'])); m('strict notEqual', () => strict.notEqual(1, '1'));
  m('strict notDeepEqual', () => strict.notDeepEqual([1], ['1'])); m('strict ok', () => strict(0)); m('strict.strict', () => strict.strict.equal(2, 2));
  out(strict.strict === strict, assert.strict === strict, strict.AssertionError === assert.AssertionError, strict.equal === assert.strictEqual);
  return new Response(lines.join('\n'));
} };
--- request
GET /n/assert-throws
--- response_body chomp
"throws" "pass"
"throws class" "pass"
"throws Error" "pass"
"throws other class" "AssertionError" "ERR_ASSERTION" "The error is expected to be an instance of \"RangeError\". Received \"TypeError\"\n\nError message:\n\nboom" true "throws"
"throws regexp" "pass"
"throws regexp fail" "AssertionError" "ERR_ASSERTION" "The input did not match the regular expression /nope/. Input:\n\n'TypeError: boom'\n" true "throws"
"throws fn" "pass"
"throws fn fail" "AssertionError" "ERR_ASSERTION" "The validation function is expected to return \"true\". Received false\n\nCaught error:\n\nTypeError: boom" true "throws"
"throws object" "pass"
"throws object regexp" "pass"
"throws object fail" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Comparison {\n+   message: 'boom'\n-   message: 'other'\n  }" true "throws"
"throws error object" "pass"
"throws empty object" "TypeError" "ERR_INVALID_ARG_VALUE" "The argument 'error' may not be an empty object. Received {}" undefined undefined
"throws nothing" "AssertionError" "ERR_ASSERTION" "Missing expected exception." false "throws"
"throws nothing message" "AssertionError" "ERR_ASSERTION" "Missing expected exception: msg" false "throws"
"throws nothing class" "AssertionError" "ERR_ASSERTION" "Missing expected exception (TypeError)." false "throws"
"throws nothing class message" "AssertionError" "ERR_ASSERTION" "Missing expected exception (Error): msg2" false "throws"
"throws ambiguous" "TypeError" "ERR_AMBIGUOUS_ARGUMENT" "The \"error/message\" argument is ambiguous. The error message \"boom\" is identical to the message." undefined undefined
"throws primitive" "pass"
"throws bad fn" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"fn\" argument must be of type function. Received type number (1)" undefined undefined
"throws bad error" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"error\" argument must be of type function or an instance of Error, RegExp, or Object. Received type number (5)" undefined undefined
"doesNotThrow" "pass"
"doesNotThrow fail" "AssertionError" "ERR_ASSERTION" "Got unwanted exception.\nActual message: \"boom\"" false "doesNotThrow"
"doesNotThrow message" "AssertionError" "ERR_ASSERTION" "Got unwanted exception: nope\nActual message: \"boom\"" false "doesNotThrow"
"doesNotThrow other class" "TypeError" undefined "boom" undefined undefined
"doesNotThrow class" "AssertionError" "ERR_ASSERTION" "Got unwanted exception: why\nActual message: \"boom\"" false "doesNotThrow"
"rejects" "pass"
"rejects fn" "pass"
"rejects fail" "AssertionError" "ERR_ASSERTION" "Missing expected rejection." false "rejects"
"rejects mismatch" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Comparison {\n+   message: 'q'\n-   message: 'z'\n  }" true "rejects"
"rejects not promise" "TypeError" "ERR_INVALID_RETURN_VALUE" "Expected instance of Promise to be returned from the \"promiseFn\" function but got type number (5)." undefined undefined
"rejects bad arg" "TypeError" "ERR_INVALID_ARG_TYPE" "The \"promiseFn\" argument must be of type function or an instance of Promise. Received type number (5)" undefined undefined
"rejects message" "AssertionError" "ERR_ASSERTION" "Missing expected rejection (Error): m" false "rejects"
"doesNotReject" "pass"
"doesNotReject fail" "AssertionError" "ERR_ASSERTION" "Got unwanted rejection.\nActual message: \"w\"" false "doesNotReject"
"doesNotReject not promise" "TypeError" "ERR_INVALID_RETURN_VALUE" "Expected instance of Promise to be returned from the \"promiseFn\" function but got type number (5)." undefined undefined
"strict equal" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly equal:\n\n1 !== '1'\n" true "strictEqual"
"strict deepEqual" "AssertionError" "ERR_ASSERTION" "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n+   1\n-   '1'\n  ]" true "deepStrictEqual"
"strict notEqual" "pass"
"strict notDeepEqual" "pass"
"strict ok" "AssertionError" "ERR_ASSERTION" "0 == true" true "=="
"strict.strict" "pass"
true true true true
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: the max-listeners warning once per event name, through console.warn to error_log
--- config
    location /w { js_function $TEST_NGINX_SERVER_ROOT/html/w.js; }
--- user_files
>>> w.js
import EventEmitter from 'node:events';
class Feed extends EventEmitter {}
export default { fetch() {
  const e = new EventEmitter();
  for (let i = 0; i < 15; i++) e.on('data', () => {});
  for (let i = 0; i < 12; i++) e.on('end', () => {});
  const f = new Feed();
  f.setMaxListeners(1);
  f.on('x', () => {}).on('x', () => {}).on('x', () => {});
  const quiet = new EventEmitter();
  quiet.setMaxListeners(0);
  for (let i = 0; i < 50; i++) quiet.on('many', () => {});
  return new Response(`${e.listenerCount('data')} ${e.listenerCount('end')} ${quiet.listenerCount('many')}`);
} };
--- request
GET /w
--- response_body chomp
15 12 50
--- grep_error_log eval: qr/MaxListenersExceededWarning: .*? limit/
--- grep_error_log_out
MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 data listeners added to [EventEmitter]. MaxListeners is 10. Use emitter.setMaxListeners() to increase limit
MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 end listeners added to [EventEmitter]. MaxListeners is 10. Use emitter.setMaxListeners() to increase limit
MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 2 x listeners added to [Feed]. MaxListeners is 1. Use emitter.setMaxListeners() to increase limit
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: deprecation warnings once each (util.deprecate by code or by function, Buffer(), assert.fail with two arguments), and to a replaced console.warn
--- config
    location /w { js_function $TEST_NGINX_SERVER_ROOT/html/w.js; }
--- user_files
>>> w.js
import { deprecate } from 'node:util';
import { Buffer } from 'node:buffer';
import assert from 'node:assert';
export default { fetch() {
  const a = deprecate(() => 1, 'a() is old', 'DEP_A');
  const b = deprecate(() => 2, 'b() is old too', 'DEP_A');
  const c = deprecate(() => 3, 'c() is old');
  const sum = a() + a() + b() + c() + c();
  const made = Buffer('ab').length + new Buffer(3).length;
  for (let i = 0; i < 2; i++) try { assert.fail(1, 2); } catch {}
  const seen = [];
  const warn = console.warn;
  console.warn = (msg) => seen.push(msg);
  deprecate(() => 0, 'd() is old')();
  console.warn = warn;
  return new Response(`${sum} ${made} ${seen}`);
} };
--- request
GET /w
--- response_body chomp
10 5 DeprecationWarning: d() is old
--- grep_error_log eval: qr/\[warn\].*?DeprecationWarning: [^,]*/
--- grep_error_log_out eval
qr/^\[warn\].*: \[DEP_A\] DeprecationWarning: a\(\) is old
\[warn\].*: DeprecationWarning: c\(\) is old
\[warn\].*: \[DEP0005\] DeprecationWarning: Buffer\(\) is deprecated due to security and usability issues. Please use the Buffer.alloc\(\)
\[warn\].*: \[DEP0094\] DeprecationWarning: assert.fail\(\) with more than one argument is deprecated. Please use assert.strictEqual\(\) instead or only pass a message.
$/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: a listener that emits its own event forever: a RangeError the function catches, and the worker serves on
--- config
    location /r { js_function $TEST_NGINX_SERVER_ROOT/html/r.js; }
--- user_files
>>> r.js
import EventEmitter from 'node:events';
const e = new EventEmitter();
let depth = 0;
e.on('again', () => { depth++; e.emit('again'); });
export default { fetch(r) {
  if (!r.url.endsWith('?loop')) return new Response(`fine ${depth > 1000}`);
  try {
    e.emit('again');
  } catch (err) {
    return new Response(`${err.name}: ${err.message}`);
  }
  return new Response('no overflow');
} };
--- request eval
["GET /r?loop", "GET /r", "GET /r?loop"]
--- response_body eval
["RangeError: Maximum call stack size exceeded", "fine true", "RangeError: Maximum call stack size exceeded"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 18: util.inspect of hostile values: deep nesting (cut at the depth, or where the stack ends), a cycle through many objects, throwing getters and traps
--- config
    location /i { js_function $TEST_NGINX_SERVER_ROOT/html/i.js; }
--- user_files
>>> i.js
import { inspect, format } from 'node:util';
export default { fetch() {
  const root = {};
  let o = root;
  for (let i = 0; i < 100000; i++) { o.n = {}; o = o.n; }
  const ring = { id: 0 };
  let last = ring;
  for (let i = 1; i < 1000; i++) { last.next = { id: i }; last = last.next; }
  last.next = ring;
  const trap = new Proxy({ a: 1 }, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
  const getter = { get bad() { throw new Error('nope'); } };
  const deep = inspect(root, { depth: Infinity });
  const lines = [
    inspect(root),
    deep.includes('[Object: Inspection interrupted prematurely. Maximum call stack size exceeded.]'),
    (() => { const r = inspect(ring, { depth: Infinity }); return `${r.startsWith('<ref *1> {')} ${r.split('[Circular *1]').length - 1}`; })(),
    inspect(trap),
    inspect(getter), inspect(getter, { getters: true }),
    format('%j %s', (() => { const c = {}; c.c = c; return c; })(), 'ok'),
  ];
  return new Response(lines.join('\n'));
} };
--- request
GET /i
--- response_body chomp
{ n: { n: { n: [Object] } } }
true
true 1
{ a: 1 }
{ bad: [Getter] }
{ bad: [Getter: <Inspection threw (nope)>] }
[Circular] ok
--- no_error_log
[error]
[alert]
[crit]



=== TEST 19: over js_function_memory: Buffer.allocUnsafe (caught or not), Buffer.from of a 256 MB string (a rope of a few objects, stopped before V8 flattens it), a 40 MB buffer as an 80 MB hex string: each stops the isolate at its memory limit (503), never a V8 abort
--- http_config
    js_function_memory 64m;
--- config
    location /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
import { Buffer } from 'node:buffer';
export default { fetch(r) {
  const what = new URL(r.url).searchParams.get('t');
  if (what === 'alloc') {
    try {
      return new Response(String(Buffer.allocUnsafe(200 << 20).length));
    } catch (e) {
      return new Response(`caught ${e.name}`);
    }
  }
  if (what === 'from') {
    let s = 'x'.repeat(1 << 20);
    for (let i = 0; i < 8; i++) s += s;
    return new Response(String(Buffer.from(s, 'hex').length + Buffer.from(s).length));
  }
  return new Response(String(Buffer.alloc(40 << 20, 1).toString('hex').length));
} };
--- request eval
["GET /a?t=alloc", "GET /a?t=from", "GET /a?t=hex"]
--- error_code eval
[503, 503, 503]
--- error_log
memory limit of 64 MB exceeded (js_function_memory)
--- no_error_log
[alert]
[crit]



=== TEST 20: Buffer.allocUnsafe of 32 MB within js_function_memory (zeroed, its own memory); Buffer.byteLength of a 256 MB string stopped at the limit; after that kill the next request gets a new isolate
--- http_config
    js_function_memory 64m;
--- config
    location /a { js_function $TEST_NGINX_SERVER_ROOT/html/a.js; }
--- user_files
>>> a.js
import { Buffer } from 'node:buffer';
export default { fetch(r) {
  const what = new URL(r.url).searchParams.get('t');
  if (what === 'ok') return new Response(Buffer.from('still here').toString('base64'));
  if (what === 'within') {
    const b = Buffer.allocUnsafe(32 << 20);
    return new Response(`${b.length} ${b.buffer.byteLength} ${b.indexOf(1)} ${b[b.length - 1]}`);
  }
  let s = 'ab'.repeat(1 << 19);
  for (let i = 0; i < 8; i++) s += s;
  return new Response(String(Buffer.byteLength(s)));
} };
--- request eval
["GET /a?t=within", "GET /a?t=big", "GET /a?t=ok"]
--- error_code eval
[200, 503, 200]
--- response_body_like eval
["^33554432 33554432 -1 0\$", "", "^c3RpbGwgaGVyZQ==\$"]
--- no_error_log
[alert]
[crit]



=== TEST 21: the modules that reach the host do not exist: process, child_process, net, fs, worker_threads
--- config
    location /m { js_function $TEST_NGINX_SERVER_ROOT/html/$arg_f.js; }
--- user_files
>>> process.js
import process from 'node:process';
export default { fetch() { return new Response('never'); } };
>>> child_process.js
import { spawn } from 'child_process';
export default { fetch() { return new Response('never'); } };
>>> net.js
import net from 'node:net';
export default { fetch() { return new Response('never'); } };
>>> fs.js
import { readFileSync } from 'fs';
export default { fetch() { return new Response('never'); } };
>>> worker_threads.js
import { Worker } from 'node:worker_threads';
export default { fetch() { return new Response('never'); } };
--- request eval
["GET /m?f=process", "GET /m?f=child_process", "GET /m?f=net", "GET /m?f=fs", "GET /m?f=worker_threads"]
--- error_code eval
[500, 500, 500, 500, 500]
--- error_log eval
qr/cannot load: .*Cannot find module '(node:process|child_process|node:net|fs|node:worker_threads)' imported from .*: only relative imports of the function's own files and the runtime's node: modules are allowed/
--- no_error_log
[alert]
[crit]



=== TEST 22: two functions (two isolates) import every module: the second compiles them from the process's code cache
--- config
    location /one { js_function $TEST_NGINX_SERVER_ROOT/html/one.js; }
    location /two { js_function $TEST_NGINX_SERVER_ROOT/html/two.js; }
--- user_files
>>> one.js
import { Buffer } from 'node:buffer';
import EventEmitter from 'node:events';
import { inspect } from 'node:util';
import assert from 'node:assert/strict';
export default { fetch() {
  const e = new EventEmitter();
  let got;
  e.on('x', (v) => { got = v; });
  e.emit('x', Buffer.from('one'));
  assert.deepEqual(got, Buffer.from('one'));
  return new Response(inspect({ got, n: [1, 2] }));
} };
>>> two.js
import { Buffer } from 'buffer';
import { once } from 'events';
import util from 'util';
import assert from 'assert';
export default { fetch() {
  assert.throws(() => Buffer.alloc(-1), { code: 'ERR_OUT_OF_RANGE' });
  return new Response(util.format('%s %o', typeof once, Buffer.from('two')));
} };
--- request eval
["GET /one", "GET /two", "GET /one", "GET /two"]
--- response_body eval
["{ got: <Buffer 6f 6e 65>, n: [ 1, 2 ] }", "function <Buffer 74 77 6f>", "{ got: <Buffer 6f 6e 65>, n: [ 1, 2 ] }", "function <Buffer 74 77 6f>"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 23: an AssertionError thrown out of fetch: a 500, and error_log has Node's first line and the function's frame
--- config
    location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
--- user_files
>>> u.js
import assert from 'node:assert';
export default { fetch() {
  assert.strictEqual(1 + 1, 3);
  return new Response('never');
} };
--- request
GET /u
--- error_code: 500
--- error_log eval
["Uncaught AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:", qr/^2 !== 3$/, qr/^    at Object.fetch \(.*u.js:3:10\)$/]
--- no_error_log
[alert]
[crit]



=== TEST 24: an 'error' event without a listener thrown out of fetch: a 500 with ERR_UNHANDLED_ERROR
--- config
    location /u { js_function $TEST_NGINX_SERVER_ROOT/html/u.js; }
--- user_files
>>> u.js
import { EventEmitter } from 'node:events';
export default { fetch() {
  new EventEmitter().emit('error', { reason: 'boom' });
  return new Response('never');
} };
--- request
GET /u
--- error_code: 500
--- error_log eval
["Uncaught Error [ERR_UNHANDLED_ERROR]: Unhandled error. ({ reason: 'boom' })", qr/^    at EventEmitter.emit /, qr/^    at Object.fetch \(.*u.js:3:22\)$/]
--- no_error_log
[alert]
[crit]
