"""The line count behind the progress bar's ETA."""

from __future__ import annotations

import time

from indexer.archive import discover
from indexer.progress import LineCounter


def test_line_counter_counts_the_physical_lines_of_tweets_files(generated_release):
    folder, truth = generated_release
    expected = sum(file["lines"] for file in truth["files"] if file["kind"] == "tweets")

    counter = LineCounter(discover([folder]))
    deadline = time.monotonic() + 30
    while counter.total is None and time.monotonic() < deadline:
        time.sleep(0.01)

    assert counter.total == expected
