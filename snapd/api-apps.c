/* SPDX-License-Identifier: GPL-3.0-only */
#include "api-apps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "service-log.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"
#include "supervisor.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the installed snaps, sorted. */
static int installed_snaps(SnState *st, char ***ret)
{
    SnSnapState **v = NULL;
    size_t n = 0;
    sn_state_lock(st);
    int r = sn_snap_state_list(st, &v, &n, NULL);
    sn_state_unlock(st);
    if (r < 0)
        return r;
    char **out = calloc(1, sizeof(char *));
    for (size_t i = 0; out && i < n; i++)
        if (v[i]->n_sequence > 0 && sn_strv_push(&out, v[i]->name) < 0) {
            sn_strv_free(out);
            out = NULL;
        }
    sn_snap_state_array_free(v, n);
    if (!out)
        return -ENOMEM;
    qsort(out, sn_strv_length(out), sizeof(char *), cmp_str);
    *ret = out;
    return 0;
}

static json_t *app_json(SnApiApps *ctx, const char *snap, const SnApp *app)
{
    json_t *o = json_pack("{s:s, s:s}", "snap", snap, "name", app->name);
    if (!o || !app->daemon)
        return o;
    json_object_set_new(o, "daemon", json_string(app->daemon));
    json_object_set_new(o, "daemon-scope", json_string(app->daemon_scope ? app->daemon_scope : "system"));
    sn_api_app_service_status(ctx->services, snap, app->name, o);
    return o;
}

void sn_api_app_service_status(SnServiceMgr *services, const char *snap, const char *app, json_t *o)
{
    _sn_free_ char *sid = sn_strdup_printf("%s.%s", snap, app);
    SnServiceStatus st = {0};
    if (sid && services && sn_supervisor_status(sn_servicemgr_supervisor(services), sid, &st) >= 0) {
        if (st.enabled)
            json_object_set_new(o, "enabled", json_true());
        if (st.active == SN_SERVICE_ACTIVE || st.active == SN_SERVICE_ACTIVATING ||
            st.active == SN_SERVICE_DEACTIVATING)
            json_object_set_new(o, "active", json_true());
    }
}

static int cmp_app(const void *a, const void *b)
{
    const SnApp *x = *(const SnApp *const *)a, *y = *(const SnApp *const *)b;
    return strcmp(x->name, y->name);
}

/* Appends the apps of snap (all, or the one named app) to out; errors as an envelope in *ret_err. */
static int add_snap_apps(SnApiApps *ctx, const char *snap, const char *app, bool services, json_t *out,
                         json_t **ret_err)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    SnError *e = NULL;
    int r = sn_servicemgr_current_info(ctx->st, ctx->root, snap, &info, NULL, NULL, &e);
    if (r == -ENOENT) {
        *ret_err = sn_api_error(404, "snap-not-found", json_string(snap), "snap \"%s\" not found", snap);
        sn_error_free(e);
        return r;
    }
    if (r < 0) {
        *ret_err = sn_api_error(500, NULL, NULL, "%s", sn_error_message(e, r));
        sn_error_free(e);
        return r;
    }
    if (app) {
        const SnApp *a = sn_snap_info_find_app(info, app);
        if (!a || (services && !a->daemon)) {
            *ret_err = sn_api_error(404, "app-not-found", NULL, "snap \"%s\" has no %s \"%s\"", snap,
                                    services ? "service" : "app", app);
            return -ENOENT;
        }
        return json_array_append_new(out, app_json(ctx, snap, a)) < 0 ? -ENOMEM : 0;
    }
    const SnApp **v = calloc(info->n_apps ? info->n_apps : 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < info->n_apps; i++)
        if (!services || info->apps[i].daemon)
            v[n++] = &info->apps[i];
    qsort(v, n, sizeof(*v), cmp_app);
    r = 0;
    for (size_t i = 0; r >= 0 && i < n; i++)
        if (json_array_append_new(out, app_json(ctx, snap, v[i])) < 0)
            r = -ENOMEM;
    free(v);
    return r;
}

/*
 * The AppInfo list for names (NULL or empty: every installed snap). NULL with the error envelope
 * in *ret_err.
 */
static json_t *collect(SnApiApps *ctx, char *const *names, bool services, json_t **ret_err)
{
    json_t *out = json_array();
    if (!out)
        return NULL;
    _sn_strv_free_ char **all = NULL;
    if (!names || !names[0]) {
        if (installed_snaps(ctx->st, &all) < 0) {
            json_decref(out);
            return NULL;
        }
        for (char **s = all; *s; s++) {
            json_t *ignored = NULL;
            (void)add_snap_apps(ctx, *s, NULL, services, out, &ignored);
            json_decref(ignored);
        }
        return out;
    }
    /* sorted by snap then app, each once */
    size_t n = sn_strv_length(names);
    _sn_free_ char **sorted = calloc(n + 1, sizeof(char *));
    if (!sorted) {
        json_decref(out);
        return NULL;
    }
    memcpy(sorted, names, n * sizeof(char *));
    qsort(sorted, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++) {
        const char *dot = strchr(sorted[i], '.');
        _sn_free_ char *snap = dot ? strndup(sorted[i], (size_t)(dot - sorted[i])) : strdup(sorted[i]);
        if (!snap || add_snap_apps(ctx, snap, dot ? dot + 1 : NULL, services, out, ret_err) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    /* drop duplicates ("a" and "a.svc") */
    for (size_t i = 1; i < json_array_size(out);) {
        json_t *a = json_array_get(out, i - 1), *b = json_array_get(out, i);
        if (json_equal(json_object_get(a, "snap"), json_object_get(b, "snap")) &&
            json_equal(json_object_get(a, "name"), json_object_get(b, "name")))
            json_array_remove(out, i);
        else
            i++;
    }
    if (json_array_size(out) == 0) {
        json_decref(out);
        *ret_err = sn_api_error(404, "app-not-found", NULL, "no matching %s", services ? "services" : "apps");
        return NULL;
    }
    return out;
}

/* Splits a comma-separated query value (NULL for none). */
static char **split_names(const char *v)
{
    char **out = calloc(1, sizeof(char *));
    if (!out || !v)
        return out;
    _sn_free_ char *copy = strdup(v);
    if (!copy) {
        sn_strv_free(out);
        return NULL;
    }
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (*t && sn_strv_push(&out, t) < 0) {
            sn_strv_free(out);
            return NULL;
        }
    return out;
}

json_t *sn_api_get_apps(const SnApiRequest *req, void *userdata)
{
    SnApiApps *ctx = userdata;
    const char *select = sn_api_request_param(req, "select");
    if (select && *select && !SN_STREQ(select, "service"))
        return sn_api_error(400, NULL, NULL, "invalid select parameter: \"%s\"", select);
    _sn_strv_free_ char **names = split_names(sn_api_request_param(req, "names"));
    if (!names)
        return NULL;
    json_t *err = NULL;
    json_t *apps = collect(ctx, names, select && *select, &err);
    if (!apps)
        return err;
    return sn_api_sync(apps);
}

json_t *sn_api_post_apps(const SnApiRequest *req, void *userdata)
{
    SnApiApps *ctx = userdata;
    if (!ctx->services)
        return sn_api_error(500, NULL, NULL, "services are not managed by this daemon");
    json_error_t jerr;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, &jerr);
    json_t *resp = NULL;
    _sn_strv_free_ char **names = calloc(1, sizeof(char *));
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = NULL;
    if (!json_is_object(body)) {
        resp = sn_api_error(400, NULL, NULL, "cannot decode request body into service operation: %s", jerr.text);
        goto out;
    }
    const char *action = json_string_value(json_object_get(body, "action"));
    bool enable = json_is_true(json_object_get(body, "enable"));
    bool disable = json_is_true(json_object_get(body, "disable"));
    bool reload = json_is_true(json_object_get(body, "reload"));
    const char *modifier = "";
    if (!action || !(SN_STREQ(action, "start") || SN_STREQ(action, "stop") || SN_STREQ(action, "restart"))) {
        resp = sn_api_error(400, NULL, NULL, "unknown action \"%s\"", action ? action : "");
        goto out;
    }
    if (SN_STREQ(action, "start") && (disable || reload)) {
        resp = sn_api_error(400, NULL, NULL, "start: cannot %s", disable ? "disable" : "reload");
        goto out;
    }
    if (SN_STREQ(action, "stop") && (enable || reload)) {
        resp = sn_api_error(400, NULL, NULL, "stop: cannot %s", enable ? "enable" : "reload");
        goto out;
    }
    if (SN_STREQ(action, "restart") && (enable || disable)) {
        resp = sn_api_error(400, NULL, NULL, "restart: cannot %s", enable ? "enable" : "disable");
        goto out;
    }
    if (enable)
        modifier = "enable";
    else if (disable)
        modifier = "disable";
    else if (reload)
        modifier = "reload";
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(body, "names"), i, v)
    {
        if (!names || !json_is_string(v) || sn_strv_push(&names, json_string_value(v)) < 0) {
            resp = sn_api_error(400, NULL, NULL, "cannot decode request body into service operation: bad names");
            goto out;
        }
    }
    if (!names || !names[0]) {
        resp = sn_api_error(400, NULL, NULL, "cannot perform operation on services without a list of services");
        goto out;
    }
    json_t *err = NULL;
    json_t *apps = collect(ctx, names, true, &err);
    if (!apps) {
        resp = err;
        goto out;
    }
    c = sn_new_change_new("service-control", "Running service command");
    const char *act = SN_STREQ(action, "restart") && reload ? "reload-or-restart" : action;
    int r = c ? 0 : -ENOMEM;
    /* one task per snap, in the order of apps (sorted by snap) */
    for (size_t k = 0; r >= 0 && k < json_array_size(apps);) {
        const char *snap = json_string_value(json_object_get(json_array_get(apps, k), "snap"));
        json_t *svcs = json_array();
        SnBuf quoted = {0};
        for (; k < json_array_size(apps); k++) {
            json_t *a = json_array_get(apps, k);
            if (!SN_STREQ(json_string_value(json_object_get(a, "snap")), snap))
                break;
            json_array_append(svcs, json_object_get(a, "name"));
            sn_buf_printf(&quoted, "%s\"%s\"", quoted.len ? " " : "", json_string_value(json_object_get(a, "name")));
        }
        json_t *data = json_pack("{s:{s:s, s:s, s:s, s:o}}", "service-action", "snap-name", snap, "action", act,
                                 "action-modifier", modifier, "services", svcs);
        _sn_free_ char *summary = sn_buf_ok(&quoted)
                                      ? sn_strdup_printf("Run service command \"%s\" for services [%s] of snap \"%s\"",
                                                         act, quoted.data ? quoted.data : "", snap)
                                      : NULL;
        sn_buf_done(&quoted);
        if (!data || !summary)
            r = -ENOMEM;
        if (r >= 0)
            r = sn_new_change_add_task(c, "service-control", summary, data, NULL);
        if (r >= 0)
            r = sn_new_change_add_snap(c, snap);
        json_decref(data);
    }
    json_decref(apps);
    if (r < 0) {
        resp = sn_api_error(500, NULL, NULL, "%s", strerror(-r));
        goto out;
    }
    int64_t id = 0;
    SnConflict conflict = {0};
    SnError *e = NULL;
    r = sn_change_create(ctx->st, c, &id, &conflict, &e);
    if (r == -EBUSY)
        resp = sn_api_error(409, "snap-change-conflict",
                            json_pack("{s:s, s:s}", "snap-name", conflict.snap ? conflict.snap : "", "change-kind",
                                      conflict.change_kind ? conflict.change_kind : ""),
                            "%s", sn_error_message(e, r));
    else if (r < 0)
        resp = sn_api_error(500, NULL, NULL, "%s", sn_error_message(e, r));
    else {
        if (ctx->runner) {
            sn_state_lock(ctx->st);
            sn_taskrunner_kick(ctx->runner);
            sn_state_unlock(ctx->st);
        }
        resp = sn_api_async(id);
    }
    sn_conflict_done(&conflict);
    sn_error_free(e);
out:
    json_decref(body);
    return resp;
}

/* A JSON string of bytes that may not be UTF-8 (invalid bytes become U+FFFD, as Go's encoder does). */
static json_t *string_lossy(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    SnBuf b = {0};
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x80)
            sn_buf_putc(&b, (char)*p);
        else
            sn_buf_puts(&b, "\xef\xbf\xbd");
    j = sn_buf_ok(&b) ? json_string(b.data ? b.data : "") : NULL;
    sn_buf_done(&b);
    return j;
}

/* One json-seq record (RFC 7464) of an entry, as snapd's: RS, {"timestamp","message","sid","pid"}, LF. */
static void put_record(SnBuf *b, const SnServiceLogEntry *e)
{
    char ts[64];
    char pid[24];
    snprintf(pid, sizeof(pid), "%d", (int)e->pid);
    json_t *o =
        json_pack("{s:s, s:o, s:s, s:s}", "timestamp", sn_service_log_format_timestamp(e->timestamp_ns, ts, sizeof(ts)),
                  "message", string_lossy(e->message), "sid", e->sid, "pid", pid);
    _sn_free_ char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text) {
        b->failed = true;
        return;
    }
    sn_buf_putc(b, '\x1e');
    sn_buf_puts(b, text);
    sn_buf_putc(b, '\n');
}

/* A follow=true stream: one per connection, until the client goes away. */
typedef struct LogFollow {
    SnApiDeferred *d;
    SnServiceLog *log;
    uint64_t id;
    bool following;
} LogFollow;

/* On the loop thread (where the supervisor appends), with the log's lock held. */
static void follow_entry(const SnServiceLogEntry *e, void *userdata)
{
    LogFollow *f = userdata;
    SnBuf b = {0};
    put_record(&b, e);
    /* a client too far behind is dropped by the server: follow_gone comes from the loop */
    if (sn_buf_ok(&b))
        (void)sn_api_deferred_stream_write(f->d, b.data, b.len);
    sn_buf_done(&b);
}

static void follow_gone(void *userdata)
{
    LogFollow *f = userdata;
    if (f->following)
        sn_service_log_unfollow(f->log, f->id);
    free(f);
}

json_t *sn_api_get_logs(const SnApiRequest *req, void *userdata)
{
    SnApiApps *ctx = userdata;
    long n = 10;
    const char *ns = sn_api_request_param(req, "n");
    if (ns && *ns) {
        int64_t v;
        if (sn_parse_i64(ns, &v) < 0)
            return sn_api_error(400, NULL, NULL, "invalid value for n: \"%s\"", ns);
        n = v < 0 ? -1 : (long)v;
    }
    /* Go's strconv.ParseBool, as snapd reads it */
    const char *fs = sn_api_request_param(req, "follow");
    bool follow = false;
    if (fs && *fs) {
        static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
        static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
        bool known = false;
        for (size_t k = 0; k < SN_ELEMENTSOF(yes); k++) {
            if (SN_STREQ(fs, yes[k]))
                follow = known = true;
            if (SN_STREQ(fs, no[k]))
                known = true;
        }
        if (!known)
            return sn_api_error(400, NULL, NULL, "invalid value for follow: \"%s\"", fs);
    }
    _sn_strv_free_ char **names = split_names(sn_api_request_param(req, "names"));
    if (!names)
        return NULL;
    json_t *err = NULL;
    json_t *apps = collect(ctx, names, true, &err);
    if (!apps)
        return err;
    _sn_strv_free_ char **sids = calloc(1, sizeof(char *));
    size_t i;
    json_t *a;
    json_array_foreach(apps, i, a)
    {
        _sn_free_ char *sid = sn_strdup_printf("%s.%s", json_string_value(json_object_get(a, "snap")),
                                               json_string_value(json_object_get(a, "name")));
        if (!sid || !sids || sn_strv_push(&sids, sid) < 0) {
            json_decref(apps);
            return NULL;
        }
    }
    json_decref(apps);
    if (!sids[0])
        return sn_api_error(404, "app-not-found", NULL, "no matching services");
    SnServiceLog *log = ctx->services ? sn_supervisor_log(sn_servicemgr_supervisor(ctx->services)) : NULL;
    SnServiceLogEntry *entries = NULL;
    size_t count = 0;
    /* Appends come from the loop thread, which runs this: nothing comes between the read and the follow. */
    if (log && n != 0 && sn_service_log_read(log, sids, n, &entries, &count) < 0)
        return NULL;
    SnBuf b = {0};
    for (size_t k = 0; k < count; k++)
        put_record(&b, &entries[k]);
    sn_service_log_entries_free(entries, count);
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return NULL;
    }
    LogFollow *f = follow ? calloc(1, sizeof(*f)) : NULL;
    json_t *marker = f ? sn_api_defer(req, follow_gone, f, &f->d) : NULL;
    if (!marker) {
        /* not following (or a request the server did not make): the entries at once */
        free(f);
        json_t *resp = sn_api_raw(200, "application/json-seq", NULL, b.data ? b.data : "", b.len);
        sn_buf_done(&b);
        return resp;
    }
    f->log = log;
    int r = sn_api_deferred_stream_begin(f->d, 200, "application/json-seq");
    if (r >= 0)
        r = sn_api_deferred_stream_write(f->d, b.data, b.len);
    sn_buf_done(&b);
    if (r >= 0 && log)
        r = sn_service_log_follow(log, sids, follow_entry, f, &f->id);
    if (r >= 0 && log)
        f->following = true;
    else {
        /* nothing to follow (no supervisor), or it failed: the stream ends with what it has */
        sn_api_deferred_stream_end(f->d);
        free(f);
    }
    return marker;
}

int sn_api_apps_register(SnApiServer *s, SnApiApps *ctx)
{
    const SnApiRoute routes[] = {
        {.path = "/v2/apps",
         .get = sn_api_get_apps,
         .post = sn_api_post_apps,
         .read_access = SN_API_ACCESS_OPEN,
         .write_access = SN_API_ACCESS_AUTHENTICATED},
        {.path = "/v2/logs", .get = sn_api_get_logs, .read_access = SN_API_ACCESS_AUTHENTICATED},
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
