/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sys/utsname.h>

#include "api-test-util.h"
#include "api-v2.h"
#include "sandbox-features.h"
#include "hookstate.h"
#include "state-snap.h"
#include "strutil.h"

static char root[] = "/tmp/sn-apiv2-XXXXXX";
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
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(api_v2, .init = setup, .fini = teardown, .timeout = 60);

/* GET/POST path; returns the parsed envelope (caller decrefs) and checks the status. */
static json_t *call(const char *method, const char *path, const char *body, int want_status)
{
    _sn_free_ char *b = NULL;
    int status = test_request(base, fd, method, path, body, &b);
    cr_assert_eq(status, want_status, "%s %s: %d %s", method, path, status, b);
    json_t *j = json_loads(b, 0, NULL);
    cr_assert_not_null(j, "not JSON: %s", b);
    cr_assert_eq(json_integer_value(json_object_get(j, "status-code")), want_status);
    return j;
}

static const char *result_str(json_t *env, const char *key)
{
    return json_string_value(json_object_get(json_object_get(env, "result"), key));
}

Test(api_v2, system_info_has_snapds_fields)
{
    json_t *j = call("GET", "/v2/system-info", NULL, 200);
    json_t *r = json_object_get(j, "result");
    cr_assert_str_eq(json_string_value(json_object_get(r, "series")), "16");
    cr_assert_str_eq(json_string_value(json_object_get(r, "version")), "1.2.3");
    struct utsname u;
    uname(&u);
    cr_assert_str_eq(json_string_value(json_object_get(r, "kernel-version")), u.release);
    cr_assert_str_eq(json_string_value(json_object_get(r, "architecture")), sn_api_dpkg_architecture());
    cr_assert(json_is_boolean(json_object_get(r, "on-classic")));
    cr_assert(json_is_false(json_object_get(r, "managed")));
    cr_assert_not_null(json_string_value(json_object_get(json_object_get(r, "os-release"), "id")));
    char want[300];
    snprintf(want, sizeof(want), "%s/snap", root);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "locations"), "snap-mount-dir")), want);
    snprintf(want, sizeof(want), "%s/snap/bin", root);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "locations"), "snap-bin-dir")), want);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "refresh"), "timer")), "00:00~24:00/4");
    cr_assert_not_null(json_string_value(json_object_get(r, "confinement")));
    cr_assert(json_is_array(json_object_get(json_object_get(r, "sandbox-features"), "confinement-options")));
    cr_assert_gt(strlen(json_string_value(json_object_get(r, "build-id"))), 0);
    json_decref(j);
}

/* Each backend's tags, joined by spaces, as sn_sandbox_backend_features gives them. */
static char *joined(json_t *list)
{
    SnBuf b = {0};
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        cr_assert(json_is_string(v));
        sn_buf_printf(&b, "%s%s", i ? " " : "", json_string_value(v));
    }
    cr_assert(sn_buf_ok(&b));
    return sn_buf_steal(&b);
}

Test(api_v2, system_info_reports_the_kernels_sandbox)
{
    SnSandboxProbe p = {0};
    cr_assert_eq(sn_sandbox_probe(NULL, -1, &p), 0);
    json_t *j = call("GET", "/v2/system-info", NULL, 200);
    json_t *r = json_object_get(j, "result");
    cr_assert_str_eq(json_string_value(json_object_get(r, "confinement")), sn_sandbox_full(&p) ? "strict" : "partial");
    json_t *sf = json_object_get(r, "sandbox-features");
    cr_assert(json_is_object(sf));
    size_t present = 0;
    for (const char *const *k = sn_sandbox_backends; *k; k++) {
        _sn_free_ char *want = sn_sandbox_backend_features(&p, *k);
        json_t *list = json_object_get(sf, *k);
        if (!want) {
            cr_assert_null(list, "backend %s is absent from the probe but reported", *k);
            continue;
        }
        present++;
        cr_assert(json_is_array(list), "backend %s is missing", *k);
        _sn_free_ char *got = joined(list);
        cr_assert_str_eq(got, want, "backend %s", *k);
    }
    cr_assert_eq(json_object_size(sf), present);
    /* The two that are always there, and agree with "confinement". */
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(sf, "confinement"), 0)),
                     json_string_value(json_object_get(r, "confinement")));
    cr_assert(json_is_array(json_object_get(sf, "confinement-options")));
    sn_sandbox_probe_done(&p);
    json_decref(j);
}

static int64_t add_change(const char *snap, const char *kind, size_t n)
{
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = sn_new_change_new(kind, "Install \"hello\" snap");
    json_t *api = json_pack("{s:[s]}", "snap-names", snap);
    sn_new_change_set(c, "api-data", api);
    json_decref(api);
    sn_new_change_add_snap(c, snap);
    for (size_t i = 0; i < n; i++)
        sn_new_change_add_task(c, i ? "link-snap" : "prepare-snap", i ? "Link" : "Prepare", NULL, NULL);
    sn_new_change_chain(c);
    int64_t id;
    sn_state_lock(st);
    cr_assert_eq(sn_change_create(st, c, &id, NULL, NULL), 0);
    sn_state_unlock(st);
    return id;
}

static void finish_change(int64_t id, bool failed)
{
    _sn_cleanup_(sn_change_freep) SnChange *c = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_change_load(st, id, &c, NULL), 0);
    for (size_t i = 0; i < c->n_tasks; i++) {
        bool last = i + 1 == c->n_tasks;
        if (failed && last)
            sn_task_log(st, c->tasks[i].id, SN_TASK_LOG_ERROR, "boom", sn_state_now(), NULL);
        sn_task_set_status(st, c->tasks[i].id, failed ? (last ? SN_STATUS_ERROR : SN_STATUS_UNDONE) : SN_STATUS_DONE,
                           sn_state_now(), NULL);
    }
    sn_state_unlock(st);
}

Test(api_v2, changes_select_and_for)
{
    int64_t a = add_change("hello", "install-snap", 2);
    add_change("other", "remove-snap", 1);
    finish_change(a, false);

    json_t *j = call("GET", "/v2/changes", NULL, 200); /* default: in-progress */
    cr_assert_eq(json_array_size(json_object_get(j, "result")), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "result"), 0), "kind")),
                     "remove-snap");
    json_decref(j);
    j = call("GET", "/v2/changes?select=all", NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "result")), 2);
    json_decref(j);
    j = call("GET", "/v2/changes?select=ready", NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "result")), 1);
    json_decref(j);
    j = call("GET", "/v2/changes?select=all&for=hello", NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "result")), 1);
    json_decref(j);
    j = call("GET", "/v2/changes?select=nope", NULL, 400);
    cr_assert_str_eq(result_str(j, "message"), "select should be one of: all,in-progress,ready");
    json_decref(j);
}

Test(api_v2, change_info_has_snapds_shape)
{
    int64_t id = add_change("hello", "install-snap", 2);
    finish_change(id, true);
    char path[64];
    snprintf(path, sizeof(path), "/v2/changes/%lld", (long long)id);
    json_t *j = call("GET", path, NULL, 200);
    json_t *r = json_object_get(j, "result");
    char want_id[32];
    snprintf(want_id, sizeof(want_id), "%lld", (long long)id);
    cr_assert_str_eq(json_string_value(json_object_get(r, "id")), want_id);
    cr_assert_str_eq(json_string_value(json_object_get(r, "kind")), "install-snap");
    cr_assert_str_eq(json_string_value(json_object_get(r, "status")), "Error");
    cr_assert(json_is_true(json_object_get(r, "ready")));
    cr_assert_str_eq(json_string_value(json_object_get(r, "err")),
                     "cannot perform the following tasks:\n- Link (boom)");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(r, "data"), "snap-names"), 0)),
                     "hello");
    cr_assert_not_null(json_string_value(json_object_get(r, "spawn-time")));
    cr_assert_not_null(json_string_value(json_object_get(r, "ready-time")));
    json_t *tasks = json_object_get(r, "tasks");
    cr_assert_eq(json_array_size(tasks), 2);
    json_t *t0 = json_array_get(tasks, 0), *t1 = json_array_get(tasks, 1);
    cr_assert_str_eq(json_string_value(json_object_get(t0, "status")), "Undone");
    cr_assert_null(json_object_get(t0, "log"));
    json_t *p = json_object_get(t0, "progress");
    cr_assert_str_eq(json_string_value(json_object_get(p, "label")), "");
    cr_assert_eq(json_integer_value(json_object_get(p, "done")), 1);
    cr_assert_eq(json_integer_value(json_object_get(p, "total")), 1);
    cr_assert_not_null(strstr(json_string_value(json_array_get(json_object_get(t1, "log"), 0)), " ERROR boom"));
    json_decref(j);
}

Test(api_v2, change_not_found)
{
    json_t *j = call("GET", "/v2/changes/12", NULL, 404);
    cr_assert_str_eq(result_str(j, "message"), "cannot find change with id \"12\"");
    json_decref(j);
    j = call("GET", "/v2/changes/abc", NULL, 404);
    cr_assert_str_eq(result_str(j, "message"), "cannot find change with id \"abc\"");
    json_decref(j);
    j = call("POST", "/v2/changes/12", "{\"action\":\"abort\"}", 404);
    json_decref(j);
}

Test(api_v2, abort_change)
{
    int64_t id = add_change("hello", "install-snap", 2);
    char path[64];
    snprintf(path, sizeof(path), "/v2/changes/%lld", (long long)id);
    json_t *j = call("POST", path, "{\"action\":\"frob\"}", 400);
    cr_assert_str_eq(result_str(j, "message"), "change action \"frob\" is unsupported");
    json_decref(j);
    j = call("POST", path, "{nope", 400);
    cr_assert_not_null(strstr(result_str(j, "message"), "cannot decode data from request body: "));
    json_decref(j);
    j = call("POST", path, "{\"action\":\"abort\"}", 200);
    json_t *r = json_object_get(j, "result");
    cr_assert_str_eq(json_string_value(json_object_get(r, "status")), "Hold");
    cr_assert(json_is_true(json_object_get(r, "ready")));
    json_decref(j);
    j = call("POST", path, "{\"action\":\"abort\"}", 400);
    char want[80];
    snprintf(want, sizeof(want), "cannot abort change %lld with nothing pending", (long long)id);
    cr_assert_str_eq(result_str(j, "message"), want);
    json_decref(j);
}

Test(api_v2, snaps_empty_and_not_found)
{
    json_t *j = call("GET", "/v2/snaps", NULL, 200);
    _sn_free_ char *s = json_dumps(j, JSON_COMPACT);
    cr_assert_str_eq(s,
                     "{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":[],\"sources\":[\"local\"]}");
    json_decref(j);
    j = call("GET", "/v2/snaps/nosuch", NULL, 404);
    _sn_free_ char *e = json_dumps(j, JSON_COMPACT);
    cr_assert_str_eq(e, "{\"type\":\"error\",\"status-code\":404,\"status\":\"Not Found\",\"result\":{\"message\":"
                        "\"snap not installed\",\"kind\":\"snap-not-found\",\"value\":\"nosuch\"}}");
    json_decref(j);
    j = call("GET", "/v2/snaps?select=bogus", NULL, 400);
    json_decref(j);
}

Test(api_v2, snaps_from_the_state)
{
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = sn_snap_state_new("hello");
    sn_snap_state_append(s, -1, NULL, NULL);
    sn_snap_state_append(s, -2, NULL, NULL);
    json_object_set_new(s->sequence[1].side_info, "version", json_string("2.0"));
    s->current = -2;
    s->active = true;
    sn_state_lock(st);
    cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);
    sn_state_unlock(st);

    json_t *j = call("GET", "/v2/snaps", NULL, 200);
    json_t *r = json_object_get(j, "result");
    cr_assert_eq(json_array_size(r), 1);
    json_t *h = json_array_get(r, 0);
    cr_assert_str_eq(json_string_value(json_object_get(h, "name")), "hello");
    cr_assert_str_eq(json_string_value(json_object_get(h, "revision")), "x2");
    cr_assert_str_eq(json_string_value(json_object_get(h, "version")), "2.0");
    cr_assert_str_eq(json_string_value(json_object_get(h, "status")), "active");
    char want[300];
    snprintf(want, sizeof(want), "%s/var/lib/snapd/snaps/hello_x2.snap", root);
    cr_assert_str_eq(json_string_value(json_object_get(h, "mounted-from")), want);
    json_decref(j);

    j = call("GET", "/v2/snaps?select=all", NULL, 200);
    r = json_object_get(j, "result");
    cr_assert_eq(json_array_size(r), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 0), "status")), "installed");
    json_decref(j);

    j = call("GET", "/v2/snaps?snaps=other", NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(j, "result")), 0);
    json_decref(j);

    j = call("GET", "/v2/snaps/hello", NULL, 200);
    cr_assert_str_eq(result_str(j, "revision"), "x2");
    json_decref(j);
}

Test(api_v2, snaps_carry_the_recorded_health_as_snapd)
{
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = sn_snap_state_new("hello");
    sn_snap_state_append(s, -1, NULL, NULL);
    s->current = -1;
    s->active = true;
    sn_state_lock(st);
    cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);
    sn_state_unlock(st);
    json_t *j = call("GET", "/v2/snaps/hello", NULL, 200);
    cr_assert_null(json_object_get(json_object_get(j, "result"), "health"), "none recorded: no field");
    json_decref(j);

    /* what `snapctl set-health error "..." --code=...` records (hookstate's form: status 4 is error) */
    json_t *rec = json_pack("{s:s, s:s, s:i, s:s, s:s}", "revision", "x1", "timestamp", "2026-11-29T03:00:00.5Z",
                            "status", 4, "message", "cannot reach the sensor", "code", "no-sensor");
    sn_state_lock(st);
    cr_assert_eq(sn_state_begin(st, NULL), 0);
    cr_assert_eq(sn_hookstate_health_store(st, "hello", rec, NULL), 0);
    cr_assert_eq(sn_state_commit(st, NULL), 0);
    sn_state_unlock(st);
    json_decref(rec);
    json_t *want = json_pack("{s:s, s:s, s:s, s:s, s:s}", "revision", "x1", "timestamp", "2026-11-29T03:00:00.5Z",
                             "status", "error", "message", "cannot reach the sensor", "code", "no-sensor");
    j = call("GET", "/v2/snaps/hello", NULL, 200);
    json_t *got = json_object_get(json_object_get(j, "result"), "health");
    cr_assert(json_equal(got, want), "%s", json_dumps(got, JSON_COMPACT));
    json_decref(j);
    j = call("GET", "/v2/snaps", NULL, 200);
    got = json_object_get(json_array_get(json_object_get(j, "result"), 0), "health");
    cr_assert(json_equal(got, want), "the list too");
    json_decref(j);
    json_decref(want);
}

/* Each early refusal of POST /v2/interfaces, in snapd's words (these once freed an uninitialized change). */
Test(api_v2, interfaces_post_refusals)
{
    static const struct {
        const char *body;
        int status;
        const char *message;
    } cases[] = {
        {"{}", 400, "interface action not specified"},
        {"{\"action\":\"connect\",\"plugs\":[{},{}],\"slots\":[{}]}", 501,
         "many-to-many operations are not implemented"},
        {"{\"action\":\"frob\"}", 400, "unsupported interface action: \"frob\""},
        {"{\"action\":\"connect\"}", 400, "at least one plug and slot is required"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        json_t *j = call("POST", "/v2/interfaces", cases[i].body, cases[i].status);
        cr_assert_str_eq(result_str(j, "message"), cases[i].message);
        json_decref(j);
    }
}
