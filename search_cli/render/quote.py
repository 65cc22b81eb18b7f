"""`quote`: the verdict panel (EXACT, NEAR, NOT FOUND), the oldest tweets carrying the text, the close versions,
and the citation block a fact-checker pastes into an article."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from search.citation import CiteFormat, found_sentence, plural
from search.safe_text import one_line, terminal_safe
from search_cli.render.shared import account_label

if TYPE_CHECKING:
    from search.quote import QuoteVerdict, Similar

STYLES = {"EXACT": "bold green", "NEAR": "bold yellow", "NOT FOUND": "bold red"}


def render_verdict(verdict: QuoteVerdict) -> Group:
    """The verdict panel, then the oldest tweets carrying the text, then the close versions.

    Every archived value is a `Text` (never rich markup) made visible-safe with `terminal_safe`/`one_line`.
    """
    from search.quote import DIFFERENCE_LEGEND, difference_notation

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    searched = one_line(verdict.normalised)
    searched += "  (cut by Twitter: the last word may be a prefix)" if verdict.truncated else ""
    facts.add_row("searched", Text(searched))
    if verdict.verdict == "NEAR":
        facts.add_row("closest text", Text(one_line(verdict.matched)))
    if verdict.verdict != "EXACT":
        facts.add_row("similarity", f"{verdict.similarity:.0%} (NEAR from {verdict.threshold:.0%})")
    if verdict.differences and verdict.verdict == "NEAR":
        facts.add_row("differs", Text(one_line(difference_notation(verdict.differences))))
        facts.add_row("", Text(DIFFERENCE_LEGEND, style="dim"))
    if verdict.tweets:
        facts.add_row("found", Text(found_sentence(verdict)))
    if verdict.earliest is not None:
        first = verdict.earliest
        when = first.time.strftime("%Y-%m-%d %H:%M UTC") if first.time else "time unknown"
        account = _who(first.screen_name, first.userid)
        facts.add_row("earliest", Text(f"{when}  {account}  {one_line(first.campaign)}"))
        facts.add_row("", Text(terminal_safe(f"tweet {first.tweetid}: {first.text}")))
    author = verdict.original_author
    if author is not None:
        where = "its tweets are in the archive" if author.in_archive else "not an archived account"
        tweet = f", tweet {author.tweetid}" if author.tweetid else ""
        facts.add_row(
            "retweeted from",
            Text(
                f"{_who(author.screen_name, author.userid)}{one_line(tweet)}"
                + f" in {author.retweets:,} of these tweets; {where}"
            ),
        )
    if verdict.tweets:
        approx = "" if verdict.accounts_exact else "about "
        tweets, accounts = plural(verdict.tweets, "tweet"), plural(verdict.accounts, "account")
        facts.add_row("posted", f"{tweets} by {approx}{accounts}")
        campaigns = ", ".join(f"{name} {count:,}" for name, count in verdict.campaigns.items())
        facts.add_row("campaigns", Text(one_line(campaigns)))
    title = verdict.verdict + (f" {verdict.similarity:.0%}" if verdict.verdict == "NEAR" else "")
    parts: list[Panel | Table | Text] = [
        Panel(facts, title=Text(title, style=STYLES[verdict.verdict]), title_align="left", expand=True)
    ]
    if verdict.examples:
        parts.append(_examples_table(verdict))
    if verdict.closest:
        parts.append(_closest_table(verdict))
    elif verdict.verdict == "NOT FOUND":
        parts.append(Text("no tweet shares most of these words"))
    return Group(*parts)


def _examples_table(verdict: QuoteVerdict) -> Table:
    """The oldest tweets carrying the counted text."""
    shown = len(verdict.examples)
    title = f"the oldest {shown:,} of {plural(verdict.tweets, 'tweet')}" if shown < verdict.tweets else ""
    title = title or ("the tweet" if shown == 1 else f"all {plural(shown, 'tweet')}")
    table = Table(title=f"{title} ({verdict.took_ms} ms)", title_justify="left", expand=True)
    table.add_column("time (UTC)", no_wrap=True, min_width=16)
    table.add_column("account", no_wrap=True)
    table.add_column("lang", no_wrap=True, max_width=4)
    table.add_column("campaign", no_wrap=True)
    table.add_column("text", ratio=1, min_width=30, overflow="fold")
    for hit in verdict.examples:
        table.add_row(
            hit.time.strftime("%Y-%m-%d %H:%M") if hit.time else "?",
            Text(account_label(hit.screen_name, hit.userid)),
            Text(one_line(hit.language or "")),
            Text(one_line(hit.campaign)),
            Text(terminal_safe(hit.text)),
        )
    return table


def _closest_table(verdict: QuoteVerdict) -> Table:
    from search.quote import DIFFERENCE_LEGEND

    titles = {"EXACT": "near versions", "NEAR": "other close versions", "NOT FOUND": "closest tweets"}
    legend = DIFFERENCE_LEGEND if any(version.differences for version in verdict.closest) else None
    table = Table(
        title=titles[verdict.verdict], title_justify="left", caption=legend, caption_justify="left", expand=True
    )
    table.add_column("similar", justify="right", no_wrap=True)
    table.add_column("copies", justify="right", no_wrap=True)
    table.add_column("first seen (UTC)", no_wrap=True, min_width=16)
    table.add_column("account", no_wrap=True)
    table.add_column("campaign", no_wrap=True)
    table.add_column("text / differs", ratio=1, min_width=30, overflow="fold")
    for version in verdict.closest:
        table.add_row(*_version_row(version))
    return table


def _version_row(version: Similar) -> list[str | Text]:
    from search.quote import difference_notation

    hit = version.tweet
    text = Text(terminal_safe(hit.text))
    if version.differences:
        text.append("\n").append(one_line(difference_notation(version.differences)), style="dim")
    return [
        f"{version.similarity:.0%}",
        f"{version.copies:,}",
        hit.time.strftime("%Y-%m-%d %H:%M") if hit.time else "?",
        Text(account_label(hit.screen_name, hit.userid)),
        Text(one_line(hit.campaign)),
        text,
    ]


def _who(screen_name: str | None, userid: str | None) -> str:
    """An account named in full for a citation: `@handle (userid)`, or the whole hashed id alone (not a handle)."""
    label = account_label(screen_name, userid, cut=False)
    return f"{label} ({one_line(userid)})" if label.startswith("@") and userid else label


def render_citation(verdict: QuoteVerdict, fmt: CiteFormat) -> Text:
    """The citation as plain text or Markdown, terminal-safe: it quotes archived tweets word for word."""
    from search.citation import format_citation

    return Text(terminal_safe(format_citation(verdict, fmt)), end="")
