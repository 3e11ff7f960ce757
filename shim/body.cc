/*
 * body.cc: bodies that cross the engine's boundary a piece at a time.
 *
 * A response whose body is a ReadableStream finishes its call with the
 * head only (jsfn_response_t.streamed); the host then pulls the pieces
 * with jsfn_call_read() when nginx can send them, and each read makes the
 * JS side read one chunk of the stream (js/31-bodies.js): the function's
 * pull() runs at the client's pace.  A piece is the chunk's own memory,
 * kept alive (the BackingStore) until the host's next read or its
 * jsfn_call_free().
 *
 * A request body that nginx has not read whole when the call starts is a
 * byte stream that the host feeds with jsfn_call_feed(), each piece copied
 * into the isolate against its memory budget; the host reads more from the
 * client only while the stream is pulled past what was fed (body_want).
 *
 * The JS side is one function, internal.bodyHook(op, id, arg, kind), given
 * to the engine by natives.bodyInit() the first time an isolate streams.
 *
 *   natives.bodyInit(hook)              the hook, once per isolate
 *   natives.bodyStream(id)              the call's response body is a stream
 *                                       the JS side reads (before done())
 *   natives.bodyChunk(id, v, kind)      the outcome of a read: kind 0 a
 *                                       chunk (returns 0 taken, 1 empty:
 *                                       read on, 2 not a Uint8Array), 1 the
 *                                       end, 2 an error (v)
 *   natives.bodyWant(id, cancelled)     the request body stream was pulled
 *                                       (or cancelled by the function)
 */

#include <cstring>
#include <strings.h>

#include "engine.h"


namespace jsfn {

void HungRead(CallStream *s);


namespace {

enum { kHookRead = 0, kHookCancel, kHookFeed };

/*
 * A stream's pieces are mostly garbage once sent or read, but V8 counts
 * ArrayBuffer memory towards a collection only past 64 MB of it: every
 * 4 MB that a body moves, the isolate is collected if its buffers hold
 * more than 4 MB, which keeps a long stream's memory to about that.
 */
const size_t  kSweepBytes = 4u << 20;


void
Sweep(Isolate *self, CallStream *s, size_t n)
{
    s->unswept += n;

    if (s->unswept < kSweepBytes) {
        return;
    }

    s->unswept = 0;

    if (AllocatorUsed(self->Allocator()) > kSweepBytes) {
        self->isolate->MemoryPressureNotification(
            v8::MemoryPressureLevel::kCritical);
    }
}

/* what the hook's "feed" gets as kind */
enum { kFeedPiece = 0, kFeedLast, kFeedError, kFeedTooLarge, kFeedWhole };


Call *
FindCall(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Isolate      *self = Isolate::From(isolate);

    if (self == nullptr || !args[0]->IsUint32()) {
        return nullptr;
    }

    return self->Find(args[0].As<v8::Uint32>()->Value());
}

}  /* namespace */


/* runs the JS hook in an entry of its own; false: it threw or was stopped */
static bool
CallHook(Isolate *self, Call *call, int op, v8::Local<v8::Value> arg,
    int kind, std::string *why)
{
    v8::Isolate             *isolate = self->isolate;
    v8::Local<v8::Context>   ctx = isolate->GetCurrentContext();
    v8::TryCatch             tc(isolate);
    bool                     ok;
    uint64_t                 cpu = ThreadCpuNs();

    v8::Local<v8::Value>  argv[] = {
        v8::Integer::New(isolate, op),
        v8::Integer::NewFromUnsigned(isolate, call->id),
        arg,
        v8::Integer::New(isolate, kind),
    };

    {
        Isolate::Entry  entry(self, call->cpu_limit_us ? call->cpu_limit_us
                                                       : self->cpu_limit_us);

        ok = !self->body_hook.Get(isolate)->Call(ctx, v8::Undefined(isolate),
                                                 4, argv).IsEmpty();

        if (!ok && why != nullptr && !isolate->IsExecutionTerminating()) {
            *why = Describe(isolate, ctx, tc.Exception(), tc.Message());
        }

        if (!isolate->IsExecutionTerminating()) {
            isolate->PerformMicrotaskCheckpoint();
        }
    }

    /* I/O of the request's, as a fetch report is (fetch.cc): CPU time */
    self->ChargeCall(call, ThreadCpuNs() - cpu);

    return ok && self->condemned == JSFN_OK;
}


int
Isolate::Read(Call *call, const char **data, size_t *len, jsfn_err_t *err)
{
    CallStream  *s = call->stream.get();

    if (s == nullptr || !s->response) {
        return Fail(err, JSFN_ERR_ARG, "no streamed response");
    }

    if (s->pipe) {
        return PipeRead(call, data, len, err);
    }

    if (s->state == kReadHanded) {
        /* the host is done with the piece it had */
        s->unswept += s->len;
        s->store.reset();
        s->data = nullptr;
        s->len = 0;
        s->state = kReadIdle;
    }

    if (s->state == kReadIdle && condemned == JSFN_OK
        && !body_hook.IsEmpty())
    {
        Lock                     lock(this);
        v8::Isolate::Scope       iscope(isolate);
        v8::HandleScope          hscope(isolate);
        v8::Local<v8::Context>   ctx = context.Get(isolate);
        v8::Context::Scope       cscope(ctx);
        std::string              why;

        Sweep(this, s, 0);

        s->state = kReading;
        s->waiting = false;

        if (!CallHook(this, call, kHookRead, v8::Undefined(isolate), 0, &why)
            && condemned == JSFN_OK && s->state == kReading)
        {
            s->state = kReadFailed;
            s->code = JSFN_ERR_JS;
            s->error = why;
        }

        ReportRejections();

        if (condemned == JSFN_OK) {
            SettleHung();

            /* this read too, answered now rather than by a callback */
            if (s->state == kReading && Stuck()) {
                HungRead(s);
            }
        }
    }

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    switch (s->state) {

    case kReadChunk:
        s->state = kReadHanded;
        s->waiting = false;
        *data = s->data;
        *len = s->len;
        return JSFN_OK;

    case kReadDone:
        return JSFN_DONE;

    case kReadFailed:
        return Fail(err, s->code, s->error);

    case kReading:
        s->waiting = true;
        return JSFN_AGAIN;

    default:
        return Fail(err, JSFN_ERR_ARG, "the response body stream is gone");
    }
}


int
Isolate::Feed(Call *call, const char *data, size_t len, int flags,
    jsfn_err_t *err)
{
    CallStream  *s = call->stream.get();
    int          kind, rc;
    std::string  msg;

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    if (s->ended || body_hook.IsEmpty()) {
        /* cancelled by the function, or already ended: nothing more */
        return (flags & (JSFN_DATA_LAST | JSFN_DATA_ERROR)) ? JSFN_OK
                                                           : JSFN_AGAIN;
    }

    Lock                     lock(this);
    v8::Isolate::Scope       iscope(isolate);
    v8::HandleScope          hscope(isolate);
    v8::Local<v8::Context>   ctx = context.Get(isolate);
    v8::Context::Scope       cscope(ctx);
    v8::Local<v8::Value>     arg;

    rc = JSFN_OK;
    s->fed += len;

    if (s->whole && !(flags & JSFN_DATA_ERROR)) {
        /* read whole: gathered, JS runs only at the end */
        if (!Gather(s, data, len)) {
            kind = kFeedTooLarge;
            rc = JSFN_ERR_BODY;
            msg = TooLarge(s);
            arg = v8::String::NewFromUtf8(isolate, msg.c_str())
                      .ToLocalChecked();

        } else if (!(flags & JSFN_DATA_LAST)) {
            s->paused = false;
            return JSFN_OK;

        } else {
            size_t                      n = s->gathered_len;
            v8::Local<v8::ArrayBuffer>  ab;

            kind = kFeedWhole;

            if (s->gathered) {
                ab = v8::ArrayBuffer::New(isolate, std::move(s->gathered));
            } else {
                ab = v8::ArrayBuffer::New(isolate, 0);
            }

            arg = v8::Uint8Array::New(ab, 0, n);
        }

    } else if (flags & JSFN_DATA_ERROR) {
        kind = kFeedError;
        msg = std::string(data, len);
        arg = v8::String::NewFromUtf8(isolate, msg.data(),
                  v8::NewStringType::kNormal, (int) msg.size())
                  .ToLocalChecked();

    } else {
        v8::Local<v8::ArrayBuffer>  ab;

        kind = (flags & JSFN_DATA_LAST) ? kFeedLast : kFeedPiece;

        if (!NewBuffer(len, false).ToLocal(&ab)) {
            /* the isolate is fine; the stream errors, the host stops */
            kind = kFeedTooLarge;
            rc = JSFN_ERR_BODY;
            msg = TooLarge(s);
            arg = v8::String::NewFromUtf8(isolate, msg.c_str())
                      .ToLocalChecked();

        } else {
            if (len) {
                memcpy(ab->Data(), data, len);
            }

            arg = v8::Uint8Array::New(ab, 0, len);
        }
    }

    s->wanted = false;
    s->paused = false;

    Sweep(this, s, len);

    if (kind != kFeedPiece) {
        s->End();
    }

    (void) CallHook(this, call, kHookFeed, arg, kind, nullptr);

    ReportRejections();

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    SettleHung();

    if (rc != JSFN_OK) {
        return Fail(err, rc, msg);
    }

    if (s->ended || s->wanted) {
        return JSFN_OK;
    }

    s->paused = true;

    return JSFN_AGAIN;
}


/* the message of a request body past the budget */
std::string
Isolate::TooLarge(CallStream *s)
{
    std::string  size = s->expected >= 0
                        ? "of " + std::to_string(s->expected) + " bytes "
                        : "of more than " + std::to_string(s->fed)
                          + " bytes ";

    return "the request body " + size + "does not fit the function's"
           " memory of " + std::to_string(heap_max >> 20)
           + " MB (js_function_memory)";
}


/*
 * A piece of a body read whole, into one buffer counted against the
 * budget: of its Content-Length, or grown by half again (a chunked body).
 * False: past the budget.
 */
bool
Isolate::Gather(CallStream *s, const char *data, size_t len)
{
    size_t  cap, need;

    if (s->too_large) {
        return false;
    }

    cap = s->gathered ? s->gathered->ByteLength() : 0;
    need = s->gathered_len + len;

    if (need > cap) {
        std::unique_ptr<v8::BackingStore>  bigger;

        cap = cap + cap / 2 > need ? cap + cap / 2 : need;
        if (cap < 65536) {
            cap = 65536;
        }

        if (s->expected >= 0 && (size_t) s->expected >= need) {
            cap = (size_t) s->expected;
        }

        bigger = Store(cap);

        if (!bigger) {
            s->too_large = true;
            s->gathered.reset();
            return false;
        }

        if (s->gathered_len) {
            memcpy(bigger->Data(), s->gathered->Data(), s->gathered_len);
        }

        s->gathered = std::move(bigger);
    }

    if (len) {
        memcpy(static_cast<char *>(s->gathered->Data()) + s->gathered_len,
               data, len);
    }

    s->gathered_len = need;

    return true;
}


/* memory for a body, after a collection if need be; null past the budget */
std::unique_ptr<v8::BackingStore>
Isolate::Store(size_t len)
{
    std::unique_ptr<v8::BackingStore>  store;

    store = AllocatorStore(allocator, len, false);

    if (!store && heap_max) {
        isolate->LowMemoryNotification();
        store = AllocatorStore(allocator, len, false);
    }

    return store;
}


/*
 * The host is done with the call: a response stream not read to its end
 * is cancelled (its source's cancel() runs), a request body stream not fed
 * to its end errors.  Nothing of this reaches the host any more.
 */
void
Isolate::EndStreams(Call *call)
{
    CallStream  *s = call->stream.get();
    bool         cancel, fail;

    if (s == nullptr) {
        return;
    }

    if (s->pipe) {
        PipeEnd(call);
        return;
    }

    s->waiting = false;
    s->paused = false;

    cancel = s->response && s->state != kReadDone && s->state != kReadFailed;
    fail = s->request && !s->ended;

    s->state = kReadDone;
    s->End();

    if ((!cancel && !fail) || condemned != JSFN_OK || body_hook.IsEmpty()) {
        return;
    }

    Lock                     lock(this);
    v8::Isolate::Scope       iscope(isolate);
    v8::HandleScope          hscope(isolate);
    v8::Local<v8::Context>   ctx = context.Get(isolate);
    v8::Context::Scope       cscope(ctx);

    if (cancel) {
        (void) CallHook(this, call, kHookCancel,
                        v8::String::NewFromUtf8Literal(isolate,
                            "The response was not read to its end (the"
                            " client went away or the request ended)."),
                        0, nullptr);
    }

    if (fail && condemned == JSFN_OK) {
        (void) CallHook(this, call, kHookFeed,
                        v8::String::NewFromUtf8Literal(isolate,
                            "The request ended before its body was read."),
                        kFeedError, nullptr);
    }

    ReportRejections();
}


/*
 * Nothing left in the isolate can settle a pending promise: no timer is
 * armed, no host work is pending (a fetch in flight, a request body still
 * being fed), JS has returned.
 */
bool
Isolate::Stuck()
{
    return FetchPending() == 0 && timers.empty() && feeding == 0
           && condemned == JSFN_OK;
}


void
HungRead(CallStream *s)
{
    s->state = Isolate::kReadFailed;
    s->code = JSFN_ERR_HUNG;
    s->error = "the response body stream will never produce more: its read"
               " is pending and nothing is left that could settle it (no"
               " timers, no pending I/O)";
    s->waiting = false;
}


/*
 * Reads of response streams that nothing left in the isolate can answer
 * (no timers, no host work: see SettleHung) fail now rather than after
 * js_function_timeout.
 */
void
Isolate::ReadsHung()
{
    for (auto &c : calls) {
        CallStream  *s = c.second->stream.get();

        if (s == nullptr || !s->response || s->state != kReading
            || !s->waiting)
        {
            continue;
        }

        HungRead(s);

        engine.host->call_done(c.second->host);
    }
}


/* bodyInit(hook) */
void
NativeBodyInit(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    Isolate  *self = Isolate::From(args.GetIsolate());

    if (self != nullptr && self->body_hook.IsEmpty() && args[0]->IsFunction())
    {
        self->body_hook.Reset(args.GetIsolate(), args[0].As<v8::Function>());
    }
}


/* bodyStream(id): the call's response body is a stream read on demand */
void
NativeBodyStream(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    Call  *call = FindCall(args);

    if (call == nullptr || call->settled) {
        args.GetReturnValue().Set(false);
        return;
    }

    if (!call->stream) {
        call->stream.reset(new CallStream());
    }

    call->stream->response = true;
    call->stream->state = Isolate::kReadIdle;

    args.GetReturnValue().Set(true);
}


/* bodyChunk(id, value, kind): a read of a response stream is answered */
void
NativeBodyChunk(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Call         *call = FindCall(args);
    CallStream   *s = call != nullptr ? call->stream.get() : nullptr;
    int           kind;

    args.GetReturnValue().Set(0);

    if (s == nullptr || !s->response || s->state != Isolate::kReading
        || !args[2]->IsInt32())
    {
        return;
    }

    kind = args[2].As<v8::Int32>()->Value();

    if (kind == 0) {
        if (!args[1]->IsUint8Array()) {
            args.GetReturnValue().Set(2);
            return;
        }

        v8::Local<v8::Uint8Array>  u8 = args[1].As<v8::Uint8Array>();

        if (u8->ByteLength() == 0) {
            args.GetReturnValue().Set(1);
            return;
        }

        s->store = u8->Buffer()->GetBackingStore();
        s->data = static_cast<const char *>(s->store->Data())
                  + u8->ByteOffset();
        s->len = u8->ByteLength();
        s->state = Isolate::kReadChunk;

    } else if (kind == 1) {
        s->state = Isolate::kReadDone;

    } else {
        s->state = Isolate::kReadFailed;
        s->code = JSFN_ERR_JS;
        s->error = Describe(isolate, isolate->GetCurrentContext(), args[1],
                            v8::Exception::CreateMessage(isolate, args[1]));
    }

    if (s->waiting) {
        s->waiting = false;
        engine.host->call_done(call->host);
    }
}


/*
 * bodyWhole(id): the request body, not read yet, is wanted whole (text(),
 * json(), ...): its pieces are gathered in one buffer, handed to the hook
 * at the end.  False when pieces were fed already: read them as a stream.
 */
void
NativeBodyWhole(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    Isolate     *self = Isolate::From(args.GetIsolate());
    Call        *call = FindCall(args);
    CallStream  *s = call != nullptr ? call->stream.get() : nullptr;

    args.GetReturnValue().Set(false);

    if (s == nullptr || !s->request || s->ended || s->whole || s->fed) {
        return;
    }

    s->whole = true;
    args.GetReturnValue().Set(true);

    /* a Content-Length past the budget is refused before anything is read */
    if (s->expected > 0) {
        s->gathered = self->Store((size_t) s->expected);
        if (!s->gathered) {
            s->too_large = true;
        }
    }

    s->wanted = true;

    if (s->paused) {
        s->paused = false;

        if (engine.host->body_want != nullptr) {
            engine.host->body_want(call->host);
        }
    }
}


/* a request's Content-Length, or -1 */
long long
ContentLength(const jsfn_str_t *headers, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const jsfn_str_t  &name = headers[2 * i];
        const jsfn_str_t  &value = headers[2 * i + 1];
        long long          v = 0;

        if (name.len != 14 || strncasecmp(name.data, "content-length", 14)) {
            continue;
        }

        for (size_t k = 0; k < value.len; k++) {
            if (value.data[k] < '0' || value.data[k] > '9'
                || v > (1LL << 50))
            {
                return -1;
            }

            v = v * 10 + (value.data[k] - '0');
        }

        return value.len ? v : -1;
    }

    return -1;
}


/* bodyWant(id, cancelled): the request body stream wants more, or no more */
void
NativeBodyWant(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    Call        *call = FindCall(args);
    CallStream  *s = call != nullptr ? call->stream.get() : nullptr;

    if (s == nullptr || !s->request || s->ended) {
        return;
    }

    if (args[1]->IsTrue()) {
        s->End();
        s->paused = false;
        return;
    }

    s->wanted = true;

    if (s->paused) {
        s->paused = false;

        if (engine.host->body_want != nullptr) {
            engine.host->body_want(call->host);
        }
    }
}

}  /* namespace jsfn */
