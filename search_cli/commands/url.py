"""`tweetsearch url URL_OR_DOMAIN`: who shared a link or a site, when first and last, how often, where."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from search_cli.output import cli_errors, emit

if TYPE_CHECKING:
    from search.lookup import UrlReport

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
    tweets that shared example.com/a, and the counts equal `search 'url:...' --count`. A URL finds its page
    however it was linked: with more parameters or in another order (example.com/a?x=1 finds
    example.com/a?x=1&y=2), and in any form its site uses (youtu.be/ID, youtube.com/watch?v=ID, /shorts/ID,
    /embed/ID). For a domain or host the most shared URLs under it are listed. Exits 1 when no tweet shares it
    (for a URL with parameters, saying how many tweets link its host and path with other parameters, and the
    command that lists them), 2 for text that is not an address, 4 when the server's answer was incomplete.
    """
    from common.connection import connect
    from search.lookup import url_report

    settings = ctx.obj
    with cli_errors(settings):
        report = url_report(connect(settings), settings.alias, target, limit=limit)
        emit(report, as_json=as_json, render=render_url)
    if not report.tweets:
        raise typer.Exit(1)


def render_url(report: UrlReport) -> Group:
    """The report as tables; everything taken from the archive or typed by the user is terminal-safe Text."""
    from search.safe_text import one_line
    from search_cli.charts import counts_table, plural, tweet_line

    target = report.target
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    facts.add_row(target.kind, Text(one_line(target.value)))
    if target.page is not None:
        forms = ", ".join(target.page.addresses)
        facts.add_row(
            "page", Text(one_line(f"{target.page.label}, linked as any of: {forms} (other parameters aside)"))
        )
    other = report.other_parameters
    if not report.tweets and other is not None:
        urls = plural(other.urls, "distinct URL")
        verb = "links" if other.tweets == 1 else "link"
        facts.add_row("shared", "in no tweet with these parameters")
        facts.add_row(
            "other parameters",
            Text(
                one_line(
                    f"{plural(other.tweets, 'tweet')} {verb} {other.address} with other parameters "
                    f"({'' if other.urls_exact else 'at least '}{urls}); to list them: {other.command}"
                )
            ),
        )
        return Group(facts)
    approx = "" if report.accounts_exact else "about "
    tweets, accounts = plural(report.tweets, "tweet"), plural(report.accounts_total, "account")
    facts.add_row("shared", f"in {tweets} by {approx}{accounts}")
    facts.add_row("first", tweet_line(report.first))
    facts.add_row("last", tweet_line(report.last))
    facts.add_row("campaigns", Text(one_line(", ".join(f"{c.value} {c.count:,}" for c in report.campaigns))))
    parts: list[Table] = [facts, counts_table("accounts that shared it", "account", report.accounts)]
    if report.urls:
        title = "most shared URLs on it" if target.kind != "url" else "as shared (normalised)"
        parts.append(counts_table(title, "url", report.urls))
    return Group(*parts)
