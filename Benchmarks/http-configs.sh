#!/usr/bin/env bash
#
# Load-tests the provisioning HTTP server with wrk: 1,000 phones (one SIP
# account each, spread over the five vendors) fetching their config files,
# then serves the very same bytes as static files from nginx under the same
# load, as a yardstick. For each server it reports requests per second, p99
# latency and the server's CPU time per request: wrk and the servers share the
# cores, so throughput moves with the scheduler and the CPU model, while CPU
# time per request is the steadier figure. Each is the median of ROUNDS rounds
# that alternate between the servers.
#
# Targets: CPU per request at most 1.0x nginx's, throughput at least 0.9x.
#
# Usage: Benchmarks/http-configs.sh
#
# Environment (all optional):
#   AUTOPROVISION_BIN  use this binary instead of building the release one
#   ROUNDS             alternating rounds, medians reported  (default 3)
#   DURATION           seconds per measured wrk run          (default 10)
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
#   PROFILE=DIR        after the rounds, profile each server in one more (unmeasured) run
#                      with perf record, and write DIR/<server>.txt: the top symbols, and
#                      the share of the kernel, the Swift runtime, NIO and our own code
#
# The main runs contact only 127.0.0.1 (the fetch guard stays at its default,
# lan, which serves loopback). The fetch-guard runs (root only) put wrk in a
# network namespace whose veth carries the first phone's MAC, on-link with the
# servers at 10.250.0.1, and fetch that phone's own file: with fetch-guard lan
# (every request checks the neighbour table), then off, then from nginx.

set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
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
command -v pgrep >/dev/null || die "pgrep is not installed (apt-get install procps)"
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

# ---------------------------------------------------------------------------
# CPU time. Throughput with wrk and a server sharing two cores depends on the
# scheduler; the CPU time the server spends per request does much less, so both
# are measured. The figure is utime+stime from /proc of the server's processes
# (nginx's master and workers), read just before and after each measured run.

CLK_TCK=$(getconf CLK_TCK)

# The CPU ticks used so far by these processes and their threads.
cpu_ticks() {
    local total=0 pid ticks
    for pid in "$@"; do
        # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
        ticks=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || ticks=0
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}

# The processes of a server by name: nginx is its master and the workers it forked.
server_pids() {
    case $1 in
        autoprovision) echo "$AP_PID" ;;
        nginx) echo "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true) ;;
    esac
}

# Runs an unmeasured warm-up, then the measured run; prints wrk's report and
# leaves its RESULT line, followed by the server's CPU ticks, in \$TMP/<name>.wrk.
# Arguments: the run's name, the server (autoprovision or nginx), the base URL,
# and optionally the wrk script and a network namespace to run wrk in.
run_wrk() {
    local name=$1 server=$2 base=$3 lua=${4:-$LUA} prefix=() pids before after
    [[ -n ${5:-} ]] && prefix=(ip netns exec "$5")
    if ((WARMUP > 0)); then
        "${prefix[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$lua" "$base" >/dev/null
    fi
    pids=$(server_pids "$server")
    say "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency against $name"
    before=$(cpu_ticks $pids)
    "${prefix[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$lua" "$base" >"$TMP/$name.wrk"
    after=$(cpu_ticks $pids)
    grep -v '^RESULT ' "$TMP/$name.wrk" >&2
    grep -q '^RESULT ' "$TMP/$name.wrk" || die "wrk printed no result for $name"
    echo "CPU ticks=$((after - before))" >>"$TMP/$name.wrk"
}

# Reads one key=value field of a run's RESULT line.
field() { grep '^RESULT ' "$TMP/$1.wrk" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

rps() { awk -v r="$(field "$1" requests)" -v d="$(field "$1" duration_us)" 'BEGIN { printf "%.0f", r / (d / 1e6) }'; }
p99_ms() { awk -v u="$(field "$1" p99_us)" 'BEGIN { printf "%.2f", u / 1000 }'; }
# The server's CPU time per request, in microseconds.
cpu_us() {
    local ticks
    ticks=$(sed -n 's/^CPU ticks=//p' "$TMP/$1.wrk")
    awk -v t="$ticks" -v r="$(field "$1" requests)" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz * 1e6 / r }'
}
socket_errors() {
    echo $(($(field "$1" connect) + $(field "$1" read) + $(field "$1" write) + $(field "$1" timeout)))
}

# The median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One measure (rps, p99_ms or cpu_us) of every round of a run, as a median.
median_of() {
    local measure=$1 run=$2 r values=()
    for ((r = 1; r <= ROUNDS; r++)); do values+=("$("$measure" "$run-$r")"); done
    median "${values[@]}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

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
    # A first contact makes the kernel learn the namespace's MAC, and the daemon's cache of the
    # neighbour table follows a moment later: the check below is about the guard, not that moment.
    ip netns exec "$NETNS" curl --noproxy '*' -s -o /dev/null -m 2 "$GUARD_BASE/" || true
    sleep 1
    code=$(ip netns exec "$NETNS" curl --noproxy '*' -s -o /dev/null -m 2 -w '%{http_code}' "$GUARD_BASE$own_path" || true)
    [[ $code == 200 ]] || die "the phone's namespace got $code for its own file under fetch-guard lan"
    other=$(sed -n 2p "$PATHS")
    code=$(ip netns exec "$NETNS" curl --noproxy '*' -s -o /dev/null -m 2 -w '%{http_code}' "$GUARD_BASE$other" || true)
    [[ $code == 403 ]] || die "the phone's namespace got $code for another phone's file under fetch-guard lan"
fi

# ---------------------------------------------------------------------------
# nginx, serving the same bytes as static files. It runs beside autoprovision:
# a server that is not being loaded sleeps in epoll and costs nothing, and
# keeping both up lets the rounds alternate between them.
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
fi

# ---------------------------------------------------------------------------
# The rounds. Each measures every run once; the order of the two servers flips
# from one round to the next, so a machine that gets busier or quieter over
# the minutes favours neither, and the medians keep one noisy round from deciding.

for ((round = 1; round <= ROUNDS; round++)); do
    say "round $round of $ROUNDS"
    order=(autoprovision ${NGINX:+nginx})
    ((round % 2 == 0)) && [[ -n $NGINX ]] && order=(nginx autoprovision)
    for server in "${order[@]}"; do
        if [[ $server == autoprovision ]]; then
            run_wrk "autoprovision-$round" autoprovision "$AP_BASE"
            if [[ $GUARD_RUN == 1 ]]; then
                run_wrk "guard-lan-$round" autoprovision "$GUARD_BASE" "$OWN_LUA" "$NETNS"
                "$AP" settings set fetch-guard off --db "$DB" >/dev/null
                sleep 1
                run_wrk "guard-off-$round" autoprovision "$GUARD_BASE" "$OWN_LUA" "$NETNS"
                "$AP" settings set fetch-guard lan --db "$DB" >/dev/null
                sleep 1
            fi
        else
            run_wrk "nginx-$round" nginx "$NGINX_BASE"
            if [[ $GUARD_RUN == 1 ]]; then run_wrk "nginx-own-$round" nginx "http://10.250.0.1:$NGINX_PORT" "$OWN_LUA" "$NETNS"; fi
        fi
    done
done

# ---------------------------------------------------------------------------
# Profiles. Sampling costs the server time, so it runs apart from the measured rounds.

# Where a server's samples went: by shared object, then the top symbols. (`|| true`: head
# closing the pipe early is not a failure.)
profile_report() {
    local data=$1
    echo "samples by shared object:"
    perf report -i "$data" --stdio --no-children --sort dso -g none --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$' || true
    echo
    echo "top symbols (self):"
    { perf report -i "$data" --stdio --no-children --sort dso,sym -g none --percent-limit 0.3 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 60; } || true
    echo
    echo "top functions including what they call (user space):"
    { perf report -i "$data" --stdio --children --sort sym -g none --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$' | grep -v '\[k\]' | head -n 80; } || true
}

if [[ -n ${PROFILE:-} ]]; then
    command -v perf >/dev/null || die "PROFILE needs perf (apt-get install linux-perf)"
    mkdir -p "$PROFILE"
    for server in autoprovision ${NGINX:+nginx}; do
        base=$AP_BASE
        [[ $server == nginx ]] && base=$NGINX_BASE
        pids=$(server_pids "$server")
        say "profiling $server for ${DURATION}s"
        # -F 999: off the timer tick's multiples, so sampling does not beat with the scheduler.
        perf record -q -F 999 -g -p "$(echo $pids | tr ' ' ',')" -o "$PROFILE/$server.perf.data" -- sleep "$DURATION" 2>/dev/null &
        perf_pid=$!
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$LUA" "$base" >"$TMP/profile-$server.wrk"
        wait "$perf_pid" || true
        profile_report "$PROFILE/$server.perf.data" >"$PROFILE/$server.txt"
        # System calls per request: a count, so it compares across machines.
        say "counting $server's system calls for ${DURATION}s"
        perf stat -x, -e raw_syscalls:sys_enter -p "$(echo $pids | tr ' ' ',')" -o "$TMP/profile-$server.calls" -- sleep "$DURATION" &
        perf_pid=$!
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$LUA" "$base" >"$TMP/calls-$server.wrk"
        wait "$perf_pid" || true
        calls=$(awk -F, '$3 ~ /sys_enter/ { print $1 }' "$TMP/profile-$server.calls")
        requests=$(sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p' "$TMP/calls-$server.wrk")
        printf 'system calls per request: %s (%s calls, %s requests)\n' \
            "$(awk -v c="$calls" -v r="$requests" 'BEGIN { printf "%.2f", c / r }')" "$calls" "$requests" | tee -a "$PROFILE/$server.txt" >&2
        say "wrote $PROFILE/$server.txt"
    done
fi

stop_pid "$AP_PID"
AP_PID=""
stop_pid "$NGINX_PID"
NGINX_PID=""
if grep -Eiq 'warning|error|critical' "$TMP/autoprovision.log"; then
    say "autoprovision logged problems:"
    grep -Ei 'warning|error|critical' "$TMP/autoprovision.log" | head -n 5 >&2
fi

# ---------------------------------------------------------------------------
# Summary.

# One line of the table: the run's medians over the rounds.
row() { printf '%-16s %9s %9s %11s\n' "$1" "$(median_of rps "$2")" "$(median_of p99_ms "$2")" "$(median_of cpu_us "$2")"; }

# The two ratios of a run against nginx's: throughput (higher is better) and CPU per request (lower is better).
ratios() {
    printf '%-16s throughput %sx nginx, CPU per request %sx nginx\n' "$1" \
        "$(ratio "$(median_of rps "$2")" "$(median_of rps "$3")")" "$(ratio "$(median_of cpu_us "$2")" "$(median_of cpu_us "$3")")"
}

runs=(autoprovision ${NGINX:+nginx})
[[ $GUARD_RUN == 1 ]] && runs+=(guard-lan guard-off ${NGINX:+nginx-own})

status=0
echo
echo "$DEVICES phones, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $(nproc) CPUs shared by wrk and the server"
echo "per round (req/s, p99 ms, server CPU µs per request):"
for ((round = 1; round <= ROUNDS; round++)); do
    line="  round $round:"
    for run in "${runs[@]}"; do line+="  $run $(rps "$run-$round") $(p99_ms "$run-$round") $(cpu_us "$run-$round")"; done
    echo "$line"
done
echo
echo "median of $ROUNDS rounds:"
printf '%-16s %9s %9s %11s\n' "" "req/s" "p99 ms" "CPU µs/req"
row autoprovision autoprovision
[[ -n $NGINX ]] && row "nginx" nginx
if [[ -n $NGINX ]]; then
    echo
    ratios "autoprovision:" autoprovision nginx
fi
if [[ $GUARD_RUN == 1 ]]; then
    echo
    echo "one phone fetching its own file from a network namespace on-link with the servers:"
    row "fetch-guard lan" guard-lan
    row "fetch-guard off" guard-off
    if [[ -n $NGINX ]]; then
        row "nginx" nginx-own
        echo
        ratios "fetch-guard lan:" guard-lan nginx-own
    fi
fi
for run in "${runs[@]}"; do
    for ((round = 1; round <= ROUNDS; round++)); do
        bad=$(field "$run-$round" non2xx)
        sock=$(socket_errors "$run-$round")
        if ((bad > 0)); then
            echo "WARNING: $run (round $round) answered $bad requests with a status of 400 or more"
            status=1
        fi
        if ((sock > 0)); then
            echo "note: $run (round $round): $sock socket errors (connect/read/write/timeout)"
        fi
    done
done
exit "$status"
