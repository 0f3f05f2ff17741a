#!/bin/sh
# OTP diameter S13 client. Debian 12: apt-get install -y erlang-base erlang-diameter erlang-dev (tests/run.sh does it).
#   PORT=3868 CASES=cases.txt N=1000 CONC=10 IMEIS=imeis.txt HOLD_MS=0 sh run_erl_s13.sh
# The dictionary is compiled into W (default: a fresh temporary directory, removed afterwards); a W that already
# holds s13_dict.beam is reused, so a test run can compile once. Every other variable is documented in the escript.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "$W" ]; then W=$(mktemp -d "${TMPDIR:-/tmp}/erl-s13.XXXXXX"); trap 'rm -rf "$W"' EXIT; fi
mkdir -p "$W"
if [ ! -f "$W/s13_dict.beam" ]; then
  diameterc -o "$W" "$HERE/s13.dia"        # -> s13_dict.erl/.hrl
  erlc -o "$W" "$W/s13_dict.erl"           # needs erlang-dev (diameter/include/*.hrl)
fi
if [ "${COMPILE_ONLY:-0}" = 1 ]; then echo "s13_dict compiled in $W"; exit 0; fi
set +e
escript "$HERE/s13_client.escript" "$W"
