"""A whole load: archive files in, documents stored, every row accounted for.

`load_archive` ties the reader (`indexer.archive`), the document builder (`indexer.document`) and the bulk
layer (`indexer.bulk`) together and keeps the books: rows read = indexed + rejected, checked at the end
against the index's own count. Rejected rows go to a JSON-lines file the user can read; progress is
checkpointed after every stored request so an interrupted load can be resumed.
"""

from __future__ import annotations

import gc
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from common.errors import (
    ArchiveError,
    CheckpointError,
    ConnectionFailed,
    LoadInterrupted,
    TooManyRejects,
    UsageError,
)
from common.mapping import (
    accounts_index_for,
    attach_accounts,
    create_named,
    create_version,
    ensure_index,
    indices_behind,
    switch_alias,
)
from common.records import EncodedTweets, Reject, RejectReason, TweetRecord
from indexer.accounts import index_accounts
from indexer.archive import Found, find_archives, read_archive, reading_order
from indexer.bulk import Actions, BulkOptions, ChunkResult, encode_action, load_actions
from indexer.checkpoint import Checkpoint, default_checkpoint_path
from indexer.document import to_document
from indexer.progress import LineCounter
from indexer.rejects import (
    MAX_REJECTS,
    RejectsWriter,
    check_rejects_location,
    clear_rejects,
    count_rejects,
    prune_rejects,
    read_rejects,
)

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

T = TypeVar("T")


@dataclass(frozen=True)
class LoadOptions:
    """What the user asked for; see `tweetsearch index --help` for each."""

    rejects_path: Path = Path("tweetsearch-rejects.jsonl")
    checkpoint_path: Path | None = None
    rebuild: bool = False
    resume: bool = False
    index_name: str | None = None
    shards: int | None = None
    replicas: int | None = None
    drop_replaced: bool = False
    concurrent: bool = False
    """Other loads (one per machine) write into the same named index at the same time (README, "Loading on
    several machines at once"): their tweets make this load's check of the index's count meaningless, so it is
    not made; the rebuild that switches the alias once all are done checks the whole."""
    max_rejects: int | None = MAX_REJECTS
    """The load stops once more rows than this were rejected (`TooManyRejects`); None: no bound."""
    bulk: BulkOptions = field(default_factory=BulkOptions)

    def __post_init__(self) -> None:
        if self.max_rejects is not None and self.max_rejects < 0:
            raise UsageError(f"--max-rejects must be 0 or more but was {self.max_rejects}")
        if self.drop_replaced and not self.rebuild:
            raise UsageError("--drop-replaced goes with --rebuild: only a rebuild replaces the index behind the alias")
        if self.concurrent and (self.rebuild or not self.index_name):
            raise UsageError(
                "--concurrent loads share one index named with --index-name, and none of them may switch the alias "
                "(no --rebuild): once all are done, one more load with --rebuild --index-name switches it"
            )

    @property
    def checkpoint(self) -> Path:
        return self.checkpoint_path or default_checkpoint_path(self.rejects_path)


@dataclass
class LoadProgress:
    """Passed to the progress callback after every stored request."""

    rows_read: int
    indexed: int
    rejected: int
    current_file: str
    elapsed: float
    lines_done: int = 0
    lines_total: int | None = None

    @property
    def fraction(self) -> float | None:
        """The share of input lines settled, when the line count is known."""
        if not self.lines_total:
            return None
        return min(self.lines_done / self.lines_total, 1.0)

    @property
    def docs_per_second(self) -> float:
        return self.indexed / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Time left at the pace so far, once the line count is known and some lines are done."""
        fraction = self.fraction
        return self.elapsed * (1 - fraction) / fraction if fraction else None


@dataclass
class LoadSummary:
    """The books of one load, kept from independent counts: `rows_read` as the reader yielded rows, `indexed`
    as the server answered, `rejected` as the rejects file holds them. `reconciled` says whether they agree;
    `count_matches` checks the index's own count."""

    files: list[str]
    rows_read: int
    indexed: int
    created: int
    rejected: int
    rejected_by_reason: dict[str, int]
    elapsed: float
    index: str | None
    alias: str | None
    rejects_path: Path
    index_count: int | None = None
    count_before: int = 0
    replaced: list[str] = field(default_factory=list)
    replaced_dropped: bool = False
    retries: int = 0
    splits: int = 0
    dry_run: bool = False
    accounts: int | None = None
    accounts_index: str | None = None
    merge_task: str | None = None
    """The server's task merging the index into one segment after the load (`merge_in_background`)."""
    concurrent: bool = False
    """Other loads wrote into the index at the same time, so its count says nothing of this load alone."""
    skipped_links: list[str] = field(default_factory=list)
    """Symbolic links inside the folders and among the globs' matches, not followed (`find_archives`)."""
    alias_indices: list[str] = field(default_factory=list)
    """The indices the alias points at once the load is done: `index` among them, or not (a load into an
    `--index-name` without `--rebuild` leaves the alias where it was)."""

    @property
    def duplicates(self) -> int:
        """Rows whose tweetid was already in the index (stored again, not added)."""
        return self.indexed - self.created

    @property
    def docs_per_second(self) -> float:
        return self.indexed / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def reconciled(self) -> bool:
        return self.rows_read == self.indexed + self.rejected

    def to_dict(self) -> dict[str, object]:
        """The summary with its derived figures, for `--json`."""
        return {
            **asdict(self),
            "duplicates": self.duplicates,
            "reconciled": self.reconciled,
            "count_matches": self.count_matches,
        }

    @property
    def count_matches(self) -> bool | None:
        """The index's own count agrees: it grew by at least the documents created and at most those stored;
        None when it cannot say (other loads wrote at the same time, `LoadOptions.concurrent`).

        (A resumed load stores again the few documents the interrupted run sent after its last checkpoint;
        the server reports those as updates, so `created` alone can undercount the growth.)
        """
        if self.concurrent:
            return None
        if self.dry_run or self.index_count is None:
            return True
        return self.created <= self.index_count - self.count_before <= self.indexed


def _require_tweets(found: Found, paths: list[str | Path]) -> Found:
    """`found`, if it holds a tweets file: otherwise `ArchiveError` naming what was searched, before any index
    is created (a load of nothing would leave empty indices and say it loaded, with exit 0)."""
    if any(file.kind == "tweets" for file in found.files):
        return found
    where = ", ".join(str(path) for path in paths) or "(no path given)"
    links = f" ({len(found.skipped_links)} symbolic links inside passed over)" if found.skipped_links else ""
    raise ArchiveError(f"no tweets archive files (*_tweets*.csv, .csv.gz or .zip) found in {where}{links}")


def validate_archive(
    paths: Iterable[str | Path], rejects_path: Path, max_rejects: int | None = MAX_REJECTS
) -> LoadSummary:
    """`--dry-run`: reads and normalises everything, writes the rejects, talks to no server. Stops past
    `max_rejects` rejected rows (`TooManyRejects`), as a load does."""
    if max_rejects is not None and max_rejects < 0:
        raise UsageError(f"--max-rejects must be 0 or more but was {max_rejects}")
    started = time.monotonic()
    paths = list(paths)
    found = _require_tweets(find_archives(paths), paths)
    read = counted = 0
    check_rejects_location(rejects_path)
    clear_rejects(rejects_path)
    with RejectsWriter(rejects_path, bound=max_rejects) as rejects:
        for item in read_archive(found.files):
            read += 1
            if isinstance(item, Reject):
                rejects.write(item)
                if rejects.over_bound:
                    break
            else:
                to_document(item)
                counted += 1
        by_reason = dict(rejects.counts)
    rejected = sum(by_reason.values())
    if rejects.over_bound:
        raise TooManyRejects(too_many_rejects(rejects, read, counted, rejected, rejects_path, dry_run=True))
    return LoadSummary(
        files=[file.name for file in found.files],
        rows_read=read,
        indexed=counted,
        created=counted,
        rejected=rejected,
        rejected_by_reason=by_reason,
        elapsed=time.monotonic() - started,
        index=None,
        alias=None,
        rejects_path=rejects_path,
        dry_run=True,
        skipped_links=[str(path) for path in found.skipped_links],
    )


def load_archive(
    es: Elasticsearch,
    alias: str,
    paths: Iterable[str | Path],
    options: LoadOptions,
    on_progress: Callable[[LoadProgress], None] | None = None,
) -> LoadSummary:
    """Loads archive files into the index behind `alias` (or a new version of it with `rebuild`).

    Past `options.max_rejects` rejected rows, reading stops, what was read is settled, and `TooManyRejects`
    says so with the books of what was read; the checkpoint stays, for a `--resume` with a higher bound."""
    started = time.monotonic()
    paths = list(paths)
    found = _require_tweets(find_archives(paths), paths)
    files = found.files
    names = [file.name for file in files]
    check_rejects_location(options.rejects_path)
    state = _begin(es, alias, names, options)
    earlier = 0
    if options.resume:
        prune_rejects(options.rejects_path, state.settled())
        earlier = count_rejects(options.rejects_path)
    else:
        clear_rejects(options.rejects_path)

    if state.fresh_index:
        # Saved in the checkpoint: a load killed outright leaves refresh off, and its resume must still
        # restore what the index had before, not what the killed run left.
        state.restore_settings = state.restore_settings or _load_settings(es, state.index)
    # Saved before the first request: a load the server refuses from the start can still be resumed.
    state.save(options.checkpoint)
    if state.fresh_index:
        speed_up_loading(es, state.index)
    try:
        with (
            RejectsWriter(options.rejects_path, bound=options.max_rejects, earlier=earlier) as rejects,
            _fewer_collections(),
        ):
            order = [file.display_name for file in reading_order(files)]
            reading = Reading(rows=state.rows_read)
            items = within_bound(read_archive(files, skip_lines=state.settled(), encoded=True), rejects)
            actions = bulk_actions(items, rejects.write, reading)
            lines = LineCounter(files) if on_progress else None
            for result in load_actions(es, state.index, actions, options.bulk):
                current = _settle(state, result, rejects, order)
                state.save(options.checkpoint)
                if lines:
                    progress = LoadProgress(
                        rows_read=state.rows_read,
                        indexed=state.indexed,
                        rejected=state.rows_read - state.indexed,
                        current_file=current,
                        elapsed=time.monotonic() - started,
                        lines_done=sum(state.lines.values()),
                        lines_total=lines.total,
                    )
                    on_progress(progress)
        # Two independent books: the rows the reader yielded (in this run, on top of the checkpoint's count),
        # and what became of them: stored, or a line in the rejects file (this run's rejects and, after a
        # resume, the earlier run's settled ones).
        by_reason = count_rejects_by_reason(options.rejects_path)
        state.rows_read = reading.rows
        if rejects.over_bound:
            rejected = sum(by_reason.values())
            message = too_many_rejects(rejects, state.rows_read, state.indexed, rejected, options.rejects_path)
            raise TooManyRejects(message)
    except KeyboardInterrupt:
        raise LoadInterrupted(
            f"interrupted after {state.indexed:,} tweets were stored; run the same command with --resume to go on"
        ) from None
    finally:
        if state.fresh_index:
            _restore(es, state.index, state.restore_settings)

    es.indices.refresh(index=state.index)
    index_count = es.count(index=state.index).body["count"]
    # Before the checkpoint goes: a load stopped while its accounts are written is resumed like any other.
    accounts = index_accounts(es, state.index, replicas=options.replicas)
    replaced = switch_alias(es, alias, state.index) if options.rebuild else []
    if not options.rebuild:
        attach_accounts(es, alias)
    if replaced and options.drop_replaced:
        es.options(ignore_status=404).indices.delete(
            index=",".join([*replaced, *(accounts_index_for(name) for name in replaced)])
        )
    options.checkpoint.unlink(missing_ok=True)
    merge_task = merge_in_background(es, state.index)
    return LoadSummary(
        files=names,
        rows_read=state.rows_read,
        indexed=state.indexed,
        created=state.created,
        rejected=sum(by_reason.values()),
        rejected_by_reason=by_reason,
        elapsed=time.monotonic() - started,
        index=state.index,
        alias=alias,
        rejects_path=options.rejects_path,
        index_count=index_count,
        count_before=state.count_before,
        replaced=replaced,
        replaced_dropped=bool(replaced) and options.drop_replaced,
        retries=state.retries,
        splits=state.splits,
        accounts=accounts.accounts,
        accounts_index=accounts.index,
        merge_task=merge_task,
        concurrent=options.concurrent,
        skipped_links=[str(path) for path in found.skipped_links],
        alias_indices=indices_behind(es, alias),
    )


def within_bound(items: Iterable[T], rejects: RejectsWriter) -> Iterator[T]:
    """The reader's items until the rejects pass their bound: the reject that passes it is the last item read,
    and the reader is closed (its file with it). Checked before each item is read, so that the rejects written
    for the item before (or for a request the server answered meanwhile) count at once."""
    iterator = iter(items)
    try:
        while not rejects.over_bound:
            try:
                item = next(iterator)
            except StopIteration:
                return
            yield item
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def too_many_rejects(
    rejects: RejectsWriter, read: int, stored: int, rejected: int, path: Path, *, dry_run: bool = False
) -> str:
    """The one line saying a load (or a dry run) stopped at its bound on rejects (`rejects.over_bound`), with its
    books."""
    crossed = rejects.crossed or Reject("?", 0, "?", "", "")
    verb, again = ("valid", "run again with") if dry_run else ("indexed", "run the same command with --resume and")
    return (
        f"{crossed.file} is not a tweets archive: more than {rejects.bound:,} rows rejected (the last on line "
        f"{crossed.line:,}: {crossed.reason}); stopped after {read:,} rows read = {stored:,} {verb} + {rejected:,} "
        f"rejected, listed in {path}; if the damage is real, {again} a higher --max-rejects"
    )


def merge_in_background(es: Elasticsearch, index: str) -> str | None:
    """Starts merging `index` into one segment and returns the server's task id, without waiting for it.

    An archive's index is written once and then only read, and one segment is what reads fastest: at 10M
    tweets `top hosts` and `top mentions` went from ~0.2 s to ~30 ms, `timeline --interval month` from 68 to
    6 ms, phrases from 33 to 9 ms (README, "Searching at scale"). The merge takes a few minutes of the
    server's CPU at that size; searches answer meanwhile, and `tweetsearch status` says while it runs."""
    answer = es.indices.forcemerge(index=index, max_num_segments=1, wait_for_completion=False).body
    return answer.get("task")


def count_rejects_by_reason(path: Path) -> dict[str, int]:
    return dict(Counter(reject.reason for reject in read_rejects(path)))


def _begin(es: Elasticsearch, alias: str, names: list[str], options: LoadOptions) -> Checkpoint:
    """The load's starting state: a saved checkpoint with --resume, else a new one on the right index."""
    if options.resume:
        state = Checkpoint.load(options.checkpoint)
        if state.inputs != names or state.alias != alias:
            raise CheckpointError(
                f"the checkpoint {options.checkpoint} is for other input files or another alias "
                f"({', '.join(state.inputs)} into {state.alias}); resume with the same arguments"
            )
        problem = _foreign_index(es, state, alias, options) or _foreign_settings(state.restore_settings)
        if problem:
            raise CheckpointError(
                f"the checkpoint {options.checkpoint} is not one this load wrote ({problem}); nothing was done: "
                "run the load without --resume"
            )
        return state
    if options.index_name:
        index = options.index_name
        # Loads on several machines may each find the index missing: the one whose request makes it is fresh.
        fresh = not es.indices.exists(index=index) and create_named(
            es, index, alias, shards=options.shards, replicas=options.replicas
        )
        if options.concurrent and not fresh:
            _wait_for_copies(es, index)
    elif options.rebuild:
        index, fresh = create_version(es, alias, shards=options.shards, replicas=options.replicas), True
    else:
        fresh = not indices_behind(es, alias)
        index = ensure_index(es, alias, shards=options.shards, replicas=options.replicas)
    # A --concurrent load does not check its count (others write too), so it does not count first either: a count a
    # moment after another machine made the index can reach a shard copy that the cluster calls started and its
    # node does not serve yet, and fail.
    count_before = 0 if fresh or options.concurrent else es.count(index=index).body["count"]
    return Checkpoint(index=index, alias=alias, inputs=names, fresh_index=fresh, count_before=count_before)


def _foreign_index(es: Elasticsearch, state: Checkpoint, alias: str, options: LoadOptions) -> str | None:
    """Why the checkpoint's index is not one this load writes, or None. A resumed load writes into it and puts
    settings back on it, so a checkpoint changed to name another index must not reach it: the index is the
    one `--index-name` names, or else a version of the alias (`<alias>-vN`) or an index behind it."""
    index = state.index
    if options.index_name:
        return None if index == options.index_name else f"its index {index} is not --index-name {options.index_name}"
    if re.fullmatch(rf"{re.escape(alias)}-v\d+", index) or index in indices_behind(es, alias):
        return None
    return f"its index {index} is neither a version of the alias {alias} nor behind it"


# What each of `LOADING_SETTINGS`' keys may be put back to, as the server gives it (`_load_settings`): a time
# value (`1s`, `-1`), or a whole number; None is the server's default.
_SETTING_VALUES = {
    "refresh_interval": re.compile(r"-1|\d+(\.\d+)?(nanos|micros|ms|s|m|h|d)"),
    "merge.policy.segments_per_tier": re.compile(r"\d{1,9}(\.\d+)?"),
    "merge.policy.max_merge_at_once": re.compile(r"\d{1,9}"),
}


def _foreign_settings(settings: dict[str, object]) -> str | None:
    """Why the settings a checkpoint would put back are not ones a load saved, or None: only `LOADING_SETTINGS`'
    keys, each None or a value of its kind (a checkpoint could otherwise set anything on the index)."""
    for key, value in settings.items():
        shape = _SETTING_VALUES.get(key)
        if shape is None:
            return f"it would restore {key}, which a load does not change"
        if value is not None and not shape.fullmatch(str(value)):
            return f"it would restore {key} to {value!r}"
    return None


SHARDS_WAIT = "60s"
"""How long a `--concurrent` load waits for the shards of an index another machine's load has just made."""


def _wait_for_copies(es: Elasticsearch, index: str) -> None:
    """Waits until every shard of `index` has a copy open. Another machine's load may have made it a moment ago
    (the server answers "exists" before its shards are open), and a count or a write before then is refused."""
    health = (
        es.options(ignore_status=408).cluster.health(index=index, wait_for_status="yellow", timeout=SHARDS_WAIT).body
    )
    if health.get("timed_out"):
        raise ConnectionFailed(
            f"the index {index} still has shards without a copy on a running node after {SHARDS_WAIT} "
            f"({health.get('status', '?')}); `tweetsearch status` shows which"
        )


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Runs the cyclic garbage collector less often during a load.

    A load makes few objects that outlive their row (the parsers' caches) and no reference cycles of its own; by
    default the collector would run every 700 new objects and rescan everything the program holds, a tenth of
    the indexer's CPU. What is alive when the load starts is frozen out of its scans, and it runs every 100,000.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@dataclass
class Reading:
    """The reader's side of the books: rows read so far, the resumed checkpoint's included."""

    rows: int


def bulk_actions(
    items: Iterable[TweetRecord | Reject | EncodedTweets], on_reject: Callable[[Reject], object], reading: Reading
) -> Iterator[Actions]:
    """Turns reader output into bulk actions, counting every row in `reading`; rejected rows go straight to
    `on_reject` (the rejects file)."""
    for item in items:
        if type(item) is EncodedTweets:
            reading.rows += len(item.lines)
            yield Actions(item.body, item.ends, [item.source_file] * len(item.lines), item.lines, reading.rows)
        elif type(item) is Reject:
            reading.rows += 1
            on_reject(item)
        else:
            reading.rows += 1
            yield encode_action(item.tweetid, to_document(item), (item.source_file, item.line), reading.rows)


def _settle(state: Checkpoint, result: ChunkResult, rejects: RejectsWriter, order: list[str]) -> str:
    """Books one stored request into the checkpoint; returns the file it ended in.

    `order` holds the files' display names in reading order. The files read before that one are finished:
    a resume passes over them, so their rejects after their last stored row, which `rows_read` already
    counts, are not read and counted again."""
    for (file, line), payload, reason in result.rejected:
        rejects.write(Reject(file, line, RejectReason.SERVER_REJECTED, reason, payload.decode()))
    state.indexed += result.indexed
    state.created += result.created
    state.retries += result.retries
    state.splits += result.splits
    stored = result.actions
    state.lines.update(zip(stored.files, stored.lines, strict=True))  # in reading order: the last line wins
    state.rows_read = stored.rows_read
    last = stored.files[-1]
    state.finished = order[: order.index(last)]
    return last


LOADING_SETTINGS: dict[str, object] = {
    "refresh_interval": "-1",
    "merge.policy.segments_per_tier": 30,
    "merge.policy.max_merge_at_once": 30,
}
"""What a fresh index is loaded with, put back as it was when the load ends. Refresh off; and merges of up to
30 segments at once, 30 per tier, rather than 10: merging is the server's largest cost in a large load, and
fewer, wider merges rewrite each document fewer times. Measured on 1M generated tweets (`bench/bench_fields.py`,
variant `fewer-merges`, which also merges to one segment at the end): the load 16% faster, the server's CPU per
tweet 17% lower while loading and less than half for the final merge.

Replicas are left as the index has them. Turning them off for the load would be faster on a cluster, but a
node lost during the load would then take the only copy of its shards with it, and the load would stop
until it came back; with them, the load goes on and nothing is lost (tests/cluster/)."""


def _load_settings(es: Elasticsearch, index: str) -> dict[str, object]:
    """The index's own values of `LOADING_SETTINGS`' keys before a fast load changes them (None: the
    server's default, which is what `None` puts back)."""
    answer = es.indices.get_settings(index=index, flat_settings=True).body[index]["settings"]
    return {key: answer.get(f"index.{key}") for key in LOADING_SETTINGS}


def speed_up_loading(es: Elasticsearch, index: str) -> None:
    """A fresh index loads fastest with `LOADING_SETTINGS`."""
    es.indices.put_settings(index=index, settings={"index": LOADING_SETTINGS})


def _restore(es: Elasticsearch, index: str, previous: dict[str, object]) -> None:
    """Puts `LOADING_SETTINGS`' keys back as they were, after a failed load too (a key a checkpoint from an
    earlier version did not record goes back to the server's default)."""
    es.indices.put_settings(index=index, settings={"index": {key: previous.get(key) for key in LOADING_SETTINGS}})
