/* SPDX-License-Identifier: GPL-3.0-only */
#include "run-env.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "naming.h"
#include "policy-build.h"
#include "strutil.h"

const char *sn_run_env_arch(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__arm__)
    return "armhf";
#elif defined(__i386__)
    return "i386";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return "ppc64el";
#elif defined(__s390x__)
    return "s390x";
#else
    return "unknown";
#endif
}

const char *const sn_run_env_unsafe[] = {
    "GCONV_PATH",       "GETCONF_DIR",     "GLIBC_TUNABLES",  "HOSTALIASES",   "LD_AUDIT",
    "LD_DEBUG",         "LD_DEBUG_OUTPUT", "LD_DYNAMIC_WEAK", "LD_HWCAP_MASK", "LD_LIBRARY_PATH",
    "LD_ORIGIN_PATH",   "LD_PRELOAD",      "LD_PROFILE",      "LD_SHOW_AUXV",  "LD_USE_LOAD_BIAS",
    "LOCALDOMAIN",      "LOCPATH",         "MALLOC_TRACE",    "NIS_PATH",      "NLSPATH",
    "RESOLV_HOST_CONF", "RES_OPTIONS",     "TMPDIR",          "TZDIR",         NULL,
};

static bool is_unsafe(const char *kv, size_t keylen)
{
    for (const char *const *u = sn_run_env_unsafe; *u; u++)
        if (strlen(*u) == keylen && strncmp(*u, kv, keylen) == 0)
            return true;
    return false;
}

/* Sets key=value in *env, replacing an entry with the same key. */
static int env_set(char ***env, const char *key, const char *value)
{
    _sn_free_ char *kv = sn_strdup_printf("%s=%s", key, value);
    if (!kv)
        return -ENOMEM;
    size_t klen = strlen(key);
    for (char **e = *env; e && *e; e++)
        if (strncmp(*e, key, klen) == 0 && (*e)[klen] == '=') {
            free(*e);
            *e = SN_TAKE_PTR(kv);
            return 0;
        }
    return sn_strv_push(env, kv);
}

int sn_run_env_build(char *const *base, const SnRunEnvInput *in, char ***ret_env)
{
    const char *instance = in->instance_name;
    if (!instance || !sn_name_instance_valid(instance) || !sn_policy_revision_valid(in->revision))
        return -EINVAL;
    _sn_strv_free_ char **env = NULL;
    for (char *const *e = base; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        if (is_unsafe(*e, (size_t)(eq - *e))) {
            _sn_free_ char *saved = sn_strdup_printf("SNAP_SAVED_%s", *e);
            if (!saved || sn_strv_push(&env, saved) < 0)
                return -ENOMEM;
        } else if (sn_strv_push(&env, *e) < 0) {
            return -ENOMEM;
        }
    }
    if (!env && !(env = calloc(1, sizeof(char *))))
        return -ENOMEM;

    const char *us = strchr(instance, '_');
    _sn_free_ char *name = strndup(instance, us ? (size_t)(us - instance) : strlen(instance));
    _sn_free_ char *snap = sn_strdup_printf("/snap/%s/%s", name, in->revision);
    _sn_free_ char *data = sn_strdup_printf("/var/snap/%s/%s", name, in->revision);
    _sn_free_ char *common = sn_strdup_printf("/var/snap/%s/common", name);
    _sn_free_ char *uid = sn_strdup_printf("%u", (unsigned)in->uid);
    _sn_free_ char *euid = sn_strdup_printf("%u", (unsigned)in->euid);
    _sn_free_ char *xdg = sn_strdup_printf("/run/user/%u/snap.%s", (unsigned)in->euid, instance);
    if (!name || !snap || !data || !common || !uid || !euid || !xdg)
        return -ENOMEM;
    struct {
        const char *key, *value;
    } vars[] = {
        {"SNAP", snap},
        {"SNAP_COMMON", common},
        {"SNAP_DATA", data},
        {"SNAP_NAME", name},
        {"SNAP_INSTANCE_NAME", instance},
        {"SNAP_INSTANCE_KEY", us ? us + 1 : ""},
        {"SNAP_VERSION", in->version ? in->version : ""},
        {"SNAP_REVISION", in->revision},
        {"SNAP_ARCH", sn_run_env_arch()},
        {"SNAP_LIBRARY_PATH", "/var/lib/snapd/lib/gl:/var/lib/snapd/lib/gl32:/var/lib/snapd/void"},
        {"SNAP_UID", uid},
        {"SNAP_EUID", euid},
        {"XDG_RUNTIME_DIR", xdg},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(vars); i++)
        if (env_set(&env, vars[i].key, vars[i].value) < 0)
            return -ENOMEM;
    if (in->real_home) {
        _sn_free_ char *udata = sn_strdup_printf("%s/snap/%s/%s", in->real_home, instance, in->revision);
        _sn_free_ char *ucommon = sn_strdup_printf("%s/snap/%s/common", in->real_home, instance);
        if (!udata || !ucommon || env_set(&env, "SNAP_USER_DATA", udata) < 0 ||
            env_set(&env, "SNAP_USER_COMMON", ucommon) < 0 || env_set(&env, "SNAP_REAL_HOME", in->real_home) < 0 ||
            env_set(&env, "HOME", udata) < 0)
            return -ENOMEM;
    }
    *ret_env = SN_TAKE_PTR(env);
    return 0;
}

/* mkdirat + open without following a symlink; the directory must end up owned by us. */
static int make_dir(int parent, const char *name, mode_t mode, const char *what, SnError **reterr)
{
    if (mkdirat(parent, name, mode) < 0 && errno != EEXIST) {
        int r = -errno;
        return sn_error_set(reterr, r, "cannot create %s: %s", what, strerror(-r));
    }
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int r = -errno;
        return sn_error_set(reterr, r, "cannot open %s: %s", what, strerror(-r));
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_uid != geteuid()) {
        close(fd);
        return sn_error_set(reterr, -EPERM, "%s is not owned by the calling user", what);
    }
    return fd;
}

int sn_run_make_user_dirs(const char *home, const char *instance, const char *revision, SnError **reterr)
{
    if (!home || home[0] != '/' || !instance || !sn_name_instance_valid(instance) ||
        !sn_policy_revision_valid(revision))
        return sn_error_set(reterr, -EINVAL, "cannot create the user data directories: invalid input");
    _sn_close_ int homefd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (homefd < 0) {
        int r = -errno;
        return sn_error_set(reterr, r, "cannot open the home directory %s: %s", home, strerror(-r));
    }
    _sn_close_ int snapdir = make_dir(homefd, "snap", 0700, "~/snap", reterr);
    if (snapdir < 0)
        return snapdir;
    _sn_close_ int inst = make_dir(snapdir, instance, 0755, "~/snap/INSTANCE", reterr);
    if (inst < 0)
        return inst;
    _sn_close_ int rev = make_dir(inst, revision, 0755, "~/snap/INSTANCE/REVISION", reterr);
    if (rev < 0)
        return rev;
    _sn_close_ int common = make_dir(inst, "common", 0755, "~/snap/INSTANCE/common", reterr);
    if (common < 0)
        return common;

    char target[64];
    ssize_t n = readlinkat(inst, "current", target, sizeof(target) - 1);
    if (n >= 0) {
        target[n] = '\0';
        if (SN_STREQ(target, revision))
            return 0;
    }
    _sn_free_ char *tmp = sn_strdup_printf(".current.%u", (unsigned)getpid());
    if (!tmp)
        return -ENOMEM;
    (void)unlinkat(inst, tmp, 0);
    if (symlinkat(revision, inst, tmp) < 0 || renameat(inst, tmp, inst, "current") < 0) {
        int r = -errno;
        (void)unlinkat(inst, tmp, 0);
        return sn_error_set(reterr, r, "cannot point ~/snap/%s/current at %s: %s", instance, revision, strerror(-r));
    }
    return 0;
}
