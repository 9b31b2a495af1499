#!/usr/bin/env bash
# Batch scheduler throughput: the real JobMaster, called directly on one thread (no RPC), runs a
# 10,000-task job on 10, 30 and 100 simulated workers. Prints tasks (assigned and completed) per
# second of CPU and CPU microseconds per heartbeat at each worker count. See bench/README.md.
#
#   bench/scheduler.sh
#   WORKERS=10,100 TASKS=20000 RUNS=5 bench/scheduler.sh
#
# Environment: WORKERS (comma-separated, default 10,30,100), TASKS (map tasks, default 10000),
# REDUCERS (default 10), SLOTS (per worker, default 4), RUNS (measured runs per row, median shown,
# default 7), WARMUP (unmeasured runs first, default 60), BENCH_OPTS (JVM options, default -Xmx1g), SKIP_BUILD=1, JFR=file.jfr (record a
# flight recording of the whole run).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
BENCH_OPTS=${BENCH_OPTS:--Xmx1g}
LOG_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
if [ -n "${JFR:-}" ]; then BENCH_OPTS="$BENCH_OPTS -XX:+FlightRecorder -XX:StartFlightRecording=filename=$JFR,settings=profile"; fi

if [ "${SKIP_BUILD:-}" != 1 ]; then
  echo "building ..."
  (cd "$ROOT" && mvn -B -q -DskipTests -pl bench -am package)
fi
CP="$ROOT/bench/target/classes:$ROOT/bench/target/lib/*"
ls "$ROOT"/bench/target/lib/cairn-batch-*.jar >/dev/null 2>&1 || { echo "error: bench/target/lib is missing; build without SKIP_BUILD" >&2; exit 1; }

# shellcheck disable=SC2086
"$JAVA" $CAIRN_JAVA_FLAGS $BENCH_OPTS $LOG_OPTS -cp "$CP" dev.cairn.bench.SchedulerBench \
  --workers "${WORKERS:-10,30,100}" --tasks "${TASKS:-10000}" --reducers "${REDUCERS:-10}" \
  --slots "${SLOTS:-4}" --runs "${RUNS:-7}" --warmup "${WARMUP:-60}"
