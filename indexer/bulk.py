"""Loading documents into Elasticsearch through the bulk API, with an explicit error policy.

Layers, each short:
- `Actions` holds index actions already encoded as a request body (the native fast path makes up to 2,000 at
  a time), and `encode_action` (pure) turns one document into its two NDJSON lines with orjson, once;
- `chunk_actions` (pure) groups actions into requests bounded by count and bytes;
- `send_chunk` posts one request and reads every item of the answer: created, updated (the tweet was
  already there: `_id` is the tweetid, so reloading never duplicates), rejected by the server (a mapping
  error: reported, never dropped), refused for now (429/5xx: retried with backoff until a deadline), or
  refused for every document (a read-only index, missing rights: the load stops, to be resumed);
  a request the server finds too large is split; connection errors are retried until the same deadline;
- `load_actions` keeps several requests in flight and yields their results in submission order, so a
  caller can checkpoint "everything up to here is stored" after each one.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from common.errors import BulkFailed, UsageError

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


@dataclass(slots=True)
class Actions:
    """Index actions in reading order, encoded as the body of a bulk request: two NDJSON lines each, the action
    (`{"index":{"_id":tweetid}}`: the index is the request's) and the document. The bytes are made once and
    reused on retries; a request is usually one body of thousands, so nothing is kept per action but where it
    ends in `body` and where its row came from (file and line) for rejects and checkpoints.

    `rows_read` is how many input rows had been read once the last of them was, so that once they are stored
    a checkpoint knows every row before is settled. Until `join`ed into a request, the actions of one `Actions`
    are of consecutive rows: a run of the fast path, or a single row.
    """

    body: bytes
    ends: list[int]
    files: list[str]
    lines: list[int]
    rows_read: int = 0

    def __len__(self) -> int:
        return len(self.ends)

    def payload(self, index: int) -> bytes:
        """The two lines of one action."""
        return self.body[self.ends[index - 1] if index else 0 : self.ends[index]]

    def ref(self, index: int) -> tuple[str, int]:
        return self.files[index], self.lines[index]

    def select(self, indices: Sequence[int]) -> Actions:
        """Some of the actions, in the order given (to send again, or half of a request too large)."""
        payloads = [self.payload(index) for index in indices]
        return Actions(
            b"".join(payloads),
            list(itertools.accumulate(map(len, payloads))),
            [self.files[index] for index in indices],
            [self.lines[index] for index in indices],
            self.rows_read,
        )

    def head(self, count: int) -> tuple[Actions, Actions]:
        """The first `count` actions and the rest: for a request that can take only some of a run, and the halves
        of a request the server finds too large."""
        cut = self.ends[count - 1]
        first = Actions(self.body[:cut], self.ends[:count], self.files[:count], self.lines[:count],
                        self.rows_read - (len(self) - count))  # fmt: skip
        rest = Actions(self.body[cut:], [end - cut for end in self.ends[count:]], self.files[count:],
                       self.lines[count:], self.rows_read)  # fmt: skip
        return first, rest

    @staticmethod
    def join(parts: Sequence[Actions]) -> Actions:
        """One request's actions, from parts in reading order."""
        if len(parts) == 1:
            return parts[0]
        ends: list[int] = []
        files: list[str] = []
        lines: list[int] = []
        offset = 0
        for part in parts:
            ends += [end + offset for end in part.ends] if offset else part.ends
            files += part.files
            lines += part.lines
            offset += len(part.body)
        return Actions(b"".join(part.body for part in parts), ends, files, lines, parts[-1].rows_read)


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
                raise UsageError(f"'{name}' must be positive but was {value}")
        if self.retry_seconds < 0:
            raise UsageError(f"'retry_seconds' must not be negative but was {self.retry_seconds}")


class Rejected(NamedTuple):
    """A document the server refused to store, and why."""

    ref: tuple[str, int]
    payload: bytes
    reason: str


@dataclass
class ChunkResult:
    """What became of one request's documents."""

    actions: Actions
    created: int = 0
    updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    retries: int = 0
    splits: int = 0

    @property
    def indexed(self) -> int:
        return self.created + self.updated


def encode_action(doc_id: str, document: dict[str, Any], ref: tuple[str, int], rows_read: int = 0) -> Actions:
    """The index action of one document, encoded once."""
    body = b'{"index":{"_id":' + orjson.dumps(doc_id) + b"}}\n" + orjson.dumps(document) + b"\n"
    return Actions(body, [len(body)], [ref[0]], [ref[1]], rows_read)


def chunk_actions(actions: Iterable[Actions], *, max_docs: int, max_bytes: int) -> Iterator[Actions]:
    """Groups actions into requests of at most `max_docs` actions and `max_bytes` bytes (or one action, however
    large). A request ends early rather than cut a run that fits in one of its own: cutting and joining runs
    copies their bytes, and the fast path's runs are a request's size."""
    parts: list[Actions] = []
    docs = size = 0
    for part in actions:
        while part.ends:
            if parts and (docs + len(part) > max_docs or size + len(part.body) > max_bytes):
                yield Actions.join(parts)
                parts, docs, size = [], 0, 0
            if parts or (len(part) <= max_docs and len(part.body) <= max_bytes):
                parts.append(part)
                docs += len(part)
                size += len(part.body)
                break
            taken, part = part.head(min(max_docs, max(bisect.bisect_right(part.ends, max_bytes), 1)))
            yield taken
        if docs >= max_docs:
            yield Actions.join(parts)
            parts, docs, size = [], 0, 0
    if parts:
        yield Actions.join(parts)


def send_chunk(es: Elasticsearch, index: str, actions: Actions, options: BulkOptions) -> ChunkResult:
    """Posts one bulk request into `index` and settles every document in it, retrying what the server refused for
    now."""
    from elasticsearch import ApiError, ConnectionError, ConnectionTimeout

    result = ChunkResult(actions=actions)
    pending = actions
    deadline = time.monotonic() + options.retry_seconds
    backoff = options.initial_backoff
    while pending:
        try:
            response = es.bulk(index=index, operations=pending.body, refresh=False, filter_path=BULK_ANSWER)
        except (ConnectionError, ConnectionTimeout) as exc:
            _wait_or_fail(deadline, backoff, f"the server was unreachable ({type(exc).__name__})", len(pending))
        except ApiError as exc:
            status = exc.meta.status
            if status == 413 and len(pending) > 1:
                half = len(pending) // 2
                result.splits += 1
                for part in pending.head(half):
                    _merge(result, send_chunk(es, index, part, options))
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


def _settle_items(result: ChunkResult, sent: Actions, items: list[dict[str, Any]]) -> Actions | None:
    """Counts each item of a bulk answer; returns the actions to send again."""
    if len(items) != len(sent):
        raise ValueError(f"the server answered {len(items)} items for {len(sent)} documents")
    retry: list[int] = []
    for position, item in enumerate(items):
        outcome = next(iter(item.values()))
        status = outcome.get("status", 500)
        if status == 201:
            result.created += 1
        elif status == 200:
            result.updated += 1
        elif status in RETRY_STATUSES or status >= 500:
            retry.append(position)
        elif status in (401, 403) or _error_type(outcome) in INDEX_REFUSALS:
            raise BulkFailed(
                f"the server refused to store documents ({_item_reason(outcome)}); nothing was skipped: fix "
                "that, then run the same command with --resume"
            )
        else:
            result.rejected.append(Rejected(sent.ref(position), sent.payload(position), _item_reason(outcome)))
    return sent.select(retry) if retry else None


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
    index: str,
    actions: Iterable[Actions],
    options: BulkOptions,
) -> Iterator[ChunkResult]:
    """Sends chunks with up to `options.in_flight` requests at once; yields results in submission order.

    One chunk more waits, built, in the pool's queue: a thread whose request is answered sends it at once, without
    waiting for this thread, which is reading and encoding the next one meanwhile. The server processes concurrent
    requests side by side; a request sent only once this thread comes round would leave it half idle meanwhile.
    """
    chunks = chunk_actions(actions, max_docs=options.chunk_docs, max_bytes=options.chunk_bytes)
    with ThreadPoolExecutor(max_workers=options.in_flight, thread_name_prefix="bulk") as pool:
        sent: deque[Future[ChunkResult]] = deque()
        try:
            for chunk in chunks:
                if len(sent) > options.in_flight:
                    yield sent.popleft().result()
                sent.append(pool.submit(send_chunk, es, index, chunk, options))
            while sent:
                yield sent.popleft().result()
        finally:
            for future in sent:
                future.cancel()
