#!/usr/bin/env bash
# Accept-rate benchmark: smtp-source (Postfix's load generator) sends MESSAGES messages of SIZE
# bytes over SESSIONS parallel sessions into `sluice serve` and, in the same run, into a private
# Postfix smtpd accepting into its own queue. Both fsync before answering 250; neither delivers
# (Sluice runs with --no-delivery; Postfix holds every message with check_client_access static:HOLD).
# Writes bench/results/accept-rate-<utc>.md and rebuilds docs/performance.md (bench/report.sh).
#   MESSAGES=20000 SESSIONS=20 SIZE=4096 bench/accept-rate/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
ROOT=$(pwd)
MESSAGES=${MESSAGES:-20000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-4096}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/sluice-bench.XXXXXX)
chmod 755 "$WORK"  # Postfix daemons run as user postfix and must reach their folders
SLUICE_PID=""
POSTFIX_DIR="$WORK/postfix"

cleanup() {
  [ -n "$SLUICE_PID" ] && kill "$SLUICE_PID" 2>/dev/null || true
  [ -f "$POSTFIX_DIR/etc/main.cf" ] && postfix -c "$POSTFIX_DIR/etc" stop >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT



busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }


# run NAME PORT PID EXTRA_SMTP_SOURCE_FLAGS -> "rate seconds cpu_ms_per_msg machine_cpu_ms_per_msg"
run() {
  local port=$2 pid=$3 flags=$4 start end cpu0 cpu1 busy0 busy1
  cpu0=$(cpu_ticks "$pid"); busy0=$(busy_ticks); start=$(date +%s.%N)
  # shellcheck disable=SC2086
  timeout 600 smtp-source $flags -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f bench@sender.example -t rcpt@bench.example "127.0.0.1:$port"
  end=$(date +%s.%N); cpu1=$(cpu_ticks "$pid"); busy1=$(busy_ticks)
  awk -v n="$MESSAGES" -v s="$start" -v e="$end" -v c="$((cpu1 - cpu0))" -v b="$((busy1 - busy0))" -v hz="$HZ" \
    'BEGIN { t = e - s; printf "%.0f %.2f %.3f %.3f\n", n / t, t, c * 1000 / hz / n, b * 1000 / hz / n }'
}

echo "== building Sluice (Release)"
dotnet build src/Sluice -c Release -nologo -v quiet >/dev/null

echo "== starting Postfix (private instance in $POSTFIX_DIR)"
PF_PORT=$(free_port)
postfix_prepare "$POSTFIX_DIR"
cat >> "$POSTFIX_DIR/etc/main.cf" <<CF
smtpd_client_restrictions = check_client_access static:HOLD
CF
cat > "$POSTFIX_DIR/etc/master.cf" <<CF
127.0.0.1:$PF_PORT inet n - n - - smtpd
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
anvil unix - - n - 1 anvil
proxymap unix - - n - - proxymap
postlog unix-dgram n - n - 1 postlogd
CF
postfix -c "$POSTFIX_DIR/etc" start-fg >"$WORK/postfix.log" 2>&1 &
wait_port "$PF_PORT"
PF_MASTER=$(cat "$POSTFIX_DIR/queue/pid/master.pid" | tr -d ' ')

echo "== starting sluice serve"
SL_PORT=$(free_port); SL_HTTP=$(free_port)
dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve --no-delivery --data "$WORK/sluice" --smtp "127.0.0.1:$SL_PORT" --http "127.0.0.1:$SL_HTTP" >"$WORK/sluice.log" 2>&1 &
SLUICE_PID=$!
wait_port "$SL_PORT"

# Warm both up (JIT, process pools) before measuring.
smtp-source -s 4 -m 200 -l "$SIZE" -f w@sender.example -t w@bench.example "127.0.0.1:$SL_PORT"
smtp-source -s 4 -m 200 -l "$SIZE" -f w@sender.example -t w@bench.example "127.0.0.1:$PF_PORT"

declare -A R
for mode in new reuse; do
  flags=""; [ "$mode" = reuse ] && flags="-d"
  echo "== $mode connections: Postfix"; R[postfix_$mode]=$(run postfix "$PF_PORT" "$PF_MASTER" "$flags")
  echo "== $mode connections: Sluice";  R[sluice_$mode]=$(run sluice "$SL_PORT" "$SLUICE_PID" "$flags")
done

# Count what each accepted: 2 warm-up rounds + 2 measured rounds.
expected=$((2 * MESSAGES + 200))
pf_count=$(find "$POSTFIX_DIR/queue/hold" -type f | wc -l)
sl_count=$(sluice_queue_total "$WORK/sluice" "$SL_HTTP")
sl_rss=$(awk '/VmHWM/{print $2}' "/proc/$SLUICE_PID/status")
metrics=$(sluice_api "$WORK/sluice" "$SL_HTTP" /metrics)
batch=$(echo "$metrics" | awk '/^sluice_spool_commit_messages_sum/{s=$2} /^sluice_spool_commit_messages_count/{c=$2} END{printf "%.1f", s/c}')
[ "$pf_count" -eq "$expected" ] || { echo "Postfix queued $pf_count, expected $expected" >&2; exit 1; }
[ "$sl_count" -eq "$expected" ] || { echo "Sluice queued $sl_count, expected $expected" >&2; exit 1; }

read -r pn_rate pn_t pn_cpu pn_mcpu <<<"${R[postfix_new]}"
read -r sn_rate sn_t sn_cpu sn_mcpu <<<"${R[sluice_new]}"
read -r pr_rate pr_t pr_cpu pr_mcpu <<<"${R[postfix_reuse]}"
read -r sr_rate sr_t sr_cpu sr_mcpu <<<"${R[sluice_reuse]}"
ratio_new=$(awk -v a="$sn_rate" -v b="$pn_rate" 'BEGIN{printf "%.2f", a/b}')
ratio_reuse=$(awk -v a="$sr_rate" -v b="$pr_rate" 'BEGIN{printf "%.2f", a/b}')
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
result="bench/results/accept-rate-$(date -u +%Y%m%dT%H%M%SZ).md"

cat > "$result" <<MD
# Accept rate: sluice serve vs Postfix smtpd — $stamp

Commit $commit on $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r).
smtp-source: $MESSAGES messages of $SIZE bytes over $SESSIONS parallel sessions; both fsync before 250.
Postfix $(postconf -d mail_version 2>/dev/null | sed 's/.*= //') holds every message (static:HOLD); Sluice spools to its embedded SQLite WAL spool.

| connections | server | msgs/s | seconds | server CPU ms/msg | machine CPU ms/msg |
|---|---|---:|---:|---:|---:|
| new per message | Postfix | $pn_rate | $pn_t | $pn_cpu | $pn_mcpu |
| new per message | Sluice | $sn_rate | $sn_t | $sn_cpu | $sn_mcpu |
| reused (-d) | Postfix | $pr_rate | $pr_t | $pr_cpu | $pr_mcpu |
| reused (-d) | Sluice | $sr_rate | $sr_t | $sr_cpu | $sr_mcpu |

Sluice / Postfix: **${ratio_new}x** with a connection per message, **${ratio_reuse}x** with reused connections.
Sluice peak RSS: $((sl_rss / 1024)) MiB; average messages per group commit (one fsync): $batch.
Machine CPU includes smtp-source itself. Both queues were counted afterwards: $expected messages each.
MD

cat "$result"
bench/report.sh
