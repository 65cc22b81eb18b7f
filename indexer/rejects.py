"""Writing rejected rows where the user can read them, one JSON object per line.

A reject is never silent: each one lands in the rejects file with the file name, the line where the row
starts, the reason code, a human detail and the row's text (truncated), so the user can find the row in the
archive with `sed -n '<line>p'` and decide whether it matters. The file is opened in append mode because a
resumed load skips the rows (and rejects) of the earlier run and adds only new ones.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

from common.errors import OutputFailed
from common.records import Reject


class RejectsWriter:
    """Appends `Reject`s to a JSON-lines file and counts them by reason.

    The file is created on the first reject only, so a clean load leaves no empty rejects file behind.
    Each line is flushed as written: after a crash the file holds every reject reported so far.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.counts: Counter[str] = Counter()
        self._file: IO[str] | None = None

    @property
    def total(self) -> int:
        """How many rejects this writer has written."""
        return sum(self.counts.values())

    def write(self, reject: Reject) -> None:
        """Append one reject as a JSON line; a file that cannot be written stops the load (`OutputFailed`), since a
        reject nobody can read again would be a row lost."""
        entry = {
            "file": reject.file,
            "line": reject.line,
            "reason": reject.reason,
            "detail": reject.detail,
            "raw": reject.raw,
        }
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8", buffering=1)
            self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise OutputFailed(f"cannot write the rejects file {self.path}: {exc.strerror or exc}") from None
        self.counts[reject.reason] += 1

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
    The file is rewritten through a temporary file and a rename: an interruption leaves the old file whole.
    """
    path = Path(path)
    if not path.exists():
        return 0
    temporary = path.with_name(path.name + ".tmp")
    dropped = 0
    with path.open(encoding="utf-8") as source, temporary.open("w", encoding="utf-8") as kept:
        for line in source:
            if not line.strip():
                continue
            reject = _from_json(line)
            if reject.line <= settled.get(reject.file, 0):
                kept.write(line if line.endswith("\n") else line + "\n")
            else:
                dropped += 1
    os.replace(temporary, path)
    return dropped


def _from_json(line: str) -> Reject:
    entry = json.loads(line)
    return Reject(
        file=entry["file"],
        line=int(entry["line"]),
        reason=entry["reason"],
        detail=entry.get("detail", ""),
        raw=entry.get("raw", ""),
    )
