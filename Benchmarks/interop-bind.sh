#!/usr/bin/env bash
#
# Star-code binding against a real Asterisk 22, end to end: PHONES pjsua phones
# (default 50), each in its own network namespace with its own MAC, register on
# the shared guest account and dial *123*2NN at the same moment. The daemon
# binds each one over FastAGI (caller IP -> MAC from the kernel's neighbour
# table -> extension) and then sends a check-sync NOTIFY to exactly that phone.
#
# Prints binds per second, p50/p99 from the phone's INVITE to the check-sync
# NOTIFY arriving at the same phone, how many phones the store has bound, and
# how many check-sync NOTIFYs each phone received.
# Targets: all phones bound, exactly one NOTIFY per phone (its own), p99 < 3 s.
#
# Usage: sudo Benchmarks/interop-bind.sh
#
# Environment (all optional):
#   AUTOPROVISION_BIN  use this binary instead of building the release one
#   PHONES             phones, one namespace each, 1..250     (default 50)
#   ASTERISK_LAB       the asterisk-lab script (default: on PATH, else
#                      ../shared/asterisk/asterisk-lab beside the checkout)
#   NET                first two octets of the phone networks (default 10.213);
#                      phone i is NET.i.2/24, its host side NET.i.1
#   SIP_PORT AMI_PORT AGI_PORT HTTP_PORT
#                      first port tried for each (25060/udp, 25038, 25073, 25080);
#                      the next free one is used
#   WAIT               seconds to wait for every phone's outcome (default 60)
#   KEEP_TMP=1         keep the temporary directory (logs, database, configs)
#
# Needs root (network namespaces), iproute2, curl, python3, and the asterisk-lab
# bundle with its run-time packages (`asterisk-lab deps`). Installs nothing.
# Traffic stays on loopback and the veth pairs this script creates.

set -euo pipefail

PHONES=${PHONES:-50}
NET=${NET:-10.213}
SIP_PORT=${SIP_PORT:-25060}
AMI_PORT=${AMI_PORT:-25038}
AGI_PORT=${AGI_PORT:-25073}
HTTP_PORT=${HTTP_PORT:-25080}
WAIT=${WAIT:-60}
KEEP_TMP=${KEEP_TMP:-0}
EXT_BASE=200           # phone i binds extension EXT_BASE + i (the default template *123*200 takes 3 digits)
MAC_PREFIX=00:15:65:ab # Yealink OUI, so the daemon serves <mac>.cfg; phone i is MAC_PREFIX:hi:lo

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Tools and parameters.

[[ $(id -u) == 0 ]] || die "needs root (network namespaces, veth pairs)"
[[ $PHONES =~ ^[0-9]+$ ]] && ((PHONES >= 1 && PHONES <= 250)) || die "PHONES must be 1..250"
[[ $NET =~ ^10\.[0-9]{1,3}$ ]] || die "NET must look like 10.213 (a 10.x network the guest endpoint admits)"
for tool in ip curl python3 ss; do
    command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install iproute2 curl python3)"
done
if [[ -z ${ASTERISK_LAB:-} ]]; then
    ASTERISK_LAB=$(command -v asterisk-lab || echo "$(cd "$(dirname "$0")/../.." && pwd)/shared/asterisk/asterisk-lab")
fi
[[ -x $ASTERISK_LAB ]] || die "no asterisk-lab at $ASTERISK_LAB (set ASTERISK_LAB)"
LAB=$ASTERISK_LAB

# Nothing of ours may overlap an address already in use on this machine.
if ip -o -4 addr show | grep -q " inet ${NET//./\\.}\."; then
    die "addresses in $NET.0.0/16 are already in use here; pick another NET"
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
# Scratch space and cleanup. Everything below is undone on any exit, Ctrl-C
# included: phones, daemon, Asterisk, namespaces, veth pairs, temporary files.

TMP=$(mktemp -d /tmp/apb.XXXX) # short: Asterisk's control socket lives under it
AST=$TMP/ast
TAG=$(printf '%04x' $((RANDOM)))
AP_PID=""
STAMP_PID=""
AST_UP=0
declare -a PHONE_PIDS=() PHONE_FDS=() NAMESPACES=() HOST_LINKS=()

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
    local status=$?
    trap - EXIT INT TERM
    set +e
    for pid in "${PHONE_PIDS[@]}"; do [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; done
    for fd in "${PHONE_FDS[@]}"; do [[ -n $fd ]] && exec {fd}>&-; done
    for pid in "${PHONE_PIDS[@]}"; do [[ -n $pid ]] && stop_pid "$pid"; done
    stop_pid "$AP_PID"
    stop_pid "$STAMP_PID"
    ((AST_UP)) && "$LAB" down "$AST" >/dev/null 2>&1
    for link in "${HOST_LINKS[@]}"; do ip link del "$link" 2>/dev/null; done
    for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
    if [[ $KEEP_TMP == 1 ]]; then
        say "kept $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The first port from $2 up that nothing listens on ($1: tcp or udp).
free_port() {
    local proto=$1 port=$2 flag=t
    [[ $proto == udp ]] && flag=u
    while [[ -n $(ss -Hln$flag "sport = :$port" 2>/dev/null) ]]; do port=$((port + 1)); done
    echo "$port"
}
SIP_PORT=$(free_port udp "$SIP_PORT")
AMI_PORT=$(free_port tcp "$AMI_PORT")
AGI_PORT=$(free_port tcp "$AGI_PORT")
[[ $AGI_PORT == "$AMI_PORT" ]] && AGI_PORT=$(free_port tcp $((AGI_PORT + 1)))
HTTP_PORT=$(free_port tcp "$HTTP_PORT")
while [[ $HTTP_PORT == "$AMI_PORT" || $HTTP_PORT == "$AGI_PORT" ]]; do HTTP_PORT=$(free_port tcp $((HTTP_PORT + 1))); done

phone_ns() { echo "apb$TAG-$1"; }
phone_mac() { printf '%s:%02x:%02x' "$MAC_PREFIX" $(($1 >> 8)) $(($1 & 255)); }
phone_ip() { echo "$NET.$1.2"; }
host_ip() { echo "$NET.$1.1"; }

# ---------------------------------------------------------------------------
# Database and Asterisk configuration.

DB=$TMP/bind.sqlite
export AUTOPROVISION_DB=$DB
"$AP" settings set sip-port "$SIP_PORT" >/dev/null
GUEST_USER=$("$AP" settings show --show-secrets | awk '$1 == "guest-username" { print $2 }')
GUEST_SECRET=$("$AP" settings show --show-secrets | awk '$1 == "guest-secret" { print $2 }')
TEMPLATE=$("$AP" settings show | awk '$1 == "extension-template" { print $2 }')
[[ -n $GUEST_USER && -n $GUEST_SECRET ]] || die "could not read the guest account from 'autoprovision settings show --show-secrets'"
# The template as the daemon reads it: the prefix runs to the last * or #, the
# rest gives the extension's length (*123*200 and *123*XXX: *123* then 3 digits).
TEMPLATE=${TEMPLATE#_}
STAR=$(sed -nE 's/^(.*[*#]).*$/\1/p' <<<"$TEMPLATE")
TAIL=${TEMPLATE#"$STAR"}
[[ -n $STAR && ( ${#TAIL} == 3 || $TAIL == *[.!]* ) ]] \
    || die "extension template '$TEMPLATE': this script needs a star-code prefix and 3-digit extensions"

# The phones are known but unbound, as plug-and-play discovery leaves them
# (serve runs with --no-pnp here); the daemon serves no file to an unknown MAC.
for ((i = 1; i <= PHONES; i++)); do
    "$AP" device add "$(phone_mac "$i")" >/dev/null
done

mkdir -p "$AST/etc"
"$AP" asterisk-conf --agi "127.0.0.1:$AGI_PORT" --output "$AST/etc/autoprovision" >/dev/null
if awk '/^\[/ { guest = ($0 ~ /^\[autoprovision-guest\]/) } guest && /^[ \t]*exten[ \t]*=>[ \t]*_\*X\./ { found = 1 } END { exit !found }' \
    "$AST/etc/autoprovision/extensions.conf"; then
    say "warning: the generated [autoprovision-guest] context hangs up star codes before the AGI (exten => _*X.); binds will fail"
fi

# Written before 'asterisk-lab up', which keeps files that exist and sets the port of every 'bind ='.
{
    printf '; written by Benchmarks/interop-bind.sh\n'
    printf '[transport-udp]\ntype = transport\nprotocol = udp\nbind = 0.0.0.0:%s\n\n' "$SIP_PORT"
    printf '#include "autoprovision/pjsip.conf"\n\n'
    for ((i = 1; i <= PHONES; i++)); do
        ext=$((EXT_BASE + i))
        printf '[%s]\ntype=auth\nauth_type=userpass\nusername=%s\npassword=bench-%s-secret\n\n' "$ext" "$ext" "$ext"
        printf '[%s]\ntype=aor\nmax_contacts=1\nremove_existing=yes\n\n' "$ext"
        printf '[%s]\ntype=endpoint\ncontext=default\nauth=%s\naors=%s\ndisallow=all\nallow=ulaw\n\n' "$ext" "$ext" "$ext"
    done
} >"$AST/etc/pjsip.conf"
printf '; written by Benchmarks/interop-bind.sh\n[default]\n\n#include "autoprovision/extensions.conf"\n' >"$AST/etc/extensions.conf"

say "starting Asterisk in $AST (SIP udp/$SIP_PORT, AMI 127.0.0.1:$AMI_PORT)"
AST_UP=1
"$LAB" up "$AST" --sip-port "$SIP_PORT" --ami-port "$AMI_PORT" >&2 || die "Asterisk did not start (see above)"
contexts=$("$LAB" cli "$AST" 'dialplan show autoprovision-bind' 2>&1 || true)
grep -qF "$STAR" <<<"$contexts" || { echo "$contexts" >&2; die "Asterisk did not load the autoprovision dialplan"; }

# ---------------------------------------------------------------------------
# The daemon. Its log lines carry whole-second timestamps, so each line is
# stamped with the millisecond wall-clock time it was read (same clock and
# format as pjsua's log: local HH:MM:SS.mmm).

mkfifo "$TMP/daemon.pipe"
python3 -u -c '
import sys, time
for line in sys.stdin:
    t = time.time()
    sys.stdout.write(time.strftime("%H:%M:%S", time.localtime(t)) + ".%03d " % (int(t * 1000) % 1000) + line)
' <"$TMP/daemon.pipe" >"$TMP/daemon.log" &
STAMP_PID=$!
say "starting autoprovision serve (HTTP 0.0.0.0:$HTTP_PORT, FastAGI 127.0.0.1:$AGI_PORT)"
AUTOPROVISION_AMI_SECRET=provision-secret "$AP" serve --db "$DB" --bind 0.0.0.0 --http-port "$HTTP_PORT" \
    --agi "127.0.0.1:$AGI_PORT" --admin off --no-pnp --ami "127.0.0.1:$AMI_PORT" --ami-user provision \
    2>"$TMP/daemon.pipe" &
AP_PID=$!

# The first full AMI sync must have seen every extension.
synced=0
for _ in $(seq 300); do
    kill -0 "$AP_PID" 2>/dev/null || { cat "$TMP/daemon.log" >&2; die "autoprovision serve exited"; }
    n=$(sed -n 's/.*AMI sync: \([0-9]*\) endpoints provisionable.*/\1/p' "$TMP/daemon.log" | tail -n1)
    if [[ -n $n ]] && ((n >= PHONES)); then synced=1; break; fi
    sleep 0.1
done
((synced)) || { tail -n 20 "$TMP/daemon.log" >&2; die "the daemon did not sync $PHONES endpoints from AMI within 30 s"; }
say "daemon synced: $(grep -o 'AMI sync: .*' "$TMP/daemon.log" | tail -n1)"

# ---------------------------------------------------------------------------
# Phones: one namespace, veth pair and MAC each.

say "creating $PHONES phone namespaces ($NET.1.0/24 .. $NET.$PHONES.0/24)"
for ((i = 1; i <= PHONES; i++)); do
    ns=$(phone_ns "$i")
    host="apb${TAG}h$i"
    peer="apb${TAG}p$i"
    ip netns add "$ns"
    NAMESPACES+=("$ns")
    ip link add "$host" type veth peer name "$peer"
    HOST_LINKS+=("$host")
    ip link set "$peer" netns "$ns"
    ip -n "$ns" link set "$peer" address "$(phone_mac "$i")"
    ip addr add "$(host_ip "$i")/24" dev "$host"
    ip -n "$ns" addr add "$(phone_ip "$i")/24" dev "$peer"
    ip link set "$host" up
    ip -n "$ns" link set "$peer" up
    ip -n "$ns" link set lo up
done

# Like a booting phone, each one fetches its file first (from its own address,
# with its own MAC). 200 also means the daemon serves with the synced credentials.
say "each phone fetches its configuration file"
for ((i = 1; i <= PHONES; i++)); do
    mac=$(phone_mac "$i")
    url="http://$(host_ip "$i"):$HTTP_PORT/${mac//:/}.cfg"
    code=""
    for _ in $(seq 100); do
        code=$(ip netns exec "$(phone_ns "$i")" curl --noproxy '*' -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)
        [[ $code == 200 ]] && break
        sleep 0.2
    done
    [[ $code == 200 ]] || die "phone $i: GET $url answered ${code:-nothing} (see $TMP/daemon.log; KEEP_TMP=1 keeps it)"
done

say "starting $PHONES pjsua phones on the guest account '$GUEST_USER'"
for ((i = 1; i <= PHONES; i++)); do
    mkfifo "$TMP/phone$i.in"
    ip netns exec "$(phone_ns "$i")" "$LAB" pjsua \
        --registrar "sip:$(host_ip "$i"):$SIP_PORT" --id "sip:$GUEST_USER@$(host_ip "$i")" \
        --realm '*' --username "$GUEST_USER" --password "$GUEST_SECRET" \
        --local-port 5070 --null-audio --no-tcp \
        --log-file "$TMP/phone$i.log" --log-level 5 --app-log-level 3 \
        <"$TMP/phone$i.in" >"$TMP/phone$i.out" 2>&1 &
    PHONE_PIDS[i]=$!
    exec {fd}>"$TMP/phone$i.in" # held open: pjsua quits on end of input
    PHONE_FDS[i]=$fd
done

guest_contacts() {
    "$LAB" cli "$AST" 'pjsip show contacts' 2>/dev/null | grep -cE "^ *Contact: +$GUEST_USER/sip:" || true
}
registered=0
for _ in $(seq 60); do
    for ((i = 1; i <= PHONES; i++)); do
        kill -0 "${PHONE_PIDS[i]}" 2>/dev/null || { cat "$TMP/phone$i.out" >&2; die "pjsua of phone $i exited"; }
    done
    registered=$(guest_contacts)
    ((registered >= PHONES)) && break
    sleep 0.5
done
((registered >= PHONES)) || die "only $registered of $PHONES phones registered on $GUEST_USER within 30 s"
say "$registered guest contacts registered"

# The host must know every phone's MAC already (the REGISTER answers needed it);
# a missing entry here would be this script's fault, not the daemon's.
cp /proc/net/arp "$TMP/arp-before-dial.txt"
ip -4 neigh show >"$TMP/neigh-before-dial.txt"
for ((i = 1; i <= PHONES; i++)); do
    awk -v ip="$(phone_ip "$i")" -v mac="$(phone_mac "$i")" '$1 == ip && $3 == "0x2" && $4 == mac { found = 1 } END { exit !found }' \
        "$TMP/arp-before-dial.txt" || say "warning: no complete neighbour entry for phone $i ($(phone_ip "$i")) before dialling"
done

# ---------------------------------------------------------------------------
# Everyone dials at once, then the daemon's outcome for every phone is awaited.

declare -a DIAL=()
for ((i = 1; i <= PHONES; i++)); do
    kill -0 "${PHONE_PIDS[i]}" 2>/dev/null || die "pjsua of phone $i exited before dialling"
    DIAL[i]=$(printf 'm\nsip:%s%d@%s:%s\n' "$STAR" $((EXT_BASE + i)) "$(host_ip "$i")" "$SIP_PORT")
done
say "all $PHONES phones dial $STAR$((EXT_BASE + 1))..$STAR$((EXT_BASE + PHONES))"
for ((i = 1; i <= PHONES; i++)); do
    printf '%s\n' "${DIAL[i]}" >&"${PHONE_FDS[i]}"
done

# Per phone: a failed bind is final; an OK bind is followed ~2 s later by the check-sync outcome.
outcomes() {
    python3 - "$TMP/daemon.log" "$NET" <<'PY'
import re, sys
binds_failed, bound, notified = 0, set(), set()
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"star-code bind from (\S+) MAC (\S+) extension \S+ line \d+: (\S+)", line)
    if m and m.group(1).startswith(sys.argv[2] + "."):
        if m.group(3) == "OK":
            bound.add(m.group(2))
        else:
            binds_failed += 1
    m = re.search(r"\b([0-9a-f]{2}(?::[0-9a-f]{2}){5}): check-sync (sent|not sent)", line)
    if m:
        notified.add(m.group(1))
print(binds_failed + len(bound & notified))
PY
}
deadline=$((SECONDS + WAIT))
done_count=0
while ((SECONDS < deadline)); do
    done_count=$(outcomes)
    ((done_count >= PHONES)) && break
    sleep 0.5
done
if ((done_count < PHONES)); then
    say "after $WAIT s only $done_count of $PHONES phones have a final outcome in the daemon log"
fi
sleep 2 # NOTIFYs still in flight reach the phones

say "stopping the phones"
for ((i = 1; i <= PHONES; i++)); do
    # In a subshell: a pjsua that already died must not take the script down with SIGPIPE.
    (printf 'q\n' >&"${PHONE_FDS[i]}") 2>/dev/null || true
done
for ((i = 1; i <= PHONES; i++)); do
    pid=${PHONE_PIDS[i]}
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && say "pjsua of phone $i did not quit within 10 s; its log is lost"
    stop_pid "$pid"
    PHONE_PIDS[i]=""
    fd=${PHONE_FDS[i]}
    exec {fd}>&-
    PHONE_FDS[i]=""
done

"$AP" device list --json >"$TMP/devices.json"

# ---------------------------------------------------------------------------
# Analysis: pjsua logs (INVITE sent, check-sync NOTIFY received), the daemon
# log (bind times) and the store (bindings).

python3 - "$TMP" "$PHONES" "$NET" "$EXT_BASE" "$MAC_PREFIX" <<'PY'
import json, math, re, sys

tmp, phones, net, ext_base, mac_prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
def err(*a): print(*a, file=sys.stderr)

def seconds(stamp):
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)

HEAD = re.compile(r"^(\d\d:\d\d:\d\d\.\d{3}) .*\b(TX|RX) \d+ bytes (Request|Response) msg (\S+?)/cseq=\d+ .* (?:to|from) UDP (\S+):$")

def messages(path):
    """(time, TX|RX, first line, headers) for every SIP message in a pjsua --log-level 5 log."""
    lines = open(path, errors="replace").read().split("\n")
    i = 0
    while i < len(lines):
        m = HEAD.match(lines[i])
        i += 1
        if not m:
            continue
        body = []
        while i < len(lines) and lines[i] != "--end msg--":
            body.append(lines[i])
            i += 1
        headers = {}
        for line in body[1:]:
            if ": " in line:
                k, v = line.split(": ", 1)
                headers.setdefault(k.strip().lower(), v.strip())
        yield seconds(m.group(1)), m.group(2), body[0] if body else "", headers

def mac(i): return "%s:%02x:%02x" % (mac_prefix, i >> 8, i & 255)

# Every time is seconds of the day; a run crossing midnight is unwrapped around the first dial.
dials, arrivals, problems = {}, {}, []
per_phone = {}
for i in range(1, phones + 1):
    own = "%s.%d.2" % (net, i)
    dial, notifies = None, {}
    try:
        msgs = list(messages("%s/phone%d.log" % (tmp, i)))
    except OSError:
        msgs = []
        problems.append("phone %d: no pjsua log" % i)
    for t, direction, first, h in msgs:
        method = first.split(" ", 1)[0]
        if direction == "TX" and method == "INVITE" and dial is None:
            dial = t
        if direction == "RX" and method == "NOTIFY" and h.get("event", "").lower().startswith("check-sync"):
            key = (h.get("call-id"), h.get("cseq"))  # a retransmission is the same NOTIFY
            if key not in notifies:
                uri = first.split(" ")[1] if " " in first else ""
                host = re.sub(r"^sips?:(?:[^@]*@)?", "", uri).split(";")[0].rsplit(":", 1)[0]
                notifies[key] = (t, host, h.get("event"))
    per_phone[i] = (own, dial, notifies)
    if dial is not None:
        dials[i] = dial

if not dials:
    err("no phone logged an INVITE")
    print("phones %d bound 0 notifies 0: no phone dialled" % phones)
    sys.exit(1)
t0 = min(dials.values())
def unwrap(t):
    return t + 86400 if t < t0 - 43200 else t

# The store: each phone's MAC bound on line 1 to its own extension.
devices = {d["mac"].lower(): d for d in json.load(open(tmp + "/devices.json"))}
bound = 0
for i in range(1, phones + 1):
    d = devices.get(mac(i))
    lines = sorted((l["line"], l["extension"]) for l in (d or {}).get("lines", []))
    if lines == [(1, str(ext_base + i))]:
        bound += 1
    else:
        problems.append("phone %d (%s): store has %s, expected line 1 -> %d" % (i, mac(i), lines or "no binding", ext_base + i))

# Where each phone's row sat in /proc/net/arp just before dialling (for diagnosing lookups that miss it).
arp, offset = {}, 0
raw = open(tmp + "/arp-before-dial.txt", "rb").read()
for row in raw.splitlines(keepends=True):
    fields = row.split()
    if len(fields) >= 4 and fields[2] == b"0x2":
        arp[fields[0].decode()] = (offset, offset + len(row), len(raw))
    offset += len(row)

# The daemon's log: bind times (stamped on arrival) and the MAC each caller resolved to.
bind_times = []
for line in open(tmp + "/daemon.log", errors="replace"):
    m = re.search(r"^(\S+) .*star-code bind from (\S+) MAC (\S+) extension (\S+) line \d+: (\S+)", line)
    if not m or not m.group(2).startswith(net + "."):
        continue
    i = int(m.group(2).split(".")[2])
    if m.group(5) != "OK":
        problems.append("phone %d: daemon: %s" % (i, line.split(" ", 1)[1].strip()))
        if "no complete neighbour entry" in line and m.group(2) in arp:
            problems.append("phone %d: yet /proc/net/arp had it complete before dialling, at bytes %d-%d of %d"
                            % ((i,) + arp[m.group(2)]))
        continue
    if m.group(3) != mac(i) or m.group(4) != str(ext_base + i):
        problems.append("phone %d: daemon bound MAC %s to %s (expected %s to %d)" % (i, m.group(3), m.group(4), mac(i), ext_base + i))
    bind_times.append(unwrap(seconds(m.group(1))))

# NOTIFYs: exactly one check-sync per phone, addressed to that phone.
total, own_ok, exactly_one, latencies = 0, 0, 0, []
for i in range(1, phones + 1):
    own, dial, notifies = per_phone[i]
    total += len(notifies)
    if dial is None:
        problems.append("phone %d: no INVITE in its log" % i)
    if len(notifies) == 1:
        exactly_one += 1
    else:
        problems.append("phone %d: %d check-sync NOTIFYs" % (i, len(notifies)))
    for t, host, event in notifies.values():
        if host != own:
            problems.append("phone %d: check-sync addressed to %s, not %s" % (i, host, own))
    if notifies and all(host == own for _, host, _ in notifies.values()):
        own_ok += 1
    if len(notifies) == 1 and dial is not None:
        t = unwrap(list(notifies.values())[0][0])
        latencies.append(t - unwrap(dial))

def pct(q):
    if not latencies: return float("nan")
    s = sorted(latencies)
    return s[max(0, math.ceil(q * len(s)) - 1)]

rate = len(bind_times) / (max(bind_times) - t0) if bind_times and max(bind_times) > t0 else float("nan")
for p in problems[:40]:
    err("  " + p)
if len(problems) > 40:
    err("  ... and %d more" % (len(problems) - 40))
ok = bound == phones and exactly_one == phones and own_ok == phones and total == phones
none = sum(1 for i in per_phone if not per_phone[i][2])
several = sum(1 for i in per_phone if len(per_phone[i][2]) > 1)
misaddressed = sum(1 for i in per_phone for _, host, _ in per_phone[i][2].values() if host != per_phone[i][0])
detail = "each to its own phone" if own_ok == phones and exactly_one == phones else \
    "phones with exactly one %d, with none %d, with several %d; misaddressed %d" % (exactly_one, none, several, misaddressed)
print("phones %d bound %d notifies %d (%s) binds/s %.1f dial→check-sync p50 %.2f s p99 %.2f s max %.2f s"
      % (phones, bound, total, detail, rate, pct(0.5), pct(0.99), max(latencies) if latencies else float("nan")))
sys.exit(0 if ok else 1)
PY
