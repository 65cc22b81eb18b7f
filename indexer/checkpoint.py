"""Where a load stands, saved after every stored request so that `--resume` continues where it stopped.

A checkpoint says, per input file, the last line whose row is settled (stored, or rejected and written
to the rejects file), which files were read to their end, and the counts up to there. Because the loader
gets bulk answers back in the order it sent them, "settled up to line N" is exact: resuming re-reads each
file from line N+1, passes over the finished files, and ends with the same count as an uninterrupted load.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path

import orjson

from common.errors import CheckpointError, OutputFailed
from indexer.atomic import atomic_replace


@dataclass
class Checkpoint:
    """The saved state of one load. `lines` maps a file's display name to its last settled line; `finished`
    names the files read to their end before the last stored request (their trailing rejects included), and
    `rows_read` counts every row up to that request."""

    index: str
    alias: str
    inputs: list[str]
    fresh_index: bool
    count_before: int
    lines: dict[str, int] = field(default_factory=dict)
    finished: list[str] = field(default_factory=list)
    rows_read: int = 0
    indexed: int = 0
    created: int = 0
    retries: int = 0
    splits: int = 0
    restore_settings: dict[str, object] = field(default_factory=dict)

    def settled(self) -> dict[str, int]:
        """The last settled line of each file, a finished file's being past its end: what a resume skips,
        and which rejects it keeps."""
        return {**self.lines, **dict.fromkeys(self.finished, sys.maxsize)}

    def save(self, path: Path) -> None:
        """Writes atomically through a temporary file no one can foresee (`indexer.atomic`): a kill mid-write never
        leaves a torn checkpoint, and a link planted beside it is never written through."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_replace(path) as file:
                file.write(orjson.dumps(asdict(self)))
        except OSError as exc:
            raise OutputFailed(f"cannot write the checkpoint {path}: {exc.strerror or exc}") from None

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        """The checkpoint at `path`, every field of the type this module writes (`CheckpointError` otherwise).

        A checkpoint is a file anyone with access to the folder may have changed, and a resumed load acts on it:
        it writes into the index it names and puts settings back on it. Whether that index is one this load may
        write is the loader's to check (it knows the alias and the server); here, that each field is what a
        load writes, so that nothing downstream meets a list where it counts on a number."""
        if not path.exists() and not path.is_symlink():
            raise CheckpointError(f"nothing to resume: no checkpoint at {path} (run the load without --resume)")
        try:
            fields = orjson.loads(_read_own_file(path))
        except (orjson.JSONDecodeError, OSError) as exc:
            why = "it is a symbolic link" if isinstance(exc, OSError) and exc.errno == errno.ELOOP else str(exc)
            raise CheckpointError(
                f"the checkpoint {path} is unreadable ({why}); run the load without --resume"
            ) from None
        problem = _invalid(fields)
        if problem:
            raise CheckpointError(
                f"the checkpoint {path} is not one a load wrote ({problem}); run the load without --resume"
            )
        return cls(**fields)


MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024
"""Far more than a checkpoint of the largest load holds (a file name and a line number per input file)."""


def _read_own_file(path: Path) -> bytes:
    """The bytes of the checkpoint file itself: `save` never leaves a symbolic link there, so one is not followed
    (O_NOFOLLOW), and only a regular file of a checkpoint's size is read (not a link's `/dev/zero`)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_CHECKPOINT_BYTES:
            raise OSError(f"not a regular file of at most {MAX_CHECKPOINT_BYTES:,} bytes")
        return file.read()


_COUNTS = ("count_before", "rows_read", "indexed", "created", "retries", "splits")


def _invalid(fields: object) -> str | None:
    """What is wrong with a checkpoint's fields as read back, or None when each is of the type a load writes and
    they agree with each other (the files it names are among its inputs, no more stored than read)."""
    if not isinstance(fields, dict):
        return "not a JSON object"
    known = {spec.name for spec in dataclass_fields(Checkpoint)}
    unknown = sorted(set(fields) - known)
    if unknown:
        return f"unknown fields {', '.join(unknown)}"
    missing = sorted({"index", "alias", "inputs", "fresh_index", "count_before"} - set(fields))
    if missing:
        return f"no {', '.join(missing)}"
    for name in ("index", "alias"):
        if not _is_text(fields[name]):
            return f"{name} is not a name"
    if not isinstance(fields["fresh_index"], bool):
        return "fresh_index is not true or false"
    for name in _COUNTS:
        if name in fields and not _is_count(fields[name]):
            return f"{name} is not a count"
    inputs, finished = fields["inputs"], fields.get("finished", [])
    for name, names in (("inputs", inputs), ("finished", finished)):
        if not isinstance(names, list) or not all(_is_text(item) for item in names):
            return f"{name} is not a list of file names"
    lines = fields.get("lines", {})
    if not isinstance(lines, dict) or not all(_is_count(line) for line in lines.values()):
        return "lines is not a map of file names to line numbers"
    strangers = (set(lines) | set(finished)) - set(inputs)
    if strangers:
        return "it names files that are not among its inputs"
    if fields.get("indexed", 0) > fields.get("rows_read", 0) or fields.get("created", 0) > fields.get("indexed", 0):
        return "it counts more tweets stored than read"
    settings = fields.get("restore_settings", {})
    if not isinstance(settings, dict) or not all(
        value is None or (isinstance(value, str | int) and not isinstance(value, bool)) for value in settings.values()
    ):
        return "restore_settings is not a map of settings to values"
    return None


def _is_text(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def default_checkpoint_path(rejects_path: Path) -> Path:
    """Beside the rejects file, so one folder holds everything a load leaves behind."""
    return rejects_path.with_name(rejects_path.name + ".checkpoint.json")
