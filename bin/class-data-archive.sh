#!/bin/sh
# Writes the class-data-sharing archive the service starts with: runs the jar once from the
# directory it will run in (its routes, templates and configuration), sends it one event, stops
# it; on exit the JVM archives every class it loaded. Started with -XX:SharedArchiveFile=<archive>
# the JVM maps those classes instead of loading and verifying them from the jar again: the first
# request is served in about half the time (bench/run.sh). The archive belongs to this jar and
# this JVM build: another jar or JVM ignores it (with a warning) and starts the slow way.
# Usage (from the directory the service runs in): class-data-archive.sh <jar> <archive>
# Name the jar as the service will be started with it (the archive records the path as given).
# CDS_TRAINING_PORT: the training run's port (18079); CDS_TRAINING_TIMEOUT: seconds it may take
# to answer (120).
set -eu
jar=${1:?usage: class-data-archive.sh <jar> <archive>}
archive=${2:?usage: class-data-archive.sh <jar> <archive>}
port=${CDS_TRAINING_PORT:-18079}
data=$(mktemp -d)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$data"' EXIT
trap 'exit 1' INT TERM

# The image's JVM options, plus where to write the archive (not read one: this run writes it).
# MaxRAM: a build machine has no memory limit, and a heap sized from a large machine's memory
# (over 32 GB) turns compressed object pointers off, which makes the archive unusable in a container.
options=$(echo "${JAVA_TOOL_OPTIONS:-}" | sed 's/-XX:SharedArchiveFile=[^ ]*//')
JAVA_TOOL_OPTIONS="$options -XX:MaxRAM=256m -XX:ArchiveClassesAtExit=$archive" SERVER_PORT=$port SERVER_HOST=127.0.0.1 \
    DATA_DIR="$data" java -jar "$jar" > "$data/training.log" 2>&1 &
pid=$!
deadline=$(( $(date +%s) + ${CDS_TRAINING_TIMEOUT:-120} ))
until curl -sf --max-time 5 -o /dev/null -X POST "http://127.0.0.1:$port/castai/events" \
        -H 'Content-Type: application/json' -d '{"id":"class-data-archive","eventType":"node.added"}'; do
    if [ "$(date +%s)" -gt "$deadline" ] || ! kill -0 "$pid" 2>/dev/null; then
        echo "class-data-archive: the service did not start:" >&2
        tail -20 "$data/training.log" >&2
        exit 1
    fi
    sleep 0.1
done
kill "$pid"
wait "$pid" || true
pid=
test -s "$archive" || { echo "class-data-archive: no archive written to $archive:" >&2; tail -20 "$data/training.log" >&2; exit 1; }
echo "class-data-archive: $archive written ($(du -k "$archive" | cut -f1) KiB)"
