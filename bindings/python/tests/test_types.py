"""zdkit.types: generated from Zendesk's OpenAPI file, committed as generated, checked by
mypy --strict, free at run time."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap

import pytest

import zdkit
from conftest import ROOT, Emulator

GENERATOR = ROOT / "scripts" / "gen_types.py"


def test_the_committed_module_is_what_the_generator_writes(tmp_path: pathlib.Path) -> None:
    check = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    # and the check can fail: a hand edit is caught
    edited = tmp_path / "types.py"
    committed = (ROOT / "bindings" / "python" / "python" / "zdkit" / "types.py").read_text(encoding="utf-8")
    edited.write_text(committed.replace("    subject: str\n", "    subject: int\n", 1), encoding="utf-8")
    drift = subprocess.run([sys.executable, str(GENERATOR), "--check", "--output", str(edited)],
                           capture_output=True, text=True, timeout=120)
    assert drift.returncode == 1 and "differs" in drift.stderr


def test_the_named_shapes_exist() -> None:
    import zdkit.types as types

    for name in ("Ticket", "User", "Organization", "Group", "TicketComment", "Audit", "TicketAudit", "Attachment",
                 "Upload", "JobStatus", "SearchResult", "TicketField", "View", "Macro", "Article"):
        assert name in types.__all__, name
    assert "via" in types.Ticket.__annotations__ and "email" in types.User.__annotations__


def test_import_zdkit_does_not_load_the_types_and_results_stay_dicts(emulator: Emulator) -> None:
    probe = subprocess.run([sys.executable, "-c", "import sys, zdkit; print('zdkit.types' in sys.modules); "
                            "zdkit.types.Ticket; print('zdkit.types' in sys.modules)"],
                           capture_output=True, text=True, timeout=60)
    assert probe.stdout.split() == ["False", "True"], probe.stderr
    with emulator.client() as client:
        ticket: zdkit.types.Ticket = client.get("/api/v2/tickets.json")["tickets"][0]
    assert type(ticket) is dict


def mypy(source: str, tmp_path: pathlib.Path) -> subprocess.CompletedProcess:
    path = tmp_path / "snippet.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(ROOT / "target" / "mypy"),
                           str(path)], capture_output=True, text=True, timeout=300)


def test_mypy_strict_reads_nested_fields_and_refuses_wrong_ones(tmp_path: pathlib.Path) -> None:
    good = mypy('''
        import zdkit
        from zdkit.types import Ticket, TicketComment, User

        def summary(client: zdkit.Client, i: int) -> str:
            ticket: zdkit.types.Ticket = client.get(f"/api/v2/tickets/{i}")["ticket"]
            channel: str | int = ticket["via"]["channel"]
            requester: User = client.get(f"/api/v2/users/{ticket['requester_id']}")["user"]
            comment: TicketComment = client.get(f"/api/v2/tickets/{i}/comments")["comments"][0]
            names = [a["file_name"] for a in comment["attachments"]]
            return f"{ticket['subject']} {channel} {requester['email']} {comment['via']['channel']} {names}"
    ''', tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = mypy('''
        from zdkit.types import Ticket

        def wrong(ticket: Ticket) -> int:
            subject: int = ticket["subject"]
            return subject + len(ticket["subjekt"])
    ''', tmp_path)
    assert bad.returncode == 1
    assert "subject" in bad.stdout and "subjekt" in bad.stdout, bad.stdout


def test_the_typed_example_runs(emulator: Emulator) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    env.update({"ZENDESK_URL": emulator.url, "ZENDESK_OAUTH_TOKEN": "emulator-oauth-token"})
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "typed_tickets.py"), "1"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("#1 ") and "requester" in result.stdout
