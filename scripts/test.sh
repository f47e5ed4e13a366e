#!/usr/bin/env bash
# The whole test suite, as the README names it: formatting, lints, every test
# (domain, store, web, CLI) against real SQLite and a real PostgreSQL, the API
# check (scripts/api-check.sh: the OpenAPI document validated, the README's
# API examples run), then the browser tests (scripts/e2e.sh: Playwright driving Debian's Chromium against
# the real binary).
#
# PostgreSQL comes from TEST_DATABASE_URL, else the server on 127.0.0.1:5432,
# else a throwaway cluster this script starts with initdb (and stops at exit).
# Without any PostgreSQL it fails loudly: the PostgreSQL suite is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

pg_answers() { psql "$1" -XAtqc 'SELECT 1' >/dev/null 2>&1; }

find_pg_bin() {
  local tool=$1
  command -v "$tool" 2>/dev/null && return 0
  ls -1d /usr/lib/postgresql/*/bin/"$tool" 2>/dev/null | sort -V | tail -n 1
}

start_throwaway_postgres() {
  local initdb pg_ctl dir port=55432
  initdb=$(find_pg_bin initdb) || true
  pg_ctl=$(find_pg_bin pg_ctl) || true
  [ -n "$initdb" ] && [ -n "$pg_ctl" ] ||
    die "no PostgreSQL reachable and no initdb/pg_ctl to start one (install Debian's 'postgresql' package, or set TEST_DATABASE_URL)"
  dir=$(mktemp -d /tmp/toso-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: run the cluster as the postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    run=(runuser -u postgres --)
  fi
  say "starting a throwaway PostgreSQL cluster in $dir on port $port"
  "${run[@]}" "$initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  "${run[@]}" "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null ||
    { cat "$dir/server.log" >&2; die "the throwaway PostgreSQL did not start"; }
  trap '"${run[@]}" "$pg_ctl" -D "'"$dir"'/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "'"$dir"'"' EXIT
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

command -v psql >/dev/null || die "psql is missing (Debian package postgresql-client)"
command -v pdftotext >/dev/null || die "pdftotext is missing (Debian package poppler-utils): the report tests read the generated PDF"
command -v zbarimg >/dev/null || die "zbarimg is missing (Debian package zbar-tools): the citizens' browser test decodes the poster's QR code"
command -v soffice >/dev/null || die "soffice is missing (Debian package libreoffice-writer-nogui): the report tests convert the generated DOCX"
fc-match -f '%{file}' "Times New Roman" 2>/dev/null | grep -q liberation2 ||
  die "LibreOffice needs Liberation Serif 2 in place of Times New Roman (Debian package fonts-liberation2; version 1.07 lacks Vietnamese letters): the report tests compare its layout"
{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } ||
  die "nginx is missing (Debian package nginx): scripts/nginx-test.sh runs the example site in front of the app"
command -v openssl >/dev/null || die "openssl is missing (Debian package openssl): the nginx test makes a self-signed certificate"
python3 -c 'import openapi_spec_validator' 2>/dev/null ||
  die "openapi-spec-validator is missing (python3 -m pip install openapi-spec-validator): the API check validates the OpenAPI document"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  pg_answers "$TEST_DATABASE_URL" || die "TEST_DATABASE_URL=$TEST_DATABASE_URL does not answer"
elif pg_answers "postgres://postgres@127.0.0.1:5432/postgres"; then
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
else
  start_throwaway_postgres
  pg_answers "$TEST_DATABASE_URL" || die "the throwaway PostgreSQL does not answer"
fi
say "PostgreSQL for the tests: $TEST_DATABASE_URL"

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

say "tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi

say "API document and examples"
bash scripts/api-check.sh

say "behind nginx over HTTPS"
bash scripts/nginx-test.sh

say "Windows: toso.exe cross-compiled, run under Wine"
bash scripts/windows-test.sh

say "Debian package: install, upgrade, backup, removal in a throwaway root, then under a booted systemd"
if [ "$(id -u)" = 0 ]; then
  bash scripts/deb-test.sh
else
  echo "not run: scripts/deb-test.sh needs root (chroot and mounts); CI runs as root"
fi

say "browser tests"
bash scripts/e2e.sh
