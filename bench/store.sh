#!/usr/bin/env bash
# Store benchmark: put and get throughput of one file with replication 3 on 3 nodes, Cairn's store
# ('cairn cluster up --nodes 3', 'cairn fs put|get') against HDFS (a MiniDFSCluster with 3 DataNodes,
# bench HdfsStoreBench) and against 'dd' of the same bytes to the same disk, in the same run, on the
# same seeded random file. Prints a table of MB/s and the ratios the store is held to:
#   Cairn put >= 0.70 x (dd / replication)    Cairn put >= HDFS put
# With SECURE=on|both Cairn also runs as a secured cluster ('cluster up --secure': mutual TLS on
# every port, the CLI authenticating as admin), and the table adds its rows and the cost of TLS:
#   Cairn TLS put >= 0.85 x Cairn plain put    Cairn TLS get >= 0.85 x Cairn plain get   (issue #22)
# Every step is bounded in time; the Cairn cluster and the HDFS JVM are stopped at the end, also on
# failure or Ctrl-C, and the big files are deleted unless KEEP=1.
#
#   bench/store.sh                      # 1 GiB, one round
#   SIZE=256m REPEAT=3 bench/store.sh   # medians of three rounds
#   SECURE=both SIZE=512m HDFS_MODES= bench/store.sh   # the cost of TLS, without HDFS
#
# Environment:
#   SIZE           bytes of the file, e.g. 1g, 256m (default 1g)    SEED   its content (default 42)
#   REPEAT         rounds of dd, of Cairn put+get and of HDFS put+get per mode; the table shows
#                  medians (default 1)
#   WORK           scratch dir, on the disk to measure (default bench/work/store)
#   HDFS_MODES     default (HDFS as shipped: blocks not fsynced) and/or sync-block (CreateFlag.SYNC_BLOCK:
#                  every replica fsynced, like Cairn), comma-separated (default default,sync-block);
#                  empty (HDFS_MODES=) skips HDFS
#   SECURE         off: Cairn plain (default); on: Cairn secured with TLS only; both: a plain and a
#                  secured cluster side by side (3 nodes each), every round puts and gets the same file
#                  on both, alternating which goes first
#   DROP_CACHES=1  drop the page cache before every get (needs root; affects the whole machine)
#   KEEP=1         keep the data file WORK/data-SIZE-SEED.bin (the next run reuses it)
#   STEP_TIMEOUT   seconds any one step (generate, dd, put, get) may take (default 900)
#   CAIRN_NODE_OPTS  JVM options of Cairn's nodes (default -Xmx1g)
#   HDFS_OPTS      JVM options of the HDFS JVM: NameNode, DataNodes and client (default -Xmx2g)
#   SKIP_BUILD=1   do not run Maven (the bench module and Cairn must be built)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
SIZE=${SIZE:-1g}
SEED=${SEED:-42}
REPEAT=${REPEAT:-1}
WORK=${WORK:-$ROOT/bench/work/store}
HDFS_MODES=${HDFS_MODES-default,sync-block}
SECURE=${SECURE:-off}
DROP_CACHES=${DROP_CACHES:-0}
KEEP=${KEEP:-0}
STEP_TIMEOUT=${STEP_TIMEOUT:-900}
export CAIRN_NODE_OPTS=${CAIRN_NODE_OPTS:--Xmx1g}
HDFS_OPTS=${HDFS_OPTS:--Xmx2g}
SKIP_BUILD=${SKIP_BUILD:-0}
REPLICATION=3
BLOCK_SIZE=64m

size_bytes() { # 1g, 256m, 64k, 4096 (optionally with a trailing b) -> bytes
  local s=${1,,}
  s=${s%b}
  case $s in
    *[0-9]) ;;
    *k) s="${s%k} * 1024" ;;
    *m) s="${s%m} * 1048576" ;;
    *g) s="${s%g} * 1073741824" ;;
    *t) s="${s%t} * 1099511627776" ;;
    *) return 1 ;;
  esac
  [[ ${s%% *} =~ ^[0-9]+$ ]] || return 1
  echo $((s))
}
BYTES=$(size_bytes "$SIZE") && [ "$BYTES" -gt 0 ] || { echo "error: SIZE: '$SIZE' is not a size like 1g, 256m or 4096" >&2; exit 2; }
[[ $SEED =~ ^-?[0-9]+$ ]] || { echo "error: SEED must be an integer" >&2; exit 2; }
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "error: REPEAT must be a positive integer" >&2; exit 2; }
[[ $STEP_TIMEOUT =~ ^[1-9][0-9]*$ ]] || { echo "error: STEP_TIMEOUT must be a positive number of seconds" >&2; exit 2; }
[[ $HDFS_MODES =~ ^((default|sync-block)(,(default|sync-block))*)?$ ]] || { echo "error: HDFS_MODES: comma-separated default and/or sync-block, or empty" >&2; exit 2; }
case $SECURE in
  off) FLAVOURS="plain" ;;
  on) FLAVOURS="tls" ;;
  both) FLAVOURS="plain tls" ;;
  *) echo "error: SECURE must be off, on or both" >&2; exit 2 ;;
esac
if [ "$DROP_CACHES" = 1 ] && [ ! -w /proc/sys/vm/drop_caches ]; then
  echo "error: DROP_CACHES=1 needs write access to /proc/sys/vm/drop_caches" >&2; exit 2
fi

DATA="$WORK/data-$SIZE-$SEED.bin"
BACK="$WORK/back.bin"
DD_OUT="$WORK/dd.out"
CAIRN_DIR="$WORK/cairn"         # the plain cluster
CAIRN_TLS_DIR="$WORK/cairn-tls" # the secured one (its certificates under CAIRN_TLS_DIR/security)
HDFS_DIR="$WORK/hdfs"
RESULTS="$WORK/results.txt"
CAIRN_STARTED=0
CHILD_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ "$rc" = 0 ] || echo "stopping (exit status $rc) ..." >&2
  if [ -n "$CHILD_PID" ]; then kill -TERM "$CHILD_PID" 2>/dev/null || true; wait "$CHILD_PID" 2>/dev/null || true; fi
  if [ "$CAIRN_STARTED" = 1 ]; then
    for d in "$CAIRN_DIR" "$CAIRN_TLS_DIR"; do
      [ ! -f "$d/cluster.json" ] || "$ROOT/bin/cairn" cluster down --dir "$d" >/dev/null 2>&1 || echo "warning: 'cairn cluster down --dir $d' failed" >&2
    done
  fi
  # The clusters' data directories go; their logs (CAIRN_DIR/*.log, WORK/hdfs.log) stay.
  rm -rf "$DD_OUT" "$BACK" "$HDFS_DIR" "$CAIRN_DIR"/*/ "$CAIRN_TLS_DIR"/*/ 2>/dev/null || true
  [ "$KEEP" = 1 ] || rm -f "$DATA" 2>/dev/null || true
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
  tail -20 "$2" | tr '\r' '\n' | grep -v '^\s*$' | tail -15 >&2
  exit 1
}

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# The rate 'cairn fs put|get' reports: "put A -> B: N bytes in S s (R MB/s)" on stderr (after a progress
# line on a console; lines may be separated by carriage returns).
transfer_rate() { # VERB ERRFILE
  tr '\r' '\n' <"$2" | sed -n "s/^$1 .* bytes in [0-9.]* s (\([0-9.]*\) MB\/s)\$/\1/p" | tail -1
}

if [ "$SKIP_BUILD" != 1 ]; then
  echo "building ..."
  "$ROOT/bin/cairn" --version >/dev/null
  (cd "$ROOT" && mvn -B -q -DskipTests -pl bench -am package)
fi
CP="$ROOT/bench/target/classes:$ROOT/bench/target/lib/*"
HDFS_CP="$CP:$ROOT/bench/target/hdfs-lib/*"
ls "$ROOT"/bench/target/hdfs-lib/hadoop-client-minicluster-*.jar >/dev/null 2>&1 \
  || { echo "error: bench/target/hdfs-lib is missing; build without SKIP_BUILD" >&2; exit 1; }
HADOOP_VERSION=$(ls "$ROOT"/bench/target/hdfs-lib/hadoop-client-minicluster-*.jar | sed 's/.*minicluster-\(.*\)\.jar/\1/')

mkdir -p "$WORK"
"$ROOT/bin/cairn" cluster down --dir "$CAIRN_DIR" >/dev/null 2>&1 || true
"$ROOT/bin/cairn" cluster down --dir "$CAIRN_TLS_DIR" >/dev/null 2>&1 || true
rm -rf "$CAIRN_DIR" "$CAIRN_TLS_DIR" "$HDFS_DIR" "$BACK" "$DD_OUT"
# Room for the data file, the copies and the replicas: the data, dd's copy or back.bin, Cairn's replicas
# of every round on every cluster (deleting a file frees its blocks in the background) and HDFS's replicas.
flavours_count=$(wc -w <<<"$FLAVOURS")
need=$(( BYTES * (2 + REPLICATION * REPEAT * flavours_count + REPLICATION) ))
avail=$(df -B1 --output=avail "$WORK" | tail -1 | tr -d ' ')
if [ "$avail" -lt "$need" ]; then
  echo "error: $WORK has $((avail >> 20)) MiB free; this run needs about $((need >> 20)) MiB" >&2; exit 1
fi
: >"$RESULTS"

if [ -f "$DATA" ] && [ "$(stat -c %s "$DATA")" = "$BYTES" ]; then
  echo "data: reusing $DATA"
else
  echo "data: generating $SIZE (seed $SEED) ..."
  bounded "$STEP_TIMEOUT" /dev/null "$WORK/gen.log" "$JAVA" $CAIRN_JAVA_FLAGS -cp "$CP" dev.cairn.bench.GenBytes \
    --bytes "$BYTES" --seed "$SEED" --out "$DATA" || fail_with_log "generating $DATA failed" "$WORK/gen.log"
fi
SHA=$(sha256sum "$DATA" | cut -d' ' -f1)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# dd: the disk's sequential write bandwidth for these bytes, fsync included (from the page cache, as
# the systems read it).
for ((rep = 1; rep <= REPEAT; rep++)); do
  sync
  bounded "$STEP_TIMEOUT" /dev/null "$WORK/dd.log" env LC_ALL=C dd if="$DATA" of="$DD_OUT" bs=4M conv=fsync \
    || fail_with_log "dd failed" "$WORK/dd.log"
  # "268435456 bytes (268 MB, 256 MiB) copied, 0.52 s, 516 MB/s": recompute from bytes and seconds,
  # since dd switches units (GB/s) for fast disks.
  secs=$(sed -n 's/.* copied, \([0-9.e+-]*\) s,.*/\1/p' "$WORK/dd.log" | tail -1)
  [ -n "$secs" ] || fail_with_log "could not read dd's time" "$WORK/dd.log"
  rm -f "$DD_OUT"
  awk -v r="$rep" -v b="$BYTES" -v s="$secs" 'BEGIN { printf "dd round=%d bytes=%d seconds=%s mb_s=%.1f\n", r, b, s, b / 1e6 / s }' | tee -a "$RESULTS"
done

# Cairn: 3 worker nodes per cluster, each a store node; the client is the CLI on this machine (not a
# store node, so every replica goes over loopback TCP, as in the HDFS cluster). With SECURE=both the plain
# and the secured cluster run side by side, so that every round measures both under the same conditions.
CAIRN_STARTED=1
for flavour in $FLAVOURS; do
  if [ "$flavour" = tls ]; then dir=$CAIRN_TLS_DIR; secure=(--secure); else dir=$CAIRN_DIR; secure=(); fi
  echo "cairn: starting a ${flavour/tls/secured (TLS)} cluster with 3 store nodes ..."
  # In the foreground, not bounded(): 'cluster up' bounds itself (60 s per node), and stopped half-way it
  # would leave nodes running that no cluster.json names; a signal is handled once it returns.
  "$ROOT/bin/cairn" cluster up "${secure[@]}" --nodes 3 --dir "$dir" >"$WORK/cairn-up-$flavour.log" 2>&1 \
    || fail_with_log "'cairn cluster up ${secure[*]}' failed" "$WORK/cairn-up-$flavour.log"
done
# cairn_round FLAVOUR ROUND: put, stat, get, compare, rm on the flavour's cluster; appends its result line.
# Every command is given --dir of its cluster: in the secured one that makes it speak TLS as admin.
cairn_round() {
  local flavour=$1 rep=$2 dir=$CAIRN_DIR label=cairn put get replicas ok
  if [ "$flavour" = tls ]; then dir=$CAIRN_TLS_DIR; label=cairn-tls; fi
  sync
  bounded "$STEP_TIMEOUT" /dev/null "$WORK/$label-put.log" "$ROOT/bin/cairn" fs put -r "$REPLICATION" -b "$BLOCK_SIZE" \
    "$DATA" "/bench-$rep.bin" --dir "$dir" || fail_with_log "'cairn fs put' ($label) failed" "$WORK/$label-put.log"
  put=$(transfer_rate put "$WORK/$label-put.log")
  [ -n "$put" ] || fail_with_log "no transfer report from 'cairn fs put' ($label)" "$WORK/$label-put.log"
  replicas=$("$ROOT/bin/cairn" fs stat "/bench-$rep.bin" --dir "$dir" | awk '/ on / { n = split($NF, a, ","); if (min == "" || n < min) min = n } END { print min + 0 }')
  [ "$DROP_CACHES" != 1 ] || drop_caches
  bounded "$STEP_TIMEOUT" /dev/null "$WORK/$label-get.log" "$ROOT/bin/cairn" fs get "/bench-$rep.bin" "$BACK" \
    --dir "$dir" || fail_with_log "'cairn fs get' ($label) failed" "$WORK/$label-get.log"
  get=$(transfer_rate get "$WORK/$label-get.log")
  [ -n "$get" ] || fail_with_log "no transfer report from 'cairn fs get' ($label)" "$WORK/$label-get.log"
  ok=false
  [ "$(sha256sum "$BACK" | cut -d' ' -f1)" = "$SHA" ] && ok=true
  rm -f "$BACK"
  "$ROOT/bin/cairn" fs rm "/bench-$rep.bin" --dir "$dir"
  echo "$label round=$rep bytes=$BYTES put_mb_s=$put get_mb_s=$get min_replicas=$replicas sha256_ok=$ok" | tee -a "$RESULTS"
  [ "$ok" = true ] || { echo "error: the file 'cairn fs get' ($label) returned differs from $DATA (SHA-256)" >&2; exit 1; }
  [ "$replicas" -ge "$REPLICATION" ] || { echo "error: a block of /bench-$rep.bin ($label) has only $replicas replicas" >&2; exit 1; }
}
for ((rep = 1; rep <= REPEAT; rep++)); do
  # Alternate which cluster goes first, so that drift in the machine's load favours neither.
  order=$FLAVOURS
  ((rep % 2 == 1)) || order=$(tr ' ' '\n' <<<"$FLAVOURS" | tac | tr '\n' ' ')
  for flavour in $order; do cairn_round "$flavour" "$rep"; done
done
for d in "$CAIRN_DIR" "$CAIRN_TLS_DIR"; do
  [ ! -f "$d/cluster.json" ] || "$ROOT/bin/cairn" cluster down --dir "$d" >/dev/null
done
CAIRN_STARTED=0
rm -rf "$CAIRN_DIR"/*/ "$CAIRN_TLS_DIR"/*/

# HDFS: one JVM (NameNode, 3 DataNodes, client), REPEAT rounds of put+get per mode; none if HDFS_MODES is empty.
if [ -n "$HDFS_MODES" ]; then
echo "hdfs: MiniDFSCluster (Hadoop $HADOOP_VERSION) with 3 datanodes, $REPEAT round(s) of modes $HDFS_MODES ..."
modes_count=$(tr ',' '\n' <<<"$HDFS_MODES" | wc -l)
hdfs_limit=$(( STEP_TIMEOUT * (2 * REPEAT * modes_count + 1) ))
drop_flag=()
[ "$DROP_CACHES" != 1 ] || drop_flag=(--drop-caches)
# shellcheck disable=SC2086
bounded "$((hdfs_limit + 30))" "$WORK/hdfs.out" "$WORK/hdfs.log" "$JAVA" $CAIRN_JAVA_FLAGS $HDFS_OPTS -cp "$HDFS_CP" \
  dev.cairn.bench.HdfsStoreBench --file "$DATA" --base-dir "$HDFS_DIR" --back "$BACK" --replication "$REPLICATION" \
  --block-size "$BLOCK_SIZE" --modes "$HDFS_MODES" --repeat "$REPEAT" --sha256 "$SHA" --timeout "$hdfs_limit" "${drop_flag[@]}" \
  || { grep '^hdfs ' "$WORK/hdfs.out" >&2 || true; fail_with_log "HdfsStoreBench failed" "$WORK/hdfs.log"; }
grep '^hdfs ' "$WORK/hdfs.out" | tee -a "$RESULTS"
rm -rf "$HDFS_DIR" "$BACK"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# The table: medians over the rounds, then the ratios the issue asks for (MB = 10^6 bytes, as dd and
# 'cairn fs' report them).
echo
printf 'store benchmark: %s (%s bytes, seed %s), replication %s on 3 nodes, %s blocks, 1 MiB copy buffer;\n' \
  "$SIZE" "$BYTES" "$SEED" "$REPLICATION" "$BLOCK_SIZE"
printf 'Cairn (%s) vs %s vs dd, median of %s round(s); %s cores, load average %s before, %s after;\n' \
  "$(sed 's/tls/TLS/; s/ / and /' <<<"$FLAVOURS")" "$([ -n "$HDFS_MODES" ] && echo "HDFS $HADOOP_VERSION (MiniDFSCluster: $HDFS_MODES)" || echo "HDFS (skipped)")" "$REPEAT" "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER"
printf 'MB/s = 10^6 bytes/s; raw lines in %s\n\n' "$RESULTS"
awk -v repl="$REPLICATION" '
  function field(line, key) { return match(line, " " key "=[^ ]*") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "" }
  function add(key, v) { vals[key] = vals[key] (vals[key] == "" ? "" : " ") v }
  function median(key,   a, n, i, j, t) {
    n = split(vals[key], a, " ")
    if (n == 0) return "-"
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return sprintf("%.1f", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
  }
  function ratio(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
  function verdict(r, target) { return r == "-" ? "" : (r + 0 >= target ? " met" : " MISSED") }
  $1 == "dd" { add("dd", field($0, "mb_s")) }
  $1 == "cairn" { add("cairn_put", field($0, "put_mb_s")); add("cairn_get", field($0, "get_mb_s")) }
  $1 == "cairn-tls" { add("tls_put", field($0, "put_mb_s")); add("tls_get", field($0, "get_mb_s")) }
  $1 == "hdfs" { m = field($0, "mode"); add("hdfs_put_" m, field($0, "put_mb_s")); add("hdfs_get_" m, field($0, "get_mb_s")); add("hdfs_get", field($0, "get_mb_s")) }
  END {
    dd = median("dd"); cp = median("cairn_put"); cg = median("cairn_get"); tp = median("tls_put"); tg = median("tls_get")
    hp = median("hdfs_put_default"); hs = median("hdfs_put_sync-block"); hg = median("hdfs_get")
    fmt = "%-44s %10s %10s\n"
    printf fmt, "", "put MB/s", "get MB/s"
    printf fmt, "dd bs=4M conv=fsync (disk bandwidth)", dd, "-"
    if (cp != "-") printf fmt, "cairn (every replica fsynced)", cp, cg
    if (tp != "-") printf fmt, "cairn TLS (mutual TLS on every port)", tp, tg
    if (hp != "-") printf fmt, "hdfs default (replicas not fsynced)", hp, median("hdfs_get_default")
    if (hs != "-") printf fmt, "hdfs SYNC_BLOCK (every replica fsynced)", hs, median("hdfs_get_sync-block")
    print ""
    fmt = "%-44s %10s %10s%s\n"
    printf fmt, "ratio", "value", "target", ""
    if (cp != "-") { r = ratio(cp, dd == "-" ? "-" : dd / repl); printf fmt, "cairn put / (dd / " repl ")", r, ">= 0.70", verdict(r, 0.70) }
    if (tp != "-") { r = ratio(tp, dd == "-" ? "-" : dd / repl); printf fmt, "cairn TLS put / (dd / " repl ")", r, ">= 0.70", verdict(r, 0.70) }
    if (cp != "-" && tp != "-") {
      r = ratio(tp, cp); printf fmt, "cairn TLS put / plain put (cost of TLS)", r, ">= 0.85", verdict(r, 0.85)
      r = ratio(tg, cg); printf fmt, "cairn TLS get / plain get (cost of TLS)", r, ">= 0.85", verdict(r, 0.85)
    }
    if (hp != "-") { r = ratio(cp, hp); printf fmt, "cairn put / hdfs put (default, no fsync)", r, ">= 1.00", verdict(r, 1.00) }
    if (hs != "-") { r = ratio(cp, hs); printf fmt, "cairn put / hdfs put (SYNC_BLOCK)", r, ">= 1.00", verdict(r, 1.00) }
    if (hg != "-") printf "%-44s %10s\n", "cairn get / hdfs get", ratio(cg, hg)
  }' "$RESULTS"
