/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The supervisor's own types, shared by its three parts: supervisor.c (jobs and the per-service state
 * machine), supervisor-proc.c (spawning, watching and logging processes) and supervisor-registry.c
 * (the services it knows, calls from other threads, creation and teardown). All of them run on the
 * event loop's thread, except the Call queue, which the lock guards.
 */
#pragma once

#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "service-def.h"
#include "service-log.h"
#include "supervisor.h"

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

/* supervisor.c */
/* Creates s's timers (state timeout, watchdog, group poll, start window): 0 or -ENOMEM. */
int sn_sup_service_timers(Service *s);
/* Makes the definition an update() left pending the current one. */
void sn_sup_apply_next_def(Service *s);
const char *sn_sup_result_name(Result r);
Service *sn_sup_find(SnSupervisor *sup, const char *name);
void sn_sup_on_proc_exit(evutil_socket_t fd, short what, void *ud);
void sn_sup_on_notify(evutil_socket_t fd, short what, void *ud);
void sn_sup_on_kick(evutil_socket_t fd, short what, void *ud);

/* supervisor-proc.c */
void sn_sup_proc_done(Proc *p);
int sn_sup_proc_watch(Service *s, Proc *p, pid_t pid, int pidfd, bool child);
void sn_sup_log_stream_free(LogStream *ls);
void sn_sup_log_drain(SnSupervisor *sup, pid_t pid);
int sn_sup_spawn(Service *s, char *const *argv, bool main, pid_t *ret_pid, int *ret_pidfd);
void sn_sup_signal(Service *s, int sig);
bool sn_sup_remaining(Service *s);
