/*
 * snapshot.cc: the JS runtime in a V8 startup snapshot.
 *
 * jsfn-mksnapshot (mksnapshot.cc) runs the runtime once at build time and
 * serialises the resulting context; every isolate then starts from it
 * instead of compiling and running the runtime again.  The blob carries a
 * header: V8's version and a hash of the runtime it was made from.  A blob
 * that does not match the V8 in use (libnode upgraded underneath, or a
 * stray file) is refused before V8 sees it, with a warning, and isolates
 * are built the slow way: V8 would abort the process on a foreign blob.
 * The header also carries a CRC-32 of the blob, checked once when a worker
 * loads a blob from a file (js_function_snapshot): V8's own check of its
 * checksum, on every isolate created, is off (PlatformFlags).
 */

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "engine.h"


namespace jsfn {

static const char  magic[8] = { 'J', 'S', 'F', 'N', 'S', 'N', 'P', '1' };

struct BlobHeader {
    char       magic[8];
    char       v8_version[32];
    uint64_t   runtime_hash;
    uint64_t   length;
    uint32_t   crc;                 /* CRC-32 of the blob */
    uint32_t   reserved;
};

Snapshot  snapshot;


/*
 * The runtime's text as V8 sees it: an external string over the bytes built
 * into the engine (ASCII: gen_runtime.sh), never copied onto a heap.  Its
 * address is one of the snapshot's external references (NativeReferences),
 * so the snapshot keeps a reference to it, not the text: every isolate's
 * Script of the runtime points at the same read-only bytes of the module.
 * A static object: Dispose(), called when an isolate goes, does nothing.
 */
namespace {

class RuntimeSource : public v8::String::ExternalOneByteStringResource {
public:
    const char *data() const override { return runtime_js; }
    size_t length() const override { return runtime_js_len; }

protected:
    void Dispose() override {}
};

RuntimeSource  runtime_source;

}  /* namespace */


const void *
RuntimeSourceReference()
{
    return &runtime_source;
}


static uint64_t
RuntimeHash()
{
    uint64_t  h = 1469598103934665603ull;       /* FNV-1a */

    for (size_t i = 0; i < runtime_js_len; i++) {
        h = (h ^ (uint8_t) runtime_js[i]) * 1099511628211ull;
    }

    return h;
}


/* runs the JS half of the runtime in ctx; the hooks it leaves in internal */
int
InstallRuntime(v8::Isolate *isolate, v8::Local<v8::Context> ctx,
    v8::Local<v8::Function> *dispatch, v8::Local<v8::Function> *fire,
    v8::Local<v8::Function> *init, std::string *why)
{
    v8::TryCatch           tc(isolate);
    v8::Local<v8::String>  src = v8::String::NewExternalOneByte(isolate,
        &runtime_source).ToLocalChecked();
    v8::ScriptOrigin       origin(isolate,
        v8::String::NewFromUtf8Literal(isolate, "jsfn:runtime"));
    v8::Local<v8::Script>  script;
    v8::Local<v8::Value>   fn, d, t, i;

    /* the runtime is one function expression: (function (natives, internal) */
    if (!v8::Script::Compile(ctx, src, &origin).ToLocal(&script)
        || !script->Run(ctx).ToLocal(&fn) || !fn->IsFunction())
    {
        *why = "runtime: " + Describe(isolate, ctx, tc.Exception(),
                                      tc.Message());
        return JSFN_ERR_LOAD;
    }

    v8::Local<v8::Object>  natives = v8::Object::New(isolate);
    v8::Local<v8::Object>  internal = v8::Object::New(isolate);
    InstallNatives(isolate, ctx, natives);

    v8::Local<v8::Value>  args[] = { natives, internal };

    if (fn.As<v8::Function>()->Call(ctx, v8::Undefined(isolate), 2, args)
            .IsEmpty()
        || !internal->Get(ctx, v8::String::NewFromUtf8Literal(isolate,
                                   "dispatch")).ToLocal(&d)
        || !internal->Get(ctx, v8::String::NewFromUtf8Literal(isolate,
                                   "fireTimer")).ToLocal(&t)
        || !internal->Get(ctx, v8::String::NewFromUtf8Literal(isolate,
                                   "contextInit")).ToLocal(&i)
        || !d->IsFunction() || !t->IsFunction() || !i->IsFunction())
    {
        *why = "runtime: " + (tc.HasCaught()
                              ? Describe(isolate, ctx, tc.Exception(),
                                         tc.Message())
                              : std::string("no dispatch hooks"));
        return JSFN_ERR_LOAD;
    }

    *dispatch = d.As<v8::Function>();
    *fire = t.As<v8::Function>();
    *init = i.As<v8::Function>();

    return JSFN_OK;
}


/*
 * Functions V8 has not run have no bytecode to keep in the snapshot, and
 * every isolate would compile them on its first request.  A few requests
 * of the usual shapes are run through the dispatcher before the snapshot
 * is taken (the natives do nothing while there is no jsfn::Isolate), and
 * the hook every new context runs (contextInit: there is no WebAssembly
 * object yet, so it does nothing here but be compiled).
 */
static int
WarmUp(v8::Isolate *isolate, v8::Local<v8::Context> ctx,
    v8::Local<v8::Function> dispatch, v8::Local<v8::Function> init,
    std::string *why)
{
    static const char  warm[] =
        "(function (dispatch) {\n"
        "  const text = { fetch(req, env, ctx) {\n"
        "    req.headers.get('accept');\n"
        "    new URL(req.url).searchParams.get('a');\n"
        "    return new Response('warm', { status: 200,\n"
        "      headers: { 'content-type': 'text/plain', 'x-a': 'b' } });\n"
        "  } };\n"
        "  const json = async (req) =>\n"
        "    Response.json({ a: [1, 2].map((x) => x) });\n"
        "  const post = { async fetch(req) {\n"
        "    const o = await req.json();\n"
        "    return new Response(JSON.stringify(o),\n"
        "                        { headers: new Headers() }); } };\n"
        "  const body = new TextEncoder().encode('{\"a\":1}');\n"
        "  for (let i = 0; i < 3; i++) {\n"
        "    dispatch(text, 0, 'GET', 'http://warm.invalid/?a=1', null, []);\n"
        "    dispatch(json, 0, 'GET', 'http://warm.invalid/', null,\n"
        "             ['K', 'v']);\n"
        "    dispatch(post, 0, 'POST', 'http://warm.invalid/', body, []);\n"
        "  }\n"
        "})";

    v8::TryCatch           tc(isolate);
    v8::Local<v8::Script>  script;
    v8::Local<v8::Value>   fn, arg = dispatch;

    if (!v8::Script::Compile(ctx, v8::String::NewFromUtf8Literal(isolate,
                                      warm)).ToLocal(&script)
        || !script->Run(ctx).ToLocal(&fn) || !fn->IsFunction()
        || fn.As<v8::Function>()->Call(ctx, v8::Undefined(isolate), 1, &arg)
               .IsEmpty())
    {
        *why = "warm-up: " + Describe(isolate, ctx, tc.Exception(),
                                      tc.Message());
        return JSFN_ERR_LOAD;
    }

    isolate->PerformMicrotaskCheckpoint();

    if (init->Call(ctx, v8::Undefined(isolate), 0, nullptr).IsEmpty()) {
        *why = "warm-up: " + Describe(isolate, ctx, tc.Exception(),
                                      tc.Message());
        return JSFN_ERR_LOAD;
    }

    return JSFN_OK;
}


/* build time: the blob with its header, for jsfn-mksnapshot */
int
BuildSnapshot(std::string *out, std::string *why)
{
    int                 rc = JSFN_OK;
    v8::StartupData     blob;
    v8::SnapshotCreator creator(NativeReferences());
    v8::Isolate        *isolate = creator.GetIsolate();

    {
        v8::HandleScope          hscope(isolate);
        v8::Local<v8::Context>   ctx = v8::Context::New(isolate);
        v8::Context::Scope       cscope(ctx);
        v8::Local<v8::Function>  dispatch, fire, init;

        rc = InstallRuntime(isolate, ctx, &dispatch, &fire, &init, why);

        if (rc == JSFN_OK) {
            rc = WarmUp(isolate, ctx, dispatch, init, why);
        }

        if (rc == JSFN_OK) {
            creator.SetDefaultContext(ctx);
            creator.AddData(ctx, dispatch);        /* index 0 */
            creator.AddData(ctx, fire);            /* index 1 */
            creator.AddData(ctx, init);            /* index 2 */
        }
    }

    /* the creator must make a blob before it goes, even a useless one */
    blob = creator.CreateBlob(
               v8::SnapshotCreator::FunctionCodeHandling::kKeep);

    if (rc == JSFN_OK && (blob.data == nullptr || blob.raw_size <= 0)) {
        *why = "V8 made no snapshot";
        rc = JSFN_ERR_LOAD;
    }

    if (rc == JSFN_OK) {
        BlobHeader  h;

        memset(&h, 0, sizeof(h));
        memcpy(h.magic, magic, sizeof(magic));
        snprintf(h.v8_version, sizeof(h.v8_version), "%s",
                 v8::V8::GetVersion());
        h.runtime_hash = RuntimeHash();
        h.length = blob.raw_size;
        h.crc = (uint32_t) crc32(0, reinterpret_cast<const Bytef *>(
                                        blob.data), (uInt) blob.raw_size);

        out->assign(reinterpret_cast<const char *>(&h), sizeof(h));
        out->append(blob.data, blob.raw_size);
    }

    delete[] blob.data;

    return rc;
}


/*
 * Worker start: take the blob at "path", or the one built into the
 * module.  false with *why when it cannot be used.
 */
bool
SnapshotLoad(const char *path, std::string *why)
{
    BlobHeader  h;

    snapshot.ok = false;
    snapshot.data.clear();

    if (path != nullptr && path[0] != '\0') {
        int          fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat  st;

        if (fd == -1 || fstat(fd, &st) == -1) {
            *why = std::string("cannot open \"") + path + "\": "
                   + strerror(errno);
            if (fd != -1) {
                close(fd);
            }
            return false;
        }

        snapshot.data.resize(st.st_size);

        if (read(fd, &snapshot.data[0], st.st_size) != st.st_size) {
            *why = std::string("cannot read \"") + path + "\"";
            close(fd);
            return false;
        }

        close(fd);

    } else {
        snapshot.data.assign(reinterpret_cast<const char *>(snapshot_blob),
                             snapshot_blob_len);
    }

    if (snapshot.data.size() < sizeof(h)) {
        *why = snapshot.data.empty() ? "none was built"
                                     : "the snapshot is truncated";
        return false;
    }

    memcpy(&h, snapshot.data.data(), sizeof(h));
    h.v8_version[sizeof(h.v8_version) - 1] = '\0';

    if (memcmp(h.magic, magic, sizeof(magic)) != 0) {
        *why = "not a js_function snapshot";
        return false;
    }

    if (strcmp(h.v8_version, v8::V8::GetVersion()) != 0) {
        *why = std::string("built by V8 ") + h.v8_version
               + ", this is V8 " + v8::V8::GetVersion();
        return false;
    }

    if (h.runtime_hash != RuntimeHash()) {
        *why = "built from another version of the JS runtime";
        return false;
    }

    if (h.length != snapshot.data.size() - sizeof(h)) {
        *why = "the snapshot is truncated";
        return false;
    }

    /* the blob built into the module is as sound as the module's code */
    if (path != nullptr && path[0] != '\0'
        && h.crc != (uint32_t) crc32(0, reinterpret_cast<const Bytef *>(
                                            snapshot.data.data() + sizeof(h)),
                                     (uInt) h.length))
    {
        *why = "the snapshot is damaged (its checksum does not match)";
        return false;
    }

    snapshot.blob.data = snapshot.data.data() + sizeof(h);
    snapshot.blob.raw_size = (int) h.length;
    snapshot.ok = true;

    return true;
}

}  /* namespace jsfn */
