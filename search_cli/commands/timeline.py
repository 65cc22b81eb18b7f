"""`tweetsearch timeline [QUERY]`: matching tweets per day, week, month or year, drawn as bars or a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from search_cli.commands.top import QUERY_HELP
from search_cli.output import cli_errors, err, out, output_format, warn_query


def timeline(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help=QUERY_HELP, show_default=False)] = "",
    interval: Annotated[
        str, typer.Option("--interval", "-i", help="day, week (from Monday), month or year.")
    ] = "month",
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", help="Also draw the timeline into this picture (FILE.png; needs matplotlib).", dir_okay=False
        ),
    ] = None,
    rows: Annotated[
        int, typer.Option("--rows", min=0, help="Most lines drawn in the terminal (longer series are grouped); 0: all.")
    ] = 60,
    fmt: Annotated[
        str, typer.Option("--format", help="table, json, jsonl or csv (every interval, never grouped).")
    ] = "table",
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """How many matching tweets there are per interval (UTC), empty intervals included as zeros.

    The series runs from the first to the last interval with tweets, or over the query's since:/until:.
    In the terminal, runs of empty intervals fold into one line and a series longer than --rows is summed in
    equal groups. Exits 2 for a bad interval or query, 1 when --plot cannot be drawn (matplotlib missing).
    """
    from indexer.connection import connect
    from search_cli.aggregate import Bucket
    from search_cli.aggregate import timeline as tweets_per_interval
    from search_cli.charts import require_matplotlib, write_plot
    from search_cli.search import PartialResults

    settings = ctx.obj
    with cli_errors(settings):
        chosen = output_format(fmt, as_json)
        warn_query(settings, query)
        if plot is not None:
            require_matplotlib()
        series = tweets_per_interval(connect(settings), settings.alias, query, interval=interval)
        if chosen == "table":
            from search_cli.render import render_timeline

            out.print(render_timeline(series, rows, out.width))
        elif chosen == "json":
            from search_cli.render import print_json

            print_json(series)
        else:
            from search_cli.render import write_rows

            write_rows(series.buckets, chosen, total=series.tweets, row_type=Bucket)
        if plot is not None:
            write_plot(series, plot)
            err.print(f"wrote {plot} ({len(series.buckets):,} {interval}s)", markup=False)
        if series.partial_reason:
            raise PartialResults(series.partial_reason)
