#!/usr/bin/env bash
# Template rendering with and without the compiled-template cache (BenchmarkDotNet, ShortRun).
# Writes bench/results/templates-<utc>.md and rebuilds docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=$(mktemp -d /tmp/sluice-templates.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
dotnet build bench/Sluice.Benchmarks -c Release -nologo -v quiet >/dev/null
# BenchmarkDotNet builds the benchmark project itself, so it runs from the project's folder; its artifacts go to $WORK.
(cd bench/Sluice.Benchmarks && dotnet bin/Release/net10.0/Sluice.Benchmarks.dll templates "$WORK/artifacts" >"$WORK/out.log" 2>&1)
report=$(find "$WORK/artifacts/results" -name '*TemplateRendering-report-github.md' | head -1)
result="bench/results/templates-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Template rendering, parsed every time vs from the cache — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), BenchmarkDotNet ShortRun. One template (subject, an HTML part with a loop and a condition, a text part) rendered with the same variables."
  echo
  sed -n '/^|/,$p' "$report"
} > "$result"
cat "$result"
bench/report.sh
