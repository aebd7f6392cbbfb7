#!/bin/sh
# meson install script (-Dsnap_confine_privileges=file-capabilities): gives the installed
# snap-confine its permitted file capabilities and checks they stuck.
#   setcap-snap-confine.sh ABSOLUTE-INSTALLED-PATH CAPS   (CAPS: "cap_a,cap_b=p", from confine/meson.build)
# The file is $DESTDIR$path. setcap needs root (CAP_SETFCAP) and a filesystem with security xattrs:
# without them the install fails rather than leaving a helper that cannot run.
set -eu
path="${DESTDIR:-}$1"
caps="$2"
if [ -n "${MESON_INSTALL_DRY_RUN:-}" ]; then
    echo "would run: setcap $caps $path"
    exit 0
fi
PATH="$PATH:/usr/sbin:/sbin"
if ! command -v setcap >/dev/null 2>&1; then
    echo "setcap-snap-confine.sh: setcap not found (Debian: libcap2-bin)" >&2
    exit 1
fi
chmod 0755 "$path"
setcap "$caps" "$path"
setcap -v "$caps" "$path" >/dev/null
echo "snap-confine: $(getcap "$path")"
