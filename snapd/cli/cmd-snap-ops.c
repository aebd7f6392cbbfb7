/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * `snap install`, `remove`, `refresh`, `revert`, `enable`, `disable`: POST /v2/snaps[/NAME]
 * (a multipart sideload for a local file), then waiting for the change as snapd's CLI does.
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

typedef struct OpArgs {
    const char *verb;
    bool no_wait;
    bool dangerous, devmode, jailmode, classic, unaliased, prefer, ignore_running, ignore_validation, purge, amend;
    bool terminate;
    const char *name, *channel, *revision, *cohort, *transaction;
    const char *color, *unicode;
} OpArgs;

enum {
    OPT_NO_WAIT = 1000,
    OPT_DANGEROUS,
    OPT_DEVMODE,
    OPT_JAILMODE,
    OPT_CLASSIC,
    OPT_UNALIASED,
    OPT_PREFER,
    OPT_IGNORE_RUNNING,
    OPT_IGNORE_VALIDATION,
    OPT_PURGE,
    OPT_TERMINATE,
    OPT_AMEND,
    OPT_NAME,
    OPT_CHANNEL,
    OPT_EDGE,
    OPT_BETA,
    OPT_CANDIDATE,
    OPT_STABLE,
    OPT_REVISION,
    OPT_COHORT,
    OPT_TRANSACTION,
    OPT_COLOR,
    OPT_UNICODE,
};

static const char install_help[] =
    "Usage:\n"
    "  snap install [install-OPTIONS] <snap>...\n"
    "\n"
    "The install command installs the named snaps on the system.\n"
    "\n"
    "To install a local snap file, give its path (it contains a '/' or ends in\n"
    "'.snap'); without --dangerous its assertions must have been added first with\n"
    "'snap ack'.\n"
    "\n"
    "[install command options]\n"
    "      --no-wait            Do not wait for the operation to finish but just print\n"
    "                           the change id.\n"
    "      --channel=           Use this channel instead of stable\n"
    "      --edge, --beta, --candidate, --stable\n"
    "                           Install from that channel\n"
    "      --devmode            Enable development mode, relaxing confinement for\n"
    "                           strict snaps or confirming devmode snap installation\n"
    "      --jailmode           Put snap in enforced confinement mode\n"
    "      --classic            Confirm installation of a snap that uses classic\n"
    "                           confinement\n"
    "      --revision=          Install the given revision of a snap\n"
    "      --dangerous          Install the given snap file even if there are no\n"
    "                           pre-acknowledged signatures for it, meaning it was not\n"
    "                           verified and could be dangerous (--devmode implies this)\n"
    "      --unaliased          Install the given snap without enabling its automatic\n"
    "                           aliases\n"
    "      --prefer             Enable all aliases of the given snap in preference to\n"
    "                           conflicting aliases of other snaps\n"
    "      --name=              Install the snap file under the given instance name\n"
    "      --cohort=            Install the snap in the given cohort\n"
    "      --ignore-validation  Ignore validation by other snaps blocking the\n"
    "                           installation\n"
    "      --transaction=[per-snap|all-snaps]\n"
    "                           Have one transaction per-snap or one for all the\n"
    "                           specified snaps (default: per-snap)\n";

static const char remove_help[] = "Usage:\n"
                                  "  snap remove [remove-OPTIONS] <snap>...\n"
                                  "\n"
                                  "The remove command removes the named snap instance from the system.\n"
                                  "\n"
                                  "By default all the snap revisions are removed, including their data and the\n"
                                  "common data directory. When a --revision option is passed only the specified\n"
                                  "revision is removed.\n"
                                  "\n"
                                  "[remove command options]\n"
                                  "      --no-wait          Do not wait for the operation to finish but just print\n"
                                  "                         the change id.\n"
                                  "      --revision=        Remove only the given revision\n"
                                  "      --purge            Remove the snap without saving a snapshot of its data\n"
                                  "      --terminate        Terminate running processes associated with a snap\n"
                                  "                         before removal\n";

static const char refresh_help[] = "Usage:\n"
                                   "  snap refresh [refresh-OPTIONS] [<snap>...]\n"
                                   "\n"
                                   "The refresh command updates the specified snaps, or all snaps in the system if\n"
                                   "none are specified.\n"
                                   "\n"
                                   "[refresh command options]\n"
                                   "      --no-wait            Do not wait for the operation to finish but just print\n"
                                   "                           the change id.\n"
                                   "      --channel=           Use this channel instead of stable\n"
                                   "      --edge, --beta, --candidate, --stable\n"
                                   "                           Refresh to that channel\n"
                                   "      --devmode            Enable development mode\n"
                                   "      --jailmode           Put snap in enforced confinement mode\n"
                                   "      --classic            Confirm a snap that uses classic confinement\n"
                                   "      --amend              Allow refresh attempt on snap unknown to the store\n"
                                   "      --revision=          Refresh to the given revision\n"
                                   "      --cohort=            Refresh the snap into the given cohort\n"
                                   "      --ignore-validation  Ignore validation by other snaps blocking the refresh\n"
                                   "      --transaction=[per-snap|all-snaps]\n"
                                   "                           Have one transaction per-snap or one for all the\n"
                                   "                           specified snaps (default: per-snap)\n";

static const char revert_help[] = "Usage:\n"
                                  "  snap revert [revert-OPTIONS] <snap>\n"
                                  "\n"
                                  "The revert command reverts the given snap to its state before\n"
                                  "the latest refresh. This will reactivate the previous snap revision,\n"
                                  "and will use the original data that was associated with that revision,\n"
                                  "discarding any data changes that were done by the latest revision. As\n"
                                  "an exception, data which the snap explicitly chooses to share across\n"
                                  "revisions is not touched by the revert process.\n"
                                  "\n"
                                  "[revert command options]\n"
                                  "      --no-wait          Do not wait for the operation to finish but just print\n"
                                  "                         the change id.\n"
                                  "      --devmode          Put snap in development mode and disable security\n"
                                  "                         confinement\n"
                                  "      --jailmode         Put snap in enforced confinement mode\n"
                                  "      --classic          Put snap in classic mode and disable security\n"
                                  "                         confinement\n"
                                  "      --revision=        Revert to the given revision\n";

static const char enable_help[] = "Usage:\n"
                                  "  snap enable [enable-OPTIONS] <snap>\n"
                                  "\n"
                                  "The enable command enables a snap that was previously disabled.\n"
                                  "\n"
                                  "[enable command options]\n"
                                  "      --no-wait          Do not wait for the operation to finish but just print\n"
                                  "                         the change id.\n";

static const char disable_help[] = "Usage:\n"
                                   "  snap disable [disable-OPTIONS] <snap>\n"
                                   "\n"
                                   "The disable command disables a snap. The binaries and services of the\n"
                                   "snap will no longer be available, but all the data is still available\n"
                                   "and the snap can easily be enabled again.\n"
                                   "\n"
                                   "[disable command options]\n"
                                   "      --no-wait          Do not wait for the operation to finish but just print\n"
                                   "                         the change id.\n";

/* Parses the options of every op verb; the verb's own allowed set is in allowed. -1: go on. */
static int parse_op_args(int argc, char **argv, const char *help, const char *allowed, OpArgs *a)
{
    static const struct option options[] = {
        {"no-wait", no_argument, NULL, OPT_NO_WAIT},
        {"dangerous", no_argument, NULL, OPT_DANGEROUS},
        {"force-dangerous", no_argument, NULL, OPT_DANGEROUS},
        {"devmode", no_argument, NULL, OPT_DEVMODE},
        {"jailmode", no_argument, NULL, OPT_JAILMODE},
        {"classic", no_argument, NULL, OPT_CLASSIC},
        {"unaliased", no_argument, NULL, OPT_UNALIASED},
        {"prefer", no_argument, NULL, OPT_PREFER},
        {"ignore-running", no_argument, NULL, OPT_IGNORE_RUNNING},
        {"ignore-validation", no_argument, NULL, OPT_IGNORE_VALIDATION},
        {"purge", no_argument, NULL, OPT_PURGE},
        {"terminate", no_argument, NULL, OPT_TERMINATE},
        {"amend", no_argument, NULL, OPT_AMEND},
        {"name", required_argument, NULL, OPT_NAME},
        {"channel", required_argument, NULL, OPT_CHANNEL},
        {"edge", no_argument, NULL, OPT_EDGE},
        {"beta", no_argument, NULL, OPT_BETA},
        {"candidate", no_argument, NULL, OPT_CANDIDATE},
        {"stable", no_argument, NULL, OPT_STABLE},
        {"revision", required_argument, NULL, OPT_REVISION},
        {"cohort", required_argument, NULL, OPT_COHORT},
        {"transaction", required_argument, NULL, OPT_TRANSACTION},
        {"color", required_argument, NULL, OPT_COLOR},
        {"unicode", required_argument, NULL, OPT_UNICODE},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    optind = 0;
    opterr = 0;
    const char *risk = NULL;
    int longindex = -1;
    for (int c; (c = getopt_long(argc, argv, "h", options, &longindex)) >= 0; longindex = -1) {
        if (c != 'h' && c != '?' && c != ':' && longindex >= 0) {
            /* allowed lists the long options this verb takes, as " name " words. */
            char word[64];
            snprintf(word, sizeof(word), " %s ", options[longindex].name);
            if (!strstr(allowed, word))
                return sn_cli_unknown_flag(argv);
        }
        switch (c) {
        case OPT_NO_WAIT:
            a->no_wait = true;
            break;
        case OPT_DANGEROUS:
            a->dangerous = true;
            break;
        case OPT_DEVMODE:
            a->devmode = true;
            break;
        case OPT_JAILMODE:
            a->jailmode = true;
            break;
        case OPT_CLASSIC:
            a->classic = true;
            break;
        case OPT_UNALIASED:
            a->unaliased = true;
            break;
        case OPT_PREFER:
            a->prefer = true;
            break;
        case OPT_IGNORE_RUNNING:
            a->ignore_running = true;
            break;
        case OPT_IGNORE_VALIDATION:
            a->ignore_validation = true;
            break;
        case OPT_PURGE:
            a->purge = true;
            break;
        case OPT_TERMINATE:
            a->terminate = true;
            break;
        case OPT_AMEND:
            a->amend = true;
            break;
        case OPT_NAME:
            a->name = optarg;
            break;
        case OPT_CHANNEL:
            a->channel = optarg;
            break;
        case OPT_EDGE:
        case OPT_BETA:
        case OPT_CANDIDATE:
        case OPT_STABLE: {
            const char *r = c == OPT_EDGE        ? "edge"
                            : c == OPT_BETA      ? "beta"
                            : c == OPT_CANDIDATE ? "candidate"
                                                 : "stable";
            if (risk && !SN_STREQ(risk, r))
                return sn_cli_failf("Please specify a single channel");
            risk = r;
            break;
        }
        case OPT_REVISION:
            a->revision = optarg;
            break;
        case OPT_COHORT:
            a->cohort = optarg;
            break;
        case OPT_TRANSACTION:
            if (!SN_STREQ(optarg, "per-snap") && !SN_STREQ(optarg, "all-snaps"))
                return sn_cli_failf("Invalid value `%s' for option `--transaction'. Allowed values are: per-snap "
                                    "or all-snaps",
                                    optarg);
            a->transaction = optarg;
            break;
        case OPT_COLOR:
            a->color = optarg;
            break;
        case OPT_UNICODE:
            a->unicode = optarg;
            break;
        case 'h':
            fputs(help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    if (risk) {
        if (a->channel && *a->channel && !SN_STREQ(a->channel, risk))
            return sn_cli_failf("Please specify a single channel");
        a->channel = risk;
    }
    if (a->devmode && a->jailmode)
        return sn_cli_failf("cannot use devmode and jailmode flags together");
    return -1;
}

/* snapd's isLocalContainer. */
static bool is_local_container(const char *name)
{
    return strchr(name, '/') || sn_endswith(name, ".snap") || strstr(name, ".snap.") || sn_endswith(name, ".comp") ||
           strstr(name, ".comp.");
}

/* The JSON body of POST /v2/snaps[/NAME] with the options that were given. */
static json_t *op_body(const char *action, const OpArgs *a, json_t *snaps)
{
    json_t *b = json_pack("{s:s}", "action", action);
    if (!b)
        return NULL;
    if (snaps)
        json_object_set(b, "snaps", snaps);
    const struct {
        const char *key;
        const char *value;
    } strs[] = {
        {"channel", a->channel}, {"revision", a->revision}, {"cohort-key", a->cohort}, {"transaction", a->transaction}};
    for (size_t i = 0; i < SN_ELEMENTSOF(strs); i++)
        if (strs[i].value && *strs[i].value)
            json_object_set_new(b, strs[i].key, json_string(strs[i].value));
    const struct {
        const char *key;
        bool on;
    } flags[] = {{"devmode", a->devmode},
                 {"jailmode", a->jailmode},
                 {"classic", a->classic},
                 {"dangerous", a->dangerous},
                 {"unaliased", a->unaliased},
                 {"prefer", a->prefer},
                 {"ignore-running", a->ignore_running},
                 {"ignore-validation", a->ignore_validation},
                 {"purge", a->purge},
                 {"terminate", a->terminate},
                 {"amend", a->amend}};
    for (size_t i = 0; i < SN_ELEMENTSOF(flags); i++)
        if (flags[i].on)
            json_object_set_new(b, flags[i].key, json_true());
    return b;
}

/* Sends the op and reports an error envelope as snapd does. 1: reported without failure. */
static int post_op(SnClient *c, const char *name, const char *action, const OpArgs *a, json_t *snaps, char **ret_id,
                   int *ret_exit)
{
    json_t *body = op_body(action, a, snaps);
    _sn_free_ char *esc = name ? sn_client_escape(name) : NULL;
    _sn_free_ char *path = name ? (esc ? sn_strdup_printf("/v2/snaps/%s", esc) : NULL) : strdup("/v2/snaps");
    if (!body || !path) {
        json_decref(body);
        *ret_exit = sn_cli_fail(-ENOMEM, NULL);
        return -ENOMEM;
    }
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_client_async(c, "POST", path, NULL, body, ret_id, &err);
    json_decref(body);
    if (r < 0) {
        *ret_exit = sn_cli_report(c, r, err, name, action, a->revision, a->channel);
        return r;
    }
    return 0;
}

/* Waits (or prints the id for --no-wait). Returns 1 when the caller should stop with *ret_exit. */
static int wait_op(SnClient *c, const char *id, const OpArgs *a, json_t **ret_change, int *ret_exit)
{
    if (a->no_wait) {
        printf("%s\n", id);
        *ret_exit = 0;
        return 1;
    }
    SnWaitOptions opts = {.ansi = isatty(STDOUT_FILENO)};
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_wait_change(c, id, &opts, ret_change, &err);
    if (r < 0) {
        *ret_exit = sn_cli_report(c, r, err, NULL, NULL, NULL, NULL);
        return 1;
    }
    return 0;
}

/* The channel as snapd shows it after a name: "" for stable, " (edge)", " (2.0/beta)". */
static void channel_suffix(const char *channel, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!channel || !*channel)
        return;
    const char *c = sn_startswith(channel, "latest/") ? channel + strlen("latest/") : channel;
    if (SN_STREQ(c, "stable"))
        return;
    snprintf(buf, size, " (%s)", c);
}

/* snapd's showDone: one line per changed snap, from GET /v2/snaps?snaps=... */
static int show_done(SnClient *c, json_t *chg, json_t *names, const char *op, const OpArgs *a)
{
    if (json_is_object(chg) && SN_STREQ(json_string_value(json_object_get(chg, "status")) ?: "", "Wait")) {
        printf("Change %s waiting on external action to be completed\n",
               json_string_value(json_object_get(chg, "id")) ?: "");
        return 0;
    }
    if (json_array_size(names) == 0)
        return 0;
    SnBuf q = {0};
    size_t i;
    json_t *n;
    sn_buf_puts(&q, "snaps=");
    json_array_foreach(names, i, n)
    {
        _sn_free_ char *esc = sn_client_escape(json_string_value(n) ?: "");
        sn_buf_printf(&q, "%s%s", i ? "," : "", esc ? esc : "");
    }
    _sn_free_ char *query = sn_buf_steal(&q);
    if (!query)
        return sn_cli_fail(-ENOMEM, NULL);
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    json_t *snaps = NULL;
    int r = sn_client_sync(c, "GET", "/v2/snaps", query, NULL, &snaps, &err);
    if (r < 0)
        return sn_cli_report(c, r, err, NULL, NULL, NULL, NULL);
    SnEscapes esc;
    if (sn_escapes_get(a->color, a->unicode, isatty(STDOUT_FILENO), &esc) < 0)
        sn_escapes_get("never", "never", false, &esc);
    json_t *s;
    json_array_foreach(snaps, i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name")) ?: "";
        const char *version = json_string_value(json_object_get(s, "version")) ?: "";
        if (SN_STREQ(op, "revert")) {
            printf("%s reverted to %s\n", name, version);
            continue;
        }
        char ch[128];
        channel_suffix(json_string_value(json_object_get(s, "channel")), ch, sizeof(ch));
        const char *done = SN_STREQ(op, "install") ? "installed" : "refreshed";
        if (SN_STREQ(op, "install") && a->classic &&
            !SN_STREQ(json_string_value(json_object_get(s, "confinement")) ?: "", "classic"))
            fprintf(stderr, "%sWarning:%s flag --classic ignored for strictly confined snap %s\n\n", esc.bold, esc.end,
                    name);
        json_t *publisher = json_object_get(s, "publisher");
        if (json_is_object(publisher)) {
            _sn_free_ char *p = sn_long_publisher(&esc, publisher);
            printf("%s%s %s from %s %s\n", name, ch, version, p ? p : "", done);
        } else {
            printf("%s%s %s %s\n", name, ch, version, done);
        }
    }
    json_decref(snaps);
    return 0;
}

static json_t *change_snap_names(json_t *chg)
{
    return json_object_get(json_object_get(chg, "data"), "snap-names");
}

int sn_cmd_install(int argc, char **argv)
{
    OpArgs a = {.verb = "install"};
    int ex = parse_op_args(argc, argv, install_help,
                           " no-wait dangerous force-dangerous devmode jailmode classic unaliased prefer "
                           "ignore-running ignore-validation name channel edge beta candidate stable revision cohort "
                           "transaction color unicode ",
                           &a);
    if (ex >= 0)
        return ex;
    int n = argc - optind;
    if (n < 1)
        return sn_cli_failf("the required argument `<snap> (at least 1 argument)` was not provided");
    for (int i = optind; i < argc; i++)
        if (!*argv[i])
            return sn_cli_failf("cannot install snap with empty name");
    if (n > 1) {
        if (a.channel)
            return sn_cli_failf("a single snap name is needed to specify channel flags");
        if (a.ignore_validation)
            return sn_cli_failf("a single snap name must be specified when ignoring validation");
        if (a.prefer)
            return sn_cli_failf("a single snap name is needed to specify the prefer flag");
        if (a.name)
            return sn_cli_failf("cannot use instance name when installing multiple snaps");
        bool local = is_local_container(argv[optind]);
        for (int i = optind; i < argc; i++)
            if (is_local_container(argv[i]) != local)
                return sn_cli_failf("cannot install local and store snaps at the same time");
        if (local)
            return sn_cli_failf("cannot install several local snaps at once yet: install them one by one");
        if (a.devmode || a.jailmode || a.classic)
            return sn_cli_failf(
                "cannot specify mode for multiple store snaps (only for one store snap or several local ones)");
    }
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *id = NULL;
    const char *target = argv[optind];
    bool local = is_local_container(target);
    int exit_status = 0;
    if (n == 1 && local) {
        SnSideloadOptions so = {
            .name = a.name,
            .dangerous = a.dangerous,
            .devmode = a.devmode,
            .classic = a.classic,
            .jailmode = a.jailmode,
            .unaliased = a.unaliased,
            .prefer = a.prefer,
            .ignore_running = a.ignore_running,
            .transaction = a.transaction,
        };
        _sn_cleanup_(sn_error_freep) SnError *err = NULL;
        int r = sn_client_install_path(client, target, &so, &id, &err);
        if (r < 0)
            return sn_cli_report(client, r, err, target, "install", a.revision, a.channel);
    } else if (n == 1) {
        if (a.name)
            return sn_cli_failf("cannot use explicit name when installing from store");
        if (post_op(client, target, "install", &a, NULL, &id, &exit_status) < 0)
            return exit_status;
    } else {
        json_t *snaps = json_array();
        for (int i = optind; snaps && i < argc; i++)
            json_array_append_new(snaps, json_string(argv[i]));
        int r = post_op(client, NULL, "install", &a, snaps, &id, &exit_status);
        json_decref(snaps);
        if (r < 0)
            return exit_status;
    }
    json_t *chg = NULL;
    if (wait_op(client, id, &a, &chg, &exit_status))
        return exit_status;
    int r = show_done(client, chg, change_snap_names(chg), "install", &a);
    if (r == 0 && !local && !SN_STREQ(json_string_value(json_object_get(chg, "status")) ?: "", "Wait")) {
        /* Store names the change did not touch were installed already. */
        json_t *changed = change_snap_names(chg), *cn;
        for (int i = optind; i < argc; i++) {
            bool found = false;
            size_t k;
            json_array_foreach(changed, k, cn)
            {
                found |= SN_STREQ(json_string_value(cn) ?: "", argv[i]);
            }
            if (!found)
                fprintf(stderr, "snap \"%s\" is already installed. see 'snap help refresh'\n", argv[i]);
        }
    }
    json_decref(chg);
    return r;
}

int sn_cmd_remove(int argc, char **argv)
{
    OpArgs a = {.verb = "remove"};
    int ex = parse_op_args(argc, argv, remove_help, " no-wait revision purge terminate ", &a);
    if (ex >= 0)
        return ex;
    int n = argc - optind;
    if (n < 1)
        return sn_cli_failf("the required argument `<snap> (at least 1 argument)` was not provided");
    if (n > 1 && a.revision)
        return sn_cli_failf("cannot use --revision with multiple snap names");
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *id = NULL;
    int exit_status = 0;
    if (n == 1) {
        if (post_op(client, argv[optind], "remove", &a, NULL, &id, &exit_status) < 0)
            return exit_status;
    } else {
        json_t *snaps = json_array();
        for (int i = optind; snaps && i < argc; i++)
            json_array_append_new(snaps, json_string(argv[i]));
        int r = post_op(client, NULL, "remove", &a, snaps, &id, &exit_status);
        json_decref(snaps);
        if (r < 0)
            return exit_status;
    }
    json_t *chg = NULL;
    if (wait_op(client, id, &a, &chg, &exit_status))
        return exit_status;
    json_t *removed = change_snap_names(chg), *rn;
    size_t k;
    json_array_foreach(removed, k, rn)
    {
        const char *name = json_string_value(rn) ?: "";
        if (a.revision)
            printf("%s (revision %s) removed\n", name, a.revision);
        else
            printf("%s removed\n", name);
    }
    for (int i = optind; i < argc; i++) {
        bool found = false;
        json_array_foreach(removed, k, rn)
        {
            found |= SN_STREQ(json_string_value(rn) ?: "", argv[i]);
        }
        if (!found)
            printf("%s not installed\n", argv[i]);
    }
    json_decref(chg);
    return 0;
}

int sn_cmd_refresh(int argc, char **argv)
{
    OpArgs a = {.verb = "refresh"};
    int ex = parse_op_args(argc, argv, refresh_help,
                           " no-wait devmode jailmode classic amend ignore-running ignore-validation channel edge beta "
                           "candidate stable revision cohort transaction color unicode ",
                           &a);
    if (ex >= 0)
        return ex;
    int n = argc - optind;
    if (n != 1 && (a.channel || a.revision || a.devmode || a.jailmode || a.classic || a.amend || a.cohort))
        return sn_cli_failf("a single snap name is needed to specify mode or channel flags");
    if (n != 1 && a.ignore_validation)
        return sn_cli_failf("a single snap name must be specified when ignoring validation");
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *id = NULL;
    int exit_status = 0;
    if (n == 1) {
        if (post_op(client, argv[optind], "refresh", &a, NULL, &id, &exit_status) < 0)
            return exit_status;
        json_t *chg = NULL;
        if (wait_op(client, id, &a, &chg, &exit_status))
            return exit_status;
        json_t *names = json_pack("[s]", argv[optind]);
        int r = show_done(client, chg, names, "refresh", &a);
        json_decref(names);
        json_decref(chg);
        return r;
    }
    json_t *snaps = json_array();
    for (int i = optind; snaps && i < argc; i++)
        json_array_append_new(snaps, json_string(argv[i]));
    int r = post_op(client, NULL, "refresh", &a, snaps, &id, &exit_status);
    json_decref(snaps);
    if (r < 0)
        return exit_status;
    json_t *chg = NULL;
    if (wait_op(client, id, &a, &chg, &exit_status))
        return exit_status;
    json_t *names = change_snap_names(chg);
    if (json_array_size(names) > 0)
        r = show_done(client, chg, names, "refresh", &a);
    else
        fprintf(stderr, "All snaps up to date.\n");
    json_decref(chg);
    return r;
}

int sn_cmd_revert(int argc, char **argv)
{
    OpArgs a = {.verb = "revert"};
    int ex = parse_op_args(argc, argv, revert_help, " no-wait devmode jailmode classic revision ignore-running ", &a);
    if (ex >= 0)
        return ex;
    if (argc - optind < 1)
        return sn_cli_failf("the required argument `<snap>` was not provided");
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *id = NULL;
    int exit_status = 0;
    if (post_op(client, argv[optind], "revert", &a, NULL, &id, &exit_status) < 0)
        return exit_status;
    json_t *chg = NULL;
    if (wait_op(client, id, &a, &chg, &exit_status))
        return exit_status;
    json_t *names = json_pack("[s]", argv[optind]);
    int r = show_done(client, chg, names, "revert", &a);
    json_decref(names);
    json_decref(chg);
    return r;
}

static int enable_disable(int argc, char **argv, const char *action, const char *help)
{
    OpArgs a = {.verb = action};
    int ex = parse_op_args(argc, argv, help, " no-wait ", &a);
    if (ex >= 0)
        return ex;
    if (argc - optind < 1)
        return sn_cli_failf("the required argument `<snap>` was not provided");
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *id = NULL;
    int exit_status = 0;
    if (post_op(client, argv[optind], action, &a, NULL, &id, &exit_status) < 0)
        return exit_status;
    json_t *chg = NULL;
    if (wait_op(client, id, &a, &chg, &exit_status))
        return exit_status;
    json_decref(chg);
    printf("%s %sd\n", argv[optind], action);
    return 0;
}

int sn_cmd_enable(int argc, char **argv)
{
    return enable_disable(argc, argv, "enable", enable_help);
}

int sn_cmd_disable(int argc, char **argv)
{
    return enable_disable(argc, argv, "disable", disable_help);
}
