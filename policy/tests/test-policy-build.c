/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "policy-blob.h"
#include "policy-build.h"
#include "strutil.h"

Test(policy_build, builds_a_blob_the_reader_accepts)
{
    char *chain[] = {"bin/wrapper", NULL};
    char *env[] = {"A=1", "B=$A", NULL};
    SnPolicyInput in = {
        .snap_name = "hello_x", .app = "world", .command = "bin/hello --x", .command_chain = chain, .environment = env};
    _sn_free_ void *data = NULL;
    size_t len = 0;
    SnError *err = NULL;
    cr_assert_eq(sn_policy_build_blob(&in, &data, &len, &err), 0, "%s", err ? err->message : "");
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_parse(data, len, &blob, &err), 0, "%s", err ? err->message : "");
    size_t n = 0;
    cr_assert_not_null(sn_policy_blob_seccomp_allow(blob, &n));
    cr_assert_gt(n, 10);
    const SnPolicyLandlockRule *rules = sn_policy_blob_landlock_rules(blob, &n);
    bool snapdir = false, home = false, root_dir = false;
    for (size_t i = 0; i < n; i++) {
        const char *p = sn_policy_blob_landlock_path(blob, &rules[i]);
        snapdir |= SN_STREQ(p, "/snap/hello");
        home |= SN_STREQ(p, "snap/hello_x") && rules[i].anchor == SN_POLICY_ANCHOR_HOME;
        root_dir |= SN_STREQ(p, "/root") || SN_STREQ(p, "/");
        if (SN_STREQ(p, "/snap/hello"))
            cr_assert_eq(rules[i].access & 2 /* WRITE_FILE */, 0, "$SNAP must be read-only");
    }
    cr_assert(snapdir && home);
    cr_assert_not(root_dir, "nothing may grant / or /root");
    size_t cursor = 0;
    const char *text = NULL;
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'c');
    cr_assert_str_eq(text, "bin/hello --x");
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'h');
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'e');
    cr_assert_str_eq(text, "A=1");
    sn_error_free(err);
}

Test(policy_build, hooks_default_to_their_meta_hooks_path)
{
    SnPolicyInput in = {.snap_name = "hello", .hook = "configure"};
    _sn_free_ void *data = NULL;
    size_t len = 0;
    cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), 0);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_parse(data, len, &blob, NULL), 0);
    size_t cursor = 0;
    const char *text = NULL;
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'c');
    cr_assert_str_eq(text, "meta/hooks/configure");
}

Test(policy_build, cve_2021_4120_refuses_names_that_would_inject_policy)
{
    const char *names[] = {"hello\n}", "hello,", "he llo", "../x", "hello/**", "Hello", "x\"y"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        SnPolicyInput in = {.snap_name = names[i], .app = "app", .command = "bin/x"};
        _sn_free_ char *text = NULL;
        cr_assert_eq(sn_policy_apparmor_profile(&in, &text, NULL), -EINVAL, "%s", names[i]);
        _sn_free_ void *data = NULL;
        size_t len = 0;
        cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), -EINVAL, "%s", names[i]);
        if (SN_STREQ(names[i], "Hello"))
            continue; /* upper case is fine in app names */
        SnPolicyInput in2 = {.snap_name = "ok", .app = names[i], .command = "bin/x"};
        cr_assert_eq(sn_policy_apparmor_profile(&in2, &text, NULL), -EINVAL, "app %s", names[i]);
    }
}

Test(policy_build, refuses_commands_outside_snap)
{
    const char *cmds[] = {"/bin/sh", "../../bin/sh", "bin/x\nenv", ""};
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        SnPolicyInput in = {.snap_name = "ok", .app = "app", .command = cmds[i]};
        _sn_free_ void *data = NULL;
        size_t len = 0;
        cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), -EINVAL, "case %zu", i);
    }
    char *env[] = {"=x", NULL};
    SnPolicyInput in = {.snap_name = "ok", .app = "app", .command = "bin/x", .environment = env};
    _sn_free_ void *data = NULL;
    size_t len = 0;
    cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), -EINVAL);
}

Test(policy_build, apparmor_profile_parses)
{
    if (access("/sbin/apparmor_parser", X_OK) != 0)
        cr_skip_test("apparmor_parser is not installed");
    SnPolicyInput in = {.snap_name = "hello_x", .app = "world", .command = "bin/hello"};
    _sn_free_ char *text = NULL;
    cr_assert_eq(sn_policy_apparmor_profile(&in, &text, NULL), 0);
    cr_assert(strstr(text, "profile \"snap.hello_x.world\""));
    char path[] = "/tmp/sn-aa-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0644), 0);
    _sn_free_ char *cmd = sn_strdup_printf("/sbin/apparmor_parser -Q -K %s >/dev/null 2>&1", path);
    int status = system(cmd);
    unlink(path);
    cr_assert_eq(status, 0, "apparmor_parser -Q refused the profile");
}

Test(policy_build, refuses_invalid_grants)
{
    SnPolicyLandlockGrant paths[] = {
        {.path = "relative", .anchor = SN_POLICY_ANCHOR_ROOT, .access = SN_LANDLOCK_RO},
        {.path = "/abs", .anchor = SN_POLICY_ANCHOR_HOME, .access = SN_LANDLOCK_RO},
        {.path = "/a//b", .anchor = SN_POLICY_ANCHOR_ROOT, .access = SN_LANDLOCK_RO},
        {.path = "/a/./b", .anchor = SN_POLICY_ANCHOR_ROOT, .access = SN_LANDLOCK_RO},
        {.path = "/ok", .anchor = SN_POLICY_ANCHOR_ROOT, .access = 0},
        {.path = "/ok", .anchor = SN_POLICY_ANCHOR_ROOT, .access = 1u << 20},
        {.path = "/ok", .anchor = 7, .access = SN_LANDLOCK_RO},
        {.path = NULL, .anchor = SN_POLICY_ANCHOR_ROOT, .access = SN_LANDLOCK_RO},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(paths); i++) {
        SnPolicyGrant g = {.interface = "x", .landlock = &paths[i], .n_landlock = 1};
        SnPolicyInput in = {.snap_name = "ok", .app = "app", .command = "bin/x", .grants = &g, .n_grants = 1};
        _sn_free_ void *data = NULL;
        size_t len = 0;
        cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), -EINVAL, "landlock case %zu", i);
    }
    SnPolicyDeviceRule devs[] = {{'x', 1, 0, 1, 1}, {'c', 0, 0, 1, 1}, {'c', 8, 0, 1, 1}, {'c', 1, 0, -2, 1}};
    for (size_t i = 0; i < SN_ELEMENTSOF(devs); i++) {
        SnPolicyGrant g = {.interface = "x", .devices = &devs[i], .n_devices = 1};
        SnPolicyInput in = {.snap_name = "ok", .app = "app", .command = "bin/x", .grants = &g, .n_grants = 1};
        _sn_free_ void *data = NULL;
        size_t len = 0;
        cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), -EINVAL, "device case %zu", i);
    }
    /* Past the blob's cap of Landlock rules. */
    static SnPolicyLandlockGrant many[300];
    for (size_t i = 0; i < SN_ELEMENTSOF(many); i++)
        many[i] = (SnPolicyLandlockGrant){.path = "/srv", .anchor = SN_POLICY_ANCHOR_ROOT, .access = SN_LANDLOCK_RO};
    SnPolicyGrant g = {.interface = "x", .landlock = many, .n_landlock = SN_ELEMENTSOF(many)};
    SnPolicyInput in = {.snap_name = "ok", .app = "app", .command = "bin/x", .grants = &g, .n_grants = 1};
    _sn_free_ void *data = NULL;
    size_t len = 0;
    cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), -EFBIG);
    /* A grant for another app does not count. */
    char *apps[] = {"other", NULL};
    g.apps = apps;
    cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), 0);
}

Test(policy_build, base_set_grants_the_instances_runtime_dir_read_write)
{
    SnPolicyInput in = {.snap_name = "hello_x", .app = "world", .command = "bin/hello"};
    _sn_free_ void *data = NULL;
    size_t len = 0;
    SnError *err = NULL;
    cr_assert_eq(sn_policy_build_blob(&in, &data, &len, &err), 0, "%s", err ? err->message : "");
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_parse(data, len, &blob, &err), 0, "%s", err ? err->message : "");
    cr_assert_eq(blob->header->version, SN_POLICY_BLOB_VERSION);
    size_t n = 0, runtime = 0;
    const SnPolicyLandlockRule *rules = sn_policy_blob_landlock_rules(blob, &n);
    for (size_t i = 0; i < n; i++) {
        if (rules[i].anchor != SN_POLICY_ANCHOR_RUNTIME)
            continue;
        runtime++;
        /* XDG_RUNTIME_DIR is per instance (policy/run-env.c), as in snapd's template */
        cr_assert_str_eq(sn_policy_blob_landlock_path(blob, &rules[i]), "snap.hello_x");
        cr_assert_eq(rules[i].access, SN_LANDLOCK_RW);
        cr_assert_neq(rules[i].access & 2 /* WRITE_FILE */, 0);
    }
    cr_assert_eq(runtime, 1, "expected one runtime rule, got %zu", runtime);
    /* the AppArmor text has the template's equivalent */
    _sn_free_ char *text = NULL;
    cr_assert_eq(sn_policy_apparmor_profile(&in, &text, NULL), 0);
    cr_assert(strstr(text, "\n  owner /run/user/[0-9]*/snap.@{SNAP_INSTANCE_NAME}/ rw,\n"));
    cr_assert(strstr(text, "\n  owner /run/user/[0-9]*/snap.@{SNAP_INSTANCE_NAME}/** mrwklix,\n"));
    cr_assert(strstr(text, "@{SNAP_INSTANCE_NAME}=\"hello_x\"\n"));
    sn_error_free(err);
}

Test(policy_build, runtime_anchored_grants_are_relative_and_clean)
{
    SnPolicyLandlockGrant ok = {.path = "pulse/native", .anchor = SN_POLICY_ANCHOR_RUNTIME, .access = SN_LANDLOCK_RO};
    SnPolicyGrant g = {.interface = "x", .landlock = &ok, .n_landlock = 1};
    SnPolicyInput in = {.snap_name = "ok", .app = "app", .command = "bin/x", .grants = &g, .n_grants = 1};
    _sn_free_ void *data = NULL;
    size_t len = 0;
    cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), 0);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_parse(data, len, &blob, NULL), 0);
    const char *bad[] = {"/run/user/0/x", ".", "a/../b", "a//b", "a/", "./a", ""};
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        SnPolicyLandlockGrant l = {.path = bad[i], .anchor = SN_POLICY_ANCHOR_RUNTIME, .access = SN_LANDLOCK_RO};
        g.landlock = &l;
        _sn_free_ void *d2 = NULL;
        SnError *err = NULL;
        cr_assert_eq(sn_policy_build_blob(&in, &d2, &len, &err), -EINVAL, "\"%s\"", bad[i]);
        cr_assert(err && strstr(err->message, "invalid Landlock rule"), "%s", err ? err->message : "");
        sn_error_free(err);
    }
}

/* Builds in's blob and parses it back; returns the parsed blob. */
static SnPolicyBlob *build_and_parse(const SnPolicyInput *in)
{
    _sn_free_ void *data = NULL;
    size_t len = 0;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    cr_assert_eq(sn_policy_build_blob(in, &data, &len, &err), 0, "%s", err ? err->message : "");
    SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_parse(data, len, &blob, &err), 0, "%s", err ? err->message : "");
    return blob;
}

Test(policy_build, every_blob_of_the_snap_carries_its_content_mounts)
{
    static const SnPolicyMountGrant mounts[] = {
        {"/snap/prov/x1/shared", "/snap/cons/x2/data-dir", true},
        {"/var/snap/prov/common/out", "/var/snap/cons/common/in", false},
    };
    /* A grant bound to another app does not keep the mounts from this app's or the hook's blob. */
    char *other[] = {"other", NULL};
    SnPolicyGrant g = {.interface = "content", .apps = other, .seccomp = "bind\n"};
    const SnPolicyInput inputs[] = {
        {.snap_name = "cons",
         .app = "app",
         .command = "bin/app",
         .grants = &g,
         .n_grants = 1,
         .mounts = mounts,
         .n_mounts = 2},
        {.snap_name = "cons", .hook = "configure", .mounts = mounts, .n_mounts = 2},
        {.snap_name = "cons",
         .app = "app",
         .command = "bin/app",
         .confinement = SN_CONFINEMENT_DEVMODE,
         .mounts = mounts,
         .n_mounts = 2},
    };
    for (size_t k = 0; k < SN_ELEMENTSOF(inputs); k++) {
        _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = build_and_parse(&inputs[k]);
        size_t n = 0;
        const SnPolicyMountEntry *m = sn_policy_blob_mounts(blob, &n);
        cr_assert_eq(n, 2, "input %zu", k);
        cr_assert_eq(m[0].flags, SN_POLICY_MOUNT_READ_ONLY);
        cr_assert_str_eq(sn_policy_blob_mount_source(blob, &m[0]), "/snap/prov/x1/shared");
        cr_assert_str_eq(sn_policy_blob_mount_target(blob, &m[0]), "/snap/cons/x2/data-dir");
        cr_assert_eq(m[1].flags, 0);
        cr_assert_str_eq(sn_policy_blob_mount_source(blob, &m[1]), "/var/snap/prov/common/out");
        cr_assert_str_eq(sn_policy_blob_mount_target(blob, &m[1]), "/var/snap/cons/common/in");
    }
    /* Without connections: an empty section. */
    SnPolicyInput none = {.snap_name = "cons", .app = "app", .command = "bin/app"};
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = build_and_parse(&none);
    size_t n = 7;
    cr_assert_null(sn_policy_blob_mounts(blob, &n));
    cr_assert_eq(n, 0);
}

Test(policy_build, refuses_content_mounts_outside_the_rule)
{
    static const struct {
        SnPolicyMountGrant m;
        const char *needle;
    } cases[] = {
        {{"/etc", "/snap/cons/x1/data", true}, "source \"/etc\" is not under"},
        {{"/snap/prov/x1/../../../etc", "/snap/cons/x1/data", true}, "\"..\""},
        {{"/snap/prov/x1/shared", "/snap/other/x1/data", true}, "outside the directories of snap \"cons\""},
        {{"/snap/prov/x1/shared", "/home/u/data", false}, "target \"/home/u/data\" is not under"},
        {{"/snap/prov/x1/my shared", "/snap/cons/x1/data", true}, "space"},
        {{NULL, "/snap/cons/x1/data", true}, "without a source"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        SnPolicyInput in = {
            .snap_name = "cons", .app = "app", .command = "bin/app", .mounts = &cases[i].m, .n_mounts = 1};
        _sn_free_ void *data = NULL;
        size_t len = 0;
        _sn_cleanup_(sn_error_freep) SnError *err = NULL;
        cr_assert_eq(sn_policy_build_blob(&in, &data, &len, &err), -EINVAL, "case %zu", i);
        cr_assert_null(data);
        cr_assert(strstr(err->message, cases[i].needle), "case %zu: %s", i, err->message);
    }
    SnPolicyMountGrant many[SN_POLICY_BLOB_MAX_MOUNTS + 1];
    for (size_t i = 0; i < SN_ELEMENTSOF(many); i++)
        many[i] = (SnPolicyMountGrant){"/snap/prov/x1/shared", "/snap/cons/x1/data", true};
    SnPolicyInput in = {
        .snap_name = "cons", .app = "app", .command = "bin/app", .mounts = many, .n_mounts = SN_ELEMENTSOF(many)};
    _sn_free_ void *data = NULL;
    size_t len = 0;
    cr_assert_eq(sn_policy_build_blob(&in, &data, &len, NULL), -EFBIG);
}
