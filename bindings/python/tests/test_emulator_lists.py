"""The emulator's newer lists (comments, organizations, memberships) walked with paginate."""

from __future__ import annotations

from typing import Iterator

import pytest

from conftest import Emulator


@pytest.fixture(scope="module")
def account() -> Iterator[Emulator]:
    running = Emulator("--tickets", "200", "--users", "40")
    yield running
    running.stop()


def test_comments_walk_one_per_page_and_include_new_ones(account: Emulator) -> None:
    with account.client() as client:
        client.put("/api/v2/tickets/12.json", {"ticket": {"comment": {"body": "from Python", "public": False}}})
        comments = list(client.paginate("/api/v2/tickets/12/comments.json", page_size=1))
        pages = list(client.pages("/api/v2/tickets/12/comments.json", page_size=1))
    assert len(comments) >= 2 and len(pages) == len(comments)
    ids = [c["id"] for c in comments]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert comments[-1]["body"] == "from Python" and comments[-1]["public"] is False


def test_organizations_and_their_tickets(account: Emulator) -> None:
    with account.client() as client:
        client.post("/api/v2/organizations.json", {"organization": {"name": "Python Corp"}})
        orgs = list(client.paginate("/api/v2/organizations.json", page_size=3))
        assert len(orgs) == 8 and orgs[-1]["name"] == "Python Corp"
        total = 0
        for org in orgs:
            tickets = list(client.paginate(f"/api/v2/organizations/{org['id']}/tickets.json", page_size=40))
            assert all(t["organization_id"] == org["id"] for t in tickets)
            total += len(tickets)
        assert total == 200
        members = list(client.paginate("/api/v2/organization_memberships.json", page_size=7))
    assert len(members) == 40
    assert len({m["user_id"] for m in members}) == 40
