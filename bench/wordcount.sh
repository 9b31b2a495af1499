#!/usr/bin/env bash
# Word count COST benchmark: Cairn on a local multi-process cluster (one master, two workers),
# as a MapReduce job and as a dataflow program in batch mode, against Cairn's hand-written
# single-threaded word count and the shared hand-tuned one (../shared/bench/WordCountBaseline.java,
# the yardstick), on the same GenText corpus, in the same run. Prints the times and their ratios;
# every output is checked against GenText's exact counts.
#
#   bench/wordcount.sh                 # 1 GiB corpus, seed 42
#   SIZE=256m SEED=7 bench/wordcount.sh
#
# Environment: SIZE, SEED, WORK (scratch dir, default bench/work), SHARED (the steering repo's
# shared/ folder holding bench/GenText.java, default ../shared), NODES (workers, default 2),
# CAIRN_NODE_OPTS (JVM options of the nodes, default -Xmx2g), BASELINE_OPTS (default -Xmx4g).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
SIZE=${SIZE:-1g}
SEED=${SEED:-42}
NODES=${NODES:-2}
WORK=${WORK:-$ROOT/bench/work}
SHARED=${SHARED:-$ROOT/../shared}
export CAIRN_NODE_OPTS=${CAIRN_NODE_OPTS:--Xmx2g}
BASELINE_OPTS=${BASELINE_OPTS:--Xmx4g}
GEN="$SHARED/bench/GenText.java"
[ -f "$GEN" ] || { echo "error: $GEN not found; set SHARED to the folder holding bench/GenText.java" >&2; exit 1; }

mkdir -p "$WORK"
CORPUS="$WORK/corpus-$SIZE-$SEED.txt"
COUNTS="$WORK/counts-$SIZE-$SEED.tsv"
if [ ! -f "$CORPUS" ] || [ ! -f "$COUNTS" ]; then
  echo "generating $SIZE corpus (seed $SEED) with GenText ..."
  "$JAVA" "$GEN" --bytes "$SIZE" --seed "$SEED" --out "$CORPUS.tmp" --counts "$COUNTS"
  mv "$CORPUS.tmp" "$CORPUS"
fi

echo "building ..."
"$ROOT/bin/cairn" --version >/dev/null
(cd "$ROOT" && mvn -B -q -DskipTests -pl bench -am package)
BENCH_JAR=$(ls "$ROOT"/bench/target/cairn-bench-*.jar | head -1)

CLUSTER="$WORK/cluster"
"$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true
rm -rf "$CLUSTER" "$WORK/out-cairn" "$WORK/out-single"
trap '"$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true' EXIT
"$ROOT/bin/cairn" cluster up --nodes "$NODES" --dir "$CLUSTER"
MASTER=$(sed -n 's/.*"master": "\([^"]*\)".*/\1/p' "$CLUSTER/cluster.json")

now() { date +%s.%N; }
echo "cairn wordcount ..."
t0=$(now)
"$ROOT/bin/cairn" submit --master "$MASTER" --example wordcount "$CORPUS" "$WORK/out-cairn" 2 </dev/null
t1=$(now)
echo "cairn dataflow wordcount (batch mode) ..."
rm -rf "$WORK/out-dataflow"
t4=$(now)
"$ROOT/bin/cairn" submit --master "$MASTER" --parallelism 2 --example dataflow-wordcount "$CORPUS" "$WORK/out-dataflow" </dev/null
t5=$(now)
"$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null
trap - EXIT

echo "WordCountBaseline (the shared hand-tuned single thread: the yardstick) ..."
tb0=$(now)
# shellcheck disable=SC2086
"$JAVA" $BASELINE_OPTS "$SHARED/bench/WordCountBaseline.java" "$CORPUS" "$WORK/out-baseline" 1
tb1=$(now)

echo "single-threaded wordcount ..."
t2=$(now)
# shellcheck disable=SC2086
"$JAVA" $BASELINE_OPTS -cp "$BENCH_JAR" dev.cairn.bench.SingleThreadWordCount "$CORPUS" "$WORK/out-single"
t3=$(now)

LC_ALL=C sort "$WORK"/out-cairn/part-r-* | cmp - "$COUNTS" && echo "cairn output: identical to GenText counts"
LC_ALL=C sort "$WORK/out-single" | cmp - "$COUNTS" && echo "single-thread output: identical to GenText counts"
LC_ALL=C sort "$WORK"/out-dataflow/part-* | cmp - "$COUNTS" && echo "cairn dataflow output: identical to GenText counts"
LC_ALL=C sort "$WORK/out-baseline" | cmp - "$COUNTS" && echo "WordCountBaseline output: identical to GenText counts"

cairn=$(awk "BEGIN {print $t1 - $t0}")
single=$(awk "BEGIN {print $t3 - $t2}")
printf '\ncorpus %s (%s bytes), %s cores\n' "$SIZE" "$(stat -c %s "$CORPUS")" "$(nproc)"
printf 'cairn (%s workers, submit to output): %8.2f s\n' "$NODES" "$cairn"
dataflow=$(awk "BEGIN {print $t5 - $t4}")
printf 'cairn dataflow (batch mode):         %8.2f s\n' "$dataflow"
printf 'single thread (baseline):            %8.2f s\n' "$single"
printf 'ratio cairn / single thread:         %8.2f  (below 1.0: Cairn beats one thread; COST <= %s cores)\n' \
  "$(awk "BEGIN {print $cairn / $single}")" "$(nproc)"
printf 'ratio cairn dataflow / single thread: %7.2f\n' "$(awk "BEGIN {print $dataflow / $single}")"
baseline=$(awk "BEGIN {print $tb1 - $tb0}")
printf 'WordCountBaseline (1 thread, with its compile): %8.2f s\n' "$baseline"
printf 'ratio cairn / WordCountBaseline:          %8.2f  (the target: <= 1)\n' "$(awk "BEGIN {print $cairn / $baseline}")"
printf 'ratio cairn dataflow / WordCountBaseline: %8.2f\n' "$(awk "BEGIN {print $dataflow / $baseline}")"
