#!/usr/bin/env bash
# Memory of the sending API against the SMTP path for the same messages (front-of-house issue):
#  - big:  BIG_N (10) messages of BIG_SIZE (25 MB) sent at the same moment, over SMTP (smtplib) and
#          as JSON through POST /api/v1/messages (the attachment base64 in "content");
#  - many: MANY (100,000) messages of about 1 KB, over SMTP (smtp-source, 10 sessions) and as
#          1,000-recipient batches through POST /api/v1/batches (a stored template, 4 clients).
# Each run starts a fresh node (--no-delivery, so both paths end with the same messages queued),
# warms it up the same way (SMTP, single API messages, one batch), then loads it; the node's peak RSS
# (VmHWM) and its growth over the warmed-up RSS are recorded. The four runs are interleaved, REPS
# times; medians reported. Writes bench/results/api-memory-<utc>.md and rebuilds docs/performance.md.
#   BIG_N=10 BIG_SIZE=25000000 MANY=100000 REPS=3 bench/api-memory/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
BIG_N=${BIG_N:-10}
BIG_SIZE=${BIG_SIZE:-25000000}
MANY=${MANY:-100000}
REPS=${REPS:-3}
bench_workspace api-memory
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

build_sluice
dotnet build bench/Sluice.Benchmarks -c Release -nologo -v quiet >/dev/null
LOAD="dotnet bench/Sluice.Benchmarks/bin/Release/net10.0/Sluice.Benchmarks.dll api-load"

# run NAME: a fresh node, warmed up, loaded one way; appends "peak_kib growth_kib queued" to $WORK/NAME.
run() {
  local name=$1 smtp http data key template node cpu0 before peak queued expected
  smtp=$(free_port); http=$(free_port); data="$WORK/node-$name-$RANDOM"
  cat > "$WORK/sluice.json" <<JSON
{ "Smtp": { "Listeners": [ { "Name": "default", "Address": "127.0.0.1:$smtp", "Limits": { "MaxMessageSize": 41943040 } } ] },
  "Http": { "MaxMessageSize": 41943040 } }
JSON
  dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve --no-delivery --config "$WORK/sluice.json" --data "$data" --http "127.0.0.1:$http" >"$WORK/node-$name.log" 2>&1 &
  node=$!; PIDS+=("$node")
  wait_port "$http"; wait_port "$smtp"
  key=$(sluice_api "$data" "$http" /api/v1/keys -H 'Content-Type: application/json' \
    -d '{"name":"bench","scopes":["send"],"requestsPerSecond":1000000}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
  template=$(sluice_api "$data" "$http" /api/v1/templates -H 'Content-Type: application/json' \
    -d '{"name":"bench","subject":"News for {{ name }}","html":"<p>Hello {{ name }}, issue {{ n }}.</p>","text":"Hello {{ name }}, issue {{ n }}."}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
  # The same warm-up for every run: both ways in, small messages.
  smtp-source -s 4 -m 200 -l 1024 -f w@src.example -t w@bench.example "127.0.0.1:$smtp"
  $LOAD "http://127.0.0.1:$http" "$key" single 200 8 "$template" >/dev/null
  $LOAD "http://127.0.0.1:$http" "$key" batch 1000 1 "$template" >/dev/null
  queued=$(sluice_queue_total "$data" "$http")
  [ "$queued" -eq 1400 ] || { echo "$name: the warm-up left $queued queued, expected 1400" >&2; exit 1; }
  before=$(kib "$node" VmRSS)
  case $name in
    smtp-big) python3 bench/api-memory/big.py smtp 127.0.0.1 "$smtp" "$BIG_N" "$BIG_SIZE" >/dev/null; expected=$((1400 + BIG_N)) ;;
    api-big) python3 bench/api-memory/big.py api "http://127.0.0.1:$http" "$key" "$BIG_N" "$BIG_SIZE" >/dev/null; expected=$((1400 + BIG_N)) ;;
    smtp-many) timeout 900 smtp-source -s 10 -m "$MANY" -l 1024 -f many@src.example -t many@bench.example "127.0.0.1:$smtp"; expected=$((1400 + MANY)) ;;
    api-batch) $LOAD "http://127.0.0.1:$http" "$key" batch "$MANY" 4 "$template" >/dev/null; expected=$((1400 + MANY)) ;;
  esac
  peak=$(kib "$node" VmHWM)
  queued=$(sluice_queue_total "$data" "$http")
  [ "$queued" -eq "$expected" ] || { echo "$name: $queued queued, expected $expected" >&2; exit 1; }
  kill "$node"; wait "$node" 2>/dev/null || true
  rm -rf "$data"
  echo "$peak $((peak - before)) $queued" >>"$WORK/$name"
  echo "   $name: peak RSS $((peak / 1024)) MiB (warmed up $((before / 1024)) MiB)"
}

for rep in $(seq 1 "$REPS"); do
  echo "== repetition $rep"
  for name in smtp-big api-big smtp-many api-batch; do run "$name"; done
done

mib() { awk '{printf "%.0f\n", $1 / 1024}'; }
peak() { awk '{print $1}' "$WORK/$1" | median | mib; }
growth() { awk '{print $2}' "$WORK/$1" | median | mib; }
runs() { awk '{printf "%s%.0f", sep, $1 / 1024; sep=", "}' "$WORK/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ); commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
result="bench/results/api-memory-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Sending API memory against the SMTP path — $stamp"
  echo
  echo "Commit $commit on $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r). A fresh \`sluice serve --no-delivery\` per run, warmed up the same way; peak = the node's VmHWM; growth = peak − RSS after the warm-up. Medians of $REPS interleaved repetitions."
  echo
  echo "| load | path | peak RSS MiB (median) | runs | growth MiB (median) |"
  echo "|---|---|---:|---|---:|"
  echo "| $BIG_N × ${BIG_SIZE} B at once | SMTP | $(peak smtp-big) | $(runs smtp-big) | $(growth smtp-big) |"
  echo "| $BIG_N × ${BIG_SIZE} B at once | API (JSON, base64 attachment) | $(peak api-big) | $(runs api-big) | $(growth api-big) |"
  echo "| $MANY × ~1 KB | SMTP (10 sessions) | $(peak smtp-many) | $(runs smtp-many) | $(growth smtp-many) |"
  echo "| $MANY × ~1 KB | API batches of 1,000 (4 clients) | $(peak api-batch) | $(runs api-batch) | $(growth api-batch) |"
  echo
  echo "API / SMTP peak RSS: **$(ratio "$(peak api-big)" "$(peak smtp-big)")x** for the large messages, **$(ratio "$(peak api-batch)" "$(peak smtp-many)")x** for the many small ones (goal: within 2x). Every run ended with all its messages counted in the queue."
} >"$result"
cat "$result"
bench/report.sh
