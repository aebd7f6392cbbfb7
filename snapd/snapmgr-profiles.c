/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The snap manager's security-profile tasks: setup-profiles compiles a revision's baseline policy
 * (policy/'s setup-profiles: seccomp, Landlock, devices, AppArmor text) before it is linked;
 * remove-profiles removes a snap's; their undo brings back the profiles of the revision that stays.
 */
#include <errno.h>
#include <stdlib.h>

#include "ifacestate.h"
#include "read-snap.h"
#include "sandbox-features.h"
#include "setup-profiles.h"
#include "snapmgr-internal.h"
#include "strutil.h"

static uint32_t policy_flags(void)
{
    SnSandboxProbe p = {0};
    uint32_t flags = 0;
    if (sn_sandbox_probe(NULL, -1, &p) >= 0 && p.landlock_abi < 1)
        flags |= SN_POLICY_FLAG_LANDLOCK_OPTIONAL;
    sn_sandbox_probe_done(&p);
    return flags;
}

/*
 * Compiles the baseline profiles (no connections yet: the interface manager's auto-connect adds
 * their grants once the revision is linked) of every app and hook of name at rev, read from its
 * mount. Compiles everything before writing anything (sn_policy_setup_profiles).
 */
static int compile_profiles(SnSnapMgr *m, const char *name, int64_t rev, SnError **reterr)
{
    char rb[24];
    _sn_free_ char *dir = snapmgr_mount_dir(m, name, rev);
    if (!dir)
        return -ENOMEM;
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    _sn_strv_free_ char **implicit = NULL;
    int r = sn_policy_read_snap(dir, &info, &implicit, reterr);
    if (r < 0)
        return r;
    SnPolicySetup setup = {
        .info = info,
        .instance_name = name,
        .revision = sn_revision_format(rev, rb),
        .implicit_hooks = implicit,
        .flags = policy_flags(),
    };
    return sn_policy_setup_profiles(m->root, &setup, NULL, reterr);
}

/*
 * The baseline of the revision being set up; then, when that revision is already the current one
 * (snap enable: the chain has no auto-connect), its connections' grants and content mounts from the
 * interface manager. Without them an enabled snap ran on the baseline alone: the connections were
 * still in the state, but network-bind, content and the rest granted nothing until the next connect.
 * An install, refresh or revert sets up a revision that is not current yet: auto-connect, after
 * link-snap, regenerates its profiles with the connections.
 */
int snapmgr_do_setup_profiles(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    r = compile_profiles(m, su.name, su.revision, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = snapmgr_get_state(m, su.name, &s, reterr);
    if (r < 0)
        return r;
    if (!s || s->current != su.revision)
        return 0;
    return sn_ifacestate_setup_profiles(m->st, su.name, reterr);
}

/* Back to the profiles of the revision that stays (none when the snap goes). */
int snapmgr_restore_profiles(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = snapmgr_get_state(m, su.name, &s, reterr);
    if (r < 0)
        return r;
    if (!s || s->current == 0)
        return sn_policy_remove_profiles(m->root, su.name, reterr);
    /*
     * The staying revision's baseline, then its connections' grants from the interface manager: a
     * refresh undone must leave the profiles the old revision had (network-bind and the like), not a
     * baseline that denies what its services were connected for.
     */
    r = compile_profiles(m, su.name, s->current, reterr);
    return r < 0 ? r : sn_ifacestate_setup_profiles(m->st, su.name, reterr);
}

int snapmgr_do_remove_profiles(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    return r < 0 ? r : sn_policy_remove_profiles(m->root, su.name, reterr);
}
