#!/usr/bin/env bash
# Mixed destinations: does a slow and a silent destination hold up healthy ones?
# Four healthy destinations (one `sluice sink` listening on 127.0.0.21-24), one slow destination
# (a sink answering every batch of commands after SLOW_MS) and one silent one (accepts TCP, never
# answers), all found by MX through dnsmasq. Each repetition runs the same healthy load twice on a
# fresh node, interleaved: "alone" (healthy mail only) and "mixed" (BAD messages each to the slow
# and the silent destination queued first, then the healthy load). The figure is the healthy
# destinations' delivery rate in the mixed run as a fraction of the alone run (goal: >= 90%).
# SLUICE_DLL runs another build (e.g. an older commit built elsewhere) for comparison.
#   REPS=3 HEALTHY=2000 BAD=500 [SLUICE_DLL=path/Sluice.dll] bench/mixed-destinations/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
REPS=${REPS:-3}
HEALTHY=${HEALTHY:-2000}   # per healthy destination
BAD=${BAD:-500}            # to the slow and to the silent destination each
SLOW_MS=${SLOW_MS:-2000}
MAX_WAIT_S=${MAX_WAIT_S:-600}   # a run that has not delivered all healthy mail by then is cut and reported as such
bench_workspace mixed
SLUICE="dotnet ${SLUICE_DLL:-src/Sluice/bin/Release/net10.0/Sluice.dll}"

build_sluice
MX_PORT=$(free_port)
DNS_PORT=$(free_port)
dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --listen-address=127.0.0.1 --bind-interfaces \
  --port="$DNS_PORT" --user=root --pid-file="$WORK/dns.pid" \
  --mx-host=h1.test,mx.h1.test,10 --host-record=mx.h1.test,127.0.0.21 \
  --mx-host=h2.test,mx.h2.test,10 --host-record=mx.h2.test,127.0.0.22 \
  --mx-host=h3.test,mx.h3.test,10 --host-record=mx.h3.test,127.0.0.23 \
  --mx-host=h4.test,mx.h4.test,10 --host-record=mx.h4.test,127.0.0.24 \
  --mx-host=slow.test,mx.slow.test,10 --host-record=mx.slow.test,127.0.0.25 \
  --mx-host=silent.test,mx.silent.test,10 --host-record=mx.silent.test,127.0.0.26 >"$WORK/dns.log" 2>&1 &
PIDS+=($!)

SINK_HTTP=$(free_port)
$SLUICE sink --listen "127.0.0.21:$MX_PORT" --listen "127.0.0.22:$MX_PORT" --listen "127.0.0.23:$MX_PORT" --listen "127.0.0.24:$MX_PORT" \
  --http "127.0.0.1:$SINK_HTTP" >"$WORK/sink.log" 2>&1 &
PIDS+=($!)
$SLUICE sink --listen "127.0.0.25:$MX_PORT" --latency "$SLOW_MS" >"$WORK/slow.log" 2>&1 &
PIDS+=($!)
# The silent destination: accepts, holds, never says a word (bounded: it exits after an hour).
python3 - "$MX_PORT" >"$WORK/silent.log" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.26", int(sys.argv[1]))); s.listen(256); s.settimeout(1)
held, end = [], time.time() + 3600
while time.time() < end:
    try: held.append(s.accept()[0])
    except socket.timeout: pass
PY
PIDS+=($!)
wait_port "$SINK_HTTP"
sleep 1

accepted() { curl -s "http://127.0.0.1:$SINK_HTTP/stats" | sed -E 's/.*"accepted":([0-9]+).*/\1/'; }

# run MODE -> "healthy_msgs_per_s delivered seconds"
run() {
  local mode=$1 data="$WORK/node-$1-$RANDOM" port http pid base start end total done_n deadline
  port=$(free_port); http=$(free_port)
  SLUICE__Delivery__MxPort=$MX_PORT $SLUICE serve --data "$data" --smtp "127.0.0.1:$port" --http "127.0.0.1:$http" --dns "127.0.0.1:$DNS_PORT" \
    >"$data.log" 2>&1 &
  pid=$!
  wait_port "$port"
  local senders=()
  if [ "$mode" = mixed ]; then
    smtp-source -s 5 -m "$BAD" -l 2048 -f bench@src.example -t rcpt@slow.test "127.0.0.1:$port" & senders+=($!)
    smtp-source -s 5 -m "$BAD" -l 2048 -f bench@src.example -t rcpt@silent.test "127.0.0.1:$port" & senders+=($!)
    wait "${senders[@]}"
  fi
  base=$(accepted); total=$((HEALTHY * 4)); senders=()
  start=$(date +%s.%N)
  for h in h1 h2 h3 h4; do smtp-source -s 3 -m "$HEALTHY" -l 4096 -f bench@src.example -t "rcpt@$h.test" "127.0.0.1:$port" & senders+=($!); done
  wait "${senders[@]}"
  deadline=$(( $(date +%s) + MAX_WAIT_S ))
  while :; do
    done_n=$(( $(accepted) - base ))
    [ "$done_n" -ge "$total" ] && break
    [ "$(date +%s)" -ge "$deadline" ] && break
    sleep 0.02
  done
  end=$(date +%s.%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v n="$done_n" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f %d %.0f\n", n / (e - s), n, e - s }'
}

alone=(); mixed=(); alone_note=(); mixed_note=()
for rep in $(seq 1 "$REPS"); do
  echo "== repetition $rep: alone";  read -r r n t <<<"$(run alone)"; alone+=("$r"); alone_note+=("$n in $t s")
  echo "== repetition $rep: mixed";  read -r r n t <<<"$(run mixed)"; mixed+=("$r"); mixed_note+=("$n in $t s")
  echo "   alone ${alone[-1]} msgs/s (${alone_note[-1]}), mixed ${mixed[-1]} msgs/s (${mixed_note[-1]})"
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ma=$(median "${alone[@]}"); mm=$(median "${mixed[@]}")
fraction=$(awk -v a="$ma" -v m="$mm" 'BEGIN { printf "%.0f", 100 * m / a }')
result="bench/results/mixed-destinations-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$result" <<MD
# Mixed destinations: healthy mail beside a slow and a silent destination — $(date -u +%Y-%m-%dT%H:%M:%SZ)

Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)${SLUICE_DLL:+ (node: $SLUICE_DLL)} on $(nproc) cores. Four healthy destinations × $HEALTHY messages of 4 KB (3 smtp-source
sessions each, a connection per message), delivered by MX to one \`sluice sink\`. In the mixed runs
$BAD messages each for a slow destination (every reply after $SLOW_MS ms) and a silent one (accepts
TCP, never answers) were queued first. A fresh node per run; alone and mixed interleaved, $REPS
repetitions; the rate is healthy messages over the time from the first healthy message sent until
the sink has them all (a run is cut after $MAX_WAIT_S s; "delivered" says how many arrived by then).

| repetition | alone msgs/s | alone delivered | mixed msgs/s | mixed delivered |
|---|---:|---:|---:|---:|
$(for i in "${!alone[@]}"; do echo "| $((i + 1)) | ${alone[$i]} | ${alone_note[$i]} | ${mixed[$i]} | ${mixed_note[$i]} |"; done)
| **median** | **$ma** | | **$mm** | |

Healthy rate beside the bad destinations: **${fraction}%** of the rate without them (goal ≥ 90%).
MD
cat "$result"
bench/report.sh
