"""Turning library results into what a person reads (rich tables) or a script reads (JSON)."""

from __future__ import annotations

import csv
import dataclasses
import sys
from datetime import date, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import orjson
from rich.console import Group
from rich.table import Table
from rich.text import Text

from search_cli.status import Status

if TYPE_CHECKING:
    from indexer.loader import LoadProgress, LoadSummary
    from search_cli.aggregate import Timeline, TopResult
    from search_cli.search import Hit, SearchResult


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def to_json(value: Any, *, pretty: bool = True) -> bytes:
    option = orjson.OPT_INDENT_2 if pretty else 0
    return orjson.dumps(value, default=_default, option=option | orjson.OPT_NON_STR_KEYS)


def print_json(value: Any, *, pretty: bool = True) -> None:
    """Writes JSON to stdout as bytes, so pipes get exactly the data and nothing else."""
    sys.stdout.buffer.write(to_json(value, pretty=pretty) + b"\n")
    sys.stdout.flush()


def render_status(status: Status) -> Group:
    server = status.server
    facts = Table.grid(padding=(0, 2))
    facts.add_row("server", server.url)
    facts.add_row("version", f"Elasticsearch {server.version} (cluster {server.cluster_name}, {server.health})")
    facts.add_row("alias", status.alias)
    if not status.indices:
        facts.add_row("index", Text("none yet: load an archive with `tweetsearch index FILE.csv`", style="yellow"))
        return Group(facts)
    facts.add_row("index", ", ".join(status.indices))
    facts.add_row("tweets", f"{status.documents:,}")
    for older in status.older:
        facts.add_row(
            "not searched",
            f"{older.name}: {older.documents:,} tweets, {older.size_bytes / 1e6:,.1f} MB "
            "(an index the alias left; `index --rebuild --drop-replaced` deletes what a rebuild replaces)",
        )
    campaigns = Table(title="tweets per campaign", title_justify="left")
    campaigns.add_column("campaign")
    campaigns.add_column("tweets", justify="right")
    for name, count in status.campaigns:
        campaigns.add_row(name, f"{count:,}")
    return Group(facts, campaigns)


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
        if summary.replaced:
            kept = "kept, `status` lists it; a rebuild with --drop-replaced deletes what it replaces"
            fate = "deleted" if summary.replaced_dropped else kept
            table.add_row("alias", f"switched from {', '.join(summary.replaced)} ({fate})")
    mark = "[green]yes[/]" if summary.reconciled else "[red]NO[/]"
    books = f"{summary.rows_read:,} read = {summary.indexed:,} {verb} + {summary.rejected:,} rejected"
    table.add_row("reconciled", Text.from_markup(f"{mark}: {books}"))
    return Group(table)


def highlighted_text(hit: Hit) -> Text:
    """The tweet text with matches in bold yellow; markers come from the search's highlighter."""
    from search_cli.search import HIGHLIGHT_END, HIGHLIGHT_START

    source = hit.highlighted or hit.text
    text = Text()
    inside = False
    for part in source.replace(HIGHLIGHT_END, HIGHLIGHT_START).split(HIGHLIGHT_START):
        text.append(part, style="bold yellow" if inside else None)
        inside = not inside
    return text


def render_hits(result: SearchResult) -> Table:
    exact = "" if result.total_is_exact else "+"
    table = Table(title=f"{result.total:,}{exact} tweets ({result.took_ms} ms)", title_justify="left", expand=True)
    table.add_column("time (UTC)", no_wrap=True, min_width=16)
    table.add_column("account", no_wrap=True, max_width=18, overflow="ellipsis")
    table.add_column("lang", no_wrap=True, max_width=4)
    table.add_column("campaign", no_wrap=True, max_width=12, overflow="ellipsis")
    table.add_column("text", ratio=1, min_width=30, overflow="fold")
    for hit in result.hits:
        when = hit.time.strftime("%Y-%m-%d %H:%M") if hit.time else "?"
        account = f"@{hit.screen_name or hit.userid}"
        table.add_row(when, account, hit.language or "", hit.campaign, highlighted_text(hit))
    return table


def write_rows(rows: list[Any], fmt: str, *, row_type: type, total: int | None = None) -> None:
    """Writes dataclass rows to stdout as JSON (an object with the total), JSON lines or CSV.

    `row_type` (the rows' dataclass) names the CSV columns, so an empty result still has its header.
    """
    if fmt == "json":
        print_json({"total": total, "rows": rows})
    elif fmt == "jsonl":
        for row in rows:
            sys.stdout.buffer.write(to_json(row, pretty=False) + b"\n")
    elif fmt == "csv":
        records = [dataclasses.asdict(row) for row in rows]
        fields = [item.name for item in dataclasses.fields(row_type)]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow({key: _csv_value(value) for key, value in record.items()})
    sys.stdout.flush()


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def render_top(result: TopResult, width: int) -> Group:
    """Rank, value, tweets, share of matching tweets and a bar; then what the list leaves out."""
    from search_cli.charts import bar, value_label

    what = f'tweets matching "{result.query}"' if result.query.strip() else "tweets"
    table = Table(title=f"top {result.field} among {result.tweets:,} {what}", title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column(result.field.removesuffix("s"), overflow="fold")
    table.add_column("tweets", justify="right")
    table.add_column("share", justify="right")
    table.add_column("", no_wrap=True, overflow="crop")
    peak = max((count.percent for count in result.counts), default=0.0)
    for rank, count in enumerate(result.counts, 1):
        shown = f"{count.count:,}" + (f" (+≤{count.error:,})" if count.error else "")
        table.add_row(
            str(rank), value_label(count), shown, f"{count.percent:.1f}%", Text(bar(count.percent, peak, 20), "cyan")
        )
    notes = [Text(line, style="dim") for line in top_notes(result)]
    return Group(table, *notes)


def top_notes(result: TopResult) -> list[str]:
    """What a top list leaves out, and how exact its counts are."""
    distinct = f"{'' if result.distinct_exact else 'about '}{result.distinct:,} different {result.field}"
    notes = [f"{distinct}; {result.without_value:,} of the tweets have none"]
    if result.other:
        notes.append(f"{result.other:,} more occurrences of values not listed (use --limit)")
    if result.counts_exact:
        notes.append("counts are exact (the server reports no error)")
    else:
        notes.append(f"counts are approximate: each may be short by up to {result.error_bound:,} (server's bound)")
    return notes


def render_timeline(series: Timeline, max_rows: int, width: int) -> Table | str:
    """Bars per interval, at most `max_rows` lines (longer series are grouped), titled with what was counted."""
    from search_cli.charts import bar_table, fit_rows

    if not series.buckets:
        return f"no tweets match{'' if not series.tweets else ' with a time'}"
    shown = fit_rows([b.label for b in series.buckets], [b.count for b in series.buckets], max_rows)
    what = f' matching "{series.query}"' if series.query.strip() else ""
    span = f"{series.buckets[0].label} to {series.buckets[-1].label}"
    title = f"{series.tweets:,} tweets{what} per {series.interval}, {span} (UTC)"
    grouped = {row.buckets for row in shown if row.count}
    if len(shown) < len(series.buckets):
        size = max(grouped, default=1)
        title += f"; {size} {series.interval}s a line" if size > 1 else "; empty stretches folded"
    if series.without_time:
        title += f"; {series.without_time:,} without a time"
    return bar_table(shown, width=width, title=title, label_header=series.interval)
