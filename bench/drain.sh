#!/usr/bin/env bash
# After an outage: how fast the backlog is delivered once the channel is back. Starts the jar
# with the image's JVM flags and Slack pointing at a port nobody listens on, accepts events from
# wrk for BENCH_DURATION (30s) while every delivery fails and waits in the outbox, then starts the
# local sink on that port and times the outbox's pending count down to zero. One to three
# minutes; never run by the tests. Usage: bench/drain.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/warm-up.sh

DURATION=${BENCH_DURATION:-30s}
PORT=${BENCH_PORT:-18480}
SINK_PORT=${BENCH_SINK_PORT:-18481}
WORK=$(mktemp -d)
APP_PID=; SINK_PID=
trap 'kill $APP_PID $SINK_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

prepare "${1:-}"
echo "machine: $(machine)"

# retries at most 2 s apart, so the measured time is the draining, not the last backoff
JAVA_TOOL_OPTIONS="$(image_jvm_options)" MALLOC_ARENA_MAX=2 SERVER_PORT=$PORT SERVER_HOST=127.0.0.1 \
  DATA_DIR="$WORK/data" LOG_LEVEL=ERROR DELIVERY_MAX_BACKOFF=2s SLACK_WEBHOOK_URL="http://127.0.0.1:$SINK_PORT/hook" \
  java -jar target/castai-events.jar > "$WORK/app.log" 2>&1 & APP_PID=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/observe/health/ready"; do sleep 0.2; done

pending() { curl -s "http://127.0.0.1:$PORT/observe/metrics" | awk '/^castai_outbox_pending /{printf "%d", $2}'; }
cmd="wrk -t2 -c50 -d$DURATION -s bench/events.lua http://127.0.0.1:$PORT"
accepted=$($cmd | awk '/Requests\/sec/{print $2}')
sleep 2
echo "outage: $accepted events/s accepted while Slack was unreachable, $(pending) deliveries pending   ($cmd; castai_outbox_pending)"

java -Dsun.net.httpserver.nodelay=true bench/Sink.java "$SINK_PORT" & SINK_PID=$!
until curl -sf "http://127.0.0.1:$SINK_PORT/count" >/dev/null; do sleep 0.1; done
start_ns=$(date +%s%N)
for _ in $(seq 1 1200); do
  [ "$(pending)" -eq 0 ] && break
  sleep 0.5
done
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
delivered=$(curl -s "http://127.0.0.1:$SINK_PORT/count")
echo "drain: $delivered delivered in $elapsed_ms ms once Slack was back: $(( delivered * 1000 / elapsed_ms )) deliveries/s, $(pending) still pending   (sink count; castai_outbox_pending every 0.5 s)"
