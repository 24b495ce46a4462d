#!/usr/bin/env bash
# Balancer overhead: smtp-source -> smtp-sink (Debian's postfix package) directly, through
# `sluice balance` and through HAProxy (Debian's package, tcp mode, its defaults: one thread per
# core, no splicing), in the same run. Neither balancer sends PROXY headers here (smtp-sink does not
# read them): this measures the cost of the extra hop itself. A connection per message, so
# connection setup through the balancer is part of every message. The reference workload
# (../shared/bench/README.md): 10 sessions, 20,000 × 4 KB and 5,000 × 100 KB, and every balancer
# gets the same untimed warm-up (5,000 × 4 KB, 2,000 × 100 KB); then each workload runs through each path in turn (direct, HAProxy, Sluice,
# direct, …), REPS times; medians are reported.
# With BASELINE=<commit>, that commit's `sluice balance` runs as a fourth path; SLUICE_ENV /
# BASE_ENV ("NAME=value …") set environment variables for either balancer.
# Writes bench/results/balance-<utc>.md and rebuilds docs/performance.md.
#   SIZES="4096:20000 102400:5000" SESSIONS=10 REPS=3 [BASELINE=3dd49f5] bench/balance/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SIZES=${SIZES:-"4096:20000 102400:5000"}
SESSIONS=${SESSIONS:-10}
REPS=${REPS:-3}
WARMUP=${WARMUP:-"4096:5000 102400:2000"}
HZ=$(getconf CLK_TCK)
bench_workspace balance
trap 'bench_cleanup; remove_baseline' EXIT

build_sluice
build_baseline

start_smtp_sink "$WORK/sink.log"
PIDS+=("$SINK_PID")

# start_balance NAME DLL [ENV…] -> sets <NAME>_PORT and <NAME>_PID
start_balance() {
  start_listening "$1" "${3:-}" dotnet "$2" balance --listen "127.0.0.1:{PORT}" --http "127.0.0.1:{HTTP}" \
    --node "127.0.0.1:$SINK_PORT" --proxy None
}
start_balance sluice src/Sluice/bin/Release/net10.0/Sluice.dll "${SLUICE_ENV:-}"
PATHS="direct haproxy sluice"
if [ -n "${BASELINE:-}" ]; then
  start_balance base "$WORK/baseline-bin/Sluice.dll" "${BASE_ENV:-}"
  PATHS="direct haproxy base sluice"
fi

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

port_of() { case $1 in direct) echo "$SINK_PORT" ;; haproxy) echo "$HA_PORT" ;; sluice) echo "$sluice_PORT" ;; base) echo "$base_PORT" ;; esac; }
pid_of() { case $1 in direct) echo - ;; haproxy) echo "$HA_PID" ;; sluice) echo "$sluice_PID" ;; base) echo "$base_PID" ;; esac; }

# measure PATH MESSAGES SIZE -> "rate cpu_ms_per_connection busy_percent"
measure() {
  local path=$1 n=$2 size=$3 pid start end cpu0=0 cpu1=0 m0 m1
  pid=$(pid_of "$path")
  [ "$pid" != - ] && cpu0=$(cpu_ticks "$pid")
  m0=$(machine_ticks)
  start=$(date +%s.%N)
  timeout 900 smtp-source -s "$SESSIONS" -m "$n" -l "$size" -f bench@sender.example -t rcpt@sink.example "127.0.0.1:$(port_of "$path")"
  end=$(date +%s.%N)
  m1=$(machine_ticks)
  [ "$pid" != - ] && cpu1=$(cpu_ticks "$pid")
  awk -v n="$n" -v s="$start" -v e="$end" -v c="$((cpu1 - cpu0))" -v hz="$HZ" -v m0="$m0" -v m1="$m1" \
    'BEGIN { split(m0, a, " "); split(m1, b, " "); printf "%.0f %.3f %.0f\n", n / (e - s), c / hz / n * 1000, (b[1] - a[1]) / (b[2] - a[2]) * 100 }'
}

# Peak proportional set size of the balancers, sampled while the runs go.
peak_file="$WORK/peaks"
(
  declare -A peak=()
  while :; do
    for path in $PATHS; do
      pid=$(pid_of "$path"); [ "$pid" = - ] && continue
      now=$(tree_rss "$pid"); [ "${now:-0}" -gt "${peak[$path]:-0}" ] && peak[$path]=$now
    done
    for path in "${!peak[@]}"; do echo "$path ${peak[$path]}"; done >"$peak_file.tmp" && mv "$peak_file.tmp" "$peak_file"
    sleep 0.25
  done
) &
PIDS+=($!)

echo "== warm-up ($WARMUP) through each balancer"
for spec in $WARMUP; do
  size=${spec%%:*}; n=${spec##*:}
  for path in $PATHS; do
    [ "$path" = direct ] && continue
    smtp-source -s "$SESSIONS" -m "$n" -l "$size" -f w@sender.example -t w@sink.example "127.0.0.1:$(port_of "$path")"
  done
done

declare -A RATES=() CPUS=() BUSY=()
for spec in $SIZES; do
  size=${spec%%:*}; n=${spec##*:}
  for rep in $(seq 1 "$REPS"); do
    for path in $PATHS; do
      echo "== $n × $size bytes, run $rep: $path"
      read -r rate cpu busy <<<"$(measure "$path" "$n" "$size")"
      echo "   $rate msgs/s, $cpu ms CPU per connection, machine $busy% busy"
      RATES[$spec.$path]+="$rate "; CPUS[$spec.$path]+="$cpu "; BUSY[$spec.$path]+="$busy "
    done
  done
done

med() { tr ' ' '\n' <<<"$1" | grep . | median; }
rows=""; cpu_rows=""; base_rows=""
for spec in $SIZES; do
  size=${spec%%:*}; n=${spec##*:}
  d=$(med "${RATES[$spec.direct]}"); h=$(med "${RATES[$spec.haproxy]}"); s=$(med "${RATES[$spec.sluice]}")
  ratio=$(awk -v a="$s" -v b="$h" 'BEGIN{printf "%.2fx", a/b}')
  rows+="| $n × $((size / 1024)) KB | $d | $h ($(awk -v a="$h" -v b="$d" 'BEGIN{printf "%.0f%%", a/b*100}')) | $s ($(awk -v a="$s" -v b="$d" 'BEGIN{printf "%.0f%%", a/b*100}')) | **$ratio** | ${RATES[$spec.haproxy]% } | ${RATES[$spec.sluice]% } |"$'\n'
  cpu_rows+="| $n × $((size / 1024)) KB | $(med "${CPUS[$spec.haproxy]}") | $(med "${CPUS[$spec.sluice]}") | ${CPUS[$spec.haproxy]% } | ${CPUS[$spec.sluice]% } | $(med "${BUSY[$spec.haproxy]}")% / $(med "${BUSY[$spec.sluice]}")% |"$'\n'
  if [ -n "${BASELINE:-}" ]; then
    b=$(med "${RATES[$spec.base]}")
    base_rows+="| $n × $((size / 1024)) KB | $h | $b ($(awk -v a="$b" -v c="$h" 'BEGIN{printf "%.2fx", a/c}')) | $s ($ratio) | $(med "${CPUS[$spec.base]}") | $(med "${CPUS[$spec.sluice]}") |"$'\n'
  fi
done

peak_of() { awk -v p="$1" '$1 == p { printf "%.0f", $2 / 1024 }' "$peak_file"; }
result="bench/results/balance-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$result" <<MD
# Balancer overhead: smtp-source → balancer → smtp-sink — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores, $(uname -r). $SESSIONS parallel smtp-source sessions, a connection per
message, no PROXY headers (smtp-sink does not read them). HAProxy $(haproxy -v 2>/dev/null | awk 'NR==1{print $3}') in tcp mode with its defaults
(a thread per core). The same warm-up through each balancer first ($WARMUP); paths interleaved,
$REPS repetitions, medians. Percentages are of the direct rate in the same runs.

| messages | direct msgs/s | HAProxy msgs/s | sluice balance msgs/s | sluice / HAProxy | HAProxy runs | sluice runs |
|---|---:|---:|---:|---:|---|---|
$rows
| messages | HAProxy CPU ms/conn | sluice CPU ms/conn | HAProxy runs | sluice runs | machine busy (HAProxy / sluice runs) |
|---|---:|---:|---|---|---:|
$cpu_rows
$(if [ -n "${BASELINE:-}" ]; then printf '%s\n\n%s\n%s\n%s\n' "Before and after in the same runs (before = $BASELINE${BASE_ENV:+ with $BASE_ENV}; after${SLUICE_ENV:+ with $SLUICE_ENV}):" "| messages | HAProxy msgs/s | before msgs/s (× HAProxy) | after msgs/s (× HAProxy) | before CPU ms/conn | after CPU ms/conn |" "|---|---:|---:|---:|---:|---:|" "$base_rows"; fi)
Peak memory (PSS): sluice balance $(peak_of sluice) MiB, HAProxy $(peak_of haproxy) MiB. CPU is each balancer's own,
from /proc/PID/stat; the load generator, the sink and the balancer share the same two cores.
MD
cat "$result"
bench/report.sh
