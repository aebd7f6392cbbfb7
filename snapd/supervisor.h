/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The daemon's own service supervisor, for systems where systemd is not PID 1: it runs the snaps'
 * services (apps with `daemon:`) as children of the daemon, on the daemon's libevent loop, with the
 * semantics of the systemd units snapd would have written (service-units.h):
 *
 * - start: fork, setsid (each main process leads its own process group), stdin /dev/null,
 *   stdout+stderr into a pipe whose lines go to the service's log ring (service-log.h), working
 *   directory, a clean environment (PATH, the environment file, the extra variables), exec of
 *   start_argv. simple and dbus are started once exec'ed; notify once it sends READY=1 on
 *   NOTIFY_SOCKET (before start-timeout); forking once the first process exits with success (the
 *   daemon it left behind becomes the main pid); oneshot once it exits with success (then inactive,
 *   or "active (exited)" with remain_after_exit).
 * - restart per restart-condition, as systemd's Restart= table (a clean exit is status 0, a status
 *   listed in success-exit-status, or death by SIGHUP, SIGINT, SIGTERM or SIGPIPE), after
 *   restart-delay; at most 5 starts in 10 s (systemd's start limit), then failed ("start-limit-hit").
 * - stop: stop-command if any (a control process, bounded by stop-timeout), then stop-mode's signal
 *   to the main process (or to its process group for *-all), SIGKILL after stop-timeout, then
 *   post-stop-command. A process that exits on its own goes through the same steps (stop-command
 *   only after a clean exit), and post-stop-command runs after every run, as ExecStopPost= does.
 * - watchdog: WATCHDOG_USEC is set; without WATCHDOG=1 within watchdog-timeout, SIGABRT, then the
 *   watchdog result ("on-watchdog" restarts).
 * - ordering: a start (or stop) of several services at once honours before/after between them,
 *   as systemd orders the jobs of one transaction (stop goes in reverse).
 * - a start window: a start request may ask that each service stays up for window_ns after it
 *   started; one that exits within it makes the request fail (the refresh's rollback trigger).
 *
 * Differences from systemd (no cgroups here; see docs/services.md): processes are tracked by pid
 * and process group, a forking daemon by process group or, when it left it, by the
 * SNAPD_SERVICE_INVOCATION variable in its environment; a main process that is not our child (a
 * forking daemon, MAINPID=) is watched with a pidfd and its exit status is unknown (counted as a
 * failure); timer-, socket- and D-Bus activation are not done (start() starts such a service
 * directly; start_enabled() skips them).
 *
 * Threads: every function but the *_wait ones and sn_supervisor_log must be called on the thread
 * that runs the event loop (the API's handlers do). Task handlers run on worker threads: they use
 * sn_supervisor_start_wait / stop_wait / call_wait, which hand the work to the loop and block until
 * it is done.
 *
 * How the daemon uses it (wired in by servicestate.c and api-apps.c):
 *   1. at start, after the event base exists:
 *        SnSupervisorOptions o = {.extra_env = {"SNAPPY_GLOBAL_ROOT=<root>" when set},
 *                                 .environment_file = "<root>/etc/environment",
 *                                 .run_dir = "<root>/run/snapd/services"};
 *        sn_supervisor_new(base, &o, &sup, &err);
 *      only where !sn_mount_systemd_booted(); with systemd, write units (service-units.h) and use
 *      systemctl instead.
 *   2. for every installed snap's current revision (mounted first):
 *        sn_service_defs_from_snap(info, instance, rev, &(SnServiceExecOptions){.snap_command =
 *            "/usr/bin/snap" (or the build's snap), .root = root}, &defs, &n, &err);
 *        set defs[i].enabled from the unit's enablement (sn_service_units_is_enabled) and
 *        sn_supervisor_add() each; then sn_supervisor_start_enabled() once all are added.
 *   3. link-snap (issue 6 chain): write the units, then sn_supervisor_update() the new revision's
 *      definitions (a running endure service keeps its process until restarted).
 *      start-snap-services: sn_supervisor_start_wait(sup, names of the snap's enabled services,
 *      window, &err) from the task handler; its failure fails the task (and the refresh undoes).
 *      stop-snap-services: sn_supervisor_stop_wait(names without the endure ones). unlink /
 *      remove: stop, then sn_supervisor_remove() each and sn_service_log_forget().
 *   4. POST /v2/apps start|stop|restart [--enable|--disable]: sn_supervisor_start/stop/restart with
 *      a completion that finishes the change's task, and sn_supervisor_set_enabled (persisted with
 *      sn_service_units_set_enabled).
 *   5. GET /v2/apps?select=service: sn_supervisor_status() per service: "enabled" and "active".
 *   6. GET /v2/logs?names=&n=&follow=: sn_service_log_read(sn_supervisor_log(sup), sids, n, ...),
 *      then sn_service_log_follow() for follow=true; sids are the services' names (NAME.APP).
 *   7. at shutdown: sn_supervisor_stop_all() and run the loop until its callback, then
 *      sn_supervisor_free() (which SIGKILLs whatever still runs).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "service-def.h"
#include "service-log.h"

struct event_base;
typedef struct SnSupervisor SnSupervisor;

typedef struct SnSupervisorOptions {
    /*
     * Where services send sd_notify messages (NOTIFY_SOCKET of notify and watchdog services):
     * a filesystem path (created, and removed by free), or NULL for an abstract socket named
     * "snapd-supervisor-PID-N" (reachable from the snaps' mount namespaces).
     */
    const char *notify_socket;
    /* "KEY=VALUE" strings added to every service's environment (NULL-terminated; may be NULL). */
    char *const *extra_env;
    /* Read at every start like EnvironmentFile=- (KEY=VALUE lines, # comments); NULL or missing: none. */
    const char *environment_file;
    /*
     * A directory for pid files (NAME.pid: "PID PGID STARTTIME KILLALL"): when the daemon was
     * killed and its services outlived it, sn_supervisor_add() kills the old processes, so that the
     * restarted daemon starts them afresh. NULL: no pid files.
     */
    const char *run_dir;
    size_t log_lines;                /* per service; 0: SN_SERVICE_LOG_DEFAULT_LINES */
    size_t log_bytes;                /* per service; 0: SN_SERVICE_LOG_DEFAULT_BYTES */
    int64_t start_limit_interval_ns; /* 0: 10 s */
    unsigned start_limit_burst;      /* 0: 5 */
} SnSupervisorOptions;

/* A new supervisor on base (borrowed, must outlive it). Returns 0 or -errno with a message. */
int sn_supervisor_new(struct event_base *base, const SnSupervisorOptions *opts, SnSupervisor **ret, SnError **reterr);
/*
 * Frees the supervisor: sends SIGKILL to every process it still tracks (main, control, and the
 * process group of kill-all services), reaps its children, removes pid files and the notify
 * socket. Pending requests' callbacks are not called. Accepts NULL; returns NULL.
 */
SnSupervisor *sn_supervisor_free(SnSupervisor *sup);
SN_DEFINE_CLEANUP_FUNC(SnSupervisor *, sn_supervisor_free)

/* The log rings of the services (owned by the supervisor; thread-safe, see service-log.h). */
SnServiceLog *sn_supervisor_log(SnSupervisor *sup);

/*
 * Adds a service (def is copied; its name must be new: -EEXIST). Checks the definition (-EINVAL
 * with a message: no name, no start_argv, relative argv[0]). With run_dir, kills what a previous
 * daemon left running for that name.
 */
int sn_supervisor_add(SnSupervisor *sup, const SnServiceDef *def, SnError **reterr);
/* Replaces the definition of a known service, or adds it; a running process is left alone and the
 * new definition applies from its next start. */
int sn_supervisor_update(SnSupervisor *sup, const SnServiceDef *def, SnError **reterr);
/* Forgets an inactive or failed service (-EBUSY while it runs or has a request; -ENOENT unknown). */
int sn_supervisor_remove(SnSupervisor *sup, const char *name);
/* The names of the known services (of snap instance `snap`, or all for NULL), sorted. Caller frees. */
int sn_supervisor_list(SnSupervisor *sup, const char *snap, char ***ret_names);

/*
 * Completion of a start, stop or restart request: result 0, or -errno with message (the first
 * failure; NULL on success). Runs on the loop thread from an event of its own, never from inside
 * the call that made the request.
 */
typedef void (*SnSupervisorDoneFn)(int result, const char *message, void *userdata);

/*
 * Starts the named services (NULL-terminated; unknown names fail at once with -ENOENT), in
 * before/after order among them. A service already running counts as started. window_ns > 0:
 * each must also stay up that long after it started (oneshot: its successful exit is enough).
 * done (may be NULL) gets the outcome. Returns 0 when the request is queued.
 */
int sn_supervisor_start(SnSupervisor *sup, char *const *names, int64_t window_ns, SnSupervisorDoneFn done,
                        void *userdata, SnError **reterr);
/* Stops the named services in reverse order; stopping a stopped one succeeds. */
int sn_supervisor_stop(SnSupervisor *sup, char *const *names, SnSupervisorDoneFn done, void *userdata,
                       SnError **reterr);
/* Stop then start (the start waits for the stop of the same request). */
int sn_supervisor_restart(SnSupervisor *sup, char *const *names, int64_t window_ns, SnSupervisorDoneFn done,
                          void *userdata, SnError **reterr);
/* Starts every enabled service that is not timer-, socket- or D-Bus-activated (boot). */
int sn_supervisor_start_enabled(SnSupervisor *sup, SnSupervisorDoneFn done, void *userdata);
/* Stops every service (daemon shutdown). */
int sn_supervisor_stop_all(SnSupervisor *sup, SnSupervisorDoneFn done, void *userdata);
/* Sets whether the service starts at boot (in memory only; persisting is the caller's). */
int sn_supervisor_set_enabled(SnSupervisor *sup, const char *name, bool enabled);
/* Clears a failed state and the start limit's count (systemctl reset-failed). */
int sn_supervisor_reset_failed(SnSupervisor *sup, const char *name);

typedef enum SnServiceActive {
    SN_SERVICE_INACTIVE = 0,
    SN_SERVICE_ACTIVATING,
    SN_SERVICE_ACTIVE,
    SN_SERVICE_DEACTIVATING,
    SN_SERVICE_FAILED,
} SnServiceActive;

/* systemd's ActiveState words: "inactive", "activating", "active", "deactivating", "failed". */
const char *sn_service_active_to_string(SnServiceActive a);

typedef struct SnServiceStatus {
    SnServiceActive active;
    const char *sub;    /* static: "dead", "start", "running", "exited", "stop", "stop-sigterm", "stop-sigkill",
                           "stop-post", "auto-restart", "failed" */
    const char *result; /* static: "success", "exit-code", "signal", "core-dump", "timeout", "watchdog",
                           "start-limit-hit", "resources" (could not be spawned) */
    bool enabled;
    pid_t main_pid;          /* 0 when none */
    unsigned n_restarts;     /* automatic restarts since added */
    int exit_code;           /* CLD_EXITED, CLD_KILLED, CLD_DUMPED of the last exit; 0 before any */
    int exit_status;         /* its status or signal */
    int64_t active_since_ns; /* CLOCK_REALTIME of the last entry into active; 0 when never */
} SnServiceStatus;

/* The status of a service (-ENOENT for an unknown name). */
int sn_supervisor_status(SnSupervisor *sup, const char *name, SnServiceStatus *ret);

/* ---- from other threads ---- */

/* sn_supervisor_start from a worker thread, waiting for the outcome (-EDEADLK on the loop thread). */
int sn_supervisor_start_wait(SnSupervisor *sup, char *const *names, int64_t window_ns, SnError **reterr);
/* sn_supervisor_stop from a worker thread, waiting for the outcome. */
int sn_supervisor_stop_wait(SnSupervisor *sup, char *const *names, SnError **reterr);
/* Runs fn(sup, userdata) on the loop thread and returns its result (add, update, remove, status...). */
int sn_supervisor_call_wait(SnSupervisor *sup, int (*fn)(SnSupervisor *sup, void *userdata), void *userdata);
