"""`coordination` in the terminal: each group of accounts, its members and the items they shared, largest first;
and the line `network` prints about the file it wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group as Lines
from rich.table import Table
from rich.text import Text

from search.safe_text import one_line
from search_cli.render.shared import account_label

if TYPE_CHECKING:
    from search.coordination import CoordinationReport, Group
    from search.network import NetworkSummary

EXAMPLE_CHARS = 140


def render_coordination(report: CoordinationReport, width: int, *, groups: int = 10) -> Lines:
    """The header (what was compared, the window and how it was chosen, the times used), then the groups."""
    parts: list[Text | Table] = [Text(line, style="italic") for line in coordination_header(report)]
    if not report.groups:
        parts.append(Text("no coordinated groups", style="bold"))
        return Lines(*parts)
    for number, group in enumerate(report.groups[:groups], 1):
        parts.extend(_group(number, group, width))
    if len(report.groups) > groups:
        parts.append(Text(f"{len(report.groups) - groups:,} smaller groups not shown (--groups, or --json)", "dim"))
    return Lines(*parts)


def coordination_header(report: CoordinationReport) -> list[str]:
    what = f'tweets matching "{one_line(report.query)}"' if report.query.strip() else "tweets"
    window = f"window {report.window.label}" + (" (auto)" if report.window.auto else "")
    lines = [
        f"{report.what}, by different accounts within {report.window.label}, "
        + ("at least once" if report.min_repeats == 1 else f"at least {report.min_repeats} times each"),
        f"{report.tweets:,} {what} carry one; {report.candidates_note}; "
        f"{_count(len(report.pairs), 'coordinated pair')} in {_count(len(report.groups), 'group')}; {window}",
        f"times: {report.time_used.snowflake:,} tweets to the millisecond (their ids), "
        f"{report.time_used.tweet_time:,} to the minute (tweet_time)"
        + (f", {report.time_used.none:,} without a time (left out)" if report.time_used.none else ""),
    ]
    if report.window.auto:
        lines.append(f"window chosen: {report.window.basis}")
    if report.minute_note:
        lines.append(report.minute_note)
    return lines


def _group(number: int, group: Group, width: int) -> list[Text | Table]:
    campaigns = ", ".join(f"{one_line(name)} {count}" for name, count in group.campaigns.items())
    title = Text(
        f"group {number}: {group.accounts} accounts, {_count(group.co_actions, 'co-action')} over "
        f"{_count(group.pairs, 'pair')}, "
        f"{group.first_time} to {group.last_time} ({campaigns})",
        style="bold",
    )
    members = Table(show_header=True, box=None, padding=(0, 1))
    members.add_column("account", overflow="fold")
    members.add_column("userid", overflow="fold", style="dim")
    members.add_column("tweets", justify="right")
    members.add_column("partners", justify="right")
    for member in group.members:
        members.add_row(
            one_line(f"@{member.screen_name}" if member.screen_name and member.screen_name != member.userid else "—"),
            one_line(member.userid),
            f"{member.tweets:,}",
            str(member.partners),
        )
    items = [
        Text.assemble(
            "  ",
            _item_label(item.kind, item.label, item.example),
            (
                f"  ({_count(item.tweets, 'tweet')} by {_count(item.accounts, 'account')}, first at {item.first_time} "
                f"in tweet {one_line(item.first_tweetid)})",
                "dim",
            ),
        )
        for item in group.items
    ]
    more = group.items_total - len(group.items)
    lines: list[Text | Table] = [Text(""), title, members, Text("shared:", style="italic"), *items]
    if more > 0:
        lines.append(Text(f"  and {more:,} more items (--items, or --json)", style="dim"))
    return lines


def _item_label(kind: str, label: str, example: str | None) -> Text:
    """The item as a reader recognises it: the text as first posted, the link or
    page, the retweeted tweet's id with the retweet's text, the hashtags with `#`."""
    if kind == "hashtags":
        return Text(one_line(" ".join(f"#{tag}" for tag in label.split(" "))))
    shown = example if kind in ("text", "retweet") and example else None
    if shown is None:
        return Text(one_line(label))
    shown = one_line(shown)
    if len(shown) > EXAMPLE_CHARS:
        shown = shown[: EXAMPLE_CHARS - 1] + "…"
    return Text(f"tweet {one_line(label)}: {shown}" if kind == "retweet" else shown)


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def render_network_summary(summary: NetworkSummary) -> Text:
    """What was written, then the hubs by the names the archive gives them, and how many accounts it names
    nowhere (their files label them by userid)."""
    what = {"coordination": "co-actions", "retweet": "retweets", "mention": "mentions", "reply": "replies"}
    most = {"coordination": "most co-acting", "retweet": "most retweeted", "mention": "most mentioned",
            "reply": "most replied to"}  # fmt: skip
    where = "standard output" if summary.target == "-" else one_line(summary.target)
    lines = [
        f"{summary.kind} network: {summary.nodes:,} accounts, {summary.edges:,} "
        f"{'directed ' if summary.directed else ''}edges, {summary.weight:,} {what[summary.kind]}; "
        f"{summary.format.upper()} written to {where}"
    ]
    if summary.hubs:
        hubs = ", ".join(f"{account_label(hub.screen_name or None, hub.userid)} {hub.weight:,}" for hub in summary.hubs)
        lines.append(f"{most[summary.kind]}: {hubs}")
    if summary.unnamed:
        lines.append(
            f"{_count(summary.unnamed, 'account')} the archive names nowhere (no profile, retweet or unambiguous "
            "@mention): labelled by userid"
        )
    return Text("\n".join(lines))
