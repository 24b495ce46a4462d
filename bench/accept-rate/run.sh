#!/usr/bin/env bash
# Accept-only rate on the reference workload's shape: smtp-source sends MESSAGES × SIZE over
# SESSIONS sessions, a connection per message (and, as a second workload, reused connections with
# -d), into `sluice serve --no-delivery` and into Postfix configured as bench/postfix-reference.cf
# (a verbatim copy of the shared reference) holding every message (check_client_access static:HOLD,
# the one line added: an accept-only run must not deliver). Both fsync before 250. The same warm-up
# for both (5,000 messages), servers interleaved, REPS repetitions, medians.
# SLUICE_ENV ("NAME=value …") sets environment variables for the node (bench/cluster/accept.sh: cluster mode).
# With BASELINE=<commit>, that commit is built (a git worktree) and run as a third server, interleaved
# with the others, for a before/after in the same runs (BASE_ENV sets its environment).
# Writes bench/results/accept-rate-<utc>.md and rebuilds docs/performance.md (bench/report.sh).
#   MESSAGES=20000 SESSIONS=10 SIZE=4096 REPS=3 [BASELINE=15cc6ac] bench/accept-rate/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
MESSAGES=${MESSAGES:-20000}
SESSIONS=${SESSIONS:-10}
SIZE=${SIZE:-4096}
REPS=${REPS:-3}
WARMUP=${WARMUP:-5000}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/sluice-accept.XXXXXX)
chmod 755 "$WORK"  # Postfix daemons run as user postfix and must reach their folders
PIDS=()
PF_DIR="$WORK/postfix"
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$PF_DIR/etc/main.cf" ] && postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || true
  remove_baseline
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# run PORT PID FLAGS -> "rate cpu_ms_per_msg machine_busy_percent"
run() {
  local start end cpu0 cpu1 m0 m1
  cpu0=$(cpu_ticks "$2"); read -r -a m0 <<<"$(machine_ticks)"; start=$(date +%s.%N)
  # shellcheck disable=SC2086
  timeout 600 smtp-source $3 -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f bench@sender.example -t rcpt@bench.example "127.0.0.1:$1"
  end=$(date +%s.%N); cpu1=$(cpu_ticks "$2"); read -r -a m1 <<<"$(machine_ticks)"
  awk -v n="$MESSAGES" -v s="$start" -v e="$end" -v c="$((cpu1 - cpu0))" -v hz="$HZ" -v b="$((m1[0] - m0[0]))" -v t="$((m1[1] - m0[1]))" \
    'BEGIN { printf "%.0f %.3f %.0f\n", n / (e - s), c * 1000 / hz / n, 100 * b / t }'
}

build_sluice
build_baseline
echo "== starting Postfix (reference configuration, holding every message)"
PF_PORT=$(free_port)
postfix_reference "$PF_DIR" "$PF_PORT" "smtpd_client_restrictions = check_client_access static:HOLD"
postfix -c "$PF_DIR/etc" start-fg >"$WORK/postfix.log" 2>&1 &
PIDS+=($!)
wait_port "$PF_PORT"
PF_MASTER=$(tr -d ' ' < "$PF_DIR/queue/pid/master.pid")

echo "== starting sluice serve --no-delivery"
SL_PORT=$(free_port); SL_HTTP=$(free_port)
# shellcheck disable=SC2086
env ${SLUICE_ENV:-} dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve --no-delivery --data "$WORK/sluice" --smtp "127.0.0.1:$SL_PORT" --http "127.0.0.1:$SL_HTTP" >"$WORK/sluice.log" 2>&1 &
SLUICE_PID=$!; PIDS+=("$SLUICE_PID")
wait_port "$SL_PORT"
wait_ready "$SL_HTTP"
if [ -n "${BASELINE:-}" ]; then
  echo "== starting the baseline's sluice serve --no-delivery"
  BASE_PORT=$(free_port); BASE_HTTP=$(free_port)
  # shellcheck disable=SC2086
  env ${BASE_ENV:-} dotnet "$WORK/baseline-bin/Sluice.dll" serve --no-delivery --data "$WORK/base" --smtp "127.0.0.1:$BASE_PORT" --http "127.0.0.1:$BASE_HTTP" >"$WORK/base.log" 2>&1 &
  BASE_PID=$!; PIDS+=("$BASE_PID")
  wait_port "$BASE_PORT"
  wait_ready "$BASE_HTTP"
fi

echo "== warm-up: $WARMUP messages each"
smtp-source -s "$SESSIONS" -m "$WARMUP" -l "$SIZE" -f w@sender.example -t w@bench.example "127.0.0.1:$SL_PORT"
smtp-source -s "$SESSIONS" -m "$WARMUP" -l "$SIZE" -f w@sender.example -t w@bench.example "127.0.0.1:$PF_PORT"
[ -n "${BASELINE:-}" ] && smtp-source -s "$SESSIONS" -m "$WARMUP" -l "$SIZE" -f w@sender.example -t w@bench.example "127.0.0.1:$BASE_PORT"

for rep in $(seq 1 "$REPS"); do
  for mode in new reuse; do
    flags=""; [ "$mode" = reuse ] && flags="-d"
    echo "== repetition $rep, $mode connections: Postfix"; run "$PF_PORT" "$PF_MASTER" "$flags" | tee -a "$WORK/postfix-$mode"
    if [ -n "${BASELINE:-}" ]; then
      echo "== repetition $rep, $mode connections: baseline"; run "$BASE_PORT" "$BASE_PID" "$flags" | tee -a "$WORK/base-$mode"
    fi
    echo "== repetition $rep, $mode connections: Sluice"; run "$SL_PORT" "$SLUICE_PID" "$flags" | tee -a "$WORK/sluice-$mode"
  done
done

# Count what each accepted: the warm-up and every measured run.
expected=$((WARMUP + 2 * REPS * MESSAGES))
pf_count=$(find "$PF_DIR/queue/hold" -type f | wc -l)
sl_count=$(sluice_queue_total "$WORK/sluice" "$SL_HTTP")
[ "$pf_count" -eq "$expected" ] || { echo "Postfix held $pf_count, expected $expected" >&2; exit 1; }
[ "$sl_count" -eq "$expected" ] || { echo "Sluice queued $sl_count, expected $expected" >&2; exit 1; }
if [ -n "${BASELINE:-}" ]; then
  base_count=$(sluice_queue_total "$WORK/base" "$BASE_HTTP")
  [ "$base_count" -eq "$expected" ] || { echo "the baseline queued $base_count, expected $expected" >&2; exit 1; }
fi
sl_rss=$(awk '/VmHWM/{print $2}' "/proc/$SLUICE_PID/status")
batch=$(sluice_api "$WORK/sluice" "$SL_HTTP" /metrics | awk '/^sluice_spool_commit_messages_sum/{s=$2} /^sluice_spool_commit_messages_count/{c=$2} END{if (c > 0) printf "%.1f", s/c; else printf "n/a (no spool)"}')

col() { awk -v c="$2" '{print $c}' "$WORK/$1" | median; }
runs() { awk '{printf "%s%s", sep, $1; sep=", "}' "$WORK/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.2f", a / b }'; }
result="bench/results/accept-rate-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$result" <<MD
# Accept rate: sluice serve vs Postfix smtpd, reference configuration — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r). smtp-source: $MESSAGES × $SIZE bytes over $SESSIONS sessions; both
fsync before 250. Postfix $(postconf -d mail_version 2>/dev/null | sed 's/.*= //') as \`bench/postfix-reference.cf\`, holding every message; Sluice with delivery off.
Same warm-up ($WARMUP messages each); interleaved, $REPS repetitions, medians.

| connections | Postfix msgs/s | Sluice msgs/s | Sluice / Postfix | Postfix runs | Sluice runs | Postfix CPU ms/msg | Sluice CPU ms/msg | machine busy (Postfix / Sluice) |
|---|---:|---:|---:|---|---|---:|---:|---:|
| new per message | $(col postfix-new 1) | $(col sluice-new 1) | **$(ratio "$(col sluice-new 1)" "$(col postfix-new 1)")x** | $(runs postfix-new) | $(runs sluice-new) | $(col postfix-new 2) | $(col sluice-new 2) | $(col postfix-new 3)% / $(col sluice-new 3)% |
| reused (-d) | $(col postfix-reuse 1) | $(col sluice-reuse 1) | **$(ratio "$(col sluice-reuse 1)" "$(col postfix-reuse 1)")x** | $(runs postfix-reuse) | $(runs sluice-reuse) | $(col postfix-reuse 2) | $(col sluice-reuse 2) | $(col postfix-reuse 3)% / $(col sluice-reuse 3)% |

Sluice peak RSS: $((sl_rss / 1024)) MiB; messages per group commit (one fsync): $batch on average. Both queues were
counted afterwards: $expected messages each. CPU is each server's own (Postfix: master and its children).
MD
if [ -n "${BASELINE:-}" ]; then
  cat >> "$result" <<MD

Before and after in the same runs (before = $(git rev-parse --short "$BASELINE"); after = the build above):

| connections | Postfix msgs/s | before msgs/s (× Postfix) | after msgs/s (× Postfix) | before runs | before CPU ms/msg | after CPU ms/msg |
|---|---:|---:|---:|---|---:|---:|
| new per message | $(col postfix-new 1) | $(col base-new 1) ($(ratio "$(col base-new 1)" "$(col postfix-new 1)")x) | $(col sluice-new 1) ($(ratio "$(col sluice-new 1)" "$(col postfix-new 1)")x) | $(runs base-new) | $(col base-new 2) | $(col sluice-new 2) |
| reused (-d) | $(col postfix-reuse 1) | $(col base-reuse 1) ($(ratio "$(col base-reuse 1)" "$(col postfix-reuse 1)")x) | $(col sluice-reuse 1) ($(ratio "$(col sluice-reuse 1)" "$(col postfix-reuse 1)")x) | $(runs base-reuse) | $(col base-reuse 2) | $(col sluice-reuse 2) |
MD
fi
cat "$result"
bench/report.sh
