"""Drawing for the counting commands: bars in the terminal and pictures on disk (`timeline`, `top`), and the
count tables and tweet lines `top`, `url` and `account` share.

Terminal bars are unicode blocks with eighth-cell precision, so they need nothing but a font. A long series
is shortened for the screen (`fit_rows`): runs of empty intervals become one row, then neighbouring intervals
are summed in equal groups. PNG plots need matplotlib, an optional extra: without it `require_matplotlib`
raises one clear line naming the install command, before any search is made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from indexer.errors import TweetsearchError

if TYPE_CHECKING:
    from search_cli.aggregate import Count, Timeline
    from search_cli.search import Hit

EIGHTHS = " ▏▎▍▌▋▊▉█"
MIN_EMPTY_RUN = 3
"""Empty intervals in a row that are folded into one line: two zeros between peaks still read as a dip."""
PLOT_INSTALL = "pip install 'tweetsearch[plot]'"


class PlotUnavailable(TweetsearchError):
    """Raised when a plot is asked for and matplotlib is not installed (or cannot write the file)."""

    exit_code = 1


@dataclass(frozen=True)
class Row:
    """One line of a terminal chart: a bucket, a run of empty buckets or a group of summed buckets."""

    label: str
    count: int
    buckets: int = 1


def bar(value: float, maximum: float, width: int) -> str:
    """`value` as a bar of at most `width` cells against `maximum`; any non-zero value shows at least ▏."""
    if value <= 0 or maximum <= 0 or width <= 0:
        return ""
    eighths = max(1, round(8 * width * min(value, maximum) / maximum))
    full, rest = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[rest] if rest else "")


def fit_rows(labels: list[str], counts: list[int], max_rows: int) -> list[Row]:
    """The series as at most `max_rows` rows (0: no limit), keeping its shape.

    First every run of `MIN_EMPTY_RUN` or more empty buckets becomes one row (`a … b`, count 0); if that is
    still too long, consecutive buckets are summed in groups of equal size (the last group may be shorter).
    """
    rows = [Row(label, count) for label, count in zip(labels, counts, strict=True)]
    if max_rows <= 0 or len(rows) <= max_rows:
        return rows
    folded: list[Row] = []
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j].count == 0:
            j += 1
        if j - i >= MIN_EMPTY_RUN:
            folded.append(Row(f"{rows[i].label} … {rows[j - 1].label}", 0, j - i))
            i = j
        else:
            folded.append(rows[i])
            i += 1
    if len(folded) <= max_rows:
        return folded
    size = math.ceil(len(rows) / max_rows)
    groups = [rows[k : k + size] for k in range(0, len(rows), size)]
    return [
        Row(f"{group[0].label} … {group[-1].label}", sum(row.count for row in group), len(group)) for group in groups
    ]


def bar_table(
    rows: list[Row],
    *,
    width: int,
    title: str,
    label_header: str,
    count_header: str = "tweets",
    parts: dict[str, list[int]] | None = None,
) -> Table:
    """A rich table: label, count and a bar sized to fit `width` terminal columns.

    `parts` are more count columns between the count and the bar (header: one count per row), for a series
    split by campaign; the bar keeps the row's total.
    """
    parts = parts or {}
    label_width = max([len(label_header), *(len(row.label) for row in rows)])
    count_width = max([len(count_header), *(len(f"{row.count:,}") for row in rows)])
    parts_width = sum(max([len(name), *(len(f"{n:,}") for n in counts)]) + 2 for name, counts in parts.items())
    bar_width = max(10, width - label_width - count_width - parts_width - 6)
    peak = max((row.count for row in rows), default=0)
    table = Table(title=title, title_justify="left", box=None, pad_edge=False)
    table.add_column(label_header, no_wrap=True)
    table.add_column(count_header, justify="right", no_wrap=True)
    for name in parts:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, overflow="crop")
    for index, row in enumerate(rows):
        style = "bold" if row.count == peak and peak else None
        shown = Text(f"{row.count:,}", style=style) if row.count else Text("0", style="dim")
        table.add_row(
            Text(row.label, style="dim" if not row.count else None),
            shown,
            *(Text(f"{counts[index]:,}", style=None if counts[index] else "dim") for counts in parts.values()),
            Text(bar(row.count, peak, bar_width), style="cyan"),
        )
    return table


def value_label(count: Count) -> Text:
    """An account as `@name (userid)` (the id alone, without `@`, when the name is the hashed id), other values
    as they are; terminal-safe, and never read as markup."""
    from search_cli.safe_text import one_line

    if count.screen_name is None or count.screen_name == count.value:
        return Text(one_line(count.value))
    from search_cli.render import account_label

    return Text(f"{account_label(count.screen_name, None, cut=False)} ({one_line(count.value)})")


def counts_table(title: str, header: str, counts: list[Count]) -> Table:
    """Value, tweets and share of tweets, one row per count."""
    table = Table(title=title, title_justify="left")
    table.add_column(header, overflow="fold")
    table.add_column("tweets", justify="right")
    table.add_column("share", justify="right")
    for count in counts:
        table.add_row(value_label(count), f"{count.count:,}", f"{count.percent:.1f}%")
    return table


def plural(count: int, noun: str) -> str:
    """`1 tweet`, `2,345 tweets`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def tweet_line(hit: Hit | None) -> Text:
    """`time  @account  campaign  tweet id: text` for one tweet; terminal-safe, and never read as markup."""
    from search_cli.render import account_label
    from search_cli.safe_text import one_line

    if hit is None:
        return Text("?")
    when = hit.time.strftime("%Y-%m-%d %H:%M UTC") if hit.time else "time unknown"
    account = account_label(hit.screen_name, hit.userid, cut=False)
    return Text(f"{when}  {account}  {one_line(hit.campaign)}  tweet {one_line(hit.tweetid)}: {one_line(hit.text)}")


def require_matplotlib() -> None:
    """Fails with the install command when matplotlib is missing, so no search is made in vain."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise PlotUnavailable(f"--plot needs matplotlib, which is not installed; install with {PLOT_INSTALL}") from None


def write_plot(series: Timeline, path: Path) -> Path:
    """Draws the timeline as a bar chart (UTC dates on the x axis) into `path`; the format follows the suffix."""
    require_matplotlib()
    import matplotlib

    from search_cli.aggregate import INTERVAL_DAYS

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    starts = [bucket.start for bucket in series.buckets]
    counts = [bucket.count for bucket in series.buckets]
    days = INTERVAL_DAYS[series.interval]
    figure, axes = plt.subplots(figsize=(12, 4.5), dpi=100)
    try:
        axes.bar(starts, counts, width=timedelta(days=days * 0.85), align="edge", color="#3b75af")
        what = f'"{series.query}"' if series.query.strip() else "all tweets"
        axes.set_title(f"{what}: {series.tweets:,} tweets per {series.interval} (UTC)", loc="left")
        axes.set_ylabel("tweets")
        axes.grid(axis="y", alpha=0.3)
        figure.autofmt_xdate()
        figure.tight_layout()
        figure.savefig(path)
    except OSError as exc:
        raise PlotUnavailable(f"cannot write the plot to {path}: {exc.strerror or exc}") from None
    finally:
        plt.close(figure)
    return path
