"""`tweetsearch status`: which server, which version, what is indexed."""

from __future__ import annotations

from typing import Annotated

import typer

from search_cli.output import cli_errors, emit


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show the server and its nodes, the alias, the index behind it, where its shards are and what its health
    means for searches, and the tweets per campaign. Exits 4 when shards have no copy (the counts are short)."""
    from common.connection import connect
    from search.status import collect_status
    from search_cli.render.status import render_status

    settings = ctx.obj
    with cli_errors(settings):
        result = collect_status(connect(settings, max_retries=1), settings)
        emit(result, as_json=as_json, render=render_status)
