#!/usr/bin/env bash
# The province's allowance month (issue 22) at city scale (Hải Phòng, 114
# communes): generates the city into an empty database DATABASE_URL (`toso
# gen --scale city --seed 1`), adds an admin with a token, serves it, and
# times GET /provinces/31/allowances?month=2026-10 through the real server
# beside GET /healthz of the same server, 7 runs each after a warm-up
# (median and minimum). Results in BENCHMARKS.md.
#   cargo build --release -p toso-cli
#   scripts/bench-province-allowances.sh sqlite:///tmp/tg/city.db
#   scripts/bench-province-allowances.sh postgres://postgres@127.0.0.1:5432/toso_gen_city
# T=path/to/toso picks the binary (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
T=${T:-${CARGO_TARGET_DIR:-target}/release/toso}
[ $# = 1 ] || { echo "usage: $0 DATABASE_URL (an empty database)" >&2; exit 2; }
DB=$1
PORT=${PORT:-18080}
$T gen --scale city --seed 1 --database-url "$DB" >/dev/null
echo toso-bench-pw | $T user --database-url "$DB" add --role admin --username admin >/dev/null
TOKEN=$($T user --database-url "$DB" token --username admin --name bench | tail -n 1)
$T serve --database-url "$DB" --bind 127.0.0.1:$PORT >/tmp/measure-serve.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
for _ in $(seq 1 60); do curl -fsS http://127.0.0.1:$PORT/healthz >/dev/null 2>&1 && break; sleep 1; done
time_of() {
  curl -fsS -o "/tmp/measure-$2.html" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1"
}
for path in "/provinces/31/allowances?month=2026-10" "/healthz"; do
  name=$(echo "$path" | tr -c 'a-z0-9' _)
  time_of "$path" "$name" >/dev/null   # warm-up
  times=$(for _ in 1 2 3 4 5 6 7; do time_of "$path" "$name"; done | sort -n)
  echo "$path: median $(echo "$times" | sed -n 4p) s, min $(echo "$times" | head -n 1) s"
done
grep -c '<tr data-commune=' /tmp/measure-_provinces_31_allowances_month_2026_10_.html | sed 's/^/communes on the page: /'
grep -o 'data-total="[a-z]*">[^<]*' /tmp/measure-_provinces_31_allowances_month_2026_10_.html
