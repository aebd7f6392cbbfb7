/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The do/undo handlers of the snap manager's tasks. Each runs without the state lock, takes it to
 * read, changes the disk, and hands its state update to the runner (sn_task_ctx_on_commit) so that
 * the update and the task's new status commit in one transaction. Every handler may be run again
 * from its start after a crash, so each one checks what is already done instead of assuming.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fault.h"
#include "fd-util.h"
#include "fileio.h"
#include "snap-link.h"
#include "mount.h"
#include "snap-container.h"
#include "snap-data.h"
#include "snap-yaml.h"
#include "snapmgr-internal.h"
#include "squashfs-read.h"
#include "strutil.h"

typedef int (*Fn)(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr);

typedef struct Kind {
    const char *kind;
    Fn do_fn, undo_fn;
} Kind;

typedef struct Entry {
    SnSnapMgr *m;
    const Kind *k;
} Entry;

/* ---- helpers ---- */

int snapmgr_load_setup(SnTaskCtx *ctx, SnapSetup *ret, SnError **reterr)
{
    json_t *data = sn_task_ctx_data(ctx);
    json_t *own = json_object_get(data, "snap-setup");
    if (own)
        return snap_setup_from_json(own, ret) < 0 ? sn_error_set(reterr, -EINVAL, "internal error: bad snap-setup") : 0;
    json_t *id = json_object_get(data, "snap-setup-task");
    if (!json_is_integer(id))
        return sn_error_set(reterr, -EINVAL, "internal error: task has no snap-setup");
    SnState *st = sn_task_ctx_state(ctx);
    _sn_cleanup_(sn_task_freep) SnTask *t = NULL;
    sn_state_lock(st);
    int r = sn_task_load(st, json_integer_value(id), &t, reterr);
    sn_state_unlock(st);
    if (r < 0)
        return r;
    if (snap_setup_from_json(json_object_get(t->data, "snap-setup"), ret) < 0)
        return sn_error_set(reterr, -EINVAL, "internal error: bad snap-setup in task %lld",
                            (long long)json_integer_value(id));
    return 0;
}

int snapmgr_get_state(SnSnapMgr *m, const char *name, SnSnapState **ret, SnError **reterr)
{
    sn_state_lock(m->st);
    int r = sn_snap_state_get(m->st, name, ret, NULL);
    sn_state_unlock(m->st);
    if (r == -ENOENT) {
        *ret = NULL;
        return 0;
    }
    return r < 0 ? sn_error_set(reterr, r, "cannot read the state of snap \"%s\"", name) : 0;
}

static int commit_put(SnState *st, void *userdata, SnError **reterr)
{
    return sn_snap_state_put(st, userdata, reterr);
}

static void free_state(void *p)
{
    sn_snap_state_free(p);
}

static int commit_delete(SnState *st, void *userdata, SnError **reterr)
{
    int r = sn_snap_state_delete(st, userdata, NULL);
    return r == -ENOENT ? 0 : r < 0 ? sn_error_set(reterr, r, "cannot delete a snap's state") : 0;
}

/* Stores s (taken) with the task's success. */
static int on_commit_put(SnTaskCtx *ctx, SnSnapState *s)
{
    return sn_task_ctx_on_commit(ctx, commit_put, s, free_state);
}

static int on_commit_delete(SnTaskCtx *ctx, const char *name)
{
    char *n = strdup(name);
    if (!n)
        return -ENOMEM;
    return sn_task_ctx_on_commit(ctx, commit_delete, n, free);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static int rmdir_if_empty(const char *path)
{
    if (rmdir(path) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
        return sn_negative_errno();
    return 0;
}

static int seq_remove(SnSnapState *s, int64_t rev)
{
    ssize_t i = snapmgr_seq_index(s, rev);
    if (i < 0)
        return 0;
    free(s->sequence[i].snap_id);
    free(s->sequence[i].channel);
    json_decref(s->sequence[i].side_info);
    memmove(&s->sequence[i], &s->sequence[i + 1], (s->n_sequence - (size_t)i - 1) * sizeof(s->sequence[0]));
    s->n_sequence--;
    return 1;
}

static const char *const snap_types[] = {"app", "gadget", "kernel", "base", "snapd", "os"};

/* Opens a snap file and parses its snap.yaml. */
static int read_info(const char *path, SnSquashfs **ret_sq, SnSnapInfo **ret_info, SnError **reterr)
{
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    SnError *e = NULL;
    int r = sn_squashfs_open_at(AT_FDCWD, path, &sq, &e);
    if (r >= 0)
        r = sn_squashfs_read_file(sq, "meta/snap.yaml", SN_SNAP_YAML_MAX_SIZE, &yaml, &len, &e);
    if (r >= 0)
        r = sn_snap_yaml_parse(yaml, len, ret_info, &e);
    if (r < 0) {
        sn_error_set(reterr, r, "cannot read snap file: %s", sn_error_message(e, r));
        sn_error_free(e);
        return r;
    }
    if (ret_sq)
        *ret_sq = SN_TAKE_PTR(sq);
    return 0;
}

/* snapd's checkSnap for a file about to be mounted: name, container, base. */
static int check_snap(SnSnapMgr *m, const SnapSetup *su, const char *path, SnError **reterr)
{
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    int r = read_info(path, &sq, &info, reterr);
    if (r < 0)
        return r;
    if (!SN_STREQ(info->name, su->name))
        return sn_error_set(reterr, -EINVAL, "cannot install snap file: snap name \"%s\" does not match \"%s\"",
                            info->name, su->name);
    SnContainer c = sn_container_from_squashfs(sq);
    r = sn_snap_container_validate(&c, info, NULL, NULL, reterr);
    if (r < 0)
        return r;
    if ((info->type == SN_SNAP_TYPE_APP || info->type == SN_SNAP_TYPE_GADGET) && info->base &&
        !SN_STREQ(info->base, "none")) {
        _sn_cleanup_(sn_snap_state_freep) SnSnapState *b = NULL;
        r = snapmgr_get_state(m, info->base, &b, reterr);
        if (r < 0)
            return r;
        if ((!b || !SN_STREQ(b->type, "base")) && SN_STREQ(info->base, "core16")) {
            b = sn_snap_state_free(b);
            r = snapmgr_get_state(m, "core", &b, reterr);
            if (r < 0)
                return r;
        }
        if (!b || (!SN_STREQ(b->type, "base") && !SN_STREQ(b->type, "os")))
            return sn_error_set(reterr, -ENOENT, "cannot find required base \"%s\"", info->base);
    }
    return 0;
}

/* What GET /v2/snaps shows of a revision, from its snap.yaml: kept in the sequence entry. */
static json_t *side_info_from_blob(const char *name, const char *blob, SnError **reterr)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    if (read_info(blob, NULL, &info, reterr) < 0)
        return NULL;
    struct stat st;
    if (stat(blob, &st) < 0) {
        sn_error_set(reterr, sn_negative_errno(), "cannot stat %s: %m", blob);
        return NULL;
    }
    static const char *const conf[] = {"strict", "devmode", "classic"};
    static const char *const grade[] = {"stable", "stable", "devel"};
    _sn_free_ char *date = sn_time_format_rfc3339nano((int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "version", info->version ? info->version : "", "confinement",
                  conf[info->confinement], "grade", grade[info->grade], "type", snap_types[info->type],
                  "installed-size", (json_int_t)st.st_size, "install-date", date ? date : "");
    if (!j)
        return NULL;
    if (info->summary)
        json_object_set_new(j, "summary", json_string(info->summary));
    if (info->title)
        json_object_set_new(j, "title", json_string(info->title));
    if (info->description)
        json_object_set_new(j, "description", json_string(info->description));
    if (info->base)
        json_object_set_new(j, "base", json_string(info->base));
    if (info->license)
        json_object_set_new(j, "license", json_string(info->license));
    json_t *apps = json_array();
    for (size_t i = 0; apps && i < info->n_apps; i++) {
        json_t *a = json_pack("{s:s, s:s}", "snap", name, "name", info->apps[i].name);
        if (a && info->apps[i].daemon) {
            json_object_set_new(a, "daemon", json_string(info->apps[i].daemon));
            json_object_set_new(a, "daemon-scope", json_string(info->apps[i].daemon_scope));
        }
        if (a)
            json_array_append_new(apps, a);
    }
    if (apps && json_array_size(apps) > 0)
        json_object_set_new(j, "apps", apps);
    else
        json_decref(apps);
    return j;
}

/* ---- no-op tasks (services, aliases, hooks, interfaces: later issues) ---- */

static int do_nothing(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    return 0;
}

/* ---- prepare-snap ---- */

static int do_prepare_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0 || su.revision != 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = snapmgr_get_state(m, su.name, &s, reterr);
    if (r < 0)
        return r;
    /* A local revision: x1, or one past the highest in the sequence (snapd's prepare-snap). */
    int64_t rev = snapmgr_next_local_revision(s);
    json_t *setup = json_object_get(sn_task_ctx_data(ctx), "snap-setup");
    if (json_object_set_new(setup, "revision", json_integer((json_int_t)rev)) < 0)
        return -ENOMEM;
    char rb[24];
    sn_task_ctx_logf(ctx, "Assigned local revision %s", sn_revision_format(rev, rb));
    return 0;
}

static int undo_prepare_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    /* The sideloaded spool file belongs to the change: nothing else will remove it. */
    if (su.remove_snap_path && su.snap_path && unlink(su.snap_path) < 0 && errno != ENOENT)
        return sn_error_set(reterr, sn_negative_errno(), "cannot remove %s: %m", su.snap_path);
    return 0;
}

/* ---- mount-snap ---- */

/* Puts src at blob: a hard link when both are on one filesystem, else a durable copy. */
static int place_blob(const char *src, const char *blob, SnError **reterr)
{
    if (unlink(blob) < 0 && errno != ENOENT)
        return sn_error_set(reterr, sn_negative_errno(), "cannot remove %s: %m", blob);
    if (link(src, blob) < 0) {
        if (errno != EXDEV && errno != EPERM && errno != EMLINK)
            return sn_error_set(reterr, sn_negative_errno(), "cannot link %s to %s: %m", src, blob);
        _sn_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
            return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", src);
        int out = -1;
        _sn_free_ char *tmp = NULL;
        int r = sn_atomic_begin(AT_FDCWD, blob, 0600, &out, &tmp);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot create %s: %s", blob, strerror(-r));
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof(buf))) > 0)
            if ((r = sn_write_all(out, buf, (size_t)n)) < 0)
                break;
        if (n < 0)
            r = sn_negative_errno();
        if (r >= 0)
            r = sn_atomic_commit(AT_FDCWD, out, tmp, blob);
        else
            sn_atomic_abort(AT_FDCWD, tmp);
        close(out);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot copy %s to %s: %s", src, blob, strerror(-r));
        return 0;
    }
    (void)chmod(blob, 0600);
    int r = sn_fsync_parent(AT_FDCWD, blob);
    return r < 0 ? sn_error_set(reterr, r, "cannot sync the directory of %s: %s", blob, strerror(-r)) : 0;
}

static int do_mount_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *blob = snapmgr_blob_path(m, su.name, su.revision);
    _sn_free_ char *where = snapmgr_mount_dir(m, su.name, su.revision);
    if (!blob || !where)
        return -ENOMEM;

    if (su.snap_path && exists(su.snap_path)) {
        r = check_snap(m, &su, su.snap_path, reterr);
        if (r < 0)
            return r;
        _sn_free_ char *dir = strdup(blob);
        if (!dir)
            return -ENOMEM;
        *strrchr(dir, '/') = '\0';
        r = sn_mkdir_p(dir, 0755);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot create %s: %s", dir, strerror(-r));
        r = place_blob(su.snap_path, blob, reterr);
        if (r < 0)
            return r;
        if (su.remove_snap_path && unlink(su.snap_path) < 0 && errno != ENOENT)
            return sn_error_set(reterr, sn_negative_errno(), "cannot remove %s: %m", su.snap_path);
    } else if (!exists(blob))
        return sn_error_set(reterr, -ENOENT, "cannot find snap file \"%s\"", su.snap_path ? su.snap_path : blob);
    else {
        /* Placed by an earlier run of this task that a crash interrupted: check it again. */
        r = check_snap(m, &su, blob, reterr);
        if (r < 0)
            return r;
    }

    r = sn_mkdir_p(where, 0755);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot create %s: %s", where, strerror(-r));
    char rb[24];
    return sn_mount_snap_persistent(m->root, su.name, sn_revision_format(su.revision, rb), blob, where, reterr);
}

static int undo_mount_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *blob = snapmgr_blob_path(m, su.name, su.revision);
    _sn_free_ char *where = snapmgr_mount_dir(m, su.name, su.revision);
    _sn_free_ char *snap_dir = snapmgr_mount_dir(m, su.name, 0);
    if (!blob || !where || !snap_dir)
        return -ENOMEM;
    r = sn_umount_snap_persistent(m->root, blob, where, reterr);
    if (r < 0)
        return r;
    if (unlink(blob) < 0 && errno != ENOENT)
        return sn_error_set(reterr, sn_negative_errno(), "cannot remove %s: %m", blob);
    (void)rmdir_if_empty(where);
    (void)rmdir_if_empty(snap_dir); /* only empty when this was the first revision */
    return 0;
}

/* ---- copy-snap-data ---- */

static int do_copy_snap_data(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = snapmgr_get_state(m, su.name, &s, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *new_dir = snapmgr_data_dir(m, su.name, su.revision);
    _sn_free_ char *common = snapmgr_common_dir(m, su.name);
    _sn_free_ char *trash = new_dir ? sn_strdup_printf("%s.old", new_dir) : NULL;
    if (!new_dir || !common || !trash)
        return -ENOMEM;
    r = sn_mkdir_p(common, 0755);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot create %s: %s", common, strerror(-r));

    int64_t old = s && s->current != su.revision ? s->current : 0;
    _sn_free_ char *old_dir = old ? snapmgr_data_dir(m, su.name, old) : NULL;
    if (s && snapmgr_seq_index(s, su.revision) >= 0) {
        /* A revision with data of its own: keep that aside (snapd's trash) until the change is done. */
        if (exists(new_dir) && !exists(trash)) {
            if (rename(new_dir, trash) < 0)
                return sn_error_set(reterr, sn_negative_errno(), "cannot move %s aside: %m", new_dir);
        } else if ((r = sn_rm_rf(new_dir)) < 0)
            return sn_error_set(reterr, r, "cannot remove %s: %s", new_dir, strerror(-r));
    } else {
        /* A new revision: whatever is there is left from an attempt a crash interrupted. */
        if ((r = sn_rm_rf(new_dir)) < 0 || (r = sn_rm_rf(trash)) < 0)
            return sn_error_set(reterr, r, "cannot remove %s: %s", new_dir, strerror(-r));
    }
    if (!old_dir || !exists(old_dir)) {
        if (mkdir(new_dir, 0755) < 0 && errno != EEXIST)
            return sn_error_set(reterr, sn_negative_errno(), "cannot create %s: %m", new_dir);
        r = sn_fsync_parent(AT_FDCWD, new_dir);
        return r < 0 ? sn_error_set(reterr, r, "cannot sync %s: %s", new_dir, strerror(-r)) : 0;
    }
    return sn_snap_data_copy(old_dir, new_dir, reterr);
}

static int undo_copy_snap_data(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = snapmgr_get_state(m, su.name, &s, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *new_dir = snapmgr_data_dir(m, su.name, su.revision);
    _sn_free_ char *trash = new_dir ? sn_strdup_printf("%s.old", new_dir) : NULL;
    _sn_free_ char *copying = new_dir ? sn_snap_data_copying_path(new_dir) : NULL;
    if (!trash || !copying)
        return -ENOMEM;
    if ((r = sn_rm_rf(new_dir)) < 0 || (r = sn_rm_rf(copying)) < 0)
        return sn_error_set(reterr, r, "cannot remove %s: %s", new_dir, strerror(-r));
    if (exists(trash) && rename(trash, new_dir) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot restore %s: %m", new_dir);
    if (!s) {
        /* The first install of the snap: its common data and directory go too. */
        _sn_free_ char *common = snapmgr_common_dir(m, su.name);
        _sn_free_ char *data_root = snapmgr_data_dir(m, su.name, 0);
        if (!common || !data_root)
            return -ENOMEM;
        if ((r = sn_rm_rf(common)) < 0)
            return sn_error_set(reterr, r, "cannot remove %s: %s", common, strerror(-r));
        (void)rmdir_if_empty(data_root);
    }
    return 0;
}

static int do_cleanup(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    /* copy-snap-data's trash: the data a refreshed-to revision had before. */
    _sn_free_ char *new_dir = snapmgr_data_dir(m, su.name, su.revision);
    _sn_free_ char *trash = new_dir ? sn_strdup_printf("%s.old", new_dir) : NULL;
    if (!trash)
        return -ENOMEM;
    r = sn_rm_rf(trash);
    return r < 0 ? sn_error_set(reterr, r, "cannot remove %s: %s", trash, strerror(-r)) : 0;
}

/* ---- links ---- */

/*
 * Discards the snap's preserved mount namespace (snapd's snap-discard-ns): it was built around the
 * revision that was current, so after the `current` symlinks move (refresh, revert, remove,
 * disable) the next launch must build a new one. Processes still running keep theirs. Takes
 * snap-confine's per-snap lock so that a launch in progress is not cut in half. Idempotent.
 */
static void discard_ns(SnSnapMgr *m, const char *name)
{
    _sn_free_ char *lock = sn_strdup_printf("%s/run/snapd/lock/%s.lock", m->root, name);
    _sn_free_ char *mnt = sn_strdup_printf("%s/run/snapd/ns/snap.%s.mnt", m->root, name);
    _sn_free_ char *info = sn_strdup_printf("%s/run/snapd/ns/snap.%s.info", m->root, name);
    _sn_free_ char *content = sn_strdup_printf("%s/run/snapd/ns/snap.%s.content", m->root, name);
    if (!lock || !mnt || !info || !content)
        return;
    _sn_close_ int lockfd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (lockfd >= 0)
        (void)flock(lockfd, LOCK_EX);
    (void)umount2(mnt, MNT_DETACH | UMOUNT_NOFOLLOW);
    (void)unlink(mnt);
    (void)unlink(info);
    (void)unlink(content);
}

static int set_links(SnSnapMgr *m, const char *name, int64_t rev, SnError **reterr)
{
    discard_ns(m, name);
    char rb[24];
    _sn_free_ char *sd = snapmgr_mount_dir(m, name, 0);
    _sn_free_ char *dd = snapmgr_data_dir(m, name, 0);
    if (!sd || !dd)
        return -ENOMEM;
    int r = sn_mkdir_p(dd, 0755);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot create %s: %s", dd, strerror(-r));
    r = sn_link_set_current(sd, sn_revision_format(rev, rb), reterr);
    if (r >= 0)
        r = sn_link_set_current(dd, rb, reterr);
    return r;
}

static int remove_links(SnSnapMgr *m, const char *name, SnError **reterr)
{
    discard_ns(m, name);
    _sn_free_ char *sd = snapmgr_mount_dir(m, name, 0);
    _sn_free_ char *dd = snapmgr_data_dir(m, name, 0);
    if (!sd || !dd)
        return -ENOMEM;
    int r = sn_link_remove_current(sd, reterr);
    if (r >= 0)
        r = sn_link_remove_current(dd, reterr);
    return r;
}

/* ---- unlink-current-snap (refresh, revert): inactive in the state; the symlinks move in link-snap ---- */

static int set_active(SnTaskCtx *ctx, SnSnapMgr *m, bool active, bool links, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = snapmgr_get_state(m, su.name, &s, reterr);
    if (r < 0)
        return r;
    if (!s)
        return sn_error_set(reterr, -ENOENT, "snap \"%s\" is not installed", su.name);
    if (links)
        r = active ? set_links(m, su.name, s->current, reterr) : remove_links(m, su.name, reterr);
    if (r < 0)
        return r;
    s->active = active;
    return on_commit_put(ctx, SN_TAKE_PTR(s));
}

static int do_unlink_current_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    return set_active(ctx, m, false, false, reterr);
}

static int undo_unlink_current_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    return set_active(ctx, m, true, true, reterr);
}

/* unlink-snap (remove, disable): inactive, and the `current` symlinks go. */
static int do_unlink_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    return set_active(ctx, m, false, true, reterr);
}

static int undo_unlink_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    return set_active(ctx, m, true, true, reterr);
}

/* ---- link-snap ---- */

static int do_link_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = snapmgr_get_state(m, su.name, &s, reterr);
    if (r < 0)
        return r;
    json_t *data = sn_task_ctx_data(ctx);
    /* What undo restores: read from the state, which still holds it if a crash made us run again. */
    json_object_set_new(data, "had-snap", json_boolean(s != NULL));
    json_object_set_new(data, "old-current", json_integer(s ? (json_int_t)s->current : 0));
    json_object_set_new(data, "old-active", json_boolean(s && s->active));
    if (!s && !(s = sn_snap_state_new(su.name)))
        return -ENOMEM;
    bool appended = snapmgr_seq_index(s, su.revision) < 0;
    json_object_set_new(data, "appended", json_boolean(appended));
    if (appended) {
        _sn_free_ char *blob = snapmgr_blob_path(m, su.name, su.revision);
        if (!blob)
            return -ENOMEM;
        json_t *side = side_info_from_blob(su.name, blob, reterr);
        if (!side)
            return sn_error_set(reterr, -EIO, "cannot read %s", blob);
        r = sn_snap_state_append(s, su.revision, su.snap_id, "");
        if (r < 0) {
            json_decref(side);
            return r;
        }
        json_decref(s->sequence[s->n_sequence - 1].side_info);
        s->sequence[s->n_sequence - 1].side_info = side;
    }
    s->current = su.revision;
    s->active = true;
    free(s->type);
    s->type = strdup(su.type && *su.type ? su.type : "app");
    if (!s->type)
        return -ENOMEM;
    json_object_set_new(s->flags, "devmode", json_boolean(su.devmode));
    json_object_set_new(s->flags, "classic", json_boolean(su.classic));
    json_object_set_new(s->flags, "jailmode", json_boolean(su.jailmode));
    r = set_links(m, su.name, su.revision, reterr);
    if (r < 0)
        return r;
    return on_commit_put(ctx, SN_TAKE_PTR(s));
}

static int undo_link_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    json_t *data = sn_task_ctx_data(ctx);
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = snapmgr_get_state(m, su.name, &s, reterr);
    if (r < 0)
        return r;
    if (!json_is_true(json_object_get(data, "had-snap"))) {
        r = remove_links(m, su.name, reterr);
        return r < 0 ? r : on_commit_delete(ctx, su.name);
    }
    if (!s)
        return sn_error_set(reterr, -ENOENT, "snap \"%s\" is not installed", su.name);
    if (json_is_true(json_object_get(data, "appended")))
        seq_remove(s, su.revision);
    s->current = json_integer_value(json_object_get(data, "old-current"));
    s->active = json_is_true(json_object_get(data, "old-active"));
    r = s->active ? set_links(m, su.name, s->current, reterr) : remove_links(m, su.name, reterr);
    if (r < 0)
        return r;
    return on_commit_put(ctx, SN_TAKE_PTR(s));
}

/* ---- removal of a revision ---- */

static int do_clear_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *dir = snapmgr_data_dir(m, su.name, su.revision);
    _sn_free_ char *trash = dir ? sn_strdup_printf("%s.old", dir) : NULL;
    if (!trash)
        return -ENOMEM;
    if ((r = sn_rm_rf(dir)) < 0 || (r = sn_rm_rf(trash)) < 0)
        return sn_error_set(reterr, r, "cannot remove %s: %s", dir, strerror(-r));
    if (su.purge) {
        /* The snap's last revision: SNAP_COMMON goes with it. */
        _sn_free_ char *common = snapmgr_common_dir(m, su.name);
        if (!common)
            return -ENOMEM;
        if ((r = sn_rm_rf(common)) < 0)
            return sn_error_set(reterr, r, "cannot remove %s: %s", common, strerror(-r));
    }
    return 0;
}

static int do_discard_snap(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr)
{
    _sn_cleanup_(snap_setup_done) SnapSetup su = {0};
    int r = snapmgr_load_setup(ctx, &su, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *blob = snapmgr_blob_path(m, su.name, su.revision);
    _sn_free_ char *where = snapmgr_mount_dir(m, su.name, su.revision);
    _sn_free_ char *snap_dir = snapmgr_mount_dir(m, su.name, 0);
    _sn_free_ char *data_root = snapmgr_data_dir(m, su.name, 0);
    if (!blob || !where || !snap_dir || !data_root)
        return -ENOMEM;
    r = sn_umount_snap_persistent(m->root, blob, where, reterr);
    if (r < 0)
        return r;
    if (unlink(blob) < 0 && errno != ENOENT)
        return sn_error_set(reterr, sn_negative_errno(), "cannot remove %s: %m", blob);
    if (rmdir(where) < 0 && errno != ENOENT)
        return sn_error_set(reterr, sn_negative_errno(), "cannot remove %s: %m", where);

    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = snapmgr_get_state(m, su.name, &s, reterr);
    if (r < 0)
        return r;
    if (!s)
        return 0;
    seq_remove(s, su.revision);
    if (s->n_sequence > 0)
        return on_commit_put(ctx, SN_TAKE_PTR(s));
    r = remove_links(m, su.name, reterr);
    if (r < 0)
        return r;
    (void)rmdir_if_empty(snap_dir);
    (void)rmdir_if_empty(data_root);
    return on_commit_delete(ctx, su.name);
}

/* ---- the table ---- */

static const Kind kinds[] = {
    {"prerequisites", do_nothing, NULL},
    {"prepare-snap", do_prepare_snap, undo_prepare_snap},
    {"mount-snap", do_mount_snap, undo_mount_snap},
    {"copy-snap-data", do_copy_snap_data, undo_copy_snap_data},
    {"unlink-current-snap", do_unlink_current_snap, undo_unlink_current_snap},
    {"link-snap", do_link_snap, undo_link_snap},
    {"unlink-snap", do_unlink_snap, undo_unlink_snap},
    {"clear-snap", do_clear_snap, NULL},
    {"discard-snap", do_discard_snap, NULL},
    {"cleanup", do_cleanup, NULL},
    {"setup-profiles", snapmgr_do_setup_profiles, snapmgr_restore_profiles},
    {"remove-profiles", snapmgr_do_remove_profiles, snapmgr_restore_profiles},
    /* Interfaces (issue 6), aliases, hooks and services: nothing to do until those exist. */
    {"auto-connect", do_nothing, NULL},
    {"auto-disconnect", do_nothing, NULL},
    {"discard-conns", do_nothing, NULL},
    {"set-auto-aliases", do_nothing, NULL},
    {"setup-aliases", do_nothing, NULL},
    {"remove-aliases", do_nothing, NULL},
    {"run-hook", do_nothing, NULL},
    {"stop-snap-services", do_nothing, NULL},
    {"start-snap-services", do_nothing, NULL},
};

#if SN_FAULT_INJECTION
/* Whether SN_FAULTS names a fault of this kind at all (no counting). */
static bool kind_mentioned(const char *kind)
{
    const char *f = secure_getenv("SN_FAULTS");
    return f && strstr(f, kind);
}

/* SN_FAULTS=fail-KIND fails every task of that kind; slow-KIND makes it take 3 s (tests of changes in flight). */
static bool kind_fault(const char *prefix, const char *kind)
{
    const char *f = secure_getenv("SN_FAULTS");
    if (!f || !strstr(f, prefix) || !strstr(f, kind))
        return false;
    char name[64];
    snprintf(name, sizeof(name), "%s%s", prefix, kind);
    return sn_faulty(name);
}
#else
static bool kind_mentioned(const char *kind)
{
    return false;
}

static bool kind_fault(const char *prefix, const char *kind)
{
    return false;
}
#endif

static int run_do(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    const Entry *e = userdata;
    if (kind_fault("slow-", e->k->kind))
        for (int i = 0; i < 60 && !sn_task_ctx_stopping(ctx); i++) {
            struct timespec ts = {.tv_nsec = 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    if (kind_fault("fail-", e->k->kind))
        return sn_error_set(reterr, -EIO, "injected failure of %s", e->k->kind);
    return e->k->do_fn(ctx, e->m, reterr);
}

static int run_undo(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    const Entry *e = userdata;
    return e->k->undo_fn(ctx, e->m, reterr);
}

int snapmgr_register_handlers(SnSnapMgr *m, SnTaskRunner *runner)
{
    Entry *entries = calloc(SN_ELEMENTSOF(kinds), sizeof(*entries));
    if (!entries)
        return -ENOMEM;
    free(m->handlers);
    m->handlers = entries;
    for (size_t i = 0; i < SN_ELEMENTSOF(kinds); i++) {
        entries[i] = (Entry){m, &kinds[i]};
        int r;
        /*
         * Kinds with nothing to do yet are settled by the runner in batches, without a worker or an
         * fsync each; a test that injects a fault into such a kind gets a real handler instead.
         */
        if (kinds[i].do_fn == do_nothing && !kind_mentioned(kinds[i].kind))
            r = sn_taskrunner_add_noop(runner, kinds[i].kind);
        else
            r = sn_taskrunner_add_handler(runner, kinds[i].kind, run_do, kinds[i].undo_fn ? run_undo : NULL,
                                          &entries[i]);
        /* Whoever registered run-hook first (hooks, configure patches) wins; this is the fallback. */
        if (r == -EEXIST && kinds[i].do_fn == do_nothing) /* also the interface manager's kinds */
            continue;
        if (r < 0)
            return r;
    }
    return 0;
}
