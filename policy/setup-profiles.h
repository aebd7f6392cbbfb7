/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The daemon's setup-profiles step: for every app and hook of one snap revision, compile the policy
 * blob (seccomp, Landlock, devices, exec description) and the AppArmor profile text, and write them
 * where snap-confine and snapd's tools look:
 *
 *   $ROOT/var/lib/snapd/policy/snap.NAME.APP.policy            the blob snap-confine and snap-exec load
 *   $ROOT/var/lib/snapd/apparmor/profiles/snap.NAME.APP        AppArmor source, as snapd names it
 *
 * (hooks: snap.NAME.hook.HOOK). The blob is not snapd's .bin2 (it carries Landlock, device and exec
 * sections too), so it has its own directory instead of /var/lib/snapd/seccomp/bpf/. Files are
 * written 0644 with temp -> fsync -> rename -> fsync(dir); they are root-owned because the daemon
 * runs as root, and snap-confine refuses them otherwise.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "policy-build.h"
#include "snap-yaml.h"

#define SN_POLICY_DIR "/var/lib/snapd/policy"
#define SN_APPARMOR_PROFILES_DIR "/var/lib/snapd/apparmor/profiles"

typedef struct SnPolicySetup {
    const SnSnapInfo *info;      /* the revision's parsed snap.yaml; required */
    const char *instance_name;   /* NAME or NAME_KEY; NULL means info->name */
    const char *revision;        /* "12" or "x1"; required */
    char *const *implicit_hooks; /* hooks present in meta/hooks but not declared in snap.yaml; may be NULL */
    const SnPolicyGrant *grants; /* what the snap's connections add (issue 6); may be NULL */
    size_t n_grants;
    const SnPolicyMountGrant *mounts; /* the snap's content mounts, put in every blob; may be NULL */
    size_t n_mounts;
    uint32_t flags;       /* extra SN_POLICY_FLAG_* for every blob, e.g. LANDLOCK_OPTIONAL where the kernel has none */
    const char *dev_root; /* where the permanent grants look up device nodes (tests); NULL: the host's /dev */
} SnPolicySetup;

/*
 * Every app and hook gets, besides the grants passed in, the permanent grants of the plugs and
 * slots of the snap bound to it (sn_iface_grants_add_snap_permanent: an audio-playback slot's
 * server reaches the sound devices with or without a client), so the baseline compiled before any
 * connection has them too.
 *
 * Compiles everything first, then writes: a compile error (-EINVAL or -EFBIG, message naming the app
 * or hook) leaves the files on disk as they were. Then removes this snap's blobs and profiles that the
 * revision no longer has (an app dropped by a refresh). root is "" or $SNAPPY_GLOBAL_ROOT (NULL: "").
 * On success returns 0 and, when ret_tags is not NULL, the security tags written (free with
 * sn_strv_free). I/O errors return -errno with the path in the message; files already replaced stay
 * replaced (each file is atomic, the set is not: the caller's undo runs setup for the old revision).
 */
int sn_policy_setup_profiles(const char *root, const SnPolicySetup *setup, char ***ret_tags, SnError **reterr);

/*
 * Removes every blob and AppArmor profile of the snap instance (remove-profiles). Missing files and
 * directories are fine. Returns 0 or -errno (-EINVAL for an invalid instance name).
 */
int sn_policy_remove_profiles(const char *root, const char *instance_name, SnError **reterr);
