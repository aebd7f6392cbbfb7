/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Logging for main()s, the daemon and confine/. Library code never logs: it returns errors.
 * Messages go to stderr, prefixed with the program name; debug messages only when
 * SNAPD_DEBUG=1 (snapd's variable) or sn_log_set_level(SN_LOG_DEBUG).
 */
#pragma once

#include "macros.h"

typedef enum SnLogLevel {
    SN_LOG_ERROR = 0,
    SN_LOG_WARNING = 1,
    SN_LOG_INFO = 2,
    SN_LOG_DEBUG = 3,
} SnLogLevel;

/* Sets the program name used as prefix (not copied: pass a static string). */
void sn_log_set_program(const char *name);
void sn_log_set_level(SnLogLevel level);
/* Reads SNAPD_DEBUG from the environment (secure_getenv) to raise the level to debug. */
void sn_log_init_from_env(void);

void sn_log(SnLogLevel level, const char *fmt, ...) _sn_printf_(2, 3);

#define sn_log_error(...) sn_log(SN_LOG_ERROR, __VA_ARGS__)
#define sn_log_warning(...) sn_log(SN_LOG_WARNING, __VA_ARGS__)
#define sn_log_info(...) sn_log(SN_LOG_INFO, __VA_ARGS__)
#define sn_log_debug(...) sn_log(SN_LOG_DEBUG, __VA_ARGS__)

/* Prints "program: message" to stderr and exits with status 1. */
_sn_noreturn_ void sn_die(const char *fmt, ...) _sn_printf_(1, 2);

/* Like sn_die, appending ": strerror(errno)". */
_sn_noreturn_ void sn_die_errno(const char *fmt, ...) _sn_printf_(1, 2);
