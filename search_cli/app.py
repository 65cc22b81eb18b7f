"""The `tweetsearch` command: global options on the group, one module per command.

A run imports the module of the command it runs, and nothing of the others (`search_cli.argv.LazyCommands`);
commands import their heavy dependencies (the Elasticsearch client, the archive reader) inside the function
body, so `tweetsearch --help` and each command start without loading what they do not use
(`tests/test_startup.py` checks both).
"""

from __future__ import annotations

from typing import Annotated, ClassVar

import typer

from common.connection import Settings
from common.shard_retry import retries_during
from search_cli.argv import Group

# Every command prints through these consoles, so importing them here costs no run anything. Made when the program
# starts, not when its first command is built: rich fixes a console's width from COLUMNS at the moment it is made,
# and a caller that runs several commands in one process (CliRunner, with COLUMNS set per run) must find them made.
from search_cli.output import err, out  # noqa: F401


class Tweetsearch(Group):
    """Every command reads its command line through `search_cli.argv.Command`: a query that starts with a minus
    (`-filter:retweets`, `-obama`) is the query, never a cluster of short options. Listed in help's order; each
    module's function of the command's name is the command."""

    command_modules: ClassVar[dict[str, str]] = {
        name: f"search_cli.commands.{name}"
        for name in (
            "index",
            "generate",
            "export",
            "search",
            "status",
            "quote",
            "top",
            "timeline",
            "url",
            "account",
            "coordination",
            "network",
            "serve",
        )
    }


app = typer.Typer(
    name="tweetsearch",
    help="Search the archives of state-backed information operations that Twitter published.",
    no_args_is_help=True,
    invoke_without_command=True,  # `tweetsearch --version`; without a command and without it, the help (exit 2)
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=Tweetsearch,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def global_options(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option("--url", help="Elasticsearch URL (env ELASTICSEARCH_URL, default http://localhost:9200)."),
    ] = None,
    alias: Annotated[
        str | None,
        typer.Option("--alias", help="Alias the tweets are searched through (env TWEETSEARCH_ALIAS, default tweets)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the versions of tweetsearch, its Elasticsearch client and the server."),
    ] = False,
) -> None:
    """Credentials: ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and _PASSWORD; a CA: ELASTICSEARCH_CA_CERTS."""
    ctx.obj = Settings.from_env(url=url, alias=alias)
    if ctx.invoked_subcommand is None:
        from search_cli.output import exit_on_closed_pipe, out

        with exit_on_closed_pipe():
            if not version:
                out.print(ctx.get_help(), markup=False, highlight=False)
                raise typer.Exit(2)
            from search_cli.render.versions import versions_text

            out.print(versions_text(ctx.obj), markup=False, highlight=False)
        return
    ctx.with_resource(retries_during())  # searches sent again after a node left, for --json to list


def main() -> None:
    from search_cli.output import whole_writes_stdout

    whole_writes_stdout()
    app()
