"""The counting commands in the terminal: `top`'s ranked values and `timeline`'s bars per interval."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from search.safe_text import one_line
from search_cli.render.charts import bar, bar_table, fit_rows
from search_cli.render.shared import plural, value_label

if TYPE_CHECKING:
    from search.aggregate import Timeline, TopResult


def render_top(result: TopResult, width: int) -> Group:
    """Rank, value, tweets, share of matching tweets and a bar; then what the list leaves out.

    On a narrow terminal the numbers keep their width and the value the rest: the bar shrinks first and goes
    when too little room is left for it (at 40 columns a value of 1 character and counts shown as … said nothing).
    """
    what = f'tweets matching "{one_line(result.query)}"' if result.query.strip() else "tweets"
    title = Text(f"top {result.field} among {result.tweets:,} {what}", style="italic")
    counts = [f"{count.count:,}" + (f" (+≤{count.error:,})" if count.error else "") for count in result.counts]
    shares = [f"{count.percent:.1f}%" for count in result.counts]
    labels = [value_label(count) for count in result.counts]
    numbers = [
        max(len(str(len(result.counts))), 1),
        max([len("tweets"), *map(len, counts)]),
        max([len("share"), *map(len, shares)]),
    ]
    # Each column has a space either side and a border after it, plus the border before the first.
    room = width - sum(numbers) - 3 * 5 - 1
    longest = max([len(result.field), *(len(str(label)) for label in labels)])
    bar_width = min(BAR_WIDTH, room - min(longest, VALUE_ROOM))
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right", style="dim", no_wrap=True, min_width=numbers[0])
    table.add_column(result.field.removesuffix("s"), overflow="fold")
    table.add_column("tweets", justify="right", no_wrap=True, min_width=numbers[1])
    table.add_column("share", justify="right", no_wrap=True, min_width=numbers[2])
    if bar_width >= MIN_BAR_WIDTH:
        table.add_column("", no_wrap=True, overflow="crop", width=bar_width)
    peak = max((count.percent for count in result.counts), default=0.0)
    for rank, (count, label, shown, share) in enumerate(zip(result.counts, labels, counts, shares, strict=True), 1):
        cells = [str(rank), label, shown, share]
        if bar_width >= MIN_BAR_WIDTH:
            cells.append(Text(bar(count.percent, peak, bar_width), "cyan"))
        table.add_row(*cells)
    notes = [Text(line, style="dim") for line in top_notes(result)]
    return Group(table, *notes)


BAR_WIDTH = 20
"""The bar's width when the terminal has room for it beside the value."""
MIN_BAR_WIDTH = 5
"""Below this a bar shows no difference worth its room: it is left out, and the share says it in numbers."""
VALUE_ROOM = 24
"""How much of the value is kept beside the bar before the bar gives up its room to it."""


def top_notes(result: TopResult) -> list[str]:
    """What a top list leaves out, and how exact its counts are."""
    distinct = f"{'' if result.distinct_exact else 'about '}{result.distinct:,} different {result.field}"
    notes = [
        f"{distinct}; "
        + (f"{result.without_value:,} of the tweets have none" if result.without_value else "every tweet has one")
    ]
    if result.other:
        notes.append(f"{plural(result.other, 'more occurrence')} of values not listed (use --limit)")
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
    if not any(b.count for b in series.buckets):
        return f"no tweets match{'' if not series.tweets else ' with a time'}"
    # Labels are terminal-safe (a label may one day be an archived value), the title is never read as markup.
    from search.aggregate import last_day_label

    ends = [one_line(last_day_label(b, series.interval)) for b in series.buckets]
    shown = fit_rows([one_line(b.label) for b in series.buckets], [b.count for b in series.buckets], max_rows, ends)
    what = f' matching "{one_line(series.query)}"' if series.query.strip() else ""
    span = f"{one_line(series.buckets[0].label)} to {ends[-1]}"
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
