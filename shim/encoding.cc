/*
 * encoding.cc: the Encoding Standard's legacy decoders for TextDecoder
 * (js/lib/encodings.js): single-byte encodings, gb18030/gbk, Big5, EUC-JP,
 * ISO-2022-JP, Shift_JIS, EUC-KR and UTF-16LE/BE.
 *
 * The mapping data comes from ICU (the system's libicuuc, which libnode
 * links already).  The framing does not: where a byte sequence ends, what
 * an error consumes and which bytes the standard puts back are the
 * standard's own decoder algorithms, written out here, because ICU's
 * converters draw those lines elsewhere (an unmapped lead byte followed by
 * an ASCII byte takes the ASCII byte with it, an invalid trail byte makes
 * two errors where the standard makes one, a lead byte after an error
 * starts a character the standard never sees).  So each multi-byte
 * encoding's table is read out of its ICU converter once per process, on
 * first use, as the standard's index (pointer to code point), and the
 * decoders below look code points up in it.  The few entries where ICU's
 * data differs from the standard's index are corrected from the index
 * (tables below, each with where it differs).
 *
 * A decoder's state lives in JS, in an 8-byte Uint8Array the runtime owns:
 * nothing native is allocated per TextDecoder, so there is nothing to free
 * when one is collected or when the isolate goes.  Every argument is
 * checked here, and a state that is not one the decoder can be in is
 * started afresh, so no input reaches outside a table.
 */

#include <cstring>
#include <mutex>

#define U_SHOW_CPLUSPLUS_API 0
#include <unicode/ucnv.h>
#include <unicode/utf16.h>

#include "engine.h"


namespace jsfn {

bool ViewBytes(v8::Local<v8::Value> v, const uint8_t **p, size_t *n,
    std::shared_ptr<v8::BackingStore> *keep);
bool HeapRoom(v8::Isolate *isolate, size_t n);


namespace {

/* input decoded per step, so that no host buffer grows with the input */
const size_t  kChunk = 64u << 10;


enum Family {
    kSingleByte, kGb18030, kBig5, kEucJp, kIso2022Jp, kShiftJis, kEucKr,
    kUtf16Le, kUtf16Be
};


/* a corrected entry: pointer (or byte - 0x80) to code point, 0 for null */
struct Fix {
    uint32_t  pointer;
    uint32_t  cp;
};


/*
 * Single-byte encodings: ICU's tables match the standard's indexes but for
 * the fixes listed (found by comparing all 128 bytes with the indexes).
 */
const Fix  fix_koi8u[] = { { 0x2E, 0x045E }, { 0x3E, 0x040E } };
const Fix  fix_windows874[] = {
    { 0x5B, 0 }, { 0x5C, 0 }, { 0x5D, 0 }, { 0x5E, 0 },
    { 0x7C, 0 }, { 0x7D, 0 }, { 0x7E, 0 }, { 0x7F, 0 },
};
const Fix  fix_windows1253[] = { { 0x2A, 0 } };
const Fix  fix_windows1255[] = { { 0x4A, 0x05BA } };


/*
 * index gb18030: ICU 72 has GB18030-2005; the standard maps 0xA3 0xA0 to
 * U+3000 and took the 18 two-byte mappings of GB18030-2022 (whatwg/encoding
 * pull request 336).  Pointers: (lead - 0x81) * 190 + trail - (trail <
 * 0x7F ? 0x40 : 0x41).
 */
const Fix  fix_gb18030[] = {
    { 6555, 0x3000 },
    { 7182, 0xFE10 }, { 7183, 0xFE12 }, { 7184, 0xFE11 }, { 7185, 0xFE13 },
    { 7186, 0xFE14 }, { 7187, 0xFE15 }, { 7188, 0xFE16 }, { 7201, 0xFE17 },
    { 7202, 0xFE18 }, { 7208, 0xFE19 },
    { 23775, 0x9FB4 }, { 23783, 0x9FB5 }, { 23788, 0x9FB6 },
    { 23789, 0x9FB7 }, { 23795, 0x9FB8 }, { 23812, 0x9FB9 },
    { 23829, 0x9FBA }, { 23845, 0x9FBB },
};


/*
 * index big5 from ICU's Big5-HKSCS (ibm-1375_P100-2008): pointers below
 * 942 (lead bytes 0x81-0x86) are null in the standard, and these differ.
 * Pointers: (lead - 0x81) * 157 + trail - (trail < 0x7F ? 0x40 : 0x62).
 */
const Fix  fix_big5[] = {
    { 1008, 0x9F97 }, { 1016, 0x9F96 }, { 1099, 0x31C0 }, { 1100, 0x31C1 },
    { 1101, 0x31C2 }, { 1102, 0x31C3 }, { 1103, 0x31C4 }, { 1105, 0x31C5 },
    { 1108, 0x31C6 }, { 1109, 0x31C7 }, { 1112, 0x31C8 }, { 1114, 0x31C9 },
    { 1115, 0x31CA }, { 1116, 0x31CB }, { 1117, 0x31CC }, { 1119, 0x31CD },
    { 1120, 0x31CE }, { 1170, 0x23DA }, { 1171, 0x23DB }, { 1730, 0x9FA6 },
    { 1772, 0x9FA7 }, { 1779, 0x9FA8 }, { 1812, 0x9FA9 }, { 1814, 0x9FAA },
    { 1816, 0x9FAB }, { 1821, 0x9FAC }, { 1844, 0x9FAD }, { 1845, 0x9FAE },
    { 1847, 0x9FAF }, { 1866, 0x9FB2 }, { 1892, 0x9FB3 }, { 2082, 0x7BB8 },
    { 2088, 0x7C06 }, { 2103, 0x7CCE }, { 2114, 0x7DD2 }, { 2123, 0x7E1D },
    { 2148, 0x8005 }, { 2151, 0x8028 }, { 2221, 0x83C1 }, { 2239, 0x84A8 },
    { 2244, 0x840F }, { 2303, 0x89A6 }, { 2304, 0x89A9 }, { 2354, 0x8D77 },
    { 2400, 0x90FD }, { 2413, 0x92B9 }, { 2477, 0x975C }, { 2498, 0x97FF },
    { 2605, 0x9F16 }, { 2673, 0x8503 }, { 2746, 0x5159 }, { 2747, 0x515B },
    { 2748, 0x515D }, { 2749, 0x515E }, { 2771, 0x936E }, { 2780, 0x7479 },
    { 2990, 0x6D67 }, { 3087, 0x799B }, { 3259, 0x9097 }, { 3301, 0x975D },
    { 3436, 0x701E }, { 3451, 0x5B28 }, { 4136, 0x7201 }, { 4138, 0x77D7 },
    { 4141, 0x7E87 }, { 4182, 0x99D6 }, { 4206, 0x91D4 }, { 4220, 0x60DE },
    { 4230, 0x6FB6 }, { 4241, 0x8F36 }, { 4258, 0x4FBB }, { 4273, 0x71DF },
    { 4279, 0x9104 }, { 4282, 0x9DF0 }, { 4294, 0x83CF }, { 4329, 0x5C10 },
    { 4330, 0x79E3 }, { 4349, 0x5A67 }, { 4419, 0x8F0B }, { 4422, 0x7B51 },
    { 4494, 0x62D0 }, { 4624, 0x6062 }, { 4694, 0x75F9 }, { 4708, 0x6C4A },
    { 4742, 0x9B2E }, { 4748, 0x9F17 }, { 4815, 0x50ED }, { 4828, 0x5F0C },
    { 4902, 0x880F }, { 4922, 0x62CE }, { 4982, 0x7468 }, { 4992, 0x7162 },
    { 4997, 0x7250 }, { 5432, 0x2400 }, { 5433, 0x2401 }, { 5434, 0x2402 },
    { 5435, 0x2403 }, { 5436, 0x2404 }, { 5437, 0x2405 }, { 5438, 0x2406 },
    { 5439, 0x2407 }, { 5440, 0x2408 }, { 5441, 0x2409 }, { 5442, 0x240A },
    { 5443, 0x240B }, { 5444, 0x240C }, { 5445, 0x240D }, { 5446, 0x240E },
    { 5447, 0x240F }, { 5448, 0x2410 }, { 5449, 0x2411 }, { 5450, 0x2412 },
    { 5451, 0x2413 }, { 5452, 0x2414 }, { 5453, 0x2415 }, { 5454, 0x2416 },
    { 5455, 0x2417 }, { 5456, 0x2418 }, { 5457, 0x2419 }, { 5458, 0x241A },
    { 5459, 0x241B }, { 5460, 0x241C }, { 5461, 0x241D }, { 5462, 0x241E },
    { 5463, 0x241F }, { 5464, 0x2421 }, { 10942, 0x5EF4 }, { 10946, 0x65E0 },
    { 10948, 0x7676 }, { 10950, 0x96B6 }, { 10957, 0x3003 }, { 10958, 0x4EDD },
    { 11204, 0x31CF }, { 11210, 0x9FB0 }, { 11212, 0x9FB1 }, { 19028, 0x5029 },
    { 19035, 0x507D }, { 19088, 0x5305 }, { 19096, 0x5344 }, { 19112, 0x537F },
    { 19162, 0x5605 }, { 19240, 0x5A77 }, { 19299, 0x5E75 }, { 19305, 0x5ED0 },
    { 19326, 0x5F58 }, { 19355, 0x60A4 }, { 19398, 0x6490 }, { 19439, 0x6674 },
    { 19454, 0x675E }, { 19553, 0x6C9C }, { 19554, 0x6E1D }, { 19557, 0x6E2F },
    { 19611, 0x716E }, { 19643, 0x732A }, { 19672, 0x745C }, { 19697, 0x74E9 },
    { 19748, 0x7809 },
};


/* one table read out of an ICU converter, made once per process */
struct Table {
    std::once_flag           once;
    bool                     ok = false;
    std::vector<uint32_t>    map;        /* pointer to code point, 0: null */
};


/* the standard's encodings, by the name TextDecoder's `encoding` gives */
struct Encoding {
    const char   *name;
    Family        family;
    const char   *icu;            /* single-byte: ICU's converter */
    const Fix    *fix;
    size_t        nfix;
    Table         table;          /* single-byte: 128 entries */
};

#define FIXES(a)  a, sizeof(a) / sizeof(a[0])

Encoding  encodings[] = {
    { "ibm866",         kSingleByte, "ibm-866_P100-1995", nullptr, 0, {} },
    { "iso-8859-2",     kSingleByte, "ibm-912_P100-1995", nullptr, 0, {} },
    { "iso-8859-3",     kSingleByte, "ibm-913_P100-2000", nullptr, 0, {} },
    { "iso-8859-4",     kSingleByte, "ibm-914_P100-1995", nullptr, 0, {} },
    { "iso-8859-5",     kSingleByte, "ibm-915_P100-1995", nullptr, 0, {} },
    { "iso-8859-6",     kSingleByte, "ibm-1089_P100-1995", nullptr, 0, {} },
    { "iso-8859-7",     kSingleByte, "ibm-9005_X110-2007", nullptr, 0, {} },
    { "iso-8859-8",     kSingleByte, "ibm-5012_P100-1999", nullptr, 0, {} },
    { "iso-8859-8-i",   kSingleByte, "ibm-5012_P100-1999", nullptr, 0, {} },
    { "iso-8859-10",    kSingleByte, "iso-8859_10-1998", nullptr, 0, {} },
    { "iso-8859-13",    kSingleByte, "ibm-921_P100-1995", nullptr, 0, {} },
    { "iso-8859-14",    kSingleByte, "iso-8859_14-1998", nullptr, 0, {} },
    { "iso-8859-15",    kSingleByte, "ibm-923_P100-1998", nullptr, 0, {} },
    { "koi8-r",         kSingleByte, "ibm-878_P100-1996", nullptr, 0, {} },
    { "koi8-u",         kSingleByte, "ibm-1168_P100-2002",
                        FIXES(fix_koi8u), {} },
    { "macintosh",      kSingleByte, "macos-0_2-10.2", nullptr, 0, {} },
    { "windows-874",    kSingleByte, "windows-874-2000",
                        FIXES(fix_windows874), {} },
    { "windows-1250",   kSingleByte, "ibm-5346_P100-1998", nullptr, 0, {} },
    { "windows-1251",   kSingleByte, "ibm-5347_P100-1998", nullptr, 0, {} },
    { "windows-1252",   kSingleByte, "ibm-5348_P100-1997", nullptr, 0, {} },
    { "windows-1253",   kSingleByte, "ibm-5349_P100-1998",
                        FIXES(fix_windows1253), {} },
    { "windows-1254",   kSingleByte, "ibm-5350_P100-1998", nullptr, 0, {} },
    { "windows-1255",   kSingleByte, "ibm-9447_P100-2002",
                        FIXES(fix_windows1255), {} },
    { "windows-1256",   kSingleByte, "ibm-9448_X100-2005", nullptr, 0, {} },
    { "windows-1257",   kSingleByte, "ibm-9449_P100-2002", nullptr, 0, {} },
    { "windows-1258",   kSingleByte, "ibm-5354_P100-1998", nullptr, 0, {} },
    { "x-mac-cyrillic", kSingleByte, "macos-7_3-10.2", nullptr, 0, {} },
    { "gbk",            kGb18030, nullptr, nullptr, 0, {} },
    { "gb18030",        kGb18030, nullptr, nullptr, 0, {} },
    { "big5",           kBig5, nullptr, nullptr, 0, {} },
    { "euc-jp",         kEucJp, nullptr, nullptr, 0, {} },
    { "iso-2022-jp",    kIso2022Jp, nullptr, nullptr, 0, {} },
    { "shift_jis",      kShiftJis, nullptr, nullptr, 0, {} },
    { "euc-kr",         kEucKr, nullptr, nullptr, 0, {} },
    { "utf-16le",       kUtf16Le, nullptr, nullptr, 0, {} },
    { "utf-16be",       kUtf16Be, nullptr, nullptr, 0, {} },
};

const size_t  nencodings = sizeof(encodings) / sizeof(encodings[0]);


/* the indexes of the multi-byte encodings, shared where the standard does */
Table  index_jis0208;       /* Shift_JIS, EUC-JP and ISO-2022-JP */
Table  index_jis0212;       /* EUC-JP after 0x8F */
Table  index_euckr;
Table  index_big5;
Table  index_gb18030;       /* two-byte sequences of gb18030 and gbk */
Table  index_gb18030_4;     /* four-byte sequences, pointers 0 to 39419 */


/*
 * The one code point ICU's converter gives for one whole byte sequence, or
 * 0 where it has none (unmapped, illegal, or more than one code point).
 */
uint32_t
IcuCodePoint(UConverter *cnv, const uint8_t *bytes, size_t n)
{
    UChar        out[4];
    UChar       *t = out;
    const char  *s = reinterpret_cast<const char *>(bytes);
    UErrorCode   e = U_ZERO_ERROR;

    ucnv_resetToUnicode(cnv);
    ucnv_toUnicode(cnv, &t, out + 4, &s, s + n, nullptr, 1, &e);

    if (U_FAILURE(e) || s != reinterpret_cast<const char *>(bytes) + n) {
        return 0;
    }

    if (t - out == 1 && !U16_IS_SURROGATE(out[0])) {
        return out[0];
    }

    if (t - out == 2 && U16_IS_LEAD(out[0]) && U16_IS_TRAIL(out[1])) {
        return U16_GET_SUPPLEMENTARY(out[0], out[1]);
    }

    return 0;
}


/*
 * Fills a table with ICU's code point for each pointer's byte sequence
 * (made by "seq", which returns its length); once per process.  False when
 * ICU lacks the converter (its data is not installed).
 */
template <typename Seq>
bool
Build(Table *t, const char *icu, size_t size, Seq seq, const Fix *fix,
    size_t nfix)
{
    std::call_once(t->once, [&] {
        UErrorCode  e = U_ZERO_ERROR;
        UConverter *cnv = ucnv_open(icu, &e);
        uint8_t     bytes[4];

        if (cnv == nullptr || U_FAILURE(e)) {
            return;
        }

        /* an unmapped sequence stops the conversion: it is a null entry */
        ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr,
                            nullptr, &e);

        try {
            t->map.assign(size, 0);

        } catch (...) {
            ucnv_close(cnv);
            return;
        }

        for (size_t p = 0; p < size; p++) {
            size_t  n = seq(p, bytes);

            if (n != 0) {
                t->map[p] = IcuCodePoint(cnv, bytes, n);
            }
        }

        ucnv_close(cnv);

        for (size_t i = 0; i < nfix; i++) {
            t->map[fix[i].pointer] = fix[i].cp;
        }

        t->ok = true;
    });

    return t->ok;
}


/* makes the tables an encoding needs; false if ICU cannot provide them */
bool
Ready(Encoding *enc)
{
    switch (enc->family) {

    case kSingleByte:
        return Build(&enc->table, enc->icu, 128,
            [](size_t p, uint8_t *b) { b[0] = 0x80 + p; return 1; },
            enc->fix, enc->nfix);

    case kShiftJis:
    case kEucJp:
    case kIso2022Jp:
        /* read through Shift_JIS, whose pointers cover the whole index */
        if (!Build(&index_jis0208, "ibm-943_P15A-2003", 11280,
                [](size_t p, uint8_t *b) -> size_t {
                    size_t  lead = p / 188, trail = p % 188;

                    if (p >= 8836 && p <= 10715) {
                        return 0;     /* Shift_JIS maps these to the PUA */
                    }

                    b[0] = lead + (lead < 0x1F ? 0x81 : 0xC1);
                    b[1] = trail + (trail < 0x3F ? 0x40 : 0x41);
                    return 2;
                }, nullptr, 0))
        {
            return false;
        }

        if (enc->family != kEucJp) {
            return true;
        }

        /* index jis0212 has nothing past row 0xED; ICU has row 0xF3 too */
        return Build(&index_jis0212, "euc-jp-2007", 8836,
            [](size_t p, uint8_t *b) -> size_t {
                if (p >= (0xEE - 0xA1) * 94) {
                    return 0;
                }

                b[0] = 0x8F;
                b[1] = 0xA1 + p / 94;
                b[2] = 0xA1 + p % 94;
                return 3;
            }, nullptr, 0);

    case kEucKr:
        /* ICU maps rows 0xC9 and 0xFE (user-defined) to the PUA */
        return Build(&index_euckr, "windows-949-2000", 23940,
            [](size_t p, uint8_t *b) -> size_t {
                b[0] = 0x81 + p / 190;
                b[1] = 0x41 + p % 190;
                return b[0] == 0xC9 || b[0] == 0xFE ? 0 : 2;
            }, nullptr, 0);

    case kBig5:
        return Build(&index_big5, "ibm-1375_P100-2008", 19782,
            [](size_t p, uint8_t *b) -> size_t {
                size_t  trail = p % 157;

                if (p < 942) {
                    return 0;
                }

                b[0] = 0x81 + p / 157;
                b[1] = trail + (trail < 0x3F ? 0x40 : 0x62);
                return 2;
            }, FIXES(fix_big5));

    case kGb18030:
        if (!Build(&index_gb18030, "gb18030", 23940,
                [](size_t p, uint8_t *b) -> size_t {
                    size_t  trail = p % 190;

                    b[0] = 0x81 + p / 190;
                    b[1] = trail + (trail < 0x3F ? 0x40 : 0x41);
                    return 2;
                }, FIXES(fix_gb18030)))
        {
            return false;
        }

        /* the BMP part of the four-byte space: index gb18030 ranges */
        return Build(&index_gb18030_4, "gb18030", 39420,
            [](size_t p, uint8_t *b) -> size_t {
                b[0] = 0x81 + p / 12600;
                b[1] = 0x30 + p / 1260 % 10;
                b[2] = 0x81 + p / 10 % 126;
                b[3] = 0x30 + p % 10;
                return 4;
            }, nullptr, 0);

    case kUtf16Le:
    case kUtf16Be:
        return true;
    }

    return false;
}


inline uint32_t
Lookup(const Table &t, size_t pointer)
{
    return pointer < t.map.size() ? t.map[pointer] : 0;
}


/* index gb18030 ranges code point, 0 for null */
uint32_t
Gb18030Ranges(uint32_t pointer)
{
    if ((pointer > 39419 && pointer < 189000) || pointer > 1237575) {
        return 0;
    }

    if (pointer >= 189000) {
        return 0x10000 + pointer - 189000;
    }

    if (pointer == 7457) {
        return 0xE7C7;
    }

    return Lookup(index_gb18030_4, pointer);
}


/* ISO-2022-JP decoder states */
enum { kAscii, kRoman, kKatakana, kLeadByte, kTrailByte, kEscapeStart,
       kEscape };


/*
 * A decoder's state, as kept in JS between calls: the standard's variables
 * of each decoder, in eight bytes.
 */
struct State {
    uint8_t   a;         /* lead; gb18030 first; ISO-2022-JP lead;
                            UTF-16 lead byte */
    uint8_t   b;         /* gb18030 second */
    uint8_t   c;         /* gb18030 third */
    uint8_t   flag;      /* EUC-JP jis0212; ISO-2022-JP output flag;
                            UTF-16: a lead byte is held */
    uint8_t   mode;      /* ISO-2022-JP decoder state */
    uint8_t   out;       /* ISO-2022-JP decoder output state */
    uint16_t  sur;       /* UTF-16 lead surrogate, 0: none */
};

static_assert(sizeof(State) == 8, "a decoder's state is 8 bytes in JS");


inline bool
In(unsigned v, unsigned lo, unsigned hi)
{
    return v >= lo && v <= hi;
}


/* true when "s" is a state the decoder of "family" can be in */
bool
Valid(Family family, const State &s)
{
    switch (family) {

    case kSingleByte:
        return s.a == 0 && s.b == 0 && s.c == 0 && s.flag == 0;

    case kShiftJis:
        return s.a == 0 || In(s.a, 0x81, 0x9F) || In(s.a, 0xE0, 0xFC);

    case kEucKr:
    case kBig5:
        return s.a == 0 || In(s.a, 0x81, 0xFE);

    case kGb18030:
        return (s.a == 0 || In(s.a, 0x81, 0xFE))
               && (s.b == 0 || (s.a != 0 && In(s.b, 0x30, 0x39)))
               && (s.c == 0 || (s.b != 0 && In(s.c, 0x81, 0xFE)));

    case kEucJp:
        return (s.a == 0 || s.a == 0x8E || s.a == 0x8F || In(s.a, 0xA1, 0xFE))
               && s.flag <= 1;

    case kIso2022Jp:
        return s.mode <= kEscape && s.out <= kLeadByte && s.flag <= 1;

    case kUtf16Le:
    case kUtf16Be:
        return s.flag <= 1 && (s.sur == 0 || In(s.sur, 0xD800, 0xDBFF));
    }

    return false;
}


/* one decode() call's worth of work on one state */
class Decoder {
public:
    Decoder(Encoding *enc, State *s, bool fatal, uint16_t *out)
        : enc(enc), s(s), fatal(fatal), out(out) {}

    /* decodes p[0..n); false at an error in fatal mode */
    bool Run(const uint8_t *p, size_t n);

    /* the end of the input: what is held is an error */
    bool Finish();

    size_t Units() const { return len; }
    void Rewind() { len = 0; }

private:
    enum Step { kNext, kAgain };

    void Emit(uint32_t cp) {
        if (cp > 0xFFFF) {
            out[len++] = 0xD800 + ((cp - 0x10000) >> 10);
            out[len++] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
        } else {
            out[len++] = cp;
        }
    }

    /* a decoder error: U+FFFD, or the end of decoding in fatal mode */
    void Error() {
        if (fatal) {
            failed = true;
        } else {
            out[len++] = 0xFFFD;
        }
    }

    /* the end of a multi-byte sequence: its code point, or an error that
       gives an ASCII byte back to be decoded again */
    Step Trail(uint32_t cp, uint8_t byte) {
        if (cp != 0) {
            Emit(cp);
            return kNext;
        }

        Error();
        return byte < 0x80 ? kAgain : kNext;
    }

    /* a byte with no sequence begun: ASCII, a lead byte, or an error */
    Step Start(uint8_t byte, bool lead) {
        if (byte < 0x80) {
            Emit(byte);
        } else if (lead) {
            s->a = byte;
        } else {
            Error();
        }

        return kNext;
    }

    Step SingleByte(uint8_t byte);
    Step Gb18030(uint8_t byte);
    Step Big5(uint8_t byte);
    Step EucJp(uint8_t byte);
    Step Iso2022Jp(uint8_t byte);
    Step ShiftJis(uint8_t byte);
    Step EucKr(uint8_t byte);
    Step Utf16(uint8_t byte);
    void Utf16Unit(uint16_t unit);

    template <Step (Decoder::*step)(uint8_t)>
    bool Loop(const uint8_t *p, size_t n);

    Encoding  *enc;
    State     *s;
    bool       fatal;
    bool       failed = false;
    uint16_t  *out;
    size_t     len = 0;
};


Decoder::Step
Decoder::SingleByte(uint8_t byte)
{
    uint32_t  cp;

    if (byte < 0x80) {
        Emit(byte);
        return kNext;
    }

    cp = enc->table.map[byte - 0x80];

    if (cp == 0) {
        Error();
    } else {
        Emit(cp);
    }

    return kNext;
}


Decoder::Step
Decoder::Gb18030(uint8_t byte)
{
    if (s->c != 0) {
        uint8_t  second = s->b, third = s->c;

        if (!In(byte, 0x30, 0x39)) {
            /* restore second, third and byte: second is an ASCII digit,
               third a lead byte, and byte is seen again after it */
            Error();
            Emit(second);
            s->a = third;
            s->b = s->c = 0;
            return kAgain;
        }

        uint32_t  pointer = (((s->a - 0x81) * 10 + second - 0x30) * 126
                             + third - 0x81) * 10 + byte - 0x30;
        uint32_t  cp = Gb18030Ranges(pointer);

        s->a = s->b = s->c = 0;

        if (cp == 0) {
            Error();
        } else {
            Emit(cp);
        }

        return kNext;
    }

    if (s->b != 0) {
        if (In(byte, 0x81, 0xFE)) {
            s->c = byte;
            return kNext;
        }

        /* restore second and byte */
        Error();
        Emit(s->b);
        s->a = s->b = 0;
        return kAgain;
    }

    if (s->a != 0) {
        uint8_t   lead = s->a;
        uint32_t  cp = 0;

        if (In(byte, 0x30, 0x39)) {
            s->b = byte;
            return kNext;
        }

        s->a = 0;

        if (In(byte, 0x40, 0x7E) || In(byte, 0x80, 0xFE)) {
            cp = Lookup(index_gb18030, (lead - 0x81) * 190
                        + byte - (byte < 0x7F ? 0x40 : 0x41));
        }

        return Trail(cp, byte);
    }

    if (byte < 0x80) {
        Emit(byte);
    } else if (byte == 0x80) {
        Emit(0x20AC);
    } else if (byte != 0xFF) {
        s->a = byte;
    } else {
        Error();
    }

    return kNext;
}


Decoder::Step
Decoder::Big5(uint8_t byte)
{
    if (s->a != 0) {
        uint8_t   lead = s->a;
        uint32_t  cp = 0;

        s->a = 0;

        if (In(byte, 0x40, 0x7E) || In(byte, 0xA1, 0xFE)) {
            uint32_t  pointer = (lead - 0x81) * 157
                                + byte - (byte < 0x7F ? 0x40 : 0x62);

            /* the four pointers that are two code points */
            switch (pointer) {
            case 1133: Emit(0x00CA); Emit(0x0304); return kNext;
            case 1135: Emit(0x00CA); Emit(0x030C); return kNext;
            case 1164: Emit(0x00EA); Emit(0x0304); return kNext;
            case 1166: Emit(0x00EA); Emit(0x030C); return kNext;
            }

            cp = Lookup(index_big5, pointer);
        }

        return Trail(cp, byte);
    }

    return Start(byte, In(byte, 0x81, 0xFE));
}


Decoder::Step
Decoder::EucJp(uint8_t byte)
{
    if (s->a == 0x8E && In(byte, 0xA1, 0xDF)) {
        s->a = 0;
        Emit(0xFF61 - 0xA1 + byte);
        return kNext;
    }

    if (s->a == 0x8F && In(byte, 0xA1, 0xFE)) {
        s->flag = 1;
        s->a = byte;
        return kNext;
    }

    if (s->a != 0) {
        uint8_t   lead = s->a;
        uint32_t  cp = 0;

        s->a = 0;

        if (In(lead, 0xA1, 0xFE) && In(byte, 0xA1, 0xFE)) {
            cp = Lookup(s->flag ? index_jis0212 : index_jis0208,
                        (lead - 0xA1) * 94 + byte - 0xA1);
        }

        s->flag = 0;

        return Trail(cp, byte);
    }

    return Start(byte, byte == 0x8E || byte == 0x8F || In(byte, 0xA1, 0xFE));
}


Decoder::Step
Decoder::Iso2022Jp(uint8_t byte)
{
    switch (s->mode) {

    case kAscii:
    case kRoman:
        if (byte == 0x1B) {
            s->mode = kEscapeStart;
            return kNext;
        }

        s->flag = 0;

        if (byte > 0x7F || byte == 0x0E || byte == 0x0F) {
            Error();
        } else if (s->mode == kRoman && byte == 0x5C) {
            Emit(0x00A5);
        } else if (s->mode == kRoman && byte == 0x7E) {
            Emit(0x203E);
        } else {
            Emit(byte);
        }

        return kNext;

    case kKatakana:
        if (byte == 0x1B) {
            s->mode = kEscapeStart;
            return kNext;
        }

        s->flag = 0;

        if (In(byte, 0x21, 0x5F)) {
            Emit(0xFF61 - 0x21 + byte);
        } else {
            Error();
        }

        return kNext;

    case kLeadByte:
        if (byte == 0x1B) {
            s->mode = kEscapeStart;
            return kNext;
        }

        s->flag = 0;

        if (In(byte, 0x21, 0x7E)) {
            s->a = byte;
            s->mode = kTrailByte;
        } else {
            Error();
        }

        return kNext;

    case kTrailByte:
        if (byte == 0x1B) {
            s->mode = kEscapeStart;
            Error();
            return kNext;
        }

        s->mode = kLeadByte;

        if (In(byte, 0x21, 0x7E) && In(s->a, 0x21, 0x7E)) {
            uint32_t  cp = Lookup(index_jis0208,
                                  (s->a - 0x21) * 94 + byte - 0x21);

            if (cp != 0) {
                Emit(cp);
                return kNext;
            }
        }

        Error();
        return kNext;

    case kEscapeStart:
        if (byte == 0x24 || byte == 0x28) {
            s->a = byte;
            s->mode = kEscape;
            return kNext;
        }

        /* restore byte */
        s->flag = 0;
        s->mode = s->out;
        Error();
        return kAgain;

    case kEscape: {
        uint8_t  lead = s->a, state = 0xFF;

        s->a = 0;

        if (lead == 0x28 && byte == 0x42) {
            state = kAscii;
        } else if (lead == 0x28 && byte == 0x4A) {
            state = kRoman;
        } else if (lead == 0x28 && byte == 0x49) {
            state = kKatakana;
        } else if (lead == 0x24 && (byte == 0x40 || byte == 0x42)) {
            state = kLeadByte;
        }

        if (state != 0xFF) {
            bool  output = s->flag;

            s->mode = s->out = state;
            s->flag = 1;

            if (output) {
                Error();
            }

            return kNext;
        }

        /* restore lead and byte: lead is seen in the output state now */
        s->flag = 0;
        s->mode = s->out;
        Error();

        if (!failed) {
            Iso2022Jp(lead);
        }

        return kAgain;
    }
    }

    return kNext;
}


Decoder::Step
Decoder::ShiftJis(uint8_t byte)
{
    if (s->a != 0) {
        uint8_t   lead = s->a;
        uint32_t  cp = 0;

        s->a = 0;

        if (In(byte, 0x40, 0x7E) || In(byte, 0x80, 0xFC)) {
            uint32_t  pointer = (lead - (lead < 0xA0 ? 0x81 : 0xC1)) * 188
                                + byte - (byte < 0x7F ? 0x40 : 0x41);

            if (In(pointer, 8836, 10715)) {
                Emit(0xE000 - 8836 + pointer);
                return kNext;
            }

            cp = Lookup(index_jis0208, pointer);
        }

        return Trail(cp, byte);
    }

    if (byte <= 0x80) {
        Emit(byte);
    } else if (In(byte, 0xA1, 0xDF)) {
        Emit(0xFF61 - 0xA1 + byte);
    } else if (In(byte, 0x81, 0x9F) || In(byte, 0xE0, 0xFC)) {
        s->a = byte;
    } else {
        Error();
    }

    return kNext;
}


Decoder::Step
Decoder::EucKr(uint8_t byte)
{
    if (s->a != 0) {
        uint8_t   lead = s->a;
        uint32_t  cp = 0;

        s->a = 0;

        if (In(byte, 0x41, 0xFE)) {
            cp = Lookup(index_euckr, (lead - 0x81) * 190 + byte - 0x41);
        }

        return Trail(cp, byte);
    }

    return Start(byte, In(byte, 0x81, 0xFE));
}


void
Decoder::Utf16Unit(uint16_t unit)
{
    if (s->sur != 0) {
        uint16_t  lead = s->sur;

        s->sur = 0;

        if (In(unit, 0xDC00, 0xDFFF)) {
            Emit(0x10000 + ((lead - 0xD800) << 10) + (unit - 0xDC00));
            return;
        }

        /* restore the unit's bytes: the unit is seen again */
        Error();

        if (failed) {
            return;
        }
    }

    if (In(unit, 0xD800, 0xDBFF)) {
        s->sur = unit;
    } else if (In(unit, 0xDC00, 0xDFFF)) {
        Error();
    } else {
        Emit(unit);
    }
}


Decoder::Step
Decoder::Utf16(uint8_t byte)
{
    if (!s->flag) {
        s->flag = 1;
        s->a = byte;
        return kNext;
    }

    s->flag = 0;
    Utf16Unit(enc->family == kUtf16Be ? (s->a << 8) | byte
                                      : (byte << 8) | s->a);
    return kNext;
}


template <Decoder::Step (Decoder::*step)(uint8_t)>
bool
Decoder::Loop(const uint8_t *p, size_t n)
{
    size_t  i = 0;

    while (i < n && !failed) {
        if ((this->*step)(p[i]) == kNext) {
            i++;
        }
    }

    return !failed;
}


bool
Decoder::Run(const uint8_t *p, size_t n)
{
    switch (enc->family) {
    case kSingleByte: return Loop<&Decoder::SingleByte>(p, n);
    case kGb18030:    return Loop<&Decoder::Gb18030>(p, n);
    case kBig5:       return Loop<&Decoder::Big5>(p, n);
    case kEucJp:      return Loop<&Decoder::EucJp>(p, n);
    case kIso2022Jp:  return Loop<&Decoder::Iso2022Jp>(p, n);
    case kShiftJis:   return Loop<&Decoder::ShiftJis>(p, n);
    case kEucKr:      return Loop<&Decoder::EucKr>(p, n);
    default:          return Loop<&Decoder::Utf16>(p, n);
    }
}


bool
Decoder::Finish()
{
    switch (enc->family) {

    case kIso2022Jp:
        /* at most three rounds: escape, then trail byte, then done */
        for (int round = 0; round < 4 && !failed; round++) {
            if (s->mode == kTrailByte) {
                s->mode = kLeadByte;
                Error();

            } else if (s->mode == kEscapeStart) {
                s->flag = 0;
                s->mode = s->out;
                Error();

            } else if (s->mode == kEscape) {
                uint8_t  lead = s->a;

                s->a = 0;
                s->flag = 0;
                s->mode = s->out;
                Error();

                if (!failed) {
                    Iso2022Jp(lead);
                }

            } else {
                break;
            }
        }
        break;

    case kUtf16Le:
    case kUtf16Be:
        if (s->flag || s->sur != 0) {
            Error();
        }
        break;

    default:
        if (s->a != 0) {
            Error();
        }
        break;
    }

    memset(s, 0, sizeof(*s));
    return !failed;
}


Encoding *
FromIndex(v8::Local<v8::Value> v)
{
    if (!v->IsUint32()) {
        return nullptr;
    }

    uint32_t  i = v.As<v8::Uint32>()->Value();

    return i < nencodings ? &encodings[i] : nullptr;
}


void
Throw(v8::Isolate *isolate, const char *msg, bool range)
{
    v8::Local<v8::String>  s = v8::String::NewFromUtf8(isolate, msg)
                                   .ToLocalChecked();

    isolate->ThrowException(range ? v8::Exception::RangeError(s)
                                  : v8::Exception::TypeError(s));
}

}  /* namespace */


/*
 * decoderOpen(name): the number decoderDecode() takes for the encoding of
 * that name (as TextDecoder's `encoding` gives it), its tables made.  A
 * RangeError for a name not decoded here or whose ICU data is missing.
 */
void
NativeDecoderOpen(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    char          name[32];

    if (!args[0]->IsString()
        || args[0].As<v8::String>()->Length() >= (int) sizeof(name))
    {
        Throw(isolate, "decoderOpen: unknown encoding", true);
        return;
    }

    int  n = args[0].As<v8::String>()->WriteUtf8(isolate, name,
                 sizeof(name) - 1, nullptr, v8::String::NO_NULL_TERMINATION);

    name[n] = '\0';

    for (size_t i = 0; i < nencodings; i++) {
        if (strcmp(name, encodings[i].name) != 0) {
            continue;
        }

        if (!Ready(&encodings[i])) {
            Throw(isolate, "this encoding's ICU data is not installed",
                  true);
            return;
        }

        args.GetReturnValue().Set((uint32_t) i);
        return;
    }

    Throw(isolate, "decoderOpen: unknown encoding", true);
}


/*
 * decoderDecode(encoding, state, bytes, flush, fatal): the string the
 * bytes decode to, the state (an 8-byte Uint8Array) carried to the next
 * call; with flush, what the state holds is decoded too and the state is
 * cleared.  In fatal mode, a TypeError at the first error, the state
 * cleared.
 */
void
NativeDecoderDecode(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    Encoding                           *enc = FromIndex(args[0]);
    const uint8_t                      *p;
    size_t                              n;
    std::shared_ptr<v8::BackingStore>   keep, keep_state;
    uint8_t                            *sp;
    State                               s;
    bool                                flush = args[3]->BooleanValue(isolate);
    bool                                fatal = args[4]->BooleanValue(isolate);

    if (enc == nullptr || !Ready(enc)) {
        Throw(isolate, "decoderDecode: not an open encoding", false);
        return;
    }

    if (!args[1]->IsUint8Array()
        || args[1].As<v8::Uint8Array>()->ByteLength() != sizeof(State))
    {
        Throw(isolate, "decoderDecode: bad state", false);
        return;
    }

    if (!ViewBytes(args[2], &p, &n, &keep)) {
        Throw(isolate, "decoderDecode: expected an ArrayBuffer or a view",
              false);
        return;
    }

    /* at most two UTF-16 code units a byte, and a few for what is held */
    if (!HeapRoom(isolate, n + 8)) {
        return;
    }

    {
        v8::Local<v8::Uint8Array>  sv = args[1].As<v8::Uint8Array>();

        keep_state = sv->Buffer()->GetBackingStore();
        sp = static_cast<uint8_t *>(keep_state->Data()) + sv->ByteOffset();
    }

    memcpy(&s, sp, sizeof(s));

    if (!Valid(enc->family, s)) {
        memset(&s, 0, sizeof(s));
    }

    std::vector<uint16_t>   buf;
    v8::Local<v8::String>   result = v8::String::Empty(isolate);
    size_t                  total = 0;

    try {
        buf.resize(2 * (n < kChunk ? n : kChunk) + 16);

    } catch (...) {
        Throw(isolate, "decoderDecode: out of memory", true);
        return;
    }

    Decoder  d(enc, &s, fatal, buf.data());
    bool     ok = true;

    for (size_t done = 0; ok && (done < n || (flush && done == n)); ) {
        size_t  step = n - done < kChunk ? n - done : kChunk;

        if (isolate->IsExecutionTerminating()) {
            return;
        }

        d.Rewind();
        ok = d.Run(p + done, step);
        done += step;

        if (ok && flush && done == n) {
            ok = d.Finish();
            done++;             /* the end is decoded too */
        }

        if (!ok || d.Units() == 0) {
            continue;
        }

        v8::Local<v8::String>  chunk;

        total += d.Units();

        if (total > (size_t) v8::String::kMaxLength
            || !v8::String::NewFromTwoByte(isolate, buf.data(),
                    v8::NewStringType::kNormal, (int) d.Units())
                .ToLocal(&chunk))
        {
            memset(sp, 0, sizeof(State));
            Throw(isolate, "decoderDecode: string too long", true);
            return;
        }

        result = v8::String::Concat(isolate, result, chunk);
    }

    if (!ok) {
        memset(sp, 0, sizeof(State));
        std::string  msg = std::string("The encoded data was not valid for"
                                       " encoding ") + enc->name;
        Throw(isolate, msg.c_str(), false);
        return;
    }

    memcpy(sp, &s, sizeof(s));
    args.GetReturnValue().Set(result);
}

}  /* namespace jsfn */
