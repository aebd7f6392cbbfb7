/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The client of snapd's socket: the client object, the transport (connect, send, read with deadlines) and
 * HTTP/1.1 requests and responses. The envelope is client-envelope.c's, sideloading client-sideload.c's.
 */
#include "client.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <http_parser.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "client-internal.h"
#include "config.h"
#include "fd-util.h"
#include "strutil.h"

SnClientApiError *sn_client_api_error_free(SnClientApiError *e)
{
    if (e) {
        free(e->kind);
        free(e->message);
        json_decref(e->value);
        free(e);
    }
    return NULL;
}

int sn_client_new(const char *socket_path, SnClient **ret)
{
    _sn_free_ char *path = NULL;
    if (socket_path)
        path = strdup(socket_path);
    else {
        const char *root = secure_getenv("SNAPPY_GLOBAL_ROOT");
        path = sn_strdup_printf("%s/run/snapd.socket", root ? root : "");
    }
    if (!path)
        return -ENOMEM;
    if (strlen(path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path))
        return -ENAMETOOLONG;
    SnClient *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->socket_path = SN_TAKE_PTR(path);
    *ret = c;
    return 0;
}

SnClient *sn_client_free(SnClient *c)
{
    if (c) {
        free(c->socket_path);
        sn_client_api_error_free(c->last_error);
        json_decref(c->maintenance);
        free(c);
    }
    return NULL;
}

const char *sn_client_socket_path(const SnClient *c)
{
    return c->socket_path;
}

void sn_client_set_interactive(SnClient *c, bool interactive)
{
    c->interactive = interactive;
}

const SnClientApiError *sn_client_last_error(const SnClient *c)
{
    return c->last_error;
}

json_t *sn_client_maintenance(const SnClient *c)
{
    return c->maintenance;
}

void sn_client_response_done(SnClientResponse *r)
{
    free(r->content_type);
    free(r->body);
    *r = (SnClientResponse){0};
}

char *sn_client_escape(const char *s)
{
    SnBuf b = {0};
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
            sn_buf_putc(&b, (char)*p);
        else
            sn_buf_printf(&b, "%%%02X", *p);
    }
    return sn_buf_steal(&b);
}

/* ---- transport ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Go's spelling of the method in its transport errors ("Get", "Post"). */
static void go_method(const char *method, char out[16])
{
    size_t i = 0;
    for (; method[i] && i < 15; i++)
        out[i] = (char)(i == 0 ? toupper((unsigned char)method[i]) : tolower((unsigned char)method[i]));
    out[i] = '\0';
}

/* strerror as Go prints syscall errors: lower-case first letter. */
static void go_strerror(int r, char out[128])
{
    snprintf(out, 128, "%s", strerror(-r));
    out[0] = (char)tolower((unsigned char)out[0]);
}

static int comm_error(SnError **reterr, int r, const SnClientRequest *req, const char *what)
{
    char m[16];
    go_method(req->method, m);
    return sn_error_set(reterr, r, "cannot communicate with server: %s \"http://localhost%s%s%s\": %s", m, req->path,
                        req->query ? "?" : "", req->query ? req->query : "", what);
}

static int connect_socket(const SnClient *c, const SnClientRequest *req, int *ret_fd, SnError **reterr)
{
    _sn_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot create a socket: %m");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, c->socket_path, strlen(c->socket_path) + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int r = sn_negative_errno();
        char e[128], what[PATH_MAX + 200];
        go_strerror(r, e);
        snprintf(what, sizeof(what), "dial unix %s: connect: %s", c->socket_path, e);
        return comm_error(reterr, r, req, what);
    }
    *ret_fd = SN_TAKE_FD(fd);
    return 0;
}

/* Waits until fd is ready for events or the deadline (-1: none) passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int timeout = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0)
                return -ETIMEDOUT;
            timeout = left > INT32_MAX ? INT32_MAX : (int)left;
        }
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, timeout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return sn_negative_errno();
        if (n > 0)
            return 0;
    }
}

static int send_all(int fd, const void *data, size_t len, int64_t deadline)
{
    const char *p = data;
    while (len > 0) {
        int r = wait_fd(fd, POLLOUT, deadline);
        if (r < 0)
            return r;
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return sn_negative_errno();
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- response parsing (http-parser) ---- */

typedef struct ResponseState {
    SnBuf body;
    SnBuf field;
    SnBuf value;
    bool in_value;
    char *content_type;
    bool complete;
    bool too_big;
    const SnClientRequest *req;
    bool streaming; /* a 200 answer to a request with on_body */
    int sink_error; /* what on_body returned, when < 0 */
} ResponseState;

static void end_header(ResponseState *s)
{
    if (s->in_value && s->field.data && strcasecmp(s->field.data, "Content-Type") == 0 && !s->content_type)
        s->content_type = strdup(s->value.data ? s->value.data : "");
    sn_buf_done(&s->field);
    sn_buf_done(&s->value);
    s->in_value = false;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    ResponseState *s = p->data;
    if (s->in_value)
        end_header(s);
    return sn_buf_append(&s->field, at, len) < 0 ? -1 : 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    ResponseState *s = p->data;
    s->in_value = true;
    return sn_buf_append(&s->value, at, len) < 0 ? -1 : 0;
}

static int on_headers_complete(http_parser *p)
{
    ResponseState *s = p->data;
    end_header(s);
    s->streaming = s->req && s->req->on_body && p->status_code == 200;
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    ResponseState *s = p->data;
    if (s->streaming) {
        int r = s->req->on_body(s->req->on_body_userdata, at, len);
        if (r < 0) {
            s->sink_error = r;
            return -1;
        }
        return 0;
    }
    if (s->body.len + len > SN_CLIENT_MAX_BODY) {
        s->too_big = true;
        return -1;
    }
    return sn_buf_append(&s->body, at, len) < 0 ? -1 : 0;
}

static int on_message_complete(http_parser *p)
{
    ResponseState *s = p->data;
    s->complete = true;
    http_parser_pause(p, 1); /* one response per request: ignore anything after it */
    return 0;
}

static const http_parser_settings response_settings = {
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static void response_state_done(ResponseState *s)
{
    sn_buf_done(&s->body);
    sn_buf_done(&s->field);
    sn_buf_done(&s->value);
    free(s->content_type);
}

static int read_response(int fd, const SnClientRequest *req, int64_t deadline, SnClientResponse *ret, SnError **reterr)
{
    ResponseState s = {.req = req};
    http_parser parser;
    http_parser_init(&parser, HTTP_RESPONSE);
    parser.data = &s;
    char buf[65536];
    int r = 0;
    bool got_any = false;
    for (;;) {
        r = wait_fd(fd, POLLIN, deadline);
        if (r == -ETIMEDOUT) {
            r = sn_error_set(reterr, r, "cannot communicate with server: timeout exceeded while waiting for response");
            goto out;
        }
        if (r < 0)
            goto out;
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0) {
            r = sn_negative_errno();
            char e[128];
            go_strerror(r, e);
            r = comm_error(reterr, r, req, e);
            goto out;
        }
        got_any |= n > 0;
        size_t used = http_parser_execute(&parser, &response_settings, buf, (size_t)n);
        if (s.complete)
            break;
        if (s.sink_error < 0) {
            r = s.sink_error;
            goto out;
        }
        if (s.too_big) {
            r = sn_error_set(reterr, -EFBIG, "cannot read the server's response: larger than %u bytes",
                             SN_CLIENT_MAX_BODY);
            goto out;
        }
        if (n == 0) {
            /* EOF before the end of the message (a body delimited by the close ended above). */
            r = got_any ? sn_error_set(reterr, -EBADMSG, "cannot read the server's response: unexpected EOF")
                        : comm_error(reterr, -ECONNRESET, req, "EOF");
            goto out;
        }
        if (HTTP_PARSER_ERRNO(&parser) != HPE_OK || used != (size_t)n) {
            r = sn_error_set(reterr, -EBADMSG, "cannot read the server's response: %s",
                             http_errno_description(HTTP_PARSER_ERRNO(&parser)));
            goto out;
        }
    }
    if (!sn_buf_ok(&s.body)) {
        r = -ENOMEM;
        goto out;
    }
    ret->status = (int)parser.status_code;
    ret->content_type = SN_TAKE_PTR(s.content_type);
    ret->body_len = s.body.len;
    ret->body = sn_buf_steal(&s.body);
    if (!ret->body) {
        sn_client_response_done(ret);
        r = -ENOMEM;
    }
out:
    response_state_done(&s);
    return r;
}

/* ---- requests ---- */

static int send_request(int fd, const SnClient *c, const SnClientRequest *req, int64_t deadline, SnError **reterr)
{
    SnBuf h = {0};
    sn_buf_printf(&h, "%s %s%s%s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: microsnap/%s\r\n", req->method, req->path,
                  req->query ? "?" : "", req->query ? req->query : "", SN_VERSION);
    if (c->interactive)
        sn_buf_puts(&h, "X-Allow-Interaction: true\r\n");
    bool has_body = req->content_type != NULL;
    uint64_t size = req->body_read ? req->body_size : req->body_len;
    if (has_body)
        sn_buf_printf(&h, "Content-Type: %s\r\nContent-Length: %llu\r\n", req->content_type, (unsigned long long)size);
    else if (!SN_STREQ(req->method, "GET"))
        sn_buf_puts(&h, "Content-Length: 0\r\n");
    sn_buf_puts(&h, "Connection: close\r\n\r\n");
    if (!sn_buf_ok(&h)) {
        sn_buf_done(&h);
        return -ENOMEM;
    }
    int r = send_all(fd, h.data, h.len, deadline);
    sn_buf_done(&h);
    if (r >= 0 && has_body && !req->body_read)
        r = send_all(fd, req->body, req->body_len, deadline);
    if (r >= 0 && has_body && req->body_read) {
        _sn_free_ char *chunk = malloc(65536);
        if (!chunk)
            return -ENOMEM;
        uint64_t sent = 0;
        while (r >= 0) {
            ssize_t n = req->body_read(req->body_userdata, chunk, 65536);
            if (n < 0)
                return sn_error_set(reterr, (int)n, "cannot read the request body: %s", strerror((int)-n));
            if (n == 0)
                break;
            if (sent + (uint64_t)n > size)
                return sn_error_set(reterr, -EIO, "cannot send the request body: it grew while being sent");
            r = send_all(fd, chunk, (size_t)n, deadline);
            sent += (uint64_t)n;
        }
        if (r >= 0 && sent != size)
            return sn_error_set(reterr, -EIO, "cannot send the request body: it shrank while being sent");
    }
    if (r == -ETIMEDOUT)
        return sn_error_set(reterr, r, "cannot communicate with server: timeout exceeded while waiting for response");
    /* EPIPE / ECONNRESET: the server may have answered early (and closed); its answer says why. */
    if (r == -EPIPE || r == -ECONNRESET)
        return 1;
    if (r < 0) {
        char e[128];
        go_strerror(r, e);
        return comm_error(reterr, r, req, e);
    }
    return 0;
}

int sn_client_do(SnClient *c, const SnClientRequest *req, SnClientResponse *ret, SnError **reterr)
{
    c->last_error = sn_client_api_error_free(c->last_error);
    int64_t timeout = req->timeout_ms == 0 ? SN_CLIENT_DEFAULT_TIMEOUT_MS : req->timeout_ms;
    int64_t deadline = timeout < 0 ? -1 : now_ms() + timeout;
    bool retry = SN_STREQ(req->method, "GET");
    _sn_close_ int fd = -1;
    for (;;) {
        _sn_cleanup_(sn_error_freep) SnError *err = NULL;
        int r = connect_socket(c, req, &fd, &err);
        if (r >= 0)
            break;
        /* Refused: a daemon restarting behind its socket. A missing socket is no daemon at all. */
        if (!retry || r != -ECONNREFUSED || (deadline >= 0 && now_ms() + SN_CLIENT_RETRY_MS > deadline)) {
            if (reterr && !*reterr)
                *reterr = SN_TAKE_PTR(err);
            return r;
        }
        struct timespec ts = {.tv_nsec = SN_CLIENT_RETRY_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    int r = send_request(fd, c, req, deadline, reterr);
    if (r < 0)
        return r;
    SnClientResponse rsp = {0};
    r = read_response(fd, req, deadline, &rsp, reterr);
    if (r < 0)
        return r;
    *ret = rsp;
    return 0;
}
