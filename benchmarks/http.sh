#!/usr/bin/env bash
# Throughput of /search against a static file: gunicorn (2 workers) and wrk, 10 s each: one repeated
# query with filters, and a mix of 200 different queries (benchmarks/search-mix.lua). Issue 15's targets:
# ratios to the static file >= 0.25 (repeated) and >= 0.15 (mix). The machine's cores are shared: repeat
# the run and compare ratios, not single rates.
#
#   benchmarks/http.sh [DATA_DIR] [PORT]
#
# DATA_DIR is a folder prepared by `benchmarks/search.py --items N` (default /tmp/portal-bench-20000).
# Load goes to 127.0.0.1 only and stops by itself; the server is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-/tmp/portal-bench-20000}
PORT=${2:-5101}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -f "$DATA/portal.sqlite" ] || { echo "$DATA has no catalogue: run benchmarks/search.py first" >&2; exit 1; }

export PORTAL_DATABASE_URL="sqlite:///$DATA/portal.sqlite"
export PORTAL_SEARCH_INDEX_DIR="$DATA/index"
export PORTAL_UPLOAD_DIR="$DATA/uploads"
export PORTAL_SECRET_KEY=benchmark
export PORTAL_RATELIMIT_ENABLED=false

.venv/bin/gunicorn --no-control-socket --workers 2 --bind "127.0.0.1:$PORT" --pid "$DATA/gunicorn.pid" \
  --error-logfile "$DATA/gunicorn.log" wsgi:app &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/favicon.ico" >/dev/null && break
  sleep 0.2
done

SEARCH="/search?q=food+waste&programme=sfs&programme=spp&sdg=2&status=core&status=affiliated"
STATIC="/static/css/portal.css"
# Warm every worker's caches (index columns, query sets) before measuring.
for _ in $(seq 1 20); do curl -sf "http://127.0.0.1:$PORT$SEARCH" >/dev/null; done

rate() { wrk -t2 -c8 -d"$DURATION" "$@" | tee /dev/stderr | awk '/Requests\/sec/ {print $2}'; }
echo "== $SEARCH"
search_rate=$(rate "http://127.0.0.1:$PORT$SEARCH")
echo "== a mix of 200 different queries"
mix_rate=$(rate -s benchmarks/search-mix.lua "http://127.0.0.1:$PORT")
echo "== $STATIC"
static_rate=$(rate "http://127.0.0.1:$PORT$STATIC")

echo
echo "search with filters, repeated: $search_rate requests/s"
echo "mix of 200 queries:            $mix_rate requests/s"
echo "static file:                   $static_rate requests/s"
awk -v s="$search_rate" -v m="$mix_rate" -v f="$static_rate" \
  'BEGIN { printf "ratio repeated/static: %.3f (target 0.25)\nratio mix/static:      %.3f (target 0.15)\n", s / f, m / f }'
for pid in $(pgrep -P "$SERVER"); do
  echo "worker $pid peak resident memory: $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status")"
done
