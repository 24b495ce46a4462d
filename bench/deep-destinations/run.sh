#!/usr/bin/env bash
# A deep queue over many destinations: MESSAGES (1,000,000) messages to DOMAINS (10,000) domains,
# each with its own MX host (so its own site and ready queue), queued through the batch API with
# delivery off; then the node is restarted with delivery on, relaying by MX to one smtp-sink. The
# node's RSS and the engine's gauges (messages in hand, ready queues) are sampled every second.
# Reports: time to queue, time from start until the first delivery and until every destination has
# had mail (time to schedule), drain rate, peak RSS while queueing and while delivering.
# Writes bench/results/deep-destinations-<utc>.md and rebuilds docs/performance.md.
#   MESSAGES=1000000 DOMAINS=10000 MAX_DRAIN_S=1500 bench/deep-destinations/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
MESSAGES=${MESSAGES:-1000000}
DOMAINS=${DOMAINS:-10000}
MAX_DRAIN_S=${MAX_DRAIN_S:-1500}
# Postfix's smtp-sink serves about a thousand connections at once (select()); more wait unanswered
# in its backlog. The node's node-wide connection cap is set below that so the peer is not the limit.
MAX_CONNECTIONS=${MAX_CONNECTIONS:-500}
bench_workspace deepdest
SLUICE="dotnet src/Sluice/bin/Release/net10.0/Sluice.dll"

build_sluice
dotnet build bench/Sluice.Benchmarks -c Release -nologo -v quiet >/dev/null
LOAD="dotnet bench/Sluice.Benchmarks/bin/Release/net10.0/Sluice.Benchmarks.dll api-load"

echo "== DNS: $DOMAINS domains, each with its own MX host"
MX_PORT=$(free_port); DNS_PORT=$(free_port)
for i in $(seq 0 $((DOMAINS - 1))); do echo "mx-host=d$i.test,mx.d$i.test,10"; echo "host-record=mx.d$i.test,127.0.0.31"; done > "$WORK/zone.conf"
dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file="$WORK/zone.conf" --listen-address=127.0.0.1 --bind-interfaces \
  --port="$DNS_PORT" --user=root --pid-file="$WORK/dns.pid" --cache-size=0 >"$WORK/dns.log" 2>&1 &
PIDS+=($!)
smtp-sink -u postfix -c "127.0.0.31:$MX_PORT" 4096 >"$WORK/sink.log" 2>&1 &
PIDS+=($!)

start_node() {
  SL_SMTP=$(free_port); SL_HTTP=$(free_port)
  SLUICE__Delivery__MxPort=$MX_PORT SLUICE__Delivery__MaxConnections=$MAX_CONNECTIONS $SLUICE serve --data "$WORK/node" --smtp "127.0.0.1:$SL_SMTP" --http "127.0.0.1:$SL_HTTP" \
    --dns "127.0.0.1:$DNS_PORT" "$@" >>"$WORK/node.log" 2>&1 &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
  wait_port "$SL_HTTP"
}
rss_mib() { awk '/VmRSS/{printf "%d", $2 / 1024}' "/proc/$1/status"; }
hwm_mib() { awk '/VmHWM/{printf "%d", $2 / 1024}' "/proc/$1/status"; }
metric() { sluice_api "$WORK/node" "$SL_HTTP" /metrics | awk -v m="$1" '$1 == m { printf "%d", $2 }'; }

echo "== queueing $MESSAGES messages (delivery off)"
start_node --no-delivery
KEY=$(sluice_api "$WORK/node" "$SL_HTTP" /api/v1/keys -H 'Content-Type: application/json' \
  -d '{"name":"bench","scopes":["send"],"requestsPerSecond":1000000}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
TEMPLATE=$(sluice_api "$WORK/node" "$SL_HTTP" /api/v1/templates -H 'Content-Type: application/json' \
  -d '{"name":"bench","subject":"News for {{ name }}","text":"Hello {{ name }}, issue {{ n }}."}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
q0=$(date +%s.%N)
$LOAD "http://127.0.0.1:$SL_HTTP" "$KEY" batch "$MESSAGES" 2 "$TEMPLATE" "$DOMAINS" >/dev/null
q1=$(date +%s.%N)
queue_hwm=$(hwm_mib "$NODE_PID")
kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true

echo "== delivering"
start_node
t0=$(date +%s.%N); first=""; all_sites=""; peak_rss=0; peak_hand=0; peak_queues=0; samples="$WORK/samples.tsv"
while :; do
  now=$(date +%s.%N); el=$(awk -v a="$t0" -v b="$now" 'BEGIN{printf "%.0f", b - a}')
  total=$(sluice_queue_total "$WORK/node" "$SL_HTTP"); done_n=$((MESSAGES - total))
  rss=$(rss_mib "$NODE_PID"); hand=$(metric sluice_delivery_in_hand); queues=$(metric sluice_delivery_ready_queues)
  [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
  [ "${hand:-0}" -gt "$peak_hand" ] && peak_hand=$hand
  [ "${queues:-0}" -gt "$peak_queues" ] && peak_queues=$queues
  printf '%s\t%s\t%s\t%s\t%s\n' "$el" "$done_n" "$rss" "$hand" "$queues" >> "$samples"
  [ -z "$first" ] && [ "$done_n" -gt 0 ] && first=$el
  [ -z "$all_sites" ] && [ "$done_n" -ge "$DOMAINS" ] && [ "$(grep -c . "$samples")" -gt 0 ] && all_sites=$el
  [ "$total" -eq 0 ] && break
  [ "$el" -ge "$MAX_DRAIN_S" ] && break
  sleep 1
done
t1=$(date +%s.%N)
deliver_hwm=$(hwm_mib "$NODE_PID")
drained=$((MESSAGES - total))
qrate=$(awk -v n="$MESSAGES" -v a="$q0" -v b="$q1" 'BEGIN{printf "%.0f", n / (b - a)}')
drate=$(awk -v n="$drained" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n / (b - a)}')
dsecs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b - a}')
rss_at() { awk -v p="$1" -F'\t' '$2 >= p { print $3; exit }' "$samples"; }
result="bench/results/deep-destinations-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$result" <<MD
# Deep queue over many destinations — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores. $MESSAGES messages (template batches of 1,000 through the API)
to $DOMAINS domains, each with its own MX host name (its own site and ready queue), queued with delivery
off, then delivered by MX (dnsmasq) to one Postfix smtp-sink after a restart. Engine defaults
(MaxInHand 20,000, MaxWaitingPerQueue 1,000, Concurrency 256, 2 initial connections per
destination) but MaxConnections $MAX_CONNECTIONS: smtp-sink answers about a thousand connections at once.

| | |
|---|---:|
| queued through the API | $qrate msgs/s (peak RSS $queue_hwm MiB) |
| first delivery after start | ${first:-?} s |
| $DOMAINS messages delivered (every destination reached at least once by then, in due order) | ${all_sites:-?} s |
| delivered | $drained of $MESSAGES in $dsecs s ($drate msgs/s) |
| node RSS while delivering: peak | **$peak_rss MiB** (VmHWM $deliver_hwm MiB) |
| node RSS after 10% / 50% / 90% delivered | $(rss_at $((MESSAGES / 10))) / $(rss_at $((MESSAGES / 2))) / $(rss_at $((MESSAGES * 9 / 10))) MiB |
| messages in the engine's hands: peak | $peak_hand (bound: MaxInHand) |
| ready queues alive: peak | $peak_queues |

RSS is sampled once a second from /proc; the load generator and smtp-sink share the two cores.
MD
cat "$result"
bench/report.sh
