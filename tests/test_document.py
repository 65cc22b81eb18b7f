"""The Elasticsearch document: only fields the strict mapping knows, with the types it expects."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from archive_samples import ira_row, later_row

from common.records import TweetRecord
from indexer.document import iso_format, text_field_for, to_document
from indexer.normalise import normalise_row, snowflake_time

MAPPING = json.loads((Path(__file__).resolve().parent.parent / "mappings" / "tweets-template.json").read_text())
PROPERTIES: dict[str, Any] = MAPPING["template"]["mappings"]["properties"]
LANG_FIELDS = set(PROPERTIES["lang"]["properties"])


def record_of(row: dict[str, str]) -> TweetRecord:
    return normalise_row(row, campaign="ira", source_file="ira_tweets_csv_hashed.csv", line=2)


@pytest.mark.parametrize("row", [ira_row(), later_row(latitude="55.75", longitude="37.61", poll_choices="a|b")])
def test_document_has_only_mapped_fields(row: dict[str, str]) -> None:
    document = to_document(record_of(row))
    assert set(document) <= set(PROPERTIES), set(document) - set(PROPERTIES)
    assert set(document["lang"]) <= LANG_FIELDS


def test_document_values_have_the_mapped_types() -> None:
    document = to_document(record_of(ira_row(latitude="40.7", longitude="-74.0")))
    for name, value in document.items():
        kind = PROPERTIES[name].get("type", "object")
        if kind == "long":
            assert isinstance(value, int) and not isinstance(value, bool), name
        elif kind == "boolean":
            assert isinstance(value, bool), name
        elif kind == "date":
            assert isinstance(value, str), name
        elif kind in ("keyword", "text"):
            assert isinstance(value, str) or all(isinstance(item, str) for item in value), name
    assert document["location"] == {"lat": 40.7, "lon": -74.0}
    assert json.loads(json.dumps(document)) == document, "the document is plain JSON"


def test_dates_are_iso_8601_utc() -> None:
    document = to_document(record_of(later_row(retweet_tweetid="1156190000000000000")))
    assert document["tweet_time"] == "2019-07-30T12:00:00+00:00"
    assert document["account_creation_date"] == "2017-03-01"
    assert document["retweeted_time"].startswith("2019-07-30T13:09:11")
    assert document["retweeted_time"].endswith("+00:00")


def test_text_goes_to_the_language_sub_field_and_raw_is_kept() -> None:
    row = ira_row(tweet_language="ru", tweet_text="Москва не верит слезам")
    document = to_document(record_of(row))
    assert document["lang"] == {"ru": "Москва не верит слезам"}
    assert document["tweet_text"] == "Москва не верит слезам"
    assert document["raw"] == row


def test_urls_field_holds_the_normalised_urls() -> None:
    document = to_document(record_of(ira_row()))
    assert document["urls"] == ["http://example.com/news/story?id=42"]
    assert document["url_domains"] == ["example.com"]
    assert document["raw"]["urls"] == "[http://www.Example.com/news/story/?utm_source=twitter&id=42]"


def test_missing_values_are_left_out_but_false_and_zero_are_kept() -> None:
    document = to_document(record_of(ira_row(like_count="0", latitude="", longitude="40.0")))
    assert "in_reply_to_tweetid" not in document
    assert "user_mentions" not in document
    assert "location" not in document, "one coordinate alone is not a location"
    assert document["is_retweet"] is False
    assert document["like_count"] == 0


def test_document_without_text_has_no_lang() -> None:
    assert "lang" not in to_document(record_of(ira_row(tweet_text="")))


@pytest.mark.parametrize(
    ("tweet_language", "account_language", "field"),
    [
        ("en", "ru", "en"),
        ("ru", None, "ru"),
        ("in", None, "id"),
        ("id", None, "id"),
        ("zh", None, "cjk"),
        ("ja", "en", "cjk"),
        ("ko", None, "cjk"),
        ("fa", None, "fa"),
        ("ar", None, "ar"),
        ("iw", "en", "std"),
        ("und", "en-gb", "en"),
        ("qme", "de", "de"),
        (None, "zh-cn", "cjk"),
        ("", "pt-br", "pt"),
        ("und", None, "std"),
        (None, None, "std"),
        ("xx", "en", "std"),
    ],
)
def test_text_field_for(tweet_language: str | None, account_language: str | None, field: str) -> None:
    assert text_field_for(tweet_language, account_language) == field
    assert field in LANG_FIELDS


def test_every_record_field_reaches_the_document() -> None:
    # `to_document` names each field explicitly (for speed): a field added to the record must not be forgotten.
    record = record_of(
        later_row(
            user_reported_location="Hong Kong",
            user_profile_description="news",
            user_profile_url="https://t.co/x",
            in_reply_to_tweetid="1156190000000000001",
            in_reply_to_userid="1144245588491243520",
            quoted_tweet_tweetid="1156190000000000002",
            latitude="22.3",
            longitude="114.2",
            quote_count="1.0",
            poll_choices="yes|no",
            tweet_text="RT @HKPoliceForce: @someone look https://t.co/Zx9Yw8Vu7T #HK",
        )
    )
    empty = [field.name for field in fields(record) if getattr(record, field.name) in (None, [], {})]
    assert empty == [], "the record under test fills every field"
    not_copied = {"line", "latitude", "longitude", "urls_normalised"}
    expected = {field.name for field in fields(TweetRecord)} - not_copied | {
        "lang",
        "location",
        "is_reply",
        "has_links",
        "hashtag_set",
    }
    document = to_document(record)
    assert set(document) == expected
    assert document["urls"] == record.urls_normalised


@pytest.mark.parametrize(
    ("values", "is_reply", "has_links"),
    [
        ({}, False, False),
        ({"in_reply_to_tweetid": "1156190000000000001"}, True, False),
        ({"urls": "['https://example.com/a']"}, False, True),
        ({"tweet_text": "look https://t.co/Zx9Yw8Vu7T"}, False, True),
        ({"urls": "[]", "tweet_text": "no link: t.co alone"}, False, False),
    ],
)
def test_reply_and_link_flags_are_written_for_every_row(
    values: dict[str, str], is_reply: bool, has_links: bool
) -> None:
    # `-filter:replies` and `-filter:links` search `is_reply:false` / `has_links:false`: a row without the key
    # would silently drop out of both the filter and its negation.
    document = to_document(record_of(later_row(**{"tweet_text": "plain words", "urls": "[]", **values})))
    assert document["is_reply"] is is_reply
    assert document["has_links"] is has_links


def test_document_owns_its_lists_and_raw() -> None:
    record = record_of(ira_row())
    document = to_document(record)
    document["hashtags"].append("changed")
    document["urls"].clear()
    document["raw"]["hashtags"] = "changed"
    assert (record.hashtags, record.urls_normalised) == (["maga"], ["http://example.com/news/story?id=42"])
    assert record.raw["hashtags"] == "[MAGA]"


@pytest.mark.parametrize(
    "value",
    [
        datetime(2017, 6, 22, 16, 3, tzinfo=UTC),
        datetime(2012, 5, 21, 22, 16, 35, 123000, tzinfo=UTC),
        datetime(2012, 5, 21, 22, 16, 35, 1, tzinfo=UTC),
        datetime(5, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2017, 6, 22, 16, 3),
        datetime(2017, 6, 22, 16, 3, tzinfo=timezone(timedelta(hours=3))),
        datetime(2017, 6, 22, 16, 3, tzinfo=timezone(timedelta(0))),
        date(2014, 6, 8),
        date(99, 1, 1),
    ],
)
def test_iso_format_is_isoformat(value: date) -> None:
    assert iso_format(value) == value.isoformat()


def test_iso_format_of_snowflake_times() -> None:
    for tweetid in range(29_700_859_247, 1_600_000_000_000_000_000, 7_919_999_999_999_999):
        moment = snowflake_time(str(tweetid))
        assert moment is not None and iso_format(moment) == moment.isoformat()


def test_the_hashtag_set_is_the_tags_sorted_whatever_their_order_in_the_tweet() -> None:
    first = to_document(record_of(later_row(hashtags="[Vote, #maga, news]")))
    second = to_document(record_of(later_row(hashtags="[news, VOTE, maga, vote]")))

    assert first["hashtag_set"] == second["hashtag_set"] == "maga news vote"
    assert "hashtag_set" not in to_document(record_of(later_row(hashtags="[]")))
