/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state-snap.h"

static char root[] = "/tmp/sn-snapst-XXXXXX";
static SnState *st;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    sn_state_lock(st);
}

static void teardown(void)
{
    sn_state_unlock(st);
    st = sn_state_free(st);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(state_snap, .init = setup, .fini = teardown);

Test(state_snap, revisions_format_and_parse_as_snapd)
{
    char buf[24];
    cr_assert_str_eq(sn_revision_format(29, buf), "29");
    cr_assert_str_eq(sn_revision_format(-1, buf), "x1");
    cr_assert_str_eq(sn_revision_format(0, buf), "unset");
    int64_t r;
    cr_assert_eq(sn_revision_parse("x12", &r), 0);
    cr_assert_eq(r, -12);
    cr_assert_eq(sn_revision_parse("7", &r), 0);
    cr_assert_eq(r, 7);
    const char *bad[] = {"", "x", "x0", "0", "-1", "+3", " 1", "1x", "007", "99999999999999999999"};
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++)
        cr_expect_eq(sn_revision_parse(bad[i], &r), -EINVAL, "%s", bad[i]);
}

Test(state_snap, put_get_list_delete_roundtrip)
{
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = sn_snap_state_new("hello");
    cr_assert_eq(sn_snap_state_append(s, -1, NULL, NULL), 0);
    cr_assert_eq(sn_snap_state_append(s, 29, "abcd", "latest/stable"), 0);
    cr_assert_eq(sn_snap_state_append(s, 29, NULL, NULL), -EEXIST);
    s->current = 29;
    s->active = true;
    json_object_set_new(s->flags, "devmode", json_true());
    cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);

    _sn_cleanup_(sn_snap_state_freep) SnSnapState *g = NULL;
    cr_assert_eq(sn_snap_state_get(st, "hello", &g, NULL), 0);
    cr_assert_str_eq(g->name, "hello");
    cr_assert_str_eq(g->type, "app");
    cr_assert(g->active);
    cr_assert_eq(g->current, 29);
    cr_assert_eq(g->n_sequence, 2);
    cr_assert_eq(g->sequence[0].revision, -1);
    cr_assert_str_eq(g->sequence[1].snap_id, "abcd");
    cr_assert(json_is_true(json_object_get(g->flags, "devmode")));

    /* Replacing rewrites the sequence. */
    s->n_sequence = 1;
    s->sequence[1].revision = 0;
    json_decref(s->sequence[1].side_info);
    free(s->sequence[1].snap_id);
    free(s->sequence[1].channel);
    s->current = -1;
    cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);

    _sn_cleanup_(sn_snap_state_freep) SnSnapState *other = sn_snap_state_new("abc");
    cr_assert_eq(sn_snap_state_put(st, other, NULL), 0);
    SnSnapState **v = NULL;
    size_t n = 0;
    cr_assert_eq(sn_snap_state_list(st, &v, &n, NULL), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[0]->name, "abc");
    cr_assert_eq(v[1]->n_sequence, 1);
    cr_assert_eq(v[1]->current, -1);
    sn_snap_state_array_free(v, n);

    cr_assert_eq(sn_snap_state_delete(st, "hello", NULL), 0);
    SnError *err = NULL;
    SnSnapState *none = NULL;
    cr_assert_eq(sn_snap_state_get(st, "hello", &none, &err), -ENOENT);
    cr_assert_str_eq(err->message, "snap not installed");
    sn_error_free(err);
    cr_assert_eq(sn_snap_state_delete(st, "hello", NULL), -ENOENT);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sn_state_prepare(st, "SELECT COUNT(*) FROM snap_revisions WHERE snap = 'hello'", &q, NULL), 0);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);
}

Test(state_snap, empty_list_is_empty)
{
    SnSnapState **v = (SnSnapState **)1;
    size_t n = 9;
    cr_assert_eq(sn_snap_state_list(st, &v, &n, NULL), 0);
    cr_assert_eq(n, 0);
    cr_assert_null(v);
}
