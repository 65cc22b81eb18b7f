"""`tweetsearch timeline [QUERY]`: matching tweets per day, week, month or year, drawn as bars or a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from search.choices import Interval, OutputFormat, Split
from search_cli.commands.top import QUERY_HELP
from search_cli.output import cli_errors, err, out, output_format, warn_query


def timeline(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help=QUERY_HELP, show_default=False)] = "",
    interval: Annotated[
        Interval, typer.Option("--interval", "-i", help="Length of each interval (a week starts on Monday).")
    ] = "month",
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", help="Also draw the timeline into this picture (FILE.png; needs matplotlib).", dir_okay=False
        ),
    ] = None,
    by: Annotated[
        Split | None,
        typer.Option("--by", help="Also count each interval per campaign: a column, series and colour for each."),
    ] = None,
    rows: Annotated[
        int, typer.Option("--rows", min=0, help="Most lines drawn in the terminal (longer series are grouped); 0: all.")
    ] = 60,
    fmt: Annotated[
        OutputFormat | None,
        typer.Option("--format", help="Output format; every interval, never grouped [default: table]."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """How many matching tweets there are per interval (UTC), empty intervals included as zeros.

    The series runs from the first to the last interval with tweets, or over the query's since:/until:.
    In the terminal, runs of empty intervals fold into one line and a series longer than --rows is summed in
    equal groups. Exits 2 for a bad interval or query, 1 when --plot cannot be drawn (matplotlib missing).

    --by campaign adds each interval's tweets per campaign: a column per campaign in the terminal, a
    `campaigns` object per interval in JSON and JSON lines, and in CSV one row per interval with, after
    start,label,count, one column per campaign named campaign:NAME (they add up to count); the picture
    stacks the campaigns' bars, with a legend.

    The picture is titled with the query as typed and carries a source line (index, alias, campaigns,
    date). When no tweet falls in any interval, no picture is written (an existing file is left alone) and
    stderr says so; that is an answer, not an error: exit 0.
    """
    from common.connection import connect
    from common.errors import PartialResults
    from search.aggregate import timeline as tweets_per_interval
    from search_cli.render.charts import nothing_to_draw, require_matplotlib, write_plot
    from search_cli.render.counts import render_timeline
    from search_cli.render.data import print_json, write_series_rows

    settings = ctx.obj
    with cli_errors(settings):
        chosen = output_format(fmt, as_json)
        warn_query(settings, query)
        if plot is not None:
            require_matplotlib()
        series = tweets_per_interval(connect(settings), settings.alias, query, interval=interval, by=by)
        if chosen == "table":
            out.print(render_timeline(series, rows, out.width))
        elif chosen == "json":
            print_json(series)
        else:
            write_series_rows(series, chosen)
        if plot is not None:
            if (reason := nothing_to_draw(series)) is not None:
                err.print(reason, markup=False)
            else:
                write_plot(series, plot)
                err.print(f"wrote {plot} ({len(series.buckets):,} {interval}s)", markup=False)
        if series.partial_reason:
            raise PartialResults(series.partial_reason)
