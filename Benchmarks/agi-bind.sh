#!/usr/bin/env bash
# 200 concurrent FastAGI star-code sessions through the full bind path.
# Target: p99 session time under 50 ms (no ARP provocation wait included).
# Usage: Benchmarks/agi-bind.sh [SESSIONS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product agi-bind-benchmark >&2
"$(swift build -c release --show-bin-path)/agi-bind-benchmark" "${1:-200}" "${2:-5}"
