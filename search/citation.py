"""A quote check put into words: the verdict sentence, and a citation block a newsroom can paste.

Pure functions over a `QuoteVerdict` (no I/O, no rich), so the CLI and any other front end say the same thing.
The block names what was checked (the quote as searched, the alias and its indices, the time), what was found
(whole tweet or passage, with tweets and accounts) and the copies, oldest first, with where each is in the
archive and in which release file. When the list is cut it says how many copies are left and, when a search
query selects exactly the counted copies, the `tweetsearch export` command that writes them all.

Archived values (screen names, campaigns, file names, the quote) are made visible-safe with `one_line` in both
formats (a control character shows as `␇`, never acts) and, in Markdown, have the characters Markdown would
read as formatting escaped with a backslash.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from common.errors import UsageError
from search.safe_text import one_line

if TYPE_CHECKING:
    from search.quote import CitedCopy, QuoteVerdict

# `search.quote` (and the query language it brings) is imported where a verdict is formatted, not here:
# the `quote` command imports this module for its options, and `tweetsearch --help` should not pay for it.

CiteFormat = Literal["text", "markdown"]
CITE_LIMIT = 20
"""How many copies a citation lists unless asked otherwise (`quote --cite`, the quote page)."""
CITE_LIMIT_MAX = 10_000
"""The most copies one citation lists; more are for `tweetsearch export`."""
EXPORT_FILE = "copies.csv"

# Markdown reads these as formatting (emphasis, links, code, HTML, tables, strikethrough, entities) anywhere
# in a line; values are kept on one line, so the characters that matter only at a line's start need nothing.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!])")


def plural(count: int, noun: str) -> str:
    """`1 tweet`, `2,345 tweets` (the library's twin of `charts.plural`, which lives beside rich)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def markdown_escape(value: str) -> str:
    """`value` on one line, control characters shown, and Markdown's special characters backslash-escaped, so
    it reads in a rendered page exactly as archived."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(value))


def found_sentence(verdict: QuoteVerdict) -> str:
    """What the counted copies are: `a whole tweet (3 tweets by 2 accounts), and a passage inside 5 longer
    tweets by 4 accounts`; lower bounds say "at least" and why. Empty when nothing was counted."""
    at_least = "" if verdict.split_exact else "at least "
    parts = []
    if verdict.whole_tweets:
        tweets = plural(verdict.whole_tweets, "tweet")
        accounts = plural(verdict.whole_accounts, "account")
        parts.append(f"a whole tweet ({at_least}{tweets} by {at_least}{accounts})")
    if verdict.passage_tweets:
        tweets = plural(verdict.passage_tweets, "longer tweet")
        accounts = plural(verdict.passage_accounts, "account")
        parts.append(f"a passage inside {at_least}{tweets} by {at_least}{accounts}")
    sentence = ", and ".join(parts)
    if not verdict.split_exact and verdict.tweets:
        sentence += (
            f" (only the oldest {verdict.classified:,} of the {plural(verdict.tweets, 'tweet')} were read to tell"
            " whole tweets from passages)"
        )
    return sentence


def verdict_line(verdict: QuoteVerdict) -> str:
    """The verdict in one sentence: `EXACT: a whole tweet (1 tweet by 1 account)`, `NEAR (92% similar): the
    closest text is a passage inside …`, `NOT FOUND: …`."""
    if verdict.verdict == "EXACT":
        return f"EXACT: {found_sentence(verdict)}"
    if verdict.verdict == "NEAR":
        return f"NEAR ({verdict.similarity:.0%} similar): the closest text is {found_sentence(verdict)}"
    return (
        f"NOT FOUND: no archived tweet carries these words, nor a near copy "
        f"(closest {verdict.similarity:.0%}, NEAR from {verdict.threshold:.0%})"
    )


def export_command(query: str, alias: str) -> str:
    """The shell command writing every tweet `query` matches in `alias`, quoted for a POSIX shell."""
    return f"tweetsearch --alias {shlex.quote(alias)} export {shlex.quote(query)} -o {EXPORT_FILE}"


def format_citation(verdict: QuoteVerdict, fmt: CiteFormat = "text") -> str:
    """The citation block for `verdict` (which must carry a `citation`), as plain text or Markdown."""
    if verdict.citation is None:
        raise ValueError("this verdict was checked without a citation (check_quote(..., cite=N))")
    if fmt == "markdown":
        return _markdown(verdict)
    if fmt == "text":
        return _text(verdict)
    raise UsageError(f"a citation is text or markdown, not {fmt}")


def _counts(verdict: QuoteVerdict) -> str:
    approx = "" if verdict.accounts_exact else "about "
    tweets = plural(verdict.tweets, "tweet")
    campaigns = ", ".join(f"{name} {count:,}" for name, count in verdict.campaigns.items())
    return f"{tweets} by {approx}{plural(verdict.accounts, 'account')}; campaigns: {campaigns}"


def _where(verdict: QuoteVerdict) -> str:
    citation = verdict.citation
    assert citation is not None
    indices = ", ".join(citation.indices) or "none"
    return f"{verdict.checked_at} with tweetsearch, alias {verdict.alias} (index {indices})"


def _facts(verdict: QuoteVerdict) -> list[tuple[str, str]]:
    """The block's head as (label, value) pairs, values unescaped: each format escapes them its own way."""
    from search.quote import DIFFERENCE_LEGEND, difference_notation

    facts = [("Quote, as searched", verdict.normalised)]
    if verdict.verdict == "NEAR":
        facts.append(("Closest text", verdict.matched))
        facts.append(("Differs", f"{difference_notation(verdict.differences)} ({DIFFERENCE_LEGEND})"))
    facts.append(("Checked", _where(verdict)))
    if verdict.tweets:
        facts.append(("Posted", _counts(verdict)))
    return facts


def _listed(verdict: QuoteVerdict) -> str:
    """`Copies, oldest first (3 of 8):`, or `(8)` when the list is whole."""
    citation = verdict.citation
    assert citation is not None
    shown = f"{len(citation.copies):,} of {verdict.tweets:,}" if citation.more > 0 else f"{verdict.tweets:,}"
    return f"Copies, oldest first ({shown}):"


def _remaining(verdict: QuoteVerdict, code: Callable[[str], str]) -> str | None:
    """The line after a cut list: how many are left, and the command that writes them all, or why none can."""
    citation = verdict.citation
    assert citation is not None
    if citation.more <= 0:
        return None
    line = f"… and {citation.more:,} more {'copy' if citation.more == 1 else 'copies'}"
    if citation.export_query is not None:
        return f"{line}; all {verdict.tweets:,}: {code(export_command(citation.export_query, verdict.alias))}"
    reason = f"no search query selects exactly these ({citation.no_query_reason})"
    if verdict.tweets <= CITE_LIMIT_MAX:
        return f"{line}; {reason}: --cite-limit {verdict.tweets} lists them all"
    return f"{line}; {reason}: --cite-limit lists up to {CITE_LIMIT_MAX:,}"


def _kind(copy: CitedCopy) -> str:
    kind = "whole tweet" if copy.whole_tweet else "passage"
    return f"{kind}, retweet" if copy.is_retweet else kind


def _text(verdict: QuoteVerdict) -> str:
    citation = verdict.citation
    assert citation is not None
    lines = [f"Quote check: {verdict_line(verdict)}"]
    lines += [f"{label}: {one_line(value)}" for label, value in _facts(verdict)]
    if verdict.tweets:
        lines.append(_listed(verdict))
        for number, copy in enumerate(citation.copies, 1):
            handle = _handle(copy)
            userid = f"userid {one_line(copy.userid or '?')}"
            account = f"@{one_line(handle)} ({userid})" if handle else userid
            lines.append(
                f"{number:>4}. {copy.time or 'time unknown'}  tweet {one_line(copy.tweetid)}  {account}  "
                f"campaign {one_line(copy.campaign or '?')}  file {one_line(copy.source_file or '?')}  {_kind(copy)}"
            )
        remaining = _remaining(verdict, lambda command: command)
        if remaining:
            lines.append(remaining)
    return "\n".join(lines) + "\n"


def _code_span(text: str) -> str:
    """`text` as a Markdown code span, fenced with more backticks than it holds in a row."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _markdown(verdict: QuoteVerdict) -> str:
    citation = verdict.citation
    assert citation is not None
    md = markdown_escape
    lines = [f"**Quote check:** {md(verdict_line(verdict))}", ""]
    lines += [f"- **{label}:** {md(value)}" for label, value in _facts(verdict)]
    if verdict.tweets:
        lines += [
            "",
            _listed(verdict),
            "",
            "| # | time (UTC) | tweet id | account | userid | campaign | release file | copy |",
            "| ---: | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for number, copy in enumerate(citation.copies, 1):
            cells = [
                str(number),
                copy.time or "time unknown",
                md(copy.tweetid),
                f"@{md(handle)}" if (handle := _handle(copy)) else "(hashed)",
                md(copy.userid or "?"),
                md(copy.campaign or "?"),
                md(copy.source_file or "?"),
                _kind(copy),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        remaining = _remaining(verdict, _code_span)
        if remaining:
            lines += ["", remaining]
    return "\n".join(lines) + "\n"


def _handle(copy: CitedCopy) -> str | None:
    """The copy's screen name when it is a handle; None for a hashed one (the archives hash small accounts'
    names as well as their ids), which is not a handle and is cited by its userid alone."""
    from search.tweets import is_hashed_id

    name = copy.screen_name
    return name if name and not is_hashed_id(name) else None
