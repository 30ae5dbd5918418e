#!/usr/bin/env bash
#
# Load-tests the provisioning HTTP server with wrk: 1,000 phones (one SIP
# account each, spread over the five vendors) fetching their config files,
# then serves the very same bytes as static files from nginx under the same
# load, as a yardstick.
#
# Usage: Benchmarks/http-configs.sh
#
# Environment (all optional):
#   AUTOPROVISION_BIN  use this binary instead of building the release one
#   DURATION           seconds per measured wrk run          (default 15)
#   WARMUP             seconds of unmeasured load before it  (default 2)
#   THREADS            wrk threads                           (default 2)
#   CONNECTIONS        wrk connections                       (default 64)
#   DEVICES            phones / accounts to seed             (default 1000)
#   SEED_JOBS          CLI calls run in parallel to seed     (default 2)
#   AP_PORT            first port tried for autoprovision    (default 18480)
#   NGINX_PORT         first port tried for nginx            (default 18481)
#   NGINX_WORKERS      nginx worker_processes                (default auto)
#   SKIP_NGINX=1       measure autoprovision only
#   GUARD_RUN=0        skip the fetch-guard runs (default: on when run as root)
#   KEEP_TMP=1         keep the temporary directory (database, logs, wrk output)
#
# The main runs contact only 127.0.0.1. The fetch-guard runs (root only) put wrk
# in a network namespace whose veth carries the first phone's MAC, on-link with
# the servers at 10.250.0.1, and fetch that phone's own file: with fetch-guard
# lan (every request checks the neighbour table), then off, then from nginx.

set -euo pipefail

DURATION=${DURATION:-15}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DEVICES=${DEVICES:-1000}
SEED_JOBS=${SEED_JOBS:-2}
AP_PORT=${AP_PORT:-18480}
NGINX_PORT=${NGINX_PORT:-18481}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
SKIP_NGINX=${SKIP_NGINX:-0}
GUARD_RUN=${GUARD_RUN:-$([[ $(id -u) == 0 ]] && echo 1 || echo 0)}
NETNS=apbench$$
KEEP_TMP=${KEEP_TMP:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Tools. Installing them is left to the user: a benchmark should not change
# the machine it measures.

command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk nginx-light)"
command -v curl >/dev/null || die "curl is not installed (apt-get install curl)"
NGINX=""
if [[ $SKIP_NGINX != 1 ]]; then
    NGINX=$(command -v nginx || true)
    [[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
    [[ -z $NGINX ]] && say "nginx not found, comparison skipped (apt-get install wrk nginx-light)"
fi

# ---------------------------------------------------------------------------
# Binary.

if [[ -n ${AUTOPROVISION_BIN:-} && -x ${AUTOPROVISION_BIN} ]]; then
    AP=$AUTOPROVISION_BIN
else
    [[ -n ${AUTOPROVISION_BIN:-} ]] && say "AUTOPROVISION_BIN=$AUTOPROVISION_BIN is not an executable, building instead"
    say "building the release binary (several minutes when clean)"
    (cd "$ROOT" && swift build -c release --product autoprovision) >&2
    AP="$(cd "$ROOT" && swift build -c release --show-bin-path)/autoprovision"
fi
[[ -x $AP ]] || die "no autoprovision binary at $AP"

# ---------------------------------------------------------------------------
# Scratch space and cleanup. Everything started below is stopped on any exit,
# including Ctrl-C, so no server is left holding a port.

TMP=$(mktemp -d "${TMPDIR:-/tmp}/autoprovision-bench.XXXXXX")
AP_PID=""
NGINX_PID=""

# TERM first so both servers shut down cleanly; KILL only if one hangs.
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
    if [[ $GUARD_RUN == 1 ]]; then
        ip link del "vb$$" 2>/dev/null || true
        ip netns del "$NETNS" 2>/dev/null || true
    fi
    if [[ $KEEP_TMP == 1 ]]; then
        say "kept $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A listener answering a connect means the port is taken; move up until one is free.
free_port() {
    local port=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        port=$((port + 1))
    done
    echo "$port"
}

# --noproxy: an http_proxy in the environment must never divert loopback traffic.
http_code() { curl --noproxy '*' -s -o /dev/null -m 2 -w '%{http_code}' "$1" || true; }

# ---------------------------------------------------------------------------
# Seed a fresh database.

DB=$TMP/bench.sqlite
export AP DB

"$AP" settings set pbx-host 10.0.0.1 --db "$DB" >/dev/null

# One OUI per vendor, so the server tells the vendor from the MAC the way it
# does for real phones, and each file-name convention gets its share.
OUIS=(001565 000413 0c383e c074ad 001fc1)
VENDORS=(yealink snom fanvil grandstream htek)

PATHS=$TMP/paths.txt
SEED_LIST=$TMP/seed.txt
: >"$PATHS"
: >"$SEED_LIST"
for ((i = 1; i <= DEVICES; i++)); do
    v=$(( (i - 1) % ${#VENDORS[@]} ))
    mac=${OUIS[v]}$(printf '%06x' "$i")
    ext=$((2000 + i))
    case ${VENDORS[v]} in
        yealink | fanvil) path="/$mac.cfg" ;;
        snom) path="/snomD785-${mac^^}.htm" ;;
        grandstream | htek) path="/cfg$mac.xml" ;;
    esac
    echo "$ext $mac ${VENDORS[v]}" >>"$SEED_LIST"
    echo "$path" >>"$PATHS"
done

# One account and its phone per call of this helper; the password goes through
# the environment because the CLI refuses it on the command line.
cat >"$TMP/seed-one.sh" <<'EOF'
#!/bin/sh
set -e
BENCH_SIP_PASSWORD="bench-secret-$1" \
    "$AP" account add "$1" --password-env BENCH_SIP_PASSWORD --name "Bench $1" --db "$DB" >/dev/null
"$AP" device add "$2" --vendor "$3" --extension "$1" --db "$DB" >/dev/null
EOF
chmod +x "$TMP/seed-one.sh"

say "seeding $DEVICES accounts and $DEVICES devices ($SEED_JOBS CLI calls at a time)"
seed_start=$SECONDS
xargs -P "$SEED_JOBS" -n 3 "$TMP/seed-one.sh" <"$SEED_LIST" || die "seeding failed"
say "seeded in $((SECONDS - seed_start)) s"

# ---------------------------------------------------------------------------
# wrk script. Cycling through every phone's URL, as a mass reboot does, keeps
# either server from answering one hot file out of a cache line. The requests
# are formatted once in init() so Lua costs the same for both servers.

LUA=$TMP/configs.lua
cat >"$LUA" <<EOF
local paths = {}
for line in io.lines("$PATHS") do paths[#paths + 1] = line end

local reqs, n, i = {}, 0, 0
local threads = 0

function setup(thread)
    thread:set("id", threads)
    threads = threads + 1
end

function init(args)
    for k, p in ipairs(paths) do reqs[k] = wrk.format("GET", p) end
    n = #reqs
    -- Threads start at different phones so they do not move in lockstep.
    i = math.floor((id or 0) * n * 0.618) % n
end

function request()
    i = i % n + 1
    return reqs[i]
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f non2xx=%.0f connect=%.0f read=%.0f write=%.0f timeout=%.0f\n",
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
        e.status, e.connect, e.read, e.write, e.timeout))
end
EOF

# Runs an unmeasured warm-up, then the measured run; prints wrk's report and
# leaves its RESULT line in \$TMP/<name>.wrk.
run_wrk() {
    local name=$1 base=$2 lua=${3:-$LUA} prefix=()
    # A fourth argument runs wrk inside that network namespace.
    [[ -n ${4:-} ]] && prefix=(ip netns exec "$4")
    if ((WARMUP > 0)); then
        "${prefix[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$lua" "$base" >/dev/null
    fi
    say "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency against $name"
    "${prefix[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$lua" "$base" | tee "$TMP/$name.wrk" >&2
    grep -q '^RESULT ' "$TMP/$name.wrk" || die "wrk printed no result for $name"
}

# Reads one key=value field of a RESULT line.
field() { grep '^RESULT ' "$TMP/$1.wrk" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

rps() { awk -v r="$(field "$1" requests)" -v d="$(field "$1" duration_us)" 'BEGIN { printf "%.0f", r / (d / 1e6) }'; }
p99_ms() { awk -v u="$(field "$1" p99_us)" 'BEGIN { printf "%.2f", u / 1000 }'; }
socket_errors() {
    echo $(($(field "$1" connect) + $(field "$1" read) + $(field "$1" write) + $(field "$1" timeout)))
}

# ---------------------------------------------------------------------------
# autoprovision.

AP_PORT=$(free_port "$AP_PORT")
AP_BASE=http://127.0.0.1:$AP_PORT
say "starting autoprovision serve on $AP_BASE"
# The guard runs reach it from the namespace, so it listens there too; 127.0.0.1 is still loopback to the guard.
AP_BIND=127.0.0.1
[[ $GUARD_RUN == 1 ]] && AP_BIND=0.0.0.0
"$AP" serve --db "$DB" --bind "$AP_BIND" --http-port "$AP_PORT" --agi off --admin off --no-pnp 2>"$TMP/autoprovision.log" &
AP_PID=$!

ready=0
for _ in $(seq 300); do
    kill -0 "$AP_PID" 2>/dev/null || { cat "$TMP/autoprovision.log" >&2; die "autoprovision serve exited"; }
    if [[ $(http_code "$AP_BASE/") == 200 ]]; then ready=1; break; fi
    sleep 0.1
done
((ready)) || { cat "$TMP/autoprovision.log" >&2; die "autoprovision did not answer $AP_BASE/ within 30 s"; }

# Fetch every config once over one keep-alive connection: this proves all of
# them answer 200 before any load, and yields the exact bytes nginx will serve.
WWW=$TMP/www
mkdir -p "$WWW"
while read -r path; do
    printf 'url = "%s%s"\noutput = "%s%s"\n' "$AP_BASE" "$path" "$WWW" "$path"
done <"$PATHS" >"$TMP/fetch.curl"
curl --noproxy '*' -s -K "$TMP/fetch.curl" -w '%{http_code}\n' >"$TMP/fetch.codes" || die "fetching the configs failed"
ok=$(grep -c '^200$' "$TMP/fetch.codes" || true)
((ok == DEVICES)) || die "only $ok of $DEVICES config URLs answered 200 (see $TMP/fetch.codes; KEEP_TMP=1 keeps it)"

# The served body must be what 'render' says a phone gets, or nginx would be
# benchmarked on different content.
first_mac=$(head -n1 "$SEED_LIST" | cut -d' ' -f2)
"$AP" render "$first_mac" --show-secrets --db "$DB" >"$TMP/render.out"
cmp -s "$TMP/render.out" "$WWW$(head -n1 "$PATHS")" || die "served body of $first_mac differs from 'autoprovision render'"
body_bytes=$(cat "$WWW"/* | wc -c)
say "all $DEVICES configs answer 200 (average body $((body_bytes / DEVICES)) bytes)"

run_wrk autoprovision "$AP_BASE"

# The fetch-guard runs: wrk in a namespace that is the first phone, asking for its own file.
if [[ $GUARD_RUN == 1 ]]; then
    command -v ip >/dev/null || die "GUARD_RUN needs iproute2's ip"
    own_mac=$(head -n1 "$SEED_LIST" | cut -d' ' -f2)
    own_path=$(head -n1 "$PATHS")
    ip netns add "$NETNS"
    ip link add "vb$$" type veth peer name "vp$$"
    ip link set "vp$$" netns "$NETNS"
    ip -n "$NETNS" link set "vp$$" address "$(echo "$own_mac" | sed 's/../&:/g; s/:$//')"
    ip addr add 10.250.0.1/24 dev "vb$$"
    ip -n "$NETNS" addr add 10.250.0.2/24 dev "vp$$"
    ip link set "vb$$" up
    ip -n "$NETNS" link set "vp$$" up
    ip -n "$NETNS" link set lo up
    OWN_LUA=$TMP/own.lua
    cat >"$OWN_LUA" <<LUA
local req
function init(args) req = wrk.format("GET", "$own_path") end
function request() return req end
function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f non2xx=%.0f connect=%.0f read=%.0f write=%.0f timeout=%.0f\\n",
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
        e.status, e.connect, e.read, e.write, e.timeout))
end
LUA
    GUARD_BASE=http://10.250.0.1:$AP_PORT
    code=$(ip netns exec "$NETNS" curl --noproxy '*' -s -o /dev/null -m 2 -w '%{http_code}' "$GUARD_BASE$own_path" || true)
    [[ $code == 200 ]] || die "the phone's namespace got $code for its own file under fetch-guard lan"
    other=$(sed -n 2p "$PATHS")
    code=$(ip netns exec "$NETNS" curl --noproxy '*' -s -o /dev/null -m 2 -w '%{http_code}' "$GUARD_BASE$other" || true)
    [[ $code == 403 ]] || die "the phone's namespace got $code for another phone's file under fetch-guard lan"
    run_wrk guard-lan "$GUARD_BASE" "$OWN_LUA" "$NETNS"
    "$AP" settings set fetch-guard off --db "$DB" >/dev/null
    sleep 1
    run_wrk guard-off "$GUARD_BASE" "$OWN_LUA" "$NETNS"
    "$AP" settings set fetch-guard lan --db "$DB" >/dev/null
fi

# Stopped before nginx starts, so each server has both cores to itself.
stop_pid "$AP_PID"
AP_PID=""
if grep -Eiq 'warning|error|critical' "$TMP/autoprovision.log"; then
    say "autoprovision logged problems:"
    grep -Ei 'warning|error|critical' "$TMP/autoprovision.log" | head -n 5 >&2
fi

# ---------------------------------------------------------------------------
# nginx, serving the same bytes as static files.
#
# worker_processes auto is 2 on a 2-core machine, matching the NIO event loop
# group autoprovision uses (one loop per core). keepalive_requests is raised
# because nginx would otherwise close each connection after 1,000 requests,
# which autoprovision never does. open_file_cache keeps the 1,000 files open,
# the usual setting for static serving; autoprovision answers from memory.

if [[ -n $NGINX ]]; then
    NGINX_PORT=$(free_port "$NGINX_PORT")
    NGINX_BASE=http://127.0.0.1:$NGINX_PORT
    NGINX_DIR=$TMP/nginx
    mkdir -p "$NGINX_DIR/temp"
    # Run as root, nginx's workers become nobody, who must be able to reach the files.
    chmod 711 "$TMP"
    chmod -R a+rX "$WWW"

    cat >"$NGINX_DIR/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
daemon off;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;

events {
    worker_connections 1024;
}

http {
    access_log off;
    default_type text/plain;
    types {
        text/plain      cfg;
        application/xml xml;
        text/html       htm;
    }
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 30s;
    keepalive_requests 1000000;
    open_file_cache max=4096 inactive=60s;

    # Temp paths of its own, so nothing under /var/lib/nginx is needed.
    client_body_temp_path $NGINX_DIR/temp/body;
    proxy_temp_path       $NGINX_DIR/temp/proxy;
    fastcgi_temp_path     $NGINX_DIR/temp/fastcgi;
    uwsgi_temp_path       $NGINX_DIR/temp/uwsgi;
    scgi_temp_path        $NGINX_DIR/temp/scgi;

    server {
        listen 127.0.0.1:$NGINX_PORT;
        $([[ $GUARD_RUN == 1 ]] && echo "listen 10.250.0.1:$NGINX_PORT;")
        root $WWW;
    }
}
EOF

    "$NGINX" -q -t -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" -c "$NGINX_DIR/nginx.conf" \
        || { cat "$NGINX_DIR/error.log" >&2; die "nginx rejected its configuration"; }
    say "starting nginx (worker_processes $NGINX_WORKERS) on $NGINX_BASE"
    "$NGINX" -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" -c "$NGINX_DIR/nginx.conf" &
    NGINX_PID=$!

    ready=0
    first_path=$(head -n1 "$PATHS")
    for _ in $(seq 100); do
        kill -0 "$NGINX_PID" 2>/dev/null || { cat "$NGINX_DIR/error.log" >&2; die "nginx exited"; }
        if [[ $(http_code "$NGINX_BASE$first_path") == 200 ]]; then ready=1; break; fi
        sleep 0.1
    done
    ((ready)) || { cat "$NGINX_DIR/error.log" >&2; die "nginx did not serve $first_path within 10 s"; }

    run_wrk nginx "$NGINX_BASE"
    if [[ $GUARD_RUN == 1 ]]; then run_wrk nginx-own "http://10.250.0.1:$NGINX_PORT" "$OWN_LUA" "$NETNS"; fi
    stop_pid "$NGINX_PID"
    NGINX_PID=""
fi

# ---------------------------------------------------------------------------
# Summary.

status=0
echo
echo "$DEVICES phones, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $(nproc) CPUs shared by wrk and the server"
printf 'autoprovision: %s req/s, p99 %s ms\n' "$(rps autoprovision)" "$(p99_ms autoprovision)"
if [[ -n $NGINX ]]; then
    printf 'nginx:         %s req/s, p99 %s ms   (worker_processes %s)\n' "$(rps nginx)" "$(p99_ms nginx)" "$NGINX_WORKERS"
    printf 'ratio:         %sx nginx\n' "$(awk -v a="$(rps autoprovision)" -v b="$(rps nginx)" 'BEGIN { printf "%.2f", a / b }')"
fi
if [[ $GUARD_RUN == 1 ]]; then
    echo
    echo "one phone fetching its own file from a network namespace on-link with the servers:"
    printf 'fetch-guard lan: %s req/s, p99 %s ms\n' "$(rps guard-lan)" "$(p99_ms guard-lan)"
    printf 'fetch-guard off: %s req/s, p99 %s ms\n' "$(rps guard-off)" "$(p99_ms guard-off)"
    if [[ -n $NGINX ]]; then
        printf 'nginx:           %s req/s, p99 %s ms\n' "$(rps nginx-own)" "$(p99_ms nginx-own)"
        printf 'ratio lan:       %sx nginx\n' "$(awk -v a="$(rps guard-lan)" -v b="$(rps nginx-own)" 'BEGIN { printf "%.2f", a / b }')"
    fi
fi
guard_names=""
[[ $GUARD_RUN == 1 ]] && guard_names="guard-lan guard-off ${NGINX:+nginx-own}"
for name in autoprovision ${NGINX:+nginx} $guard_names; do
    bad=$(field "$name" non2xx)
    sock=$(socket_errors "$name")
    if ((bad > 0)); then
        echo "WARNING: $name answered $bad requests with a status of 400 or more"
        status=1
    fi
    if ((sock > 0)); then
        echo "note: $name: $sock socket errors (connect/read/write/timeout)"
    fi
done
exit "$status"
