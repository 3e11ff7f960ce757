#!/bin/sh
# setup.sh [run|test|bench|build]: install what is missing on a Debian 12
# machine (apt-get), build the module, then run the examples or the tests.
#
#   ./setup.sh run     build, then nginx on 127.0.0.1:8080 serving conf/
#   ./setup.sh test    build, then the whole test suite
set -eu

cd "$(dirname "$0")"
top=$(pwd)

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

PKGS="build-essential nginx-core nginx-dev libssl-dev libicu-dev zlib1g-dev curl
      perl tini openssl
      libtest-base-perl libtext-diff-perl libtest-longstring-perl libwww-perl
      libhttp-message-perl libipc-run-perl liburi-perl liblist-moreutils-perl"

missing=
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"
    then
        missing="$missing $p"
    fi
done

updated=
apt_update() {
    if [ -z "$updated" ]; then
        $SUDO apt-get update -qq
        updated=1
    fi
}

if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    apt_update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing \
        >/dev/null
fi

# npm fetches the pinned JS packages the runtime embeds (shim/vendor.sh)
if ! command -v npm >/dev/null; then
    echo "setup: installing npm"
    apt_update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
fi

# V8 from Debian's libnode-dev.  Where a third-party nodejs package blocks it,
# unpack libnode into build/v8 instead (config finds it there).
arch=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)
if [ ! -e "/usr/lib/$arch/libnode.so" ] && [ ! -e "build/v8/usr/lib/$arch/libnode.so" ]
then
    apt_update
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
             libnode-dev >/dev/null 2>&1
    then
        echo "setup: libnode-dev is not installable here; unpacking it into build/v8"
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
            libicu72 libuv1 libc-ares2 libnghttp2-14 libbrotli1 zlib1g \
            libssl3 >/dev/null
        mkdir -p build/deb build/v8
        (cd build/deb && rm -f ./*.deb && apt-get download libnode108 libnode-dev \
             >/dev/null 2>&1) \
            || (cd build/deb && $SUDO apt-get download libnode108 libnode-dev)
        for deb in build/deb/*.deb; do dpkg -x "$deb" build/v8; done
    fi
fi

make -s all

case "${1:-build}" in
    run)   exec make -s run ;;
    test)  exec make -s test ;;
    bench) exec make -s bench ;;
    build) ;;
    *)     echo "usage: $0 [run|test|bench|build]" >&2; exit 2 ;;
esac
