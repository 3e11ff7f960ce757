// 10-url.js: WHATWG URL Standard: the `URL` and `URLSearchParams` globals.
//
// The parser is a direct transcription of the spec's "basic URL parser" state
// machine (https://url.spec.whatwg.org/#concept-basic-url-parser), working on
// an array of code points. A URL record is a plain object:
//   { scheme, username, password, host, port, path, query, fragment }
// where `host` is null or the *serialized* host (IPv6 kept in brackets),
// `port` is null or a number, and `path` is an array of segments or, for an
// opaque path ("mailto:x", "data:..."), a string.
//
// IDNA: ASCII hosts are lowercased (the spec's fast path, which is also what
// browsers do for "xn--" labels). Non-ASCII hosts get an approximation of
// UTS #46 (mapping via per-code-point lowercase + NFKC, a list of ignored code
// points, a category-based disallowed check, NFC, approximate CheckBidi and
// CheckJoiners) followed by Punycode. There are no Unicode data tables here.

const utf8DecodeNative = natives && typeof natives.utf8Decode === 'function'
  ? natives.utf8Decode : null;

// ---------------------------------------------------------------- strings

// Web IDL USVString conversion: String(), but Symbols throw (template literal
// does that for us) and lone surrogates become U+FFFD.
const SURROGATE_RE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// a string V8 holds in one byte a character has no surrogates (natives.cc;
// absent under Node's unit tests)
const isOneByte = natives && typeof natives.isOneByte === 'function' ? natives.isOneByte : () => false;
function toUSV(v) {
  const s = typeof v === 'string' ? v : `${v}`;
  if (isOneByte(s)) return s;
  return SURROGATE_RE.test(s) ? s.replace(LONE_SURROGATE_RE, '\uFFFD') : s;
}

// UTF-8 decode with replacement (the Encoding Standard's decoder, no BOM
// handling). Used for percent-decoded bytes; the native is preferred.
function utf8DecodeJS(bytes) {
  let out = '';
  const units = [];
  let needed = 0, seen = 0, cp = 0, lower = 0x80, upper = 0xBF;
  const flush = () => { out += String.fromCharCode.apply(null, units); units.length = 0; };
  const emit = (c) => {
    if (c > 0xFFFF) { c -= 0x10000; units.push(0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF)); }
    else units.push(c);
    if (units.length > 8000) flush();
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (needed === 0) {
      if (b <= 0x7F) emit(b);
      else if (b >= 0xC2 && b <= 0xDF) { needed = 1; cp = b & 0x1F; }
      else if (b >= 0xE0 && b <= 0xEF) {
        if (b === 0xE0) lower = 0xA0; else if (b === 0xED) upper = 0x9F;
        needed = 2; cp = b & 0xF;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b === 0xF0) lower = 0x90; else if (b === 0xF4) upper = 0x8F;
        needed = 3; cp = b & 0x7;
      } else emit(0xFFFD);
      continue;
    }
    if (b < lower || b > upper) {
      // Invalid continuation: replace the incomplete sequence, then reprocess b.
      needed = seen = cp = 0; lower = 0x80; upper = 0xBF;
      emit(0xFFFD); i--;
      continue;
    }
    lower = 0x80; upper = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
    if (++seen === needed) { emit(cp); needed = seen = cp = 0; }
  }
  if (needed !== 0) emit(0xFFFD);
  flush();
  return out;
}
function utf8Decode(bytes) {
  return utf8DecodeNative ? utf8DecodeNative(Uint8Array.from(bytes), false) : utf8DecodeJS(bytes);
}

// Append the UTF-8 bytes of code point cp to the array `out`.
function pushUtf8(out, cp) {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xC0 | (cp >> 6), 0x80 | (cp & 0x3F));
  else if (cp < 0x10000) out.push(0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F));
  else out.push(0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F));
}

// ------------------------------------------------------- percent-encoding

// One bit per percent-encode set; SETS[c] says which sets ASCII c is in.
// Every set contains the C0 controls, U+007F and all non-ASCII code points.
const S_C0 = 1, S_FRAGMENT = 2, S_QUERY = 4, S_SPECIAL_QUERY = 8, S_PATH = 16,
  S_USERINFO = 32, S_COMPONENT = 64, S_FORM = 128;
const SETS = new Uint8Array(128);
function defineSet(bit, chars) {
  for (let i = 0; i < 0x20; i++) SETS[i] |= bit;
  SETS[0x7F] |= bit;
  for (let i = 0; i < chars.length; i++) SETS[chars.charCodeAt(i)] |= bit;
}
const QUERY_CHARS = ' "#<>';
const PATH_CHARS = QUERY_CHARS + '?^`{}';
const USERINFO_CHARS = PATH_CHARS + '/:;=@[\\]|';
const COMPONENT_CHARS = USERINFO_CHARS + '$%&+,';
defineSet(S_C0, '');
defineSet(S_FRAGMENT, ' "<>`');
defineSet(S_QUERY, QUERY_CHARS);
defineSet(S_SPECIAL_QUERY, QUERY_CHARS + "'");
defineSet(S_PATH, PATH_CHARS);
defineSet(S_USERINFO, USERINFO_CHARS);
defineSet(S_COMPONENT, COMPONENT_CHARS);
defineSet(S_FORM, COMPONENT_CHARS + "!'()~");

const HEX_BYTE = [];
for (let i = 0; i < 256; i++) HEX_BYTE.push('%' + (i < 16 ? '0' : '') + i.toString(16).toUpperCase());

function percentEncodeCodePoint(cp) {
  const bytes = [];
  pushUtf8(bytes, cp);
  let s = '';
  for (const b of bytes) s += HEX_BYTE[b];
  return s;
}

// UTF-8 percent-encode the whole string s with the given set. Lone
// surrogates encode as U+FFFD. Returns s itself when nothing changes.
function percentEncode(s, set, spaceAsPlus = false) {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || (SETS[c] & set) || (spaceAsPlus && c === 0x20)) break;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (spaceAsPlus && c === 0x20) out += '+';
      else out += (SETS[c] & set) ? HEX_BYTE[c] : s[i];
      continue;
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xDBFF && d >= 0xDC00 && d <= 0xDFFF) { c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00); i++; }
      else c = 0xFFFD;
    }
    out += percentEncodeCodePoint(c);
  }
  return out;
}

// Encode one code point given as a (one or two unit) string.
function encodeChar(ch, set) {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return (SETS[c] & set) ? HEX_BYTE[c] : ch;
  return percentEncode(ch, set);
}

function hexVal(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

// Percent-decode the UTF-8 encoding of string s into an array of bytes.
function percentDecodeBytes(s) {
  const out = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && hexVal(s.charCodeAt(i + 1)) >= 0 && hexVal(s.charCodeAt(i + 2)) >= 0) {
      out.push(hexVal(s.charCodeAt(i + 1)) * 16 + hexVal(s.charCodeAt(i + 2)));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      if (c >= 0xD800 && c <= 0xDFFF) {
        const d = s.charCodeAt(i + 1);
        if (c <= 0xDBFF && d >= 0xDC00 && d <= 0xDFFF) { c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00); i++; }
        else c = 0xFFFD;
      }
      pushUtf8(out, c);
    }
  }
  return out;
}

// Percent-decode s, then UTF-8 decode without BOM (with replacement).
function percentDecodeString(s) {
  if (s.indexOf('%') === -1) return toUSV(s);
  return utf8Decode(percentDecodeBytes(s));
}

// ------------------------------------------------ application/x-www-form-urlencoded

function formParse(input) {
  const list = [];
  if (input === '') return list;
  for (const seq of input.split('&')) {
    if (seq === '') continue;
    const eq = seq.indexOf('=');
    let name = eq === -1 ? seq : seq.slice(0, eq);
    let value = eq === -1 ? '' : seq.slice(eq + 1);
    if (name.indexOf('+') !== -1) name = name.replace(/\+/g, ' ');
    if (value.indexOf('+') !== -1) value = value.replace(/\+/g, ' ');
    list.push([percentDecodeString(name), percentDecodeString(value)]);
  }
  return list;
}

function formSerialize(list) {
  let out = '';
  for (let i = 0; i < list.length; i++) {
    if (i) out += '&';
    out += percentEncode(list[i][0], S_FORM, true) + '=' + percentEncode(list[i][1], S_FORM, true);
  }
  return out;
}

// ---------------------------------------------------------------- hosts

const SPECIAL_PORTS = new Map([['ftp', 21], ['file', null], ['http', 80], ['https', 443], ['ws', 80], ['wss', 443]]);
const isSpecial = (scheme) => SPECIAL_PORTS.has(scheme);
const defaultPort = (scheme) => (SPECIAL_PORTS.has(scheme) ? SPECIAL_PORTS.get(scheme) : null);

const FORBIDDEN_HOST_RE = /[\0\t\n\r #/:<>?@[\\\]^|]/;
const FORBIDDEN_DOMAIN_RE = /[\0-\x20#%/:<>?@[\\\]^|\x7F]/;

const DEC_RE = /^[0-9]+$/, HEX_RE = /^[0-9a-fA-F]+$/, OCT_RE = /^[0-7]+$/;

function parseIPv4Number(s) {
  if (s === '') return NaN;
  let radix = 10;
  if (s.length >= 2 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X')) { s = s.slice(2); radix = 16; }
  else if (s.length >= 2 && s[0] === '0') { s = s.slice(1); radix = 8; }
  if (s === '') return 0;
  if (!(radix === 10 ? DEC_RE : radix === 16 ? HEX_RE : OCT_RE).test(s)) return NaN;
  return parseInt(s, radix); // may be imprecise when huge, but then it is > 2^32 anyway
}

function endsInANumber(s) {
  // The last label, ignoring one trailing dot.
  let end = s.length;
  if (end > 1 && s.charCodeAt(end - 1) === 0x2E) end--;
  const last = s.slice(s.lastIndexOf('.', end - 1) + 1, end);
  // Fast exit for the usual "com"-like label: numbers start with a digit.
  const c = last.charCodeAt(0);
  if (!(c >= 0x30 && c <= 0x39)) return false;
  if (DEC_RE.test(last)) return true;
  return !Number.isNaN(parseIPv4Number(last));
}

// Returns the serialized IPv4 address, or null on failure.
function parseIPv4(s) {
  const parts = s.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) return null;
  const nums = [];
  for (const p of parts) {
    const n = parseIPv4Number(p);
    if (Number.isNaN(n)) return null;
    nums.push(n);
  }
  for (let i = 0; i < nums.length - 1; i++) if (nums[i] > 255) return null;
  if (nums[nums.length - 1] >= 256 ** (5 - nums.length)) return null;
  let ipv4 = nums[nums.length - 1];
  for (let i = 0; i < nums.length - 1; i++) ipv4 += nums[i] * 256 ** (3 - i);
  return `${ipv4 >>> 24}.${(ipv4 >>> 16) & 255}.${(ipv4 >>> 8) & 255}.${ipv4 & 255}`;
}

// Returns an array of 8 pieces, or null on failure.
function parseIPv6(input) {
  const address = [0, 0, 0, 0, 0, 0, 0, 0];
  let pieceIndex = 0, compress = null, p = 0;
  const len = input.length;
  const at = (i) => (i < len ? input.charCodeAt(i) : -1);
  const isDigit = (c) => c >= 0x30 && c <= 0x39;
  if (at(p) === 0x3A) {
    if (at(p + 1) !== 0x3A) return null;
    p += 2;
    compress = ++pieceIndex;
  }
  while (at(p) !== -1) {
    if (pieceIndex === 8) return null;
    if (at(p) === 0x3A) {
      if (compress !== null) return null;
      p++;
      compress = ++pieceIndex;
      continue;
    }
    let value = 0, length = 0;
    while (length < 4 && at(p) !== -1 && hexVal(at(p)) >= 0) {
      value = value * 16 + hexVal(at(p));
      p++; length++;
    }
    if (at(p) === 0x2E) {
      // Embedded IPv4 in the last two pieces.
      if (length === 0) return null;
      p -= length;
      if (pieceIndex > 6) return null;
      let numbersSeen = 0;
      while (at(p) !== -1) {
        let piece = null;
        if (numbersSeen > 0) {
          if (at(p) === 0x2E && numbersSeen < 4) p++;
          else return null;
        }
        if (!isDigit(at(p))) return null;
        while (isDigit(at(p))) {
          const n = at(p) - 0x30;
          if (piece === null) piece = n;
          else if (piece === 0) return null;
          else piece = piece * 10 + n;
          if (piece > 255) return null;
          p++;
        }
        address[pieceIndex] = address[pieceIndex] * 0x100 + piece;
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
      }
      if (numbersSeen !== 4) return null;
      break;
    } else if (at(p) === 0x3A) {
      p++;
      if (at(p) === -1) return null;
    } else if (at(p) !== -1) {
      return null;
    }
    address[pieceIndex++] = value;
  }
  if (compress !== null) {
    let swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex !== 0 && swaps > 0) {
      const t = address[pieceIndex];
      address[pieceIndex] = address[compress + swaps - 1];
      address[compress + swaps - 1] = t;
      pieceIndex--; swaps--;
    }
  } else if (pieceIndex !== 8) {
    return null;
  }
  return address;
}

function serializeIPv6(a) {
  // Compress the first longest run of two or more zero pieces.
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (a[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && a[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  let out = '[';
  for (let i = 0; i < 8; i++) {
    if (i === best) { out += i === 0 ? '::' : ':'; i += bestLen - 1; continue; }
    out += a[i].toString(16);
    if (i !== 7) out += ':';
  }
  return out + ']';
}

// ----------------------------------------------------------- IDNA (subset)

const PUNY_BASE = 36, PUNY_TMIN = 1, PUNY_TMAX = 26, PUNY_SKEW = 38, PUNY_DAMP = 700;
function punyAdapt(delta, numPoints, first) {
  delta = first ? Math.floor(delta / PUNY_DAMP) : delta >> 1;
  delta += Math.floor(delta / numPoints);
  let k = 0;
  while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) >> 1) {
    delta = Math.floor(delta / (PUNY_BASE - PUNY_TMIN));
    k += PUNY_BASE;
  }
  return k + Math.floor(((PUNY_BASE - PUNY_TMIN + 1) * delta) / (delta + PUNY_SKEW));
}
const punyDigit = (d) => String.fromCharCode(d < 26 ? d + 97 : d + 22);

// RFC 3492 encode of a label (string of code points); returns ASCII.
function punycodeEncode(label) {
  const cps = Array.from(label, (ch) => ch.codePointAt(0));
  let out = '';
  for (const cp of cps) if (cp < 0x80) out += String.fromCharCode(cp);
  const basic = out.length;
  let handled = basic;
  if (basic > 0) out += '-';
  let n = 0x80, delta = 0, bias = 72;
  while (handled < cps.length) {
    let m = Infinity;
    for (const cp of cps) if (cp >= n && cp < m) m = cp;
    delta += (m - n) * (handled + 1);
    n = m;
    for (const cp of cps) {
      if (cp < n) delta++;
      if (cp === n) {
        let q = delta;
        for (let k = PUNY_BASE; ; k += PUNY_BASE) {
          const t = k <= bias ? PUNY_TMIN : k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;
          if (q < t) break;
          out += punyDigit(t + ((q - t) % (PUNY_BASE - t)));
          q = Math.floor((q - t) / (PUNY_BASE - t));
        }
        out += punyDigit(q);
        bias = punyAdapt(delta, handled + 1, handled === basic);
        delta = 0;
        handled++;
      }
    }
    delta++; n++;
  }
  return out;
}

// RFC 3492 decode; returns the Unicode label or null on failure.
function punycodeDecode(input) {
  if (/[^\x00-\x7F]/.test(input)) return null;
  const out = [];
  let b = input.lastIndexOf('-');
  if (b < 0) b = 0;
  for (let j = 0; j < b; j++) out.push(input.charCodeAt(j));
  let n = 0x80, i = 0, bias = 72;
  for (let p = b > 0 ? b + 1 : 0; p < input.length;) {
    const oldi = i;
    let w = 1;
    for (let k = PUNY_BASE; ; k += PUNY_BASE) {
      if (p >= input.length) return null;
      const c = input.charCodeAt(p++);
      const digit = c >= 0x30 && c <= 0x39 ? c - 22 : c >= 0x41 && c <= 0x5A ? c - 0x41
        : c >= 0x61 && c <= 0x7A ? c - 0x61 : -1;
      if (digit < 0) return null;
      i += digit * w;
      const t = k <= bias ? PUNY_TMIN : k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;
      if (digit < t) break;
      w *= PUNY_BASE - t;
      if (i > 0x10FFFF * 64) return null;
    }
    bias = punyAdapt(i - oldi, out.length + 1, oldi === 0);
    n += Math.floor(i / (out.length + 1));
    i %= out.length + 1;
    if (n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF)) return null;
    out.splice(i++, 0, n);
  }
  return String.fromCodePoint(...out);
}

// Code points UTS #46 maps to nothing ("ignored").
const IDNA_IGNORED_RE = /[\u00AD\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B\u2060-\u2064\u206A-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\u{1BCA0}-\u{1BCA3}\u{1D173}-\u{1D17A}\u{E0100}-\u{E01EF}]/gu;
// Approximation of UTS #46 "disallowed": unassigned, private use, surrogates,
// controls, format characters (joiners are handled by CheckJoiners), spaces, line
// and paragraph separators, U+FFFD, ideographic description characters.
const IDNA_DISALLOWED_RE = /[\p{Cn}\p{Co}\p{Cs}\p{Cc}\p{Zs}\p{Zl}\p{Zp}\uFFFC\uFFFD\u2FF0-\u2FFF]|(?![\u200C\u200D])\p{Cf}/u;
const IDNA_DOTS_RE = /[\u3002\uFF0E\uFF61]/g;
// Viramas (canonical combining class 9) in common scripts, for CheckJoiners.
const VIRAMA_RE = /[\u094D\u09CD\u0A4D\u0ACD\u0B4D\u0BCD\u0C4D\u0CCD\u0D3B\u0D3C\u0D4D\u0DCA\u0E3A\u0EBA\u0F84\u1039\u103A\u1714\u1715\u1734\u17D2\u1A60\u1B44\u1BAA\u1BAB\u1BF2\u1BF3\u2D7F\uA806\uA82C\uA8C4\uA953\uA9C0\uAAF6\uABED\u{10A3F}\u{11046}\u{11070}\u{1107F}\u{110B9}\u{11133}\u{11134}\u{111C0}\u{11235}\u{112EA}\u{1134D}\u{11442}\u{114C2}\u{115BF}\u{1163F}\u{116B6}\u{1172B}\u{11839}\u{1193D}\u{1193E}\u{119E0}\u{11A34}\u{11A47}\u{11A99}\u{11C3F}\u{11D44}\u{11D45}\u{11D97}]/u;
// Scripts whose letters join (Joining_Type D/L/R), for the ZWNJ rule.
const JOINING_RE = /[\p{sc=Arabic}\p{sc=Syriac}\p{sc=Nko}\p{sc=Mongolian}\p{sc=Phags_Pa}\p{sc=Mandaic}\p{sc=Manichaean}\p{sc=Psalter_Pahlavi}\p{sc=Adlam}\p{sc=Hanifi_Rohingya}\p{sc=Sogdian}]/u;
const MARK_RE = /^\p{M}/u;
const RTL_RE = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFE\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

// Simplified Bidi_Class of a code point, enough for RFC 5893.
function bidiClass(ch) {
  const cp = ch.codePointAt(0);
  if (MARK_RE.test(ch)) return 'NSM';
  if (cp >= 0x30 && cp <= 0x39) return 'EN';
  if ((cp >= 0x660 && cp <= 0x669) || cp === 0x66B || cp === 0x66C) return 'AN';
  if (cp >= 0x6F0 && cp <= 0x6F9) return 'EN';
  if (RTL_RE.test(ch)) return 'R';
  if (cp === 0x2B || cp === 0x2D) return 'ES';
  if (/\p{L}/u.test(ch)) return 'L';
  if (/\p{N}/u.test(ch)) return 'EN';
  return 'ON';
}

function checkBidiLabel(label) {
  const cls = Array.from(label, bidiClass);
  if (cls.length === 0) return true;
  let end = cls.length - 1;
  while (end > 0 && cls[end] === 'NSM') end--;
  if (cls[0] === 'R') {
    if (cls.includes('L')) return false;
    if (cls.includes('EN') && cls.includes('AN')) return false;
    return cls[end] === 'R' || cls[end] === 'EN' || cls[end] === 'AN';
  }
  if (cls[0] === 'L') {
    if (cls.includes('R') || cls.includes('AN')) return false;
    return cls[end] === 'L' || cls[end] === 'EN';
  }
  return false;
}

function checkJoiners(label) {
  const cps = Array.from(label);
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i];
    if (ch !== '\u200C' && ch !== '\u200D') continue;
    if (i > 0 && VIRAMA_RE.test(cps[i - 1])) continue;
    if (ch === '\u200D') return false;
    // ZWNJ between two joining letters (skipping transparent marks).
    let a = i - 1, b = i + 1;
    while (a >= 0 && MARK_RE.test(cps[a])) a--;
    while (b < cps.length && MARK_RE.test(cps[b])) b++;
    if (a < 0 || b >= cps.length || !JOINING_RE.test(cps[a]) || !JOINING_RE.test(cps[b])) return false;
  }
  return true;
}

// UTS #46 mapping of one code point (approximation), or null if disallowed.
function idnaMap(ch) {
  if (IDNA_DISALLOWED_RE.test(ch)) return null;
  const m = ch.toLowerCase().normalize('NFKC').toLowerCase();
  // Compatibility mappings that would create a label separator (U+2024,
  // U+FE12, ...) are disallowed in UTS #46. (The real full stops were
  // replaced by '.' before mapping.)
  if (/[.\u3002\uFF0E\uFF61]/.test(m) && ch !== '.') return null;
  return m;
}

function validLabel(label, fromPunycode) {
  if (label === '') return true;
  if (MARK_RE.test(label)) return false;
  if (label.normalize('NFC') !== label) return false;
  for (const ch of label) {
    const m = idnaMap(ch);
    if (m === null) return false;
    if (fromPunycode && m !== ch) return false;  // decoded labels must be already mapped
  }
  return checkJoiners(label);
}

// Domain to ASCII with beStrict = false. Returns null on failure.
function domainToASCII(domain) {
  let result;
  if (!/[^\x00-\x7F]/.test(domain)) {
    result = domain.toLowerCase();
  } else {
    // 1. Map.
    let mapped = '';
    for (const ch of domain.replace(IDNA_IGNORED_RE, '').replace(IDNA_DOTS_RE, '.')) {
      if (ch.charCodeAt(0) < 0x80) { mapped += ch.toLowerCase(); continue; }
      const m = idnaMap(ch);
      if (m === null) return null;
      mapped += m;
    }
    // 2. Normalize, 3. break into labels, 4. convert/validate.
    const labels = mapped.normalize('NFC').split('.');
    const unicode = [];
    for (const label of labels) {
      if (label.startsWith('xn--')) {
        const dec = punycodeDecode(label.slice(4));
        if (dec === null || dec === '' || !/[^\x00-\x7F]/.test(dec) || !validLabel(dec, true)) return null;
        unicode.push(dec);
      } else {
        if (!validLabel(label, false)) return null;
        unicode.push(label);
      }
    }
    // CheckBidi applies only to a "Bidi domain name".
    if (unicode.some((l) => Array.from(l, bidiClass).some((c) => c === 'R' || c === 'AN'))) {
      for (const l of unicode) if (!checkBidiLabel(l)) return null;
    }
    result = labels.map((l, i) => (/[^\x00-\x7F]/.test(unicode[i]) && !l.startsWith('xn--')
      ? 'xn--' + punycodeEncode(unicode[i]) : l)).join('.');
  }
  return result === '' ? null : result;
}

// The host parser. Returns the serialized host or null on failure.
function parseHost(input, isOpaque) {
  if (input[0] === '[') {
    if (input[input.length - 1] !== ']') return null;
    const a = parseIPv6(input.slice(1, -1));
    return a === null ? null : serializeIPv6(a);
  }
  if (isOpaque) {
    if (FORBIDDEN_HOST_RE.test(input)) return null;
    return percentEncode(input, S_C0);
  }
  const domain = percentDecodeString(input);
  const ascii = domainToASCII(domain);
  if (ascii === null || FORBIDDEN_DOMAIN_RE.test(ascii)) return null;
  if (endsInANumber(ascii)) return parseIPv4(ascii);
  return ascii;
}

// ---------------------------------------------------------------- parser

const SCHEME_START = 1, SCHEME = 2, NO_SCHEME = 3, SPECIAL_RELATIVE_OR_AUTHORITY = 4,
  PATH_OR_AUTHORITY = 5, RELATIVE = 6, RELATIVE_SLASH = 7, SPECIAL_AUTHORITY_SLASHES = 8,
  SPECIAL_AUTHORITY_IGNORE_SLASHES = 9, AUTHORITY = 10, HOST = 11, HOSTNAME = 12, PORT = 13,
  FILE = 14, FILE_SLASH = 15, FILE_HOST = 16, PATH_START = 17, PATH = 18, OPAQUE_PATH = 19,
  QUERY = 20, FRAGMENT = 21;

const EOF = undefined;
const isAlpha = (c) => c !== EOF && c.length === 1 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isDigitCh = (c) => c !== EOF && c.length === 1 && c >= '0' && c <= '9';
const isWinDriveLetter = (s) => s.length === 2 && isAlpha(s[0]) && (s[1] === ':' || s[1] === '|');
const isNormWinDriveLetter = (s) => s.length === 2 && isAlpha(s[0]) && s[1] === ':';
function startsWithWinDriveLetter(cps, p) {
  if (cps.length - p < 2) return false;
  if (!isAlpha(cps[p]) || (cps[p + 1] !== ':' && cps[p + 1] !== '|')) return false;
  if (cps.length - p === 2) return true;
  const c = cps[p + 2];
  return c === '/' || c === '\\' || c === '?' || c === '#';
}
function isSingleDot(s) { return s === '.' || s.toLowerCase() === '%2e'; }
function isDoubleDot(s) {
  switch (s.length === 2 || s.length === 4 || s.length === 6 ? s.toLowerCase() : '') {
    case '..': case '.%2e': case '%2e.': case '%2e%2e': return true;
    default: return false;
  }
}

function newRecord() {
  return { scheme: '', username: '', password: '', host: null, port: null, path: [], query: null, fragment: null };
}
function shortenPath(url) {
  const path = url.path;
  if (url.scheme === 'file' && path.length === 1 && isNormWinDriveLetter(path[0])) return;
  path.pop();
}
const includesCredentials = (url) => url.username !== '' || url.password !== '';

const C0_SPACE_TRIM_RE = /^[\0-\x20]+|[\0-\x20]+$/g;
const C0_SPACE_EDGE_RE = /^[\0-\x20]|[\0-\x20]$/;
const TAB_NL_RE = /[\t\n\r]/g;
const TAB_NL_TEST_RE = /[\t\n\r]/;

// A fast path for the common inputs, already in their serialized form: an
// absolute http(s) URL of lower-case ASCII letters, digits and hyphens for
// a host (no "xn--" label, which would need checking; a host ending in a
// number only as a canonical IPv4 address), no credentials, a port that is
// not the default one and has no leading zero, a path and query of
// characters that are kept as they are (nothing to percent-encode, no
// backslash, no dot segment) and no fragment; or such a path (and query)
// alone, starting with one "/", against such a base. The result is the
// record the parser would make; anything else (null here) takes the parser.
const FAST_ABS_RE = /^(https?):\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(0|[1-9][0-9]{0,4}))?(\/[!$%&'()*+,\-./0-9:;=@A-Z[\]_a-z|~]*)?(?:\?([!$%&()*+,\-./0-9:;=?@A-Z[\\\]^_`a-z{|}~]*))?$/;
const FAST_REL_RE = /^(\/(?!\/)[!$%&'()*+,\-./0-9:;=@A-Z[\]_a-z|~]*)(?:\?([!$%&()*+,\-./0-9:;=?@A-Z[\\\]^_`a-z{|}~]*))?$/;
const FAST_DOT_RE = /\/\.|%2e/i;
const FAST_NUMERIC_RE = /(?:^|\.)(?:[0-9]+|0x[0-9a-z]*)$/;
const FAST_IPV4_RE = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
const FAST_XN_RE = /(?:^|\.)xn--/;

function fastPath(url, path) {
  const segs = [];
  let from = 1;
  for (;;) {
    const slash = path.indexOf('/', from);
    if (slash < 0) break;
    segs[segs.length] = path.slice(from, slash);
    from = slash + 1;
  }
  segs[segs.length] = path.slice(from);
  url.path = segs;
}

let fastOn = true;   // off only in the tests that compare both ways
internal.urlFastPath = (on) => { fastOn = on; };

function fastParse(input, base) {
  if (!fastOn) return null;
  const c = input.charCodeAt(0);
  if (c === 0x2F) {
    if (base === null || base.host === null || (base.scheme !== 'http' && base.scheme !== 'https')) return null;
    const m = FAST_REL_RE.exec(input);
    if (m === null || FAST_DOT_RE.test(m[1])) return null;
    const url = newRecord();
    url.scheme = base.scheme;
    url.username = base.username;
    url.password = base.password;
    url.host = base.host;
    url.port = base.port;
    fastPath(url, m[1]);
    url.query = m[2] === undefined ? null : m[2];
    return url;
  }
  if (c !== 0x68) return null;   // "h"
  const m = FAST_ABS_RE.exec(input);
  if (m === null) return null;
  const host = m[2];
  if ((FAST_NUMERIC_RE.test(host) && !FAST_IPV4_RE.test(host)) || FAST_XN_RE.test(host)) return null;
  let port = null;
  if (m[3] !== undefined) {
    port = +m[3];
    if (port > 65535 || port === (m[1] === 'http' ? 80 : 443)) return null;
  }
  if (m[4] !== undefined && FAST_DOT_RE.test(m[4])) return null;
  const url = newRecord();
  url.scheme = m[1];
  url.host = host;
  url.port = port;
  if (m[4] === undefined) url.path = [''];
  else fastPath(url, m[4]);
  url.query = m[5] === undefined ? null : m[5];
  return url;
}

// The basic URL parser. Without `url` it returns a new record or null on
// failure; with `url` and `stateOverride` it modifies url in place and
// returns false on failure (callers of setters ignore failures).
function basicParse(input, base, url, stateOverride) {
  if (!url) {
    const fast = fastParse(input, base);
    if (fast !== null) return fast;
    url = newRecord();
    if (C0_SPACE_EDGE_RE.test(input)) input = input.replace(C0_SPACE_TRIM_RE, '');
  }
  if (TAB_NL_TEST_RE.test(input)) input = input.replace(TAB_NL_RE, '');
  // Code points: indexing the string itself when there are no surrogate
  // pairs (the common case), else an array of code point strings.
  const flat = isOneByte(input) || !SURROGATE_RE.test(input);
  const cps = flat ? input : Array.from(input);
  const len = cps.length;
  let state = stateOverride || SCHEME_START;
  let buffer = '';
  let atSignSeen = false, insideBrackets = false, passwordTokenSeen = false;
  const fail = stateOverride ? false : null;
  const done = stateOverride ? true : url;
  // isSpecial(url.scheme), memoized: it is asked for on most characters.
  let specialFor = null, specialVal = false;
  const special = () => (url.scheme === specialFor ? specialVal
    : (specialVal = isSpecial(specialFor = url.scheme)));

  for (let p = 0; ; p++) {
    const c = cps[p]; // undefined (EOF) past the end
    switch (state) {
      case SCHEME_START:
        if (isAlpha(c)) { buffer += c.toLowerCase(); state = SCHEME; }
        else if (!stateOverride) { state = NO_SCHEME; p--; }
        else return fail;
        break;

      case SCHEME:
        if (isAlpha(c) || isDigitCh(c) || c === '+' || c === '-' || c === '.') {
          buffer += c.toLowerCase();
        } else if (c === ':') {
          if (stateOverride) {
            if (isSpecial(url.scheme) !== isSpecial(buffer)) return done;
            if ((includesCredentials(url) || url.port !== null) && buffer === 'file') return done;
            if (url.scheme === 'file' && url.host === '') return done;
          }
          url.scheme = buffer;
          if (stateOverride) {
            if (url.port === defaultPort(url.scheme)) url.port = null;
            return done;
          }
          buffer = '';
          if (url.scheme === 'file') state = FILE;
          else if (special() && base && base.scheme === url.scheme) state = SPECIAL_RELATIVE_OR_AUTHORITY;
          else if (special()) state = SPECIAL_AUTHORITY_SLASHES;
          else if (cps[p + 1] === '/') { state = PATH_OR_AUTHORITY; p++; }
          else { url.path = ''; state = OPAQUE_PATH; }
        } else if (!stateOverride) {
          buffer = ''; state = NO_SCHEME; p = -1;
        } else return fail;
        break;

      case NO_SCHEME:
        if (!base || (typeof base.path === 'string' && c !== '#')) return fail;
        if (typeof base.path === 'string' && c === '#') {
          url.scheme = base.scheme; url.path = base.path; url.query = base.query;
          url.fragment = ''; state = FRAGMENT;
        } else if (base.scheme !== 'file') { state = RELATIVE; p--; }
        else { state = FILE; p--; }
        break;

      case SPECIAL_RELATIVE_OR_AUTHORITY:
        if (c === '/' && cps[p + 1] === '/') { state = SPECIAL_AUTHORITY_IGNORE_SLASHES; p++; }
        else { state = RELATIVE; p--; }
        break;

      case PATH_OR_AUTHORITY:
        if (c === '/') state = AUTHORITY;
        else { state = PATH; p--; }
        break;

      case RELATIVE:
        url.scheme = base.scheme;
        if (c === '/' || (c === '\\' && special())) state = RELATIVE_SLASH;
        else {
          url.username = base.username; url.password = base.password; url.host = base.host;
          url.port = base.port; url.path = base.path.slice(); url.query = base.query;
          if (c === '?') { url.query = ''; state = QUERY; }
          else if (c === '#') { url.fragment = ''; state = FRAGMENT; }
          else if (c !== EOF) { url.query = null; shortenPath(url); state = PATH; p--; }
        }
        break;

      case RELATIVE_SLASH:
        if (special() && (c === '/' || c === '\\')) state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
        else if (c === '/') state = AUTHORITY;
        else {
          url.username = base.username; url.password = base.password;
          url.host = base.host; url.port = base.port;
          state = PATH; p--;
        }
        break;

      case SPECIAL_AUTHORITY_SLASHES:
        if (c === '/' && cps[p + 1] === '/') { state = SPECIAL_AUTHORITY_IGNORE_SLASHES; p++; }
        else { state = SPECIAL_AUTHORITY_IGNORE_SLASHES; p--; }
        break;

      case SPECIAL_AUTHORITY_IGNORE_SLASHES:
        if (c !== '/' && c !== '\\') { state = AUTHORITY; p--; }
        break;

      case AUTHORITY:
        if (c === '@') {
          if (atSignSeen) buffer = '%40' + buffer;
          atSignSeen = true;
          // Split the buffered userinfo at the first ':'.
          const colon = passwordTokenSeen ? -1 : buffer.indexOf(':');
          if (passwordTokenSeen) url.password += percentEncode(buffer, S_USERINFO);
          else if (colon === -1) url.username += percentEncode(buffer, S_USERINFO);
          else {
            passwordTokenSeen = true;
            url.username += percentEncode(buffer.slice(0, colon), S_USERINFO);
            url.password += percentEncode(buffer.slice(colon + 1), S_USERINFO);
          }
          buffer = '';
        } else if (c === EOF || c === '/' || c === '?' || c === '#' || (c === '\\' && special())) {
          if (atSignSeen && buffer === '') return fail;
          p -= (SURROGATE_RE.test(buffer) ? Array.from(buffer).length : buffer.length) + 1;
          buffer = '';
          state = HOST;
        } else buffer += c;
        break;

      case HOST:
      case HOSTNAME:
        if (stateOverride && url.scheme === 'file') { p--; state = FILE_HOST; }
        else if (c === ':' && !insideBrackets) {
          if (buffer === '') return fail;
          if (stateOverride === HOSTNAME) return fail;
          const host = parseHost(buffer, !special());
          if (host === null) return fail;
          url.host = host; buffer = ''; state = PORT;
        } else if (c === EOF || c === '/' || c === '?' || c === '#' || (c === '\\' && special())) {
          p--;
          if (special() && buffer === '') return fail;
          if (stateOverride && buffer === '' && (includesCredentials(url) || url.port !== null)) return fail;
          const host = parseHost(buffer, !special());
          if (host === null) return fail;
          url.host = host; buffer = ''; state = PATH_START;
          if (stateOverride) return done;
        } else {
          if (c === '[') insideBrackets = true;
          else if (c === ']') insideBrackets = false;
          buffer += c;
        }
        break;

      case PORT:
        if (isDigitCh(c)) buffer += c;
        else if (c === EOF || c === '/' || c === '?' || c === '#' || (c === '\\' && special()) || stateOverride) {
          if (buffer !== '') {
            const port = parseInt(buffer, 10);
            if (port > 65535) return fail;
            url.port = port === defaultPort(url.scheme) ? null : port;
            buffer = '';
            if (stateOverride) return done;
          }
          if (stateOverride) return fail;
          state = PATH_START; p--;
        } else return fail;
        break;

      case FILE:
        url.scheme = 'file';
        url.host = '';
        if (c === '/' || c === '\\') state = FILE_SLASH;
        else if (base && base.scheme === 'file') {
          url.host = base.host; url.path = base.path.slice(); url.query = base.query;
          if (c === '?') { url.query = ''; state = QUERY; }
          else if (c === '#') { url.fragment = ''; state = FRAGMENT; }
          else if (c !== EOF) {
            url.query = null;
            if (!startsWithWinDriveLetter(cps, p)) shortenPath(url);
            else url.path = [];
            state = PATH; p--;
          }
        } else { state = PATH; p--; }
        break;

      case FILE_SLASH:
        if (c === '/' || c === '\\') state = FILE_HOST;
        else {
          if (base && base.scheme === 'file') {
            url.host = base.host;
            if (!startsWithWinDriveLetter(cps, p) && base.path.length > 0 && isNormWinDriveLetter(base.path[0])) {
              url.path.push(base.path[0]);
            }
          }
          state = PATH; p--;
        }
        break;

      case FILE_HOST:
        if (c === EOF || c === '/' || c === '\\' || c === '?' || c === '#') {
          p--;
          if (!stateOverride && isWinDriveLetter(buffer)) {
            state = PATH; // buffer is kept: it becomes the first path segment
          } else if (buffer === '') {
            url.host = '';
            if (stateOverride) return done;
            state = PATH_START;
          } else {
            let host = parseHost(buffer, !special());
            if (host === null) return fail;
            if (host === 'localhost') host = '';
            url.host = host;
            if (stateOverride) return done;
            buffer = '';
            state = PATH_START;
          }
        } else buffer += c;
        break;

      case PATH_START:
        if (special()) {
          state = PATH;
          if (c !== '/' && c !== '\\') p--;
        } else if (!stateOverride && c === '?') { url.query = ''; state = QUERY; }
        else if (!stateOverride && c === '#') { url.fragment = ''; state = FRAGMENT; }
        else if (c !== EOF) { state = PATH; if (c !== '/') p--; }
        else if (stateOverride && url.host === null) url.path.push('');
        break;

      case PATH:
        if (c === EOF || c === '/' || (c === '\\' && special()) || (!stateOverride && (c === '?' || c === '#'))) {
          const slash = c === '/' || (c === '\\' && special());
          if (isDoubleDot(buffer)) {
            shortenPath(url);
            if (!slash) url.path.push('');
          } else if (isSingleDot(buffer)) {
            if (!slash) url.path.push('');
          } else {
            if (url.scheme === 'file' && url.path.length === 0 && isWinDriveLetter(buffer)) {
              buffer = buffer[0] + ':';
            }
            url.path.push(buffer);
          }
          buffer = '';
          if (c === '?') { url.query = ''; state = QUERY; }
          else if (c === '#') { url.fragment = ''; state = FRAGMENT; }
        } else if (flat) {
          // Take the whole run of characters up to the next delimiter at once.
          let j = p + 1;
          while (j < len) {
            const d = input.charCodeAt(j);
            if (d >= 0x80 || (SETS[d] & S_PATH) || d === 0x2F || d === 0x5C) break;
            j++;
          }
          buffer += percentEncode(input.slice(p, j), S_PATH);
          p = j - 1;
        } else {
          buffer += encodeChar(c, S_PATH);
        }
        break;

      case OPAQUE_PATH:
        if (c === '?') { url.query = ''; state = QUERY; }
        else if (c === '#') { url.fragment = ''; state = FRAGMENT; }
        else if (c === ' ') {
          // A space right before the query or fragment is encoded so that
          // removing those later cannot leave a trailing space.
          const next = cps[p + 1];
          url.path += next === '?' || next === '#' ? '%20' : ' ';
        } else if (c !== EOF) url.path += encodeChar(c, S_C0);
        break;

      case QUERY:
        if ((!stateOverride && c === '#') || c === EOF) {
          url.query += percentEncode(buffer, special() ? S_SPECIAL_QUERY : S_QUERY);
          buffer = '';
          if (c === '#') { url.fragment = ''; state = FRAGMENT; }
        } else if (flat) {
          // Everything up to the fragment (or the end) belongs to the query.
          let j = stateOverride ? -1 : input.indexOf('#', p);
          if (j === -1) j = len;
          buffer += input.slice(p, j);
          p = j - 1;
        } else buffer += c;
        break;

      case FRAGMENT:
        if (c === EOF) break;
        if (flat) {
          url.fragment += percentEncode(input.slice(p), S_FRAGMENT);
          p = len - 1;
        } else url.fragment += encodeChar(c, S_FRAGMENT);
        break;
    }
    if (p >= len) break;
  }
  return done;
}

function serializePath(url) {
  if (typeof url.path === 'string') return url.path;
  let out = '';
  for (const seg of url.path) out += '/' + seg;
  return out;
}

function serializeURL(url, excludeFragment) {
  let out = url.scheme + ':';
  if (url.host !== null) {
    out += '//';
    if (includesCredentials(url)) {
      out += url.username;
      if (url.password !== '') out += ':' + url.password;
      out += '@';
    }
    out += url.host;
    if (url.port !== null) out += ':' + url.port;
  } else if (typeof url.path !== 'string' && url.path.length > 1 && url.path[0] === '') {
    out += '/.';
  }
  out += serializePath(url);
  if (url.query !== null) out += '?' + url.query;
  if (!excludeFragment && url.fragment !== null) out += '#' + url.fragment;
  return out;
}

function serializeOrigin(url) {
  switch (url.scheme) {
    case 'blob': {
      const inner = basicParse(serializePath(url), null);
      return inner && (inner.scheme === 'http' || inner.scheme === 'https') ? serializeOrigin(inner) : 'null';
    }
    case 'ftp': case 'http': case 'https': case 'ws': case 'wss':
      return url.scheme + '://' + url.host + (url.port !== null ? ':' + url.port : '');
    default:
      return 'null';
  }
}

const cannotHaveCredentialsOrPort = (url) => url.host === null || url.host === '' || url.scheme === 'file';

// ---------------------------------------------------------------- Web IDL helpers

// Web IDL defines operations and attributes (regular and static) as
// *enumerable* properties, as browsers and Node show them (for-in over a URL
// lists href, origin, ...); class syntax makes them non-enumerable. Set this
// to false to keep the class default instead. @@toStringTag is always
// non-writable, non-enumerable, configurable.
//
// These helpers also run when a library loads on first use (js/lib), when a
// function may have replaced built-ins: they use the ones captured now, and
// descriptors without a prototype. (They and those built-ins are in a scope
// of their own: the file's scope is kept at 75 names at most, past which V8
// makes every isolate rehash a table of them.)
const { webIDLClass, makeIteratorClass } = (() => {
  const WEBIDL_ENUMERABLE_MEMBERS = true;
  const { defineProperty: ReflectDefineProperty, ownKeys: ReflectOwnKeys,
    getOwnPropertyDescriptor: ReflectGetOwnPropertyDescriptor } = Reflect;
  const ReflectApply = Reflect.apply;
  const ObjectCreate = Object.create;
  const WeakMapCtor = WeakMap;
  const { get: WeakMapGet, set: WeakMapSet } = WeakMap.prototype;
  const SymbolToStringTag = Symbol.toStringTag;
  const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

  function webIDLClass(C, tag) {
    ReflectDefineProperty(C.prototype, SymbolToStringTag,
      { __proto__: null, value: tag, writable: false, enumerable: false, configurable: true });
    if (!WEBIDL_ENUMERABLE_MEMBERS) return;
    const targets = [C.prototype, C];
    for (let t = 0; t < 2; t++) {
      const target = targets[t];
      const keys = ReflectOwnKeys(target);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (key === 'constructor' || key === 'prototype' || key === 'length' || key === 'name') continue;
        const d = ReflectGetOwnPropertyDescriptor(target, key);
        if (typeof key === 'string' && d.configurable) {
          d.enumerable = true;
          ReflectDefineProperty(target, key, { __proto__: null, ...d });
        }
      }
    }
  }

  // Iterator objects shared by URLSearchParams (and reused by Headers via internal).
  function makeIteratorClass(tag) {
    // next() reads from a snapshot-free source: `source()` returns the current
    // list each time, so mutation during iteration behaves like the spec's
    // "value pairs to iterate over" with an index.
    const proto = ObjectCreate(IteratorPrototype);
    const state = new WeakMapCtor();
    ReflectDefineProperty(proto, 'next', {
      __proto__: null,
      value: function next() {
        const s = ReflectApply(WeakMapGet, state, [this]);
        if (!s) throw new TypeError(`next method called on incompatible receiver`);
        const list = s.source();
        if (s.index >= list.length) return { value: undefined, done: true };
        const pair = list[s.index++];
        return { value: s.kind === 'key' ? pair[0] : s.kind === 'value' ? pair[1] : [pair[0], pair[1]], done: false };
      },
      writable: true, enumerable: true, configurable: true,
    });
    ReflectDefineProperty(proto, SymbolToStringTag, { __proto__: null, value: tag, configurable: true });
    return (source, kind) => {
      const it = ObjectCreate(proto);
      ReflectApply(WeakMapSet, state, [it, { source, kind, index: 0 }]);
      return it;
    };
  }

  return { webIDLClass, makeIteratorClass };
})();
internal.webIDLClass = webIDLClass;

function requireArgs(n, got, what) {
  if (got < n) throw new TypeError(`${what}: ${n} argument${n > 1 ? 's' : ''} required, but only ${got} present.`);
}

internal.makeIteratorClass = makeIteratorClass;
const newSearchParamsIterator = makeIteratorClass('URLSearchParams Iterator');

// ---------------------------------------------------------------- URLSearchParams

let spAttach;      // (urlObject, query) -> URLSearchParams linked to the URL
let spReset;       // (sp, query) -> replace the list from a new query
let spIs;          // brand check
let spSerialize;   // toString() that user code cannot patch
let urlSetQuery;   // (urlObject, queryOrNull) -> used by URLSearchParams' update steps

class URLSearchParams {
  #list = [];
  #url = null;

  constructor(init = '') {
    if (init !== null && (typeof init === 'object' || typeof init === 'function')) {
      const iter = init[Symbol.iterator];
      if (iter !== undefined && iter !== null) {
        if (typeof iter !== 'function') throw new TypeError('URLSearchParams: init[Symbol.iterator] is not a function');
        for (const pair of init) {
          if (pair === null || (typeof pair !== 'object' && typeof pair !== 'function')) {
            throw new TypeError('URLSearchParams: each pair must be an iterable [name, value]');
          }
          const items = Array.from(pair);
          if (items.length !== 2) throw new TypeError('URLSearchParams: each pair must have exactly two items');
          this.#list.push([toUSV(items[0]), toUSV(items[1])]);
        }
      } else {
        // record<USVString, USVString>: own enumerable keys, in order.
        const map = new Map();
        for (const key of Reflect.ownKeys(init)) {
          const d = Reflect.getOwnPropertyDescriptor(init, key);
          if (d === undefined || !d.enumerable) continue;
          map.set(toUSV(key), toUSV(init[key]));
        }
        for (const [k, v] of map) this.#list.push([k, v]);
      }
    } else {
      let s = toUSV(init);
      if (s[0] === '?') s = s.slice(1);
      this.#list = formParse(s);
    }
  }

  static {
    spAttach = (urlObj, query) => {
      const sp = new URLSearchParams();
      sp.#url = urlObj;
      sp.#list = query ? formParse(query) : [];
      return sp;
    };
    spReset = (sp, query) => { sp.#list = query ? formParse(query) : []; };
    spIs = (v) => v !== null && typeof v === 'object' && #list in v;
    spSerialize = (sp) => formSerialize(sp.#list);
  }

  #update() {
    if (this.#url === null) return;
    const s = formSerialize(this.#list);
    urlSetQuery(this.#url, s === '' ? null : s);
  }

  get size() { return this.#list.length; }

  append(name, value) {
    requireArgs(2, arguments.length, "Failed to execute 'append' on 'URLSearchParams'");
    this.#list.push([toUSV(name), toUSV(value)]);
    this.#update();
  }

  delete(name, value = undefined) {
    requireArgs(1, arguments.length, "Failed to execute 'delete' on 'URLSearchParams'");
    name = toUSV(name);
    if (value === undefined) this.#list = this.#list.filter((p) => p[0] !== name);
    else { value = toUSV(value); this.#list = this.#list.filter((p) => p[0] !== name || p[1] !== value); }
    this.#update();
  }

  get(name) {
    requireArgs(1, arguments.length, "Failed to execute 'get' on 'URLSearchParams'");
    name = toUSV(name);
    for (const p of this.#list) if (p[0] === name) return p[1];
    return null;
  }

  getAll(name) {
    requireArgs(1, arguments.length, "Failed to execute 'getAll' on 'URLSearchParams'");
    name = toUSV(name);
    const out = [];
    for (const p of this.#list) if (p[0] === name) out.push(p[1]);
    return out;
  }

  has(name, value = undefined) {
    requireArgs(1, arguments.length, "Failed to execute 'has' on 'URLSearchParams'");
    name = toUSV(name);
    if (value === undefined) return this.#list.some((p) => p[0] === name);
    value = toUSV(value);
    return this.#list.some((p) => p[0] === name && p[1] === value);
  }

  set(name, value) {
    requireArgs(2, arguments.length, "Failed to execute 'set' on 'URLSearchParams'");
    name = toUSV(name); value = toUSV(value);
    const i = this.#list.findIndex((p) => p[0] === name);
    if (i === -1) this.#list.push([name, value]);
    else {
      this.#list[i][1] = value;
      this.#list = this.#list.filter((p, j) => j <= i || p[0] !== name);
    }
    this.#update();
  }

  sort() {
    // Stable sort by name in UTF-16 code unit order (Array#sort is stable).
    this.#list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.#update();
  }

  forEach(callback, thisArg = undefined) {
    requireArgs(1, arguments.length, "Failed to execute 'forEach' on 'URLSearchParams'");
    if (typeof callback !== 'function') throw new TypeError("Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not a function");
    // Index-based so that mutation during iteration behaves like the spec.
    for (let i = 0; i < this.#list.length; i++) {
      const p = this.#list[i];
      callback.call(thisArg, p[1], p[0], this);
    }
  }

  entries() { return newSearchParamsIterator(() => this.#list, 'key+value'); }
  keys() { return newSearchParamsIterator(() => this.#list, 'key'); }
  values() { return newSearchParamsIterator(() => this.#list, 'value'); }

  toString() { return formSerialize(this.#list); }
}
webIDLClass(URLSearchParams, 'URLSearchParams');
Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
  value: URLSearchParams.prototype.entries, writable: true, enumerable: false, configurable: true,
});

// ---------------------------------------------------------------- URL

class URL {
  #url;                 // the URL record
  #href = null;         // cached serialization
  #searchParams = null; // created on first access

  constructor(url, base = undefined) {
    requireArgs(1, arguments.length, "Failed to construct 'URL'");
    url = toUSV(url);
    let baseRec = null;
    if (base !== undefined) {
      baseRec = basicParse(toUSV(base), null);
      if (baseRec === null) throw new TypeError(`Invalid base URL: ${base}`);
    }
    const rec = basicParse(url, baseRec);
    if (rec === null) throw new TypeError(`Invalid URL: ${url}`);
    this.#url = rec;
  }

  static {
    urlSetQuery = (u, query) => { u.#url.query = query; u.#href = null; };
  }

  static canParse(url, base = undefined) {
    requireArgs(1, arguments.length, "Failed to execute 'canParse' on 'URL'");
    let baseRec = null;
    if (base !== undefined) {
      baseRec = basicParse(toUSV(base), null);
      if (baseRec === null) return false;
    }
    return basicParse(toUSV(url), baseRec) !== null;
  }

  static parse(url, base = undefined) {
    requireArgs(1, arguments.length, "Failed to execute 'parse' on 'URL'");
    try { return new URL(url, base); } catch { return null; }
  }

  #changed() {
    this.#href = null;
  }
  #syncSearchParams() {
    if (this.#searchParams !== null) spReset(this.#searchParams, this.#url.query);
  }

  get href() {
    return this.#href ??= serializeURL(this.#url, false);
  }
  set href(value) {
    value = toUSV(value);
    const rec = basicParse(value, null);
    if (rec === null) throw new TypeError(`Invalid URL: ${value}`);
    this.#url = rec;
    this.#changed();
    this.#syncSearchParams();
  }

  get origin() { return serializeOrigin(this.#url); }

  get protocol() { return this.#url.scheme + ':'; }
  set protocol(value) {
    basicParse(toUSV(value) + ':', null, this.#url, SCHEME_START);
    this.#changed();
  }

  get username() { return this.#url.username; }
  set username(value) {
    value = toUSV(value);
    if (cannotHaveCredentialsOrPort(this.#url)) return;
    this.#url.username = percentEncode(value, S_USERINFO);
    this.#changed();
  }

  get password() { return this.#url.password; }
  set password(value) {
    value = toUSV(value);
    if (cannotHaveCredentialsOrPort(this.#url)) return;
    this.#url.password = percentEncode(value, S_USERINFO);
    this.#changed();
  }

  get host() {
    const u = this.#url;
    if (u.host === null) return '';
    return u.port === null ? u.host : u.host + ':' + u.port;
  }
  set host(value) {
    value = toUSV(value);
    if (typeof this.#url.path === 'string') return;
    basicParse(value, null, this.#url, HOST);
    this.#changed();
  }

  get hostname() { return this.#url.host ?? ''; }
  set hostname(value) {
    value = toUSV(value);
    if (typeof this.#url.path === 'string') return;
    basicParse(value, null, this.#url, HOSTNAME);
    this.#changed();
  }

  get port() { return this.#url.port === null ? '' : String(this.#url.port); }
  set port(value) {
    value = toUSV(value);
    if (cannotHaveCredentialsOrPort(this.#url)) return;
    if (value === '') this.#url.port = null;
    else basicParse(value, null, this.#url, PORT);
    this.#changed();
  }

  get pathname() { return serializePath(this.#url); }
  set pathname(value) {
    value = toUSV(value);
    if (typeof this.#url.path === 'string') return;
    this.#url.path = [];
    basicParse(value, null, this.#url, PATH_START);
    this.#changed();
  }

  get search() {
    const q = this.#url.query;
    return q === null || q === '' ? '' : '?' + q;
  }
  set search(value) {
    value = toUSV(value);
    const u = this.#url;
    if (value === '') {
      u.query = null;
    } else {
      if (value[0] === '?') value = value.slice(1);
      u.query = '';
      basicParse(value, null, u, QUERY);
    }
    this.#changed();
    this.#syncSearchParams();
  }

  get searchParams() {
    return this.#searchParams ??= spAttach(this, this.#url.query);
  }

  get hash() {
    const f = this.#url.fragment;
    return f === null || f === '' ? '' : '#' + f;
  }
  set hash(value) {
    value = toUSV(value);
    const u = this.#url;
    if (value === '') {
      u.fragment = null;
    } else {
      if (value[0] === '#') value = value.slice(1);
      u.fragment = '';
      basicParse(value, null, u, FRAGMENT);
    }
    this.#changed();
  }

  toString() { return this.href; }
  toJSON() { return this.href; }
}
webIDLClass(URL, 'URL');
// toString is a stringifier: Web IDL still makes it enumerable, done above.

// Hooks for the other runtime files: parse/serialize without URL objects.
// parseURLRecord returns the URL record (see the top of this file) or null.
internal.parseURLRecord = (input, base = undefined) => {
  let baseRec = null;
  if (base !== undefined) {
    baseRec = basicParse(toUSV(base), null);
    if (baseRec === null) return null;
  }
  return basicParse(toUSV(input), baseRec);
};
internal.serializeURL = (rec, excludeFragment = false) => serializeURL(rec, excludeFragment);
internal.toUSV = toUSV;
internal.isURLSearchParams = spIs;
internal.urlSearchParamsToString = spSerialize;
internal.formParse = formParse;

const defineGlobal = (name, value) => Object.defineProperty(globalThis, name, {
  value, writable: true, configurable: true, enumerable: false,
});
defineGlobal('URL', URL);
defineGlobal('URLSearchParams', URLSearchParams);
