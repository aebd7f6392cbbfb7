/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap-link.h"

static char dir[] = "/tmp/sn-link-XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(snap_link, .init = setup, .fini = teardown);

Test(snap_link, sets_switches_and_removes_current)
{
    char *t = NULL;
    cr_assert_eq(sn_link_read_current(dir, &t), -ENOENT);
    cr_assert_eq(sn_link_set_current(dir, "x1", NULL), 0);
    cr_assert_eq(sn_link_read_current(dir, &t), 0);
    cr_assert_str_eq(t, "x1");
    free(t);
    cr_assert_eq(sn_link_set_current(dir, "x2", NULL), 0);
    cr_assert_eq(sn_link_set_current(dir, "x2", NULL), 0); /* idempotent */
    cr_assert_eq(sn_link_read_current(dir, &t), 0);
    cr_assert_str_eq(t, "x2");
    free(t);
    char p[128];
    snprintf(p, sizeof(p), "%s/.current.new", dir);
    cr_assert_eq(access(p, F_OK), -1, "the temporary link is left behind");
    cr_assert_eq(sn_link_remove_current(dir, NULL), 0);
    cr_assert_eq(sn_link_remove_current(dir, NULL), 0);
    cr_assert_eq(sn_link_read_current(dir, &t), -ENOENT);
}

Test(snap_link, a_stale_temporary_link_does_not_get_in_the_way)
{
    char p[128];
    snprintf(p, sizeof(p), "%s/.current.new", dir);
    cr_assert_eq(symlink("garbage", p), 0);
    cr_assert_eq(sn_link_set_current(dir, "29", NULL), 0);
    char *t = NULL;
    cr_assert_eq(sn_link_read_current(dir, &t), 0);
    cr_assert_str_eq(t, "29");
    free(t);
}

Test(snap_link, a_missing_directory)
{
    char p[128];
    snprintf(p, sizeof(p), "%s/nope", dir);
    SnError *e = NULL;
    cr_assert_eq(sn_link_set_current(p, "1", &e), -ENOENT);
    cr_assert_not_null(strstr(e->message, "nope"));
    sn_error_free(e);
    cr_assert_eq(sn_link_remove_current(p, NULL), 0);
}
