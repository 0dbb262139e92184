#!/usr/bin/env bash
# Runs each test program given as an argument under valgrind (zero errors, zero
# definite/indirect leaks), then the whoami examples against an emulator, and prints
# "N passed, M failed". Environment (set by the Makefile): ZDKIT_EMULATOR, VALGRIND,
# VALGRIND_FLAGS, WHOAMI, WHOAMI_STATIC, WHOAMI_CPP. With VALGRIND empty the programs
# run directly (the sanitizer build, whose findings exit with 99), and RUN_EXAMPLES=0
# skips the examples.
set -uo pipefail

passed=0
failed=0
failures=()
start=$(date +%s)

run() { # name, command...
    local name=$1
    shift
    local t0 t1 rc
    t0=$(date +%s%3N)
    "$@"
    rc=$?
    t1=$(date +%s%3N)
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        printf 'PASS %s (%d.%01d s)\n' "$name" $(((t1 - t0) / 1000)) $(((t1 - t0) % 1000 / 100))
    else
        failed=$((failed + 1))
        failures+=("$name")
        if [ "$rc" -eq 99 ]; then
            printf 'FAIL %s: %s found errors or leaks (exit 99)\n' "$name" "${VALGRIND:-a sanitizer}"
        else
            printf 'FAIL %s (exit %d)\n' "$name" "$rc"
        fi
    fi
}

checker=()
if [ -n "${VALGRIND:-}" ]; then
    read -r -a vg_flags <<<"${VALGRIND_FLAGS}"
    checker=("${VALGRIND}" "${vg_flags[@]}")
    # tests that size their load down under valgrind (one thread at a time) read this
    export ZDKIT_TEST_UNDER_VALGRIND=1
fi
for bin in "$@"; do
    name="$(basename "$(dirname "$bin")")/$(basename "$bin")"
    run "$name" timeout 600 "${checker[@]}" "$bin"
done

if [ "${RUN_EXAMPLES:-1}" = 0 ]; then
    echo "C suite took $(($(date +%s) - start)) s"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# The examples: whoami (C, linked both ways) and the C++ one, against one emulator.
emu_out=$(mktemp)
"${ZDKIT_EMULATOR}" --host 127.0.0.1 --port 0 >"$emu_out" &
emu_pid=$!
trap 'kill "$emu_pid" 2>/dev/null; wait "$emu_pid" 2>/dev/null; rm -f "$emu_out"' EXIT
url=
for _ in $(seq 100); do
    url=$(sed -n '1s/.*"url": *"\([^"]*\)".*/\1/p' "$emu_out")
    [ -n "$url" ] && break
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "FAIL: the emulator did not print its URL" >&2
    failed=$((failed + 1))
else
    check_whoami() { # binary, expected exit (0 or 1), expected text, env assignments...
        local bin=$1 want=$2 text=$3
        shift 3
        local out rc
        out=$(env -u ZENDESK_SUBDOMAIN -u ZENDESK_URL -u ZENDESK_EMAIL -u ZENDESK_API_TOKEN \
            -u ZENDESK_OAUTH_TOKEN "$@" timeout 120 "${checker[@]}" "$bin" 2>&1)
        rc=$?
        if [ "$rc" -eq 99 ]; then
            echo "$out"
            return 99
        fi
        if [ "$want" -eq 0 ] && [ "$rc" -ne 0 ]; then echo "$out"; return 1; fi
        if [ "$want" -ne 0 ] && [ "$rc" -eq 0 ]; then echo "$out"; return 1; fi
        if ! grep -qF -- "$text" <<<"$out"; then
            echo "expected output containing: $text"
            echo "got: $out"
            return 1
        fi
    }
    for pair in "whoami (libzdkit.so)=${WHOAMI}" "whoami (libzdkit.a)=${WHOAMI_STATIC}" "whoami_cpp=${WHOAMI_CPP}"; do
        label=${pair%%=*}
        bin=${pair#*=}
        run "$label api token" check_whoami "$bin" 0 "You are Emulator Admin <agent@example.com> (role admin, id 1)" \
            ZENDESK_URL="$url" ZENDESK_EMAIL=agent@example.com ZENDESK_API_TOKEN=emulator-api-token
        run "$label oauth" check_whoami "$bin" 0 "You are Emulator Admin <agent@example.com> (role admin, id 1)" \
            ZENDESK_URL="$url" ZENDESK_OAUTH_TOKEN=emulator-oauth-token
    done
    run "whoami wrong token" check_whoami "${WHOAMI}" 1 "request id" \
        ZENDESK_URL="$url" ZENDESK_OAUTH_TOKEN=wrong-token
    run "whoami no credentials" check_whoami "${WHOAMI}" 1 "ZENDESK_" ZENDESK_URL="$url"

    # /users/me answers 200 "Anonymous user" (id null) when Zendesk ignored the
    # credentials; zdkit always sends one, so inject that answer with a fault.
    control_post() { # path, JSON body: plain HTTP/1.1 through bash's /dev/tcp
        local hostport=${url#http://} status
        exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || return 1
        printf 'POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
            "$1" "$hostport" "${#2}" "$2" >&3
        read -r _ status _ <&3
        cat <&3 >/dev/null
        exec 3<&-
        [[ "$status" == 2* ]]
    }
    anonymous='{"method":"GET","path_prefix":"/api/v2/users/me","times":1,"fault":{"kind":"status","status":200,"body":"{\"user\":{\"email\":\"invalid@example.com\",\"id\":null,\"name\":\"Anonymous user\",\"role\":\"end-user\"}}"}}'
    for bin in "${WHOAMI}" "${WHOAMI_CPP}"; do
        if control_post /__emulator/faults "$anonymous"; then
            run "$(basename "$bin") anonymous user" check_whoami "$bin" 1 "anonymous user (id null)" \
                ZENDESK_URL="$url" ZENDESK_OAUTH_TOKEN=emulator-oauth-token
        else
            run "$(basename "$bin") anonymous user: queue the fault" false
        fi
    done
    run "whoami insecure" check_whoami "${WHOAMI}" 1 "http" \
        ZENDESK_URL=http://example.com ZENDESK_OAUTH_TOKEN=emulator-oauth-token
fi

echo "C suite took $(($(date +%s) - start)) s"
if [ "$failed" -ne 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
