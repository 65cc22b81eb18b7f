"""`tweetsearch top FIELD [QUERY]`: the most frequent hashtags, domains, accounts… among matching tweets."""

from __future__ import annotations

from typing import Annotated

import typer

from search.choices import TOP_FIELDS, OutputFormat
from search_cli.output import RawCells, cli_errors, err, out, output_format, warn_query

FIELD_HELP = f"What to count: {', '.join(TOP_FIELDS)} (singular and any case too)."
QUERY_HELP = "Only tweets matching this query (the `search` language); empty: every tweet."


def top(
    ctx: typer.Context,
    field: Annotated[str, typer.Argument(help=FIELD_HELP, show_default=False)],
    query: Annotated[str, typer.Argument(help=QUERY_HELP, show_default=False)] = "",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10000, help="How many values to list.")] = 10,
    fmt: Annotated[OutputFormat | None, typer.Option("--format", help="Output format [default: table].")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    raw_cells: RawCells = False,
) -> None:
    """The most frequent values of FIELD among the tweets matching QUERY, with counts and share of tweets.

    Accounts are counted by userid (screen names change and can be shared) and shown with their newest
    screen name. Counts are exact unless the server reports an error bound, which is then shown.
    Exits 2 for an unknown field or a malformed query, 4 when the server's answer was incomplete.
    """
    from common.connection import connect
    from common.errors import PartialResults
    from search.aggregate import Count, top_values
    from search_cli.render.counts import render_top
    from search_cli.render.data import print_json, write_rows

    settings = ctx.obj
    with cli_errors(settings):
        chosen = output_format(fmt, as_json)
        warn_query(settings, query)
        result = top_values(connect(settings), settings.alias, field, query, limit=limit)
        if chosen == "table":
            out.print(render_top(result, out.width))
        elif chosen == "json":
            print_json(result)
        else:
            write_rows(result.counts, chosen, row_type=Count, raw_cells=raw_cells)
        if result.partial_reason:
            raise PartialResults(result.partial_reason)
    if chosen == "table" and not result.tweets:
        err.print("no tweets match")
