/* SPDX-License-Identifier: GPL-3.0-only */
#include "taskrunner.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fault.h"
#include "state-change.h"
#include "strutil.h"

#define MAX_WORKERS 8U

typedef struct Handler {
    char *kind;
    SnTaskHandler do_fn, undo_fn;
    void *userdata;
    bool noop; /* nothing to do: settled by the runner in batches (sn_taskrunner_add_noop) */
} Handler;

struct SnTaskRunner {
    SnState *st;
    pthread_cond_t cond; /* with the state mutex: something changed */
    Handler *handlers;
    size_t n_handlers;
    pthread_t threads[MAX_WORKERS];
    unsigned n_workers, n_started;
    int64_t running[MAX_WORKERS]; /* claimed task ids, 0 for a free slot */
    unsigned n_running;
    uint64_t generation; /* bumped by kick and by every finished task */
    atomic_bool stopping;
    bool started, joined;
};

typedef struct Commit {
    int (*fn)(SnState *st, void *userdata, SnError **reterr);
    void *userdata;
    void (*free_fn)(void *userdata);
} Commit;

struct SnTaskCtx {
    SnTaskRunner *runner;
    int64_t id, change_id;
    char *kind;
    bool undoing;
    json_t *data;
    char **log;
    Commit *commits;
    size_t n_commits;
    int64_t retry_after_ms;
};

int sn_taskrunner_new(SnState *st, unsigned workers, SnTaskRunner **ret)
{
    if (workers < 1 || workers > MAX_WORKERS)
        return -EINVAL;
    SnTaskRunner *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->st = st;
    r->n_workers = workers;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cond, &attr);
    pthread_condattr_destroy(&attr);
    *ret = r;
    return 0;
}

SnTaskRunner *sn_taskrunner_free(SnTaskRunner *r)
{
    if (!r)
        return NULL;
    sn_taskrunner_stop(r);
    for (size_t i = 0; i < r->n_handlers; i++)
        free(r->handlers[i].kind);
    free(r->handlers);
    pthread_cond_destroy(&r->cond);
    free(r);
    return NULL;
}

static const Handler *find_handler(const SnTaskRunner *r, const char *kind)
{
    for (size_t i = 0; i < r->n_handlers; i++)
        if (SN_STREQ(r->handlers[i].kind, kind))
            return &r->handlers[i];
    return NULL;
}

int sn_taskrunner_add_handler(SnTaskRunner *r, const char *kind, SnTaskHandler do_fn, SnTaskHandler undo_fn,
                              void *userdata)
{
    if (r->started || !do_fn)
        return -EINVAL;
    if (find_handler(r, kind))
        return -EEXIST;
    Handler *n = reallocarray(r->handlers, r->n_handlers + 1, sizeof(*n));
    if (!n)
        return -ENOMEM;
    r->handlers = n;
    char *k = strdup(kind);
    if (!k)
        return -ENOMEM;
    r->handlers[r->n_handlers++] = (Handler){k, do_fn, undo_fn, userdata};
    return 0;
}

static int noop_handler(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    return 0;
}

int sn_taskrunner_add_noop(SnTaskRunner *r, const char *kind)
{
    int ret = sn_taskrunner_add_handler(r, kind, noop_handler, NULL, NULL);
    if (ret < 0)
        return ret;
    r->handlers[r->n_handlers - 1].noop = true;
    return 0;
}

void sn_taskrunner_kick(SnTaskRunner *r)
{
    r->generation++;
    pthread_cond_broadcast(&r->cond);
}

static bool is_running(const SnTaskRunner *r, int64_t id)
{
    for (unsigned i = 0; i < MAX_WORKERS; i++)
        if (r->running[i] == id)
            return true;
    return false;
}

static void set_running(SnTaskRunner *r, int64_t id, bool on)
{
    for (unsigned i = 0; i < MAX_WORKERS; i++)
        if (on ? r->running[i] == 0 : r->running[i] == id) {
            r->running[i] = on ? id : 0;
            r->n_running += on ? 1 : -1;
            return;
        }
}

/* ---- the context ---- */

static void ctx_free(SnTaskCtx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n_commits; i++)
        if (ctx->commits[i].free_fn)
            ctx->commits[i].free_fn(ctx->commits[i].userdata);
    free(ctx->commits);
    sn_strv_free(ctx->log);
    json_decref(ctx->data);
    free(ctx->kind);
    free(ctx);
}

int64_t sn_task_ctx_id(const SnTaskCtx *ctx)
{
    return ctx->id;
}

int64_t sn_task_ctx_change_id(const SnTaskCtx *ctx)
{
    return ctx->change_id;
}

const char *sn_task_ctx_kind(const SnTaskCtx *ctx)
{
    return ctx->kind;
}

bool sn_task_ctx_undoing(const SnTaskCtx *ctx)
{
    return ctx->undoing;
}

SnState *sn_task_ctx_state(SnTaskCtx *ctx)
{
    return ctx->runner->st;
}

json_t *sn_task_ctx_data(SnTaskCtx *ctx)
{
    return ctx->data;
}

char *sn_task_ctx_snap_name(SnTaskCtx *ctx, SnError **reterr)
{
    const char *name = json_string_value(json_object_get(json_object_get(ctx->data, "snap-setup"), "name"));
    if (name)
        return strdup(name);
    json_t *tid = json_object_get(ctx->data, "snap-setup-task");
    if (!json_is_integer(tid)) {
        sn_error_set(reterr, -EINVAL, "internal error: %s task has no snap-setup", sn_task_ctx_kind(ctx));
        return NULL;
    }
    SnState *st = sn_task_ctx_state(ctx);
    _sn_cleanup_(sn_task_freep) SnTask *t = NULL;
    sn_state_lock(st);
    int r = sn_task_load(st, json_integer_value(tid), &t, reterr);
    sn_state_unlock(st);
    if (r < 0)
        return NULL;
    name = json_string_value(json_object_get(json_object_get(t->data, "snap-setup"), "name"));
    if (!name) {
        sn_error_set(reterr, -EINVAL, "internal error: snap-setup without a name");
        return NULL;
    }
    return strdup(name);
}

void sn_task_ctx_logf(SnTaskCtx *ctx, const char *fmt, ...)
{
    _sn_free_ char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n >= 0)
        (void)sn_strv_push(&ctx->log, msg);
}

int sn_task_ctx_on_commit(SnTaskCtx *ctx, int (*fn)(SnState *st, void *userdata, SnError **reterr), void *userdata,
                          void (*free_fn)(void *userdata))
{
    Commit *n = reallocarray(ctx->commits, ctx->n_commits + 1, sizeof(*n));
    if (!n) {
        if (free_fn)
            free_fn(userdata);
        return -ENOMEM;
    }
    ctx->commits = n;
    ctx->commits[ctx->n_commits++] = (Commit){fn, userdata, free_fn};
    return 0;
}

int sn_task_ctx_set_progress(SnTaskCtx *ctx, const char *label, int64_t done, int64_t total)
{
    SnState *st = ctx->runner->st;
    sn_state_lock(st);
    int r = sn_task_set_progress(st, ctx->id, label, done, total, NULL);
    sn_state_unlock(st);
    return r;
}

void sn_task_ctx_retry_after(SnTaskCtx *ctx, int64_t after_ms)
{
    ctx->retry_after_ms = after_ms;
}

bool sn_task_ctx_stopping(const SnTaskCtx *ctx)
{
    return atomic_load(&ctx->runner->stopping);
}

/* ---- claiming ---- */

/* Lock held. Moves a task in status `from` to `to` in a transaction of its own. */
static int move_task(SnTaskRunner *r, int64_t id, SnStatus to, SnError **reterr)
{
    int ret = sn_state_begin(r->st, reterr);
    if (ret < 0)
        return ret;
    ret = sn_task_set_status(r->st, id, to, sn_state_now(), reterr);
    if (ret < 0) {
        sn_state_rollback(r->st);
        return ret;
    }
    return sn_state_commit(r->st, reterr);
}

/*
 * Lock held. Claims a task for a worker (Do -> Doing, Undo -> Undoing). The record need not be
 * durable: after a crash a task found Do or Doing runs from its start alike, and the handler's
 * own result is committed durably (which flushes this one too).
 */
static int claim_task(SnTaskRunner *r, int64_t id, SnStatus to)
{
    int ret = sn_state_begin_lazy(r->st, NULL);
    if (ret < 0)
        return ret;
    ret = sn_task_set_status(r->st, id, to, sn_state_now(), NULL);
    if (ret < 0) {
        sn_state_rollback_lazy(r->st);
        return ret;
    }
    return sn_state_commit_lazy(r->st, NULL);
}

/*
 * Lock held. Marks Done every runnable Do task of a no-op kind, again and again while that makes
 * more runnable (a chain of them), in one lazy transaction. Returns how many, or -errno.
 */
static int settle_noops(SnTaskRunner *r)
{
    int64_t batch_start = sn_state_now();
    int ret = sn_state_begin_lazy(r->st, NULL);
    if (ret < 0)
        return ret;
    int total = 0;
    for (;;) {
        _sn_free_ int64_t *ids = NULL;
        size_t n = 0;
        {
            _sn_stmt_ sqlite3_stmt *s = NULL;
            ret = sn_state_prepare(r->st,
                                   "SELECT t.id, t.kind FROM tasks t WHERE t.status = 2 AND t.at_time <= ?1 AND "
                                   "NOT EXISTS (SELECT 1 FROM task_waits w JOIN tasks o ON o.id = w.wait_id "
                                   "  WHERE w.task_id = t.id AND o.status != 4) ORDER BY t.id",
                                   &s, NULL);
            if (ret < 0)
                goto fail;
            sqlite3_bind_int64(s, 1, sn_state_now());
            while (sqlite3_step(s) == SQLITE_ROW) {
                const Handler *h = find_handler(r, (const char *)sqlite3_column_text(s, 1));
                if (!h || !h->noop)
                    continue;
                int64_t *m = reallocarray(ids, n + 1, sizeof(*m));
                if (!m) {
                    ret = -ENOMEM;
                    goto fail;
                }
                ids = m;
                ids[n++] = sqlite3_column_int64(s, 0);
            }
        }
        if (n == 0)
            break;
        int64_t now = sn_state_now();
        for (size_t i = 0; i < n; i++) {
            ret = sn_task_set_status(r->st, ids[i], SN_STATUS_DONE, now, NULL);
            if (ret < 0)
                goto fail;
        }
        total += (int)n;
    }
    if (total == 0) {
        sn_state_rollback_lazy(r->st);
        return 0;
    }
    /* The same kill points as a worker's task boundary, for the crash tests. */
    if (sn_faulty("taskrunner-kill-before-commit"))
        raise(SIGKILL);
    ret = sn_state_commit_lazy(r->st, NULL);
    if (ret < 0)
        return ret;
    {
        /* A change these ended: its outcome is made durable. */
        _sn_stmt_ sqlite3_stmt *q = NULL;
        if (sn_state_prepare(r->st, "SELECT 1 FROM changes WHERE ready_time IS NOT NULL AND ready_time >= ?1 LIMIT 1",
                             &q, NULL) >= 0) {
            sqlite3_bind_int64(q, 1, batch_start);
            if (sqlite3_step(q) == SQLITE_ROW) {
                sqlite3_reset(q);
                ret = sn_state_sync(r->st, NULL);
                if (ret < 0)
                    return ret;
            }
        }
    }
    if (sn_faulty("taskrunner-kill-after-commit"))
        raise(SIGKILL);
    return total;
fail:
    sn_state_rollback_lazy(r->st);
    return ret;
}

/* Lock held. Fails a task (no handler, ...): Error, ERROR log entry, change aborted. */
static int fail_task(SnTaskRunner *r, int64_t id, int64_t change_id, const char *message, SnError **reterr)
{
    int64_t now = sn_state_now();
    int ret = sn_state_begin(r->st, reterr);
    if (ret < 0)
        return ret;
    ret = sn_change_abort_tasks(r->st, change_id, now, reterr);
    if (ret >= 0)
        ret = sn_task_set_status(r->st, id, SN_STATUS_ERROR, now, reterr);
    if (ret >= 0)
        ret = sn_task_log(r->st, id, SN_TASK_LOG_ERROR, message, now, reterr);
    if (ret < 0) {
        sn_state_rollback(r->st);
        return ret;
    }
    return sn_state_commit(r->st, reterr);
}

/*
 * Lock held. Finds the next task a worker may run and returns its context (Do/Undo already moved
 * to Doing/Undoing and committed), NULL when there is none. Tasks that need no handler (Abort
 * not running, Undo without an undo handler, unknown kinds) are settled on the way.
 */
static int claim_next(SnTaskRunner *r, SnTaskCtx **ret_ctx, int64_t *ret_next_at)
{
    SnState *st = r->st;
    int64_t now = sn_state_now();
    *ret_ctx = NULL;
    *ret_next_at = 0;
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int ret =
        sn_state_prepare(st,
                         "SELECT t.id, t.change_id, t.kind, t.status, t.at_time FROM tasks t WHERE "
                         "(t.status = 2 AND NOT EXISTS (SELECT 1 FROM task_waits w JOIN tasks o ON o.id = w.wait_id "
                         "  WHERE w.task_id = t.id AND o.status != 4)) "
                         "OR t.status IN (3, 5, 7) "
                         "OR (t.status = 6 AND NOT EXISTS (SELECT 1 FROM task_waits w JOIN tasks o ON o.id = w.task_id "
                         "  WHERE w.wait_id = t.id AND o.status NOT IN (1, 4, 8, 9))) "
                         "ORDER BY t.id",
                         &s, NULL);
    if (ret < 0)
        return ret;

    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        if (is_running(r, id))
            continue;
        int64_t change_id = sqlite3_column_int64(s, 1);
        const char *kind = (const char *)sqlite3_column_text(s, 2);
        SnStatus status = (SnStatus)sqlite3_column_int(s, 3);
        int64_t at = sqlite3_column_int64(s, 4);
        const Handler *h = find_handler(r, kind);

        if (!h) {
            _sn_free_ char *msg = sn_strdup_printf("no handler for task kind \"%s\"", kind);
            sqlite3_reset(s);
            ret = fail_task(r, id, change_id, msg ? msg : "no handler", NULL);
            return ret < 0 ? ret : -EAGAIN; /* rescan: statuses moved */
        }
        if (status == SN_STATUS_ABORT) {
            /* Stopped in flight by an earlier run: undo it, or hold it if it cannot be undone. */
            sqlite3_reset(s);
            ret = move_task(r, id, h->undo_fn ? SN_STATUS_UNDO : SN_STATUS_HOLD, NULL);
            return ret < 0 ? ret : -EAGAIN;
        }
        if (status == SN_STATUS_UNDO && !h->undo_fn) {
            sqlite3_reset(s);
            ret = move_task(r, id, SN_STATUS_DONE, NULL);
            return ret < 0 ? ret : -EAGAIN;
        }
        if (at > now) {
            if (*ret_next_at == 0 || at < *ret_next_at)
                *ret_next_at = at;
            continue;
        }
        if (h->noop && status == SN_STATUS_DO) {
            sqlite3_reset(s);
            ret = settle_noops(r);
            return ret < 0 ? ret : -EAGAIN;
        }

        SnTaskCtx *ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
            return -ENOMEM;
        ctx->runner = r;
        ctx->id = id;
        ctx->change_id = change_id;
        ctx->kind = strdup(kind);
        ctx->undoing = status == SN_STATUS_UNDO || status == SN_STATUS_UNDOING;
        sqlite3_reset(s);
        _sn_cleanup_(sn_task_freep) SnTask *t = NULL;
        ret = sn_task_load(st, id, &t, NULL);
        if (ret >= 0 && !ctx->kind)
            ret = -ENOMEM;
        if (ret >= 0) {
            ctx->data = json_incref(t->data);
            if (status == SN_STATUS_DO || status == SN_STATUS_UNDO)
                ret = claim_task(r, id, status == SN_STATUS_DO ? SN_STATUS_DOING : SN_STATUS_UNDOING);
        }
        if (ret < 0) {
            ctx_free(ctx);
            return ret;
        }
        *ret_ctx = ctx;
        return 0;
    }
    if (rc != SQLITE_DONE)
        return sn_state_sql_error(st, NULL, "cannot look for runnable tasks");
    return 0;
}

/* ---- finishing ---- */

static int write_bookkeeping(SnTaskRunner *r, SnTaskCtx *ctx, int64_t now, SnError **reterr)
{
    int ret = sn_task_set_data(r->st, ctx->id, ctx->data, reterr);
    for (char **l = ctx->log; ret >= 0 && l && *l; l++)
        ret = sn_task_log(r->st, ctx->id, SN_TASK_LOG_INFO, *l, now, reterr);
    return ret;
}

static int task_status(SnTaskRunner *r, int64_t id, SnStatus *ret_status)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int ret = sn_state_prepare(r->st, "SELECT status FROM tasks WHERE id = ?1", &s, NULL);
    if (ret < 0)
        return ret;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW)
        return -ENOENT;
    *ret_status = (SnStatus)sqlite3_column_int(s, 0);
    return 0;
}

/* Lock held. Records a handler's success in one transaction. */
/* Lock held. Whether the change is ready (its outcome must then be durable). */
static bool change_ready(SnTaskRunner *r, int64_t change_id)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    if (sn_state_prepare(r->st, "SELECT ready_time IS NOT NULL FROM changes WHERE id = ?1", &s, NULL) < 0)
        return true; /* when in doubt, sync */
    sqlite3_bind_int64(s, 1, change_id);
    return sqlite3_step(s) != SQLITE_ROW || sqlite3_column_int(s, 0) != 0;
}

/*
 * Lock held. Records a handler's success in one transaction. The commit is lazy: a power cut
 * before the change's end makes the task run again from its start, which handlers allow (they are
 * idempotent: kill -9 keeps what was committed, only the disk cache can lose it); once the change
 * is ready, everything it recorded is made durable.
 */
static int finish_ok(SnTaskRunner *r, SnTaskCtx *ctx, SnError **reterr)
{
    int64_t now = sn_state_now();
    int ret = sn_state_begin_lazy(r->st, reterr);
    if (ret < 0)
        return ret;
    SnStatus status;
    ret = task_status(r, ctx->id, &status);
    if (ret >= 0)
        ret = write_bookkeeping(r, ctx, now, reterr);
    for (size_t i = 0; ret >= 0 && i < ctx->n_commits; i++)
        ret = ctx->commits[i].fn(r->st, ctx->commits[i].userdata, reterr);
    if (ret >= 0) {
        SnStatus next = status == SN_STATUS_DOING     ? SN_STATUS_DONE
                        : status == SN_STATUS_ABORT   ? SN_STATUS_UNDO /* it did finish: undo it */
                        : status == SN_STATUS_UNDOING ? SN_STATUS_UNDONE
                                                      : status;
        ret = sn_task_set_status(r->st, ctx->id, next, now, reterr);
    }
    if (ret < 0) {
        sn_state_rollback_lazy(r->st);
        return ret;
    }
    ret = sn_state_commit_lazy(r->st, reterr);
    if (ret >= 0 && change_ready(r, ctx->change_id))
        ret = sn_state_sync(r->st, reterr);
    return ret;
}

/* Lock held. Records a handler's failure: Error, ERROR log entry, the change aborted. */
static int finish_error(SnTaskRunner *r, SnTaskCtx *ctx, const char *message)
{
    int64_t now = sn_state_now();
    int ret = sn_state_begin(r->st, NULL);
    if (ret < 0)
        return ret;
    ret = write_bookkeeping(r, ctx, now, NULL);
    if (ret >= 0)
        ret = sn_change_abort_tasks(r->st, ctx->change_id, now, NULL);
    if (ret >= 0)
        ret = sn_task_set_status(r->st, ctx->id, SN_STATUS_ERROR, now, NULL);
    if (ret >= 0)
        ret = sn_task_log(r->st, ctx->id, SN_TASK_LOG_ERROR, message, now, NULL);
    if (ret < 0) {
        sn_state_rollback(r->st);
        return ret;
    }
    return sn_state_commit(r->st, NULL);
}

static int finish_retry(SnTaskRunner *r, SnTaskCtx *ctx)
{
    int64_t now = sn_state_now();
    int ret = sn_state_begin(r->st, NULL);
    if (ret < 0)
        return ret;
    SnStatus status;
    ret = task_status(r, ctx->id, &status);
    if (ret >= 0)
        ret = write_bookkeeping(r, ctx, now, NULL);
    if (ret >= 0 && status == SN_STATUS_ABORT) {
        /* Aborted while it waited to retry: undo what it may have done. */
        const Handler *h = find_handler(r, ctx->kind);
        ret = sn_task_set_status(r->st, ctx->id, h && h->undo_fn ? SN_STATUS_UNDO : SN_STATUS_HOLD, now, NULL);
    } else if (ret >= 0)
        ret = sn_task_set_at(r->st, ctx->id, ctx->retry_after_ms > 0 ? now + ctx->retry_after_ms * 1000000 : 0, NULL);
    if (ret < 0) {
        sn_state_rollback(r->st);
        return ret;
    }
    return sn_state_commit(r->st, NULL);
}

/* Lock held. */
static void finish(SnTaskRunner *r, SnTaskCtx *ctx, int result, const SnError *err)
{
    /* Simulates kill -9 at a task boundary: after the handler's effects, before their record. */
    if (sn_faulty("taskrunner-kill-before-commit"))
        raise(SIGKILL);

    if (result < 0 && atomic_load(&r->stopping))
        return; /* probably cancelled by the stop: leave it Doing/Undoing to run again */

    int ret;
    if (result == SN_TASK_RETRY)
        ret = finish_retry(r, ctx);
    else if (result >= 0) {
        SnError *commit_err = NULL;
        ret = finish_ok(r, ctx, &commit_err);
        if (ret < 0)
            ret = finish_error(r, ctx, sn_error_message(commit_err, ret));
        sn_error_free(commit_err);
    } else
        ret = finish_error(r, ctx, sn_error_message(err, result));
    (void)ret; /* On a failed write the task stays Doing and runs again: the safe direction. */

    if (sn_faulty("taskrunner-kill-after-commit"))
        raise(SIGKILL);
}

static void *worker_main(void *userdata)
{
    SnTaskRunner *r = userdata;
    SnState *st = r->st;
    sn_state_lock(st);
    while (!atomic_load(&r->stopping)) {
        SnTaskCtx *ctx = NULL;
        int64_t next_at = 0;
        uint64_t gen = r->generation;
        int ret = claim_next(r, &ctx, &next_at);
        if (ret == -EAGAIN)
            continue;
        if (!ctx) {
            /* Nothing to do: sleep until kicked, until the next scheduled task, or 1 s on errors. */
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            int64_t wait_ns = 60LL * 1000000000;
            if (ret < 0)
                wait_ns = 1000000000;
            if (next_at > 0)
                wait_ns = SN_MIN(wait_ns, SN_MAX(next_at - sn_state_now(), 1000000));
            until.tv_sec += wait_ns / 1000000000;
            until.tv_nsec += wait_ns % 1000000000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            while (gen == r->generation && !atomic_load(&r->stopping))
                if (pthread_cond_timedwait(&r->cond, sn_state_mutex(st), &until) == ETIMEDOUT)
                    break;
            continue;
        }

        set_running(r, ctx->id, true);
        const Handler *h = find_handler(r, ctx->kind);
        sn_state_unlock(st);

        SnError *err = NULL;
        int result = ctx->undoing ? h->undo_fn(ctx, h->userdata, &err) : h->do_fn(ctx, h->userdata, &err);

        sn_state_lock(st);
        finish(r, ctx, result, err);
        set_running(r, ctx->id, false);
        sn_error_free(err);
        ctx_free(ctx);
        sn_taskrunner_kick(r);
    }
    sn_state_unlock(st);
    return NULL;
}

int sn_taskrunner_start(SnTaskRunner *r)
{
    if (r->started)
        return -EALREADY;
    r->started = true;
    for (unsigned i = 0; i < r->n_workers; i++) {
        int e = pthread_create(&r->threads[i], NULL, worker_main, r);
        if (e != 0) {
            sn_taskrunner_stop(r);
            return -e;
        }
        r->n_started++;
    }
    return 0;
}

void sn_taskrunner_stop(SnTaskRunner *r)
{
    if (!r->started || r->joined)
        return;
    sn_state_lock(r->st);
    atomic_store(&r->stopping, true);
    sn_taskrunner_kick(r);
    sn_state_unlock(r->st);
    for (unsigned i = 0; i < r->n_started; i++)
        pthread_join(r->threads[i], NULL);
    r->joined = true;
}

/* Lock held. True when some task could run now. */
static bool has_runnable(SnTaskRunner *r)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    if (sn_state_prepare(r->st,
                         "SELECT 1 FROM tasks t WHERE t.at_time <= ?1 AND ("
                         "(t.status = 2 AND NOT EXISTS (SELECT 1 FROM task_waits w JOIN tasks o ON o.id = w.wait_id "
                         "  WHERE w.task_id = t.id AND o.status != 4)) "
                         "OR t.status IN (3, 5, 7) "
                         "OR (t.status = 6 AND NOT EXISTS (SELECT 1 FROM task_waits w JOIN tasks o ON o.id = "
                         "w.task_id WHERE w.wait_id = t.id AND o.status NOT IN (1, 4, 8, 9)))) LIMIT 1",
                         &s, NULL) < 0)
        return true;
    sqlite3_bind_int64(s, 1, sn_state_now());
    return sqlite3_step(s) == SQLITE_ROW;
}

int sn_taskrunner_settle(SnTaskRunner *r, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    int ret = 0;
    sn_state_lock(r->st);
    while (r->n_running > 0 || has_runnable(r)) {
        if (atomic_load(&r->stopping) && r->n_running == 0)
            break;
        /* Wake up now and then: a worker may be asleep on a task that became due. */
        struct timespec step;
        clock_gettime(CLOCK_MONOTONIC, &step);
        step.tv_nsec += 50000000;
        if (step.tv_nsec >= 1000000000) {
            step.tv_sec++;
            step.tv_nsec -= 1000000000;
        }
        if (step.tv_sec > until.tv_sec || (step.tv_sec == until.tv_sec && step.tv_nsec > until.tv_nsec))
            step = until;
        sn_taskrunner_kick(r);
        if (pthread_cond_timedwait(&r->cond, sn_state_mutex(r->st), &step) == ETIMEDOUT) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec)) {
                ret = -ETIMEDOUT;
                break;
            }
        }
    }
    sn_state_unlock(r->st);
    return ret;
}
