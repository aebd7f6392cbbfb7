/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * What this kernel lets confinement enforce, for `snap debug sandbox-features` and the daemon's
 * /v2/system-info ("sandbox-features" and "confinement"). Probing reads /proc and /sys and makes one
 * Landlock syscall; formatting is a pure function of the probe, so it is unit-tested.
 *
 * Backends and their tags (snapd's keys where snapd has them, ours where it has none):
 *   apparmor             kernel:FEATURE... policy:default support-level:full   (only where enabled)
 *   confinement          strict | partial   (partial: neither AppArmor nor Landlock to confine files)
 *   confinement-options  devmode strict     (devmode only when partial; classic is not supported yet)
 *   landlock             abi:N fs [net] [scope]                                  (only where present)
 *   mount                mount-namespace per-snap-persistency private-tmpfs stale-base-invalidation
 *   seccomp              bpf-actions:allow bpf-actions:errno bpf-actions:log bpf-argument-filtering
 *                        kernel:ACTION... (from /proc/sys/kernel/seccomp/actions_avail)
 *   udev                 device-cgroup-v1   (only where the v1 devices controller is mounted)
 */
#pragma once

#include <stdbool.h>

typedef struct SnSandboxProbe {
    bool apparmor;            /* /sys/module/apparmor/parameters/enabled says Y */
    char **apparmor_features; /* entries of /sys/kernel/security/apparmor/features (sorted), may be NULL */
    int landlock_abi;         /* 0 when the kernel has no Landlock */
    bool seccomp;             /* the kernel has seccomp filters */
    char **seccomp_actions;   /* /proc/sys/kernel/seccomp/actions_avail, split; may be NULL */
    bool devices_v1;          /* /sys/fs/cgroup/devices is a cgroup v1 hierarchy */
    bool mount_ns;            /* /proc/self/ns/mnt exists */
} SnSandboxProbe;

/*
 * Probes the running kernel. sysroot prefixes the /proc and /sys paths read ("" or NULL for the real
 * ones; tests pass a fake tree); Landlock is always asked of the running kernel unless
 * landlock_override >= 0, which is used instead. Returns 0 (a missing file means "absent") or -ENOMEM.
 * Release with sn_sandbox_probe_done.
 */
int sn_sandbox_probe(const char *sysroot, int landlock_override, SnSandboxProbe *ret);
void sn_sandbox_probe_done(SnSandboxProbe *p);

/* Whether the probe allows full strict confinement (AppArmor or Landlock, plus seccomp and mount ns). */
bool sn_sandbox_full(const SnSandboxProbe *p);

/*
 * The feature tags of backend (one of the keys above) as one space-separated string, or NULL when the
 * backend is absent (caller frees; NULL also on ENOMEM). sn_sandbox_backends lists the keys, sorted.
 */
char *sn_sandbox_backend_features(const SnSandboxProbe *p, const char *backend);
extern const char *const sn_sandbox_backends[];

/*
 * snapd's output: one "backend:" line per present backend, sorted, the tags aligned in a column two
 * spaces after the longest key (snapd's tabwriter). Caller frees; NULL on ENOMEM.
 */
char *sn_sandbox_features_format(const SnSandboxProbe *p);

/* Whether "backend:feature" is available (snapd's --required). */
bool sn_sandbox_has_feature(const SnSandboxProbe *p, const char *backend_feature);
