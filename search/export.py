"""Exporting every tweet a query matches, however many, as CSV in the archive's own columns or as JSON lines.

A search page stops at 10,000 hits, so an export walks the matches with a point in time (a frozen view of
the index) and `search_after`, oldest tweet first (`tweet_time`, then `tweetid`; the server adds its own
`_shard_doc` tiebreaker). The frozen view is what makes the books exact: the total counted on the first
page is the number of rows the export must write, and a mismatch fails the export rather than leaving a
short file that looks complete. Pages are written as they arrive, so memory stays flat.

The CSV holds the published column strings kept in each document's `raw` object, in the order of Twitter's
2018 tweets files (`common.records.TWEET_COLUMNS`), quoted like those files. So an export is a file of the
archives again: it diffs against the original rows and loads again with `tweetsearch index`. A column the
source file did not publish is left empty; columns outside Twitter's list are only in the JSONL export.
The campaign is not an archive column (the releases carry it in the file name); `with_campaign` adds it as
a leading `campaign` column, which the archive reader ignores when the file is loaded again.

Investigators open CSV exports in spreadsheets, and an archived cell such as `=HYPERLINK(...)` would run there.
So by default every cell that a spreadsheet would read as a formula gets a leading `'` (`search.spreadsheet`);
`raw_cells` writes the archive's bytes unchanged, the file that diffs against the release and loads again
as the same tweets, and which is unsafe to open in a spreadsheet.

JSON lines carry each document's `_source` as indexed: the normalised fields and `raw`.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import orjson

from common.errors import ExportError, ExportIncomplete, UsageError
from common.mapping import MAX_RESULT_WINDOW
from common.records import TWEET_COLUMNS
from search.files import atomic_file
from search.point_in_time import pages, point_in_time
from search.query_context import query_for
from search.spreadsheet import spreadsheet_row
from search.tweets import SORTS

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

ExportFormat = Literal["csv", "jsonl"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "jsonl")

_SUFFIXES: dict[str, ExportFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportSummary:
    """The books of an export: `rows` written must equal the `total` the search counted."""

    rows: int
    total: int
    seconds: float
    pit_closed: bool
    format: ExportFormat
    target: str
    with_campaign: bool = False
    raw_cells: bool = False
    """True when the CSV holds the archive's bytes unchanged (`raw_cells`), formula cells included."""


def export_format_for(target: str, fmt: str | None = None) -> ExportFormat:
    """The format asked for, else the one the file name says (`.csv`, `.jsonl`, `.ndjson`, each maybe `.gz`).

    stdout (`-`) defaults to CSV, the archive's own format. An unknown extension is an error rather than a
    guess, so `tweets.txt` never silently becomes one format or the other.
    """
    if fmt is not None:
        if fmt not in FORMATS:
            raise UsageError(f"the format must be csv or jsonl, not {fmt!r}")
        return fmt  # type: ignore[return-value]
    if target == "-":
        return "csv"
    name = target.lower().removesuffix(".gz")
    for suffix, found in _SUFFIXES.items():
        if name.endswith(suffix):
            return found
    raise UsageError(f"cannot tell the format from the name {target!r}: end it with .csv or .jsonl, or use --format")


def csv_header(*, with_campaign: bool = False) -> list[str]:
    """The archive's tweets columns in Twitter's order, after `campaign` when asked for."""
    return ["campaign", *TWEET_COLUMNS] if with_campaign else list(TWEET_COLUMNS)


def csv_record(source: Mapping[str, Any], *, with_campaign: bool = False) -> list[str]:
    """One tweet's published column strings (from `raw`), in `csv_header` order; absent columns are empty."""
    raw = source.get("raw")
    if not isinstance(raw, dict):
        raise ExportError(
            f"tweet {source.get('tweetid', '?')} has no published columns (`raw`) in the index; "
            "re-index it with this version, or export with --format jsonl"
        )
    values = [raw.get(column) or "" for column in TWEET_COLUMNS]
    return [source.get("campaign") or "", *values] if with_campaign else values


def encode_csv(records: Iterable[Sequence[str]]) -> bytes:
    """CSV as the 2018 releases write it: every field quoted, `\\n` line ends, UTF-8 without BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerows(records)
    return buffer.getvalue().encode("utf-8")


def jsonl_record(source: Mapping[str, Any]) -> bytes:
    """One document's `_source` as a JSON line, without `lang` (the text again, under its language's field:
    there for the server's analysis, not for readers)."""
    return orjson.dumps(
        {key: value for key, value in source.items() if key != "lang"}, option=orjson.OPT_APPEND_NEWLINE
    )


def export_tweets(
    es: Elasticsearch,
    alias: str,
    query_text: str,
    sink: BinaryIO,
    *,
    fmt: ExportFormat,
    page_size: int = 5000,
    with_campaign: bool = False,
    raw_cells: bool = False,
    keep_alive: str = "2m",
    on_progress: ProgressCallback | None = None,
    target: str = "-",
) -> ExportSummary:
    """Writes every tweet matching `query_text` (blank: all) to `sink`, oldest first, and checks the count.

    The point in time is closed however this ends (an error, an interrupt, a broken pipe), so an abandoned
    export never holds the server's resources until keep_alive runs out. `on_progress(rows, total)` is
    called after each page. Raises `ExportIncomplete` if fewer or more rows were written than counted.
    CSV cells a spreadsheet would run are neutralised unless `raw_cells` (JSON lines are always exact).
    """
    if not 1 <= page_size <= MAX_RESULT_WINDOW:  # no page of hits may be larger
        raise UsageError(f"page size must be between 1 and {MAX_RESULT_WINDOW:,}, not {page_size}")
    if fmt not in FORMATS:
        raise UsageError(f"format must be csv or jsonl, not {fmt!r}")
    query = query_for(es, alias, query_text)
    started = time.monotonic()
    source: list[str] | bool = ["raw", "campaign", "tweetid"] if fmt == "csv" else True
    rows = total = 0
    with point_in_time(es, alias, keep_alive) as pit:
        if fmt == "csv":
            sink.write(encode_csv([csv_header(with_campaign=with_campaign)]))
        for hits, total in pages(
            es, pit, query, source=source, page_size=page_size, keep_alive=keep_alive, sort=SORTS["oldest"]
        ):
            if fmt == "csv":
                records = (csv_record(hit["_source"], with_campaign=with_campaign) for hit in hits)
                # Every column is archive text; a plain number such as a longitude of -77.03 is no formula and stays.
                sink.write(encode_csv(records if raw_cells else map(spreadsheet_row, records)))
            else:
                sink.write(b"".join(jsonl_record(hit["_source"]) for hit in hits))
            rows += len(hits)
            if on_progress is not None:
                on_progress(rows, total)
        sink.flush()
    if rows != total:
        raise ExportIncomplete(
            f"wrote {rows:,} tweets but the search counted {total:,}; the export is incomplete, run it again"
        )
    return ExportSummary(
        rows=rows,
        total=total,
        seconds=time.monotonic() - started,
        pit_closed=pit.closed,
        format=fmt,
        target=target,
        with_campaign=with_campaign,
        raw_cells=raw_cells and fmt == "csv",
    )


def export_to_file(
    es: Elasticsearch,
    alias: str,
    query_text: str,
    target: Path,
    *,
    fmt: ExportFormat,
    page_size: int = 5000,
    with_campaign: bool = False,
    raw_cells: bool = False,
    keep_alive: str = "2m",
    on_progress: ProgressCallback | None = None,
) -> ExportSummary:
    """`export_tweets` into `target`, atomically: written to a hidden file beside it, renamed when complete.

    An interrupted or failed export removes its partial file and leaves an existing `target` untouched, so
    a file at `target` is always a whole export. A name ending in `.gz` is gzip-compressed.
    """
    target = Path(target)
    with atomic_file(target, ExportError) as file, _maybe_gzip(file, target.name) as sink:
        summary = export_tweets(
            es,
            alias,
            query_text,
            sink,
            fmt=fmt,
            page_size=page_size,
            with_campaign=with_campaign,
            raw_cells=raw_cells,
            keep_alive=keep_alive,
            on_progress=on_progress,
            target=str(target),
        )
    return summary


@contextmanager
def _maybe_gzip(file: BinaryIO, name: str) -> Iterator[BinaryIO]:
    if not name.lower().endswith(".gz"):
        yield file
        return
    with gzip.GzipFile(filename=name.removesuffix(".gz"), mode="wb", fileobj=file, mtime=0) as compressed:
        yield compressed  # type: ignore[misc]
