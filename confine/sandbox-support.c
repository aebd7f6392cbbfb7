/* SPDX-License-Identifier: GPL-3.0-only */
#include "sandbox-support.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fault.h"
#include "fd-util.h"
#include "privs.h"
#include "trusted-path.h"

#define SN_CGROUP_SUPER_MAGIC 0x27e0eb

static void load_filter(const void *insns, size_t count, const char *what)
{
    struct sock_fprog prog = {.len = (unsigned short)count, .filter = (struct sock_filter *)insns};
    if (sn_faulty("seccomp") || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        sn_confine_die("cannot load the seccomp %s filter: %m", what);
}

void sn_confine_apply_seccomp(const SnPolicyBlob *blob)
{
    if (blob->header->flags & SN_POLICY_FLAG_UNRESTRICTED)
        return;
    size_t n = 0;
    const void *deny = sn_policy_blob_seccomp_deny(blob, &n);
    if (deny)
        load_filter(deny, n, "deny");
    const void *allow = sn_policy_blob_seccomp_allow(blob, &n);
    if (!allow)
        sn_confine_die("the policy has no seccomp allow filter");
    load_filter(allow, n, "allow");
}

int sn_confine_apparmor_enabled(void)
{
    if (sn_faulty("apparmor-detect"))
        return -EMFILE;
    _sn_close_ int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ENOENT ? 0 : sn_negative_errno();
    char c = 0;
    ssize_t n = read(fd, &c, 1);
    if (n != 1)
        return n < 0 ? sn_negative_errno() : -EIO;
    return c == 'Y' ? 1 : 0;
}

void sn_confine_apparmor_change_onexec(const char *tag)
{
    _sn_free_ char *profiles = NULL;
    int r = sn_read_file_at(AT_FDCWD, "/sys/kernel/security/apparmor/profiles", 4 << 20, &profiles, NULL);
    if (r < 0)
        sn_confine_die("AppArmor is enabled but its profiles cannot be listed: %s", strerror(-r));
    _sn_free_ char *want = NULL;
    if (asprintf(&want, "%s (enforce)\n", tag) < 0)
        sn_confine_die("out of memory");
    const char *p = profiles;
    bool found = false;
    while (p && *p) {
        if (strncmp(p, want, strlen(want)) == 0) {
            found = true;
            break;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!found)
        sn_confine_die("AppArmor is enabled but the profile %s is not loaded in enforce mode", tag);
    if (aa_change_onexec(tag) < 0)
        sn_confine_die("cannot change the AppArmor profile on exec to %s: %m", tag);
}

static void write_line(int dirfd, const char *file, const char *text)
{
    _sn_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || sn_write_all(fd, text, strlen(text)) < 0)
        sn_confine_die("cannot write \"%s\" to the device cgroup's %s: %m", text, file);
}

bool sn_confine_apply_device_cgroup(const SnPolicyBlob *blob, const char *tag)
{
    if (blob->header->flags & SN_POLICY_FLAG_DEVICES_SELF_MANAGED)
        return true;
    _sn_close_ int hier = open("/sys/fs/cgroup/devices", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct statfs sfs;
    if (hier < 0 || fstatfs(hier, &sfs) < 0 || sfs.f_type != SN_CGROUP_SUPER_MAGIC)
        return false;
    if (mkdirat(hier, tag, 0755) < 0 && errno != EEXIST)
        sn_confine_die("cannot create the device cgroup %s: %m", tag);
    SnError *err = NULL;
    int dir = sn_confine_open_trusted_dir(hier, tag, false, &err);
    if (dir < 0)
        sn_confine_die_error(err, dir, "device cgroup");
    _sn_close_ int dirfd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    sn_safe_close(dir);
    if (dirfd < 0)
        sn_confine_die("cannot open the device cgroup %s: %m", tag);
    write_line(dirfd, "devices.deny", "a");
    size_t n = 0;
    const SnPolicyDeviceRule *rules = sn_policy_blob_device_rules(blob, &n);
    for (size_t i = 0; i < n; i++) {
        char maj[16] = "*", min[16] = "*", acc[4] = "";
        if (rules[i].major >= 0)
            snprintf(maj, sizeof(maj), "%d", rules[i].major);
        if (rules[i].minor >= 0)
            snprintf(min, sizeof(min), "%d", rules[i].minor);
        size_t k = 0;
        if (rules[i].access & SN_POLICY_DEV_READ)
            acc[k++] = 'r';
        if (rules[i].access & SN_POLICY_DEV_WRITE)
            acc[k++] = 'w';
        if (rules[i].access & SN_POLICY_DEV_MKNOD)
            acc[k++] = 'm';
        char line[64];
        snprintf(line, sizeof(line), "%c %s:%s %s", rules[i].type, maj, min, acc);
        write_line(dirfd, "devices.allow", line);
    }
    char pid[32];
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    write_line(dirfd, "cgroup.procs", pid);
    return true;
}
