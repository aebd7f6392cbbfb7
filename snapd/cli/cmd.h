/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The `snap` command's verbs. Each takes the arguments after the verb name (argv[0] is the verb)
 * and returns the process exit status. Errors are printed as snapd prints them: "error: ..." on
 * stderr, with exit status 1.
 */
#pragma once

#include <stdbool.h>

#include "error.h"

int sn_cmd_version(int argc, char **argv);
int sn_cmd_help(int argc, char **argv);

/* cmd-pack.c */
int sn_cmd_pack(int argc, char **argv);
/* cmd-info.c */
int sn_cmd_info(int argc, char **argv);

/* cmd-keys.c */
int sn_cmd_create_key(int argc, char **argv);
int sn_cmd_keys(int argc, char **argv);
int sn_cmd_export_key(int argc, char **argv);
/* cmd-sign.c */
int sn_cmd_sign(int argc, char **argv);
/* cmd-verify-assertions.c: `snap debug verify-assertions` */
int sn_cmd_debug_verify_assertions(int argc, char **argv);

/* cmd-debug.c: `snap debug SUBCOMMAND` */
int sn_cmd_debug(int argc, char **argv);

/* The client verbs (issue 4), talking to the daemon; sn_cmd_version is in cmd-version.c. */
/* cmd-list.c */
int sn_cmd_list(int argc, char **argv);
/* cmd-changes.c */
int sn_cmd_changes(int argc, char **argv);
int sn_cmd_tasks(int argc, char **argv);
int sn_cmd_watch(int argc, char **argv);
int sn_cmd_abort(int argc, char **argv);
/* cmd-snap-ops.c */
int sn_cmd_install(int argc, char **argv);
int sn_cmd_remove(int argc, char **argv);
int sn_cmd_refresh(int argc, char **argv);
int sn_cmd_revert(int argc, char **argv);
int sn_cmd_enable(int argc, char **argv);
int sn_cmd_disable(int argc, char **argv);
/* cmd-assert-client.c */
int sn_cmd_ack(int argc, char **argv);
int sn_cmd_known(int argc, char **argv);
/* cmd-config.c */
int sn_cmd_set(int argc, char **argv);
int sn_cmd_get(int argc, char **argv);
int sn_cmd_unset(int argc, char **argv);
/*
 * cmd-info-remote.c: `snap info` for installed snaps. argv is a verb's argv ("info", the info
 * options --verbose/--abs-time/--color/--unicode, then one or more snap names, none a file):
 * GET /v2/snaps/NAME for each, printed in snapd's layout. Returns the exit status.
 */
int sn_cmd_info_installed(int argc, char **argv);

/* cmd-run.c: `snap run`, and `snap` called as a /snap/bin/NAME.APP wrapper */
int sn_cmd_run(int argc, char **argv);
bool sn_cmd_run_is_wrapper(const char *argv0);
int sn_cmd_run_wrapper(int argc, char **argv);
/* cmd-sandbox-features.c: `snap debug sandbox-features` */
int sn_cmd_debug_sandbox_features(int argc, char **argv);

/* cmd-interfaces.c: POST /v2/interfaces, GET /v2/connections, GET /v2/interfaces (issue 6) */
int sn_cmd_connect(int argc, char **argv);
int sn_cmd_disconnect(int argc, char **argv);
int sn_cmd_connections(int argc, char **argv);
int sn_cmd_interface(int argc, char **argv);

/* cmd-services.c: `snap services`, `snap start|stop|restart`, `snap logs` */
int sn_cmd_services(int argc, char **argv);
int sn_cmd_start(int argc, char **argv);
int sn_cmd_stop(int argc, char **argv);
int sn_cmd_restart(int argc, char **argv);
int sn_cmd_logs(int argc, char **argv);
/* Prints "error: <message>" (from err, or strerror(-r)) and returns 1. */
int sn_cli_fail(int r, const SnError *err);
/* Prints "error: <formatted>" and returns 1. */
int sn_cli_failf(const char *fmt, ...) _sn_printf_(1, 2);
