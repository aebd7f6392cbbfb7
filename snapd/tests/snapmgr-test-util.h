/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * A snap manager on a throw-away root with its state and a running task runner, and snaps made
 * with mksquashfs, for the tests of snapmgr.c, snapmgr-handlers.c and api-snaps.c. They mount for
 * real: root is needed (tests skip otherwise).
 */
#pragma once

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapmgr.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"
#include "taskrunner.h"

static char t_root[] = "/tmp/sn-snapmgr-XXXXXX";
static SnState *t_st;
static SnTaskRunner *t_runner;
static SnSnapMgr *t_mgr;

static inline void t_setup(void)
{
    if (geteuid() != 0)
        return;
    cr_assert_not_null(mkdtemp(t_root));
    cr_assert_eq(sn_state_open(t_root, &t_st, NULL), 0);
    cr_assert_eq(sn_taskrunner_new(t_st, 2, &t_runner), 0);
    cr_assert_eq(sn_snapmgr_new(t_st, &t_mgr), 0);
    cr_assert_eq(sn_snapmgr_register(t_mgr, t_runner), 0);
    cr_assert_eq(sn_taskrunner_start(t_runner), 0);
}

static inline void t_teardown(void)
{
    if (geteuid() != 0)
        return;
    unsetenv("SN_FAULTS");
    t_runner = sn_taskrunner_free(t_runner);
    t_mgr = sn_snapmgr_free(t_mgr);
    t_st = sn_state_free(t_st);
    _sn_free_ char *cmd = sn_strdup_printf(
        "for m in $(awk -v r='%1$s/' 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do "
        "umount -l $m; done; rm -rf '%1$s'",
        t_root);
    cr_assert_eq(system(cmd), 0);
}

static inline void t_require_root(void)
{
    if (geteuid() != 0)
        cr_skip_test("needs root for loop devices and mounts");
}

/* A snap NAME at version 1.0 with extra snap.yaml lines; returns its path (caller frees). */
static inline char *t_make_snap(const char *name, const char *extra)
{
    char *out = sn_strdup_printf("%s/%s.snap", t_root, name);
    _sn_free_ char *cmd =
        sn_strdup_printf("set -e; d=$(mktemp -d); chmod 0755 $d; mkdir -p $d/meta $d/bin; "
                         "printf 'name: %s\\nversion: \"1.0\"\\nsummary: s\\ndescription: d\\n%s\\napps:\\n  %s:\\n    "
                         "command: bin/run\\n' "
                         ">$d/meta/snap.yaml; printf '#!/bin/sh\\necho hi\\n' >$d/bin/run; chmod 0755 $d/bin/run; "
                         "mksquashfs $d '%s' -noappend -comp xz -all-root -no-xattrs -quiet >/dev/null; rm -rf $d",
                         name, extra ? extra : "", name, out);
    cr_assert_eq(system(cmd), 0);
    return out;
}

/* Starts a change: returns it with the state lock held (add tasks, then t_finish). */
static inline SnNewChange *t_begin(const char *kind)
{
    SnNewChange *c = sn_new_change_new(kind, "test");
    cr_assert_not_null(c);
    sn_state_lock(t_st);
    return c;
}

/* Checks a builder's result (lock held). */
static inline void t_added(int r, SnError *e)
{
    if (r < 0)
        sn_state_unlock(t_st);
    cr_assert_geq(r, 0, "building the change: %s", sn_error_message(e, r));
    sn_error_free(e);
}

/* Stores the change, unlocks, waits for it to be ready; returns its status. Frees c. */
static inline SnStatus t_finish(SnNewChange *c)
{
    int64_t id = 0;
    SnError *e = NULL;
    int r = sn_change_create(t_st, c, &id, NULL, &e);
    sn_taskrunner_kick(t_runner);
    sn_state_unlock(t_st);
    sn_new_change_free(c);
    cr_assert_eq(r, 0, "storing the change: %s", sn_error_message(e, r));
    cr_assert_eq(sn_taskrunner_settle(t_runner, 20000), 0);
    SnChange *ch = NULL;
    sn_state_lock(t_st);
    cr_assert_eq(sn_change_load(t_st, id, &ch, NULL), 0);
    sn_state_unlock(t_st);
    SnStatus s = ch->status;
    sn_change_free(ch);
    return s;
}

/* Install (dangerous) of path as one change; returns its status. */
static inline SnStatus t_install(const char *path)
{
    SnNewChange *c = t_begin("install-snap");
    SnError *e = NULL;
    SnInstallOptions o = {.dangerous = true};
    t_added(sn_snapmgr_add_install_path(t_mgr, c, path, &o, &e), e);
    return t_finish(c);
}

/* The snap's sequence as "x1 x2", current and active. */
static inline char *t_describe(const char *name)
{
    SnSnapState *s = NULL;
    sn_state_lock(t_st);
    int r = sn_snap_state_get(t_st, name, &s, NULL);
    sn_state_unlock(t_st);
    if (r < 0)
        return strdup("none");
    SnBuf b = {0};
    char rb[24];
    for (size_t i = 0; i < s->n_sequence; i++)
        sn_buf_printf(&b, "%s%s", i ? " " : "", sn_revision_format(s->sequence[i].revision, rb));
    sn_buf_printf(&b, " current=%s%s", sn_revision_format(s->current, rb), s->active ? "" : " disabled");
    sn_snap_state_free(s);
    return sn_buf_steal(&b);
}

/* Whether ROOT/rel exists (a symlink counts). */
static inline bool t_exists(const char *rel)
{
    _sn_free_ char *p = sn_strdup_printf("%s/%s", t_root, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

static inline bool t_mounted(const char *name, const char *rev)
{
    _sn_free_ char *cmd = sn_strdup_printf(
        "awk '$5 == \"%s/snap/%s/%s\" { f = 1 } END { exit !f }' /proc/self/mountinfo", t_root, name, rev);
    return system(cmd) == 0;
}
