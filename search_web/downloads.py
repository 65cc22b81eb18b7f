"""Downloads: a search, streamed as the library's export writes them (any size, one point in time); and a
network of accounts, written whole (`network_file`).

`search.export.export_tweets` writes to a file; here it runs in a thread whose file is a bounded queue, and the
response sends what it takes from the queue, so memory stays bounded whatever the size. An export that fails
half-way (a lost point in time, a count that does not add up) ends the response without its last chunk, so the
browser reports the download as failed: a short file is never handed over as a whole one. A reader who goes
away stops the export, which closes its point in time.

A download is opened by a person, often in a spreadsheet, so its CSV is always the spreadsheet-safe one (a cell
that would run as a formula starts with `'`, `search.spreadsheet`): no address asks for the archive's raw cells,
which only the command line's `--raw-cells` writes.
"""

from __future__ import annotations

import io
import queue
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from search.export import export_tweets
from search.network import NetworkLimits, network_to_file

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from search.export import ExportFormat

QUEUED_CHUNKS = 8
"""Export pages held between the export and the response (each a page of up to 5,000 rows)."""


class ReaderGone(Exception):
    """Raised inside the export's thread when the response was abandoned, to stop it."""


class _QueueFile:
    """The binary file the export writes to: each write is a chunk for the response."""

    def __init__(self, chunks: queue.Queue[bytes | None], stopped: threading.Event) -> None:
        self.chunks, self.stopped = chunks, stopped

    def write(self, data: bytes) -> int:
        while not self.stopped.is_set():
            try:
                self.chunks.put(bytes(data), timeout=0.5)
                return len(data)
            except queue.Full:
                continue
        raise ReaderGone

    def flush(self) -> None:
        pass


def stream_export(
    es: Elasticsearch, alias: str, query_text: str, fmt: ExportFormat, *, page_size: int = 5000
) -> Iterator[bytes]:
    """The export of `query_text` as chunks (a page of `page_size` rows each); raises the export's error after
    the last chunk it wrote."""
    chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUED_CHUNKS)
    stopped = threading.Event()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            export_tweets(es, alias, query_text, _QueueFile(chunks, stopped), fmt=fmt, page_size=page_size)  # type: ignore[arg-type]
        except ReaderGone:
            pass
        except BaseException as exc:  # handed to the response, which ends short
            failed.append(exc)
        finally:
            while True:
                try:
                    chunks.put(None, timeout=0.5)
                    break
                except queue.Full:
                    if stopped.is_set():
                        break

    worker = threading.Thread(target=run, name="export", daemon=True)
    worker.start()
    try:
        while (chunk := chunks.get()) is not None:
            yield chunk
    finally:
        stopped.set()
    if failed:
        raise failed[0]


@dataclass(frozen=True)
class NetworkFile:
    """A network of accounts as the bytes of one file, and what a response says about it."""

    content: bytes
    filename: str
    media_type: str
    accounts: int
    edges: int


NETWORK_MEDIA_TYPES = {
    "gexf": "application/gexf+xml",
    "graphml": "application/graphml+xml",
    "csv": "text/csv; charset=utf-8",
}


def network_file(
    es: Elasticsearch,
    alias: str,
    query_text: str,
    fmt: str,
    *,
    kind: str,
    by: str,
    window: str,
    min_repeats: int,
    limits: NetworkLimits,
) -> NetworkFile:
    """The network of `kind` among the tweets matching `query_text`, written whole in `fmt`.

    Not streamed as a search's export is: networkx writes GEXF and GraphML from the whole graph at once, and the
    graph (accounts and their edges, no tweets) is small beside the tweets it is counted from. Building it first
    also means a bad query or window is an error page, never a broken file; `limits` bound what it holds."""
    sink = io.BytesIO()
    summary = network_to_file(
        es, alias, query_text, sink, kind=kind, fmt=fmt, by=by, window=window, min_repeats=min_repeats, limits=limits
    )
    report = summary.coordination
    name = f"network-{kind}-{report.by}" if report is not None else f"network-{kind}"
    return NetworkFile(
        content=sink.getvalue(),
        filename=f"{name}.{summary.format}",
        media_type=NETWORK_MEDIA_TYPES[summary.format],
        accounts=summary.nodes,
        edges=summary.edges,
    )


def attachment(stem: str, query: str, extension: str) -> str:
    """A `Content-Disposition` that names the file after what was asked (`tweets-vote-lang-en.csv`), so that
    several downloads do not all arrive as `tweets.csv`. The query is typed by a reader (and pasted from the
    archive): only its letters and digits, of any script, are kept, runs of anything else become one `-`, and the
    name is cut at 60 characters, so no path separator, control character or quote reaches a file name. An ASCII
    `filename` for old browsers, the whole name in RFC 6266's `filename*`."""
    words = "-".join(part for part in _NOT_A_LETTER.split(query) if part)[:60].strip("-").lower()
    ascii_words = "-".join(
        part
        for part in _NOT_A_LETTER.split(unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode())
        if part
    )
    name = f"{stem}-{words}" if words else stem
    ascii_name = f"{stem}-{ascii_words}" if ascii_words else stem
    return f"attachment; filename=\"{ascii_name}.{extension}\"; filename*=UTF-8''{quote(name)}.{extension}"


_NOT_A_LETTER = re.compile(r"[^\w]+|_+")
