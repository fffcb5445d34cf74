# Sourced by bench/run.sh, replicas.sh and ceiling.sh. Under load the JIT compiler takes a fifth
# of the CPU or more for one to three minutes (longer on slower machines); events/s climb meanwhile.
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
