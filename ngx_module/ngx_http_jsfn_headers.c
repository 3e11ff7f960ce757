
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


/*
 * A function's response head onto r->headers_out.  Nothing from the engine
 * is trusted: status, reason phrase and every header are checked here.
 * The strings live in the call, which lives as long as the request.
 */
ngx_int_t
ngx_http_jsfn_headers_out(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    jsfn_response_t *resp)
{
    size_t            i;
    ngx_str_t         name, value;
    ngx_table_elt_t  *h;

    r->headers_out.status = resp->status;

    if (resp->status_text.len) {
        r->headers_out.status_line.data = ngx_pnalloc(r->pool,
                                              NGX_INT_T_LEN + 1
                                              + resp->status_text.len);
        if (r->headers_out.status_line.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        r->headers_out.status_line.len = ngx_sprintf(
            r->headers_out.status_line.data, "%03i %*s", resp->status,
            resp->status_text.len, resp->status_text.data)
            - r->headers_out.status_line.data;
    }

    /* the strings live in the call, which lives as long as the request */

    for (i = 0; i < resp->nheaders; i++) {
        name.data = (u_char *) resp->headers[2 * i].data;
        name.len = resp->headers[2 * i].len;
        value.data = (u_char *) resp->headers[2 * i + 1].data;
        value.len = resp->headers[2 * i + 1].len;

        if (name.len == sizeof("content-type") - 1
            && ngx_strncasecmp(name.data, (u_char *) "content-type",
                               name.len) == 0)
        {
            r->headers_out.content_type = value;
            r->headers_out.content_type_len = value.len;
            continue;
        }

        /* framing is nginx's: hop-by-hop headers and lengths are dropped */
        if ((name.len == sizeof("content-length") - 1
             && ngx_strncasecmp(name.data, (u_char *) "content-length",
                                name.len) == 0)
            || (name.len == sizeof("transfer-encoding") - 1
                && ngx_strncasecmp(name.data, (u_char *) "transfer-encoding",
                                   name.len) == 0)
            || (name.len == sizeof("connection") - 1
                && ngx_strncasecmp(name.data, (u_char *) "connection",
                                   name.len) == 0)
            || (name.len == sizeof("keep-alive") - 1
                && ngx_strncasecmp(name.data, (u_char *) "keep-alive",
                                   name.len) == 0))
        {
            continue;
        }

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        h->key = name;
        h->value = value;
        h->lowcase_key = NULL;
    }

    return NGX_OK;
}
