# TextDecoder: every encoding of the Encoding Standard (labels, single-byte,
# multi-byte through ICU's tables, UTF-16, x-user-defined), fatal mode,
# streaming, hostile callers and memory.  Vectors from web-platform-tests'
# encoding/ where it has them.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: every label of the standard gives its encoding's name, in any ASCII case, trimmed of ASCII whitespace
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
const LABELS = {
  'utf-8': 'unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8',
  ibm866: '866 cp866 csibm866 ibm866',
  'iso-8859-2': 'csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2',
  'iso-8859-3': 'csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3',
  'iso-8859-4': 'csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4',
  'iso-8859-5': 'csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988',
  'iso-8859-6': 'arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987',
  'iso-8859-7': 'csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek',
  'iso-8859-8': 'csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 visual',
  'iso-8859-8-i': 'csiso88598i iso-8859-8-i logical',
  'iso-8859-10': 'csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6',
  'iso-8859-13': 'iso-8859-13 iso8859-13 iso885913',
  'iso-8859-14': 'iso-8859-14 iso8859-14 iso885914',
  'iso-8859-15': 'csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9',
  'iso-8859-16': 'iso-8859-16',
  'koi8-r': 'cskoi8r koi koi8 koi8-r koi8_r',
  'koi8-u': 'koi8-ru koi8-u',
  macintosh: 'csmacintosh mac macintosh x-mac-roman',
  'windows-874': 'dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874',
  'windows-1250': 'cp1250 windows-1250 x-cp1250',
  'windows-1251': 'cp1251 windows-1251 x-cp1251',
  'windows-1252': 'ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252',
  'windows-1253': 'cp1253 windows-1253 x-cp1253',
  'windows-1254': 'cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254',
  'windows-1255': 'cp1255 windows-1255 x-cp1255',
  'windows-1256': 'cp1256 windows-1256 x-cp1256',
  'windows-1257': 'cp1257 windows-1257 x-cp1257',
  'windows-1258': 'cp1258 windows-1258 x-cp1258',
  'x-mac-cyrillic': 'x-mac-cyrillic x-mac-ukrainian',
  gbk: 'chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk',
  gb18030: 'gb18030',
  big5: 'big5 big5-hkscs cn-big5 csbig5 x-x-big5',
  'euc-jp': 'cseucpkdfmtjapanese euc-jp x-euc-jp',
  'iso-2022-jp': 'csiso2022jp iso-2022-jp',
  shift_jis: 'csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis',
  'euc-kr': 'cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949',
  'utf-16be': 'unicodefffe utf-16be',
  'utf-16le': 'csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le',
  'x-user-defined': 'x-user-defined',
};
export default { fetch() {
  const bad = [];
  let n = 0;
  for (const [name, labels] of Object.entries(LABELS)) {
    for (const label of labels.split(' ')) {
      for (const l of [label, label.toUpperCase(), ` ${label}`, `\t${label}\n`, `\f\r${label} `]) {
        n++;
        const got = new TextDecoder(l).encoding;
        if (got !== name) bad.push(`${JSON.stringify(l)} gave ${got}`);
      }
    }
  }
  return new Response(bad.length ? bad.join('\n') : `ok ${n}`);
} };
--- request
GET /t
--- response_body: ok 1110
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: unknown labels, labels with other whitespace and the replacement encoding's labels throw a RangeError
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
export default { fetch() {
  const labels = ['', 'utf-7', 'latin-1', 'dummy', 'toString', '__proto__', 'constructor', 'shift_jis2',
    '\u00A0utf-8', 'utf-8\u000B', 'utf-8\u0000', '\u2028latin1', 'gbk\u2029', '\u212Aoi8-r', 'x'.repeat(100000),
    'csiso2022kr', 'HZ-GB-2312', 'iso-2022-cn', 'iso-2022-cn-ext', ' iso-2022-kr ', 'replacement'];
  const out = labels.map((l) => {
    try { return `${new TextDecoder(l).encoding}!`; } catch (e) { return e.name; }
  });
  let range = 'none';
  try { new TextDecoder('iso-2022-kr'); } catch (e) { range = e instanceof RangeError && e.message.includes('iso-2022-kr'); }
  return new Response(`${out.join(' ')}\n${range} ${new TextDecoder(undefined).encoding} ${new TextDecoder().encoding}\n`);
} };
--- request
GET /t
--- response_body
RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError RangeError
true utf-8 utf-8
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: single-byte encodings: all 128 high bytes as the standard's indexes map them, the bytes without a code point as in wpt's textdecoder-fatal-single-byte
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
// FNV-1a of the code units of bytes 0x80-0xFF decoded (from the indexes)
const HASH = 'ibm866:b6127f9d iso-8859-2:cce0d88e iso-8859-3:2783bcc4 iso-8859-4:dc9a39a1 iso-8859-5:729a02e1 '
  + 'iso-8859-6:2230a179 iso-8859-7:c26e21ff iso-8859-8:343557b4 iso-8859-8-i:343557b4 iso-8859-10:cc84c1ae '
  + 'iso-8859-13:b5c3c3cc iso-8859-14:9b7c78e4 iso-8859-15:f9979ba7 iso-8859-16:c5ddb6cb koi8-r:65636b29 '
  + 'koi8-u:5ad963c7 macintosh:d25a3108 windows-874:4b4e7351 windows-1250:c1cdbb25 windows-1251:5f973fdd '
  + 'windows-1252:3c3a672f windows-1253:ea18bd6b windows-1254:0a898787 windows-1255:90aa0e8f '
  + 'windows-1256:c50737a0 windows-1257:ff19a984 windows-1258:338e41f6 x-mac-cyrillic:bc757b62 '
  + 'x-user-defined:74a22845';
const BAD = {
  'iso-8859-3': [0xA5, 0xAE, 0xBE, 0xC3, 0xD0, 0xE3, 0xF0],
  'iso-8859-6': [0xA1, 0xA2, 0xA3, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAE, 0xAF, 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBC, 0xBD, 0xBE, 0xC0, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF],
  'iso-8859-7': [0xAE, 0xD2, 0xFF],
  'iso-8859-8': [0xA1, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xFB, 0xFC, 0xFF],
  'windows-874': [0xDB, 0xDC, 0xDD, 0xDE, 0xFC, 0xFD, 0xFE, 0xFF],
  'windows-1253': [0xAA, 0xD2, 0xFF],
  'windows-1255': [0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xFB, 0xFC, 0xFF],
  'windows-1257': [0xA1, 0xA5],
};
BAD['iso-8859-8-i'] = BAD['iso-8859-8'];
const fnv = (s) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h.toString(16).padStart(8, '0');
};
export default { fetch() {
  const fails = [];
  const high = new Uint8Array(128).map((_, i) => 0x80 + i);
  const low = new Uint8Array(128).map((_, i) => i);
  for (const item of HASH.split(' ')) {
    const [enc, hash] = item.split(':');
    const s = new TextDecoder(enc).decode(high);
    if (fnv(s) !== hash) fails.push(`${enc}: ${fnv(s)}`);
    if (new TextDecoder(enc).decode(low) !== String.fromCharCode(...low)) fails.push(`${enc}: ASCII`);
    const bad = [];
    const fatal = new TextDecoder(enc, { fatal: true });
    for (let b = 0; b < 256; b++) {
      try { fatal.decode(new Uint8Array([b])); } catch (e) { bad.push(e instanceof TypeError ? b : -1); }
    }
    if (bad.join() !== (BAD[enc] || []).join()) fails.push(`${enc}: fatal on ${bad}`);
  }
  const one = (enc, b) => new TextDecoder(enc).decode(new Uint8Array([b]));
  const spot = [one('windows-1252', 0x80), one('latin1', 0x81), one('ascii', 0x9F), one('koi8-u', 0xAE),
    one('windows-874', 0xDB), one('windows-1255', 0xCA), one('x-mac-cyrillic', 0xFF), one('ibm866', 0x80),
    one('macintosh', 0xF0), one('iso-8859-16', 0xA4), one('x-user-defined', 0x80)];
  return new Response(`${fails.length ? fails.join('\n') : 'ok'}\n${escape(spot.join(','))}\n`);
} };
--- request
GET /t
--- response_body
ok
%u20AC%2C%81%2C%u0178%2C%u045E%2C%uFFFD%2C%u05BA%2C%u20AC%2C%u0410%2C%uF8FF%2C%u20AC%2C%uF780
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: multi-byte encodings decode known sequences (Shift_JIS, EUC-JP with JIS X 0212, EUC-KR, Big5 with its two-code-point pointers, gbk and gb18030 with four-byte sequences and the GB18030-2022 mappings)
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
const CASES = [
  ['shift_jis', [0x82, 0xA0, 0x82, 0xA2, 0x41], '\u3042\u3044A'],
  ['shift_jis', [0x5C, 0x7E, 0x80, 0xA1, 0xDF], '\\~\u0080\uFF61\uFF9F'],
  ['shift_jis', [0x88, 0x9F, 0xEA, 0xA4, 0xFA, 0x40], '\u4E9C\u7199\u2170'],
  ['shift_jis', [0xF0, 0x40, 0xF9, 0xFC], '\uE000\uE757'],
  ['euc-jp', [0xA4, 0xA2, 0xB0, 0xA1, 0x8E, 0xB1], '\u3042\u4E9C\uFF71'],
  ['euc-jp', [0x8F, 0xB0, 0xA1, 0x8F, 0xA2, 0xAF], '\u4E02\u02D8'],
  ['euc-kr', [0xB0, 0xA1, 0xC7, 0xD1, 0x81, 0x41, 0x41], '\uAC00\uD55C\uAC02A'],
  ['big5', [0xA4, 0x40, 0xA4, 0xA4, 0x87, 0x40], '\u4E00\u4E2D\u43F0'],
  ['big5', [0x88, 0x62, 0x88, 0x64, 0x88, 0xA3, 0x88, 0xA5], '\u00CA\u0304\u00CA\u030C\u00EA\u0304\u00EA\u030C'],
  ['big5', [0x87, 0x45, 0xFE, 0xFE], '\u{27267}\u79D4'],
  ['gbk', [0xC4, 0xE3, 0xBA, 0xC3, 0x80], '\u4F60\u597D\u20AC'],
  ['gbk', [0x81, 0x30, 0x81, 0x30, 0xA3, 0xA0], '\u0080\u3000'],
  ['gb18030', [0x81, 0x30, 0x81, 0x30, 0x90, 0x30, 0x81, 0x30, 0xE3, 0x32, 0x9A, 0x35], '\u0080\u{10000}\u{10FFFF}'],
  ['gb18030', [0x84, 0x31, 0xA4, 0x39, 0x81, 0x35, 0xF4, 0x37, 0x84, 0x31, 0x95, 0x33], '\uFFFF\uE7C7\uFEFF'],
  ['gb18030', [0xA6, 0xD9, 0xA6, 0xDA, 0xA6, 0xF3, 0xFE, 0x59, 0xFE, 0xA0], '\uFE10\uFE12\uFE19\u9FB4\u9FBB'],
  ['iso-2022-jp', [0x41, 0x1B, 0x24, 0x42, 0x30, 0x21, 0x24, 0x22, 0x1B, 0x28, 0x42, 0x42], 'A\u4E9C\u3042B'],
  ['iso-2022-jp', [0x1B, 0x28, 0x49, 0x31, 0x5F, 0x1B, 0x28, 0x4A, 0x5C, 0x7E, 0x41], '\uFF71\uFF9F\u00A5\u203EA'],
  ['utf-16le', [0x41, 0x00, 0x42, 0x30, 0x3D, 0xD8, 0x00, 0xDE], 'A\u3042\u{1F600}'],
  ['utf-16be', [0x00, 0x41, 0x30, 0x42, 0xD8, 0x3D, 0xDE, 0x00], 'A\u3042\u{1F600}'],
];
export default { fetch() {
  const fails = [];
  for (const [enc, bytes, want] of CASES) {
    const got = new TextDecoder(enc).decode(new Uint8Array(bytes));
    if (got !== want) fails.push(`${enc} ${bytes}: ${escape(got)}`);
    const fatal = new TextDecoder(enc, { fatal: true }).decode(new Uint8Array(bytes).buffer);
    if (fatal !== want) fails.push(`${enc} ${bytes} fatal: ${escape(fatal)}`);
  }
  return new Response(fails.length ? fails.join('\n') : `ok ${CASES.length}`);
} };
--- request
GET /t
--- response_body: ok 19
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: wpt's iso-2022-jp-decoder vectors: escapes, the states, and what each error consumes
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
const V = [
  [[0x1b, 0x24], '\uFFFD$'], [[0x1b, 0x24, 0x50], '\uFFFD$P'], [[0x1b, 0x28, 0x42, 0x50], 'P'],
  [[0x1b, 0x28, 0x42, 0x1b, 0x28, 0x42, 0x50], '\uFFFDP'], [[0x50, 0x1b, 0x28, 0x42, 0x50], 'PP'],
  [[0x5C, 0x5D, 0x7E], '\\]~'], [[0x0D, 0x0E, 0x0F, 0x10], '\x0D\uFFFD\uFFFD\x10'],
  [[0x1b, 0x28, 0x4A, 0x5C, 0x5D, 0x7E], '\u00A5]\u203E'], [[0x1b, 0x28, 0x4A, 0x0D, 0x0E, 0x0F, 0x10], '\x0D\uFFFD\uFFFD\x10'],
  [[0x1b, 0x28, 0x4A, 0x1b, 0x1b, 0x28, 0x49, 0x50], '\uFFFD\uFF90'], [[0x1b, 0x28, 0x49, 0x50], '\uFF90'],
  [[0x1b, 0x28, 0x49, 0x1b, 0x24, 0x40, 0x50, 0x50], '\uFFFD\u4F69'], [[0x1b, 0x28, 0x49, 0x1b, 0x50], '\uFFFD\uFF90'],
  [[0x1b, 0x28, 0x49, 0x1b, 0x24, 0x50], '\uFFFD\uFF64\uFF90'], [[0x1b, 0x28, 0x49, 0x50, 0x1b, 0x28, 0x49, 0x50], '\uFF90\uFF90'],
  [[0x1b, 0x28, 0x49, 0x0D, 0x0E, 0x0F, 0x10], '\uFFFD\uFFFD\uFFFD\uFFFD'], [[0x1b, 0x24, 0x40, 0x50, 0x50], '\u4F69'],
  [[0x1b, 0x24, 0x42, 0x50, 0x50], '\u4F69'], [[0x1b, 0x24, 0x42, 0x1b, 0x50, 0x50], '\uFFFD\u4F69'],
  [[0x1b, 0x24, 0x40, 0x1b, 0x24, 0x40], '\uFFFD'], [[0x1b, 0x24, 0x40, 0x1b, 0x24, 0x40, 0x50, 0x50], '\uFFFD\u4F69'],
  [[0x1b, 0x24, 0x40, 0x1b, 0x24, 0x42, 0x50, 0x50], '\uFFFD\u4F69'], [[0x1b, 0x24, 0x40, 0x1b, 0x24, 0x50, 0x50], '\uFFFD\u3070\uFFFD'],
  [[0x1b, 0x24, 0x40, 0x50, 0x1b, 0x24, 0x40, 0x50, 0x50], '\uFFFD\u4F69'], [[0x1b, 0x24, 0x40, 0x20, 0x50], '\uFFFD\uFFFD'],
  [[0x1b, 0x24, 0x40, 0x50, 0x20], '\uFFFD'], [[0x50, 0x1b], 'P\uFFFD'], [[0x50, 0x1b, 0x24], 'P\uFFFD$'],
  [[0x50, 0x1b, 0x50], 'P\uFFFDP'], [[0x50, 0x1b, 0x28, 0x42], 'P'], [[0x50, 0x1b, 0x28, 0x4A], 'P'],
  [[0x50, 0x1b, 0x28, 0x49], 'P'], [[0x50, 0x1b, 0x24, 0x40], 'P'], [[0x50, 0x1b, 0x24, 0x42], 'P'],
];
export default { fetch() {
  const fails = [];
  for (const [bytes, want] of V) {
    const got = new TextDecoder('iso-2022-jp').decode(new Int8Array(bytes));
    if (got !== want) fails.push(`${bytes}: ${escape(got)}`);
  }
  return new Response(fails.length ? fails.join('\n') : `ok ${V.length}`);
} };
--- request
GET /t
--- response_body: ok 34
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: decoder errors consume what the standard says (wpt's gb18030-decoder, textdecoder-eof and the *-decode-errors vectors of Shift_JIS, EUC-JP, EUC-KR, Big5)
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
const V = [
  ['gb18030', [0xFF], '\uFFFD'], ['gb18030', [0x81], '\uFFFD'], ['gb18030', [0x81, 0x28], '\uFFFD('],
  ['gb18030', [0x81, 0x7F], '\uFFFD\x7F'], ['gb18030', [0x81, 0xFF], '\uFFFD'], ['gb18030', [0x81, 0x30], '\uFFFD'],
  ['gb18030', [0x81, 0x30, 0xFE], '\uFFFD'], ['gb18030', [0x81, 0x30, 0xFF], '\uFFFD0\uFFFD'],
  ['gb18030', [0x81, 0x30, 0xFE, 0x29], '\uFFFD0\uFFFD)'], ['gb18030', [0xFE, 0x39, 0xFE, 0x39], '\uFFFD'],
  ['gb18030', [0x84, 0x31, 0xA5, 0x30], '\uFFFD'], ['gb18030', [0x8F, 0x39, 0xFE, 0x39], '\uFFFD'],
  ['gbk', [0xE3, 0x32, 0x9A, 0x36], '\uFFFD'], ['gbk', [0x83, 0x36, 0xC8, 0x30], '\uE7C8'],
  ['gbk', [0xA1, 0xAD], '\u2026'], ['gbk', [0xA1, 0xAB], '\uFF5E'],
  ['big5', [0x81, 0x40], '\uFFFD@'], ['big5', [0x81, 0x81], '\uFFFD'], ['big5', [0x87, 0x87, 0x40], '\uFFFD@'],
  ['big5', [0xAB], '\uFFFD'], ['big5', [0xAB, 0xB5, 0xAB], '\u594F\uFFFD'], ['big5', [0xAB, 0xAB, 0xAB], '\u5782\uFFFD'],
  ['big5', [0xFF], '\uFFFD'], ['big5', [0xAB, 0x31], '\uFFFD1'], ['big5', [0xAB, 0xFF], '\uFFFD'], ['big5', [0xC8, 0xF2], '\uFFFD'],
  ['shift_jis', [0xFA], '\uFFFD'], ['shift_jis', [0xFA, 0x6E, 0xFA], '\u4F56\uFFFD'], ['shift_jis', [0xFA, 0xFA, 0xFA], '\u6D04\uFFFD'],
  ['shift_jis', [0xFF], '\uFFFD'], ['shift_jis', [0xA0], '\uFFFD'], ['shift_jis', [0xE1], '\uFFFD'],
  ['shift_jis', [0xFA, 0xFA, 0xFF], '\u6D04\uFFFD'], ['shift_jis', [0xFA, 0xFD], '\uFFFD'], ['shift_jis', [0xFA, 0xFE], '\uFFFD'],
  ['shift_jis', [0x81, 0xB5], '\uFFFD'], ['shift_jis', [0x85, 0x40], '\uFFFD@'],
  ['euc-jp', [0xB0], '\uFFFD'], ['euc-jp', [0xB0, 0xB5, 0xB0], '\u5727\uFFFD'], ['euc-jp', [0xB0, 0xB0, 0xB0], '\u65ED\uFFFD'],
  ['euc-jp', [0xFF], '\uFFFD'], ['euc-jp', [0x91], '\uFFFD'], ['euc-jp', [0xB0, 0x31], '\uFFFD1'], ['euc-jp', [0xB0, 0xFF], '\uFFFD'],
  ['euc-jp', [0xB0, 0xA0], '\uFFFD'], ['euc-jp', [0xA2, 0xB9], '\uFFFD'], ['euc-jp', [0xA1, 0x8E, 0xA1], '\uFFFD\uFFFD'],
  ['euc-jp', [0x8F, 0xF3, 0xA1], '\uFFFD'],
  ['euc-kr', [0xB0], '\uFFFD'], ['euc-kr', [0xB0, 0xB5, 0xB0], '\uAC20\uFFFD'], ['euc-kr', [0xB0, 0xB0, 0xB0], '\uAC19\uFFFD'],
  ['euc-kr', [0xFF], '\uFFFD'], ['euc-kr', [0xB0, 0xB0, 0xFF], '\uAC19\uFFFD'], ['euc-kr', [0xB0, 0x31], '\uFFFD1'],
  ['euc-kr', [0xB0, 0xFF], '\uFFFD'], ['euc-kr', [0x81, 0x5B], '\uFFFD['], ['euc-kr', [0xC9, 0xA1], '\uFFFD'],
];
export default { fetch() {
  const fails = [];
  for (const [enc, bytes, want] of V) {
    const got = new TextDecoder(enc).decode(new Uint8Array(bytes));
    if (got !== want) fails.push(`${enc} ${bytes}: ${escape(got)}`);
  }
  return new Response(fails.length ? fails.join('\n') : `ok ${V.length}`);
} };
--- request
GET /t
--- response_body: ok 57
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: UTF-16: BOM dropped once unless ignoreBOM, lone and swapped surrogates and an odd byte become U+FFFD, fatal throws a TypeError
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
const u8 = (...b) => new Uint8Array(b);
export default { fetch() {
  const le = new TextDecoder('utf-16le'), be = new TextDecoder('utf-16be');
  const out = [
    le.decode(u8(0xFF, 0xFE, 0x41, 0x00)), le.decode(u8(0xFF, 0xFE, 0xFF, 0xFE)), be.decode(u8(0xFE, 0xFF, 0x00, 0x41)),
    new TextDecoder('utf-16', { ignoreBOM: true }).decode(u8(0xFF, 0xFE, 0x41, 0x00)),
    le.decode(u8(0xFE, 0xFF, 0x41, 0x00)), new TextDecoder('shift_jis').decode(u8(0xFF, 0xFE)),
    new TextDecoder('gb18030').decode(u8(0x84, 0x31, 0x95, 0x33)),
    le.decode(u8(0x00, 0xD8)), le.decode(u8(0x00, 0xDC)), le.decode(u8(0x00, 0xD8, 0x00, 0x00)),
    le.decode(u8(0x00, 0xDC, 0x00, 0x00)), le.decode(u8(0x00, 0xDC, 0x00, 0xD8)), le.decode(u8(0x34, 0xD8, 0x1E, 0xDD)),
    le.decode(u8(0x41)), le.decode(u8(0x41, 0x00, 0x42)), be.decode(u8(0xD8, 0x00, 0xD8, 0x00, 0xDC, 0x00)),
  ];
  const errs = [[0x00], [0x00, 0xD8], [0x00, 0xDC], [0x00, 0xD8, 0x00, 0x00], [0x00, 0xDC, 0x00, 0xD8]].map((b) => {
    try { return new TextDecoder('utf-16le', { fatal: true }).decode(new Uint8Array(b)); } catch (e) { return e.name; }
  });
  const d = new TextDecoder('utf-16le', { fatal: true });
  const odd = u8(0x00), even = u8(0x00, 0x00);
  const seq = [d.decode(odd, { stream: true }), d.decode(odd)];
  try { d.decode(even, { stream: true }); d.decode(odd); seq.push('no'); } catch (e) { seq.push(e.name); }
  try { d.decode(odd, { stream: true }); d.decode(even); seq.push('no'); } catch (e) { seq.push(e.name); }
  seq.push(d.decode(even, { stream: true }), d.decode(even));
  return new Response(`${escape(out.join(','))}\n${errs.join(',')}\n${escape(seq.join(','))}\n`);
} };
--- request
GET /t
--- response_body
A%2C%uFEFF%2CA%2C%uFEFFA%2C%uFFFEA%2C%uFFFD%uFFFD%2C%uFEFF%2C%uFFFD%2C%uFFFD%2C%uFFFD%00%2C%uFFFD%00%2C%uFFFD%uFFFD%2C%uD834%uDD1E%2C%uFFFD%2CA%uFFFD%2C%uFFFD%uD800%uDC00
TypeError,TypeError,TypeError,TypeError,TypeError
%2C%00%2CTypeError%2CTypeError%2C%00%2C%00
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: streaming keeps each decoder's state between calls: ISO-2022-JP escapes and characters split anywhere, gb18030 four-byte sequences, UTF-16 in windows of 1 to 5 bytes (wpt's textdecoder-streaming), Big5 end of queue
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
const CASES = [
  ['iso-2022-jp', [0x41, 0x1B, 0x24, 0x42, 0x30, 0x21, 0x24, 0x22, 0x1B, 0x28, 0x49, 0x31, 0x1B, 0x28, 0x4A, 0x5C, 0x1B, 0x28, 0x42, 0x5C]],
  ['iso-2022-jp', [0x1B, 0x24, 0x40, 0x1B, 0x24, 0x50, 0x50, 0x1B]],
  ['gb18030', [0x81, 0x30, 0x81, 0x30, 0x41, 0x90, 0x30, 0x81, 0x30, 0x81, 0x30, 0xFE, 0x29, 0xA3, 0xA0, 0x81]],
  ['shift_jis', [0x82, 0xA0, 0x85, 0x40, 0x82]],
  ['euc-jp', [0x8F, 0xB0, 0xA1, 0x8E, 0xB1, 0xA4, 0xA2, 0x8F, 0xB0]],
  ['big5', [0x88, 0x62, 0x81, 0x40, 0xA4, 0x40, 0x87]],
  ['euc-kr', [0xB0, 0xA1, 0x81, 0x5B, 0xB0]],
  ['utf-16le', [0x00, 0x00, 0x31, 0x00, 0x32, 0x00, 0x33, 0x00, 0x41, 0x00, 0x42, 0x00, 0x43, 0x00, 0x61, 0x00, 0x62, 0x00, 0x63, 0x00, 0x80, 0x00, 0xFF, 0x00, 0x00, 0x01, 0x00, 0x10, 0xFD, 0xFF, 0x00, 0xD8, 0x00, 0xDC, 0xFF, 0xDB, 0xFF, 0xDF]],
  ['utf-16be', [0x00, 0x00, 0x00, 0x31, 0x00, 0x32, 0x00, 0x33, 0x00, 0x41, 0x00, 0x42, 0x00, 0x43, 0x00, 0x61, 0x00, 0x62, 0x00, 0x63, 0x00, 0x80, 0x00, 0xFF, 0x01, 0x00, 0x10, 0x00, 0xFF, 0xFD, 0xD8, 0x00, 0xDC, 0x00, 0xDB, 0xFF, 0xDF, 0xFF]],
];
export default { fetch() {
  const fails = [];
  let n = 0;
  for (const [enc, bytes] of CASES) {
    const want = new TextDecoder(enc).decode(new Uint8Array(bytes));
    for (let len = 1; len <= 5; len++) {
      const d = new TextDecoder(enc);
      let got = '';
      for (let i = 0; i < bytes.length; i += len) got += d.decode(new Uint8Array(bytes.slice(i, i + len)), { stream: true });
      got += d.decode();
      n++;
      if (got !== want) fails.push(`${enc} by ${len}: ${escape(got)} want ${escape(want)}`);
    }
  }
  const u16 = '\x00123ABCabc\x80\xFF\u0100\u1000\uFFFD\uD800\uDC00\uDBFF\uDFFF';
  if (new TextDecoder('utf-16le').decode(new Uint8Array(CASES[7][1])) !== u16) fails.push('utf-16le string');
  const j = new TextDecoder('iso-2022-jp');
  const jis = [j.decode(new Uint8Array([0x1B, 0x24]), { stream: true }), j.decode(new Uint8Array([0x42, 0x30]), { stream: true }),
    j.decode(new Uint8Array([0x21]), { stream: true }), j.decode(new Uint8Array([0x21])), j.decode(new Uint8Array([0x21]))];
  const b = new TextDecoder('big5');
  const big5 = [b.decode(new Uint8Array([0x81, 0x40]), { stream: true }), b.decode(), b.decode(new Uint8Array([0x81]), { stream: true }),
    b.decode(new Uint8Array([0x40]), { stream: true }), b.decode(), b.decode(new Uint8Array([0xA4]), { stream: true }), b.decode()];
  return new Response(`${fails.length ? fails.join('\n') : `ok ${n}`}\n${escape(jis.join(','))}\n${escape(big5.join(','))}\n`);
} };
--- request
GET /t
--- response_body
ok 45
%2C%2C%u4E9C%2C%uFFFD%2C%21
%uFFFD@%2C%2C%2C%uFFFD@%2C%2C%2C%uFFFD
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: fatal mode: the first error of each encoding throws a TypeError, also at the end of the input, and the decoder starts afresh after it
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
const BAD = [
  ['shift_jis', [0x41, 0x85, 0x40]], ['shift_jis', [0x82]], ['euc-jp', [0xA1, 0x8E, 0xA1]], ['euc-jp', [0x8F, 0xB0]],
  ['euc-kr', [0xC9, 0xA1]], ['big5', [0x81, 0x40]], ['gbk', [0x81, 0x30, 0xFF]], ['gb18030', [0x84, 0x31, 0xA5, 0x30]],
  ['iso-2022-jp', [0x0E]], ['iso-2022-jp', [0x1B, 0x24]], ['iso-2022-jp', [0x1B, 0x28, 0x42, 0x1B, 0x28, 0x42]],
  ['iso-2022-jp', [0x1B, 0x24, 0x42, 0x30]], ['windows-1253', [0xAA]], ['utf-16be', [0xDC, 0x00]], ['utf-16le', [0x41]],
];
export default { fetch() {
  const out = [];
  for (const [enc, bytes] of BAD) {
    const d = new TextDecoder(enc, { fatal: true });
    try { out.push(`${enc}:${escape(d.decode(new Uint8Array(bytes)))}`); } catch (e) {
      out.push(e instanceof TypeError && e.message.includes(enc) ? 'T' : `${e.name}:${e.message}`);
    }
  }
  const s = new TextDecoder('shift_jis', { fatal: true });
  let after;
  try { s.decode(new Uint8Array([0x82]), { stream: true }); s.decode(new Uint8Array([0xFF]), { stream: true }); after = 'no'; }
  catch (e) { after = `${e.name} ${escape(s.decode(new Uint8Array([0xA1]), { stream: true }))}`; }
  const j = new TextDecoder('iso-2022-jp', { fatal: true });
  j.decode(new Uint8Array([0x1B, 0x24, 0x42]), { stream: true });
  try { j.decode(new Uint8Array([0x30])); after += ' no'; } catch (e) { after += ` ${e.name} ${j.decode(new Uint8Array([0x30, 0x21]))}`; }
  return new Response(`${out.join('')}\n${after}\n`);
} };
--- request
GET /t
--- response_body
TTTTTTTTTTTTTTT
TypeError %uFF61 TypeError 0!
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: TextDecoder's methods on other receivers, bad inputs and options throw a TypeError; replaced built-ins do not steer labels or decoding
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
const P = TextDecoder.prototype;
const get = (k) => Object.getOwnPropertyDescriptor(P, k).get;
export default { fetch() {
  const sj = new TextDecoder('shift_jis');
  const calls = [
    () => P.decode.call({}, new Uint8Array(1)), () => P.decode.call(new TextEncoder(), new Uint8Array(1)),
    () => P.decode.call(Object.create(sj), new Uint8Array(1)), () => get('encoding').call({}),
    () => get('fatal').call(Object.create(P)), () => get('ignoreBOM').call(null), () => get('encoding').call(42),
    () => sj.decode('bytes'), () => sj.decode(42), () => sj.decode({ buffer: new ArrayBuffer(2), byteLength: 2 }),
    () => sj.decode(null), () => sj.decode(new Uint8Array(1), 42), () => new TextDecoder('big5', 42),
    () => new TextDecoder('big5', 'fatal'),
    () => TextDecoder('big5'),
  ];
  const names = calls.map((f) => { try { f(); return 'none'; } catch (e) { return e instanceof TypeError ? 'T' : e.name; } });
  // the runtime captured what it uses when it was built
  const saved = [globalThis.Uint8Array, Reflect.apply, String.prototype.charCodeAt, String.fromCharCode,
    String.prototype.toLowerCase, String.prototype.trim, Object.create];
  globalThis.Uint8Array = function () { throw new Error('replaced Uint8Array'); };
  Reflect.apply = () => { throw new Error('replaced Reflect.apply'); };
  String.prototype.charCodeAt = () => 0x41;
  String.fromCharCode = () => 'utf-8';
  String.prototype.toLowerCase = () => 'utf-8';
  String.prototype.trim = () => 'utf-8';
  Object.defineProperty(Object.prototype, 'shift_jis', { get() { throw new Error('prototype lookup'); }, configurable: true });
  Object.defineProperty(Object.prototype, 'sjis', { value: 'utf-8', configurable: true });
  let res;
  try {
    const d = new TextDecoder(' SJIS ');
    const d2 = new TextDecoder('x-user-defined');
    res = `${d.encoding} ${escape(d.decode(new saved[0]([0x82, 0xA0]), { stream: true }) + d.decode())} ${escape(d2.decode(new saved[0]([0x80])))}`;
  } catch (e) { res = `threw ${e.message}`; }
  delete Object.prototype.shift_jis; delete Object.prototype.sjis;
  [globalThis.Uint8Array, Reflect.apply, String.prototype.charCodeAt, String.fromCharCode,
    String.prototype.toLowerCase, String.prototype.trim] = saved;
  class Mine extends TextDecoder { constructor() { super('euc-kr'); } }
  const m = new Mine();
  return new Response(`${names.join('')}\n${res}\n${m.encoding} ${escape(m.decode(new Uint8Array([0xB0, 0xA1])))} ${Object.prototype.toString.call(m)}\n`);
} };
--- request
GET /t
--- response_body
TTTTTTTTTTTTTTT
shift_jis %u3042 %uF780
euc-kr %uAC00 [object TextDecoder]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: a 50 MB decode under js_function_memory 32m ends in 503 and a memory log line, not a crash
--- config
    location /big {
        js_function_memory 32m;
        js_function $TEST_NGINX_SERVER_ROOT/html/big.js;
    }
--- user_files
>>> big.js
export default { fetch() {
    const s = new TextDecoder('shift_jis').decode(new Uint8Array(50 << 20).fill(0xA1));
    return new Response(`decoded ${s.length}`);
} };
--- request
GET /big
--- error_code: 503
--- response_body_unlike: decoded
--- error_log
memory limit of 32 MB exceeded (js_function_memory)
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 12: decoded strings that outgrow the heap stop the isolate at its memory limit; the worker goes on, and a decode that fits is correct
--- config
    location /t {
        js_function_memory 32m;
        js_function $TEST_NGINX_SERVER_ROOT/html/t.js;
    }
--- user_files
>>> t.js
export default { fetch(r) {
    const mb = +new URL(r.url).searchParams.get('mb');
    const input = new Uint8Array(mb << 20).fill(0xA1);
    const keep = [];
    for (let i = 0; i < 4; i++) keep.push(new TextDecoder(i % 2 ? 'euc-jp' : 'shift_jis').decode(input));
    const ok = keep.every((s) => s.length === (mb << 20) / (s === keep[0] ? 1 : 2));
    return new Response(`${keep[0].length} ${keep[1].length} ${escape(keep[0].slice(0, 2) + keep[1].slice(0, 1))} ${ok}`);
} };
--- request eval
["GET /t?mb=6", "GET /t?mb=1", "GET /t?mb=6", "GET /t?mb=1"]
--- error_code eval
[503, 200, 503, 200]
--- response_body_like eval
[qr/.*/, qr/^1048576 524288 %uFF61%uFF61%u3000 true$/, qr/.*/, qr/^1048576 524288 %uFF61%uFF61%u3000 true$/]
--- timeout: 10
--- no_error_log
[alert]
[crit]
exited on signal



=== TEST 13: built-ins replaced before the isolate's first TextDecoder do not steer the label table it builds
--- config
    location /t { js_function $TEST_NGINX_SERVER_ROOT/html/t.js; }
--- user_files
>>> t.js
const boom = () => { throw new Error('replaced built-in called'); };
for (const k of ['split', 'trim', 'toLowerCase', 'replace', 'charCodeAt', 'slice', 'indexOf']) String.prototype[k] = boom;
String.fromCharCode = boom;
Object.create = boom;
Reflect.apply = boom;
Map.prototype.get = boom;
Set.prototype.has = boom;
Object.defineProperty(Object.prototype, 'sjis', { value: 'utf-8', configurable: true });
globalThis.Uint8Array = boom;
export default { fetch() {
  const out = [];
  for (const l of ['\tSJIS ', 'latin1', 'UTF-16', 'sjis2', 'sjis ']) {
    try { out.push(new TextDecoder(l).encoding); } catch (e) { out.push(e.name); }
  }
  return new Response(`${out.join(' ')}\n`);
} };
--- request
GET /t
--- response_body
shift_jis windows-1252 utf-16le RangeError shift_jis
--- no_error_log
[error]
[alert]
[crit]
