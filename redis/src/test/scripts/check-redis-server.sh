#!/usr/bin/env bash
# Run by the build before the redis module's tests, which start redis-server on free loopback
# ports. It only checks: a build installs nothing on the host (./test.sh at the root does that).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi
cat >&2 <<'MESSAGE'
check-redis-server.sh: redis-server is not on the PATH, and the Redis tests (modules redis and http)
need it. Install Debian's redis-server package (Redis 7), or run ./test.sh from the repository root
instead of mvn: it installs that package when it is missing and it runs as root, and otherwise says
what to install. -DskipTests skips every test and this check.
MESSAGE
exit 1
