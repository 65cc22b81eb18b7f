"""`tweetsearch export [QUERY] -o FILE`: every matching tweet, as CSV in the archive's columns or JSON lines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from search.choices import ExportFormat
from search_cli.commands.search import QUERY_HELP
from search_cli.output import RawCells, cli_errors, err, warn_query


def export(
    ctx: typer.Context,
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="File to write (.csv or .jsonl, optionally .gz); - writes to stdout."),
    ],
    query: Annotated[str, typer.Argument(help=QUERY_HELP + " Leave out to export every tweet.")] = "",
    output_format: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="File format [default: from the file's extension; csv on stdout]."),
    ] = None,
    with_campaign: Annotated[
        bool, typer.Option("--with-campaign", help="CSV: add a leading campaign column (not an archive column).")
    ] = False,
    raw_cells: RawCells = False,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=10000, help="Tweets fetched per request.")] = 5000,
    keep_alive: Annotated[
        str, typer.Option("--keep-alive", help="How long the server keeps the export's view between two pages.")
    ] = "2m",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON (on stderr when the data goes to stdout).")
    ] = False,
) -> None:
    """Export every tweet the query matches, oldest first: CSV in the archive's own columns, or JSON lines.

    The CSV is made safe to open in a spreadsheet: a cell that would run as a formula starts with '. With
    --raw-cells it holds the archive's bytes unchanged (unsafe to open in a spreadsheet) and loads again with
    `tweetsearch index` as the same tweets, which takes the campaign from the file name (ira_tweets_x.csv).

    The file appears only once complete, its rows equal to the search's exact total; an existing one is replaced.
    """
    from common.connection import connect
    from search.export import export_format_for, export_to_file, export_tweets
    from search_cli.render.progress import export_bar
    from search_cli.render.written import exported_line, unclosed_view_line

    settings = ctx.obj
    to_stdout = output == "-"
    with cli_errors(settings):
        fmt = export_format_for(output, output_format)
        warn_query(settings, query)
        es = connect(settings)
        # Data going to a terminal's stdout would be torn by a bar redrawn beside it.
        with export_bar(enabled=not (to_stdout and sys.stdout.isatty())) as bar:
            if to_stdout:
                summary = export_tweets(
                    es, settings.alias, query, sys.stdout.buffer, fmt=fmt, page_size=page_size,
                    with_campaign=with_campaign, raw_cells=raw_cells, keep_alive=keep_alive, on_progress=bar.update,
                )  # fmt: skip
            else:
                summary = export_to_file(
                    es, settings.alias, query, Path(output), fmt=fmt, page_size=page_size,
                    with_campaign=with_campaign, raw_cells=raw_cells, keep_alive=keep_alive, on_progress=bar.update,
                )  # fmt: skip
    if as_json:
        from search_cli.render.data import print_json, to_json

        if to_stdout:
            sys.stderr.buffer.write(to_json(summary, pretty=False) + b"\n")
            sys.stderr.flush()
        else:
            print_json(summary)
    else:
        err.print(exported_line(summary, "stdout" if to_stdout else output))
    if not summary.pit_closed:
        err.print(unclosed_view_line(keep_alive))
