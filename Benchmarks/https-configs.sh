#!/usr/bin/env bash
#
# Load-tests the provisioning HTTPS server with wrk, and nginx serving the very
# same bodies with the very same certificate and key in the same run:
#   keepalive   requests per second over kept-alive TLS connections;
#   handshakes  one request per connection, every one a full TLS handshake, as a
#               fleet of phones rebooting after a power cut makes them.
# Rounds alternate between the two servers; the medians are printed.
#
# Usage: Benchmarks/https-configs.sh
#
# Environment (all optional):
#   AUTOPROVISION_BIN  use this binary instead of building the release one
#   DURATION           seconds per measured wrk run   (default 10)
#   ROUNDS             alternating rounds             (default 3)
#   THREADS            wrk threads                    (default 2)
#   CONNECTIONS        wrk connections                (default 64)
#   DEVICES            phones / accounts to seed      (default 200)
#   AP_PORT            first port tried (HTTP; HTTPS is the next free one) (default 18580)
#   NGINX_PORT         first port tried for nginx     (default 18590)
#   KEEP_TMP=1         keep the temporary directory
#
# Only 127.0.0.1 is contacted. The fetch guard stays at its default (lan), so
# every request is checked; loopback is served.

set -euo pipefail

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DEVICES=${DEVICES:-200}
AP_PORT=${AP_PORT:-18580}
NGINX_PORT=${NGINX_PORT:-18590}
KEEP_TMP=${KEEP_TMP:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk nginx-light)"
command -v curl >/dev/null || die "curl is not installed (apt-get install curl)"
NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
[[ -n $NGINX ]] || die "nginx is not installed (apt-get install nginx-light)"

if [[ -n ${AUTOPROVISION_BIN:-} && -x ${AUTOPROVISION_BIN} ]]; then
    AP=$AUTOPROVISION_BIN
else
    say "building the release binary (several minutes when clean)"
    (cd "$ROOT" && swift build -c release --product autoprovision) >&2
    AP="$(cd "$ROOT" && swift build -c release --show-bin-path)/autoprovision"
fi
[[ -x $AP ]] || die "no autoprovision binary at $AP"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/autoprovision-https-bench.XXXXXX")
AP_PID=""
NGINX_PID=""

stop_pid() {
    local pid=$1
    [[ -z $pid ]] && return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    stop_pid "$AP_PID"
    stop_pid "$NGINX_PID"
    if [[ $KEEP_TMP == 1 ]]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    local port=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    echo "$port"
}

# ---------------------------------------------------------------------------
# A database with DEVICES phones, and the certificate both servers present.

DB=$TMP/bench.sqlite
export AP DB
"$AP" settings set pbx-host 127.0.0.1 --db "$DB" >/dev/null
AP_PORT=$(free_port "$AP_PORT")
HTTPS_PORT=$(free_port $((AP_PORT + 1)))
"$AP" settings set http-port "$AP_PORT" --db "$DB" >/dev/null
"$AP" settings set https-port "$HTTPS_PORT" --db "$DB" >/dev/null

OUIS=(001565 000413 0c383e c074ad 001fc1)
VENDORS=(yealink snom fanvil grandstream htek)
PATHS=$TMP/paths.txt
: >"$PATHS"
say "seeding $DEVICES accounts and phones"
for ((i = 1; i <= DEVICES; i++)); do
    v=$(((i - 1) % ${#VENDORS[@]}))
    mac=${OUIS[v]}$(printf '%06x' "$i")
    ext=$((2000 + i))
    case ${VENDORS[v]} in
        yealink | fanvil) path="/$mac.cfg" ;;
        snom) path="/snomD785-${mac^^}.htm" ;;
        grandstream | htek) path="/cfg$mac.xml" ;;
    esac
    BENCH_SIP_PASSWORD="bench-secret-$ext" "$AP" account add "$ext" --password-env BENCH_SIP_PASSWORD --db "$DB" >/dev/null
    "$AP" device add "$mac" --vendor "${VENDORS[v]}" --extension "$ext" --db "$DB" >/dev/null
    echo "$path" >>"$PATHS"
done
"$AP" tls generate --host localhost --db "$DB" >"$TMP/tls.out"
CA=$TMP/tls/ca.pem
[[ -f $CA ]] || die "tls generate made no CA ($(cat "$TMP/tls.out"))"

"$AP" serve --db "$DB" --bind 127.0.0.1 --agi off --admin off --no-pnp 2>"$TMP/autoprovision.log" &
AP_PID=$!
AP_BASE=https://127.0.0.1:$HTTPS_PORT
for _ in $(seq 300); do
    kill -0 "$AP_PID" 2>/dev/null || { cat "$TMP/autoprovision.log" >&2; die "autoprovision serve exited"; }
    [[ $(curl --noproxy '*' -s -o /dev/null -m 2 --cacert "$CA" -w '%{http_code}' "$AP_BASE/" || true) == 200 ]] && break
    sleep 0.1
done

# nginx serves the bytes the daemon serves, fetched over HTTPS.
WWW=$TMP/www
mkdir -p "$WWW"
while read -r path; do printf 'url = "%s%s"\noutput = "%s%s"\n' "$AP_BASE" "$path" "$WWW" "$path"; done <"$PATHS" >"$TMP/fetch.curl"
curl --noproxy '*' -s --cacert "$CA" -K "$TMP/fetch.curl" -w '%{http_code}\n' >"$TMP/fetch.codes" || die "fetching the configs failed"
ok=$(grep -c '^200$' "$TMP/fetch.codes" || true)
((ok == DEVICES)) || die "only $ok of $DEVICES config URLs answered 200 over HTTPS"

NGINX_PORT=$(free_port "$NGINX_PORT")
NGINX_DIR=$TMP/nginx
mkdir -p "$NGINX_DIR/temp"
chmod 711 "$TMP"
chmod -R a+rX "$WWW" "$TMP/tls"
cat >"$NGINX_DIR/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type text/plain;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 30s;
    keepalive_requests 1000000;
    open_file_cache max=4096 inactive=60s;
    client_body_temp_path $NGINX_DIR/temp/body;
    proxy_temp_path $NGINX_DIR/temp/proxy;
    fastcgi_temp_path $NGINX_DIR/temp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/temp/uwsgi;
    scgi_temp_path $NGINX_DIR/temp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        ssl_certificate $TMP/tls/server.pem;
        ssl_certificate_key $TMP/tls/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384;
        root $WWW;
    }
}
EOF
"$NGINX" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" &
NGINX_PID=$!
NGINX_BASE=https://127.0.0.1:$NGINX_PORT
for _ in $(seq 100); do
    [[ $(curl --noproxy '*' -s -o /dev/null -m 2 --cacert "$CA" -w '%{http_code}' "$NGINX_BASE$(head -n1 "$PATHS")" || true) == 200 ]] && break
    sleep 0.1
done

# ---------------------------------------------------------------------------
# wrk: every phone's URL in turn; "close" asks for one request per connection.

make_lua() {
    local close=$1
    cat <<EOF
local paths = {}
for line in io.lines("$PATHS") do paths[#paths + 1] = line end
local reqs, n, i = {}, 0, 0
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
function init(args)
    local headers = $([[ $close == 1 ]] && echo '{ ["Connection"] = "close" }' || echo 'nil')
    for k, p in ipairs(paths) do reqs[k] = wrk.format("GET", p, headers) end
    n = #reqs
    i = math.floor((id or 0) * n * 0.618) % n
end
function request() i = i % n + 1; return reqs[i] end
function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT requests=%.0f duration_us=%.0f p99_us=%.0f non2xx=%.0f errors=%.0f\n",
        summary.requests, summary.duration, latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
EOF
}
make_lua 0 >"$TMP/keepalive.lua"
make_lua 1 >"$TMP/handshakes.lua"

field() { grep '^RESULT ' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# One measured run; prints "rps p99_ms".
measure() {
    local base=$1 lua=$2 out=$TMP/run.$$.$RANDOM
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$lua" "$base" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$lua" "$base" >"$out"
    grep -q '^RESULT ' "$out" || die "wrk printed no result against $base"
    [[ $(field "$out" non2xx) == 0 ]] || die "non-2xx answers from $base: $(cat "$out")"
    awk -v r="$(field "$out" requests)" -v d="$(field "$out" duration_us)" -v p="$(field "$out" p99_us)" \
        'BEGIN { printf "%.0f %.2f\n", r / (d / 1e6), p / 1000 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for kind in keepalive handshakes; do
    : >"$TMP/$kind.ap"
    : >"$TMP/$kind.nginx"
    for ((round = 1; round <= ROUNDS; round++)); do
        read -r rps p99 < <(measure "$AP_BASE" "$TMP/$kind.lua")
        echo "$rps $p99" >>"$TMP/$kind.ap"
        say "$kind round $round: autoprovision $rps req/s, p99 $p99 ms"
        read -r rps p99 < <(measure "$NGINX_BASE" "$TMP/$kind.lua")
        echo "$rps $p99" >>"$TMP/$kind.nginx"
        say "$kind round $round: nginx         $rps req/s, p99 $p99 ms"
    done
done

printf '\n%-11s %14s %14s %8s %12s %12s\n' "run" "autoprovision" "nginx" "ratio" "p99 ap ms" "p99 nginx ms"
for kind in keepalive handshakes; do
    ap=$(cut -d' ' -f1 "$TMP/$kind.ap" | median)
    ng=$(cut -d' ' -f1 "$TMP/$kind.nginx" | median)
    ap99=$(cut -d' ' -f2 "$TMP/$kind.ap" | median)
    ng99=$(cut -d' ' -f2 "$TMP/$kind.nginx" | median)
    printf '%-11s %14s %14s %8s %12s %12s\n' "$kind" "$ap" "$ng" "$(awk -v a="$ap" -v n="$ng" 'BEGIN { printf "%.2f", a / n }')" "$ap99" "$ng99"
done
echo "(medians of $ROUNDS alternating rounds of ${DURATION}s; targets: keepalive >= 0.8, handshakes >= 0.7 of nginx, p99 < 30 ms)"
if grep -Eiq 'error|critical' "$TMP/autoprovision.log"; then
    say "autoprovision logged problems:"
    grep -Ei 'error|critical' "$TMP/autoprovision.log" | head -n 5 >&2
fi
