#!/usr/bin/env bash
# Two builds of toso compared on the roster import and the commune report
# (BENCHMARKS.md, "Two builds compared"), in one run so both see the same
# machine: the rounds alternate which binary goes first, and each step's
# result is the median over the rounds, given with the ratio new ÷ base
# (below 1: the new build is faster).
#
#   scripts/bench-compare.sh BASE_TOSO NEW_TOSO [ROWS] [ROUNDS] [WORKDIR]
#
# Import: a synthetic member sheet of ROWS rows (default 200,000) made once
# by NEW_TOSO, then for each binary a fresh database (migrated, untimed):
# the dry run, the commit and the import again (unchanged rows); wall time
# and CPU time (user + system) from /usr/bin/time. Report: the demo commune
# loaded once by BASE_TOSO, and for each binary a copy of it, migrated by
# that binary (untimed), so both compose from the same records; then `toso
# bench report --runs 20` (compose, DOCX, PDF, XLSX; the median of its
# runs). SQLite always; PostgreSQL too when PG_URL (default
# postgres://postgres@127.0.0.1:5432/postgres) answers (PG_URL=none skips
# it), on databases created for the run and dropped.
#
# COUNT=instructions counts instead of timing: each step runs under
# valgrind's callgrind, which counts the instructions the process executes
# (every thread), the same from run to run whatever else the machine is
# doing. SQLite only (with PostgreSQL the server's work is in another
# process, not counted). The report's steps are counted from two runs of
# `toso bench report`, with --runs 1 and --runs 21: the difference is 20
# runs of each step (the start, the connection and the first runs, which
# vary by a few million instructions, cancel out); the renders are the
# inclusive count of `render_file` (callgrind_annotate), compose the rest.
# Slower (about 50 times): use fewer ROWS (20000) and one round; a second
# round shows the counts repeat.
#
# The binaries are built by the caller, e.g. for the previous commit:
#   git worktree add /tmp/toso-base HEAD~1
#   (cd /tmp/toso-base && cargo build --release -p toso-cli)
set -euo pipefail
cd "$(dirname "$0")/.."
# time_v.
. scripts/lib.sh
[ $# -ge 2 ] || { sed -n '9p' "$0" >&2; exit 2; }
BASE=$(realpath "$1")
NEW=$(realpath "$2")
ROWS=${3:-200000}
ROUNDS=${4:-3}
WORK=${5:-$(mktemp -d /tmp/toso-compare.XXXXXX)}
mkdir -p "$WORK"
export RUST_LOG=warn
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
COUNT=${COUNT:-time}
case $COUNT in
time) ;;
instructions)
  PG_URL=none
  command -v valgrind >/dev/null || apt_install valgrind
  ;;
*) die "COUNT is time or instructions, not $COUNT" ;;
esac
RESULTS="$WORK/results.tsv" # binary, backend, step, wall (or instructions), cpu
: >"$RESULTS"
: >"$WORK/log.txt"

pg=0
if [ "$PG_URL" != none ] && command -v psql >/dev/null &&
  psql "$PG_URL" -XAtqc 'SELECT 1' >/dev/null 2>&1; then
  pg=1
fi
PGDBS=()
cleanup() {
  for d in "${PGDBS[@]}"; do psql "$PG_URL" -Xqc "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# A fresh database for one binary's run on `backend`, its URL in $URL (set
# here, not printed: in a subshell the list the cleanup drops would be lost).
fresh_db() { # backend, name
  if [ "$1" = sqlite ]; then
    rm -f "$WORK/$2.db" "$WORK/$2.db-wal" "$WORK/$2.db-shm"
    URL="sqlite://$WORK/$2.db"
  else
    local d="toso_compare_$2_$$"
    psql "$PG_URL" -Xqc "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1
    psql "$PG_URL" -Xqc "CREATE DATABASE $d" >/dev/null
    PGDBS+=("$d")
    URL="${PG_URL%/*}/$d"
  fi
}

# Run one command under callgrind; its profile in $WORK/cg.out.
counted() { # command…
  valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$@" >"$WORK/out.txt" 2>"$WORK/time.txt" ||
    { cat "$WORK/out.txt" "$WORK/time.txt" >&2; exit 1; }
}

# The instructions of the profile in $WORK/cg.out: all of them, or those
# inside a function named `name` (its inclusive count).
instructions() { # [name]
  if [ $# = 0 ]; then
    awk '/^(summary|totals):/ { print $2; exit }' "$WORK/cg.out"
  else
    callgrind_annotate --inclusive=yes --threshold=100 "$WORK/cg.out" 2>/dev/null |
      awk -v f="::$1" '{ gsub(",", "", $1) } index($0, f " [") || substr($0, length($0) - length(f) + 1) == f { n += $1 } END { print n + 0 }'
  fi
}

# Time (or count) one command; append its wall and CPU seconds (or its
# instructions) to the results.
timed() { # which, backend, step, command…
  local which=$1 backend=$2 step=$3; shift 3
  if [ "$COUNT" = instructions ]; then
    counted "$@"
    printf '%s\t%s\t%s\t%s\t\n' "$which" "$backend" "$step" "$(instructions)" >>"$RESULTS"
    return
  fi
  /usr/bin/time -v "$@" >"$WORK/out.txt" 2>"$WORK/time.txt" || { cat "$WORK/out.txt" "$WORK/time.txt" >&2; exit 1; }
  local wall cpu _mem
  read -r wall cpu _mem < <(time_v "$WORK/time.txt")
  printf '%s\t%s\t%s\t%s\t%s\n' "$which" "$backend" "$step" "$wall" "$cpu" >>"$RESULTS"
}

# The binary's migrations on `url`, untimed (the builds' migrations differ):
# an export opens the store as any command does, and builds before `toso
# migrate` have it too.
migrate() { # binary, url
  "$1" export villages --commune 11914 --database-url "$2" --format csv \
    --out "$WORK/villages.csv" >>"$WORK/log.txt" 2>&1
}

import_run() { # which, binary, backend
  local which=$1 bin=$2 backend=$3 url
  fresh_db "$backend" "import_$which"
  url=$URL
  migrate "$bin" "$url"
  local args=(import members "$WORK/roster.xlsx" --commune 11914 --database-url "$url" --as-of 2025-11-30 --show 0)
  timed "$which" "$backend" "import: dry run (read, parse, plan)" "$bin" "${args[@]}" --dry-run
  timed "$which" "$backend" "import: commit" "$bin" "${args[@]}"
  timed "$which" "$backend" "import again (unchanged rows)" "$bin" "${args[@]}"
}

# The demo commune as BASE loads it, once per backend: the database the
# report runs copy.
demo_db() { # backend
  fresh_db "$1" demo
  DATABASE_URL=$URL "$BASE" demo >>"$WORK/log.txt" 2>&1
  DEMO_URL[$1]=$URL
}
declare -A DEMO_URL

report_run() { # which, binary, backend
  local which=$1 bin=$2 backend=$3 url
  fresh_db "$backend" "report_$which"
  url=$URL
  if [ "$backend" = sqlite ]; then
    local f
    for f in "" -wal; do
      [ ! -f "${DEMO_URL[sqlite]#sqlite://}$f" ] || cp "${DEMO_URL[sqlite]#sqlite://}$f" "${url#sqlite://}$f"
    done
  else
    psql "$PG_URL" -Xq -c "DROP DATABASE ${url##*/}" \
      -c "CREATE DATABASE ${url##*/} TEMPLATE ${DEMO_URL[postgres]##*/}" >/dev/null
  fi
  migrate "$bin" "$url"
  if [ "$COUNT" = instructions ]; then
    local total=() render=()
    for runs in 1 21; do
      DATABASE_URL=$url counted "$bin" bench report --runs $runs --baseline-runs 1 --work "$WORK/report-$which"
      total+=("$(instructions)")
      render+=("$(instructions render_file)")
    done
    # 20 more runs of each step in the second: the difference over 20.
    printf '%s\t%s\t%s\t%s\t\n' "$which" "$backend" "report: compose" \
      $(((total[1] - render[1] - total[0] + render[0]) / 20)) >>"$RESULTS"
    printf '%s\t%s\t%s\t%s\t\n' "$which" "$backend" "report: render DOCX + PDF + XLSX" \
      $(((render[1] - render[0]) / 20)) >>"$RESULTS"
    return
  fi
  DATABASE_URL=$url "$bin" bench report --runs 20 --baseline-runs 1 --work "$WORK/report-$which" \
    >"$WORK/report.txt" 2>>"$WORK/log.txt"
  # "| render PDF with the annex (…) | 20 | 5.03 ms | 4.70 ms | 204× |":
  # the step by its first keyword, the median in milliseconds as seconds.
  awk -F' \\| ' -v w="$which" -v b="$backend" '
    /^\| (compose|render)/ {
      step = ($1 ~ /compose/) ? "report: compose" : ($1 ~ /DOCX/) ? "report: render DOCX" : ($1 ~ /PDF/) ? "report: render PDF" : "report: render XLSX"
      sub(/ ms/, "", $3); printf "%s\t%s\t%s\t%.6f\t\n", w, b, step, $3 / 1000
    }' "$WORK/report.txt" >>"$RESULTS"
}

echo "machine: $(nproc) cores, $(uname -sr); load at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "base: $BASE ($("$BASE" --version 2>/dev/null || echo '?'))"
echo "new:  $NEW ($("$NEW" --version 2>/dev/null || echo '?'))"
echo "rows: $ROWS, rounds: $ROUNDS, PostgreSQL: $([ $pg = 1 ] && echo yes || echo no), measure: $COUNT"
"$NEW" sample-roster --rows "$ROWS" --villages 1000 --out "$WORK/roster.xlsx" >>"$WORK/log.txt" 2>&1
backends=(sqlite)
[ $pg = 1 ] && backends+=(postgres)
for backend in "${backends[@]}"; do demo_db "$backend"; done
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order=(base new); else order=(new base); fi
  for backend in "${backends[@]}"; do
    for which in "${order[@]}"; do
      bin=$BASE; [ "$which" = new ] && bin=$NEW
      import_run "$which" "$bin" "$backend"
      report_run "$which" "$bin" "$backend"
    done
  done
  echo "round $round done; load: $(cut -d' ' -f1-3 /proc/loadavg)"
done

# One row per backend and step: the medians over the rounds and the ratios.
python3 - "$RESULTS" "$COUNT" <<'EOF'
import sys, statistics
from collections import defaultdict
runs = defaultdict(list)
order = []
for line in open(sys.argv[1], encoding="utf-8"):
    which, backend, step, wall, cpu = line.rstrip("\n").split("\t")
    key = (backend, step)
    if key not in order:
        order.append(key)
    runs[(which, backend, step, "wall")].append(float(wall))
    if cpu:
        runs[(which, backend, step, "cpu")].append(float(cpu))
counting = sys.argv[2] == "instructions"
def show(s):
    if counting:
        return f"{s / 1e6:,.1f} M instr".replace(",", " ")
    return f"{s * 1000:.2f} ms" if s < 1 else f"{s:.2f} s"
print("| backend | step | base (median) | new (median) | new ÷ base | CPU base → new | CPU new ÷ base |")
print("|---|---|---:|---:|---:|---:|---:|")
for backend, step in order:
    b = statistics.median(runs[("base", backend, step, "wall")])
    n = statistics.median(runs[("new", backend, step, "wall")])
    cpu = ("", "")
    if runs.get(("base", backend, step, "cpu")):
        cb = statistics.median(runs[("base", backend, step, "cpu")])
        cn = statistics.median(runs[("new", backend, step, "cpu")])
        cpu = (f"{cb:.2f} → {cn:.2f} s", f"{cn / cb:.2f}")
    print(f"| {backend} | {step} | {show(b)} | {show(n)} | {n / b:.2f} | {cpu[0]} | {cpu[1]} |")
EOF
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg); raw results: $RESULTS"
