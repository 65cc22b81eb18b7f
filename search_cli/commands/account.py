"""`tweetsearch account NAME_OR_ID`: one account's profile, active period and what it tweeted about."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.columns import Columns
from rich.console import Group
from rich.table import Table

from search_cli.output import cli_errors, emit

if TYPE_CHECKING:
    from search.lookup import AccountReport

NAME_HELP = "A screen name (any case, @ optional) or a userid (numeric or hashed, as the archive gives it)."


def account(
    ctx: typer.Context,
    name_or_id: Annotated[str, typer.Argument(metavar="NAME_OR_ID", help=NAME_HELP, show_default=False)],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="How many values per list.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")] = False,
) -> None:
    """An account's profile (from its newest tweet), first and last tweet, tweets per language, hashtag,
    domain, client and campaign.

    Exits 1 when no tweet is by such an account, 4 when the server's answer was incomplete.
    """
    from common.connection import connect
    from search.lookup import account_report

    settings = ctx.obj
    with cli_errors(settings):
        report = account_report(connect(settings), settings.alias, name_or_id, limit=limit)
        emit(report, as_json=as_json, render=render_account)


def render_account(report: AccountReport) -> Group:
    """The profile and activity of one account. Every archived value is terminal-safe `Text`, never markup: a
    profile may hold escape sequences or `[bold]`. A hashed screen name is shown whole but without `@`."""
    from rich.text import Text

    from search.safe_text import one_line, terminal_safe
    from search_cli.charts import counts_table, plural, tweet_line
    from search_cli.render import account_label

    def safe(value: str | None) -> Text | None:
        return Text(terminal_safe(value)) if value else None

    profile = report.profile
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    rows: list[tuple[str, Text | None]] = [
        ("screen name", Text(account_label(profile.screen_name, None, cut=False)) if profile.screen_name else None),
        ("display name", safe(profile.display_name)),
        ("userid", safe(profile.userid)),
        ("description", safe(profile.description)),
        ("location", safe(profile.location)),
        ("profile url", safe(profile.profile_url)),
        (
            "followers",
            Text(f"{profile.followers:,} followers, following {profile.following or 0:,}")
            if profile.followers is not None
            else None,
        ),
        ("created", Text(profile.created.isoformat()) if profile.created else None),
        ("account lang", safe(profile.account_language)),
        ("tweets", Text(f"{report.tweets:,} ({plural(report.retweets, 'retweet')})")),
        ("first", tweet_line(report.first)),
        ("last", tweet_line(report.last)),
        ("campaigns", safe(", ".join(f"{one_line(c.value)} {c.count:,}" for c in report.campaigns))),
    ]
    for label, value in rows:
        if value:
            facts.add_row(label, value)
    if report.namesakes:
        others = ", ".join(f"{one_line(c.value)} ({plural(c.count, 'tweet')})" for c in report.namesakes)
        facts.add_row("also named so", Text(others))
    lists = [
        counts_table(title, title.removesuffix("s"), counts)
        for title, counts in (
            ("languages", report.languages),
            ("hashtags", report.hashtags),
            ("domains", report.domains),
            ("clients", report.clients),
        )
        if counts
    ]
    return Group(facts, Columns(lists))
