"""The Elasticsearch document: only fields the strict mapping knows, with the types it expects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from archive_samples import ira_row, later_row

from indexer.document import text_field_for, to_document
from indexer.normalise import normalise_row
from indexer.records import TweetRecord

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
