"""`tweetsearch url URL_OR_DOMAIN`: who shared a link or a site, when first and last, how often, where."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Group
from rich.table import Table

from search_cli.output import cli_errors, emit

if TYPE_CHECKING:
    from search_cli.lookup import UrlReport

TARGET_HELP = "A web address (tracking parameters, www. and http/https do not matter), a host or a domain."


def url(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(metavar="URL_OR_DOMAIN", help=TARGET_HELP, show_default=False)],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=1000, help="How many accounts and URLs to list.")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")] = False,
) -> None:
    """Who shared this URL (or any URL on this site), when first and last, how often, in which campaigns.

    The address is normalised as the indexer does, so https://www.example.com/a/?utm_source=x finds the
    tweets that shared example.com/a, and the counts equal `search 'url:...' --count`. For a domain or host
    the most shared URLs under it are listed. Exits 1 when no tweet shares it, 2 for text that is not an
    address, 4 when the server's answer was incomplete.
    """
    from indexer.connection import connect
    from search_cli.lookup import url_report

    settings = ctx.obj
    with cli_errors(settings):
        report = url_report(connect(settings), settings.alias, target, limit=limit)
        emit(report, as_json=as_json, render=render_url)


def render_url(report: UrlReport) -> Group:
    from search_cli.charts import counts_table, plural, tweet_line

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    facts.add_row(report.target.kind, report.target.value)
    approx = "" if report.accounts_exact else "about "
    tweets, accounts = plural(report.tweets, "tweet"), plural(report.accounts_total, "account")
    facts.add_row("shared", f"in {tweets} by {approx}{accounts}")
    facts.add_row("first", tweet_line(report.first))
    facts.add_row("last", tweet_line(report.last))
    facts.add_row("campaigns", ", ".join(f"{c.value} {c.count:,}" for c in report.campaigns))
    parts: list[Table] = [facts, counts_table("accounts that shared it", "account", report.accounts)]
    if report.urls:
        title = "most shared URLs on it" if report.target.kind != "url" else "as shared (normalised)"
        parts.append(counts_table(title, "url", report.urls))
    return Group(*parts)
