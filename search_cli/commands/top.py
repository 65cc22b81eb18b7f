"""`tweetsearch top FIELD [QUERY]`: the most frequent hashtags, domains, accounts… among matching tweets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from search_cli.output import cli_errors, err, out, output_format

if TYPE_CHECKING:
    from search_cli.aggregate import TopResult

FIELD_HELP = "hashtags, domains, hosts, urls, accounts, clients, languages, campaigns or mentions."
QUERY_HELP = "Only tweets matching this query (the `search` language); empty: every tweet."


def top(
    ctx: typer.Context,
    field: Annotated[str, typer.Argument(help=FIELD_HELP, show_default=False)],
    query: Annotated[str, typer.Argument(help=QUERY_HELP, show_default=False)] = "",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10000, help="How many values to list.")] = 10,
    fmt: Annotated[str, typer.Option("--format", help="table, json, jsonl or csv.")] = "table",
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """The most frequent values of FIELD among the tweets matching QUERY, with counts and share of tweets.

    Accounts are counted by userid (screen names change and can be shared) and shown with their newest
    screen name. Counts are exact unless the server reports an error bound, which is then shown.
    Exits 2 for an unknown field or a malformed query, 4 when the server's answer was incomplete.
    """
    from indexer.connection import connect
    from search_cli.aggregate import Count, top_values
    from search_cli.search import PartialResults

    settings = ctx.obj
    with cli_errors(settings):
        chosen = output_format(fmt, as_json)
        result = top_values(connect(settings), settings.alias, field, query, limit=limit)
        if chosen == "table":
            out.print(render_top(result, out.width))
        elif chosen == "json":
            from search_cli.render import print_json

            print_json(result)
        else:
            from search_cli.render import write_rows

            write_rows(result.counts, chosen, row_type=Count)
        if result.partial_reason:
            raise PartialResults(result.partial_reason)
    if chosen == "table" and not result.tweets:
        err.print("no tweets match")


def render_top(result: TopResult, width: int) -> Group:
    """Rank, value, tweets, share of matching tweets and a bar; then what the list leaves out."""
    from search_cli.charts import bar, value_label

    what = f'tweets matching "{result.query}"' if result.query.strip() else "tweets"
    table = Table(title=f"top {result.field} among {result.tweets:,} {what}", title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column(result.field.removesuffix("s"), overflow="fold")
    table.add_column("tweets", justify="right")
    table.add_column("share", justify="right")
    table.add_column("", no_wrap=True, overflow="crop")
    peak = max((count.percent for count in result.counts), default=0.0)
    for rank, count in enumerate(result.counts, 1):
        shown = f"{count.count:,}" + (f" (+≤{count.error:,})" if count.error else "")
        table.add_row(
            str(rank), value_label(count), shown, f"{count.percent:.1f}%", Text(bar(count.percent, peak, 20), "cyan")
        )
    notes = [Text(line, style="dim") for line in top_notes(result)]
    return Group(table, *notes)


def top_notes(result: TopResult) -> list[str]:
    distinct = f"{'' if result.distinct_exact else 'about '}{result.distinct:,} different {result.field}"
    notes = [f"{distinct}; {result.without_value:,} of the tweets have none"]
    if result.other:
        notes.append(f"{result.other:,} more occurrences of values not listed (use --limit)")
    if result.counts_exact:
        notes.append("counts are exact (the server reports no error)")
    else:
        notes.append(f"counts are approximate: each may be short by up to {result.error_bound:,} (server's bound)")
    return notes
