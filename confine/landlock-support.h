/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Landlock for snap-confine: builds a ruleset from the policy blob, masked by the kernel's ABI, and
 * restricts the calling thread. Runs after privileges are dropped (paths are opened as the caller)
 * and no_new_privs is set.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "policy-blob.h"

/* The Landlock ABI of the running kernel: >= 1, or 0 when Landlock is missing or disabled. */
int sn_confine_landlock_abi(void);

/* The filesystem rights, network rights and scopes the given ABI knows. */
uint64_t sn_confine_landlock_fs_mask(int abi);
uint64_t sn_confine_landlock_net_mask(int abi);
uint64_t sn_confine_landlock_scope_mask(int abi);

/* The parent of the users' runtime directories inside the namespace (logind's). */
#define SN_CONFINE_RUN_USER "/run/user"

/*
 * Opens the directory rel (a RUNTIME-anchored rule path: relative, clean, as the blob parser
 * checked) beneath the caller's runtime directory runtime_dir (absolute, not "/": SN_CONFINE_RUN_USER/UID),
 * as an O_PATH | O_DIRECTORY fd. Both are walked from "/" without following any symlink
 * (sn_openat_beneath), and runtime_dir and the directory itself must belong to uid (AppArmor's
 * "owner" qualifier on snapd's rule). Call it as the caller. No allocation. Returns the fd, or
 * -ENOENT (a component is missing), -ELOOP or -ENOTDIR (a symlink or a non-directory), -EPERM
 * (owned by another user), -EINVAL (runtime_dir not absolute or rel absolute), another -errno.
 */
int sn_confine_landlock_open_runtime(const char *runtime_dir, uid_t uid, const char *rel);

/*
 * Applies the blob's Landlock rules. Rights the kernel does not know are dropped from both the
 * handled set and the rules (a right that is not handled is not restricted, so dropping it from
 * both keeps what the older kernel can enforce). Rule paths that do not exist are skipped; HOME
 * anchored rules use home (skipped when NULL); RUNTIME anchored rules are opened with
 * sn_confine_landlock_open_runtime(runtime_dir, uid, path) (skipped when runtime_dir is NULL or the
 * directory is missing; skipped with a warning when it is a symlink, not a directory or another
 * user's: a rule is never widened to another path). Without Landlock (ABI 0) it dies, unless the
 * blob has SN_POLICY_FLAG_LANDLOCK_OPTIONAL. Dies on any other failure.
 */
void sn_confine_apply_landlock(const SnPolicyBlob *blob, const char *home, const char *runtime_dir, uid_t uid);
