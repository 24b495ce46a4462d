#!/usr/bin/env bash
# Fuzzes Sluice's input parsers with afl++ through SharpFuzz (docs/fuzzing.md).
#   fuzz/run.sh [SECONDS] [TARGET…]    each target for SECONDS (default 60); all targets by default
# Findings (inputs that crash or hang a target) are copied to fuzz/findings/TARGET/ and make the
# script fail; kept as regressions in fuzz/regressions/TARGET/ once fixed, they run in every test run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(command data proxy mime reply)
command -v afl-fuzz >/dev/null || { echo "fuzz: afl-fuzz is missing (Debian package afl++; ./build.sh test installs it)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/sluice-fuzz.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
dotnet tool restore >/dev/null
dotnet publish fuzz/Sluice.Fuzz -c Release -o "$WORK/bin" -nologo -v quiet >/dev/null
# Coverage comes from the assemblies that parse client bytes (and MimeKit, which parses MIME for us).
for assembly in Sluice.Smtp Sluice.Core Sluice MimeKit; do
  dotnet sharpfuzz "$WORK/bin/$assembly.dll" >/dev/null
done

# dotnet is not an AFL-instrumented binary (SharpFuzz talks the fork-server protocol itself);
# no UI in CI; containers rarely let afl-fuzz set the core pattern or CPU governor.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
failed=0
for target in "${TARGETS[@]}"; do
  out="$WORK/out-$target"
  afl-fuzz -i "fuzz/corpus/$target" -o "$out" -t 5000 -m none -V "$SECONDS_EACH" -- dotnet "$WORK/bin/Sluice.Fuzz.dll" "$target" >"$WORK/afl-$target.log" 2>&1 || {
    echo "fuzz: afl-fuzz failed for $target:" >&2; tail -20 "$WORK/afl-$target.log" >&2; failed=1; continue; }
  stats="$out/default/fuzzer_stats"
  execs=$(awk -F: '/^execs_done/ {gsub(/ /, "", $2); print $2}' "$stats")
  rate=$(awk -F: '/^execs_per_sec/ {gsub(/ /, "", $2); print $2}' "$stats")
  paths=$(awk -F: '/^corpus_count/ {gsub(/ /, "", $2); print $2}' "$stats")
  crashes=$(awk -F: '/^saved_crashes/ {gsub(/ /, "", $2); print $2}' "$stats")
  hangs=$(awk -F: '/^saved_hangs/ {gsub(/ /, "", $2); print $2}' "$stats")
  echo "fuzz: $target: $execs inputs in ${SECONDS_EACH}s ($rate/s), $paths paths, $crashes crashes, $hangs hangs"
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    mkdir -p "fuzz/findings/$target"
    find "$out/default/crashes" "$out/default/hangs" -type f -name 'id:*' -exec cp {} "fuzz/findings/$target/" \;
    echo "fuzz: $target: findings copied to fuzz/findings/$target/ (replay: dotnet $WORK/bin/Sluice.Fuzz.dll replay $target fuzz/findings/$target)" >&2
    failed=1
  fi
done
exit "$failed"
