/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>

#include "exec-env.h"
#include "strutil.h"

static char **env_of(const char *const *kv)
{
    char **env = NULL;
    for (; *kv; kv++)
        cr_assert_eq(sn_strv_push(&env, *kv), 0);
    return env;
}

Test(exec_env, expands_dollar_name_and_braces)
{
    const char *kv[] = {"SNAP=/snap/x/1", "A_1=v", NULL};
    _sn_strv_free_ char **env = env_of(kv);
    struct {
        const char *in, *out;
    } cases[] = {
        {"$SNAP/bin", "/snap/x/1/bin"},
        {"${SNAP}x", "/snap/x/1x"},
        {"$UNSET-y", "-y"},
        {"a$", "a$"},
        {"$$A_1", "$v"},
        {"100%", "100%"},
        {"${A_1", "${A_1"},
        {"$A_1$A_1", "vv"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        _sn_free_ char *r = sn_exec_expand(cases[i].in, env);
        cr_assert_str_eq(r, cases[i].out, "expanding %s", cases[i].in);
    }
}

Test(exec_env, restores_saved_variables)
{
    const char *kv[] = {"SNAP_SAVED_LD_PRELOAD=/x.so", "PATH=/bin", "SNAP_SAVED_TMPDIR=/t", "TMPDIR=/tmp", NULL};
    _sn_strv_free_ char **env = env_of(kv);
    cr_assert_eq(sn_exec_restore_saved(&env), 0);
    cr_assert_str_eq(sn_exec_env_get(env, "LD_PRELOAD"), "/x.so");
    cr_assert_str_eq(sn_exec_env_get(env, "TMPDIR"), "/t");
    cr_assert_null(sn_exec_env_get(env, "SNAP_SAVED_LD_PRELOAD"));
    cr_assert_null(sn_exec_env_get(env, "SNAP_SAVED_TMPDIR"));
    cr_assert_eq(sn_strv_length(env), 3);
}

Test(exec_env, applies_records_in_order_with_expansion)
{
    const char *kv[] = {"SNAP=/snap/x/1", NULL};
    _sn_strv_free_ char **env = env_of(kv);
    cr_assert_eq(sn_exec_apply_env_record(&env, "LIB=$SNAP/lib"), 0);
    cr_assert_eq(sn_exec_apply_env_record(&env, "LD=$LIB:$LIB"), 0);
    cr_assert_eq(sn_exec_apply_env_record(&env, "LIB=override"), 0);
    cr_assert_str_eq(sn_exec_env_get(env, "LD"), "/snap/x/1/lib:/snap/x/1/lib");
    cr_assert_str_eq(sn_exec_env_get(env, "LIB"), "override");
    cr_assert_eq(sn_exec_apply_env_record(&env, "=x"), -EINVAL);
}

Test(exec_env, builds_chain_command_and_user_args)
{
    const char *kv[] = {"SNAP=/snap/x/1", "SNAP_DATA=/var/snap/x/1", NULL};
    _sn_strv_free_ char **env = env_of(kv);
    char *chain[] = {"bin/wrap", "bin/wrap2", NULL};
    char *user[] = {"$NOT_EXPANDED", NULL};
    _sn_strv_free_ char **argv = NULL;
    cr_assert_eq(sn_exec_build_argv("/snap/x/1", "bin/app  --data $SNAP_DATA", chain, user, env, &argv), 0);
    const char *want[] = {"/snap/x/1/bin/wrap",
                          "/snap/x/1/bin/wrap2",
                          "/snap/x/1/bin/app",
                          "--data",
                          "/var/snap/x/1",
                          "$NOT_EXPANDED",
                          NULL};
    for (size_t i = 0; want[i]; i++)
        cr_assert_str_eq(argv[i], want[i]);
    cr_assert_null(argv[6]);
}

Test(exec_env, refuses_an_empty_command)
{
    _sn_strv_free_ char **argv = NULL;
    cr_assert_eq(sn_exec_build_argv("/snap/x/1", "   ", NULL, NULL, NULL, &argv), -EINVAL);
    cr_assert_null(argv);
}
