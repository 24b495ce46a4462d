#!/usr/bin/env bash
# One, two and three Sluice nodes as one cluster, on this machine, in the same run, against the
# tuned Postfix (bench/postfix-reference.cf): the reference workload (smtp-source, 10 sessions, a
# connection per message, 4 KB) goes through HAProxy (TCP, leastconn) to the nodes, which share
# one RabbitMQ broker (the queue, ADR 0033), one PostgreSQL (state and the delivered-recipients
# ledger, ADR 0032) and one Redis (limits and caches, ADR 0034), and relay to smtp-sink. Postfix
# gets the same messages straight from smtp-source. Each repetition runs Postfix, then 1, 2 and 3
# nodes (fresh data folders, the same untimed warm-up); medians of REPS. CPU per message is split
# between the nodes (summed), the broker, PostgreSQL, Redis and the front door.
# Everything shares this machine's cores: more nodes add no cores here, so the figures say what a
# node costs and what the shared servers cost per message, not how a cluster of machines scales
# (docs/scaling.md does that from these costs).
# BROKERS="1 3" runs each node count on one broker and on a cluster of three (quorum queues
# replicated over three: what replication costs), in the same repetitions.
# Writes bench/results/cluster-nodes-<utc>.md (cluster-replication-<utc>.md when BROKERS has 3)
# and rebuilds docs/performance.md.
#   COUNT=20000 REPS=3 NODES="1 2 3" [BROKERS="1"] [PARTS="postgres redis"] bench/cluster/nodes.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
# shellcheck source=bench/cluster/broker.sh
source bench/cluster/broker.sh
COUNT=${COUNT:-20000}
REPS=${REPS:-3}
NODES=${NODES:-"1 2 3"}
BROKERS=${BROKERS:-1}
# Untimed warm-up messages per node (a fresh process needs a few thousand before its JIT has settled).
WARM=${WARM:-5000}
# The shared servers the nodes use besides the broker (both by default; fewer to see what each costs).
PARTS=${PARTS:-"postgres redis"}
SIZE=4096
SESSIONS=10
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/sluice-cluster-nodes.XXXXXX)
chmod 755 "$WORK"
PIDS=()
NODE_PIDS=()
PF_DIR="$WORK/postfix"

stop_nodes() {
  for p in "${NODE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${NODE_PIDS[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
  NODE_PIDS=()
}
cleanup() {
  stop_nodes
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$PF_DIR/etc/main.cf" ] && postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || true
  stop_broker
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

build_sluice
for b in $BROKERS; do
  case $b in
    1) start_broker; BROKER_URIS_1="SLUICE__Cluster__RabbitMq__Uris__0=amqp://guest:guest@127.0.0.1:$AMQP/"; BEAMS_1="$BEAM" ;;
    3) start_broker_cluster 3
       BROKER_URIS_3=""; for i in 0 1 2; do BROKER_URIS_3+=" SLUICE__Cluster__RabbitMq__Uris__$i=amqp://guest:guest@127.0.0.1:${AMQP_PORTS[$i]}/"; done
       BEAMS_3="${BEAMS[*]}" ;;
    *) echo "BROKERS: 1 or 3, not $b" >&2; exit 2 ;;
  esac
done

echo "== starting PostgreSQL and Redis"
PG_PORT=$(free_port)
mkdir -p "$WORK/pg" && chown postgres "$WORK/pg"
setpriv --reuid=postgres --regid=postgres --init-groups -- /usr/lib/postgresql/15/bin/initdb -D "$WORK/pg/data" -A trust -U sluice >/dev/null
setpriv --reuid=postgres --regid=postgres --init-groups -- /usr/lib/postgresql/15/bin/postgres -D "$WORK/pg/data" -p "$PG_PORT" -k "$WORK/pg" \
  -c listen_addresses=127.0.0.1 >"$WORK/pg.log" 2>&1 &
PG_PID=$!; PIDS+=("$PG_PID")
wait_port "$PG_PORT"
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!; PIDS+=("$REDIS_PID")
wait_port "$REDIS_PORT"

start_sink_and_postfix

CLUSTER_ENV=""
case " $PARTS " in *" postgres "*) CLUSTER_ENV+=" SLUICE__Cluster__Postgres__ConnectionString=Host=127.0.0.1;Port=$PG_PORT;Username=sluice;Database=postgres" ;; esac
case " $PARTS " in *" redis "*) CLUSTER_ENV+=" SLUICE__Cluster__Redis__Configuration=127.0.0.1:$REDIS_PORT" ;; esac
CLUSTER_ENV+=" SLUICE__Delivery__Shaping__Default__MaxConnections=100"

# start_cluster N RUN B: N nodes (fresh data folders) on the B brokers and HAProxy in front of them; sets FRONT_PORT, FRONT_PID.
start_cluster() {
  local n=$1 run=$2 b=$3 i servers="" uris
  uris=$(eval echo "\$BROKER_URIS_$b")
  for i in $(seq 1 "$n"); do
    start_listening "node$i" "$uris $CLUSTER_ENV SLUICE__Cluster__NodeName=node$i" \
      dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve --data "$WORK/$run/node$i" --smtp "127.0.0.1:{PORT}" --http "127.0.0.1:{HTTP}" --relay-host "127.0.0.1:$SINK_PORT"
    NODE_PIDS+=("$(eval echo "\$node${i}_PID")")
    wait_ready "$(eval echo "\$node${i}_HTTP")"
    servers+="  server n$i 127.0.0.1:$(eval echo "\$node${i}_PORT")"$'\n'
  done
  FRONT_PORT=$(free_port)
  cat >"$WORK/$run/haproxy.cfg" <<CFG
global
  maxconn 4000
defaults
  mode tcp
  timeout connect 5s
  timeout client 120s
  timeout server 120s
frontend smtp
  bind 127.0.0.1:$FRONT_PORT
  default_backend nodes
backend nodes
  balance leastconn
$servers
CFG
  haproxy -f "$WORK/$run/haproxy.cfg" -db >"$WORK/$run/haproxy.log" 2>&1 &
  FRONT_PID=$!; NODE_PIDS+=("$FRONT_PID")
  wait_port "$FRONT_PORT"
}

# send PORT COUNT: COUNT messages through 127.0.0.1:PORT; returns when the sink has them all; prints the refused count.
send() {
  local target refused
  target=$(( $(sink_count "$WORK/sink.log") + $2 ))
  refused=$(timeout 900 smtp-source -s "$SESSIONS" -m "$2" -l "$SIZE" -f bench@sender.example -t rcpt@relay.example "127.0.0.1:$1" 2>&1 | grep -c . || true)
  for _ in $(seq 1 45000); do [ "$(sink_count "$WORK/sink.log")" -ge "$target" ] && break; sleep 0.02; done
  [ "$(sink_count "$WORK/sink.log")" -ge "$target" ] || { echo "the sink did not get all $2 messages" >&2; exit 1; }
  echo "$refused"
}

# sum_ticks PID…: CPU ticks of the processes (and their children) together.
sum_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(cpu_ticks "$p"))); done; echo "$t"; }

# measure PORT "NODE PIDS" [FRONT_PID] ["BROKER PIDS"] -> "rate nodes_ms broker_ms postgres_ms redis_ms front_ms refused"
measure() {
  local port=$1 nodes=$2 front=${3:-} beams=${4:-$BEAM} n0 n1 b0 b1 p0 p1 r0 r1 f0 f1 start end refused
  # shellcheck disable=SC2086
  n0=$(sum_ticks $nodes); b0=$(sum_ticks $beams); p0=$(cpu_ticks "$PG_PID"); r0=$(cpu_ticks "$REDIS_PID")
  f0=0; [ -n "$front" ] && f0=$(cpu_ticks "$front")
  start=$(date +%s.%N)
  refused=$(send "$port" "$COUNT") || exit 1
  end=$(date +%s.%N)
  # shellcheck disable=SC2086
  n1=$(sum_ticks $nodes); b1=$(sum_ticks $beams); p1=$(cpu_ticks "$PG_PID"); r1=$(cpu_ticks "$REDIS_PID")
  f1=0; [ -n "$front" ] && f1=$(cpu_ticks "$front")
  awk -v n="$COUNT" -v s="$start" -v e="$end" -v hz="$HZ" -v a="$((n1 - n0))" -v b="$((b1 - b0))" -v p="$((p1 - p0))" -v r="$((r1 - r0))" -v f="$((f1 - f0))" -v x="$refused" \
    'BEGIN { k = 1000 / hz / n; printf "%.0f %.3f %.3f %.3f %.3f %.3f %d\n", n / (e - s), a * k, b * k, p * k, r * k, f * k, x }'
}

echo "== warm-up of Postfix: $WARM × $SIZE B"
send "$PF_PORT" "$WARM" >/dev/null
for rep in $(seq 1 "$REPS"); do
  echo "== repetition $rep: Postfix"
  measure "$PF_PORT" "$PF_MASTER" >>"$WORK/runs-postfix"
  tail -1 "$WORK/runs-postfix"
  for b in $BROKERS; do
    for n in $NODES; do
      echo "== repetition $rep: $n node(s), $b broker(s)"
      start_cluster "$n" "rep$rep-n$n-b$b" "$b"
      nodes=""
      for i in $(seq 1 "$n"); do nodes+=" $(eval echo "\$node${i}_PID")"; done
      send "$FRONT_PORT" "$((WARM * n))" >/dev/null
      measure "$FRONT_PORT" "$nodes" "$FRONT_PID" "$(eval echo "\$BEAMS_$b")" >>"$WORK/runs-nodes-$n-b$b"
      tail -1 "$WORK/runs-nodes-$n-b$b"
      stop_nodes
    done
  done
done

col() { awk -v c="$2" '{print $c}' "$WORK/runs-$1" | median; }
runs() { awk '{printf "%s%s", sep, $1; sep=", "}' "$WORK/runs-$1"; }
pf=$(col postfix 1)
rows="| Postfix (reference), direct | $pf | 1.00x | $(col postfix 2) | — | — | — | — | $(runs postfix) |"$'\n'
for b in $BROKERS; do
  for n in $NODES; do
    k="nodes-$n-b$b"
    r=$(col "$k" 1)
    total=$(awk -v a="$(col "$k" 2)" -v b="$(col "$k" 3)" -v p="$(col "$k" 4)" -v d="$(col "$k" 5)" 'BEGIN{printf "%.3f", a + b + p + d}')
    rows+="| $n node(s) via HAProxy, $b broker(s) | $r | $(awk -v a="$r" -v b="$pf" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}')x | $(col "$k" 2) | $(col "$k" 3) | $(col "$k" 4) | $(col "$k" 5) | $(col "$k" 6) | $(runs "$k") |"$'\n'
    totals+="| $n | $b | $total |"$'\n'
  done
done

name=cluster-nodes
title="Cluster of $(echo "$NODES" | sed 's/ /, /g') node(s) on one machine against Postfix"
case " $BROKERS " in *" 3 "*) name=cluster-replication; title="Cluster on one broker and on three (quorum queues replicated over three), against Postfix" ;; esac
result="bench/results/$name-$(date -u +%Y%m%dT%H%M%SZ).md"
cat >"$result" <<MD
# $title — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores. smtp-source ($SESSIONS sessions, a connection per
message, $COUNT × $((SIZE / 1024)) KB per run) → HAProxy (TCP, leastconn) → the nodes, which share RabbitMQ
($(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null), quorum queues, 4 shards, confirms before 250; one broker, or three in one
cluster, each queue's log replicated to all three, as each row says; broker CPU is all brokers summed), one PostgreSQL
(state, delivered-recipients ledger, message index, fsync on) and one Redis (limits, caches, leader) → smtp-sink (shared servers
used: broker $PARTS). Postfix
(bench/postfix-reference.cf) gets the same messages straight from smtp-source. Every run of the nodes starts them
afresh and warms them up with $WARM messages per node (Postfix once, untimed). A run lasts from the first message until the
sink has all of them. Medians of $REPS repetitions (Postfix, then each row in turn, in each).

| server | msgs/s | vs Postfix | CPU ms/msg: server (nodes summed) | broker | PostgreSQL | Redis | HAProxy | runs (msgs/s) |
|---|---:|---:|---:|---:|---:|---:|---:|---|
$rows
CPU of the cluster's parts per message, medians (nodes + broker + PostgreSQL + Redis; HAProxy left out):

| nodes | brokers | ms/msg |
|---:|---:|---:|
$totals
All of it shares $(nproc) cores with the load generator and the sink: a second or third node here competes for the
same cores as the first, so the rate cannot grow with nodes on this machine; what the table shows is what each
part costs per message, from which docs/scaling.md models machines of their own.
MD
bash bench/report.sh
echo "wrote $result"
