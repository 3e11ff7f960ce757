
/*
 * Copyright (C) The js_function module authors.
 */


#ifndef _NGX_HTTP_JSFN_H_INCLUDED_
#define _NGX_HTTP_JSFN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jsfn.h>


#define NGX_HTTP_JSFN_DEFAULT_TIMEOUT    30000
#define NGX_HTTP_JSFN_DEFAULT_CPU_LIMIT  1000
#define NGX_HTTP_JSFN_DEFAULT_MEMORY     (128 * 1024 * 1024)

/* streamed response bytes sent per turn of the event loop */
#define NGX_HTTP_JSFN_BODY_TURN          (512 * 1024)

/* fetch() to other origins (ngx_http_jsfn_client.c) */
#define NGX_HTTP_JSFN_FETCH_TIMEOUT      30000
#define NGX_HTTP_JSFN_FETCH_MAX_RESPONSE (1024 * 1024 * 1024)
#define NGX_HTTP_JSFN_FETCH_MAX_HEADER   (16 * 1024)
#define NGX_HTTP_JSFN_FETCH_MAX          32
#define NGX_HTTP_JSFN_FETCH_KEEPALIVE    64
#define NGX_HTTP_JSFN_FETCH_KEEPALIVE_TIMEOUT  60000


typedef struct {
    ngx_str_t                   path;      /* NUL-terminated */
    ngx_str_t                   root;      /* NUL-terminated directory */
    void                       *conf;      /* its location's
                                              ngx_http_jsfn_loc_conf_t */
} ngx_http_jsfn_check_t;


typedef struct {
    ngx_array_t                *checks;    /* ngx_http_jsfn_check_t */
    ngx_uint_t                  functions; /* js_function directives */
    ngx_uint_t                  max_isolates;
    ngx_msec_t                  idle_timeout;
    ngx_uint_t                  prewarm;   /* spares kept at least */
    ngx_uint_t                  prewarm_max;  /* and at most */
    ngx_msec_t                  check_interval;
    size_t                      status_zone_size;
    ngx_str_t                   snapshot;  /* js_function_snapshot */
    /* ngx_http_jsfn_preload.c */
    ngx_flag_t                  preload;
    ngx_path_t                 *code_cache;    /* NULL: memory only */
    size_t                      code_cache_max;
    ngx_uint_t                  code_cache_off;
    ngx_event_t                *preloading;    /* per worker */
    ngx_shm_zone_t             *status_zone;

    /* fetch() to other origins (ngx_http_jsfn_client.c) */
    ngx_uint_t                  fetch_keepalive;  /* idle per worker */
    ngx_msec_t                  fetch_keepalive_timeout;
    ngx_array_t                *fetch_ssl;        /* config time: one TLS
                                                     context per settings */
    void                       *fetch_cache;      /* per worker: idle
                                                     connections */
} ngx_http_jsfn_main_conf_t;


/* js_function_fetch_allow: one pattern */
typedef struct {
    ngx_str_t                   host;      /* lower case; "*.x": ".x" */
    in_port_t                   port;      /* 0: any */
    unsigned                    any:1;     /* "*" */
    unsigned                    wildcard:1;/* "*.x" */
} ngx_http_jsfn_allow_t;


typedef struct {
    ngx_str_t                   name;
    ngx_http_complex_value_t    value;
} ngx_http_jsfn_env_t;


typedef struct {
    ngx_http_complex_value_t   *path;      /* NULL: not a function location */
    ngx_str_t                   root;      /* directory the path must stay in */
    ngx_str_t                   real_root; /* root resolved, per worker */
    ngx_array_t                *env;       /* ngx_http_jsfn_env_t */
    ngx_msec_t                  timeout;
    ngx_msec_t                  cpu_limit;
    size_t                      memory;
    ngx_flag_t                  allow_eval;

    /* fetch() to other origins (ngx_http_jsfn_client.c) */
    ngx_array_t                *fetch_allow;   /* ngx_http_jsfn_allow_t */
    ngx_msec_t                  fetch_timeout;
    size_t                      fetch_max_response_size;
    size_t                      fetch_max_header_size;
    ngx_uint_t                  fetch_max;     /* per request */
    ngx_flag_t                  fetch_verify;
    ngx_str_t                   fetch_trusted_certificate;
    void                       *fetch_ssl;     /* ngx_ssl_t, for https */
    ngx_resolver_t             *fetch_resolver;/* the location's resolver */
    ngx_msec_t                  fetch_resolver_timeout;

    unsigned                    variable:1;
    ngx_array_t                *kv;        /* jsfn_kv_binding_t */

    /* js_function_isolation: NGX_HTTP_JSFN_ISOLATE or _CONTEXT, and the
       functions a shared isolate holds at most */
    ngx_uint_t                  isolation;
    ngx_uint_t                  group_functions;
} ngx_http_jsfn_loc_conf_t;


#define NGX_HTTP_JSFN_ISOLATE            0
#define NGX_HTTP_JSFN_CONTEXT            1
#define NGX_HTTP_JSFN_GROUP_FUNCTIONS    100
#define NGX_HTTP_JSFN_GROUP_MAX          10000


/*
 * Functions of one location sharing a V8 isolate in this worker, each in
 * a context of its own (js_function_isolation context).
 */
typedef struct {
    ngx_queue_t                 queue;     /* in the pool's, newest first */
    jsfn_group_t               *grp;
    ngx_http_jsfn_loc_conf_t   *conf;      /* the location it serves */
    ngx_queue_t                 members;   /* ngx_http_jsfn_isolate_t */
    ngx_uint_t                  count;     /* members resident */
    ngx_uint_t                  id;        /* in js_function_status */
    ngx_uint_t                  maps;      /* memory mappings, estimated */
    ngx_msec_t                  measured;  /* its heap, by any member's */
    size_t                      heap_used;
    unsigned                    condemned:1;
} ngx_http_jsfn_group_t;


/* A function's isolate in this worker's pool. */
typedef struct {
    ngx_str_node_t              sn;        /* key: the resolved path */
    ngx_queue_t                 queue;     /* pool LRU, most recent first */
    ngx_pool_t                 *pool;      /* this entry, its timers */
    jsfn_isolate_t             *iso;
    ngx_log_t                  *log;       /* the current request's, or NULL */
    ngx_queue_t                 timers;    /* ngx_http_jsfn_timer_t armed */
    ngx_queue_t                 free;      /* ngx_http_jsfn_timer_t spare */
    ngx_queue_t                 requests;  /* ngx_http_jsfn_ctx_t holding it */
    ngx_queue_t                 fetches;   /* ngx_http_jsfn_fetch_t in flight */
    ngx_http_jsfn_loc_conf_t   *conf;      /* the last request's location */
    ngx_uint_t                  inflight;  /* requests holding it */
    ngx_uint_t                  maps;      /* memory mappings, estimated */
    ngx_msec_t                  used;      /* last request, for idle_timeout */
    ngx_msec_t                  measured;  /* its heap, by the pool's sweep */
    ngx_event_t                 released;  /* after a request: cache, measure */
    ngx_msec_t                  checked;   /* last look for changed files */
    ngx_str_node_t              alias;     /* a variable path as written,
                                              resolved to sn.str */
    ngx_msec_t                  aliased;   /* when it was resolved */
    ngx_uint_t                  client_fetches; /* other-origin fetches
                                              started without a request
                                              (ngx_http_jsfn_client.c) */
    unsigned                    retired:1; /* out of the tree, freed when
                                              its last request ends */
    unsigned                    has_alias:1;
    unsigned                    shrunk:1;  /* idle, its heap shrunk */
    unsigned                    preloaded:1; /* loaded before any request
                                              (ngx_http_jsfn_preload.c):
                                              its first request counts
                                              the cold start, of load_us */
    ngx_msec_t                  load_us;
    ngx_http_jsfn_group_t      *group;     /* the isolate it shares, or NULL */
    ngx_queue_t                 member;    /* in group->members */
} ngx_http_jsfn_isolate_t;


typedef struct {
    ngx_event_t                 ev;
    ngx_queue_t                 queue;
    uint32_t                    id;
    ngx_http_jsfn_isolate_t    *isolate;
} ngx_http_jsfn_timer_t;


typedef struct {
    ngx_http_request_t         *request;
    ngx_queue_t                 queue;     /* in isolate->requests */
    ngx_http_jsfn_isolate_t    *isolate;
    jsfn_call_t                *call;
    ngx_str_t                   path;
    ngx_str_t                   raw;       /* a variable path before
                                              resolution */
    ngx_event_t                 done;      /* posted when a call settles */
    ngx_event_t                 timeout;   /* js_function_timeout */
    void                       *body;      /* streamed bodies
                                              (ngx_http_jsfn_body.c) */
    ngx_uint_t                  fetches;   /* other-origin fetches in flight
                                              (ngx_http_jsfn_client.c) */
    unsigned                    pending:1;
    unsigned                    streaming:1; /* the response body streams */
    unsigned                    reading:1; /* waits for its next piece */
} ngx_http_jsfn_ctx_t;


/*
 * An outbound fetch() in flight (ngx_http_jsfn_fetch.c keeps them per
 * isolate).  A same-origin URL is a subrequest of the calling request
 * (ngx_http_jsfn_fetch.c); an absolute one goes through nginx's own client
 * (ngx_http_jsfn_client.c), which does not need the request to live.
 */
typedef struct ngx_http_jsfn_fetch_s  ngx_http_jsfn_fetch_t;

struct ngx_http_jsfn_fetch_s {
    ngx_queue_t                 queue;     /* in the isolate's fetches */
    uint32_t                    id;        /* the engine's fetch id */
    ngx_http_jsfn_isolate_t    *isolate;
    ngx_http_jsfn_ctx_t        *ctx;       /* the calling request; NULL once
                                              it has ended */
    ngx_http_jsfn_loc_conf_t   *conf;      /* the calling request's location
                                              (or the isolate's last one) */
    ngx_log_t                  *log;

    /* the backend's: JSFN_FETCH_WANT or JSFN_FETCH_ABORT (then the
       backend frees its state and never reports for the fetch again) */
    void                      (*ctl)(ngx_http_jsfn_fetch_t *f, int what);
    void                       *data;      /* the backend's state */
};


/* counters kept per function and worker (ngx_http_jsfn_status.c) */
typedef enum {
    NGX_HTTP_JSFN_STAT_REQUESTS = 0,       /* requests reaching a function */
    NGX_HTTP_JSFN_STAT_ERRORS,             /* answered 5xx by the module */
    NGX_HTTP_JSFN_STAT_COLD_STARTS,        /* isolate created for the request */
    NGX_HTTP_JSFN_STAT_WARM_HITS,          /* isolate found in the pool */
    NGX_HTTP_JSFN_STAT_CPU_KILLS,          /* js_function_cpu_limit */
    NGX_HTTP_JSFN_STAT_MEMORY_KILLS,       /* js_function_memory */
    NGX_HTTP_JSFN_STAT_TIMEOUTS,           /* js_function_timeout */
    NGX_HTTP_JSFN_STAT_NCOUNTERS
} ngx_http_jsfn_stat_e;


/* directive setters (ngx_http_jsfn_directive.c) */
char *ngx_http_jsfn_function(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_jsfn_prewarm(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_jsfn_env(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_jsfn_isolation(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_jsfn_merge_env(ngx_conf_t *cf,
    ngx_http_jsfn_loc_conf_t *prev, ngx_http_jsfn_loc_conf_t *conf);

/* metrics (ngx_http_jsfn_status.c) */
char *ngx_http_jsfn_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_jsfn_status_init(ngx_conf_t *cf,
    ngx_http_jsfn_main_conf_t *jmcf);
void ngx_http_jsfn_stat_add(ngx_str_t *path, ngx_http_jsfn_stat_e counter,
    ngx_uint_t n);
void ngx_http_jsfn_stat_cold_start(ngx_str_t *path, ngx_msec_t usec);
void ngx_http_jsfn_stat_resident(ngx_str_t *path, ngx_int_t isolates,
    size_t heap_used, ngx_uint_t group);

/* content handler (ngx_http_jsfn_handler.c) */
ngx_int_t ngx_http_jsfn_handler(ngx_http_request_t *r);
void ngx_http_jsfn_call_done(ngx_http_jsfn_ctx_t *ctx);

/* streamed bodies, the body pump (ngx_http_jsfn_body.c) */
ngx_int_t ngx_http_jsfn_body_send(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, jsfn_response_t *resp);
ngx_int_t ngx_http_jsfn_body_read(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx);
void ngx_http_jsfn_body_want(ngx_http_jsfn_ctx_t *ctx);
void ngx_http_jsfn_body_stop(ngx_http_jsfn_ctx_t *ctx);

/* response headers (ngx_http_jsfn_headers.c) */
ngx_int_t ngx_http_jsfn_headers_out(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, jsfn_response_t *resp);

/* per-worker pool (ngx_http_jsfn_pool.c) */
ngx_int_t ngx_http_jsfn_pool_init(ngx_cycle_t *cycle);
void ngx_http_jsfn_pool_done(ngx_cycle_t *cycle);
ngx_int_t ngx_http_jsfn_pool_get(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, ngx_http_jsfn_loc_conf_t *jlcf);
void ngx_http_jsfn_pool_release(ngx_http_jsfn_ctx_t *ctx);
ngx_int_t ngx_http_jsfn_pool_load(ngx_str_t *path,
    ngx_http_jsfn_loc_conf_t *jlcf, ngx_log_t *log,
    ngx_http_jsfn_isolate_t **out);
ngx_int_t ngx_http_jsfn_pool_room(ngx_str_t *path);
void ngx_http_jsfn_pool_retire(ngx_http_jsfn_isolate_t *isolate, int code);
ngx_str_t *ngx_http_jsfn_pool_alias(ngx_str_t *raw);
void ngx_http_jsfn_pool_set_alias(ngx_http_jsfn_ctx_t *ctx);
ngx_msec_t ngx_http_jsfn_timer_late(void);
ngx_int_t ngx_http_jsfn_timer_start(ngx_http_jsfn_isolate_t *isolate,
    uint32_t id, ngx_msec_t ms);
void ngx_http_jsfn_timer_stop(ngx_http_jsfn_isolate_t *isolate, uint32_t id);

/*
 * fetch() (ngx_http_jsfn_fetch.c): the backends report through these, which
 * run JS.  They return NGX_OK (more welcome), NGX_AGAIN (data: pause until
 * ctl(f, JSFN_FETCH_WANT)) or NGX_DECLINED (the fetch is gone: the engine
 * dropped it or the isolate was retired; the backend frees its state and
 * stops).  After data with JSFN_DATA_LAST/ERROR, after fail, and after
 * NGX_DECLINED, "f" is freed: the backend must not touch it again (nor
 * does ctl(f, ABORT) follow then).
 */
ngx_int_t ngx_http_jsfn_fetch_init(ngx_conf_t *cf);
int ngx_http_jsfn_fetch_start(void *isolate_host, void *call_host,
    uint32_t id, const jsfn_fetch_t *req, jsfn_err_t *err);
void ngx_http_jsfn_fetch_ctl(void *isolate_host, uint32_t id, int what);
void ngx_http_jsfn_fetch_isolate_free(ngx_http_jsfn_isolate_t *isolate);
ngx_int_t ngx_http_jsfn_fetch_head(ngx_http_jsfn_fetch_t *f,
    const jsfn_fetch_head_t *head);
ngx_int_t ngx_http_jsfn_fetch_data(ngx_http_jsfn_fetch_t *f, const char *p,
    size_t len, int flags);
void ngx_http_jsfn_fetch_fail(ngx_http_jsfn_fetch_t *f, const char *msg,
    size_t len);
void ngx_http_jsfn_fetch_err(jsfn_err_t *err, const char *fmt, ...);

/*
 * The absolute-URL client (ngx_http_jsfn_client.c): starts the request
 * "req" (copying what it keeps) for "f", sets f->ctl and f->data.  NGX_OK,
 * or NGX_ERROR with err->msg for fetch() to reject with (denied host, bad
 * URL, no resolver...), "f" untouched then.  Reports come later, from
 * nginx events, never from inside this call.
 */
ngx_int_t ngx_http_jsfn_client_start(ngx_http_jsfn_fetch_t *f,
    const jsfn_fetch_t *req, jsfn_err_t *err);

/* its directives (ngx_http_jsfn_client_conf.c) */
char *ngx_http_jsfn_fetch_allow(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_jsfn_client_merge(ngx_conf_t *cf,
    ngx_http_jsfn_loc_conf_t *prev, ngx_http_jsfn_loc_conf_t *conf);

/* engine wrappers (ngx_http_jsfn_engine.c) */
ngx_int_t ngx_http_jsfn_engine_init(ngx_cycle_t *cycle);
void ngx_http_jsfn_engine_done(ngx_cycle_t *cycle);
ngx_int_t ngx_http_jsfn_engine_check(ngx_conf_t *cf,
    ngx_http_jsfn_main_conf_t *jmcf);
ngx_int_t ngx_http_jsfn_engine_load(ngx_http_jsfn_isolate_t *isolate,
    ngx_log_t *log, ngx_str_t *root, ngx_http_jsfn_loc_conf_t *jlcf,
    jsfn_isolate_t *spare);
ngx_int_t ngx_http_jsfn_engine_failed(ngx_str_t *path, ngx_log_t *log,
    ngx_str_t *root, ngx_http_jsfn_loc_conf_t *jlcf);
ngx_int_t ngx_http_jsfn_engine_spares(ngx_log_t *log,
    ngx_http_jsfn_loc_conf_t *jlcf, ngx_uint_t min, ngx_uint_t max);
jsfn_isolate_t *ngx_http_jsfn_engine_take_spare(ngx_log_t *log);
ngx_int_t ngx_http_jsfn_engine_changed(ngx_http_jsfn_isolate_t *isolate);
size_t ngx_http_jsfn_engine_heap(ngx_http_jsfn_isolate_t *isolate,
    size_t *total);
void ngx_http_jsfn_engine_free(ngx_http_jsfn_isolate_t *isolate);
ngx_int_t ngx_http_jsfn_engine_start(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, jsfn_request_t *req);
ngx_int_t ngx_http_jsfn_engine_finish(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, jsfn_response_t *resp);
void ngx_http_jsfn_engine_abandon(ngx_http_jsfn_ctx_t *ctx);
ngx_int_t ngx_http_jsfn_engine_read(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, u_char **data, size_t *len);
ngx_int_t ngx_http_jsfn_engine_feed(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, u_char *data, size_t len, int flags);
void ngx_http_jsfn_engine_timer(ngx_http_jsfn_isolate_t *isolate,
    uint32_t id);

/* preloads and the code cache's directory (ngx_http_jsfn_preload.c) */
char *ngx_http_jsfn_code_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_jsfn_code_cache_init(ngx_conf_t *cf,
    ngx_http_jsfn_main_conf_t *jmcf);
ngx_int_t ngx_http_jsfn_preload_start(ngx_cycle_t *cycle);
void ngx_http_jsfn_preload_stop(ngx_cycle_t *cycle);


/* KV namespaces in shared memory (ngx_http_jsfn_kv.c) */
char *ngx_http_jsfn_kv(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_jsfn_merge_kv(ngx_conf_t *cf,
    ngx_http_jsfn_loc_conf_t *prev, ngx_http_jsfn_loc_conf_t *conf);
int ngx_http_jsfn_kv_op(void *isolate_host, void *ns, const jsfn_kv_op_t *op,
    jsfn_kv_result_t *res, jsfn_err_t *err);


extern ngx_module_t  ngx_http_js_function_module;


#endif /* _NGX_HTTP_JSFN_H_INCLUDED_ */
