/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Landlock for snap-confine: builds a ruleset from the policy blob, masked by the kernel's ABI, and
 * restricts the calling thread. Runs after privileges are dropped (paths are opened as the caller)
 * and no_new_privs is set.
 */
#pragma once

#include <stdint.h>

#include "policy-blob.h"

/* The Landlock ABI of the running kernel: >= 1, or 0 when Landlock is missing or disabled. */
int sn_confine_landlock_abi(void);

/* The filesystem rights, network rights and scopes the given ABI knows. */
uint64_t sn_confine_landlock_fs_mask(int abi);
uint64_t sn_confine_landlock_net_mask(int abi);
uint64_t sn_confine_landlock_scope_mask(int abi);

/*
 * Applies the blob's Landlock rules. Rights the kernel does not know are dropped from both the
 * handled set and the rules (a right that is not handled is not restricted, so dropping it from
 * both keeps what the older kernel can enforce). Rule paths that do not exist are skipped; HOME
 * anchored rules use home (skipped when NULL). Without Landlock (ABI 0) it dies, unless the blob has
 * SN_POLICY_FLAG_LANDLOCK_OPTIONAL. Dies on any other failure.
 */
void sn_confine_apply_landlock(const SnPolicyBlob *blob, const char *home);
