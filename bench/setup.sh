#!/usr/bin/env bash
# What `make bench` needs: nginx (the static server), libcurl's and simdjson's headers
# (the C floors), openssl (the HTTPS certificate), GNU time (peak RSS), and pycurl,
# requests and httpx in the virtualenv (the Python clients compared).
# usage: bench/setup.sh VENV_PYTHON
set -euo pipefail
PY=$1
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
[ -e /usr/include/simdjson.h ] || missing+=(libsimdjson-dev)
command -v curl-config >/dev/null || missing+=(libcurl4-openssl-dev)
command -v openssl >/dev/null || missing+=(openssl)
[ -x /usr/bin/time ] || missing+=(time)
command -v c++ >/dev/null || missing+=(g++)
command -v taskset >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "make bench needs: ${missing[*]} (apt-get install them)" >&2
    exit 1
  fi
fi
"$PY" -c "import pycurl, requests, httpx" 2>/dev/null || "$PY" -m pip install -q pycurl requests httpx
