"""Replacing a file the load keeps (its checkpoint, its rejects) whole, through a temporary file no one can foresee.

A temporary file with a fixed name beside the target (`x.json.tmp`) is a trap in a shared folder: another user can
plant a symbolic link there first, and writing it then writes wherever the link points. So the temporary file gets
an unpredictable name and is created exclusively (`tempfile.mkstemp`: O_CREAT | O_EXCL, which never follows a
link), in the target's own folder so that the final `os.replace` is one atomic rename on one file system. A kill
before the rename leaves the old target whole; any failure removes the temporary file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_replace(target: Path) -> Iterator[BinaryIO]:
    """A new binary file whose content replaces `target` when the block ends without an error.

    The new file is created with mode 0600 (mkstemp's), then given the target's mode when the target exists, so
    a replaced file keeps who may read it. Raises `OSError` as the file system does; the caller words it.
    """
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file  # type: ignore[misc]
            with suppress(FileNotFoundError):
                os.fchmod(file.fileno(), os.stat(target).st_mode & 0o777)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
