#!/usr/bin/env bash
# Stream benchmark: events per second of Nexmark Q5, Q7 and Q8 over NexmarkGen's event file
# (/work/shared/bench/NexmarkGen.java; default 10M events), for Cairn and the engines it is compared
# with, in the same run, on the same file. Every engine's output is checked against NexmarkGen's
# exact answers (sorted bytewise, equal); a run whose output differs is reported WRONG, not timed.
# Prints a table of events/s (medians over REPEAT rounds) and the ratios Cairn/other.
#
# "cairn" is Cairn's in-JVM executor (operators on threads of one JVM); "cairn-cluster" is the real
# thing: a 2-worker cluster of separate processes, records exchanged over TCP.
#
# Engines (ENGINES, in this order per round; each run is a fresh JVM with its own class path):
#   single-thread  NexmarkSingleThread: the queries by hand on one thread (the yardstick)
#   cairn          CairnStreamBench: dataflow's NexmarkQueries on the in-JVM executor
#   flink          FlinkStreamBench: Apache Flink (bench/target/flink-lib), a local environment at
#                  PARALLELISM, streaming mode, the same two-stage plans, FileSource on the same file
#   jet            JetStreamBench: Hazelcast Jet (bench/target/jet-lib), one embedded member with
#                  PARALLELISM cooperative threads, the same plans, the file read line by line
#   cairn-cluster  'bin/cairn submit --example nexmark-qN' on a 'cluster up --nodes 2' cluster (started once
#                  per run in WORK/cluster, stopped at the end) at PARALLELISM; timed by the master, from
#                  the job's submission to its end (the CLI's JVM start excluded)
#   cairn-cluster-ckpt  the same with exactly-once checkpoints every CHECKPOINT_INTERVAL (default 10s)
#   flink-ckpt     flink with exactly-once checkpoints every CHECKPOINT_INTERVAL to WORK/flink-checkpoints
#                  (filesystem checkpoint storage; results reach the output once a checkpoint has completed)
#
#   bench/stream.sh                           # 10M events, one round
#   EVENTS=2000000 REPEAT=3 KEEP=1 bench/stream.sh
#
# Environment:
#   EVENTS         events in the file (default 10000000)   SEED   NexmarkGen's seed (default 42)
#   QUERIES        default "q5 q7 q8"                       ENGINES  default "single-thread cairn flink jet"
#   PARALLELISM    of Cairn and Flink (default 2)           REPEAT   rounds; the table shows medians (default 1)
#   WORK           scratch dir (default bench/work/stream)
#   KEEP=1         keep the event file and answers (WORK/events-EVENTS-SEED.csv, WORK/answers-EVENTS-SEED/);
#                  the next run with the same EVENTS and SEED reuses them
#   STEP_TIMEOUT   seconds any one step (generating, one engine on one query) may take (default 600)
#   ENGINE_OPTS    JVM options of every engine's JVM (default -Xmx2g)
#   FLINK_OPTS     more JVM options of Flink's JVM (default: the --add-opens Flink's own scripts pass on
#                  JDK 17+; these jobs ran without them on JDK 25, Kryo's generic types may need them)
#   SKIP_BUILD=1   do not run Maven (the bench module must be built)
#   CLUSTER_OPTS   JVM options of the cluster's nodes (default -Xmx2g)
#   CHECKPOINT_INTERVAL  of cairn-cluster-ckpt and flink-ckpt: a number and s or ms (default 10s)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
EVENTS=${EVENTS:-10000000}
SEED=${SEED:-42}
QUERIES=${QUERIES:-q5 q7 q8}
ENGINES=${ENGINES:-single-thread cairn flink jet}
PARALLELISM=${PARALLELISM:-2}
REPEAT=${REPEAT:-1}
WORK=${WORK:-$ROOT/bench/work/stream}
KEEP=${KEEP:-0}
STEP_TIMEOUT=${STEP_TIMEOUT:-600}
ENGINE_OPTS=${ENGINE_OPTS:--Xmx2g}
# Hazelcast's own recommendation for JDK 17+ (it warns without them).
JET_OPTS=${JET_OPTS:---add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED}
FLINK_OPTS=${FLINK_OPTS:---add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED}
SKIP_BUILD=${SKIP_BUILD:-0}
GEN=${NEXMARK_GEN:-/work/shared/bench/NexmarkGen.java}
CHECKPOINT_INTERVAL=${CHECKPOINT_INTERVAL:-10s}
CLUSTER_OPTS=${CLUSTER_OPTS:--Xmx2g}
CLUSTER_DIR=""

[[ $EVENTS =~ ^[1-9][0-9]*$ ]] || { echo "error: EVENTS must be a positive integer" >&2; exit 2; }
[[ $SEED =~ ^-?[0-9]+$ ]] || { echo "error: SEED must be an integer" >&2; exit 2; }
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "error: REPEAT must be a positive integer" >&2; exit 2; }
[[ $PARALLELISM =~ ^[1-9][0-9]*$ ]] || { echo "error: PARALLELISM must be a positive integer" >&2; exit 2; }
[[ $STEP_TIMEOUT =~ ^[1-9][0-9]*$ ]] || { echo "error: STEP_TIMEOUT must be a positive number of seconds" >&2; exit 2; }
for q in $QUERIES; do [[ $q =~ ^q[578]$ ]] || { echo "error: QUERIES: '$q' is none of q5 q7 q8" >&2; exit 2; }; done
for e in $ENGINES; do
  case $e in single-thread | cairn | flink | flink-ckpt | jet | cairn-cluster | cairn-cluster-ckpt) ;; *) echo "error: ENGINES: '$e' is none of single-thread cairn flink flink-ckpt jet cairn-cluster cairn-cluster-ckpt" >&2; exit 2 ;; esac
done
[ -f "$GEN" ] || { echo "error: $GEN not found (set NEXMARK_GEN)" >&2; exit 2; }
# Flink takes the interval in milliseconds; Cairn's CLI takes the same string.
case $CHECKPOINT_INTERVAL in
  *ms) CHECKPOINT_MS=${CHECKPOINT_INTERVAL%ms} ;;
  *s) CHECKPOINT_MS=$((${CHECKPOINT_INTERVAL%s} * 1000)) ;;
  *) CHECKPOINT_MS="" ;;
esac
[[ " $ENGINES " != *" flink-ckpt "* ]] || [[ $CHECKPOINT_MS =~ ^[1-9][0-9]*$ ]] || { echo "error: CHECKPOINT_INTERVAL must be a whole number of s or ms, e.g. 10s" >&2; exit 2; }

DATA="$WORK/events-$EVENTS-$SEED.csv"
ANSWERS="$WORK/answers-$EVENTS-$SEED"
OUT="$WORK/out.txt"
RESULTS="$WORK/results.txt"
CHILD_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ "$rc" = 0 ] || echo "stopping (exit status $rc) ..." >&2
  if [ -n "$CHILD_PID" ]; then kill -TERM "$CHILD_PID" 2>/dev/null || true; wait "$CHILD_PID" 2>/dev/null || true; fi
  if [ -n "$CLUSTER_DIR" ]; then "$ROOT/bin/cairn" cluster down --dir "$CLUSTER_DIR" >/dev/null 2>&1 || true; fi
  rm -f "$OUT" "$DATA.tmp" 2>/dev/null || true
  [ "$KEEP" = 1 ] || rm -rf "$DATA" "$ANSWERS" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bounded SECONDS OUT ERR CMD...: runs CMD with stdout to OUT and stderr to ERR, killed after SECONDS.
# In the background and waited for, so that Ctrl-C and TERM reach the trap at once (which stops it).
bounded() {
  local limit=$1 out=$2 err=$3 rc=0
  shift 3
  timeout -k 10 "$limit" "$@" >"$out" 2>"$err" &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo "error: '$1 ...' did not finish within $limit s" >&2; fi
  return "$rc"
}

fail_with_log() { # MESSAGE LOG
  echo "error: $1; last lines of $2:" >&2
  tail -15 "$2" >&2
  exit 1
}

if [ "$SKIP_BUILD" != 1 ]; then
  echo "building ..."
  (cd "$ROOT" && mvn -B -q -DskipTests -pl bench -am package)
fi
CP="$ROOT/bench/target/classes:$ROOT/bench/target/lib/*"
# Flink's jars first; target/lib after them only for what Flink shares with the rest of the bench module
# (slf4j, commons-io, ...), which Maven resolves there.
FLINK_CP="$ROOT/bench/target/classes:$ROOT/bench/target/flink-lib/*:$ROOT/bench/target/lib/*"
JET_CP="$ROOT/bench/target/classes:$ROOT/bench/target/jet-lib/*"
ls "$ROOT"/bench/target/lib/cairn-dataflow-*-tests.jar >/dev/null 2>&1 || { echo "error: bench/target/lib is missing; build without SKIP_BUILD" >&2; exit 1; }
FLINK_VERSION=$(ls "$ROOT"/bench/target/flink-lib/flink-streaming-java-*.jar 2>/dev/null | sed 's/.*flink-streaming-java-\(.*\)\.jar/\1/')
[[ " $ENGINES " != *" flink"* ]] || [ -n "$FLINK_VERSION" ] || { echo "error: bench/target/flink-lib is missing; build without SKIP_BUILD" >&2; exit 1; }
JET_VERSION=$(ls "$ROOT"/bench/target/jet-lib/hazelcast-*.jar 2>/dev/null | sed 's/.*hazelcast-\(.*\)\.jar/\1/')
[[ " $ENGINES " != *" jet "* ]] || [ -n "$JET_VERSION" ] || { echo "error: bench/target/jet-lib is missing; build without SKIP_BUILD" >&2; exit 1; }

# engine_cmd ENGINE QUERY OUTFILE: the command line of one engine's run (its own JVM and class path).
engine_cmd() {
  case $1 in
    single-thread) echo "$JAVA $CAIRN_JAVA_FLAGS $ENGINE_OPTS -cp $CP dev.cairn.bench.stream.NexmarkSingleThread $2 $DATA $EVENTS $3" ;;
    cairn) echo "$JAVA $CAIRN_JAVA_FLAGS $ENGINE_OPTS -cp $CP dev.cairn.bench.stream.CairnStreamBench $2 $DATA $EVENTS $3 $PARALLELISM" ;;
    flink) echo "$JAVA $FLINK_OPTS $ENGINE_OPTS -cp $FLINK_CP dev.cairn.bench.stream.FlinkStreamBench $2 $DATA $EVENTS $3 $PARALLELISM" ;;
    flink-ckpt) echo "$JAVA $FLINK_OPTS $ENGINE_OPTS -cp $FLINK_CP dev.cairn.bench.stream.FlinkStreamBench $2 $DATA $EVENTS $3 $PARALLELISM $CHECKPOINT_MS $WORK/flink-checkpoints" ;;
    jet) echo "$JAVA $JET_OPTS $ENGINE_OPTS -cp $JET_CP dev.cairn.bench.stream.JetStreamBench $2 $DATA $EVENTS $3 $PARALLELISM" ;;
  esac
}

# cluster_run ENGINE QUERY OUTFILE: one query on the cluster, its part files concatenated into OUTFILE.
cluster_run() {
  local engine=$1 q=$2 outfile=$3 dir="$WORK/cluster-out-$1-$2" ckpt=()
  [ "$engine" = cairn-cluster-ckpt ] && ckpt=(--checkpoint-interval "$CHECKPOINT_INTERVAL")
  rm -rf "$dir"
  "$ROOT/bin/cairn" submit --dir "$CLUSTER_DIR" --parallelism "$PARALLELISM" "${ckpt[@]}" --example "nexmark-$q" "$DATA" "$dir" || return 1
  cat "$dir"/part-* >"$outfile"
  rm -rf "$dir"
}
export -f cluster_run
export ROOT WORK DATA PARALLELISM CHECKPOINT_INTERVAL

mkdir -p "$WORK"
: >"$RESULTS"
if [[ " $ENGINES " == *" cairn-cluster"* ]]; then
  export CLUSTER_DIR="$WORK/cluster"
  "$ROOT/bin/cairn" cluster down --dir "$CLUSTER_DIR" >/dev/null 2>&1 || true
  rm -rf "$CLUSTER_DIR"
  echo "cluster: starting 2 workers in $CLUSTER_DIR ..."
  "$ROOT/bin/cairn" cluster up --nodes 2 --dir "$CLUSTER_DIR" --jvm-opts "$CLUSTER_OPTS" >"$WORK/cluster-up.log" 2>&1 \
    || fail_with_log "cluster up failed" "$WORK/cluster-up.log"
fi
if [ -f "$DATA" ] && [ -f "$ANSWERS/meta.txt" ] && grep -qx "events=$EVENTS" "$ANSWERS/meta.txt"; then
  echo "data: reusing $DATA"
else
  echo "data: generating $EVENTS Nexmark events (seed $SEED) and their answers ..."
  rm -rf "$ANSWERS"
  bounded "$STEP_TIMEOUT" "$WORK/gen.log" "$WORK/gen.log" "$JAVA" -Xmx4g "$GEN" --events "$EVENTS" --seed "$SEED" \
    --out "$DATA.tmp" --answers "$ANSWERS" || fail_with_log "NexmarkGen failed" "$WORK/gen.log"
  mv "$DATA.tmp" "$DATA"
fi
BYTES=$(stat -c %s "$DATA")

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for ((rep = 1; rep <= REPEAT; rep++)); do
  for q in $QUERIES; do
    for e in $ENGINES; do
      log="$WORK/$e-$q.log"
      rm -f "$OUT"
      if [[ $e == cairn-cluster* ]]; then
        bounded "$STEP_TIMEOUT" "$WORK/$e-$q.out" "$log" bash -c 'cluster_run "$@"' _ "$e" "$q" "$OUT" \
          || fail_with_log "$e on $q failed" "$log"
        secs=$(sed -n 's/^stream job .* finished in \([0-9.]*\) s.*/\1/p' "$WORK/$e-$q.out" | tail -1)
        [ -n "$secs" ] || fail_with_log "$e on $q printed no duration" "$WORK/$e-$q.out"
        ckpts=$(sed -n 's/^stream job .* finished in .*: \([0-9]*\) checkpoints.*/\1/p' "$WORK/$e-$q.out" | tail -1)
        echo "stream engine=$e query=$q events_per_s=$(awk -v n="$EVENTS" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') seconds=$secs checkpoints=${ckpts:-?}" >>"$WORK/$e-$q.out"
      else
        [ "$e" != flink-ckpt ] || rm -rf "$WORK/flink-checkpoints"
        # shellcheck disable=SC2046
        bounded "$STEP_TIMEOUT" "$WORK/$e-$q.out" "$log" $(engine_cmd "$e" "$q" "$OUT") \
          || fail_with_log "$e on $q failed" "$log"
      fi
      line=$(grep '^stream ' "$WORK/$e-$q.out" | tail -1)
      [ -n "$line" ] || fail_with_log "$e on $q printed no result line" "$WORK/$e-$q.out"
      # Flink logs each checkpoint it completes; the count shows they were taken during the run.
      [ "$e" != flink-ckpt ] || line="$line checkpoints=$(grep -c 'Completed checkpoint' "$log" || true)"
      if LC_ALL=C sort "$OUT" | cmp -s - "$ANSWERS/$q.txt"; then
        echo "$line round=$rep output=ok" | tee -a "$RESULTS"
      else
        echo "stream engine=$e query=$q round=$rep output=WRONG ($(wc -l <"$OUT") lines, the answer has $(wc -l <"$ANSWERS/$q.txt"))" | tee -a "$RESULTS"
      fi
    done
  done
done
rm -f "$OUT"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo
printf 'stream benchmark: Nexmark %s over %s events (seed %s, %s bytes), median of %s round(s);\n' \
  "$QUERIES" "$EVENTS" "$SEED" "$BYTES" "$REPEAT"
printf 'cairn = Cairn'"'"'s in-JVM executor at parallelism %s; cairn-cluster = 2 worker processes of cluster up; flink = Apache Flink %s, local environment, parallelism %s;\n-ckpt = exactly-once checkpoints every %s; jet = Hazelcast %s, one embedded member, %s cooperative threads;\n' "$PARALLELISM" "${FLINK_VERSION:--}" "$PARALLELISM" "$CHECKPOINT_INTERVAL" "${JET_VERSION:--}" "$PARALLELISM"
printf '%s cores, load average %s before, %s after; raw lines in %s\n' "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER" "$RESULTS"
printf 'events/s = events in the file / seconds from job start to the last output written (JVM start excluded)\n\n'
awk -v queries="$QUERIES" -v engines="$ENGINES" '
  function field(line, key) { return match(line, " " key "=[^ ]*") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "" }
  function median(key,   a, n, i, j, t) {
    if (wrong[key]) return "WRONG"
    n = split(vals[key], a, " ")
    if (n == 0) return "-"
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return sprintf("%.0f", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
  }
  function ratio(a, b) { return (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
  $1 == "stream" {
    k = field($0, "engine") SUBSEP field($0, "query")
    if (field($0, "output") == "ok") vals[k] = vals[k] (vals[k] == "" ? "" : " ") field($0, "events_per_s"); else wrong[k] = 1
  }
  END {
    nq = split(queries, qs, " "); ne = split(engines, es, " ")
    printf "%-44s", "events/s"; for (i = 1; i <= nq; i++) printf " %12s", qs[i]; print ""
    for (j = 1; j <= ne; j++) {
      label = es[j] == "cairn" ? "cairn (in-JVM executor)" : es[j] == "cairn-cluster" ? "cairn-cluster (2 workers)" : es[j] == "cairn-cluster-ckpt" ? "cairn-cluster, checkpoints" : es[j] == "flink-ckpt" ? "flink, checkpoints" : es[j]
      printf "%-44s", label; for (i = 1; i <= nq; i++) printf " %12s", median(es[j] SUBSEP qs[i]); print ""
    }
    print ""
    # The ratios of Cairn as a cluster when it ran, else of the in-JVM executor.
    main = (" " engines " " ~ / cairn-cluster /) ? "cairn-cluster" : "cairn"
    for (j = 1; j <= ne; j++) {
      if (es[j] ~ /^cairn/) continue
      # Checkpointed Flink against checkpointed Cairn when both ran.
      mine = es[j] == "flink-ckpt" && " " engines " " ~ / cairn-cluster-ckpt / ? "cairn-cluster-ckpt" : main
      target = es[j] ~ /^flink/ ? " (target >= 3)" : es[j] == "jet" ? " (target > 1, aim 2)" : ""
      printf "%-44s", mine " / " es[j] target
      for (i = 1; i <= nq; i++) printf " %12s", ratio(median(mine SUBSEP qs[i]), median(es[j] SUBSEP qs[i])); print ""
    }
    if (" " engines " " ~ / cairn-cluster-ckpt / && main == "cairn-cluster") {
      printf "%-44s", "cairn checkpointed / unchecked (>= 0.9)"
      for (i = 1; i <= nq; i++) printf " %12s", ratio(median("cairn-cluster-ckpt" SUBSEP qs[i]), median(main SUBSEP qs[i])); print ""
    }
    if (" " engines " " ~ / flink-ckpt / && " " engines " " ~ / flink /) {
      printf "%-44s", "flink checkpointed / unchecked"
      for (i = 1; i <= nq; i++) printf " %12s", ratio(median("flink-ckpt" SUBSEP qs[i]), median("flink" SUBSEP qs[i])); print ""
    }
  }' "$RESULTS"
