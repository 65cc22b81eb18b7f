"""`tweetsearch url URL_OR_DOMAIN`: who shared a link or a site, when first and last, how often, where."""

from __future__ import annotations

from typing import Annotated

import typer

from common.errors import NotFound
from search_cli.output import cli_errors, emit

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
    from search_cli.render.lookup import render_url

    settings = ctx.obj
    with cli_errors(settings):
        report = url_report(connect(settings), settings.alias, target, limit=limit)
        emit(report, as_json=as_json, render=render_url)
    if not report.tweets:
        raise typer.Exit(NotFound.exit_code)  # the answer is printed; scripts see that nothing matched
