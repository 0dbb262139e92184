"""Client benchmark: zdkit against baselines measured in the same run, on the emulator.

Reports ratios (baseline time / zdkit time; above 1 means zdkit is faster):
- GET a 100-ticket page (~150 KB) and parse it: zdkit vs http.client + json.loads
  (keep-alive) and vs requests (when installed).
- JSON bytes to Python objects: zdkit's parser (used by Response.json()) vs json.loads.
- Peak memory of an incremental export of 100,000 tickets (one page in memory).

Usage: python benches/python_client.py EMULATOR_BINARY
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from typing import Callable, Dict, List
from urllib.parse import urlparse

import zdkit

TOKEN = "emulator-oauth-token"
PATH = "/api/v2/tickets.json?page%5Bsize%5D=100"
ROUNDS = 300


def best_of(runs: int, work: Callable[[], None]) -> float:
    times: List[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def start(binary: str, *args: str) -> "tuple[subprocess.Popen[str], str]":
    process = subprocess.Popen([binary, "--port", "0", *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = json.loads(process.stdout.readline())["url"]
    return process, url


def main() -> int:
    binary = sys.argv[1]
    process, url = start(binary, "--tickets", "100000")
    results: Dict[str, float] = {}
    try:
        client = zdkit.Client(base_url=url, oauth_token=TOKEN)
        client.get(PATH)

        def with_zdkit() -> None:
            for _ in range(ROUNDS):
                client.request("GET", PATH).json()

        parsed = urlparse(url)
        connection = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port)

        def with_http_client() -> None:
            for _ in range(ROUNDS):
                connection.request("GET", PATH, headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"})
                json.loads(connection.getresponse().read())

        zdkit_time = best_of(3, with_zdkit)
        baseline = best_of(3, with_http_client)
        results["GET+parse page: http.client+json.loads / zdkit"] = baseline / zdkit_time
        print(f"zdkit        {ROUNDS / zdkit_time:8.1f} pages/s")
        print(f"http.client  {ROUNDS / baseline:8.1f} pages/s")
        try:
            import requests  # type: ignore[import-untyped]

            session = requests.Session()

            def with_requests() -> None:
                for _ in range(ROUNDS):
                    session.get(url + PATH, headers={"Authorization": f"Bearer {TOKEN}"}).json()

            requests_time = best_of(3, with_requests)
            print(f"requests     {ROUNDS / requests_time:8.1f} pages/s")
            results["GET+parse page: requests / zdkit"] = requests_time / zdkit_time
        except ImportError:
            print("requests not installed: skipped")

        body = client.request("GET", PATH).content
        parse_native = best_of(5, lambda: [zdkit._native.loads(body) for _ in range(200)])
        parse_json = best_of(5, lambda: [json.loads(body) for _ in range(200)])
        results["parse 150 KB page: json.loads / zdkit parser"] = parse_json / parse_native

        script = (
            "import zdkit\n"
            f"c = zdkit.Client(base_url={url!r}, oauth_token={TOKEN!r})\n"
            "n = sum(1 for _ in c.incremental('tickets', start_time=0))\n"
            # VmHWM, not ru_maxrss: ru_maxrss survives exec and would report the parent's size.
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
            "print(n, int(hwm.split()[1]) // 1024)\n"
        )
        baseline_rss = subprocess.run([sys.executable, "-c", "import zdkit; print(int([l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]) // 1024)"],
                                      capture_output=True, text=True, check=True).stdout.split()
        count, peak = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
        print(f"export of {count} tickets: peak RSS {peak} MiB (interpreter + zdkit alone: {baseline_rss[0]} MiB)")
        results["export peak RSS / idle interpreter RSS"] = int(peak) / int(baseline_rss[0])
    finally:
        process.terminate()
        process.wait(timeout=10)
    print()
    for name, ratio in results.items():
        print(f"{ratio:6.2f}x  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
