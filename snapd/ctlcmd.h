/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The snapctl commands (snapd's overlord/hookstate/ctlcmd), run by POST /v2/snapctl in a hook
 * context or an ephemeral (cookie) context:
 *
 *   get [-d] [-t] KEY...           the configuration as the context sees it (staged values on top);
 *                                  one key prints the value (strings bare), several or -d print a
 *                                  document (Go's json.MarshalIndent with tabs); unset keys are left out
 *   set [-s|-t] KEY=VALUE|KEY!...  stages values (JSON when they parse, else strings; KEY! unsets)
 *   get [-d] [-t] [--plug|--slot] :NAME KEY...
 *                                  in an interface hook (hookstate.h: the attrs task): the attributes
 *                                  of the hook's own plug or slot NAME, or of the other side with
 *                                  --plug/--slot; static ones first, then dynamic; dotted keys; a
 *                                  missing one fails with "no \"KEY\" attribute"
 *   set :NAME KEY=VALUE...         in a prepare-plug-/prepare-slot- hook: stages the own side's
 *                                  dynamic attributes (not over a static one), stored when it succeeds
 *   unset KEY...                   stages nulls
 *   set-health STATUS [MESSAGE] [--code=CODE]
 *   is-connected [--list] PLUG|SLOT  exit 0 when connected, 1 (unsuccessful) when not
 *   services [NAME...]             "Service  Startup  Current  Notes" of the snap's services
 *   start [--enable] | stop [--disable] | restart [--reload] NAME...
 *
 * Everything the context stages is stored when the hook succeeds (or, for an ephemeral context,
 * when the API commits it after the call). A caller that is not root may run only snapd's
 * read-only subset (get, services, set-health, is-connected, system-mode, refresh, model,
 * version, is-ready, tasks, change) or ask for help; anything else is refused with snapd's
 * message ("cannot use \"set\" with uid 1000, try with sudo").
 *
 * Connections are the interface manager's (ifacestate.h, established ones), and those of a "conns"
 * object in the state's kv table if one was imported (snapd's state key: "SNAP:PLUG SNAP:SLOT" ->
 * {"interface", "undesired"?, "hotplug-gone"?, ...}).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "hookstate.h"
#include "state.h"

/* Service control for snapctl services/start/stop/restart; a NULL table makes them fail. */
typedef struct SnCtlServices {
    /* The status of service NAME.APP: 0 with *ret_enabled and *ret_active, or -ENOENT or -errno. */
    int (*status)(void *userdata, const char *name, bool *ret_enabled, bool *ret_active);
    /*
     * action is "start", "stop" or "restart" of names (NAME.APP, NULL-terminated) for the snap of
     * ctx; flag is --enable, --disable or --reload respectively. Sets the work up as snapd's
     * runServiceCommand does: from a configure or default-configure hook, service-control tasks
     * queued in the hook's change (*ret_change 0: nothing to wait for); otherwise a new
     * "service-control" change, whose id goes to *ret_change: snapctl answers once it is ready.
     * 0 or -errno with a message. Called with the state lock not held.
     */
    int (*control)(void *userdata, SnHookContext *ctx, const char *action, char *const *names, bool flag,
                   int64_t *ret_change, SnError **reterr);
    void *userdata;
} SnCtlServices;

typedef struct SnCtlOutput {
    char *out;     /* stdout text, never NULL after a call that returned >= 0 */
    char *err;     /* stderr text, never NULL after a call that returned >= 0 */
    int exit_code; /* with SN_CTL_UNSUCCESSFUL: the exit status snapctl should end with */
    /* > 0: the command started this change; the answer waits until it is ready and fails with its error */
    int64_t wait_change;
} SnCtlOutput;

void sn_ctl_output_done(SnCtlOutput *o);

/* sn_ctlcmd_run's result besides 0: the command ran and failed with ret->exit_code (snapd's UnsuccessfulError). */
#define SN_CTL_UNSUCCESSFUL 1

/*
 * Runs one snapctl command line (args[0] is the command) for a caller with uid, in context ctx
 * (NULL when the context id named no context: commands that need one then fail with snapd's
 * "cannot invoke snapctl operation commands (here \"get\") from outside of a snap"). The state
 * lock must not be held (the commands take it). Returns 0 (output in *ret), SN_CTL_UNSUCCESSFUL
 * (output and exit_code in *ret), -EPERM with snapd's forbidden message, or another -errno with
 * the message of a bad request. *ret is filled on every return >= 0 (sn_ctl_output_done).
 */
int sn_ctlcmd_run(SnState *st, SnHookContext *ctx, const SnCtlServices *services, char *const *args, uid_t uid,
                  SnCtlOutput *ret, SnError **reterr);

/* Go's json.MarshalIndent(v, "", "\t") of v (borrowed), as snapctl get prints documents. Caller frees. */
char *sn_ctl_json_indent(json_t *v);
