"""`tweetsearch serve`: the read-only web interface over the alias, on this machine only unless --host says.

It answers requests addressed to the loopback names and to the --host name only (`served_hosts`): a page on
another site that points its own name at this machine (DNS rebinding) gets 400, not the archive."""

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
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            metavar="NAME",
            help="Another name the pages may be reached by (repeatable): localhost, 127.0.0.1, [::1] and --host "
            "are always; any other Host is refused (400).",
        ),
    ] = None,
) -> None:
    """Serve the search pages and their JSON twins (?format=json) at http://HOST:PORT/ until Ctrl-C."""
    import uvicorn

    from search_web.app import create_app, served_hosts
    from search_web.listen import check_address, is_loopback

    settings = ctx.obj
    with cli_errors(settings):
        check_address(host, port)
        app = create_app(settings, hosts=served_hosts([host, *(allow_host or [])]))
    if not is_loopback(host):
        err.print(
            f"warning: listening on {host}, not only on this machine: anyone who can reach it can search the archive",
            markup=False,
        )
    where = f"[{host}]" if ":" in host else host
    err.print(f"tweetsearch: searching {settings.alias} at http://{where}:{port}/ (Ctrl-C stops)", markup=False)
    if host in ("0.0.0.0", "::"):  # every address of this machine, but pages answer the names given only
        err.print(
            "note: pages answer only requests addressed to localhost or to a name --allow-host gives "
            "(this machine's name or address on the network)",
            markup=False,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")
