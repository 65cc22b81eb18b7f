"""`index`: the progress line while a load runs and the books of the load once it is done."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from indexer.loader import LoadProgress, LoadSummary


def progress_line(progress: LoadProgress) -> str:
    """One line of load progress: share done and ETA when known, rows, speed, rejects, current file."""
    line = (
        f"{progress.rows_read:,} rows read, {progress.indexed:,} indexed ({progress.docs_per_second:,.0f} docs/s), "
        f"{progress.rejected:,} rejected — {progress.current_file}"
    )
    eta = progress.eta_seconds
    if eta is None:
        return line
    minutes, seconds = divmod(int(eta), 60)
    hours, minutes = divmod(minutes, 60)
    left = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"{progress.fraction:5.1%}, ETA {left} — {line}"


def render_load_summary(summary: LoadSummary) -> Group:
    """The books of a load, ending with the reconciliation a user can check."""
    table = Table.grid(padding=(0, 2))
    table.add_row("files", f"{len(summary.files)}: " + ", ".join(summary.files))
    table.add_row("rows read", f"{summary.rows_read:,}")
    verb = "valid" if summary.dry_run else "indexed"
    detail = "" if summary.dry_run else f" ({summary.created:,} new, {summary.duplicates:,} already indexed)"
    table.add_row(verb, f"{summary.indexed:,}{detail}")
    reasons = ", ".join(f"{reason} {count:,}" for reason, count in sorted(summary.rejected_by_reason.items()))
    rejected = f"{summary.rejected:,}" + (f" ({reasons}) -> {summary.rejects_path}" if summary.rejected else "")
    table.add_row("rejected", rejected)
    table.add_row("elapsed", f"{summary.elapsed:,.1f} s ({summary.docs_per_second:,.0f} docs/s)")
    if summary.retries or summary.splits:
        table.add_row("server", f"refused {summary.retries:,} requests for a while (retried), {summary.splits:,} split")
    if summary.index is not None:
        where = f"{summary.index} (alias {summary.alias})"
        table.add_row("index", f"{where} now holds {summary.index_count:,} tweets")
        if summary.concurrent:
            table.add_row(
                "shared",
                "other loads wrote into it at the same time: once all are done, their `new` counts add up to "
                "its count, and a load with --rebuild --index-name switches the alias to it",
            )
        if summary.accounts is not None:
            table.add_row("accounts", f"{summary.accounts:,} accounts in {summary.accounts_index} (their profiles)")
        if summary.merge_task is not None:
            table.add_row(
                "merging",
                "into one segment in the background, where searches run fastest "
                "(searches answer meanwhile; `tweetsearch status` says while it runs)",
            )
        if summary.replaced:
            kept = "kept, `status` lists it; a rebuild with --drop-replaced deletes what it replaces"
            fate = "deleted" if summary.replaced_dropped else kept
            table.add_row("alias", f"switched from {', '.join(summary.replaced)} ({fate})")
    mark = "[green]yes[/]" if summary.reconciled else "[red]NO[/]"
    books = f"{summary.rows_read:,} read = {summary.indexed:,} {verb} + {summary.rejected:,} rejected"
    table.add_row("reconciled", Text.from_markup(f"{mark}: {books}"))
    return Group(table)
