#!/usr/bin/env bash
# bench/ab.sh: S13 throughput and latency of two ImeiEir servers side by side on this machine: two commits, or one
# commit with two sets of options. Runs alternate A, B, B, A, A, B... so drift, neighbours and the order within a
# round hit both alike (use an even number of rounds); prints each
# run and the B/A ratios of the medians, and writes them as markdown.
#
#   bench/ab.sh [--a REV] [--b REV] [--a-args "ARGS"] [--b-args "ARGS"] [--a-env "VAR=V ..."] [--b-env "VAR=V ..."]
#               [--a-load-env "VAR=V ..."] [--b-load-env "VAR=V ..."] [--a-eirload REV] [--b-eirload REV]
#               [--load-args "ARGS"] [--rounds N] [--seconds S] [--keys K] [-c CONNECTIONS] [-P DEPTH] [--out FILE]
#
# --a-env/--b-env set the server's environment; --a-load-env/--b-load-env eirload's (to A/B the load generator
# itself against one server build), and --a-eirload/--b-eirload build each side's eirload from its own commit
# (default: both sides run B's). --load-args are eirload arguments for both sides (e.g. "--rate 41000": open loop).
# Defaults: both sides HEAD, no extra arguments, 4 rounds of 10 s, 1,000,000 keys, -c 50 -P 1, report on stdout only.
# Each side: a Release build of its commit (a scratch worktree; HEAD is built once for both sides when both are
# HEAD), all-in-one on 127.0.0.1 with ports chosen at bind time, loaded with `eirctl gen --count K --seed 1` (every
# key on a list, as in bench/compare.sh), started afresh for every run; eirload (built from B) runs closed loop with
# a 1 s warm-up. Every step is bounded by `timeout`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
A=HEAD; B=HEAD; A_ARGS=""; B_ARGS=""; A_ENV=""; B_ENV=""; A_LOAD_ENV=""; B_LOAD_ENV=""; A_EIRLOAD=""; B_EIRLOAD=""; LOAD_ARGS=""; ROUNDS=4; SECS=10; KEYS=1000000; CONN=50; DEPTH=1; OUT=""
COMMAND="bench/ab.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --a) A=$2; shift ;;
    --b) B=$2; shift ;;
    --a-args) A_ARGS=$2; shift ;;
    --b-args) B_ARGS=$2; shift ;;
    --a-env) A_ENV=$2; shift ;;
    --b-env) B_ENV=$2; shift ;;
    --a-load-env) A_LOAD_ENV=$2; shift ;;
    --b-load-env) B_LOAD_ENV=$2; shift ;;
    --a-eirload) A_EIRLOAD=$2; shift ;;
    --b-eirload) B_EIRLOAD=$2; shift ;;
    --load-args) LOAD_ARGS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECS=$2; shift ;;
    --keys) KEYS=$2; shift ;;
    -c) CONN=$2; shift ;;
    -P) DEPTH=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "ab.sh: unknown argument $1" >&2; exit 1 ;;
  esac
  shift
done
MIX="white=80,grey=10,black=10,unknown=0"
BENCH=ab
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
SERVER_PID=
bench_extra_cleanup() { [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true; }

A_REV=$(git -C "$ROOT" rev-parse --short "$A"); B_REV=$(git -C "$ROOT" rev-parse --short "$B")
for side in a b; do
  rev=$A_REV; [ $side = b ] && rev=$B_REV
  if [ $side = b ] && [ "$A_REV" = "$B_REV" ]; then ln -s "$WORK/a-server" "$WORK/b-server"; continue; fi
  say "building $side ($rev)"
  publish "$WORK/$side-server" "$(checkout "$rev")/src/ImeiEir.Server"
done
TOOLS=$(checkout "$B_REV")
publish "$WORK/eirctl" "$TOOLS/tools/eirctl"
publish "$WORK/eirload" "$TOOLS/tools/eirload"
# Each side's eirload: B's unless --a-eirload/--b-eirload names a commit to build it from.
for side in a b; do
  rev=$A_EIRLOAD; [ $side = b ] && rev=$B_EIRLOAD
  if [ -z "$rev" ]; then ln -s "$WORK/eirload" "$WORK/$side-eirload"; continue; fi
  say "building $side's eirload ($rev)"
  publish "$WORK/$side-eirload" "$(checkout "$rev")/tools/eirload"
done
LISTS_DATE=$(almaty_today)   # the day that dates the grey deadlines
timeout 900 dotnet "$WORK/eirctl/eirctl.dll" gen --count "$KEYS" --seed 1 --mix "$MIX" --out "$WORK/lists.csv" 2>/dev/null
# eirload expects a grey key blocked from its deadline on, counted from --lists-date (so a run across midnight in
# Almaty counts no false mismatches); an eirload built from a commit before that option is run without it.
for side in a b; do
  declare "DATE_ARG_$side="
  if timeout 60 dotnet "$WORK/$side-eirload/eirload.dll" --help 2>/dev/null | grep -q -- --lists-date; then declare "DATE_ARG_$side=--lists-date $LISTS_DATE"; fi
done

run() {  # SIDE ROUND
  local side=$1 args=$A_ARGS vars=$A_ENV load_vars=$A_LOAD_ENV date_arg=$DATE_ARG_a data="$WORK/data-$1-$2"
  [ "$side" = b ] && { args=$B_ARGS; vars=$B_ENV; load_vars=$B_LOAD_ENV; date_arg=$DATE_ARG_b; }
  mkdir -p "$data"
  # Store:InitialLists, not Registry:InitialLists: deprecated but still read, and the only one an older revision knows.
  # shellcheck disable=SC2086 # the extra arguments are words
  env DOTNET_ENVIRONMENT=Production $vars dotnet "$WORK/$side-server/imeieir.dll" --DataDir="$data" --Diameter:Port=0 --Http:Port=0 --Registry:Port=0 \
    --Store:InitialLists="$WORK/lists.csv" --Store:ExpectedRecords="$KEYS" --Registry:ExpectedRecords="$KEYS" \
    --Registry:MaxDeltaLines=$(( KEYS + 1 )) --Logging:LogLevel:Default=Warning $args >"$data/out.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 6000); do grep -q "^ImeiEir ready" "$data/out.log" && break; kill -0 "$SERVER_PID" 2>/dev/null || { cat "$data/out.log" >&2; die "server $side exited"; }; sleep 0.1; done
  grep -q "^ImeiEir ready" "$data/out.log" || die "server $side not ready in 10 min"
  local port; port=$(grep -o 'diameter=127.0.0.1:[0-9]*' "$data/out.log" | head -1 | cut -d: -f2)
  EIRLOAD_CMD="eirload --diameter 127.0.0.1:PORT -c $CONN -P $DEPTH -d $SECS --warmup 1 --keys $KEYS --seed 1 --mix $MIX${date_arg:+ $date_arg}${LOAD_ARGS:+ $LOAD_ARGS} --json"
  # shellcheck disable=SC2086 # the variables are words
  timeout $(( SECS + 60 )) env $load_vars dotnet "$WORK/$side-eirload/eirload.dll" --diameter "127.0.0.1:$port" -c "$CONN" -P "$DEPTH" -d "$SECS" --warmup 1 \
    --keys "$KEYS" --seed 1 --mix "$MIX" $date_arg $LOAD_ARGS --json >"$WORK/$side-$2.json" || [ $? = 4 ] || die "eirload against $side"
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  rm -rf "$data"
  python3 - "$side" "$2" "$WORK/$side-$2.json" <<'PY' >&2
import json,sys
r=json.load(open(sys.argv[3])); l=r['latency_us']
extra = f" behind {r['behind_schedule']} send-wait p99 {r['send_wait_us']['p99']} us pacer-late p99 {r['pacer_late_us']['p99']} us" if 'send_wait_us' in r else ""
print(f"{sys.argv[1]} round {sys.argv[2]}: {r['throughput_per_s']:.0f}/s p50 {l['p50']} us p99 {l['p99']} us mismatches {r['mismatches']} errors {r['errors']}{extra}")
PY
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# A first in odd rounds, B first in even ones: the server started second in a round measured slower whichever build
# it was (perf-baselines/arch-refactor-P64-run2.md against -reversed.md), so a fixed order biases the ratio.
for r in $(seq 1 "$ROUNDS"); do
  if [ $(( r % 2 )) = 1 ]; then run a "$r"; run b "$r"; else run b "$r"; run a "$r"; fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

REPORT="$WORK/report.md"
{
  echo "# bench/ab.sh"
  echo
  echo "Generated by \`$COMMAND\` — do not edit by hand; run it again."
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- A: commit \`$A_REV\`, arguments \`${A_ARGS:-(none)}\`, environment \`${A_ENV:-(none)}\`; B: commit \`$B_REV\`, arguments \`${B_ARGS:-(none)}\`, environment \`${B_ENV:-(none)}\`"
  if [ -n "$A_LOAD_ENV$B_LOAD_ENV" ]; then echo "- eirload's environment: A \`${A_LOAD_ENV:-(none)}\`, B \`${B_LOAD_ENV:-(none)}\`"; fi
  if [ -n "$A_EIRLOAD$B_EIRLOAD" ]; then echo "- eirload built from: A \`${A_EIRLOAD:-$B_REV}\`, B \`${B_EIRLOAD:-$B_REV}\`"; fi
  echo "- machine: $(machine_summary); load average before $LOAD_BEFORE, after $LOAD_AFTER"
  echo "- load: \`$EIRLOAD_CMD\` against an all-in-one server with $KEYS records, on the same machine; $ROUNDS rounds, A first in odd rounds and B first in even ones"
  echo
  python3 - "$WORK" "$ROUNDS" <<'PY'
import json,sys,statistics
w,n=sys.argv[1],int(sys.argv[2])
runs={s:[json.load(open(f"{w}/{s}-{r}.json")) for r in range(1,n+1)] for s in "ab"}
lag=lambda r: f"{r['send_wait_us']['p99']} / {r['pacer_late_us']['p99']} ({r['behind_schedule']} behind)" if 'send_wait_us' in r else "–"
openloop=any('rate' in r for s in "ab" for r in runs[s])
if openloop:
    print("Open loop: \"send wait / pacer late\" are the p99s of due time to write (part of the latency: the generator late, or")
    print("all -P in flight) and of how much later than planned eirload's pacer woke (the generator's own lateness alone),")
    print("with the requests that fell due and were never sent; \"–\" where that eirload does not report them.")
    print()
    print("| round | A /s | B /s | A p99 µs | B p99 µs | A send wait / pacer late p99 µs | B send wait / pacer late p99 µs |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
else:
    print("| round | A /s | B /s | A p99 µs | B p99 µs |")
    print("|---:|---:|---:|---:|---:|")
for i in range(n):
    a,b=runs['a'][i],runs['b'][i]
    row=f"| {i+1} | {a['throughput_per_s']:.0f} | {b['throughput_per_s']:.0f} | {a['latency_us']['p99']} | {b['latency_us']['p99']} |"
    print(row + (f" {lag(a)} | {lag(b)} |" if openloop else ""))
print()
print("| median | A | B | B/A |")
print("|---|---:|---:|---:|")
for name,f in [("throughput /s",lambda r:r['throughput_per_s']),("p50 µs",lambda r:r['latency_us']['p50']),("p99 µs",lambda r:r['latency_us']['p99'])]:
    a=statistics.median(f(r) for r in runs['a']); b=statistics.median(f(r) for r in runs['b'])
    print(f"| {name} | {a:.1f} | {b:.1f} | **{b/a:.3f}** |")
PY
} >"$REPORT"
cat "$REPORT"
if [ -n "$OUT" ]; then mkdir -p "$(dirname "$OUT")"; cp "$REPORT" "$OUT"; say "report written to $OUT"; fi
