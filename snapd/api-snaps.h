/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's snap operations over REST:
 *   POST /v2/snaps (multipart/form-data): sideload one or more .snap files (field "snap"; fields
 *     action, name, snap-path, dangerous, devmode, classic, jailmode as snapd's client sends them).
 *     Each file part streams to $ROOT/var/lib/snapd/snaps/.local-install-XXXXXX (snapd's spool
 *     prefix) as it arrives, never whole in memory, fsynced; the change owns it from then on.
 *     Without dangerous, the file's SHA3-384 (computed while it streams) must have an acked
 *     snap-revision and snap-declaration (assertstate): the install then gets their revision and
 *     snap-id; otherwise snapd's "cannot find signatures with metadata for snap/component".
 *   POST /v2/snaps (application/json): {"action": "remove"|"revert"|"enable"|"disable"|"install"|
 *     "refresh", "snaps": [...]} on several snaps in one change.
 *   POST /v2/snaps/{name}: {"action": install|refresh|revert|remove|enable|disable, "revision",
 *     "purge"}.
 * Answers are async (202, the change id) or snapd's errors (kinds snap-change-conflict,
 * snap-not-installed, snap-already-installed, snap-not-found, ...). See docs/rest-api.md.
 */
#pragma once

#include <jansson.h>

#include "api-v2.h"
#include "api.h"

/* The body stream of /v2/snaps (multipart or JSON). */
extern const SnApiBodyStream sn_api_snaps_stream;

/* POST /v2/snaps and POST /v2/snaps/{name}; userdata is the SnApiContext. */
json_t *sn_api_post_snaps(const SnApiRequest *req, void *userdata);
json_t *sn_api_post_snap(const SnApiRequest *req, void *userdata);
