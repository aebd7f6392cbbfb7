/* SPDX-License-Identifier: GPL-3.0-only */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "log.h"

typedef struct Verb {
    const char *name;
    int (*run)(int argc, char **argv); /* NULL: the verb lives in snap-full (see below) */
    const char *summary;
} Verb;

/*
 * `snap` is built twice from this file. SN_CLI_FULL=1 is snap-full, with every verb. SN_CLI_FULL=0 is
 * the `snap` users run: `run`, the /snap/bin wrappers and the client verbs, linking libc, libyaml,
 * jansson and http-parser only, so that a launch does not load libcrypto, libsquashfs and its
 * compressors (about 1 ms here, bench/confine.sh). Its heavy verbs (marked HEAVY) exec snap-full
 * with the same arguments.
 */
#ifndef SN_CLI_FULL
#define SN_CLI_FULL 1
#endif
#if SN_CLI_FULL
#define HEAVY(fn) fn
#else
#define HEAVY(fn) NULL
#endif

static const Verb verbs[] = {
    {"version", sn_cmd_version, "Show version details"},
    {"help", sn_cmd_help, "Show help about a command"},
    {"pack", HEAVY(sn_cmd_pack), "Pack the given directory as a snap"},
    {"info", HEAVY(sn_cmd_info), "Show detailed information about snaps"},
    {"sign", HEAVY(sn_cmd_sign), "Sign an assertion"},
    {"create-key", HEAVY(sn_cmd_create_key), "Create cryptographic key pair"},
    {"keys", HEAVY(sn_cmd_keys), "List cryptographic keys"},
    {"export-key", HEAVY(sn_cmd_export_key), "Export cryptographic public key"},
    {"debug", HEAVY(sn_cmd_debug), "Run debug commands"},
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

#if !SN_CLI_FULL
/*
 * Execs snap-full with this process's arguments. It sits beside this binary (the build tree, or a
 * relocated install), else at its installed path. /proc/self/exe is fine here: snap is not privileged.
 */
static int exec_full(char **argv)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash && (size_t)(slash - self) + sizeof("/snap-full") <= sizeof(self)) {
            strcpy(slash, "/snap-full");
            if (access(self, X_OK) == 0) {
                execv(self, argv);
                return sn_cli_failf("cannot run %s: %m", self);
            }
        }
    }
    execv(SN_LIBEXECDIR "/snap-full", argv);
    return sn_cli_failf("cannot run %s: %m", SN_LIBEXECDIR "/snap-full");
}
#endif

static int run_verb(const Verb *v, int argc, char **argv, char **full_argv)
{
#if !SN_CLI_FULL
    if (!v->run)
        return exec_full(full_argv);
#endif
    (void)full_argv;
    return v->run(argc, argv);
}

int sn_cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        for (size_t i = 0; i < SN_ELEMENTSOF(verbs); i++)
            if (strcmp(verbs[i].name, argv[1]) == 0) {
                char *help_argv[] = {argv[1], (char *)"--help", NULL};
                char *full_argv[] = {(char *)"snap", argv[1], (char *)"--help", NULL};
                return run_verb(&verbs[i], 2, help_argv, full_argv);
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
            return run_verb(&verbs[i], argc - 1, argv + 1, argv);
    return sn_cli_failf("unknown command \"%s\", see 'snap help'.", argv[1]);
}
