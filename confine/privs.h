/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Privilege phases of snap-confine and how it dies.
 *
 * Three ways to be privileged (sn_confine_privilege_mode tells them apart):
 *   setuid             installed rwsr-xr-x: euid 0, the caller's real uid != 0, every capability;
 *   file-capabilities  installed 0755 with SN_CONFINE_FILE_CAPS in the permitted set only (no 'e'):
 *                      uid == euid == the caller, nothing effective until the helper raises it;
 *   root               the caller is root (uid 0, euid 0).
 *
 * Phase 1 (privileged): setuid and root callers are privileged from exec; a file-capabilities
 * helper enters it with sn_confine_raise_privileges (effective = permitted, fsuid/fsgid 0, read
 * back), so everything it creates is root-owned as in setuid mode. Phase 2: real ids everywhere,
 * fsuid/fsgid the caller's, verified by reading them back; no capability in any set for a non-root
 * caller; no_new_privs. The helper never returns to phase 1.
 */
#pragma once

#include <stdint.h>
#include <sys/capability.h>
#include <sys/types.h>

#include "error.h"
#include "macros.h"

typedef enum SnConfineMode {
    SN_CONFINE_MODE_ROOT,
    SN_CONFINE_MODE_SETUID,
    SN_CONFINE_MODE_FILE_CAPS,
} SnConfineMode;

/* Bit n stands for capability n (1 << CAP_SYS_ADMIN, ...). */
#define SN_CONFINE_CAP_BIT(c) (UINT64_C(1) << (c))

/*
 * The permitted set the file-capabilities install gives the helper (the meson list
 * snap_confine_file_caps must name the same ones; confine/tests/test-privs.c checks):
 *   CAP_SYS_ADMIN     mount, umount2, unshare(CLONE_NEWNS), setns, pivot_root, devices.allow/deny
 *   CAP_SYS_CHROOT    setns into a mount namespace needs it besides CAP_SYS_ADMIN
 *   CAP_SYS_PTRACE    the capture helper opens /proc/PARENT/ns/mnt of the (non-dumpable) helper
 *   CAP_SETUID        setfsuid(0), so what the helper creates is root-owned
 *   CAP_SETGID        setfsgid(0), likewise
 *   CAP_DAC_OVERRIDE  mkdir of the device cgroup: the v1 hierarchy's root is 0555, even for its owner
 */
#define SN_CONFINE_FILE_CAPS                                                                                           \
    (SN_CONFINE_CAP_BIT(CAP_SYS_ADMIN) | SN_CONFINE_CAP_BIT(CAP_SYS_CHROOT) | SN_CONFINE_CAP_BIT(CAP_SYS_PTRACE) |     \
     SN_CONFINE_CAP_BIT(CAP_SETUID) | SN_CONFINE_CAP_BIT(CAP_SETGID) | SN_CONFINE_CAP_BIT(CAP_DAC_OVERRIDE))

/*
 * Pure: the mode of a process with these real and effective uids and this permitted capability
 * set (bits as SN_CONFINE_CAP_BIT). uid 0 with euid 0 is a root caller; euid 0 with another uid
 * setuid; uid == euid != 0 with every capability of SN_CONFINE_FILE_CAPS permitted
 * file-capabilities. Anything else (a copy of the helper that lost its setuid bit or capabilities, a
 * nosuid mount, a set missing a capability, uid 0 with another euid) is -EPERM with a message that
 * says what was found. Writes *ret_mode only on success.
 */
int sn_confine_privilege_mode(uid_t uid, uid_t euid, uint64_t permitted, SnConfineMode *ret_mode, SnError **reterr);

/* The permitted set of the calling thread (capget), as SN_CONFINE_CAP_BIT bits. 0 or -errno. */
int sn_confine_permitted_caps(uint64_t *ret_permitted);

/* Remembers the caller's real ids for sn_confine_die and sn_confine_drop_privileges. */
void sn_confine_set_caller(uid_t uid, gid_t gid);

/* Remembers the mode for sn_confine_raise_privileges, _drop_privileges and _die (default: setuid). */
void sn_confine_set_mode(SnConfineMode mode);

/*
 * Reads the real and effective uid and the permitted set, decides the mode (dies with the message of
 * sn_confine_privilege_mode when none applies), and remembers it and the caller's real ids.
 */
SnConfineMode sn_confine_init_privileges(void);

/*
 * Phase 1 for the file-capabilities mode: raises the effective set to the permitted one, then sets
 * fsgid and fsuid to 0, each read back. A no-op in the other modes (already privileged). Dies on
 * failure.
 */
void sn_confine_raise_privileges(void);

/*
 * Dies with a message, exit status 1. If still privileged, first drops to the caller's ids (best
 * effort) so that the message is formatted and written without privileges.
 */
_sn_noreturn_ void sn_confine_die(const char *fmt, ...) _sn_printf_(1, 2);

/* Dies with "what: <message of err or strerror(code)>". */
_sn_noreturn_ void sn_confine_die_error(const SnError *err, int code, const char *what);

/*
 * Phase 1 -> 2: clears ambient capabilities; in file-capabilities mode sets fsgid and fsuid back to
 * the caller's (read back); sets gid then uid to the caller's real ids (all three of real, effective,
 * saved, and with them the fs ids); clears the effective, permitted and inheritable sets; verifies by
 * reading back that the ids stuck, that uid 0 cannot be regained and that no capability bit is left
 * in any set, ambient included (for a non-root caller). A root caller keeps only CAP_DAC_OVERRIDE, as
 * in snapd. Dies on any failure.
 */
void sn_confine_drop_privileges(void);

/* Sets no_new_privs and reads it back. Dies on failure. */
void sn_confine_set_no_new_privs(void);
