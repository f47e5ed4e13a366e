#!/usr/bin/env bash
# Tổ Số behind nginx over HTTPS, as packaging/nginx/toso.conf sets it up:
# the example file is run as written (only ports and certificate paths
# replaced) with a self-signed certificate, in front of the real `toso
# serve --demo` reading a configuration file. Checks that plain HTTP is sent
# to HTTPS, the cookies are Secure, the rate limits see each client's own
# address (two loopback addresses stand for two clients), nginx caps each
# client's open requests (limit_conn, lowered to 2 here), the villages' QR
# codes carry the https address, and /metrics is not served through the
# proxy. Needs nginx, openssl, curl, pdftoppm and zbarimg (scripts/test.sh
# checks them; .ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
pass() { printf 'PASS: %s\n' "$*"; }
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$NGINX" ] || die "nginx is missing (Debian package nginx)"
for tool in openssl curl pdftoppm zbarimg; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done

cargo build --quiet --bin toso
bin="${CARGO_TARGET_DIR:-target}/debug/toso"

work=$(mktemp -d /tmp/toso-nginx.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
app_port=$(free_port); tls_port=$(free_port); http_port=$(free_port)
host=toso.test
server=""; nginx_started=""
cleanup() {
  [ -n "$nginx_started" ] && "$NGINX" -p "$work" -c "$work/nginx.conf" -s stop 2>/dev/null || true
  [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

# A self-signed certificate for toso.test.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$host" \
  -addext "subjectAltName=DNS:$host" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# The example site, with this run's ports and certificate.
sed -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
    -e "/listen \[::\]:80;/d" \
    -e "s|listen 443 ssl;|listen 127.0.0.1:$tls_port ssl;|" \
    -e "/listen \[::\]:443 ssl;/d" \
    -e "s|/etc/ssl/certs/toso.example.vn.pem|$work/cert.pem|" \
    -e "s|/etc/ssl/private/toso.example.vn.key|$work/key.pem|" \
    -e "s|toso.example.vn|$host|g" \
    -e "s|127.0.0.1:8080|127.0.0.1:$app_port|" \
    -e "s|limit_conn toso_per_client 128;|limit_conn toso_per_client 2;|" \
    packaging/nginx/toso.conf >"$work/site.conf"
grep -q "$app_port" "$work/site.conf" || die "the example no longer proxies to 127.0.0.1:8080"
# The per-client cap, lowered from the example's 128 to 2 so that a test
# can reach it (this run's nginx has 64 connections in all).
grep -q "limit_conn toso_per_client 2;" "$work/site.conf" || die "the example no longer caps each client (limit_conn toso_per_client 128)"
mkdir -p "$work/logs" "$work/tmp"
cat >"$work/nginx.conf" <<EOF
daemon on;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log $work/logs/access.log;
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  include $work/site.conf;
}
EOF
"$NGINX" -t -p "$work" -c "$work/nginx.conf" 2>"$work/nginx-t.log" || { cat "$work/nginx-t.log" >&2; die "nginx -t refused the example"; }

# Tổ Số from a configuration file, as the package runs it (public_url unset:
# the QR codes follow the Host and the scheme nginx passes on).
cat >"$work/toso.toml" <<EOF
database_url = "sqlite://$work/toso.db"
bind = "127.0.0.1:$app_port"
trusted_proxies = ["127.0.0.1", "::1"]
log_level = "warn"
EOF
TOSO_CONFIG="$work/toso.toml" "$bin" serve --demo >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$app_port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; die "toso did not start"; }
  sleep 0.2
done
"$NGINX" -p "$work" -c "$work/nginx.conf"
nginx_started=1

base="https://$host:$tls_port"
# curl as a client at address $1 (127.0.0.x), trusting the test's certificate.
client() {
  local from=$1; shift
  curl -s --interface "$from" --cacert "$work/cert.pem" --resolve "$host:$tls_port:127.0.0.1" "$@"
}

status=$(client 127.0.0.5 -o /dev/null -w '%{http_code}' "$base/readyz")
[ "$status" = 200 ] || die "/readyz through nginx answered $status"
pass "the app answers through nginx over HTTPS (TLS checked against the test's certificate)"

location=$(curl -s -o /dev/null -w '%{redirect_url}' --resolve "$host:$http_port:127.0.0.1" "http://$host:$http_port/login")
case "$location" in https://"$host"/login) ;; *) die "plain HTTP is not sent to HTTPS: '$location'";; esac
pass "plain HTTP is redirected to HTTPS"

# The login page's CSRF cookie, then a sign-in: both cookies Secure.
jar="$work/jar"
headers=$(client 127.0.0.5 -c "$jar" -D - -o "$work/login.html" "$base/login")
grep -i '^set-cookie: toso_csrf=.*; Secure' <<<"$headers" >/dev/null || die "the CSRF cookie is not Secure: $headers"
csrf=$(awk '$6 == "toso_csrf" {print $7}' "$jar")
[ -n "$csrf" ] || die "no CSRF cookie"
headers=$(client 127.0.0.5 -b "$jar" -c "$jar" -D - -o /dev/null \
  --data-urlencode "csrf=$csrf" --data-urlencode "login=canboxa" \
  --data-urlencode "password=toso-demo" --data-urlencode "next=/" "$base/login")
grep -q '^HTTP/[0-9.]* 303' <<<"$headers" || die "sign-in through nginx failed: $headers"
grep -i '^set-cookie: toso_session=.*; Secure' <<<"$headers" >/dev/null || die "the session cookie is not Secure: $headers"
pass "the CSRF and session cookies are Secure behind TLS"

# Twenty failed sign-ins from one client (127.0.0.7) lock that client out;
# another client (127.0.0.8) still signs in. Were the proxy's own address
# counted, both would be locked out.
for i in $(seq 1 20); do
  client 127.0.0.7 -b "$jar" -o /dev/null --data-urlencode "csrf=$csrf" \
    --data-urlencode "login=khong-co-$i" --data-urlencode "password=sai-mat-khau" "$base/login"
done
status=$(client 127.0.0.7 -b "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" \
  --data-urlencode "login=canboxa" --data-urlencode "password=toso-demo" "$base/login")
[ "$status" = 429 ] || die "the 21st attempt from 127.0.0.7 answered $status, not 429"
status=$(client 127.0.0.8 -b "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" \
  --data-urlencode "login=canboxa" --data-urlencode "password=toso-demo" "$base/login")
[ "$status" = 303 ] || die "another client (127.0.0.8) was refused too: $status"
pass "the sign-in limit counts each client's own address, not nginx's"

# The commune's posters: the QR code of the first village opens its page
# over https at the address the citizen used.
status=$(client 127.0.0.5 -b "$jar" -o "$work/posters.pdf" -w '%{http_code}' "$base/communes/11914/posters.pdf")
[ "$status" = 200 ] || die "the posters answered $status"
pdftoppm -r 150 -png -f 1 -l 1 "$work/posters.pdf" "$work/poster"
codes=$(zbarimg -q --raw "$work"/poster*.png 2>/dev/null || true)
grep -q "^$base/v/" <<<"$codes" || die "the poster's QR codes do not carry $base/v/…: $codes"
pass "the villages' QR codes carry the https address ($(grep "^$base/v/" <<<"$codes" | head -1))"

# The per-client cap on open requests: two uploads from 127.0.0.9 held
# open (their bodies trickle at 1 byte a second; nginx counts a request
# from its headers on), a third request from that client is refused with
# 503, while another client (127.0.0.10) is served.
head -c 4096 /dev/zero >"$work/slow-body"
slow=()
for _ in 1 2; do
  client 127.0.0.9 -o /dev/null --limit-rate 1 --max-time 60 \
    --data-binary @"$work/slow-body" "$base/login" &
  slow+=($!)
done
refused=""
for _ in $(seq 1 50); do
  sleep 0.2
  status=$(client 127.0.0.9 -o /dev/null -w '%{http_code}' "$base/readyz")
  [ "$status" = 503 ] && { refused=1; break; }
done
kill "${slow[@]}" 2>/dev/null || true
wait "${slow[@]}" 2>/dev/null || true
[ -n "$refused" ] || die "a third open request from one client was not refused (last answer $status)"
status=$(client 127.0.0.10 -o /dev/null -w '%{http_code}' "$base/readyz")
[ "$status" = 200 ] || die "another client (127.0.0.10) was refused too: $status"
pass "nginx caps each client's open requests (limit_conn), not everyone's"

status=$(client 127.0.0.5 -o /dev/null -w '%{http_code}' "$base/metrics")
[ "$status" = 404 ] || die "/metrics through nginx answered $status"
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$app_port/metrics")
[ "$status" = 200 ] || die "/metrics on the server itself answered $status"
pass "/metrics is read on the server itself, not through nginx"
echo "nginx: all checks passed"
