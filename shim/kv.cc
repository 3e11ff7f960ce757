/*
 * kv.cc: KV namespaces (js_function_kv), the native half of js/lib/kv.js.
 *
 * A request's jsfn_request_t.kv names the namespaces bound in its env: each
 * handle gets a small index in the isolate (Isolate::kv_ns), which is all
 * JS ever holds of it.  natives.kv() checks every argument again (the JS
 * half runs where a function may have replaced built-ins), turns keys into
 * their UTF-8 bytes and calls the host's kv() at once.  What the host reads
 * out of its store lands in memory counted against the isolate's budget
 * (Isolate::NewBuffer): a value bigger than what is left is a RangeError,
 * not an abort.
 */

#include <cmath>
#include <cstring>

#include "engine.h"


namespace jsfn {

bool HeapRoom(v8::Isolate *isolate, size_t n);


namespace {

/* the engine's side of jsfn_kv_op_t.alloc: buffers counted in the budget */
struct KvAlloc {
    Isolate                                  *self;
    std::vector<v8::Local<v8::ArrayBuffer>>   bufs;
    bool                                      failed = false;
};


char  kv_empty[1];


void *
KvAllocate(void *ctx, size_t len)
{
    KvAlloc                     *a = static_cast<KvAlloc *>(ctx);
    v8::Local<v8::ArrayBuffer>   ab;

    if (a->failed || a->bufs.size() >= 4) {
        return nullptr;
    }

    if (!a->self->NewBuffer(len, false).ToLocal(&ab)) {
        a->failed = true;
        return nullptr;
    }

    a->bufs.push_back(ab);

    return len ? ab->Data() : kv_empty;
}


/* the buffer of KvAllocate() that "p" starts, holding "len" bytes */
bool
KvBuffer(KvAlloc *a, const char *p, size_t len,
    v8::Local<v8::ArrayBuffer> *out)
{
    for (auto &ab : a->bufs) {
        const char  *d = ab->ByteLength() ? static_cast<char *>(ab->Data())
                                          : kv_empty;

        if (d == p && len <= ab->ByteLength()) {
            *out = ab;
            return true;
        }
    }

    return false;
}


void
Throw(v8::Isolate *isolate, v8::Local<v8::Value> (*make)(
    v8::Local<v8::String>), const std::string &msg)
{
    isolate->ThrowException(make(v8::String::NewFromUtf8(isolate,
        msg.data(), v8::NewStringType::kNormal, (int) msg.size())
        .ToLocalChecked()));
}


/*
 * A string as its UTF-8 bytes, lone surrogates as U+FFFD (as a key is
 * sent to Cloudflare's KV); false with a RangeError when the string cannot
 * be flattened within the budget.
 */
bool
Utf8(v8::Isolate *isolate, v8::Local<v8::String> s, std::string *out,
    size_t max, size_t *len)
{
    Isolate  *self = Isolate::From(isolate);

    if (!self->Fits(s)) {
        Throw(isolate, v8::Exception::RangeError,
              "the string does not fit the function's memory");
        return false;
    }

    *len = s->Utf8Length(isolate);

    if (*len > max) {
        return true;
    }

    out->resize(*len);

    if (*len) {
        s->WriteUtf8(isolate, &(*out)[0], (int) *len, nullptr,
                     v8::String::NO_NULL_TERMINATION
                     | v8::String::REPLACE_INVALID_UTF8);
    }

    return true;
}


/* workerd's checks of a key name, with its messages */
bool
Key(v8::Isolate *isolate, v8::Local<v8::Value> v, const char *method,
    std::string *out)
{
    size_t  len;

    if (!v->IsString()) {
        Throw(isolate, v8::Exception::TypeError, "the key must be a string");
        return false;
    }

    if (!Utf8(isolate, v.As<v8::String>(), out, JSFN_KV_MAX_KEY, &len)) {
        return false;
    }

    if (len == 0) {
        Throw(isolate, v8::Exception::TypeError, "Key name cannot be empty.");
        return false;
    }

    if (len > JSFN_KV_MAX_KEY) {
        Throw(isolate, v8::Exception::Error, std::string("KV ") + method
              + " failed: 414 UTF-8 encoded length of " + std::to_string(len)
              + " exceeds key length limit of "
              + std::to_string(JSFN_KV_MAX_KEY) + ".");
        return false;
    }

    if (*out == "." || *out == "..") {
        Throw(isolate, v8::Exception::TypeError,
              "\"" + *out + "\" is not allowed as a key name.");
        return false;
    }

    return true;
}


/*
 * A time in whole seconds: undefined is 0 (none), a number is truncated and
 * must be at least "min"; anything else throws "msg" with the value.
 */
bool
Seconds(v8::Isolate *isolate, v8::Local<v8::Value> v, double min,
    const char *what, const char *please, uint64_t *out)
{
    double  d;

    *out = 0;

    if (v->IsUndefined()) {
        return true;
    }

    d = v->IsNumber() ? std::trunc(v.As<v8::Number>()->Value()) : NAN;

    if (!(d >= min && d <= 9007199254740991.0)) {
        Throw(isolate, v8::Exception::Error,
              std::string("KV PUT failed: 400 Invalid ") + what + " of "
              + ToString(isolate, v) + ". " + please);
        return false;
    }

    *out = (uint64_t) d;

    return true;
}


v8::Local<v8::String>
Str(v8::Isolate *isolate, const char *s)
{
    return v8::String::NewFromUtf8(isolate, s, v8::NewStringType::kInternalized)
           .ToLocalChecked();
}


/*
 * The host's kv(): true, or false with the exception thrown (a RangeError
 * when what it read did not fit the budget).
 */
bool
CallHost(v8::Isolate *isolate, void *ns, jsfn_kv_op_t *op,
    jsfn_kv_result_t *res, KvAlloc *a)
{
    jsfn_err_t  err;

    memset(res, 0, sizeof(*res));
    err.len = 0;
    err.msg[0] = '\0';

    if (engine.host->kv(a->self->host, ns, op, res, &err) == 0) {
        return true;
    }

    if (a->failed) {
        Throw(isolate, v8::Exception::RangeError, "KV GET failed: the value"
              " does not fit the function's memory (js_function_memory)");
    } else {
        Throw(isolate, v8::Exception::Error, err.msg);
    }

    return false;
}


/* metadata as the host keeps it (JSON text), parsed again */
v8::MaybeLocal<v8::Value>
Metadata(v8::Isolate *isolate, v8::Local<v8::Context> ctx, const char *p,
    size_t len)
{
    v8::Local<v8::String>  s;

    if (!v8::String::NewFromUtf8(isolate, p, v8::NewStringType::kNormal,
                                 (int) len).ToLocal(&s))
    {
        return v8::MaybeLocal<v8::Value>();
    }

    return v8::JSON::Parse(ctx, s);
}


/* GET: undefined, or [value, metadata or null] */
void
KvGet(const v8::FunctionCallbackInfo<v8::Value> &args, void *ns,
    jsfn_kv_op_t *op, KvAlloc *a)
{
    v8::Isolate                *isolate = args.GetIsolate();
    v8::Local<v8::Context>      ctx = isolate->GetCurrentContext();
    int32_t                     mode = 0;
    jsfn_kv_result_t            res;
    v8::Local<v8::ArrayBuffer>  ab;
    v8::Local<v8::Value>        parts[2];

    if (!args[3]->Int32Value(ctx).To(&mode)) {
        return;
    }

    if (!CallHost(isolate, ns, op, &res, a)) {
        return;
    }

    if (!res.found) {
        return;
    }

    parts[1] = v8::Null(isolate);

    if (res.metadata != nullptr) {
        if (!KvBuffer(a, res.metadata, res.metadata_len, &ab)
            || res.metadata_len > JSFN_KV_MAX_METADATA
            || !Metadata(isolate, ctx, res.metadata, res.metadata_len)
                .ToLocal(&parts[1]))
        {
            if (!isolate->IsExecutionTerminating()) {
                Throw(isolate, v8::Exception::Error,
                      "KV GET failed: the metadata is not JSON");
            }
            return;
        }
    }

    if (!KvBuffer(a, res.value, res.value_len, &ab)) {
        Throw(isolate, v8::Exception::Error, "KV GET failed: no value");
        return;
    }

    if (mode == 0) {
        /* the value's own buffer, exactly its length */
        if (ab->ByteLength() != res.value_len) {
            Throw(isolate, v8::Exception::Error, "KV GET failed: no value");
            return;
        }

        parts[0] = ab;

    } else {
        /* text and json: UTF-8, malformed sequences as U+FFFD */
        v8::Local<v8::String>  s;

        if (!HeapRoom(isolate, res.value_len)
            || !v8::String::NewFromUtf8(isolate, res.value,
                   v8::NewStringType::kNormal, (int) res.value_len)
                   .ToLocal(&s))
        {
            if (!isolate->IsExecutionTerminating()) {
                Throw(isolate, v8::Exception::RangeError, "KV GET failed: the"
                      " value does not fit the function's memory");
            }
            return;
        }

        parts[0] = s;

        if (mode == 2 && !v8::JSON::Parse(ctx, s).ToLocal(&parts[0])) {
            return;             /* JSON.parse's SyntaxError */
        }
    }

    args.GetReturnValue().Set(v8::Array::New(isolate, parts, 2));
}


void
TooLarge(v8::Isolate *isolate, const char *what, size_t len, size_t max)
{
    Throw(isolate, v8::Exception::Error, std::string("KV PUT failed: 413 ")
          + what + " length of " + std::to_string(len) + " exceeds limit of "
          + std::to_string(max) + ".");
}


/* PUT (key, value, metadata, expiration, expirationTtl) */
void
KvPut(const v8::FunctionCallbackInfo<v8::Value> &args, void *ns,
    jsfn_kv_op_t *op, KvAlloc *a)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    v8::Local<v8::Context>              ctx = isolate->GetCurrentContext();
    size_t                              len;
    std::string                         value, meta;
    jsfn_kv_result_t                    res;
    const uint8_t                      *p;
    v8::Local<v8::String>               json;
    std::shared_ptr<v8::BackingStore>   keep;

    if (args[3]->IsString()) {
        if (!Utf8(isolate, args[3].As<v8::String>(), &value,
                  JSFN_KV_MAX_VALUE, &len))
        {
            return;
        }

        op->value.data = value.data();
        op->value.len = len;

    } else if (ViewBytes(args[3], &p, &len, &keep)) {
        op->value.data = reinterpret_cast<const char *>(p);
        op->value.len = len;

    } else {
        Throw(isolate, v8::Exception::TypeError, "KV put() accepts only"
              " strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams"
              " as values.");
        return;
    }

    if (len > JSFN_KV_MAX_VALUE) {
        TooLarge(isolate, "Value", len, JSFN_KV_MAX_VALUE);
        return;
    }

    /* metadata: JSON.stringify's own (a function cannot replace it) */
    if (!args[4]->IsUndefined() && !args[4]->IsNull()) {
        if (!args[4]->IsFunction() && !args[4]->IsSymbol()
            && !v8::JSON::Stringify(ctx, args[4]).ToLocal(&json))
        {
            return;             /* a cycle, a BigInt: its TypeError */
        }

        /* a function, a symbol, a toJSON() that gives undefined */
        if (json.IsEmpty() || json->StringEquals(Str(isolate, "undefined"))) {
            Throw(isolate, v8::Exception::TypeError,
                  "KV put(): the metadata is not serializable to JSON");
            return;
        }

        if (!Utf8(isolate, json, &meta, JSFN_KV_MAX_METADATA, &len)) {
            return;
        }

        if (len > JSFN_KV_MAX_METADATA) {
            TooLarge(isolate, "Metadata", len, JSFN_KV_MAX_METADATA);
            return;
        }

        op->metadata.data = meta.data();
        op->metadata.len = len;
    }

    if (!Seconds(isolate, args[5], 1, "expiration", "Please specify integer"
                 " greater than the current number of seconds since the UNIX"
                 " epoch.", &op->expiration)
        || !Seconds(isolate, args[6], 1, "expiration_ttl", "Please specify"
                    " integer greater than 0.", &op->ttl))
    {
        return;
    }

    CallHost(isolate, ns, op, &res, a);
}


/* LIST (prefix, limit, cursor): {keys, list_complete, cursor, cacheStatus} */
void
KvList(const v8::FunctionCallbackInfo<v8::Value> &args, void *ns,
    jsfn_kv_op_t *op, KvAlloc *a)
{
    v8::Isolate                *isolate = args.GetIsolate();
    v8::Local<v8::Context>      ctx = isolate->GetCurrentContext();
    size_t                      len, i, n;
    double                      limit;
    uint32_t                    klen, mlen;
    uint64_t                    exp;
    std::string                 prefix, cursor;
    const char                 *p, *end;
    jsfn_kv_result_t            res;
    v8::Local<v8::Array>        keys;
    v8::Local<v8::Object>       result, entry;
    v8::Local<v8::String>       name;
    v8::Local<v8::Value>        meta;
    v8::Local<v8::ArrayBuffer>  ab;

    if (!args[2]->IsString() || !args[3]->IsNumber()) {
        Throw(isolate, v8::Exception::TypeError, "KV list(): bad arguments");
        return;
    }

    limit = args[3].As<v8::Number>()->Value();

    if (!(limit >= 1 && limit <= JSFN_KV_MAX_LIST)) {
        Throw(isolate, v8::Exception::Error, "KV GET failed: 400 Invalid"
              " key_count_limit of " + ToString(isolate, args[3])
              + ". Please specify an integer of at most "
              + std::to_string(JSFN_KV_MAX_LIST) + ".");
        return;
    }

    if (!Utf8(isolate, args[2].As<v8::String>(), &prefix, JSFN_KV_MAX_KEY,
              &len))
    {
        return;
    }

    if (!args[4]->IsUndefined()) {
        v8::Local<v8::String>  c;

        if (!args[4]->IsString()
            || (c = args[4].As<v8::String>())->Length() > JSFN_KV_MAX_CURSOR
            || !Isolate::From(isolate)->ByteString(c, &cursor))
        {
            Throw(isolate, v8::Exception::Error,
                  "KV GET failed: 400 Invalid cursor.");
            return;
        }

        op->cursor.data = cursor.data();
        op->cursor.len = cursor.size();
    }

    result = v8::Object::New(isolate);
    keys = v8::Array::New(isolate);
    n = 0;
    memset(&res, 0, sizeof(res));

    /* a prefix longer than any key matches none */
    if (len <= JSFN_KV_MAX_KEY) {
        op->key.data = prefix.data();
        op->key.len = len;
        op->limit = (size_t) limit;
        if (!CallHost(isolate, ns, op, &res, a)) {
            return;
        }

        if (res.nkeys && !KvBuffer(a, res.list, res.list_len, &ab)) {
            Throw(isolate, v8::Exception::Error, "KV GET failed: no list");
            return;
        }

        p = res.list;
        end = p + res.list_len;

        for (i = 0; i < res.nkeys && i < JSFN_KV_MAX_LIST; i++) {
            if (end - p < 16) {
                break;
            }

            memcpy(&klen, p, 4);
            memcpy(&mlen, p + 4, 4);
            memcpy(&exp, p + 8, 8);
            p += 16;

            if (klen > JSFN_KV_MAX_KEY || (size_t) (end - p) < klen
                || (mlen != 0xffffffff
                    && (mlen > JSFN_KV_MAX_METADATA
                        || (size_t) (end - p) - klen < mlen)))
            {
                break;
            }

            entry = v8::Object::New(isolate);

            if (!v8::String::NewFromUtf8(isolate, p, v8::NewStringType::kNormal,
                                         (int) klen).ToLocal(&name)
                || entry->CreateDataProperty(ctx, Str(isolate, "name"), name)
                   .IsNothing())
            {
                return;
            }

            p += klen;

            if (exp
                && entry->CreateDataProperty(ctx, Str(isolate, "expiration"),
                       v8::Number::New(isolate, (double) exp)).IsNothing())
            {
                return;
            }

            if (mlen != 0xffffffff) {
                if (!Metadata(isolate, ctx, p, mlen).ToLocal(&meta)
                    || entry->CreateDataProperty(ctx,
                           Str(isolate, "metadata"), meta).IsNothing())
                {
                    return;
                }

                p += mlen;
            }

            if (keys->CreateDataProperty(ctx, (uint32_t) n++, entry)
                    .IsNothing())
            {
                return;
            }
        }
    }

    if (result->CreateDataProperty(ctx, Str(isolate, "keys"), keys)
            .IsNothing()
        || result->CreateDataProperty(ctx, Str(isolate, "list_complete"),
               v8::Boolean::New(isolate, res.cursor.len == 0)).IsNothing())
    {
        return;
    }

    if (res.cursor.len) {
        if (res.cursor.len > JSFN_KV_MAX_CURSOR
            || !KvBuffer(a, res.cursor.data, res.cursor.len, &ab)
            || result->CreateDataProperty(ctx, Str(isolate, "cursor"),
                   v8::String::NewFromOneByte(isolate,
                       reinterpret_cast<const uint8_t *>(res.cursor.data),
                       v8::NewStringType::kNormal, (int) res.cursor.len)
                       .ToLocalChecked()).IsNothing())
        {
            return;
        }
    }

    if (result->CreateDataProperty(ctx, Str(isolate, "cacheStatus"),
                                   v8::Null(isolate)).IsNothing())
    {
        return;
    }

    args.GetReturnValue().Set(result);
}

}  /* namespace */


/*
 * natives.kv(op, index, ...): GET (key, mode: 0 ArrayBuffer, 1 text,
 * 2 json), PUT (key, value, metadata, expiration, expirationTtl), DELETE
 * (key), LIST (prefix, limit, cursor); 0 (key): the key's checks for PUT.
 */
void
NativeKv(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate       *isolate = args.GetIsolate();
    Isolate           *self = Isolate::From(isolate);
    int32_t            what;
    uint32_t           index;
    void              *ns;
    std::string        key;
    jsfn_kv_op_t       op;
    jsfn_kv_result_t   res;
    KvAlloc            a;
    const char        *method;

    if (self == nullptr || !args[0]->IsInt32() || !args[1]->IsUint32()) {
        Throw(isolate, v8::Exception::TypeError, "KV: bad arguments");
        return;
    }

    what = args[0].As<v8::Int32>()->Value();
    index = args[1].As<v8::Uint32>()->Value();

    if (index >= self->kv_ns.size() || engine.host->kv == nullptr) {
        Throw(isolate, v8::Exception::TypeError, "KV: not a namespace");
        return;
    }

    ns = self->kv_ns[index];
    a.self = self;

    memset(&op, 0, sizeof(op));
    op.op = what;
    op.alloc = KvAllocate;
    op.alloc_ctx = &a;

    if (what == JSFN_KV_LIST) {
        KvList(args, ns, &op, &a);
        return;
    }

    /* 0: only check a key for PUT (before a stream value is read) */
    method = what == JSFN_KV_GET ? "GET"
             : what == JSFN_KV_PUT || what == 0 ? "PUT"
             : what == JSFN_KV_DELETE ? "DELETE" : nullptr;

    if (method == nullptr) {
        Throw(isolate, v8::Exception::TypeError, "KV: unknown operation");
        return;
    }

    if (!Key(isolate, args[2], method, &key) || what == 0) {
        return;
    }

    op.key.data = key.data();
    op.key.len = key.size();

    if (what == JSFN_KV_GET) {
        KvGet(args, ns, &op, &a);
        return;
    }

    if (what == JSFN_KV_PUT) {
        KvPut(args, ns, &op, &a);
        return;
    }

    CallHost(isolate, ns, &op, &res, &a);
}


/*
 * The request's KV bindings for the dispatcher: undefined (none, the
 * common case: nothing is made), or [name, index, ...], the index of each
 * handle in the isolate's table (the same handle keeps its index).
 */
v8::Local<v8::Value>
KvBindings(Isolate *self, const jsfn_request_t *req)
{
    v8::Isolate                        *isolate = self->isolate;
    size_t                              i, j;
    std::vector<v8::Local<v8::Value>>   v;

    if (req->nkv == 0 || req->kv == nullptr) {
        return v8::Undefined(isolate);
    }

    v.reserve(req->nkv * 2);

    for (i = 0; i < req->nkv; i++) {
        for (j = 0; j < self->kv_ns.size(); j++) {
            if (self->kv_ns[j] == req->kv[i].ns) {
                break;
            }
        }

        if (j == self->kv_ns.size()) {
            self->kv_ns.push_back(req->kv[i].ns);
        }

        v.push_back(v8::String::NewFromUtf8(isolate, req->kv[i].name.data,
                        v8::NewStringType::kInternalized,
                        (int) req->kv[i].name.len).ToLocalChecked());
        v.push_back(v8::Integer::NewFromUnsigned(isolate, (uint32_t) j));
    }

    return v8::Array::New(isolate, v.data(), v.size());
}

}  /* namespace jsfn */
