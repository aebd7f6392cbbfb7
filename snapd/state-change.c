/* SPDX-License-Identifier: GPL-3.0-only */
#include "state-change.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strutil.h"

static const char *const status_names[_SN_STATUS_MAX] = {
    [SN_STATUS_DEFAULT] = "Default", [SN_STATUS_HOLD] = "Hold",       [SN_STATUS_DO] = "Do",
    [SN_STATUS_DOING] = "Doing",     [SN_STATUS_DONE] = "Done",       [SN_STATUS_ABORT] = "Abort",
    [SN_STATUS_UNDO] = "Undo",       [SN_STATUS_UNDOING] = "Undoing", [SN_STATUS_UNDONE] = "Undone",
    [SN_STATUS_ERROR] = "Error",     [SN_STATUS_WAIT] = "Wait",
};

const char *sn_status_to_string(SnStatus s)
{
    if ((unsigned)s >= _SN_STATUS_MAX)
        return "Default";
    return status_names[s];
}

bool sn_status_ready(SnStatus s)
{
    return s == SN_STATUS_DONE || s == SN_STATUS_UNDONE || s == SN_STATUS_HOLD || s == SN_STATUS_ERROR;
}

SnStatus sn_status_derive(const unsigned counts[_SN_STATUS_MAX])
{
    /* snapd's statusOrder: the first status any task has wins. */
    static const SnStatus order[] = {
        SN_STATUS_ABORT, SN_STATUS_UNDOING, SN_STATUS_UNDO,   SN_STATUS_DOING, SN_STATUS_DO,
        SN_STATUS_WAIT,  SN_STATUS_ERROR,   SN_STATUS_UNDONE, SN_STATUS_DONE,  SN_STATUS_HOLD,
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(order); i++)
        if (counts[order[i]] > 0)
            return order[i];
    return SN_STATUS_HOLD; /* a change without tasks */
}

static char *time_format(int64_t ns, bool nano)
{
    time_t secs = (time_t)(ns / 1000000000);
    long frac = (long)(ns % 1000000000);
    if (frac < 0) {
        frac += 1000000000;
        secs--;
    }
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return NULL;
    char base[64];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!nano || frac == 0)
        return sn_strdup_printf("%sZ", base);
    char f[16];
    snprintf(f, sizeof(f), "%09ld", frac);
    for (size_t n = strlen(f); n > 0 && f[n - 1] == '0'; n--)
        f[n - 1] = '\0';
    return sn_strdup_printf("%s.%sZ", base, f);
}

char *sn_time_format_rfc3339nano(int64_t ns)
{
    return time_format(ns, true);
}

char *sn_time_format_rfc3339(int64_t ns)
{
    return time_format(ns, false);
}

/* ---- new changes ---- */

typedef struct NewTask {
    char *kind;
    char *summary;
    json_t *data;
    size_t *waits;
    size_t n_waits;
    json_t *links; /* key -> index of the task whose id goes there, or NULL */
} NewTask;

struct SnNewChange {
    char *kind;
    char *summary;
    json_t *data;
    char **snaps;
    NewTask *tasks;
    size_t n_tasks;
};

SnNewChange *sn_new_change_new(const char *kind, const char *summary)
{
    SnNewChange *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->kind = strdup(kind);
    c->summary = strdup(summary);
    c->data = json_object();
    if (!c->kind || !c->summary || !c->data)
        return sn_new_change_free(c);
    return c;
}

SnNewChange *sn_new_change_free(SnNewChange *c)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->n_tasks; i++) {
        free(c->tasks[i].kind);
        free(c->tasks[i].summary);
        json_decref(c->tasks[i].data);
        json_decref(c->tasks[i].links);
        free(c->tasks[i].waits);
    }
    free(c->tasks);
    sn_strv_free(c->snaps);
    json_decref(c->data);
    free(c->kind);
    free(c->summary);
    free(c);
    return NULL;
}

int sn_new_change_add_snap(SnNewChange *c, const char *snap)
{
    if (sn_strv_contains(c->snaps, snap))
        return 0;
    return sn_strv_push(&c->snaps, snap);
}

int sn_new_change_set(SnNewChange *c, const char *key, json_t *value)
{
    return json_object_set(c->data, key, value) < 0 ? -ENOMEM : 0;
}

int sn_new_change_add_task(SnNewChange *c, const char *kind, const char *summary, json_t *data, size_t *ret_index)
{
    NewTask *n = reallocarray(c->tasks, c->n_tasks + 1, sizeof(*n));
    if (!n)
        return -ENOMEM;
    c->tasks = n;
    NewTask *t = &c->tasks[c->n_tasks];
    *t = (NewTask){0};
    t->kind = strdup(kind);
    t->summary = strdup(summary);
    t->data = data ? json_incref(data) : json_object();
    if (!t->kind || !t->summary || !t->data) {
        free(t->kind);
        free(t->summary);
        json_decref(t->data);
        return -ENOMEM;
    }
    if (ret_index)
        *ret_index = c->n_tasks;
    c->n_tasks++;
    return 0;
}

int sn_new_change_wait(SnNewChange *c, size_t task, size_t waits_for)
{
    if (task >= c->n_tasks || waits_for >= c->n_tasks || task == waits_for)
        return -EINVAL;
    NewTask *t = &c->tasks[task];
    size_t *n = reallocarray(t->waits, t->n_waits + 1, sizeof(*n));
    if (!n)
        return -ENOMEM;
    t->waits = n;
    t->waits[t->n_waits++] = waits_for;
    return 0;
}

int sn_new_change_chain(SnNewChange *c)
{
    for (size_t i = 1; i < c->n_tasks; i++) {
        int r = sn_new_change_wait(c, i, i - 1);
        if (r < 0)
            return r;
    }
    return 0;
}

int sn_new_change_link(SnNewChange *c, size_t task, const char *key, size_t target)
{
    if (task >= c->n_tasks || target >= c->n_tasks)
        return -EINVAL;
    NewTask *t = &c->tasks[task];
    if (!t->links && !(t->links = json_object()))
        return -ENOMEM;
    return json_object_set_new(t->links, key, json_integer((json_int_t)target)) < 0 ? -ENOMEM : 0;
}

size_t sn_new_change_n_tasks(const SnNewChange *c)
{
    return c->n_tasks;
}

void sn_conflict_done(SnConflict *c)
{
    free(c->snap);
    free(c->change_kind);
    *c = (SnConflict){0};
}

int sn_change_find_conflict(SnState *st, const char *snap, SnConflict *ret, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st,
                             "SELECT c.id, c.kind FROM changes c JOIN change_snaps cs ON cs.change_id = c.id "
                             "WHERE cs.snap = ?1 AND c.ready_time IS NULL ORDER BY c.id LIMIT 1",
                             &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_text(s, 1, snap, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return sn_state_sql_error(st, reterr, "cannot look for conflicting changes");
    if (ret) {
        SnConflict c = {
            .snap = strdup(snap),
            .change_kind = strdup((const char *)sqlite3_column_text(s, 1)),
            .change_id = sqlite3_column_int64(s, 0),
        };
        if (!c.snap || !c.change_kind) {
            sn_conflict_done(&c);
            return -ENOMEM;
        }
        *ret = c;
    }
    return 1;
}

static int insert_new_change(SnState *st, const SnNewChange *c, int64_t now, int64_t *ret_id, SnError **reterr)
{
    _sn_free_ char *data = json_dumps(c->data, JSON_COMPACT);
    if (!data)
        return -ENOMEM;
    int64_t change_id;
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(
            st,
            "INSERT INTO changes (kind, summary, status, spawn_time, ready_time, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_text(s, 1, c->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, c->summary, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, c->n_tasks > 0 ? SN_STATUS_DO : SN_STATUS_HOLD);
        sqlite3_bind_int64(s, 4, now);
        /* Not ready even without tasks: snapd's ready time stays zero until a task becomes ready. */
        sqlite3_bind_null(s, 5);
        sqlite3_bind_text(s, 6, data, -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot store a change");
        change_id = sqlite3_last_insert_rowid(sn_state_db(st));
    }

    for (char **sn = c->snaps; sn && *sn; sn++) {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(st, "INSERT INTO change_snaps (change_id, snap) VALUES (?1, ?2)", &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, change_id);
        sqlite3_bind_text(s, 2, *sn, -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot store a change's snaps");
    }
    int r = sn_change_insert_tasks(st, change_id, c, now, NULL, 0, NULL, 0, reterr);
    if (r < 0)
        return r;
    *ret_id = change_id;
    return 0;
}

static int insert_wait(SnState *st, int64_t task_id, int64_t wait_id, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "INSERT OR IGNORE INTO task_waits (task_id, wait_id) VALUES (?1, ?2)", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_int64(s, 1, task_id);
    sqlite3_bind_int64(s, 2, wait_id);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot store a task's waits");
    return 0;
}

int sn_change_insert_tasks(SnState *st, int64_t change_id, const SnNewChange *c, int64_t now, const int64_t *after,
                           size_t n_after, const int64_t *before, size_t n_before, SnError **reterr)
{
    _sn_free_ int64_t *ids = calloc(c->n_tasks ? c->n_tasks : 1, sizeof(int64_t));
    if (!ids)
        return -ENOMEM;
    for (size_t i = 0; i < c->n_tasks; i++) {
        /* Links to other tasks are written below, once every task has its id. */
        _sn_free_ char *tdata = json_dumps(c->tasks[i].data, JSON_COMPACT);
        if (!tdata)
            return -ENOMEM;
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(st,
                                 "INSERT INTO tasks (change_id, kind, summary, status, data, spawn_time) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                 &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, change_id);
        sqlite3_bind_text(s, 2, c->tasks[i].kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, c->tasks[i].summary, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, SN_STATUS_DO);
        sqlite3_bind_text(s, 5, tdata, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, now);
        if (sqlite3_step(s) != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot store a task");
        ids[i] = sqlite3_last_insert_rowid(sn_state_db(st));
    }
    for (size_t i = 0; i < c->n_tasks; i++) {
        if (!c->tasks[i].links)
            continue;
        json_t *d = json_copy(c->tasks[i].data);
        const char *key;
        json_t *v;
        if (!d)
            return -ENOMEM;
        json_object_foreach(c->tasks[i].links, key, v)
        {
            json_object_set_new(d, key, json_integer((json_int_t)ids[json_integer_value(v)]));
        }
        int r = sn_task_set_data(st, ids[i], d, reterr);
        json_decref(d);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < c->n_tasks; i++) {
        for (size_t w = 0; w < c->tasks[i].n_waits; w++) {
            int r = insert_wait(st, ids[i], ids[c->tasks[i].waits[w]], reterr);
            if (r < 0)
                return r;
        }
        for (size_t w = 0; w < n_after; w++) {
            int r = insert_wait(st, ids[i], after[w], reterr);
            if (r < 0)
                return r;
        }
        for (size_t w = 0; w < n_before; w++) {
            int r = insert_wait(st, before[w], ids[i], reterr);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int sn_change_create(SnState *st, const SnNewChange *c, int64_t *ret_id, SnConflict *ret_conflict, SnError **reterr)
{
    int r = sn_state_begin(st, reterr);
    if (r < 0)
        return r;
    for (char **sn = c->snaps; sn && *sn; sn++) {
        SnConflict conflict = {0};
        r = sn_change_find_conflict(st, *sn, &conflict, reterr);
        if (r < 0)
            goto fail;
        if (r > 0) {
            r = sn_error_set(reterr, -EBUSY, "snap \"%s\" has \"%s\" change in progress", conflict.snap,
                             conflict.change_kind);
            if (ret_conflict)
                *ret_conflict = conflict;
            else
                sn_conflict_done(&conflict);
            goto fail;
        }
    }
    int64_t id = 0;
    r = insert_new_change(st, c, sn_state_now(), &id, reterr);
    if (r < 0)
        goto fail;
    r = sn_state_commit(st, reterr);
    if (r < 0)
        return r;
    if (ret_id)
        *ret_id = id;
    return 0;
fail:
    sn_state_rollback(st);
    return r;
}

int sn_change_add_tasks(SnState *st, int64_t change_id, const SnNewChange *c, const int64_t *after, size_t n_after,
                        const int64_t *before, size_t n_before, SnError **reterr)
{
    int r = sn_state_begin(st, reterr);
    if (r < 0)
        return r;
    _sn_stmt_ sqlite3_stmt *s = NULL;
    r = sn_state_prepare(st, "SELECT ready_time IS NULL FROM changes WHERE id = ?1", &s, reterr);
    if (r < 0)
        goto fail;
    sqlite3_bind_int64(s, 1, change_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        r = sn_error_set(reterr, -ENOENT, "cannot find change with id \"%lld\"", (long long)change_id);
        goto fail;
    }
    if (rc != SQLITE_ROW) {
        r = sn_state_sql_error(st, reterr, "cannot load a change");
        goto fail;
    }
    if (sqlite3_column_int(s, 0) == 0) {
        r = sn_error_set(reterr, -EBUSY, "cannot add tasks to change %lld: it is ready", (long long)change_id);
        goto fail;
    }
    sqlite3_finalize(SN_TAKE_PTR(s)); /* no statement in progress at the commit */
    r = sn_change_insert_tasks(st, change_id, c, sn_state_now(), after, n_after, before, n_before, reterr);
    if (r < 0)
        goto fail;
    return sn_state_commit(st, reterr);
fail:
    sn_state_rollback(st);
    return r;
}

/* ---- reading ---- */

void sn_task_done(SnTask *t)
{
    free(t->kind);
    free(t->summary);
    json_decref(t->data);
    json_decref(t->log);
    free(t->progress_label);
    free(t->waits);
    *t = (SnTask){0};
}

SnTask *sn_task_free(SnTask *t)
{
    if (t) {
        sn_task_done(t);
        free(t);
    }
    return NULL;
}

SnChange *sn_change_free(SnChange *c)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->n_tasks; i++)
        sn_task_done(&c->tasks[i]);
    free(c->tasks);
    sn_strv_free(c->snaps);
    json_decref(c->data);
    free(c->kind);
    free(c->summary);
    free(c);
    return NULL;
}

json_t *sn_state_column_json(sqlite3_stmt *s, int col, bool array)
{
    const char *text = (const char *)sqlite3_column_text(s, col);
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (!v || (array ? !json_is_array(v) : !json_is_object(v))) {
        /* Damaged or missing: start afresh rather than fail every reader of the change. */
        json_decref(v);
        v = array ? json_array() : json_object();
    }
    return v;
}

#define TASK_COLUMNS                                                                                                   \
    "id, change_id, kind, summary, status, data, log, progress_label, progress_done, progress_total, spawn_time, "     \
    "ready_time, at_time"

static int task_from_row(SnState *st, sqlite3_stmt *s, SnTask *t, SnError **reterr)
{
    *t = (SnTask){
        .id = sqlite3_column_int64(s, 0),
        .change_id = sqlite3_column_int64(s, 1),
        .kind = strdup((const char *)sqlite3_column_text(s, 2)),
        .summary = strdup((const char *)sqlite3_column_text(s, 3)),
        .status = (SnStatus)sqlite3_column_int(s, 4),
        .data = sn_state_column_json(s, 5, false),
        .log = sn_state_column_json(s, 6, true),
        .progress_label = strdup((const char *)sqlite3_column_text(s, 7)),
        .progress_done = sqlite3_column_int64(s, 8),
        .progress_total = sqlite3_column_int64(s, 9),
        .spawn_time = sqlite3_column_int64(s, 10),
        .ready_time = sqlite3_column_int64(s, 11),
        .at_time = sqlite3_column_int64(s, 12),
    };
    if (!t->kind || !t->summary || !t->data || !t->log || !t->progress_label) {
        sn_task_done(t);
        return -ENOMEM;
    }
    _sn_stmt_ sqlite3_stmt *w = NULL;
    int r = sn_state_prepare(st, "SELECT wait_id FROM task_waits WHERE task_id = ?1 ORDER BY wait_id", &w, reterr);
    if (r < 0) {
        sn_task_done(t);
        return r;
    }
    sqlite3_bind_int64(w, 1, t->id);
    int rc;
    while ((rc = sqlite3_step(w)) == SQLITE_ROW) {
        int64_t *n = reallocarray(t->waits, t->n_waits + 1, sizeof(*n));
        if (!n) {
            sn_task_done(t);
            return -ENOMEM;
        }
        t->waits = n;
        t->waits[t->n_waits++] = sqlite3_column_int64(w, 0);
    }
    if (rc != SQLITE_DONE) {
        sn_task_done(t);
        return sn_state_sql_error(st, reterr, "cannot read a task's waits");
    }
    return 0;
}

int sn_task_load(SnState *st, int64_t id, SnTask **ret_task, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "SELECT " TASK_COLUMNS " FROM tasks WHERE id = ?1", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        return sn_error_set(reterr, -ENOENT, "cannot find task with id %lld", (long long)id);
    if (rc != SQLITE_ROW)
        return sn_state_sql_error(st, reterr, "cannot read a task");
    _sn_cleanup_(sn_task_freep) SnTask *t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    r = task_from_row(st, s, t, reterr);
    if (r < 0) {
        free(SN_TAKE_PTR(t));
        return r;
    }
    *ret_task = SN_TAKE_PTR(t);
    return 0;
}

int sn_change_load(SnState *st, int64_t id, SnChange **ret_change, SnError **reterr)
{
    _sn_cleanup_(sn_change_freep) SnChange *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(st,
                                 "SELECT id, kind, summary, status, spawn_time, ready_time, data FROM changes "
                                 "WHERE id = ?1",
                                 &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, id);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE)
            return sn_error_set(reterr, -ENOENT, "cannot find change with id \"%lld\"", (long long)id);
        if (rc != SQLITE_ROW)
            return sn_state_sql_error(st, reterr, "cannot read a change");
        c->id = sqlite3_column_int64(s, 0);
        c->kind = strdup((const char *)sqlite3_column_text(s, 1));
        c->summary = strdup((const char *)sqlite3_column_text(s, 2));
        c->status = (SnStatus)sqlite3_column_int(s, 3);
        c->spawn_time = sqlite3_column_int64(s, 4);
        c->ready_time = sqlite3_column_int64(s, 5);
        c->data = sn_state_column_json(s, 6, false);
        if (!c->kind || !c->summary || !c->data)
            return -ENOMEM;
    }
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(st, "SELECT snap FROM change_snaps WHERE change_id = ?1 ORDER BY rowid", &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, id);
        c->snaps = calloc(1, sizeof(char *));
        if (!c->snaps)
            return -ENOMEM;
        while (sqlite3_step(s) == SQLITE_ROW)
            if (sn_strv_push(&c->snaps, (const char *)sqlite3_column_text(s, 0)) < 0)
                return -ENOMEM;
    }
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(st, "SELECT " TASK_COLUMNS " FROM tasks WHERE change_id = ?1 ORDER BY id", &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, id);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            SnTask *n = reallocarray(c->tasks, c->n_tasks + 1, sizeof(*n));
            if (!n)
                return -ENOMEM;
            c->tasks = n;
            r = task_from_row(st, s, &c->tasks[c->n_tasks], reterr);
            if (r < 0)
                return r;
            c->n_tasks++;
        }
        if (rc != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot read a change's tasks");
    }
    *ret_change = SN_TAKE_PTR(c);
    return 0;
}

int sn_change_list(SnState *st, SnChangeSelect select, const char *snap, int64_t **ret_ids, size_t *ret_n,
                   SnError **reterr)
{
    const char *cond = select == SN_CHANGES_IN_PROGRESS ? "c.ready_time IS NULL"
                       : select == SN_CHANGES_READY     ? "c.ready_time IS NOT NULL"
                                                        : "1";
    _sn_free_ char *sql =
        snap ? sn_strdup_printf("SELECT c.id FROM changes c JOIN change_snaps cs ON cs.change_id = c.id "
                                "WHERE cs.snap = ?1 AND %s ORDER BY c.id",
                                cond)
             : sn_strdup_printf("SELECT c.id FROM changes c WHERE %s ORDER BY c.id", cond);
    if (!sql)
        return -ENOMEM;
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, sql, &s, reterr);
    if (r < 0)
        return r;
    if (snap)
        sqlite3_bind_text(s, 1, snap, -1, SQLITE_STATIC);
    _sn_free_ int64_t *ids = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t *m = reallocarray(ids, n + 1, sizeof(*m));
        if (!m)
            return -ENOMEM;
        ids = m;
        ids[n++] = sqlite3_column_int64(s, 0);
    }
    if (rc != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot list changes");
    *ret_ids = SN_TAKE_PTR(ids);
    *ret_n = n;
    return 0;
}

char *sn_change_err(const SnChange *c)
{
    if (c->status != SN_STATUS_ERROR)
        return NULL;
    SnBuf b = {0};
    sn_buf_puts(&b, "cannot perform the following tasks:");
    bool any = false;
    for (size_t i = 0; i < c->n_tasks; i++) {
        const SnTask *t = &c->tasks[i];
        if (t->status != SN_STATUS_ERROR)
            continue;
        size_t j;
        json_t *entry;
        json_array_foreach(t->log, j, entry)
        {
            const char *e = json_string_value(entry);
            /* "<time> ERROR message" */
            const char *sp = e ? strchr(e, ' ') : NULL;
            if (!sp || !sn_startswith(sp + 1, SN_TASK_LOG_ERROR " "))
                continue;
            sn_buf_printf(&b, "\n- %s (%s)", t->summary, sp + 1 + strlen(SN_TASK_LOG_ERROR " "));
            any = true;
        }
    }
    if (!any) {
        sn_buf_done(&b);
        return sn_strdup_printf("internal inconsistency: change \"%s\" in ErrorStatus with no task errors logged",
                                c->kind);
    }
    return sn_buf_steal(&b);
}
