#!/usr/bin/env bash
# Where the node's CPU goes by thread, and which system calls it makes, per message: smtp-source
# (10 sessions, a connection per message) → sluice serve --relay-host → smtp-sink, after the
# reference warm-up (or, with ACCEPT=1, into sluice serve --no-delivery). CPU and context switches
# per thread kind come from /proc/PID/task/*/{stat,status} before and after MESSAGES messages;
# system calls per message from `strace -c` over a second, shorter run (STRACE_MESSAGES), since
# strace slows the node many times over (its counts count, not its times). Sluice alone: no peer.
# Writes bench/results/threads-<relay|accept>-<utc>.md.
#   [ACCEPT=1] MESSAGES=20000 STRACE_MESSAGES=3000 bench/profile/threads.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
MESSAGES=${MESSAGES:-20000}
STRACE_MESSAGES=${STRACE_MESSAGES:-3000}
SIZE=${SIZE:-4096}
MODE=$([ -n "${ACCEPT:-}" ] && echo accept || echo relay)
bench_workspace threads
build_sluice

start_smtp_sink "$WORK/sink.log"
PIDS+=("$SINK_PID")
SL_PORT=$(free_port); SL_HTTP=$(free_port)
if [ "$MODE" = accept ]; then ROLE=(--no-delivery); else ROLE=(--relay-host "127.0.0.1:$SINK_PORT"); fi
SLUICE__Delivery__Shaping__Default__MaxConnections=100 dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve \
  --data "$WORK/sluice" --smtp "127.0.0.1:$SL_PORT" --http "127.0.0.1:$SL_HTTP" "${ROLE[@]}" >"$WORK/sluice.log" 2>&1 &
NODE=$!; PIDS+=("$NODE")
wait_ready "$SL_HTTP"

wait_sink() { [ "$MODE" = accept ] && return 0; for _ in $(seq 1 45000); do [ "$(sink_count "$WORK/sink.log")" -ge "$1" ] && return 0; sleep 0.02; done; return 1; }
send() { smtp-source -s 10 -m "$1" -l "$2" -f bench@sender.example -t rcpt@relay.example "127.0.0.1:$SL_PORT"; }
echo "== warm-up: 5,000 × 4 KB, 2,000 × 100 KB"
send 5000 4096; send 2000 102400
wait_sink 7000

# One line per thread: tid, name (its comm, numbers stripped), CPU ticks, context switches.
snapshot() {
  local t
  for t in /proc/"$NODE"/task/*; do
    printf '%s\t%s\t%s\t%s\n' "${t##*/}" "$(sed 's/[0-9]*$//; s/ *$//' "$t/comm")" \
      "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')" "$(awk '/ctxt_switches/ { s += $2 } END { print s }' "$t/status")"
  done
}
echo "== $MESSAGES × $SIZE B, by thread"
snapshot >"$WORK/before"
target=$(( $(sink_count "$WORK/sink.log") + MESSAGES ))
send "$MESSAGES" "$SIZE"
wait_sink "$target"
snapshot >"$WORK/after"
# Threads that came and went in between are not seen; pool threads live far longer than a run.
awk -F'\t' -v hz="$(getconf CLK_TCK)" -v n="$MESSAGES" '
  FNR == NR { cpu[$1] = $3; sw[$1] = $4; next }
  { c = $3 - cpu[$1]; s = $4 - sw[$1]; kc[$2] += c; ks[$2] += s; tc += c; ts += s }
  END {
    for (k in kc) if (kc[k] > 0 || ks[k] / n >= 0.01) printf "| %s | %.4f | %.2f |\n", k, kc[k] * 1000 / hz / n, ks[k] / n
    printf "| **all** | **%.4f** | **%.2f** |\n", tc * 1000 / hz / n, ts / n
  }' "$WORK/before" "$WORK/after" | sort -t'|' -k3 -rn >"$WORK/threads"

echo "== $STRACE_MESSAGES × $SIZE B under strace -c"
target=$(( $(sink_count "$WORK/sink.log") + STRACE_MESSAGES ))
strace -f -c -o "$WORK/strace" -p "$NODE" 2>/dev/null &
STRACE=$!
sleep 1
send "$STRACE_MESSAGES" "$SIZE"
wait_sink "$target"
sleep 1
kill -INT "$STRACE"; wait "$STRACE" || true
# strace -c columns: % time, seconds, usecs/call, calls, [errors,] syscall.
awk -v n="$STRACE_MESSAGES" '$NF != "syscall" && $NF != "total" && $4 ~ /^[0-9]+$/ && $4 / n >= 0.05 {
  errors = NF == 6 ? $5 : 0; printf "| %s | %.2f | %.2f |\n", $NF, $4 / n, errors / n }' "$WORK/strace" | sort -t'|' -k3 -rn >"$WORK/syscalls"

result="bench/results/threads-$MODE-$(date -u +%Y%m%dT%H%M%SZ).md"
cat >"$result" <<MD
# Node CPU by thread and system calls per message, $MODE, $SIZE B — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD) on $(nproc) cores. smtp-source (10 sessions, a connection per message) →
sluice serve $([ "$MODE" = accept ] && echo "--no-delivery" || echo "--relay-host → smtp-sink"), after the reference warm-up. By thread: $MESSAGES messages,
/proc/PID/task/*/stat and status before and after. System calls: $STRACE_MESSAGES more messages under \`strace -f -c\`
(calls per message; errors are mostly EAGAIN). Sluice alone, no peer: this says where the node's time goes, not how it compares.

| thread | CPU ms per message | context switches per message |
|---|---:|---:|
$(cat "$WORK/threads")

| system call | calls per message | of which failed |
|---|---:|---:|
$(cat "$WORK/syscalls")
MD
cat "$result"
