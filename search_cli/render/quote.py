"""`quote`: the verdict panel (EXACT, NEAR, NOT FOUND), the oldest tweets carrying the text, the close versions,
and the citation block a fact-checker pastes into an article."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from search.citation import CiteFormat, found_sentence, plural
from search.safe_text import one_line, terminal_safe
from search_cli.render.hits import MIN_TEXT_WIDTH, _fill
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
    parts: list[Panel | TweetRows | Text] = [
        Panel(facts, title=Text(title, style=STYLES[verdict.verdict]), title_align="left", expand=True)
    ]
    if verdict.examples:
        parts.append(_examples_table(verdict))
    if verdict.closest:
        parts.append(_closest_table(verdict))
    elif verdict.verdict == "NOT FOUND":
        parts.append(Text("no tweet shares any of these words"))
    return Group(*parts)


@dataclass(frozen=True)
class TweetRows:
    """Tweets laid out for the width they are printed at, as `search` lays out its hits: a table with the text
    in a column when the text gets at least `MIN_TEXT_WIDTH` columns, else one block per tweet (its facts on a
    line, numbers first, then the text wrapped to the width), so a narrow terminal still shows every word."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    texts: list[Text]
    text_header: str = "text"
    right: frozenset[str] = frozenset()
    caption: str | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = [max([len(h), *(Text(row[i]).cell_len for row in self.rows)]) for i, h in enumerate(self.headers)]
        # Each column of the boxed table costs its width, two cells of padding and a rule.
        if sum(widths) + 3 * (len(self.headers) + 1) + 1 + MIN_TEXT_WIDTH <= options.max_width:
            yield self.table()
            return
        wrapped = options.update(no_wrap=False, overflow="fold")
        yield from console.render(Text(self.title, style="italic"), wrapped)
        for row, text in zip(self.rows, self.texts, strict=True):
            facts = [Text(_fact(header, cell, self.right)) for header, cell in zip(self.headers, row, strict=True)]
            facts[0].stylize("bold")
            yield Text("")
            yield from console.render(_fill(facts, options.max_width), wrapped)
            yield from console.render(text, wrapped)
        if self.caption:
            yield from console.render(Text(self.caption, style="dim"), wrapped)

    def table(self) -> Table:
        table = Table(title=self.title, title_justify="left", caption=self.caption, caption_justify="left", expand=True)
        for header in self.headers:
            table.add_column(header, no_wrap=True, justify="right" if header in self.right else "left")
        table.add_column(self.text_header, ratio=1, min_width=MIN_TEXT_WIDTH, overflow="fold")
        for row, text in zip(self.rows, self.texts, strict=True):
            table.add_row(*(Text(cell) for cell in row), text)
        return table


def _fact(header: str, cell: str, right: frozenset[str]) -> str:
    """A table cell as a fact of a block, where no header names it: `83% similar`, `16:03 UTC`."""
    if header == "copies" and cell == "1":
        return "1 copy"
    if header in right:
        return f"{cell} {header}"
    return f"{cell} UTC" if "(UTC)" in header and cell != "?" else cell


def _examples_table(verdict: QuoteVerdict) -> TweetRows:
    """The oldest tweets carrying the counted text."""
    shown = len(verdict.examples)
    title = f"the oldest {shown:,} of {plural(verdict.tweets, 'tweet')}" if shown < verdict.tweets else ""
    title = title or ("the tweet" if shown == 1 else f"all {plural(shown, 'tweet')}")
    return TweetRows(
        title=f"{title} ({verdict.took_ms} ms)",
        headers=["tweet id", "time (UTC)", "account", "lang", "campaign"],
        rows=[
            [
                one_line(hit.tweetid),
                hit.time.strftime("%Y-%m-%d %H:%M") if hit.time else "?",
                account_label(hit.screen_name, hit.userid),
                one_line(hit.language or ""),
                one_line(hit.campaign),
            ]
            for hit in verdict.examples
        ],
        texts=[Text(terminal_safe(hit.text)) for hit in verdict.examples],
    )


def _closest_table(verdict: QuoteVerdict) -> TweetRows:
    from search.quote import DIFFERENCE_LEGEND

    titles = {"EXACT": "near versions", "NEAR": "other close versions", "NOT FOUND": "closest tweets"}
    legend = DIFFERENCE_LEGEND if any(version.differences for version in verdict.closest) else None
    return TweetRows(
        title=titles[verdict.verdict],
        headers=["similar", "copies", "tweet id", "first seen (UTC)", "account", "campaign"],
        rows=[_version_row(version) for version in verdict.closest],
        texts=[_version_text(version) for version in verdict.closest],
        text_header="text / differs",
        right=frozenset({"similar", "copies"}),
        caption=legend,
    )


def _version_row(version: Similar) -> list[str]:
    hit = version.tweet
    return [
        f"{version.similarity:.0%}",
        f"{version.copies:,}",
        one_line(hit.tweetid),
        hit.time.strftime("%Y-%m-%d %H:%M") if hit.time else "?",
        account_label(hit.screen_name, hit.userid),
        one_line(hit.campaign),
    ]


def _version_text(version: Similar) -> Text:
    from search.quote import difference_notation

    text = Text(terminal_safe(version.tweet.text))
    if version.differences:
        text.append("\n").append(one_line(difference_notation(version.differences)), style="dim")
    return text


def _who(screen_name: str | None, userid: str | None) -> str:
    """An account named in full for a citation: `@handle (userid)`, or the whole hashed id alone (not a handle)."""
    label = account_label(screen_name, userid, cut=False)
    return f"{label} ({one_line(userid)})" if label.startswith("@") and userid else label


def render_citation(verdict: QuoteVerdict, fmt: CiteFormat) -> Text:
    """The citation as plain text or Markdown, terminal-safe: it quotes archived tweets word for word."""
    from search.citation import format_citation

    return Text(terminal_safe(format_citation(verdict, fmt)), end="")
