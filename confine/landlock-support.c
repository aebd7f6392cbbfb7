/* SPDX-License-Identifier: GPL-3.0-only */
#include "landlock-support.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault.h"
#include "fd-util.h"
#include "log.h"
#include "privs.h"
#include "strutil.h"

/* Debian 12's headers stop at ABI 2 or 3; the values below are the kernel's ABI and never change. */
#define SN_LL_FS_REFER (UINT64_C(1) << 13)
#define SN_LL_FS_TRUNCATE (UINT64_C(1) << 14)
#define SN_LL_FS_IOCTL_DEV (UINT64_C(1) << 15)
#define SN_LL_FS_FILE_RIGHTS                                                                                           \
    (UINT64_C(1) << 0 | UINT64_C(1) << 1 | UINT64_C(1) << 2 | SN_LL_FS_TRUNCATE | SN_LL_FS_IOCTL_DEV)

struct sn_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct sn_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

int sn_confine_landlock_abi(void)
{
    if (sn_faulty("landlock-abi"))
        return 0;
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1 /* LANDLOCK_CREATE_RULESET_VERSION */);
    return abi < 0 ? 0 : (int)abi;
}

uint64_t sn_confine_landlock_fs_mask(int abi)
{
    if (abi < 1)
        return 0;
    uint64_t m = (UINT64_C(1) << 13) - 1;
    if (abi >= 2)
        m |= SN_LL_FS_REFER;
    if (abi >= 3)
        m |= SN_LL_FS_TRUNCATE;
    if (abi >= 5)
        m |= SN_LL_FS_IOCTL_DEV;
    return m;
}

uint64_t sn_confine_landlock_net_mask(int abi)
{
    return abi >= 4 ? 3 : 0;
}

uint64_t sn_confine_landlock_scope_mask(int abi)
{
    return abi >= 6 ? 3 : 0;
}

static size_t attr_size(int abi)
{
    if (abi >= 6)
        return sizeof(struct sn_ruleset_attr);
    if (abi >= 4)
        return offsetof(struct sn_ruleset_attr, scoped);
    return offsetof(struct sn_ruleset_attr, handled_access_net);
}

int sn_confine_landlock_open_runtime(const char *runtime_dir, uid_t uid, const char *rel)
{
    if (!runtime_dir || runtime_dir[0] != '/' || !rel || rel[0] == '/')
        return -EINVAL;
    _sn_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return -errno;
    const char *sub = runtime_dir + strspn(runtime_dir, "/");
    if (!*sub)
        return -EINVAL;
    _sn_close_ int base = sn_openat_beneath(root, sub, O_PATH | O_DIRECTORY, 0);
    if (base < 0)
        return base;
    struct stat st;
    if (fstat(base, &st) < 0)
        return -errno;
    if (st.st_uid != uid)
        return -EPERM;
    _sn_close_ int fd = sn_openat_beneath(base, rel, O_PATH | O_DIRECTORY, 0);
    if (fd < 0)
        return fd;
    if (fstat(fd, &st) < 0)
        return -errno;
    if (st.st_uid != uid)
        return -EPERM;
    return SN_TAKE_FD(fd);
}

/* The fd of a RUNTIME rule's directory, or -1 when the rule is to be skipped. */
static int open_runtime_rule(const char *runtime_dir, uid_t uid, const char *rel)
{
    if (!runtime_dir)
        return -1;
    int fd = sn_confine_landlock_open_runtime(runtime_dir, uid, rel);
    if (fd >= 0)
        return fd;
    if (fd == -ENOENT)
        return -1;
    if (fd == -ELOOP || fd == -ENOTDIR || fd == -EPERM || fd == -EXDEV) {
        sn_log_warning("no Landlock rule for %s/%s: %s", runtime_dir, rel,
                       fd == -EPERM ? "it belongs to another user" : "it is a symlink or not a directory");
        return -1;
    }
    errno = -fd;
    sn_confine_die("cannot open %s/%s for a Landlock rule: %m", runtime_dir, rel);
}

void sn_confine_apply_landlock(const SnPolicyBlob *blob, const char *home, const char *runtime_dir, uid_t uid)
{
    const SnPolicyBlobHeader *h = blob->header;
    int abi = sn_confine_landlock_abi();
    if (abi < 1) {
        if (h->flags & SN_POLICY_FLAG_LANDLOCK_OPTIONAL)
            return;
        sn_confine_die("the kernel has no Landlock and the policy requires it");
    }
    uint64_t fs = sn_confine_landlock_fs_mask(abi);
    struct sn_ruleset_attr attr = {
        .handled_access_fs = h->landlock_fs_handled & fs,
        .handled_access_net = h->landlock_net_handled & sn_confine_landlock_net_mask(abi),
        .scoped = h->landlock_scoped & sn_confine_landlock_scope_mask(abi),
    };
    if (!attr.handled_access_fs && !attr.handled_access_net && !attr.scoped)
        return;
    _sn_close_ int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size(abi), 0);
    if (ruleset < 0)
        sn_confine_die("cannot create the Landlock ruleset: %m");
    size_t n = 0;
    const SnPolicyLandlockRule *rules = sn_policy_blob_landlock_rules(blob, &n);
    for (size_t i = 0; i < n; i++) {
        const char *path = sn_policy_blob_landlock_path(blob, &rules[i]);
        _sn_free_ char *full = NULL;
        _sn_close_ int fd = -1;
        if (rules[i].anchor == SN_POLICY_ANCHOR_RUNTIME) {
            fd = open_runtime_rule(runtime_dir, uid, path);
            if (fd < 0)
                continue;
        } else if (rules[i].anchor == SN_POLICY_ANCHOR_HOME) {
            if (!home)
                continue;
            full = sn_strdup_printf("%s/%s", home, path);
            if (!full)
                sn_confine_die("out of memory");
            path = full;
        }
        if (fd < 0)
            fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT)
                continue;
            sn_confine_die("cannot open %s for a Landlock rule: %m", path);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
            sn_confine_die("cannot stat %s: %m", path);
        uint64_t access = rules[i].access & attr.handled_access_fs;
        if (!S_ISDIR(st.st_mode))
            access &= SN_LL_FS_FILE_RIGHTS;
        if (!access)
            continue;
        struct sn_path_beneath_attr pb = {.allowed_access = access, .parent_fd = fd};
        if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
            sn_confine_die("cannot add the Landlock rule for %s: %m", path);
    }
    if (sn_faulty("landlock-restrict") || syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
        sn_confine_die("cannot enforce the Landlock ruleset: %m");
}
