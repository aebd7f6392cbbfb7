/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * A small client of snapd's REST API written against libsnapd-glib's synchronous calls, the way a
 * desktop tool (GNOME Software, a settings panel) would use it. The spread tasks in this directory
 * run it against microsnap's daemon to show that the library and the daemon agree.
 *
 *   sn-glib-client [--socket=PATH] COMMAND [ARGS]
 *     system-info              version, series, confinement and the rest of GET /v2/system-info
 *     list [--all] [NAME...]   one line per snap: NAME VERSION REVISION STATUS TYPE CONFINEMENT
 *     info NAME                the fields of one snap, "key: value"
 *     install FILE             sideload a local .snap with SNAPD_INSTALL_FLAGS_DANGEROUS
 *     revert NAME [REVISION]   see revert() below: libsnapd-glib 1.63 has no revert call
 *     remove NAME [--purge]    snapd_client_remove2_sync
 *     changes [--ready|--in-progress] [NAME]   the changes (of NAME), with their tasks
 *     change ID                one change, with its tasks
 *     assertions TYPE          the assertions of TYPE, as the daemon sent them
 *
 * The socket is PATH, else $SNAPPY_GLOBAL_ROOT/run/snapd.socket, else the library's default.
 * On failure it prints "error: SNAPD_ERROR_<CODE>: <message>" (the GError the library gave) on
 * stderr and exits 1; a usage error exits 2.
 *
 * Build: cc -o sn-glib-client sn-glib-client.c \
 *            $(pkg-config --cflags --libs snapd-glib-2 glib-2.0 gobject-2.0 gio-2.0)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>
#include <snapd-glib/snapd-glib.h>

static const char *arg_socket;

static int print_error(const GError *error)
{
    if (!error) {
        /* libsnapd-glib before 1.66 completes a snapd_client_get_change_sync() whose reply was an
         * error with neither a result nor a GError (fixed upstream by snapd-glib commit 1dfc7dc) */
        fprintf(stderr, "error: the library returned no result and no GError\n");
        return 1;
    }
    if (error->domain == SNAPD_ERROR) {
        GEnumClass *klass = g_type_class_ref(SNAPD_TYPE_ERROR);
        GEnumValue *value = g_enum_get_value(klass, error->code);
        fprintf(stderr, "error: %s: %s\n", value ? value->value_name : "SNAPD_ERROR_?", error->message);
        g_type_class_unref(klass);
    } else {
        fprintf(stderr, "error: %s %d: %s\n", g_quark_to_string(error->domain), error->code, error->message);
    }
    return 1;
}

static const char *enum_nick(GType type, int v)
{
    GEnumClass *klass = g_type_class_ref(type);
    GEnumValue *value = g_enum_get_value(klass, v);
    const char *nick = value ? value->value_nick : "?";
    g_type_class_unref(klass);
    return nick; /* the enum classes of the library are static: the nick outlives the ref */
}

static const char *system_confinement_name(SnapdSystemConfinement c)
{
    switch (c) {
    case SNAPD_SYSTEM_CONFINEMENT_STRICT:
        return "strict";
    case SNAPD_SYSTEM_CONFINEMENT_PARTIAL:
        return "partial";
    default:
        return "unknown";
    }
}

static const char *snap_status_name(SnapdSnapStatus s)
{
    return enum_nick(SNAPD_TYPE_SNAP_STATUS, s);
}

static const char *confinement_name(SnapdConfinement c)
{
    return enum_nick(SNAPD_TYPE_CONFINEMENT, c);
}

static const char *snap_type_name(SnapdSnapType t)
{
    return enum_nick(SNAPD_TYPE_SNAP_TYPE, t);
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static int cmd_system_info(SnapdClient *client)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapdSystemInformation) info = snapd_client_get_system_information_sync(client, NULL, &error);
    if (!info)
        return print_error(error);
    printf("version: %s\n", or_dash(snapd_system_information_get_version(info)));
    printf("series: %s\n", or_dash(snapd_system_information_get_series(info)));
    printf("confinement: %s\n", system_confinement_name(snapd_system_information_get_confinement(info)));
    printf("kernel-version: %s\n", or_dash(snapd_system_information_get_kernel_version(info)));
    printf("os-id: %s\n", or_dash(snapd_system_information_get_os_id(info)));
    printf("os-version: %s\n", or_dash(snapd_system_information_get_os_version(info)));
    printf("on-classic: %s\n", snapd_system_information_get_on_classic(info) ? "true" : "false");
    printf("managed: %s\n", snapd_system_information_get_managed(info) ? "true" : "false");
    printf("mount-directory: %s\n", or_dash(snapd_system_information_get_mount_directory(info)));
    printf("binaries-directory: %s\n", or_dash(snapd_system_information_get_binaries_directory(info)));
    printf("build-id: %s\n", or_dash(snapd_system_information_get_build_id(info)));
    printf("refresh-timer: %s\n", or_dash(snapd_system_information_get_refresh_timer(info)));
    GHashTable *features = snapd_system_information_get_sandbox_features(info);
    if (features) {
        GStrv opts = g_hash_table_lookup(features, "confinement-options");
        if (opts) {
            g_autofree char *joined = g_strjoinv(" ", opts);
            printf("confinement-options: %s\n", joined);
        }
    }
    return 0;
}

static int cmd_list(SnapdClient *client, gboolean all, GStrv names)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) snaps = snapd_client_get_snaps_sync(
        client, all ? SNAPD_GET_SNAPS_FLAGS_INCLUDE_INACTIVE : SNAPD_GET_SNAPS_FLAGS_NONE, names, NULL, &error);
    if (!snaps)
        return print_error(error);
    for (guint i = 0; i < snaps->len; i++) {
        SnapdSnap *s = g_ptr_array_index(snaps, i);
        printf("%s %s %s %s %s %s\n", or_dash(snapd_snap_get_name(s)), or_dash(snapd_snap_get_version(s)),
               or_dash(snapd_snap_get_revision(s)), snap_status_name(snapd_snap_get_status(s)),
               snap_type_name(snapd_snap_get_snap_type(s)), confinement_name(snapd_snap_get_confinement(s)));
    }
    printf("%u snaps\n", snaps->len);
    return 0;
}

static int cmd_info(SnapdClient *client, const char *name)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapdSnap) s = snapd_client_get_snap_sync(client, name, NULL, &error);
    if (!s)
        return print_error(error);
    printf("name: %s\n", or_dash(snapd_snap_get_name(s)));
    printf("version: %s\n", or_dash(snapd_snap_get_version(s)));
    printf("revision: %s\n", or_dash(snapd_snap_get_revision(s)));
    printf("status: %s\n", snap_status_name(snapd_snap_get_status(s)));
    printf("type: %s\n", snap_type_name(snapd_snap_get_snap_type(s)));
    printf("confinement: %s\n", confinement_name(snapd_snap_get_confinement(s)));
    printf("devmode: %s\n", snapd_snap_get_devmode(s) ? "true" : "false");
    printf("summary: %s\n", or_dash(snapd_snap_get_summary(s)));
    printf("id: %s\n", or_dash(snapd_snap_get_id(s)));
    printf("mounted-from: %s\n", or_dash(snapd_snap_get_mounted_from(s)));
    printf("installed-size: %" G_GINT64_FORMAT "\n", snapd_snap_get_installed_size(s));
    GDateTime *date = snapd_snap_get_install_date(s);
    if (date) {
        g_autofree char *iso = g_date_time_format_iso8601(date);
        printf("install-date: %s\n", iso);
    } else {
        printf("install-date: -\n");
    }
    GPtrArray *apps = snapd_snap_get_apps(s);
    for (guint i = 0; apps && i < apps->len; i++) {
        SnapdApp *app = g_ptr_array_index(apps, i);
        printf("app: %s (snap %s)\n", or_dash(snapd_app_get_name(app)), or_dash(snapd_app_get_snap(app)));
    }
    return 0;
}

/* Called each time the library polls the change: print a line when its id or status moves. */
static void progress_cb(SnapdClient *client, SnapdChange *change, gpointer deprecated, gpointer user_data)
{
    (void)client;
    (void)deprecated;
    GString *last = user_data;
    GPtrArray *tasks = snapd_change_get_tasks(change);
    guint done = 0;
    for (guint i = 0; tasks && i < tasks->len; i++)
        if (g_strcmp0(snapd_task_get_status(g_ptr_array_index(tasks, i)), "Done") == 0)
            done++;
    g_autofree char *line = g_strdup_printf(
        "progress: change %s %s %s (%u/%u tasks done)", or_dash(snapd_change_get_id(change)),
        or_dash(snapd_change_get_kind(change)), or_dash(snapd_change_get_status(change)), done, tasks ? tasks->len : 0);
    if (g_strcmp0(last->str, line) != 0) {
        puts(line);
        g_string_assign(last, line);
    }
}

static int cmd_install(SnapdClient *client, const char *path)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GFileInputStream) stream = g_file_read(file, NULL, &error);
    if (!stream)
        return print_error(error);
    g_autoptr(GString) last = g_string_new("");
    if (!snapd_client_install_stream_sync(client, SNAPD_INSTALL_FLAGS_DANGEROUS, G_INPUT_STREAM(stream), progress_cb,
                                          last, NULL, &error))
        return print_error(error);
    printf("installed %s\n", path);
    return 0;
}

static int cmd_remove(SnapdClient *client, const char *name, gboolean purge)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) last = g_string_new("");
    if (!snapd_client_remove2_sync(client, purge ? SNAPD_REMOVE_FLAGS_PURGE : SNAPD_REMOVE_FLAGS_NONE, name,
                                   progress_cb, last, NULL, &error))
        return print_error(error);
    printf("removed %s\n", name);
    return 0;
}

static void print_change(SnapdChange *c)
{
    printf("%s %s ready=%s %s: %s\n", or_dash(snapd_change_get_id(c)), or_dash(snapd_change_get_status(c)),
           snapd_change_get_ready(c) ? "true" : "false", or_dash(snapd_change_get_kind(c)),
           or_dash(snapd_change_get_summary(c)));
    if (snapd_change_get_error(c))
        printf("  error: %s\n", snapd_change_get_error(c));
    GPtrArray *tasks = snapd_change_get_tasks(c);
    for (guint i = 0; tasks && i < tasks->len; i++) {
        SnapdTask *t = g_ptr_array_index(tasks, i);
        printf("  task %s %s %s: %s\n", or_dash(snapd_task_get_id(t)), or_dash(snapd_task_get_status(t)),
               or_dash(snapd_task_get_kind(t)), or_dash(snapd_task_get_summary(t)));
    }
}

static int cmd_changes(SnapdClient *client, SnapdChangeFilter filter, const char *name)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) changes = snapd_client_get_changes_sync(client, filter, name, NULL, &error);
    if (!changes)
        return print_error(error);
    for (guint i = 0; i < changes->len; i++)
        print_change(g_ptr_array_index(changes, i));
    printf("%u changes\n", changes->len);
    return 0;
}

static int cmd_change(SnapdClient *client, const char *id)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SnapdChange) change = snapd_client_get_change_sync(client, id, NULL, &error);
    if (!change)
        return print_error(error);
    print_change(change);
    return 0;
}

static int cmd_assertions(SnapdClient *client, const char *type)
{
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) assertions = snapd_client_get_assertions_sync(client, type, NULL, &error);
    if (!assertions)
        return print_error(error);
    guint n = g_strv_length(assertions);
    for (guint i = 0; i < n; i++) {
        g_autoptr(SnapdAssertion) a = snapd_assertion_new(assertions[i]);
        g_autofree char *t = snapd_assertion_get_header(a, "type");
        g_autofree char *authority = snapd_assertion_get_header(a, "authority-id");
        g_autofree char *signature = snapd_assertion_get_signature(a);
        printf("assertion %u: type=%s authority-id=%s signature-bytes=%zu\n", i + 1, or_dash(t), or_dash(authority),
               signature ? strlen(signature) : 0);
        g_auto(GStrv) headers = snapd_assertion_get_headers(a);
        for (guint h = 0; headers && headers[h]; h++) {
            g_autofree char *v = snapd_assertion_get_header(a, headers[h]);
            /* multi-line values (lists, maps) are shown by their first line only */
            char *nl = v ? strchr(v, '\n') : NULL;
            if (nl)
                *nl = '\0';
            printf("  %s: %s\n", headers[h], v ? v : "");
        }
    }
    printf("%u assertions\n", n);
    return 0;
}

/*
 * libsnapd-glib 1.63 has no call for snapd's "revert" action (no snapd_client_revert* symbol in
 * libsnapd-glib-2.so.1, and none in snapd-glib up to 1.72 either). So this command does
 * what the library would: POST /v2/snaps/NAME {"action":"revert"[,"revision":"R"]} on the same
 * socket, and then follows the change with the library's snapd_client_get_change_sync until it
 * is ready, printing the change's error if it failed.
 */
static int post_revert(const char *socket_path, const char *name, const char *revision, char **ret_change)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof sa.sun_path) {
        fprintf(stderr, "error: socket path too long: %s\n", socket_path);
        return 1;
    }
    strcpy(sa.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fprintf(stderr, "error: cannot connect to %s: %s\n", socket_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    g_autofree char *body = revision ? g_strdup_printf("{\"action\":\"revert\",\"revision\":\"%s\"}", revision)
                                     : g_strdup("{\"action\":\"revert\"}");
    g_autofree char *escaped = g_uri_escape_string(name, NULL, TRUE);
    g_autofree char *req = g_strdup_printf("POST /v2/snaps/%s HTTP/1.1\r\nHost: localhost\r\n"
                                           "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                                           "Connection: close\r\n\r\n%s",
                                           escaped, strlen(body), body);
    size_t off = 0, len = strlen(req);
    while (off < len) {
        ssize_t n = write(fd, req + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "error: cannot write to %s: %s\n", socket_path, strerror(errno));
            close(fd);
            return 1;
        }
        off += (size_t)n;
    }
    g_autoptr(GString) resp = g_string_new("");
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (resp->len > 1024 * 1024)
            break;
        g_string_append_len(resp, buf, n);
    }
    close(fd);

    g_autoptr(GMatchInfo) m = NULL;
    g_autoptr(GRegex) change_re = g_regex_new("\"change\"\\s*:\\s*\"([0-9]+)\"", 0, 0, NULL);
    if (g_str_has_prefix(resp->str, "HTTP/1.1 202 ") && g_regex_match(change_re, resp->str, 0, &m)) {
        *ret_change = g_match_info_fetch(m, 1);
        return 0;
    }
    /* an error reply: show snapd's kind and message as the library would have mapped them */
    g_autoptr(GMatchInfo) km = NULL, mm = NULL;
    g_autoptr(GRegex) kind_re = g_regex_new("\"kind\"\\s*:\\s*\"([^\"]*)\"", 0, 0, NULL);
    g_autoptr(GRegex) msg_re = g_regex_new("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"", 0, 0, NULL);
    g_autofree char *kind = g_regex_match(kind_re, resp->str, 0, &km) ? g_match_info_fetch(km, 1) : NULL;
    g_autofree char *raw = g_regex_match(msg_re, resp->str, 0, &mm) ? g_match_info_fetch(mm, 1) : NULL;
    g_autofree char *msg = raw ? g_strcompress(raw) : NULL;
    g_autofree char *status = g_strndup(resp->str, strcspn(resp->str, "\r\n"));
    fprintf(stderr, "error: revert refused (%s): kind=%s message=%s\n", status, kind ? kind : "-", msg ? msg : "-");
    return 1;
}

static int cmd_revert(SnapdClient *client, const char *socket_path, const char *name, const char *revision)
{
    g_autofree char *change_id = NULL;
    if (post_revert(socket_path, name, revision, &change_id) != 0)
        return 1;
    g_autoptr(GString) last = g_string_new("");
    for (int i = 0; i < 600; i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(SnapdChange) change = snapd_client_get_change_sync(client, change_id, NULL, &error);
        if (!change)
            return print_error(error);
        progress_cb(client, change, NULL, last);
        if (snapd_change_get_ready(change)) {
            if (snapd_change_get_error(change)) {
                fprintf(stderr, "error: change %s failed: %s\n", change_id, snapd_change_get_error(change));
                return 1;
            }
            printf("reverted %s\n", name);
            return 0;
        }
        g_usleep(50 * 1000);
    }
    fprintf(stderr, "error: change %s not ready after 30 s\n", change_id);
    return 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: sn-glib-client [--socket=PATH] system-info | list [--all] [NAME...] | info NAME |\n"
                    "       install FILE | revert NAME [REVISION] | remove NAME [--purge] |\n"
                    "       changes [--ready|--in-progress] [NAME] | change ID |\n"
                    "       assertions TYPE\n");
    return 2;
}

int main(int argc, char **argv)
{
    int i = 1;
    if (i < argc && g_str_has_prefix(argv[i], "--socket="))
        arg_socket = argv[i++] + strlen("--socket=");
    if (i >= argc)
        return usage();
    const char *cmd = argv[i++];
    int nargs = argc - i;
    char **args = argv + i;

    g_autofree char *socket_path = NULL;
    if (arg_socket)
        socket_path = g_strdup(arg_socket);
    else if (g_getenv("SNAPPY_GLOBAL_ROOT") && *g_getenv("SNAPPY_GLOBAL_ROOT"))
        socket_path = g_build_filename(g_getenv("SNAPPY_GLOBAL_ROOT"), "run", "snapd.socket", NULL);
    else
        socket_path = g_strdup("/run/snapd.socket");

    g_autoptr(SnapdClient) client = snapd_client_new();
    snapd_client_set_socket_path(client, socket_path);

    if (strcmp(cmd, "system-info") == 0 && nargs == 0)
        return cmd_system_info(client);
    if (strcmp(cmd, "list") == 0) {
        gboolean all = nargs > 0 && strcmp(args[0], "--all") == 0;
        return cmd_list(client, all, nargs > (all ? 1 : 0) ? args + (all ? 1 : 0) : NULL);
    }
    if (strcmp(cmd, "info") == 0 && nargs == 1)
        return cmd_info(client, args[0]);
    if (strcmp(cmd, "install") == 0 && nargs == 1)
        return cmd_install(client, args[0]);
    if (strcmp(cmd, "revert") == 0 && (nargs == 1 || nargs == 2))
        return cmd_revert(client, socket_path, args[0], nargs == 2 ? args[1] : NULL);
    if (strcmp(cmd, "remove") == 0 && nargs == 1)
        return cmd_remove(client, args[0], FALSE);
    if (strcmp(cmd, "remove") == 0 && nargs == 2 && strcmp(args[1], "--purge") == 0)
        return cmd_remove(client, args[0], TRUE);
    if (strcmp(cmd, "changes") == 0) {
        SnapdChangeFilter filter = SNAPD_CHANGE_FILTER_ALL;
        if (nargs > 0 && strcmp(args[0], "--ready") == 0)
            filter = SNAPD_CHANGE_FILTER_READY;
        else if (nargs > 0 && strcmp(args[0], "--in-progress") == 0)
            filter = SNAPD_CHANGE_FILTER_IN_PROGRESS;
        int first = filter == SNAPD_CHANGE_FILTER_ALL ? 0 : 1;
        if (nargs - first <= 1)
            return cmd_changes(client, filter, nargs - first == 1 ? args[first] : NULL);
    }
    if (strcmp(cmd, "change") == 0 && nargs == 1)
        return cmd_change(client, args[0]);
    if (strcmp(cmd, "assertions") == 0 && nargs == 1)
        return cmd_assertions(client, args[0]);
    return usage();
}
