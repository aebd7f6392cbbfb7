/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Helpers for the API tests: the server's event loop and the test's client share one thread, so
 * the client writes and reads without blocking and pumps the loop in between.
 */
#pragma once

#include <criterion/criterion.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "strutil.h"

static inline int test_connect(const char *path, const char *bind_path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    if (bind_path) {
        struct sockaddr_un b = {.sun_family = AF_UNIX};
        snprintf(b.sun_path, sizeof(b.sun_path), "%s", bind_path);
        unlink(bind_path);
        cr_assert_eq(bind(fd, (struct sockaddr *)&b, sizeof(b)), 0, "bind %s: %m", bind_path);
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    cr_assert_lt(strlen(path), sizeof(a.sun_path));
    memcpy(a.sun_path, path, strlen(path));
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0, "connect %s: %m", path);
    cr_assert_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    return fd;
}

static inline void test_pump(struct event_base *base)
{
    event_base_loop(base, EVLOOP_NONBLOCK);
}

/* Writes all of data, pumping the loop whenever the socket is full. */
static inline void test_send(struct event_base *base, int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            cr_assert(errno == EAGAIN || errno == EINTR, "write: %m");
            test_pump(base);
            continue;
        }
        data += n;
        len -= (size_t)n;
    }
}

/*
 * Reads one response: returns its status and body (caller frees *ret_body); *ret_closed tells
 * whether the server closed the connection after it. Fails the test after ~5 s of nothing.
 */
static inline int test_recv(struct event_base *base, int fd, char **ret_body, bool *ret_closed)
{
    SnBuf in = {0};
    bool closed = false;
    for (int idle = 0; idle < 5000;) {
        test_pump(base);
        /* One byte at a time: what follows this response (pipelining) stays in the socket. */
        char buf[1];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            sn_buf_append(&in, buf, (size_t)n);
            idle = 0;
        } else if (n == 0) {
            closed = true;
        } else {
            cr_assert(errno == EAGAIN || errno == EINTR, "read: %m");
            poll(NULL, 0, 1);
            idle++;
        }
        const char *end = in.data ? strstr(in.data, "\r\n\r\n") : NULL;
        if (end) {
            const char *cl = strcasestr(in.data, "\r\nContent-Length: ");
            cr_assert_not_null(cl);
            size_t len = strtoul(cl + 18, NULL, 10);
            size_t have = in.len - (size_t)(end + 4 - in.data);
            if (have >= len) {
                int status = 0;
                cr_assert_eq(sscanf(in.data, "HTTP/1.1 %d", &status), 1);
                if (ret_body)
                    *ret_body = strndup(end + 4, len);
                if (ret_closed) {
                    /* give the server a moment to close if it means to */
                    for (int i = 0; i < 50 && !closed; i++) {
                        test_pump(base);
                        char c;
                        ssize_t m = read(fd, &c, 1);
                        if (m == 0)
                            closed = true;
                        else
                            poll(NULL, 0, 1);
                    }
                    *ret_closed = closed;
                }
                sn_buf_done(&in);
                return status;
            }
        }
        if (closed)
            break;
    }
    cr_assert_fail("no complete response (got %zu bytes: %s)", in.len, in.data ? in.data : "");
    return -1;
}

/* One request with an optional JSON body; returns the status, *ret_body the body. */
static inline int test_request(struct event_base *base, int fd, const char *method, const char *path, const char *body,
                               char **ret_body)
{
    _sn_free_ char *req = sn_strdup_printf("%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: %zu\r\n\r\n%s", method,
                                           path, body ? strlen(body) : 0, body ? body : "");
    test_send(base, fd, req, strlen(req));
    return test_recv(base, fd, ret_body, NULL);
}
