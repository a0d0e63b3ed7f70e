#!/usr/bin/env bash
# Builds Hearth and runs every benchmark in one go, each figure beside the baseline it is judged
# against, then writes benchmarks/results.json, BENCHMARKS.md, benchmarks/latency.png and the
# performance table of README.md (between its marker lines).
#
#   benchmarks/run.sh           the full run, for publishing (JMH settings of the classes: 3 forks, 5x2 s + 10x2 s)
#   benchmarks/run.sh --quick   one fork, 3x1 s warm-up, 5x1 s measurement: under 10 minutes on 2 cores
#
# Needs java 17 or later and maven; installs redis-server, wrk and python3-matplotlib from Debian with
# apt-get when they are missing (and says so). Redis and the HTTP workers listen on 127.0.0.1 only
# and are stopped on exit, however the script ends.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
COMMAND="benchmarks/run.sh${*:+ $*}"
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

TMP=benchmarks/tmp
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
say() { echo "[run.sh] $*" >&2; }
rm -rf "$TMP"
mkdir -p "$TMP"
: > "$TMP/not-measured.tsv"
not_measured() { printf '%s\t%s\n' "$1" "$2" >> "$TMP/not-measured.tsv"; say "not measuring $1: $2"; }

# --- tools -------------------------------------------------------------------------------------
APT_READY=0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -n"
apt_install() { # apt_install PACKAGE: true when it got installed
  say "installing Debian package $1 with apt-get"
  if [ "$APT_READY" = 0 ]; then
    $SUDO apt-get update -qq >/dev/null 2>&1 || { say "apt-get update failed"; return 1; }
    APT_READY=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$1" >/dev/null 2>&1 || { say "apt-get install $1 failed"; return 1; }
}
have_redis=1; command -v redis-server >/dev/null || apt_install redis-server || have_redis=0
have_wrk=1; command -v wrk >/dev/null || apt_install wrk || have_wrk=0
PYTHON=/usr/bin/python3 # Debian's python, where python3-matplotlib installs (not a pyenv shim)
have_plot=1; "$PYTHON" -c 'import matplotlib' 2>/dev/null || apt_install python3-matplotlib || have_plot=0

# --- build -------------------------------------------------------------------------------------
MODULES=benchmarks
[ -f http/pom.xml ] && MODULES=benchmarks,http
say "building ($MODULES and what they need)"
mvn -B -q -pl "$MODULES" -am package -DskipTests
JAR=benchmarks/target/benchmarks.jar

# --- redis -------------------------------------------------------------------------------------
REDIS_PID=""
cleanup() {
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }

JMH_EXTRA=()
if [ "$have_redis" = 1 ]; then
  REDIS_PORT=$(free_port 6390)
  say "starting redis-server on 127.0.0.1:$REDIS_PORT, no persistence"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize no \
    --logfile "$ROOT/$TMP/redis.log" &
  REDIS_PID=$!
  for _ in $(seq 100); do
    port_free "$REDIS_PORT" || break
    sleep 0.1
  done
  if port_free "$REDIS_PORT"; then
    say "redis-server did not start (see $TMP/redis.log)"; have_redis=0
  else
    JMH_EXTRA+=("-Dhearth.redis.port=$REDIS_PORT")
  fi
fi
# HitPathProbe takes the read cache's hit path apart for a person looking into it; it reports no id.
JMH_ARGS=(-foe true -rf json -rff "$TMP/jmh.json" -e HitPathProbe)
if [ "$have_redis" = 0 ]; then
  for id in redis.incr redis.get redis.set lock.redis redis.lock.setnx lock.failover.redis; do
    not_measured "$id" "redis-server is not installed and could not be installed"
  done
  JMH_ARGS+=(-e RedisBenchmarks -e 'LockBenchmarks.redisLock' -e 'LockBenchmarks.jedisLock')
fi
[ "$QUICK" = 1 ] && JMH_ARGS+=(-f 1 -wi 3 -w 1s -i 5 -r 1s)

# --- JMH ---------------------------------------------------------------------------------------
# The jar's manifest carries the --add-exports/--add-opens Chronicle needs, Bench gives each fork the options of
# its Java version, and on Java 24 and later the harness itself gets the two more they need (jvm-options.sh).
# shellcheck source=../jvm-options.sh
source "$ROOT/jvm-options.sh"
hearth_jvm_options "$ROOT"
say "running JMH: java ${HEARTH_JVM_OPTIONS[*]} -jar $JAR ${JMH_ARGS[*]}"
java "${HEARTH_JVM_OPTIONS[@]}" -Dhearth.bench.dir="$ROOT/$TMP" "${JMH_EXTRA[@]}" -jar "$JAR" "${JMH_ARGS[@]}" 2>&1 | tee "$TMP/jmh.log"

# --- failover (not JMH: each sample is a leader's death) ---------------------------------------
KILLS=20
[ "$QUICK" = 1 ] && KILLS=10
say "measuring failover: $KILLS leaders killed per store"
: > "$TMP/failover.tsv"
java -cp "$JAR" io.hearth.internal.JvmOptions > "$TMP/jvm.args" # what a JVM opening a store needs, as an argument file
java @"$TMP/jvm.args" -cp "$JAR" io.hearth.bench.FailoverProbe "$TMP/failover.tsv" lock.failover.file "$ROOT/$TMP/failover.store" "$KILLS"
if [ "$have_redis" = 1 ]; then
  java @"$TMP/jvm.args" -cp "$JAR" io.hearth.bench.FailoverProbe "$TMP/failover.tsv" lock.failover.redis \
    "redis://127.0.0.1:$REDIS_PORT/0?prefix=failover:&lease=1s" "$KILLS"
fi
cleanup; REDIS_PID=""

# --- HTTP --------------------------------------------------------------------------------------
HTTP_ARGS=("$TMP")
[ "$QUICK" = 1 ] && HTTP_ARGS+=(--quick)
if [ "$have_wrk" = 0 ]; then
  for id in http.increment.rps http.constant.rps http.object.rps; do not_measured "$id" "wrk is not installed and could not be installed"; done
else
  benchmarks/http.sh "${HTTP_ARGS[@]}"
fi

# --- report ------------------------------------------------------------------------------------
{
  echo "\$ nproc"; nproc
  echo "\$ lscpu (excerpt)"; lscpu | grep -E '^(Architecture|CPU\(s\)|Model name|Thread\(s\) per core|Core\(s\) per socket|Socket\(s\)|Hypervisor vendor|L1d cache|L2 cache|L3 cache)' || true
  echo "\$ free -h"; free -h
  echo "\$ java -version"; java -version 2>&1
  echo "\$ uname -srm"; uname -srm
  [ "$have_redis" = 1 ] && { echo "\$ redis-server --version"; redis-server --version; }
  [ "$have_wrk" = 1 ] && { echo "\$ wrk -v"; wrk -v 2>&1 | head -1 || true; }
  echo "load average (1, 5, 15 min) at the start: $LOAD_AT_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$TMP/machine.txt"

WHEN=$(date -u +%Y-%m-%dT%H:%MZ)
java -cp "$JAR" io.hearth.bench.report.Report --jmh "$TMP/jmh.json" --http "$TMP/http.tsv" \
  --contention "$TMP/contention.tsv" --failover "$TMP/failover.tsv" --not-measured "$TMP/not-measured.tsv" --machine "$TMP/machine.txt" \
  --command "$COMMAND" --when "$WHEN" \
  --results benchmarks/results.json --markdown BENCHMARKS.md --plot benchmarks/latency.png
java -cp "$JAR" io.hearth.bench.report.ReadmeSummary benchmarks/results.json README.md "$COMMAND" "$WHEN"
if [ "$have_plot" = 1 ]; then
  "$PYTHON" benchmarks/plot.py benchmarks/results.json benchmarks/latency.png benchmarks/peers.png
else
  say "no plot: python3-matplotlib is not installed and could not be installed"
fi
say "wrote benchmarks/results.json, BENCHMARKS.md, benchmarks/latency.png and README.md's performance table"
