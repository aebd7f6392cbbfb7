/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's /v2 endpoints served so far: GET /, GET /v2/system-info, GET /v2/changes,
 * GET and POST /v2/changes/{id}, GET /v2/snaps, GET /v2/snaps/{name}. See docs/rest-api.md.
 */
#pragma once

#include <jansson.h>

#include "api.h"
#include "servicestate.h"
#include "snapmgr.h"
#include "state-change.h"
#include "state.h"
#include "taskrunner.h"

typedef struct SnApiContext {
    SnState *st;            /* borrowed */
    SnTaskRunner *runner;   /* borrowed; may be NULL (then nothing is kicked) */
    const char *root;       /* "" for / */
    const char *version;    /* reported as snapd's version */
    SnSnapMgr *snapmgr;     /* borrowed; NULL: POST /v2/snaps answers 500 */
    SnServiceMgr *services; /* borrowed; NULL: every service shows disabled and inactive */
} SnApiContext;

/* Registers the endpoints on s. ctx is borrowed and must outlive the server. */
int sn_api_v2_register(SnApiServer *s, SnApiContext *ctx);

/* A change as snapd's ChangeInfo JSON (GET /v2/changes/{id}). NULL on allocation failure. */
json_t *sn_api_change_info(const SnChange *c);

/* The result object of GET /v2/system-info for root ("" for /). NULL on allocation failure. */
json_t *sn_api_system_info(const char *root, const char *version);

/* dpkg's name for the machine's architecture ("amd64", "arm64", "armhf", ...). */
const char *sn_api_dpkg_architecture(void);
