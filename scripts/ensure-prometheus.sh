#!/usr/bin/env bash
# Make `prometheus` and `promtool` available for the deploy tests (tests/deploy).
#
# Idempotent: binaries already on PATH are used as they are. Otherwise Debian's `prometheus`
# package is installed (it ships both binaries). The package's own service is neither started
# nor enabled: the tests run their own Prometheus on a temporary directory and a free port.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-prometheus: prometheus/promtool not on PATH and no apt-get here;" \
         "install Prometheus 2.x (both binaries) by hand" >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

echo "ensure-prometheus: installing Debian package 'prometheus' (promtool + prometheus)" >&2
# policy-rc.d answering 101 stops the package's maintainer scripts from starting the service
# (there is usually no init system here anyway; this makes it certain).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    created_policy=1
fi
cleanup() {
    if [ "$created_policy" -eq 1 ]; then
        $sudo rm -f "$policy"
    fi
}
trap cleanup EXIT

apt_get() {
    # Through env: sudo would drop an exported DEBIAN_FRONTEND.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}
if ! apt_get install -y --no-install-recommends prometheus; then
    # A fresh machine may have no package lists yet.
    apt_get update
    apt_get install -y --no-install-recommends prometheus
fi

# On a host booted with systemd the package also enables its service for the next boot: undo
# that, the tests need only the binaries.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi

command -v prometheus >/dev/null && command -v promtool >/dev/null
