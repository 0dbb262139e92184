"""Creates a ticket safely (idempotency key), reads it back, handles errors by class."""

from __future__ import annotations

import sys
import uuid
from typing import Any, Dict

import zdkit


def main() -> int:
    client = zdkit.Client.from_env(timeout=30)
    ticket: Dict[str, Any] = {"ticket": {"subject": "Printer on fire", "comment": {"body": "Smoke!"}}}
    try:
        created = client.post("/api/v2/tickets.json", json=ticket, idempotency_key=str(uuid.uuid4()))
        ticket_id = created["ticket"]["id"]
        shown = client.get(f"/api/v2/tickets/{ticket_id}.json")
        print(f"ticket {ticket_id}: {shown['ticket']['subject']}")
        client.get("/api/v2/tickets/999999999.json")
    except zdkit.NotFoundError as error:
        print(f"not found, as expected (request id {error.request_id})")
    except zdkit.RateLimitError as error:
        print(f"rate limited: retry after {error.retry_after} s", file=sys.stderr)
        return 1
    except zdkit.ZendeskError as error:
        print(f"failed: {error}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
