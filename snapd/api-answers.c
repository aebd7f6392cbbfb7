/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The REST server's answers: the deferred and streamed ones (sn_api_defer and what completes it) and snapd's
 * envelopes (sync, async, raw, error) with the status texts.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api-server-internal.h"
#include "api.h"
#include "strutil.h"

/* ---- deferred answers ---- */

static const char deferred_type[] = "deferred";

bool sn_api_server_is_deferred_marker(json_t *env)
{
    return env && SN_STREQ(json_string_value(json_object_get(env, "type")), deferred_type);
}

/* Forgets the pending answer, telling its owner (the client went away, or the server goes). */
void sn_api_server_deferred_drop(Conn *c)
{
    SnApiDeferred *d = SN_TAKE_PTR(c->deferred);
    if (!d)
        return;
    if (d->gone)
        d->gone(d->userdata);
    free(d);
}

/* The answer is complete: parse what the client sent meanwhile, from the loop (not from the caller's stack). */
static void deferred_finish(SnApiDeferred *d)
{
    Conn *c = d->conn;
    c->deferred = NULL;
    if (!d->keep_alive)
        c->closing = true;
    free(d);
    if (!c->in_handler)
        event_active(c->resume, EV_TIMEOUT, 1);
}

json_t *sn_api_defer(const SnApiRequest *req, SnApiDeferredGone gone, void *userdata, SnApiDeferred **ret)
{
    Conn *c = req->conn;
    if (!c || c->deferred || !c->in_handler)
        return NULL;
    json_t *marker = json_pack("{s:s}", "type", deferred_type);
    SnApiDeferred *d = marker ? calloc(1, sizeof(*d)) : NULL;
    if (!d) {
        json_decref(marker);
        return NULL;
    }
    *d = (SnApiDeferred){
        .conn = c,
        .gone = gone,
        .userdata = userdata,
        .keep_alive = http_should_keep_alive(&c->parser),
    };
    c->deferred = d;
    *ret = d;
    return marker;
}

struct event_base *sn_api_deferred_base(const SnApiDeferred *d)
{
    return d->conn->server->base;
}

void sn_api_deferred_reply(SnApiDeferred *d, json_t *env)
{
    if (!env)
        env = sn_api_error(500, NULL, NULL, "internal error");
    if (d->streaming)
        sn_api_deferred_stream_end(d); /* the status line is out: nothing else can be said */
    else {
        if (!d->conn->overflow)
            sn_api_server_write_response(d->conn, env, d->keep_alive);
        deferred_finish(d);
    }
    json_decref(env);
}

void sn_api_server_http_date(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

int sn_api_deferred_stream_begin(SnApiDeferred *d, int status, const char *content_type)
{
    if (d->streaming)
        return -EINVAL;
    d->streaming = true;
    char date[64];
    sn_api_server_http_date(date, sizeof(date));
    if (status < 100 || status > 599)
        status = 500;
    return evbuffer_add_printf(bufferevent_get_output(d->conn->bev),
                               "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nDate: %s\r\nTransfer-Encoding: chunked\r\n%s\r\n",
                               status, sn_api_status_text(status), content_type, date,
                               d->keep_alive ? "" : "Connection: close\r\n") < 0
               ? -ENOMEM
               : 0;
}

int sn_api_deferred_stream_write(SnApiDeferred *d, const void *data, size_t len)
{
    Conn *c = d->conn;
    if (!d->streaming)
        return -EINVAL;
    if (c->overflow)
        return -ENOBUFS;
    if (len == 0)
        return 0;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    if (evbuffer_get_length(out) + len > SN_API_MAX_STREAM_BACKLOG) {
        /* dropped from the loop: the caller may hold locks its gone callback needs */
        c->overflow = true;
        event_active(c->resume, EV_TIMEOUT, 1);
        return -ENOBUFS;
    }
    if (evbuffer_add_printf(out, "%zx\r\n", len) < 0 || evbuffer_add(out, data, len) < 0 ||
        evbuffer_add(out, "\r\n", 2) < 0)
        return -ENOMEM;
    return 0;
}

void sn_api_deferred_stream_end(SnApiDeferred *d)
{
    if (d->streaming && !d->conn->overflow)
        evbuffer_add(bufferevent_get_output(d->conn->bev), "0\r\n\r\n", 5);
    deferred_finish(d);
}

/* ---- envelopes ---- */

const char *sn_api_status_text(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Request Entity Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 507:
        return "Insufficient Storage";
    default:
        return "";
    }
}

json_t *sn_api_sync(json_t *result)
{
    return json_pack("{s:s, s:i, s:s, s:o}", "type", "sync", "status-code", 200, "status", "OK", "result",
                     result ? result : json_null());
}

json_t *sn_api_raw(int status, const char *content_type, const char *extra_headers, const char *body, size_t len)
{
    json_t *b = json_stringn(body ? body : "", body ? len : 0);
    if (!b)
        return NULL;
    return json_pack("{s:s, s:i, s:s, s:s, s:o}", "type", "raw", "status-code", status, "content-type", content_type,
                     "headers", extra_headers ? extra_headers : "", "body", b);
}

json_t *sn_api_sync_sources(json_t *result, const char *source)
{
    json_t *j = sn_api_sync(result);
    if (j)
        json_object_set_new(j, "sources", json_pack("[s]", source));
    return j;
}

json_t *sn_api_async(long long change_id)
{
    char id[32];
    snprintf(id, sizeof(id), "%lld", change_id);
    return json_pack("{s:s, s:i, s:s, s:n, s:s}", "type", "async", "status-code", 202, "status", "Accepted", "result",
                     "change", id);
}

json_t *sn_api_error(int status, const char *kind, json_t *value, const char *fmt, ...)
{
    _sn_free_ char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (!kind && (status == 401 || status == 403))
        kind = "login-required";
    json_t *result = json_pack("{s:s}", "message", msg ? msg : "out of memory");
    if (result && kind)
        json_object_set_new(result, "kind", json_string(kind));
    if (result && value)
        json_object_set(result, "value", value);
    json_decref(value);
    return json_pack("{s:s, s:i, s:s, s:o}", "type", "error", "status-code", status, "status",
                     sn_api_status_text(status), "result", result ? result : json_null());
}
