/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's interface endpoints (daemon/api_interfaces.go, api_connections.go), on ifacestate.h.
 * userdata is the SnApiContext of api-v2.h.
 *
 *   GET /v2/interfaces?select=all|connected[&names=a,b][&doc=true][&plugs=true][&slots=true]
 *       [{"name","summary","doc-url","plugs","slots"}]; without select the legacy
 *       {"plugs":[...],"slots":[...]} of every connected end; another select: 400
 *       "unsupported select qualifier"
 *   GET /v2/connections[?snap=S][&interface=I][&select=all]
 *       {"established","undesired","plugs","slots"}; select other than all: 400; a snap that is
 *       not installed: 404 snap-not-found
 *   POST /v2/interfaces {"action":"connect"|"disconnect","forget":bool,"plugs":[{"snap","plug"}],
 *       "slots":[{"snap","slot"}]}: async change connect-snap / disconnect-snap (an existing
 *       connection: a change that is already Done); nothing to disconnect: 400
 *       interfaces-unchanged; more than one plug or slot: 501; other refusals: 400 with snapd's
 *       message; a change in flight on either snap: 409 snap-change-conflict
 */
#pragma once

#include <jansson.h>

#include "api.h"

json_t *sn_api_get_interfaces(const SnApiRequest *req, void *userdata);
json_t *sn_api_post_interfaces(const SnApiRequest *req, void *userdata);
json_t *sn_api_get_connections(const SnApiRequest *req, void *userdata);
