/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fd-util.h"
#include "fileio.h"
#include "ifacestate-gpio.h"
#include "strutil.h"

static char root[64];

static void make_root(void)
{
    strcpy(root, "/tmp/sn-gpio-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    /* a stand-in for the kernel's gpio class: export and unexport as plain files */
    _sn_free_ char *cmd = sn_strdup_printf("mkdir -p '%s/sys/class/gpio' && : > '%s/sys/class/gpio/export' && "
                                           ": > '%s/sys/class/gpio/unexport'",
                                           root, root, root);
    cr_assert_eq(system(cmd), 0);
}

static void remove_root(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(gpio, .init = make_root, .fini = remove_root);

static char *path(const char *rel)
{
    return sn_strdup_printf("%s/%s", root, rel);
}

static char *read_rel(const char *rel)
{
    _sn_free_ char *p = path(rel);
    char *text = NULL;
    if (sn_read_file_at(AT_FDCWD, p, 1 << 20, &text, NULL) < 0)
        return NULL;
    return text;
}

static void truncate_rel(const char *rel)
{
    _sn_free_ char *p = path(rel);
    cr_assert_eq(truncate(p, 0), 0);
}

static void pin_dir(int64_t n, bool present)
{
    _sn_free_ char *p = sn_strdup_printf("%s/sys/class/gpio/gpio%lld", root, (long long)n);
    if (present)
        cr_assert_eq(mkdir(p, 0755), 0);
    else
        cr_assert_eq(rmdir(p), 0);
}

#define UNIT17 "etc/systemd/system/snap.board.interface.gpio-17.service"
#define UNIT5 "etc/systemd/system/snap.board.interface.gpio-5.service"

static const char unit17[] =
    "[Service]\n"
    "Type=oneshot\n"
    "RemainAfterExit=yes\n"
    "ExecStart=/bin/sh -c 'test -e /sys/class/gpio/gpio17 || echo 17 > /sys/class/gpio/export'\n"
    "ExecStop=/bin/sh -c 'test ! -e /sys/class/gpio/gpio17 || echo 17 > /sys/class/gpio/unexport'\n"
    "\n"
    "[Install]\n"
    "WantedBy=multi-user.target\n";

Test(gpio, the_unit_is_snapds)
{
    _sn_free_ char *name = NULL, *content = NULL;
    cr_assert_eq(sn_ifacestate_gpio_unit("board", 17, &name, &content), 0);
    cr_assert_str_eq(name, "snap.board.interface.gpio-17.service");
    cr_assert_str_eq(content, unit17);
}

Test(gpio, systemd_analyze_verify_accepts_the_unit)
{
    cr_assert_eq(access("/usr/bin/systemd-analyze", X_OK), 0,
                 "systemd-analyze is missing (scripts/packages.txt: systemd)");
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", (int64_t[]){17}, 1, NULL, NULL), 0);
    _sn_free_ char *dir = path("etc/systemd/system");
    _sn_free_ char *out = path("verify.out");
    _sn_free_ char *cmd = sn_strdup_printf("SYSTEMD_UNIT_PATH='%s': systemd-analyze verify --man=no "
                                           "'%s/snap.board.interface.gpio-17.service' > '%s' 2>&1",
                                           dir, dir, out);
    int rc = system(cmd);
    _sn_free_ char *log = NULL;
    cr_assert_eq(sn_read_file_at(AT_FDCWD, out, 1 << 20, &log, NULL), 0);
    cr_assert_eq(rc, 0, "systemd-analyze failed:\n%s", log);
    cr_assert_str_eq(log, "", "systemd-analyze complained:\n%s", log);
}

Test(gpio, connect_exports_disconnect_unexports_and_removes_the_unit)
{
    SnError *warn = NULL, *err = NULL;
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", (int64_t[]){17}, 1, &warn, &err), 0);
    cr_assert_null(warn);
    _sn_free_ char *u = read_rel(UNIT17);
    cr_assert_str_eq(u, unit17);
    _sn_free_ char *ex = read_rel("sys/class/gpio/export");
    cr_assert_str_eq(ex, "17\n");
    /* the kernel makes gpio17; a second sync (another connection, a regeneration) writes nothing */
    pin_dir(17, true);
    truncate_rel("sys/class/gpio/export");
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", (int64_t[]){17, 17}, 2, NULL, NULL), 0);
    _sn_free_ char *ex2 = read_rel("sys/class/gpio/export");
    cr_assert_str_eq(ex2, "");
    /* the last connection goes: unexport, the unit file is removed */
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", NULL, 0, NULL, NULL), 0);
    _sn_free_ char *unex = read_rel("sys/class/gpio/unexport");
    cr_assert_str_eq(unex, "17\n");
    _sn_free_ char *gone = read_rel(UNIT17);
    cr_assert_null(gone);
    _sn_free_ char *ex3 = read_rel("sys/class/gpio/export");
    cr_assert_str_eq(ex3, "");
}

Test(gpio, an_exported_pin_is_not_exported_again_and_an_unexported_one_not_unexported)
{
    pin_dir(17, true);
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", (int64_t[]){17}, 1, NULL, NULL), 0);
    _sn_free_ char *ex = read_rel("sys/class/gpio/export");
    cr_assert_str_eq(ex, "", "gpio17 exists: nothing written");
    _sn_free_ char *u = read_rel(UNIT17);
    cr_assert_str_eq(u, unit17);
    /* the pin went away behind our back: the disconnect writes nothing to unexport */
    pin_dir(17, false);
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", NULL, 0, NULL, NULL), 0);
    _sn_free_ char *unex = read_rel("sys/class/gpio/unexport");
    cr_assert_str_eq(unex, "");
}

Test(gpio, a_pin_the_kernel_forgot_is_exported_again_and_other_snaps_units_stay)
{
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", (int64_t[]){17, 5}, 2, NULL, NULL), 0);
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "other", (int64_t[]){6}, 1, NULL, NULL), 0);
    /* a reboot: no gpioN, the unit files are there; the daemon's start syncs again */
    truncate_rel("sys/class/gpio/export");
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", (int64_t[]){5, 17}, 2, NULL, NULL), 0);
    _sn_free_ char *ex = read_rel("sys/class/gpio/export");
    cr_assert_str_eq(ex, "17\n", "each pin is written once, the file holds the last (as echo > does)");
    /* dropping pin 5 of board leaves board's 17 and other's 6 */
    pin_dir(5, true);
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", (int64_t[]){17}, 1, NULL, NULL), 0);
    _sn_free_ char *unex = read_rel("sys/class/gpio/unexport");
    cr_assert_str_eq(unex, "5\n");
    _sn_free_ char *u5 = read_rel(UNIT5), *u17 = read_rel(UNIT17);
    _sn_free_ char *u6 = read_rel("etc/systemd/system/snap.other.interface.gpio-6.service");
    cr_assert_null(u5);
    cr_assert_not_null(u17);
    cr_assert_not_null(u6);
}

Test(gpio, an_app_unit_of_the_snap_is_not_touched)
{
    _sn_free_ char *dir = path("etc/systemd/system");
    cr_assert_eq(sn_mkdir_p(dir, 0755), 0);
    _sn_free_ char *app = sn_strdup_printf("%s/snap.board.interface.service", dir);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, app, "x\n", 2, 0644), 0);
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", NULL, 0, NULL, NULL), 0);
    cr_assert_eq(access(app, F_OK), 0, "an app called \"interface\" keeps its unit");
}

Test(gpio, a_pin_that_cannot_be_exported_is_a_warning_not_an_error)
{
    _sn_free_ char *ex = path("sys/class/gpio/export");
    cr_assert_eq(unlink(ex), 0);
    SnError *warn = NULL, *err = NULL;
    cr_assert_eq(sn_ifacestate_gpio_sync(root, "board", (int64_t[]){17}, 1, &warn, &err), 0);
    cr_assert_null(err);
    cr_assert_not_null(warn);
    _sn_free_ char *want = sn_strdup_printf("cannot write 17 to %s: No such file or directory", ex);
    cr_assert_str_eq(warn->message, want);
    cr_assert_eq(warn->code, -ENOENT);
    sn_error_free(warn);
    _sn_free_ char *u = read_rel(UNIT17);
    cr_assert_str_eq(u, unit17, "the unit is written all the same");
}

Test(gpio, a_unit_that_cannot_be_written_is_an_error)
{
#if !SN_FAULT_INJECTION
    cr_skip_test("needs -Dfault_injection=true");
#endif
    cr_assert_eq(setenv("SN_FAULTS", "gpio-unit", 1), 0);
    SnError *err = NULL;
    int r = sn_ifacestate_gpio_sync(root, "board", (int64_t[]){17}, 1, NULL, &err);
    unsetenv("SN_FAULTS");
    cr_assert_eq(r, -EIO);
    cr_assert_not_null(strstr(err->message, "snap.board.interface.gpio-17.service"), "%s", err->message);
    sn_error_free(err);
    _sn_free_ char *ex = read_rel("sys/class/gpio/export");
    cr_assert_str_eq(ex, "", "nothing exported when its unit could not be written");
}
