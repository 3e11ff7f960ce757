
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


/*
 * Memory mappings.  The kernel refuses a process more than vm.max_map_count
 * of them, and V8 aborts the worker when it cannot map a page of a heap.
 * Each 256 KB page of an isolate's heap is a mapping of its own, and the
 * isolate has a few more beside them (its code range and the protections
 * within it): 7 for a small function's new isolate, 12 to 13 once it has
 * served a while, one more for every page its heap grows by.
 */
#define NGX_HTTP_JSFN_MAPS_PAGE     (256 * 1024)
#define NGX_HTTP_JSFN_MAPS_FIXED    4      /* an isolate's, beside its pages */
#define NGX_HTTP_JSFN_MAPS_NEW      8      /* a new isolate's */
#define NGX_HTTP_JSFN_MAPS_PLAN     14     /* an isolate's, for the cap */
#define NGX_HTTP_JSFN_MAPS_RECOUNT  10000  /* ms between two counts */

/*
 * An isolate idle this long has its heap shrunk (a full GC, about 1 ms for
 * a small function's), by the sweep, for at most SHRINK_BUDGET ms a sweep.
 */
#define NGX_HTTP_JSFN_SHRINK_IDLE    10000
#define NGX_HTTP_JSFN_SHRINK_BUDGET  3


/*
 * Lookups by path go through a table of the last node found per hash slot
 * before the rbtree: with a thousand functions, each walk down the tree
 * missed the CPU's caches at every level, twice a request.  A node leaves
 * the table when it leaves its tree.
 */
#define NGX_HTTP_JSFN_RECENT  4096


/* This worker's isolates, one per function file, and spare blank ones. */
typedef struct {
    ngx_rbtree_t                rbtree;
    ngx_rbtree_node_t           sentinel;
    ngx_rbtree_t                aliases;   /* variable paths as written */
    ngx_rbtree_node_t           alias_sentinel;
    ngx_queue_t                 lru;       /* live isolates, recent first */
    ngx_uint_t                  count;     /* resident, retired included */
    ngx_uint_t                  max;
    ngx_msec_t                  idle_timeout;
    ngx_msec_t                  check_interval;
    ngx_uint_t                  prewarm;
    ngx_uint_t                  prewarm_max;
    ngx_uint_t                  max_map_count;
    ngx_uint_t                  maps_limit; /* mappings not to pass */
    ngx_uint_t                  maps;      /* the isolates', estimated */
    ngx_uint_t                  maps_other; /* the rest, last counted */
    ngx_msec_t                  maps_counted;
    ngx_http_jsfn_loc_conf_t    defaults;  /* http level: spares' limits */
    ngx_queue_t                 groups;    /* ngx_http_jsfn_group_t, newest
                                              first */
    /* the last node found per hash slot of each tree (pool_lookup) */
    ngx_str_node_t             *recent[NGX_HTTP_JSFN_RECENT];
    ngx_str_node_t             *recent_alias[NGX_HTTP_JSFN_RECENT];
    ngx_uint_t                  group_ids;
    ngx_event_t                 sweep;     /* idle_timeout and gauges */
} ngx_http_jsfn_pool_t;


static ngx_int_t ngx_http_jsfn_pool_create(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, ngx_http_jsfn_loc_conf_t *jlcf);
static void ngx_http_jsfn_pool_evict(ngx_uint_t room);
static void ngx_http_jsfn_pool_maps_init(ngx_cycle_t *cycle,
    ngx_http_jsfn_pool_t *pool, ngx_uint_t sized);
static ngx_int_t ngx_http_jsfn_pool_maps_count(void);
static ngx_uint_t ngx_http_jsfn_pool_maps_full(ngx_http_jsfn_pool_t *pool,
    ngx_uint_t room);
static void ngx_http_jsfn_pool_free(ngx_http_jsfn_isolate_t *isolate);
static void ngx_http_jsfn_pool_unalias(ngx_http_jsfn_isolate_t *isolate);
static ngx_str_node_t *ngx_http_jsfn_pool_lookup(ngx_rbtree_t *tree,
    ngx_str_node_t **recent, ngx_str_t *key, uint32_t hash);
static void ngx_http_jsfn_pool_delete(ngx_rbtree_t *tree,
    ngx_str_node_t **recent, ngx_str_node_t *sn);
static void ngx_http_jsfn_pool_sweep(ngx_event_t *ev);
static void ngx_http_jsfn_pool_released(ngx_event_t *ev);
static void ngx_http_jsfn_pool_measure(ngx_http_jsfn_pool_t *pool,
    ngx_http_jsfn_isolate_t *isolate);
static void ngx_http_jsfn_timer_handler(ngx_event_t *ev);
static ngx_int_t ngx_http_jsfn_pool_join(ngx_http_jsfn_isolate_t *isolate,
    ngx_http_jsfn_loc_conf_t *jlcf, ngx_log_t *log);
static void ngx_http_jsfn_pool_leave(ngx_http_jsfn_isolate_t *isolate);
static void ngx_http_jsfn_pool_kill(ngx_http_jsfn_isolate_t *isolate,
    int code);


/* the worker's only global: its pool, in cycle->pool */
static ngx_http_jsfn_pool_t  *ngx_http_jsfn_pool;


ngx_int_t
ngx_http_jsfn_pool_init(ngx_cycle_t *cycle)
{
    long                        pages, size;
    ngx_uint_t                  workers;
    ngx_core_conf_t            *ccf;
    ngx_http_conf_ctx_t        *hctx;
    ngx_http_jsfn_pool_t       *pool;
    ngx_http_jsfn_loc_conf_t   *http;
    ngx_http_jsfn_main_conf_t  *jmcf;

    jmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_js_function_module);
    hctx = (ngx_http_conf_ctx_t *) cycle->conf_ctx[ngx_http_module.index];

    pool = ngx_pcalloc(cycle->pool, sizeof(ngx_http_jsfn_pool_t));
    if (pool == NULL) {
        return NGX_ERROR;
    }

    ngx_rbtree_init(&pool->rbtree, &pool->sentinel,
                    ngx_str_rbtree_insert_value);
    ngx_rbtree_init(&pool->aliases, &pool->alias_sentinel,
                    ngx_str_rbtree_insert_value);
    ngx_queue_init(&pool->lru);
    ngx_queue_init(&pool->groups);

    pool->idle_timeout = jmcf->idle_timeout;
    pool->check_interval = jmcf->check_interval;
    pool->prewarm = jmcf->prewarm;
    pool->prewarm_max = jmcf->prewarm_max;
    /*
     * The http level's own values, or the defaults where it has none (that
     * level is never merged): what a location without its own gets.
     */
    http = hctx->loc_conf[ngx_http_js_function_module.ctx_index];

    pool->defaults.memory = (http->memory != NGX_CONF_UNSET_SIZE)
                            ? http->memory : NGX_HTTP_JSFN_DEFAULT_MEMORY;
    pool->defaults.cpu_limit = (http->cpu_limit != NGX_CONF_UNSET_MSEC)
                               ? http->cpu_limit
                               : NGX_HTTP_JSFN_DEFAULT_CPU_LIMIT;
    pool->defaults.allow_eval = (http->allow_eval != NGX_CONF_UNSET)
                                ? http->allow_eval : 0;
    pool->max = jmcf->max_isolates;

    if (pool->max == 0) {
        /*
         * sized for the machine: an eighth of memory at 2 MB an isolate
         * (a small function's isolate measures 1.2 to 1.5 MB resident)
         */
        ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                               ngx_core_module);
        workers = (ccf->worker_processes > 0) ? ccf->worker_processes : 1;
        pages = sysconf(_SC_PHYS_PAGES);
        size = sysconf(_SC_PAGESIZE);

        pool->max = (pages > 0 && size > 0)
                    ? (ngx_uint_t) ((double) pages * size / 8 / workers
                                    / (2 * 1024 * 1024))
                    : 256;
        pool->max = ngx_max(pool->max, 16);
        pool->max = ngx_min(pool->max, 10000);
    }

    ngx_http_jsfn_pool_maps_init(cycle, pool, jmcf->max_isolates == 0);

    /* spares are made on the engine's own thread, ahead of need */
    if (pool->prewarm
        && ngx_http_jsfn_engine_spares(cycle->log, &pool->defaults,
                                       pool->prewarm, pool->prewarm_max)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    pool->sweep.handler = ngx_http_jsfn_pool_sweep;
    pool->sweep.log = cycle->log;
    pool->sweep.data = pool;
    pool->sweep.cancelable = 1;

    ngx_add_timer(&pool->sweep, 1000);

    ngx_http_jsfn_pool = pool;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, cycle->log, 0,
                   "js function pool: %ui isolates at most", pool->max);

    return NGX_OK;
}


void
ngx_http_jsfn_pool_done(ngx_cycle_t *cycle)
{
    ngx_queue_t              *q;
    ngx_http_jsfn_pool_t     *pool;
    ngx_http_jsfn_isolate_t  *isolate;

    pool = ngx_http_jsfn_pool;
    if (pool == NULL) {
        return;
    }

    while (!ngx_queue_empty(&pool->lru)) {
        q = ngx_queue_head(&pool->lru);
        isolate = ngx_queue_data(q, ngx_http_jsfn_isolate_t, queue);
        ngx_http_jsfn_pool_free(isolate);
    }

    if (pool->sweep.timer_set) {
        ngx_del_timer(&pool->sweep);
    }

    ngx_http_jsfn_pool = NULL;
}


/*
 * Give the request the isolate of its function (ctx->path): warm from the
 * pool, or created now (a cold start).  NGX_OK, or an HTTP status to answer
 * with, the reason logged.
 */
ngx_int_t
ngx_http_jsfn_pool_get(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    ngx_http_jsfn_loc_conf_t *jlcf)
{
    uint32_t                  hash;
    ngx_int_t                 rc;
    ngx_http_jsfn_pool_t     *pool;
    ngx_http_jsfn_isolate_t  *isolate;

    pool = ngx_http_jsfn_pool;

    if (pool == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "js_function: the engine is not running in this"
                      " process");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_jsfn_stat_add(&ctx->path, NGX_HTTP_JSFN_STAT_REQUESTS, 1);

    hash = ngx_crc32_long(ctx->path.data, ctx->path.len);

    isolate = (ngx_http_jsfn_isolate_t *)
              ngx_http_jsfn_pool_lookup(&pool->rbtree, pool->recent,
                                        &ctx->path, hash);

    if (isolate != NULL
        && ngx_current_msec - isolate->checked >= pool->check_interval)
    {
        /* a changed file serves new requests; ones in flight finish */
        isolate->checked = ngx_current_msec;

        if (ngx_http_jsfn_engine_changed(isolate)) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "js_function \"%V\": changed on disk, loading it"
                          " again", &ctx->path);
            ngx_http_jsfn_pool_retire(isolate, JSFN_OK);
            isolate = NULL;
        }
    }

    if (isolate == NULL) {
        rc = ngx_http_jsfn_pool_create(r, ctx, jlcf);
        if (rc != NGX_OK) {
            return rc;
        }

        isolate = ctx->isolate;

    } else if (isolate->preloaded) {
        /* made for this request, ahead of it */
        isolate->preloaded = 0;
        ngx_http_jsfn_stat_add(&ctx->path, NGX_HTTP_JSFN_STAT_COLD_STARTS, 1);
        ngx_http_jsfn_stat_cold_start(&ctx->path, isolate->load_us);
        ngx_queue_remove(&isolate->queue);
        ngx_queue_insert_head(&pool->lru, &isolate->queue);

    } else {
        ngx_http_jsfn_stat_add(&ctx->path, NGX_HTTP_JSFN_STAT_WARM_HITS, 1);
        ngx_queue_remove(&isolate->queue);
        ngx_queue_insert_head(&pool->lru, &isolate->queue);
    }

    /* balanced by ngx_http_jsfn_pool_release() from the request's cleanup */
    isolate->inflight++;
    isolate->used = ngx_current_msec;
    isolate->shrunk = 0;
    ngx_queue_insert_tail(&isolate->requests, &ctx->queue);
    ctx->isolate = isolate;

    return NGX_OK;
}


static ngx_int_t
ngx_http_jsfn_pool_create(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    ngx_http_jsfn_loc_conf_t *jlcf)
{
    ngx_int_t                  rc;
    struct timeval             t0, t1;
    ngx_http_jsfn_pool_t      *pool;
    ngx_http_jsfn_isolate_t   *isolate;

    ngx_gettimeofday(&t0);

    pool = ngx_http_jsfn_pool;

    if (pool->count >= pool->max || ngx_http_jsfn_pool_maps_full(pool, 1)) {
        ngx_http_jsfn_pool_evict(1);

        if (ngx_http_jsfn_pool_maps_full(pool, 1)) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "js_function \"%V\": no isolate created: the"
                          " worker's memory mappings would pass %ui"
                          " (vm.max_map_count %ui less a tenth) and no"
                          " idle isolate is left to evict (sysctl -w"
                          " vm.max_map_count raises it)",
                          &ctx->path, pool->maps_limit, pool->max_map_count);
            return NGX_HTTP_SERVICE_UNAVAILABLE;
        }
    }

    rc = ngx_http_jsfn_pool_load(&ctx->path, jlcf, r->connection->log,
                                 &isolate);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_gettimeofday(&t1);

    ngx_http_jsfn_stat_add(&ctx->path, NGX_HTTP_JSFN_STAT_COLD_STARTS, 1);
    ngx_http_jsfn_stat_cold_start(&ctx->path,
                                  (t1.tv_sec - t0.tv_sec) * 1000000
                                  + (t1.tv_usec - t0.tv_usec));

    ctx->isolate = isolate;

    return NGX_OK;
}


/*
 * Make the isolate of the function at "path" and put it in the pool: a
 * cold start, or a preload (ngx_http_jsfn_preload.c).  NGX_OK, or an HTTP
 * status, the reason logged.
 */
ngx_int_t
ngx_http_jsfn_pool_load(ngx_str_t *path, ngx_http_jsfn_loc_conf_t *jlcf,
    ngx_log_t *log, ngx_http_jsfn_isolate_t **out)
{
    uint32_t                   hash;
    ngx_int_t                  rc;
    ngx_pool_t                *p;
    jsfn_isolate_t            *spare;
    ngx_http_jsfn_pool_t      *pool;
    ngx_http_jsfn_isolate_t   *isolate;
    ngx_http_jsfn_loc_conf_t  *def;

    pool = ngx_http_jsfn_pool;

    p = ngx_create_pool(1024, ngx_cycle->log);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    isolate = ngx_pcalloc(p, sizeof(ngx_http_jsfn_isolate_t));
    if (isolate == NULL) {
        ngx_destroy_pool(p);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    isolate->pool = p;
    isolate->sn.str.len = path->len;
    isolate->sn.str.data = ngx_pnalloc(p, path->len + 1);
    if (isolate->sn.str.data == NULL) {
        ngx_destroy_pool(p);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(isolate->sn.str.data, path->data, path->len);
    isolate->sn.str.data[path->len] = '\0';

    hash = ngx_crc32_long(path->data, path->len);
    isolate->sn.node.key = hash;
    isolate->checked = ngx_current_msec;
    isolate->used = ngx_current_msec;

    ngx_queue_init(&isolate->timers);
    ngx_queue_init(&isolate->free);
    ngx_queue_init(&isolate->requests);
    ngx_queue_init(&isolate->fetches);

    /* a function that failed to load is not loaded again until changed */
    rc = ngx_http_jsfn_engine_failed(&isolate->sn.str, log, &jlcf->root,
                                     jlcf);
    if (rc != NGX_OK) {
        ngx_destroy_pool(p);
        return rc;
    }

    /* js_function_isolation context: a context in a shared isolate */
    if (jlcf->isolation == NGX_HTTP_JSFN_CONTEXT
        && ngx_http_jsfn_pool_join(isolate, jlcf, log) != NGX_OK)
    {
        ngx_destroy_pool(p);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a spare made with the same limits skips isolate creation */
    spare = NULL;
    def = &pool->defaults;

    if (pool->prewarm
        && isolate->group == NULL
        && jlcf->memory == def->memory
        && jlcf->cpu_limit == def->cpu_limit
        && jlcf->allow_eval == def->allow_eval)
    {
        spare = ngx_http_jsfn_engine_take_spare(log);
    }

    rc = ngx_http_jsfn_engine_load(isolate, log, &jlcf->root, jlcf, spare);
    if (rc != NGX_OK) {
        /* its load stopped the group's isolate (a full heap, a loop) */
        if (isolate->group != NULL && !isolate->group->condemned
            && jsfn_group_condemned(isolate->group->grp) != JSFN_OK)
        {
            ngx_http_jsfn_pool_kill(isolate,
                                    jsfn_group_condemned(isolate->group->grp));
        }

        ngx_http_jsfn_pool_leave(isolate);
        ngx_destroy_pool(p);
        return rc;
    }

    ngx_rbtree_insert(&pool->rbtree, &isolate->sn.node);
    ngx_queue_insert_head(&pool->lru, &isolate->queue);
    pool->count++;

    /* until the pool measures its heap; a group's counts once */
    isolate->maps = isolate->group ? 0 : NGX_HTTP_JSFN_MAPS_NEW;
    pool->maps += isolate->maps;

    *out = isolate;

    return NGX_OK;
}


/*
 * Is the function at "path" resident, or would a new isolate not fit (a
 * preload never evicts)?  NGX_DECLINED then, else NGX_OK.
 */
ngx_int_t
ngx_http_jsfn_pool_room(ngx_str_t *path)
{
    ngx_http_jsfn_pool_t  *pool = ngx_http_jsfn_pool;

    if (pool == NULL || pool->count >= pool->max
        || ngx_http_jsfn_pool_maps_full(pool, 1)
        || ngx_str_rbtree_lookup(&pool->rbtree, path,
                                 ngx_crc32_long(path->data, path->len))
           != NULL)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* a request is done with its isolate: balances ngx_http_jsfn_pool_get() */
void
ngx_http_jsfn_pool_release(ngx_http_jsfn_ctx_t *ctx)
{
    ngx_http_jsfn_isolate_t  *isolate = ctx->isolate;

    ngx_queue_remove(&ctx->queue);
    ctx->isolate = NULL;

    isolate->inflight--;
    isolate->used = ngx_current_msec;

    if (isolate->retired) {
        if (isolate->inflight == 0) {
            ngx_http_jsfn_pool_free(isolate);
        }

        return;
    }

    /*
     * A request may end within an engine call (a piped body's last piece
     * sent from a fetch report): the code cache and the heap's measure
     * wait for the event loop's next look at posted events, outside any.
     */
    if (!isolate->released.posted) {
        isolate->released.handler = ngx_http_jsfn_pool_released;
        isolate->released.data = isolate;
        isolate->released.log = ngx_cycle->log;
        ngx_post_event(&isolate->released, &ngx_posted_events);
    }
}


static void
ngx_http_jsfn_pool_released(ngx_event_t *ev)
{
    ngx_http_jsfn_isolate_t  *isolate = ev->data;

    if (isolate->retired || isolate->iso == NULL) {
        return;
    }

    /*
     * Once, after the isolate's first call, when its response has gone
     * out: the code cache of its modules (no JS runs meanwhile).
     */
    jsfn_isolate_cache(isolate->iso);

    /* while its memory is still in the CPU's caches: see the sweep */
    if (ngx_current_msec - isolate->measured >= 1000) {
        ngx_http_jsfn_pool_measure(ngx_http_jsfn_pool, isolate);
    }
}


/*
 * The isolate's heap: its gauge in js_function_status and its memory
 * mappings in the pool's budget; V8's queued tasks for it (GC steps) run.
 */
static void
ngx_http_jsfn_pool_measure(ngx_http_jsfn_pool_t *pool,
    ngx_http_jsfn_isolate_t *isolate)
{
    size_t  used, total;

    ngx_uint_t              *maps;
    ngx_http_jsfn_group_t   *g;

    g = isolate->group;

    if (g != NULL && g->measured
        && ngx_current_msec - g->measured < 1000)
    {
        /*
         * The group's heap was measured within the second (V8 counts its
         * contexts for it: a hundred members' measures would cost a
         * hundred times that); its mappings stand.
         */
        isolate->measured = ngx_current_msec;
        ngx_http_jsfn_stat_resident(&isolate->sn.str, 1, g->heap_used, g->id);
        return;
    }

    used = ngx_http_jsfn_engine_heap(isolate, &total);
    isolate->measured = ngx_current_msec;

    if (g != NULL) {
        g->measured = ngx_current_msec;
        g->heap_used = used;
    }

    /* a group's heap is its members': each shows the whole of it */
    ngx_http_jsfn_stat_resident(&isolate->sn.str, 1, used,
                                isolate->group ? isolate->group->id : 0);

    /* its mappings: the pages of the heap V8 holds, and the rest */
    maps = isolate->group ? &isolate->group->maps : &isolate->maps;

    pool->maps -= *maps;
    *maps = NGX_HTTP_JSFN_MAPS_FIXED
            + (total + NGX_HTTP_JSFN_MAPS_PAGE - 1) / NGX_HTTP_JSFN_MAPS_PAGE;
    pool->maps += *maps;
}


/*
 * Take an isolate out of service: new requests get a fresh one.  With a
 * condemning code (CPU or memory limit) the requests still waiting on it
 * are answered now; otherwise (a changed file) they finish on it.
 */
void
ngx_http_jsfn_pool_retire(ngx_http_jsfn_isolate_t *isolate, int code)
{
    ngx_queue_t              *q;
    ngx_http_jsfn_ctx_t      *ctx;
    ngx_http_jsfn_group_t    *g;

    if (isolate->retired) {
        return;
    }

    isolate->retired = 1;
    ngx_http_jsfn_pool_unalias(isolate);

    g = isolate->group;

    if ((code == JSFN_ERR_TIMEOUT || code == JSFN_ERR_HEAP)
        && (g == NULL || !g->condemned))
    {
        ngx_http_jsfn_stat_add(&isolate->sn.str,
                               code == JSFN_ERR_HEAP
                               ? NGX_HTTP_JSFN_STAT_MEMORY_KILLS
                               : NGX_HTTP_JSFN_STAT_CPU_KILLS, 1);
    }

    ngx_http_jsfn_pool_delete(&ngx_http_jsfn_pool->rbtree,
                              ngx_http_jsfn_pool->recent, &isolate->sn);
    ngx_queue_remove(&isolate->queue);
    ngx_queue_init(&isolate->queue);

    if (g != NULL && !g->condemned
        && (code == JSFN_ERR_TIMEOUT || code == JSFN_ERR_HEAP))
    {
        ngx_http_jsfn_pool_kill(isolate, code);
    }

    if (code != JSFN_OK) {
        for (q = ngx_queue_head(&isolate->requests);
             q != ngx_queue_sentinel(&isolate->requests);
             q = ngx_queue_next(q))
        {
            ctx = ngx_queue_data(q, ngx_http_jsfn_ctx_t, queue);
            ngx_http_jsfn_call_done(ctx);
        }
    }

    if (isolate->inflight == 0) {
        ngx_http_jsfn_pool_free(isolate);
    }
}


/*
 * A variable path as written, resolved within js_function_check_interval:
 * the file it names, without realpath() and its system calls on every
 * request.  NULL: resolve it.
 */
ngx_str_t *
ngx_http_jsfn_pool_alias(ngx_str_t *raw)
{
    ngx_str_node_t           *sn;
    ngx_http_jsfn_isolate_t  *isolate;

    if (ngx_http_jsfn_pool == NULL) {
        return NULL;
    }

    sn = ngx_http_jsfn_pool_lookup(&ngx_http_jsfn_pool->aliases,
                                   ngx_http_jsfn_pool->recent_alias, raw,
                                   ngx_crc32_long(raw->data, raw->len));
    if (sn == NULL) {
        return NULL;
    }

    isolate = (ngx_http_jsfn_isolate_t *)
              ((u_char *) sn - offsetof(ngx_http_jsfn_isolate_t, alias));

    if (isolate->retired
        || ngx_current_msec - isolate->aliased
           >= ngx_http_jsfn_pool->check_interval)
    {
        return NULL;
    }

    return &isolate->sn.str;
}


/* remember how the request's variable path resolved (ctx->raw) */
void
ngx_http_jsfn_pool_set_alias(ngx_http_jsfn_ctx_t *ctx)
{
    u_char                   *p;
    ngx_http_jsfn_isolate_t  *isolate = ctx->isolate;

    if (isolate->retired) {
        return;
    }

    if (isolate->has_alias
        && isolate->alias.str.len == ctx->raw.len
        && ngx_memcmp(isolate->alias.str.data, ctx->raw.data, ctx->raw.len)
           == 0)
    {
        isolate->aliased = ngx_current_msec;
        return;
    }

    /* another spelling of the same file: rare, so the old copy may stay */
    ngx_http_jsfn_pool_unalias(isolate);

    p = ngx_pnalloc(isolate->pool, ctx->raw.len);
    if (p == NULL) {
        return;
    }

    ngx_memcpy(p, ctx->raw.data, ctx->raw.len);

    isolate->alias.str.data = p;
    isolate->alias.str.len = ctx->raw.len;
    isolate->alias.node.key = ngx_crc32_long(p, ctx->raw.len);

    if (ngx_str_rbtree_lookup(&ngx_http_jsfn_pool->aliases,
                              &isolate->alias.str, isolate->alias.node.key)
        != NULL)
    {
        return;     /* another isolate holds this spelling */
    }

    ngx_rbtree_insert(&ngx_http_jsfn_pool->aliases, &isolate->alias.node);
    isolate->has_alias = 1;
    isolate->aliased = ngx_current_msec;
}


static void
ngx_http_jsfn_pool_unalias(ngx_http_jsfn_isolate_t *isolate)
{
    if (isolate->has_alias) {
        ngx_http_jsfn_pool_delete(&ngx_http_jsfn_pool->aliases,
                                  ngx_http_jsfn_pool->recent_alias,
                                  &isolate->alias);
        isolate->has_alias = 0;
    }
}


/* make room for "room" isolates: least recently used idle ones go first */
static void
ngx_http_jsfn_pool_evict(ngx_uint_t room)
{
    ngx_uint_t                pass;
    ngx_queue_t              *q, *prev;
    ngx_http_jsfn_pool_t     *pool;
    ngx_http_jsfn_isolate_t  *isolate;

    pool = ngx_http_jsfn_pool;

    /* first those without timers or waitUntil work, then any idle one */
    for (pass = 0; pass < 2; pass++) {
        for (q = ngx_queue_last(&pool->lru);
             q != ngx_queue_sentinel(&pool->lru)
             && (pool->count + room > pool->max
                 || ngx_http_jsfn_pool_maps_full(pool, room));
             q = prev)
        {
            prev = ngx_queue_prev(q);
            isolate = ngx_queue_data(q, ngx_http_jsfn_isolate_t, queue);

            if (isolate->inflight
                || (pass == 0 && (!ngx_queue_empty(&isolate->timers)
                                  || !ngx_queue_empty(&isolate->fetches))))
            {
                continue;
            }

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                           "js function \"%V\": evicted", &isolate->sn.str);

            ngx_http_jsfn_pool_free(isolate);
        }
    }
}


static void
ngx_http_jsfn_pool_free(ngx_http_jsfn_isolate_t *isolate)
{
    ngx_queue_t            *q;
    ngx_http_jsfn_timer_t  *t;

    if (isolate->released.posted) {
        ngx_delete_posted_event(&isolate->released);
    }

    for (q = ngx_queue_head(&isolate->timers);
         q != ngx_queue_sentinel(&isolate->timers);
         q = ngx_queue_next(q))
    {
        t = ngx_queue_data(q, ngx_http_jsfn_timer_t, queue);

        if (t->ev.timer_set) {
            ngx_del_timer(&t->ev);
        }
    }

    if (!isolate->retired) {
        ngx_http_jsfn_pool_delete(&ngx_http_jsfn_pool->rbtree,
                                  ngx_http_jsfn_pool->recent, &isolate->sn);
        ngx_queue_remove(&isolate->queue);
        ngx_http_jsfn_pool_unalias(isolate);
    }

    ngx_http_jsfn_pool->count--;
    ngx_http_jsfn_pool->maps -= isolate->maps;

    ngx_http_jsfn_stat_resident(&isolate->sn.str, 0, 0, 0);
    ngx_http_jsfn_fetch_isolate_free(isolate);
    ngx_http_jsfn_engine_free(isolate);
    ngx_http_jsfn_pool_leave(isolate);
    ngx_destroy_pool(isolate->pool);
}


/*
 * The function joins the location's newest group with room for it that
 * was not condemned, or a new one (its V8 isolate is made now, on the
 * event loop: a context from the snapshot is then the cold start).
 */
static ngx_int_t
ngx_http_jsfn_pool_join(ngx_http_jsfn_isolate_t *isolate,
    ngx_http_jsfn_loc_conf_t *jlcf, ngx_log_t *log)
{
    jsfn_err_t              err;
    ngx_queue_t            *q;
    jsfn_isolate_conf_t     conf;
    ngx_http_jsfn_pool_t   *pool;
    ngx_http_jsfn_group_t  *g;

    pool = ngx_http_jsfn_pool;

    for (q = ngx_queue_head(&pool->groups);
         q != ngx_queue_sentinel(&pool->groups);
         q = ngx_queue_next(q))
    {
        g = ngx_queue_data(q, ngx_http_jsfn_group_t, queue);

        if (g->conf == jlcf && !g->condemned
            && g->count < jlcf->group_functions
            && jsfn_group_condemned(g->grp) == JSFN_OK)
        {
            goto found;
        }
    }

    g = ngx_calloc(sizeof(ngx_http_jsfn_group_t), log);
    if (g == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(&conf, sizeof(jsfn_isolate_conf_t));
    conf.heap_max = jlcf->memory;
    conf.cpu_limit_us = (uint64_t) jlcf->cpu_limit * 1000;
    conf.allow_eval = jlcf->allow_eval;

    if (jsfn_group_new(&conf, &g->grp, &err) != JSFN_OK) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "js_function \"%V\": %s", &isolate->sn.str, err.msg);
        ngx_free(g);
        return NGX_ERROR;
    }

    g->conf = jlcf;
    g->id = ++pool->group_ids;
    ngx_queue_init(&g->members);
    ngx_queue_insert_head(&pool->groups, &g->queue);

    /* until the pool measures its heap */
    g->maps = NGX_HTTP_JSFN_MAPS_NEW;
    pool->maps += g->maps;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log, 0,
                   "js function group %ui: created", g->id);

found:

    isolate->group = g;
    ngx_queue_insert_tail(&g->members, &isolate->member);
    g->count++;

    return NGX_OK;
}


/*
 * The V8 isolate "isolate" shares was stopped (its CPU or memory limit):
 * every function of the group goes, their requests in flight failing as
 * this one's do.  "isolate" is a member meanwhile: the group outlives the
 * loop.
 */
static void
ngx_http_jsfn_pool_kill(ngx_http_jsfn_isolate_t *isolate, int code)
{
    ngx_queue_t              *q, *next;
    ngx_http_jsfn_group_t    *g;
    ngx_http_jsfn_isolate_t  *member;

    g = isolate->group;
    g->condemned = 1;

    ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                  "js_function \"%V\": killed the isolate it shared"
                  " with %ui other functions (js_function_isolation"
                  " context): all are retired", &isolate->sn.str,
                  g->count - 1);

    for (q = ngx_queue_head(&g->members);
         q != ngx_queue_sentinel(&g->members);
         q = next)
    {
        next = ngx_queue_next(q);
        member = ngx_queue_data(q, ngx_http_jsfn_isolate_t, member);

        if (member != isolate) {
            ngx_http_jsfn_pool_retire(member, code);
        }
    }
}


static ngx_str_node_t *
ngx_http_jsfn_pool_lookup(ngx_rbtree_t *tree, ngx_str_node_t **recent,
    ngx_str_t *key, uint32_t hash)
{
    ngx_str_node_t  *sn;

    sn = recent[hash % NGX_HTTP_JSFN_RECENT];

    if (sn != NULL
        && sn->node.key == hash
        && sn->str.len == key->len
        && ngx_memcmp(sn->str.data, key->data, key->len) == 0)
    {
        return sn;
    }

    sn = ngx_str_rbtree_lookup(tree, key, hash);

    if (sn != NULL) {
        recent[hash % NGX_HTTP_JSFN_RECENT] = sn;
    }

    return sn;
}


static void
ngx_http_jsfn_pool_delete(ngx_rbtree_t *tree, ngx_str_node_t **recent,
    ngx_str_node_t *sn)
{
    if (recent[sn->node.key % NGX_HTTP_JSFN_RECENT] == sn) {
        recent[sn->node.key % NGX_HTTP_JSFN_RECENT] = NULL;
    }

    ngx_rbtree_delete(tree, &sn->node);
}


/* the function leaves its group; the last one out frees it */
static void
ngx_http_jsfn_pool_leave(ngx_http_jsfn_isolate_t *isolate)
{
    ngx_http_jsfn_group_t  *g;

    g = isolate->group;

    if (g == NULL) {
        return;
    }

    isolate->group = NULL;
    ngx_queue_remove(&isolate->member);

    if (--g->count) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "js function group %ui: disposed", g->id);

    ngx_http_jsfn_pool->maps -= g->maps;
    ngx_queue_remove(&g->queue);
    jsfn_group_free(g->grp);
    ngx_free(g);
}


/* every second: dispose of isolates idle past idle_timeout, report gauges */
static void
ngx_http_jsfn_pool_sweep(ngx_event_t *ev)
{
    ngx_int_t                 n;
    ngx_msec_t                spent;
    ngx_uint_t                unchanged;
    ngx_queue_t              *q, *prev;
    struct timeval            t0, t1;
    ngx_http_jsfn_pool_t     *pool;
    ngx_http_jsfn_isolate_t  *isolate;

    pool = ev->data;
    spent = 0;

    ngx_gettimeofday(&t0);

    for (q = ngx_queue_last(&pool->lru);
         q != ngx_queue_sentinel(&pool->lru);
         q = prev)
    {
        prev = ngx_queue_prev(q);
        isolate = ngx_queue_data(q, ngx_http_jsfn_isolate_t, queue);

        if (isolate->inflight == 0
            && ngx_current_msec - isolate->used >= pool->idle_timeout)
        {
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                           "js function \"%V\": idle, disposed",
                           &isolate->sn.str);
            ngx_http_jsfn_pool_free(isolate);
            continue;
        }

        /*
         * Idle since its heap was measured, with nothing pending: no JS has
         * run there since, and its gauges and mappings stand.  Measuring
         * takes 10-20 us an isolate, 150 ms a second with 10,000 of them,
         * and touched every heap of the worker, pushing the busy ones out
         * of the CPU's caches.  A busy isolate is measured when a request
         * releases it (at most once a second, while its memory is in the
         * caches), the sweep measures it once after that second.
         */
        unchanged = isolate->measured
                    && (isolate->used <= isolate->measured
                        || ngx_current_msec - isolate->measured < 1000)
                    && isolate->inflight == 0
                    && ngx_queue_empty(&isolate->timers)
                    && ngx_queue_empty(&isolate->fetches);

        /* a group's heap is shared: it is not shrunk for one of them */
        if (!isolate->shrunk
            && isolate->group == NULL
            && isolate->inflight == 0
            && ngx_current_msec - isolate->used >= NGX_HTTP_JSFN_SHRINK_IDLE
            && spent < NGX_HTTP_JSFN_SHRINK_BUDGET)
        {
            jsfn_isolate_shrink(isolate->iso);
            isolate->shrunk = 1;

            ngx_gettimeofday(&t1);
            spent = (t1.tv_sec - t0.tv_sec) * 1000
                    + (t1.tv_usec - t0.tv_usec) / 1000;

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                           "js function \"%V\": idle, heap shrunk",
                           &isolate->sn.str);

            unchanged = 0;
        }

        if (unchanged) {
            continue;
        }

        ngx_http_jsfn_pool_measure(pool, isolate);
    }

    /*
     * Past half the budget, the worker's mappings are counted now and
     * then: what the estimate misses (large objects, malloc's own mappings,
     * threads) shows in the rest.  Reading /proc/self/maps takes about 3 ms
     * for each thousand isolates, so never on a request's path.
     */
    if (pool->maps_limit
        && pool->maps + pool->maps_other > pool->maps_limit / 2
        && ngx_current_msec - pool->maps_counted >= NGX_HTTP_JSFN_MAPS_RECOUNT)
    {
        n = ngx_http_jsfn_pool_maps_count();
        pool->maps_counted = ngx_current_msec;

        if (n >= 0) {
            pool->maps_other = ((ngx_uint_t) n > pool->maps)
                               ? (ngx_uint_t) n - pool->maps : 0;
        }

        ngx_log_debug4(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                       "js function pool: %i mappings, %ui of them"
                       " the isolates' (estimated), %ui at most, %ui"
                       " isolates", n, pool->maps, pool->maps_limit,
                       pool->count);
    }

    if (!ngx_exiting) {
        ngx_add_timer(ev, 1000);
    }
}


/*
 * The worker's budget of memory mappings: vm.max_map_count less a tenth
 * (for what grows between two sweeps), less those in use now.  The cap on
 * resident isolates is lowered to what fits at NGX_HTTP_JSFN_MAPS_PLAN
 * each, and the pool creates no isolate past the budget (see
 * ngx_http_jsfn_pool_maps_full()).  The environment's JSFN_MAX_MAP_COUNT
 * may lower the kernel's figure (tests use it).
 */
static void
ngx_http_jsfn_pool_maps_init(ngx_cycle_t *cycle, ngx_http_jsfn_pool_t *pool,
    ngx_uint_t sized)
{
    u_char     *env;
    ssize_t     n;
    ngx_fd_t    fd;
    ngx_int_t   v, in_use;
    ngx_uint_t  cap, want, level;
    u_char      buf[32];

    v = NGX_ERROR;

    fd = ngx_open_file("/proc/sys/vm/max_map_count", NGX_FILE_RDONLY,
                       NGX_FILE_OPEN, 0);

    if (fd != NGX_INVALID_FILE) {
        n = ngx_read_fd(fd, buf, sizeof(buf));
        ngx_close_file(fd);

        while (n > 0 && (buf[n - 1] == LF || buf[n - 1] == ' ')) {
            n--;
        }

        if (n > 0) {
            v = ngx_atoi(buf, n);
        }
    }

    env = (u_char *) getenv("JSFN_MAX_MAP_COUNT");

    if (env != NULL) {
        n = ngx_atoi(env, ngx_strlen(env));

        if (n > 0 && (v == NGX_ERROR || n < v)) {
            v = n;
        }
    }

    in_use = ngx_http_jsfn_pool_maps_count();

    if (v == NGX_ERROR || in_use == NGX_ERROR) {
        /* not Linux, or no /proc: no budget */
        return;
    }

    pool->max_map_count = v;
    pool->maps_limit = v - v / 10;
    /* the spares and V8's threads come after: a sweep counts them */
    pool->maps_other = in_use;

    cap = (pool->maps_limit > pool->maps_other)
          ? (pool->maps_limit - pool->maps_other) / NGX_HTTP_JSFN_MAPS_PLAN
          : 0;

    if (pool->max <= cap) {
        return;
    }

    /* what vm.max_map_count would let the configured number stay */
    want = (pool->max * NGX_HTTP_JSFN_MAPS_PLAN + pool->maps_other) / 9 * 10
           + 1024;

    level = sized ? NGX_LOG_NOTICE : NGX_LOG_WARN;

    ngx_log_error(level, cycle->log, 0,
                  "js_function_max_isolates %ui lowered to %ui in this"
                  " worker: an isolate takes about %d memory mappings,"
                  " more as its heap grows, and vm.max_map_count is %ui"
                  " (\"sysctl -w vm.max_map_count=%ui\" raises it)",
                  pool->max, cap, NGX_HTTP_JSFN_MAPS_PLAN,
                  pool->max_map_count, want);

    pool->max = cap;
}


/* the lines of /proc/self/maps, NGX_ERROR when it cannot be read */
static ngx_int_t
ngx_http_jsfn_pool_maps_count(void)
{
    u_char     *p, *last;
    ssize_t     n;
    ngx_fd_t    fd;
    ngx_int_t   lines;
    u_char      buf[65536];

    fd = ngx_open_file("/proc/self/maps", NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        return NGX_ERROR;
    }

    lines = 0;

    for ( ;; ) {
        n = ngx_read_fd(fd, buf, sizeof(buf));

        if (n <= 0) {
            break;
        }

        last = buf + n;

        for (p = buf; p < last; p++) {
            p = ngx_strlchr(p, last, LF);
            if (p == NULL) {
                break;
            }

            lines++;
        }
    }

    ngx_close_file(fd);

    return (n == 0) ? lines : NGX_ERROR;
}


/* whether "room" more new isolates would pass the worker's mappings */
static ngx_uint_t
ngx_http_jsfn_pool_maps_full(ngx_http_jsfn_pool_t *pool, ngx_uint_t room)
{
    return pool->maps_limit
           && pool->maps_other + pool->maps + room * NGX_HTTP_JSFN_MAPS_NEW
              > pool->maps_limit;
}


/*
 * nginx counts a timer from ngx_current_msec, the time its event loop's
 * turn began; JS that ran since (a cold start, a slow handler) would see
 * setTimeout(fn, 50) fire before 50 ms had passed since it was called
 * (as soon as anything woke the loop).  The time gone since the turn began
 * is added, read from the clock nginx reads (the wall clock in older
 * nginx, the monotonic one since: whichever is just ahead of it).
 */
ngx_msec_t
ngx_http_jsfn_timer_late(void)
{
    ngx_msec_t       now, late;
    struct timeval   tv;
#if (NGX_HAVE_CLOCK_MONOTONIC)
    struct timespec  ts;
#endif

    late = 0;

    ngx_gettimeofday(&tv);
    now = (ngx_msec_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;

    if (now - ngx_current_msec < 10000) {
        late = now - ngx_current_msec;
    }

#if (NGX_HAVE_CLOCK_MONOTONIC)
    /* the precise clock: the coarse one can lag by tens of ms under load */
    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    now = (ngx_msec_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;

    if (now - ngx_current_msec < 10000 && now - ngx_current_msec > late) {
        late = now - ngx_current_msec;
    }
#endif

    return late;
}


/* JS timers (setTimeout) on nginx's timer tree; they belong to the isolate */
ngx_int_t
ngx_http_jsfn_timer_start(ngx_http_jsfn_isolate_t *isolate, uint32_t id,
    ngx_msec_t ms)
{
    ngx_queue_t            *q;
    ngx_http_jsfn_timer_t  *t;

    if (!ngx_queue_empty(&isolate->free)) {
        q = ngx_queue_head(&isolate->free);
        ngx_queue_remove(q);
        t = ngx_queue_data(q, ngx_http_jsfn_timer_t, queue);
        ngx_memzero(t, sizeof(ngx_http_jsfn_timer_t));

    } else {
        t = ngx_pcalloc(isolate->pool, sizeof(ngx_http_jsfn_timer_t));
        if (t == NULL) {
            return NGX_ERROR;
        }
    }

    t->id = id;
    t->isolate = isolate;
    t->ev.handler = ngx_http_jsfn_timer_handler;
    t->ev.data = t;
    t->ev.log = ngx_cycle->log;

    /* a graceful shutdown does not wait for JS timers */
    t->ev.cancelable = 1;

    ngx_queue_insert_tail(&isolate->timers, &t->queue);

    /*
     * At least 1 ms: nginx's clock stands still while it runs expired
     * timers, so a 0 ms timer armed from a timer callback would be expired
     * at once, again and again, and the event loop would never turn.
     */
    ngx_add_timer(&t->ev, (ms ? ms : 1) + ngx_http_jsfn_timer_late());

    return NGX_OK;
}


void
ngx_http_jsfn_timer_stop(ngx_http_jsfn_isolate_t *isolate, uint32_t id)
{
    ngx_queue_t            *q;
    ngx_http_jsfn_timer_t  *t;

    for (q = ngx_queue_head(&isolate->timers);
         q != ngx_queue_sentinel(&isolate->timers);
         q = ngx_queue_next(q))
    {
        t = ngx_queue_data(q, ngx_http_jsfn_timer_t, queue);

        if (t->id == id) {
            if (t->ev.timer_set) {
                ngx_del_timer(&t->ev);
            }

            ngx_queue_remove(q);
            ngx_queue_insert_head(&isolate->free, q);
            return;
        }
    }
}


static void
ngx_http_jsfn_timer_handler(ngx_event_t *ev)
{
    uint32_t                  id;
    ngx_http_jsfn_timer_t    *t;
    ngx_http_jsfn_isolate_t  *isolate;

    t = ev->data;
    id = t->id;
    isolate = t->isolate;

    /* the slot is free before JS runs: the callback may arm new timers */
    ngx_queue_remove(&t->queue);
    ngx_queue_insert_head(&isolate->free, &t->queue);

    ngx_http_jsfn_engine_timer(isolate, id);
}
