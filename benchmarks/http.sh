#!/usr/bin/env bash
# The HTTP part of run.sh: starts the http module's workers on 127.0.0.1 with ./run-workers.sh,
# drives them with wrk in alternating, time-bounded rounds (GET /livez, POST /increment, GET of a
# 106-byte object), and appends one line
# "id TAB requests/s" per round to TMP/http.tsv. Where it cannot measure, it writes the reason to
# TMP/not-measured.tsv instead, and never a figure.
#
#   benchmarks/http.sh TMP [--quick]
#
# Environment: HTTP_WORKERS (default 2, one per core), HTTP_CONSTANT_PATH (default /livez: the
# route that does no store work), HTTP_CONNECTIONS (default 16).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TMP=$1
QUICK=0
[ "${2:-}" = --quick ] && QUICK=1
WORKERS=${HTTP_WORKERS:-2}
CONSTANT_PATH=${HTTP_CONSTANT_PATH:-/livez}
CONNECTIONS=${HTTP_CONNECTIONS:-16}
# Enough rounds for a 99.9% half-width that means something (Student t is 31.6 at 3 rounds, 5.4 at 8, 4.4 at 12).
if [ "$QUICK" = 1 ]; then ROUNDS=8; SECONDS_PER_ROUND=3; WARMUP=3; else ROUNDS=12; SECONDS_PER_ROUND=10; WARMUP=10; fi

say() { echo "[http.sh] $*" >&2; }
not_measured() {
  for id in http.increment.rps http.constant.rps http.object.rps; do printf '%s\t%s\n' "$id" "$1" >> "$TMP/not-measured.tsv"; done
  say "not measuring the http ids: $1"
}

if [ ! -x ./run-workers.sh ] || [ ! -f http/pom.xml ]; then
  not_measured "the http module and ./run-workers.sh are not in this checkout"
  exit 0
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=18080
while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
STORE="$ROOT/$TMP/http-store/hearth.store"
mkdir -p "$(dirname "$STORE")"

# setsid: the workers get a process group of their own, so one kill stops all of them.
say "starting $WORKERS workers: ./run-workers.sh -n $WORKERS -p $PORT -s $STORE"
setsid ./run-workers.sh -n "$WORKERS" -p "$PORT" -s "$STORE" > "$TMP/workers.log" 2>&1 &
WORKERS_PID=$!
stop_workers() {
  kill -TERM -- "-$WORKERS_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 -- "-$WORKERS_PID" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$WORKERS_PID" 2>/dev/null || true
}
trap stop_workers EXIT

BASE="http://127.0.0.1:$PORT"
for _ in $(seq 120); do
  curl -fsS -o /dev/null --max-time 1 "$BASE/health" 2>/dev/null && break
  kill -0 "$WORKERS_PID" 2>/dev/null || break
  sleep 1
done
if ! curl -fsS -o /dev/null --max-time 1 "$BASE/health" 2>/dev/null; then
  not_measured "the workers did not answer GET /health within 120 s (see $TMP/workers.log)"
  exit 0
fi
if ! curl -fsS -o /dev/null --max-time 2 -X POST "$BASE/increment?key=bench"; then
  not_measured "POST /increment?key=bench did not answer 2xx"
  exit 0
fi

# What GET /objects/bench/k reads: Profile.sample()'s 106 bytes of JSON, the map benchmarks' value.
OBJECT='{"id":"user-42","name":"Ada Lovelace","email":"ada@example.org","visits":1000000000,"lastSeen":1732280000}'
if ! curl -fsS -o /dev/null --max-time 2 -X PUT -H 'Content-Type: application/json' -d "$OBJECT" "$BASE/objects/bench/k"; then
  not_measured "PUT /objects/bench/k did not answer 2xx"
  exit 0
fi

printf 'wrk.method = "POST"\n' > "$TMP/post.lua"
# round ID SECONDS: one bounded wrk run; prints its requests/s, fails on any error response.
round() {
  local id=$1 duration=$2 out
  if [ "$id" = http.increment.rps ]; then
    out=$(wrk -t1 -c"$CONNECTIONS" -d"${duration}s" --timeout 2s -s "$TMP/post.lua" "$BASE/increment?key=bench")
  elif [ "$id" = http.object.rps ]; then
    out=$(wrk -t1 -c"$CONNECTIONS" -d"${duration}s" --timeout 2s "$BASE/objects/bench/k")
  else
    out=$(wrk -t1 -c"$CONNECTIONS" -d"${duration}s" --timeout 2s "$BASE$CONSTANT_PATH")
  fi
  echo "$out" >> "$TMP/wrk.log"
  if grep -qE 'Non-2xx|Socket errors' <<< "$out"; then
    say "$id: wrk saw errors: $(grep -E 'Non-2xx|Socket errors' <<< "$out")"
    return 1
  fi
  awk '/^Requests\/sec:/ {print $2}' <<< "$out"
}

say "warm-up: ${WARMUP} s per route"
round http.constant.rps "$WARMUP" >/dev/null && round http.increment.rps "$WARMUP" >/dev/null \
  && round http.object.rps "$WARMUP" >/dev/null || {
  not_measured "wrk saw error responses or socket errors in the warm-up (see $TMP/wrk.log)"; exit 0; }
: > "$TMP/http-rounds.tsv"
for r in $(seq "$ROUNDS"); do
  for id in http.constant.rps http.increment.rps http.object.rps; do # alternating, so drift hits both alike
    rps=$(round "$id" "$SECONDS_PER_ROUND") || { not_measured "wrk saw error responses or socket errors (see $TMP/wrk.log)"; exit 0; }
    say "round $r, $id: $rps requests/s"
    printf '%s\t%s\n' "$id" "$rps" >> "$TMP/http-rounds.tsv"
  done
done
mv "$TMP/http-rounds.tsv" "$TMP/http.tsv" # only complete sets of rounds become figures
