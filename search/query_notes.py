"""What to tell the user about a query before running it: the parser's warnings and the index's hints.

A query that runs but does not mean what its author probably meant is the quiet way to a wrong published
answer. The parser alone can see `or`/`AND`/`NOT` (`search.query.query_warnings`); only the index can
tell whether `from:123` names an account or is an account id typed as a screen name. Each note is one line,
returned as data: the CLI prints them on stderr and runs the query as typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from common.errors import QuerySyntaxError
from search.query import id_shaped_from_values, parse_query, query_warnings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


def query_notes(es: Elasticsearch, alias: str, text: str) -> list[str]:
    """The warnings for `text`, then a hint for each all-digit `from:` value that no screen name in the index has.

    The hint is given whenever such a `from:` matches no account, not only when the search finds nothing: in
    `from:123 OR #tag` the other branch still finds tweets, yet the `from:` part is silently empty. It costs one
    request, made only for queries that have such a value. A malformed query gets no notes: running it
    reports the problem.
    """
    notes = query_warnings(text)
    if not text.strip():
        return notes
    try:
        node = parse_query(text)
    except QuerySyntaxError:
        return notes
    values = id_shaped_from_values(node)
    if values:
        known = _screen_names_present(es, alias, values)
        notes += [
            f'no account is named "{value}"; to search by account id type userid:{value}'
            for value in values
            if value not in known
        ]
    return notes


def _screen_names_present(es: Elasticsearch, alias: str, names: list[str]) -> set[str]:
    """Which of `names` (already lower-cased, as `user_screen_name`'s normalizer stores them) have a tweet."""
    answer = es.search(
        index=alias,
        size=0,
        query={"terms": {"user_screen_name": names}},
        aggregations={"names": {"terms": {"field": "user_screen_name", "include": names, "size": len(names)}}},
    ).body
    return {bucket["key"] for bucket in answer["aggregations"]["names"]["buckets"]}
