"""Loading documents into Elasticsearch through the bulk API, with an explicit error policy.

Layers, each short:
- `encode_action` (pure) turns one document into its two NDJSON lines with orjson, once;
- `chunk_actions` (pure) groups encoded actions into requests bounded by count and bytes;
- `send_chunk` posts one request and reads every item of the answer: created, updated (the tweet was
  already there: `_id` is the tweetid, so reloading never duplicates), rejected by the server (a mapping
  error: reported, never dropped), refused for now (429/5xx: retried with backoff until a deadline), or
  refused for every document (a read-only index, missing rights: the load stops, to be resumed);
  a request the server finds too large is split; connection errors are retried until the same deadline;
- `load_actions` keeps several requests in flight and yields their results in submission order, so a
  caller can checkpoint "everything up to here is stored" after each one.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from indexer.errors import TweetsearchError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Of each item in a bulk answer only its status and error are read; the rest (index, id, version, shards)
# would be most of the answer's bytes.
BULK_ANSWER = "items.*.status,items.*.error"
# Item errors that are about the index or the credentials, not the document: every later document would get
# the same answer, so the load stops (to be resumed) instead of writing the whole archive to the rejects file.
INDEX_REFUSALS = frozenset(
    {"cluster_block_exception", "index_closed_exception", "index_not_found_exception", "security_exception"}
)


class BulkFailed(TweetsearchError):
    """Raised when the server keeps refusing a request (429/5xx/unreachable) past the retry deadline."""

    exit_code = 3


class Action(NamedTuple):
    """One encoded index action.

    `ref` says where it came from (file, line) for rejects and checkpoints; `rows_read` is how many input
    rows had been read when it was made, so that once it is stored a checkpoint knows every row before it
    is settled. A named tuple: one is made per row, and a frozen dataclass costs four times as much to make.
    """

    doc_id: str
    payload: bytes
    ref: tuple[str, int]
    rows_read: int = 0


@dataclass(frozen=True)
class BulkOptions:
    """How hard to push. Validated here so the CLI can pass user input straight in."""

    chunk_docs: int = 2000
    chunk_bytes: int = 8 * 1024 * 1024
    in_flight: int = 2
    retry_seconds: float = 300.0
    initial_backoff: float = 0.5
    max_backoff: float = 20.0

    def __post_init__(self) -> None:
        for name in ("chunk_docs", "chunk_bytes", "in_flight"):
            value = getattr(self, name)
            if value < 1:
                raise ValueError(f"'{name}' must be positive but was {value}")
        if self.retry_seconds < 0:
            raise ValueError(f"'retry_seconds' must not be negative but was {self.retry_seconds}")


@dataclass
class ChunkResult:
    """What became of one request's documents."""

    actions: list[Action]
    created: int = 0
    updated: int = 0
    rejected: list[tuple[Action, str]] = field(default_factory=list)
    retries: int = 0
    splits: int = 0

    @property
    def indexed(self) -> int:
        return self.created + self.updated


def encode_action(
    index: str, doc_id: str, document: dict[str, Any], ref: tuple[str, int], rows_read: int = 0
) -> Action:
    """Encodes the action line and the document once; the bytes are reused on retries."""
    return ActionEncoder(index)(doc_id, orjson.dumps(document), ref, rows_read)


class ActionEncoder:
    """`encode_action` for one index and documents already encoded, for every row of a load: the start of the
    action line is encoded once, and the `Action` made without its constructor's keyword handling (a microsecond
    a row, all told)."""

    __slots__ = ("_start",)

    def __init__(self, index: str) -> None:
        self._start = b'{"index":{"_index":' + orjson.dumps(index) + b',"_id":'

    def __call__(self, doc_id: str, document: bytes, ref: tuple[str, int], rows_read: int) -> Action:
        payload = b"".join((self._start, orjson.dumps(doc_id), b"}}\n", document, b"\n"))
        return tuple.__new__(Action, (doc_id, payload, ref, rows_read))


def chunk_actions(actions: Iterable[Action], *, max_docs: int, max_bytes: int) -> Iterator[list[Action]]:
    """Groups actions into requests of at most `max_docs` actions and about `max_bytes` bytes."""
    chunk: list[Action] = []
    size = 0
    for action in actions:
        if chunk and (len(chunk) >= max_docs or size + len(action.payload) > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(action)
        size += len(action.payload)
    if chunk:
        yield chunk


def send_chunk(es: Elasticsearch, actions: list[Action], options: BulkOptions) -> ChunkResult:
    """Posts one bulk request and settles every document in it, retrying what the server refused for now."""
    from elasticsearch import ApiError, ConnectionError, ConnectionTimeout

    result = ChunkResult(actions=actions)
    pending = actions
    deadline = time.monotonic() + options.retry_seconds
    backoff = options.initial_backoff
    while pending:
        try:
            response = es.bulk(
                operations=b"".join(action.payload for action in pending), refresh=False, filter_path=BULK_ANSWER
            )
        except (ConnectionError, ConnectionTimeout) as exc:
            _wait_or_fail(deadline, backoff, f"the server was unreachable ({type(exc).__name__})", len(pending))
        except ApiError as exc:
            status = exc.meta.status
            if status == 413 and len(pending) > 1:
                half = len(pending) // 2
                result.splits += 1
                for part in (pending[:half], pending[half:]):
                    _merge(result, send_chunk(es, part, options))
                return result
            if status not in RETRY_STATUSES:
                raise
            _wait_or_fail(deadline, backoff, f"the server answered {status}", len(pending))
        else:
            pending = _settle_items(result, pending, response.body["items"])
            if not pending:
                break
            _wait_or_fail(deadline, backoff, "the server kept refusing documents (429)", len(pending))
        result.retries += 1
        backoff = min(backoff * 2, options.max_backoff)
    return result


def _settle_items(result: ChunkResult, sent: list[Action], items: list[dict[str, Any]]) -> list[Action]:
    """Counts each item of a bulk answer; returns the actions to send again."""
    retry: list[Action] = []
    for action, item in zip(sent, items, strict=True):
        outcome = next(iter(item.values()))
        status = outcome.get("status", 500)
        if status == 201:
            result.created += 1
        elif status == 200:
            result.updated += 1
        elif status in RETRY_STATUSES or status >= 500:
            retry.append(action)
        elif status in (401, 403) or _error_type(outcome) in INDEX_REFUSALS:
            raise BulkFailed(
                f"the server refused to store documents ({_item_reason(outcome)}); nothing was skipped: fix "
                "that, then run the same command with --resume"
            )
        else:
            result.rejected.append((action, _item_reason(outcome)))
    return retry


def _error_type(outcome: dict[str, Any]) -> str | None:
    error = outcome.get("error")
    return error.get("type") if isinstance(error, dict) else None


def _item_reason(outcome: dict[str, Any]) -> str:
    error = outcome.get("error") or {}
    if isinstance(error, dict):
        reason = error.get("reason") or error.get("type") or "rejected"
        cause = error.get("caused_by") or {}
        if isinstance(cause, dict) and cause.get("reason"):
            reason = f"{reason}: {cause['reason']}"
        return str(reason)
    return str(error)


def _wait_or_fail(deadline: float, backoff: float, why: str, waiting: int) -> None:
    if time.monotonic() + backoff > deadline:
        raise BulkFailed(
            f"{why} until the retry limit ran out; {waiting} documents of the current request were not "
            "stored. Nothing was skipped: run the same command with --resume once the server is healthy"
        )
    time.sleep(backoff)


def _merge(into: ChunkResult, part: ChunkResult) -> None:
    into.created += part.created
    into.updated += part.updated
    into.rejected.extend(part.rejected)
    into.retries += part.retries
    into.splits += part.splits


def load_actions(
    es: Elasticsearch,
    actions: Iterable[Action],
    options: BulkOptions,
) -> Iterator[ChunkResult]:
    """Sends chunks with up to `options.in_flight` requests at once; yields results in submission order.

    The next chunk is read and encoded while the requests are in flight, and sent as soon as the oldest one
    is answered, before its result is handed back: the server processes concurrent requests side by side, so
    they tend to finish together, and a chunk built only after that would leave the server idle meanwhile.
    """
    chunks = chunk_actions(actions, max_docs=options.chunk_docs, max_bytes=options.chunk_bytes)
    with ThreadPoolExecutor(max_workers=options.in_flight, thread_name_prefix="bulk") as pool:
        in_flight: deque[Future[ChunkResult]] = deque()
        try:
            ready = next(chunks, None)
            while ready is not None or in_flight:
                full = len(in_flight) >= options.in_flight or ready is None
                answered = in_flight.popleft().result() if full else None
                if ready is not None:
                    in_flight.append(pool.submit(send_chunk, es, ready, options))
                    ready = next(chunks, None)
                if answered is not None:
                    yield answered
        finally:
            for future in in_flight:
                future.cancel()
