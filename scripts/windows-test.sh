#!/usr/bin/env bash
# The Windows build of `toso`, tested under Wine on Linux (headless: no X
# display, a throwaway WINEPREFIX under /tmp, WINEDEBUG=-all).
#
# Installs Wine (Debian's wine + wine64) when missing, cross-compiles
# toso.exe with scripts/windows-build.sh and the Linux binary (debug) with
# cargo, then checks, printing PASS or FAIL for each:
#   serve   toso.exe serve --demo answers /healthz, and the demo commune's
#           officer signs in and sees the commune's page (/communes/11914);
#   report  toso.exe demo, then toso.exe report ... --format docx,pdf writes
#           a DOCX and a PDF whose text is the Linux binary's, word for word
#           (pdftotext; the text of word/document.xml);
#   desktop toso.exe with no arguments (the double-click start), the first
#           admin's name and password on standard input, creates its
#           database in the Wine user's local application data folder,
#           answers /healthz, opens the browser and lets the admin sign in;
#           started again meanwhile, it opens the browser at the first one
#           and ends (no second server on the same database).
# Exits non-zero when a check fails. Each phase's time is printed.
# Honours CARGO_TARGET_DIR; KEEP=1 keeps the work folder and Wine prefix.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# Time of each phase, printed at the end.
declare -a TIMES=()
phase_start=$SECONDS
phase_done() {
  TIMES+=("$(printf '%-34s %4ds' "$1" $((SECONDS - phase_start)))")
  say "$1: $((SECONDS - phase_start)) s"
  phase_start=$SECONDS
}

# --- tools -------------------------------------------------------------------
# Debian's wine64 runs 64-bit programs without the i386 architecture; the
# wine package adds the `wine` launcher (which picks wine64 when there is no
# wine32, and says nothing about it under WINEDEBUG=-all).
command -v wine >/dev/null && [ -x /usr/lib/wine/wine64 ] || apt_install wine wine64
command -v curl >/dev/null || apt_install curl
command -v pdftotext >/dev/null || apt_install poppler-utils
command -v python3 >/dev/null || apt_install python3
phase_done "install tools (when missing)"

# --- builds ------------------------------------------------------------------
EXE=$(bash scripts/windows-build.sh | tail -n 1)
[ -f "$EXE" ] || die "windows-build.sh did not print the path of toso.exe"
phase_done "build toso.exe (release, mingw)"
say "cargo build --bin toso (Linux, debug)"
cargo build --bin toso
LINUX_TOSO="${CARGO_TARGET_DIR:-target}/debug/toso"
[ -x "$LINUX_TOSO" ] || die "$LINUX_TOSO is missing after cargo build"
phase_done "build toso (Linux, debug)"

# --- Wine --------------------------------------------------------------------
WORK=$(mktemp -d /tmp/toso-wintest.XXXXXX)
export WINEPREFIX="$WORK/wineprefix"
export WINEDEBUG=-all
# No Mono or Gecko installer at the prefix's creation (none is needed, and
# they would be downloaded), no desktop menu entries.
export WINEDLLOVERRIDES="mscoree,mshtml,winemenubuilder.exe="
unset DISPLAY WAYLAND_DISPLAY
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wineserver -k >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# A Windows path for a Linux one: Wine maps / to drive Z:.
winpath() { printf 'Z:%s' "${1//\//\\}"; }

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL SECONDS PID: poll URL until it answers 200, while PID lives.
wait_http() {
  local url=$1 limit=$2 pid=$3 start=$SECONDS
  while [ $((SECONDS - start)) -lt "$limit" ]; do
    curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { say "the process ended before $url answered"; return 1; }
    sleep 1
  done
  say "$url did not answer within $limit s"
  return 1
}

# stop PID: ask the program to stop, then make sure it has.
stop() {
  local pid=$1 i
  kill -INT "$pid" 2>/dev/null || return 0
  for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# sign_in BASE USER PASSWORD NEXT JAR: the login form, as a browser sends it
# (the CSRF token of its cookie in the form). Prints the HTTP status.
sign_in() {
  local base=$1 user=$2 password=$3 next=$4 jar=$5 csrf
  csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
  [ -n "$csrf" ] || { say "no CSRF token on $base/login"; return 1; }
  curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
    --data-urlencode "csrf=$csrf" --data-urlencode "login=$user" \
    --data-urlencode "password=$password" --data-urlencode "next=$next" "$base/login"
}

say "creating the Wine prefix $WINEPREFIX (Wine's first start is slow)"
timeout 300 wineboot --init >"$WORK/wineboot.log" 2>&1 || { cat "$WORK/wineboot.log" >&2; die "wineboot failed"; }
timeout 60 wineserver -w || true
# Rust's standard library (and getrandom) take random numbers from
# ProcessPrng in bcryptprimitives.dll, which every Windows 10 and later has
# but Debian 12's Wine 8.0 does not: without it toso.exe does not even start
# ("bcryptprimitives.dll not found", exit 53). Wine gets a stand-in built with
# MinGW that asks bcrypt.dll's BCryptGenRandom, the system's generator.
if [ ! -e "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
  say "this Wine has no bcryptprimitives.dll: adding a ProcessPrng stand-in"
  mkdir -p "$WORK/shim"
  cat >"$WORK/shim/bcryptprimitives.c" <<'EOF'
#include <windows.h>
#include <bcrypt.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
EOF
  printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\n    ProcessPrng\n' >"$WORK/shim/bcryptprimitives.def"
  x86_64-w64-mingw32-gcc -O2 -shared -s -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    "$WORK/shim/bcryptprimitives.c" "$WORK/shim/bcryptprimitives.def" -lbcrypt
fi
# One wineserver for the whole run: by default it exits a moment after its
# last program, and a program started in that moment fails with "wine client
# error: recvmsg: Connection reset by peer".
wineserver -p </dev/null >/dev/null 2>&1
timeout 120 wine "$EXE" --version || die "toso.exe does not start under Wine"
# The browser Wine opens for a web address (winebrowser): a stand-in that
# notes the address, so the desktop check sees the browser being opened
# without starting one on this machine.
cat >"$WORK/browser" <<EOF
#!/bin/sh
printf '%s\n' "\$1" >>"$WORK/browser.log"
EOF
chmod +x "$WORK/browser"
timeout 120 wine reg add 'HKCU\Software\Wine\WineBrowser' /v Browsers /t REG_SZ /d "$WORK/browser" /f \
  >/dev/null 2>&1 || die "could not set Wine's browser"
phase_done "Wine prefix"

RESULTS=()
passed=0
failed=0
result() {
  if [ "$2" = 0 ]; then
    RESULTS+=("PASS  $1"); passed=$((passed + 1)); printf 'PASS  %s\n' "$1"
  else
    RESULTS+=("FAIL  $1"); failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"
  fi
}

# --- 1. serve --demo ---------------------------------------------------------
check_serve() {
  local port base db log jar status pid
  port=$(free_port)
  base="http://127.0.0.1:$port"
  db="$WORK/serve.db"
  log="$WORK/serve.log"
  jar="$WORK/serve.cookies"
  say "toso.exe serve --demo on port $port"
  wine "$EXE" serve --demo --bind "127.0.0.1:$port" --database-url "sqlite://$(winpath "$db")" \
    </dev/null >"$log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_http "$base/healthz" 900 "$pid" || { tail -n 20 "$log" >&2; stop "$pid"; return 1; }
  curl -fsS "$base/healthz" && echo
  status=$(sign_in "$base" canboxa toso-demo /communes/11914 "$jar") || { stop "$pid"; return 1; }
  [ "$status" = 303 ] || { say "signing in as canboxa answered $status, not 303"; stop "$pid"; return 1; }
  curl -fsS -b "$jar" "$base/communes/11914" >"$WORK/commune.html" || { stop "$pid"; return 1; }
  stop "$pid"
  grep -q 'Cát Hải' "$WORK/commune.html" || { say "/communes/11914 does not name Cát Hải"; return 1; }
  [ -f "$db" ] || { say "no database at $db"; return 1; }
  say "/communes/11914 names Đặc khu Cát Hải; the database is $db"
}
rc=0; check_serve || rc=$?
result "serve: toso.exe serve --demo answers /healthz and shows /communes/11914 to canboxa" "$rc"
phase_done "check serve (demo load under Wine)"

# --- 2. demo + report, compared with Linux ----------------------------------
# The text of a DOCX: word/document.xml's runs, a line per paragraph.
docx_text() {
  python3 - "$1" <<'EOF'
import re, sys, zipfile, html
xml = zipfile.ZipFile(sys.argv[1]).read("word/document.xml").decode("utf-8")
for p in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p))
    print(html.unescape(text))
EOF
}

report_args=(report --commune 11914 --request 4675/SKHCN-CNTT --as-of 2025-11-30 --format docx,pdf)

check_report() {
  local win_db="$WORK/report-win.db" lin_db="$WORK/report-linux.db"
  local win_out="$WORK/out-win" lin_out="$WORK/out-linux" f name bad=0 count=0
  mkdir -p "$win_out" "$lin_out"
  say "toso.exe demo, then toso.exe ${report_args[*]}"
  timeout 900 wine "$EXE" demo --database-url "sqlite://$(winpath "$win_db")" </dev/null >"$WORK/demo-win.log" 2>&1 ||
    { tail -n 20 "$WORK/demo-win.log" >&2; return 1; }
  timeout 600 wine "$EXE" "${report_args[@]}" --database-url "sqlite://$(winpath "$win_db")" --out "$(winpath "$win_out")" \
    </dev/null >"$WORK/report-win.log" 2>&1 || { tail -n 20 "$WORK/report-win.log" >&2; return 1; }
  say "toso (Linux) demo, then toso ${report_args[*]}"
  timeout 900 "$LINUX_TOSO" demo --database-url "sqlite://$lin_db" </dev/null >"$WORK/demo-linux.log" 2>&1 ||
    { tail -n 20 "$WORK/demo-linux.log" >&2; return 1; }
  timeout 600 "$LINUX_TOSO" "${report_args[@]}" --database-url "sqlite://$lin_db" --out "$lin_out" \
    </dev/null >"$WORK/report-linux.log" 2>&1 || { tail -n 20 "$WORK/report-linux.log" >&2; return 1; }
  ls "$win_out"/*.docx "$win_out"/*.pdf >/dev/null 2>&1 || { say "toso.exe wrote no DOCX or no PDF: $(ls "$win_out")"; return 1; }
  for f in "$lin_out"/*.docx "$lin_out"/*.pdf; do
    name=$(basename "$f")
    count=$((count + 1))
    [ -f "$win_out/$name" ] || { say "toso.exe did not write $name (it wrote: $(ls "$win_out"))"; bad=1; continue; }
    case "$name" in
      *.pdf)
        pdftotext -layout "$f" "$WORK/$name.linux.txt"
        pdftotext -layout "$win_out/$name" "$WORK/$name.win.txt" ;;
      *.docx)
        docx_text "$f" >"$WORK/$name.linux.txt"
        docx_text "$win_out/$name" >"$WORK/$name.win.txt" ;;
    esac
    if diff -u "$WORK/$name.linux.txt" "$WORK/$name.win.txt" >"$WORK/$name.diff"; then
      say "$name: same text on Windows and Linux ($(wc -w <"$WORK/$name.linux.txt") words)$(
        cmp -s "$f" "$win_out/$name" && printf '; the files are identical, byte for byte')"
    else
      say "$name: the text differs:"; head -n 40 "$WORK/$name.diff" >&2; bad=1
    fi
  done
  [ "$count" -ge 2 ] || { say "the Linux binary wrote $count files"; return 1; }
  grep -q 'Cát Hải' "$WORK"/*.pdf.win.txt || { say "the PDF's text does not name Cát Hải"; bad=1; }
  return "$bad"
}
rc=0; check_report || rc=$?
result "report: toso.exe demo + report --format docx,pdf, same text as the Linux binary" "$rc"
phase_done "check report (Wine and Linux)"

# --- 3. the double-click start ----------------------------------------------
check_desktop() {
  local log="$WORK/desktop.log" admin=quantri password=mat-khau-2025 pid address db status jar="$WORK/desktop.cookies" start
  printf '%s\n%s\n' "$admin" "$password" >"$WORK/answers.txt"
  say "toso.exe with no arguments, the first admin's answers on standard input"
  wine "$EXE" <"$WORK/answers.txt" >"$log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  start=$SECONDS
  address=
  while [ $((SECONDS - start)) -lt 300 ] && [ -z "$address" ]; do
    address=$(sed -n 's#.*\(http://127\.0\.0\.1:[0-9]*/\).*#\1#p' "$log" | head -n 1)
    kill -0 "$pid" 2>/dev/null || break
    [ -n "$address" ] || sleep 1
  done
  [ -n "$address" ] || { say "toso.exe did not say where it runs:"; cat "$log" >&2; stop "$pid"; return 1; }
  wait_http "${address}healthz" 60 "$pid" || { cat "$log" >&2; stop "$pid"; return 1; }
  curl -fsS "${address}healthz" && echo
  status=$(sign_in "${address%/}" "$admin" "$password" / "$jar") || { stop "$pid"; return 1; }
  # The browser is opened in the background: give it a moment.
  for _ in $(seq 1 30); do [ -s "$WORK/browser.log" ] && break; sleep 1; done
  # Double-clicked again: no second server on the same database; the
  # browser is opened at the first one's address and the second ends.
  local second="$WORK/desktop-second.log" opened
  timeout 120 wine "$EXE" </dev/null >"$second" 2>&1 ||
    { say "the second start failed:"; cat "$second" >&2; stop "$pid"; return 1; }
  printf -- '--- the second start printed:\n' >&2; cat "$second" >&2
  grep -q "đã đang chạy trong một cửa sổ khác, tại $address" "$second" ||
    { say "the second start did not find the first"; stop "$pid"; return 1; }
  for _ in $(seq 1 30); do
    opened=$(grep -cx "$address" "$WORK/browser.log" 2>/dev/null || true)
    [ "${opened:-0}" -ge 2 ] && break; sleep 1
  done
  [ "${opened:-0}" -ge 2 ] || { say "the second start did not open the browser at $address"; stop "$pid"; return 1; }
  curl -fsS "${address}healthz" >/dev/null || { say "the first stopped answering"; stop "$pid"; return 1; }
  stop "$pid"
  printf -- '--- what toso.exe printed:\n' >&2; cat "$log" >&2; printf -- '---\n' >&2
  [ "$status" = 303 ] || { say "signing in as the new admin answered $status, not 303"; return 1; }
  db=$(ls "$WINEPREFIX"/drive_c/users/*/AppData/Local/ToSo/toso.db 2>/dev/null | head -n 1)
  [ -n "$db" ] || { say "no toso.db under the Wine user's AppData\\Local\\ToSo"; return 1; }
  say "database: $db"
  grep -q 'lần chạy đầu tiên' "$log" || { say "toso.exe did not explain the first run"; return 1; }
  grep -q 'Đã tạo tài khoản «quantri»' "$log" || { say "toso.exe did not create the admin"; return 1; }
  grep -qx "$address" "$WORK/browser.log" 2>/dev/null || { say "the browser was not opened at $address"; return 1; }
  say "the browser was opened at $address"
}
rc=0; check_desktop || rc=$?
result "desktop: toso.exe with no arguments creates AppData\\Local\\ToSo\\toso.db, its first admin, serves and opens the browser; a second start opens the first" "$rc"
phase_done "check desktop"

say "times:"
printf '  %s\n' "${TIMES[@]}" >&2
printf '%s\n' "${RESULTS[@]}"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
