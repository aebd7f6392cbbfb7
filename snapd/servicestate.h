/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The service manager: the snaps' services (apps with `daemon:`) in the daemon, on top of the
 * supervisor (supervisor.h), where systemd is not PID 1.
 *
 * - Task kinds it owns (registered before the snap manager's no-op fallbacks):
 *   start-snap-services: reads the snap's current revision (snap.yaml from its mount), writes its
 *     systemd unit files (service-units.h: they hold the enablement, as snapd's do), enables the
 *     services seen for the first time unless their `install-mode` is `disable`, hands the new
 *     definitions to the supervisor and starts the enabled ones with the start window: a service
 *     that exits within it fails the task (its services are stopped again), so the change is undone.
 *     Undo stops what it started.
 *   stop-snap-services: stops the snap's services; in a refresh or revert (an install-snap,
 *     refresh-snap or revert-snap change) those with `refresh-mode: endure` keep running; in a
 *     remove-snap change the services are also forgotten and their units removed. Undo brings back
 *     the definitions of the (again) current revision and starts the services it had stopped: a
 *     failed refresh ends with the old revision's services running.
 *   service-control: POST /v2/apps (snapd's task of that name): data "service-action" =
 *     {"snap-name", "action": start|stop|restart|reload-or-restart, "action-modifier": ""|enable|
 *     disable|reload, "services": [APP...]}.
 * - At daemon start (after the remounts): sn_servicemgr_start_installed() adds the services of every
 *   installed, active snap and starts the enabled ones.
 * - snapctl services/start/stop/restart through sn_servicemgr_ctl(), as snapd's runServiceCommand:
 *   start/stop/restart make a service-control task (the data above); from a configure hook it is
 *   queued in the hook's change after the hook's tasks (default-configure: right after the snap's
 *   start-snap-services), otherwise it goes in a "service-control" change of its own ("Running
 *   service command for snap \"NAME\""; from an app's cookie it names the snap, so it conflicts
 *   with a change in flight, from a hook it does not) whose id the caller waits for (api-snapctl.h:
 *   the answer comes once it is ready, without blocking the loop). The task runner must have been
 *   given with sn_servicemgr_register().
 *
 * Threads: new, free, start_installed and the API's calls (sn_servicemgr_supervisor) on the loop
 * thread; the task handlers on workers (they use the supervisor's *_wait calls).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ctlcmd.h"
#include "error.h"
#include "snap-yaml.h"
#include "state.h"
#include "supervisor.h"
#include "taskrunner.h"

struct event_base;
typedef struct SnServiceMgr SnServiceMgr;

/* How long a service must stay up after a start by start-snap-services (and the API's start). */
#define SN_SERVICES_DEFAULT_START_WINDOW_NS (1000LL * 1000000)

typedef struct SnServiceMgrOptions {
    const char *root;          /* "" or NULL: / */
    const char *snap_command;  /* argv[0] of the services; NULL: the `snap` beside this program, else BINDIR's */
    int64_t start_window_ns;   /* 0: SN_SERVICES_DEFAULT_START_WINDOW_NS (or SN_SERVICE_START_WINDOW_MS) */
    const char *notify_socket; /* NULL: an abstract one */
} SnServiceMgrOptions;

/* A manager with its supervisor on base (borrowed). Returns 0 or -errno with a message. */
int sn_servicemgr_new(SnState *st, struct event_base *base, const SnServiceMgrOptions *opts, SnServiceMgr **ret,
                      SnError **reterr);
/* Frees it and its supervisor (which kills what still runs). Accepts NULL; returns NULL. */
SnServiceMgr *sn_servicemgr_free(SnServiceMgr *m);
SN_DEFINE_CLEANUP_FUNC(SnServiceMgr *, sn_servicemgr_free)

/* Registers start-snap-services, stop-snap-services and service-control (before the snap manager). */
int sn_servicemgr_register(SnServiceMgr *m, SnTaskRunner *runner);

/*
 * Adds the services of every installed, active snap's current revision and starts the enabled
 * ones (asynchronously: their outcome goes to the log). Loop thread, before the loop runs is fine.
 * Returns the number of services added, or -errno with a message (the first snap that failed; the
 * others are still added).
 */
int sn_servicemgr_start_installed(SnServiceMgr *m, SnError **reterr);

/* Stops every service and waits for it on base's loop (daemon shutdown; runs the loop briefly). */
void sn_servicemgr_shutdown(SnServiceMgr *m, struct event_base *base);

SnSupervisor *sn_servicemgr_supervisor(SnServiceMgr *m);
/* The table for snapctl (api-snapctl.h); valid while m lives. */
const SnCtlServices *sn_servicemgr_ctl(SnServiceMgr *m);
int64_t sn_servicemgr_start_window(const SnServiceMgr *m);
const char *sn_servicemgr_root(const SnServiceMgr *m);

/*
 * The snap.yaml of an installed snap's current revision (from its mount under root). -ENOENT with
 * snapd's "snap not installed" message when the snap is not installed; *ret_revision (may be NULL)
 * is the revision ("12", "x1"; caller frees). Lock not held.
 */
int sn_servicemgr_current_info(SnState *st, const char *root, const char *snap, SnSnapInfo **ret_info,
                               char **ret_revision, bool *ret_active, SnError **reterr);
