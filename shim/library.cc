/*
 * library.cc: the third-party JS libraries built into the engine (fetched
 * and checked by vendor.sh), compiled by an isolate the first time it needs
 * one, and the lazy globals that load them.
 *
 *   library(name, params)          the library "web-streams-polyfill"
 *                                  (streams_js) or "urlpattern-polyfill"
 *                                  (urlpattern_js, with js/lazy-urlpattern.js
 *                                  after it) compiled as the body of a
 *                                  function of the given parameter names:
 *                                  [fn, true when V8 took the process's code
 *                                  cache]
 *   libraryCache(name, fn, used)   keeps V8's code cache of fn for the
 *                                  isolates to come: if the process has none
 *                                  yet, or (used) the first few times the
 *                                  library has done more (streams: bodies
 *                                  read whole)
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

Library  libraries[] = {
    { "web-streams-polyfill", streams_js, &streams_js_len, {}, 0 },
    { "urlpattern-polyfill", urlpattern_js, &urlpattern_js_len, {}, 0 },
};

const int  refreshes_max = 3;


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


/* the library args[0] names, or null (a TypeError thrown) */
Library *
Find(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();

    if (args[0]->IsString()) {
        v8::String::Utf8Value  name(isolate, args[0]);

        for (auto &lib : libraries) {
            if (*name != nullptr && std::strcmp(*name, lib.name) == 0) {
                return &lib;
            }
        }
    }

    Throw(isolate, "library: no such library");
    return nullptr;
}


/* the lazy globals' loaders: an array kept on the global object */
v8::Local<v8::Private>
LoadersKey(v8::Isolate *isolate)
{
    return v8::Private::ForApi(isolate,
        v8::String::NewFromUtf8Literal(isolate, "jsfn:lazy"));
}

}  /* namespace */


void
NativeLibrary(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    v8::Local<v8::Context>              ctx = isolate->GetCurrentContext();
    Library                            *lib = Find(args);
    std::vector<v8::Local<v8::Value>>   names;
    std::vector<v8::Local<v8::String>>  params;
    v8::Local<v8::String>               text;
    v8::Local<v8::Function>             fn;

    if (lib == nullptr) {
        return;
    }

    if (!Elements(ctx, args[1], 64, &names)) {
        Throw(isolate, "library: expected parameter names");
        return;
    }

    for (auto &n : names) {
        if (!n->IsString()) {
            Throw(isolate, "library: a name is not a string");
            return;
        }
        params.push_back(n.As<v8::String>());
    }

    if (*lib->len == 0
        || !v8::String::NewExternalOneByte(isolate, new StaticSource(lib))
                .ToLocal(&text))
    {
        Throw(isolate, "library: the library is not built in");
        return;
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
        return;
    }

    bool  took = cached != nullptr && !cached->rejected;

    if (cached != nullptr && cached->rejected) {
        lib->cache.clear();
    }

    v8::Local<v8::Value>  pair[] = { fn, v8::Boolean::New(isolate, took) };

    args.GetReturnValue().Set(v8::Array::New(isolate, pair, 2));
}


/* V8 checks a cache against its source when it is used: a wrong one would
   only be refused */
void
NativeLibraryCache(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    Library  *lib = Find(args);
    bool      used = args[2]->IsTrue();

    if (lib == nullptr
        || !args[1]->IsFunction()
        || (used ? lib->refreshes >= refreshes_max : !lib->cache.empty()))
    {
        return;
    }

    if (used) {
        lib->refreshes++;
    }

    std::unique_ptr<v8::ScriptCompiler::CachedData>  made(
        v8::ScriptCompiler::CreateCodeCacheForFunction(
            args[1].As<v8::Function>()));

    if (made && made->length > 0) {
        lib->cache.assign(made->data, made->data + made->length);
    }
}


/*
 * The getter of a lazyGlobals() property.  The loaders are kept in an array
 * on the global object under a private key, the accessor's data being the
 * index of its loader: V8 puts accessors in the isolate's part of the
 * snapshot, where the runtime's closures (and the typed arrays they reach)
 * cannot go.
 */
void
LazyGlobal(v8::Local<v8::Name> name,
    const v8::PropertyCallbackInfo<v8::Value> &info)
{
    v8::Isolate             *isolate = info.GetIsolate();
    v8::Local<v8::Context>   ctx = isolate->GetCurrentContext();
    v8::Local<v8::Value>     loaders, loader, arg = name, v;

    if (!info.Data()->IsUint32()
        || !ctx->Global()->GetPrivate(ctx, LoadersKey(isolate)).ToLocal(&loaders)
        || !loaders->IsArray()
        || !loaders.As<v8::Array>()->Get(ctx, info.Data().As<v8::Uint32>()
                ->Value()).ToLocal(&loader)
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
    v8::Local<v8::Object>               global = ctx->Global();
    std::vector<v8::Local<v8::Value>>   names;
    v8::Local<v8::Value>                loaders;

    if (!Elements(ctx, args[0], 64, &names) || !args[1]->IsFunction()) {
        Throw(isolate, "lazyGlobals: expected names and a loader");
        return;
    }

    if (!global->GetPrivate(ctx, LoadersKey(isolate)).ToLocal(&loaders)) {
        return;
    }

    if (!loaders->IsArray()) {
        loaders = v8::Array::New(isolate, 0);

        if (global->SetPrivate(ctx, LoadersKey(isolate), loaders)
                .IsNothing())
        {
            return;
        }
    }

    uint32_t  index = loaders.As<v8::Array>()->Length();

    if (loaders.As<v8::Array>()->Set(ctx, index, args[1]).IsNothing()) {
        return;
    }

    for (auto &n : names) {
        if (!n->IsString()
            || global->SetLazyDataProperty(ctx, n.As<v8::String>(),
                   LazyGlobal, v8::Integer::NewFromUnsigned(isolate, index),
                   v8::DontEnum).IsNothing())
        {
            Throw(isolate, "lazyGlobals: cannot define a global");
            return;
        }
    }
}

}  /* namespace jsfn */
