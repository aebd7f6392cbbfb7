/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The REST API server: HTTP/1.1 on unix sockets ($ROOT/run/snapd.socket, mode 0666, and
 * $ROOT/run/snapd-snap.socket), driven by a libevent loop and parsed by http-parser with
 * streaming callbacks, answering in snapd's JSON envelope.
 *
 * Who the caller is comes from SO_PEERCRED on the accepted socket and from nothing else: not
 * from headers, not from the request, not from the address the client bound its socket to (the
 * dirty_sock lesson, CVE-2019-7304). Which socket a request came on is known from the listener
 * that accepted it.
 *
 * Access, as snapd's daemon/access.go: on snapd.socket a route is open (anyone), authenticated
 * (uid 0 here: no macaroons or polkit yet; others get 401 "access denied", kind login-required)
 * or root (others get 403 "access denied", kind login-required). On snapd-snap.socket only
 * routes marked for it answer; every other route gives 403 "access denied".
 *
 * Handlers run on the event loop thread, one request at a time, and return the whole envelope,
 * or defer it (sn_api_defer below): an answer given later (snapctl waiting for a change) or a
 * streamed one (GET /v2/logs?follow=true), without blocking the loop or other connections.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct event_base;
typedef struct SnApiServer SnApiServer;

typedef enum SnApiSocket {
    SN_API_SOCKET_SNAPD = 0, /* run/snapd.socket */
    SN_API_SOCKET_SNAP = 1,  /* run/snapd-snap.socket */
} SnApiSocket;

typedef enum SnApiAccess {
    SN_API_ACCESS_OPEN,
    SN_API_ACCESS_AUTHENTICATED,
    SN_API_ACCESS_ROOT,
    SN_API_ACCESS_SNAP_SOCKET, /* only on snapd-snap.socket (snapctl) */
} SnApiAccess;

/* One query parameter, percent-decoded. */
typedef struct SnApiParam {
    char *key;
    char *value;
} SnApiParam;

typedef struct SnApiRequest {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* percent-decoded, without the query */
    const char *var;    /* the {name} / {id} part of the path, or NULL */
    const SnApiParam *params;
    size_t n_params;
    const char *content_type; /* or NULL */
    const char *body;         /* NUL-terminated; NULL when the route streams its body */
    size_t body_len;
    bool has_cred; /* false only when SO_PEERCRED failed: no identity at all */
    uid_t uid;
    pid_t pid;
    SnApiSocket socket;
    void *stream_state; /* what the route's body stream returned, when it has one */
    void *conn;         /* the server's, for sn_api_defer(); NULL in requests built by tests */
} SnApiRequest;

/* The first value of a query parameter, or NULL. */
const char *sn_api_request_param(const SnApiRequest *req, const char *key);

/* A handler returns a new envelope (from the builders below), never NULL: NULL counts as a 500. */
typedef json_t *(*SnApiHandler)(const SnApiRequest *req, void *userdata);

/*
 * A route's body stream, for large uploads: begin is called when the headers are complete (with
 * req->body NULL) and returns an opaque state or NULL with an error envelope in *ret_error; data
 * gets each piece of the body as it arrives (return < 0 to refuse the rest, with an envelope in
 * *ret_error); the handler then sees the state in req->stream_state; finish is always called last
 * to free it. Routes without a stream get the body in memory, up to SN_API_MAX_BODY bytes.
 */
typedef struct SnApiBodyStream {
    void *(*begin)(const SnApiRequest *req, void *userdata, json_t **ret_error);
    int (*data)(void *state, const char *data, size_t len, json_t **ret_error);
    void (*finish)(void *state);
} SnApiBodyStream;

#define SN_API_MAX_BODY (4U * 1024 * 1024)

typedef struct SnApiRoute {
    const char *path;              /* "/v2/changes"; "{}" is one segment: "/v2/changes/{}", "/v2/snaps/{}/conf" */
    SnApiHandler get;              /* NULL: 405 */
    SnApiHandler post;             /* NULL: 405 */
    SnApiHandler put;              /* NULL: 405 */
    SnApiAccess read_access;       /* for GET */
    SnApiAccess write_access;      /* for POST and PUT */
    const SnApiBodyStream *stream; /* NULL: body in memory */
    void *userdata;
} SnApiRoute;

/* A server on base (borrowed) with no sockets and no routes yet. */
int sn_api_server_new(struct event_base *base, SnApiServer **ret);
/* Closes every connection and listener (socket files are left in place). Accepts NULL; returns NULL. */
SnApiServer *sn_api_server_free(SnApiServer *s);
SN_DEFINE_CLEANUP_FUNC(SnApiServer *, sn_api_server_free)

/* Adds a route (copied, but path and stream are borrowed: static storage). */
int sn_api_server_add_route(SnApiServer *s, const SnApiRoute *route);

/*
 * Listens on a unix socket at path as `which`: a stale socket file is replaced, the file gets
 * mode (0666 for both of snapd's), and the parent directory is created (0755) if missing.
 */
int sn_api_server_listen(SnApiServer *s, const char *path, SnApiSocket which, mode_t mode, SnError **reterr);

/* Listens on an fd already bound and listening (socket activation, tests). Takes the fd. */
int sn_api_server_listen_fd(SnApiServer *s, int fd, SnApiSocket which, SnError **reterr);

/* Number of open connections (for standby decisions and tests). */
unsigned sn_api_server_connections(const SnApiServer *s);

/* ---- envelopes (snapd's daemon/response.go) ---- */

/* {"type":"sync","status-code":200,"status":"OK","result":RESULT}; result is stolen (NULL: null). */
json_t *sn_api_sync(json_t *result);
/* The same with "sources": [sources...] (e.g. "local"). */
json_t *sn_api_sync_sources(json_t *result, const char *source);
/* {"type":"async","status-code":202,"status":"Accepted","result":null,"change":"ID"}. */
json_t *sn_api_async(long long change_id);
/*
 * {"type":"error","status-code":STATUS,"status":TEXT,"result":{"message":...,"kind":...,"value":...}}.
 * kind may be NULL (then "login-required" for 401/403, else omitted); value is stolen, may be NULL.
 */
json_t *sn_api_error(int status, const char *kind, json_t *value, const char *fmt, ...) _sn_printf_(4, 5);
/*
 * A response that is not JSON (snapd's assertion streams): {"type":"raw","status-code":STATUS,
 * "content-type":..., "headers":EXTRA, "body":BODY}, written by the server as the status line,
 * Content-Type, the extra header lines (each "Name: value\r\n"; may be NULL) and body (UTF-8 text,
 * copied). NULL on allocation failure or a body that is not UTF-8.
 */
json_t *sn_api_raw(int status, const char *content_type, const char *extra_headers, const char *body, size_t len);
/* ---- answers given later, and streamed answers ---- */

/*
 * A request whose answer comes later. The connection reads no further request until the answer
 * is complete, but keeps watching for the client going away.
 */
typedef struct SnApiDeferred SnApiDeferred;

/*
 * Called once when the client goes away (or the server is freed) before the answer is complete:
 * the handle is invalid once it returns, and gone must release what refers to it. Never called
 * after the answer was completed. May not call back into the handle.
 */
typedef void (*SnApiDeferredGone)(void *userdata);

/*
 * Defers the answer of req: *ret is the handle to answer with, and the handler must return the
 * envelope this returns (a marker the server does not send). gone (may be NULL) and userdata as
 * above. NULL (and nothing deferred) on ENOMEM or for a request not made by the server (tests
 * that call a handler directly: req->conn is NULL); the handler then answers at once.
 */
json_t *sn_api_defer(const SnApiRequest *req, SnApiDeferredGone gone, void *userdata, SnApiDeferred **ret);

/* The loop the server runs on (for the timers of whoever answers later). */
struct event_base *sn_api_deferred_base(const SnApiDeferred *d);

/*
 * Completes a deferred request with env (stolen; NULL counts as a 500) and frees the handle; gone
 * is not called. May be called from the handler itself, or later from any callback of the loop.
 */
void sn_api_deferred_reply(SnApiDeferred *d, json_t *env);

/*
 * A streamed answer: the status line and headers go out now ("Transfer-Encoding: chunked", no
 * Content-Length), then each write is one chunk, sent as the socket takes it. -EINVAL when the
 * stream was already begun.
 */
int sn_api_deferred_stream_begin(SnApiDeferred *d, int status, const char *content_type);
/*
 * Queues len bytes as one chunk (len 0 does nothing). A client that reads slower than
 * SN_API_MAX_STREAM_BACKLOG bytes behind is dropped: -ENOBUFS, and gone is called soon after
 * (from the loop, not from inside this call). -EINVAL before stream_begin.
 */
int sn_api_deferred_stream_write(SnApiDeferred *d, const void *data, size_t len);
/* Ends the stream (the last chunk) and frees the handle; gone is not called. */
void sn_api_deferred_stream_end(SnApiDeferred *d);

#define SN_API_MAX_STREAM_BACKLOG (4U * 1024 * 1024)

/* The HTTP reason phrase Go's http.StatusText gives ("" for unknown codes). */
const char *sn_api_status_text(int status);
