#!/usr/bin/env bash
# bench/push-to-visible.sh: how long until a pushed delta is answered by the EIR nodes (issue 3; target p99 <= 1 s).
#
#   bench/push-to-visible.sh [--rounds N] [--lines L] [--warmup W] [--out FILE]
#
# 1. Publishes the server (imeieir) and the measuring helper (bench/push-to-visible/, which compiles in eirctl's S13
#    client) in Release into a scratch directory, so sources edited meanwhile do not change what is measured.
# 2. Starts one registry and two EIR nodes on 127.0.0.1, every port chosen at bind time (port 0) and read from the
#    `ImeiEir ready:` lines; fresh data directories, random tokens, no demo lists.
# 3. W warm-up rounds, then N measured rounds (default 100): a fresh L-line delta (default 10,000; new IMEIs, white /
#    black / grey in turn) is POSTed; the time runs from sending the POST until both nodes' /health/ready report
#    lastApplied >= the batch's lastSequence (polled every 2 ms) and a sampled black IMEI of the batch answers
#    BLACKLISTED over Diameter on both nodes (one long-lived S13 connection per node).
# 4. Prints p50/p90/p99/max and writes a markdown report (default perf-baselines/push-to-visible.md) with the
#    command, commit, machine, date and the figures.
# Every step is bounded by `timeout`; everything started is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=100
LINES=10000
WARMUP=3
OUT="$ROOT/perf-baselines/push-to-visible.md"
COMMAND="bench/push-to-visible.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --lines) LINES=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --out) OUT=$2; shift ;;
    *) echo "usage: $0 [--rounds N] [--lines L] [--warmup W] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "push-to-visible: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }

WORK=$(mktemp -d /tmp/imeieir-push-to-visible.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

say "publishing the server and the helper (Release) into $WORK"
timeout 900 dotnet publish "$ROOT/src/ImeiEir.Server" -c Release -o "$WORK/server" -v q -nologo >/dev/null || die "publish the server"
timeout 900 dotnet publish "$ROOT/bench/push-to-visible" -c Release -o "$WORK/helper" -v q -nologo >/dev/null || die "publish the helper"

token() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-32; }
ADMIN=$(token)
READER=$(token)

# start NAME ARGS...: runs the server in the background, logs to $WORK/NAME.log, waits for its ready line.
start() {
  local name=$1; shift
  DOTNET_ENVIRONMENT=Production dotnet "$WORK/server/imeieir.dll" --DataDir="$WORK/$name" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do
    grep -q '^ImeiEir ready:' "$WORK/$name.log" && { grep '^ImeiEir ready:' "$WORK/$name.log" >&2; return 0; }
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$WORK/$name.log" >&2; die "$name exited before it was ready"; }
    sleep 0.1
  done
  cat "$WORK/$name.log" >&2
  die "$name not ready within 60 s"
}
endpoint() { grep -o "$2=127\.0\.0\.1:[0-9]*" "$WORK/$1.log" | head -1 | cut -d: -f2; }

start registry --Mode=registry --Http:Host=127.0.0.1 --Http:Port=0 --Registry:Host=127.0.0.1 --Registry:Port=0 \
  --Registry:AdminToken="$ADMIN" --Registry:ReaderToken="$READER" --Store:LoadDemoLists=false
REGISTRY_PORT=$(endpoint registry registry)
NODE_ARGS=()
for node in node-a node-b; do
  start "$node" --Mode=eir --Registry:Url="http://127.0.0.1:$REGISTRY_PORT" --Registry:ReaderToken="$READER" \
    --Diameter:Host=127.0.0.1 --Diameter:Port=0 --Http:Host=127.0.0.1 --Http:Port=0
  NODE_ARGS+=(--node "$(endpoint "$node" http):$(endpoint "$node" diameter)")
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "$WARMUP warm-up + $ROUNDS measured rounds of $LINES lines"
timeout $((120 + ROUNDS * 30)) dotnet "$WORK/helper/push-to-visible.dll" --registry "http://127.0.0.1:$REGISTRY_PORT" \
  --admin-token "$ADMIN" "${NODE_ARGS[@]}" --rounds "$ROUNDS" --warmup "$WARMUP" --lines "$LINES" \
  --samples "$WORK/samples.tsv" | tee "$WORK/helper.out" || die "the helper failed"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
RESULT=$(grep '^RESULT ' "$WORK/helper.out") || die "no RESULT line"
field() { echo "$RESULT" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
P50=$(field p50_ms); P90=$(field p90_ms); P99=$(field p99_ms); MAX=$(field max_ms); N=$(field n)
POST50=$(field post_p50_ms); POST99=$(field post_p99_ms)
MET=$(awk -v p="$P99" 'BEGIN { print (p <= 1000) ? "yes" : "no" }')

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no -- src tools bench | grep -q . && echo " (working tree with uncommitted changes under src/, tools/ or bench/)" || true)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mkdir -p "$(dirname "$OUT")"
{
  echo "# Push-to-visible: registry push → answered by two EIR nodes"
  echo
  echo "Generated by \`$COMMAND\` — do not edit by hand; run it again."
  echo
  echo "- commit: \`$COMMIT\`$DIRTY"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) cores, $CPU, $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo); $(uname -sr); .NET $(dotnet --version)"
  echo "- load average (1/5/15 min) before the rounds: $LOAD_BEFORE; after: $LOAD_AFTER (the machine may be shared: a busy one shows in the tail)"
  echo "- setup: one registry + two EIR nodes (\`imeieir --Mode=registry\` / \`--Mode=eir\`, Release, default settings) on 127.0.0.1, all on this machine"
  echo "- measure: from sending \`POST /v1/deltas\` ($LINES lines, new IMEIs, white/black/grey in turn) until both nodes' \`/health/ready\` report lastApplied ≥ the batch's lastSequence (polled every 2 ms) **and** a sampled black IMEI of the batch answers BLACKLISTED over Diameter S13 on both nodes; $N rounds after $WARMUP warm-up rounds"
  echo
  echo "| | p50 | p90 | p99 | max |"
  echo "|---|---|---|---|---|"
  echo "| push → visible on both nodes (ms) | $P50 | $P90 | $P99 | $MAX |"
  echo "| of which: POST until its 200 reply (ms) | $POST50 | | $POST99 | |"
  echo
  echo "Target p99 ≤ 1,000 ms: **$([ "$MET" = yes ] && echo met || echo NOT met)** (p99 = $P99 ms)."
  echo
  echo "<details><summary>per round (ms)</summary>"
  echo
  echo '```'
  cat "$WORK/samples.tsv"
  echo '```'
  echo
  echo "</details>"
} >"$OUT"
say "p50 $P50 ms, p90 $P90 ms, p99 $P99 ms, max $MAX ms (target p99 <= 1000 ms: $MET); report in $OUT"
