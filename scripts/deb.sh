#!/usr/bin/env bash
# Build the Debian package of Tổ Số: the release binary (stripped), the
# systemd units, the configuration /etc/toso/toso.toml (a conffile), the
# maintainer scripts and the docs from packaging/debian/, assembled into
# $CARGO_TARGET_DIR/debian/toso_VERSION_ARCH.deb with dpkg-deb. Prints the
# package's path on the last line of standard output; runs lintian on it when
# lintian is installed.
#
#   scripts/deb.sh                      # version from the workspace Cargo.toml
#   DEB_VERSION=0.1.0-2 scripts/deb.sh  # another version (same binary)
#   DEB_NO_BUILD=1 scripts/deb.sh       # package the binary already built
#   DEB_MAINTAINER='Name <mail>'          # the control file's Maintainer
#   DEB_LINTIAN=0 scripts/deb.sh        # do not run lintian (about a minute)
#   DEB_COMPRESS=gzip scripts/deb.sh    # dpkg-deb -Z (default xz: 19 MB in about a
#                                       # minute on 2 cores; gzip 27 MB in 6 s)
#
# Needs: cargo, dpkg-deb (dpkg), strip (binutils); dpkg-shlibdeps
# (dpkg-dev) computes Depends when present, else it is libc6 + libgcc-s1.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
SRC=packaging/debian

command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (Debian package dpkg)"
command -v strip >/dev/null || die "strip is missing (Debian package binutils)"

# The version: [workspace.package] version of Cargo.toml, or DEB_VERSION.
cargo_version=$(awk '
  /^\[/ { section = $0 }
  section == "[workspace.package]" && $1 == "version" { gsub(/[" ]/, "", $3); print $3; exit }
' Cargo.toml)
[ -n "$cargo_version" ] || die "no version in [workspace.package] of Cargo.toml"
VERSION="${DEB_VERSION:-$cargo_version}"
[[ "$VERSION" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "DEB_VERSION=$VERSION is not a Debian version"
ARCH=$(dpkg --print-architecture)

if [ "${DEB_NO_BUILD:-0}" != 1 ]; then
  say "cargo build --release --bin toso (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
  cargo build --release --locked --bin toso
fi
BIN="$CARGO_TARGET_DIR/release/toso"
[ -x "$BIN" ] || die "$BIN is missing (run without DEB_NO_BUILD=1)"

OUT="$CARGO_TARGET_DIR/debian"
ROOT="$OUT/toso_${VERSION}_${ARCH}"
DEB="$OUT/toso_${VERSION}_${ARCH}.deb"
umask 022
rm -rf "$ROOT"
mkdir -p "$ROOT/DEBIAN" "$ROOT/usr/bin" "$ROOT/lib/systemd/system" "$ROOT/etc/toso" \
  "$ROOT/usr/share/doc/toso"

say "assembling $ROOT"
strip --strip-all -o "$ROOT/usr/bin/toso" "$BIN"
chmod 0755 "$ROOT/usr/bin/toso"
for unit in toso.service toso-backup.service toso-backup.timer; do
  install -m 0644 "$SRC/$unit" "$ROOT/lib/systemd/system/$unit"
done
# 0640: the file may come to hold secrets; postinst gives it to group toso.
install -m 0640 "$SRC/toso.toml" "$ROOT/etc/toso/toso.toml"
for script in postinst prerm postrm; do
  install -m 0755 "$SRC/$script" "$ROOT/DEBIAN/$script"
done
printf '/etc/toso/toso.toml\n' >"$ROOT/DEBIAN/conffiles"

doc="$ROOT/usr/share/doc/toso"
sed "s/toso_VERSION_amd64.deb/toso_${VERSION}_${ARCH}.deb/" "$SRC/README.Debian" >"$doc/README.Debian"
gzip -9n "$doc/README.Debian"
# The nginx site README.Debian points to (packaging/nginx/toso.conf).
if [ -f packaging/nginx/toso.conf ]; then
  install -D -m 0644 packaging/nginx/toso.conf "$doc/examples/nginx-toso.conf"
else
  say "WARNING: packaging/nginx/toso.conf is missing: no nginx example in the package"
fi

# toso(1): the program's own --help (in Vietnamese, as the program speaks), with the
# files this package adds.
mkdir -p "$ROOT/usr/share/man/man1"
{
  printf '.TH TOSO 1 "" "toso %s" "User Commands"\n' "$VERSION"
  printf '.SH NAME\ntoso \\- hồ sơ, số liệu và báo cáo của các Tổ công nghệ số cộng đồng\n'
  printf '.SH SYNOPSIS\n.B toso\n.I LỆNH\n[\\fITÙY_CHỌN\\fR]\n'
  printf '.SH DESCRIPTION\nNội dung của \\fBtoso \\-\\-help\\fR; \\fBtoso \\fILỆNH\\fB \\-\\-help\\fR mô tả từng lệnh.\n.PP\n.nf\n'
  "$ROOT/usr/bin/toso" --help | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
  printf '.fi\n.SH FILES\n'
  printf '.TP\n.I /etc/toso/toso.toml\nTệp cấu hình, mọi lệnh đều đọc (\\fBtoso config\\fR cho xem giá trị đang dùng).\n'
  printf '.TP\n.I /var/lib/toso\nThư mục dữ liệu của dịch vụ toso: cơ sở dữ liệu SQLite và các bản sao lưu.\n'
  printf '.SH SEE ALSO\n.I /usr/share/doc/toso/README.Debian\n'
} | gzip -9n >"$ROOT/usr/share/man/man1/toso.1.gz"

# copyright (machine-readable format): Tổ Số's MIT licence, the fonts and
# SQLite built into the binary, and the Rust crates it links statically.
crates=$(cargo tree --locked -p toso-cli -e normal,no-proc-macro --prefix none -f '{p}: {l}' \
  --target "$(rustc -vV | sed -n 's/^host: //p')" 2>/dev/null |
  sed -e 's/ (\*)$//' -e 's/ (proc-macro)//' -e 's/ (\/[^)]*)//' |
  grep -v '^toso-' | sort -u) || die "cargo tree failed"
{
  cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: toso
Comment: Tổ Số, the records and reporting platform of Vietnam's Community
 Digital Technology Teams. /usr/bin/toso is one Rust program that also
 contains, built in: the Liberation Serif fonts (Copyright 2010 Google
 Corporation, 2012 Red Hat, Inc.; OFL-1.1, text below), SQLite (public
 domain, built by the crate libsqlite3-sys), and these Rust crates, each
 under the licence its Cargo.toml declares (name version: SPDX expression):
 .
EOF
  printf '%s\n' "$crates" | sed 's/^/ /'
  cat <<'EOF'

Files: *
Copyright: Tổ Số contributors
License: MIT

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.

License: OFL-1.1
EOF
  # The font licence as shipped beside the fonts (crates/pdf/fonts/OFL.txt),
  # from its preamble on.
  sed -n '/^SIL OPEN FONT LICENSE/,$p' crates/pdf/fonts/OFL.txt |
    sed -e 's/[[:space:]]*$//' -e 's/^$/./' -e 's/^/ /'
} >"$doc/copyright"

# changelog.gz: one entry for this build (Debian wants one in every package),
# dated by the commit it was built from, so that a rebuild gives the same file.
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
dirty=""
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=" (with uncommitted changes)"
when=$(git log -1 --format=%ct 2>/dev/null || date +%s)
maintainer="${DEB_MAINTAINER:-Tổ Số <toso@localhost>}"
printf 'toso (%s) stable; urgency=medium\n\n  * Built from commit %s%s by scripts/deb.sh.\n\n -- %s  %s\n' \
  "$VERSION" "$commit" "$dirty" "$maintainer" "$(LC_ALL=C date -R -u -d "@$when")" |
  gzip -9n >"$doc/changelog.gz"

# Lintian's tags that are choices, not mistakes.
mkdir -p "$ROOT/usr/share/lintian/overrides"
cat >"$ROOT/usr/share/lintian/overrides/toso" <<'EOF'
# A Rust program links its crates statically; lintian recognises FreeType's
# and libyaml's strings in crates that reimplement or embed them (typst's
# font and YAML support).
toso: embedded-library freetype [usr/bin/toso]
toso: embedded-library libyaml [usr/bin/toso]
# It may hold the PostgreSQL password and the metrics token: postinst gives
# it to root:toso 0640; shipped 0640 so it is never world-readable.
toso: non-standard-file-perm 0640 != 0644 [etc/toso/toso.toml]
# postinst uses adduser when present, else useradd (passwd): Depends has
# "adduser | passwd".
toso: maintainer-script-needs-depends-on-adduser adduser (does not satisfy adduser) [postinst:*]
# After a purge and a reinstallation, postinst gives the new user toso the
# files of /var/lib/toso whose owner no longer exists (find -nouser/-nogroup,
# chown -h: no link followed, no other user's file touched).
toso: recursive-privilege-change * [postinst:*]
EOF

# Depends: what the binary links (libc6 and libgcc-s1 for a Rust binary),
# from the shlibs of the installed libraries when dpkg-shlibdeps is there.
depends=""
if command -v dpkg-shlibdeps >/dev/null; then
  scratch=$(mktemp -d)
  mkdir -p "$scratch/debian"
  printf 'Source: toso\n\nPackage: toso\nArchitecture: any\n' >"$scratch/debian/control"
  depends=$(cd "$scratch" && dpkg-shlibdeps -O -e"$ROOT/usr/bin/toso" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p') || depends=""
  rm -rf "$scratch"
fi
if [ -z "$depends" ]; then
  say "dpkg-shlibdeps unavailable or failed: Depends from readelf"
  depends="libc6"
  if readelf -d "$ROOT/usr/bin/toso" 2>/dev/null | grep -q 'libgcc_s.so'; then
    depends="$depends, libgcc-s1"
  fi
fi
# Users and groups are made with adduser when present, else useradd (passwd).
depends="$depends, adduser | passwd"

installed_size=$(du -k -s --apparent-size "$ROOT" | cut -f1)
cat >"$ROOT/DEBIAN/control" <<EOF
Package: toso
Version: $VERSION
Architecture: $ARCH
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Recommends: postgresql-client
Section: web
Priority: optional
Description: records and reports of Vietnam's Community Digital Technology Teams
 Tổ Số keeps the villages, Community Digital Technology Teams (Tổ công nghệ
 số cộng đồng), their members and the directive documents of a commune or a
 province, and computes every figure of a report from them, as of any date,
 with each figure able to list the records behind it. One binary serves the
 web app (SQLite or PostgreSQL) and runs the command-line tools.
 .
 Nền tảng quản lý hồ sơ và báo cáo của Tổ công nghệ số cộng đồng.
 .
 The package runs the web app as the systemd service toso (user toso, data
 in /var/lib/toso, settings in /etc/toso/toso.toml) with a daily backup
 timer; see /usr/share/doc/toso/README.Debian.
EOF

(cd "$ROOT" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print0 |
  sort -z | xargs -0 md5sum | sed 's| \./| |') >"$ROOT/DEBIAN/md5sums"
chmod 0644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/conffiles" "$ROOT/DEBIAN/md5sums"

say "dpkg-deb --build $DEB"
rm -f "$DEB"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" --build "$ROOT" "$DEB" >&2
dpkg-deb --info "$DEB" >&2

if [ "${DEB_LINTIAN:-1}" = 0 ]; then
  say "DEB_LINTIAN=0: lintian not run"
elif command -v lintian >/dev/null; then
  say "lintian $DEB"
  lintian --tag-display-limit 0 "$DEB" >&2 || say "lintian reported errors (above)"
else
  say "lintian is not installed: not run"
fi
printf '%s\n' "$DEB"
