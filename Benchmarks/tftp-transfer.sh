#!/usr/bin/env bash
# TFTP throughput: an 8 MB file fetched with curl (blksize 1468) from autoprovision and, in
# the same run, from tftpd-hpa serving the same bytes. Prints MB/s for each and the ratio.
# Target: at least 1.0x tftpd-hpa.
#
# The file is served through a URI mapping to a template, inserted with sqlite3 because
# templates an admin saves are capped at 256 KB; firmware files will take this path later.
# Needs curl, sqlite3 and tftpd-hpa (apt-get install curl sqlite3 tftpd-hpa). Loopback only.
# Environment: AUTOPROVISION_BIN (skip the build), RUNS (3), SIZE_MB (8).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-8}
for tool in curl sqlite3 /usr/sbin/in.tftpd; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install curl sqlite3 tftpd-hpa" >&2; exit 2; }
done
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
head -c $((SIZE_MB * 1024 * 1024 * 3 / 4)) /dev/urandom | base64 -w 76 > "$tmp/root/bench/firmware.bin"
size=$(stat -c %s "$tmp/root/bench/firmware.bin")
chmod -R a+rX "$tmp"

db="$tmp/tftp.sqlite"
"$AUTOPROVISION_BIN" settings set tftp on --db "$db" >/dev/null
sqlite3 "$db" "INSERT INTO template (name, vendor, body, isVendorDefault, updatedAt) VALUES ('bench', 'yealink', CAST(readfile('$tmp/root/bench/firmware.bin') AS TEXT), 0, datetime('now'));"
"$AUTOPROVISION_BIN" uri add bench/firmware.bin bench --db "$db" >/dev/null

ap_port=$((20000 + RANDOM % 10000)); hpa_port=$((ap_port + 1))
"$AUTOPROVISION_BIN" serve --db "$db" --bind 127.0.0.1 --http-port 0 --agi off --admin off --no-pnp --tftp "127.0.0.1:$ap_port" 2>"$tmp/daemon.log" &
pids+=($!)
/usr/sbin/in.tftpd --foreground --listen --address "127.0.0.1:$hpa_port" --user nobody --secure "$tmp/root" &
pids+=($!)
for _ in $(seq 100); do grep -q "TFTP listening" "$tmp/daemon.log" && break; sleep 0.1; done

measure() { # port -> best MB/s over RUNS, after checking the bytes
    local port=$1 best=0
    curl -s --tftp-blksize 1468 "tftp://127.0.0.1:$port/bench/firmware.bin" -o "$tmp/check"
    cmp -s "$tmp/check" "$tmp/root/bench/firmware.bin" || { echo "port $port served different bytes" >&2; exit 1; }
    for _ in $(seq "$RUNS"); do
        t=$(curl -s --tftp-blksize 1468 "tftp://127.0.0.1:$port/bench/firmware.bin" -o /dev/null -w '%{time_total}')
        best=$(python3 -c "print(max($best, $size / 1e6 / $t))")
    done
    echo "$best"
}
ap=$(measure "$ap_port")
hpa=$(measure "$hpa_port")
printf 'file: %d bytes, blksize 1468, best of %d runs\n' "$size" "$RUNS"
printf 'autoprovision: %.1f MB/s\n' "$ap"
printf 'tftpd-hpa:     %.1f MB/s\n' "$hpa"
printf 'ratio:         %.2fx tftpd-hpa\n' "$(python3 -c "print($ap / $hpa)")"
