/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The client's view of snapd's answers: decoding the envelope (errors, maintenance), sync and async requests,
 * and snapd's CLI wording of the error kinds.
 */
#include "client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client-internal.h"
#include "strutil.h"

/* ---- envelope ---- */

static const char *status_text(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Request Entity Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 507:
        return "Insufficient Storage";
    default:
        return "";
    }
}

static bool is_json(const char *content_type)
{
    if (!content_type)
        return false;
    size_t n = strcspn(content_type, ";");
    while (n > 0 && content_type[n - 1] == ' ')
        n--;
    return n == strlen("application/json") && strncasecmp(content_type, "application/json", n) == 0;
}

int sn_client_decode(SnClient *c, const SnClientResponse *rsp, json_t **ret_envelope, SnError **reterr)
{
    if (!is_json(rsp->content_type)) {
        if (rsp->status >= 400)
            return sn_error_set(reterr, -EBADMSG, "server error: \"%d %s\"", rsp->status, status_text(rsp->status));
        return sn_error_set(reterr, -EBADMSG, "cannot decode the server's response: content type \"%s\" is not JSON",
                            rsp->content_type ? rsp->content_type : "");
    }
    json_error_t jerr;
    json_t *env = json_loadb(rsp->body, rsp->body_len, 0, &jerr);
    if (!json_is_object(env)) {
        json_decref(env);
        if (rsp->status >= 400)
            return sn_error_set(reterr, -EBADMSG, "cannot unmarshal error: %s", env ? "not an object" : jerr.text);
        return sn_error_set(reterr, -EBADMSG, "cannot decode \"%.200s\": %s", rsp->body,
                            env ? "not a JSON object" : jerr.text);
    }
    json_decref(c->maintenance);
    c->maintenance = json_incref(json_object_get(env, "maintenance"));
    if (c->maintenance && !json_is_object(c->maintenance)) {
        json_decref(c->maintenance);
        c->maintenance = NULL;
    }
    const char *type = json_string_value(json_object_get(env, "type"));
    if (type && SN_STREQ(type, "error")) {
        json_t *result = json_object_get(env, "result");
        const char *message = json_string_value(json_object_get(result, "message"));
        if (!message || !*message) {
            json_decref(env);
            return sn_error_set(reterr, -EBADMSG, "server error: \"%s\"", status_text(rsp->status));
        }
        SnClientApiError *e = calloc(1, sizeof(*e));
        if (!e) {
            json_decref(env);
            return -ENOMEM;
        }
        const char *kind = json_string_value(json_object_get(result, "kind"));
        e->status = rsp->status;
        e->kind = strdup(kind ? kind : "");
        e->message = strdup(message);
        e->value = json_incref(json_object_get(result, "value"));
        json_decref(env);
        if (!e->kind || !e->message) {
            sn_client_api_error_free(e);
            return -ENOMEM;
        }
        sn_client_api_error_free(c->last_error);
        c->last_error = e;
        return sn_error_set(reterr, -EREMOTEIO, "%s", e->message);
    }
    if (rsp->status >= 400 || !type) {
        json_decref(env);
        return sn_error_set(reterr, -EBADMSG, "server error: \"%d %s\"", rsp->status, status_text(rsp->status));
    }
    *ret_envelope = env;
    return 0;
}

static int json_request(SnClient *c, const char *method, const char *path, const char *query, json_t *body,
                        json_t **ret_envelope, SnError **reterr)
{
    _sn_free_ char *text = NULL;
    if (body) {
        text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
            return -ENOMEM;
    }
    SnClientRequest req = {
        .method = method,
        .path = path,
        .query = query,
        .content_type = body ? "application/json" : NULL,
        .body = text,
        .body_len = text ? strlen(text) : 0,
    };
    _sn_cleanup_(sn_client_response_done) SnClientResponse rsp = {0};
    int r = sn_client_do(c, &req, &rsp, reterr);
    if (r < 0)
        return r;
    return sn_client_decode(c, &rsp, ret_envelope, reterr);
}

int sn_client_sync(SnClient *c, const char *method, const char *path, const char *query, json_t *body,
                   json_t **ret_result, SnError **reterr)
{
    json_t *env = NULL;
    int r = json_request(c, method, path, query, body, &env, reterr);
    if (r < 0)
        return r;
    const char *type = json_string_value(json_object_get(env, "type"));
    if (!SN_STREQ(type, "sync")) {
        r = sn_error_set(reterr, -EBADMSG, "expected sync response, got \"%s\"", type);
        json_decref(env);
        return r;
    }
    if (ret_result) {
        json_t *result = json_object_get(env, "result");
        *ret_result = result ? json_incref(result) : json_null();
    }
    json_decref(env);
    return 0;
}

static int async_from_envelope(json_t *env, int status, const char *method, const char *path, char **ret_change,
                               SnError **reterr)
{
    const char *type = json_string_value(json_object_get(env, "type"));
    if (!SN_STREQ(type, "async"))
        return sn_error_set(reterr, -EBADMSG, "expected async response for \"%s\" on \"%s\", got \"%s\"", method, path,
                            type);
    if (status != 202)
        return sn_error_set(reterr, -EBADMSG, "operation not accepted");
    const char *change = json_string_value(json_object_get(env, "change"));
    if (!change || !*change)
        return sn_error_set(reterr, -EBADMSG, "async response without change reference");
    char *id = strdup(change);
    if (!id)
        return -ENOMEM;
    *ret_change = id;
    return 0;
}

int sn_client_async(SnClient *c, const char *method, const char *path, const char *query, json_t *body,
                    char **ret_change, SnError **reterr)
{
    _sn_free_ char *text = NULL;
    if (body) {
        text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
            return -ENOMEM;
    }
    SnClientRequest req = {
        .method = method,
        .path = path,
        .query = query,
        .content_type = body ? "application/json" : NULL,
        .body = text,
        .body_len = text ? strlen(text) : 0,
    };
    return sn_client_async_request(c, &req, ret_change, reterr);
}

int sn_client_async_request(SnClient *c, const SnClientRequest *req, char **ret_change, SnError **reterr)
{
    _sn_cleanup_(sn_client_response_done) SnClientResponse rsp = {0};
    int r = sn_client_do(c, req, &rsp, reterr);
    if (r < 0)
        return r;
    json_t *env = NULL;
    r = sn_client_decode(c, &rsp, &env, reterr);
    if (r < 0)
        return r;
    r = async_from_envelope(env, rsp.status, req->method, req->path, ret_change, reterr);
    json_decref(env);
    return r;
}

/* ---- snapd's CLI wording of error kinds ---- */

char *sn_client_error_message(const SnClientApiError *e, const char *snap_name, const char *op, const char *revision,
                              const char *channel, bool *ret_is_error)
{
    const char *kind = e->kind ? e->kind : "";
    const char *value_str = json_string_value(e->value);
    bool is_error = true;
    char *msg = NULL;
    if (!snap_name || !*snap_name || SN_STREQ(snap_name, "./"))
        snap_name = value_str && *value_str ? value_str : (snap_name ? snap_name : "");

    if (SN_STREQ(kind, "snap-not-found")) {
        msg = sn_strdup_printf("snap \"%s\" not found", snap_name);
    } else if (SN_STREQ(kind, "snap-revision-not-available") || SN_STREQ(kind, "snap-channel-not-available") ||
               SN_STREQ(kind, "snap-architecture-not-available")) {
        const char *cand = json_string_value(json_object_get(e->value, "snap-name"));
        if (cand && *cand)
            snap_name = cand;
        if (revision && *revision)
            msg = sn_strdup_printf("snap \"%s\" revision %s not available (see 'snap info %s')", snap_name, revision,
                                   snap_name);
        else if (channel && *channel)
            msg = sn_strdup_printf("snap \"%s\" not available on channel \"%s\" (see 'snap info %s')", snap_name,
                                   channel, snap_name);
        else
            msg = sn_strdup_printf("snap \"%s\" not available as specified (see 'snap info %s')", snap_name, snap_name);
    } else if (SN_STREQ(kind, "snap-already-installed")) {
        json_t *snaps = json_object_get(e->value, "snaps");
        SnBuf b = {0};
        size_t i;
        json_t *s;
        json_array_foreach(snaps, i, s)
        {
            if (json_is_string(s))
                sn_buf_printf(&b, "%ssnap \"%s\" is already installed, see 'snap help refresh'", b.len ? "\n" : "",
                              json_string_value(s));
        }
        if (b.len == 0)
            sn_buf_puts(&b, e->message);
        msg = sn_buf_steal(&b);
    } else if (SN_STREQ(kind, "snap-needs-devmode")) {
        msg = sn_strdup_printf("snap \"%s\" requires devmode or confinement override", snap_name);
    } else if (SN_STREQ(kind, "snap-needs-classic")) {
        msg = sn_strdup_printf("This revision of snap \"%s\" was published using classic confinement and thus may\n"
                               "perform arbitrary system changes outside of the security sandbox that snaps are\n"
                               "usually confined to, which may put your system at risk.\n\n"
                               "If you understand and want to proceed repeat the command including --classic.",
                               snap_name);
    } else if (SN_STREQ(kind, "snap-not-classic")) {
        msg = sn_strdup_printf("snap \"%s\" is not compatible with --classic", snap_name);
    } else if (SN_STREQ(kind, "login-required")) {
        msg = sn_strdup_printf("%s (%s)", e->message, geteuid() == 0 ? "see 'snap help login'" : "try with sudo");
    } else if (SN_STREQ(kind, "snap-local")) {
        msg = sn_strdup_printf("local snap \"%s\" is unknown to the store, use --amend to proceed anyway", snap_name);
    } else if (SN_STREQ(kind, "snap-no-update-available")) {
        is_error = false;
        msg = sn_strdup_printf("snap \"%s\" has no updates available", snap_name);
    } else if (SN_STREQ(kind, "snap-not-installed")) {
        is_error = !(op && SN_STREQ(op, "remove"));
        msg = strdup(e->message);
    } else if (SN_STREQ(kind, "network-timeout")) {
        msg = strdup("unable to contact snap store");
    } else if (SN_STREQ(kind, "insufficient-disk-space")) {
        const char *ck = json_string_value(json_object_get(e->value, "change-kind"));
        json_t *names = json_object_get(e->value, "snap-names");
        SnBuf q = {0};
        size_t i;
        json_t *s;
        json_array_foreach(names, i, s)
        {
            sn_buf_printf(&q, "%s\"%s\"", i ? ", " : "", json_string_value(s) ?: "");
        }
        _sn_free_ char *quoted = sn_buf_steal(&q);
        if (ck && SN_STREQ(ck, "remove"))
            msg = sn_strdup_printf("cannot remove %s due to low disk space for automatic snapshot, use --purge to "
                                   "avoid creating a snapshot",
                                   quoted ?: "");
        else if (ck && (SN_STREQ(ck, "install") || SN_STREQ(ck, "refresh")))
            msg = sn_strdup_printf("cannot %s %s due to low disk space", ck, quoted ?: "");
        else
            msg = strdup(e->message);
    } else {
        msg = strdup(e->message);
    }
    if (ret_is_error)
        *ret_is_error = is_error;
    return msg;
}
