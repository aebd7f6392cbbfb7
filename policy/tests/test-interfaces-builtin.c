/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/quota.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interfaces.h"
#include "seccomp-compile.h"
#include "strutil.h"

static int slot_check(const char *iface, const char *name, const char *json, char *msg, size_t size)
{
    json_t *a = json_loads(json, 0, NULL);
    cr_assert_not_null(a, "bad test json %s", json);
    SnError *err = NULL;
    int r = sn_iface_sanitize_slot(sn_iface_lookup(iface), name, a, &err);
    snprintf(msg, size, "%s", err ? err->message : "");
    sn_error_free(err);
    json_decref(a);
    return r;
}

static int plug_check(const char *iface, const char *name, const char *json, char *msg, size_t size)
{
    json_t *a = json_loads(json, 0, NULL);
    SnError *err = NULL;
    int r = sn_iface_sanitize_plug(sn_iface_lookup(iface), name, a, &err);
    snprintf(msg, size, "%s", err ? err->message : "");
    sn_error_free(err);
    json_decref(a);
    return r;
}

Test(interfaces_builtin, serial_port_slots_need_a_device_path)
{
    char m[256];
    cr_assert_eq(slot_check("serial-port", "s", "{\"path\":\"/dev/ttyS0\"}", m, sizeof(m)), 0);
    cr_assert_eq(slot_check("serial-port", "s", "{\"path\":\"/dev/ttyUSB12\"}", m, sizeof(m)), 0);
    cr_assert_eq(slot_check("serial-port", "s", "{}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "serial-port slot must have a path attribute");
    cr_assert_eq(slot_check("serial-port", "s", "{\"path\":\"/dev/sda\"}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "serial-port path attribute must be a valid device node");
    cr_assert_eq(slot_check("serial-port", "s", "{\"path\":\"/dev/ttyS0/../sda\"}", m, sizeof(m)), -EINVAL);
    /* USB-matched: a udev symlink path and a vendor/product pair in range. */
    cr_assert_eq(slot_check("serial-port", "s",
                            "{\"path\":\"/dev/serial-port-zigbee\",\"usb-vendor\":4292,\"usb-product\":60000}", m,
                            sizeof(m)),
                 0);
    cr_assert_eq(
        slot_check("serial-port", "s", "{\"path\":\"/dev/ttyUSB0\",\"usb-vendor\":1,\"usb-product\":1}", m, sizeof(m)),
        -EINVAL);
    cr_assert_str_eq(m, "serial-port path attribute specifies invalid symlink location");
    cr_assert_eq(slot_check("serial-port", "s", "{\"path\":\"/dev/serial-port-a\",\"usb-vendor\":0,\"usb-product\":1}",
                            m, sizeof(m)),
                 -EINVAL);
    cr_assert_str_eq(m, "serial-port usb-vendor attribute not valid: 0");
}

Test(interfaces_builtin, i2c_spi_and_gpio_slot_attributes)
{
    char m[256];
    cr_assert_eq(slot_check("i2c", "i", "{\"path\":\"/dev/i2c-1\"}", m, sizeof(m)), 0);
    cr_assert_eq(slot_check("i2c", "i", "{\"sysfs-name\":\"1-0050\"}", m, sizeof(m)), 0);
    cr_assert_eq(slot_check("i2c", "i", "{\"path\":\"/dev/i2c-x\"}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "i2c path attribute must be a valid device node");
    cr_assert_eq(slot_check("i2c", "i", "{\"sysfs-name\":\"a\",\"path\":\"/dev/i2c-1\"}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "i2c slot can only use path or sysfs-name");
    cr_assert_eq(slot_check("i2c", "i", "{}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "i2c slot must have a path or sysfs-name attribute");
    cr_assert_eq(slot_check("spi", "s", "{\"path\":\"/dev/spidev0.1\"}", m, sizeof(m)), 0);
    cr_assert_eq(slot_check("spi", "s", "{\"path\":\"/dev/spidev0\"}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "\"/dev/spidev0\" is not a valid SPI device");
    cr_assert_eq(slot_check("gpio", "g", "{\"number\":4}", m, sizeof(m)), 0);
    cr_assert_eq(slot_check("gpio", "g", "{}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "gpio slot must have a number attribute");
    cr_assert_eq(slot_check("gpio", "g", "{\"number\":\"4\"}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "gpio slot number attribute must be an int");
}

Test(interfaces_builtin, content_slots_and_plugs)
{
    char m[256];
    json_t *a = json_loads("{\"read\":[\"$SNAP/share\"]}", 0, NULL);
    cr_assert_eq(sn_iface_sanitize_slot(sn_iface_lookup("content"), "fonts", a, NULL), 0);
    cr_assert_str_eq(json_string_value(json_object_get(a, "content")), "fonts", "content defaults to the slot's name");
    json_decref(a);
    cr_assert_eq(slot_check("content", "c", "{}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "read or write path must be set");
    cr_assert_eq(slot_check("content", "c", "{\"read\":[\"$SNAP/../etc\"]}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "content interface path is not clean: \"$SNAP/../etc\"");
    cr_assert_eq(slot_check("content", "c", "{\"write\":[\"$SNAP_DATA/a*\"]}", m, sizeof(m)), -EINVAL);
    cr_assert_eq(slot_check("content", "c", "{\"source\":{\"read\":[\"x\"]},\"read\":[\"y\"]}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "move the \"read\" attribute into the \"source\" section");
    cr_assert_eq(
        slot_check("content", "c", "{\"content\":\"a\",\"compatibility\":\"b\",\"read\":[\"x\"]}", m, sizeof(m)),
        -EINVAL);
    cr_assert_str_eq(m, "cannot have both content and compatibility labels");
    cr_assert_eq(plug_check("content", "p", "{\"target\":\"$SNAP/ext\"}", m, sizeof(m)), 0);
    cr_assert_eq(plug_check("content", "p", "{}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "content plug must contain target path");
    cr_assert_eq(plug_check("content", "p", "{\"target\":\"ext/\"}", m, sizeof(m)), -EINVAL);
}

Test(interfaces_builtin, home_read_must_be_all)
{
    char m[256];
    cr_assert_eq(plug_check("home", "home", "{}", m, sizeof(m)), 0);
    cr_assert_eq(plug_check("home", "home", "{\"read\":\"all\"}", m, sizeof(m)), 0);
    cr_assert_eq(plug_check("home", "home", "{\"read\":\"some\"}", m, sizeof(m)), -EINVAL);
    cr_assert_str_eq(m, "home plug requires \"read\" be 'all'");
    cr_assert_eq(plug_check("home", "home", "[]", m, sizeof(m)), -EINVAL);
}

Test(interfaces_builtin, static_interfaces_accept_any_attributes)
{
    char m[256];
    const char *names[] = {"network", "network-bind", "log-observe", "raw-usb", "camera", "shutdown"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        cr_assert_eq(plug_check(names[i], "p", "{\"x\":1}", m, sizeof(m)), 0);
        cr_assert_eq(slot_check(names[i], "s", "{}", m, sizeof(m)), 0);
    }
}

/* ---- grants ---- */

/* Slot attributes that satisfy each attribute-driven interface; {} for the rest. */
static const char *slot_attrs_for(const char *iface)
{
    if (SN_STREQ(iface, "serial-port"))
        return "{\"path\":\"/dev/ttyS9\"}";
    if (SN_STREQ(iface, "i2c"))
        return "{\"path\":\"/dev/i2c-9\"}";
    if (SN_STREQ(iface, "spi"))
        return "{\"path\":\"/dev/spidev9.0\"}";
    if (SN_STREQ(iface, "gpio"))
        return "{\"number\":9}";
    if (SN_STREQ(iface, "content"))
        return "{\"content\":\"c\",\"read\":[\"$SNAP/share\"],\"write\":[\"$SNAP_DATA/drop\"]}";
    return "{}";
}

/* The grants of one connection of iface to the plug's snap (or the slot's, for_slot). */
static SnIfaceGrants *grants_of(const char *iface, bool for_slot, const SnIfaceContext *ctx, json_t *slot_attrs)
{
    json_t *pa =
        json_loads(SN_STREQ(iface, "content") ? "{\"content\":\"c\",\"target\":\"$SNAP/ext\"}" : "{}", 0, NULL);
    json_t *sa = slot_attrs ? json_incref(slot_attrs) : json_loads(slot_attrs_for(iface), 0, NULL);
    SnIfaceEnd plug = {
        .snap = "app", .name = "p", .interface = iface, .snap_type = "app", .revision = "x1", .attrs = pa};
    SnIfaceEnd slot = {
        .snap = "provider", .name = "s", .interface = iface, .snap_type = "gadget", .revision = "3", .attrs = sa};
    SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    SnError *err = NULL;
    int r = sn_iface_grants_add(g, ctx, &plug, &slot, for_slot, &err);
    cr_assert_eq(r, 0, "%s: %s", iface, err ? err->message : "");
    json_decref(pa);
    json_decref(sa);
    return g;
}

Test(interfaces_builtin, every_interface_builds_a_blob_and_profile_on_both_sides)
{
    for (const SnInterface *const *i = sn_iface_all(); *i; i++) {
        const char *name = sn_iface_name(*i);
        for (int side = 0; side < 2; side++) {
            _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = grants_of(name, side, NULL, NULL);
            size_t n = 0;
            const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
            SnPolicyInput in = {.snap_name = side ? "provider" : "app",
                                .app = "a",
                                .command = "bin/a",
                                .revision = "1",
                                .grants = grants,
                                .n_grants = n};
            _sn_free_ void *data = NULL;
            _sn_free_ char *aa = NULL;
            size_t len = 0;
            SnError *err = NULL;
            cr_assert_eq(sn_policy_build_blob(&in, &data, &len, &err), 0, "%s (%s side): %s", name,
                         side ? "slot" : "plug", err ? err->message : "");
            cr_assert_eq(sn_policy_apparmor_profile(&in, &aa, &err), 0, "%s: %s", name, err ? err->message : "");
        }
    }
}

/* The template plus what iface grants its plug, compiled. */
static SnSeccompProgram compile_with(const char *iface)
{
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = iface ? grants_of(iface, false, NULL, NULL) : NULL;
    size_t n = 0;
    const SnPolicyGrant *grants = g ? sn_iface_grants_get(g, &n) : NULL;
    _sn_free_ char *src =
        sn_strdup_printf("%s\n%s\n", sn_seccomp_default_template, n && grants[0].seccomp ? grants[0].seccomp : "");
    SnSeccompProgram p = {0};
    SnError *err = NULL;
    cr_assert_eq(sn_seccomp_compile(src, &p, &err), 0, "%s: %s", iface, err ? err->message : "");
    return p;
}

/* Runs probe under p in a child (deny then allow filter, as snap-confine loads them); its exit status. */
static int run_confined(const SnSeccompProgram *p, int (*probe)(void))
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct sock_fprog deny = {.len = (unsigned short)p->n_deny, .filter = p->deny};
        struct sock_fprog allow = {.len = (unsigned short)p->n_allow, .filter = p->allow};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &deny) < 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &allow) < 0)
            _exit(100);
        _exit(probe());
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* 0: the call reached the kernel; 1: seccomp refused it (EPERM). */
static int netlink_result(int proto)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
    if (fd >= 0)
        close(fd);
    return fd < 0 && errno == EPERM ? 1 : 0;
}

static int probe_sock_diag(void)
{
    return netlink_result(4 /* NETLINK_SOCK_DIAG */);
}

static int probe_uevent(void)
{
    return netlink_result(NETLINK_KOBJECT_UEVENT);
}

static int probe_generic(void)
{
    return netlink_result(NETLINK_GENERIC);
}

Test(interfaces_builtin, observe_interfaces_allow_their_netlink_families_only_when_connected)
{
    SnSeccompProgram none = compile_with(NULL), net = compile_with("network-observe"),
                     hw = compile_with("hardware-observe"), usb = compile_with("raw-usb");
    cr_assert_eq(run_confined(&none, probe_sock_diag), 1, "sock_diag is not in the template");
    cr_assert_eq(run_confined(&none, probe_uevent), 1);
    cr_assert_eq(run_confined(&none, probe_generic), 1);
    cr_assert_eq(run_confined(&net, probe_sock_diag), 0, "network-observe grants NETLINK_INET_DIAG (ss)");
    cr_assert_eq(run_confined(&net, probe_uevent), 0);
    cr_assert_eq(run_confined(&net, probe_generic), 0);
    cr_assert_eq(run_confined(&hw, probe_sock_diag), 1, "hardware-observe does not grant sock_diag");
    cr_assert_eq(run_confined(&hw, probe_uevent), 0);
    cr_assert_eq(run_confined(&hw, probe_generic), 0);
    cr_assert_eq(run_confined(&usb, probe_uevent), 0, "raw-usb grants uevents");
    cr_assert_eq(run_confined(&usb, probe_generic), 1);
    sn_seccomp_program_done(&none);
    sn_seccomp_program_done(&net);
    sn_seccomp_program_done(&hw);
    sn_seccomp_program_done(&usb);
}

/* QCMD() without its signed-int overflow: the command is a bit pattern with the top bit set. */
static int qcmd(unsigned cmd, unsigned type)
{
    return (int)((cmd << SUBCMDSHIFT) | (type & SUBCMDMASK));
}

/* 0: the quota command reached the kernel (which answers ENOENT for the missing device); 1: EPERM. */
static int quota_result(int cmd)
{
    char buf[128];
    long r = syscall(SYS_quotactl, cmd, "/nonexistent-sn-quota-dev", 0, buf);
    return r < 0 && errno == EPERM ? 1 : 0;
}

static int probe_quota_reads(void)
{
    if (quota_result(qcmd(Q_GETFMT, USRQUOTA)))
        return 1;
    if (quota_result(qcmd(Q_GETQUOTA, GRPQUOTA)))
        return 2;
    if (quota_result(qcmd(Q_GETINFO, PRJQUOTA)))
        return 3;
    return 0;
}

static int probe_quota_on(void)
{
    return quota_result(qcmd(Q_QUOTAON, USRQUOTA)) ? 1 : 0;
}

Test(interfaces_builtin, mount_observe_allows_quota_queries_as_the_kernel_encodes_them)
{
    SnSeccompProgram none = compile_with(NULL), mo = compile_with("mount-observe");
    cr_assert_eq(run_confined(&none, probe_quota_reads), 1, "quotactl is not in the template");
    cr_assert_eq(run_confined(&mo, probe_quota_reads), 0, "QCMD(Q_GET*, type) must match the grant");
    cr_assert_eq(run_confined(&mo, probe_quota_on), 1, "Q_QUOTAON stays refused");
    sn_seccomp_program_done(&none);
    sn_seccomp_program_done(&mo);
}

static const SnPolicyGrant *only_grant(const SnIfaceGrants *g)
{
    size_t n = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(n, 1);
    return &grants[0];
}

static bool has_landlock(const SnPolicyGrant *g, const char *path, uint64_t access)
{
    for (size_t i = 0; i < g->n_landlock; i++)
        if (SN_STREQ(g->landlock[i].path, path) && (g->landlock[i].access & access) == access)
            return true;
    return false;
}

Test(interfaces_builtin, system_observe_and_shutdown_grant_no_syscalls)
{
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *so = grants_of("system-observe", false, NULL, NULL);
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *sd = grants_of("shutdown", false, NULL, NULL);
    cr_assert_null(only_grant(so)->seccomp);
    cr_assert_not_null(strstr(only_grant(so)->apparmor, "ptrace (read),"));
    cr_assert_null(only_grant(sd)->seccomp);
    cr_assert_eq(only_grant(sd)->n_landlock, 0);
    cr_assert_not_null(strstr(only_grant(sd)->apparmor, "member={Reboot,PowerOff,Halt}"));
    cr_assert_not_null(strstr(only_grant(sd)->apparmor, "ScheduleShutdown"));
}

Test(interfaces_builtin, mount_observe_and_audio_playback_landlock_paths)
{
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *mo = grants_of("mount-observe", false, NULL, NULL);
    cr_assert(has_landlock(only_grant(mo), "/run/mount", SN_LANDLOCK_RO));
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *ap = grants_of("audio-playback", false, NULL, NULL);
    cr_assert(has_landlock(only_grant(ap), "/dev/shm", SN_LANDLOCK_MAKE_REG | SN_LANDLOCK_WRITE_FILE));
    cr_assert(has_landlock(only_grant(ap), "/run/udev/data", SN_LANDLOCK_RO));
    cr_assert_not(has_landlock(only_grant(ap), "/run/udev/data", SN_LANDLOCK_WRITE_FILE));
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *no = grants_of("network-observe", false, NULL, NULL);
    cr_assert(has_landlock(only_grant(no), "/run/systemd/resolve", SN_LANDLOCK_RO));
}

Test(interfaces_builtin, spi_grants_the_sysfs_attributes_of_its_device)
{
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = grants_of("spi", false, NULL, NULL);
    const SnPolicyGrant *gr = only_grant(g);
    cr_assert(has_landlock(gr, "/sys/class/spidev/spidev9.0", SN_LANDLOCK_RO | SN_LANDLOCK_WRITE_FILE));
    cr_assert_not(has_landlock(gr, "/sys/class/spidev/spidev9.0", SN_LANDLOCK_MAKE_REG));
    cr_assert_not_null(strstr(gr->apparmor, "/dev/spidev9.0 rwk,"));
    cr_assert_not_null(strstr(gr->apparmor, "/sys/devices/platform/**/**.spi/**/spidev9.0/** rw,"));
    cr_assert_eq(gr->n_devices, 0, "no /dev/spidev9.0 here: no device rule");
}

Test(interfaces_builtin, gpio_rule_follows_the_exported_pins_symlink)
{
    char tmpl[] = "/tmp/sn-iface-gpio-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    _sn_free_ char *cmd = sn_strdup_printf("mkdir -p %s/sys/class/gpio %s/sys/devices/platform/chip/gpio/gpio9 && "
                                           "ln -s ../../devices/platform/chip/gpio/gpio9 %s/sys/class/gpio/gpio9",
                                           tmpl, tmpl, tmpl);
    cr_assert_eq(system(cmd), 0);
    SnIfaceContext ctx = {.root = tmpl};
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = grants_of("gpio", false, &ctx, NULL);
    const SnPolicyGrant *gr = only_grant(g);
    cr_assert_not_null(strstr(gr->apparmor, "/sys/devices/platform/chip/gpio/gpio9/* rwk,\n"), "%s", gr->apparmor);
    cr_assert_not_null(strstr(gr->apparmor, "/sys/class/gpio/gpio9/* rwk,"));
    cr_assert(has_landlock(gr, "/sys/class/gpio/gpio9", SN_LANDLOCK_WRITE_FILE));
    /* The same with a root spelled with a trailing slash; the host's root has no such pin. */
    _sn_free_ char *slashed = sn_strdup_printf("%s/", tmpl);
    SnIfaceContext ctx2 = {.root = slashed}, host = {.root = "/"};
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g3 = grants_of("gpio", false, &ctx2, NULL);
    cr_assert_str_eq(only_grant(g3)->apparmor, gr->apparmor);
    if (access("/sys/class/gpio/gpio9", F_OK) < 0) {
        _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g4 = grants_of("gpio", false, &host, NULL);
        cr_assert_str_eq(only_grant(g4)->apparmor, "/sys/class/gpio/gpio9/* rwk,\n");
    }
    /* A pin that is not exported keeps only the class path. */
    json_t *other = json_pack("{s:i}", "number", 10);
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g2 = grants_of("gpio", false, &ctx, other);
    json_decref(other);
    cr_assert_str_eq(only_grant(g2)->apparmor, "/sys/class/gpio/gpio10/* rwk,\n");
    _sn_free_ char *rm = sn_strdup_printf("rm -rf %s", tmpl);
    cr_assert_eq(system(rm), 0);
}
