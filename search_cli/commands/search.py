"""`tweetsearch search QUERY`: matching tweets, newest or most relevant first, or just the exact count."""

from __future__ import annotations

from typing import Annotated

import typer

from search.choices import OutputFormat, SortOrder
from search_cli.output import RawCells, cli_errors, err, out, output_format, warn_query

QUERY_HELP = "The query, e.g. 'vote \"exact phrase\" #maga from:x lang:en -filter:retweets since:2016-01-01'."


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help=QUERY_HELP + " Required; '' (empty) matches every tweet.")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10000, help="How many tweets to show.")] = 20,
    sort: Annotated[SortOrder, typer.Option("--sort", help="Newest or oldest first, or most relevant.")] = "newest",
    count: Annotated[bool, typer.Option("--count", help="Print only the exact number of matching tweets.")] = False,
    fmt_asked: Annotated[OutputFormat | None, typer.Option("--format", help="Output format [default: table].")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    raw_cells: RawCells = False,
    show_query: Annotated[
        bool, typer.Option("--explain", help="Also print, on stderr, how the query was read and what is sent.")
    ] = False,
) -> None:
    """Search tweets with the operators investigators know from Twitter's advanced search."""
    from common.connection import connect
    from common.errors import PartialResults
    from search.safe_text import one_line, terminal_safe
    from search.tweets import Hit, count_tweets, explain, search_tweets
    from search_cli.render.data import count_text, to_json, write_rows
    from search_cli.render.hits import render_hits

    settings = ctx.obj
    with cli_errors(settings):
        fmt = output_format(fmt_asked, as_json)
        es = connect(settings)
        if show_query:
            understood, body = explain(es, settings.alias, query)
            # What was typed may hold control characters, and JSON leaves C1 and bidi ones as they are.
            err.print(f"query: {one_line(understood)}", markup=False)
            err.print(terminal_safe(to_json(body).decode()), markup=False)
        warn_query(settings, query)
        if count:
            total = count_tweets(es, settings.alias, query)
            out.print(count_text(total, fmt), markup=False)
            return
        result = search_tweets(es, settings.alias, query, limit=limit, sort=sort)  # type: ignore[arg-type]
        if fmt == "table":
            out.print(render_hits(result))
        else:
            write_rows(result.hits, fmt, row_type=Hit, total=result.total, raw_cells=raw_cells)
        if result.partial_reason:
            raise PartialResults(result.partial_reason)
    if fmt == "table" and result.total > len(result.hits):
        err.print(f"showing {len(result.hits):,} of {result.total:,}; use --limit or `tweetsearch export`")
