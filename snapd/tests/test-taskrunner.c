/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fd-util.h"
#include "state-change.h"
#include "taskrunner.h"

static char root[] = "/tmp/sn-runner-XXXXXX";
static char calls_path[300];
static SnState *st;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    snprintf(calls_path, sizeof(calls_path), "%s/calls", root);
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
}

static void teardown(void)
{
    st = sn_state_free(st);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(taskrunner, .init = setup, .fini = teardown, .timeout = 60);

/* Every handler call is appended to a file, so that a killed child's calls survive it. */
static void record(const char *what, const char *kind)
{
    char line[128];
    int n = snprintf(line, sizeof(line), "%s:%s\n", what, kind);
    int fd = open(calls_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(sn_write_all(fd, line, (size_t)n), 0);
    close(fd);
}

static char *calls(void)
{
    char *data = NULL;
    if (sn_read_file_at(AT_FDCWD, calls_path, 1 << 20, &data, NULL) < 0)
        return strdup("");
    return data;
}

static atomic_int fail_kind_calls;

static int do_ok(SnTaskCtx *ctx, void *ud, SnError **reterr)
{
    record("do", sn_task_ctx_kind(ctx));
    json_object_set_new(sn_task_ctx_data(ctx), "did", json_true());
    sn_task_ctx_logf(ctx, "did %s", sn_task_ctx_kind(ctx));
    return 0;
}

static int undo_ok(SnTaskCtx *ctx, void *ud, SnError **reterr)
{
    record("undo", sn_task_ctx_kind(ctx));
    return 0;
}

static int do_fail(SnTaskCtx *ctx, void *ud, SnError **reterr)
{
    record("do", sn_task_ctx_kind(ctx));
    atomic_fetch_add(&fail_kind_calls, 1);
    return sn_error_set(reterr, -EIO, "cannot frobnicate: disk on fire");
}

static int64_t make_chain(const char *snap, const char *const *kinds, size_t n)
{
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = sn_new_change_new("test-change", "A test change");
    if (snap)
        cr_assert_eq(sn_new_change_add_snap(c, snap), 0);
    for (size_t i = 0; i < n; i++) {
        char summary[64];
        snprintf(summary, sizeof(summary), "Task %s", kinds[i]);
        cr_assert_eq(sn_new_change_add_task(c, kinds[i], summary, NULL, NULL), 0);
    }
    cr_assert_eq(sn_new_change_chain(c), 0);
    int64_t id;
    sn_state_lock(st);
    cr_assert_eq(sn_change_create(st, c, &id, NULL, NULL), 0);
    sn_state_unlock(st);
    return id;
}

static SnChange *load(int64_t id)
{
    SnChange *c = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_change_load(st, id, &c, NULL), 0);
    sn_state_unlock(st);
    return c;
}

static SnTaskRunner *runner(unsigned workers)
{
    SnTaskRunner *r = NULL;
    cr_assert_eq(sn_taskrunner_new(st, workers, &r), 0);
    cr_assert_eq(sn_taskrunner_add_handler(r, "a", do_ok, undo_ok, NULL), 0);
    cr_assert_eq(sn_taskrunner_add_handler(r, "b", do_ok, undo_ok, NULL), 0);
    cr_assert_eq(sn_taskrunner_add_handler(r, "c", do_ok, undo_ok, NULL), 0);
    cr_assert_eq(sn_taskrunner_add_handler(r, "no-undo", do_ok, NULL, NULL), 0);
    cr_assert_eq(sn_taskrunner_add_handler(r, "fail", do_fail, undo_ok, NULL), 0);
    return r;
}

static void run_to_end(SnTaskRunner *r)
{
    cr_assert_eq(sn_taskrunner_start(r), 0);
    cr_assert_eq(sn_taskrunner_settle(r, 20000), 0);
}

Test(taskrunner, runs_a_chain_in_order_and_records_data_and_log)
{
    const char *kinds[] = {"a", "b", "c"};
    int64_t id = make_chain("snap", kinds, 3);
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(3);
    run_to_end(r);
    _sn_free_ char *got = calls();
    cr_assert_str_eq(got, "do:a\ndo:b\ndo:c\n");
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_DONE);
    cr_assert_gt(c->ready_time, 0);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(c->tasks[i].status, SN_STATUS_DONE);
        cr_assert(json_is_true(json_object_get(c->tasks[i].data, "did")));
        cr_assert_not_null(strstr(json_string_value(json_array_get(c->tasks[i].log, 0)), " INFO did "));
    }
}

Test(taskrunner, refuses_bad_handlers)
{
    SnTaskRunner *r = NULL;
    cr_assert_eq(sn_taskrunner_new(st, 0, &r), -EINVAL);
    cr_assert_eq(sn_taskrunner_new(st, 99, &r), -EINVAL);
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *ok = runner(2);
    cr_assert_eq(sn_taskrunner_add_handler(ok, "a", do_ok, NULL, NULL), -EEXIST);
    cr_assert_eq(sn_taskrunner_add_handler(ok, "z", NULL, NULL, NULL), -EINVAL);
}

Test(taskrunner, failure_undoes_done_tasks_in_reverse_order)
{
    const char *kinds[] = {"a", "b", "no-undo", "c", "fail", "a"};
    int64_t id = make_chain("snap", kinds, 6);
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    run_to_end(r);
    _sn_free_ char *got = calls();
    cr_assert_str_eq(got, "do:a\ndo:b\ndo:no-undo\ndo:c\ndo:fail\nundo:c\nundo:b\nundo:a\n");
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    cr_assert_eq(c->tasks[0].status, SN_STATUS_UNDONE);
    cr_assert_eq(c->tasks[1].status, SN_STATUS_UNDONE);
    cr_assert_eq(c->tasks[2].status, SN_STATUS_DONE); /* cannot be undone: snapd leaves it Done */
    cr_assert_eq(c->tasks[3].status, SN_STATUS_UNDONE);
    cr_assert_eq(c->tasks[4].status, SN_STATUS_ERROR);
    cr_assert_eq(c->tasks[5].status, SN_STATUS_HOLD);
    _sn_free_ char *err = sn_change_err(c);
    cr_assert_str_eq(err, "cannot perform the following tasks:\n- Task fail (cannot frobnicate: disk on fire)");
    /* The snap is free again. */
    sn_state_lock(st);
    cr_assert_eq(sn_change_find_conflict(st, "snap", NULL, NULL), 0);
    sn_state_unlock(st);
}

Test(taskrunner, unknown_kind_fails_the_change)
{
    const char *kinds[] = {"a", "mystery"};
    int64_t id = make_chain(NULL, kinds, 2);
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    run_to_end(r);
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    cr_assert_eq(c->tasks[0].status, SN_STATUS_UNDONE);
    _sn_free_ char *err = sn_change_err(c);
    cr_assert_str_eq(err, "cannot perform the following tasks:\n- Task mystery (no handler for task kind \"mystery\")");
}

/* ---- a handler that blocks until released ---- */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_entered, gate_open;

static int do_gate(SnTaskCtx *ctx, void *ud, SnError **reterr)
{
    record("do", sn_task_ctx_kind(ctx));
    pthread_mutex_lock(&gate_mu);
    gate_entered++;
    pthread_cond_broadcast(&gate_cv);
    while (!gate_open && !sn_task_ctx_stopping(ctx)) {
        /* Poll for the stop, as a long handler would. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 10000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&gate_cv, &gate_mu, &ts);
    }
    bool stopping = !gate_open;
    pthread_mutex_unlock(&gate_mu);
    if (stopping)
        return sn_error_set(reterr, -ECANCELED, "interrupted");
    return 0;
}

static void wait_entered(int n)
{
    pthread_mutex_lock(&gate_mu);
    while (gate_entered < n)
        pthread_cond_wait(&gate_cv, &gate_mu);
    pthread_mutex_unlock(&gate_mu);
}

static void open_gate(void)
{
    pthread_mutex_lock(&gate_mu);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
}

Test(taskrunner, abort_undoes_a_running_change_once_its_task_returns)
{
    const char *kinds[] = {"a", "gate", "b"};
    int64_t id = make_chain("snap", kinds, 3);
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    cr_assert_eq(sn_taskrunner_add_handler(r, "gate", do_gate, undo_ok, NULL), 0);
    cr_assert_eq(sn_taskrunner_start(r), 0);
    wait_entered(1);

    sn_state_lock(st);
    cr_assert_eq(sn_change_abort(st, id, NULL), 0);
    sn_taskrunner_kick(r);
    sn_state_unlock(st);
    _sn_cleanup_(sn_change_freep) SnChange *mid = load(id);
    cr_assert_eq(mid->status, SN_STATUS_ABORT);
    cr_assert_eq(mid->tasks[1].status, SN_STATUS_ABORT);
    cr_assert_eq(mid->tasks[2].status, SN_STATUS_HOLD);

    open_gate();
    cr_assert_eq(sn_taskrunner_settle(r, 20000), 0);
    _sn_free_ char *got = calls();
    cr_assert_str_eq(got, "do:a\ndo:gate\nundo:gate\nundo:a\n");
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->tasks[0].status, SN_STATUS_UNDONE);
    cr_assert_eq(c->tasks[1].status, SN_STATUS_UNDONE);
    cr_assert_eq(c->tasks[2].status, SN_STATUS_HOLD);
    cr_assert_eq(c->status, SN_STATUS_UNDONE);
    cr_assert_gt(c->ready_time, 0);
}

Test(taskrunner, independent_changes_run_in_parallel)
{
    const char *kinds[] = {"gate"};
    int64_t a = make_chain("one", kinds, 1);
    int64_t b = make_chain("two", kinds, 1);
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    cr_assert_eq(sn_taskrunner_add_handler(r, "gate", do_gate, undo_ok, NULL), 0);
    cr_assert_eq(sn_taskrunner_start(r), 0);
    wait_entered(2); /* both handlers are inside at once: two workers */
    open_gate();
    cr_assert_eq(sn_taskrunner_settle(r, 20000), 0);
    _sn_cleanup_(sn_change_freep) SnChange *ca = load(a);
    _sn_cleanup_(sn_change_freep) SnChange *cb = load(b);
    cr_assert_eq(ca->status, SN_STATUS_DONE);
    cr_assert_eq(cb->status, SN_STATUS_DONE);
}

Test(taskrunner, stop_leaves_a_running_task_to_run_again)
{
    const char *kinds[] = {"a", "gate", "b"};
    int64_t id = make_chain("snap", kinds, 3);
    {
        _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
        cr_assert_eq(sn_taskrunner_add_handler(r, "gate", do_gate, undo_ok, NULL), 0);
        cr_assert_eq(sn_taskrunner_start(r), 0);
        wait_entered(1);
        sn_taskrunner_stop(r); /* the gate handler sees stopping and fails */
    }
    _sn_cleanup_(sn_change_freep) SnChange *mid = load(id);
    cr_assert_eq(mid->tasks[0].status, SN_STATUS_DONE);
    cr_assert_eq(mid->tasks[1].status, SN_STATUS_DOING);
    cr_assert_eq(mid->tasks[2].status, SN_STATUS_DO);

    open_gate();
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r2 = runner(2);
    cr_assert_eq(sn_taskrunner_add_handler(r2, "gate", do_gate, undo_ok, NULL), 0);
    run_to_end(r2);
    _sn_free_ char *got = calls();
    cr_assert_str_eq(got, "do:a\ndo:gate\ndo:gate\ndo:b\n");
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_DONE);
}

static atomic_int retries;

static int do_retry_twice(SnTaskCtx *ctx, void *ud, SnError **reterr)
{
    record("do", sn_task_ctx_kind(ctx));
    if (atomic_fetch_add(&retries, 1) < 2) {
        sn_task_ctx_retry_after(ctx, 20);
        return SN_TASK_RETRY;
    }
    return 0;
}

Test(taskrunner, retry_runs_the_handler_again_later)
{
    const char *kinds[] = {"retry", "a"};
    int64_t id = make_chain(NULL, kinds, 2);
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    cr_assert_eq(sn_taskrunner_add_handler(r, "retry", do_retry_twice, NULL, NULL), 0);
    cr_assert_eq(sn_taskrunner_start(r), 0);
    /* settle ignores tasks scheduled for later: wait for the change itself. */
    for (int i = 0; i < 200; i++) {
        _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
        if (c->ready_time)
            break;
        usleep(10000);
    }
    _sn_free_ char *got = calls();
    cr_assert_str_eq(got, "do:retry\ndo:retry\ndo:retry\ndo:a\n");
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_DONE);
}

static int bookkeeping_ok(SnState *s, void *ud, SnError **reterr)
{
    return sn_state_kv_set(s, "book", ud, reterr);
}

static int bookkeeping_fail(SnState *s, void *ud, SnError **reterr)
{
    int r = sn_state_kv_set(s, "book", "\"half\"", reterr);
    if (r < 0)
        return r;
    return sn_error_set(reterr, -ENOSPC, "cannot record: no space");
}

static int do_book(SnTaskCtx *ctx, void *ud, SnError **reterr)
{
    json_object_set_new(sn_task_ctx_data(ctx), "touched", json_true());
    return sn_task_ctx_on_commit(ctx, ud ? bookkeeping_fail : bookkeeping_ok, strdup("\"whole\""), free);
}

Test(taskrunner, bookkeeping_commits_with_the_status)
{
    const char *kinds[] = {"book"};
    int64_t id = make_chain(NULL, kinds, 1);
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    cr_assert_eq(sn_taskrunner_add_handler(r, "book", do_book, NULL, NULL), 0);
    run_to_end(r);
    _sn_free_ char *v = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_state_kv_get(st, "book", &v, NULL), 0);
    sn_state_unlock(st);
    cr_assert_str_eq(v, "\"whole\"");
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_DONE);
}

Test(taskrunner, failed_bookkeeping_rolls_back_and_fails_the_task)
{
    const char *kinds[] = {"a", "book"};
    int64_t id = make_chain(NULL, kinds, 2);
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    cr_assert_eq(sn_taskrunner_add_handler(r, "book", do_book, NULL, (void *)1), 0);
    run_to_end(r);
    _sn_free_ char *v = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_state_kv_get(st, "book", &v, NULL), 0);
    sn_state_unlock(st);
    cr_assert_null(v, "half-written bookkeeping survived: %s", v);
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    cr_assert_eq(c->tasks[0].status, SN_STATUS_UNDONE);
    _sn_free_ char *err = sn_change_err(c);
    cr_assert_str_eq(err, "cannot perform the following tasks:\n- Task book (cannot record: no space)");
}

#if SN_FAULT_INJECTION
/*
 * kill -9 of the daemon at a task boundary, for real: a child runs the change with a fault that
 * raises SIGKILL before (or after) the n-th task's record is committed; the parent reopens the
 * state as a restarted daemon would and runs it to the end.
 */
static void run_child_until_killed(const char *faults)
{
    st = sn_state_free(st); /* the child takes the lock */
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setenv("SN_FAULTS", faults, 1);
        SnState *cst = NULL;
        if (sn_state_open(root, &cst, NULL) < 0)
            _exit(3);
        st = cst;
        SnTaskRunner *r = runner(1);
        sn_taskrunner_start(r);
        sn_taskrunner_settle(r, 20000);
        _exit(4); /* not killed: the test fails */
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child was not killed (status %d)", status);
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
}

Test(taskrunner, task_killed_before_its_commit_runs_again_from_its_start)
{
    const char *kinds[] = {"a", "b", "c"};
    int64_t id = make_chain("snap", kinds, 3);
    run_child_until_killed("taskrunner-kill-before-commit:2");

    _sn_cleanup_(sn_change_freep) SnChange *mid = load(id);
    cr_assert_eq(mid->tasks[0].status, SN_STATUS_DONE);
    cr_assert_eq(mid->tasks[1].status, SN_STATUS_DOING);
    cr_assert_eq(mid->tasks[2].status, SN_STATUS_DO);
    cr_assert_null(json_object_get(mid->tasks[1].data, "did")); /* its effects' record was lost with it */

    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    run_to_end(r);
    _sn_free_ char *got = calls();
    cr_assert_str_eq(got, "do:a\ndo:b\ndo:b\ndo:c\n");
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_DONE);
}

Test(taskrunner, task_killed_after_its_commit_is_not_run_again)
{
    const char *kinds[] = {"a", "b", "c"};
    int64_t id = make_chain("snap", kinds, 3);
    run_child_until_killed("taskrunner-kill-after-commit:2");
    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    run_to_end(r);
    _sn_free_ char *got = calls();
    cr_assert_str_eq(got, "do:a\ndo:b\ndo:c\n");
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_DONE);
}

Test(taskrunner, undo_killed_midway_continues_after_restart)
{
    const char *kinds[] = {"a", "b", "fail"};
    int64_t id = make_chain("snap", kinds, 3);
    /* Boundaries: do a (1), do b (2), do fail (3), undo b (4): killed before undo b is recorded. */
    run_child_until_killed("taskrunner-kill-before-commit:4");
    _sn_cleanup_(sn_change_freep) SnChange *mid = load(id);
    cr_assert_eq(mid->tasks[0].status, SN_STATUS_UNDO);
    cr_assert_eq(mid->tasks[1].status, SN_STATUS_UNDOING);
    cr_assert_eq(mid->tasks[2].status, SN_STATUS_ERROR);

    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
    run_to_end(r);
    _sn_free_ char *got = calls();
    cr_assert_str_eq(got, "do:a\ndo:b\ndo:fail\nundo:b\nundo:b\nundo:a\n");
    _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    cr_assert_eq(c->tasks[0].status, SN_STATUS_UNDONE);
    cr_assert_eq(c->tasks[1].status, SN_STATUS_UNDONE);
}

Test(taskrunner, every_boundary_of_a_change_survives_a_kill)
{
    /* Walk every kill point of a 4-task change; each time the restarted runner finishes it. */
    for (int point = 1; point <= 4; point++) {
        const char *kinds[] = {"a", "b", "c", "a"};
        int64_t id = make_chain(NULL, kinds, 4);
        char faults[64];
        snprintf(faults, sizeof(faults), "taskrunner-kill-before-commit:%d", point);
        run_child_until_killed(faults);
        _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *r = runner(2);
        run_to_end(r);
        _sn_cleanup_(sn_change_freep) SnChange *c = load(id);
        cr_assert_eq(c->status, SN_STATUS_DONE, "kill point %d", point);
        for (size_t i = 0; i < 4; i++)
            cr_assert(json_is_true(json_object_get(c->tasks[i].data, "did")), "kill point %d task %zu", point, i);
    }
}
#endif
