/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's systemd units for a snap's services (wrappers/internal/service_unit_gen.go,
 * service_timer_gen.go, service_socket_gen.go): the same names, keys and values, so that where
 * systemd is PID 1 the daemon hands services to it exactly as snapd does, and elsewhere the files
 * still say what the supervisor (supervisor.h) does.
 *
 * For each app with `daemon:` of instance INSTANCE at revision REV:
 *   etc/systemd/system/snap.INSTANCE.APP.service           (user daemons: etc/systemd/user/)
 *   etc/systemd/system/snap.INSTANCE.APP.timer             when the app has `timer:`
 *   etc/systemd/system/snap.INSTANCE.APP.SOCKET.socket     for each of its `sockets:`
 * and, for enabled ones, systemctl enable's symlink in TARGET.wants/ (multi-user.target,
 * default.target for user daemons, timers.target, sockets.target).
 *
 * Not generated (no input for them here): interface snippets (e.g. Delegate=), Slice= of quota
 * groups, OOMScoreAdjust= from the vitality hint, the snapd-snap mount dependency on core.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "snap-yaml.h"

typedef struct SnUnitFile {
    char *name;      /* "snap.NAME.APP.service", "snap.NAME.APP.timer", "snap.NAME.APP.SOCK.socket" */
    char *dir;       /* relative to the root: "etc/systemd/system" or "etc/systemd/user" */
    char *wanted_by; /* the target of its [Install] section; NULL when it has none */
    char *content;
} SnUnitFile;

/*
 * systemd's path escaping (systemd-escape --path): "/snap/hello-world/29" ->
 * "snap-hello\x2dworld-29". Caller frees; NULL on ENOMEM.
 */
char *sn_systemd_escape_path(const char *path);

/*
 * The unit files of every service of info installed as instance (NULL: info->name) at revision,
 * in app order: each service, then its timer, then its sockets. Returns 0 with *ret_units (NULL
 * when *ret_n is 0; free with sn_unit_files_free), or -EINVAL (a timer schedule that does not parse,
 * or uses week positions such as "mon1", which are not converted to OnCalendar= here:
 * -EOPNOTSUPP) or -ENOMEM, with a message naming the app.
 */
int sn_service_units_generate(const SnSnapInfo *info, const char *instance, const char *revision,
                              SnUnitFile **ret_units, size_t *ret_n, SnError **reterr);
void sn_unit_files_free(SnUnitFile *units, size_t n);

/*
 * Writes the units of info under root ("" or NULL: /) atomically (temp, fsync, rename, fsync
 * dir), creating the directories, and removes the instance's units that are no longer generated
 * (files snap.INSTANCE.* holding "X-Snappy=yes", and their .wants links). Files whose content is
 * unchanged are not rewritten. Does not enable anything. *ret_changed (may be NULL) tells whether
 * any file was written or removed (systemctl daemon-reload is due). Returns 0 or -errno with a
 * message naming the file.
 */
int sn_service_units_write(const char *root, const SnSnapInfo *info, const char *instance, const char *revision,
                           bool *ret_changed, SnError **reterr);

/* Removes every unit of instance and its .wants links (snap remove). Returns 0 or -errno. */
int sn_service_units_remove(const char *root, const char *instance, SnError **reterr);

/*
 * systemctl enable / disable for one service: the .wants symlink of the unit that activates it
 * (its timer, its sockets, or the service itself), pointing at the unit's path without the root,
 * as systemctl writes it. Idempotent. Returns 0 or -errno with a message.
 */
int sn_service_units_set_enabled(const char *root, const char *instance, const SnApp *app, bool enabled,
                                 SnError **reterr);

/* 1 when that symlink exists, 0 when not, -errno on error. */
int sn_service_units_is_enabled(const char *root, const char *instance, const SnApp *app);

/*
 * The units of interfaces' systemd backend (snapd's interfaces/systemd): named
 * "snap.INSTANCE.interface.SUFFIX.service" (SUFFIX e.g. "gpio-17"), in etc/systemd/system, with
 * snapd's text: a [Service] section with Type= (when type is not NULL), RemainAfterExit=yes (when
 * remain_after_exit), ExecStart= and ExecStop= (when not NULL), then "[Install]
 * WantedBy=multi-user.target". They carry no X-Snappy line (snapd's have none), so
 * sn_service_units_write and sn_service_units_remove never prune them: their owner does
 * (ifacestate-gpio.h). Caller frees; NULL on ENOMEM.
 */
char *sn_service_units_interface_name(const char *instance, const char *suffix);
char *sn_service_units_interface_content(const char *type, bool remain_after_exit, const char *exec_start,
                                         const char *exec_stop);
