"""The `tweetsearch` command: global options on the group, one module per command.

Commands import their heavy dependencies (the Elasticsearch client, the archive reader) inside the
function body, so `tweetsearch --help` and each command start without loading what they do not use.
"""

from __future__ import annotations

from typing import Annotated

import typer

from indexer.connection import Settings
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
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Commands that take a query accept one that starts with a minus (`-filter:retweets`) as the query, not
# as an unknown option; a mistyped option still fails, as an unexpected extra argument.
QUERY_COMMAND = {"ignore_unknown_options": True}


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


app.command("index")(index_cmd.index)
app.command("generate")(generate_cmd.generate)
app.command("export", context_settings=QUERY_COMMAND)(export_cmd.export)
app.command("search", context_settings=QUERY_COMMAND)(search_cmd.search)
app.command("status")(status_cmd.status)
app.command("quote")(quote_cmd.quote)
app.command("top", context_settings=QUERY_COMMAND)(top_cmd.top)
app.command("timeline", context_settings=QUERY_COMMAND)(timeline_cmd.timeline)
app.command("url")(url_cmd.url)
app.command("account")(account_cmd.account)


def main() -> None:
    app()
