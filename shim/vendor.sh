#!/bin/sh
# vendor.sh DIR: fetch the npm packages whose code the JS runtime embeds
# into DIR/NAME/ (once), each pinned to a version and to the sha512 of its
# tarball as the registry publishes it (`npm view NAME@VERSION
# dist.integrity`).  A tarball that does not match is refused.
#
#   web-streams-polyfill: WHATWG Streams, a port of the reference
#   implementation (MIT); js/25-streams.js includes dist/ponyfill.js.
#   urlpattern-polyfill: the URL Pattern Standard's URLPattern, kept with
#   the spec and its web-platform-tests (MIT); dist/urlpattern.cjs and
#   js/lib/urlpattern.js are the library js/lib/urlpattern (js/11-urlpattern.js).
set -eu

dir=$1

fetch() {
    name=$1 version=$2 integrity=$3
    pin="$name@$version $integrity"

    if [ -f "$dir/$name/.pinned" ] && [ "$(cat "$dir/$name/.pinned")" = "$pin" ]
    then
        return
    fi

    if ! command -v npm >/dev/null; then
        echo "vendor.sh: npm is needed to fetch $name@$version" \
             "(./setup.sh installs it)" >&2
        exit 1
    fi

    mkdir -p "$dir"
    tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT

    (cd "$tmp" && npm pack --silent --ignore-scripts "$name@$version" >/dev/null)
    tgz="$tmp/$name-$version.tgz"

    # integrity is "sha512-BASE64": compare as hex, with coreutils only
    want=$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -vtx1 \
           | tr -d ' \n')
    got=$(sha512sum "$tgz" | cut -d' ' -f1)
    if [ "$want" != "$got" ]; then
        echo "vendor.sh: $name@$version: the tarball's sha512 is not the" \
             "pinned one; refusing it" >&2
        exit 1
    fi

    mkdir "$tmp/x"
    tar -xzmf "$tgz" -C "$tmp/x"
    printf '%s\n' "$pin" > "$tmp/x/package/.pinned"
    rm -rf "$dir/$name"
    mv "$tmp/x/package" "$dir/$name"
    rm -rf "$tmp"
    trap - EXIT
    echo "vendor.sh: $name@$version checked and unpacked into $dir/$name"
}

fetch web-streams-polyfill 4.3.0 \
    sha512-/Gnggvj9oSrEvJbDyyPtAnxBt5fGQM2iWOKQNu7ie1OxDgK40iZpyV3TKaRiEzVj1oA1UxKnEy9XPXh6PW3eVw==
fetch urlpattern-polyfill 10.1.0 \
    sha512-IGjKp/o0NL3Bso1PymYURCJxMPNAf/ILOpendP9f5B6e1rTJgdgiOvgfoT8VxCAdY+Wisb9uhGaJJf3yZ2V9nw==
