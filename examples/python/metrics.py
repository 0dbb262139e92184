"""Prometheus-style counters from zdkit's events (``Client(on_event=...)``).

Each answer, retry, pacing wait and token request reaches ``ZendeskMetrics.observe``;
``exposition()`` renders the counters in Prometheus' text format (serve it on
``/metrics`` with any HTTP server, or push it). Paths are grouped with their numeric
ids replaced by ``:id``, so the label set stays small. No library needed.

Run against an account (ZENDESK_* variables, see whoami.py): it makes a few calls and
prints the exposition.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from typing import DefaultDict, Dict, Optional, Tuple

import zdkit

_ID = re.compile(r"/\d+(?=/|\.json$|$)")


def route(path: str) -> str:
    """``/api/v2/tickets/123/comments.json`` → ``/api/v2/tickets/:id/comments.json``."""
    return _ID.sub("/:id", path)


class ZendeskMetrics:
    """Counters fed by zdkit events; thread-safe (events arrive on the requests' threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.responses: DefaultDict[Tuple[str, str, str], int] = defaultdict(int)
        self.duration_sum: DefaultDict[Tuple[str, str], float] = defaultdict(float)
        self.retries: DefaultDict[str, int] = defaultdict(int)
        self.waited_seconds = 0.0
        self.waits = 0
        self.tokens: DefaultDict[str, int] = defaultdict(int)
        self.rate_limit_remaining: Optional[int] = None
        self.rate_limit_limit: Optional[int] = None

    def observe(self, event: zdkit.Event) -> None:
        status = str(event.status) if event.status is not None else "error"
        with self._lock:
            if event.kind == "response":
                key = (event.method, route(event.path))
                self.responses[key + (status,)] += 1
                self.duration_sum[key] += event.duration
                if event.rate_limit_remaining is not None:
                    self.rate_limit_remaining = event.rate_limit_remaining
                if event.rate_limit_limit is not None:
                    self.rate_limit_limit = event.rate_limit_limit
            elif event.kind == "retry":
                self.retries[status] += 1
                self.waited_seconds += event.duration
            elif event.kind == "wait":
                self.waits += 1
                self.waited_seconds += event.duration
            elif event.kind == "token":
                self.tokens[status] += 1

    def exposition(self) -> str:
        """The counters in Prometheus' text exposition format."""
        out = []

        def metric(name: str, kind: str, help_text: str, samples: Dict[str, float]) -> None:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} {kind}")
            for labels, value in sorted(samples.items()):
                out.append(f"{name}{labels} {value:g}")

        def labels(**pairs: str) -> str:
            inner = ",".join(f'{k}="{v}"' for k, v in pairs.items())
            return "{" + inner + "}"

        with self._lock:
            metric("zendesk_responses_total", "counter",
                   "Calls' final answers (status error: no answer); retried attempts are in zendesk_retries_total.",
                   {labels(method=m, route=r, status=s): n for (m, r, s), n in self.responses.items()})
            metric("zendesk_response_seconds_total", "counter", "Time spent in final attempts.",
                   {labels(method=m, route=r): t for (m, r), t in self.duration_sum.items()})
            metric("zendesk_retries_total", "counter", "Attempts retried, by the failed status.",
                   {labels(status=s): n for s, n in self.retries.items()})
            metric("zendesk_pacing_waits_total", "counter", "Waits to stay inside the rate limit.",
                   {"": self.waits})
            metric("zendesk_wait_seconds_total", "counter", "Time spent waiting (retries and pacing).",
                   {"": self.waited_seconds})
            metric("zendesk_token_requests_total", "counter", "OAuth token requests.",
                   {labels(status=s): n for s, n in self.tokens.items()})
            if self.rate_limit_remaining is not None:
                metric("zendesk_rate_limit_remaining", "gauge", "Requests left in the rate-limit window.",
                       {"": self.rate_limit_remaining})
            if self.rate_limit_limit is not None:
                metric("zendesk_rate_limit_limit", "gauge", "Requests allowed per window.",
                       {"": self.rate_limit_limit})
        return "\n".join(out) + "\n"


def main() -> int:
    metrics = ZendeskMetrics()
    try:
        with zdkit.Client.from_env(on_event=metrics.observe) as client:
            client.get("/api/v2/users/me.json")
            for _ in zip(range(3), client.paginate("/api/v2/tickets.json", page_size=2)):
                pass
    except zdkit.ZendeskError as error:
        print(f"metrics: {error}")
    print(metrics.exposition(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
