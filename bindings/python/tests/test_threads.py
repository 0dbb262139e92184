"""Threads and fork(): one client shared by many threads, and a client used before
fork() in both processes. Every answer's id is checked, so a swapped answer fails."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import List

from conftest import OAUTH_TOKEN, Emulator

TICKETS = 100  # the emulator's default number of seeded tickets


def run_script(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs `script` in a fresh interpreter; a hang past `timeout` fails the test."""
    try:
        return subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(f"the script hung for {timeout} s (deadlock?): {expired.stderr!r}") from None


FIRST_CALLS = """
import sys, threading, zdkit
client = zdkit.Client(base_url=sys.argv[1], oauth_token=sys.argv[2], max_retries=0)
barrier = threading.Barrier(8)
ids = []
def work(i):
    barrier.wait()
    ids.append(client.get(f"/api/v2/tickets/{i + 1}.json")["ticket"]["id"])
threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(ids))
"""


def test_eight_threads_making_their_first_request_at_once_do_not_deadlock(emulator: Emulator) -> None:
    # A fresh interpreter each time: the deadlock was in one-time initialisation.
    for _ in range(5):
        result = run_script(FIRST_CALLS, emulator.url, OAUTH_TOKEN, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(list(range(1, 9)))
        assert result.stderr == ""


def test_sixty_four_threads_times_one_hundred_requests_on_one_client(emulator: Emulator) -> None:
    wrong: List[str] = []
    done: List[int] = []
    with emulator.client() as client:
        def work(worker: int) -> None:
            try:
                for k in range(100):
                    ticket = (worker * 100 + k) % TICKETS + 1
                    got = client.get(f"/api/v2/tickets/{ticket}.json")["ticket"]["id"]
                    if got != ticket:
                        wrong.append(f"asked {ticket}, got {got}")
                done.append(worker)
            except Exception as error:  # reported below
                wrong.append(repr(error))

        threads = [threading.Thread(target=work, args=(w,)) for w in range(64)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    assert wrong == []
    assert sorted(done) == list(range(64))


FORK = """
import json, os, sys, zdkit
client = zdkit.Client(base_url=sys.argv[1], oauth_token=sys.argv[2], max_retries=0)
def run(count, offset):
    wrong = []
    for k in range(count):
        ticket = (offset + k) % 100 + 1
        try:
            got = client.get(f"/api/v2/tickets/{ticket}.json")["ticket"]["id"]
        except Exception as error:
            got = repr(error)
        if got != ticket:
            wrong.append(f"asked {ticket}, got {got}")
    return wrong
assert run(20, 0) == []  # the pool now holds connections opened by this process
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    code = 3
    try:
        os.close(read_end)
        wrong = run(150, 50)
        os.write(write_end, json.dumps(wrong).encode())
        code = 0
    finally:
        os._exit(code)
os.close(write_end)
wrong = run(150, 0)
with os.fdopen(read_end, "rb") as pipe:
    child = json.loads(pipe.read() or b'"no report"')
_, status = os.waitpid(pid, 0)
print(json.dumps({"parent": wrong, "child": child, "child_exit": os.waitstatus_to_exitcode(status)}))
"""


def test_fork_after_use_parent_and_child_each_get_their_own_answers(emulator: Emulator) -> None:
    result = run_script(FORK, emulator.url, OAUTH_TOKEN)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {"parent": [], "child": [], "child_exit": 0}


ITERATOR_WHILE_FETCHING = """
import sys, threading, time, zdkit
client = zdkit.Client(base_url=sys.argv[1], oauth_token=sys.argv[2], max_retries=0)
export = client._native.incremental("tickets", 0, None, 10, False)
pages = client._native.pages("/api/v2/tickets.json", None, 10)
first = []
fetchers = [threading.Thread(target=lambda it=it: first.append(next(it))) for it in (export, pages)]
for t in fetchers:
    t.start()
time.sleep(0.5)  # both fetches are now waiting on the delayed answers, without the GIL
print("cursor", export.cursor)  # read while a step runs: must not wait for it
for it in (export, pages):
    try:
        next(it)
        print("no error")
    except zdkit.ConfigurationError as error:
        print("busy", "two threads" in str(error))
for t in fetchers:
    t.join()
print("fetched", len(first), export.cursor is not None)
"""


def test_iterators_stepped_while_another_thread_fetches_neither_block_nor_deadlock(fresh: Emulator) -> None:
    # A step holds no lock while it waits for the GIL (its Ctrl-C check and log lines
    # need it); before, a second thread touching the iterator deadlocked the process.
    fresh.fault(path_prefix="/api/v2/incremental/tickets", fault={"kind": "delay", "ms": 2000})
    fresh.fault(path_prefix="/api/v2/tickets", fault={"kind": "delay", "ms": 2000})
    result = run_script(ITERATOR_WHILE_FETCHING, fresh.url, OAUTH_TOKEN, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["cursor None", "busy True", "busy True", "fetched 2 True"]
