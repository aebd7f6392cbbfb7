/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * What the daemon's setup-profiles step compiles for one app or hook: the policy blob that
 * snap-confine and snap-exec load (see common/policy-blob.h) and the AppArmor profile text.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "policy-blob.h"
#include "snap-yaml.h"

/* Landlock filesystem rights (the kernel's LANDLOCK_ACCESS_FS_* values, ABI 1..5). */
enum {
    SN_LANDLOCK_EXECUTE = 1 << 0,
    SN_LANDLOCK_WRITE_FILE = 1 << 1,
    SN_LANDLOCK_READ_FILE = 1 << 2,
    SN_LANDLOCK_READ_DIR = 1 << 3,
    SN_LANDLOCK_REMOVE_DIR = 1 << 4,
    SN_LANDLOCK_REMOVE_FILE = 1 << 5,
    SN_LANDLOCK_MAKE_CHAR = 1 << 6,
    SN_LANDLOCK_MAKE_DIR = 1 << 7,
    SN_LANDLOCK_MAKE_REG = 1 << 8,
    SN_LANDLOCK_MAKE_SOCK = 1 << 9,
    SN_LANDLOCK_MAKE_FIFO = 1 << 10,
    SN_LANDLOCK_MAKE_BLOCK = 1 << 11,
    SN_LANDLOCK_MAKE_SYM = 1 << 12,
    SN_LANDLOCK_REFER = 1 << 13,
    SN_LANDLOCK_TRUNCATE = 1 << 14,
    SN_LANDLOCK_IOCTL_DEV = 1 << 15,
};
#define SN_LANDLOCK_ALL 0xffffu
/* Read-only, read and execute, read-write (no device nodes), device files. */
#define SN_LANDLOCK_RO (SN_LANDLOCK_READ_FILE | SN_LANDLOCK_READ_DIR)
#define SN_LANDLOCK_RX (SN_LANDLOCK_RO | SN_LANDLOCK_EXECUTE)
#define SN_LANDLOCK_RW                                                                                                 \
    (SN_LANDLOCK_RX | SN_LANDLOCK_WRITE_FILE | SN_LANDLOCK_REMOVE_DIR | SN_LANDLOCK_REMOVE_FILE |                      \
     SN_LANDLOCK_MAKE_DIR | SN_LANDLOCK_MAKE_REG | SN_LANDLOCK_MAKE_SOCK | SN_LANDLOCK_MAKE_FIFO |                     \
     SN_LANDLOCK_MAKE_SYM | SN_LANDLOCK_REFER | SN_LANDLOCK_TRUNCATE)
#define SN_LANDLOCK_DEV (SN_LANDLOCK_RO | SN_LANDLOCK_WRITE_FILE | SN_LANDLOCK_TRUNCATE | SN_LANDLOCK_IOCTL_DEV)

/* Landlock network rights (LANDLOCK_ACCESS_NET_*, ABI 4): TCP bind and connect on any port. */
#define SN_LANDLOCK_NET_BIND_TCP (UINT64_C(1) << 0)
#define SN_LANDLOCK_NET_CONNECT_TCP (UINT64_C(1) << 1)
#define SN_LANDLOCK_NET_ALL (SN_LANDLOCK_NET_BIND_TCP | SN_LANDLOCK_NET_CONNECT_TCP)

/*
 * One Landlock path an interface grants. path by anchor: SN_POLICY_ANCHOR_ROOT absolute, in the
 * namespace; _HOME relative to the caller's home ("." is the home directory itself); _RUNTIME relative
 * to the caller's /run/user/UID, without "." or empty components.
 */
typedef struct SnPolicyLandlockGrant {
    const char *path;
    uint32_t anchor; /* SN_POLICY_ANCHOR_* */
    uint64_t access; /* SN_LANDLOCK_* bits, not 0 */
} SnPolicyLandlockGrant;

/*
 * What one connected plug or slot adds to the confinement of the apps and hooks it is bound to
 * (the interface backends of issue 6 fill these in; setup-profiles takes a list of them). Nothing is
 * owned: the strings and arrays belong to the caller and must outlive the call.
 */
typedef struct SnPolicyGrant {
    const char *interface; /* the interface name, for messages (e.g. "network") */
    char *const *apps;     /* app names it applies to; NULL-terminated. apps and hooks both NULL: all */
    char *const *hooks;    /* hook names it applies to; NULL-terminated */
    const char *seccomp;   /* seccomp source lines in snapd's syntax, appended to the template; or NULL */
    const char *apparmor;  /* rules for the AppArmor profile body (balanced braces); or NULL */
    const SnPolicyLandlockGrant *landlock;
    size_t n_landlock;
    const SnPolicyDeviceRule *devices; /* added to the device-cgroup allow-list */
    size_t n_devices;
    /* SN_LANDLOCK_NET_* rights this grant releases: a strict blob handles (denies) TCP bind and
     * connect unless an applicable grant releases them (the network and network-bind interfaces). */
    uint64_t landlock_net;
} SnPolicyGrant;

/*
 * One content bind mount in the snap's mount namespace (the content interface's plug side). Both
 * paths are absolute inside the namespace and must pass sn_policy_mount_check for the snap. Not
 * owned.
 */
typedef struct SnPolicyMountGrant {
    const char *source; /* /snap/PROVIDER/REV/... or /var/snap/PROVIDER/... */
    const char *target; /* /snap/NAME/REV/... or /var/snap/NAME/... */
    bool read_only;
} SnPolicyMountGrant;

/* Whether grant applies to the app (hook NULL) or the hook (app NULL). */
bool sn_policy_grant_applies(const SnPolicyGrant *grant, const char *app, const char *hook);

typedef struct SnPolicyInput {
    const char *snap_name;      /* instance name, NAME or NAME_KEY */
    const char *app;            /* the app, or NULL for a hook */
    const char *hook;           /* the hook, or NULL for an app */
    const char *revision;       /* for the AppArmor profile's @{SNAP_REVISION}; NULL: not written */
    const char *seccomp_source; /* NULL: sn_seccomp_default_template */
    const char *command;        /* as in snap.yaml, relative to $SNAP (hooks: meta/hooks/HOOK when NULL) */
    char *const *command_chain; /* NULL-terminated, may be NULL */
    char *const *environment;   /* "KEY=VALUE", snap-level then app-level; may be NULL */
    uint32_t flags;             /* extra SN_POLICY_FLAG_* (e.g. LANDLOCK_OPTIONAL) */
    /* strict (0, the default); devmode: seccomp logs, no Landlock or device rules, AppArmor complain;
     * classic: unrestricted (no seccomp, Landlock or device rules), AppArmor unconfined. */
    SnConfinement confinement;
    const SnPolicyGrant *grants; /* those that apply to this app or hook are added; may be NULL */
    size_t n_grants;
    /* The snap's content mounts: every blob of the snap carries all of them (the namespace is per
     * snap), in this order; at most SN_POLICY_BLOB_MAX_MOUNTS. May be NULL. */
    const SnPolicyMountGrant *mounts;
    size_t n_mounts;
} SnPolicyInput;

/* "snap.NAME.APP" or "snap.NAME.hook.HOOK", validated; NULL on invalid input or ENOMEM. Caller frees. */
char *sn_policy_security_tag(const SnPolicyInput *in);

/*
 * Builds the blob: the compiled seccomp programs, the default Landlock rules (read-only system
 * directories and /snap/NAME; writable /tmp, /var/snap/NAME and ~/snap/NAME; devices under /dev;
 * the blob itself, for snap-exec), the default device allow-list (snapd's: null, zero, full, random,
 * urandom, tty, console, ptmx and pty slaves) and the exec section. The result passes
 * sn_policy_blob_parse. The grants that apply add their seccomp lines, Landlock paths and device
 * rules; the mounts go into the mounts section whatever the app, hook or confinement. Returns 0 with
 * *ret_data (caller frees) and *ret_len, or -errno with a message (-EINVAL for names, commands,
 * environment entries, grant paths, rules or mounts outside the grammar, -EFBIG past the blob's
 * caps).
 */
int sn_policy_build_blob(const SnPolicyInput *in, void **ret_data, size_t *ret_len, SnError **reterr);

/*
 * The AppArmor profile "snap.NAME.APP" for the same grants, for kernels with AppArmor (devmode:
 * flags=(complain); classic: flags=(unconfined)), with the applicable grants' rules in its body. Every
 * string put into it has been validated against the name grammar (the CVE-2021-4120 lesson); a
 * grant's rules must have balanced braces and may not open a profile or hat (-EINVAL). Caller frees.
 */
int sn_policy_apparmor_profile(const SnPolicyInput *in, char **ret_text, SnError **reterr);

/* A revision as snapd writes it: "12" or "x1" (no leading zero, at most 19 digits). */
bool sn_policy_revision_valid(const char *revision);
