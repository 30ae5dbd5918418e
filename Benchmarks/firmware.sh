#!/usr/bin/env bash
# Firmware repository: adds a 64 MB file with the CLI and prints MB/s and the process's peak
# resident memory (target: under 16 MB more than a run that adds a tiny file, i.e. streamed),
# then serves it to 8 parallel curl downloads and prints the aggregate MB/s. Loopback only.
# Environment: AUTOPROVISION_BIN (skip the build), SIZE_MB (64), CLIENTS (8).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-64}
CLIENTS=${CLIENTS:-8}
[[ -x /usr/bin/time ]] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
if [[ -z ${AUTOPROVISION_BIN:-} ]]; then
    swift build -c release --product autoprovision >&2
    AUTOPROVISION_BIN="$(swift build -c release --show-bin-path)/autoprovision"
fi
tmp=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
db="$tmp/fw.sqlite"
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$tmp/big.rom"
head -c 1024 /dev/urandom > "$tmp/tiny.bin"
"$AUTOPROVISION_BIN" settings set pbx-host 127.0.0.1 --db "$db" >/dev/null
base_kb=$( { /usr/bin/time -f '%M' "$AUTOPROVISION_BIN" firmware add "$tmp/tiny.bin" --vendor grandstream --db "$db" >/dev/null; } 2>&1 | tail -1)
start=$(date +%s.%N)
big_kb=$( { /usr/bin/time -f '%M' "$AUTOPROVISION_BIN" firmware add "$tmp/big.rom" --vendor yealink --db "$db" >/dev/null; } 2>&1 | tail -1)
elapsed=$(python3 -c "print($(date +%s.%N) - $start)")
printf 'upload:   %d MB in %.2f s = %.0f MB/s; peak RSS %d MB (tiny file: %d MB, growth %d MB)\n' \
    "$SIZE_MB" "$elapsed" "$(python3 -c "print($SIZE_MB / $elapsed)")" $((big_kb / 1024)) $((base_kb / 1024)) $(((big_kb - base_kb) / 1024))
path=$("$AUTOPROVISION_BIN" firmware list --db "$db" | grep -o '/firmware/[0-9]*/big.rom')
port=$((20000 + RANDOM % 10000))
"$AUTOPROVISION_BIN" serve --db "$db" --bind 127.0.0.1 --http-port "$port" --agi off --admin off --no-pnp 2>"$tmp/daemon.log" &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
start=$(date +%s.%N)
downloads=()
for i in $(seq "$CLIENTS"); do curl -s -o "$tmp/dl$i" "http://127.0.0.1:$port$path" & downloads+=($!); done
for download in "${downloads[@]}"; do wait "$download"; done
elapsed=$(python3 -c "print($(date +%s.%N) - $start)")
for i in $(seq "$CLIENTS"); do cmp -s "$tmp/dl$i" "$tmp/big.rom" || { echo "download $i differs" >&2; exit 1; }; done
printf 'download: %d parallel curl, %d MB each, %.2f s = %.0f MB/s aggregate\n' "$CLIENTS" "$SIZE_MB" "$elapsed" "$(python3 -c "print($CLIENTS * $SIZE_MB / $elapsed)")"
