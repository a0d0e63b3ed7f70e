#!/usr/bin/env bash
# Run by the build before the redis module's tests: they start Debian's redis-server on a free
# loopback port. Installs it when missing and running as root; otherwise fails saying what to install.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "redis-server is missing; installing Debian's redis-server for the redis module's tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends redis-server
    # The package may start a system service on 6379; the tests use their own servers on free ports.
    if command -v redis-server >/dev/null 2>&1; then
        exit 0
    fi
fi
echo "The redis module's tests need redis-server (Redis 7) on the PATH and it is missing." >&2
echo "Install it (Debian/Ubuntu: sudo apt-get install redis-server), or skip every test with -DskipTests." >&2
exit 1
