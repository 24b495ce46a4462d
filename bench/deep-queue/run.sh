#!/usr/bin/env bash
# A million queued messages in the embedded spool: memory stays flat, queue operations stay fast.
# Writes bench/results/deep-queue-<utc>.md.   MESSAGES=1000000 bench/deep-queue/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES=${MESSAGES:-1000000}
dotnet build bench/Sluice.Benchmarks -c Release -nologo -v quiet >/dev/null
result="bench/results/deep-queue-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Deep queue: $MESSAGES messages in the embedded spool — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores, $(uname -r); spool on $(df --output=fstype "${TMPDIR:-/tmp}" | tail -1)."
  echo
  echo "| measure | value |"
  echo "|---|---|"
  dotnet bench/Sluice.Benchmarks/bin/Release/net10.0/Sluice.Benchmarks.dll deep-queue "$MESSAGES"
} > "$result"
cat "$result"
bench/report.sh
