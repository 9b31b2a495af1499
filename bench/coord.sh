#!/usr/bin/env bash
# Coord benchmark: Cairn's coord (3 Raft members, from 'cairn cluster up --nodes 3') against an
# Apache ZooKeeper ensemble (3 servers, bench/zk-ensemble.sh) on this machine, in the same run, with
# the same load client (ZkLoad: the stock ZooKeeper client, asynchronous API). For every
# SESSIONSxPIPELINE in RUNS and every mix in MIXES it runs ZkLoad against Cairn and against
# ZooKeeper (REPEAT times, alternating the order), and finally prints a table with both and the
# ratios Cairn/ZooKeeper of throughput and latency. Both clusters are torn down at the end, also on failure or Ctrl-C.
# With SECURE=on|both Cairn also runs secured ('cluster up --secure': ZkLoad connects over mutual TLS as
# admin, with ZooKeeper's client TLS properties), and the table adds its rows and, with both, the ratio
# Cairn TLS / Cairn plain per row (issue #22's target: TLS costs under 15% of writes/s).
#
#   bench/coord.sh                               # 1x1 and 64x1, write-only and read-only, 10 s each
#   DURATION=3 RUNS="1x1 64x1 64x16" bench/coord.sh
#   GRID=1 bench/coord.sh                        # the write grid: 128 B/1 KiB/16 KiB x 1/16/64 sessions x 1/16 outstanding
#   CAIRN_CONNECT=127.0.0.1:2181,... bench/coord.sh   # an already running coord service (not stopped)
#   SECURE=both ZOOKEEPER=0 PRIME=20 ROW_PRIME=10 DURATION=5 bench/coord.sh   # the cost of TLS only
#
# Environment:
#   DURATION       measured seconds per run (default 10)     WARMUP     unmeasured seconds before (default 3)
#   RUNS           SESSIONSxPIPELINE list (default "1x1 64x1"; with GRID=1 every SESSIONS x PIPELINES)
#   MIXES          write (setData only), read (getData only) or a read ratio 0..1 (default "write read";
#                  with GRID=1 "write")
#   VALUE_SIZES    bytes per znode, a list: every row runs with each (default VALUE_SIZE, or 128;
#                  with GRID=1 "128 1024 16384")           KEYS       znodes (default 1000)
#   GRID=1         the grid of issue #18: VALUE_SIZES x SESSIONS ("1 16 64") x PIPELINES ("1 16")
#                  x MIXES; the table then also says, per row with >= 16 requests outstanding in
#                  total, whether Cairn met ZooKeeper's writes/s and write p99, and where Cairn's
#                  writes/s fell as the offered load (sessions x pipeline) rose at one value size
#   WORK           scratch dir (default bench/work/coord)    CAIRN_CONNECT  skip starting Cairn, use this
#   CAIRN_NODE_OPTS  JVM options of Cairn's nodes (default -Xmx1g)
#   ZK_HEAP        JVM heap option of each ZooKeeper server (default -Xmx512m)
#   LOAD_OPTS      JVM options of the load client (default -Xmx1g)
#   REPEAT         runs per system and row, alternating which system goes first; the table shows
#                  medians (default 1; on a busy machine use 3 or more)
#   PRIME          seconds of unmeasured mixed load (16 sessions x 4, half reads) on each system
#                  before the first row (default 40; 0: none). Both are JVMs still compiling hot
#                  paths well after 15 s: Cairn's 64-session writes/s kept rising for ~40 s of load
#   ROW_PRIME      seconds of unmeasured load of each row's own shape on each system before that
#                  row's runs (default 30; 0: none). After the mixed prime both still compile for
#                  a row's shape: on 12-05, in successive 12 s windows of 1-session writes after it,
#                  Cairn compiled 723, 372, 326, 227, 151 methods and went 632 -> 879 writes/s;
#                  ZooKeeper compiled 282 and then ~20 a window, going 750 -> 1,028 -> ~1,050
#   FIRST          which server the first session of every run uses (and the round-robin starts at):
#                  follower (default), leader or listed (the first of the connect string). With one
#                  session this decides the path of a change: through a follower it is forwarded to
#                  the leader and its commit comes back, as for most clients of a 3-member ensemble
#                  (ZooKeeper's leader is usually its last server, Cairn's whichever won the election)
#   SECURE         off: Cairn plain (default); on: Cairn secured (TLS) instead; both: a plain and a secured
#                  cluster side by side (3 members each), every row runs on both, the order rotating per
#                  repeat. CAIRN_CONNECT names the plain one; the secured one is always started here
#   ZOOKEEPER      1: run the Apache ZooKeeper baseline (default); 0: skip it (Cairn only)
#   ZOOKEEPER_TLS  1: the ZooKeeper ensemble also serves mutual TLS (zk-ensemble.sh ZK_TLS, a node
#                  certificate of the secured Cairn's CA, so ZkLoad --security works unchanged) and
#                  every row also runs on it (zookeeper-tls), with the ratio ZooKeeper TLS / plain
#                  beside Cairn's; needs SECURE=on|both and ZOOKEEPER=1 (default 0). Both ZooKeeper
#                  rows then use NettyServerCnxnFactory, which ZooKeeper's TLS requires
#   Every zkload line also has the CPU seconds of the load client and of the system's server
#   processes over the measured interval (ZkLoad --cpu-pids); the table is followed by them per row.
#   SKIP_BUILD=1   do not run Maven (the bench module and Cairn must be built)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
GRID=${GRID:-0}
if [ "$GRID" = 1 ]; then
  SESSIONS=${SESSIONS:-1 16 64}
  PIPELINES=${PIPELINES:-1 16}
  if [ -z "${RUNS:-}" ]; then
    RUNS=""
    for s in $SESSIONS; do for p in $PIPELINES; do RUNS="$RUNS ${s}x$p"; done; done
  fi
  MIXES=${MIXES:-write}
  VALUE_SIZES=${VALUE_SIZES:-128 1024 16384}
fi
RUNS=${RUNS:-1x1 64x1}
MIXES=${MIXES:-write read}
VALUE_SIZES=${VALUE_SIZES:-${VALUE_SIZE:-128}}
VALUE_SIZE=${VALUE_SIZES%% *} # the priming's; each row sets its own
KEYS=${KEYS:-1000}
WORK=${WORK:-$ROOT/bench/work/coord}
CAIRN_CONNECT=${CAIRN_CONNECT:-}
export CAIRN_NODE_OPTS=${CAIRN_NODE_OPTS:--Xmx1g}
export ZK_HEAP=${ZK_HEAP:--Xmx512m}
LOAD_OPTS=${LOAD_OPTS:--Xmx1g}
REPEAT=${REPEAT:-1}
PRIME=${PRIME:-40}
ROW_PRIME=${ROW_PRIME:-30}
FIRST=${FIRST:-follower}
SKIP_BUILD=${SKIP_BUILD:-0}
SECURE=${SECURE:-off}
ZOOKEEPER=${ZOOKEEPER:-1}
ZOOKEEPER_TLS=${ZOOKEEPER_TLS:-0}

mix_ratio() { # write|read|0..1 -> read ratio
  case $1 in
    write) echo 0 ;;
    read) echo 1 ;;
    *) awk -v r="$1" 'BEGIN { if (r ~ /^[0-9.]+$/ && r >= 0 && r <= 1) print r; else exit 1 }' \
         || { echo "error: MIXES: '$1' is neither write, read nor a read ratio 0..1" >&2; exit 2; } ;;
  esac
}
for run in $RUNS; do
  [[ $run =~ ^[0-9]+x[0-9]+$ ]] || { echo "error: RUNS: '$run' is not SESSIONSxPIPELINE, e.g. 64x1" >&2; exit 2; }
done
for mix in $MIXES; do mix_ratio "$mix" >/dev/null; done
for size in $VALUE_SIZES; do
  [[ $size =~ ^[0-9]+$ ]] || { echo "error: VALUE_SIZES: '$size' is not a number of bytes" >&2; exit 2; }
done
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "error: REPEAT must be a positive integer" >&2; exit 2; }
[[ $PRIME =~ ^[0-9]+$ ]] || { echo "error: PRIME must be a number of seconds" >&2; exit 2; }
[[ $ROW_PRIME =~ ^[0-9]+$ ]] || { echo "error: ROW_PRIME must be a number of seconds" >&2; exit 2; }
case $SECURE in
  off) SYSTEMS="cairn" ;;
  on) SYSTEMS="cairn-tls" ;;
  both) SYSTEMS="cairn cairn-tls" ;;
  *) echo "error: SECURE must be off, on or both" >&2; exit 2 ;;
esac
case $ZOOKEEPER in
  1) SYSTEMS="$SYSTEMS zookeeper" ;;
  0) ;;
  *) echo "error: ZOOKEEPER must be 1 or 0" >&2; exit 2 ;;
esac
case $ZOOKEEPER_TLS in
  0) ;;
  1)
    [ "$ZOOKEEPER" = 1 ] && [ "$SECURE" != off ] \
      || { echo "error: ZOOKEEPER_TLS=1 needs ZOOKEEPER=1 and SECURE=on|both (it uses the secured Cairn's CA)" >&2; exit 2; }
    SYSTEMS="$SYSTEMS zookeeper-tls" ;;
  *) echo "error: ZOOKEEPER_TLS must be 1 or 0" >&2; exit 2 ;;
esac
[ "$SECURE" != on ] || [ -z "$CAIRN_CONNECT" ] || { echo "error: CAIRN_CONNECT names a plain coord; SECURE=on starts its own secured cluster" >&2; exit 2; }

CAIRN_DIR="$WORK/cairn"
CAIRN_TLS_DIR="$WORK/cairn-tls"
CAIRN_TLS_STARTED=0
ZK_DIR="$WORK/zk"
RESULTS="$WORK/results.txt"
CAIRN_STARTED=0
LOAD_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ "$rc" = 0 ] || echo "stopping (exit status $rc) ..." >&2
  if [ -n "$LOAD_PID" ]; then kill -TERM "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; fi
  if [ "$CAIRN_STARTED" = 1 ]; then
    "$ROOT/bin/cairn" cluster down --dir "$CAIRN_DIR" >/dev/null 2>&1 || echo "warning: 'cairn cluster down --dir $CAIRN_DIR' failed" >&2
  fi
  if [ "$CAIRN_TLS_STARTED" = 1 ]; then
    "$ROOT/bin/cairn" cluster down --dir "$CAIRN_TLS_DIR" >/dev/null 2>&1 || echo "warning: 'cairn cluster down --dir $CAIRN_TLS_DIR' failed" >&2
  fi
  "$ROOT/bench/zk-ensemble.sh" stop "$ZK_DIR" || echo "warning: stopping the ZooKeeper ensemble in $ZK_DIR failed" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$SKIP_BUILD" != 1 ]; then
  echo "building ..."
  "$ROOT/bin/cairn" --version >/dev/null
  (cd "$ROOT" && mvn -B -q -DskipTests -pl bench -am package)
fi
CP="$ROOT/bench/target/classes:$ROOT/bench/target/lib/*"
ls "$ROOT"/bench/target/lib/zookeeper-[0-9]*.jar >/dev/null 2>&1 || { echo "error: bench/target/lib is missing; build without SKIP_BUILD" >&2; exit 1; }

mkdir -p "$WORK"
: >"$RESULTS"
if [[ " $SYSTEMS " != *" cairn "* ]]; then
  :
elif [ -n "$CAIRN_CONNECT" ]; then
  echo "cairn: using CAIRN_CONNECT=$CAIRN_CONNECT"
else
  "$ROOT/bin/cairn" cluster down --dir "$CAIRN_DIR" >/dev/null 2>&1 || true
  rm -rf "$CAIRN_DIR"
  CAIRN_STARTED=1
  # Pipelined changes are on by default (coord.pipeline-writes); PIPELINE_WRITES=false measures them off.
  "$ROOT/bin/cairn" cluster up --nodes 3 --dir "$CAIRN_DIR" -D "coord.pipeline-writes=${PIPELINE_WRITES:-true}"
  CAIRN_CONNECT=$(sed -n 's/.*"coordConnect": *"\([^"]*\)".*/\1/p' "$CAIRN_DIR/cluster.json")
  [ -n "$CAIRN_CONNECT" ] || { echo "error: $CAIRN_DIR/cluster.json has no \"coordConnect\"; set CAIRN_CONNECT" >&2; exit 1; }
  echo "cairn: coord at $CAIRN_CONNECT"
fi
CAIRN_TLS_CONNECT=""
CAIRN_TLS_SECURITY=""
if [[ " $SYSTEMS " == *" cairn-tls "* ]]; then
  "$ROOT/bin/cairn" cluster down --dir "$CAIRN_TLS_DIR" >/dev/null 2>&1 || true
  rm -rf "$CAIRN_TLS_DIR"
  CAIRN_TLS_STARTED=1
  "$ROOT/bin/cairn" cluster up --secure --nodes 3 --dir "$CAIRN_TLS_DIR" -D "coord.pipeline-writes=${PIPELINE_WRITES:-true}"
  CAIRN_TLS_CONNECT=$(sed -n 's/.*"coordConnect": *"\([^"]*\)".*/\1/p' "$CAIRN_TLS_DIR/cluster.json")
  CAIRN_TLS_SECURITY=$(sed -n 's/.*"security": *"\([^"]*\)".*/\1/p' "$CAIRN_TLS_DIR/cluster.json")
  [ -n "$CAIRN_TLS_CONNECT" ] && [ -n "$CAIRN_TLS_SECURITY" ] \
    || { echo "error: $CAIRN_TLS_DIR/cluster.json lacks \"coordConnect\" or \"security\"" >&2; exit 1; }
  echo "cairn-tls: coord at $CAIRN_TLS_CONNECT (TLS, as admin of $CAIRN_TLS_SECURITY)"
fi
ZK_CONNECT=""
ZK_TLS_CONNECT=""
if [ "$ZOOKEEPER" = 1 ]; then
  "$ROOT/bench/zk-ensemble.sh" stop "$ZK_DIR" >/dev/null 2>&1 || true
  if [ "$ZOOKEEPER_TLS" = 1 ]; then
    ZK_CONNECT=$(ZK_TLS="$CAIRN_TLS_SECURITY" "$ROOT/bench/zk-ensemble.sh" start "$ZK_DIR")
    ZK_TLS_CONNECT=$(cat "$ZK_DIR/connect-tls")
  else
    ZK_CONNECT=$("$ROOT/bench/zk-ensemble.sh" start "$ZK_DIR")
  fi
fi

# connect_of SYSTEM: its connect string.
connect_of() {
  case $1 in
    cairn) echo "$CAIRN_CONNECT" ;;
    cairn-tls) echo "$CAIRN_TLS_CONNECT" ;;
    zookeeper) echo "$ZK_CONNECT" ;;
    zookeeper-tls) echo "$ZK_TLS_CONNECT" ;;
  esac
}

# pids_of SYSTEM: its server processes, comma-separated (empty for a CAIRN_CONNECT cluster).
pids_of() {
  case $1 in
    cairn) [ "$CAIRN_STARTED" = 1 ] && grep -o '"pid": *[0-9]*' "$CAIRN_DIR/cluster.json" | grep -o '[0-9]*$' | paste -sd, - ;;
    cairn-tls) grep -o '"pid": *[0-9]*' "$CAIRN_TLS_DIR/cluster.json" | grep -o '[0-9]*$' | paste -sd, - ;;
    zookeeper|zookeeper-tls) cut -d' ' -f2 "$ZK_DIR/zk.pids" | paste -sd, - ;;
  esac
}

# load LABEL CONNECT SESSIONS PIPELINE READ_RATIO [DURATION WARMUP [unrecorded]]: one ZkLoad run with values
# of VALUE_SIZE bytes; prints its zkload line and, unless unrecorded (priming), appends it to RESULTS.
load() {
  local out="$WORK/load.out" tls=() cpu=() pids
  case $1 in cairn-tls|zookeeper-tls) tls=(--security "$CAIRN_TLS_SECURITY") ;; esac
  pids=$(pids_of "$1" || true)
  [ -z "$pids" ] || cpu=(--cpu-pids "$pids")
  # Started in the background and waited for, so that Ctrl-C and TERM reach the trap at once.
  # shellcheck disable=SC2086
  "$JAVA" $CAIRN_JAVA_FLAGS $LOAD_OPTS -cp "$CP" dev.cairn.bench.ZkLoad --label "$1" --connect "$2" \
    --sessions "$3" --pipeline "$4" --read-ratio "$5" --value-size "$VALUE_SIZE" --keys "$KEYS" \
    --first-server "$FIRST" --duration "${6:-$DURATION}" --warmup "${7:-$WARMUP}" "${tls[@]}" "${cpu[@]}" >"$out" &
  LOAD_PID=$!
  if ! wait "$LOAD_PID"; then
    LOAD_PID=""
    echo "error: ZkLoad against $1 ($2) failed" >&2
    exit 1
  fi
  LOAD_PID=""
  if [ "${8:-}" = unrecorded ]; then grep '^zkload ' "$out"; else grep '^zkload ' "$out" | tee -a "$RESULTS"; fi
}

# Prime both systems (JIT, caches, log files) with a mixed load first: a freshly started server is
# measurably slower for its first seconds of writes, and the first row should not pay for that.
if [ "$PRIME" != 0 ]; then
  for sys in $SYSTEMS; do
    echo "priming $sys for $PRIME s ..."
    load "$sys" "$(connect_of "$sys")" 16 4 0.5 "$PRIME" 0 >/dev/null
  done
  : >"$RESULTS"
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for VALUE_SIZE in $VALUE_SIZES; do
for run in $RUNS; do
  for mix in $MIXES; do
    ratio=$(mix_ratio "$mix")
    if [ "$ROW_PRIME" != 0 ]; then
      for sys in $SYSTEMS; do
        echo "priming $sys for $run $mix ${VALUE_SIZE} B for $ROW_PRIME s ..."
        load "$sys" "$(connect_of "$sys")" "${run%x*}" "${run#*x}" "$ratio" "$ROW_PRIME" 0 unrecorded >/dev/null
      done
    fi
    for ((rep = 1; rep <= REPEAT; rep++)); do
      # Alternate which system goes first, so that drift in the machine's load favours none.
      if ((rep % 2 == 1)); then order=$SYSTEMS; else order=$(tr ' ' '\n' <<<"$SYSTEMS" | tac | tr '\n' ' '); fi
      for sys in $order; do
        load "$sys" "$(connect_of "$sys")" "${run%x*}" "${run#*x}" "$ratio"
      done
    done
  done
done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# The table: per row (value size, sessions, pipeline, mix) and system the median over REPEAT runs of
# each column (errors: the sum), then the ratios Cairn/ZooKeeper of those medians (throughput above 1
# and latency below 1: Cairn is faster). For write rows with >= 16 requests outstanding in total, the
# last column says whether Cairn met ZooKeeper's writes/s and write p99 (issue #18's target); after
# the table, every place where Cairn's writes/s fell as the offered load rose at one value size and mix.
# With SECURE=both each row also gets cairn-tls and the ratios Cairn TLS / Cairn plain, whose last column
# says whether TLS cost under 15% of writes/s (issue #22's target; write and mixed rows). Cairn/ZooKeeper
# compares the plain Cairn (the secured one with SECURE=on).
echo
printf 'coord benchmark: Cairn coord (3 members%s)%s, values of %s B, %s keys,\n' \
  "$(case $SECURE in on) echo ', mutual TLS' ;; both) echo '; plain and with mutual TLS' ;; esac)" \
  "$([ "$ZOOKEEPER" = 1 ] && echo " vs Apache ZooKeeper $(ls "$ROOT"/bench/target/lib/zookeeper-[0-9]*.jar | sed 's/.*zookeeper-\(.*\)\.jar/\1/') (3 servers)")" \
  "$(echo $VALUE_SIZES | tr ' ' /)" "$KEYS"
printf '%s s measured after %s s warmup, median of %s run(s) per row; %s cores, load average %s before, %s after;\n' \
  "$DURATION" "$WARMUP" "$REPEAT" "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER"
printf 'first session of every run on a %s; latencies in microseconds; raw zkload lines in %s\n\n' "$FIRST" "$RESULTS"
awk '
  function field(line, key) { return match(line, " " key "=[^ ]*") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "-" }
  function median(list,   a, n, i, j, t) { # list: space-separated numbers or "-"
    n = split(list, a, " ")
    if (n == 0 || a[1] == "-") return "-"
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return sprintf("%.1f", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
  }
  function ratio(a, b) { return (a == "-" || b == "-" || a + 0 == 0 || b + 0 == 0) ? "-" : sprintf("%.2fx", a / b) }
  function mixname(r) { return r + 0 == 0 ? "write" : (r + 0 == 1 ? "read" : "r=" r) }
  BEGIN { ncols = split("writes_per_s reads_per_s write_p50_us write_p99_us read_p50_us read_p99_us", cols, " ") }
  {
    key = field($0, "value_size") " " field($0, "sessions") " " field($0, "pipeline") " " field($0, "read_ratio"); sys = field($0, "label")
    if (!(key in seen)) { seen[key] = 1; keys[++nkeys] = key }
    for (c = 1; c <= ncols; c++) vals[key, sys, c] = vals[key, sys, c] (vals[key, sys, c] == "" ? "" : " ") field($0, cols[c])
    errs[key, sys] += field($0, "errors")
  }
  END {
    fmt = "%-13s %6s %8s %8s %-6s %11s %11s %9s %9s %9s %9s %6s %s\n"
    printf fmt, "system", "value", "sessions", "pipeline", "mix", "writes/s", "reads/s", "w p50", "w p99", "r p50", "r p99", "errors", "target"
    nsys = split("cairn cairn-tls zookeeper zookeeper-tls", systems, " ")
    for (k = 1; k <= nkeys; k++) {
      split(keys[k], kp, " ")
      delete m
      for (s = 1; s <= nsys; s++) {
        sys = systems[s]
        if (!((keys[k], sys) in errs)) continue
        for (c = 1; c <= ncols; c++) m[sys, c] = median(vals[keys[k], sys, c])
        printf fmt, sys, kp[1], kp[2], kp[3], mixname(kp[4]), m[sys, 1], m[sys, 2], m[sys, 3], m[sys, 4], m[sys, 5], m[sys, 6], errs[keys[k], sys] + 0, ""
      }
      base = ((keys[k], "cairn") in errs) ? "cairn" : "cairn-tls"
      if (((keys[k], base) in errs) && ((keys[k], "zookeeper") in errs)) {
        target = ""
        if (kp[4] + 0 == 0 && kp[2] * kp[3] >= 16 && m[base, 1] != "-" && m["zookeeper", 1] != "-")
          target = (m[base, 1] + 0 >= m["zookeeper", 1] + 0 && m[base, 4] + 0 <= m["zookeeper", 4] + 0) ? "met" : "MISSED"
        printf fmt, base "/zk", "", "", "", "", ratio(m[base, 1], m["zookeeper", 1]), ratio(m[base, 2], m["zookeeper", 2]),
          ratio(m[base, 3], m["zookeeper", 3]), ratio(m[base, 4], m["zookeeper", 4]),
          ratio(m[base, 5], m["zookeeper", 5]), ratio(m[base, 6], m["zookeeper", 6]), "", target
      }
      if (((keys[k], "cairn") in errs) && ((keys[k], "cairn-tls") in errs)) {
        # The cost of TLS: writes/s with TLS at least 0.85 x plain (issue #22), where the row writes.
        target = ""
        if (kp[4] + 0 < 1 && m["cairn", 1] + 0 > 0 && m["cairn-tls", 1] != "-")
          target = (m["cairn-tls", 1] / m["cairn", 1] >= 0.85) ? "tls met" : "tls MISSED"
        printf fmt, "tls/plain", "", "", "", "", ratio(m["cairn-tls", 1], m["cairn", 1]), ratio(m["cairn-tls", 2], m["cairn", 2]),
          ratio(m["cairn-tls", 3], m["cairn", 3]), ratio(m["cairn-tls", 4], m["cairn", 4]),
          ratio(m["cairn-tls", 5], m["cairn", 5]), ratio(m["cairn-tls", 6], m["cairn", 6]), "", target
      }
      if (((keys[k], "zookeeper") in errs) && ((keys[k], "zookeeper-tls") in errs)) {
        printf fmt, "zk tls/plain", "", "", "", "", ratio(m["zookeeper-tls", 1], m["zookeeper", 1]), ratio(m["zookeeper-tls", 2], m["zookeeper", 2]),
          ratio(m["zookeeper-tls", 3], m["zookeeper", 3]), ratio(m["zookeeper-tls", 4], m["zookeeper", 4]),
          ratio(m["zookeeper-tls", 5], m["zookeeper", 5]), ratio(m["zookeeper-tls", 6], m["zookeeper", 6]), "", ""
      }
      print ""
      cw[k] = m[base, 1]
    }
    # Where Cairn fell as offered load rose: any two rows of one value size and mix where the one
    # with more requests outstanding in total had fewer writes/s (a write mix only).
    falls = 0
    for (a = 1; a <= nkeys; a++) for (b = 1; b <= nkeys; b++) {
      split(keys[a], ka, " "); split(keys[b], kb, " ")
      if (ka[1] != kb[1] || ka[4] != kb[4] || ka[4] + 0 != 0 || cw[a] == "-" || cw[b] == "-") continue
      if (kb[2] * kb[3] > ka[2] * ka[3] && cw[b] + 0 < cw[a] + 0) {
        printf "cairn writes/s fell as offered load rose: %s B, %sx%s %s -> %sx%s %s\n", ka[1], ka[2], ka[3], cw[a], kb[2], kb[3], cw[b]
        falls++
      }
    }
    if (falls == 0) print "cairn writes/s never fell as offered load rose (rows of one value size, more requests outstanding in total)"
  }' "$RESULTS"

# Where the CPU goes: per row and system the medians of the load client's and the servers' CPU
# seconds over the measured interval, and the same per 1,000 requests completed (CPU ms per 1k).
if grep -q ' cpu_client_s=' "$RESULTS"; then
  echo
  echo "CPU over the measured interval (user + system, /proc/PID/stat; servers: the system's processes together, Cairn's nodes or ZooKeeper's servers)"
  awk '
    function field(line, key) { return match(line, " " key "=[^ ]*") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "-" }
    function median(list,   a, n, i, j, t) {
      n = split(list, a, " ")
      if (n == 0 || a[1] == "-") return "-"
      for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    {
      if (field($0, "cpu_client_s") == "-") next
      key = field($0, "value_size") " " field($0, "sessions") " " field($0, "pipeline") " " field($0, "read_ratio"); sys = field($0, "label")
      if (!(key in seen)) { seen[key] = 1; keys[++nkeys] = key }
      if (!((key, sys) in have)) { have[key, sys] = 1 }
      cl[key, sys] = cl[key, sys] " " field($0, "cpu_client_s")
      sv[key, sys] = sv[key, sys] " " field($0, "cpu_servers_s")
      rq[key, sys] = rq[key, sys] " " (field($0, "writes_per_s") + field($0, "reads_per_s")) * field($0, "seconds")
    }
    END {
      fmt = "%-14s %6s %8s %8s %-6s %10s %10s %12s %12s\n"
      printf fmt, "system", "value", "sessions", "pipeline", "mix", "client s", "servers s", "client ms/1k", "servers ms/1k"
      nsys = split("cairn cairn-tls zookeeper zookeeper-tls", systems, " ")
      for (k = 1; k <= nkeys; k++) {
        split(keys[k], kp, " ")
        for (s = 1; s <= nsys; s++) {
          sys = systems[s]
          if (!((keys[k], sys) in have)) continue
          c = median(cl[keys[k], sys]); v = median(sv[keys[k], sys]); r = median(rq[keys[k], sys])
          printf fmt, sys, kp[1], kp[2], kp[3], (kp[4] + 0 == 0 ? "write" : (kp[4] + 0 == 1 ? "read" : "r=" kp[4])),
            sprintf("%.2f", c), sprintf("%.2f", v), (r > 0 ? sprintf("%.1f", 1e6 * c / r) : "-"), (r > 0 ? sprintf("%.1f", 1e6 * v / r) : "-")
        }
        print ""
      }
    }' "$RESULTS"
fi
