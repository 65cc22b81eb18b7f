"""The bridge to the native fast path, `tweetsearch_native` (built from `native/`, optional).

When Elasticsearch and the indexer share a machine, every microsecond the indexer spends on a row is taken from
the server. In Python a row costs ~30 µs to split, type and encode; the native encoder reads runs of rows from the
file's bytes and turns them into bulk index actions in a few, without a Python call per row. Each document is
exactly the bytes `orjson.dumps(to_document(record))` gives for the row. It stops at every row it cannot be sure
of, which the Python reader then reads as always, rejects included, before handing the file back to it: so a load
is the same with or without it. `tests/test_native.py` checks that on every row of the test archives.

What the native encoder does not parse itself (nearly every column but the text, ids, times and URL lists), it
asks the callbacks below for, once per distinct published value: they run the Python parsers (`COLUMN_PARSERS`,
the normaliser's accounts) and encode the result as the JSON fragment `to_document` would write for it
(`"key":value,`, or nothing for a missing value).

Everything else the encoder must agree on with the Python side, it is handed when it is made
(`encoder_constants`): the placeholders, the snowflake constants, the memo size, where each column sits in the
header, the account columns, the document's keys in `to_document`'s order, and the URL rules. The Rust code
holds no copy of them, so a change here or in `indexer.normalise`/`indexer.document` reaches both paths.

`TWEETSEARCH_NATIVE=0` turns the fast path off (to compare, or to rule it out when reporting a problem).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, BinaryIO, ClassVar, Protocol

import orjson

from common.records import ACCOUNT_COLUMNS, TWEET_COLUMNS
from common.urls import DEFAULT_PORTS, MULTI_PART_SUFFIXES, TRACKING_PARAMS, TRACKING_PREFIXES
from indexer.document import DOCUMENT_KEYS, hashtag_set, text_field_for
from indexer.normalise import (
    COLUMN_PARSERS,
    FIRST_SNOWFLAKE_ID,
    MEMO_SIZE,
    PLACEHOLDERS,
    TWITTER_EPOCH_MS,
    RowError,
    TweetRowNormaliser,
)

# The `API` of the module this code expects: one built from older sources (before a `make install`) is not used.
API = 3

try:
    import tweetsearch_native
except ImportError:  # not built: the Python reader does all the work
    tweetsearch_native = None

if getattr(tweetsearch_native, "API", None) == API:
    from tweetsearch_native import Lines, TweetEncoder
else:
    Lines = TweetEncoder = None


class LineSource(Protocol):
    """A file's lines after its header, read in large blocks (`tweetsearch_native.Lines`)."""

    def readline(self, limit: int, /) -> bytes: ...


class RowEncoder(Protocol):
    """`tweetsearch_native.TweetEncoder`: see `take` in `native/src/encoder.rs`."""

    def take(
        self, lines: LineSource, lineno: int, skip: int, max_rows: int, max_row_bytes: int, /
    ) -> tuple[int, bool, bytes | None, list[int], list[int]]:
        """The rows it takes from the start of `lines`: `(lineno, full, body, ends, starts)`."""
        ...

    def encode(self, data: bytes, quotes: int, /) -> bytes | None:
        """One logical row's index action and document, or None."""
        ...


def line_source(stream: BinaryIO) -> LineSource:
    """`stream`'s lines from where it stands. With the native module enabled, they are read in large blocks by
    `tweetsearch_native.Lines`, which a `RowEncoder` reads rows from; the Python reader reads every file that way
    then, so that a load reads the same lines (up to where a damaged compressed file fails) with or without the
    fast path. Else the stream is read as it is."""
    return Lines(stream) if native_enabled() else stream


def native_enabled() -> bool:
    """Whether loads use the native encoder: it is installed and `TWEETSEARCH_NATIVE` is not `0`."""
    return TweetEncoder is not None and os.environ.get("TWEETSEARCH_NATIVE", "1") != "0"


def row_encoder(normaliser: TweetRowNormaliser) -> RowEncoder | None:
    """The native encoder for the rows of the file `normaliser` was made for, or None when there is none: the
    extension is missing or turned off, or the header lacks a column or repeats one (the Python reader then
    handles the whole file)."""
    columns = normaliser.columns
    if not native_enabled() or len(set(columns)) != len(columns) or not set(columns) >= set(TWEET_COLUMNS):
        return None
    return TweetEncoder(list(columns), csv.field_size_limit(), _Lookups(normaliser), encoder_constants(normaliser))


def encoder_constants(normaliser: TweetRowNormaliser) -> dict[str, object]:
    """What the native encoder for `normaliser`'s file must agree on with the Python reader, handed over rather
    than copied into the Rust code (see `Given` in `native/src/encoder.rs`). The header must hold every column."""
    columns = normaliser.columns
    return {
        "placeholders": sorted(PLACEHOLDERS),
        "snowflakes": (TWITTER_EPOCH_MS, FIRST_SNOWFLAKE_ID),
        "memo_size": MEMO_SIZE,
        "positions": {name: columns.index(name) for name in TWEET_COLUMNS},
        "account_columns": list(ACCOUNT_COLUMNS),
        "memo_columns": list(_Lookups.MEMO_COLUMNS),
        "document_keys": list(DOCUMENT_KEYS),
        "fixed": [("campaign", normaliser.campaign), ("source_file", normaliser.source_file)],
        # What the native encoder needs to read most URL lists itself (see `native/src/urls.rs`); it calls the
        # `urls` callback for the others.
        "url_rules": (sorted(MULTI_PART_SUFFIXES), sorted(TRACKING_PARAMS), list(TRACKING_PREFIXES), DEFAULT_PORTS),
    }


class _Lookups:
    """The native encoder's callbacks: each takes published strings and returns a tuple of JSON fragments, or
    None when the Python parser raises (the row then goes to the Python reader, which rejects it)."""

    # (column, document field): the columns whose callback (named after the field) gives that field's one fragment.
    MEMO_COLUMNS = (
        ("quote_count", "quote_count"), ("reply_count", "reply_count"), ("like_count", "like_count"),
        ("retweet_count", "retweet_count"), ("hashtags", "hashtags"), ("hashtags", "hashtag_set"),
        ("user_mentions", "user_mentions"), ("poll_choices", "poll_choices"),
    )  # fmt: skip
    # Fields made from their column's parsed value rather than being it.
    DERIVED: ClassVar[dict[str, Callable[[Any], Any]]] = {"hashtag_set": lambda tags: hashtag_set(tags) or None}

    def __init__(self, normaliser: TweetRowNormaliser) -> None:
        self._normaliser = normaliser
        for column, key in self.MEMO_COLUMNS:
            derive = self.DERIVED.get(key, lambda value: value)
            setattr(self, key, _parsed(column, lambda value, key=key, derive=derive: (_field(key, derive(value)),)))
        self.retweet_flag = _parsed("is_retweet", lambda flag: (b"true" if flag else b"false",))
        self.latitude = _parsed("latitude", _number)
        self.longitude = _parsed("longitude", _number)
        self.urls = _parsed("urls", _urls)

    def account(self, values: tuple[str, ...]) -> tuple[bytes, ...] | None:
        """The field of each of `ACCOUNT_COLUMNS` (dates as `to_document` writes them), then the account's
        language as parsed."""
        try:
            fields = dict(zip(ACCOUNT_COLUMNS, self._normaliser.account(values), strict=True))
        except RowError:
            return None
        language: str | None = fields["account_language"]  # type: ignore[assignment]
        dated = {key: value.isoformat() if isinstance(value, date) else value for key, value in fields.items()}
        return (*(_field(key, value) for key, value in dated.items()), (language or "").encode())

    @staticmethod
    def language(published: str, account_language: str) -> tuple[bytes, bytes]:
        """The `tweet_language` field, and the `lang` sub-field the tweet's text goes to."""
        language = COLUMN_PARSERS["tweet_language"][published]
        field = text_field_for(language, account_language or None)  # type: ignore[arg-type]
        return _field("tweet_language", language), field.encode()


def _parsed(column: str, encode: Callable[[object], tuple[bytes, ...]]) -> Callable[[str], tuple[bytes, ...] | None]:
    parse = COLUMN_PARSERS[column]

    def lookup(published: str) -> tuple[bytes, ...] | None:
        try:
            return encode(parse[published])
        except RowError:
            return None

    return lookup


def _field(key: str, value: object) -> bytes:
    """`"key":value,` as `to_document` writes it; nothing for None or an empty list."""
    if value is None or (isinstance(value, Sequence) and not isinstance(value, str) and not value):
        return b""
    if isinstance(value, tuple):
        value = list(value)
    return b'"' + key.encode() + b'":' + orjson.dumps(value) + b","


def _number(value: object) -> tuple[bytes]:
    return (b"" if value is None else orjson.dumps(value),)


def _urls(value: object) -> tuple[bytes, bytes, bytes]:
    _published, normalised, hosts, domains = value  # type: ignore[misc]
    return _field("url_hosts", hosts), _field("url_domains", domains), _field("urls", normalised)
