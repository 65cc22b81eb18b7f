"""Pieces every listing shares: how an account is named, a tweet on one line, a count table, highlighted text.

Archived values become `Text` made terminal-safe, never rich markup: a tweet or a profile may hold escape
sequences or `[bold]`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from search.safe_text import one_line, terminal_safe

if TYPE_CHECKING:
    from search.aggregate import Count
    from search.tweets import Hit


def account_label(screen_name: str | None, userid: str | None, *, cut: bool = True) -> str:
    """How a listing names an account, made safe for a terminal.

    A real screen name is a handle: `@name`. A hashed id (the archives hash small accounts' ids and screen
    names) is not a handle, so it has no `@`; with `cut` it is shortened in the middle (`3f2a…9c1d`), so
    both ends stay comparable with the full id that `--json` gives. A numeric id alone is shown as it is.
    """
    from search.tweets import account_name, is_hashed_id

    name = account_name(screen_name, userid)
    if cut and is_hashed_id(name):
        return f"{name[:4]}…{name[-4:]}"
    return one_line(name)


def highlighted_text(hit: Hit, *, single_line: bool = True) -> Text:
    """The tweet text made terminal-safe, with the query's matches in bold yellow.

    Archived text becomes `Text` piece by piece, never markup, so `[bold]` in a tweet prints as written.
    `single_line` shows newlines as `⏎` (for table cells); otherwise the tweet keeps its lines.
    """
    from search.tweets import text_pieces

    safe = one_line if single_line else terminal_safe
    text = Text()
    for piece, matched in text_pieces(hit):
        text.append(safe(piece), style="bold yellow" if matched else "")
    return text


def value_label(count: Count) -> Text:
    """An account as `@name (userid)` (the id alone, without `@` and cut in the middle like every listing's,
    when the name is the hashed id), other values as they are; terminal-safe, and never read as markup."""
    if count.screen_name is None or count.screen_name == count.value:
        return Text(account_label(None, count.value))

    return Text(f"{account_label(count.screen_name, None, cut=False)} ({one_line(count.value)})")


def counts_table(title: str, header: str, counts: list[Count]) -> Table:
    """Value, tweets and share of tweets, one row per count."""
    table = Table(title=title, title_justify="left")
    table.add_column(header, overflow="fold")
    table.add_column("tweets", justify="right")
    table.add_column("share", justify="right")
    for count in counts:
        table.add_row(value_label(count), f"{count.count:,}", f"{count.percent:.1f}%")
    return table


def plural(count: int, noun: str) -> str:
    """`1 tweet`, `2,345 tweets`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def tweet_line(hit: Hit | None) -> Text:
    """`time  @account  campaign  tweet id: text` for one tweet; terminal-safe, and never read as markup."""
    if hit is None:
        return Text("?")
    when = hit.time.strftime("%Y-%m-%d %H:%M UTC") if hit.time else "time unknown"
    account = account_label(hit.screen_name, hit.userid)
    return Text(f"{when}  {account}  {one_line(hit.campaign)}  tweet {one_line(hit.tweetid)}: {one_line(hit.text)}")
