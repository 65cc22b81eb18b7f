"""`tweetsearch network [QUERY] --out FILE`: a network of accounts as a file for Gephi and other tools."""

from __future__ import annotations

from typing import Annotated

import typer

from search.choices import DEFAULT_MIN_REPEATS, DEFAULT_WINDOW, NETWORK_FORMATS, NETWORK_KINDS
from search_cli.commands.coordination import BY_HELP, BY_METAVAR, REPEATS_HELP, WINDOW_HELP
from search_cli.commands.top import QUERY_HELP
from search_cli.output import RawCells, cli_errors, emit, err, warn_query

KIND_HELP = (
    f"Which network ({', '.join(NETWORK_KINDS)}): accounts that co-acted (with --by, --window, --min-repeats), or "
    "who retweeted, mentioned or replied to whom."
)


def network(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help=QUERY_HELP, show_default=False)] = "",
    target: Annotated[
        str, typer.Option("--out", "-o", help="The file: FILE.gexf, FILE.graphml or FILE.csv; - for standard output.")
    ] = ...,  # type: ignore[assignment]
    kind: Annotated[
        str, typer.Option("--kind", "-k", metavar=f"<{'|'.join(NETWORK_KINDS)}>", help=KIND_HELP)
    ] = "coordination",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar=f"<{'|'.join(NETWORK_FORMATS)}>",
            help=f"{', '.join(NETWORK_FORMATS)}, when the file's name does not say it.",
        ),
    ] = None,
    by: Annotated[str, typer.Option("--by", metavar=BY_METAVAR, help=BY_HELP)] = "text",
    window: Annotated[str, typer.Option("--window", "-w", help=WINDOW_HELP)] = DEFAULT_WINDOW,
    min_repeats: Annotated[int, typer.Option("--min-repeats", "-r", help=REPEATS_HELP)] = DEFAULT_MIN_REPEATS,
    as_json: Annotated[bool, typer.Option("--json", help="Say what was written as JSON.")] = False,
    raw_cells: RawCells = False,
) -> None:
    """Writes the network of accounts among the tweets matching QUERY: nodes are accounts (screen name,
    campaign, matching tweets), edges are weighted by co-actions (undirected) or by retweets, mentions or
    replies (directed). GEXF and GraphML keep the node attributes; CSV is the edge list with both ends' names,
    a userid, name or campaign a spreadsheet would run as a formula starting with ' unless --raw-cells.

    The file is written whole or not at all. Exits 2 for an unknown kind, format or --by, a bad window or
    query; 1 when the file cannot be written; 4 when the server's answer was incomplete.
    """
    from common.connection import connect
    from search.network import network_format, network_to_file
    from search_cli.render.coordination import render_network_summary

    settings = ctx.obj
    with cli_errors(settings):
        network_format(target, fmt)  # a bad name is refused before any work
        warn_query(settings, query)
        summary = network_to_file(
            connect(settings), settings.alias, query, target, kind=kind, fmt=fmt, by=by, window=window,
            min_repeats=min_repeats, raw_cells=raw_cells,
        )  # fmt: skip
        if target == "-":
            err.print(render_network_summary(summary))
        else:
            emit(summary, as_json=as_json, render=render_network_summary)
