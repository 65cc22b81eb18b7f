"""Matching tweets for `search`: a table when the terminal is wide enough for the text, else a block per tweet."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from search.safe_text import one_line
from search_cli.render.shared import account_label, highlighted_text

if TYPE_CHECKING:
    from search.tweets import SearchResult


def _count(value: int | None) -> str:
    """A count as shown: `?` when the release does not give it (an unknown is not a zero)."""
    return "?" if value is None else f"{value:,}"


MIN_TEXT_WIDTH = 40
"""Below this many columns left for the text, hits are shown one block per tweet instead of a table."""


@dataclasses.dataclass(frozen=True)
class HitList:
    """Matching tweets laid out for the width they are printed at: a table with the text in a column when the
    text gets at least `MIN_TEXT_WIDTH` columns, else one block per tweet (a line of facts, then the text
    wrapped to the width), so a narrow terminal still shows every word."""

    result: SearchResult

    def title(self) -> Text:
        exact = "" if self.result.total_is_exact else "+"
        return Text(f"{self.result.total:,}{exact} tweets ({self.result.took_ms} ms)", style="italic")

    def rows(self) -> list[list[str]]:
        return [
            [
                one_line(hit.tweetid),
                hit.time.strftime("%Y-%m-%d %H:%M") if hit.time else "?",
                account_label(hit.screen_name, hit.userid),
                one_line(hit.language or ""),
                one_line(hit.campaign),
                _count(hit.retweet_count),
                _count(hit.like_count),
            ]
            for hit in self.result.hits
        ]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = self.rows()
        headers = ["tweet id", "time (UTC)", "account", "lang", "campaign", "RTs", "likes"]
        widths = [max([len(header), *(Text(row[i]).cell_len for row in rows)]) for i, header in enumerate(headers)]
        # Each column of the boxed table costs its width, two cells of padding and a rule.
        if sum(widths) + 3 * (len(headers) + 1) + 1 + MIN_TEXT_WIDTH <= options.max_width:
            yield self.table(headers, rows)
        else:
            yield from self.blocks(console, options, rows)

    def table(self, headers: list[str], rows: list[list[str]]) -> Table:
        table = Table(title=self.title(), title_justify="left", expand=True)
        for header in headers:
            table.add_column(header, no_wrap=True, justify="right" if header in ("RTs", "likes") else "left")
        table.add_column("text", ratio=1, min_width=MIN_TEXT_WIDTH, overflow="fold")
        for hit, row in zip(self.result.hits, rows, strict=True):
            table.add_row(*(Text(cell) for cell in row), highlighted_text(hit))
        return table

    def blocks(self, console: Console, options: ConsoleOptions, rows: list[list[str]]) -> RenderResult:
        wrapped = options.update(no_wrap=False, overflow="fold")
        yield from console.render(self.title(), wrapped)
        for hit, (tweetid, when, account, language, campaign, retweets, likes) in zip(
            self.result.hits, rows, strict=True
        ):
            facts = [
                Text(tweetid, style="bold"),
                Text(f"{when} UTC" if hit.time else "time unknown"),
                Text(account, style="cyan"),
                Text(campaign),
                Text(language or "?"),
                Text(f"{retweets} RTs", style="dim"),
                Text(f"{likes} likes", style="dim"),
            ]
            yield Text("")
            yield from console.render(_fill(facts, options.max_width), wrapped)
            yield from console.render(highlighted_text(hit, single_line=False), wrapped)


def _fill(pieces: list[Text], width: int, gap: str = "  ") -> Text:
    """`pieces` joined by `gap`, a new line started only between pieces, so a fact is never cut in two."""
    filled = Text()
    length = 0
    for piece in pieces:
        if length and length + len(gap) + piece.cell_len > width:
            filled.append("\n")
            length = 0
        elif length:
            filled.append(gap)
            length += len(gap)
        filled.append_text(piece)
        length += piece.cell_len
    return filled


def render_hits(result: SearchResult) -> HitList:
    """Matching tweets as a table or, on a narrow terminal, one block per tweet (see `HitList`)."""
    return HitList(result)
