/* SPDX-License-Identifier: GPL-3.0-only */
#include "service-units.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "duration.h"
#include "fd-util.h"
#include "fileio.h"
#include "strutil.h"
#include "timer-schedule.h"

#define SYSTEM_DIR "etc/systemd/system"
#define USER_DIR "etc/systemd/user"

char *sn_systemd_escape_path(const char *path)
{
    while (*path == '/')
        path++;
    size_t len = strlen(path);
    while (len > 0 && path[len - 1] == '/')
        len--;
    if (len == 0)
        return strdup("-");
    SnBuf b = {0};
    for (size_t i = 0; i < len; i++) {
        char c = path[i];
        if (c == '/') {
            while (i + 1 < len && path[i + 1] == '/')
                i++;
            sn_buf_putc(&b, '-');
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
                   (c == '.' && i > 0)) {
            sn_buf_putc(&b, c);
        } else {
            sn_buf_printf(&b, "\\x%02x", (unsigned char)c);
        }
    }
    return sn_buf_steal(&b);
}

/* Go's Duration.String() of a duration raised to systemd's 1us minimum (ensureMinSystemdDuration). */
static const char *dur(SnDuration d, char *buf, size_t size)
{
    if (d > 0 && d < 1000)
        d = 1000;
    return sn_duration_format(d, buf, size);
}

/* snapd's AppInfo.launcherCommand: "/usr/bin/snap run[ EXTRA] NAME[.APP]". */
static void put_launcher(SnBuf *b, const SnSnapInfo *info, const char *instance, const SnApp *app, const char *extra)
{
    sn_buf_puts(b, "/usr/bin/snap run");
    if (extra)
        sn_buf_printf(b, " %s", extra);
    if (SN_STREQ(app->name, info->name))
        sn_buf_printf(b, " %s", instance);
    else
        sn_buf_printf(b, " %s.%s", instance, app->name);
}

static const char *slot_name_attr(const SnSnapInfo *info, const char *slot)
{
    for (size_t i = 0; i < info->n_slots; i++) {
        const SnPlugSlot *s = &info->slots[i];
        if (!SN_STREQ(s->name, slot) || s->attrs.kind != SN_YAML_MAP)
            continue;
        for (size_t k = 0; k < s->attrs.n_items; k++)
            if (SN_STREQ(s->attrs.keys[k], "name") && s->attrs.items[k].kind == SN_YAML_SCALAR)
                return s->attrs.items[k].scalar;
    }
    return NULL;
}

static bool is_user(const SnApp *app)
{
    return app->daemon_scope && SN_STREQ(app->daemon_scope, "user");
}

/* Names of the apps of the snap among names, as service units (generateServiceNames). */
static void put_service_names(SnBuf *b, const SnSnapInfo *info, const char *instance, char **names)
{
    for (char **n = names; n && *n; n++)
        if (sn_snap_info_find_app(info, *n))
            sn_buf_printf(b, " snap.%s.%s.service", instance, *n);
}

static char *service_unit(const SnSnapInfo *info, const char *instance, const char *revision, const SnApp *app,
                          const char *mount_unit)
{
    bool user = is_user(app);
    bool oneshot = SN_STREQ(app->daemon, "oneshot");
    char buf[SN_DURATION_FORMAT_MAX];
    SnBuf b = {0};
    sn_buf_printf(&b, "[Unit]\n# Auto-generated, DO NOT EDIT\nDescription=Service for snap application %s.%s\n",
                  instance, app->name);
    if (!user) {
        sn_buf_printf(&b, "Requires=%s\nWants=network.target\nAfter=%s network.target", mount_unit, mount_unit);
        put_service_names(&b, info, instance, app->after);
        sn_buf_puts(&b, " snapd.apparmor.service\n");
    } else if (app->after && app->after[0]) {
        SnBuf after = {0};
        put_service_names(&after, info, instance, app->after);
        if (after.len > 0)
            sn_buf_printf(&b, "After=%s\n", after.data + 1);
        sn_buf_done(&after);
    }
    SnBuf before = {0};
    put_service_names(&before, info, instance, app->before);
    if (before.len > 0)
        sn_buf_printf(&b, "Before=%s\n", before.data + 1);
    sn_buf_done(&before);
    sn_buf_puts(&b, "X-Snappy=yes\n\n[Service]\nEnvironmentFile=-/etc/environment\nExecStart=");
    if (app->timer) {
        _sn_free_ char *arg = sn_strdup_printf("--timer=\"%s\"", app->timer);
        put_launcher(&b, info, instance, app, arg ? arg : "");
    } else {
        put_launcher(&b, info, instance, app, NULL);
    }
    const char *restart = oneshot                                     ? "no"
                          : !app->restart_condition                   ? "on-failure"
                          : SN_STREQ(app->restart_condition, "never") ? "no"
                                                                      : app->restart_condition;
    sn_buf_printf(&b, "\nSyslogIdentifier=%s.%s\nRestart=%s\n", instance, app->name, restart);
    if (app->restart_delay > 0)
        sn_buf_printf(&b, "RestartSec=%s\n", dur(app->restart_delay, buf, sizeof(buf)));
    if (app->n_success_exit_status > 0) {
        sn_buf_puts(&b, "SuccessExitStatus=");
        for (size_t i = 0; i < app->n_success_exit_status; i++)
            sn_buf_printf(&b, "%s%d", i ? " " : "", app->success_exit_status[i]);
        sn_buf_putc(&b, '\n');
    }
    sn_buf_printf(&b, "WorkingDirectory=/var/snap/%s/%s\n", instance, revision);
    if (app->stop_command) {
        sn_buf_puts(&b, "ExecStop=");
        put_launcher(&b, info, instance, app, "--command=stop");
        sn_buf_putc(&b, '\n');
    }
    if (app->reload_command) {
        sn_buf_puts(&b, "ExecReload=");
        put_launcher(&b, info, instance, app, "--command=reload");
        sn_buf_putc(&b, '\n');
    }
    if (app->post_stop_command) {
        sn_buf_puts(&b, "ExecStopPost=");
        put_launcher(&b, info, instance, app, "--command=post-stop");
        sn_buf_putc(&b, '\n');
    }
    /* snapd always writes a stop timeout: 30s unless given (timeout.DefaultTimeout). */
    sn_buf_printf(&b, "TimeoutStopSec=%s\n",
                  dur(app->stop_timeout > 0 ? app->stop_timeout : 30LL * 1000000000, buf, sizeof(buf)));
    if (app->start_timeout > 0)
        sn_buf_printf(&b, "TimeoutStartSec=%s\n", dur(app->start_timeout, buf, sizeof(buf)));
    sn_buf_printf(&b, "Type=%s\n", app->daemon);
    if (oneshot && app->stop_command)
        sn_buf_puts(&b, "RemainAfterExit=yes\n");
    if (SN_STREQ(app->daemon, "dbus")) {
        const char *bus = app->bus_name;
        size_t n_act = sn_strv_length(app->activates_on);
        if (!bus && n_act > 0)
            bus = slot_name_attr(info, app->activates_on[n_act - 1]);
        if (bus)
            sn_buf_printf(&b, "BusName=%s\n", bus);
    }
    if (app->watchdog_timeout > 0)
        sn_buf_printf(&b, "WatchdogSec=%s\n", dur(app->watchdog_timeout, buf, sizeof(buf)));
    const char *mode = app->stop_mode ? app->stop_mode : "";
    if (*mode && !sn_endswith(mode, "-all"))
        sn_buf_puts(&b, "KillMode=process\n");
    if (*mode) {
        sn_buf_puts(&b, "KillSignal=");
        for (const char *p = mode; *p && *p != '-'; p++)
            sn_buf_putc(&b, (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p));
        sn_buf_putc(&b, '\n');
    }
    if (!app->n_sockets && !app->timer && !(app->activates_on && app->activates_on[0]))
        sn_buf_printf(&b, "\n[Install]\nWantedBy=%s\n", user ? "default.target" : "multi-user.target");
    return sn_buf_steal(&b);
}

/* ---- timer schedules to OnCalendar= (timeutil schedules without week positions) ---- */

static const char *const wdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static const char *const wday_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

static int parse_wday(const char *s, size_t len, int *ret)
{
    if (len != 3)
        return len > 3 && len <= 4 && s[3] >= '1' && s[3] <= '5' ? -EOPNOTSUPP : -EINVAL;
    for (int i = 0; i < 7; i++)
        if (strncmp(s, wdays[i], 3) == 0) {
            *ret = i;
            return 0;
        }
    return -EINVAL;
}

static int parse_clock(const char *s, size_t len, int *ret_min)
{
    int h = 0, m = 0, n = 0;
    char tmp[8];
    if (len == 0 || len >= sizeof(tmp))
        return -EINVAL;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (sscanf(tmp, "%2d:%2d%n", &h, &m, &n) != 2 || (size_t)n != len || h < 0 || h > 24 || m < 0 || m > 59 ||
        (h == 24 && m != 0))
        return -EINVAL;
    *ret_min = h * 60 + m;
    return 0;
}

static unsigned random_below(unsigned n)
{
    unsigned v = 0;
    if (n == 0 || getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
        return 0;
    return v % n;
}

/* One time set ("10:00", "9:00-11:00/2", "23:00~01:00") into start times (minutes of the day). */
static int expand_times(const char *s, size_t len, int *out, size_t *n_out, size_t max)
{
    unsigned split = 0;
    const char *slash = memchr(s, '/', len);
    size_t main_len = slash ? (size_t)(slash - s) : len;
    if (slash) {
        char tmp[16];
        size_t cl = len - main_len - 1;
        uint64_t v;
        if (cl == 0 || cl >= sizeof(tmp))
            return -EINVAL;
        memcpy(tmp, slash + 1, cl);
        tmp[cl] = '\0';
        if (sn_parse_u64(tmp, &v) < 0 || v == 0 || v > 1440)
            return -EINVAL;
        split = (unsigned)v;
    }
    const char *sep = NULL;
    for (size_t i = 0; i < main_len; i++)
        if (s[i] == '-' || s[i] == '~')
            sep = s + i;
    int start, end;
    bool spread = sep && *sep == '~';
    if (!sep) {
        if (parse_clock(s, main_len, &start) < 0 || slash)
            return -EINVAL;
        end = start;
    } else if (parse_clock(s, (size_t)(sep - s), &start) < 0 ||
               parse_clock(sep + 1, main_len - (size_t)(sep - s) - 1, &end) < 0) {
        return -EINVAL;
    }
    int span = ((end - start) % 1440 + 1440) % 1440;
    unsigned parts = split > 1 && span > 0 ? split : 1;
    int step = span / (int)parts;
    for (unsigned i = 0; i < parts; i++) {
        int when = start + (int)i * step;
        int length = parts > 1 ? step : span;
        if (spread && length > 0) {
            /* as snapd: cut 5 minutes off a window longer than that, pick a random minute in it */
            if (length > 5)
                length -= 5;
            when += (int)random_below((unsigned)length);
        }
        if (*n_out >= max)
            return -E2BIG;
        out[(*n_out)++] = when % 1440;
    }
    return 0;
}

#define MAX_EVENTS 256

static int on_calendar(const char *spec, SnBuf *b)
{
    _sn_free_ char *copy = strdup(spec);
    if (!copy)
        return -ENOMEM;
    for (char *set = copy, *next; set; set = next) {
        char *sep = strstr(set, ",,");
        next = sep ? sep + 2 : NULL;
        if (sep)
            *sep = '\0';
        char days[8][64];
        size_t n_days = 0;
        int times[MAX_EVENTS];
        size_t n_times = 0;
        for (char *item = set, *inext; item && *item; item = inext) {
            char *comma = strchr(item, ',');
            inext = comma ? comma + 1 : NULL;
            size_t len = comma ? (size_t)(comma - item) : strlen(item);
            if (len > 0 && item[0] >= 'a' && item[0] <= 'z') {
                const char *dash = memchr(item, '-', len);
                int a, z;
                int r = parse_wday(item, dash ? (size_t)(dash - item) : len, &a);
                if (r >= 0)
                    r = dash ? parse_wday(dash + 1, len - (size_t)(dash - item) - 1, &z) : (z = a, 0);
                if (r < 0)
                    return r;
                if (n_days == SN_ELEMENTSOF(days))
                    return -E2BIG;
                char *d = days[n_days++];
                d[0] = '\0';
                for (int w = a;; w = (w + 1) % 7) {
                    strcat(d, wday_names[w]);
                    if (w == z)
                        break;
                    strcat(d, ",");
                }
                strcat(d, " *-*-*");
            } else {
                int r = expand_times(item, len, times, &n_times, MAX_EVENTS);
                if (r < 0)
                    return r;
            }
        }
        if (n_days == 0) {
            strcpy(days[0], "*-*-*");
            n_days = 1;
        }
        for (size_t d = 0; d < n_days; d++) {
            if (n_times == 0)
                sn_buf_printf(b, "OnCalendar=%s\n", days[d]);
            for (size_t t = 0; t < n_times; t++)
                sn_buf_printf(b, "OnCalendar=%s %02d:%02d\n", days[d], times[t] / 60, times[t] % 60);
        }
    }
    return 0;
}

static int timer_unit(const char *instance, const SnApp *app, const char *mount_unit, char **ret, SnError **reterr)
{
    int r = sn_timer_schedule_validate(app->timer, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "app %s: timer", app->name);
    SnBuf b = {0};
    sn_buf_printf(&b, "[Unit]\n# Auto-generated, DO NOT EDIT\nDescription=Timer %s for snap application %s.%s\n",
                  app->name, instance, app->name);
    if (!is_user(app))
        sn_buf_printf(&b, "Requires=%s\nAfter=%s\n", mount_unit, mount_unit);
    sn_buf_printf(&b, "X-Snappy=yes\n\n[Timer]\nUnit=snap.%s.%s.service\n", instance, app->name);
    r = on_calendar(app->timer, &b);
    if (r < 0) {
        sn_buf_done(&b);
        if (r == -EOPNOTSUPP)
            return sn_error_set(reterr, r, "app %s: timer \"%s\": week positions (mon1..mon5) are not supported",
                                app->name, app->timer);
        return sn_error_set(reterr, r, "app %s: cannot convert timer \"%s\" to OnCalendar=", app->name, app->timer);
    }
    sn_buf_puts(&b, "\n[Install]\nWantedBy=timers.target\n");
    *ret = sn_buf_steal(&b);
    return *ret ? 0 : sn_error_set(reterr, -ENOMEM, "out of memory");
}

static char *replace_all(const char *s, const char *from, const char *to)
{
    SnBuf b = {0};
    size_t fl = strlen(from);
    for (const char *p = s;;) {
        const char *hit = strstr(p, from);
        if (!hit) {
            sn_buf_puts(&b, p);
            break;
        }
        sn_buf_append(&b, p, (size_t)(hit - p));
        sn_buf_puts(&b, to);
        p = hit + fl;
    }
    return sn_buf_steal(&b);
}

/* renderListenStream: the snap's variables replaced as snapd does for system and user daemons. */
static char *listen_stream(const char *instance, const char *revision, const SnApp *app, const char *in)
{
    struct {
        const char *var;
        char *value;
    } subst[3] = {{0}};
    if (!is_user(app)) {
        subst[0].var = "$SNAP_DATA";
        subst[0].value = sn_strdup_printf("/var/snap/%s/%s", instance, revision);
        subst[1].var = "$XDG_RUNTIME_DIR";
        subst[1].value = sn_strdup_printf("/run/user/0/snap.%s", instance);
        subst[2].var = "$SNAP_COMMON";
        subst[2].value = sn_strdup_printf("/var/snap/%s/common", instance);
    } else {
        subst[0].var = "$SNAP_USER_DATA";
        subst[0].value = sn_strdup_printf("%%h/snap/%s/%s", instance, revision);
        subst[1].var = "$SNAP_USER_COMMON";
        subst[1].value = sn_strdup_printf("%%h/snap/%s/common", instance);
        subst[2].var = "$XDG_RUNTIME_DIR";
        subst[2].value = sn_strdup_printf("%%t/snap.%s", instance);
    }
    char *s = strdup(in);
    for (size_t i = 0; i < SN_ELEMENTSOF(subst); i++) {
        char *n = s && subst[i].value ? replace_all(s, subst[i].var, subst[i].value) : NULL;
        free(s);
        s = n;
    }
    for (size_t i = 0; i < SN_ELEMENTSOF(subst); i++)
        free(subst[i].value);
    return s;
}

static char *socket_unit(const char *instance, const char *revision, const SnApp *app, const SnSocket *sock,
                         const char *mount_unit)
{
    _sn_free_ char *listen = listen_stream(instance, revision, app, sock->listen_stream);
    if (!listen)
        return NULL;
    SnBuf b = {0};
    sn_buf_printf(&b, "[Unit]\n# Auto-generated, DO NOT EDIT\nDescription=Socket %s for snap application %s.%s\n",
                  sock->name, instance, app->name);
    if (!is_user(app))
        sn_buf_printf(&b, "Requires=%s\nAfter=%s\n", mount_unit, mount_unit);
    sn_buf_printf(&b, "X-Snappy=yes\n\n[Socket]\nService=snap.%s.%s.service\nFileDescriptorName=%s\nListenStream=%s\n",
                  instance, app->name, sock->name, listen);
    if (sock->has_socket_mode && sock->socket_mode != 0)
        sn_buf_printf(&b, "SocketMode=%04o\n", sock->socket_mode);
    sn_buf_puts(&b, "\n[Install]\nWantedBy=sockets.target\n");
    return sn_buf_steal(&b);
}

void sn_unit_files_free(SnUnitFile *units, size_t n)
{
    if (!units)
        return;
    for (size_t i = 0; i < n; i++) {
        free(units[i].name);
        free(units[i].dir);
        free(units[i].wanted_by);
        free(units[i].content);
    }
    free(units);
}

static int push_unit(SnUnitFile **v, size_t *n, char *name, const SnApp *app, const char *wanted_by, char *content)
{
    SnUnitFile *nv = realloc(*v, (*n + 1) * sizeof(**v));
    if (nv)
        *v = nv;
    SnUnitFile u = {.name = name,
                    .dir = strdup(is_user(app) ? USER_DIR : SYSTEM_DIR),
                    .wanted_by = wanted_by ? strdup(wanted_by) : NULL,
                    .content = content};
    if (!nv || !u.name || !u.dir || (wanted_by && !u.wanted_by) || !u.content) {
        free(u.name);
        free(u.dir);
        free(u.wanted_by);
        free(u.content);
        return -ENOMEM;
    }
    (*v)[(*n)++] = u;
    return 0;
}

int sn_service_units_generate(const SnSnapInfo *info, const char *instance, const char *revision,
                              SnUnitFile **ret_units, size_t *ret_n, SnError **reterr)
{
    if (!instance)
        instance = info->name;
    _sn_free_ char *mount_path = sn_strdup_printf("/snap/%s/%s", instance, revision);
    _sn_free_ char *escaped = mount_path ? sn_systemd_escape_path(mount_path) : NULL;
    _sn_free_ char *mount_unit = escaped ? sn_strdup_printf("%s.mount", escaped) : NULL;
    if (!mount_unit)
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    SnUnitFile *v = NULL;
    size_t n = 0;
    int r = 0;
    for (size_t i = 0; r >= 0 && i < info->n_apps; i++) {
        const SnApp *app = &info->apps[i];
        if (!app->daemon)
            continue;
        bool activated = app->n_sockets || app->timer || (app->activates_on && app->activates_on[0]);
        r = push_unit(&v, &n, sn_strdup_printf("snap.%s.%s.service", instance, app->name), app,
                      activated ? NULL : (is_user(app) ? "default.target" : "multi-user.target"),
                      service_unit(info, instance, revision, app, mount_unit));
        if (r >= 0 && app->timer) {
            char *text = NULL;
            r = timer_unit(instance, app, mount_unit, &text, reterr);
            if (r >= 0)
                r = push_unit(&v, &n, sn_strdup_printf("snap.%s.%s.timer", instance, app->name), app, "timers.target",
                              text);
        }
        for (size_t k = 0; r >= 0 && k < app->n_sockets; k++)
            r = push_unit(&v, &n, sn_strdup_printf("snap.%s.%s.%s.socket", instance, app->name, app->sockets[k].name),
                          app, "sockets.target", socket_unit(instance, revision, app, &app->sockets[k], mount_unit));
    }
    if (r < 0) {
        sn_unit_files_free(v, n);
        return r == -ENOMEM ? sn_error_set(reterr, r, "out of memory") : r;
    }
    *ret_units = v;
    *ret_n = n;
    return 0;
}

static const char *root_or_empty(const char *root)
{
    return !root || SN_STREQ(root, "/") ? "" : root;
}

static bool generated(const SnUnitFile *v, size_t n, const char *dir, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (SN_STREQ(v[i].dir, dir) && SN_STREQ(v[i].name, name))
            return true;
    return false;
}

/* Removes TARGET.wants/name links in dir for the targets we install into. */
static void remove_wants(const char *base, const char *name)
{
    static const char *const targets[] = {"multi-user.target", "default.target", "timers.target", "sockets.target"};
    for (size_t i = 0; i < SN_ELEMENTSOF(targets); i++) {
        _sn_free_ char *p = sn_strdup_printf("%s/%s.wants/%s", base, targets[i], name);
        if (p)
            (void)unlink(p);
    }
}

/* Removes the instance's snapd units in root/dir that keep (may be NULL) does not hold. */
static int prune(const char *root, const char *dir, const char *instance, const SnUnitFile *keep, size_t n_keep,
                 bool *changed, SnError **reterr)
{
    _sn_free_ char *base = sn_strdup_printf("%s/%s", root, dir);
    _sn_free_ char *prefix = sn_strdup_printf("snap.%s.", instance);
    if (!base || !prefix)
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    DIR *d = opendir(base);
    if (!d)
        return errno == ENOENT ? 0
                               : sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %s", base, strerror(errno));
    struct dirent *de;
    int r = 0;
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        if (!sn_startswith(name, prefix) ||
            !(sn_endswith(name, ".service") || sn_endswith(name, ".timer") || sn_endswith(name, ".socket")) ||
            generated(keep, n_keep, dir, name))
            continue;
        _sn_free_ char *path = sn_strdup_printf("%s/%s", base, name);
        _sn_free_ char *data = NULL;
        if (!path || sn_read_file_at(AT_FDCWD, path, 1 << 20, &data, NULL) < 0 || !strstr(data, "\nX-Snappy=yes\n"))
            continue;
        remove_wants(base, name);
        if (unlink(path) < 0 && errno != ENOENT) {
            r = sn_error_set(reterr, sn_negative_errno(), "cannot remove %s: %s", path, strerror(errno));
            break;
        }
        if (changed)
            *changed = true;
    }
    closedir(d);
    return r;
}

int sn_service_units_write(const char *root, const SnSnapInfo *info, const char *instance, const char *revision,
                           bool *ret_changed, SnError **reterr)
{
    root = root_or_empty(root);
    if (!instance)
        instance = info->name;
    SnUnitFile *v = NULL;
    size_t n = 0;
    int r = sn_service_units_generate(info, instance, revision, &v, &n, reterr);
    if (r < 0)
        return r;
    bool changed = false;
    for (size_t i = 0; r >= 0 && i < n; i++) {
        _sn_free_ char *base = sn_strdup_printf("%s/%s", root, v[i].dir);
        _sn_free_ char *path = base ? sn_strdup_printf("%s/%s", base, v[i].name) : NULL;
        if (!path) {
            r = sn_error_set(reterr, -ENOMEM, "out of memory");
            break;
        }
        _sn_free_ char *old = NULL;
        if (sn_read_file_at(AT_FDCWD, path, 1 << 20, &old, NULL) >= 0 && SN_STREQ(old, v[i].content))
            continue;
        r = sn_mkdir_p(base, 0755);
        if (r >= 0)
            r = sn_write_file_atomic(AT_FDCWD, path, v[i].content, strlen(v[i].content), 0644);
        if (r < 0)
            r = sn_error_set(reterr, r, "cannot write %s: %s", path, strerror(-r));
        changed = true;
    }
    if (r >= 0)
        r = prune(root, SYSTEM_DIR, instance, v, n, &changed, reterr);
    if (r >= 0)
        r = prune(root, USER_DIR, instance, v, n, &changed, reterr);
    sn_unit_files_free(v, n);
    if (r >= 0 && ret_changed)
        *ret_changed = changed;
    return r;
}

int sn_service_units_remove(const char *root, const char *instance, SnError **reterr)
{
    root = root_or_empty(root);
    int r = prune(root, SYSTEM_DIR, instance, NULL, 0, NULL, reterr);
    return r < 0 ? r : prune(root, USER_DIR, instance, NULL, 0, NULL, reterr);
}

/* Calls fn for each (unit name, target) that enabling app creates. */
static int for_each_activator(const char *instance, const SnApp *app,
                              int (*fn)(const char *unit, const char *target, void *ud), void *ud)
{
    int r = 0;
    if (app->timer) {
        _sn_free_ char *u = sn_strdup_printf("snap.%s.%s.timer", instance, app->name);
        return u ? fn(u, "timers.target", ud) : -ENOMEM;
    }
    for (size_t k = 0; r >= 0 && k < app->n_sockets; k++) {
        _sn_free_ char *u = sn_strdup_printf("snap.%s.%s.%s.socket", instance, app->name, app->sockets[k].name);
        r = u ? fn(u, "sockets.target", ud) : -ENOMEM;
    }
    if (app->n_sockets)
        return r;
    _sn_free_ char *u = sn_strdup_printf("snap.%s.%s.service", instance, app->name);
    return u ? fn(u, is_user(app) ? "default.target" : "multi-user.target", ud) : -ENOMEM;
}

typedef struct EnableCtx {
    const char *root;
    const char *dir;
    bool enable;
    SnError **reterr;
    int found;
} EnableCtx;

static int set_link(const char *unit, const char *target, void *ud)
{
    EnableCtx *c = ud;
    _sn_free_ char *wants = sn_strdup_printf("%s/%s/%s.wants", c->root, c->dir, target);
    _sn_free_ char *link = wants ? sn_strdup_printf("%s/%s", wants, unit) : NULL;
    _sn_free_ char *dest = sn_strdup_printf("/%s/%s", c->dir, unit);
    if (!link || !dest)
        return sn_error_set(c->reterr, -ENOMEM, "out of memory");
    if (!c->enable) {
        if (unlink(link) < 0 && errno != ENOENT)
            return sn_error_set(c->reterr, sn_negative_errno(), "cannot remove %s: %s", link, strerror(errno));
        return 0;
    }
    int r = sn_mkdir_p(wants, 0755);
    if (r < 0)
        return sn_error_set(c->reterr, r, "cannot create %s: %s", wants, strerror(-r));
    if (symlink(dest, link) < 0 && errno != EEXIST)
        return sn_error_set(c->reterr, sn_negative_errno(), "cannot create %s: %s", link, strerror(errno));
    return 0;
}

static int has_link(const char *unit, const char *target, void *ud)
{
    EnableCtx *c = ud;
    _sn_free_ char *link = sn_strdup_printf("%s/%s/%s.wants/%s", c->root, c->dir, target, unit);
    if (!link)
        return -ENOMEM;
    struct stat st;
    if (lstat(link, &st) == 0)
        c->found = 1;
    else if (errno != ENOENT)
        return sn_negative_errno();
    return 0;
}

int sn_service_units_set_enabled(const char *root, const char *instance, const SnApp *app, bool enabled,
                                 SnError **reterr)
{
    EnableCtx c = {
        .root = root_or_empty(root), .dir = is_user(app) ? USER_DIR : SYSTEM_DIR, .enable = enabled, .reterr = reterr};
    int r = for_each_activator(instance, app, set_link, &c);
    return r == -ENOMEM ? sn_error_set(reterr, r, "out of memory") : r;
}

int sn_service_units_is_enabled(const char *root, const char *instance, const SnApp *app)
{
    EnableCtx c = {.root = root_or_empty(root), .dir = is_user(app) ? USER_DIR : SYSTEM_DIR};
    int r = for_each_activator(instance, app, has_link, &c);
    return r < 0 ? r : c.found;
}

char *sn_service_units_interface_name(const char *instance, const char *suffix)
{
    return sn_strdup_printf("snap.%s.interface.%s.service", instance, suffix);
}

char *sn_service_units_interface_content(const char *type, bool remain_after_exit, const char *exec_start,
                                         const char *exec_stop)
{
    SnBuf b = {0};
    sn_buf_puts(&b, "[Service]\n");
    if (type)
        sn_buf_printf(&b, "Type=%s\n", type);
    if (remain_after_exit)
        sn_buf_puts(&b, "RemainAfterExit=yes\n");
    if (exec_start)
        sn_buf_printf(&b, "ExecStart=%s\n", exec_start);
    if (exec_stop)
        sn_buf_printf(&b, "ExecStop=%s\n", exec_stop);
    sn_buf_puts(&b, "\n[Install]\nWantedBy=multi-user.target\n");
    return sn_buf_steal(&b);
}
