#!/usr/bin/env bash
# Builds a start-up cache for Hearth's worker JVMs from one training run of the jar as it is built
# now: an AppCDS archive (Java 17 to 24) or an AOT cache (Java 25 and later), written to CACHE
# (default: http/target/hearth-http.jsa or .aot). Workers started with it need about a third less
# CPU to get warm (http/README.md, "How fast a worker starts"). ./run-workers.sh runs this itself,
# once per build of the jar and java (HEARTH_START_CACHE=off: never); run by hand, it prints the
# option to pass in HEARTH_WORKER_JAVA_OPTS. The JVM does not use a cache made for another jar
# (it says so in a warning and starts without it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/http/target/hearth-http-exec.jar"

fail() {
    echo "start-cache.sh: $*" >&2
    exit 2
}

if [[ $# -gt 1 || "${1:-}" == -* ]]; then
    sed -n '2,8p' "$0" | sed 's/^# //'
    echo "Usage: http/start-cache.sh [CACHE]  (the java on the PATH is the one the workers run; HEARTH_WORKER_JAVA_OPTS as you run them)"
    [[ "${1:-}" == -h || "${1:-}" == --help ]] && exit 0
    exit 2
fi
command -v java >/dev/null || fail "java is not on the PATH"
[[ -f "$JAR" ]] || fail "$JAR is missing: build it first (./run-workers.sh --help does, or mvn -DskipTests package -pl http -am)"

# shellcheck source=../jvm-options.sh
source "$ROOT/jvm-options.sh"
hearth_start_cache_kind
cache="${1:-$ROOT/http/target/hearth-http.$HEARTH_START_CACHE_SUFFIX}"
mkdir -p "$(dirname "$cache")" || fail "cannot make the folder of $cache"
cache="$(cd "$(dirname "$cache")" && pwd)/$(basename "$cache")"
# Written beside the cache, then moved over it: a worker starting meanwhile never maps half a cache.
partial="$cache.partial.$$"
training="$(mktemp -d)"
trap 'rm -rf "$training" "$partial"' EXIT

# One worker, no standby, on a port of its own and a store of its own: it opens the store, runs the
# warm-up requests (the same code a client's requests run), serves, and writes the cache as it stops.
HEARTH_WORKER_JAVA_OPTS="$HEARTH_START_CACHE_RECORD$partial ${HEARTH_WORKER_JAVA_OPTS:-}" \
    java -Xmx64m -XX:+UseSerialGC -jar "$JAR" -n 1 -k 0 -p 0 -s "$training/training.store" >"$training/out" 2>"$training/log" &
supervisor=$!
for _ in $(seq 1 600); do
    grep -q '^hearth: ' "$training/out" && break
    kill -0 "$supervisor" 2>/dev/null || { cat "$training/log" >&2; fail "the training run stopped before its worker served"; }
    sleep 0.1
done
grep -q '^hearth: ' "$training/out" || { kill "$supervisor"; fail "the training run's worker did not serve within 60 s"; }
kill -TERM "$supervisor" 2>/dev/null || true # it may have stopped by itself meanwhile
wait "$supervisor" || true
[[ -s "$partial" ]] || { cat "$training/log" >&2; fail "no cache was written to $cache"; }
mv -f "$partial" "$cache"
echo "start-cache.sh: wrote $cache for $JAR with $(java -version 2>&1 | head -1)"
echo "use it with: HEARTH_WORKER_JAVA_OPTS='$HEARTH_START_CACHE_USE$cache${HEARTH_WORKER_JAVA_OPTS:+ $HEARTH_WORKER_JAVA_OPTS}' ./run-workers.sh ..."
