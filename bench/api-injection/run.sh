#!/usr/bin/env bash
# Sending-API injection rate: messages made durable per second through POST /api/v1/messages
# (one message per request, CONCURRENCY clients) and POST /api/v1/batches (1,000 recipients per
# request, rendered from a stored template). The node only queues (--no-delivery): this measures
# the API, the template path and the spool. Node CPU from /proc/PID/stat.
# Writes bench/results/api-injection-<utc>.md and rebuilds docs/performance.md.
#   SINGLE=20000 BATCH=100000 bench/api-injection/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SINGLE=${SINGLE:-20000}
BATCH=${BATCH:-100000}
HZ=$(getconf CLK_TCK)
bench_workspace api

build_sluice
dotnet build bench/Sluice.Benchmarks -c Release -nologo -v quiet >/dev/null
LOAD="dotnet bench/Sluice.Benchmarks/bin/Release/net10.0/Sluice.Benchmarks.dll api-load"
SMTP=$(free_port); HTTP=$(free_port)
dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve --data "$WORK/node" --smtp "127.0.0.1:$SMTP" --http "127.0.0.1:$HTTP" --no-delivery >"$WORK/node.log" 2>&1 &
PIDS+=($!); NODE_PID=$!
wait_port "$HTTP"
API="http://127.0.0.1:$HTTP"
KEY=$(sluice_api "$WORK/node" "$HTTP" /api/v1/keys -H 'Content-Type: application/json' \
  -d '{"name":"bench","scopes":["send"],"requestsPerSecond":1000000}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
TEMPLATE=$(sluice_api "$WORK/node" "$HTTP" /api/v1/templates -H 'Content-Type: application/json' \
  -d '{"name":"bench","subject":"News for {{ name }}","html":"<p>Hello {{ name }}, issue {{ n }}.</p>","text":"Hello {{ name }}, issue {{ n }}."}' | sed -E 's/.*"id":"([^"]+)".*/\1/')

# Warm-up: both paths.
$LOAD "$API" "$KEY" single 2000 32 >/dev/null
$LOAD "$API" "$KEY" batch 5000 2 "$TEMPLATE" >/dev/null

# run MODE MESSAGES CONCURRENCY -> "rate cpu_ms_per_msg"
run() {
  local cpu0 cpu1 out
  cpu0=$(cpu_ticks "$NODE_PID")
  out=$($LOAD "$API" "$KEY" "$1" "$2" "$3" "$TEMPLATE")
  cpu1=$(cpu_ticks "$NODE_PID")
  awk -v out="$out" -v c="$((cpu1 - cpu0))" -v hz="$HZ" 'BEGIN { split(out, a, " "); printf "%.0f %.3f\n", a[1] / a[2], c / hz / a[1] * 1000 }'
}

echo "== single messages"; read -r s_rate s_cpu <<<"$(run single "$SINGLE" 32)"
echo "== 1,000-recipient batches"; read -r b_rate b_cpu <<<"$(run batch "$BATCH" 4)"
rss=$(awk '/VmHWM/{print $2}' "/proc/$NODE_PID/status")
result="bench/results/api-injection-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$result" <<MD
# Sending-API injection rate — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores, $(uname -r). A node with delivery off; every answered request means its
messages are durable in the spool (fsync before the answer). Load from Sluice.Benchmarks api-load on the same two cores.

| path | messages | clients | messages made durable / s | node CPU ms / message |
|---|---:|---:|---:|---:|
| POST /api/v1/messages (one ~3 KB message per request) | $SINGLE | 32 | $s_rate | $s_cpu |
| POST /api/v1/batches (1,000 recipients per request, stored template) | $BATCH | 4 | $b_rate | $b_cpu |

Node peak RSS: $((rss / 1024)) MiB.
MD
cat "$result"
bench/report.sh
