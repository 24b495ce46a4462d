#!/usr/bin/env bash
# End-to-end relay benchmark: smtp-source -> server -> smtp-sink (both from Debian's postfix
# package), for Sluice (--relay-host to the sink) and for Postfix (relayhost to the same sink,
# durable queueing), plus the direct smtp-source -> smtp-sink ceiling. A run is timed from the
# first message sent until the server's queue is empty again (everything handed to the sink).
# With BASELINE=<commit>, that commit is built too (a git worktree) and run as a second Sluice node
# in the same runs ("before"), so a change is measured against its predecessor and the same Postfix.
# Writes bench/results/relay-<utc>.md and rebuilds docs/performance.md.
#   SIZES="4096:20000 102400:5000" SESSIONS=20 [BASELINE=7c51d21] bench/relay/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SIZES=${SIZES:-"4096:20000 102400:5000"}
SESSIONS=${SESSIONS:-20}
SLUICE_WARMUP=${SLUICE_WARMUP:-10000}
POSTFIX_WARMUP=${POSTFIX_WARMUP:-2000}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/sluice-relay.XXXXXX)
chmod 755 "$WORK"
PIDS=()
POSTFIX_DIR="$WORK/postfix"

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${BASELINE:-}" ] && git worktree remove --force "$WORK/baseline-src" >/dev/null 2>&1 || true
  [ -f "$POSTFIX_DIR/etc/main.cf" ] && postfix -c "$POSTFIX_DIR/etc" stop >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

sluice_queue() { sluice_queue_total "$WORK/sluice" "$SL_HTTP"; }
base_queue() { sluice_queue_total "$WORK/sluice-base" "$BASE_HTTP"; }
postfix_queue() { find "$POSTFIX_DIR/queue/incoming" "$POSTFIX_DIR/queue/active" "$POSTFIX_DIR/queue/deferred" "$POSTFIX_DIR/queue/maildrop" -type f 2>/dev/null | wc -l; }

# measure NAME PORT PID QUEUE_FN MESSAGES SIZE -> "rate seconds cpu_s_per_1000"
measure() {
  local port=$2 pid=$3 queue_fn=$4 n=$5 size=$6 start end cpu0 cpu1
  cpu0=$(cpu_ticks "$pid"); start=$(date +%s.%N)
  timeout 900 smtp-source -s "$SESSIONS" -m "$n" -l "$size" -f bench@sender.example -t rcpt@relay.example "127.0.0.1:$port"
  if [ "$queue_fn" != none ]; then
    for _ in $(seq 1 36000); do [ "$($queue_fn)" -eq 0 ] && break; sleep 0.02; done
  fi
  end=$(date +%s.%N); cpu1=$(cpu_ticks "$pid")
  awk -v n="$n" -v s="$start" -v e="$end" -v c="$((cpu1 - cpu0))" -v hz="$HZ" \
    'BEGIN { t = e - s; printf "%.0f %.2f %.2f\n", n / t, t, c / hz / n * 1000 }'
}

build_sluice
if [ -n "${BASELINE:-}" ]; then
  echo "== building the baseline $BASELINE"
  git worktree add --detach "$WORK/baseline-src" "$BASELINE" >/dev/null
  dotnet build "$WORK/baseline-src/src/Sluice" -c Release -nologo -v quiet -o "$WORK/baseline-bin" >/dev/null
fi

start_smtp_sink "$WORK/sink.log"
PIDS+=("$SINK_PID")

echo "== starting Postfix relaying to the sink"
PF_PORT=$(free_port)
postfix_prepare "$POSTFIX_DIR"
cat >> "$POSTFIX_DIR/etc/main.cf" <<CF
relayhost = [127.0.0.1]:$SINK_PORT
default_destination_concurrency_limit = 20
smtp_tls_security_level = none
CF
cat > "$POSTFIX_DIR/etc/master.cf" <<CF
127.0.0.1:$PF_PORT inet n - n - - smtpd
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
smtp unix - - n - - smtp
relay unix - - n - - smtp
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
proxymap unix - - n - - proxymap
postlog unix-dgram n - n - 1 postlogd
CF
postfix -c "$POSTFIX_DIR/etc" start-fg >"$WORK/postfix.log" 2>&1 &
PIDS+=($!)
wait_port "$PF_PORT"
PF_MASTER=$(tr -d ' ' < "$POSTFIX_DIR/queue/pid/master.pid")

echo "== starting sluice serve relaying to the sink"
SL_PORT=$(free_port); SL_HTTP=$(free_port)
SLUICE__Delivery__Shaping__Default__MaxConnections=20 \
dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve --data "$WORK/sluice" --smtp "127.0.0.1:$SL_PORT" --http "127.0.0.1:$SL_HTTP" \
  --relay-host "127.0.0.1:$SINK_PORT" >"$WORK/sluice.log" 2>&1 &
PIDS+=($!); SLUICE_PID=$!
wait_port "$SL_PORT"

if [ -n "${BASELINE:-}" ]; then
  echo "== starting the baseline node relaying to the sink"
  BASE_PORT=$(free_port); BASE_HTTP=$(free_port)
  SLUICE__Delivery__Shaping__Default__MaxConnections=20 \
  dotnet "$WORK/baseline-bin/Sluice.dll" serve --data "$WORK/sluice-base" --smtp "127.0.0.1:$BASE_PORT" --http "127.0.0.1:$BASE_HTTP" \
    --relay-host "127.0.0.1:$SINK_PORT" >"$WORK/sluice-base.log" 2>&1 &
  PIDS+=($!); BASE_PID=$!
  wait_port "$BASE_PORT"
fi

# Warm-up with every message size of the run, through both servers: the figures are for servers
# that have been running (caches filled; for Sluice, the JIT's tiered compilation finished). Sluice
# gets more: after 2,000 or 4,000 messages its tiered compilation (tier 0 -> instrumented -> tier 1)
# was still busy and took about a quarter of the CPU of a 20,000 x 4 KB run (0.85-0.92 ms/msg
# against 0.66-0.68 after 15,000); Postfix has nothing to compile.
for spec in $SIZES; do
  size=${spec%%:*}
  smtp-source -s "$SESSIONS" -m "$SLUICE_WARMUP" -l "$size" -f w@sender.example -t w@relay.example "127.0.0.1:$SL_PORT"
  [ -n "${BASELINE:-}" ] && smtp-source -s "$SESSIONS" -m "$SLUICE_WARMUP" -l "$size" -f w@sender.example -t w@relay.example "127.0.0.1:$BASE_PORT"
  smtp-source -s "$SESSIONS" -m "$POSTFIX_WARMUP" -l "$size" -f w@sender.example -t w@relay.example "127.0.0.1:$PF_PORT"
  for _ in $(seq 1 6000); do [ "$(sluice_queue)" -eq 0 ] && [ "$(postfix_queue)" -eq 0 ] && { [ -z "${BASELINE:-}" ] || [ "$(base_queue)" -eq 0 ]; } && break; sleep 0.02; done
done

rows=""
summary=""
base_rows=""
for spec in $SIZES; do
  size=${spec%%:*}; n=${spec##*:}
  echo "== $n x $size bytes: direct ceiling"; d=$(measure direct "$SINK_PORT" "$SINK_PID" none "$n" "$size")
  echo "== $n x $size bytes: Postfix";        p=$(measure postfix "$PF_PORT" "$PF_MASTER" postfix_queue "$n" "$size")
  if [ -n "${BASELINE:-}" ]; then
    echo "== $n x $size bytes: Sluice before ($BASELINE)"; b=$(measure baseline "$BASE_PORT" "$BASE_PID" base_queue "$n" "$size")
    read -r b_rate _ b_cpu <<<"$b"
  fi
  echo "== $n x $size bytes: Sluice";         s=$(measure sluice "$SL_PORT" "$SLUICE_PID" sluice_queue "$n" "$size")
  read -r d_rate d_t _ <<<"$d"; read -r p_rate p_t p_cpu <<<"$p"; read -r s_rate s_t s_cpu <<<"$s"
  ratio=$(awk -v a="$s_rate" -v b="$p_rate" 'BEGIN{printf "%.2f", a/b}')
  rows+="| $n × $((size / 1024)) KB | $d_rate | $p_rate | $s_rate | **${ratio}x** | $p_cpu | $s_cpu |"$'\n'
  summary+="$n × $((size / 1024)) KB: Sluice ${ratio}x Postfix. "
  if [ -n "${BASELINE:-}" ]; then
    b_ratio=$(awk -v a="$b_rate" -v b="$p_rate" 'BEGIN{printf "%.2f", a/b}')
    base_rows+="| $n × $((size / 1024)) KB | $p_rate | $b_rate (${b_ratio}x) | $s_rate (${ratio}x) | $b_cpu | $s_cpu |"$'\n'
  fi
done

sl_rss=$(awk '/VmHWM/{print $2}' "/proc/$SLUICE_PID/status")
result="bench/results/relay-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$result" <<MD
# End-to-end relay: smtp-source → server → smtp-sink — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores, $(uname -r). $SESSIONS parallel smtp-source sessions, a connection per
message; each server relays everything to one smtp-sink and queues durably (fsync before 250). A run
lasts from the first message sent until the server's queue is empty again. Before measuring,
$SLUICE_WARMUP messages of each size went through Sluice and $POSTFIX_WARMUP through Postfix (warm-up).

| messages | direct ceiling msgs/s | Postfix msgs/s | Sluice msgs/s | Sluice / Postfix | Postfix CPU s / 1000 msgs | Sluice CPU s / 1000 msgs |
|---|---:|---:|---:|---:|---:|---:|
$rows
$summary
$(if [ -n "${BASELINE:-}" ]; then printf '\n%s\n\n%s\n%s\n%s\n' "Before and after, same runs (before = $BASELINE, measured just before the current build against the same Postfix and sink):" "| messages | Postfix msgs/s | Sluice before msgs/s (× Postfix) | Sluice after msgs/s (× Postfix) | before CPU s / 1000 msgs | after CPU s / 1000 msgs |" "|---|---:|---:|---:|---:|---:|" "$base_rows"; fi)

Sluice peak RSS: $((sl_rss / 1024)) MiB. CPU is the server's own (Postfix: master and its children), from /proc/PID/stat;
the load generator and the sink share the same two cores.
MD
cat "$result"
bench/report.sh
