/*
 * js/lib/encodings.js: the Encoding Standard's encodings for TextDecoder
 * (20-encoding.js): every label, and the decoders of the encodings other
 * than UTF-8.  A library (js/README.md, "Libraries"): loaded by the first
 * TextDecoder of a label other than "utf-8" (js/19-encodings.js), with the
 * built-ins captured there; its result is
 *
 *   encodingForLabel(string) -> the encoding's name ('shift_jis',
 *       'utf-16le', 'replacement', ...) or null for an unknown label
 *   newDecoder(name) -> { decode(u8, flush, fatal), reset() }, a
 *       RangeError when this build cannot decode that encoding
 *
 * The decoders are natives.decoderOpen / decoderDecode (encoding.cc, with
 * ICU's tables); a decoder's state between streaming calls is an 8-byte
 * Uint8Array kept here.  x-user-defined and ISO-8859-16 (which Debian's ICU
 * lacks) are decoded here.
 */

const nDecoderOpen = typeof natives.decoderOpen === 'function' ? natives.decoderOpen : null;
const nDecoderDecode = typeof natives.decoderDecode === 'function' ? natives.decoderDecode : null;

const { ReflectApply } = internal;
// Parameters after natives and internal: the built-ins js/19-encodings.js
// captured when the snapshot was made: StringPrototypeCharCodeAt,
// StringFromCharCode, Uint8ArrayCtor, Uint16ArrayCtor,
// TypedArrayPrototypeSubarray, TypedArrayLength, RangeErrorCtor.

/*
 * Names and labels, as the Encoding Standard's table gives them (with the
 * labels added since 2017: unicode11utf8, unicode20utf8, x-unicode20utf8,
 * koi8-ru, ms932, and those of UTF-16): a line an encoding, its name first.
 * Made into a map on first use.
 */
const LABELS = `
utf-8 unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8
ibm866 866 cp866 csibm866 ibm866
iso-8859-2 csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2
iso-8859-3 csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3
iso-8859-4 csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4
iso-8859-5 csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988
iso-8859-6 arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987
iso-8859-7 csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek
iso-8859-8 csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 visual
iso-8859-8-i csiso88598i iso-8859-8-i logical
iso-8859-10 csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6
iso-8859-13 iso-8859-13 iso8859-13 iso885913
iso-8859-14 iso-8859-14 iso8859-14 iso885914
iso-8859-15 csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9
iso-8859-16 iso-8859-16
koi8-r cskoi8r koi koi8 koi8-r koi8_r
koi8-u koi8-ru koi8-u
macintosh csmacintosh mac macintosh x-mac-roman
windows-874 dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874
windows-1250 cp1250 windows-1250 x-cp1250
windows-1251 cp1251 windows-1251 x-cp1251
windows-1252 ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252
windows-1253 cp1253 windows-1253 x-cp1253
windows-1254 cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254
windows-1255 cp1255 windows-1255 x-cp1255
windows-1256 cp1256 windows-1256 x-cp1256
windows-1257 cp1257 windows-1257 x-cp1257
windows-1258 cp1258 windows-1258 x-cp1258
x-mac-cyrillic x-mac-cyrillic x-mac-ukrainian
gbk chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk
gb18030 gb18030
big5 big5 big5-hkscs cn-big5 csbig5 x-x-big5
euc-jp cseucpkdfmtjapanese euc-jp x-euc-jp
iso-2022-jp csiso2022jp iso-2022-jp
shift_jis csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis
euc-kr cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949
replacement csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement
utf-16be unicodefffe utf-16be
utf-16le csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le
x-user-defined x-user-defined
`;

let nameOf = null;      // label to name; no prototype, so no inherited key can match
let longestLabel = 0;

const charCodeAt = (s, i) => ReflectApply(StringPrototypeCharCodeAt, s, [i]);

/* parsed with what was captured: it may first run after user code */
function labelMap() {
  const map = { __proto__: null };
  let name = null, word = '';
  for (let i = 0; i <= LABELS.length; i++) {
    const c = i < LABELS.length ? charCodeAt(LABELS, i) : 0x0A;
    if (c !== 0x20 && c !== 0x0A) {
      word += StringFromCharCode(c);
      continue;
    }
    if (word !== '') {
      if (name === null) name = word;
      map[word] = name;
      if (word.length > longestLabel) longestLabel = word.length;
      word = '';
    }
    if (c === 0x0A) name = null;
  }
  nameOf = map;
  return map;
}

const isASCIIWhitespace = (c) => c === 0x09 || c === 0x0A || c === 0x0C || c === 0x0D || c === 0x20;

/* "get an encoding": strip ASCII whitespace, ASCII-lowercase, look up */
function encodingForLabel(label) {
  let start = 0, end = label.length;
  while (start < end && isASCIIWhitespace(charCodeAt(label, start))) start++;
  while (end > start && isASCIIWhitespace(charCodeAt(label, end - 1))) end--;
  const map = nameOf || labelMap();
  if (end - start > longestLabel) return null;
  let key = '';
  for (let i = start; i < end; i++) {
    const c = charCodeAt(label, i);
    key += StringFromCharCode(c >= 0x41 && c <= 0x5A ? c + 0x20 : c);
  }
  const name = map[key];
  return name === undefined ? null : name;
}

/*
 * index ISO-8859-16 (ICU in Debian has no converter for it): bytes 0x80 to
 * 0xFF are their Latin-1 code points but for these pairs.
 */
const ISO_8859_16_DIFF = [
  0xA1, 0x0104, 0xA2, 0x0105, 0xA3, 0x0141, 0xA4, 0x20AC, 0xA5, 0x201E, 0xA6, 0x0160, 0xA8, 0x0161,
  0xAA, 0x0218, 0xAC, 0x0179, 0xAE, 0x017A, 0xAF, 0x017B, 0xB2, 0x010C, 0xB3, 0x0142, 0xB4, 0x017D,
  0xB5, 0x201D, 0xB8, 0x017E, 0xB9, 0x010D, 0xBA, 0x0219, 0xBC, 0x0152, 0xBD, 0x0153, 0xBE, 0x0178,
  0xBF, 0x017C, 0xC3, 0x0102, 0xC5, 0x0106, 0xD0, 0x0110, 0xD1, 0x0143, 0xD5, 0x0150, 0xD7, 0x015A,
  0xD8, 0x0170, 0xDD, 0x0118, 0xDE, 0x021A, 0xE3, 0x0103, 0xE5, 0x0107, 0xF0, 0x0111, 0xF1, 0x0144,
  0xF5, 0x0151, 0xF7, 0x015B, 0xF8, 0x0171, 0xFD, 0x0119, 0xFE, 0x021B,
];
let iso885916 = null, xUserDefined = null;

function iso885916Table() {
  const t = new Uint16ArrayCtor(256);
  for (let b = 0; b < 256; b++) t[b] = b;
  for (let i = 0; i < ISO_8859_16_DIFF.length; i += 2) t[ISO_8859_16_DIFF[i]] = ISO_8859_16_DIFF[i + 1];
  return t;
}

/* x-user-defined: bytes 0x80 to 0xFF are U+F780 to U+F7FF */
function xUserDefinedTable() {
  const t = new Uint16ArrayCtor(256);
  for (let b = 0; b < 256; b++) t[b] = b < 0x80 ? b : 0xF780 + b - 0x80;
  return t;
}

/* A stateless single-byte decoder whose every byte maps: no errors. */
class TableDecoder {
  #table;

  constructor(table) { this.#table = table; }

  decode(bytes) {
    const table = this.#table, n = ReflectApply(TypedArrayLength, bytes, []);
    const units = new Uint16ArrayCtor(n < 8192 ? n : 8192);
    let out = '';
    for (let i = 0; i < n; i += 8192) {
      const m = n - i < 8192 ? n - i : 8192;
      for (let k = 0; k < m; k++) units[k] = table[bytes[i + k]];
      out += ReflectApply(StringFromCharCode, null, m === 8192 ? units : ReflectApply(TypedArrayPrototypeSubarray, units, [0, m]));
    }
    return out;
  }

  reset() {}
}

/* One of encoding.cc's decoders and its state between streaming calls. */
class NativeDecoder {
  #id;
  #state = new Uint8ArrayCtor(8);

  constructor(id) { this.#id = id; }

  decode(bytes, flush, fatal) {
    return nDecoderDecode(this.#id, this.#state, bytes, flush, fatal);
  }

  reset() { this.#state = new Uint8ArrayCtor(8); }
}

function newDecoder(name) {
  if (name === 'x-user-defined') return new TableDecoder(xUserDefined || (xUserDefined = xUserDefinedTable()));
  if (name === 'iso-8859-16') return new TableDecoder(iso885916 || (iso885916 = iso885916Table()));
  if (nDecoderOpen === null || nDecoderDecode === null) {
    throw new RangeErrorCtor(`Failed to construct 'TextDecoder': The encoding '${name}' is not supported.`);
  }
  return new NativeDecoder(nDecoderOpen(name));
}

return { encodingForLabel, newDecoder };
