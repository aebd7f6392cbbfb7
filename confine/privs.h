/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Privilege phases of snap-confine and how it dies.
 *
 * Phase 1 (privileged): euid 0, from setuid-root or a root caller. Phase 2: real ids everywhere,
 * verified by reading them back; no capabilities for a non-root caller; no_new_privs. The helper
 * never returns to phase 1.
 */
#pragma once

#include <sys/types.h>

#include "error.h"
#include "macros.h"

/* Remembers the caller's real ids for sn_confine_die and sn_confine_drop_privileges. */
void sn_confine_set_caller(uid_t uid, gid_t gid);

/*
 * Dies with a message, exit status 1. If still privileged, first drops to the caller's ids (best
 * effort) so that the message is formatted and written without privileges.
 */
_sn_noreturn_ void sn_confine_die(const char *fmt, ...) _sn_printf_(1, 2);

/* Dies with "what: <message of err or strerror(code)>". */
_sn_noreturn_ void sn_confine_die_error(const SnError *err, int code, const char *what);

/*
 * Phase 1 -> 2: clears ambient capabilities, sets gid then uid to the caller's real ids (all three of
 * real, effective, saved), and verifies by reading back that they stuck, that uid 0 cannot be regained
 * and that no capability is left (for a non-root caller). A root caller keeps only CAP_DAC_OVERRIDE,
 * as in snapd. Dies on any failure.
 */
void sn_confine_drop_privileges(void);

/* Sets no_new_privs and reads it back. Dies on failure. */
void sn_confine_set_no_new_privs(void);
