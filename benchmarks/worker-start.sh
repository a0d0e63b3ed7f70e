#!/usr/bin/env bash
# What one worker JVM costs to start: runs the supervisor of http/target/hearth-http-exec.jar with one
# worker and one standby (-n 1 -k 1) on a fresh store, and once the standby is warm prints its CPU
# (utime + stime of /proc/PID/stat) and wall time from spawn to its "is warm" log line.
# Usage: benchmarks/worker-start.sh JAVA_HOME RUNS [worker JVM options...]
#   benchmarks/worker-start.sh /usr/lib/jvm/java-17-openjdk-amd64 3 -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
#   benchmarks/worker-start.sh /usr/lib/jvm/java-17-openjdk-amd64 3 -XX:SharedArchiveFile=http/target/hearth-http.jsa -Xmx128m ...
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/http/target/hearth-http-exec.jar"
[[ $# -ge 2 ]] || { sed -n '2,8p' "$0" | sed 's/^# //'; exit 2; }
java_home=$1; runs=$2; shift 2
[[ -f "$JAR" ]] || { echo "build $JAR first" >&2; exit 2; }
tick=$(getconf CLK_TCK)
boot=$(awk '/^btime/ {print $2}' /proc/stat)
for run in $(seq 1 "$runs"); do
    dir="$(mktemp -d)"
    port=$((20000 + RANDOM % 20000))
    HEARTH_WORKER_JAVA_OPTS="$*" "$java_home/bin/java" -Xmx64m -XX:+UseSerialGC -jar "$JAR" -n 1 -k 1 -p "$port" \
        -s "$dir/start.store" >"$dir/out" 2>"$dir/log" &
    supervisor=$!
    for _ in $(seq 1 1200); do
        grep -q '^hearth: standbys warm' "$dir/out" && break
        sleep 0.05
    done
    standby=$(sed -n 's/^hearth: standbys warm: 1 (pids \[\([0-9]*\)\]).*/\1/p' "$dir/out")
    if [[ -z "$standby" ]]; then echo "run $run: no standby got warm"; tail -5 "$dir/log"; kill "$supervisor"; exit 1; fi
    sleep 1 # it is idle once warm: the CPU it used is the start's
    read -r cpu started < <(awk -v T="$tick" '{printf "%.2f %d\n", ($14+$15)/T, $22}' "/proc/$standby/stat")
    warm_at=$(sed -n "s/^\([^ ]*\) \[supervisor [0-9]*\] INFO worker $standby (slot [0-9]*) is warm.*/\1/p" "$dir/log")
    wall=$(awk -v w="$(date -d "$warm_at" +%s.%N)" -v b="$boot" -v s="$started" -v T="$tick" 'BEGIN {printf "%.2f", w - (b + s / T)}')
    rss=$(awk '/^VmRSS/ {printf "%d MiB", $2 / 1024}' "/proc/$standby/status")
    echo "run $run: $("$java_home/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2) standby $standby: ${cpu} s CPU, ${wall} s wall from spawn to warm, $rss resident; options: $*"
    kill -TERM "$supervisor"; wait "$supervisor" || true
    rm -rf "$dir"
done
