#!/usr/bin/env bash
# Deep-queue relay benchmark: does Sluice slow down as its queue deepens? Phase 1 fills a node's
# spool with N messages (delivery off), timing each slice of SLICE messages as the queue grows.
# Phase 2 restarts the node on the same spool with delivery on, relaying to smtp-sink (Debian's
# postfix package), and times each SLICE drained as the queue empties from N to 0. Peak RSS of
# each phase from /proc/PID/status (VmHWM); CPU from /proc/PID/stat.
# Writes bench/results/relay-deep-<utc>.md and rebuilds docs/performance.md.
#   N=200000 SLICE=20000 SIZE=4096 SESSIONS=20 bench/relay-deep/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
N=${N:-200000}
SLICE=${SLICE:-20000}
SIZE=${SIZE:-4096}
SESSIONS=${SESSIONS:-20}
HZ=$(getconf CLK_TCK)
bench_workspace relay-deep
chmod 755 "$WORK"

queue_total() { sluice_queue_total "$WORK/sluice" "$SL_HTTP"; }
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

start_node() {
  dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve --data "$WORK/sluice" --smtp "127.0.0.1:$SL_PORT" --http "127.0.0.1:$SL_HTTP" "$@" \
    >>"$WORK/sluice.log" 2>&1 &
  SLUICE_PID=$!
  PIDS+=("$SLUICE_PID")
  wait_port "$SL_HTTP"
}

stop_node() {
  kill -TERM "$SLUICE_PID"
  for _ in $(seq 1 600); do kill -0 "$SLUICE_PID" 2>/dev/null || return 0; sleep 0.1; done
  echo "node did not stop" >&2; return 1
}

build_sluice

start_smtp_sink "$WORK/sink.log"
PIDS+=("$SINK_PID")
SL_PORT=$(free_port); SL_HTTP=$(free_port)

echo "== phase 1: filling the queue to $N messages of $SIZE bytes (delivery off)"
start_node --no-delivery
fill_rows=""
slices=$((N / SLICE))
cpu0=$(cpu_ticks "$SLUICE_PID"); fill_start=$(now)
for i in $(seq 1 "$slices"); do
  a=$(now)
  timeout 900 smtp-source -s "$SESSIONS" -m "$SLICE" -l "$SIZE" -f bench@sender.example -t rcpt@relay.example "127.0.0.1:$SL_PORT"
  b=$(now)
  fill_rows+="| $(((i - 1) * SLICE)) → $((i * SLICE)) | $(rate "$SLICE" "$a" "$b") |"$'\n'
done
fill_end=$(now); cpu1=$(cpu_ticks "$SLUICE_PID")
fill_cpu=$(awk -v c="$((cpu1 - cpu0))" -v hz="$HZ" -v n="$N" 'BEGIN { printf "%.2f", c / hz / n * 1000 }')
fill_rss=$(awk '/VmHWM/{print $2}' "/proc/$SLUICE_PID/status")
queued=$(queue_total)
echo "   queued: $queued"
stop_node
spool_mb=$(du -sm "$WORK/sluice" | cut -f1)

echo "== phase 2: draining $queued messages to smtp-sink"
start_node --relay-host "127.0.0.1:$SINK_PORT"
drain_rows=""
cpu0=$(cpu_ticks "$SLUICE_PID"); drain_start=$(now); last=$drain_start; mark=$((queued - SLICE))
depth=$queued
for _ in $(seq 1 36000); do
  depth=$(queue_total)
  while [ "$depth" -le "$mark" ] && [ "$mark" -ge 0 ]; do
    t=$(now)
    drain_rows+="| $((mark + SLICE)) → $mark | $(rate "$SLICE" "$last" "$t") |"$'\n'
    last=$t; mark=$((mark - SLICE))
  done
  [ "$depth" -eq 0 ] && break
  sleep 0.25
done
drain_end=$(now); cpu1=$(cpu_ticks "$SLUICE_PID")
drain_cpu=$(awk -v c="$((cpu1 - cpu0))" -v hz="$HZ" -v n="$queued" 'BEGIN { printf "%.2f", c / hz / n * 1000 }')
drain_rss=$(awk '/VmHWM/{print $2}' "/proc/$SLUICE_PID/status")
stop_node

result="bench/results/relay-deep-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$result" <<MD
# Deep-queue relay: $N messages of $((SIZE / 1024)) KB — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores, $(uname -r). Phase 1: $SESSIONS smtp-source sessions
(a connection per message) fill one node's spool with delivery off, fsync before every 250.
Phase 2: the node restarts on that spool with \`--relay-host\` to smtp-sink and drains it; the
rate of each slice is measured as the queue depth (from the queue API) crosses it.

| queue depth while accepting | accepted msgs/s |
|---|---:|
$fill_rows
| queue depth while relaying | relayed msgs/s |
|---|---:|
$drain_rows
| phase | messages/s overall | Sluice CPU s / 1000 msgs | peak RSS |
|---|---:|---:|---:|
| fill to $N | $(rate "$N" "$fill_start" "$fill_end") | $fill_cpu | $((fill_rss / 1024)) MiB |
| drain from $queued | $(rate "$queued" "$drain_start" "$drain_end") | $drain_cpu | $((drain_rss / 1024)) MiB |

Spool on disk at the deepest point: $spool_mb MiB. Peak RSS is the process's high-water mark over
the whole phase.
MD
cat "$result"
bench/report.sh
