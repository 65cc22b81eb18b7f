"""How far a load has got, for the progress bar's percentage and ETA.

Rows are only known once read, so the total is estimated from physical lines, counted in a background
thread while the load runs (a newline count is cheap next to parsing). Until the count is done the bar
shows rows and speed without an ETA.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from indexer.archive import ArchiveFile, OpenZips, open_binary

_BLOCK = 4 * 1024 * 1024


class LineCounter:
    """Counts the lines of the tweets files in a daemon thread; `total` is None until it is done."""

    def __init__(self, files: Sequence[ArchiveFile]) -> None:
        self._files = [file for file in files if file.kind == "tweets"]
        self.total: int | None = None
        self._thread = threading.Thread(target=self._count, name="line-counter", daemon=True)
        self._thread.start()

    def _count(self) -> None:
        lines = 0
        try:
            with OpenZips() as zips:  # its own: the reader's are not shared between threads
                for file in self._files:
                    last = b"\n"
                    with open_binary(file, zips) as stream:
                        while block := stream.read(_BLOCK):
                            lines += block.count(b"\n")
                            last = block[-1:]
                    lines += last != b"\n"  # a last line without a line end is a line too
        except (OSError, EOFError, ValueError):
            return  # a damaged file is the reader's to report; the bar just goes without an ETA
        self.total = lines
