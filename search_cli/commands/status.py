"""`tweetsearch status`: which server, which version, what is indexed."""

from __future__ import annotations

from typing import Annotated

import typer

from search_cli.output import cli_errors, out


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show the server, its version, the alias, the index behind it and the tweets per campaign."""
    from common.connection import connect
    from search.status import collect_status
    from search_cli.render.data import print_json
    from search_cli.render.status import render_status

    settings = ctx.obj
    with cli_errors(settings):
        result = collect_status(connect(settings, max_retries=1), settings)
    if as_json:
        print_json(result)
        return
    out.print(render_status(result))
