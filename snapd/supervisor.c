/* SPDX-License-Identifier: GPL-3.0-only */
#include "supervisor.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "strutil.h"
#include "supervisor-impl.h"
#include "supervisor-internal.h"

static const char *const result_names[] = {
    [R_SUCCESS] = "success",
    [R_EXIT_CODE] = "exit-code",
    [R_SIGNAL] = "signal",
    [R_CORE_DUMP] = "core-dump",
    [R_TIMEOUT] = "timeout",
    [R_WATCHDOG] = "watchdog",
    [R_START_LIMIT] = "start-limit-hit",
    [R_RESOURCES] = "resources",
    [R_PROTOCOL] = "protocol",
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timeval tv_of(int64_t ns)
{
    return (struct timeval){.tv_sec = (time_t)(ns / 1000000000), .tv_usec = (suseconds_t)(ns % 1000000000 / 1000)};
}

static void arm(struct event *ev, int64_t ns)
{
    struct timeval tv = tv_of(ns);
    event_add(ev, &tv);
}

static void kick(SnSupervisor *sup)
{
    if (!event_pending(sup->kick, EV_TIMEOUT, NULL))
        event_active(sup->kick, EV_TIMEOUT, 0);
}

Service *sn_sup_find(SnSupervisor *sup, const char *name)
{
    for (size_t i = 0; i < sup->n_svcs; i++)
        if (SN_STREQ(sup->svcs[i]->def.name, name))
            return sup->svcs[i];
    return NULL;
}
/* ---------------------------------------------------------------- jobs and requests */

static void txn_finish_one(Txn *t, int r, const char *msg)
{
    if (r < 0 && t->result == 0) {
        t->result = r;
        t->message = msg ? strdup(msg) : NULL;
    }
    if (--t->pending == 0) {
        t->next = t->sup->completed;
        t->sup->completed = t;
        kick(t->sup);
    }
}

static void job_finish(Service *s, int r, const char *msg)
{
    Txn *t = s->txn;
    s->job = JOB_NONE;
    s->txn = NULL;
    s->restart_after_stop = false;
    event_del(s->window);
    if (t)
        txn_finish_one(t, r, msg);
    kick(s->sup);
}

static char *describe_failure(const Service *s)
{
    switch (s->result) {
    case R_START_LIMIT:
        return sn_strdup_printf("service %s: start request repeated too quickly (start limit hit)", s->def.name);
    case R_TIMEOUT:
        return sn_strdup_printf("service %s: timed out", s->def.name);
    case R_WATCHDOG:
        return sn_strdup_printf("service %s: watchdog timeout", s->def.name);
    case R_RESOURCES:
        return sn_strdup_printf("service %s: cannot spawn: %s", s->def.name, strerror(s->spawn_errno));
    case R_PROTOCOL:
        return sn_strdup_printf("service %s: exited before it reported readiness", s->def.name);
    default:
        break;
    }
    if (s->spawn_errno && s->exit_code == CLD_EXITED && s->exit_status == SN_SPAWN_EXIT_CHDIR)
        return sn_strdup_printf("service %s: cannot change to directory %s: %s", s->def.name,
                                s->def.working_dir ? s->def.working_dir : "/", strerror(s->spawn_errno));
    if (s->spawn_errno && s->exit_code == CLD_EXITED && s->exit_status == SN_SPAWN_EXIT_EXEC)
        return sn_strdup_printf("service %s: cannot execute %s: %s", s->def.name, s->def.start_argv[0],
                                strerror(s->spawn_errno));
    if (s->exit_code == CLD_EXITED)
        return sn_strdup_printf("service %s: exited with status %d", s->def.name, s->exit_status);
    if (s->exit_code == CLD_KILLED || s->exit_code == CLD_DUMPED)
        return sn_strdup_printf("service %s: killed by signal %d (%s)", s->def.name, s->exit_status,
                                strsignal(s->exit_status));
    return sn_strdup_printf("service %s: failed (%s)", s->def.name, result_names[s->result]);
}

static void job_fail(Service *s)
{
    _sn_free_ char *msg = describe_failure(s);
    job_finish(s, -EIO, msg ? msg : "service failed");
}

/* Looks at the state after every change and finishes the service's job when it is decided. */
static void job_check(Service *s)
{
    if (s->job == JOB_START && s->phase == PHASE_RUN) {
        switch (s->state) {
        case ST_RUNNING:
            if (s->txn && s->txn->window_ns > 0) {
                s->phase = PHASE_WINDOW;
                arm(s->window, s->txn->window_ns);
                kick(s->sup); /* ordering waits for the start, not the window */
            } else {
                job_finish(s, 0, NULL);
            }
            return;
        case ST_EXITED:
            job_finish(s, 0, NULL);
            return;
        case ST_DEAD:
            if (s->result == R_SUCCESS)
                job_finish(s, 0, NULL); /* a oneshot done, or a forking one that left nothing */
            else
                job_fail(s);
            return;
        case ST_FAILED:
        case ST_AUTO_RESTART:
            job_fail(s);
            return;
        default:
            /* stopping after a failed start: decided once dead, failed or restarting */
            if (s->result != R_SUCCESS && s->state != ST_START)
                job_fail(s);
            return;
        }
    }
    if (s->job == JOB_START && s->phase == PHASE_WINDOW && s->state != ST_RUNNING) {
        _sn_free_ char *why = describe_failure(s);
        _sn_free_ char *msg = sn_strdup_printf("service %s stopped within %.1fs of its start (%s)", s->def.name,
                                               (double)s->txn->window_ns / 1e9, why ? why : "it exited");
        job_finish(s, -EIO, msg ? msg : "service stopped within its start window");
        return;
    }
    if (s->job == JOB_STOP && s->phase == PHASE_RUN &&
        (s->state == ST_DEAD || s->state == ST_FAILED || s->state == ST_AUTO_RESTART)) {
        if (s->restart_after_stop) {
            s->job = JOB_START;
            s->phase = PHASE_WAIT;
            s->restart_after_stop = false;
            kick(s->sup);
        } else {
            job_finish(s, 0, NULL);
        }
    }
}

static void on_window(evutil_socket_t fd, short what, void *ud)
{
    Service *s = ud;
    if (s->job == JOB_START && s->phase == PHASE_WINDOW)
        job_finish(s, 0, NULL);
}

/* ---------------------------------------------------------------- the state machine */

static void enter_signal(Service *s, State phase, int sig, Result result);
static void enter_stop_post(Service *s, Result result);

static void set_state(Service *s, State st)
{
    if ((st == ST_RUNNING || st == ST_EXITED) && s->state != ST_RUNNING && s->state != ST_EXITED)
        s->active_since_ns = real_ns();
    s->state = st;
    if (st != ST_RUNNING)
        event_del(s->watchdog);
    if (st != ST_STOP_SIGNAL && st != ST_STOP_SIGKILL)
        event_del(s->poll);
    job_check(s);
}

static bool should_restart(const Service *s, Result r)
{
    switch (s->def.restart) {
    case SN_RESTART_NO:
        return false;
    case SN_RESTART_ALWAYS:
        return r != R_START_LIMIT && r != R_RESOURCES;
    case SN_RESTART_ON_SUCCESS:
        return r == R_SUCCESS;
    case SN_RESTART_ON_FAILURE:
        return r != R_SUCCESS && r != R_START_LIMIT && r != R_RESOURCES;
    case SN_RESTART_ON_ABNORMAL:
        return r == R_SIGNAL || r == R_CORE_DUMP || r == R_TIMEOUT || r == R_WATCHDOG;
    case SN_RESTART_ON_ABORT:
        return r == R_SIGNAL || r == R_CORE_DUMP;
    case SN_RESTART_ON_WATCHDOG:
        return r == R_WATCHDOG;
    }
    return false;
}

void sn_sup_apply_next_def(Service *s)
{
    if (!s->next_def)
        return;
    sn_service_def_done(&s->def);
    s->def = *s->next_def;
    free(s->next_def);
    s->next_def = NULL;
}

static void enter_dead(Service *s, Result result)
{
    event_del(s->timer);
    if (s->result == R_SUCCESS)
        s->result = result;
    if (s->sup->run_dir)
        sn_pidfile_remove(s->sup->run_dir, s->def.name);
    s->pgid = 0;
    if (!s->explicit_stop && should_restart(s, s->result)) {
        arm(s->timer, s->def.restart_delay_ns);
        set_state(s, ST_AUTO_RESTART);
        return;
    }
    sn_sup_apply_next_def(s);
    set_state(s, s->result == R_SUCCESS ? ST_DEAD : ST_FAILED);
}

static void enter_stop_post(Service *s, Result result)
{
    event_del(s->timer);
    if (s->result == R_SUCCESS)
        s->result = result;
    if (s->def.post_stop_argv) {
        pid_t pid;
        int pidfd;
        if (sn_sup_spawn(s, s->def.post_stop_argv, false, &pid, &pidfd) >= 0 &&
            sn_sup_proc_watch(s, &s->control, pid, pidfd, true) >= 0) {
            if (s->def.stop_timeout_ns > 0)
                arm(s->timer, s->def.stop_timeout_ns);
            set_state(s, ST_STOP_POST);
            return;
        }
    }
    enter_dead(s, R_SUCCESS);
}

static void on_poll(evutil_socket_t fd, short what, void *ud)
{
    Service *s = ud;
    if ((s->state == ST_STOP_SIGNAL || s->state == ST_STOP_SIGKILL) && !sn_sup_remaining(s))
        enter_stop_post(s, R_SUCCESS);
}

static void enter_signal(Service *s, State phase, int sig, Result result)
{
    event_del(s->timer);
    if (s->result == R_SUCCESS)
        s->result = result;
    if (!sn_sup_remaining(s)) {
        enter_stop_post(s, R_SUCCESS);
        return;
    }
    sn_sup_signal(s, sig);
    int64_t wait = phase == ST_STOP_SIGKILL ? (s->def.stop_timeout_ns > 0 ? s->def.stop_timeout_ns : SIGKILL_WAIT_NS)
                                            : s->def.stop_timeout_ns;
    if (wait > 0)
        arm(s->timer, wait);
    set_state(s, phase);
    if (s->main.pid == 0)
        arm(s->poll, GROUP_POLL_NS);
}

static void enter_stop(Service *s, Result result)
{
    event_del(s->timer);
    if (s->result == R_SUCCESS)
        s->result = result;
    if (s->def.stop_argv) {
        pid_t pid;
        int pidfd;
        if (sn_sup_spawn(s, s->def.stop_argv, false, &pid, &pidfd) >= 0 &&
            sn_sup_proc_watch(s, &s->control, pid, pidfd, true) >= 0) {
            if (s->def.stop_timeout_ns > 0)
                arm(s->timer, s->def.stop_timeout_ns);
            set_state(s, ST_STOP);
            return;
        }
    }
    enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, R_SUCCESS);
}

/* systemd's start rate limit: more than burst starts within interval is refused. */
static bool ratelimit_ok(Service *s)
{
    int64_t now = mono_ns();
    if (s->rl_begin_ns == 0 || now - s->rl_begin_ns > s->sup->rl_interval_ns) {
        s->rl_begin_ns = now;
        s->rl_count = 0;
    }
    if (s->rl_count < s->sup->rl_burst) {
        s->rl_count++;
        return true;
    }
    return false;
}

static void do_start(Service *s)
{
    event_del(s->timer);
    sn_sup_apply_next_def(s);
    s->result = R_SUCCESS;
    s->exit_code = s->exit_status = 0;
    s->spawn_errno = 0;
    if (!ratelimit_ok(s)) {
        s->result = R_START_LIMIT;
        set_state(s, ST_FAILED);
        return;
    }
    pid_t pid;
    int pidfd;
    int r = sn_sup_spawn(s, s->def.start_argv, true, &pid, &pidfd);
    if (r >= 0)
        r = sn_sup_proc_watch(s, &s->main, pid, pidfd, true);
    if (r < 0) {
        if (s->main.pid > 0) {
            (void)kill(s->main.pid, SIGKILL);
            (void)waitpid(s->main.pid, NULL, 0);
        }
        sn_sup_proc_done(&s->main);
        s->spawn_errno = -r;
        s->result = R_RESOURCES;
        set_state(s, ST_FAILED);
        return;
    }
    s->pgid = pid; /* setsid() in the child */
    if (s->sup->run_dir)
        (void)sn_pidfile_write(s->sup->run_dir, s->def.name, pid, pid, s->def.kill_all);
    if (s->def.type == SN_SERVICE_SIMPLE || s->def.type == SN_SERVICE_DBUS) {
        if (s->def.watchdog_ns > 0)
            arm(s->watchdog, s->def.watchdog_ns);
        set_state(s, ST_RUNNING);
        return;
    }
    if (s->def.start_timeout_ns > 0)
        arm(s->timer, s->def.start_timeout_ns);
    set_state(s, ST_START);
}

static Result result_of_exit(const Service *s, int code, int status)
{
    if (code == CLD_EXITED) {
        if (status == 0)
            return R_SUCCESS;
        for (size_t i = 0; i < s->def.n_success_exit_status; i++)
            if (s->def.success_exit_status[i] == status)
                return R_SUCCESS;
        return R_EXIT_CODE;
    }
    if (code == CLD_KILLED || code == CLD_DUMPED) {
        if (status == SIGHUP || status == SIGINT || status == SIGTERM || status == SIGPIPE)
            return R_SUCCESS;
        return code == CLD_DUMPED ? R_CORE_DUMP : R_SIGNAL;
    }
    return R_EXIT_CODE; /* not our child: the status is unknown */
}

static void main_exited(Service *s, int code, int status)
{
    s->exit_code = code;
    s->exit_status = status;
    Result r = result_of_exit(s, code, status);
    switch (s->state) {
    case ST_START:
        event_del(s->timer);
        if (s->def.type == SN_SERVICE_ONESHOT) {
            if (r == R_SUCCESS && s->def.remain_after_exit) {
                set_state(s, ST_EXITED);
                return;
            }
            enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, r);
            return;
        }
        if (s->def.type == SN_SERVICE_FORKING && r == R_SUCCESS) {
            /* The daemon the first process left behind becomes the main process. */
            _sn_free_ char *marker =
                sn_strdup_printf("SNAPD_SERVICE_INVOCATION=%s:%d:%u", s->def.name, (int)getpid(), s->invocation);
            pid_t daemon = sn_proc_guess_main(s->pgid, marker);
            int pidfd = daemon > 0 ? sn_pidfd_open(daemon) : -1;
            if (pidfd >= 0 && sn_sup_proc_watch(s, &s->main, daemon, pidfd, false) >= 0) {
                if (s->def.watchdog_ns > 0)
                    arm(s->watchdog, s->def.watchdog_ns);
                set_state(s, ST_RUNNING);
                return;
            }
            sn_safe_close(pidfd);
            sn_sup_proc_done(&s->main);
            enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, R_SUCCESS);
            return;
        }
        /* notify: gone before READY=1 */
        enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, r == R_SUCCESS ? R_PROTOCOL : r);
        return;
    case ST_RUNNING:
        /* A clean exit goes through stop-command; a failure straight to killing what is left. */
        if (r == R_SUCCESS)
            enter_stop(s, R_SUCCESS);
        else
            enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, r);
        return;
    case ST_STOP:
        /* stop-command made it exit: wait for the command, then go on */
        if (r != R_SUCCESS && !s->explicit_stop && s->result == R_SUCCESS)
            s->result = r;
        return;
    case ST_STOP_SIGNAL:
    case ST_STOP_SIGKILL:
        /* Death by the stop signal is a clean stop; by the watchdog's SIGABRT it keeps its result. */
        if (!sn_sup_remaining(s))
            enter_stop_post(s, R_SUCCESS);
        else
            arm(s->poll, GROUP_POLL_NS);
        return;
    default:
        return;
    }
}

static void control_exited(Service *s)
{
    switch (s->state) {
    case ST_STOP:
        enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, R_SUCCESS);
        return;
    case ST_STOP_POST:
        enter_dead(s, R_SUCCESS);
        return;
    default:
        return;
    }
}

void sn_sup_on_proc_exit(evutil_socket_t fd, short what, void *ud)
{
    Proc *p = ud;
    Service *s = p->svc;
    int code = -1, status = 0;
    if (p->child) {
        siginfo_t si = {0};
        if (waitid((idtype_t)P_PIDFD, (id_t)p->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
            return;
        code = si.si_code;
        status = si.si_status;
    }
    pid_t pid = p->pid;
    bool is_main = p == &s->main;
    sn_sup_proc_done(p);
    sn_sup_log_drain(s->sup, pid);
    if (is_main)
        main_exited(s, code, status);
    else
        control_exited(s);
}

static void on_timer(evutil_socket_t fd, short what, void *ud)
{
    Service *s = ud;
    switch (s->state) {
    case ST_START:
        enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, R_TIMEOUT);
        return;
    case ST_STOP:
        /* The stop-command hangs: kill it (reaped at once, SIGKILL is quick) and go on. */
        if (s->control.pid > 0) {
            siginfo_t si;
            (void)kill(s->control.pid, SIGKILL);
            while (waitid((idtype_t)P_PIDFD, (id_t)s->control.pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
            sn_sup_proc_done(&s->control);
        }
        enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, R_TIMEOUT);
        return;
    case ST_STOP_SIGNAL:
        enter_signal(s, ST_STOP_SIGKILL, SIGKILL, R_TIMEOUT);
        return;
    case ST_STOP_SIGKILL:
        /* Unkillable (D state): give up waiting, as systemd does after its final SIGKILL. */
        sn_sup_proc_done(&s->main);
        enter_stop_post(s, R_TIMEOUT);
        return;
    case ST_STOP_POST:
        if (s->control.pid > 0)
            (void)kill(s->control.pid, SIGKILL);
        if (s->result == R_SUCCESS)
            s->result = R_TIMEOUT;
        return; /* its exit moves us on */
    case ST_AUTO_RESTART:
        s->n_restarts++;
        do_start(s);
        return;
    default:
        return;
    }
}

static void on_watchdog(evutil_socket_t fd, short what, void *ud)
{
    Service *s = ud;
    if (s->state != ST_RUNNING)
        return;
    /* systemd's WatchdogSignal=SIGABRT, then the usual stop escalation. */
    enter_signal(s, ST_STOP_SIGNAL, SIGABRT, R_WATCHDOG);
}

/* ---------------------------------------------------------------- notify socket */

static Service *service_of_pid(SnSupervisor *sup, pid_t pid)
{
    pid_t pgid = getpgid(pid);
    for (size_t i = 0; i < sup->n_svcs; i++) {
        Service *s = sup->svcs[i];
        if (s->main.pid == pid || (s->pgid > 0 && pgid == s->pgid))
            return s;
    }
    return NULL;
}

void sn_sup_on_notify(evutil_socket_t fd, short what, void *ud)
{
    SnSupervisor *sup = ud;
    for (int i = 0; i < 64; i++) {
        char buf[4096];
        pid_t pid = 0;
        int n = sn_notify_recv(sup->notify_fd, buf, sizeof(buf), &pid);
        if (n == -EAGAIN)
            return;
        if (n < 0)
            continue;
        Service *s = service_of_pid(sup, pid);
        if (!s)
            continue;
        char *save = NULL;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            if (SN_STREQ(l, "READY=1") && s->state == ST_START && s->def.type == SN_SERVICE_NOTIFY) {
                event_del(s->timer);
                if (s->def.watchdog_ns > 0)
                    arm(s->watchdog, s->def.watchdog_ns);
                set_state(s, ST_RUNNING);
            } else if (SN_STREQ(l, "WATCHDOG=1") && s->state == ST_RUNNING && s->def.watchdog_ns > 0) {
                arm(s->watchdog, s->def.watchdog_ns);
            }
        }
    }
}

/* ---------------------------------------------------------------- dispatch */

/* x must wait for y: "x after y" (or "y before x"), for the given job kind. */
static bool ordered_after(const Service *x, const Service *y)
{
    return sn_strv_contains(x->def.after, y->def.name) || sn_strv_contains(y->def.before, x->def.name);
}

static bool blocked(SnSupervisor *sup, Service *s)
{
    if (s->job == JOB_START &&
        (s->state == ST_STOP || s->state == ST_STOP_SIGNAL || s->state == ST_STOP_SIGKILL || s->state == ST_STOP_POST))
        return true;
    for (size_t i = 0; i < sup->n_svcs; i++) {
        Service *o = sup->svcs[i];
        if (o == s || o->job == JOB_NONE || o->phase == PHASE_WINDOW)
            continue;
        if (o->job != s->job) {
            if (s->job == JOB_START && o->restart_after_stop && ordered_after(s, o))
                return true;
            continue;
        }
        if (s->job == JOB_START && ordered_after(s, o))
            return true;

        if (s->job == JOB_STOP && ordered_after(o, s))
            return true;
    }
    return false;
}

static void run_job(Service *s)
{
    s->phase = PHASE_RUN;
    if (s->job == JOB_START) {
        s->explicit_stop = false;
        switch (s->state) {
        case ST_DEAD:
        case ST_FAILED:
        case ST_AUTO_RESTART:
            do_start(s);
            break;
        default:
            job_check(s);
            break;
        }
        return;
    }
    s->explicit_stop = true;
    switch (s->state) {
    case ST_START:
        enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, R_SUCCESS);
        break;
    case ST_RUNNING:
    case ST_EXITED:
        enter_stop(s, R_SUCCESS);
        break;
    case ST_AUTO_RESTART:
        event_del(s->timer);
        sn_sup_apply_next_def(s);
        set_state(s, ST_DEAD);
        break;
    default:
        job_check(s);
        break;
    }
}

static void dispatch(SnSupervisor *sup)
{
    bool progress = true;
    while (progress) {
        progress = false;
        for (size_t i = 0; i < sup->n_svcs; i++) {
            Service *s = sup->svcs[i];
            if (s->job != JOB_NONE && s->phase == PHASE_WAIT && !blocked(sup, s)) {
                run_job(s);
                progress = true;
            }
        }
    }
}

void sn_sup_on_kick(evutil_socket_t fd, short what, void *ud)
{
    SnSupervisor *sup = ud;
    dispatch(sup);
    /* Completions last: a callback may make new requests. */
    while (sup->completed) {
        Txn *t = sup->completed;
        sup->completed = t->next;
        if (t->done)
            t->done(t->result, t->message, t->userdata);
        free(t->message);
        free(t);
    }
}

static int queue(SnSupervisor *sup, Service **svcs, size_t n, JobKind kind, bool restart, int64_t window_ns,
                 SnSupervisorDoneFn done, void *userdata)
{
    Txn *t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->sup = sup;
    t->done = done;
    t->userdata = userdata;
    t->window_ns = window_ns;
    t->pending = 1; /* held until every job is queued */
    for (size_t i = 0; i < n; i++) {
        Service *s = svcs[i];
        if (s->txn == t)
            continue; /* named twice */
        if (s->job != JOB_NONE)
            job_finish(s, -ECANCELED, "replaced by a newer request");
        s->job = kind;
        s->phase = PHASE_WAIT;
        s->restart_after_stop = restart;
        s->txn = t;
        t->pending++;
    }
    txn_finish_one(t, 0, NULL);
    kick(sup);
    return 0;
}

static int resolve(SnSupervisor *sup, char *const *names, Service ***ret, size_t *ret_n, SnError **reterr)
{
    size_t n = sn_strv_length(names);
    Service **v = calloc(n + 1, sizeof(*v));
    if (!v)
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        v[i] = sn_sup_find(sup, names[i]);
        if (!v[i]) {
            free(v);
            return sn_error_set(reterr, -ENOENT, "unknown service \"%s\"", names[i]);
        }
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

int sn_supervisor_start(SnSupervisor *sup, char *const *names, int64_t window_ns, SnSupervisorDoneFn done,
                        void *userdata, SnError **reterr)
{
    _sn_free_ Service **v = NULL;
    size_t n;
    int r = resolve(sup, names, &v, &n, reterr);
    if (r < 0)
        return r;
    r = queue(sup, v, n, JOB_START, false, window_ns, done, userdata);
    return r < 0 ? sn_error_set(reterr, r, "out of memory") : 0;
}

int sn_supervisor_stop(SnSupervisor *sup, char *const *names, SnSupervisorDoneFn done, void *userdata, SnError **reterr)
{
    _sn_free_ Service **v = NULL;
    size_t n;
    int r = resolve(sup, names, &v, &n, reterr);
    if (r < 0)
        return r;
    r = queue(sup, v, n, JOB_STOP, false, 0, done, userdata);
    return r < 0 ? sn_error_set(reterr, r, "out of memory") : 0;
}

int sn_supervisor_restart(SnSupervisor *sup, char *const *names, int64_t window_ns, SnSupervisorDoneFn done,
                          void *userdata, SnError **reterr)
{
    _sn_free_ Service **v = NULL;
    size_t n;
    int r = resolve(sup, names, &v, &n, reterr);
    if (r < 0)
        return r;
    r = queue(sup, v, n, JOB_STOP, true, window_ns, done, userdata);
    return r < 0 ? sn_error_set(reterr, r, "out of memory") : 0;
}

int sn_supervisor_start_enabled(SnSupervisor *sup, SnSupervisorDoneFn done, void *userdata)
{
    _sn_free_ Service **v = calloc(sup->n_svcs + 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < sup->n_svcs; i++) {
        const SnServiceDef *d = &sup->svcs[i]->def;
        if (d->enabled && !d->timer_activated && !d->socket_activated && !d->dbus_activated)
            v[n++] = sup->svcs[i];
    }
    return queue(sup, v, n, JOB_START, false, 0, done, userdata);
}

int sn_supervisor_stop_all(SnSupervisor *sup, SnSupervisorDoneFn done, void *userdata)
{
    return queue(sup, sup->svcs, sup->n_svcs, JOB_STOP, false, 0, done, userdata);
}

/* ---------------------------------------------------------------- a new service's timers */

int sn_sup_service_timers(Service *s)
{
    struct event_base *base = s->sup->base;
    s->timer = evtimer_new(base, on_timer, s);
    s->watchdog = evtimer_new(base, on_watchdog, s);
    s->poll = evtimer_new(base, on_poll, s);
    s->window = evtimer_new(base, on_window, s);
    return s->timer && s->watchdog && s->poll && s->window ? 0 : -ENOMEM;
}

const char *sn_sup_result_name(Result r)
{
    return result_names[r];
}
