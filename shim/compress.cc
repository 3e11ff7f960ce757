/*
 * compress.cc: zlib streams for CompressionStream and DecompressionStream
 * (js/lib/compression.js).
 *
 *   zlibNew(format, inflate)  a zlib stream: format 0 "deflate" (zlib
 *                             wrapper), 1 "deflate-raw", 2 "gzip"
 *   zlibRun(z, bytes, offset) runs bytes[offset..] through it (bytes null:
 *                             the end, for compression) and returns
 *                             [output Uint8Array or null, new offset, flags]
 *                             with flags 1: call again (the output was cut
 *                             at 64 KB, or input is left), 2: the end of the
 *                             compressed stream was reached
 *
 * A stream lives in one arena: an ArrayBuffer's memory, counted against the
 * isolate's budget, that holds the z_stream and every block zlib asks for
 * (zalloc hands out pieces of it, zfree does nothing).  JS gets a handle
 * object that holds the ArrayBuffer under a private key, out of JS's reach.
 * When the handle is collected, or the isolate disposed of, V8 frees the
 * ArrayBuffer and so everything zlib had: nothing to end, nothing to leak,
 * no pointer that JS could name.
 *
 * A call takes at most 256 KB of input and gives at most 64 KB of output,
 * each output chunk allocated against the budget (NewBuffer), so that the
 * CPU limit can stop a long run between calls and a decompression bomb ends
 * at the memory limit.  No pointer into JS memory is kept between calls.
 */

#include <cstring>
#include <new>

#include <zlib.h>

#include "engine.h"


namespace jsfn {

namespace {

const uint32_t  zmagic = 0x7a6c6962;            /* "zlib" */
const size_t    zout = 64u << 10;               /* output per call */
const size_t    zin = 256u << 10;               /* input per call */

/*
 * Arena sizes, with room to spare over zlib 1.2.13's needs at windowBits
 * 15 and memLevel 8: deflate 268,096 bytes in 5 blocks, inflate 39,928 in
 * 2 (its window only once output outgrows it).
 */
const size_t    deflate_arena = 288u << 10;
const size_t    inflate_arena = 48u << 10;

enum { ZMORE = 1, ZENDED = 2 };


struct Zstream {
    uint32_t    magic;
    bool        inflate;
    bool        ended;
    bool        failed;
    size_t      size;          /* of the arena, this header included */
    size_t      used;          /* bytes handed out so far */
    Zstream    *self;
    z_stream    z;
};

const size_t    zheader = (sizeof(Zstream) + 15) & ~(size_t) 15;


voidpf
ZAlloc(voidpf opaque, uInt items, uInt size)
{
    Zstream  *s = static_cast<Zstream *>(opaque);
    size_t    n = (size_t) items * size;
    size_t    at = (s->used + 15) & ~(size_t) 15;

    if (size != 0 && n / size != items) {
        return Z_NULL;
    }

    if (at > s->size || n > s->size - at) {
        return Z_NULL;
    }

    s->used = at + n;

    return reinterpret_cast<char *>(s) + at;
}


void
ZFree(voidpf opaque, voidpf address)
{
    /* the arena goes as a whole */
}


void
Throw(v8::Isolate *isolate, v8::Local<v8::Value> (*make)(
    v8::Local<v8::String>), const std::string &msg)
{
    isolate->ThrowException(make(v8::String::NewFromUtf8(isolate,
        msg.c_str()).ToLocalChecked()));
}


v8::Local<v8::Private>
Key(v8::Isolate *isolate)
{
    return v8::Private::ForApi(isolate,
        v8::String::NewFromUtf8Literal(isolate, "jsfn:zlib"));
}


/* the stream behind a handle, or nullptr */
Zstream *
FromHandle(v8::Isolate *isolate, v8::Local<v8::Value> handle,
    std::shared_ptr<v8::BackingStore> *keep)
{
    v8::Local<v8::Value>  v;

    if (!handle->IsObject()
        || !handle.As<v8::Object>()->GetPrivate(isolate->GetCurrentContext(),
                Key(isolate)).ToLocal(&v)
        || !v->IsArrayBuffer())
    {
        return nullptr;
    }

    *keep = v.As<v8::ArrayBuffer>()->GetBackingStore();

    Zstream  *s = static_cast<Zstream *>((*keep)->Data());

    if (s == nullptr || (*keep)->ByteLength() < zheader
        || s->magic != zmagic || s->self != s
        || s->size != (*keep)->ByteLength())
    {
        return nullptr;
    }

    return s;
}


/*
 * The bytes of a BufferSource (no SharedArrayBuffer).  A typed array of up
 * to 64 bytes may keep its bytes on the V8 heap: asking for its buffer
 * would allocate one, and V8 aborts if that fails, so those are copied.
 */
bool
InputBytes(v8::Local<v8::Value> v, const uint8_t **p, size_t *n,
    std::shared_ptr<v8::BackingStore> *keep, uint8_t *small, size_t room)
{
    if (v->IsArrayBufferView()) {
        v8::Local<v8::ArrayBufferView>  view = v.As<v8::ArrayBufferView>();

        if (!view->HasBuffer()) {
            if (view->ByteLength() > room) {
                return false;
            }

            *n = view->CopyContents(small, room);
            *p = small;
            return true;
        }

        v8::Local<v8::ArrayBuffer>  buf = view->Buffer();

        if (buf->IsSharedArrayBuffer()) {
            return false;
        }

        *keep = buf->GetBackingStore();
        *n = view->ByteLength();
        *p = *n ? static_cast<const uint8_t *>((*keep)->Data())
                  + view->ByteOffset()
                : small;
        return true;
    }

    if (v->IsArrayBuffer()) {
        *keep = v.As<v8::ArrayBuffer>()->GetBackingStore();
        *n = (*keep)->ByteLength();
        *p = *n ? static_cast<const uint8_t *>((*keep)->Data()) : small;
        return true;
    }

    return false;
}


/* where zlib writes before the output gets its own, exact, buffer */
uint8_t *
Scratch()
{
    static thread_local std::unique_ptr<uint8_t[]>  buf;

    if (!buf) {
        buf.reset(new (std::nothrow) uint8_t[zout]);
    }

    return buf.get();
}

}  /* namespace */


void
NativeZlibNew(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                *isolate = args.GetIsolate();
    Isolate                    *self = Isolate::From(isolate);
    v8::Local<v8::Context>      ctx = isolate->GetCurrentContext();
    v8::Local<v8::ArrayBuffer>  ab;
    int                         format, bits, rc;
    bool                        inflate;
    size_t                      size;

    if (args.Length() < 2 || !args[0]->IsInt32() || !args[1]->IsBoolean()
        || args[0].As<v8::Int32>()->Value() < 0
        || args[0].As<v8::Int32>()->Value() > 2)
    {
        Throw(isolate, v8::Exception::TypeError,
              "zlibNew: expected a format and a direction");
        return;
    }

    if (self == nullptr) {
        Throw(isolate, v8::Exception::Error, "zlibNew: no isolate");
        return;
    }

    format = args[0].As<v8::Int32>()->Value();
    inflate = args[1]->IsTrue();
    bits = format == 0 ? 15 : format == 1 ? -15 : 15 + 16;
    size = inflate ? inflate_arena : deflate_arena;

    if (!self->NewBuffer(size, true).ToLocal(&ab)) {
        Throw(isolate, v8::Exception::RangeError,
              "Array buffer allocation failed");
        return;
    }

    Zstream  *s = new (ab->Data()) Zstream();

    s->magic = zmagic;
    s->inflate = inflate;
    s->size = size;
    s->used = zheader;
    s->self = s;
    s->z.zalloc = ZAlloc;
    s->z.zfree = ZFree;
    s->z.opaque = s;

    rc = inflate ? inflateInit2(&s->z, bits)
                 : deflateInit2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                                bits, 8, Z_DEFAULT_STRATEGY);

    if (rc != Z_OK) {
        Throw(isolate, v8::Exception::RangeError,
              std::string("zlib: ") + (s->z.msg ? s->z.msg : zError(rc)));
        return;
    }

    v8::Local<v8::Object>  handle = v8::Object::New(isolate, v8::Null(isolate),
                                                    nullptr, nullptr, 0);

    if (handle->SetPrivate(ctx, Key(isolate), ab).IsNothing()) {
        return;
    }

    args.GetReturnValue().Set(handle);
}


void
NativeZlibRun(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    Isolate                            *self = Isolate::From(isolate);
    std::shared_ptr<v8::BackingStore>   keep, in;
    uint8_t                             small[64];
    const uint8_t                      *p = small;
    size_t                              n = 0, off = 0, took, made;
    bool                                finish;
    int                                 rc, flags;
    Zstream                            *s;
    uint8_t                            *out;

    s = FromHandle(isolate, args[0], &keep);

    if (s == nullptr || self == nullptr) {
        Throw(isolate, v8::Exception::TypeError,
              "zlibRun: not a zlib stream");
        return;
    }

    finish = args[1]->IsNull();

    if ((!finish && !InputBytes(args[1], &p, &n, &in, small, sizeof(small)))
        || (finish && s->inflate))
    {
        Throw(isolate, v8::Exception::TypeError,
              "zlibRun: the chunk is not an ArrayBuffer or a view");
        return;
    }

    if (args[2]->IsNumber()) {
        double  d = args[2].As<v8::Number>()->Value();

        if (!(d >= 0 && d <= (double) n)) {
            Throw(isolate, v8::Exception::RangeError,
                  "zlibRun: offset out of range");
            return;
        }

        off = (size_t) d;
    }

    if (s->failed) {
        Throw(isolate, v8::Exception::TypeError,
              "the compression stream failed before");
        return;
    }

    out = Scratch();
    if (out == nullptr) {
        Throw(isolate, v8::Exception::RangeError, "out of memory");
        return;
    }

    z_stream  &z = s->z;

    took = 0;
    made = 0;
    rc = Z_STREAM_END;

    if (!s->ended) {
        z.next_in = const_cast<Bytef *>(p + off);
        z.avail_in = (uInt) (n - off < zin ? n - off : zin);
        z.next_out = out;
        z.avail_out = (uInt) zout;

        rc = s->inflate ? inflate(&z, Z_NO_FLUSH)
                        : deflate(&z, finish ? Z_FINISH : Z_NO_FLUSH);

        took = z.next_in - (p + off);
        made = zout - z.avail_out;

        /* nothing of JS's is kept past this call */
        z.next_in = Z_NULL;
        z.avail_in = 0;
        z.next_out = Z_NULL;
        z.avail_out = 0;
    }

    switch (rc) {

    case Z_OK:
    case Z_BUF_ERROR:
        break;

    case Z_STREAM_END:
        s->ended = true;
        break;

    case Z_NEED_DICT:
        s->failed = true;
        Throw(isolate, v8::Exception::TypeError, "DecompressionStream: the"
              " compressed data needs a preset dictionary");
        return;

    case Z_MEM_ERROR:
        s->failed = true;
        Throw(isolate, v8::Exception::RangeError, "zlib: out of memory");
        return;

    default:
        s->failed = true;
        Throw(isolate, v8::Exception::TypeError,
              std::string(s->inflate ? "DecompressionStream: the compressed"
                                       " data is corrupt"
                                     : "CompressionStream: zlib failed")
              + (z.msg ? std::string(" (") + z.msg + ")" : ""));
        return;
    }

    off += took;
    flags = s->ended ? ZENDED : 0;

    if (!s->ended && (took || made)
        && (made == zout || off < n || (finish && rc != Z_STREAM_END)))
    {
        flags |= ZMORE;
    }

    v8::Local<v8::Value>  result[3] = {
        v8::Null(isolate),
        v8::Number::New(isolate, (double) off),
        v8::Integer::New(isolate, flags),
    };

    if (made) {
        v8::Local<v8::ArrayBuffer>  ab;

        if (!self->NewBuffer(made, true).ToLocal(&ab)) {
            s->failed = true;
            Throw(isolate, v8::Exception::RangeError,
                  "Array buffer allocation failed");
            return;
        }

        memcpy(ab->Data(), out, made);
        result[0] = v8::Uint8Array::New(ab, 0, made);
    }

    args.GetReturnValue().Set(v8::Array::New(isolate, result, 3));
}

}  /* namespace jsfn */
