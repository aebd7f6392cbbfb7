/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * `snap connect`, `snap disconnect`, `snap connections`, `snap interface`: POST /v2/interfaces,
 * GET /v2/connections and GET /v2/interfaces, printed as snapd's CLI prints them (cmd/snap
 * cmd_connect.go, cmd_disconnect.go, cmd_connections.go, cmd_interface.go). Argument errors that
 * snapd's option parser reports (a missing required argument, an unknown flag) exit with 64 as
 * snapd's does; everything else with 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-util.h"
#include "client.h"
#include "cmd.h"
#include "wait.h"

/* snapd's exit status for go-flags errors (required argument missing, unknown flag). */
#define EXIT_USAGE 64

static const char connect_help[] = "Usage:\n"
                                   "  snap connect [connect-OPTIONS] [<snap>:<plug>] [<snap>:<slot>]\n"
                                   "\n"
                                   "The connect command connects a plug to a slot.\n"
                                   "It may be called in the following ways:\n"
                                   "\n"
                                   "$ snap connect <snap>:<plug> <snap>:<slot>\n"
                                   "\n"
                                   "Connects the provided plug to the given slot.\n"
                                   "\n"
                                   "$ snap connect <snap>:<plug> <snap>\n"
                                   "\n"
                                   "Connects the specific plug to the only slot in the provided snap that matches\n"
                                   "the connected interface. If more than one potential slot exists, the command\n"
                                   "fails.\n"
                                   "\n"
                                   "$ snap connect <snap>:<plug>\n"
                                   "\n"
                                   "Connects the provided plug to the slot in the core snap with a name matching\n"
                                   "the plug name.\n"
                                   "\n"
                                   "[connect command options]\n"
                                   "          --no-wait        Do not wait for the operation to finish but just\n"
                                   "                           print the change id.\n";

static const char disconnect_help[] =
    "Usage:\n"
    "  snap disconnect [disconnect-OPTIONS] [<snap>:<plug>] [<snap>:<slot>]\n"
    "\n"
    "The disconnect command disconnects a plug from a slot.\n"
    "It may be called in the following ways:\n"
    "\n"
    "$ snap disconnect <snap>:<plug> <snap>:<slot>\n"
    "\n"
    "Disconnects the specific plug from the specific slot.\n"
    "\n"
    "$ snap disconnect <snap>:<slot or plug>\n"
    "\n"
    "Disconnects everything from the provided plug or slot.\n"
    "The snap name may be omitted for the core snap.\n"
    "\n"
    "When an automatic connection is manually disconnected, its disconnected state\n"
    "is retained after a snap refresh. The --forget flag can be added to the\n"
    "disconnect command to reset this behaviour, and consequently re-enable\n"
    "an automatic reconnection after a snap refresh.\n"
    "\n"
    "[disconnect command options]\n"
    "          --no-wait        Do not wait for the operation to finish but just\n"
    "                           print the change id.\n"
    "          --forget         Forget remembered state about the given connection.\n";

static const char connections_help[] = "Usage:\n"
                                       "  snap connections [connections-OPTIONS] [<snap>]\n"
                                       "\n"
                                       "The connections command lists connections between plugs and slots\n"
                                       "in the system.\n"
                                       "\n"
                                       "Unless <snap> is provided, the listing is for connected plugs and\n"
                                       "slots for all snaps in the system. In this mode, pass --all to also\n"
                                       "list unconnected plugs and slots.\n"
                                       "\n"
                                       "$ snap connections <snap>\n"
                                       "\n"
                                       "Lists connected and unconnected plugs and slots for the specified\n"
                                       "snap.\n"
                                       "\n"
                                       "[connections command options]\n"
                                       "          --all     Show connected and unconnected plugs and slots\n"
                                       "\n"
                                       "[connections command arguments]\n"
                                       "  <snap>:           Constrain listing to a specific snap\n";

static const char interface_help[] = "Usage:\n"
                                     "  snap interface [interface-OPTIONS] [<interface>]\n"
                                     "\n"
                                     "The interface command shows details of snap interfaces.\n"
                                     "\n"
                                     "If no interface name is provided, a list of interface names with at least\n"
                                     "one connection is shown, or a list of all interfaces if --all is provided.\n"
                                     "\n"
                                     "[interface command options]\n"
                                     "          --attrs        Show interface attributes\n"
                                     "          --all          Include unused interfaces\n"
                                     "\n"
                                     "[interface command arguments]\n"
                                     "  <interface>:           Show details of a specific interface\n";

/* A "snap:name" argument, not modified: the snap is its first snap_len bytes, name is the rest. */
typedef struct SnapAndName {
    const char *snap;
    int snap_len;
    const char *name;
} SnapAndName;

#define SNAP_AND_NAME_EMPTY ((SnapAndName){"", 0, ""})

/*
 * snapd's SnapAndName: "snap:name", "snap" or ":name" ("snap:" and ":" are refused, as is more
 * than one ':'). Prints the error and returns -EINVAL.
 */
static int parse_snap_and_name(const char *arg, SnapAndName *ret)
{
    const char *colon = strchr(arg, ':');
    if (colon ? strchr(colon + 1, ':') || !colon[1] : !*arg)
        return sn_cli_failf("invalid value: \"%s\" (want snap:name or snap)", arg), -EINVAL;
    if (!colon)
        *ret = (SnapAndName){arg, (int)strlen(arg), ""};
    else
        *ret = (SnapAndName){arg, (int)(colon - arg), colon + 1};
    return 0;
}

/* snapd's SnapAndNameStrict: exactly "snap:name" or ":name". */
static int parse_snap_and_name_strict(const char *arg, SnapAndName *ret)
{
    const char *colon = strchr(arg, ':');
    if (!colon || strchr(colon + 1, ':') || !colon[1])
        return sn_cli_failf("invalid value: \"%s\" (want snap:name or :name)", arg), -EINVAL;
    *ret = (SnapAndName){arg, (int)(colon - arg), colon + 1};
    return 0;
}

/* {"snap": snap, key: name} as snapd's client sends it (both always present). */
static json_t *ref_new(const char *key, const SnapAndName *sn)
{
    return json_pack("{s:s#, s:s}", "snap", sn->snap, sn->snap_len, key, sn->name);
}

/*
 * POST /v2/interfaces {action, [forget], plugs: [plug], slots: [slot]}, then waits for the change
 * (or prints its id with no_wait). unchanged_ok: a disconnect of nothing prints snapd's "No
 * connections to disconnect" and succeeds.
 */
static int interface_action(const char *action, bool forget, const SnapAndName *plug, const SnapAndName *slot,
                            bool no_wait, bool unchanged_ok)
{
    json_t *body = json_pack("{s:s, s:[o], s:[o]}", "action", action, "plugs", ref_new("plug", plug), "slots",
                             ref_new("slot", slot));
    if (body && forget && json_object_set_new(body, "forget", json_true()) < 0) {
        json_decref(body);
        body = NULL;
    }
    if (!body)
        return sn_cli_fail(-ENOMEM, NULL);

    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client) {
        json_decref(body);
        return 1;
    }
    _sn_free_ char *id = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_client_async(client, "POST", "/v2/interfaces", NULL, body, &id, &err);
    json_decref(body);
    if (r < 0) {
        const SnClientApiError *e = r == -EREMOTEIO ? sn_client_last_error(client) : NULL;
        if (unchanged_ok && e && strcmp(e->kind, "interfaces-unchanged") == 0) {
            printf("No connections to disconnect\n");
            return 0;
        }
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    }
    if (no_wait) {
        printf("%s\n", id);
        return 0;
    }
    SnWaitOptions opts = {.ansi = isatty(STDOUT_FILENO)};
    r = sn_wait_change(client, id, &opts, NULL, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    return 0;
}

int sn_cmd_connect(int argc, char **argv)
{
    static const struct option options[] = {
        {"no-wait", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool no_wait = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'n':
            no_wait = true;
            break;
        case 'h':
            fputs(connect_help, stdout);
            return 0;
        default:
            sn_cli_unknown_flag(argv);
            return EXIT_USAGE;
        }
    }
    int n = argc - optind;
    if (n < 1) {
        sn_cli_failf("the required argument `<snap>:<plug>` was not provided");
        return EXIT_USAGE;
    }
    SnapAndName plug, slot = SNAP_AND_NAME_EMPTY;
    if (parse_snap_and_name(argv[optind], &plug) < 0)
        return 1;
    if (n >= 2 && parse_snap_and_name(argv[optind + 1], &slot) < 0)
        return 1;
    if (n > 2)
        return sn_cli_failf("too many arguments for command");
    /* "snap connect NAME": the plug NAME of the system snap (the daemon finds it). */
    if (plug.snap_len && !*plug.name)
        plug = (SnapAndName){"", 0, plug.snap};
    return interface_action("connect", false, &plug, &slot, no_wait, false);
}

int sn_cmd_disconnect(int argc, char **argv)
{
    static const struct option options[] = {
        {"no-wait", no_argument, NULL, 'n'},
        {"forget", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool no_wait = false, forget = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'n':
            no_wait = true;
            break;
        case 'f':
            forget = true;
            break;
        case 'h':
            fputs(disconnect_help, stdout);
            return 0;
        default:
            sn_cli_unknown_flag(argv);
            return EXIT_USAGE;
        }
    }
    int n = argc - optind;
    if (n < 1) {
        sn_cli_failf("the required argument `<snap>:<plug>` was not provided");
        return EXIT_USAGE;
    }
    SnapAndName offer, use = SNAP_AND_NAME_EMPTY;
    if (parse_snap_and_name_strict(argv[optind], &offer) < 0)
        return 1;
    if (n >= 2 && parse_snap_and_name_strict(argv[optind + 1], &use) < 0)
        return 1;
    if (n > 2)
        return sn_cli_failf("too many arguments for command");
    /* One argument names a plug or a slot: snapd sends it as the slot, with an empty plug. */
    if (!use.snap_len && !*use.name) {
        use = offer;
        offer = SNAP_AND_NAME_EMPTY;
    }
    return interface_action("disconnect", forget, &offer, &use, no_wait, true);
}

/* ---- snap connections ---- */

typedef struct ConnRow {
    const char *iface; /* borrowed from the response */
    char *determinant; /* "[content]" or "" */
    char *plug, *slot; /* endpoint() forms, or "-" */
    bool manual, gadget;
} ConnRow;

static bool is_system_snap(const char *snap)
{
    return snap && (strcmp(snap, "core") == 0 || strcmp(snap, "snapd") == 0 || strcmp(snap, "system") == 0);
}

/* snapd's endpoint(): ":name" for the system snap's, else "snap:name". */
static char *endpoint(json_t *ref, const char *key)
{
    const char *snap = json_string_value(json_object_get(ref, "snap"));
    const char *name = json_string_value(json_object_get(ref, key));
    return sn_strdup_printf("%s:%s", is_system_snap(snap) ? "" : snap ? snap : "", name ? name : "");
}

/* The content tag that follows the interface name of content connections ("content[tag]"). */
static char *determinant(json_t *conn, const char *iface)
{
    const char *v = NULL;
    if (strcmp(iface, "content") == 0) {
        v = json_string_value(json_object_get(json_object_get(conn, "plug-attrs"), "content"));
        if (!v || !*v)
            v = json_string_value(json_object_get(json_object_get(conn, "slot-attrs"), "content"));
    }
    return v && *v ? sn_strdup_printf("[%s]", v) : strdup("");
}

static int cmp_rows(const void *a, const void *b)
{
    const ConnRow *x = a, *y = b;
    int c = strcmp(x->iface, y->iface);
    if (c == 0)
        c = strcmp(x->plug, y->plug);
    if (c == 0)
        c = strcmp(x->slot, y->slot);
    return c;
}

static void rows_free(ConnRow *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].determinant);
        free(rows[i].plug);
        free(rows[i].slot);
    }
    free(rows);
}

/* Appends a row; the strings are taken (freed on failure). Returns 0 or -ENOMEM. */
static int rows_add(ConnRow **rows, size_t *n, size_t *cap, ConnRow row)
{
    if (!row.determinant || !row.plug || !row.slot)
        goto fail;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        ConnRow *nr = realloc(*rows, ncap * sizeof(ConnRow));
        if (!nr)
            goto fail;
        *rows = nr;
        *cap = ncap;
    }
    (*rows)[(*n)++] = row;
    return 0;
fail:
    free(row.determinant);
    free(row.plug);
    free(row.slot);
    return -ENOMEM;
}

/* Builds and prints the table of a /v2/connections result (snapd's cmdConnections.Execute). */
static int print_connections(json_t *res, const char *wanted, bool all)
{
    json_t *plugs = json_object_get(res, "plugs"), *slots = json_object_get(res, "slots");
    if (json_array_size(plugs) == 0 && json_array_size(slots) == 0)
        return 0;
    ConnRow *rows = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(res, "established"), i, v)
    {
        const char *iface = json_string_value(json_object_get(v, "interface"));
        if (!iface)
            iface = "";
        r = rows_add(&rows, &n, &cap,
                     (ConnRow){.iface = iface,
                               .determinant = determinant(v, iface),
                               .plug = endpoint(json_object_get(v, "plug"), "plug"),
                               .slot = endpoint(json_object_get(v, "slot"), "slot"),
                               .manual = json_is_true(json_object_get(v, "manual")),
                               .gadget = json_is_true(json_object_get(v, "gadget"))});
        if (r < 0)
            goto out;
    }
    json_array_foreach(plugs, i, v)
    {
        if (!all || json_array_size(json_object_get(v, "connections")) > 0)
            continue;
        const char *iface = json_string_value(json_object_get(v, "interface"));
        r = rows_add(&rows, &n, &cap,
                     (ConnRow){.iface = iface ? iface : "",
                               .determinant = strdup(""),
                               .plug = endpoint(v, "plug"),
                               .slot = strdup("-")});
        if (r < 0)
            goto out;
    }
    json_array_foreach(slots, i, v)
    {
        const char *snap = json_string_value(json_object_get(v, "snap"));
        /* The system's implicit slots are listed only when the system snap was asked for. */
        if (!is_system_snap(wanted) && is_system_snap(snap))
            continue;
        if (!all || json_array_size(json_object_get(v, "connections")) > 0)
            continue;
        const char *iface = json_string_value(json_object_get(v, "interface"));
        r = rows_add(&rows, &n, &cap,
                     (ConnRow){.iface = iface ? iface : "",
                               .determinant = strdup(""),
                               .plug = strdup("-"),
                               .slot = endpoint(v, "slot")});
        if (r < 0)
            goto out;
    }
    if (n == 0)
        goto out;
    qsort(rows, n, sizeof(ConnRow), cmp_rows);

    SnTable t = SN_TABLE_INIT;
    sn_table_printf(&t, "Interface\tPlug\tSlot\tNotes\n");
    for (i = 0; i < n; i++) {
        const ConnRow *row = &rows[i];
        const char *notes = row->manual && row->gadget ? "manual,gadget"
                            : row->manual              ? "manual"
                            : row->gadget              ? "gadget"
                                                       : "-";
        sn_table_printf(&t, "%s%s\t%s\t%s\t%s\n", row->iface, row->determinant, row->plug, row->slot, notes);
    }
    r = sn_table_flush(&t, stdout);
    sn_table_done(&t);
out:
    rows_free(rows, n);
    return r;
}

int sn_cmd_connections(int argc, char **argv)
{
    static const struct option options[] = {
        {"all", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool all = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'a':
            all = true;
            break;
        case 'h':
            fputs(connections_help, stdout);
            return 0;
        default:
            sn_cli_unknown_flag(argv);
            return EXIT_USAGE;
        }
    }
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    const char *wanted = optind < argc ? argv[optind] : "";
    _sn_free_ char *query = NULL;
    if (*wanted) {
        if (all)
            return sn_cli_failf("cannot use --all with snap name");
        all = true;
        _sn_free_ char *esc = sn_client_escape(wanted);
        query = esc ? sn_strdup_printf("select=all&snap=%s", esc) : NULL;
    } else
        query = strdup(all ? "select=all" : "");
    if (!query)
        return sn_cli_fail(-ENOMEM, NULL);

    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    json_t *res = NULL;
    int r = sn_client_sync(client, "GET", "/v2/connections", *query ? query : NULL, NULL, &res, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    r = print_connections(res, wanted, all);
    json_decref(res);
    return r < 0 ? sn_cli_fail(r, NULL) : 0;
}

/* ---- snap interface ---- */

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* snapd's showAttrs: sorted names, only scalar values (strings, booleans, numbers). */
static int show_attrs(SnTable *t, json_t *attrs)
{
    size_t n = json_object_size(attrs), i = 0;
    if (n == 0)
        return 0;
    const char **keys = calloc(n, sizeof(char *));
    if (!keys)
        return -ENOMEM;
    const char *k;
    json_t *v;
    json_object_foreach(attrs, k, v) keys[i++] = k;
    qsort(keys, n, sizeof(char *), cmp_keys);
    for (i = 0; i < n; i++) {
        v = json_object_get(attrs, keys[i]);
        if (json_is_string(v))
            sn_table_printf(t, "      %s:\t%s\n", keys[i], json_string_value(v));
        else if (json_is_boolean(v))
            sn_table_printf(t, "      %s:\t%s\n", keys[i], json_is_true(v) ? "true" : "false");
        else if (json_is_integer(v))
            sn_table_printf(t, "      %s:\t%" JSON_INTEGER_FORMAT "\n", keys[i], json_integer_value(v));
        else if (json_is_real(v))
            sn_table_printf(t, "      %s:\t%.17g\n", keys[i], json_real_value(v));
    }
    free(keys);
    return 0;
}

/* The plugs or slots of one interface: "  - snap" when named as the interface, else "  - snap:name". */
static int show_ends(SnTable *t, const char *iface, json_t *ends, const char *key, bool attrs)
{
    if (json_array_size(ends) == 0)
        return 0;
    sn_table_printf(t, "%ss:\n", key);
    size_t i;
    json_t *e;
    json_array_foreach(ends, i, e)
    {
        const char *snap = json_string_value(json_object_get(e, "snap"));
        const char *name = json_string_value(json_object_get(e, key));
        const char *label = json_string_value(json_object_get(e, "label"));
        json_t *a = json_object_get(e, "attrs");
        _sn_free_ char *label_part = label && *label ? sn_strdup_printf(" (%s)", label) : strdup("");
        if (!label_part)
            return -ENOMEM;
        if (name && strcmp(name, iface) == 0)
            sn_table_printf(t, "  - %s%s", snap ? snap : "", label_part);
        else
            sn_table_printf(t, "  - %s:%s%s", snap ? snap : "", name ? name : "", label_part);
        if (attrs && json_object_size(a) > 0) {
            sn_table_printf(t, ":\n");
            int r = show_attrs(t, a);
            if (r < 0)
                return r;
        } else
            sn_table_printf(t, "\n");
    }
    return 0;
}

static int show_one_interface(json_t *iface, bool attrs)
{
    SnTable t = SN_TABLE_INFO_INIT;
    const char *name = json_string_value(json_object_get(iface, "name"));
    const char *summary = json_string_value(json_object_get(iface, "summary"));
    const char *doc = json_string_value(json_object_get(iface, "doc-url"));
    if (!name)
        name = "";
    sn_table_printf(&t, "name:\t%s\n", name);
    if (summary && *summary)
        sn_table_printf(&t, "summary:\t%s\n", summary);
    if (doc && *doc)
        sn_table_printf(&t, "documentation:\t%s\n", doc);
    int r = show_ends(&t, name, json_object_get(iface, "plugs"), "plug", attrs);
    if (r >= 0)
        r = show_ends(&t, name, json_object_get(iface, "slots"), "slot", attrs);
    if (r >= 0)
        r = sn_table_flush(&t, stdout);
    sn_table_done(&t);
    return r;
}

int sn_cmd_interface(int argc, char **argv)
{
    static const struct option options[] = {
        {"attrs", no_argument, NULL, 'A'},
        {"all", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool attrs = false, all = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'A':
            attrs = true;
            break;
        case 'a':
            all = true;
            break;
        case 'h':
            fputs(interface_help, stdout);
            return 0;
        default:
            sn_cli_unknown_flag(argv);
            return EXIT_USAGE;
        }
    }
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    const char *name = optind < argc ? argv[optind] : "";
    _sn_free_ char *query = NULL;
    if (*name) {
        _sn_free_ char *esc = sn_client_escape(name);
        query = esc ? sn_strdup_printf("doc=true&names=%s&plugs=true&select=all&slots=true", esc) : NULL;
    } else
        query = strdup(all ? "select=all" : "select=connected");
    if (!query)
        return sn_cli_fail(-ENOMEM, NULL);

    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    json_t *res = NULL;
    int r = sn_client_sync(client, "GET", "/v2/interfaces", query, NULL, &res, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    if (json_array_size(res) == 0) {
        json_decref(res);
        return sn_cli_failf("%s", *name ? "no such interface"
                                  : all ? "no interfaces found"
                                        : "no interfaces currently connected");
    }
    if (*name)
        r = show_one_interface(json_array_get(res, 0), attrs);
    else {
        SnTable t = SN_TABLE_INIT;
        sn_table_printf(&t, "Name\tSummary\n");
        size_t i;
        json_t *v;
        json_array_foreach(res, i, v)
        {
            const char *n = json_string_value(json_object_get(v, "name"));
            const char *s = json_string_value(json_object_get(v, "summary"));
            sn_table_printf(&t, "%s\t%s\n", n ? n : "", s ? s : "");
        }
        r = sn_table_flush(&t, stdout);
        sn_table_done(&t);
    }
    json_decref(res);
    return r < 0 ? sn_cli_fail(r, NULL) : 0;
}
