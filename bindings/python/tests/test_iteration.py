"""Pagination, search, exports, uploads, jobs, retries and the export CLI, in Python."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Iterator

import pytest

import zdkit
from conftest import OAUTH_TOKEN, Emulator


@pytest.fixture(scope="module")
def big() -> Iterator[Emulator]:
    running = Emulator("--tickets", "5000", "--users", "250")
    yield running
    running.stop()


def test_paginate_and_pages(big: Emulator) -> None:
    with big.client() as client:
        ids = [t["id"] for t in client.paginate("/api/v2/tickets.json")]
        assert len(ids) == 5000 and len(set(ids)) == 5000
        pages = list(client.pages("/api/v2/users.json", {"per_page": 100}, page_size=0))
    assert [len(p.items) for p in pages] == [100, 100, 50]
    assert pages[0].has_more and not pages[-1].has_more
    assert isinstance(pages[0].raw, dict) and pages[0].raw["users"] is not None


def test_cursor_pages_expose_the_cursor(big: Emulator) -> None:
    with big.client() as client:
        first = next(client.pages("/api/v2/tickets.json", page_size=50))
    assert first.after_cursor and first.has_more and len(first.items) == 50


def test_search_limit_and_export(big: Emulator) -> None:
    with big.client() as client:
        results = client.search("type:ticket")
        served = 0
        with pytest.raises(zdkit.SearchLimitError) as caught:
            for _ in results:
                served += 1
        assert served == 1000
        assert isinstance(caught.value, zdkit.ValidationError)
        assert "export_search" in str(caught.value)
        open_ones = list(client.search("type:ticket status:open priority:urgent"))
        assert 0 < len(open_ones) < 1000
        exported = [r["id"] for r in client.export_search("type:ticket", type="ticket")]
        assert len(exported) == 5000 == len(set(exported))


def test_incremental_resume_gets_exactly_the_changes(fresh: Emulator) -> None:
    with fresh.client() as client:
        export = client.incremental("tickets", start_time=0)
        assert export.cursor is None
        ids = [t["id"] for t in export]
        assert len(ids) == 100 == len(set(ids))
        saved = export.cursor
        assert saved
        for ticket_id in (3, 50):
            client.put(f"/api/v2/tickets/{ticket_id}.json", json={"ticket": {"priority": "high"}})
        time.sleep(1.1)
        changed = sorted(t["id"] for t in client.incremental("tickets", cursor=saved))
        assert changed == [3, 50]


def test_incremental_cursor_only_moves_past_fully_read_pages(fresh: Emulator) -> None:
    with fresh.client() as client:
        export = client.incremental("tickets", start_time=0, per_page=30)
        for _ in range(31):
            next(export)
        first_cursor = export.cursor
        assert first_cursor is not None
        rest = [t["id"] for t in client.incremental("tickets", cursor=first_cursor, per_page=30)]
        assert rest[0] == 31 and len(rest) == 70


def test_time_based_export_is_deduplicated(fresh: Emulator) -> None:
    with fresh.client() as client:
        ids = [t["id"] for t in client.incremental("tickets", start_time=0, per_page=7, time_based=True)]
    assert len(ids) == 100 == len(set(ids))


def test_upload_bytes_and_path(fresh: Emulator, tmp_path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n" * 100_000)
    with fresh.client() as client:
        first = client.upload("hello.txt", b"hello")
        second = client.upload("report.csv", path, token=first["token"])
    assert second["token"] == first["token"]
    logged = fresh.requests("/api/v2/uploads")
    assert logged[1]["body_len"] == 400_000


def test_wait_for_job(fresh: Emulator) -> None:
    with fresh.client() as client:
        job = client.post("/api/v2/tickets/create_many.json", json={"tickets": [{"subject": "a", "comment": {"body": "x"}}]})
        done = client.wait_for_job(job["job_status"]["id"], timeout=30)
        assert done["status"] == "completed"
        fresh.fault(method="GET", path_prefix="/api/v2/job_statuses", fault={
            "kind": "status", "status": 200, "content_type": "application/json",
            "body": '{"job_status":{"id":"j9","status":"failed","message":"no","results":[{"error":"e"}]}}'})
        with pytest.raises(zdkit.JobFailedError) as caught:
            client.wait_for_job("j9", timeout=30)
        assert caught.value.details == [{"error": "e"}]


def test_retries_in_python(fresh: Emulator) -> None:
    fresh.fault(path_prefix="/api/v2/users/me", fault={"kind": "status", "status": 429, "headers": {"Retry-After": "1"}, "body": "slow down"})
    with fresh.client(max_retries=3) as client:
        started = time.monotonic()
        assert client.get("/api/v2/users/me.json")["user"]["id"]
        assert time.monotonic() - started >= 0.9
    fresh.fault(path_prefix="/api/v2/users/me", fault={"kind": "status", "status": 429, "headers": {"Retry-After": "9"}, "body": "slow down"})
    with fresh.client(max_retries=3, never_wait=True) as client, pytest.raises(zdkit.RateLimitError) as caught:
        client.get("/api/v2/users/me.json")
    assert caught.value.retry_after == 9.0


def _run_cli(args: list, url: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    env.update({"ZENDESK_URL": url, "ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN})
    return subprocess.Popen([sys.executable, "-m", "zdkit", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cli_export_survives_sigkill_and_resumes_exactly_once(tmp_path) -> None:
    emulator = Emulator("--tickets", "20000")
    try:
        out = tmp_path / "tickets.jsonl"
        checkpoint = tmp_path / "tickets.jsonl.checkpoint"
        child = _run_cli(["export", "tickets", "--out", str(out), "--per-page", "200"], emulator.url)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if checkpoint.exists() and json.loads(checkpoint.read_text() or "{}").get("items", 0) >= 1000:
                break
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        killed_at = json.loads(checkpoint.read_text())["items"]
        assert 0 < killed_at < 20000, "killed mid-way"
        refused = _run_cli(["export", "tickets", "--out", str(out)], emulator.url)
        assert refused.wait(timeout=60) == 2, "an existing file is not overwritten without --resume"
        resumed = _run_cli(["export", "tickets", "--out", str(out), "--resume", "--per-page", "200"], emulator.url)
        stdout, stderr = resumed.communicate(timeout=120)
        assert resumed.returncode == 0, stderr
        summary = json.loads(stdout)
        assert summary["items"] == 20000 and summary["cursor"]
        ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
        assert len(ids) == 20000 and len(set(ids)) == 20000
    finally:
        emulator.stop()


def test_python_export_of_200000_tickets_has_a_bounded_peak_rss() -> None:
    emulator = Emulator("--tickets", "200000")
    try:
        script = (
            "import zdkit\n"
            f"c = zdkit.Client(base_url={emulator.url!r}, oauth_token={OAUTH_TOKEN!r})\n"
            "n = sum(1 for _ in c.incremental('tickets', start_time=0))\n"
            # VmHWM, not ru_maxrss: ru_maxrss survives exec and would report the parent's size.
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
            "print(n, int(hwm.split()[1]) // 1024)\n"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        count, peak_mib = map(int, result.stdout.split())
        print(f"exported {count} tickets with a peak RSS of {peak_mib} MiB")
        assert count == 200000
        assert peak_mib < 120, f"peak RSS {peak_mib} MiB"
    finally:
        emulator.stop()


# --- one error behaviour: after a transient error, next() retries the same fetch -----

def _fail_next(emulator: Emulator, prefix: str) -> None:
    emulator.fault(method="GET", path_prefix=prefix, fault={"kind": "status", "status": 500, "body": "{}"})


def _resume(iterator: Iterator[object], emulator: Emulator, prefix: str, before: int) -> list:
    """Takes `before` items, makes the next fetch fail once, checks the error, then
    takes everything that is left from the same iterator."""
    taken = [next(iterator) for _ in range(before)]
    _fail_next(emulator, prefix)
    with pytest.raises(zdkit.ServerError):
        for _ in range(1000):  # the rest of the current page, then the failed fetch
            taken.append(next(iterator))
    taken.extend(iterator)
    with pytest.raises(StopIteration):
        next(iterator)
    return taken


def test_pages_and_paginate_retry_after_an_error(fresh: Emulator) -> None:
    with fresh.client() as client:
        pages = _resume(client.pages("/api/v2/tickets.json", page_size=30), fresh, "/api/v2/tickets", 1)
        assert [len(p.items) for p in pages] == [30, 30, 30, 10]  # type: ignore[attr-defined]
        ids = [t["id"] for t in _resume(client.paginate("/api/v2/tickets.json", page_size=30), fresh, "/api/v2/tickets", 1)]
        assert sorted(ids) == list(range(1, 101))


def test_search_retries_after_an_error(fresh: Emulator) -> None:
    with fresh.client() as client:
        results = client.search("type:ticket", per_page=30)
        ids = [r["id"] for r in _resume(results, fresh, "/api/v2/search", 1)]
        assert sorted(ids) == list(range(1, 101))
        assert results.count == 100  # type: ignore[attr-defined]
        exported = _resume(client.export_search("type:ticket", page_size=30), fresh, "/api/v2/search/export", 1)
        assert sorted(r["id"] for r in exported) == list(range(1, 101))


def test_export_retries_after_an_error(fresh: Emulator) -> None:
    with fresh.client() as client:
        export = client.incremental("tickets", start_time=0, per_page=30)
        ids = [t["id"] for t in _resume(export, fresh, "/api/v2/incremental", 1)]
        assert sorted(ids) == list(range(1, 101)) and export.cursor
        export = client.incremental("tickets", start_time=0, per_page=30)
        pages = _resume(export.pages(), fresh, "/api/v2/incremental", 1)
        assert sum(len(p.items) for p in pages) == 100  # type: ignore[attr-defined]
        assert export.cursor == pages[-1].cursor  # type: ignore[attr-defined]


def test_an_error_a_retry_cannot_cure_ends_the_iteration(big: Emulator) -> None:
    with big.client() as client:
        results = client.search("type:ticket")
        with pytest.raises(zdkit.SearchLimitError):
            for _ in results:
                pass
        with pytest.raises(StopIteration):
            next(results)


def test_incremental_refuses_a_start_time_and_a_cursor(fresh: Emulator) -> None:
    with fresh.client() as client:
        with pytest.raises(zdkit.ConfigurationError, match="not both"):
            client.incremental("tickets", start_time=0, cursor="abc")
        assert fresh.requests("/api/v2/incremental") == []


def test_export_pages_give_json_lines_of_the_same_items(fresh: Emulator) -> None:
    seen = []
    with fresh.client() as client:
        for page in client.incremental("tickets", start_time=0, per_page=7, time_based=True).pages():
            lines = page.jsonl.splitlines()
            assert page.jsonl == b"" or page.jsonl.endswith(b"\n")
            assert len(page) == len(lines) == len(page.items)
            assert [json.loads(line) for line in lines] == page.items
            seen.extend(item["id"] for item in page.items)
    assert len(seen) == 100 == len(set(seen)), "the repeats of time-based pages are gone from the lines too"


def test_iteration_is_lazy_page_by_page(fresh: Emulator) -> None:
    with fresh.client() as client:
        tickets = client.paginate("/api/v2/tickets.json", page_size=30)
        assert fresh.requests("/api/v2/tickets") == [], "nothing is fetched before an item is asked for"
        for _ in range(30):
            next(tickets)
        assert len(fresh.requests("/api/v2/tickets")) == 1, "the first page serves its 30 items"
        next(tickets)
        assert len(fresh.requests("/api/v2/tickets")) == 2
        results = client.search("type:ticket")
        export = client.incremental("tickets", start_time=0)
        assert fresh.requests("/api/v2/search") == [] and fresh.requests("/api/v2/incremental") == []
        next(results)
        next(export)
        assert len(fresh.requests("/api/v2/search")) == 1 and len(fresh.requests("/api/v2/incremental")) == 1
