/* SPDX-License-Identifier: GPL-3.0-only */
#include "daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "api-apps.h"
#include "api-v2.h"
#include "api.h"
#include "config.h"
#include "api-snapctl.h"
#include "configstate.h"
#include "ifacestate.h"
#include "hookstate.h"
#include "log.h"
#include "mount.h"
#include "servicestate.h"
#include "snapmgr.h"
#include "state-change.h"
#include "state.h"
#include "strutil.h"
#include "taskrunner.h"

#define PRUNE_INTERVAL_SECS 600

typedef struct Daemon {
    SnState *st;
    struct event_base *base;
} Daemon;

static void on_stop_signal(evutil_socket_t sig, short events, void *userdata)
{
    Daemon *d = userdata;
    sn_log_info("received signal %d, stopping", (int)sig);
    event_base_loopexit(d->base, NULL);
}

static void prune(Daemon *d)
{
    SnError *err = NULL;
    unsigned pruned = 0;
    sn_state_lock(d->st);
    int r =
        sn_state_prune(d->st, sn_state_now(), SN_PRUNE_WAIT_NS, SN_ABORT_WAIT_NS, SN_PRUNE_MAX_CHANGES, &pruned, &err);
    sn_state_unlock(d->st);
    if (r < 0)
        sn_log_warning("cannot prune changes: %s", sn_error_message(err, r));
    else if (pruned > 0)
        sn_log_debug("pruned %u changes", pruned);
    sn_error_free(err);
}

static void on_prune_timer(evutil_socket_t fd, short events, void *userdata)
{
    prune(userdata);
}

static void event_freep(struct event **e)
{
    if (*e)
        event_free(*e);
}

static void event_base_freep(struct event_base **b)
{
    if (*b)
        event_base_free(*b);
}

int sn_daemon_run(const SnDaemonOptions *opts, SnError **reterr)
{
    const char *root = opts->root ? opts->root : "";
    if (*root && root[0] != '/')
        return sn_error_set(reterr, -EINVAL, "the root directory must be an absolute path: %s", root);
    if (SN_STREQ(root, "/"))
        root = "";

    _sn_cleanup_(sn_state_freep) SnState *st = NULL;
    int r = sn_state_open(root, &st, reterr);
    if (r < 0)
        return r;

    /* Hooks and snapctl (hookstate.h): freed after the runner, which may be running a hook. */
    _sn_cleanup_(sn_hookmgr_freep) SnHookMgr *hooks = NULL;
    r = sn_hookmgr_new(st, NULL, &hooks);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot set up hooks: %s", strerror(-r));
    SnApiSnapctl snapctl = {.st = st, .hooks = hooks};

    _sn_cleanup_(sn_taskrunner_freep) SnTaskRunner *runner = NULL;
    r = sn_taskrunner_new(st, opts->workers ? opts->workers : 2, &runner);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot create the task runner: %s", strerror(-r));

    _sn_cleanup_(sn_snapmgr_freep) SnSnapMgr *snapmgr = NULL;
    r = sn_snapmgr_new(st, &snapmgr);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot set up the snap manager: %s", strerror(-r));

    _sn_cleanup_(event_base_freep) struct event_base *base = event_base_new();
    if (!base)
        return sn_error_set(reterr, -ENOMEM, "cannot create the event loop");
    Daemon d = {.st = st, .base = base};

    /* Services (servicestate.h): the daemon's own supervisor on this loop; freed before the loop. */
    _sn_cleanup_(sn_servicemgr_freep) SnServiceMgr *services = NULL;
    r = sn_servicemgr_new(st, base, &(SnServiceMgrOptions){.root = root}, &services, reterr);
    if (r < 0)
        return r;
    snapctl.services = sn_servicemgr_ctl(services);
    SnApiApps apps = {.st = st, .runner = runner, .services = services, .root = root};

    SnApiContext api = {
        .st = st, .runner = runner, .root = root, .version = SN_VERSION, .snapmgr = snapmgr, .services = services};
    _sn_cleanup_(sn_api_server_freep) SnApiServer *server = NULL;
    r = sn_api_server_new(base, &server);
    if (r >= 0)
        r = sn_api_v2_register(server, &api);
    if (r >= 0)
        r = sn_api_snapctl_register(server, &snapctl);
    if (r >= 0)
        r = sn_api_apps_register(server, &apps);
    /* start-snap-services, stop-snap-services, service-control: before the snap manager's no-ops */
    if (r >= 0)
        r = sn_servicemgr_register(services, runner);
    if (r >= 0)
        r = sn_hookmgr_register(hooks, runner);
    /* The interface manager owns connect, disconnect, auto-connect, auto-disconnect, discard-conns. */
    if (r >= 0 && (r = sn_ifacestate_init(st, reterr)) < 0)
        return r;
    if (r >= 0)
        r = sn_ifacestate_register(runner);
    /* After hookstate's: it owns "run-hook"; the snap manager adds it only where nobody has. */
    if (r >= 0)
        r = sn_snapmgr_register(snapmgr, runner);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot set up the API: %s", strerror(-r));

    _sn_free_ char *sock = sn_strdup_printf("%s/run/snapd.socket", root);
    _sn_free_ char *snap_sock = sn_strdup_printf("%s/run/snapd-snap.socket", root);
    if (!sock || !snap_sock)
        return -ENOMEM;
    r = sn_api_server_listen(server, sock, SN_API_SOCKET_SNAPD, 0666, reterr);
    if (r >= 0)
        r = sn_api_server_listen(server, snap_sock, SN_API_SOCKET_SNAP, 0666, reterr);
    if (r < 0)
        return r;

    signal(SIGPIPE, SIG_IGN);
    _sn_cleanup_(event_freep) struct event *sigterm = evsignal_new(base, SIGTERM, on_stop_signal, &d);
    _sn_cleanup_(event_freep) struct event *sigint = evsignal_new(base, SIGINT, on_stop_signal, &d);
    _sn_cleanup_(event_freep) struct event *prune_timer = event_new(base, -1, EV_PERSIST, on_prune_timer, &d);
    struct timeval every = {.tv_sec = PRUNE_INTERVAL_SECS};
    if (!sigterm || !sigint || !prune_timer || evsignal_add(sigterm, NULL) < 0 || evsignal_add(sigint, NULL) < 0 ||
        event_add(prune_timer, &every) < 0)
        return sn_error_set(reterr, -ENOMEM, "cannot set up the event loop");

    prune(&d);
    SnError *cerr = NULL;
    sn_state_lock(st);
    r = sn_hookstate_sync_cookies(st, &cerr);
    sn_state_unlock(st);
    if (r < 0)
        sn_log_warning("cannot synchronize snap cookies: %s", sn_error_message(cerr, r));
    sn_error_free(cerr);
    /* Before any snap is mounted: $ROOT/snap propagates into the snaps' namespaces (mount.h). */
    SnError *merr = NULL;
    _sn_free_ char *snap_dir = sn_strdup_printf("%s/snap", root);
    if (!snap_dir)
        return -ENOMEM;
    r = sn_mount_ensure_shared(snap_dir, &merr);
    if (r < 0)
        sn_log_warning("snap namespaces will not see later snap mounts: %s", sn_error_message(merr, r));
    else if (r > 0)
        sn_log_info("made %s a shared mount", snap_dir);
    sn_error_free(merr);
    merr = NULL;
    /* What a reboot lost: the mounts of every installed revision, before any task runs. */
    unsigned mounted = 0;
    r = sn_snapmgr_ensure_mounts(snapmgr, &mounted, &merr);
    if (r < 0)
        sn_log_warning("cannot mount every installed snap: %s", sn_error_message(merr, r));
    else if (mounted > 0)
        sn_log_info("mounted %u snap revisions", mounted);
    sn_error_free(merr);
    merr = NULL;
    /* After the remounts: profiles an older daemon wrote (another blob version) are recompiled. */
    unsigned stale = 0;
    r = sn_ifacestate_refresh_stale_profiles(st, &stale, &merr);
    if (r < 0)
        sn_log_warning("cannot recompile stale security profiles: %s", sn_error_message(merr, r));
    else if (stale > 0)
        sn_log_info("recompiled the security profiles of %u snaps", stale);
    sn_error_free(merr);
    merr = NULL;
    unsigned swept = 0;
    r = sn_snapmgr_sweep_spool(snapmgr, &swept, &merr);
    if (r < 0)
        sn_log_warning("cannot remove cut-short uploads: %s", sn_error_message(merr, r));
    else if (swept > 0)
        sn_log_info("removed %u cut-short uploads", swept);
    sn_error_free(merr);
    /* After the remounts: the enabled services of installed, active snaps. */
    SnError *serr = NULL;
    r = sn_servicemgr_start_installed(services, &serr);
    if (r < 0)
        sn_log_warning("cannot load every snap's services: %s", sn_error_message(serr, r));
    else if (r > 0)
        sn_log_info("loaded %d services", r);
    sn_error_free(serr);
    r = sn_taskrunner_start(runner);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot start the task runner: %s", strerror(-r));

    sn_log_info("serving the API on %s", sock);
    if (event_base_dispatch(base) < 0)
        sn_log_error("the event loop failed");

    /* Stop taking requests, then let running tasks reach a resumable point. */
    server = sn_api_server_free(server);
    (void)unlink(sock);
    (void)unlink(snap_sock);
    /* Services stop while the loop still runs for them (a task waiting on one gets its answer). */
    sn_servicemgr_shutdown(services, base);
    sn_taskrunner_stop(runner);
    sn_log_info("stopped");
    return 0;
}
