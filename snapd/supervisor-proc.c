/* SPDX-License-Identifier: GPL-3.0-only */
/* The supervisor's processes: spawning with the log captured, watching pidfds, signalling. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd-util.h"
#include "strutil.h"
#include "supervisor-impl.h"
#include "supervisor-internal.h"

void sn_sup_proc_done(Proc *p)
{
    if (p->ev) {
        event_free(p->ev);
        p->ev = NULL;
    }
    p->pidfd = sn_safe_close(p->pidfd);
    p->pid = 0;
    p->child = false;
}

int sn_sup_proc_watch(Service *s, Proc *p, pid_t pid, int pidfd, bool child)
{
    p->svc = s;
    p->pid = pid;
    p->pidfd = pidfd;
    p->child = child;
    p->ev = event_new(s->sup->base, pidfd, EV_READ | EV_PERSIST, sn_sup_on_proc_exit, p);
    if (!p->ev || event_add(p->ev, NULL) < 0)
        return -ENOMEM;
    return 0;
}

void sn_sup_log_stream_free(LogStream *ls)
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
        sn_sup_log_stream_free(ls);
        return;
    }
    (void)sn_service_log_feed(ls->sup->log, ls->sid, ls->pid, &ls->partial, buf, (size_t)n);
}

/* Reads the rest of every stream of pid now, so a line written just before exit is logged first. */
void sn_sup_log_drain(SnSupervisor *sup, pid_t pid)
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
            sn_sup_log_stream_free(ls);
        }
    }
}

/* Spawns argv for s with its log captured. Returns 0 with *ret_pid and *ret_pidfd, or -errno (fork failed). */
int sn_sup_spawn(Service *s, char *const *argv, bool main, pid_t *ret_pid, int *ret_pidfd)
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
            sn_sup_log_stream_free(ls);
    } else {
        close(fds[0]);
    }
    *ret_pid = pid;
    *ret_pidfd = pidfd;
    return 0;
}

void sn_sup_signal(Service *s, int sig)
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
bool sn_sup_remaining(Service *s)
{
    return s->main.pid > 0 || (s->def.kill_all && sn_proc_group_alive(s->pgid));
}
