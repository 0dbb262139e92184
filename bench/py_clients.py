"""The Python side of `make bench`: one work, one client, timed in-process.

Usage: python py_clients.py WORK CLIENT BASE [EXTRA]
  WORK   w1 (2,000 x GET users/me, each answer parsed), w3 (w1 over https; EXTRA is
         the CA file), w2 (walk the 1,000 cursor pages, yielding every ticket as a
         dict), w5-1 / w5-16 (2,000 x GET users/me on 1 or 16 threads, one client)
  CLIENT zdkit, pycurl, httpclient (http.client + json.loads), requests, httpx
Prints the seconds the work took (imports and set-up excluded).
"""

from __future__ import annotations

import http.client
import json
import ssl
import sys
import threading
import time
from typing import Any, Callable, Iterator, Optional
from urllib.parse import urlsplit

ME = "/api/v2/users/me.json"
TICKETS = "/api/v2/tickets.json?page%5Bsize%5D=100"
W1_REQUESTS = 2000
W2_TICKETS = 100_000


def pages_by_links(get: Callable[[str], Any], base: str) -> Iterator[Any]:
    """The tickets of the cursor pages, following links.next until has_more is false."""
    url = base + TICKETS
    while True:
        page = get(url)
        yield from page["tickets"]
        if not page["meta"]["has_more"]:
            return
        url = page["links"]["next"]


def client_get(name: str, base: str, ca: Optional[str]) -> Callable[[str], Any]:
    """A function GETting a URL (or a path) and parsing the JSON answer."""
    if name == "zdkit":
        import zdkit

        zd = zdkit.Client(base_url=base, oauth_token="bench-token", ca_file=ca)
        return lambda url: zd.get(url[len(base):] if url.startswith(base) else url)
    if name == "pycurl":
        import io

        import pycurl

        curl = pycurl.Curl()
        if ca:
            curl.setopt(pycurl.CAINFO, ca)
        curl.setopt(pycurl.HTTPHEADER, ["Authorization: Bearer bench-token"])

        def get_pycurl(url: str) -> Any:
            buffer = io.BytesIO()
            curl.setopt(pycurl.URL, url if url.startswith("http") else base + url)
            curl.setopt(pycurl.WRITEDATA, buffer)
            curl.perform()
            return json.loads(buffer.getvalue())

        return get_pycurl
    if name == "httpclient":
        parts = urlsplit(base)
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=ca)
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(parts.netloc, context=context)
        else:
            conn = http.client.HTTPConnection(parts.netloc)
        headers = {"Authorization": "Bearer bench-token"}

        def get_httpclient(url: str) -> Any:
            path = url[len(base):] if url.startswith(base) else url
            conn.request("GET", path, headers=headers)
            return json.loads(conn.getresponse().read())

        return get_httpclient
    if name == "requests":
        import requests

        session = requests.Session()
        session.headers["Authorization"] = "Bearer bench-token"
        verify: Any = ca if ca else True
        return lambda url: session.get(url if url.startswith("http") else base + url, verify=verify).json()
    if name == "httpx":
        import httpx

        hx = httpx.Client(headers={"Authorization": "Bearer bench-token"}, verify=ca if ca else True)
        return lambda url: hx.get(url if url.startswith("http") else base + url).json()
    raise SystemExit(f"unknown client {name}")


def main() -> int:
    work, name, base = sys.argv[1], sys.argv[2], sys.argv[3]
    extra = sys.argv[4] if len(sys.argv) > 4 else None
    ca = extra if work == "w3" else None
    get = client_get(name, base, ca)
    started = time.perf_counter()
    if work in ("w1", "w3"):
        for _ in range(W1_REQUESTS):
            assert get(ME)["user"]["id"]
    elif work == "w2":
        if name == "zdkit":
            import zdkit

            zd = zdkit.Client(base_url=base, oauth_token="bench-token")
            started = time.perf_counter()
            items = zd.paginate("/api/v2/tickets.json", page_size=100)
        else:
            items = pages_by_links(get, base)
        count = sum(1 for ticket in items if ticket["id"])
        assert count == W2_TICKETS, count
    elif work.startswith("w5-"):
        threads = int(work[3:])
        share = W1_REQUESTS // threads

        def run() -> None:
            for _ in range(share):
                get(ME)

        workers = [threading.Thread(target=run) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    else:
        raise SystemExit(f"unknown work {work}")
    print(f"{time.perf_counter() - started:.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
