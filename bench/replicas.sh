#!/usr/bin/env bash
# Benchmark of the multi-replica mode: two replicas of the jar sharing one PostgreSQL database
# (CASTAI_STORE_URL, a fresh database on 127.0.0.1:5432), a local sink standing in for Slack, and
# two wrk processes (one per replica, 25 connections each: 50 in all) on the same two cores.
# Prints accepted events/s over both, p50/p99 per replica, and deliveries/s end to end. Bounded
# (two to ten minutes); never run by the tests. Compare with bench/run.sh (one instance, SQLite).
# Usage: bench/replicas.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/warm-up.sh

DURATION=${BENCH_DURATION:-15s}
PORTS=(18490 18491)
SINK_PORT=18492
DB=castai_bench_$$
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  kill "${PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }
prepare "${1:-}"
psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $DB" >/dev/null

echo "machine: $(machine), $(psql --version)"
java -Dsun.net.httpserver.nodelay=true bench/Sink.java "$SINK_PORT" & PIDS+=($!)
until curl -sf "http://127.0.0.1:$SINK_PORT/count" >/dev/null; do sleep 0.2; done

for i in 0 1; do
  # the image's JVM flags in a 256 MiB container, as bench/run.sh
  MALLOC_ARENA_MAX=2 JAVA_TOOL_OPTIONS="${BENCH_JAVA_OPTS:-$(image_jvm_options)}" SERVER_PORT=${PORTS[$i]} SERVER_HOST=127.0.0.1 LOG_LEVEL=WARN \
    DATA_DIR="$WORK/data-$i" CASTAI_STORE_URL="jdbc:postgresql://127.0.0.1:5432/$DB" CASTAI_STORE_USERNAME=postgres \
    SLACK_WEBHOOK_URL="http://127.0.0.1:$SINK_PORT/hook" \
    java -jar target/castai-events.jar > "$WORK/app-$i.log" 2>&1 & PIDS+=($!)
done
for port in "${PORTS[@]}"; do
  until curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/castai/events" \
      -H 'Content-Type: application/json' -d "{\"eventType\":\"bench.warmup\",\"clusterId\":\"$port\"}"; do sleep 0.1; done
done

received() { # accepted (not duplicate) events over both replicas
  local total=0
  for port in "${PORTS[@]}"; do
    total=$(( total + $(curl -s "http://127.0.0.1:$port/observe/metrics" | awk '/^castai_events_received_total/{n+=$2} END{printf "%d", n}') ))
  done
  echo "$total"
}

load() { # one wrk per replica, at the same time; prints each replica's figures and the sum
  local conns=$1 run=$2 i cmd total=0 wrk_pids=()
  for i in 0 1; do
    cmd="wrk -t1 -c$conns -d$DURATION --latency -s bench/events.lua http://127.0.0.1:${PORTS[$i]}"
    BENCH_RUN="$run-$i-" $cmd > "$WORK/wrk-$i" & wrk_pids+=($!)
  done
  wait "${wrk_pids[@]}"
  for i in 0 1; do
    rps=$(awk '/Requests\/sec/{print $2}' "$WORK/wrk-$i")
    echo "  replica $i: $(wrk_figures events "$(cat "$WORK/wrk-$i")")"
    total=$(awk -v t="$total" -v r="$rps" 'BEGIN{printf "%.0f", t + r}')
  done
  echo "$((conns * 2)) connections over two replicas: $total accepted events/s   (wrk -t1 -c$conns -d$DURATION --latency -s bench/events.lua, one per replica)"
}

# warm-up, not reported (bench/warm-up.sh): rounds of 15 s, each with its own ids
warm_round() { DURATION=15s load 25 "warmup$WARM_S" | awk '/connections over two replicas/{print $6}'; }
warm_up warm_round
echo "warm-up: ${WARM_S} s of load at 50 connections over both (events/s per 15 s:${WARM_RATES})"
# the warm-up's deliveries are waited for, so they are not counted as the measured ones
await_deliveries $(( $(received) - 2 ))   # every event but the two start-up probes (log only)
before_delivered=$(curl -s "http://127.0.0.1:$SINK_PORT/count"); before_received=$(received)
start=$(date +%s%N)
load 25 measured
accepted=$(( $(received) - before_received ))
for _ in $(seq 1 600); do
  delivered=$(( $(curl -s "http://127.0.0.1:$SINK_PORT/count") - before_delivered ))
  [ "$delivered" -ge "$accepted" ] && break
  sleep 0.2
done
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "delivered ${delivered} of ${accepted} accepted node.added events in ${elapsed_ms} ms: $(( delivered * 1000 / elapsed_ms )) deliveries/s end to end   (sink count since load start)"
for i in 0 1; do echo "replica $i resident memory: $(( $(ps -o rss= -p "${PIDS[$((i + 1))]}") / 1024 )) MB"; done
