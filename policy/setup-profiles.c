/* SPDX-License-Identifier: GPL-3.0-only */
#include "setup-profiles.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "interfaces.h"
#include "macros.h"
#include "naming.h"
#include "strutil.h"

typedef struct Profile {
    char *tag;
    void *blob;
    size_t blob_len;
    char *apparmor;
} Profile;

typedef struct ProfileSet {
    Profile *items;
    size_t n;
} ProfileSet;

static void profile_set_done(ProfileSet *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->items[i].tag);
        free(set->items[i].blob);
        free(set->items[i].apparmor);
    }
    free(set->items);
    *set = (ProfileSet){0};
}

/* "KEY=VALUE" for the snap's then the entity's environment, in file order. */
static int env_vector(const SnSnapInfo *info, const SnEnvVar *own, size_t n_own, char ***ret)
{
    _sn_strv_free_ char **env = NULL;
    for (size_t i = 0; i < info->n_environment + n_own; i++) {
        const SnEnvVar *v = i < info->n_environment ? &info->environment[i] : &own[i - info->n_environment];
        _sn_free_ char *kv = sn_strdup_printf("%s=%s", v->key, v->value ? v->value : "");
        if (!kv || sn_strv_push(&env, kv) < 0)
            return -ENOMEM;
    }
    *ret = SN_TAKE_PTR(env);
    return 0;
}

static int compile_one(const SnPolicySetup *s, const SnPolicyGrant *grants, size_t n_grants, const char *instance,
                       const char *app, const char *hook, ProfileSet *set, SnError **reterr)
{
    const SnSnapInfo *info = s->info;
    const SnApp *a = app ? sn_snap_info_find_app(info, app) : NULL;
    const SnHook *h = hook ? sn_snap_info_find_hook(info, hook) : NULL;
    _sn_strv_free_ char **env = NULL;
    int r = a ? env_vector(info, a->environment, a->n_environment, &env)
              : env_vector(info, h ? h->environment : NULL, h ? h->n_environment : 0, &env);
    if (r < 0)
        return r;
    SnPolicyInput in = {
        .snap_name = instance,
        .app = app,
        .hook = hook,
        .revision = s->revision,
        .command = a ? a->command : NULL,
        .command_chain = a   ? a->command_chain
                         : h ? h->command_chain
                             : NULL,
        .environment = env,
        .flags = s->flags,
        .confinement = info->confinement,
        .grants = grants,
        .n_grants = n_grants,
        .mounts = s->mounts,
        .n_mounts = s->n_mounts,
    };
    if (app && (!a || !a->command))
        return sn_error_set(reterr, -EINVAL, "policy: app %s of %s has no command", app, instance);
    Profile p = {0};
    p.tag = sn_policy_security_tag(&in);
    if (!p.tag)
        return sn_error_set(reterr, -EINVAL, "policy: invalid app or hook name in %s", instance);
    r = sn_policy_build_blob(&in, &p.blob, &p.blob_len, reterr);
    if (r >= 0)
        r = sn_policy_apparmor_profile(&in, &p.apparmor, reterr);
    if (r >= 0) {
        Profile *items = reallocarray(set->items, set->n + 1, sizeof(*items));
        if (items) {
            set->items = items;
            set->items[set->n++] = p;
            return 0;
        }
        r = -ENOMEM;
    }
    free(p.tag);
    free(p.blob);
    free(p.apparmor);
    return r;
}

/* Opens (creating) ROOT/DIR as a directory fd. */
static int open_dir(const char *root, const char *dir, bool create, SnError **reterr)
{
    _sn_free_ char *path = sn_strdup_printf("%s%s", root, dir);
    if (!path)
        return -ENOMEM;
    if (create) {
        int r = sn_mkdir_p(path, 0755);
        if (r < 0)
            return sn_error_set(reterr, r, "policy: cannot create %s: %s", path, strerror(-r));
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int r = -errno;
        if (r == -ENOENT && !create)
            return r;
        return sn_error_set(reterr, r, "policy: cannot open %s: %s", path, strerror(-r));
    }
    return fd;
}

/*
 * Unlinks the entries of dirfd that belong to the instance ("snap.NAME." prefix, and suffix when not
 * NULL) and are not in keep (tags). Returns the number removed or -errno.
 */
static int prune(int dirfd, const char *instance, const char *suffix, const ProfileSet *keep)
{
    _sn_free_ char *prefix = sn_strdup_printf("snap.%s.", instance);
    if (!prefix)
        return -ENOMEM;
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        int r = -errno;
        close(fd);
        return r;
    }
    int removed = 0, r = 0;
    for (struct dirent *de; (errno = 0, de = readdir(d));) {
        const char *n = de->d_name;
        if (!sn_startswith(n, prefix) || (suffix && !sn_endswith(n, suffix)))
            continue;
        size_t tag_len = strlen(n) - (suffix ? strlen(suffix) : 0);
        bool kept = false;
        for (size_t i = 0; keep && i < keep->n && !kept; i++)
            kept = strlen(keep->items[i].tag) == tag_len && strncmp(keep->items[i].tag, n, tag_len) == 0;
        if (kept)
            continue;
        if (unlinkat(dirfd, n, 0) < 0 && errno != ENOENT) {
            r = -errno;
            break;
        }
        removed++;
    }
    if (r == 0 && errno != 0)
        r = -errno;
    closedir(d);
    if (r == 0 && removed > 0 && fsync(dirfd) < 0)
        r = -errno;
    return r < 0 ? r : removed;
}

static bool has_hook(const ProfileSet *set, const char *instance, const char *hook)
{
    _sn_free_ char *tag = sn_strdup_printf("snap.%s.hook.%s", instance, hook);
    for (size_t i = 0; tag && i < set->n; i++)
        if (SN_STREQ(set->items[i].tag, tag))
            return true;
    return false;
}

int sn_policy_setup_profiles(const char *root, const SnPolicySetup *s, char ***ret_tags, SnError **reterr)
{
    root = root ? root : "";
    const SnSnapInfo *info = s->info;
    const char *instance = s->instance_name ? s->instance_name : info ? info->name : NULL;
    if (!info || !instance || !sn_policy_revision_valid(s->revision))
        return sn_error_set(reterr, -EINVAL, "policy: setup-profiles needs a snap, a name and a valid revision");
    _sn_free_ char *store = strndup(instance, strcspn(instance, "_"));
    if (!store)
        return -ENOMEM;
    if (!SN_STREQ(store, info->name))
        return sn_error_set(reterr, -EINVAL, "policy: instance %s is not an instance of %s", instance, info->name);

    /* the connections' grants, then the snap's permanent ones */
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *perm = NULL;
    _sn_free_ SnPolicyGrant *grants = NULL;
    size_t n_perm = 0, n_grants = 0;
    SnIfaceContext ctx = {.root = root, .dev_root = s->dev_root};
    int r = sn_iface_grants_new(&perm);
    if (r >= 0)
        r = sn_iface_grants_add_snap_permanent(perm, &ctx, info, instance, s->revision, reterr);
    if (r < 0)
        return sn_error_set(reterr, r, "policy: cannot compute the permanent grants of %s", instance);
    const SnPolicyGrant *pg = sn_iface_grants_get(perm, &n_perm);
    if (s->n_grants + n_perm > 0) {
        grants = calloc(s->n_grants + n_perm, sizeof(*grants));
        if (!grants)
            return sn_error_set(reterr, -ENOMEM, "policy: out of memory");
        if (s->n_grants)
            memcpy(grants, s->grants, s->n_grants * sizeof(*grants));
        if (n_perm)
            memcpy(grants + s->n_grants, pg, n_perm * sizeof(*grants));
        n_grants = s->n_grants + n_perm;
    }

    ProfileSet set = {0};
    _sn_close_ int pdir = -1, adir = -1;
    for (size_t i = 0; i < info->n_apps && r >= 0; i++)
        r = compile_one(s, grants, n_grants, instance, info->apps[i].name, NULL, &set, reterr);
    for (size_t i = 0; i < info->n_hooks && r >= 0; i++)
        r = compile_one(s, grants, n_grants, instance, NULL, info->hooks[i].name, &set, reterr);
    for (char *const *h = s->implicit_hooks; h && *h && r >= 0; h++)
        if (!has_hook(&set, instance, *h))
            r = compile_one(s, grants, n_grants, instance, NULL, *h, &set, reterr);
    if (r < 0)
        goto out;

    pdir = open_dir(root, SN_POLICY_DIR, true, reterr);
    if (pdir < 0) {
        r = pdir;
        goto out;
    }
    adir = open_dir(root, SN_APPARMOR_PROFILES_DIR, true, reterr);
    if (adir < 0) {
        r = adir;
        goto out;
    }
    for (size_t i = 0; i < set.n; i++) {
        const Profile *p = &set.items[i];
        _sn_free_ char *name = sn_strdup_printf("%s.policy", p->tag);
        if (!name) {
            r = -ENOMEM;
            goto out;
        }
        r = sn_write_file_atomic(pdir, name, p->blob, p->blob_len, 0644);
        if (r < 0) {
            sn_error_set(reterr, r, "policy: cannot write %s%s/%s: %s", root, SN_POLICY_DIR, name, strerror(-r));
            goto out;
        }
        r = sn_write_file_atomic(adir, p->tag, p->apparmor, strlen(p->apparmor), 0644);
        if (r < 0) {
            sn_error_set(reterr, r, "policy: cannot write %s%s/%s: %s", root, SN_APPARMOR_PROFILES_DIR, p->tag,
                         strerror(-r));
            goto out;
        }
    }
    r = prune(pdir, instance, ".policy", &set);
    if (r >= 0)
        r = prune(adir, instance, NULL, &set);
    if (r < 0) {
        sn_error_set(reterr, r, "policy: cannot remove the stale profiles of %s: %s", instance, strerror(-r));
        goto out;
    }
    if (ret_tags) {
        _sn_strv_free_ char **tags = NULL;
        for (size_t i = 0; i < set.n; i++)
            if (sn_strv_push(&tags, set.items[i].tag) < 0) {
                r = -ENOMEM;
                goto out;
            }
        *ret_tags = SN_TAKE_PTR(tags);
    }
    r = 0;
out:
    profile_set_done(&set);
    return r;
}

int sn_policy_remove_profiles(const char *root, const char *instance_name, SnError **reterr)
{
    root = root ? root : "";
    if (!instance_name || !sn_name_instance_valid(instance_name))
        return sn_error_set(reterr, -EINVAL, "policy: invalid snap instance name");
    static const char *const dirs[] = {SN_POLICY_DIR, SN_APPARMOR_PROFILES_DIR};
    for (size_t i = 0; i < SN_ELEMENTSOF(dirs); i++) {
        _sn_close_ int fd = open_dir(root, dirs[i], false, reterr);
        if (fd == -ENOENT)
            continue;
        if (fd < 0)
            return fd;
        int r = prune(fd, instance_name, i == 0 ? ".policy" : NULL, NULL);
        if (r < 0)
            return sn_error_set(reterr, r, "policy: cannot remove the profiles of %s in %s%s: %s", instance_name, root,
                                dirs[i], strerror(-r));
    }
    return 0;
}
