/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's assertion endpoints (daemon/api_asserts.go), on the daemon's assertion database
 * (assertstate.h). userdata is the SnApiContext of api-v2.h. See docs/rest-api.md.
 *
 *   GET  /v2/assertions         {"types": [every type name, sorted]}                      open
 *   POST /v2/assertions         body: a stream of assertions ("snap ack"); sync null       authenticated
 *   GET  /v2/assertions/{type}  ?HEADER=VALUE... [&json=true|headers] [&remote=false]     open
 *        the matching assertions as application/x.ubuntu.assertion;bundle=y with
 *        X-Ubuntu-Assertions-Count, or with json= as [{"headers":{...},"body":"..."}]
 */
#pragma once

#include <jansson.h>

#include "api.h"

json_t *sn_api_get_assertion_types(const SnApiRequest *req, void *userdata);
json_t *sn_api_post_assertions(const SnApiRequest *req, void *userdata);
json_t *sn_api_get_assertions(const SnApiRequest *req, void *userdata);
