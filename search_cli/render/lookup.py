"""`url` and `account`: who shared a link or a site, and one account's profile and activity, as facts and counts.

Everything taken from the archive or typed by the user is terminal-safe `Text`, never markup: a profile may
hold escape sequences or `[bold]`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.columns import Columns
from rich.console import Group
from rich.table import Table
from rich.text import Text

from search.safe_text import one_line, terminal_safe
from search_cli.render.shared import account_label, counts_table, plural, tweet_line

if TYPE_CHECKING:
    from search.lookup import AccountReport, UrlReport


def render_url(report: UrlReport) -> Group:
    """The report as tables; everything taken from the archive or typed by the user is terminal-safe Text."""
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


def render_account(report: AccountReport) -> Group:
    """The profile and activity of one account. Every archived value is terminal-safe `Text`, never markup: a
    profile may hold escape sequences or `[bold]`. A hashed screen name is shown whole but without `@`."""

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
