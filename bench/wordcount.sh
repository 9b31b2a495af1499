#!/usr/bin/env bash
# Word count COST benchmark: Cairn on a local multi-process cluster (one master, two workers),
# as a MapReduce job and as a dataflow program in batch mode, against Apache Spark 4 (the RDD API,
# local[2], bench/spark), Cairn's hand-written single-threaded word count and the shared hand-tuned
# one (../shared/bench/WordCountBaseline.java, the yardstick), on the same GenText corpus, in the
# same run, one after the other. Prints the times and their ratios; every output is checked against
# GenText's exact counts. Spark's time is its whole process (JVM, session start, job, output), as
# Cairn's is its CLI's from submit to return.
#
#   bench/wordcount.sh                 # 1 GiB corpus, seed 42
#   SIZE=256m SEED=7 bench/wordcount.sh
#
# Environment: SIZE, SEED, WORK (scratch dir, default bench/work), SHARED (the steering repo's
# shared/ folder holding bench/GenText.java, default ../shared), NODES (workers, default 2),
# CAIRN_NODE_OPTS (JVM options of the nodes, default -Xmx2g), BASELINE_OPTS (default -Xmx4g),
# ENGINES (default "cairn spark"; leave spark out to skip Spark), SPARK_CORES (local[N], default 2),
# SPARK_PARTITIONS (reduce partitions, default 4), SPARK_OPTS (default -Xmx4g), SPARK_JAVA.
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
ENGINES=${ENGINES:-cairn spark}
SPARK_CORES=${SPARK_CORES:-2}
SPARK_PARTITIONS=${SPARK_PARTITIONS:-4}
SPARK_OPTS=${SPARK_OPTS:--Xmx4g}
spark=0
case " $ENGINES " in *" spark "*) spark=1 ;; esac
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
if [ "$spark" = 1 ]; then
  . "$ROOT/bench/spark/spark-env.sh"
  spark_build "$WORK"
fi

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

if [ "$spark" = 1 ]; then
  echo "spark wordcount (local[$SPARK_CORES], RDD API) ..."
  rm -rf "$WORK/out-spark"
  ts0=$(now)
  # shellcheck disable=SC2086
  "$SPARK_JAVA" $SPARK_OPTS $SPARK_JAVA_FLAGS -Dcairn.spark.cores="$SPARK_CORES" \
    -Dcairn.spark.partitions="$SPARK_PARTITIONS" -cp "$SPARK_CP" dev.cairn.bench.spark.SparkWordCount \
    "$CORPUS" "$WORK/out-spark" | tee "$WORK/spark-times.txt"
  ts1=$(now)
fi

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
if [ "$spark" = 1 ]; then
  LC_ALL=C sort "$WORK"/out-spark/part-* | cmp - "$COUNTS" && echo "spark output: identical to GenText counts"
fi

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
if [ "$spark" = 1 ]; then
  sparks=$(awk "BEGIN {print $ts1 - $ts0}")
  printf 'spark local[%s] (process: JVM, session, job): %8.2f s  (session start %s ms, job %s ms)\n' "$SPARK_CORES" \
    "$sparks" "$(awk '$1 == "start" {print $2}' "$WORK/spark-times.txt")" "$(awk '$1 == "count" {print $2}' "$WORK/spark-times.txt")"
  printf 'ratio cairn / spark:                      %8.2f\n' "$(awk "BEGIN {print $cairn / $sparks}")"
  printf 'ratio cairn dataflow / spark:             %8.2f\n' "$(awk "BEGIN {print $dataflow / $sparks}")"
fi
