#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need when it is missing, then runs
# mvn -B -ntp verify from the repository root with this script's arguments (./test.sh -pl redis -am).
# The build itself installs nothing; it only checks, and fails saying what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

say() {
    echo "test.sh: $*" >&2
}

# The Redis tests (modules redis and http) start Debian's redis-server on free loopback ports.
if ! command -v redis-server >/dev/null 2>&1; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "redis-server is missing; installing Debian's redis-server package:" \
            "apt-get update, apt-get install -y --no-install-recommends redis-server"
        export DEBIAN_FRONTEND=noninteractive
        # stdout is Maven's alone; apt-get's lines go with ours to stderr.
        apt-get update -q >&2
        apt-get install -y -q --no-install-recommends redis-server >&2
        # The package may also start a system service on 6379; the tests use servers of their own.
        if ! command -v redis-server >/dev/null 2>&1; then
            say "installed redis-server, but it is still not on the PATH ($PATH)"
            exit 1
        fi
    else
        say "the tests need redis-server (Redis 7) on the PATH and it is missing; install it with"
        say "    sudo apt-get install redis-server"
        say "(Debian, Ubuntu), then run ./test.sh again. Run as root with apt-get, ./test.sh does it itself."
        exit 1
    fi
fi

if ! command -v mvn >/dev/null 2>&1; then
    say "mvn (Maven 3.8 or later) is not on the PATH; install it, then run ./test.sh again"
    exit 1
fi
exec mvn -B -ntp verify "$@"
