/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The daemon as a whole: opens the state (and its lock), starts the task runner, serves the API on
 * $ROOT/run/snapd.socket and $ROOT/run/snapd-snap.socket (both 0666), prunes changes every 10
 * minutes as snapd does, and runs the event loop until SIGTERM or SIGINT.
 *
 * Stopping is orderly: the sockets close first, then the task runner stops (a task whose handler
 * is interrupted stays Doing and runs again on the next start), then the state closes.
 */
#pragma once

#include "error.h"

typedef struct SnDaemonOptions {
    const char *root; /* "" or NULL for /; otherwise an absolute path ($SNAPPY_GLOBAL_ROOT) */
    unsigned workers; /* task runner threads; 0 for the default (2) */
} SnDaemonOptions;

/*
 * Runs the daemon until a stop signal. Logs through common/log.h (the daemon is where errors are
 * handled). Returns 0 after a clean stop, or -errno with a message when it could not start
 * (another daemon holds the state: -EBUSY).
 */
int sn_daemon_run(const SnDaemonOptions *opts, SnError **reterr);
