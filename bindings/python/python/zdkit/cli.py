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
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, TextIO, Tuple

from . import _native
from ._client import Client
from .errors import ConfigurationError, ZendeskError

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_IO_ERROR = 3


GLOBAL_DEFAULTS: Dict[str, Any] = {"base_url": None, "timeout": 60.0, "ca_file": None}


def _add_global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The options every command takes, before or after the command's name. On the
    subcommands their default is "not given", so a value given before the command is
    kept."""

    def default(name: str) -> Any:
        return GLOBAL_DEFAULTS[name] if defaults else argparse.SUPPRESS

    parser.add_argument("--base-url", default=default("base_url"),
                        help="full base URL (overrides ZENDESK_URL/ZENDESK_SUBDOMAIN)")
    parser.add_argument("--timeout", type=float, default=default("timeout"),
                        help="seconds per request (default 60)")
    parser.add_argument("--ca-file", default=default("ca_file"), help="PEM file of CA certificates to trust")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zdkit",
        description="Call the Zendesk Support API. Credentials come from ZENDESK_EMAIL + "
        "ZENDESK_API_TOKEN or ZENDESK_OAUTH_TOKEN (or a prompt); the account from "
        "ZENDESK_SUBDOMAIN, ZENDESK_URL or --base-url. Options such as --base-url may "
        "come before or after the command.",
    )
    parser.add_argument("--version", action="version", version=f"zdkit {_native.__version__} ({_native.version()})",
                        help="print zdkit's version (with libcurl's) and exit")
    _add_global_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_SubParser)
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
    download = commands.add_parser(
        "download",
        help="download an attachment (by content_url or id) to a file",
        description="Follows Zendesk's redirect to the content origin without sending the "
        "credential there, and writes FILE atomically (a failed download leaves it as it was).",
    )
    download.add_argument("source", metavar="URL_OR_ID", help="the attachment's content_url, or its id")
    download.add_argument("--out", required=True, metavar="FILE")
    download.add_argument("--max-bytes", type=int, metavar="N", help="refuse a file larger than N bytes")
    oauth = commands.add_parser("oauth", help="OAuth helpers")
    oauth_commands = oauth.add_subparsers(dest="oauth_command", required=True, parser_class=_SubParser)
    oauth_commands.add_parser(
        "token",
        help="print a fresh token set as JSON (needs ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET)",
    )
    completion = commands.add_parser("completion", help="print a shell completion script (bash or zsh)",
                                     description="Load it with: eval \"$(zdkit completion bash)\"")
    completion.add_argument("shell", choices=("bash", "zsh"))
    return parser


class _SubParser(argparse.ArgumentParser):
    """A command's parser: it takes the global options too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _add_global_options(self, defaults=False)


def _client(args: argparse.Namespace) -> Client:
    """A client from the ZENDESK_* variables (read by the core, as ``Client.from_env``
    does), with ``--base-url`` in place of ZENDESK_URL/ZENDESK_SUBDOMAIN. Without a
    credential in the environment, a terminal is asked for one."""
    options: Dict[str, Any] = {"base_url": args.base_url, "timeout": args.timeout, "ca_file": args.ca_file,
                               "on_event": args.waits.on_event}
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


class _Waits:
    """What the client is waiting for, fed by its events: a pacing wait or a retry.
    Thread-safe (events arrive on the request's thread, the display reads from its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0
        self._why = ""
        self.listeners: List[Callable[[str, float], None]] = []

    def on_event(self, event: _native.Event) -> None:
        if event.kind == "wait":
            why = "Zendesk's rate limit"
        elif event.kind == "retry" and event.status == 429:
            why = "Zendesk's rate limit (429)"
        elif event.kind == "retry":
            why = f"a retry after HTTP {event.status}" if event.status else "a retry after a network error"
        else:
            with self._lock:
                self._until = 0.0
            return
        with self._lock:
            self._until = time.monotonic() + event.duration
            self._why = why
        for listener in self.listeners:
            listener(why, event.duration)

    def current(self) -> Optional[Tuple[float, str]]:
        """(seconds left, why) while a wait is under way."""
        with self._lock:
            left = self._until - time.monotonic()
            return (left, self._why) if left > 0 else None


def _wait_text(seconds: float, why: str) -> str:
    return f"waiting {max(1, round(seconds))} s for {why}"


class _Progress:
    """A one-line progress display on a terminal (items, rate, elapsed, and what the
    client waits for), redrawn by a ticker thread when the count moves (a page was
    saved; checked ten times a second) and every second, so a long rate-limit wait
    shows as a countdown rather than a frozen line. Off a terminal, each wait is one
    line instead."""

    TICK = 1.0
    POLL = 0.1

    def __init__(self, out: TextIO, waits: _Waits, count: Optional[Callable[[], int]] = None) -> None:
        self.out = out
        self.enabled = out.isatty()
        self.started = time.monotonic()
        self.waits = waits
        self.items = 0
        self._count = count
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._width = 0
        self._ticker: Optional[threading.Thread] = None
        if self.enabled:
            # Drawn at once when a wait starts, then every second by the ticker.
            waits.listeners.append(lambda why, seconds: self._draw())
            self._ticker = threading.Thread(target=self._tick, name="zdkit-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        # Redrawn as soon as the count moves (a page was saved), else every TICK.
        last = time.monotonic()
        while not self._stop.wait(self.POLL):
            moved = self._count is not None and self._count() != self.items
            if moved or time.monotonic() - last >= self.TICK:
                self._draw()
                last = time.monotonic()

    def _draw(self, final: bool = False) -> None:
        with self._lock:
            if self._count is not None and not final:
                self.items = self._count()
            elapsed = max(time.monotonic() - self.started, 1e-9)
            minutes, seconds = divmod(int(elapsed), 60)
            line = f"{self.items:>12,} items  {self.items / elapsed:>10,.0f}/s  {minutes}:{seconds:02d}"
            waiting = None if final else self.waits.current()
            if waiting is not None:
                line += "  " + _wait_text(*waiting)
            padding = " " * max(0, self._width - len(line))
            self._width = len(line)
            self.out.write(f"\r{line}{padding}")
            if final:
                self.out.write("\n")
            self.out.flush()

    def update(self, items: int, final: bool = False) -> None:
        self.items = items
        if not self.enabled:
            return
        if final:
            self.close()
        self._draw(final)

    def close(self) -> None:
        """Stops the ticker (idempotent)."""
        self._stop.set()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join(timeout=5)

    def abandon(self) -> None:
        """Stops the ticker and ends the line drawn last, so what is printed next (an
        error, "interrupted") starts on a line of its own."""
        self.close()
        with self._lock:
            if self.enabled and self._width:
                self.out.write("\n")
                self.out.flush()
                self._width = 0


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
    # Rust writes the pages (the items' bytes as Zendesk sent them, one per line: no
    # parse, no re-encoding), syncs the file, then saves the checkpoint after each page,
    # with the GIL released; the progress line reads its count from another thread.
    # A failure before a checkpoint leaves the previous one, and --resume drops the
    # partial page.
    saved = _native.ExportProgress()
    progress = _Progress(sys.stderr, args.waits, count=lambda: saved.items)
    try:
        items, last = export._write_jsonl(out, checkpoint, args.resource, items, saved)
    except OSError as error:
        progress.abandon()
        raise _WriteError(f"writing {out} failed: {error.strerror or error}; {saved.items} items are saved, "
                          "continue with --resume") from None
    except BaseException:  # an API error, Ctrl-C: its message goes on a line of its own
        progress.abandon()
        raise
    progress.close()
    progress.update(items, final=True)
    return {"resource": args.resource, "items": items, "cursor": last or cursor, "out": out}


def _run(args: argparse.Namespace) -> Any:
    if args.command == "completion":
        return _Raw(_completion_script(args.shell))
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
        if args.command == "download":
            if args.max_bytes is not None and args.max_bytes < 1:
                raise _UsageError("--max-bytes must be at least 1")
            try:
                written = client.download(args.source, args.out, max_bytes=args.max_bytes)
            except ConfigurationError as error:
                raise _UsageError(str(error)) from None
            return {"out": args.out, "bytes": written}
        body = _body(args.data)
        return client.request(args.method.upper(), args.path, params=_params(args.param), json=body).json()


class _Raw(str):
    """Command output printed as it is (not as JSON)."""


def _validation_details(error: ZendeskError) -> List[str]:
    """The field-by-field reasons of a validation error (``details`` of a 422):
    ``email: Email: x is already being used (DuplicateValue)``."""
    details = error.details
    if not isinstance(details, dict):
        return []
    lines = []
    for field, problems in details.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            if isinstance(problem, dict):
                text = str(problem.get("description") or problem.get("message") or "")
                code = problem.get("error")
                lines.append(f"{field}: {text}" + (f" ({code})" if code else ""))
            else:
                lines.append(f"{field}: {problem}")
    return lines


def _announce_waits(args: argparse.Namespace) -> None:
    """Off a terminal (or outside an export), says each wait on its own stderr line."""
    if sys.stderr.isatty() and args.command == "export":
        return

    def say(why: str, seconds: float) -> None:
        if seconds >= 1:
            print(f"zdkit: {_wait_text(seconds, why)}", file=sys.stderr, flush=True)

    args.waits.listeners.append(say)


def _completion_script(shell: str) -> str:
    """A completion script for the commands and options of this parser."""
    parser = _parser()
    commands: Dict[str, List[str]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                options = [o for a in sub._actions for o in a.option_strings
                           if o.startswith("--") and a.help != argparse.SUPPRESS]
                words: List[str] = []
                for a in sub._actions:
                    if isinstance(a, argparse._SubParsersAction):
                        words.extend(a.choices)
                    elif not a.option_strings and a.choices:
                        words.extend(str(c) for c in a.choices)
                commands[name] = sorted(set(options + words))
    global_options = sorted(o for a in parser._actions for o in a.option_strings if o.startswith("--"))
    names = " ".join(sorted(commands))
    if shell == "bash":
        cases = "\n".join(f'        {name}) words="{" ".join(words)}" ;;' for name, words in sorted(commands.items()))
        return f"""# bash completion for zdkit: eval "$(zdkit completion bash)"
_zdkit() {{
    local cur command words i
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    command=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            -*) ;;
            *) command="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    if [ -z "$command" ]; then
        COMPREPLY=($(compgen -W "{names} {" ".join(global_options)}" -- "$cur"))
        return
    fi
    case "$command" in
{cases}
        *) words="" ;;
    esac
    case "${{COMP_WORDS[COMP_CWORD-1]}}" in
        --out|--ca-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o default -F _zdkit zdkit
"""
    cases = "\n".join(
        f"        {name}) compadd -- {' '.join(words)} ;;" for name, words in sorted(commands.items()) if words
    )
    return f"""#compdef zdkit
# zsh completion for zdkit: eval "$(zdkit completion zsh)" (after compinit)
_zdkit() {{
    local command=""
    local word
    for word in ${{words[2,CURRENT-1]}}; do
        case "$word" in
            -*) ;;
            *) command="$word"; break ;;
        esac
    done
    if [[ -z "$command" ]]; then
        compadd -- {names} {" ".join(global_options)}
        return
    fi
    case "$command" in
{cases}
    esac
    _files
}}
compdef _zdkit zdkit
"""


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    args.waits = _Waits()
    _announce_waits(args)
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
        for line in _validation_details(error):
            print(f"zdkit:   {line}", file=sys.stderr)
        if error.request_id:
            print(f"zdkit: request id {error.request_id}", file=sys.stderr)
        return EXIT_API_ERROR
    except KeyboardInterrupt:
        print("zdkit: interrupted", file=sys.stderr)
        return 130
    if isinstance(result, _Raw):
        sys.stdout.write(result)
    else:
        _print_json(result, sys.stdout)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
