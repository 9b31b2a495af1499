#!/usr/bin/env bash
# A local Apache ZooKeeper ensemble for benchmarks: N (default 3) servers on loopback, each
# org.apache.zookeeper.server.quorum.QuorumPeerMain in its own JVM with its own zoo.cfg and dataDir
# under DIR, run from the ZooKeeper jars Maven put in bench/target/lib (the version pinned in the
# parent pom). Ports are free ones picked at start. Stock settings except those listed in zoo.cfg
# below; notably forceSync=yes (ZooKeeper's default: the transaction log is fsynced before acking).
#
#   bench/zk-ensemble.sh start DIR   # start, wait for a quorum, print the connect string
#                                    # (also written to DIR/connect); servers keep running
#   bench/zk-ensemble.sh stop DIR    # stop the servers started in DIR
#   bench/zk-ensemble.sh run DIR     # start, wait for Ctrl-C (or TERM), stop
#
# Environment: ZK_SERVERS (default 3), ZK_HEAP (default -Xmx512m), ZK_OPTS (more JVM options),
# ZK_START_TIMEOUT (seconds to wait for a quorum, default 60),
# ZK_TLS (a Cairn security dir, e.g. CLUSTER_DIR/security of 'cairn cluster up --secure'; default none):
#   every server also serves mutual TLS on a secureClientPort, with ZooKeeper's PEM key store: the
#   node certificate ZK_TLS/nodes/ZK_TLS_NODE.pem (default: the first there) as its key, ZK_TLS/ca.pem
#   as its trust, ssl.clientAuth=need. The client port stays plain (the quorum's links too), and both
#   ports use NettyServerCnxnFactory (ZooKeeper's TLS needs it), so plain and TLS are measured on the
#   same servers. The TLS connect string goes to DIR/connect-tls; a client that trusts ZK_TLS/ca.pem
#   and holds a certificate it issued (ZkLoad --security ZK_TLS) connects to it.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$ROOT/bin/java-env.sh"
ZK_SERVERS=${ZK_SERVERS:-3}
ZK_HEAP=${ZK_HEAP:--Xmx512m}
ZK_OPTS=${ZK_OPTS:-}
ZK_START_TIMEOUT=${ZK_START_TIMEOUT:-60}
ZK_TLS=${ZK_TLS:-}
ZK_TLS_NODE=${ZK_TLS_NODE:-}

usage() { echo "usage: $0 start|stop|run DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
CMD=$1
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
PIDS="$DIR/zk.pids"

# True if PID is alive and is the ZooKeeper server of zoo.cfg CFG (guards against reused pids).
is_ours() {
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

stop_all() {
  [ -f "$PIDS" ] || return 0
  local id pid cfg left deadline
  while read -r id pid cfg; do
    if is_ours "$pid" "$cfg"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done <"$PIDS"
  deadline=$((SECONDS + 15))
  while :; do
    left=0
    while read -r id pid cfg; do
      if is_ours "$pid" "$cfg"; then left=1; fi
    done <"$PIDS"
    [ $left -eq 0 ] && break
    if [ $SECONDS -ge $deadline ]; then
      while read -r id pid cfg; do
        if is_ours "$pid" "$cfg"; then echo "zk$id (pid $pid) ignored TERM; killing it" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
      done <"$PIDS"
      break
    fi
    sleep 0.2
  done
  rm -f "$PIDS"
}

# Prints the server's Mode (leader, follower, standalone) from the srvr four-letter word, or nothing.
zk_mode() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf srvr >&3 && cat <&3' _ "$1" 2>/dev/null \
    | sed -n 's/^Mode: //p' || true
}

lib_classpath() {
  local lib="$ROOT/bench/target/lib"
  if ! ls "$lib"/zookeeper-[0-9]*.jar >/dev/null 2>&1; then
    echo "building the bench module (ZooKeeper jars into bench/target/lib) ..." >&2
    (cd "$ROOT" && mvn -B -q -DskipTests -pl bench -am package)
  fi
  echo "$lib/*"
}

start_all() {
  if [ -f "$PIDS" ]; then
    while read -r id pid cfg; do
      if is_ours "$pid" "$cfg"; then echo "error: a ZooKeeper ensemble is already running in $DIR; stop it with '$0 stop $DIR'" >&2; exit 1; fi
    done <"$PIDS"
    rm -f "$PIDS"
  fi
  local cp ports i j connect="" connect_tls="" servers="" cfg deadline modes mode pid leader="" per=3 key="" tls_cfg=""
  cp=$(lib_classpath)
  if [ -n "$ZK_TLS" ]; then
    per=4
    if [ -n "$ZK_TLS_NODE" ]; then key="$ZK_TLS/nodes/$ZK_TLS_NODE.pem"; else key=$(ls "$ZK_TLS"/nodes/*.pem 2>/dev/null | head -1); fi
    [ -n "$key" ] && [ -r "$key" ] && [ -r "$ZK_TLS/ca.pem" ] \
      || { echo "error: ZK_TLS=$ZK_TLS: no readable node certificate (nodes/*.pem) and ca.pem there" >&2; exit 1; }
    # Unknown zoo.cfg keys become zookeeper.* system properties: the ssl.* ones are X509Util's.
    # clientHostnameVerification=false: clients (a user's certificate) have no address in their certificate.
    tls_cfg="serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
ssl.keyStore.location=$key
ssl.keyStore.type=PEM
ssl.trustStore.location=$ZK_TLS/ca.pem
ssl.trustStore.type=PEM
ssl.clientAuth=need
ssl.clientHostnameVerification=false"
  fi
  # Three ports per server: client, quorum (follower to leader), leader election; with ZK_TLS a secure client port.
  read -r -a ports <<<"$("$JAVA" -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" dev.cairn.bench.FreePorts $((per * ZK_SERVERS)))"
  [ "${#ports[@]}" -eq $((per * ZK_SERVERS)) ] || { echo "error: could not pick $((per * ZK_SERVERS)) free ports (see above)" >&2; exit 1; }
  for ((i = 1; i <= ZK_SERVERS; i++)); do
    j=$((per * (i - 1)))
    servers+="server.$i=127.0.0.1:${ports[j + 1]}:${ports[j + 2]}"$'\n'
    connect+="${connect:+,}127.0.0.1:${ports[j]}"
    [ -z "$ZK_TLS" ] || connect_tls+="${connect_tls:+,}127.0.0.1:${ports[j + 3]}"
  done
  for ((i = 1; i <= ZK_SERVERS; i++)); do
    j=$((per * (i - 1)))
    rm -rf "$DIR/zk$i"
    mkdir -p "$DIR/zk$i/data"
    echo "$i" >"$DIR/zk$i/data/myid"
    cfg="$DIR/zk$i/zoo.cfg"
    # maxClientCnxns=0: the load client opens all its sessions from 127.0.0.1 (default limit 60 per IP).
    # admin.enableServer=false: the Jetty admin server is not on the class path and not needed.
    cat >"$cfg" <<EOF
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$DIR/zk$i/data
clientPort=${ports[j]}
clientPortAddress=127.0.0.1
forceSync=yes
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr
$servers
EOF
    if [ -n "$ZK_TLS" ]; then
      printf 'secureClientPort=%s\nsecureClientPortAddress=127.0.0.1\n%s\n' "${ports[j + 3]}" "$tls_cfg" >>"$cfg"
    fi
    # shellcheck disable=SC2086
    nohup "$JAVA" $CAIRN_JAVA_FLAGS $ZK_HEAP $ZK_OPTS \
      -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain "$cfg" \
      </dev/null >"$DIR/zk$i/server.log" 2>&1 &
    echo "$i $! $cfg" >>"$PIDS"
  done
  deadline=$((SECONDS + ZK_START_TIMEOUT))
  while :; do
    modes=0
    for ((i = 1; i <= ZK_SERVERS; i++)); do
      read -r _ pid cfg < <(sed -n "${i}p" "$PIDS")
      if ! is_ours "$pid" "$cfg"; then
        echo "error: ZooKeeper server zk$i exited during start; end of $DIR/zk$i/server.log:" >&2
        tail -20 "$DIR/zk$i/server.log" >&2
        stop_all
        exit 1
      fi
      mode=$(zk_mode "${ports[per * (i - 1)]}")
      case $mode in
        leader) modes=$((modes + 1)); leader=zk$i ;;
        follower|standalone) modes=$((modes + 1)) ;;
      esac
    done
    [ $modes -eq "$ZK_SERVERS" ] && break
    if [ $SECONDS -ge $deadline ]; then
      echo "error: no ZooKeeper quorum after ${ZK_START_TIMEOUT}s; logs in $DIR/zk*/server.log" >&2
      stop_all
      exit 1
    fi
    sleep 0.3
  done
  echo "$connect" >"$DIR/connect"
  rm -f "$DIR/connect-tls"
  [ -z "$ZK_TLS" ] || echo "$connect_tls" >"$DIR/connect-tls"
  echo "zookeeper ensemble up: $ZK_SERVERS servers, leader ${leader:-?}, connect $connect${ZK_TLS:+, TLS $connect_tls}" >&2
  echo "$connect"
}

case $CMD in
  start)
    # Servers already started are stopped if the start fails or is interrupted.
    trap 'stop_all' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_all
    trap - EXIT INT TERM
    ;;
  stop) stop_all ;;
  run)
    trap 'stop_all' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_all
    echo "running; Ctrl-C stops the ensemble" >&2
    while :; do sleep 1; done
    ;;
  *) usage ;;
esac
