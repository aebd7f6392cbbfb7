/* SPDX-License-Identifier: GPL-3.0-only */
#include "client.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <http_parser.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fd-util.h"
#include "strutil.h"

struct SnClient {
    char *socket_path;
    bool interactive;
    SnClientApiError *last_error;
    json_t *maintenance;
};

static SnClientApiError *api_error_free(SnClientApiError *e)
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
        api_error_free(c->last_error);
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
    c->last_error = api_error_free(c->last_error);
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

/* ---- envelope ---- */

static const char *status_text(int status)
{
    switch (status) {
    case 200:
        return "OK";
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
    case 503:
        return "Service Unavailable";
    case 507:
        return "Insufficient Storage";
    default:
        return "";
    }
}

static bool is_json(const char *content_type)
{
    if (!content_type)
        return false;
    size_t n = strcspn(content_type, ";");
    while (n > 0 && content_type[n - 1] == ' ')
        n--;
    return n == strlen("application/json") && strncasecmp(content_type, "application/json", n) == 0;
}

int sn_client_decode(SnClient *c, const SnClientResponse *rsp, json_t **ret_envelope, SnError **reterr)
{
    if (!is_json(rsp->content_type)) {
        if (rsp->status >= 400)
            return sn_error_set(reterr, -EBADMSG, "server error: \"%d %s\"", rsp->status, status_text(rsp->status));
        return sn_error_set(reterr, -EBADMSG, "cannot decode the server's response: content type \"%s\" is not JSON",
                            rsp->content_type ? rsp->content_type : "");
    }
    json_error_t jerr;
    json_t *env = json_loadb(rsp->body, rsp->body_len, 0, &jerr);
    if (!json_is_object(env)) {
        json_decref(env);
        if (rsp->status >= 400)
            return sn_error_set(reterr, -EBADMSG, "cannot unmarshal error: %s", env ? "not an object" : jerr.text);
        return sn_error_set(reterr, -EBADMSG, "cannot decode \"%.200s\": %s", rsp->body,
                            env ? "not a JSON object" : jerr.text);
    }
    json_decref(c->maintenance);
    c->maintenance = json_incref(json_object_get(env, "maintenance"));
    if (c->maintenance && !json_is_object(c->maintenance)) {
        json_decref(c->maintenance);
        c->maintenance = NULL;
    }
    const char *type = json_string_value(json_object_get(env, "type"));
    if (type && SN_STREQ(type, "error")) {
        json_t *result = json_object_get(env, "result");
        const char *message = json_string_value(json_object_get(result, "message"));
        if (!message || !*message) {
            json_decref(env);
            return sn_error_set(reterr, -EBADMSG, "server error: \"%s\"", status_text(rsp->status));
        }
        SnClientApiError *e = calloc(1, sizeof(*e));
        if (!e) {
            json_decref(env);
            return -ENOMEM;
        }
        const char *kind = json_string_value(json_object_get(result, "kind"));
        e->status = rsp->status;
        e->kind = strdup(kind ? kind : "");
        e->message = strdup(message);
        e->value = json_incref(json_object_get(result, "value"));
        json_decref(env);
        if (!e->kind || !e->message) {
            api_error_free(e);
            return -ENOMEM;
        }
        api_error_free(c->last_error);
        c->last_error = e;
        return sn_error_set(reterr, -EREMOTEIO, "%s", e->message);
    }
    if (rsp->status >= 400 || !type) {
        json_decref(env);
        return sn_error_set(reterr, -EBADMSG, "server error: \"%d %s\"", rsp->status, status_text(rsp->status));
    }
    *ret_envelope = env;
    return 0;
}

static int json_request(SnClient *c, const char *method, const char *path, const char *query, json_t *body,
                        json_t **ret_envelope, SnError **reterr)
{
    _sn_free_ char *text = NULL;
    if (body) {
        text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
            return -ENOMEM;
    }
    SnClientRequest req = {
        .method = method,
        .path = path,
        .query = query,
        .content_type = body ? "application/json" : NULL,
        .body = text,
        .body_len = text ? strlen(text) : 0,
    };
    _sn_cleanup_(sn_client_response_done) SnClientResponse rsp = {0};
    int r = sn_client_do(c, &req, &rsp, reterr);
    if (r < 0)
        return r;
    return sn_client_decode(c, &rsp, ret_envelope, reterr);
}

int sn_client_sync(SnClient *c, const char *method, const char *path, const char *query, json_t *body,
                   json_t **ret_result, SnError **reterr)
{
    json_t *env = NULL;
    int r = json_request(c, method, path, query, body, &env, reterr);
    if (r < 0)
        return r;
    const char *type = json_string_value(json_object_get(env, "type"));
    if (!SN_STREQ(type, "sync")) {
        r = sn_error_set(reterr, -EBADMSG, "expected sync response, got \"%s\"", type);
        json_decref(env);
        return r;
    }
    if (ret_result) {
        json_t *result = json_object_get(env, "result");
        *ret_result = result ? json_incref(result) : json_null();
    }
    json_decref(env);
    return 0;
}

static int async_from_envelope(json_t *env, int status, const char *method, const char *path, char **ret_change,
                               SnError **reterr)
{
    const char *type = json_string_value(json_object_get(env, "type"));
    if (!SN_STREQ(type, "async"))
        return sn_error_set(reterr, -EBADMSG, "expected async response for \"%s\" on \"%s\", got \"%s\"", method, path,
                            type);
    if (status != 202)
        return sn_error_set(reterr, -EBADMSG, "operation not accepted");
    const char *change = json_string_value(json_object_get(env, "change"));
    if (!change || !*change)
        return sn_error_set(reterr, -EBADMSG, "async response without change reference");
    char *id = strdup(change);
    if (!id)
        return -ENOMEM;
    *ret_change = id;
    return 0;
}

int sn_client_async(SnClient *c, const char *method, const char *path, const char *query, json_t *body,
                    char **ret_change, SnError **reterr)
{
    _sn_free_ char *text = NULL;
    if (body) {
        text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
            return -ENOMEM;
    }
    SnClientRequest req = {
        .method = method,
        .path = path,
        .query = query,
        .content_type = body ? "application/json" : NULL,
        .body = text,
        .body_len = text ? strlen(text) : 0,
    };
    return sn_client_async_request(c, &req, ret_change, reterr);
}

int sn_client_async_request(SnClient *c, const SnClientRequest *req, char **ret_change, SnError **reterr)
{
    _sn_cleanup_(sn_client_response_done) SnClientResponse rsp = {0};
    int r = sn_client_do(c, req, &rsp, reterr);
    if (r < 0)
        return r;
    json_t *env = NULL;
    r = sn_client_decode(c, &rsp, &env, reterr);
    if (r < 0)
        return r;
    r = async_from_envelope(env, rsp.status, req->method, req->path, ret_change, reterr);
    json_decref(env);
    return r;
}

/* ---- snapd's CLI wording of error kinds ---- */

char *sn_client_error_message(const SnClientApiError *e, const char *snap_name, const char *op, const char *revision,
                              const char *channel, bool *ret_is_error)
{
    const char *kind = e->kind ? e->kind : "";
    const char *value_str = json_string_value(e->value);
    bool is_error = true;
    char *msg = NULL;
    if (!snap_name || !*snap_name || SN_STREQ(snap_name, "./"))
        snap_name = value_str && *value_str ? value_str : (snap_name ? snap_name : "");

    if (SN_STREQ(kind, "snap-not-found")) {
        msg = sn_strdup_printf("snap \"%s\" not found", snap_name);
    } else if (SN_STREQ(kind, "snap-revision-not-available") || SN_STREQ(kind, "snap-channel-not-available") ||
               SN_STREQ(kind, "snap-architecture-not-available")) {
        const char *cand = json_string_value(json_object_get(e->value, "snap-name"));
        if (cand && *cand)
            snap_name = cand;
        if (revision && *revision)
            msg = sn_strdup_printf("snap \"%s\" revision %s not available (see 'snap info %s')", snap_name, revision,
                                   snap_name);
        else if (channel && *channel)
            msg = sn_strdup_printf("snap \"%s\" not available on channel \"%s\" (see 'snap info %s')", snap_name,
                                   channel, snap_name);
        else
            msg = sn_strdup_printf("snap \"%s\" not available as specified (see 'snap info %s')", snap_name, snap_name);
    } else if (SN_STREQ(kind, "snap-already-installed")) {
        json_t *snaps = json_object_get(e->value, "snaps");
        SnBuf b = {0};
        size_t i;
        json_t *s;
        json_array_foreach(snaps, i, s)
        {
            if (json_is_string(s))
                sn_buf_printf(&b, "%ssnap \"%s\" is already installed, see 'snap help refresh'", b.len ? "\n" : "",
                              json_string_value(s));
        }
        if (b.len == 0)
            sn_buf_puts(&b, e->message);
        msg = sn_buf_steal(&b);
    } else if (SN_STREQ(kind, "snap-needs-devmode")) {
        msg = sn_strdup_printf("snap \"%s\" requires devmode or confinement override", snap_name);
    } else if (SN_STREQ(kind, "snap-needs-classic")) {
        msg = sn_strdup_printf("This revision of snap \"%s\" was published using classic confinement and thus may\n"
                               "perform arbitrary system changes outside of the security sandbox that snaps are\n"
                               "usually confined to, which may put your system at risk.\n\n"
                               "If you understand and want to proceed repeat the command including --classic.",
                               snap_name);
    } else if (SN_STREQ(kind, "snap-not-classic")) {
        msg = sn_strdup_printf("snap \"%s\" is not compatible with --classic", snap_name);
    } else if (SN_STREQ(kind, "login-required")) {
        msg = sn_strdup_printf("%s (%s)", e->message, geteuid() == 0 ? "see 'snap help login'" : "try with sudo");
    } else if (SN_STREQ(kind, "snap-local")) {
        msg = sn_strdup_printf("local snap \"%s\" is unknown to the store, use --amend to proceed anyway", snap_name);
    } else if (SN_STREQ(kind, "snap-no-update-available")) {
        is_error = false;
        msg = sn_strdup_printf("snap \"%s\" has no updates available", snap_name);
    } else if (SN_STREQ(kind, "snap-not-installed")) {
        is_error = !(op && SN_STREQ(op, "remove"));
        msg = strdup(e->message);
    } else if (SN_STREQ(kind, "network-timeout")) {
        msg = strdup("unable to contact snap store");
    } else if (SN_STREQ(kind, "insufficient-disk-space")) {
        const char *ck = json_string_value(json_object_get(e->value, "change-kind"));
        json_t *names = json_object_get(e->value, "snap-names");
        SnBuf q = {0};
        size_t i;
        json_t *s;
        json_array_foreach(names, i, s)
        {
            sn_buf_printf(&q, "%s\"%s\"", i ? ", " : "", json_string_value(s) ?: "");
        }
        _sn_free_ char *quoted = sn_buf_steal(&q);
        if (ck && SN_STREQ(ck, "remove"))
            msg = sn_strdup_printf("cannot remove %s due to low disk space for automatic snapshot, use --purge to "
                                   "avoid creating a snapshot",
                                   quoted ?: "");
        else if (ck && (SN_STREQ(ck, "install") || SN_STREQ(ck, "refresh")))
            msg = sn_strdup_printf("cannot %s %s due to low disk space", ck, quoted ?: "");
        else
            msg = strdup(e->message);
    } else {
        msg = strdup(e->message);
    }
    if (ret_is_error)
        *ret_is_error = is_error;
    return msg;
}

/* ---- multipart sideload ---- */

struct SnSideloadBody {
    int fd;
    uint64_t file_size;
    uint64_t file_left;
    char *head; /* form fields and the file part's headers */
    size_t head_len, head_off;
    char *tail; /* "\r\n--boundary--\r\n" */
    size_t tail_len, tail_off;
    char *content_type;
};

SnSideloadBody *sn_sideload_body_free(SnSideloadBody *b)
{
    if (b) {
        sn_safe_close(b->fd);
        free(b->head);
        free(b->tail);
        free(b->content_type);
        free(b);
    }
    return NULL;
}

uint64_t sn_sideload_body_size(const SnSideloadBody *b)
{
    return b->head_len + b->file_size + b->tail_len;
}

const char *sn_sideload_body_content_type(const SnSideloadBody *b)
{
    return b->content_type;
}

static void form_field(SnBuf *b, const char *boundary, const char *name, const char *value)
{
    sn_buf_printf(b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", boundary, name, value);
}

/* Quotes a filename as Go's mime/multipart does (backslash and double quote escaped). */
static void quoted_filename(SnBuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            sn_buf_putc(b, '\\');
        sn_buf_putc(b, *s);
    }
}

int sn_sideload_body_open(const char *path, const SnSideloadOptions *opts, const char *boundary, SnSideloadBody **ret,
                          SnError **reterr)
{
    static const SnSideloadOptions none = {0};
    if (!opts)
        opts = &none;
    char rnd[61];
    if (!boundary) {
        uint8_t bytes[30];
        if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
            return sn_error_set(reterr, -EIO, "cannot make a multipart boundary");
        for (size_t i = 0; i < sizeof(bytes); i++)
            snprintf(rnd + 2 * i, 3, "%02x", bytes[i]);
        boundary = rnd;
    }
    _sn_cleanup_(sn_sideload_body_freep) SnSideloadBody *b = calloc(1, sizeof(*b));
    if (!b)
        return -ENOMEM;
    b->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (b->fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open \"%s\": %m", path);
    struct stat st;
    if (fstat(b->fd, &st) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot stat \"%s\": %m", path);
    if (!S_ISREG(st.st_mode))
        return sn_error_set(reterr, -EINVAL, "cannot install \"%s\": not a regular file", path);
    b->file_size = b->file_left = (uint64_t)st.st_size;

    SnBuf h = {0};
    form_field(&h, boundary, "action", "install");
    if (opts->name)
        form_field(&h, boundary, "name", opts->name);
    form_field(&h, boundary, "snap-path", path);
    const struct {
        const char *name;
        bool on;
    } flags[] = {
        {"devmode", opts->devmode},
        {"classic", opts->classic},
        {"jailmode", opts->jailmode},
        {"dangerous", opts->dangerous},
        {"ignore-running", opts->ignore_running},
        {"unaliased", opts->unaliased},
        {"prefer", opts->prefer},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(flags); i++)
        if (flags[i].on)
            form_field(&h, boundary, flags[i].name, "true");
    if (opts->transaction)
        form_field(&h, boundary, "transaction", opts->transaction);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    sn_buf_printf(&h, "--%s\r\nContent-Disposition: form-data; name=\"snap\"; filename=\"", boundary);
    quoted_filename(&h, base);
    sn_buf_puts(&h, "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    if (!sn_buf_ok(&h)) {
        sn_buf_done(&h);
        return -ENOMEM;
    }
    b->head_len = h.len;
    b->head = sn_buf_steal(&h);
    b->tail = sn_strdup_printf("\r\n--%s--\r\n", boundary);
    b->content_type = sn_strdup_printf("multipart/form-data; boundary=%s", boundary);
    if (!b->head || !b->tail || !b->content_type)
        return -ENOMEM;
    b->tail_len = strlen(b->tail);
    *ret = SN_TAKE_PTR(b);
    return 0;
}

ssize_t sn_sideload_body_read(void *userdata, void *buf, size_t len)
{
    SnSideloadBody *b = userdata;
    if (b->head_off < b->head_len) {
        size_t n = SN_MIN(len, b->head_len - b->head_off);
        memcpy(buf, b->head + b->head_off, n);
        b->head_off += n;
        return (ssize_t)n;
    }
    if (b->file_left > 0) {
        size_t want = (size_t)SN_MIN((uint64_t)len, b->file_left);
        ssize_t n;
        do
            n = read(b->fd, buf, want);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return sn_negative_errno();
        if (n == 0)
            return -EIO; /* the file shrank since it was measured */
        b->file_left -= (uint64_t)n;
        return n;
    }
    if (b->tail_off < b->tail_len) {
        size_t n = SN_MIN(len, b->tail_len - b->tail_off);
        memcpy(buf, b->tail + b->tail_off, n);
        b->tail_off += n;
        return (ssize_t)n;
    }
    return 0;
}

int sn_client_install_path(SnClient *c, const char *path, const SnSideloadOptions *opts, char **ret_change,
                           SnError **reterr)
{
    _sn_cleanup_(sn_sideload_body_freep) SnSideloadBody *b = NULL;
    int r = sn_sideload_body_open(path, opts, NULL, &b, reterr);
    if (r < 0)
        return r;
    SnClientRequest req = {
        .method = "POST",
        .path = "/v2/snaps",
        .content_type = b->content_type,
        .body_read = sn_sideload_body_read,
        .body_userdata = b,
        .body_size = sn_sideload_body_size(b),
        .timeout_ms = -1,
    };
    return sn_client_async_request(c, &req, ret_change, reterr);
}
