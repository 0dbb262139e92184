"""Prints who the configured credential belongs to.

Reads ZENDESK_SUBDOMAIN or ZENDESK_URL, and ZENDESK_EMAIL + ZENDESK_API_TOKEN or
ZENDESK_OAUTH_TOKEN. Exits non-zero with the error and request id on failure.
"""

from __future__ import annotations

import sys

import zdkit


def main() -> int:
    try:
        with zdkit.Client.from_env() as client:
            user = client.get("/api/v2/users/me.json")["user"]
    except zdkit.ZendeskError as error:
        print(f"whoami: {error}", file=sys.stderr)
        if error.request_id:
            print(f"whoami: request id {error.request_id}", file=sys.stderr)
        return 1
    if user.get("id") is None:
        print("whoami: Zendesk answered as the anonymous user: check the credential", file=sys.stderr)
        return 1
    print(f"You are {user['name']} <{user['email']}> (role {user['role']}, id {user['id']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
