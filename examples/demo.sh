#!/usr/bin/env bash
# The zdkit demo, narrated step by step on zdkit-emulator (an offline Zendesk):
#
#   C:      the example `whoami` in both credential modes (API token, OAuth token), and a
#           wrong token failing with Zendesk's request id;
#   Python: examples/python/demo.py — an OAuth client-credentials client whose token is
#           minted and renewed, a 429 injected and survived, a cursor walk, and
#           `zdkit export` with its progress line, interrupted and resumed.
#
#   ZDKIT_EMULATOR=target/debug/zdkit-emulator ZDKIT_WHOAMI=target/c/whoami \
#   ZDKIT_PYTHON=.venv/bin/python bash examples/demo.sh
#
# ZDKIT_PYTHON is an interpreter with zdkit installed (without it, the Python part is
# skipped with a note). `make demo` builds and installs everything and calls this script.
set -euo pipefail

: "${ZDKIT_EMULATOR:?set ZDKIT_EMULATOR to the zdkit-emulator binary}"
: "${ZDKIT_WHOAMI:?set ZDKIT_WHOAMI to the built examples/c/whoami binary}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
started=$SECONDS

emulator_out=$(mktemp)
emulator_pid=
cleanup() {
    if [ -n "$emulator_pid" ]; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
    rm -f "$emulator_out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> C 0: the emulator"
echo "    $ZDKIT_EMULATOR --port 0: an offline Zendesk on a free loopback port"
"$ZDKIT_EMULATOR" --host 127.0.0.1 --port 0 >"$emulator_out" &
emulator_pid=$!

# Its first stdout line is {"url": "http://127.0.0.1:PORT", "ca_file": null}.
url=
for _ in $(seq 100); do
    url=$(sed -n '1s/.*"url": *"\([^"]*\)".*/\1/p' "$emulator_out")
    [ -n "$url" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || { echo "the emulator exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "the emulator did not print its URL within 10 s" >&2; exit 1; }
echo "    listening on $url (pid $emulator_pid)"

# Only the variables each mode needs, whatever the caller's environment holds.
clean_env=(env -u ZENDESK_SUBDOMAIN -u ZENDESK_URL -u ZENDESK_EMAIL -u ZENDESK_API_TOKEN
    -u ZENDESK_OAUTH_TOKEN -u ZENDESK_CLIENT_ID -u ZENDESK_CLIENT_SECRET)

echo
echo "==> C 1: whoami with an API token"
echo "    ZENDESK_URL=$url ZENDESK_EMAIL=agent@example.com ZENDESK_API_TOKEN=emulator-api-token whoami"
echo "    (Authorization: Basic base64(\"agent@example.com/token:emulator-api-token\"))"
"${clean_env[@]}" ZENDESK_URL="$url" ZENDESK_EMAIL=agent@example.com \
    ZENDESK_API_TOKEN=emulator-api-token "$ZDKIT_WHOAMI"

echo
echo "==> C 2: whoami with an OAuth access token"
echo "    ZENDESK_URL=$url ZENDESK_OAUTH_TOKEN=emulator-oauth-token whoami"
echo "    (Authorization: Bearer emulator-oauth-token)"
"${clean_env[@]}" ZENDESK_URL="$url" ZENDESK_OAUTH_TOKEN=emulator-oauth-token "$ZDKIT_WHOAMI"

echo
echo "==> C 3: a wrong token fails with the error and Zendesk's request id (exit status 1 expected)"
if "${clean_env[@]}" ZENDESK_URL="$url" ZENDESK_OAUTH_TOKEN=not-a-valid-token "$ZDKIT_WHOAMI"; then
    echo "whoami accepted a wrong token" >&2
    exit 1
fi

echo
echo "    (stopping the C part's emulator, pid $emulator_pid)"
kill "$emulator_pid"
wait "$emulator_pid" || true
emulator_pid=

if [ -n "${ZDKIT_PYTHON:-}" ]; then
    # The Python part starts its own emulator through zdkit.testing (ZDKIT_EMULATOR names it).
    ZDKIT_EMULATOR="$ZDKIT_EMULATOR" "$ZDKIT_PYTHON" "$here/python/demo.py"
else
    echo
    echo "==> Python: skipped (set ZDKIT_PYTHON to an interpreter with zdkit installed; make demo does)"
fi

echo
echo "demo: done in $((SECONDS - started)) s"
