/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Changes and tasks in the state database (snapd's overlord/state model).
 *
 * A change is a set of tasks; a task may wait for other tasks of its change (it runs after them,
 * and is undone before them). A change's status is derived from its tasks' statuses, in snapd's
 * priority order, and cached in the changes table together with its ready time.
 *
 * Unless said otherwise, every function here expects the state lock held (sn_state_lock) and
 * works inside the caller's transaction when there is one; functions that write say whether
 * they open their own transaction.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "state.h"

/* snapd's status codes (overlord/state/change.go), the same numbers. */
typedef enum SnStatus {
    SN_STATUS_DEFAULT = 0,
    SN_STATUS_HOLD = 1,
    SN_STATUS_DO = 2,
    SN_STATUS_DOING = 3,
    SN_STATUS_DONE = 4,
    SN_STATUS_ABORT = 5,
    SN_STATUS_UNDO = 6,
    SN_STATUS_UNDOING = 7,
    SN_STATUS_UNDONE = 8,
    SN_STATUS_ERROR = 9,
    SN_STATUS_WAIT = 10,
    _SN_STATUS_MAX,
} SnStatus;

/* "Do", "Doing", ... as snapd spells them; "Default" for SN_STATUS_DEFAULT; never NULL. */
const char *sn_status_to_string(SnStatus s);
/* Ready: Done, Undone, Hold, Error. */
bool sn_status_ready(SnStatus s);
/* The status of a change whose tasks have these counts (indexed by SnStatus), as snapd derives it. */
SnStatus sn_status_derive(const unsigned counts[_SN_STATUS_MAX]);

/* Log entry kinds, as in snapd's task log: "<RFC3339> INFO msg", "<RFC3339> ERROR msg". */
#define SN_TASK_LOG_INFO "INFO"
#define SN_TASK_LOG_ERROR "ERROR"
/* A task keeps its last 10 log entries, as snapd does. */
#define SN_TASK_LOG_MAX 10

/* ---- building a new change ---- */

typedef struct SnNewChange SnNewChange;

/* A change of the given kind and summary, with no tasks yet. NULL on allocation failure. */
SnNewChange *sn_new_change_new(const char *kind, const char *summary);
SnNewChange *sn_new_change_free(SnNewChange *c);
SN_DEFINE_CLEANUP_FUNC(SnNewChange *, sn_new_change_free)

/* Names a snap the change touches (for conflicts and GET /v2/changes?for=). 0 or -ENOMEM. */
int sn_new_change_add_snap(SnNewChange *c, const char *snap);
/* Sets a key of the change's data (snapd's chg.Set): value is borrowed (a reference is taken). */
int sn_new_change_set(SnNewChange *c, const char *key, json_t *value);
/*
 * Appends a task; data (may be NULL for {}) is borrowed (a reference is taken). *ret_index (may
 * be NULL) is the task's index in this change, for sn_new_change_wait. 0 or -ENOMEM.
 */
int sn_new_change_add_task(SnNewChange *c, const char *kind, const char *summary, json_t *data, size_t *ret_index);
/* Task `task` waits for task `waits_for` (indexes from add_task). -EINVAL for a bad or equal index. */
int sn_new_change_wait(SnNewChange *c, size_t task, size_t waits_for);
/* Makes each task wait for the one added before it (a chain, as most of snapd's are). */
int sn_new_change_chain(SnNewChange *c);
/*
 * Once the change is stored, sets key in task `task`'s data to the id of task `target` (snapd's
 * t.Set("snap-setup-task", other.ID())). -EINVAL for a bad index.
 */
int sn_new_change_link(SnNewChange *c, size_t task, const char *key, size_t target);
/* The number of tasks added so far. */
size_t sn_new_change_n_tasks(const SnNewChange *c);

/* The change another change conflicts with. */
typedef struct SnConflict {
    char *snap;        /* the snap both touch */
    char *change_kind; /* the kind of the change in flight */
    int64_t change_id;
} SnConflict;
void sn_conflict_done(SnConflict *c);

/*
 * Stores the change and its tasks (status Do, or Hold for a change with no tasks) in one
 * transaction of its own, after checking that no change that is not ready touches one of its
 * snaps. On a conflict returns -EBUSY with snapd's message (snap "NAME" has "KIND" change in
 * progress) and fills *ret_conflict when given (caller calls sn_conflict_done). Returns 0 and
 * *ret_id (may be NULL).
 */
int sn_change_create(SnState *st, const SnNewChange *c, int64_t *ret_id, SnConflict *ret_conflict, SnError **reterr);

/*
 * Adds the tasks of c (its kind, summary, data and snaps are not used) to the change change_id,
 * which must not be ready (-EBUSY; -ENOENT when there is none), in one transaction of its own: each
 * new task also waits for the tasks whose ids are in after[], and the tasks in before[] wait for
 * each new task (snapd's queueing of snapctl service commands into a hook's change). No conflict
 * check. 0 or -errno with a message.
 */
int sn_change_add_tasks(SnState *st, int64_t change_id, const SnNewChange *c, const int64_t *after, size_t n_after,
                        const int64_t *before, size_t n_before, SnError **reterr);

/*
 * The same without a transaction or a check of the change (inside the caller's transaction, for
 * snapd's InjectTasks from a task handler): c's tasks in Do with their waits and links, each also
 * waiting for after[] and waited for by before[]; spawn time now.
 */
int sn_change_insert_tasks(SnState *st, int64_t change_id, const SnNewChange *c, int64_t now, const int64_t *after,
                           size_t n_after, const int64_t *before, size_t n_before, SnError **reterr);

/*
 * Finds a change that is not ready and touches snap. Returns 1 and fills *ret (when given), 0
 * when there is none, -errno on error.
 */
int sn_change_find_conflict(SnState *st, const char *snap, SnConflict *ret, SnError **reterr);

/* ---- reading ---- */

/*
 * A JSON array (array true) or object column of the current row; a damaged or NULL value reads as
 * an empty one, so that one bad row does not fail every reader of its change. NULL only when out of
 * memory. Caller decrefs.
 */
json_t *sn_state_column_json(sqlite3_stmt *s, int col, bool array);

typedef struct SnTask {
    int64_t id;
    int64_t change_id;
    char *kind;
    char *summary;
    SnStatus status;
    json_t *data; /* object, owned */
    json_t *log;  /* array of strings, owned */
    char *progress_label;
    int64_t progress_done, progress_total;
    int64_t spawn_time, ready_time; /* ns since the epoch; ready_time 0 when not ready */
    int64_t at_time;
    int64_t *waits; /* ids this task waits for */
    size_t n_waits;
} SnTask;

typedef struct SnChange {
    int64_t id;
    char *kind;
    char *summary;
    SnStatus status;
    int64_t spawn_time, ready_time;
    json_t *data; /* object, owned */
    char **snaps; /* NULL-terminated, may be empty */
    SnTask *tasks;
    size_t n_tasks;
} SnChange;

SnChange *sn_change_free(SnChange *c);
SN_DEFINE_CLEANUP_FUNC(SnChange *, sn_change_free)
void sn_task_done(SnTask *t);
SnTask *sn_task_free(SnTask *t);
SN_DEFINE_CLEANUP_FUNC(SnTask *, sn_task_free)

/* Loads one change with its tasks (in id order). -ENOENT when there is none. */
int sn_change_load(SnState *st, int64_t id, SnChange **ret_change, SnError **reterr);
/* Loads one task (with its waits). -ENOENT when there is none. */
int sn_task_load(SnState *st, int64_t id, SnTask **ret_task, SnError **reterr);

typedef enum SnChangeSelect {
    SN_CHANGES_ALL,
    SN_CHANGES_IN_PROGRESS,
    SN_CHANGES_READY,
} SnChangeSelect;

/* The ids of the selected changes (touching snap, when not NULL), oldest first. Caller frees. */
int sn_change_list(SnState *st, SnChangeSelect select, const char *snap, int64_t **ret_ids, size_t *ret_n,
                   SnError **reterr);

/*
 * The change's error as snapd reports it ("cannot perform the following tasks:\n- SUMMARY (MSG)"
 * for each ERROR log entry of a task in Error), or NULL when its status is not Error. Caller frees.
 */
char *sn_change_err(const SnChange *c);

/* Formats ns since the epoch as RFC3339 with nanoseconds in UTC (Go's RFC3339Nano). Caller frees. */
char *sn_time_format_rfc3339nano(int64_t ns);
/* The same, to the second (Go's RFC3339). */
char *sn_time_format_rfc3339(int64_t ns);

/* Writing tasks and changes. */
#include "state-task.h"
