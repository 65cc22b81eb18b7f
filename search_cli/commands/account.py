"""`tweetsearch account NAME_OR_ID`: one account's profile, active period and what it tweeted about."""

from __future__ import annotations

from typing import Annotated

import typer

from search_cli.output import cli_errors, emit

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
    from search_cli.render.lookup import render_account

    settings = ctx.obj
    with cli_errors(settings):
        report = account_report(connect(settings), settings.alias, name_or_id, limit=limit)
        emit(report, as_json=as_json, render=render_account)
