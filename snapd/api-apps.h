/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's /v2/apps and /v2/logs (daemon/api_apps.go) on the service manager (servicestate.h):
 *
 * - GET /v2/apps?names=A,B.C&select=service: the apps (or only the services) of the installed
 *   snaps, or of the named ones ("SNAP" for all of a snap's apps, "SNAP.APP" for one), sorted by
 *   snap and app, as snapd's client.AppInfo: {"snap", "name", "daemon", "daemon-scope", "enabled",
 *   "active"} (false ones omitted). Unknown snap: 404 snap-not-found; unknown app: 404
 *   app-not-found ("snap \"S\" has no service \"A\"").
 * - POST /v2/apps {"action": "start"|"stop"|"restart", "names": [...], "enable", "disable",
 *   "reload"}: an async "service-control" change with one service-control task per snap.
 * - GET /v2/logs?names=&n=N: application/json-seq (RS, JSON, LF per entry) of {"timestamp",
 *   "message", "sid", "pid"}, the last n (default 10, negative: all) entries of the named services
 *   (all when none), oldest first. follow=true is refused (400): the API server cannot stream a
 *   response yet.
 */
#pragma once

#include <jansson.h>

#include "api.h"
#include "servicestate.h"
#include "state.h"
#include "taskrunner.h"

typedef struct SnApiApps {
    SnState *st;            /* borrowed */
    SnTaskRunner *runner;   /* borrowed; may be NULL */
    SnServiceMgr *services; /* borrowed; NULL: everything inactive, no logs, POST 500 */
    const char *root;       /* "" for / */
} SnApiApps;

/*
 * Sets "enabled" and "active" (snapd's client.AppInfo, omitted when false) on the app object o from
 * the supervisor's status of service SNAP.APP; nothing when services is NULL or does not know it.
 */
void sn_api_app_service_status(SnServiceMgr *services, const char *snap, const char *app, json_t *o);

json_t *sn_api_get_apps(const SnApiRequest *req, void *userdata);
json_t *sn_api_post_apps(const SnApiRequest *req, void *userdata);
json_t *sn_api_get_logs(const SnApiRequest *req, void *userdata);

/* Adds /v2/apps and /v2/logs to s; ctx must outlive the server. */
int sn_api_apps_register(SnApiServer *s, SnApiApps *ctx);
