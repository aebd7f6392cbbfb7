/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "sandbox-features.h"
#include "strutil.h"

Test(sandbox_features, formats_like_snapd_with_aligned_columns)
{
    char *actions[] = {"kill_process", "errno", "log", "allow", NULL};
    SnSandboxProbe p = {
        .landlock_abi = 7, .seccomp = true, .seccomp_actions = actions, .devices_v1 = true, .mount_ns = true};
    _sn_free_ char *out = sn_sandbox_features_format(&p);
    cr_assert_str_eq(out, "confinement:          strict\n"
                          "confinement-options:  devmode strict\n"
                          "landlock:             abi:7 fs net scope\n"
                          "mount:                mount-namespace per-snap-persistency private-tmpfs "
                          "stale-base-invalidation\n"
                          "seccomp:              bpf-actions:allow bpf-actions:errno bpf-actions:log "
                          "bpf-argument-filtering kernel:kill_process kernel:errno kernel:log kernel:allow\n"
                          "udev:                 device-cgroup-v1\n");
}

Test(sandbox_features, neither_apparmor_nor_landlock_is_partial)
{
    SnSandboxProbe p = {.seccomp = true, .mount_ns = true};
    cr_assert_not(sn_sandbox_full(&p));
    _sn_free_ char *out = sn_sandbox_features_format(&p);
    cr_assert(strstr(out, "confinement:          partial\n"), "%s", out);
    cr_assert(strstr(out, "confinement-options:  devmode\n"), "%s", out);
    cr_assert_null(strstr(out, "landlock:"));
    cr_assert_null(strstr(out, "apparmor:"));
    cr_assert_null(strstr(out, "udev:"));
    cr_assert_not(sn_sandbox_has_feature(&p, "confinement-options:strict"));

    SnSandboxProbe aa = {.apparmor = true, .seccomp = true, .mount_ns = true};
    cr_assert(sn_sandbox_full(&aa), "AppArmor alone confines files");
    _sn_free_ char *aaout = sn_sandbox_features_format(&aa);
    cr_assert(strstr(aaout, "apparmor:             policy:default support-level:full\n"), "%s", aaout);
    SnSandboxProbe noseccomp = {.landlock_abi = 3, .mount_ns = true};
    cr_assert_not(sn_sandbox_full(&noseccomp));
}

Test(sandbox_features, landlock_tags_follow_the_abi)
{
    SnSandboxProbe p = {.landlock_abi = 3, .seccomp = true, .mount_ns = true};
    _sn_free_ char *l3 = sn_sandbox_backend_features(&p, "landlock");
    cr_assert_str_eq(l3, "abi:3 fs");
    p.landlock_abi = 4;
    _sn_free_ char *l4 = sn_sandbox_backend_features(&p, "landlock");
    cr_assert_str_eq(l4, "abi:4 fs net");
    cr_assert(sn_sandbox_has_feature(&p, "landlock:net"));
    cr_assert(sn_sandbox_has_feature(&p, "confinement-options:strict"));
    cr_assert_not(sn_sandbox_has_feature(&p, "landlock:scope"));
    cr_assert_not(sn_sandbox_has_feature(&p, "landlock:ne"));
    cr_assert_not(sn_sandbox_has_feature(&p, "landlock"));
    cr_assert_not(sn_sandbox_has_feature(&p, "nosuch:x"));
    cr_assert_null(sn_sandbox_backend_features(&p, "nosuch"));
}

static void put(const char *root, const char *rel, const char *text)
{
    _sn_free_ char *p = sn_strdup_printf("%s%s", root, rel);
    _sn_free_ char *dir = strdup(p);
    *strrchr(dir, '/') = '\0';
    cr_assert_eq(sn_mkdir_p(dir, 0755), 0);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, p, text, strlen(text), 0644), 0);
}

Test(sandbox_features, probes_a_fake_tree)
{
    char root[] = "/tmp/sn-sysroot-XXXXXX";
    cr_assert_not_null(mkdtemp(root));
    put(root, "/sys/module/apparmor/parameters/enabled", "Y\n");
    put(root, "/sys/kernel/security/apparmor/features/mount/x", "");
    put(root, "/sys/kernel/security/apparmor/features/caps/x", "");
    put(root, "/proc/sys/kernel/seccomp/actions_avail", "kill_process errno allow\n");
    put(root, "/proc/self/ns/mnt", "");
    SnSandboxProbe p = {0};
    cr_assert_eq(sn_sandbox_probe(root, 0, &p), 0);
    cr_assert(p.apparmor);
    cr_assert_eq(p.landlock_abi, 0);
    cr_assert_not(p.devices_v1, "a tmpfs directory is not the devices controller");
    _sn_free_ char *aa = sn_sandbox_backend_features(&p, "apparmor");
    cr_assert_str_eq(aa, "kernel:caps kernel:mount policy:default support-level:full");
    _sn_free_ char *sc = sn_sandbox_backend_features(&p, "seccomp");
    cr_assert(sn_endswith(sc, " kernel:kill_process kernel:errno kernel:allow"), "%s", sc);
    cr_assert(sn_sandbox_full(&p));
    sn_sandbox_probe_done(&p);

    put(root, "/sys/module/apparmor/parameters/enabled", "N\n");
    cr_assert_eq(sn_sandbox_probe(root, 0, &p), 0);
    cr_assert_not(p.apparmor);
    cr_assert_not(sn_sandbox_full(&p), "no AppArmor and no Landlock: partial");
    sn_sandbox_probe_done(&p);
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

Test(sandbox_features, probes_this_kernel)
{
    SnSandboxProbe p = {0};
    cr_assert_eq(sn_sandbox_probe(NULL, -1, &p), 0);
    cr_assert(p.mount_ns);
    cr_assert(p.seccomp);
    cr_assert_geq(p.landlock_abi, 0);
    sn_sandbox_probe_done(&p);
}
