"""Searches sent again when a node left while they ran, so that an answer is whole wherever copies exist.

When a node dies in the middle of a search, the shards it was reading fail with a transport error (the node
disconnected, closed, or its channel went away), and the coordinating node does not always try another copy:
the answer comes back with `_shards.failed` although a replica on a running node holds every tweet. Reporting
that as incomplete is honest; answering it whole is what a user needs. So a search or count whose only failures
are of that kind is sent again, a bounded number of times within a bounded time, once the cluster says every
primary of the index has a copy (health yellow or green). When nothing covers the lost shards (health red), or
the failures name anything else (a malformed query, a breaker, a timeout), the answer is left as it came and is
reported as partial by the caller, never silently short.

Each retry is recorded (`retries_during`), so that a front end can say that the answer needed one: `--json`
output carries them under `retried`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

# Failure types that mean a shard copy went away with its node, not that the request was wrong. A search
# failing only with these is worth sending again once the cluster has noticed the loss.
NODE_LEFT_FAILURES = frozenset(
    {
        "node_disconnected_exception",
        "node_not_connected_exception",
        "node_closed_exception",
        "connect_transport_exception",
        "send_request_transport_exception",
        "transport_exception",
        "no_shard_available_action_exception",
        "shard_not_found_exception",
        "illegal_index_shard_state_exception",
        "index_shard_closed_exception",
        "already_closed_exception",
        "task_cancelled_exception",
        "search_context_missing_exception",
        "unavailable_shards_exception",
    }
)

# How often and for how long a search is sent again: past these the answer is reported as it is (partial).
MAX_RETRIES = 5
MAX_RETRY_SECONDS = 20.0
# The pause before each attempt, in seconds (the last repeats): time for the cluster to see the node go.
RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True)
class Retry:
    """One search sent again: which request, how many shards had failed and why, and the attempt it led to."""

    request: str
    failed_shards: int
    total_shards: int
    reasons: tuple[str, ...]
    attempt: int


_recorded: ContextVar[list[Retry] | None] = ContextVar("tweetsearch_retries", default=None)


@contextmanager
def retries_during() -> Iterator[list[Retry]]:
    """Collects the retries made inside the block (in this thread or task) into the list it yields."""
    found: list[Retry] = []
    token = _recorded.set(found)
    try:
        yield found
    finally:
        _recorded.reset(token)


def recorded_retries() -> list[Retry]:
    """The retries recorded so far in the innermost `retries_during` block (none outside one)."""
    return list(_recorded.get() or [])


def _record(retry: Retry) -> None:
    found = _recorded.get()
    if found is not None:
        found.append(retry)


def failure_types(failure: dict[str, Any]) -> set[str]:
    """The types a shard failure names: its reason's and every cause's below it."""
    types: set[str] = set()
    reason = failure.get("reason")
    depth = 0
    while isinstance(reason, dict) and depth < 20:
        if isinstance(reason.get("type"), str):
            types.add(reason["type"])
        reason = reason.get("caused_by")
        depth += 1
    return types


def _only_node_left(failures: list[Any]) -> bool:
    """Whether every failure is a lost copy: each names at least one node-left type (a wrapper such as a
    `search_phase_execution_exception` may stand above it)."""
    return bool(failures) and all(
        isinstance(failure, dict) and failure_types(failure) & NODE_LEFT_FAILURES for failure in failures
    )


def node_left_answer(answer: dict[str, Any]) -> bool:
    """Whether an answer is short only because shard copies went away with a node (not timed out, not refused)."""
    shards = answer.get("_shards") or {}
    if answer.get("timed_out") or not shards.get("failed"):
        return False
    return _only_node_left(shards.get("failures") or [])


def node_left_error(exc: Any) -> bool:
    """Whether a refused search (every shard failed: a 5xx) failed only because copies went away with a node."""
    if exc.meta.status < 500:
        return False
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    if not isinstance(error, dict):
        return False
    failed = error.get("failed_shards") or []
    if failed:
        return _only_node_left(failed)
    return bool(failure_types({"reason": error}) & NODE_LEFT_FAILURES)


def send_whole(client: Any, request: str, send: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """`send(**kwargs)` (a search or a count), sent again while its answer is short only because a node left
    and every primary of the index still has a copy, within `MAX_RETRIES` and `MAX_RETRY_SECONDS`. The last
    answer is returned as it is: the caller reports it as partial if it still is."""
    from elasticsearch import ApiError

    deadline = time.monotonic() + MAX_RETRY_SECONDS
    attempt = 0
    while True:
        try:
            answer = send(**kwargs)
        except ApiError as exc:
            if not node_left_error(exc) or not _worth_retrying(client, kwargs, attempt, deadline):
                raise
            attempt += 1
            _record(Retry(request, -1, -1, tuple(sorted(failure_types({"reason": exc.body.get("error")}))), attempt))
            continue
        body = answer.body
        if not isinstance(body, dict) or not node_left_answer(body):
            return answer
        if not _worth_retrying(client, kwargs, attempt, deadline):
            return answer
        attempt += 1
        shards = body["_shards"]
        reasons = sorted({kind for failure in shards.get("failures") or [] for kind in failure_types(failure)})
        _record(Retry(request, int(shards["failed"]), int(shards.get("total", 0)), tuple(reasons), attempt))


def _worth_retrying(client: Any, kwargs: dict[str, Any], attempt: int, deadline: float) -> bool:
    """Whether to send again: within the bounds, after a pause that grows with each attempt (the cluster needs a
    moment to notice the node is gone), and only while the cluster says every primary of the index has a copy
    (yellow or better). A red index has lost shards that nothing covers: the answer stays partial, and the
    caller says so, at once."""
    from elasticsearch import ApiError

    pause = RETRY_PAUSES[min(attempt, len(RETRY_PAUSES) - 1)]
    if attempt >= MAX_RETRIES or time.monotonic() + pause >= deadline:
        return False
    index = kwargs.get("index")
    if kwargs.get("pit") is not None or not index:
        # A point in time's shard contexts went away with the node: sent again, it fails the same way.
        return False
    time.sleep(pause)
    try:
        health = client.options(request_timeout=10).cluster.health(index=index, filter_path="status")
    except ApiError:
        return False
    except Exception:  # the node asked went away too: the transport tries another on the next send
        return True
    return health.body.get("status") in ("yellow", "green")
