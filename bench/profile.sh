# Sourced by bench/run.sh when BENCH_PROFILE=1: async-profiler (tools.profiler:async-profiler from
# Maven Central, fetched into the local repository) samples the service's CPU (event=itimer: the
# process's own CPU time, kernel included) during the 50-connection round, and prints where it
# went by thread group and by hottest frame. The full profile is left in target/ for a closer look.
AP_VERSION=4.1

# profiler_library <dir>: the path of libasyncProfiler.so for this machine, unpacked into <dir>
profiler_library() {
  local arch; case "$(uname -m)" in aarch64|arm64) arch=linux-arm64 ;; *) arch=linux-x64 ;; esac
  local jar=~/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION-$arch.jar
  [ -f "$jar" ] || mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$AP_VERSION:jar:$arch" >&2
  unzip -o -q "$jar" "$arch/libasyncProfiler.so" -d "$1"
  echo "$1/$arch/libasyncProfiler.so"
}

# profiler <pid> <library> <command>: one async-profiler command, sent through the attach API
# (the inner quotes keep jcmd from splitting the command at its commas)
profiler() { jcmd "$1" JVMTI.agent_load "$2" "\"$3\"" >/dev/null; }

# profile_start <pid>: starts sampling every thread of the service
profile_start() {
  PROFILER_LIB=$(profiler_library "$WORK")
  profiler "$1" "$PROFILER_LIB" "start,event=itimer,threads"
}

# profile_report <pid>: stops, writes target/profile.html (a flame graph) and
# target/profile.collapsed, and prints the shares
profile_report() {
  profiler "$1" "$PROFILER_LIB" "dump,file=$PWD/target/profile.html"
  profiler "$1" "$PROFILER_LIB" "stop,file=$PWD/target/profile.collapsed,collapsed"
  echo "profile of the 50-connection round (async-profiler $AP_VERSION, event=itimer; target/profile.html, target/profile.collapsed;"
  echo "the profiler itself adds to this run's CPU and resident memory), CPU by thread group:"
  # a collapsed line: [thread name tid=N];frame;...;frame <samples>; threads grouped with their numbers as #
  awk '{ n = $NF; total += n
         match($0, /^\[[^]]*\]/); group = substr($0, 2, RLENGTH - 2)
         sub(/ tid=[0-9]+$/, "", group); gsub(/[0-9]+/, "#", group); share[group] += n
         line = $0; sub(/ [0-9]+$/, "", line); k = split(line, frames, ";"); self[frames[k]] += n }
       END { for (g in share) printf "  %5.1f %%  %s\n", 100 * share[g] / total, g | "sort -rn | head -12"
             close("sort -rn | head -12")
             print "  hottest frames (own time):"
             for (f in self) printf "  %5.1f %%  %s\n", 100 * self[f] / total, substr(f, 1, 120) | "sort -rn | head -15" }' \
    target/profile.collapsed
}
