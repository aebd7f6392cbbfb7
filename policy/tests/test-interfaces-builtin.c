/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "interfaces.h"

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
