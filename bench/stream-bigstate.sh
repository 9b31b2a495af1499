#!/usr/bin/env bash
# Keyed state larger than the heap: dataflow's BigStateTest runs BigStateJob (1M keys, a 1 KiB value
# each: ~1 GiB of keyed state, every value written once and read back and checked once) in a forked
# JVM with -Xmx256m on the RocksDB state backend, and fails unless it completes within the timeout.
# bin/test runs the same test at a quarter of the size (256 MiB of state in -Xmx128m, seconds);
# this script runs the gigabyte (KEYS, HEAP=256m by default).
#
#   bench/stream-bigstate.sh
#   KEYS=2000000 TIMEOUT=600 bench/stream-bigstate.sh
#
# Environment:
#   KEYS      distinct keys (default 1000000)
#   TIMEOUT   seconds the forked job may take (default 180)
#   OFFLINE   Maven offline (default 1; 0 to let Maven download)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
KEYS=${KEYS:-1000000}
TIMEOUT=${TIMEOUT:-180}
MVN_OFFLINE=$([ "${OFFLINE:-1}" = 1 ] && echo -o || true)
cd "$ROOT"
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
status=0
mvn -B $MVN_OFFLINE -pl common,rpc,dataflow test \
  -Dtest=BigStateTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dstream.bigstate.heap="${HEAP:-256m}" -Dstream.bigstate.keys="$KEYS" -Dstream.bigstate.timeout="$TIMEOUT" >"$LOG" 2>&1 || status=$?
grep -E '^OK |FAILED|Tests run:|\[ERROR\]' "$LOG" | head -40 || true
exit $status
