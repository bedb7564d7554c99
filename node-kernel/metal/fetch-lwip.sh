#!/bin/sh
# Fetches Debian's lwip source package into $1 (a directory under build/), once.
# Adds a deb-src entry for the same mirror as the binary packages if none exists,
# so `apt-get source` works; safe to run again (it does nothing when done).
set -e
dest=${1:?usage: fetch-lwip.sh DESTDIR}
[ -f "$dest/.fetched" ] && exit 0
if ! apt-get source --print-uris lwip >/dev/null 2>&1; then
    src=/etc/apt/sources.list.d/multiplicity-deb-src.sources
    if [ ! -f "$src" ]; then
        {
            echo "Types: deb-src"
            echo "URIs: http://deb.debian.org/debian"
            echo "Suites: bookworm bookworm-updates"
            echo "Components: main"
            echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
        } > "$src"
    fi
    apt-get update -qq
fi
command -v dpkg-source >/dev/null || \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
(cd "$dest.tmp" && apt-get source -qq lwip >/dev/null)
top=$(find "$dest.tmp" -mindepth 1 -maxdepth 1 -type d -name 'lwip-*' | head -n 1)
[ -n "$top" ] || { echo "fetch-lwip: no lwip source unpacked" >&2; exit 1; }
rm -rf "$dest" && mv "$top" "$dest" && rm -rf "$dest.tmp"
touch "$dest/.fetched"
