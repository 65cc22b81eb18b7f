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
