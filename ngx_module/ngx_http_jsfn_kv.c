
/*
 * Copyright (C) The js_function module authors.
 */


/*
 * js_function_kv NAME zone=ZONE[:SIZE] [evict];
 *
 * env.NAME of the location's functions is a KV namespace kept in the shared
 * memory zone ZONE, which every worker sees.  The zone holds a red-black
 * tree of entries ordered by their key's bytes (list() walks it in order)
 * and a queue of them, most recently used first.  Every operation takes the
 * slab pool's mutex for its whole length: what one worker writes, the next
 * reader in any worker sees; of two writers, the last wins.
 *
 * An entry is one slab allocation: the node, then the key, the metadata and
 * the value.  A put that finds no room removes the entries that have expired;
 * with "evict", then the least recently used ones too; without, it fails
 * and the zone is left as it was.
 *
 * Everything the engine hands over (key, value, metadata, cursor, limit,
 * expiration) is checked again here before it reaches the zone.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


#define NGX_HTTP_JSFN_KV_MAGIC     0x6a73666e6b76ULL

/* the latest expiration taken: year 2500, in seconds since the epoch */
#define NGX_HTTP_JSFN_KV_MAX_TIME  16725225600ULL


typedef struct {
    ngx_rbtree_t                rbtree;
    ngx_rbtree_node_t           sentinel;
    ngx_queue_t                 lru;       /* most recently used first */
} ngx_http_jsfn_kv_sh_t;


/* an entry: node.key is the key's first bytes, big-endian */
typedef struct {
    ngx_rbtree_node_t           node;
    ngx_queue_t                 queue;
    uint64_t                    expire;    /* ms since the epoch, 0: never */
    size_t                      size;      /* bytes allocated */
    size_t                      value_len;
    uint16_t                    key_len;
    uint16_t                    meta_len;
    uint16_t                    has_meta;
    u_char                      data[1];   /* key, metadata, value */
} ngx_http_jsfn_kv_node_t;


/* a zone: the handle the engine is given (jsfn_kv_binding_t.ns) */
typedef struct {
    uint64_t                    magic;
    ngx_http_jsfn_kv_sh_t      *sh;
    ngx_slab_pool_t            *shpool;
    ngx_shm_zone_t             *shm_zone;
    ngx_flag_t                  evict;
} ngx_http_jsfn_kv_zone_t;


static ngx_int_t ngx_http_jsfn_kv_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void ngx_http_jsfn_kv_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
static ngx_rbtree_key_t ngx_http_jsfn_kv_prefix(u_char *key, size_t len);
static ngx_int_t ngx_http_jsfn_kv_cmp(ngx_http_jsfn_kv_node_t *kn,
    ngx_rbtree_key_t pk, u_char *key, size_t len);
static ngx_http_jsfn_kv_node_t *ngx_http_jsfn_kv_find(
    ngx_http_jsfn_kv_zone_t *ctx, u_char *key, size_t len);
static ngx_http_jsfn_kv_node_t *ngx_http_jsfn_kv_first(
    ngx_http_jsfn_kv_zone_t *ctx, u_char *key, size_t len, ngx_uint_t after);
static void ngx_http_jsfn_kv_remove(ngx_http_jsfn_kv_zone_t *ctx,
    ngx_http_jsfn_kv_node_t *kn);
static void *ngx_http_jsfn_kv_alloc(ngx_http_jsfn_kv_zone_t *ctx,
    size_t size, uint64_t now);
static uint64_t ngx_http_jsfn_kv_now(void);
static int ngx_http_jsfn_kv_get(ngx_http_jsfn_kv_zone_t *ctx,
    const jsfn_kv_op_t *op, jsfn_kv_result_t *res, jsfn_err_t *err);
static int ngx_http_jsfn_kv_put(ngx_http_jsfn_kv_zone_t *ctx,
    const jsfn_kv_op_t *op, jsfn_err_t *err);
static int ngx_http_jsfn_kv_list(ngx_http_jsfn_kv_zone_t *ctx,
    const jsfn_kv_op_t *op, jsfn_kv_result_t *res, jsfn_err_t *err);
static int ngx_http_jsfn_kv_error(jsfn_err_t *err, const char *fmt, ...);


/* the zones' tag: only js_function_kv zones are ours to read */
static ngx_uint_t  ngx_http_jsfn_kv_tag;


char *
ngx_http_jsfn_kv(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jsfn_loc_conf_t *jlcf = conf;

    u_char                   *p;
    ssize_t                   size;
    ngx_str_t                *value, name, s;
    ngx_uint_t                i, evict;
    ngx_shm_zone_t           *shm_zone;
    jsfn_kv_binding_t        *b;
    ngx_http_jsfn_kv_zone_t  *ctx;

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "js_function_kv: empty name");
        return NGX_CONF_ERROR;
    }

    name.len = 0;
    size = 0;
    evict = 0;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "zone=", 5) == 0) {
            name.data = value[i].data + 5;
            p = (u_char *) ngx_strlchr(name.data,
                                       value[i].data + value[i].len, ':');

            if (p == NULL) {
                name.len = value[i].len - 5;

            } else {
                name.len = p - name.data;
                s.data = p + 1;
                s.len = value[i].data + value[i].len - s.data;

                size = ngx_parse_size(&s);

                if (size == NGX_ERROR) {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "js_function_kv: invalid zone size"
                                       " \"%V\"", &value[i]);
                    return NGX_CONF_ERROR;
                }

                if (size < (ssize_t) (8 * ngx_pagesize)) {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "js_function_kv: zone \"%V\" is too"
                                       " small (at least %uzk)", &name,
                                       8 * ngx_pagesize / 1024);
                    return NGX_CONF_ERROR;
                }
            }

            continue;
        }

        if (value[i].len == 5 && ngx_strncmp(value[i].data, "evict", 5) == 0)
        {
            evict = 1;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "js_function_kv: invalid parameter \"%V\"",
                           &value[i]);
        return NGX_CONF_ERROR;
    }

    if (name.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "js_function_kv: \"%V\" needs zone=NAME:SIZE",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    /*
     * The first mention with a size declares the zone; the others may name
     * it alone (zone=NAME).  nginx refuses two different sizes, and a zone
     * named but never given a size ("zero size shared memory zone").
     */
    shm_zone = ngx_shared_memory_add(cf, &name, size, &ngx_http_jsfn_kv_tag);
    if (shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    ctx = shm_zone->data;

    if (ctx == NULL) {
        ctx = ngx_pcalloc(cf->pool, sizeof(ngx_http_jsfn_kv_zone_t));
        if (ctx == NULL) {
            return NGX_CONF_ERROR;
        }

        /*
         * set by ngx_pcalloc():
         *
         *     ctx->sh = NULL;
         *     ctx->shpool = NULL;
         *     ctx->evict = 0;
         */

        ctx->magic = NGX_HTTP_JSFN_KV_MAGIC;
        ctx->shm_zone = shm_zone;

        shm_zone->init = ngx_http_jsfn_kv_init_zone;
        shm_zone->data = ctx;
    }

    if (evict) {
        ctx->evict = 1;
    }

    if (jlcf->kv == NULL) {
        jlcf->kv = ngx_array_create(cf->pool, 2, sizeof(jsfn_kv_binding_t));
        if (jlcf->kv == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    b = jlcf->kv->elts;
    for (i = 0; i < jlcf->kv->nelts; i++) {
        if (b[i].name.len == value[1].len
            && ngx_strncmp(b[i].name.data, value[1].data, value[1].len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "js_function_kv: \"%V\" is duplicate",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    b = ngx_array_push(jlcf->kv);
    if (b == NULL) {
        return NGX_CONF_ERROR;
    }

    b->name.data = (const char *) value[1].data;
    b->name.len = value[1].len;
    b->ns = ctx;

    return NGX_CONF_OK;
}


/* a level's own bindings win; the rest are inherited from the outer level */
ngx_int_t
ngx_http_jsfn_merge_kv(ngx_conf_t *cf, ngx_http_jsfn_loc_conf_t *prev,
    ngx_http_jsfn_loc_conf_t *conf)
{
    ngx_uint_t          i, j;
    jsfn_kv_binding_t  *pb, *b, *e;

    if (prev->kv == NULL || prev->kv == conf->kv) {
        return NGX_OK;
    }

    if (conf->kv == NULL) {
        conf->kv = prev->kv;
        return NGX_OK;
    }

    pb = prev->kv->elts;

    for (i = 0; i < prev->kv->nelts; i++) {
        b = conf->kv->elts;

        for (j = 0; j < conf->kv->nelts; j++) {
            if (b[j].name.len == pb[i].name.len
                && ngx_strncmp(b[j].name.data, pb[i].name.data,
                               pb[i].name.len) == 0)
            {
                break;
            }
        }

        if (j < conf->kv->nelts) {
            continue;
        }

        e = ngx_array_push(conf->kv);
        if (e == NULL) {
            return NGX_ERROR;
        }

        *e = pb[i];
    }

    return NGX_OK;
}


/*
 * Runs in the master (or the single process) when the configuration is
 * applied.  On reload nginx keeps a zone of the same name, size and tag and
 * passes the old one's data: the entries live on.  A zone whose size
 * changed is a new, empty one.
 */
static ngx_int_t
ngx_http_jsfn_kv_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_jsfn_kv_zone_t  *octx = data;

    size_t                    len;
    ngx_http_jsfn_kv_zone_t  *ctx;

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

    ctx->sh = ngx_slab_alloc(ctx->shpool, sizeof(ngx_http_jsfn_kv_sh_t));
    if (ctx->sh == NULL) {
        return NGX_ERROR;
    }

    ctx->shpool->data = ctx->sh;

    ngx_rbtree_init(&ctx->sh->rbtree, &ctx->sh->sentinel,
                    ngx_http_jsfn_kv_insert);
    ngx_queue_init(&ctx->sh->lru);

    len = sizeof(" in js_function_kv zone \"\"") + shm_zone->shm.name.len;

    ctx->shpool->log_ctx = ngx_slab_alloc(ctx->shpool, len);
    if (ctx->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(ctx->shpool->log_ctx, " in js_function_kv zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* a full zone is a put() that fails (or evicts), not a log line */
    ctx->shpool->log_nomem = 0;

    return NGX_OK;
}


/* the first bytes of a key as a number that sorts as the bytes do */
static ngx_rbtree_key_t
ngx_http_jsfn_kv_prefix(u_char *key, size_t len)
{
    size_t            i;
    ngx_rbtree_key_t  k;

    k = 0;

    for (i = 0; i < sizeof(ngx_rbtree_key_t); i++) {
        k = (k << 8) | (i < len ? key[i] : 0);
    }

    return k;
}


/* <0, 0, >0: the entry's key sorts before, as, after the key */
static ngx_int_t
ngx_http_jsfn_kv_cmp(ngx_http_jsfn_kv_node_t *kn, ngx_rbtree_key_t pk,
    u_char *key, size_t len)
{
    ngx_int_t  rc;

    if (kn->node.key != pk) {
        return kn->node.key < pk ? -1 : 1;
    }

    rc = ngx_memcmp(kn->data, key, ngx_min((size_t) kn->key_len, len));

    if (rc != 0) {
        return rc;
    }

    return (ngx_int_t) ((size_t) kn->key_len > len)
           - (ngx_int_t) ((size_t) kn->key_len < len);
}


static void
ngx_http_jsfn_kv_insert(ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t       **p;
    ngx_http_jsfn_kv_node_t  *kn;

    kn = (ngx_http_jsfn_kv_node_t *) node;

    for ( ;; ) {
        p = ngx_http_jsfn_kv_cmp((ngx_http_jsfn_kv_node_t *) temp, node->key,
                                 kn->data, kn->key_len) > 0
            ? &temp->left : &temp->right;

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


static ngx_http_jsfn_kv_node_t *
ngx_http_jsfn_kv_find(ngx_http_jsfn_kv_zone_t *ctx, u_char *key, size_t len)
{
    ngx_int_t           rc;
    ngx_rbtree_key_t    pk;
    ngx_rbtree_node_t  *node, *sentinel;

    pk = ngx_http_jsfn_kv_prefix(key, len);
    node = ctx->sh->rbtree.root;
    sentinel = ctx->sh->rbtree.sentinel;

    while (node != sentinel) {
        rc = ngx_http_jsfn_kv_cmp((ngx_http_jsfn_kv_node_t *) node, pk, key,
                                  len);
        if (rc == 0) {
            return (ngx_http_jsfn_kv_node_t *) node;
        }

        node = rc > 0 ? node->left : node->right;
    }

    return NULL;
}


/* the first entry whose key sorts after (or as, unless "after") the key */
static ngx_http_jsfn_kv_node_t *
ngx_http_jsfn_kv_first(ngx_http_jsfn_kv_zone_t *ctx, u_char *key, size_t len,
    ngx_uint_t after)
{
    ngx_int_t           rc;
    ngx_rbtree_key_t    pk;
    ngx_rbtree_node_t  *node, *sentinel, *found;

    pk = ngx_http_jsfn_kv_prefix(key, len);
    node = ctx->sh->rbtree.root;
    sentinel = ctx->sh->rbtree.sentinel;
    found = NULL;

    while (node != sentinel) {
        rc = ngx_http_jsfn_kv_cmp((ngx_http_jsfn_kv_node_t *) node, pk, key,
                                  len);
        if (rc > 0 || (rc == 0 && !after)) {
            found = node;
            node = node->left;

        } else {
            node = node->right;
        }
    }

    return (ngx_http_jsfn_kv_node_t *) found;
}


static void
ngx_http_jsfn_kv_remove(ngx_http_jsfn_kv_zone_t *ctx,
    ngx_http_jsfn_kv_node_t *kn)
{
    ngx_rbtree_delete(&ctx->sh->rbtree, &kn->node);
    ngx_queue_remove(&kn->queue);
    ngx_slab_free_locked(ctx->shpool, kn);
}


/*
 * Room for an entry, the pool locked: when there is none, the expired
 * entries go (a walk of them all, only then), then with "evict" the least
 * recently used, one at a time until it fits.
 */
static void *
ngx_http_jsfn_kv_alloc(ngx_http_jsfn_kv_zone_t *ctx, size_t size,
    uint64_t now)
{
    void                     *p;
    ngx_queue_t              *q, *prev;
    ngx_http_jsfn_kv_node_t  *kn;

    p = ngx_slab_alloc_locked(ctx->shpool, size);
    if (p != NULL) {
        return p;
    }

    for (q = ngx_queue_last(&ctx->sh->lru);
         q != ngx_queue_sentinel(&ctx->sh->lru);
         q = prev)
    {
        prev = ngx_queue_prev(q);
        kn = ngx_queue_data(q, ngx_http_jsfn_kv_node_t, queue);

        if (kn->expire && kn->expire <= now) {
            ngx_http_jsfn_kv_remove(ctx, kn);
        }
    }

    p = ngx_slab_alloc_locked(ctx->shpool, size);

    /* what the whole zone cannot hold evicts nothing */
    if (size > (size_t) (ctx->shpool->end - ctx->shpool->start)) {
        return p;
    }

    while (p == NULL && ctx->evict && !ngx_queue_empty(&ctx->sh->lru)) {
        q = ngx_queue_last(&ctx->sh->lru);
        kn = ngx_queue_data(q, ngx_http_jsfn_kv_node_t, queue);
        ngx_http_jsfn_kv_remove(ctx, kn);

        p = ngx_slab_alloc_locked(ctx->shpool, size);
    }

    return p;
}


/* the wall clock in ms: expirations are absolute, shared by all workers */
static uint64_t
ngx_http_jsfn_kv_now(void)
{
    ngx_time_t  *tp;

    tp = ngx_timeofday();

    return (uint64_t) tp->sec * 1000 + tp->msec;
}


/* the host callback jsfn_host_t.kv: runs on the worker's thread */
int
ngx_http_jsfn_kv_op(void *isolate_host, void *ns, const jsfn_kv_op_t *op,
    jsfn_kv_result_t *res, jsfn_err_t *err)
{
    ngx_http_jsfn_kv_node_t  *kn;
    ngx_http_jsfn_kv_zone_t  *ctx = ns;

    if (ctx == NULL || ctx->magic != NGX_HTTP_JSFN_KV_MAGIC
        || ctx->sh == NULL || op == NULL || res == NULL
        || op->alloc == NULL)
    {
        return ngx_http_jsfn_kv_error(err, "KV: not a namespace");
    }

    if (op->op != JSFN_KV_LIST
        && (op->key.len == 0 || op->key.len > JSFN_KV_MAX_KEY
            || op->key.data == NULL))
    {
        return ngx_http_jsfn_kv_error(err, "KV: invalid key");
    }

    switch (op->op) {

    case JSFN_KV_GET:
        return ngx_http_jsfn_kv_get(ctx, op, res, err);

    case JSFN_KV_PUT:
        return ngx_http_jsfn_kv_put(ctx, op, err);

    case JSFN_KV_DELETE:
        ngx_shmtx_lock(&ctx->shpool->mutex);

        kn = ngx_http_jsfn_kv_find(ctx, (u_char *) op->key.data, op->key.len);

        res->found = (kn != NULL);

        if (kn != NULL) {
            ngx_http_jsfn_kv_remove(ctx, kn);
        }

        ngx_shmtx_unlock(&ctx->shpool->mutex);

        return 0;

    case JSFN_KV_LIST:
        return ngx_http_jsfn_kv_list(ctx, op, res, err);
    }

    return ngx_http_jsfn_kv_error(err, "KV: unknown operation");
}


static int
ngx_http_jsfn_kv_get(ngx_http_jsfn_kv_zone_t *ctx, const jsfn_kv_op_t *op,
    jsfn_kv_result_t *res, jsfn_err_t *err)
{
    u_char                   *p;
    uint64_t                  now;
    ngx_http_jsfn_kv_node_t  *kn;

    now = ngx_http_jsfn_kv_now();

    res->found = 0;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    kn = ngx_http_jsfn_kv_find(ctx, (u_char *) op->key.data, op->key.len);

    if (kn != NULL && kn->expire && kn->expire <= now) {
        ngx_http_jsfn_kv_remove(ctx, kn);
        kn = NULL;
    }

    if (kn == NULL) {
        ngx_shmtx_unlock(&ctx->shpool->mutex);
        return 0;
    }

    ngx_queue_remove(&kn->queue);
    ngx_queue_insert_head(&ctx->sh->lru, &kn->queue);

    /* copied into the isolate's own memory, the zone locked meanwhile */

    p = kn->data + kn->key_len;

    if (kn->has_meta) {
        res->metadata = op->alloc(op->alloc_ctx, kn->meta_len);
        if (res->metadata == NULL) {
            goto nomem;
        }

        ngx_memcpy(res->metadata, p, kn->meta_len);
        res->metadata_len = kn->meta_len;
    }

    res->value = op->alloc(op->alloc_ctx, kn->value_len);
    if (res->value == NULL) {
        goto nomem;
    }

    ngx_memcpy(res->value, p + kn->meta_len, kn->value_len);
    res->value_len = kn->value_len;
    res->expiration = kn->expire / 1000;
    res->found = 1;

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return 0;

nomem:

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return ngx_http_jsfn_kv_error(err, "KV GET failed: the value does not"
                                  " fit the function's memory");
}


static int
ngx_http_jsfn_kv_put(ngx_http_jsfn_kv_zone_t *ctx, const jsfn_kv_op_t *op,
    jsfn_err_t *err)
{
    size_t                    size, meta_len;
    uint64_t                  now, expire;
    ngx_http_jsfn_kv_node_t  *kn, *old;

    if (op->value.len > JSFN_KV_MAX_VALUE
        || (op->value.len && op->value.data == NULL))
    {
        return ngx_http_jsfn_kv_error(err, "KV PUT failed: 413 Value length"
                                      " of %uz exceeds limit of %uz.",
                                      op->value.len,
                                      (size_t) JSFN_KV_MAX_VALUE);
    }

    meta_len = op->metadata.data ? op->metadata.len : 0;

    if (meta_len > JSFN_KV_MAX_METADATA) {
        return ngx_http_jsfn_kv_error(err, "KV PUT failed: 413 Metadata"
                                      " length of %uz exceeds limit of %d.",
                                      meta_len, JSFN_KV_MAX_METADATA);
    }

    now = ngx_http_jsfn_kv_now();
    expire = 0;

    if (op->expiration) {
        if (op->expiration > NGX_HTTP_JSFN_KV_MAX_TIME
            || op->expiration * 1000 <= now)
        {
            return ngx_http_jsfn_kv_error(err, "KV PUT failed: 400 Invalid"
                                          " expiration of %uL. Please specify"
                                          " integer greater than the current"
                                          " number of seconds since the UNIX"
                                          " epoch.", op->expiration);
        }

        expire = op->expiration * 1000;
    }

    if (op->ttl) {
        if (op->ttl > NGX_HTTP_JSFN_KV_MAX_TIME) {
            return ngx_http_jsfn_kv_error(err, "KV PUT failed: 400 Invalid"
                                          " expiration_ttl of %uL.",
                                          op->ttl);
        }

        /* as Cloudflare's: expirationTtl wins over expiration */
        expire = now + op->ttl * 1000;
    }

    size = offsetof(ngx_http_jsfn_kv_node_t, data) + op->key.len + meta_len
           + op->value.len;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    old = ngx_http_jsfn_kv_find(ctx, (u_char *) op->key.data, op->key.len);

    if (old != NULL && old->size >= size) {
        /* in place: a value no larger needs no room (a full zone too) */
        kn = old;
        ngx_queue_remove(&kn->queue);

    } else {
        kn = ngx_http_jsfn_kv_alloc(ctx, size, now);

        if (kn == NULL) {
            ngx_shmtx_unlock(&ctx->shpool->mutex);

            return ngx_http_jsfn_kv_error(err, "KV PUT failed: 507 no room"
                                          " for %uz bytes in the"
                                          " js_function_kv zone \"%V\"",
                                          size, &ctx->shm_zone->shm.name);
        }

        /* eviction may have taken the old entry: look again */
        old = ngx_http_jsfn_kv_find(ctx, (u_char *) op->key.data,
                                    op->key.len);
        if (old != NULL) {
            ngx_http_jsfn_kv_remove(ctx, old);
        }

        kn->size = size;
        kn->key_len = (uint16_t) op->key.len;
        ngx_memcpy(kn->data, op->key.data, op->key.len);
        kn->node.key = ngx_http_jsfn_kv_prefix(kn->data, kn->key_len);

        ngx_rbtree_insert(&ctx->sh->rbtree, &kn->node);
    }

    kn->expire = expire;
    kn->value_len = op->value.len;
    kn->meta_len = (uint16_t) meta_len;
    kn->has_meta = (op->metadata.data != NULL);

    if (meta_len) {
        ngx_memcpy(kn->data + kn->key_len, op->metadata.data, meta_len);
    }

    if (op->value.len) {
        ngx_memcpy(kn->data + kn->key_len + meta_len, op->value.data,
                   op->value.len);
    }

    ngx_queue_insert_head(&ctx->sh->lru, &kn->queue);

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return 0;
}


/*
 * Keys in order of their bytes, from the first with the prefix or the first
 * after the cursor (the last key given before, base64url-encoded: nothing
 * in the zone is kept for it, so it stays valid across workers, reloads and
 * changes, and a forged one can only name a place to start from).
 */
static int
ngx_http_jsfn_kv_list(ngx_http_jsfn_kv_zone_t *ctx, const jsfn_kv_op_t *op,
    jsfn_kv_result_t *res, jsfn_err_t *err)
{
    u_char                    *p, *prefix;
    size_t                     n, len, plen;
    uint32_t                   u32;
    uint64_t                   now, u64;
    ngx_str_t                  cursor, src;
    ngx_uint_t                 i, nkeys, more;
    ngx_rbtree_node_t         *node;
    ngx_http_jsfn_kv_node_t   *kn;
    u_char                     buf[JSFN_KV_MAX_KEY + 4];
    ngx_http_jsfn_kv_node_t   *keys[JSFN_KV_MAX_LIST];

    if (op->limit == 0 || op->limit > JSFN_KV_MAX_LIST) {
        return ngx_http_jsfn_kv_error(err, "KV GET failed: 400 Invalid"
                                      " key_count_limit of %uz.", op->limit);
    }

    res->nkeys = 0;
    res->cursor.len = 0;

    prefix = (u_char *) op->key.data;
    plen = op->key.len;

    if (plen > JSFN_KV_MAX_KEY || (plen && prefix == NULL)) {
        return 0;                        /* no key is that long */
    }

    if (prefix == NULL) {
        prefix = (u_char *) "";
    }

    cursor.len = 0;
    cursor.data = buf;

    if (op->cursor.len) {
        src.data = (u_char *) op->cursor.data;
        src.len = op->cursor.len;

        if (src.data == NULL
            || src.len > ngx_base64_encoded_length(JSFN_KV_MAX_KEY)
            || ngx_decode_base64url(&cursor, &src) != NGX_OK
            || cursor.len == 0 || cursor.len > JSFN_KV_MAX_KEY)
        {
            return ngx_http_jsfn_kv_error(err, "KV GET failed: 400 Invalid"
                                          " cursor.");
        }
    }

    now = ngx_http_jsfn_kv_now();
    nkeys = 0;
    more = 0;
    len = 0;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    if (cursor.len
        && ngx_memn2cmp(cursor.data, prefix, cursor.len, plen) >= 0)
    {
        kn = ngx_http_jsfn_kv_first(ctx, cursor.data, cursor.len, 1);

    } else {
        kn = ngx_http_jsfn_kv_first(ctx, prefix, plen, 0);
    }

    node = kn ? &kn->node : NULL;

    while (node != NULL) {
        kn = (ngx_http_jsfn_kv_node_t *) node;

        if (kn->key_len < plen || ngx_memcmp(kn->data, prefix, plen) != 0) {
            break;                       /* past the keys with the prefix */
        }

        if (kn->expire == 0 || kn->expire > now) {
            if (nkeys == op->limit) {
                more = 1;
                break;
            }

            keys[nkeys++] = kn;
            len += 16 + kn->key_len + kn->meta_len;
        }

        node = ngx_rbtree_next(&ctx->sh->rbtree, node);
    }

    if (nkeys == 0) {
        ngx_shmtx_unlock(&ctx->shpool->mutex);
        return 0;
    }

    p = op->alloc(op->alloc_ctx, len);
    if (p == NULL) {
        ngx_shmtx_unlock(&ctx->shpool->mutex);
        return ngx_http_jsfn_kv_error(err, "KV GET failed: the list does not"
                                      " fit the function's memory");
    }

    res->list = (char *) p;
    res->list_len = len;

    for (i = 0; i < nkeys; i++) {
        kn = keys[i];

        u32 = kn->key_len;
        ngx_memcpy(p, &u32, 4);
        u32 = kn->has_meta ? kn->meta_len : 0xffffffff;
        ngx_memcpy(p + 4, &u32, 4);
        u64 = kn->expire / 1000;
        ngx_memcpy(p + 8, &u64, 8);
        p = ngx_cpymem(p + 16, kn->data, kn->key_len);
        p = ngx_cpymem(p, kn->data + kn->key_len, kn->meta_len);
    }

    res->nkeys = nkeys;

    if (more) {
        /* the last key given, copied while the zone is locked */
        kn = keys[nkeys - 1];
        src.data = buf;
        src.len = kn->key_len;
        ngx_memcpy(buf, kn->data, kn->key_len);

        ngx_shmtx_unlock(&ctx->shpool->mutex);

        n = ngx_base64_encoded_length(src.len);

        p = op->alloc(op->alloc_ctx, n);
        if (p == NULL) {
            return ngx_http_jsfn_kv_error(err, "KV GET failed: the list does"
                                          " not fit the function's memory");
        }

        cursor.data = p;
        ngx_encode_base64url(&cursor, &src);

        res->cursor.data = (const char *) cursor.data;
        res->cursor.len = cursor.len;

        return 0;
    }

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return 0;
}


static int
ngx_http_jsfn_kv_error(jsfn_err_t *err, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf((u_char *) err->msg, (u_char *) err->msg
                      + sizeof(err->msg) - 1, fmt, args);
    va_end(args);

    *p = '\0';
    err->len = p - (u_char *) err->msg;
    err->code = JSFN_ERR_JS;

    return -1;
}
