"""An answer with failed shards is never silently short: the commands say so and exit 4.

The alias spans two indices, one of which maps `urls` as a number, so a URL-prefix query fails on its shard
while the other answers: a real partial result from the server.
"""

from __future__ import annotations

import pytest

QUERY = "url:example.com/a*"


@pytest.fixture(scope="module")
def partial_alias(es, alias) -> str:
    name = f"{alias}-partial"
    mapping = {"tweetid": {"type": "keyword"}, "tweet_time": {"type": "date"}, "hashtags": {"type": "keyword"}}
    es.indices.create(index=f"{name}-good", mappings={"properties": {**mapping, "urls": {"type": "keyword"}}})
    es.indices.create(index=f"{name}-odd", mappings={"properties": {**mapping, "urls": {"type": "long"}}})
    es.index(index=f"{name}-good", id="1", document={"tweetid": "1", "urls": ["https://example.com/a/1"]})
    es.index(index=f"{name}-odd", id="2", document={"tweetid": "2", "urls": [5]})
    es.indices.refresh(index=f"{name}-good,{name}-odd")
    es.indices.put_alias(index=f"{name}-good,{name}-odd", name=name)
    return name


@pytest.mark.parametrize(
    "command",
    [["search", QUERY, "--count"], ["search", QUERY, "--format", "jsonl"], ["top", "hashtags", QUERY]],
)
def test_failed_shards_make_the_command_say_so_and_exit_4(cli, partial_alias, command):
    result = cli(*command, env={"TWEETSEARCH_ALIAS": partial_alias})

    assert result.exit_code == 4, result.stdout + result.stderr
    assert "1 of 2 shards failed; the results are incomplete" in result.stderr


def test_the_partial_hits_are_still_shown(cli, partial_alias):
    result = cli("search", QUERY, "--format", "jsonl", env={"TWEETSEARCH_ALIAS": partial_alias})

    assert '"tweetid":"1"' in result.stdout


def good_and_odd(es, prefix: str, fields: dict, field: str, good: dict, odd: dict) -> tuple[str, str]:
    """Two indices alike but for `field`, a keyword in the good one and text in the odd one, where a terms
    aggregation or a collapse on it fails: the odd index's shard fails and the good one's answers."""
    made = []
    for suffix, kind, document in (("good", "keyword", good), ("odd", "text", odd)):
        index = f"{prefix}-{suffix}"
        es.indices.create(index=index, mappings={"properties": {**fields, field: {"type": kind}}})
        es.index(index=index, id=suffix, document=document, refresh=True)
        made.append(index)
    return made[0], made[1]


def test_screen_names_from_a_partial_accounts_answer_are_refused_not_left_out(es, alias) -> None:
    """A coordination report or a network names its accounts from the accounts index: a shard that fails would
    leave accounts nameless with nothing to say so."""
    from common.errors import PartialResults
    from common.mapping import accounts_alias
    from search.profiles import screen_names

    name = f"{alias}-names"
    fields = {"last_tweet": {"type": "date"}, "user_screen_name": {"type": "keyword"}}
    good, odd = good_and_odd(
        es,
        f"{name}-accounts",
        fields,
        "userid",
        {"userid": "u1", "user_screen_name": "one"},
        {"userid": "u2", "user_screen_name": "two"},
    )
    es.indices.put_alias(index=good, name=accounts_alias(name))
    assert screen_names(es, name, ["u1", "u2"]) == {"u1": "one"}
    es.indices.put_alias(index=odd, name=accounts_alias(name))
    with pytest.raises(PartialResults):
        screen_names(es, name, ["u1", "u2"])


def test_a_network_from_a_partial_answer_is_refused_not_left_short(es, alias) -> None:
    """The retweet network is counted by a composite aggregation: a shard that fails would leave edges out."""
    from common.errors import PartialResults
    from search.network import build_network

    name = f"{alias}-network"
    fields = {"userid": {"type": "keyword"}, "tweet_time": {"type": "date"}}
    good, odd = good_and_odd(
        es,
        name,
        fields,
        "retweet_userid",
        {"userid": "a", "retweet_userid": "b"},
        {"userid": "c", "retweet_userid": "d"},
    )
    es.indices.put_alias(index=good, name=name)
    graph, _ = build_network(es, name, "", kind="retweet")
    assert set(graph.edges) == {("a", "b")}
    es.indices.put_alias(index=odd, name=name)
    with pytest.raises(PartialResults):
        build_network(es, name, "", kind="retweet")
