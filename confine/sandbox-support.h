/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The remaining enforcement steps of snap-confine: seccomp, AppArmor and the device cgroup.
 * Each dies on failure: a half-built sandbox must never exec.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "policy-blob.h"

/*
 * Loads the blob's deny filter, then its allow filter (the kernel runs the most recently added
 * filter first and keeps the first of equal precedence, so an explicit denial's EACCES wins over the
 * allow-list's EPERM). Needs no_new_privs. Nothing for an UNRESTRICTED blob.
 */
void sn_confine_apply_seccomp(const SnPolicyBlob *blob);

/*
 * Whether the kernel has AppArmor enabled, from /sys/module/apparmor/parameters/enabled: 1 yes,
 * 0 no (the file is missing), -errno when it cannot tell. snap-confine treats "cannot tell" as
 * enabled, so a failure (RLIMIT_NOFILE, ...) never turns confinement off (the aa_is_enabled lesson).
 */
int sn_confine_apparmor_enabled(void);

/* Whether the kernel's profile list (the text of apparmor/profiles) has tag in enforce mode. */
bool sn_confine_apparmor_profile_enforced(const char *profiles, const char *tag);

/*
 * Where AppArmor is enabled, while still privileged (the kernel lists profiles to root only): dies
 * unless the profile named tag is loaded in enforce mode.
 */
void sn_confine_apparmor_check_profile(const char *tag);

/* After the drop: aa_change_onexec(tag). Dies when the change fails. */
void sn_confine_apparmor_change_onexec(const char *tag);

/*
 * aa_change_onexec() without libapparmor: writes "exec TAG" in one write() to attrfd's
 * apparmor/exec (the LSM-stacking interface) or, where that does not exist, to its exec. attrfd is
 * an open /proc/thread-self/attr (a test passes a directory of its own). Returns 0, -ENAMETOOLONG,
 * or the -errno of the open or write. Never dies.
 */
int sn_confine_apparmor_set_exec(int attrfd, const char *tag);

/*
 * Device cgroup, v1 devices controller: creates /sys/fs/cgroup/devices/<tag>, denies all, allows
 * the blob's rules and moves the calling process in. Returns false (and does nothing) when no v1
 * devices controller is mounted; dies on any other failure.
 */
bool sn_confine_apply_device_cgroup(const SnPolicyBlob *blob, const char *tag);

/* Room for the devices.list of SN_POLICY_BLOB_MAX_DEVICE_RULES rules ("c 2147483647:2147483647 rwm\n"). */
#define SN_DEVICE_LIST_MAX 8192

/*
 * What the v1 devices controller's devices.list shows after the writes above ("a" to devices.deny,
 * then each rule to devices.allow): one "TYPE MAJOR:MINOR ACCESS" line per rule, where a later rule
 * with the same type and numbers is merged into the first (its access added). Writes it,
 * NUL-terminated, into buf of size bytes and returns its length; -E2BIG when it does not fit, -EINVAL
 * for a rule of type 'a' (the controller then shows "a *:* rwm", not the rules). Pure; never dies.
 * sn_confine_apply_device_cgroup skips its rule writes when the cgroup's list equals this.
 */
ssize_t sn_confine_device_list_expected(const SnPolicyDeviceRule *rules, size_t n, char *buf, size_t size);
