/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state-change.h"

static char root[] = "/tmp/sn-chg-XXXXXX";
static SnState *st;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    SnError *err = NULL;
    int r = sn_state_open(root, &st, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
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

TestSuite(state_change, .init = setup, .fini = teardown);

/* A change for snap with n chained tasks of kind "k0", "k1", ... */
static int64_t make_change(const char *kind, const char *snap, size_t n)
{
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = sn_new_change_new(kind, "Do things");
    cr_assert_not_null(c);
    if (snap)
        cr_assert_eq(sn_new_change_add_snap(c, snap), 0);
    for (size_t i = 0; i < n; i++) {
        char k[32], s[32];
        snprintf(k, sizeof(k), "k%zu", i);
        snprintf(s, sizeof(s), "Task %zu", i);
        cr_assert_eq(sn_new_change_add_task(c, k, s, NULL, NULL), 0);
    }
    cr_assert_eq(sn_new_change_chain(c), 0);
    int64_t id = 0;
    SnError *err = NULL;
    int r = sn_change_create(st, c, &id, NULL, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    return id;
}

static SnChange *load(int64_t id)
{
    SnChange *c = NULL;
    cr_assert_eq(sn_change_load(st, id, &c, NULL), 0);
    return c;
}

static void set_status(int64_t task, SnStatus s)
{
    cr_assert_eq(sn_task_set_status(st, task, s, sn_state_now(), NULL), 0);
}

Test(state_change, status_strings_are_snapds)
{
    cr_assert_str_eq(sn_status_to_string(SN_STATUS_DO), "Do");
    cr_assert_str_eq(sn_status_to_string(SN_STATUS_UNDOING), "Undoing");
    cr_assert_str_eq(sn_status_to_string(SN_STATUS_ERROR), "Error");
    cr_assert_str_eq(sn_status_to_string(SN_STATUS_HOLD), "Hold");
    cr_assert_str_eq(sn_status_to_string((SnStatus)42), "Default");
    cr_assert(sn_status_ready(SN_STATUS_HOLD));
    cr_assert(!sn_status_ready(SN_STATUS_ABORT));
}

Test(state_change, derived_status_follows_snapds_priority)
{
    unsigned c[_SN_STATUS_MAX] = {0};
    cr_assert_eq(sn_status_derive(c), SN_STATUS_HOLD);
    c[SN_STATUS_DONE] = 3;
    cr_assert_eq(sn_status_derive(c), SN_STATUS_DONE);
    c[SN_STATUS_ERROR] = 1;
    cr_assert_eq(sn_status_derive(c), SN_STATUS_ERROR);
    c[SN_STATUS_DO] = 1;
    cr_assert_eq(sn_status_derive(c), SN_STATUS_DO);
    c[SN_STATUS_UNDO] = 1;
    cr_assert_eq(sn_status_derive(c), SN_STATUS_UNDO);
    c[SN_STATUS_ABORT] = 1;
    cr_assert_eq(sn_status_derive(c), SN_STATUS_ABORT);
}

Test(state_change, create_stores_tasks_waits_snaps_and_data)
{
    _sn_cleanup_(sn_new_change_freep) SnNewChange *n = sn_new_change_new("install-snap", "Install \"hello\" snap");
    json_t *api = json_pack("{s:[s]}", "snap-names", "hello");
    cr_assert_eq(sn_new_change_set(n, "api-data", api), 0);
    json_decref(api);
    cr_assert_eq(sn_new_change_add_snap(n, "hello"), 0);
    json_t *d = json_pack("{s:s}", "snap", "hello");
    size_t a, b;
    cr_assert_eq(sn_new_change_add_task(n, "prepare-snap", "Prepare", d, &a), 0);
    cr_assert_eq(sn_new_change_add_task(n, "link-snap", "Link", NULL, &b), 0);
    json_decref(d);
    cr_assert_eq(sn_new_change_wait(n, b, a), 0);
    cr_assert_eq(sn_new_change_wait(n, a, a), -EINVAL);
    cr_assert_eq(sn_new_change_wait(n, 7, a), -EINVAL);
    int64_t id;
    cr_assert_eq(sn_change_create(st, n, &id, NULL, NULL), 0);

    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_str_eq(c->kind, "install-snap");
    cr_assert_eq(c->status, SN_STATUS_DO);
    cr_assert_eq(c->ready_time, 0);
    cr_assert_str_eq(c->snaps[0], "hello");
    cr_assert_null(c->snaps[1]);
    cr_assert_str_eq(
        json_string_value(json_array_get(json_object_get(json_object_get(c->data, "api-data"), "snap-names"), 0)),
        "hello");
    cr_assert_eq(c->n_tasks, 2);
    cr_assert_str_eq(json_string_value(json_object_get(c->tasks[0].data, "snap")), "hello");
    cr_assert_eq(c->tasks[1].n_waits, 1);
    cr_assert_eq(c->tasks[1].waits[0], c->tasks[0].id);
    cr_assert_eq(c->tasks[0].n_waits, 0);
}

Test(state_change, second_change_on_a_busy_snap_conflicts)
{
    int64_t first = make_change("install-snap", "hello", 2);
    _sn_cleanup_(sn_new_change_freep) SnNewChange *n = sn_new_change_new("remove-snap", "Remove");
    cr_assert_eq(sn_new_change_add_snap(n, "other"), 0);
    cr_assert_eq(sn_new_change_add_snap(n, "hello"), 0);
    cr_assert_eq(sn_new_change_add_task(n, "unlink-snap", "Unlink", NULL, NULL), 0);
    SnConflict conflict = {0};
    SnError *err = NULL;
    int64_t id = -1;
    cr_assert_eq(sn_change_create(st, n, &id, &conflict, &err), -EBUSY);
    cr_assert_eq(id, -1);
    cr_assert_str_eq(err->message, "snap \"hello\" has \"install-snap\" change in progress");
    cr_assert_str_eq(conflict.snap, "hello");
    cr_assert_str_eq(conflict.change_kind, "install-snap");
    cr_assert_eq(conflict.change_id, first);
    sn_conflict_done(&conflict);
    sn_error_free(err);

    /* Nothing of the refused change was stored. */
    _sn_free_ int64_t *ids = NULL;
    size_t nids;
    cr_assert_eq(sn_change_list(st, SN_CHANGES_ALL, NULL, &ids, &nids, NULL), 0);
    cr_assert_eq(nids, 1);

    /* Once the first is ready, the snap is free again. */
    _sn_cleanup_(sn_change_freep) SnChange *c = load(first);
    set_status(c->tasks[0].id, SN_STATUS_DONE);
    cr_assert_eq(sn_change_find_conflict(st, "hello", NULL, NULL), 1);
    set_status(c->tasks[1].id, SN_STATUS_DONE);
    cr_assert_eq(sn_change_find_conflict(st, "hello", NULL, NULL), 0);
    cr_assert_eq(sn_change_create(st, n, &id, NULL, NULL), 0);
}

Test(state_change, change_becomes_ready_when_all_tasks_are)
{
    int64_t id = make_change("k", NULL, 2);
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    set_status(c->tasks[0].id, SN_STATUS_DOING);
    _sn_cleanup_(sn_change_freep) SnChange *c1 = load(id);
    cr_assert_eq(c1->status, SN_STATUS_DOING);
    cr_assert_eq(c1->ready_time, 0);
    set_status(c->tasks[0].id, SN_STATUS_DONE);
    set_status(c->tasks[1].id, SN_STATUS_DONE);
    _sn_cleanup_(sn_change_freep) SnChange *c2 = load(id);
    cr_assert_eq(c2->status, SN_STATUS_DONE);
    cr_assert_gt(c2->ready_time, 0);
    cr_assert_gt(c2->tasks[1].ready_time, 0);
    cr_assert_null(sn_change_err(c2));
}

Test(state_change, list_selects_by_readiness_and_snap)
{
    int64_t a = make_change("k", "a", 1);
    int64_t b = make_change("k", "b", 1);
    _sn_cleanup_(sn_change_freep) SnChange *ca = load(a);
    set_status(ca->tasks[0].id, SN_STATUS_DONE);
    _sn_free_ int64_t *ids = NULL;
    size_t n;
    cr_assert_eq(sn_change_list(st, SN_CHANGES_IN_PROGRESS, NULL, &ids, &n, NULL), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(ids[0], b);
    free(ids);
    cr_assert_eq(sn_change_list(st, SN_CHANGES_READY, NULL, &ids, &n, NULL), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(ids[0], a);
    free(ids);
    cr_assert_eq(sn_change_list(st, SN_CHANGES_ALL, "b", &ids, &n, NULL), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(ids[0], b);
    free(ids);
    cr_assert_eq(sn_change_list(st, SN_CHANGES_ALL, "zzz", &ids, &n, NULL), 0);
    cr_assert_eq(n, 0);
}

Test(state_change, error_message_is_built_from_error_log_entries)
{
    int64_t id = make_change("install-snap", NULL, 2);
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    int64_t now = sn_state_now();
    cr_assert_eq(sn_task_log(st, c->tasks[1].id, SN_TASK_LOG_INFO, "starting", now, NULL), 0);
    cr_assert_eq(sn_task_log(st, c->tasks[1].id, SN_TASK_LOG_ERROR, "disk on fire", now, NULL), 0);
    set_status(c->tasks[0].id, SN_STATUS_UNDONE);
    set_status(c->tasks[1].id, SN_STATUS_ERROR);
    _sn_cleanup_(sn_change_freep) SnChange *c2 = load(id);
    cr_assert_eq(c2->status, SN_STATUS_ERROR);
    _sn_free_ char *e = sn_change_err(c2);
    cr_assert_str_eq(e, "cannot perform the following tasks:\n- Task 1 (disk on fire)");
}

Test(state_change, log_keeps_the_last_ten_entries)
{
    int64_t id = make_change("k", NULL, 1);
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    for (int i = 0; i < 15; i++) {
        char m[16];
        snprintf(m, sizeof(m), "m%d", i);
        cr_assert_eq(sn_task_log(st, c->tasks[0].id, SN_TASK_LOG_INFO, m, 0, NULL), 0);
    }
    _sn_cleanup_(sn_task_freep) SnTask *t = NULL;
    cr_assert_eq(sn_task_load(st, c->tasks[0].id, &t, NULL), 0);
    cr_assert_eq(json_array_size(t->log), SN_TASK_LOG_MAX);
    cr_assert_str_eq(json_string_value(json_array_get(t->log, 0)), "1970-01-01T00:00:00Z INFO m5");
    cr_assert_str_eq(json_string_value(json_array_get(t->log, 9)), "1970-01-01T00:00:00Z INFO m14");
}

Test(state_change, abort_moves_tasks_as_snapd_does)
{
    int64_t id = make_change("k", "s", 3);
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    set_status(c->tasks[0].id, SN_STATUS_DONE);
    set_status(c->tasks[1].id, SN_STATUS_DOING);
    cr_assert_eq(sn_change_abort(st, id, NULL), 0);
    _sn_cleanup_(sn_change_freep) SnChange *c2 = load(id);
    cr_assert_eq(c2->tasks[0].status, SN_STATUS_UNDO);
    cr_assert_eq(c2->tasks[1].status, SN_STATUS_ABORT);
    cr_assert_eq(c2->tasks[2].status, SN_STATUS_HOLD);
    cr_assert_eq(c2->status, SN_STATUS_ABORT);
}

Test(state_change, abort_of_ready_or_missing_change_is_refused)
{
    int64_t id = make_change("k", NULL, 1);
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    set_status(c->tasks[0].id, SN_STATUS_DONE);
    SnError *err = NULL;
    cr_assert_eq(sn_change_abort(st, id, &err), -EBUSY);
    char want[64];
    snprintf(want, sizeof(want), "cannot abort change %lld with nothing pending", (long long)id);
    cr_assert_str_eq(err->message, want);
    sn_error_free(err);
    err = NULL;
    cr_assert_eq(sn_change_abort(st, 999, &err), -ENOENT);
    cr_assert_str_eq(err->message, "cannot find change with id \"999\"");
    sn_error_free(err);
}

Test(state_change, prune_drops_old_ready_changes_and_aborts_stale_ones)
{
    int64_t old_ready = make_change("k", NULL, 1);
    int64_t fresh_ready = make_change("k", NULL, 1);
    int64_t stale = make_change("k", "x", 2);
    int64_t empty = make_change("k", NULL, 0);
    int64_t hour = 3600LL * 1000000000;
    int64_t now = sn_state_now();
    _sn_cleanup_(sn_change_freep) SnChange *a = load(old_ready);
    _sn_cleanup_(sn_change_freep) SnChange *b = load(fresh_ready);
    cr_assert_eq(sn_task_set_status(st, a->tasks[0].id, SN_STATUS_DONE, now - 25 * hour, NULL), 0);
    cr_assert_eq(sn_task_set_status(st, b->tasks[0].id, SN_STATUS_DONE, now - hour, NULL), 0);

    /* "now" four days later for the stale ones, but ready times are absolute. */
    unsigned pruned = 0;
    cr_assert_eq(sn_state_prune(st, now, SN_PRUNE_WAIT_NS, SN_ABORT_WAIT_NS, SN_PRUNE_MAX_CHANGES, &pruned, NULL), 0);
    cr_assert_eq(pruned, 1);
    SnChange *gone = NULL;
    cr_assert_eq(sn_change_load(st, old_ready, &gone, NULL), -ENOENT);
    _sn_unused_ _sn_cleanup_(sn_change_freep) SnChange *kept = load(fresh_ready);

    /* Four days on: the stale change is aborted, the empty one is dropped, the fresh one too. */
    cr_assert_eq(
        sn_state_prune(st, now + 96 * hour, SN_PRUNE_WAIT_NS, SN_ABORT_WAIT_NS, SN_PRUNE_MAX_CHANGES, &pruned, NULL),
        0);
    cr_assert_eq(pruned, 2);
    cr_assert_eq(sn_change_load(st, empty, &gone, NULL), -ENOENT);
    _sn_cleanup_(sn_change_freep) SnChange *s = load(stale);
    cr_assert_eq(s->tasks[0].status, SN_STATUS_HOLD);
    cr_assert_eq(s->tasks[1].status, SN_STATUS_HOLD);
    cr_assert_eq(s->status, SN_STATUS_HOLD);
    cr_assert_gt(s->ready_time, 0);
}

Test(state_change, prune_keeps_at_most_max_ready)
{
    int64_t ids[5];
    for (int i = 0; i < 5; i++) {
        ids[i] = make_change("k", NULL, 1);
        _sn_cleanup_(sn_change_freep) SnChange *c = load(ids[i]);
        set_status(c->tasks[0].id, SN_STATUS_DONE);
    }
    unsigned pruned = 0;
    cr_assert_eq(sn_state_prune(st, sn_state_now(), SN_PRUNE_WAIT_NS, SN_ABORT_WAIT_NS, 3, &pruned, NULL), 0);
    cr_assert_eq(pruned, 2);
    SnChange *gone = NULL;
    cr_assert_eq(sn_change_load(st, ids[0], &gone, NULL), -ENOENT);
    cr_assert_eq(sn_change_load(st, ids[1], &gone, NULL), -ENOENT);
    _sn_unused_ _sn_cleanup_(sn_change_freep) SnChange *kept = load(ids[2]);
}

Test(state_change, pruned_tasks_go_with_their_change)
{
    int64_t id = make_change("k", "snap", 3);
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    for (size_t i = 0; i < 3; i++)
        set_status(c->tasks[i].id, SN_STATUS_DONE);
    cr_assert_eq(
        sn_state_prune(st, sn_state_now() + SN_PRUNE_WAIT_NS + 1, SN_PRUNE_WAIT_NS, SN_ABORT_WAIT_NS, 500, NULL, NULL),
        0);
    sqlite3_stmt *s = NULL;
    cr_assert_eq(sn_state_prepare(st,
                                  "SELECT (SELECT COUNT(*) FROM tasks) + (SELECT COUNT(*) FROM task_waits) + "
                                  "(SELECT COUNT(*) FROM change_snaps)",
                                  &s, NULL),
                 0);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
}

Test(state_change, times_format_as_go_does)
{
    _sn_free_ char *a = sn_time_format_rfc3339nano(1700000000123456789LL);
    _sn_free_ char *b = sn_time_format_rfc3339nano(1700000000120000000LL);
    _sn_free_ char *c = sn_time_format_rfc3339nano(1700000000000000000LL);
    _sn_free_ char *d = sn_time_format_rfc3339(1700000000999999999LL);
    cr_assert_str_eq(a, "2023-11-14T22:13:20.123456789Z");
    cr_assert_str_eq(b, "2023-11-14T22:13:20.12Z");
    cr_assert_str_eq(c, "2023-11-14T22:13:20Z");
    cr_assert_str_eq(d, "2023-11-14T22:13:20Z");
}

Test(state_change, link_stores_the_id_of_another_task)
{
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = sn_new_change_new("install-snap", "Install");
    size_t a, b, d;
    cr_assert_eq(sn_new_change_add_task(c, "prerequisites", "first", NULL, &a), 0);
    json_t *data = json_pack("{s:{s:s}}", "snap-setup", "name", "hello");
    cr_assert_eq(sn_new_change_add_task(c, "prepare-snap", "holds the setup", data, &b), 0);
    json_decref(data);
    cr_assert_eq(sn_new_change_add_task(c, "mount-snap", "later", NULL, &d), 0);
    cr_assert_eq(sn_new_change_n_tasks(c), 3);
    cr_assert_eq(sn_new_change_link(c, a, "snap-setup-task", b), 0); /* a forward reference */
    cr_assert_eq(sn_new_change_link(c, d, "snap-setup-task", b), 0);
    cr_assert_eq(sn_new_change_link(c, d, "other", 7), -EINVAL);
    int64_t id = 0;
    cr_assert_eq(sn_change_create(st, c, &id, NULL, NULL), 0);
    _sn_cleanup_(sn_change_freep) SnChange *ch = NULL;
    cr_assert_eq(sn_change_load(st, id, &ch, NULL), 0);
    cr_assert_eq(ch->n_tasks, 3);
    int64_t setup_id = ch->tasks[1].id;
    cr_assert_eq(json_integer_value(json_object_get(ch->tasks[0].data, "snap-setup-task")), setup_id);
    cr_assert_eq(json_integer_value(json_object_get(ch->tasks[2].data, "snap-setup-task")), setup_id);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(ch->tasks[1].data, "snap-setup"), "name")),
                     "hello");
    cr_assert_null(json_object_get(ch->tasks[1].data, "snap-setup-task"));
}

Test(state_change, add_tasks_queues_into_a_change_in_flight_with_waits_both_ways)
{
    int64_t id = make_change("configure-snap", "hello", 2);
    SnChange *c = load(id);
    int64_t first = c->tasks[0].id, last = c->tasks[1].id;
    sn_change_free(c);
    _sn_cleanup_(sn_new_change_freep) SnNewChange *extra = sn_new_change_new("ignored", "ignored");
    cr_assert_eq(sn_new_change_add_task(extra, "service-control", "Run service command", NULL, NULL), 0);
    SnError *err = NULL;
    int r = sn_change_add_tasks(st, id, extra, &first, 1, &last, 1, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    c = load(id);
    cr_assert_eq(c->n_tasks, 3);
    cr_assert_str_eq(c->tasks[2].kind, "service-control");
    cr_assert_eq(c->tasks[2].status, SN_STATUS_DO);
    cr_assert_eq(c->tasks[2].n_waits, 1);
    cr_assert_eq(c->tasks[2].waits[0], first, "after the first");
    bool last_waits = false;
    for (size_t w = 0; w < c->tasks[1].n_waits; w++)
        last_waits |= c->tasks[1].waits[w] == c->tasks[2].id;
    cr_assert(last_waits, "the last waits for the new task");
    sn_change_free(c);
    /* not to a change that is ready, nor to one that does not exist */
    int64_t other = make_change("other", NULL, 1);
    c = load(other);
    set_status(c->tasks[0].id, SN_STATUS_DONE);
    sn_change_free(c);
    err = NULL;
    cr_assert_eq(sn_change_add_tasks(st, other, extra, NULL, 0, NULL, 0, &err), -EBUSY);
    sn_error_free(err);
    err = NULL;
    cr_assert_eq(sn_change_add_tasks(st, 999, extra, NULL, 0, NULL, 0, &err), -ENOENT);
    sn_error_free(err);
    c = load(other);
    cr_assert_eq(c->n_tasks, 1, "nothing added");
    sn_change_free(c);
}
