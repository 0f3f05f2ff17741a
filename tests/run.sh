#!/usr/bin/env bash
# The test command: builds the solution and runs every test project, including the integration tests against
# real peers (Erlang/OTP diameter as the MME, tshark as an independent decoder, Kannel as the SMS gateway,
# nghttp2-client and curl as the AMF's HTTP/2 clients, nats-server as the JetStream cluster of the replicated change log,
# promtool from Debian's prometheus for the alert rules under deploy/, chromium and chromium-driver as the real
# browser of the check page's tests, driven headless through Selenium).
#
#   tests/run.sh            on Debian 12 with the .NET 10 SDK; installs the peer tools it lacks with apt-get
#
# The last line it prints is "N passed, N failed". A skipped or not executed test counts as a failure, so does a
# test project that left no result file, and so does a run in which no test ran at all.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
RESULTS=${RESULTS_DIR:-$ROOT/artifacts/test-results}
START=$(date +%s)

say() { printf 'run.sh: %s\n' "$*"; }
finish() {   # finish PASSED FAILED
  say "finished in $(( $(date +%s) - START )) s; results in $RESULTS"
  echo "$1 passed, $2 failed"
  if [ "$2" -eq 0 ] && [ "$1" -gt 0 ]; then exit 0; else exit 1; fi
}

# --- 1. peer tools (Debian packages) --------------------------------------------------------------------------
# prometheus: its promtool checks and unit-tests deploy/prometheus; systemd: systemd-analyze verifies deploy/systemd
# (both in tests/ImeiEir.Server.Tests/Deploy).
PACKAGES=(erlang-base erlang-diameter erlang-dev tshark kannel kannel-extras nghttp2-client curl nats-server prometheus systemd
  chromium chromium-driver)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    say "missing ${missing[*]} and no apt-get: install them by hand"; finish 0 1
  fi
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "missing ${missing[*]}; run as root or install sudo"; finish 0 1; }
    SUDO=(sudo)
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # dumpcap without setuid: the question would otherwise stop a non-interactive install.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | "${SUDO[@]}" debconf-set-selections
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
    || { say "apt-get update failed"; finish 0 1; }
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
    || { say "apt-get install ${missing[*]} failed"; finish 0 1; }
fi
for tool in erl escript erlc diameterc tshark dumpcap nghttp h2load curl promtool systemd-analyze dotnet; do
  command -v "$tool" >/dev/null || { say "$tool is not on PATH"; finish 0 1; }
done
# In /usr/sbin, which a non-root PATH may lack; the tests start it by that path (NatsCluster.ServerPath).
[ -x /usr/sbin/nats-server ] || { say "/usr/sbin/nats-server is missing (package nats-server)"; finish 0 1; }
# The browser tests start them by these paths (Server.Tests CheckPage/HeadlessChromium).
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { say "$tool is missing (packages chromium, chromium-driver)"; finish 0 1; }
done
# The capture test runs tshark on lo. dumpcap is installed without setuid (preseeded above), so a non-root run
# needs the capture capabilities on it; root needs nothing.
if [ "$(id -u)" -ne 0 ]; then
  DUMPCAP=$(command -v dumpcap)
  if ! getcap "$DUMPCAP" 2>/dev/null | grep -q cap_net_raw; then
    if command -v setcap >/dev/null && command -v sudo >/dev/null; then
      sudo setcap cap_net_raw,cap_net_admin+eip "$DUMPCAP" && say "gave $DUMPCAP cap_net_raw,cap_net_admin for the capture test"
    else
      say "note: not root and $DUMPCAP lacks cap_net_raw: the live capture test will fail (run as root, or setcap it)"
    fi
  fi
fi

# --- 2. build and test ----------------------------------------------------------------------------------------
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
projects=$(grep -c 'Tests\.csproj"' ImeiEir.sln)   # each must leave a TRX file
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# LogFilePrefix gives every test project its own TRX (prefix + framework + timestamp in ms); a LogFileName
# would be overwritten by each project in turn. The hang timeout bounds a stuck test host. Measurement probes
# (category Measurement) are not tests: they assert nothing and are run by hand, so they are filtered out here.
timeout --signal=TERM --kill-after=60 22m \
  dotnet test ImeiEir.sln -c Release \
    --filter "TestCategory!=Measurement" \
    --results-directory "$RESULTS" \
    --logger "trx;LogFilePrefix=imeieir" \
    --logger "console;verbosity=normal" \
    --blame-hang-timeout 10m --blame-hang-dump-type none
rc=$?
say "dotnet test exited with $rc"

# --- 3. sum the TRX files -------------------------------------------------------------------------------------
shopt -s nullglob
trx=("$RESULTS"/*.trx)
passed=0 failed=0 skipped=0
counter() { grep -o "<Counters [^>]*" "$1" | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
for f in "${trx[@]}"; do
  p=$(counter "$f" passed); total=$(counter "$f" total); executed=$(counter "$f" executed)
  fl=$(( $(counter "$f" failed) + $(counter "$f" error) + $(counter "$f" timeout) + $(counter "$f" aborted) ))
  # Ignored/skipped tests are "NotExecuted" (and inconclusive ones are neither passed nor failed).
  sk=$(( $(counter "$f" notExecuted) + $(counter "$f" inconclusive) ))
  (( total - executed > sk )) && sk=$(( total - executed ))
  say "$(basename "$f"): total=$total passed=$p failed=$fl not-run=$sk"
  passed=$((passed + p)); failed=$((failed + fl)); skipped=$((skipped + sk))
  grep -o '<UnitTestResult [^>]*outcome="NotExecuted"[^>]*' "$f" | grep -o 'testName="[^"]*"' \
    | sed 's/^/run.sh: NOT RUN /'
done

if [ "$skipped" -gt 0 ]; then
  say "$skipped test(s) skipped or not executed: counted as failed"; failed=$((failed + skipped))
fi
if [ ${#trx[@]} -lt "$projects" ]; then
  say "only ${#trx[@]} result file(s) for $projects test project(s): a test host crashed or did not start"
  failed=$((failed + projects - ${#trx[@]}))
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  say "dotnet test failed (exit $rc) without a failing test: build error or crash"; failed=1
fi
if [ $((passed + failed)) -eq 0 ]; then say "no test ran"; fi
finish "$passed" "$failed"
