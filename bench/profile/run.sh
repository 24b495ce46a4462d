#!/usr/bin/env bash
# Where Sluice's CPU goes on the relay path: the reference workload's shape (smtp-source, 10
# sessions, a connection per message → sluice serve --relay-host → smtp-sink), sampled with perf
# (cpu-clock, call graphs; the runtime writes /tmp/perf-PID.map so JIT-compiled frames have names).
# After the same warm-up as bench/relay, MESSAGES messages of SIZE bytes are sent while perf records
# the node. Writes the top frames (self time), the split by library and by category to
# bench/results/profile-relay-<SIZE>-<utc>.md, with what the node's own observability costs:
# metrics, the event log (files and sinks), the message index, webhooks (WEBHOOK=1 subscribes one
# to every event type), each with everything it calls. With ACCEPT=1 the node runs
# `serve --no-delivery` (the accept-rate benchmark's path: intake and spool only) and the file is
# bench/results/profile-accept-<SIZE>-<utc>.md.
#   SIZE=4096 MESSAGES=20000 [WEBHOOK=1] [ACCEPT=1] bench/profile/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SIZE=${SIZE:-4096}
MESSAGES=${MESSAGES:-20000}
SESSIONS=${SESSIONS:-10}
TOP=${TOP:-40}
MODE=$([ -n "${ACCEPT:-}" ] && echo accept || echo relay)
PATH_DESC=$([ "$MODE" = accept ] && echo "sluice serve --no-delivery" || echo "sluice serve --relay-host → smtp-sink")
bench_workspace profile
build_sluice

start_smtp_sink "$WORK/sink.log"
PIDS+=("$SINK_PID")
SL_PORT=$(free_port); SL_HTTP=$(free_port)
if [ "$MODE" = accept ]; then ROLE=(--no-delivery); else ROLE=(--relay-host "127.0.0.1:$SINK_PORT"); fi
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 SLUICE__Delivery__Shaping__Default__MaxConnections=100 \
  dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve --data "$WORK/sluice" --smtp "127.0.0.1:$SL_PORT" --http "127.0.0.1:$SL_HTTP" \
  "${ROLE[@]}" >"$WORK/sluice.log" 2>&1 &
NODE=$!; PIDS+=("$NODE")
wait_port "$SL_PORT"
[ -n "${WEBHOOK:-}" ] && subscribe_webhook "$SL_HTTP" "$WORK/sluice/admin.key"

wait_sink() { [ "$MODE" = accept ] && return 0; for _ in $(seq 1 45000); do [ "$(sink_count "$WORK/sink.log")" -ge "$1" ] && return 0; sleep 0.02; done; return 1; }
echo "== warm-up: 5,000 × 4 KB, 2,000 × 100 KB"
smtp-source -s 10 -m 5000 -l 4096 -f w@sender.example -t w@relay.example "127.0.0.1:$SL_PORT"
smtp-source -s 10 -m 2000 -l 102400 -f w@sender.example -t w@relay.example "127.0.0.1:$SL_PORT"
wait_sink 7000

echo "== profiling $MESSAGES × $SIZE B"
target=$(( $(sink_count "$WORK/sink.log") + MESSAGES ))
cpu0=$(cpu_ticks "$NODE")
perf record -F 1999 -g -p "$NODE" -o "$WORK/perf.data" 2>"$WORK/perf.err" &
PERF=$!
smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f bench@sender.example -t rcpt@relay.example "127.0.0.1:$SL_PORT"
wait_sink "$target"
kill -INT "$PERF"; wait "$PERF" || true
cpu1=$(cpu_ticks "$NODE")
cpu_ms=$(awk -v c="$((cpu1 - cpu0))" -v hz="$(getconf CLK_TCK)" -v n="$MESSAGES" 'BEGIN{printf "%.3f", c * 1000 / hz / n}')

report() { perf report -i "$WORK/perf.data" --no-children --percent-limit 0.3 --stdio "$@" 2>/dev/null | grep -v '^#' | grep -v '^$'; }
report --sort dso -g none | head -20 >"$WORK/dso"
report --sort sym -g none | head -"$TOP" >"$WORK/sym"
# System calls with everything they cost below them (children), and the managed frames that cost most with their callees.
perf report -i "$WORK/perf.data" --children --sort sym -g none --stdio 2>/dev/null | grep -E '__x64_sys_|__do_sys_' | head -15 >"$WORK/sys"
# Observability, each part with its callees (children): share of the node's samples.
perf report -i "$WORK/perf.data" --children --sort sym -g none --stdio 2>/dev/null | grep -v '^#' | awk '
  NF >= 3 { pct = $1; sub("%", "", pct); name = $0; sub(/^[^]]*\] /, "", name)
    part = ""
    if (name ~ /PrometheusExporter.*(Record|OnMeasurement|Measure)/) part = "metrics: recording (node exporter)"
    else if (name ~ /DeliveryEventLog::Write/) part = "event log: one event, all sinks (line, file, index queue, rates)"
    else if (name ~ /EcsEventLine::Format/) part = "event log: ECS line"
    else if (name ~ /IndexWriter::Commit/) part = "message index: batch commits (SQLite)"
    else if (name ~ /HeaderField::Read/) part = "message index: Subject read at intake"
    else if (name ~ /WebhookDispatcher.*(RunAsync|PostAsync)/) part = "webhooks: read, sign, post"
    if (part != "" && pct + 0 > max[part] + 0) max[part] = pct }
  END { for (p in max) printf "%.2f %s\n", max[p], p }' | sort -rn >"$WORK/obs"
# Categories by the name of the frame a sample is in (self time).
perf report -i "$WORK/perf.data" --no-children --stdio --sort sym -g none 2>/dev/null | grep -v '^#' | awk '
  NF >= 3 { pct = $1; sub("%", "", pct); name = $0; sub(/^[^]]*\] /, "", name)
    cat = "other managed code"
    if ($2 == "[k]") cat = "kernel (TCP, syscalls, scheduler, page cache)"
    else if (name ~ /sqlite3|libe_sqlite/) cat = "SQLite"
    else if (name ~ /GC|gc_heap|Allocate|JIT_New|memset|memmove|memcpy/) cat = "allocation, GC, memory copies"
    else if (name ~ /Sluice\.Server|SmtpSession|DataDecoder|SmtpLineReader|LineChecker/) cat = "SMTP server (accept, parse)"
    else if (name ~ /Sluice\.Storage|SqliteSpool|Microsoft\.Data\.Sqlite/) cat = "spool (managed side)"
    else if (name ~ /Sluice\.Delivery|SmtpClientConnection|ReadyQueue|Dispatcher|Settlement/) cat = "delivery engine and SMTP client"
    else if (name ~ /System\.Threading|ThreadPool|Monitor|Semaphore|AsyncTaskMethodBuilder|AwaitTaskContinuation|Task/) cat = "threads, tasks, locks"
    else if (name ~ /System\.Net\.Sockets|Socket|Pipe|NetworkStream/) cat = "sockets and pipes (managed side)"
    else if (name ~ /Logging|Metrics|Meter|Counter|Histogram|DeliveryEventLog|Json/) cat = "logging, metrics, event log"
    sum[cat] += pct }
  END { for (c in sum) printf "%.1f %s\n", sum[c], c }' | sort -rn >"$WORK/cat"

result="bench/results/profile-$MODE-$((SIZE / 1024))k${WEBHOOK:+-webhook}-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# ${MODE^} profile, $MESSAGES × $((SIZE / 1024)) KB — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Commit $(git rev-parse --short HEAD) on $(nproc) cores. smtp-source ($SESSIONS sessions, a connection per message) → $PATH_DESC, after the reference warm-up; perf record -F 1999 -g on the node (cpu-clock) for the whole run; W^X off so that JIT-compiled frames have names. Node CPU: **$cpu_ms ms per message**."
  echo
  echo "## By category (self time)"
  echo
  echo "| share | category |"; echo "|---:|---|"
  awk '{ pct = $1; $1 = ""; printf "| %s%% |%s |\n", pct, $0 }' "$WORK/cat"
  echo
  echo "## Observability, with callees (children; the largest frame of each part)"
  echo
  echo "| share of node CPU | ms per message | part |"; echo "|---:|---:|---|"
  awk -v ms="$cpu_ms" '{ pct = $1; $1 = ""; printf "| %s%% | %.4f |%s |\n", pct, pct * ms / 100, $0 }' "$WORK/obs"
  echo
  echo "## By library (self time)"
  echo
  echo '```'; cat "$WORK/dso"; echo '```'
  echo
  echo "## System calls, with their kernel work (children)"
  echo
  echo '```'; cat "$WORK/sys"; echo '```'
  echo
  echo "## Top frames (self time)"
  echo
  echo '```'; cat "$WORK/sym"; echo '```'
} >"$result"
cat "$result"
