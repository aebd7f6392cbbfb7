/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The REST server's own types, shared by api-server.c (listening, connections, HTTP parsing, routing) and
 * api-answers.c (snapd's envelopes, the deferred and streamed answers). All of it runs on the event loop's
 * thread.
 */
#pragma once

#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <http_parser.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "api.h"
#include "strutil.h"

typedef struct SnApiServer SnApiServer;

/* What a listener's callback needs: the server and which socket it is. */
typedef struct ListenCtx {
    SnApiServer *server;
    SnApiSocket which;
} ListenCtx;

/* A listening socket. */
typedef struct Listener {
    struct evconnlistener *lev;
    ListenCtx *ctx;
} Listener;

/* A client connection, and the request it is sending. */
typedef struct Conn Conn;

struct SnApiServer {
    struct event_base *base;
    SnApiRoute *routes;
    size_t n_routes;
    Listener *listeners;
    size_t n_listeners;
    Conn *conns;
    unsigned n_conns;
};

struct Conn {
    SnApiServer *server;
    struct bufferevent *bev;
    http_parser parser;
    SnApiSocket which;
    bool has_cred;
    struct ucred cred;
    bool closing; /* close once the output is written */
    Conn *prev, *next;

    /* the request being parsed */
    SnBuf url;
    SnBuf field, value;
    bool in_value;
    size_t header_bytes;
    char *content_type;
    bool expect_continue; /* the client sent "Expect: 100-continue" */
    SnBuf body;
    char *path;
    char *var;
    SnApiParam *params;
    size_t n_params;
    const SnApiRoute *route;
    SnApiHandler handler;
    void *stream_state;
    json_t *early; /* the response, when decided before the body ended */

    /* an answer given later (sn_api_defer) */
    SnApiDeferred *deferred; /* pending, or NULL */
    bool in_handler;         /* the handler is running: resume after it returns, not from an event */
    bool overflow;           /* a stream's client fell too far behind: drop it */
    struct event *resume;    /* parses what waits once a deferred answer is complete */
};

/* An answer given later (sn_api_defer), by the connection it answers. */
struct SnApiDeferred {
    Conn *conn;
    SnApiDeferredGone gone;
    void *userdata;
    bool keep_alive;
    bool streaming;
};

/*
 * Queues the HTTP response of envelope env (a raw one with its own type, headers and body) on c; without
 * keep_alive, with "Connection: close", and c closes once it is written.
 */
void sn_api_server_write_response(Conn *c, json_t *env, bool keep_alive);

/* Whether env is what sn_api_defer returns (the answer comes later). */
bool sn_api_server_is_deferred_marker(json_t *env);

/* Forgets the pending answer, telling its owner (the client went away, or the server goes). */
void sn_api_server_deferred_drop(Conn *c);

/* The current time as an HTTP Date header value (RFC 7231's IMF-fixdate). */
void sn_api_server_http_date(char *buf, size_t size);
