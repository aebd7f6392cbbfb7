/* SPDX-License-Identifier: GPL-3.0-only */
#include "fake-server.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <http_parser.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct Parse {
    FakeRequest *req;
    SnBuf field;
    bool in_value;
    SnBuf value;
    bool done;
} Parse;

static void end_header(Parse *p)
{
    if (p->in_value && p->field.data && strcasecmp(p->field.data, "Content-Type") == 0)
        p->req->content_type = strdup(p->value.data ? p->value.data : "");
    sn_buf_done(&p->field);
    sn_buf_done(&p->value);
    p->in_value = false;
}

static int on_url(http_parser *hp, const char *at, size_t len)
{
    Parse *p = hp->data;
    char *u = strndup(at, len);
    if (p->req->url) {
        char *j = sn_strdup_printf("%s%s", p->req->url, u);
        free(p->req->url);
        free(u);
        u = j;
    }
    p->req->url = u;
    return 0;
}

static int on_field(http_parser *hp, const char *at, size_t len)
{
    Parse *p = hp->data;
    if (p->in_value)
        end_header(p);
    sn_buf_append(&p->field, at, len);
    return 0;
}

static int on_value(http_parser *hp, const char *at, size_t len)
{
    Parse *p = hp->data;
    p->in_value = true;
    sn_buf_append(&p->value, at, len);
    return 0;
}

static int on_headers_complete(http_parser *hp)
{
    Parse *p = hp->data;
    end_header(p);
    p->req->method = strdup(http_method_str(hp->method));
    p->req->content_length = hp->content_length == ULLONG_MAX ? 0 : hp->content_length;
    return 0;
}

static int on_body(http_parser *hp, const char *at, size_t len)
{
    Parse *p = hp->data;
    sn_buf_append(&p->req->body, at, len);
    return 0;
}

static int on_complete(http_parser *hp)
{
    Parse *p = hp->data;
    p->done = true;
    http_parser_pause(hp, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_url = on_url,
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_complete,
};

static void serve_one(FakeServer *s, int fd)
{
    FakeRequest req = {0};
    Parse p = {.req = &req};
    http_parser hp;
    http_parser_init(&hp, HTTP_REQUEST);
    hp.data = &p;
    char buf[65536];
    while (!p.done) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        http_parser_execute(&hp, &settings, buf, (size_t)n);
        if (!p.done && HTTP_PARSER_ERRNO(&hp) != HPE_OK)
            break;
    }
    sn_buf_done(&p.field);
    sn_buf_done(&p.value);
    pthread_mutex_lock(&s->lock);
    size_t index = s->n_requests;
    if (index < FAKE_MAX_REQUESTS)
        s->requests[s->n_requests++] = req;
    pthread_mutex_unlock(&s->lock);
    if (index >= FAKE_MAX_REQUESTS) {
        free(req.method);
        free(req.url);
        free(req.content_type);
        sn_buf_done(&req.body);
        return;
    }
    if (s->delay_ms) {
        struct timespec ts = {.tv_sec = s->delay_ms / 1000, .tv_nsec = (s->delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    const char *rsp = p.done ? s->handler(s, &s->requests[index], index, s->userdata) : NULL;
    if (!rsp)
        return;
    size_t len = strlen(rsp), chunk = s->write_chunk ? s->write_chunk : len;
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        if (send(fd, rsp + off, n, MSG_NOSIGNAL) < 0)
            break;
        if (s->write_chunk)
            usleep(200);
    }
}

static void *serve(void *data)
{
    FakeServer *s = data;
    for (;;) {
        struct pollfd pfd = {.fd = s->listen_fd, .events = POLLIN};
        int n = poll(&pfd, 1, 50);
        pthread_mutex_lock(&s->lock);
        bool running = s->running;
        pthread_mutex_unlock(&s->lock);
        if (!running)
            break;
        if (n <= 0)
            continue;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        serve_one(s, fd);
        close(fd);
    }
    return NULL;
}

void fake_server_start(FakeServer *s, FakeHandler handler, void *userdata)
{
    snprintf(s->dir, sizeof(s->dir), "/tmp/sn-fake-XXXXXX");
    cr_assert_not_null(mkdtemp(s->dir));
    snprintf(s->path, sizeof(s->path), "%s/snapd.socket", s->dir);
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(s->listen_fd, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->path);
    cr_assert_eq(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    cr_assert_eq(listen(s->listen_fd, 16), 0);
    s->handler = handler;
    s->userdata = userdata;
    s->running = true;
    pthread_mutex_init(&s->lock, NULL);
    cr_assert_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

void fake_server_stop(FakeServer *s)
{
    pthread_mutex_lock(&s->lock);
    s->running = false;
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    unlink(s->path);
    rmdir(s->dir);
    for (size_t i = 0; i < s->n_requests; i++) {
        free(s->requests[i].method);
        free(s->requests[i].url);
        free(s->requests[i].content_type);
        sn_buf_done(&s->requests[i].body);
    }
    s->n_requests = 0;
    pthread_mutex_destroy(&s->lock);
}

size_t fake_server_count(FakeServer *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->n_requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

char *fake_json_response(int status, const char *reason, const char *json)
{
    return sn_strdup_printf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", status,
                            reason, strlen(json), json);
}
