"""The `tweetsearch` command: global options on the group, one module per command.

Commands import their heavy dependencies (the Elasticsearch client, the archive reader) inside the
function body, so `tweetsearch --help` and each command start without loading what they do not use.
"""

from __future__ import annotations

from typing import Annotated

import typer

from common.connection import Settings
from search_cli.argv import Command, Group
from search_cli.commands import account as account_cmd
from search_cli.commands import export as export_cmd
from search_cli.commands import generate as generate_cmd
from search_cli.commands import index as index_cmd
from search_cli.commands import quote as quote_cmd
from search_cli.commands import search as search_cmd
from search_cli.commands import status as status_cmd
from search_cli.commands import timeline as timeline_cmd
from search_cli.commands import top as top_cmd
from search_cli.commands import url as url_cmd

app = typer.Typer(
    name="tweetsearch",
    help="Search the archives of state-backed information operations that Twitter published.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=Group,
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
) -> None:
    """Credentials: ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and _PASSWORD; a CA: ELASTICSEARCH_CA_CERTS."""
    ctx.obj = Settings.from_env(url=url, alias=alias)


# Every command reads its command line through `search_cli.argv.Command`: a query that starts with a minus
# (`-filter:retweets`, `-obama`) is the query, never a cluster of short options.
for name, function in (
    ("index", index_cmd.index),
    ("generate", generate_cmd.generate),
    ("export", export_cmd.export),
    ("search", search_cmd.search),
    ("status", status_cmd.status),
    ("quote", quote_cmd.quote),
    ("top", top_cmd.top),
    ("timeline", timeline_cmd.timeline),
    ("url", url_cmd.url),
    ("account", account_cmd.account),
):
    app.command(name, cls=Command)(function)


def main() -> None:
    app()
