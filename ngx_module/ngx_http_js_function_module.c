
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


static ngx_int_t ngx_http_jsfn_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_jsfn_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_jsfn_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_jsfn_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_jsfn_init_process(ngx_cycle_t *cycle);
static void ngx_http_jsfn_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_jsfn_commands[] = {

    { ngx_string("js_function"),
      NGX_HTTP_LOC_CONF|NGX_HTTP_LIF_CONF|NGX_CONF_TAKE1,
      ngx_http_jsfn_function,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("js_function_env"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_jsfn_env,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("js_function_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, timeout),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_jsfn_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_jsfn_postconfiguration,       /* postconfiguration */

    ngx_http_jsfn_create_main_conf,        /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_jsfn_create_loc_conf,         /* create location configuration */
    ngx_http_jsfn_merge_loc_conf           /* merge location configuration */
};


ngx_module_t  ngx_http_js_function_module = {
    NGX_MODULE_V1,
    &ngx_http_jsfn_module_ctx,             /* module context */
    ngx_http_jsfn_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_jsfn_init_process,            /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_jsfn_exit_process,            /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_jsfn_postconfiguration(ngx_conf_t *cf)
{
    ngx_http_jsfn_main_conf_t  *jmcf;

    jmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_js_function_module);

    /* syntax and import errors of fixed paths fail nginx -t */
    return ngx_http_jsfn_engine_check(cf, jmcf);
}


static void *
ngx_http_jsfn_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_jsfn_main_conf_t  *jmcf;

    jmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_jsfn_main_conf_t));
    if (jmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     jmcf->checks = NULL;
     *     jmcf->functions = 0;
     */

    return jmcf;
}


static void *
ngx_http_jsfn_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_jsfn_loc_conf_t  *jlcf;

    jlcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_jsfn_loc_conf_t));
    if (jlcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     jlcf->path = NULL;
     *     jlcf->root = { 0, NULL };
     *     jlcf->env = NULL;
     *     jlcf->variable = 0;
     */

    jlcf->timeout = NGX_CONF_UNSET_MSEC;

    return jlcf;
}


static char *
ngx_http_jsfn_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_jsfn_loc_conf_t *prev = parent;
    ngx_http_jsfn_loc_conf_t *conf = child;

    ngx_conf_merge_msec_value(conf->timeout, prev->timeout,
                              NGX_HTTP_JSFN_DEFAULT_TIMEOUT);

    if (ngx_http_jsfn_merge_env(cf, prev, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_jsfn_init_process(ngx_cycle_t *cycle)
{
    ngx_http_jsfn_main_conf_t  *jmcf;

    /* cache managers and helpers never run functions: no V8 there */
    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    jmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_js_function_module);
    if (jmcf == NULL || jmcf->functions == 0) {
        return NGX_OK;
    }

    if (ngx_http_jsfn_engine_init(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_jsfn_pool_init(cycle);
}


static void
ngx_http_jsfn_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_jsfn_pool_done(cycle);
    ngx_http_jsfn_engine_done(cycle);
}
