
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


typedef ngx_int_t (*ngx_http_jsfn_header_pt)(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t offset);


typedef struct {
    ngx_str_t                   name;      /* lowercase */
    ngx_http_jsfn_header_pt     handler;
    ngx_uint_t                  offset;    /* in ngx_http_headers_out_t */
} ngx_http_jsfn_header_t;


static ngx_int_t ngx_http_jsfn_headers_check(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, jsfn_response_t *resp);
static ngx_int_t ngx_http_jsfn_header_check(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, const jsfn_str_t *name,
    const jsfn_str_t *value);
static ngx_table_elt_t *ngx_http_jsfn_header_push(ngx_http_request_t *r,
    ngx_table_elt_t *h);
static ngx_int_t ngx_http_jsfn_header_copy(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t offset);
static ngx_int_t ngx_http_jsfn_header_drop(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t offset);
static ngx_int_t ngx_http_jsfn_header_single(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t offset);
static ngx_int_t ngx_http_jsfn_header_multi(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t offset);
#if (nginx_version < 1023000)
static ngx_int_t ngx_http_jsfn_header_first(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t offset);
#endif
static ngx_int_t ngx_http_jsfn_content_type(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t offset);
static ngx_int_t ngx_http_jsfn_last_modified(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t offset);
static ngx_int_t ngx_http_jsfn_accept_ranges(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_uint_t offset);


/*
 * Where nginx keeps each header it knows, as ngx_http_upstream_headers_in[]
 * says for a proxied response.  Unlike proxy_pass, Date and Server are the
 * function's when it gives them, and nothing disables If-None-Match and
 * If-Modified-Since (r->disable_not_modified stays 0).
 */
static ngx_http_jsfn_header_t  ngx_http_jsfn_headers[] = {

    { ngx_string("content-type"), ngx_http_jsfn_content_type, 0 },

    { ngx_string("cache-control"), ngx_http_jsfn_header_multi,
      offsetof(ngx_http_headers_out_t, cache_control) },

    { ngx_string("etag"), ngx_http_jsfn_header_single,
      offsetof(ngx_http_headers_out_t, etag) },

    { ngx_string("last-modified"), ngx_http_jsfn_last_modified,
      offsetof(ngx_http_headers_out_t, last_modified) },

    { ngx_string("content-encoding"), ngx_http_jsfn_header_single,
      offsetof(ngx_http_headers_out_t, content_encoding) },

    { ngx_string("location"), ngx_http_jsfn_header_single,
      offsetof(ngx_http_headers_out_t, location) },

    { ngx_string("expires"), ngx_http_jsfn_header_single,
      offsetof(ngx_http_headers_out_t, expires) },

    { ngx_string("date"), ngx_http_jsfn_header_single,
      offsetof(ngx_http_headers_out_t, date) },

    { ngx_string("server"), ngx_http_jsfn_header_single,
      offsetof(ngx_http_headers_out_t, server) },

    { ngx_string("link"), ngx_http_jsfn_header_multi,
      offsetof(ngx_http_headers_out_t, link) },

#if (nginx_version >= 1023000)
    { ngx_string("www-authenticate"), ngx_http_jsfn_header_multi,
      offsetof(ngx_http_headers_out_t, www_authenticate) },
#else
    { ngx_string("www-authenticate"), ngx_http_jsfn_header_first,
      offsetof(ngx_http_headers_out_t, www_authenticate) },
#endif

    { ngx_string("accept-ranges"), ngx_http_jsfn_accept_ranges,
      offsetof(ngx_http_headers_out_t, accept_ranges) },

    { ngx_string("content-range"), ngx_http_jsfn_header_single,
      offsetof(ngx_http_headers_out_t, content_range) },

    { ngx_string("refresh"), ngx_http_jsfn_header_single,
      offsetof(ngx_http_headers_out_t, refresh) },

    /*
     * nginx frames the body (content_length_n is set from the body) and
     * owns the connection; connection-specific fields (RFC 9110 7.6.1)
     * would also make an HTTP/2 or HTTP/3 response malformed.  Upgrade
     * needs 101 or "Connection: upgrade", neither of which is the
     * function's to give.
     */
    { ngx_string("content-length"), ngx_http_jsfn_header_drop, 0 },
    { ngx_string("transfer-encoding"), ngx_http_jsfn_header_drop, 0 },
    { ngx_string("connection"), ngx_http_jsfn_header_drop, 0 },
    { ngx_string("keep-alive"), ngx_http_jsfn_header_drop, 0 },
    { ngx_string("proxy-connection"), ngx_http_jsfn_header_drop, 0 },
    { ngx_string("upgrade"), ngx_http_jsfn_header_drop, 0 },
    { ngx_string("te"), ngx_http_jsfn_header_drop, 0 },

    /* the others, Set-Cookie and Vary among them, as they are */
    { ngx_null_string, ngx_http_jsfn_header_copy, 0 }
};


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
 * are checked here before anything of the request is changed.  Then each
 * header goes where nginx keeps it, as ngx_http_upstream.c does for a
 * proxied response, so that nginx's filters see function responses as
 * their own.  The strings live in the call, which lives as long as the
 * request.
 */
ngx_int_t
ngx_http_jsfn_headers_out(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    jsfn_response_t *resp)
{
    u_char                  *low;
    size_t                   i, len;
    ngx_int_t                rc;
    ngx_table_elt_t          h;
    ngx_http_jsfn_header_t  *hh;

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

    if (resp->nheaders == 0) {
        return NGX_OK;
    }

    /* the lowercase names, all in one piece */

    len = 0;

    for (i = 0; i < resp->nheaders; i++) {
        len += resp->headers[2 * i].len;
    }

    low = ngx_pnalloc(r->pool, len);
    if (low == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < resp->nheaders; i++) {
        h.key.data = (u_char *) resp->headers[2 * i].data;
        h.key.len = resp->headers[2 * i].len;
        h.value.data = (u_char *) resp->headers[2 * i + 1].data;
        h.value.len = resp->headers[2 * i + 1].len;

        /* OWS around a field value is not part of it */

        while (h.value.len
               && (h.value.data[0] == ' ' || h.value.data[0] == '\t'))
        {
            h.value.data++;
            h.value.len--;
        }

        while (h.value.len
               && (h.value.data[h.value.len - 1] == ' '
                   || h.value.data[h.value.len - 1] == '\t'))
        {
            h.value.len--;
        }

        h.lowcase_key = low;
        h.hash = ngx_hash_strlow(low, h.key.data, h.key.len);
        low += h.key.len;

        if (h.hash == 0) {
            /* 0 marks a deleted entry for nginx's filters */
            h.hash = 1;
        }

#if (nginx_version >= 1023000)
        h.next = NULL;
#endif

        for (hh = ngx_http_jsfn_headers; hh->name.len; hh++) {
            if (hh->name.len == h.key.len
                && ngx_strncmp(hh->name.data, h.lowcase_key, h.key.len) == 0)
            {
                break;
            }
        }

        if (hh->handler(r, &h, hh->offset) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
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


static ngx_table_elt_t *
ngx_http_jsfn_header_push(ngx_http_request_t *r, ngx_table_elt_t *h)
{
    ngx_table_elt_t  *ho;

    ho = ngx_list_push(&r->headers_out.headers);
    if (ho == NULL) {
        return NULL;
    }

    /* h->next is NULL on nginx 1.23+ */
    *ho = *h;

    return ho;
}


static ngx_int_t
ngx_http_jsfn_header_copy(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_uint_t offset)
{
    return ngx_http_jsfn_header_push(r, h) ? NGX_OK : NGX_ERROR;
}


static ngx_int_t
ngx_http_jsfn_header_drop(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_uint_t offset)
{
    return NGX_OK;
}


/*
 * A field nginx keeps one of.  The runtime joins a repeated name into one
 * value; if a function that defeated it repeats one anyway, the last one
 * wins and the earlier one is not sent: filters that clear the field
 * (ngx_http_clear_etag() and the like) must find all of it.
 */
static ngx_int_t
ngx_http_jsfn_header_single(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_uint_t offset)
{
    ngx_table_elt_t  **ph;

    ph = (ngx_table_elt_t **) ((char *) &r->headers_out + offset);

    if (*ph) {
        (*ph)->hash = 0;
    }

    *ph = ngx_http_jsfn_header_push(r, h);

    return *ph ? NGX_OK : NGX_ERROR;
}


/* Cache-Control, Link: all of them, where nginx's filters look for them */
static ngx_int_t
ngx_http_jsfn_header_multi(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_uint_t offset)
{
    ngx_table_elt_t  *ho, **ph;
#if (nginx_version < 1023000)
    ngx_array_t      *pa;
#endif

#if (nginx_version >= 1023000)

    /* 1.23+: repeated fields are linked through next */

    ho = ngx_http_jsfn_header_push(r, h);
    if (ho == NULL) {
        return NGX_ERROR;
    }

    ph = (ngx_table_elt_t **) ((char *) &r->headers_out + offset);

    while (*ph) { ph = &(*ph)->next; }

    *ph = ho;

#else

    /* 1.22: an array of pointers into the list */

    pa = (ngx_array_t *) ((char *) &r->headers_out + offset);

    if (pa->elts == NULL) {
        if (ngx_array_init(pa, r->pool, 2, sizeof(ngx_table_elt_t *))
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    ph = ngx_array_push(pa);
    if (ph == NULL) {
        return NGX_ERROR;
    }

    ho = ngx_http_jsfn_header_push(r, h);
    if (ho == NULL) {
        return NGX_ERROR;
    }

    *ph = ho;

#endif

    return NGX_OK;
}


#if (nginx_version < 1023000)

/* WWW-Authenticate on 1.22: all are sent, nginx points at the first */
static ngx_int_t
ngx_http_jsfn_header_first(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_uint_t offset)
{
    ngx_table_elt_t  *ho, **ph;

    ho = ngx_http_jsfn_header_push(r, h);
    if (ho == NULL) {
        return NGX_ERROR;
    }

    ph = (ngx_table_elt_t **) ((char *) &r->headers_out + offset);

    if (*ph == NULL) {
        *ph = ho;
    }

    return NGX_OK;
}

#endif


/*
 * As ngx_http_upstream_copy_content_type(): the type up to a charset
 * parameter goes to content_type_len (gzip_types, sub_filter_types and
 * charset_types match it) and the charset to headers_out.charset, for the
 * charset filter.  The header filter sends the value as it is.
 */
static ngx_int_t
ngx_http_jsfn_content_type(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_uint_t offset)
{
    u_char  *p, *semi, *end, *last;

    r->headers_out.content_type = h->value;
    r->headers_out.content_type_len = h->value.len;
    r->headers_out.content_type_lowcase = NULL;
    ngx_str_null(&r->headers_out.charset);

    p = h->value.data;
    last = p + h->value.len;

    for ( ;; ) {
        semi = ngx_strlchr(p, last, ';');
        if (semi == NULL) {
            return NGX_OK;
        }

        for (p = semi + 1; p < last && (*p == ' ' || *p == '\t'); p++) {
            /* void */
        }

        if (last - p >= 8
            && ngx_strncasecmp(p, (u_char *) "charset=", 8) == 0)
        {
            break;
        }
    }

    while (semi > h->value.data && (semi[-1] == ' ' || semi[-1] == '\t')) {
        semi--;
    }

    r->headers_out.content_type_len = semi - h->value.data;

    p += 8;

    if (p < last && *p == '"') {
        p++;

        end = ngx_strlchr(p, last, '"');
        if (end == NULL) {
            end = last;
        }

    } else {
        for (end = p; end < last; end++) {
            if (*end == ';' || *end == ' ' || *end == '\t') {
                break;
            }
        }
    }

    r->headers_out.charset.len = end - p;
    r->headers_out.charset.data = p;

    return NGX_OK;
}


/* If-Modified-Since and If-Range compare last_modified_time */
static ngx_int_t
ngx_http_jsfn_last_modified(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_uint_t offset)
{
    if (ngx_http_jsfn_header_single(r, h, offset) != NGX_OK) {
        return NGX_ERROR;
    }

    /* NGX_ERROR (-1) for a date nginx cannot read: "unknown" */
    r->headers_out.last_modified_time = ngx_parse_http_time(h->value.data,
                                                            h->value.len);

    return NGX_OK;
}


/*
 * Ranges are applied only to a 200 response that says "Accept-Ranges:
 * bytes": then nginx's range filter slices the body (If-Range compares the
 * function's ETag or Last-Modified) and sends "Accept-Ranges: bytes"
 * itself where it applies.  Any other value is sent as it is.
 */
static ngx_int_t
ngx_http_jsfn_accept_ranges(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_uint_t offset)
{
    if (r->headers_out.status == NGX_HTTP_OK
        && h->value.len == sizeof("bytes") - 1
        && ngx_strncasecmp(h->value.data, (u_char *) "bytes",
                           sizeof("bytes") - 1) == 0)
    {
        ngx_http_clear_accept_ranges(r);
        r->allow_ranges = 1;

        return NGX_OK;
    }

    r->allow_ranges = 0;

    return ngx_http_jsfn_header_single(r, h, offset);
}
