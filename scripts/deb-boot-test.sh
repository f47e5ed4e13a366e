#!/usr/bin/env bash
# Test the Debian package under a booted systemd: a Debian bookworm virtual
# machine (QEMU, emulated unless DEB_BOOT_ACCEL=kvm) with systemd as PID 1,
# udev and Debian's kernel, from a debootstrap root cached as a tarball under
# ${XDG_CACHE_HOME:-$HOME/.cache}/toso/. Its disk is made anew each run with
# `mke2fs -d` (no loop mount); the machine has no network.
#
# scripts/deb-test.sh tests the package in a chroot, where systemd does not
# run; this one tests what only a booted systemd shows: the maintainer
# scripts' systemd branch (enable, start, restart on upgrade, stop on
# removal), the unit's sandbox on the running server, systemd's restart after
# a crash, the service started at boot, the backup timer catching up a missed
# run at boot, and a graceful stop. The steps themselves are in
# scripts/deb-boot-guest.sh, which runs inside the machine (two boots) and
# writes its results to a second serial port; this script prints them.
#
# Prints PASS/FAIL per step with its time, then "N passed, N failed"; exits
# non-zero at the first failure (the machine's console log is printed).
#
#   scripts/deb-boot-test.sh V1.deb V2.deb   install V1, upgrade to V2
#   DEB_BOOT_REFRESH=1   make the cached root anew (debootstrap)
#   DEB_BOOT_KEEP=1      keep the work directory (disk image, console logs)
#   DEB_BOOT_ACCEL=kvm   run the machine under KVM (default: emulated, tcg)
#   DEB_TEST_MIRROR=URL  Debian mirror (default http://deb.debian.org/debian)
#
# Needs root (debootstrap), qemu-system-x86 and debootstrap (installed with
# apt when missing), e2fsprogs; poppler-utils and zbar-tools to read the
# posters' QR codes (CI installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ $# = 2 ] || die "usage: scripts/deb-boot-test.sh V1.deb V2.deb"
DEB1=$(realpath "$1")
DEB2=$(realpath "$2")
[ "$(id -u)" = 0 ] || die "run as root (debootstrap)"

SUITE=bookworm
MIRROR="${DEB_TEST_MIRROR:-http://deb.debian.org/debian}"
CACHE="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/toso"
# What a booted minimal Debian needs beyond minbase, and what the guest's
# steps use (curl, ps; nginx and openssl for README.Debian's HTTPS site).
PACKAGES=systemd-sysv,udev,kmod,linux-image-amd64,initramfs-tools,curl,procps,nginx,openssl
# Named by the package list, so that a change of it makes a new root.
TARBALL="$CACHE/debian-$SUITE-boot-$(printf '%s' "$PACKAGES" | md5sum | cut -c1-8)-amd64.tar.gz"
BOOT_TIMEOUT=600

WORK=$(mktemp -d /tmp/toso-deb-boot.XXXXXX)
ROOT="$WORK/root"
cleanup() {
  local rc=$?
  if [ "${DEB_BOOT_KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
    echo "deb-boot-test: work directory kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

command -v qemu-system-x86_64 >/dev/null || apt_install qemu-system-x86
command -v debootstrap >/dev/null || apt_install debootstrap
command -v mke2fs >/dev/null || apt_install e2fsprogs

PASSED=0
FAILED=0
t0=$(date +%s)

# ---- the root, once per machine ----------------------------------------------

if [ ! -s "$TARBALL" ] || [ "${DEB_BOOT_REFRESH:-0}" = 1 ]; then
  say "debootstrap --variant=minbase $SUITE with $PACKAGES (once; then $TARBALL)"
  mkdir -p "$CACHE" "$WORK/new"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$WORK/new" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 30 "$WORK/debootstrap.log"; die "debootstrap failed"; }
  rm -rf "$WORK/new/var/cache/apt/archives/"*.deb "$WORK/new/var/lib/apt/lists/"*
  tar -C "$WORK/new" -czf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$WORK/new"
fi
mkdir -p "$ROOT"
tar -C "$ROOT" -xzf "$TARBALL"

# ---- the disk ----------------------------------------------------------------

# The guest's steps, started by a unit once the boot is done (After=
# multi-user.target; Type=simple, so that the boot completes and
# `systemctl is-system-running --wait` inside does not wait for itself).
install -d "$ROOT/opt/toso-test"
cp "$DEB1" "$ROOT/opt/toso-test/toso-v1.deb"
cp "$DEB2" "$ROOT/opt/toso-test/toso-v2.deb"
install -m 0755 scripts/deb-boot-guest.sh "$ROOT/opt/toso-test/run"
cat >"$ROOT/etc/systemd/system/toso-boot-test.service" <<'EOF'
[Unit]
Description=Tổ Số package test (scripts/deb-boot-guest.sh)
After=multi-user.target

[Service]
Type=simple
ExecStart=/opt/toso-test/run
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/toso-boot-test.service \
  "$ROOT/etc/systemd/system/multi-user.target.wants/toso-boot-test.service"
echo toso-test >"$ROOT/etc/hostname"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$ROOT/etc/fstab"
# A machine id of its own, made at the first boot.
: >"$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"
kernel=$(find "$ROOT/boot" -name 'vmlinuz-*' | sort | tail -n 1)
initrd=$(find "$ROOT/boot" -name 'initrd.img-*' | sort | tail -n 1)
[ -n "$kernel" ] && [ -n "$initrd" ] || die "no kernel or initrd in $ROOT/boot"
cp "$kernel" "$WORK/vmlinuz"
cp "$initrd" "$WORK/initrd.img"
size=$(($(du -sm "$ROOT" | cut -f1) + 1024))
mke2fs -q -t ext4 -d "$ROOT" -L toso-test "$WORK/disk.img" "${size}M" >/dev/null
rm -rf "$ROOT"
say "disk: ${size} MB ext4 with $(basename "$kernel"), v1 $(dpkg-deb -f "$DEB1" Version), v2 $(dpkg-deb -f "$DEB2" Version)"

# ---- the boots -----------------------------------------------------------------

# Emulated by default: on this project's machines /dev/kvm opens, but a guest
# under KVM (nested virtualisation) hangs in its first second of boot; under
# TCG a boot takes about 30 s. DEB_BOOT_ACCEL=kvm where KVM works.
case "${DEB_BOOT_ACCEL:-tcg}" in
kvm) accel=(-accel kvm -cpu host) ;;
*) accel=(-accel tcg) ;;
esac

# Boot N: the guest's results go to $WORK/results-N.log, its console to
# $WORK/console-N.log. Prints the results; fails unless the last line is END.
boot() {
  local n=$1 line started
  started=$(date +%s)
  printf '\n== boot %s\n' "$n"
  timeout "$BOOT_TIMEOUT" qemu-system-x86_64 "${accel[@]}" -m 1536 -smp 2 \
    -display none -nodefaults -no-reboot -nic none \
    -kernel "$WORK/vmlinuz" -initrd "$WORK/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 systemd.show_status=false" \
    -drive "file=$WORK/disk.img,if=virtio,format=raw" \
    -serial "file:$WORK/console-$n.log" -serial "file:$WORK/results-$n.log" ||
    say "qemu ended with $? (timeout ${BOOT_TIMEOUT} s?)"
  while IFS= read -r line; do
    line=${line%$'\r'}
    case "$line" in
    PASS\ *)
      PASSED=$((PASSED + 1))
      printf '%s\n' "$line"
      ;;
    FAIL\ *)
      FAILED=$((FAILED + 1))
      printf '%s\n' "$line"
      ;;
    say\ *) printf '   %s\n' "${line#say }" ;;
    *) ;;
    esac
  done <"$WORK/results-$n.log"
  say "boot $n: $(($(date +%s) - started)) s"
  if ! tail -n 1 "$WORK/results-$n.log" | tr -d '\r' | grep -qx "END $n"; then
    echo "---- console of boot $n (last 60 lines)"
    tail -n 60 "$WORK/console-$n.log" | tr -d '\r'
    [ "$FAILED" -gt 0 ] || FAILED=1
    echo "$PASSED passed, $FAILED failed"
    exit 1
  fi
}
boot 1
boot 2

# The posters the guest fetched with public_url set: their QR codes, read
# here from the disk (debugfs, no mount) with the host's pdftoppm and zbarimg.
printf "\n== after the boots: the posters' QR codes\n"
if command -v pdftoppm >/dev/null && command -v zbarimg >/dev/null; then
  debugfs -R "dump /var/lib/toso-test/posters.pdf $WORK/posters.pdf" "$WORK/disk.img" 2>/dev/null
  pdftoppm -r 150 -png -f 1 -l 1 "$WORK/posters.pdf" "$WORK/poster" 2>/dev/null || true
  codes=$(zbarimg -q --raw "$WORK"/poster*.png 2>/dev/null || true)
  sed 's/^/   /' <<<"${codes:-no QR code read}"
  if grep -q '^https://toso\.example\.vn/v/' <<<"$codes"; then
    echo "PASS the villages' QR codes carry public_url (https://toso.example.vn/v/…)"
    PASSED=$((PASSED + 1))
  else
    echo "FAIL the villages' QR codes carry public_url"
    echo "$PASSED passed, 1 failed"
    exit 1
  fi
else
  say "pdftoppm or zbarimg missing: the posters' QR codes not read"
fi

echo
say "booted systemd: $(($(date +%s) - t0)) s in all"
echo "$PASSED passed, $FAILED failed"
