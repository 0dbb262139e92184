"""Writes the static site `make bench` serves: Zendesk-shaped answers as files.

- me.json: GET /api/v2/users/me.json
- t/first.json, t/cNNNN.json: 1,000 cursor pages of 100 tickets (GET /api/v2/tickets.json);
  meta.after_cursor / meta.has_more / links.next chain them as Zendesk does
  (links.next is still a URL on the last page, has_more is false there).
- i/first.json, i/cNNNN.json: 100 pages of 1,000 tickets of the cursor-based
  incremental export (GET /api/v2/incremental/tickets/cursor.json), chained by
  after_cursor / after_url, end_of_stream on the last.

Usage: python gen_site.py OUT_DIR HTTP_BASE_URL [TICKETS]
Every ticket is ~1.9 KB, so 100,000 tickets are ~189 MB per walk.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List

WORDS = ("printer", "invoice", "login", "refund", "shipping", "password", "crash", "upgrade",
         "billing", "export", "report", "delay", "sync", "mobile", "account", "token")
SENTENCE = ("Hello team, since this morning the {a} page fails with an error when I try the {b} "
            "step, and our {c} workflow is blocked. ")


def ticket(n: int, base: str) -> Dict[str, Any]:
    words = [WORDS[(n * k + k) % len(WORDS)] for k in range(1, 7)]
    description = "".join(SENTENCE.format(a=words[k], b=words[k + 1], c=words[k + 2]) for k in range(4))
    requester = 360_000_000_000 + n % 977
    stamp = 1_700_000_000 + n * 7
    iso = "2024-%02d-%02dT%02d:%02d:%02dZ" % (1 + n % 12, 1 + n % 28, n % 24, n % 60, (n * 7) % 60)
    return {
        "url": f"{base}/api/v2/tickets/{n}.json",
        "id": n,
        "external_id": f"ext-{n}" if n % 3 == 0 else None,
        "via": {"channel": "email", "source": {
            "from": {"address": f"user{requester % 10000}@example.com", "name": "Ada Lovelace"},
            "to": {"address": "support@example.zendesk.com", "name": "Example Support"}, "rel": None}},
        "created_at": iso,
        "updated_at": iso,
        "generated_timestamp": stamp,
        "type": ("question", "incident", "problem", "task")[n % 4],
        "subject": f"The {words[0]} {words[1]} does not work ({n})",
        "raw_subject": f"The {words[0]} {words[1]} does not work ({n})",
        "description": description,
        "priority": ("low", "normal", "high", "urgent")[n % 4],
        "status": ("new", "open", "pending", "solved", "closed")[n % 5],
        "recipient": "support@example.zendesk.com",
        "requester_id": requester,
        "submitter_id": requester,
        "assignee_id": 360_100_000_000 + n % 31,
        "organization_id": 360_200_000_000 + n % 7,
        "group_id": 360_300_000_000 + n % 3,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": None,
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": [words[2], words[3], "vip" if n % 10 == 0 else "standard"],
        "custom_fields": [{"id": 360_000_001, "value": "pro"}, {"id": 360_000_002, "value": str(n % 10000)},
                          {"id": 360_000_003, "value": n % 2 == 0}],
        "satisfaction_rating": {"score": "unoffered"},
        "sharing_agreement_ids": [],
        "custom_status_id": 360_400_000_000 + n % 6,
        "fields": [{"id": 360_000_001, "value": "pro"}, {"id": 360_000_002, "value": str(n % 10000)},
                   {"id": 360_000_003, "value": n % 2 == 0}],
        "followup_ids": [],
        "ticket_form_id": 360_500_000_000,
        "brand_id": 360_600_000_000,
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
    }


def dump(path: str, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, separators=(",", ":"))


def main() -> int:
    out, base = sys.argv[1], sys.argv[2].rstrip("/")
    total = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    os.makedirs(os.path.join(out, "t"), exist_ok=True)
    os.makedirs(os.path.join(out, "i"), exist_ok=True)
    dump(os.path.join(out, "me.json"), {"user": {
        "id": 360_000_000_001, "url": f"{base}/api/v2/users/360000000001.json", "name": "Ada Lovelace",
        "email": "ada@example.com", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
        "time_zone": "Europe/London", "iana_time_zone": "Europe/London", "phone": None, "locale": "en-US",
        "locale_id": 1, "organization_id": 360_200_000_000, "role": "admin", "verified": True,
        "active": True, "suspended": False, "tags": [], "user_fields": {}, "restricted_agent": False}})
    tickets: List[Dict[str, Any]] = [ticket(n, base) for n in range(1, total + 1)]

    pages = total // 100
    for page in range(pages):
        name = "first" if page == 0 else f"c{page:04d}"
        after = f"c{page + 1:04d}"
        dump(os.path.join(out, "t", name + ".json"), {
            "tickets": tickets[page * 100:(page + 1) * 100],
            "meta": {"has_more": page + 1 < pages, "after_cursor": after,
                     "before_cursor": f"b{page:04d}"},
            "links": {"prev": f"{base}/api/v2/tickets.json?page%5Bbefore%5D=b{page:04d}&page%5Bsize%5D=100",
                      "next": f"{base}/api/v2/tickets.json?page%5Bafter%5D={after}&page%5Bsize%5D=100"},
        })

    exports = total // 1000
    for page in range(exports):
        name = "first" if page == 0 else f"c{page:04d}"
        after = f"c{page + 1:04d}"
        last = page + 1 == exports
        dump(os.path.join(out, "i", name + ".json"), {
            "tickets": tickets[page * 1000:(page + 1) * 1000],
            "after_url": f"{base}/api/v2/incremental/tickets/cursor.json?cursor={after}&per_page=1000",
            "after_cursor": after,
            "before_url": None,
            "before_cursor": None,
            "end_of_stream": last,
        })
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
