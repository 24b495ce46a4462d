#!/usr/bin/env bash
# Balancer overhead: smtp-source -> smtp-sink (Debian's postfix package) directly, through
# `sluice balance` and through HAProxy, in the same run. Neither balancer sends PROXY headers here
# (smtp-sink does not read them): this measures the cost of the extra hop itself. A connection per
# message, so connection setup through the balancer is part of every message.
# Writes bench/results/balance-<utc>.md and rebuilds docs/performance.md.
#   SIZES="4096:20000 102400:5000" SESSIONS=20 bench/balance/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SIZES=${SIZES:-"4096:20000 102400:5000"}
SESSIONS=${SESSIONS:-20}
HZ=$(getconf CLK_TCK)
bench_workspace balance

# measure PORT PID MESSAGES SIZE -> "rate cpu_s_per_1000" (PID "-" for no process to measure)
measure() {
  local port=$1 pid=$2 n=$3 size=$4 start end cpu0=0 cpu1=0
  [ "$pid" != - ] && cpu0=$(cpu_ticks "$pid")
  start=$(date +%s.%N)
  timeout 900 smtp-source -s "$SESSIONS" -m "$n" -l "$size" -f bench@sender.example -t rcpt@sink.example "127.0.0.1:$port"
  end=$(date +%s.%N)
  [ "$pid" != - ] && cpu1=$(cpu_ticks "$pid")
  awk -v n="$n" -v s="$start" -v e="$end" -v c="$((cpu1 - cpu0))" -v hz="$HZ" \
    'BEGIN { printf "%.0f %.2f\n", n / (e - s), c / hz / n * 1000 }'
}

build_sluice

start_smtp_sink "$WORK/sink.log"
PIDS+=("$SINK_PID")

LB_PORT=$(free_port); LB_HTTP=$(free_port)
dotnet src/Sluice/bin/Release/net10.0/Sluice.dll balance --listen "127.0.0.1:$LB_PORT" --http "127.0.0.1:$LB_HTTP" \
  --node "127.0.0.1:$SINK_PORT" --proxy None >"$WORK/balance.log" 2>&1 &
PIDS+=($!); LB_PID=$!
wait_port "$LB_PORT"

HA_PORT=$(free_port)
cat > "$WORK/haproxy.cfg" <<CFG
global
  maxconn 4000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend smtp
  bind 127.0.0.1:$HA_PORT
  default_backend sinks
backend sinks
  server sink 127.0.0.1:$SINK_PORT check inter 10s
CFG
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!); HA_PID=$!
wait_port "$HA_PORT"

# Warm-up, every size, through both balancers.
for spec in $SIZES; do
  size=${spec%%:*}
  for port in "$LB_PORT" "$HA_PORT"; do
    smtp-source -s "$SESSIONS" -m 2000 -l "$size" -f w@sender.example -t w@sink.example "127.0.0.1:$port"
  done
done

rows=""
for spec in $SIZES; do
  size=${spec%%:*}; n=${spec##*:}
  echo "== $n x $size bytes: direct";          read -r d_rate _ <<<"$(measure "$SINK_PORT" - "$n" "$size")"
  echo "== $n x $size bytes: sluice balance";  read -r s_rate s_cpu <<<"$(measure "$LB_PORT" "$LB_PID" "$n" "$size")"
  echo "== $n x $size bytes: HAProxy";         read -r h_rate h_cpu <<<"$(measure "$HA_PORT" "$HA_PID" "$n" "$size")"
  s_share=$(awk -v a="$s_rate" -v b="$d_rate" 'BEGIN{printf "%.0f%%", a/b*100}')
  h_share=$(awk -v a="$h_rate" -v b="$d_rate" 'BEGIN{printf "%.0f%%", a/b*100}')
  rows+="| $n × $((size / 1024)) KB | $d_rate | $s_rate ($s_share) | $h_rate ($h_share) | $s_cpu | $h_cpu |"$'\n'
done

lb_rss=$(awk '/VmHWM/{print $2}' "/proc/$LB_PID/status")
result="bench/results/balance-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$result" <<MD
# Balancer overhead: smtp-source → balancer → smtp-sink — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores, $(uname -r). $SESSIONS parallel smtp-source sessions, a connection per
message, no PROXY headers (smtp-sink does not read them). 2,000 messages of each size went through
each balancer first (warm-up). Percentages are of the direct rate in the same run.

| messages | direct msgs/s | sluice balance msgs/s | HAProxy msgs/s | sluice balance CPU s / 1000 msgs | HAProxy CPU s / 1000 msgs |
|---|---:|---:|---:|---:|---:|
$rows
sluice balance peak RSS: $((lb_rss / 1024)) MiB. CPU from /proc/PID/stat; the load generator, the sink and the
balancer share the same two cores.
MD
cat "$result"
bench/report.sh
