#!/usr/bin/env bash
# Builds a start-up cache for Hearth's worker JVMs from one training run of the jar as it is built
# now: an AppCDS archive (Java 17 to 24: http/target/hearth-http.jsa) or an AOT cache (Java 25 and
# later: http/target/hearth-http.aot). Workers started with it need about half the CPU to get warm
# (http/README.md, "How fast a worker starts"). Opt-in: nothing uses it unless you pass the option
# this script prints in HEARTH_WORKER_JAVA_OPTS. Run it again after every build of the jar: the JVM
# does not use a cache made for another jar (Java 17 says so in a warning and starts without it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/http/target/hearth-http-exec.jar"

fail() {
    echo "start-cache.sh: $*" >&2
    exit 2
}

[[ $# -eq 0 ]] || { sed -n '2,7p' "$0" | sed 's/^# //'; echo "Usage: http/start-cache.sh  (the java on the PATH is the one the workers run; HEARTH_WORKER_JAVA_OPTS as you run them)"; exit 0; }
command -v java >/dev/null || fail "java is not on the PATH"
[[ -f "$JAR" ]] || fail "$JAR is missing: build it first (./run-workers.sh --help does, or mvn -DskipTests package -pl http -am)"

if java -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then
    cache="$ROOT/http/target/hearth-http.aot"; record="-XX:AOTCacheOutput=$cache"; use="-XX:AOTCache=$cache"
else
    cache="$ROOT/http/target/hearth-http.jsa"; record="-XX:ArchiveClassesAtExit=$cache"; use="-XX:SharedArchiveFile=$cache"
fi
rm -f "$cache"
training="$(mktemp -d)"
trap 'rm -rf "$training"' EXIT

# One worker, no standby, on a port of its own and a store of its own: it opens the store, runs the
# warm-up requests (the same code a client's requests run), serves, and writes the cache as it stops.
HEARTH_WORKER_JAVA_OPTS="$record ${HEARTH_WORKER_JAVA_OPTS:-}" \
    java -Xmx64m -XX:+UseSerialGC -jar "$JAR" -n 1 -k 0 -p 0 -s "$training/training.store" >"$training/out" 2>"$training/log" &
supervisor=$!
for _ in $(seq 1 600); do
    grep -q '^hearth: ' "$training/out" && break
    kill -0 "$supervisor" 2>/dev/null || { cat "$training/log" >&2; fail "the training run stopped before its worker served"; }
    sleep 0.1
done
grep -q '^hearth: ' "$training/out" || { kill "$supervisor"; fail "the training run's worker did not serve within 60 s"; }
kill -TERM "$supervisor"
wait "$supervisor" || true
[[ -s "$cache" ]] || { cat "$training/log" >&2; fail "no cache was written to $cache"; }
echo "start-cache.sh: wrote $cache for $JAR with $(java -version 2>&1 | head -1)"
echo "use it with: HEARTH_WORKER_JAVA_OPTS='$use${HEARTH_WORKER_JAVA_OPTS:+ $HEARTH_WORKER_JAVA_OPTS}' ./run-workers.sh ..."
