#!/usr/bin/env bash
# End-to-end relay on the reference workload (../shared/bench/README.md): smtp-source → server →
# smtp-sink, all on 127.0.0.1, one message per connection. Servers: the "direct" ceiling
# (smtp-source straight into the sink), Postfix configured exactly as bench/postfix-reference.cf
# (a verbatim copy of the shared reference: destination concurrency 100, connection cache, no
# client lookups) and `sluice serve --relay-host` with 100 connections to the next hop, as the
# reference gives Postfix. Both servers fsync before 250. Every server gets the same untimed
# warm-up (5,000 × 4 KB, 2,000 × 100 KB); then each workload runs on each server in turn
# (direct, Postfix, Sluice, direct, Postfix, Sluice, …), REPS times; medians are reported.
# A run lasts from the first timed message until the sink has counted all of them.
# With BASELINE=<commit>, that commit is built (a git worktree) and run as a fourth server;
# SLUICE_ENV / BASE_ENV ("NAME=value …") set environment variables for either node (runtime knobs).
# SPOOL_UNDER_CWD=1 runs each node as ./build.sh serve does: from a folder of its own with the spool
# in ./data under it (the default is the repository as working directory and the spool elsewhere).
# WEBHOOK=1 subscribes a webhook to every event type on the Sluice under test (not the baseline),
# posting to a minimal receiver on loopback that answers 200 (its CPU is not counted as Sluice's).
# Writes bench/results/relay-<utc>.md and rebuilds docs/performance.md.
#   WORKLOADS="4096:20000:10 102400:5000:10 4096:20000:50" REPS=3 [BASELINE=7c51d21] bench/relay/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
WORKLOADS=${WORKLOADS:-"4096:20000:10 102400:5000:10 4096:20000:50"}
REPS=${REPS:-3}
WARMUP=${WARMUP:-"4096:5000 102400:2000"}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/sluice-relay.XXXXXX)
chmod 755 "$WORK"
PIDS=()
PF_DIR="$WORK/postfix"

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  remove_baseline
  [ -f "$PF_DIR/etc/main.cf" ] && postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

build_sluice
build_baseline

start_sink_and_postfix

# start_sluice NAME DLL [ENV…] -> sets <NAME>_PORT, <NAME>_PID, <NAME>_HTTP and <NAME>_DATA
start_sluice() {
  local cwd=. data="$WORK/$1"
  if [ -n "${SPOOL_UNDER_CWD:-}" ]; then cwd="$WORK/$1-cwd"; data="$cwd/data"; mkdir -p "$cwd"; fi
  start_listening "$1" "SLUICE__Delivery__Shaping__Default__MaxConnections=100 ${3:-}" \
    env -C "$cwd" dotnet "$(realpath "$2")" serve --data "$data" --smtp "127.0.0.1:{PORT}" --http "127.0.0.1:{HTTP}" --relay-host "127.0.0.1:$SINK_PORT"
  printf -v "${1}_DATA" '%s' "$data"
  wait_ready "$(eval echo "\$${1}_HTTP")"
}
echo "== starting sluice serve relaying to the sink"
start_sluice sluice "${SLUICE_DLL:-src/Sluice/bin/Release/net10.0/Sluice.dll}" "${SLUICE_ENV:-}"
SERVERS="direct postfix sluice"
if [ -n "${WEBHOOK:-}" ]; then
  subscribe_webhook "$sluice_HTTP" "$sluice_DATA/admin.key"
fi
if [ -n "${BASELINE:-}" ]; then
  start_sluice base "$WORK/baseline-bin/Sluice.dll" "${BASE_ENV:-}"
  SERVERS="direct postfix base sluice"
fi
port_of() { case $1 in direct) echo "$SINK_PORT" ;; postfix) echo "$PF_PORT" ;; sluice) echo "$sluice_PORT" ;; base) echo "$base_PORT" ;; esac; }
pid_of() { case $1 in direct) echo "$SINK_PID" ;; postfix) echo "$PF_MASTER" ;; sluice) echo "$sluice_PID" ;; base) echo "$base_PID" ;; esac; }

# send SERVER COUNT SIZE SESSIONS: COUNT messages through SERVER; returns when the sink has them all.
# Prints the number of refused messages (smtp-source reports each failed transaction on stderr).
send() {
  local port target refused
  port=$(port_of "$1"); target=$(( $(sink_count "$WORK/sink.log") + $2 ))
  refused=$(timeout 900 smtp-source -s "$4" -m "$2" -l "$3" -f bench@sender.example -t rcpt@relay.example "127.0.0.1:$port" 2>&1 | grep -c . || true)
  for _ in $(seq 1 45000); do [ "$(sink_count "$WORK/sink.log")" -ge "$target" ] && break; sleep 0.02; done
  [ "$(sink_count "$WORK/sink.log")" -ge "$target" ] || { echo "$1: the sink did not get all $2 messages" >&2; exit 1; }
  echo "$refused"
}

echo "== warm-up, the same for every server: $WARMUP"
for server in $SERVERS; do
  [ "$server" = direct ] && continue
  for spec in $WARMUP; do send "$server" "${spec##*:}" "${spec%%:*}" 10 >/dev/null; done
done

# measure SERVER COUNT SIZE SESSIONS -> "rate cpu_ms_per_msg busy_share refused rss_kib"
measure() {
  local pid start end cpu0 cpu1 m0 m1 refused rss sampler
  pid=$(pid_of "$1")
  cpu0=$(cpu_ticks "$pid"); read -r -a m0 <<<"$(machine_ticks)"; start=$(date +%s.%N)
  # Peak resident memory of the server's processes, sampled while it runs.
  ( peak=0; while :; do r=$(tree_rss "$pid"); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >"$WORK/rss"; sleep 0.25; done ) &
  sampler=$!
  refused=$(send "$@") || exit 1
  end=$(date +%s.%N); cpu1=$(cpu_ticks "$pid"); read -r -a m1 <<<"$(machine_ticks)"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  rss=$(cat "$WORK/rss" 2>/dev/null || echo 0); rm -f "$WORK/rss"
  awk -v n="$2" -v s="$start" -v e="$end" -v c="$((cpu1 - cpu0))" -v hz="$HZ" -v b="$((m1[0] - m0[0]))" -v t="$((m1[1] - m0[1]))" -v r="$refused" -v rss="$rss" \
    'BEGIN { printf "%.0f %.3f %.0f %d %d\n", n / (e - s), c * 1000 / hz / n, 100 * b / t, r, rss }'
}

for rep in $(seq 1 "$REPS"); do
  for spec in $WORKLOADS; do
    IFS=: read -r size n sessions <<<"$spec"
    for server in $SERVERS; do
      echo "== repetition $rep: $n × $size B, $sessions sessions: $server"
      measure "$server" "$n" "$size" "$sessions" >>"$WORK/$server-$size-$sessions"
      tail -1 "$WORK/$server-$size-$sessions"
    done
  done
done

col() { awk -v c="$2" '{print $c}' "$WORK/$1" | median; }
runs() { awk '{printf "%s%s", sep, $1; sep=", "}' "$WORK/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.2f", (b > 0) ? a / b : 0 }'; }
rows=""; cpu_rows=""
for spec in $WORKLOADS; do
  IFS=: read -r size n sessions <<<"$spec"
  k="$size-$sessions"
  d=$(col "direct-$k" 1); p=$(col "postfix-$k" 1); s=$(col "sluice-$k" 1)
  label="$n × $((size / 1024)) KB, $sessions sessions"
  rows+="| $label | $d | $p | $s | **$(ratio "$s" "$p")x** | $(ratio "$s" "$d") | $(runs "postfix-$k") | $(runs "sluice-$k") |"$'\n'
  cpu_rows+="| $label | $(col "postfix-$k" 2) | $(col "sluice-$k" 2) | $(( $(col "postfix-$k" 5) / 1024 )) | $(( $(col "sluice-$k" 5) / 1024 )) | $(col "postfix-$k" 3)% / $(col "sluice-$k" 3)% | $(col "postfix-$k" 4) / $(col "sluice-$k" 4) |"$'\n'
  if [ -n "${BASELINE:-}" ]; then
    b=$(col "base-$k" 1)
    base_rows+="| $label | $p | $b ($(ratio "$b" "$p")x) | $s ($(ratio "$s" "$p")x) | $(col "base-$k" 2) | $(col "sluice-$k" 2) |"$'\n'
  fi
done

result="bench/results/relay-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$result" <<MD
# End-to-end relay, reference workload — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores, $(uname -r). smtp-source → server → smtp-sink on 127.0.0.1, one
message per connection; Postfix as \`bench/postfix-reference.cf\`, Sluice with 100 connections to the next hop; both fsync
before 250. Same warm-up for every server ($WARMUP); servers interleaved, $REPS repetitions, medians. A run lasts
from the first timed message until the sink has counted all of them.$(if [ -n "${SPOOL_UNDER_CWD:-}" ]; then printf '\n%s' "Each node ran from a folder of its own with its spool in ./data under it (SPOOL_UNDER_CWD, as ./build.sh serve runs)."; fi)

| workload | direct msgs/s | Postfix msgs/s | Sluice msgs/s | Sluice / Postfix | Sluice / direct | Postfix runs | Sluice runs |
|---|---:|---:|---:|---:|---:|---|---|
$rows
| workload | Postfix CPU ms/msg | Sluice CPU ms/msg | Postfix peak memory (PSS) MiB | Sluice peak memory (PSS) MiB | machine busy (Postfix / Sluice runs) | refused (Postfix / Sluice) |
|---|---:|---:|---:|---:|---:|---:|
$cpu_rows
$(if [ -n "${BASELINE:-}" ]; then printf '%s\n\n%s\n%s\n%s\n' "Before and after in the same runs (before = $BASELINE${BASE_ENV:+ with $BASE_ENV}; after${SLUICE_ENV:+ with $SLUICE_ENV}${WEBHOOK:+, with a webhook for every event type}):" "| workload | Postfix msgs/s | Sluice before msgs/s (× Postfix) | Sluice after msgs/s (× Postfix) | before CPU ms/msg | after CPU ms/msg |" "|---|---:|---:|---:|---:|---:|" "$base_rows"; fi)
CPU is each server's own (Postfix: master and all its children; Sluice: its one process) from /proc/PID/stat; load
generator and sink share the two cores. Peak memory is the proportional set size summed over the server's processes,
sampled every 250 ms.
MD
cat "$result"
bench/report.sh
