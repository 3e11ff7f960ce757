/*
 * streams.cc: what js/25-streams.js, js/28-blob.js and the node: modules
 * need from C++.
 *
 *   library(name, params)          a built-in JS library (gen_libraries.sh:
 *                                  web-streams-polyfill, fetched by
 *                                  vendor.sh, the node: modules of node/,
 *                                  the runtime's own of js/lib/) compiled as
 *                                  the body of a function of the given
 *                                  parameters (an array of names, or one
 *                                  string of them, a space between two)
 *   libraryCache(name, fn, used)   keeps V8's code cache of that function
 *                                  for the isolates to come: if the process
 *                                  has none yet, or (used) for the first
 *                                  few times the library has done its work
 *   lazyGlobals(names, loader)     makes each name a global data property
 *                                  (not enumerable) whose value is
 *                                  loader(name), asked for the first time the
 *                                  property is read (each name keeps its
 *                                  loader: several files have lazy globals)
 *   transfer(ab)                   the same memory under a new ArrayBuffer,
 *                                  ab detached (the Streams spec's
 *                                  "transfer": V8 10.2 has no
 *                                  ArrayBuffer.prototype.transfer)
 *
 * The streams library is about 65 KB of JS, and several hundred KB of heap
 * per isolate once it has run.  No library runs when the snapshot is made:
 * an isolate that never touches a stream or imports a node: module never
 * has it.  The first isolate of the process that does compiles it from the
 * built-in text (an external string: not copied) and leaves a code cache
 * that later ones use: made once the library has loaded, and made again
 * when the first few isolates have used it (read a stream body whole), by
 * when more of its functions are compiled.  Each of those started from the
 * cache before, so the cache gathers what each of them ran.
 */

#include <cstring>

#include "engine.h"


namespace jsfn {

namespace {

/* a library's text, in place: V8 does not own it (ASCII: gen_libraries.sh) */
class StaticSource : public v8::String::ExternalOneByteStringResource {
public:
    explicit StaticSource(const LibrarySource *lib) : lib(lib) {}

    const char *data() const override {
        return reinterpret_cast<const char *>(lib->text);
    }

    size_t length() const override {
        return lib->len;
    }

private:
    const LibrarySource  *lib;
};


/* a library as compiled by an isolate of this process */
struct CodeCache {
    std::vector<uint8_t>  data;
    int                   refreshes = 0;
};

std::map<std::string, CodeCache>  code_caches;
const int                         code_cache_refreshes_max = 3;


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


/* the built-in library of that name, or null */
const LibrarySource *
Library(v8::Isolate *isolate, v8::Local<v8::Value> name)
{
    if (!name->IsString()) {
        return nullptr;
    }

    std::string  s = ToString(isolate, name);

    for (const LibrarySource *lib = library_sources; lib->name; lib++) {
        if (s == lib->name) {
            return lib->len ? lib : nullptr;
        }
    }

    return nullptr;
}

}  /* namespace */


void
NativeLibrary(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate                        *isolate = args.GetIsolate();
    v8::Local<v8::Context>              ctx = isolate->GetCurrentContext();
    const LibrarySource                *lib = Library(isolate, args[0]);
    std::vector<v8::Local<v8::Value>>   names;
    std::vector<v8::Local<v8::String>>  params;
    v8::Local<v8::String>               text;
    v8::Local<v8::Function>             fn;

    if (args[1]->IsString()) {
        /* the names in one string, a space between two: kept that way in
           the snapshot, one string rather than an array of them */
        if (args[1].As<v8::String>()->Length() > 4096) {
            Throw(isolate, "library: expected parameter names");
            return;
        }

        std::string  all = ToString(isolate, args[1]);
        size_t       start = 0;

        while (start < all.size() && params.size() <= 64) {
            size_t  end = all.find(' ', start);

            if (end == std::string::npos) {
                end = all.size();
            }

            if (end > start) {
                params.push_back(v8::String::NewFromUtf8(isolate,
                    all.data() + start, v8::NewStringType::kInternalized,
                    (int) (end - start)).ToLocalChecked());
            }

            start = end + 1;
        }

        if (params.size() > 64) {
            Throw(isolate, "library: expected parameter names");
            return;
        }

    } else if (!Elements(ctx, args[1], 64, &names)) {
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

    if (lib == nullptr
        || !v8::String::NewExternalOneByte(isolate, new StaticSource(lib))
                .ToLocal(&text))
    {
        Throw(isolate, "library: no such library is built in");
        return;
    }

    v8::ScriptOrigin  origin(isolate, v8::String::NewFromUtf8(isolate,
                                 lib->name).ToLocalChecked());
    v8::ScriptCompiler::CachedData  *cached = nullptr;
    CodeCache                       &cache = code_caches[lib->name];

    if (!cache.data.empty()) {
        cached = new v8::ScriptCompiler::CachedData(cache.data.data(),
                     (int) cache.data.size(),
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

    if (cached != nullptr && cached->rejected) {
        cache.data.clear();
    }

    args.GetReturnValue().Set(fn);
}


void
NativeLibraryCache(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    const LibrarySource  *lib = Library(args.GetIsolate(), args[0]);
    bool                  used = args[2]->IsTrue();

    if (lib == nullptr || !args[1]->IsFunction()) {
        return;
    }

    CodeCache  &cache = code_caches[lib->name];

    if (used ? cache.refreshes >= code_cache_refreshes_max
             : !cache.data.empty())
    {
        return;
    }

    if (used) {
        cache.refreshes++;
    }

    /* V8 checks a cache against its source when it is used: a wrong one
       (another library's function) would only be refused */
    std::unique_ptr<v8::ScriptCompiler::CachedData>  made(
        v8::ScriptCompiler::CreateCodeCacheForFunction(
            args[1].As<v8::Function>()));

    if (made && made->length > 0) {
        cache.data.assign(made->data, made->data + made->length);
    }
}


/* the private key of a lazy global's loader: one per name, so that
   several runtime files each have their own */
v8::Local<v8::Private>
LoaderKey(v8::Isolate *isolate, v8::Local<v8::String> name)
{
    return v8::Private::ForApi(isolate, v8::String::Concat(isolate,
        v8::String::NewFromUtf8Literal(isolate, "jsfn:lazy:"), name));
}


/*
 * The getter of a lazyGlobals() property.  The loader is kept on the
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


void
NativeTransfer(const v8::FunctionCallbackInfo<v8::Value> &args)
{
    v8::Isolate  *isolate = args.GetIsolate();

    if (!args[0]->IsArrayBuffer()
        || !args[0].As<v8::ArrayBuffer>()->IsDetachable())
    {
        Throw(isolate, "transfer: expected a detachable ArrayBuffer");
        return;
    }

    v8::Local<v8::ArrayBuffer>          ab = args[0].As<v8::ArrayBuffer>();
    std::shared_ptr<v8::BackingStore>   store = ab->GetBackingStore();

    /* no allocation: the backing store moves to the new ArrayBuffer */
    ab->Detach();
    args.GetReturnValue().Set(v8::ArrayBuffer::New(isolate, store));
}

}  /* namespace jsfn */
