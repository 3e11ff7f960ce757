/*
 * engine.h: the shim's internal classes.  C++ only; never included by C.
 */

#ifndef JSFN_ENGINE_H
#define JSFN_ENGINE_H

#include <sys/stat.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <v8.h>

#include "jsfn.h"
#include "jsfn_limits.h"


namespace jsfn {

class Isolate;
class Group;
struct CryptoState;
struct FetchState;


/* a file as it was when loaded; size -1: it did not exist */
struct FileStamp { long mtime_ns; long size; unsigned long ino; };

bool FilesChanged(const std::map<std::string, FileStamp> &files);

/* the code cache (codecache.cc) */
struct CodeCacheStats {
    uint64_t  disk_hits, disk_stale, disk_bad, disk_writes, disk_errors,
              disk_evicted;
};

void CodeCacheInit(const char *dir, size_t max);
bool CodeCacheGet(const std::string &path, const struct stat &st,
    std::vector<uint8_t> *out);
void CodeCachePut(const std::string &path, const struct stat &st,
    const uint8_t *data, size_t len);
const CodeCacheStats &CodeCacheCounters();

/* a load that failed, remembered until one of its files changes */
int LoadFailed(const std::string &path, const std::string &root,
    bool allow_eval, jsfn_err_t *err);


/* caps on a response head, checked before anything is copied */
#define JSFN_MAX_HEADERS       1000
#define JSFN_MAX_HEADER_BYTES  (64u << 10)

/* timers pending in one isolate */
#define JSFN_MAX_TIMERS        10000


/* The per-process engine: platform and host callbacks (platform.cc). */
struct Engine {
    const jsfn_host_t  *host;
    bool                ready;
};

extern Engine  engine;


/*
 * A call's bodies streamed across the API a piece at a time (body.cc):
 * the response body the host pulls with jsfn_call_read(), the request
 * body it feeds with jsfn_call_feed().  Made only for calls that stream.
 */
struct CallStream {
    /* the response body: read by the JS side (natives.bodyStream) */
    bool                       response = false;
    int                        state = 0;         /* Isolate::kRead* */
    bool                       waiting = false;   /* read gave JSFN_AGAIN */
    std::shared_ptr<v8::BackingStore>  store;     /* the piece handed out */
    const char                *data = nullptr;
    size_t                     len = 0;
    int                        code = JSFN_OK;    /* the failure, if any */
    std::string                error;
    size_t                     unswept = 0;       /* bytes since a GC */

    /*
     * or piped from a fetch() whose body JS never touched (fetch.cc): the
     * pieces as the host reported them, handed out without JS
     */
    struct Piece {
        std::shared_ptr<v8::BackingStore>  store;
        size_t                             off, len;
    };
    bool                       pipe = false;
    uint32_t                   pipe_fetch = 0;    /* live, or 0 */
    bool                       pipe_end = false;  /* the last piece came */
    std::deque<Piece>          pieces;
    size_t                     queued = 0;        /* bytes in pieces */

    /* the request body: fed by the host */
    bool                       request = false;
    bool                       ended = false;     /* fed to its end, failed,
                                                     or cancelled by JS */
    bool                       wanted = false;    /* pulled since the feed */
    bool                       paused = true;     /* until body_want */
    long long                  expected = -1;     /* its Content-Length */
    size_t                     fed = 0;

    /* or read whole by text(), json(), ...: gathered here, in one buffer */
    bool                       whole = false;
    bool                       too_large = false;
    std::unique_ptr<v8::BackingStore>  gathered;
    size_t                     gathered_len = 0;

    /* a request body being fed counts in Isolate::feeding until it ends */
    void Feeding(size_t *counter) {
        request = true;
        feeding = counter;
        ++*feeding;
    }
    void End() {
        if (!ended && feeding != nullptr) {
            --*feeding;
        }
        ended = true;
    }
    ~CallStream() { End(); }
private:
    size_t                    *feeding = nullptr;
};


/* A call of a function's handler, owned by the host through jsfn_call_t. */
class Call {
public:
    Call(Isolate *iso, uint32_t id, void *host)
        : iso(iso), id(id), host(host) {}

    Isolate                   *iso;
    uint32_t                   id;
    void                      *host;

    /* the request's headers and URL, in the host's memory for the call's
       life */
    const jsfn_str_t          *req_headers = nullptr;
    size_t                     req_nheaders = 0;
    jsfn_str_t                 req_url = { nullptr, 0 };
    bool                       settled = false;
    bool                       pending = false;   /* returned JSFN_AGAIN */
    int                        code = JSFN_OK;
    std::string                message;           /* error text */

    /* the response, kept until the host frees the call */
    int                        status = 200;
    std::string                status_text;
    std::vector<std::string>   header_data;
    std::vector<jsfn_str_t>    headers;
    std::string                body;

    /* or a JS buffer's bytes, sent in place */
    std::shared_ptr<v8::BackingStore>  body_store;
    const char                *body_ptr = nullptr;
    size_t                     body_len = 0;

    /* or a stream's pieces, and a request body fed in pieces (body.cc) */
    bool                       streamed = false;
    uint64_t                   cpu_limit_us = 0;

    /* time of the JS entries the host's I/O made for this call: fetch
       reports, body reads and feeds (Isolate::ChargeCall) */
    uint64_t                   io_ns = 0;
    std::unique_ptr<CallStream>  stream;
};


class Isolate {
public:
    explicit Isolate(const jsfn_isolate_conf_t *conf);
    ~Isolate();

    /* creates the V8 isolate and context and runs the JS runtime */
    int Init(jsfn_err_t *err);

    /* loads the module at path (and its imports), finds its handler */
    int Load(const std::string &path, const std::string &root,
        bool run, jsfn_err_t *err);
    bool Changed();
    void RememberLoad(const std::string &path, const std::string &dir,
        int rc, jsfn_err_t *err);
    void Heap(jsfn_heap_t *heap);

    int Start(const jsfn_request_t *req, void *host, Call **out,
        jsfn_err_t *err);
    int FireTimer(uint32_t id, jsfn_err_t *err);

    /* outbound fetch() (fetch.cc) */
    int FetchHead(uint32_t id, const jsfn_fetch_head_t *head,
        jsfn_err_t *err);
    int FetchData(uint32_t id, const char *data, size_t len, int flags,
        jsfn_err_t *err);
    int FetchFail(uint32_t id, const char *msg, size_t len, jsfn_err_t *err);
    size_t FetchPending();
    int PipeRead(Call *call, const char **data, size_t *len,
        jsfn_err_t *err);
    void PipeEnd(Call *call);
    void PipeWake(Call *call);
    void PipeData(Call *call, const char *data, size_t len, int flags,
        bool *more);
    void FetchDispose();
    void Forget(Call *call);
    Call *Find(uint32_t id) {
        auto it = calls.find(id);
        return it == calls.end() ? nullptr : it->second;
    }

    /* memory a function's input or code can make large (see isolate.cc) */
    bool Fits(v8::Local<v8::String> s);
    void OverLimit();
    v8::MaybeLocal<v8::ArrayBuffer> NewBuffer(size_t len, bool condemn);
    CountingAllocator *Allocator() { return allocator; }

    /* called from natives */
    void Settle(uint32_t call_id, v8::Local<v8::Value> parts, int code,
        v8::Local<v8::Value> error);
    void Log(int level, const char *msg, size_t len);
    void TakeResponse(Call *call, v8::Local<v8::Value> parts);
    bool ByteString(v8::Local<v8::String> s, std::string *out);
    static bool Token(const std::string &s);
    void SettleHung();
    void ChargeTimers(uint64_t ns);
    void ChargeCall(Call *call, uint64_t ns);

    /*
     * The function whose JS is running: the isolate's own (slot 0), or in
     * a group (js_function_isolation context, slot 0 empty, slot 1 the
     * Group) the one whose context is the current one.
     */
    static Isolate *From(v8::Isolate *isolate) {
        void  *self = isolate->GetData(0);

        if (self != nullptr || isolate->GetData(1) == nullptr) {
            return static_cast<Isolate *>(self);
        }

        return InGroup(isolate, v8::Local<v8::Context>());
    }
    static Isolate *From(v8::Local<v8::Context> ctx) {
        v8::Isolate  *isolate = ctx->GetIsolate();

        if (isolate->GetData(1) == nullptr) {
            return static_cast<Isolate *>(isolate->GetData(0));
        }

        return InGroup(isolate, ctx);
    }
    static Isolate *InGroup(v8::Isolate *isolate, v8::Local<v8::Context> ctx);

    /* the context's embedder data slot that holds its function, in a group */
    static const int                       kContextSlot = 3;

    /* the group whose V8 isolate this function shares, or null */
    Group                                 *group = nullptr;
    std::string                            path;       /* its module */
    void Condemn(int code, const std::string &why);
    int HeapFull(jsfn_err_t *err);
    void RunMicrotasks();

    v8::Isolate                           *isolate = nullptr;
    void                                  *host;
    size_t                                 heap_max;
    uint64_t                               cpu_limit_us;
    bool                                   allow_eval;
    std::set<uint32_t>                     timers;

    /*
     * made on the spare thread: used under V8's Locker, which the worker's
     * thread takes when it takes the isolate and holds for the isolate's
     * life (taken and dropped at every entry, it cost a mutex, V8's thread
     * state restored and a handle block allocated and freed: about 1 us a
     * request)
     */
    bool                                   locking = false;
    std::unique_ptr<v8::Locker>            held;

    /* modules compiled from the code cache */
    int                                    cache_hits = 0;

    /* modules compiled without a usable cache: one is made for each after
       the first call (or at once when the load does not run them) */
    struct CachePending {
        std::string                          path;
        struct stat                          st;
        v8::Global<v8::UnboundModuleScript>  script;
    };
    std::vector<CachePending>              cache_pending;
    uint64_t                               calls_started = 0;
    void MakeCodeCaches();

    /* JSFN_OK, or why the isolate may run no more JS */
    int                                    condemned = JSFN_OK;
    std::string                            condemned_why;

    /* the clocks JS sees, frozen during one entry (limits.cc) */
    double                                 entry_ms = 0;
    double                                 entry_us = 0;
    double                                 origin_us = 0;

    /* Web Crypto's keys, made on first use (crypto.cc) */
    CryptoState                           *crypto = nullptr;

    /* fetches in flight and the JS hooks of js/lib/fetch, made on the
       first fetch() (fetch.cc) */
    FetchState                            *fetch = nullptr;

    /* the host's KV namespaces seen by the isolate; JS holds indexes
       (kv.cc) */
    std::vector<void *>                    kv_ns;

    /* CPU time of timer callbacks in the current window (ChargeTimers) */
    double                                 window_us = 0;
    uint64_t                               window_ns = 0;

    /* brackets one entry into JS: clocks, CPU budget, condemnation */
    class Entry {
    public:
        Entry(Isolate *self, uint64_t budget_us);
        ~Entry();
    private:
        Isolate   *self;
        uint64_t   budget_us;
    };

    int Condemned(jsfn_err_t *err);

    /* streamed bodies (body.cc) */
    enum { kReadIdle = 0, kReading, kReadChunk, kReadHanded, kReadDone,
           kReadFailed };
    int Read(Call *call, const char **data, size_t *len, jsfn_err_t *err);
    int Feed(Call *call, const char *data, size_t len, int flags,
        jsfn_err_t *err);
    void EndStreams(Call *call);
    void AbortRequest(Call *call);
    std::string TooLarge(CallStream *s);
    bool Gather(CallStream *s, const char *data, size_t len);
    std::unique_ptr<v8::BackingStore> Store(size_t len);
    bool Stuck();
    size_t                                 feeding = 0;
    void ReadsHung();
    v8::Global<v8::Function>               body_hook;

    /* V8's Locker, for isolates that more than one thread has used */
    class Lock {
    public:
        explicit Lock(Isolate *self) {
            if (self->locking && !self->held) {
                locker.emplace(self->isolate);
            }
        }
    private:
        std::optional<v8::Locker>  locker;
    };

private:
    friend class Group;

    bool FetchRun(uint32_t owner_id, int hook, int argc,
        const std::function<bool(v8::Local<v8::Value> *)> &build);
    static size_t NearHeapLimit(void *data, size_t current, size_t initial);

    int LoadModule(const std::string &path, const std::string &dir,
        bool run, jsfn_err_t *err);
    static bool AllowWasm(v8::Local<v8::Context> ctx,
        v8::Local<v8::String> source);
    v8::MaybeLocal<v8::Module> CompileWasm(const std::string &path,
        const std::string &bytes, jsfn_err_t *err);
    static v8::MaybeLocal<v8::Value> EvaluateSynthetic(
        v8::Local<v8::Context> ctx, v8::Local<v8::Module> module);
    v8::MaybeLocal<v8::Module> NodeModule(const std::string &spec,
        bool *known);
    v8::MaybeLocal<v8::Module> Compile(const std::string &path,
        jsfn_err_t *err);
    static v8::MaybeLocal<v8::Module> Resolve(v8::Local<v8::Context> context,
        v8::Local<v8::String> specifier,
        v8::Local<v8::FixedArray> assertions,
        v8::Local<v8::Module> referrer);
    void ReportRejections();
    static void OnReject(v8::PromiseRejectMessage message);

    CountingAllocator                             *allocator = nullptr;
public:
    bool                                           heap_exceeded = false;
private:
    std::map<std::string, FileStamp>               files;
    v8::Global<v8::Context>                        context;
    v8::Global<v8::Function>                       dispatch;
    v8::Global<v8::Function>                       fire_timer;
    v8::Eternal<v8::String>                        key_status;
    v8::Eternal<v8::String>                        key_status_text;
    v8::Eternal<v8::String>                        key_headers;
    v8::Eternal<v8::String>                        key_body;
    v8::Global<v8::Value>                          handler;
    std::string                                    root;
    std::map<std::string, v8::Global<v8::Module>>  modules;
    std::multimap<int, std::string>                module_paths;
    std::string                                    resolve_error;
    bool                                           compiling_wasm = false;

    /* .wasm and node: modules, with the object of their exports */
    std::vector<std::pair<v8::Global<v8::Module>, v8::Global<v8::Object>>>
                                                   synthetic;
    v8::Global<v8::Function>                       node_module;
    v8::Global<v8::Function>                       abort_request;
    std::unordered_map<uint32_t, Call *>           calls;
    uint32_t                                       next_call = 1;
    std::vector<std::pair<v8::Global<v8::Promise>, v8::Global<v8::Value>>>
                                                   rejections;
};


/*
 * A V8 isolate shared by functions of one location, each in a context of
 * its own (js_function_isolation context): the heap, its budget and the
 * CPU watchdog are the group's; a kill condemns every member.  Freed when
 * the host has let go of it and its last member is gone.
 */
class Group {
public:
    ~Group();
    int Init(const jsfn_isolate_conf_t *conf, jsfn_err_t *err);
    void Leave(Isolate *member);
    void Condemn(Isolate *by, int code, const std::string &why);

    v8::Isolate                           *isolate = nullptr;
    CountingAllocator                     *allocator = nullptr;
    size_t                                 heap_max = 0;
    std::vector<Isolate *>                 members;
    bool                                   held = true;   /* by the host */
    int                                    condemned = JSFN_OK;

private:
    static size_t NearHeapLimit(void *data, size_t current, size_t initial);
};

v8::Isolate *NewV8Isolate(size_t heap_max, CountingAllocator **allocator);


/* the startup snapshot in use (snapshot.cc) */
struct Snapshot {
    bool              ok = false;
    std::string       data;          /* header + V8's blob */
    v8::StartupData   blob{nullptr, 0};
};

extern Snapshot  snapshot;

bool SnapshotLoad(const char *path, std::string *why);
int InstallRuntime(v8::Isolate *isolate, v8::Local<v8::Context> ctx,
    v8::Local<v8::Function> *dispatch, v8::Local<v8::Function> *fire,
    v8::Local<v8::Function> *init, std::string *why);
const intptr_t *NativeReferences();
const void *RuntimeSourceReference();
void PlatformFlags();

/* built by jsfn-mksnapshot (snapshot_blob.cc; empty in the tool itself) */
extern const unsigned char  snapshot_blob[];
extern const size_t         snapshot_blob_len;


/* helpers shared by the shim's files */
std::string ToString(v8::Isolate *isolate, v8::Local<v8::Value> value);
std::string Describe(v8::Isolate *isolate, v8::Local<v8::Context> context,
    v8::Local<v8::Value> exception, v8::Local<v8::Message> message);
int Fail(jsfn_err_t *err, int code, const std::string &msg);
void InstallNatives(v8::Isolate *isolate, v8::Local<v8::Context> context,
    v8::Local<v8::Object> natives);
bool ViewBytes(v8::Local<v8::Value> v, const uint8_t **p, size_t *n,
    std::shared_ptr<v8::BackingStore> *keep);

/* Web Crypto (crypto.cc): the natives of js/lib/crypto.js and js/lib/subtle.js, and the keys an
   isolate still holds when it goes */
void CryptoDispose(Isolate *self);
void NativeCryptoRandom(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoCopy(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoDigest(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoEqual(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoSecret(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoGenerate(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoImport(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoExport(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoSign(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoVerify(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoCipher(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeCryptoDerive(const v8::FunctionCallbackInfo<v8::Value> &args);

/* fetch() (fetch.cc): the natives of js/lib/fetch.js */
void NativeFetchInit(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeFetchStart(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeFetchCtl(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeFetchBase(const v8::FunctionCallbackInfo<v8::Value> &args);
void NativeFetchPipe(const v8::FunctionCallbackInfo<v8::Value> &args);

/* KV namespaces (kv.cc): the native of js/lib/kv.js, a request's
   bindings for the dispatcher */
void NativeKv(const v8::FunctionCallbackInfo<v8::Value> &args);
v8::Local<v8::Value> KvBindings(Isolate *self, const jsfn_request_t *req);

/* a JS library an isolate compiles on first use: web-streams-polyfill,
   the node: modules (gen_libraries.sh makes library_sources[], streams.cc
   compiles them) */
struct LibrarySource {
    const char           *name;
    const unsigned char  *text;
    size_t                len;
};

extern const LibrarySource  library_sources[];

/* the JS half of the runtime, generated from js/ (runtime_js.cc) */
extern const char    runtime_js[];
extern const size_t  runtime_js_len;

/* spare isolates made on a background thread (spares.cc) */
int SparesStart(const jsfn_isolate_conf_t *conf, size_t min, size_t max);
void SparesStop();

}  /* namespace jsfn */


/* the handles of jsfn.h */
struct jsfn_isolate_s {
    jsfn::Isolate  impl;
    explicit jsfn_isolate_s(const jsfn_isolate_conf_t *conf) : impl(conf) {}
};


struct jsfn_group_s {
    jsfn::Group   *impl;
};


struct jsfn_call_s {
    jsfn::Call     *impl;
};


namespace jsfn {
jsfn_isolate_t *SparesTake(jsfn_spares_stats_t *stats);
}

#endif /* JSFN_ENGINE_H */
