/* SPDX-License-Identifier: GPL-3.0-only */
#include "sandbox-support.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
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

int sn_confine_apparmor_set_exec(int attrfd, const char *tag)
{
    char buf[SN_POLICY_BLOB_MAX_PATH + 8];
    int n = snprintf(buf, sizeof(buf), "exec %s", tag);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return -ENAMETOOLONG;
    /* The LSM-stacking interface first (kernels >= 5.8), then the one every AppArmor kernel has. */
    _sn_close_ int fd = openat(attrfd, "apparmor/exec", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
        fd = openat(attrfd, "exec", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return sn_negative_errno();
    if (sn_faulty("apparmor-exec"))
        return -EACCES;
    /* One write: the kernel parses the command from exactly what one write() hands it. */
    ssize_t w = write(fd, buf, (size_t)n);
    if (w < 0)
        return sn_negative_errno();
    return w == n ? 0 : -EIO;
}

bool sn_confine_apparmor_profile_enforced(const char *profiles, const char *tag)
{
    size_t n = strlen(tag);
    for (const char *p = profiles; p && *p;) {
        if (strncmp(p, tag, n) == 0 && strncmp(p + n, " (enforce)\n", 11) == 0)
            return true;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return false;
}

void sn_confine_apparmor_check_profile(const char *tag)
{
    /* The list is readable by root only (uid or gid 0): this runs before the drop. */
    _sn_free_ char *profiles = NULL;
    int r = sn_read_file_at(AT_FDCWD, "/sys/kernel/security/apparmor/profiles", 4 << 20, &profiles, NULL);
    if (r < 0)
        sn_confine_die("AppArmor is enabled but its profiles cannot be listed: %s", strerror(-r));
    if (!sn_confine_apparmor_profile_enforced(profiles, tag))
        sn_confine_die("AppArmor is enabled but the profile %s is not loaded in enforce mode", tag);
}

void sn_confine_apparmor_change_onexec(const char *tag)
{
    /* What libapparmor's aa_change_onexec() does, without linking it (issue 5: snap-confine needs libc only). */
    _sn_close_ int attr = open("/proc/thread-self/attr", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (attr < 0)
        sn_confine_die("cannot open /proc/thread-self/attr: %m");
    int r = sn_confine_apparmor_set_exec(attr, tag);
    if (r < 0)
        sn_confine_die("cannot change the AppArmor profile on exec to %s: %s", tag, strerror(-r));
}

static void write_line(int dirfd, const char *file, const char *text)
{
    _sn_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || sn_write_all(fd, text, strlen(text)) < 0)
        sn_confine_die("cannot write \"%s\" to the device cgroup's %s: %m", text, file);
}

/* One rule as the controller takes and shows it: "c 1:3 rwm" (access letters in the kernel's order). */
static void format_rule(const SnPolicyDeviceRule *rule, uint8_t access, char line[64])
{
    char maj[16] = "*", min[16] = "*", acc[4] = "";
    if (rule->major >= 0)
        snprintf(maj, sizeof(maj), "%d", rule->major);
    if (rule->minor >= 0)
        snprintf(min, sizeof(min), "%d", rule->minor);
    size_t k = 0;
    if (access & SN_POLICY_DEV_READ)
        acc[k++] = 'r';
    if (access & SN_POLICY_DEV_WRITE)
        acc[k++] = 'w';
    if (access & SN_POLICY_DEV_MKNOD)
        acc[k++] = 'm';
    snprintf(line, 64, "%c %s:%s %s", rule->type, maj, min, acc);
}

static bool same_device(const SnPolicyDeviceRule *a, const SnPolicyDeviceRule *b)
{
    return a->type == b->type && a->major == b->major && a->minor == b->minor;
}

ssize_t sn_confine_device_list_expected(const SnPolicyDeviceRule *rules, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    if (size == 0)
        return -E2BIG;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (rules[i].type != 'c' && rules[i].type != 'b')
            return -EINVAL;
        /* The controller merges an allow into the first exception with the same type and numbers. */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same_device(&rules[j], &rules[i]);
        if (seen)
            continue;
        uint8_t access = 0;
        for (size_t j = i; j < n; j++)
            if (same_device(&rules[j], &rules[i]))
                access |= rules[j].access;
        char line[64];
        format_rule(&rules[i], access, line);
        size_t l = strlen(line);
        if (len + l + 2 > size)
            return -E2BIG;
        memcpy(buf + len, line, l);
        buf[len + l] = '\n';
        len += l + 1;
        buf[len] = '\0';
    }
    return (ssize_t)len;
}

/* Whether the cgroup's devices.list is exactly want (the rules are already in place). */
static bool device_list_is(int dirfd, const char *want, size_t want_len)
{
    _sn_close_ int fd = openat(dirfd, "devices.list", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    char have[SN_DEVICE_LIST_MAX];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, have + len, sizeof(have) - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return false;
        if (r == 0)
            break;
        len += (size_t)r;
        if (len == sizeof(have))
            return false;
    }
    return len == want_len && memcmp(have, want, len) == 0;
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
    size_t n = 0;
    const SnPolicyDeviceRule *rules = sn_policy_blob_device_rules(blob, &n);
    /*
     * The cgroup outlives a launch: when it already holds exactly these rules (an earlier launch of
     * the same policy wrote them), rewriting them only costs time and, between the "a" denial and the
     * last allow, takes devices away from the snap's running processes. Anything else is rewritten.
     */
    char want[SN_DEVICE_LIST_MAX];
    ssize_t want_len = sn_confine_device_list_expected(rules, n, want, sizeof(want));
    if (want_len < 0 || sn_faulty("device-list") || !device_list_is(dirfd, want, (size_t)want_len)) {
        write_line(dirfd, "devices.deny", "a");
        for (size_t i = 0; i < n; i++) {
            char line[64];
            format_rule(&rules[i], rules[i].access, line);
            write_line(dirfd, "devices.allow", line);
        }
    }
    char pid[32];
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    write_line(dirfd, "cgroup.procs", pid);
    return true;
}
