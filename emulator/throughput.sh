#!/usr/bin/env bash
# Measures zdkit-emulator throughput with wrk: small keep-alive GETs on loopback.
# usage: emulator/throughput.sh [path/to/zdkit-emulator] [seconds]
set -euo pipefail
BIN=${1:-target/release/zdkit-emulator}
SECS=${2:-10}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
OUT=$(mktemp)
"$BIN" --tickets 1000000 >"$OUT" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 50); do [ -s "$OUT" ] && break; sleep 0.1; done
URL=$(head -1 "$OUT" | sed -E 's/.*"url": *"([^"]+)".*/\1/')
echo "emulator at $URL"
wrk -t1 -c32 -d"${SECS}s" -H 'Authorization: Bearer emulator-oauth-token' "$URL/api/v2/tickets/1.json"
