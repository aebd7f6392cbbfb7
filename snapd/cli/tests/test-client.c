/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "fake-server.h"

static const char *fixed(FakeServer *s, const FakeRequest *req, size_t index, void *userdata)
{
    return userdata;
}

static SnClient *client_for(FakeServer *s)
{
    SnClient *c = NULL;
    cr_assert_eq(sn_client_new(s->path, &c), 0);
    return c;
}

#define SYSINFO_RSP                                                                                                    \
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 89\r\n\r\n"                                  \
    "{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":{\"series\":\"16\",\"version\":\"2.77\"}}"

Test(client, sync_get_decodes_the_result_and_sends_a_proper_request)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed, (void *)SYSINFO_RSP);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    json_t *result = NULL;
    SnError *err = NULL;
    int r = sn_client_sync(c, "GET", "/v2/system-info", NULL, NULL, &result, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_str_eq(json_string_value(json_object_get(result, "series")), "16");
    cr_assert_str_eq(json_string_value(json_object_get(result, "version")), "2.77");
    json_decref(result);
    cr_assert_null(sn_client_last_error(c));
    cr_assert_eq(fake_server_count(&s), 1);
    cr_assert_str_eq(s.requests[0].method, "GET");
    cr_assert_str_eq(s.requests[0].url, "/v2/system-info");
    fake_server_stop(&s);
}

Test(client, json_body_and_query_reach_the_server)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed,
                      (void *)"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 70\r\n\r\n"
                              "{\"type\":\"async\",\"status-code\":202,\"status\":\"Accepted\",\"change\":\"42\"}  ");
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    json_t *body = json_pack("{s:s, s:b}", "action", "remove", "purge", 1);
    _sn_free_ char *id = NULL;
    SnError *err = NULL;
    int r = sn_client_async(c, "POST", "/v2/snaps/hello", "x=1", body, &id, &err);
    json_decref(body);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_str_eq(id, "42");
    cr_assert_str_eq(s.requests[0].method, "POST");
    cr_assert_str_eq(s.requests[0].url, "/v2/snaps/hello?x=1");
    cr_assert_str_eq(s.requests[0].content_type, "application/json");
    cr_assert_str_eq(s.requests[0].body.data, "{\"action\":\"remove\",\"purge\":true}");
    fake_server_stop(&s);
}

Test(client, error_envelope_keeps_kind_value_and_message)
{
    FakeServer s = {0};
    _sn_free_ char *rsp = fake_json_response(404, "Not Found",
                                             "{\"type\":\"error\",\"status-code\":404,\"status\":\"Not Found\","
                                             "\"result\":{\"message\":\"snap not installed\",\"kind\":\"snap-not-"
                                             "found\",\"value\":\"foo\"}}");
    fake_server_start(&s, fixed, rsp);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    json_t *result = NULL;
    int r = sn_client_sync(c, "GET", "/v2/snaps/foo", NULL, NULL, &result, &err);
    cr_assert_eq(r, -EREMOTEIO);
    cr_assert_null(result);
    cr_assert_str_eq(sn_error_message(err, r), "snap not installed");
    sn_error_free(err);
    const SnClientApiError *e = sn_client_last_error(c);
    cr_assert_not_null(e);
    cr_assert_eq(e->status, 404);
    cr_assert_str_eq(e->kind, "snap-not-found");
    cr_assert_str_eq(json_string_value(e->value), "foo");
    bool is_error = false;
    _sn_free_ char *msg = sn_client_error_message(e, NULL, "info", NULL, NULL, &is_error);
    cr_assert_str_eq(msg, "snap \"foo\" not found");
    cr_assert(is_error);
    fake_server_stop(&s);
}

Test(client, chunked_response_is_decoded)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed,
                      (void *)"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "10\r\n{\"type\":\"sync\",\"\r\n"
                              "5\r\nresul\r\n"
                              "b\r\nt\":[1,2,3]}\r\n"
                              "0\r\n\r\n");
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    json_t *result = NULL;
    SnError *err = NULL;
    int r = sn_client_sync(c, "GET", "/v2/snaps", NULL, NULL, &result, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_eq(json_array_size(result), 3);
    json_decref(result);
    fake_server_stop(&s);
}

Test(client, response_arriving_byte_by_byte_is_whole)
{
    FakeServer s = {0};
    s.write_chunk = 1;
    fake_server_start(&s, fixed, (void *)SYSINFO_RSP);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    json_t *result = NULL;
    int r = sn_client_sync(c, "GET", "/v2/system-info", NULL, NULL, &result, NULL);
    cr_assert_eq(r, 0);
    cr_assert_str_eq(json_string_value(json_object_get(result, "series")), "16");
    json_decref(result);
    fake_server_stop(&s);
}

Test(client, body_delimited_by_close_is_read_to_the_end)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed,
                      (void *)"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                              "{\"type\":\"sync\",\"result\":\"whole\"}");
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    json_t *result = NULL;
    int r = sn_client_sync(c, "GET", "/v2/x", NULL, NULL, &result, NULL);
    cr_assert_eq(r, 0);
    cr_assert_str_eq(json_string_value(result), "whole");
    json_decref(result);
    fake_server_stop(&s);
}

Test(client, truncated_body_is_an_error)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed,
                      (void *)"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                              "{\"type\":");
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    int r = sn_client_sync(c, "GET", "/v2/x", NULL, NULL, NULL, &err);
    cr_assert_eq(r, -EBADMSG);
    cr_assert_str_eq(sn_error_message(err, r), "cannot read the server's response: unexpected EOF");
    sn_error_free(err);
    fake_server_stop(&s);
}

Test(client, closing_without_an_answer_is_a_communication_error)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed, NULL);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    int r = sn_client_sync(c, "GET", "/v2/snaps", "select=all", NULL, NULL, &err);
    cr_assert_eq(r, -ECONNRESET);
    cr_assert_str_eq(sn_error_message(err, r),
                     "cannot communicate with server: Get \"http://localhost/v2/snaps?select=all\": EOF");
    sn_error_free(err);
    fake_server_stop(&s);
}

Test(client, garbage_is_refused)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed, (void *)"SSH-2.0-OpenSSH\r\n\r\n");
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    int r = sn_client_sync(c, "GET", "/v2/snaps", NULL, NULL, NULL, &err);
    cr_assert_eq(r, -EBADMSG);
    cr_assert(strstr(sn_error_message(err, r), "cannot read the server's response"));
    sn_error_free(err);
    fake_server_stop(&s);
}

Test(client, non_json_error_says_server_error)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed,
                      (void *)"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: "
                              "4\r\n\r\noops");
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    int r = sn_client_sync(c, "GET", "/v2/snaps", NULL, NULL, NULL, &err);
    cr_assert_eq(r, -EBADMSG);
    cr_assert_str_eq(sn_error_message(err, r), "server error: \"500 Internal Server Error\"");
    sn_error_free(err);
    fake_server_stop(&s);
}

Test(client, error_without_message_uses_the_status_text)
{
    FakeServer s = {0};
    _sn_free_ char *rsp = fake_json_response(403, "Forbidden", "{\"type\":\"error\",\"result\":{}}");
    fake_server_start(&s, fixed, rsp);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    int r = sn_client_sync(c, "GET", "/v2/snaps", NULL, NULL, NULL, &err);
    cr_assert_eq(r, -EBADMSG);
    cr_assert_str_eq(sn_error_message(err, r), "server error: \"Forbidden\"");
    sn_error_free(err);
    fake_server_stop(&s);
}

Test(client, sync_where_async_expected_is_refused)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed, (void *)SYSINFO_RSP);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    _sn_free_ char *id = NULL;
    int r = sn_client_async(c, "POST", "/v2/snaps/x", NULL, NULL, &id, &err);
    cr_assert_eq(r, -EBADMSG);
    cr_assert_null(id);
    cr_assert_str_eq(sn_error_message(err, r), "expected async response for \"POST\" on \"/v2/snaps/x\", got \"sync\"");
    sn_error_free(err);
    fake_server_stop(&s);
}

Test(client, async_without_202_or_change_is_not_accepted)
{
    FakeServer s = {0};
    _sn_free_ char *rsp = fake_json_response(200, "OK", "{\"type\":\"async\",\"change\":\"3\"}");
    fake_server_start(&s, fixed, rsp);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    _sn_free_ char *id = NULL;
    int r = sn_client_async(c, "POST", "/v2/snaps/x", NULL, NULL, &id, &err);
    cr_assert_eq(r, -EBADMSG);
    cr_assert_str_eq(sn_error_message(err, r), "operation not accepted");
    sn_error_free(err);
    fake_server_stop(&s);

    FakeServer s2 = {0};
    _sn_free_ char *rsp2 = fake_json_response(202, "Accepted", "{\"type\":\"async\",\"change\":\"\"}");
    fake_server_start(&s2, fixed, rsp2);
    _sn_cleanup_(sn_client_freep) SnClient *c2 = client_for(&s2);
    err = NULL;
    r = sn_client_async(c2, "POST", "/v2/snaps/x", NULL, NULL, &id, &err);
    cr_assert_eq(r, -EBADMSG);
    cr_assert_str_eq(sn_error_message(err, r), "async response without change reference");
    sn_error_free(err);
    fake_server_stop(&s2);
}

Test(client, maintenance_is_recorded)
{
    FakeServer s = {0};
    _sn_free_ char *rsp = fake_json_response(
        200, "OK",
        "{\"type\":\"sync\",\"result\":[],\"maintenance\":{\"kind\":\"daemon-restart\",\"message\":\"daemon is "
        "restarting\"}}");
    fake_server_start(&s, fixed, rsp);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    cr_assert_eq(sn_client_sync(c, "GET", "/v2/changes", NULL, NULL, NULL, NULL), 0);
    json_t *m = sn_client_maintenance(c);
    cr_assert_not_null(m);
    cr_assert_str_eq(json_string_value(json_object_get(m, "kind")), "daemon-restart");
    fake_server_stop(&s);
}

Test(client, missing_socket_fails_at_once_with_gos_wording)
{
    _sn_cleanup_(sn_client_freep) SnClient *c = NULL;
    cr_assert_eq(sn_client_new("/nonexistent/snapd.socket", &c), 0);
    SnError *err = NULL;
    int r = sn_client_sync(c, "GET", "/v2/snaps", NULL, NULL, NULL, &err);
    cr_assert_eq(r, -ENOENT);
    cr_assert_str_eq(sn_error_message(err, r),
                     "cannot communicate with server: Get \"http://localhost/v2/snaps\": dial unix "
                     "/nonexistent/snapd.socket: connect: no such file or directory");
    sn_error_free(err);
}

Test(client, socket_path_follows_snappy_global_root)
{
    setenv("SNAPPY_GLOBAL_ROOT", "/tmp/some-root", 1);
    _sn_cleanup_(sn_client_freep) SnClient *c = NULL;
    cr_assert_eq(sn_client_new(NULL, &c), 0);
    cr_assert_str_eq(sn_client_socket_path(c), "/tmp/some-root/run/snapd.socket");
    unsetenv("SNAPPY_GLOBAL_ROOT");
    _sn_cleanup_(sn_client_freep) SnClient *d = NULL;
    cr_assert_eq(sn_client_new(NULL, &d), 0);
    cr_assert_str_eq(sn_client_socket_path(d), "/run/snapd.socket");
    char longpath[200];
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    SnClient *e = NULL;
    cr_assert_eq(sn_client_new(longpath, &e), -ENAMETOOLONG);
}

typedef struct LateListen {
    char path[100];
    int fd;
} LateListen;

static void *listen_later(void *data)
{
    LateListen *l = data;
    usleep(400 * 1000);
    cr_assert_eq(listen(l->fd, 4), 0);
    int cfd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
    char buf[4096];
    (void)!read(cfd, buf, sizeof(buf));
    const char *rsp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 31\r\n\r\n"
                      "{\"type\":\"sync\",\"result\":\"late\"}";
    (void)!write(cfd, rsp, strlen(rsp));
    close(cfd);
    return NULL;
}

Test(client, refused_get_is_retried_until_the_daemon_listens)
{
    char dir[] = "/tmp/sn-late-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    LateListen l;
    snprintf(l.path, sizeof(l.path), "%s/snapd.socket", dir);
    l.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", l.path);
    cr_assert_eq(bind(l.fd, (struct sockaddr *)&sa, sizeof(sa)), 0); /* bound, not listening: refused */

    _sn_cleanup_(sn_client_freep) SnClient *c = NULL;
    cr_assert_eq(sn_client_new(l.path, &c), 0);
    SnError *err = NULL;
    cr_assert_eq(sn_client_sync(c, "POST", "/v2/snaps", NULL, NULL, NULL, &err), -ECONNREFUSED,
                 "a POST is never retried");
    sn_error_free(err);

    pthread_t th;
    pthread_create(&th, NULL, listen_later, &l);
    json_t *result = NULL;
    int r = sn_client_sync(c, "GET", "/v2/snaps", NULL, NULL, &result, NULL);
    pthread_join(th, NULL);
    cr_assert_eq(r, 0);
    cr_assert_str_eq(json_string_value(result), "late");
    json_decref(result);
    close(l.fd);
    unlink(l.path);
    rmdir(dir);
}

Test(client, a_silent_server_times_out)
{
    FakeServer s = {0};
    s.delay_ms = 1500;
    fake_server_start(&s, fixed, (void *)SYSINFO_RSP);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnClientRequest req = {.method = "GET", .path = "/v2/system-info", .timeout_ms = 200};
    SnClientResponse rsp = {0};
    SnError *err = NULL;
    int r = sn_client_do(c, &req, &rsp, &err);
    cr_assert_eq(r, -ETIMEDOUT);
    cr_assert_str_eq(sn_error_message(err, r),
                     "cannot communicate with server: timeout exceeded while waiting for response");
    sn_error_free(err);
    fake_server_stop(&s);
}

Test(client, escape_keeps_unreserved_characters_only)
{
    _sn_free_ char *e = sn_client_escape("a-b_c.d~e f/g&h=i,j+ü");
    cr_assert_str_eq(e, "a-b_c.d~e%20f%2Fg%26h%3Di%2Cj%2B%C3%BC");
}

/* ---- errors in snapd's CLI words ---- */

static char *message_for(const char *kind, const char *message, const char *value_json, const char *snap,
                         const char *op, const char *rev, const char *channel, bool *is_error)
{
    SnClientApiError e = {.status = 400, .kind = (char *)kind, .message = (char *)message};
    e.value = value_json ? json_loads(value_json, JSON_DECODE_ANY, NULL) : NULL;
    char *m = sn_client_error_message(&e, snap, op, rev, channel, is_error);
    json_decref(e.value);
    return m;
}

Test(client_errors, kinds_become_snapds_cli_messages)
{
    bool is_error;
    _sn_free_ char *m1 = message_for("snap-not-installed", "snap \"foo\" is not installed", "\"foo\"", "foo", "remove",
                                     NULL, NULL, &is_error);
    cr_assert_str_eq(m1, "snap \"foo\" is not installed");
    cr_assert_not(is_error, "remove of a missing snap is not a failure in snapd");
    _sn_unused_ _sn_free_ char *m2 = message_for("snap-not-installed", "snap \"foo\" is not installed", "\"foo\"",
                                                 "foo", "revert", NULL, NULL, &is_error);
    cr_assert(is_error);
    _sn_free_ char *m3 =
        message_for("snap-no-update-available", "no update", NULL, "foo", "refresh", NULL, NULL, &is_error);
    cr_assert_str_eq(m3, "snap \"foo\" has no updates available");
    cr_assert_not(is_error);
    _sn_free_ char *m4 =
        message_for("snap-already-installed", "x", "{\"snaps\":[\"a\",\"b\"]}", NULL, "install", NULL, NULL, &is_error);
    cr_assert_str_eq(m4, "snap \"a\" is already installed, see 'snap help refresh'\n"
                         "snap \"b\" is already installed, see 'snap help refresh'");
    _sn_free_ char *m5 =
        message_for("snap-revision-not-available", "x", "\"foo\"", "foo", "install", "29", NULL, &is_error);
    cr_assert_str_eq(m5, "snap \"foo\" revision 29 not available (see 'snap info foo')");
    _sn_free_ char *m6 =
        message_for("snap-channel-not-available", "x", "{}", "foo", "install", NULL, "edge", &is_error);
    cr_assert_str_eq(m6, "snap \"foo\" not available on channel \"edge\" (see 'snap info foo')");
    _sn_free_ char *m7 =
        message_for("insufficient-disk-space", "x", "{\"snap-names\":[\"a\",\"b\"],\"change-kind\":\"remove\"}", NULL,
                    "remove", NULL, NULL, &is_error);
    cr_assert_str_eq(m7, "cannot remove \"a\", \"b\" due to low disk space for automatic snapshot, use --purge to "
                         "avoid creating a snapshot");
    _sn_free_ char *m8 = message_for("snap-change-conflict", "snap \"a\" has \"install-snap\" change in progress", NULL,
                                     "a", "remove", NULL, NULL, &is_error);
    cr_assert_str_eq(m8, "snap \"a\" has \"install-snap\" change in progress");
    cr_assert(is_error);
    _sn_free_ char *m9 = message_for("", "anything else", NULL, NULL, NULL, NULL, NULL, &is_error);
    cr_assert_str_eq(m9, "anything else");
    _sn_free_ char *m10 = message_for("snap-not-found", "x", "\"bar\"", NULL, "install", NULL, NULL, &is_error);
    cr_assert_str_eq(m10, "snap \"bar\" not found");
}

Test(client_errors, login_required_suggests_sudo_or_login)
{
    bool is_error;
    _sn_free_ char *m = message_for("login-required", "access denied", NULL, NULL, NULL, NULL, NULL, &is_error);
    cr_assert_str_eq(m, geteuid() == 0 ? "access denied (see 'snap help login')" : "access denied (try with sudo)");
}

/* ---- multipart sideload ---- */

static char *write_temp_file(const char *content, size_t len)
{
    char *path = strdup("/tmp/sn-side-XXXXXX.snap");
    int fd = mkstemps(path, 5);
    cr_assert_geq(fd, 0);
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, content + off, len - off);
        cr_assert_gt(n, 0);
        off += (size_t)n;
    }
    close(fd);
    return path;
}

static char *read_all_body(SnSideloadBody *b, size_t chunk)
{
    SnBuf out = {0};
    char *buf = malloc(chunk);
    for (;;) {
        ssize_t n = sn_sideload_body_read(b, buf, chunk);
        cr_assert_geq(n, 0);
        if (n == 0)
            break;
        sn_buf_append(&out, buf, (size_t)n);
    }
    free(buf);
    return sn_buf_steal(&out);
}

Test(sideload, body_is_snapds_multipart_form)
{
    _sn_free_ char *path = write_temp_file("SQSHdata", 8);
    SnSideloadOptions o = {.dangerous = true, .devmode = true};
    _sn_cleanup_(sn_sideload_body_freep) SnSideloadBody *b = NULL;
    SnError *err = NULL;
    int r = sn_sideload_body_open(path, &o, "BOUNDARY", &b, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_str_eq(sn_sideload_body_content_type(b), "multipart/form-data; boundary=BOUNDARY");
    const char *base = strrchr(path, '/') + 1;
    _sn_free_ char *want =
        sn_strdup_printf("--BOUNDARY\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\ninstall\r\n"
                         "--BOUNDARY\r\nContent-Disposition: form-data; name=\"snap-path\"\r\n\r\n%s\r\n"
                         "--BOUNDARY\r\nContent-Disposition: form-data; name=\"devmode\"\r\n\r\ntrue\r\n"
                         "--BOUNDARY\r\nContent-Disposition: form-data; name=\"dangerous\"\r\n\r\ntrue\r\n"
                         "--BOUNDARY\r\nContent-Disposition: form-data; name=\"snap\"; filename=\"%s\"\r\n"
                         "Content-Type: application/octet-stream\r\n\r\nSQSHdata\r\n--BOUNDARY--\r\n",
                         path, base);
    _sn_free_ char *got = read_all_body(b, 7); /* small reads cross every part boundary */
    cr_assert_str_eq(got, want);
    cr_assert_eq(sn_sideload_body_size(b), strlen(want));
    unlink(path);
}

Test(sideload, name_and_quotes_in_the_filename)
{
    char dir[] = "/tmp/sn-q-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    _sn_free_ char *path = sn_strdup_printf("%s/we\"ird.snap", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    close(fd);
    SnSideloadOptions o = {.name = "hello_foo"};
    _sn_cleanup_(sn_sideload_body_freep) SnSideloadBody *b = NULL;
    cr_assert_eq(sn_sideload_body_open(path, &o, "B", &b, NULL), 0);
    _sn_free_ char *got = read_all_body(b, 4096);
    cr_assert(strstr(got, "name=\"name\"\r\n\r\nhello_foo\r\n"));
    cr_assert(strstr(got, "filename=\"we\\\"ird.snap\""));
    cr_assert_null(strstr(got, "dangerous"));
    unlink(path);
    rmdir(dir);
}

Test(sideload, missing_file_names_the_path)
{
    SnSideloadBody *b = NULL;
    SnError *err = NULL;
    int r = sn_sideload_body_open("/nonexistent/x.snap", NULL, NULL, &b, &err);
    cr_assert_eq(r, -ENOENT);
    cr_assert_str_eq(sn_error_message(err, r), "cannot open \"/nonexistent/x.snap\": No such file or directory");
    sn_error_free(err);
}

Test(sideload, large_file_streams_to_the_server_intact)
{
    size_t len = 3 * 1024 * 1024 + 17;
    char *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)(i * 131 + 7);
    _sn_free_ char *path = write_temp_file(data, len);
    FakeServer s = {0};
    _sn_free_ char *rsp =
        fake_json_response(202, "Accepted", "{\"type\":\"async\",\"status-code\":202,\"change\":\"7\"}");
    fake_server_start(&s, fixed, rsp);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnSideloadOptions o = {.dangerous = true};
    _sn_free_ char *id = NULL;
    SnError *err = NULL;
    int r = sn_client_install_path(c, path, &o, &id, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_str_eq(id, "7");
    const FakeRequest *q = &s.requests[0];
    cr_assert_str_eq(q->method, "POST");
    cr_assert_str_eq(q->url, "/v2/snaps");
    cr_assert(sn_startswith(q->content_type, "multipart/form-data; boundary="));
    cr_assert_eq(q->content_length, q->body.len);
    const char *start = memmem(q->body.data, q->body.len, "octet-stream\r\n\r\n", 16);
    cr_assert_not_null(start);
    start += 16;
    cr_assert_eq(memcmp(start, data, len), 0, "the file arrives byte for byte");
    const char *boundary = q->content_type + strlen("multipart/form-data; boundary=");
    _sn_free_ char *tail = sn_strdup_printf("\r\n--%s--\r\n", boundary);
    cr_assert_eq((size_t)(q->body.data + q->body.len - (start + len)), strlen(tail));
    cr_assert_eq(memcmp(start + len, tail, strlen(tail)), 0);
    fake_server_stop(&s);
    free(data);
    unlink(path);
}

static ssize_t short_body(void *userdata, void *buf, size_t len)
{
    int *calls = userdata;
    if ((*calls)++ > 0)
        return 0;
    memcpy(buf, "abc", 3);
    return 3;
}

Test(sideload, a_body_shorter_than_announced_is_an_error)
{
    FakeServer s = {0};
    fake_server_start(&s, fixed, (void *)SYSINFO_RSP);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    int calls = 0;
    SnClientRequest req = {.method = "POST",
                           .path = "/v2/snaps",
                           .content_type = "application/octet-stream",
                           .body_read = short_body,
                           .body_userdata = &calls,
                           .body_size = 10};
    SnClientResponse rsp = {0};
    SnError *err = NULL;
    int r = sn_client_do(c, &req, &rsp, &err);
    cr_assert_eq(r, -EIO);
    cr_assert_str_eq(sn_error_message(err, r), "cannot send the request body: it shrank while being sent");
    sn_error_free(err);
    fake_server_stop(&s);
}

/* ---- streamed answers (GET /v2/logs?follow=true) ---- */

static int sink(void *userdata, const char *data, size_t len)
{
    SnBuf *b = userdata;
    sn_buf_append(b, "|", 1); /* marks where each piece began */
    return sn_buf_append(b, data, len);
}

static int refusing_sink(void *userdata, const char *data, size_t len)
{
    return -EPIPE;
}

Test(client, a_streamed_200_goes_to_on_body_piece_by_piece)
{
    FakeServer s = {0};
    fake_server_start(
        &s, fixed,
        (void *)"HTTP/1.1 200 OK\r\nContent-Type: application/json-seq\r\nTransfer-Encoding: chunked\r\n\r\n"
                "4\r\n\x1e{}\n\r\n"
                "5\r\n\x1e[1]\n\r\n"
                "0\r\n\r\n");
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnBuf got = {0};
    SnClientRequest req = {
        .method = "GET", .path = "/v2/logs", .query = "follow=true", .on_body = sink, .on_body_userdata = &got};
    SnClientResponse rsp = {0};
    SnError *err = NULL;
    int r = sn_client_do(c, &req, &rsp, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_eq(rsp.status, 200);
    cr_assert_str_eq(rsp.content_type, "application/json-seq");
    cr_assert_str_eq(rsp.body, "", "the body went to on_body");
    cr_assert_str_eq(got.data, "|\x1e{}\n|\x1e[1]\n");
    sn_buf_done(&got);
    sn_client_response_done(&rsp);
    fake_server_stop(&s);
}

Test(client, an_error_answer_to_a_streamed_request_is_read_whole)
{
    FakeServer s = {0};
    _sn_free_ char *rsp_text = fake_json_response(404, "Not Found",
                                                  "{\"type\":\"error\",\"status-code\":404,\"status\":\"Not "
                                                  "Found\",\"result\":{\"message\":\"no matching services\"}}");
    fake_server_start(&s, fixed, rsp_text);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnBuf got = {0};
    SnClientRequest req = {.method = "GET", .path = "/v2/logs", .on_body = sink, .on_body_userdata = &got};
    SnClientResponse rsp = {0};
    cr_assert_eq(sn_client_do(c, &req, &rsp, NULL), 0);
    cr_assert_eq(rsp.status, 404);
    cr_assert_not_null(strstr(rsp.body, "no matching services"));
    cr_assert_null(got.data, "nothing streamed");
    sn_client_response_done(&rsp);
    fake_server_stop(&s);
}

Test(client, on_body_can_stop_the_stream)
{
    FakeServer s = {0};
    fake_server_start(
        &s, fixed,
        (void *)"HTTP/1.1 200 OK\r\nContent-Type: application/json-seq\r\nTransfer-Encoding: chunked\r\n\r\n"
                "4\r\n\x1e{}\n\r\n0\r\n\r\n");
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnClientRequest req = {.method = "GET", .path = "/v2/logs", .on_body = refusing_sink};
    SnClientResponse rsp = {0};
    cr_assert_eq(sn_client_do(c, &req, &rsp, NULL), -EPIPE);
    fake_server_stop(&s);
}
