/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sys/wait.h>

#include "api-test-util.h"
#include "api-v2.h"
#include "assert-test-util.h"

static char root[] = "/tmp/sn-apiassert-XXXXXX";
static char sock[256];
static struct event_base *base;
static SnApiServer *srv;
static SnState *st;
static SnApiContext ctx;
static int fd = -1;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    snprintf(sock, sizeof(sock), "%s/run/snapd.socket", root);
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    ctx = (SnApiContext){.st = st, .root = root, .version = "1.2.3"};
    base = event_base_new();
    cr_assert_eq(sn_api_server_new(base, &srv), 0);
    cr_assert_eq(sn_api_v2_register(srv, &ctx), 0);
    cr_assert_eq(sn_api_server_listen(srv, sock, SN_API_SOCKET_SNAPD, 0666, NULL), 0);
    fd = test_connect(sock, NULL);
}

static void teardown(void)
{
    close(fd);
    srv = sn_api_server_free(srv);
    event_base_free(base);
    st = sn_state_free(st);
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(api_assertions, .init = setup, .fini = teardown, .timeout = 60);

/* One request; returns the status, *ret_head the status line and headers, *ret_body the body. */
static int request(const char *method, const char *path, const char *body, char **ret_head, char **ret_body)
{
    _sn_free_ char *req = sn_strdup_printf("%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: %zu\r\n\r\n%s", method,
                                           path, body ? strlen(body) : 0, body ? body : "");
    test_send(base, fd, req, strlen(req));
    SnBuf in = {0};
    for (int idle = 0; idle < 5000;) {
        test_pump(base);
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            sn_buf_append(&in, buf, (size_t)n);
            idle = 0;
        } else {
            cr_assert(n < 0 && (errno == EAGAIN || errno == EINTR), "read: %m");
            poll(NULL, 0, 1);
            idle++;
        }
        sn_buf_putc(&in, '\0');
        in.len--;
        const char *end = strstr(in.data, "\r\n\r\n");
        if (!end)
            continue;
        const char *cl = strcasestr(in.data, "\r\nContent-Length: ");
        cr_assert(cl && cl < end);
        size_t len = strtoul(cl + 18, NULL, 10);
        if (in.len - (size_t)(end + 4 - in.data) < len)
            continue;
        int status = 0;
        cr_assert_eq(sscanf(in.data, "HTTP/1.1 %d", &status), 1);
        *ret_head = strndup(in.data, (size_t)(end + 2 - in.data));
        *ret_body = strndup(end + 4, len);
        sn_buf_done(&in);
        return status;
    }
    cr_assert_fail("no response");
    return -1;
}

static json_t *call(const char *method, const char *path, const char *body, int want_status)
{
    _sn_free_ char *head = NULL, *b = NULL;
    int status = request(method, path, body, &head, &b);
    cr_assert_eq(status, want_status, "%s %s: %d %s", method, path, status, b);
    cr_assert_not_null(strstr(head, "\r\nContent-Type: application/json\r\n"), "%s", head);
    json_t *j = json_loads(b, 0, NULL);
    cr_assert_not_null(j, "not JSON: %s", b);
    return j;
}

static const char *message(json_t *env)
{
    return json_string_value(json_object_get(json_object_get(env, "result"), "message"));
}

static char *real_chain(void)
{
    _sn_free_ char *store = corpus_file("canonical-store-chain/fde-on-classic-model-etc.assert", NULL);
    _sn_free_ char *decl = corpus_file("snapd-spread-log-2022/snap-declaration-hello-world.assert", NULL);
    return sn_strdup_printf("%s\n%s", store, decl);
}

Test(api_assertions, types_lists_every_type_sorted)
{
    json_t *j = call("GET", "/v2/assertions", NULL, 200);
    json_t *types = json_object_get(json_object_get(j, "result"), "types");
    cr_assert_gt(json_array_size(types), 20);
    for (size_t i = 1; i < json_array_size(types); i++)
        cr_assert_lt(
            strcmp(json_string_value(json_array_get(types, i - 1)), json_string_value(json_array_get(types, i))), 0);
    bool found = false;
    for (size_t i = 0; i < json_array_size(types); i++)
        found |= SN_STREQ(json_string_value(json_array_get(types, i)), "snap-declaration");
    cr_assert(found);
    json_decref(j);
}

Test(api_assertions, ack_then_find_as_an_assertion_stream)
{
    _sn_free_ char *chain = real_chain();
    json_t *j = call("POST", "/v2/assertions", chain, 200);
    cr_assert_str_eq(json_string_value(json_object_get(j, "type")), "sync");
    cr_assert(json_is_null(json_object_get(j, "result")));
    json_decref(j);

    _sn_free_ char *head = NULL, *body = NULL;
    cr_assert_eq(request("GET", "/v2/assertions/snap-declaration?snap-name=hello-world", NULL, &head, &body), 200);
    cr_assert_not_null(strstr(head, "\r\nContent-Type: application/x.ubuntu.assertion; bundle=y\r\n"), "%s", head);
    cr_assert_not_null(strstr(head, "\r\nX-Ubuntu-Assertions-Count: 1\r\n"), "%s", head);
    SnAssertion **list = NULL;
    size_t n = 0;
    cr_assert_eq(sn_assert_decode_stream(body, strlen(body), &list, &n, NULL), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(sn_assertion_header(list[0], "snap-id"), "buPKUD3TKqCOgLEjjHx5kSiCpIs5cMuQ");
    sn_assertion_list_free(list);

    /* several: root and generic models (trusted), the store and the brand key (stored) */
    free(head);
    free(body);
    cr_assert_eq(request("GET", "/v2/assertions/account-key", NULL, &head, &body), 200);
    cr_assert_not_null(strstr(head, "\r\nX-Ubuntu-Assertions-Count: 4\r\n"), "%s", head);
    cr_assert_eq(sn_assert_decode_stream(body, strlen(body), &list, &n, NULL), 0);
    cr_assert_eq(n, 4);
    sn_assertion_list_free(list);

    /* nothing: an empty bundle */
    free(head);
    free(body);
    cr_assert_eq(request("GET", "/v2/assertions/snap-declaration?snap-name=nope", NULL, &head, &body), 200);
    cr_assert_not_null(strstr(head, "\r\nX-Ubuntu-Assertions-Count: 0\r\n"), "%s", head);
    cr_assert_str_eq(body, "");
}

Test(api_assertions, json_forms_give_headers_and_bodies)
{
    _sn_free_ char *chain = real_chain();
    json_decref(call("POST", "/v2/assertions", chain, 200));
    json_t *j = call("GET", "/v2/assertions/account-key?name=store&json=true", NULL, 200);
    json_t *r = json_object_get(j, "result");
    cr_assert_eq(json_array_size(r), 1);
    json_t *h = json_object_get(json_array_get(r, 0), "headers");
    cr_assert_str_eq(json_string_value(json_object_get(h, "account-id")), "canonical");
    cr_assert_str_eq(json_string_value(json_object_get(h, "revision")), "2");
    cr_assert(sn_startswith(json_string_value(json_object_get(json_array_get(r, 0), "body")), "AcbBTQRW"));
    json_decref(j);
    j = call("GET", "/v2/assertions/account-key?name=store&json=headers", NULL, 200);
    r = json_object_get(j, "result");
    cr_assert_null(json_object_get(json_array_get(r, 0), "body"));
    cr_assert_not_null(json_object_get(json_array_get(r, 0), "headers"));
    json_decref(j);
}

Test(api_assertions, bad_requests_get_snapds_errors)
{
    json_t *j = call("GET", "/v2/assertions/no-such-type", NULL, 400);
    cr_assert_str_eq(message(j), "invalid assert type: \"no-such-type\"");
    json_decref(j);
    j = call("GET", "/v2/assertions/account?json=yes", NULL, 400);
    cr_assert_str_eq(message(j), "\"json\" query parameter when used must be set to \"true\" or \"headers\"");
    json_decref(j);
    j = call("GET", "/v2/assertions/account?remote=1", NULL, 400);
    cr_assert_str_eq(message(j),
                     "\"remote\" query parameter when used must be set to \"true\" or \"false\" or left unset");
    json_decref(j);
    j = call("POST", "/v2/assertions", "type: account\n\nnot an assertion", 400);
    cr_assert(sn_startswith(message(j), "cannot decode request body into assertions: "), "%s", message(j));
    json_decref(j);

    _sn_free_ char *chain = real_chain();
    char *p = strstr(chain, "snap-name: hello-world");
    cr_assert_not_null(p);
    p[strlen("snap-name: hello-wor")] = 'm';
    j = call("POST", "/v2/assertions", chain, 400);
    cr_assert(sn_startswith(message(j), "assert failed: cannot accept some assertions:\n - "), "%s", message(j));
    json_decref(j);
    /* all or nothing: the store key is not there */
    j = call("GET", "/v2/assertions/account-key?name=store&json=true", NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "result")), 0);
    json_decref(j);
}

Test(api_assertions, ack_needs_root_and_find_does_not)
{
    cr_assert_eq(geteuid(), 0, "this test runs as root");
    _sn_free_ char *run = sn_strdup_printf("%s/run", root);
    cr_assert_eq(chmod(root, 0755), 0);
    cr_assert_eq(chmod(run, 0755), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        /* a non-root client on a fresh connection: its identity comes from SO_PEERCRED */
        if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
            _exit(2);
        int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        if (strlen(sock) >= sizeof(a.sun_path))
            _exit(6);
        memcpy(a.sun_path, sock, strlen(sock));
        if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
            _exit(3);
        const char *reqs[] = {"POST /v2/assertions HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                              "GET /v2/assertions/account HTTP/1.1\r\nHost: x\r\n\r\n"};
        const char *want[] = {"HTTP/1.1 401 ", "HTTP/1.1 200 "};
        for (int i = 0; i < 2; i++) {
            if (write(c, reqs[i], strlen(reqs[i])) < 0)
                _exit(4);
            char buf[8192];
            ssize_t n = read(c, buf, sizeof(buf) - 1);
            if (n <= 0)
                _exit(5);
            buf[n] = '\0';
            if (!sn_startswith(buf, want[i]))
                _exit(10 + i);
        }
        _exit(0);
    }
    int status = 0;
    for (int i = 0; i < 5000 && waitpid(pid, &status, WNOHANG) == 0; i++) {
        test_pump(base);
        poll(NULL, 0, 1);
    }
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}
