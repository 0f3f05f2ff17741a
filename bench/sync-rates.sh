#!/usr/bin/env bash
# bench/sync-rates.sh: how fast an EIR node takes the registry's lists in (issue 6): snapshot bootstrap, and the change
# feed applied idle and under full lookup load.
#
#   bench/sync-rates.sh [--records N] [--changes M] [--load-seconds S] [--node-args "ARGS"] [--node-env "VAR=V ..."] [--out FILE]
#                       [--profile-bootstrap SECONDS | --profile-feed SECONDS] [--profile-out FILE]
#
# 1. Publishes the server, eirctl and eirload (Release) into a scratch directory.
# 2. Starts a registry (--Mode=registry) on 127.0.0.1 seeded with N records from `eirctl gen` (default 5,000,000), and
#    waits until it has built its grey-deadline index (a scan of its whole view that would share the cores).
# 3. Bootstrap: starts a fresh EIR node (--Mode=eir); the node logs "Bootstrap complete: ... R records in S s" (from
#    the snapshot request to the last record applied): rate = R / S. Then the node is stopped (it checkpoints) and
#    started again: process start to its "ImeiEir ready:" line is the restart from a local checkpoint. Resident memory
#    per record after each (VmRSS minus an empty node's).
# 4. Feed apply, idle: stops the node (it checkpoints at shutdown), pushes M new records to the registry (default
#    2,000,000; the POST returns once they are durable), restarts the node. It recovers its checkpoint, then follows
#    the feed from its checkpoint's sequence: the time runs from the node's "Resuming the registry feed" line to its
#    "ImeiEir ready:" line (first catch-up), both seen by polling the log every 10 ms: rate = M / time.
# 5. Feed apply under load: the same with another M records, while eirload runs closed loop (-c 50 -P 64) against
#    the node for S seconds (default 60) from the moment its Diameter port is bound; the report says whether the load
#    lasted through the whole catch-up.
# --profile-bootstrap: also `perf record -a -g` the whole machine for SECONDS from the node's "Bootstrapping" line
#    (both processes run with DOTNET_PerfMapEnabled=1 so JIT frames resolve, which costs a little) and write the
#    `perf report` by thread, and per process by thread and symbol, to the --profile-out file (default perf-baselines/bootstrap-profile.txt).
# --profile-feed: the same for the idle feed catch-up, from the node's "Resuming the registry feed" line (default
#    output perf-baselines/feed-profile.txt); give --changes enough for the catch-up to outlast SECONDS.
# --node-env: environment variables for every node start (e.g. runtime settings to compare); named in the report.
# Every step is bounded by `timeout`; everything started is stopped on exit. Writes a markdown report (default
# perf-baselines/sync-rates.md) with the commit, machine, date and commands.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RECORDS=5000000
CHANGES=2000000
LOAD_SECONDS=60
NODE_ARGS=""
NODE_ENV=""
LOAD_COVERED=
OUT="$ROOT/perf-baselines/sync-rates.md"
PROFILE_SECONDS=0
PROFILE_STEP=
PROFILE_OUT=
COMMAND="bench/sync-rates.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS=$2; shift ;;
    --changes) CHANGES=$2; shift ;;
    --load-seconds) LOAD_SECONDS=$2; shift ;;
    --node-args) NODE_ARGS=$2; shift ;;
    --node-env) NODE_ENV=$2; shift ;;
    --out) OUT=$2; shift ;;
    --profile-bootstrap) PROFILE_SECONDS=$2; PROFILE_STEP=bootstrap; shift ;;
    --profile-feed) PROFILE_SECONDS=$2; PROFILE_STEP=feed; shift ;;
    --profile-out) PROFILE_OUT=$2; shift ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "sync-rates.sh: unknown argument $1" >&2; exit 1 ;;
  esac
  shift
done
MIX="white=80,grey=10,black=10,unknown=0"

BENCH=sync-rates
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
for tool in dotnet curl awk timeout; do command -v "$tool" >/dev/null || die "$tool is not on PATH"; done
PERF_ENV=()
if [ "$PROFILE_SECONDS" != 0 ]; then
  command -v perf >/dev/null || die "--profile-$PROFILE_STEP needs perf (Debian: linux-perf)"
  PROFILE_OUT=${PROFILE_OUT:-$ROOT/perf-baselines/$PROFILE_STEP-profile.txt}
  PERF_ENV=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
fi

say "publishing server, eirctl and eirload (Release) into $WORK"
for p in src/ImeiEir.Server tools/eirctl tools/eirload; do publish "$WORK/$(basename "$p")" "$ROOT/$p"; done
SERVER="$WORK/ImeiEir.Server/imeieir.dll"
EIRCTL="$WORK/eirctl/eirctl.dll"
EIRLOAD="$WORK/eirload/eirload.dll"

ADMIN=$(token)
READER=$(token)
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

# wait_line LOG PATTERN SECONDS PID: follows LOG until a line matches the extended regex PATTERN; prints the moment it
# was seen. One `tail -F` (inotify: the line is seen as it is written) instead of a grep and a sleep every 10 ms,
# whose forks took ~13 % of a core from the processes being measured (54 s of CPU in one 50M run).
wait_line() {
  local log=$1 pattern=$2 secs=$3 pid=$4 line
  coproc TAILER { exec timeout "$secs" tail -n +1 -F --pid="$pid" "$log" 2>/dev/null; }
  local tailer=$TAILER_PID fd=${TAILER[0]}
  while IFS= read -r line <&"$fd"; do
    if [[ $line =~ $pattern ]]; then
      now
      kill "$tailer" 2>/dev/null; wait "$tailer" 2>/dev/null || true
      return 0
    fi
  done
  wait "$tailer" 2>/dev/null || true
  cat "$log" >&2
  kill -0 "$pid" 2>/dev/null || die "process $pid exited while waiting for '$pattern'"
  die "no '$pattern' in $log within $secs s"
}

# --- 2. the registry --------------------------------------------------------------------------------------------
say "generating $RECORDS records and 2 x $CHANGES changes"
LISTS_DATE=$(almaty_today)   # the day that dates the grey deadlines: eirload needs it
timeout 900 dotnet "$EIRCTL" gen --count "$RECORDS" --seed 1 --mix "$MIX" --out "$WORK/lists.csv"
timeout 900 dotnet "$EIRCTL" gen --count "$CHANGES" --seed 2 --mix "$MIX" --out "$WORK/changes-idle.csv"
timeout 900 dotnet "$EIRCTL" gen --count "$CHANGES" --seed 3 --mix "$MIX" --out "$WORK/changes-load.csv"
TOTAL=$(( RECORDS + 2 * CHANGES ))
say "starting the registry with $RECORDS records (CSV load through the registry's log)"
env "${PERF_ENV[@]}" DOTNET_ENVIRONMENT=Production dotnet "$SERVER" --Mode=registry --DataDir="$WORK/registry" --Http:Host=127.0.0.1 --Http:Port=0 \
  --Registry:Host=127.0.0.1 --Registry:Port=0 --Registry:AdminToken="$ADMIN" --Registry:ReaderToken="$READER" \
  --Registry:InitialLists="$WORK/lists.csv" --Registry:ExpectedRecords="$TOTAL" --Registry:MaxDeltaLines=$(( TOTAL + 1 )) \
  --Registry:MaxDeltaBytes=$(( 4 * 1024 * 1024 * 1024 )) >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
PIDS+=("$REGISTRY_PID")
wait_line "$WORK/registry.log" '^ImeiEir ready:' 1800 "$REGISTRY_PID" >/dev/null
# The registry builds its grey-deadline index after it is ready, with a scan of its whole view (12.5 s of one core at
# 20M records). A bootstrap measured meanwhile shares the 2 cores with that scan (15 % of the samples in a profile),
# so the steps wait for it.
wait_line "$WORK/registry.log" 'grey deadlines indexed' 1800 "$REGISTRY_PID" >/dev/null
REGISTRY_PORT=$(endpoint "$WORK/registry.log" registry)

NODE_PID=
# start_node LOG [ARGS...]: a node over $WORK/node, following the registry.
start_node() {
  local log=$1; shift
  # shellcheck disable=SC2086 # the variables are words
  env "${PERF_ENV[@]}" $NODE_ENV DOTNET_ENVIRONMENT=Production dotnet "$SERVER" --Mode=eir --DataDir="$WORK/node" --Registry:Url="http://127.0.0.1:$REGISTRY_PORT" \
    --Registry:ReaderToken="$READER" --Diameter:Host=127.0.0.1 --Diameter:Port=0 --Http:Host=127.0.0.1 --Http:Port=0 --Sbi:Port=0 \
    --Store:ExpectedRecords="$TOTAL" --Store:CheckpointInterval=00:00:00 $NODE_ARGS "$@" >"$log" 2>&1 &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
}
stop_node() {
  kill -TERM "$NODE_PID" 2>/dev/null || true
  for _ in $(seq 1200); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$NODE_PID" 2>/dev/null && die "the node did not stop within 120 s"
  local rc=0
  wait "$NODE_PID" 2>/dev/null || rc=$?
  [ "$rc" = 0 ] || die "the node exited with $rc at shutdown"
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
push() { # FILE: POSTs a delta; returns once the registry has it durable
  local code
  code=$(timeout 1800 curl -sS -o "$WORK/push.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: text/csv' --data-binary "@$1" "http://127.0.0.1:$REGISTRY_PORT/v1/deltas") || die "push $1"
  [ "$code" = 200 ] || { cat "$WORK/push.json" >&2; die "push $1 answered $code"; }
}

# An empty node's resident memory, the baseline of the per-record figures: the same options, sized for one record.
say "baseline: an empty node"
DOTNET_ENVIRONMENT=Production dotnet "$SERVER" --Mode=eir --DataDir="$WORK/empty" --Registry:Url="http://127.0.0.1:$REGISTRY_PORT" \
  --Registry:ReaderToken="$READER" --Diameter:Host=127.0.0.1 --Diameter:Port=0 --Http:Host=127.0.0.1 --Http:Port=0 --Sbi:Port=0 \
  --Store:ExpectedRecords=1 --Store:CheckpointInterval=00:00:00 >"$WORK/empty.log" 2>&1 &
NODE_PID=$!
PIDS+=("$NODE_PID")
wait_line "$WORK/empty.log" '^ImeiEir listening:' 120 "$NODE_PID" >/dev/null
sleep 2
BASE_KIB=$(rss_kib "$NODE_PID")
stop_node

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 3. bootstrap -----------------------------------------------------------------------------------------------
say "bootstrap: a fresh node from the registry's snapshot"
# profile_from LOG PATTERN: waits for the node's PATTERN line, then records the whole machine for PROFILE_SECONDS in
# the background (so the step's own timing goes on); profile_wait waits for the recording to end.
PERF_PID=
profile_from() {
  wait_line "$1" "$2" 600 "$NODE_PID" >/dev/null
  PROFILED_FROM=$2
  timeout $(( PROFILE_SECONDS + 60 )) perf record -a -g -F 499 -o "$WORK/perf.data" -- sleep "$PROFILE_SECONDS" 2>"$WORK/perf-record.log" &
  PERF_PID=$!
  PIDS+=("$PERF_PID")
  PROFILED_NODE_PID=$NODE_PID
}
profile_wait() {
  [ -n "$PERF_PID" ] || return 0
  wait "$PERF_PID" || { cat "$WORK/perf-record.log" >&2; die "perf record failed"; }
  PERF_PID=
}
start_node "$WORK/node-bootstrap.log"
[ "$PROFILE_STEP" = bootstrap ] && profile_from "$WORK/node-bootstrap.log" 'Bootstrapping from the registry snapshot'
wait_line "$WORK/node-bootstrap.log" '^ImeiEir ready:' 1800 "$NODE_PID" >/dev/null
profile_wait
BOOT_LINE=$(grep -o 'Bootstrap complete: snapshot at sequence [0-9]*, [0-9]* records in [0-9.]* s' "$WORK/node-bootstrap.log") \
  || die "no 'Bootstrap complete' line in the node's log"
BOOT_RECORDS=$(echo "$BOOT_LINE" | awk '{print $7}')
BOOT_SECONDS=$(echo "$BOOT_LINE" | awk '{print $10}')
[ "$BOOT_RECORDS" = "$RECORDS" ] || die "the snapshot held $BOOT_RECORDS records, expected $RECORDS"
BOOT_RATE=$(awk -v n="$BOOT_RECORDS" -v s="$BOOT_SECONDS" 'BEGIN {printf "%.0f", n / s}')
say "bootstrap: $BOOT_RECORDS records in $BOOT_SECONDS s = $BOOT_RATE records/s"
sleep 2
BOOT_KIB=$(rss_kib "$NODE_PID")
stop_node

# --- 3b. restart from the node's own checkpoint -------------------------------------------------------------------
say "restart: the node from its local checkpoint of $RECORDS records"
STARTED=$(now)
start_node "$WORK/node-restart.log"
READY=$(wait_line "$WORK/node-restart.log" '^ImeiEir ready:' 600 "$NODE_PID")
RESTART_SECONDS=$(elapsed "$STARTED" "$READY")
grep -q 'Resuming the registry feed from the local checkpoint' "$WORK/node-restart.log" || die "the node did not resume from its checkpoint"
sleep 2
RESTART_KIB=$(rss_kib "$NODE_PID")
say "restart: ready in $RESTART_SECONDS s, VmRSS $RESTART_KIB KiB"
stop_node

# --- 4 and 5. feed apply ----------------------------------------------------------------------------------------
# catch_up NAME FILE LOAD: pushes FILE while the node is down, restarts it, times the feed catch-up; with LOAD=1 runs
# eirload against the node meanwhile. Sets CATCH_SECONDS, CATCH_RATE.
catch_up() {
  local name=$1 file=$2 load=$3
  say "$name: pushing $CHANGES changes while the node is down"
  push "$file"
  local log="$WORK/node-$name.log"
  start_node "$log"
  local load_pid=
  if [ "$load" = 1 ]; then
    wait_line "$log" '^ImeiEir listening:' 600 "$NODE_PID" >/dev/null
    local port; port=$(endpoint "$log" diameter)
    EIRLOAD_CMD="eirload --diameter 127.0.0.1:$port -c 50 -P 64 -d $LOAD_SECONDS --keys $RECORDS --seed 1 --mix $MIX --lists-date $LISTS_DATE --json"
    LOAD_STARTED=$(now)
    timeout $(( LOAD_SECONDS + 120 )) dotnet "$EIRLOAD" ${EIRLOAD_CMD#eirload } >"$WORK/eirload.json" 2>"$WORK/eirload.err" &
    load_pid=$!
    PIDS+=("$load_pid")
  fi
  local t0 t1
  t0=$(wait_line "$log" 'Resuming the registry feed from the local checkpoint' 600 "$NODE_PID")
  [ "$PROFILE_STEP" = feed ] && [ "$name" = idle ] && profile_from "$log" 'Resuming the registry feed from the local checkpoint'
  t1=$(wait_line "$log" '^ImeiEir ready:' 1800 "$NODE_PID")
  profile_wait
  CATCH_SECONDS=$(elapsed "$t0" "$t1")
  CATCH_RATE=$(awk -v n="$CHANGES" -v s="$CATCH_SECONDS" 'BEGIN {printf "%.0f", n / s}')
  say "$name: $CHANGES changes in $CATCH_SECONDS s = $CATCH_RATE changes/s"
  if [ -n "$load_pid" ]; then
    # The load must have lasted through the catch-up, or the figure is partly an idle one.
    LOAD_COVERED=$(awk -v a="$LOAD_STARTED" -v b="$t1" -v d="$LOAD_SECONDS" 'BEGIN { print (b - a <= d) ? "yes" : "no" }')
    wait "$load_pid" 2>/dev/null || true
  fi
  stop_node
}
EIRLOAD_CMD=
catch_up idle "$WORK/changes-idle.csv" 0
IDLE_SECONDS=$CATCH_SECONDS; IDLE_RATE=$CATCH_RATE
catch_up load "$WORK/changes-load.csv" 1
LOADED_SECONDS=$CATCH_SECONDS; LOADED_RATE=$CATCH_RATE
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no -- src tools bench | grep -q . && echo " (with uncommitted changes under src/, tools/ or bench/)" || true)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { if (r >= t) printf "met (%.2f×)", r / t; else printf "**missed** (%.2f× of the target)", r / t }'; }
mkdir -p "$(dirname "$OUT")"
{
  echo "# bench/sync-rates.sh"
  echo
  echo "Generated by \`$COMMAND\` — do not edit by hand; run it again."
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- commit: \`$COMMIT\`$DIRTY"
  echo "- machine: $(nproc) cores, $CPU, $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo); $(uname -sr); .NET $(dotnet --version)"
  echo "- load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER"
  echo "- setup: one registry (\`--Mode=registry\`, $RECORDS records) and one EIR node (\`--Mode=eir\`${NODE_ARGS:+ $NODE_ARGS}${NODE_ENV:+, environment $NODE_ENV}), Release, on 127.0.0.1, same machine"
  echo
  echo "| what | records / changes | seconds | per second | target |"
  echo "|---|---:|---:|---:|---|"
  echo "| snapshot bootstrap (node's own figure: snapshot request to last record applied) | $BOOT_RECORDS | $BOOT_SECONDS | $BOOT_RATE | ≥ 2,000,000: $(verdict "$BOOT_RATE" 2000000) |"
  echo "| node restart from its local checkpoint (process start to \"ready\", nothing to catch up) | $RECORDS | $RESTART_SECONDS | | ≤ 10 s at 50M: $(awk -v s="$RESTART_SECONDS" -v n="$RECORDS" 'BEGIN { v = (s <= 10) ? "met" : "**missed**"; printf "%s at %dM records", v, n / 1000000 }') |"
  echo "| feed apply, idle (node's \"Resuming the registry feed\" line to its \"ready\" line) | $CHANGES | $IDLE_SECONDS | $IDLE_RATE | ≥ 1,000,000: $(verdict "$IDLE_RATE" 1000000) |"
  echo "| feed apply under full lookup load (eirload -c 50 -P 64 meanwhile) | $CHANGES | $LOADED_SECONDS | $LOADED_RATE | ≥ 200,000: $(verdict "$LOADED_RATE" 200000) |"
  echo
  echo "Resident memory of the EIR node (VmRSS minus an empty node's $BASE_KIB KiB, per record; target ≤ 36 bytes at 50M):"
  echo
  echo "| when | records | VmRSS | bytes per record |"
  echo "|---|---:|---:|---:|"
  for row in "after the bootstrap:$BOOT_KIB" "after a restart from the checkpoint:$RESTART_KIB"; do
    awk -v l="${row%%:*}" -v r="${row##*:}" -v b="$BASE_KIB" -v n="$RECORDS" 'BEGIN { printf "| %s | %d | %.0f MiB | %.1f |\n", l, n, r / 1024, (r - b) * 1024 / n }'
  done
  echo
  echo "Each feed figure covers the registry reading its log, the HTTP stream, the node's parsing and its store writes;"
  echo "the node and the registry share the 2 cores (and, under load, with eirload and the answers)."
  echo
  echo "Commands: \`eirctl gen --count $RECORDS --seed 1 --mix $MIX\` for the registry's lists; \`--count $CHANGES --seed 2\` and"
  echo "\`--seed 3\` for the two deltas, each POSTed to \`/v1/deltas\` while the node was stopped; under load: \`$EIRLOAD_CMD\`"
  echo "(started when the node's Diameter port was bound; it lasted through the whole catch-up: ${LOAD_COVERED:-unknown})."
  if [ -s "$WORK/eirload.json" ]; then
    echo
    j() { grep -o "\"$1\": *[0-9.e+-]*" "$WORK/eirload.json" | head -1 | sed 's/.*: *//'; }
    # eirload's JSON gives latencies in microseconds.
    echo "eirload over its whole run (the catch-up and after): $(j answered) answers, $(j throughput_per_s) per second," \
      "p99 $(awk -v v="$(j p99)" 'BEGIN {printf "%.1f", v / 1000}') ms, max $(awk -v v="$(j max)" 'BEGIN {printf "%.1f", v / 1000}') ms;"
    echo "mismatches $(j mismatches), errors $(j errors), timeouts $(j timeouts). The deltas' IMEIs (seeds 2 and 3) are not in eirload's"
    echo "keyspace (seed 1), and eirload expects a grey key blocked from its deadline on (--lists-date: the day they were generated), so a"
    echo "mismatch is a wrong answer."
    echo "Its latency counts from the send, and it starts sending as soon as the port is bound, while the node still recovers"
    echo "its checkpoint: the max includes that wait; for latency under load alone, see compare.md."
  fi
} >"$OUT"
cat "$OUT"
say "report written to $OUT"

if [ "$PROFILE_SECONDS" != 0 ]; then
  say "profile: writing the perf report of the $PROFILE_STEP to $PROFILE_OUT"
  if [ "$PROFILE_STEP" = bootstrap ]; then
    PROFILED="a $RECORDS-record snapshot bootstrap"; LASTED="the bootstrap took $BOOT_SECONDS s"
  else
    PROFILED="an idle feed catch-up of $CHANGES changes into $RECORDS records"; LASTED="the catch-up took $IDLE_SECONDS s"
  fi
  {
    echo "# perf report of $PROFILED"
    echo "#"
    echo "# written by: $COMMAND"
    echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $COMMIT$DIRTY; machine: $(nproc) cores, $CPU; $(uname -sr)"
    echo "# record: perf record -a -g -F 499 -- sleep $PROFILE_SECONDS, from the node's '$PROFILED_FROM' line ($LASTED)"
    echo "# report: perf report --no-children -g none --sort pid, then per process --pid P --percentage absolute --sort pid,sym (rows over 0.5 %, symbols cut to 150 characters)"
    echo "# A row is a thread (tid:name) or a thread and a symbol; 100 % is every sample of both cores."
    echo "#"
    rows() { awk '/^ +[0-9.]+%/ && $1 + 0 >= 0.5' | cut -c1-150; }
    report() { timeout 600 perf report -i "$WORK/perf.data" --no-children -g none --stdio "$@" 2>/dev/null; }
    echo "## every thread of the machine"
    report --sort pid | rows
    for who in "registry:$REGISTRY_PID" "node:$PROFILED_NODE_PID"; do
      pid=${who##*:}
      echo
      echo "## the ${who%%:*} (pid $pid): $(report --pid "$pid" --percentage absolute --sort pid \
        | awk '/^ +[0-9.]+%/ { t += $1 } END { printf "%.1f %%", t }') of the samples, by thread and symbol"
      report --pid "$pid" --percentage absolute --sort pid,sym | rows
    done
  } >"$PROFILE_OUT"
  say "profile written to $PROFILE_OUT"
fi
