/* SPDX-License-Identifier: GPL-3.0-only */
/* GET/POST /v2/apps and GET /v2/logs on a service manager whose services are plain commands. */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api-apps.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"

static char root[] = "/tmp/sn-apiapps-XXXXXX";
static SnState *st;
static struct event_base *base;
static SnServiceMgr *mgr;
static SnApiApps ctx;

static void sh(const char *cmd)
{
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void add_snap(const char *name, const char *apps)
{
    SnSnapState *s = sn_snap_state_new(name);
    cr_assert_eq(sn_snap_state_append(s, 3, "", ""), 0);
    s->current = 3;
    s->active = true;
    sn_state_lock(st);
    cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);
    sn_state_unlock(st);
    sn_snap_state_free(s);
    _sn_free_ char *cmd =
        sn_strdup_printf("mkdir -p %s/var/snap/%s/3 %s/snap/%s/3/meta && printf 'name: %s\\nversion: \"1\"\\n"
                         "apps:\\n%s' > %s/snap/%s/3/meta/snap.yaml",
                         root, name, root, name, name, apps, root, name);
    sh(cmd);
}

static void run_for(int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    _sn_free_ char *fake = sn_strdup_printf("printf '#!/bin/sh\\necho \"$2 line 1\"\\necho \"$2 line 2\"\\n"
                                            "exec sleep 60\\n' > %s/fake-snap && chmod +x %s/fake-snap",
                                            root, root);
    sh(fake);
    add_snap("alpha", "  web:\\n    command: web\\n    daemon: simple\\n"
                      "  off:\\n    command: off\\n    daemon: simple\\n    install-mode: disable\\n"
                      "  tool:\\n    command: tool\\n");
    add_snap("beta", "  svc:\\n    command: svc\\n    daemon: notify\\n");
    base = event_base_new();
    _sn_free_ char *cmd = sn_strdup_printf("%s/fake-snap", root);
    SnServiceMgrOptions o = {.root = root, .snap_command = cmd};
    cr_assert_eq(sn_servicemgr_new(st, base, &o, &mgr, NULL), 0);
    ctx = (SnApiApps){.st = st, .services = mgr, .root = root};
}

static void teardown(void)
{
    mgr = sn_servicemgr_free(mgr);
    event_base_free(base);
    st = sn_state_free(st);
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf %s", root);
    sh(cmd);
}

TestSuite(api_apps, .init = setup, .fini = teardown, .timeout = 60);

static json_t *get(json_t *(*fn)(const SnApiRequest *, void *), const char *names, const char *select, const char *n)
{
    SnApiParam params[3];
    size_t np = 0;
    if (names)
        params[np++] = (SnApiParam){"names", (char *)names};
    if (select)
        params[np++] = (SnApiParam){"select", (char *)select};
    if (n)
        params[np++] = (SnApiParam){"n", (char *)n};
    SnApiRequest req = {.method = "GET", .path = "/v2/apps", .params = params, .n_params = np, .has_cred = true};
    json_t *r = fn(&req, &ctx);
    cr_assert_not_null(r);
    return r;
}

static void start_all(void)
{
    cr_assert_eq(sn_servicemgr_start_installed(mgr, NULL), 3);
    SnServiceStatus s = {0};
    for (int i = 0; i < 300; i++) {
        run_for(10);
        sn_supervisor_status(sn_servicemgr_supervisor(mgr), "alpha.web", &s);
        if (s.active == SN_SERVICE_ACTIVE)
            break;
    }
    cr_assert_eq(s.active, SN_SERVICE_ACTIVE);
    run_for(100); /* its two lines */
}

Test(api_apps, services_with_enabled_and_active_sorted)
{
    start_all();
    json_t *r = get(sn_api_get_apps, NULL, "service", NULL);
    json_t *want =
        json_loads("[{\"snap\":\"alpha\",\"name\":\"off\",\"daemon\":\"simple\",\"daemon-scope\":\"system\"},"
                   "{\"snap\":\"alpha\",\"name\":\"web\",\"daemon\":\"simple\",\"daemon-scope\":\"system\","
                   "\"enabled\":true,\"active\":true},"
                   "{\"snap\":\"beta\",\"name\":\"svc\",\"daemon\":\"notify\",\"daemon-scope\":\"system\","
                   "\"enabled\":true}]",
                   0, NULL);
    json_t *result = json_object_get(r, "result");
    /* beta.svc is a notify service that never says READY=1: activating counts as active */
    json_t *beta = json_array_get(result, 2);
    json_object_del(beta, "active");
    _sn_free_ char *got = json_dumps(result, JSON_SORT_KEYS);
    cr_assert(json_equal(result, want), "%s", got);
    json_decref(want);
    json_decref(r);
}

Test(api_apps, all_apps_and_names)
{
    json_t *r = get(sn_api_get_apps, "alpha", NULL, NULL);
    json_t *result = json_object_get(r, "result");
    cr_assert_eq(json_array_size(result), 3);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(result, 1), "name")), "tool");
    cr_assert_null(json_object_get(json_array_get(result, 1), "daemon"));
    json_decref(r);
    r = get(sn_api_get_apps, "alpha.web,beta", "service", NULL);
    cr_assert_eq(json_array_size(json_object_get(r, "result")), 2);
    json_decref(r);
}

Test(api_apps, unknown_names_are_404)
{
    json_t *r = get(sn_api_get_apps, "nope", NULL, NULL);
    cr_assert_eq(json_integer_value(json_object_get(r, "status-code")), 404);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "result"), "kind")), "snap-not-found");
    json_decref(r);
    r = get(sn_api_get_apps, "alpha.tool", "service", NULL);
    cr_assert_eq(json_integer_value(json_object_get(r, "status-code")), 404);
    json_t *res = json_object_get(r, "result");
    cr_assert_str_eq(json_string_value(json_object_get(res, "kind")), "app-not-found");
    cr_assert_str_eq(json_string_value(json_object_get(res, "message")), "snap \"alpha\" has no service \"tool\"");
    json_decref(r);
    r = get(sn_api_get_apps, NULL, "bogus", NULL);
    cr_assert_eq(json_integer_value(json_object_get(r, "status-code")), 400);
    json_decref(r);
}

static json_t *post(const char *body)
{
    SnApiRequest req = {.method = "POST", .path = "/v2/apps", .body = body, .body_len = strlen(body), .has_cred = true};
    json_t *r = sn_api_post_apps(&req, &ctx);
    cr_assert_not_null(r);
    return r;
}

Test(api_apps, post_makes_a_service_control_change_per_snap)
{
    json_t *r = post("{\"action\":\"restart\",\"names\":[\"beta\",\"alpha.web\"]}");
    _sn_free_ char *text = json_dumps(r, 0);
    cr_assert_eq(json_integer_value(json_object_get(r, "status-code")), 202, "%s", text);
    int64_t id = 0;
    cr_assert_eq(sn_parse_i64(json_string_value(json_object_get(r, "change")), &id), 0);
    json_decref(r);
    SnChange *c = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_change_load(st, id, &c, NULL), 0);
    sn_state_unlock(st);
    cr_assert_str_eq(c->kind, "service-control");
    cr_assert_str_eq(c->summary, "Running service command");
    cr_assert_eq(c->n_tasks, 2);
    cr_assert_str_eq(c->tasks[0].summary, "Run service command \"restart\" for services [\"web\"] of snap \"alpha\"");
    json_t *sa = json_object_get(c->tasks[1].data, "service-action");
    cr_assert_str_eq(json_string_value(json_object_get(sa, "snap-name")), "beta");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(sa, "services"), 0)), "svc");
    sn_change_free(c);
}

Test(api_apps, post_refuses_bad_requests)
{
    const char *bad[] = {"{\"action\":\"fly\",\"names\":[\"alpha\"]}", "{\"action\":\"start\",\"names\":[]}",
                         "{\"action\":\"start\",\"disable\":true,\"names\":[\"alpha\"]}", "not json"};
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        json_t *r = post(bad[i]);
        cr_assert_eq(json_integer_value(json_object_get(r, "status-code")), 400, "%s", bad[i]);
        json_decref(r);
    }
    json_t *r = post("{\"action\":\"start\",\"names\":[\"alpha.tool\"]}");
    cr_assert_eq(json_integer_value(json_object_get(r, "status-code")), 404);
    json_decref(r);
}

Test(api_apps, logs_are_json_seq_of_the_last_n)
{
    start_all();
    json_t *r = get(sn_api_get_logs, "alpha.web", NULL, "1");
    cr_assert_str_eq(json_string_value(json_object_get(r, "type")), "raw");
    cr_assert_str_eq(json_string_value(json_object_get(r, "content-type")), "application/json-seq");
    const char *body = json_string_value(json_object_get(r, "body"));
    cr_assert_not_null(body);
    cr_assert_eq(body[0], '\x1e');
    json_t *e = json_loads(body + 1, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert_not_null(e);
    cr_assert_str_eq(json_string_value(json_object_get(e, "message")), "alpha.web line 2");
    cr_assert_str_eq(json_string_value(json_object_get(e, "sid")), "alpha.web");
    cr_assert(json_is_string(json_object_get(e, "pid")));
    cr_assert(sn_endswith(json_string_value(json_object_get(e, "timestamp")), "Z"));
    cr_assert_null(strchr(body + 1, '\x1e'), "one entry only");
    json_decref(e);
    json_decref(r);
    /* every service, all lines */
    r = get(sn_api_get_logs, NULL, NULL, "-1");
    body = json_string_value(json_object_get(r, "body"));
    size_t n = 0;
    for (const char *p = body; (p = strchr(p, '\x1e')); p++)
        n++;
    cr_assert_eq(n, 4, "two lines of alpha.web and two of beta.svc: %s", body);
    json_decref(r);
    r = get(sn_api_get_logs, NULL, NULL, "x");
    cr_assert_eq(json_integer_value(json_object_get(r, "status-code")), 400);
    json_decref(r);
}

/* ---- GET /v2/logs?follow=true through the server ---- */

static void read_until(int fd, SnBuf *in, const char *needle)
{
    for (int idle = 0; idle < 3000; idle++) {
        if (in->data && strstr(in->data, needle))
            return;
        event_base_loop(base, EVLOOP_NONBLOCK);
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

Test(api_apps, logs_follow_streams_the_last_n_then_new_lines_until_the_client_goes)
{
    start_all();
    SnApiServer *srv = NULL;
    cr_assert_eq(sn_api_server_new(base, &srv), 0);
    cr_assert_eq(sn_api_apps_register(srv, &ctx), 0);
    _sn_free_ char *path = sn_strdup_printf("%s/run/snapd.socket", root);
    cr_assert_eq(sn_api_server_listen(srv, path, SN_API_SOCKET_SNAPD, 0666, NULL), 0);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    const char *req = "GET /v2/logs?names=alpha.web&n=1&follow=true HTTP/1.1\r\nHost: localhost\r\n\r\n";
    cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    SnBuf in = {0};
    read_until(fd, &in, "alpha.web line 2");
    cr_assert(sn_startswith(in.data, "HTTP/1.1 200 OK\r\nContent-Type: application/json-seq\r\n"), "%s", in.data);
    cr_assert_null(strstr(in.data, "alpha.web line 1"), "n=1: only the last line first");
    SnServiceLog *log = sn_supervisor_log(sn_servicemgr_supervisor(mgr));
    cr_assert_eq(sn_service_log_append(log, "beta.svc", 7, 1, "not followed", 12), 0);
    cr_assert_eq(sn_service_log_append(log, "alpha.web", 42, 1000000000, "appended later", 14), 0);
    read_until(fd, &in, "appended later\",\"sid\":\"alpha.web\",\"pid\":\"42\"}\n");
    cr_assert_not_null(strstr(in.data, "\x1e{\"timestamp\":\"1970-01-01T00:00:01Z\",\"message\":\"appended later\""),
                       "%s", in.data);
    cr_assert_null(strstr(in.data, "not followed"), "another service's line");
    sn_buf_done(&in);
    /* the daemon answers another request meanwhile */
    json_t *r = get(sn_api_get_logs, "alpha.web", NULL, "1");
    cr_assert_eq(json_integer_value(json_object_get(r, "status-code")), 200);
    json_decref(r);
    cr_assert_eq(sn_api_server_connections(srv), 1);
    close(fd);
    for (int i = 0; i < 1000 && sn_api_server_connections(srv) > 0; i++) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        poll(NULL, 0, 1);
    }
    cr_assert_eq(sn_api_server_connections(srv), 0);
    /* no follower is left to write to a freed connection */
    cr_assert_eq(sn_service_log_append(log, "alpha.web", 42, 2000000000, "after", 5), 0);
    sn_api_server_free(srv);
}

Test(api_apps, logs_follow_rejects_a_bad_boolean)
{
    SnApiParam params[] = {{"names", "alpha.web"}, {"follow", "yes"}};
    SnApiRequest req = {.method = "GET", .path = "/v2/logs", .params = params, .n_params = 2, .has_cred = true};
    json_t *r = sn_api_get_logs(&req, &ctx);
    cr_assert_eq(json_integer_value(json_object_get(r, "status-code")), 400);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "result"), "message")),
                     "invalid value for follow: \"yes\"");
    json_decref(r);
}
