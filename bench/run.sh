#!/usr/bin/env bash
# Halley's benchmark, one command: builds what it needs, boots the distribution on free ports of 127.0.0.1 under
# bench/target/server, runs the scenarios from separate load-driver processes, writes bench/results/<date>.md and
# .svg (and latest.md / latest.svg), and stops everything it started.
#
#   bench/run.sh            the full run (at most ~14 minutes after the build)
#   bench/run.sh --quick    a smoke run (~2 minutes): small loads, short steps
#
# Anything after the mode is passed to the coordinator, e.g. --scenarios fanout,latency or --idle 5000.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS

quick=""
serve=""
if [ "${1:-}" = "--quick" ]; then
  quick="--quick"
  shift
elif [ "${1:-}" = "--serve" ]; then
  # boots the servers as a run does and keeps them up (for profiling by hand), at most ${2:-1800} s or until Ctrl-C;
  # their ports go to bench/target/serve.env
  serve=${2:-1800}
  shift $(( $# >= 2 ? 2 : 1 ))
fi
if [ -n "$quick" ]; then budget=${BENCH_BUDGET:-300}; else budget=${BENCH_BUDGET:-840}; fi
if [ -n "$serve" ]; then budget=$serve; fi

version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)
dist="assembly/target/halley-$version.tar.gz"
java_bin=$(readlink -f "$(command -v java)")
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$java_bin")")}

# ---- build: the distribution when missing or older than its sources, then this module
stale=""
if [ -f "$dist" ] && [ -z "${BENCH_NO_BUILD:-}" ]; then
  # BENCH_NO_BUILD=1: the distribution as it was last built (others may be editing the tree meanwhile)
  stale=$(find pom.xml bundles features assembly -type f -newer "$dist" -not -path '*/target/*' | head -1)
fi
if [ ! -f "$dist" ] || [ -n "$stale" ]; then
  echo "[run.sh] building the distribution (mvn -B -q -DskipTests install)..."
  mvn -B -q -DskipTests install
fi
echo "[run.sh] building bench (mvn -B -q -Pbench install -pl bench)..."
mvn -B -q -Pbench install -pl bench
# the CometD side (Jetty 12) has a classpath of its own, apart from Halley's (Jetty 9.4 in Karaf)
echo "[run.sh] building bench/cometd (mvn -B -q -f bench/cometd/pom.xml package)..."
mvn -B -q -f bench/cometd/pom.xml package
cp="$root/bench/target/classes:$root/bench/target/lib/*"
cometd_cp="$root/bench/cometd/target/classes:$root/bench/cometd/target/lib/*"
build_seconds=$((SECONDS - started))
started=$SECONDS

# ---- everything started below is stopped on the way out, whole process groups
server_pid=""
bench_pid=""
cometd_pid=""
sleep_pid=""
stop_all() {
  set +e
  if [ -n "$sleep_pid" ]; then kill "$sleep_pid" 2>/dev/null; fi
  if [ -n "$cometd_pid" ] && kill -0 "$cometd_pid" 2>/dev/null; then
    kill -TERM -- "-$cometd_pid" 2>/dev/null
    sleep 1
    kill -KILL -- "-$cometd_pid" 2>/dev/null
  fi
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM -- "-$bench_pid" 2>/dev/null
    sleep 1
    kill -KILL -- "-$bench_pid" 2>/dev/null
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    echo "[run.sh] stopping Halley (pid $server_pid)"
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$server_pid" 2>/dev/null
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# ---- the server: a fresh copy of the distribution, on free ports of 127.0.0.1 (as itests' Distribution does)
work="$root/bench/target/server"
rm -rf "$work"
mkdir -p "$work"
tar xzf "$dist" -C "$work"
home="$work/halley-$version"
mapfile -t ports < <(java -cp "$cp" io.halley.bench.FreePort 8)
http=${ports[0]}; openwire=${ports[1]}; stomp=${ports[2]}; ssh=${ports[3]}
append() { file="$home/etc/$1"; shift; { echo; echo "# set by bench/run.sh"; printf '%s\n' "$@"; } >> "$file"; }
append org.ops4j.pax.web.cfg "org.osgi.service.http.port = $http"
# The distribution ships etc/jetty.xml with Jetty's per-connection header cache off (16 KiB of every idle SSE
# or long-poll connection; the file says why). BENCH_JETTY_DEFAULTS=1 puts Jetty's default back, to measure
# the difference.
if [ -n "${BENCH_JETTY_DEFAULTS:-}" ]; then
  sed -i '/headerCacheSize/d' "$home/etc/jetty.xml"
fi
ws=${ports[6]}; cometd=${ports[7]}
# ActiveMQ's own STOMP-over-WebSocket connector on the same embedded broker: the side-by-side (off in the product)
append io.halley.broker.cfg "openwirePort = $openwire" "stompPort = $stomp" "wsPort = $ws"
append org.apache.karaf.shell.cfg "sshPort = $ssh" "sshHost = 127.0.0.1"
append org.apache.karaf.management.cfg "rmiRegistryPort = ${ports[4]}" "rmiServerPort = ${ports[5]}" \
  "rmiRegistryHost = 127.0.0.1" "rmiServerHost = 127.0.0.1"
# closed SSE / long-poll sessions end 10 s after their connection (default 60 s), so that one idle scenario's
# sessions are gone before the next one's baseline is measured
append io.halley.core.cfg "sessionLifetime = 10000"
# Channel permissions (issue 4): the shipped rules grant anonymous clients only demo.>. The halley-acl feature
# writes its default rules file at first boot only when there is none, so a file written now replaces the shipped
# rules entirely: it is the shipped rules (from the source tree) plus one rule for the benchmark's anonymous
# clients on both sides (bench.cN channels; CometD's bridge consumes '>'). The broker still checks PUBLISH on every
# JMS/STOMP send and the hub every subscribe: the benchmark measures with the checks on.
{
  cat bundles/acl/src/main/cfg/halley-acl.rules
  echo
  echo "# set by bench/run.sh: the benchmark's clients are anonymous (JMS publishers, every subscriber, CometD's bridge)"
  echo "bench allow everyone > subscribe,publish"
} > "$home/etc/halley-acl.rules"

# both servers (Halley and CometD) with the same heap and the JVM's default collector (G1), their pauses logged:
# a young collection stops every delivery, and on this machine it took 65 ms on average in a run at load 6-14
server_opts="-Xms1g -Xmx4g"
mkdir -p bench/target/logs
gc_log() { echo "-Xlog:gc:file=$root/bench/target/logs/$1-gc.log:uptime"; }
echo "[run.sh] booting Halley in $home (HTTP $http, OpenWire $openwire, JVM $server_opts)"
(
  cd "$home"
  KARAF_EXEC=exec EXTRA_JAVA_OPTS="$server_opts $(gc_log halley)" exec setsid bin/karaf server > "$home/console.log" 2>&1
) &
server_pid=$!
base="http://127.0.0.1:$http"
deadline=$((SECONDS + 180))
until [ "$(curl -s -o /dev/null -w '%{http_code}' -m 5 -X POST -H 'Content-Type: application/json' -d '{}' \
        "$base/halley/api/channels/bench.ready/messages" || true)" = "202" ]; do
  if ! kill -0 "$server_pid" 2>/dev/null; then echo "[run.sh] Karaf exited at boot:"; tail -50 "$home/console.log"; exit 1; fi
  if [ $SECONDS -gt $deadline ]; then echo "[run.sh] Halley did not accept a publish within 180 s"; exit 1; fi
  sleep 0.5
done
if [ "$(cat /proc/$server_pid/comm)" != "java" ]; then
  echo "[run.sh] expected pid $server_pid to be Karaf's JVM, it is $(cat /proc/$server_pid/comm)"; exit 1
fi
echo "[run.sh] Halley accepts publishes after $((SECONDS - started)) s (pid $server_pid)"

if [ "$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$ws/" || true)" = "000" ]; then
  echo "[run.sh] ActiveMQ's ws connector does not answer on $ws:"
  grep -i "ws://\|websocket\|jetty" "$home/data/log/karaf.log" | tail -20; exit 1
fi
echo "[run.sh] ActiveMQ STOMP over WebSocket on ws://127.0.0.1:$ws/"

# ---- the CometD 8 server, its own JVM and classpath, bridged from Halley's broker by JMS
mkdir -p bench/target/logs
cometd_log="$root/bench/target/logs/cometd-server.log"
: > "$cometd_log"
setsid java $server_opts "$(gc_log cometd)" -cp "$cometd_cp" io.halley.bench.CometdServer --port "$cometd" \
  --openwire "tcp://127.0.0.1:$openwire" --seconds $((budget + 120)) > "$cometd_log" 2>&1 < /dev/null &
cometd_pid=$!
deadline=$((SECONDS + 60))
until grep -q "^READY" "$cometd_log"; do
  if ! kill -0 "$cometd_pid" 2>/dev/null; then echo "[run.sh] the CometD server exited:"; tail -30 "$cometd_log"; exit 1; fi
  if [ $SECONDS -gt $deadline ]; then echo "[run.sh] the CometD server did not start within 60 s"; exit 1; fi
  sleep 0.3
done
echo "[run.sh] CometD 8 long-polling on http://127.0.0.1:$cometd/cometd (pid $cometd_pid)"

if [ -n "$serve" ]; then
  cat > bench/target/serve.env <<ENV
base=$base
openwire=tcp://127.0.0.1:$openwire
stomp_ws=ws://127.0.0.1:$ws/
cometd=http://127.0.0.1:$cometd/cometd
server_pid=$server_pid
cometd_pid=$cometd_pid
home=$home
cp=$cp
cometd_cp=$cometd_cp
ENV
  echo "[run.sh] serving for at most $serve s (bench/target/serve.env); Ctrl-C stops"
  sleep "$serve" &
  sleep_pid=$!
  wait $sleep_pid || true
  exit 0
fi

# ---- the scenarios: the coordinator publishes by JMS and runs the driver processes
remaining=$((budget - (SECONDS - started) - 20))
mkdir -p bench/results bench/target/logs
setsid timeout --kill-after=10 $((remaining + 60)) \
  java -Xmx1g -cp "$cp" io.halley.bench.Bench $quick --base "$base" --openwire "tcp://127.0.0.1:$openwire" \
    --server-pid "$server_pid" --server-opts "$server_opts" --budget "$remaining" \
    --out "$root/bench/results" --logs "$root/bench/target/logs" \
    --stomp-ws "ws://127.0.0.1:$ws/" --cometd "http://127.0.0.1:$cometd/cometd" --cometd-cp "$cometd_cp" \
    --cometd-pid "$cometd_pid" "$@" &
bench_pid=$!
status=0
wait "$bench_pid" || status=$?
bench_pid=""
echo "[run.sh] scenarios ended (status $status) after $((SECONDS - started)) s (build took $build_seconds s)"
exit $status
