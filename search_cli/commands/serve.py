"""`tweetsearch serve`: the read-only web interface over the alias, on this machine only unless --host says."""

from __future__ import annotations

from typing import Annotated

import typer

from search_cli.output import cli_errors, err


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; other than loopback is said.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the search pages and their JSON twins (?format=json) at http://HOST:PORT/ until Ctrl-C."""
    import uvicorn

    from search_web.app import create_app
    from search_web.listen import check_address, is_loopback

    settings = ctx.obj
    with cli_errors(settings):
        check_address(host, port)
        app = create_app(settings)
    if not is_loopback(host):
        err.print(
            f"warning: listening on {host}, not only on this machine: anyone who can reach it can search the archive",
            markup=False,
        )
    where = f"[{host}]" if ":" in host else host
    err.print(f"tweetsearch: searching {settings.alias} at http://{where}:{port}/ (Ctrl-C stops)", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
