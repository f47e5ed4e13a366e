#!/usr/bin/env bash
# The inside of scripts/deb-boot-test.sh: runs in a booted Debian bookworm
# virtual machine, started by toso-boot-test.service once the boot is done,
# with the packages in /opt/toso-test (toso-v1.deb, toso-v2.deb). The machine
# is booted twice; /var/lib/toso-test keeps what the first boot leaves for the
# second (the cookies, the figures, the timer's random delay).
#
# Boot 1: install v1 with dpkg (the maintainer scripts' systemd branch:
# enable, start), the service under its sandbox, the first admin, sign in,
# the demo, the backup unit and its restore, a crash and systemd's restart;
# then the backup timer's stamp is set three days back, as if the machine had
# been off since its last backup, and the machine powers off.
# Boot 2: the service started at boot, the timer's missed backup due at boot,
# the upgrade to v2 (stop, migrate once, start), the session and the figures
# kept, nginx in front over HTTPS as README.Debian says, a graceful stop,
# remove, purge and reinstall over the kept data.
#
# Each step's result is one line on the second serial port (/dev/ttyS1), read
# by the host: "PASS name (s)", "FAIL name", "say text", and last "END N"
# ("ABORT N" after a failure). After a failure the journal of the service is
# printed and the machine powers off.
set -uo pipefail

PKG=/opt/toso-test
STATE=/var/lib/toso-test
PASSWORD='mat-khau-Quan-tri-1'
ADMIN=quantri
COMMUNE=11914
AS_OF=2025-11-30
BASE=http://127.0.0.1:8080
JAR=$STATE/cookies.txt
STAMP=/var/lib/systemd/timers/stamp-toso-backup.timer

exec 3>/dev/ttyS1
out() { printf '%s\n' "$*" >&3; }
say() { out "say $*"; }

mkdir -p "$STATE"
BOOT=$(($(cat "$STATE/boot" 2>/dev/null || echo 0) + 1))
echo "$BOOT" >"$STATE/boot"

FINISHED=0
finish() {
  FINISHED=1
  out "$1 $BOOT"
  sync
  systemctl --no-block poweroff
  exit 0
}
# A mistake in this script (an unset variable, say) ends the test too,
# rather than leaving the machine up until the host's time-out.
trap '[ "$FINISHED" = 1 ] || { out "FAIL ${STEP:-the script} (the script stopped)"; finish ABORT; }' EXIT

STEP=""
T0=0
begin() {
  STEP=$1
  T0=$(date +%s.%N)
}
pass() {
  out "PASS $STEP ($(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
}
# `expect DESCRIPTION COMMAND...`: the step fails, and the test ends, when
# COMMAND fails.
expect() {
  local what=$1
  shift
  if "$@"; then
    say "ok: $what"
  else
    say "NOT OK: $what"
    out "FAIL $STEP"
    journalctl --no-pager -b -n 60 -u toso.service -u toso-backup.service -u toso-backup.timer 2>&1 |
      while IFS= read -r line; do say "| $line"; done
    finish ABORT
  fi
}
# Lines of a command's output, indented, on the results port.
show() { while IFS= read -r line; do say "| $line"; done; }
# `like VALUE GLOB`
like() { [[ $1 == $2 ]]; }
# `between N LOW HIGH`
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

code() { curl -sS -o /dev/null -w '%{http_code}' "$@" 2>/dev/null; }
healthy() { [ "$(code "$BASE/healthz")" = 200 ]; }
# /healthz answers 200 within 30 s.
answers() { within 30 healthy; }
prop() { systemctl show -p "$2" --value "$1"; }
# The backup timer's next run, in seconds since 1970.
next_run() {
  local t
  t=$(prop toso-backup.timer NextElapseUSecRealtime)
  # "Sun 2026-12-06 02:05:05 UTC": the weekday is left out for date.
  date -d "${t#* }" +%s
}
main_pid() { prop toso.service MainPID; }
# A line of /proc/PID/status, its value.
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# The options of the mount at PATH as the process PID sees it.
mount_opts() { awk -v p="$2" '$5 == p { o = $6 } END { print o }' "/proc/$1/mountinfo"; }
mount_src() { awk -v p="$2" '$5 == p { r = $4 } END { print r }' "/proc/$1/mountinfo"; }
as_toso() { runuser -u toso -- /usr/bin/toso "$@"; }
indicators() { as_toso indicators --commune "$COMMUNE" --as-of "$AS_OF" "$@"; }
installed() { [ "$(dpkg-query -W -f '${Status} ${Version}' toso 2>/dev/null)" = "install ok installed $1" ]; }
backups() { find /var/lib/toso/backups -name 'toso-*.db' 2>/dev/null | sort; }
# Wait up to $1 seconds for COMMAND to succeed.
within() {
  local n=$(($1 * 2))
  shift
  while ! "$@"; do
    n=$((n - 1))
    [ "$n" -gt 0 ] || return 1
    sleep 0.5
  done
}
active() { [ "$(systemctl is-active "$1")" = active ]; }
restarted_from() { active toso.service && [ "$(main_pid)" != "$1" ] && [ "$(main_pid)" != 0 ]; }

begin "boot $BOOT: systemd runs the machine"
state=$(systemctl is-system-running --wait)
say "systemctl is-system-running: $state"
[ "$state" = running ] || systemctl --failed --no-legend --plain | show
expect "running" [ "$state" = running ]
say "$(uname -sr), $(systemctl --version | head -n 1)"
pass

if [ "$BOOT" = 1 ]; then
  V1=$(dpkg-deb -f "$PKG/toso-v1.deb" Version)
  V2=$(dpkg-deb -f "$PKG/toso-v2.deb" Version)
  echo "$V2" >"$STATE/v2"

  begin "install v1 ($V1): postinst enables and starts the units"
  DEBIAN_FRONTEND=noninteractive dpkg -i "$PKG/toso-v1.deb" >"$STATE/install-v1.log" 2>&1
  show <"$STATE/install-v1.log"
  expect "dpkg says installed $V1" installed "$V1"
  expect "toso.service enabled" [ "$(systemctl is-enabled toso.service)" = enabled ]
  expect "toso-backup.timer enabled" [ "$(systemctl is-enabled toso-backup.timer)" = enabled ]
  expect "toso.service active" within 10 active toso.service
  expect "toso-backup.timer active" active toso-backup.timer
  expect "GET /healthz 200 (127.0.0.1:8080, the file's bind)" answers
  expect "GET /readyz 200" [ "$(code "$BASE/readyz")" = 200 ]
  pass

  begin "the server runs as toso under the unit's sandbox"
  pid=$(main_pid)
  say "MainPID $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
  expect "its uid is toso's ($(id -u toso))" [ "$(status_of "$pid" Uid)" = "$(id -u toso)" ]
  expect "NoNewPrivs: 1" [ "$(status_of "$pid" NoNewPrivs)" = 1 ]
  expect "Seccomp: 2 (a system call filter)" [ "$(status_of "$pid" Seccomp)" = 2 ]
  expect "no capabilities (CapEff, CapBnd 0)" \
    [ "$(status_of "$pid" CapEff)$(status_of "$pid" CapBnd)" = 00000000000000000000000000000000 ]
  expect "/ read-only for it ($(mount_opts "$pid" /))" like "$(mount_opts "$pid" /)" 'ro*'
  expect "/var/lib/toso writable for it ($(mount_opts "$pid" /var/lib/toso))" \
    like "$(mount_opts "$pid" /var/lib/toso)" 'rw*'
  expect "its own /tmp ($(mount_src "$pid" /tmp))" like "$(mount_src "$pid" /tmp)" '*systemd-private-*toso.service*'
  expect "/home hidden from it ($(mount_opts "$pid" /home))" [ -n "$(mount_opts "$pid" /home)" ]
  exposure=$(systemd-analyze security --no-pager toso.service 2>/dev/null | sed -n 's/.*Overall exposure level for toso.service: //p')
  say "systemd-analyze security: $exposure"
  # 0.0 (most confined) to 10.0; below 2.0 is what systemd labels OK.
  expect "exposure level below 2.0" awk -v e="${exposure%% *}" 'BEGIN { exit !(e + 0 < 2.0) }'
  pass

  begin "first admin (toso user add), sign in over HTTP"
  printf '%s\n' "$PASSWORD" | as_toso user add --role admin --username "$ADMIN" 2>&1 | show
  expect "GET /login 200" [ "$(code -c "$JAR" -b "$JAR" "$BASE/login")" = 200 ]
  csrf=$(awk '$6 == "toso_csrf" { print $7 }' "$JAR")
  expect "the right password signs in (303)" \
    [ "$(code -c "$JAR" -b "$JAR" --data-urlencode "csrf=$csrf" --data-urlencode "login=$ADMIN" \
      --data-urlencode "password=$PASSWORD" --data-urlencode next=/account "$BASE/login")" = 303 ]
  expect "/account 200" [ "$(code -b "$JAR" "$BASE/account")" = 200 ]
  pass

  begin "demo data, the figures"
  as_toso demo 2>&1 | tail -n 3 | show
  indicators >"$STATE/indicators-v1.txt"
  expect "toso indicators: $(wc -l <"$STATE/indicators-v1.txt") lines" [ -s "$STATE/indicators-v1.txt" ]
  pass

  begin "toso-backup.service (systemctl start), restore what it wrote"
  # The next run: the next 02:00 plus the unit's random delay, fixed per
  # machine (RandomizedDelaySec=1h, FixedRandomDelay=yes); boot 2 expects
  # the missed run at the boot plus that same delay.
  next=$(next_run)
  delay=$((next - $(date -d "$(date -d "@$next" +%F) 02:00" +%s)))
  echo "$delay" >"$STATE/random-delay"
  expect "the timer's next run is at 02:00 plus ${delay} s ($(date -d "@$next" '+%d/%m/%Y %H:%M:%S'))" \
    between "$delay" 0 3599
  systemctl start toso-backup.service
  expect "Result=success" [ "$(prop toso-backup.service Result)" = success ]
  mapfile -t files < <(backups)
  expect "one file in /var/lib/toso/backups: ${files[*]:-none}" [ "${#files[@]}" = 1 ]
  expect "owned by toso" [ "$(stat -c %U "${files[0]}")" = toso ]
  as_toso restore "${files[0]}" --database-url sqlite:///tmp/restored.db 2>&1 | show
  indicators --database-url sqlite:///tmp/restored.db >"$STATE/indicators-restored.txt"
  expect "the restored database has the same figures" cmp -s "$STATE/indicators-v1.txt" "$STATE/indicators-restored.txt"
  pass

  begin "a crash: systemd restarts the server (Restart=on-failure)"
  pid=$(main_pid)
  kill -KILL "$pid"
  expect "a new process within 15 s" within 15 restarted_from "$pid"
  expect "NRestarts=1" [ "$(prop toso.service NRestarts)" = 1 ]
  expect "it answers again" answers
  expect "the session still signs in (/account 200)" [ "$(code -b "$JAR" "$BASE/account")" = 200 ]
  pass

  begin "power off, the last backup three days back"
  # systemd's record of the timer's last run. Persistent=true: a run missed
  # since then is due at the next boot.
  touch -d '3 days ago' "$STAMP"
  expect "stamp $(date -r "$STAMP" '+%d/%m/%Y %H:%M')" [ -e "$STAMP" ]
  pass
  finish END
fi

V2=$(cat "$STATE/v2")

begin "boot 2: toso.service started at boot, the same data"
expect "toso.service active" within 10 active toso.service
expect "GET /healthz 200" answers
expect "the session from before the reboot (/account 200)" [ "$(code -b "$JAR" "$BASE/account")" = 200 ]
indicators >"$STATE/indicators-boot2.txt"
expect "the same figures" cmp -s "$STATE/indicators-v1.txt" "$STATE/indicators-boot2.txt"
pass

begin "the missed daily backup is due after the boot, not tomorrow (Persistent=true)"
# systemd schedules a run missed while the machine was off at the boot
# plus the timer's random delay (so that machines booted together do not
# all start at once): the same delay boot 1 saw, at most an hour.
delay=$(cat "$STATE/random-delay")
booted=$(systemctl show -p UserspaceTimestamp --value)
booted=$(date -d "${booted#* }" +%s)
next=$(next_run)
say "last run (the stamp): $(prop toso-backup.timer LastTriggerUSec)"
say "booted $(date -d "@$booted" '+%d/%m/%Y %H:%M:%S'), next run $(date -d "@$next" '+%d/%m/%Y %H:%M:%S')"
expect "the next run is the boot plus the fixed delay of ${delay} s ($((next - booted)) s)" \
  between $((next - booted - delay)) -2 2
regular=$(($(date -d 'today 02:00' +%s) + delay))
[ "$regular" -gt "$(date +%s)" ] || regular=$((regular + 86400))
expect "before the regular run ($(date -d "@$regular" '+%d/%m/%Y %H:%M:%S'))" [ "$next" -lt "$regular" ]
pass

begin "upgrade to v2 ($V2, dpkg -i): stop, migrate once, start"
pid=$(main_pid)
DEBIAN_FRONTEND=noninteractive dpkg -i "$PKG/toso-v2.deb" >"$STATE/install-v2.log" 2>&1
show <"$STATE/install-v2.log"
expect "dpkg says installed $V2" installed "$V2"
expect "postinst ran toso migrate" grep -q '^toso: ' "$STATE/install-v2.log"
expect "a new server process (was $pid, now $(main_pid))" within 10 restarted_from "$pid"
expect "the new binary runs ($(/usr/bin/toso --version))" \
  [ "$(readlink "/proc/$(main_pid)/exe")" = /usr/bin/toso ]
expect "GET /healthz 200" answers
expect "the session still signs in (/account 200)" [ "$(code -b "$JAR" "$BASE/account")" = 200 ]
indicators >"$STATE/indicators-v2.txt"
expect "the same figures" cmp -s "$STATE/indicators-v1.txt" "$STATE/indicators-v2.txt"
expect "the timer still enabled and active" \
  sh -c '[ "$(systemctl is-enabled toso-backup.timer)" = enabled ] && [ "$(systemctl is-active toso-backup.timer)" = active ]'
pass

begin "through nginx over HTTPS, as README.Debian sets it up"
# README.Debian's steps, with a self-signed certificate at the example's
# paths and the example's server name (resolved to this machine by curl).
HOST=toso.example.vn
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" \
  -keyout "/etc/ssl/private/$HOST.key" -out "/etc/ssl/certs/$HOST.pem" 2>/dev/null
cp /usr/share/doc/toso/examples/nginx-toso.conf /etc/nginx/sites-available/toso
ln -s ../sites-available/toso /etc/nginx/sites-enabled/toso
expect "nginx -t" nginx -t -q
systemctl reload nginx
sed -i "s|^#public_url = .*|public_url = \"https://$HOST\"|" /etc/toso/toso.toml
expect "public_url set in /etc/toso/toso.toml" grep -q "^public_url = \"https://$HOST\"" /etc/toso/toso.toml
systemctl restart toso.service
expect "the server is back" answers
# From the server itself (Host: 127.0.0.1:8080): the QR codes still carry
# public_url. The host reads them from the disk after the boot.
expect "the commune's posters (200), kept for the host to read" \
  [ "$(curl -sS -b "$JAR" -o "$STATE/posters.pdf" -w '%{http_code}' "$BASE/communes/$COMMUNE/posters.pdf")" = 200 ]
tls() { curl -sS --cacert "/etc/ssl/certs/$HOST.pem" --resolve "$HOST:443:127.0.0.1" "$@"; }
expect "https://$HOST/healthz 200 (the certificate checked)" [ "$(tls -o /dev/null -w '%{http_code}' "https://$HOST/healthz")" = 200 ]
expect "http:// is sent to https://" \
  [ "$(curl -sS -o /dev/null -w '%{redirect_url}' --resolve "$HOST:80:127.0.0.1" "http://$HOST/login")" = "https://$HOST/login" ]
tjar=$STATE/tls-cookies.txt
headers=$(tls -c "$tjar" -D - -o /dev/null "https://$HOST/login")
expect "the CSRF cookie is Secure" grep -qi '^set-cookie: toso_csrf=.*; Secure' <<<"$headers"
csrf=$(awk '$6 == "toso_csrf" { print $7 }' "$tjar")
headers=$(tls -b "$tjar" -c "$tjar" -D - -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "login=$ADMIN" \
  --data-urlencode "password=$PASSWORD" --data-urlencode next=/account "https://$HOST/login")
expect "signs in over HTTPS (303)" grep -q '^HTTP/[0-9.]* 303' <<<"$headers"
expect "the session cookie is Secure" grep -qi '^set-cookie: toso_session=.*; Secure' <<<"$headers"
expect "/account over HTTPS 200" [ "$(tls -b "$tjar" -o /dev/null -w '%{http_code}' "https://$HOST/account")" = 200 ]
expect "/metrics not through the proxy (404)" [ "$(tls -o /dev/null -w '%{http_code}' "https://$HOST/metrics")" = 404 ]
expect "/metrics on the machine itself (200)" [ "$(code "$BASE/metrics")" = 200 ]
pass

begin "systemctl stop: a graceful exit"
systemctl stop toso.service
expect "Result=success" [ "$(prop toso.service Result)" = success ]
expect "ExecMainStatus=0" [ "$(prop toso.service ExecMainStatus)" = 0 ]
systemctl start toso.service
expect "started again" answers
pass

begin "dpkg -r: stopped, the units gone, configuration and data kept"
dpkg -r toso 2>&1 | show
expect "toso.service not active" [ "$(systemctl is-active toso.service)" != active ]
expect "toso-backup.timer not active" [ "$(systemctl is-active toso-backup.timer)" != active ]
expect "the unit file is gone" [ ! -e /lib/systemd/system/toso.service ]
# As dh_installsystemd's scripts leave it: masked until the purge, so that
# the enabled symlinks kept for a reinstallation point at nothing.
expect "the unit masked until the purge (LoadState=$(prop toso.service LoadState))" \
  [ "$(prop toso.service LoadState)" = masked ]
expect "nothing answers on 8080" [ "$(code "$BASE/healthz")" != 200 ]
expect "/etc/toso/toso.toml kept" [ -e /etc/toso/toso.toml ]
expect "/var/lib/toso/toso.db kept" [ -e /var/lib/toso/toso.db ]
pass

begin "dpkg -P: configuration and user gone, data kept"
dpkg -P toso 2>&1 | show
expect "no user toso" sh -c '! getent passwd toso >/dev/null'
expect "no /etc/toso" [ ! -e /etc/toso ]
expect "no unit left (LoadState=$(prop toso.service LoadState))" [ "$(prop toso.service LoadState)" = not-found ]
expect "/var/lib/toso/toso.db kept" [ -e /var/lib/toso/toso.db ]
pass

begin "reinstall v2 over the kept data"
DEBIAN_FRONTEND=noninteractive dpkg -i "$PKG/toso-v2.deb" 2>&1 | show
expect "toso.service active" within 10 active toso.service
expect "GET /healthz 200" answers
expect "the database belongs to the new toso" [ "$(stat -c %U /var/lib/toso/toso.db)" = toso ]
indicators >"$STATE/indicators-reinstalled.txt"
expect "the same figures" cmp -s "$STATE/indicators-v1.txt" "$STATE/indicators-reinstalled.txt"
pass

finish END
