#!/usr/bin/env bash
# What this machine allows before the service does any work, measured as bench/run.sh measures
# the service (wrk on the same cores, 50 connections, 15 s after the same warm-up, the same
# requests): the local sink alone (the JDK's HTTP server answering "ok"), and a bare route on the
# service's own HTTP server (bench/ceiling.camel.yaml, loaded beside the service's routes, the
# image's JVM flags). Two to eleven minutes; never run by the tests.
# Usage: bench/ceiling.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/warm-up.sh

PORT=${BENCH_PORT:-18480}
SINK_PORT=${BENCH_SINK_PORT:-18481}
WORK=$(mktemp -d)
APP_PID=; SINK_PID=
trap 'kill $APP_PID $SINK_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

prepare "${1:-}"
echo "machine: $(machine)"

# measure <what> <port> <path> <pid of the server>
measure() {
  export BENCH_PATH=$3
  warm_round() { wrk -t2 -c50 -d15s -s bench/events.lua "http://127.0.0.1:$1" | awk '/Requests\/sec/{printf "%d", $2}'; }
  warm_up warm_round "$2"
  local cmd="BENCH_PATH=$3 wrk -t2 -c50 -d15s --latency -s bench/events.lua http://127.0.0.1:$2"
  local before; before=$(cpu_ticks)
  local server_before; server_before=$(process_ticks "$4")
  local out; out=$(wrk -t2 -c50 -d15s --latency -s bench/events.lua "http://127.0.0.1:$2")
  local busy; busy=$(busy_share "$before" "$(cpu_ticks)")
  local per_request; per_request=$(cpu_per_request "$server_before" "$(process_ticks "$4")" "$out")
  echo "$1: $(wrk_figures requests "$out"), the machine ${busy} % busy, the server ${per_request} µs of CPU per request   (after ${WARM_S} s of warm-up:${WARM_RATES}; $cmd; /proc/stat, /proc/<pid>/stat)"
}

java -Dsun.net.httpserver.nodelay=true bench/Sink.java "$SINK_PORT" & SINK_PID=$!
until curl -sf "http://127.0.0.1:$SINK_PORT/count" >/dev/null; do sleep 0.2; done
measure "the sink alone" "$SINK_PORT" /hook "$SINK_PID"
kill $SINK_PID; SINK_PID=

JAVA_TOOL_OPTIONS="${BENCH_JAVA_OPTS:-$(image_jvm_options)}" \
  MALLOC_ARENA_MAX=2 CAMEL_MAIN_ROUTES_INCLUDE_PATTERN="file:routes/*.camel.yaml,file:bench/ceiling.camel.yaml" \
  SERVER_PORT=$PORT SERVER_HOST=127.0.0.1 DATA_DIR="$WORK/data" LOG_LEVEL=WARN \
  java -jar target/castai-events.jar > "$WORK/app.log" 2>&1 & APP_PID=$!
until curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT/bench/ceiling" -H 'Content-Type: application/json' -d '{}'; do
  kill -0 $APP_PID 2>/dev/null || { tail -20 "$WORK/app.log"; exit 1; }
  sleep 0.1
done
measure "a bare platform-http route in the service (read the body, answer a constant)" "$PORT" /bench/ceiling "$APP_PID"
