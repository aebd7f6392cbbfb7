/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's name rules (snap/naming): each returns true when s is valid. NULL is never valid.
 * Implemented without regular expressions (no backtracking on hostile input).
 */
#pragma once

#include <stdbool.h>

/* Snap name: 2..40 chars of [a-z0-9-], at least one letter, no leading/trailing '-', no "--". */
bool sn_name_snap_valid(const char *s);
/* Instance name: a snap name, optionally "_" and a key of 1..10 [a-z0-9]. */
bool sn_name_instance_valid(const char *s);
/* App name: ^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$ */
bool sn_name_app_valid(const char *s);
/* Hook, plug, slot and interface names: ^[a-z](?:-?[a-z0-9])*$ */
bool sn_name_plug_valid(const char *s);
/* Alias: ^[a-zA-Z0-9][-_.a-zA-Z0-9]*$ */
bool sn_name_alias_valid(const char *s);
/* Socket name: the rules of a snap name without the length limit. */
bool sn_name_socket_valid(const char *s);
/* snap-id: exactly 32 of [a-zA-Z0-9]. */
bool sn_name_snap_id_valid(const char *s);
/* Account id: 32 of [a-zA-Z0-9], or 2..28 of [-a-z0-9]. */
bool sn_name_account_id_valid(const char *s);
/* Provenance: ^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$ */
bool sn_name_provenance_valid(const char *s);
/* Hook name: the names of snap/hooktypes.go (install, configure, connect-plug-X, ...). */
bool sn_name_hook_valid(const char *s);
