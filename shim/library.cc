/*
 * library.cc: the third-party JS libraries built into the engine (fetched
 * and checked by vendor.sh), compiled by an isolate the first time it needs
 * one, and the lazy globals that load them.
 *
 *   streamsLibrary(names)          web-streams-polyfill (streams_js) or
 *   urlPatternLibrary(names)       urlpattern-polyfill (urlpattern_js)
 *                                  compiled as the body of a function of the
 *                                  given parameters; urlPatternLibrary gives
 *                                  [fn, true when V8 took the code cache]
 *   streamsCache(fn, used)         keeps V8's code cache of that function
 *   urlPatternCache(fn)            for the isolates to come: if the process
 *                                  has none yet, or (used) for the first few
 *                                  stream bodies read whole
 *   lazyGlobals(names, loader)     makes each name a global data property
 *                                  (not enumerable) whose value is
 *                                  loader(name), asked for the first time the
 *                                  property is read
 *
 * A library does not run when the snapshot is made: an isolate that never
 * touches it never has it.  The first isolate of the process that does
 * compiles it from the built-in text (an external string: not copied) and
 * leaves a code cache that later ones use.  Each of those starts from the
 * cache, so a cache made again later gathers what each of them ran.
 */

#include <cstring>

#include "engine.h"


namespace jsfn {

extern const unsigned char  streams_js[];
extern const size_t         streams_js_len;
extern const unsigned char  urlpattern_js[];
extern const size_t         urlpattern_js_len;

namespace {

/* a built-in library and its code cache, made by an isolate of this
   process (only the worker thread compiles libraries) */
struct Library {
    const char             *name;
    const unsigned char    *text;
    const size_t           *len;
    std::vector<uint8_t>    cache;
    int                     refreshes;
};

Library  streams = { "web-streams-polyfill", streams_js, &streams_js_len,
                     {}, 0 };
Library  urlpattern = { "urlpattern-polyfill", urlpattern_js,
                        &urlpattern_js_len, {}, 0 };

const int  streams_refreshes_max = 3;


/* the library's text, in place: V8 does not own it (the build checks that
   it is ASCII) */
class StaticSource : public v8::String::ExternalOneByteStringResource {
public:
    explicit StaticSource(const Library *lib) : lib(lib) {}

    const char *data() const override {
        return reinterpret_cast<const char *>(lib->text);
    }

    size_t length() const override {
        return *lib->len;
    }

private:
    const Library  *lib;
};


void
Throw(v8::Isolate *isolate, const char *msg)
{
    isolate->ThrowException(v8::Exception::TypeError(
        v8::String::NewFromUtf8(isolate, msg).ToLocalChecked()));
}


/* a JS array of at most "max" elements as a vector, or false */
bool
Elements(v8::Local<v8::Context> ctx, v8::Local<v8::Value> v, uint32_t max,
    std::vector<v8::Local<v8::Value>> *out)
{
    if (!v->IsArray() || v.As<v8::Array>()->Length() > max) {
        return false;
    }

    v8::Local<v8::Array>  a = v.As<v8::Array>();

    for (uint32_t i = 0; i < a->Length(); i++) {
        v8::Local<v8::Value>  e;

        if (!a->Get(ctx, i).ToLocal(&e)) {
            return false;
        }

        out->push_back(e);
    }

    return true;
}


/* the library compiled as a function of the parameter names in args[0];
   *cached: V8 took the process's code cache */
v8::MaybeLocal<v8::Function>
Compile(const v8::FunctionCallbackInfo<v8::Value> &args, Library *lib,
    bool *cached_used)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    v8::Local<v8::Context>              ctx = isolate->GetCurrentContext();
    std::vector<v8::Local<v8::Value>>   names;
    std::vector<v8::Local<v8::String>>  params;
    v8::Local<v8::String>               text;
    v8::Local<v8::Function>             fn;

    *cached_used = false;

    if (!Elements(ctx, args[0], 64, &names)) {
        Throw(isolate, "library: expected parameter names");
        return {};
    }

    for (auto &n : names) {
        if (!n->IsString()) {
            Throw(isolate, "library: a name is not a string");
            return {};
        }
        params.push_back(n.As<v8::String>());
    }

    if (*lib->len == 0
        || !v8::String::NewExternalOneByte(isolate, new StaticSource(lib))
                .ToLocal(&text))
    {
        Throw(isolate, "library: the library is not built in");
        return {};
    }

    v8::ScriptOrigin  origin(isolate,
                          v8::String::NewFromUtf8(isolate, lib->name)
                              .ToLocalChecked());
    v8::ScriptCompiler::CachedData  *cached = nullptr;

    if (!lib->cache.empty()) {
        cached = new v8::ScriptCompiler::CachedData(lib->cache.data(),
                     (int) lib->cache.size(),
                     v8::ScriptCompiler::CachedData::BufferNotOwned);
    }

    /* Source owns "cached" */
    v8::ScriptCompiler::Source  src(text, origin, cached);

    if (!v8::ScriptCompiler::CompileFunction(ctx, &src, params.size(),
             params.data(), 0, nullptr,
             cached ? v8::ScriptCompiler::kConsumeCodeCache
                    : v8::ScriptCompiler::kNoCompileOptions)
             .ToLocal(&fn))
    {
        return {};
    }

    if (cached != nullptr) {
        if (cached->rejected) {
            lib->cache.clear();

        } else {
            *cached_used = true;
        }
    }

    return fn;
}


/* V8 checks a cache against its source when it is used: a wrong one would
   only be refused */
void
MakeCache(Library *lib, v8::Local<v8::Function> fn)
{
    std::unique_ptr<v8::ScriptCompiler::CachedData>  made(
        v8::ScriptCompiler::CreateCodeCacheForFunction(fn));

    if (made && made->length > 0) {
        lib->cache.assign(made->data, made->data + made->length);
    }
}


/* the loader of one lazy global, kept on the global object */
v8::Local<v8::Private>
LoaderKey(v8::Isolate *isolate, v8::Local<v8::String> name)
{
    return v8::Private::ForApi(isolate, v8::String::Concat(isolate,
        v8::String::NewFromUtf8Literal(isolate, "jsfn:lazy:"), name));
}

}  /* namespace */


void
NativeStreamsLibrary(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Local<v8::Function>  fn;
    bool                     cached;

    if (Compile(args, &streams, &cached).ToLocal(&fn)) {
        args.GetReturnValue().Set(fn);
    }
}


void
NativeStreamsCache(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    bool  used = args[1]->IsTrue();

    if (!args[0]->IsFunction()
        || (used ? streams.refreshes >= streams_refreshes_max
                 : !streams.cache.empty()))
    {
        return;
    }

    if (used) {
        streams.refreshes++;
    }

    MakeCache(&streams, args[0].As<v8::Function>());
}


void
NativeUrlPatternLibrary(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate              *isolate = args.GetIsolate();
    v8::Local<v8::Function>   fn;
    bool                      cached;

    if (!Compile(args, &urlpattern, &cached).ToLocal(&fn)) {
        return;
    }

    v8::Local<v8::Value>  pair[] = { fn, v8::Boolean::New(isolate, cached) };

    args.GetReturnValue().Set(v8::Array::New(isolate, pair, 2));
}


void
NativeUrlPatternCache(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    if (args[0]->IsFunction() && urlpattern.cache.empty()) {
        MakeCache(&urlpattern, args[0].As<v8::Function>());
    }
}


/*
 * The getter of a lazyGlobals() property.  Its loader is kept on the
 * global object under a private key, not as the accessor's data: V8 puts
 * accessors in the isolate's part of the snapshot, where the runtime's
 * closures (and the typed arrays they reach) cannot go.
 */
void
LazyGlobal(v8::Local<v8::Name> name,
    const v8::PropertyCallbackInfo<v8::Value> &info)
{
    v8::Isolate             *isolate = info.GetIsolate();
    v8::Local<v8::Context>   ctx = isolate->GetCurrentContext();
    v8::Local<v8::Value>     loader, arg = name, v;

    if (!name->IsString()
        || !ctx->Global()->GetPrivate(ctx,
                LoaderKey(isolate, name.As<v8::String>())).ToLocal(&loader)
        || !loader->IsFunction())
    {
        return;
    }

    if (loader.As<v8::Function>()->Call(ctx, v8::Undefined(isolate), 1, &arg)
            .ToLocal(&v))
    {
        info.GetReturnValue().Set(v);
    }
}


void
NativeLazyGlobals(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    v8::Local<v8::Context>              ctx = isolate->GetCurrentContext();
    std::vector<v8::Local<v8::Value>>   names;

    if (!Elements(ctx, args[0], 64, &names) || !args[1]->IsFunction()) {
        Throw(isolate, "lazyGlobals: expected names and a loader");
        return;
    }

    for (auto &n : names) {
        if (!n->IsString()
            || ctx->Global()->SetPrivate(ctx,
                   LoaderKey(isolate, n.As<v8::String>()), args[1])
                   .IsNothing()
            || ctx->Global()->SetLazyDataProperty(ctx, n.As<v8::String>(),
                   LazyGlobal, v8::Local<v8::Value>(), v8::DontEnum)
                   .IsNothing())
        {
            Throw(isolate, "lazyGlobals: cannot define a global");
            return;
        }
    }
}

}  /* namespace jsfn */
