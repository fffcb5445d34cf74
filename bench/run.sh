#!/usr/bin/env bash
# Benchmark: builds the jar, starts it with a local sink standing in for Slack and PagerDuty
# (the node.added events sent go to Slack), warms it up, drives load from wrk on 127.0.0.1 and
# prints figures, each with the command that produced it. Bounded in time (two to ten
# minutes); never run by the tests. Usage: bench/run.sh [--no-build]
# BENCH_PROFILE=1 also profiles the 50-connection round (bench/profile.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/warm-up.sh
. bench/profile.sh

DURATION=${BENCH_DURATION:-15s}
PORT=${BENCH_PORT:-18480}
SINK_PORT=${BENCH_SINK_PORT:-18481}
WORK=$(mktemp -d)
APP_PID=; SINK_PID=; RSS_PID=
trap 'kill $APP_PID $SINK_PID $RSS_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

prepare "${1:-}"

echo "machine: $(machine)"

# nodelay: without it the JDK server answers in two writes and Nagle holds each reply ~40 ms
java -Dsun.net.httpserver.nodelay=true bench/Sink.java "$SINK_PORT" & SINK_PID=$!
until curl -sf "http://127.0.0.1:$SINK_PORT/count" >/dev/null; do sleep 0.2; done

# the image's JVM flags (Dockerfile) as a 256 MiB container sets them: the heap is 31 % of it;
# and, as the image does, a class-data archive from a training run of this jar
JAVA_OPTS=${BENCH_JAVA_OPTS:-$(image_jvm_options) -XX:SharedArchiveFile=target/castai-events.jsa}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
echo "JVM options: $JAVA_OPTS (MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX)"
JAVA_TOOL_OPTIONS="$JAVA_OPTS" bin/class-data-archive.sh target/castai-events.jar target/castai-events.jsa
start_ns=$(date +%s%N)
JAVA_TOOL_OPTIONS="$JAVA_OPTS" SERVER_PORT=$PORT SERVER_HOST=127.0.0.1 DATA_DIR="$WORK/data" LOG_LEVEL=WARN \
  SLACK_WEBHOOK_URL="http://127.0.0.1:$SINK_PORT/hook" \
  PAGERDUTY_ROUTING_KEY=0123456789abcdef0123456789abcdef PAGERDUTY_EVENTS_URL="http://127.0.0.1:$SINK_PORT/v2/enqueue" \
  java -jar target/castai-events.jar > "$WORK/app.log" 2>&1 & APP_PID=$!
until curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT/castai/events" \
    -H 'Content-Type: application/json' -d '{"eventType":"bench.warmup"}'; do sleep 0.05; done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "first request served ${ready_ms} ms after start   (java -jar target/castai-events.jar; POST until 200)"

# resident memory sampled every half second while the load runs
( while kill -0 "$APP_PID" 2>/dev/null; do ps -o rss= -p "$APP_PID" >> "$WORK/rss"; sleep 0.5; done ) & RSS_PID=$!

run_load() {
  local conns=$1
  local cmd="wrk -t2 -c$conns -d$DURATION --latency -s bench/events.lua http://127.0.0.1:$PORT"
  local before; before=$(cpu_ticks)
  local service_before; service_before=$(process_ticks "$APP_PID")
  local out; out=$($cmd)
  local busy; busy=$(busy_share "$before" "$(cpu_ticks)")
  local per_event; per_event=$(cpu_per_request "$service_before" "$(process_ticks "$APP_PID")" "$out")
  echo "$conns connections: $(wrk_figures "accepted events" "$out"), the machine ${busy} % busy, the service ${per_event} µs of CPU per event (its deliveries meanwhile included)   ($cmd; /proc/stat, /proc/<pid>/stat)"
}

# warm-up, not reported (bench/warm-up.sh); its deliveries are waited for
warm_round() { wrk -t2 -c50 -d15s -s bench/events.lua "http://127.0.0.1:$PORT" | awk '/Requests\/sec/{printf "%d", $2}'; }
warm_up warm_round
compiled=$(jstat -compiler "$APP_PID" 2>/dev/null | awk 'NR==2{printf "%d", $4}') || compiled="?"
echo "warm-up: ${WARM_S} s of load at 50 connections (events/s per 15 s:${WARM_RATES}); the JIT compiler has spent ${compiled} s compiling   (jstat -compiler <pid>)"
warm=$(curl -s "http://127.0.0.1:$PORT/observe/metrics" | awk '/^castai_events_received_total/{n+=$2} END{printf "%d", n}')
await_deliveries $((warm - 1))   # every event but the start-up probe (bench.warmup: log only)

delivered_before=$(curl -s "http://127.0.0.1:$SINK_PORT/count")
received_before=$(curl -s "http://127.0.0.1:$PORT/observe/metrics" | awk '/^castai_events_received_total/{n+=$2} END{printf "%d", n}')
load_start=$(date +%s%N)
[ -z "${BENCH_PROFILE:-}" ] || profile_start "$APP_PID"
run_load 50
[ -z "${BENCH_PROFILE:-}" ] || profile_report "$APP_PID"
run_load 200
accepted=$(( $(curl -s "http://127.0.0.1:$PORT/observe/metrics" | awk '/^castai_events_received_total/{n+=$2} END{printf "%d", n}') - received_before ))
# every accepted node.added event is one Slack delivery; wait (up to 120 s) for the last one
for _ in $(seq 1 600); do
  delivered=$(( $(curl -s "http://127.0.0.1:$SINK_PORT/count") - delivered_before ))
  [ "$delivered" -ge "$accepted" ] && break
  sleep 0.2
done
elapsed_ms=$(( ($(date +%s%N) - load_start) / 1000000 ))
echo "delivered ${delivered} of ${accepted} accepted node.added events in ${elapsed_ms} ms: $(( delivered * 1000 / elapsed_ms )) deliveries/s end to end   (sink count over time since load start)"
kill $RSS_PID 2>/dev/null || true
peak_rss=$(sort -n "$WORK/rss" | tail -1 | tr -d ' ')
rss_now=$(ps -o rss= -p "$APP_PID" | tr -d ' ')
echo "resident memory: peak $((peak_rss / 1024)) MB under load, $((rss_now / 1024)) MB after   (ps -o rss= -p <pid>, every 0.5 s)"
