"""The ``zdkit`` command line.

Secrets come only from the ``ZENDESK_*`` environment variables or a prompt, never
from command-line flags (other users can read those in the process list).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, TextIO, Tuple

from ._client import Client
from .errors import ConfigurationError, ZendeskError

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_IO_ERROR = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zdkit",
        description="Call the Zendesk Support API. Credentials come from ZENDESK_EMAIL + "
        "ZENDESK_API_TOKEN or ZENDESK_OAUTH_TOKEN (or a prompt); the account from "
        "ZENDESK_SUBDOMAIN, ZENDESK_URL or --base-url.",
    )
    parser.add_argument("--base-url", help="full base URL (overrides ZENDESK_URL/ZENDESK_SUBDOMAIN)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    parser.add_argument("--ca-file", help="PEM file of CA certificates to trust")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("whoami", help="show the user the credential belongs to")
    get = commands.add_parser("get", help="GET a path and print its JSON")
    get.add_argument("path")
    get.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                     help="query parameter (repeatable)")
    request = commands.add_parser("request", help="send any method, with an optional JSON body")
    request.add_argument("method")
    request.add_argument("path")
    request.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                         help="query parameter (repeatable)")
    request.add_argument("--data", help="JSON body: @FILE, - for stdin, or the JSON text")
    export = commands.add_parser(
        "export",
        help="incremental export to a JSON Lines file, checkpointed after every page",
        description="Writes one JSON object per line. After each page the file is synced and "
        "the cursor saved in FILE.checkpoint; --resume continues from it, so no item is lost "
        "or repeated after a crash.",
    )
    export.add_argument("resource", help="tickets, users, organizations, ticket_events, ...")
    export.add_argument("--out", required=True, metavar="FILE.jsonl")
    export.add_argument("--start-time", type=int, default=0, metavar="UNIX_TIME",
                        help="export changes since this time (default 0: everything)")
    export.add_argument("--resume", action="store_true", help="continue from FILE.checkpoint")
    export.add_argument("--per-page", type=int, default=1000, help=argparse.SUPPRESS)
    oauth = commands.add_parser("oauth", help="OAuth helpers")
    oauth_commands = oauth.add_subparsers(dest="oauth_command", required=True)
    oauth_commands.add_parser(
        "token",
        help="print a fresh token set as JSON (needs ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET)",
    )
    return parser


def _client(args: argparse.Namespace) -> Client:
    """A client from the ZENDESK_* variables (read by the core, as ``Client.from_env``
    does), with ``--base-url`` in place of ZENDESK_URL/ZENDESK_SUBDOMAIN. Without a
    credential in the environment, a terminal is asked for one."""
    options: Dict[str, Any] = {"base_url": args.base_url, "timeout": args.timeout, "ca_file": args.ca_file}
    try:
        return Client.from_env(**options)
    except ConfigurationError as error:
        no_credential = "ZENDESK_OAUTH_TOKEN" in str(error)
        if not (no_credential and sys.stdin.isatty()):
            raise _UsageError(str(error)) from None
    email = os.environ.get("ZENDESK_EMAIL", "").strip()
    try:
        if email:
            return Client.from_env(api_token=getpass.getpass(f"Zendesk API token for {email}: "), **options)
        return Client.from_env(oauth_token=getpass.getpass("Zendesk OAuth access token: "), **options)
    except ConfigurationError as error:
        raise _UsageError(str(error)) from None


class _UsageError(Exception):
    pass


def _params(pairs: List[str]) -> List[Tuple[str, str]]:
    params = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise _UsageError(f"parameter {pair!r} is not KEY=VALUE")
        params.append((key, value))
    return params


def _body(data: Optional[str]) -> Any:
    if data is None:
        return None
    if data == "-":
        text = sys.stdin.read()
    elif data.startswith("@"):
        with open(data[1:], encoding="utf-8") as handle:
            text = handle.read()
    else:
        text = data
    try:
        return json.loads(text)
    except ValueError as error:
        raise _UsageError(f"--data is not valid JSON: {error}") from None


def _print_json(value: Any, out: TextIO) -> None:
    if out.isatty():
        out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n")


class _Progress:
    """A one-line progress display on a terminal (items, rate, elapsed)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.enabled = out.isatty()
        self.started = time.monotonic()

    def update(self, items: int, final: bool = False) -> None:
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        minutes, seconds = divmod(int(elapsed), 60)
        self.out.write(f"\r{items:>12,} items  {items / elapsed:>10,.0f}/s  {minutes}:{seconds:02d}")
        if final:
            self.out.write("\n")
        self.out.flush()


def _save_checkpoint(path: str, state: Dict[str, Any]) -> None:
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class _WriteError(Exception):
    """Writing the export failed (a full disk, a file size limit): the checkpoint still
    holds the last complete page."""


def _resume_point(out: str, checkpoint: str, resource: str) -> Tuple[str, int, int]:
    """The cursor, item count and byte offset saved in `checkpoint`, after checking that
    `out` holds at least those bytes (a missing or shorter file cannot be resumed: the
    items it lacks would be lost)."""
    try:
        with open(checkpoint, encoding="utf-8") as handle:
            state = json.load(handle)
        cursor, items, size = state["cursor"], state["items"], state["bytes"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise _UsageError(f"{checkpoint} is unreadable or incomplete ({error}): cannot resume safely") from None
    if state.get("resource") != resource:
        raise _UsageError(f"{checkpoint} belongs to an export of {state.get('resource')!r}")
    if not (isinstance(cursor, str) and isinstance(items, int) and isinstance(size, int) and size >= 0):
        raise _UsageError(f"{checkpoint} is incomplete: cannot resume safely")
    try:
        actual = os.path.getsize(out)
    except OSError:
        raise _UsageError(f"{out} is missing but {checkpoint} says it holds {size} bytes: "
                          "cannot resume (restore the file, or remove both to start over)") from None
    if actual < size:
        raise _UsageError(f"{out} holds {actual} bytes but {checkpoint} says {size}: "
                          "cannot resume (restore the file, or remove both to start over)")
    return cursor, items, size


def _export(client: Client, args: argparse.Namespace) -> Dict[str, Any]:
    out: str = args.out
    checkpoint = out + ".checkpoint"
    cursor: Optional[str] = None
    items = 0
    if args.resume and os.path.exists(checkpoint):
        cursor, items, size = _resume_point(out, checkpoint, args.resource)
        try:
            with open(out, "r+b") as handle:  # drop a page written after the last checkpoint
                handle.truncate(size)
        except OSError as error:
            raise _WriteError(f"cannot truncate {out} to the checkpoint: {error.strerror or error}") from None
    elif args.resume and os.path.exists(out) and os.path.getsize(out) > 0:
        raise _UsageError(f"{out} has data but no {checkpoint}: cannot resume safely")
    elif not args.resume and os.path.exists(out) and os.path.getsize(out) > 0:
        raise _UsageError(f"{out} exists: pass --resume to continue it, or remove it")
    export = client.incremental(
        args.resource,
        start_time=None if cursor else args.start_time,
        cursor=cursor,
        per_page=args.per_page,
    )
    progress = _Progress(sys.stderr)
    saved = items
    try:
        with open(out, "ab") as handle:
            for page in export.pages():
                # The items' bytes as Zendesk sent them, one per line: no parse, no re-encoding.
                handle.write(page.jsonl)
                handle.flush()
                os.fsync(handle.fileno())
                items += len(page)
                cursor = page.cursor or cursor
                # Saved only once the page is on disk: a failure before this point leaves
                # the previous checkpoint, and --resume drops the partial page.
                _save_checkpoint(checkpoint, {"resource": args.resource, "cursor": cursor, "items": items,
                                              "bytes": handle.tell(), "end_of_stream": page.end_of_stream})
                saved = items
                progress.update(items)
    except OSError as error:
        raise _WriteError(f"writing {out} failed: {error.strerror or error}; {saved} items are saved, "
                          "continue with --resume") from None
    progress.update(items, final=True)
    return {"resource": args.resource, "items": items, "cursor": cursor, "out": out}


def _run(args: argparse.Namespace) -> Any:
    with _client(args) as client:
        if args.command == "export":
            return _export(client, args)
        if args.command == "oauth":
            token = client.fetch_token_set()
            if token is None:
                raise _UsageError("no OAuth client: set ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET")
            return {"access_token": token.access_token, "token_type": "bearer", "refresh_token": token.refresh_token,
                    "expires_at": token.expires_at, "scope": token.scope}
        if args.command == "whoami":
            me: Dict[str, Any] = client.get("/api/v2/users/me.json")
            user = me.get("user") or {}
            if user.get("id") is None:
                raise _UsageError("not authenticated: Zendesk answered as the anonymous user")
            return user
        if args.command == "get":
            return client.get(args.path, params=_params(args.param))
        body = _body(args.data)
        return client.request(args.method.upper(), args.path, params=_params(args.param), json=body).json()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        result = _run(args)
    except _UsageError as error:
        print(f"zdkit: {error}", file=sys.stderr)
        return EXIT_USAGE
    except _WriteError as error:
        print(f"zdkit: {error}", file=sys.stderr)
        return EXIT_IO_ERROR
    except ZendeskError as error:
        print(f"zdkit: {error}", file=sys.stderr)
        if error.request_id:
            print(f"zdkit: request id {error.request_id}", file=sys.stderr)
        return EXIT_API_ERROR
    except KeyboardInterrupt:
        print("zdkit: interrupted", file=sys.stderr)
        return 130
    _print_json(result, sys.stdout)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
