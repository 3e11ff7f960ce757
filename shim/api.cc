/*
 * api.cc: the extern "C" entry points of include/jsfn.h.
 *
 * Each is noexcept in effect: no C++ exception, V8 handle or scope leaves
 * it.  Errors land in the caller's jsfn_err_t.
 */

#include <cstdio>
#include <cstring>
#include <new>

#include "engine.h"


#define JSFN_EXPORT  extern "C" __attribute__((visibility("default")))


namespace jsfn {

int PlatformInit(const jsfn_engine_conf_t *conf, jsfn_err_t *err);
void PlatformShutdown();
void PlatformPump(v8::Isolate *isolate);


int
Fail(jsfn_err_t *err, int code, const std::string &msg)
{
    if (err != nullptr) {
        size_t  n = msg.size() < sizeof(err->msg) - 1 ? msg.size()
                                                      : sizeof(err->msg) - 1;
        memcpy(err->msg, msg.data(), n);
        err->msg[n] = '\0';
        err->len = n;
        err->code = code;
    }

    return code;
}


/*
 * A value as text for messages and logs: at most about 64 K characters,
 * and never a conversion that could make V8 abort (see Isolate::Fits).
 */
std::string
ToString(v8::Isolate *isolate, v8::Local<v8::Value> value)
{
    int                     len, cap;
    Isolate                *self;
    std::string             out;
    v8::Local<v8::String>   s;

    if (value.IsEmpty()) {
        return std::string();
    }

    if (value->IsString()) {
        s = value.As<v8::String>();

    } else if (!value->ToString(isolate->GetCurrentContext()).ToLocal(&s)) {
        return "<unprintable>";
    }

    self = Isolate::From(isolate);
    len = s->Length();

    if (self != nullptr && !self->Fits(s)) {
        return "<a string of " + std::to_string(len) + " characters>";
    }

    cap = len < 65536 ? len * 3 : 65536 * 3;
    out.resize(cap);
    out.resize(s->WriteUtf8(isolate, &out[0], cap, nullptr,
                            v8::String::NO_NULL_TERMINATION
                            | v8::String::REPLACE_INVALID_UTF8));

    if (len > 65536) {
        out += "...";
    }

    return out;
}


/* "Error: boom\n    at fetch (/srv/fn/a.js:3:11)", or "... at file:line" */
std::string
Describe(v8::Isolate *isolate, v8::Local<v8::Context> ctx,
    v8::Local<v8::Value> exception, v8::Local<v8::Message> message)
{
    std::string           text;
    v8::Local<v8::Value>  stack;

    if (isolate->IsExecutionTerminating()) {
        return "execution terminated";
    }

    if (exception.IsEmpty()) {
        return "unknown error";
    }

    if (exception->IsObject() && exception->IsNativeError()) {
        v8::TryCatch  tc(isolate);

        if (exception.As<v8::Object>()->Get(ctx,
                v8::String::NewFromUtf8Literal(isolate, "stack"))
                .ToLocal(&stack)
            && stack->IsString())
        {
            text = ToString(isolate, stack);
        }
    }

    if (text.empty()) {
        v8::TryCatch  tc(isolate);
        text = ToString(isolate, exception);
    }

    if (!message.IsEmpty()) {
        std::string  file = ToString(isolate, message->GetScriptResourceName());
        int          line = message->GetLineNumber(ctx).FromMaybe(0);

        if (line > 0 && !file.empty() && file != "undefined") {
            std::string  at = file + ":" + std::to_string(line);

            if (text.find(at) == std::string::npos) {
                text += " at " + at;
            }
        }
    }

    return text;
}

}  /* namespace jsfn */


JSFN_EXPORT int
jsfn_engine_init(const jsfn_engine_conf_t *conf, jsfn_err_t *err)
{
    try {
        if (conf == nullptr || conf->host == nullptr) {
            return jsfn::Fail(err, JSFN_ERR_ARG, "no host callbacks");
        }

        jsfn::Fail(err, JSFN_OK, "");
        jsfn::CodeCacheInit(conf->code_cache, conf->code_cache_max);

        return jsfn::PlatformInit(conf, err);

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "engine init failed");
    }
}


JSFN_EXPORT int
jsfn_spares_start(const jsfn_isolate_conf_t *conf, size_t min, size_t max)
{
    try {
        return jsfn::SparesStart(conf, min, max);
    } catch (...) {
        return JSFN_ERR_NOMEM;
    }
}


JSFN_EXPORT jsfn_isolate_t *
jsfn_spares_take(jsfn_spares_stats_t *stats)
{
    try {
        return jsfn::SparesTake(stats);
    } catch (...) {
        return nullptr;
    }
}


JSFN_EXPORT int
jsfn_engine_snapshot(void)
{
    return jsfn::snapshot.ok ? 1 : 0;
}


JSFN_EXPORT void
jsfn_engine_shutdown(void)
{
    try {
        jsfn::SparesStop();
        jsfn::PlatformShutdown();
    } catch (...) {
    }
}


JSFN_EXPORT const char *
jsfn_engine_version(void)
{
    static char  version[64];

    if (version[0] == '\0') {
        snprintf(version, sizeof(version), "V8 %s", v8::V8::GetVersion());
    }

    return version;
}


/* a function's isolate, or its context in a group's V8 isolate */
static int
NewIsolate(const jsfn_isolate_conf_t *conf, jsfn::Group *group,
    const char *path, const char *root, jsfn_isolate_t **out,
    jsfn_err_t *err)
{
    jsfn_isolate_t  *iso = nullptr;
    int              rc;

    *out = nullptr;

    try {
        if (!jsfn::engine.ready) {
            return jsfn::Fail(err, JSFN_ERR_ARG, "engine not initialised");
        }

        iso = new jsfn_isolate_t(conf);
        iso->impl.group = group;
        iso->impl.path = path ? path : "";

        rc = iso->impl.Init(err);
        if (rc == JSFN_OK && path != nullptr) {
            rc = iso->impl.Load(path, root ? root : "", true, err);
        }

        if (rc != JSFN_OK) {
            delete iso;
            return rc;
        }

        *out = iso;
        return JSFN_OK;

    } catch (const std::bad_alloc &) {
        delete iso;
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "out of memory");

    } catch (...) {
        delete iso;
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "isolate creation failed");
    }
}


JSFN_EXPORT int
jsfn_isolate_new(const jsfn_isolate_conf_t *conf, const char *path,
    const char *root, jsfn_isolate_t **out, jsfn_err_t *err)
{
    return NewIsolate(conf, nullptr, path, root, out, err);
}


JSFN_EXPORT int
jsfn_group_new(const jsfn_isolate_conf_t *conf, jsfn_group_t **out,
    jsfn_err_t *err)
{
    jsfn_group_t  *g = nullptr;
    int            rc;

    *out = nullptr;

    try {
        if (!jsfn::engine.ready) {
            return jsfn::Fail(err, JSFN_ERR_ARG, "engine not initialised");
        }

        g = new jsfn_group_t{ new jsfn::Group() };

        rc = g->impl->Init(conf, err);
        if (rc != JSFN_OK) {
            delete g->impl;
            delete g;
            return rc;
        }

        *out = g;
        return JSFN_OK;

    } catch (...) {
        if (g != nullptr) {
            delete g->impl;
            delete g;
        }

        return jsfn::Fail(err, JSFN_ERR_NOMEM, "isolate creation failed");
    }
}


JSFN_EXPORT int
jsfn_group_join(jsfn_group_t *group, const jsfn_isolate_conf_t *conf,
    const char *path, const char *root, jsfn_isolate_t **out,
    jsfn_err_t *err)
{
    if (group->impl->condemned != JSFN_OK) {
        *out = nullptr;
        return jsfn::Fail(err, JSFN_ERR_ARG, "the group was condemned");
    }

    return NewIsolate(conf, group->impl, path, root, out, err);
}


JSFN_EXPORT int
jsfn_group_condemned(jsfn_group_t *group)
{
    return group->impl->condemned;
}


JSFN_EXPORT size_t
jsfn_group_size(jsfn_group_t *group)
{
    return group->impl->members.size();
}


JSFN_EXPORT void
jsfn_group_free(jsfn_group_t *group)
{
    jsfn::Group  *g = group->impl;

    delete group;

    try {
        g->held = false;

        if (g->members.empty()) {
            delete g;
        }
    } catch (...) {
    }
}


JSFN_EXPORT int
jsfn_isolate_load(jsfn_isolate_t *iso, const char *path, const char *root,
    void *host, jsfn_err_t *err)
{
    try {
        iso->impl.host = host;
        return iso->impl.Load(path, root ? root : "", true, err);

    } catch (const std::bad_alloc &) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "out of memory");

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "load failed");
    }
}


JSFN_EXPORT int
jsfn_load_failed(const char *path, const char *root, int allow_eval,
    jsfn_err_t *err)
{
    try {
        return jsfn::LoadFailed(path, root ? root : "", allow_eval != 0, err);
    } catch (...) {
        return JSFN_OK;
    }
}


JSFN_EXPORT int
jsfn_isolate_changed(jsfn_isolate_t *iso)
{
    try {
        return iso->impl.Changed() ? 1 : 0;
    } catch (...) {
        return 1;
    }
}


JSFN_EXPORT int
jsfn_isolate_cached(jsfn_isolate_t *iso)
{
    return iso->impl.cache_hits;
}


JSFN_EXPORT int
jsfn_isolate_condemned(jsfn_isolate_t *iso)
{
    return iso->impl.condemned;
}


JSFN_EXPORT void
jsfn_isolate_pump(jsfn_isolate_t *iso)
{
    try {
        jsfn::Isolate::Lock  lock(&iso->impl);
        v8::Isolate::Scope   scope(iso->impl.isolate);
        jsfn::PlatformPump(iso->impl.isolate);
    } catch (...) {
    }
}


JSFN_EXPORT void
jsfn_isolate_shrink(jsfn_isolate_t *iso)
{
    try {
        jsfn::Isolate::Lock  lock(&iso->impl);
        v8::Isolate::Scope   scope(iso->impl.isolate);

        /* on the isolate's thread, a critical level collects at once */
        iso->impl.isolate->MemoryPressureNotification(
            v8::MemoryPressureLevel::kCritical);
        iso->impl.isolate->MemoryPressureNotification(
            v8::MemoryPressureLevel::kNone);
        jsfn::PlatformPump(iso->impl.isolate);
    } catch (...) {
    }
}


JSFN_EXPORT void
jsfn_isolate_cache(jsfn_isolate_t *iso)
{
    if (iso->impl.cache_pending.empty() || iso->impl.calls_started == 0
        || iso->impl.condemned != JSFN_OK)
    {
        return;
    }

    try {
        jsfn::Isolate::Lock  lock(&iso->impl);
        v8::Isolate::Scope   scope(iso->impl.isolate);
        iso->impl.MakeCodeCaches();
    } catch (...) {
    }
}


JSFN_EXPORT void
jsfn_isolate_heap(jsfn_isolate_t *iso, jsfn_heap_t *heap)
{
    iso->impl.Heap(heap);
}


JSFN_EXPORT void
jsfn_isolate_free(jsfn_isolate_t *iso)
{
    try {
        delete iso;
    } catch (...) {
    }
}


JSFN_EXPORT int
jsfn_check_module(const char *path, const char *root, jsfn_err_t *err)
{
    jsfn_isolate_conf_t  conf = { 0, 0, 0, nullptr };

    try {
        jsfn_isolate_s  iso(&conf);
        int             rc = iso.impl.Init(err);

        if (rc != JSFN_OK) {
            return rc;
        }

        return iso.impl.Load(path, root ? root : "", false, err);

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "check failed");
    }
}


JSFN_EXPORT int
jsfn_call_start(jsfn_isolate_t *iso, const jsfn_request_t *req, void *host,
    jsfn_call_t **out, jsfn_err_t *err)
{
    jsfn_call_t  *call = nullptr;

    *out = nullptr;

    try {
        call = new jsfn_call_t{nullptr};
        *out = call;

        return iso->impl.Start(req, host, &call->impl, err);

    } catch (const std::bad_alloc &) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "out of memory");

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "call failed");
    }
}


JSFN_EXPORT int
jsfn_call_finish(jsfn_call_t *call, jsfn_response_t *resp, jsfn_err_t *err)
{
    jsfn::Call  *c = call->impl;

    if (c == nullptr) {
        return jsfn::Fail(err, JSFN_ERR_ARG, "no call");
    }

    if (!c->settled) {
        if (c->iso != nullptr && c->iso->condemned != JSFN_OK) {
            return c->iso->Condemned(err);
        }

        return jsfn::Fail(err, JSFN_ERR_ARG, "call not settled");
    }

    if (c->code != JSFN_OK) {
        return jsfn::Fail(err, c->code, c->message);
    }

    resp->status = c->status;
    resp->status_text.data = c->status_text.data();
    resp->status_text.len = c->status_text.size();
    resp->headers = c->headers.data();
    resp->nheaders = c->headers.size() / 2;
    resp->streamed = c->streamed;
    if (c->body_store) {
        resp->body = c->body_ptr;
        resp->body_len = c->body_len;

    } else {
        resp->body = c->body.data();
        resp->body_len = c->body.size();
    }

    return JSFN_OK;
}


JSFN_EXPORT void
jsfn_call_free(jsfn_call_t *call)
{
    if (call == nullptr) {
        return;
    }

    if (call->impl != nullptr) {
        if (call->impl->iso != nullptr) {
            jsfn::Call       *c = call->impl;
            jsfn::CallStream *s = c->stream.get();

            try {
                /* a response given up on: the request's signal aborts */
                if (!c->settled
                    || (s != nullptr && s->response
                        && s->state != jsfn::Isolate::kReadDone
                        && s->state != jsfn::Isolate::kReadFailed))
                {
                    c->iso->AbortRequest(c);
                }

                /* cancels or errors the call's unfinished streams */
                call->impl->iso->EndStreams(call->impl);
            } catch (...) {
            }

            call->impl->iso->Forget(call->impl);
        }
        delete call->impl;
    }

    delete call;
}


JSFN_EXPORT int
jsfn_call_read(jsfn_call_t *call, const char **data, size_t *len,
    jsfn_err_t *err)
{
    jsfn::Call  *c = call != nullptr ? call->impl : nullptr;

    if (c == nullptr || c->iso == nullptr || !c->streamed) {
        return jsfn::Fail(err, JSFN_ERR_ARG, "no streamed response");
    }

    try {
        return c->iso->Read(c, data, len, err);

    } catch (const std::bad_alloc &) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "out of memory");

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "read failed");
    }
}


JSFN_EXPORT int
jsfn_call_feed(jsfn_call_t *call, const char *data, size_t len, int flags,
    jsfn_err_t *err)
{
    jsfn::Call  *c = call != nullptr ? call->impl : nullptr;

    if (c == nullptr || c->iso == nullptr || !c->stream
        || !c->stream->request)
    {
        return jsfn::Fail(err, JSFN_ERR_ARG, "no streamed request body");
    }

    try {
        return c->iso->Feed(c, data, len, flags, err);

    } catch (const std::bad_alloc &) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "out of memory");

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "feed failed");
    }
}


JSFN_EXPORT int
jsfn_timer_fire(jsfn_isolate_t *iso, uint32_t id, jsfn_err_t *err)
{
    try {
        return iso->impl.FireTimer(id, err);

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "timer failed");
    }
}


JSFN_EXPORT size_t
jsfn_isolate_pending(jsfn_isolate_t *iso)
{
    return iso->impl.timers.size() + iso->impl.FetchPending();
}


JSFN_EXPORT int
jsfn_fetch_head(jsfn_isolate_t *iso, uint32_t id,
    const jsfn_fetch_head_t *head, jsfn_err_t *err)
{
    try {
        return iso->impl.FetchHead(id, head, err);

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "fetch failed");
    }
}


JSFN_EXPORT int
jsfn_fetch_data(jsfn_isolate_t *iso, uint32_t id, const char *data,
    size_t len, int flags, jsfn_err_t *err)
{
    try {
        return iso->impl.FetchData(id, data, len, flags, err);

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "fetch failed");
    }
}


JSFN_EXPORT int
jsfn_fetch_fail(jsfn_isolate_t *iso, uint32_t id, const char *msg,
    size_t len, jsfn_err_t *err)
{
    try {
        return iso->impl.FetchFail(id, msg, len, err);

    } catch (...) {
        return jsfn::Fail(err, JSFN_ERR_NOMEM, "fetch failed");
    }
}
