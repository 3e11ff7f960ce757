
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


/* cold start histogram: 10 upper bounds, then +Inf */
#define NGX_HTTP_JSFN_STAT_NBUCKETS  11

/* the JSON text around the numbers of one function, a generous bound */
#define NGX_HTTP_JSFN_STAT_JSON_LEN                                           \
    (512 + (NGX_HTTP_JSFN_STAT_NCOUNTERS + NGX_HTTP_JSFN_STAT_NBUCKETS + 8)  \
           * NGX_ATOMIC_T_LEN)

/* one Prometheus sample line without its labels, a generous bound */
#define NGX_HTTP_JSFN_STAT_PROM_LEN  (128 + 2 * NGX_ATOMIC_T_LEN)

/* sample lines per function: counters, 3 gauges, buckets, _sum, _count */
#define NGX_HTTP_JSFN_STAT_PROM_LINES                                         \
    (NGX_HTTP_JSFN_STAT_NCOUNTERS + 3 + NGX_HTTP_JSFN_STAT_NBUCKETS + 2)


/*
 * One (function, worker) pair in the zone.  Created under the slab mutex,
 * never freed while the zone lives, so a worker may keep a pointer to it
 * and bump its counters with atomic adds and no lock.
 */
typedef struct {
    ngx_rbtree_node_t           node;      /* key: crc32 of the path */
    ngx_uint_t                  worker;    /* ngx_worker of the writer */
    ngx_pid_t                   pid;       /* ngx_pid of the writer */
    ngx_atomic_t                updated;   /* ngx_time() of the last change */
    ngx_atomic_t                counters[NGX_HTTP_JSFN_STAT_NCOUNTERS];
    ngx_atomic_t                cold_sum;  /* microseconds */
    /* per bucket, not cumulative: the count is their sum */
    ngx_atomic_t                cold[NGX_HTTP_JSFN_STAT_NBUCKETS];
    ngx_atomic_t                resident;  /* isolates in the worker */
    ngx_atomic_t                heap_used; /* bytes */
    ngx_atomic_t                group;     /* the shared isolate it is in
                                              (js_function_isolation
                                              context), or 0 */
    size_t                      len;
    u_char                      path[1];
} ngx_http_jsfn_stat_node_t;


typedef struct {
    ngx_rbtree_t                rbtree;    /* ngx_http_jsfn_stat_node_t */
    ngx_rbtree_node_t           sentinel;
    ngx_uint_t                  nodes;
} ngx_http_jsfn_stat_sh_t;


/*
 * The zone's data: allocated in cf->pool before fork, so each process has
 * its own copy, and with it its own cache of the nodes it writes.
 */
/* per process, in ngx_cycle->pool: path -> this worker's node */
typedef struct {
    ngx_str_node_t              sn;
    ngx_http_jsfn_stat_node_t  *node;
} ngx_http_jsfn_stat_cache_t;


/*
 * Before the rbtree of the process's entries, a table of the last entry
 * found per hash slot (entries are never freed): a request counts two or
 * three times, and with a thousand functions each walk down the tree
 * missed the CPU's caches at every level.
 */
#define NGX_HTTP_JSFN_STAT_RECENT  4096

typedef struct {
    ngx_http_jsfn_stat_sh_t    *sh;
    ngx_slab_pool_t            *shpool;
    ngx_rbtree_t                cache;     /* ngx_http_jsfn_stat_cache_t */
    ngx_rbtree_node_t           sentinel;
    ngx_http_jsfn_stat_cache_t *recent[NGX_HTTP_JSFN_STAT_RECENT];
    unsigned                    full:1;    /* "is full" was logged */
} ngx_http_jsfn_stat_ctx_t;


/* a node copied out of the zone for the status handler, in r->pool */
typedef struct {
    ngx_str_t                   path;
    ngx_str_t                   label;     /* Prometheus labels */
    ngx_uint_t                  worker;
    ngx_pid_t                   pid;
    time_t                      updated;
    ngx_atomic_uint_t           counters[NGX_HTTP_JSFN_STAT_NCOUNTERS];
    ngx_atomic_uint_t           cold_sum;
    ngx_atomic_uint_t           cold[NGX_HTTP_JSFN_STAT_NBUCKETS];
    ngx_atomic_uint_t           resident;
    ngx_atomic_uint_t           heap_used;
    ngx_atomic_uint_t           group;
} ngx_http_jsfn_stat_snap_t;


typedef struct {
    ngx_str_t                   json;
    ngx_str_t                   prom;
    ngx_str_t                   help;
} ngx_http_jsfn_stat_name_t;


static ngx_int_t ngx_http_jsfn_status_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void ngx_http_jsfn_status_insert_value(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
static ngx_int_t ngx_http_jsfn_stat_order(ngx_uint_t worker, u_char *path,
    size_t len, ngx_http_jsfn_stat_node_t *node);
static ngx_http_jsfn_stat_node_t *ngx_http_jsfn_stat_node(ngx_str_t *path);
static ngx_http_jsfn_stat_node_t *ngx_http_jsfn_stat_create(
    ngx_http_jsfn_stat_ctx_t *ctx, ngx_str_t *path, uint32_t hash);
static ngx_http_jsfn_stat_node_t *ngx_http_jsfn_stat_lookup(
    ngx_http_jsfn_stat_sh_t *sh, ngx_str_t *path, uint32_t hash);
static void ngx_http_jsfn_stat_reset(ngx_http_jsfn_stat_node_t *node);

static ngx_int_t ngx_http_jsfn_status_handler(ngx_http_request_t *r);
static ngx_uint_t ngx_http_jsfn_status_prometheus(ngx_http_request_t *r);
static ngx_int_t ngx_http_jsfn_status_collect(ngx_http_request_t *r,
    ngx_http_jsfn_stat_ctx_t *ctx, ngx_http_jsfn_stat_snap_t **snaps,
    ngx_uint_t *n);
static ngx_uint_t ngx_http_jsfn_status_alive(ngx_pid_t pid);
static ngx_buf_t *ngx_http_jsfn_status_json(ngx_http_request_t *r,
    ngx_http_jsfn_stat_snap_t *s, ngx_uint_t n);
static u_char *ngx_http_jsfn_status_json_function(u_char *p, u_char *last,
    ngx_http_jsfn_stat_snap_t *s, ngx_uint_t updated);
static u_char *ngx_http_jsfn_status_json_counters(u_char *p, u_char *last,
    ngx_http_jsfn_stat_snap_t *s);
static u_char *ngx_http_jsfn_status_json_worker(u_char *p, u_char *last,
    ngx_http_jsfn_stat_snap_t *s, ngx_uint_t n);
static void ngx_http_jsfn_status_sum(ngx_http_jsfn_stat_snap_t *total,
    ngx_http_jsfn_stat_snap_t *s);
static ngx_buf_t *ngx_http_jsfn_status_prom(ngx_http_request_t *r,
    ngx_http_jsfn_stat_snap_t *s, ngx_uint_t n);
static u_char *ngx_http_jsfn_status_prom_head(u_char *p, u_char *last,
    ngx_str_t *name, ngx_str_t *help, char *type);
static uintptr_t ngx_http_jsfn_status_escape_label(u_char *dst, u_char *src,
    size_t size);
static int ngx_libc_cdecl ngx_http_jsfn_status_cmp_worker(const void *one,
    const void *two);
static int ngx_libc_cdecl ngx_http_jsfn_status_cmp_path(const void *one,
    const void *two);


/* in the order of ngx_http_jsfn_stat_e */
static ngx_http_jsfn_stat_name_t  ngx_http_jsfn_stat_names[] = {

    { ngx_string("requests"),
      ngx_string("js_function_requests_total"),
      ngx_string("Requests that reached a function.") },

    { ngx_string("errors"),
      ngx_string("js_function_errors_total"),
      ngx_string("Requests the module answered with a 5xx status.") },

    { ngx_string("cold_starts"),
      ngx_string("js_function_cold_starts_total"),
      ngx_string("Requests that had to create an isolate.") },

    { ngx_string("warm_hits"),
      ngx_string("js_function_warm_hits_total"),
      ngx_string("Requests served by an isolate already in the pool.") },

    { ngx_string("cpu_limit_kills"),
      ngx_string("js_function_cpu_limit_kills_total"),
      ngx_string("Isolates terminated by js_function_cpu_limit.") },

    { ngx_string("memory_limit_kills"),
      ngx_string("js_function_memory_limit_kills_total"),
      ngx_string("Isolates terminated by js_function_memory.") },

    { ngx_string("timeouts"),
      ngx_string("js_function_timeouts_total"),
      ngx_string("Requests answered 504 after js_function_timeout.") }
};


/* upper bounds of the cold start buckets in microseconds, +Inf omitted */
static ngx_msec_t  ngx_http_jsfn_stat_bounds[] = {
    500, 1000, 2000, 5000, 10000, 25000, 50000, 100000, 250000, 1000000
};


/* the same bounds in seconds, as "le" labels and JSON keys */
static ngx_str_t  ngx_http_jsfn_stat_le[] = {
    ngx_string("0.0005"), ngx_string("0.001"), ngx_string("0.002"),
    ngx_string("0.005"), ngx_string("0.01"), ngx_string("0.025"),
    ngx_string("0.05"), ngx_string("0.1"), ngx_string("0.25"),
    ngx_string("1"), ngx_string("+Inf")
};


static ngx_str_t  ngx_http_jsfn_status_zone_name =
    ngx_string("js_function_status");

static ngx_str_t  ngx_http_jsfn_status_prom_resident[] = {
    ngx_string("js_function_resident_isolates"),
    ngx_string("Isolates of the function resident in the worker.")
};

static ngx_str_t  ngx_http_jsfn_status_prom_heap[] = {
    ngx_string("js_function_heap_used_bytes"),
    ngx_string("V8 heap used by the function's isolates in the worker,"
               " in bytes.")
};

static ngx_str_t  ngx_http_jsfn_status_prom_shared[] = {
    ngx_string("js_function_shared_isolate"),
    ngx_string("The worker's number of the V8 isolate the function shares"
               " with others (js_function_isolation context).")
};

static ngx_str_t  ngx_http_jsfn_status_prom_cold[] = {
    ngx_string("js_function_cold_start_seconds"),
    ngx_string("Time to create an isolate and load the function into it.")
};


char *
ngx_http_jsfn_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler == ngx_http_jsfn_status_handler) {
        return "is duplicate";
    }

    if (clcf->handler != NULL) {
        return "conflicts with another content handler in this location";
    }

    clcf->handler = ngx_http_jsfn_status_handler;

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_jsfn_status_init(ngx_conf_t *cf, ngx_http_jsfn_main_conf_t *jmcf)
{
    ngx_shm_zone_t            *shm_zone;
    ngx_http_jsfn_stat_ctx_t  *ctx;

    if (jmcf->status_zone_size < 8 * ngx_pagesize) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "js_function_status_zone of %uz bytes is too"
                           " small, the minimum is %uz",
                           jmcf->status_zone_size, 8 * ngx_pagesize);
        return NGX_ERROR;
    }

    ctx = ngx_pcalloc(cf->pool, sizeof(ngx_http_jsfn_stat_ctx_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     ctx->sh = NULL;
     *     ctx->shpool = NULL;
     *     ctx->full = 0;
     */

    ngx_rbtree_init(&ctx->cache, &ctx->sentinel, ngx_str_rbtree_insert_value);

    shm_zone = ngx_shared_memory_add(cf, &ngx_http_jsfn_status_zone_name,
                                     jmcf->status_zone_size,
                                     &ngx_http_js_function_module);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    if (shm_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "shared memory zone \"%V\" is already in use",
                           &ngx_http_jsfn_status_zone_name);
        return NGX_ERROR;
    }

    shm_zone->init = ngx_http_jsfn_status_init_zone;
    shm_zone->data = ctx;

    jmcf->status_zone = shm_zone;

    return NGX_OK;
}


/*
 * Runs in the master (or the single process) when the configuration is
 * applied.  On reload nginx keeps a zone of the same name, size and tag and
 * passes the old data: the counters go on from where they were.
 */
static ngx_int_t
ngx_http_jsfn_status_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_jsfn_stat_ctx_t  *octx = data;

    size_t                     len;
    ngx_http_jsfn_stat_ctx_t  *ctx;

    ctx = shm_zone->data;

    if (octx) {
        ctx->sh = octx->sh;
        ctx->shpool = octx->shpool;

        return NGX_OK;
    }

    ctx->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        ctx->sh = ctx->shpool->data;

        return NGX_OK;
    }

    ctx->sh = ngx_slab_alloc(ctx->shpool, sizeof(ngx_http_jsfn_stat_sh_t));
    if (ctx->sh == NULL) {
        return NGX_ERROR;
    }

    ctx->shpool->data = ctx->sh;

    ngx_rbtree_init(&ctx->sh->rbtree, &ctx->sh->sentinel,
                    ngx_http_jsfn_status_insert_value);

    ctx->sh->nodes = 0;

    len = sizeof(" in js_function_status_zone \"\"") + shm_zone->shm.name.len;

    ctx->shpool->log_ctx = ngx_slab_alloc(ctx->shpool, len);
    if (ctx->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(ctx->shpool->log_ctx, " in js_function_status_zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* a full zone is reported once per worker by ngx_http_jsfn_stat_create */
    ctx->shpool->log_nomem = 0;

    return NGX_OK;
}


/* nodes are ordered by path hash, then worker, then path */
static void
ngx_http_jsfn_status_insert_value(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t          **p;
    ngx_http_jsfn_stat_node_t   *sn;

    for ( ;; ) {

        if (node->key < temp->key) {
            p = &temp->left;

        } else if (node->key > temp->key) {
            p = &temp->right;

        } else { /* node->key == temp->key */

            sn = (ngx_http_jsfn_stat_node_t *) node;

            p = (ngx_http_jsfn_stat_order(sn->worker, sn->path, sn->len,
                                          (ngx_http_jsfn_stat_node_t *) temp)
                 < 0)
                ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


static ngx_int_t
ngx_http_jsfn_stat_order(ngx_uint_t worker, u_char *path, size_t len,
    ngx_http_jsfn_stat_node_t *node)
{
    if (worker != node->worker) {
        return (worker < node->worker) ? -1 : 1;
    }

    return ngx_memn2cmp(path, node->path, len, node->len);
}


void
ngx_http_jsfn_stat_add(ngx_str_t *path, ngx_http_jsfn_stat_e counter,
    ngx_uint_t n)
{
    ngx_http_jsfn_stat_node_t  *node;

    if ((ngx_uint_t) counter >= NGX_HTTP_JSFN_STAT_NCOUNTERS) {
        return;
    }

    node = ngx_http_jsfn_stat_node(path);
    if (node == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&node->counters[counter], n);
    node->updated = ngx_time();
}


void
ngx_http_jsfn_stat_cold_start(ngx_str_t *path, ngx_msec_t usec)
{
    ngx_uint_t                  i;
    ngx_http_jsfn_stat_node_t  *node;

    node = ngx_http_jsfn_stat_node(path);
    if (node == NULL) {
        return;
    }

    for (i = 0; i < NGX_HTTP_JSFN_STAT_NBUCKETS - 1; i++) {
        if (usec <= ngx_http_jsfn_stat_bounds[i]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&node->cold_sum, usec);
    (void) ngx_atomic_fetch_add(&node->cold[i], 1);
    node->updated = ngx_time();
}


void
ngx_http_jsfn_stat_resident(ngx_str_t *path, ngx_int_t isolates,
    size_t heap_used, ngx_uint_t group)
{
    ngx_http_jsfn_stat_node_t  *node;

    node = ngx_http_jsfn_stat_node(path);
    if (node == NULL) {
        return;
    }

    /* gauges: only this worker writes them, a plain store is enough */
    node->resident = (isolates > 0) ? (ngx_atomic_uint_t) isolates : 0;
    node->heap_used = heap_used;
    node->group = (isolates > 0) ? group : 0;
    node->updated = ngx_time();
}


/*
 * This worker's node for "path", or NULL when there is no zone in this
 * process or it is full.  Called from the request path: after the first
 * call for a path it is a lookup in the process's own cache, no lock.
 */
static ngx_http_jsfn_stat_node_t *
ngx_http_jsfn_stat_node(ngx_str_t *path)
{
    uint32_t                     hash;
    ngx_str_t                    key;
    ngx_http_jsfn_stat_ctx_t    *ctx;
    ngx_http_jsfn_main_conf_t   *jmcf;
    ngx_http_jsfn_stat_cache_t  *cache;

    jmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_js_function_module);
    if (jmcf == NULL || jmcf->status_zone == NULL) {
        return NULL;
    }

    ctx = jmcf->status_zone->data;

    if (ctx->sh == NULL) {
        /* the configuration is being read: the zone is not mapped yet */
        return NULL;
    }

    key = *path;

    /* a value of a complex value compiled with "zero" counts its NUL */
    if (key.len && key.data[key.len - 1] == '\0') {
        key.len--;
    }

    if (key.len == 0) {
        return NULL;
    }

    hash = ngx_crc32_long(key.data, key.len);

    cache = ctx->recent[hash % NGX_HTTP_JSFN_STAT_RECENT];

    if (cache == NULL
        || cache->sn.node.key != hash
        || cache->sn.str.len != key.len
        || ngx_memcmp(cache->sn.str.data, key.data, key.len) != 0)
    {
        cache = (ngx_http_jsfn_stat_cache_t *)
                ngx_str_rbtree_lookup(&ctx->cache, &key, hash);

        if (cache != NULL) {
            ctx->recent[hash % NGX_HTTP_JSFN_STAT_RECENT] = cache;
        }
    }

    if (cache != NULL) {
        /* taken over by a newer worker in this slot: drop the sample */
        return (cache->node->pid == ngx_pid) ? cache->node : NULL;
    }

    return ngx_http_jsfn_stat_create(ctx, &key, hash);
}


static ngx_http_jsfn_stat_node_t *
ngx_http_jsfn_stat_create(ngx_http_jsfn_stat_ctx_t *ctx, ngx_str_t *path,
    uint32_t hash)
{
    size_t                       size;
    ngx_http_jsfn_stat_node_t   *node;
    ngx_http_jsfn_stat_cache_t  *cache;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    node = ngx_http_jsfn_stat_lookup(ctx->sh, path, hash);

    if (node == NULL) {
        size = offsetof(ngx_http_jsfn_stat_node_t, path) + path->len;

        node = ngx_slab_calloc_locked(ctx->shpool, size);

        if (node == NULL) {
            ngx_shmtx_unlock(&ctx->shpool->mutex);

            /* the sample is dropped, the request goes on */
            if (!ctx->full) {
                ctx->full = 1;
                ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                              "js_function_status_zone is full: \"%V\" and"
                              " other new functions are not counted by"
                              " worker %ui", path, ngx_worker);
            }

            return NULL;
        }

        node->node.key = hash;
        node->worker = ngx_worker;
        node->pid = ngx_pid;
        node->updated = ngx_time();
        node->len = path->len;
        ngx_memcpy(node->path, path->data, path->len);

        ngx_rbtree_insert(&ctx->sh->rbtree, &node->node);
        ctx->sh->nodes++;

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                       "js function status: \"%V\" counted by worker %ui",
                       path, ngx_worker);

    } else if (node->pid != ngx_pid) {

        if (ngx_exiting) {
            /* an old worker finishing its requests: the slot is not ours */
            ngx_shmtx_unlock(&ctx->shpool->mutex);
            return NULL;
        }

        /*
         * A worker that had this slot before, in an earlier configuration
         * or before a crash: this one starts from zero, and the old one,
         * if it still runs, no longer writes to the node.
         */
        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                       "js function status: \"%V\" of worker %ui"
                       " reset, was pid %P", path, ngx_worker, node->pid);

        ngx_http_jsfn_stat_reset(node);
    }

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    /* process memory: lives as long as the cycle, like the node it maps to */
    cache = ngx_palloc(ngx_cycle->pool,
                       sizeof(ngx_http_jsfn_stat_cache_t) + path->len);
    if (cache == NULL) {
        /* counted anyway, looked up under the lock again next time */
        return node;
    }

    cache->sn.node.key = hash;
    cache->sn.str.len = path->len;
    cache->sn.str.data = (u_char *) &cache[1];
    ngx_memcpy(cache->sn.str.data, path->data, path->len);
    cache->node = node;

    ngx_rbtree_insert(&ctx->cache, &cache->sn.node);

    return node;
}


/* the caller holds the slab mutex */
static ngx_http_jsfn_stat_node_t *
ngx_http_jsfn_stat_lookup(ngx_http_jsfn_stat_sh_t *sh, ngx_str_t *path,
    uint32_t hash)
{
    ngx_int_t            rc;
    ngx_rbtree_node_t   *node, *sentinel;

    node = sh->rbtree.root;
    sentinel = sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash < node->key) {
            node = node->left;
            continue;
        }

        if (hash > node->key) {
            node = node->right;
            continue;
        }

        /* hash == node->key */

        rc = ngx_http_jsfn_stat_order(ngx_worker, path->data, path->len,
                                      (ngx_http_jsfn_stat_node_t *) node);

        if (rc == 0) {
            return (ngx_http_jsfn_stat_node_t *) node;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


/* the caller holds the slab mutex */
static void
ngx_http_jsfn_stat_reset(ngx_http_jsfn_stat_node_t *node)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_JSFN_STAT_NCOUNTERS; i++) {
        node->counters[i] = 0;
    }

    for (i = 0; i < NGX_HTTP_JSFN_STAT_NBUCKETS; i++) {
        node->cold[i] = 0;
    }

    node->cold_sum = 0;
    node->resident = 0;
    node->heap_used = 0;
    node->group = 0;
    node->pid = ngx_pid;
    node->updated = ngx_time();
}


static ngx_int_t
ngx_http_jsfn_status_handler(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_uint_t                  n;
    ngx_buf_t                  *b;
    ngx_chain_t                 out;
    ngx_table_elt_t            *h;
    ngx_http_jsfn_stat_ctx_t   *ctx;
    ngx_http_jsfn_stat_snap_t  *snaps;
    ngx_http_jsfn_main_conf_t  *jmcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h != NULL) {
            h->hash = 1;
#if (nginx_version >= 1023000)
            h->next = NULL;
#endif
            ngx_str_set(&h->key, "Allow");
            ngx_str_set(&h->value, "GET, HEAD");
        }

        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_js_function_module);

    if (jmcf->status_zone == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx = jmcf->status_zone->data;

    if (ngx_http_jsfn_status_collect(r, ctx, &snaps, &n) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_jsfn_status_prometheus(r)) {
        b = ngx_http_jsfn_status_prom(r, snaps, n);
        ngx_str_set(&r->headers_out.content_type,
                    "text/plain; version=0.0.4; charset=utf-8");

    } else {
        b = ngx_http_jsfn_status_json(r, snaps, n);
        ngx_str_set(&r->headers_out.content_type, "application/json");
    }

    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * "?format=prometheus" asks for the text exposition format, any other
 * format for JSON; without the argument an Accept header naming text/plain
 * or OpenMetrics (what Prometheus sends) does.
 */
static ngx_uint_t
ngx_http_jsfn_status_prometheus(ngx_http_request_t *r)
{
    u_char           *last;
    ngx_str_t         format;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    if (ngx_http_arg(r, (u_char *) "format", sizeof("format") - 1, &format)
        == NGX_OK)
    {
        return (format.len == sizeof("prometheus") - 1
                && ngx_strncasecmp(format.data, (u_char *) "prometheus",
                                   sizeof("prometheus") - 1)
                   == 0);
    }

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0
            || h[i].key.len != sizeof("Accept") - 1
            || ngx_strncasecmp(h[i].key.data, (u_char *) "Accept",
                               sizeof("Accept") - 1)
               != 0)
        {
            continue;
        }

        last = h[i].value.data + h[i].value.len;

        if (ngx_strlcasestrn(h[i].value.data, last, (u_char *) "text/plain",
                             sizeof("text/plain") - 2)
            != NULL
            || ngx_strlcasestrn(h[i].value.data, last,
                                (u_char *) "application/openmetrics-text",
                                sizeof("application/openmetrics-text") - 2)
               != NULL)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * Copies the nodes into r->pool under the slab mutex (the writers do not
 * take it, so a copy may be a few increments behind), then sorts them by
 * worker and drops those of workers that are gone.
 */
static ngx_int_t
ngx_http_jsfn_status_collect(ngx_http_request_t *r,
    ngx_http_jsfn_stat_ctx_t *ctx, ngx_http_jsfn_stat_snap_t **snaps,
    ngx_uint_t *n)
{
    ngx_pid_t                   pid;
    ngx_uint_t                  i, j, k, alive;
    ngx_rbtree_node_t          *node;
    ngx_http_jsfn_stat_node_t  *sn;
    ngx_http_jsfn_stat_snap_t  *s;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    s = ngx_palloc(r->pool, (ctx->sh->nodes + 1)
                            * sizeof(ngx_http_jsfn_stat_snap_t));
    if (s == NULL) {
        goto failed;
    }

    i = 0;

    node = ctx->sh->rbtree.root;

    if (node != ctx->sh->rbtree.sentinel) {
        node = ngx_rbtree_min(node, ctx->sh->rbtree.sentinel);
    } else {
        node = NULL;
    }

    for ( /* void */ ; node; node = ngx_rbtree_next(&ctx->sh->rbtree, node)) {

        sn = (ngx_http_jsfn_stat_node_t *) node;

        s[i].path.len = sn->len;
        s[i].path.data = ngx_pnalloc(r->pool, sn->len);
        if (s[i].path.data == NULL) {
            goto failed;
        }

        ngx_memcpy(s[i].path.data, sn->path, sn->len);

        s[i].worker = sn->worker;
        s[i].pid = sn->pid;
        s[i].updated = sn->updated;

        for (k = 0; k < NGX_HTTP_JSFN_STAT_NCOUNTERS; k++) {
            s[i].counters[k] = sn->counters[k];
        }

        /* cumulative, as Prometheus wants them */
        for (k = 0; k < NGX_HTTP_JSFN_STAT_NBUCKETS; k++) {
            s[i].cold[k] = sn->cold[k] + (k ? s[i].cold[k - 1] : 0);
        }

        s[i].cold_sum = sn->cold_sum;
        s[i].resident = sn->resident;
        s[i].heap_used = sn->heap_used;
        s[i].group = sn->group;
        s[i].label.len = 0;
        s[i].label.data = NULL;

        i++;
    }

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    ngx_qsort(s, i, sizeof(ngx_http_jsfn_stat_snap_t),
              ngx_http_jsfn_status_cmp_worker);

    /*
     * A worker that exited and was not replaced (fewer workers after a
     * reload, or its successor has not counted this function yet) is not
     * shown; a successor in its slot resets the node on first use.
     */
    pid = NGX_INVALID_PID;
    alive = 0;

    for (j = 0, k = 0; j < i; j++) {

        if (s[j].pid != pid) {
            pid = s[j].pid;
            alive = ngx_http_jsfn_status_alive(pid);
        }

        if (alive) {
            if (k != j) {
                s[k] = s[j];
            }

            k++;
        }
    }

    *snaps = s;
    *n = k;

    return NGX_OK;

failed:

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return NGX_ERROR;
}


static ngx_uint_t
ngx_http_jsfn_status_alive(ngx_pid_t pid)
{
    if (pid == ngx_pid) {
        return 1;
    }

    /* EPERM: some process has the pid, count it as the worker */
    if (kill(pid, 0) == -1 && ngx_errno == NGX_ESRCH) {
        return 0;
    }

    return 1;
}


static ngx_buf_t *
ngx_http_jsfn_status_json(ngx_http_request_t *r, ngx_http_jsfn_stat_snap_t *s,
    ngx_uint_t n)
{
    u_char                     *p, *last;
    size_t                      size;
    ngx_buf_t                  *b;
    ngx_uint_t                  i, j;
    ngx_http_jsfn_stat_snap_t   total, fn;

    size = sizeof("{\"version\":1,\"workers\":[],"
                  "\"totals\":{,\"functions\":[]}}")
           + NGX_HTTP_JSFN_STAT_JSON_LEN;

    for (i = 0; i < n; i++) {
        /* the node's worker, its function, its function's totals */
        size += sizeof("{\"worker\":,\"pid\":,\"functions\":[]},")
                + sizeof(",\"v8_isolates\":,\"isolation\":\"context\","
                         "\"shared_isolate\":")
                + 4 * NGX_INT_T_LEN
                + 2 * (NGX_HTTP_JSFN_STAT_JSON_LEN + s[i].path.len
                       + ngx_escape_json(NULL, s[i].path.data,
                                         s[i].path.len));
    }

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NULL;
    }

    p = b->last;
    last = b->end;

    p = ngx_slprintf(p, last, "{\"version\":1,\"workers\":[");

    /* s is sorted by worker and pid */
    for (i = 0, j = 0; i < n; i++) {

        if (i == 0
            || s[i].worker != s[i - 1].worker
            || s[i].pid != s[i - 1].pid)
        {
            if (i) {
                p = ngx_http_jsfn_status_json_worker(p, last, &s[j], i - j);
                j = i;
            }

            p = ngx_slprintf(p, last,
                             "%s{\"worker\":%ui,\"pid\":%P,\"functions\":[",
                             i ? "," : "", s[i].worker, s[i].pid);

        } else {
            p = ngx_slprintf(p, last, ",");
        }

        p = ngx_http_jsfn_status_json_function(p, last, &s[i], 1);
    }

    if (n) {
        p = ngx_http_jsfn_status_json_worker(p, last, &s[j], n - j);
    }

    p = ngx_slprintf(p, last, "],\"totals\":{");

    ngx_qsort(s, n, sizeof(ngx_http_jsfn_stat_snap_t),
              ngx_http_jsfn_status_cmp_path);

    ngx_memzero(&total, sizeof(ngx_http_jsfn_stat_snap_t));

    for (i = 0; i < n; i++) {
        ngx_http_jsfn_status_sum(&total, &s[i]);
    }

    p = ngx_http_jsfn_status_json_counters(p, last, &total);

    p = ngx_slprintf(p, last, ",\"functions\":[");

    /* s is sorted by path: one entry per function, summed over workers */
    for (i = 0; i < n; i = j) {
        ngx_memzero(&fn, sizeof(ngx_http_jsfn_stat_snap_t));
        fn.path = s[i].path;

        for (j = i; j < n; j++) {
            if (ngx_memn2cmp(s[j].path.data, fn.path.data, s[j].path.len,
                             fn.path.len)
                != 0)
            {
                break;
            }

            ngx_http_jsfn_status_sum(&fn, &s[j]);
        }

        if (i) {
            p = ngx_slprintf(p, last, ",");
        }

        p = ngx_http_jsfn_status_json_function(p, last, &fn, 0);
    }

    p = ngx_slprintf(p, last, "]}}\n");

    b->last = p;

    return b;
}


static u_char *
ngx_http_jsfn_status_json_function(u_char *p, u_char *last,
    ngx_http_jsfn_stat_snap_t *s, ngx_uint_t updated)
{
    size_t  len;

    len = s->path.len + ngx_escape_json(NULL, s->path.data, s->path.len);

    p = ngx_slprintf(p, last, "{\"function\":\"");

    /* the buffer was sized for the escaped path; stay safe anyway */
    if ((size_t) (last - p) < len) {
        return p;
    }

    p = (u_char *) ngx_escape_json(p, s->path.data, s->path.len);

    p = ngx_slprintf(p, last, "\",");

    if (updated) {
        p = ngx_slprintf(p, last, "\"updated\":%T,", s->updated);
    }

    p = ngx_http_jsfn_status_json_counters(p, last, s);

    if (updated && s->group) {
        p = ngx_slprintf(p, last,
                         ",\"isolation\":\"context\",\"shared_isolate\":%uA",
                         s->group);
    }

    return ngx_slprintf(p, last, "}");
}


/*
 * The end of a worker's entry; with functions sharing isolates
 * (js_function_isolation context), the V8 isolates its resident functions
 * are in: one per function of isolate mode, one per group.
 */
static u_char *
ngx_http_jsfn_status_json_worker(u_char *p, u_char *last,
    ngx_http_jsfn_stat_snap_t *s, ngx_uint_t n)
{
    ngx_uint_t  i, k, isolates, grouped;

    isolates = 0;
    grouped = 0;

    for (i = 0; i < n; i++) {
        if (s[i].group == 0) {
            isolates += s[i].resident;
            continue;
        }

        grouped = 1;

        for (k = 0; k < i; k++) {
            if (s[k].group == s[i].group) {
                break;
            }
        }

        if (k == i) {
            isolates++;
        }
    }

    if (!grouped) {
        return ngx_slprintf(p, last, "]}");
    }

    return ngx_slprintf(p, last, "],\"v8_isolates\":%ui}", isolates);
}


static u_char *
ngx_http_jsfn_status_json_counters(u_char *p, u_char *last,
    ngx_http_jsfn_stat_snap_t *s)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_JSFN_STAT_NCOUNTERS; i++) {
        p = ngx_slprintf(p, last, "\"%V\":%uA,",
                         &ngx_http_jsfn_stat_names[i].json, s->counters[i]);
    }

    p = ngx_slprintf(p, last,
                     "\"resident_isolates\":%uA,\"heap_used_bytes\":%uA,"
                     "\"cold_start_us\":{\"count\":%uA,\"sum\":%uA,"
                     "\"buckets\":{",
                     s->resident, s->heap_used,
                     s->cold[NGX_HTTP_JSFN_STAT_NBUCKETS - 1], s->cold_sum);

    for (i = 0; i < NGX_HTTP_JSFN_STAT_NBUCKETS; i++) {
        p = ngx_slprintf(p, last, "%s\"%V\":%uA", i ? "," : "",
                         &ngx_http_jsfn_stat_le[i], s->cold[i]);
    }

    return ngx_slprintf(p, last, "}}");
}


static void
ngx_http_jsfn_status_sum(ngx_http_jsfn_stat_snap_t *total,
    ngx_http_jsfn_stat_snap_t *s)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_JSFN_STAT_NCOUNTERS; i++) {
        total->counters[i] += s->counters[i];
    }

    for (i = 0; i < NGX_HTTP_JSFN_STAT_NBUCKETS; i++) {
        total->cold[i] += s->cold[i];
    }

    total->cold_sum += s->cold_sum;
    total->resident += s->resident;
    total->heap_used += s->heap_used;
}


static ngx_buf_t *
ngx_http_jsfn_status_prom(ngx_http_request_t *r, ngx_http_jsfn_stat_snap_t *s,
    ngx_uint_t n)
{
    u_char                     *p, *last;
    size_t                      size, len;
    ngx_buf_t                  *b;
    ngx_str_t                  *name;
    ngx_uint_t                  i, k;
    ngx_http_jsfn_stat_name_t  *sn;

    /* HELP and TYPE of every family */
    size = 4 * (sizeof("# HELP  \n# TYPE  histogram\n") + NGX_ATOMIC_T_LEN);

    size += ngx_http_jsfn_status_prom_resident[0].len * 2
            + ngx_http_jsfn_status_prom_resident[1].len
            + ngx_http_jsfn_status_prom_heap[0].len * 2
            + ngx_http_jsfn_status_prom_heap[1].len
            + ngx_http_jsfn_status_prom_cold[0].len * 2
            + ngx_http_jsfn_status_prom_cold[1].len
            + ngx_http_jsfn_status_prom_shared[0].len * 2
            + ngx_http_jsfn_status_prom_shared[1].len;

    for (k = 0; k < NGX_HTTP_JSFN_STAT_NCOUNTERS; k++) {
        sn = &ngx_http_jsfn_stat_names[k];
        size += sizeof("# HELP  \n# TYPE  counter\n")
                + sn->prom.len * 2 + sn->help.len;
    }

    /* the labels of each node, escaped once */
    for (i = 0; i < n; i++) {
        len = s[i].path.len
              + ngx_http_jsfn_status_escape_label(NULL, s[i].path.data,
                                                  s[i].path.len);

        len += sizeof("function=\"\",worker=\"\"") + NGX_INT_T_LEN;

        s[i].label.data = ngx_pnalloc(r->pool, len);
        if (s[i].label.data == NULL) {
            return NULL;
        }

        p = ngx_cpymem(s[i].label.data, "function=\"",
                       sizeof("function=\"") - 1);
        p = (u_char *) ngx_http_jsfn_status_escape_label(p, s[i].path.data,
                                                        s[i].path.len);
        p = ngx_sprintf(p, "\",worker=\"%ui\"", s[i].worker);

        s[i].label.len = p - s[i].label.data;

        size += NGX_HTTP_JSFN_STAT_PROM_LINES
                * (NGX_HTTP_JSFN_STAT_PROM_LEN + s[i].label.len);
    }

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NULL;
    }

    p = b->last;
    last = b->end;

    for (k = 0; k < NGX_HTTP_JSFN_STAT_NCOUNTERS; k++) {
        sn = &ngx_http_jsfn_stat_names[k];

        p = ngx_http_jsfn_status_prom_head(p, last, &sn->prom, &sn->help,
                                           "counter");

        for (i = 0; i < n; i++) {
            p = ngx_slprintf(p, last, "%V{%V} %uA\n",
                             &sn->prom, &s[i].label, s[i].counters[k]);
        }
    }

    name = ngx_http_jsfn_status_prom_resident;
    p = ngx_http_jsfn_status_prom_head(p, last, &name[0], &name[1], "gauge");

    for (i = 0; i < n; i++) {
        p = ngx_slprintf(p, last, "%V{%V} %uA\n",
                         &name[0], &s[i].label, s[i].resident);
    }

    name = ngx_http_jsfn_status_prom_heap;
    p = ngx_http_jsfn_status_prom_head(p, last, &name[0], &name[1], "gauge");

    for (i = 0; i < n; i++) {
        p = ngx_slprintf(p, last, "%V{%V} %uA\n",
                         &name[0], &s[i].label, s[i].heap_used);
    }

    /* only when functions share isolates (js_function_isolation context) */
    name = ngx_http_jsfn_status_prom_shared;

    for (i = 0, k = 0; i < n; i++) {
        if (s[i].group == 0) {
            continue;
        }

        if (k++ == 0) {
            p = ngx_http_jsfn_status_prom_head(p, last, &name[0], &name[1],
                                               "gauge");
        }

        p = ngx_slprintf(p, last, "%V{%V} %uA\n",
                         &name[0], &s[i].label, s[i].group);
    }

    name = ngx_http_jsfn_status_prom_cold;
    p = ngx_http_jsfn_status_prom_head(p, last, &name[0], &name[1],
                                       "histogram");

    for (i = 0; i < n; i++) {

        for (k = 0; k < NGX_HTTP_JSFN_STAT_NBUCKETS; k++) {
            p = ngx_slprintf(p, last, "%V_bucket{%V,le=\"%V\"} %uA\n",
                             &name[0], &s[i].label,
                             &ngx_http_jsfn_stat_le[k], s[i].cold[k]);
        }

        p = ngx_slprintf(p, last, "%V_sum{%V} %uA.%06uA\n",
                         &name[0], &s[i].label,
                         s[i].cold_sum / 1000000, s[i].cold_sum % 1000000);

        p = ngx_slprintf(p, last, "%V_count{%V} %uA\n",
                         &name[0], &s[i].label,
                         s[i].cold[NGX_HTTP_JSFN_STAT_NBUCKETS - 1]);
    }

    b->last = p;

    return b;
}


static u_char *
ngx_http_jsfn_status_prom_head(u_char *p, u_char *last, ngx_str_t *name,
    ngx_str_t *help, char *type)
{
    return ngx_slprintf(p, last, "# HELP %V %V\n# TYPE %V %s\n",
                        name, help, name, type);
}


/*
 * Escapes a Prometheus label value: backslash, double quote and newline.
 * Like ngx_escape_json(): with dst NULL returns the number of bytes added,
 * otherwise the end of what it wrote.
 */
static uintptr_t
ngx_http_jsfn_status_escape_label(u_char *dst, u_char *src, size_t size)
{
    u_char      ch;
    ngx_uint_t  len;

    if (dst == NULL) {
        len = 0;

        while (size) {
            ch = *src++;

            if (ch == '\\' || ch == '"' || ch == '\n') {
                len++;
            }

            size--;
        }

        return (uintptr_t) len;
    }

    while (size) {
        ch = *src++;

        switch (ch) {

        case '\\':
        case '"':
            *dst++ = '\\';
            *dst++ = ch;
            break;

        case '\n':
            *dst++ = '\\';
            *dst++ = 'n';
            break;

        default:
            *dst++ = ch;
        }

        size--;
    }

    return (uintptr_t) dst;
}


static int ngx_libc_cdecl
ngx_http_jsfn_status_cmp_worker(const void *one, const void *two)
{
    ngx_http_jsfn_stat_snap_t  *a, *b;

    a = (ngx_http_jsfn_stat_snap_t *) one;
    b = (ngx_http_jsfn_stat_snap_t *) two;

    if (a->worker != b->worker) {
        return (a->worker < b->worker) ? -1 : 1;
    }

    if (a->pid != b->pid) {
        return (a->pid < b->pid) ? -1 : 1;
    }

    return ngx_memn2cmp(a->path.data, b->path.data, a->path.len, b->path.len);
}


static int ngx_libc_cdecl
ngx_http_jsfn_status_cmp_path(const void *one, const void *two)
{
    ngx_int_t                   rc;
    ngx_http_jsfn_stat_snap_t  *a, *b;

    a = (ngx_http_jsfn_stat_snap_t *) one;
    b = (ngx_http_jsfn_stat_snap_t *) two;

    rc = ngx_memn2cmp(a->path.data, b->path.data, a->path.len, b->path.len);

    if (rc != 0) {
        return rc;
    }

    if (a->worker != b->worker) {
        return (a->worker < b->worker) ? -1 : 1;
    }

    return (a->pid < b->pid) ? -1 : (a->pid > b->pid);
}
