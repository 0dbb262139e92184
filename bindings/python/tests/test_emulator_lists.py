"""The emulator's newer lists (comments, organizations, memberships, Help Center articles) walked with paginate."""

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


def test_help_center_articles_walk_every_id_once_in_order(account: Emulator) -> None:
    """Help Center's own paging: no links.next on the last cursor page, offset pages with page_count."""
    with account.client() as client:
        cursor = [a["id"] for a in client.paginate("/api/v2/help_center/en-us/articles.json", page_size=10)]
        cursor_pages = list(client.pages("/api/v2/help_center/en-us/articles.json", page_size=10))
        offset = [a["id"] for a in client.paginate("/api/v2/help_center/articles.json?per_page=7", page_size=0)]
        section = list(client.paginate("/api/v2/help_center/sections/361200002/articles.json", page_size=3))
    assert len(cursor) == 72 and len(cursor_pages) == 8
    assert [p.has_more for p in cursor_pages] == [True] * 7 + [False]
    assert cursor == sorted(cursor) and len(set(cursor)) == len(cursor)
    assert offset == cursor
    assert len(section) == 8 and all(a["section_id"] == 361200002 for a in section)
