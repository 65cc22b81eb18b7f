"""Drawing for the counting commands: bars in the terminal and pictures on disk (`timeline`, `top`).

Terminal bars are unicode blocks with eighth-cell precision, so they need nothing but a font. A long series
is shortened for the screen (`fit_rows`): runs of empty intervals become one row, then neighbouring intervals
are summed in equal groups. PNG plots need matplotlib, an optional extra: without it `require_matplotlib`
raises one clear line naming the install command, before any search is made.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from common.errors import PlotUnavailable
from search.safe_text import BIDI_CONTROLS
from search_cli.render.shared import plural

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from search.aggregate import Timeline

EIGHTHS = " ▏▎▍▌▋▊▉█"
MIN_EMPTY_RUN = 3
"""Empty intervals in a row that are folded into one line: two zeros between peaks still read as a dip."""
PLOT_INSTALL = "pip install 'tweetsearch[plot]'"
SOURCE = "Twitter information operations archive"
"""How a picture's source line names the data: the archives Twitter published of state-backed operations."""
MAX_SERIES = 10
"""Most series a split picture stacks: beyond it, colours stop telling them apart; the smaller are summed."""
MAX_TICKS = 24
"""Most interval labels under a picture; a longer series labels every n-th bar."""
TITLE_WIDTH = 100
FOOTER_WIDTH = 170
"""Characters per line of the title and the footer before they wrap (a picture 12 inches wide)."""
INTERVAL_AXES = {
    "day": "day (UTC)",
    "week": "week (from Monday, UTC)",
    "month": "month (UTC)",
    "year": "year (UTC)",
}
TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]
"""matplotlib's tab10 without its grey, which is kept for the summed "other" series."""
OTHER_COLOUR = "#7f7f7f"
_PLOT_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}\u2028\u2029]")


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


def fit_rows(labels: list[str], counts: list[int], max_rows: int, ends: list[str] | None = None) -> list[Row]:
    """The series as at most `max_rows` rows (0: no limit), keeping its shape.

    First every run of `MIN_EMPTY_RUN` or more empty buckets becomes one row (`a … b`, count 0); if that is
    still too long, consecutive buckets are summed in groups of equal size (the last group may be shorter).
    `ends`: each bucket's last day as a label, where its label is its first (a week's `2013-09-30` would read as
    a range's end when it is the start of the range's last week); a row of several buckets ends with it.
    """
    last = ends or labels
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
            folded.append(Row(f"{rows[i].label} … {last[j - 1]}", 0, j - i))
            i = j
        else:
            folded.append(rows[i])
            i += 1
    if len(folded) <= max_rows:
        return folded
    size = math.ceil(len(rows) / max_rows)
    return [
        Row(f"{rows[k].label} … {last[min(k + size, len(rows)) - 1]}", sum(row.count for row in rows[k : k + size]),
            len(rows[k : k + size]))
        for k in range(0, len(rows), size)
    ]  # fmt: skip


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
        table.add_column(Text(name), justify="right", no_wrap=True)
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


def require_matplotlib() -> None:
    """Fails with the install command when matplotlib is missing, so no search is made in vain."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise PlotUnavailable(f"--plot needs matplotlib, which is not installed; install with {PLOT_INSTALL}") from None


def nothing_to_draw(series: Timeline) -> str | None:
    """Why the series makes no picture (no tweet in any interval), or None when it does: an empty chart could
    be published as "no activity", which is a different claim from "nothing matched the query"."""
    if any(bucket.count for bucket in series.buckets):
        return None
    if series.tweets:
        return f"none of the {plural(series.tweets, 'matching tweet')} has a time: no picture written"
    return "no tweets match: no picture written"


def plot_text(text: str) -> str:
    """Archived or typed text for a picture: control characters shown as `<U+001B>` (the plot fonts have no
    control pictures), newlines as ⏎, tabs as a space. Math markup is not escaped here: every text the
    plots draw is made with `parse_math=False`, so `$x$` stays `$x$`."""
    return _PLOT_UNSAFE.sub(_plot_visible, text.replace("\r\n", "\n"))


def source_line(series: Timeline, made_on: date) -> str:
    """What a published picture must carry: where the counts come from (index, alias, campaigns) and when."""
    indices = series.indices or [series.alias]
    where = f"{'index' if len(indices) == 1 else 'indices'} {', '.join(indices)}"
    if indices != [series.alias]:
        where += f" via alias {series.alias}"
    names = list(series.campaigns)
    campaigns = ", ".join(names) if names else "none"
    return plot_text(
        f"Source: {SOURCE}, {where}; {'campaign' if len(names) == 1 else 'campaigns'}: {campaigns}; "
        f"made with tweetsearch on {made_on.isoformat()}"
    )


def timeline_figure(series: Timeline, *, made_on: date) -> Figure:
    """The timeline as a publishable bar chart: data in, a matplotlib Figure out (Agg, no pyplot state).

    One bar per interval, labelled with the interval's start as the terminal shows it; split by campaign,
    the bars are stacked per campaign (the `MAX_SERIES - 1` largest, the rest summed as one series
    the legend names), so a bar's height stays the interval's total. Counts get integer ticks. The title
    holds the query as typed, between curly quotes; under the chart a footer names the source
    (`source_line`), the tweets without a time and, for an incomplete answer, that it is incomplete.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    notes = [textwrap.fill(source_line(series, made_on), FOOTER_WIDTH)]
    if series.without_time:
        notes.append(f"{plural(series.without_time, 'matching tweet')} without a time are not shown.")
    if series.partial_reason:
        notes.append(plot_text(f"INCOMPLETE: the server answered only in part ({series.partial_reason})."))
    footer = "\n".join(notes)
    height = 5.5
    # The footer sits under everything the layout places: its lines (8 pt, spaced 1.4) are kept out of it.
    reserved = (footer.count("\n") + 1) * 8 * 1.4 / 72 / height + 0.02
    figure = Figure(figsize=(12, height), dpi=100)
    figure.set_layout_engine(ConstrainedLayoutEngine(rect=(0, reserved, 1, 1 - reserved)))
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    labels = [bucket.label for bucket in series.buckets]
    positions = list(range(len(labels)))
    peak = max((bucket.count for bucket in series.buckets), default=0)
    stacks, other = _stacks(series)
    if stacks:
        bottom = [0] * len(positions)
        for (name, counts), color in zip(stacks, _colours(len(stacks), other=other), strict=True):
            axes.bar(positions, counts, bottom=bottom, width=0.85, color=color, label=name)
            bottom = [low + count for low, count in zip(bottom, counts, strict=True)]
        legend = figure.legend(
            loc="outside right upper", title=f"{series.by} (tweets)", frameon=False, fontsize=9, title_fontsize=9
        )
        for text in [*legend.get_texts(), legend.get_title()]:
            text.set_parse_math(False)
            text.set_usetex(False)
    else:
        axes.bar(positions, [bucket.count for bucket in series.buckets], width=0.85, color="#3b75af")
    axes.set_xlim(-0.6, len(positions) - 0.4)
    axes.set_ylim(0, max(peak, 1) * 1.08)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ticks = _tick_positions(series)
    axes.set_xticks(ticks, [plot_text(labels[i]) for i in ticks])
    if any(len(label) > 4 for label in labels):  # dates slant, years stand
        axes.tick_params(axis="x", labelrotation=45)
        for tick in axes.get_xticklabels():
            tick.set_horizontalalignment("right")
    axes.set_xlabel(INTERVAL_AXES[series.interval])
    axes.set_ylabel(f"tweets per {series.interval} (UTC)")
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    quoted = f"\u201c{plot_text(series.query)}\u201d"
    what = textwrap.fill(quoted, TITLE_WIDTH, drop_whitespace=False) if series.query.strip() else "all tweets"
    span = f"{labels[0]} to {labels[-1]}" if labels else "no intervals"
    split = f", by {series.by}" if series.by else ""
    axes.set_title(
        f"{what}\n{plural(series.tweets, 'tweet')}, counted per {series.interval}{split}, {span} (UTC)",
        loc="left",
        parse_math=False,
        usetex=False,
    )
    figure.text(
        0.01,
        0.01,
        footer,
        ha="left",
        va="bottom",
        linespacing=1.4,
        fontsize=8,
        color="#b00000" if series.partial_reason else "#444444",
        parse_math=False,
        usetex=False,
    )
    return figure


def write_plot(series: Timeline, path: Path, *, made_on: date | None = None) -> Path:
    """Saves `timeline_figure` into `path` (format from the suffix, PNG without one), through a temporary file
    beside it, so a failed write never leaves half a picture or spoils one that was there."""
    require_matplotlib()
    figure = timeline_figure(series, made_on=made_on or datetime.now(UTC).date())
    kind = path.suffix.lower().removeprefix(".") or "png"
    if kind not in figure.canvas.get_supported_filetypes():
        raise PlotUnavailable(f"cannot draw a .{kind} picture; use .png, .svg or .pdf")
    partial = path.with_name(f".{path.name}.partial")
    try:
        figure.savefig(partial, format=kind)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise PlotUnavailable(f"cannot write the plot to {path}: {exc.strerror or exc}") from None
    return path


def _stacks(series: Timeline) -> tuple[list[tuple[str, list[int]]], bool]:
    """The per-campaign series to stack, largest first, each labelled with its total; beyond `MAX_SERIES` the
    smaller ones are summed into one, last, named with how many it holds (then the flag is True)."""
    if series.by is None:
        return [], False
    names = list(series.campaigns)
    counts = {name: [(bucket.campaigns or {}).get(name, 0) for bucket in series.buckets] for name in names}
    names = [name for name in names if any(counts[name])]
    if len(names) > MAX_SERIES:
        kept, rest = names[: MAX_SERIES - 1], names[MAX_SERIES - 1 :]
        summed = [sum(values) for values in zip(*(counts[name] for name in rest), strict=True)]
        stacks = [(name, counts[name]) for name in kept]
        stacks.append((f"{len(rest)} other {series.by}s", summed))
    else:
        stacks = [(name, counts[name]) for name in names]
    labelled = [(f"{plot_text(name)} ({sum(values):,})", values) for name, values in stacks]
    return labelled, len(names) > MAX_SERIES


def _tick_positions(series: Timeline) -> list[int]:
    """Which bars get a label: all when they fit (`MAX_TICKS`), else every n-th, n a calendar step (months in
    quarters, halves or years, years in 2, 5, 10...) and the labelled bars on its multiples (Januaries,
    years ending in 0), so the labels read like a calendar rather than an arbitrary stride."""
    buckets = series.buckets
    steps = {"month": [1, 2, 3, 6, 12, 24, 60, 120], "year": [1, 2, 5, 10, 20, 50, 100]}.get(
        series.interval, [1, 2, 7, 14, 28, 91, 182, 364, 728, 1820]
    )
    step = next((n for n in steps if len(buckets) / n <= MAX_TICKS), math.ceil(len(buckets) / MAX_TICKS))
    if series.interval == "month":
        aligned = [i for i, b in enumerate(buckets) if (b.start.year * 12 + b.start.month - 1) % step == 0]
    elif series.interval == "year":
        aligned = [i for i, b in enumerate(buckets) if b.start.year % step == 0]
    else:
        aligned = list(range(0, len(buckets), step))
    return aligned or [0]


def _colours(count: int, *, other: bool) -> list[str]:
    """Distinct colours for stacked series (at most `MAX_SERIES`); the summed "other" series, last, is grey."""
    if other:
        return [*TAB10[: count - 1], OTHER_COLOUR]
    return [*TAB10, OTHER_COLOUR][:count]


def _plot_visible(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n":
        return "\u23ce "
    if char == "\t":
        return " "
    return f"<U+{ord(char):04X}>"
