/*
 * node.cc: what the node: modules (node/NAME.js) need from C++.
 *
 *   typeOf(v)                      the kind of object V8 knows v to be
 *                                  ("Proxy", "Map", "Uint8Array",
 *                                  "NumberObject", "AsyncFunction", ...), ""
 *                                  for others and for primitives: what
 *                                  util.types tells and JS cannot (a Proxy,
 *                                  a boxed primitive, a native error)
 *   valueDetails(v)                what inspection shows and no JS can read
 *                                  without running the function's code: a
 *                                  Promise's [state, result], a Proxy's
 *                                  [target, handler], a boxed primitive's
 *                                  [value], a Map or Set iterator's
 *                                  [entries left, are pairs]; else undefined
 *   stringBytes(s, enc)            a Uint8Array of the string's bytes in a
 *                                  Buffer encoding (1 latin1, 2 utf16le,
 *                                  3 hex, 4 base64 or base64url), decoded as
 *                                  Node does: hex up to the first pair that
 *                                  is not one, base64 skipping what is not
 *                                  of either alphabet up to the first "=",
 *                                  both by each UTF-16 unit's low byte
 *   bytesString(view, enc, s, e)   the string of bytes s..e of a view in a
 *                                  Buffer encoding (1 latin1, 2 utf16le,
 *                                  3 hex, 4 base64, 5 base64url, 6 ascii)
 *   utf8Length(s)                  the string's length in UTF-8
 *
 * Every argument is checked here: the modules run when a function may have
 * replaced any built-in.  Memory a function's input can make large counts
 * against the isolate's budget (Fits, NewBuffer, HeapRoom), as in
 * natives.cc.
 */

#include <cstring>

#include "engine.h"


namespace jsfn {

bool ViewBytes(v8::Local<v8::Value> v, const uint8_t **p, size_t *n,
    std::shared_ptr<v8::BackingStore> *keep);
bool HeapRoom(v8::Isolate *isolate, size_t n);


namespace {

enum {
    ENC_LATIN1 = 1,
    ENC_UTF16LE,
    ENC_HEX,
    ENC_BASE64,
    ENC_BASE64URL,
    ENC_ASCII
};


void
Throw(v8::Isolate *isolate, const char *msg)
{
    isolate->ThrowException(v8::Exception::TypeError(
        v8::String::NewFromUtf8(isolate, msg).ToLocalChecked()));
}


void
ThrowRange(v8::Isolate *isolate, const char *msg)
{
    isolate->ThrowException(v8::Exception::RangeError(
        v8::String::NewFromUtf8(isolate, msg).ToLocalChecked()));
}


const char *
Kind(v8::Local<v8::Value> v)
{
    if (!v->IsObject()) {
        return "";
    }

    /* first: a Proxy is none of what its target is */
    if (v->IsProxy()) {
        return "Proxy";
    }

    static const struct {
        bool        (v8::Value::*is)() const;
        const char  *name;
    } kinds[] = {
        { &v8::Value::IsUint8Array, "Uint8Array" },
        { &v8::Value::IsUint8ClampedArray, "Uint8ClampedArray" },
        { &v8::Value::IsInt8Array, "Int8Array" },
        { &v8::Value::IsUint16Array, "Uint16Array" },
        { &v8::Value::IsInt16Array, "Int16Array" },
        { &v8::Value::IsUint32Array, "Uint32Array" },
        { &v8::Value::IsInt32Array, "Int32Array" },
        { &v8::Value::IsFloat32Array, "Float32Array" },
        { &v8::Value::IsFloat64Array, "Float64Array" },
        { &v8::Value::IsBigInt64Array, "BigInt64Array" },
        { &v8::Value::IsBigUint64Array, "BigUint64Array" },
        { &v8::Value::IsPromise, "Promise" },
        { &v8::Value::IsRegExp, "RegExp" },
        { &v8::Value::IsDate, "Date" },
        { &v8::Value::IsMap, "Map" },
        { &v8::Value::IsSet, "Set" },
        { &v8::Value::IsWeakMap, "WeakMap" },
        { &v8::Value::IsWeakSet, "WeakSet" },
        { &v8::Value::IsMapIterator, "MapIterator" },
        { &v8::Value::IsSetIterator, "SetIterator" },
        { &v8::Value::IsArrayBuffer, "ArrayBuffer" },
        { &v8::Value::IsSharedArrayBuffer, "SharedArrayBuffer" },
        { &v8::Value::IsDataView, "DataView" },
        { &v8::Value::IsNumberObject, "NumberObject" },
        { &v8::Value::IsStringObject, "StringObject" },
        { &v8::Value::IsBooleanObject, "BooleanObject" },
        { &v8::Value::IsBigIntObject, "BigIntObject" },
        { &v8::Value::IsSymbolObject, "SymbolObject" },
        { &v8::Value::IsNativeError, "NativeError" },
        { &v8::Value::IsGeneratorObject, "GeneratorObject" },
        { &v8::Value::IsModuleNamespaceObject, "ModuleNamespaceObject" },
        { &v8::Value::IsArgumentsObject, "ArgumentsObject" },
        { &v8::Value::IsWasmModuleObject, "WasmModuleObject" },
        { &v8::Value::IsWasmMemoryObject, "WasmMemoryObject" },
    };

    v8::Value  *p = *v;

    for (const auto &k : kinds) {
        if ((p->*k.is)()) {
            return k.name;
        }
    }

    if (v->IsAsyncFunction()) {
        return v->IsGeneratorFunction() ? "AsyncGeneratorFunction"
                                        : "AsyncFunction";
    }

    if (v->IsGeneratorFunction()) {
        return "GeneratorFunction";
    }

    return "";
}


/* the string's UTF-16 units [at, at + n) into buf, flattened once by V8 */
void
Units(v8::Isolate *isolate, v8::Local<v8::String> s, int at, int n,
    uint16_t *buf)
{
    s->Write(isolate, buf, at, n, v8::String::NO_NULL_TERMINATION);
}


int
HexDigit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}


/* a base64 digit of either alphabet, or -1 */
int
Base64Digit(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
        return 62;
    }
    if (c == '/' || c == '_') {
        return 63;
    }
    return -1;
}


/* the bytes of s in encoding enc into out (room for "cap"); how many */
size_t
Decode(v8::Isolate *isolate, v8::Local<v8::String> s, int enc, uint8_t *out,
    size_t cap)
{
    const int  chunk = 4096;
    uint16_t   buf[chunk];
    int        len = s->Length();
    size_t     n = 0;
    int        hex = -1;           /* the first digit of a pair */
    uint32_t   bits = 0;
    int        nbits = 0;

    for (int at = 0; at < len; at += chunk) {
        int  k = len - at < chunk ? len - at : chunk;

        Units(isolate, s, at, k, buf);

        for (int i = 0; i < k; i++) {
            uint16_t  c = buf[i];
            int       d;

            switch (enc) {

            case ENC_LATIN1:
                out[n++] = (uint8_t) c;
                break;

            case ENC_UTF16LE:
                out[n++] = (uint8_t) c;
                out[n++] = (uint8_t) (c >> 8);
                break;

            /* hex and base64 see a unit's low byte only, as Node's
               decoders do (U+0141 is an "A") */
            case ENC_HEX:
                d = HexDigit((uint8_t) c);
                if (d < 0) {
                    return n;
                }
                if (hex < 0) {
                    hex = d;
                    break;
                }
                out[n++] = (uint8_t) (hex << 4 | d);
                hex = -1;
                break;

            default:            /* base64 */
                if ((uint8_t) c == '=') {
                    return n;
                }
                d = Base64Digit((uint8_t) c);
                if (d < 0) {
                    break;
                }
                bits = bits << 6 | d;
                nbits += 6;
                if (nbits >= 8) {
                    nbits -= 8;
                    if (n < cap) {
                        out[n++] = (uint8_t) (bits >> nbits);
                    }
                }
                bits &= (1u << nbits) - 1;
                break;
            }
        }
    }

    return n;
}


const char  hex_digits[] = "0123456789abcdef";
const char  b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789+/";
const char  b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                       "0123456789-_";


/* bytes as enc's one-byte text into out; its length */
size_t
Encode(const uint8_t *p, size_t n, int enc, char *out)
{
    size_t       o = 0, i = 0;
    const char  *a = enc == ENC_BASE64URL ? b64url : b64;

    switch (enc) {

    case ENC_HEX:
        for (; i < n; i++) {
            out[o++] = hex_digits[p[i] >> 4];
            out[o++] = hex_digits[p[i] & 15];
        }
        return o;

    case ENC_ASCII:
        for (; i < n; i++) {
            out[o++] = (char) (p[i] & 0x7f);
        }
        return o;

    default:            /* base64, base64url */
        for (; i + 3 <= n; i += 3) {
            uint32_t  v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];

            out[o++] = a[v >> 18];
            out[o++] = a[v >> 12 & 63];
            out[o++] = a[v >> 6 & 63];
            out[o++] = a[v & 63];
        }

        if (n - i == 1) {
            out[o++] = a[p[i] >> 2];
            out[o++] = a[(p[i] & 3) << 4];
            if (enc == ENC_BASE64) {
                out[o++] = '=';
                out[o++] = '=';
            }

        } else if (n - i == 2) {
            uint32_t  v = p[i] << 8 | p[i + 1];

            out[o++] = a[v >> 10];
            out[o++] = a[v >> 4 & 63];
            out[o++] = a[(v & 15) << 2];
            if (enc == ENC_BASE64) {
                out[o++] = '=';
            }
        }
        return o;
    }
}

}  /* namespace */


void
NativeTypeOf(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    args.GetReturnValue().Set(v8::String::NewFromUtf8(args.GetIsolate(),
        Kind(args[0]), v8::NewStringType::kInternalized).ToLocalChecked());
}


void
NativeValueDetails(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate             *isolate = args.GetIsolate();
    v8::Local<v8::Value>     v = args[0], parts[2];
    int                      n;

    if (!v->IsObject()) {
        return;
    }

    if (v->IsProxy()) {
        parts[0] = v.As<v8::Proxy>()->GetTarget();
        parts[1] = v.As<v8::Proxy>()->GetHandler();
        n = 2;

    } else if (v->IsPromise()) {
        v8::Local<v8::Promise>  p = v.As<v8::Promise>();
        v8::Promise::PromiseState  state = p->State();

        parts[0] = v8::Integer::New(isolate,
                       state == v8::Promise::kPending ? 0
                       : state == v8::Promise::kFulfilled ? 1 : 2);
        parts[1] = state == v8::Promise::kPending
                   ? v8::Undefined(isolate).As<v8::Value>() : p->Result();
        n = 2;

    } else if (v->IsNumberObject()) {
        parts[0] = v8::Number::New(isolate,
                       v.As<v8::NumberObject>()->ValueOf());
        n = 1;

    } else if (v->IsStringObject()) {
        parts[0] = v.As<v8::StringObject>()->ValueOf();
        n = 1;

    } else if (v->IsBooleanObject()) {
        parts[0] = v8::Boolean::New(isolate,
                       v.As<v8::BooleanObject>()->ValueOf());
        n = 1;

    } else if (v->IsBigIntObject()) {
        parts[0] = v.As<v8::BigIntObject>()->ValueOf();
        n = 1;

    } else if (v->IsSymbolObject()) {
        parts[0] = v.As<v8::SymbolObject>()->ValueOf();
        n = 1;

    } else if (v->IsMapIterator() || v->IsSetIterator()) {
        bool                  pairs = false;
        v8::Local<v8::Array>  entries;

        if (!v.As<v8::Object>()->PreviewEntries(&pairs).ToLocal(&entries)) {
            return;
        }

        parts[0] = entries;
        parts[1] = v8::Boolean::New(isolate, pairs);
        n = 2;

    } else {
        return;
    }

    args.GetReturnValue().Set(v8::Array::New(isolate, parts, n));
}


void
NativeStringBytes(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                 *isolate = args.GetIsolate();
    Isolate                     *self = Isolate::From(isolate);
    int                          enc = args[1]->IsInt32()
                                       ? args[1].As<v8::Int32>()->Value() : 0;
    v8::Local<v8::String>        s;
    v8::Local<v8::ArrayBuffer>   ab;
    size_t                       len, cap, n;

    if (!args[0]->IsString() || enc < ENC_LATIN1 || enc > ENC_BASE64) {
        Throw(isolate, "stringBytes: expected a string and an encoding");
        return;
    }

    s = args[0].As<v8::String>();
    len = (size_t) s->Length();

    if (self == nullptr || !self->Fits(s)) {
        if (self != nullptr) {
            self->OverLimit();
        }
        return;
    }

    cap = enc == ENC_LATIN1 ? len
          : enc == ENC_UTF16LE ? 2 * len
          : enc == ENC_HEX ? len / 2
          : len / 4 * 3 + 3;

    if (!self->NewBuffer(cap, true).ToLocal(&ab)) {
        ThrowRange(isolate, "Array buffer allocation failed");
        return;
    }

    uint8_t  *out = static_cast<uint8_t *>(ab->Data());

    n = Decode(isolate, s, enc, out, cap);

    /* the memory came uninitialised: nothing of it may show */
    if (cap > n) {
        memset(out + n, 0, cap - n);
    }

    args.GetReturnValue().Set(v8::Uint8Array::New(ab, 0, n));
}


void
NativeBytesString(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    v8::Local<v8::Context>              ctx = isolate->GetCurrentContext();
    Isolate                            *self = Isolate::From(isolate);
    int                                 enc = args[1]->IsInt32()
                                            ? args[1].As<v8::Int32>()->Value()
                                            : 0;
    const uint8_t                      *p;
    size_t                              n, out_len;
    std::shared_ptr<v8::BackingStore>   keep;
    v8::Local<v8::String>               s;

    if (!ViewBytes(args[0], &p, &n, &keep) || enc < ENC_LATIN1
        || enc > ENC_ASCII)
    {
        Throw(isolate, "bytesString: expected a view and an encoding");
        return;
    }

    double  start = args[2]->NumberValue(ctx).FromMaybe(0);
    double  end = args[3]->IsUndefined() ? (double) n
                  : args[3]->NumberValue(ctx).FromMaybe(0);

    /* NaN is 0; a view's length may have changed since JS looked */
    start = start > 0 ? (start < (double) n ? start : (double) n) : 0;
    end = end > start ? (end < (double) n ? end : (double) n) : start;

    p += (size_t) start;
    n = (size_t) end - (size_t) start;

    if (enc == ENC_UTF16LE) {
        n &= ~(size_t) 1;
    }

    out_len = enc == ENC_HEX ? 2 * n
              : enc == ENC_BASE64 ? (n + 2) / 3 * 4
              : enc == ENC_BASE64URL ? (n * 4 + 2) / 3
              : enc == ENC_UTF16LE ? n / 2
              : n;

    if (out_len > (size_t) v8::String::kMaxLength) {
        ThrowRange(isolate, "Cannot create a string longer than 0x1fffffe8"
                            " characters");
        return;
    }

    /* at most two bytes of string a byte (hex) */
    if (!HeapRoom(isolate, n)) {
        return;
    }

    if (enc == ENC_LATIN1) {
        if (!v8::String::NewFromOneByte(isolate, p,
                 v8::NewStringType::kNormal, (int) n).ToLocal(&s))
        {
            return;
        }

        args.GetReturnValue().Set(s);
        return;
    }

    /* the text is made in host memory counted against the budget */
    size_t  host = enc == ENC_UTF16LE ? n : out_len;

    if (self != nullptr && !AllocatorReserve(self->Allocator(), host, true)) {
        self->OverLimit();
        return;
    }

    bool  ok;

    if (enc == ENC_UTF16LE) {
        /* the bytes' own order, whatever their alignment */
        std::vector<uint16_t>  units(n / 2);

        for (size_t i = 0; i < n / 2; i++) {
            units[i] = (uint16_t) (p[2 * i] | p[2 * i + 1] << 8);
        }

        ok = v8::String::NewFromTwoByte(isolate, units.data(),
                 v8::NewStringType::kNormal, (int) units.size()).ToLocal(&s);

    } else {
        std::string  text(out_len, '\0');

        text.resize(Encode(p, n, enc, &text[0]));

        ok = v8::String::NewFromOneByte(isolate,
                 reinterpret_cast<const uint8_t *>(text.data()),
                 v8::NewStringType::kNormal, (int) text.size()).ToLocal(&s);
    }

    if (self != nullptr) {
        AllocatorRelease(self->Allocator(), host);
    }

    if (ok) {
        args.GetReturnValue().Set(s);
    }
}


void
NativeUtf8Length(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Isolate      *self = Isolate::From(isolate);

    if (!args[0]->IsString()) {
        Throw(isolate, "utf8Length: expected a string");
        return;
    }

    v8::Local<v8::String>  s = args[0].As<v8::String>();

    if (self != nullptr && !self->Fits(s)) {
        self->OverLimit();
        return;
    }

    args.GetReturnValue().Set((double) s->Utf8Length(isolate));
}

}  /* namespace jsfn */
