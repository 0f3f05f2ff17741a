#!/usr/bin/env bash
# bench/compare.sh: ImeiEir side by side with Redis on this machine, and the memory and start-up figures.
#
#   bench/compare.sh [--quick] [--no-50m] [--rounds N] [--seconds S] [--server-env "VAR=V ..."] [--out FILE]
#
# 1. Installs redis-server and redis-tools from Debian when missing (apt-get update once, then install).
# 2. Publishes the server, eirctl and eirload (Release) into a scratch directory, so sources edited meanwhile do
#    not change what is measured.
# 3. Throughput and latency at 10M records: Redis (10M keys loaded with redis-cli --pipe) and ImeiEir (10M IMEIs
#    from `eirctl gen`) both on 127.0.0.1, on ports chosen now; `redis-benchmark -t get -c 50 -P 1` and `-P 64`
#    against eirload with the same connections and depth, alternating redis, eir, redis, eir; ratios printed.
# 4. Resident memory per record at 10M and 50M (VmRSS after the load minus an empty server's), and after a restart
#    from the checkpoint the server takes at shutdown; start-up time from the 50M checkpoint (process start to the
#    `ImeiEir ready:` line).
# Every step is bounded by `timeout`; everything started is stopped on exit. Writes a markdown report (default
# perf-baselines/compare.md) with the commit, machine, date and each command.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=2
SECONDS_PER_RUN=10
FIFTY=1
QUICK=0
OUT="$ROOT/perf-baselines/compare.md"
SERVER_ENV=""
ARGS="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; ROUNDS=1; SECONDS_PER_RUN=5; FIFTY=0 ;;
    --no-50m) FIFTY=0 ;;
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECONDS_PER_RUN=$2; shift ;;
    --server-env) SERVER_ENV=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 1 ;;
  esac
  shift
done
KEYS=10000000
BIG=50000000
[ "$QUICK" = 1 ] && KEYS=1000000
CONNECTIONS=50
MIX="white=80,grey=10,black=10,unknown=0"   # every key present, as in Redis

BENCH=compare
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

# --- 1. tools ----------------------------------------------------------------------------------------------------
SUDO=(); [ "$(id -u)" -ne 0 ] && SUDO=(sudo)
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null || ! command -v redis-cli >/dev/null; then
  say "installing redis-server and redis-tools from Debian"
  timeout 300 "${SUDO[@]}" apt-get update -q
  timeout 600 "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server redis-tools
fi
for tool in redis-server redis-benchmark redis-cli dotnet awk timeout; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH"
done

free_port() {
  local port
  for _ in $(seq 100); do
    port=$(( 20000 + RANDOM % 40000 ))
    ss -ltnH "sport = :$port" 2>/dev/null | grep -q . || { echo "$port"; return; }
  done
  die "no free port"
}

say "publishing server, eirctl and eirload (Release) into $WORK"
for p in src/ImeiEir.Server tools/eirctl tools/eirload; do publish "$WORK/$(basename "$p")" "$ROOT/$p"; done
SERVER="$WORK/ImeiEir.Server/imeieir.dll"
EIRCTL="$WORK/eirctl/eirctl.dll"
EIRLOAD="$WORK/eirload/eirload.dll"

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
DIRTY=$(git -C "$ROOT" status --porcelain -- src tools bench | grep -q . && echo " (with uncommitted changes in src/tools/bench)" || true)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
CORES=$(nproc)
MEM=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# start_server LOG ARGS...: starts the server in the background, sets SERVER_PID; waits for the ready line.
start_server() {
  local log=$1; shift
  SERVER_LOG=$log
  local started; started=$(date +%s.%N)
  # HTTP and registry ports 0: the server picks free ones, so nothing collides with other services or runs.
  # shellcheck disable=SC2086 # the variables are words
  env $SERVER_ENV DOTNET_ENVIRONMENT=Production dotnet "$SERVER" --Diameter:Host=127.0.0.1 --Http:Port=0 --Registry:Port=0 --Sbi:Port=0 \
    --Store:CheckpointInterval=00:00:00 "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 18000); do   # 30 min at most (a 50M CSV load)
    grep -q '^ImeiEir ready:' "$log" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; die "server exited before it was ready"; }
    sleep 0.1
  done
  grep -q '^ImeiEir ready:' "$log" || die "server not ready within 30 min"
  READY_SECONDS=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1200); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done   # checkpoint of 50M: 2 min at most
  kill -0 "$SERVER_PID" 2>/dev/null && { kill -KILL "$SERVER_PID"; die "server did not stop within 120 s"; }
  local rc=0
  wait "$SERVER_PID" 2>/dev/null || rc=$?
  # A server that did not exit cleanly may not have written its checkpoint: the restart figures would be wrong.
  [ "$rc" = 0 ] || { tail -30 "$SERVER_LOG" >&2; die "server exited with $rc at shutdown"; }
  grep -q 'did not finish within the shutdown timeout' "$SERVER_LOG" && die "the shutdown checkpoint was given up (see $SERVER_LOG)"
  return 0
}

REPORT="$WORK/report.md"
{
  echo "# bench/compare.sh"
  echo
  echo "- date: $DATE"
  echo "- commit: $COMMIT$DIRTY"
  echo "- machine: $CORES cores, $CPU, $MEM; load generators on the same machine"
  echo "- command: \`bench/compare.sh $ARGS\` (rounds $ROUNDS, $SECONDS_PER_RUN s per eirload run)"
  if [ -n "$SERVER_ENV" ]; then echo "- the server's environment: \`$SERVER_ENV\`"; fi
  echo
} >"$REPORT"

# --- 2. baseline RSS: an empty server ---------------------------------------------------------------------------
start_server "$WORK/empty.log" --Diameter:Port="$(free_port)" --DataDir="$WORK/empty" --Registry:LoadDemoLists=false --Store:ExpectedRecords=1
sleep 2
BASE_KIB=$(rss_kib "$SERVER_PID")
stop_server
say "empty server: VmRSS $BASE_KIB KiB"

# --- 3. 10M: Redis and ImeiEir side by side ---------------------------------------------------------------------
say "generating $KEYS IMEIs"
LISTS_DATE=$(almaty_today)   # the day that dates the grey deadlines: eirload needs it
timeout 900 dotnet "$EIRCTL" gen --count "$KEYS" --seed 1 --mix "$MIX" --out "$WORK/lists-10m.csv"

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --protected-mode yes --logfile "$WORK/redis.log" &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
say "loading $KEYS keys into Redis on port $REDIS_PORT"
# redis-benchmark's __rand_int__ is 12 zero-padded digits: key:000000000000 .. key:(KEYS-1).
awk -v n="$KEYS" 'BEGIN { for (i = 0; i < n; i++) printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$3\r\nxxx\r\n", i }' \
  | timeout 900 redis-cli -p "$REDIS_PORT" --pipe >"$WORK/redis-load.txt"
REDIS_KEYS=$(redis-cli -p "$REDIS_PORT" dbsize)
[ "$REDIS_KEYS" = "$KEYS" ] || die "Redis holds $REDIS_KEYS keys, expected $KEYS"

EIR_PORT=$(free_port)
say "starting ImeiEir with $KEYS records on port $EIR_PORT"
start_server "$WORK/eir-10m.log" --Diameter:Port="$EIR_PORT" --DataDir="$WORK/data-10m" \
  --Registry:InitialLists="$WORK/lists-10m.csv" --Store:ExpectedRecords="$KEYS" --Registry:MaxDeltaLines=$(( KEYS + 1 )) --Registry:ExpectedRecords="$KEYS"
EIR_LOAD_SECONDS=$READY_SECONDS
sleep 2
EIR10_KIB=$(rss_kib "$SERVER_PID")
EIR10_PID=$SERVER_PID

jnum() { grep -o "\"$2\": *[0-9.e+-]*" "$1" | head -1 | sed 's/.*: *//'; }

RESULTS="$WORK/results.tsv"   # system depth round rps p50_ms p99_ms
FAILURES=""
: >"$RESULTS"
run_redis() { # depth round
  local depth=$1 n
  # About SECONDS_PER_RUN seconds of work at the rates this machine gives (calibrated by the P=1 / P=64 runs).
  if [ "$depth" = 1 ]; then n=$(( 40000 * SECONDS_PER_RUN )); else n=$(( 800000 * SECONDS_PER_RUN )); fi
  local cmd="redis-benchmark -p $REDIS_PORT -t get -c $CONNECTIONS -P $depth -n $n -r $KEYS --csv"
  timeout $(( SECONDS_PER_RUN * 10 + 60 )) $cmd >"$WORK/redis-P$depth-$2.csv" 2>/dev/null || die "$cmd"
  awk -F'","' -v d="$depth" -v r="$2" '/^"GET/ { printf "redis\t%s\t%s\t%s\t%s\t%s\n", d, r, $2, $5, $7 }' \
    "$WORK/redis-P$depth-$2.csv" >>"$RESULTS"
  echo "$cmd" >"$WORK/redis-P$depth.cmd"
}
run_eir() { # depth round
  local depth=$1
  local cmd="eirload --diameter 127.0.0.1:$EIR_PORT -c $CONNECTIONS -P $depth -d $SECONDS_PER_RUN --warmup 1 --keys $KEYS --seed 1 --mix $MIX --lists-date $LISTS_DATE --json"
  local rc=0
  timeout $(( SECONDS_PER_RUN + 60 )) dotnet "$EIRLOAD" ${cmd#eirload } >"$WORK/eir-P$depth-$2.json" || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 4 ] || die "$cmd (exit $rc)"   # 4: ran, but some answers were wrong or missing
  local f="$WORK/eir-P$depth-$2.json"
  printf 'eir\t%s\t%s\t%s\t%s\t%s\n' "$depth" "$2" "$(jnum "$f" throughput_per_s)" \
    "$(awk -v v="$(jnum "$f" p50)" 'BEGIN {printf "%.3f", v / 1000}')" "$(awk -v v="$(jnum "$f" p99)" 'BEGIN {printf "%.3f", v / 1000}')" >>"$RESULTS"
  if ! { [ "$(jnum "$f" mismatches)" = 0 ] && [ "$(jnum "$f" errors)" = 0 ] && [ "$(jnum "$f" timeouts)" = 0 ]; }; then
    say "eirload reported failures (kept in the report):"; cat "$f" >&2
    FAILURES+="P=$depth round $2: mismatches $(jnum "$f" mismatches), errors $(jnum "$f" errors), timeouts $(jnum "$f" timeouts), unanswered $(jnum "$f" unanswered); $(tr -d '\n' <"$f" | grep -o '"messages": *\[[^]]*' | tr -s ' ' | head -c 600)"$'\n'
  fi
  echo "$cmd" >"$WORK/eir-P$depth.cmd"
}

# One unrecorded run of each side at each depth first: the server's (and eirload's) JIT and tiering would otherwise
# land in round 1 (a fresh server measured 0.81x the throughput and 1.85x the p99 of its second run at -P 64).
for depth in 1 64; do
  say "P=$depth warm-up (not recorded)"
  timeout 120 redis-benchmark -p "$REDIS_PORT" -t get -c "$CONNECTIONS" -P "$depth" -n $(( depth == 1 ? 100000 : 2000000 )) -r "$KEYS" -q >/dev/null 2>&1 \
    || die "redis warm-up at -P $depth"
  rc=0; timeout 90 dotnet "$EIRLOAD" --diameter "127.0.0.1:$EIR_PORT" -c "$CONNECTIONS" -P "$depth" -d 5 --warmup 1 --keys "$KEYS" --seed 1 --mix "$MIX" --lists-date "$LISTS_DATE" --json >/dev/null || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 4 ] || die "eirload warm-up at -P $depth (exit $rc)"
done

for depth in 1 64; do
  for round in $(seq "$ROUNDS"); do
    say "P=$depth round $round: redis"; run_redis "$depth" "$round"
    say "P=$depth round $round: eir";   run_eir "$depth" "$round"
  done
done

{
  echo "## Throughput and latency, $KEYS records, $CONNECTIONS connections"
  echo
  echo "Alternating runs, same machine, same moment. Redis: GET of a random present key; ImeiEir: ECR/ECA of a random present IMEI"
  echo "(mix $MIX). Both closed loop, latency from send. Before the rounds each system ran once unrecorded at each depth (5 s"
  echo "of eirload, 100k / 2M redis-benchmark GETs) to warm the JIT; eirload's first second of every run is warm-up too."
  echo
  echo "| system | depth | round | requests/s | p50 ms | p99 ms |"
  echo "|---|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %.0f | %.3f | %.3f |\n", $1, $2, $3, $4, $5, $6 }' "$RESULTS"
  echo
  echo "| depth | Redis GET/s (mean) | ImeiEir ECR/s (mean) | ratio | Redis p99 ms | ImeiEir p99 ms | p99 ratio |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ rps[$1, $2] += $4; p99[$1, $2] += $6; n[$1, $2]++ }
    END { split("1 64", ds, " "); for (k = 1; k <= 2; k++) { d = ds[k];
      r = rps["redis", d] / n["redis", d]; e = rps["eir", d] / n["eir", d];
      rp = p99["redis", d] / n["redis", d]; ep = p99["eir", d] / n["eir", d];
      printf "| %s | %.0f | %.0f | **%.2f×** | %.3f | %.3f | %.2f× |\n", d, r, e, e / r, rp, ep, ep / rp } }' "$RESULTS"
  echo
  if [ -n "$FAILURES" ]; then echo "**eirload failures** (these runs count, but their answers were not all as expected):"; echo; printf '%s' "$FAILURES" | sed 's/^/    /'; echo; fi
  echo "Commands:"
  echo
  for depth in 1 64; do echo "    $(cat "$WORK/redis-P$depth.cmd")"; echo "    $(cat "$WORK/eir-P$depth.cmd")"; done
  echo
} >>"$REPORT"

redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$REDIS_PID" 2>/dev/null || true
SERVER_PID=$EIR10_PID
stop_server

# --- 4. memory and start-up ---------------------------------------------------------------------------------------
mem_row() { # label records rss_kib
  awk -v l="$1" -v n="$2" -v r="$3" -v b="$BASE_KIB" 'BEGIN { printf "| %s | %d | %.0f MiB | %.1f |\n", l, n, r / 1024, (r - b) * 1024 / n }'
}
MEMROWS=$(mem_row "after CSV load" "$KEYS" "$EIR10_KIB")

say "restarting from the $KEYS checkpoint"
start_server "$WORK/eir-10m-recover.log" --Diameter:Port="$(free_port)" --DataDir="$WORK/data-10m" --Store:ExpectedRecords="$KEYS"
RECOVER10_SECONDS=$READY_SECONDS
sleep 2
MEMROWS+=$'\n'$(mem_row "after restart from checkpoint" "$KEYS" "$(rss_kib "$SERVER_PID")")
stop_server
rm -rf "$WORK/data-10m" "$WORK/lists-10m.csv"

if [ "$FIFTY" = 1 ]; then
  say "generating $BIG IMEIs"
  timeout 1800 dotnet "$EIRCTL" gen --count "$BIG" --seed 1 --mix "$MIX" --out "$WORK/lists-50m.csv"
  say "starting ImeiEir with $BIG records (CSV load)"
  start_server "$WORK/eir-50m.log" --Diameter:Port="$(free_port)" --DataDir="$WORK/data-50m" \
    --Registry:InitialLists="$WORK/lists-50m.csv" --Store:ExpectedRecords="$BIG" --Registry:MaxDeltaLines=$(( BIG + 1 )) --Registry:ExpectedRecords="$BIG"
  LOAD50_SECONDS=$READY_SECONDS
  sleep 2
  MEMROWS+=$'\n'$(mem_row "after CSV load" "$BIG" "$(rss_kib "$SERVER_PID")")
  say "stopping (checkpoint at shutdown)"
  STOP_START=$(date +%s.%N)
  stop_server
  CHECKPOINT50_SECONDS=$(awk -v a="$STOP_START" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  rm -f "$WORK/lists-50m.csv"
  say "restarting from the $BIG checkpoint"
  start_server "$WORK/eir-50m-recover.log" --Diameter:Port="$(free_port)" --DataDir="$WORK/data-50m" --Store:ExpectedRecords="$BIG"
  RECOVER50_SECONDS=$READY_SECONDS
  sleep 2
  MEMROWS+=$'\n'$(mem_row "after restart from checkpoint" "$BIG" "$(rss_kib "$SERVER_PID")")
  CHECKPOINT_BYTES=$(du -sb "$WORK/data-50m" | cut -f1)
  stop_server
fi

{
  echo "## Resident memory per record"
  echo
  echo "VmRSS of the server process minus an empty server's ($BASE_KIB KiB, \`--Store:ExpectedRecords=1 --Registry:LoadDemoLists=false\`),"
  echo "divided by the records. The server runs all-in-one (registry + EIR node in one process), so this is the registry's"
  echo "change log and view *and* the node's FASTER store. \"After CSV load\" still holds whatever the GC kept from the"
  echo "loader; \"after restart\" is the steady state."
  echo
  echo "| when | records | VmRSS | bytes per record |"
  echo "|---|---:|---:|---:|"
  echo "$MEMROWS"
  echo
  echo "## Start-up"
  echo
  echo "Process start to the \`ImeiEir ready:\` line."
  echo
  echo "| what | records | seconds |"
  echo "|---|---:|---:|"
  echo "| CSV load (\`--Registry:InitialLists\`) | $KEYS | $EIR_LOAD_SECONDS |"
  echo "| restart from local checkpoint | $KEYS | $RECOVER10_SECONDS |"
  if [ "$FIFTY" = 1 ]; then
    echo "| CSV load (\`--Registry:InitialLists\`) | $BIG | $LOAD50_SECONDS |"
    echo "| checkpoint at shutdown (SIGTERM to exit) | $BIG | $CHECKPOINT50_SECONDS |"
    echo "| **restart from local checkpoint** | $BIG | **$RECOVER50_SECONDS** |"
    echo
    echo "Data directory with the $BIG checkpoint: $(awk -v b="$CHECKPOINT_BYTES" 'BEGIN {printf "%.2f GiB", b / 1073741824}')."
  fi
  echo
  echo "Snapshot bootstrap and feed apply rates: \`bench/sync-rates.sh\` (perf-baselines/sync-rates.md)."
} >>"$REPORT"

mkdir -p "$(dirname "$OUT")"
cp "$REPORT" "$OUT"
cat "$REPORT"
say "report written to $OUT"
