/* SPDX-License-Identifier: GPL-3.0-only */
#include <jansson.h>

#include "api-snaps.h"
#include "assert-test-util.h"
#include "assertstate.h"
#include "digest.h"
#include "api-test-util.h"
#include "fd-util.h"
#include "fileio.h"
#include "snapmgr-test-util.h"

static char sock[256];
static struct event_base *base;
static SnApiServer *srv;
static SnApiContext ctx;
static int fd = -1;

static void setup(void)
{
    t_setup();
    if (geteuid() != 0)
        return;
    snprintf(sock, sizeof(sock), "%s/run/snapd.socket", t_root);
    ctx = (SnApiContext){.st = t_st, .runner = t_runner, .root = t_root, .version = "1", .snapmgr = t_mgr};
    base = event_base_new();
    cr_assert_eq(sn_api_server_new(base, &srv), 0);
    cr_assert_eq(sn_api_v2_register(srv, &ctx), 0);
    cr_assert_eq(sn_api_server_listen(srv, sock, SN_API_SOCKET_SNAPD, 0666, NULL), 0);
    fd = test_connect(sock, NULL);
}

static void teardown(void)
{
    if (geteuid() == 0) {
        close(fd);
        srv = sn_api_server_free(srv);
        event_base_free(base);
    }
    t_teardown();
}

TestSuite(api_snaps, .init = setup, .fini = teardown, .timeout = 120);

/* Sends a multipart POST /v2/snaps with the given fields and, when path is set, the file. */
static json_t *sideload(const char *path, const char *const *fields, int want_status)
{
    SnBuf b = {0};
    for (const char *const *f = fields; f && *f; f += 2)
        sn_buf_printf(&b, "--BOUND\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", f[0], f[1]);
    if (path) {
        _sn_free_ char *data = NULL;
        size_t len = 0;
        cr_assert_eq(sn_read_file_at(AT_FDCWD, path, 64U << 20, &data, &len), 0);
        sn_buf_printf(&b, "--BOUND\r\nContent-Disposition: form-data; name=\"snap\"; filename=\"my.snap\"\r\n"
                          "Content-Type: application/octet-stream\r\n\r\n");
        sn_buf_append(&b, data, len);
        sn_buf_puts(&b, "\r\n");
    }
    sn_buf_puts(&b, "--BOUND--\r\n");
    _sn_free_ char *head = sn_strdup_printf("POST /v2/snaps HTTP/1.1\r\nHost: localhost\r\n"
                                            "Content-Type: multipart/form-data; boundary=BOUND\r\n"
                                            "Content-Length: %zu\r\n\r\n",
                                            b.len);
    test_send(base, fd, head, strlen(head));
    test_send(base, fd, b.data, b.len);
    sn_buf_done(&b);
    _sn_free_ char *body = NULL;
    int status = test_recv(base, fd, &body, NULL);
    cr_assert_eq(status, want_status, "%d %s", status, body);
    json_t *j = json_loads(body, 0, NULL);
    cr_assert_not_null(j);
    return j;
}

static json_t *call(const char *method, const char *path, const char *body, int want_status)
{
    _sn_free_ char *b = NULL;
    int status = test_request(base, fd, method, path, body, &b);
    cr_assert_eq(status, want_status, "%s %s: %d %s", method, path, status, b);
    json_t *j = json_loads(b, 0, NULL);
    cr_assert_not_null(j);
    return j;
}

/* POST of a JSON body with its Content-Type, as snapd's client sends it. */
static json_t *post_json(const char *path, const char *body, int want_status)
{
    _sn_free_ char *req = sn_strdup_printf("POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                           "Content-Length: %zu\r\n\r\n%s",
                                           path, strlen(body), body);
    test_send(base, fd, req, strlen(req));
    _sn_free_ char *b = NULL;
    int status = test_recv(base, fd, &b, NULL);
    cr_assert_eq(status, want_status, "POST %s: %d %s", path, status, b);
    json_t *j = json_loads(b, 0, NULL);
    cr_assert_not_null(j);
    return j;
}

static const char *res(json_t *env, const char *key)
{
    return json_string_value(json_object_get(json_object_get(env, "result"), key));
}

static void settle(void)
{
    cr_assert_eq(sn_taskrunner_settle(t_runner, 20000), 0);
}

static int spool_files(void)
{
    _sn_free_ char *cmd =
        sn_strdup_printf("ls -A %s/var/lib/snapd/snaps 2>/dev/null | grep -c '^.local-install-'", t_root);
    FILE *f = popen(cmd, "r");
    int n = 0;
    cr_assert_eq(fscanf(f, "%d", &n), 1);
    pclose(f);
    return n;
}

Test(api_snaps, sideload_installs_and_get_shows_it)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("hello", NULL);
    static const char *const fields[] = {"action",    "install", "snap-path", "/home/u/hello.snap",
                                         "dangerous", "true",    NULL};
    json_t *env = sideload(snap, fields, 202);
    cr_assert_str_eq(json_string_value(json_object_get(env, "type")), "async");
    const char *id = json_string_value(json_object_get(env, "change"));
    cr_assert_not_null(id);
    settle();
    _sn_free_ char *cpath = sn_strdup_printf("/v2/changes/%s", id);
    json_decref(env);
    env = call("GET", cpath, NULL, 200);
    cr_assert_str_eq(res(env, "status"), "Done");
    cr_assert_str_eq(res(env, "summary"), "Install \"hello\" snap from file \"/home/u/hello.snap\"");
    json_t *data = json_object_get(json_object_get(env, "result"), "data");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(data, "snap-names"), 0)), "hello");
    json_decref(env);

    env = call("GET", "/v2/snaps/hello", NULL, 200);
    cr_assert_str_eq(res(env, "revision"), "x1");
    cr_assert_str_eq(res(env, "version"), "1.0");
    cr_assert_str_eq(res(env, "status"), "active");
    cr_assert_str_eq(res(env, "confinement"), "strict");
    cr_assert_str_eq(res(env, "summary"), "s");
    cr_assert(json_is_integer(json_object_get(json_object_get(env, "result"), "installed-size")));
    json_decref(env);
    cr_assert_eq(spool_files(), 0, "the spool file outlived the install");
}

Test(api_snaps, sideload_refusals)
{
    t_require_root();
    static const char *const dangerous[] = {"action", "install", "dangerous", "true", NULL};
    json_t *env = sideload(NULL, dangerous, 400);
    cr_assert_str_eq(res(env, "message"), "cannot find \"snap\" file field in provided multipart/form-data payload");
    json_decref(env);

    _sn_free_ char *snap = t_make_snap("hello", NULL);
    static const char *const unasserted[] = {"action", "install", "snap-path", "/x/hello.snap", NULL};
    env = sideload(snap, unasserted, 400);
    cr_assert_str_eq(res(env, "message"), "cannot find signatures with metadata for snap/component \"/x/hello.snap\"");
    json_decref(env);

    _sn_free_ char *junk = sn_strdup_printf("%s/junk.snap", t_root);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, junk, "junk", 4, 0644), 0);
    env = sideload(junk, dangerous, 400);
    cr_assert(sn_startswith(res(env, "message"), "cannot read snap file: "), "%s", res(env, "message"));
    json_decref(env);
    cr_assert_eq(spool_files(), 0, "a refused sideload left its spool file");

    static const char *const named[] = {"dangerous", "true", "name", "other", NULL};
    env = sideload(snap, named, 400);
    cr_assert_str_eq(res(env, "message"), "instance name \"other\" does not match snap name \"hello\"");
    json_decref(env);
}

Test(api_snaps, actions_and_their_errors)
{
    t_require_root();
    json_t *env = call("POST", "/v2/snaps/hello", "{\"action\":\"remove\"}", 400);
    cr_assert_str_eq(res(env, "kind"), "snap-not-installed");
    cr_assert_str_eq(res(env, "message"), "snap \"hello\" is not installed");
    json_decref(env);
    env = call("POST", "/v2/snaps/hello", "{\"action\":\"frob\"}", 400);
    cr_assert_str_eq(res(env, "message"), "unknown action frob");
    json_decref(env);
    env = call("POST", "/v2/snaps/hello", "{\"action\":\"install\"}", 404);
    cr_assert_str_eq(res(env, "kind"), "snap-not-found");
    json_decref(env);

    _sn_free_ char *snap = t_make_snap("hello", NULL);
    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    env = call("POST", "/v2/snaps/hello", "{\"action\":\"revert\",\"revision\":\"x1\"}", 202);
    json_decref(env);
    settle();
    _sn_free_ char *d = t_describe("hello");
    cr_assert_str_eq(d, "x1 x2 current=x1");
    env = call("POST", "/v2/snaps/hello", "{\"action\":\"revert\",\"revision\":\"x1\"}", 400);
    cr_assert_str_eq(res(env, "message"), "cannot revert \"hello\": already on requested revision");
    json_decref(env);

    /* A change in flight: snapd's conflict, with its value. */
    sn_taskrunner_stop(t_runner);
    env = call("POST", "/v2/snaps/hello", "{\"action\":\"disable\"}", 202);
    json_decref(env);
    env = post_json("/v2/snaps", "{\"action\":\"remove\",\"snaps\":[\"hello\"]}", 409);
    cr_assert_str_eq(res(env, "kind"), "snap-change-conflict");
    cr_assert_str_eq(res(env, "message"), "snap \"hello\" has \"disable-snap\" change in progress");
    json_t *v = json_object_get(json_object_get(env, "result"), "value");
    /* Without a content type snapd does not guess. */
    json_t *e2 = call("POST", "/v2/snaps", "{\"action\":\"remove\",\"snaps\":[\"hello\"]}", 400);
    cr_assert_str_eq(res(e2, "message"), "unknown content type: ");
    json_decref(e2);
    cr_assert_str_eq(json_string_value(json_object_get(v, "snap-name")), "hello");
    cr_assert_str_eq(json_string_value(json_object_get(v, "change-kind")), "disable-snap");
    json_decref(env);
}

Test(api_snaps, many_snaps_in_one_change)
{
    t_require_root();
    _sn_free_ char *a = t_make_snap("aaa", NULL);
    _sn_free_ char *b = t_make_snap("bbb", NULL);
    cr_assert_eq(t_install(a), SN_STATUS_DONE);
    cr_assert_eq(t_install(b), SN_STATUS_DONE);
    json_t *env = post_json("/v2/snaps", "{\"action\":\"remove\",\"snaps\":[\"aaa\",\"bbb\"]}", 202);
    const char *id = json_string_value(json_object_get(env, "change"));
    _sn_free_ char *cpath = sn_strdup_printf("/v2/changes/%s", id);
    json_decref(env);
    settle();
    env = call("GET", cpath, NULL, 200);
    cr_assert_str_eq(res(env, "status"), "Done");
    cr_assert_str_eq(res(env, "kind"), "remove-snap");
    cr_assert_str_eq(res(env, "summary"), "Remove snaps \"aaa\", \"bbb\"");
    json_decref(env);
    _sn_free_ char *da = t_describe("aaa");
    _sn_free_ char *db = t_describe("bbb");
    cr_assert_str_eq(da, "none");
    cr_assert_str_eq(db, "none");
}

/* Acks the acme chain and a snap-revision (revision 7) for the file at path. */
static void ack_for(const char *path)
{
    test_trust_testrootorg(t_root);
    EVP_PKEY *store = test_private_key("testrootorg-store.private.asc");
    _sn_free_ char *digest = NULL;
    uint64_t size = 0;
    cr_assert_eq(sn_digest_file_sha3_384(AT_FDCWD, path, &digest, NULL, &size, NULL), 0);
    _sn_free_ char *chain = test_acme_chain(store);
    _sn_free_ char *rev = test_snap_revision(store, digest, size, 7, 0);
    _sn_free_ char *all = sn_strdup_printf("%s\n%s", chain, rev);
    EVP_PKEY_free(store);
    SnError *e = NULL;
    sn_state_lock(t_st);
    int r = sn_assertstate_add_stream(t_st, all, strlen(all), NULL, NULL, &e);
    sn_state_unlock(t_st);
    cr_assert_geq(r, 0, "ack: %s", sn_error_message(e, r));
    sn_error_free(e);
}

Test(api_snaps, an_asserted_install_takes_revision_and_id_from_the_acked_assertions)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("acme-hello", NULL);
    ack_for(snap);
    static const char *const fields[] = {"action", "install", "snap-path", "/w/acme-hello_7.snap", NULL};
    json_t *env = sideload(snap, fields, 202);
    json_decref(env);
    settle();
    env = call("GET", "/v2/snaps/acme-hello", NULL, 200);
    cr_assert_str_eq(res(env, "revision"), "7");
    cr_assert_str_eq(res(env, "id"), TEST_SNAP_ID);
    json_decref(env);
    cr_assert(t_exists("var/lib/snapd/snaps/acme-hello_7.snap"));
    cr_assert(t_mounted("acme-hello", "7"));
}

Test(api_snaps, a_tampered_byte_breaks_the_digest_and_nothing_is_installed)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("acme-hello", NULL);
    ack_for(snap);
    /* The last byte (padding): still a valid squashfs, but not the file the assertions describe. */
    _sn_free_ char *cmd = sn_strdup_printf("printf 'Z' | dd of='%s' bs=1 seek=$(($(stat -c %%s '%s') - 1)) "
                                           "conv=notrunc status=none",
                                           snap, snap);
    cr_assert_eq(system(cmd), 0);
    static const char *const fields[] = {"action", "install", "snap-path", "/w/acme-hello_7.snap", NULL};
    json_t *env = sideload(snap, fields, 400);
    cr_assert_str_eq(res(env, "message"),
                     "cannot find signatures with metadata for snap/component \"/w/acme-hello_7.snap\"");
    json_decref(env);
    _sn_free_ char *d = t_describe("acme-hello");
    cr_assert_str_eq(d, "none");
    cr_assert_eq(spool_files(), 0);
}
