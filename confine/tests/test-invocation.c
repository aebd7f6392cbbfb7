/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>

#include "invocation.h"

static int parse(char **argv, const char *root, const char *instance, SnInvocation **inv, char **msg)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    SnInvocationInputs in = {.argc = argc,
                             .argv = argv,
                             .env_root = root,
                             .env_instance = instance,
                             .env_home = "/home/u",
                             .cwd = "/home/u/work",
                             .uid = 1000,
                             .gid = 1000};
    SnError *err = NULL;
    int r = sn_invocation_parse(&in, inv, &err);
    *msg = err ? strdup(err->message) : NULL;
    sn_error_free(err);
    return r;
}

#define EXEC SN_CONFINE_SNAP_EXEC

Test(invocation, parses_an_app_tag)
{
    char *argv[] = {"snap-confine", "--base", "core22", "snap.hello.world", EXEC, "hello.world", "x", NULL};
    _sn_cleanup_(sn_invocation_freep) SnInvocation *inv = NULL;
    _sn_free_ char *msg = NULL;
    cr_assert_eq(parse(argv, NULL, "hello", &inv, &msg), 0, "%s", msg);
    cr_assert_str_eq(inv->snap_name, "hello");
    cr_assert_str_eq(inv->app, "world");
    cr_assert_null(inv->hook);
    cr_assert_str_eq(inv->base, "core22");
    cr_assert_str_eq(inv->argv[0], EXEC);
    cr_assert_str_eq(inv->argv[2], "x");
    cr_assert_null(inv->argv[3]);
    cr_assert_str_eq(inv->root, "");
    cr_assert_str_eq(inv->home, "/home/u");
    cr_assert_eq(inv->uid, 1000);
}

Test(invocation, parses_a_hook_tag_and_an_instance_key)
{
    char *argv[] = {"snap-confine", "snap.hello_foo.hook.post-refresh", EXEC, NULL};
    _sn_cleanup_(sn_invocation_freep) SnInvocation *inv = NULL;
    _sn_free_ char *msg = NULL;
    cr_assert_eq(parse(argv, "/tmp/root", NULL, &inv, &msg), 0, "%s", msg);
    cr_assert_str_eq(inv->snap_name, "hello_foo");
    cr_assert_str_eq(inv->hook, "post-refresh");
    cr_assert_str_eq(inv->base, "core");
    cr_assert_str_eq(inv->root, "/tmp/root");
}

static void refused(char **argv, const char *root, const char *instance, const char *needle)
{
    SnInvocation *inv = NULL;
    _sn_free_ char *msg = NULL;
    cr_assert_eq(parse(argv, root, instance, &inv, &msg), -EINVAL);
    cr_assert_null(inv);
    cr_assert(msg && strstr(msg, needle), "\"%s\" lacks \"%s\"", msg ? msg : "", needle);
}

Test(invocation, refuses_a_tag_that_does_not_match_the_instance_name)
{
    char *argv[] = {"snap-confine", "snap.other.app", EXEC, NULL};
    refused(argv, NULL, "hello", "does not match");
}

Test(invocation, refuses_malformed_tags)
{
    const char *tags[] = {
        "hello.app",           "snap.hello",       "snap..app",   "snap.Hello.app",  "snap.hello.a.b",
        "snap.hello.hook.Bad", "snap.hello.hook.", "snap.-x.app", "snap.hello_.app", "snap.hello_toolongkey1.app",
        "snap.a--b.app",       "snap.../../x.app"};
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        char *argv[] = {"snap-confine", (char *)tags[i], EXEC, NULL};
        refused(argv, NULL, NULL, "argv");
    }
}

Test(invocation, refuses_any_executable_but_snap_exec)
{
    char *argv[] = {"snap-confine", "snap.hello.app", "/tmp/evil", NULL};
    refused(argv, NULL, NULL, "executable must be");
}

Test(invocation, refuses_classic_and_unknown_options)
{
    char *a[] = {"snap-confine", "--classic", "snap.hello.app", EXEC, NULL};
    refused(a, NULL, NULL, "classic");
    char *b[] = {"snap-confine", "--evil", "snap.hello.app", EXEC, NULL};
    refused(b, NULL, NULL, "unknown option");
    char *c[] = {"snap-confine", "--base", NULL};
    refused(c, NULL, NULL, "--base needs");
    char *d[] = {"snap-confine", "--base", "../x", "snap.hello.app", EXEC, NULL};
    refused(d, NULL, NULL, "base");
}

Test(invocation, refuses_a_missing_executable)
{
    char *argv[] = {"snap-confine", "snap.hello.app", NULL};
    refused(argv, NULL, NULL, "usage");
}

Test(invocation, refuses_an_unnormalised_global_root)
{
    char *argv[] = {"snap-confine", "snap.hello.app", EXEC, NULL};
    const char *roots[] = {"relative", "/tmp/../etc", "/tmp//x", "/tmp/x/", "/tmp/./x"};
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
        refused(argv, roots[i], NULL, "SNAPPY_GLOBAL_ROOT");
}

Test(invocation, ignores_a_relative_home)
{
    char *argv[] = {"snap-confine", "snap.hello.app", EXEC, NULL};
    SnInvocationInputs in = {.argc = 3, .argv = argv, .env_home = "../x"};
    _sn_cleanup_(sn_invocation_freep) SnInvocation *inv = NULL;
    cr_assert_eq(sn_invocation_parse(&in, &inv, NULL), 0);
    cr_assert_null(inv->home);
}

Test(invocation, name_rules)
{
    cr_assert(sn_confine_valid_snap_name("a"));
    cr_assert(sn_confine_valid_snap_name("hello-world2"));
    cr_assert_not(sn_confine_valid_snap_name("123"));
    cr_assert_not(sn_confine_valid_snap_name("-a"));
    cr_assert_not(sn_confine_valid_snap_name("a-"));
    cr_assert_not(sn_confine_valid_snap_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    cr_assert(sn_confine_valid_app_name("Foo-2"));
    cr_assert_not(sn_confine_valid_app_name("a.b"));
    cr_assert(sn_confine_valid_hook_name("connect-plug-x"));
    cr_assert_not(sn_confine_valid_hook_name("1abc"));
    cr_assert(sn_confine_valid_abs_path("/"));
    cr_assert(sn_confine_valid_abs_path("/a/b.c/..d"));
    cr_assert_not(sn_confine_valid_abs_path("/a/.."));
}
