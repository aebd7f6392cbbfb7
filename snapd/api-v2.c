/* SPDX-License-Identifier: GPL-3.0-only */
#include "api-v2.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "api-assertions.h"
#include "api-apps.h"
#include "api-conf.h"
#include "api-interfaces.h"
#include "api-snaps.h"
#include "fd-util.h"
#include "hookstate.h"
#include "sandbox-features.h"
#include "state-snap.h"
#include "strutil.h"

/* ---- system-info ---- */

const char *sn_api_dpkg_architecture(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__arm__)
    return "armhf";
#elif defined(__i386__)
    return "i386";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return "ppc64el";
#elif defined(__s390x__)
    return "s390x";
#else
    return "unknown";
#endif
}

/* The main program's GNU build id, as hex (snapd reports its own the same way). */
static int build_id_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    char **ret = data;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
        const char *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const char *name = p + sizeof(*n);
            const char *desc = name + ((n->n_namesz + 3) & ~3U);
            if (desc + n->n_descsz > end)
                break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
                *ret = sn_hex_encode(desc, n->n_descsz);
                return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3U);
        }
    }
    return 1; /* only the main program (the first entry) */
}

static char *unquote(const char *v)
{
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
        return strndup(v + 1, n - 2);
    return strdup(v);
}

/* {"id":..., "version-id":...} from /etc/os-release (snapd reads the host's, not under the root). */
static json_t *os_release(void)
{
    _sn_free_ char *text = NULL;
    if (sn_read_file_at(AT_FDCWD, "/etc/os-release", 65536, &text, NULL) < 0)
        (void)sn_read_file_at(AT_FDCWD, "/usr/lib/os-release", 65536, &text, NULL);
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", json_string("linux"));
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        const char *key = NULL;
        if (sn_startswith(line, "ID="))
            key = "id";
        else if (sn_startswith(line, "VERSION_ID="))
            key = "version-id";
        else if (sn_startswith(line, "VARIANT_ID="))
            key = "variant-id";
        if (!key)
            continue;
        _sn_free_ char *v = unquote(strchr(line, '=') + 1);
        if (v && *v)
            json_object_set_new(o, key, json_string(v));
    }
    return o;
}

/* snapd's "sandbox-features": each present backend mapped to its list of tags. */
static json_t *sandbox_features_json(const SnSandboxProbe *p)
{
    json_t *map = json_object();
    for (const char *const *k = sn_sandbox_backends; map && *k; k++) {
        _sn_free_ char *f = sn_sandbox_backend_features(p, *k);
        if (!f)
            continue;
        json_t *list = json_array();
        for (const char *s = f; list && *s;) {
            size_t len = strcspn(s, " ");
            if (json_array_append_new(list, json_stringn(s, len)) < 0) {
                json_decref(list);
                list = NULL;
                break;
            }
            s += len;
            s += strspn(s, " ");
        }
        if (!list || json_object_set_new(map, *k, list) < 0) {
            json_decref(map);
            return NULL;
        }
    }
    return map;
}

json_t *sn_api_system_info(const char *root, const char *version)
{
    static char *build_id;
    if (!build_id)
        dl_iterate_phdr(build_id_cb, &build_id);
    struct utsname u;
    if (uname(&u) < 0)
        snprintf(u.release, sizeof(u.release), "unknown");
    json_t *osr = os_release();
    if (!osr)
        return NULL;
    bool on_classic = !SN_STREQ(json_string_value(json_object_get(osr, "id")), "ubuntu-core");
    _sn_free_ char *mount_dir = sn_strdup_printf("%s/snap", root);
    _sn_free_ char *bin_dir = sn_strdup_printf("%s/snap/bin", root);
    if (!mount_dir || !bin_dir) {
        json_decref(osr);
        return NULL;
    }
    /* What this kernel lets confinement enforce: the same probe as `snap debug sandbox-features`. */
    SnSandboxProbe probe = {0};
    if (sn_sandbox_probe(NULL, -1, &probe) < 0) {
        json_decref(osr);
        return NULL;
    }
    json_t *sandbox = sandbox_features_json(&probe);
    const char *confinement = sn_sandbox_full(&probe) ? "strict" : "partial";
    sn_sandbox_probe_done(&probe);
    if (!sandbox) {
        json_decref(osr);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:o, s:b, s:b, s:s, s:{s:s, s:s}, s:{s:s}, s:s, s:s, s:{}, s:s, s:s, s:o}",
                     "series", "16", "version", version, "build-id", build_id ? build_id : "", "os-release", osr,
                     "on-classic", on_classic, "managed", false, "kernel-version", u.release, "locations",
                     "snap-mount-dir", mount_dir, "snap-bin-dir", bin_dir, "refresh", "timer", "00:00~24:00/4",
                     "architecture", sn_api_dpkg_architecture(), "system-mode", "run", "features", "snapd-bin-from",
                     "native-package", "confinement", confinement, "sandbox-features", sandbox);
}

static json_t *get_root(const SnApiRequest *req, void *userdata)
{
    return sn_api_sync(json_pack("[s]", "TBD"));
}

static json_t *get_system_info(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    json_t *info = sn_api_system_info(ctx->root, ctx->version);
    if (!info)
        return sn_api_error(500, NULL, NULL, "cannot get the system information");
    return sn_api_sync(info);
}

/* ---- changes ---- */

static json_t *time_json(int64_t ns)
{
    _sn_free_ char *t = sn_time_format_rfc3339nano(ns);
    return t ? json_string(t) : json_null();
}

json_t *sn_api_change_info(const SnChange *c)
{
    char id[32];
    snprintf(id, sizeof(id), "%lld", (long long)c->id);
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "id", id, "kind", c->kind, "summary", c->summary, "status",
                  sn_status_to_string(c->status), "ready", c->ready_time != 0, "spawn-time", time_json(c->spawn_time));
    if (!j)
        return NULL;
    if (c->ready_time)
        json_object_set_new(j, "ready-time", time_json(c->ready_time));
    _sn_free_ char *err = sn_change_err(c);
    if (err)
        json_object_set_new(j, "err", json_string(err));

    json_t *tasks = json_array();
    for (size_t i = 0; tasks && i < c->n_tasks; i++) {
        const SnTask *t = &c->tasks[i];
        snprintf(id, sizeof(id), "%lld", (long long)t->id);
        /* snapd's Task.Progress: without a progress of its own, 0/1 while Do, 1/1 after. */
        int64_t done = t->progress_done, total = t->progress_total;
        if (total == 0) {
            done = t->status == SN_STATUS_DO ? 0 : 1;
            total = 1;
        }
        json_t *tj =
            json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:I, s:I}, s:o}", "id", id, "kind", t->kind, "summary", t->summary,
                      "status", sn_status_to_string(t->status), "progress", "label", t->progress_label, "done",
                      (json_int_t)done, "total", (json_int_t)total, "spawn-time", time_json(t->spawn_time));
        if (!tj) {
            json_decref(tasks);
            tasks = NULL;
            break;
        }
        if (json_array_size(t->log) > 0)
            json_object_set(tj, "log", t->log);
        if (t->ready_time)
            json_object_set_new(tj, "ready-time", time_json(t->ready_time));
        json_array_append_new(tasks, tj);
    }
    if (!tasks) {
        json_decref(j);
        return NULL;
    }
    if (json_array_size(tasks) > 0)
        json_object_set_new(j, "tasks", tasks);
    else
        json_decref(tasks);
    json_t *api_data = json_object_get(c->data, "api-data");
    if (json_is_object(api_data))
        json_object_set(j, "data", api_data);
    return j;
}

static bool parse_change_id(const char *s, int64_t *ret)
{
    uint64_t v;
    if (!s || sn_parse_u64(s, &v) < 0 || v == 0 || v > INT64_MAX)
        return false;
    *ret = (int64_t)v;
    return true;
}

static json_t *get_changes(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    const char *sel = sn_api_request_param(req, "select");
    SnChangeSelect select;
    if (!sel || !*sel || SN_STREQ(sel, "in-progress"))
        select = SN_CHANGES_IN_PROGRESS;
    else if (SN_STREQ(sel, "all"))
        select = SN_CHANGES_ALL;
    else if (SN_STREQ(sel, "ready"))
        select = SN_CHANGES_READY;
    else
        return sn_api_error(400, NULL, NULL, "select should be one of: all,in-progress,ready");
    const char *snap = sn_api_request_param(req, "for");
    if (snap && !*snap)
        snap = NULL;

    SnError *err = NULL;
    json_t *list = json_array();
    if (!list)
        return NULL;
    sn_state_lock(ctx->st);
    _sn_free_ int64_t *ids = NULL;
    size_t n = 0;
    int r = sn_change_list(ctx->st, select, snap, &ids, &n, &err);
    for (size_t i = 0; r >= 0 && i < n; i++) {
        _sn_cleanup_(sn_change_freep) SnChange *c = NULL;
        r = sn_change_load(ctx->st, ids[i], &c, &err);
        if (r >= 0) {
            json_t *ci = sn_api_change_info(c);
            r = ci ? json_array_append_new(list, ci) : -ENOMEM;
        }
    }
    sn_state_unlock(ctx->st);
    if (r < 0) {
        json_decref(list);
        json_t *e = sn_api_error(500, NULL, NULL, "cannot list changes: %s", sn_error_message(err, r));
        sn_error_free(err);
        return e;
    }
    return sn_api_sync(list);
}

static json_t *get_change(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    int64_t id;
    if (!parse_change_id(req->var, &id))
        return sn_api_error(404, NULL, NULL, "cannot find change with id \"%s\"", req->var);
    SnError *err = NULL;
    _sn_cleanup_(sn_change_freep) SnChange *c = NULL;
    sn_state_lock(ctx->st);
    int r = sn_change_load(ctx->st, id, &c, &err);
    sn_state_unlock(ctx->st);
    if (r == -ENOENT) {
        sn_error_free(err);
        return sn_api_error(404, NULL, NULL, "cannot find change with id \"%s\"", req->var);
    }
    if (r < 0) {
        json_t *e = sn_api_error(500, NULL, NULL, "%s", sn_error_message(err, r));
        sn_error_free(err);
        return e;
    }
    json_t *ci = sn_api_change_info(c);
    return ci ? sn_api_sync(ci) : NULL;
}

static json_t *post_change(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    int64_t id;
    bool exists = false;
    if (parse_change_id(req->var, &id)) {
        _sn_cleanup_(sn_change_freep) SnChange *c = NULL;
        sn_state_lock(ctx->st);
        exists = sn_change_load(ctx->st, id, &c, NULL) >= 0;
        sn_state_unlock(ctx->st);
    }
    if (!exists)
        return sn_api_error(404, NULL, NULL, "cannot find change with id \"%s\"", req->var);

    json_error_t jerr;
    json_t *body = json_loadb(req->body, req->body_len, 0, &jerr);
    if (!json_is_object(body)) {
        json_decref(body);
        return sn_api_error(400, NULL, NULL, "cannot decode data from request body: %s",
                            body ? "not a JSON object" : jerr.text);
    }
    const char *action = json_string_value(json_object_get(body, "action"));
    if (!action || !SN_STREQ(action, "abort")) {
        json_t *e = sn_api_error(400, NULL, NULL, "change action \"%s\" is unsupported", action ? action : "");
        json_decref(body);
        return e;
    }
    json_decref(body);

    SnError *err = NULL;
    _sn_cleanup_(sn_change_freep) SnChange *c = NULL;
    sn_state_lock(ctx->st);
    int r = sn_change_abort(ctx->st, id, &err);
    if (r >= 0 && ctx->runner)
        sn_taskrunner_kick(ctx->runner);
    if (r >= 0)
        r = sn_change_load(ctx->st, id, &c, &err);
    sn_state_unlock(ctx->st);
    json_t *e = NULL;
    if (r == -EBUSY)
        e = sn_api_error(400, NULL, NULL, "%s", sn_error_message(err, r));
    else if (r == -ENOENT)
        e = sn_api_error(404, NULL, NULL, "cannot find change with id \"%s\"", req->var);
    else if (r < 0)
        e = sn_api_error(500, NULL, NULL, "%s", sn_error_message(err, r));
    sn_error_free(err);
    if (e)
        return e;
    json_t *ci = sn_api_change_info(c);
    return ci ? sn_api_sync(ci) : NULL;
}

/* ---- snaps ---- */

static json_t *snap_json(const SnApiContext *ctx, const SnSnapState *s, const SnSeqEntry *e)
{
    char rev[24];
    sn_revision_format(e->revision, rev);
    _sn_free_ char *mounted_from = sn_strdup_printf("%s/var/lib/snapd/snaps/%s_%s.snap", ctx->root, s->name, rev);
    const char *confinement = json_string_value(json_object_get(e->side_info, "confinement"));
    if (!confinement)
        confinement = json_is_true(json_object_get(s->flags, "classic")) ? "classic" : "strict";
    bool is_current = e->revision == s->current;
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:s, s:s, s:s}", "id", e->snap_id, "name", s->name, "type",
        s->type, "revision", rev, "channel", e->channel, "tracking-channel", s->tracking_channel, "confinement",
        confinement, "devmode", json_is_true(json_object_get(s->flags, "devmode")), "jailmode",
        json_is_true(json_object_get(s->flags, "jailmode")), "private", false, "status",
        is_current && s->active ? "active" : "installed", "mounted-from", mounted_from ? mounted_from : "", "version",
        json_string_value(json_object_get(e->side_info, "version")) ?: "");
    if (!j)
        return NULL;
    /* Fields that come from the snap's own metadata, when the install recorded them. */
    static const char *const from_side_info[] = {"title",     "summary",        "description",  "base", "grade",
                                                 "publisher", "installed-size", "install-date", "apps"};
    for (size_t i = 0; i < SN_ELEMENTSOF(from_side_info); i++) {
        json_t *v = json_object_get(e->side_info, from_side_info[i]);
        if (v)
            json_object_set(j, from_side_info[i], v);
    }
    /* The current revision's services as the supervisor has them (snapd asks systemd). */
    json_t *apps = json_object_get(e->side_info, "apps");
    if (is_current && s->active && json_is_array(apps)) {
        json_t *live = json_deep_copy(apps);
        size_t i;
        json_t *a;
        json_array_foreach(live, i, a)
        {
            const char *app = json_string_value(json_object_get(a, "name"));
            if (app && json_object_get(a, "daemon"))
                sn_api_app_service_status(ctx->services, s->name, app, a);
        }
        if (live)
            json_object_set_new(j, "apps", live);
    }
    /* snapd's "health" (client.SnapHealth): what snapctl set-health or the check-health hook recorded */
    json_t *health = NULL;
    sn_state_lock(ctx->st);
    (void)sn_hookstate_health_json(ctx->st, s->name, &health);
    sn_state_unlock(ctx->st);
    if (health)
        json_object_set_new(j, "health", health);
    return j;
}

static const SnSeqEntry *current_entry(const SnSnapState *s)
{
    for (size_t i = 0; i < s->n_sequence; i++)
        if (s->sequence[i].revision == s->current)
            return &s->sequence[i];
    return s->n_sequence ? &s->sequence[s->n_sequence - 1] : NULL;
}

static json_t *get_snaps(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    const char *sel = sn_api_request_param(req, "select");
    bool all = false;
    if (sel && SN_STREQ(sel, "all"))
        all = true;
    else if (sel && *sel && !SN_STREQ(sel, "enabled") && !SN_STREQ(sel, "refresh-inhibited"))
        return sn_api_error(400, NULL, NULL, "invalid select parameter: \"%s\"", sel);
    bool inhibited_only = sel && SN_STREQ(sel, "refresh-inhibited");
    _sn_strv_free_ char **wanted = NULL;
    const char *names = sn_api_request_param(req, "snaps");
    if (names && *names) {
        _sn_free_ char *copy = strdup(names);
        if (!copy)
            return NULL;
        for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            if (*tok && sn_strv_push(&wanted, tok) < 0)
                return NULL;
    }

    SnSnapState **v = NULL;
    size_t n = 0;
    SnError *err = NULL;
    sn_state_lock(ctx->st);
    int r = sn_snap_state_list(ctx->st, &v, &n, &err);
    sn_state_unlock(ctx->st);
    if (r < 0) {
        json_t *e = sn_api_error(500, NULL, NULL, "cannot list snaps: %s", sn_error_message(err, r));
        sn_error_free(err);
        return e;
    }
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        if (wanted && !sn_strv_contains(wanted, v[i]->name))
            continue;
        if (inhibited_only) /* no refresh is ever inhibited yet */
            continue;
        for (size_t k = 0; k < v[i]->n_sequence; k++) {
            const SnSeqEntry *e = all ? &v[i]->sequence[k] : current_entry(v[i]);
            json_t *sj = e ? snap_json(ctx, v[i], e) : NULL;
            if (sj)
                json_array_append_new(list, sj);
            if (!all)
                break;
        }
    }
    sn_snap_state_array_free(v, n);
    return list ? sn_api_sync_sources(list, "local") : NULL;
}

static json_t *get_snap(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    SnError *err = NULL;
    sn_state_lock(ctx->st);
    int r = sn_snap_state_get(ctx->st, req->var, &s, &err);
    sn_state_unlock(ctx->st);
    if (r == -ENOENT) {
        sn_error_free(err);
        return sn_api_error(404, "snap-not-found", json_string(req->var), "snap not installed");
    }
    if (r < 0) {
        json_t *e = sn_api_error(500, NULL, NULL, "%s", sn_error_message(err, r));
        sn_error_free(err);
        return e;
    }
    const SnSeqEntry *e = current_entry(s);
    if (!e)
        return sn_api_error(404, "snap-not-found", json_string(req->var), "snap not installed");
    json_t *sj = snap_json(ctx, s, e);
    return sj ? sn_api_sync(sj) : NULL;
}

int sn_api_v2_register(SnApiServer *s, SnApiContext *ctx)
{
    const SnApiRoute routes[] = {
        {.path = "/", .get = get_root, .read_access = SN_API_ACCESS_OPEN},
        {.path = "/v2/system-info", .get = get_system_info, .read_access = SN_API_ACCESS_OPEN},
        {.path = "/v2/changes", .get = get_changes, .read_access = SN_API_ACCESS_OPEN},
        {.path = "/v2/changes/{}",
         .get = get_change,
         .post = post_change,
         .read_access = SN_API_ACCESS_OPEN,
         .write_access = SN_API_ACCESS_AUTHENTICATED},
        {.path = "/v2/snaps",
         .get = get_snaps,
         .post = sn_api_post_snaps,
         .read_access = SN_API_ACCESS_OPEN,
         .write_access = SN_API_ACCESS_AUTHENTICATED,
         .stream = &sn_api_snaps_stream},
        {.path = "/v2/snaps/{}",
         .get = get_snap,
         .post = sn_api_post_snap,
         .read_access = SN_API_ACCESS_OPEN,
         .write_access = SN_API_ACCESS_AUTHENTICATED},
        /* assertions and configuration (api-assertions.c, api-conf.c) */
        {.path = "/v2/assertions",
         .get = sn_api_get_assertion_types,
         .post = sn_api_post_assertions,
         .read_access = SN_API_ACCESS_OPEN,
         .write_access = SN_API_ACCESS_AUTHENTICATED},
        {.path = "/v2/assertions/{}", .get = sn_api_get_assertions, .read_access = SN_API_ACCESS_OPEN},
        /* interfaces (api-interfaces.c) */
        {.path = "/v2/interfaces",
         .get = sn_api_get_interfaces,
         .post = sn_api_post_interfaces,
         .read_access = SN_API_ACCESS_OPEN,
         .write_access = SN_API_ACCESS_AUTHENTICATED},
        {.path = "/v2/connections", .get = sn_api_get_connections, .read_access = SN_API_ACCESS_OPEN},
        {.path = "/v2/snaps/{}/conf",
         .get = sn_api_get_conf,
         .put = sn_api_put_conf,
         .read_access = SN_API_ACCESS_AUTHENTICATED,
         .write_access = SN_API_ACCESS_AUTHENTICATED},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(routes); i++) {
        SnApiRoute r = routes[i];
        r.userdata = ctx;
        int ret = sn_api_server_add_route(s, &r);
        if (ret < 0)
            return ret;
    }
    return 0;
}
