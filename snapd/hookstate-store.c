/* SPDX-License-Identifier: GPL-3.0-only */
/* hookstate.h's state parts: run-hook task data, snap cookies, health records. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "fd-util.h"
#include "fileio.h"
#include "hookstate.h"
#include "naming.h"
#include "state-snap.h"
#include "strutil.h"

/* ---- task data ---- */

json_t *sn_hookstate_task_data(const char *snap, const char *hook, unsigned flags, int64_t timeout_ns)
{
    json_t *setup = json_pack("{s:s, s:s}", "snap", snap, "hook", hook);
    if (!setup)
        return NULL;
    int r = 0;
    if (flags & SN_HOOK_OPTIONAL)
        r |= json_object_set_new(setup, "optional", json_true());
    if (flags & SN_HOOK_ALWAYS)
        r |= json_object_set_new(setup, "always", json_true());
    if (flags & SN_HOOK_IGNORE_ERROR)
        r |= json_object_set_new(setup, "ignore-error", json_true());
    if (timeout_ns > 0)
        r |= json_object_set_new(setup, "timeout", json_integer(timeout_ns));
    json_t *data = r == 0 ? json_pack("{s:o}", "hook-setup", setup) : NULL;
    if (!data && r != 0)
        json_decref(setup);
    return data;
}

int sn_hookstate_add_task(SnNewChange *c, const char *snap, const char *hook, unsigned flags, const char *summary,
                          size_t *ret_index)
{
    json_t *data = sn_hookstate_task_data(snap, hook, flags, 0);
    if (!data)
        return -ENOMEM;
    int r = sn_new_change_add_task(c, "run-hook", summary, data, ret_index);
    json_decref(data);
    return r;
}

/* ---- cookies ---- */

#define COOKIE_BYTES 39

static json_t *load_kv_object(SnState *st, const char *key, SnError **reterr, int *ret)
{
    _sn_free_ char *text = NULL;
    *ret = sn_state_kv_get(st, key, &text, reterr);
    if (*ret < 0)
        return NULL;
    json_t *o = text ? json_loads(text, 0, NULL) : json_object();
    if (!json_is_object(o)) {
        json_decref(o);
        *ret = sn_error_set(reterr, -EIO, "internal error: cannot unmarshal \"%s\" from the state", key);
        return NULL;
    }
    return o;
}

static int store_kv_object(SnState *st, const char *key, json_t *o, SnError **reterr)
{
    _sn_free_ char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return -ENOMEM;
    return sn_state_kv_set(st, key, text, reterr);
}

static char *cookie_dir(SnState *st)
{
    return sn_strdup_printf("%s/var/lib/snapd/cookie", sn_state_root(st));
}

static int write_cookie_file(SnState *st, const char *snap, const char *cookie, SnError **reterr)
{
    _sn_free_ char *dir = cookie_dir(st);
    _sn_free_ char *name = sn_strdup_printf("snap.%s", snap);
    if (!dir || !name)
        return -ENOMEM;
    if (sn_mkdir_p(dir, 0700) < 0)
        return sn_error_set(reterr, -errno ?: -EIO, "cannot create %s: %m", dir);
    _sn_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return sn_error_set(reterr, -errno, "cannot open %s: %m", dir);
    int r = sn_faulty("cookie-write") ? -EIO : sn_write_file_atomic(dfd, name, cookie, strlen(cookie), 0600);
    if (r < 0)
        return sn_error_set(reterr, r, "Failed to create cookie file \"%s/%s\": %s", dir, name, strerror(-r));
    return 0;
}

static int remove_cookie_file(SnState *st, const char *snap, SnError **reterr)
{
    _sn_free_ char *path = sn_strdup_printf("%s/var/lib/snapd/cookie/snap.%s", sn_state_root(st), snap);
    if (!path)
        return -ENOMEM;
    if (unlink(path) < 0 && errno != ENOENT)
        return sn_error_set(reterr, -errno, "Failed to remove cookie file \"%s\": %m", path);
    return 0;
}

static char *make_cookie(void)
{
    unsigned char raw[COOKIE_BYTES];
    size_t got = 0;
    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        got += (size_t)n;
    }
    return sn_base64url_encode(raw, sizeof(raw));
}

static const char *cookie_of(json_t *cookies, const char *snap)
{
    const char *k;
    json_t *v;
    json_object_foreach(cookies, k, v) if (json_is_string(v) && SN_STREQ(json_string_value(v), snap)) return k;
    return NULL;
}

/* A cookie file that is missing or different is rewritten. */
static int ensure_cookie_file(SnState *st, const char *snap, const char *cookie, SnError **reterr)
{
    _sn_free_ char *path = sn_strdup_printf("%s/var/lib/snapd/cookie/snap.%s", sn_state_root(st), snap);
    if (!path)
        return -ENOMEM;
    _sn_free_ char *have = NULL;
    size_t len = 0;
    struct stat sb;
    if (sn_read_file_at(AT_FDCWD, path, 256, &have, &len) >= 0 && len == strlen(cookie) &&
        memcmp(have, cookie, len) == 0 && stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0600 && sb.st_uid == 0)
        return 0;
    return write_cookie_file(st, snap, cookie, reterr);
}

int sn_hookstate_cookie_create(SnState *st, const char *snap, SnError **reterr)
{
    int r;
    json_t *cookies = load_kv_object(st, "snap-cookies", reterr, &r);
    if (!cookies)
        return r;
    const char *have = cookie_of(cookies, snap);
    if (have) {
        r = ensure_cookie_file(st, snap, have, reterr);
        json_decref(cookies);
        return r;
    }
    _sn_free_ char *cookie = make_cookie();
    if (!cookie) {
        json_decref(cookies);
        return sn_error_set(reterr, -EIO, "cannot obtain %d crypto random bytes", COOKIE_BYTES);
    }
    r = write_cookie_file(st, snap, cookie, reterr);
    if (r >= 0)
        r = json_object_set_new(cookies, cookie, json_string(snap)) < 0 ? -ENOMEM : 0;
    if (r >= 0)
        r = store_kv_object(st, "snap-cookies", cookies, reterr);
    json_decref(cookies);
    return r;
}

int sn_hookstate_cookie_remove(SnState *st, const char *snap, SnError **reterr)
{
    int r = remove_cookie_file(st, snap, reterr);
    if (r < 0)
        return r;
    json_t *cookies = load_kv_object(st, "snap-cookies", reterr, &r);
    if (!cookies)
        return r;
    const char *have = cookie_of(cookies, snap);
    if (have) {
        json_object_del(cookies, have);
        r = store_kv_object(st, "snap-cookies", cookies, reterr);
    }
    json_decref(cookies);
    return r;
}

int sn_hookstate_cookie_snap(SnState *st, const char *cookie, char **ret_snap, SnError **reterr)
{
    int r;
    json_t *cookies = load_kv_object(st, "snap-cookies", reterr, &r);
    if (!cookies)
        return r;
    const char *snap = json_string_value(json_object_get(cookies, cookie));
    char *copy = snap ? strdup(snap) : NULL;
    json_decref(cookies);
    if (!snap)
        return -ENOENT;
    if (!copy)
        return -ENOMEM;
    *ret_snap = copy;
    return 0;
}

int sn_hookstate_sync_cookies(SnState *st, SnError **reterr)
{
    SnSnapState **snaps = NULL;
    size_t n = 0;
    int r = sn_snap_state_list(st, &snaps, &n, reterr);
    if (r < 0)
        return r;
    json_t *cookies = NULL;
    r = sn_state_begin(st, reterr);
    if (r >= 0)
        cookies = load_kv_object(st, "snap-cookies", reterr, &r);
    if (cookies) {
        /* cookies of snaps that are gone are dropped */
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(cookies, tmp, k, v)
        {
            bool known = false;
            for (size_t i = 0; i < n; i++)
                known |= json_is_string(v) && SN_STREQ(snaps[i]->name, json_string_value(v));
            if (!known)
                json_object_del(cookies, k);
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
            const char *have = cookie_of(cookies, snaps[i]->name);
            _sn_free_ char *cookie = have ? strdup(have) : make_cookie();
            if (!cookie) {
                r = -ENOMEM;
                break;
            }
            if (!have && json_object_set_new(cookies, cookie, json_string(snaps[i]->name)) < 0)
                r = -ENOMEM;
            if (r >= 0)
                r = ensure_cookie_file(st, snaps[i]->name, cookie, reterr);
        }
        if (r >= 0)
            r = store_kv_object(st, "snap-cookies", cookies, reterr);
    }
    /* files of snaps without a cookie go */
    _sn_free_ char *dir = cookie_dir(st);
    DIR *d = r >= 0 && dir ? opendir(dir) : NULL;
    for (struct dirent *de; d && (de = readdir(d));) {
        if (!sn_startswith(de->d_name, "snap."))
            continue;
        if (!cookie_of(cookies, de->d_name + 5))
            (void)unlinkat(dirfd(d), de->d_name, 0);
    }
    if (d)
        closedir(d);
    if (r >= 0)
        r = sn_state_commit(st, reterr);
    else
        sn_state_rollback(st);
    json_decref(cookies);
    sn_snap_state_array_free(snaps, n);
    return r;
}

/* ---- health ---- */

static const char *const health_statuses[] = {"unknown", "okay", "waiting", "blocked", "error"};

int sn_hookstate_health_store(SnState *st, const char *snap, json_t *health, SnError **reterr)
{
    int r;
    json_t *all = load_kv_object(st, "health", reterr, &r);
    if (!all)
        return r;
    r = json_object_set(all, snap, health) < 0 ? -ENOMEM : store_kv_object(st, "health", all, reterr);
    json_decref(all);
    return r;
}

int sn_hookstate_health_json(SnState *st, const char *snap, json_t **ret)
{
    int r;
    json_t *all = load_kv_object(st, "health", NULL, &r);
    if (!all)
        return r;
    json_t *h = json_object_get(all, snap);
    json_t *out = NULL;
    if (json_is_object(h)) {
        json_int_t status = json_integer_value(json_object_get(h, "status"));
        const char *word =
            status >= 0 && status < (json_int_t)SN_ELEMENTSOF(health_statuses) ? health_statuses[status] : "unknown";
        out = json_pack("{s:O?, s:O?, s:s}", "revision", json_object_get(h, "revision"), "timestamp",
                        json_object_get(h, "timestamp"), "status", word);
        const char *msg = json_string_value(json_object_get(h, "message"));
        const char *code = json_string_value(json_object_get(h, "code"));
        if (out && msg && *msg)
            json_object_set_new(out, "message", json_string(msg));
        if (out && code && *code)
            json_object_set_new(out, "code", json_string(code));
        if (!out) {
            json_decref(all);
            return -ENOMEM;
        }
    }
    json_decref(all);
    *ret = out;
    return 0;
}
