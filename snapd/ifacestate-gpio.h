/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The gpio interface's slot side (snapd's gpio.go SystemdConnectedSlot and its systemd backend):
 * while a gpio plug is connected to a slot `number: N` of snap INSTANCE, the pin is exported, by the
 * unit snapd generates,
 *
 *   etc/systemd/system/snap.INSTANCE.interface.gpio-N.service
 *     [Service]
 *     Type=oneshot
 *     RemainAfterExit=yes
 *     ExecStart=/bin/sh -c 'test -e /sys/class/gpio/gpioN || echo N > /sys/class/gpio/export'
 *     ExecStop=/bin/sh -c 'test ! -e /sys/class/gpio/gpioN || echo N > /sys/class/gpio/unexport'
 *
 *     [Install]
 *     WantedBy=multi-user.target
 *
 * started (and enabled) when the first connection to the pin appears, stopped (and disabled) and
 * removed when the last one goes. Where systemd is PID 1 and root is the real root the daemon hands
 * the units to systemd as snapd does. Elsewhere (no systemd, a test root) the unit files are still
 * written, and the daemon does what ExecStart / ExecStop do itself, under root:
 * ROOT/sys/class/gpio/export and unexport.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The unit of pin number on slot snap instance: its name and text. 0 or -ENOMEM. */
int sn_ifacestate_gpio_unit(const char *instance, int64_t number, char **ret_name, char **ret_content);

/*
 * Brings the gpio units of slot snap instance to the pins numbers[0..n) (duplicates allowed), under
 * root ("" or NULL: /):
 * - writes the units that are missing or differ (atomically), removes the
 *   snap.INSTANCE.interface.gpio-*.service files of other pins;
 * - with systemd (PID 1, root ""): daemon-reload when a file changed, enable and restart the new
 *   units, disable and stop the gone ones before their files are removed;
 * - without: exports every wanted pin whose ROOT/sys/class/gpio/gpioN does not exist (writes "N\n"
 *   to ROOT/sys/class/gpio/export), on every call, not only for new units: after a reboot the
 *   kernel has forgotten the exports that systemd would redo at boot; unexports each removed pin
 *   whose gpioN exists (writes "N\n" to ROOT/sys/class/gpio/unexport).
 * Unit file errors return -errno with the path in *reterr and stop there. What snapd only logs
 * (a unit that does not start, an export that fails: a board without that pin) does not fail the
 * call: the first such error is put in *ret_warning (may be NULL; set only when still NULL) and the
 * other pins are still handled. Returns 0 or -errno.
 */
int sn_ifacestate_gpio_sync(const char *root, const char *instance, const int64_t *numbers, size_t n,
                            SnError **ret_warning, SnError **reterr);
