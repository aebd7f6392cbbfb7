/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The `snap` command's verbs. Each takes the arguments after the verb name (argv[0] is the verb)
 * and returns the process exit status. Errors are printed as snapd prints them: "error: ..." on
 * stderr, with exit status 1.
 */
#pragma once

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

/* Prints "error: <message>" (from err, or strerror(-r)) and returns 1. */
int sn_cli_fail(int r, const SnError *err);
/* Prints "error: <formatted>" and returns 1. */
int sn_cli_failf(const char *fmt, ...) _sn_printf_(1, 2);
