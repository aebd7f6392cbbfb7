/* SPDX-License-Identifier: GPL-3.0-only */
#include "ifacestate-gpio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"
#include "fd-util.h"
#include "fileio.h"
#include "mount.h"
#include "service-units.h"
#include "strutil.h"

#define UNIT_DIR "etc/systemd/system"
#define GPIO_DIR "sys/class/gpio"

int sn_ifacestate_gpio_unit(const char *instance, int64_t number, char **ret_name, char **ret_content)
{
    char suffix[32];
    snprintf(suffix, sizeof(suffix), "gpio-%" PRId64, number);
    _sn_free_ char *start = sn_strdup_printf("/bin/sh -c 'test -e /sys/class/gpio/gpio%" PRId64 " || echo %" PRId64
                                             " > /sys/class/gpio/export'",
                                             number, number);
    _sn_free_ char *stop = sn_strdup_printf("/bin/sh -c 'test ! -e /sys/class/gpio/gpio%" PRId64 " || echo %" PRId64
                                            " > /sys/class/gpio/unexport'",
                                            number, number);
    _sn_free_ char *name = sn_service_units_interface_name(instance, suffix);
    _sn_free_ char *content = start && stop ? sn_service_units_interface_content("oneshot", true, start, stop) : NULL;
    if (!name || !content)
        return -ENOMEM;
    *ret_name = SN_TAKE_PTR(name);
    *ret_content = SN_TAKE_PTR(content);
    return 0;
}

static bool contains(const int64_t *v, size_t n, int64_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

/* Whether ROOT/sys/class/gpio/gpioN exists (the kernel's directory of an exported pin). */
static bool exported(const char *root, int64_t number)
{
    _sn_free_ char *p = sn_strdup_printf("%s/" GPIO_DIR "/gpio%" PRId64, root, number);
    return p && access(p, F_OK) == 0;
}

/* echo N > ROOT/sys/class/gpio/FILE: one write of "N\n", as the unit's shell does. */
static int write_pin(const char *root, const char *file, int64_t number, SnError **reterr)
{
    _sn_free_ char *path = sn_strdup_printf("%s/" GPIO_DIR "/%s", root, file);
    if (!path)
        return -ENOMEM;
    char text[32];
    int len = snprintf(text, sizeof(text), "%" PRId64 "\n", number);
    _sn_close_ int fd = -1;
    errno = 0;
    if (sn_faulty("gpio-write") || (fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)) < 0 ||
        write(fd, text, (size_t)len) != len) {
        int r = errno ? -errno : -EIO;
        return sn_error_set(reterr, r, "cannot write %" PRId64 " to %s: %s", number, path, strerror(-r));
    }
    return 0;
}

/* The pin of a "snap.INSTANCE.interface.gpio-N.service" name, or -1. */
static int64_t unit_pin(const char *name, const char *prefix)
{
    if (!sn_startswith(name, prefix) || !sn_endswith(name, ".service"))
        return -1;
    _sn_free_ char *num = strndup(name + strlen(prefix), strlen(name) - strlen(prefix) - strlen(".service"));
    uint64_t v = 0;
    if (!num || sn_parse_u64(num, &v) < 0 || v > INT64_MAX)
        return -1;
    return (int64_t)v;
}

int sn_ifacestate_gpio_sync(const char *root, const char *instance, const int64_t *numbers, size_t n,
                            SnError **ret_warning, SnError **reterr)
{
    root = !root || SN_STREQ(root, "/") ? "" : root;
    bool systemd = !*root && sn_mount_systemd_booted();
    _sn_free_ char *dir = sn_strdup_printf("%s/" UNIT_DIR, root);
    _sn_free_ char *prefix = sn_strdup_printf("snap.%s.interface.gpio-", instance);
    if (!dir || !prefix)
        return sn_error_set(reterr, -ENOMEM, "out of memory");

    /* the units of pins no longer wanted: stop them (systemd) or unexport, then remove the files */
    bool reload = false;
    DIR *d = opendir(dir);
    if (!d && errno != ENOENT)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %s", dir, strerror(errno));
    int r = 0;
    for (struct dirent *de; d && r >= 0 && (de = readdir(d));) {
        int64_t pin = unit_pin(de->d_name, prefix);
        if (pin < 0 || contains(numbers, n, pin))
            continue;
        if (systemd) {
            if (sn_systemctl("disable", de->d_name, NULL) < 0 || sn_systemctl("stop", de->d_name, NULL) < 0)
                sn_error_set(ret_warning, -EIO, "cannot stop %s", de->d_name);
        } else if (exported(root, pin)) {
            (void)write_pin(root, "unexport", pin, ret_warning);
        }
        _sn_free_ char *path = sn_strdup_printf("%s/%s", dir, de->d_name);
        if (!path)
            r = sn_error_set(reterr, -ENOMEM, "out of memory");
        else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
            r = sn_error_set(reterr, sn_negative_errno(), "cannot remove %s: %s", path, strerror(errno));
        reload = true;
    }
    if (d)
        closedir(d);

    /* the wanted ones: write what differs, start what is new (systemd) or export what is not */
    _sn_strv_free_ char **started = NULL;
    for (size_t i = 0; r >= 0 && i < n; i++) {
        if (contains(numbers, i, numbers[i]))
            continue; /* a second connection to the same pin */
        _sn_free_ char *name = NULL, *content = NULL, *old = NULL;
        r = sn_ifacestate_gpio_unit(instance, numbers[i], &name, &content);
        _sn_free_ char *path = r >= 0 ? sn_strdup_printf("%s/%s", dir, name) : NULL;
        if (!path) {
            r = sn_error_set(reterr, -ENOMEM, "out of memory");
            break;
        }
        bool same = sn_read_file_at(AT_FDCWD, path, 1 << 16, &old, NULL) >= 0 && SN_STREQ(old, content);
        if (!same) {
            r = sn_mkdir_p(dir, 0755);
            if (r >= 0)
                r = sn_faulty("gpio-unit") ? -EIO
                                           : sn_write_file_atomic(AT_FDCWD, path, content, strlen(content), 0644);
            if (r < 0) {
                r = sn_error_set(reterr, r, "cannot write %s: %s", path, strerror(-r));
                break;
            }
            reload = true;
            if (systemd && sn_strv_push(&started, name) < 0)
                r = sn_error_set(reterr, -ENOMEM, "out of memory");
        }
        if (!systemd && !exported(root, numbers[i]))
            (void)write_pin(root, "export", numbers[i], ret_warning);
    }
    if (systemd && reload && sn_systemctl("daemon-reload", NULL, NULL) < 0)
        sn_error_set(ret_warning, -EIO, "cannot reload systemd");
    for (char **u = started; systemd && r >= 0 && u && *u; u++)
        if (sn_systemctl("enable", *u, NULL) < 0 || sn_systemctl("restart", *u, NULL) < 0)
            sn_error_set(ret_warning, -EIO, "cannot start %s", *u);
    return r;
}
