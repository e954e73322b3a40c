#!/usr/bin/env bash
# The deadline-day load test against a running portal, bounded in time.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_load \
#   BASE=http://127.0.0.1:8080 bench/load/run.sh 50 10 120s
#
# Arguments: operators, analysts, measured duration (s, m or h; default 120s).
# The users log in first at SPAWN_RATE a second (default 2: a login hashes the
# password, about 0.6 s of CPU); the duration is measured from SETTLE seconds
# (default 10) after the last login, and locust stops at its end. Writes into OUT (default
# bench/load/out/run-<time>-<operators>x<analysts>): locust's CSV stats, the
# request and save logs, cpu.json, verify.json and summary.json; prints p95
# per kind, throughput, 5xx, lost saves and the CPU of each process group.
#
# DATABASE_URL is the portal's database: verify_saves.py looks for every
# acknowledged save there. LOAD_DATA is where make_region.py wrote users.csv
# and region.json (default bench/load/out). Only loopback addresses are
# accepted as BASE.
set -euo pipefail

OPERATORS=${1:-50}
ANALYSTS=${2:-10}
DURATION=${3:-120s}
BASE=${BASE:-http://127.0.0.1:8080}
SPAWN_RATE=${SPAWN_RATE:-2}
SETTLE=${SETTLE:-10}

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
LOCUST=${LOCUST:-$ROOT/.venv/bin/locust}
DATA=${LOAD_DATA:-$HERE/out}
OUT=${OUT:-$DATA/run-$(date +%Y%m%d-%H%M%S)-${OPERATORS}x${ANALYSTS}}

die() { echo "run.sh: $*" >&2; exit 2; }

[[ $OPERATORS =~ ^[0-9]+$ && $ANALYSTS =~ ^[0-9]+$ ]] || die "operators and analysts are numbers"
case $DURATION in
  *h) SECONDS_MEASURED=$(( ${DURATION%h} * 3600 )) ;;
  *m) SECONDS_MEASURED=$(( ${DURATION%m} * 60 )) ;;
  *s) SECONDS_MEASURED=${DURATION%s} ;;
  *) SECONDS_MEASURED=$DURATION ;;
esac
[[ $SECONDS_MEASURED =~ ^[0-9]+$ && $SECONDS_MEASURED -gt 0 && $SECONDS_MEASURED -le 3600 ]] \
  || die "duration must be 1 s to 1 h, e.g. 120s"

HOST=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).hostname or "")' "$BASE")
case $HOST in
  localhost|::1|127.*) ;;
  *) die "BASE must be a loopback address (127.x, localhost, ::1), not '$HOST'" ;;
esac
[[ -n ${DATABASE_URL:-} ]] || die "set DATABASE_URL to the portal's database (verify_saves.py reads it)"
[[ -f $DATA/users.csv && -f $DATA/region.json ]] \
  || die "no $DATA/users.csv: run bench/load/make_region.py first"
SCHOOLS=$(grep -c ',operator,' "$DATA/users.csv" || true)
(( OPERATORS <= SCHOOLS )) || die "$OPERATORS operators for $SCHOOLS schools: one operator a school"
curl -fsS -o /dev/null --max-time 10 "$BASE/accounts/login/" || die "$BASE does not answer"

USERS=$(( OPERATORS + ANALYSTS ))
RAMP=$(( (USERS + SPAWN_RATE - 1) / SPAWN_RATE ))
# Logins queue behind each other on a busy server: allow five times the
# spawning time (and a minute) for all of them before the window opens.
RAMP_BUDGET=${RAMP_BUDGET:-$(( RAMP * 5 + 60 ))}
TOTAL=$(( RAMP_BUDGET + SETTLE + SECONDS_MEASURED ))
mkdir -p "$OUT"
echo "run.sh: $OPERATORS operators + $ANALYSTS analysts against $BASE: logins over" \
  "${RAMP} s or more, ${SECONDS_MEASURED} s measured from ${SETTLE} s after the last;" \
  "at most ${TOTAL} s; results in $OUT"

timeout $(( TOTAL + 30 )) "$PY" "$HERE/cpu_sample.py" "$SECONDS_MEASURED" "$OUT/cpu.json" \
  --window "$OUT/window.json" --at-most-after $(( RAMP_BUDGET + SETTLE )) > /dev/null 2>&1 &
SAMPLER=$!

status=0
LOAD_USERS=$DATA/users.csv LOAD_REGION=$DATA/region.json LOAD_OUT=$OUT \
LOAD_OPERATORS=$OPERATORS LOAD_ANALYSTS=$ANALYSTS \
LOAD_SETTLE=$SETTLE LOAD_MEASURE=$SECONDS_MEASURED \
  timeout --signal=INT --kill-after=30 $(( TOTAL + 60 )) \
  "$LOCUST" -f "$HERE/locustfile.py" --headless -u "$USERS" -r "$SPAWN_RATE" \
  -t "${TOTAL}s" --stop-timeout 5 --host "$BASE" --csv "$OUT/locust" --only-summary \
  > "$OUT/locust.log" 2>&1 || status=$?
# locust exits 1 when any request failed; the summary below says which.
if (( status > 1 )); then
  tail -20 "$OUT/locust.log" >&2
  die "locust stopped with $status"
fi
wait "$SAMPLER" || true

"$PY" "$HERE/verify_saves.py" "$OUT" > /dev/null || echo "run.sh: SAVES LOST, see $OUT/verify.json" >&2
[[ -f $OUT/window.json ]] || echo "run.sh: not every user logged in within ${RAMP_BUDGET} s;" \
  "measured from $(( RAMP_BUDGET + SETTLE )) s on" >&2
"$PY" "$HERE/report.py" "$OUT" --warmup "$(( RAMP_BUDGET + SETTLE ))" | head -n -1
echo "run.sh: summary in $OUT/summary.json"
