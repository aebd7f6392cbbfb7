/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "configstate.h"
#include "hookstate.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"
#include "taskrunner.h"

static char root[] = "/tmp/sn-configstate-XXXXXX";
static SnState *st;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
}

static void teardown(void)
{
    st = sn_state_free(st);
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(configstate, .init = setup, .fini = teardown, .timeout = 60);

/* Patches doc (JSON text) with patch (JSON text) for snap; returns the result as sorted compact JSON or the error. */
static char *patched(const char *snap, const char *doc_text, const char *patch_text, char ***ret_changes)
{
    json_t *doc = json_loads(doc_text, 0, NULL), *patch = json_loads(patch_text, 0, NULL);
    cr_assert(doc && patch, "bad test JSON");
    SnError *err = NULL;
    int r = sn_configstate_patch(doc, snap, patch, ret_changes, &err);
    char *out = r < 0 ? sn_strdup_printf("error: %s", sn_error_message(err, r))
                      : json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    sn_error_free(err);
    json_decref(doc);
    json_decref(patch);
    return out;
}

static void patch_is(const char *doc, const char *patch, const char *want)
{
    _sn_free_ char *got = patched("foo", doc, patch, NULL);
    cr_assert_str_eq(got, want, "patch %s onto %s", patch, doc);
}

Test(configstate, patch_follows_snapds_transaction_semantics)
{
    patch_is("{}", "{\"a\": 1}", "{\"a\":1}");
    /* dotted keys create and merge into maps */
    patch_is("{}", "{\"a.b.c\": \"x\"}", "{\"a\":{\"b\":{\"c\":\"x\"}}}");
    patch_is("{\"a\":{\"b\":1,\"c\":2}}", "{\"a.d\": 3}", "{\"a\":{\"b\":1,\"c\":2,\"d\":3}}");
    /* a whole value replaces, then a deeper key of the same patch goes into it */
    patch_is("{\"a\":{\"b\":1}}", "{\"a\": {\"x\": 1}, \"a.y\": 2}", "{\"a\":{\"x\":1,\"y\":2}}");
    /* null unsets, at any depth, and empty maps stay */
    patch_is("{\"a\":{\"b\":1},\"c\":2}", "{\"a.b\": null}", "{\"a\":{},\"c\":2}");
    patch_is("{\"a\":{\"b\":1},\"c\":2}", "{\"a\": null}", "{\"c\":2}");
    patch_is("{}", "{\"a\": {\"b\": null, \"c\": 1}}", "{\"a\":{\"c\":1}}");
    /* unsetting what is not there is fine */
    patch_is("{}", "{\"x.y\": null}", "{\"x\":{}}");
    /* lists are values, nulls inside them stay */
    patch_is("{}", "{\"l\": [1, null, {\"k\": null}]}", "{\"l\":[1,null,{\"k\":null}]}");
}

Test(configstate, patch_refuses_bad_keys_and_non_maps_with_snapds_messages)
{
    _sn_free_ char *e1 = patched("foo", "{}", "{\"Bad\": 1}", NULL);
    cr_assert_str_eq(e1, "error: invalid option name: \"Bad\"");
    _sn_free_ char *e2 = patched("foo", "{}", "{\"a..b\": 1}", NULL);
    cr_assert_str_eq(e2, "error: invalid option name: \"\"");
    _sn_free_ char *e3 = patched("foo", "{\"a\": 5}", "{\"a.b\": 1}", NULL);
    cr_assert_str_eq(e3, "error: snap \"foo\" option \"a\" is not a map");
    _sn_free_ char *e4 = patched("foo", "{}", "{\"a\": 5, \"a.b\": 1}", NULL);
    cr_assert_str_eq(e4, "error: snap \"foo\" option \"a\" is not a map");
    /* snapd checks the pristine document even when the same patch unsets the value on the way */
    _sn_free_ char *e5 = patched("foo", "{\"a\": 5}", "{\"a\": null, \"a.b\": 1}", NULL);
    cr_assert_str_eq(e5, "error: snap \"foo\" option \"a\" is not a map");
    /* map keys inside values must be option names for the system only */
    _sn_free_ char *ok = patched("foo", "{}", "{\"a\": {\"Not_Valid\": 1}}", NULL);
    cr_assert_str_eq(ok, "{\"a\":{\"Not_Valid\":1}}");
    _sn_free_ char *e6 = patched("core", "{}", "{\"a\": {\"Not_Valid\": 1}}", NULL);
    cr_assert_str_eq(e6, "error: invalid option name: \"Not_Valid\"");
}

Test(configstate, changes_are_the_leaves_as_snapd_lists_them)
{
    _sn_strv_free_ char **changes = NULL;
    _sn_unused_ _sn_free_ char *out =
        patched("core", "{}", "{\"refresh\": {\"retain\": 3, \"hold\": \"forever\"}, \"x.y\": {}}", &changes);
    cr_assert_eq(sn_strv_length(changes), 3);
    cr_assert_str_eq(changes[0], "core.refresh.hold");
    cr_assert_str_eq(changes[1], "core.refresh.retain");
    cr_assert_str_eq(changes[2], "core.x.y");
}

static char *validate(const char *patch_text)
{
    _sn_strv_free_ char **changes = NULL;
    json_t *doc = json_object(), *patch = json_loads(patch_text, 0, NULL);
    cr_assert_not_null(patch);
    SnError *err = NULL;
    int r = sn_configstate_patch(doc, "core", patch, &changes, &err);
    if (r >= 0)
        r = sn_configstate_validate_core(doc, changes, &err);
    char *out = r < 0 ? strdup(sn_error_message(err, r)) : NULL;
    sn_error_free(err);
    json_decref(doc);
    json_decref(patch);
    return out;
}

static void valid(const char *patch)
{
    _sn_free_ char *e = validate(patch);
    cr_assert_null(e, "%s refused: %s", patch, e);
}

static void invalid(const char *patch, const char *message)
{
    _sn_free_ char *e = validate(patch);
    cr_assert_not_null(e, "%s accepted", patch);
    cr_assert_str_eq(e, message, "%s", patch);
}

Test(configstate, system_options_are_checked_as_configcore_does)
{
    valid("{\"refresh.retain\": 2}");
    valid("{\"refresh.retain\": 20}");
    valid("{\"refresh.retain\": \"5\"}");
    invalid("{\"refresh.retain\": 1}", "retain must be a number between 2 and 20, not \"1\"");
    invalid("{\"refresh.retain\": 21}", "retain must be a number between 2 and 20, not \"21\"");
    invalid("{\"refresh.retain\": \"-3\"}", "retain must be a number between 2 and 20, not \"-3\"");
    invalid("{\"refresh.retain\": 2.5}", "retain must be a number between 2 and 20, not \"2.5\"");
    invalid("{\"refresh.retain\": \"x\"}", "retain must be a number between 2 and 20, not \"x\"");
    valid("{\"refresh.max-inhibition-days\": 21}");
    invalid("{\"refresh.max-inhibition-days\": 0}", "max-inhibition-days must be a number between 1 and 21, not \"0\"");
    valid("{\"refresh.hold\": \"forever\"}");
    valid("{\"refresh.hold\": \"2030-01-02T03:04:05Z\"}");
    _sn_free_ char *hold = validate("{\"refresh.hold\": \"tomorrow\"}");
    cr_assert(hold && sn_startswith(hold, "refresh.hold cannot be parsed: "), "%s", hold);
    valid("{\"refresh.metered\": \"hold\"}");
    invalid("{\"refresh.metered\": \"no\"}", "refresh.metered value \"no\" is invalid");
    valid("{\"refresh.timer\": \"mon,10:00-12:00\"}");
    _sn_free_ char *timer = validate("{\"refresh.timer\": \"whenever\"}");
    cr_assert_not_null(timer);
    invalid("{\"refresh.timer\": \"managed\"}", "cannot set schedule to managed");
    invalid("{\"no.such\": 1}", "cannot set \"core.no.such\": unsupported system option");
    invalid("{\"refresh\": {\"retain\": 3, \"bogus\": 1}}",
            "cannot set \"core.refresh.bogus\": unsupported system option");
    valid("{\"experimental.parallel-instances\": true}");
    valid("{\"experimental.layouts\": true}");
    invalid("{\"experimental.parallel-instances\": \"maybe\"}",
            "experimental.parallel-instances can only be set to 'true' or 'false'");
    invalid("{\"experimental.no-such-feature\": true}",
            "cannot set \"core.experimental.no-such-feature\": unsupported system option");
    valid("{\"service.ssh.disable\": true, \"system.timezone\": \"UTC\", \"pi-config.hdmi-mode\": 4}");
    valid("{\"store-certs.my-cert\": \"PEM\"}");
    invalid("{\"store-certs.-x\": \"PEM\"}", "invalid option name: \"-x\"");
    /* unsetting is a change too, and fine */
    valid("{\"refresh.retain\": null}");
}

static json_t *get(const char *snap, const char *key, int want)
{
    json_t *v = NULL;
    SnError *err = NULL;
    sn_state_lock(st);
    int r = sn_configstate_get(st, snap, key, &v, &err);
    sn_state_unlock(st);
    cr_assert_eq(r, want, "get %s %s: %s", snap, key, sn_error_message(err, r));
    sn_error_free(err);
    return v;
}

static int apply(const char *snap, const char *patch_text, char **ret_msg)
{
    json_t *patch = json_loads(patch_text, 0, NULL);
    SnError *err = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_state_begin(st, NULL), 0);
    int r = sn_configstate_apply(st, snap, patch, &err);
    if (r >= 0)
        cr_assert_eq(sn_state_commit(st, NULL), 0);
    else
        sn_state_rollback(st);
    sn_state_unlock(st);
    if (ret_msg)
        *ret_msg = strdup(sn_error_message(err, r));
    sn_error_free(err);
    json_decref(patch);
    return r;
}

Test(configstate, apply_stores_and_get_reads_dotted_keys)
{
    json_t *v = get("core", "", -ENOENT);
    cr_assert_null(v);
    v = get("core", "refresh.retain", -ENOENT);
    cr_assert_eq(apply("core", "{\"refresh.retain\": 4}", NULL), 0);
    v = get("core", "refresh.retain", 0);
    cr_assert_eq(json_integer_value(v), 4);
    json_decref(v);
    v = get("core", "refresh", 0);
    cr_assert(json_is_object(v));
    json_decref(v);
    v = get("core", "refresh.retain.deeper", -EINVAL);
    v = get("core", "Refresh", -EINVAL);

    sn_state_lock(st);
    cr_assert_eq(sn_configstate_refresh_retain(st), 4);
    sn_state_unlock(st);

    /* a refused patch changes nothing */
    _sn_free_ char *msg = NULL;
    cr_assert_eq(apply("core", "{\"refresh.retain\": 1, \"refresh.metered\": \"hold\"}", &msg), -EINVAL);
    cr_assert_str_eq(msg, "retain must be a number between 2 and 20, not \"1\"");
    v = get("core", "refresh.retain", 0);
    cr_assert_eq(json_integer_value(v), 4);
    json_decref(v);
    get("core", "refresh.metered", -ENOENT);

    /* other snaps take any option */
    cr_assert_eq(apply("foo", "{\"anything.goes\": [1, 2]}", NULL), 0);
    v = get("foo", "", 0);
    _sn_free_ char *doc = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_str_eq(doc, "{\"anything\":{\"goes\":[1,2]}}");
    json_decref(v);
}

Test(configstate, refresh_retain_defaults_to_two)
{
    sn_state_lock(st);
    cr_assert_eq(sn_configstate_refresh_retain(st), SN_CONFIG_REFRESH_RETAIN_DEFAULT);
    sn_state_unlock(st);
    cr_assert_eq(SN_CONFIG_REFRESH_RETAIN_DEFAULT, 2);
}

static SnChange *load_change(int64_t id)
{
    SnChange *c = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_change_load(st, id, &c, NULL), 0);
    sn_state_unlock(st);
    return c;
}

static int configure(const char *snap, const char *patch_text, int64_t *ret_id, char **ret_msg)
{
    json_t *patch = json_loads(patch_text, 0, NULL);
    SnError *err = NULL;
    SnConflict conflict = {0};
    sn_state_lock(st);
    int r = sn_configstate_configure(st, snap, patch, ret_id, &conflict, &err);
    sn_state_unlock(st);
    if (ret_msg)
        *ret_msg = strdup(sn_error_message(err, r));
    sn_error_free(err);
    sn_conflict_done(&conflict);
    json_decref(patch);
    return r;
}

Test(configstate, configure_makes_snapds_change_and_the_runner_applies_it)
{
    SnTaskRunner *runner = NULL;
    SnHookMgr *hooks = NULL;
    cr_assert_eq(sn_taskrunner_new(st, 1, &runner), 0);
    cr_assert_eq(sn_hookmgr_new(st, NULL, &hooks), 0);
    cr_assert_eq(sn_hookmgr_register(hooks, runner), 0);
    cr_assert_eq(sn_hookmgr_register(hooks, runner), -EEXIST);

    int64_t id = 0;
    cr_assert_eq(configure("system", "{\"refresh.retain\": 5}", &id, NULL), 0);
    SnChange *c = load_change(id);
    cr_assert_str_eq(c->kind, "configure-snap");
    cr_assert_str_eq(c->summary, "Change configuration of \"core\" snap");
    cr_assert_eq(c->n_tasks, 1);
    cr_assert_str_eq(c->tasks[0].kind, "run-hook");
    cr_assert_str_eq(c->tasks[0].summary, "Run configure hook of \"core\" snap");
    json_t *setup_data = json_object_get(c->tasks[0].data, "hook-setup");
    cr_assert_str_eq(json_string_value(json_object_get(setup_data, "hook")), "configure");
    cr_assert_str_eq(json_string_value(json_object_get(setup_data, "snap")), "core");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(c->tasks[0].data, "patch"), "refresh.retain")), 5);
    sn_change_free(c);

    cr_assert_eq(sn_taskrunner_start(runner), 0);
    cr_assert_eq(sn_taskrunner_settle(runner, 10000), 0);
    c = load_change(id);
    cr_assert_eq(c->status, SN_STATUS_DONE, "%s", sn_status_to_string(c->status));
    sn_change_free(c);
    json_t *v = get("core", "refresh.retain", 0);
    cr_assert_eq(json_integer_value(v), 5);
    json_decref(v);

    /* a refused value fails the change with snapd's error and leaves the value */
    cr_assert_eq(configure("system", "{\"refresh.retain\": 1}", &id, NULL), 0);
    sn_state_lock(st);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    cr_assert_eq(sn_taskrunner_settle(runner, 10000), 0);
    c = load_change(id);
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    _sn_free_ char *err = sn_change_err(c);
    cr_assert_str_eq(err, "cannot perform the following tasks:\n- Run configure hook of \"core\" snap (retain must be "
                          "a number between 2 and 20, not \"1\")");
    sn_change_free(c);
    v = get("core", "refresh.retain", 0);
    cr_assert_eq(json_integer_value(v), 5);
    json_decref(v);

    /* an empty patch: the optional hook's summary */
    cr_assert_eq(configure("system", "{}", &id, NULL), 0);
    c = load_change(id);
    cr_assert_str_eq(c->tasks[0].summary, "Run configure hook of \"core\" snap if present");
    sn_change_free(c);
    sn_taskrunner_free(runner);
    sn_hookmgr_free(hooks);
}

Test(configstate, configure_needs_an_installed_snap_that_is_not_a_base_or_snapd)
{
    _sn_free_ char *msg = NULL;
    int64_t id;
    cr_assert_eq(configure("hello", "{\"a\": 1}", &id, &msg), -ENOENT);
    cr_assert_str_eq(msg, "snap \"hello\" is not installed");

    const char *types[] = {"app", "base", "snapd"};
    const char *names[] = {"hello", "core22", "snapd"};
    for (size_t i = 0; i < 3; i++) {
        SnSnapState *s = sn_snap_state_new(names[i]);
        free(s->type);
        s->type = strdup(types[i]);
        cr_assert_eq(sn_snap_state_append(s, 1, "", ""), 0);
        s->current = 1;
        sn_state_lock(st);
        cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);
        sn_state_unlock(st);
        sn_snap_state_free(s);
    }
    free(msg);
    cr_assert_eq(configure("hello", "{\"a\": 1}", &id, &msg), 0, "%s", msg);
    free(msg);
    cr_assert_eq(configure("core22", "{\"a\": 1}", &id, &msg), -EINVAL);
    cr_assert_str_eq(msg, "cannot configure snap \"core22\" because it is of type 'base'");
    free(msg);
    cr_assert_eq(configure("snapd", "{\"a\": 1}", &id, &msg), -EINVAL);
    cr_assert_str_eq(msg, "cannot configure the \"snapd\" snap, please use \"system\" instead");
    /* a second change while the first is in flight: snapd's conflict */
    free(msg);
    cr_assert_eq(configure("hello", "{\"b\": 1}", &id, &msg), -EBUSY);
    cr_assert_not_null(strstr(msg, "has \"configure-snap\" change in progress"), "%s", msg);
}

Test(configstate, parse_key_splits_and_checks_each_part)
{
    char **parts = NULL;
    cr_assert_eq(sn_configstate_parse_key("a.b-c.d1", &parts, NULL), 3);
    cr_assert_str_eq(parts[1], "b-c");
    sn_strv_free(parts);
    cr_assert_eq(sn_configstate_parse_key("", &parts, NULL), 0);
    cr_assert_null(parts);
    const char *bad[] = {"A", "a.", ".a", "a--b", "-a", "a-", "1", "a_b", "a.b c"};
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++)
        cr_assert_eq(sn_configstate_parse_key(bad[i], &parts, NULL), -EINVAL, "%s", bad[i]);
    cr_assert_str_eq(sn_configstate_remap("system"), "core");
    cr_assert_str_eq(sn_configstate_remap("hello"), "hello");
}
