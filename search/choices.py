"""The closed sets of words the command line accepts, as types: `--help` lists them and the parser checks them.

Kept apart from the modules that act on them so that reading the command line imports nothing heavy (the
search modules import the Elasticsearch client); those modules keep their own names for the same sets, and
`tests/test_choices.py` checks that the two agree.
"""

from __future__ import annotations

from typing import Literal, get_args

OutputFormat = Literal["table", "json", "jsonl", "csv"]
SortOrder = Literal["newest", "oldest", "relevance"]
Interval = Literal["day", "week", "month", "year"]
ExportFormat = Literal["csv", "jsonl"]
CiteFormat = Literal["text", "markdown"]
Compression = Literal["none", "gz", "zip"]
Split = Literal["campaign"]
TopField = Literal["hashtags", "domains", "hosts", "urls", "accounts", "clients", "languages", "campaigns", "mentions"]
"""What `top` counts. The argument is not typed with it: `top` also takes the singular and any case
(`Campaign`, `hashtag`), so its help lists these names and the library reads the word."""

CoordinationBy = Literal["text", "retweet", "url", "hashtags"]
NetworkKind = Literal["coordination", "retweet", "mention", "reply"]
NetworkFormat = Literal["gexf", "graphml", "csv"]
"""`coordination --by`, `network --kind` and `network --format`: the arguments are plain text (a wrong word is one
line from the library, exit 2, as every other bad input), and their help lists these."""

OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)
SORT_ORDERS: tuple[str, ...] = get_args(SortOrder)
INTERVALS: tuple[str, ...] = get_args(Interval)
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)
CITE_FORMATS: tuple[str, ...] = get_args(CiteFormat)
COMPRESSIONS: tuple[str, ...] = get_args(Compression)
SPLITS: tuple[str, ...] = get_args(Split)
TOP_FIELDS: tuple[str, ...] = get_args(TopField)
COORDINATION_BY: tuple[str, ...] = get_args(CoordinationBy)
NETWORK_KINDS: tuple[str, ...] = get_args(NetworkKind)
NETWORK_FORMATS: tuple[str, ...] = get_args(NetworkFormat)

DEFAULT_WINDOW = "60s"
"""`coordination`'s and `network`'s window when none is given (not a closed set: kept here beside the choices of
the same commands)."""
DEFAULT_MIN_REPEATS = 2
"""`coordination`'s and `network`'s co-actions a pair needs when no number is given."""

MAX_QUERY_CHARS = 4_000
"""The longest query (or quote, or address) a web page takes. A page repeats its query in every link it draws
(facets, paging, downloads), so a 56 KB query made a 1.8 MB page; 4,000 characters hold some sixty hashed
userids. The command line reads any length (its bound is the clauses sent, `search.query.MAX_CLAUSES`)."""
