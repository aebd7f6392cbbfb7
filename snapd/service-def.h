/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * What the supervisor needs to know about one service: a snap app with `daemon:` turned into
 * command lines, timeouts and policies, with snapd's defaults applied (the same values the
 * generated systemd unit carries, see service-units.h).
 *
 * Ownership: an SnServiceDef owns every pointer in it; vectors are NULL-terminated.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "snap-yaml.h"

typedef enum SnServiceType {
    SN_SERVICE_SIMPLE = 0,
    SN_SERVICE_FORKING,
    SN_SERVICE_ONESHOT,
    SN_SERVICE_DBUS,
    SN_SERVICE_NOTIFY,
} SnServiceType;

/* systemd's Restart= values; snap.yaml's "never" is "no". */
typedef enum SnRestartCondition {
    SN_RESTART_NO = 0,
    SN_RESTART_ON_SUCCESS,
    SN_RESTART_ON_FAILURE,
    SN_RESTART_ON_ABNORMAL,
    SN_RESTART_ON_ABORT,
    SN_RESTART_ON_WATCHDOG,
    SN_RESTART_ALWAYS,
} SnRestartCondition;

/* systemd's defaults, and snapd's stop timeout (timeout.DefaultTimeout). */
#define SN_SERVICE_DEFAULT_RESTART_DELAY_NS (100LL * 1000000)          /* RestartSec=100ms */
#define SN_SERVICE_DEFAULT_START_TIMEOUT_NS (90LL * 1000000000)        /* DefaultTimeoutStartSec=90s */
#define SN_SERVICE_DEFAULT_STOP_TIMEOUT_NS (30LL * 1000000000)         /* snapd writes TimeoutStopSec=30s */
#define SN_SERVICE_DEFAULT_START_LIMIT_INTERVAL_NS (10LL * 1000000000) /* DefaultStartLimitIntervalSec=10s */
#define SN_SERVICE_DEFAULT_START_LIMIT_BURST 5                         /* DefaultStartLimitBurst=5 */

typedef struct SnServiceDef {
    char *name;     /* "INSTANCE.APP": the key, and the syslog identifier of its log lines */
    char *snap;     /* instance name */
    char *app;      /* app name */
    char *revision; /* "12", "x1" */
    SnServiceType type;
    char **start_argv;     /* ExecStart; never NULL or empty */
    char **stop_argv;      /* ExecStop; NULL when the app has no stop-command */
    char **post_stop_argv; /* ExecStopPost; NULL when none */
    char *working_dir;     /* NULL: "/" */
    SnRestartCondition restart;
    int64_t restart_delay_ns;
    int64_t start_timeout_ns; /* 0: none */
    int64_t stop_timeout_ns;  /* 0: none (wait forever before SIGKILL) */
    int64_t watchdog_ns;      /* 0: no watchdog */
    int kill_signal;          /* SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 or SIGINT */
    bool kill_all;            /* stop-mode *-all (and none given): signal the whole process group */
    bool remain_after_exit;   /* oneshot with a stop-command */
    int *success_exit_status;
    size_t n_success_exit_status;
    char **after;  /* names (INSTANCE.APP) of services this one starts after */
    char **before; /* names of services this one starts before */
    bool enabled;  /* started at boot; install-mode: disable makes it false */
    bool endure;   /* refresh-mode: endure: keeps running across a refresh */
    bool user_daemon;
    bool timer_activated;
    bool socket_activated;
    bool dbus_activated;
} SnServiceDef;

/* How service command lines are built: argv of ExecStart is {snap_command, "run", INSTANCE.APP}. */
typedef struct SnServiceExecOptions {
    const char *snap_command; /* NULL: "/usr/bin/snap" */
    const char *root;         /* working directories are $root/var/snap/INSTANCE/REV; NULL or "": / */
} SnServiceExecOptions;

/*
 * Builds the definitions of every service (app with `daemon:`) of info, installed as instance
 * (NULL: info->name) at revision, in the order of info->apps. Command lines are snapd's launcher
 * commands ({snap, "run", NAME.APP}, {snap, "run", "--command=stop", NAME.APP}, ...; NAME alone
 * when the app is named after the snap; "--timer=SCHEDULE" before it for a timer). *ret_defs is an
 * array of *ret_n definitions (NULL when 0; free with sn_service_defs_free). Returns 0, or -EINVAL
 * (an app whose fields do not make a valid service, e.g. an unknown restart-condition) or -ENOMEM
 * with a message.
 */
int sn_service_defs_from_snap(const SnSnapInfo *info, const char *instance, const char *revision,
                              const SnServiceExecOptions *opts, SnServiceDef **ret_defs, size_t *ret_n,
                              SnError **reterr);

/* A deep copy of def into *ret (whose previous contents are not freed). Returns 0 or -ENOMEM. */
int sn_service_def_copy(const SnServiceDef *def, SnServiceDef *ret);
/* Frees the contents of def and zeroes it. Accepts NULL. */
void sn_service_def_done(SnServiceDef *def);
/* Frees an array of n definitions. Accepts NULL. */
void sn_service_defs_free(SnServiceDef *defs, size_t n);

/* "simple", ..., "notify"; and the reverse (-EINVAL for an unknown name). */
const char *sn_service_type_to_string(SnServiceType t);
int sn_service_type_from_string(const char *s, SnServiceType *ret);
/* "no", "on-success", ..., "always"; from_string accepts snap.yaml's "never" as well. */
const char *sn_restart_condition_to_string(SnRestartCondition c);
int sn_restart_condition_from_string(const char *s, SnRestartCondition *ret);
/* stop-mode -> signal and kill-all ("" or NULL: SIGTERM to all). -EINVAL for an unknown value. */
int sn_stop_mode_parse(const char *s, int *ret_signal, bool *ret_all);
