/*
 * fetch.cc: the engine side of fetch() (js/lib/fetch.js): the natives that
 * hand each hop to the host (fetch_start, fetch_ctl), and the host's
 * reports (jsfn_fetch_head/data/fail), which run the library's hooks.
 *
 * Nothing the JS side gives is trusted: a function may have replaced any
 * built-in the library uses, so the request is checked here again (method
 * a token, URL an absolute http(s) one in ASCII, headers tokens and
 * ByteStrings without CR/LF/NUL, sizes capped) before the host sees it.
 */

#include <cstring>

#include "engine.h"


namespace jsfn {

enum { FETCH_HEAD = 0, FETCH_DATA, FETCH_FAIL };

#define JSFN_MAX_URL  (16u << 10)


struct LiveFetch {
    bool                                paused = false;   /* JSFN_AGAIN */
    uint32_t                            call = 0;         /* made by */
    uint32_t                            pipe = 0;         /* piped to */
};


struct FetchState {
    /* fetches the host serves, by id */
    std::unordered_map<uint32_t, LiveFetch>  live;
    uint32_t                            next = 1;
    v8::Global<v8::Function>            hooks[3];
};


static void
Throw(v8::Isolate *isolate, const std::string &msg)
{
    isolate->ThrowException(v8::Exception::TypeError(
        v8::String::NewFromUtf8(isolate, msg.data(), v8::NewStringType::kNormal,
                                (int) msg.size()).ToLocalChecked()));
}


/* fetchInit(onHead, onData, onFail): js/lib/fetch.js, when it loads */
void
NativeFetchInit(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Isolate      *self = Isolate::From(isolate);

    if (self == nullptr || args.Length() < 3 || !args[0]->IsFunction()
        || !args[1]->IsFunction() || !args[2]->IsFunction())
    {
        return;
    }

    if (self->fetch == nullptr) {
        self->fetch = new FetchState;
    }

    for (int i = 0; i < 3; i++) {
        self->fetch->hooks[i].Reset(isolate, args[i].As<v8::Function>());
    }
}


/*
 * "scheme://host[:port]" of an absolute URL, lower case, without the
 * scheme's default port: what two URLs must share to be of one origin.
 */
static std::string
Origin(const char *p, size_t n)
{
    std::string  s(p, n), scheme, host;
    size_t       colon = s.find("://");

    if (colon == std::string::npos) {
        return std::string();
    }

    scheme = s.substr(0, colon);
    host = s.substr(colon + 3, s.find_first_of("/?#", colon + 3) - colon - 3);

    for (auto &c : scheme) {
        c = tolower((unsigned char) c);
    }

    for (auto &c : host) {
        c = tolower((unsigned char) c);
    }

    if ((scheme == "http" && host.size() > 3
         && host.compare(host.size() - 3, 3, ":80") == 0)
        || (scheme == "https" && host.size() > 4
            && host.compare(host.size() - 4, 4, ":443") == 0))
    {
        host.resize(host.rfind(':'));
    }

    return scheme + "://" + host;
}


/*
 * fetchStart(callId, method, url, headers, body): one hop to the host; its
 * id, or a TypeError with the host's reason.
 */
void
NativeFetchStart(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    v8::Local<v8::Context>              ctx = isolate->GetCurrentContext();
    Isolate                            *self = Isolate::From(isolate);
    Call                               *call;
    uint32_t                            call_id, id;
    size_t                              bytes;
    std::string                         method, url;
    std::vector<std::string>            data;
    std::vector<jsfn_str_t>             headers;
    std::shared_ptr<v8::BackingStore>   keep;
    const uint8_t                      *body = nullptr;
    size_t                              body_len = 0;
    jsfn_fetch_t                        req;
    jsfn_err_t                          err;

    if (self == nullptr || self->fetch == nullptr || args.Length() < 5) {
        return Throw(isolate, "fetch() is not available");
    }

    if (engine.host->fetch_start == nullptr) {
        return Throw(isolate, "fetch() is not available here (no HTTP client"
                     " in this process)");
    }

    call_id = args[0]->IsUint32() ? args[0].As<v8::Uint32>()->Value() : 0;

    if (!args[1]->IsString() || args[1].As<v8::String>()->Length() > 256
        || !self->ByteString(args[1].As<v8::String>(), &method)
        || !Isolate::Token(method))
    {
        return Throw(isolate, "fetch(): invalid method");
    }

    if (!args[2]->IsString()
        || (size_t) args[2].As<v8::String>()->Length() > JSFN_MAX_URL
        || !self->ByteString(args[2].As<v8::String>(), &url))
    {
        return Throw(isolate, "fetch(): invalid URL");
    }

    if (url.compare(0, 7, "http://") != 0
        && url.compare(0, 8, "https://") != 0)
    {
        return Throw(isolate, "Fetch API cannot load: " + url);
    }

    for (unsigned char c : url) {
        if (c <= 0x20 || c >= 0x7f || c == '#') {
            return Throw(isolate, "fetch(): invalid URL");
        }
    }

    if (!args[3]->IsArray()) {
        return Throw(isolate, "fetch(): the headers are not a list");
    }

    v8::Local<v8::Array>  a = args[3].As<v8::Array>();
    uint32_t              n = a->Length();

    if ((n & 1) || n / 2 > JSFN_MAX_HEADERS) {
        return Throw(isolate, "fetch(): too many headers");
    }

    bytes = 0;
    data.reserve(n);

    for (uint32_t i = 0; i < n; i++) {
        v8::Local<v8::Value>  h;
        std::string           text;

        if (!a->Get(ctx, i).ToLocal(&h) || !h->IsString()) {
            return Throw(isolate, "fetch(): a header is not a string");
        }

        bytes += h.As<v8::String>()->Length();
        if (bytes > JSFN_MAX_HEADER_BYTES) {
            return Throw(isolate, "fetch(): headers larger than "
                         + std::to_string(JSFN_MAX_HEADER_BYTES >> 10)
                         + " KB");
        }

        if (!self->ByteString(h.As<v8::String>(), &text)) {
            return Throw(isolate, "fetch(): a header is not a ByteString");
        }

        if (i & 1) {
            size_t  b = text.find_first_not_of(" \t");
            size_t  e = text.find_last_not_of(" \t");

            text = b == std::string::npos ? std::string()
                                           : text.substr(b, e - b + 1);

            if (text.find_first_of(std::string("\r\n\0", 3))
                != std::string::npos)
            {
                return Throw(isolate, "fetch(): invalid header value");
            }

        } else {
            if (!Isolate::Token(text)) {
                return Throw(isolate, "fetch(): invalid header name");
            }

            for (auto &c : text) {
                c = tolower((unsigned char) c);
            }
        }

        data.push_back(std::move(text));
    }

    for (auto &h : data) {
        headers.push_back({ h.data(), h.size() });
    }

    if (!args[4]->IsNullOrUndefined()
        && !ViewBytes(args[4], &body, &body_len, &keep))
    {
        return Throw(isolate, "fetch(): the body is not bytes");
    }

    if (!args[4]->IsNullOrUndefined() && body == nullptr) {
        body = reinterpret_cast<const uint8_t *>("");
    }

    call = call_id ? self->Find(call_id) : nullptr;

    FetchState  *fs = self->fetch;

    do {
        id = fs->next++;
        if (fs->next == 0) {
            fs->next = 1;
        }
    } while (id == 0 || fs->live.count(id));

    memset(&req, 0, sizeof(req));
    req.method = { method.data(), method.size() };
    req.url = { url.data(), url.size() };
    req.local = call != nullptr && call->req_url.data != nullptr
                && Origin(url.data(), url.size())
                   == Origin(call->req_url.data, call->req_url.len);
    req.headers = headers.data();
    req.nheaders = headers.size() / 2;
    req.body = reinterpret_cast<const char *>(body);
    req.body_len = body_len;

    err.len = 0;
    err.msg[0] = '\0';

    if (engine.host->fetch_start(self->host, call ? call->host : nullptr, id,
                                 &req, &err) != 0)
    {
        return Throw(isolate, err.len ? std::string(err.msg, err.len)
                                      : std::string("fetch failed"));
    }

    fs->live[id].call = call != nullptr ? call_id : 0;
    args.GetReturnValue().Set(id);
}


/* fetchCtl(id, what): 1 more of the body is wanted; 2 abort */
void
NativeFetchCtl(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Isolate      *self = Isolate::From(isolate);

    if (self == nullptr || self->fetch == nullptr || !args[0]->IsUint32()
        || !args[1]->IsInt32() || engine.host->fetch_ctl == nullptr)
    {
        return;
    }

    uint32_t  id = args[0].As<v8::Uint32>()->Value();
    int       what = args[1].As<v8::Int32>()->Value();
    auto      it = self->fetch->live.find(id);

    if (it == self->fetch->live.end()) {
        return;
    }

    if (what == JSFN_FETCH_ABORT) {
        self->fetch->live.erase(it);
        engine.host->fetch_ctl(self->host, id, JSFN_FETCH_ABORT);

    } else if (what == JSFN_FETCH_WANT && it->second.paused) {
        it->second.paused = false;
        engine.host->fetch_ctl(self->host, id, JSFN_FETCH_WANT);
    }
}


/* fetchBase(callId): the URL of the call's request, or undefined */
void
NativeFetchBase(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Isolate      *self = Isolate::From(isolate);
    Call         *call;

    if (self == nullptr || !args[0]->IsUint32()) {
        return;
    }

    call = self->Find(args[0].As<v8::Uint32>()->Value());

    if (call == nullptr || call->req_url.data == nullptr) {
        return;
    }

    args.GetReturnValue().Set(v8::String::NewFromOneByte(isolate,
        reinterpret_cast<const uint8_t *>(call->req_url.data),
        v8::NewStringType::kNormal, (int) call->req_url.len)
        .ToLocalChecked());
}


size_t
Isolate::FetchPending()
{
    return fetch == nullptr ? 0 : fetch->live.size();
}


void
Isolate::FetchDispose()
{
    delete fetch;
    fetch = nullptr;
}


/*
 * One entry into JS for a report, with its scopes: the hook's arguments are
 * made inside the entry (a body piece counts against the memory budget
 * there).  The result: the hook's answer as a boolean (false when it threw
 * or did not run).
 *
 * A report is I/O that a request asked for, not a timer: its time counts
 * towards the request's (ChargeCall), not the isolate's timer window, which
 * a busy isolate's reports alone would fill.  A fetch whose request is gone
 * (or that had none) is background work, charged as a timer is.
 */
bool
Isolate::FetchRun(uint32_t owner_id, int hook, int argc,
    const std::function<bool(v8::Local<v8::Value> *)> &build)
{
    uint64_t                 cpu = 0;
    bool                     more = false;
    Call                    *owner;
    Lock                     lock(this);
    v8::Isolate::Scope       iscope(isolate);
    v8::HandleScope          hscope(isolate);
    v8::Local<v8::Context>   ctx = context.Get(isolate);
    v8::Context::Scope       cscope(ctx);
    v8::TryCatch             tc(isolate);
    v8::Local<v8::Value>     argv[5], result;

    owner = owner_id ? Find(owner_id) : nullptr;

    /* CPU time, not wall time: a loaded machine must not stop a request */
    if (owner != nullptr || cpu_limit_us) {
        cpu = ThreadCpuNs();
    }

    {
        Entry  entry(this, cpu_limit_us);

        if (build(argv)) {
            if (!fetch->hooks[hook].Get(isolate)->Call(ctx,
                     v8::Undefined(isolate), argc, argv).ToLocal(&result))
            {
                if (!isolate->IsExecutionTerminating()) {
                    std::string  msg = "Uncaught " + Describe(isolate, ctx,
                                           tc.Exception(), tc.Message());
                    Log(JSFN_LOG_ERROR, msg.data(), msg.size());
                }

            } else {
                more = result->IsTrue();
            }
        }

        if (!isolate->IsExecutionTerminating()) {
            RunMicrotasks();
        }
    }

    if (owner != nullptr) {
        /* the call may have been settled and freed by the hook: by id */
        ChargeCall(Find(owner_id), ThreadCpuNs() - cpu);

    } else if (condemned == JSFN_OK && cpu_limit_us) {
        ChargeTimers(ThreadCpuNs() - cpu);
    }

    return more;
}


static v8::Local<v8::String>
Latin1(v8::Isolate *isolate, const char *p, size_t n)
{
    v8::Local<v8::String>  s;

    if (n > (size_t) v8::String::kMaxLength
        || !v8::String::NewFromOneByte(isolate,
                reinterpret_cast<const uint8_t *>(p ? p : ""),
                v8::NewStringType::kNormal, (int) n).ToLocal(&s))
    {
        return v8::String::Empty(isolate);
    }

    return s;
}


int
Isolate::FetchHead(uint32_t id, const jsfn_fetch_head_t *head,
    jsfn_err_t *err)
{
    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    if (fetch == nullptr || fetch->live.count(id) == 0) {
        return Fail(err, JSFN_ERR_ARG, "no such fetch");
    }

    FetchRun(fetch->live[id].call, FETCH_HEAD, 5, [&](v8::Local<v8::Value> *argv) {
        std::vector<v8::Local<v8::Value>>  v(head->nheaders * 2);

        for (size_t i = 0; i < head->nheaders * 2; i++) {
            std::string  text(head->headers[i].data ? head->headers[i].data
                                                    : "",
                              head->headers[i].len);

            /* names lower case, as a Headers keeps them */
            if (i % 2 == 0) {
                for (auto &c : text) {
                    c = tolower((unsigned char) c);
                }
            }

            v[i] = Latin1(isolate, text.data(), text.size());
        }

        argv[0] = v8::Integer::NewFromUnsigned(isolate, id);
        argv[1] = v8::Integer::New(isolate, head->status);
        argv[2] = Latin1(isolate, head->status_text.data,
                         head->status_text.len);
        argv[3] = v8::Array::New(isolate, v.data(), v.size());
        argv[4] = Latin1(isolate, head->url.data, head->url.len);
        return true;
    });

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    SettleHung();

    return JSFN_OK;
}


/* after a piece: the host goes on, or waits for fetch_ctl(WANT) */
static int
Paced(FetchState *fs, uint32_t id, bool more, int flags, jsfn_err_t *err)
{
    if (flags & (JSFN_DATA_LAST | JSFN_DATA_ERROR)) {
        return JSFN_OK;
    }

    auto it = fs->live.find(id);

    if (it == fs->live.end()) {
        return Fail(err, JSFN_ERR_ARG, "the fetch was aborted");
    }

    if (!more) {
        it->second.paused = true;
        return JSFN_AGAIN;
    }

    return JSFN_OK;
}


int
Isolate::FetchData(uint32_t id, const char *data, size_t len, int flags,
    jsfn_err_t *err)
{
    bool      more = false;
    uint32_t  owner;

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    if (fetch == nullptr || fetch->live.count(id) == 0) {
        return Fail(err, JSFN_ERR_ARG, "no such fetch");
    }

    owner = fetch->live[id].call;

    if (fetch->live[id].pipe) {
        Call  *to = Find(fetch->live[id].pipe);

        if (to == nullptr || !to->stream || to->stream->pipe_fetch != id) {
            fetch->live.erase(id);
            return Fail(err, JSFN_ERR_ARG, "the fetch was aborted");
        }

        PipeData(to, data, len, flags, &more);

        return Paced(fetch, id, more, flags, err);
    }

    if (flags & (JSFN_DATA_LAST | JSFN_DATA_ERROR)) {
        fetch->live.erase(id);
    }

    more = FetchRun(owner, FETCH_DATA, 3, [&](v8::Local<v8::Value> *argv) {
        argv[0] = v8::Integer::NewFromUnsigned(isolate, id);
        argv[2] = v8::Integer::New(isolate, flags);

        if (flags & JSFN_DATA_ERROR) {
            argv[1] = v8::String::NewFromUtf8(isolate, data ? data : "",
                          v8::NewStringType::kNormal,
                          (int) (len < 4096 ? len : 4096))
                          .FromMaybe(v8::String::Empty(isolate));
            return true;
        }

        v8::Local<v8::ArrayBuffer>  ab;

        /* over the budget: the isolate is condemned as the entry ends */
        if (!NewBuffer(len, true).ToLocal(&ab)) {
            OverLimit();
            return false;
        }

        if (len) {
            memcpy(ab->Data(), data, len);
        }

        argv[1] = v8::Uint8Array::New(ab, 0, len);
        return true;
    });

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    SettleHung();

    return Paced(fetch, id, more, flags, err);
}


int
Isolate::FetchFail(uint32_t id, const char *msg, size_t len, jsfn_err_t *err)
{
    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    if (fetch == nullptr || fetch->live.count(id) == 0) {
        return Fail(err, JSFN_ERR_ARG, "no such fetch");
    }

    uint32_t  owner = fetch->live[id].call;
    uint32_t  pipe = fetch->live[id].pipe;

    if (pipe) {
        Call  *to = Find(pipe);

        if (to != nullptr && to->stream && to->stream->pipe_fetch == id) {
            PipeData(to, msg, len, JSFN_DATA_ERROR, nullptr);
        }

        fetch->live.erase(id);
        return JSFN_OK;
    }

    fetch->live.erase(id);

    FetchRun(owner, FETCH_FAIL, 2, [&](v8::Local<v8::Value> *argv) {
        argv[0] = v8::Integer::NewFromUnsigned(isolate, id);
        argv[1] = v8::String::NewFromUtf8(isolate, msg ? msg : "",
                      v8::NewStringType::kNormal,
                      (int) (len < 4096 ? len : 4096))
                      .FromMaybe(v8::String::Empty(isolate));
        return true;
    });

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    SettleHung();

    return JSFN_OK;
}


/*
 * The native pass-through: a handler returned a fetch()'s Response whose
 * body JS never touched (not read, no stream made, not cloned).  The
 * call's response body is then the fetch's own pieces: what JS kept before
 * the handler returned first, then each piece the host reports, copied
 * into memory counted against the isolate's budget and handed to
 * jsfn_call_read() without entering JS.  The fetch is paused past
 * kPipeHigh bytes queued (the high-water mark a stream of it would have)
 * and resumed as the client takes them; a client that goes away aborts it.
 *
 * The link is made here from ids JS passes, but only to a fetch the engine
 * knows as live and not piped yet: JS cannot make a body that is not a
 * fetch's be read as one (the pieces it hands over are bytes either way).
 */
static const size_t  kPipeHigh = 65536;


static void
PipeFail(CallStream *s, const std::string &why)
{
    s->code = JSFN_ERR_JS;
    s->error = why;
    s->pipe_end = true;
    s->pipe_fetch = 0;
    s->state = Isolate::kReadFailed;
}


/* fetchPipe(callId, fetchId, pieces, end): true if the call pipes it */
void
NativeFetchPipe(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();
    Isolate      *self = Isolate::From(isolate);
    Call         *call;
    uint32_t      fid;
    CallStream   *s;

    args.GetReturnValue().Set(false);

    if (self == nullptr || self->fetch == nullptr || !args[0]->IsUint32()
        || !args[1]->IsUint32() || !args[2]->IsArray())
    {
        return;
    }

    call = self->Find(args[0].As<v8::Uint32>()->Value());
    fid = args[1].As<v8::Uint32>()->Value();

    if (call == nullptr || call->settled
        || (call->stream && call->stream->response))
    {
        return;
    }

    auto  it = self->fetch->live.find(fid);

    if (fid != 0 && (it == self->fetch->live.end() || it->second.pipe)) {
        return;
    }

    if (!call->stream) {
        call->stream.reset(new CallStream());
    }

    s = call->stream.get();
    s->response = true;
    s->pipe = true;
    s->state = Isolate::kReadIdle;

    v8::Local<v8::Context>  ctx = isolate->GetCurrentContext();
    v8::Local<v8::Array>    a = args[2].As<v8::Array>();
    uint32_t                n = a->Length();

    for (uint32_t i = 0; i < n; i++) {
        v8::Local<v8::Value>  v;

        if (!a->Get(ctx, i).ToLocal(&v) || !v->IsUint8Array()) {
            continue;
        }

        v8::Local<v8::Uint8Array>  u8 = v.As<v8::Uint8Array>();

        if (u8->ByteLength() == 0) {
            continue;
        }

        s->pieces.push_back({ u8->Buffer()->GetBackingStore(),
                              u8->ByteOffset(), u8->ByteLength() });
        s->queued += u8->ByteLength();
    }

    if (fid != 0) {
        s->pipe_fetch = fid;
        it->second.pipe = call->id;

    } else if (args[3]->IsTrue()) {
        s->pipe_end = true;

    } else {
        PipeFail(s, Describe(isolate, ctx, args[3],
                             v8::Exception::CreateMessage(isolate, args[3])));
    }

    args.GetReturnValue().Set(true);
}


/* a piece (or the end, or an error) of the fetch piped to the call */
void
Isolate::PipeData(Call *call, const char *data, size_t len, int flags,
    bool *more)
{
    CallStream  *s = call->stream.get();

    if (flags & JSFN_DATA_ERROR) {
        fetch->live.erase(s->pipe_fetch);
        PipeFail(s, "TypeError: " + std::string(data ? data : "",
                                                 len < 4096 ? len : 4096));
        PipeWake(call);
        return;
    }

    if (len) {
        std::shared_ptr<v8::BackingStore>  store = Store(len);

        if (!store) {
            uint32_t  fid = s->pipe_fetch;

            fetch->live.erase(fid);
            PipeFail(s, "RangeError: the fetched body does not fit the"
                     " function's memory of " + std::to_string(heap_max >> 20)
                     + " MB (js_function_memory)");
            PipeWake(call);

            if (!(flags & JSFN_DATA_LAST)) {
                engine.host->fetch_ctl(host, fid, JSFN_FETCH_ABORT);
            }
            return;
        }

        memcpy(store->Data(), data, len);
        s->pieces.push_back({ std::move(store), 0, len });
        s->queued += len;
    }

    if (flags & JSFN_DATA_LAST) {
        fetch->live.erase(s->pipe_fetch);
        s->pipe_fetch = 0;
        s->pipe_end = true;
    }

    if (more != nullptr) {
        *more = s->queued < kPipeHigh;
    }

    PipeWake(call);
}


/* a read that waits is answered */
void
Isolate::PipeWake(Call *call)
{
    CallStream  *s = call->stream.get();

    if (s->waiting) {
        s->waiting = false;
        engine.host->call_done(call->host);
    }
}


int
Isolate::PipeRead(Call *call, const char **data, size_t *len,
    jsfn_err_t *err)
{
    CallStream  *s = call->stream.get();

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    if (s->state == kReadHanded) {
        /* the host is done with the piece it had */
        s->queued -= s->pieces.front().len;
        s->pieces.pop_front();
        s->state = kReadIdle;
    }

    if (s->pipe_fetch && fetch != nullptr) {
        auto  it = fetch->live.find(s->pipe_fetch);

        if (it != fetch->live.end() && it->second.paused
            && s->queued < kPipeHigh && engine.host->fetch_ctl != nullptr)
        {
            it->second.paused = false;
            engine.host->fetch_ctl(host, s->pipe_fetch, JSFN_FETCH_WANT);
        }
    }

    if (!s->pieces.empty()) {
        const CallStream::Piece  &p = s->pieces.front();

        s->state = kReadHanded;
        s->waiting = false;
        *data = static_cast<const char *>(p.store->Data()) + p.off;
        *len = p.len;
        return JSFN_OK;
    }

    if (s->state == kReadFailed) {
        return Fail(err, s->code, s->error);
    }

    if (s->pipe_end) {
        s->state = kReadDone;
        return JSFN_DONE;
    }

    s->state = kReading;
    s->waiting = true;
    return JSFN_AGAIN;
}


/* the host is done with the call: a fetch still piped to it is aborted */
void
Isolate::PipeEnd(Call *call)
{
    CallStream  *s = call->stream.get();
    uint32_t     fid = s->pipe_fetch;

    s->waiting = false;
    s->pipe_fetch = 0;
    s->pieces.clear();
    s->queued = 0;
    s->state = kReadDone;

    if (fid == 0 || fetch == nullptr || fetch->live.erase(fid) == 0) {
        return;
    }

    if (engine.host->fetch_ctl != nullptr) {
        engine.host->fetch_ctl(host, fid, JSFN_FETCH_ABORT);
    }
}

}  /* namespace jsfn */
