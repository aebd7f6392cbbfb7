/* SPDX-License-Identifier: GPL-3.0-only */
/* POST /v2/snapctl: cookies, the snap socket only, the non-root subset, ephemeral commits. */
#include <criterion/criterion.h>
#include <jansson.h>

#include "api-snapctl.h"
#include "api-test-util.h"
#include "configstate.h"
#include "hookstate.h"
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
        cr_assert_not_null(
            strstr(result_str(j, "message"), "snapctl: cannot invoke snapctl operation commands (here \""), "%s",
            result_str(j, "message"));
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
    cr_assert_str_eq(json_string_value(json_object_get(h, "revision")), "3");
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
    cr_assert_str_eq(result_str(j, "message"), "snapctl: cannot use -d and -t together");
    json_decref(j);
    _sn_free_ char *typed = body_for(cookie, "[\"set\", \"-t\", \"x={bad\"]");
    j = call_as(0, typed);
    cr_assert(sn_startswith(result_str(j, "message"), "snapctl: failed to parse JSON: "), "%s",
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
    cr_assert_str_eq(result_str(j, "message"), "snapctl: snap \"hello\" has no plug or slot named \"nope\"");
    json_decref(j);
    /* services need a service manager here */
    _sn_free_ char *start = body_for(cookie, "[\"start\", \"hello.svc\"]");
    j = call_as(0, start);
    cr_assert_str_eq(result_str(j, "message"), "snapctl: unknown service: \"hello.svc\"");
    json_decref(j);
}
