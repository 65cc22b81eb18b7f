"""How much work one web request may start, and how it is stopped.

Every page is a GET, so any page a reader opens (a link in an e-mail, a script on another site) can make the
server run the most expensive question there is. So each request runs under a `Bound`: a deadline, and a stop
when its reader goes away. The request's searches go through `bounded_client`, which refuses every request to
Elasticsearch once the bound is stopped, and stopping cancels the request's searches still running on the
server (the tasks API finds them by the request's `X-Opaque-Id`). What the analyses hold in memory is capped by
`WebLimits` (pairs, tweets read, network edges), lower than the command line's own limits.

A request stopped by a bound is never answered in part: the page says which bound was reached
(`LimitReached`), and a download ends short, which the browser reports as failed.
"""

from __future__ import annotations

import threading
import time
import uuid
import warnings
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from common.errors import LimitReached

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PAGE_SECONDS = 60.0
"""A page's deadline (search, coordination, every other page): a question longer than a minute is one for the
command line, which has none."""
DOWNLOAD_SECONDS = 600.0
"""A download's deadline (a search's CSV or JSON lines, a network file): ten minutes streams some millions of
tweets."""
WEB_PAIRS = 200_000
"""Account pairs a coordination page or network download may hold (the command line: `MAX_PAIRS`, 2,000,000)."""
WEB_TWEETS = 500_000
"""Tweets a coordination page or network download may read to pair accounts (the command line reads any number
its pairs allow)."""
WEB_EDGES = 100_000
"""Edges of a network download, which is built whole in memory before it is written."""
GRACE_SECONDS = 5.0
"""How much longer than the deadline one request to Elasticsearch may wait for its answer, in case cancelling
it on the server failed (a user without the privilege to cancel tasks): a request that times out closes its
connection, and the server cancels a search whose connection closed."""


@dataclass(frozen=True)
class WebLimits:
    """The bounds of `create_app`: time per page and per download, and what an analysis may hold."""

    page_seconds: float = PAGE_SECONDS
    download_seconds: float = DOWNLOAD_SECONDS
    pairs: int = WEB_PAIRS
    tweets: int = WEB_TWEETS
    edges: int = WEB_EDGES


class Bound:
    """One request's deadline and stop. `check` is called before each request to Elasticsearch; `stop` (the
    deadline passing, the reader leaving) makes it refuse from then on and cancels what is running."""

    def __init__(self, es: Elasticsearch, seconds: float) -> None:
        self.es, self.seconds = es, seconds
        self.id = f"tweetsearch-web-{uuid.uuid4().hex}"
        self.reason: str | None = None
        """None while the request may go on; then "time" (the deadline passed) or "gone" (the reader left)."""
        self._ends = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self.stop, args=("time",))
        self._timer.daemon = True
        self._timer.start()

    @property
    def stopped_by_time(self) -> bool:
        return self.reason == "time"

    def limit_reached(self) -> LimitReached:
        """The error a page shows for a request its deadline stopped."""
        return LimitReached(
            f"stopped after {self.seconds:g} s, the time a web page may take: nothing is shown, since only part "
            "was read; narrow the query (a campaign, a date range) or ask the command line, which has no such limit"
        )

    def check(self) -> None:
        """Raises `LimitReached` once the request is stopped (or its deadline passed: the timer may be late)."""
        if self.reason is None and time.monotonic() >= self._ends:
            self.stop("time")
        if self.reason is not None:
            raise self.limit_reached()

    def stop(self, reason: str) -> None:
        """Stops the request: later requests are refused, and its searches still running are cancelled."""
        with self._lock:
            if self.reason is not None:
                return
            self.reason = reason
        self._timer.cancel()
        cancel_server_tasks(self.es, self.id)

    def finish(self) -> None:
        """The request is answered: the deadline no longer matters."""
        self._timer.cancel()


def cancel_server_tasks(es: Elasticsearch, opaque_id: str) -> int:
    """Cancels what runs on the server for one web request (its tasks sent with `opaque_id`; a search's shard
    tasks go with it): how many. Needs the `monitor` and `manage` cluster privileges; without them nothing is
    cancelled here, and a search still ends at its request timeout (`GRACE_SECONDS`), when its connection
    closes."""
    try:
        with warnings.catch_warnings():  # the client calls the tasks API a technical preview
            warnings.simplefilter("ignore")
            listed = es.tasks.list(detailed=False).body
    except Exception:
        return 0
    cancelled = 0
    for node in listed.get("nodes", {}).values():
        for task_id, task in node.get("tasks", {}).items():
            if task.get("headers", {}).get("X-Opaque-Id") != opaque_id or task.get("parent_task_id"):
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    es.tasks.cancel(task_id=task_id)
                cancelled += 1
            except Exception:  # the task ended meanwhile, or the privilege is missing
                pass
    return cancelled


def bounded_client(es: Elasticsearch, bound: Bound) -> Elasticsearch:
    """`es` for one request: the same connections, each request sent with the bound's `X-Opaque-Id` and refused
    once the bound is stopped, a timeout of the deadline and a grace, and no retry of a timed-out request."""
    client = es.options(opaque_id=bound.id, request_timeout=bound.seconds + GRACE_SECONDS, retry_on_timeout=False)
    client.__class__ = _bounded_class(type(es))  # same layout: a subclass adding methods only
    client._tweetsearch_bound = bound  # type: ignore[attr-defined]
    return client


@cache
def _bounded_class(base: type) -> type:
    """`base` (the process's client class) whose every request first asks the bound. Namespaced APIs
    (`es.indices`, `es.tasks`) send through the client's `perform_request`, so they are refused too."""

    def perform_request(self: Any, method: str, path: str, **kwargs: Any) -> Any:
        if not (method == "DELETE" and path == "/_pit"):  # closing a point in time frees the server: always sent
            self._tweetsearch_bound.check()
        return base.perform_request(self, method, path, **kwargs)

    def options(self: Any, **kwargs: Any) -> Any:  # a client derived from this one keeps its bound
        derived = base.options(self, **kwargs)
        derived._tweetsearch_bound = self._tweetsearch_bound
        return derived

    return type(f"Bounded{base.__name__}", (base,), {"perform_request": perform_request, "options": options})
