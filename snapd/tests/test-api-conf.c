/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <jansson.h>

#include "api-test-util.h"
#include "api-v2.h"
#include "configstate.h"
#include "hookstate.h"

static char root[] = "/tmp/sn-apiconf-XXXXXX";
static char sock[256];
static struct event_base *base;
static SnApiServer *srv;
static SnState *st;
static SnTaskRunner *runner;
static SnHookMgr *hooks;
static SnApiContext ctx;
static int fd = -1;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    snprintf(sock, sizeof(sock), "%s/run/snapd.socket", root);
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    cr_assert_eq(sn_taskrunner_new(st, 1, &runner), 0);
    cr_assert_eq(sn_hookmgr_new(st, NULL, &hooks), 0);
    cr_assert_eq(sn_hookmgr_register(hooks, runner), 0);
    cr_assert_eq(sn_taskrunner_start(runner), 0);
    ctx = (SnApiContext){.st = st, .runner = runner, .root = root, .version = "1.2.3"};
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
    runner = sn_taskrunner_free(runner);
    hooks = sn_hookmgr_free(hooks);
    st = sn_state_free(st);
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(api_conf, .init = setup, .fini = teardown, .timeout = 60);

static json_t *call(const char *method, const char *path, const char *body, int want_status)
{
    _sn_free_ char *b = NULL;
    int status = test_request(base, fd, method, path, body, &b);
    cr_assert_eq(status, want_status, "%s %s: %d %s", method, path, status, b);
    json_t *j = json_loads(b, 0, NULL);
    cr_assert_not_null(j, "not JSON: %s", b);
    return j;
}

static char *result_text(json_t *env)
{
    return json_dumps(json_object_get(env, "result"), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* PUT a patch, wait for its change and return the change's status string. */
static const char *put(const char *snap, const char *patch)
{
    _sn_free_ char *path = sn_strdup_printf("/v2/snaps/%s/conf", snap);
    json_t *j = call("PUT", path, patch, 202);
    cr_assert_str_eq(json_string_value(json_object_get(j, "type")), "async");
    _sn_free_ char *change = sn_strdup_printf("/v2/changes/%s", json_string_value(json_object_get(j, "change")));
    json_decref(j);
    cr_assert_eq(sn_taskrunner_settle(runner, 10000), 0);
    j = call("GET", change, NULL, 200);
    static char status[32];
    snprintf(status, sizeof(status), "%s", json_string_value(json_object_get(json_object_get(j, "result"), "status")));
    json_decref(j);
    return status;
}

Test(api_conf, get_of_nothing_is_an_empty_document)
{
    json_t *j = call("GET", "/v2/snaps/system/conf", NULL, 200);
    _sn_free_ char *r = result_text(j);
    cr_assert_str_eq(r, "{}");
    json_decref(j);
}

Test(api_conf, put_then_get_by_keys_and_whole)
{
    cr_assert_str_eq(put("system", "{\"refresh.retain\": 3, \"refresh.metered\": \"hold\"}"), "Done");
    json_t *j = call("GET", "/v2/snaps/system/conf?keys=refresh.retain", NULL, 200);
    _sn_free_ char *r1 = result_text(j);
    cr_assert_str_eq(r1, "{\"refresh.retain\":3}");
    json_decref(j);
    j = call("GET", "/v2/snaps/system/conf?keys=refresh.retain,%20refresh.metered,", NULL, 200);
    _sn_free_ char *r2 = result_text(j);
    cr_assert_str_eq(r2, "{\"refresh.metered\":\"hold\",\"refresh.retain\":3}");
    json_decref(j);
    j = call("GET", "/v2/snaps/system/conf", NULL, 200);
    _sn_free_ char *r3 = result_text(j);
    cr_assert_str_eq(r3, "{\"refresh\":{\"metered\":\"hold\",\"retain\":3}}");
    json_decref(j);
    /* "core" is the same document */
    j = call("GET", "/v2/snaps/core/conf?keys=refresh", NULL, 200);
    _sn_free_ char *r4 = result_text(j);
    cr_assert_str_eq(r4, "{\"refresh\":{\"metered\":\"hold\",\"retain\":3}}");
    json_decref(j);
    /* null unsets */
    cr_assert_str_eq(put("system", "{\"refresh.metered\": null}"), "Done");
    j = call("GET", "/v2/snaps/system/conf", NULL, 200);
    _sn_free_ char *r5 = result_text(j);
    cr_assert_str_eq(r5, "{\"refresh\":{\"retain\":3}}");
    json_decref(j);
}

Test(api_conf, a_refused_value_fails_the_change)
{
    cr_assert_str_eq(put("system", "{\"refresh.retain\": 1}"), "Error");
    json_t *j = call("GET", "/v2/snaps/system/conf?keys=refresh.retain", NULL, 400);
    json_decref(j);
}

Test(api_conf, a_missing_key_is_option_not_found)
{
    json_t *j = call("GET", "/v2/snaps/system/conf?keys=refresh.retain", NULL, 400);
    json_t *r = json_object_get(j, "result");
    cr_assert_str_eq(json_string_value(json_object_get(r, "kind")), "option-not-found");
    cr_assert_str_eq(json_string_value(json_object_get(r, "message")),
                     "snap \"core\" has no \"refresh\" configuration option");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "value"), "SnapName")), "core");
    json_decref(j);
    /* an invalid key is an internal error in snapd */
    j = call("GET", "/v2/snaps/system/conf?keys=Bad", NULL, 500);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "result"), "message")),
                     "invalid option name: \"Bad\"");
    json_decref(j);
}

Test(api_conf, put_of_a_snap_that_is_not_installed_is_snap_not_found)
{
    json_t *j = call("PUT", "/v2/snaps/hello/conf", "{\"a\": 1}", 404);
    json_t *r = json_object_get(j, "result");
    cr_assert_str_eq(json_string_value(json_object_get(r, "kind")), "snap-not-found");
    cr_assert_str_eq(json_string_value(json_object_get(r, "value")), "hello");
    cr_assert_str_eq(json_string_value(json_object_get(r, "message")), "snap \"hello\" is not installed");
    json_decref(j);
    j = call("PUT", "/v2/snaps/system/conf", "[1, 2]", 400);
    cr_assert(sn_startswith(json_string_value(json_object_get(json_object_get(j, "result"), "message")),
                            "cannot decode request body into patch values: "));
    json_decref(j);
}
