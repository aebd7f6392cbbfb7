/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The change/task engine (snapd's overlord/state TaskRunner): a small pool of worker threads runs
 * the tasks of the changes in the state, calling the do or undo handler registered for each kind.
 *
 * Rules, as snapd's:
 * - a task in Do runs when every task it waits for is Done; it goes Doing, then Done on success;
 * - a handler failure makes the task Error (its message logged as an ERROR entry) and aborts its
 *   change: tasks in Do go to Hold, Done ones to Undo; an Undo task runs its undo handler when
 *   every task that waits for it is ready, so undo goes in reverse order; Undo without an undo
 *   handler counts as Done;
 * - an aborted (POST /v2/changes/ID) change is undone the same way; a task that was running when
 *   the abort came is undone once its handler returns;
 * - the status change of a task and the bookkeeping of its handler (task data, log entries, and
 *   the handler's own state updates registered with sn_task_ctx_on_commit) commit in one
 *   transaction: after a crash a task found Doing runs again from its start, one found Undoing
 *   has its undo run again. Handlers must therefore be idempotent.
 * - durability: a process crash (kill -9) loses nothing committed. To spare fsyncs, a task's claim
 *   and its success are committed lazily (no fsync) and the change's outcome durably once it is
 *   ready (failures are always durable): a power cut in between makes the change's tasks since its
 *   last durable point run again, which idempotent handlers allow.
 *
 * Locking: the runner waits on the state lock's mutex. Functions marked "lock held" expect the
 * caller to hold sn_state_lock(); the others take it themselves.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "state.h"

typedef struct SnTaskRunner SnTaskRunner;
typedef struct SnTaskCtx SnTaskCtx;

/* A handler's result besides 0 (done) and -errno (failed, message in *reterr): run me again later. */
#define SN_TASK_RETRY 1

/*
 * A do or undo handler. Runs on a worker thread without the state lock (it may take it to read).
 * Returns 0, SN_TASK_RETRY (after sn_task_ctx_retry_after, or at once), or -errno with a message.
 */
typedef int (*SnTaskHandler)(SnTaskCtx *ctx, void *userdata, SnError **reterr);

/* A runner over st (borrowed; must outlive it) with 1-8 workers, not started. */
int sn_taskrunner_new(SnState *st, unsigned workers, SnTaskRunner **ret);
/* Stops it (as sn_taskrunner_stop) and frees it. Accepts NULL; returns NULL. Lock not held. */
SnTaskRunner *sn_taskrunner_free(SnTaskRunner *r);
SN_DEFINE_CLEANUP_FUNC(SnTaskRunner *, sn_taskrunner_free)

/* Registers the handlers of a kind (undo may be NULL). Before start. -EEXIST for a kind twice. */
int sn_taskrunner_add_handler(SnTaskRunner *r, const char *kind, SnTaskHandler do_fn, SnTaskHandler undo_fn,
                              void *userdata);

/*
 * Registers a kind whose tasks have nothing to do yet (snapd's tasks for services, aliases or
 * interfaces before those exist): the runner marks every runnable Do task of such kinds Done
 * itself, many in one transaction, without a worker or an fsync of their own (losing that record in
 * a crash only makes them "run" again). Their undo is nothing either. -EEXIST for a kind twice.
 */
int sn_taskrunner_add_noop(SnTaskRunner *r, const char *kind);

/* Starts the workers. Tasks left Doing/Undoing by a previous run are picked up first. Lock not held. */
int sn_taskrunner_start(SnTaskRunner *r);

/* Tells the workers the state changed (a new change, an abort). Lock held. */
void sn_taskrunner_kick(SnTaskRunner *r);

/*
 * Stops: no new task starts, running handlers are waited for (they see sn_task_ctx_stopping()),
 * and a handler that fails while stopping leaves its task Doing (or Undoing), to run again on the
 * next start. Idempotent. Lock not held.
 */
void sn_taskrunner_stop(SnTaskRunner *r);

/*
 * Waits until nothing runs and nothing is runnable (tasks scheduled for later don't count), or
 * timeout_ms passes (-ETIMEDOUT). Lock not held. For tests and an orderly shutdown.
 */
int sn_taskrunner_settle(SnTaskRunner *r, int timeout_ms);

/* ---- for handlers ---- */

int64_t sn_task_ctx_id(const SnTaskCtx *ctx);
int64_t sn_task_ctx_change_id(const SnTaskCtx *ctx);
const char *sn_task_ctx_kind(const SnTaskCtx *ctx);
/* True while running an undo handler. */
bool sn_task_ctx_undoing(const SnTaskCtx *ctx);
SnState *sn_task_ctx_state(SnTaskCtx *ctx);
/* The task's data, owned by the context: change it in place; it is stored with the task's status. */
json_t *sn_task_ctx_data(SnTaskCtx *ctx);
/*
 * The snap a task is about: the name in its snap-setup, or in that of its snap-setup-task (snapd's
 * TaskSnapSetup). Caller frees; NULL with a message when there is none. Lock not held.
 */
char *sn_task_ctx_snap_name(SnTaskCtx *ctx, SnError **reterr);
/* Adds an INFO log entry, stored with the task's status. */
void sn_task_ctx_logf(SnTaskCtx *ctx, const char *fmt, ...) _sn_printf_(2, 3);
/*
 * Registers fn to run inside the transaction that records the handler's success (lock held,
 * transaction open). If fn fails the transaction is rolled back and the task fails with fn's
 * error. free_fn (may be NULL) releases userdata afterwards either way.
 */
int sn_task_ctx_on_commit(SnTaskCtx *ctx, int (*fn)(SnState *st, void *userdata, SnError **reterr), void *userdata,
                          void (*free_fn)(void *userdata));
/* Stores progress at once, in a transaction of its own. */
int sn_task_ctx_set_progress(SnTaskCtx *ctx, const char *label, int64_t done, int64_t total);
/* With SN_TASK_RETRY: run again no sooner than after_ms from now. */
void sn_task_ctx_retry_after(SnTaskCtx *ctx, int64_t after_ms);
/* True when the runner is stopping: a long handler should return (an error is fine: it will rerun). */
bool sn_task_ctx_stopping(const SnTaskCtx *ctx);
