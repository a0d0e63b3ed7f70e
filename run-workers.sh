#!/usr/bin/env bash
# Starts Hearth HTTP workers that share one port and one store (a file, or Redis), in the foreground.
# Builds the executable jar first when it is missing or older than the sources.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$ROOT/http/target/hearth-http-exec.jar"

usage() {
    cat <<EOF
Usage: ./run-workers.sh [-n WORKERS] [-k STANDBYS] [-p PORT] [-s STORE] [-b HOST]

Starts WORKERS Hearth HTTP worker processes that all serve one port (SO_REUSEPORT) and share one
store, like 'uvicorn --workers N': a file on this host, or Redis to share it with workers on other
hosts. A supervisor keeps STANDBYS more warmed up but not listening: when a worker dies, a standby
serves in its place within milliseconds, and a new standby starts. SIGHUP replaces every worker,
one at a time, dropping no request (a rebuilt jar is picked up); Ctrl-C or SIGTERM stops them all
gracefully (requests in flight finish). Stays in the foreground.

  -n WORKERS   worker processes (default: $(nproc), the number of cores)
  -k STANDBYS  warm standby processes (default: one per 4 cores, at least 1)
  -p PORT      TCP port every worker serves (default: 8080)
  -s STORE     store file path (default: data/hearth.store under the working directory, as for
               'java -jar http/target/hearth-http-exec.jar'), or
               redis://[:PASSWORD@]HOST:PORT/DB[?timeout=2s&prefix=hearth:&...] to keep it in Redis;
               while Redis is unreachable requests get 503 (within about the timeout), and the
               workers recover by themselves when it is back
  -b HOST      address to bind (default: 127.0.0.1, reachable from this host only)
  -h, --help   this text

Environment:
  HEARTH_TOKEN             if set, POST/PUT/PATCH/DELETE need 'Authorization: Bearer <token>'
  HEARTH_LOG_TOPICS        broadcast topics the workers log, comma-separated (default: reload)
  HEARTH_WORKER_JAVA_OPTS  extra JVM options for each worker, e.g. '-Xmx256m'
  HEARTH_START_CACHE       auto (default): the workers start from a start-up cache of the jar's
                           classes (AppCDS on Java 17 to 24, the AOT cache on 25 and later), built
                           by http/start-cache.sh into http/target/start-cache/ on the first start
                           after each build of the jar (or change of java or of the worker options),
                           a few seconds; off: no cache. Not made when HEARTH_WORKER_JAVA_OPTS names
                           a cache or -Xshare of its own

Examples:
  ./run-workers.sh -n 3 &
  ./run-workers.sh -n 2 -p 9000 -s 'redis://10.0.0.5:6379/0?timeout=500ms' &
  curl -X POST http://127.0.0.1:8080/increment
  curl http://127.0.0.1:8080/report
EOF
}

fail() {
    echo "run-workers.sh: $*" >&2
    exit 2
}

workers="$(nproc)"
standbys=$(( $(nproc) / 4 > 1 ? $(nproc) / 4 : 1 ))
port=8080
store="$PWD/data/hearth.store"
host=127.0.0.1

while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        -n|-k|-p|-s|-b)
            [[ $# -ge 2 ]] || fail "option $1 needs a value (see --help)"
            case "$1" in
                -n) workers="$2" ;;
                -k) standbys="$2" ;;
                -p) port="$2" ;;
                -s) store="$2" ;;
                -b) host="$2" ;;
            esac
            shift 2 ;;
        *) usage >&2; fail "unknown option '$1'" ;;
    esac
done

[[ "$workers" =~ ^[0-9]+$ && "$workers" -ge 1 ]] || fail "-n must be a whole number of at least 1, not '$workers'"
[[ "$standbys" =~ ^[0-9]+$ ]] || fail "-k must be a whole number, 0 or more, not '$standbys'"
[[ "$port" =~ ^[0-9]+$ && "$port" -le 65535 ]] || fail "-p must be a port number, not '$port'"
# A redis:// URI is checked strictly by the supervisor; never echo it, it may carry a password.
case "$store" in
    redis://*) ;;
    *://*) fail "store '${store%%://*}://...' is neither a file path nor a redis:// URI" ;;
esac

case "${HEARTH_START_CACHE:-auto}" in
    auto|off) ;;
    *) fail "HEARTH_START_CACHE must be auto or off, not '$HEARTH_START_CACHE'" ;;
esac

command -v java >/dev/null || fail "java (17 or later) is not on the PATH"
# The build's copy of the root pom's JVM option lists, which jvm-options.sh reads.
OPTIONS="$ROOT/core/target/classes/io/hearth/jvm-options.properties"
if [[ ! -f "$JAR" ]] || [[ ! -f "$OPTIONS" ]] || [[ -n "$(find "$ROOT/pom.xml" "$ROOT/core/pom.xml" "$ROOT/core/src/main" "$ROOT/file/pom.xml" "$ROOT/file/src/main" \
        "$ROOT/redis/pom.xml" "$ROOT/redis/src/main" "$ROOT/http/pom.xml" "$ROOT/http/src/main" -newer "$JAR" -print -quit)" ]]; then
    command -v mvn >/dev/null || fail "$JAR is missing or out of date, and mvn is not on the PATH to build it"
    echo "run-workers.sh: building $JAR" >&2
    # Maven's output goes to stderr: stdout carries the supervisor's lines only.
    (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests package -pl http -am) >&2
fi

# The jar's manifest carries the --add-exports/--add-opens Chronicle needs; Java 24 and later need two more
# options (jvm-options.sh). The supervisor passes its own Java version's options on to each worker.
# shellcheck source=jvm-options.sh
source "$ROOT/jvm-options.sh"
hearth_jvm_options "$ROOT" || fail "cannot tell which JVM options this java needs (see above)"

# The start-up cache: about a third less CPU for every worker start, and so replacements and SIGHUP
# restarts sooner. It belongs to one jar, one java and one set of worker options, so its name is a
# hash of all three: a rebuild or another java makes a new one. A SIGHUP after a rebuild starts the
# new jar's workers without one (the JVM warns and ignores a cache made for another jar) until the
# next ./run-workers.sh. If it cannot be made, the workers start without it.
case "${HEARTH_START_CACHE:-auto}" in
    off) ;;
    auto)
        if [[ " ${HEARTH_WORKER_JAVA_OPTS:-} " =~ -XX:(SharedArchiveFile|AOTCache|AOTMode|ArchiveClassesAtExit|AOTCacheOutput)|-Xshare ]]; then
            echo "run-workers.sh: HEARTH_WORKER_JAVA_OPTS names a start-up cache of its own; not making one" >&2
        else
            hearth_start_cache_kind
            key=$( { java -version 2>&1; readlink -f "$(command -v java)"; stat -c '%s %Y' "$JAR"; echo "${HEARTH_WORKER_JAVA_OPTS:-}"; } \
                | sha256sum | cut -c1-16)
            cache="$ROOT/http/target/start-cache/hearth-http-$key.$HEARTH_START_CACHE_SUFFIX"
            mkdir -p "$(dirname "$cache")" 2>/dev/null || true
            if [[ ! -s "$cache" && ! -w "$(dirname "$cache")" ]]; then
                echo "run-workers.sh: cannot write $(dirname "$cache"); the workers start without a start-up cache" >&2
            elif [[ ! -s "$cache" ]]; then
                echo "run-workers.sh: making the workers' start-up cache $cache (once per build of the jar, java" \
                    "and HEARTH_WORKER_JAVA_OPTS; HEARTH_START_CACHE=off skips it)" >&2
                # Those made for older builds of the jar are older than it.
                find "$ROOT/http/target/start-cache" -name 'hearth-http-*' ! -newer "$JAR" -delete 2>/dev/null || true
                "$ROOT/http/start-cache.sh" "$cache" >/dev/null \
                    || echo "run-workers.sh: could not make the start-up cache (above); the workers start without it" >&2
            fi
            if [[ -s "$cache" ]]; then
                export HEARTH_WORKER_JAVA_OPTS="$HEARTH_START_CACHE_USE$cache${HEARTH_WORKER_JAVA_OPTS:+ $HEARTH_WORKER_JAVA_OPTS}"
            fi
        fi ;;
esac
# exec: the supervisor gets Ctrl-C and SIGTERM itself, and passes them on to the workers.
exec java "${HEARTH_JVM_OPTIONS[@]}" -Xmx64m -XX:+UseSerialGC -jar "$JAR" -n "$workers" -k "$standbys" -p "$port" -s "$store" -b "$host"
