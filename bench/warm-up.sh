# Sourced by bench/run.sh and bench/replicas.sh. Under load the JIT compiler takes a fifth of the
# CPU or more for one to three minutes (longer on slower machines), and events/s climb meanwhile.
# warm_up <command>: runs the command (one 15 s round of load that prints its events/s) until two
# rounds in a row are each no more than 5 % faster than the one before: 45 s at least,
# BENCH_WARMUP_MAX (300) s at most. Sets WARM_S (seconds of load) and WARM_RATES (events/s per round).
warm_up() {
  local previous=0 flat=0 rate
  WARM_S=0; WARM_RATES=
  while :; do
    rate=$("$@")
    WARM_S=$((WARM_S + 15)); WARM_RATES="$WARM_RATES $rate"
    if [ $((rate * 100)) -le $((previous * 105)) ]; then flat=$((flat + 1)); else flat=0; fi
    if [ "$WARM_S" -ge "${BENCH_WARMUP_MAX:-300}" ] || { [ "$WARM_S" -ge 45 ] && [ "$flat" -ge 2 ]; }; then break; fi
    previous=$rate
  done
}
