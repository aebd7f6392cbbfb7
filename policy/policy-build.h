/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * What the daemon's setup-profiles step compiles for one app or hook: the policy blob that
 * snap-confine and snap-exec load (see common/policy-blob.h) and the AppArmor profile text.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "policy-blob.h"

typedef struct SnPolicyInput {
    const char *snap_name;      /* instance name, NAME or NAME_KEY */
    const char *app;            /* the app, or NULL for a hook */
    const char *hook;           /* the hook, or NULL for an app */
    const char *seccomp_source; /* NULL: sn_seccomp_default_template */
    const char *command;        /* as in snap.yaml, relative to $SNAP (hooks: meta/hooks/HOOK when NULL) */
    char *const *command_chain; /* NULL-terminated, may be NULL */
    char *const *environment;   /* "KEY=VALUE", snap-level then app-level; may be NULL */
    uint32_t flags;             /* extra SN_POLICY_FLAG_* (e.g. LANDLOCK_OPTIONAL) */
} SnPolicyInput;

/* "snap.NAME.APP" or "snap.NAME.hook.HOOK", validated; NULL on invalid input or ENOMEM. Caller frees. */
char *sn_policy_security_tag(const SnPolicyInput *in);

/*
 * Builds the blob: the compiled seccomp programs, the default Landlock rules (read-only system
 * directories and /snap/NAME; writable /tmp, /var/snap/NAME and ~/snap/NAME; devices under /dev;
 * the blob itself, for snap-exec), the default device allow-list (snapd's: null, zero, full, random,
 * urandom, tty, console, ptmx and pty slaves) and the exec section. The result passes
 * sn_policy_blob_parse. Returns 0 with *ret_data (caller frees) and *ret_len, or -errno with a
 * message (-EINVAL for names, commands or environment entries outside the grammar).
 */
int sn_policy_build_blob(const SnPolicyInput *in, void **ret_data, size_t *ret_len, SnError **reterr);

/*
 * The AppArmor profile "snap.NAME.APP" for the same grants, for kernels with AppArmor. Every string
 * put into it has been validated against the name grammar (the CVE-2021-4120 lesson). Caller frees.
 */
int sn_policy_apparmor_profile(const SnPolicyInput *in, char **ret_text, SnError **reterr);
