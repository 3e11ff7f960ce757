/*
 * platform.cc: V8's platform, once per process.
 *
 * Called from an nginx worker's init_process (or the nginx -t check child),
 * never from a static initializer: load_module runs in the master before
 * fork(), and V8's threads would not survive it.
 */

#include <thread>

#include <libplatform/libplatform.h>

#include "engine.h"


namespace jsfn {

Engine  engine;

static std::unique_ptr<v8::Platform>  platform;
static std::thread                    primer;


/*
 * V8 places each new isolate's code range near its builtins: it reads
 * /proc/self/maps to find room (CodeRangeAddressHint), unless a range of
 * the same size was freed before, whose address it then offers as the
 * hint without reading anything (V8 10.2 keeps offering it; mmap() takes
 * another address when it is in use, which is all a hint is).  The maps
 * file grows with the isolates resident, to 3.4 ms a creation with 1,000
 * of them.  One isolate made and disposed at start, on a thread of its
 * own (the worker goes on meanwhile), leaves such a range.
 */
static void
PrimeCodeRange()
{
    std::unique_ptr<v8::ArrayBuffer::Allocator>  allocator(
        v8::ArrayBuffer::Allocator::NewDefaultAllocator());
    v8::Isolate::CreateParams                    params;

    params.array_buffer_allocator = allocator.get();

    if (snapshot.ok) {
        params.snapshot_blob = &snapshot.blob;
        params.external_references = NativeReferences();
    }

    v8::Isolate  *isolate = v8::Isolate::New(params);

    if (isolate != nullptr) {
        isolate->Dispose();
    }
}


int
PlatformInit(const jsfn_engine_conf_t *conf, jsfn_err_t *err)
{
    if (engine.ready) {
        return JSFN_OK;
    }

    engine.host = conf->host;

    PlatformFlags();
    v8::V8::InitializeICU();

    /* filled here, before any other thread may ask for it */
    (void) NativeReferences();

    platform = v8::platform::NewDefaultPlatform(1);
    if (!platform) {
        return Fail(err, JSFN_ERR_NOMEM, "cannot create the V8 platform");
    }

    v8::V8::InitializePlatform(platform.get());

    if (!v8::V8::Initialize()) {
        return Fail(err, JSFN_ERR_NOMEM, "cannot initialise V8");
    }

    if (WatchdogStart() != 0) {
        return Fail(err, JSFN_ERR_NOMEM, "cannot start the CPU watchdog");
    }

    std::string  why;

    if (!SnapshotLoad(conf->snapshot, &why)) {
        /* not an error: isolates build the runtime themselves, slower */
        Fail(err, JSFN_OK, "startup snapshot not used (" + why
                           + "): isolates will build the JS runtime"
                             " themselves");
    }

    primer = std::thread(PrimeCodeRange);

    engine.ready = true;
    return JSFN_OK;
}


/*
 * The same flags for workers and for jsfn-mksnapshot: a snapshot holds the
 * global object, so what the flags add or remove must agree.  Code
 * generation from strings (and WebAssembly compiled from bytes made at run
 * time) is refused per isolate (isolate.cc); a WebAssembly memory may not
 * pass 1 GiB (16384 pages), so that one entry into JS, before its end
 * checks the memory limit, cannot commit more.  Short builtin calls would give every isolate its
 * own copy of the builtins and search /proc/self/maps for room near them
 * on each isolate creation, a cost that grows with the isolates resident.
 * Feedback vectors (what inline caches learn) are made on a function's
 * first call, not after some hundreds of bytecodes ran without them: a
 * tenant's isolate sees few requests, and the runtime's functions ran
 * their first dozens of calls with no inline caches (a small function's
 * calls 4 to 12 took 22 us of CPU in the engine, 14 us with them; about
 * 12 KB more per isolate).
 * This V8 verifies the snapshot's checksum on every isolate creation (an
 * Adler-32 of the whole blob, 9% of the creation's CPU time): the blob is
 * checked once, when the worker loads it (snapshot.cc).  A regular
 * expression is compiled to machine code on its second execution by
 * default: the runtime's own (header and URL checks) would be compiled in
 * every new isolate on its first request, each taking a new page of code
 * space (a dozen mprotect and madvise calls); interpreted for their first
 * 100 executions, a cold start costs 0.1 ms less, and a function's hot
 * expression is still compiled.
 * Maps (hidden classes) live in the old space rather than a space of
 * their own: an isolate saves its map space's pages (2 memory mappings,
 * 16 KB of RSS).
 */
void
PlatformFlags()
{
    static const char  flags[] = "--no-short-builtin-calls --no-use-map-space"
                                 " --no-lazy-feedback-allocation"
                                 " --no-verify-snapshot-checksum"
                                 " --regexp-tier-up-ticks=100"
                                 " --wasm-max-mem-pages=16384";

    v8::V8::SetFlagsFromString(flags, sizeof(flags) - 1);
}


void
PlatformShutdown()
{
    if (!engine.ready) {
        return;
    }

    WatchdogStop();

    if (primer.joinable()) {
        primer.join();
    }

    v8::V8::Dispose();
    v8::V8::DisposePlatform();
    platform.reset();
    engine.ready = false;
}


/* runs platform tasks posted to the foreground (GC finalisation, ...) */
void
PlatformPump(v8::Isolate *isolate)
{
    while (v8::platform::PumpMessageLoop(platform.get(), isolate,
               v8::platform::MessageLoopBehavior::kDoNotWait))
    {
        /* void */
    }
}

}  /* namespace jsfn */
