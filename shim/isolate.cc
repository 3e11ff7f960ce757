/*
 * isolate.cc: one function's isolate: its context with the JS runtime, its
 * module graph, and the calls of its handler.
 *
 * Every method runs on the thread that initialised the engine and enters the
 * isolate itself; no V8 handle outlives a method except as a Global member.
 */

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"


namespace jsfn {

void PlatformPump(v8::Isolate *isolate);


static int
ReadFile(const std::string &path, std::string *out, std::string *why,
    struct stat *stp)
{
    int          fd;
    ssize_t      n;
    struct stat &st = *stp;

    /*
     * Non-blocking: opening a FIFO (or a device) named like a function
     * would otherwise hold the worker until something writes to it.  Only
     * regular files are read.
     */
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd == -1) {
        *why = strerror(errno);
        return errno == ENOENT ? JSFN_ERR_NOTFOUND : JSFN_ERR_LOAD;
    }

    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        close(fd);
        return JSFN_ERR_NOTFOUND;
    }

    out->resize(st.st_size);

    size_t  done = 0;
    while (done < out->size()) {
        n = read(fd, &(*out)[done], out->size() - done);
        if (n <= 0) {
            if (n == -1 && errno == EINTR) {
                continue;
            }
            *why = n == 0 ? "file shrank while read" : strerror(errno);
            close(fd);
            return JSFN_ERR_LOAD;
        }
        done += n;
    }

    close(fd);
    return JSFN_OK;
}


Isolate::Isolate(const jsfn_isolate_conf_t *conf)
    : host(conf->host), heap_max(conf->heap_max),
      cpu_limit_us(conf->cpu_limit_us), allow_eval(conf->allow_eval != 0)
{
    origin_us = MonotonicUs();
    entry_ms = WallMs();
    entry_us = origin_us;
}


Isolate::Entry::Entry(Isolate *self, uint64_t budget_us)
    : self(self), budget_us(budget_us)
{
    self->entry_ms = WallMs();
    self->entry_us = MonotonicUs();
    WatchdogEnter(self->isolate, budget_us);
}


Isolate::Entry::~Entry()
{
    bool  fired = WatchdogLeave();

    if (self->condemned != JSFN_OK) {
        return;
    }

    /*
     * External memory is the ArrayBuffers' (within the budget by the
     * allocator) plus WebAssembly memories', which V8 reserves itself:
     * checked here, at the end of each entry.
     */
    if (self->heap_exceeded || AllocatorOverBudget(self->allocator)
        || (self->heap_max
            && (size_t) self->isolate->AdjustAmountOfExternalAllocatedMemory(0)
               > self->heap_max))
    {
        self->Condemn(JSFN_ERR_HEAP, "memory limit of "
            + std::to_string(self->heap_max >> 20)
            + " MB exceeded (js_function_memory)");

    } else if (fired) {
        self->Condemn(JSFN_ERR_TIMEOUT, "CPU time limit of "
            + std::to_string(budget_us / 1000)
            + " ms exceeded (js_function_cpu_limit)");
    }
}


/*
 * The isolate may run no more JS; in a group, the V8 isolate it shares is
 * stopped for every member (a terminated or exhausted heap is the group's).
 */
void
Isolate::Condemn(int code, const std::string &why)
{
    condemned = code;
    condemned_why = why;

    if (group != nullptr) {
        group->Condemn(this, code, why);
    }
}


/*
 * The heap reached its limit outside a call (a context or a module made
 * in a group's full heap): the isolate is condemned as a call would be.
 */
int
Isolate::HeapFull(jsfn_err_t *err)
{
    if (condemned == JSFN_OK) {
        Condemn(JSFN_ERR_HEAP, "memory limit of "
                + std::to_string(heap_max >> 20)
                + " MB exceeded (js_function_memory)");
    }

    return Condemned(err);
}


/* the function of a group whose context runs (or "ctx"), or null */
Isolate *
Isolate::InGroup(v8::Isolate *isolate, v8::Local<v8::Context> ctx)
{
    v8::HandleScope  hs(isolate);

    if (ctx.IsEmpty()) {
        if (!isolate->InContext()) {
            return nullptr;
        }

        ctx = isolate->GetCurrentContext();
    }

    if (ctx->GetNumberOfEmbedderDataFields() <= (uint32_t) kContextSlot) {
        return nullptr;
    }

    return static_cast<Isolate *>(
        ctx->GetAlignedPointerFromEmbedderData(kContextSlot));
}


int
Isolate::Condemned(jsfn_err_t *err)
{
    return Fail(err, condemned, condemned_why);
}


/*
 * Near the heap limit: stop the JS that is running, and give V8 room to
 * unwind rather than let it abort the worker on out-of-memory.  JS stops at
 * its next check for termination (a call, a loop's back edge), having
 * allocated little more; but V8 asks here also as a last resort for one
 * allocation that does not fit (a string flattened, an array's store), and
 * aborts if that one still does not fit after we answer.  No single object
 * exceeds about 1 GiB (String::kMaxLength two-byte characters), so that is
 * the room given: reserved address space, used only if that allocation
 * happens.  The isolate is condemned and disposed of right after.
 */
size_t
Isolate::NearHeapLimit(void *data, size_t current, size_t initial)
{
    Isolate  *self = static_cast<Isolate *>(data);

    self->heap_exceeded = true;
    self->isolate->TerminateExecution();

    return current + (size_t) v8::String::kMaxLength * 2 + (64u << 20);
}


/*
 * V8 asks before it compiles WebAssembly.  Bytes a function makes at run
 * time follow js_function_allow_eval, as eval() does; a .wasm file the
 * function imports is its code, compiled by the loader.
 */
bool
Isolate::AllowWasm(v8::Local<v8::Context> ctx, v8::Local<v8::String> source)
{
    Isolate  *self = From(ctx);

    return self == nullptr || self->allow_eval || self->compiling_wasm;
}


/*
 * Converting a string to bytes flattens it first, on the V8 heap: a
 * string built by concatenation is a tree of a few objects that may stand
 * for a gigabyte.  True when that flat copy fits the heap budget, so that
 * no conversion of the runtime's makes V8 abort for want of memory.
 */
bool
Isolate::Fits(v8::Local<v8::String> s)
{
    size_t              n;
    v8::HeapStatistics  hs;

    n = (size_t) s->Length() * (s->IsOneByte() ? 1 : 2);

    if (heap_max == 0 || n < (1u << 20)) {
        return true;
    }

    isolate->GetHeapStatistics(&hs);

    return hs.used_heap_size() + n <= heap_max;
}


/* marks the isolate over its memory limit from inside an entry */
void
Isolate::OverLimit()
{
    heap_exceeded = true;
    isolate->TerminateExecution();
}


/*
 * An ArrayBuffer of "len" bytes counted against the budget, or an empty
 * handle where V8's own ArrayBuffer::New() would abort the process.
 */
v8::MaybeLocal<v8::ArrayBuffer>
Isolate::NewBuffer(size_t len, bool condemn)
{
    std::unique_ptr<v8::BackingStore>  store;

    store = AllocatorStore(allocator, len, false);

    if (!store && heap_max) {
        /* buffers no longer reachable may still hold the budget */
        isolate->LowMemoryNotification();
        store = AllocatorStore(allocator, len, condemn);
    }

    if (!store) {
        return v8::MaybeLocal<v8::ArrayBuffer>();
    }

    return v8::ArrayBuffer::New(isolate, std::move(store));
}


Isolate::~Isolate()
{
    for (auto &c : calls) {
        c.second->iso = nullptr;
        /* its body buffers are the allocator's, which goes below */
        c.second->stream.reset();
    }

    if (isolate == nullptr) {
        return;
    }

    {
        Lock                lock(this);
        v8::Isolate::Scope  scope(isolate);

        CryptoDispose(this);
        FetchDispose();
        body_hook.Reset();
        rejections.clear();
        synthetic.clear();
        node_module.Reset();
        abort_request.Reset();
        modules.clear();
        cache_pending.clear();
        handler.Reset();
        fire_timer.Reset();
        dispatch.Reset();
        context.Reset();

        if (group != nullptr) {
            /* its context is garbage now, in the heap it shared */
            isolate->ContextDisposedNotification();
        }
    }

    if (group != nullptr) {
        group->Leave(this);
        return;
    }

    held.reset();
    isolate->Dispose();
    DeleteCountingAllocator(allocator);
}


/*
 * A V8 isolate with the engine's settings and callbacks, from the startup
 * snapshot; its ArrayBuffer allocator counts against heap_max.
 */
v8::Isolate *
NewV8Isolate(size_t heap_max, CountingAllocator **allocator)
{
    v8::Isolate               *isolate;
    v8::Isolate::CreateParams  params;

    *allocator = NewCountingAllocator(heap_max);
    params.array_buffer_allocator = AsV8(*allocator);

    if (heap_max) {
        params.constraints.ConfigureDefaultsFromHeapSize(0, heap_max);
    }

    /*
     * The young generation starts at one 256 KB page a semispace (V8's
     * page; less crashes it), not 1 MB: a small function's new space then
     * commits and touches 512 KB at most instead of 2 MB, in 2 memory
     * mappings instead of 8.  V8 still grows it, up to the maximum it
     * derives from the heap's, for a function whose young objects survive.
     */
    params.constraints.set_initial_young_generation_size_in_bytes(
        3 * 256 * 1024);

    if (snapshot.ok) {
        params.snapshot_blob = &snapshot.blob;
        params.external_references = NativeReferences();
    }

    isolate = v8::Isolate::New(params);
    if (isolate == nullptr) {
        DeleteCountingAllocator(*allocator);
        *allocator = nullptr;
        return nullptr;
    }

    return isolate;
}


/* the settings of every new V8 isolate, taken under its lock */
static void
SetUpV8Isolate(v8::Isolate *isolate, v8::AllowWasmCodeGenerationCallback wasm,
    v8::PromiseRejectCallback reject)
{
    isolate->SetMicrotasksPolicy(v8::MicrotasksPolicy::kExplicit);

    /* Atomics.wait() would block the worker's event loop: it throws */
    isolate->SetAllowAtomicsWait(false);

    isolate->SetAllowWasmCodeGenerationCallback(wasm);
    isolate->SetPromiseRejectCallback(reject);
}


int
Isolate::Init(jsfn_err_t *err)
{
    if (group != nullptr) {
        /* a context of its own in the group's isolate */
        isolate = group->isolate;
        allocator = group->allocator;
        heap_max = group->heap_max;
        group->members.push_back(this);

    } else {
        isolate = NewV8Isolate(heap_max, &allocator);
        if (isolate == nullptr) {
            return Fail(err, JSFN_ERR_NOMEM, "cannot create an isolate");
        }
    }

    Lock  lock(this);

    if (group == nullptr) {
        isolate->SetData(0, this);

        if (heap_max) {
            isolate->AddNearHeapLimitCallback(NearHeapLimit, this);
        }

        SetUpV8Isolate(isolate, AllowWasm, OnReject);
    }

    v8::Isolate::Scope       iscope(isolate);
    v8::HandleScope          hscope(isolate);
    v8::Local<v8::Context>   ctx = v8::Context::New(isolate);

    if (ctx.IsEmpty()) {
        /* V8 gives no context when it cannot make one (a group's full
           heap): never dereferenced */
        return heap_exceeded ? HeapFull(err)
                             : Fail(err, JSFN_ERR_NOMEM,
                                    "cannot create a context");
    }

    v8::Context::Scope       cscope(ctx);
    v8::Local<v8::Function>  d, t, i;
    std::string              why;

    if (group != nullptr) {
        ctx->SetAlignedPointerInEmbedderData(kContextSlot, this);
    }

    context.Reset(isolate, ctx);

    /* eval() and new Function() are off unless js_function_allow_eval */
    ctx->AllowCodeGenerationFromStrings(allow_eval);

    if (snapshot.ok) {
        /* the runtime came with the context; its hooks were kept as data */
        if (!ctx->GetDataFromSnapshotOnce<v8::Function>(0).ToLocal(&d)
            || !ctx->GetDataFromSnapshotOnce<v8::Function>(1).ToLocal(&t)
            || !ctx->GetDataFromSnapshotOnce<v8::Function>(2).ToLocal(&i))
        {
            return Fail(err, JSFN_ERR_LOAD, "runtime: no hooks in the"
                        " snapshot");
        }

    } else if (InstallRuntime(isolate, ctx, &d, &t, &i, &why) != JSFN_OK) {
        return Fail(err, JSFN_ERR_LOAD, why);
    }

    /* what V8 makes anew for each context (WebAssembly) is adjusted here */
    {
        v8::TryCatch  tc(isolate);

        v8::Local<v8::Value>  hooks;

        if (!i->Call(ctx, v8::Undefined(isolate), 0, nullptr)
                 .ToLocal(&hooks))
        {
            if (heap_exceeded) {
                /* a group's heap is full: it is condemned (HeapFull) */
                return HeapFull(err);
            }

            return Fail(err, JSFN_ERR_LOAD, "runtime: "
                        + Describe(isolate, ctx, tc.Exception(),
                                   tc.Message()));
        }

        /* contextInit() gives the runtime's node: module lookup and
           internal.abortRequest */
        v8::Local<v8::Value>  hook;

        if (hooks->IsArray()
            && hooks.As<v8::Array>()->Get(ctx, 0).ToLocal(&hook)
            && hook->IsFunction())
        {
            node_module.Reset(isolate, hook.As<v8::Function>());
        }

        if (hooks->IsArray()
            && hooks.As<v8::Array>()->Get(ctx, 1).ToLocal(&hook)
            && hook->IsFunction())
        {
            abort_request.Reset(isolate, hook.As<v8::Function>());
        }
    }

    dispatch.Reset(isolate, d);
    fire_timer.Reset(isolate, t);

    /* the response's keys, internalized once rather than per request */
    key_status.Set(isolate, v8::String::NewFromUtf8Literal(isolate, "status",
                                v8::NewStringType::kInternalized));
    key_status_text.Set(isolate, v8::String::NewFromUtf8Literal(isolate,
                                "statusText",
                                v8::NewStringType::kInternalized));
    key_headers.Set(isolate, v8::String::NewFromUtf8Literal(isolate,
                                "headers",
                                v8::NewStringType::kInternalized));
    key_body.Set(isolate, v8::String::NewFromUtf8Literal(isolate, "body",
                                v8::NewStringType::kInternalized));

    return JSFN_OK;
}


v8::MaybeLocal<v8::Module>
Isolate::Compile(const std::string &path, jsfn_err_t *err)
{
    std::string  source, why;
    int          rc;
    struct stat  st;

    rc = ReadFile(path, &source, &why, &st);

    files[path] = rc == JSFN_OK
                  ? FileStamp{ (long) (st.st_mtim.tv_sec * 1000000000L
                                       + st.st_mtim.tv_nsec),
                               (long) st.st_size, (unsigned long) st.st_ino }
                  : FileStamp{ -1, -1, 0 };

    if (rc != JSFN_OK) {
        resolve_error = "cannot open \"" + path + "\": " + why;
        Fail(err, rc, resolve_error);
        return v8::MaybeLocal<v8::Module>();
    }

    if (source.size() > INT_MAX) {
        resolve_error = "\"" + path + "\" is too large";
        Fail(err, JSFN_ERR_LOAD, resolve_error);
        return v8::MaybeLocal<v8::Module>();
    }

    if (path.size() > 5 && path.compare(path.size() - 5, 5, ".wasm") == 0) {
        return CompileWasm(path, source, err);
    }

    v8::Local<v8::Context> ctx = context.Get(isolate);
    v8::TryCatch           tc(isolate);
    v8::Local<v8::String>  text;

    if (!v8::String::NewFromUtf8(isolate, source.data(),
            v8::NewStringType::kNormal, (int) source.size()).ToLocal(&text))
    {
        Fail(err, JSFN_ERR_HEAP, "cannot allocate the source of " + path);
        return v8::MaybeLocal<v8::Module>();
    }

    v8::ScriptOrigin origin(isolate,
        v8::String::NewFromUtf8(isolate, path.c_str()).ToLocalChecked(),
        0, 0, false, -1, v8::Local<v8::Value>(), false, false, true);
    std::vector<uint8_t>             cached;
    v8::ScriptCompiler::CachedData  *data = nullptr;

    if (CodeCacheGet(path, st, &cached) && cached.size() <= INT_MAX) {
        /* owned by "cached"; Source deletes only the wrapper */
        data = new v8::ScriptCompiler::CachedData(cached.data(),
                   (int) cached.size(),
                   v8::ScriptCompiler::CachedData::BufferNotOwned);
    }

    v8::ScriptCompiler::Source  src(text, origin, data);
    v8::Local<v8::Module>       module;

    if (!v8::ScriptCompiler::CompileModule(isolate, &src,
             data ? v8::ScriptCompiler::kConsumeCodeCache
                  : v8::ScriptCompiler::kNoCompileOptions)
             .ToLocal(&module))
    {
        resolve_error.clear();
        Fail(err, JSFN_ERR_LOAD,
             Describe(isolate, ctx, tc.Exception(), tc.Message()));
        tc.ReThrow();
        return v8::MaybeLocal<v8::Module>();
    }

    if (data != nullptr && !src.GetCachedData()->rejected) {
        cache_hits++;

    } else {
        /* made after the first call, with what that call compiled */
        cache_pending.push_back(CachePending{ path, st,
            v8::Global<v8::UnboundModuleScript>(isolate,
                module->GetUnboundModuleScript()) });
    }

    modules[path].Reset(isolate, module);
    module_paths.emplace(module->GetIdentityHash(), path);

    return module;
}


/*
 * A .wasm file imported by a function: a module whose default export is
 * the compiled WebAssembly.Module, as on other edge runtimes.
 */
v8::MaybeLocal<v8::Module>
Isolate::CompileWasm(const std::string &path, const std::string &bytes,
    jsfn_err_t *err)
{
    v8::Local<v8::Context>           ctx = context.Get(isolate);
    v8::TryCatch                     tc(isolate);
    v8::Local<v8::WasmModuleObject>  wasm;
    v8::Local<v8::Module>            module;

    compiling_wasm = true;
    bool ok = v8::WasmModuleObject::Compile(isolate,
                  v8::MemorySpan<const uint8_t>(
                      reinterpret_cast<const uint8_t *>(bytes.data()),
                      bytes.size())).ToLocal(&wasm);
    compiling_wasm = false;

    if (!ok) {
        resolve_error = "cannot compile \"" + path + "\": "
                        + (tc.HasCaught() ? Describe(isolate, ctx,
                                                     tc.Exception(),
                                                     tc.Message())
                                          : std::string("invalid module"));
        Fail(err, JSFN_ERR_LOAD, resolve_error);
        tc.ReThrow();
        return v8::MaybeLocal<v8::Module>();
    }

    std::vector<v8::Local<v8::String>>  names = {
        v8::String::NewFromUtf8Literal(isolate, "default")
    };

    module = v8::Module::CreateSyntheticModule(isolate,
                 v8::String::NewFromUtf8(isolate, path.c_str())
                     .ToLocalChecked(),
                 names, EvaluateSynthetic);

    v8::Local<v8::Object>  exports = v8::Object::New(isolate);

    if (exports->Set(ctx, names[0], wasm).IsNothing()) {
        Fail(err, JSFN_ERR_LOAD, "cannot make the module of " + path);
        return v8::MaybeLocal<v8::Module>();
    }

    synthetic.emplace_back(v8::Global<v8::Module>(isolate, module),
                           v8::Global<v8::Object>(isolate, exports));
    modules[path].Reset(isolate, module);
    module_paths.emplace(module->GetIdentityHash(), path);

    return module;
}


/* a synthetic module (.wasm, node:*) is evaluated: its exports are set */
v8::MaybeLocal<v8::Value>
Isolate::EvaluateSynthetic(v8::Local<v8::Context> ctx,
    v8::Local<v8::Module> module)
{
    v8::Isolate                       *isolate = ctx->GetIsolate();
    Isolate                           *self = From(ctx);
    v8::Local<v8::Array>               keys;
    v8::Local<v8::Promise::Resolver>   done;

    for (auto &m : self->synthetic) {
        if (m.first != module) {
            continue;
        }

        v8::Local<v8::Object>  exports = m.second.Get(isolate);

        if (!exports->GetOwnPropertyNames(ctx).ToLocal(&keys)) {
            return v8::MaybeLocal<v8::Value>();
        }

        for (uint32_t i = 0; i < keys->Length(); i++) {
            v8::Local<v8::Value>  k, v;

            if (!keys->Get(ctx, i).ToLocal(&k) || !k->IsString()
                || !exports->Get(ctx, k).ToLocal(&v)
                || module->SetSyntheticModuleExport(isolate,
                       k.As<v8::String>(), v).IsNothing())
            {
                return v8::MaybeLocal<v8::Value>();
            }
        }

        break;
    }

    if (!v8::Promise::Resolver::New(ctx).ToLocal(&done)
        || done->Resolve(ctx, v8::Undefined(isolate)).IsNothing())
    {
        return v8::MaybeLocal<v8::Value>();
    }

    return done->GetPromise();
}


/*
 * "node:events", or "events": a module of the runtime's Node
 * compatibility subset (internal.nodeModule in the JS runtime gives its
 * exports), made once per isolate.  undefined-named: not one of them.
 */
v8::MaybeLocal<v8::Module>
Isolate::NodeModule(const std::string &spec, bool *known)
{
    std::string             name = spec.compare(0, 5, "node:") == 0
                                   ? spec.substr(5) : spec;
    v8::Local<v8::Context>  ctx = context.Get(isolate);
    v8::Local<v8::Value>    arg, ns;
    v8::Local<v8::Array>    keys;
    v8::Local<v8::Module>   module;

    *known = false;

    auto found = modules.find("node:" + name);
    if (found != modules.end()) {
        *known = true;
        return found->second.Get(isolate);
    }

    if (node_module.IsEmpty()) {
        return v8::MaybeLocal<v8::Module>();
    }

    arg = v8::String::NewFromUtf8(isolate, name.c_str()).ToLocalChecked();

    if (!node_module.Get(isolate)->Call(ctx, v8::Undefined(isolate), 1, &arg)
             .ToLocal(&ns)
        || !ns->IsObject())
    {
        return v8::MaybeLocal<v8::Module>();
    }

    *known = true;

    if (!ns.As<v8::Object>()->GetOwnPropertyNames(ctx).ToLocal(&keys)) {
        return v8::MaybeLocal<v8::Module>();
    }

    std::vector<v8::Local<v8::String>>  names;

    for (uint32_t i = 0; i < keys->Length(); i++) {
        v8::Local<v8::Value>  k;

        if (keys->Get(ctx, i).ToLocal(&k) && k->IsString()) {
            names.push_back(k.As<v8::String>());
        }
    }

    module = v8::Module::CreateSyntheticModule(isolate,
                 v8::String::NewFromUtf8(isolate, ("node:" + name).c_str())
                     .ToLocalChecked(),
                 names, EvaluateSynthetic);

    synthetic.emplace_back(v8::Global<v8::Module>(isolate, module),
                           v8::Global<v8::Object>(isolate,
                                                  ns.As<v8::Object>()));
    modules["node:" + name].Reset(isolate, module);

    return module;
}


v8::MaybeLocal<v8::Module>
Isolate::Resolve(v8::Local<v8::Context> context, v8::Local<v8::String> spec,
    v8::Local<v8::FixedArray> assertions, v8::Local<v8::Module> referrer)
{
    v8::Isolate  *isolate = context->GetIsolate();
    Isolate      *self = From(context);
    std::string   from, name, joined;
    char          real[PATH_MAX];
    jsfn_err_t    err;

    auto range = self->module_paths.equal_range(referrer->GetIdentityHash());
    for (auto it = range.first; it != range.second; ++it) {
        if (self->modules[it->second] == referrer) {
            from = it->second;
            break;
        }
    }

    name = ToString(isolate, spec);

    auto fail = [&](const std::string &why) {
        std::string  msg = "Cannot find module '" + name + "' imported from "
                           + from + (why.empty() ? "" : ": " + why);
        isolate->ThrowException(v8::Exception::Error(
            v8::String::NewFromUtf8(isolate, msg.c_str())
                .ToLocalChecked()));
        return v8::MaybeLocal<v8::Module>();
    };

    if (name.compare(0, 2, "./") != 0 && name.compare(0, 3, "../") != 0
        && name.compare(0, 1, "/") != 0)
    {
        bool                        known;
        v8::MaybeLocal<v8::Module>  m = self->NodeModule(name, &known);

        if (known) {
            return m;
        }

        return fail("only relative imports of the function's own files and"
                    " the runtime's node: modules are allowed");
    }

    if (name[0] == '/') {
        joined = name;

    } else {
        joined = from.substr(0, from.rfind('/') + 1) + name;
    }

    if (realpath(joined.c_str(), real) == nullptr) {
        self->files[joined] = FileStamp{ -1, -1, 0 };
        return fail(strerror(errno));
    }

    if (strncmp(real, self->root.c_str(), self->root.size()) != 0) {
        return fail("outside the function's directory " + self->root);
    }

    auto found = self->modules.find(real);
    if (found != self->modules.end()) {
        return found->second.Get(isolate);
    }

    v8::MaybeLocal<v8::Module>  m = self->Compile(real, &err);
    if (m.IsEmpty() && !self->resolve_error.empty()) {
        return fail(self->resolve_error);
    }

    return m;
}


int
Isolate::Load(const std::string &path, const std::string &dir, bool run,
    jsfn_err_t *err)
{
    int  rc;

    this->path = path;
    rc = LoadModule(path, dir, run, err);

    if (rc != JSFN_OK && heap_exceeded) {
        /* not the function's fault alone: not remembered as a failed load */
        rc = HeapFull(err);
    }

    if (run) {
        RememberLoad(path, dir, rc, err);
    }

    return rc;
}


int
Isolate::LoadModule(const std::string &path, const std::string &dir,
    bool run, jsfn_err_t *err)
{
    char  real[PATH_MAX];

    if (dir.empty()) {
        root = path.substr(0, path.rfind('/') + 1);

    } else if (realpath(dir.c_str(), real) != nullptr) {
        root = real;
        if (root.back() != '/') {
            root += '/';
        }

    } else {
        root = dir;
    }

    Lock                     lock(this);
    v8::Isolate::Scope       iscope(isolate);
    v8::HandleScope          hscope(isolate);
    v8::Local<v8::Context>   ctx = context.Get(isolate);
    v8::Context::Scope       cscope(ctx);
    v8::TryCatch             tc(isolate);
    v8::Local<v8::Module>    module;
    v8::Local<v8::Value>     result;

    if (!Compile(path, err).ToLocal(&module)) {
        return err->code;
    }

    if (!module->InstantiateModule(ctx, Resolve).FromMaybe(false)) {
        return Fail(err, JSFN_ERR_LOAD,
                    Describe(isolate, ctx, tc.Exception(), tc.Message()));
    }

    if (!run) {
        return JSFN_OK;
    }

    {
        Entry  entry(this, cpu_limit_us);

        if (!module->Evaluate(ctx).ToLocal(&result)) {
            if (!isolate->IsExecutionTerminating()) {
                return Fail(err, JSFN_ERR_LOAD, Describe(isolate, ctx,
                            tc.Exception(), tc.Message()));
            }

        } else {
            RunMicrotasks();
        }
    }

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    if (result->IsPromise()) {
        v8::Local<v8::Promise>  p = result.As<v8::Promise>();

        if (p->State() == v8::Promise::kRejected) {
            v8::Local<v8::Value>  e = p->Result();
            return Fail(err, JSFN_ERR_LOAD, Describe(isolate, ctx, e,
                        v8::Exception::CreateMessage(isolate, e)));
        }

        if (p->State() == v8::Promise::kPending) {
            return Fail(err, JSFN_ERR_LOAD, path + ": top-level await did not"
                        " settle while the module loaded");
        }
    }

    v8::Local<v8::Object>  ns = module->GetModuleNamespace().As<v8::Object>();
    v8::Local<v8::Value>   def, fetch;

    if (!ns->Get(ctx, v8::String::NewFromUtf8Literal(isolate, "default"))
             .ToLocal(&def)
        || def->IsUndefined())
    {
        return Fail(err, JSFN_ERR_LOAD, path + ": the module has no default"
                    " export (export default { fetch(request, env, ctx) })");
    }

    if (!def->IsFunction()) {
        if (!def->IsObject()
            || !def.As<v8::Object>()->Get(ctx,
                    v8::String::NewFromUtf8Literal(isolate, "fetch"))
                    .ToLocal(&fetch)
            || !fetch->IsFunction())
        {
            return Fail(err, JSFN_ERR_LOAD, path + ": the default export has"
                        " no fetch() handler");
        }
    }

    handler.Reset(isolate, def);
    return JSFN_OK;
}


v8::Local<v8::Array>
Pairs(v8::Isolate *isolate, const jsfn_str_t *s, size_t n, bool latin1)
{
    std::vector<v8::Local<v8::Value>>  v(n * 2);

    for (size_t i = 0; i < n * 2; i++) {
        if (latin1) {
            v[i] = v8::String::NewFromOneByte(isolate,
                       reinterpret_cast<const uint8_t *>(s[i].data),
                       v8::NewStringType::kNormal, (int) s[i].len)
                       .ToLocalChecked();
        } else {
            v[i] = v8::String::NewFromUtf8(isolate, s[i].data,
                       v8::NewStringType::kNormal, (int) s[i].len)
                       .ToLocalChecked();
        }
    }

    return v8::Array::New(isolate, v.data(), v.size());
}


long long ContentLength(const jsfn_str_t *headers, size_t n);


int
Isolate::Start(const jsfn_request_t *req, void *call_host, Call **out,
    jsfn_err_t *err)
{
    Call  *call = new Call(this, next_call++, call_host);

    calls[call->id] = call;
    *out = call;
    call->req_headers = req->headers;
    call->req_nheaders = req->nheaders;
    call->req_url = req->url;
    call->cpu_limit_us = req->cpu_limit_us;

    if (condemned != JSFN_OK) {
        call->settled = true;
        call->code = condemned;
        call->message = condemned_why;
        return Condemned(err);
    }

    Lock                     lock(this);
    v8::Isolate::Scope       iscope(isolate);
    v8::HandleScope          hscope(isolate);
    v8::Local<v8::Context>   ctx = context.Get(isolate);
    v8::Context::Scope       cscope(ctx);
    v8::TryCatch             tc(isolate);
    v8::Local<v8::Value>     body = v8::Null(isolate);

    if (req->body_stream) {
        /* its pieces follow through jsfn_call_feed() (body.cc) */
        call->stream.reset(new CallStream());
        call->stream->Feeding(&feeding);
        call->stream->expected = ContentLength(req->headers, req->nheaders);
        body = v8::True(isolate);

    } else if (req->body != nullptr) {
        v8::Local<v8::ArrayBuffer>  ab;

        /* a body past the budget is refused, the isolate unharmed */
        if (!NewBuffer(req->body_len, false).ToLocal(&ab)) {
            call->settled = true;
            call->code = JSFN_ERR_BODY;
            call->message = "the request body of "
                + std::to_string(req->body_len) + " bytes does not fit"
                " the function's memory of "
                + std::to_string(heap_max >> 20) + " MB (js_function_memory)";
            return Fail(err, call->code, call->message);
        }

        if (req->body_len) {
            memcpy(ab->Data(), req->body, req->body_len);
        }

        body = v8::Uint8Array::New(ab, 0, req->body_len);
    }

    v8::Local<v8::Value>  args[] = {
        handler.Get(isolate),
        v8::Integer::NewFromUnsigned(isolate, call->id),
        v8::String::NewFromOneByte(isolate,
            reinterpret_cast<const uint8_t *>(req->method.data),
            v8::NewStringType::kInternalized, (int) req->method.len)
            .ToLocalChecked(),
        v8::String::NewFromOneByte(isolate,
            reinterpret_cast<const uint8_t *>(req->url.data),
            v8::NewStringType::kNormal, (int) req->url.len)
            .ToLocalChecked(),
        body,
        Pairs(isolate, req->env, req->nenv, false),
        KvBindings(this, req),
    };

    {
        Entry  entry(this, req->cpu_limit_us);

        if (dispatch.Get(isolate)->Call(ctx, v8::Undefined(isolate),
                                        sizeof(args) / sizeof(args[0]), args)
                .IsEmpty()
            && !call->settled && !isolate->IsExecutionTerminating())
        {
            call->settled = true;
            call->code = JSFN_ERR_JS;
            call->message = Describe(isolate, ctx, tc.Exception(),
                                     tc.Message());
        }

        if (!isolate->IsExecutionTerminating()) {
            RunMicrotasks();
        }
    }

    calls_started++;

    if (condemned != JSFN_OK) {
        call->settled = true;
        call->code = condemned;
        call->message = condemned_why;
        return Condemned(err);
    }

    SettleHung();

    if (!call->settled) {
        call->pending = true;
        return JSFN_AGAIN;
    }

    if (call->code != JSFN_OK) {
        return Fail(err, call->code, call->message);
    }

    return JSFN_OK;
}


/*
 * The code cache of each module compiled without one: after the isolate's
 * first call it holds the functions that call (and the module's top-level
 * code) compiled, so the next isolate of the function compiles none of
 * them.  Run outside any call, on the engine's thread.
 */
void
Isolate::MakeCodeCaches()
{
    std::vector<CachePending>  pending;

    pending.swap(cache_pending);

    for (auto &p : pending) {
        v8::HandleScope  hs(isolate);
        std::unique_ptr<v8::ScriptCompiler::CachedData>  made(
            v8::ScriptCompiler::CreateCodeCache(p.script.Get(isolate)));

        if (made && made->length > 0) {
            CodeCachePut(p.path, p.st, made->data, (size_t) made->length);
        }
    }
}


/* natives.done()/fail(): a call's handler settled */
void
Isolate::Settle(uint32_t id, v8::Local<v8::Value> parts, int code,
    v8::Local<v8::Value> error)
{
    auto found = calls.find(id);
    if (found == calls.end()) {
        return;        /* the host gave up on it (timeout, client gone) */
    }

    Call                    *call = found->second;
    v8::Local<v8::Context>   ctx = context.Get(isolate);

    if (call->settled) {
        return;
    }

    call->settled = true;
    call->code = code;

    if (code == JSFN_ERR_RESPONSE) {
        call->message = ToString(isolate, error);

    } else if (code != JSFN_OK) {
        call->message = Describe(isolate, ctx, error,
                                 v8::Exception::CreateMessage(isolate, error));
    } else {
        TakeResponse(call, parts);
    }

    if (call->pending) {
        engine.host->call_done(call->host);
    }
}


/*
 * A Fetch ByteString as the bytes it stands for: every character must be
 * at most U+00FF, and goes out as that one byte (as request headers come
 * in: one character per byte).
 */
bool
Isolate::ByteString(v8::Local<v8::String> s, std::string *out)
{
    if (!s->ContainsOnlyOneByte()) {
        return false;
    }

    out->resize(s->Length());

    if (!out->empty()) {
        s->WriteOneByte(isolate, reinterpret_cast<uint8_t *>(&(*out)[0]), 0,
                        (int) out->size(), v8::String::NO_NULL_TERMINATION);
    }

    return true;
}


/* an RFC 9110 token, as a header name must be */
bool
Isolate::Token(const std::string &s)
{
    static const char  extra[] = "!#$%&'*+-.^_`|~";

    if (s.empty()) {
        return false;
    }

    for (unsigned char c : s) {
        if (!isalnum(c) && (c == '\0' || strchr(extra, c) == nullptr)) {
            return false;
        }
    }

    return true;
}


/*
 * The response parts the runtime made ({status, statusText, headers: [n,
 * v, ...], body}) copied into the call.  Only the runtime's own object
 * arrives here, but a function may have replaced the built-ins the runtime
 * uses: every value is checked for its type (no conversion that could run
 * JS), sizes are capped before anything is copied, and nginx checks the
 * HTTP syntax again (ngx_http_jsfn_headers.c).
 */
void
Isolate::TakeResponse(Call *call, v8::Local<v8::Value> parts)
{
    size_t                  bytes;
    v8::Local<v8::Value>    v;
    v8::Local<v8::Object>   o;
    v8::Local<v8::Context>  ctx = context.Get(isolate);

    auto bad = [&](const std::string &why) {
        call->code = JSFN_ERR_RESPONSE;
        call->message = why;
    };

    if (!parts->IsObject()) {
        return bad("the response is not one the runtime made");
    }

    o = parts.As<v8::Object>();

    if (!o->Get(ctx, key_status.Get(isolate)).ToLocal(&v)
        || !v->IsInt32())
    {
        return bad("the response status is not a number");
    }

    call->status = v.As<v8::Int32>()->Value();

    if (!o->Get(ctx, key_status_text.Get(isolate)).ToLocal(&v)
        || !v->IsString())
    {
        return bad("the response status text is not a string");
    }

    if (v.As<v8::String>()->Length() > 1024) {
        return bad("the response status text is longer than 1024"
                   " characters");
    }

    if (!ByteString(v.As<v8::String>(), &call->status_text)) {
        return bad("the response status text is not a ByteString");
    }

    for (unsigned char c : call->status_text) {
        if (c != '\t' && (c < 0x20 || c == 0x7f)) {
            return bad("invalid response status text");
        }
    }

    if (!o->Get(ctx, key_headers.Get(isolate)).ToLocal(&v)
        || !v->IsArray())
    {
        return bad("the response headers are not a list");
    }

    v8::Local<v8::Array>  a = v.As<v8::Array>();
    uint32_t              n = a->Length();

    if (n & 1) {
        return bad("the response headers are not name, value pairs");
    }

    if (n / 2 > JSFN_MAX_HEADERS) {
        return bad("too many response headers (more than "
                   + std::to_string(JSFN_MAX_HEADERS) + ")");
    }

    bytes = 0;
    call->header_data.reserve(n);

    for (uint32_t i = 0; i < n; i++) {
        v8::Local<v8::Value>  h;

        if (!a->Get(ctx, i).ToLocal(&h) || !h->IsString()) {
            return bad("a response header is not a string");
        }

        bytes += h.As<v8::String>()->Length();
        if (bytes > JSFN_MAX_HEADER_BYTES) {
            return bad("response headers larger than "
                       + std::to_string(JSFN_MAX_HEADER_BYTES >> 10)
                       + " KB");
        }

        std::string  text;

        if (!ByteString(h.As<v8::String>(), &text)) {
            return bad("a response header is not a ByteString (a character"
                       " above U+00FF)");
        }

        if (text.find_first_of(std::string("\r\n\0", 3))
            != std::string::npos)
        {
            return bad("response header contains CR, LF or NUL");
        }

        if (i & 1) {
            /* a value's surrounding whitespace is not part of it (Fetch) */
            size_t  b = text.find_first_not_of(" \t");
            size_t  e = text.find_last_not_of(" \t");

            text = b == std::string::npos ? std::string()
                                           : text.substr(b, e - b + 1);

        } else if (!Token(text)) {
            /* quoted with its bytes escaped, as nginx's check logs it */
            std::string  q;
            char         hex[4];

            for (size_t k = 0; k < text.size() && k < 64; k++) {
                unsigned char  c = text[k];

                if (c <= 0x20 || c >= 0x7f || c == '"' || c == '%') {
                    snprintf(hex, sizeof(hex), "%%%02X", c);
                    q += hex;
                } else {
                    q += (char) c;
                }
            }

            return bad("invalid response header name \"" + q + "\"");
        }

        call->header_data.push_back(std::move(text));
    }

    for (auto &h : call->header_data) {
        call->headers.push_back({ h.data(), h.size() });
    }

    if (!o->Get(ctx, key_body.Get(isolate)).ToLocal(&v)) {
        return bad("the response body cannot be read");
    }

    if (v->IsString()) {
        v8::Local<v8::String>  str = v.As<v8::String>();

        /* checked before V8 flattens it or we copy it */
        if (!Fits(str) || !AllocatorFits(allocator, (size_t) str->Length()
                                         * (str->IsOneByte() ? 2 : 3)))
        {
            OverLimit();
            call->code = JSFN_ERR_HEAP;
            call->message = "memory limit of " + std::to_string(heap_max >> 20)
                            + " MB exceeded (js_function_memory) by a"
                            " response body of "
                            + std::to_string(str->Length()) + " characters";
            return;
        }

        call->body.resize(str->Utf8Length(isolate));
        str->WriteUtf8(isolate, &call->body[0], (int) call->body.size(),
                       nullptr, v8::String::NO_NULL_TERMINATION
                                | v8::String::REPLACE_INVALID_UTF8);

    } else if (v->IsArrayBufferView()) {
        /*
         * Bytes are not copied: the call keeps the buffer's backing
         * store alive and nginx sends from it.
         */
        v8::Local<v8::ArrayBufferView>  b = v.As<v8::ArrayBufferView>();

        call->body_store = b->Buffer()->GetBackingStore();
        call->body_ptr = static_cast<const char *>(call->body_store->Data())
                         + b->ByteOffset();
        call->body_len = b->ByteLength();

    } else if (v->IsTrue() && call->stream && call->stream->response) {
        /* a stream the JS side reads when the host asks (body.cc) */
        call->streamed = true;

    } else if (!v->IsNull()) {
        return bad("the response body is not a string or bytes");
    }
}


void
Isolate::Forget(Call *call)
{
    calls.erase(call->id);
}


int
Isolate::FireTimer(uint32_t id, jsfn_err_t *err)
{
    uint64_t  cpu;

    timers.erase(id);

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    Lock                     lock(this);
    v8::Isolate::Scope       iscope(isolate);
    v8::HandleScope          hscope(isolate);
    v8::Local<v8::Context>   ctx = context.Get(isolate);
    v8::Context::Scope       cscope(ctx);
    v8::TryCatch             tc(isolate);
    v8::Local<v8::Value>     arg = v8::Integer::NewFromUnsigned(isolate, id);

    cpu = ThreadCpuNs();

    {
        Entry  entry(this, cpu_limit_us);

        if (fire_timer.Get(isolate)->Call(ctx, v8::Undefined(isolate), 1,
                                          &arg).IsEmpty())
        {
            if (!isolate->IsExecutionTerminating()) {
                std::string  msg = "Uncaught " + Describe(isolate, ctx,
                                       tc.Exception(), tc.Message());
                Log(JSFN_LOG_ERROR, msg.data(), msg.size());
            }
        }

        if (!isolate->IsExecutionTerminating()) {
            RunMicrotasks();
        }
    }

    if (condemned == JSFN_OK && cpu_limit_us) {
        ChargeTimers(ThreadCpuNs() - cpu);
    }

    if (condemned != JSFN_OK) {
        return Condemned(err);
    }

    SettleHung();

    return JSFN_OK;
}


/*
 * Timer callbacks are short entries, each within the CPU limit, but a
 * function that keeps re-arming them would keep a core busy forever.  Their
 * CPU time is summed per isolate over a window of ten times the limit: past
 * the limit within one window, the isolate is stopped as one long call
 * would be (timer callbacks may use a tenth of a core, sustained).
 */
void
Isolate::ChargeTimers(uint64_t ns)
{
    double  now = MonotonicUs();

    if (now - window_us > 10.0 * cpu_limit_us) {
        window_us = now;
        window_ns = 0;
    }

    window_ns += ns;

    if (window_ns > cpu_limit_us * 1000) {
        Condemn(JSFN_ERR_TIMEOUT, "CPU time limit of "
            + std::to_string(cpu_limit_us / 1000) + " ms exceeded by timer"
            " callbacks within " + std::to_string(cpu_limit_us / 100)
            + " ms (js_function_cpu_limit)");
    }
}


/*
 * The host's I/O for a request (fetch reports, body reads and feeds) makes
 * entries each within the CPU limit; their time is summed per request, and
 * past ten times the limit the isolate is stopped as one long call would
 * be.  A request is bounded in time (js_function_timeout, the client's
 * pace): without the sum, a chain of fetches each answered by an entry of
 * nearly the limit would keep the worker busy for all of it.  The time is
 * the entries' elapsed time, read from the vDSO clock Entry reads anyway:
 * at least their CPU time, and no system call per report.
 */
void
Isolate::ChargeCall(Call *call, uint64_t ns)
{
    uint64_t  limit;

    if (call == nullptr || condemned != JSFN_OK) {
        return;
    }

    limit = call->cpu_limit_us ? call->cpu_limit_us : cpu_limit_us;

    if (limit == 0) {
        return;
    }

    call->io_ns += ns;

    if (call->io_ns > limit * 10000) {
        Condemn(JSFN_ERR_TIMEOUT, "CPU time limit of "
            + std::to_string(limit / 1000)
            + " ms exceeded: one request's fetch responses and body reads"
            " ran for more than " + std::to_string(limit / 100)
            + " ms (js_function_cpu_limit)");
    }
}


/*
 * A pending call whose promise nothing can settle any more: no timer is
 * armed and no host work is pending, and JS has returned.  Such calls are
 * answered now (500) rather than after js_function_timeout, as other
 * isolate runtimes do.
 */
void
Isolate::SettleHung()
{
    if (!Stuck()) {
        return;
    }

    ReadsHung();

    for (auto &c : calls) {
        Call  *call = c.second;

        if (call->settled) {
            continue;
        }

        call->settled = true;
        call->code = JSFN_ERR_HUNG;
        call->message = "the function will never produce a response: its"
                        " promise is pending and nothing is left that could"
                        " settle it (no timers, no pending I/O)";

        if (call->pending) {
            engine.host->call_done(call->host);
        }
    }
}


bool
Isolate::Changed()
{
    return FilesChanged(files);
}


bool
FilesChanged(const std::map<std::string, FileStamp> &files)
{
    struct stat  st;

    for (const auto &f : files) {
        if (stat(f.first.c_str(), &st) == -1) {
            if (f.second.size == -1) {
                continue;           /* still missing */
            }

            return true;
        }

        if (f.second.mtime_ns != (long) (st.st_mtim.tv_sec * 1000000000L
                                         + st.st_mtim.tv_nsec)
            || f.second.size != (long) st.st_size
            || f.second.ino != (unsigned long) st.st_ino)
        {
            return true;
        }
    }

    return false;
}


/*
 * Loads that failed (syntax, import or top-level errors), per process: a
 * broken function is not compiled again on every request, only once its
 * files change.  Keyed by path, root and allow_eval, which decide the
 * outcome; bounded like the code cache.
 */
namespace {

struct FailedLoad {
    std::map<std::string, FileStamp>  files;
    int                               code;
    std::string                       message;
};

std::map<std::string, FailedLoad>   failed_loads;
const size_t                        failed_loads_max = 10000;


std::string
FailedKey(const std::string &path, const std::string &root, bool allow_eval)
{
    return path + '\0' + root + '\0' + (allow_eval ? 'e' : '-');
}

}  /* namespace */


int
LoadFailed(const std::string &path, const std::string &root,
    bool allow_eval, jsfn_err_t *err)
{
    auto it = failed_loads.find(FailedKey(path, root, allow_eval));

    if (it == failed_loads.end()) {
        return JSFN_OK;
    }

    if (FilesChanged(it->second.files)) {
        failed_loads.erase(it);
        return JSFN_OK;
    }

    return Fail(err, it->second.code, it->second.message);
}


void
Isolate::RememberLoad(const std::string &path, const std::string &dir,
    int rc, jsfn_err_t *err)
{
    std::string  key = FailedKey(path, dir, allow_eval);

    if (rc != JSFN_ERR_LOAD) {
        failed_loads.erase(key);
        return;
    }

    if (failed_loads.size() >= failed_loads_max) {
        failed_loads.erase(failed_loads.begin());
    }

    failed_loads[key] = FailedLoad{ files, rc,
                                    std::string(err->msg, err->len) };
}


void
Isolate::Heap(jsfn_heap_t *heap)
{
    v8::HeapStatistics  hs;
    Lock                lock(this);

    isolate->GetHeapStatistics(&hs);

    heap->used = hs.used_heap_size();
    heap->total = hs.total_heap_size();
    heap->external = AllocatorUsed(allocator);
    heap->limit = heap_max;
}


void
Isolate::RunMicrotasks()
{
    isolate->PerformMicrotaskCheckpoint();
    ReportRejections();
}


void
Isolate::OnReject(v8::PromiseRejectMessage message)
{
    v8::Local<v8::Promise>  p = message.GetPromise();
    v8::Isolate            *isolate = p->GetIsolate();
    Isolate                *self = From(isolate);

    if (self == nullptr) {
        return;
    }

    switch (message.GetEvent()) {

    case v8::kPromiseRejectWithNoHandler:
        self->rejections.emplace_back(
            v8::Global<v8::Promise>(isolate, p),
            v8::Global<v8::Value>(isolate, message.GetValue()));
        break;

    case v8::kPromiseHandlerAddedAfterReject:
        for (auto it = self->rejections.begin();
             it != self->rejections.end(); ++it)
        {
            if (it->first == p) {
                self->rejections.erase(it);
                break;
            }
        }
        break;

    default:
        break;
    }
}


void
Isolate::ReportRejections()
{
    if (rejections.empty()) {
        return;
    }

    v8::HandleScope          hscope(isolate);
    v8::Local<v8::Context>   ctx = context.Get(isolate);
    auto                     list = std::move(rejections);

    rejections.clear();

    for (auto &r : list) {
        v8::Local<v8::Value>  e = r.second.Get(isolate);
        std::string  msg = "Uncaught (in promise) "
            + Describe(isolate, ctx, e,
                       v8::Exception::CreateMessage(isolate, e));
        Log(JSFN_LOG_ERROR, msg.data(), msg.size());
    }
}


void
Isolate::Log(int level, const char *msg, size_t len)
{
    engine.host->log(host, level, msg, len);
}


/*
 * The host gave up on a call whose response was not complete (the client
 * went away, js_function_timeout): the signal of the request its handler
 * received aborts (internal.abortRequest), and with it whatever follows
 * that signal (a fetch() of the request, a pipe).
 */
void
Isolate::AbortRequest(Call *call)
{
    if (condemned != JSFN_OK || abort_request.IsEmpty()) {
        return;
    }

    Lock                     lock(this);
    v8::Isolate::Scope       iscope(isolate);
    v8::HandleScope          hscope(isolate);
    v8::Local<v8::Context>   ctx = context.Get(isolate);
    v8::Context::Scope       cscope(ctx);
    v8::TryCatch             tc(isolate);

    v8::Local<v8::Value>  arg = v8::Integer::NewFromUnsigned(isolate,
                                                             call->id);

    {
        Entry  entry(this, cpu_limit_us);

        if (abort_request.Get(isolate)->Call(ctx, v8::Undefined(isolate), 1,
                                             &arg).IsEmpty()
            && !isolate->IsExecutionTerminating())
        {
            Log(JSFN_LOG_ERROR, "aborting the request's signal failed", 36);
        }

        if (!isolate->IsExecutionTerminating()) {
            isolate->PerformMicrotaskCheckpoint();
        }
    }

    if (condemned != JSFN_OK) {
        /* no request is left to answer for it: the log says why the
           isolate goes (the host retires it) */
        std::string  why = condemned_why + " (request.signal's abort"
                           " listeners)";

        Log(JSFN_LOG_ERROR, why.data(), why.size());
        return;
    }

    ReportRejections();
}

}  /* namespace jsfn */



namespace jsfn {

/*
 * A group's V8 isolate: made on the event loop's thread (never a spare's),
 * its function found through the running context (Isolate::From).
 */
int
Group::Init(const jsfn_isolate_conf_t *conf, jsfn_err_t *err)
{
    heap_max = conf->heap_max;

    isolate = NewV8Isolate(heap_max, &allocator);
    if (isolate == nullptr) {
        return Fail(err, JSFN_ERR_NOMEM, "cannot create an isolate");
    }

    isolate->SetData(0, nullptr);
    isolate->SetData(1, this);

    if (heap_max) {
        isolate->AddNearHeapLimitCallback(NearHeapLimit, this);
    }

    SetUpV8Isolate(isolate, Isolate::AllowWasm, Isolate::OnReject);

    return JSFN_OK;
}


/* as Isolate::NearHeapLimit: every member is over the limit it shares */
size_t
Group::NearHeapLimit(void *data, size_t current, size_t initial)
{
    Group  *self = static_cast<Group *>(data);

    for (Isolate *m : self->members) {
        m->heap_exceeded = true;
    }

    self->isolate->TerminateExecution();

    return current + (size_t) v8::String::kMaxLength * 2 + (64u << 20);
}


/*
 * One member broke a limit: the isolate is stopped (terminated, or its
 * heap exhausted) for all of them; each is condemned, saying by whom.
 */
void
Group::Condemn(Isolate *by, int code, const std::string &why)
{
    if (condemned != JSFN_OK) {
        return;
    }

    condemned = code;

    for (Isolate *m : members) {
        if (m == by || m->condemned != JSFN_OK) {
            continue;
        }

        m->condemned = code;
        m->condemned_why = "the V8 isolate shared with \"" + by->path
            + "\" (js_function_isolation context) was stopped: " + why;
    }
}


void
Group::Leave(Isolate *member)
{
    for (auto it = members.begin(); it != members.end(); ++it) {
        if (*it == member) {
            members.erase(it);
            break;
        }
    }

    if (members.empty() && !held) {
        delete this;
    }
}


Group::~Group()
{
    if (isolate != nullptr) {
        isolate->Dispose();
        DeleteCountingAllocator(allocator);
    }
}

}  /* namespace jsfn */
