#!/usr/bin/env bash
# Make `bwrap` (bubblewrap) available: the code_interpreter sandbox and its tests (tests/sandbox)
# need it, and refuse to run code without it.
#
# Idempotent: a bwrap already on PATH is used as it is. Otherwise Debian's `bubblewrap` package
# is installed (apt-get update first only if the install fails, e.g. on a fresh machine).
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-bubblewrap: bwrap not on PATH and no apt-get here;" \
         "install bubblewrap (https://github.com/containers/bubblewrap) by hand" >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

apt_get() {
    # Through env: sudo would drop an exported DEBIAN_FRONTEND.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}

echo "ensure-bubblewrap: installing Debian package 'bubblewrap'" >&2
if ! apt_get install -y --no-install-recommends bubblewrap; then
    apt_get update
    apt_get install -y --no-install-recommends bubblewrap
fi

command -v bwrap >/dev/null
