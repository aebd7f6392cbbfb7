/* SPDX-License-Identifier: GPL-3.0-only */
#include "sandbox-features.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fd-util.h"
#include "macros.h"
#include "strutil.h"

#define SN_CGROUP_SUPER_MAGIC 0x27e0eb
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif

const char *const sn_sandbox_backends[] = {
    "apparmor", "confinement", "confinement-options", "landlock", "mount", "seccomp", "udev", NULL,
};

static char *path_in(const char *sysroot, const char *path)
{
    return sn_strdup_printf("%s%s", sysroot ? sysroot : "", path);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Splits s on whitespace into *v (appending). */
static int split_words(const char *s, char ***v)
{
    while (*s) {
        size_t skip = strspn(s, " \t\n");
        s += skip;
        size_t n = strcspn(s, " \t\n");
        if (n == 0)
            break;
        _sn_free_ char *w = strndup(s, n);
        if (!w || sn_strv_push(v, w) < 0)
            return -ENOMEM;
        s += n;
    }
    return 0;
}

static int list_dir(const char *path, char ***ret)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int r = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        if (sn_strv_push(ret, de->d_name) < 0) {
            r = -ENOMEM;
            break;
        }
    }
    closedir(d);
    size_t n = sn_strv_length(*ret);
    if (n > 1)
        qsort(*ret, n, sizeof(char *), cmp_str);
    return r;
}

int sn_sandbox_probe(const char *sysroot, int landlock_override, SnSandboxProbe *ret)
{
    SnSandboxProbe p = {0};
    _sn_free_ char *aa_enabled = path_in(sysroot, "/sys/module/apparmor/parameters/enabled");
    _sn_free_ char *aa_features = path_in(sysroot, "/sys/kernel/security/apparmor/features");
    _sn_free_ char *sc_actions = path_in(sysroot, "/proc/sys/kernel/seccomp/actions_avail");
    _sn_free_ char *devices = path_in(sysroot, "/sys/fs/cgroup/devices");
    _sn_free_ char *mntns = path_in(sysroot, "/proc/self/ns/mnt");
    if (!aa_enabled || !aa_features || !sc_actions || !devices || !mntns)
        return -ENOMEM;

    _sn_free_ char *text = NULL;
    if (sn_read_file_at(AT_FDCWD, aa_enabled, 64, &text, NULL) >= 0 && text[0] == 'Y')
        p.apparmor = true;
    int r = 0;
    if (p.apparmor)
        r = list_dir(aa_features, &p.apparmor_features);
    free(text);
    text = NULL;
    if (r >= 0 && sn_read_file_at(AT_FDCWD, sc_actions, 4096, &text, NULL) >= 0) {
        p.seccomp = true;
        r = split_words(text, &p.seccomp_actions);
    }
    if (r < 0) {
        sn_sandbox_probe_done(&p);
        return r;
    }
    struct statfs sfs;
    p.devices_v1 = statfs(devices, &sfs) == 0 && sfs.f_type == SN_CGROUP_SUPER_MAGIC;
    p.mount_ns = access(mntns, F_OK) == 0;
    if (landlock_override >= 0) {
        p.landlock_abi = landlock_override;
    } else {
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1 /* LANDLOCK_CREATE_RULESET_VERSION */);
        p.landlock_abi = abi < 0 ? 0 : (int)abi;
    }
    *ret = p;
    return 0;
}

void sn_sandbox_probe_done(SnSandboxProbe *p)
{
    sn_strv_free(p->apparmor_features);
    sn_strv_free(p->seccomp_actions);
    *p = (SnSandboxProbe){0};
}

bool sn_sandbox_full(const SnSandboxProbe *p)
{
    return (p->apparmor || p->landlock_abi >= 1) && p->seccomp && p->mount_ns;
}

char *sn_sandbox_backend_features(const SnSandboxProbe *p, const char *backend)
{
    SnBuf b = {0};
    if (SN_STREQ(backend, "apparmor")) {
        if (!p->apparmor)
            return NULL;
        for (char **f = p->apparmor_features; f && *f; f++)
            sn_buf_printf(&b, "kernel:%s ", *f);
        sn_buf_puts(&b, "policy:default support-level:full");
    } else if (SN_STREQ(backend, "confinement")) {
        sn_buf_puts(&b, sn_sandbox_full(p) ? "strict" : "partial");
    } else if (SN_STREQ(backend, "confinement-options")) {
        sn_buf_puts(&b, sn_sandbox_full(p) ? "devmode strict" : "devmode");
    } else if (SN_STREQ(backend, "landlock")) {
        if (p->landlock_abi < 1)
            return NULL;
        sn_buf_printf(&b, "abi:%d fs%s%s", p->landlock_abi, p->landlock_abi >= 4 ? " net" : "",
                      p->landlock_abi >= 6 ? " scope" : "");
    } else if (SN_STREQ(backend, "mount")) {
        if (!p->mount_ns)
            return NULL;
        sn_buf_puts(&b, "mount-namespace per-snap-persistency private-tmpfs stale-base-invalidation");
    } else if (SN_STREQ(backend, "seccomp")) {
        if (!p->seccomp)
            return NULL;
        sn_buf_puts(&b, "bpf-actions:allow bpf-actions:errno bpf-actions:log bpf-argument-filtering");
        for (char **a = p->seccomp_actions; a && *a; a++)
            sn_buf_printf(&b, " kernel:%s", *a);
    } else if (SN_STREQ(backend, "udev")) {
        if (!p->devices_v1)
            return NULL;
        sn_buf_puts(&b, "device-cgroup-v1");
    } else {
        return NULL;
    }
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return NULL;
    }
    return sn_buf_steal(&b);
}

char *sn_sandbox_features_format(const SnSandboxProbe *p)
{
    size_t width = 0;
    for (const char *const *k = sn_sandbox_backends; *k; k++)
        width = SN_MAX(width, strlen(*k) + 1);
    SnBuf b = {0};
    for (const char *const *k = sn_sandbox_backends; *k; k++) {
        _sn_free_ char *f = sn_sandbox_backend_features(p, *k);
        if (!f)
            continue;
        sn_buf_printf(&b, "%s:%*s%s\n", *k, (int)(width - strlen(*k) - 1 + 2), "", f);
    }
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return NULL;
    }
    if (!b.data)
        return strdup("");
    return sn_buf_steal(&b);
}

bool sn_sandbox_has_feature(const SnSandboxProbe *p, const char *backend_feature)
{
    const char *colon = strchr(backend_feature, ':');
    if (!colon)
        return false;
    _sn_free_ char *backend = strndup(backend_feature, (size_t)(colon - backend_feature));
    _sn_free_ char *f = backend ? sn_sandbox_backend_features(p, backend) : NULL;
    if (!f)
        return false;
    const char *want = colon + 1;
    size_t n = strlen(want);
    for (const char *s = f; *s;) {
        size_t len = strcspn(s, " ");
        if (len == n && strncmp(s, want, n) == 0)
            return true;
        s += len;
        s += strspn(s, " ");
    }
    return false;
}
