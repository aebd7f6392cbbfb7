/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * POST /v2/snapctl (snapd's daemon/api_snapctl.go), served on $ROOT/run/snapd-snap.socket only:
 *
 *   {"context-id": COOKIE, "args": ["get", "foo"], "stdin"?: base64}
 *   -> 200 sync {"stdout": "...", "stderr": "..."}
 *   -> 200 error kind "unsuccessful", value {"stdout","stderr","exit-code"} (is-connected: not connected)
 *   -> 403 "cannot use \"set\" with uid 1000, try with sudo" (a caller that is not root outside the
 *      read-only subset)
 *   -> 400 "snapctl: MESSAGE" for anything the command refused; "snapctl cannot run without args";
 *      "cannot decode snapctl request: ..."
 *
 * The caller is known by its context id and nothing else: a running hook's SNAP_COOKIE, or a
 * snap's cookie (an ephemeral context, whose staged changes are stored right after the command,
 * as snapd's context.Done(); "set failed: ..." when that fails). A wrong or missing id makes every
 * command that needs a context fail ("cannot invoke snapctl operation commands ..."). The uid
 * comes from SO_PEERCRED.
 *
 * start/stop/restart [--enable|--disable|--reload] (snapd's runServiceCommand): from a configure or
 * default-configure hook the service-control task is queued in the hook's change and the answer
 * comes at once; otherwise (an app with its cookie, or another hook) a "service-control" change
 * runs and the answer waits until it is ready, without blocking the loop: its error (snapd's
 * "cannot perform the following tasks: ...") is a 400 "snapctl: ...". After wait_timeout_ns the
 * answer is "snapctl: ACTION command is taking too long" (the change goes on).
 */
#pragma once

#include <jansson.h>

#include "api.h"
#include "ctlcmd.h"
#include "hookstate.h"
#include "state.h"

typedef struct SnApiSnapctl {
    SnState *st;                   /* borrowed */
    SnHookMgr *hooks;              /* borrowed */
    const SnCtlServices *services; /* borrowed; NULL: services commands fail */
    /*
     * How long start/stop/restart wait for their change before "snapctl: ACTION command is taking
     * too long" (snapd: half the configure hook's timeout); 0 is taken as that default.
     */
    int64_t wait_timeout_ns;
} SnApiSnapctl;

/* The handler; userdata is an SnApiSnapctl. */
json_t *sn_api_post_snapctl(const SnApiRequest *req, void *userdata);

/* Adds the route (POST, snapd-snap.socket only) to s; ctx must outlive the server. */
int sn_api_snapctl_register(SnApiServer *s, SnApiSnapctl *ctx);
