/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Running one hook program and waiting for it (snapd's osutil.RunAndWait): its own process group,
 * stdin /dev/null, stdout and stderr into one pipe of which the last SN_HOOK_OUTPUT_MAX_LINES lines
 * and SN_HOOK_OUTPUT_MAX_BYTES bytes are kept (snapd's LimitedBuffer(100, 10 KiB)), killed (the
 * whole group, SIGKILL) past a timeout or when asked to stop.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define SN_HOOK_OUTPUT_MAX_LINES 100
#define SN_HOOK_OUTPUT_MAX_BYTES (10 * 1024)

typedef enum SnHookRunEnd {
    SN_HOOK_RUN_EXITED = 0, /* *ret_status is the exit status, or -SIGNAL when killed by one */
    SN_HOOK_RUN_TIMEOUT,
    SN_HOOK_RUN_ABORTED,
} SnHookRunEnd;

/*
 * Runs argv (argv[0] an absolute path, or a name looked up in PATH) with env (NULL-terminated).
 * stop (may be NULL) is polled every 100 ms: true kills the process group (SN_HOOK_RUN_ABORTED).
 * timeout_ns > 0. On success (the program ran, whatever its status) returns 0 with *ret_end,
 * *ret_status and *ret_output (caller frees; the kept output, with "\n<exceeded maximum runtime of
 * D>" or "\n<aborted>" appended as snapd does). -errno with a message when it could not be started.
 */
int sn_hook_run_process(char *const *argv, char *const *env, int64_t timeout_ns, bool (*stop)(void *userdata),
                        void *userdata, SnHookRunEnd *ret_end, int *ret_status, char **ret_output, SnError **reterr);

/* Go's time.Duration.String() for ns ("10m0s", "30s", "1.5s", "500ms", "1h0m0s"). Writes into buf. */
const char *sn_hook_format_duration(int64_t ns, char buf[static 32]);

/* Go's time.ParseDuration for what snapd's timeout variables use ("10s", "1m30s", "500ms", "2h"). */
int sn_hook_parse_duration(const char *s, int64_t *ret_ns);

/* snapd's osutil.OutputErr text: the trimmed output, between "\n-----\n" lines when it has several. Caller frees. */
char *sn_hook_output_error(const char *output);
