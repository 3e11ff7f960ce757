/*
 * jsfn.h: the C API of the JavaScript engine (shim/, C++ around V8).
 *
 * Nothing here is C++ or V8: opaque handles, plain structs, int codes.
 * Every call is made from the one thread that initialised the engine (an
 * nginx worker's event loop thread).  Bytes cross as (pointer, length).
 */

#ifndef JSFN_H
#define JSFN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif


#define JSFN_API_VERSION  2


/* Return codes.  Negative codes say what the caller should do next. */
#define JSFN_OK            0     /* done */
#define JSFN_AGAIN         1     /* pending: host callback call_done follows */
#define JSFN_ERR_JS       -1     /* JS threw or rejected; isolate is fine */
#define JSFN_ERR_TIMEOUT  -2     /* execution terminated; retire the isolate */
#define JSFN_ERR_HEAP     -3     /* heap limit reached; retire the isolate */
#define JSFN_ERR_NOMEM    -4     /* host allocation failed */
#define JSFN_ERR_ARG      -5     /* bad argument or state (caller bug) */
#define JSFN_ERR_RESPONSE -6     /* handler returned something not a Response */
#define JSFN_ERR_NOTFOUND -7     /* a file to load does not exist */
#define JSFN_ERR_LOAD     -8     /* syntax, import or evaluation error */
#define JSFN_ERR_BODY     -9     /* the request body does not fit the
                                    isolate's memory budget; isolate fine */
#define JSFN_ERR_HUNG    -10     /* the handler's promise can never settle:
                                    nothing left in the isolate could settle
                                    it; isolate fine */
#define JSFN_DONE          2     /* a streamed body has ended */


/* Log levels, as console.debug/info/warn/error. */
#define JSFN_LOG_DEBUG     0
#define JSFN_LOG_INFO      1
#define JSFN_LOG_WARN      2
#define JSFN_LOG_ERROR     3


typedef struct jsfn_isolate_s  jsfn_isolate_t;
typedef struct jsfn_call_s     jsfn_call_t;
typedef struct jsfn_fetch_s    jsfn_fetch_t;
typedef struct jsfn_kv_op_s     jsfn_kv_op_t;       /* KV, at the end */
typedef struct jsfn_kv_result_s jsfn_kv_result_t;
typedef struct jsfn_kv_binding_s jsfn_kv_binding_t;


/*
 * An error message lands here, in the caller's memory; never a string that
 * the caller must free.  "msg" is NUL-terminated and may be truncated.
 */
typedef struct {
    int          code;
    size_t       len;
    char         msg[2048];
} jsfn_err_t;


typedef struct {
    const char  *data;
    size_t       len;
} jsfn_str_t;


/*
 * Functions the host (nginx) gives the engine.  "host" is the pointer given
 * to jsfn_isolate_new() or jsfn_call_start().
 */
typedef struct {
    /* console.* output; msg is not NUL-terminated */
    void  (*log)(void *isolate_host, int level, const char *msg, size_t len);

    /* arm a one-shot timer; on expiry the host calls jsfn_timer_fire() */
    int   (*timer_start)(void *isolate_host, uint32_t id, uint64_t ms);
    void  (*timer_stop)(void *isolate_host, uint32_t id);

    /*
     * A call that returned JSFN_AGAIN has settled: the host should fetch its
     * outcome with jsfn_call_finish().  Called from inside the engine, so the
     * host must only take note (post an event), not call back into it.
     */
    void  (*call_done)(void *call_host);

    /*
     * Outbound fetch().  The engine asks the host to make one HTTP request
     * (one hop: the engine follows redirects itself, each hop a new
     * fetch_start).  "call_host" is the host pointer of the call whose
     * handler (or a continuation of it) called fetch(), NULL when that call
     * has been freed (ctx.waitUntil() work after the response).  "id" is
     * unique in the isolate until the fetch ends.  Return 0, or -1 with
     * err->msg saying why (denied host, too many fetches, no resolver...):
     * fetch() rejects with a TypeError of that message.  The host then
     * answers with jsfn_fetch_head(), jsfn_fetch_data() pieces and the end,
     * or a failure, from its own events (never from inside fetch_start).
     */
    int   (*fetch_start)(void *isolate_host, void *call_host, uint32_t id,
                         const jsfn_fetch_t *req, jsfn_err_t *err);

    /*
     * JSFN_FETCH_WANT: the engine wants more of the response body after a
     * jsfn_fetch_data() that returned JSFN_AGAIN.  JSFN_FETCH_ABORT: the
     * engine no longer wants the fetch (AbortSignal, body cancelled, the
     * isolate goes): the host drops it and calls nothing more for "id".
     * Like call_done, called from inside the engine: take note only.
     */
    void  (*fetch_ctl)(void *isolate_host, uint32_t id, int what);

    /*
     * The call's request body stream was read and holds nothing more: the
     * host should read more of the body from the client and jsfn_call_feed()
     * it (for requests started with body_stream).  Take note only.
     */
    void  (*body_want)(void *call_host);

    /*
     * A KV operation (js_function_kv) on the namespace "ns" (the handle of
     * a jsfn_kv_binding_t), run at once: the engine has checked the types
     * and the bounds below, the host checks them again.  Return 0, or -1
     * with err->msg saying why (a full zone, a bad cursor or expiration):
     * the JS call rejects with an Error of that message.  What the host
     * answers goes in memory it asks of op->alloc() (which may call into
     * V8's allocator, never into JS); alloc() returning NULL (over the
     * isolate's memory budget) makes the host return -1 at once.  May be
     * NULL: the engine has no KV then.
     */
    int   (*kv)(void *isolate_host, void *ns, const jsfn_kv_op_t *op,
                jsfn_kv_result_t *res, jsfn_err_t *err);
} jsfn_host_t;


#define JSFN_FETCH_WANT    1
#define JSFN_FETCH_ABORT   2


/* An outbound request (fetch_start); memory valid during the callback. */
struct jsfn_fetch_s {
    jsfn_str_t          method;       /* upper case for the standard ones */
    jsfn_str_t          url;          /* absolute http: or https:, serialised
                                         by the URL parser, no fragment */
    int                 local;        /* 1: same origin as the calling
                                         request (relative URLs are): the
                                         host serves it from its own
                                         locations (a subrequest) */
    const jsfn_str_t   *headers;      /* name, value, ...: names lower case,
                                         checked as ByteStrings/tokens */
    size_t              nheaders;
    const char         *body;         /* NULL: no body; the whole body (a
                                         stream is read to its end first) */
    size_t              body_len;
};


/* The head of a fetch's response, as the host received it. */
typedef struct {
    int                 status;
    jsfn_str_t          status_text;
    const jsfn_str_t   *headers;      /* name, value, ... as received */
    size_t              nheaders;
    jsfn_str_t          url;          /* the URL answered (= the request's) */
} jsfn_fetch_head_t;


/* flags of jsfn_fetch_data() and jsfn_call_feed() */
#define JSFN_DATA_LAST     1          /* the body ends after this piece */
#define JSFN_DATA_ERROR    2          /* the body failed: data is the reason
                                         (a message), the stream errors */


typedef struct {
    const jsfn_host_t  *host;
    const char         *snapshot;    /* startup snapshot file; NULL: the one
                                        built into the engine */
    const char         *code_cache;  /* a directory the engine may write,
                                        shared by the host's processes: the
                                        code cache of big module files;
                                        NULL: in this process's memory only */
    size_t              code_cache_max;  /* bytes in it; 0: 256 MB */
} jsfn_engine_conf_t;


typedef struct {
    size_t       heap_max;           /* bytes, ArrayBuffers included; 0: none */
    uint64_t     cpu_limit_us;       /* per entry outside calls (timers,
                                        module evaluation); 0: none */
    int          allow_eval;         /* eval() and new Function() */
    void        *host;               /* passed back to jsfn_host_t calls */
} jsfn_isolate_conf_t;


typedef struct {
    size_t       used;               /* V8 heap in use */
    size_t       total;              /* V8 heap reserved */
    size_t       external;           /* ArrayBuffer memory */
    size_t       limit;              /* the budget: jsfn_isolate_conf_t */
} jsfn_heap_t;


/* A request, as the host hands it to a function. */
typedef struct {
    jsfn_str_t          method;
    jsfn_str_t          url;          /* absolute: scheme://host/path?query */
    const jsfn_str_t   *headers;      /* name, value, name, value, ... */
    size_t              nheaders;     /* number of pairs */
    const jsfn_str_t   *env;          /* name, value, ... */
    size_t              nenv;
    const char         *body;         /* NULL: no body */
    size_t              body_len;
    int                 body_stream;  /* 1: body is NULL and its pieces
                                         follow through jsfn_call_feed() */
    uint64_t            cpu_limit_us; /* 0: none */
    const jsfn_kv_binding_t *kv;      /* KV namespaces: env[name] */
    size_t              nkv;
} jsfn_request_t;


/* A response; memory is owned by the call and valid until jsfn_call_free(). */
typedef struct {
    int                 status;
    jsfn_str_t          status_text;
    const jsfn_str_t   *headers;      /* name, value, ... */
    size_t              nheaders;
    const char         *body;
    size_t              body_len;
    int                 streamed;     /* 1: body is NULL; its pieces come
                                         from jsfn_call_read() */
} jsfn_response_t;


/*
 * Once per process (an nginx worker, or the nginx -t check child), before
 * any other call; never before fork().  JSFN_OK with err->len > 0 is a
 * warning to log (the startup snapshot could not be used).
 */
int jsfn_engine_init(const jsfn_engine_conf_t *conf, jsfn_err_t *err);
void jsfn_engine_shutdown(void);

/*
 * Keep blank isolates made with "conf" ready, created on a background
 * thread (conf->host is ignored): at least "min", and up to "max" while
 * cold starts come faster (the most seen within one second over the last
 * ten seconds).  jsfn_spares_take() counts a cold start and hands out a
 * spare (NULL when none is ready); give it its function with
 * jsfn_isolate_load() and free it as any isolate.  "stats", when not NULL,
 * receives the stock after the call.  Stopped by jsfn_engine_shutdown().
 */
typedef struct {
    size_t              ready;        /* spares in stock */
    size_t              target;       /* the stock kept now */
    uint64_t            made;         /* since the start */
    uint64_t            taken;        /* cold starts that found a spare */
    uint64_t            missed;       /* cold starts that found none */
    uint64_t            dropped;      /* surplus disposed of */
} jsfn_spares_stats_t;

int jsfn_spares_start(const jsfn_isolate_conf_t *conf, size_t min,
    size_t max);
jsfn_isolate_t *jsfn_spares_take(jsfn_spares_stats_t *stats);

/* 1 when isolates start from the startup snapshot */
int jsfn_engine_snapshot(void);

/* "V8 10.2.154.26": static storage */
const char *jsfn_engine_version(void);


/*
 * Create an isolate with its context and the JS runtime, and, when "path"
 * is not NULL, load the ES module at "path" into it (jsfn_isolate_load()).
 * On failure *out is NULL.
 */
int jsfn_isolate_new(const jsfn_isolate_conf_t *conf, const char *path,
    const char *root, jsfn_isolate_t **out, jsfn_err_t *err);
void jsfn_isolate_free(jsfn_isolate_t *iso);

/*
 * A V8 isolate shared by functions (js_function_isolation context): each
 * joins it in a context of its own (globals, built-ins, modules, timers and
 * state of its own), and is a jsfn_isolate_t like any other.  "conf"'s
 * heap_max is the whole group's; a CPU or memory limit broken by one
 * member condemns every member (jsfn_isolate_condemned()).  The V8 isolate
 * goes when jsfn_group_free() was called and its last member is freed.
 */
typedef struct jsfn_group_s  jsfn_group_t;

int jsfn_group_new(const jsfn_isolate_conf_t *conf, jsfn_group_t **out,
    jsfn_err_t *err);
int jsfn_group_join(jsfn_group_t *group, const jsfn_isolate_conf_t *conf,
    const char *path, const char *root, jsfn_isolate_t **out,
    jsfn_err_t *err);
size_t jsfn_group_size(jsfn_group_t *group);     /* members now */
int jsfn_group_condemned(jsfn_group_t *group);   /* as jsfn_isolate_... */
void jsfn_group_free(jsfn_group_t *group);

/*
 * Load the ES module at "path" into a blank isolate (a spare one) and find
 * its handler.  Relative imports resolve against the importing file and
 * must stay below "root" (a directory; NULL: the directory of "path").
 * "host" replaces the isolate's host pointer.  On failure the isolate must
 * be freed.
 */
int jsfn_isolate_load(jsfn_isolate_t *iso, const char *path,
    const char *root, void *host, jsfn_err_t *err);

/*
 * JSFN_OK, or the error of an earlier load of "path" (same root and
 * allow_eval) that failed with JSFN_ERR_LOAD while none of the files it
 * read (or missed) has changed since: the host answers with it at once
 * rather than create an isolate to fail again.
 */
int jsfn_load_failed(const char *path, const char *root, int allow_eval,
    jsfn_err_t *err);

/* how many of the isolate's modules were compiled from the code cache */
int jsfn_isolate_cached(jsfn_isolate_t *iso);

/* 1 when a file the isolate loaded changed on disk since, else 0 */
int jsfn_isolate_changed(jsfn_isolate_t *iso);

/*
 * JSFN_OK, or the code (JSFN_ERR_TIMEOUT, JSFN_ERR_HEAP) that condemned
 * the isolate: it runs no more JS and should be retired.
 */
int jsfn_isolate_condemned(jsfn_isolate_t *iso);

void jsfn_isolate_heap(jsfn_isolate_t *iso, jsfn_heap_t *heap);

/* runs V8's pending foreground tasks for the isolate (GC finalisation) */
void jsfn_isolate_pump(jsfn_isolate_t *iso);

/*
 * An idle isolate gives memory back: a full garbage collection that
 * compacts its heap, frees its empty pages and shrinks its young
 * generation.  About a millisecond for a small function's: call it
 * rarely, and never while one of its calls runs.
 */
void jsfn_isolate_shrink(jsfn_isolate_t *iso);

/*
 * After the isolate's first call: stores the code cache of its modules
 * that were compiled without one (what the call compiled included), for
 * the next isolates of the function.  Nothing when there is none to make.
 * Call it outside any engine call, after a response has gone out: it takes
 * some ms for a big module (about 7 ms for 900 KB of source).
 */
void jsfn_isolate_cache(jsfn_isolate_t *iso);

/* Compile "path" and its imports without running them (nginx -t). */
int jsfn_check_module(const char *path, const char *root, jsfn_err_t *err);


/*
 * Start a call of the isolate's handler.  JSFN_OK: the response is ready
 * (jsfn_call_finish()); JSFN_AGAIN: it is pending and host->call_done(host)
 * will be called; negative: failed, err says why.  In every case *out is a
 * call the host must jsfn_call_free() (NULL only for JSFN_ERR_NOMEM/ARG).
 */
int jsfn_call_start(jsfn_isolate_t *iso, const jsfn_request_t *req,
    void *host, jsfn_call_t **out, jsfn_err_t *err);

/*
 * The outcome of a settled call: JSFN_OK with *resp filled, or an error;
 * for a call left unsettled by a condemned isolate, the condemning code.
 */
int jsfn_call_finish(jsfn_call_t *call, jsfn_response_t *resp,
    jsfn_err_t *err);

/*
 * The next piece of a streamed response body (resp->streamed).  JSFN_OK:
 * *data and *len hold it, valid until the next jsfn_call_read() or
 * jsfn_call_free() (the host copies it or sends it first); JSFN_DONE: the
 * body has ended; JSFN_AGAIN: nothing yet, host->call_done(call_host)
 * follows when there is (only then does the function's stream produce the
 * next piece: the host's pace is the backpressure); negative: the stream
 * failed or the isolate was condemned, err says why (the host aborts the
 * response; for JSFN_ERR_TIMEOUT/HEAP it retires the isolate).
 * JSFN_ERR_HUNG: the stream waits and nothing left in the isolate can
 * produce more.  call_done is the same callback as for settling: the host
 * knows which it waits for.
 */
int jsfn_call_read(jsfn_call_t *call, const char **data, size_t *len,
    jsfn_err_t *err);

/*
 * A piece of the request body of a call started with req->body_stream,
 * copied into the isolate (counted against its budget); flags
 * JSFN_DATA_LAST at the end, JSFN_DATA_ERROR when reading failed (data is
 * the message).  JSFN_OK: the host may feed more; JSFN_AGAIN: stop until
 * host->body_want(call_host) (which never comes when the function
 * cancelled the stream); JSFN_ERR_BODY: over the budget (the stream errors
 * with a RangeError; the host stops reading); JSFN_ERR_TIMEOUT/HEAP:
 * condemned.  The engine starts paused: the host feeds nothing before the
 * first body_want (the function reads the body, as a stream or whole: then
 * its pieces are gathered in one buffer and JS runs only at the end).
 * Each piece may be fed when the host has it, JSFN_AGAIN or not: what the
 * engine holds beyond what was asked is what the host read.
 */
int jsfn_call_feed(jsfn_call_t *call, const char *data, size_t len,
    int flags, jsfn_err_t *err);

/*
 * The host gives up on a call (timeout, client gone) or is done with it:
 * no callback for it follows.  The JS work it started may go on; a
 * streamed response body not read to its end is cancelled (its source's
 * cancel() runs), a request body stream not fed to its end errors.
 */
void jsfn_call_free(jsfn_call_t *call);


/*
 * The host's answers to fetch_start(), made from its own events.  Each
 * runs JS (the fetch's promise, its body stream) and returns JSFN_OK (for
 * jsfn_fetch_data: more is welcome), JSFN_AGAIN (jsfn_fetch_data: hold the
 * rest until fetch_ctl(JSFN_FETCH_WANT)), JSFN_ERR_ARG (the engine no
 * longer knows "id": drop the fetch), or JSFN_ERR_TIMEOUT/HEAP (the
 * isolate was condemned: retire it, as after jsfn_timer_fire()).
 * jsfn_fetch_data() with JSFN_DATA_LAST or JSFN_DATA_ERROR ends the fetch;
 * so does jsfn_fetch_fail() (before or instead of a head: fetch() rejects
 * with a TypeError of "msg").
 */
int jsfn_fetch_head(jsfn_isolate_t *iso, uint32_t id,
    const jsfn_fetch_head_t *head, jsfn_err_t *err);
int jsfn_fetch_data(jsfn_isolate_t *iso, uint32_t id, const char *data,
    size_t len, int flags, jsfn_err_t *err);
int jsfn_fetch_fail(jsfn_isolate_t *iso, uint32_t id, const char *msg,
    size_t len, jsfn_err_t *err);


/* A host timer armed with timer_start() expired. */
int jsfn_timer_fire(jsfn_isolate_t *iso, uint32_t id, jsfn_err_t *err);

/* ctx.waitUntil() promises and timers still pending in the isolate. */
size_t jsfn_isolate_pending(jsfn_isolate_t *iso);


/*
 * KV namespaces (js_function_kv): env.NAME of a request is a namespace the
 * host keeps (nginx: in a shared memory zone); each operation is one
 * host->kv() call.  Keys and values are bytes (keys as the UTF-8 of the JS
 * string); metadata is JSON text.
 */
#define JSFN_KV_GET          1
#define JSFN_KV_PUT          2
#define JSFN_KV_DELETE       3
#define JSFN_KV_LIST         4

#define JSFN_KV_MAX_KEY      512          /* bytes of a key */
#define JSFN_KV_MAX_METADATA 1024         /* bytes of a metadata's JSON */
#define JSFN_KV_MAX_VALUE    (25u << 20)  /* bytes of a value */
#define JSFN_KV_MAX_LIST     1000         /* keys of a list() */
#define JSFN_KV_MAX_CURSOR   1024         /* bytes of a list() cursor */

struct jsfn_kv_binding_s {
    jsfn_str_t          name;         /* env's property */
    void               *ns;           /* the host's handle of the namespace,
                                         valid for the isolate's life */
};

struct jsfn_kv_op_s {
    int                 op;           /* JSFN_KV_GET, ... */
    jsfn_str_t          key;          /* LIST: the prefix (may be empty) */
    jsfn_str_t          value;        /* PUT */
    jsfn_str_t          metadata;     /* PUT; data NULL: none */
    uint64_t            expiration;   /* PUT: seconds since the epoch, 0:
                                         none */
    uint64_t            ttl;          /* PUT: seconds from now, 0: none */
    jsfn_str_t          cursor;       /* LIST; len 0: from the start */
    size_t              limit;        /* LIST: 1 to JSFN_KV_MAX_LIST */

    /* memory for the answer, owned by the engine; NULL: it does not fit */
    void             *(*alloc)(void *ctx, size_t len);
    void               *alloc_ctx;
};

struct jsfn_kv_result_s {
    /* GET: found or not; the value and the metadata (NULL: none) */
    int                 found;
    char               *value;        /* alloc()'d */
    size_t              value_len;
    char               *metadata;     /* alloc()'d */
    size_t              metadata_len;
    uint64_t            expiration;   /* GET: seconds since the epoch, 0 */

    /*
     * LIST: "nkeys" records in alloc()'d memory, each a key's uint32_t
     * key length, uint32_t metadata length (0xffffffff: none), uint64_t
     * expiration (0: none), then the key and metadata bytes (native byte
     * order, unaligned); "cursor" (alloc()'d, len 0 when the list is
     * complete) continues it.
     */
    char               *list;
    size_t              list_len;
    size_t              nkeys;
    jsfn_str_t          cursor;
};


#ifdef __cplusplus
}
#endif

#endif /* JSFN_H */
