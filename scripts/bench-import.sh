#!/usr/bin/env bash
# Benchmark of the roster import and the list export (BENCHMARKS.md):
# generates a synthetic 500,000-row member sheet, imports it into a fresh
# SQLite database (dry run, commit, re-import), exports the members list to
# XLSX and CSV, and does the same with pandas on the same data for
# comparison (read_excel; DataFrame.to_excel with openpyxl and to_csv).
# With PostgreSQL reachable (PG_URL, default postgres://postgres@127.0.0.1:5432/postgres)
# the import and export are repeated on a fresh database created for the run
# and dropped afterwards. Time and peak memory from /usr/bin/time -v.
#
#   scripts/bench-import.sh [ROWS] [WORKDIR]
#
# Environment: TOSO=path/to/toso (default: build in release mode),
# PG_URL=postgres://… (PG_URL=none skips PostgreSQL), PANDAS=0 skips pandas.
# Needs /usr/bin/time and python3 with pandas and openpyxl
# (pip install pandas openpyxl), and psql for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
# time_v.
. scripts/lib.sh
ROWS=${1:-500000}
WORK=${2:-$(mktemp -d /tmp/toso-bench.XXXXXX)}
mkdir -p "$WORK"
export RUST_LOG=warn
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PANDAS=${PANDAS:-1}

if [ -z "${TOSO:-}" ]; then
  cargo build --release --quiet -p toso-cli
  TOSO=${CARGO_TARGET_DIR:-target}/release/toso
fi
FILE="$WORK/roster-$ROWS.xlsx"
DB="sqlite://$WORK/bench.db"
rm -f "$WORK"/bench.db*

measure() { # label, command…
  local label=$1; shift
  /usr/bin/time -v "$@" >"$WORK/out.txt" 2>"$WORK/time.txt" || { cat "$WORK/time.txt" >&2; exit 1; }
  # CPU time (user + system): less sensitive than wall time to other
  # processes sharing the cores.
  local secs cpu mem
  read -r secs cpu mem < <(time_v "$WORK/time.txt")
  printf '%-52s %8.2f s %7s MB  cpu %6.2f s' "$label" "$secs" "$mem" "$cpu"
  if [ -n "${RATE_ROWS:-}" ]; then
    awk -v n="$RATE_ROWS" -v t="$secs" 'BEGIN { printf " %10.0f rows/s", n / t }'
  fi
  printf '\n'
  echo "$secs" >"$WORK/last.secs"
}

import_all() { # backend label, database URL
  local b=$1 url=$2
  measure "[$b] toso import --dry-run (read, parse, plan)" "$TOSO" import members "$FILE" --commune 11914 --database-url "$url" --as-of 2025-11-30 --dry-run --show 0
  cp "$WORK/last.secs" "$WORK/dry-$b.secs"
  measure "[$b] toso import (commit, one transaction)" "$TOSO" import members "$FILE" --commune 11914 --database-url "$url" --as-of 2025-11-30 --show 0
  grep -E "Thêm mới:" "$WORK/out.txt" | head -1
  measure "[$b] toso import again (unchanged rows)" "$TOSO" import members "$FILE" --commune 11914 --database-url "$url" --as-of 2025-11-30 --show 0
  grep -E "Không đổi:" "$WORK/out.txt" | head -1
  RATE_ROWS=$ROWS measure "[$b] toso export members --format xlsx" "$TOSO" export members --commune 11914 --database-url "$url" --as-of 2025-11-30 --format xlsx --out "$WORK/export-$b.xlsx"
  RATE_ROWS=$ROWS measure "[$b] toso export members --format csv" "$TOSO" export members --commune 11914 --database-url "$url" --as-of 2025-11-30 --format csv --out "$WORK/export-$b.csv"
  echo "files: $(du -h "$WORK/export-$b.xlsx" | cut -f1) XLSX, $(du -h "$WORK/export-$b.csv" | cut -f1) CSV"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), $(uname -sr); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rows: $ROWS"
measure "generate the sheet (toso sample-roster)" "$TOSO" sample-roster --rows "$ROWS" --villages 1000 --out "$FILE"
echo "file: $(du -h "$FILE" | cut -f1)"
import_all sqlite "$DB"
echo "database: $(du -ch "$WORK"/bench.db* | tail -1 | cut -f1)"

if [ "$PG_URL" != none ] && command -v psql >/dev/null && psql "$PG_URL" -Atc 'SELECT 1' >/dev/null 2>&1; then
  PGDB="toso_bench_import_$$"
  psql "$PG_URL" -qc "CREATE DATABASE $PGDB" >/dev/null
  trap 'psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true' EXIT
  import_all postgres "${PG_URL%/*}/$PGDB"
  echo "database: $(psql "${PG_URL%/*}/$PGDB" -Atc 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
else
  echo "PostgreSQL: not reachable at $PG_URL, skipped"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$PANDAS" != 0 ]; then
  measure "pandas.read_excel (openpyxl)" python3 -c "
import sys, pandas
df = pandas.read_excel(sys.argv[1], header=3)
print(len(df))
" "$FILE"
  awk -v t="$(cat "$WORK/dry-sqlite.secs")" -v p="$(cat "$WORK/last.secs")" \
    'BEGIN { printf "pandas.read_excel / toso dry run (SQLite): %.1fx\n", p / t }'
  # The export baseline: the same members list (read from toso's CSV, not
  # timed) written by DataFrame.to_excel (openpyxl) and to_csv; the script
  # times the write itself, /usr/bin/time the process (its peak memory holds
  # the DataFrame, as an export from pandas must).
  for fmt in xlsx csv; do
    RATE_ROWS=$ROWS measure "pandas DataFrame.to_$([ $fmt = xlsx ] && echo excel || echo csv) (process)" python3 -c "
import sys, time, pandas
df = pandas.read_csv(sys.argv[1], dtype=str, encoding='utf-8-sig')
t = time.perf_counter()
if sys.argv[2] == 'xlsx':
    df.to_excel(sys.argv[3], index=False, startrow=3, engine='openpyxl')
else:
    df.to_csv(sys.argv[3], index=False, encoding='utf-8-sig')
print(f'write only: {time.perf_counter() - t:.2f} s, {len(df) / (time.perf_counter() - t):.0f} rows/s')
" "$WORK/export-sqlite.csv" "$fmt" "$WORK/pandas.$fmt"
    cat "$WORK/out.txt"
  done
fi
