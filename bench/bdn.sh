#!/usr/bin/env bash
# bench/bdn.sh: runs the BenchmarkDotNet suites (Release) and writes their result tables, with the commit, machine,
# date and command, to perf-baselines/bdn.md.
#
#   bench/bdn.sh [--job short|default] [--filter PATTERN] [--out FILE]
#   bench/bdn.sh --summarize ARTIFACTS_DIR [--command TEXT] [--out FILE]   (tables of a run already made)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOB=short
FILTER='*'
OUT="$ROOT/perf-baselines/bdn.md"
ARTIFACTS=""
SUMMARIZE=0
COMMAND=""
while [ $# -gt 0 ]; do
  case "$1" in
    --job) JOB=$2; shift ;;
    --filter) FILTER=$2; shift ;;
    --out) OUT=$2; shift ;;
    --summarize) SUMMARIZE=1; ARTIFACTS=$2; shift ;;
    --command) COMMAND=$2; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "bdn.sh: unknown argument $1" >&2; exit 1 ;;
  esac
  shift
done

if [ "$SUMMARIZE" = 0 ]; then
  ARTIFACTS=$(mktemp -d /tmp/imeieir-bdn.XXXXXX)
  timeout 600 dotnet build -c Release "$ROOT/bench/ImeiEir.Benchmarks" -v q -nologo >/dev/null
  COMMAND="dotnet bench/ImeiEir.Benchmarks/bin/Release/net10.0/ImeiEir.Benchmarks.dll --filter '$FILTER' --job $JOB --buildTimeout 900"
  # Every suite at --job short takes about 10 minutes here; the bound leaves room for a slow, shared machine.
  (cd "$ROOT" && timeout 3600 dotnet bench/ImeiEir.Benchmarks/bin/Release/net10.0/ImeiEir.Benchmarks.dll \
     --filter "$FILTER" --job "$JOB" --buildTimeout 900 --artifacts "$ARTIFACTS" >"$ARTIFACTS/run.log" 2>&1)
fi

{
  echo "# BenchmarkDotNet results"
  echo
  echo "- date: $(date -u -r "$ARTIFACTS/results" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD)"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), shared with other work (load average $(cut -d' ' -f1-3 /proc/loadavg) when summarised)"
  echo "- command: \`${COMMAND:-see bench/bdn.sh}\`"
  echo
  echo "Expected allocation on every hot-path row below: 0 bytes (\`-\` in the Allocated column)."
  echo
  for f in "$ARTIFACTS"/results/*-report-github.md; do
    name=$(basename "$f" -report-github.md)
    echo "## ${name##*.}"
    echo
    sed -n '/^```/,/^```/p' "$f" | sed '/^```/d' | grep -v '^\s*$' | sed 's/^/    /'
    echo
    grep '^|' "$f" | sed 's/\*\*//g'
    echo
  done
  # Figures a suite prints at setup ("// XBenchmarks: ..."), e.g. the TAC table's bytes per TAC.
  if [ -f "$ARTIFACTS/run.log" ] && grep -q '^// [A-Za-z]*Benchmarks: ' "$ARTIFACTS/run.log"; then
    echo "## Printed by the suites"
    echo
    grep '^// [A-Za-z]*Benchmarks: ' "$ARTIFACTS/run.log" | sort -u | sed 's|^// |- |'
    echo
  fi
} >"$OUT"
echo "bdn.sh: wrote $OUT" >&2
