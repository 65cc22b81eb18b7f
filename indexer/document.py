"""The Elasticsearch document for one `TweetRecord`, shaped by `mappings/tweets-template.json`.

The mapping is `dynamic: strict`, so this module is the single place that decides which record fields become
which document fields. The tweet text is indexed twice: `tweet_text` (folded, every language) and one
`lang.<code>` sub-field whose analyzer stems the tweet's language. `lang` stays in `_source`: excluding it
made the server parse and re-serialise every document's source, which cost a third of its CPU per tweet and
made the index a quarter larger (`bench/bench_fields.py`, variant `lang-excluded`); readers leave it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import orjson

from common.records import TweetRecord

# Twitter's language code (primary subtag) → the `lang` sub-field with that language's analyzer.
_TEXT_FIELDS: dict[str, str] = {
    **{code: code for code in ("en", "ru", "de", "fr", "es", "it", "pt", "ar", "fa", "tr", "nl", "sv", "hi", "el")},
    "id": "id",
    "in": "id",
    "zh": "cjk",
    "ja": "cjk",
    "ko": "cjk",
}
# Codes that say the language could not be told (`und`) or the tweet has no words: hashtags (`qht`), media
# (`qme`), mentions (`qam`), cashtags (`qct`), very short text (`qst`), no linguistic content (`zxx`).
_UNDETERMINED = frozenset({"und", "qht", "qme", "qam", "qct", "qst", "zxx"})
STANDARD_TEXT_FIELD = "std"

# The document's keys in the order `to_document` writes them (the order of the encoded JSON). The native encoder is
# handed this order (`indexer.native.encoder_constants`) rather than holding its own; `tests/test_native.py` checks
# it against `to_document`.
DOCUMENT_KEYS: tuple[str, ...] = (
    "campaign", "source_file", "tweetid", "userid", "user_display_name", "user_screen_name",
    "user_reported_location", "user_profile_description", "user_profile_url", "follower_count", "following_count",
    "account_language", "tweet_language", "tweet_text", "tweet_client_name", "in_reply_to_tweetid",
    "in_reply_to_userid", "quoted_tweet_tweetid", "is_retweet", "is_reply", "has_links", "retweet_userid",
    "retweet_tweetid", "retweeted_screen_name", "quote_count", "reply_count", "like_count", "retweet_count",
    "account_creation_date", "tweet_time", "retweeted_time", "quoted_time", "hashtags", "hashtag_set", "user_mentions",
    "mention_names", "url_hosts", "url_domains", "tco_links", "poll_choices", "urls", "lang", "location", "raw",
)  # fmt: skip


@lru_cache(maxsize=4096)
def text_field_for(tweet_language: str | None, account_language: str | None) -> str:
    """The `lang` sub-field for a tweet: its own language, else its account's, else `std`.

    Codes are matched on their primary subtag (`en-gb` → `en`, `zh-cn` → `cjk`); Twitter's `in` is Indonesian.
    Cached: a few dozen language pairs cover a whole release.
    """
    for language in (tweet_language, account_language):
        code = _primary_subtag(language)
        if code is not None:
            return _TEXT_FIELDS.get(code, STANDARD_TEXT_FIELD)
    return STANDARD_TEXT_FIELD


def to_document(record: TweetRecord) -> dict[str, Any]:
    """The document to index under `_id = record.tweetid`.

    Missing values and empty lists are left out rather than sent as null. `urls` holds the normalised URLs
    (see `common.urls.normalise_url`), so a search normalises its URL the same way; the URLs as published
    stay in `raw.urls`. `location` is set only when both coordinates are known.

    Rust twin (encoded with orjson): `TweetEncoder::document` in `native/src/encoder.rs`, handed `DOCUMENT_KEYS`.
    """
    # Field by field, without a loop over names: this runs for every row of a load, and straight-line attribute
    # reads take half the time of `getattr` or `attrgetter` in a loop. The order of the keys is the order of the
    # encoded JSON, kept stable. A new record field that belongs in the index needs two lines here.
    document: dict[str, Any] = {}
    value: Any
    if (value := record.campaign) is not None:
        document["campaign"] = value
    if (value := record.source_file) is not None:
        document["source_file"] = value
    if (value := record.tweetid) is not None:
        document["tweetid"] = value
    if (value := record.userid) is not None:
        document["userid"] = value
    if (value := record.user_display_name) is not None:
        document["user_display_name"] = value
    if (value := record.user_screen_name) is not None:
        document["user_screen_name"] = value
    if (value := record.user_reported_location) is not None:
        document["user_reported_location"] = value
    if (value := record.user_profile_description) is not None:
        document["user_profile_description"] = value
    if (value := record.user_profile_url) is not None:
        document["user_profile_url"] = value
    if (value := record.follower_count) is not None:
        document["follower_count"] = value
    if (value := record.following_count) is not None:
        document["following_count"] = value
    if (value := record.account_language) is not None:
        document["account_language"] = value
    if (value := record.tweet_language) is not None:
        document["tweet_language"] = value
    if (value := record.tweet_text) is not None:
        document["tweet_text"] = value
    if (value := record.tweet_client_name) is not None:
        document["tweet_client_name"] = value
    if (value := record.in_reply_to_tweetid) is not None:
        document["in_reply_to_tweetid"] = value
    if (value := record.in_reply_to_userid) is not None:
        document["in_reply_to_userid"] = value
    if (value := record.quoted_tweet_tweetid) is not None:
        document["quoted_tweet_tweetid"] = value
    if (value := record.is_retweet) is not None:
        document["is_retweet"] = value
    # Flags written for every row, true or false, so that `-filter:replies` and `-filter:links` are one positive
    # term (`is_reply:false`) instead of a `must_not` the server evaluates against every candidate.
    document["is_reply"] = record.in_reply_to_tweetid is not None
    document["has_links"] = bool(record.urls_normalised or record.tco_links)
    if (value := record.retweet_userid) is not None:
        document["retweet_userid"] = value
    if (value := record.retweet_tweetid) is not None:
        document["retweet_tweetid"] = value
    if (value := record.retweeted_screen_name) is not None:
        document["retweeted_screen_name"] = value
    if (value := record.quote_count) is not None:
        document["quote_count"] = value
    if (value := record.reply_count) is not None:
        document["reply_count"] = value
    if (value := record.like_count) is not None:
        document["like_count"] = value
    if (value := record.retweet_count) is not None:
        document["retweet_count"] = value
    # Dates as ISO 8601 strings (a datetime keeps its UTC offset).
    if (value := record.account_creation_date) is not None:
        document["account_creation_date"] = value.isoformat()
    if (value := record.tweet_time) is not None:
        document["tweet_time"] = iso_format(value)
    if (value := record.retweeted_time) is not None:
        document["retweeted_time"] = iso_format(value)
    if (value := record.quoted_time) is not None:
        document["quoted_time"] = iso_format(value)
    # Lists only when not empty, copied so that the document owns them.
    if value := record.hashtags:
        document["hashtags"] = list(value)
        document["hashtag_set"] = hashtag_set(value)
    if value := record.user_mentions:
        document["user_mentions"] = list(value)
    if value := record.mention_names:
        document["mention_names"] = list(value)
    if value := record.url_hosts:
        document["url_hosts"] = list(value)
    if value := record.url_domains:
        document["url_domains"] = list(value)
    if value := record.tco_links:
        document["tco_links"] = list(value)
    if value := record.poll_choices:
        document["poll_choices"] = list(value)
    if record.urls_normalised:
        document["urls"] = list(record.urls_normalised)
    if record.tweet_text:
        field = text_field_for(record.tweet_language, record.account_language)
        document["lang"] = {field: record.tweet_text}
    if record.latitude is not None and record.longitude is not None:
        document["location"] = {"lat": record.latitude, "lon": record.longitude}
    document["raw"] = dict(record.raw)
    return document


def hashtag_set(tags: Sequence[str]) -> str:
    """The set of a tweet's hashtags as one keyword (`coordination --by hashtags` finds the tweets with the same
    set by it): the tags, lower-cased and each once already (`parse_hashtags`), sorted, joined by spaces.

    Rust twin: none needed; the native encoder asks this through its `hashtag_set` callback."""
    return " ".join(sorted(tags))


def iso_format(value: date) -> str:
    """`value.isoformat()`, three times faster for the UTC moments records hold.

    orjson formats those (RFC 3339) in C to exactly the string `isoformat` gives, so the JSON string it makes
    is used without its quotes. Anything else (a plain date, another zone, a naive time) goes to `isoformat`.
    """
    if type(value) is datetime and value.tzinfo is UTC:
        return orjson.dumps(value)[1:-1].decode()
    return value.isoformat()


def _primary_subtag(language: str | None) -> str | None:
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").partition("-")[0]
    return None if not code or code in _UNDETERMINED else code
