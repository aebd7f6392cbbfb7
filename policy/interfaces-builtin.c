/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The interfaces, one row each: summaries, implicit-slot flags and base-declaration rules are
 * snapd's (interfaces/builtin/NAME.go); seccomp lines name the syscalls snapd's snippets allow;
 * Landlock paths, TCP rights and device patterns are this project's translation of the AppArmor and
 * udev rules of the same interface, for kernels where AppArmor is absent. AppArmor rules are short
 * summaries of snapd's, for kernels that have it.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interfaces-internal.h"
#include "strutil.h"

#define ROOT SN_POLICY_ANCHOR_ROOT
#define LL(path, access)                                                                                               \
    {                                                                                                                  \
        path, ROOT, access                                                                                             \
    }
#define LL_END                                                                                                         \
    {                                                                                                                  \
        NULL, 0, 0                                                                                                     \
    }

/* ---- attribute checks ---- */

static bool matches(const char *re, const char *s)
{
    regex_t r;
    if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool ok = regexec(&r, s, 0, NULL, 0) == 0;
    regfree(&r);
    return ok;
}

/* filepath.Clean(p) == p, and not "..": no empty, "." or ".." component, no trailing slash. */
static bool clean_path(const char *p)
{
    if (!*p)
        return false;
    if (SN_STREQ(p, "/"))
        return true;
    const char *c = p[0] == '/' ? p + 1 : p;
    for (;;) {
        const char *end = strchrnul(c, '/');
        size_t n = (size_t)(end - c);
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        if (!*end)
            return true;
        c = end + 1;
    }
}

/* snapd's validatePath for content paths: no AppArmor pattern characters, clean. */
static int content_path_ok(const char *p, SnError **reterr)
{
    if (strpbrk(p, "?*[]{}^\"\n"))
        return sn_error_set(reterr, -EINVAL,
                            "content interface path is invalid: \"%s\" contains a reserved apparmor char", p);
    if (!clean_path(p))
        return sn_error_set(reterr, -EINVAL, "content interface path is not clean: \"%s\"", p);
    return 0;
}

static int content_labels(const char *name, json_t *attrs, SnError **reterr)
{
    json_t *content = json_object_get(attrs, "content");
    json_t *compat = json_object_get(attrs, "compatibility");
    if (compat && !json_is_string(compat))
        return sn_error_set(reterr, -EINVAL, "compatibility label must be a string");
    bool has_content = json_is_string(content) && *json_string_value(content);
    bool has_compat = json_is_string(compat) && *json_string_value(compat);
    if (has_content && has_compat)
        return sn_error_set(reterr, -EINVAL, "cannot have both content and compatibility labels");
    if (!has_content && !has_compat && json_object_set_new(attrs, "content", json_string(name)) < 0)
        return -ENOMEM;
    return 0;
}

static int sanitize_content_plug(const char *name, json_t *attrs, SnError **reterr)
{
    int r = content_labels(name, attrs, reterr);
    if (r < 0)
        return r;
    const char *target = json_string_value(json_object_get(attrs, "target"));
    if (!target || !*target)
        return sn_error_set(reterr, -EINVAL, "content plug must contain target path");
    return content_path_ok(target, reterr);
}

static int sanitize_content_slot(const char *name, json_t *attrs, SnError **reterr)
{
    int r = content_labels(name, attrs, reterr);
    if (r < 0)
        return r;
    if (json_object_get(attrs, "source")) {
        if (json_object_get(attrs, "read"))
            return sn_error_set(reterr, -EINVAL, "move the \"read\" attribute into the \"source\" section");
        if (json_object_get(attrs, "write"))
            return sn_error_set(reterr, -EINVAL, "move the \"write\" attribute into the \"source\" section");
    }
    json_t *rd = sn_iface_content_paths(attrs, "read"), *wr = sn_iface_content_paths(attrs, "write");
    if (json_array_size(rd) == 0 && json_array_size(wr) == 0)
        return sn_error_set(reterr, -EINVAL, "read or write path must be set");
    json_t *lists[] = {rd, wr};
    for (size_t k = 0; k < 2; k++) {
        size_t i;
        json_t *p;
        json_array_foreach(lists[k], i, p)
        {
            if (!json_is_string(p))
                return sn_error_set(reterr, -EINVAL, "content interface paths must be strings");
            if ((r = content_path_ok(json_string_value(p), reterr)) < 0)
                return r;
        }
    }
    return 0;
}

static int sanitize_home_plug(const char *name, json_t *attrs, SnError **reterr)
{
    json_t *read = json_object_get(attrs, "read");
    if (read && !(json_is_string(read) && SN_STREQ(json_string_value(read), "all")))
        return sn_error_set(reterr, -EINVAL, "home plug requires \"read\" be 'all'");
    return 0;
}

static bool has_usb_attrs(json_t *attrs)
{
    return json_is_integer(json_object_get(attrs, "usb-vendor")) ||
           json_is_integer(json_object_get(attrs, "usb-product")) ||
           json_is_integer(json_object_get(attrs, "usb-interface-number"));
}

#define SERIAL_NODE_RE "^/dev/tty(mxc|USB|ACM|AMA|XRUSB|S|O|SC|MSM|HS|GS|LP|RPMSG|MAX)[0-9]+$"
#define SERIAL_LINK_RE "^/dev/serial-port-[a-z0-9]+$"

static int sanitize_serial_slot(const char *name, json_t *attrs, SnError **reterr)
{
    const char *path = json_string_value(json_object_get(attrs, "path"));
    if (!path || !*path)
        return sn_error_set(reterr, -EINVAL, "serial-port slot must have a path attribute");
    if (!has_usb_attrs(attrs)) {
        if (!matches(SERIAL_NODE_RE, path))
            return sn_error_set(reterr, -EINVAL, "serial-port path attribute must be a valid device node");
        return 0;
    }
    if (!matches(SERIAL_LINK_RE, path))
        return sn_error_set(reterr, -EINVAL, "serial-port path attribute specifies invalid symlink location");
    json_t *v = json_object_get(attrs, "usb-vendor"), *p = json_object_get(attrs, "usb-product");
    json_t *in = json_object_get(attrs, "usb-interface-number");
    if (!json_is_integer(v))
        return sn_error_set(reterr, -EINVAL, "serial-port slot failed to find usb-vendor attribute");
    if (json_integer_value(v) < 1 || json_integer_value(v) > 0xffff)
        return sn_error_set(reterr, -EINVAL, "serial-port usb-vendor attribute not valid: %lld",
                            (long long)json_integer_value(v));
    if (!json_is_integer(p))
        return sn_error_set(reterr, -EINVAL, "serial-port slot failed to find usb-product attribute");
    if (json_integer_value(p) < 0 || json_integer_value(p) > 0xffff)
        return sn_error_set(reterr, -EINVAL, "serial-port usb-product attribute not valid: %lld",
                            (long long)json_integer_value(p));
    if (json_is_integer(in) && (json_integer_value(in) < 0 || json_integer_value(in) >= 32))
        return sn_error_set(reterr, -EINVAL,
                            "serial-port usb-interface-number attribute cannot be negative or larger than 31");
    return 0;
}

static int sanitize_i2c_slot(const char *name, json_t *attrs, SnError **reterr)
{
    const char *sysfs = json_string_value(json_object_get(attrs, "sysfs-name"));
    if (sysfs) {
        if (!matches("^[a-zA-Z0-9_-]+$", sysfs))
            return sn_error_set(reterr, -EINVAL, "i2c sysfs-name attribute must be a valid sysfs-name");
        if (json_is_string(json_object_get(attrs, "path")))
            return sn_error_set(reterr, -EINVAL, "i2c slot can only use path or sysfs-name");
        return 0;
    }
    const char *path = json_string_value(json_object_get(attrs, "path"));
    if (!path || !*path)
        return sn_error_set(reterr, -EINVAL, "i2c slot must have a path or sysfs-name attribute");
    if (!matches("^/dev/i2c-[0-9]+$", path))
        return sn_error_set(reterr, -EINVAL, "i2c path attribute must be a valid device node");
    return 0;
}

static int sanitize_spi_slot(const char *name, json_t *attrs, SnError **reterr)
{
    const char *path = json_string_value(json_object_get(attrs, "path"));
    if (!path || !*path)
        return sn_error_set(reterr, -EINVAL, "slot \"%s\" must have a path attribute", name);
    if (!matches("^/dev/spidev[0-9]+\\.[0-9]+$", path))
        return sn_error_set(reterr, -EINVAL, "\"%s\" is not a valid SPI device", path);
    return 0;
}

static int sanitize_gpio_slot(const char *name, json_t *attrs, SnError **reterr)
{
    json_t *n = json_object_get(attrs, "number");
    if (!n)
        return sn_error_set(reterr, -EINVAL, "gpio slot must have a number attribute");
    if (!json_is_integer(n))
        return sn_error_set(reterr, -EINVAL, "gpio slot number attribute must be an int");
    return 0;
}

/* ---- attribute-driven grants ---- */

/* The slot's device node (serial-port, i2c, spi): a device rule when it exists, and the AppArmor rule. */
static int grant_slot_path(SnIfaceWork *w, const SnIfaceContext *ctx, const SnIfaceEnd *slot, const char *re,
                           const char *what, SnError **reterr)
{
    const char *path = sn_iface_attr_string(slot, "path");
    if (!path || !matches(re, path))
        return sn_error_set(reterr, -EINVAL, "%s slot %s:%s has no valid path attribute", what, slot->snap, slot->name);
    int r = sn_iface_work_device(w, ctx, path);
    if (r >= 0)
        r = sn_iface_work_apparmor(w, "%s rwk,", path);
    return r;
}

static int extra_serial(SnIfaceWork *w, const SnIfaceContext *ctx, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                        SnError **reterr)
{
    if (!has_usb_attrs(slot->attrs))
        return grant_slot_path(w, ctx, slot, SERIAL_NODE_RE, "serial-port", reterr);
    /* USB-matched slots: snapd tags the one device by vendor/product through udev; without udev
     * matching here, the USB serial nodes that exist are granted (docs/interfaces.md). */
    int r = sn_iface_work_device(w, ctx, sn_iface_attr_string(slot, "path"));
    if (r >= 0)
        r = sn_iface_work_device_glob(w, ctx, "/dev/ttyUSB[0-9]*");
    if (r >= 0)
        r = sn_iface_work_device_glob(w, ctx, "/dev/ttyACM[0-9]*");
    if (r >= 0)
        r = sn_iface_work_apparmor(w, "/dev/tty[A-Z]*[0-9] rwk,");
    return r;
}

static int extra_i2c(SnIfaceWork *w, const SnIfaceContext *ctx, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                     SnError **reterr)
{
    const char *sysfs = sn_iface_attr_string(slot, "sysfs-name");
    if (sysfs && matches("^[a-zA-Z0-9_-]+$", sysfs)) {
        _sn_free_ char *p = sn_strdup_printf("/sys/bus/i2c/devices/%s", sysfs);
        if (!p)
            return -ENOMEM;
        int r = sn_iface_work_landlock(w, ROOT, p, SN_LANDLOCK_RO | SN_LANDLOCK_WRITE_FILE);
        return r < 0 ? r : sn_iface_work_apparmor(w, "%s/** rw,", p);
    }
    return grant_slot_path(w, ctx, slot, "^/dev/i2c-[0-9]+$", "i2c", reterr);
}

static int extra_spi(SnIfaceWork *w, const SnIfaceContext *ctx, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                     SnError **reterr)
{
    int r = grant_slot_path(w, ctx, slot, "^/dev/spidev[0-9]+\\.[0-9]+$", "spi", reterr);
    if (r < 0)
        return r;
    /* The device's sysfs attributes (snapd grants them under /sys/devices/platform) reached through
     * the class symlink, which snap-confine follows when it builds the ruleset. */
    const char *dev = sn_iface_attr_string(slot, "path") + strlen("/dev/");
    _sn_free_ char *p = sn_strdup_printf("/sys/class/spidev/%s", dev);
    if (!p)
        return -ENOMEM;
    r = sn_iface_work_landlock(w, ROOT, p, SN_LANDLOCK_RO | SN_LANDLOCK_WRITE_FILE);
    return r < 0 ? r : sn_iface_work_apparmor(w, "/sys/devices/platform/**/**.spi/**/%s/** rw,", dev);
}

/*
 * The target of path (absolute) looked up under ctx->root, as an absolute path in that root; NULL in
 * *ret when it does not exist or resolves outside the root. Returns 0 or -ENOMEM.
 */
static int resolve_under_root(const SnIfaceContext *ctx, const char *path, char **ret)
{
    *ret = NULL;
    const char *root = ctx && ctx->root && *ctx->root ? ctx->root : "/";
    _sn_free_ char *real_root = realpath(root, NULL);
    if (!real_root)
        return errno == ENOMEM ? -ENOMEM : 0;
    size_t skip = SN_STREQ(real_root, "/") ? 0 : strlen(real_root);
    _sn_free_ char *full = sn_strdup_printf("%s%s", skip ? real_root : "", path);
    if (!full)
        return -ENOMEM;
    _sn_free_ char *resolved = realpath(full, NULL);
    if (!resolved)
        return errno == ENOMEM ? -ENOMEM : 0;
    if (strncmp(resolved, real_root, skip) != 0 || resolved[skip] != '/')
        return 0;
    *ret = strdup(resolved + skip);
    return *ret ? 0 : -ENOMEM;
}

static int extra_gpio(SnIfaceWork *w, const SnIfaceContext *ctx, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                      SnError **reterr)
{
    json_t *n = json_object_get(slot->attrs, "number");
    if (!json_is_integer(n) || json_integer_value(n) < 0)
        return sn_error_set(reterr, -EINVAL, "gpio slot %s:%s has no valid number attribute", slot->snap, slot->name);
    /* snap-confine opens the path when it builds the ruleset, following the sysfs symlink to the pin. */
    _sn_free_ char *p = sn_strdup_printf("/sys/class/gpio/gpio%lld", (long long)json_integer_value(n));
    if (!p)
        return -ENOMEM;
    int r = sn_iface_work_landlock(w, ROOT, p, SN_LANDLOCK_RO | SN_LANDLOCK_WRITE_FILE);
    if (r < 0)
        return r;
    /* AppArmor needs the resolved path (the class entry is a symlink into /sys/devices); snapd emits
     * nothing for a pin that is not exported, we keep the class path so the rule shows in the profile. */
    _sn_free_ char *resolved = NULL;
    r = resolve_under_root(ctx, p, &resolved);
    if (r < 0)
        return r;
    if (resolved && !SN_STREQ(resolved, p))
        r = sn_iface_work_apparmor(w, "%s/* rwk,", resolved);
    return r < 0 ? r : sn_iface_work_apparmor(w, "%s/* rwk,", p);
}

/* Content, plug side: the provider's files, read-only or writable, besides the bind mounts. */
static int extra_content_plug(SnIfaceWork *w, const SnIfaceContext *ctx, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                              SnError **reterr)
{
    SnIfaceMount *m = NULL;
    size_t n = 0;
    int r = sn_iface_mounts(plug, slot, &m, &n, reterr);
    for (size_t i = 0; r >= 0 && i < n; i++) {
        uint64_t access = m[i].read_only ? SN_LANDLOCK_RX : SN_LANDLOCK_RW;
        r = sn_iface_work_landlock(w, ROOT, m[i].source, access);
        if (r >= 0)
            r = sn_iface_work_landlock(w, ROOT, m[i].target, access);
        if (r >= 0)
            r = sn_iface_work_apparmor(w, "\"%s/**\" %s,", m[i].source, m[i].read_only ? "mrkix" : "mrwklix");
    }
    sn_iface_mounts_free(m, n);
    return r;
}

/* Content, slot side: a writable share is also reachable at the consumer's mount point. */
static int extra_content_slot(SnIfaceWork *w, const SnIfaceContext *ctx, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                              SnError **reterr)
{
    SnIfaceMount *m = NULL;
    size_t n = 0;
    int r = sn_iface_mounts(plug, slot, &m, &n, reterr);
    for (size_t i = 0; r >= 0 && i < n; i++)
        if (!m[i].read_only)
            r = sn_iface_work_apparmor(w, "\"%s/**\" mrwklix,", m[i].target);
    sn_iface_mounts_free(m, n);
    return r;
}

/* ---- the rows ---- */

#define DENY_AUTO "    deny-auto-connection: true\n"
#define SLOT_CORE(name) "  " name ":\n    allow-installation:\n      slot-snap-type:\n        - core\n"
#define SLOT_CORE_GADGET(name)                                                                                         \
    "  " name ":\n    allow-installation:\n      slot-snap-type:\n        - core\n        - gadget\n"

/*
 * Netlink protocols the seccomp compiler has no symbol for are written as numbers (a name it does
 * not know fails the whole profile): NETLINK_INET_DIAG (NETLINK_SOCK_DIAG) is 4, NETLINK_GENERIC 16.
 */
#define NETLINK_INET_DIAG_LINE "# NETLINK_INET_DIAG\nsocket AF_NETLINK - 4\n"
#define NETLINK_GENERIC_LINE "# NETLINK_GENERIC\nsocket AF_NETLINK - 16\n"

static const SnPolicyLandlockGrant resolve_ll[] = {LL("/run/systemd/resolve", SN_LANDLOCK_RO), LL_END};

static const SnInterface network = {
    .name = "network",
    .summary = "allows access to the network",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("network"),
    .plug = {.seccomp = "bind\nsocket AF_NETLINK - NETLINK_ROUTE\n",
             .apparmor =
                 "network inet,\nnetwork inet6,\nnetwork netlink dgram,\n/run/systemd/resolve/stub-resolv.conf r,\n",
             .landlock = resolve_ll,
             .net = SN_LANDLOCK_NET_CONNECT_TCP},
};

static const SnInterface network_bind = {
    .name = "network-bind",
    .summary = "allows operating as a network service",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("network-bind"),
    .plug = {.seccomp = "accept\naccept4\nbind\nlisten\nsocket AF_NETLINK - NETLINK_ROUTE\n",
             .apparmor = "network inet,\nnetwork inet6,\n/etc/hosts.allow r,\n/etc/hosts.deny r,\n",
             .landlock = resolve_ll,
             .net = SN_LANDLOCK_NET_BIND_TCP},
};

static const SnInterface network_observe = {
    .name = "network-observe",
    .summary = "allows querying network status",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("network-observe") DENY_AUTO,
    .plug = {.seccomp =
                 "capset\nbind\n" NETLINK_INET_DIAG_LINE "socket AF_NETLINK - NETLINK_ROUTE\n" NETLINK_GENERIC_LINE
                 "socket AF_NETLINK - NETLINK_KOBJECT_UEVENT\n",
             .apparmor =
                 "@{PROC}/@{pid}/net/** r,\n@{PROC}/sys/net/** r,\nnetwork netlink raw,\nnetwork netlink dgram,\n"
                 "capability net_raw,\nnetwork inet raw,\nnetwork inet6 raw,\n/sys/devices/**/net/** r,\n"
                 "/run/systemd/resolve/stub-resolv.conf r,\n",
             .landlock = resolve_ll},
};

static const SnPolicyLandlockGrant home_ll[] = {{".", SN_POLICY_ANCHOR_HOME, SN_LANDLOCK_RW}, LL_END};

static const SnInterface home = {
    .name = "home",
    .summary = "allows access to non-hidden files in the home directory",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("home") "    deny-connection:\n      plug-attributes:\n        read: all\n"
                                    "    deny-auto-connection:\n      -\n        on-classic: false\n"
                                    "        on-core-desktop: false\n      -\n        plug-attributes:\n"
                                    "          read: all\n",
    .plug = {.apparmor =
                 "owner @{HOME}/ r,\nowner @{HOME}/[^s.]** rwkl,\nowner @{HOME}/s[^n]** rwkl,\n"
                 "owner @{HOME}/sn[^a]** rwkl,\nowner @{HOME}/sna[^p]** rwkl,\nowner @{HOME}/snap[^/]** rwkl,\n"
                 "owner @{HOME}/{s,sn,sna}{,/} rwkl,\nowner @{HOME}/snap/ r,\naudit deny @{HOME}/bin/{,**} wl,\n",
             .landlock = home_ll},
    .sanitize_plug = sanitize_home_plug,
};

static const SnPolicyLandlockGrant removable_ll[] = {LL("/media", SN_LANDLOCK_RW), LL("/run/media", SN_LANDLOCK_RW),
                                                     LL("/mnt", SN_LANDLOCK_RW), LL_END};

static const SnInterface removable_media = {
    .name = "removable-media",
    .summary = "allows access to mounted removable storage",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("removable-media") DENY_AUTO,
    .plug = {.apparmor = "/run/ r,\n/{,run/}media/ r,\n/{,run/}media/*/ r,\n/{,run/}media/*/** mrwklix,\n/mnt/ r,\n"
                         "/mnt/** mrwklix,\n",
             .landlock = removable_ll},
};

static const SnPolicyLandlockGrant udev_data_ll[] = {LL("/run/udev/data", SN_LANDLOCK_RO), LL_END};

static const SnInterface hardware_observe = {
    .name = "hardware-observe",
    .summary = "allows reading information about system hardware",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("hardware-observe") DENY_AUTO,
    .plug = {.seccomp = "iopl\n" NETLINK_GENERIC_LINE "socket AF_NETLINK - NETLINK_KOBJECT_UEVENT\nbind\n",
             .apparmor =
                 "/sys/{block,bus,class,devices,firmware}/{,**} r,\n/run/udev/data/** r,\n@{PROC}/bus/pci/{,**} r,\n"
                 "/dev/bus/usb/{,**/} r,\n@{PROC}/interrupts r,\n@{PROC}/devices r,\nnetwork netlink raw,\n",
             .landlock = udev_data_ll},
};

/* /boot is not in a snap's namespace (snapd bind-mounts it for this interface; we do not yet). */
static const SnPolicyLandlockGrant system_observe_ll[] = {LL("/boot", SN_LANDLOCK_RO), LL_END};

static const SnInterface system_observe = {
    .name = "system-observe",
    .summary = "allows observing all processes and drivers",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("system-observe") DENY_AUTO,
    /* snapd's system-observe allows no syscall beyond the default template. */
    .plug = {.apparmor = "ptrace (read),\n@{PROC}/*/{,task/*/}{cmdline,comm,stat,statm,status} r,\n@{PROC}/stat r,\n"
                         "@{PROC}/modules r,\n@{PROC}/partitions r,\n/boot/config* r,\n",
             .landlock = system_observe_ll},
};

static const SnPolicyLandlockGrant log_observe_ll[] = {LL("/var/log", SN_LANDLOCK_RO),
                                                       LL("/run/log/journal", SN_LANDLOCK_RO),
                                                       LL("/var/lib/systemd/catalog", SN_LANDLOCK_RO), LL_END};
static const char *const kmsg_device[] = {"/dev/kmsg", NULL};

static const SnInterface log_observe = {
    .name = "log-observe",
    .summary = "allows read access to system logs",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("log-observe") DENY_AUTO,
    .plug = {.apparmor = "/var/log/ r,\n/var/log/** r,\n/dev/kmsg r,\n/run/log/journal/ r,\n/run/log/journal/** r,\n"
                         "capability dac_override,\ncapability dac_read_search,\n",
             .landlock = log_observe_ll,
             .devices = kmsg_device},
};

/*
 * snapd's lines are "quotactl Q_GETQUOTA - - -" and so on, but the kernel's first argument is
 * QCMD(cmd, type) = cmd << 8 | type, so an equality with the bare command never matches a real
 * call. These compare the command bits and accept any quota type: Q_GETQUOTA 0x800007,
 * Q_GETINFO 0x800005, Q_GETFMT 0x800004, Q_XGETQUOTA 0x5803, Q_XGETQSTAT 0x5805.
 */
#define MOUNT_OBSERVE_SECCOMP                                                                                          \
    "# quotactl Q_GETQUOTA, Q_GETINFO, Q_GETFMT, Q_XGETQUOTA, Q_XGETQSTAT, any quota type\n"                           \
    "quotactl 0xffffff00|0x80000700 - - -\nquotactl 0xffffff00|0x80000500 - - -\n"                                     \
    "quotactl 0xffffff00|0x80000400 - - -\nquotactl 0xffffff00|0x580300 - - -\nquotactl 0xffffff00|0x580500 - - -\n"

static const SnPolicyLandlockGrant mount_observe_ll[] = {LL("/run/mount", SN_LANDLOCK_RO), LL_END};

static const SnInterface mount_observe = {
    .name = "mount-observe",
    .summary = "allows reading mount table and quota information",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("mount-observe") DENY_AUTO,
    .plug = {.seccomp = MOUNT_OBSERVE_SECCOMP,
             .apparmor = "@{PROC}/mounts r,\nowner @{PROC}/@{pid}/mounts r,\nowner @{PROC}/@{pid}/mountinfo r,\n"
                         "@{PROC}/swaps r,\n/etc/fstab r,\n/etc/mtab r,\n/run/mount/utab r,\n",
             .landlock = mount_observe_ll},
};

static const SnInterface shutdown_iface = {
    .name = "shutdown",
    .summary = "allows shutting down or rebooting the system",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_plugs = "  shutdown:\n    allow-installation: false\n" DENY_AUTO,
    .decl_slots = SLOT_CORE("shutdown") DENY_AUTO,
    /* D-Bus calls only: AppArmor alone enforces them (docs/interfaces.md). */
    .plug = {.apparmor =
                 "dbus (send) bus=system path=/org/freedesktop/systemd1 "
                 "interface=org.freedesktop.systemd1.Manager member={Reboot,PowerOff,Halt} peer=(label=unconfined),\n"
                 "dbus (send) bus=system path=/org/freedesktop/login1 interface=org.freedesktop.login1.Manager "
                 "member={Inhibit,PowerOff,Reboot,Suspend,Hibernate,HybridSleep,CanPowerOff,CanReboot,CanSuspend,"
                 "CanHibernate,CanHybridSleep,ScheduleShutdown,CancelScheduledShutdown,SetWallMessage,"
                 "SetRebootParameter} peer=(label=unconfined),\n"
                 "dbus (send) bus=system path=/org/freedesktop/{systemd1,login1} "
                 "interface=org.freedesktop.DBus.Introspectable member=Introspect,\n"},
};

static const SnInterface gpio = {
    .name = "gpio",
    .summary = "allows access to specific GPIO pin",
    .decl_slots = SLOT_CORE_GADGET("gpio") DENY_AUTO,
    .sanitize_slot = sanitize_gpio_slot,
    .plug_extra = extra_gpio,
};

static const SnInterface i2c = {
    .name = "i2c",
    .summary = "allows access to specific I2C controller",
    .decl_slots =
        "  i2c:\n    allow-installation:\n      slot-snap-type:\n        - gadget\n        - core\n" DENY_AUTO,
    .sanitize_slot = sanitize_i2c_slot,
    .plug_extra = extra_i2c,
};

static const SnInterface spi = {
    .name = "spi",
    .summary = "allows access to specific spi controller",
    .decl_slots = SLOT_CORE_GADGET("spi") DENY_AUTO,
    .sanitize_slot = sanitize_spi_slot,
    .plug_extra = extra_spi,
};

static const SnInterface serial_port = {
    .name = "serial-port",
    .summary = "allows accessing a specific serial port",
    .decl_slots = SLOT_CORE_GADGET("serial-port") DENY_AUTO,
    .sanitize_slot = sanitize_serial_slot,
    .plug_extra = extra_serial,
};

static const char *const raw_usb_devices[] = {"/dev/bus/usb/[0-9][0-9][0-9]/[0-9][0-9][0-9]", "/dev/ttyUSB[0-9]*",
                                              "/dev/ttyACM[0-9]*", "/dev/usb/lp[0-9]*", NULL};

static const SnInterface raw_usb = {
    .name = "raw-usb",
    .summary = "allows raw access to all USB devices",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("raw-usb") DENY_AUTO,
    .plug = {.seccomp = "socket AF_NETLINK - NETLINK_KOBJECT_UEVENT\n",
             .apparmor = "/dev/bus/usb/[0-9][0-9][0-9]/[0-9][0-9][0-9] rw,\n/dev/tty{USB,ACM}[0-9]* rwk,\n"
                         "/dev/usb/lp[0-9]* rwk,\n/sys/bus/usb/devices/ r,\n/run/udev/data/+usb:* r,\n",
             .landlock = udev_data_ll,
             .devices = raw_usb_devices},
};

static const SnPolicyLandlockGrant camera_ll[] = {LL("/run/udev/data", SN_LANDLOCK_RO),
                                                  LL("/sys/class/video4linux", SN_LANDLOCK_RO), LL_END};
static const char *const camera_devices[] = {"/dev/video[0-9]*", "/dev/vchiq", NULL};

static const SnInterface camera = {
    .name = "camera",
    .summary = "allows access to all cameras",
    .implicit_on_core = true,
    .implicit_on_classic = true,
    .decl_slots = SLOT_CORE("camera") DENY_AUTO,
    .plug = {.apparmor =
                 "/dev/video[0-9]* rwk,\n/dev/vchiq rw,\n/sys/class/video4linux/ r,\n/run/udev/data/c81:[0-9]* r,\n",
             .landlock = camera_ll,
             .devices = camera_devices},
};

/* Landlock cannot name /dev/shm/pulse-shm-*: the whole of /dev/shm is writable with the grant. */
static const SnPolicyLandlockGrant pulse_shm_ll[] = {LL("/dev/shm", SN_LANDLOCK_RW), LL_END};
static const SnPolicyLandlockGrant pulse_client_ll[] = {LL("/dev/shm", SN_LANDLOCK_RW),
                                                        LL("/run/udev/data", SN_LANDLOCK_RO), LL_END};
/* The sound nodes snapd's permanent slot tags for udev (KERNEL=="controlC[0-9]*", "pcmC[0-9]*D[0-9]*[cp]",
 * "timer"): the device cgroup of the server's apps allows them. */
static const char *const sound_devices[] = {"/dev/snd/controlC[0-9]*", "/dev/snd/pcmC[0-9]*D[0-9]*[cp]",
                                            "/dev/snd/timer", NULL};

static const SnInterface audio_playback = {
    .name = "audio-playback",
    .summary = "allows audio playback via supporting services",
    .implicit_on_classic = true,
    .decl_slots = "  audio-playback:\n    allow-installation:\n      slot-snap-type:\n        - app\n        - core\n"
                  "    deny-connection:\n      on-classic: false\n",
    .plug = {.seccomp = "shmctl\n",
             .apparmor = "/{run,dev}/shm/pulse-shm-* mrwk,\nowner /{,var/}run/pulse/native rwk,\n"
                         "owner /{,var/}run/user/[0-9]*/pulse/native rwk,\n/etc/pulse/** r,\n"
                         "/run/udev/data/c116:[0-9]* r,\n/run/udev/data/+sound:card[0-9]* r,\n",
             .landlock = pulse_client_ll},
    /*
     * The audio server's side, snapd's permanent slot: the snap declaring the slot drives the sound
     * devices and serves the socket whether or not a client is connected. snapd connects nothing
     * more to the slot side.
     */
    .permanent_slot = {.seccomp = "personality\nsetpriority\nbind\nlisten\naccept\naccept4\nshmctl\nsetgroups\n"
                                  "setgroups32\nsocket AF_NETLINK - NETLINK_KOBJECT_UEVENT\n",
                       .apparmor = "capability setuid,\ncapability setgid,\ncapability sys_nice,\n"
                                   "capability sys_resource,\nowner @{PROC}/@{pid}/exe r,\n/etc/machine-id r,\n"
                                   "network netlink raw,\n/sys/devices/virtual/dmi/id/sys_vendor r,\n"
                                   "/sys/devices/virtual/dmi/id/bios_vendor r,\n/sys/**/sound/** r,\n"
                                   "owner /{,var/}run/pulse/ rw,\nowner /{,var/}run/pulse/** rwk,\n"
                                   "/{run,dev}/shm/pulse-shm-* mrwk,\nowner /run/user/[0-9]*/ r,\n"
                                   "owner /run/user/[0-9]*/pulse/ rw,\nowner /run/user/[0-9]*/pipewire-[0-9] rwk,\n"
                                   "/etc/pulse/ r,\n/etc/pulse/** r,\n",
                       .landlock = pulse_shm_ll,
                       .devices = sound_devices},
};

static const SnInterface content = {
    .name = "content",
    .summary = "allows sharing code and data with other snaps",
    .decl_slots = "  content:\n    allow-installation:\n      slot-snap-type:\n        - app\n        - gadget\n"
                  "        - kernel\n    allow-connection:\n      plug-attributes:\n        content: $SLOT(content)\n"
                  "    allow-auto-connection:\n      plug-publisher-id:\n        - $SLOT_PUBLISHER_ID\n"
                  "      plug-attributes:\n        content: $SLOT(content)\n",
    .sanitize_plug = sanitize_content_plug,
    .sanitize_slot = sanitize_content_slot,
    .plug_extra = extra_content_plug,
    .slot_extra = extra_content_slot,
};

const SnInterface *const sn_iface_builtin[] = {
    &audio_playback,
    &camera,
    &content,
    &gpio,
    &hardware_observe,
    &home,
    &i2c,
    &log_observe,
    &mount_observe,
    &network,
    &network_bind,
    &network_observe,
    &raw_usb,
    &removable_media,
    &serial_port,
    &shutdown_iface,
    &spi,
    &system_observe,
    NULL,
};
