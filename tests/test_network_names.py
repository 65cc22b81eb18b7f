"""`network --kind retweet|mention|reply` names every account the archive names, not only the archive's own.

The retweeted, mentioned and replied-to accounts are often outside the release and have no profile, yet the
tweets name them: `RT @name:` (retweeted_screen_name) and the @names of a tweet whose user_mentions or
in_reply_to_userid hold their id. A node is named in GEXF, GraphML and CSV, in the terminal's summary, in
--json and in the web's downloads; an @name that could be another account's names nobody.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import orjson
import pytest
from archive_samples import ira_row, load_rows
from starlette.testclient import TestClient

from common.connection import Settings
from search_web.app import create_app

ALPHA = ("1001", "AlphaNews", "Alpha News")
BETA = ("1002", "BetaVoice", "Beta Voice")
OUTSIDE_HUB = "5005"  # retweeted twice, never in the release
MENTIONED = "6006"  # mentioned twice, never retweeted
TWINS = ("7007", "7008")  # always mentioned together: which @name is whose cannot be told
REPLIED_TO = "8008"
QUIET = "9009"  # mentioned once, beside the retweeted account whose name is known already
TOO_LONG = "4004"  # retweeted as @ThisNameIsTooLong: over Twitter's 15 characters, not a handle
BESIDE = "3003"  # mentioned in every retweet of TOO_LONG, so each of the two could be @SomeOne


def row(n: int, account: tuple[str, str, str], text: str, **changes: str) -> dict[str, str]:
    userid, screen_name, display_name = account
    return ira_row(
        tweetid=str(900000000000000000 + n),
        userid=userid,
        user_screen_name=screen_name,
        user_display_name=display_name,
        tweet_text=text,
        tweet_time=f"2017-06-{10 + n:02d} 16:03",
        hashtags="[]",
        urls="[]",
        **changes,
    )


def rows() -> list[dict[str, str]]:
    retweet = {"is_retweet": "true", "retweet_userid": OUTSIDE_HUB, "retweet_tweetid": "800000000000000001"}
    return [
        row(1, ALPHA, "RT @OutsideHub: the harbor is open", **retweet, user_mentions=f"[{OUTSIDE_HUB}]"),
        row(2, BETA, "RT @OutsideHub: ask @QuietOne", **retweet, user_mentions=f"[{OUTSIDE_HUB}, {QUIET}]"),
        row(3, ALPHA, "@MentionedOne look at this", user_mentions=f"[{MENTIONED}]"),
        row(4, BETA, "see @MentionedOne again", user_mentions=f"[{MENTIONED}]"),
        row(5, ALPHA, "@TwinOne @TwinTwo hello both", user_mentions=f"[{TWINS[0]}, {TWINS[1]}]"),
        row(
            6,
            BETA,
            "@ReplyTarget thanks",
            in_reply_to_userid=REPLIED_TO,
            in_reply_to_tweetid="800000000000000002",
            user_mentions=f"[{REPLIED_TO}]",
        ),
        row(7, ALPHA, "@BetaVoice hi", user_mentions=f"[{BETA[0]}]"),
        row(
            8,
            ALPHA,
            "RT @ThisNameIsTooLong: ask @SomeOne",
            is_retweet="true",
            retweet_userid=TOO_LONG,
            retweet_tweetid="800000000000000003",
            user_mentions=f"[{TOO_LONG}, {BESIDE}]",
        ),
    ]


NAMES = {
    "retweet": {OUTSIDE_HUB: "OutsideHub", ALPHA[0]: "AlphaNews", BETA[0]: "BetaVoice", TOO_LONG: ""},
    "mention": {
        OUTSIDE_HUB: "OutsideHub", MENTIONED: "MentionedOne", QUIET: "QuietOne", REPLIED_TO: "ReplyTarget",
        TWINS[0]: "", TWINS[1]: "", ALPHA[0]: "AlphaNews", BETA[0]: "BetaVoice", TOO_LONG: "", BESIDE: "",
    },
    "reply": {REPLIED_TO: "ReplyTarget", BETA[0]: "BetaVoice"},
}  # fmt: skip


@pytest.fixture(scope="module")
def archive(cli, tmp_path_factory) -> Path:
    return load_rows(cli, tmp_path_factory.mktemp("names"), rows())


@pytest.fixture(scope="module")
def web(es_url, alias, archive) -> TestClient:
    return TestClient(create_app(Settings.from_env(url=es_url, alias=alias)))


def csv_names(text: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for line in csv.DictReader(io.StringIO(text, newline="")):
        names[line["source"]] = line["source_screen_name"]
        names[line["target"]] = line["target_screen_name"]
    return names


@pytest.mark.parametrize("kind", ["retweet", "mention", "reply"])
def test_the_csv_names_every_account_the_tweets_name(cli, archive, kind):
    result = cli("network", "--kind", kind, "--out", "-")

    assert result.exit_code == 0, result.stderr
    assert csv_names(result.stdout) == NAMES[kind]


@pytest.mark.parametrize("kind", ["retweet", "mention", "reply"])
@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_gexf_and_graphml_name_and_label_every_account_the_tweets_name(cli, archive, tmp_path, kind, suffix):
    target = tmp_path / f"network{suffix}"

    result = cli("network", "--kind", kind, "--out", str(target))

    assert result.exit_code == 0, result.stderr
    graph = nx.read_gexf(target) if suffix == ".gexf" else nx.read_graphml(target)
    assert {node: data["screen_name"] for node, data in graph.nodes(data=True)} == NAMES[kind]
    labels = {node: data["label"] for node, data in graph.nodes(data=True)}
    assert labels == {userid: name or userid for userid, name in NAMES[kind].items()}


def test_an_at_name_two_accounts_could_hold_names_neither(cli, archive):
    result = cli("network", "--kind", "mention", "--out", "-")

    names = csv_names(result.stdout)
    assert (names[TWINS[0]], names[TWINS[1]]) == ("", "")
    assert "TwinOne" not in result.stdout and "twinone" not in result.stdout.lower()


def test_the_summary_names_the_hubs_and_counts_the_accounts_named_nowhere(cli, archive, tmp_path):
    target = str(tmp_path / "mentions.csv")

    shown = cli("network", "--kind", "mention", "--out", target)
    said = orjson.loads(cli("network", "--kind", "mention", "--out", target, "--json").stdout)

    assert shown.exit_code == 0, shown.stderr
    words = " ".join(shown.stdout.split())
    assert f"most mentioned: @OutsideHub 2, @MentionedOne 2, @BetaVoice 1, {BESIDE} 1, {TOO_LONG} 1" in words
    assert "4 accounts the archive names nowhere" in words
    assert said["unnamed"] == 4
    assert said["hubs"][:2] == [
        {"userid": OUTSIDE_HUB, "screen_name": "OutsideHub", "weight": 2},
        {"userid": MENTIONED, "screen_name": "MentionedOne", "weight": 2},
    ]
    retweets = cli("network", "--kind", "retweet", "--out", target)
    assert "most retweeted: @OutsideHub 2" in " ".join(retweets.stdout.split())
    assert "1 account the archive names nowhere" in " ".join(retweets.stdout.split())


@pytest.mark.parametrize("fmt", ["csv", "gexf", "graphml"])
def test_the_web_downloads_name_them_too(web, cli, archive, fmt):
    answer = web.get(f"/coordination/network.{fmt}", params={"q": "", "kind": "mention"})

    assert answer.status_code == 200
    if fmt == "csv":
        assert csv_names(answer.content.decode()) == NAMES["mention"]
    else:
        read = nx.read_gexf if fmt == "gexf" else nx.read_graphml
        graph = read(io.BytesIO(answer.content))
        assert {node: data["screen_name"] for node, data in graph.nodes(data=True)} == NAMES["mention"]


def test_a_name_another_account_in_the_same_tweets_could_hold_is_not_given(cli, archive):
    result = cli("network", "--kind", "retweet", "--out", "-")

    assert csv_names(result.stdout)[TOO_LONG] == ""
    assert "SomeOne" not in result.stdout
