/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The supervisor against real child processes (sh -c scripts) on a real libevent loop.
 */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fd-util.h"
#include "fileio.h"
#include "strutil.h"
#include "supervisor-internal.h"
#include "supervisor.h"

static char dir[] = "/tmp/sn-sup-XXXXXX";
static struct event_base *base;
static SnSupervisor *sup;

static SnSupervisor *new_supervisor(const SnSupervisorOptions *o)
{
    SnSupervisor *s = NULL;
    SnError *err = NULL;
    int r = sn_supervisor_new(base, o, &s, &err);
    cr_assert_eq(r, 0, "new: %s", sn_error_message(err, r));
    sn_error_free(err);
    return s;
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    base = event_base_new();
    cr_assert_not_null(base);
    SnSupervisorOptions o = {.start_limit_burst = 100};
    sup = new_supervisor(&o);
}

static void teardown(void)
{
    sup = sn_supervisor_free(sup);
    event_base_free(base);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(supervisor, .init = setup, .fini = teardown, .timeout = 60);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the loop until pred(ud) holds; false after timeout_ms. */
static bool run_until(bool (*pred)(void *), void *ud, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    while (!pred(ud)) {
        if (now_ms() > end)
            return false;
        struct timeval tv = {0, 10000};
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
    return true;
}

static void run_for(int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

typedef struct Done {
    bool done;
    int result;
    char msg[512];
    int calls;
} Done;

static void on_done(int result, const char *message, void *ud)
{
    Done *d = ud;
    d->done = true;
    d->calls++;
    d->result = result;
    snprintf(d->msg, sizeof(d->msg), "%s", message ? message : "");
}

static bool is_done(void *ud)
{
    return ((Done *)ud)->done;
}

static char **argv3(const char *a, const char *b, const char *c)
{
    char **v = NULL;
    cr_assert_eq(sn_strv_push(&v, a), 0);
    cr_assert_eq(sn_strv_push(&v, b), 0);
    cr_assert_eq(sn_strv_push(&v, c), 0);
    return v;
}

static SnServiceDef mkdef(const char *name, SnServiceType type, const char *script)
{
    SnServiceDef d = {0};
    d.name = strdup(name);
    d.snap = strdup("snap");
    d.app = strdup(name);
    d.revision = strdup("1");
    d.type = type;
    d.start_argv = argv3("/bin/sh", "-c", script);
    d.restart = SN_RESTART_NO;
    d.restart_delay_ns = 50LL * 1000000;
    d.start_timeout_ns = 5LL * 1000000000;
    d.stop_timeout_ns = 3LL * 1000000000;
    d.kill_signal = SIGTERM;
    d.kill_all = true;
    d.enabled = true;
    return d;
}

static void add(SnServiceDef *d)
{
    SnError *err = NULL;
    int r = sn_supervisor_add(sup, d, &err);
    cr_assert_eq(r, 0, "add %s: %s", d->name, sn_error_message(err, r));
    sn_error_free(err);
    sn_service_def_done(d);
}

static void add_simple(const char *name, SnRestartCondition restart, const char *script)
{
    SnServiceDef d = mkdef(name, SN_SERVICE_SIMPLE, script);
    d.restart = restart;
    add(&d);
}

/* Starts names (comma-separated), runs the loop until the request is done. */
static Done request(const char *what, const char *csv, int64_t window_ns)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", csv);
    char *names[8] = {0};
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t && n < 7; t = strtok_r(NULL, ",", &save))
        names[n++] = t;
    Done d = {0};
    SnError *err = NULL;
    int r;
    if (SN_STREQ(what, "start"))
        r = sn_supervisor_start(sup, names, window_ns, on_done, &d, &err);
    else if (SN_STREQ(what, "stop"))
        r = sn_supervisor_stop(sup, names, on_done, &d, &err);
    else
        r = sn_supervisor_restart(sup, names, window_ns, on_done, &d, &err);
    cr_assert_eq(r, 0, "%s %s: %s", what, csv, sn_error_message(err, r));
    sn_error_free(err);
    cr_assert(!d.done, "the completion must not run inside the call");
    cr_assert(run_until(is_done, &d, 20000), "%s %s did not finish", what, csv);
    return d;
}

static SnServiceStatus status(const char *name)
{
    SnServiceStatus st;
    cr_assert_eq(sn_supervisor_status(sup, name, &st), 0);
    return st;
}

typedef struct Want {
    const char *name;
    const char *sub;
} Want;

static bool has_sub(void *ud)
{
    Want *w = ud;
    return SN_STREQ(status(w->name).sub, w->sub);
}

static void wait_sub(const char *name, const char *sub, int timeout_ms)
{
    Want w = {name, sub};
    cr_assert(run_until(has_sub, &w, timeout_ms), "%s never reached %s (is %s, result %s)", name, sub, status(name).sub,
              status(name).result);
}

/* The log of a service as "msg\nmsg\n...". */
static char *log_text(const char *name)
{
    char *names[] = {(char *)name, NULL};
    SnServiceLogEntry *e = NULL;
    size_t n = 0;
    cr_assert_eq(sn_service_log_read(sn_supervisor_log(sup), names, -1, &e, &n), 0);
    SnBuf b = {0};
    for (size_t i = 0; i < n; i++)
        sn_buf_printf(&b, "%s\n", e[i].message);
    sn_service_log_entries_free(e, n);
    char *s = sn_buf_steal(&b);
    cr_assert_not_null(s);
    return s;
}

typedef struct LogWant {
    const char *name;
    const char *text;
} LogWant;

static bool log_has(void *ud)
{
    LogWant *w = ud;
    _sn_free_ char *t = log_text(w->name);
    return strstr(t, w->text) != NULL;
}

static void wait_log(const char *name, const char *text, int timeout_ms)
{
    LogWant w = {name, text};
    if (!run_until(log_has, &w, timeout_ms)) {
        _sn_free_ char *t = log_text(name);
        cr_assert_fail("log of %s lacks \"%s\"; it holds:\n%s", name, text, t);
    }
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* A process is alive when it exists and is not a zombie (PID 1 here may not reap orphans). */
static bool alive(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    _sn_free_ char *data = NULL;
    if (sn_read_file_at(AT_FDCWD, path, 4096, &data, NULL) < 0)
        return false;
    char *p = strrchr(data, ')');
    return p && p[2] != 'Z' && p[2] != 'X';
}

static pid_t read_pid(const char *file)
{
    _sn_free_ char *data = NULL;
    int64_t end = now_ms() + 5000;
    while (sn_read_file_at(AT_FDCWD, file, 64, &data, NULL) < 0 || !strchr(data, '\n')) {
        free(data);
        data = NULL;
        cr_assert_lt(now_ms(), end, "%s was never written", file);
        run_for(10);
    }
    return (pid_t)atoi(data);
}

static char *path_in(const char *name)
{
    char *p = sn_strdup_printf("%s/%s", dir, name);
    cr_assert_not_null(p);
    return p;
}

/* ---------------------------------------------------------------- start, logs, environment */

Test(supervisor, simple_service_runs_and_its_output_is_logged_with_its_pid)
{
    add_simple("snap.web", SN_RESTART_NO, "echo hello; echo oops >&2; exec sleep 30");
    Done d = request("start", "snap.web", 0);
    cr_assert_eq(d.result, 0, "%s", d.msg);
    SnServiceStatus st = status("snap.web");
    cr_assert_eq(st.active, SN_SERVICE_ACTIVE);
    cr_assert_str_eq(st.sub, "running");
    cr_assert_gt(st.main_pid, 0);
    cr_assert_gt(st.active_since_ns, 0);
    wait_log("snap.web", "hello\noops\n", 5000);

    char *names[] = {"snap.web", NULL};
    SnServiceLogEntry *e = NULL;
    size_t n = 0;
    cr_assert_eq(sn_service_log_read(sn_supervisor_log(sup), names, -1, &e, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(e[0].sid, "snap.web");
    cr_assert_eq(e[0].pid, st.main_pid);
    sn_service_log_entries_free(e, n);

    d = request("stop", "snap.web", 0);
    cr_assert_eq(d.result, 0, "%s", d.msg);
    cr_assert_str_eq(status("snap.web").sub, "dead");
    cr_assert_eq(status("snap.web").main_pid, 0);
    cr_assert(!alive(st.main_pid));
}

Test(supervisor, services_get_path_the_environment_file_and_extra_variables_and_the_working_directory)
{
    sup = sn_supervisor_free(sup);
    _sn_free_ char *envfile = path_in("environment");
    const char *text = "# comment\nFOO=from-file\n\nQUOTED=\"a b\"\nPATH=/file/path\n";
    cr_assert_eq(sn_write_all(open(envfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), text, strlen(text)), 0);
    char *extra[] = {"BAR=extra", NULL};
    SnSupervisorOptions o = {.environment_file = envfile, .extra_env = extra};
    sup = new_supervisor(&o);
    SnServiceDef d =
        mkdef("snap.env", SN_SERVICE_ONESHOT, "echo \"$FOO|$QUOTED|$BAR|$PATH|$(pwd)|${HOME:-nohome}|$NOTIFY_SOCKET\"");
    d.working_dir = strdup(dir);
    add(&d);
    Done r = request("start", "snap.env", 0);
    cr_assert_eq(r.result, 0, "%s", r.msg);
    _sn_free_ char *want = sn_strdup_printf("from-file|a b|extra|/file/path|%s|nohome|\n", dir);
    _sn_free_ char *got = log_text("snap.env");
    cr_assert_str_eq(got, want);
}

Test(supervisor, a_missing_executable_fails_the_start_with_the_reason)
{
    SnServiceDef d = mkdef("snap.missing", SN_SERVICE_SIMPLE, "true");
    free(d.start_argv[0]);
    d.start_argv[0] = strdup("/nonexistent/bin/app");
    add(&d);
    Done r = request("start", "snap.missing", 200LL * 1000000);
    cr_assert_lt(r.result, 0);
    cr_assert(strstr(r.msg, "cannot execute /nonexistent/bin/app: No such file or directory"), "%s", r.msg);
    SnServiceStatus st = status("snap.missing");
    cr_assert_eq(st.active, SN_SERVICE_FAILED);
    cr_assert_eq(st.exit_status, SN_SPAWN_EXIT_EXEC);
}

Test(supervisor, a_missing_working_directory_fails_the_start)
{
    SnServiceDef d = mkdef("snap.nodir", SN_SERVICE_ONESHOT, "true");
    d.working_dir = strdup("/nonexistent/dir");
    add(&d);
    Done r = request("start", "snap.nodir", 0);
    cr_assert_lt(r.result, 0);
    cr_assert(strstr(r.msg, "cannot change to directory /nonexistent/dir"), "%s", r.msg);
}

Test(supervisor, definitions_are_checked)
{
    SnError *err = NULL;
    SnServiceDef d = mkdef("snap.rel", SN_SERVICE_SIMPLE, "true");
    free(d.start_argv[0]);
    d.start_argv[0] = strdup("sh");
    cr_assert_eq(sn_supervisor_add(sup, &d, &err), -EINVAL);
    cr_assert(strstr(err->message, "absolute"), "%s", err->message);
    err = sn_error_free(err);
    sn_service_def_done(&d);
    add_simple("snap.dup", SN_RESTART_NO, "true");
    d = mkdef("snap.dup", SN_SERVICE_SIMPLE, "true");
    cr_assert_eq(sn_supervisor_add(sup, &d, NULL), -EEXIST);
    sn_service_def_done(&d);
    char *names[] = {"snap.unknown", NULL};
    cr_assert_eq(sn_supervisor_start(sup, names, 0, NULL, NULL, &err), -ENOENT);
    cr_assert(strstr(err->message, "snap.unknown"));
    sn_error_free(err);
}

/* ---------------------------------------------------------------- restart conditions */

typedef struct RestartCase {
    SnRestartCondition cond;
    const char *script;
    bool restarts;
} RestartCase;

static void check_restart(const RestartCase *c)
{
    char script[256];
    snprintf(script, sizeof(script), "echo run; sleep 0.1; %s", c->script);
    add_simple("snap.r", c->cond, script);
    Done d = request("start", "snap.r", 0);
    cr_assert_eq(d.result, 0, "%s", d.msg);
    if (c->restarts) {
        wait_log("snap.r", "run\nrun\nrun\n", 5000);
        cr_assert_geq(status("snap.r").n_restarts, 2);
    } else {
        Want w = {"snap.r", "dead"};
        Want f = {"snap.r", "failed"};
        cr_assert(run_until(has_sub, &w, 3000) || run_until(has_sub, &f, 10), "still %s", status("snap.r").sub);
        run_for(300);
        _sn_free_ char *t = log_text("snap.r");
        cr_assert_eq(count(t, "run"), 1, "restarted: %s", t);
        cr_assert_eq(status("snap.r").n_restarts, 0);
    }
}

Test(supervisor, restart_no_never_restarts)
{
    check_restart(&(RestartCase){SN_RESTART_NO, "exit 1", false});
}

Test(supervisor, restart_on_failure_restarts_a_failing_exit_and_a_signal_but_not_success)
{
    check_restart(&(RestartCase){SN_RESTART_ON_FAILURE, "exit 3", true});
}

Test(supervisor, restart_on_failure_leaves_a_clean_exit_alone)
{
    check_restart(&(RestartCase){SN_RESTART_ON_FAILURE, "exit 0", false});
    cr_assert_str_eq(status("snap.r").sub, "dead");
    cr_assert_str_eq(status("snap.r").result, "success");
}

Test(supervisor, restart_on_failure_counts_a_crash)
{
    check_restart(&(RestartCase){SN_RESTART_ON_FAILURE, "kill -SEGV $$", true});
}

Test(supervisor, restart_on_success_restarts_a_clean_exit_only)
{
    check_restart(&(RestartCase){SN_RESTART_ON_SUCCESS, "exit 0", true});
}

Test(supervisor, restart_on_success_leaves_a_failure)
{
    check_restart(&(RestartCase){SN_RESTART_ON_SUCCESS, "exit 2", false});
    SnServiceStatus st = status("snap.r");
    cr_assert_eq(st.active, SN_SERVICE_FAILED);
    cr_assert_str_eq(st.result, "exit-code");
    cr_assert_eq(st.exit_code, CLD_EXITED);
    cr_assert_eq(st.exit_status, 2);
}

Test(supervisor, restart_on_abnormal_restarts_an_unclean_signal)
{
    check_restart(&(RestartCase){SN_RESTART_ON_ABNORMAL, "kill -KILL $$", true});
}

Test(supervisor, restart_on_abnormal_leaves_an_exit_code)
{
    check_restart(&(RestartCase){SN_RESTART_ON_ABNORMAL, "exit 1", false});
}

Test(supervisor, restart_on_abort_restarts_an_abort)
{
    check_restart(&(RestartCase){SN_RESTART_ON_ABORT, "kill -ABRT $$", true});
}

Test(supervisor, restart_on_abort_leaves_a_clean_signal)
{
    /* SIGTERM is a clean death for systemd */
    check_restart(&(RestartCase){SN_RESTART_ON_ABORT, "kill -TERM $$", false});
    cr_assert_str_eq(status("snap.r").sub, "dead");
}

Test(supervisor, restart_on_watchdog_leaves_a_crash)
{
    check_restart(&(RestartCase){SN_RESTART_ON_WATCHDOG, "kill -KILL $$", false});
}

Test(supervisor, restart_always_restarts_a_clean_exit)
{
    check_restart(&(RestartCase){SN_RESTART_ALWAYS, "exit 0", true});
}

Test(supervisor, success_exit_status_counts_as_success)
{
    SnServiceDef d = mkdef("snap.r", SN_SERVICE_SIMPLE, "echo run; sleep 0.1; exit 42");
    d.restart = SN_RESTART_ON_FAILURE;
    d.success_exit_status = calloc(1, sizeof(int));
    d.success_exit_status[0] = 42;
    d.n_success_exit_status = 1;
    add(&d);
    cr_assert_eq(request("start", "snap.r", 0).result, 0);
    wait_sub("snap.r", "dead", 3000);
    cr_assert_str_eq(status("snap.r").result, "success");
}

Test(supervisor, restart_waits_restart_delay)
{
    SnServiceDef d = mkdef("snap.r", SN_SERVICE_SIMPLE, "echo run; exit 1");
    d.restart = SN_RESTART_ON_FAILURE;
    d.restart_delay_ns = 400LL * 1000000;
    add(&d);
    int64_t t0 = now_ms();
    cr_assert_eq(request("start", "snap.r", 0).result, 0);
    wait_log("snap.r", "run\nrun\nrun\n", 5000);
    int64_t elapsed = now_ms() - t0;
    cr_assert_geq(elapsed, 800, "three runs took %lld ms: the delay was not applied", (long long)elapsed);
    char *names[] = {"snap.r", NULL};
    SnServiceLogEntry *e = NULL;
    size_t n = 0;
    cr_assert_eq(sn_service_log_read(sn_supervisor_log(sup), names, -1, &e, &n), 0);
    cr_assert_geq(n, 3);
    cr_assert_geq(e[1].timestamp_ns - e[0].timestamp_ns, 390LL * 1000000);
    cr_assert_neq(e[1].pid, e[0].pid);
    sn_service_log_entries_free(e, n);
}

Test(supervisor, restarts_stop_at_the_start_limit)
{
    sup = sn_supervisor_free(sup);
    sup = new_supervisor(&(SnSupervisorOptions){0}); /* systemd's default: 5 starts in 10 s */
    SnServiceDef d = mkdef("snap.r", SN_SERVICE_SIMPLE, "echo run; exit 1");
    d.restart = SN_RESTART_ALWAYS;
    d.restart_delay_ns = 10LL * 1000000;
    add(&d);
    cr_assert_eq(request("start", "snap.r", 0).result, 0);
    wait_sub("snap.r", "failed", 5000);
    run_for(200);
    SnServiceStatus st = status("snap.r");
    cr_assert_str_eq(st.result, "start-limit-hit");
    _sn_free_ char *t = log_text("snap.r");
    cr_assert_eq(count(t, "run"), 5, "%s", t);
    /* an explicit start inside the interval is refused too, reset-failed clears it */
    Done r = request("start", "snap.r", 0);
    cr_assert_lt(r.result, 0);
    cr_assert(strstr(r.msg, "start limit"), "%s", r.msg);
    cr_assert_eq(sn_supervisor_reset_failed(sup, "snap.r"), 0);
    cr_assert_str_eq(status("snap.r").sub, "dead");
    cr_assert_eq(request("start", "snap.r", 0).result, 0);
    wait_log("snap.r", "run\nrun\nrun\nrun\nrun\nrun\n", 5000);
}

/* ---------------------------------------------------------------- stopping */

Test(supervisor, stop_sends_the_stop_mode_signal)
{
    SnServiceDef d =
        mkdef("snap.s", SN_SERVICE_SIMPLE, "trap 'echo got USR1; exit 0' USR1; echo up; while :; do sleep 0.05; done");
    d.kill_signal = SIGUSR1;
    d.kill_all = false;
    add(&d);
    cr_assert_eq(request("start", "snap.s", 0).result, 0);
    wait_log("snap.s", "up\n", 5000);
    Done r = request("stop", "snap.s", 0);
    cr_assert_eq(r.result, 0, "%s", r.msg);
    _sn_free_ char *t = log_text("snap.s");
    cr_assert_str_eq(t, "up\ngot USR1\n");
    cr_assert_str_eq(status("snap.s").sub, "dead");
}

Test(supervisor, stop_timeout_escalates_to_sigkill)
{
    SnServiceDef d = mkdef("snap.s", SN_SERVICE_SIMPLE, "trap '' TERM; echo up; while :; do sleep 0.05; done");
    d.stop_timeout_ns = 400LL * 1000000;
    add(&d);
    cr_assert_eq(request("start", "snap.s", 0).result, 0);
    wait_log("snap.s", "up\n", 5000);
    pid_t pid = status("snap.s").main_pid;
    int64_t t0 = now_ms();
    Done r = request("stop", "snap.s", 0);
    int64_t took = now_ms() - t0;
    cr_assert_eq(r.result, 0, "%s", r.msg);
    cr_assert_geq(took, 390, "stopped after %lld ms", (long long)took);
    cr_assert_lt(took, 3000);
    SnServiceStatus st = status("snap.s");
    cr_assert_str_eq(st.result, "timeout");
    cr_assert_eq(st.active, SN_SERVICE_FAILED);
    cr_assert_eq(st.exit_code, CLD_KILLED);
    cr_assert_eq(st.exit_status, SIGKILL);
    cr_assert(!alive(pid));
}

static void check_stop_mode_reach(bool kill_all)
{
    _sn_free_ char *pidfile = path_in("child.pid");
    _sn_free_ char *script = sn_strdup_printf("sleep 60 & echo $! > %s; wait", pidfile);
    SnServiceDef d = mkdef("snap.s", SN_SERVICE_SIMPLE, script);
    d.kill_all = kill_all;
    add(&d);
    cr_assert_eq(request("start", "snap.s", 0).result, 0);
    pid_t child = read_pid(pidfile);
    pid_t main_pid = status("snap.s").main_pid;
    cr_assert(alive(child));
    cr_assert_eq(request("stop", "snap.s", 0).result, 0);
    cr_assert(!alive(main_pid));
    if (kill_all) {
        cr_assert(!alive(child), "sigterm-all left the group's child running");
    } else {
        cr_assert(alive(child), "sigterm (process) killed a child of the main process");
        kill(child, SIGKILL);
    }
}

Test(supervisor, stop_mode_all_signals_the_whole_process_group)
{
    check_stop_mode_reach(true);
}

Test(supervisor, stop_mode_without_all_signals_the_main_process_only)
{
    check_stop_mode_reach(false);
}

Test(supervisor, stop_command_runs_before_the_signal_and_post_stop_after)
{
    SnServiceDef d = mkdef("snap.s", SN_SERVICE_SIMPLE,
                           "trap 'echo main got TERM; exit 0' TERM; echo up; "
                           "while :; do sleep 0.05; done");
    d.stop_argv = argv3("/bin/sh", "-c", "echo stop-command");
    d.post_stop_argv = argv3("/bin/sh", "-c", "echo post-stop-command");
    d.kill_all = false; /* else sh reports its sleep "Terminated" */
    add(&d);
    cr_assert_eq(request("start", "snap.s", 0).result, 0);
    wait_log("snap.s", "up\n", 5000);
    cr_assert_eq(request("stop", "snap.s", 0).result, 0);
    _sn_free_ char *t = log_text("snap.s");
    cr_assert_str_eq(t, "up\nstop-command\nmain got TERM\npost-stop-command\n");
}

Test(supervisor, post_stop_runs_after_a_crash_too_and_before_the_restart)
{
    SnServiceDef d = mkdef("snap.s", SN_SERVICE_SIMPLE, "echo run; sleep 0.1; exit 5");
    d.restart = SN_RESTART_ON_FAILURE;
    d.stop_argv = argv3("/bin/sh", "-c", "echo stop-command");
    d.post_stop_argv = argv3("/bin/sh", "-c", "echo post-stop");
    add(&d);
    cr_assert_eq(request("start", "snap.s", 0).result, 0);
    wait_log("snap.s", "run\npost-stop\nrun\n", 5000);
    /* a failed exit skips the stop command, as systemd does */
    _sn_free_ char *t = log_text("snap.s");
    cr_assert_null(strstr(t, "stop-command"), "%s", t);
}

Test(supervisor, a_hanging_stop_command_is_killed_after_the_stop_timeout)
{
    SnServiceDef d = mkdef("snap.s", SN_SERVICE_SIMPLE, "echo up; exec sleep 60");
    d.stop_argv = argv3("/bin/sh", "-c", "echo stopping; exec sleep 60");
    d.stop_timeout_ns = 300LL * 1000000;
    add(&d);
    cr_assert_eq(request("start", "snap.s", 0).result, 0);
    int64_t t0 = now_ms();
    cr_assert_eq(request("stop", "snap.s", 0).result, 0);
    int64_t took = now_ms() - t0;
    cr_assert_geq(took, 290);
    cr_assert_lt(took, 3000);
    cr_assert_str_eq(status("snap.s").result, "timeout");
}

/* ---------------------------------------------------------------- types */

Test(supervisor, oneshot_start_waits_for_its_exit)
{
    SnServiceDef d = mkdef("snap.o", SN_SERVICE_ONESHOT, "sleep 0.3; echo done");
    add(&d);
    int64_t t0 = now_ms();
    Done r = request("start", "snap.o", 0);
    cr_assert_eq(r.result, 0, "%s", r.msg);
    cr_assert_geq(now_ms() - t0, 290);
    _sn_free_ char *t = log_text("snap.o");
    cr_assert_str_eq(t, "done\n");
    cr_assert_str_eq(status("snap.o").sub, "dead");
    cr_assert_eq(status("snap.o").active, SN_SERVICE_INACTIVE);
}

Test(supervisor, oneshot_failure_fails_the_start)
{
    SnServiceDef d = mkdef("snap.o", SN_SERVICE_ONESHOT, "echo failing; exit 4");
    add(&d);
    Done r = request("start", "snap.o", 0);
    cr_assert_lt(r.result, 0);
    cr_assert(strstr(r.msg, "snap.o: exited with status 4"), "%s", r.msg);
    cr_assert_eq(status("snap.o").active, SN_SERVICE_FAILED);
}

Test(supervisor, oneshot_with_remain_after_exit_stays_active_until_stopped)
{
    SnServiceDef d = mkdef("snap.o", SN_SERVICE_ONESHOT, "echo setup");
    d.remain_after_exit = true;
    d.stop_argv = argv3("/bin/sh", "-c", "echo teardown");
    add(&d);
    cr_assert_eq(request("start", "snap.o", 0).result, 0);
    SnServiceStatus st = status("snap.o");
    cr_assert_eq(st.active, SN_SERVICE_ACTIVE);
    cr_assert_str_eq(st.sub, "exited");
    cr_assert_eq(st.main_pid, 0);
    cr_assert_eq(request("stop", "snap.o", 0).result, 0);
    _sn_free_ char *t = log_text("snap.o");
    cr_assert_str_eq(t, "setup\nteardown\n");
    cr_assert_str_eq(status("snap.o").sub, "dead");
}

static bool have_systemd_notify(void)
{
    return access("/usr/bin/systemd-notify", X_OK) == 0;
}

Test(supervisor, notify_service_is_started_when_it_reports_ready)
{
    cr_assert(have_systemd_notify(), "systemd-notify is missing (scripts/packages.txt: systemd)");
    SnServiceDef d = mkdef("snap.n", SN_SERVICE_NOTIFY,
                           "echo booting; sleep 0.4; systemd-notify --ready; echo ready; exec sleep 60");
    add(&d);
    int64_t t0 = now_ms();
    Done r = request("start", "snap.n", 0);
    cr_assert_eq(r.result, 0, "%s", r.msg);
    cr_assert_geq(now_ms() - t0, 390, "started before READY=1");
    cr_assert_str_eq(status("snap.n").sub, "running");
}

Test(supervisor, notify_service_that_never_reports_ready_times_out)
{
    SnServiceDef d = mkdef("snap.n", SN_SERVICE_NOTIFY, "exec sleep 60");
    d.start_timeout_ns = 400LL * 1000000;
    add(&d);
    int64_t t0 = now_ms();
    Done r = request("start", "snap.n", 0);
    cr_assert_lt(r.result, 0);
    cr_assert(strstr(r.msg, "timed out"), "%s", r.msg);
    cr_assert_geq(now_ms() - t0, 390);
    wait_sub("snap.n", "failed", 3000);
    cr_assert_str_eq(status("snap.n").result, "timeout");
}

Test(supervisor, notify_service_that_exits_before_ready_fails)
{
    SnServiceDef d = mkdef("snap.n", SN_SERVICE_NOTIFY, "exit 0");
    add(&d);
    Done r = request("start", "snap.n", 0);
    cr_assert_lt(r.result, 0);
    cr_assert(strstr(r.msg, "readiness"), "%s", r.msg);
}

Test(supervisor, watchdog_without_pings_aborts_and_on_watchdog_restarts)
{
    cr_assert(have_systemd_notify());
    SnServiceDef d = mkdef("snap.w", SN_SERVICE_NOTIFY,
                           "echo \"run $WATCHDOG_USEC $WATCHDOG_PID $$\"; systemd-notify --ready; exec sleep 60");
    d.watchdog_ns = 300LL * 1000000;
    d.restart = SN_RESTART_ON_WATCHDOG;
    add(&d);
    cr_assert_eq(request("start", "snap.w", 0).result, 0);
    wait_log("snap.w", "run 300000", 3000);
    _sn_free_ char *t = log_text("snap.w");
    int pid1 = 0, pid2 = 0;
    cr_assert_eq(sscanf(t, "run 300000 %d %d", &pid1, &pid2), 2, "%s", t);
    cr_assert_eq(pid1, pid2, "WATCHDOG_PID is not the main pid: %s", t);
    Want w = {"snap.w", "running"};
    int64_t end = now_ms() + 5000;
    while (status("snap.w").n_restarts < 1 && now_ms() < end)
        run_for(20);
    cr_assert_geq(status("snap.w").n_restarts, 1);
    cr_assert(run_until(has_sub, &w, 3000));
}

Test(supervisor, watchdog_pings_keep_a_service_alive)
{
    cr_assert(have_systemd_notify());
    SnServiceDef d = mkdef("snap.w", SN_SERVICE_NOTIFY,
                           "systemd-notify --ready; while :; do systemd-notify WATCHDOG=1; sleep 0.05; done");
    d.watchdog_ns = 500LL * 1000000;
    d.restart = SN_RESTART_ON_WATCHDOG;
    add(&d);
    cr_assert_eq(request("start", "snap.w", 0).result, 0);
    pid_t pid = status("snap.w").main_pid;
    run_for(1500);
    cr_assert_str_eq(status("snap.w").sub, "running");
    cr_assert_eq(status("snap.w").main_pid, pid);
    cr_assert_eq(status("snap.w").n_restarts, 0);
}

Test(supervisor, forking_service_follows_the_daemon_left_behind)
{
    _sn_free_ char *pidfile = path_in("daemon.pid");
    _sn_free_ char *script = sn_strdup_printf("sleep 60 & echo $! > %s; echo forked", pidfile);
    SnServiceDef d = mkdef("snap.f", SN_SERVICE_FORKING, script);
    d.restart = SN_RESTART_ON_FAILURE;
    add(&d);
    Done r = request("start", "snap.f", 0);
    cr_assert_eq(r.result, 0, "%s", r.msg);
    pid_t daemon = read_pid(pidfile);
    cr_assert_str_eq(status("snap.f").sub, "running");
    cr_assert_eq(status("snap.f").main_pid, daemon);
    cr_assert_eq(request("stop", "snap.f", 0).result, 0);
    cr_assert(!alive(daemon));
    cr_assert_str_eq(status("snap.f").sub, "dead");
}

Test(supervisor, forking_service_that_leaves_its_group_is_found_by_its_environment)
{
    _sn_free_ char *pidfile = path_in("daemon.pid");
    _sn_free_ char *script = sn_strdup_printf("setsid sh -c 'echo $$ > %s; exec sleep 60' & sleep 0.3", pidfile);
    SnServiceDef d = mkdef("snap.f", SN_SERVICE_FORKING, script);
    add(&d);
    cr_assert_eq(request("start", "snap.f", 0).result, 0);
    pid_t daemon = read_pid(pidfile);
    cr_assert_eq(status("snap.f").main_pid, daemon);
    /* the daemon dies on its own: the service notices through its pidfd */
    kill(daemon, SIGKILL);
    Want w = {"snap.f", "failed"};
    cr_assert(run_until(has_sub, &w, 3000), "is %s", status("snap.f").sub);
}

/* ---------------------------------------------------------------- ordering */

static char *order_file;

static void add_ordered(const char *name, const char *after, const char *before)
{
    _sn_free_ char *script = sn_strdup_printf("sleep 0.1; echo start %s >> %s", name, order_file);
    _sn_free_ char *stop = sn_strdup_printf("echo stop %s >> %s", name, order_file);
    SnServiceDef d = mkdef(name, SN_SERVICE_ONESHOT, script);
    d.remain_after_exit = true;
    d.stop_argv = argv3("/bin/sh", "-c", stop);
    if (after)
        cr_assert_eq(sn_strv_push(&d.after, after), 0);
    if (before)
        cr_assert_eq(sn_strv_push(&d.before, before), 0);
    add(&d);
}

static char *read_order(void)
{
    char *data = NULL;
    cr_assert_eq(sn_read_file_at(AT_FDCWD, order_file, 4096, &data, NULL), 0);
    return data;
}

Test(supervisor, start_follows_after_and_before_and_stop_goes_in_reverse)
{
    order_file = path_in("order");
    /* c, then b (after c), then a (b before a) */
    add_ordered("snap.a", NULL, NULL);
    add_ordered("snap.b", "snap.c", "snap.a");
    add_ordered("snap.c", NULL, NULL);
    Done r = request("start", "snap.a,snap.b,snap.c", 0);
    cr_assert_eq(r.result, 0, "%s", r.msg);
    _sn_free_ char *started = read_order();
    cr_assert_str_eq(started, "start snap.c\nstart snap.b\nstart snap.a\n");
    cr_assert_eq(request("stop", "snap.c,snap.a,snap.b", 0).result, 0);
    _sn_free_ char *all = read_order();
    cr_assert_str_eq(all, "start snap.c\nstart snap.b\nstart snap.a\nstop snap.a\nstop snap.b\nstop snap.c\n");
    free(order_file);
}

Test(supervisor, a_service_after_a_notify_one_waits_for_its_readiness)
{
    cr_assert(have_systemd_notify());
    order_file = path_in("order");
    _sn_free_ char *script =
        sn_strdup_printf("sleep 0.3; echo ready db >> %s; systemd-notify --ready; exec sleep 60", order_file);
    SnServiceDef db = mkdef("snap.db", SN_SERVICE_NOTIFY, script);
    add(&db);
    _sn_free_ char *web_script = sn_strdup_printf("echo start web >> %s; exec sleep 60", order_file);
    SnServiceDef web = mkdef("snap.web", SN_SERVICE_SIMPLE, web_script);
    cr_assert_eq(sn_strv_push(&web.after, "snap.db"), 0);
    add(&web);
    cr_assert_eq(request("start", "snap.web,snap.db", 0).result, 0);
    run_for(100);
    _sn_free_ char *got = read_order();
    cr_assert_str_eq(got, "ready db\nstart web\n");
    free(order_file);
}

Test(supervisor, restart_keeps_the_order)
{
    order_file = path_in("order");
    add_ordered("snap.a", "snap.b", NULL);
    add_ordered("snap.b", NULL, NULL);
    cr_assert_eq(request("start", "snap.a,snap.b", 0).result, 0);
    cr_assert_eq(truncate(order_file, 0), 0);
    cr_assert_eq(request("restart", "snap.b,snap.a", 0).result, 0);
    _sn_free_ char *got = read_order();
    cr_assert_str_eq(got, "stop snap.a\nstop snap.b\nstart snap.b\nstart snap.a\n");
    free(order_file);
}

/* ---------------------------------------------------------------- the start window */

Test(supervisor, a_service_dying_within_the_start_window_fails_the_start)
{
    add_simple("snap.crash", SN_RESTART_ON_FAILURE, "sleep 0.2; exit 1");
    Done r = request("start", "snap.crash", 1000LL * 1000000);
    cr_assert_lt(r.result, 0);
    cr_assert(strstr(r.msg, "snap.crash stopped within 1.0s of its start"), "%s", r.msg);
    cr_assert(strstr(r.msg, "exited with status 1"), "%s", r.msg);
}

Test(supervisor, a_service_that_stays_up_passes_the_start_window)
{
    add_simple("snap.ok", SN_RESTART_NO, "exec sleep 60");
    int64_t t0 = now_ms();
    Done r = request("start", "snap.ok", 500LL * 1000000);
    cr_assert_eq(r.result, 0, "%s", r.msg);
    cr_assert_geq(now_ms() - t0, 490);
}

/* ---------------------------------------------------------------- management */

Test(supervisor, restart_runs_a_new_process)
{
    add_simple("snap.r", SN_RESTART_NO, "exec sleep 60");
    cr_assert_eq(request("start", "snap.r", 0).result, 0);
    pid_t before = status("snap.r").main_pid;
    cr_assert_eq(request("restart", "snap.r", 0).result, 0);
    pid_t after = status("snap.r").main_pid;
    cr_assert_gt(after, 0);
    cr_assert_neq(before, after);
    cr_assert(!alive(before));
    cr_assert_str_eq(status("snap.r").sub, "running");
}

Test(supervisor, starting_a_running_service_succeeds_and_keeps_it)
{
    add_simple("snap.r", SN_RESTART_NO, "exec sleep 60");
    cr_assert_eq(request("start", "snap.r", 0).result, 0);
    pid_t pid = status("snap.r").main_pid;
    cr_assert_eq(request("start", "snap.r", 0).result, 0);
    cr_assert_eq(status("snap.r").main_pid, pid);
    cr_assert_eq(request("stop", "snap.r", 0).result, 0);
    cr_assert_eq(request("stop", "snap.r", 0).result, 0);
}

Test(supervisor, start_enabled_skips_disabled_and_activated_services)
{
    add_simple("snap.on", SN_RESTART_NO, "exec sleep 60");
    add_simple("snap.off", SN_RESTART_NO, "exec sleep 60");
    SnServiceDef t = mkdef("snap.timer", SN_SERVICE_SIMPLE, "exec sleep 60");
    t.timer_activated = true;
    add(&t);
    cr_assert_eq(sn_supervisor_set_enabled(sup, "snap.off", false), 0);
    Done d = {0};
    cr_assert_eq(sn_supervisor_start_enabled(sup, on_done, &d), 0);
    cr_assert(run_until(is_done, &d, 5000));
    cr_assert_eq(d.result, 0, "%s", d.msg);
    cr_assert_str_eq(status("snap.on").sub, "running");
    cr_assert_str_eq(status("snap.off").sub, "dead");
    cr_assert(!status("snap.off").enabled);
    cr_assert_str_eq(status("snap.timer").sub, "dead");
    Done all = {0};
    cr_assert_eq(sn_supervisor_stop_all(sup, on_done, &all), 0);
    cr_assert(run_until(is_done, &all, 5000));
    cr_assert_str_eq(status("snap.on").sub, "dead");
}

Test(supervisor, remove_refuses_a_running_service)
{
    add_simple("snap.r", SN_RESTART_NO, "exec sleep 60");
    cr_assert_eq(request("start", "snap.r", 0).result, 0);
    cr_assert_eq(sn_supervisor_remove(sup, "snap.r"), -EBUSY);
    cr_assert_eq(request("stop", "snap.r", 0).result, 0);
    cr_assert_eq(sn_supervisor_remove(sup, "snap.r"), 0);
    cr_assert_eq(sn_supervisor_remove(sup, "snap.r"), -ENOENT);
    char **names = NULL;
    cr_assert_eq(sn_supervisor_list(sup, NULL, &names), 0);
    cr_assert_null(names[0]);
    sn_strv_free(names);
}

Test(supervisor, update_of_a_running_service_applies_at_its_next_start)
{
    add_simple("snap.u", SN_RESTART_NO, "echo old; exec sleep 60");
    cr_assert_eq(request("start", "snap.u", 0).result, 0);
    wait_log("snap.u", "old\n", 3000);
    SnServiceDef d = mkdef("snap.u", SN_SERVICE_SIMPLE, "echo new; exec sleep 60");
    cr_assert_eq(sn_supervisor_update(sup, &d, NULL), 0);
    sn_service_def_done(&d);
    run_for(100);
    _sn_free_ char *t1 = log_text("snap.u");
    cr_assert_str_eq(t1, "old\n");
    cr_assert_eq(request("restart", "snap.u", 0).result, 0);
    wait_log("snap.u", "old\nnew\n", 3000);
}

Test(supervisor, list_names_the_services_of_a_snap_sorted)
{
    SnServiceDef a = mkdef("one.b", SN_SERVICE_SIMPLE, "true");
    free(a.snap);
    a.snap = strdup("one");
    add(&a);
    SnServiceDef b = mkdef("one.a", SN_SERVICE_SIMPLE, "true");
    free(b.snap);
    b.snap = strdup("one");
    add(&b);
    add_simple("snap.x", SN_RESTART_NO, "true");
    char **names = NULL;
    cr_assert_eq(sn_supervisor_list(sup, "one", &names), 0);
    cr_assert_str_eq(names[0], "one.a");
    cr_assert_str_eq(names[1], "one.b");
    cr_assert_null(names[2]);
    sn_strv_free(names);
}

Test(supervisor, free_kills_what_still_runs)
{
    _sn_free_ char *pidfile = path_in("child.pid");
    _sn_free_ char *script = sn_strdup_printf("sleep 60 & echo $! > %s; wait", pidfile);
    add_simple("snap.k", SN_RESTART_NO, script);
    cr_assert_eq(request("start", "snap.k", 0).result, 0);
    pid_t child = read_pid(pidfile);
    pid_t main_pid = status("snap.k").main_pid;
    sup = sn_supervisor_free(sup);
    cr_assert(!alive(main_pid));
    usleep(50000);
    cr_assert(!alive(child));
}

Test(supervisor, a_restarted_daemon_kills_services_a_killed_one_left_behind)
{
    _sn_free_ char *run_dir = path_in("run");
    /* a service started by "the previous daemon": a process in its own group, with its pid file */
    pid_t old = fork();
    cr_assert_geq(old, 0);
    if (old == 0) {
        setsid();
        execl("/bin/sleep", "sleep", "60", (char *)NULL);
        _exit(127);
    }
    usleep(20000);
    cr_assert_eq(sn_pidfile_write(run_dir, "snap.old", old, old, true), 0);
    sup = sn_supervisor_free(sup);
    sup = new_supervisor(&(SnSupervisorOptions){.run_dir = run_dir});
    add_simple("snap.old", SN_RESTART_NO, "exec sleep 60");
    int status_ = 0;
    cr_assert_eq(waitpid(old, &status_, 0), old);
    cr_assert(WIFSIGNALED(status_) && WTERMSIG(status_) == SIGKILL);
    _sn_free_ char *pf = sn_strdup_printf("%s/snap.old.pid", run_dir);
    cr_assert_neq(access(pf, F_OK), 0);
    /* and the new run writes its own */
    cr_assert_eq(request("start", "snap.old", 0).result, 0);
    cr_assert_eq(access(pf, F_OK), 0);
    cr_assert_eq(request("stop", "snap.old", 0).result, 0);
    cr_assert_neq(access(pf, F_OK), 0);
}

Test(supervisor, a_pid_file_of_a_reused_pid_is_not_acted_on)
{
    _sn_free_ char *run_dir = path_in("run");
    cr_assert_eq(sn_mkdir_p(run_dir, 0755), 0);
    pid_t bystander = fork();
    if (bystander == 0) {
        execl("/bin/sleep", "sleep", "60", (char *)NULL);
        _exit(127);
    }
    usleep(20000);
    /* the right pid with a different start time: some other process now */
    _sn_free_ char *pf = sn_strdup_printf("%s/snap.old.pid", run_dir);
    _sn_free_ char *text = sn_strdup_printf("%d %d 1 0\n", (int)bystander, (int)bystander);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, pf, text, strlen(text), 0644), 0);
    sup = sn_supervisor_free(sup);
    sup = new_supervisor(&(SnSupervisorOptions){.run_dir = run_dir});
    add_simple("snap.old", SN_RESTART_NO, "true");
    cr_assert(alive(bystander));
    kill(bystander, SIGKILL);
    waitpid(bystander, NULL, 0);
}

/* ---------------------------------------------------------------- from worker threads */

typedef struct Worker {
    int start_result;
    int stop_result;
    char msg[256];
    SnServiceStatus st;
    int status_result;
    bool finished;
} Worker;

static int status_on_loop(SnSupervisor *s, void *ud)
{
    Worker *w = ud;
    return sn_supervisor_status(s, "snap.t", &w->st);
}

static void *worker(void *ud)
{
    Worker *w = ud;
    char *names[] = {"snap.t", NULL};
    SnError *err = NULL;
    w->start_result = sn_supervisor_start_wait(sup, names, 200LL * 1000000, &err);
    if (err)
        snprintf(w->msg, sizeof(w->msg), "%s", err->message);
    err = sn_error_free(err);
    w->status_result = sn_supervisor_call_wait(sup, status_on_loop, w);
    w->stop_result = sn_supervisor_stop_wait(sup, names, &err);
    sn_error_free(err);
    __atomic_store_n(&w->finished, true, __ATOMIC_SEQ_CST);
    return NULL;
}

static bool worker_finished(void *ud)
{
    return __atomic_load_n(&((Worker *)ud)->finished, __ATOMIC_SEQ_CST);
}

Test(supervisor, worker_threads_start_and_stop_through_the_loop)
{
    add_simple("snap.t", SN_RESTART_NO, "exec sleep 60");
    Worker w = {0};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, worker, &w), 0);
    cr_assert(run_until(worker_finished, &w, 10000));
    pthread_join(t, NULL);
    cr_assert_eq(w.start_result, 0, "%s", w.msg);
    cr_assert_eq(w.status_result, 0);
    cr_assert_str_eq(w.st.sub, "running");
    cr_assert_eq(w.stop_result, 0);
    cr_assert_str_eq(status("snap.t").sub, "dead");
    /* on the loop thread itself, waiting would deadlock */
    char *names[] = {"snap.t", NULL};
    cr_assert_eq(sn_supervisor_start_wait(sup, names, 0, NULL), -EDEADLK);
}
