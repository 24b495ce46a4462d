#!/usr/bin/env bash
# Accept-only rate of one node in cluster mode (its queue on one RabbitMQ broker, ADR 0033: every
# 250 waits for the broker's publisher confirm) against Postfix's smtpd holding every message:
# bench/accept-rate/run.sh on the reference shape with the node pointed at a broker started here.
# The broker's CPU over the whole run is charged to the messages the node accepted (warm-up included).
# Writes bench/results/cluster-accept-<utc>.md.
#   MESSAGES=20000 SESSIONS=10 SIZE=4096 REPS=3 bench/cluster/accept.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
# shellcheck source=bench/cluster/broker.sh
source bench/cluster/broker.sh
export MESSAGES=${MESSAGES:-20000}
export REPS=${REPS:-3}
export WARMUP=${WARMUP:-5000}
trap stop_broker EXIT
start_broker
SLUICE_ENV="SLUICE__Cluster__RabbitMq__Uris__0=amqp://guest:guest@127.0.0.1:$AMQP/ ${SLUICE_ENV:-}" bench/accept-rate/run.sh
messages=$((WARMUP + 2 * REPS * MESSAGES))
accept=$(ls -1 bench/results/accept-rate-[0-9]*.md | sort | tail -1)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
broker_ms=$(broker_ms_per_message "$messages")
result="bench/results/cluster-accept-$stamp.md"
{
  echo "# Accept-only, one node in cluster mode (one RabbitMQ broker) against Postfix's smtpd — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "The node's queue is one broker on loopback (quorum queues, 4 shards, a publisher confirm before every 250);"
  echo "\"Sluice\" in the tables below is that node. The broker's CPU over the whole run: **$broker_ms ms per message**"
  echo "accepted ($messages messages, warm-up included), on top of the node's own CPU in the tables."
  echo
  sed '1d' "$accept"
} >"$result"
git rm -q --cached "$accept" 2>/dev/null || true
rm -f "$accept"
bash bench/report.sh
echo "wrote $result"
