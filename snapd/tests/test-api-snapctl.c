/* SPDX-License-Identifier: GPL-3.0-only */
/* POST /v2/snapctl: cookies, the snap socket only, the non-root subset, ephemeral commits. */
#include <criterion/criterion.h>
#include <jansson.h>

#include "api-snapctl.h"
#include "api-test-util.h"
#include "configstate.h"
#include "hookstate.h"
#include "state-change.h"
#include "state-snap.h"

static char root[] = "/tmp/sn-apisnapctl-XXXXXX";
static char sock[256], snap_sock[256];
static struct event_base *base;
static SnApiServer *srv;
static SnState *st;
static SnHookMgr *hooks;
static SnApiSnapctl api;
static char cookie[64];

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    snprintf(sock, sizeof(sock), "%s/run/snapd.socket", root);
    snprintf(snap_sock, sizeof(snap_sock), "%s/run/snapd-snap.socket", root);
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    SnSnapState *s = sn_snap_state_new("hello");
    cr_assert_eq(sn_snap_state_append(s, 3, "", ""), 0);
    s->current = 3;
    s->active = true;
    sn_state_lock(st);
    cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);
    cr_assert_eq(sn_hookstate_sync_cookies(st, NULL), 0);
    sn_state_unlock(st);
    sn_snap_state_free(s);
    _sn_free_ char *cpath = sn_strdup_printf("%s/var/lib/snapd/cookie/snap.hello", root);
    FILE *f = fopen(cpath, "r");
    cr_assert_not_null(f);
    cr_assert_eq(fread(cookie, 1, sizeof(cookie) - 1, f), 52);
    fclose(f);
    /* the snap's yaml, for is-connected */
    _sn_free_ char *cmd =
        sn_strdup_printf("mkdir -p %s/snap/hello/3/meta && printf 'name: hello\\nversion: \"1\"\\n"
                         "plugs:\\n  net:\\n    interface: network\\n' > %s/snap/hello/3/meta/snap.yaml",
                         root, root);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(sn_hookmgr_new(st, NULL, &hooks), 0);
    api = (SnApiSnapctl){.st = st, .hooks = hooks};
    base = event_base_new();
    cr_assert_eq(sn_api_server_new(base, &srv), 0);
    cr_assert_eq(sn_api_snapctl_register(srv, &api), 0);
    cr_assert_eq(sn_api_server_listen(srv, sock, SN_API_SOCKET_SNAPD, 0666, NULL), 0);
    cr_assert_eq(sn_api_server_listen(srv, snap_sock, SN_API_SOCKET_SNAP, 0666, NULL), 0);
}

static void teardown(void)
{
    srv = sn_api_server_free(srv);
    event_base_free(base);
    hooks = sn_hookmgr_free(hooks);
    st = sn_state_free(st);
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(api_snapctl, .init = setup, .fini = teardown, .timeout = 60);

/* Over a real socket as this (root) process. */
static json_t *post(const char *path, const char *body, int want)
{
    int fd = test_connect(path, NULL);
    _sn_free_ char *b = NULL;
    int status = test_request(base, fd, "POST", "/v2/snapctl", body, &b);
    close(fd);
    cr_assert_eq(status, want, "%d %s", status, b);
    json_t *j = json_loads(b, 0, NULL);
    cr_assert_not_null(j);
    return j;
}

/* The handler directly, as a caller with uid. */
static json_t *call_as(uid_t uid, const char *body)
{
    SnApiRequest req = {
        .method = "POST",
        .path = "/v2/snapctl",
        .body = body,
        .body_len = strlen(body),
        .has_cred = true,
        .uid = uid,
        .socket = SN_API_SOCKET_SNAP,
    };
    json_t *j = sn_api_post_snapctl(&req, &api);
    cr_assert_not_null(j);
    return j;
}

static const char *result_str(json_t *j, const char *key)
{
    return json_string_value(json_object_get(json_object_get(j, "result"), key));
}

static char *body_for(const char *id, const char *args_json)
{
    return sn_strdup_printf("{\"context-id\": \"%s\", \"args\": %s}", id, args_json);
}

Test(api_snapctl, only_the_snap_socket_serves_it)
{
    _sn_free_ char *body = body_for(cookie, "[\"get\", \"a\"]");
    json_t *j = post(sock, body, 403);
    cr_assert_str_eq(result_str(j, "kind"), "login-required");
    json_decref(j);
    j = post(snap_sock, body, 200);
    cr_assert_str_eq(result_str(j, "stdout"), "\n");
    json_decref(j);
}

Test(api_snapctl, the_cookie_is_the_only_authentication)
{
    _sn_free_ char *good = body_for(cookie, "[\"set\", \"a=1\"]");
    json_t *j = post(snap_sock, good, 200);
    json_decref(j);
    /* an ephemeral context is stored at once */
    json_t *v = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_configstate_get(st, "hello", "a", &v, NULL), 0);
    sn_state_unlock(st);
    cr_assert_eq(json_integer_value(v), 1);
    json_decref(v);
    /* wrong, missing, empty: no context */
    const char *bodies[] = {"{\"context-id\": \"nope\", \"args\": [\"get\", \"a\"]}", "{\"args\": [\"get\", \"a\"]}",
                            "{\"context-id\": \"\", \"args\": [\"set\", \"a=2\"]}"};
    for (size_t i = 0; i < 3; i++) {
        j = post(snap_sock, bodies[i], 400);
        cr_assert_not_null(strstr(result_str(j, "message"),
                                  "error running snapctl: cannot invoke snapctl operation commands (here \""),
                           "%s", result_str(j, "message"));
        json_decref(j);
    }
    /* help needs no context */
    j = post(snap_sock, "{\"args\": [\"--help\"]}", 200);
    cr_assert_not_null(strstr(result_str(j, "stdout"), "Usage:"));
    json_decref(j);
    j = post(snap_sock, "{\"context-id\": \"x\", \"args\": []}", 400);
    cr_assert_str_eq(result_str(j, "message"), "snapctl cannot run without args");
    json_decref(j);
    j = post(snap_sock, "not json", 400);
    json_decref(j);
}

Test(api_snapctl, non_root_callers_get_the_read_only_subset)
{
    _sn_free_ char *set = body_for(cookie, "[\"set\", \"a=1\"]");
    json_t *j = call_as(1000, set);
    cr_assert_eq(json_integer_value(json_object_get(j, "status-code")), 403);
    cr_assert_str_eq(result_str(j, "message"), "cannot use \"set\" with uid 1000, try with sudo");
    json_decref(j);
    _sn_free_ char *unset = body_for(cookie, "[\"unset\", \"a\"]");
    j = call_as(1000, unset);
    cr_assert_eq(json_integer_value(json_object_get(j, "status-code")), 403);
    json_decref(j);
    _sn_free_ char *get = body_for(cookie, "[\"get\", \"a\"]");
    j = call_as(1000, get);
    cr_assert_eq(json_integer_value(json_object_get(j, "status-code")), 200);
    json_decref(j);
    _sn_free_ char *help = body_for(cookie, "[\"set\", \"-h\"]");
    j = call_as(1000, help);
    cr_assert_eq(json_integer_value(json_object_get(j, "status-code")), 200);
    json_decref(j);
    _sn_free_ char *health = body_for(cookie, "[\"set-health\", \"okay\"]");
    j = call_as(1000, health);
    cr_assert_eq(json_integer_value(json_object_get(j, "status-code")), 200, "%s", result_str(j, "message"));
    json_decref(j);
    json_t *h = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_hookstate_health_json(st, "hello", &h), 0);
    sn_state_unlock(st);
    cr_assert_str_eq(json_string_value(json_object_get(h, "status")), "okay");
    /* snapd's ephemeral context has no revision: HookSetup{Snap: name} */
    cr_assert_str_eq(json_string_value(json_object_get(h, "revision")), "unset");
    json_decref(h);
}

Test(api_snapctl, get_prints_as_snapd)
{
    _sn_free_ char *set = body_for(cookie, "[\"set\", \"s=hello\", \"n=42\", \"m.x=true\", \"raw={bad\"]");
    json_decref(call_as(0, set));
    struct {
        const char *args, *out;
    } cases[] = {
        {"[\"get\", \"s\"]", "hello\n"},
        {"[\"get\", \"-t\", \"s\"]", "\"hello\"\n"},
        {"[\"get\", \"n\"]", "42\n"},
        {"[\"get\", \"raw\"]", "{bad\n"},
        {"[\"get\", \"m\"]", "{\n\t\"x\": true\n}\n"},
        {"[\"get\", \"s\", \"n\"]", "{\n\t\"n\": 42,\n\t\"s\": \"hello\"\n}\n"},
        {"[\"get\", \"-d\", \"n\"]", "{\n\t\"n\": 42\n}\n"},
        {"[\"get\", \"missing\"]", "\n"},
        {"[\"get\", \"-t\", \"missing\"]", "null\n"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        _sn_free_ char *b = body_for(cookie, cases[i].args);
        json_t *j = call_as(0, b);
        cr_assert_str_eq(result_str(j, "stdout"), cases[i].out, "%s", cases[i].args);
        json_decref(j);
    }
    _sn_free_ char *both = body_for(cookie, "[\"get\", \"-d\", \"-t\", \"s\"]");
    json_t *j = call_as(0, both);
    cr_assert_str_eq(result_str(j, "message"), "error running snapctl: cannot use -d and -t together");
    json_decref(j);
    _sn_free_ char *typed = body_for(cookie, "[\"set\", \"-t\", \"x={bad\"]");
    j = call_as(0, typed);
    cr_assert(sn_startswith(result_str(j, "message"), "error running snapctl: failed to parse JSON: "), "%s",
              result_str(j, "message"));
    json_decref(j);
}

Test(api_snapctl, is_connected_answers_from_the_connections)
{
    _sn_free_ char *b = body_for(cookie, "[\"is-connected\", \"net\"]");
    json_t *j = call_as(1000, b);
    cr_assert_eq(json_integer_value(json_object_get(j, "status-code")), 200);
    cr_assert_str_eq(json_string_value(json_object_get(j, "type")), "error");
    cr_assert_str_eq(result_str(j, "kind"), "unsuccessful");
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(json_object_get(j, "result"), "value"), "exit-code")), 1);
    json_decref(j);
    sn_state_lock(st);
    cr_assert_eq(sn_state_kv_set(st, "conns", "{\"hello:net core:network\": {\"interface\": \"network\"}}", NULL), 0);
    sn_state_unlock(st);
    j = call_as(1000, b);
    cr_assert_str_eq(json_string_value(json_object_get(j, "type")), "sync");
    json_decref(j);
    _sn_free_ char *list = body_for(cookie, "[\"is-connected\", \"--list\"]");
    j = call_as(0, list);
    cr_assert_str_eq(result_str(j, "stdout"), "net\n");
    json_decref(j);
    _sn_free_ char *unknown = body_for(cookie, "[\"is-connected\", \"nope\"]");
    j = call_as(0, unknown);
    cr_assert_str_eq(result_str(j, "message"),
                     "error running snapctl: snap \"hello\" has no plug or slot named \"nope\"");
    json_decref(j);
    /* services need a service manager here */
    _sn_free_ char *start = body_for(cookie, "[\"start\", \"hello.svc\"]");
    j = call_as(0, start);
    cr_assert_str_eq(result_str(j, "message"), "error running snapctl: unknown service: \"hello.svc\"");
    json_decref(j);
}

/* ---- start/stop/restart answer once their change is ready ---- */

static int64_t fake_change;

static int fake_status(void *userdata, const char *name, bool *ret_enabled, bool *ret_active)
{
    *ret_enabled = *ret_active = true;
    return 0;
}

/* Stores a change with one task the test finishes by hand (no runner here). */
static int fake_control(void *userdata, SnHookContext *ctx, const char *action, char *const *names, bool flag,
                        int64_t *ret_change, SnError **reterr)
{
    cr_assert(sn_hook_context_ephemeral(ctx));
    cr_assert_str_eq(names[0], "hello.svc");
    SnNewChange *c = sn_new_change_new("service-control", "Running service command for snap \"hello\"");
    cr_assert_eq(sn_new_change_add_task(c, "service-control", "Run it", NULL, NULL), 0);
    sn_state_lock(st);
    cr_assert_eq(sn_change_create(st, c, &fake_change, NULL, NULL), 0);
    sn_state_unlock(st);
    sn_new_change_free(c);
    *ret_change = fake_change;
    return 0;
}

static const SnCtlServices fake_services = {.status = fake_status, .control = fake_control};

static void finish_change(int64_t id, SnStatus status, const char *error)
{
    SnChange *c = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_change_load(st, id, &c, NULL), 0);
    cr_assert_eq(sn_state_begin(st, NULL), 0);
    if (error)
        cr_assert_eq(sn_task_log(st, c->tasks[0].id, SN_TASK_LOG_ERROR, error, sn_state_now(), NULL), 0);
    cr_assert_eq(sn_task_set_status(st, c->tasks[0].id, status, sn_state_now(), NULL), 0);
    cr_assert_eq(sn_state_commit(st, NULL), 0);
    sn_state_unlock(st);
    sn_change_free(c);
}

static size_t pump_for(int fd, int ms)
{
    size_t got = 0;
    for (int i = 0; i < ms; i++) {
        test_pump(base);
        char b[256];
        ssize_t n = read(fd, b, sizeof(b));
        if (n > 0)
            got += (size_t)n;
        poll(NULL, 0, 1);
    }
    return got;
}

static int start_request(void)
{
    _sn_free_ char *cmd = sn_strdup_printf(
        "printf 'name: hello\\nversion: \"1\"\\napps:\\n  svc:\\n    command: svc\\n    daemon: simple\\n'"
        " > %s/snap/hello/3/meta/snap.yaml",
        root);
    cr_assert_eq(system(cmd), 0);
    api.services = &fake_services;
    int fd = test_connect(snap_sock, NULL);
    _sn_free_ char *body = body_for(cookie, "[\"stop\", \"--disable\", \"hello.svc\"]");
    _sn_free_ char *req = sn_strdup_printf(
        "POST /v2/snapctl HTTP/1.1\r\nHost: localhost\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
    test_send(base, fd, req, strlen(req));
    cr_assert_eq(pump_for(fd, 100), 0, "no answer while the change runs");
    cr_assert_gt(fake_change, 0);
    return fd;
}

Test(api_snapctl, service_commands_answer_when_their_change_is_done)
{
    int fd = start_request();
    finish_change(fake_change, SN_STATUS_DONE, NULL);
    _sn_free_ char *b = NULL;
    cr_assert_eq(test_recv(base, fd, &b, NULL), 200, "%s", b);
    cr_assert_str_eq(
        b, "{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":{\"stdout\":\"\",\"stderr\":\"\"}}");
    close(fd);
}

Test(api_snapctl, service_commands_report_the_error_of_their_change)
{
    int fd = start_request();
    finish_change(fake_change, SN_STATUS_ERROR, "cannot stop service: boom");
    _sn_free_ char *b = NULL;
    cr_assert_eq(test_recv(base, fd, &b, NULL), 400, "%s", b);
    json_t *j = json_loads(b, 0, NULL);
    cr_assert_str_eq(
        result_str(j, "message"),
        "error running snapctl: cannot perform the following tasks:\n- Run it (cannot stop service: boom)");
    json_decref(j);
    close(fd);
}

Test(api_snapctl, service_commands_give_up_waiting_after_the_timeout)
{
    api.wait_timeout_ns = 400LL * 1000000;
    int fd = start_request();
    _sn_free_ char *b = NULL;
    cr_assert_eq(test_recv(base, fd, &b, NULL), 400, "%s", b);
    cr_assert_not_null(strstr(b, "\"error running snapctl: stop command is taking too long\""), "%s", b);
    close(fd);
}

Test(api_snapctl, a_caller_that_leaves_stops_the_wait)
{
    int fd = start_request();
    close(fd);
    for (int i = 0; i < 500 && sn_api_server_connections(srv) > 0; i++) {
        test_pump(base);
        poll(NULL, 0, 1);
    }
    cr_assert_eq(sn_api_server_connections(srv), 0);
    finish_change(fake_change, SN_STATUS_DONE, NULL);
    pump_for(-1, 50); /* no timer left to answer a connection that is gone */
}
