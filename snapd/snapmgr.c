/* SPDX-License-Identifier: GPL-3.0-only */
#include "snapmgr.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api-v2.h"
#include "fileio.h"
#include "snap-link.h"
#include "mount.h"
#include "snap-yaml.h"
#include "snapmgr-internal.h"
#include "squashfs-read.h"
#include "strutil.h"

/* ---- setup, paths ---- */

void snap_setup_done(SnapSetup *s)
{
    free(s->name);
    free(s->snap_path);
    free(s->snap_id);
    free(s->type);
    free(s->base);
    *s = (SnapSetup){0};
}

json_t *snap_setup_to_json(const SnapSetup *s)
{
    json_t *j = json_pack("{s:s, s:I, s:b, s:s, s:s, s:s, s:{s:b, s:b, s:b, s:b, s:b}}", "name", s->name, "revision",
                          (json_int_t)s->revision, "remove-snap-path", s->remove_snap_path, "snap-id",
                          s->snap_id ? s->snap_id : "", "type", s->type ? s->type : "app", "base",
                          s->base ? s->base : "", "flags", "devmode", s->devmode, "classic", s->classic, "jailmode",
                          s->jailmode, "revert", s->revert, "purge", s->purge);
    if (j && s->snap_path)
        json_object_set_new(j, "snap-path", json_string(s->snap_path));
    return j;
}

static char *dup_str(json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    return strdup(v ? v : "");
}

int snap_setup_from_json(json_t *j, SnapSetup *ret)
{
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "name")))
        return -EINVAL;
    json_t *f = json_object_get(j, "flags");
    SnapSetup s = {
        .name = dup_str(j, "name"),
        .revision = json_integer_value(json_object_get(j, "revision")),
        .snap_path = json_is_string(json_object_get(j, "snap-path")) ? dup_str(j, "snap-path") : NULL,
        .remove_snap_path = json_is_true(json_object_get(j, "remove-snap-path")),
        .snap_id = dup_str(j, "snap-id"),
        .type = dup_str(j, "type"),
        .base = dup_str(j, "base"),
        .devmode = json_is_true(json_object_get(f, "devmode")),
        .classic = json_is_true(json_object_get(f, "classic")),
        .jailmode = json_is_true(json_object_get(f, "jailmode")),
        .revert = json_is_true(json_object_get(f, "revert")),
        .purge = json_is_true(json_object_get(f, "purge")),
    };
    if (!s.name || !s.snap_id || !s.type || !s.base) {
        snap_setup_done(&s);
        return -ENOMEM;
    }
    *ret = s;
    return 0;
}

char *snapmgr_blob_path(const SnSnapMgr *m, const char *name, int64_t rev)
{
    char r[24];
    return sn_strdup_printf("%s/var/lib/snapd/snaps/%s_%s.snap", m->root, name, sn_revision_format(rev, r));
}

char *snapmgr_mount_dir(const SnSnapMgr *m, const char *name, int64_t rev)
{
    char r[24];
    if (rev == 0)
        return sn_strdup_printf("%s/snap/%s", m->root, name);
    return sn_strdup_printf("%s/snap/%s/%s", m->root, name, sn_revision_format(rev, r));
}

char *snapmgr_data_dir(const SnSnapMgr *m, const char *name, int64_t rev)
{
    char r[24];
    if (rev == 0)
        return sn_strdup_printf("%s/var/snap/%s", m->root, name);
    return sn_strdup_printf("%s/var/snap/%s/%s", m->root, name, sn_revision_format(rev, r));
}

char *snapmgr_common_dir(const SnSnapMgr *m, const char *name)
{
    return sn_strdup_printf("%s/var/snap/%s/common", m->root, name);
}

ssize_t snapmgr_seq_index(const SnSnapState *s, int64_t revision)
{
    for (size_t i = 0; i < s->n_sequence; i++)
        if (s->sequence[i].revision == revision)
            return (ssize_t)i;
    return -1;
}

/* ---- the manager ---- */

int sn_snapmgr_new(SnState *st, SnSnapMgr **ret)
{
    SnSnapMgr *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->st = st;
    m->root = strdup(sn_state_root(st));
    if (!m->root) {
        free(m);
        return -ENOMEM;
    }
    *ret = m;
    return 0;
}

SnSnapMgr *sn_snapmgr_free(SnSnapMgr *m)
{
    if (m) {
        free(m->root);
        free(m->handlers);
        free(m);
    }
    return NULL;
}

const char *sn_snapmgr_root(const SnSnapMgr *m)
{
    return m->root;
}

int sn_snapmgr_register(SnSnapMgr *m, SnTaskRunner *runner)
{
    return snapmgr_register_handlers(m, runner);
}

unsigned sn_snapmgr_refresh_retain(SnState *st)
{
    static const char *const owners[] = {"core", "system"};
    for (size_t i = 0; i < SN_ELEMENTSOF(owners); i++) {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        if (sn_state_prepare(st, "SELECT doc FROM config WHERE snap = ?1", &s, NULL) < 0)
            break;
        sqlite3_bind_text(s, 1, owners[i], -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_ROW)
            continue;
        json_t *doc = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
        json_t *v = json_object_get(json_object_get(doc, "refresh"), "retain");
        if (!v)
            v = json_object_get(doc, "refresh.retain");
        long long n = -1;
        if (json_is_integer(v))
            n = json_integer_value(v);
        else if (json_is_string(v)) {
            int64_t x;
            if (sn_parse_i64(json_string_value(v), &x) >= 0)
                n = x;
        }
        json_decref(doc);
        if (n >= 2 && n <= 20)
            return (unsigned)n;
        if (n != -1)
            break; /* out of range: snapd refuses to set it; fall back to the default */
    }
    return 2;
}

int sn_snapmgr_read_snap_name(const char *path, char **ret_name, SnError **reterr)
{
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
    SnError *e = NULL;
    int r = sn_squashfs_open_at(AT_FDCWD, path, &sq, &e);
    if (r >= 0)
        r = 0;
    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    if (r >= 0)
        r = sn_squashfs_read_file(sq, "meta/snap.yaml", SN_SNAP_YAML_MAX_SIZE, &yaml, &len, &e);
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    if (r >= 0)
        r = sn_snap_yaml_parse(yaml, len, &info, &e);
    if (r < 0) {
        sn_error_set(reterr, r, "cannot read snap file: %s", sn_error_message(e, r));
        sn_error_free(e);
        return r;
    }
    char *n = strdup(info->name);
    if (!n)
        return -ENOMEM;
    *ret_name = n;
    return 0;
}

/* ---- building changes ---- */

static int check_conflict(SnState *st, const char *name, SnError **reterr)
{
    SnConflict c = {0};
    int r = sn_change_find_conflict(st, name, &c, reterr);
    if (r <= 0)
        return r;
    r = sn_error_set(reterr, -EBUSY, "snap \"%s\" has \"%s\" change in progress", name, c.change_kind);
    sn_conflict_done(&c);
    return r;
}

static int load_installed(SnState *st, const char *name, SnSnapState **ret, SnError **reterr)
{
    SnError *e = NULL;
    int r = sn_snap_state_get(st, name, ret, &e);
    if (r == -ENOENT) {
        sn_error_free(e);
        return sn_error_set(reterr, -ENOENT, "snap \"%s\" is not installed", name);
    }
    if (r < 0) {
        sn_error_set(reterr, r, "%s", sn_error_message(e, r));
        sn_error_free(e);
    }
    return r;
}

/*
 * The tasks of one operation on one snap: each waits for the one before it; tasks added without
 * data of their own point at the setup-holding task ("snap-setup-task") once the operation ends.
 */
typedef struct Chain {
    SnNewChange *c;
    size_t first; /* index of the operation's first task */
    size_t setup; /* index of the task holding the snap-setup */
    bool have_setup;
    bool have_prev;
    size_t prev;
    size_t *linked; /* tasks to point at the setup */
    size_t n_linked;
    int r;
} Chain;

static void chain_begin(Chain *ch, SnNewChange *c)
{
    *ch = (Chain){.c = c, .first = sn_new_change_n_tasks(c)};
}

_sn_printf_(5, 0) static void chain_vadd(Chain *ch, const char *kind, json_t *data, bool holds_setup, const char *fmt,
                                         va_list ap)
{
    if (ch->r < 0) {
        json_decref(data);
        return;
    }
    _sn_free_ char *summary = NULL;
    if (vasprintf(&summary, fmt, ap) < 0)
        summary = NULL;
    size_t idx = 0;
    ch->r = summary ? sn_new_change_add_task(ch->c, kind, summary, data, &idx) : -ENOMEM;
    bool link = !data;
    json_decref(data);
    if (ch->r >= 0 && ch->have_prev)
        ch->r = sn_new_change_wait(ch->c, idx, ch->prev);
    if (ch->r >= 0 && link) {
        size_t *n = reallocarray(ch->linked, ch->n_linked + 1, sizeof(*n));
        if (!n)
            ch->r = -ENOMEM;
        else {
            ch->linked = n;
            ch->linked[ch->n_linked++] = idx;
        }
    }
    if (ch->r >= 0 && holds_setup) {
        ch->setup = idx;
        ch->have_setup = true;
    }
    ch->prev = idx;
    ch->have_prev = true;
}

/* A task without data of its own: it reads the operation's setup. */
static void chain_add(Chain *ch, const char *kind, const char *fmt, ...) _sn_printf_(3, 4);
static void chain_add(Chain *ch, const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    chain_vadd(ch, kind, NULL, false, fmt, ap);
    va_end(ap);
}

/* A task holding a setup of its own (the operation's when holds is true). */
static void chain_add_setup(Chain *ch, const char *kind, const SnapSetup *su, bool holds, const char *fmt, ...)
    _sn_printf_(5, 6);
static void chain_add_setup(Chain *ch, const char *kind, const SnapSetup *su, bool holds, const char *fmt, ...)
{
    json_t *sj = ch->r >= 0 ? snap_setup_to_json(su) : NULL;
    json_t *data = sj ? json_pack("{s:o}", "snap-setup", sj) : NULL;
    if (ch->r >= 0 && !data)
        ch->r = -ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    chain_vadd(ch, kind, data, holds, fmt, ap);
    va_end(ap);
}

/* A run-hook task with snapd's hook-setup {snap, hook, optional}. */
static void chain_add_hook(Chain *ch, const char *snap, const char *hook, const char *fmt, ...) _sn_printf_(4, 5);
static void chain_add_hook(Chain *ch, const char *snap, const char *hook, const char *fmt, ...)
{
    json_t *data = json_pack("{s:{s:s, s:s, s:b}}", "hook-setup", "snap", snap, "hook", hook, "optional", true);
    if (ch->r >= 0 && !data)
        ch->r = -ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    chain_vadd(ch, "run-hook", data, false, fmt, ap);
    va_end(ap);
}

static int chain_end(Chain *ch)
{
    for (size_t i = 0; ch->r >= 0 && i < ch->n_linked; i++)
        ch->r = ch->have_setup ? sn_new_change_link(ch->c, ch->linked[i], "snap-setup-task", ch->setup) : -EINVAL;
    free(ch->linked);
    ch->linked = NULL;
    return ch->r;
}

static const char *rev_str(int64_t rev, char buf[static 24])
{
    return sn_revision_format(rev, buf);
}

/* clear-snap + discard-snap of one revision (snapd's removeInactiveRevision). */
static void add_discard_revision(Chain *ch, const char *name, const char *type, int64_t rev, bool last)
{
    char r[24];
    SnapSetup su = {.name = (char *)name, .revision = rev, .type = (char *)type, .purge = last};
    chain_add_setup(ch, "clear-snap", &su, false, "Remove data for snap \"%s\" (%s)", name, rev_str(rev, r));
    chain_add_setup(ch, "discard-snap", &su, false, "Remove snap \"%s\" (%s) from the system", name, rev_str(rev, r));
}

int64_t snapmgr_next_local_revision(const SnSnapState *s)
{
    int64_t min = 0;
    for (size_t i = 0; s && i < s->n_sequence; i++)
        if (s->sequence[i].revision < min)
            min = s->sequence[i].revision;
    return min - 1;
}

/*
 * The install/refresh/revert chain (snapd's snapInstallChoreographer). s is the installed state or
 * NULL; su->revision is set for asserted files and reverts, 0 for sideloads (prepare-snap assigns).
 * default_configure: the snap file has a default-configure hook.
 */
static int add_install_chain(SnSnapMgr *m, SnNewChange *c, const SnSnapState *s, const SnapSetup *su,
                             bool default_configure)
{
    char rb[24];
    const char *name = su->name;
    bool installed = s && s->n_sequence > 0;
    bool present = s && su->revision != 0 && snapmgr_seq_index(s, su->revision) >= 0;
    _sn_free_ char *revs = sn_strdup_printf(" (%s)", rev_str(su->revision, rb));
    if (!revs)
        return -ENOMEM;

    Chain ch;
    chain_begin(&ch, c);
    chain_add(&ch, "prerequisites", "Ensure prerequisites for \"%s\" are available", name);
    chain_add_setup(&ch, "prepare-snap", su, true, "Prepare snap \"%s\"%s", su->snap_path ? su->snap_path : "", revs);
    chain_add(&ch, "prerequisites", "Wait until prerequisites for \"%s\" are available", name);
    if (!present)
        chain_add(&ch, "mount-snap", "Mount snap \"%s\"%s", name, revs);
    bool refresh_hooks = installed && !su->revert;
    if (refresh_hooks)
        chain_add_hook(&ch, name, "pre-refresh", "Run pre-refresh hook of \"%s\" snap if present", name);
    if (installed) {
        chain_add(&ch, "stop-snap-services", "Stop snap \"%s\" services", name);
        chain_add(&ch, "remove-aliases", "Remove aliases for snap \"%s\"", name);
        chain_add(&ch, "unlink-current-snap", "Make current revision for snap \"%s\" unavailable", name);
    }
    if (!su->revert)
        chain_add(&ch, "copy-snap-data", "Copy snap \"%s\" data", name);
    chain_add(&ch, "setup-profiles", "Prepare snap \"%s\"%s for security profile setup", name, revs);
    chain_add(&ch, "link-snap", "Make snap \"%s\"%s available to the system", name, revs);
    chain_add(&ch, "auto-connect", "Automatically connect eligible plugs and slots of snap \"%s\"", name);
    chain_add(&ch, "set-auto-aliases", "Set automatic aliases for snap \"%s\"", name);
    chain_add(&ch, "setup-aliases", "Setup snap \"%s\" aliases", name);
    if (refresh_hooks)
        chain_add_hook(&ch, name, "post-refresh", "Run post-refresh hook of \"%s\" snap if present", name);
    else if (!installed) {
        chain_add_hook(&ch, name, "install", "Run install hook of \"%s\" snap if present", name);
        /* snapd: on a first install of a snap that has the hook, before its services start. */
        if (default_configure)
            chain_add_hook(&ch, name, "default-configure", "Run default-configure hook of \"%s\" snap", name);
    }
    chain_add(&ch, "start-snap-services", "Start snap \"%s\"%s services", name, revs);

    if (installed && !su->revert) {
        /* snapd's addCleanupTasks: what a previous revert left after current, then beyond retain. */
        unsigned retain = sn_snapmgr_refresh_retain(m->st);
        if (!present)
            retain--;
        ssize_t cur = snapmgr_seq_index(s, s->current);
        for (size_t i = (size_t)(cur + 1); cur >= 0 && i < s->n_sequence; i++)
            if (s->sequence[i].revision != su->revision)
                add_discard_revision(&ch, name, s->type, s->sequence[i].revision, false);
        for (ssize_t i = 0; cur >= 0 && i <= cur - (ssize_t)retain; i++)
            if (s->sequence[i].revision != su->revision)
                add_discard_revision(&ch, name, s->type, s->sequence[i].revision, false);
        chain_add(&ch, "cleanup", "Clean up \"%s\"%s install", name, revs);
    }
    chain_add_hook(&ch, name, "configure", "Run configure hook of \"%s\" snap if present", name);
    chain_add_hook(&ch, name, "check-health", "Run health check of \"%s\" snap", name);
    int r = chain_end(&ch);
    if (r >= 0)
        r = sn_new_change_add_snap(c, name);
    return r;
}

/* snapd's checks of a snap file that need no state: architectures. */
static int check_arch(const SnSnapInfo *info, SnError **reterr)
{
    if (!info->architectures)
        return 0;
    const char *mine = sn_api_dpkg_architecture();
    for (char **a = info->architectures; *a; a++)
        if (SN_STREQ(*a, "all") || SN_STREQ(*a, mine))
            return 0;
    SnBuf b = {0};
    for (char **a = info->architectures; *a; a++)
        sn_buf_printf(&b, "%s%s", a == info->architectures ? "" : ", ", *a);
    int r =
        sn_error_set(reterr, -EINVAL, "snap \"%s\" supported architectures (%s) are incompatible with this system (%s)",
                     info->name, b.data ? b.data : "", mine);
    sn_buf_done(&b);
    return r;
}

int sn_snapmgr_add_install_path(SnSnapMgr *m, SnNewChange *c, const char *path, const SnInstallOptions *opts,
                                SnError **reterr)
{
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    SnError *e = NULL;
    int r = sn_squashfs_open_at(AT_FDCWD, path, &sq, &e);
    if (r >= 0)
        r = sn_squashfs_read_file(sq, "meta/snap.yaml", SN_SNAP_YAML_MAX_SIZE, &yaml, &len, &e);
    if (r >= 0)
        r = sn_snap_yaml_parse(yaml, len, &info, &e);
    if (r < 0) {
        sn_error_set(reterr, r, "cannot read snap file: %s", sn_error_message(e, r));
        sn_error_free(e);
        return r;
    }
    if (opts->instance_name && !SN_STREQ(opts->instance_name, info->name))
        return sn_error_set(reterr, -EINVAL, "instance name \"%s\" does not match snap name \"%s\"",
                            opts->instance_name, info->name);
    r = check_arch(info, reterr);
    if (r < 0)
        return r;
    r = check_conflict(m->st, info->name, reterr);
    if (r < 0)
        return r;

    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = sn_snap_state_get(m->st, info->name, &s, NULL);
    if (r < 0 && r != -ENOENT)
        return sn_error_set(reterr, r, "cannot read the state of snap \"%s\"", info->name);

    static const char *const types[] = {"app", "gadget", "kernel", "base", "snapd", "os"};
    SnapSetup su = {
        .name = info->name,
        .revision = opts->revision,
        .snap_path = (char *)path,
        .remove_snap_path = opts->remove_path,
        .snap_id = (char *)(opts->snap_id ? opts->snap_id : ""),
        .type = (char *)types[info->type],
        .base = info->base ? info->base : "",
        .devmode = opts->devmode,
        .classic = opts->classic,
        .jailmode = opts->jailmode,
    };
    if (s && su.revision != 0 && snapmgr_seq_index(s, su.revision) >= 0) {
        if (su.revision == s->current && s->active)
            return sn_error_set(reterr, -EEXIST, "snap \"%s\" is already installed", info->name);
        /* That revision is on disk already: the file is not needed (snapd removes it here too). */
        if (opts->remove_path)
            (void)unlink(path);
        su.snap_path = NULL;
    }
    SnSquashfsStat hook;
    bool default_configure = sn_squashfs_lstat(sq, "meta/hooks/default-configure", &hook, NULL) >= 0;
    return add_install_chain(m, c, s, &su, default_configure);
}

int sn_snapmgr_add_revert(SnSnapMgr *m, SnNewChange *c, const char *name, int64_t revision, SnError **reterr)
{
    int r = check_conflict(m->st, name, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = load_installed(m->st, name, &s, reterr);
    if (r < 0)
        return r;
    char rb[24];
    if (revision == 0) {
        /* snapd's previousSideInfo: the revision before current in the sequence. */
        ssize_t cur = snapmgr_seq_index(s, s->current);
        if (cur <= 0)
            return sn_error_set(reterr, -EINVAL, "no revision to revert to");
        revision = s->sequence[cur - 1].revision;
    }
    if (revision == s->current)
        return sn_error_set(reterr, -EINVAL, "already on requested revision");
    if (!s->active)
        return sn_error_set(reterr, -EINVAL, "cannot revert inactive snaps");
    ssize_t i = snapmgr_seq_index(s, revision);
    if (i < 0)
        return sn_error_set(reterr, -EINVAL, "cannot find revision %s for snap \"%s\"", rev_str(revision, rb), name);
    SnapSetup su = {
        .name = (char *)name,
        .revision = revision,
        .snap_id = s->sequence[i].snap_id,
        .type = s->type,
        .base = (char *)(json_string_value(json_object_get(s->sequence[i].side_info, "base")) ?: ""),
        .devmode = json_is_true(json_object_get(s->flags, "devmode")),
        .classic = json_is_true(json_object_get(s->flags, "classic")),
        .jailmode = json_is_true(json_object_get(s->flags, "jailmode")),
        .revert = true,
    };
    return add_install_chain(m, c, s, &su, false);
}

int sn_snapmgr_add_remove(SnSnapMgr *m, SnNewChange *c, const char *name, int64_t revision, bool purge,
                          SnError **reterr)
{
    int r = check_conflict(m->st, name, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = load_installed(m->st, name, &s, reterr);
    if (r < 0)
        return r;
    char rb[24];
    bool all = revision == 0 || s->n_sequence == 1;
    if (revision != 0) {
        if (s->active && s->n_sequence > 1 && revision == s->current)
            return sn_error_set(reterr, -EINVAL, "cannot remove active revision %s of snap \"%s\" (revert first?)",
                                rev_str(revision, rb), name);
        if (snapmgr_seq_index(s, revision) < 0)
            return sn_error_set(reterr, -ENOENT, "revision %s of snap \"%s\" is not installed", rev_str(revision, rb),
                                name);
    }

    Chain ch;
    chain_begin(&ch, c);
    if (!all) {
        add_discard_revision(&ch, name, s->type, revision, false);
    } else {
        SnapSetup su = {.name = (char *)name, .revision = s->current, .type = s->type, .purge = purge};
        char cur[24];
        rev_str(s->current, cur);
        chain_add_setup(&ch, "stop-snap-services", &su, true, "Stop snap \"%s\" services", name);
        chain_add_hook(&ch, name, "remove", "Run remove hook of \"%s\" snap if present", name);
        chain_add(&ch, "auto-disconnect", "Disconnect interfaces of snap \"%s\"", name);
        chain_add(&ch, "remove-aliases", "Remove aliases for snap \"%s\"", name);
        chain_add(&ch, "unlink-snap", "Make snap \"%s\" unavailable to the system", name);
        chain_add(&ch, "remove-profiles", "Remove security profile for snap \"%s\" (%s)", name, cur);
        /* Inactive revisions first, the current one last (it removes the snap from the state). */
        for (size_t i = 0; i < s->n_sequence; i++)
            if (s->sequence[i].revision != s->current)
                add_discard_revision(&ch, name, s->type, s->sequence[i].revision, false);
        add_discard_revision(&ch, name, s->type, s->current, true);
        chain_add(&ch, "discard-conns", "Discard interface connections for snap \"%s\" (%s)", name, cur);
    }
    r = chain_end(&ch);
    if (r >= 0)
        r = sn_new_change_add_snap(c, name);
    return r;
}

int sn_snapmgr_add_enable(SnSnapMgr *m, SnNewChange *c, const char *name, SnError **reterr)
{
    int r = check_conflict(m->st, name, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = load_installed(m->st, name, &s, reterr);
    if (r < 0)
        return r;
    if (s->active)
        return sn_error_set(reterr, -EINVAL, "snap \"%s\" already enabled", name);
    char cur[24];
    rev_str(s->current, cur);
    SnapSetup su = {.name = (char *)name, .revision = s->current, .type = s->type};
    Chain ch;
    chain_begin(&ch, c);
    chain_add_setup(&ch, "prepare-snap", &su, true, "Prepare snap \"%s\" (%s)", name, cur);
    chain_add(&ch, "setup-profiles", "Setup snap \"%s\" (%s) security profiles", name, cur);
    chain_add(&ch, "link-snap", "Make snap \"%s\" (%s) available to the system", name, cur);
    chain_add(&ch, "setup-aliases", "Setup snap \"%s\" aliases", name);
    chain_add(&ch, "start-snap-services", "Start snap \"%s\" (%s) services", name, cur);
    r = chain_end(&ch);
    if (r >= 0)
        r = sn_new_change_add_snap(c, name);
    return r;
}

int sn_snapmgr_add_disable(SnSnapMgr *m, SnNewChange *c, const char *name, SnError **reterr)
{
    int r = check_conflict(m->st, name, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = load_installed(m->st, name, &s, reterr);
    if (r < 0)
        return r;
    if (!s->active)
        return sn_error_set(reterr, -EINVAL, "snap \"%s\" already disabled", name);
    char cur[24];
    rev_str(s->current, cur);
    SnapSetup su = {.name = (char *)name, .revision = s->current, .type = s->type};
    Chain ch;
    chain_begin(&ch, c);
    chain_add_setup(&ch, "stop-snap-services", &su, true, "Stop snap \"%s\" (%s) services", name, cur);
    chain_add(&ch, "remove-aliases", "Remove aliases for snap \"%s\"", name);
    chain_add(&ch, "unlink-snap", "Make snap \"%s\" (%s) unavailable to the system", name, cur);
    chain_add(&ch, "remove-profiles", "Remove security profiles of snap \"%s\"", name);
    r = chain_end(&ch);
    if (r >= 0)
        r = sn_new_change_add_snap(c, name);
    return r;
}

/* ---- after a reboot ---- */

int sn_snapmgr_ensure_mounts(SnSnapMgr *m, unsigned *ret_mounted, SnError **reterr)
{
    SnSnapState **v = NULL;
    size_t n = 0;
    sn_state_lock(m->st);
    int r = sn_snap_state_list(m->st, &v, &n, reterr);
    sn_state_unlock(m->st);
    if (r < 0)
        return r;
    unsigned mounted = 0;
    int first = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < v[i]->n_sequence; k++) {
            int64_t rev = v[i]->sequence[k].revision;
            char rb[24];
            _sn_free_ char *blob = snapmgr_blob_path(m, v[i]->name, rev);
            _sn_free_ char *where = snapmgr_mount_dir(m, v[i]->name, rev);
            if (!blob || !where) {
                r = -ENOMEM;
                goto out;
            }
            if (access(blob, F_OK) < 0)
                continue; /* a change in flight owns it: its handlers will mount it */
            if (sn_mount_is_mounted(where) > 0)
                continue;
            SnError *e = NULL;
            int q = sn_mkdir_p(where, 0755);
            if (q >= 0)
                q = sn_mount_snap_persistent(m->root, v[i]->name, rev_str(rev, rb), blob, where, &e);
            if (q < 0 && first == 0) {
                first = q;
                sn_error_set(reterr, q, "%s", sn_error_message(e, q));
            }
            sn_error_free(e);
            if (q >= 0)
                mounted++;
        }
out:
    sn_snap_state_array_free(v, n);
    if (r < 0)
        return r;
    if (ret_mounted)
        *ret_mounted = mounted;
    return first;
}

int sn_snapmgr_sweep_spool(SnSnapMgr *m, unsigned *ret_removed, SnError **reterr)
{
    _sn_free_ char *dir = sn_strdup_printf("%s/var/lib/snapd/snaps", m->root);
    if (!dir)
        return -ENOMEM;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) {
            if (ret_removed)
                *ret_removed = 0;
            return 0;
        }
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", dir);
    }
    unsigned removed = 0;
    int r = 0;
    struct dirent *de;
    sn_state_lock(m->st);
    while ((de = readdir(d))) {
        if (!sn_startswith(de->d_name, ".local-install-"))
            continue;
        _sn_free_ char *path = sn_strdup_printf("%s/%s", dir, de->d_name);
        _sn_stmt_ sqlite3_stmt *q = NULL;
        if (!path || (r = sn_state_prepare(m->st,
                                           "SELECT 1 FROM tasks t JOIN changes c ON c.id = t.change_id "
                                           "WHERE c.ready_time IS NULL AND instr(t.data, ?1) > 0 LIMIT 1",
                                           &q, reterr)) < 0) {
            r = r < 0 ? r : -ENOMEM;
            break;
        }
        sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW)
            continue; /* a change in flight will use it */
        if (unlinkat(dirfd(d), de->d_name, 0) == 0)
            removed++;
    }
    sn_state_unlock(m->st);
    closedir(d);
    if (r < 0)
        return r;
    if (ret_removed)
        *ret_removed = removed;
    return 0;
}
