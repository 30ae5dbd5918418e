#!/usr/bin/env bash
# Full AMI sync of 5,000 PJSIP endpoints from a scripted Asterisk into the real
# daemon: prints the sync time and the daemon's resident memory before and after.
# Targets: full sync under 2 s, memory growth under 20 MB.
# Usage: Benchmarks/ami-sync.sh [ENDPOINTS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product autoprovision >&2
swift build -c release --product ami-sync-benchmark >&2
bin=$(swift build -c release --show-bin-path)
"$bin/ami-sync-benchmark" "${1:-5000}" "$bin/autoprovision"
