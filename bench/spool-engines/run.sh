#!/usr/bin/env bash
# Durable-write throughput of candidate spool engines (ADR 0003). Writes bench/results/spool-engines-<utc>.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES=${MESSAGES:-10000}
dotnet build bench/Sluice.Benchmarks -c Release -nologo -v quiet >/dev/null
result="bench/results/spool-engines-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Spool engines: durable 4 KB writes — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) on $(nproc) cores, $(uname -r); data in $(df --output=fstype "${TMPDIR:-/tmp}" | tail -1) under ${TMPDIR:-/tmp}."
  echo "Every write is fsynced before it counts; 20 writers stand for 20 SMTP sessions."
  echo
  dotnet bench/Sluice.Benchmarks/bin/Release/net10.0/Sluice.Benchmarks.dll spool-engines "$MESSAGES"
} > "$result"
cat "$result"
bench/report.sh
