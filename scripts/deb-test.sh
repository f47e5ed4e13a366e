#!/usr/bin/env bash
# Test the Debian package of Tổ Số (scripts/deb.sh) in a throwaway root: a
# minimal Debian bookworm (debootstrap --variant=minbase, cached as a tarball
# under ${XDG_CACHE_HOME:-$HOME/.cache}/toso/) entered with chroot.
#
# Install v1, start the server the way toso.service does (ExecStart, User,
# Environment... read from the installed unit, so a wrong unit fails here),
# create the admin, sign in over HTTP, load the demo, upgrade to v2 (v1 is
# the package of an earlier revision, DEB_TEST_FROM: its own binary and
# scripts; v2 this tree's), check the migrations ran once and the data is
# intact, run toso-backup.service's command and restore its file, then remove,
# purge, and reinstall over the kept data. systemd does not run in a chroot:
# the maintainer scripts take their no-systemd branch, and the units are
# checked with `systemd-analyze verify` on the host. The last step installs
# and upgrades the same two packages in a virtual machine whose PID 1 is
# systemd (scripts/deb-boot-test.sh).
#
# Prints PASS/FAIL/SKIP per step with its time, then "N passed, N failed,
# N skipped"; exits non-zero at the first failure. Run as root (chroot, mount).
#
#   scripts/deb-test.sh
#   DEB_TEST_SPEC=0      skip the steps that need issue #24's interface
#                        (/etc/toso/toso.toml read by the binary, toso config,
#                        toso migrate, /readyz, toso backup's rotating set);
#                        the package's postinst then gets TOSO_SKIP_MIGRATE=1
#                        and the server --bind and DATABASE_URL
#   DEB_TEST_NO_BUILD=1  package the release binary already built
#   DEB_TEST_FROM=REV    the earlier revision to upgrade from (default below;
#                        its binary is cached in ~/.cache/toso/toso-REV)
#   DEB_TEST_KEEP=1      keep the work directory (the root, logs) at the end
#                        (it is kept after a failure unless DEB_TEST_KEEP=0)
#   DEB_TEST_ONLY_ROOT=1 only make (or unpack) the cached root
#   DEB_TEST_REFRESH=1   make the cached root anew (debootstrap)
#   DEB_TEST_MIRROR=URL  Debian mirror (default http://deb.debian.org/debian)
#   DEB_TEST_NO_ADDUSER=1  remove adduser from the root first (bookworm's
#                        minbase has it): the scripts' useradd/userdel branch
#   DEB_TEST_BOOT=0      skip the last step: the same packages in a virtual
#                        machine with a booted systemd (scripts/deb-boot-test.sh)
#
# Needs: debootstrap (installed with apt when missing), curl, dpkg-deb; the
# migrations check reads the database with the host's sqlite3 when present.
# shellcheck disable=SC2016 # dpkg-query formats and sh -c scripts are quoted on purpose
set -euo pipefail
cd "$(dirname "$0")/.."

SPEC="${DEB_TEST_SPEC:-1}"
# The revision whose package is installed first and upgraded from (the last
# stop's head when this was written; any revision with scripts/deb.sh).
FROM="${DEB_TEST_FROM:-1899651}"
SUITE=bookworm
MIRROR="${DEB_TEST_MIRROR:-http://deb.debian.org/debian}"
CACHE="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/toso"
TARBALL="$CACHE/debian-$SUITE-minbase-amd64.tar.gz"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
PASSWORD='mat-khau-Quan-tri-1'
# Not "admin": `toso demo` creates an account of that name and refuses to
# load when the name is taken.
ADMIN=quantri
COMMUNE=11914
AS_OF=2025-11-30
CHROOT_PATH=/usr/sbin:/usr/bin:/sbin:/bin

[ "$(id -u)" = 0 ] || { echo "ERROR: run as root (chroot, mount)" >&2; exit 1; }
command -v curl >/dev/null || { echo "ERROR: curl is missing" >&2; exit 1; }

WORK=$(mktemp -d /tmp/toso-deb-test.XXXXXX)
ROOT="$WORK/root"
JAR="$WORK/cookies.txt"
SERVER_PID=""
MOUNTS=()

# ---- steps: PASS/FAIL/SKIP with their times -------------------------------

STEP=""
STEP_T0=0
PASSED=0
SKIPPED=0
SUMMARY=()
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf '   %s\n' "$*"; }
begin() {
  STEP=$1
  STEP_T0=$(now)
  printf '\n== %s\n' "$STEP"
}
pass() {
  local t
  t=$(elapsed "$STEP_T0")
  printf 'PASS %s (%s s)\n' "$STEP" "$t"
  SUMMARY+=("PASS  $(printf '%6s' "$t") s  $STEP")
  PASSED=$((PASSED + 1))
  STEP=""
}
skip() {
  printf 'SKIP %s: %s\n' "$1" "$2"
  SUMMARY+=("SKIP           $1 ($2)")
  SKIPPED=$((SKIPPED + 1))
}
# A check: `expect DESCRIPTION COMMAND...` fails the step when COMMAND fails.
expect() {
  local what=$1
  shift
  if "$@"; then
    say "ok: $what"
  else
    say "NOT OK: $what"
    return 1
  fi
}
spec() { [ "$SPEC" = 1 ]; }

# ---- the root and the processes in it ---------------------------------------

in_root() {
  chroot "$ROOT" /usr/bin/env -i PATH="$CHROOT_PATH" LANG=C.UTF-8 HOME=/root "$@"
}
# Without the #24 interface the binary does not read /etc/toso/toso.toml:
# name the database the file names.
DB_ENV=()
spec || DB_ENV=(DATABASE_URL=sqlite:///var/lib/toso/toso.db)
# A toso command as the user toso, as an administrator runs it.
as_toso() {
  in_root "${DB_ENV[@]}" runuser -u toso -- /usr/bin/toso "$@"
}
dpkg_in_root() {
  local env=(DEBIAN_FRONTEND=noninteractive)
  spec || env+=(TOSO_SKIP_MIGRATE=1)
  in_root "${env[@]}" dpkg "$@"
}

mount_root() {
  mount -t proc proc "$ROOT/proc"
  MOUNTS+=("$ROOT/proc")
  mount -t sysfs sysfs "$ROOT/sys"
  MOUNTS+=("$ROOT/sys")
  mount --bind /dev "$ROOT/dev"
  MOUNTS+=("$ROOT/dev")
  if mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts" 2>/dev/null; then
    MOUNTS+=("$ROOT/dev/pts")
  fi
  # Name resolution is not needed (everything is local), but keep apt sane.
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  local rc=$?
  stop_server
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null ||
      echo "WARNING: could not unmount ${MOUNTS[i]}" >&2
  done
  if [ -n "$STEP" ]; then
    printf 'FAIL %s (%s s)\n' "$STEP" "$(elapsed "$STEP_T0")"
    SUMMARY+=("FAIL  $(printf '%6s' "$(elapsed "$STEP_T0")") s  $STEP")
    [ -f "$WORK/server.log" ] && { echo "-- last lines of the server's log:"; tail -n 20 "$WORK/server.log"; }
  fi
  printf '\n== summary (DEB_TEST_SPEC=%s, work directory %s)\n' "$SPEC" "$WORK"
  local line
  for line in "${SUMMARY[@]}"; do printf '%s\n' "$line"; done
  local failed=0
  [ "$rc" = 0 ] || failed=1
  if [ "${DEB_TEST_KEEP:-0}" = 1 ] || [ "$rc" != 0 ] && [ "${DEB_TEST_KEEP:-}" != 0 ]; then
    echo "kept: $WORK"
  elif ! grep -q " $WORK/" /proc/mounts; then
    # --one-file-system: never into a mount left behind (the host's /dev).
    rm -rf --one-file-system "$WORK"
  else
    echo "WARNING: something is still mounted under $WORK: not deleted" >&2
  fi
  printf '%s passed, %s failed, %s skipped\n' "$PASSED" "$failed" "$SKIPPED"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The values of KEY= in a unit file (the last one wins for single values).
unit_values() { sed -n "s/^$2=//p" "$1"; }
unit_value() { unit_values "$1" "$2" | tail -n 1; }

# Start the unit's command in the root as systemd would: its User and Group,
# a clean environment with its Environment=, its WorkingDirectory and UMask.
# setpriv (not runuser) switches the user: it execs, so $SERVER_PID is the
# server and SIGTERM reaches it as from systemd; runuser would stay as the
# parent and SIGKILL the server 2 s after passing SIGTERM on.
# Extra arguments are KEY=VALUE environment, then `--` and extra arguments.
run_unit() {
  local unit="$ROOT/lib/systemd/system/$1" background=$2
  shift 2
  local exec_start user group wd umask_ state
  exec_start=$(unit_value "$unit" ExecStart)
  exec_start=${exec_start#[-@+!]}
  user=$(unit_value "$unit" User)
  group=$(unit_value "$unit" Group)
  wd=$(unit_value "$unit" WorkingDirectory)
  umask_=$(unit_value "$unit" UMask)
  state=$(unit_value "$unit" StateDirectory)
  local -a env argv extra_env=() extra_args=()
  # Environment= values here are plain KEY=VALUE words (no quoting).
  read -r -a env <<<"$(unit_values "$unit" Environment | tr '\n' ' ')"
  read -r -a argv <<<"$exec_start"
  while [ $# -gt 0 ] && [ "$1" != -- ]; do extra_env+=("$1"); shift; done
  [ $# -gt 0 ] && shift && extra_args=("$@")
  if [ -z "$exec_start" ] || [ -z "$user" ]; then
    say "no ExecStart or User in $unit"
    return 1
  fi
  if [ -n "$state" ]; then
    # systemd makes the StateDirectory, owned by User, before the start.
    [ "$(owner "/var/lib/$state")" = "$user" ] ||
      { say "/var/lib/$state is not owned by $user"; return 1; }
  fi
  say "as $user:${group:-$user} in ${wd:-/}: env ${env[*]} ${extra_env[*]} ${argv[*]} ${extra_args[*]}"
  local home
  home=$(in_root getent passwd "$user" | cut -d: -f6)
  local -a cmd=(chroot "$ROOT" /usr/bin/env -i PATH="$CHROOT_PATH" LANG=C.UTF-8
    HOME="$home" USER="$user" LOGNAME="$user" "${env[@]}" "${extra_env[@]}" /bin/sh -c
    'cd "$1" && umask "$2" && shift 2 && exec "$@"' sh "${wd:-/}" "${umask_:-0022}"
    setpriv --reuid="$user" --regid="${group:-$user}" --init-groups --
    "${argv[@]}" "${extra_args[@]}")
  if [ "$background" = bg ]; then
    "${cmd[@]}" >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
  else
    "${cmd[@]}"
  fi
}

http_code() { curl -sS --noproxy '*' -o /dev/null -w '%{http_code}' "$@"; }
url() { printf 'http://127.0.0.1:%s%s' "$PORT" "$1"; }

# Start toso.service's command and wait until it answers.
start_server() {
  : >"$WORK/server.log"
  local args=()
  spec || args=(-- --bind "127.0.0.1:$PORT")
  run_unit toso.service bg "${DB_ENV[@]}" "${args[@]}"
  local i t0
  t0=$(now)
  for i in $(seq 1 600); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      say "the server exited:"
      cat "$WORK/server.log"
      SERVER_PID=""
      return 1
    fi
    [ "$(http_code "$(url /healthz)" 2>/dev/null)" = 200 ] && break
    sleep 0.2
  done
  expect "/healthz answers 200 (after $(elapsed "$t0") s)" [ "$(http_code "$(url /healthz)")" = 200 ]
  expect "plain log lines for the journal (no colour codes)" no_ansi "$WORK/server.log"
  if spec; then
    expect "/readyz answers 200" [ "$(http_code "$(url /readyz)")" = 200 ]
    expect "/livez answers 200" [ "$(http_code "$(url /livez)")" = 200 ]
  fi
}

# SIGTERM, as systemctl stop does; the server must exit 0 within
# TimeoutStopSec.
graceful_stop() {
  local timeout rc=0 i
  timeout=$(unit_value "$ROOT/lib/systemd/system/toso.service" TimeoutStopSec)
  timeout=${timeout%s}
  kill -TERM "$SERVER_PID"
  for i in $(seq 1 $((${timeout:-90} * 10))); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    say "still running ${timeout:-90} s after SIGTERM"
    return 1
  fi
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  expect "the server exited with status 0 after SIGTERM (status $rc)" [ "$rc" = 0 ]
}

free_port() {
  local p
  for p in $(seq 18080 18180); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

matches() { [[ $1 =~ $2 ]]; }
no_ansi() { [ -s "$1" ] && ! grep -q $'\e\\[' "$1"; }
# Owners as the root's users and groups name them (not the host's).
owner_mode() { in_root stat -c '%U:%G %a' "$1"; }
owner() { in_root stat -c '%U' "$1" 2>/dev/null; }
user_exists() { in_root getent passwd toso >/dev/null; }
group_exists() { in_root getent group toso >/dev/null; }
in_root_file() { [ -e "$ROOT$1" ]; }
no_file() { [ ! -e "$ROOT$1" ]; }
indicators() {
  as_toso indicators --commune "$COMMUNE" --as-of "$AS_OF" "$@"
}

# ---- the root ---------------------------------------------------------------

begin "root: minimal Debian $SUITE"
mkdir -p "$CACHE" "$ROOT"
if [ "${DEB_TEST_REFRESH:-0}" = 1 ] || [ ! -s "$TARBALL" ]; then
  say "cold: debootstrap --variant=minbase $SUITE from $MIRROR (cached in $TARBALL)"
  if ! command -v debootstrap >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  fresh="$WORK/bootstrap"
  debootstrap --variant=minbase "$SUITE" "$fresh" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log"; exit 1; }
  chroot "$fresh" apt-get clean
  tar -C "$fresh" --numeric-owner -czf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf --one-file-system "$fresh"
  say "cached: $(du -h "$TARBALL" | cut -f1)"
else
  say "warm: unpacking $TARBALL"
fi
tar -C "$ROOT" --numeric-owner -xzf "$TARBALL"
mount_root
if [ "${DEB_TEST_NO_ADDUSER:-0}" = 1 ]; then
  # The other branch of the maintainer scripts: useradd/userdel (passwd).
  in_root dpkg --purge --force-depends adduser >/dev/null 2>&1
fi
say "adduser in the root: $(in_root sh -c 'command -v adduser || echo "absent (postinst uses useradd)"')"
pass
[ "${DEB_TEST_ONLY_ROOT:-0}" = 1 ] && exit 0

# ---- the packages -----------------------------------------------------------

begin "build: v2 = this tree's package; v1 = an earlier revision's ($FROM)"
V2=$(awk '/^\[/ { s = $0 } s == "[workspace.package]" && $1 == "version" { gsub(/[" ]/, "", $3); print $3; exit }' Cargo.toml)
no_build=0
[ "${DEB_TEST_NO_BUILD:-0}" = 1 ] && no_build=1
# gzip: dpkg-deb's default xz takes a minute per package on 2 cores.
export DEB_COMPRESS="${DEB_COMPRESS:-gzip}"
DEB2=$(DEB_VERSION="$V2" DEB_NO_BUILD=$no_build bash scripts/deb.sh 2>"$WORK/deb-v2.log" | tail -n 1) ||
  { cat "$WORK/deb-v2.log"; exit 1; }
# v1: the package an earlier revision made of itself: its binary, units,
# configuration and maintainer scripts (its scripts/deb.sh, from its tree),
# so that the upgrade runs an older release's prerm and data through this
# one's. Its binary is built once per machine (cached under ~/.cache/toso/),
# in a target directory of its own (~/.cache/toso/v1-target): in the shared
# one, cargo would take the workspace's crates it finds there for fresh
# (git archive dates the files at the revision's commit, older than this
# tree's artefacts) and link this tree's toso-store into the old toso-web,
# and the earlier revision's artefacts would then pass for this tree's.
# A "~" sorts before the bare version: dpkg sees an upgrade.
V1="$V2~rev.$FROM"
OLD_BIN="$CACHE/toso-$FROM"
if git rev-parse -q --verify "$FROM^{commit}" >/dev/null 2>&1; then
  mkdir -p "$WORK/v1-src" "$WORK/v1-target/release"
  git archive "$FROM" | tar -x -C "$WORK/v1-src"
  if [ ! -x "$OLD_BIN" ]; then
    say "cargo build --release of $FROM (once; then $OLD_BIN)"
    mkdir -p "$CACHE"
    (cd "$WORK/v1-src" && CARGO_TARGET_DIR="$CACHE/v1-target" cargo build --release --locked --bin toso) \
      >"$WORK/build-v1.log" 2>&1 || { tail -n 40 "$WORK/build-v1.log"; exit 1; }
    cp "$CACHE/v1-target/release/toso" "$OLD_BIN.tmp" && mv "$OLD_BIN.tmp" "$OLD_BIN"
  fi
  cp "$OLD_BIN" "$WORK/v1-target/release/toso"
  DEB1=$(cd "$WORK/v1-src" && CARGO_TARGET_DIR="$WORK/v1-target" DEB_VERSION="$V1" DEB_NO_BUILD=1 \
    DEB_LINTIAN=0 bash scripts/deb.sh 2>"$WORK/deb-v1.log" | tail -n 1) ||
    { cat "$WORK/deb-v1.log"; exit 1; }
  say "v1: $DEB1, revision $FROM of $(git log -1 --date=format:%d/%m/%Y --format=%cd "$FROM")"
else
  # A shallow clone without the revision: this tree's binary at a lower
  # version, so that the upgrade's steps still run.
  say "revision $FROM is not in this clone: v1 is this tree's package at a lower version"
  DEB1=$(DEB_VERSION="$V1" DEB_NO_BUILD=1 DEB_LINTIAN=0 bash scripts/deb.sh 2>"$WORK/deb-v1.log" | tail -n 1) ||
    { cat "$WORK/deb-v1.log"; exit 1; }
fi
say "v2: $DEB2 ($(du -h "$DEB2" | cut -f1))"
expect "dpkg orders $V1 before $V2" dpkg --compare-versions "$V1" lt "$V2"
sed -n '/^== lintian/,$p' "$WORK/deb-v2.log" | sed 's/^/   /'
cp "$DEB1" "$ROOT/tmp/toso-v1.deb"
cp "$DEB2" "$ROOT/tmp/toso-v2.deb"
pass

begin "units: systemd-analyze verify (host)"
if command -v systemd-analyze >/dev/null; then
  # The units as packaged, with ExecStart pointing at the packaged binary
  # (verify checks that the command exists; the host has no /usr/bin/toso).
  # verify exits 0 on unknown keys, so any output fails the step.
  dpkg-deb -x "$DEB1" "$WORK/unpacked"
  mkdir -p "$WORK/units"
  for unit in toso.service toso-backup.service toso-backup.timer; do
    sed "s|/usr/bin/toso|$WORK/unpacked/usr/bin/toso|" "$WORK/unpacked/lib/systemd/system/$unit" >"$WORK/units/$unit"
  done
  systemd-analyze verify "$WORK/units/toso.service" "$WORK/units/toso-backup.service" \
    "$WORK/units/toso-backup.timer" >"$WORK/verify.log" 2>&1 || echo "exit status $?" >>"$WORK/verify.log"
  sed 's/^/   | /' "$WORK/verify.log"
  expect "systemd-analyze verify: no complaint" [ ! -s "$WORK/verify.log" ]
  for unit in toso.service toso-backup.service; do
    say "$(systemd-analyze security --offline=true "$WORK/units/$unit" 2>/dev/null | tail -n 1 | sed 's/^→ //')"
  done
  pass
else
  STEP=""
  skip "units: systemd-analyze verify (host)" "systemd-analyze not on the host"
fi

# ---- install v1 ---------------------------------------------------------------

begin "install v1 ($V1)"
dpkg_in_root -i /tmp/toso-v1.deb 2>&1 | tee "$WORK/install-v1.log" | sed 's/^/   | /'
expect "dpkg says installed $V1" [ "$(in_root dpkg-query -W -f '${Status} ${Version}' toso)" = "install ok installed $V1" ]
expect "/usr/bin/toso runs: $(in_root /usr/bin/toso --version)" in_root_file /usr/bin/toso
entry=$(in_root getent passwd toso)
say "passwd: $entry"
expect "user toso: system uid, home /var/lib/toso, no login shell" \
  matches "$entry" '^toso:x:[0-9]{1,3}:[0-9]+:[^:]*:/var/lib/toso:/usr/sbin/nologin$'
expect "group toso" group_exists
expect "/var/lib/toso is toso:toso 750" [ "$(owner_mode /var/lib/toso)" = "toso:toso 750" ]
expect "/etc/toso/toso.toml is root:toso 640" [ "$(owner_mode /etc/toso/toso.toml)" = "root:toso 640" ]
expect "conffile registered" sh -c "chroot '$ROOT' dpkg-query -W -f '\${Conffiles}' toso | grep -q /etc/toso/toso.toml"
expect "units installed" in_root_file /lib/systemd/system/toso.service
expect "toso.service enabled (multi-user.target.wants)" \
  [ -L "$ROOT/etc/systemd/system/multi-user.target.wants/toso.service" ]
expect "toso-backup.timer enabled (timers.target.wants)" \
  [ -L "$ROOT/etc/systemd/system/timers.target.wants/toso-backup.timer" ]
expect "no systemctl call without systemd" sh -c "! grep -qi 'systemctl\|System has not been booted' '$WORK/install-v1.log'"
if spec; then
  expect "postinst ran toso migrate" grep -q '^toso: ' "$WORK/install-v1.log"
  expect "the database was made by the migrations, owned by toso" \
    [ "$(owner /var/lib/toso/toso.db)" = toso ]
fi
pass

begin "postinst again (dpkg-reconfigure: idempotent)"
env_skip=()
spec || env_skip=(TOSO_SKIP_MIGRATE=1)
in_root "${env_skip[@]}" dpkg-reconfigure -fnoninteractive toso >"$WORK/reconfigure.log" 2>&1 ||
  { sed 's/^/   | /' "$WORK/reconfigure.log"; say "NOT OK: dpkg-reconfigure toso failed"; exit 1; }
sed 's/^/   | /' "$WORK/reconfigure.log"
expect "/var/lib/toso still toso:toso 750" [ "$(owner_mode /var/lib/toso)" = "toso:toso 750" ]
expect "/etc/toso/toso.toml still root:toso 640" [ "$(owner_mode /etc/toso/toso.toml)" = "root:toso 640" ]
expect "one user toso" [ "$(grep -c '^toso:' "$ROOT/etc/passwd")" = 1 ]
pass

# ---- serve v1 ---------------------------------------------------------------

begin "serve v1 (toso.service's command, the configured port)"
PORT=$(free_port)
# The administrator's edit of the conffile: the port (8080 may be taken on
# the host, which shares the network with the root). An upgrade must keep it.
sed -i "s/^bind = .*/bind = \"127.0.0.1:$PORT\"/" "$ROOT/etc/toso/toso.toml"
say "bind = 127.0.0.1:$PORT in /etc/toso/toso.toml"
start_server
pass

if spec; then
  begin "toso config (the installed file is read)"
  as_toso config | tee "$WORK/config.txt" | sed 's/^/   | /'
  expect "database_url from the file" grep -q '^database_url = "sqlite:///var/lib/toso/toso.db"' "$WORK/config.txt"
  expect "bind from the file" grep -q "^bind = \"127.0.0.1:$PORT\"" "$WORK/config.txt"
  expect "[backup] keep = 14" grep -q '^keep = 14' "$WORK/config.txt"
  pass
else
  skip "toso config (the installed file is read)" "DEB_TEST_SPEC=0"
fi

begin "admin account (toso user add, password on stdin)"
printf '%s\n' "$PASSWORD" | as_toso user add --role admin --username "$ADMIN" 2>&1 | sed 's/^/   | /'
pass

begin "sign in over HTTP"
expect "GET /login 200" [ "$(http_code -c "$JAR" -b "$JAR" "$(url /login)")" = 200 ]
csrf=$(awk '$6 == "toso_csrf" { print $7 }' "$JAR")
expect "CSRF cookie set" [ -n "$csrf" ]
expect "a POST without the CSRF token is refused (403)" \
  [ "$(http_code -b "$JAR" --data-urlencode "login=$ADMIN" --data-urlencode "password=$PASSWORD" "$(url /login)")" = 403 ]
expect "a wrong password is refused (401)" \
  [ "$(http_code -b "$JAR" --data-urlencode "csrf=$csrf" --data-urlencode "login=$ADMIN" \
    --data-urlencode password=wrong-password "$(url /login)")" = 401 ]
expect "the right password signs in (303)" \
  [ "$(http_code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$csrf" --data-urlencode "login=$ADMIN" \
    --data-urlencode "password=$PASSWORD" --data-urlencode next=/account "$(url /login)")" = 303 ]
expect "session cookie set" grep -q toso_session "$JAR"
curl -sS --noproxy '*' -b "$JAR" -o "$WORK/account.html" "$(url /account)"
expect "/account shows the account $ADMIN" grep -q "$ADMIN" "$WORK/account.html"
pass

begin "demo data (toso demo, the server running)"
as_toso demo 2>&1 | tail -n 5 | sed 's/^/   | /'
indicators >"$WORK/indicators-v1.txt"
indicators --json >"$WORK/indicators-v1.json"
expect "toso indicators --commune $COMMUNE: $(wc -l <"$WORK/indicators-v1.txt") lines" [ -s "$WORK/indicators-v1.txt" ]
expect "the server answers /healthz" [ "$(http_code "$(url /healthz)")" = 200 ]
pass

begin "stop v1 (SIGTERM, as systemctl stop)"
graceful_stop
pass

# ---- upgrade ------------------------------------------------------------------

begin "upgrade to v2 ($V2, dpkg -i)"
dpkg_in_root -i /tmp/toso-v2.deb 2>&1 | tee "$WORK/install-v2.log" | sed 's/^/   | /'
expect "dpkg says installed $V2" [ "$(in_root dpkg-query -W -f '${Status} ${Version}' toso)" = "install ok installed $V2" ]
expect "the edited conffile kept (bind = 127.0.0.1:$PORT)" grep -q "^bind = \"127.0.0.1:$PORT\"" "$ROOT/etc/toso/toso.toml"
expect "no .dpkg-dist / .dpkg-new beside it" sh -c "! ls '$ROOT'/etc/toso/*.dpkg-* 2>/dev/null"
expect "/etc/toso/toso.toml still root:toso 640" [ "$(owner_mode /etc/toso/toso.toml)" = "root:toso 640" ]
expect "/var/lib/toso still toso:toso 750" [ "$(owner_mode /var/lib/toso)" = "toso:toso 750" ]
expect "one user toso" [ "$(grep -c '^toso:' "$ROOT/etc/passwd")" = 1 ]
pass

begin "migrations ran once"
if spec; then
  expect "the upgrade's postinst ran toso migrate" grep -q '^toso: ' "$WORK/install-v2.log"
  as_toso migrate >"$WORK/migrate.txt" 2>&1
  sed 's/^/   | /' "$WORK/migrate.txt"
  # Its message (log lines set aside) names 0 migrations applied.
  expect "toso migrate after the upgrade: 0 applied" \
    sh -c "grep -Ev ' (TRACE|DEBUG|INFO|WARN|ERROR) ' '$WORK/migrate.txt' | grep -Eq '(^|[^0-9.,])0([^0-9.,]|$)'"
fi
if command -v sqlite3 >/dev/null; then
  # A copy, read on the host: opening the live file as root would leave
  # root-owned -wal/-shm files the service could not open.
  mkdir -p "$WORK/check"
  cp "$ROOT/var/lib/toso/toso.db" "$WORK/check/toso.db"
  [ -e "$ROOT/var/lib/toso/toso.db-wal" ] && cp "$ROOT/var/lib/toso/toso.db-wal" "$WORK/check/toso.db-wal"
  rows=$(sqlite3 "$WORK/check/toso.db" 'SELECT count(*) FROM _sqlx_migrations')
  distinct=$(sqlite3 "$WORK/check/toso.db" 'SELECT count(DISTINCT version) FROM _sqlx_migrations')
  failed=$(sqlite3 "$WORK/check/toso.db" 'SELECT count(*) FROM _sqlx_migrations WHERE NOT success')
  files=$(find crates/store/migrations/sqlite -name '*.sql' | wc -l)
  expect "_sqlx_migrations: $rows rows, $distinct versions, each once" [ "$rows" = "$distinct" ]
  expect "_sqlx_migrations: every one succeeded" [ "$failed" = 0 ]
  expect "_sqlx_migrations: one row per migration file ($files)" [ "$rows" = "$files" ]
else
  say "sqlite3 is not on the host: _sqlx_migrations not read"
  spec || { STEP=""; skip "migrations ran once" "DEB_TEST_SPEC=0 and no sqlite3 on the host"; }
fi
[ -z "$STEP" ] || pass

begin "serve v2 (the new unit file)"
start_server
expect "the session from before the upgrade still signs in (/account 200)" \
  [ "$(http_code -b "$JAR" "$(url /account)")" = 200 ]
pass

begin "data intact (toso indicators before and after the upgrade)"
indicators >"$WORK/indicators-v2.txt"
indicators --json >"$WORK/indicators-v2.json"
expect "same table" cmp -s "$WORK/indicators-v1.txt" "$WORK/indicators-v2.txt"
expect "same JSON" cmp -s "$WORK/indicators-v1.json" "$WORK/indicators-v2.json"
pass

# ---- backup and restore -------------------------------------------------------

begin "backup (toso-backup.service's command, as toso)"
if spec; then
  run_unit toso-backup.service fg 2>&1 | sed 's/^/   | /'
  mapfile -t backups < <(cd "$ROOT/var/lib/toso/backups" && ls toso-*.db 2>/dev/null)
  expect "one file in the rotating set: ${backups[*]:-none}" [ "${#backups[@]}" = 1 ]
  expect "named toso-YYYYMMDDTHHMMSSZ.db" matches "${backups[0]}" '^toso-[0-9]{8}T[0-9]{6}Z\.db$'
  BACKUP="/var/lib/toso/backups/${backups[0]}"
else
  say "DEB_TEST_SPEC=0: toso backup --out (no rotating set yet)"
  in_root install -d -o toso -g toso -m 0750 /var/lib/toso/backups
  BACKUP=/var/lib/toso/backups/toso-manual.db
  as_toso backup --out "$BACKUP" 2>&1 | sed 's/^/   | /'
fi
expect "$BACKUP owned by toso" [ "$(owner "$BACKUP")" = toso ]
pass

if spec; then
  begin "backup rotation (TOSO_BACKUP_KEEP=2, three more runs)"
  for i in 1 2 3; do
    sleep 1.1 # names have a one-second resolution
    run_unit toso-backup.service fg TOSO_BACKUP_KEEP=2 >/dev/null 2>&1
  done
  mapfile -t backups < <(cd "$ROOT/var/lib/toso/backups" && ls toso-*.db)
  expect "two files kept: ${backups[*]}" [ "${#backups[@]}" = 2 ]
  expect "the first one deleted" no_file "$BACKUP"
  BACKUP="/var/lib/toso/backups/${backups[-1]}"
  pass
else
  skip "backup rotation" "DEB_TEST_SPEC=0"
fi

begin "restore the backup into a new database"
as_toso restore "$BACKUP" --database-url sqlite:///tmp/restored.db 2>&1 | sed 's/^/   | /'
in_root "${DB_ENV[@]}" runuser -u toso -- /usr/bin/toso indicators --commune "$COMMUNE" --as-of "$AS_OF" \
  --database-url sqlite:///tmp/restored.db >"$WORK/indicators-restored.txt"
expect "same indicators from the restored database" cmp -s "$WORK/indicators-v1.txt" "$WORK/indicators-restored.txt"
pass

begin "stop v2"
graceful_stop
pass

# ---- remove, purge, reinstall ---------------------------------------------------

begin "remove (dpkg -r): program gone, configuration and data kept"
dpkg_in_root -r toso 2>&1 | sed 's/^/   | /'
expect "dpkg says config-files" [ "$(in_root dpkg-query -W -f '${Status}' toso)" = "deinstall ok config-files" ]
expect "/usr/bin/toso gone" no_file /usr/bin/toso
expect "units gone" no_file /lib/systemd/system/toso.service
expect "/etc/toso/toso.toml kept" in_root_file /etc/toso/toso.toml
expect "/var/lib/toso/toso.db kept" in_root_file /var/lib/toso/toso.db
expect "user toso kept" user_exists
pass

begin "purge (dpkg -P): configuration and user gone, data kept"
dpkg_in_root -P toso 2>&1 | tee "$WORK/purge.log" | sed 's/^/   | /'
expect "dpkg knows no toso" sh -c "! chroot '$ROOT' dpkg-query -W toso >/dev/null 2>&1"
expect "/etc/toso gone" no_file /etc/toso
expect "user toso gone" sh -c "! chroot '$ROOT' getent passwd toso >/dev/null"
expect "group toso gone" sh -c "! chroot '$ROOT' getent group toso >/dev/null"
expect "enabled-unit symlinks gone" \
  sh -c "[ ! -e '$ROOT/etc/systemd/system/multi-user.target.wants/toso.service' ] && [ ! -L '$ROOT/etc/systemd/system/multi-user.target.wants/toso.service' ]"
expect "/var/lib/toso/toso.db kept" in_root_file /var/lib/toso/toso.db
expect "/var/lib/toso/backups kept" in_root_file /var/lib/toso/backups
expect "the purge says where the data is" grep -q /var/lib/toso "$WORK/purge.log"
pass

begin "reinstall after purge: the kept data is adopted"
dpkg_in_root -i /tmp/toso-v2.deb 2>&1 | sed 's/^/   | /'
expect "/var/lib/toso/toso.db belongs to the new user toso" \
  [ "$(owner /var/lib/toso/toso.db)" = toso ]
sed -i "s/^bind = .*/bind = \"127.0.0.1:$PORT\"/" "$ROOT/etc/toso/toso.toml"
start_server
expect "the old session still signs in (/account 200)" [ "$(http_code -b "$JAR" "$(url /account)")" = 200 ]
indicators >"$WORK/indicators-v3.txt"
expect "same indicators" cmp -s "$WORK/indicators-v1.txt" "$WORK/indicators-v3.txt"
graceful_stop
pass

if spec; then
  begin "unreachable PostgreSQL does not fail the configure step"
  cp "$ROOT/etc/toso/toso.toml" "$WORK/toso.toml.saved"
  sed -i 's|^database_url = .*|database_url = "postgres://toso:secret@127.0.0.1:1/toso"|' "$ROOT/etc/toso/toso.toml"
  expect "dpkg-reconfigure toso exits 0" sh -c \
    "chroot '$ROOT' /usr/bin/env -i PATH='$CHROOT_PATH' LANG=C.UTF-8 dpkg-reconfigure -fnoninteractive toso >'$WORK/pg.log' 2>&1"
  sed 's/^/   | /' "$WORK/pg.log"
  expect "it prints the hint" grep -q 'toso migrate' "$WORK/pg.log"
  expect "the password is not printed" sh -c "! grep -q secret '$WORK/pg.log'"
  cp "$WORK/toso.toml.saved" "$ROOT/etc/toso/toso.toml"
  pass
else
  skip "unreachable PostgreSQL does not fail the configure step" "DEB_TEST_SPEC=0"
fi

# ---- under a booted systemd ----------------------------------------------------

# The same two packages in a virtual machine whose PID 1 is systemd: what a
# chroot cannot show (scripts/deb-boot-test.sh says what).
if [ "${DEB_TEST_BOOT:-1}" = 1 ] && spec; then
  begin "the same packages under a booted systemd (scripts/deb-boot-test.sh)"
  bash scripts/deb-boot-test.sh "$DEB1" "$DEB2" 2>&1 | tee "$WORK/boot.log" | sed 's/^/   | /'
  expect "every step of the booted test passed: $(tail -n 1 "$WORK/boot.log")" \
    grep -Eq '^[1-9][0-9]* passed, 0 failed$' <(tail -n 1 "$WORK/boot.log")
  pass
else
  skip "the same packages under a booted systemd" "DEB_TEST_BOOT=0 or DEB_TEST_SPEC=0"
fi
