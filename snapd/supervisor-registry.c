/* SPDX-License-Identifier: GPL-3.0-only */
/* The supervisor's services, its calls from other threads, its creation and teardown. */
#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "strutil.h"
#include "supervisor-impl.h"
#include "supervisor-internal.h"

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
    sn_sup_proc_done(&s->main);
    sn_sup_proc_done(&s->control);
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
    if (sn_sup_find(sup, def->name))
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
    if (sn_sup_service_timers(s) < 0) {
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
    Service *s = sn_sup_find(sup, def ? def->name : "");
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
        sn_sup_apply_next_def(s);
    else
        s->def.enabled = copy->enabled; /* status shows the new enablement at once */
    return 0;
}

int sn_supervisor_remove(SnSupervisor *sup, const char *name)
{
    Service *s = sn_sup_find(sup, name);
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
    Service *s = sn_sup_find(sup, name);
    if (!s)
        return -ENOENT;
    s->def.enabled = enabled;
    if (s->next_def)
        s->next_def->enabled = enabled;
    return 0;
}

int sn_supervisor_reset_failed(SnSupervisor *sup, const char *name)
{
    Service *s = sn_sup_find(sup, name);
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
    Service *s = sn_sup_find(sup, name);
    if (!s)
        return -ENOENT;
    *ret = (SnServiceStatus){
        .active = map[s->state].active,
        .sub = map[s->state].sub,
        .result = sn_sup_result_name(s->result),
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
    sup->notify_ev = event_new(base, sup->notify_fd, EV_READ | EV_PERSIST, sn_sup_on_notify, sup);
    sup->wake_ev = event_new(base, sup->wake_fd, EV_READ | EV_PERSIST, on_wake, sup);
    sup->kick = event_new(base, -1, 0, sn_sup_on_kick, sup);
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
        sn_sup_log_stream_free(sup->streams);
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
