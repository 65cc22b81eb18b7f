"""`tweetsearch coordination [QUERY]`: the groups of accounts that posted the same thing within seconds, again
and again."""

from __future__ import annotations

from typing import Annotated

import typer

from search.choices import COORDINATION_BY, DEFAULT_MIN_REPEATS, DEFAULT_WINDOW
from search_cli.commands.top import QUERY_HELP
from search_cli.output import cli_errors, emit, err, out, warn_query

BY_HELP = (
    f"What the accounts had in common ({', '.join(COORDINATION_BY)}): the same text (retweets aside; case, "
    "punctuation, RT @x: and t.co links ignored), a retweet of the same tweet, a link to the same page, the same "
    "set of hashtags."
)
BY_METAVAR = f"<{'|'.join(COORDINATION_BY)}>"
"""The choices in the option's name column, as every option with choices shows them."""
WINDOW_HELP = (
    "How close in time two tweets must be: 60s, 10, 2m, 1h; or auto, estimated from the data as CooRnet does "
    "(and said). Tweets whose ids carry no time are timed to the minute."
)
REPEATS_HELP = "How many times each of two accounts must have done it with the other."


def coordination(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help=QUERY_HELP, show_default=False)] = "",
    by: Annotated[str, typer.Option("--by", metavar=BY_METAVAR, help=BY_HELP)] = "text",
    window: Annotated[str, typer.Option("--window", "-w", help=WINDOW_HELP)] = DEFAULT_WINDOW,
    min_repeats: Annotated[int, typer.Option("--min-repeats", "-r", help=REPEATS_HELP)] = DEFAULT_MIN_REPEATS,
    groups: Annotated[int, typer.Option("--groups", min=1, help="Most groups shown in the terminal.")] = 10,
    items: Annotated[int, typer.Option("--items", min=1, max=1000, help="Shared items listed per group.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Every group, member, pair and item as JSON.")] = False,
) -> None:
    """Accounts that acted together among the tweets matching QUERY: the same item (--by) posted by different
    accounts within --window, at least --min-repeats times each; groups are the connected components of those
    pairs, largest first, with their accounts and the items they shared.

    A tweet's time is the millisecond in its id where the id is a snowflake (after November 2010), else
    tweet_time, to the minute: the output says how many of each. Exits 2 for an unknown --by, a window that is
    zero or unreadable, or a malformed query; 4 when the server's answer was incomplete. No group found is an
    answer (exit 0), said as "no coordinated groups".
    """
    from common.connection import connect
    from search.coordination import find_coordination
    from search_cli.render.coordination import render_coordination

    settings = ctx.obj
    with cli_errors(settings):
        warn_query(settings, query)
        report = find_coordination(
            connect(settings), settings.alias, query, by=by, window=window, min_repeats=min_repeats,
            items_per_group=items,
        )  # fmt: skip
        emit(report, as_json=as_json, render=lambda shown: render_coordination(shown, out.width, groups=groups))
    if as_json and not report.groups:
        err.print("no coordinated groups")
