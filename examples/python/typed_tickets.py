"""Reads a ticket, its requester and its comments with the typed shapes of
``zdkit.types`` (checked by ``mypy --strict`` in ``make test``).

Results are plain dicts at run time: the annotations only tell editors and mypy which
keys exist and what they hold. Every key is optional, so ``.get()`` reads the ones
Zendesk may leave out.

Reads ZENDESK_SUBDOMAIN or ZENDESK_URL and a credential (see whoami.py); the ticket id
is the first argument (default 1).
"""

from __future__ import annotations

import sys
from typing import List

import zdkit
from zdkit.types import Ticket, TicketComment, User


def describe(client: zdkit.Client, ticket_id: int) -> List[str]:
    ticket: Ticket = client.get(f"/api/v2/tickets/{ticket_id}.json")["ticket"]
    lines = [f"#{ticket['id']} {ticket.get('subject') or '(no subject)'} [{ticket.get('status', '?')}]"]
    via = ticket.get("via")
    if via is not None:
        lines.append(f"  opened via {via.get('channel', '?')}")
    requester_id = ticket.get("requester_id")
    if requester_id is not None:
        requester: User = client.get(f"/api/v2/users/{requester_id}.json")["user"]
        lines.append(f"  requester {requester.get('name')} <{requester.get('email')}>")
    for tag in ticket.get("tags", []):
        lines.append(f"  tag {tag}")
    try:
        comments: List[TicketComment] = client.get(f"/api/v2/tickets/{ticket_id}/comments.json")["comments"]
    except zdkit.NotFoundError:
        comments = []  # an account or emulator without the comments endpoint
    for comment in comments:
        author = comment.get("author_id")
        files = [attachment.get("file_name", "?") for attachment in comment.get("attachments", [])]
        channel = comment.get("via", {}).get("channel", "?")
        kind = "public" if comment.get("public", True) else "internal"
        body = comment.get("plain_body") or comment.get("body", "")
        lines.append(f"  {kind} comment by {author} via {channel}: {body[:60]!r} {files}")
    return lines


def main() -> int:
    ticket_id = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    try:
        with zdkit.Client.from_env() as client:
            print("\n".join(describe(client, ticket_id)))
    except zdkit.ZendeskError as error:
        print(f"typed_tickets: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
