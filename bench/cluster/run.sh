#!/usr/bin/env bash
# One node in cluster mode (its queue on a RabbitMQ broker, ADR 0033) against the embedded node and
# against Postfix, in the same run: bench/relay/run.sh on the reference workload with the embedded
# node as the baseline (BASELINE, default HEAD) and the node under test pointed at a broker started
# here (Debian's rabbitmq-server, one broker on loopback, its own folder and ports). The broker's
# CPU is read from its beam.smp before and after and charged to the messages that went through the
# cluster node (warm-up included: the broker is idle otherwise), so the table splits the cluster
# node's CPU per message between node and broker.
# Writes bench/results/cluster-<utc>.md (the relay tables included).
#   WORKLOADS="4096:20000:10 102400:5000:10" REPS=3 bench/cluster/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
export WORKLOADS=${WORKLOADS:-"4096:20000:10 102400:5000:10"}
export REPS=${REPS:-3}
export WARMUP=${WARMUP:-"4096:5000 102400:2000"}
export BASELINE=${BASELINE:-HEAD}
# shellcheck source=bench/cluster/broker.sh
source bench/cluster/broker.sh
trap stop_broker EXIT
start_broker

per_rep=0; warm=0
for spec in $WORKLOADS; do IFS=: read -r _ n _ <<<"$spec"; per_rep=$((per_rep + n)); done
for spec in $WARMUP; do warm=$((warm + ${spec##*:})); done
messages=$((warm + REPS * per_rep))

SLUICE_ENV="SLUICE__Cluster__RabbitMq__Uris__0=amqp://guest:guest@127.0.0.1:$AMQP/ ${SLUICE_ENV:-}" bench/relay/run.sh
relay=$(ls -1 bench/results/relay-[0-9]*.md | sort | tail -1)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
broker_ms=$(broker_ms_per_message "$messages")
result="bench/results/cluster-$stamp.md"
{
  echo "# Cluster mode (one node on a RabbitMQ broker) against the embedded node and Postfix — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null), one broker on loopback, quorum queues, the default 4 shards,"
  echo "publisher confirms before every 250. In the tables below"
  echo "**\"after\" is the cluster node, \"before\" the embedded node** (baseline $BASELINE), both the same build's code"
  echo "paths but for the queue. The broker's CPU over the whole run: **$broker_ms ms per message** that went through the"
  echo "cluster node ($messages messages, warm-up included), on top of the node's own CPU in the tables."
  echo
  sed '1d' "$relay"
} >"$result"
git mv -f "$relay" "bench/results/cluster-relay-$stamp.md" 2>/dev/null || mv "$relay" "bench/results/cluster-relay-$stamp.md"
bash bench/report.sh
echo "wrote $result"
