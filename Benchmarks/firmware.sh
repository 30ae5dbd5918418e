#!/usr/bin/env bash
# Firmware repository: uploads a 64 MB file to the running daemon through the admin API and
# prints MB/s and the daemon's peak resident memory before and after (target: growth under
# 16 MB, i.e. streamed); does the same with the CLI; then serves the file to 8 parallel curl
# downloads and prints the aggregate MB/s. Loopback only.
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
mb_per_s() { python3 -c "print(round($1 / $2))"; }

# 1. Through the daemon's admin API: the body is streamed to disk as it arrives.
port=$((20000 + RANDOM % 10000))
admin=$((port + 10000))
"$AUTOPROVISION_BIN" serve --db "$db" --bind 127.0.0.1 --http-port "$port" --admin "127.0.0.1:$admin" --agi off --no-pnp 2>"$tmp/daemon.log" &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$admin/" && break; sleep 0.1; done
token=$("$AUTOPROVISION_BIN" admin token --db "$db")
api() { curl -s -f -H "Authorization: Bearer $token" -H 'Content-Type: application/octet-stream' "$@"; }
api -X POST -T "$tmp/tiny.bin" "http://127.0.0.1:$admin/api/firmware?vendor=grandstream&filename=tiny.bin" >/dev/null
before_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
start=$(date +%s.%N)
api -X POST -T "$tmp/big.rom" "http://127.0.0.1:$admin/api/firmware?vendor=yealink&filename=big.rom" >/dev/null
elapsed=$(python3 -c "print($(date +%s.%N) - $start)")
after_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
printf 'upload (admin API): %d MB in %.2f s = %d MB/s; daemon peak RSS %d MB before, %d MB after (growth %d MB)\n' \
    "$SIZE_MB" "$elapsed" "$(mb_per_s "$SIZE_MB" "$elapsed")" $((before_kb / 1024)) $((after_kb / 1024)) $(((after_kb - before_kb) / 1024))

# 2. With the CLI, into a second database: the whole process's peak against a tiny file's.
db2="$tmp/cli.sqlite"
base_kb=$( { /usr/bin/time -f '%M' "$AUTOPROVISION_BIN" firmware add "$tmp/tiny.bin" --vendor grandstream --db "$db2" >/dev/null; } 2>&1 | tail -1)
start=$(date +%s.%N)
big_kb=$( { /usr/bin/time -f '%M' "$AUTOPROVISION_BIN" firmware add "$tmp/big.rom" --vendor yealink --db "$db2" >/dev/null; } 2>&1 | tail -1)
elapsed=$(python3 -c "print($(date +%s.%N) - $start)")
printf 'upload (CLI):       %d MB in %.2f s = %d MB/s; peak RSS %d MB (tiny file: %d MB, growth %d MB)\n' \
    "$SIZE_MB" "$elapsed" "$(mb_per_s "$SIZE_MB" "$elapsed")" $((big_kb / 1024)) $((base_kb / 1024)) $(((big_kb - base_kb) / 1024))

# 3. Downloads from the provisioning port.
path=$("$AUTOPROVISION_BIN" firmware list --db "$db" | grep -o '/firmware/[0-9]*/big.rom')
for _ in $(seq 20); do curl -s -f -o /dev/null -r 0-0 "http://127.0.0.1:$port$path" && break; sleep 0.25; done
start=$(date +%s.%N)
downloads=()
for i in $(seq "$CLIENTS"); do curl -s -o "$tmp/dl$i" "http://127.0.0.1:$port$path" & downloads+=($!); done
for download in "${downloads[@]}"; do wait "$download"; done
elapsed=$(python3 -c "print($(date +%s.%N) - $start)")
for i in $(seq "$CLIENTS"); do cmp -s "$tmp/dl$i" "$tmp/big.rom" || { echo "download $i differs" >&2; exit 1; }; done
printf 'download: %d parallel curl, %d MB each, %.2f s = %d MB/s aggregate\n' "$CLIENTS" "$SIZE_MB" "$elapsed" "$(python3 -c "print(round($CLIENTS * $SIZE_MB / $elapsed))")"
