/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's snap.Validate for layouts (snap/validate.go ValidateLayoutAll): Go's filepath.Clean,
 * the $SNAP variables a layout may use, off-limits and new top-level directories, sources and
 * symlink targets, and bind/bind-file agreement.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path-util.h"
#include "snap-yaml-validate-internal.h"
#include "strutil.h"

/* ---- paths ---- */

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* os.Expand with $SNAP, $SNAP_DATA and $SNAP_COMMON of an unset revision; other variables expand to "". */
static char *expand_snap_vars(const SnSnapInfo *info, const char *path)
{
    SnBuf b = {0};
    const char *name = info->name ? info->name : "";
    for (const char *p = path; *p;) {
        if (*p != '$' || !p[1]) {
            sn_buf_putc(&b, *p++);
            continue;
        }
        const char *v = p + 1;
        size_t vlen = 0, skip;
        if (*v == '{') {
            const char *close = strchr(v, '}');
            if (!close || close == v + 1) {
                /* Bad syntax: eat "${" (or "${}"). */
                p += close ? 3 : 2;
                continue;
            }
            v++;
            vlen = (size_t)(close - v);
            skip = vlen + 3;
        } else if (strchr("*#$@!?-0123456789", *v)) {
            vlen = 1;
            skip = 2;
        } else {
            while (is_name_char(v[vlen]))
                vlen++;
            if (vlen == 0) {
                sn_buf_putc(&b, *p++);
                continue;
            }
            skip = vlen + 1;
        }
        if (vlen == 4 && memcmp(v, "SNAP", 4) == 0)
            sn_buf_printf(&b, "/snap/%s/unset", name);
        else if (vlen == 9 && memcmp(v, "SNAP_DATA", 9) == 0)
            sn_buf_printf(&b, "/var/snap/%s/unset", name);
        else if (vlen == 11 && memcmp(v, "SNAP_COMMON", 11) == 0)
            sn_buf_printf(&b, "/var/snap/%s/common", name);
        p += skip;
    }
    return sn_buf_steal(&b);
}

/* ---- layout ---- */

#define AARE_CHARS "?*[]{}^\""

static bool has_aare(const char *s)
{
    return strpbrk(s, AARE_CHARS) != NULL;
}

static bool path_variables_ok(const char *path, char **ret_bad)
{
    for (const char *p = strchr(path, '$'); p; p = strchr(p, '$')) {
        p++;
        size_t n = 0;
        while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || p[n] == '_')
            n++;
        if (!((n == 4 && memcmp(p, "SNAP", 4) == 0) || (n == 9 && memcmp(p, "SNAP_DATA", 9) == 0) ||
              (n == 11 && memcmp(p, "SNAP_COMMON", 11) == 0))) {
            *ret_bad = strndup(p, n);
            return false;
        }
        p += n;
    }
    return true;
}

static bool abs_and_clean(const char *path)
{
    if (path[0] != '/' && path[0] != '$')
        return false;
    _sn_free_ char *c = sn_path_clean(path);
    return c && SN_STREQ(c, path);
}

static bool under(const char *path, const char *mount)
{
    size_t n = strlen(mount);
    return SN_STREQ(path, mount) || (strncmp(path, mount, n) == 0 && path[n] == '/');
}

typedef struct ExpandedLayout {
    const SnLayout *l;
    char *path; /* expanded mount point */
} ExpandedLayout;

static int cmp_layout(const void *a, const void *b)
{
    return strcmp(((const ExpandedLayout *)a)->l->path, ((const ExpandedLayout *)b)->l->path);
}

/* Source or symlink target: known variables only, absolute and clean, under $SNAP / $SNAP_DATA / $SNAP_COMMON. */
static int check_source(const SnSnapInfo *info, const SnLayout *l, const char *what, const char *src, SnError **reterr)
{
    _sn_free_ char *bad = NULL, *ex = NULL, *snap = NULL, *data = NULL, *common = NULL;
    if (!path_variables_ok(src, &bad))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid %s \"%s\": reference to unknown variable \"$%s\"",
                    l->path, what, src, bad ? bad : "");
    ex = expand_snap_vars(info, src);
    snap = expand_snap_vars(info, "$SNAP");
    data = expand_snap_vars(info, "$SNAP_DATA");
    common = expand_snap_vars(info, "$SNAP_COMMON");
    if (!ex || !snap || !data || !common)
        return -ENOMEM;
    if (!abs_and_clean(ex))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid %s \"%s\": must be absolute and clean", l->path, what,
                    ex);
    if (!sn_startswith(ex, snap) && !sn_startswith(ex, data) && !sn_startswith(ex, common))
        return VERR(reterr, l->line,
                    "layout \"%s\" uses invalid %s \"%s\": must start with $SNAP, $SNAP_DATA or $SNAP_COMMON", l->path,
                    what, ex);
    if (has_aare(ex))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid %s: \"%s\" contains a reserved apparmor char from %s",
                    l->path, SN_STREQ(what, "symlink old name") ? "symlink" : "mount source", ex, AARE_CHARS);
    return 0;
}

static int validate_layout_item(const SnSnapInfo *info, const ExpandedLayout *e, const ExpandedLayout *prior,
                                size_t n_prior, SnError **reterr)
{
    static const char *const rejected[] = {"/dev",          "/proc",
                                           "/sys",          "/media",
                                           "/run",          "/var/run",
                                           "/tmp",          "/var/lib/snapd",
                                           "/lib/firmware", "/usr/lib/firmware",
                                           "/lib/modules",  "/usr/lib/modules",
                                           "/var/snap",     "/home",
                                           "/boot",         "/lost+found"};
    const SnLayout *l = e->l;
    _sn_free_ char *bad = NULL;
    int r;

    if (!*l->path)
        return VERR(reterr, l->line, "layout cannot use an empty path");
    if (!path_variables_ok(l->path, &bad))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid mount point: reference to unknown variable \"$%s\"",
                    l->path, bad ? bad : "");
    if (!abs_and_clean(e->path))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid mount point: must be absolute and clean", l->path);
    for (size_t i = 0; i < SN_ELEMENTSOF(rejected); i++)
        if (under(e->path, rejected[i]))
            return VERR(reterr, l->line, "layout \"%s\" in an off-limits area", l->path);
    for (size_t i = 0; i < n_prior; i++)
        if (under(e->path, prior[i].path))
            return VERR(reterr, l->line, "layout \"%s\" underneath prior layout item \"%s\"", l->path, prior[i].path);

    int used =
        (l->bind && *l->bind) + (l->bind_file && *l->bind_file) + (l->type && *l->type) + (l->symlink && *l->symlink);
    if (used != 1)
        return VERR(reterr, l->line, "layout \"%s\" must define a bind mount, a filesystem mount or a symlink",
                    l->path);
    if ((l->bind && *l->bind) || (l->bind_file && *l->bind_file)) {
        r = check_source(info, l, "bind mount source", l->bind && *l->bind ? l->bind : l->bind_file, reterr);
        if (r < 0)
            return r;
    }
    if (l->type && *l->type && !SN_STREQ(l->type, "tmpfs"))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid filesystem \"%s\"", l->path, l->type);
    if (l->symlink && *l->symlink) {
        r = check_source(info, l, "symlink old name", l->symlink, reterr);
        if (r < 0)
            return r;
    }
    if (l->user && *l->user && !SN_STREQ(l->user, "root"))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid user \"%s\"", l->path, l->user);
    if (l->group && *l->group && !SN_STREQ(l->group, "root"))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid group \"%s\"", l->path, l->group);
    if ((l->mode & 01777u) != l->mode)
        return VERR(reterr, l->line, "layout \"%s\" uses invalid mode %#o", l->path, l->mode);
    return 0;
}

int sn_snap_yaml_validate_layouts(const SnSnapInfo *info, SnError **reterr)
{
    size_t n = info->n_layout;
    int r = 0;
    _sn_free_ char *own = NULL;
    if (n == 0)
        return 0;
    ExpandedLayout *ex = calloc(n, sizeof(*ex));
    if (!ex)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        ex[i].l = &info->layout[i];
        ex[i].path = expand_snap_vars(info, info->layout[i].path);
        if (!ex[i].path) {
            r = -ENOMEM;
            goto out;
        }
    }

    /* No new top-level directories (and no AppArmor patterns in the path). */
    for (size_t i = 0; i < n; i++) {
        const SnLayout *l = ex[i].l;
        if (has_aare(l->path)) {
            r = VERR(reterr, l->line, "invalid layout path: \"%s\" contains a reserved apparmor char from %s", l->path,
                     AARE_CHARS);
            goto out;
        }
        _sn_free_ char *clean = sn_path_clean(l->path);
        _sn_free_ char *cex = clean ? expand_snap_vars(info, clean) : NULL;
        if (!cex) {
            r = -ENOMEM;
            goto out;
        }
        char *slash = strchr(cex, '/');
        if (!slash)
            continue;
        if (slash != cex) {
            r = VERR(reterr, l->line, "layout \"%s\" is a relative filename", l->path);
            goto out;
        }
        const char *top = cex + 1;
        size_t tl = strcspn(top, "/");
        if (tl == 0)
            continue;
        static const char *const allowed[] = {"bin",  "etc",  "lib",  "lib64", "meta", "mnt", "opt",
                                              "root", "sbin", "snap", "srv",   "usr",  "var", "writable"};
        bool ok = false;
        for (size_t k = 0; k < SN_ELEMENTSOF(allowed); k++)
            ok = ok || (strlen(allowed[k]) == tl && memcmp(allowed[k], top, tl) == 0);
        if (!ok) {
            r = VERR(reterr, l->line, "layout \"%s\" defines a new top-level directory \"/%.*s\"", l->path, (int)tl,
                     top);
            goto out;
        }
    }

    qsort(ex, n, sizeof(*ex), cmp_layout);

    /* A source is used as a directory (bind) or as a file (bind-file), not both. */
    for (size_t i = 0; i < n; i++) {
        const SnLayout *l = ex[i].l;
        const char *src = l->bind && *l->bind ? l->bind : l->bind_file && *l->bind_file ? l->bind_file : NULL;
        if (!src)
            continue;
        bool dir = l->bind && *l->bind;
        _sn_free_ char *s1 = expand_snap_vars(info, src);
        if (!s1) {
            r = -ENOMEM;
            goto out;
        }
        for (size_t j = 0; j < i; j++) {
            const SnLayout *o = ex[j].l;
            const char *osrc = o->bind && *o->bind ? o->bind : o->bind_file && *o->bind_file ? o->bind_file : NULL;
            if (!osrc)
                continue;
            bool odir = o->bind && *o->bind;
            _sn_free_ char *s2 = expand_snap_vars(info, osrc);
            if (!s2) {
                r = -ENOMEM;
                goto out;
            }
            if (SN_STREQ(s1, s2) && dir != odir) {
                r = dir ? VERR(reterr, l->line,
                               "layout \"%s\" refers to directory \"%s\" but another layout treats it as file", l->path,
                               src)
                        : VERR(reterr, l->line,
                               "layout \"%s\" refers to file \"%s\" but another layout treats it as a directory",
                               l->path, src);
                goto out;
            }
        }
    }

    own = sn_strdup_printf("/snap/%s", info->name ? info->name : "");
    if (!own) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (sn_startswith(ex[i].l->path, "/snap/") && !sn_startswith(ex[i].l->path, own)) {
            r = VERR(reterr, ex[i].l->line, "layout \"%s\" defines a layout in space belonging to another snap",
                     ex[i].l->path);
            goto out;
        }

    for (size_t i = 0; i < n; i++) {
        r = validate_layout_item(info, &ex[i], ex, i, reterr);
        if (r < 0)
            goto out;
    }
out:
    for (size_t i = 0; i < n; i++)
        free(ex[i].path);
    free(ex);
    return r;
}
