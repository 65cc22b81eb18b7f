"""Turning library results into what a person reads (rich tables) or a script reads (JSON)."""

from __future__ import annotations

import csv
import dataclasses
import sys
from datetime import date, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import orjson
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from search.safe_text import one_line, terminal_safe
from search.status import Status

if TYPE_CHECKING:
    from indexer.loader import LoadProgress, LoadSummary
    from search.aggregate import Timeline, TopResult
    from search.tweets import Hit, SearchResult


def output_fields(row_type: type) -> list[str]:
    """A dataclass's fields that go into JSON and CSV, in order: those not marked `metadata={"output": False}`
    (a hit's highlight spans, which only the terminal shows)."""
    return [item.name for item in dataclasses.fields(row_type) if item.metadata.get("output", True)]


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # One level only: orjson calls back here for the dataclasses inside.
        return {name: getattr(value, name) for name in output_fields(type(value))}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def to_json(value: Any, *, pretty: bool = True) -> bytes:
    option = orjson.OPT_INDENT_2 if pretty else 0
    # Dataclasses pass through `_default`, so fields marked not for output are left out at every depth.
    option |= orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
    return orjson.dumps(value, default=_default, option=option)


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


def account_label(screen_name: str | None, userid: str | None, *, cut: bool = True) -> str:
    """How a listing names an account, made safe for a terminal.

    A real screen name is a handle: `@name`. A hashed id (the archives hash small accounts' ids and screen
    names) is not a handle, so it has no `@`; with `cut` it is shortened in the middle (`3f2a…9c1d`), so
    both ends stay comparable with the full id that `--json` gives. A numeric id alone is shown as it is.
    """
    from search.tweets import is_hashed_id

    if screen_name and not is_hashed_id(screen_name):
        return "@" + one_line(screen_name)
    value = screen_name or userid
    if not value:
        return "?"
    if is_hashed_id(value) and cut:
        return f"{value[:4]}…{value[-4:]}"
    return one_line(value)


def highlighted_text(hit: Hit, *, single_line: bool = True) -> Text:
    """The tweet text made terminal-safe, with the query's matches in bold yellow.

    Archived text becomes `Text` piece by piece, never markup, so `[bold]` in a tweet prints as written.
    `single_line` shows newlines as `⏎` (for table cells); otherwise the tweet keeps its lines.
    """
    safe = one_line if single_line else terminal_safe
    text = Text()
    position = 0
    for start, end in hit.highlights:
        text.append(safe(hit.text[position:start]))
        text.append(safe(hit.text[start:end]), style="bold yellow")
        position = end
    text.append(safe(hit.text[position:]))
    return text


def _count(value: int | None) -> str:
    """A count as shown: `?` when the release does not give it (an unknown is not a zero)."""
    return "?" if value is None else f"{value:,}"


MIN_TEXT_WIDTH = 40
"""Below this many columns left for the text, hits are shown one block per tweet instead of a table."""


@dataclasses.dataclass(frozen=True)
class HitList:
    """Matching tweets laid out for the width they are printed at: a table with the text in a column when the
    text gets at least `MIN_TEXT_WIDTH` columns, else one block per tweet (a line of facts, then the text
    wrapped to the width), so a narrow terminal still shows every word."""

    result: SearchResult

    def title(self) -> Text:
        exact = "" if self.result.total_is_exact else "+"
        return Text(f"{self.result.total:,}{exact} tweets ({self.result.took_ms} ms)", style="italic")

    def rows(self) -> list[list[str]]:
        return [
            [
                one_line(hit.tweetid),
                hit.time.strftime("%Y-%m-%d %H:%M") if hit.time else "?",
                account_label(hit.screen_name, hit.userid),
                one_line(hit.language or ""),
                one_line(hit.campaign),
                _count(hit.retweet_count),
                _count(hit.like_count),
            ]
            for hit in self.result.hits
        ]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = self.rows()
        headers = ["tweet id", "time (UTC)", "account", "lang", "campaign", "RTs", "likes"]
        widths = [max([len(header), *(Text(row[i]).cell_len for row in rows)]) for i, header in enumerate(headers)]
        # Each column of the boxed table costs its width, two cells of padding and a rule.
        if sum(widths) + 3 * (len(headers) + 1) + 1 + MIN_TEXT_WIDTH <= options.max_width:
            yield self.table(headers, rows)
        else:
            yield from self.blocks(console, options, rows)

    def table(self, headers: list[str], rows: list[list[str]]) -> Table:
        table = Table(title=self.title(), title_justify="left", expand=True)
        for header in headers:
            table.add_column(header, no_wrap=True, justify="right" if header in ("RTs", "likes") else "left")
        table.add_column("text", ratio=1, min_width=MIN_TEXT_WIDTH, overflow="fold")
        for hit, row in zip(self.result.hits, rows, strict=True):
            table.add_row(*(Text(cell) for cell in row), highlighted_text(hit))
        return table

    def blocks(self, console: Console, options: ConsoleOptions, rows: list[list[str]]) -> RenderResult:
        wrapped = options.update(no_wrap=False, overflow="fold")
        yield from console.render(self.title(), wrapped)
        for hit, (tweetid, when, account, language, campaign, retweets, likes) in zip(
            self.result.hits, rows, strict=True
        ):
            facts = [
                Text(tweetid, style="bold"),
                Text(f"{when} UTC" if hit.time else "time unknown"),
                Text(account, style="cyan"),
                Text(campaign),
                Text(language or "?"),
                Text(f"{retweets} RTs", style="dim"),
                Text(f"{likes} likes", style="dim"),
            ]
            yield Text("")
            yield from console.render(_fill(facts, options.max_width), wrapped)
            yield from console.render(highlighted_text(hit, single_line=False), wrapped)


def _fill(pieces: list[Text], width: int, gap: str = "  ") -> Text:
    """`pieces` joined by `gap`, a new line started only between pieces, so a fact is never cut in two."""
    filled = Text()
    length = 0
    for piece in pieces:
        if length and length + len(gap) + piece.cell_len > width:
            filled.append("\n")
            length = 0
        elif length:
            filled.append(gap)
            length += len(gap)
        filled.append_text(piece)
        length += piece.cell_len
    return filled


def render_hits(result: SearchResult) -> HitList:
    """Matching tweets as a table or, on a narrow terminal, one block per tweet (see `HitList`)."""
    return HitList(result)


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
        fields = output_fields(row_type)
        writer = csv.writer(sys.stdout)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([_csv_value(getattr(row, name)) for name in fields])
    sys.stdout.flush()


def _csv_value(value: Any) -> Any:
    """A CSV cell: lists joined with `|`, times in ISO 8601, booleans as `true`/`false` (as JSON writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def render_top(result: TopResult, width: int) -> Group:
    """Rank, value, tweets, share of matching tweets and a bar; then what the list leaves out."""
    from search_cli.charts import bar, value_label

    what = f'tweets matching "{one_line(result.query)}"' if result.query.strip() else "tweets"
    title = Text(f"top {result.field} among {result.tweets:,} {what}", style="italic")
    table = Table(title=title, title_justify="left")
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
    """Bars per interval, at most `max_rows` lines (longer series are grouped), titled with what was counted.

    A series split by campaign gets a column per campaign between the total and the bar, each line's
    campaign counts summed over the same intervals as its total (a line stands for `row.buckets` intervals).
    """
    from search_cli.charts import bar_table, fit_rows

    if not any(b.count for b in series.buckets):
        return f"no tweets match{'' if not series.tweets else ' with a time'}"
    # Labels are terminal-safe (a label may one day be an archived value), the title is never read as markup.
    shown = fit_rows([one_line(b.label) for b in series.buckets], [b.count for b in series.buckets], max_rows)
    what = f' matching "{one_line(series.query)}"' if series.query.strip() else ""
    span = f"{one_line(series.buckets[0].label)} to {one_line(series.buckets[-1].label)}"
    title = f"{series.tweets:,} tweets{what} per {series.interval}, {span} (UTC)"
    grouped = {row.buckets for row in shown if row.count}
    if len(shown) < len(series.buckets):
        size = max(grouped, default=1)
        title += f"; {size} {series.interval}s a line" if size > 1 else "; empty stretches folded"
    if series.without_time:
        title += f"; {series.without_time:,} without a time"
    parts: dict[str, list[int]] = {}
    if series.by is not None:
        title += f", by {series.by}"
        first = 0
        for row in shown:
            covered = series.buckets[first : first + row.buckets]
            first += row.buckets
            for name in series.campaigns:
                total = sum((bucket.campaigns or {}).get(name, 0) for bucket in covered)
                parts.setdefault(one_line(name), []).append(total)
    return bar_table(shown, width=width, title=escape(title), label_header=series.interval, parts=parts)
