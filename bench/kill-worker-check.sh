#!/usr/bin/env bash
# Fault-tolerance check on real processes: WordCount over a GenText corpus on a 'cluster up
# --nodes 2' cluster, with one worker killed by SIGKILL while the job runs. Verifies the output
# against GenText's exact counts and shows the dead worker in 'cluster status'.
#
#   bench/kill-worker-check.sh            # 256 MiB corpus, seed 7
#   SIZE=1g bench/kill-worker-check.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
SIZE=${SIZE:-256m}
SEED=${SEED:-7}
WORK=${WORK:-$ROOT/bench/work}
SHARED=${SHARED:-$ROOT/../shared}
CAIRN="$ROOT/bin/cairn"
mkdir -p "$WORK"
CORPUS="$WORK/corpus-$SIZE-$SEED.txt"
COUNTS="$WORK/counts-$SIZE-$SEED.tsv"
if [ ! -f "$CORPUS" ] || [ ! -f "$COUNTS" ]; then
  "$JAVA" "$SHARED/bench/GenText.java" --bytes "$SIZE" --seed "$SEED" --out "$CORPUS.tmp" --counts "$COUNTS"
  mv "$CORPUS.tmp" "$CORPUS"
fi
CLUSTER="$WORK/kill-cluster"
"$CAIRN" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true
rm -rf "$CLUSTER" "$WORK/out-kill"
trap '"$CAIRN" cluster down --dir "$CLUSTER" >/dev/null 2>&1 || true' EXIT
"$CAIRN" cluster up --nodes 2 --dir "$CLUSTER" -Dmaster.worker-timeout=5s -Dmaster.split-size=16m
MASTER=$(sed -n 's/.*"master": "\([^"]*\)".*/\1/p' "$CLUSTER/cluster.json")
JOB=$("$CAIRN" submit --master "$MASTER" --detach --example wordcount "$CORPUS" "$WORK/out-kill" 2 | awk '{print $2}')
echo "submitted $JOB"
while :; do
  done_maps=$("$CAIRN" job status "$JOB" --master "$MASTER" | awk '$1 == "map" {print $5}')
  [ "${done_maps:-0}" -ge 3 ] && break
  sleep 0.2
done
VICTIM=$(cat "$CLUSTER/worker-2.pid")
echo "$done_maps maps done: kill -9 worker-2 (pid $VICTIM)"
kill -9 "$VICTIM"
while "$CAIRN" job status "$JOB" --master "$MASTER" | head -1 | grep -q RUNNING; do sleep 1; done
"$CAIRN" job status "$JOB" --master "$MASTER"
"$CAIRN" cluster status --dir "$CLUSTER" || true
LC_ALL=C sort "$WORK"/out-kill/part-r-* | cmp - "$COUNTS" && echo "output identical to GenText counts"
