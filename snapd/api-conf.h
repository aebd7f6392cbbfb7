/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's configuration endpoint (daemon/api_snap_conf.go), on configstate.h. userdata is the
 * SnApiContext of api-v2.h. Both methods need an authenticated caller, as in snapd.
 *
 *   GET /v2/snaps/{name}/conf[?keys=a,b.c]  {"a": ..., "b.c": ...}, or the whole document
 *       ({} when none) without keys; a key that is not set: 400 option-not-found
 *   PUT /v2/snaps/{name}/conf  body {"a.b": value, "c": null, ...}: async change
 *       "configure-snap"; a snap that is not installed: 404 snap-not-found
 *
 * "system" is the system's own configuration (stored as "core", as snapd does).
 */
#pragma once

#include <jansson.h>

#include "api.h"

json_t *sn_api_get_conf(const SnApiRequest *req, void *userdata);
json_t *sn_api_put_conf(const SnApiRequest *req, void *userdata);
