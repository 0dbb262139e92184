"""The Python half of `make demo`: zdkit against its own offline Zendesk, step by step.

    python examples/python/demo.py          # needs `pip install zdkit` (or `make python`)

It starts a zdkit-emulator (the one installed with the package, or $ZDKIT_EMULATOR),
then shows, each step saying what it shows:

1. an OAuth client-credentials client: zdkit mints a token, and mints the next one
   before the first expires (the token lasts 2 s here, so the renewal is visible);
2. a 429 injected into the emulator and survived: the retry event, then the answer;
3. a cursor walk over every ticket, page by page;
4. `zdkit export` with its progress display, interrupted with SIGINT (Ctrl-C) mid-stream,
   then resumed from its checkpoint: every ticket exactly once.

No step prints a secret: token sets show as '[redacted]', events never hold one.
Exit status 0 when every step showed what it should, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional

import zdkit
import zdkit.testing

TICKETS = 3000
EXPORT_PAGE = 250
CLIENT_ID, CLIENT_SECRET = "emulator-client", "emulator-client-secret"  # built into the emulator


class DemoFailed(Exception):
    """A step did not show what it should."""


def step(number: int, title: str, what: str) -> None:
    print(f"\n==> Python {number}: {title}", flush=True)
    for line in what.splitlines():
        print(f"    {line}")


def show(text: str) -> None:
    print(f"    {text}", flush=True)


def check(condition: bool, failure: str) -> None:
    if not condition:
        raise DemoFailed(failure)


def describe(event: zdkit.Event) -> str:
    """One line per event; events carry method, path (never a query) and numbers, no secret."""
    text = f"event {event.kind:<8} {event.method} {event.path} status={event.status} attempt={event.attempt}"
    if event.kind == "retry":
        text += f" waiting {event.duration:.1f} s (Retry-After: {event.retry_after})"
    elif event.kind == "token":
        text += f" in {event.duration * 1000:.0f} ms"
    return text


def oauth_step(emulator: zdkit.testing.Emulator, events: List[zdkit.Event]) -> zdkit.Client:
    step(1, "OAuth client credentials: a token minted, then renewed before it expires",
         f"zdkit.Client(oauth=zdkit.OAuthClientCredentials({CLIENT_ID!r}, …, expires_in=2)).\n"
         "The first request mints a token (POST /oauth/tokens); zdkit renews it at 80 % of a\n"
         "short lifetime, so a request 2 s later mints the next one without any 401.")
    client = zdkit.Client(base_url=emulator.url, on_event=events.append,
                          oauth=zdkit.OAuthClientCredentials(CLIENT_ID, CLIENT_SECRET, scope="read write",
                                                             expires_in=2))
    me = client.get("/api/v2/users/me")["user"]
    first = client.token_set
    check(first is not None, "no token set after the first request")
    show(f"GET /api/v2/users/me -> {me['name']} <{me['email']}>")
    show(f"token set: {first!r}")
    time.sleep(2.0)
    client.get("/api/v2/users/me")
    second = client.token_set
    first_expiry = first.expires_at if first is not None else None
    second_expiry = second.expires_at if second is not None else None
    check(first_expiry is not None and second_expiry is not None and second_expiry > first_expiry,
          "the token was not renewed")
    tokens = [event for event in events if event.kind == "token"]
    for event in tokens:
        show(describe(event))
    minted = emulator.state()["oauth_tokens_minted"]
    show(f"2 s later: a new token (expires_at {first_expiry} -> {second_expiry}); the emulator minted {minted}, "
         f"requests answered 401: {sum(1 for event in events if event.status == 401)}")
    check(len(tokens) == 2 and minted == 2, f"expected 2 tokens minted, saw {len(tokens)} events, {minted} minted")
    check(all(event.status != 401 for event in events), "a request got a 401: the token was not renewed in time")
    return client


def rate_limit_step(emulator: zdkit.testing.Emulator, client: zdkit.Client, events: List[zdkit.Event]) -> None:
    step(2, "a 429 injected and survived",
         "The emulator's control API answers the next ticket read with 429 and Retry-After: 1;\n"
         "zdkit waits what the server asked, retries, and the call returns the ticket.")
    emulator.inject("GET", "/api/v2/tickets", {"kind": "status", "status": 429, "headers": {"Retry-After": "1"},
                                                "body": "slow down"})
    events.clear()
    started = time.monotonic()
    ticket = client.get("/api/v2/tickets/1")["ticket"]
    elapsed = time.monotonic() - started
    for event in events:
        show(describe(event))
    show(f"ticket {ticket['id']} ({ticket['subject']!r}) after {elapsed:.1f} s; "
         f"the emulator saw {len(emulator.requests('/api/v2/tickets/1'))} requests for it")
    # (A token renewal may come in between: this client's tokens last 2 s.)
    attempts = [event for event in events if event.kind != "token"]
    check([event.kind for event in attempts] == ["retry", "response"] and attempts[0].status == 429,
          f"expected a retry then a response, saw {[event.kind for event in attempts]}")


def cursor_step(client: zdkit.Client) -> None:
    step(3, f"a cursor walk over all {TICKETS:,} tickets",
         "client.pages() follows meta.after_cursor and stops on has_more == false (Zendesk\n"
         "still sends links.next on the last page); one page is in memory at a time.")
    pages = items = 0
    last_id = 0
    for page in client.pages("/api/v2/tickets", page_size=100):
        pages += 1
        items += len(page.items)
        last_id = page.items[-1]["id"] if page.items else last_id
        if pages <= 2 or not page.has_more:
            show(f"page {pages:>2}: {len(page.items)} tickets, has_more={page.has_more}, "
                 f"after_cursor={page.after_cursor!r}")
        elif pages == 3:
            show("…")
    show(f"{pages} pages, {items:,} tickets, the last one #{last_id}")
    check(items == TICKETS, f"the walk saw {items} tickets, not {TICKETS}")


def run_cli(args: List[str], env: Dict[str, str], interrupt_after: Optional[int] = None,
            checkpoint: str = "") -> int:
    """Runs `zdkit ARGS` with its stderr on a pseudo-terminal, so it draws its progress
    line as on a user's terminal, and shows each redraw; with `interrupt_after`, sends
    SIGINT once the checkpoint holds at least that many items (and the next page is in
    flight), as a user pressing Ctrl-C would."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "zdkit", *args], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=terminal, close_fds=True)
    os.close(terminal)
    pending = b""
    last_line = b""
    interrupt_at: Optional[float] = None
    interrupted = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the terminal's other end closed: the process exited
                    chunk = b""
                if not chunk and process.poll() is not None:
                    break
                pending += chunk
                # Each redraw of the progress line (they start with a carriage return) is shown
                # as a line of its own.
                text = pending.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
                *lines, pending = text.split(b"\n")
                for line in lines:
                    if line.strip() and line != last_line:  # the final redraw repeats the last one
                        show("| " + line.decode(errors="replace").strip())
                        last_line = line
            else:
                if pending.strip() and pending != last_line:  # a quiet moment: the line drawn last
                    show("| " + pending.decode(errors="replace").strip())
                    last_line = pending
                pending = b""
                if process.poll() is not None:
                    break
            if interrupt_after is not None and interrupt_at is None and saved_items(checkpoint) >= interrupt_after:
                interrupt_at = time.monotonic() + 0.1  # once the progress line has shown that page
            if interrupt_at is not None and not interrupted and time.monotonic() >= interrupt_at:
                process.send_signal(signal.SIGINT)
                interrupted = True
                show(f"| … SIGINT (Ctrl-C), as a user would press it, with {saved_items(checkpoint):,} items "
                     "checkpointed and the next page in flight")
        if pending.strip():
            show("| " + pending.decode(errors="replace").strip())
        return process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)


def saved_items(checkpoint: str) -> int:
    try:
        with open(checkpoint, encoding="utf-8") as handle:
            items: int = json.load(handle)["items"]
            return items
    except (OSError, ValueError, KeyError):
        return 0


def export_step(emulator: zdkit.testing.Emulator, workdir: str) -> None:
    step(4, "`zdkit export` with its progress line, interrupted, then resumed",
         f"zdkit export tickets --out tickets.jsonl, with the OAuth client's id and secret in the\n"
         f"environment (the command mints its own token). Every page is synced and its cursor saved in\n"
         f"tickets.jsonl.checkpoint. Each page is slowed to 0.3 s by an injected delay so the progress\n"
         f"line has something to count; Ctrl-C comes mid-stream, and --resume finishes the job.")
    out = os.path.join(workdir, "tickets.jsonl")
    checkpoint = out + ".checkpoint"
    env = {name: value for name, value in os.environ.items() if not name.startswith("ZENDESK_")}
    env.update(ZENDESK_URL=emulator.url, ZENDESK_CLIENT_ID=CLIENT_ID, ZENDESK_CLIENT_SECRET=CLIENT_SECRET)
    emulator.inject("GET", "/api/v2/incremental/tickets", {"kind": "delay", "ms": 300}, times=TICKETS // EXPORT_PAGE)
    command = ["export", "tickets", "--out", out, "--per-page", str(EXPORT_PAGE)]
    show("$ zdkit export tickets --out tickets.jsonl")
    status = run_cli(command, env, interrupt_after=4 * EXPORT_PAGE, checkpoint=checkpoint)
    with open(out, "rb") as handle:
        written = handle.read().count(b"\n")
    show(f"exit status {status} (130: interrupted); {saved_items(checkpoint):,} items checkpointed, "
         f"{written:,} lines in the file")
    check(status == 130, f"the interrupted export exited with {status}, not 130")
    check(0 < saved_items(checkpoint) < TICKETS, "the export was not interrupted mid-stream")

    show("$ zdkit export tickets --out tickets.jsonl --resume")
    status = run_cli(command + ["--resume"], env)
    with open(out, encoding="utf-8") as handle:
        ids = [json.loads(line)["id"] for line in handle]
    show(f"exit status {status}; {len(ids):,} lines, {len(set(ids)):,} distinct tickets "
         f"(#{min(ids)}…#{max(ids)}): none lost, none written twice")
    check(status == 0, f"the resumed export exited with {status}")
    check(len(ids) == len(set(ids)) == TICKETS, f"{len(ids)} lines, {len(set(ids))} distinct, expected {TICKETS}")


def main() -> int:
    started = time.monotonic()
    step(0, "the emulator",
         f"zdkit.testing.start_emulator('--tickets', '{TICKETS}'): an offline Zendesk on a free\n"
         "loopback port, the same one your own tests can use (docs/python.md).")
    with zdkit.testing.start_emulator("--tickets", str(TICKETS)) as emulator, \
            tempfile.TemporaryDirectory(prefix="zdkit-demo-") as workdir:
        show(f"listening on {emulator.url} (pid {emulator.pid}); {zdkit.version()}")
        events: List[zdkit.Event] = []
        try:
            client = oauth_step(emulator, events)
            rate_limit_step(emulator, client, events)
            cursor_step(client)
            export_step(emulator, workdir)
            client.close()
        except (DemoFailed, zdkit.ZendeskError, subprocess.TimeoutExpired) as error:
            print(f"demo: FAILED: {error}", file=sys.stderr)
            return 1
    print(f"\nPython demo: every step showed what it should ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
