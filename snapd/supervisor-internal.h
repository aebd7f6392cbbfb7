/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The process side of the supervisor (supervisor-exec.c): spawning, environments, pid files,
 * process-group scans and the notify socket. Used by supervisor.c only.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "service-def.h"

/* What a spawned process needs: argv, envp, directory. */
typedef struct SnSpawn {
    char *const *argv;
    char *const *envp;    /* may hold the slot below, filled in the child */
    const char *chdir_to; /* NULL: "/" */
    char *watchdog_pid;   /* when not NULL: a "WATCHDOG_PID=" buffer of 32 bytes also in envp */
} SnSpawn;

/* Why a spawn failed in the child, as systemd's exit statuses (200 CHDIR, 203 EXEC). */
#define SN_SPAWN_EXIT_CHDIR 200
#define SN_SPAWN_EXIT_EXEC 203

/*
 * Forks and execs sp in a new session/process group, stdin from /dev/null and stdout/stderr into
 * log_fd (which is closed in the parent by the caller). Returns 0 with *ret_pid and *ret_pidfd
 * (O_CLOEXEC); when the child could not chdir or exec, it exits with 200 / 203 and *ret_errno
 * (else 0) tells why. -errno when the fork failed.
 */
int sn_spawn(const SnSpawn *sp, int log_fd, pid_t *ret_pid, int *ret_pidfd, int *ret_errno);

/* pidfd_open(2); -errno on failure. */
int sn_pidfd_open(pid_t pid);

/*
 * The environment of a service's processes: PATH, the KEY=VALUE lines of env_file (when not NULL
 * and readable), extra, then each of more (NULL-terminated). Caller frees with sn_strv_free.
 */
int sn_service_environment(const char *env_file, char *const *extra, char *const *more, char ***ret);

/* /proc/PID/stat's start time (field 22) in clock ticks; -errno (-ESRCH when gone). */
int sn_proc_starttime(pid_t pid, uint64_t *ret);
/* True when a process that is not a zombie has process group pgid. */
bool sn_proc_group_alive(pid_t pgid);
/*
 * The main process of a forking service once its first process exited: the non-zombie process of
 * group pgid whose parent is not in the group, else the one whose environment holds marker
 * ("KEY=VALUE"), lowest pid first. 0 when none.
 */
pid_t sn_proc_guess_main(pid_t pgid, const char *marker);

/* Pid files for a daemon that died and left its services running. */
int sn_pidfile_write(const char *run_dir, const char *name, pid_t pid, pid_t pgid, bool kill_all);
void sn_pidfile_remove(const char *run_dir, const char *name);
/* Kills (SIGKILL) what the pid file of name describes when its process still runs, then removes it. */
void sn_pidfile_kill_stale(const char *run_dir, const char *name);

/*
 * A SOCK_DGRAM unix socket with SO_PASSCRED, bound at path, or (path NULL) at an abstract name
 * written to *ret_addr as "@name" (caller frees), which is what NOTIFY_SOCKET gets.
 */
int sn_notify_socket_open(const char *path, int *ret_fd, char **ret_addr);
/*
 * Receives one message: its text (NUL-terminated, at most size-1 bytes) and the sender's pid from
 * SCM_CREDENTIALS. Returns the length, -EAGAIN when nothing waits, -EBADMSG without credentials.
 */
int sn_notify_recv(int fd, char *buf, size_t size, pid_t *ret_pid);
