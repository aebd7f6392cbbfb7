/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * What sn_confine_mount_plan decides: which directories of the new root come from the host and which
 * from $SNAPPY_GLOBAL_ROOT. The mounts themselves need root and a namespace: the spread suites
 * confine/ and hooks/ run them for real (hooks/configure-snapctl checks the host's /run is untouched).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mount-support.h"

#define LIBEXEC "usr/local/libexec/snapd"

static const SnConfineBind *find(const SnConfineBind *plan, size_t n, const char *dst)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(plan[i].dst, dst) == 0)
            return &plan[i];
    return NULL;
}

Test(mount_plan, real_root_binds_the_hosts_run)
{
    SnConfineBind plan[SN_CONFINE_MAX_BINDS];
    const char *roots[] = {"", "/", NULL};
    for (size_t k = 0; k < 3; k++) {
        size_t n = sn_confine_mount_plan(roots[k], LIBEXEC, plan);
        const SnConfineBind *run = find(plan, n, "run");
        cr_assert_not_null(run);
        cr_assert_eq(run->from, SN_CONFINE_FROM_HOST, "root \"%s\": /run must be the host's",
                     roots[k] ? roots[k] : "(null)");
        cr_assert_str_eq(run->src, "run");
        cr_assert_not(run->src_required);
    }
}

Test(mount_plan, test_root_binds_its_own_run_and_requires_it)
{
    SnConfineBind plan[SN_CONFINE_MAX_BINDS];
    size_t n = sn_confine_mount_plan("/tmp/root.x", LIBEXEC, plan);
    const SnConfineBind *run = find(plan, n, "run");
    cr_assert_not_null(run);
    cr_assert_eq(run->from, SN_CONFINE_FROM_ROOT);
    cr_assert_str_eq(run->src, "run");
    cr_assert(run->src_required, "a missing $ROOT/run must not fall back to nothing silently");
    cr_assert_not(run->dst_required, "a base without /run still runs");
    for (size_t i = 0; i < n; i++)
        cr_assert(!(plan[i].from == SN_CONFINE_FROM_HOST && strncmp(plan[i].src, "run", 3) == 0),
                  "under a test root nothing of the host's /run is bound (%s)", plan[i].src);
}

Test(mount_plan, test_root_differs_from_the_real_root_only_in_run)
{
    SnConfineBind real[SN_CONFINE_MAX_BINDS], test[SN_CONFINE_MAX_BINDS];
    size_t nr = sn_confine_mount_plan("", LIBEXEC, real);
    size_t nt = sn_confine_mount_plan("/srv/root", LIBEXEC, test);
    cr_assert_eq(nr, nt);
    size_t differ = 0;
    for (size_t i = 0; i < nr; i++) {
        cr_assert_str_eq(real[i].dst, test[i].dst, "same mount order");
        if (real[i].from != test[i].from || strcmp(real[i].src, test[i].src) != 0 ||
            real[i].src_required != test[i].src_required || real[i].dst_required != test[i].dst_required) {
            cr_assert_str_eq(real[i].dst, "run");
            differ++;
        }
    }
    cr_assert_eq(differ, 1);
}

Test(mount_plan, snapd_trees_and_the_helper_dir_come_from_the_root)
{
    SnConfineBind plan[SN_CONFINE_MAX_BINDS];
    size_t n = sn_confine_mount_plan("", LIBEXEC, plan);
    const char *const own[][2] = {
        {"snap", "snap"}, {"var/snap", "var/snap"}, {"var/lib/snapd", "var/lib/snapd"}, {LIBEXEC, "usr/lib/snapd"}};
    for (size_t k = 0; k < 4; k++) {
        const SnConfineBind *b = find(plan, n, own[k][1]);
        cr_assert_not_null(b, "%s is bound", own[k][1]);
        cr_assert_eq(b->from, SN_CONFINE_FROM_ROOT, "%s comes from the trusted root", own[k][1]);
        cr_assert_str_eq(b->src, own[k][0]);
    }
    cr_assert(find(plan, n, "snap")->dst_required);
    cr_assert(find(plan, n, "usr/lib/snapd")->src_required);
    cr_assert(find(plan, n, "usr/lib/snapd")->dst_required);
    cr_assert_not(find(plan, n, "var/snap")->src_required);
    cr_assert_not_null(find(plan, n, "dev"));
    cr_assert_eq(find(plan, n, "dev")->from, SN_CONFINE_FROM_HOST);
    cr_assert_null(find(plan, n, "tmp"), "/tmp is a private tmpfs, never a bind");
}

/* Every target is a plain relative path, bound once, and no later bind covers an earlier one. */
Test(mount_plan, targets_are_relative_unique_and_never_covered)
{
    SnConfineBind plan[SN_CONFINE_MAX_BINDS];
    const char *roots[] = {"", "/tmp/r"};
    for (size_t k = 0; k < 2; k++) {
        size_t n = sn_confine_mount_plan(roots[k], LIBEXEC, plan);
        cr_assert(n > 0 && n <= SN_CONFINE_MAX_BINDS);
        for (size_t i = 0; i < n; i++) {
            cr_assert(plan[i].dst[0] && plan[i].dst[0] != '/' && !strstr(plan[i].dst, ".."), "%s", plan[i].dst);
            cr_assert(plan[i].src[0] && plan[i].src[0] != '/' && !strstr(plan[i].src, ".."), "%s", plan[i].src);
            for (size_t j = i + 1; j < n; j++) {
                size_t lj = strlen(plan[j].dst);
                cr_assert_str_neq(plan[i].dst, plan[j].dst);
                cr_assert(!(strncmp(plan[i].dst, plan[j].dst, lj) == 0 && plan[i].dst[lj] == '/'),
                          "%s (bound later) would cover %s", plan[j].dst, plan[i].dst);
            }
        }
    }
}
