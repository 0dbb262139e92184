"""Async benchmark: 1,000 GETs with 32 in flight, on the emulator, in one run.

- zdkit.AsyncClient (32 tasks on one client),
- httpx.AsyncClient (32 tasks, a pool of 32 connections), the usual asyncio client,
- zdkit.Client shared by 32 threads.

Each GET fetches one ticket (about 1.5 KB) and parses its JSON. Reports requests per
second and the ratios (baseline time / AsyncClient time; above 1 means AsyncClient is
faster), best of three rounds each.

Usage: python benches/async_client.py EMULATOR_BINARY   (needs httpx installed)
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Awaitable, Callable, List

import zdkit

TOKEN = "emulator-oauth-token"
REQUESTS = 1000
IN_FLIGHT = 32
ROUNDS = 3


def path(i: int) -> str:
    return f"/api/v2/tickets/{1 + i % 500}.json"


def best_of(work: Callable[[], None]) -> float:
    times: List[float] = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


async def in_flight(fetch: Callable[[int], Awaitable[None]]) -> None:
    """REQUESTS fetches, IN_FLIGHT at a time (one task per slot)."""
    counter = iter(range(REQUESTS))

    async def worker() -> None:
        for i in counter:
            await fetch(i)

    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))


def main() -> int:
    import httpx

    binary = sys.argv[1]
    process = subprocess.Popen([binary, "--port", "0", "--tickets", "1000"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = json.loads(process.stdout.readline())["url"].rstrip("/")
    try:

        async def with_async_client() -> None:
            async with zdkit.AsyncClient(base_url=url, oauth_token=TOKEN) as client:

                async def fetch(i: int) -> None:
                    assert (await client.get(path(i)))["ticket"]["id"]

                await in_flight(fetch)

        async def with_httpx() -> None:
            limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
            headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
            async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits) as client:

                async def fetch(i: int) -> None:
                    response = await client.get(path(i))
                    response.raise_for_status()
                    assert response.json()["ticket"]["id"]

                await in_flight(fetch)

        sync_client = zdkit.Client(base_url=url, oauth_token=TOKEN)

        def with_threads() -> None:
            with ThreadPoolExecutor(IN_FLIGHT) as pool:
                for ticket in pool.map(lambda i: sync_client.get(path(i)), range(REQUESTS)):
                    assert ticket["ticket"]["id"]

        async_time = best_of(lambda: asyncio.run(with_async_client()))
        httpx_time = best_of(lambda: asyncio.run(with_httpx()))
        threads_time = best_of(with_threads)
        print(f"{REQUESTS} GETs, {IN_FLIGHT} in flight (best of {ROUNDS}):")
        print(f"  zdkit.AsyncClient        {REQUESTS / async_time:8.0f} requests/s")
        print(f"  httpx.AsyncClient        {REQUESTS / httpx_time:8.0f} requests/s")
        print(f"  zdkit.Client, 32 threads {REQUESTS / threads_time:8.0f} requests/s")
        print(f"AsyncClient vs httpx.AsyncClient:   {httpx_time / async_time:5.2f}x")
        print(f"AsyncClient vs sync + 32 threads:   {threads_time / async_time:5.2f}x")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
