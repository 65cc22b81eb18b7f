"""`tweetsearch export [QUERY] -o FILE`: every matching tweet, as CSV in the archive's columns or JSON lines."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import Annotated

import typer

from search.choices import ExportFormat
from search_cli.commands.search import QUERY_HELP
from search_cli.output import cli_errors, err, warn_query


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
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=10000, help="Tweets fetched per request.")] = 5000,
    keep_alive: Annotated[
        str, typer.Option("--keep-alive", help="How long the server keeps the export's view between two pages.")
    ] = "2m",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON (on stderr when the data goes to stdout).")
    ] = False,
) -> None:
    """Export every tweet the query matches, oldest first: CSV in the archive's own columns, or JSON lines.

    The CSV loads again with `tweetsearch index`, which takes the campaign from the file name (ira_tweets_x.csv).

    The file appears only once complete, its rows equal to the search's exact total; an existing one is replaced.
    """
    from common.connection import connect
    from search.export import export_format_for, export_to_file, export_tweets

    settings = ctx.obj
    to_stdout = output == "-"
    with cli_errors(settings):
        fmt = export_format_for(output, output_format)
        warn_query(settings, query)
        es = connect(settings)
        with _ProgressBar(enabled=not (to_stdout and sys.stdout.isatty())) as report:
            if to_stdout:
                summary = export_tweets(
                    es, settings.alias, query, sys.stdout.buffer, fmt=fmt, page_size=page_size,
                    with_campaign=with_campaign, keep_alive=keep_alive, on_progress=report,
                )  # fmt: skip
            else:
                summary = export_to_file(
                    es, settings.alias, query, Path(output), fmt=fmt, page_size=page_size,
                    with_campaign=with_campaign, keep_alive=keep_alive, on_progress=report,
                )  # fmt: skip
    if as_json:
        from search_cli.render import print_json, to_json

        if to_stdout:
            sys.stderr.buffer.write(to_json(summary, pretty=False) + b"\n")
            sys.stderr.flush()
        else:
            print_json(summary)
    else:
        where = "stdout" if to_stdout else output
        err.print(
            f"exported {summary.rows:,} tweets ({summary.format}) to {where} in {summary.seconds:,.1f} s", markup=False
        )
    if not summary.pit_closed:
        err.print(
            f"warning: the server's point in time could not be closed; it lapses by itself after {keep_alive}",
            markup=False,
        )


class _ProgressBar:
    """A bar of rows written out of the total on a terminal's stderr; nothing when stderr is not a terminal."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled

    def __enter__(self):
        self.live = None
        if self.enabled and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.live = Progress(
                TextColumn("exporting"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            self.live.start()
            self.task = self.live.add_task("export", total=None)
        return self.report

    def report(self, rows: int, total: int) -> None:
        if self.live is not None:
            self.live.update(self.task, completed=rows, total=total)

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.live is not None:
            self.live.stop()
