/* SPDX-License-Identifier: GPL-3.0-only */
/* Writing tasks and changes: status, log, data, progress, abort and prune (state-task.h). */
#include "state-task.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

static int change_update_status(SnState *st, int64_t change_id, int64_t now, SnError **reterr)
{
    unsigned counts[_SN_STATUS_MAX] = {0};
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r =
            sn_state_prepare(st, "SELECT status, COUNT(*) FROM tasks WHERE change_id = ?1 GROUP BY status", &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, change_id);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            int status = sqlite3_column_int(s, 0);
            if (status >= 0 && status < _SN_STATUS_MAX)
                counts[status] += (unsigned)sqlite3_column_int(s, 1);
        }
        if (rc != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot count a change's tasks");
    }
    SnStatus status = sn_status_derive(counts);
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st,
                             "UPDATE changes SET status = ?2, ready_time = CASE WHEN ?3 THEN "
                             "COALESCE(ready_time, ?4) ELSE NULL END WHERE id = ?1",
                             &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_int64(s, 1, change_id);
    sqlite3_bind_int(s, 2, status);
    sqlite3_bind_int(s, 3, sn_status_ready(status));
    sqlite3_bind_int64(s, 4, now);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot update a change's status");
    return 0;
}

int sn_task_set_status(SnState *st, int64_t task_id, SnStatus status, int64_t now, SnError **reterr)
{
    int64_t change_id;
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(st,
                                 "UPDATE tasks SET status = ?2, ready_time = CASE WHEN ?3 THEN ?4 ELSE NULL END "
                                 "WHERE id = ?1 RETURNING change_id",
                                 &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, task_id);
        sqlite3_bind_int(s, 2, status);
        sqlite3_bind_int(s, 3, sn_status_ready(status));
        sqlite3_bind_int64(s, 4, now);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE)
            return sn_error_set(reterr, -ENOENT, "cannot find task with id %lld", (long long)task_id);
        if (rc != SQLITE_ROW)
            return sn_state_sql_error(st, reterr, "cannot update a task's status");
        change_id = sqlite3_column_int64(s, 0);
    }
    return change_update_status(st, change_id, now, reterr);
}

int sn_task_log(SnState *st, int64_t task_id, const char *kind, const char *message, int64_t now, SnError **reterr)
{
    json_t *log = NULL;
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(st, "SELECT log FROM tasks WHERE id = ?1", &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, task_id);
        if (sqlite3_step(s) != SQLITE_ROW)
            return sn_error_set(reterr, -ENOENT, "cannot find task with id %lld", (long long)task_id);
        log = sn_state_column_json(s, 0, true);
    }
    _sn_free_ char *stamp = sn_time_format_rfc3339(now);
    _sn_free_ char *entry = stamp ? sn_strdup_printf("%s %s %s", stamp, kind, message) : NULL;
    if (!log || !entry || json_array_append_new(log, json_string(entry)) < 0) {
        json_decref(log);
        return -ENOMEM;
    }
    while (json_array_size(log) > SN_TASK_LOG_MAX)
        json_array_remove(log, 0);
    _sn_free_ char *text = json_dumps(log, JSON_COMPACT);
    json_decref(log);
    if (!text)
        return -ENOMEM;
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "UPDATE tasks SET log = ?2 WHERE id = ?1", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_int64(s, 1, task_id);
    sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot update a task's log");
    return 0;
}

int sn_task_set_data(SnState *st, int64_t task_id, json_t *data, SnError **reterr)
{
    _sn_free_ char *text = json_dumps(data, JSON_COMPACT);
    if (!text)
        return -ENOMEM;
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "UPDATE tasks SET data = ?2 WHERE id = ?1", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_int64(s, 1, task_id);
    sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot update a task's data");
    return 0;
}

int sn_task_set_progress(SnState *st, int64_t task_id, const char *label, int64_t done, int64_t total, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(
        st, "UPDATE tasks SET progress_label = ?2, progress_done = ?3, progress_total = ?4 WHERE id = ?1", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_int64(s, 1, task_id);
    sqlite3_bind_text(s, 2, label ? label : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, done);
    sqlite3_bind_int64(s, 4, total);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot update a task's progress");
    return 0;
}

int sn_task_set_at(SnState *st, int64_t task_id, int64_t at, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "UPDATE tasks SET at_time = ?2 WHERE id = ?1", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_int64(s, 1, task_id);
    sqlite3_bind_int64(s, 2, at);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot update a task's schedule");
    return 0;
}

int sn_change_abort_tasks(SnState *st, int64_t change_id, int64_t now, SnError **reterr)
{
    /* Three set-based updates in snapd's mapping; the change's status is derived once at the end. */
    static const struct {
        SnStatus from, to;
    } moves[] = {
        {SN_STATUS_DO, SN_STATUS_HOLD},
        {SN_STATUS_DOING, SN_STATUS_ABORT},
        {SN_STATUS_DONE, SN_STATUS_UNDO},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(moves); i++) {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(st,
                                 "UPDATE tasks SET status = ?3, ready_time = CASE WHEN ?4 THEN ?5 ELSE NULL END "
                                 "WHERE change_id = ?1 AND status = ?2",
                                 &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, change_id);
        sqlite3_bind_int(s, 2, moves[i].from);
        sqlite3_bind_int(s, 3, moves[i].to);
        sqlite3_bind_int(s, 4, sn_status_ready(moves[i].to));
        sqlite3_bind_int64(s, 5, now);
        if (sqlite3_step(s) != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot abort a change's tasks");
    }
    return change_update_status(st, change_id, now, reterr);
}

int sn_change_abort(SnState *st, int64_t change_id, SnError **reterr)
{
    int r = sn_state_begin(st, reterr);
    if (r < 0)
        return r;
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        r = sn_state_prepare(st, "SELECT ready_time IS NOT NULL FROM changes WHERE id = ?1", &s, reterr);
        if (r < 0)
            goto fail;
        sqlite3_bind_int64(s, 1, change_id);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) {
            r = sn_error_set(reterr, -ENOENT, "cannot find change with id \"%lld\"", (long long)change_id);
            goto fail;
        }
        if (rc != SQLITE_ROW) {
            r = sn_state_sql_error(st, reterr, "cannot read a change");
            goto fail;
        }
        if (sqlite3_column_int(s, 0)) {
            r = sn_error_set(reterr, -EBUSY, "cannot abort change %lld with nothing pending", (long long)change_id);
            goto fail;
        }
    }
    r = sn_change_abort_tasks(st, change_id, sn_state_now(), reterr);
    if (r < 0)
        goto fail;
    return sn_state_commit(st, reterr);
fail:
    sn_state_rollback(st);
    return r;
}

static int delete_change(SnState *st, int64_t id, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "DELETE FROM changes WHERE id = ?1", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot delete a change");
    return 0;
}

int sn_state_prune(SnState *st, int64_t now, int64_t prune_wait, int64_t abort_wait, unsigned max_ready,
                   unsigned *ret_pruned, SnError **reterr)
{
    int64_t prune_limit = now - prune_wait, abort_limit = now - abort_wait;
    unsigned pruned = 0;
    int r = sn_state_begin(st, reterr);
    if (r < 0)
        return r;

    /* Ready changes, oldest ready first: delete the old ones and any beyond the newest max_ready. */
    {
        int64_t ready_count = 0;
        {
            _sn_stmt_ sqlite3_stmt *s = NULL;
            r = sn_state_prepare(st, "SELECT COUNT(*) FROM changes WHERE ready_time IS NOT NULL", &s, reterr);
            if (r < 0)
                goto fail;
            if (sqlite3_step(s) != SQLITE_ROW) {
                r = sn_state_sql_error(st, reterr, "cannot count changes");
                goto fail;
            }
            ready_count = sqlite3_column_int64(s, 0);
        }
        _sn_stmt_ sqlite3_stmt *s = NULL;
        r = sn_state_prepare(
            st, "SELECT id, ready_time FROM changes WHERE ready_time IS NOT NULL ORDER BY ready_time, id", &s, reterr);
        if (r < 0)
            goto fail;
        _sn_free_ int64_t *doomed = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (sqlite3_column_int64(s, 1) >= prune_limit && ready_count <= (int64_t)max_ready)
                break;
            int64_t *m = reallocarray(doomed, n + 1, sizeof(*m));
            if (!m) {
                r = -ENOMEM;
                goto fail;
            }
            doomed = m;
            doomed[n++] = sqlite3_column_int64(s, 0);
            ready_count--;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            r = sn_state_sql_error(st, reterr, "cannot list ready changes");
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            r = delete_change(st, doomed[i], reterr);
            if (r < 0)
                goto fail;
            pruned++;
        }
    }

    /* Changes that never became ready. */
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        r = sn_state_prepare(st,
                             "SELECT c.id, c.spawn_time, (SELECT COUNT(*) FROM tasks t WHERE t.change_id = c.id) "
                             "FROM changes c WHERE c.ready_time IS NULL ORDER BY c.id",
                             &s, reterr);
        if (r < 0)
            goto fail;
        _sn_free_ int64_t *ids = NULL;
        _sn_free_ bool *drop = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            int64_t spawn = sqlite3_column_int64(s, 1);
            bool no_tasks = sqlite3_column_int64(s, 2) == 0;
            bool d = spawn < prune_limit && no_tasks;
            if (!d && spawn >= abort_limit)
                continue;
            int64_t *m = reallocarray(ids, n + 1, sizeof(*m));
            bool *b = m ? reallocarray(drop, n + 1, sizeof(*b)) : NULL;
            if (m)
                ids = m;
            if (!b) {
                r = -ENOMEM;
                goto fail;
            }
            drop = b;
            ids[n] = sqlite3_column_int64(s, 0);
            drop[n++] = d;
        }
        if (rc != SQLITE_DONE) {
            r = sn_state_sql_error(st, reterr, "cannot list unready changes");
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            if (drop[i]) {
                r = delete_change(st, ids[i], reterr);
                pruned++;
            } else
                r = sn_change_abort_tasks(st, ids[i], now, reterr);
            if (r < 0)
                goto fail;
        }
    }

    r = sn_state_commit(st, reterr);
    if (r < 0)
        return r;
    if (ret_pruned)
        *ret_pruned = pruned;
    return 0;
fail:
    sn_state_rollback(st);
    return r;
}
