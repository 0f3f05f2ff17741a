# bench/lib.sh: what the bench scripts share. Source it after setting BENCH (the script's name, for messages):
#
#   BENCH=sync-rates; . "$(dirname "$0")/lib.sh"
#
# It makes the scratch directory $WORK (removed on exit, with every process in PIDS stopped first: SIGTERM, up to
# 60 s to exit, then SIGKILL, and every worktree made by checkout), and defines say, die, token, endpoint, publish,
# checkout, almaty_today and machine_summary.

say() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "$BENCH" "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

WORK=$(mktemp -d "/tmp/imeieir-$BENCH.XXXXXX")
PIDS=()
bench_cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if declare -F bench_extra_cleanup >/dev/null; then bench_extra_cleanup; fi
  for tree in "$WORK"/src-*; do [ -d "$tree" ] && git -C "$tree" worktree remove --force "$tree" 2>/dev/null; done
  rm -rf "$WORK"
}
trap bench_cleanup EXIT

# token: 32 random URL-safe characters (an admin or reader token for a run).
token() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-32; }

# endpoint LOG NAME: the port of NAME (diameter, http, registry) in a server's "ImeiEir listening:" line.
endpoint() { grep -o "$2=127\.0\.0\.1:[0-9]*" "$1" | head -1 | cut -d: -f2; }

# publish DESTINATION PROJECT: a Release build of PROJECT (a path) into DESTINATION, so sources edited meanwhile do
# not change what is measured.
publish() { timeout 900 dotnet publish "$2" -c Release -o "$1" -v q -nologo >/dev/null || die "publish $2"; }

# checkout REV: prints the path of a worktree of REV under $WORK (made once per commit, removed on exit), to publish
# another commit's projects from. Run from the repository the script belongs to.
checkout() {
  local repo rev tree
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  rev=$(git -C "$repo" rev-parse --short "$1") || die "no commit $1"
  tree="$WORK/src-$rev"
  [ -d "$tree" ] || git -C "$repo" worktree add -q --detach "$tree" "$rev" >&2 || die "cannot check out $rev"
  echo "$tree"
}

# almaty_today: the date in Asia/Almaty (UTC+05:00), the day `eirctl gen` dates its grey deadlines from now, for
# eirload's --lists-date.
almaty_today() { date -u -d "+5 hours" +%F; }

# machine_summary: "N cores, CPU model, X GiB RAM", for a report's machine line.
machine_summary() {
  echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
}
