/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The policy blob: what the daemon compiles for one security tag (snap.NAME.APP or
 * snap.NAME.hook.HOOK) and what snap-confine and snap-exec load. It is the only policy input of the
 * privileged helper, so it is small, versioned, size-capped and checked before use: the helper parses
 * no YAML, JSON or seccomp source.
 *
 * Layout (host byte order: the blob is written and read on the same machine), all offsets relative
 * to the start of the file, every section inside the file and after the header, none overlapping:
 *
 *   SnPolicyBlobHeader (128 bytes, pinned below by static_assert)
 *   sections, each 8-byte aligned:
 *     seccomp_deny   struct sock_filter[]  explicit denials (EACCES); default allow. May be empty.
 *     seccomp_allow  struct sock_filter[]  the allow-list; default EPERM. Empty only if UNRESTRICTED.
 *     landlock       SnPolicyLandlockRule[]  (version 3 adds the RUNTIME anchor)
 *     devices        SnPolicyDeviceRule[]  the device-cgroup allow-list
 *     exec           records "<kind><text>\0": 'c' command (exactly one), 'h' command-chain entry,
 *                    'e' environment "KEY=VALUE" (file order: snap-level then app-level)
 *     mounts         SnPolicyMountEntry[]  (version 2) the snap's content bind mounts, applied by
 *                    snap-confine when it creates the snap's mount namespace; every blob of a snap
 *                    carries the same list, because the namespace is per snap
 *     strings        NUL-terminated strings that landlock rules and mount entries point into
 */
#pragma once

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "macros.h"

#define SN_POLICY_BLOB_MAGIC "SNPOLICY"
#define SN_POLICY_BLOB_MAGIC_LEN 8
#define SN_POLICY_BLOB_VERSION 3u
/*
 * The oldest version the reader accepts. Version 2 is version 3 without the RUNTIME anchor: what it
 * grants is a subset, so snap-confine runs it until the daemon, which writes only the current version,
 * recompiles it at its next start (snapd/ifacestate.c). Version 1 had no mounts section.
 */
#define SN_POLICY_BLOB_MIN_VERSION 2u
#define SN_POLICY_BLOB_HEADER_SIZE 128u
/* Caps: a file larger than this is refused before it is read into memory. */
#define SN_POLICY_BLOB_MAX_SIZE (256u * 1024u)
/* The kernel's BPF_MAXINSNS. */
#define SN_POLICY_BLOB_MAX_BPF_INSNS 4096u
#define SN_POLICY_BLOB_MAX_LANDLOCK_RULES 256u
#define SN_POLICY_BLOB_MAX_DEVICE_RULES 256u
#define SN_POLICY_BLOB_MAX_PATH 4095u
#define SN_POLICY_BLOB_MAX_MOUNTS 64u
/* A content mount's source or target (bytes, without the NUL). */
#define SN_POLICY_MOUNT_MAX_PATH 1024u

/* Header flags. Unknown bits are refused. */
enum {
    /* No seccomp filter (classic confinement). */
    SN_POLICY_FLAG_UNRESTRICTED = 1u << 0,
    /* devmode: the allow filter logs instead of denying. */
    SN_POLICY_FLAG_COMPLAIN = 1u << 1,
    /* Run even where the kernel has no Landlock at all (the daemon sets it after probing). */
    SN_POLICY_FLAG_LANDLOCK_OPTIONAL = 1u << 2,
    /* The snap manages its own device cgroup (snapd's "self-managed"): no device rules applied. */
    SN_POLICY_FLAG_DEVICES_SELF_MANAGED = 1u << 3,
    SN_POLICY_FLAG_ALL = (1u << 4) - 1,
};

typedef struct SnPolicyBlobSection {
    uint32_t offset;
    uint32_t size; /* bytes */
} SnPolicyBlobSection;

typedef struct SnPolicyBlobHeader {
    char magic[SN_POLICY_BLOB_MAGIC_LEN]; /* SN_POLICY_BLOB_MAGIC, not NUL-terminated */
    uint32_t version;                     /* SN_POLICY_BLOB_VERSION */
    uint32_t header_size;                 /* SN_POLICY_BLOB_HEADER_SIZE */
    uint32_t total_size;                  /* the exact file size */
    uint32_t flags;                       /* SN_POLICY_FLAG_* */
    uint64_t landlock_fs_handled;         /* LANDLOCK_ACCESS_FS_* the ruleset handles (ABI 7 bits) */
    uint64_t landlock_net_handled;        /* LANDLOCK_ACCESS_NET_* */
    uint64_t landlock_scoped;             /* LANDLOCK_SCOPE_* */
    SnPolicyBlobSection seccomp_deny;
    SnPolicyBlobSection seccomp_allow;
    SnPolicyBlobSection landlock;
    SnPolicyBlobSection devices;
    SnPolicyBlobSection exec;
    SnPolicyBlobSection strings;
    SnPolicyBlobSection mounts; /* version 2: taken from the reserved bytes */
    uint8_t reserved[24];       /* zero */
} SnPolicyBlobHeader;

static_assert(sizeof(SnPolicyBlobHeader) == SN_POLICY_BLOB_HEADER_SIZE, "policy blob header size");
static_assert(offsetof(SnPolicyBlobHeader, version) == 8, "policy blob header layout");
static_assert(offsetof(SnPolicyBlobHeader, flags) == 20, "policy blob header layout");
static_assert(offsetof(SnPolicyBlobHeader, landlock_fs_handled) == 24, "policy blob header layout");
static_assert(offsetof(SnPolicyBlobHeader, seccomp_deny) == 48, "policy blob header layout");
static_assert(offsetof(SnPolicyBlobHeader, strings) == 88, "policy blob header layout");
static_assert(offsetof(SnPolicyBlobHeader, mounts) == 96, "policy blob header layout");
static_assert(offsetof(SnPolicyBlobHeader, reserved) == 104, "policy blob header layout");

/* Where a Landlock rule's path is anchored. */
enum {
    /* An absolute path inside the snap's mount namespace. */
    SN_POLICY_ANCHOR_ROOT = 0,
    /* A relative path under the calling user's home directory. */
    SN_POLICY_ANCHOR_HOME = 1,
    /*
     * (version 3) A relative path under the calling user's runtime directory, /run/user/UID inside
     * the namespace (UID the caller's real uid): no empty, "." or ".." component, no trailing '/'.
     * snap-confine opens it component by component without following symlinks, as the caller.
     */
    SN_POLICY_ANCHOR_RUNTIME = 2,
};

typedef struct SnPolicyLandlockRule {
    uint64_t access;      /* LANDLOCK_ACCESS_FS_* granted beneath the path; a subset of the handled set */
    uint32_t path_offset; /* into the strings section */
    uint32_t path_len;    /* without the NUL */
    uint32_t anchor;      /* SN_POLICY_ANCHOR_* */
    uint32_t reserved;    /* zero */
} SnPolicyLandlockRule;
static_assert(sizeof(SnPolicyLandlockRule) == 24, "landlock rule size");

/* Device access bits. */
enum {
    SN_POLICY_DEV_READ = 1u << 0,
    SN_POLICY_DEV_WRITE = 1u << 1,
    SN_POLICY_DEV_MKNOD = 1u << 2,
};
#define SN_POLICY_DEV_ANY (-1)

typedef struct SnPolicyDeviceRule {
    uint8_t type;   /* 'c', 'b' or 'a' (all) */
    uint8_t access; /* SN_POLICY_DEV_* (not 0) */
    uint16_t reserved;
    int32_t major; /* >= 0 or SN_POLICY_DEV_ANY */
    int32_t minor; /* >= 0 or SN_POLICY_DEV_ANY */
} SnPolicyDeviceRule;
static_assert(sizeof(SnPolicyDeviceRule) == 12, "device rule size");

/* Mount entry flags. Unknown bits are refused. */
enum {
    /* Bind read-only (also nosuid, nodev); otherwise read-write. */
    SN_POLICY_MOUNT_READ_ONLY = 1u << 0,
    SN_POLICY_MOUNT_FLAG_ALL = (1u << 1) - 1,
};

/* One content bind mount: source onto target, both absolute paths inside the snap's namespace. */
typedef struct SnPolicyMountEntry {
    uint32_t flags;         /* SN_POLICY_MOUNT_* */
    uint32_t source_offset; /* into the strings section */
    uint32_t source_len;    /* without the NUL */
    uint32_t target_offset; /* into the strings section */
    uint32_t target_len;    /* without the NUL */
    uint32_t reserved;      /* zero */
} SnPolicyMountEntry;
static_assert(sizeof(SnPolicyMountEntry) == 24, "mount entry size");

/*
 * The rule for one content mount, shared by the daemon (before it writes a blob or mounts into a
 * preserved namespace) and snap-confine (after the blob parser, again, before it mounts):
 *   - flags within SN_POLICY_MOUNT_FLAG_ALL;
 *   - source and target absolute, at most SN_POLICY_MOUNT_MAX_PATH bytes, no empty, "." or ".."
 *     component, no trailing '/', no byte below 0x21 and no 0x7f (whitespace would break the
 *     daemon's "ro|rw SOURCE TARGET" record lines);
 *   - source under /snap/SNAP/X or /var/snap/SNAP/X (another snap's, or the snap's own, files);
 *   - target under /snap/NAME/X or /var/snap/NAME/X where NAME is the consuming snap instance
 *     (snap, when not NULL; with NULL any snap name is accepted and the caller compares), so a
 *     content target never lands outside the snap's own directories (snapd's $SNAP, $SNAP_DATA,
 *     $SNAP_COMMON targets).
 * SNAP and NAME components are 1..50 bytes of [a-z0-9_-]. Returns 0 or -EINVAL with a message
 * naming the field.
 */
int sn_policy_mount_check(const char *snap, uint32_t flags, const char *source, const char *target, SnError **reterr);

/*
 * How both sides open a mount entry's source and target: a provider may ship or create symlinks in
 * its squashfs or its $SNAP_DATA, so nothing is resolved with symlinks allowed. Opens the directory
 * at the absolute, clean path abs beneath rootfd (an O_PATH directory fd of the namespace's "/"),
 * one component at a time with O_PATH | O_NOFOLLOW, as an O_PATH | O_DIRECTORY fd. With create,
 * missing components below /var/snap/NAME/ are created (mode 0755, owned by the caller: root in the
 * daemon and snap-confine); nothing is ever created elsewhere, /var/snap/NAME itself included.
 * No allocation (safe in a child forked from a threaded process when reterr is NULL). Returns the
 * fd or -errno: -ELOOP for a symlink (also as the last component), -ENOTDIR for a non-directory,
 * -ENOENT for a missing component, -EINVAL for a path that is not absolute and clean.
 */
int sn_policy_mount_open_dir(int rootfd, const char *abs, bool create, SnError **reterr);

/* The NAME component of a path under /snap/ or /var/snap/ (not NUL-terminated) and its length; NULL otherwise. */
const char *sn_policy_mount_target_snap(const char *target, size_t *ret_len);

/* A validated blob. All pointers point into data and live as long as the blob. */
typedef struct SnPolicyBlob {
    uint8_t *data; /* owned; 8-byte aligned */
    size_t size;
    const SnPolicyBlobHeader *header;
} SnPolicyBlob;

/*
 * Validates len bytes as a policy blob and returns a copy (*ret_blob, free with sn_policy_blob_free).
 * Checks magic, version, header size, total size against len and the cap, unknown flags, reserved
 * bytes, every section's alignment, bounds and overlap, element sizes and counts, landlock paths
 * (inside the string table, NUL-terminated, no embedded NUL, absolute for ROOT anchors and relative
 * for HOME and RUNTIME anchors, no ".." component, RUNTIME paths also without an empty or "."
 * component, access within the handled set), device rules and exec
 * records, and mount entries (sn_policy_mount_check, inside the string table, NUL-terminated, at most
 * SN_POLICY_BLOB_MAX_MOUNTS, every target naming the same snap). Returns 0, or -EBADMSG (not a
 * blob: magic), -EPROTONOSUPPORT (version), -EFBIG (size
 * cap), -ERANGE (out of bounds or overlapping), -EINVAL (a malformed field), -ENOMEM. The message
 * names the field.
 */
int sn_policy_blob_parse(const void *data, size_t len, SnPolicyBlob **ret_blob, SnError **reterr);

/*
 * Loads a blob from an open fd: the file must be a regular file owned by root and not writable by
 * group or others, no larger than the cap; then sn_policy_blob_parse. Fails closed: -EPERM for the
 * owner or mode, -EINVAL for a non-regular file, -EFBIG past the cap, the parse codes otherwise.
 */
int sn_policy_blob_load_fd(int fd, SnPolicyBlob **ret_blob, SnError **reterr);

/* Frees a blob. Accepts NULL; returns NULL. */
SnPolicyBlob *sn_policy_blob_free(SnPolicyBlob *blob);
SN_DEFINE_CLEANUP_FUNC(SnPolicyBlob *, sn_policy_blob_free)

/* The seccomp programs: pointer to struct sock_filter[] and its instruction count (0: none). */
const void *sn_policy_blob_seccomp_deny(const SnPolicyBlob *blob, size_t *ret_count);
const void *sn_policy_blob_seccomp_allow(const SnPolicyBlob *blob, size_t *ret_count);

/* The Landlock rules and their count. sn_policy_blob_landlock_path returns rule's NUL-terminated path. */
const SnPolicyLandlockRule *sn_policy_blob_landlock_rules(const SnPolicyBlob *blob, size_t *ret_count);
const char *sn_policy_blob_landlock_path(const SnPolicyBlob *blob, const SnPolicyLandlockRule *rule);

/* The device rules and their count. */
const SnPolicyDeviceRule *sn_policy_blob_device_rules(const SnPolicyBlob *blob, size_t *ret_count);

/* The mount entries and their count; source and target are NUL-terminated strings in the blob. */
const SnPolicyMountEntry *sn_policy_blob_mounts(const SnPolicyBlob *blob, size_t *ret_count);
const char *sn_policy_blob_mount_source(const SnPolicyBlob *blob, const SnPolicyMountEntry *entry);
const char *sn_policy_blob_mount_target(const SnPolicyBlob *blob, const SnPolicyMountEntry *entry);

/*
 * Iterates the exec records: *cursor starts at 0; each call returns the next record's kind ('c', 'h',
 * 'e') and sets *ret_text, or returns 0 at the end. Records were validated by the parser.
 */
int sn_policy_blob_exec_next(const SnPolicyBlob *blob, size_t *cursor, const char **ret_text);
