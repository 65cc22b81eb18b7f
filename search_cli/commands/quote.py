"""`tweetsearch quote TEXT`: the fact-checker's verdict on a quote, EXACT, NEAR or NOT FOUND, with its spread."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from common.errors import EXACT_EXIT, NEAR_EXIT, NOT_FOUND_EXIT
from search.choices import CiteFormat
from search.citation import CITE_LIMIT, CITE_LIMIT_MAX
from search_cli.output import cli_errors, out

EXIT_CODES = {"EXACT": EXACT_EXIT, "NEAR": NEAR_EXIT, "NOT FOUND": NOT_FOUND_EXIT}
"""Scripts tell the verdicts apart by exit code; errors keep the usual codes (1, 2, 4 for partial results)."""
TEXT_HELP = "The quote as seen (RT prefix, curly quotes, t.co links and a trailing … are handled); - reads stdin."


def quote(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help=TEXT_HELP, show_default=False)],
    threshold: Annotated[
        float,
        typer.Option("--threshold", min=0.0, max=1.0, help="Word similarity (0-1) a near copy needs to be NEAR."),
    ] = 0.8,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=100, help="How many tweets and close versions to list.")
    ] = 5,
    cite: Annotated[
        bool,
        typer.Option(
            "--cite",
            help="After the verdict, print a citation: what was checked, when, and the copies, oldest first, with "
            "tweet id, time, account, campaign and release file (--json: a `citation` object).",
        ),
    ] = False,
    cite_format: Annotated[
        CiteFormat, typer.Option("--cite-format", help="The citation as plain text or as Markdown.")
    ] = "text",
    cite_limit: Annotated[
        int, typer.Option("--cite-limit", min=1, max=CITE_LIMIT_MAX, help="How many copies the citation lists.")
    ] = CITE_LIMIT,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole verdict as JSON.")] = False,
) -> None:
    """Did the archived accounts post this quote? Exits 0 for EXACT, 10 for NEAR, 11 for NOT FOUND.

    EXACT: tweets carry these words in this order (case, accents and punctuation aside), as a whole tweet or
    as a passage inside longer tweets (both counted). NEAR: the closest tweets differ by a word or two
    (similarity at least --threshold); the differing words are shown, then the other close versions. NOT FOUND:
    nothing comes that close; the closest tweets that share any of its words are listed, with their
    similarity. Each verdict gives the earliest tweet, the retweeted author, how many tweets and accounts
    posted it and in which campaigns. Errors exit 1, or 2 for a bad argument (an empty quote), or 4
    when the server's answer was incomplete.
    """
    from common.connection import connect
    from common.errors import PartialResults
    from search.quote import check_quote
    from search_cli.render.quote import render_citation, render_verdict

    settings = ctx.obj
    with cli_errors(settings):
        if text == "-":
            from search.safe_text import utf8_text

            text = utf8_text(sys.stdin.buffer.read(), "standard input")
        verdict = check_quote(
            connect(settings),
            settings.alias,
            text,
            threshold=threshold,
            examples=limit,
            cite=cite_limit if cite else None,
        )
        if as_json:
            from search_cli.render.data import print_json

            print_json(verdict)
        else:
            out.print(render_verdict(verdict))
            if verdict.citation is not None:
                out.print()
                out.print(render_citation(verdict, cite_format))
        if verdict.partial_reason:
            raise PartialResults(verdict.partial_reason)
    if EXIT_CODES[verdict.verdict]:
        raise typer.Exit(EXIT_CODES[verdict.verdict])
