/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Waiting for a change as snapd's CLI does (cmd/snapd/cli/wait.go): GET /v2/changes/ID every
 * 100 ms, a progress meter of the task in progress, and Ctrl-C asking the daemon to abort.
 *
 * The meter: on a terminal an ANSI bar (label, percent, speed, time left; a spinner for tasks
 * without a real total), otherwise snapd's quiet meter, which prints only task log lines ("notify")
 * as plain lines.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"
#include "error.h"

typedef struct SnMeter {
    FILE *out;
    bool ansi;
    int width; /* terminal columns; 0: ask the terminal each time (80 when it can't tell) */
    char *label;
    double total, written;
    unsigned spin;
    int64_t t0_ms;
    bool started; /* the ANSI meter drew something since the last finish */
} SnMeter;

/* Prepares a meter writing to out: ansi for a terminal, else quiet. */
void sn_meter_init(SnMeter *m, FILE *out, bool ansi);
/* A new task with a byte (or step) total. */
void sn_meter_start(SnMeter *m, const char *label, double total);
/* Progress of the current task. */
void sn_meter_set(SnMeter *m, double current);
/* A spinner with a message (tasks whose total is 1). */
void sn_meter_spin(SnMeter *m, const char *msg);
/* A line the user must see (a task's latest log line): printed in both modes. */
void sn_meter_notify(SnMeter *m, const char *msg);
/* Clears the bar (ANSI) and shows the cursor again. */
void sn_meter_finished(SnMeter *m);
/* Frees the meter's contents. */
void sn_meter_done(SnMeter *m);

typedef struct SnWaitOptions {
    bool skip_abort;           /* `snap watch`: Ctrl-C only stops watching, the change goes on */
    bool wait_for_wait_status; /* keep waiting through a change in status Wait */
    bool no_progress;          /* no meter at all */
    bool ansi;                 /* draw the ANSI bar (stdout is a terminal) */
    FILE *out;                 /* meter output; NULL: stdout */
    int poll_ms;               /* 0: 100 (snapd's pollTime) */
    int max_gone_ms;           /* 0: 5000 (snapd's maxGoneTime) */
} SnWaitOptions;

/*
 * Waits for change id to be ready. Returns 0 and the last change object in *ret_change (caller
 * decrefs; may be NULL) when it is Done, or in status Wait when !wait_for_wait_status. A change
 * that ended otherwise gives -EREMOTEIO with the change's "err" as the message (or "change
 * finished in status "X" with no error message"); an error envelope from the daemon or a daemon
 * gone for longer than max_gone_ms gives that error. A first Ctrl-C sends {"action":"abort"} for
 * the change (unless skip_abort) and keeps waiting for it to unwind; a second one ends the program.
 */
int sn_wait_change(SnClient *c, const char *id, const SnWaitOptions *opts, json_t **ret_change, SnError **reterr);

/* POST /v2/changes/ID {"action":"abort"}; the new change object in *ret_change (may be NULL). */
int sn_client_abort(SnClient *c, const char *id, json_t **ret_change, SnError **reterr);

/* snapd's quantity.FormatDuration (e.g. "1.2s", "12m3s", "2h5m") and FormatBPS (e.g. "12.3MB/s"). */
void sn_format_duration(double seconds, char *buf, size_t size);
void sn_format_bps(double bytes, double seconds, char *buf, size_t size);
