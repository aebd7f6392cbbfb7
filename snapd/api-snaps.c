/* SPDX-License-Identifier: GPL-3.0-only */
#include "api-snaps.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assertstate.h"
#include "digest.h"
#include "fd-util.h"
#include "fileio.h"
#include "multipart.h"
#include "snapmgr.h"
#include "state-snap.h"
#include "strutil.h"

/* Non-file form values share snapd's 1 MiB budget (maxReadBuflen). */
#define FORM_VALUES_BUDGET (1U << 20)
#define LOCAL_INSTALL_PREFIX ".local-install-"

typedef struct Upload {
    char *path;     /* the spool file */
    char *filename; /* as the client named the part */
    int fd;
    EVP_MD_CTX *md; /* SHA3-384 while it streams, for asserted installs */
    uint64_t size;
    char *sha3_384; /* base64url, once complete (asserted installs) */
    bool claimed;   /* a change owns the file now */
    /* What acked assertions say about it (asserted installs): revision 0 when unasserted. */
    int64_t revision;
    char *snap_id;
} Upload;

typedef struct Sideload {
    SnApiContext *ctx;
    bool multipart;
    SnMultipart *mp;
    SnBuf json; /* the body, when it is not multipart */
    json_t *fields;
    char *field; /* the plain field being read */
    SnBuf value;
    size_t budget;
    Upload *uploads;
    size_t n_uploads;
    Upload *cur;
    int error;
    SnError *err;
} Sideload;

static void upload_done(Upload *u)
{
    u->fd = sn_safe_close(u->fd);
    if (u->path && !u->claimed)
        (void)unlink(u->path);
    EVP_MD_CTX_free(u->md);
    free(u->path);
    free(u->filename);
    free(u->sha3_384);
    free(u->snap_id);
}

static void sideload_free(void *p)
{
    Sideload *s = p;
    if (!s)
        return;
    sn_multipart_free(s->mp);
    sn_buf_done(&s->json);
    json_decref(s->fields);
    free(s->field);
    sn_buf_done(&s->value);
    for (size_t i = 0; i < s->n_uploads; i++)
        upload_done(&s->uploads[i]);
    free(s->uploads);
    sn_error_free(s->err);
    free(s);
}

static bool is_true(const char *v)
{
    /* Go's strconv.ParseBool, as snapd's isTrue. */
    return v && (SN_STREQ(v, "1") || SN_STREQ(v, "t") || SN_STREQ(v, "T") || SN_STREQ(v, "TRUE") ||
                 SN_STREQ(v, "true") || SN_STREQ(v, "True"));
}

static const char *field(const Sideload *s, const char *name)
{
    return json_string_value(json_object_get(s->fields, name));
}

static int on_part_begin(void *userdata, const char *name, const char *filename, SnError **reterr)
{
    Sideload *s = userdata;
    if (filename && SN_STREQ(name, "snap")) {
        Upload *n = reallocarray(s->uploads, s->n_uploads + 1, sizeof(*n));
        if (!n)
            return -ENOMEM;
        s->uploads = n;
        Upload *u = &s->uploads[s->n_uploads++];
        *u = (Upload){.fd = -1};
        s->cur = u;
        u->filename = strdup(filename);
        u->path = sn_strdup_printf("%s/var/lib/snapd/snaps/" LOCAL_INSTALL_PREFIX "XXXXXX", s->ctx->root);
        if (!u->filename || !u->path)
            return -ENOMEM;
        u->fd = mkostemp(u->path, O_CLOEXEC);
        if (u->fd < 0) {
            int e = sn_negative_errno();
            free(u->path);
            u->path = NULL;
            return sn_error_set(reterr, e, "cannot create temp file for form data file part: %s", strerror(-e));
        }
        (void)fchmod(u->fd, 0600);
        /* Only an asserted install needs the digest: hash while the bytes pass (never a second read). */
        if (!is_true(field(s, "dangerous"))) {
            u->md = EVP_MD_CTX_new();
            if (!u->md || EVP_DigestInit_ex(u->md, EVP_sha3_384(), NULL) != 1)
                return -ENOMEM;
        }
        return 0;
    }
    s->cur = NULL;
    free(s->field);
    s->field = strdup(name);
    sn_buf_done(&s->value);
    return s->field ? 0 : -ENOMEM;
}

static int on_part_data(void *userdata, const char *data, size_t len, SnError **reterr)
{
    Sideload *s = userdata;
    if (s->cur) {
        int r = sn_write_all(s->cur->fd, data, len);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot write file part: %s", strerror(-r));
        if (s->cur->md && EVP_DigestUpdate(s->cur->md, data, len) != 1)
            return sn_error_set(reterr, -EIO, "cannot hash file part");
        s->cur->size += len;
        return 0;
    }
    if (!s->field)
        return 0; /* a file part snapd ignores (not "snap") */
    if (len > s->budget)
        return sn_error_set(reterr, -E2BIG, "cannot read form data: exceeds memory limit");
    s->budget -= len;
    return sn_buf_append(&s->value, data, len);
}

static int on_part_end(void *userdata, SnError **reterr)
{
    Sideload *s = userdata;
    if (s->cur) {
        Upload *u = s->cur;
        s->cur = NULL;
        if (fsync(u->fd) < 0)
            return sn_error_set(reterr, sn_negative_errno(), "cannot sync file: %m");
        u->fd = sn_safe_close(u->fd);
        if (u->md) {
            unsigned char d[EVP_MAX_MD_SIZE];
            unsigned dl = 0;
            if (EVP_DigestFinal_ex(u->md, d, &dl) != 1)
                return sn_error_set(reterr, -EIO, "cannot hash file part");
            u->sha3_384 = sn_base64url_encode(d, dl);
            if (!u->sha3_384)
                return -ENOMEM;
        }
        return 0;
    }
    if (!s->field)
        return 0;
    if (!sn_buf_ok(&s->value))
        return -ENOMEM;
    int r = json_object_set_new(s->fields, s->field, json_string(s->value.data ? s->value.data : "")) < 0 ? -ENOMEM : 0;
    free(s->field);
    s->field = NULL;
    sn_buf_done(&s->value);
    return r;
}

static const SnMultipartCallbacks mp_callbacks = {on_part_begin, on_part_data, on_part_end};

static void *stream_begin(const SnApiRequest *req, void *userdata, json_t **ret_error)
{
    Sideload *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->ctx = userdata;
    s->budget = FORM_VALUES_BUDGET;
    s->fields = json_object();
    if (!s->fields) {
        sideload_free(s);
        return NULL;
    }
    if (req->content_type && strncasecmp(req->content_type, "multipart/", strlen("multipart/")) == 0 &&
        SN_STREQ(req->method, "POST")) {
        SnError *e = NULL;
        int r = sn_multipart_new(req->content_type, &mp_callbacks, s, &s->mp, &e);
        _sn_free_ char *dir = sn_strdup_printf("%s/var/lib/snapd/snaps", s->ctx->root);
        if (r >= 0)
            r = dir ? sn_mkdir_p(dir, 0755) : -ENOMEM;
        if (r < 0) {
            *ret_error = sn_api_error(400, NULL, NULL, "%s", sn_error_message(e, r));
            sn_error_free(e);
            sideload_free(s);
            return NULL;
        }
        s->multipart = true;
    }
    return s;
}

static int stream_data(void *state, const char *data, size_t len, json_t **ret_error)
{
    Sideload *s = state;
    if (!s->multipart) {
        if (s->json.len + len > SN_API_MAX_BODY) {
            *ret_error =
                sn_api_error(413, NULL, NULL, "cannot read request body: larger than %u bytes", SN_API_MAX_BODY);
            return -E2BIG;
        }
        return sn_buf_append(&s->json, data, len);
    }
    SnError *e = NULL;
    int r = sn_multipart_feed(s->mp, data, len, &e);
    if (r < 0) {
        int status = r == -ENOSPC || r == -EDQUOT ? 507 : r == -EBADMSG || r == -E2BIG ? 400 : 500;
        *ret_error =
            sn_api_error(status, status == 507 ? "insufficient-disk-space" : NULL, NULL, "%s", sn_error_message(e, r));
        sn_error_free(e);
    }
    return r;
}

const SnApiBodyStream sn_api_snaps_stream = {stream_begin, stream_data, sideload_free};

/* ---- making changes ---- */

static json_t *error_for(int r, const SnError *e, const char *name, const char *fmt_prefix)
{
    const char *msg = sn_error_message(e, r);
    if (r == -EBUSY) {
        /* "snap "NAME" has "KIND" change in progress" */
        const char *k1 = strstr(msg, "has \"");
        _sn_free_ char *kind = k1 ? strndup(k1 + 5, strcspn(k1 + 5, "\"")) : NULL;
        return sn_api_error(409, "snap-change-conflict",
                            json_pack("{s:s, s:s}", "snap-name", name, "change-kind", kind ? kind : ""), "%s", msg);
    }
    if (r == -ENOENT && sn_startswith(msg, "snap \""))
        return sn_api_error(400, "snap-not-installed", json_string(name), "%s", msg);
    if (r == -ENOENT && sn_startswith(msg, "revision "))
        return sn_api_error(400, "snap-not-installed", json_string(name), "%s", msg);
    if (r == -EEXIST)
        return sn_api_error(400, "snap-already-installed", json_pack("{s:[s]}", "snaps", name), "%s", msg);
    if (r == -ENOMEM)
        return sn_api_error(500, NULL, NULL, "out of memory");
    return sn_api_error(400, NULL, NULL, "%s%s", fmt_prefix ? fmt_prefix : "", msg);
}

/* Stores the change, kicks the runner, answers 202. Lock held. */
static json_t *create_change(SnApiContext *ctx, SnNewChange *c, char **names)
{
    json_t *api = json_object();
    json_t *list = json_array();
    for (char **n = names; api && list && n && *n; n++)
        json_array_append_new(list, json_string(*n));
    if (!api || !list) {
        json_decref(api);
        json_decref(list);
        return NULL;
    }
    if (names && names[0] && !names[1])
        json_object_set_new(api, "snap-name", json_string(names[0]));
    json_object_set_new(api, "snap-names", list);
    int r = sn_new_change_set(c, "api-data", api);
    json_decref(api);
    if (r < 0)
        return NULL;
    int64_t id = 0;
    SnConflict conflict = {0};
    SnError *e = NULL;
    r = sn_change_create(ctx->st, c, &id, &conflict, &e);
    json_t *env;
    if (r == -EBUSY)
        env = sn_api_error(409, "snap-change-conflict",
                           json_pack("{s:s, s:s}", "snap-name", conflict.snap ? conflict.snap : "", "change-kind",
                                     conflict.change_kind ? conflict.change_kind : ""),
                           "%s", sn_error_message(e, r));
    else if (r < 0)
        env = sn_api_error(500, NULL, NULL, "cannot store the change: %s", sn_error_message(e, r));
    else {
        if (ctx->runner)
            sn_taskrunner_kick(ctx->runner);
        env = sn_api_async(id);
    }
    sn_conflict_done(&conflict);
    sn_error_free(e);
    return env;
}

static json_t *post_sideload(SnApiContext *ctx, Sideload *s)
{
    SnError *e = NULL;
    int r = sn_multipart_finish(s->mp, &e);
    if (r < 0) {
        json_t *env = sn_api_error(400, NULL, NULL, "%s", sn_error_message(e, r));
        sn_error_free(e);
        return env;
    }
    const char *action = field(s, "action");
    if (action && *action && !SN_STREQ(action, "install"))
        return sn_api_error(400, NULL, NULL, "cannot %s from a file: not supported", action);
    if (s->n_uploads == 0)
        return sn_api_error(400, NULL, NULL, "cannot find \"snap\" file field in provided multipart/form-data payload");
    bool dangerous = is_true(field(s, "dangerous")), devmode = is_true(field(s, "devmode"));
    const char *snap_path = field(s, "snap-path");
    const char *instance = field(s, "name");
    if (instance && !*instance)
        instance = NULL;

    _sn_strv_free_ char **names = NULL;
    _sn_strv_free_ char **shown = NULL;
    for (size_t i = 0; i < s->n_uploads; i++) {
        Upload *u = &s->uploads[i];
        const char *display = s->n_uploads == 1 && snap_path && *snap_path ? snap_path : u->filename;
        _sn_free_ char *name = NULL;
        if (!dangerous) {
            /*
             * snapd's DeriveSideInfo + CrossCheck: the acked snap-revision for the file's digest
             * (hashed while it streamed in) and the declaration of its snap-id; size and name must
             * match. With devmode, missing assertions only make it unasserted.
             */
            _sn_free_ char *yaml_name = NULL;
            (void)sn_snapmgr_read_snap_name(u->path, &yaml_name, NULL);
            SnAssertSnapInfo ai = {0};
            sn_state_lock(ctx->st);
            r = sn_assertstate_check_snap(ctx->st, u->path, u->sha3_384, u->size, yaml_name, &ai, &e);
            sn_state_unlock(ctx->st);
            if (r == -ENOENT && devmode) {
                e = sn_error_free(e);
            } else if (r == -ENOENT) {
                sn_error_free(e);
                return sn_api_error(400, NULL, NULL, "cannot find signatures with metadata for snap/component \"%s\"",
                                    display);
            } else if (r < 0) {
                json_t *env = sn_api_error(400, NULL, NULL, "%s", sn_error_message(e, r));
                sn_error_free(e);
                return env;
            } else {
                u->revision = ai.revision;
                u->snap_id = ai.snap_id;
                ai.snap_id = NULL;
                sn_assert_snap_info_done(&ai);
            }
        }
        r = sn_snapmgr_read_snap_name(u->path, &name, &e);
        if (r < 0) {
            json_t *env = sn_api_error(400, NULL, NULL, "%s", sn_error_message(e, r));
            sn_error_free(e);
            return env;
        }
        if (instance && s->n_uploads == 1 && !SN_STREQ(instance, name))
            return sn_api_error(400, NULL, NULL, "instance name \"%s\" does not match snap name \"%s\"", instance,
                                name);
        if (sn_strv_push(&names, name) < 0 || sn_strv_push(&shown, display) < 0)
            return NULL;
    }

    _sn_free_ char *summary = NULL;
    if (s->n_uploads == 1)
        summary = sn_strdup_printf("Install \"%s\" snap from file \"%s\"", names[0], shown[0]);
    else {
        SnBuf a = {0}, b = {0};
        for (size_t i = 0; names[i]; i++) {
            sn_buf_printf(&a, "%s\"%s\"", i ? ", " : "", names[i]);
            sn_buf_printf(&b, "%s\"%s\"", i ? ", " : "", shown[i]);
        }
        summary = sn_strdup_printf("Install snaps %s from files %s", a.data ? a.data : "", b.data ? b.data : "");
        sn_buf_done(&a);
        sn_buf_done(&b);
    }
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = summary ? sn_new_change_new("install-snap", summary) : NULL;
    if (!c)
        return NULL;
    json_t *env = NULL;
    sn_state_lock(ctx->st);
    for (size_t i = 0; i < s->n_uploads && !env; i++) {
        SnInstallOptions o = {
            .display_path = shown[i],
            .instance_name = s->n_uploads == 1 ? instance : NULL,
            .remove_path = true,
            .dangerous = dangerous,
            .devmode = devmode,
            .classic = is_true(field(s, "classic")),
            .jailmode = is_true(field(s, "jailmode")),
            .revision = s->uploads[i].revision,
            .snap_id = s->uploads[i].snap_id,
        };
        r = sn_snapmgr_add_install_path(ctx->snapmgr, c, s->uploads[i].path, &o, &e);
        if (r < 0) {
            env =
                r == -EBUSY || r == -EEXIST
                    ? error_for(r, e, names[i], NULL)
                    : sn_api_error(r == -ENOMEM ? 500 : 400, NULL, NULL, "%s%s",
                                   sn_startswith(sn_error_message(e, r), "cannot ") ? "" : "cannot install snap file: ",
                                   sn_error_message(e, r));
            sn_error_free(e);
            e = NULL;
        }
    }
    if (!env) {
        env = create_change(ctx, c, names);
        if (env && SN_STREQ(json_string_value(json_object_get(env, "type")), "async"))
            for (size_t i = 0; i < s->n_uploads; i++)
                s->uploads[i].claimed = true;
    }
    sn_state_unlock(ctx->st);
    return env;
}

static int parse_revision(json_t *v, int64_t *ret)
{
    *ret = 0;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        *ret = json_integer_value(v);
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!*s)
            return 0;
        return sn_revision_parse(s, ret);
    }
    return -EINVAL;
}

/* Adds the tasks of one action on one snap. Lock held. Returns an error envelope or NULL. */
static json_t *add_action(SnApiContext *ctx, SnNewChange *c, const char *action, const char *name, int64_t revision,
                          bool purge)
{
    SnError *e = NULL;
    int r;
    if (SN_STREQ(action, "remove"))
        r = sn_snapmgr_add_remove(ctx->snapmgr, c, name, revision, purge, &e);
    else if (SN_STREQ(action, "revert"))
        r = sn_snapmgr_add_revert(ctx->snapmgr, c, name, revision, &e);
    else if (SN_STREQ(action, "enable"))
        r = sn_snapmgr_add_enable(ctx->snapmgr, c, name, &e);
    else if (SN_STREQ(action, "disable"))
        r = sn_snapmgr_add_disable(ctx->snapmgr, c, name, &e);
    else if (SN_STREQ(action, "install") || SN_STREQ(action, "refresh")) {
        /* No store yet: an installed snap has nothing newer, anything else is not found. */
        _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
        bool installed = sn_snap_state_get(ctx->st, name, &s, NULL) >= 0;
        if (SN_STREQ(action, "install") && installed)
            return sn_api_error(400, "snap-already-installed", json_pack("{s:[s]}", "snaps", name),
                                "snap \"%s\" is already installed", name);
        if (SN_STREQ(action, "refresh") && installed)
            return sn_api_error(400, "snap-no-update-available", json_string(name),
                                "snap \"%s\" has no updates available", name);
        if (SN_STREQ(action, "refresh"))
            return sn_api_error(400, "snap-not-installed", json_string(name), "snap \"%s\" is not installed", name);
        return sn_api_error(404, "snap-not-found", json_string(name), "snap not found");
    } else
        return sn_api_error(400, NULL, NULL, "unknown action %s", action);
    if (r >= 0)
        return NULL;
    _sn_free_ char *prefix = sn_strdup_printf("cannot %s \"%s\": ", action, name);
    json_t *env = error_for(r, e, name, prefix);
    sn_error_free(e);
    return env;
}

static const char *change_kind(const char *action)
{
    if (SN_STREQ(action, "remove"))
        return "remove-snap";
    if (SN_STREQ(action, "revert"))
        return "revert-snap";
    if (SN_STREQ(action, "enable"))
        return "enable-snap";
    if (SN_STREQ(action, "disable"))
        return "disable-snap";
    if (SN_STREQ(action, "refresh"))
        return "refresh-snap";
    return "install-snap";
}

static json_t *one_summary(const char *action, const char *name)
{
    _sn_free_ char *verb = strdup(action);
    if (!verb)
        return NULL;
    verb[0] = (char)(verb[0] - 'a' + 'A');
    _sn_free_ char *s = sn_strdup_printf("%s \"%s\" snap", verb, name);
    return s ? json_string(s) : NULL;
}

static json_t *decode_body(const SnApiRequest *req, const Sideload *s, json_t **ret_error)
{
    const char *data = s ? s->json.data : req->body;
    size_t len = s ? s->json.len : req->body_len;
    json_error_t jerr;
    json_t *body = json_loadb(data ? data : "", len, 0, &jerr);
    if (!json_is_object(body)) {
        json_decref(body);
        *ret_error = sn_api_error(400, NULL, NULL, "cannot decode request body into snap instruction: %s",
                                  body ? "not a JSON object" : jerr.text);
        return NULL;
    }
    return body;
}

json_t *sn_api_post_snap(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    if (!ctx->snapmgr)
        return sn_api_error(500, NULL, NULL, "snap operations are not available");
    json_t *err = NULL;
    json_t *body = decode_body(req, NULL, &err);
    if (!body)
        return err;
    const char *action = json_string_value(json_object_get(body, "action"));
    int64_t revision = 0;
    json_t *env = NULL;
    if (!action || !*action)
        env = sn_api_error(400, NULL, NULL, "unknown action %s", action ? action : "");
    else if (parse_revision(json_object_get(body, "revision"), &revision) < 0)
        env = sn_api_error(400, NULL, NULL, "cannot decode request body into snap instruction: invalid snap revision");
    else if (!SN_STREQ(action, "remove") && json_is_true(json_object_get(body, "purge")))
        env = sn_api_error(400, NULL, NULL, "the purge flag is only valid for remove");
    if (env) {
        json_decref(body);
        return env;
    }
    json_t *summary = one_summary(action, req->var);
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c =
        summary ? sn_new_change_new(change_kind(action), json_string_value(summary)) : NULL;
    json_decref(summary);
    if (!c) {
        json_decref(body);
        return NULL;
    }
    char *names[] = {(char *)req->var, NULL};
    sn_state_lock(ctx->st);
    env = add_action(ctx, c, action, req->var, revision, json_is_true(json_object_get(body, "purge")));
    if (!env)
        env = create_change(ctx, c, names);
    sn_state_unlock(ctx->st);
    json_decref(body);
    return env;
}

json_t *sn_api_post_snaps(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    Sideload *s = req->stream_state;
    if (!ctx->snapmgr)
        return sn_api_error(500, NULL, NULL, "snap operations are not available");
    if (s && s->multipart)
        return post_sideload(ctx, s);
    if (!req->content_type || strncasecmp(req->content_type, "application/json", strlen("application/json")) != 0)
        return sn_api_error(400, NULL, NULL, "unknown content type: %s", req->content_type ? req->content_type : "");
    json_t *err = NULL;
    json_t *body = decode_body(req, s, &err);
    if (!body)
        return err;
    const char *action = json_string_value(json_object_get(body, "action"));
    json_t *snaps = json_object_get(body, "snaps");
    _sn_strv_free_ char **names = NULL;
    size_t i;
    json_t *v;
    json_t *env = NULL;
    json_array_foreach(snaps, i, v)
    {
        if (json_is_string(v) && sn_strv_push(&names, json_string_value(v)) < 0) {
            json_decref(body);
            return NULL;
        }
    }
    if (!action || !*action)
        env = sn_api_error(400, NULL, NULL, "unknown action %s", action ? action : "");
    else if (!names && !SN_STREQ(action, "refresh"))
        env = sn_api_error(400, NULL, NULL, "cannot %s: no snaps given", action);
    else if (!names)
        env = sn_api_error(400, "snap-no-update-available", NULL, "no updates available");
    if (env) {
        json_decref(body);
        return env;
    }
    SnBuf q = {0};
    for (size_t k = 0; names[k]; k++)
        sn_buf_printf(&q, "%s\"%s\"", k ? ", " : "", names[k]);
    _sn_free_ char *verb = strdup(action);
    if (verb)
        verb[0] = (char)(verb[0] - 'a' + 'A');
    _sn_free_ char *summary = verb && sn_buf_ok(&q) ? sn_strdup_printf("%s snaps %s", verb, q.data) : NULL;
    sn_buf_done(&q);
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = summary ? sn_new_change_new(change_kind(action), summary) : NULL;
    if (!c) {
        json_decref(body);
        return NULL;
    }
    bool purge = json_is_true(json_object_get(body, "purge"));
    sn_state_lock(ctx->st);
    for (size_t k = 0; names[k] && !env; k++)
        env = add_action(ctx, c, action, names[k], 0, purge);
    if (!env)
        env = create_change(ctx, c, names);
    sn_state_unlock(ctx->st);
    json_decref(body);
    return env;
}
