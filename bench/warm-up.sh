# Sourced by bench/run.sh, replicas.sh, ceiling.sh and drain.sh: the set-up, the warm-up, the JVM flags and wrk's figures.

# prepare [--no-build]: wrk installed from Debian's packages if missing, and the jar built unless --no-build
prepare() {
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  [ "${1:-}" = "--no-build" ] || mvn -B -q -DskipTests package
}

# machine: what the figures were measured on (cores, memory, Java)
machine() { echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)"; }

# image_jvm_options: the container image's JVM flags (the Dockerfile's JAVA_TOOL_OPTIONS) as they
# are, in a 256 MiB container (-XX:MaxRAM=256m: the JVM sizes its heap from that as from the
# container's limit), as the benchmarks run the jar outside a container; without the image's
# class-data archive path.
image_jvm_options() {
  sed -n 's/.*JAVA_TOOL_OPTIONS="\([^"]*\)".*/\1/p' Dockerfile \
    | sed 's/ *-XX:SharedArchiveFile=[^ ]*//; s/$/ -XX:MaxRAM=256m/'
}

# wrk_figures <unit> <wrk --latency output>: "<rate> <unit>/s, p50 <..>, p99 <..>" and any errors
wrk_figures() {
  local errors; errors=$(awk '/Non-2xx|Socket errors/{print}' <<<"$2")
  echo "$(awk '/Requests\/sec/{print $2}' <<<"$2") $1/s, p50 $(awk '$1=="50%"{print $2}' <<<"$2"), p99 $(awk '$1=="99%"{print $2}' <<<"$2")${errors:+; $errors}"
}

# Under load the JIT compiler takes a fifth of the CPU or more for one to three minutes (longer on slower machines); events/s climb meanwhile.
# warm_up <command>: runs the command (one 15 s round of load that prints its events/s) until two
# rounds in a row are each no more than 5 % faster than the best round before them: 45 s at least,
# BENCH_WARMUP_MAX (300) s at most. A round that printed no rate stops the benchmark. Sets WARM_S
# (seconds of load) and WARM_RATES (events/s per round).
warm_up() {
  local best=0 flat=0 rate
  WARM_S=0; WARM_RATES=
  while :; do
    rate=$("$@")
    case "$rate" in ''|*[!0-9]*) echo "warm-up: a round of load printed no events/s ('$rate')" >&2; exit 1 ;; esac
    WARM_S=$((WARM_S + 15)); WARM_RATES="$WARM_RATES $rate"
    if [ $((rate * 100)) -le $((best * 105)) ]; then flat=$((flat + 1)); else flat=0; fi
    if [ "$rate" -gt "$best" ]; then best=$rate; fi
    if [ "$WARM_S" -ge "${BENCH_WARMUP_MAX:-300}" ] || { [ "$WARM_S" -ge 45 ] && [ "$flat" -ge 2 ]; }; then break; fi
  done
}

# await_deliveries <sink count to reach>: up to 120 s; says so when the sink did not get there
await_deliveries() {
  for _ in $(seq 1 600); do
    [ "$(curl -s "http://127.0.0.1:$SINK_PORT/count")" -ge "$1" ] && return 0
    sleep 0.2
  done
  echo "warning: the sink has $(curl -s "http://127.0.0.1:$SINK_PORT/count") of $1 deliveries after 120 s; the rest are counted with the measured ones" >&2
}

# cpu_ticks: "<all> <idle>" jiffies of the whole machine so far (/proc/stat; idle includes iowait)
cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat; }
# busy_share <cpu_ticks before> <cpu_ticks after>: how much of the machine was busy in between, in %
busy_share() { echo "$1 $2" | awk '{printf "%d", 100 * (1 - ($4 - $2) / ($3 - $1))}'; }
# process_ticks <pid>: the CPU time (user and system, in jiffies) the process has used so far
process_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# cpu_per_request <process_ticks before> <after> <wrk output>: the process's CPU time per request
# answered in between, in microseconds (its own work; wrk's and the sink's are not in it)
cpu_per_request() {
  local requests; requests=$(awk '/requests in/{print $1}' <<<"$3")
  echo "$1 $2 $requests $(getconf CLK_TCK)" | awk '{printf "%d", ($2 - $1) * 1000000 / $4 / $3}'
}
