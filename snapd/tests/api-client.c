/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * A minimal client of the daemon's API for spread tests and benchmarks (not a unit test):
 *
 *   api-client [--bind PATH] [--repeat N] SOCKET METHOD PATH [BODY]
 *
 * Sends METHOD PATH (with BODY as application/json) over the unix socket SOCKET on one kept-open
 * connection, N times (default 1). With --bind, the client's own socket is first bound at PATH,
 * the way the dirty_sock exploit named its socket. Prints the status code and the last response
 * body; with --repeat also "requests/s: X" on stderr. Exits 0 when every response was read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "strutil.h"

static int read_response(int fd, int *ret_status, SnBuf *body)
{
    /* Reads headers up to the blank line, then Content-Length bytes. */
    SnBuf head = {0};
    char c;
    while (!(head.len >= 4 && memcmp(head.data + head.len - 4, "\r\n\r\n", 4) == 0)) {
        ssize_t n = read(fd, &c, 1);
        if (n <= 0) {
            sn_buf_done(&head);
            return -EIO;
        }
        sn_buf_putc(&head, c);
    }
    int status = 0;
    size_t len = 0;
    if (sscanf(head.data, "HTTP/1.1 %d", &status) != 1) {
        sn_buf_done(&head);
        return -EPROTO;
    }
    const char *cl = strcasestr(head.data, "\r\nContent-Length: ");
    if (cl)
        len = strtoul(cl + 18, NULL, 10);
    sn_buf_done(&head);
    sn_buf_done(body);
    char *data = malloc(len + 1);
    if (!data)
        return -ENOMEM;
    ssize_t n = sn_read_full(fd, data, len);
    if (n < 0 || (size_t)n != len) {
        free(data);
        return -EIO;
    }
    sn_buf_append(body, data, len);
    free(data);
    *ret_status = status;
    return 0;
}

int main(int argc, char **argv)
{
    const char *bind_path = NULL;
    unsigned long repeat = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc)
            bind_path = argv[++i];
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: api-client [--bind PATH] [--repeat N] SOCKET METHOD PATH [BODY]\n");
            return 2;
        }
    }
    if (argc - i < 3 || repeat == 0) {
        fprintf(stderr, "usage: api-client [--bind PATH] [--repeat N] SOCKET METHOD PATH [BODY]\n");
        return 2;
    }
    const char *sock = argv[i], *method = argv[i + 1], *path = argv[i + 2], *body = argc - i > 3 ? argv[i + 3] : "";

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    if (bind_path) {
        struct sockaddr_un b = {.sun_family = AF_UNIX};
        snprintf(b.sun_path, sizeof(b.sun_path), "%s", bind_path);
        unlink(bind_path);
        if (bind(fd, (struct sockaddr *)&b, sizeof(b)) < 0) {
            perror("bind");
            return 1;
        }
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("connect");
        return 1;
    }
    _sn_free_ char *req = sn_strdup_printf("%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                           "Content-Length: %zu\r\n\r\n%s",
                                           method, path, strlen(body), body);
    if (!req)
        return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    SnBuf resp = {0};
    int status = 0;
    for (unsigned long n = 0; n < repeat; n++) {
        if (sn_write_all(fd, req, strlen(req)) < 0 || read_response(fd, &status, &resp) < 0) {
            fprintf(stderr, "api-client: request %lu failed\n", n + 1);
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%d %s\n", status, resp.data ? resp.data : "");
    if (repeat > 1) {
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(stderr, "requests/s: %.0f\n", (double)repeat / secs);
    }
    sn_buf_done(&resp);
    close(fd);
    if (bind_path)
        unlink(bind_path);
    return 0;
}
