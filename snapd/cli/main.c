/* SPDX-License-Identifier: GPL-3.0-only */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "log.h"

typedef struct Verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Verb;

static const Verb verbs[] = {
    {"version", sn_cmd_version, "Show version details"},
    {"help", sn_cmd_help, "Show help about a command"},
    {"pack", sn_cmd_pack, "Pack the given directory as a snap"},
    {"info", sn_cmd_info, "Show detailed information about snaps"},
    {"sign", sn_cmd_sign, "Sign an assertion"},
    {"create-key", sn_cmd_create_key, "Create cryptographic key pair"},
    {"keys", sn_cmd_keys, "List cryptographic keys"},
    {"export-key", sn_cmd_export_key, "Export cryptographic public key"},
    {"debug", sn_cmd_debug, "Run debug commands"},
    {"run", sn_cmd_run, "Run the given snap command"},
    {"list", sn_cmd_list, "List installed snaps"},
    {"install", sn_cmd_install, "Install snaps on the system"},
    {"remove", sn_cmd_remove, "Remove snaps from the system"},
    {"refresh", sn_cmd_refresh, "Refresh snaps in the system"},
    {"revert", sn_cmd_revert, "Reverts the given snap to the previous state"},
    {"enable", sn_cmd_enable, "Enable a snap in the system"},
    {"disable", sn_cmd_disable, "Disable a snap in the system"},
    {"changes", sn_cmd_changes, "List system changes"},
    {"tasks", sn_cmd_tasks, "List a change's tasks"},
    {"change", sn_cmd_tasks, "List a change's tasks"},
    {"watch", sn_cmd_watch, "Watch a change in progress"},
    {"abort", sn_cmd_abort, "Abort a pending change"},
    {"ack", sn_cmd_ack, "Add an assertion to the system"},
    {"known", sn_cmd_known, "Show known assertions of the provided type"},
    {"set", sn_cmd_set, "Change configuration options"},
    {"get", sn_cmd_get, "Print configuration options"},
    {"unset", sn_cmd_unset, "Remove configuration options"},
    {"connect", sn_cmd_connect, "Connect a plug to a slot"},
    {"disconnect", sn_cmd_disconnect, "Disconnect a plug from a slot"},
    {"connections", sn_cmd_connections, "List interface connections"},
    {"interface", sn_cmd_interface, "Show details of snap interfaces"},
    {"services", sn_cmd_services, "Query the status of services"},
    {"start", sn_cmd_start, "Start services"},
    {"stop", sn_cmd_stop, "Stop services"},
    {"restart", sn_cmd_restart, "Restart services"},
    {"logs", sn_cmd_logs, "Retrieve logs for services"},
};

int sn_cli_fail(int r, const SnError *err)
{
    fprintf(stderr, "error: %s\n", sn_error_message(err, r));
    return 1;
}

int sn_cli_failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

int sn_cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        for (size_t i = 0; i < SN_ELEMENTSOF(verbs); i++)
            if (strcmp(verbs[i].name, argv[1]) == 0) {
                char *help_argv[] = {argv[1], (char *)"--help", NULL};
                return verbs[i].run(2, help_argv);
            }
        return sn_cli_failf("unknown command \"%s\", see 'snap help'.", argv[1]);
    }
    printf("Usage: snap <command> [<options>...]\n\n"
           "microsnap %s: a small, compatible snapd for devices.\n\nCommands:\n",
           SN_VERSION);
    for (size_t i = 0; i < SN_ELEMENTSOF(verbs); i++)
        printf("  %-12s %s\n", verbs[i].name, verbs[i].summary);
    printf("\nFor more information about a command, run 'snap help <command>'.\n");
    return 0;
}

int main(int argc, char **argv)
{
    sn_log_set_program("snap");
    sn_log_init_from_env();
    if (argc > 0 && sn_cmd_run_is_wrapper(argv[0]))
        return sn_cmd_run_wrapper(argc, argv);
    if (argc < 2) {
        char *help_argv[] = {(char *)"help", NULL};
        return sn_cmd_help(1, help_argv);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        char *help_argv[] = {(char *)"help", NULL};
        return sn_cmd_help(1, help_argv);
    }
    if (strcmp(argv[1], "--version") == 0)
        return sn_cmd_version(1, argv + 1);
    for (size_t i = 0; i < SN_ELEMENTSOF(verbs); i++)
        if (strcmp(verbs[i].name, argv[1]) == 0)
            return verbs[i].run(argc - 1, argv + 1);
    return sn_cli_failf("unknown command \"%s\", see 'snap help'.", argv[1]);
}
