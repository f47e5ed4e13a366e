#!/usr/bin/env bash
# The JSON API as a new user meets it: the OpenAPI document the binary
# prints is validated by openapi-spec-validator (PyPI), then the README's
# examples run against `toso serve --demo` with a token made by `toso user
# token`: the curl calls and examples/api_client.py (Python standard
# library), each logging an activity twice with one Idempotency-Key; the
# database must hold one activity more for each, not two.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

python3 -c 'import openapi_spec_validator' 2>/dev/null ||
  die "openapi-spec-validator is missing (python3 -m pip install openapi-spec-validator)"

cargo build --quiet --bin toso
bin="${CARGO_TARGET_DIR:-target}/debug/toso"
work=$(mktemp -d /tmp/toso-api.XXXXXX)

"$bin" openapi >"$work/openapi.json"
python3 -m openapi_spec_validator "$work/openapi.json"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
db="sqlite://$work/toso.db"
RUST_LOG=warn "$bin" serve --demo --bind "127.0.0.1:$port" --database-url "$db" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log" >&2; die "the server did not start"; }
  sleep 0.2
done

# The README's steps, as written there.
TOSO_TOKEN=$(DATABASE_URL="$db" "$bin" user token --username canboxa --name vi-du --scope write | tail -n 1)
export TOSO_URL="http://127.0.0.1:$port" TOSO_TOKEN
curl -fsS -H "Authorization: Bearer $TOSO_TOKEN" \
  "$TOSO_URL/api/v1/communes/11914/indicators?as_of=2025-11-30" >"$work/indicators.json"
python3 - "$work/indicators.json" <<'PY'
import json, sys
table = json.load(open(sys.argv[1]))
values = {i["key"]: i for i in table["indicators"]}
assert values["villages"]["value"] == 58, values["villages"]
assert values["contest_registrations"]["display"] == "1.440", values["contest_registrations"]
print("curl: %s, %s thôn, %s lượt dự thi" % (table["node_name"], values["villages"]["value"], values["contest_registrations"]["display"]))
PY
count() {
  curl -fsS -H "Authorization: Bearer $TOSO_TOKEN" \
    "$TOSO_URL/api/v1/communes/11914/activities?by=category" |
    python3 -c 'import json,sys; print(sum(r["activities"] for r in json.load(sys.stdin)["rows"]))'
}
before=$(count)
# The README's curl write, sent twice with its key: one activity.
for attempt in 1 2; do
  curl -fsS -H "Authorization: Bearer $TOSO_TOKEN" -H "Content-Type: application/json" \
    -H "Idempotency-Key: 6f1c2d9e-5b7a-4e0c-9a3d-2b8f4c1e7a90" \
    -d '{"activity_date":"2025-12-01","category":"vneid","citizens_helped":2}' \
    "$TOSO_URL/api/v1/communes/11914/teams/1/activities" >"$work/curl-$attempt.json"
done
cmp -s "$work/curl-1.json" "$work/curl-2.json" || die "the repeated curl write answered differently"
python3 examples/api_client.py | tee "$work/example.txt"
after=$(count)
[ "$after" -eq $((before + 2)) ] || die "the examples recorded $((after - before)) activities, not 2"
grep -q "trả lại kết quả cũ: có" "$work/example.txt" || die "the repeat was not replayed"
echo "API check: the document validates; the examples read the figures and logged one activity each, once"
