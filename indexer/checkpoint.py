"""Where a load stands, saved after every stored request so that `--resume` continues where it stopped.

A checkpoint says, per input file, the last line whose row is settled (stored, or rejected and written
to the rejects file), which files were read to their end, and the counts up to there. Because the loader
gets bulk answers back in the order it sent them, "settled up to line N" is exact: resuming re-reads each
file from line N+1, passes over the finished files, and ends with the same count as an uninterrupted load.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import orjson

from common.errors import CheckpointError, OutputFailed


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
        """Writes atomically (temp file + rename): a kill mid-write never leaves a torn checkpoint."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".tmp")
            temporary.write_bytes(orjson.dumps(asdict(self)))
            os.replace(temporary, path)
        except OSError as exc:
            raise OutputFailed(f"cannot write the checkpoint {path}: {exc.strerror or exc}") from None

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        if not path.exists():
            raise CheckpointError(f"nothing to resume: no checkpoint at {path} (run the load without --resume)")
        try:
            return cls(**orjson.loads(path.read_bytes()))
        except (orjson.JSONDecodeError, TypeError) as exc:
            message = f"the checkpoint {path} is unreadable ({exc}); run the load without --resume"
            raise CheckpointError(message) from None


def default_checkpoint_path(rejects_path: Path) -> Path:
    """Beside the rejects file, so one folder holds everything a load leaves behind."""
    return rejects_path.with_name(rejects_path.name + ".checkpoint.json")
