/* SPDX-License-Identifier: GPL-3.0-only */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path-util.h"
#include "snap-container.h"
#include "squashfs-read.h"
#include "strutil.h"

/* ---- Go-compatible helpers ------------------------------------------------------------------- */

/* Length of a valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || (len == 2 && s[0] < 0xC2))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

char *sn_go_quote(const char *s)
{
    SnBuf b = {0};
    sn_buf_putc(&b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned char c = *p;
        const char *esc = NULL;
        switch (c) {
        case '\a':
            esc = "\\a";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\v':
            esc = "\\v";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '"':
            esc = "\\\"";
            break;
        default:
            break;
        }
        if (esc) {
            sn_buf_puts(&b, esc);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            sn_buf_printf(&b, "\\x%02x", c);
            p++;
        } else {
            size_t len = utf8_len(p);
            if (len == 0) {
                sn_buf_printf(&b, "\\x%02x", c);
                p++;
            } else {
                sn_buf_append(&b, p, len);
                p += len;
            }
        }
    }
    sn_buf_putc(&b, '"');
    return sn_buf_steal(&b);
}

void sn_go_mode_string(uint32_t mode, char ret[16])
{
    size_t w = 0;
    uint32_t fmt = mode & S_IFMT;
    if (fmt == S_IFDIR)
        ret[w++] = 'd';
    if (fmt == S_IFLNK)
        ret[w++] = 'L';
    if (fmt == S_IFBLK || fmt == S_IFCHR)
        ret[w++] = 'D';
    if (fmt == S_IFIFO)
        ret[w++] = 'p';
    if (fmt == S_IFSOCK)
        ret[w++] = 'S';
    if (mode & S_ISUID)
        ret[w++] = 'u';
    if (mode & S_ISGID)
        ret[w++] = 'g';
    if (fmt == S_IFCHR)
        ret[w++] = 'c';
    if (mode & S_ISVTX)
        ret[w++] = 't';
    if (w == 0)
        ret[w++] = '-';
    static const char rwx[] = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        ret[w++] = (mode & (1u << (8 - i))) ? rwx[i] : '-';
    ret[w] = '\0';
}

/* ---- containers ------------------------------------------------------------------------------ */

static int dir_lstat(SnContainer *c, const char *path, uint32_t *ret_mode)
{
    struct stat st;
    if (fstatat(c->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return sn_negative_errno();
    *ret_mode = st.st_mode & (S_IFMT | 07777);
    return 0;
}

static int dir_readlink(SnContainer *c, const char *path, char **ret)
{
    char buf[4096];
    ssize_t n = readlinkat(c->dirfd, path, buf, sizeof(buf) - 1);
    if (n < 0)
        return sn_negative_errno();
    buf[n] = '\0';
    *ret = strdup(buf);
    return *ret ? 0 : -ENOMEM;
}

static int strv_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dir_list(SnContainer *c, const char *path, char ***ret)
{
    int fd = openat(c->dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return sn_negative_errno();
    DIR *d = fdopendir(fd);
    if (!d) {
        sn_safe_close(fd);
        return -ENOMEM;
    }
    _sn_strv_free_ char **v = calloc(1, sizeof(char *));
    int r = v ? 0 : -ENOMEM;
    for (struct dirent *de; r >= 0 && (errno = 0, de = readdir(d));)
        if (!SN_STREQ(de->d_name, ".") && !SN_STREQ(de->d_name, ".."))
            r = sn_strv_push(&v, de->d_name);
    if (r >= 0 && errno)
        r = sn_negative_errno();
    closedir(d);
    if (r < 0)
        return r;
    qsort(v, sn_strv_length(v), sizeof(char *), strv_cmp);
    *ret = SN_TAKE_PTR(v);
    return 0;
}

SnContainer sn_container_from_dir(int dirfd)
{
    return (SnContainer){.lstat = dir_lstat, .readlink = dir_readlink, .list = dir_list, .dirfd = dirfd};
}

static int sq_lstat(SnContainer *c, const char *path, uint32_t *ret_mode)
{
    SnSquashfsStat st;
    int r = sn_squashfs_lstat(c->sq, path, &st, NULL);
    if (r < 0)
        return r;
    *ret_mode = st.mode;
    return 0;
}

static int sq_readlink(SnContainer *c, const char *path, char **ret)
{
    return sn_squashfs_readlink(c->sq, path, ret, NULL);
}

static int sq_list(SnContainer *c, const char *path, char ***ret)
{
    return sn_squashfs_list_dir(c->sq, path, ret, NULL);
}

SnContainer sn_container_from_squashfs(SnSquashfs *sq)
{
    return (SnContainer){.lstat = sq_lstat, .readlink = sq_readlink, .list = sq_list, .dirfd = -1, .sq = sq};
}

/* ---- the check ------------------------------------------------------------------------------- */

/* A small set of paths (the needs* maps of snapd). */
typedef struct PathSet {
    char **v;
} PathSet;

static bool set_has(const PathSet *s, const char *p)
{
    return sn_strv_contains(s->v, p);
}

static int set_add(PathSet *s, const char *p)
{
    if (set_has(s, p))
        return 0;
    return sn_strv_push(&s->v, p);
}

static void set_del(PathSet *s, const char *p)
{
    if (!s->v)
        return;
    for (size_t i = 0; s->v[i]; i++)
        if (SN_STREQ(s->v[i], p)) {
            free(s->v[i]);
            memmove(&s->v[i], &s->v[i + 1], (sn_strv_length(s->v + i + 1) + 1) * sizeof(char *));
            return;
        }
}

static size_t set_len(const PathSet *s)
{
    return sn_strv_length(s->v);
}

/* snapd's normPath: clean, drop a leading '/', ignore paths going outside, cut at a space. */
static char *norm_path(const char *path)
{
    if (!path || !*path)
        return strdup("");
    _sn_free_ char *clean = sn_path_clean(path);
    if (!clean)
        return NULL;
    const char *p = clean[0] == '/' ? clean + 1 : clean;
    if (sn_startswith(p, "../"))
        return strdup("");
    return strndup(p, strcspn(p, " "));
}

/* Go's filepath.Dir on a clean relative path. */
static void path_dir(char *p)
{
    char *slash = strrchr(p, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(p, ".");
}

typedef struct Check {
    SnContainer *c;
    const char *name;
    PathSet needsrx, needsx, needsr, needsf, noskipd, seen;
    char *first_bad;
    SnContainerLogFn logf;
    void *userdata;
} Check;

static void check_done(Check *k)
{
    PathSet *sets[] = {&k->needsrx, &k->needsx, &k->needsr, &k->needsf, &k->noskipd, &k->seen};
    for (size_t i = 0; i < SN_ELEMENTSOF(sets); i++)
        sets[i]->v = sn_strv_free(sets[i]->v);
    free(k->first_bad);
}

static void logv(Check *k, const char *fmt, ...) _sn_printf_(2, 3);
static void logv(Check *k, const char *fmt, ...)
{
    if (!k->logf)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) >= 0) {
        k->logf(msg, k->userdata);
        free(msg);
    }
    va_end(ap);
}

/* Records a bad-mode problem (the first one becomes the error) and logs it. */
static int bad(Check *k, char *msg)
{
    if (!msg)
        return -ENOMEM;
    _sn_free_ char *qname = sn_go_quote(k->name);
    logv(k, "in snap %s: %s", qname ? qname : k->name, msg);
    if (!k->first_bad)
        k->first_bad = msg;
    else
        free(msg);
    return 0;
}

typedef struct SymlinkInfo {
    char *target;
    uint32_t target_mode;
    char *naive_target;
    bool external;
} SymlinkInfo;

static void symlink_info_done(SymlinkInfo *s)
{
    free(s->target);
    free(s->naive_target);
}

/* snapd's evalSymlink: follows symlinks inside the container, at most 10 levels. */
static int eval_symlink(Check *k, const char *path_in, SymlinkInfo *ret, char **ret_err)
{
    _sn_free_ char *path = strdup(path_in);
    if (!path)
        return -ENOMEM;
    for (int depth = 1; depth <= 10; depth++) {
        _sn_free_ char *target = NULL;
        int r = k->c->readlink(k->c, path, &target);
        if (r < 0) {
            *ret_err = sn_strdup_printf("readlink %s: %s", path, strerror(-r));
            return -EINVAL;
        }
        if (depth == 1 && !(ret->naive_target = strdup(target)))
            return -ENOMEM;
        _sn_free_ char *clean = sn_path_clean(target);
        if (!clean)
            return -ENOMEM;
        if (clean[0] == '/') {
            ret->target = SN_TAKE_PTR(clean);
            ret->external = true;
            return 0;
        }
        _sn_free_ char *dir = strdup(path);
        if (!dir)
            return -ENOMEM;
        path_dir(dir);
        _sn_free_ char *joined = sn_strdup_printf("%s/%s", dir, clean);
        _sn_free_ char *next = joined ? sn_path_clean(joined) : NULL;
        if (!next)
            return -ENOMEM;
        if (SN_STREQ(next, "..") || sn_startswith(next, "../")) {
            ret->target = SN_TAKE_PTR(next);
            ret->external = true;
            return 0;
        }
        uint32_t mode;
        r = k->c->lstat(k->c, next, &mode);
        if (r < 0) {
            *ret_err = sn_strdup_printf("lstat %s: %s", next, strerror(-r));
            return -EINVAL;
        }
        if (!S_ISLNK(mode)) {
            ret->target = SN_TAKE_PTR(next);
            ret->target_mode = mode;
            return 0;
        }
        free(path);
        path = SN_TAKE_PTR(next);
    }
    *ret_err = strdup("too many levels of symbolic links");
    return -EINVAL;
}

/* snapd's evalAndValidateSymlink; on a problem returns -EINVAL with *ret_err set. */
static int validate_symlink(Check *k, const char *path, uint32_t *ret_mode, char **ret_err)
{
    if (SN_STREQ(path, "meta")) {
        *ret_err = strdup("meta directory cannot be a symlink");
        return -EINVAL;
    }
    SymlinkInfo si = {0};
    int r = eval_symlink(k, path, &si, ret_err);
    if (r >= 0) {
        if (si.external) {
            *ret_err = sn_strdup_printf("external symlink found: %s -> %s", path, si.naive_target);
            r = -EINVAL;
        } else if (SN_STREQ(si.target, ".") || SN_STREQ(si.target, "meta")) {
            *ret_err = sn_strdup_printf("bad symlink found: %s -> %s", path, si.naive_target);
            r = -EINVAL;
        } else {
            *ret_mode = si.target_mode;
        }
    }
    symlink_info_done(&si);
    return r;
}

static int check_entry(Check *k, const char *path, uint32_t mode, bool *ret_descend)
{
    bool rx = set_has(&k->needsrx, path), x = set_has(&k->needsx, path), rd = set_has(&k->needsr, path);
    bool in_meta = sn_startswith(path, "meta/");
    int r;
    if (rx || x || rd) {
        r = set_add(&k->seen, path);
        if (r < 0)
            return r;
    }
    *ret_descend = S_ISDIR(mode);
    if (!rx && !x && !rd && !in_meta) {
        if (S_ISDIR(mode))
            *ret_descend = set_has(&k->noskipd, path);
        return 0;
    }
    if (S_ISLNK(mode) && (SN_STREQ(path, "meta") || sn_startswith(path, "meta/"))) {
        char *err = NULL;
        uint32_t target_mode = 0;
        r = validate_symlink(k, path, &target_mode, &err);
        if (r == -EINVAL) {
            r = bad(k, err ? err : strdup("bad symlink"));
            if (r < 0)
                return r;
        } else if (r < 0) {
            return r;
        } else {
            mode = target_mode;
        }
    }
    char ms[16];
    sn_go_mode_string(mode, ms);
    _sn_free_ char *q = sn_go_quote(path);
    if (!q)
        return -ENOMEM;
    if (S_ISDIR(mode)) {
        if ((mode & 0555) != 0555)
            return bad(k, sn_strdup_printf("%s should be world-readable and executable, and isn't: %s", q, ms));
        return 0;
    }
    if (rx && (mode & 0555) != 0555 &&
        (r = bad(k, sn_strdup_printf("%s should be world-readable and executable, and isn't: %s", q, ms))) < 0)
        return r;
    if ((set_has(&k->needsf, path) || in_meta) &&
        (S_ISFIFO(mode) || S_ISSOCK(mode) || S_ISCHR(mode) || S_ISBLK(mode)) &&
        (r = bad(k, sn_strdup_printf("%s should be a regular file (or a symlink) and isn't", q))) < 0)
        return r;
    if (x || sn_startswith(path, "meta/hooks/")) {
        if ((mode & 0111) == 0)
            return bad(k, sn_strdup_printf("%s should be executable, and isn't: %s", q, ms));
    } else if ((mode & 0444) != 0444) {
        return bad(k, sn_strdup_printf("%s should be world-readable, and isn't: %s", q, ms));
    }
    return 0;
}

static int walk(Check *k, const char *path, unsigned depth)
{
    uint32_t mode;
    int r = k->c->lstat(k->c, path, &mode);
    if (r < 0)
        return r;
    bool descend = false;
    r = check_entry(k, path, mode, &descend);
    if (r < 0 || !descend || !S_ISDIR(mode))
        return r;
    if (depth > 256)
        return -ELOOP;
    _sn_strv_free_ char **names = NULL;
    r = k->c->list(k->c, path, &names);
    if (r < 0)
        return r;
    for (char **n = names; n && *n; n++) {
        _sn_free_ char *child = SN_STREQ(path, ".") ? strdup(*n) : sn_strdup_printf("%s/%s", path, *n);
        if (!child)
            return -ENOMEM;
        r = walk(k, child, depth + 1);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Adds path and its parents (not ".") to bag, path itself to needsf (and needsx for services). */
static int add_app_path(Check *k, PathSet *bag, const char *raw, bool service)
{
    _sn_free_ char *p = norm_path(raw);
    if (!p)
        return -ENOMEM;
    if (!*p)
        return 0;
    int r = set_add(&k->needsf, p);
    if (r >= 0 && service)
        r = set_add(&k->needsx, p);
    for (; r >= 0 && !SN_STREQ(p, "."); path_dir(p))
        r = set_add(bag, p);
    return r;
}

static int prepare_needs(Check *k, const SnSnapInfo *info)
{
    int r = 0;
    r = r < 0 ? r : set_add(&k->needsrx, ".");
    r = r < 0 ? r : set_add(&k->needsrx, "meta");
    r = r < 0 ? r : set_add(&k->needsr, "meta/snap.yaml");
    for (size_t i = 0; r >= 0 && i < info->n_apps; i++) {
        const SnApp *app = &info->apps[i];
        bool service = app->daemon != NULL;
        PathSet *bag = service ? &k->noskipd : &k->needsrx;
        const char *paths[] = {app->command, service ? app->stop_command : NULL, service ? app->reload_command : NULL,
                               service ? app->post_stop_command : NULL};
        for (size_t j = 0; r >= 0 && j < SN_ELEMENTSOF(paths); j++)
            r = add_app_path(k, bag, paths[j], service);
        if (r < 0)
            return r;
        _sn_free_ char *comp = norm_path(app->completer);
        if (!comp)
            return -ENOMEM;
        if (*comp) {
            r = set_add(&k->needsr, comp);
            for (path_dir(comp); r >= 0 && !SN_STREQ(comp, "."); path_dir(comp))
                r = set_add(&k->needsrx, comp);
        }
    }
    if (r < 0)
        return r;
    for (char **i = k->needsr.v; i && *i; i++)
        if ((r = set_add(&k->needsf, *i)) < 0)
            return r;
    for (char **i = k->needsrx.v; i && *i; i++) {
        set_del(&k->needsx, *i);
        set_del(&k->needsr, *i);
    }
    for (size_t i = 0; k->needsx.v && k->needsx.v[i];) {
        _sn_free_ char *p = strdup(k->needsx.v[i]);
        if (!p)
            return -ENOMEM;
        if (set_has(&k->needsr, p)) {
            set_del(&k->needsx, p);
            set_del(&k->needsr, p);
            if ((r = set_add(&k->needsrx, p)) < 0)
                return r;
        } else {
            i++;
        }
    }
    return 0;
}

int sn_snap_container_validate(SnContainer *c, const SnSnapInfo *info, SnContainerLogFn logf, void *userdata,
                               SnError **reterr)
{
    Check k = {.c = c, .name = info->name ? info->name : "", .logf = logf, .userdata = userdata};
    int r = prepare_needs(&k, info);
    if (r >= 0)
        r = walk(&k, ".", 0);
    if (r < 0) {
        check_done(&k);
        return sn_error_set(reterr, r, "cannot read snap contents: %s", strerror(-r));
    }
    if (set_len(&k.seen) != set_len(&k.needsx) + set_len(&k.needsrx) + set_len(&k.needsr)) {
        const PathSet *order[] = {&k.needsx, &k.needsrx, &k.needsr};
        const char *first = NULL;
        _sn_free_ char *qname = sn_go_quote(k.name);
        for (size_t i = 0; i < SN_ELEMENTSOF(order); i++)
            for (char **p = order[i]->v; p && *p; p++)
                if (!set_has(&k.seen, *p)) {
                    _sn_free_ char *q = sn_go_quote(*p);
                    logv(&k, "in snap %s: path %s does not exist", qname ? qname : k.name, q ? q : *p);
                    if (!first)
                        first = *p;
                }
        _sn_free_ char *q = sn_go_quote(first ? first : "");
        r = sn_error_set(reterr, -ENOENT, "snap is unusable due to missing files: path %s does not exist", q ? q : "");
        check_done(&k);
        return r;
    }
    if (k.first_bad) {
        r = sn_error_set(reterr, -EACCES, "snap is unusable due to bad permissions: %s", k.first_bad);
        check_done(&k);
        return r;
    }
    check_done(&k);
    return 0;
}

/* ---- layouts and content plugs (snap pack, bases after core24) -------------------------------- */

static bool is_dir_in(SnContainer *c, const char *rel)
{
    uint32_t mode;
    return c->lstat(c, rel, &mode) >= 0 && S_ISDIR(mode);
}

static bool is_file_in(SnContainer *c, const char *rel)
{
    uint32_t mode;
    return c->lstat(c, rel, &mode) >= 0 && S_ISREG(mode);
}

/* $SNAP-relative path of a $SNAP path, or NULL when it is $SNAP_DATA/$SNAP_COMMON or only $SNAP. */
static const char *snap_relative(const char *p, bool require_snap_prefix)
{
    if (sn_startswith(p, "$SNAP_DATA") || sn_startswith(p, "$SNAP_COMMON"))
        return NULL;
    if (require_snap_prefix && !sn_startswith(p, "$SNAP"))
        return NULL;
    if (sn_startswith(p, "$SNAP"))
        p += strlen("$SNAP");
    if (*p == '/')
        p++;
    return *p ? p : NULL;
}

static int cmp_layout(const void *a, const void *b)
{
    return strcmp((*(const SnLayout *const *)a)->path, (*(const SnLayout *const *)b)->path);
}

int sn_snap_container_validate_layout_and_content(SnContainer *c, const SnSnapInfo *info, SnError **reterr)
{
    static const char *const excluded[] = {"core", "core18", "core20", "core22", "core24"};
    const char *base = info->base && *info->base ? info->base : "core";
    for (size_t i = 0; i < SN_ELEMENTSOF(excluded); i++)
        if (SN_STREQ(base, excluded[i]))
            return 0;

    for (size_t i = 0; i < info->n_plugs; i++) {
        const SnPlugSlot *plug = &info->plugs[i];
        if (!plug->interface || !SN_STREQ(plug->interface, "content") || plug->attrs.kind != SN_YAML_MAP)
            continue;
        const char *target = NULL;
        for (size_t j = 0; j < plug->attrs.n_items; j++)
            if (SN_STREQ(plug->attrs.keys[j], "target") && plug->attrs.items[j].kind == SN_YAML_SCALAR)
                target = plug->attrs.items[j].scalar;
        if (!target || !*target)
            continue;
        const char *rel = snap_relative(target, false);
        if (rel && !is_dir_in(c, rel))
            return sn_error_set(reterr, -ENOENT,
                                "content interface plug \"%s\" target %s must exist and must be a directory, ensure "
                                "it is present in the snap or created before packing",
                                plug->name, target);
    }

    _sn_free_ const SnLayout **sorted = calloc(info->n_layout + 1, sizeof(SnLayout *));
    if (!sorted)
        return -ENOMEM;
    for (size_t i = 0; i < info->n_layout; i++)
        sorted[i] = &info->layout[i];
    qsort(sorted, info->n_layout, sizeof(SnLayout *), cmp_layout);
    for (size_t i = 0; i < info->n_layout; i++) {
        const SnLayout *l = sorted[i];
        if (l->type && SN_STREQ(l->type, "tmpfs")) {
            const char *rel = snap_relative(l->path, true);
            if (rel && !is_dir_in(c, rel))
                return sn_error_set(reterr, -ENOENT,
                                    "layout \"%s\" must exist as a directory in the snap, ensure it is present or "
                                    "created before packing",
                                    l->path);
            continue;
        }
        const char *source = l->bind ? l->bind : l->bind_file;
        if (!source || !*source)
            continue;
        const char *rel = snap_relative(source, false);
        if (!rel)
            continue;
        if (l->bind && !is_dir_in(c, rel))
            return sn_error_set(reterr, -ENOENT,
                                "layout \"%s\" source \"%s\" must exist and be a directory, ensure it is present in "
                                "the snap or created before packing",
                                l->path, source);
        if (!l->bind && l->bind_file && !is_file_in(c, rel))
            return sn_error_set(reterr, -ENOENT,
                                "layout \"%s\" source \"%s\" must exist and be a file, ensure it is present in the "
                                "snap or created before packing",
                                l->path, source);
    }
    return 0;
}
