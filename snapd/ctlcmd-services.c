/* SPDX-License-Identifier: GPL-3.0-only */
/* snapctl services, start, stop and restart: the snap's own services, through the daemon's SnCtlServices. */
#include "ctlcmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "configstate.h"
#include "ctlcmd-internal.h"
#include "ifacestate.h"
#include "snap-yaml.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"

/* ---- services ---- */

/* snapd's getServiceInfos: NAME.APP names (or NAME: all) of the snap's services. */
static int service_names(Cmd *c, const SnSnapInfo *info, char *const *wanted, char ***ret, SnError **reterr)
{
    const char *snap = sn_hook_context_snap(c->ctx);
    char **out = NULL;
    bool all = !wanted || !wanted[0];
    for (char *const *w = wanted; !all && w && *w; w++)
        all = SN_STREQ(*w, snap);
    int r = 0;
    if (all) {
        for (size_t i = 0; r >= 0 && i < info->n_apps; i++)
            if (info->apps[i].daemon) {
                _sn_free_ char *n = sn_strdup_printf("%s.%s", snap, info->apps[i].name);
                r = n ? sn_strv_push(&out, n) : -ENOMEM;
            }
    } else {
        for (char *const *w = wanted; r >= 0 && *w; w++) {
            const SnApp *app = NULL;
            size_t len = strlen(snap);
            if (strncmp(*w, snap, len) == 0 && (*w)[len] == '.')
                app = sn_snap_info_find_app(info, *w + len + 1);
            if (!app || !app->daemon) {
                r = sn_error_set(reterr, -ENOENT, "unknown service: \"%s\"", *w);
                break;
            }
            r = sn_strv_push(&out, *w);
        }
    }
    if (r < 0) {
        sn_strv_free(out);
        return r;
    }
    if (out)
        qsort(out, sn_strv_length(out), sizeof(*out), sn_ctlcmd_key_cmp);
    *ret = out;
    return 0;
}

/* Go's tabwriter (minwidth 5, tabwidth 3, padding 2, ' ') over rows of 4 cells; the last is not padded. */
static void put_table(SnBuf *b, char *rows[][4], size_t n)
{
    size_t width[3] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 3; k++)
            width[k] = SN_MAX(width[k], strlen(rows[i][k]) + 2);
    for (size_t k = 0; k < 3; k++)
        width[k] = SN_MAX(width[k], 5);
    for (size_t i = 0; i < n; i++)
        sn_buf_printf(b, "%-*s%-*s%-*s%s\n", (int)width[0], rows[i][0], (int)width[1], rows[i][1], (int)width[2],
                      rows[i][2], rows[i][3]);
}

static const char *service_notes(const SnSnapInfo *info, const char *svc)
{
    const SnApp *app = sn_snap_info_find_app(info, strchr(svc, '.') + 1);
    if (app && app->timer)
        return "timer-activated";
    if (app && app->n_sockets)
        return "socket-activated";
    if (app && app->activates_on)
        return "dbus-activated";
    return "-";
}

int sn_ctlcmd_services(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {{"global", 'g', false}, {"user", 'u', false}};
    _sn_cleanup_(sn_ctlcmd_parsed_done) Parsed p = {0};
    int r = sn_ctlcmd_parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    r = sn_ctlcmd_need_context(c, reterr);
    if (r < 0)
        return r;
    if (p.values[0] && p.values[1])
        return sn_error_set(reterr, -EINVAL, "cannot combine --global and --user switches.");
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    r = sn_ctlcmd_current_info(c, &info, reterr);
    if (r < 0)
        return r;
    _sn_strv_free_ char **names = NULL;
    r = service_names(c, info, p.positional, &names, reterr);
    if (r < 0 || !names)
        return r;
    if (!c->services || !c->services->status)
        return sn_error_set(reterr, -ENOTSUP, "cannot query services: no service manager is running");
    size_t n = sn_strv_length(names);
    char *(*rows)[4] = calloc(n + 1, sizeof(*rows));
    if (!rows)
        return -ENOMEM;
    rows[0][0] = "Service";
    rows[0][1] = "Startup";
    rows[0][2] = "Current";
    rows[0][3] = "Notes";
    for (size_t i = 0; r >= 0 && i < n; i++) {
        bool enabled = false, active = false;
        SnError *e = NULL;
        r = c->services->status(c->services->userdata, names[i], &enabled, &active);
        if (r < 0)
            r = sn_error_set(reterr, r, "cannot get the status of service \"%s\": %s", names[i], strerror(-r));
        sn_error_free(e);
        rows[i + 1][0] = names[i];
        rows[i + 1][1] = enabled ? "enabled" : "disabled";
        rows[i + 1][2] = active ? "active" : "inactive";
        rows[i + 1][3] = (char *)service_notes(info, names[i]);
    }
    if (r >= 0)
        put_table(&c->out, rows, n + 1);
    free(rows);
    return r;
}

int sn_ctlcmd_service_control(Cmd *c, char *const *args, SnError **reterr)
{
    const char *flag = SN_STREQ(c->name, "start") ? "enable" : SN_STREQ(c->name, "stop") ? "disable" : "reload";
    const Flag flags[] = {{flag, 0, false}, {"system", 0, false}, {"user", 0, false}, {"users", 0, true}};
    _sn_cleanup_(sn_ctlcmd_parsed_done) Parsed p = {0};
    int r = sn_ctlcmd_parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    if (p.values[2] || p.values[3])
        return sn_error_set(reterr, -EINVAL, "user services are not supported");
    if (!p.positional)
        return sn_error_set(reterr, -EINVAL,
                            "the required argument `<service> (at least 1 argument)` was not provided");
    if (!c->ctx)
        return sn_error_set(reterr, -EINVAL,
                            "cannot invoke snapctl operation commands (here \"%s\") from outside of a snap", c->name);
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    r = sn_ctlcmd_current_info(c, &info, reterr);
    if (r < 0)
        return r;
    _sn_strv_free_ char **names = NULL;
    r = service_names(c, info, p.positional, &names, reterr);
    if (r < 0 || !names)
        return r;
    if (!c->services || !c->services->control)
        return sn_error_set(reterr, -ENOTSUP, "cannot %s services: no service manager is running", c->name);
    return c->services->control(c->services->userdata, c->ctx, c->name, names, p.values[0], &c->wait_change, reterr);
}
