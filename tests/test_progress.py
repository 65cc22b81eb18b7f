"""Load progress: the line count behind the ETA, the callback, and the bar a user sees at a terminal."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import time

from rich.console import Console
from servers import ROOT

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


def test_a_load_reports_progress_up_to_every_line(es, es_url, alias, generated_release, tmp_path):
    from common.connection import Settings, connect
    from indexer.bulk import BulkOptions
    from indexer.loader import LoadOptions, load_archive

    folder, truth = generated_release
    seen = []
    options = LoadOptions(rejects_path=tmp_path / "r.jsonl", bulk=BulkOptions(chunk_docs=200))

    summary = load_archive(connect(Settings(url=es_url)), f"{alias}-progress", [folder], options, seen.append)

    assert len(seen) >= truth["total_tweets"] // 200
    assert [p.indexed for p in seen] == sorted(p.indexed for p in seen)
    assert seen[-1].indexed == summary.indexed == truth["total_tweets"]
    assert all(p.rows_read == p.indexed + p.rejected for p in seen)
    known = [p for p in seen if p.lines_total is not None]
    assert known, "the line count never finished"
    last = known[-1]
    expected_lines = sum(f["lines"] for f in truth["files"] if f["kind"] == "tweets")
    assert last.lines_total == expected_lines
    assert last.eta_seconds is not None and last.eta_seconds < last.elapsed


def test_progress_line_shows_share_and_eta_once_the_total_is_known():
    from indexer.loader import LoadProgress
    from search_cli.render.load import progress_line

    early = LoadProgress(rows_read=10, indexed=9, rejected=1, current_file="ira.csv", elapsed=2.0)
    half = LoadProgress(
        rows_read=50, indexed=50, rejected=0, current_file="ira.csv", elapsed=60.0, lines_done=50, lines_total=100
    )

    assert progress_line(early).startswith("10 rows read, 9 indexed (4 docs/s), 1 rejected")
    assert progress_line(half).startswith("50.0%, ETA 1:00 — 50 rows read")


def test_on_a_terminal_a_load_shows_a_bar_then_the_summary(es_url, alias, generated_release, tmp_path):
    """Run as a user at a terminal: a pseudo-terminal is the command's stdout and stderr."""
    folder, truth = generated_release
    text, code = _run_on_a_terminal(
        ["--url", es_url, "--alias", f"{alias}-tty", "index", str(folder),
         "--rejects", str(tmp_path / "r.jsonl"), "--batch-size", "100"]
    )  # fmt: skip

    assert code == 0, text[-2000:]
    assert "━" in text, "no progress bar was drawn"
    assert "rows read" in text and "docs/s" in text
    assert f"{truth['total_tweets']:,} indexed" in text.replace("\x1b", "")
    assert "reconciled" in text and "Traceback" not in text


class _Screen(io.StringIO):
    """What a terminal receives: a text buffer that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _console(file: io.StringIO) -> Console:
    return Console(file=file, force_terminal=isinstance(file, _Screen), width=120, color_system=None)


def test_the_progress_bar_draws_label_counts_share_and_detail_on_a_terminal():
    from search_cli.render.progress import ProgressBar

    screen = _Screen()
    with ProgressBar("exporting", total=200, counts=True, console=_console(screen)) as bar:
        bar.update(50, detail="ira.csv")
        bar._live.refresh()
        drawn = screen.getvalue()

    assert "exporting" in drawn and "━" in drawn
    assert "50/200" in drawn and "25%" in drawn and "ira.csv" in drawn


def test_the_progress_bar_draws_nothing_when_stderr_is_not_a_terminal():
    from search_cli.render.progress import ProgressBar

    piped = io.StringIO()
    with ProgressBar("exporting", total=200, counts=True, console=_console(piped)) as bar:
        bar.update(50, detail="ira.csv")

    assert piped.getvalue() == ""


def test_a_piped_load_gets_its_progress_line_now_and_then_not_at_every_request():
    from indexer.loader import LoadProgress
    from search_cli.render.progress import ProgressBar, load_progress

    piped = io.StringIO()
    step = LoadProgress(rows_read=10, indexed=10, rejected=0, current_file="ira.csv", elapsed=1.0)
    with ProgressBar(estimate=False, plain_every=0.2, console=_console(piped)) as bar:
        report = load_progress(bar)
        report(step)  # too soon after the start
        time.sleep(0.25)
        report(step)
        report(step)  # too soon after the last line

    assert piped.getvalue().splitlines() == ["10 rows read, 10 indexed (10 docs/s), 0 rejected — ira.csv"]


def test_on_a_terminal_generate_shows_a_bar_of_tweets_written(tmp_path):
    text, code = _run_on_a_terminal(["generate", "--tweets", "20000", "--out", str(tmp_path / "release")])

    assert code == 0, text[-2000:]
    assert "writing tweets" in text and "━" in text and "/20000" in text
    assert "ground truth" in text and "Traceback" not in text


def _run_on_a_terminal(arguments: list[str]) -> tuple[str, int]:
    """`tweetsearch ARGUMENTS` with a pseudo-terminal as stdout and stderr: what it showed, and its exit code."""
    leader, follower = pty.openpty()
    command = [str(ROOT / ".venv" / "bin" / "tweetsearch"), *arguments]
    process = subprocess.Popen(command, stdout=follower, stderr=follower, env={**os.environ, "COLUMNS": "160"})
    os.close(follower)
    screen = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the command ended and closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(leader)
    return screen.decode("utf-8", errors="replace"), process.wait(timeout=60)
