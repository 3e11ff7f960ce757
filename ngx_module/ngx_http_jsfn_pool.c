
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


/* This worker's isolates, one per function file. */
typedef struct {
    ngx_rbtree_t                rbtree;
    ngx_rbtree_node_t           sentinel;
    ngx_queue_t                 lru;
    ngx_uint_t                  count;
} ngx_http_jsfn_pool_t;


static void ngx_http_jsfn_pool_free(ngx_http_jsfn_isolate_t *isolate);
static void ngx_http_jsfn_timer_handler(ngx_event_t *ev);


/* the worker's only global: its pool, in cycle->pool */
static ngx_http_jsfn_pool_t  *ngx_http_jsfn_pool;


ngx_int_t
ngx_http_jsfn_pool_init(ngx_cycle_t *cycle)
{
    ngx_http_jsfn_pool_t  *pool;

    pool = ngx_pcalloc(cycle->pool, sizeof(ngx_http_jsfn_pool_t));
    if (pool == NULL) {
        return NGX_ERROR;
    }

    ngx_rbtree_init(&pool->rbtree, &pool->sentinel,
                    ngx_str_rbtree_insert_value);
    ngx_queue_init(&pool->lru);

    ngx_http_jsfn_pool = pool;

    return NGX_OK;
}


void
ngx_http_jsfn_pool_done(ngx_cycle_t *cycle)
{
    ngx_queue_t              *q;
    ngx_http_jsfn_isolate_t  *isolate;

    if (ngx_http_jsfn_pool == NULL) {
        return;
    }

    while (!ngx_queue_empty(&ngx_http_jsfn_pool->lru)) {
        q = ngx_queue_head(&ngx_http_jsfn_pool->lru);
        isolate = ngx_queue_data(q, ngx_http_jsfn_isolate_t, queue);
        ngx_http_jsfn_pool_free(isolate);
    }

    ngx_http_jsfn_pool = NULL;
}


/*
 * The isolate for the function at "path", created on first use (a cold
 * start).  On failure the reason is logged and *status says what to answer.
 */
ngx_http_jsfn_isolate_t *
ngx_http_jsfn_pool_get(ngx_http_request_t *r, ngx_str_t *path,
    ngx_str_t *root, ngx_int_t *status)
{
    uint32_t                  hash;
    ngx_int_t                 rc;
    ngx_pool_t               *pool;
    ngx_http_jsfn_isolate_t  *isolate;

    if (ngx_http_jsfn_pool == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "js_function: the engine is not running in this"
                      " process");
        *status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }

    hash = ngx_crc32_long(path->data, path->len);

    isolate = (ngx_http_jsfn_isolate_t *)
              ngx_str_rbtree_lookup(&ngx_http_jsfn_pool->rbtree, path, hash);

    if (isolate != NULL) {
        ngx_queue_remove(&isolate->queue);
        ngx_queue_insert_head(&ngx_http_jsfn_pool->lru, &isolate->queue);
        isolate->inflight++;
        return isolate;
    }

    pool = ngx_create_pool(1024, ngx_cycle->log);
    if (pool == NULL) {
        *status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }

    isolate = ngx_pcalloc(pool, sizeof(ngx_http_jsfn_isolate_t));
    if (isolate == NULL) {
        ngx_destroy_pool(pool);
        *status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }

    isolate->pool = pool;
    isolate->sn.str.len = path->len;
    isolate->sn.str.data = ngx_pnalloc(pool, path->len + 1);
    if (isolate->sn.str.data == NULL) {
        ngx_destroy_pool(pool);
        *status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }

    ngx_memcpy(isolate->sn.str.data, path->data, path->len);
    isolate->sn.str.data[path->len] = '\0';
    isolate->sn.node.key = hash;

    ngx_queue_init(&isolate->timers);
    ngx_queue_init(&isolate->free);

    rc = ngx_http_jsfn_engine_load(isolate, r->connection->log, root);
    if (rc != NGX_OK) {
        ngx_destroy_pool(pool);
        *status = rc;
        return NULL;
    }

    ngx_rbtree_insert(&ngx_http_jsfn_pool->rbtree, &isolate->sn.node);
    ngx_queue_insert_head(&ngx_http_jsfn_pool->lru, &isolate->queue);
    ngx_http_jsfn_pool->count++;

    isolate->inflight++;

    return isolate;
}


/* a request is done with the isolate: balances ngx_http_jsfn_pool_get() */
void
ngx_http_jsfn_pool_release(ngx_http_jsfn_isolate_t *isolate)
{
    isolate->inflight--;
}


static void
ngx_http_jsfn_pool_free(ngx_http_jsfn_isolate_t *isolate)
{
    ngx_queue_t            *q;
    ngx_http_jsfn_timer_t  *t;

    for (q = ngx_queue_head(&isolate->timers);
         q != ngx_queue_sentinel(&isolate->timers);
         q = ngx_queue_next(q))
    {
        t = ngx_queue_data(q, ngx_http_jsfn_timer_t, queue);

        if (t->ev.timer_set) {
            ngx_del_timer(&t->ev);
        }
    }

    ngx_rbtree_delete(&ngx_http_jsfn_pool->rbtree, &isolate->sn.node);
    ngx_queue_remove(&isolate->queue);
    ngx_http_jsfn_pool->count--;

    ngx_http_jsfn_engine_free(isolate);
    ngx_destroy_pool(isolate->pool);
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
    ngx_add_timer(&t->ev, ms);

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
