/*
 * natives.cc: the functions the JS runtime calls into (see js/README.md).
 */

#include <cstring>

#include "engine.h"


namespace jsfn {

static void
NativeLog(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    int           level = args[0]->Int32Value(isolate->GetCurrentContext())
                              .FromMaybe(JSFN_LOG_INFO);
    std::string   msg = ToString(isolate, args[1]);

    if (Isolate::From(isolate) != nullptr) {
        Isolate::From(isolate)->Log(level, msg.data(), msg.size());
    }
}


static void
NativeTimerStart(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate            *isolate = args.GetIsolate();
    v8::Local<v8::Context>  ctx = isolate->GetCurrentContext();
    Isolate                *self = Isolate::From(isolate);
    uint32_t                id = args[0]->Uint32Value(ctx).FromMaybe(0);
    double                  ms = args[1]->NumberValue(ctx).FromMaybe(0);

    if (self == nullptr) {
        return;                 /* making the snapshot */
    }

    if (!(ms >= 0)) {
        ms = 0;
    }

    if (ms > 2147483647.0) {
        ms = 2147483647.0;
    }

    /* each armed timer holds host memory: a bound, as for the heap */
    if (self->timers.size() >= JSFN_MAX_TIMERS
        && self->timers.find(id) == self->timers.end())
    {
        isolate->ThrowException(v8::Exception::RangeError(
            v8::String::NewFromUtf8Literal(isolate,
                "too many timers: at most 10000 may be pending")));
        return;
    }

    if (engine.host->timer_start(self->host, id, (uint64_t) ms) != 0) {
        isolate->ThrowException(v8::Exception::Error(
            v8::String::NewFromUtf8Literal(isolate, "cannot start a timer")));
        return;
    }

    self->timers.insert(id);
}


static void
NativeTimerStop(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Isolate      *self = Isolate::From(isolate);
    uint32_t      id = args[0]->Uint32Value(isolate->GetCurrentContext())
                           .FromMaybe(0);

    if (self != nullptr && self->timers.erase(id)) {
        engine.host->timer_stop(self->host, id);
    }
}


static void
NativeUtf8Encode(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                 *isolate = args.GetIsolate();
    Isolate                     *self = Isolate::From(isolate);
    v8::Local<v8::String>        s;
    v8::Local<v8::ArrayBuffer>   ab;

    if (!args[0]->ToString(isolate->GetCurrentContext()).ToLocal(&s)) {
        return;
    }

    /* over the budget: a RangeError and a memory limit kill, as in JS */
    if (self != nullptr && !self->Fits(s)) {
        self->OverLimit();
        return;
    }

    size_t  len = s->Utf8Length(isolate);

    if (self != nullptr) {
        if (!self->NewBuffer(len, true).ToLocal(&ab)) {
            isolate->ThrowException(v8::Exception::RangeError(
                v8::String::NewFromUtf8Literal(isolate,
                    "Array buffer allocation failed")));
            return;
        }

    } else {
        ab = v8::ArrayBuffer::New(isolate, len);    /* making the snapshot */
    }

    if (len) {
        s->WriteUtf8(isolate, static_cast<char *>(ab->Data()), (int) len,
                     nullptr, v8::String::NO_NULL_TERMINATION
                              | v8::String::REPLACE_INVALID_UTF8);
    }

    args.GetReturnValue().Set(v8::Uint8Array::New(ab, 0, len));
}


/* strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF) */
static bool
ValidUtf8(const uint8_t *p, size_t n)
{
    size_t  i = 0;

    while (i < n) {
        uint8_t  c = p[i];

        if (c < 0x80) {
            i++;
            continue;
        }

        size_t    len;
        uint32_t  cp, min;

        if ((c & 0xe0) == 0xc0) {
            len = 2; cp = c & 0x1f; min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3; cp = c & 0x0f; min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4; cp = c & 0x07; min = 0x10000;
        } else {
            return false;
        }

        if (i + len > n) {
            return false;
        }

        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }

        i += len;
    }

    return true;
}


bool
ViewBytes(v8::Local<v8::Value> v, const uint8_t **p, size_t *n,
    std::shared_ptr<v8::BackingStore> *keep)
{
    if (v->IsArrayBufferView()) {
        v8::Local<v8::ArrayBufferView>  view = v.As<v8::ArrayBufferView>();
        *keep = view->Buffer()->GetBackingStore();
        *p = static_cast<const uint8_t *>((*keep)->Data())
             + view->ByteOffset();
        *n = view->ByteLength();
        return true;
    }

    if (v->IsArrayBuffer()) {
        *keep = v.As<v8::ArrayBuffer>()->GetBackingStore();
        *p = static_cast<const uint8_t *>((*keep)->Data());
        *n = (*keep)->ByteLength();
        return true;
    }

    return false;
}


/*
 * A string of up to "n" bytes' worth is about to be made on the heap: if it
 * cannot fit, V8 would abort rather than throw, so the isolate is stopped
 * at its memory limit instead.
 */
bool
HeapRoom(v8::Isolate *isolate, size_t n)
{
    Isolate             *self = Isolate::From(isolate);
    v8::HeapStatistics   hs;

    if (self == nullptr || self->heap_max == 0 || n < (1u << 20)) {
        return true;
    }

    isolate->GetHeapStatistics(&hs);

    /* UTF-8 to UTF-16: at most two bytes a byte */
    if (hs.used_heap_size() + 2 * n <= self->heap_max) {
        return true;
    }

    self->OverLimit();
    return false;
}


static void
NativeUtf8Decode(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    const uint8_t                      *p;
    size_t                              n;
    std::shared_ptr<v8::BackingStore>   keep;
    v8::Local<v8::String>               s;

    if (!ViewBytes(args[0], &p, &n, &keep)) {
        isolate->ThrowException(v8::Exception::TypeError(
            v8::String::NewFromUtf8Literal(isolate,
                "utf8Decode: expected an ArrayBuffer or a view")));
        return;
    }

    if (args[1]->BooleanValue(isolate) && !ValidUtf8(p, n)) {
        isolate->ThrowException(v8::Exception::TypeError(
            v8::String::NewFromUtf8Literal(isolate,
                "The encoded data was not valid for encoding utf-8")));
        return;
    }

    if (!HeapRoom(isolate, n)) {
        return;
    }

    if (n > (size_t) v8::String::kMaxLength
        || !v8::String::NewFromUtf8(isolate, reinterpret_cast<const char *>(p),
                v8::NewStringType::kNormal, (int) n).ToLocal(&s))
    {
        isolate->ThrowException(v8::Exception::RangeError(
            v8::String::NewFromUtf8Literal(isolate, "string too long")));
        return;
    }

    args.GetReturnValue().Set(s);
}


static void
NativeLatin1Decode(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    const uint8_t                      *p;
    size_t                              n;
    std::shared_ptr<v8::BackingStore>   keep;
    v8::Local<v8::String>               s;

    if (ViewBytes(args[0], &p, &n, &keep) && !HeapRoom(isolate, n)) {
        return;
    }

    if (!ViewBytes(args[0], &p, &n, &keep)
        || n > (size_t) v8::String::kMaxLength
        || !v8::String::NewFromOneByte(isolate, p, v8::NewStringType::kNormal,
                                       (int) n).ToLocal(&s))
    {
        isolate->ThrowException(v8::Exception::TypeError(
            v8::String::NewFromUtf8Literal(isolate,
                "latin1Decode: expected an ArrayBuffer or a view")));
        return;
    }

    args.GetReturnValue().Set(s);
}


static void
NativeDone(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    uint32_t      id = args[0]->Uint32Value(isolate->GetCurrentContext())
                           .FromMaybe(0);

    if (Isolate::From(isolate) != nullptr) {
        Isolate::From(isolate)->Settle(id, args[1], JSFN_OK,
                                       v8::Local<v8::Value>());
    }
}


/* fail(callId, error, notResponse) */
static void
NativeFail(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    uint32_t      id = args[0]->Uint32Value(isolate->GetCurrentContext())
                           .FromMaybe(0);

    if (Isolate::From(isolate) == nullptr) {
        return;
    }

    Isolate::From(isolate)->Settle(id, v8::Local<v8::Value>(),
        args[2]->BooleanValue(isolate) ? JSFN_ERR_RESPONSE : JSFN_ERR_JS,
        args[1]);
}


v8::Local<v8::Array> Pairs(v8::Isolate *isolate, const jsfn_str_t *s,
    size_t n, bool latin1);


/* headers(callId): the request's headers, on the handler's first look */
static void
NativeHeaders(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    uint32_t      id = args[0]->Uint32Value(isolate->GetCurrentContext())
                           .FromMaybe(0);
    Call         *call = Isolate::From(isolate) != nullptr
                          ? Isolate::From(isolate)->Find(id) : nullptr;

    if (call == nullptr) {
        /* the host is done with the request: its memory is gone */
        args.GetReturnValue().Set(v8::Array::New(isolate, 0));
        return;
    }

    args.GetReturnValue().Set(Pairs(isolate, call->req_headers,
                                    call->req_nheaders, true));
}


/*
 * headersRecord(init): a HeadersInit record, a plain object such as
 * { 'content-type': 'text/plain' }, as the runtime's validated flat list
 * [name, value, ...] (names lowercase, values trimmed of HTTP whitespace);
 * undefined where the runtime's own walk must run and throw its exact
 * error: a Proxy or an API object, an accessor or index key, an
 * enumerable symbol, a value that is not a string, anything invalid or
 * long.  Nothing a function wrote runs here (no getters, no toString), so
 * falling back is never observable.  Native code is shared by every
 * isolate and stays in the CPU's caches, where the JS walk of one of many
 * tenants' isolates runs on cold bytecode and feedback (30-fetch.js).
 */
/* an RFC 9110 tchar: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA */
static bool
HeaderToken(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9')
           || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

static const int  kRecordMaxPairs = 64;
static const int  kRecordMaxLength = 8192;


/* a string's characters as bytes, if every one is at most U+00FF */
static bool
RecordBytes(v8::Isolate *isolate, v8::Local<v8::String> s, uint8_t *out,
    int *len)
{
    uint16_t  wide[kRecordMaxLength];

    *len = s->Length();
    if (*len > kRecordMaxLength) {
        return false;
    }

    if (s->IsOneByte()) {
        s->WriteOneByte(isolate, out, 0, *len,
                        v8::String::NO_NULL_TERMINATION);
        return true;
    }

    s->Write(isolate, wide, 0, *len, v8::String::NO_NULL_TERMINATION);

    for (int i = 0; i < *len; i++) {
        if (wide[i] > 0xff) {
            return false;
        }
        out[i] = (uint8_t) wide[i];
    }

    return true;
}


static bool
HttpSpace(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}


static void
NativeHeadersRecord(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate             *isolate = args.GetIsolate();
    v8::Local<v8::Context>   ctx = isolate->GetCurrentContext();
    v8::Local<v8::Object>    obj;
    v8::Local<v8::Array>     keys;
    v8::Local<v8::Value>     out[2 * kRecordMaxPairs];
    uint8_t                  buf[kRecordMaxLength];
    int                      n = 0, len;

    if (!args[0]->IsObject() || args[0]->IsProxy()) {
        return;
    }

    obj = args[0].As<v8::Object>();

    /* symbols and index keys come too: either sends it to the JS walk */
    if (obj->IsApiWrapper() || obj->InternalFieldCount() != 0
        || !obj->GetOwnPropertyNames(ctx, v8::ONLY_ENUMERABLE,
                v8::KeyConversionMode::kKeepNumbers).ToLocal(&keys)
        || keys->Length() > (uint32_t) kRecordMaxPairs)
    {
        return;
    }

    for (uint32_t i = 0; i < keys->Length(); i++) {
        v8::Local<v8::Value>   k, v;
        v8::Local<v8::String>  name, value;
        bool                   lower = true;
        int                    start, end;

        if (!keys->Get(ctx, i).ToLocal(&k) || !k->IsString()) {
            return;          /* an index key, a symbol, or an exception */
        }

        name = k.As<v8::String>();

        if (obj->HasRealNamedCallbackProperty(ctx, name).FromMaybe(true)
            || !obj->Get(ctx, name).ToLocal(&v) || !v->IsString())
        {
            return;
        }

        value = v.As<v8::String>();

        if (!RecordBytes(isolate, name, buf, &len) || len == 0) {
            return;
        }

        for (int j = 0; j < len; j++) {
            if (!HeaderToken(buf[j])) {
                return;
            }
            if (buf[j] >= 'A' && buf[j] <= 'Z') {
                buf[j] |= 0x20;
                lower = false;
            }
        }

        if (!lower
            && !v8::String::NewFromOneByte(isolate, buf,
                    v8::NewStringType::kInternalized, len).ToLocal(&name))
        {
            return;
        }

        if (!RecordBytes(isolate, value, buf, &len)) {
            return;
        }

        for (start = 0; start < len && HttpSpace(buf[start]); start++) {
            /* void */
        }

        for (end = len; end > start && HttpSpace(buf[end - 1]); end--) {
            /* void */
        }

        for (int j = start; j < end; j++) {
            if (buf[j] == '\0' || buf[j] == '\r' || buf[j] == '\n') {
                return;
            }
        }

        if ((start != 0 || end != len)
            && !v8::String::NewFromOneByte(isolate, buf + start,
                    v8::NewStringType::kNormal, end - start).ToLocal(&value))
        {
            return;
        }

        out[n++] = name;
        out[n++] = value;
    }

    args.GetReturnValue().Set(v8::Array::New(isolate, out, n));
}


/* streams.cc, compress.cc */
void NativeLibrary(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeLibraryCache(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeLazyGlobals(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeTransfer(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeZlibNew(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeZlibRun(const v8::FunctionCallbackInfo<v8::Value> &args);
void LazyGlobal(v8::Local<v8::Name> name,
    const v8::PropertyCallbackInfo<v8::Value> &info);


/* Date.now(): the wall clock when JS was entered, frozen while it runs */
static void
NativeNow(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    Isolate  *self = Isolate::From(args.GetIsolate());

    /* whole milliseconds, as Date.now() gives */
    args.GetReturnValue().Set((double) (int64_t) (self ? self->entry_ms
                                                       : WallMs()));
}


/* performance.now(): ms since the isolate began, frozen the same way */
static void
NativeHrNow(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    Isolate  *self = Isolate::From(args.GetIsolate());

    args.GetReturnValue().Set(self ? (self->entry_us - self->origin_us)
                                     / 1000.0
                                   : 0.0);
}


/*
 * The value V8 carries along promise reactions (continuation-preserved
 * embedder data): AsyncLocalStorage's frame, kept across awaits and then().
 */
static void
NativeContextGet(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    args.GetReturnValue().Set(args.GetIsolate()->GetCurrentContext()
                                  ->GetContinuationPreservedEmbedderData());
}


static void
NativeContextSet(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    args.GetIsolate()->GetCurrentContext()
        ->SetContinuationPreservedEmbedderData(args[0]);
}


/*
 * natives.isOneByte(s): whether V8 holds s in one byte a character (looked
 * up, not scanned).  Such a string has no surrogates and is a ByteString:
 * the runtime's checks for those skip their regular expressions then,
 * which each isolate (and each context of a shared one) would otherwise
 * compile for itself.
 */
static void
NativeIsOneByte(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    args.GetReturnValue().Set(args.Length() > 0 && args[0]->IsString()
                              && args[0].As<v8::String>()->IsOneByte());
}


/* the node: modules (node.cc) */
void NativeTypeOf(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeValueDetails(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeStringBytes(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeBytesString(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeUtf8Length(const v8::FunctionCallbackInfo<v8::Value> &args);

/* clone.cc */
void NativeStructuredClone(const v8::FunctionCallbackInfo<v8::Value> &args);

/* streamed bodies (body.cc) */
void NativeBodyInit(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeBodyStream(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeBodyChunk(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeBodyWant(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeBodyWhole(const v8::FunctionCallbackInfo<v8::Value> &args);

/* TextDecoder's legacy encodings (encoding.cc) */
void NativeDecoderOpen(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeDecoderDecode(const v8::FunctionCallbackInfo<v8::Value> &args);


static const struct {
    const char               *name;
    v8::FunctionCallback      fn;
} natives_table[] = {
        { "log",          NativeLog },
        { "timerStart",   NativeTimerStart },
        { "timerStop",    NativeTimerStop },
        { "utf8Encode",   NativeUtf8Encode },
        { "utf8Decode",   NativeUtf8Decode },
        { "isOneByte",    NativeIsOneByte },
        { "latin1Decode", NativeLatin1Decode },
        { "decoderOpen",  NativeDecoderOpen },
        { "decoderDecode", NativeDecoderDecode },
        { "done",         NativeDone },
        { "fail",         NativeFail },
        { "headers",      NativeHeaders },
        { "headersRecord", NativeHeadersRecord },
        { "now",          NativeNow },
        { "hrnow",        NativeHrNow },
        { "contextGet",   NativeContextGet },
        { "contextSet",   NativeContextSet },
        { "structuredClone", NativeStructuredClone },
        { "library",      NativeLibrary },
        { "libraryCache", NativeLibraryCache },
        { "lazyGlobals",  NativeLazyGlobals },
        { "transfer",     NativeTransfer },
        { "zlibNew",      NativeZlibNew },
        { "zlibRun",      NativeZlibRun },
        { "cryptoRandom",   NativeCryptoRandom },
        { "cryptoCopy",     NativeCryptoCopy },
        { "cryptoDigest",   NativeCryptoDigest },
        { "cryptoEqual",    NativeCryptoEqual },
        { "cryptoSecret",   NativeCryptoSecret },
        { "cryptoGenerate", NativeCryptoGenerate },
        { "cryptoImport",   NativeCryptoImport },
        { "cryptoExport",   NativeCryptoExport },
        { "cryptoSign",     NativeCryptoSign },
        { "cryptoVerify",   NativeCryptoVerify },
        { "cryptoCipher",   NativeCryptoCipher },
        { "cryptoDerive",   NativeCryptoDerive },
        { "typeOf",       NativeTypeOf },
        { "valueDetails", NativeValueDetails },
        { "stringBytes",  NativeStringBytes },
        { "bytesString",  NativeBytesString },
        { "utf8Length",   NativeUtf8Length },
        { "fetchInit",    NativeFetchInit },
        { "fetchStart",   NativeFetchStart },
        { "fetchCtl",     NativeFetchCtl },
        { "fetchBase",    NativeFetchBase },
        { "fetchPipe",    NativeFetchPipe },
        { "kv",           NativeKv },
        { "bodyInit",     NativeBodyInit },
        { "bodyStream",   NativeBodyStream },
        { "bodyChunk",    NativeBodyChunk },
        { "bodyWant",     NativeBodyWant },
        { "bodyWhole",    NativeBodyWhole },
};


/* every C++ address a snapshot may refer to, 0-terminated */
const intptr_t *
NativeReferences()
{
    static intptr_t  refs[sizeof(natives_table) / sizeof(natives_table[0])
                          + 3];

    if (refs[0] == 0) {
        size_t  i = 0;

        for (const auto &t : natives_table) {
            refs[i++] = reinterpret_cast<intptr_t>(t.fn);
        }

        /* the getter of the lazy globals (streams.cc) */
        refs[i++] = reinterpret_cast<intptr_t>(LazyGlobal);

        /* the runtime's text, an external string (snapshot.cc) */
        refs[i++] = reinterpret_cast<intptr_t>(RuntimeSourceReference());

        refs[i] = 0;
    }

    return refs;
}


void
InstallNatives(v8::Isolate *isolate, v8::Local<v8::Context> ctx,
    v8::Local<v8::Object> natives)
{
    for (const auto &t : natives_table) {
        v8::Local<v8::Function>  f = v8::Function::New(ctx, t.fn, 
            v8::Local<v8::Value>(), 0, v8::ConstructorBehavior::kThrow)
            .ToLocalChecked();
        v8::Local<v8::String>  name = v8::String::NewFromUtf8(isolate, t.name,
            v8::NewStringType::kInternalized).ToLocalChecked();

        f->SetName(name);
        natives->Set(ctx, name, f).Check();
    }
}

}  /* namespace jsfn */
