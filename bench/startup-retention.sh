#!/usr/bin/env bash
# bench/startup-retention.sh: registry start-up (recovery to ready) with the same records after few and after many
# changes (issue 21 §4): R records after R changes and after C changes, both checkpointed, opened alternately
# ROUNDS times (tests/ImeiEir.Registry.Tests/StartupProbe.cs). The data directories are built once under DIR and
# kept, so a second run (another build) times the same files.
#
#   bench/startup-retention.sh [--records R] [--changes C] [--rounds N] [--dir DIR] [--out FILE]
#
# Defaults: 1,000,000 records, 20,000,000 changes, 5 rounds, DIR /tmp/imeieir-startup-probe.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RECORDS=1000000; CHANGES=20000000; ROUNDS=5; DIR=/tmp/imeieir-startup-probe; OUT=""
COMMAND="bench/startup-retention.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS=$2; shift ;;
    --changes) CHANGES=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --dir) DIR=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "startup-retention.sh: unknown argument $1" >&2; exit 1 ;;
  esac
  shift
done
mkdir -p "$DIR"
LOG=$(mktemp)
IMEIEIR_STARTUP_RECORDS=$RECORDS IMEIEIR_STARTUP_CHANGES=$CHANGES IMEIEIR_STARTUP_ROUNDS=$ROUNDS IMEIEIR_STARTUP_DIR=$DIR \
  timeout 7200 dotnet test "$ROOT/tests/ImeiEir.Registry.Tests" -c Release --filter "FullyQualifiedName~StartupProbe" \
  --logger "console;verbosity=normal" >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 1; }
REPORT=$( {
  echo "# Registry start-up: $RECORDS records after $RECORDS and after $CHANGES changes"
  echo
  echo "- command: \`$COMMAND\`"
  echo "- commit: ${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo ' (with local changes)')}"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM (shared with other work)"
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- disk use: $(du -sh "$DIR"/*-after-* | awk '{printf "%s %s; ", $2, $1}' | sed "s|$DIR/||g")"
  echo
  echo '```'
  sed 's/^ *//' "$LOG" | grep -E '^(built|round|[0-9]+-after|full-scan|ratio)'
  echo '```'
} )
echo "$REPORT"
[ -n "$OUT" ] && echo "$REPORT" > "$OUT"
rm -f "$LOG"
