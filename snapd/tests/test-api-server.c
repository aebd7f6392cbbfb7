/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "api-test-util.h"
#include "api.h"

static char dir[] = "/tmp/sn-api-XXXXXX";
static char sock[256], snap_sock[256];
static struct event_base *base;
static SnApiServer *srv;

static json_t *echo(const SnApiRequest *req, void *userdata)
{
    const char *x = sn_api_request_param(req, "x");
    return sn_api_sync(json_pack("{s:s, s:s, s:i, s:s?, s:s?, s:I, s:i}", "method", req->method, "path", req->path,
                                 "uid", (int)req->uid, "x", x, "var", req->var, "body-len", (json_int_t)req->body_len,
                                 "socket", (int)req->socket));
}

typedef struct Counter {
    size_t total;
    unsigned calls;
} Counter;

static void *count_begin(const SnApiRequest *req, void *userdata, json_t **ret_error)
{
    cr_assert_null(req->body);
    return calloc(1, sizeof(Counter));
}

static int count_data(void *state, const char *data, size_t len, json_t **ret_error)
{
    Counter *c = state;
    c->total += len;
    c->calls++;
    return 0;
}

static json_t *count_done(const SnApiRequest *req, void *userdata)
{
    const Counter *c = req->stream_state;
    return sn_api_sync(json_pack("{s:I, s:i}", "total", (json_int_t)c->total, "calls", (int)c->calls));
}

static const SnApiBodyStream counting = {count_begin, count_data, free};

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(sock, sizeof(sock), "%s/run/snapd.socket", dir);
    snprintf(snap_sock, sizeof(snap_sock), "%s/run/snapd-snap.socket", dir);
    base = event_base_new();
    cr_assert_eq(sn_api_server_new(base, &srv), 0);
    const SnApiRoute routes[] = {
        {.path = "/t/echo", .get = echo, .post = echo, .write_access = SN_API_ACCESS_AUTHENTICATED},
        {.path = "/t/root", .post = echo, .write_access = SN_API_ACCESS_ROOT},
        {.path = "/t/things/{}", .get = echo},
        {.path = "/t/snapctl", .post = echo, .write_access = SN_API_ACCESS_SNAP_SOCKET},
        {.path = "/t/upload", .post = count_done, .write_access = SN_API_ACCESS_OPEN, .stream = &counting},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(routes); i++)
        cr_assert_eq(sn_api_server_add_route(srv, &routes[i]), 0);
    SnError *err = NULL;
    int r = sn_api_server_listen(srv, sock, SN_API_SOCKET_SNAPD, 0666, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_eq(sn_api_server_listen(srv, snap_sock, SN_API_SOCKET_SNAP, 0666, NULL), 0);
}

static void teardown(void)
{
    srv = sn_api_server_free(srv);
    event_base_free(base);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(api_server, .init = setup, .fini = teardown, .timeout = 60);

Test(api_server, sockets_are_0666)
{
    struct stat st;
    cr_assert_eq(stat(sock, &st), 0);
    cr_assert(S_ISSOCK(st.st_mode));
    cr_assert_eq(st.st_mode & 0777, 0666);
}

Test(api_server, relisten_replaces_a_stale_socket_but_not_a_file)
{
    cr_assert_eq(sn_api_server_listen(srv, sock, SN_API_SOCKET_SNAPD, 0666, NULL), 0);
    char file[300];
    snprintf(file, sizeof(file), "%s/regular", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    SnError *err = NULL;
    cr_assert_eq(sn_api_server_listen(srv, file, SN_API_SOCKET_SNAPD, 0666, &err), -EEXIST);
    cr_assert_not_null(strstr(err->message, "is not a socket"));
    sn_error_free(err);
}

Test(api_server, sync_envelope_keep_alive_and_pipelining)
{
    int fd = test_connect(sock, NULL);
    _sn_free_ char *b1 = NULL, *b2 = NULL, *b3 = NULL;
    cr_assert_eq(test_request(base, fd, "GET", "/t/echo?x=a%20b+c&y", NULL, &b1), 200);
    cr_assert_str_eq(b1, "{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":{\"method\":\"GET\","
                         "\"path\":\"/t/echo\",\"uid\":0,\"x\":\"a b c\",\"var\":null,\"body-len\":0,\"socket\":0}}");
    /* Two requests in one write: both answered, in order, on the same connection. */
    const char *two = "GET /t/things/abc HTTP/1.1\r\nHost: x\r\n\r\nGET /t/things/d%2Fe HTTP/1.1\r\nHost: x\r\n\r\n";
    test_send(base, fd, two, strlen(two));
    cr_assert_eq(test_recv(base, fd, &b2, NULL), 200);
    cr_assert_not_null(strstr(b2, "\"var\":\"abc\""), "%s", b2);
    /* An escaped slash does not make a second segment before matching: the decoded path has one. */
    cr_assert_eq(test_recv(base, fd, &b3, NULL), 404);
    cr_assert_eq(sn_api_server_connections(srv), 1);
    close(fd);
}

Test(api_server, not_found_and_method_not_allowed_in_snapds_shape)
{
    int fd = test_connect(sock, NULL);
    _sn_free_ char *b1 = NULL, *b2 = NULL, *b3 = NULL;
    cr_assert_eq(test_request(base, fd, "GET", "/v2/nope", NULL, &b1), 404);
    cr_assert_str_eq(b1, "{\"type\":\"error\",\"status-code\":404,\"status\":\"Not Found\",\"result\":{\"message\":"
                         "\"not found\"}}");
    cr_assert_eq(test_request(base, fd, "DELETE", "/t/echo", NULL, &b2), 405);
    cr_assert_str_eq(b2, "{\"type\":\"error\",\"status-code\":405,\"status\":\"Method Not Allowed\",\"result\":{"
                         "\"message\":\"method \\\"DELETE\\\" not allowed\"}}");
    cr_assert_eq(test_request(base, fd, "GET", "/t/things/", NULL, &b3), 404);
    close(fd);
}

/* Runs a request as uid 65534 from a child, the socket bound at bind_path; returns the HTTP status. */
static int status_as_nobody(const char *path, const char *bind_path, const char *method, const char *url)
{
    cr_assert_eq(chmod(dir, 0755), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
            _exit(1);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un b = {.sun_family = AF_UNIX}, a = {.sun_family = AF_UNIX};
        if (bind_path) {
            if (strlen(bind_path) >= sizeof(b.sun_path))
                _exit(7);
            memcpy(b.sun_path, bind_path, strlen(bind_path));
            if (bind(fd, (struct sockaddr *)&b, sizeof(b)) < 0) {
                fprintf(stderr, "bind %s: %m\n", bind_path);
                _exit(2);
            }
        }
        if (strlen(path) >= sizeof(a.sun_path) || (memcpy(a.sun_path, path, strlen(path)), false))
            _exit(7);
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
            _exit(3);
        char req[512];
        int n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", method, url);
        if (write(fd, req, (size_t)n) != n)
            _exit(4);
        char resp[64] = {0};
        if (read(fd, resp, sizeof(resp) - 1) < 12)
            _exit(5);
        int status = 0;
        if (sscanf(resp, "HTTP/1.1 %d", &status) != 1)
            _exit(6);
        _exit(status / 100 * 10 + status % 10); /* 401 -> 41, 403 -> 43, 200 -> 20 */
    }
    int wstatus = 0;
    for (;;) {
        test_pump(base);
        pid_t w = waitpid(pid, &wstatus, WNOHANG);
        if (w == pid)
            break;
        poll(NULL, 0, 1);
    }
    cr_assert(WIFEXITED(wstatus));
    int code = WEXITSTATUS(wstatus);
    cr_assert_geq(code, 20, "child failed at step %d", code);
    return code / 10 * 100 + code % 10;
}

Test(api_server, writes_need_root_reads_do_not)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to run a child as another uid");
    cr_assert_eq(status_as_nobody(sock, NULL, "GET", "/t/echo"), 200);
    cr_assert_eq(status_as_nobody(sock, NULL, "POST", "/t/echo"), 401);
    cr_assert_eq(status_as_nobody(sock, NULL, "POST", "/t/root"), 403);
    int fd = test_connect(sock, NULL);
    _sn_free_ char *b = NULL;
    cr_assert_eq(test_request(base, fd, "POST", "/t/root", "{}", &b), 200);
    close(fd);
}

/* CVE-2019-7304: the peer's bound path must never count as identity. */
Test(api_server, dirty_sock_bound_path_claiming_uid_0_is_still_refused)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to run a child as another uid");
    char tmpdir[300], bound[400];
    snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", dir);
    cr_assert_eq(mkdir(tmpdir, 01777), 0);
    cr_assert_eq(chmod(tmpdir, 01777), 0);
    const char *names[] = {"x;uid=0;", "pid=1;uid=0;socket=;", ";uid=0;socket=;uid=0;"};
    for (size_t i = 0; i < SN_ELEMENTSOF(names); i++) {
        snprintf(bound, sizeof(bound), "%s/%s", tmpdir, names[i]);
        cr_expect_eq(status_as_nobody(sock, bound, "POST", "/t/echo"), 401, "bound at %s", names[i]);
        unlink(bound);
        cr_expect_eq(status_as_nobody(sock, bound, "POST", "/t/root"), 403, "bound at %s", names[i]);
        unlink(bound);
    }
}

Test(api_server, snap_socket_serves_only_its_routes)
{
    int fd = test_connect(snap_sock, NULL);
    _sn_free_ char *b1 = NULL, *b2 = NULL;
    cr_assert_eq(test_request(base, fd, "GET", "/t/echo", NULL, &b1), 403);
    cr_assert_str_eq(b1, "{\"type\":\"error\",\"status-code\":403,\"status\":\"Forbidden\",\"result\":{\"message\":"
                         "\"access denied\",\"kind\":\"login-required\"}}");
    cr_assert_eq(test_request(base, fd, "POST", "/t/snapctl", "{}", &b2), 200);
    cr_assert_not_null(strstr(b2, "\"socket\":1"));
    close(fd);
    int fd2 = test_connect(sock, NULL);
    _sn_free_ char *b3 = NULL;
    cr_assert_eq(test_request(base, fd2, "POST", "/t/snapctl", "{}", &b3), 403);
    close(fd2);
}

Test(api_server, large_body_streams_to_the_route_in_pieces)
{
    size_t size = 8U * 1024 * 1024; /* twice the in-memory cap */
    char *payload = malloc(size);
    memset(payload, 'x', size);
    int fd = test_connect(sock, NULL);
    _sn_free_ char *head = sn_strdup_printf("POST /t/upload HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n", size);
    test_send(base, fd, head, strlen(head));
    test_send(base, fd, payload, size);
    free(payload);
    _sn_free_ char *b = NULL;
    cr_assert_eq(test_recv(base, fd, &b, NULL), 200);
    json_t *j = json_loads(b, 0, NULL);
    json_t *res = json_object_get(j, "result");
    cr_assert_eq(json_integer_value(json_object_get(res, "total")), (json_int_t)size);
    cr_assert_gt(json_integer_value(json_object_get(res, "calls")), 1, "the body came in one piece");
    json_decref(j);
    close(fd);
}

Test(api_server, chunked_body_streams_too)
{
    int fd = test_connect(sock, NULL);
    const char *req = "POST /t/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    test_send(base, fd, req, strlen(req));
    _sn_free_ char *b = NULL;
    cr_assert_eq(test_recv(base, fd, &b, NULL), 200);
    cr_assert_not_null(strstr(b, "\"total\":11"), "%s", b);
    close(fd);
}

Test(api_server, in_memory_bodies_are_capped)
{
    size_t size = SN_API_MAX_BODY + 1;
    char *payload = malloc(size);
    memset(payload, '{', size);
    int fd = test_connect(sock, NULL);
    _sn_free_ char *head = sn_strdup_printf("POST /t/root HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n", size);
    test_send(base, fd, head, strlen(head));
    test_send(base, fd, payload, size);
    free(payload);
    _sn_free_ char *b = NULL;
    cr_assert_eq(test_recv(base, fd, &b, NULL), 413);
    /* and the connection still works */
    _sn_free_ char *b2 = NULL;
    cr_assert_eq(test_request(base, fd, "GET", "/t/echo", NULL, &b2), 200);
    close(fd);
}

Test(api_server, garbage_gets_400_and_the_connection_closes)
{
    int fd = test_connect(sock, NULL);
    const char *junk = "BLAH\x01 / HTTP/9\r\n\r\n";
    test_send(base, fd, junk, strlen(junk));
    _sn_free_ char *b = NULL;
    bool closed = false;
    cr_assert_eq(test_recv(base, fd, &b, &closed), 400);
    cr_assert(closed);
    cr_assert_not_null(strstr(b, "cannot parse the request"));
    close(fd);
    for (int i = 0; i < 10; i++)
        test_pump(base);
    cr_assert_eq(sn_api_server_connections(srv), 0);
}

Test(api_server, connection_close_is_honoured)
{
    int fd = test_connect(sock, NULL);
    const char *req = "GET /t/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    test_send(base, fd, req, strlen(req));
    bool closed = false;
    cr_assert_eq(test_recv(base, fd, NULL, &closed), 200);
    cr_assert(closed);
    close(fd);
}

Test(api_server, envelope_builders)
{
    json_t *a = sn_api_async(42);
    _sn_free_ char *as = json_dumps(a, JSON_COMPACT);
    cr_assert_str_eq(as, "{\"type\":\"async\",\"status-code\":202,\"status\":\"Accepted\",\"result\":null,"
                         "\"change\":\"42\"}");
    json_decref(a);
    json_t *e = sn_api_error(409, "snap-change-conflict", json_pack("{s:s}", "snap-name", "x"), "snap %s busy", "x");
    _sn_free_ char *es = json_dumps(e, JSON_COMPACT);
    cr_assert_str_eq(es, "{\"type\":\"error\",\"status-code\":409,\"status\":\"Conflict\",\"result\":{\"message\":"
                         "\"snap x busy\",\"kind\":\"snap-change-conflict\",\"value\":{\"snap-name\":\"x\"}}}");
    json_decref(e);
    json_t *u = sn_api_error(401, NULL, NULL, "access denied");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(u, "result"), "kind")), "login-required");
    json_decref(u);
}

Test(api_server, expect_100_continue_is_answered_before_the_body)
{
    int fd = test_connect(sock, NULL);
    const char *head = "POST /t/upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
    test_send(base, fd, head, strlen(head));
    char got[64] = {0};
    size_t n = 0;
    for (int i = 0; i < 2000 && n < 25; i++) {
        test_pump(base);
        ssize_t m = read(fd, got + n, 25 - n);
        if (m > 0)
            n += (size_t)m;
        else
            poll(NULL, 0, 1);
    }
    cr_assert_str_eq(got, "HTTP/1.1 100 Continue\r\n\r\n");
    test_send(base, fd, "hello", 5);
    _sn_free_ char *body = NULL;
    cr_assert_eq(test_recv(base, fd, &body, NULL), 200, "%s", body);
    close(fd);

    /* Refused before the body: the final answer, no 100. */
    fd = test_connect(sock, NULL);
    head = "POST /nowhere HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello";
    test_send(base, fd, head, strlen(head));
    _sn_free_ char *b2 = NULL;
    cr_assert_eq(test_recv(base, fd, &b2, NULL), 404);
    close(fd);
}

/* ---- answers given later ---- */

static SnApiDeferred *pending;
static unsigned gone_calls;

static void on_gone(void *userdata)
{
    cr_assert_eq(userdata, &gone_calls);
    gone_calls++;
    pending = NULL;
}

static json_t *later(const SnApiRequest *req, void *userdata)
{
    json_t *marker = sn_api_defer(req, on_gone, &gone_calls, &pending);
    cr_assert_not_null(marker);
    return marker;
}

static json_t *stream(const SnApiRequest *req, void *userdata)
{
    json_t *marker = sn_api_defer(req, on_gone, &gone_calls, &pending);
    cr_assert_not_null(marker);
    cr_assert_eq(sn_api_deferred_stream_begin(pending, 200, "application/json-seq"), 0);
    cr_assert_eq(sn_api_deferred_stream_begin(pending, 200, "text/plain"), -EINVAL);
    cr_assert_eq(sn_api_deferred_stream_write(pending, "first", 5), 0);
    return marker;
}

/* A handler that defers, then answers from within itself. */
static json_t *at_once(const SnApiRequest *req, void *userdata)
{
    SnApiDeferred *d = NULL;
    json_t *marker = sn_api_defer(req, on_gone, &gone_calls, &d);
    cr_assert_not_null(marker);
    sn_api_deferred_reply(d, sn_api_sync(json_string("at once")));
    return marker;
}

static void add_later_routes(void)
{
    const SnApiRoute routes[] = {
        {.path = "/t/later", .get = later},
        {.path = "/t/stream", .get = stream},
        {.path = "/t/at-once", .get = at_once},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(routes); i++)
        cr_assert_eq(sn_api_server_add_route(srv, &routes[i]), 0);
}

/* Reads (pumping the loop) until in holds needle; fails after ~3 s. */
static void read_until(int fd, SnBuf *in, const char *needle)
{
    for (int idle = 0; idle < 3000; idle++) {
        if (in->data && strstr(in->data, needle))
            return;
        test_pump(base);
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            sn_buf_append(in, buf, (size_t)n);
            idle = 0;
        } else
            poll(NULL, 0, 1);
    }
    cr_assert_fail("expected \"%s\" in: %s", needle, in->data ? in->data : "(nothing)");
}

/* Pumps the loop for ms milliseconds and returns what came (nothing expected, usually). */
static size_t drain_for(int fd, int ms)
{
    size_t total = 0;
    for (int i = 0; i < ms; i++) {
        test_pump(base);
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0)
            total += (size_t)n;
        poll(NULL, 0, 1);
    }
    return total;
}

Test(api_server, a_deferred_answer_comes_later_and_the_next_request_waits_for_it)
{
    add_later_routes();
    int fd = test_connect(sock, NULL);
    const char *two = "GET /t/later HTTP/1.1\r\nHost: x\r\n\r\nGET /t/echo?x=next HTTP/1.1\r\nHost: x\r\n\r\n";
    test_send(base, fd, two, strlen(two));
    cr_assert_eq(drain_for(fd, 100), 0, "nothing before the deferred answer");
    cr_assert_not_null(pending);
    /* another connection is served meanwhile */
    int other = test_connect(sock, NULL);
    _sn_free_ char *b0 = NULL;
    cr_assert_eq(test_request(base, other, "GET", "/t/echo?x=other", NULL, &b0), 200);
    close(other);
    sn_api_deferred_reply(pending, sn_api_sync(json_string("done")));
    pending = NULL;
    _sn_free_ char *b1 = NULL, *b2 = NULL;
    cr_assert_eq(test_recv(base, fd, &b1, NULL), 200);
    cr_assert_str_eq(b1, "{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":\"done\"}");
    cr_assert_eq(test_recv(base, fd, &b2, NULL), 200);
    cr_assert_not_null(strstr(b2, "\"x\":\"next\""), "%s", b2);
    cr_assert_eq(gone_calls, 0);
    close(fd);
}

Test(api_server, a_handler_may_answer_its_deferred_request_itself)
{
    add_later_routes();
    int fd = test_connect(sock, NULL);
    _sn_free_ char *b1 = NULL, *b2 = NULL;
    cr_assert_eq(test_request(base, fd, "GET", "/t/at-once", NULL, &b1), 200);
    cr_assert_not_null(strstr(b1, "\"at once\""), "%s", b1);
    cr_assert_eq(test_request(base, fd, "GET", "/t/echo", NULL, &b2), 200);
    cr_assert_eq(gone_calls, 0);
    close(fd);
}

Test(api_server, a_stream_is_chunked_until_its_end)
{
    add_later_routes();
    int fd = test_connect(sock, NULL);
    const char *req = "GET /t/stream HTTP/1.1\r\nHost: x\r\n\r\n";
    test_send(base, fd, req, strlen(req));
    SnBuf in = {0};
    read_until(fd, &in, "5\r\nfirst\r\n");
    cr_assert(sn_startswith(in.data, "HTTP/1.1 200 OK\r\nContent-Type: application/json-seq\r\n"), "%s", in.data);
    cr_assert_not_null(strstr(in.data, "\r\nTransfer-Encoding: chunked\r\n"));
    cr_assert_null(strstr(in.data, "Content-Length"));
    cr_assert_null(strstr(in.data, "Connection: close"), "HTTP/1.1 keeps the connection");
    cr_assert_eq(sn_api_deferred_stream_write(pending, "", 0), 0);
    cr_assert_eq(sn_api_deferred_stream_write(pending, "\x1e{}\n", 4), 0);
    read_until(fd, &in, "4\r\n\x1e{}\n\r\n");
    sn_api_deferred_stream_end(pending);
    pending = NULL;
    read_until(fd, &in, "\r\n0\r\n\r\n");
    sn_buf_done(&in);
    /* the connection serves the next request */
    _sn_free_ char *b = NULL;
    cr_assert_eq(test_request(base, fd, "GET", "/t/echo", NULL, &b), 200);
    cr_assert_eq(gone_calls, 0);
    close(fd);
}

Test(api_server, a_client_that_goes_away_ends_its_deferred_request)
{
    add_later_routes();
    int fd = test_connect(sock, NULL);
    const char *req = "GET /t/stream HTTP/1.1\r\nHost: x\r\n\r\n";
    test_send(base, fd, req, strlen(req));
    SnBuf in = {0};
    read_until(fd, &in, "first");
    sn_buf_done(&in);
    cr_assert_eq(sn_api_server_connections(srv), 1);
    close(fd);
    for (int i = 0; i < 1000 && gone_calls == 0; i++) {
        test_pump(base);
        poll(NULL, 0, 1);
    }
    cr_assert_eq(gone_calls, 1);
    cr_assert_null(pending);
    cr_assert_eq(sn_api_server_connections(srv), 0);
}

Test(api_server, a_stream_client_that_does_not_read_is_dropped)
{
    add_later_routes();
    int fd = test_connect(sock, NULL);
    const char *req = "GET /t/stream HTTP/1.1\r\nHost: x\r\n\r\n";
    test_send(base, fd, req, strlen(req));
    for (int i = 0; i < 100 && !pending; i++)
        test_pump(base);
    cr_assert_not_null(pending);
    static char block[64 * 1024];
    memset(block, 'x', sizeof(block));
    int r = 0;
    for (int i = 0; i < 1000 && r == 0; i++)
        r = sn_api_deferred_stream_write(pending, block, sizeof(block));
    cr_assert_eq(r, -ENOBUFS);
    cr_assert_eq(gone_calls, 0, "not from inside the write");
    test_pump(base);
    cr_assert_eq(gone_calls, 1);
    cr_assert_eq(sn_api_server_connections(srv), 0);
    close(fd);
}

Test(api_server, freeing_the_server_ends_a_pending_request)
{
    add_later_routes();
    int fd = test_connect(sock, NULL);
    const char *req = "GET /t/later HTTP/1.1\r\nHost: x\r\n\r\n";
    test_send(base, fd, req, strlen(req));
    for (int i = 0; i < 100 && !pending; i++)
        test_pump(base);
    cr_assert_not_null(pending);
    srv = sn_api_server_free(srv);
    cr_assert_eq(gone_calls, 1);
    close(fd);
}

Test(api_server, a_request_built_by_hand_cannot_be_deferred)
{
    SnApiRequest req = {.method = "GET", .path = "/t/later"};
    SnApiDeferred *d = NULL;
    cr_assert_null(sn_api_defer(&req, NULL, NULL, &d));
    cr_assert_null(d);
}
