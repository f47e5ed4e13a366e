#!/usr/bin/env bash
# Browser tests: start the real toso binary with the demo commune on a free
# loopback port and a throwaway SQLite file, then drive Debian's Chromium with
# Playwright (tests/e2e). Screenshots of each main page land in
# test-artifacts/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROMIUM" ] || die "Chromium is missing (Debian package 'chromium')"
command -v node >/dev/null || die "node is missing"

if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi

cargo build --quiet --bin toso
bin="${CARGO_TARGET_DIR:-target}/debug/toso"

work=$(mktemp -d /tmp/toso-e2e.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn "$bin" serve --demo --bind "127.0.0.1:$port" --database-url "sqlite://$work/toso.db" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log" >&2; die "the server did not start"; }
  sleep 0.2
done

mkdir -p test-artifacts/screenshots
TOSO_URL="http://127.0.0.1:$port" TOSO_SCREENSHOTS="$PWD/test-artifacts/screenshots" CHROMIUM="$CHROMIUM" \
  node --test --test-concurrency=1 tests/e2e/
