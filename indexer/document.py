"""The Elasticsearch document for one `TweetRecord`, shaped by `mappings/tweets-template.json`.

The mapping is `dynamic: strict`, so this module is the single place that decides which record fields become
which document fields. The tweet text is indexed twice: `tweet_text` (folded, every language) and one
`lang.<code>` sub-field whose analyzer stems the tweet's language; `lang.*` is left out of `_source`.
"""

from __future__ import annotations

from typing import Any

from indexer.records import TweetRecord

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

# Record fields copied to the document under the same name when they have a value, by how they are encoded.
_SCALAR_FIELDS: tuple[str, ...] = (
    "campaign", "source_file", "tweetid", "userid", "user_display_name", "user_screen_name",
    "user_reported_location", "user_profile_description", "user_profile_url", "follower_count",
    "following_count", "account_language", "tweet_language", "tweet_text", "tweet_client_name",
    "in_reply_to_tweetid", "in_reply_to_userid", "quoted_tweet_tweetid", "is_retweet", "retweet_userid",
    "retweet_tweetid", "retweeted_screen_name", "quote_count", "reply_count", "like_count", "retweet_count",
)  # fmt: skip
_DATE_FIELDS: tuple[str, ...] = ("account_creation_date", "tweet_time", "retweeted_time", "quoted_time")
_LIST_FIELDS: tuple[str, ...] = (
    "hashtags", "user_mentions", "mention_names", "url_hosts", "url_domains", "tco_links", "poll_choices",
)  # fmt: skip


def text_field_for(tweet_language: str | None, account_language: str | None) -> str:
    """The `lang` sub-field for a tweet: its own language, else its account's, else `std`.

    Codes are matched on their primary subtag (`en-gb` → `en`, `zh-cn` → `cjk`); Twitter's `in` is Indonesian.
    """
    for language in (tweet_language, account_language):
        code = _primary_subtag(language)
        if code is not None:
            return _TEXT_FIELDS.get(code, STANDARD_TEXT_FIELD)
    return STANDARD_TEXT_FIELD


def to_document(record: TweetRecord) -> dict[str, Any]:
    """The document to index under `_id = record.tweetid`.

    Missing values and empty lists are left out rather than sent as null. `urls` holds the normalised URLs
    (see `indexer.urls.normalise_url`), so a search normalises its URL the same way; the URLs as published
    stay in `raw.urls`. `location` is set only when both coordinates are known.
    """
    document: dict[str, Any] = {}
    for name in _SCALAR_FIELDS:
        value = getattr(record, name)
        if value is not None:
            document[name] = value
    for name in _DATE_FIELDS:
        value = getattr(record, name)
        if value is not None:
            document[name] = value.isoformat()
    for name in _LIST_FIELDS:
        value = getattr(record, name)
        if value:
            document[name] = list(value)
    if record.urls_normalised:
        document["urls"] = list(record.urls_normalised)
    if record.tweet_text:
        field = text_field_for(record.tweet_language, record.account_language)
        document["lang"] = {field: record.tweet_text}
    if record.latitude is not None and record.longitude is not None:
        document["location"] = {"lat": record.latitude, "lon": record.longitude}
    document["raw"] = dict(record.raw)
    return document


def _primary_subtag(language: str | None) -> str | None:
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").partition("-")[0]
    return None if not code or code in _UNDETERMINED else code
