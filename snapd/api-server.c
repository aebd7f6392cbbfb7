/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The REST server: listening on the sockets, connections, HTTP/1.1 parsing, routing and access checks; the
 * answers are api-answers.c's.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <http_parser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "api-server-internal.h"
#include "api.h"
#include "fileio.h"
#include "strutil.h"

#define MAX_URL 8192U
#define MAX_HEADER_BYTES 65536U

static const http_parser_settings parser_settings;

/* ---- requests ---- */

const char *sn_api_request_param(const SnApiRequest *req, const char *key)
{
    for (size_t i = 0; i < req->n_params; i++)
        if (SN_STREQ(req->params[i].key, key))
            return req->params[i].value;
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes (and '+' to ' ' in queries); NULL for a bad escape or an embedded NUL. */
static char *url_decode(const char *s, size_t len, bool query)
{
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int h, l;
            if (i + 2 >= len || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0 || (h == 0 && l == 0)) {
                free(out);
                return NULL;
            }
            *o++ = (char)(h * 16 + l);
            i += 2;
        } else if (query && s[i] == '+')
            *o++ = ' ';
        else
            *o++ = s[i];
    }
    *o = '\0';
    return out;
}

static void request_reset(Conn *c)
{
    sn_buf_done(&c->url);
    sn_buf_done(&c->field);
    sn_buf_done(&c->value);
    sn_buf_done(&c->body);
    c->in_value = false;
    c->header_bytes = 0;
    free(c->content_type);
    c->content_type = NULL;
    c->expect_continue = false;
    free(c->path);
    c->path = NULL;
    free(c->var);
    c->var = NULL;
    for (size_t i = 0; i < c->n_params; i++) {
        free(c->params[i].key);
        free(c->params[i].value);
    }
    free(c->params);
    c->params = NULL;
    c->n_params = 0;
    if (c->stream_state && c->route && c->route->stream && c->route->stream->finish)
        c->route->stream->finish(c->stream_state);
    c->stream_state = NULL;
    c->route = NULL;
    c->handler = NULL;
    json_decref(c->early);
    c->early = NULL;
}

static int parse_query(Conn *c, const char *q, size_t len)
{
    const char *end = q + len;
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(stop - q));
        if (stop > q) {
            SnApiParam *n = reallocarray(c->params, c->n_params + 1, sizeof(*n));
            if (!n)
                return -ENOMEM;
            c->params = n;
            char *k = url_decode(q, (size_t)((eq ? eq : stop) - q), true);
            char *v = eq ? url_decode(eq + 1, (size_t)(stop - eq - 1), true) : strdup("");
            if (!k || !v) {
                free(k);
                free(v);
                return -EINVAL;
            }
            c->params[c->n_params++] = (SnApiParam){k, v};
        }
        q = stop + 1;
    }
    return 0;
}

/* Finds the route for path; sets *ret_var for "{}" routes. */
static const SnApiRoute *find_route(const SnApiServer *s, const char *path, char **ret_var)
{
    *ret_var = NULL;
    for (size_t i = 0; i < s->n_routes; i++) {
        const char *p = s->routes[i].path;
        const char *var = strstr(p, "{}");
        if (var) {
            /* PREFIX{}SUFFIX: the {} is one non-empty segment */
            size_t prefix = (size_t)(var - p), suffix = strlen(var + 2), len = strlen(path);
            if (len <= prefix + suffix || strncmp(path, p, prefix) != 0 || !SN_STREQ(path + len - suffix, var + 2))
                continue;
            const char *seg = path + prefix;
            size_t seg_len = len - prefix - suffix;
            if (memchr(seg, '/', seg_len))
                continue;
            *ret_var = strndup(seg, seg_len);
            return &s->routes[i];
        }
        if (SN_STREQ(p, path))
            return &s->routes[i];
    }
    return NULL;
}

static bool access_allowed(const Conn *c, SnApiAccess access, json_t **ret_error)
{
    if (!c->has_cred) {
        *ret_error = sn_api_error(403, NULL, NULL, "access denied");
        return false;
    }
    if (access == SN_API_ACCESS_SNAP_SOCKET) {
        if (c->which == SN_API_SOCKET_SNAP)
            return true;
        *ret_error = sn_api_error(403, NULL, NULL, "access denied");
        return false;
    }
    if (c->which != SN_API_SOCKET_SNAPD) {
        *ret_error = sn_api_error(403, NULL, NULL, "access denied");
        return false;
    }
    switch (access) {
    case SN_API_ACCESS_OPEN:
        return true;
    case SN_API_ACCESS_AUTHENTICATED:
        if (c->cred.uid == 0)
            return true;
        *ret_error = sn_api_error(401, NULL, NULL, "access denied");
        return false;
    case SN_API_ACCESS_ROOT:
    default:
        if (c->cred.uid == 0)
            return true;
        *ret_error = sn_api_error(403, NULL, NULL, "access denied");
        return false;
    }
}

static void fill_request(Conn *c, SnApiRequest *req)
{
    *req = (SnApiRequest){
        .method = http_method_str((enum http_method)c->parser.method),
        .path = c->path,
        .var = c->var,
        .params = c->params,
        .n_params = c->n_params,
        .content_type = c->content_type,
        .has_cred = c->has_cred,
        .uid = c->cred.uid,
        .pid = c->cred.pid,
        .socket = c->which,
        .stream_state = c->stream_state,
        .conn = c,
    };
}

static int commit_header(Conn *c)
{
    if (c->field.len == 0)
        return 0;
    if (!sn_buf_ok(&c->field) || !sn_buf_ok(&c->value))
        return -ENOMEM;
    if (strcasecmp(c->field.data, "Content-Type") == 0) {
        free(c->content_type);
        c->content_type = strdup(c->value.data ? c->value.data : "");
        if (!c->content_type)
            return -ENOMEM;
    } else if (strcasecmp(c->field.data, "Expect") == 0 && c->value.data &&
               strcasecmp(c->value.data, "100-continue") == 0)
        c->expect_continue = true;
    sn_buf_done(&c->field);
    sn_buf_done(&c->value);
    c->in_value = false;
    return 0;
}

static int on_message_begin(http_parser *p)
{
    request_reset(p->data);
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    Conn *c = p->data;
    if (c->url.len + len > MAX_URL)
        return -1;
    return sn_buf_append(&c->url, at, len) < 0 ? -1 : 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    Conn *c = p->data;
    if ((c->header_bytes += len) > MAX_HEADER_BYTES)
        return -1;
    if (c->in_value && commit_header(c) < 0)
        return -1;
    return sn_buf_append(&c->field, at, len) < 0 ? -1 : 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    Conn *c = p->data;
    if ((c->header_bytes += len) > MAX_HEADER_BYTES)
        return -1;
    c->in_value = true;
    return sn_buf_append(&c->value, at, len) < 0 ? -1 : 0;
}

static int on_headers_complete(http_parser *p)
{
    Conn *c = p->data;
    if (commit_header(c) < 0 || !sn_buf_ok(&c->url) || c->url.len == 0)
        return -1;
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(c->url.data, c->url.len, 0, &u) != 0 || !(u.field_set & (1 << UF_PATH)))
        return -1;
    c->path = url_decode(c->url.data + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len, false);
    if (!c->path)
        return -1;
    if ((u.field_set & (1 << UF_QUERY)) &&
        parse_query(c, c->url.data + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len) < 0)
        return -1;

    c->route = find_route(c->server, c->path, &c->var);
    if (!c->route) {
        c->early = sn_api_error(404, NULL, NULL, "not found");
        return 0;
    }
    SnApiAccess access = c->route->read_access;
    switch (p->method) {
    case HTTP_GET:
        c->handler = c->route->get;
        break;
    case HTTP_POST:
        c->handler = c->route->post;
        access = c->route->write_access;
        break;
    case HTTP_PUT:
        c->handler = c->route->put;
        access = c->route->write_access;
        break;
    default:
        break;
    }
    if (!c->handler) {
        c->early =
            sn_api_error(405, NULL, NULL, "method \"%s\" not allowed", http_method_str((enum http_method)p->method));
        return 0;
    }
    if (!access_allowed(c, access, &c->early))
        return 0;
    if (c->route->stream) {
        SnApiRequest req;
        fill_request(c, &req);
        json_t *err = NULL;
        c->stream_state = c->route->stream->begin(&req, c->route->userdata, &err);
        if (!c->stream_state)
            c->early = err ? err : sn_api_error(500, NULL, NULL, "cannot receive the request body");
        else
            json_decref(err);
    }
    /*
     * A client that asked before sending its body (curl does for large uploads, and waits a second
     * otherwise) may send it now. One refused early gets its final answer instead, after the body.
     */
    if (c->expect_continue && !c->early)
        evbuffer_add_printf(bufferevent_get_output(c->bev), "HTTP/1.1 100 Continue\r\n\r\n");
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    Conn *c = p->data;
    if (c->early)
        return 0; /* the answer is decided: read and drop the rest */
    if (c->stream_state) {
        json_t *err = NULL;
        if (c->route->stream->data(c->stream_state, at, len, &err) < 0)
            c->early = err ? err : sn_api_error(400, NULL, NULL, "cannot receive the request body");
        else
            json_decref(err);
        return 0;
    }
    if (c->body.len + len > SN_API_MAX_BODY) {
        c->early = sn_api_error(413, NULL, NULL, "cannot read request body: larger than %u bytes", SN_API_MAX_BODY);
        sn_buf_done(&c->body);
        return 0;
    }
    return sn_buf_append(&c->body, at, len) < 0 ? -1 : 0;
}

void sn_api_server_write_response(Conn *c, json_t *env, bool keep_alive)
{
    int status = (int)json_integer_value(json_object_get(env, "status-code"));
    if (status < 100 || status > 599)
        status = 500;
    /* a raw response (sn_api_raw): its own content type, extra headers and body */
    bool raw = SN_STREQ(json_string_value(json_object_get(env, "type")), "raw");
    const char *content_type = raw ? json_string_value(json_object_get(env, "content-type")) : "application/json";
    const char *extra = raw ? json_string_value(json_object_get(env, "headers")) : "";
    _sn_free_ char *body = raw ? strndup(json_string_value(json_object_get(env, "body")) ?: "",
                                         json_string_length(json_object_get(env, "body")))
                               : json_dumps(env, JSON_COMPACT);
    if (!body) {
        status = 500;
        content_type = "application/json";
        extra = "";
        body = strdup("{\"type\":\"error\",\"status-code\":500,\"status\":\"Internal Server Error\","
                      "\"result\":{\"message\":\"cannot encode the response\"}}");
    }
    char date[64];
    sn_api_server_http_date(date, sizeof(date));
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t blen = body ? strlen(body) : 0;
    evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%sDate: %s\r\nContent-Length: %zu\r\n%s\r\n",
                        status, sn_api_status_text(status), content_type ? content_type : "application/octet-stream",
                        extra ? extra : "", date, blen, keep_alive ? "" : "Connection: close\r\n");
    if (body)
        evbuffer_add(out, body, blen);
    if (!keep_alive)
        c->closing = true;
}

static int on_message_complete(http_parser *p)
{
    Conn *c = p->data;
    json_t *env = NULL;
    if (c->early)
        env = SN_TAKE_PTR(c->early);
    else {
        SnApiRequest req;
        fill_request(c, &req);
        if (!c->stream_state) {
            if (!sn_buf_ok(&c->body))
                return -1;
            req.body = c->body.data ? c->body.data : "";
            req.body_len = c->body.len;
        }
        c->in_handler = true;
        env = c->handler(&req, c->route->userdata);
        c->in_handler = false;
        if (sn_api_server_is_deferred_marker(env)) {
            json_decref(env);
            request_reset(c);
            if (c->deferred) {
                /* answered later: read nothing more of this connection until then */
                http_parser_pause(p, 1);
                return 0;
            }
            return c->closing ? -1 : 0; /* answered from the handler itself */
        }
        if (c->deferred) /* deferred, then answered at once after all: the handle goes */
            sn_api_server_deferred_drop(c);
        if (!env)
            env = sn_api_error(500, NULL, NULL, "internal error");
    }
    sn_api_server_write_response(c, env, http_should_keep_alive(p));
    json_decref(env);
    request_reset(c);
    return c->closing ? -1 : 0; /* stop parsing what follows a closing request */
}

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* ---- connections ---- */

static void conn_free(Conn *c)
{
    sn_api_server_deferred_drop(c);
    request_reset(c);
    if (c->resume)
        event_free(c->resume);
    if (c->bev)
        bufferevent_free(c->bev);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->server->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->server->n_conns--;
    free(c);
}

static void conn_write_cb(struct bufferevent *bev, void *userdata)
{
    Conn *c = userdata;
    if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        conn_free(c);
}

static void conn_read_cb(struct bufferevent *bev, void *userdata)
{
    Conn *c = userdata;
    struct evbuffer *in = bufferevent_get_input(bev);
    if (c->deferred && evbuffer_get_length(in) > SN_API_MAX_BODY) {
        conn_free(c); /* a client that floods while its answer is pending */
        return;
    }
    while (!c->closing && !c->deferred && evbuffer_get_length(in) > 0) {
        struct evbuffer_iovec v;
        if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
            break;
        size_t n = http_parser_execute(&c->parser, &parser_settings, v.iov_base, v.iov_len);
        if (c->closing)
            break; /* a response with Connection: close was queued */
        if (c->deferred && HTTP_PARSER_ERRNO(&c->parser) == HPE_PAUSED) {
            evbuffer_drain(in, n); /* the rest waits for the answer */
            break;
        }
        if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK || n != v.iov_len) {
            json_t *env = sn_api_error(400, NULL, NULL, "cannot parse the request: %s",
                                       http_errno_description(HTTP_PARSER_ERRNO(&c->parser)));
            sn_api_server_write_response(c, env, false);
            json_decref(env);
            break;
        }
        evbuffer_drain(in, n);
    }
    if (c->closing) {
        bufferevent_disable(bev, EV_READ);
        conn_write_cb(bev, c);
    }
}

/* After a deferred answer: what the client sent meanwhile; or a stream's client fell behind. */
static void conn_resume_cb(evutil_socket_t fd, short what, void *userdata)
{
    Conn *c = userdata;
    if (c->overflow) {
        conn_free(c);
        return;
    }
    if (c->deferred)
        return;
    http_parser_pause(&c->parser, 0);
    conn_read_cb(c->bev, c);
}

static void conn_event_cb(struct bufferevent *bev, short events, void *userdata)
{
    if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        conn_free(userdata);
}

static void accept_ctx_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *addr, int len,
                          void *userdata)
{
    ListenCtx *lc = userdata;
    SnApiServer *s = lc->server;
    Conn *c = calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        return;
    }
    c->server = s;
    c->which = lc->which;
    /* The one source of identity. Nothing else about the peer (its bound path) is ever read. */
    socklen_t cl = sizeof(c->cred);
    c->has_cred = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &cl) == 0 && cl == sizeof(c->cred);
    c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    c->resume = event_new(s->base, -1, 0, conn_resume_cb, c);
    if (!c->bev || !c->resume) {
        if (c->bev)
            bufferevent_free(c->bev);
        else
            close(fd);
        if (c->resume)
            event_free(c->resume);
        free(c);
        return;
    }
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->n_conns++;
    bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    /*
     * libevent reads 4 KiB at a time by default: a 100 MB sideload would take 25,000 trips through
     * the loop. Read what the socket has, up to 256 KiB (requests are parsed as they stream anyway).
     */
    bufferevent_set_max_single_read(c->bev, 256 * 1024);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* ---- the server ---- */

int sn_api_server_new(struct event_base *base, SnApiServer **ret)
{
    SnApiServer *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->base = base;
    *ret = s;
    return 0;
}

SnApiServer *sn_api_server_free(SnApiServer *s)
{
    if (!s)
        return NULL;
    while (s->conns)
        conn_free(s->conns);
    for (size_t i = 0; i < s->n_listeners; i++) {
        evconnlistener_free(s->listeners[i].lev);
        free(s->listeners[i].ctx);
    }
    free(s->listeners);
    free(s->routes);
    free(s);
    return NULL;
}

int sn_api_server_add_route(SnApiServer *s, const SnApiRoute *route)
{
    SnApiRoute *n = reallocarray(s->routes, s->n_routes + 1, sizeof(*n));
    if (!n)
        return -ENOMEM;
    s->routes = n;
    s->routes[s->n_routes++] = *route;
    return 0;
}

unsigned sn_api_server_connections(const SnApiServer *s)
{
    return s->n_conns;
}

int sn_api_server_listen_fd(SnApiServer *s, int fd, SnApiSocket which, SnError **reterr)
{
    Listener *n = reallocarray(s->listeners, s->n_listeners + 1, sizeof(*n));
    if (!n) {
        close(fd);
        return -ENOMEM;
    }
    s->listeners = n;
    ListenCtx *lc = calloc(1, sizeof(*lc));
    if (!lc) {
        close(fd);
        return -ENOMEM;
    }
    lc->server = s;
    lc->which = which;
    struct evconnlistener *lev =
        evconnlistener_new(s->base, accept_ctx_cb, lc, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
    if (!lev) {
        free(lc);
        close(fd);
        return sn_error_set(reterr, -EIO, "cannot listen on the API socket");
    }
    s->listeners[s->n_listeners++] = (Listener){lev, lc};
    return 0;
}

int sn_api_server_listen(SnApiServer *s, const char *path, SnApiSocket which, mode_t mode, SnError **reterr)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return sn_error_set(reterr, -ENAMETOOLONG, "cannot listen on %s: path too long for a unix socket", path);
    strcpy(sa.sun_path, path);

    _sn_free_ char *dir = strdup(path);
    if (!dir)
        return -ENOMEM;
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        int r = sn_mkdir_p(dir, 0755);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot create %s: %s", dir, strerror(-r));
    }

    _sn_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot create a socket: %m");
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return sn_error_set(reterr, -EEXIST, "cannot listen on %s: it exists and is not a socket", path);
        (void)unlink(path);
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot bind %s: %m", path);
    if (chmod(path, mode) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot chmod %s: %m", path);
    if (listen(fd, 128) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot listen on %s: %m", path);
    return sn_api_server_listen_fd(s, SN_TAKE_FD(fd), which, reterr);
}
