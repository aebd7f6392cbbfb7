/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * A fake snapd for the client's tests: a listening unix socket in a temporary directory, served
 * by a thread. Each connection carries one request (parsed with http-parser, recorded) and gets
 * the raw response text the test's handler returns, written in pieces of write_chunk bytes.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "strutil.h"

#define FAKE_MAX_REQUESTS 256

typedef struct FakeRequest {
    char *method;
    char *url;
    char *content_type;
    SnBuf body;
    unsigned long long content_length;
} FakeRequest;

typedef struct FakeServer FakeServer;
/* Returns the raw HTTP response for req (static or owned by the test), or NULL to close without one. */
typedef const char *(*FakeHandler)(FakeServer *s, const FakeRequest *req, size_t index, void *userdata);

struct FakeServer {
    char dir[64];
    char path[100];
    int listen_fd;
    pthread_t thread;
    bool running;
    FakeHandler handler;
    void *userdata;
    size_t write_chunk; /* 0: whole response at once */
    int delay_ms;       /* before answering */
    pthread_mutex_t lock;
    FakeRequest requests[FAKE_MAX_REQUESTS];
    size_t n_requests;
};

/* Starts serving on a fresh socket (s->path). Dies (cr_assert) on failure. */
void fake_server_start(FakeServer *s, FakeHandler handler, void *userdata);
/* Stops the thread, removes the socket, frees the recorded requests. */
void fake_server_stop(FakeServer *s);
/* Number of requests served so far (thread-safe). */
size_t fake_server_count(FakeServer *s);

/* A full JSON response with the given status line and body ("HTTP/1.1 200 OK" ...). Caller frees. */
char *fake_json_response(int status, const char *reason, const char *json);
