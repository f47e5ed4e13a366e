#!/usr/bin/env bash
# Benchmark of the roster import (BENCHMARKS.md): generates a synthetic
# 500,000-row member sheet, imports it into a fresh SQLite database (dry run,
# commit, re-import), and reads the same file with pandas.read_excel for
# comparison. Time and peak memory from /usr/bin/time -v.
#
#   scripts/bench-import.sh [ROWS] [WORKDIR]
#
# Needs /usr/bin/time and python3 with pandas and openpyxl
# (pip install pandas openpyxl). Builds toso in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-500000}
WORK=${2:-$(mktemp -d /tmp/toso-bench.XXXXXX)}
mkdir -p "$WORK"
export RUST_LOG=warn

cargo build --release --quiet -p toso-cli
TOSO=${CARGO_TARGET_DIR:-target}/release/toso
FILE="$WORK/roster-$ROWS.xlsx"
DB="sqlite://$WORK/bench.db"
rm -f "$WORK"/bench.db*

measure() { # label, command…
  local label=$1; shift
  /usr/bin/time -v "$@" >"$WORK/out.txt" 2>"$WORK/time.txt" || { cat "$WORK/time.txt" >&2; exit 1; }
  local secs mem
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  mem=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$WORK/time.txt")
  printf '%-48s %8.2f s %7s MB\n' "$label" "$secs" "$mem"
  echo "$secs" >"$WORK/last.secs"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "rows: $ROWS"
measure "generate the sheet (toso sample-roster)" "$TOSO" sample-roster --rows "$ROWS" --villages 1000 --out "$FILE"
echo "file: $(du -h "$FILE" | cut -f1)"
measure "toso import --dry-run (read, parse, plan)" "$TOSO" import members "$FILE" --commune 11914 --database-url "$DB" --as-of 2025-11-30 --dry-run --show 0
toso_dry=$(cat "$WORK/last.secs")
measure "toso import (commit, one transaction)" "$TOSO" import members "$FILE" --commune 11914 --database-url "$DB" --as-of 2025-11-30 --show 0
measure "toso import again (500k unchanged rows)" "$TOSO" import members "$FILE" --commune 11914 --database-url "$DB" --as-of 2025-11-30 --show 0
grep -E "Không đổi:" "$WORK/out.txt" | head -1
measure "pandas.read_excel (openpyxl)" python3 -c "
import sys, pandas
df = pandas.read_excel(sys.argv[1], header=3)
print(len(df))
" "$FILE"
pandas_secs=$(cat "$WORK/last.secs")
awk -v t="$toso_dry" -v p="$pandas_secs" 'BEGIN { printf "pandas.read_excel / toso dry run: %.1fx\n", p / t }'
