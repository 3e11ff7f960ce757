
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


/*
 * The wall around a function's response head, whatever the engine let
 * through: header fields, and bytes of the reason phrase, names and values
 * together.
 */
#define NGX_HTTP_JSFN_MAX_HEADERS       1000
#define NGX_HTTP_JSFN_MAX_HEADERS_SIZE  65536

/* bytes of an invalid header name quoted in the error log */
#define NGX_HTTP_JSFN_LOG_NAME_LEN      64


static ngx_int_t ngx_http_jsfn_headers_check(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, jsfn_response_t *resp);
static ngx_int_t ngx_http_jsfn_header_check(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, const jsfn_str_t *name,
    const jsfn_str_t *value);


/* RFC 9110 tchar: "!#$%&'*+-.^_`|~", digits and letters */
static uint32_t  ngx_http_jsfn_tchar[] = {
    0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */

                /* ?>=< ;:98 7654 3210  /.-, +*)( '&%$ #"!  */
    0x03ff6cfa, /* 0000 0011 1111 1111  0110 1100 1111 1010 */

                /* _^]\ [ZYX WVUT SRQP  ONML KJIH GFED CBA@ */
    0xc7fffffe, /* 1100 0111 1111 1111  1111 1111 1111 1110 */

                /*  ~}| {zyx wvut srqp  onml kjih gfed cba` */
    0x57ffffff, /* 0101 0111 1111 1111  1111 1111 1111 1111 */

    0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */
    0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */
    0x00000000, /* 0000 0000 0000 0000  0000 0000 0000 0000 */
    0x00000000  /* 0000 0000 0000 0000  0000 0000 0000 0000 */
};


/*
 * A function's response head onto r->headers_out.  Nothing from the engine
 * is trusted: the runtime's own checks run in JS, which a function can
 * defeat by replacing built-ins, so status, reason phrase and every header
 * are checked here before anything of the request is changed.
 * The strings live in the call, which lives as long as the request.
 */
ngx_int_t
ngx_http_jsfn_headers_out(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    jsfn_response_t *resp)
{
    size_t            i;
    ngx_int_t         rc;
    ngx_str_t         name, value;
    ngx_table_elt_t  *h;

    rc = ngx_http_jsfn_headers_check(r, ctx, resp);
    if (rc != NGX_OK) {
        return rc;
    }

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


static ngx_int_t
ngx_http_jsfn_headers_check(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    jsfn_response_t *resp)
{
    u_char     *p, *last;
    size_t      i, size;
    ngx_int_t   rc;

    if (resp->status < 200 || resp->status > 599) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "js_function \"%V\": invalid response status %d",
                      &ctx->path, resp->status);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (resp->nheaders > NGX_HTTP_JSFN_MAX_HEADERS) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "js_function \"%V\": too many response headers "
                      "(more than %d)", &ctx->path, NGX_HTTP_JSFN_MAX_HEADERS);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* each length is clamped: the sum cannot wrap */

    size = resp->status_text.len;

    for (i = 0; i < 2 * resp->nheaders; i++) {
        if (size > NGX_HTTP_JSFN_MAX_HEADERS_SIZE) {
            break;
        }

        size += ngx_min(resp->headers[i].len,
                        NGX_HTTP_JSFN_MAX_HEADERS_SIZE + 1);
    }

    if (size > NGX_HTTP_JSFN_MAX_HEADERS_SIZE) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "js_function \"%V\": response headers larger than "
                      "%d KB", &ctx->path,
                      NGX_HTTP_JSFN_MAX_HEADERS_SIZE / 1024);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* reason-phrase = *( HTAB / SP / VCHAR / obs-text ) */

    p = (u_char *) resp->status_text.data;
    last = p + resp->status_text.len;

    for ( /* void */ ; p < last; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "js_function \"%V\": invalid response status text",
                          &ctx->path);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    for (i = 0; i < resp->nheaders; i++) {
        rc = ngx_http_jsfn_header_check(r, ctx, &resp->headers[2 * i],
                                        &resp->headers[2 * i + 1]);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_jsfn_header_check(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    const jsfn_str_t *name, const jsfn_str_t *value)
{
    u_char  *p, *last, c;
    u_char   quoted[NGX_HTTP_JSFN_LOG_NAME_LEN * 3];
    size_t   len;

    /* field-name = token */

    p = (u_char *) name->data;
    last = p + name->len;

    if (p == last) {
        goto invalid;
    }

    for ( /* void */ ; p < last; p++) {
        c = *p;

        if (!(ngx_http_jsfn_tchar[c >> 5] & (1U << (c & 0x1f)))) {
            goto invalid;
        }
    }

    /* as the Fetch standard: any byte but NUL, CR and LF */

    p = (u_char *) value->data;
    last = p + value->len;

    for ( /* void */ ; p < last; p++) {
        if (*p == '\0' || *p == CR || *p == LF) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "js_function \"%V\": invalid value of response "
                          "header \"%*s\"", &ctx->path, name->len,
                          name->data);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return NGX_OK;

invalid:

    /* the name is quoted escaped: no control byte reaches the log */

    len = ngx_min(name->len, NGX_HTTP_JSFN_LOG_NAME_LEN);
    len = (u_char *) ngx_escape_uri(quoted, (u_char *) name->data, len,
                                    NGX_ESCAPE_URI)
          - quoted;

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "js_function \"%V\": invalid response header name \"%*s\"",
                  &ctx->path, len, quoted);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}
