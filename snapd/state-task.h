/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Writing changes and tasks in the state database (state-change.h has the model, building new
 * changes and reading them). The state lock is held by the caller, as everywhere in the state.
 */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "error.h"
#include "state-change.h"
#include "state.h"

/* Inside a transaction of the caller's. */

/*
 * Sets a task's status, its ready time (now when ready, cleared when not), and updates its
 * change's derived status and ready time.
 */
int sn_task_set_status(SnState *st, int64_t task_id, SnStatus status, int64_t now, SnError **reterr);
/* Appends "<RFC3339 now> KIND message" to the task's log, keeping the last SN_TASK_LOG_MAX. */
int sn_task_log(SnState *st, int64_t task_id, const char *kind, const char *message, int64_t now, SnError **reterr);
/* Replaces the task's data (borrowed). */
int sn_task_set_data(SnState *st, int64_t task_id, json_t *data, SnError **reterr);
/* Sets the task's progress. */
int sn_task_set_progress(SnState *st, int64_t task_id, const char *label, int64_t done, int64_t total,
                         SnError **reterr);
/* Sets the earliest time the task may run again (0: any time). */
int sn_task_set_at(SnState *st, int64_t task_id, int64_t at, SnError **reterr);

/*
 * Aborts the change as snapd's Change.Abort: tasks in Do go to Hold, Doing to Abort (the runner
 * undoes them once their handler returns), Done to Undo. Does not open a transaction.
 */
int sn_change_abort_tasks(SnState *st, int64_t change_id, int64_t now, SnError **reterr);

/*
 * POST /v2/changes/ID {"action":"abort"}: in its own transaction. -ENOENT for no such change,
 * -EBUSY (message "cannot abort change ID with nothing pending") for a ready one.
 */
int sn_change_abort(SnState *st, int64_t change_id, SnError **reterr);

/*
 * Prunes as snapd's State.Prune does, in its own transaction: ready changes whose ready time is
 * older than prune_wait, or beyond the newest max_ready ready changes, are deleted with their
 * tasks; changes that are not ready and have no tasks, spawned before prune_wait, are deleted;
 * changes not ready spawned before abort_wait are aborted. Times in ns. *ret_pruned (may be NULL)
 * counts deleted changes.
 */
int sn_state_prune(SnState *st, int64_t now, int64_t prune_wait, int64_t abort_wait, unsigned max_ready,
                   unsigned *ret_pruned, SnError **reterr);

/* snapd's defaults: prune ready changes after 24 h, abort unready ones after 3 days, keep 500. */
#define SN_PRUNE_WAIT_NS (24LL * 3600 * 1000000000)
#define SN_ABORT_WAIT_NS (3LL * 24 * 3600 * 1000000000)
#define SN_PRUNE_MAX_CHANGES 500U
