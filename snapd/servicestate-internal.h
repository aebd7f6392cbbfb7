/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The service manager's own types, shared by servicestate.c (the supervisor wiring: loading a snap's
 * services, calls on the loop thread, boot, snapctl, life) and servicestate-tasks.c (the task handlers).
 */
#pragma once

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "servicestate.h"
#include "service-def.h"
#include "snap-yaml.h"
#include "supervisor.h"

/* The service manager (servicestate.h). */
struct SnServiceMgr {
    SnState *st;
    char *root;
    char *snap_command;
    char *notify_socket;
    char **extra_env;
    char *environment_file;
    char *run_dir;
    int64_t window_ns;
    pthread_t loop_thread;
    SnSupervisor *sup;
    SnCtlServices ctl;
    SnTaskRunner *runner; /* from sn_servicemgr_register, for snapctl's changes */
};

/* The supervised (system) services of the snap's current revision, with the units written. */
typedef struct SnapServices {
    SnSnapInfo *info;
    char *revision;
    bool active;
    SnServiceDef *defs;
    size_t n;
} SnapServices;

/* The userdata of sn_servicemgr_forget_fn: the services to remove from the supervisor and the log. */
typedef struct ForgetArgs {
    char *const *names;
} ForgetArgs;

/* The userdata of sn_servicemgr_enable_fn: the services whose enablement to set. */
typedef struct EnableArgs {
    char *const *names;
    bool enabled;
} EnableArgs;

/* Frees s's contents and zeroes it. */
void sn_servicemgr_snap_services_done(SnapServices *s);

/*
 * Loads the snap's services. With write_units: writes the unit files, enables the services seen
 * for the first time (unless install-mode: disable, or per `enabled` when given: a list of names
 * that were enabled before a remove) and reads each one's enablement back into defs[i].enabled.
 */
int sn_servicemgr_load_snap_services(SnServiceMgr *m, const char *snap, bool write_units, json_t *enabled,
                                     SnapServices *ret, SnError **reterr);

/* The names of defs selected by fn (NULL-terminated, possibly empty: never NULL on success). */
char **sn_servicemgr_select_names(const SnapServices *s, bool (*fn)(const SnServiceDef *d));

/* Whether the service starts with its snap: enabled and not activated by a timer, socket or D-Bus. */
bool sn_servicemgr_startable(const SnServiceDef *d);

/* A JSON array of the strings of v (NULL accepted), or NULL when out of memory. */
json_t *sn_servicemgr_strv_to_json(char *const *v);

/* The strings of JSON array a (others skipped), NULL-terminated, or NULL when out of memory. */
char **sn_servicemgr_json_to_strv(json_t *a);

/* Calls for sn_servicemgr_on_loop, with a ForgetArgs and an EnableArgs. */
int sn_servicemgr_forget_fn(SnSupervisor *sup, void *userdata);
int sn_servicemgr_enable_fn(SnSupervisor *sup, void *userdata);

/* call_wait from a worker, or the call itself on the loop thread. */
int sn_servicemgr_on_loop(SnServiceMgr *m, int (*fn)(SnSupervisor *sup, void *userdata), void *userdata);

/* Hands s's definitions to the supervisor and forgets snap's services that are gone. */
int sn_servicemgr_sync_snap(SnServiceMgr *m, const char *snap, const SnapServices *s, SnError **reterr);

/* Whether service `name` is active or activating. */
bool sn_servicemgr_is_running(SnServiceMgr *m, const char *name);
