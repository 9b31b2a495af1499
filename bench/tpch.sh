#!/usr/bin/env bash
# TPC-H benchmark: the bundled tpch-qN examples (the dataflow API in batch mode) on a 'cluster up
# --nodes 2' cluster against DuckDB (2 threads) running the specification's SQL over the same .tbl
# files, in the same run. Every Cairn result is compared line for line with DuckDB's.
#
#   bench/tpch.sh                      # scale factor 1, all seven queries
#   SF=0.1 QUERIES="q1 q6" bench/tpch.sh
#
# Environment: SF (scale factor, default 1), QUERIES (default "q1 q3 q5 q6 q9 q12 q18"), WORK
# (scratch, default bench/work/tpch; tables are generated once per SF and kept), PARALLELISM (tasks
# per stage, default 4), CAIRN_NODE_OPTS (node JVM options, default -Xmx3g), DUCKDB_THREADS (2).
#
# Times: Cairn's from 'submit' to its return (the job's whole life: planning, shipping, every
# stage, the output's commit; the JVM of the CLI included), DuckDB's per query over views of the
# .tbl files, so that each query reads and parses the text files as each Cairn job does.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
SF=${SF:-1}
QUERIES=${QUERIES:-q1 q3 q5 q6 q9 q12 q18}
WORK=${WORK:-$ROOT/bench/work/tpch}
PARALLELISM=${PARALLELISM:-4}
DUCKDB_THREADS=${DUCKDB_THREADS:-2}
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

CLUSTER="$WORK/cluster"
"$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true
rm -rf "$CLUSTER"
trap '"$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true' EXIT
"$ROOT/bin/cairn" cluster up --nodes 2 --dir "$CLUSTER" >/dev/null
MASTER=$(sed -n 's/.*"master": "\([^"]*\)".*/\1/p' "$CLUSTER/cluster.json")

now() { date +%s.%N; }
printf '\nTPC-H SF %s, %s cores, load %s\n' "$SF" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %10s %10s %8s  %s\n' query "cairn s" "duckdb s" ratio result
for q in $QUERIES; do
  out="$WORK/out-cairn-$q"
  rm -rf "$out"
  t0=$(now)
  "$ROOT/bin/cairn" submit --master "$MASTER" --parallelism "$PARALLELISM" --example "tpch-$q" "$TABLES" "$out" \
    </dev/null >"$WORK/submit-$q.log" 2>&1 || { echo "$q failed:"; cat "$WORK/submit-$q.log"; exit 1; }
  t1=$(now)
  if cat "$out"/part-* | cmp -s - "$WORK/out-duckdb/$q.txt"; then result="identical to DuckDB's"; else result="DIFFERS from DuckDB's"; fi
  cairn=$(awk "BEGIN {print $t1 - $t0}")
  duck=$(awk -v q="$q" '$1 == q {print $2 / 1000}' "$WORK/duckdb-times.txt")
  printf '%-6s %10.2f %10.2f %8.1f  %s\n' "$q" "$cairn" "$duck" "$(awk "BEGIN {print $cairn / $duck}")" "$result"
done
