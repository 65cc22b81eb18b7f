"""Finding and reading the archives' CSV files, streaming, with every bad row reported and none fatal.

The releases are large (the IRA tweets file alone is ~6 GB) and not always clean: quoted fields hold
newlines, a stray quote can open a field that never closes and would swallow the rest of the file, and
some rows are not valid UTF-8. So the reader does not hand the file to `csv` directly. It reads bytes line
by line, joins physical lines into logical rows by counting quotes, and only then decodes and splits each
row. That keeps memory flat, gives the exact line where each row starts, confines a decoding error to its
row, and lets a runaway quote be undone by re-reading from the line after the one where it began.

The API follows twarc: the library yields `TweetRecord`s and `Reject`s, and callers count and write them.
For every tweets file, data rows read = records + rejects.
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Literal, NamedTuple

from common.errors import ArchiveError
from common.records import EncodedTweets, Reject, RejectReason, TweetRecord
from indexer.native import RowEncoder, line_source, row_encoder
from indexer.normalise import Account, RowError, TweetRowNormaliser, parse_users_row
from indexer.rejects import MAX_RAW_BYTES, clip_text

Kind = Literal["tweets", "users"]

# No real row comes near this (a tweet, a profile and a few long URLs fit in a few KB), so a quoted field
# still open after this many bytes is a runaway quote, and a longer physical line is not a row at all.
MAX_ROW_BYTES = 64 * 1024
# How many rows the native fast path encodes at most before handing them on: as many as a bulk request holds by
# default (`BulkOptions.chunk_docs`), so that a run is sent as it is, without its bytes being cut or joined.
FAST_RUN_ROWS = 2_000
# The longest name of a zip's member read (a file on disk has at most 255 bytes).
MAX_MEMBER_NAME = 1_024
# A physical line longer than MAX_ROW_BYTES. Not (yet) in `RejectReason`.
ROW_TOO_LONG = "row_too_long"

TWEETS_REQUIRED = frozenset({"tweetid", "tweet_text"})
USERS_REQUIRED = frozenset({"userid"})

_BUFFER_SIZE = 1 << 20
_BOM = b"\xef\xbb\xbf"
_CSV_SUFFIXES = (".csv", ".csv.gz")
_ARCHIVE_SUFFIXES = (*_CSV_SUFFIXES, ".zip")
_NAME = re.compile(r"(?P<campaign>.+?)_(?P<kind>tweets|users)(?:_|$)")
_GLOB_CHARS = re.compile(r"[*?\[]")
_DIGITS = re.compile(r"(\d+)")
# What a damaged compressed file raises part-way through: the rest of it cannot be read.
_STREAM_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """One CSV file of a release: a plain or gzipped file, or a member of a zip.

    `display_name` names the file in messages, rejects, records' `source_file` and the `skip_lines` map;
    `size` is the CSV's size in bytes when known cheaply (compressed size for `.csv.gz`), for progress bars.
    """

    path: Path
    member: str | None
    campaign: str
    kind: Kind
    display_name: str
    columns: tuple[str, ...]
    size: int

    @property
    def name(self) -> str:
        """The display name (the name the loader's checkpoint and summary use)."""
        return self.display_name


@dataclass(frozen=True, slots=True)
class Found:
    """What `find_archives` found: the archive files, and the symbolic links it met inside folders and among a
    glob's matches and did not follow (a link there may lead anywhere, `/etc/passwd` included; only a file named
    on the command line is read through a link)."""

    files: list[ArchiveFile]
    skipped_links: list[Path] = field(default_factory=list)


class OpenZips:
    """The zips being read, each opened once and kept open while its members are read.

    Opening a zip reads its whole central directory, so a zip of N members opened again for each member costs N
    times N entries: 4,000 members took two minutes. A few zips stay open at once (reading goes campaign by
    campaign, which may move between zips); the one used longest ago is closed when more are needed. Not shared
    between threads: each reader opens its own.
    """

    KEEP_OPEN = 8

    def __init__(self) -> None:
        self._open: dict[Path, zipfile.ZipFile] = {}

    def zip(self, path: Path) -> zipfile.ZipFile:
        """The open zip at `path`, opened now if it is not open yet."""
        archive = self._open.pop(path, None)
        if archive is None:
            if len(self._open) >= self.KEEP_OPEN:
                self._open.pop(next(iter(self._open))).close()
            archive = zipfile.ZipFile(path)
        self._open[path] = archive  # (the most recently used last)
        return archive

    def close(self) -> None:
        """Close every zip still open."""
        for archive in self._open.values():
            archive.close()
        self._open.clear()

    def __enter__(self) -> OpenZips:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class Row(NamedTuple):
    """One logical CSV row: the line it starts on (1 = header), column → published string, and its text."""

    line: int
    values: dict[str, str]
    text: str


# What the row splitter yields for a good row: line, fields in header order, text. A plain tuple is cheaper than a
# `Row`, and the normaliser wants the field list: no column → value dict is built before it needs one.
_SplitRow = tuple[int, list[str], str]


def discover(paths: Iterable[str | Path] | str | Path) -> list[ArchiveFile]:
    """The archive files under `paths` (files, directories searched recursively, or globs): `find_archives`'
    files."""
    return find_archives(paths).files


def find_archives(paths: Iterable[str | Path] | str | Path) -> Found:
    """The archive files under `paths` (files, directories searched recursively, or globs), and the symbolic
    links passed over.

    `.csv`, `.csv.gz` and `.zip` (each CSV member) are read. A campaign's users file lying next to one of
    its tweets files is included even if not named, since it fills in the tweets' account fields.
    Every header is read here, so an unrecognisable file raises `ArchiveError` before any loading starts.

    A symbolic link is followed only when it is named itself: inside a folder, among a glob's matches or as a
    users file beside a tweets file, it is passed over and listed in `skipped_links`. A folder of downloads may
    hold a link to anywhere (`leak_tweets.csv -> /etc/passwd`), whose first bytes an error about its header
    would show; a path typed on the command line is the user's own choice. Each zip is opened once.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    skipped: list[Path] = []
    found: dict[tuple[Path, str | None], ArchiveFile] = {}
    with OpenZips() as zips:
        for path in _expand(paths, skipped):
            for file in _describe_all(path, zips):
                found.setdefault((file.path, file.member), file)
        for file in _sibling_users_files(list(found.values()), zips, skipped):
            found.setdefault((file.path, file.member), file)
    files = sorted(found.values(), key=lambda file: _natural_key(file.display_name))
    _check_unique_names(files)
    return Found(files, sorted(set(skipped)))


def read_archive(
    sources: Iterable[str | Path | ArchiveFile] | str | Path,
    *,
    skip_lines: Mapping[str, int] | None = None,
    encoded: bool = False,
) -> Iterator[TweetRecord | Reject | EncodedTweets]:
    """Every tweet row of the archives in `sources` (paths, or `ArchiveFile`s from `discover`), in order.

    Campaign by campaign, the users files are loaded first (their bad rows are yielded as rejects) and then
    the tweets files are read, each row enriched with its account from the users files. `skip_lines` maps a
    file's display name to a line number: rows (and rejects) starting at or before it are not yielded, which
    is how a resumed load skips what it already loaded. With `encoded`, runs of rows the native fast path can take
    come as `EncodedTweets` (see `read_tweets`).
    """
    skip_lines = skip_lines or {}
    accounts: dict[str, Account] = {}
    campaign = None
    with OpenZips() as zips:
        for file in reading_order(_as_files(sources)):
            if file.campaign != campaign:
                campaign, accounts = file.campaign, {}
            skip = skip_lines.get(file.display_name, 0)
            if file.kind == "users":
                yield from load_accounts(file, accounts, skip_lines=skip, zips=zips)
            else:
                yield from read_tweets(file, accounts=accounts, skip_lines=skip, encoded=encoded, zips=zips)


def reading_order(files: Sequence[ArchiveFile]) -> list[ArchiveFile]:
    """The files `read_archive` reads, in its order: campaign by campaign, users files first, then tweets.

    A campaign without tweets files is left out (its accounts would enrich nothing). Reading is sequential,
    so once a row of one file is read, every file before it in this order has been read to its end.
    """
    kinds: dict[str, tuple[list[ArchiveFile], list[ArchiveFile]]] = {}  # campaign -> (users, tweets), one pass
    for file in files:
        kinds.setdefault(file.campaign, ([], []))[file.kind == "tweets"].append(file)
    order: list[ArchiveFile] = []
    for users, tweets in kinds.values():
        if tweets:
            order += users + tweets
    return order


def read_tweets(
    file: ArchiveFile,
    *,
    accounts: Mapping[str, Account] | None = None,
    skip_lines: int = 0,
    encoded: bool = False,
    zips: OpenZips | None = None,
) -> Iterator[TweetRecord | Reject | EncodedTweets]:
    """The records and rejects of one tweets file; rows starting at or before line `skip_lines` are skipped.

    With `encoded`, the rows the native fast path takes come in runs as `EncodedTweets` instead of `TweetRecord`s
    (when the extension is installed; see `indexer.native`). Every other row, rejects included, is read the same.
    A zip member is read through `zips` when given (see `open_binary`).
    """
    name = file.display_name
    with _split_rows(file, skip_lines, zips) as (columns, split):
        normalise = TweetRowNormaliser(columns, campaign=file.campaign, source_file=name, accounts=accounts)
        for row in split(row_encoder(normalise) if encoded else None):
            if type(row) is not tuple:
                yield row
                continue
            line, fields, text = row
            try:
                yield normalise(fields, line)
            except RowError as error:
                yield Reject(name, line, error.reason, error.detail, clip_text(text, MAX_RAW_BYTES))


def load_accounts(
    file: ArchiveFile, accounts: dict[str, Account], *, skip_lines: int = 0, zips: OpenZips | None = None
) -> Iterator[Reject]:
    """Load a users file into `accounts` (userid → `Account`), yielding its bad rows as rejects.

    Every row is loaded whatever `skip_lines` says (the tweets need them all); only rejects starting at or
    before line `skip_lines` are not yielded again.
    """
    for row in iter_rows(file, zips=zips):
        if type(row) is Reject:
            if row.line > skip_lines:
                yield row
            continue
        try:
            account = parse_users_row(row.values)
        except RowError as error:
            if row.line > skip_lines:
                raw = clip_text(row.text, MAX_RAW_BYTES)
                yield Reject(file.display_name, row.line, error.reason, error.detail, raw)
            continue
        accounts[account.userid] = account  # type: ignore[index]  # parse_users_row guarantees a userid


def iter_rows(file: ArchiveFile, *, skip_lines: int = 0, zips: OpenZips | None = None) -> Iterator[Row | Reject]:
    """The logical rows of one file, split into columns by header name, and the rows that cannot be split.

    Rows starting at or before line `skip_lines` are passed over without being decoded or split.
    """
    with _split_rows(file, skip_lines, zips) as (columns, split):
        for row in split(None):
            if type(row) is Reject:
                yield row
            else:
                line, fields, text = row
                yield Row(line, dict(zip(columns, fields, strict=True)), text)


@contextmanager
def _split_rows(
    file: ArchiveFile, skip_lines: int, zips: OpenZips | None
) -> Iterator[tuple[tuple[str, ...], Callable[[RowEncoder | None], Iterator[_SplitRow | Reject | EncodedTweets]]]]:
    """The file's header columns, and `split(fast)`: its rows (see `iter_rows`) as the splitter yields them, with
    the rows a `fast` encoder takes as `EncodedTweets` (the encoder is made from the columns, hence the call)."""
    with open_binary(file, zips) as stream:
        columns, header_lines = _read_header(stream, file.display_name)

        def split(fast: RowEncoder | None) -> Iterator[_SplitRow | Reject | EncodedTweets]:
            return _RowSplitter(file.display_name, columns, fast).rows(stream, header_lines, skip_lines)

        yield columns, split


@contextmanager
def open_binary(file: ArchiveFile, zips: OpenZips | None = None) -> Iterator[BinaryIO]:
    """The file's bytes as a buffered stream; zip members and gzip files are decompressed as they are read.

    A zip member is read through `zips`, where its zip stays open for the next member; without it, the zip is
    opened for this member alone (fine for one, quadratic over all the members of a large zip)."""
    if file.member is not None:
        opened = nullcontext(zips) if zips is not None else OpenZips()
        with opened as kept, kept.zip(file.path).open(file.member) as member:
            yield io.BufferedReader(member, _BUFFER_SIZE)  # type: ignore[arg-type]
    elif file.path.name.lower().endswith(".gz"):
        with gzip.open(file.path, "rb") as stream:
            yield stream  # type: ignore[misc]
    else:
        with file.path.open("rb", buffering=_BUFFER_SIZE) as stream:
            yield stream


class _OneRow:
    """The csv reader's input: the row it was last given, then the end. One reader serves a whole file."""

    __slots__ = ("row",)

    def __init__(self) -> None:
        self.row: str | None = None

    def __iter__(self) -> _OneRow:
        return self

    def __next__(self) -> str:
        row = self.row
        if row is None:
            raise StopIteration
        self.row = None
        return row


class _Overlong(NamedTuple):
    """A physical line longer than MAX_ROW_BYTES: its start (for the reject) and its full length."""

    head: bytes
    size: int


class _Failed(NamedTuple):
    """Where a look ahead past a runaway quote met a damaged compressed stream: raised when reading gets there."""

    error: Exception


class _RowSplitter:
    """Joins physical lines into logical rows, then decodes and splits each one on its own.

    A row is complete when it holds an even number of quote bytes (`"` is never part of a multi-byte UTF-8
    character, so counting works before decoding). A quoted field still open after MAX_ROW_BYTES or at an
    overlong line is a runaway quote: its first line is rejected and reading resumes from the line after it.

    Resynchronising after a runaway quote. The open field swallows the lines after it until a later line (with an
    odd number of quotes: typically the first line of a multi-line tweet) closes it; the lines joined then do not
    split. They are a runaway quote, rejected as its first line alone and read again from the line after it, when a
    well-formed row starts on one of the lines after the first: a row that is complete (its quotes close, within
    MAX_ROW_BYTES) and splits into the header's number of fields, checked whole, so it may run on past the lines
    joined (the multi-line tweet that closed the field) and may be one of the rows the normaliser rejects for a
    value (bad date, NUL byte, broken UTF-8: those are rows, and get their own reject). Read again, every line after
    the runaway's first is judged by itself: well-formed rows are read whole, and each damaged line or row gets
    its own reject. When no well-formed row starts after the first line, the lines are one damaged row (a
    multi-line row with a wrong field count), rejected whole; at the end of the file, a truncated row.

    What stays ambiguous, and how it is resolved: a tweet's text may hold a line that is a whole row by itself (a
    pasted row of the archive). A row that splits into the header's number of fields is taken whole, so such a
    tweet is one row, as the csv module reads it; and rows are read in order from the earliest line, so after a
    runaway quote the tweet is read from its own first line, before the line inside it could be taken for a row.
    The price is the reverse case: lines swallowed by a runaway quote that happen to join into exactly the
    header's number of fields are read as one row (and its tweetid and values then come from the damaged row).
    Nothing in the bytes tells those two apart; the field count makes the second very rare, and the normaliser
    still rejects such a row whose values do not parse. Likewise a line inside the damaged row that is itself a
    complete row is read as a row.

    Whether a row is read never depends on where a resumed load starts: rows at or before `skip` are read the same
    and only not yielded, so a resume point inside a damaged region reads what a straight read gives.

    The file's lines are read from a `line_source`. With a `fast` row encoder, whenever no row is half read, the
    encoder takes as many rows from it as it can (see `indexer.native`), yielded as `EncodedTweets`; the row it
    stops at is read here. Each row read here is offered to it too, one by one: after a runaway quote, the rows
    read again are mostly ones it takes. It only takes rows that `_split` splits, so runaway quotes are never its
    to handle.
    """

    def __init__(self, display_name: str, columns: tuple[str, ...], fast: RowEncoder | None = None) -> None:
        self.display_name = display_name
        self._fast = fast
        self.columns = columns
        self._feed = _OneRow()
        self._reader = csv.reader(self._feed)
        self._width = len(columns)
        # No field of a row shorter than this can exceed the csv module's field size limit.
        self._simple_length = csv.field_size_limit()

    def rows(self, stream: BinaryIO, lineno: int, skip: int) -> Iterator[_SplitRow | Reject | EncodedTweets]:
        """Rows after the header, which ended on line `lineno`.

        Rust twin (the joining of lines into rows, for the runs it takes): `TweetEncoder::take` in
        `native/src/encoder.rs` with `Lines::next_row` in `native/src/lines.rs`."""
        fast, name = self._fast, self.display_name
        source = line_source(stream)
        readline = source.readline
        limit = MAX_ROW_BYTES + 1
        pushback: list[bytes | _Overlong | _Failed] = []  # lines to read again, last first
        pending: list[bytes] = []  # the lines of a row whose quoted field is still open
        ahead: list[bytes | _Overlong | _Failed] = []  # lines read to judge a runaway quote, to be read again
        quotes = size = start = 0

        def look_ahead() -> bytes | _Overlong | _Failed | None:
            """The line after the last one read (kept in `ahead`), or None at the end of the file."""
            if pushback:
                line: bytes | _Overlong | _Failed = pushback.pop()
            else:
                try:
                    line = readline(limit)
                    if not line:
                        return None
                    if len(line) == limit and line[-1] != 0x0A:
                        line = _Overlong(line, len(line) + _drain_line(readline, limit))
                except _STREAM_ERRORS as error:
                    line = _Failed(error)
            ahead.append(line)
            return line

        def read_again(lines: list[bytes]) -> None:
            """`lines`, then the lines looked ahead at, are the next read."""
            pushback.extend(reversed(ahead))
            ahead.clear()
            pushback.extend(reversed(lines))

        try:
            while True:
                if pushback:
                    line = pushback.pop()
                    if line.__class__ is _Failed:
                        raise line.error  # type: ignore[union-attr]
                else:
                    if fast is not None and not pending:
                        lineno, full, body, ends, starts = fast.take(source, lineno, skip, FAST_RUN_ROWS, MAX_ROW_BYTES)
                        if body is not None:
                            yield EncodedTweets(name, starts, body, ends)
                        if full:
                            continue
                    line = readline(limit)
                    if not line:
                        if not pending:
                            return
                        if self._row_starts_after_first(pending, look_ahead, closed=False):
                            yield from self._runaway(start, skip, pending[0], "the file ends inside it")
                            read_again(pending[1:])
                            lineno, pending = start, []
                            continue
                        if start > skip:
                            yield self._reject(
                                start, RejectReason.TRUNCATED_ROW, "file ends inside a quoted field", pending
                            )
                        return
                    if len(line) == limit and line[-1] != 0x0A:
                        line = _Overlong(line, len(line) + _drain_line(readline, limit))
                lineno += 1

                if line.__class__ is _Overlong:
                    if pending:
                        yield from self._runaway(start, skip, pending[0], f"line {lineno} is longer than any row")
                        pushback.append(line)
                        pushback.extend(reversed(pending[1:]))
                        lineno, pending = start, []
                    elif lineno > skip:
                        detail = f"line of {line.size:,} bytes is longer than any row ({MAX_ROW_BYTES:,})"
                        yield Reject(self.display_name, lineno, ROW_TOO_LONG, detail, _raw_text(line.head, line.size))
                    continue

                if pending:
                    pending.append(line)
                    quotes += line.count(b'"')
                    size += len(line)
                    if quotes & 1:
                        if size > MAX_ROW_BYTES:
                            yield from self._runaway(start, skip, pending[0], f"still open after {size:,} bytes")
                            pushback.extend(reversed(pending[1:]))
                            lineno, pending = start, []
                        continue
                    lines, pending = pending, []
                else:
                    quotes = line.count(b'"')
                    if quotes & 1:
                        pending, size, start = [line], len(line), lineno
                        continue
                    if lineno <= skip or (len(line) <= 2 and line.isspace()):
                        continue
                    if fast is not None and (body := fast.encode(line, quotes)) is not None:
                        yield EncodedTweets(name, [lineno], body, [len(body)])
                        continue
                    try:
                        text, fields = self._split(line, quotes)
                    except RowError as error:
                        yield self._reject(lineno, error.reason, error.detail, [line])
                    else:
                        yield lineno, fields, text
                    continue

                # A row spanning lines `start`..`lineno`.
                data = b"".join(lines)
                if fast is not None and start > skip and (body := fast.encode(data, quotes)) is not None:
                    yield EncodedTweets(name, [start], body, [len(body)])
                    continue
                try:
                    text, fields = self._split(data, quotes)
                except RowError as error:
                    if self._row_starts_after_first(lines, look_ahead):
                        yield from self._runaway(start, skip, lines[0], f"{error.detail} over lines {start}-{lineno}")
                        read_again(lines[1:])
                        lineno = start
                    else:
                        read_again([])
                        if start > skip:
                            yield self._reject(start, error.reason, error.detail, lines)
                    continue
                if start > skip:
                    yield start, fields, text
        except _STREAM_ERRORS as error:
            line_at = start if pending else lineno + 1
            if line_at > skip:
                detail = f"compressed data is damaged, the rest of the file cannot be read: {error}"
                yield self._reject(line_at, RejectReason.TRUNCATED_ROW, detail, pending)

    def _split(self, data: bytes, quotes: int) -> tuple[str, list[str]]:
        """Decode and split one logical row holding `quotes` quote characters.

        Raises `RowError` for NUL bytes, bad UTF-8 or a wrong width.

        Rust twin (well-formed CSV only, else it leaves the row here): `split_fields` in `native/src/csv.rs`.
        """
        if b"\x00" in data:
            raise RowError(RejectReason.NUL_BYTE, f"NUL byte at offset {data.index(0)}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RowError(
                RejectReason.BAD_UTF8, f"invalid UTF-8 byte 0x{data[error.start]:02x} at offset {error.start}"
            ) from None
        text = text.rstrip("\r\n")
        # The two shapes nearly every row has are split with `str.split`, cheaper than the csv reader, where that
        # gives exactly what the reader would: no quote at all (and no CR, which the reader refuses), or every
        # field quoted (`"a","b"`) with no quote inside any field (2 quotes per field: the count proves it).
        if len(text) < self._simple_length:
            if quotes == 0:
                if text and "\r" not in text:
                    fields = text.split(",")
                    if len(fields) == self._width:
                        return text, fields
            elif quotes == 2 * self._width and text[0] == '"' and text[-1] == '"':
                fields = text.split('","')
                if len(fields) == self._width:
                    fields[0] = fields[0][1:]  # the opening quote (trimming the pieces is cheaper than the row)
                    fields[-1] = fields[-1][:-1]  # the closing quote
                    return text, fields
        self._feed.row = text
        try:
            fields = next(self._reader)
        except (csv.Error, StopIteration) as error:
            raise RowError(RejectReason.WRONG_FIELD_COUNT, f"malformed CSV: {error}") from None
        if len(fields) != len(self.columns):
            raise RowError(RejectReason.WRONG_FIELD_COUNT, f"{len(fields)} fields, the header has {len(self.columns)}")
        return text, fields

    def _row_starts_after_first(
        self,
        lines: list[bytes],
        look_ahead: Callable[[], bytes | _Overlong | _Failed | None],
        *,
        closed: bool = True,
    ) -> bool:
        """Whether a well-formed row starts on one of `lines` after the first (see the class): then the first line
        opened a runaway quote. A row starting on the last lines may run on past them: `look_ahead` gives the lines
        after them (which the caller reads again). When the `lines` did close (a complete row that does not split),
        a row that the end of the data cuts short (the end of the file, damaged compressed data) counts too, unless
        a line it runs over is a row by itself (then its own open quote is the damage): it may be a well-formed row
        cut short, and read again it is reported as truncated on its own line. When the file ends inside the
        `lines` themselves, the earliest start wins: they are one truncated row."""
        seen = list(lines)
        stop: _Overlong | _Failed | None = None  # what ended the look ahead: an overlong line, or the data's end
        stopped = False
        for first in range(1, len(lines)):
            quotes = size = 0
            at = first
            while True:
                if at == len(seen):
                    if not stopped:
                        following = look_ahead()
                        if following.__class__ is bytes:
                            seen.append(following)  # type: ignore[arg-type]
                        else:
                            stop, stopped = following, True  # type: ignore[assignment]
                    if stopped:
                        if closed and stop.__class__ is not _Overlong and not self._holds_row(seen[first + 1 :]):
                            return True
                        break  # (an overlong line is in no row)
                line = seen[at]
                at += 1
                quotes += line.count(b'"')
                size += len(line)
                if not quotes & 1:
                    if self._is_row(b"".join(seen[first:at]), quotes):
                        return True
                    break
                if size > MAX_ROW_BYTES:
                    break
        return False

    def _holds_row(self, lines: list[bytes]) -> bool:
        """Whether one of `lines` is a well-formed row by itself."""
        for line in lines:
            quotes = line.count(b'"')
            if not quotes & 1 and self._is_row(line, quotes):
                return True
        return False

    def _is_row(self, data: bytes, quotes: int) -> bool:
        """Whether `data` splits into the header's number of fields, NUL bytes and broken UTF-8 aside (they damage
        a row's values, not where it starts and ends: such a row gets its own reject)."""
        if b"\x00" in data:
            data = data.replace(b"\x00", b" ")
        try:
            self._split(data.decode("utf-8", "replace").encode("utf-8"), quotes)
        except RowError:
            return False
        return True

    def _runaway(self, start: int, skip: int, first: bytes, why: str) -> Iterator[Reject]:
        """The reject for the line that opened a runaway quote (the caller re-reads the lines after it)."""
        if start > skip:
            detail = f"quoted field opened on line {start} never closes ({why}); reading resumes at line {start + 1}"
            yield self._reject(start, RejectReason.RUNAWAY_QUOTE, detail, [first])

    def _reject(self, line: int, reason: str, detail: str, lines: list[bytes]) -> Reject:
        return Reject(self.display_name, line, reason, detail, _raw_text(b"".join(lines)))


def _drain_line(readline: Callable[[int], bytes], limit: int) -> int:
    """Read and discard the rest of an overlong physical line; returns how many bytes that was."""
    skipped = 0
    while True:
        chunk = readline(limit)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _read_header(stream: BinaryIO, display_name: str) -> tuple[tuple[str, ...], int]:
    """The column names (stripped, lower-cased) and the number of lines the header took."""
    try:
        first = stream.readline(MAX_ROW_BYTES + 1)
        if not first.strip():
            raise ArchiveError(f"{display_name}: the file is empty, expected a CSV header line")
        lines = [first.removeprefix(_BOM)]
        while b"".join(lines).count(b'"') & 1 and len(lines) < 5:
            lines.append(stream.readline(MAX_ROW_BYTES + 1))
    except _STREAM_ERRORS as error:
        raise ArchiveError(f"{display_name}: cannot be decompressed: {error}") from None
    data = b"".join(lines)
    if data.count(b'"') & 1:
        raise ArchiveError(f"{display_name}: the header line has an unclosed quote")
    try:
        text = data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise ArchiveError(f"{display_name}: the header is not UTF-8 text; is this a CSV file?") from None
    if "\r" in text or "\x00" in text:
        raise ArchiveError(f"{display_name}: the header line is malformed (CR-only line ends or binary data)")
    columns = tuple(name.strip().lower() for name in next(csv.reader([text])))
    return columns, len(lines)


def _as_files(sources: Iterable[str | Path | ArchiveFile] | str | Path) -> list[ArchiveFile]:
    if isinstance(sources, str | Path):
        sources = [sources]
    sources = list(sources)
    given = [source for source in sources if isinstance(source, ArchiveFile)]
    paths = [source for source in sources if not isinstance(source, ArchiveFile)]
    return given + discover(paths) if paths else given


def _expand(paths: Iterable[str | Path], skipped: list[Path], *, named: bool = True) -> Iterator[Path]:
    """Concrete files: directories are searched recursively for archive files, globs are expanded.

    A symbolic link is followed when it was `named` on the command line; a glob's matches are not named, and a
    link among them, or inside a folder, is added to `skipped` instead (see `find_archives`)."""
    for given in paths:
        path = Path(given).expanduser()
        if not named and path.is_symlink():
            skipped.append(path)
        elif path.is_dir():
            yield from _walk(path, skipped)
        elif path.is_file():
            yield path
        elif named and _GLOB_CHARS.search(str(given)):
            matches = sorted(glob.glob(str(path), recursive=True))
            if not matches:
                raise ArchiveError(f"{given}: no file matches this pattern")
            fixed = next(n for n, part in enumerate(path.parts) if _GLOB_CHARS.search(part))
            yield from _expand(_not_through_links(matches, fixed, skipped), skipped, named=False)
        elif named:
            raise ArchiveError(f"{given}: no such file or directory")


def _not_through_links(matches: list[str], fixed: int, skipped: list[Path]) -> Iterator[str]:
    """A glob's matches but those reached through a link to a folder (`**` follows them): the first `fixed`
    parts of each were typed, the rest were found. Such a link goes to `skipped`."""
    for match in matches:
        parts = Path(match).parts
        link = next(
            (Path(*parts[:end]) for end in range(fixed + 1, len(parts)) if Path(*parts[:end]).is_symlink()), None
        )
        if link is None:
            yield match
        else:
            skipped.append(link)


def _walk(folder: Path, skipped: list[Path]) -> list[Path]:
    """The archive files in `folder` and the folders below it, in order, without following a symbolic link.

    A link to a folder, or one whose name is an archive's, goes to `skipped`; other files are not archives."""
    found: list[Path] = []
    for directory, folders, names in os.walk(folder):  # (os.walk never descends into a link to a folder)
        here = Path(directory)
        for name in folders:
            if (here / name).is_symlink():
                skipped.append(here / name)
        for name in names:
            if name.startswith(".") or not _is_archive_name(name):
                continue
            candidate = here / name
            if candidate.is_symlink():
                skipped.append(candidate)
            elif candidate.is_file():
                found.append(candidate)
    return sorted(found)


def _describe_all(path: Path, zips: OpenZips) -> list[ArchiveFile]:
    """The archive files in one file on disk: itself, or each CSV member of a zip (all read through one opening
    of the zip, kept in `zips`)."""
    if not path.name.lower().endswith(".zip"):
        return [_describe(path, None, path.stat().st_size, zips)]
    try:
        archive = zips.zip(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"{path.name}: not a readable zip file: {error}") from None
    members = [info for info in archive.infolist() if not info.is_dir() and _is_csv_member(info.filename)]
    if not members:
        raise ArchiveError(f"{path.name}: the zip holds no .csv file")
    # A member's name goes into every reject and the checkpoint; a zip may give one 64 KB long, no release does.
    overlong = next((info.filename for info in members if len(info.filename) > MAX_MEMBER_NAME), None)
    if overlong is not None:
        raise ArchiveError(
            f"{path.name}: a member's name is {len(overlong):,} characters long ({overlong[:40]}...); "
            f"a release's are under {MAX_MEMBER_NAME:,}"
        )
    return [_describe(path, info.filename, info.file_size, zips) for info in members]


def _describe(path: Path, member: str | None, size: int, zips: OpenZips) -> ArchiveFile:
    display_name = f"{shown_name(path.name)}/{member}" if member else shown_name(path.name)
    probe = ArchiveFile(path, member, "", "tweets", display_name, (), size)
    try:
        with open_binary(probe, zips) as stream:
            columns, _ = _read_header(stream, display_name)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"{display_name}: cannot be read: {error}") from None
    except (NotImplementedError, RuntimeError) as error:
        # zipfile's words for Deflate64 (Windows' own zipper, for large files) and for encrypted members.
        raise ArchiveError(f"{display_name}: cannot be read from the zip ({error}); unzip it first") from None
    campaign, kind = _classify(path, member, columns, display_name)
    return ArchiveFile(path, member, campaign, kind, display_name, columns, size)


def _classify(path: Path, member: str | None, columns: tuple[str, ...], display_name: str) -> tuple[str, Kind]:
    """Campaign and kind from the file name (`<campaign>_tweets_csv_hashed_2.csv`), checked against the header.

    A file whose name does not follow the releases' pattern is classified by its header alone and takes its
    campaign from the name of the file (or the zip) it came from.
    """
    names = [_stem(Path(member).name)] if member else []
    names.append(_stem(path.name))
    match = next((found for found in map(_NAME.match, names) if found), None)
    present = set(columns)
    has_tweets = present >= TWEETS_REQUIRED
    if match and (member is None or _NAME.match(names[0])):
        kind: Kind | None = match["kind"]  # type: ignore[assignment]
    elif has_tweets:
        kind = "tweets"
    elif present >= USERS_REQUIRED and "tweetid" not in present:
        kind = "users"
    else:
        kind = None
    preview = ", ".join(columns[:6]) + (", ..." if len(columns) > 6 else "")
    if kind is None or (kind == "tweets" and not has_tweets):
        raise ArchiveError(
            f"{display_name}: not a tweets file of the archives: the header has no tweetid and tweet_text "
            f"columns (it starts: {preview})"
        )
    if kind == "users" and not present >= USERS_REQUIRED:
        raise ArchiveError(f"{display_name}: not a users file: the header has no userid column ({preview})")
    campaign = match["campaign"] if match else names[-1]
    return campaign, kind


def _sibling_users_files(files: list[ArchiveFile], zips: OpenZips, skipped: list[Path]) -> list[ArchiveFile]:
    """Users files next to a tweets file (same directory, same campaign) that were not named themselves.

    Each folder is listed once, however many campaigns' tweets files it holds. A symbolic link there was not
    named, so it is not followed (it goes to `skipped`)."""
    have_users = {file.campaign for file in files if file.kind == "users"}
    wanted: dict[Path, set[str]] = {}
    for file in files:
        if file.kind == "tweets" and file.campaign not in have_users:
            wanted.setdefault(file.path.parent, set()).add(file.campaign)
    siblings: list[ArchiveFile] = []
    for directory in sorted(wanted):
        for candidate in sorted(directory.iterdir()):
            match = _NAME.match(_stem(candidate.name))
            if not (
                match
                and match["campaign"] in wanted[directory]
                and match["kind"] == "users"
                and _is_archive_name(candidate.name)
            ):
                continue
            if candidate.is_symlink():
                skipped.append(candidate)
            elif candidate.is_file():
                siblings.extend(file for file in _describe_all(candidate, zips) if file.kind == "users")
    return siblings


def _check_unique_names(files: list[ArchiveFile]) -> None:
    seen: dict[str, ArchiveFile] = {}
    for file in files:
        other = seen.setdefault(file.display_name, file)
        if other is not file:
            raise ArchiveError(
                f"two input files are both named {file.display_name} ({other.path} and {file.path}); "
                "load them separately"
            )


def _stem(name: str) -> str:
    lowered = name.lower()
    for suffix in (".csv.gz", ".gz", ".csv", ".zip"):
        if lowered.endswith(suffix):
            return lowered[: -len(suffix)]
    return lowered


def _is_archive_name(name: str) -> bool:
    return name.lower().endswith(_ARCHIVE_SUFFIXES)


def _is_csv_member(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.lower().endswith(".csv") and not base.startswith(".") and not name.startswith("__MACOSX/")


def shown_name(name: str) -> str:
    """A file name as text that any output can hold: bytes that are not UTF-8 (a Linux name may hold any), which
    Python keeps as lone surrogates that neither UTF-8 nor JSON can write, shown as `\\xNN`."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _natural_key(name: str) -> tuple[object, ...]:
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(name.lower()))


def _raw_text(data: bytes, size: int | None = None) -> str:
    """A rejected row's bytes as text for the user: undecodable bytes shown as `\\xNN`, long rows cut (only the
    start of a long row is decoded). `size`: the row's length, when `data` is only its start."""
    if size is None:
        data = data.rstrip(b"\r\n")
        size = len(data)
    return clip_text(data[:MAX_RAW_BYTES].decode("utf-8", "backslashreplace"), MAX_RAW_BYTES, size=size)
