#!/usr/bin/env bash
# TPC-H benchmark: the bundled tpch-qN examples (the dataflow API in batch mode) on a 'cluster up
# --nodes 2' cluster against Apache Spark 4 (Spark SQL, local[2]) and DuckDB (2 threads), both
# running the specification's SQL (TpchReference.SQL, one text for both) over the same .tbl files,
# in the same run. Every Cairn and Spark result is compared line for line with DuckDB's.
#
#   bench/tpch.sh                      # scale factor 1, all seven queries, all three engines
#   SF=0.1 QUERIES="q1 q6" bench/tpch.sh
#   ENGINES=cairn bench/tpch.sh        # without Spark (DuckDB, the reference, always runs)
#
# Environment: SF (scale factor, default 1), QUERIES (default "q1 q3 q5 q6 q9 q12 q18"), ENGINES
# (of "cairn spark", default both), WORK (scratch, default bench/work/tpch; tables are generated
# once per SF and kept), PARALLELISM (Cairn's tasks per stage, default 4), CAIRN_NODE_OPTS (node
# JVM options, default -Xmx3g), DUCKDB_THREADS (2), SPARK_CORES (local[N], default 2),
# SPARK_PARTITIONS (spark.sql.shuffle.partitions, default 4: two per core), SPARK_OPTS (the Spark
# JVM's options, default -Xmx4g), SPARK_JAVA (its java, default the one bin/java-env.sh finds).
#
# Times: Cairn's from 'submit' to its return (the job's whole life: planning, shipping, every
# stage, the output's commit; the JVM of the CLI included). DuckDB's and Spark's per query inside
# one process each, over views of the .tbl files, so that each query reads and parses the text
# files as each Cairn job does: DuckDB's from the query's execution to its last row; Spark's from
# spark.sql() to the last row collected on the driver, on a SparkSession started before the first
# query (its start, printed once, is in no query's time; the first query does pay for a cold JIT
# and Spark's lazily loaded classes). The engines run one after the other, never at once.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
SF=${SF:-1}
QUERIES=${QUERIES:-q1 q3 q5 q6 q9 q12 q18}
WORK=${WORK:-$ROOT/bench/work/tpch}
PARALLELISM=${PARALLELISM:-4}
DUCKDB_THREADS=${DUCKDB_THREADS:-2}
ENGINES=${ENGINES:-cairn spark}
SPARK_CORES=${SPARK_CORES:-2}
SPARK_PARTITIONS=${SPARK_PARTITIONS:-4}
SPARK_OPTS=${SPARK_OPTS:--Xmx4g}
export CAIRN_NODE_OPTS=${CAIRN_NODE_OPTS:--Xmx3g}
TABLES="$WORK/sf$SF"
mkdir -p "$WORK"

echo "building ..."
"$ROOT/bin/cairn" --version >/dev/null
(cd "$ROOT" && mvn -B -q -o -DskipTests -pl examples -am test-compile \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null 2>&1 \
  || mvn -B -q -DskipTests -pl examples -am test-compile \
       dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath.txt")
CP="$ROOT/examples/target/test-classes:$(cat "$WORK/classpath.txt")"
has() { case " $ENGINES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
if has spark; then
  . "$ROOT/bench/spark/spark-env.sh"
  spark_build "$WORK"
fi

if [ ! -f "$TABLES/.done" ]; then
  echo "generating TPC-H tables, scale factor $SF ..."
  rm -rf "$TABLES"
  "$JAVA" -cp "$CP" dev.cairn.examples.tpch.TpchTableWriter "$SF" "$TABLES"
  touch "$TABLES/.done"
fi

echo "duckdb ($DUCKDB_THREADS threads) ..."
rm -rf "$WORK/out-duckdb"
# shellcheck disable=SC2086
"$JAVA" -Xmx4g --enable-native-access=ALL-UNNAMED -cp "$CP" dev.cairn.examples.tpch.TpchReference \
  "$TABLES" "$WORK/out-duckdb" "$DUCKDB_THREADS" $QUERIES | tee "$WORK/duckdb-times.txt"

if has spark; then
  echo "spark (local[$SPARK_CORES], $SPARK_PARTITIONS shuffle partitions) ..."
  rm -rf "$WORK/out-spark"
  # TpchReference (the SQL) comes from the examples' test classes, before Spark's jars on the class path.
  # shellcheck disable=SC2086
  "$SPARK_JAVA" $SPARK_OPTS $SPARK_JAVA_FLAGS -Dcairn.spark.cores="$SPARK_CORES" \
    -Dcairn.spark.partitions="$SPARK_PARTITIONS" -cp "$ROOT/examples/target/test-classes:$SPARK_CP" \
    dev.cairn.bench.spark.SparkTpch "$TABLES" "$WORK/out-spark" $QUERIES | tee "$WORK/spark-times.txt"
fi

now() { date +%s.%N; }
: >"$WORK/cairn-times.txt"
if has cairn; then
  CLUSTER="$WORK/cluster"
  "$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true
  rm -rf "$CLUSTER"
  trap '"$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true' EXIT
  "$ROOT/bin/cairn" cluster up --nodes 2 --dir "$CLUSTER" >/dev/null
  MASTER=$(sed -n 's/.*"master": "\([^"]*\)".*/\1/p' "$CLUSTER/cluster.json")
  for q in $QUERIES; do
    echo "cairn $q ..."
    out="$WORK/out-cairn-$q"
    rm -rf "$out"
    t0=$(now)
    "$ROOT/bin/cairn" submit --master "$MASTER" --parallelism "$PARALLELISM" --example "tpch-$q" "$TABLES" "$out" \
      </dev/null >"$WORK/submit-$q.log" 2>&1 || { echo "$q failed:"; cat "$WORK/submit-$q.log"; exit 1; }
    t1=$(now)
    echo "$q $(awk "BEGIN {print ($t1 - $t0) * 1000}")" >>"$WORK/cairn-times.txt"
    cat "$out"/part-* >"$WORK/out-cairn-$q.txt"
  done
  "$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true
  trap - EXIT
fi

seconds() { awk -v q="$2" '$1 == q {printf "%.2f", $2 / 1000; found = 1} END {if (!found) printf "-"}' "$1"; }
ratio() { if [ "$1" = - ] || [ "$2" = - ]; then echo -; else awk "BEGIN {printf \"%.1f\", $1 / $2}"; fi; }
verdict() { # $1: engine, $2: its result file for query $q
  if ! has "$1"; then return 0; fi
  if cmp -s "$2" "$WORK/out-duckdb/$q.txt"; then echo "$1 ok"; else echo "$1 DIFFERS"; fi
}
differs=0
spark_start=$( [ -f "$WORK/spark-times.txt" ] && has spark && seconds "$WORK/spark-times.txt" start || echo -)
printf '\nTPC-H SF %s, %s cores, load %s; Cairn %s workers, parallelism %s; Spark local[%s] (session start %s s,\n' \
  "$SF" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" 2 "$PARALLELISM" "$SPARK_CORES" "$spark_start"
printf 'not in its times); DuckDB %s threads. Results compared with DuckDB'"'"'s.\n' "$DUCKDB_THREADS"
printf '%-6s %9s %9s %9s %12s %13s  %s\n' query "cairn s" "spark s" "duckdb s" "cairn/spark" "cairn/duckdb" result
for q in $QUERIES; do
  cairn=$(seconds "$WORK/cairn-times.txt" "$q")
  spark=-
  if has spark; then spark=$(seconds "$WORK/spark-times.txt" "$q"); fi
  duck=$(seconds "$WORK/duckdb-times.txt" "$q")
  result="$(verdict cairn "$WORK/out-cairn-$q.txt") $(verdict spark "$WORK/out-spark/$q.txt")"
  case "$result" in *DIFFERS*) differs=1 ;; esac
  printf '%-6s %9s %9s %9s %12s %13s  %s\n' "$q" "$cairn" "$spark" "$duck" "$(ratio "$cairn" "$spark")" \
    "$(ratio "$cairn" "$duck")" "$result"
done
if [ "$differs" = 1 ]; then
  echo "some results differ from DuckDB's: compare $WORK/out-<engine>... with $WORK/out-duckdb/<query>.txt" >&2
  exit 1
fi
