"""How the query builder is put together: the client's DSL only where a query is built, and a size check at parse
time that counts exactly the clauses the builder sends. Pure: nothing here talks to Elasticsearch."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from search.query import MAX_CLAUSES, QuerySyntaxError, build_query, parse_query

# Every kind of leaf: words, phrases, prefixes, each operator, and each shape of url: (domain, prefix, page with
# and without parameters, a known page, t.co).
QUERIES = [
    "vote",
    '"hillary clinton"',
    "vote*",
    "from:ten_gop from:ten_* userid:785069161404744412 @cnn #maga #maga*",
    "userid:3D6A1562A4F7AA91E7C1B5D6161076F128F222577E58612813732DB82423E199",
    "lang:en campaign:ira campaign:ir* client:TweetDeck since:2016-01-01 until:2017-01-01",
    "min_retweets:3 min_faves:0 min_replies:9 filter:retweets filter:replies filter:links -filter:links",
    "url:bbc.co.uk url:news.bbc.co.uk url:example.com/a url:example.com/a?b=1 url:example.com/new*",
    "youtube.com/watch?v=dQw4w9WgXcQ https://t.co/abc url:t.co",
    'a OR "b c" OR -(d #e) url:example.com/x?y=1&z=2',
]


def _leaves(clause: dict[str, Any]) -> int:
    if "bool" not in clause:
        return 1
    return sum(
        _leaves(child) for kind in ("must", "should", "filter", "must_not") for child in clause["bool"].get(kind, [])
    )


@pytest.mark.parametrize("text", QUERIES)
def test_the_size_check_counts_the_clauses_the_builder_sends(text: str) -> None:
    sent = _leaves(build_query(parse_query(text)))
    budget = " ".join([text] * (MAX_CLAUSES // sent))
    parse_query(budget)  # exactly as many clauses as fit: accepted
    with pytest.raises(QuerySyntaxError, match="too large"):
        parse_query(f"{budget} {text}")


def test_parsing_imports_no_query_dsl_and_building_does() -> None:
    code = (
        "import sys\n"
        "from search.query import build_query, describe, parse_query, query_warnings\n"
        "node = parse_query('vote url:example.com/a?b=1 -from:x')\n"
        "describe(node); query_warnings('a or b')\n"
        "assert 'elasticsearch' not in sys.modules, 'parsing imported the client'\n"
        "build_query(node)\n"
        "assert 'elasticsearch.dsl' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
