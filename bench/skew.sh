#!/usr/bin/env bash
# Adaptive execution against none, on a 'cluster up --nodes 2' cluster, in the same run:
#  - a sort-merge join where one customer holds HOT_SHARE (30%) of ROWS orders (examples'
#    skewed-join): with adaptivity the skewed partition is split by the orders' map outputs;
#  - the MapReduce word count with one worker slowed to a tenth (SIGSTOP 900 ms / SIGCONT 100 ms)
#    and speculation off: with adaptivity its straggling maps hand the rest of their splits over.
# Each job runs with --adaptive off, then on; outputs are compared with each other (the join) or
# checked against GenText's exact counts (the word count). Prints times and ratios.
#
#   bench/skew.sh                      # 10M orders, 256 MiB corpus
#   ROWS=2000000 SIZE=64m bench/skew.sh
#
# Environment: ROWS, HOT_SHARE, SIZE (word count corpus), PARALLELISM (join tasks, default 8),
# SPLIT (master.split-size, default 16m), WORK (default bench/work/skew), SHARED (../shared).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
ROWS=${ROWS:-10000000}
HOT_SHARE=${HOT_SHARE:-0.3}
SIZE=${SIZE:-256m}
PARALLELISM=${PARALLELISM:-8}
SPLIT=${SPLIT:-16m}
WORK=${WORK:-$ROOT/bench/work/skew}
SHARED=${SHARED:-$ROOT/../shared}
mkdir -p "$WORK"

echo "building ..."
"$ROOT/bin/cairn" --version >/dev/null
CP="$ROOT/examples/target/classes:$ROOT/dataflow/target/classes:$ROOT/common/target/classes"
DATA="$WORK/data-$ROWS-$HOT_SHARE"
if [ ! -d "$DATA" ]; then
  echo "generating $ROWS orders, $HOT_SHARE of them customer 0's ..."
  "$JAVA" -cp "$CP" dev.cairn.examples.skew.SkewedJoin "$ROWS" "$DATA.tmp" "$HOT_SHARE" 1
  mv "$DATA.tmp" "$DATA"
fi
CORPUS="$WORK/corpus-$SIZE.txt"
if [ ! -f "$CORPUS" ]; then
  "$JAVA" "$SHARED/bench/GenText.java" --bytes "$SIZE" --seed 7 --out "$CORPUS.tmp" --counts "$WORK/counts-$SIZE.tsv"
  mv "$CORPUS.tmp" "$CORPUS"
fi

CLUSTER="$WORK/cluster"
"$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true
rm -rf "$CLUSTER"
THROTTLE=
cleanup() {
  [ -n "$THROTTLE" ] && kill "$THROTTLE" 2>/dev/null || true
  "$ROOT/bin/cairn" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$ROOT/bin/cairn" cluster up --nodes 2 --dir "$CLUSTER" -D master.split-size="$SPLIT" >/dev/null
MASTER=$(sed -n 's/.*"master": "\([^"]*\)".*/\1/p' "$CLUSTER/cluster.json")
now() { date +%s.%N; }
declare -A T

for mode in off on; do
  out="$WORK/join-$mode"
  rm -rf "$out"
  t0=$(now)
  "$ROOT/bin/cairn" submit --master "$MASTER" --parallelism "$PARALLELISM" --speculation off --adaptive "$mode" \
    --example skewed-join "$DATA" "$out" </dev/null >"$WORK/join-$mode.log" 2>&1 \
    || { cat "$WORK/join-$mode.log"; exit 1; }
  T[join-$mode]=$(awk "BEGIN {print $(now) - $t0}")
  grep '^decided' "$WORK/join-$mode.log" || true
done
cmp -s <(cat "$WORK"/join-off/part-* | LC_ALL=C sort) <(cat "$WORK"/join-on/part-* | LC_ALL=C sort) \
  || { echo "join outputs differ"; exit 1; }

# Worker 2 slowed to a tenth for the word count runs.
PID2=$(grep -o '"id": "worker-2"[^}]*"pid": [0-9]*' "$CLUSTER/cluster.json" | grep -o '[0-9]*$')
for mode in off on; do
  out="$WORK/wc-$mode"
  rm -rf "$out"
  ( for _ in $(seq 1 600); do kill -STOP "$PID2"; sleep 0.9; kill -CONT "$PID2"; sleep 0.1; done ) &
  THROTTLE=$!
  t0=$(now)
  "$ROOT/bin/cairn" submit --master "$MASTER" --speculation off --adaptive "$mode" --example wordcount \
    "$CORPUS" "$out" 2 </dev/null >"$WORK/wc-$mode.log" 2>&1 || { cat "$WORK/wc-$mode.log"; exit 1; }
  T[wc-$mode]=$(awk "BEGIN {print $(now) - $t0}")
  kill "$THROTTLE" 2>/dev/null || true
  wait "$THROTTLE" 2>/dev/null || true
  THROTTLE=
  kill -CONT "$PID2"
  echo "re-splits ($mode): $(grep -c '^decided.*re-split' "$WORK/wc-$mode.log" || true)"
  cmp -s <(cat "$out"/part-* | LC_ALL=C sort) <(LC_ALL=C sort "$WORK/counts-$SIZE.tsv") \
    || { echo "word count ($mode) differs from GenText's counts"; exit 1; }
done

printf '\n%s cores, load %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %10s %10s %8s\n' job "off s" "on s" "off/on"
printf '%-44s %10.2f %10.2f %8.2f\n' "skewed join ($ROWS orders, $HOT_SHARE hot)" "${T[join-off]}" "${T[join-on]}" \
  "$(awk "BEGIN {print ${T[join-off]} / ${T[join-on]}}")"
printf '%-44s %10.2f %10.2f %8.2f\n' "word count $SIZE, worker 2 at a tenth" "${T[wc-off]}" "${T[wc-on]}" \
  "$(awk "BEGIN {print ${T[wc-off]} / ${T[wc-on]}}")"
