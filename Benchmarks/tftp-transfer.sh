#!/usr/bin/env bash
# TFTP serving cost: an 8 MB file fetched with curl (blksize 1468) from autoprovision and, in
# the same run, from tftpd-hpa serving the same bytes. For each server it reports throughput
# (MB/s), the p99 of the transfer times, and the server's CPU time per MB sent: curl and the
# servers share the cores, so throughput moves with the scheduler, while CPU per MB is the
# steadier figure. Each is the median of ROUNDS rounds that alternate between the servers.
# Targets: CPU per MB at most 1.0x tftpd-hpa's; throughput at least 1.0x.
#
# CPU time is perf's task-clock of the server's process over each round. `perf stat -p`
# follows the processes a server forks after it attaches, which matters: tftpd-hpa serves
# each transfer from a child of its own, and its parent does not wait for them, so /proc's
# utime and cutime of the parent would show nothing. The server's system calls are counted
# too, reported per 1468-byte block (a count, so the same on every machine), but in a transfer
# of their own before the rounds: a tracepoint on every system call costs the server time, more
# for the server that makes more calls, so it is never on while CPU time is measured.
#
# Both servers and curl run pinned to one CPU (PIN_CPU, default the last one). TFTP is
# lock-step: each block waits for its ACK, so with client and server on different CPUs every
# block costs two cross-CPU wake-ups, and on a virtual machine those cost more than the
# server's own work and vary several-fold from round to round (20 to 150 ms/MB seen on a
# 2-vCPU guest, against 7.5 to 8.5 pinned). Pinned, each wake-up is a switch on the same CPU,
# the same for both servers, and the figure measures the servers. PIN_CPU=none turns it off.
#
# The file is served through a URI mapping to a template, inserted with sqlite3 because
# templates an admin saves are capped at 256 KB. Firmware files take the same transfer path.
# Needs curl, sqlite3, perf and tftpd-hpa (apt-get install curl sqlite3 linux-perf tftpd-hpa), and
# the right to attach perf to the servers (root, or kernel.perf_event_paranoid <= 1). Loopback only.
# Environment: AUTOPROVISION_BIN (skip the build), ROUNDS (3), FETCHES per round and server (10), SIZE_MB (8),
# PIN_CPU (a CPU number, or none), PROFILE (a directory: after the rounds, each server is sampled with
# perf record over FETCHES more transfers, and DIR/<server>.txt gets its top entries).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
FETCHES=${FETCHES:-10}
SIZE_MB=${SIZE_MB:-8}
PIN_CPU=${PIN_CPU:-$(($(nproc) - 1))}
for tool in curl sqlite3 python3 perf taskset /usr/sbin/in.tftpd; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install curl sqlite3 python3 linux-perf tftpd-hpa util-linux" >&2; exit 2; }
done
pin=()
[[ $PIN_CPU == none ]] || pin=(taskset -c "$PIN_CPU")
if [[ -z ${AUTOPROVISION_BIN:-} ]]; then
    swift build -c release --product autoprovision >&2
    AUTOPROVISION_BIN="$(swift build -c release --show-bin-path)/autoprovision"
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# Printable text without '{' (no placeholders to substitute), about SIZE_MB megabytes.
mkdir -p "$tmp/root/bench"
head -c $((SIZE_MB * 1024 * 1024 * 3 / 4)) /dev/urandom | base64 -w 76 >"$tmp/root/bench/firmware.bin"
size=$(stat -c %s "$tmp/root/bench/firmware.bin")
chmod -R a+rX "$tmp"

db="$tmp/tftp.sqlite"
"$AUTOPROVISION_BIN" settings set tftp on --db "$db" >/dev/null
sqlite3 "$db" "INSERT INTO template (name, vendor, body, isVendorDefault, updatedAt) VALUES ('bench', 'yealink', CAST(readfile('$tmp/root/bench/firmware.bin') AS TEXT), 0, datetime('now'));"
"$AUTOPROVISION_BIN" uri add bench/firmware.bin bench --db "$db" >/dev/null

ap_port=$((20000 + RANDOM % 10000))
hpa_port=$((ap_port + 1))
"${pin[@]}" "$AUTOPROVISION_BIN" serve --db "$db" --bind 127.0.0.1 --http-port 0 --agi off --admin off --no-pnp --tftp "127.0.0.1:$ap_port" 2>"$tmp/daemon.log" &
ap_pid=$!
pids+=("$ap_pid")
"${pin[@]}" /usr/sbin/in.tftpd --foreground --listen --address "127.0.0.1:$hpa_port" --user nobody --secure "$tmp/root" &
hpa_pid=$!
pids+=("$hpa_pid")
for _ in $(seq 100); do grep -q "TFTP listening" "$tmp/daemon.log" && break; sleep 0.1; done

# The server's system calls over one transfer, counted apart from the timed rounds.
count_calls() { # name port pid
    local name=$1 port=$2 pid=$3 perf_pid
    perf stat -x, -e raw_syscalls:sys_enter -p "$pid" -o "$tmp/$name.calls.perf" &
    perf_pid=$!
    sleep 0.2
    "${pin[@]}" curl -s --tftp-blksize 1468 "tftp://127.0.0.1:$port/bench/firmware.bin" -o /dev/null
    sleep 0.2
    kill -INT "$perf_pid"
    wait "$perf_pid" || true
    awk -F, '$3 ~ /sys_enter/ { print $1 }' "$tmp/$name.calls.perf" >"$tmp/$name.calls"
}

# One round against one server: FETCHES transfers, timed one by one, under `perf stat`; leaves the
# transfer times and the server's CPU milliseconds in files.
round() { # name port pid round
    local name=$1 port=$2 pid=$3 r=$4 perf_pid
    perf stat -x, -e task-clock -p "$pid" -o "$tmp/$name-$r.perf" &
    perf_pid=$!
    sleep 0.2 # perf attaches before the first transfer
    for _ in $(seq "$FETCHES"); do
        "${pin[@]}" curl -s --tftp-blksize 1468 "tftp://127.0.0.1:$port/bench/firmware.bin" -o /dev/null -w '%{time_total}\n' >>"$tmp/$name-$r.times"
    done
    # tftpd-hpa's last child sends its last packet a moment after curl has the last block.
    sleep 0.2
    kill -INT "$perf_pid"
    wait "$perf_pid" || true
    awk -F, '$3 ~ /^task-clock/ { print $1 }' "$tmp/$name-$r.perf" >"$tmp/$name-$r.ms"
    [[ -s "$tmp/$name-$r.ms" ]] || { echo "perf measured nothing for $name; see $tmp/$name-$r.perf" >&2; cat "$tmp/$name-$r.perf" >&2; exit 1; }
}

for server in "autoprovision $ap_port" "tftpd-hpa $hpa_port"; do
    set -- $server
    curl -s --tftp-blksize 1468 "tftp://127.0.0.1:$2/bench/firmware.bin" -o "$tmp/check"
    cmp -s "$tmp/check" "$tmp/root/bench/firmware.bin" || { echo "$1 served different bytes" >&2; exit 1; }
done
count_calls autoprovision "$ap_port" "$ap_pid"
count_calls tftpd-hpa "$hpa_port" "$hpa_pid"

for ((r = 1; r <= ROUNDS; r++)); do
    echo "==> round $r of $ROUNDS" >&2
    if ((r % 2)); then
        round autoprovision "$ap_port" "$ap_pid" "$r"
        round tftpd-hpa "$hpa_port" "$hpa_pid" "$r"
    else
        round tftpd-hpa "$hpa_port" "$hpa_pid" "$r"
        round autoprovision "$ap_port" "$ap_pid" "$r"
    fi
done

# Profiles, apart from the timed rounds: sampling costs the server time. `-F 999` stays off the
# multiples of the timer tick; `|| true` because head closing the pipe early is no failure.
if [[ -n ${PROFILE:-} ]]; then
    mkdir -p "$PROFILE"
    for server in "autoprovision $ap_port $ap_pid" "tftpd-hpa $hpa_port $hpa_pid"; do
        set -- $server
        echo "==> profiling $1" >&2
        perf record -q -F 999 -g -p "$3" -o "$PROFILE/$1.perf.data" &
        perf_pid=$!
        sleep 0.2
        for _ in $(seq "$FETCHES"); do
            "${pin[@]}" curl -s --tftp-blksize 1468 "tftp://127.0.0.1:$2/bench/firmware.bin" -o /dev/null
        done
        sleep 0.2
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
        {
            echo "samples by shared object:"
            perf report -i "$PROFILE/$1.perf.data" --stdio --no-children --sort dso -g none --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$' || true
            echo
            echo "top symbols (self):"
            perf report -i "$PROFILE/$1.perf.data" --stdio --no-children --sort dso,sym -g none --percent-limit 0.3 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 50 || true
        } >"$PROFILE/$1.txt"
        echo "==> wrote $PROFILE/$1.txt" >&2
    done
fi

# Per round: MB/s over its transfers, CPU ms per MB; then medians over the rounds, the p99 of
# every transfer time, and the ratios.
python3 - "$tmp" "$size" "$FETCHES" "$ROUNDS" "$PIN_CPU" <<'PY'
import math, statistics, sys
tmp, size, fetches, rounds, pin = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
mb = size / 1e6
blocks = math.ceil((size + 1) / 1468)  # the last block is short, or empty when the size is a multiple
result = {}
where = "all on CPU " + pin if pin != "none" else "unpinned"
print(f"file: {size} bytes, blksize 1468, {fetches} transfers per round and server, {rounds} rounds, {where}")
for name in ("autoprovision", "tftpd-hpa"):
    rates, costs, times = [], [], []
    for r in range(1, rounds + 1):
        ts = [float(t) for t in open(f"{tmp}/{name}-{r}.times").read().split()]
        cpu_ms = float(open(f"{tmp}/{name}-{r}.ms").read())
        times += ts
        rates.append(mb * len(ts) / sum(ts))
        costs.append(cpu_ms / (mb * len(ts)))
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))] * 1000
    calls = float(open(f"{tmp}/{name}.calls").read()) / blocks
    result[name] = (statistics.median(rates), statistics.median(costs), p99, calls)
    print(f"{name + ':':15} rounds " + ", ".join(f"{a:.1f} MB/s {c:.2f} ms/MB" for a, c in zip(rates, costs)))
print()
print(f"median of {rounds} rounds:")
print(f"{'':15} {'MB/s':>8} {'p99 transfer ms':>16} {'CPU ms/MB':>10} {'syscalls/block':>15}")
for name, (rate, cost, p99, call) in result.items():
    print(f"{name:15} {rate:8.1f} {p99:16.1f} {cost:10.2f} {call:15.2f}")
a, h = result["autoprovision"], result["tftpd-hpa"]
print()
print(f"autoprovision: throughput {a[0] / h[0]:.2f}x tftpd-hpa, CPU per MB {a[1] / h[1]:.2f}x tftpd-hpa")
PY
