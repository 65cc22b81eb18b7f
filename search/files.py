"""Writing a file a user asked for, whole or not at all.

A file at the target is always complete: it is written to a hidden file beside it and renamed when done, so
an interrupted or failed run removes its partial file and leaves an existing target untouched. Exports and
network files are written this way.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from common.errors import TweetsearchError


@contextmanager
def atomic_file(target: Path, error: type[TweetsearchError]) -> Iterator[BinaryIO]:
    """A binary file to write `target` through; `error` (an exception class) says why it cannot be written."""
    if not target.parent.is_dir():
        raise error(f"cannot write {target}: the folder {target.parent} does not exist")
    if target.is_dir():
        raise error(f"cannot write {target}: it is a folder")
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open(partial, "xb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise error(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
