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
#include "supervisor-internal.h"

/* How often a stopping kill-all service's process group is looked at once its main process is gone. */
#define GROUP_POLL_NS (50LL * 1000000)
/* How long the SIGKILL phase waits when the stop timeout is infinite. */
#define SIGKILL_WAIT_NS (10LL * 1000000000)

typedef enum State {
    ST_DEAD = 0,
    ST_START,        /* main spawned, waiting for readiness (notify, forking, oneshot) */
    ST_RUNNING,      /* main runs */
    ST_EXITED,       /* oneshot with remain_after_exit, after its success */
    ST_STOP,         /* stop-command runs */
    ST_STOP_SIGNAL,  /* stop signal (or the watchdog's SIGABRT) sent, waiting */
    ST_STOP_SIGKILL, /* SIGKILL sent, waiting */
    ST_STOP_POST,    /* post-stop-command runs */
    ST_AUTO_RESTART, /* waiting restart-delay */
    ST_FAILED,
} State;

typedef enum Result {
    R_SUCCESS = 0,
    R_EXIT_CODE,
    R_SIGNAL,
    R_CORE_DUMP,
    R_TIMEOUT,
    R_WATCHDOG,
    R_START_LIMIT,
    R_RESOURCES,
    R_PROTOCOL,
} Result;

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

typedef enum JobKind { JOB_NONE = 0, JOB_START, JOB_STOP } JobKind;
typedef enum JobPhase { PHASE_WAIT = 0, PHASE_RUN, PHASE_WINDOW } JobPhase;

typedef struct Txn {
    SnSupervisor *sup;
    SnSupervisorDoneFn done;
    void *userdata;
    unsigned pending;
    int result;
    char *message;
    int64_t window_ns;
    struct Txn *next; /* in the completed list */
} Txn;

typedef struct Service Service;

/* A process we wait for: the main one or a control one (stop / post-stop command). */
typedef struct Proc {
    Service *svc;
    pid_t pid;
    int pidfd;
    bool child; /* ours to reap; else only watched, exit status unknown */
    struct event *ev;
} Proc;

struct Service {
    SnSupervisor *sup;
    SnServiceDef def;
    SnServiceDef *next_def; /* from update() while running: applies at the next start */
    State state;
    Result result;      /* of the current or last run */
    bool explicit_stop; /* a stop was asked: no restart */
    Proc main;
    Proc control;
    pid_t pgid;
    struct event *timer;    /* the state's timeout */
    struct event *watchdog; /* WATCHDOG_USEC */
    struct event *poll;     /* a kill-all group after its main process is gone */
    int64_t rl_begin_ns;    /* start limit (monotonic) */
    unsigned rl_count;
    unsigned n_restarts;
    unsigned invocation; /* of the last main process: its SNAPD_SERVICE_INVOCATION */
    int exit_code;
    int exit_status;
    int spawn_errno; /* why the last spawn failed in the child (chdir/exec), for messages */
    int64_t active_since_ns;
    JobKind job;
    JobPhase phase;
    bool restart_after_stop;
    Txn *txn;
    struct event *window;
};

typedef struct LogStream {
    SnSupervisor *sup;
    char *sid;
    pid_t pid;
    int fd;
    struct event *ev;
    SnServiceLogPartial partial;
    struct LogStream *next;
} LogStream;

typedef struct Call {
    SnSupervisor *sup;
    int (*fn)(SnSupervisor *sup, void *userdata);
    void *userdata;
    char *const *names; /* for start/stop */
    int64_t window_ns;
    int result;
    char *message;
    bool done;
    struct Call *next;
} Call;

struct SnSupervisor {
    struct event_base *base;
    Service **svcs;
    size_t n_svcs;
    SnServiceLog *log;
    char **extra_env;
    char *env_file;
    char *run_dir;
    char *notify_path; /* filesystem socket to unlink at free */
    char *notify_addr; /* NOTIFY_SOCKET value */
    int notify_fd;
    struct event *notify_ev;
    int64_t rl_interval_ns;
    unsigned rl_burst;
    struct event *kick;
    Txn *completed;
    LogStream *streams;
    /* calls from other threads */
    pthread_t loop_thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    Call *calls;
    int wake_fd;
    struct event *wake_ev;
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

static Service *find(SnSupervisor *sup, const char *name)
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

/* ---------------------------------------------------------------- processes */

static void proc_done(Proc *p)
{
    if (p->ev) {
        event_free(p->ev);
        p->ev = NULL;
    }
    p->pidfd = sn_safe_close(p->pidfd);
    p->pid = 0;
    p->child = false;
}

static void on_proc_exit(evutil_socket_t fd, short what, void *ud);

static int proc_watch(Service *s, Proc *p, pid_t pid, int pidfd, bool child)
{
    p->svc = s;
    p->pid = pid;
    p->pidfd = pidfd;
    p->child = child;
    p->ev = event_new(s->sup->base, pidfd, EV_READ | EV_PERSIST, on_proc_exit, p);
    if (!p->ev || event_add(p->ev, NULL) < 0)
        return -ENOMEM;
    return 0;
}

static void log_stream_free(LogStream *ls)
{
    SnSupervisor *sup = ls->sup;
    for (LogStream **pp = &sup->streams; *pp; pp = &(*pp)->next)
        if (*pp == ls) {
            *pp = ls->next;
            break;
        }
    if (ls->ev)
        event_free(ls->ev);
    sn_safe_close(ls->fd);
    free(ls->sid);
    free(ls);
}

static void on_log(evutil_socket_t fd, short what, void *ud)
{
    LogStream *ls = ud;
    char buf[8192];
    ssize_t n = read(ls->fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        (void)sn_service_log_flush(ls->sup->log, ls->sid, ls->pid, &ls->partial);
        log_stream_free(ls);
        return;
    }
    (void)sn_service_log_feed(ls->sup->log, ls->sid, ls->pid, &ls->partial, buf, (size_t)n);
}

/* Reads the rest of every stream of pid now, so a line written just before exit is logged first. */
static void log_drain(SnSupervisor *sup, pid_t pid)
{
    for (LogStream *ls = sup->streams, *next; ls; ls = next) {
        next = ls->next;
        if (ls->pid != pid)
            continue;
        char buf[8192];
        ssize_t n;
        while ((n = read(ls->fd, buf, sizeof(buf))) > 0)
            (void)sn_service_log_feed(sup->log, ls->sid, ls->pid, &ls->partial, buf, (size_t)n);
        if (n == 0) {
            (void)sn_service_log_flush(sup->log, ls->sid, ls->pid, &ls->partial);
            log_stream_free(ls);
        }
    }
}

/* Spawns argv for s with its log captured. Returns 0 with *ret_pid and *ret_pidfd, or -errno (fork failed). */
static int spawn(Service *s, char *const *argv, bool main, pid_t *ret_pid, int *ret_pidfd)
{
    SnSupervisor *sup = s->sup;
    char watchdog_pid[32] = "WATCHDOG_PID=";
    _sn_strv_free_ char **more = NULL;
    if (main)
        s->invocation++;
    _sn_free_ char *inv =
        sn_strdup_printf("SNAPD_SERVICE_INVOCATION=%s:%d:%u", s->def.name, (int)getpid(), s->invocation);
    if (!inv || sn_strv_push(&more, inv) < 0)
        return -ENOMEM;
    bool notify = main && (s->def.type == SN_SERVICE_NOTIFY || s->def.watchdog_ns > 0);
    if (notify) {
        _sn_free_ char *ns = sn_strdup_printf("NOTIFY_SOCKET=%s", sup->notify_addr);
        if (!ns || sn_strv_push(&more, ns) < 0)
            return -ENOMEM;
    }
    if (main && s->def.watchdog_ns > 0) {
        _sn_free_ char *wu = sn_strdup_printf("WATCHDOG_USEC=%lld", (long long)(s->def.watchdog_ns / 1000));
        if (!wu || sn_strv_push(&more, wu) < 0)
            return -ENOMEM;
    }
    _sn_strv_free_ char **env = NULL;
    int r = sn_service_environment(sup->env_file, sup->extra_env, more, &env);
    if (r < 0)
        return r;
    /* The child writes its own pid into this slot (systemd: WATCHDOG_PID is the main pid). */
    char **envp = env;
    size_t n_env = sn_strv_length(env);
    _sn_free_ char **with_pid = NULL;
    if (main && s->def.watchdog_ns > 0) {
        with_pid = calloc(n_env + 2, sizeof(char *));
        if (!with_pid)
            return -ENOMEM;
        memcpy(with_pid, env, n_env * sizeof(char *));
        with_pid[n_env] = watchdog_pid;
        envp = with_pid;
    }

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return sn_negative_errno();
    SnSpawn sp = {.argv = argv,
                  .envp = envp,
                  .chdir_to = s->def.working_dir,
                  .watchdog_pid = (main && s->def.watchdog_ns > 0) ? watchdog_pid : NULL};
    pid_t pid = 0;
    int pidfd = -1, err = 0;
    r = sn_spawn(&sp, fds[1], &pid, &pidfd, &err);
    close(fds[1]);
    if (r < 0) {
        close(fds[0]);
        return r;
    }
    s->spawn_errno = err;
    LogStream *ls = calloc(1, sizeof(*ls));
    if (ls) {
        ls->sup = sup;
        ls->sid = strdup(s->def.name);
        ls->pid = pid;
        ls->fd = fds[0];
        (void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
        ls->ev = event_new(sup->base, fds[0], EV_READ | EV_PERSIST, on_log, ls);
        ls->next = sup->streams;
        sup->streams = ls;
        if (!ls->sid || !ls->ev || event_add(ls->ev, NULL) < 0)
            log_stream_free(ls);
    } else {
        close(fds[0]);
    }
    *ret_pid = pid;
    *ret_pidfd = pidfd;
    return 0;
}

static void signal_service(Service *s, int sig)
{
    if (s->main.pid > 0)
        (void)kill(s->main.pid, sig);
    if (s->def.kill_all && s->pgid > 0) {
        (void)kill(-s->pgid, sig);
        if (sig != SIGKILL && sig != SIGCONT)
            (void)kill(-s->pgid, SIGCONT);
    }
}

/* Something of the service still runs: the main process, or for kill-all its group. */
static bool remaining(Service *s)
{
    return s->main.pid > 0 || (s->def.kill_all && sn_proc_group_alive(s->pgid));
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

static void apply_next_def(Service *s)
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
    apply_next_def(s);
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
        if (spawn(s, s->def.post_stop_argv, false, &pid, &pidfd) >= 0 &&
            proc_watch(s, &s->control, pid, pidfd, true) >= 0) {
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
    if ((s->state == ST_STOP_SIGNAL || s->state == ST_STOP_SIGKILL) && !remaining(s))
        enter_stop_post(s, R_SUCCESS);
}

static void enter_signal(Service *s, State phase, int sig, Result result)
{
    event_del(s->timer);
    if (s->result == R_SUCCESS)
        s->result = result;
    if (!remaining(s)) {
        enter_stop_post(s, R_SUCCESS);
        return;
    }
    signal_service(s, sig);
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
        if (spawn(s, s->def.stop_argv, false, &pid, &pidfd) >= 0 && proc_watch(s, &s->control, pid, pidfd, true) >= 0) {
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
    apply_next_def(s);
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
    int r = spawn(s, s->def.start_argv, true, &pid, &pidfd);
    if (r >= 0)
        r = proc_watch(s, &s->main, pid, pidfd, true);
    if (r < 0) {
        if (s->main.pid > 0) {
            (void)kill(s->main.pid, SIGKILL);
            (void)waitpid(s->main.pid, NULL, 0);
        }
        proc_done(&s->main);
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
            if (pidfd >= 0 && proc_watch(s, &s->main, daemon, pidfd, false) >= 0) {
                if (s->def.watchdog_ns > 0)
                    arm(s->watchdog, s->def.watchdog_ns);
                set_state(s, ST_RUNNING);
                return;
            }
            sn_safe_close(pidfd);
            proc_done(&s->main);
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
        if (!remaining(s))
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

static void on_proc_exit(evutil_socket_t fd, short what, void *ud)
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
    proc_done(p);
    log_drain(s->sup, pid);
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
            proc_done(&s->control);
        }
        enter_signal(s, ST_STOP_SIGNAL, s->def.kill_signal, R_TIMEOUT);
        return;
    case ST_STOP_SIGNAL:
        enter_signal(s, ST_STOP_SIGKILL, SIGKILL, R_TIMEOUT);
        return;
    case ST_STOP_SIGKILL:
        /* Unkillable (D state): give up waiting, as systemd does after its final SIGKILL. */
        proc_done(&s->main);
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

static void on_notify(evutil_socket_t fd, short what, void *ud)
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
        apply_next_def(s);
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

static void on_kick(evutil_socket_t fd, short what, void *ud)
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
        v[i] = find(sup, names[i]);
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

/* ---------------------------------------------------------------- services */

static int check_def(const SnServiceDef *def, SnError **reterr)
{
    if (!def->name || !*def->name || strchr(def->name, '/'))
        return sn_error_set(reterr, -EINVAL, "a service needs a name without '/'");
    char *const *argvs[] = {def->start_argv, def->stop_argv, def->post_stop_argv};
    if (!def->start_argv || !def->start_argv[0])
        return sn_error_set(reterr, -EINVAL, "service %s: no command to start", def->name);
    for (size_t i = 0; i < SN_ELEMENTSOF(argvs); i++)
        if (argvs[i] && (!argvs[i][0] || argvs[i][0][0] != '/'))
            return sn_error_set(reterr, -EINVAL, "service %s: commands must be absolute paths", def->name);
    if (def->kill_signal <= 0 || def->kill_signal >= NSIG)
        return sn_error_set(reterr, -EINVAL, "service %s: invalid stop signal %d", def->name, def->kill_signal);
    return 0;
}

static void service_free(Service *s)
{
    if (!s)
        return;
    proc_done(&s->main);
    proc_done(&s->control);
    if (s->timer)
        event_free(s->timer);
    if (s->watchdog)
        event_free(s->watchdog);
    if (s->poll)
        event_free(s->poll);
    if (s->window)
        event_free(s->window);
    sn_service_def_done(&s->def);
    if (s->next_def) {
        sn_service_def_done(s->next_def);
        free(s->next_def);
    }
    free(s);
}

int sn_supervisor_add(SnSupervisor *sup, const SnServiceDef *def, SnError **reterr)
{
    int r = check_def(def, reterr);
    if (r < 0)
        return r;
    if (find(sup, def->name))
        return sn_error_set(reterr, -EEXIST, "service %s is already known", def->name);
    Service *s = calloc(1, sizeof(*s));
    Service **v = realloc(sup->svcs, (sup->n_svcs + 1) * sizeof(*v));
    if (v)
        sup->svcs = v;
    if (!s || !v || sn_service_def_copy(def, &s->def) < 0) {
        free(s);
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    }
    s->sup = sup;
    s->main.pidfd = s->control.pidfd = -1;
    s->timer = evtimer_new(sup->base, on_timer, s);
    s->watchdog = evtimer_new(sup->base, on_watchdog, s);
    s->poll = evtimer_new(sup->base, on_poll, s);
    s->window = evtimer_new(sup->base, on_window, s);
    if (!s->timer || !s->watchdog || !s->poll || !s->window) {
        service_free(s);
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    }
    if (sup->run_dir)
        sn_pidfile_kill_stale(sup->run_dir, def->name);
    sup->svcs[sup->n_svcs++] = s;
    return 0;
}

int sn_supervisor_update(SnSupervisor *sup, const SnServiceDef *def, SnError **reterr)
{
    Service *s = find(sup, def ? def->name : "");
    if (!s)
        return sn_supervisor_add(sup, def, reterr);
    int r = check_def(def, reterr);
    if (r < 0)
        return r;
    SnServiceDef *copy = calloc(1, sizeof(*copy));
    if (!copy || sn_service_def_copy(def, copy) < 0) {
        free(copy);
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    }
    if (s->next_def) {
        sn_service_def_done(s->next_def);
        free(s->next_def);
    }
    s->next_def = copy;
    if (s->state == ST_DEAD || s->state == ST_FAILED)
        apply_next_def(s);
    else
        s->def.enabled = copy->enabled; /* status shows the new enablement at once */
    return 0;
}

int sn_supervisor_remove(SnSupervisor *sup, const char *name)
{
    Service *s = find(sup, name);
    if (!s)
        return -ENOENT;
    if ((s->state != ST_DEAD && s->state != ST_FAILED) || s->job != JOB_NONE)
        return -EBUSY;
    for (size_t i = 0; i < sup->n_svcs; i++)
        if (sup->svcs[i] == s) {
            memmove(&sup->svcs[i], &sup->svcs[i + 1], (sup->n_svcs - i - 1) * sizeof(Service *));
            sup->n_svcs--;
            break;
        }
    service_free(s);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sn_supervisor_list(SnSupervisor *sup, const char *snap, char ***ret_names)
{
    char **v = calloc(sup->n_svcs + 1, sizeof(char *));
    if (!v)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < sup->n_svcs; i++) {
        if (snap && (!sup->svcs[i]->def.snap || !SN_STREQ(sup->svcs[i]->def.snap, snap)))
            continue;
        v[n] = strdup(sup->svcs[i]->def.name);
        if (!v[n++]) {
            sn_strv_free(v);
            return -ENOMEM;
        }
    }
    qsort(v, n, sizeof(char *), cmp_str);
    *ret_names = v;
    return 0;
}

int sn_supervisor_set_enabled(SnSupervisor *sup, const char *name, bool enabled)
{
    Service *s = find(sup, name);
    if (!s)
        return -ENOENT;
    s->def.enabled = enabled;
    if (s->next_def)
        s->next_def->enabled = enabled;
    return 0;
}

int sn_supervisor_reset_failed(SnSupervisor *sup, const char *name)
{
    Service *s = find(sup, name);
    if (!s)
        return -ENOENT;
    s->rl_begin_ns = 0;
    s->rl_count = 0;
    if (s->state == ST_FAILED) {
        s->result = R_SUCCESS;
        s->state = ST_DEAD;
    }
    return 0;
}

const char *sn_service_active_to_string(SnServiceActive a)
{
    static const char *const names[] = {"inactive", "activating", "active", "deactivating", "failed"};
    return (size_t)a < SN_ELEMENTSOF(names) ? names[a] : "inactive";
}

int sn_supervisor_status(SnSupervisor *sup, const char *name, SnServiceStatus *ret)
{
    static const struct {
        SnServiceActive active;
        const char *sub;
    } map[] = {
        [ST_DEAD] = {SN_SERVICE_INACTIVE, "dead"},
        [ST_START] = {SN_SERVICE_ACTIVATING, "start"},
        [ST_RUNNING] = {SN_SERVICE_ACTIVE, "running"},
        [ST_EXITED] = {SN_SERVICE_ACTIVE, "exited"},
        [ST_STOP] = {SN_SERVICE_DEACTIVATING, "stop"},
        [ST_STOP_SIGNAL] = {SN_SERVICE_DEACTIVATING, "stop-sigterm"},
        [ST_STOP_SIGKILL] = {SN_SERVICE_DEACTIVATING, "stop-sigkill"},
        [ST_STOP_POST] = {SN_SERVICE_DEACTIVATING, "stop-post"},
        [ST_AUTO_RESTART] = {SN_SERVICE_ACTIVATING, "auto-restart"},
        [ST_FAILED] = {SN_SERVICE_FAILED, "failed"},
    };
    Service *s = find(sup, name);
    if (!s)
        return -ENOENT;
    *ret = (SnServiceStatus){
        .active = map[s->state].active,
        .sub = map[s->state].sub,
        .result = result_names[s->result],
        .enabled = s->def.enabled,
        .main_pid = s->main.pid,
        .n_restarts = s->n_restarts,
        .exit_code = s->exit_code,
        .exit_status = s->exit_status,
        .active_since_ns = s->active_since_ns,
    };
    return 0;
}

SnServiceLog *sn_supervisor_log(SnSupervisor *sup)
{
    return sup->log;
}

/* ---------------------------------------------------------------- other threads */

static void call_complete(SnSupervisor *sup, Call *c, int r, const char *msg)
{
    pthread_mutex_lock(&sup->lock);
    c->result = r;
    c->message = msg ? strdup(msg) : NULL;
    c->done = true;
    pthread_cond_broadcast(&sup->cond);
    pthread_mutex_unlock(&sup->lock);
}

/* What a call's fn returns when it completes later through call_async_done. */
#define CALL_PENDING 1

static void call_async_done(int result, const char *message, void *userdata)
{
    Call *c = userdata;
    call_complete(c->sup, c, result, message);
}

static void on_wake(evutil_socket_t fd, short what, void *ud)
{
    SnSupervisor *sup = ud;
    uint64_t v;
    ssize_t n = read(sup->wake_fd, &v, sizeof(v));
    (void)n;
    pthread_mutex_lock(&sup->lock);
    Call *calls = sup->calls;
    sup->calls = NULL;
    pthread_mutex_unlock(&sup->lock);
    while (calls) {
        Call *c = calls;
        calls = c->next;
        SnError *err = NULL;
        int r;
        if (c->fn) {
            r = c->fn(sup, c->userdata);
        } else {
            /* start (names, window) or stop (names, window < 0) */
            r = c->window_ns >= 0 ? sn_supervisor_start(sup, c->names, c->window_ns, call_async_done, c, &err)
                                  : sn_supervisor_stop(sup, c->names, call_async_done, c, &err);
            if (r >= 0)
                r = CALL_PENDING;
        }
        if (r != CALL_PENDING)
            call_complete(sup, c, r, err ? err->message : NULL);
        sn_error_free(err);
    }
}

static int call_wait(SnSupervisor *sup, Call *c, SnError **reterr)
{
    if (pthread_equal(pthread_self(), sup->loop_thread))
        return sn_error_set(reterr, -EDEADLK, "cannot wait for the supervisor on its own loop thread");
    c->sup = sup;
    pthread_mutex_lock(&sup->lock);
    c->next = sup->calls;
    sup->calls = c;
    pthread_mutex_unlock(&sup->lock);
    uint64_t one = 1;
    if (write(sup->wake_fd, &one, sizeof(one)) < 0) {
        /* an eventfd write only fails at its maximum count, which still wakes the loop */
    }
    pthread_mutex_lock(&sup->lock);
    while (!c->done)
        pthread_cond_wait(&sup->cond, &sup->lock);
    pthread_mutex_unlock(&sup->lock);
    int r = c->result;
    if (r < 0)
        sn_error_set(reterr, r, "%s", c->message ? c->message : strerror(-r));
    free(c->message);
    return r;
}

int sn_supervisor_start_wait(SnSupervisor *sup, char *const *names, int64_t window_ns, SnError **reterr)
{
    Call c = {.names = names, .window_ns = window_ns < 0 ? 0 : window_ns};
    return call_wait(sup, &c, reterr);
}

int sn_supervisor_stop_wait(SnSupervisor *sup, char *const *names, SnError **reterr)
{
    Call c = {.names = names, .window_ns = -1};
    return call_wait(sup, &c, reterr);
}

int sn_supervisor_call_wait(SnSupervisor *sup, int (*fn)(SnSupervisor *sup, void *userdata), void *userdata)
{
    Call c = {.fn = fn, .userdata = userdata};
    return call_wait(sup, &c, NULL);
}

/* ---------------------------------------------------------------- life */

int sn_supervisor_new(struct event_base *base, const SnSupervisorOptions *opts, SnSupervisor **ret, SnError **reterr)
{
    SnSupervisorOptions none = {0};
    if (!opts)
        opts = &none;
    _sn_cleanup_(sn_supervisor_freep) SnSupervisor *sup = calloc(1, sizeof(*sup));
    if (!sup)
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    sup->base = base;
    sup->notify_fd = sup->wake_fd = -1;
    pthread_mutex_init(&sup->lock, NULL);
    pthread_cond_init(&sup->cond, NULL);
    sup->loop_thread = pthread_self();
    sup->rl_interval_ns =
        opts->start_limit_interval_ns > 0 ? opts->start_limit_interval_ns : SN_SERVICE_DEFAULT_START_LIMIT_INTERVAL_NS;
    sup->rl_burst = opts->start_limit_burst > 0 ? opts->start_limit_burst : SN_SERVICE_DEFAULT_START_LIMIT_BURST;
    sup->log = sn_service_log_new(opts->log_lines, opts->log_bytes);
    if (!sup->log)
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    for (char *const *e = opts->extra_env; e && *e; e++)
        if (sn_strv_push(&sup->extra_env, *e) < 0)
            return sn_error_set(reterr, -ENOMEM, "out of memory");
    if ((opts->environment_file && !(sup->env_file = strdup(opts->environment_file))) ||
        (opts->run_dir && !(sup->run_dir = strdup(opts->run_dir))))
        return sn_error_set(reterr, -ENOMEM, "out of memory");

    int r = sn_notify_socket_open(opts->notify_socket, &sup->notify_fd, &sup->notify_addr);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot create the notify socket %s: %s",
                            opts->notify_socket ? opts->notify_socket : "(abstract)", strerror(-r));
    if (opts->notify_socket && !(sup->notify_path = strdup(opts->notify_socket)))
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    sup->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (sup->wake_fd < 0) {
        r = sn_negative_errno();
        return sn_error_set(reterr, r, "cannot create an eventfd: %s", strerror(-r));
    }
    sup->notify_ev = event_new(base, sup->notify_fd, EV_READ | EV_PERSIST, on_notify, sup);
    sup->wake_ev = event_new(base, sup->wake_fd, EV_READ | EV_PERSIST, on_wake, sup);
    sup->kick = event_new(base, -1, 0, on_kick, sup);
    if (!sup->notify_ev || !sup->wake_ev || !sup->kick || event_add(sup->notify_ev, NULL) < 0 ||
        event_add(sup->wake_ev, NULL) < 0)
        return sn_error_set(reterr, -ENOMEM, "cannot set up the supervisor's events");
    *ret = SN_TAKE_PTR(sup);
    return 0;
}

static void kill_and_reap(Service *s)
{
    if (s->def.kill_all && s->pgid > 0)
        (void)kill(-s->pgid, SIGKILL);
    Proc *procs[] = {&s->main, &s->control};
    for (size_t i = 0; i < SN_ELEMENTSOF(procs); i++) {
        Proc *p = procs[i];
        if (p->pid <= 0)
            continue;
        (void)kill(p->pid, SIGKILL);
        if (p->child) {
            siginfo_t si;
            while (waitid((idtype_t)P_PIDFD, (id_t)p->pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
        }
    }
    if (s->sup->run_dir && (s->main.pid > 0 || s->state != ST_DEAD))
        sn_pidfile_remove(s->sup->run_dir, s->def.name);
}

SnSupervisor *sn_supervisor_free(SnSupervisor *sup)
{
    if (!sup)
        return NULL;
    for (size_t i = 0; i < sup->n_svcs; i++) {
        kill_and_reap(sup->svcs[i]);
        if (sup->svcs[i]->txn) {
            /* callbacks are not called: the txn goes with its last job */
            Txn *t = sup->svcs[i]->txn;
            sup->svcs[i]->txn = NULL;
            if (--t->pending == 0) {
                free(t->message);
                free(t);
            }
        }
    }
    for (size_t i = 0; i < sup->n_svcs; i++)
        service_free(sup->svcs[i]);
    free(sup->svcs);
    while (sup->completed) {
        Txn *t = sup->completed;
        sup->completed = t->next;
        free(t->message);
        free(t);
    }
    while (sup->streams)
        log_stream_free(sup->streams);
    /* Wake anyone still waiting: the answer is that there is no supervisor any more. */
    pthread_mutex_lock(&sup->lock);
    for (Call *c = sup->calls; c; c = c->next) {
        c->result = -ECANCELED;
        c->done = true;
    }
    sup->calls = NULL;
    pthread_cond_broadcast(&sup->cond);
    pthread_mutex_unlock(&sup->lock);
    if (sup->notify_ev)
        event_free(sup->notify_ev);
    if (sup->wake_ev)
        event_free(sup->wake_ev);
    if (sup->kick)
        event_free(sup->kick);
    sn_safe_close(sup->notify_fd);
    sn_safe_close(sup->wake_fd);
    if (sup->notify_path)
        (void)unlink(sup->notify_path);
    free(sup->notify_path);
    free(sup->notify_addr);
    sn_service_log_free(sup->log);
    sn_strv_free(sup->extra_env);
    free(sup->env_file);
    free(sup->run_dir);
    pthread_mutex_destroy(&sup->lock);
    pthread_cond_destroy(&sup->cond);
    free(sup);
    return NULL;
}
