#!/usr/bin/env bash
# PnP flood: 5,000 distinct-MAC SUBSCRIBEs to 224.0.1.75:5060 at 1,000 per second from
# a phone network namespace (200 source addresses) over a veth pair, against the real
# daemon. Prints the answered fraction (200 OK and NOTIFY) and the p99 reply time.
# Targets: 100 % answered, p99 under 20 ms.
# Needs root (network namespace, and the packet socket used beside a held port 5060).
#
# Environment: AUTOPROVISION_BIN (skip the build), COUNT (5000), RATE (1000),
#              HOLD=0 to leave UDP 5060 free (ordinary socket path) instead of holding it.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "needs root (network namespace, packet socket)" >&2; exit 2; }
COUNT=${COUNT:-5000}
RATE=${RATE:-1000}
HOLD=${HOLD:-1}
if [[ -z ${AUTOPROVISION_BIN:-} ]]; then
    swift build -c release --product autoprovision >&2
    AUTOPROVISION_BIN="$(swift build -c release --show-bin-path)/autoprovision"
fi
tag=$(printf '%04x' $((RANDOM)))
ns="ap-flood-$tag"; host="apf$tag"; peer="apg$tag"
tmp=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip link del "$host" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$ns"
ip link add "$host" type veth peer name "$peer"
ip link set "$peer" netns "$ns"
ip addr add 10.234.0.1/16 dev "$host"
ip link set "$host" up multicast on
ip -n "$ns" link set "$peer" up multicast on
ip -n "$ns" link set lo up
for i in $(seq 1 200); do ip -n "$ns" addr add "10.234.1.$i/16" dev "$peer"; done
ip -n "$ns" route add 224.0.0.0/4 dev "$peer"

if [[ $HOLD == 1 ]]; then
    # Asterisk's stand-in: UDP 0.0.0.0:5060 held without SO_REUSEADDR.
    python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("0.0.0.0",5060)); time.sleep(3600)' &
    pids+=($!)
    sleep 0.3
fi
db="$tmp/flood.sqlite"
"$AUTOPROVISION_BIN" settings set pbx-host 10.234.0.1 --db "$db" >/dev/null
"$AUTOPROVISION_BIN" serve --db "$db" --bind 127.0.0.1 --http-port 0 --agi off --admin off --pnp-interface "$host" 2>"$tmp/daemon.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "PnP discovery listening" "$tmp/daemon.log" && break; sleep 0.1; done
grep "PnP discovery" "$tmp/daemon.log" >&2

ip netns exec "$ns" python3 - "$COUNT" "$RATE" <<'PY'
import select, socket, sys, time
count, rate = int(sys.argv[1]), int(sys.argv[2])
sockets = []
for i in range(1, 201):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.234.1.%d" % i, 5062))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.234.1.%d" % i))
    s.setblocking(False)
    sockets.append(s)
sent, ok, notify = {}, {}, set()
def drain(timeout):
    readable, _, _ = select.select(sockets, [], [], timeout)
    for s in readable:
        while True:
            try:
                data, addr = s.recvfrom(65535)
            except BlockingIOError:
                break
            text = data.decode(errors="replace")
            head = dict(l.split(": ", 1) for l in text.split("\r\n")[1:] if ": " in l)
            call = head.get("Call-ID")
            if text.startswith("SIP/2.0 200") and call in sent and call not in ok:
                ok[call] = time.monotonic() - sent[call]
            elif text.startswith("NOTIFY") and call:
                notify.add(call)
                reply = "SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n" % (
                    head.get("Via"), head.get("From"), head.get("To"), call, head.get("CSeq"))
                s.sendto(reply.encode(), addr)
start = time.monotonic()
for n in range(count):
    due = start + n / rate
    while True:
        now = time.monotonic()
        if now >= due:
            break
        drain(due - now)
    mac = "0015650%05x" % n
    call = "flood-%d@10.234.1.%d" % (n, n % 200 + 1)
    msg = ("SUBSCRIBE sip:MAC%%3a%s@224.0.1.75 SIP/2.0\r\nVia: SIP/2.0/UDP 10.234.1.%d:5062;branch=z9hG4bK%d;rport\r\n"
           "From: <sip:MAC%%3a%s@224.0.1.75>;tag=%d\r\nTo: <sip:MAC%%3a%s@224.0.1.75>\r\nCall-ID: %s\r\nCSeq: 1 SUBSCRIBE\r\n"
           "Contact: <sip:10.234.1.%d:5062>\r\nEvent: ua-profile;profile-type=\"device\";vendor=\"Yealink\";model=\"T46S\";version=\"66.86.0.15\"\r\n"
           "Expires: 0\r\nAccept: application/url\r\nContent-Length: 0\r\n\r\n") % (mac, n % 200 + 1, n, mac, n, mac, call, n % 200 + 1)
    sent[call] = time.monotonic()
    sockets[n % 200].sendto(msg.encode(), ("224.0.1.75", 5060))
sending = time.monotonic() - start
deadline = time.monotonic() + 3
while time.monotonic() < deadline and (len(ok) < count or len(notify) < count):
    drain(0.05)
lat = sorted(ok.values())
p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] * 1000 if lat else float("nan")
print("sent %d SUBSCRIBEs at %d/s over %.1f s" % (count, rate, sending))
print("answered: %.1f %% 200 OK, %.1f %% NOTIFY" % (100.0 * len(ok) / count, 100.0 * len(notify) / count))
print("200 OK reply time: p50 %.2f ms, p99 %.2f ms, max %.2f ms" % (p(0.5), p(0.99), p(1.0)))
PY
echo "devices recorded: $("$AUTOPROVISION_BIN" device list --json --db "$db" | grep -c '"mac"')"
