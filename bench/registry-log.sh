#!/usr/bin/env bash
# bench/registry-log.sh: Registry:Log=Local against Registry:Log=JetStream, side by side in one run (issue 23, item 7).
#
#   bench/registry-log.sh [--rounds R] [--push-lines L] [--ptv-rounds K] [--ptv-lines N] [--published DIR] [--out FILE]
#   bench/registry-log.sh --profile FILE
#
# --profile: the stream alone, no registry: starts the cluster as in 2., runs bench/jetstream-append (a Stopwatch
# around the publishes of 30,000 changes one per message, as 1c28dbd did, and of 300,000 changes 1024 per message, as
# now, then around reading them back with an ordered consumer; 3 and 1 replicas) and writes its figures to FILE.
#
# 1. Publishes the server and bench/push-to-visible/ in Release into a scratch directory (or takes them from DIR/server
#    and DIR/helper with --published), so both registries run the same build.
# 2. Starts a 3-server NATS cluster (Debian's nats-server; temp store directories, client/route/monitor ports free at
#    run time, all on 127.0.0.1) and waits for its JetStream meta leader; then a Local registry, a JetStream
#    registry (stream replicas 3) and a second JetStream registry on the same stream (the "peer"), and two EIR nodes
#    following each; every ImeiEir port is chosen at bind time.
# 3. R rounds (default 3), the order alternating (Local first in odd rounds, JetStream first in even ones); in each,
#    per registry: (a) one L-line delta (default 1,000,000 new IMEIs, white/black/grey in turn, the same file for
#    both) is POSTed with curl (its time_total), then the script waits until both of that registry's nodes have
#    applied it (the time from the POST until then is reported too); (b) the push-to-visible helper: 1 warm-up and
#    K measured rounds (default 20) of N-line deltas (default 10,000). Right after the JetStream registry's, the same
#    for "jetstream-peer": pushes go to the JetStream registry, the watched nodes are the peer's (a change crossing
#    from one registry process to the other through the stream: the peer's tail); its big push is the JetStream one,
#    timed until the peer's nodes applied it.
# 4. Writes a markdown report (default perf-baselines/registry-log-local-vs-jetstream.md) with the command, commit,
#    machine, date, every raw figure and the JetStream/Local ratios.
# Every wait and request is bounded by a count and a time; every process started is stopped on exit (bench/lib.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=3
PUSH_LINES=1000000
PTV_ROUNDS=20
PTV_LINES=10000
PUBLISHED=""
PROFILE=""
OUT="$ROOT/perf-baselines/registry-log-local-vs-jetstream.md"
COMMAND="bench/registry-log.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --push-lines) PUSH_LINES=$2; shift ;;
    --ptv-rounds) PTV_ROUNDS=$2; shift ;;
    --ptv-lines) PTV_LINES=$2; shift ;;
    --published) PUBLISHED=$2; shift ;;
    --out) OUT=$2; shift ;;
    --profile) PROFILE=$2; shift ;;
    *) echo "usage: $0 [--rounds R] [--push-lines L] [--ptv-rounds K] [--ptv-lines N] [--published DIR] [--out FILE] | --profile FILE" >&2; exit 2 ;;
  esac
  shift
done
PEER_BLOCKS=400   # the peer's push-to-visible rounds push to the JetStream registry: IMEI blocks of their own
# The helper's TAC blocks (one per round, 101 upward) must stay below the pushes' (900 upward), and a delta line's
# index must fit the IMEI's six serial digits.
[ $((PEER_BLOCKS + 101 + ROUNDS * (PTV_ROUNDS + 1))) -lt 900 ] || { echo "--rounds x --ptv-rounds too large (the helper's IMEI blocks would reach the pushes')" >&2; exit 2; }
[ "$PUSH_LINES" -le 1000000 ] && [ "$PTV_LINES" -le 1000000 ] || { echo "--push-lines and --ptv-lines: at most 1000000 (Registry:MaxDeltaLines)" >&2; exit 2; }
[ -x /usr/sbin/nats-server ] || { echo "/usr/sbin/nats-server not found: apt-get install -y nats-server" >&2; exit 2; }

BENCH=registry-log
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

if [ -n "$PROFILE" ]; then
  BIN=$WORK
  say "publishing bench/jetstream-append (Release) into $WORK"
  publish "$WORK/append" "$ROOT/bench/jetstream-append"
elif [ -n "$PUBLISHED" ]; then
  BIN=$PUBLISHED
  [ -f "$BIN/server/imeieir.dll" ] && [ -f "$BIN/helper/push-to-visible.dll" ] || die "--published $BIN: no server/imeieir.dll or helper/push-to-visible.dll"
else
  BIN=$WORK
  say "publishing the server and the helper (Release) into $WORK"
  publish "$WORK/server" "$ROOT/src/ImeiEir.Server"
  publish "$WORK/helper" "$ROOT/bench/push-to-visible"
fi

# ---- the NATS cluster -------------------------------------------------------------------------------------------
# Nine ports bound together and released: free a moment ago, and distinct.
read -r -a NP <<<"$(python3 -c 'import socket
s=[socket.socket() for _ in range(9)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')"
ROUTES="\"nats-route://127.0.0.1:${NP[1]}\", \"nats-route://127.0.0.1:${NP[4]}\", \"nats-route://127.0.0.1:${NP[7]}\""
NATS_URLS="nats://127.0.0.1:${NP[0]},nats://127.0.0.1:${NP[3]},nats://127.0.0.1:${NP[6]}"
for i in 0 1 2; do
  mkdir -p "$WORK/nats$i"
  cat >"$WORK/nats$i.conf" <<EOF
server_name: "n$i"
host: "127.0.0.1"
port: ${NP[$((3 * i))]}
http: "127.0.0.1:${NP[$((3 * i + 2))]}"
jetstream { store_dir: "$WORK/nats$i", max_memory_store: 64MB, max_file_store: 8GB }
cluster { name: "imeieir-bench", host: "127.0.0.1", port: ${NP[$((3 * i + 1))]}, no_advertise: true, routes: [$ROUTES] }
EOF
  /usr/sbin/nats-server -c "$WORK/nats$i.conf" >"$WORK/nats$i.log" 2>&1 &
  PIDS+=($!)
done
say "waiting for the NATS cluster's JetStream meta leader (client ports ${NP[0]}, ${NP[3]}, ${NP[6]})"
for attempt in $(seq 300); do
  leader=$(curl -s --max-time 2 "http://127.0.0.1:${NP[2]}/jsz" | python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("meta_cluster",{}).get("leader",""))
except Exception: print("")' || true)
  [ -n "$leader" ] && break
  [ "$attempt" -lt 300 ] || { tail -20 "$WORK"/nats*.log >&2; die "no JetStream meta leader within 60 s"; }
  sleep 0.2
done
say "JetStream meta leader: $leader"

if [ -n "$PROFILE" ]; then
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  timeout 900 dotnet "$BIN/append/jetstream-append.dll" --nats "$NATS_URLS" >"$WORK/profile.tsv" || die "jetstream-append failed"
  LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
  RATIOS=$(python3 - "$WORK/profile.tsv" <<'PY'
import csv, sys
rows = {(r["format"], r["replicas"]): r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")}
print("| replicas | publish, changes/s: format 1 | format 2 | format 2 / format 1 | read back, changes/s: format 1 | format 2 | format 2 / format 1 |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for rep in ("3", "1"):
    one, two = rows[("1", rep)], rows[("2", rep)]
    p1, p2 = float(one["publish_changes_per_s"]), float(two["publish_changes_per_s"])
    r1, r2 = float(one["read_changes_per_s"]), float(two["read_changes_per_s"])
    print(f"| {rep} | {p1:,.0f} | {p2:,.0f} | **{p2 / p1:.1f}×** | {r1:,.0f} | {r2:,.0f} | **{r2 / r1:.1f}×** |")
r3, r1 = rows[("1", "3")], rows[("1", "1")]
print()
print(f"Format 1: a window of 256 one-change publishes took {float(r3['ms_per_window']):.1f} ms to be acknowledged with 3 replicas "
      f"and {float(r1['ms_per_window']):.1f} ms with 1: replication is {float(r3['publish_ms']) / float(r1['publish_ms']):.1f}× the cost of one "
      f"server's store; at {float(r3['publish_changes_per_s']):,.0f} changes/s a 1M-line push spends {1e6 / float(r3['publish_changes_per_s']):.0f} s waiting for acknowledgements.")
PY
) || die "profile report"
  mkdir -p "$(dirname "$PROFILE")"
  {
    echo "# The change stream alone: one change per message against 1024"
    echo
    echo "Generated by \`$COMMAND\` — do not edit by hand; run it again."
    echo
    echo "- commit: \`$(git -C "$ROOT" rev-parse --short HEAD)\`"
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- machine: $(machine_summary); $(uname -sr); .NET $(dotnet --version); $(/usr/sbin/nats-server --version)"
    echo "- load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER (the machine is shared: other processes ran beside it)"
    echo "- setup: the 3-server NATS cluster of \`bench/registry-log.sh\` (JetStream, file store, 127.0.0.1), no registry; \`bench/jetstream-append\` publishes to a new stream per line (3 replicas: acknowledged once 2 servers stored it; 1 replica: one server's store, no replication), then reads it all back with an ordered consumer"
    echo "- format 1: 1c28dbd's \`JetStreamChangeStream\`, one 48-byte change per message, 256 publishes in flight then a wait for all their acknowledgements; format 2: 1024 changes (48 KiB) per message, 32 in flight; both with a message id, the expected stream, the expected last sequence and, after the first, the expected last message id"
    echo
    echo "$RATIOS"
    echo
    echo '```'
    cat "$WORK/profile.tsv"
    echo '```'
  } >"$PROFILE"
  say "report in $PROFILE"
  cat "$WORK/profile.tsv"
  exit 0
fi

# ---- registries and nodes ---------------------------------------------------------------------------------------
ADMIN=$(token)
READER=$(token)

# start NAME ARGS...: runs the server in the background, logs to $WORK/NAME.log, waits for its ready line.
start() {
  local name=$1; shift
  DOTNET_ENVIRONMENT=Production dotnet "$BIN/server/imeieir.dll" --DataDir="$WORK/$name" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 900); do
    grep -q '^ImeiEir ready:' "$WORK/$name.log" && { grep '^ImeiEir ready:' "$WORK/$name.log" >&2; return 0; }
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$WORK/$name.log" >&2; die "$name exited before it was ready"; }
    sleep 0.1
  done
  cat "$WORK/$name.log" >&2
  die "$name not ready within 90 s"
}
port_of() { endpoint "$WORK/$1.log" "$2"; }

# The Debug line of the registry's writer (EventId 374) says where each write's time goes: plan, commit point, local log.
REGISTRY_ARGS=(--Mode=registry --Http:Host=127.0.0.1 --Http:Port=0 --Registry:Host=127.0.0.1 --Registry:Port=0
  --Registry:AdminToken="$ADMIN" --Registry:ReaderToken="$READER" --Registry:LoadDemoLists=false
  --Logging:LogLevel:ImeiEir.Server.Hosting.RegistryLifecycle=Debug)
start reg-local "${REGISTRY_ARGS[@]}" --Registry:Log=Local
start reg-jetstream "${REGISTRY_ARGS[@]}" --Registry:Log=JetStream --Registry:Nats:Url="$NATS_URLS"
start reg-jetstream-peer "${REGISTRY_ARGS[@]}" --Registry:Log=JetStream --Registry:Nats:Url="$NATS_URLS"
declare -A REG_PORT NODE_ARGS NODE_HTTP FOLLOW_PORT
for log in local jetstream jetstream-peer; do
  # REG_PORT: where LOG's pushes go; FOLLOW_PORT: the registry LOG's nodes follow (the peer's: the other process).
  FOLLOW_PORT[$log]=$(port_of "reg-$log" registry)
  REG_PORT[$log]=${FOLLOW_PORT[$log]}
  [ "$log" = jetstream-peer ] && REG_PORT[$log]=${REG_PORT[jetstream]}
  NODE_ARGS[$log]=""
  NODE_HTTP[$log]=""
  for n in a b; do
    start "node-$log-$n" --Mode=eir --Registry:Url="http://127.0.0.1:${FOLLOW_PORT[$log]}" --Registry:ReaderToken="$READER" \
      --Diameter:Host=127.0.0.1 --Diameter:Port=0 --Http:Host=127.0.0.1 --Http:Port=0 --Sbi:Port=0
    NODE_ARGS[$log]+=" --node $(port_of "node-$log-$n" http):$(port_of "node-$log-$n" diameter)"
    NODE_HTTP[$log]+=" $(port_of "node-$log-$n" http)"
  done
done

# ---- the push files: one per round, new IMEIs, the same file posted to both registries ---------------------------
say "writing $ROUNDS push files of $PUSH_LINES lines"
python3 - "$WORK" "$ROUNDS" "$PUSH_LINES" <<'PY'
import sys
work, rounds, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
kinds = ["white,verified,", "black,stolen,", "grey,unverified,2030-12-31"]
for r in range(1, rounds + 1):
    tac = 36_000_000 + (900 + r) * 100
    with open(f"{work}/push-{r}.csv", "w") as f:
        f.write("op,imei,list,reason,deadline\n")
        f.writelines(f"set,{tac:08d}{i:06d},{kinds[i % 3]}\n" for i in range(lines))
PY

# applied_by_nodes LOG SEQUENCE: waits (at most 600 s) until both nodes of LOG report lastApplied >= SEQUENCE.
applied_by_nodes() {
  local log=$1 sequence=$2 port applied
  for port in ${NODE_HTTP[$log]}; do
    for attempt in $(seq 12000); do
      # grep, not a python3 per poll: that would cost more than the 50 ms poll interval.
      applied=$(curl -s --max-time 5 "http://127.0.0.1:$port/health/ready" | grep -o '"lastApplied": *[0-9]*' | head -1 | grep -o '[0-9]*$' || true)
      applied=${applied:-0}
      [ "$applied" -ge "$sequence" ] && break
      [ "$attempt" -lt 12000 ] || die "$log: a node at $port applied only $applied of $sequence within 600 s"
      sleep 0.05
    done
  done
}

# measure ROUND LOG: the push of round ROUND's file to LOG's registry, then the push-to-visible rounds.
RAW="$WORK/raw.tsv"
echo -e "round\tlog\tpush_s\tpush_to_applied_s\tptv_p50_ms\tptv_p99_ms\tptv_post_p50_ms" >"$RAW"
declare -A PEER_PUSH
measure() {
  local round=$1 log=$2 start code seconds sequence applied result block=$((101 + (round - 1) * (PTV_ROUNDS + 1)))
  if [ "$log" = jetstream-peer ]; then
    read -r seconds applied <<<"${PEER_PUSH[$round]}"
    block=$((block + PEER_BLOCKS))
  else
  say "round $round, $log: POST of $PUSH_LINES lines"
  start=$(date +%s.%N)
  read -r code seconds < <(curl -s --max-time 900 -o "$WORK/push-$round-$log.json" -w '%{http_code} %{time_total}\n' \
    -H "Authorization: Bearer $ADMIN" -H 'Content-Type: text/csv' --data-binary "@$WORK/push-$round.csv" \
    "http://127.0.0.1:${REG_PORT[$log]}/v1/deltas")
  [ "$code" = 200 ] || { head -c 500 "$WORK/push-$round-$log.json" >&2; die "round $round, $log: POST answered $code"; }
  sequence=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lastSequence"])' "$WORK/push-$round-$log.json")
  applied_by_nodes "$log" "$sequence"
  applied=$(echo "$(date +%s.%N) - $start" | bc)
  if [ "$log" = jetstream ]; then
    applied_by_nodes jetstream-peer "$sequence"
    PEER_PUSH[$round]="$seconds $(echo "$(date +%s.%N) - $start" | bc)"
  fi
  fi
  say "round $round, $log: POST ${seconds} s, applied by both nodes $(printf '%.2f' "$applied") s after it started; push-to-visible"
  timeout $((120 + PTV_ROUNDS * 30)) dotnet "$BIN/helper/push-to-visible.dll" --registry "http://127.0.0.1:${REG_PORT[$log]}" \
    --admin-token "$ADMIN" ${NODE_ARGS[$log]} --rounds "$PTV_ROUNDS" --warmup 1 --lines "$PTV_LINES" \
    --first-block "$block" --samples "$WORK/ptv-$round-$log.tsv" >"$WORK/ptv-$round-$log.out" \
    || { cat "$WORK/ptv-$round-$log.out" >&2; die "round $round, $log: the push-to-visible helper failed"; }
  result=$(grep '^RESULT ' "$WORK/ptv-$round-$log.out") || die "round $round, $log: no RESULT line"
  field() { echo "$result" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
  echo -e "$round\t$log\t$seconds\t$(printf '%.3f' "$applied")\t$(field p50_ms)\t$(field p99_ms)\t$(field post_p50_ms)" >>"$RAW"
  say "round $round, $log: push-to-visible p50 $(field p50_ms) ms, p99 $(field p99_ms) ms"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order="local jetstream jetstream-peer"; else order="jetstream jetstream-peer local"; fi
  for log in $order; do measure "$round" "$log"; done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the report -------------------------------------------------------------------------------------------------
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no -- src tools bench | grep -q . && echo " (working tree with uncommitted changes under src/, tools/ or bench/)" || true)
SUMMARY=$(python3 - "$WORK" "$ROUNDS" <<'PY'
import csv, sys, statistics
work, rounds = sys.argv[1], int(sys.argv[2])
def pct(values, p):  # nearest rank, as the helper computes it
    s = sorted(values); rank = max(1, min(len(s), -(-len(s) * p // 100)))
    return s[int(rank) - 1]
raw = list(csv.DictReader(open(f"{work}/raw.tsv"), delimiter="\t"))
fig = {}
for log in ("local", "jetstream", "jetstream-peer"):
    rows = [r for r in raw if r["log"] == log]
    visible = [float(s["visible_ms"]) for r in range(1, rounds + 1)
               for s in csv.DictReader(open(f"{work}/ptv-{r}-{log}.tsv"), delimiter="\t")]
    posts = [float(s["post_ms"]) for r in range(1, rounds + 1)
             for s in csv.DictReader(open(f"{work}/ptv-{r}-{log}.tsv"), delimiter="\t")]
    fig[log] = dict(push=statistics.median(float(r["push_s"]) for r in rows),
                    applied=statistics.median(float(r["push_to_applied_s"]) for r in rows),
                    p50=pct(visible, 50), p99=pct(visible, 99), post50=pct(posts, 50), n=len(visible))
l, j, p = fig["local"], fig["jetstream"], fig["jetstream-peer"]
print("| | Local | JetStream | JetStream / Local | JetStream, the peer's nodes | peer / Local |")
print("|---|---:|---:|---:|---:|---:|")
for key, label, unit in [("push", "big push: POST until its 200 reply, median of rounds", "s"),
                         ("applied", "big push: POST until both nodes applied it, median of rounds", "s"),
                         ("p50", f"push-to-visible p50 (all {l['n']} / {j['n']} / {p['n']} measured rounds)", "ms"),
                         ("p99", "push-to-visible p99 (same rounds)", "ms"),
                         ("post50", "of which: POST until its 200 reply, p50", "ms")]:
    d = 3 if unit == 's' else 1
    print(f"| {label} ({unit}) | {l[key]:.{d}f} | {j[key]:.{d}f} | **{j[key] / l[key]:.2f}×** | {p[key]:.{d}f} | **{p[key] / l[key]:.2f}×** |")
PY
)
mkdir -p "$(dirname "$OUT")"
{
  echo "# Registry change log: Local against JetStream, side by side"
  echo
  echo "Generated by \`$COMMAND\` — do not edit by hand; run it again."
  echo
  echo "- commit: \`$COMMIT\`$DIRTY"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  if [ -n "$PUBLISHED" ]; then
    echo "- build: taken from \`$PUBLISHED\` (\`--published\`): the commit above is the script's, not necessarily the build's"
  else
    echo "- build: published by this run from the working tree at the commit above"
  fi
  echo "- machine: $(machine_summary); $(uname -sr); .NET $(dotnet --version); $(/usr/sbin/nats-server --version)"
  echo "- load average (1/5/15 min) before the rounds: $LOAD_BEFORE; after: $LOAD_AFTER (the machine is shared: other processes ran beside it)"
  echo "- setup, all on this machine and 127.0.0.1: a 3-server NATS cluster (JetStream, file store), a registry with \`Registry:Log=Local\` and one with \`Registry:Log=JetStream\` (stream replicas 3, so a push is acknowledged once 2 of the 3 servers stored it) and a second one on the same stream (the peer), two EIR nodes following each; one Release build, default settings otherwise; all 12 processes run throughout"
  echo "- measure, $ROUNDS rounds, Local first in odd rounds and JetStream first in even ones; per registry and round: (a) a $PUSH_LINES-line delta (new IMEIs, white/black/grey in turn, the same file to both) POSTed by curl (\`time_total\`), and the time from the POST until both of its nodes report lastApplied ≥ its lastSequence (polled every 50 ms); (b) \`bench/push-to-visible\`: 1 warm-up and $PTV_ROUNDS measured rounds of $PTV_LINES-line deltas, from the POST until both nodes have applied it and answer a sampled black IMEI BLACKLISTED over S13 (see \`push-to-visible.md\`); \"jetstream-peer\": right after JetStream's, pushes to the JetStream registry, watching the peer's two nodes (the big push: JetStream's, until the peer's nodes applied it)"
  echo
  echo "$SUMMARY"
  echo
  echo "Where each big push's time went inside the registry (its writer's Debug line, EventId 374, in push order; the rest of the POST is reading and parsing the body and the HTTP exchange):"
  echo
  echo '```'
  for log in local jetstream; do
    grep -o "Registry write of $PUSH_LINES change(s): .*" "$WORK/reg-$log.log" | sed "s/^/$log: /" || echo "$log: no Debug line"
  done
  echo '```'
  echo
  echo "Per round (seconds; push-to-visible in ms):"
  echo
  echo '```'
  cat "$RAW"
  echo '```'
  echo
  echo "<details><summary>push-to-visible, every measured round (ms)</summary>"
  echo
  for round in $(seq "$ROUNDS"); do
    for log in local jetstream jetstream-peer; do
      echo "round $round, $log:"
      echo '```'
      cat "$WORK/ptv-$round-$log.tsv"
      echo '```'
    done
  done
  echo
  echo "</details>"
} >"$OUT"
say "report in $OUT"
echo "$SUMMARY"
