#!/usr/bin/env bash
# bench/clone-watch.sh: the registry's clone watch in process (bench/CloneWatchMeasure) at several sizes; writes
# bytes per pair, reports per second and the sweep's time, with the commit, machine, date and command, to
# perf-baselines/clone-watch.md.
#
#   bench/clone-watch.sh [--sizes "100000 1000000 4000000"] [--out FILE]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=clone-watch
. "$ROOT/bench/lib.sh"
SIZES="100000 1000000 4000000"
OUT="$ROOT/perf-baselines/clone-watch.md"
COMMAND="bench/clone-watch.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
  shift
done

timeout 600 dotnet build -c Release "$ROOT/bench/CloneWatchMeasure" -o "$WORK/bin" -v q -nologo >/dev/null || die "build"
ROWS=""
for n in $SIZES; do
  say "$n IMEIs"
  ROWS+=$(timeout 900 dotnet "$WORK/bin/CloneWatchMeasure.dll" "$n" "$WORK/data-$n")$'\n'
  rm -rf "$WORK/data-$n"
done

{
  echo "# The registry's clone watch: bytes per pair, report rate, sweep"
  echo
  echo "- command: \`$COMMAND\`"
  echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src bench || echo ' (with uncommitted changes)')"
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(machine_summary), shared with other work (load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
  echo
  echo "Pair reports of one day: every IMEI with one home IMSI, every 10th with two, every 100th with three. Table:"
  echo "the pair table's slot array after the sweep (24-byte slots, at most 3/4 full). Heap: the managed heap's growth"
  echo "over the whole watch (table, suspected set), measured before the sweep. Reports/s: \`CloneWatch.Record\` in"
  echo "batches of 10,000 (a node's \`Sightings:BatchSize\`), each batch's journal fsynced. Sweep: rebuild, recount and"
  echo "compaction of the journal into the table file."
  echo
  echo "| IMEIs | pairs | suspected | table bytes | table B/pair | heap B/pair | heap B/IMEI | reports/s | sweep s |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s' "$ROWS"
} > "$OUT"
say "wrote $OUT"
