"""Writing rejected rows where the user can read them, one JSON object per line.

A reject is never silent: each one lands in the rejects file with the file name, the line where the row
starts, the reason code, a human detail and the row's text (truncated), so the user can find the row in the
archive with `sed -n '<line>p'` and decide whether it matters. The file is opened in append mode because a
resumed load skips the rows (and rejects) of the earlier run and adds only new ones.

The file is bounded, since what is rejected is what the load could not make sense of, and a small file can be
made to fill a disk (a 2.2 KB gzip of short lines once gave 500,000 rejects, 70 MB): each record's text is cut
at `MAX_RAW_BYTES` and its detail at `MAX_DETAIL_BYTES`, saying so, and a load stops once more rows than its
bound (`MAX_REJECTS` unless the user says otherwise) were rejected. And it is archived text, hostile: JSON
escapes the C0 controls, and the writer escapes the C1 and bidi controls too (`\u009b`, `\u202e`), so that
`cat` or `less` on the file obeys none of them, while any JSON reader gives back the text exactly.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

from common.errors import CheckpointError, OutputFailed
from common.records import Reject
from indexer.atomic import atomic_replace

MAX_REJECTS = 100_000
"""The rejected rows a load accepts before it stops, saying the input is not an archive (`--max-rejects`).

Real damage is rows, not files: the generated releases the tests use plant a few hundred bad rows at most
(`generate --malformed 60`: six kinds, 60 each, and a truncated last line per file), and a damaged download
loses a row at each break. A file whose rows are mostly rejected is not a tweets file; 100,000 rejects fill
about 300 MB at most (`MAX_RAW_BYTES` and `MAX_DETAIL_BYTES` each), and a load stops there."""

MAX_RAW_BYTES = 2_048
"""How much of a rejected row's text (UTF-8) a reject keeps: enough to find and recognise it. Rows are at most
64 KB (`indexer.archive.MAX_ROW_BYTES`); a document the server refused may be as long."""

MAX_DETAIL_BYTES = 1_024
"""How much of a reject's detail is kept: the server's reasons quote what they refused."""

# Characters JSON leaves raw that a terminal obeys or that reorder a line: DEL, the C1 controls (U+0085 and
# U+009B, a one-byte CSI, among them), the bidi embeddings, overrides and isolates, and the line and paragraph
# separators (the same set `search.safe_text` makes visible); and lone surrogates, which UTF-8 cannot hold.
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def clip_text(text: str, limit: int, *, size: int | None = None, middle: bool = False) -> str:
    """`text` when it takes at most `limit` bytes in the rejects file, else its start and a marker saying it was
    cut, the two within `limit` (so that clipping twice changes nothing). `size` is the length in bytes of what
    `text` was taken from, when `text` is only the start of it. With `middle`, the marker replaces the middle,
    and the end is kept too (a server's reason ends with its cause, after a preview of the value).

    What a text takes is its UTF-8 bytes, and 6 for each character written as an escape (`\\u0001`): a row of
    control characters would otherwise take six times its bound."""
    if size is None or size <= limit:
        if len(text) * _ESCAPE_BYTES <= limit or _bytes_in_file(text) <= limit:
            return text
        size = len(text.encode("utf-8", "surrogatepass"))
    marker = f"… [cut: {size:,} bytes in all] …" if middle else f"… [cut: {size:,} bytes in all]"
    budget = limit - len(marker.encode())
    if not middle:
        return _start(text, budget) + marker
    end = _start(text[::-1], budget // 2)[::-1]
    return _start(text, budget - budget // 2) + marker + end


def _start(text: str, budget: int) -> str:
    """The longest start of `text` that takes at most `budget` bytes in the file (see `clip_text`)."""
    head = text[:budget]
    while (taken := _bytes_in_file(head)) > budget:
        head = head[: len(head) * budget // taken - 1]
    return head


_ESCAPE_BYTES = 6
# What JSON writes as an escape, and what `reject_json` escapes besides.
_ESCAPED = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]')


def _bytes_in_file(text: str) -> int:
    """At most how many bytes `text` takes in a JSON line of the rejects file."""
    return len(text.encode("utf-8", "surrogatepass")) + (_ESCAPE_BYTES - 1) * len(_ESCAPED.findall(text))


def reject_json(reject: Reject) -> str:
    """One reject as a JSON line (without its line end): text cut to the bounds, C1 and bidi controls escaped."""
    entry = {
        "file": reject.file,
        "line": reject.line,
        "reason": reject.reason,
        "detail": clip_text(reject.detail, MAX_DETAIL_BYTES, middle=True),
        "raw": clip_text(reject.raw, MAX_RAW_BYTES),
    }
    # Every such character is inside a JSON string (the keys are ASCII), where `\uXXXX` means the same character.
    return _RAW_IN_JSON.sub(_escaped, json.dumps(entry, ensure_ascii=False))


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


class RejectsWriter:
    """Appends `Reject`s to a JSON-lines file and counts them by reason.

    The file is created on the first reject only, so a clean load leaves no empty rejects file behind.
    Each line is flushed as written: after a crash the file holds every reject reported so far.

    `bound` is the number of rejects past which the load should stop (`over_bound`; None: no bound), counting
    the `earlier` ones a resumed load keeps in the file. The writer never refuses a reject itself: the rows are
    read and settled in order, and the caller stops reading where it can still balance its books.
    """

    def __init__(self, path: str | Path, *, bound: int | None = None, earlier: int = 0) -> None:
        self.path = Path(path)
        self.counts: Counter[str] = Counter()
        self.bound = bound
        self.earlier = earlier
        self.crossed: Reject | None = None
        """The reject that took the count past `bound`."""
        self._file: IO[str] | None = None

    @property
    def total(self) -> int:
        """How many rejects this writer has written."""
        return sum(self.counts.values())

    @property
    def over_bound(self) -> bool:
        """More rejects than `bound`, the earlier ones included: the input is not what the load takes it for."""
        return self.crossed is not None

    def write(self, reject: Reject) -> None:
        """Append one reject as a JSON line; a file that cannot be written stops the load (`OutputFailed`), since a
        reject nobody can read again would be a row lost."""
        line = reject_json(reject) + "\n"
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = _open_to_append(self.path)
            self._file.write(line)
        except OSError as exc:
            raise OutputFailed(f"cannot write the rejects file {self.path}: {_why(exc)}") from None
        self.counts[reject.reason] += 1
        if self.crossed is None and self.bound is not None and self.earlier + self.total > self.bound:
            self.crossed = reject

    def close(self) -> None:
        """Close the file, if one was opened."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _open_to_append(path: Path) -> IO[str]:
    """The rejects file opened to append, line-buffered; never through a symbolic link (O_NOFOLLOW): a load removes
    or rewrites the file before it appends, so a link found there now was planted since."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    return os.fdopen(descriptor, "a", encoding="utf-8", buffering=1)


def _open_to_read(path: Path) -> IO[str]:
    """The rejects file a resumed load rewrites, never through a symbolic link: a load never leaves one there."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    return os.fdopen(descriptor, encoding="utf-8")


def _why(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link"
    return exc.strerror or str(exc)


def check_rejects_location(path: Path) -> None:
    """Refuses, before anything is read or sent, a rejects file that could not be made: a path under a file,
    or a folder without write permission. Nothing is created or removed here, so a load that then fails for
    another reason leaves an earlier rejects file as it was."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == path and path.is_file():
        writable, reason = os.access(path, os.W_OK), "Permission denied"
    elif existing.is_dir():
        writable, reason = os.access(existing, os.W_OK | os.X_OK), "Permission denied"
    else:
        writable, reason = False, "Not a directory"
    if not writable:
        raise OutputFailed(f"cannot write the rejects file {path}: {reason}")


def clear_rejects(path: Path) -> None:
    """Removes the rejects file of an earlier load, so this load's file holds only its own rejects."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputFailed(f"cannot write the rejects file {path}: {exc.strerror or exc}") from None


def read_rejects(path: str | Path) -> Iterator[Reject]:
    """The rejects in a rejects file, in order; none when the file does not exist (a clean load)."""
    path = Path(path)
    if not path.exists():
        return
    with path.open(encoding="utf-8") as file:
        for line in file:
            if line.strip():
                yield _from_json(line)


def count_rejects(path: str | Path) -> int:
    """How many rejects a rejects file holds (0 when it does not exist)."""
    return sum(1 for _ in read_rejects(path))


def prune_rejects(path: str | Path, settled: Mapping[str, int]) -> int:
    """Keep only the rejects a resumed load will not produce again; returns how many were dropped.

    `settled` maps a file's display name to the last line the interrupted load settled; the reader re-reads
    each file after that line, so a reject beyond it (or from a file not in `settled`) would be written twice.
    The file is rewritten through a temporary file and a rename (`indexer.atomic`): an interruption leaves the
    old file whole.
    """
    path = Path(path)
    if not path.exists():
        return 0
    dropped = 0
    try:
        with _open_to_read(path) as source, atomic_replace(path) as kept:
            for line in source:
                if not line.strip():
                    continue
                reject = _from_json(line, path)
                if reject.line <= settled.get(reject.file, 0):
                    kept.write((reject_json(reject) + "\n").encode("utf-8"))
                else:
                    dropped += 1
    except OSError as exc:
        raise OutputFailed(f"cannot write the rejects file {path}: {_why(exc)}") from None
    return dropped


def _from_json(line: str, path: Path | None = None) -> Reject:
    """One line of a rejects file; with `path`, a line that is not a reject is the user's error: the file given
    to a resumed load is not one a load wrote (`CheckpointError`)."""
    try:
        entry = json.loads(line)
        return Reject(
            file=str(entry["file"]),
            line=int(entry["line"]),
            reason=str(entry["reason"]),
            detail=str(entry.get("detail", "")),
            raw=str(entry.get("raw", "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if path is None:
            raise
        raise CheckpointError(
            f"the rejects file {path} holds a line that is not a reject ({type(exc).__name__}); "
            "resume with the rejects file the load wrote, or run the load without --resume"
        ) from None
