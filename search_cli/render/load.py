"""`index`: the progress line while a load runs and the books of the load once it is done.

File names are the archive's, and hostile like its text: a name may hold escape sequences, bidi controls, or
brackets rich would read as markup (`[link=...]`). Every name shown goes through `search.safe_text.one_line` and
into a `Text`, never through markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from search.safe_text import one_line

if TYPE_CHECKING:
    from collections.abc import Iterable

    from indexer.loader import LoadProgress, LoadSummary


def progress_line(progress: LoadProgress) -> str:
    """One line of load progress: share done and ETA when known, rows, speed, rejects, current file."""
    line = (
        f"{progress.rows_read:,} rows read, {progress.indexed:,} indexed ({progress.docs_per_second:,.0f} docs/s), "
        f"{progress.rejected:,} rejected — {one_line(progress.current_file)}"
    )
    eta = progress.eta_seconds
    if eta is None:
        return line
    minutes, seconds = divmod(int(eta), 60)
    hours, minutes = divmod(minutes, 60)
    left = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"{progress.fraction:5.1%}, ETA {left} — {line}"


def _names(names: Iterable[object]) -> str:
    """Names from the archive or the file system, made terminal-safe and joined (shown as text, never markup)."""
    return ", ".join(one_line(str(name)) for name in names)


def render_load_summary(summary: LoadSummary) -> Group:
    """The books of a load, ending with the reconciliation a user can check."""
    table = Table.grid(padding=(0, 2))
    table.add_row("files", Text(f"{len(summary.files)}: " + _names(summary.files)))
    if summary.skipped_links:
        count = len(summary.skipped_links)
        why = "inside folders or among a pattern's matches, not followed (name a file to read it through its link)"
        links = f"{count:,} symbolic link{'s' * (count != 1)} {why}: {_names(summary.skipped_links)}"
        table.add_row("skipped", Text(links))
    table.add_row("rows read", f"{summary.rows_read:,}")
    verb = "valid" if summary.dry_run else "indexed"
    detail = "" if summary.dry_run else f" ({summary.created:,} new, {summary.duplicates:,} already indexed)"
    table.add_row(verb, f"{summary.indexed:,}{detail}")
    reasons = ", ".join(f"{reason} {count:,}" for reason, count in sorted(summary.rejected_by_reason.items()))
    where = f" ({reasons}) -> {_names([summary.rejects_path])}" if summary.rejected else ""
    table.add_row("rejected", Text(f"{summary.rejected:,}{where}"))
    table.add_row("elapsed", f"{summary.elapsed:,.1f} s ({summary.docs_per_second:,.0f} docs/s)")
    if summary.retries or summary.splits:
        table.add_row("server", f"refused {summary.retries:,} requests for a while (retried), {summary.splits:,} split")
    if summary.index is not None:
        if summary.index in summary.alias_indices:
            where = f"{_names([summary.index])} (alias {_names([summary.alias])})"
        else:
            where = (
                f"{_names([summary.index])} (alias {_names([summary.alias])} not moved to it: search it with "
                f"--alias {_names([summary.index])}, or switch the alias with --rebuild --index-name)"
            )
        table.add_row("index", Text(f"{where} now holds {summary.index_count:,} tweets"))
        if summary.concurrent:
            table.add_row(
                "shared",
                "other loads wrote into it at the same time: once all are done, their `new` counts add up to "
                "its count, and a load with --rebuild --index-name switches the alias to it",
            )
        if summary.accounts is not None:
            accounts = f"{summary.accounts:,} accounts in {_names([summary.accounts_index])} (their profiles)"
            table.add_row("accounts", Text(accounts))
        if summary.merge_task is not None:
            table.add_row(
                "merging",
                "into one segment in the background, where searches run fastest "
                "(searches answer meanwhile; `tweetsearch status` says while it runs)",
            )
        if summary.replaced:
            kept = "kept, `status` lists it; a rebuild with --drop-replaced deletes what it replaces"
            fate = "deleted" if summary.replaced_dropped else kept
            table.add_row("alias", Text(f"switched from {_names(summary.replaced)} ({fate})"))
    mark = "[green]yes[/]" if summary.reconciled else "[red]NO[/]"
    books = f"{summary.rows_read:,} read = {summary.indexed:,} {verb} + {summary.rejected:,} rejected"
    table.add_row("reconciled", Text.from_markup(f"{mark}: {books}"))
    return Group(table)
