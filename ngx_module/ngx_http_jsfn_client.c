
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


ngx_int_t
ngx_http_jsfn_client_start(ngx_http_jsfn_fetch_t *f, const jsfn_fetch_t *req,
    jsfn_err_t *err)
{
    err->len = ngx_sprintf((u_char *) err->msg, "fetch to other origins is"
                           " not available yet%Z") - (u_char *) err->msg - 1;
    return NGX_ERROR;
}
